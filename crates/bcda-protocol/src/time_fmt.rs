//! Timestamp formats used on the wire.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// RFC 3339 in UTC with the fraction trimmed (Go's `RFC3339Nano`), e.g. `2026-12-09T20:44:01.705398Z`.
pub fn format_instant(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00Z"))
}

/// UTC `YYYY-MM-DDTHH:MM:SSZ` (Task execution periods, CapabilityStatement dates).
pub fn format_seconds_z(t: OffsetDateTime) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.to_offset(UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00Z"))
}

/// Parse a FHIR instant: RFC 3339 with seconds, an optional fraction and a mandatory zone.
pub fn parse_fhir_instant(s: &str) -> Option<OffsetDateTime> {
    // RFC 3339 allows a lower-case `t`/`z` and a space separator; a FHIR instant does not.
    let bytes = s.as_bytes();
    if bytes.len() < 20 || bytes[10] != b'T' {
        return None;
    }
    if s.ends_with('z') {
        return None;
    }
    OffsetDateTime::parse(s, &Rfc3339).ok()
}
