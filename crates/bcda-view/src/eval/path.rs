//! FHIRPath evaluation over [`Item`]s.

use std::borrow::Cow;

use super::boundary::{high_boundary, low_boundary};
use super::item::{format_decimal, format_scaled, item_eq, parse_scaled, prim_cmp, Item, Prim};
use crate::fhirpath::{BinOp, Expr, Func, Literal};
use crate::node::{key_matches, Node};
use crate::view::Constant;

/// A runtime error's message.
pub(crate) type Fail = String;

/// What an expression sees besides its focus.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Env<'n> {
    /// The view's constants.
    pub(crate) constants: &'n [(String, Constant)],
    /// `%rowIndex`.
    pub(crate) row_index: i64,
    /// The resource.
    pub(crate) root: &'n Node<'n>,
}

/// Evaluates `e` on `focus`.
pub(crate) fn eval<'n>(
    e: &'n Expr,
    focus: &[Item<'n>],
    env: &Env<'n>,
) -> Result<Vec<Item<'n>>, Fail> {
    Ok(match e {
        Expr::Literal(l) => literal(l),
        Expr::This => focus.to_vec(),
        Expr::Var(name) => variable(name, env)?,
        Expr::Member(base, name) => {
            let input = input(base, focus, env)?;
            let mut out = Vec::new();
            for item in input.iter() {
                member(item, name, &mut out);
            }
            out
        }
        Expr::Call(base, func, args) => {
            let input = input(base, focus, env)?;
            call(func, args, &input, focus, env)?
        }
        Expr::Index(base, index) => {
            let items = eval(base, focus, env)?;
            let i = eval(index, focus, env)?;
            match single(&i, "an indexer")?.and_then(|i| i.prim()) {
                Some(Prim::Int(i)) if i >= 0 => {
                    items.into_iter().nth(i as usize).into_iter().collect()
                }
                Some(Prim::Int(_)) | None => Vec::new(),
                Some(_) => return Err("an indexer must be an integer".to_string()),
            }
        }
        Expr::Neg(a) => {
            let v = eval(a, focus, env)?;
            match single(&v, "unary -")?.and_then(|i| i.prim()) {
                None => Vec::new(),
                Some(Prim::Int(i)) => vec![Item::Int(-i)],
                Some(Prim::Dec(d)) => vec![Item::Dec(Cow::Owned(match d.strip_prefix('-') {
                    Some(p) => p.to_string(),
                    None => format!("-{d}"),
                }))],
                Some(_) => return Err("unary - on a non-number".to_string()),
            }
        }
        Expr::Binary(op, a, b) => binary(*op, eval(a, focus, env)?, eval(b, focus, env)?)?,
    })
}

/// The input of a member or call: its base's result, or the focus itself (not copied).
fn input<'f, 'n>(
    base: &'n Option<Box<Expr>>,
    focus: &'f [Item<'n>],
    env: &Env<'n>,
) -> Result<Cow<'f, [Item<'n>]>, Fail> {
    match base {
        Some(b) => eval(b, focus, env).map(Cow::Owned),
        None => Ok(Cow::Borrowed(focus)),
    }
}

fn literal<'n>(l: &'n Literal) -> Vec<Item<'n>> {
    vec![match l {
        Literal::Empty => return Vec::new(),
        Literal::Bool(b) => Item::Bool(*b),
        Literal::Integer(i) => Item::Int(*i),
        Literal::Decimal(d) => Item::Dec(Cow::Borrowed(d)),
        Literal::String(s) | Literal::Temporal(s) => Item::Str(Cow::Borrowed(s)),
    }]
}

fn variable<'n>(name: &str, env: &Env<'n>) -> Result<Vec<Item<'n>>, Fail> {
    if name == "rowIndex" {
        return Ok(vec![Item::Int(env.row_index)]);
    }
    if matches!(name, "resource" | "rootResource" | "context") {
        return Ok(vec![Item::Node(env.root, None)]);
    }
    let c = env
        .constants
        .iter()
        .find(|(n, _)| n == name)
        .ok_or_else(|| format!("undefined constant %{name}"))?;
    Ok(vec![c.1.item()])
}

/// Pushes the children `name` of `item` (arrays flattened, nulls dropped).
pub(crate) fn member<'n>(item: &Item<'n>, name: &str, out: &mut Vec<Item<'n>>) {
    let Item::Node(node, _) = item else {
        return;
    };
    let Node::Object(members) = **node else {
        return;
    };
    if name.starts_with(|c: char| c.is_ascii_uppercase())
        && item
            .member("resourceType")
            .is_some_and(|t| *t == Node::String(name))
    {
        out.push(item.clone());
        return;
    }
    for (k, v) in members {
        if !key_matches(k, name) {
            continue;
        }
        let ty = (k.len() > name.len()).then(|| &k[name.len()..]);
        match *v {
            Node::Array(items) => out.extend(
                items
                    .iter()
                    .filter(|v| !matches!(v, Node::Null))
                    .map(|v| Item::Node(v, ty)),
            ),
            Node::Null => {}
            _ => out.push(Item::Node(v, ty)),
        }
    }
}

