//! The borrowed tree a view is evaluated on: only the fields the view touches (a [`Fields`]
//! trie compiled from its paths), with strings and numbers borrowed from the line.
//!
//! Two builders fill it: the fast lane walks `bcda-ndjson`'s structural index
//! ([`bcda_ndjson::scan`]), skipping untouched values token by token; lines it gives up on
//! (string escapes, for now) go through [`parse`], a small recursive-descent reader that
//! unescapes strings. Both keep numbers as their exact source text.

use std::borrow::Cow;

use bcda_ndjson::scan::{Cursor, Fast, Index};
use bumpalo::collections::Vec as BumpVec;
/// The arena a [`Node`] tree lives in (bumpalo's).
pub use bumpalo::Bump;

/// A JSON value: strings and numbers borrowed from the text, containers (and unescaped
/// strings) allocated in a per-line arena, so building a tree calls no allocator once the
/// arena has grown to a line's size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Node<'a> {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as its exact source text.
    Number(&'a str),
    /// A string (unescaped).
    String(&'a str),
    /// An array.
    Array(&'a [Node<'a>]),
    /// An object: its kept members, in source order.
    Object(&'a [(&'a str, Node<'a>)]),
}

/// The fields a view touches, as a trie of member names. A name also matches the choice
/// members it is the stem of (`value` matches `valueQuantity`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// Keep the whole value (every member, at every depth).
    pub all: bool,
    /// Kept members and what to keep inside them.
    pub children: Vec<(String, Fields)>,
}

/// The FHIR data types a choice element (`value[x]`) can take, as member suffixes.
const CHOICE_TYPES: &[&str] = &[
    "Base64Binary",
    "Boolean",
    "Canonical",
    "Code",
    "Date",
    "DateTime",
    "Decimal",
    "Id",
    "Instant",
    "Integer",
    "Integer64",
    "Markdown",
    "Oid",
    "PositiveInt",
    "String",
    "Time",
    "UnsignedInt",
    "Uri",
    "Url",
    "Uuid",
    "Address",
    "Age",
    "Annotation",
    "Attachment",
    "CodeableConcept",
    "CodeableReference",
    "Coding",
    "ContactDetail",
    "ContactPoint",
    "Contributor",
    "Count",
    "DataRequirement",
    "Distance",
    "Dosage",
    "Duration",
    "Expression",
    "HumanName",
    "Identifier",
    "Meta",
    "Money",
    "ParameterDefinition",
    "Period",
    "Quantity",
    "Range",
    "Ratio",
    "RatioRange",
    "Reference",
    "RelatedArtifact",
    "SampledData",
    "Signature",
    "Timing",
    "TriggerDefinition",
    "UsageContext",
];

/// Elements whose name is another element's name plus a type name, but are no choice.
const NOT_CHOICES: &[&str] = &["subscriberId"];

/// True when `key` is `name` or a choice member `name` + `Type`.
pub(crate) fn key_matches(key: &str, name: &str) -> bool {
    key_matches_bytes(key.as_bytes(), name.as_bytes())
}

/// [`key_matches`] on bytes (the fast lane's keys are not converted unless kept).
fn key_matches_bytes(key: &[u8], name: &[u8]) -> bool {
    // The first byte and the length rule most keys out before any slice comparison.
    if key.len() < name.len() || key.first() != name.first() || !key.starts_with(name) {
        return false;
    }
    if key.len() == name.len() {
        return true;
    }
    let suffix = &key[name.len()..];
    suffix[0].is_ascii_uppercase()
        && CHOICE_TYPES.iter().any(|t| t.as_bytes() == suffix)
        && !NOT_CHOICES.iter().any(|n| n.as_bytes() == key)
}

impl Fields {
    /// Everything.
    pub fn everything() -> Fields {
        Fields {
            all: true,
            children: Vec::new(),
        }
    }

    /// The child trie for `name`, created if absent.
    pub fn child_mut(&mut self, name: &str) -> &mut Fields {
        let at = match self.children.iter().position(|(n, _)| n == name) {
            Some(at) => at,
            None => {
                self.children.push((name.to_string(), Fields::default()));
                self.children.len() - 1
            }
        };
        &mut self.children[at].1
    }

