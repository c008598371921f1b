//! End to end on a synthetic v2 export with adjusted claims: only final versions, one
//! medical_claim row per item, totals per claim type equal to sums over the final versions
//! computed here independently (serde_json over the input lines), Tuva's key checks, and bad
//! lines reported and skipped.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type};
use arrow_array::{Array, RecordBatch};
use bcda_ndjson::{Config, Engine, Inputs, IssueKind};
use bcda_tuva::{build, write_tables, TuvaOptions, TuvaTables};
use serde_json::Value;

const BB: &str = "https://bluebutton.cms.gov/resources/variables/";
const BBCS_ADJ: &str = "https://bluebutton.cms.gov/resources/codesystem/adjudication";

fn run(dir: &std::path::Path, threads: usize) -> TuvaTables {
    let inputs = Inputs::discover(&[dir]).unwrap();
    let engine = Engine::new(Config {
        threads,
        ..Config::default()
    })
    .unwrap();
    build(&engine, &inputs, &TuvaOptions::default()).unwrap()
}

/// An export with adjusted claims: the generated EOBs (with reversals) and their earlier
/// versions in a second file.
fn adjusted_export(dir: &std::path::Path) -> Vec<Value> {
    let eobs = common::write_export(dir, "A9994");
    let (extra, originals) = common::adjusted_versions(&eobs);
    std::fs::write(
        dir.join("ExplanationOfBenefit.ndjson"),
        originals.join("\n") + "\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("ExplanationOfBenefit-adjusted.ndjson"),
        extra.join("\n") + "\n",
    )
    .unwrap();
    originals
        .iter()
        .chain(&extra)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn eob_type(e: &Value) -> String {
    e["type"]["coding"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["system"] == "https://bluebutton.cms.gov/resources/codesystem/eob-type")
        .map(|c| c["code"].as_str().unwrap().to_string())
        .unwrap()
}

/// The final versions, computed independently of the crate: per (patient, type, group), the
/// active version with the latest lastUpdated.
fn final_versions(eobs: &[Value]) -> Vec<&Value> {
    let mut best: HashMap<(String, String, String), &Value> = HashMap::new();
    for e in eobs.iter().filter(|e| e["status"] == "active") {
        let group = e["identifier"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["system"] == "https://bluebutton.cms.gov/resources/identifier/claim-group")
            .map(|i| i["value"].as_str().unwrap().to_string())
            .unwrap();
        let k = (e["patient"]["reference"].to_string(), eob_type(e), group);
        let newer =
            |old: &Value| e["meta"]["lastUpdated"].as_str() > old["meta"]["lastUpdated"].as_str();
        if best.get(&k).is_none_or(|old| newer(old)) {
            best.insert(k, e);
        }
    }
    best.into_values().collect()
}

fn cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

/// An item's amount by its Blue Button adjudication codes.
fn item_amount(item: &Value, vars: &[&str]) -> Option<i64> {
    item["adjudication"].as_array()?.iter().find_map(|a| {
        let hit = a["category"]["coding"].as_array()?.iter().any(|c| {
            c["system"] == BBCS_ADJ && vars.iter().any(|v| c["code"] == format!("{BB}{v}"))
        });
        hit.then(|| a["amount"]["value"].as_f64().map(cents))
            .flatten()
    })
}

/// Expected paid per eob-type: line payments, or the header payment when no line has one.
fn expected_paid(finals: &[&Value]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for e in finals {
        let items = e["item"].as_array().cloned().unwrap_or_default();
        let vars = [
            "line_nch_pmt_amt",
            "rev_cntr_pmt_amt_amt",
            "cvrd_d_plan_pd_amt",
        ];
        let lines: Vec<Option<i64>> = items.iter().map(|i| item_amount(i, &vars)).collect();
        let paid = if lines.iter().all(Option::is_none) {
            if items.is_empty() {
                0
            } else {
                e["payment"]["amount"]["value"].as_f64().map_or(0, cents)
            }
        } else {
            lines.iter().flatten().sum()
        };
        *out.entry(eob_type(e)).or_insert(0) += paid;
    }
    out
}

fn strs<'a>(b: &'a RecordBatch, name: &str) -> Vec<Option<&'a str>> {
    let a = b.column_by_name(name).unwrap().as_string::<i32>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