/// At most one item: `None` for an empty collection, an error for more than one.
pub(crate) fn single<'a, 'n>(v: &'a [Item<'n>], what: &str) -> Result<Option<&'a Item<'n>>, Fail> {
    match v {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(format!("{what} expects a single item, got {}", v.len())),
    }
}

/// A singleton boolean: `None` when empty; an error for anything else.
pub(crate) fn boolean(v: &[Item<'_>], what: &str) -> Result<Option<bool>, Fail> {
    match single(v, what)? {
        None => Ok(None),
        Some(i) => match i.prim() {
            Some(Prim::Bool(b)) => Ok(Some(b)),
            _ => Err(format!("{what} is not a boolean")),
        },
    }
}

fn call<'n>(
    func: &'n Func,
    args: &'n [Expr],
    input: &[Item<'n>],
    focus: &[Item<'n>],
    env: &Env<'n>,
) -> Result<Vec<Item<'n>>, Fail> {
    let b = |v: bool| Ok(vec![Item::Bool(v)]);
    match func {
        Func::Where => filter(&args[0], input, env),
        Func::Exists => match args.first() {
            Some(c) => b(!filter(c, input, env)?.is_empty()),
            None => b(!input.is_empty()),
        },
        Func::Empty => b(input.is_empty()),
        Func::First => Ok(input.iter().take(1).cloned().collect()),
        Func::Last => Ok(input.last().cloned().into_iter().collect()),
        Func::Count => Ok(vec![Item::Int(input.len() as i64)]),
        Func::Not => match boolean(input, "not()")? {
            Some(v) => b(!v),
            None => Ok(Vec::new()),
        },
        Func::Extension => extension(&args[0], input, focus, env),
        Func::OfType(t) => Ok(input
            .iter()
            .filter(|i| i.type_name().is_some_and(|n| type_eq(n, t)) || is_resource(i, t))
            .cloned()
            .collect()),
        Func::Join => join(args.first(), input, focus, env),
        Func::GetResourceKey => Ok(input
            .iter()
            .filter_map(|i| match i.member("id") {
                Some(Node::String(s)) => Some(Item::Str(Cow::Borrowed(s))),
                _ => None,
            })
            .collect()),
        Func::GetReferenceKey(ty) => Ok(input
            .iter()
            .filter_map(|i| reference_key(i, ty.as_deref()))
            .collect()),
        Func::LowBoundary | Func::HighBoundary => {
            let Some(item) = single(input, "a boundary function")? else {
                return Ok(Vec::new());
            };
            let low = matches!(func, Func::LowBoundary);
            Ok(if low {
                low_boundary(item)
            } else {
                high_boundary(item)
            }
            .into_iter()
            .collect())
        }
        Func::Repeat => repeat(&args[0], input, env),
        Func::Select => {
            let mut out = Vec::new();
            for item in input {
                out.extend(eval(&args[0], std::slice::from_ref(item), env)?);
            }
            Ok(out)
        }
        Func::Iif
        | Func::StartsWith
        | Func::EndsWith
        | Func::ContainsText
        | Func::Length
        | Func::Substring
        | Func::Upper
        | Func::Lower => super::more::text_or_iif(func, args, input, focus, env),
        Func::HasValue
        | Func::Single
        | Func::Distinct
        | Func::Skip
        | Func::Take
        | Func::Tail
        | Func::Is(_)
        | Func::As(_) => super::more::subset(func, args, input, focus, env),
        Func::ToString => Ok(match single(input, "toString()")?.and_then(Item::prim) {
            None => Vec::new(),
            Some(p) => vec![Item::Str(Cow::Owned(prim_text(p)))],
        }),
    }
}

/// `extension(url)`: the extensions of the input items with that url.
fn extension<'n>(
    url: &'n Expr,
    input: &[Item<'n>],
    focus: &[Item<'n>],
    env: &Env<'n>,
) -> Result<Vec<Item<'n>>, Fail> {
    let url = eval(url, focus, env)?;
    let url = single(&url, "extension(url)")?
        .and_then(Item::as_str)
        .unwrap_or("");
    let mut exts = Vec::new();
    input.iter().for_each(|i| member(i, "extension", &mut exts));
    exts.retain(|e| matches!(e.member("url"), Some(Node::String(u)) if *u == url));
    Ok(exts)
}

/// `join([separator])` on strings.
fn join<'n>(
    sep: Option<&'n Expr>,
    input: &[Item<'n>],
    focus: &[Item<'n>],
    env: &Env<'n>,
) -> Result<Vec<Item<'n>>, Fail> {
    let sep = match sep {
        Some(a) => {
            let s = eval(a, focus, env)?;
            single(&s, "join(separator)")?
                .and_then(Item::as_str)
                .unwrap_or("")
                .to_string()
        }
        None => String::new(),
    };
    let parts: Result<Vec<&str>, Fail> = input
        .iter()
        .map(|i| {
            i.as_str()
                .ok_or_else(|| "join() on a non-string".to_string())
        })
        .collect();
    Ok(vec![Item::Str(Cow::Owned(parts?.join(&sep)))])
}

/// `repeat(expression)`: `expression` applied to the input, then to its results, until
/// nothing new comes (a resource is a tree: no cycles).
fn repeat<'n>(e: &'n Expr, input: &[Item<'n>], env: &Env<'n>) -> Result<Vec<Item<'n>>, Fail> {
    let mut out = Vec::new();
    let mut level = input.to_vec();
    while !level.is_empty() {
        let mut next = Vec::new();
        for item in &level {
            next.extend(eval(e, std::slice::from_ref(item), env)?);
        }
        out.extend(next.iter().cloned());
        level = next;
    }
    Ok(out)
}

