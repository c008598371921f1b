//! A pull parser over a JSON text held in memory.
//!
//! Strings without escapes are borrowed from the input; numbers are returned as their exact text
//! (FHIR decimals keep their lexical form). The parser never recurses on its own (skipping a
//! value is iterative), and callers that recurse go through [`Reader::enter`], which enforces a
//! depth limit, so hostile input cannot overflow the stack.

use std::borrow::Cow;

/// Maximum nesting depth of objects and arrays.
pub const MAX_DEPTH: u32 = 256;

/// The kind of the next JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `{`
    Object,
    /// `[`
    Array,
    /// `"`
    String,
    /// `-` or a digit
    Number,
    /// `true` / `false`
    Bool,
    /// `null`
    Null,
}

impl Kind {
    /// Lower-case name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Object => "object",
            Kind::Array => "array",
            Kind::String => "string",
            Kind::Number => "number",
            Kind::Bool => "boolean",
            Kind::Null => "null",
        }
    }
}

/// A syntax error at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset in the input.
    pub offset: usize,
    /// What was wrong.
    pub message: Cow<'static, str>,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (byte {})", self.message, self.offset)
    }
}

impl std::error::Error for SyntaxError {}

/// Result of reader operations.
pub type Result<T> = std::result::Result<T, SyntaxError>;

/// A reader state saved by [`Reader::save`].
#[derive(Debug, Clone, Copy)]
pub struct Saved {
    pos: usize,
    depth: u32,
}

/// The pull parser.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
}

/// Position of the first `"`, `\\` or control character in `bytes[start..]`, or
/// `bytes.len()`: 32 bytes per step with SSE2 (two vectors, one combined mask: as fast as AVX2
/// here and, unlike it, inlined into every caller), byte by byte for the tail and elsewhere.
#[inline]
fn string_stop(bytes: &[u8], start: usize) -> usize {
    // SAFETY: this build enables SSE2 (the `cfg`), all `string_stop_sse2` needs.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[allow(unsafe_code)]
    let from = match unsafe { string_stop_sse2(bytes, start) } {
        Ok(i) => return i,
        Err(rest) => rest,
    };
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    let from = start;
    bytes[from..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map_or(bytes.len(), |p| from + p)
}

/// The SSE2 steps of [`string_stop`]: `Ok(position)`, or `Err(offset)` of the unscanned tail
/// (shorter than 16 bytes).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn string_stop_sse2(bytes: &[u8], mut at: usize) -> std::result::Result<usize, usize> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    let quote = _mm_set1_epi8(b'"' as i8);
    let backslash = _mm_set1_epi8(b'\\' as i8);
    let control = _mm_set1_epi8(0x1F);
    // Stop bytes of 16 bytes at `p` as a mask.
    let stops = |p: &[u8]| {
        // SAFETY: callers pass at least 16 readable bytes: one unaligned 128-bit load.
        #[allow(unsafe_code)]
        let v = unsafe { _mm_loadu_si128(p.as_ptr().cast::<__m128i>()) };
        let hits = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
            _mm_cmpeq_epi8(_mm_min_epu8(v, control), v),
        );
        _mm_movemask_epi8(hits) as u32
    };
    while let Some(chunk) = bytes.get(at..at + 32) {
        let mask = stops(chunk) | stops(&chunk[16..]) << 16;
        if mask != 0 {
            return Ok(at + mask.trailing_zeros() as usize);
        }
        at += 32;
    }
    if let Some(chunk) = bytes.get(at..at + 16) {
        let mask = stops(chunk);
        if mask != 0 {
            return Ok(at + mask.trailing_zeros() as usize);
        }
        at += 16;
    }
    Err(at)
}

#[inline]
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

