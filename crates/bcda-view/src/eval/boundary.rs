//! `lowBoundary()` / `highBoundary()` on decimals, dates, dateTimes and times.

use std::borrow::Cow;

use super::item::{format_scaled, parse_scaled, Item, Prim};

/// The kind of a temporal or decimal value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Decimal,
    Date,
    DateTime,
    Time,
}

fn kind(item: &Item<'_>, p: Prim<'_>) -> Option<Kind> {
    if let Prim::Int(_) | Prim::Dec(_) = p {
        return Some(Kind::Decimal);
    }
    let Prim::Str(s) = p else { return None };
    let by_type = match item {
        Item::Node(_, Some(t)) => match *t {
            "DateTime" | "Instant" => Some(Kind::DateTime),
            "Date" => Some(Kind::Date),
            "Time" => Some(Kind::Time),
            _ => None,
        },
        _ => None,
    };
    by_type.or_else(|| {
        let b = s.as_bytes();
        if b.len() >= 3 && b[2] == b':' {
            Some(Kind::Time)
        } else if s.contains('T') {
            Some(Kind::DateTime)
        } else if b.len() >= 4 && b[..4].iter().all(u8::is_ascii_digit) {
            Some(Kind::Date)
        } else {
            None
        }
    })
}

/// `lowBoundary()` of one item; `None` when it has no boundary.
pub(crate) fn low_boundary<'n>(item: &Item<'n>) -> Option<Item<'n>> {
    boundary(item, true)
}

/// `highBoundary()` of one item; `None` when it has no boundary.
pub(crate) fn high_boundary<'n>(item: &Item<'n>) -> Option<Item<'n>> {
    boundary(item, false)
}

fn boundary<'n>(item: &Item<'n>, low: bool) -> Option<Item<'n>> {
    let p = item.prim()?;
    let text = match p {
        Prim::Int(i) => i.to_string(),
        Prim::Dec(s) | Prim::Str(s) => s.to_string(),
        Prim::Bool(_) => return None,
    };
    Some(match kind(item, p)? {
        Kind::Decimal => Item::Dec(Cow::Owned(decimal(&text, low)?)),
        Kind::Date => Item::Str(Cow::Owned(date(&text, low)?)),
        Kind::DateTime => Item::Str(Cow::Owned(date_time(&text, low)?)),
        Kind::Time => Item::Str(Cow::Owned(time(&text, low)?)),
    })
}

/// Half a unit of the last digit below or above, exactly: `1.0` gives `0.95` / `1.05`.
fn decimal(text: &str, low: bool) -> Option<String> {
    let (m, scale) = parse_scaled(text)?;
    let m = m.checked_mul(10)?;
    let m = if low {
        m.checked_sub(5)?
    } else {
        m.checked_add(5)?
    };
    Some(format_scaled(m, scale + 1))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A partial date completed to a full one (`1970-06` gives `1970-06-01` / `1970-06-30`).
fn date(text: &str, low: bool) -> Option<String> {
    let mut parts = text.split('-');
    let year: u32 = parts.next()?.parse().ok()?;
    let month: Option<u32> = parts.next().map(str::parse).transpose().ok()?;
    let day: Option<u32> = parts.next().map(str::parse).transpose().ok()?;
    let month = month.unwrap_or(if low { 1 } else { 12 });
    if !(1..=12).contains(&month) {
        return None;
    }
    let day = day.unwrap_or(if low { 1 } else { days_in_month(year, month) });
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// A time completed to milliseconds (`12:34` gives `12:34:00.000` / `12:34:59.999`).
fn time(text: &str, low: bool) -> Option<String> {
    let (hms, frac) = match text.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (text, None),
    };
    let mut parts = hms.split(':');
    let h: u32 = parts.next()?.parse().ok()?;
    let fill = if low { 0 } else { 59 };
    let m: u32 = parts
        .next()
        .map(str::parse)
        .transpose()
        .ok()?
        .unwrap_or(fill);
    let s: u32 = parts
        .next()
        .map(str::parse)
        .transpose()
        .ok()?
        .unwrap_or(fill);
    let digit = if low { '0' } else { '9' };
    let mut ms: String = frac.unwrap_or("").chars().take(3).collect();
    while ms.len() < 3 {
        ms.push(digit);
    }
    Some(format!("{h:02}:{m:02}:{s:02}.{ms}"))
}

/// A dateTime completed to milliseconds with a time zone (the widest, +14:00 / -12:00, when
/// it has none).
fn date_time(text: &str, low: bool) -> Option<String> {
    let (d, rest) = match text.split_once('T') {
        Some((d, r)) => (d, Some(r)),
        None => (text, None),
    };
    let d = date(d, low)?;
    let (t, zone) = match rest {
        Some(r) => match r.find(['Z', '+', '-']) {
            Some(i) => (&r[..i], Some(&r[i..])),
            None => (r, None),
        },
        None => ("", None),
    };
    let t = if t.is_empty() {
        if low {
            "00:00:00.000".to_string()
        } else {
            "23:59:59.999".to_string()
        }
    } else {
        time(t, low)?
    };
    let zone = zone.unwrap_or(if low { "+14:00" } else { "-12:00" });
    Some(format!("{d}T{t}{zone}"))
}
