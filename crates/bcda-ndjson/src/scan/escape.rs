//! Escapes in the fast lane: which bytes a backslash escapes (stage 1, 64 at a time), the check
//! of every escape sequence of a text that has any, and unescaping one string.

use std::borrow::Cow;

use super::{Bail, Fast};

/// The bytes of a block escaped by a backslash: the byte after each backslash that is not
/// itself escaped (in a run of backslashes, every second one escapes the next byte). `carry`
/// is 1 when the first byte of this block is escaped by the previous block's last backslash,
/// and is updated for the next block. Branch-free odd-run detection (as simdjson does it).
#[inline(always)]
pub(super) fn escaped(backslash: u64, carry: &mut u64) -> u64 {
    const EVEN: u64 = 0x5555_5555_5555_5555;
    // An escaped backslash escapes nothing.
    let backslash = backslash & !*carry;
    let follows_escape = (backslash << 1) | *carry;
    // Runs starting on an odd bit, then the carries of adding them to the runs: a run that
    // starts on an even bit leaves its end bit's neighbour flipped.
    let odd_starts = backslash & !EVEN & !follows_escape;
    let (even_runs, overflow) = odd_starts.overflowing_add(backslash);
    *carry = u64::from(overflow);
    let invert = even_runs << 1;
    (EVEN ^ invert) & follows_escape
}

/// Four hex digits at `text[at..at + 4]`, as a number.
fn hex4(text: &[u8], at: usize) -> Option<u32> {
    let digits = text.get(at..at + 4)?;
    digits
        .iter()
        .try_fold(0u32, |n, &d| Some(n * 16 + char::from(d).to_digit(16)?))
}

/// Checks every escape sequence of `text`, whose backslashes all lie inside strings (stage 1
/// made sure): one of `\" \\ \/ \b \f \n \r \t`, or `\u` and four hex digits, a surrogate only
/// as a high one immediately followed by an escaped low one. Anything else fails, and the
/// line goes to serde_json, which decides (it refuses a lone surrogate in a string it reads but
/// not in one it skips, so the fast lane never has to tell the two apart).
pub(super) fn check(text: &[u8]) -> bool {
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'\\', &text[i..]) {
        let at = i + off + 1;
        i = match text.get(at) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => at + 1,
            Some(b'u') => match unicode(text, at + 1) {
                Some(end) => end,
                None => return false,
            },
            _ => return false,
        };
    }
    true
}

/// The end of a `\u` escape whose hex digits start at `at` (and of its low surrogate when it
/// is a high one), or `None` when it is not a valid code point.
fn unicode(text: &[u8], at: usize) -> Option<usize> {
    let unit = hex4(text, at)?;
    match unit {
        0xD800..=0xDBFF => {
            if text.get(at + 4..at + 6) != Some(b"\\u") {
                return None;
            }
            let low = hex4(text, at + 6)?;
            (0xDC00..=0xDFFF).contains(&low).then_some(at + 10)
        }
        0xDC00..=0xDFFF => None,
        _ => Some(at + 4),
    }
}

/// The content of the string `quoted` (quotes included) with its escapes replaced, by
/// serde_json itself, so the fast lane's strings are exactly the serde lane's.
pub(super) fn unescape(quoted: &str) -> Fast<Cow<'_, str>> {
    serde_json::from_str::<String>(quoted)
        .map(Cow::Owned)
        .map_err(|_| Bail)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The escaped bytes of `text`, byte by byte (the reference).
    fn escaped_reference(text: &[u8]) -> Vec<bool> {
        let mut out = vec![false; text.len()];
        let mut i = 0;
        while i < text.len() {
            if text[i] == b'\\' && i + 1 < text.len() {
                out[i + 1] = true;
                i += 2;
            } else {
                i += 1;
            }
        }
        out
    }

    #[test]
    fn escaped_bytes_match_a_byte_loop_across_blocks() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for round in 0..3000 {
            let len = 64 * (1 + round % 3);
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    // Mostly backslashes, to make long runs at every offset.
                    if seed.is_multiple_of(3) {
                        b'a'
                    } else {
                        b'\\'
                    }
                })
                .collect();
            let want = escaped_reference(&text);
            let mut carry = 0;
            for (k, block) in text.chunks_exact(64).enumerate() {
                let mut bits = 0u64;
                for (i, &b) in block.iter().enumerate() {
                    bits |= u64::from(b == b'\\') << i;
                }
                let got = escaped(bits, &mut carry);
                for i in 0..64 {
                    assert_eq!(
                        got >> i & 1 == 1,
                        want[64 * k + i],
                        "round {round} byte {i}"
                    );
                }
            }
        }
    }

    #[test]
    fn checks_escapes_like_serde_json_reading_a_string() {
        for (s, ok) in [
            (r#""plain""#, true),
            (r#""\" \\ \/ \b \f \n \r \t""#, true),
            (
                r#""\u00e9 \u2019 \u003c\u003e\u0026 \uD83D\uDE00 \ud83d\ude00""#,
                true,
            ),
            (r#""\x""#, false),
            (r#""\u12""#, false),
            (r#""\u12G4""#, false),
            (r#""\uD83D""#, false),
            (r#""\uD83Dx""#, false),
            (r#""\uD83D\u0041""#, false),
            (r#""\uDE00""#, false),
            (r#""\uD83D\uD83D""#, false),
        ] {
            assert_eq!(check(s.as_bytes()), ok, "{s}");
            assert_eq!(
                serde_json::from_str::<String>(s).is_ok(),
                ok,
                "serde_json disagrees on {s}"
            );
            if ok {
                let want = serde_json::from_str::<String>(s).unwrap();
                assert_eq!(unescape(s).unwrap(), want);
            }
        }
    }
}
