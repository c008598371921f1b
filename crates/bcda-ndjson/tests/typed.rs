//! The full read path: typed parsing and validation through the engine, with locations.

use bcda_ndjson::typed::{Typed, ValidationSummary};
use bcda_ndjson::{Config, Engine, Inputs, IssueKind};
use std::path::PathBuf;

const GOOD: &str =
    r#"{"resourceType":"Patient","id":"-1","gender":"female","birthDate":"1950-02-03"}"#;

fn run(lines: &str, threads: usize) -> bcda_ndjson::RunOutput<bcda_ndjson::typed::Summary> {
    let dir = std::env::temp_dir().join(format!("bcda-typed-{}-{threads}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p: PathBuf = dir.join("Patient.ndjson");
    std::fs::write(&p, lines).unwrap();
    let inputs = Inputs::discover(std::slice::from_ref(&p)).unwrap();
    let engine = Engine::new(Config {
        threads,
        chunk_bytes: 128,
        ..Config::default()
    })
    .unwrap();
    let out = engine.run(
        &inputs,
        &Typed::default(),
        &ValidationSummary { max_findings: 100 },
        None,
    );
    std::fs::remove_dir_all(&dir).ok();
    out
}

#[test]
fn typed_path_counts_validates_and_locates() {
    // Line 1 good, 2 bad date (validation), 3 unknown property (model refuses it),
    // 4 bad JSON, 5 good.
    let bad_date = GOOD.replace("1950-02-03", "1950-02-30");
    let unknown = GOOD.replace(r#""gender""#, r#""sex":"f","gender""#);
    let text = format!("{GOOD}\n{bad_date}\n{unknown}\n{{\"resourceType\":\n{GOOD}\n");
    for threads in [1, 2] {
        let out = run(&text, threads);
        assert_eq!(
            out.acc.by_type.get("Patient"),
            Some(&(3, 1)),
            "threads={threads}"
        );
        assert_eq!(out.acc.finding_count, 1);
        let (at, issue) = &out.acc.findings[0];
        assert_eq!(out.locate(*at).line, 2);
        assert_eq!(issue.path, "Patient.birthDate");
        let refused = out
            .issues
            .iter()
            .find(|i| i.kind == IssueKind::InvalidResource)
            .expect("unknown property reported");
        assert_eq!(refused.line, 3);
        assert_eq!(refused.json_path.as_deref(), Some("Patient.sex"));
        let bad = out
            .issues
            .iter()
            .find(|i| i.kind == IssueKind::InvalidJson)
            .expect("bad JSON reported");
        assert_eq!(bad.line, 4);
    }
}

#[test]
fn typed_path_reads_the_v1_site_samples() {
    let shared = std::env::var_os("BCDA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = shared.join("samples/v1");
    assert!(
        dir.is_dir(),
        "samples not found at {} (set BCDA_SHARED)",
        dir.display()
    );
    let files = vec![
        dir.join("bcda-site__Patient.ndjson"),
        dir.join("bcda-site__Coverage.ndjson"),
    ];
    let inputs = Inputs::discover(&files).unwrap();
    let engine = Engine::new(Config::default()).unwrap();
    let out = engine.run(
        &inputs,
        &Typed::default(),
        &ValidationSummary { max_findings: 10 },
        None,
    );
    // 100 Patient and 400 Coverage lines (counted with `wc -l`), all parse as STU3.
    assert_eq!(out.acc.by_type.get("Patient").map(|x| x.0), Some(100));
    assert_eq!(out.acc.by_type.get("Coverage").map(|x| x.0), Some(400));
    assert!(
        out.issues
            .iter()
            .all(|i| i.kind != IssueKind::InvalidResource),
        "{:?}",
        out.issues.first()
    );
}