fn ints(b: &RecordBatch, name: &str) -> Vec<Option<i32>> {
    let a = b.column_by_name(name).unwrap().as_primitive::<Int32Type>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

fn floats(b: &RecordBatch, name: &str) -> Vec<Option<f64>> {
    let a = b
        .column_by_name(name)
        .unwrap()
        .as_primitive::<Float64Type>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

fn dates(b: &RecordBatch, name: &str) -> Vec<Option<i32>> {
    let a = b.column_by_name(name).unwrap().as_primitive::<Date32Type>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

#[test]
fn only_final_versions_every_line_and_totals_per_claim_type() {
    let dir = tempfile::tempdir().unwrap();
    let eobs = adjusted_export(dir.path());
    let finals = final_versions(&eobs);
    let t = run(dir.path(), 2);
    let s = &t.summary;
    assert_eq!(s.error_count(), 0, "{:?}", s.issues);
    assert_eq!(s.eobs_read, eobs.len() as u64);
    assert_eq!(s.versions_dropped, (eobs.len() - finals.len()) as u64);
    assert!(
        s.versions_dropped > 20 && s.claims_without_active_version > 5,
        "{s:?}"
    );

    let by_id: HashMap<&str, &Value> = eobs
        .iter()
        .map(|e| (e["id"].as_str().unwrap(), e))
        .collect();
    let final_ids: HashSet<&str> = finals.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let mut want_lines = HashSet::new();
    for e in finals.iter().filter(|e| eob_type(e) != "PDE") {
        for item in e["item"].as_array().unwrap() {
            want_lines.insert((
                e["id"].as_str().unwrap().to_string(),
                item["sequence"].as_i64().unwrap() as i32,
            ));
        }
    }
    let mut got_lines = HashSet::new();
    let mut paid: BTreeMap<String, i64> = BTreeMap::new();
    let mut rows = 0;
    for b in t
        .medical_claim
        .batches
        .iter()
        .chain(&t.pharmacy_claim.batches)
    {
        let ids = strs(b, "claim_id");
        let seqs = ints(b, "claim_line_number");
        let amounts = floats(b, "paid_amount");
        for i in 0..b.num_rows() {
            let id = ids[i].unwrap();
            assert!(final_ids.contains(id), "{id} is not a final version");
            *paid.entry(eob_type(by_id[id])).or_insert(0) += amounts[i].map_or(0, cents);
            if b.schema().field_with_name("claim_type").is_ok() {
                rows += 1;
                assert!(
                    got_lines.insert((id.to_string(), seqs[i].unwrap())),
                    "duplicate line {id}"
                );
            }
        }
    }
    assert_eq!(
        rows,
        want_lines.len(),
        "one medical_claim row per item of every final claim"
    );
    assert_eq!(got_lines, want_lines);
    assert_eq!(paid, expected_paid(&finals));
    assert!(paid.len() >= 7, "every claim type is present: {paid:?}");
}

/// The header fields compared across a claim's lines: claim_type, start, end, person, bill type.
type Header = (
    Option<String>,
    Option<i32>,
    Option<i32>,
    Option<String>,
    Option<String>,
);

#[test]
fn header_fields_are_identical_across_lines_and_dates_in_order() {
    let dir = tempfile::tempdir().unwrap();
    adjusted_export(dir.path());
    let t = run(dir.path(), 1);
    let mut header: HashMap<String, Header> = HashMap::new();
    for b in &t.medical_claim.batches {
        let (ids, types, persons, bills) = (
            strs(b, "claim_id"),
            strs(b, "claim_type"),
            strs(b, "person_id"),
            strs(b, "bill_type_code"),
        );
        let (start, end) = (dates(b, "claim_start_date"), dates(b, "claim_end_date"));
        let (facility, billing, rendering) = (
            strs(b, "facility_npi"),
            strs(b, "billing_npi"),
            strs(b, "rendering_npi"),
        );
        for i in 0..b.num_rows() {
            let ct = types[i].unwrap();
            assert!(
                billing[i].is_some_and(|n| n.len() == 10),
                "billing_npi of {:?}",
                ids[i]
            );
            assert!(rendering[i].is_some(), "rendering_npi of {:?}", ids[i]);
            assert_eq!(
                facility[i].is_some(),
                ct == "institutional",
                "facility_npi of {:?}",
                ids[i]
            );
            assert!(["institutional", "professional", "undetermined"].contains(&ct));
            assert!(
                end[i] >= start[i] && start[i].is_some(),
                "claim_end_date >= claim_start_date"
            );
            let h = (
                Some(ct.to_string()),
                start[i],
                end[i],
                persons[i].map(str::to_string),
                bills[i].map(str::to_string),
            );
            let prev = header
                .entry(ids[i].unwrap().to_string())
                .or_insert_with(|| h.clone());
            assert_eq!(
                *prev,
                h,
                "header fields of {} differ between lines",
                ids[i].unwrap()
            );
        }
    }
    // File columns: the manifest's transactionTime, the file name, data_source.
    let b = &t.eligibility.batches[0];
    assert!(b.num_rows() > 0);
    let want_date = bcda_tuva::dates::days(common::TRANSACTION_TIME).unwrap();
    assert!(dates(b, "file_date").iter().all(|d| *d == Some(want_date)));
    assert!(strs(b, "file_name")
        .iter()
        .all(|n| *n == Some("Coverage.ndjson")));
    assert!(strs(b, "data_source").iter().all(|n| *n == Some("bcda")));
}

#[test]
fn eligibility_one_row_per_coverage_period_with_demographics() {
    let dir = tempfile::tempdir().unwrap();
    common::write_export(dir.path(), "A9994");
    let coverages: Vec<Value> = std::fs::read_to_string(dir.path().join("Coverage.ndjson"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let t = run(dir.path(), 2);
    assert_eq!(t.eligibility.num_rows(), coverages.len());
    assert_eq!(t.summary.eligibility_without_patient, 0);
    let mut keys = HashSet::new();
    for b in &t.eligibility.batches {
        let (p, plan, g) = (strs(b, "person_id"), strs(b, "plan"), strs(b, "gender"));
        let (s, e) = (
            dates(b, "enrollment_start_date"),
            dates(b, "enrollment_end_date"),
        );
        for i in 0..b.num_rows() {
            assert!(
                keys.insert((p[i], plan[i], s[i], e[i])),
                "unique eligibility key"
            );
            assert!(
                e[i].is_none() || e[i] >= s[i],
                "enrollment_end_date >= enrollment_start_date: {:?} {:?} {:?} {:?}",
                p[i],
                plan[i],
                s[i],
                e[i]
            );
            assert!(["male", "female", "unknown"].contains(&g[i].unwrap()));
        }
    }
}

#[test]
fn bad_lines_are_reported_with_their_location_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let eobs = common::write_export(dir.path(), "A9994");
    let mut lines = eobs.clone();
    lines.insert(
        2,
        "{\"resourceType\": \"ExplanationOfBenefit\", \"id\": ".to_string(),
    );
    std::fs::write(
        dir.path().join("ExplanationOfBenefit.ndjson"),
        lines.join("\n") + "\n",
    )
    .unwrap();
    let t = run(dir.path(), 2);
    let bad: Vec<_> = t
        .summary
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::InvalidJson)
        .collect();
    assert_eq!(bad.len(), 1, "{:?}", t.summary.issues);
    assert_eq!(bad[0].line, 3);
    assert!(bad[0].file.ends_with("ExplanationOfBenefit.ndjson"));
    assert_eq!(t.summary.error_count(), 1);
    assert_eq!(
        t.summary.eobs_read,
        eobs.len() as u64,
        "the other lines are all read"
    );
}

#[test]
fn parquet_and_csv_files_are_written_with_tuva_names() {
    let dir = tempfile::tempdir().unwrap();
    common::write_export(dir.path(), "A9994");
    let t = run(dir.path(), 2);
    let out = dir.path().join("out");
    for format in [
        bcda_view::OutputFormat::Parquet,
        bcda_view::OutputFormat::Csv,
    ] {
        let written = write_tables(&t, &out, format).unwrap();
        let names: Vec<_> = written
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let ext = format.extension();
        assert_eq!(
            names,
            [
                format!("medical_claim.{ext}"),
                format!("pharmacy_claim.{ext}"),
                format!("eligibility.{ext}")
            ]
        );
    }
    let csv = std::fs::read_to_string(out.join("medical_claim.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    let want: Vec<&str> = bcda_tuva::schema::MEDICAL_CLAIM
        .iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(header, want.join(","));
    assert_eq!(csv.lines().count(), t.medical_claim.num_rows() + 1);
    let file = std::fs::File::open(out.join("pharmacy_claim.parquet")).unwrap();
    let reader =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    assert_eq!(reader.schema().as_ref(), t.pharmacy_claim.schema.as_ref());
    let n: usize = reader.build().unwrap().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(n, t.pharmacy_claim.num_rows());
}

#[test]
fn a_v1_export_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let spec = bcda_synth::sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == "A9994")
        .unwrap()
        .spec;
    let g = bcda_synth::Generator::new(&spec, common::REFERENCE);
    let mut buf = Vec::new();
    let benes = g.current_beneficiaries();
    g.write_ndjson(
        bcda_synth::FhirVersion::Stu3,
        bcda_synth::ResourceKind::ExplanationOfBenefit,
        &benes,
        None,
        common::REFERENCE,
        &mut buf,
    )
    .unwrap();
    std::fs::write(dir.path().join("ExplanationOfBenefit.ndjson"), buf).unwrap();
    let inputs = Inputs::discover(&[dir.path()]).unwrap();
    let engine = Engine::new(Config::default()).unwrap();
    let err = build(&engine, &inputs, &TuvaOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("BCDA v1 (FHIR STU3) file"),
        "{err}"
    );
}
