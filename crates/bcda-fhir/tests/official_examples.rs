//! The official HL7 examples (npm `hl7.fhir.r4.examples@4.0.1`, `hl7.fhir.r3.examples@3.0.2`) of
//! every modelled resource type parse strictly and round-trip exactly.
//!
//! The packages are fetched by `scripts/fetch-test-data.sh` (run by `.ci/run`) into
//! `.cache/fhir-packages/`, or found in `$BCDA_FHIR_PACKAGES`.

use bcda_fhir::json::compare::first_difference;
use bcda_fhir::{r4, stu3};
use std::io::Read;
use std::path::PathBuf;

fn package(name: &str) -> Vec<(String, String)> {
    let dir = std::env::var_os("BCDA_FHIR_PACKAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.cache/fhir-packages")
        });
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/fetch-test-data.sh (or set BCDA_FHIR_PACKAGES)",
        path.display()
    );
    let bytes = std::fs::read(&path).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") || name.contains("/other/") || name.ends_with("package.json") {
            continue;
        }
        let mut text = String::new();
        if entry.read_to_string(&mut text).is_ok() {
            out.push((name, text));
        }
    }
    out
}

/// Finds `"resourceType"` at the top level with the crate's own reader.
fn resource_type(text: &str) -> Option<String> {
    use bcda_fhir::json::{Kind, Reader};
    let mut r = Reader::new(text);
    if !r.begin_object().ok()? {
        return None;
    }
    let mut k = Some(r.first_key().ok()?);
    while let Some(key) = k {
        if key == "resourceType" && r.peek().ok()? == Kind::String {
            return Some(r.string().ok()?.into_owned());
        }
        r.skip_value().ok()?;
        k = r.next_key().ok()?;
    }
    None
}

fn check<F: Fn(&str) -> Result<String, String>>(
    docs: &[(String, String)],
    modelled: &[&str],
    parse: F,
) -> (usize, Vec<String>) {
    let mut n = 0;
    let mut failures = Vec::new();
    for (name, text) in docs {
        let Some(t) = resource_type(text) else {
            continue;
        };
        if !modelled.contains(&t.as_str()) {
            continue;
        }
        n += 1;
        match parse(text) {
            Ok(back) => {
                if let Some(d) = first_difference(text, &back).unwrap() {
                    failures.push(format!("{name}: round trip differs at {d}"));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    (n, failures)
}

#[test]
fn r4_official_examples_round_trip() {
    let docs = package("hl7.fhir.r4.examples-4.0.1.tgz");
    let (n, failures) = check(&docs, r4::MODELLED_RESOURCE_TYPES, |t| {
        r4::Resource::from_json(t)
            .map(|r| r.to_json())
            .map_err(|e| e.to_string())
    });
    eprintln!("R4: {n} official examples of modelled types checked");
    assert!(n >= 200, "too few examples found ({n})");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn stu3_official_examples_round_trip() {
    let docs = package("hl7.fhir.r3.examples-3.0.2.tgz");
    let (n, failures) = check(&docs, stu3::MODELLED_RESOURCE_TYPES, |t| {
        stu3::Resource::from_json(t)
            .map(|r| r.to_json())
            .map_err(|e| e.to_string())
    });
    eprintln!("STU3: {n} official examples of modelled types checked");
    assert!(n > 100, "too few examples found ({n})");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `value` with the keys of every object in byte order, as BCDA's Go encoder writes them
/// (`resourceType` after `contained`, `entry`, `id`...).
fn sorted_keys(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut members: Vec<(String, Value)> = map.into_iter().collect();
            members.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k, sorted_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted_keys).collect()),
        other => other,
    }
}

/// Parses every example of a modelled type twice, as published and with its keys sorted
/// (strictly and leniently), and checks both give the same resource; returns how many
/// examples had `resourceType` anywhere but first, so the guessing path was taken.
fn check_sorted<T: PartialEq, F: Fn(&str, bool) -> Result<T, String>>(
    docs: &[(String, String)],
    modelled: &[&str],
    parse: F,
) -> (usize, Vec<String>) {
    let (mut reordered, mut failures) = (0, Vec::new());
    for (i, (name, text)) in docs.iter().enumerate() {
        let Some(t) = resource_type(text) else {
            continue;
        };
        if !modelled.contains(&t.as_str()) {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let sorted = serde_json::to_string(&sorted_keys(value)).unwrap();
        if !sorted.starts_with("{\"resourceType\"") {
            reordered += 1;
        }
        // Lenient parsing for every fourth example (debug builds are slow).
        for lenient in [false, true].into_iter().filter(|&l| !l || i % 4 == 0) {
            let (a, b) = (parse(text, lenient), parse(&sorted, lenient));
            if a != b {
                let what = match (&a, &b) {
                    (Ok(_), Ok(_)) => "different resources or issues".to_string(),
                    _ => format!("{:?} vs {:?}", a.as_ref().err(), b.as_ref().err()),
                };
                failures.push(format!("{name} (lenient {lenient}): {what}"));
            }
        }
    }
    (reordered, failures)
}

#[test]
fn r4_official_examples_with_sorted_keys_parse_the_same() {
    use bcda_fhir::runtime::ParseOptions;
    let docs = package("hl7.fhir.r4.examples-4.0.1.tgz");
    let (n, failures) = check_sorted(&docs, r4::MODELLED_RESOURCE_TYPES, |t, lenient| {
        let opts = if lenient {
            ParseOptions::lenient()
        } else {
            ParseOptions::strict()
        };
        r4::Resource::from_json_with(t, opts)
            .map(|(r, issues)| {
                // Unmodelled resources are kept verbatim: compare as JSON values.
                let value = serde_json::from_str(&r.to_json()).unwrap();
                let mut issues: Vec<String> = issues
                    .iter()
                    .map(|i| format!("{} {}", i.path, i.message))
                    .collect();
                issues.sort();
                (sorted_keys(value), issues)
            })
            .map_err(|e| e.to_string())
    });
    assert!(n >= 200, "too few reordered examples ({n})");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_guessed_type_is_checked_against_the_object_itself() {
    // The root has no resourceType, but a contained resource has one: still an error.
    let no_type = r#"{"contained":[{"id":"o","resourceType":"Observation","status":"final","code":{}}],"id":"p"}"#;
    let e = r4::Resource::from_json(no_type).unwrap_err();
    assert_eq!(
        e.to_string(),
        r4::Resource::from_json(r#"{"id":"p"}"#)
            .unwrap_err()
            .to_string()
    );
    // A contained resource whose first nested "resourceType" is not its own.
    let nested = r#"{"contained":[{"entry":[{"resource":{"id":"x","resourceType":"Patient"}}],"resourceType":"Bundle","type":"collection"}],"id":"p","resourceType":"Patient"}"#;
    let forward = r#"{"resourceType":"Patient","id":"p","contained":[{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","id":"x"}}]}]}"#;
    let (a, b) = (
        r4::Resource::from_json(nested),
        r4::Resource::from_json(forward),
    );
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    // A wrong type named last is reported as before.
    let wrong = r#"{"id":"p","resourceType":"Nonsense"}"#;
    assert!(r4::Resource::from_json(wrong)
        .unwrap_err()
        .to_string()
        .contains("Nonsense"));
}
