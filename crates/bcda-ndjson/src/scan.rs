//! A structural index of one JSON text and a validating cursor over it: the fast lane of the
//! projected read path.
//!
//! **Stage 1** ([`Index::build`]) classifies the text 64 bytes at a time into bit masks:
//! quotes, structural characters `{}[]:,`, whitespace, control characters and backslashes. The
//! classifier is a CPU kernel chosen once per process ([`Kernel`]: AVX-512, AVX2, SSE4.2 or
//! portable; `BCDA_SIMD` forces one). Backslash runs give the escaped bytes (an escaped quote
//! does not end a string); a prefix XOR of the remaining quotes gives the bytes inside
//! strings; the index keeps the position of every *token*: each structural character outside
//! strings, each opening quote, and the first byte of each number or literal. A text with
//! escapes has them checked once ([`escape::check`]); strings are only unescaped when a
//! processor reads them ([`Cursor::string`]).
//!
//! **Stage 2** ([`Cursor`]) walks the tokens. The end of a string or scalar is found without
//! scanning it: it is the last non-whitespace byte before the next token. Skipping a value walks
//! its tokens and checks the JSON grammar on the way (member separators, literals, number
//! syntax), so the fast lane accepts only valid JSON; it never builds what it skips. Nothing
//! depends on the order of an object's keys.
//!
//! The fast lane is deliberately narrow: a control character inside a string, a backslash
//! outside one, an invalid escape or an unpaired surrogate escape, an escaped object key,
//! nesting deeper than [`MAX_DEPTH`] or any grammar error makes it give up ([`Bail`]), and the
//! caller falls back to the exact serde_json path, which reports the problem with its
//! location. That keeps one source of truth for error messages.

use std::borrow::Cow;

use crate::split::line_len;

mod escape;
mod kernel;

#[cfg(target_arch = "x86_64")]
use kernel::{classify_avx2, classify_avx512, classify_sse42, flatten_avx512, prefix_xor_clmul};
use kernel::{classify_portable, flatten, prefix_xor, Masks};
pub use kernel::{Kernel, KernelError, SIMD_ENV};

/// The fast lane gave up: the text is invalid or outside what the fast lane handles. The caller
/// falls back to the complete decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bail;

/// Result of fast-lane operations.
pub type Fast<T> = Result<T, Bail>;

/// Deepest nesting the fast lane follows (serde_json's own limit is 128).
pub const MAX_DEPTH: u32 = 100;

/// What stage 1 found besides the token positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scanned {
    /// Number of tokens written.
    tokens: usize,
    /// Every byte is ASCII.
    ascii: bool,
    /// The text holds a backslash (inside a string: anything else bails).
    escapes: bool,
}

/// How far stage 1 reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extent {
    /// The whole text.
    Text,
    /// Up to the first `\n` (the end of an NDJSON line), or the whole text if none.
    Line,
}

impl Extent {
    /// Where the extent ends in `text`, searching from `from`: the end of the text, or the
    /// end of the line.
    fn end(self, text: &[u8], from: usize) -> usize {
        match self {
            Extent::Text => text.len(),
            Extent::Line => from + line_len(&text[from..]),
        }
    }
}

/// What stage 1 reports: where the text it indexed ends (`text.len()`, or the position of the
/// first `\n` for [`Extent::Line`]) and its verdict on that text.
type Stage1 = (usize, Fast<Scanned>);

