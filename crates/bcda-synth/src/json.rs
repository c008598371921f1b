//! A minimal, allocation-free JSON writer into a `Vec<u8>`, in any [`Style`].
//!
//! Comma handling uses a single flag: every key and every value starts with `sep()`, which
//! writes a comma when the previous sibling is complete.
//!
//! Go key order: the writer remembers where each member of every open object starts (and its
//! key's length); when the object closes, members out of byte order are rearranged in place
//! through a scratch buffer. Nested objects close first, so every level ends up sorted. The
//! writer never reads back a value, only moves whole members.

use crate::style::{KeyOrder, Style, TextEscapes};

/// Lowercase hex digits for `\uXXXX` escapes.
const HEX: &[u8; 16] = b"0123456789abcdef";

/// Member bookkeeping for sorting keys (Go order only).
#[derive(Default)]
struct Sorter {
    /// Per open object: index of its first member in `members`.
    frames: Vec<usize>,
    /// The members of open objects.
    members: Vec<Member>,
    /// Permutation scratch.
    order: Vec<usize>,
    /// Byte scratch for rearranging.
    bytes: Vec<u8>,
}

/// Where a member of an open object starts, and its key.
#[derive(Clone, Copy)]
struct Member {
    /// Offset of the member's opening quote.
    at: usize,
    /// Key length.
    len: usize,
    /// The key's first 8 bytes, big-endian, zero-padded: most comparisons end here.
    prefix: u64,
}

impl Member {
    fn new(at: usize, key: &str) -> Self {
        let k = key.as_bytes();
        let prefix = match k.first_chunk::<8>() {
            Some(head) => u64::from_be_bytes(*head),
            None => {
                let mut p = [0u8; 8];
                p[..k.len()].copy_from_slice(k);
                u64::from_be_bytes(p)
            }
        };
        Member {
            at,
            len: key.len(),
            prefix,
        }
    }
    /// Byte order of the keys (`b` holds both).
    #[inline]
    fn cmp(&self, other: &Member, b: &[u8]) -> std::cmp::Ordering {
        self.prefix.cmp(&other.prefix).then_with(|| {
            if self.len <= 8 && other.len <= 8 {
                self.len.cmp(&other.len)
            } else {
                b[self.at + 1..self.at + 1 + self.len]
                    .cmp(&b[other.at + 1..other.at + 1 + other.len])
            }
        })
    }
}

/// Streaming JSON writer.
pub(crate) struct JsonWriter<'a> {
    pub(crate) b: &'a mut Vec<u8>,
    need: bool,
    style: Style,
    sorter: Sorter,
}

