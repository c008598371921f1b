//! A compact JSON writer into a byte buffer.

/// Writes compact JSON; the caller drives the structure.
#[derive(Debug, Default)]
pub struct Writer {
    out: Vec<u8>,
    /// Whether the next member/element needs a leading comma.
    need_comma: bool,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// A writer appending to an existing buffer.
    pub fn with_buffer(out: Vec<u8>) -> Self {
        Writer {
            out,
            need_comma: false,
        }
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    /// The text written so far.
    pub fn into_string(self) -> String {
        // Only valid UTF-8 is ever written: strings come from `&str` and the rest is ASCII.
        String::from_utf8(self.out).unwrap_or_default()
    }

    #[inline]
    fn comma(&mut self) {
        if self.need_comma {
            self.out.push(b',');
        }
    }

    /// `{`
    #[inline]
    pub fn begin_object(&mut self) {
        self.comma();
        self.out.push(b'{');
        self.need_comma = false;
    }

    /// `}`
    #[inline]
    pub fn end_object(&mut self) {
        self.out.push(b'}');
        self.need_comma = true;
    }

    /// `[`
    #[inline]
    pub fn begin_array(&mut self) {
        self.comma();
        self.out.push(b'[');
        self.need_comma = false;
    }

    /// `]`
    #[inline]
    pub fn end_array(&mut self) {
        self.out.push(b']');
        self.need_comma = true;
    }

    /// An object key (the value must follow).
    #[inline]
    pub fn key(&mut self, key: &str) {
        self.comma();
        self.write_str(key);
        self.out.push(b':');
        self.need_comma = false;
    }

    /// A string value.
    #[inline]
    pub fn string(&mut self, s: &str) {
        self.comma();
        self.write_str(s);
        self.need_comma = true;
    }

    /// Verbatim JSON text (a number's text or a raw value).
    #[inline]
    pub fn raw(&mut self, json: &str) {
        self.comma();
        self.out.extend_from_slice(json.as_bytes());
        self.need_comma = true;
    }

    /// A boolean.
    #[inline]
    pub fn boolean(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }

    /// `null`.
    #[inline]
    pub fn null(&mut self) {
        self.raw("null");
    }

    /// An integer.
    #[inline]
    pub fn integer(&mut self, v: i64) {
        self.comma();
        let mut buf = itoa::Buffer::new();
        self.out.extend_from_slice(buf.format(v).as_bytes());
        self.need_comma = true;
    }

    #[inline]
    fn write_str(&mut self, s: &str) {
        self.out.push(b'"');
        let bytes = s.as_bytes();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let esc: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0..=0x1f => b"",
                _ => continue,
            };
            self.out.extend_from_slice(&bytes[start..i]);
            if esc.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.extend_from_slice(b"\\u00");
                self.out.push(HEX[(b >> 4) as usize]);
                self.out.push(HEX[(b & 15) as usize]);
            } else {
                self.out.extend_from_slice(esc);
            }
            start = i + 1;
        }
        self.out.extend_from_slice(&bytes[start..]);
        self.out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_compact_json_with_escapes() {
        let mut w = Writer::new();
        w.begin_object();
        w.key("a");
        w.string("x\"y\n\u{1}é");
        w.key("b");
        w.begin_array();
        w.raw("1.50");
        w.null();
        w.boolean(true);
        w.integer(-7);
        w.end_array();
        w.end_object();
        assert_eq!(
            w.into_string(),
            r#"{"a":"x\"y\n\u0001é","b":[1.50,null,true,-7]}"#
        );
    }
}
