//! The FHIR commands of the `bcda` binary: `schema` and `validate`.

use std::process::Command;

fn bcda(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args(args)
        .output()
        .expect("run bcda");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn schema_of_patient() {
    let (code, out, _) = bcda(&["schema", "Patient"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let props = &v["properties"];
    assert_eq!(props["resourceType"]["const"], "Patient");
    assert!(props["birthDate"].is_object() && props["_birthDate"].is_object());
    assert!(props["deceasedBoolean"].is_object() && props["deceasedDateTime"].is_object());
    assert_eq!(v["additionalProperties"], false);
    let text = out.as_str();
    assert!(text.contains("\"female\""), "gender codes are listed");
    let (code, _, err) = bcda(&["schema", "Nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("not a modelled resource type"));
}

#[test]
fn validate_reports_with_file_line_and_path() {
    let dir = std::env::temp_dir().join(format!("bcda-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = r#"{"resourceType":"Patient","id":"a","gender":"male","birthDate":"1950-01-01"}"#;
    let bad_date = r#"{"resourceType":"Patient","id":"b","birthDate":"1950-02-30"}"#;
    let bad_json = r#"{"resourceType":"Patient","id":"c""#;
    let file = dir.join("Patient.ndjson");
    std::fs::write(
        &file,
        format!("{good}\n{bad_date}\r\n\n{bad_json}\n{good}\n"),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let (code, out, _) = bcda(&[
        "validate",
        "--fhir-version",
        "r4",
        "--roundtrip",
        "--format",
        "json",
        f,
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["resources"], 4);
    assert_eq!(v["valid"], 2);
    assert_eq!(v["invalid"], 1);
    assert_eq!(v["parse_errors"], 1);
    assert_eq!(v["roundtrip_mismatches"], 0);
    assert_eq!(v["by_type"]["Patient"]["resources"], 3);
    let issues = v["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 2);
    assert_eq!(issues[0]["line"], 2);
    assert_eq!(issues[0]["path"], "Patient.birthDate");
    assert_eq!(issues[0]["code"], "format");
    assert_eq!(issues[1]["line"], 4);
    assert_eq!(issues[1]["code"], "json-syntax");
    // Text output: file:line: severity [code] path: message.
    let (code, out, _) = bcda(&["validate", f]);
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!("{f}:2: error [format] Patient.birthDate:")),
        "{out}"
    );
    // Only good resources: exit 0.
    std::fs::write(&file, format!("{good}\n")).unwrap();
    assert_eq!(bcda(&["validate", "--roundtrip", f]).0, 0);
    // Unreadable input: exit 2.
    assert_eq!(bcda(&["validate", "/nonexistent/file.ndjson"]).0, 2);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn validate_reports_a_corrupt_gzip_member_and_checks_the_rest() {
    use std::io::Write;
    let gz = |text: &str| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(text.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    let good = r#"{"resourceType":"Patient","id":"a","gender":"male"}"#;
    let bad_date = r#"{"resourceType":"Patient","id":"b","birthDate":"1950-02-30"}"#;
    // Member 1: two lines; member 2: cut short; member 3: one line with a bad date.
    let mut bytes = gz(&format!("{good}\n{good}\n"));
    let cut = gz(&format!("{good}\n{good}\n"));
    bytes.extend_from_slice(&cut[..cut.len() / 2]);
    bytes.extend_from_slice(&gz(&format!("{bad_date}\n")));
    let dir = std::env::temp_dir().join(format!("bcda-validate-gz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("Patient.ndjson.gz");
    std::fs::write(&file, bytes).unwrap();
    let f = file.to_str().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let (code, out, _) = bcda(&["validate", "--threads", threads, "--format", "json", f]);
        assert_eq!(code, 1, "{out}");
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        // Two good resources from member 1, the bad date from member 3, and the corrupt
        // member counted as a parse error: nothing after the damage is lost.
        assert_eq!(v["valid"], 2, "{out}");
        assert_eq!(v["invalid"], 1, "{out}");
        assert_eq!(v["parse_errors"], 1, "{out}");
        let issues = v["issues"].as_array().unwrap();
        assert!(issues.iter().any(|i| i["code"] == "corrupt_gzip"), "{out}");
        assert!(
            issues
                .iter()
                .any(|i| i["code"] == "format" && i["path"] == "Patient.birthDate"),
            "{out}"
        );
        outputs.push(out);
    }
    assert_eq!(outputs[0], outputs[1], "1 and 2 threads agree");
    std::fs::remove_dir_all(&dir).ok();
}
