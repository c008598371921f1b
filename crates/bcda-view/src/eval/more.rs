//! The FHIRPath functions beyond what the conformance suite needs: string functions, `iif`,
//! subsetting (`single`, `distinct`, `skip`, `take`, `tail`) and type tests (`is`, `as`).

use std::borrow::Cow;

use super::item::{item_eq, Item, Prim};
use super::path::{boolean, eval, is_resource, single, type_eq, Env, Fail};
use crate::fhirpath::{Expr, Func};

fn one_str<'a>(v: &'a [Item<'_>], what: &str) -> Result<Option<&'a str>, Fail> {
    match single(v, what)? {
        None => Ok(None),
        Some(i) => i
            .as_str()
            .map(Some)
            .ok_or_else(|| format!("{what} expects a string")),
    }
}

fn one_int(v: &[Item<'_>], what: &str) -> Result<Option<i64>, Fail> {
    match single(v, what)?.and_then(Item::prim) {
        None => Ok(None),
        Some(Prim::Int(i)) => Ok(Some(i)),
        Some(_) => Err(format!("{what} expects an integer")),
    }
}

/// `iif` and the string functions.
pub(super) fn text_or_iif<'n>(
    func: &Func,
    args: &'n [Expr],
    input: &[Item<'n>],
    focus: &[Item<'n>],
    env: &Env<'n>,
) -> Result<Vec<Item<'n>>, Fail> {
    if let Func::Iif = func {
        let c = eval(&args[0], input, env)?;
        return match (boolean(&c, "the iif() criterion")?, args.get(2)) {
            (Some(true), _) => eval(&args[1], input, env),
            (_, Some(otherwise)) => eval(otherwise, input, env),
            (_, None) => Ok(Vec::new()),
        };
    }
    let Some(s) = one_str(input, "a string function")? else {
        return Ok(Vec::new());
    };
    let arg = |i: usize| -> Result<Vec<Item<'n>>, Fail> { eval(&args[i], focus, env) };
    let text = |t: String| Ok(vec![Item::Str(Cow::Owned(t))]);
    let b = |v: bool| Ok(vec![Item::Bool(v)]);
    match func {
        Func::StartsWith | Func::EndsWith | Func::ContainsText => {
            let a = arg(0)?;
            let Some(p) = one_str(&a, "a string function argument")? else {
                return Ok(Vec::new());
            };
            b(match func {
                Func::StartsWith => s.starts_with(p),
                Func::EndsWith => s.ends_with(p),
                _ => s.contains(p),
            })
        }
        Func::Length => Ok(vec![Item::Int(s.chars().count() as i64)]),
        Func::Upper => text(s.to_uppercase()),
        Func::Lower => text(s.to_lowercase()),
        _ => {
            let start = one_int(&arg(0)?, "substring(start)")?;
            let len = match args.get(1) {
                Some(_) => one_int(&arg(1)?, "substring(length)")?,
                None => None,
            };
            let Some(start) = start.filter(|&st| st >= 0 && (st as usize) < s.chars().count())
            else {
                return Ok(Vec::new());
            };
            let chars = s.chars().skip(start as usize);
            text(match len {
                Some(l) => chars.take(l.max(0) as usize).collect(),
                None => chars.collect(),
            })
        }
    }
}

/// `hasValue`, `single`, `distinct`, `skip`, `take`, `tail`, `is`, `as`.
pub(super) fn subset<'n>(
    func: &Func,
    args: &'n [Expr],
    input: &[Item<'n>],
    focus: &[Item<'n>],
    env: &Env<'n>,
) -> Result<Vec<Item<'n>>, Fail> {
    let count = |what: &str| -> Result<usize, Fail> {
        let n = eval(&args[0], focus, env)?;
        Ok(one_int(&n, what)?.unwrap_or(0).max(0) as usize)
    };
    let is =
        |i: &Item<'_>, t: &str| i.type_name().is_some_and(|n| type_eq(n, t)) || is_resource(i, t);
    Ok(match func {
        Func::HasValue => vec![Item::Bool(matches!(input, [i] if i.prim().is_some()))],
        Func::Single => single(input, "single()")?.cloned().into_iter().collect(),
        Func::Distinct => {
            let mut out: Vec<Item<'n>> = Vec::new();
            for i in input {
                if !out.iter().any(|o| item_eq(o, i) == Some(true)) {
                    out.push(i.clone());
                }
            }
            out
        }
        Func::Skip => input.iter().skip(count("skip(n)")?).cloned().collect(),
        Func::Take => input.iter().take(count("take(n)")?).cloned().collect(),
        Func::Tail => input.iter().skip(1).cloned().collect(),
        Func::Is(t) => match single(input, "is()")? {
            None => Vec::new(),
            Some(i) => vec![Item::Bool(is(i, t))],
        },
        Func::As(t) => match single(input, "as()")? {
            Some(i) if is(i, t) => vec![i.clone()],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    })
}