impl<'a> Reader<'a> {
    /// A reader over a complete JSON text.
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
        }
    }

    /// Current byte offset.
    #[inline]
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The whole input.
    pub fn input(&self) -> &'a str {
        self.text
    }

    /// An error at the current offset.
    #[cold]
    pub fn error(&self, message: impl Into<Cow<'static, str>>) -> SyntaxError {
        SyntaxError {
            offset: self.pos,
            message: message.into(),
        }
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if !is_ws(b) {
                break;
            }
            self.pos += 1;
        }
    }

    /// The kind of the next value (whitespace skipped).
    #[inline]
    pub fn peek(&mut self) -> Result<Kind> {
        self.skip_ws();
        match self.bytes.get(self.pos) {
            Some(b'{') => Ok(Kind::Object),
            Some(b'[') => Ok(Kind::Array),
            Some(b'"') => Ok(Kind::String),
            Some(b'-' | b'0'..=b'9') => Ok(Kind::Number),
            Some(b't' | b'f') => Ok(Kind::Bool),
            Some(b'n') => Ok(Kind::Null),
            Some(_) => Err(self.error("expected a JSON value")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    /// Increments the nesting depth (call when descending into a value that recurses).
    #[inline]
    pub fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        Ok(())
    }

    /// Decrements the nesting depth.
    #[inline]
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Consumes `{`. Follow with [`Reader::next_key`] until it returns `None`.
    #[inline]
    pub fn begin_object(&mut self) -> Result<bool> {
        self.skip_ws();
        if self.bytes.get(self.pos) != Some(&b'{') {
            return Err(self.error("expected an object"));
        }
        self.pos += 1;
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// Reads the first key after [`Reader::begin_object`] returned true.
    #[inline]
    pub fn first_key(&mut self) -> Result<Cow<'a, str>> {
        let k = self.string()?;
        self.colon()?;
        Ok(k)
    }

    /// Reads the next key of an object, or `None` at `}`.
    #[inline]
    pub fn next_key(&mut self) -> Result<Option<Cow<'a, str>>> {
        self.skip_ws();
        match self.bytes.get(self.pos) {
            Some(b',') => {
                self.pos += 1;
                self.skip_ws();
                let k = self.string()?;
                self.colon()?;
                Ok(Some(k))
            }
            Some(b'}') => {
                self.pos += 1;
                Ok(None)
            }
            Some(_) => Err(self.error("expected ',' or '}'")),
            None => Err(self.error("unexpected end of input in object")),
        }
    }

    /// The fast path of [`Reader::begin_object`] plus [`Reader::first_key`]: `Some(Some(key))`
    /// after `{"key":`, `Some(None)` after `{}`, and `None`, with the cursor unchanged, for
    /// anything else (an escaped key, an error), which the slow path then reads or reports.
    #[inline]
    pub fn begin_plain_object(&mut self) -> Option<Option<&'a str>> {
        let save = self.pos;
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'{') {
            self.pos += 1;
            self.skip_ws();
            if self.bytes.get(self.pos) == Some(&b'}') {
                self.pos += 1;
                return Some(None);
            }
            if let Some(k) = self.plain_key() {
                return Some(Some(k));
            }
        }
        self.pos = save;
        None
    }

    /// The fast path of [`Reader::next_key`]: `Some(Some(key))` after `,"key":`, `Some(None)`
    /// after `}`, and `None`, with the cursor unchanged, for anything else.
    #[inline]
    pub fn next_plain_key(&mut self) -> Option<Option<&'a str>> {
        let save = self.pos;
        self.skip_ws();
        match self.bytes.get(self.pos) {
            Some(b'}') => {
                self.pos += 1;
                return Some(None);
            }
            Some(b',') => {
                self.pos += 1;
                if let Some(k) = self.plain_key() {
                    return Some(Some(k));
                }
            }
            _ => {}
        }
        self.pos = save;
        None
    }

    /// `"key":` without escapes; `None` (cursor moved: callers restore it) otherwise.
    #[inline]
    fn plain_key(&mut self) -> Option<&'a str> {
        let k = self.plain_string()?;
        self.skip_ws();
        if self.bytes.get(self.pos) != Some(&b':') {
            return None;
        }
        self.pos += 1;
        Some(k)
    }

    #[inline]
    fn colon(&mut self) -> Result<()> {
        self.skip_ws();
        if self.bytes.get(self.pos) != Some(&b':') {
            return Err(self.error("expected ':'"));
        }
        self.pos += 1;
        Ok(())
    }

    /// Consumes `[`; returns false for an empty array (already closed).
    #[inline]
    pub fn begin_array(&mut self) -> Result<bool> {
        self.skip_ws();
        if self.bytes.get(self.pos) != Some(&b'[') {
            return Err(self.error("expected an array"));
        }
        self.pos += 1;
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// After an element: true if another element follows (`,`), false at `]`.
    #[inline]
    pub fn next_element(&mut self) -> Result<bool> {
        self.skip_ws();
        match self.bytes.get(self.pos) {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            Some(_) => Err(self.error("expected ',' or ']'")),
            None => Err(self.error("unexpected end of input in array")),
        }
    }

    /// Reads a string (borrowed when it has no escapes).
    #[inline]
    pub fn string(&mut self) -> Result<Cow<'a, str>> {
        match self.plain_string() {
            Some(s) => Ok(Cow::Borrowed(s)),
            None => self.string_slow(),
        }
    }

    /// The string at the cursor if it holds no escape (nearly every string of an export),
    /// borrowed. `None` (an escape, a control character, no string at all, the end of the
    /// text) leaves the cursor before the string, for [`Reader::string`] to read it or report
    /// the problem. The fast path of `string`: its result fits in two registers, so callers
    /// do not copy a `Result` through memory.
    #[inline]
    pub fn plain_string(&mut self) -> Option<&'a str> {
        self.skip_ws();
        if self.bytes.get(self.pos) != Some(&b'"') {
            return None;
        }
        let start = self.pos + 1;
        let end = string_stop(self.bytes, start);
        if self.bytes.get(end) != Some(&b'"') {
            return None;
        }
        self.pos = end + 1;
        self.text.get(start..end)
    }

    /// [`Reader::string`] when [`Reader::plain_string`] declined: escapes and errors.
    #[inline(never)]
    fn string_slow(&mut self) -> Result<Cow<'a, str>> {
        self.skip_ws();
        if self.bytes.get(self.pos) != Some(&b'"') {
            return Err(self.error("expected a string"));
        }
        self.pos += 1;
        let start = self.pos;
        let bytes = self.bytes;
        // One pass for the closing quote, an escape or a control character.
        let mut i = string_stop(bytes, start);
        loop {
            match bytes.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(Cow::Borrowed(&self.text[start..i]));
                }
                Some(b'\\') => {
                    self.pos = i;
                    return self.string_escaped(start);
                }
                Some(&b) if b < 0x20 => {
                    self.pos = i;
                    return Err(self.error("control character in string"));
                }
                Some(_) => i += 1,
                None => {
                    self.pos = i;
                    return Err(self.error("unterminated string"));
                }
            }
        }
    }

    #[cold]
    fn string_escaped(&mut self, start: usize) -> Result<Cow<'a, str>> {
        let mut out = String::with_capacity(self.pos - start + 16);
        out.push_str(&self.text[start..self.pos]);
        loop {
            let b = match self.bytes.get(self.pos) {
                Some(&b) => b,
                None => return Err(self.error("unterminated string")),
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    self.pos += 1;
                    let e = *self
                        .bytes
                        .get(self.pos)
                        .ok_or_else(|| self.error("unterminated escape"))?;
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let c = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&c) {
                                if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err(self.error("unpaired surrogate in \\u escape"));
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error("invalid low surrogate in \\u escape"));
                                }
                                char::from_u32(0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                char::from_u32(c)
                            };
                            out.push(ch.ok_or_else(|| self.error("invalid \\u escape"))?);
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.error("invalid escape"));
                        }
                    }
                }
                b if b < 0x20 => return Err(self.error("control character in string")),
                _ => {
                    // Copy a run of plain bytes (UTF-8 already validated; runs end on ASCII).
                    let run_start = self.pos;
                    while let Some(&c) = self.bytes.get(self.pos) {
                        if c == b'"' || c == b'\\' || c < 0x20 {
                            break;
                        }
                        self.pos += 1;
                    }
                    out.push_str(&self.text[run_start..self.pos]);
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let s = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("short \\u escape"))?;
        let mut v = 0u32;
        for &b in s {
            let d = (b as char)
                .to_digit(16)
                .ok_or_else(|| self.error("invalid \\u escape"))?;
            v = v * 16 + d;
        }
        self.pos += 4;
        Ok(v)
    }

    /// Reads a number and returns its exact text (JSON number grammar enforced).
    #[inline]
    pub fn number(&mut self) -> Result<&'a str> {
        self.skip_ws();
        let b = self.bytes;
        let start = self.pos;
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                i += 1;
                while matches!(b.get(i), Some(b'0'..=b'9')) {
                    i += 1;
                }
            }
            _ => {
                self.pos = i;
                return Err(self.error("invalid number"));
            }
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !matches!(b.get(i), Some(b'0'..=b'9')) {
                self.pos = i;
                return Err(self.error("invalid number: digit expected after '.'"));
            }
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !matches!(b.get(i), Some(b'0'..=b'9')) {
                self.pos = i;
                return Err(self.error("invalid number: digit expected in exponent"));
            }
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        self.pos = i;
        Ok(&self.text[start..i])
    }

    /// Reads `true` or `false`.
    #[inline]
    pub fn boolean(&mut self) -> Result<bool> {
        self.skip_ws();
        if self.bytes[self.pos..].starts_with(b"true") {
            self.pos += 4;
            Ok(true)
        } else if self.bytes[self.pos..].starts_with(b"false") {
            self.pos += 5;
            Ok(false)
        } else {
            Err(self.error("expected true or false"))
        }
    }

    /// Reads `null`.
    #[inline]
    pub fn null(&mut self) -> Result<()> {
        self.skip_ws();
        if self.bytes[self.pos..].starts_with(b"null") {
            self.pos += 4;
            Ok(())
        } else {
            Err(self.error("expected null"))
        }
    }

    /// Skips one value of any kind, iteratively, checking its syntax.
    pub fn skip_value(&mut self) -> Result<()> {
        // Stack of open containers: true = object, false = array.
        let mut stack: Vec<bool> = Vec::new();
        loop {
            // Read one value start.
            match self.peek()? {
                Kind::Object => {
                    if self.begin_object()? {
                        if stack.len() as u32 + self.depth >= MAX_DEPTH {
                            return Err(self.error("nesting too deep"));
                        }
                        stack.push(true);
                        self.string()?;
                        self.colon()?;
                        continue;
                    }
                }
                Kind::Array => {
                    if self.begin_array()? {
                        if stack.len() as u32 + self.depth >= MAX_DEPTH {
                            return Err(self.error("nesting too deep"));
                        }
                        stack.push(false);
                        continue;
                    }
                }
                Kind::String => {
                    self.string()?;
                }
                Kind::Number => {
                    self.number()?;
                }
                Kind::Bool => {
                    self.boolean()?;
                }
                Kind::Null => self.null()?,
            }
            // After a complete value: close containers as needed.
            loop {
                match stack.last() {
                    None => return Ok(()),
                    Some(true) => match self.next_key()? {
                        Some(_) => break,
                        None => {
                            stack.pop();
                        }
                    },
                    Some(false) => {
                        if self.next_element()? {
                            break;
                        }
                        stack.pop();
                    }
                }
            }
        }
    }

    /// Skips one value and returns its exact text.
    pub fn raw_value(&mut self) -> Result<&'a str> {
        self.skip_ws();
        let start = self.pos;
        self.skip_value()?;
        Ok(&self.text[start..self.pos])
    }

    /// Checks that only whitespace remains.
    pub fn finish(&mut self) -> Result<()> {
        self.skip_ws();
        if self.pos != self.bytes.len() {
            return Err(self.error("trailing characters after the JSON value"));
        }
        Ok(())
    }

    /// The whole reader state, to return to with [`Reader::restore`] (unlike [`Reader::mark`],
    /// also the nesting depth, for a read abandoned midway).
    pub fn save(&self) -> Saved {
        Saved {
            pos: self.pos,
            depth: self.depth,
        }
    }

    /// Returns to a state obtained from [`Reader::save`].
    pub fn restore(&mut self, saved: Saved) {
        self.pos = saved.pos;
        self.depth = saved.depth;
    }

    /// The text from the current position on.
    pub fn rest(&self) -> &'a [u8] {
        &self.bytes[self.pos..]
    }

    /// Position to rewind to (see [`Reader::rewind`]).
    pub fn mark(&self) -> usize {
        self.pos
    }

    /// Returns to a position obtained from [`Reader::mark`].
    pub fn rewind(&mut self, mark: usize) {
        self.pos = mark;
    }
}

