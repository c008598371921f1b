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
