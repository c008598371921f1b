//! Step 1: run the Tuva views over every input file (one pass, all threads) and gather their
//! rows by EOB id. Bad lines are reported by the engine exactly as `bcda stats` reports them
//! and contribute nothing. A resource id already read from an earlier file is skipped (the
//! same export given twice must not double its lines).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use arrow_array::RecordBatch;
use bcda_ndjson::{Engine, FileTotals, Inputs, Issue, IssueKind};
use bcda_view::{run_to_batches, RunOptions};

use crate::error::TuvaError;
use crate::manifest::ManifestDates;
use crate::rows::{CareTeam, Coverage, Diagnosis, FileInfo, Header, Line, Patient, Procedure};
use crate::views::{index, TuvaViews};

/// Everything the views produced, grouped for the Rust steps.
#[derive(Debug, Default)]
pub struct Collected {
    /// EOB headers.
    pub headers: Vec<Header>,
    /// Items by EOB id.
    pub lines: HashMap<String, Vec<Line>>,
    /// Diagnoses by EOB id.
    pub diagnoses: HashMap<String, Vec<Diagnosis>>,
    /// Procedures by EOB id.
    pub procedures: HashMap<String, Vec<Procedure>>,
    /// Care team members by EOB id.
    pub care_team: HashMap<String, Vec<CareTeam>>,
    /// Coverages.
    pub coverages: Vec<Coverage>,
    /// Patients by id.
    pub patients: HashMap<String, Patient>,
    /// Resources (EOB, Coverage, Patient) skipped because their id was already read.
    pub repeated_ids: u64,
    /// Counters per input file.
    pub files: Vec<FileTotals>,
    /// Issues found in the data (bad lines), as `bcda stats` reports them.
    pub issues: Vec<Issue>,
    /// Issues per kind, including those not kept.
    pub issue_counts: BTreeMap<IssueKind, u64>,
}

/// Groups rows by their EOB id.
fn group<T>(map: &mut HashMap<String, Vec<T>>, rows: Vec<T>, id: impl Fn(&T) -> Option<&String>) {
    for r in rows {
        if let Some(k) = id(&r).cloned() {
            map.entry(k).or_default().push(r);
        }
    }
}

impl Collected {
    /// Adds the rows of one file's batches; ids in `earlier` are skipped.
    fn add(
        &mut self,
        batches: &[(usize, RecordBatch)],
        file: &Arc<FileInfo>,
        earlier: &HashSet<String>,
    ) {
        let fresh = |key: String| !earlier.contains(&key);
        for (view, b) in batches {
            match *view {
                index::CLAIM => {
                    let rows = Header::read(b, file);
                    self.headers
                        .extend(rows.into_iter().filter(|h| fresh(eob_key(&h.id))));
                }
                index::LINE => group(
                    &mut self.lines,
                    keep(Line::read(b, file), earlier, |r| &r.id),
                    |r| r.id.as_ref(),
                ),
                index::DIAGNOSIS => group(
                    &mut self.diagnoses,
                    keep(Diagnosis::read(b, file), earlier, |r| &r.id),
                    |r| r.id.as_ref(),
                ),
                index::PROCEDURE => group(
                    &mut self.procedures,
                    keep(Procedure::read(b, file), earlier, |r| &r.id),
                    |r| r.id.as_ref(),
                ),
                index::CARE_TEAM => group(
                    &mut self.care_team,
                    keep(CareTeam::read(b, file), earlier, |r| &r.id),
                    |r| r.id.as_ref(),
                ),
                index::COVERAGE => {
                    for c in Coverage::read(b, file) {
                        if fresh(format!("Coverage/{}", c.id.as_deref().unwrap_or(""))) {
                            self.coverages.push(c);
                        }
                    }
                }
                index::PATIENT => {
                    for p in Patient::read(b, file) {
                        let id = p.id.clone().unwrap_or_default();
                        if fresh(format!("Patient/{id}")) {
                            self.patients.entry(id).or_insert(p);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn eob_key(id: &Option<String>) -> String {
    format!("ExplanationOfBenefit/{}", id.as_deref().unwrap_or(""))
}

/// The rows whose EOB id was not read from an earlier file.
fn keep<T>(rows: Vec<T>, earlier: &HashSet<String>, id: impl Fn(&T) -> &Option<String>) -> Vec<T> {
    rows.into_iter()
        .filter(|r| !earlier.contains(&eob_key(id(r))))
        .collect()
}

/// The `Type/id` keys of the resources read from one file.
fn keys_of(batches: &[(usize, RecordBatch)], file: &Arc<FileInfo>) -> Vec<String> {
    let mut out = Vec::new();
    for (view, b) in batches {
        match *view {
            index::CLAIM => out.extend(Header::read(b, file).iter().map(|h| eob_key(&h.id))),
            index::COVERAGE => out.extend(
                Coverage::read(b, file)
                    .iter()
                    .map(|c| format!("Coverage/{}", c.id.as_deref().unwrap_or(""))),
            ),
            index::PATIENT => out.extend(
                Patient::read(b, file)
                    .iter()
                    .map(|p| format!("Patient/{}", p.id.as_deref().unwrap_or(""))),
            ),
            _ => {}
        }
    }
    out
}

/// Runs the views over every file of `inputs`, one file at a time (each on all threads), so
/// that every row knows its `file_name` and `file_date`.
pub fn collect(
    engine: &Engine,
    inputs: &Inputs,
    views: &TuvaViews,
) -> Result<Collected, TuvaError> {
    let mut out = Collected::default();
    let mut manifests = ManifestDates::default();
    let mut earlier: HashSet<String> = HashSet::new();
    let options = RunOptions::default();
    for input in &inputs.files {
        let name = input.path.file_name().map_or_else(
            || input.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let file = Arc::new(FileInfo {
            name,
            date: manifests.date_for(&input.path)?,
        });
        let one = Inputs {
            files: vec![input.clone()],
        };
        let mut batches = Vec::new();
        let summary = run_to_batches(engine, &one, views, &options, None, |v, b| {
            batches.push((v, b))
        })?;
        let before = out.headers.len() + out.coverages.len() + out.patients.len();
        out.add(&batches, &file, &earlier);
        let keys = keys_of(&batches, &file);
        let added = out.headers.len() + out.coverages.len() + out.patients.len() - before;
        out.repeated_ids += (keys.len() as u64).saturating_sub(added as u64);
        earlier.extend(keys);
        out.files.extend(summary.files);
        out.issues.extend(summary.issues);
        for (k, n) in summary.issue_counts {
            *out.issue_counts.entry(k).or_default() += n;
        }
    }
    Ok(out)
}
