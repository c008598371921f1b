//! FHIR `date`, `dateTime` and `instant` as [`time`] values, keeping their precision: a year,
//! a year and month, a date, or a date and time with its UTC offset (fractional seconds to the
//! nanosecond). [`Temporal::month`] gives the calendar month as an ordered key for
//! aggregation.

use std::fmt;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// A FHIR date/time value at the precision it was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Temporal {
    /// `YYYY`.
    Year(i32),
    /// `YYYY-MM`.
    YearMonth(YearMonth),
    /// `YYYY-MM-DD`.
    Date(Date),
    /// `YYYY-MM-DDThh:mm:ss[.f](Z|±hh:mm)`: the local date and time as written, with its offset.
    DateTime(OffsetDateTime),
}

/// A calendar month: the key for "per month" aggregates (orders chronologically, displays as
/// `YYYY-MM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    /// The year.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u8,
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Temporal {
    /// Parses a FHIR `date`, `dateTime` or `instant` text; `None` when it is not one (a day
    /// that does not exist, a time without a zone, ...).
    pub fn parse(text: &str) -> Option<Temporal> {
        let s = text.as_bytes();
        let year = num(s, 0, 4)? as i32;
        if s.len() == 4 {
            return (year > 0).then_some(Temporal::Year(year));
        }
        let month = (s.get(4) == Some(&b'-')).then(|| num(s, 5, 2))??;
        let ym = YearMonth {
            year,
            month: u8::try_from(month).ok().filter(|m| (1..=12).contains(m))?,
        };
        if s.len() == 7 {
            return (year > 0).then_some(Temporal::YearMonth(ym));
        }
        let day = (s.get(7) == Some(&b'-')).then(|| num(s, 8, 2))??;
        let m = Month::try_from(ym.month).ok()?;
        let date = Date::from_calendar_date(year, m, u8::try_from(day).ok()?).ok()?;
        if s.len() == 10 {
            return (year > 0).then_some(Temporal::Date(date));
        }
        (s.get(10) == Some(&b'T') && year > 0).then_some(())?;
        let (time, rest) = time_of(&s[11..])?;
        let offset = offset_of(rest)?;
        Some(Temporal::DateTime(
            PrimitiveDateTime::new(date, time).assume_offset(offset),
        ))
    }

    /// The calendar month (of the local date as written); `None` for a bare year.
    pub fn month(&self) -> Option<YearMonth> {
        let of = |d: Date| YearMonth {
            year: d.year(),
            month: d.month() as u8,
        };
        match self {
            Temporal::Year(_) => None,
            Temporal::YearMonth(ym) => Some(*ym),
            Temporal::Date(d) => Some(of(*d)),
            Temporal::DateTime(t) => Some(of(t.date())),
        }
    }

    /// The year.
    pub fn year(&self) -> i32 {
        match self {
            Temporal::Year(y) => *y,
            Temporal::YearMonth(ym) => ym.year,
            Temporal::Date(d) => d.year(),
            Temporal::DateTime(t) => t.year(),
        }
    }

    /// The date, when the value has at least a day.
    pub fn date(&self) -> Option<Date> {
        match self {
            Temporal::Date(d) => Some(*d),
            Temporal::DateTime(t) => Some(t.date()),
            _ => None,
        }
    }
}

/// The `n` ASCII digits at `s[at..]` as a number.
fn num(s: &[u8], at: usize, n: usize) -> Option<u32> {
    let d = s.get(at..at + n)?;
    d.iter().try_fold(0u32, |a, &c| {
        c.is_ascii_digit().then(|| a * 10 + u32::from(c - b'0'))
    })
}

/// `hh:mm:ss[.f]` at the start of `s`; the rest.
fn time_of(s: &[u8]) -> Option<(Time, &[u8])> {
    let (h, mi, sec) = (num(s, 0, 2)?, num(s, 3, 2)?, num(s, 6, 2)?);
    (s.get(2) == Some(&b':') && s.get(5) == Some(&b':')).then_some(())?;
    let mut rest = &s[8..];
    let mut nanos = 0u32;
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        // Digits beyond the nanosecond are dropped.
        for i in 0..9 {
            let d = if i < digits { rest[1 + i] - b'0' } else { 0 };
            nanos = nanos * 10 + u32::from(d);
        }
        rest = &rest[1 + digits..];
    }
    let t = Time::from_hms_nano(h as u8, mi as u8, sec as u8, nanos).ok()?;
    Some((t, rest))
}

