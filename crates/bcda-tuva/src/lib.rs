//! # bcda-tuva: BCDA exports to the Tuva Project's input layer
//!
//! [`build`] turns a BCDA v2 (FHIR R4) bulk export into the three tables of the
//! [Tuva Project](https://thetuvaproject.com)'s input layer, `medical_claim`, `pharmacy_claim`
//! and `eligibility`, with Tuva's column names, order and types ([`schema`]), and
//! [`write_tables`] writes them as Parquet or CSV (one file each, temporary name renamed at
//! the end). The steps:
//!
//! 1. **Views** ([`views`]): seven plain SQL on FHIR ViewDefinitions (`views/r4/*.json`)
//!    read every field Tuva needs, codes picked by code system (never by array position),
//!    in one pass over each file on all threads ([`collect`]);
//! 2. **Final claims** ([`finals`]): versions grouped by claim group, the latest `active`
//!    version kept, the rest counted;
//! 3. **Claims** ([`medical`], [`pharmacy`]): one row per item, header fields repeated,
//!    diagnoses and procedures pivoted into their numbered columns;
//! 4. **Eligibility** ([`eligibility`]): one row per person per part per Coverage period,
//!    joined with the Patient's demographics.
//!
//! Steps 2–4 are what a ViewDefinition cannot express (choosing among resources, pivots,
//! joins); they run in Rust on the rows the views produced.

pub mod collect;
pub mod common;
pub mod dates;
pub mod eligibility;
mod error;
pub mod finals;
pub mod manifest;
pub mod medical;
pub mod pharmacy;
pub mod rows;
pub mod schema;
pub mod table;
pub mod views;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bcda_ndjson::{Engine, FileTotals, Inputs, Issue, IssueKind, Severity};
use bcda_view::write::{OutputFile, WriteOptions};
use bcda_view::OutputFormat;

pub use error::TuvaError;
pub use table::Table;
pub use views::TuvaViews;

/// Options of a run.
#[derive(Debug, Clone)]
pub struct TuvaOptions {
    /// `data_source` of every row.
    pub data_source: String,
    /// `ingest_datetime` of every row (microseconds since the epoch, UTC); `None`: now.
    pub ingest_micros: Option<i64>,
}

impl Default for TuvaOptions {
    fn default() -> Self {
        TuvaOptions {
            data_source: "bcda".to_string(),
            ingest_micros: None,
        }
    }
}

/// What a run read, kept and dropped.
#[derive(Debug, Clone, Default)]
pub struct TuvaSummary {
    /// ExplanationOfBenefit resources read (all versions).
    pub eobs_read: u64,
    /// Versions dropped by the final-claims rule ([`finals`]).
    pub versions_dropped: u64,
    /// Claim groups with no `active` version (reversed claims: nothing kept).
    pub claims_without_active_version: u64,
    /// Final non-pharmacy claims without any item (no row possible).
    pub claims_without_items: u64,
    /// Resources skipped because their id had already been read from another file.
    pub repeated_ids: u64,
    /// Coverages without a part or period start (no eligibility row).
    pub coverages_skipped: u64,
    /// Eligibility rows whose person has no Patient in the export.
    pub eligibility_without_patient: u64,
    /// Counters per input file.
    pub files: Vec<FileTotals>,
    /// Issues found in the data (bad lines, reported and skipped).
    pub issues: Vec<Issue>,
    /// Issues per kind, including those not kept.
    pub issue_counts: BTreeMap<IssueKind, u64>,
}

impl TuvaSummary {
    /// Number of error-severity issues (bad lines).
    pub fn error_count(&self) -> u64 {
        self.issue_counts
            .iter()
            .filter(|(k, _)| k.severity() == Severity::Error)
            .map(|(_, n)| n)
            .sum()
    }
}

/// The three tables and the run's summary.
#[derive(Debug, Clone)]
pub struct TuvaTables {
    /// `medical_claim`.
    pub medical_claim: Table,
    /// `pharmacy_claim`.
    pub pharmacy_claim: Table,
    /// `eligibility`.
    pub eligibility: Table,
    /// What was read, kept and dropped.
    pub summary: TuvaSummary,
}

impl TuvaTables {
    /// `(name, table)` of the three tables, in Tuva's order.
    pub fn tables(&self) -> [(&'static str, &Table); 3] {
        [
            ("medical_claim", &self.medical_claim),
            ("pharmacy_claim", &self.pharmacy_claim),
            ("eligibility", &self.eligibility),
        ]
    }
}

fn now_micros() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000) as i64
}

/// Builds the Tuva input layer from the export files in `inputs` (steps 1–4 above).
/// A v1 (STU3) input file is refused before anything is read.
pub fn build(
    engine: &Engine,
    inputs: &Inputs,
    options: &TuvaOptions,
) -> Result<TuvaTables, TuvaError> {
    if let Some(f) = inputs
        .files
        .iter()
        .find(|f| f.fhir_version == Some(bcda_ndjson::FhirVersion::Stu3))
    {
        return Err(TuvaError::V1Input {
            path: f.path.clone(),
        });
    }
    let views = TuvaViews::r4()?;
    let mut c = collect::collect(engine, inputs, &views)?;
    let common = common::Common {
        data_source: options.data_source.clone(),
        ingest_micros: options.ingest_micros.unwrap_or_else(now_micros),
    };
    let eobs_read = c.headers.len() as u64;
    let f = finals::finals(std::mem::take(&mut c.headers));
    let (medical_claim, claims_without_items) = medical::build(&f.headers, &c, &common);
    let pharmacy_claim = pharmacy::build(&f.headers, &c, &common);
    let (eligibility, counts) = eligibility::build(&c, &common);
    let summary = TuvaSummary {
        eobs_read,
        versions_dropped: f.versions_dropped,
        claims_without_active_version: f.claims_without_active_version,
        claims_without_items,
        repeated_ids: c.repeated_ids,
        coverages_skipped: counts.coverages_skipped,
        eligibility_without_patient: counts.rows_without_patient,
        files: c.files,
        issues: c.issues,
        issue_counts: c.issue_counts,
    };
    Ok(TuvaTables {
        medical_claim,
        pharmacy_claim,
        eligibility,
        summary,
    })
}

/// Writes the three tables into `dir` (created if missing) as `NAME.parquet` / `NAME.csv`.
/// Each file is written under a temporary name and renamed when complete; on error nothing
/// partial is left.
pub fn write_tables(
    tables: &TuvaTables,
    dir: &Path,
    format: OutputFormat,
) -> Result<Vec<PathBuf>, TuvaError> {
    std::fs::create_dir_all(dir).map_err(|source| TuvaError::OutputDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    for (name, table) in tables.tables() {
        let path = dir.join(format!("{name}.{}", format.extension()));
        let (mut file, encoder) =
            OutputFile::create(&path, format, &table.schema, &WriteOptions::default())?;
        for b in &table.batches {
            file.write(encoder.encode(b.clone())?)?;
        }
        files.push(file);
    }
    // Renamed only once all three are complete: an error above leaves no file at all.
    let mut written = Vec::new();
    for f in files {
        written.push(f.finish()?);
    }
    Ok(written)
}
