//! Step 4: `eligibility`, one row per person per Medicare part per enrollment span (each
//! Coverage with a period), joined with the person's Patient demographics; entitlement,
//! Medicare status and dual status from the Coverage extensions.

use std::collections::HashMap;

use crate::collect::Collected;
use crate::common::{self, Common};
use crate::dates::{end_of_month, opt_days};
use crate::rows::{patient_id, Coverage, Patient};
use crate::schema::ELIGIBILITY;
use crate::table::{Row, Table, TableBuilder, Val};

/// Dual status codes Tuva accepts.
const DUAL_CODES: &[&str] = &["00", "01", "02", "03", "04", "05", "06", "08", "09", "10"];
/// Medicare status codes Tuva accepts.
const MS_CODES: &[&str] = &["00", "10", "11", "20", "21", "31", "40"];

/// Tuva `plan` of a Coverage's part (`Part A` → `medicare part a`).
fn plan(part: &str) -> String {
    format!("medicare {}", part.to_ascii_lowercase())
}

/// The person's dual status: the latest month of the reference year with a code; BFD's `NA`
/// (non-Medicaid) is Tuva's `00`; codes Tuva does not know are left null.
fn dual_status(monthly: &[String]) -> Option<&str> {
    let code = monthly.iter().rev().find(|c| !c.is_empty())?;
    match code.as_str() {
        "NA" => Some("00"),
        c => DUAL_CODES.iter().find(|d| **d == c).copied(),
    }
}

/// Tuva race of a CMS race code.
fn race(code: Option<&str>) -> &'static str {
    match code {
        Some("1") => "white",
        Some("2") => "black or african american",
        Some("3") | Some("5") => "other race",
        Some("4") => "asian",
        Some("6") => "american indian or alaska native",
        _ => "unknown",
    }
}

fn gender(g: Option<&str>) -> &'static str {
    match g {
        Some("male") => "male",
        Some("female") => "female",
        _ => "unknown",
    }
}

/// Person-level values found on any of the person's Coverages (OREC is on Part A only).
#[derive(Default)]
struct PersonCoverage<'c> {
    orec: Option<&'c str>,
    medicare_status: Option<&'c str>,
    dual: Option<&'c str>,
}

fn per_person(coverages: &[Coverage]) -> HashMap<&str, PersonCoverage<'_>> {
    let mut out: HashMap<&str, PersonCoverage<'_>> = HashMap::new();
    for c in coverages {
        let Some(b) = c.beneficiary.as_deref() else {
            continue;
        };
        let p = out.entry(patient_id(b)).or_default();
        p.orec = p.orec.or(c.orec.as_deref());
        p.medicare_status = p.medicare_status.or(c.medicare_status.as_deref());
        p.dual = p.dual.or(dual_status(&c.dual_monthly));
    }
    out
}

fn demographics(row: &mut Row, p: Option<&Patient>) {
    let s = |f: fn(&Patient) -> &Option<String>| Val::text(p.and_then(|p| f(p).as_deref()));
    let death = p.and_then(|p| opt_days(p.death_date.as_ref()));
    row.set(
        "gender",
        Val::Str(gender(p.and_then(|p| p.gender.as_deref())).to_string()),
    )
    .set(
        "race",
        Val::Str(race(p.and_then(|p| p.race.as_deref())).to_string()),
    )
    .set(
        "birth_date",
        p.and_then(|p| opt_days(p.birth_date.as_ref()))
            .map_or(Val::Null, Val::Date),
    )
    .set("death_date", death.map_or(Val::Null, Val::Date))
    .set("death_flag", Val::Bool(death.is_some()))
    .set("first_name", s(|p| &p.first_name))
    .set("middle_name", s(|p| &p.middle_name))
    .set("last_name", s(|p| &p.last_name))
    .set("address", s(|p| &p.address))
    .set("city", s(|p| &p.city))
    .set("state", s(|p| &p.state))
    .set("zip_code", s(|p| &p.zip));
}

/// Counters of the eligibility step.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EligibilityCounts {
    /// Coverages without a part or a period start (no enrollment span to write).
    pub coverages_skipped: u64,
    /// Rows whose person has no Patient resource in the export (demographics left null).
    pub rows_without_patient: u64,
}

/// Builds `eligibility`. An open span (no `period.end`) ends on the last day of the month of
/// the export's `transactionTime` when the manifest gives it and the span has started by
/// then; otherwise its end stays null.
pub fn build(c: &Collected, common: &Common) -> (Table, EligibilityCounts) {
    let mut t = TableBuilder::new(ELIGIBILITY);
    let mut counts = EligibilityCounts::default();
    let persons = per_person(&c.coverages);
    for cov in &c.coverages {
        let (Some(part), Some(start), Some(b)) =
            (&cov.part, opt_days(cov.start.as_ref()), &cov.beneficiary)
        else {
            counts.coverages_skipped += 1;
            continue;
        };
        let person = patient_id(b);
        let open_end = cov.file.date.map(end_of_month).filter(|e| *e >= start);
        let end = opt_days(cov.end.as_ref()).or(open_end);
        let pc = persons.get(person);
        let patient = c.patients.get(person);
        counts.rows_without_patient += u64::from(patient.is_none());
        let mut row = t.row();
        common::fill(&mut row, Some(b), Some(&plan(part)), &cov.file, common);
        demographics(&mut row, patient);
        let ms = cov
            .medicare_status
            .as_deref()
            .or(pc.and_then(|p| p.medicare_status));
        row.set("subscriber_id", Val::text(cov.subscriber_id.as_deref()))
            .set("subscriber_relation", Val::Str("self".to_string()))
            .set("enrollment_start_date", Val::Date(start))
            .set("enrollment_end_date", end.map_or(Val::Null, Val::Date))
            .set("payer_type", Val::Str("medicare".to_string()))
            .set(
                "original_reason_entitlement_code",
                Val::text(pc.and_then(|p| p.orec)),
            )
            .set(
                "dual_status_code",
                Val::text(dual_status(&cov.dual_monthly).or(pc.and_then(|p| p.dual))),
            )
            .set(
                "medicare_status_code",
                Val::text(ms.filter(|m| MS_CODES.contains(m))),
            );
        t.push(row);
    }
    (t.finish(), counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dual_status_takes_the_latest_month_and_maps_na() {
        let m = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(dual_status(&m(&["02", "NA"])), Some("00"));
        assert_eq!(dual_status(&m(&["NA", "08"])), Some("08"));
        assert_eq!(dual_status(&m(&["AA"])), None);
        assert_eq!(dual_status(&[]), None);
    }

    #[test]
    fn race_and_gender_use_tuva_values() {
        assert_eq!(race(Some("2")), "black or african american");
        assert_eq!(race(None), "unknown");
        assert_eq!(gender(Some("other")), "unknown");
        assert_eq!(plan("Part D"), "medicare part d");
    }
}
