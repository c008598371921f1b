//! The bridge to `bcda-synth`: generators per ACO, type and version mapping.

use bcda_protocol::{ApiVersion, ResourceType};
use bcda_synth::{
    AcoSpec, AttributionFile, AttributionKind, FhirVersion, Flavour, Generator, ResourceKind,
};

use crate::store::{AcoRow, AttributionRow};

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

pub(crate) fn flavour_name(f: Flavour) -> &'static str {
    match f {
        Flavour::Simple => "simple",
        Flavour::Advanced => "advanced",
    }
}

pub(crate) fn spec_of(aco: &AcoRow) -> AcoSpec {
    AcoSpec {
        cms_id: aco.cms_id.clone(),
        beneficiaries: aco.beneficiaries,
        flavour: if aco.flavour == "advanced" {
            Flavour::Advanced
        } else {
            Flavour::Simple
        },
        partially_adjudicated: aco.partially_adjudicated,
    }
}

pub(crate) fn generator(aco: &AcoRow) -> Generator {
    Generator::new(&spec_of(aco), aco.reference_unix)
}

/// Attribution rows for a new ACO (import time: one hour after the file's timestamp).
pub(crate) fn attribution_rows(gen: &Generator) -> Vec<AttributionRow> {
    rows_of(&gen.attribution_files())
}

/// BCDA's outdated-attribution case (TEST995, `20260206-outdated-attribution-aco.sql`): one
/// attribution file and one runout file, both dated a day before `reference` and both for the
/// previous performance year, so the file passes the 50-day cutoff but not the
/// performance-year check (runout still works, as in BCDA).
pub(crate) fn outdated_attribution_rows(gen: &Generator, reference: i64) -> Vec<AttributionRow> {
    let day = (reference.div_euclid(DAY) - 1) as i32;
    let py = bcda_synth::civil_from_days(day).0 - 1;
    rows_of(&[
        gen.attribution_file(day, AttributionKind::Attribution, py),
        gen.attribution_file(day, AttributionKind::Runout, py),
    ])
}

fn rows_of(files: &[AttributionFile]) -> Vec<AttributionRow> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| AttributionRow {
            file_index: i as u32,
            name: f.name.clone(),
            runout: matches!(f.kind, AttributionKind::Runout),
            performance_year: f.performance_year,
            timestamp_unix: f.timestamp_unix,
            imported_unix: f.timestamp_unix + 3600,
        })
        .collect()
}

/// The beneficiary indexes of one attribution file, rebuilt from its row.
pub(crate) fn attributed(gen: &Generator, row: &AttributionRow) -> Vec<u32> {
    gen.attributed(&AttributionFile {
        name: row.name.clone(),
        kind: if row.runout {
            AttributionKind::Runout
        } else {
            AttributionKind::Attribution
        },
        performance_year: row.performance_year,
        timestamp_unix: row.timestamp_unix,
    })
}

pub(crate) fn kind_of(t: ResourceType) -> ResourceKind {
    match t {
        ResourceType::Patient => ResourceKind::Patient,
        ResourceType::Coverage => ResourceKind::Coverage,
        ResourceType::ExplanationOfBenefit => ResourceKind::ExplanationOfBenefit,
        ResourceType::Claim => ResourceKind::Claim,
        ResourceType::ClaimResponse => ResourceKind::ClaimResponse,
    }
}

pub(crate) fn fhir_of(v: ApiVersion) -> FhirVersion {
    match v {
        ApiVersion::V1 => FhirVersion::Stu3,
        ApiVersion::V2 => FhirVersion::R4,
    }
}
