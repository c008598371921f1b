//! A Pratt parser for FHIRPath.

use super::ast::{BinOp, Expr, Func, Literal};
use super::lexer::{tokenize, Tok, Token};
use super::ParseError;

/// Most tokens an expression may have: bounds the depth of its tree (evaluating and dropping
/// it recurse) for untrusted views.
const MAX_TOKENS: usize = 2000;

/// Parses one FHIRPath expression.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let tokens = tokenize(src)?;
    if tokens.len() > MAX_TOKENS {
        return Err(ParseError::new(
            format!(
                "expression too long ({} tokens, at most {MAX_TOKENS})",
                tokens.len()
            ),
            0,
        ));
    }
    let mut p = Parser {
        tokens,
        i: 0,
        depth: 0,
    };
    let e = p.expr(0)?;
    match p.peek() {
        Tok::End => Ok(e),
        other => Err(ParseError::new(
            format!("unexpected {}", describe(other)),
            p.offset(),
        )),
    }
}

struct Parser {
    tokens: Vec<Token>,
    i: usize,
    /// Current nesting of [`Parser::expr`], bounded by [`MAX_NESTING`].
    depth: usize,
}

/// Deepest nesting of sub-expressions (parentheses, arguments, operands) accepted: a view is
/// untrusted input and must not overflow the stack.
const MAX_NESTING: usize = 128;

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("identifier `{s}`"),
        Tok::Str(s) => format!("string '{s}'"),
        Tok::Number(s) => format!("number {s}"),
        Tok::Temporal(s) => format!("@{s}"),
        Tok::Var(s) => format!("%{s}"),
        Tok::Special(s) => format!("${s}"),
        Tok::Punct(p) => format!("`{p}`"),
        Tok::End => "end of expression".to_string(),
    }
}

/// Binding power (left) of an infix operator.
fn infix(t: &Tok) -> Option<(BinOp, u8)> {
    let op = match t {
        Tok::Punct(p) => match *p {
            "*" => (BinOp::Mul, 10),
            "/" => (BinOp::Div, 10),
            "+" => (BinOp::Add, 9),
            "-" => (BinOp::Sub, 9),
            "&" => (BinOp::Concat, 9),
            "|" => (BinOp::Union, 7),
            "<" => (BinOp::Lt, 6),
            "<=" => (BinOp::Le, 6),
            ">" => (BinOp::Gt, 6),
            ">=" => (BinOp::Ge, 6),
            "=" => (BinOp::Eq, 5),
            "!=" => (BinOp::Ne, 5),
            "~" => (BinOp::Equiv, 5),
            "!~" => (BinOp::NotEquiv, 5),
            _ => return None,
        },
        Tok::Ident(k) => match k.as_str() {
            "div" => (BinOp::IntDiv, 10),
            "mod" => (BinOp::Mod, 10),
            "in" => (BinOp::In, 4),
            "contains" => (BinOp::Contains, 4),
            "and" => (BinOp::And, 3),
            "or" => (BinOp::Or, 2),
            "xor" => (BinOp::Xor, 2),
            "implies" => (BinOp::Implies, 1),
            _ => return None,
        },
        _ => return None,
    };
    Some(op)
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.i].kind
    }

    fn offset(&self) -> usize {
        self.tokens[self.i].offset
    }

    fn next(&mut self) -> Tok {
        let t = self.tokens[self.i].kind.clone();
        if self.i + 1 < self.tokens.len() {
            self.i += 1;
        }
        t
    }

    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Tok::Punct(q) if *q == p) {
            self.next();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &str) -> Result<(), ParseError> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(ParseError::new(
                format!("expected `{p}`, found {}", describe(self.peek())),
                self.offset(),
            ))
        }
    }

    fn expr(&mut self, min_bp: u8) -> Result<Expr, ParseError> {
        if self.depth >= MAX_NESTING {
            return Err(ParseError::new(
                "expression nested too deeply",
                self.offset(),
            ));
        }
        self.depth += 1;
        let e = self.expr_inner(min_bp);
        self.depth -= 1;
        e
    }

    fn expr_inner(&mut self, min_bp: u8) -> Result<Expr, ParseError> {
        let mut lhs = self.prefix()?;
        while let Some((op, bp)) = infix(self.peek()) {
            if bp <= min_bp {
                break;
            }
            self.next();
            let rhs = self.expr(bp)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn prefix(&mut self) -> Result<Expr, ParseError> {
        if self.eat("-") {
            return Ok(Expr::Neg(Box::new(self.expr(11)?)));
        }
        if self.eat("+") {
            return self.expr(11);
        }
        let term = self.term()?;
        self.postfix(term)
    }

    fn postfix(&mut self, mut e: Expr) -> Result<Expr, ParseError> {
        loop {
            if self.eat(".") {
                let at = self.offset();
                let Tok::Ident(name) = self.next() else {
                    return Err(ParseError::new("expected a name after `.`", at));
                };
                e = self.member_or_call(Some(Box::new(e)), name, at)?;
            } else if self.eat("[") {
                let index = self.expr(0)?;
                self.expect("]")?;
                e = Expr::Index(Box::new(e), Box::new(index));
            } else {
                return Ok(e);
            }
        }
    }

    fn term(&mut self) -> Result<Expr, ParseError> {
        let at = self.offset();
        match self.next() {
            Tok::Number(n) => Ok(number_literal(&n, at)?),
            Tok::Str(s) => Ok(Expr::Literal(Literal::String(s))),
            Tok::Temporal(t) => Ok(Expr::Literal(Literal::Temporal(
                t.strip_prefix('T').unwrap_or(&t).to_string(),
            ))),
            Tok::Var(v) => Ok(Expr::Var(v)),
            Tok::Special(s) if s == "this" => Ok(Expr::This),
            Tok::Special(s) => Err(ParseError::new(format!("`${s}` is not supported"), at)),
            Tok::Ident(name) => match name.as_str() {
                "true" => Ok(Expr::Literal(Literal::Bool(true))),
                "false" => Ok(Expr::Literal(Literal::Bool(false))),
                _ => self.member_or_call(None, name, at),
            },
            Tok::Punct("(") => {
                let e = self.expr(0)?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Punct("{") => {
                self.expect("}")?;
                Ok(Expr::Literal(Literal::Empty))
            }
            other => Err(ParseError::new(
                format!("unexpected {}", describe(&other)),
                at,
            )),
        }
    }

    fn member_or_call(
        &mut self,
        base: Option<Box<Expr>>,
        name: String,
        at: usize,
    ) -> Result<Expr, ParseError> {
        if !self.eat("(") {
            return Ok(Expr::Member(base, name));
        }
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.expr(0)?);
                if self.eat(")") {
                    break;
                }
                self.expect(",")?;
            }
        }
        let func = resolve(&name, &mut args, at)?;
        Ok(Expr::Call(base, func, args))
    }
}

