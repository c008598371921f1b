//! Semantic JSON comparison for round-trip checks: same members and values, member order
//! ignored, numbers compared by their exact text.

use super::reader::{Kind, Reader, SyntaxError};
use std::borrow::Cow;

/// A JSON value with numbers kept as text (for comparisons only).
#[derive(Debug, Clone, PartialEq)]
pub enum Tree<'a> {
    /// `null`
    Null,
    /// `true`/`false`
    Bool(bool),
    /// A number's text.
    Number(&'a str),
    /// A string.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Tree<'a>>),
    /// An object, members sorted by key.
    Object(Vec<(Cow<'a, str>, Tree<'a>)>),
}

impl<'a> Tree<'a> {
    /// Parses a complete JSON text.
    pub fn parse(text: &'a str) -> Result<Self, SyntaxError> {
        let mut r = Reader::new(text);
        let t = Self::read(&mut r)?;
        r.finish()?;
        Ok(t)
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, SyntaxError> {
        Ok(match r.peek()? {
            Kind::Null => {
                r.null()?;
                Tree::Null
            }
            Kind::Bool => Tree::Bool(r.boolean()?),
            Kind::Number => Tree::Number(r.number()?),
            Kind::String => Tree::String(r.string()?),
            Kind::Array => {
                r.enter()?;
                let mut v = Vec::new();
                if r.begin_array()? {
                    loop {
                        v.push(Self::read(r)?);
                        if !r.next_element()? {
                            break;
                        }
                    }
                }
                r.leave();
                Tree::Array(v)
            }
            Kind::Object => {
                r.enter()?;
                let mut v = Vec::new();
                if r.begin_object()? {
                    let mut k = Some(r.first_key()?);
                    while let Some(key) = k {
                        v.push((key, Self::read(r)?));
                        k = r.next_key()?;
                    }
                }
                r.leave();
                v.sort_by(|a, b| a.0.cmp(&b.0));
                Tree::Object(v)
            }
        })
    }
}

/// Compares two JSON texts; returns the path of the first difference, or `None` when equal.
pub fn first_difference(expected: &str, actual: &str) -> Result<Option<String>, SyntaxError> {
    let a = Tree::parse(expected)?;
    let b = Tree::parse(actual)?;
    Ok(diff(&a, &b, "$"))
}

fn diff(a: &Tree<'_>, b: &Tree<'_>, path: &str) -> Option<String> {
    match (a, b) {
        (Tree::Object(x), Tree::Object(y)) => {
            let (mut i, mut j) = (0, 0);
            while i < x.len() || j < y.len() {
                match (x.get(i), y.get(j)) {
                    (Some((ka, va)), Some((kb, vb))) if ka == kb => {
                        if let Some(d) = diff(va, vb, &format!("{path}.{ka}")) {
                            return Some(d);
                        }
                        i += 1;
                        j += 1;
                    }
                    (Some((ka, _)), Some((kb, _))) if ka < kb => {
                        return Some(format!("{path}.{ka} (missing)"))
                    }
                    (Some(_), Some((kb, _))) => return Some(format!("{path}.{kb} (added)")),
                    (Some((ka, _)), None) => return Some(format!("{path}.{ka} (missing)")),
                    (None, Some((kb, _))) => return Some(format!("{path}.{kb} (added)")),
                    (None, None) => break,
                }
            }
            None
        }
        (Tree::Array(x), Tree::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!("{path} (length {} vs {})", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (p, q))| diff(p, q, &format!("{path}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(path.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_insensitive_number_exact() {
        assert_eq!(
            first_difference(r#"{"a":1.50,"b":[1,2]}"#, r#"{"b":[1,2],"a":1.50}"#).unwrap(),
            None
        );
        assert_eq!(
            first_difference(r#"{"a":1.50}"#, r#"{"a":1.5}"#)
                .unwrap()
                .as_deref(),
            Some("$.a")
        );
        assert_eq!(
            first_difference(r#"{"a":1}"#, r#"{"a":1,"b":2}"#)
                .unwrap()
                .as_deref(),
            Some("$.b (added)")
        );
        assert_eq!(
            first_difference(r#"{"s":"\u00e9"}"#, r#"{"s":"é"}"#).unwrap(),
            None
        );
    }
}
