//! The projection: which fields of a resource a view reads, computed from its paths.

use super::{Compiled, Iter, SelectPlan};
use crate::fhirpath::{BinOp, Expr, Func};
use crate::node::Fields;

/// A position in the trie: member names from the resource root.
type At = Vec<String>;

/// The fields `root` and `wheres` read, always with `resourceType` and `id`.
pub(super) fn fields(root: &SelectPlan, wheres: &[Compiled]) -> Fields {
    let mut f = Fields::default();
    f.child_mut("resourceType");
    f.child_mut("id");
    let top = vec![At::new()];
    for w in wheres {
        touch(&w.expr, &top, &mut f);
    }
    select(root, &top, &mut f);
    f
}

fn select(s: &SelectPlan, ctx: &[At], f: &mut Fields) {
    let focus = match &s.iter {
        Iter::Once => ctx.to_vec(),
        Iter::ForEach(e) | Iter::ForEachOrNull(e) => touch(&e.expr, ctx, f),
        Iter::Repeat(paths) => {
            let mut out = Vec::new();
            for p in paths {
                let reached = touch(&p.expr, ctx, f);
                reached.iter().for_each(|a| at_mut(f, a).all = true);
                out.extend(reached);
            }
            out
        }
    };
    for c in &s.columns {
        for a in touch(&c.expr.expr, &focus, f) {
            // A column may output a complex element as JSON: keep it whole.
            at_mut(f, &a).all = true;
        }
    }
    for sub in s.selects.iter().chain(&s.union) {
        select(sub, &focus, f);
    }
}

fn at_mut<'f>(f: &'f mut Fields, at: &[String]) -> &'f mut Fields {
    at.iter().fold(f, |f, name| f.child_mut(name))
}

fn extend(ctx: &[At], name: &str, f: &mut Fields) -> Vec<At> {
    ctx.iter()
        .map(|a| {
            let mut a = a.clone();
            a.push(name.to_string());
            at_mut(f, &a);
            a
        })
        .collect()
}

/// Records what `e` reads when evaluated on `ctx`; returns where its result items are (empty
/// for computed values).
fn touch(e: &Expr, ctx: &[At], f: &mut Fields) -> Vec<At> {
    match e {
        Expr::Literal(_) => Vec::new(),
        Expr::This => ctx.to_vec(),
        Expr::Var(v) if matches!(v.as_str(), "resource" | "rootResource" | "context") => {
            at_mut(f, &[]).all = true;
            vec![At::new()]
        }
        Expr::Var(_) => Vec::new(),
        Expr::Member(base, name) => {
            let input = base
                .as_ref()
                .map_or_else(|| ctx.to_vec(), |b| touch(b, ctx, f));
            extend(&input, name, f)
        }
        Expr::Call(base, func, args) => {
            let input = base
                .as_ref()
                .map_or_else(|| ctx.to_vec(), |b| touch(b, ctx, f));
            call(func, args, input, ctx, f)
        }
        Expr::Index(a, i) => {
            touch(i, ctx, f);
            touch(a, ctx, f)
        }
        Expr::Neg(a) => touch(a, ctx, f),
        Expr::Binary(op, a, b) => {
            let (x, y) = (touch(a, ctx, f), touch(b, ctx, f));
            if *op == BinOp::Union {
                return x.into_iter().chain(y).collect();
            }
            // Equality may compare complex elements: keep both sides whole.
            for at in x.iter().chain(&y) {
                at_mut(f, at).all = true;
            }
            Vec::new()
        }
    }
}

fn call(func: &Func, args: &[Expr], input: Vec<At>, ctx: &[At], f: &mut Fields) -> Vec<At> {
    match func {
        Func::Where => {
            touch(&args[0], &input, f);
            input
        }
        Func::Exists | Func::Select => {
            let r = args
                .first()
                .map(|a| touch(a, &input, f))
                .unwrap_or_default();
            if matches!(func, Func::Select) {
                r
            } else {
                Vec::new()
            }
        }
        Func::First
        | Func::Last
        | Func::OfType(_)
        | Func::As(_)
        | Func::Single
        | Func::Distinct
        | Func::Tail => input,
        Func::Skip | Func::Take => {
            args.iter().for_each(|a| drop(touch(a, ctx, f)));
            input
        }
        Func::Iif => {
            touch(&args[0], &input, f);
            args[1..].iter().flat_map(|a| touch(a, &input, f)).collect()
        }
        Func::Extension => {
            args.iter().for_each(|a| drop(touch(a, ctx, f)));
            let exts = extend(&input, "extension", f);
            extend(&exts, "url", f);
            exts
        }
        Func::GetResourceKey => {
            extend(&input, "id", f);
            Vec::new()
        }
        Func::GetReferenceKey(_) => {
            extend(&input, "reference", f);
            Vec::new()
        }
        Func::Repeat => {
            input.iter().for_each(|a| at_mut(f, a).all = true);
            Vec::new()
        }
        Func::Join => {
            args.iter().for_each(|a| drop(touch(a, ctx, f)));
            Vec::new()
        }
        Func::StartsWith | Func::EndsWith | Func::ContainsText | Func::Substring => {
            args.iter().for_each(|a| drop(touch(a, ctx, f)));
            input.iter().for_each(|a| at_mut(f, a).all = true);
            Vec::new()
        }
        Func::Empty
        | Func::Length
        | Func::Upper
        | Func::Lower
        | Func::HasValue
        | Func::Is(_)
        | Func::Count
        | Func::Not
        | Func::LowBoundary
        | Func::HighBoundary
        | Func::ToString => {
            // Their input is primitive or only counted: reaching it is enough, but a
            // primitive under a complex element must be there whole.
            input.iter().for_each(|a| at_mut(f, a).all = true);
            Vec::new()
        }
    }
}
