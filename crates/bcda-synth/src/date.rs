//! Proleptic Gregorian calendar arithmetic on days since 1970-01-01 (Hinnant's algorithms).

/// Days since 1970-01-01 for a civil date.
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

/// Civil date `(year, month, day)` for days since 1970-01-01.
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The calendar year of a day number.
pub(crate) fn year_of(days: i32) -> i32 {
    civil_from_days(days).0
}

/// Day number of a unix timestamp (floor).
pub fn day_of_unix(unix: i64) -> i32 {
    unix.div_euclid(86_400) as i32
}

fn two(b: &mut Vec<u8>, v: u32) {
    b.push(b'0' + (v / 10) as u8);
    b.push(b'0' + (v % 10) as u8);
}

/// Writes `YYYY-MM-DD`.
pub(crate) fn write_date(b: &mut Vec<u8>, days: i32) {
    let (y, m, d) = civil_from_days(days);
    crate::json::pad(b, y as u64, 4);
    b.push(b'-');
    two(b, m);
    b.push(b'-');
    two(b, d);
}

/// Writes `YYYY-MM-DDTHH:MM:SS.000+00:00`.
pub(crate) fn write_instant(b: &mut Vec<u8>, unix: i64) {
    write_date(b, day_of_unix(unix));
    let s = unix.rem_euclid(86_400) as u32;
    b.push(b'T');
    two(b, s / 3600);
    b.push(b':');
    two(b, s / 60 % 60);
    b.push(b':');
    two(b, s % 60);
    b.extend_from_slice(b".000+00:00");
}

/// Formats a unix timestamp as an RFC 3339 instant (`2024-03-01T12:00:00.000+00:00`).
pub fn format_instant(unix: i64) -> String {
    let mut b = Vec::with_capacity(32);
    write_instant(&mut b, unix);
    String::from_utf8(b).unwrap_or_default()
}

/// Formats a day number as `YYYY-MM-DD`.
pub fn format_date(days: i32) -> String {
    let mut b = Vec::with_capacity(10);
    write_date(&mut b, days);
    String::from_utf8(b).unwrap_or_default()
}

/// Parses an RFC 3339 instant (`2020-02-13T08:00:00.000-05:00`, `...Z`) into unix seconds.
/// Fractions are truncated. Returns `None` when the text is not such an instant.
pub fn parse_instant(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || (b[10] != b'T' && b[10] != b't') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> { s.get(r)?.parse().ok() };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let off: i64 = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        c @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let oh = num(i + 1..i + 3)? as i64;
            let om = num(i + 4..i + 6)? as i64;
            let v = oh * 3600 + om * 60;
            if *c == b'-' {
                -v
            } else {
                v
            }
        }
        _ => return None,
    };
    let days = days_from_civil(y as i32, mo, d) as i64;
    Some(days * 86_400 + (h * 3600 + mi * 60 + se) as i64 - off)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for z in [-800_000, -1, 0, 1, 10_957, 20_000, 60_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(format_date(days_from_civil(2026, 2, 28) + 1), "2026-03-01");
        assert_eq!(format_date(days_from_civil(2024, 2, 28) + 1), "2024-02-29");
    }

    #[test]
    fn instants() {
        let t = parse_instant("2020-02-13T08:00:00.000-05:00").unwrap();
        assert_eq!(format_instant(t), "2020-02-13T13:00:00.000+00:00");
        assert_eq!(parse_instant("2020-02-13T13:00:00Z"), Some(t));
        assert_eq!(parse_instant("2020-02-13"), None);
        assert_eq!(parse_instant("2020-02-13T13:00:00"), None);
    }
}