    /// What to keep inside member `key`, or `None` to skip it. A key can match several
    /// stems (`value` and `valueQuantity`): their tries are merged.
    fn member(&self, key: &[u8]) -> Option<Cow<'_, Fields>> {
        if self.all {
            return Some(Cow::Borrowed(self));
        }
        let mut hits = self
            .children
            .iter()
            .filter(|(n, _)| key_matches_bytes(key, n.as_bytes()));
        let first = hits.next()?;
        let Some(second) = hits.next() else {
            return Some(Cow::Borrowed(&first.1));
        };
        let mut merged = first.1.clone();
        for f in std::iter::once(second).chain(hits) {
            merged.merge(&f.1);
        }
        Some(Cow::Owned(merged))
    }

    /// Adds everything `other` keeps.
    pub fn merge(&mut self, other: &Fields) {
        self.all |= other.all;
        for (n, f) in &other.children {
            self.child_mut(n).merge(f);
        }
    }
}

/// Builds the kept part of `line` with the structural index (reusing its scan when
/// [`Index::scan_line`] just read this line); `Err` when the fast lane gives up (escapes,
/// invalid JSON): use [`parse`] then.
pub fn build_fast<'a>(
    index: &mut Index,
    arena: &'a Bump,
    line: &'a [u8],
    fields: &Fields,
) -> Fast<Node<'a>> {
    // The work of `Index::scan_line` when the index just scanned this line, else a new scan.
    let text = index.line_str(line)?;
    let mut cursor = index.cursor(text);
    let node = fast_value(&mut cursor, arena, fields)?;
    if !cursor.at_end() {
        return Err(bcda_ndjson::scan::Bail);
    }
    Ok(node)
}

fn fast_value<'a>(c: &mut Cursor<'a, '_>, arena: &'a Bump, fields: &Fields) -> Fast<Node<'a>> {
    match c.peek()? {
        b'"' => Ok(Node::String(c.string()?)),
        b'{' => {
            let mut members = BumpVec::new_in(arena);
            c.object(|c, key| {
                match fields.member(key) {
                    Some(f) => {
                        let key = std::str::from_utf8(key).map_err(|_| bcda_ndjson::scan::Bail)?;
                        members.push((key, fast_value(c, arena, &f)?));
                    }
                    None => c.skip()?,
                }
                Ok(())
            })?;
            Ok(Node::Object(members.into_bump_slice()))
        }
        b'[' => {
            let mut items = BumpVec::new_in(arena);
            c.array(|c| {
                items.push(fast_value(c, arena, fields)?);
                Ok(())
            })?;
            Ok(Node::Array(items.into_bump_slice()))
        }
        _ => scalar(c.scalar()?).ok_or(bcda_ndjson::scan::Bail),
    }
}

fn scalar(s: &str) -> Option<Node<'_>> {
    Some(match s {
        "null" => Node::Null,
        "true" => Node::Bool(true),
        "false" => Node::Bool(false),
        n if n.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) => {
            Node::Number(n)
        }
        _ => return None,
    })
}

/// Reads the kept part of a JSON text with a small recursive-descent parser that handles
/// escapes. `None` on invalid JSON (the caller asks serde_json for the message).
pub fn parse<'a>(arena: &'a Bump, text: &'a str, fields: &Fields) -> Option<Node<'a>> {
    let mut r = Reader {
        s: text,
        i: 0,
        arena,
    };
    let node = r.value(fields, 0)?;
    r.ws();
    (r.i == text.len()).then_some(node)
}

struct Reader<'a> {
    s: &'a str,
    i: usize,
    arena: &'a Bump,
}

