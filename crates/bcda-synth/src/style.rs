//! The byte style of the NDJSON the generator writes: key order, number text, string escapes.
//!
//! BCDA does not pass BFD's bytes through: its worker decodes every resource into a Go
//! `map[string]interface{}` and marshals it again (`bcdaworker/worker/worker.go`,
//! `fhirBundleToResourceNDJSON`). What ACOs download therefore has the keys of every object
//! sorted by byte order, numbers in Go's `float64` text (`50`, not `50.00`) and Go's string
//! escapes (`<` `>` `&` as `\u003c` `\u003e` `\u0026`). [`Style::default`] is that style;
//! [`KeyOrder::Bfd`] gives BFD's own order and number text (`resourceType` first, `50.00`).
//!
//! The generator writes every style directly: the JSON writer sorts an object's members when
//! the object closes (its nested objects are already sorted by then), so no line is parsed
//! and re-serialised.

use crate::SynthError;
use std::fmt;
use std::str::FromStr;

/// Order of the keys in every object, and the matching number text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum KeyOrder {
    /// BCDA's: keys of every object sorted by byte order at every level, as Go's
    /// `encoding/json` writes a `map[string]interface{}` (`resourceType` ends up near the end);
    /// numbers as Go formats a `float64` (`strconv` 'f' with the shortest precision, exponent
    /// form below 1e-6 and from 1e21).
    #[default]
    Go,
    /// BFD's: the order HAPI FHIR writes (`resourceType` first, then the element order of the
    /// StructureDefinition); money with two decimals as BFD stores it (`120.00`).
    Bfd,
}

/// How strings are escaped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TextEscapes {
    /// Raw UTF-8 with Go's escapes: `"` `\` as `\"` `\\`; `\b` `\f` `\n` `\r` `\t`; other
    /// control characters as `\u00XX`; `<` `>` `&` as `\u003c` `\u003e` `\u0026`; U+2028 and
    /// U+2029 as `\u2028` `\u2029` (Go 1.22 and later, which BCDA builds with).
    #[default]
    Utf8,
    /// Raw UTF-8 with only the escapes JSON requires (`"` `\` and control characters, as
    /// [`TextEscapes::Utf8`] writes them), as BFD's HAPI FHIR writer does: no HTML escapes.
    Minimal,
    /// ASCII only, as Python's `json.dumps` and some Java encoders write: every non-ASCII
    /// character as `\uXXXX` (a surrogate pair above the BMP), lowercase hex; `"` `\` and
    /// control characters as in [`TextEscapes::Utf8`]; no HTML escapes.
    AsciiEscaped,
}

/// The byte style of the output: BCDA's (Go order, UTF-8) by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Style {
    /// Key order and number text.
    pub keys: KeyOrder,
    /// String escapes.
    pub text: TextEscapes,
}

impl Style {
    /// BFD's own bytes: its key order and number text, raw UTF-8 with only the escapes JSON
    /// requires (what the generator wrote before styles).
    pub const BFD: Style = Style {
        keys: KeyOrder::Bfd,
        text: TextEscapes::Minimal,
    };
}

impl FromStr for KeyOrder {
    type Err = SynthError;
    fn from_str(s: &str) -> Result<Self, SynthError> {
        match s.to_ascii_lowercase().as_str() {
            "go" | "bcda" | "sorted" => Ok(KeyOrder::Go),
            "bfd" => Ok(KeyOrder::Bfd),
            _ => Err(SynthError::UnknownStyle {
                axis: "key order",
                value: s.to_string(),
                expected: "go (BCDA's sorted keys) or bfd",
            }),
        }
    }
}

impl FromStr for TextEscapes {
    type Err = SynthError;
    fn from_str(s: &str) -> Result<Self, SynthError> {
        match s.to_ascii_lowercase().as_str() {
            "utf8" | "utf-8" => Ok(TextEscapes::Utf8),
            "ascii" | "ascii-escaped" => Ok(TextEscapes::AsciiEscaped),
            "minimal" => Ok(TextEscapes::Minimal),
            _ => Err(SynthError::UnknownStyle {
                axis: "text escapes",
                value: s.to_string(),
                expected: "utf8, minimal or ascii",
            }),
        }
    }
}

impl fmt::Display for KeyOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyOrder::Go => "go",
            KeyOrder::Bfd => "bfd",
        })
    }
}

impl fmt::Display for TextEscapes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextEscapes::Utf8 => "utf8",
            TextEscapes::AsciiEscaped => "ascii",
            TextEscapes::Minimal => "minimal",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_axes() {
        assert_eq!("go".parse::<KeyOrder>().unwrap(), KeyOrder::Go);
        assert_eq!("BFD".parse::<KeyOrder>().unwrap(), KeyOrder::Bfd);
        assert_eq!(
            "ascii".parse::<TextEscapes>().unwrap(),
            TextEscapes::AsciiEscaped
        );
        assert_eq!("utf8".parse::<TextEscapes>().unwrap(), TextEscapes::Utf8);
        let e = "xml".parse::<KeyOrder>().unwrap_err().to_string();
        assert!(e.contains("\"xml\"") && e.contains("bfd"), "{e}");
        assert_eq!(
            Style::default(),
            Style {
                keys: KeyOrder::Go,
                text: TextEscapes::Utf8
            }
        );
    }
}