/// Stage 1 over the blocks of `text` with `kernel`; writes the token positions to `out`.
fn scan_blocks(kernel: Kernel, text: &[u8], out: &mut [u32], extent: Extent) -> Stage1 {
    #[cfg(target_arch = "x86_64")]
    match kernel {
        // SAFETY (all three): `Kernel::active` and the tests only hand out a kernel whose
        // `supported()` check passed, which tests every feature the function enables.
        #[allow(unsafe_code)]
        Kernel::Avx512 => return unsafe { scan_blocks_avx512(text, out, extent) },
        #[allow(unsafe_code)]
        Kernel::Avx2 => return unsafe { scan_blocks_avx2(text, out, extent) },
        #[allow(unsafe_code)]
        Kernel::Sse42 => return unsafe { scan_blocks_sse42(text, out, extent) },
        Kernel::Portable => {}
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = kernel;
    blocks(text, out, extent, classify_portable, prefix_xor, flatten)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw,avx512vbmi,avx512vbmi2,pclmulqdq,popcnt")]
fn scan_blocks_avx512(text: &[u8], out: &mut [u32], extent: Extent) -> Stage1 {
    blocks(
        text,
        out,
        extent,
        |b| classify_avx512(b),
        |x| prefix_xor_clmul(x),
        |out, n, start, bits| flatten_avx512(out, n, start, bits),
    )
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,pclmulqdq,popcnt")]
fn scan_blocks_avx2(text: &[u8], out: &mut [u32], extent: Extent) -> Stage1 {
    blocks(
        text,
        out,
        extent,
        |b| classify_avx2(b),
        |x| prefix_xor_clmul(x),
        flatten,
    )
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse4.2,pclmulqdq,popcnt")]
fn scan_blocks_sse42(text: &[u8], out: &mut [u32], extent: Extent) -> Stage1 {
    blocks(
        text,
        out,
        extent,
        |b| classify_sse42(b),
        |x| prefix_xor_clmul(x),
        flatten,
    )
}

/// String state carried from one block to the next.
#[derive(Debug, Default, Clone, Copy)]
struct Carry {
    /// All ones while a string continues into the next block.
    in_string: u64,
    /// 1 when the first byte of the next block is escaped.
    escaped: u64,
    /// 1 when the previous block ended inside a scalar.
    scalar: u64,
}

impl Carry {
    /// The bytes of a block inside strings (from an opening quote, included, to its closing
    /// quote, excluded), and the quotes that delimit strings (escaped ones removed).
    #[inline(always)]
    fn strings(&mut self, m: &Masks, prefix_xor: impl Fn(u64) -> u64) -> (u64, u64) {
        let quote = if m.backslash | self.escaped == 0 {
            m.quote
        } else {
            m.quote & !escape::escaped(m.backslash, &mut self.escaped)
        };
        let in_string = prefix_xor(quote) ^ self.in_string;
        self.in_string = ((in_string as i64) >> 63) as u64;
        (in_string, quote)
    }
}

/// The stage-1 loop, generic over the block classifier (inlined into each CPU-specific
/// caller so the classifier's instructions are available to it).
#[inline(always)]
fn blocks(
    text: &[u8],
    out: &mut [u32],
    extent: Extent,
    classify: impl Fn(&[u8; 64]) -> Masks,
    prefix_xor: impl Fn(u64) -> u64,
    flatten: impl Fn(&mut [u32], usize, u32, u64) -> usize,
) -> Stage1 {
    // Giving up in the block at `base`: the end of the text is still needed for a line.
    let bail = |base: usize| (extent.end(text, base), Err(Bail));
    let mut n = 0usize;
    let (mut high, mut backslashes) = (0u64, 0u64);
    let mut carry = Carry::default();
    let mut pad = [b' '; 64];
    let mut base = 0usize;
    while base < text.len() {
        let rest = &text[base..];
        let block: &[u8; 64] = match rest.get(..64).and_then(|b| b.try_into().ok()) {
            Some(b) => b,
            None => {
                pad[..rest.len()].copy_from_slice(rest);
                pad[rest.len()..].fill(b' ');
                &pad
            }
        };
        prefetch(text, base + PREFETCH_AHEAD);
        let mut m = classify(block);
        // The bytes of this block that belong to the text: all, or up to the line's `\n`
        // (included: as a control character inside a string it reveals an unterminated one).
        let mut keep = u64::MAX;
        if extent == Extent::Line && m.newline != 0 {
            keep = u64::MAX >> (63 - m.newline.trailing_zeros());
            m = m.restrict(keep);
        }
        high |= m.high;
        backslashes |= m.backslash;
        let (in_string, quote) = carry.strings(&m, &prefix_xor);
        if (m.control & in_string) | (m.backslash & !in_string) != 0 {
            return bail(base);
        }
        let structural = m.structural & !in_string;
        let scalar = !(m.whitespace | m.structural | quote | in_string) & keep;
        let scalar_start = scalar & !((scalar << 1) | carry.scalar);
        carry.scalar = scalar >> 63;
        let tokens = structural | (quote & in_string) | scalar_start;
        n = flatten(out, n, base as u32, tokens);
        if extent == Extent::Line && m.newline != 0 {
            let end = base + m.newline.trailing_zeros() as usize;
            return (end, Ok(scanned(n, high, backslashes)));
        }
        base += 64;
    }
    if carry.in_string != 0 {
        return (text.len(), Err(Bail));
    }
    (text.len(), Ok(scanned(n, high, backslashes)))
}

/// Stage 1's findings from its accumulated masks.
#[inline(always)]
fn scanned(tokens: usize, high: u64, backslashes: u64) -> Scanned {
    Scanned {
        tokens,
        ascii: high == 0,
        escapes: backslashes != 0,
    }
}

/// How far ahead of the block being classified stage 1 asks for the text to be fetched into
/// the cache: reading a line once (stage 1 is also the line splitter) leaves the loads too
/// few in flight for the hardware prefetcher alone.
const PREFETCH_AHEAD: usize = 4096;

/// Hints that `text[at..]` will be read soon (nothing when `at` is past the end).
#[inline(always)]
fn prefetch(text: &[u8], at: usize) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    if let Some(p) = text.get(at) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch never faults and `p` points into `text`; SSE is part of the
        // x86_64 baseline (checked by the `cfg`).
        #[allow(unsafe_code)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(p).cast())
        };
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = (text, at);
}

/// `text` as a string; `ascii` is stage 1's finding that it holds no byte of 0x80 or above.
fn as_str(text: &[u8], ascii: bool) -> Fast<&str> {
    if ascii {
        debug_assert!(text.is_ascii());
        // SAFETY: stage 1 saw no byte of 0x80 or above, and ASCII is valid UTF-8.
        #[allow(unsafe_code)]
        return Ok(unsafe { std::str::from_utf8_unchecked(text) });
    }
    std::str::from_utf8(text).map_err(|_| Bail)
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The token positions of one JSON text. Reuse one per worker: [`Index::build`] clears it.
#[derive(Debug, Clone)]
pub struct Index {
    /// Token positions in `tokens[..len]`; the rest is scratch space.
    tokens: Vec<u32>,
    len: usize,
    /// The indexed text holds escapes (checked).
    escapes: bool,
    /// The stage-1 kernel (one the CPU supports).
    kernel: Kernel,
    /// The line [`Index::scan_line`] indexed, until [`Index::line_str`] takes it.
    line: Option<ScannedLine>,
}

/// A line indexed by [`Index::scan_line`]: its address and length, and stage 1's verdict.
#[derive(Debug, Clone, Copy)]
struct ScannedLine {
    start: usize,
    len: usize,
    scanned: Fast<Scanned>,
}

/// [`Index::scan_line`] indexes a line only if it ends within this many bytes (a longer one is
/// indexed on its own by [`Index::line_str`]): this bounds the token buffer by the window
/// instead of by the bytes left in the chunk.
pub const SCAN_LINE_WINDOW: usize = 1 << 20;

impl Default for Index {
    fn default() -> Index {
        Index {
            tokens: Vec::new(),
            len: 0,
            escapes: false,
            kernel: Kernel::active(),
            line: None,
        }
    }
}

impl Index {
    /// An empty index using the process's kernel ([`Kernel::active`]).
    pub fn new() -> Index {
        Index::default()
    }

    /// An empty index using `kernel`, or `None` when this CPU cannot run it (to compare
    /// kernels in tests and benches).
    pub fn with_kernel(kernel: Kernel) -> Option<Index> {
        kernel.supported().then(|| Index {
            kernel,
            ..Index::default()
        })
    }

    /// The stage-1 kernel this index uses.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Indexes `text`. Fails on a control character inside a string, a backslash outside one,
    /// an invalid escape or unpaired surrogate escape, an unterminated string, or a text of 4 GiB
    /// or more.
    pub fn build(&mut self, text: &[u8]) -> Fast<()> {
        self.scan(text).map(|_| ())
    }

    /// [`Index::build`], then `text` as a string: an all-ASCII text (what stage 1 saw) needs no
    /// second pass; any other text goes through the standard UTF-8 check, and invalid UTF-8
    /// gives up.
    pub fn build_str<'a>(&mut self, text: &'a [u8]) -> Fast<&'a str> {
        let ascii = self.scan(text)?.ascii;
        as_str(text, ascii)
    }

    /// Finds the end of the NDJSON line at the start of `rest` (the position of its first
    /// `\n`, or `rest.len()`) and indexes the line in the same pass: stage 1 doubles as the
    /// line splitter, so the bytes are read once. [`Index::line_str`] then hands the line out
    /// without scanning it again. A line longer than [`SCAN_LINE_WINDOW`] is only measured.
    pub fn scan_line(&mut self, rest: &[u8]) -> usize {
        self.line = None;
        let window = &rest[..rest.len().min(SCAN_LINE_WINDOW)];
        let (end, scanned) = self.stage1(window, Extent::Line);
        if end == window.len() && window.len() < rest.len() {
            return window.len() + line_len(&rest[window.len()..]);
        }
        self.line = Some(ScannedLine {
            start: rest.as_ptr() as usize,
            len: end,
            scanned,
        });
        end
    }

    /// `line` as a string with its index built: the work of [`Index::scan_line`] when it
    /// scanned this very line (the same bytes, or the same less a final `\r`), otherwise
    /// [`Index::build_str`]. Either way the scanned line is forgotten.
    pub fn line_str<'a>(&mut self, line: &'a [u8]) -> Fast<&'a str> {
        match self.line.take() {
            Some(l)
                if l.start == line.as_ptr() as usize
                    && (l.len == line.len() || l.len == line.len() + 1) =>
            {
                // A dropped `\r` is whitespace: no token pointed at it.
                as_str(line, l.scanned?.ascii)
            }
            _ => self.build_str(line),
        }
    }

    fn scan(&mut self, text: &[u8]) -> Fast<Scanned> {
        self.line = None;
        self.stage1(text, Extent::Text).1
    }

    fn stage1(&mut self, text: &[u8], extent: Extent) -> Stage1 {
        self.len = 0;
        if u32::try_from(text.len()).is_err() {
            return (extent.end(text, 0), Err(Bail));
        }
        // Room for every byte to be a token, plus one block of scratch space for `flatten`.
        let room = text.len() + 64;
        if self.tokens.len() < room {
            self.tokens.resize(room, 0);
        }
        let (end, mut scanned) = scan_blocks(self.kernel, text, &mut self.tokens, extent);
        if let Ok(s) = scanned {
            if s.escapes && !escape::check(&text[..end]) {
                scanned = Err(Bail);
            } else {
                self.len = s.tokens;
                self.escapes = s.escapes;
            }
        }
        (end, scanned)
    }

    /// Token positions, in order.
    pub fn tokens(&self) -> &[u32] {
        &self.tokens[..self.len]
    }

    /// A cursor at the first token of `text`, which must be the text this index was built
    /// from.
    pub fn cursor<'a, 't>(&'t self, text: &'a str) -> Cursor<'a, 't> {
        Cursor {
            text,
            bytes: text.as_bytes(),
            tokens: self.tokens(),
            i: 0,
            depth: 0,
            escapes: self.escapes,
        }
    }
}

