//! The full read path: typed parsing and validation through the engine, with locations.

use bcda_ndjson::typed::{Typed, ValidationSummary};
use bcda_ndjson::{Config, Engine, Inputs, IssueKind};
use std::path::PathBuf;

const GOOD: &str =
    r#"{"resourceType":"Patient","id":"-1","gender":"female","birthDate":"1950-02-03"}"#;

fn run(
    lines: impl AsRef<[u8]>,
    threads: usize,
) -> bcda_ndjson::RunOutput<bcda_ndjson::typed::Summary> {
    run_with(
        lines,
        Config {
            threads,
            chunk_bytes: 128,
            ..Config::default()
        },
    )
}

fn run_with(
    lines: impl AsRef<[u8]>,
    config: Config,
) -> bcda_ndjson::RunOutput<bcda_ndjson::typed::Summary> {
    // One directory per call: the tests run in parallel.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("bcda-typed-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p: PathBuf = dir.join("Patient.ndjson");
    std::fs::write(&p, lines.as_ref()).unwrap();
    let inputs = Inputs::discover(std::slice::from_ref(&p)).unwrap();
    let engine = Engine::new(config).unwrap();
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
fn typed_path_locates_invalid_utf8_and_counts_the_lines_around_it() {
    // Line 2 holds a byte that is not UTF-8 inside a string, at 0-based offset 41.
    let bad = GOOD
        .replace("female", "fem\u{0}le")
        .replace('\u{0}', "\u{1}");
    let mut text = format!("{GOOD}\n{bad}\n{GOOD}\n").into_bytes();
    let at = text.iter().position(|&b| b == 1).unwrap();
    text[at] = 0xFF;
    let col = at - (GOOD.len() + 1) + 1;
    for threads in [1, 2] {
        let out = run(&text, threads);
        assert_eq!(out.acc.by_type.get("Patient"), Some(&(2, 0)));
        let i = out
            .issues
            .iter()
            .find(|i| i.kind == IssueKind::InvalidUtf8)
            .expect("invalid UTF-8 reported");
        assert_eq!((i.line, i.column), (2, col as u64), "threads={threads}");
        assert_eq!(out.totals().bad_lines, 1);
    }
    // With the engine's UTF-8 checks off, the parser's own check still reports the line.
    let out = run_with(
        &text,
        Config {
            validate_utf8: false,
            ..Config::default()
        },
    );
    assert_eq!(out.acc.by_type.get("Patient"), Some(&(2, 0)));
    let i = out
        .issues
        .iter()
        .find(|i| i.kind == IssueKind::InvalidUtf8)
        .expect("invalid UTF-8 reported with the checks off");
    assert_eq!((i.line, i.column), (2, col as u64));
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