/// `Z` or `±hh:mm`, and nothing after it.
fn offset_of(s: &[u8]) -> Option<UtcOffset> {
    if s == b"Z" {
        return Some(UtcOffset::UTC);
    }
    let sign: i8 = match s.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    (s.len() == 6 && s[3] == b':').then_some(())?;
    let (h, m) = (num(s, 1, 2)? as i8, num(s, 4, 2)? as i8);
    (h <= 14 && m <= 59).then_some(())?;
    UtcOffset::from_hms(sign * h, sign * m, 0).ok()
}

macro_rules! to_temporal {
    ($($t:ident),*) => {$(
        impl super::primitives::$t<'_> {
            /// The value as [`time`] types at its precision (see [`Temporal`]); `None` when
            /// the text is not valid.
            pub fn to_temporal(&self) -> Option<Temporal> {
                Temporal::parse(&self.0)
            }
            /// The calendar month of the value; `None` for a bare year or an invalid text.
            pub fn month(&self) -> Option<YearMonth> {
                self.to_temporal()?.month()
            }
        }
    )*};
}

to_temporal!(Date, DateTime, Instant);

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn every_fhir_precision() {
        let p = Temporal::parse;
        assert_eq!(p("2024"), Some(Temporal::Year(2024)));
        let feb = YearMonth {
            year: 2024,
            month: 2,
        };
        assert_eq!(p("2024-02"), Some(Temporal::YearMonth(feb)));
        assert_eq!(p("2024-02-29"), Some(Temporal::Date(date!(2024 - 02 - 29))));
        let utc = datetime!(2024-02-29 13:45:07 UTC);
        assert_eq!(p("2024-02-29T13:45:07Z"), Some(Temporal::DateTime(utc)));
        let ist = datetime!(2024-02-29 13:45:07.123 +05:30);
        assert_eq!(
            p("2024-02-29T13:45:07.123+05:30"),
            Some(Temporal::DateTime(ist))
        );
        let nano = datetime!(2024-02-29 23:59:59.123456789 -08:00);
        let t = p("2024-02-29T23:59:59.1234567891-08:00").unwrap();
        assert_eq!(t, Temporal::DateTime(nano));
        // The month is the local one, as written (UTC it is already March).
        assert_eq!(t.month(), Some(feb));
        assert_eq!(p("2024").unwrap().month(), None);
        assert_eq!(p("2024-02").unwrap().month(), Some(feb));
        assert_eq!(
            p("2024-02-03").unwrap().month().unwrap().to_string(),
            "2024-02"
        );
        assert!(
            feb < YearMonth {
                year: 2024,
                month: 10
            }
        );
    }

    #[test]
    fn invalid_texts_are_refused() {
        for bad in [
            "",
            "24",
            "0000",
            "2024-2",
            "2024-13",
            "2023-02-29",
            "2024-02-30",
            "2024/02/03",
            "2024-02-03T",
            "2024-02-03T13:45:07",
            "2024-02-03T13:45Z",
            "2024-02-03T24:00:00Z",
            "2024-02-03T13:45:07.Z",
            "2024-02-03T13:45:07+5:30",
            "2024-02-03T13:45:07+15:00",
            "2024-02-03T13:45:07Zjunk",
            "2024-02-03x",
        ] {
            assert_eq!(Temporal::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn model_types_convert() {
        use super::super::primitives::{Date as D, DateTime as Dt, Instant as I};
        assert_eq!(
            D("1950-02-03".into()).to_temporal().and_then(|t| t.date()),
            Some(date!(1950 - 02 - 03))
        );
        assert_eq!(
            Dt("2025-06".into())
                .month()
                .map(|m| m.to_string())
                .as_deref(),
            Some("2025-06")
        );
        assert_eq!(
            I("2025-12-16T13:19:38.000+00:00".into())
                .to_temporal()
                .map(|t| t.year()),
            Some(2025)
        );
        assert_eq!(D("1950-02-30".into()).to_temporal(), None);
    }
}