impl<'a> Reader<'a> {
    fn ws(&mut self) {
        let b = self.s.as_bytes();
        while self.i < b.len() && matches!(b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn byte(&mut self) -> Option<u8> {
        self.ws();
        self.s.as_bytes().get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.byte() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, fields: &Fields, depth: u32) -> Option<Node<'a>> {
        if depth > bcda_ndjson::scan::MAX_DEPTH {
            return None;
        }
        match self.byte()? {
            b'"' => self.string().map(Node::String),
            b'{' => self.object(fields, depth),
            b'[' => {
                self.i += 1;
                let mut items = BumpVec::new_in(self.arena);
                if self.eat(b']') {
                    return Some(Node::Array(items.into_bump_slice()));
                }
                loop {
                    items.push(self.value(fields, depth + 1)?);
                    if self.eat(b']') {
                        return Some(Node::Array(items.into_bump_slice()));
                    }
                    self.eat(b',').then_some(())?;
                }
            }
            _ => {
                let rest = &self.s[self.i..];
                let n = rest
                    .bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.'))
                    .count();
                self.i += n;
                let tok = &rest[..n];
                if tok.starts_with(|c: char| c == '-' || c.is_ascii_digit())
                    && tok.parse::<f64>().is_err()
                {
                    return None;
                }
                scalar(tok)
            }
        }
    }

    fn object(&mut self, fields: &Fields, depth: u32) -> Option<Node<'a>> {
        self.i += 1;
        let mut members = BumpVec::new_in(self.arena);
        if self.eat(b'}') {
            return Some(Node::Object(members.into_bump_slice()));
        }
        loop {
            (self.byte()? == b'"').then_some(())?;
            let key = self.string()?;
            self.eat(b':').then_some(())?;
            match fields.member(key.as_bytes()) {
                Some(f) => {
                    let v = self.value(&f, depth + 1)?;
                    members.push((key, v));
                }
                None => {
                    self.value(&Fields::default(), depth + 1)?;
                }
            }
            if self.eat(b'}') {
                return Some(Node::Object(members.into_bump_slice()));
            }
            self.eat(b',').then_some(())?;
        }
    }

    /// A string at `self.i` (its opening quote).
    fn string(&mut self) -> Option<&'a str> {
        let start = self.i + 1;
        let b = self.s.as_bytes();
        let mut j = start;
        while j < b.len() && b[j] != b'"' && b[j] != b'\\' && b[j] >= 0x20 {
            j += 1;
        }
        if b.get(j) == Some(&b'"') {
            self.i = j + 1;
            return Some(&self.s[start..j]);
        }
        let mut out = self.s[start..j].to_string();
        let mut chars = self.s[j..].char_indices();
        while let Some((k, ch)) = chars.next() {
            match ch {
                '"' => {
                    self.i = j + k + 1;
                    return Some(self.arena.alloc_str(&out));
                }
                '\\' => out.push(unescape(&mut chars)?),
                c if (c as u32) < 0x20 => return None,
                c => out.push(c),
            }
        }
        None
    }
}

fn unescape(chars: &mut std::str::CharIndices<'_>) -> Option<char> {
    let (_, e) = chars.next()?;
    Some(match e {
        '"' => '"',
        '\\' => '\\',
        '/' => '/',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'u' => {
            let hex = |chars: &mut std::str::CharIndices<'_>| -> Option<u32> {
                let h: String = chars.by_ref().take(4).map(|(_, c)| c).collect();
                (h.len() == 4).then_some(())?;
                u32::from_str_radix(&h, 16).ok()
            };
            let hi = hex(chars)?;
            if (0xD800..0xDC00).contains(&hi) {
                let (_, a) = chars.next()?;
                let (_, b) = chars.next()?;
                (a == '\\' && b == 'u').then_some(())?;
                let lo = hex(chars)?;
                (0xDC00..0xE000).contains(&lo).then_some(())?;
                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
            } else {
                char::from_u32(hi)?
            }
        }
        _ => return None,
    })
}

impl Node<'_> {
    /// The node as compact JSON text (for complex values written to a text column).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Number(n) => out.push_str(n),
            Node::String(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
            Node::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_json(out);
                }
                out.push(']');
            }
            Node::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k).unwrap_or_default());
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
        }
    }
}