/// `where(criteria)`: the items for which `criteria` is true; an error when it is not a
/// boolean.
fn filter<'n>(c: &'n Expr, input: &[Item<'n>], env: &Env<'n>) -> Result<Vec<Item<'n>>, Fail> {
    let mut out = Vec::new();
    for item in input {
        let r = eval(c, std::slice::from_ref(item), env)?;
        if boolean(&r, "the where() criteria")? == Some(true) {
            out.push(item.clone());
        }
    }
    Ok(out)
}

/// Type names match ignoring the case of the first letter (`boolean` / `Boolean` from a
/// choice member `deceasedBoolean`).
pub(crate) fn type_eq(have: &str, want: &str) -> bool {
    let want = want.rsplit('.').next().unwrap_or(want);
    let (mut a, mut b) = (have.chars(), want.chars());
    match (a.next(), b.next()) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(&y) && a.as_str() == b.as_str(),
        _ => false,
    }
}

pub(crate) fn is_resource(item: &Item<'_>, ty: &str) -> bool {
    matches!(item.member("resourceType"), Some(Node::String(t)) if *t == ty)
}

/// `Type/id` (or `.../Type/id/_history/v`) of a Reference item: the id, when the type
/// matches `ty`.
fn reference_key<'n>(item: &Item<'n>, ty: Option<&str>) -> Option<Item<'n>> {
    let Some(Node::String(r)) = item.member("reference") else {
        return None;
    };
    let r: &'n str = r;
    let r = r.split("/_history/").next().unwrap_or(r);
    let mut parts = r.rsplit('/');
    let id = parts.next()?;
    let rtype = parts.next();
    if let Some(ty) = ty {
        if rtype != Some(ty) {
            return None;
        }
    }
    Some(Item::Str(Cow::Borrowed(id)))
}

pub(crate) fn prim_text(p: Prim<'_>) -> String {
    match p {
        Prim::Bool(b) => b.to_string(),
        Prim::Int(i) => i.to_string(),
        Prim::Dec(d) | Prim::Str(d) => d.to_string(),
    }
}

fn binary<'n>(op: BinOp, a: Vec<Item<'n>>, b: Vec<Item<'n>>) -> Result<Vec<Item<'n>>, Fail> {
    use BinOp::*;
    let bool_out = |v: Option<bool>| Ok(v.map(Item::Bool).into_iter().collect());
    match op {
        And | Or | Xor | Implies => {
            let (x, y) = (
                boolean(&a, "an operand of and/or")?,
                boolean(&b, "an operand of and/or")?,
            );
            bool_out(logic(op, x, y))
        }
        Union => {
            let mut out: Vec<Item<'n>> = Vec::with_capacity(a.len() + b.len());
            for item in a.into_iter().chain(b) {
                if !out.iter().any(|o| item_eq(o, &item) == Some(true)) {
                    out.push(item);
                }
            }
            Ok(out)
        }
        Eq | Ne | Equiv | NotEquiv => {
            if matches!(op, Eq | Ne) && (a.is_empty() || b.is_empty()) {
                return Ok(Vec::new());
            }
            let same =
                a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| item_eq(x, y) == Some(true));
            bool_out(Some(same == matches!(op, Eq | Equiv)))
        }
        Lt | Le | Gt | Ge => {
            let (Some(x), Some(y)) = (single(&a, "a comparison")?, single(&b, "a comparison")?)
            else {
                return Ok(Vec::new());
            };
            let (Some(x), Some(y)) = (x.prim(), y.prim()) else {
                return Err("comparison of complex values".to_string());
            };
            let ord = prim_cmp(x, y).ok_or("comparison of values of different types")?;
            bool_out(Some(match op {
                Lt => ord.is_lt(),
                Le => ord.is_le(),
                Gt => ord.is_gt(),
                _ => ord.is_ge(),
            }))
        }
        Concat => {
            let text = |v: &[Item<'_>]| -> Result<String, Fail> {
                Ok(single(v, "&")?
                    .and_then(Item::as_str)
                    .unwrap_or("")
                    .to_string())
            };
            Ok(vec![Item::Str(Cow::Owned(text(&a)? + &text(&b)?))])
        }
        Add | Sub | Mul | Div | IntDiv | Mod => arithmetic(op, &a, &b),
        In | Contains => {
            let (needle, hay) = if op == In { (&a, &b) } else { (&b, &a) };
            let Some(n) = single(needle, "in / contains")? else {
                return Ok(Vec::new());
            };
            bool_out(Some(hay.iter().any(|h| item_eq(h, n) == Some(true))))
        }
    }
}