/// Line and column (1-based, column in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_borrow_unless_escaped() {
        let mut r =
            Reader::new(r#""plain text that is longer than eight" "a\"b\u00e9\ud83d\ude00""#);
        assert!(matches!(
            r.string().unwrap(),
            Cow::Borrowed("plain text that is longer than eight")
        ));
        let s = r.string().unwrap();
        assert!(matches!(s, Cow::Owned(_)));
        assert_eq!(s, "a\"bé😀");
    }

    #[test]
    fn string_stop_agrees_with_a_byte_loop_at_every_offset() {
        let reference = |b: &[u8], start: usize| {
            b[start..]
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                .map_or(b.len(), |p| start + p)
        };
        // Stops at every position of texts longer than the 32-byte and 16-byte steps.
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100] {
            for stop in 0..=len {
                for c in [b'"', b'\\', b'\n', 0x01, 0x1F] {
                    let mut text = vec![b'a'; len];
                    text.extend_from_slice(b"xyz");
                    if stop < len {
                        text[stop] = c;
                    }
                    text.push(0xC3); // a non-ASCII byte is not a stop
                    for start in [0, 1, 7].into_iter().filter(|&s| s <= text.len()) {
                        assert_eq!(
                            string_stop(&text, start),
                            reference(&text, start),
                            "len {len} stop {stop} byte {c} start {start}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn fast_paths_agree_with_the_full_readers_and_restore_the_cursor() {
        // plain_string: borrowed strings; `None` leaves the cursor for `string`.
        let mut r = Reader::new(r#"  "abc" "a\"b" 12"#);
        assert_eq!(r.plain_string(), Some("abc"));
        let at = r.offset();
        assert_eq!(r.plain_string(), None);
        assert_eq!(r.string().unwrap(), "a\"b");
        assert!(r.offset() > at);
        assert_eq!(r.plain_string(), None);
        // Objects: keys through the fast path, an escaped key through the slow one.
        let text = r#"{"a":1, "b\u0041":2 ,"c" : 3}"#;
        let mut r = Reader::new(text);
        assert_eq!(r.begin_plain_object(), Some(Some("a")));
        r.skip_value().unwrap();
        let at = r.offset();
        assert_eq!(r.next_plain_key(), None);
        assert_eq!(r.offset(), at);
        assert_eq!(r.next_key().unwrap().as_deref(), Some("bA"));
        r.skip_value().unwrap();
        assert_eq!(r.next_plain_key(), Some(Some("c")));
        r.skip_value().unwrap();
        assert_eq!(r.next_plain_key(), Some(None));
        let mut r = Reader::new(" { } ");
        assert_eq!(r.begin_plain_object(), Some(None));
        for bad in [r#"{"a" 1}"#, r#"["a"]"#, r#"{"a\n":1}"#, "{"] {
            let mut r = Reader::new(bad);
            assert_eq!(r.begin_plain_object(), None, "{bad}");
            assert_eq!(r.offset(), 0, "{bad}");
        }
    }

    #[test]
    fn numbers_keep_text() {
        let mut r = Reader::new("[1.50, -0, 2e10, 0.000]");
        assert!(r.begin_array().unwrap());
        assert_eq!(r.number().unwrap(), "1.50");
        assert!(r.next_element().unwrap());
        assert_eq!(r.number().unwrap(), "-0");
        assert!(r.next_element().unwrap());
        assert_eq!(r.number().unwrap(), "2e10");
        assert!(r.next_element().unwrap());
        assert_eq!(r.number().unwrap(), "0.000");
        assert!(!r.next_element().unwrap());
    }

    #[test]
    fn rejects_bad_numbers_and_strings() {
        for bad in [
            "01",
            "1.",
            "-",
            "1e",
            "\"a\u{1}\"",
            "\"abc",
            "\"\\x\"",
            "\"\\ud800\"",
        ] {
            let mut r = Reader::new(bad);
            let ok = match r.peek() {
                Ok(Kind::Number) => r.number().map(|_| ()).and_then(|_| r.finish()),
                Ok(Kind::String) => r.string().map(|_| ()),
                _ => Err(r.error("x")),
            };
            assert!(ok.is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn skip_and_raw_values() {
        let text = r#"{"a": [1, {"b": null}, "x"], "c": true} tail"#;
        let mut r = Reader::new(text);
        assert_eq!(
            r.raw_value().unwrap(),
            r#"{"a": [1, {"b": null}, "x"], "c": true}"#
        );
        assert!(r.finish().is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let mut r = Reader::new(&text);
        let e = r.skip_value().unwrap_err();
        assert!(e.message.contains("deep"));
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("ab\ncdé\nx", 7), (2, 4));
    }
}
