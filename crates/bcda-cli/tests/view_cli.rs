//! `bcda view`: outputs, exit codes and messages for bad views, bad input and bad outputs;
//! nothing partial is left behind when the run cannot go on.

use std::path::Path;
use std::process::Command;

struct Out {
    code: i32,
    stderr: String,
}

fn bcda_view(args: &[&str], cwd: &Path) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_bcda"))
        .arg("view")
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run bcda");
    Out {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const PATIENTS: &str = concat!(
    r#"{"resourceType":"Patient","id":"a","gender":"female","birthDate":"1950-01-02","name":[{"given":["Ann","B"]}]}"#,
    "\n",
    r#"{"resourceType":"Patient","id":"b","gender":"male","birthDate":"1960","name":[{"given":["Bo"]}]}"#,
    "\n",
);

/// A temp dir with `data/Patient.ndjson` (`lines`) and an empty `out/`.
fn setup(lines: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::write(dir.path().join("data/Patient.ndjson"), lines).unwrap();
    dir
}

fn write_view(dir: &Path, name: &str, columns: &str) {
    let view = format!(
        r#"{{"resourceType":"ViewDefinition","name":"{name}","resource":"Patient","select":[{{"column":[{columns}]}}]}}"#
    );
    std::fs::write(dir.join(format!("{name}.json")), view).unwrap();
}

fn out_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn several_views_write_one_file_each() {
    let dir = setup(PATIENTS);
    write_view(
        dir.path(),
        "names",
        r#"{"name":"id","path":"id"},{"name":"given","path":"name.given","collection":true}"#,
    );
    let r = bcda_view(
        &[
            "names.json",
            "--builtin",
            "patient",
            "data",
            "--out",
            "out",
            "--format",
            "csv",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(out_names(dir.path()), vec!["names.csv", "patient.csv"]);
    let names = std::fs::read_to_string(dir.path().join("out/names.csv")).unwrap();
    assert_eq!(
        names,
        "id,given\na,\"[\"\"Ann\"\",\"\"B\"\"]\"\nb,\"[\"\"Bo\"\"]\"\n"
    );
    let patient = std::fs::read_to_string(dir.path().join("out/patient.csv")).unwrap();
    assert!(patient.contains("\nb,,male,1960,"), "{patient}");
    assert!(
        r.stderr.contains("names: 2 rows -> out/names.csv"),
        "{}",
        r.stderr
    );
}

#[test]
fn one_view_writes_the_out_file() {
    let dir = setup(PATIENTS);
    let r = bcda_view(
        &["--builtin", "patient", "data", "--out", "p.parquet"],
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bytes = std::fs::read(dir.path().join("p.parquet")).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
}

#[test]
fn unknown_builtin_exits_2_and_writes_nothing() {
    let dir = setup(PATIENTS);
    let r = bcda_view(&["--builtin", "nope", "data", "--out", "out"], dir.path());
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("unknown built-in view `nope` (known: patient, coverage, eob,"),
        "{}",
        r.stderr
    );
    assert!(out_names(dir.path()).is_empty());
}

#[test]
fn invalid_view_exits_2_with_its_json_path() {
    let dir = setup(PATIENTS);
    write_view(
        dir.path(),
        "bad",
        r#"{"name":"id","path":"id.nosuchfunction()"}"#,
    );
    let r = bcda_view(&["bad.json", "data", "--out", "out"], dir.path());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("invalid view bad.json"), "{}", r.stderr);
    assert!(
        r.stderr.contains("select[0].column[0].path"),
        "{}",
        r.stderr
    );
    assert!(out_names(dir.path()).is_empty());
}

#[test]
fn unreadable_input_exits_2_and_writes_nothing() {
    let dir = setup(PATIENTS);
    let r = bcda_view(
        &["--builtin", "patient", "missing-dir", "--out", "out"],
        dir.path(),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("missing-dir"), "{}", r.stderr);
    assert!(out_names(dir.path()).is_empty());
}

#[test]
fn unwritable_out_exits_2_and_leaves_nothing() {
    let dir = setup(PATIENTS);
    std::fs::write(dir.path().join("afile"), "x").unwrap();
    let r = bcda_view(
        &[
            "--builtin",
            "patient",
            "--builtin",
            "coverage",
            "data",
            "--out",
            "afile/sub",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("cannot create output directory afile/sub"),
        "{}",
        r.stderr
    );
    let r = bcda_view(
        &["--builtin", "patient", "data", "--out", "no/such/dir/p.csv"],
        dir.path(),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no/such/dir/p.csv"), "{}", r.stderr);
    assert!(!dir.path().join("no").exists());
}

#[test]
fn bad_lines_are_reported_counted_and_skipped() {
    let lines = format!("{PATIENTS}{{\"resourceType\":\"Patient\",\"id\":\n{PATIENTS}");
    let dir = setup(&lines);
    let r = bcda_view(
        &[
            "--builtin",
            "patient",
            "data",
            "--out",
            "out/p.csv",
            "--format",
            "csv",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("data/Patient.ndjson:3:"),
        "file:line of the bad line: {}",
        r.stderr
    );
    assert!(r.stderr.contains("error [invalid_json]"), "{}", r.stderr);
    assert!(r.stderr.contains("5 lines (1 bad)"), "{}", r.stderr);
    let csv = std::fs::read_to_string(dir.path().join("out/p.csv")).unwrap();
    assert_eq!(csv.lines().count(), 5, "header and the 4 good rows: {csv}");
}

#[test]
fn several_values_without_collection_is_a_located_error() {
    let dir = setup(PATIENTS);
    write_view(
        dir.path(),
        "given",
        r#"{"name":"given","path":"name.given"}"#,
    );
    let r = bcda_view(
        &[
            "given.json",
            "data",
            "--out",
            "out/g.csv",
            "--format",
            "csv",
        ],
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("data/Patient.ndjson:1:"), "{}", r.stderr);
    assert!(r.stderr.contains("Patient/a"), "{}", r.stderr);
    let csv = std::fs::read_to_string(dir.path().join("out/g.csv")).unwrap();
    assert_eq!(csv, "given\nBo\n", "the bad line contributes no row");
}

#[test]
fn where_on_a_non_boolean_is_a_runtime_error() {
    let dir = setup(PATIENTS);
    write_view(
        dir.path(),
        "w",
        r#"{"name":"id","path":"name.where(given).given.first()"}"#,
    );
    let r = bcda_view(
        &["w.json", "data", "--out", "out/w.csv", "--format", "csv"],
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("[invalid_value]"), "{}", r.stderr);
    assert!(
        r.stderr.contains("select[0].column[0].path"),
        "{}",
        r.stderr
    );
}
