//! FHIR primitive values: lexical decimals, validated-on-demand dates, and the [`Primitive`] trait
//! that generated code uses to read and write them.

use crate::json::{Kind, Reader, Writer};
use std::borrow::Cow;
use std::fmt;

/// A string from the input (borrowed unless it had escapes) or built by code.
pub type Str<'a> = Cow<'a, str>;

/// The FHIR primitive type of a field, for format validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimKind {
    /// `string`
    String,
    /// `markdown`
    Markdown,
    /// `code`
    Code,
    /// `id`
    Id,
    /// `uri`
    Uri,
    /// `url`
    Url,
    /// `canonical`
    Canonical,
    /// `oid`
    Oid,
    /// `uuid`
    Uuid,
    /// `base64Binary`
    Base64Binary,
    /// `xhtml`
    Xhtml,
    /// `boolean`
    Boolean,
    /// `integer`
    Integer,
    /// `positiveInt`
    PositiveInt,
    /// `unsignedInt`
    UnsignedInt,
    /// `decimal`
    Decimal,
    /// `date`
    Date,
    /// `dateTime`
    DateTime,
    /// `instant`
    Instant,
    /// `time`
    Time,
}

/// A value that can appear as a FHIR primitive in JSON.
pub trait Primitive<'a>: Sized {
    /// The issue code of a failed [`Primitive::check`].
    const CHECK_CODE: super::issue::IssueCode = super::issue::IssueCode::Format;
    /// Reads the value; `Err` carries the JSON kind found when it is the wrong kind, or a message.
    fn read(r: &mut Reader<'a>) -> Result<Self, PrimError>;
    /// Writes the value.
    fn write(&self, w: &mut Writer);
    /// Checks the lexical form for a FHIR primitive kind; returns a message when invalid.
    fn check(&self, kind: PrimKind) -> Option<String>;
}

/// Why a primitive could not be read.
#[derive(Debug)]
pub enum PrimError {
    /// The JSON value is of another kind.
    WrongKind(&'static str, Kind),
    /// A JSON syntax error.
    Syntax(crate::json::SyntaxError),
    /// The value is of the right kind but cannot be held (e.g. `1.5` for an integer).
    Invalid(String),
}

impl fmt::Display for PrimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrimError::WrongKind(expected, found) => {
                write!(f, "expected {expected}, found {}", found.name())
            }
            PrimError::Syntax(e) => write!(f, "invalid JSON: {e}"),
            PrimError::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for PrimError {}

impl From<crate::json::SyntaxError> for PrimError {
    fn from(e: crate::json::SyntaxError) -> Self {
        PrimError::Syntax(e)
    }
}

#[inline]
fn expect(r: &mut Reader<'_>, want: Kind, name: &'static str) -> Result<(), PrimError> {
    let k = r.peek()?;
    if k != want {
        return Err(PrimError::WrongKind(name, k));
    }
    Ok(())
}

impl<'a> Primitive<'a> for Cow<'a, str> {
    /// A string without escapes comes back in registers; the rest (escapes, a wrong JSON
    /// type, bad syntax) goes through `read_string`.
    #[inline(always)]
    fn read(r: &mut Reader<'a>) -> Result<Self, PrimError> {
        match r.plain_string() {
            Some(s) => Ok(Cow::Borrowed(s)),
            None => read_string(r),
        }
    }
    #[inline]
    fn write(&self, w: &mut Writer) {
        w.string(self);
    }
    fn check(&self, kind: PrimKind) -> Option<String> {
        check_string(self, kind)
    }
}

#[inline(never)]
fn read_string<'a>(r: &mut Reader<'a>) -> Result<Cow<'a, str>, PrimError> {
    expect(r, Kind::String, "string")?;
    Ok(r.string()?)
}

impl<'a> Primitive<'a> for bool {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, PrimError> {
        expect(r, Kind::Bool, "boolean")?;
        Ok(r.boolean()?)
    }
    fn write(&self, w: &mut Writer) {
        w.boolean(*self);
    }
    fn check(&self, _: PrimKind) -> Option<String> {
        None
    }
}

impl<'a> Primitive<'a> for i64 {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, PrimError> {
        expect(r, Kind::Number, "integer")?;
        let t = r.number()?;
        t.parse::<i64>()
            .map_err(|_| PrimError::Invalid(format!("'{t}' is not an integer")))
    }
    fn write(&self, w: &mut Writer) {
        w.integer(*self);
    }
    fn check(&self, kind: PrimKind) -> Option<String> {
        let v = *self;
        match kind {
            PrimKind::PositiveInt if !(1..=i32::MAX as i64).contains(&v) => {
                Some(format!("{v} is not a positiveInt"))
            }
            PrimKind::UnsignedInt if !(0..=i32::MAX as i64).contains(&v) => {
                Some(format!("{v} is not an unsignedInt"))
            }
            PrimKind::Integer if i32::try_from(v).is_err() => {
                Some(format!("{v} is outside the 32-bit integer range"))
            }
            _ => None,
        }
    }
}

