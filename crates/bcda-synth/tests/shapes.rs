//! Shape coverage: the distinct JSON paths of BFD's sample EOBs (identifier systems, extension
//! URLs and coding systems folded into the path) must be >= 95% present in generated EOBs.
//!
//! Reads `/work/shared/samples` via `$BCDA_SHARED` or `<workspace>/../shared`; fails loudly
//! when the samples are absent.

use bcda_synth::{AcoSpec, FhirVersion, Flavour, Generator, ResourceKind};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

const REFERENCE: i64 = 1_764_547_200; // 2025-12-01T00:00:00Z

fn shared_dir() -> PathBuf {
    let dir = std::env::var_os("BCDA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(
        dir.join("samples/v2/bfd__eobReadCarrier.json").is_file(),
        "reference samples not found at {} (set BCDA_SHARED to the shared/ directory)",
        dir.display()
    );
    dir
}

/// Collects leaf paths; list elements are keyed by their `url`, else their `system`.
fn paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let base = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                match x {
                    Value::Array(items) => {
                        for e in items {
                            let key = match e {
                                Value::Object(o) if o.contains_key("url") => {
                                    format!("{base}[url={}]", o["url"].as_str().unwrap_or(""))
                                }
                                Value::Object(o) if o.contains_key("system") => {
                                    format!("{base}[system={}]", o["system"].as_str().unwrap_or(""))
                                }
                                _ => base.clone(),
                            };
                            paths(e, &key, out);
                        }
                    }
                    _ => paths(x, &base, out),
                }
            }
        }
        _ => {
            out.insert(prefix.to_string());
        }
    }
}

fn generated_paths(
    version: FhirVersion,
    kind: ResourceKind,
    benes: u32,
) -> BTreeMap<String, BTreeSet<String>> {
    let spec = AcoSpec {
        cms_id: "SHAPES".into(),
        beneficiaries: benes,
        flavour: Flavour::Advanced,
        partially_adjudicated: true,
    };
    let g = Generator::new(&spec, REFERENCE);
    let idx: Vec<u32> = (0..benes).collect();
    let mut buf = Vec::new();
    g.write_ndjson(version, kind, &idx, None, REFERENCE, &mut buf)
        .expect("generate");
    let mut by_type: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in buf.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
        let v: Value = serde_json::from_slice(line).expect("generated line is JSON");
        let id = v["id"].as_str().expect("id").to_string();
        let t = match kind {
            ResourceKind::ExplanationOfBenefit => id.split('-').next().unwrap_or("").to_string(),
            _ => kind.as_str().to_string(),
        };
        paths(&v, "", by_type.entry(t).or_default());
    }
    by_type
}

fn coverage(sample: &BTreeSet<String>, generated: &BTreeSet<String>) -> (f64, Vec<String>) {
    let missing: Vec<String> = sample
        .iter()
        .filter(|p| !generated.contains(*p))
        .cloned()
        .collect();
    let pct = 100.0 * (sample.len() - missing.len()) as f64 / sample.len() as f64;
    (pct, missing)
}

fn load(path: PathBuf) -> BTreeSet<String> {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: Value = serde_json::from_str(&text).expect("sample JSON");
    let mut s = BTreeSet::new();
    paths(&v, "", &mut s);
    s
}

fn check_eobs(version: FhirVersion, dir: &str) {
    let shared = shared_dir();
    let generated = generated_paths(version, ResourceKind::ExplanationOfBenefit, 300);
    let mut failures = Vec::new();
    for (file, prefix) in [
        ("Carrier", "carrier"),
        ("Dme", "dme"),
        ("Hha", "hha"),
        ("Hospice", "hospice"),
        ("Inpatient", "inpatient"),
        ("Outpatient", "outpatient"),
        ("Pde", "pde"),
        ("Snf", "snf"),
    ] {
        let sample = load(shared.join(format!("samples/{dir}/bfd__eobRead{file}.json")));
        let gen = generated.get(prefix).cloned().unwrap_or_default();
        let (pct, missing) = coverage(&sample, &gen);
        println!(
            "{dir} {file:<10} {pct:6.2}% of {} sample paths",
            sample.len()
        );
        for m in &missing {
            println!("    missing {m}");
        }
        if pct < 95.0 {
            failures.push(format!("{dir} {file}: {pct:.2}%"));
        }
    }
    assert!(failures.is_empty(), "path coverage below 95%: {failures:?}");
}

