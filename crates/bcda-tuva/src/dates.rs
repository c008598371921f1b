//! FHIR date text to Tuva `date` values (days since 1970-01-01).

use time::{Date, Month};

/// Julian day number of 1970-01-01.
const EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// The date of a FHIR `date`, `dateTime` or `instant` (its first ten characters). Partial
/// dates (`2024`, `2024-05`) and invalid ones give `None`: Tuva needs full dates.
pub fn days(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i32 = text.get(0..4)?.parse().ok()?;
    let month: u8 = text.get(5..7)?.parse().ok()?;
    let day: u8 = text.get(8..10)?.parse().ok()?;
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    Some(date.to_julian_day() - EPOCH_JULIAN_DAY)
}

/// [`days`] of an optional text.
pub fn opt_days(text: Option<&String>) -> Option<i32> {
    text.and_then(|t| days(t))
}

/// The last day of the month of `day` (days since 1970-01-01).
pub fn end_of_month(day: i32) -> i32 {
    let date = Date::from_julian_day(day + EPOCH_JULIAN_DAY).expect("a date in range");
    let last = date.month().length(date.year());
    day + i32::from(last - date.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_dates_and_instants() {
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("1970-01-02T10:00:00+05:00"), Some(1));
        assert_eq!(days("2024-03-01"), Some(19_783));
    }

    #[test]
    fn partial_or_invalid_dates_are_none() {
        assert_eq!(days("2024"), None);
        assert_eq!(days("2024-05"), None);
        assert_eq!(days("2024-02-30"), None);
        assert_eq!(days("IGNORED_FIELD"), None);
    }

    #[test]
    fn month_ends() {
        assert_eq!(
            end_of_month(days("2024-02-10").unwrap()),
            days("2024-02-29").unwrap()
        );
        assert_eq!(
            end_of_month(days("2023-12-31").unwrap()),
            days("2023-12-31").unwrap()
        );
    }
}
