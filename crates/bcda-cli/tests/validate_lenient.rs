//! `bcda validate --lenient`: a resource with an unknown property is validated and the property
//! reported with its path; strict (the default) refuses it as a parse error.

use std::process::Command;

fn bcda(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args(args)
        .output()
        .expect("run bcda");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code().unwrap_or(-1), stdout)
}

#[test]
fn lenient_reports_the_unknown_property_and_validates_the_resource() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("Patient.ndjson");
    let good = r#"{"resourceType":"Patient","id":"a","gender":"male"}"#;
    let odd = r#"{"resourceType":"Patient","id":"b","sex":"m","gender":"male"}"#;
    std::fs::write(&f, format!("{good}\n{odd}\n")).unwrap();
    let f = f.to_str().unwrap();

    let (code, out) = bcda(&["validate", f]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(":2: error [unknown-property] Patient.sex"),
        "{out}"
    );
    assert!(
        out.contains("2 resources: 1 valid, 0 invalid, 1 parse errors"),
        "{out}"
    );

    let (code, out) = bcda(&["validate", "--lenient", f]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(":2: error [unknown-property] Patient.sex: unknown property 'sex' skipped"),
        "{out}"
    );
    assert!(
        out.contains("2 resources: 1 valid, 1 invalid, 0 parse errors"),
        "{out}"
    );
}
