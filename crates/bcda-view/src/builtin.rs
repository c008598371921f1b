//! Built-in views for BCDA data, as plain ViewDefinition JSON files (`views/r4/*.json` for
//! BCDA v2, `views/stu3/*.json` for v1) compiled into the crate. Any SQL on FHIR engine can
//! run the files; both versions of a view have the same columns, so one output holds rows from
//! v1 and v2 files alike.
//!
//! | name | one row per | columns |
//! |---|---|---|
//! | `patient` | Patient | id, mbi, gender, birth_date, deceased_date, state, postal_code, last_updated |
//! | `coverage` | Coverage | id, patient, status, part, period_start, period_end, last_updated |
//! | `eob` | claim (EOB) | claim columns, billable_start/end, provider_npi, org_npi, payment, total_submitted |
//! | `eob_line` | claim line (`item`) | claim columns, sequence, service_date/start/end, hcpcs, ndc, revenue_center, place_of_service, units, allowed, paid |
//! | `eob_diagnosis` | diagnosis | claim columns, sequence, icd10, icd9, type |
//! | `eob_procedure` | procedure | claim columns, sequence, date, icd10_pcs, icd9 |
//! | `eob_careteam` | care team member | claim columns, sequence, npi, role, specialty |
//!
//! The claim columns of every claim-level view are `id`, `patient`, `status`, `claim_group`,
//! `last_updated` and `claim_type`: BCDA sends each version of an adjusted claim as its own
//! EOB, so keep the latest `last_updated` per `claim_group` for final versions. Codes are
//! picked by code system (`coding.where(system = ...)`), never by position in an array.

use bcda_ndjson::FhirVersion;

use crate::{View, ViewError};

/// The names of the built-in views.
pub const NAMES: [&str; 7] = [
    "patient",
    "coverage",
    "eob",
    "eob_line",
    "eob_diagnosis",
    "eob_procedure",
    "eob_careteam",
];

macro_rules! sources {
    ($($name:literal),*) => {
        /// The JSON text of built-in view `name` for `version`.
        pub fn source(name: &str, version: FhirVersion) -> Option<&'static str> {
            Some(match (version, name) {
                $(
                    (FhirVersion::R4, $name) => include_str!(concat!("../views/r4/", $name, ".json")),
                    (FhirVersion::Stu3, $name) => include_str!(concat!("../views/stu3/", $name, ".json")),
                )*
                _ => return None,
            })
        }
    };
}

sources!(
    "patient",
    "coverage",
    "eob",
    "eob_line",
    "eob_diagnosis",
    "eob_procedure",
    "eob_careteam"
);

/// Loads built-in view `name` for `version`; `None` when there is no such view.
pub fn load(name: &str, version: FhirVersion) -> Option<Result<View, ViewError>> {
    source(name, version).map(View::from_json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_loads_and_both_versions_have_the_same_columns() {
        for name in NAMES {
            let r4 = load(name, FhirVersion::R4)
                .unwrap()
                .unwrap_or_else(|e| panic!("{name} r4: {e}"));
            let stu3 = load(name, FhirVersion::Stu3)
                .unwrap()
                .unwrap_or_else(|e| panic!("{name} stu3: {e}"));
            assert_eq!(r4.name(), Some(name));
            assert_eq!(r4.columns(), stu3.columns(), "{name}");
            assert_eq!(r4.resource_type(), stu3.resource_type());
        }
        assert!(load("nope", FhirVersion::R4).is_none());
    }

    #[test]
    fn claim_views_carry_status_group_and_last_updated() {
        for name in NAMES.iter().filter(|n| n.starts_with("eob")) {
            let v = load(name, FhirVersion::R4).unwrap().unwrap();
            let cols: Vec<&str> = v.columns().iter().map(|c| c.name.as_str()).collect();
            for want in [
                "id",
                "patient",
                "status",
                "claim_group",
                "last_updated",
                "claim_type",
            ] {
                assert!(cols.contains(&want), "{name} lacks {want}");
            }
        }
    }
}