impl<'a> JsonWriter<'a> {
    /// A writer in BFD's key order and number text (unit tests of fragments).
    #[cfg(test)]
    pub(crate) fn new(b: &'a mut Vec<u8>) -> Self {
        Self::with_style(b, Style::BFD)
    }
    /// A writer in a given style.
    pub(crate) fn with_style(b: &'a mut Vec<u8>, style: Style) -> Self {
        JsonWriter {
            b,
            need: false,
            style,
            sorter: Sorter::default(),
        }
    }
    #[inline]
    fn sorting(&self) -> bool {
        self.style.keys == KeyOrder::Go
    }
    /// Keys in Go's order: the hottest fragments (codings, periods, money) write their keys
    /// already sorted then, so closing them moves nothing.
    #[inline]
    pub(crate) fn go_order(&self) -> bool {
        self.sorting()
    }
    #[inline]
    fn sep(&mut self) {
        if self.need {
            self.b.push(b',');
        }
    }
    /// `{`
    #[inline]
    pub(crate) fn begin_object(&mut self) {
        self.sep();
        self.b.push(b'{');
        self.need = false;
        if self.sorting() {
            self.sorter.frames.push(self.sorter.members.len());
        }
    }
    /// `}`
    #[inline]
    pub(crate) fn end_object(&mut self) {
        if self.sorting() {
            self.sort_members();
        }
        self.b.push(b'}');
        self.need = true;
    }
    /// Puts the members of the object being closed in byte order of their keys.
    fn sort_members(&mut self) {
        let s = &mut self.sorter;
        let first = s.frames.pop().expect("oe() without o()");
        let members = &s.members[first..];
        let b = &mut *self.b;
        if members
            .windows(2)
            .all(|p| p[0].cmp(&p[1], b) != std::cmp::Ordering::Greater)
        {
            s.members.truncate(first);
            return;
        }
        let n = members.len();
        let end = b.len();
        // Member i spans [start_i, start_{i+1} - 1): the comma before the next one excluded.
        let span = |i: usize| {
            let stop = if i + 1 < n {
                members[i + 1].at - 1
            } else {
                end
            };
            members[i].at..stop
        };
        s.order.clear();
        s.order.extend(0..n);
        s.order
            .sort_unstable_by(|&x, &y| members[x].cmp(&members[y], b));
        s.bytes.clear();
        for (j, &i) in s.order.iter().enumerate() {
            if j > 0 {
                s.bytes.push(b',');
            }
            s.bytes.extend_from_slice(&b[span(i)]);
        }
        b[members[0].at..end].copy_from_slice(&s.bytes);
        s.members.truncate(first);
    }
    /// `[`
    #[inline]
    pub(crate) fn begin_array(&mut self) {
        self.sep();
        self.b.push(b'[');
        self.need = false;
    }
    /// `]`
    #[inline]
    pub(crate) fn end_array(&mut self) {
        self.b.push(b']');
        self.need = true;
    }
    /// An object key (known to need no escaping).
    #[inline]
    pub(crate) fn key(&mut self, key: &str) {
        self.sep();
        if self.sorting() {
            self.sorter.members.push(Member::new(self.b.len(), key));
        }
        self.b.push(b'"');
        self.b.extend_from_slice(key.as_bytes());
        self.b.extend_from_slice(b"\":");
        self.need = false;
    }
    /// A string value, escaped.
    #[inline]
    pub(crate) fn string(&mut self, v: &str) {
        self.sep();
        self.b.push(b'"');
        esc(self.b, self.style.text, v);
        self.b.push(b'"');
        self.need = true;
    }
    /// A string value made of two parts (e.g. a URL prefix and a variable name).
    #[inline]
    pub(crate) fn string_concat(&mut self, a: &str, c: &str) {
        self.sep();
        self.b.push(b'"');
        esc(self.b, self.style.text, a);
        esc(self.b, self.style.text, c);
        self.b.push(b'"');
        self.need = true;
    }
    /// A string value made of a prefix and an integer (e.g. `Patient/-100`).
    #[inline]
    pub(crate) fn string_prefixed_int(&mut self, a: &str, n: i64) {
        self.sep();
        self.b.push(b'"');
        esc(self.b, self.style.text, a);
        let mut f = itoa::Buffer::new();
        self.b.extend_from_slice(f.format(n).as_bytes());
        self.b.push(b'"');
        self.need = true;
    }
    /// A string value holding an integer (identifiers are strings in FHIR).
    #[inline]
    pub(crate) fn int_string(&mut self, n: i64) {
        self.string_prefixed_int("", n);
    }
    /// An integer value.
    #[inline]
    pub(crate) fn int(&mut self, n: i64) {
        self.sep();
        let mut f = itoa::Buffer::new();
        self.b.extend_from_slice(f.format(n).as_bytes());
        self.need = true;
    }
    /// A boolean value.
    #[inline]
    pub(crate) fn bool(&mut self, v: bool) {
        self.sep();
        self.b.extend_from_slice(if v { b"true" } else { b"false" });
        self.need = true;
    }
    /// An exact decimal with two places from an integer number of cents (`120.00`).
    #[inline]
    pub(crate) fn cents(&mut self, c: i64) {
        self.sep();
        if c < 0 {
            self.b.push(b'-');
        }
        let a = c.unsigned_abs();
        let mut f = itoa::Buffer::new();
        self.b.extend_from_slice(f.format(a / 100).as_bytes());
        self.fraction(a % 100, 2);
        self.need = true;
    }
    /// A decimal with three places from thousandths (`60.234`).
    pub(crate) fn milli(&mut self, m: i64) {
        self.sep();
        if m < 0 {
            self.b.push(b'-');
        }
        let a = m.unsigned_abs();
        let mut f = itoa::Buffer::new();
        self.b.extend_from_slice(f.format(a / 1000).as_bytes());
        self.fraction(a % 1000, 3);
        self.need = true;
    }
    /// The `places` decimals of a number: all of them in BFD's text, none of the trailing zeros
    /// in Go's (a `float64` printed shortest: `120`, `0.5`, `60.234`).
    fn fraction(&mut self, mut frac: u64, mut places: usize) {
        if self.style.keys == KeyOrder::Go {
            if frac == 0 {
                return;
            }
            while frac.is_multiple_of(10) {
                frac /= 10;
                places -= 1;
            }
        }
        self.b.push(b'.');
        pad(self.b, frac, places);
    }
    /// A `YYYY-MM-DD` date string from days since 1970-01-01.
    #[inline]
    pub(crate) fn date(&mut self, days: i32) {
        self.sep();
        self.b.push(b'"');
        crate::date::write_date(self.b, days);
        self.b.push(b'"');
        self.need = true;
    }
    /// A FHIR `dateTime` at midnight UTC (`2016-01-16T00:00:00+00:00`).
    pub(crate) fn date_midnight(&mut self, days: i32) {
        self.sep();
        self.b.push(b'"');
        crate::date::write_date(self.b, days);
        self.b.extend_from_slice(b"T00:00:00+00:00");
        self.b.push(b'"');
        self.need = true;
    }
    /// A FHIR `instant` from unix seconds (`2024-03-01T12:00:00.000+00:00`).
    pub(crate) fn instant(&mut self, unix: i64) {
        self.sep();
        self.b.push(b'"');
        crate::date::write_instant(self.b, unix);
        self.b.push(b'"');
        self.need = true;
    }
    /// Starts a new NDJSON line: resets the comma state.
    pub(crate) fn reset(&mut self) {
        self.need = false;
    }

