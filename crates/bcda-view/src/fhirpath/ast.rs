//! The FHIRPath syntax tree.

/// A literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `{}`: the empty collection.
    Empty,
    /// `true` / `false`.
    Bool(bool),
    /// An integer literal.
    Integer(i64),
    /// A decimal literal, as its source text.
    Decimal(String),
    /// A string literal (unescaped).
    String(String),
    /// A date, dateTime or time literal, without its `@` (and `T` for times).
    Temporal(String),
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `div`
    IntDiv,
    /// `mod`
    Mod,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `&`
    Concat,
    /// `|`
    Union,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `~`
    Equiv,
    /// `!~`
    NotEquiv,
    /// `and`
    And,
    /// `or`
    Or,
    /// `xor`
    Xor,
    /// `implies`
    Implies,
    /// `in` (membership)
    In,
    /// `contains` (membership)
    Contains,
}

/// A function this implementation evaluates, resolved at parse time.
#[derive(Debug, Clone, PartialEq)]
pub enum Func {
    /// `where(criteria)`
    Where,
    /// `exists([criteria])`
    Exists,
    /// `empty()`
    Empty,
    /// `first()`
    First,
    /// `last()`
    Last,
    /// `count()`
    Count,
    /// `not()`
    Not,
    /// `extension(url)`
    Extension,
    /// `ofType(type)`: the type name.
    OfType(String),
    /// `join([separator])`
    Join,
    /// `getResourceKey()`
    GetResourceKey,
    /// `getReferenceKey([type])`: the optional resource type.
    GetReferenceKey(Option<String>),
    /// `lowBoundary()`
    LowBoundary,
    /// `highBoundary()`
    HighBoundary,
    /// `repeat(expression)`
    Repeat,
    /// `select(expression)`
    Select,
    /// `toString()`
    ToString,
    /// `iif(criterion, then[, else])`
    Iif,
    /// `startsWith(prefix)`
    StartsWith,
    /// `endsWith(suffix)`
    EndsWith,
    /// `contains(substring)` (the string function)
    ContainsText,
    /// `length()`
    Length,
    /// `substring(start[, length])`
    Substring,
    /// `upper()`
    Upper,
    /// `lower()`
    Lower,
    /// `hasValue()`
    HasValue,
    /// `single()`
    Single,
    /// `distinct()`
    Distinct,
    /// `skip(n)`
    Skip,
    /// `take(n)`
    Take,
    /// `tail()`
    Tail,
    /// `is(type)`: the type name.
    Is(String),
    /// `as(type)`: the type name.
    As(String),
}

/// A FHIRPath expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal.
    Literal(Literal),
    /// `$this`
    This,
    /// `%name`: a view constant or `%rowIndex` / `%resource`.
    Var(String),
    /// Navigation to a child element: `base.name`, or `name` on the focus when `base` is
    /// `None`.
    Member(Option<Box<Expr>>, String),
    /// A function call on `base` (the focus when `None`).
    Call(Option<Box<Expr>>, Func, Vec<Expr>),
    /// `base[index]`
    Index(Box<Expr>, Box<Expr>),
    /// Unary minus.
    Neg(Box<Expr>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Calls `f` on this expression and every sub-expression, depth first.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Member(base, _) => base.iter().for_each(|b| b.walk(f)),
            Expr::Call(base, _, args) => {
                base.iter().for_each(|b| b.walk(f));
                args.iter().for_each(|a| a.walk(f));
            }
            Expr::Index(a, b) | Expr::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Expr::Neg(a) => a.walk(f),
            Expr::Literal(_) | Expr::This | Expr::Var(_) => {}
        }
    }
}