fn number_literal(n: &str, at: usize) -> Result<Expr, ParseError> {
    if n.contains('.') {
        return Ok(Expr::Literal(Literal::Decimal(n.to_string())));
    }
    n.parse::<i64>()
        .map(|v| Expr::Literal(Literal::Integer(v)))
        .map_err(|_| ParseError::new(format!("integer {n} out of range"), at))
}

/// A type specifier argument (`Quantity`, `FHIR.Patient`): its last name.
fn type_name(arg: &Expr) -> Option<String> {
    match arg {
        Expr::Member(_, name) => Some(name.clone()),
        _ => None,
    }
}

/// Resolves a function by name and checks its argument count. Type-specifier arguments are
/// moved into the [`Func`].
fn resolve(name: &str, args: &mut Vec<Expr>, at: usize) -> Result<Func, ParseError> {
    let (func, min, max) = match name {
        "where" => (Func::Where, 1, 1),
        "exists" => (Func::Exists, 0, 1),
        "empty" => (Func::Empty, 0, 0),
        "first" => (Func::First, 0, 0),
        "last" => (Func::Last, 0, 0),
        "count" => (Func::Count, 0, 0),
        "not" => (Func::Not, 0, 0),
        "extension" => (Func::Extension, 1, 1),
        "join" => (Func::Join, 0, 1),
        "getResourceKey" => (Func::GetResourceKey, 0, 0),
        "lowBoundary" => (Func::LowBoundary, 0, 1),
        "highBoundary" => (Func::HighBoundary, 0, 1),
        "repeat" => (Func::Repeat, 1, 1),
        "select" => (Func::Select, 1, 1),
        "toString" => (Func::ToString, 0, 0),
        "iif" => (Func::Iif, 2, 3),
        "startsWith" => (Func::StartsWith, 1, 1),
        "endsWith" => (Func::EndsWith, 1, 1),
        "contains" => (Func::ContainsText, 1, 1),
        "length" => (Func::Length, 0, 0),
        "substring" => (Func::Substring, 1, 2),
        "upper" => (Func::Upper, 0, 0),
        "lower" => (Func::Lower, 0, 0),
        "hasValue" => (Func::HasValue, 0, 0),
        "single" => (Func::Single, 0, 0),
        "distinct" => (Func::Distinct, 0, 0),
        "skip" => (Func::Skip, 1, 1),
        "take" => (Func::Take, 1, 1),
        "tail" => (Func::Tail, 0, 0),
        "ofType" | "getReferenceKey" | "is" | "as" => {
            let ty =
                match args.as_slice() {
                    [] if name == "getReferenceKey" => None,
                    [a] => Some(type_name(a).ok_or_else(|| {
                        ParseError::new(format!("{name}() takes a type name"), at)
                    })?),
                    _ => return Err(arity(name, at)),
                };
            args.clear();
            return Ok(match (name, ty) {
                ("ofType", Some(t)) => Func::OfType(t),
                ("is", Some(t)) => Func::Is(t),
                ("as", Some(t)) => Func::As(t),
                (_, t) => Func::GetReferenceKey(t),
            });
        }
        _ => {
            return Err(ParseError {
                message: format!("unknown function `{name}`"),
                offset: at,
                unknown_function: Some(name.to_string()),
            })
        }
    };
    if args.len() < min || args.len() > max {
        return Err(arity(name, at));
    }
    Ok(func)
}

fn arity(name: &str, at: usize) -> ParseError {
    ParseError::new(format!("wrong number of arguments to {name}()"), at)
}