/// A FHIR `decimal`, kept as its exact text (`1.50` stays `1.50`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Decimal<'a>(pub Cow<'a, str>);

impl Decimal<'_> {
    /// The exact text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value scaled by `10^scale` and rounded toward zero, for exact fixed-point sums
    /// (`to_scaled(2)` of `12.345` is `1234`). `None` when it does not fit.
    pub fn to_scaled(&self, scale: u32) -> Option<i128> {
        let s = self.0.as_ref();
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(p) => (&s[..p], s[p + 1..].parse::<i32>().ok()?),
            None => (s, 0),
        };
        let neg = mantissa.starts_with('-');
        let m = mantissa.trim_start_matches('-');
        let (int, frac) = m.split_once('.').unwrap_or((m, ""));
        let mut digits: i128 = 0;
        for c in int.bytes().chain(frac.bytes()) {
            digits = digits.checked_mul(10)?.checked_add((c - b'0') as i128)?;
        }
        let shift = scale as i32 + exp - frac.len() as i32;
        let v = if shift >= 0 {
            digits.checked_mul(10i128.checked_pow(shift as u32)?)?
        } else {
            let d = 10i128.checked_pow((-shift) as u32).unwrap_or(i128::MAX);
            digits / d
        };
        Some(if neg { -v } else { v })
    }

    /// The value as `f64` (lossy; for display only).
    pub fn to_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }
}

impl fmt::Display for Decimal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'a> Primitive<'a> for Decimal<'a> {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, PrimError> {
        expect(r, Kind::Number, "number")?;
        Ok(Decimal(Cow::Borrowed(r.number()?)))
    }
    fn write(&self, w: &mut Writer) {
        w.raw(&self.0);
    }
    fn check(&self, _: PrimKind) -> Option<String> {
        // Constructed values are checked against the JSON number grammar; parsed ones passed it.
        let mut r = Reader::new(&self.0);
        match r.number().and_then(|_| r.finish()) {
            Ok(()) => None,
            Err(_) => Some(format!("'{}' is not a decimal", self.0)),
        }
    }
}

macro_rules! temporal {
    ($(#[$doc:meta])* $name:ident, $kind:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
        pub struct $name<'a>(pub Cow<'a, str>);

        impl $name<'_> {
            /// The exact text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// True when the text is a valid value of this type.
            pub fn is_valid(&self) -> bool {
                check_temporal(&self.0, PrimKind::$kind).is_none()
            }
        }

        impl fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'a> Primitive<'a> for $name<'a> {
                    #[inline]
            fn read(r: &mut Reader<'a>) -> Result<Self, PrimError> {
                expect(r, Kind::String, "string")?;
                Ok($name(r.string()?))
            }
            fn write(&self, w: &mut Writer) {
                w.string(&self.0);
            }
                    fn check(&self, _: PrimKind) -> Option<String> {
                check_temporal(&self.0, PrimKind::$kind)
            }
        }
    };
}

temporal!(
    /// A FHIR `date`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, kept as written.
    Date, Date
);
temporal!(
    /// A FHIR `dateTime`: a partial date, or a date and time with a zone; kept as written.
    DateTime, DateTime
);
temporal!(
    /// A FHIR `instant`: a full timestamp with a zone; kept as written.
    Instant, Instant
);
temporal!(
    /// A FHIR `time`: `hh:mm:ss` with optional fraction; kept as written.
    Time, Time
);