fn logic(op: BinOp, x: Option<bool>, y: Option<bool>) -> Option<bool> {
    match op {
        BinOp::And => match (x, y) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        BinOp::Or => match (x, y) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        BinOp::Xor => Some(x? != y?),
        _ => match (x, y) {
            (Some(false), _) | (_, Some(true)) => Some(true),
            (Some(true), Some(false)) => Some(false),
            _ => None,
        },
    }
}

fn arithmetic<'n>(op: BinOp, a: &[Item<'n>], b: &[Item<'n>]) -> Result<Vec<Item<'n>>, Fail> {
    let (Some(x), Some(y)) = (single(a, "arithmetic")?, single(b, "arithmetic")?) else {
        return Ok(Vec::new());
    };
    let (Some(x), Some(y)) = (x.prim(), y.prim()) else {
        return Err("arithmetic on complex values".to_string());
    };
    if let (BinOp::Add, Prim::Str(s), Prim::Str(t)) = (op, x, y) {
        return Ok(vec![Item::Str(Cow::Owned(format!("{s}{t}")))]);
    }
    if let (Prim::Int(i), Prim::Int(j)) = (x, y) {
        let r = match op {
            BinOp::Add => i.checked_add(j),
            BinOp::Sub => i.checked_sub(j),
            BinOp::Mul => i.checked_mul(j),
            BinOp::IntDiv => i.checked_div(j),
            BinOp::Mod => i.checked_rem(j),
            _ => None,
        };
        if let Some(r) = r {
            return Ok(vec![Item::Int(r)]);
        }
        if !matches!(op, BinOp::Div) {
            return Ok(Vec::new());
        }
    }
    if let Some(exact) = exact_decimal(op, x, y) {
        return Ok(vec![Item::Dec(Cow::Owned(exact))]);
    }
    let (Some(p), Some(q)) = (x.number(), y.number()) else {
        return Err("arithmetic on a non-number".to_string());
    };
    let r = match op {
        BinOp::Add => p + q,
        BinOp::Sub => p - q,
        BinOp::Mul => p * q,
        BinOp::Div if q == 0.0 => return Ok(Vec::new()),
        BinOp::Div => p / q,
        BinOp::IntDiv if q == 0.0 => return Ok(Vec::new()),
        BinOp::IntDiv => return Ok(vec![Item::Int((p / q).trunc() as i64)]),
        _ => p % q,
    };
    Ok(vec![Item::Dec(Cow::Owned(format_decimal(r)))])
}

/// `+ - *` on decimals, exactly (scaled integers); `None` for other operators, non-numbers
/// or beyond 38 digits (then the caller falls back to f64).
fn exact_decimal(op: BinOp, x: Prim<'_>, y: Prim<'_>) -> Option<String> {
    let scaled = |p: Prim<'_>| match p {
        Prim::Int(i) => Some((i128::from(i), 0)),
        Prim::Dec(d) => parse_scaled(d),
        _ => None,
    };
    let ((a, sa), (b, sb)) = (scaled(x)?, scaled(y)?);
    let widen = |m: i128, by: u32| m.checked_mul(10i128.checked_pow(by)?);
    let (m, scale) = match op {
        BinOp::Add | BinOp::Sub => {
            let scale = sa.max(sb);
            let (a, b) = (widen(a, scale - sa)?, widen(b, scale - sb)?);
            let m = if op == BinOp::Add {
                a.checked_add(b)?
            } else {
                a.checked_sub(b)?
            };
            (m, scale)
        }
        BinOp::Mul => (a.checked_mul(b)?, sa + sb),
        _ => return None,
    };
    Some(format_scaled(m, scale))
}