#[test]
fn v2_eob_paths_cover_samples() {
    check_eobs(FhirVersion::R4, "v2");
}

#[test]
fn v1_eob_paths_cover_samples() {
    check_eobs(FhirVersion::Stu3, "v1");
}

#[test]
fn patient_and_coverage_paths_reported() {
    let shared = shared_dir();
    for (version, dir) in [(FhirVersion::R4, "v2"), (FhirVersion::Stu3, "v1")] {
        for (kind, file) in [
            (ResourceKind::Patient, "patientRead"),
            (ResourceKind::Coverage, "coverageRead"),
        ] {
            let sample = load(shared.join(format!("samples/{dir}/bfd__{file}.json")));
            let gen = generated_paths(version, kind, 50)
                .remove(kind.as_str())
                .unwrap_or_default();
            let (pct, missing) = coverage(&sample, &gen);
            println!(
                "{dir} {kind:<10} {pct:6.2}% of {} sample paths",
                sample.len()
            );
            for m in &missing {
                println!("    missing {m}");
            }
            assert!(pct >= 80.0, "{dir} {kind}: {pct:.2}%");
        }
    }
}

#[test]
fn pac_paths_reported() {
    let shared = shared_dir();
    for (kind, files) in [
        (ResourceKind::Claim, ["claimFissRead", "claimMcsRead"]),
        (
            ResourceKind::ClaimResponse,
            ["claimResponseFissRead", "claimResponseMcsRead"],
        ),
    ] {
        let gen = generated_paths(FhirVersion::R4, kind, 200)
            .remove(kind.as_str())
            .unwrap_or_default();
        for file in files {
            let sample = load(shared.join(format!("samples/v2/bfd__{file}.json")));
            let (pct, missing) = coverage(&sample, &gen);
            println!("v2 {file:<22} {pct:6.2}% of {} sample paths", sample.len());
            for m in &missing {
                println!("    missing {m}");
            }
            assert!(pct >= 80.0, "{file}: {pct:.2}%");
        }
    }
}

/// Paths of every line of an NDJSON sample, leaving out BFD's per-year extension URLs
/// (`.../ptdcntrct01/2011-1`), which exist once per historical reference year.
fn load_ndjson(path: PathBuf) -> BTreeSet<String> {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut s = BTreeSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).expect("sample NDJSON line");
        paths(&v, "", &mut s);
    }
    s.retain(|p| {
        !p.split("variables/")
            .skip(1)
            .any(|rest| rest.split(']').next().unwrap_or("").contains('/'))
    });
    s
}

#[test]
fn v1_matches_real_bcda_bulk_export_lines() {
    let shared = shared_dir();
    for (kind, file) in [
        (ResourceKind::Patient, "bcda-site__Patient.ndjson"),
        (ResourceKind::Coverage, "bcda-site__Coverage.ndjson"),
    ] {
        let sample = load_ndjson(shared.join(format!("samples/v1/{file}")));
        let gen = generated_paths(FhirVersion::Stu3, kind, 100)
            .remove(kind.as_str())
            .unwrap_or_default();
        let (pct, missing) = coverage(&sample, &gen);
        println!("v1 {file:<28} {pct:6.2}% of {} sample paths", sample.len());
        for m in &missing {
            println!("    missing {m}");
        }
        assert!(pct >= 95.0, "{file}: {pct:.2}%");
    }
}
