//! The built-in views on the real BFD shapes in `../shared/samples` (v2 R4 and v1 STU3), against
//! values read by hand from the files (Python `json` with `parse_float=str` while writing the
//! test), not by running this crate.

use std::collections::BTreeMap;
use std::path::PathBuf;

use arrow_array::RecordBatch;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use bcda_ndjson::{Config, Engine, FhirVersion, Inputs};
use bcda_view::{builtin, run_to_batches, RunOptions, VersionedViews, View, ViewSet};

fn shared() -> PathBuf {
    let p = std::env::var_os("BCDA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(
        p.join("samples").is_dir(),
        "these tests need the shared reference material: set BCDA_SHARED or place it at {} (missing)",
        p.display()
    );
    p
}

fn builtins() -> VersionedViews {
    let set = |version| {
        ViewSet::new(
            builtin::NAMES
                .iter()
                .map(|n| builtin::load(n, version).unwrap().unwrap())
                .collect::<Vec<View>>(),
        )
    };
    VersionedViews::new(set(FhirVersion::R4), set(FhirVersion::Stu3)).unwrap()
}

/// Every built-in view over one sample file: per view name, its rows as `col=value` maps.
fn rows(file: &str) -> BTreeMap<&'static str, Vec<BTreeMap<String, String>>> {
    let inputs = Inputs::discover(&[shared().join("samples").join(file)]).unwrap();
    let engine = Engine::new(Config {
        threads: 1,
        ..Config::default()
    })
    .unwrap();
    let mut batches: Vec<(usize, RecordBatch)> = Vec::new();
    let summary = run_to_batches(
        &engine,
        &inputs,
        &builtins(),
        &RunOptions::default(),
        None,
        |v, b| batches.push((v, b)),
    )
    .unwrap();
    assert_eq!(summary.error_count(), 0, "{:?}", summary.issues);
    let mut out: BTreeMap<&'static str, Vec<BTreeMap<String, String>>> = BTreeMap::new();
    for (v, b) in batches {
        let fmts: Vec<ArrayFormatter> = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &FormatOptions::default()).unwrap())
            .collect();
        for i in 0..b.num_rows() {
            let row = b
                .schema()
                .fields()
                .iter()
                .zip(&fmts)
                .map(|(f, fmt)| (f.name().clone(), fmt.value(i).to_string()))
                .collect();
            out.entry(builtin::NAMES[v]).or_default().push(row);
        }
    }
    out
}

fn check_carrier(file: &str, careteam: usize) {
    let r = rows(file);
    let line = &r["eob_line"];
    assert_eq!(line.len(), 1, "one item");
    let l = &line[0];
    for (col, want) in [
        ("id", "carrier-9991831999"),
        ("status", "active"),
        ("claim_group", "900"),
        ("claim_type", "CARRIER"),
        ("sequence", "6"),
        ("hcpcs", "92999"),
        ("place_of_service", "11"),
        ("units", "1.000000"),
        ("allowed", "47.840000"),
        ("paid", "37.500000"),
        ("service_start", "1999-10-27"),
        ("service_date", ""),
    ] {
        assert_eq!(l[col], want, "{file} eob_line.{col}");
    }
    let eob = &r["eob"];
    assert_eq!(eob.len(), 1);
    assert_eq!(eob[0]["payment"], "199.990000");
    let dx: Vec<(&str, &str)> = r["eob_diagnosis"]
        .iter()
        .map(|d| (d["sequence"].as_str(), d["icd10"].as_str()))
        .collect();
    assert_eq!(
        dx,
        [
            ("1", "A02"),
            ("2", "A06"),
            ("3", "B04"),
            ("4", "B05"),
            ("5", "A52")
        ]
    );
    assert_eq!(r["eob_careteam"].len(), careteam);
    assert!(!r.contains_key("patient"), "no Patient in an EOB file");
}

#[test]
fn carrier_claim_v2_r4() {
    check_carrier("v2/bfd__eobReadCarrier.json", 4);
}

#[test]
fn carrier_claim_v1_stu3() {
    check_carrier("v1/bfd__eobReadCarrier.json", 1);
}

#[test]
fn every_claim_type_runs_without_errors_in_both_versions() {
    for v in ["v2", "v1"] {
        for t in [
            "Dme",
            "Hha",
            "Hospice",
            "Inpatient",
            "Outpatient",
            "Pde",
            "Snf",
        ] {
            let r = rows(&format!("{v}/bfd__eobRead{t}.json"));
            assert_eq!(r["eob"].len(), 1, "{v} {t}");
            assert!(!r["eob_line"].is_empty(), "{v} {t}: lines");
            assert_eq!(r["eob"][0]["claim_type"], t.to_uppercase(), "{v} {t}");
        }
    }
}