    // ---- compound helpers used everywhere ----

    /// `"key":"value"`
    #[inline]
    pub(crate) fn key_string(&mut self, key: &str, v: &str) {
        self.key(key);
        self.string(v);
    }
    /// `"key":123`
    #[inline]
    pub(crate) fn key_int(&mut self, key: &str, v: i64) {
        self.key(key);
        self.int(v);
    }
    /// `"key":"YYYY-MM-DD"`
    #[inline]
    pub(crate) fn key_date(&mut self, key: &str, d: i32) {
        self.key(key);
        self.date(d);
    }
    /// A Coding object `{"system":..,"code":..,"display":..}`.
    #[inline]
    pub(crate) fn coding(&mut self, system: &str, code: &str, display: Option<&str>) {
        self.begin_object();
        if !self.go_order() {
            self.key_string("system", system);
        }
        self.key_string("code", code);
        if let Some(d) = display {
            self.key_string("display", d);
        }
        if self.go_order() {
            self.key_string("system", system);
        }
        self.end_object();
    }
    /// A Coding whose system is `prefix + var`.
    #[inline]
    pub(crate) fn coding2(&mut self, prefix: &str, var: &str, code: &str, display: Option<&str>) {
        self.begin_object();
        if !self.go_order() {
            self.key("system");
            self.string_concat(prefix, var);
        }
        self.key_string("code", code);
        if let Some(d) = display {
            self.key_string("display", d);
        }
        if self.go_order() {
            self.key("system");
            self.string_concat(prefix, var);
        }
        self.end_object();
    }
    /// `"key":{"start":..,"end":..}`
    pub(crate) fn period(&mut self, key: &str, start: i32, end: Option<i32>) {
        self.key(key);
        self.begin_object();
        let go = self.go_order();
        if !go {
            self.key_date("start", start);
        }
        if let Some(e) = end {
            self.key_date("end", e);
        }
        if go {
            self.key_date("start", start);
        }
        self.end_object();
    }
    /// `"key":{"reference":"prefix<n>"}`
    pub(crate) fn reference(&mut self, key: &str, prefix: &str, n: i64) {
        self.key(key);
        self.begin_object();
        self.key("reference");
        self.string_prefixed_int(prefix, n);
        self.end_object();
    }
}

/// Writes `v` JSON-escaped (without quotes) in a text style.
#[inline]
pub(crate) fn esc(b: &mut Vec<u8>, text: TextEscapes, v: &str) {
    let bytes = v.as_bytes();
    // Fast path: almost every string (URLs, codes, names) needs no escaping. A fold without
    // early exit lets the compiler vectorize the scan. 0xE2 starts U+2028/U+2029 (and `’` `–`,
    // which the slow path copies through).
    let special = match text {
        TextEscapes::Utf8 => bytes.iter().fold(false, |acc, &c| {
            acc | (c < 0x20)
                | (c == b'"')
                | (c == b'\\')
                | (c == b'<')
                | (c == b'>')
                | (c == b'&')
                | (c == 0xE2)
        }),
        TextEscapes::AsciiEscaped => bytes.iter().fold(false, |acc, &c| {
            acc | (c < 0x20) | (c == b'"') | (c == b'\\') | (c >= 0x80)
        }),
        TextEscapes::Minimal => bytes.iter().fold(false, |acc, &c| {
            acc | (c < 0x20) | (c == b'"') | (c == b'\\')
        }),
    };
    if !special {
        b.extend_from_slice(bytes);
        return;
    }
    esc_slow(b, text, v);
}

