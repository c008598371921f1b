//! Replays every fuzz target's seed corpus (`fuzz/corpus/<target>/`) and minimized crashers
//! (`fuzz/regressions/<target>/`) through the same checks the fuzzer runs, so that
//! `cargo test --workspace` (CI) exercises them without cargo-fuzz or a nightly toolchain.

use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

fn replay(target: &str) {
    let check = bcda_fuzz_targets::check_of(target).expect("known target");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let corpus = files(&root.join("corpus").join(target));
    assert!(
        !corpus.is_empty(),
        "fuzz/corpus/{target}/ is empty or missing"
    );
    let regressions = files(&root.join("regressions").join(target));
    let mut failures = Vec::new();
    for path in corpus.iter().chain(&regressions) {
        let data = std::fs::read(path).expect("read corpus file");
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            failures.push(path.display().to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{target}: {} of {} inputs fail:\n{}",
        failures.len(),
        corpus.len() + regressions.len(),
        failures.join("\n")
    );
}

#[test]
fn every_target_has_a_test() {
    let names: Vec<&str> = bcda_fuzz_targets::TARGETS.iter().map(|t| t.0).collect();
    assert_eq!(
        names,
        [
            "fhir_stu3",
            "fhir_r4",
            "fhir_validate",
            "ndjson_engine",
            "ndjson_gzip",
            "export_query",
            "auth",
            "client_manifest"
        ]
    );
}

#[test]
fn fhir_stu3() {
    replay("fhir_stu3");
}

#[test]
fn fhir_r4() {
    replay("fhir_r4");
}

#[test]
fn fhir_validate() {
    replay("fhir_validate");
}

#[test]
fn ndjson_engine() {
    replay("ndjson_engine");
}

#[test]
fn ndjson_gzip() {
    replay("ndjson_gzip");
}

#[test]
fn export_query() {
    replay("export_query");
}

#[test]
fn auth() {
    replay("auth");
}

#[test]
fn client_manifest() {
    replay("client_manifest");
}