fn digits(s: &[u8], n: usize) -> Option<u32> {
    if s.len() < n || !s[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s[..n].iter().fold(0, |a, &d| a * 10 + (d - b'0') as u32))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses `[Y[-M[-D]]]`; returns the rest and how many parts were present.
fn date_part(s: &[u8]) -> Option<(&[u8], u8)> {
    let y = digits(s, 4)?;
    if y == 0 {
        return None;
    }
    let s = &s[4..];
    if s.first() != Some(&b'-') {
        return Some((s, 1));
    }
    let m = digits(&s[1..], 2)?;
    if !(1..=12).contains(&m) {
        return None;
    }
    let s = &s[3..];
    if s.first() != Some(&b'-') {
        return Some((s, 2));
    }
    let d = digits(&s[1..], 2)?;
    if d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some((&s[3..], 3))
}

fn time_part(s: &[u8]) -> Option<&[u8]> {
    let h = digits(s, 2)?;
    if s.get(2) != Some(&b':') || h > 23 {
        return None;
    }
    let mi = digits(&s[3..], 2)?;
    if s.get(5) != Some(&b':') || mi > 59 {
        return None;
    }
    let sec = digits(&s[6..], 2)?;
    if sec > 60 {
        return None;
    }
    let mut s = &s[8..];
    if s.first() == Some(&b'.') {
        let n = s[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        s = &s[1 + n..];
    }
    Some(s)
}

fn zone(s: &[u8]) -> bool {
    match s {
        b"Z" => true,
        [b'+' | b'-', rest @ ..] if rest.len() == 5 && rest[2] == b':' => {
            let (Some(h), Some(m)) = (digits(rest, 2), digits(&rest[3..], 2)) else {
                return false;
            };
            (h < 14 && m < 60) || (h == 14 && m == 0)
        }
        _ => false,
    }
}

fn check_temporal(text: &str, kind: PrimKind) -> Option<String> {
    let s = text.as_bytes();
    let ok = match kind {
        PrimKind::Date => matches!(date_part(s), Some((b"", _))),
        PrimKind::DateTime => match date_part(s) {
            Some((b"", _)) => true,
            Some((rest, 3)) if rest.first() == Some(&b'T') => {
                time_part(&rest[1..]).is_some_and(zone)
            }
            _ => false,
        },
        PrimKind::Instant => match date_part(s) {
            Some((rest, 3)) if rest.first() == Some(&b'T') => {
                time_part(&rest[1..]).is_some_and(zone)
            }
            _ => false,
        },
        PrimKind::Time => time_part(s).is_some_and(<[u8]>::is_empty),
        _ => true,
    };
    if ok {
        None
    } else {
        let what = match kind {
            PrimKind::Date => "date",
            PrimKind::DateTime => "dateTime",
            PrimKind::Instant => "instant",
            _ => "time",
        };
        Some(format!("'{text}' is not a valid {what}"))
    }
}

fn check_string(s: &str, kind: PrimKind) -> Option<String> {
    let bad = |what: &str| Some(format!("'{}' is not a valid {what}", truncate(s)));
    if s.is_empty() {
        return Some("empty string (FHIR strings must have content)".into());
    }
    match kind {
        PrimKind::Id
            if s.len() > 64
                || !s
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') =>
        {
            return bad("id");
        }
        PrimKind::Code if !code_ok(s) => {
            return bad("code");
        }
        PrimKind::Uri | PrimKind::Url | PrimKind::Canonical if has_whitespace(s) => {
            return bad("uri");
        }
        PrimKind::Oid => {
            let ok = s.strip_prefix("urn:oid:").is_some_and(|r| {
                let mut parts = r.split('.');
                parts.next().is_some_and(|p| matches!(p, "0" | "1" | "2"))
                    && r.contains('.')
                    && parts.all(|p| {
                        !p.is_empty()
                            && p.bytes().all(|b| b.is_ascii_digit())
                            && (p == "0" || !p.starts_with('0'))
                    })
            });
            if !ok {
                return bad("oid");
            }
        }
        PrimKind::Uuid => {
            let ok = s.strip_prefix("urn:uuid:").is_some_and(|r| {
                r.len() == 36
                    && r.bytes().enumerate().all(|(i, b)| {
                        if matches!(i, 8 | 13 | 18 | 23) {
                            b == b'-'
                        } else {
                            b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
                        }
                    })
            });
            if !ok {
                return bad("uuid");
            }
        }
        PrimKind::Base64Binary => {
            let n = s.bytes().filter(|b| !b.is_ascii_whitespace()).count();
            if n % 4 != 0
                || !s.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || b"+/=".contains(&b) || b.is_ascii_whitespace()
                })
            {
                return bad("base64Binary");
            }
        }
        _ => {}
    }
    None
}

/// Unicode whitespace anywhere in `s` (a byte loop for ASCII text, the common case).
/// True when every byte is printable ASCII other than space (`!`..`~`): such a text has no
/// whitespace at all. One branch-free pass the compiler vectorizes; the common case of codes
/// and URIs, which the exact checks below then skip.
fn plain_ascii(s: &str) -> bool {
    let mut bad = false;
    for &b in s.as_bytes() {
        bad |= b <= b' ' || b >= 0x7F;
    }
    !bad
}