/// Walks the tokens of an [`Index`], checking the JSON grammar.
#[derive(Debug)]
pub struct Cursor<'a, 't> {
    text: &'a str,
    bytes: &'a [u8],
    tokens: &'t [u32],
    i: usize,
    depth: u32,
    /// The text holds escapes: strings and keys must be looked at for backslashes.
    escapes: bool,
}

impl<'a> Cursor<'a, '_> {
    fn pos(&self) -> Fast<usize> {
        self.tokens.get(self.i).map(|&p| p as usize).ok_or(Bail)
    }

    /// First byte of the current token.
    pub fn peek(&self) -> Fast<u8> {
        Ok(self.bytes[self.pos()?])
    }

    /// End (exclusive) of the current token's text: the last non-whitespace byte before the
    /// next token.
    fn token_end(&self, start: usize) -> usize {
        self.end_before(self.i, start)
    }

    /// Consumes the current token, which must be the single byte `c`.
    pub fn expect(&mut self, c: u8) -> Fast<()> {
        if self.peek()? == c {
            self.i += 1;
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// True when every token has been consumed.
    pub fn at_end(&self) -> bool {
        self.i == self.tokens.len()
    }

    /// Consumes a string and returns its content: borrowed from the text, or unescaped when it
    /// holds escapes (only the strings read are unescaped).
    pub fn string(&mut self) -> Fast<Cow<'a, str>> {
        let start = self.pos()?;
        if self.bytes[start] != b'"' {
            return Err(Bail);
        }
        let end = self.token_end(start);
        if end < start + 2 || self.bytes[end - 1] != b'"' {
            return Err(Bail);
        }
        self.i += 1;
        let content = self.text.get(start + 1..end - 1).ok_or(Bail)?;
        if self.escapes && memchr::memchr(b'\\', content.as_bytes()).is_some() {
            return escape::unescape(&self.text[start..end]);
        }
        Ok(Cow::Borrowed(content))
    }

    /// Consumes a number or literal and returns its text after checking its syntax.
    pub fn scalar(&mut self) -> Fast<&'a str> {
        let start = self.pos()?;
        let end = self.token_end(start);
        if !is_scalar(&self.bytes[start..end]) {
            return Err(Bail);
        }
        self.i += 1;
        self.text.get(start..end).ok_or(Bail)
    }

    /// Consumes a number and returns its text.
    pub fn number(&mut self) -> Fast<&'a str> {
        match self.peek()? {
            b'-' | b'0'..=b'9' => self.scalar(),
            _ => Err(Bail),
        }
    }

    fn enter(&mut self, open: u8) -> Fast<bool> {
        self.expect(open)?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        let close = open + 2; // `{`→`}`, `[`→`]`
        if self.peek()? == close {
            self.i += 1;
            self.depth -= 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// After a member or element: `,` (true, another follows) or the closing bracket.
    fn next_or_close(&mut self, close: u8) -> Fast<bool> {
        let c = self.peek()?;
        self.i += 1;
        if c == b',' {
            Ok(true)
        } else if c == close {
            self.depth -= 1;
            Ok(false)
        } else {
            Err(Bail)
        }
    }

    /// Consumes a member's key and its `:`, returning the key's bytes.
    fn key(&mut self) -> Fast<&'a [u8]> {
        let start = self.pos()?;
        let colon = *self.tokens.get(self.i + 1).ok_or(Bail)? as usize;
        if self.bytes[start] != b'"' || self.bytes[colon] != b':' {
            return Err(Bail);
        }
        let mut end = colon;
        while is_ws(self.bytes[end - 1]) {
            end -= 1;
        }
        self.i += 2;
        // `end - 1` is the closing quote: the index ends every string before the next token.
        let key = &self.bytes[start + 1..end - 1];
        // An escaped key is left to serde_json (it would not match the projected names).
        if self.escapes && memchr::memchr(b'\\', key).is_some() {
            return Err(Bail);
        }
        Ok(key)
    }

    /// Consumes an object, calling `member` with each key; `member` must consume the value.
    pub fn object(&mut self, mut member: impl FnMut(&mut Self, &'a [u8]) -> Fast<()>) -> Fast<()> {
        if !self.enter(b'{')? {
            return Ok(());
        }
        loop {
            let key = self.key()?;
            member(self, key)?;
            if !self.next_or_close(b'}')? {
                return Ok(());
            }
        }
    }

    /// Consumes an array, calling `element` for each element; `element` must consume it.
    pub fn array(&mut self, mut element: impl FnMut(&mut Self) -> Fast<()>) -> Fast<()> {
        if !self.enter(b'[')? {
            return Ok(());
        }
        loop {
            element(self)?;
            if !self.next_or_close(b']')? {
                return Ok(());
            }
        }
    }

    /// Consumes any value, checking its grammar without building it.
    pub fn skip(&mut self) -> Fast<()> {
        match self.peek()? {
            // The index only keeps strings that close before the next token and hold no
            // control character or invalid escape: nothing is left to check.
            b'"' => {
                self.i += 1;
                Ok(())
            }
            b'{' | b'[' => self.skip_container(),
            b'}' | b']' | b':' | b',' => Err(Bail),
            _ => self.scalar().map(drop),
        }
    }

    /// Skips the object or array at the cursor in one loop over its tokens (no recursion),
    /// checking the grammar as a small state machine.
    fn skip_container(&mut self) -> Fast<()> {
        #[derive(Clone, Copy)]
        enum State {
            Value,
            ObjectFirst,
            ArrayFirst,
            AfterValue,
        }
        let (bytes, tokens) = (self.bytes, self.tokens);
        let room = MAX_DEPTH.saturating_sub(self.depth);
        // Open containers as a bit stack: 1 = object, 0 = array.
        let mut stack: u128 = 0;
        let mut depth = 0u32;
        let mut i = self.i;
        let mut state = State::Value;
        loop {
            if depth == 0 && matches!(state, State::AfterValue) {
                self.i = i;
                return Ok(());
            }
            let pos = *tokens.get(i).ok_or(Bail)? as usize;
            let b = bytes[pos];
            match state {
                State::Value | State::ArrayFirst => match b {
                    b'"' => {
                        i += 1;
                        state = State::AfterValue;
                    }
                    b'{' | b'[' => {
                        depth += 1;
                        if depth > room {
                            return Err(Bail);
                        }
                        stack = (stack << 1) | u128::from(b == b'{');
                        i += 1;
                        state = if b == b'{' {
                            State::ObjectFirst
                        } else {
                            State::ArrayFirst
                        };
                    }
                    b']' if matches!(state, State::ArrayFirst) => {
                        i += 1;
                        depth -= 1;
                        stack >>= 1;
                        state = State::AfterValue;
                    }
                    b'}' | b']' | b':' | b',' => return Err(Bail),
                    _ => {
                        let end = self.end_before(i, pos);
                        if !is_scalar(&bytes[pos..end]) {
                            return Err(Bail);
                        }
                        i += 1;
                        state = State::AfterValue;
                    }
                },
                State::ObjectFirst => match b {
                    b'}' => {
                        i += 1;
                        depth -= 1;
                        stack >>= 1;
                        state = State::AfterValue;
                    }
                    b'"' => {
                        i = self.after_colon(i)?;
                        state = State::Value;
                    }
                    _ => return Err(Bail),
                },
                State::AfterValue => {
                    let in_object = stack & 1 == 1;
                    match b {
                        b',' if in_object => {
                            i += 1;
                            let next = *tokens.get(i).ok_or(Bail)? as usize;
                            if bytes[next] != b'"' {
                                return Err(Bail);
                            }
                            i = self.after_colon(i)?;
                            state = State::Value;
                        }
                        b',' => {
                            i += 1;
                            state = State::Value;
                        }
                        b'}' if in_object => {
                            i += 1;
                            depth -= 1;
                            stack >>= 1;
                        }
                        b']' if !in_object => {
                            i += 1;
                            depth -= 1;
                            stack >>= 1;
                        }
                        _ => return Err(Bail),
                    }
                }
            }
        }
    }

    /// For a key at token `i`: checks that token `i + 1` is `:` and returns `i + 2`.
    fn after_colon(&self, i: usize) -> Fast<usize> {
        let colon = *self.tokens.get(i + 1).ok_or(Bail)? as usize;
        if self.bytes[colon] == b':' {
            Ok(i + 2)
        } else {
            Err(Bail)
        }
    }

    /// End (exclusive) of the text of token `i` starting at `start`.
    fn end_before(&self, i: usize, start: usize) -> usize {
        let mut end = self
            .tokens
            .get(i + 1)
            .map_or(self.bytes.len(), |&p| p as usize);
        while end > start + 1 && is_ws(self.bytes[end - 1]) {
            end -= 1;
        }
        end
    }
}

/// A literal or a number.
fn is_scalar(t: &[u8]) -> bool {
    match t.first() {
        Some(b't') => t == b"true",
        Some(b'f') => t == b"false",
        Some(b'n') => t == b"null",
        _ => is_number(t),
    }
}

/// JSON number syntax: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_number(t: &[u8]) -> bool {
    let mut i = usize::from(t.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let s = *i;
        while t.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - s
    };
    match t.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if t.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(t.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(t.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == t.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fast-lane verdict on a whole text: valid JSON (true) or bail (false).
    fn accepts(text: &str) -> bool {
        let mut ix = Index::new();
        if ix.build(text.as_bytes()).is_err() {
            return false;
        }
        let mut c = ix.cursor(text);
        c.skip().is_ok() && c.at_end()
    }

    #[test]
    fn tokens_of_a_small_text() {
        let text = r#"{"a": [1, true, "x y"], "b":{}}"#;
        let mut ix = Index::new();
        ix.build(text.as_bytes()).unwrap();
        let firsts: String = ix
            .tokens()
            .iter()
            .map(|&p| text.as_bytes()[p as usize] as char)
            .collect();
        assert_eq!(firsts, r#"{":[1,t,"],":{}}"#);
    }

    #[test]
    fn agrees_with_serde_json_on_valid_and_invalid_texts() {
        let cases = [
            r#"{}"#,
            r#"{"a":1}"#,
            r#" { "a" : [ 1 , -2.5e+3 , 0 , null , true , false , "s" ] } "#,
            r#"{"a":{"b":{"c":[[],{}]}}}"#,
            r#"{"a":1,}"#,
            r#"{"a":1 "b":2}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":1e}"#,
            r#"{"a":tru}"#,
            r#"{"a":nul}"#,
            r#"{"a":truex}"#,
            r#"{"a" 1}"#,
            r#"{"a":}"#,
            r#"{a:1}"#,
            r#"{"a":1}}"#,
            r#"{"a":1} x"#,
            r#"{"a":"unterminated}"#,
            r#"{"a":[1,2}"#,
            r#"{"a":"x"y}"#,
            r#"["a",]"#,
            r#"[,]"#,
            "{\"a\":\"tab\there\"}",
            "{\"a\":\n1}",
            r#""#,
            r#"   "#,
            r#"1 2"#,
            r#"{"a":"x","b":"y","c":[1,[2,[3,{"d":"e"}]]]}"#,
            r#",{}"#,
            r#"{},"#,
            r#"{} ,"#,
            r#"{"a":1,,"b":2}"#,
            r#"{"a"::1}"#,
            r#"{"a":1:"b":2}"#,
            r#"{"a","b"}"#,
            r#"{,"a":1}"#,
            r#"{"a":[,1]}"#,
            r#"{"a":[1,,2]}"#,
            r#"{"a":[1 , 2] , "b" : { } }"#,
            r#"{"a":["x" , , "y"]}"#,
            r#"{"a":["x"  "y"]}"#,
            r#"{"a":{"b":1,}}"#,
            r#"{"a":{"b":1 ,}}"#,
            r#"{"a":[{}, {} ,{}]}"#,
            r#"{"a":{"b"}}"#,
            r#"{"a":{"b":}}"#,
            r#"{"a":{:1}}"#,
            r#"{"a":[:]}"#,
            r#"{"a":"b":"c"}"#,
            r#"{"a":1 2}"#,
            r#"{"a":"x\"y","b\"c":"\\","d":"\/\b\f\n\r\t"}"#,
            r#"{"a":"\u00e9\u2019\u003c\uD83D\uDE00"}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12"}"#,
            r#"{"a":"\u12G4"}"#,
            r#"{"a":"\"}"#,
            r#"{"a":"x"\}"#,
            r#"{"a":"\\\"}"#,
        ];
        for case in cases {
            let serde = serde_json::from_str::<serde::de::IgnoredAny>(case).is_ok();
            assert_eq!(accepts(case), serde, "{case:?}");
        }
    }

    #[test]
    fn long_texts_cross_block_boundaries() {
        // Strings and numbers straddling the 64-byte blocks, at every alignment.
        for pad in 0..70 {
            let text = format!(
                r#"{{"{}":"{}","n":{}12345.678e-9,"t":true}}"#,
                "k".repeat(pad),
                "v".repeat(130 - pad),
                "9".repeat(pad + 1)
            );
            assert!(accepts(&text), "{text}");
            let bad = text.replace("true", "tr ue");
            assert!(!accepts(&bad), "{bad}");
        }
    }

    #[test]
    fn refuses_what_it_does_not_handle() {
        assert!(accepts(r#"{"a":"x\"y"}"#), "escapes stay on the fast lane");
        assert!(
            !accepts(r#"{"a":"x\qy"}"#),
            "an invalid escape goes to the slow path"
        );
        assert!(!accepts(r#"{"a":1\}"#), "a backslash outside a string");
        let deep = format!("{}{}", "[".repeat(101), "]".repeat(101));
        assert!(!accepts(&deep));
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(accepts(&ok));
    }

    /// The classifier, prefix XOR and flattener of `kernel` (the CPU must support it).
    #[allow(unsafe_code)]
    fn kernel_parts_agree(kernel: Kernel, block: &[u8; 64], seed: u64) {
        assert!(kernel.supported());
        let want = classify_portable(block);
        let mut a = vec![0u32; 128];
        let mut b = vec![0u32; 128];
        let n = flatten(&mut a, 3, 640, seed);
        // SAFETY: the CPU supports the kernel (asserted above), which tests every feature
        // these functions enable.
        #[cfg(target_arch = "x86_64")]
        unsafe {
            let (got, x, m) = match kernel {
                Kernel::Avx512 => (
                    classify_avx512(block),
                    prefix_xor_clmul(seed),
                    flatten_avx512(&mut b, 3, 640, seed),
                ),
                Kernel::Avx2 => (
                    classify_avx2(block),
                    prefix_xor_clmul(seed),
                    flatten(&mut b, 3, 640, seed),
                ),
                Kernel::Sse42 => (
                    classify_sse42(block),
                    prefix_xor_clmul(seed),
                    flatten(&mut b, 3, 640, seed),
                ),
                Kernel::Portable => (
                    classify_portable(block),
                    prefix_xor(seed),
                    flatten(&mut b, 3, 640, seed),
                ),
            };
            assert_eq!(got, want, "{kernel:?}");
            assert_eq!(x, prefix_xor(seed), "{kernel:?}");
            assert_eq!(m, n, "{kernel:?}");
            assert_eq!(a[3..n], b[3..n], "{kernel:?}");
        }
    }

    #[test]
    fn every_kernel_classifies_and_flattens_like_the_portable_one() {
        // Blocks mixing every byte class, shifted through all positions.
        // High bytes include the ones whose low 7 bits are a quote, a backslash, a bracket or a
        // newline: the table lookup must not see them as such.
        let alphabet = b"{}[]:,\" \t\n\r\\\x01\x1f\x7f\xc3az09-.\x80\xa2\xdc\xfb\x8a\xff";
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let kernels = Kernel::available();
        assert!(kernels.len() >= 2 || !cfg!(target_arch = "x86_64"));
        for _ in 0..2000 {
            let mut block = [0u8; 64];
            for b in &mut block {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *b = alphabet[(seed % alphabet.len() as u64) as usize];
            }
            for &k in &kernels {
                kernel_parts_agree(k, &block, seed);
            }
        }
    }

    /// Stage 1 of `text` with every kernel this CPU has: the same verdict and tokens as the
    /// portable kernel, for the whole text and as a line.
    fn kernels_agree_on(text: &[u8]) {
        for extent in [Extent::Text, Extent::Line] {
            let mut want = vec![0u32; text.len() + 64];
            let (end, verdict) = scan_blocks(Kernel::Portable, text, &mut want, extent);
            for k in Kernel::available() {
                let mut got = vec![0u32; text.len() + 64];
                let (e, v) = scan_blocks(k, text, &mut got, extent);
                let show = String::from_utf8_lossy(text);
                assert_eq!((e, v), (end, verdict), "{k:?} {extent:?} {show}");
                if let Ok(s) = v {
                    assert_eq!(got[..s.tokens], want[..s.tokens], "{k:?} {show}");
                }
            }
        }
    }

    #[test]
    fn every_kernel_indexes_texts_like_the_portable_one() {
        let long = "0123456789".repeat(13);
        let mut texts = vec![
            format!(r#"{{"k":[1,true,"x y",{{"z":null}}],"long":"{long}"}}"#),
            r#"{"a":"x\"y","b":"\\","c":"\\\"","d":"\u00e9\/\n"}"#.to_string(),
            "{\"a\":\"tab\there\"}\n{\"b\":1}".to_string(),
            "{\"a\":\"é日本\",\"b\":[]}\n".to_string(),
            r#"{"a":"unterminated\"}"#.to_string(),
            r#"{"a":1}\ {"b":2}"#.to_string(),
        ];
        // Escapes and backslash runs at every offset, across block boundaries.
        for pad in 0..70 {
            let run = "\\".repeat(1 + pad % 5);
            texts.push(format!(
                r#"{{"{}":"{}{}\"x","n":{},"s":"\u2019 \u003c"}}"#,
                "k".repeat(pad),
                "v".repeat(130 - pad),
                run,
                pad
            ));
        }
        for t in &texts {
            kernels_agree_on(t.as_bytes());
        }
    }

    #[test]
    fn build_str_checks_utf8_only_when_not_ascii() {
        let mut index = Index::new();
        let ascii = br#"{"a":"plain"}"#;
        assert_eq!(index.build_str(ascii), Ok(r#"{"a":"plain"}"#));
        // Non-ASCII in the first and in a later block, valid and invalid.
        let pad = "x".repeat(70);
        for (text, ok) in [
            (r#"{"a":"é"}"#.as_bytes().to_vec(), true),
            (format!(r#"{{"a":"{pad}","b":"日本"}}"#).into_bytes(), true),
            (b"{\"a\":\"\xff\"}".to_vec(), false),
            (
                [format!(r#"{{"a":"{pad}","b":""#).as_bytes(), b"\xc3\"}"].concat(),
                false,
            ),
        ] {
            let got = index.build_str(&text);
            assert_eq!(got.is_ok(), ok, "{}", String::from_utf8_lossy(&text));
            if ok {
                assert_eq!(got.unwrap().as_bytes(), &text[..]);
                assert!(index.tokens().len() > 4);
            }
        }
    }

    /// Splits `text` with [`Index::scan_line`] and checks every line against `memchr` and
    /// against indexing the line on its own.
    fn check_scan_lines(text: &[u8]) {
        let (mut by_line, mut alone) = (Index::new(), Index::new());
        let mut pos = 0;
        let mut want = text.split(|&b| b == b'\n');
        while pos < text.len() {
            let rest = &text[pos..];
            let len = by_line.scan_line(rest);
            let line = &rest[..len];
            assert_eq!(Some(line), want.next(), "{}", String::from_utf8_lossy(text));
            let got = by_line.line_str(line);
            assert_eq!(
                got,
                alone.build_str(line),
                "{}",
                String::from_utf8_lossy(line)
            );
            if got.is_ok() {
                assert_eq!(by_line.tokens(), alone.tokens());
            }
            pos += len + 1;
        }
    }

    #[test]
    fn scan_line_splits_and_indexes_like_memchr_and_build() {
        let long = "x".repeat(150);
        let cases: Vec<String> = vec![
            String::new(),
            "{}".into(),
            "{}\n".into(),
            "{\"a\":1}\n{\"b\":[true,null]}\n\n  \n{\"c\":\"d\"}".into(),
            // A newline inside a string ends the line (and makes the text before it invalid).
            "{\"a\":\"open\n\"}\n{\"b\":2}\n".into(),
            // Escapes and control characters make a line bail, not its neighbours.
            "{\"a\":\"x\\\"y\"}\n{\"b\":2}\n{\"c\":\"\t\"}\n{\"d\":3}".into(),
            // CRLF, non-ASCII, an unterminated string as the last line.
            "{\"a\":1}\r\n{\"é\":\"日本\"}\n{\"z\":\"unterminated".into(),
            // Lines and newlines at every offset of a 64-byte block.
            (0..70)
                .map(|i| format!("{{\"{}\":{}}}\n", &long[..i], i))
                .collect(),
            format!("{{\"k\":\"{long}\",\"n\":-1.5e3}}\n{{\"k\":\"{long}\\n\"}}\n[1,2]"),
        ];
        for case in &cases {
            check_scan_lines(case.as_bytes());
        }
        // Invalid UTF-8 bails on its line only.
        check_scan_lines(b"{\"a\":\"\xff\"}\n{\"b\":1}\n");
        // Lines around the window's size: measured past it, indexed on their own.
        for extra in [0, 1, 2] {
            let big = format!(
                "{{\"a\":\"{}\"}}\n{{\"b\":1}}\n",
                "v".repeat(SCAN_LINE_WINDOW - 9 + extra)
            );
            check_scan_lines(big.as_bytes());
        }
    }

    #[test]
    fn line_str_uses_the_scanned_line_only_for_that_line() {
        let text = b"{\"a\":1}\r\n{\"b\":[2]}\n";
        let mut index = Index::new();
        let len = index.scan_line(text);
        assert_eq!(len, 8);
        // The engine drops the `\r`: the scan still applies.
        assert_eq!(index.line_str(&text[..7]), Ok("{\"a\":1}"));
        assert_eq!(index.tokens().len(), 5);
        // Another line (the scan was taken): indexed on its own.
        let second = &text[9..text.len() - 1];
        assert_eq!(index.line_str(second), Ok("{\"b\":[2]}"));
        assert_eq!(index.tokens().len(), 7);
        // A line that is not the scanned one is indexed on its own too.
        index.scan_line(text);
        assert_eq!(index.line_str(second), Ok("{\"b\":[2]}"));
        assert_eq!(index.tokens().len(), 7);
    }

    #[test]
    fn numbers() {
        for ok in ["0", "-0", "12", "1.5", "1e5", "1E+5", "-1.25e-3"] {
            assert!(is_number(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "1e+", "+1", "0x1", "1.5.5"] {
            assert!(!is_number(bad.as_bytes()), "{bad}");
        }
    }
}
