//! A minimal, allocation-free JSON writer into a `Vec<u8>`.
//!
//! Comma handling uses a single flag: every key and every value starts with `sep()`, which
//! writes a comma when the previous sibling is complete.

/// Lowercase hex digits for `\u00XX` escapes.
const HEX: &[u8; 16] = b"0123456789abcdef";

/// Streaming JSON writer.
pub(crate) struct W<'a> {
    pub(crate) b: &'a mut Vec<u8>,
    need: bool,
}

impl<'a> W<'a> {
    pub(crate) fn new(b: &'a mut Vec<u8>) -> Self {
        W { b, need: false }
    }
    #[inline]
    fn sep(&mut self) {
        if self.need {
            self.b.push(b',');
        }
    }
    /// `{`
    #[inline]
    pub(crate) fn o(&mut self) {
        self.sep();
        self.b.push(b'{');
        self.need = false;
    }
    /// `}`
    #[inline]
    pub(crate) fn oe(&mut self) {
        self.b.push(b'}');
        self.need = true;
    }
    /// `[`
    #[inline]
    pub(crate) fn a(&mut self) {
        self.sep();
        self.b.push(b'[');
        self.need = false;
    }
    /// `]`
    #[inline]
    pub(crate) fn ae(&mut self) {
        self.b.push(b']');
        self.need = true;
    }
    /// An object key (known to need no escaping).
    #[inline]
    pub(crate) fn k(&mut self, key: &str) {
        self.sep();
        self.b.push(b'"');
        self.b.extend_from_slice(key.as_bytes());
        self.b.extend_from_slice(b"\":");
        self.need = false;
    }
    /// A string value, escaped.
    #[inline]
    pub(crate) fn s(&mut self, v: &str) {
        self.sep();
        self.b.push(b'"');
        esc(self.b, v);
        self.b.push(b'"');
        self.need = true;
    }
    /// A string value made of two parts (e.g. a URL prefix and a variable name).
    #[inline]
    pub(crate) fn s2(&mut self, a: &str, c: &str) {
        self.sep();
        self.b.push(b'"');
        esc(self.b, a);
        esc(self.b, c);
        self.b.push(b'"');
        self.need = true;
    }
    /// A string value made of a prefix and an integer (e.g. `Patient/-100`).
    #[inline]
    pub(crate) fn si(&mut self, a: &str, n: i64) {
        self.sep();
        self.b.push(b'"');
        esc(self.b, a);
        let mut f = itoa::Buffer::new();
        self.b.extend_from_slice(f.format(n).as_bytes());
        self.b.push(b'"');
        self.need = true;
    }
    /// A string value holding an integer (identifiers are strings in FHIR).
    #[inline]
    pub(crate) fn is(&mut self, n: i64) {
        self.si("", n);
    }
    /// An integer value.
    #[inline]
    pub(crate) fn i(&mut self, n: i64) {
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
        self.b.push(b'.');
        let r = (a % 100) as u8;
        self.b.push(b'0' + r / 10);
        self.b.push(b'0' + r % 10);
        self.need = true;
    }
    /// A decimal with three places from thousandths (`60.234`).
    pub(crate) fn milli(&mut self, m: i64) {
        self.sep();
        let mut f = itoa::Buffer::new();
        self.b.extend_from_slice(f.format(m / 1000).as_bytes());
        self.b.push(b'.');
        pad(self.b, (m % 1000) as u64, 3);
        self.need = true;
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
    pub(crate) fn ks(&mut self, key: &str, v: &str) {
        self.k(key);
        self.s(v);
    }
    /// `"key":123`
    #[inline]
    pub(crate) fn ki(&mut self, key: &str, v: i64) {
        self.k(key);
        self.i(v);
    }
    /// `"key":"YYYY-MM-DD"`
    #[inline]
    pub(crate) fn kd(&mut self, key: &str, d: i32) {
        self.k(key);
        self.date(d);
    }
    /// A Coding object `{"system":..,"code":..,"display":..}`.
    #[inline]
    pub(crate) fn coding(&mut self, system: &str, code: &str, display: Option<&str>) {
        self.o();
        self.ks("system", system);
        self.ks("code", code);
        if let Some(d) = display {
            self.ks("display", d);
        }
        self.oe();
    }
    /// A Coding whose system is `prefix + var`.
    #[inline]
    pub(crate) fn coding2(&mut self, prefix: &str, var: &str, code: &str, display: Option<&str>) {
        self.o();
        self.k("system");
        self.s2(prefix, var);
        self.ks("code", code);
        if let Some(d) = display {
            self.ks("display", d);
        }
        self.oe();
    }
    /// `"key":{"start":..,"end":..}`
    pub(crate) fn period(&mut self, key: &str, start: i32, end: Option<i32>) {
        self.k(key);
        self.o();
        self.kd("start", start);
        if let Some(e) = end {
            self.kd("end", e);
        }
        self.oe();
    }
    /// `"key":{"reference":"prefix<n>"}`
    pub(crate) fn reference(&mut self, key: &str, prefix: &str, n: i64) {
        self.k(key);
        self.o();
        self.k("reference");
        self.si(prefix, n);
        self.oe();
    }
}

/// Writes `v` JSON-escaped (without quotes).
#[inline]
pub(crate) fn esc(b: &mut Vec<u8>, v: &str) {
    let bytes = v.as_bytes();
    // Fast path: almost every string (URLs, codes, names) needs no escaping. A fold without
    // early exit lets the compiler vectorize the scan.
    let special = bytes.iter().fold(false, |acc, &c| {
        acc | (c < 0x20) | (c == b'"') | (c == b'\\')
    });
    if !special {
        b.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let e: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => {
                b.extend_from_slice(&bytes[start..i]);
                b.extend_from_slice(b"\\u00");
                b.push(HEX[(c >> 4) as usize]);
                b.push(HEX[(c & 15) as usize]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        b.extend_from_slice(&bytes[start..i]);
        b.extend_from_slice(e);
        start = i + 1;
    }
    b.extend_from_slice(&bytes[start..]);
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
        let mut w = W::new(&mut v);
        w.o();
        w.ks("a", "q\"\\\n\u{1}é");
        w.k("m");
        w.cents(12000);
        w.k("n");
        w.cents(-5);
        w.k("x");
        w.a();
        w.i(1);
        w.i(-2);
        w.milli(60234);
        w.ae();
        w.oe();
        let s = String::from_utf8(v).unwrap();
        assert_eq!(
            s,
            r#"{"a":"q\"\\\n\u0001é","m":120.00,"n":-0.05,"x":[1,-2,60.234]}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(parsed["a"], "q\"\\\n\u{1}é");
    }
}