fn has_whitespace(s: &str) -> bool {
    if plain_ascii(s) {
        return false;
    }
    if s.is_ascii() {
        s.bytes().any(|b| b == b' ' || (b'\t'..=b'\r').contains(&b))
    } else {
        s.contains(char::is_whitespace)
    }
}

/// FHIR `code`: no leading or trailing whitespace, no line breaks or tabs, no double space.
fn code_ok(s: &str) -> bool {
    if plain_ascii(s) {
        return true;
    }
    if !s.is_ascii() {
        return !(s.starts_with(char::is_whitespace)
            || s.ends_with(char::is_whitespace)
            || s.contains("  ")
            || s.contains(['\n', '\r', '\t']));
    }
    let b = s.as_bytes();
    let ws = |c: u8| c == b' ' || (b'\t'..=b'\r').contains(&c);
    if b.first().copied().is_some_and(ws) || b.last().copied().is_some_and(ws) {
        return false;
    }
    let mut prev = 0u8;
    for &c in b {
        if matches!(c, b'\n' | b'\r' | b'\t') || (c == b' ' && prev == b' ') {
            return false;
        }
        prev = c;
    }
    true
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(60) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn byte_checks_match_the_unicode_definitions() {
        let reference_code_ok = |s: &str| {
            !(s.starts_with(char::is_whitespace)
                || s.ends_with(char::is_whitespace)
                || s.contains("  ")
                || s.contains(['\n', '\r', '\t']))
        };
        let cases = [
            "a",
            "active",
            " a",
            "a ",
            "a  b",
            "a b",
            "a\tb",
            "a\nb",
            "a\rb",
            "\x0ba",
            "a\x0b",
            "a\x0cb",
            "https://x.org/a b",
            "https://x.org/ab",
            "é",
            " é",
            "é ",
            "é\u{a0}",
            "\u{2003}x",
            "x\u{85}",
            "a\u{a0}\u{a0}b",
            "a\x01b",
            "a\x7fb",
            "~!{}",
            "https://bluebutton.cms.gov/resources/variables/line_prcsg_ind_cd",
            "https://bluebutton.cms.gov/resources/variables/line_prcsg ind_cd",
            "https://bluebutton.cms.gov/resources/variables/line_prcsg_ind_cd\t",
        ];
        for s in cases {
            assert_eq!(super::code_ok(s), reference_code_ok(s), "{s:?}");
            assert_eq!(
                super::has_whitespace(s),
                s.contains(char::is_whitespace),
                "{s:?}"
            );
        }
    }
    use super::*;

    #[test]
    fn temporal_formats() {
        for ok in [
            "2020",
            "2020-02",
            "2020-02-29",
            "2019-12-31T23:59:60.123+14:00",
            "2021-01-01T00:00:00Z",
        ] {
            assert!(DateTime(ok.into()).is_valid(), "{ok}");
        }
        for bad in [
            "2019-02-29",
            "0000",
            "2020-13",
            "2020-01-01T10:00",
            "2020-01-01T10:00:00",
            "20201",
            "2020-1-01",
        ] {
            assert!(!DateTime(bad.into()).is_valid(), "{bad}");
        }
        assert!(Date("2020-02".into()).is_valid());
        assert!(!Date("2020-02-01T00:00:00Z".into()).is_valid());
        assert!(Instant("2020-02-01T00:00:00.5-05:00".into()).is_valid());
        assert!(!Instant("2020-02-01".into()).is_valid());
        assert!(Time("10:30:00.25".into()).is_valid());
        assert!(!Time("24:00:00".into()).is_valid());
    }

    #[test]
    fn decimal_scaling_is_exact() {
        assert_eq!(Decimal("12.345".into()).to_scaled(2), Some(1234));
        assert_eq!(Decimal("-0.10".into()).to_scaled(2), Some(-10));
        assert_eq!(Decimal("1.5e2".into()).to_scaled(2), Some(15000));
        assert_eq!(Decimal("42".into()).to_scaled(0), Some(42));
    }

    #[test]
    fn string_kinds() {
        assert!(Cow::Borrowed("-10000000000066")
            .check(PrimKind::Id)
            .is_none());
        assert!(Cow::Borrowed("a b").check(PrimKind::Id).is_some());
        assert!(Cow::Borrowed(" x").check(PrimKind::Code).is_some());
        assert!(Cow::Borrowed("urn:oid:2.16.840.1")
            .check(PrimKind::Oid)
            .is_none());
        assert!(Cow::Borrowed("").check(PrimKind::String).is_some());
    }
}