/// [`esc`] for a string that has something to escape: char by char.
fn esc_slow(b: &mut Vec<u8>, text: TextEscapes, v: &str) {
    let ascii = text == TextEscapes::AsciiEscaped;
    let html = text == TextEscapes::Utf8;
    for ch in v.chars() {
        let c = ch as u32;
        match ch {
            '"' => b.extend_from_slice(b"\\\""),
            '\\' => b.extend_from_slice(b"\\\\"),
            '\n' => b.extend_from_slice(b"\\n"),
            '\r' => b.extend_from_slice(b"\\r"),
            '\t' => b.extend_from_slice(b"\\t"),
            '\u{8}' => b.extend_from_slice(b"\\b"),
            '\u{c}' => b.extend_from_slice(b"\\f"),
            '\0'..='\u{1f}' => unicode_escape(b, c as u16),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' if html => unicode_escape(b, c as u16),
            _ if ascii && c >= 0x80 => {
                let mut units = [0u16; 2];
                for &u in ch.encode_utf16(&mut units).iter() {
                    unicode_escape(b, u);
                }
            }
            _ => {
                let mut utf8 = [0u8; 4];
                b.extend_from_slice(ch.encode_utf8(&mut utf8).as_bytes());
            }
        }
    }
}

/// `\uXXXX` with lowercase hex.
fn unicode_escape(b: &mut Vec<u8>, u: u16) {
    b.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        b.push(HEX[((u >> shift) & 15) as usize]);
    }
}

/// Writes `n` zero-padded to `width` digits.
pub(crate) fn pad(b: &mut Vec<u8>, n: u64, width: usize) {
    let mut f = itoa::Buffer::new();
    let s = f.format(n);
    for _ in s.len()..width {
        b.push(b'0');
    }
    b.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_numbers() {
        let mut v = Vec::new();
        let mut w = JsonWriter::new(&mut v);
        w.begin_object();
        w.key_string("a", "q\"\\\n\u{1}é");
        w.key("m");
        w.cents(12000);
        w.key("n");
        w.cents(-5);
        w.key("x");
        w.begin_array();
        w.int(1);
        w.int(-2);
        w.milli(60234);
        w.end_array();
        w.end_object();
        let s = String::from_utf8(v).unwrap();
        assert_eq!(
            s,
            r#"{"a":"q\"\\\n\u0001é","m":120.00,"n":-0.05,"x":[1,-2,60.234]}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(parsed["a"], "q\"\\\n\u{1}é");
    }

    fn go(text: TextEscapes, f: impl FnOnce(&mut JsonWriter)) -> String {
        let mut v = Vec::new();
        let style = Style {
            keys: KeyOrder::Go,
            text,
        };
        f(&mut JsonWriter::with_style(&mut v, style));
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn go_order_sorts_every_level_and_trims_numbers() {
        let s = go(TextEscapes::Utf8, |w| {
            w.begin_object();
            w.key_string("resourceType", "X");
            w.key("b");
            w.begin_array();
            w.begin_object();
            w.key_string("system", "s");
            w.key_string("code", "c");
            w.end_object();
            w.begin_object();
            w.key("value");
            w.cents(12050);
            w.key("currency");
            w.string("USD");
            w.end_object();
            w.end_array();
            w.key("a");
            w.begin_object();
            w.key("valueQuantity");
            w.milli(2500);
            w.key("value");
            w.cents(-5);
            w.key("id");
            w.cents(700);
            w.end_object();
            w.end_object();
        });
        assert_eq!(
            s,
            r#"{"a":{"id":7,"value":-0.05,"valueQuantity":2.5},"b":[{"code":"c","system":"s"},{"currency":"USD","value":120.5}],"resourceType":"X"}"#
        );
    }

    #[test]
    fn go_and_ascii_escapes() {
        let text = "a<b>&’–\u{2028}\u{8}\u{c}\u{1f}😀\"\\";
        let utf8 = go(TextEscapes::Utf8, |w| w.string(text));
        assert_eq!(
            utf8,
            "\"a\\u003cb\\u003e\\u0026’–\\u2028\\b\\f\\u001f😀\\\"\\\\\""
        );
        let ascii = go(TextEscapes::AsciiEscaped, |w| w.string(text));
        assert_eq!(
            ascii,
            r#""a<b>&\u2019\u2013\u2028\b\f\u001f\ud83d\ude00\"\\""#
        );
        let minimal = go(TextEscapes::Minimal, |w| w.string(text));
        assert_eq!(minimal, "\"a<b>&’–\u{2028}\\b\\f\\u001f😀\\\"\\\\\"");
        for s in [utf8, ascii, minimal] {
            let v: serde_json::Value = serde_json::from_str(&s).unwrap();
            assert_eq!(v, text);
        }
    }
}
