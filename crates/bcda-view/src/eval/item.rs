//! FHIRPath values during evaluation.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::node::Node;

/// One item of a FHIRPath collection.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item<'n> {
    /// An element of the resource, with its choice type when it was reached through a choice
    /// member (`valueQuantity` gives `Quantity`).
    Node(&'n Node<'n>, Option<&'n str>),
    /// A boolean computed or literal.
    Bool(bool),
    /// An integer computed or literal.
    Int(i64),
    /// A decimal computed or literal, as text.
    Dec(Cow<'n, str>),
    /// A string (or date / time) computed or literal.
    Str(Cow<'n, str>),
}

/// A primitive view of an item, for comparisons and arithmetic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Prim<'x> {
    Bool(bool),
    Int(i64),
    /// A decimal: its text (exact) and value.
    Dec(&'x str),
    Str(&'x str),
}

fn is_integer_text(n: &str) -> bool {
    !n.contains(['.', 'e', 'E'])
}

impl<'n> Item<'n> {
    /// The primitive value, or `None` for a complex element.
    pub(crate) fn prim(&self) -> Option<Prim<'_>> {
        Some(match self {
            Item::Node(Node::String(s), _) => Prim::Str(s),
            Item::Node(Node::Bool(b), _) => Prim::Bool(*b),
            Item::Node(Node::Number(n), _) => match n.parse::<i64>() {
                Ok(i) if is_integer_text(n) => Prim::Int(i),
                _ => Prim::Dec(n),
            },
            Item::Node(..) => return None,
            Item::Bool(b) => Prim::Bool(*b),
            Item::Int(i) => Prim::Int(*i),
            Item::Dec(d) => Prim::Dec(d),
            Item::Str(s) => Prim::Str(s),
        })
    }

    /// The item's FHIR type name when known (`boolean`, `Quantity`, ...).
    pub(crate) fn type_name(&self) -> Option<&str> {
        if let Item::Node(_, Some(t)) = self {
            return Some(t);
        }
        Some(match self {
            Item::Node(Node::Object(_), _) => return None,
            _ => match self.prim()? {
                Prim::Bool(_) => "boolean",
                Prim::Int(_) => "integer",
                Prim::Dec(_) => "decimal",
                Prim::Str(_) => "string",
            },
        })
    }

    /// A string item's text.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self.prim()? {
            Prim::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The member `name` of an object item (not flattened).
    pub(crate) fn member(&self, name: &str) -> Option<&'n Node<'n>> {
        match self {
            Item::Node(Node::Object(members), _) => {
                members.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
            }
            _ => None,
        }
    }
}

impl Prim<'_> {
    /// The numeric value of a number.
    pub(crate) fn number(&self) -> Option<f64> {
        match self {
            Prim::Int(i) => Some(*i as f64),
            Prim::Dec(d) => d.parse().ok(),
            _ => None,
        }
    }
}

/// FHIRPath `=` on two primitives: `None` when they cannot be compared (different kinds).
pub(crate) fn prim_eq(a: Prim<'_>, b: Prim<'_>) -> Option<bool> {
    match (a, b) {
        (Prim::Bool(x), Prim::Bool(y)) => Some(x == y),
        (Prim::Str(x), Prim::Str(y)) => Some(x == y),
        (Prim::Int(x), Prim::Int(y)) => Some(x == y),
        _ => Some(a.number()? == b.number()?),
    }
}

/// FHIRPath ordering of two primitives.
pub(crate) fn prim_cmp(a: Prim<'_>, b: Prim<'_>) -> Option<Ordering> {
    match (a, b) {
        (Prim::Str(x), Prim::Str(y)) => Some(x.cmp(y)),
        (Prim::Int(x), Prim::Int(y)) => Some(x.cmp(&y)),
        _ => a.number()?.partial_cmp(&b.number()?),
    }
}

/// Equality of two items (complex elements compare structurally).
pub(crate) fn item_eq(a: &Item<'_>, b: &Item<'_>) -> Option<bool> {
    match (a.prim(), b.prim()) {
        (Some(x), Some(y)) => prim_eq(x, y),
        (None, None) => match (a, b) {
            (Item::Node(x, _), Item::Node(y, _)) => Some(x == y),
            _ => Some(false),
        },
        _ => Some(false),
    }
}

/// Formats an f64 result of decimal arithmetic.
pub(crate) fn format_decimal(v: f64) -> String {
    if v.is_finite() && v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A decimal's digits as an integer and the number of fraction digits (`-1.50` is
/// `(-150, 2)`); `None` for exponents or more than 38 digits.
pub(crate) fn parse_scaled(d: &str) -> Option<(i128, u32)> {
    let (neg, digits) = match d.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, d.strip_prefix('+').unwrap_or(d)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut m: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        m = m.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    Some((if neg { -m } else { m }, u32::try_from(frac.len()).ok()?))
}

/// The text of `m / 10^scale`, keeping `scale` fraction digits (`(150, 2)` is `1.50`).
pub(crate) fn format_scaled(m: i128, scale: u32) -> String {
    let digits = m.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - scale);
    let sign = if m < 0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}
