//! Every BCDA/BFD sample in `../shared/samples` parses strictly and round-trips exactly.

use bcda_fhir::json::compare::first_difference;
use bcda_fhir::{r4, stu3};
use std::path::{Path, PathBuf};

fn shared() -> PathBuf {
    let p = std::env::var_os("BCDA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(
        p.join("samples").is_dir(),
        "reference samples not found at {} (set BCDA_SHARED to the shared/ folder)",
        p.display()
    );
    p
}

/// BFD replaced volatile values with `IGNORED_FIELD`; put valid values back.
fn fix_ignored(text: &str) -> String {
    text.replace(
        "\"lastUpdated\" : \"IGNORED_FIELD\"",
        "\"lastUpdated\" : \"2021-01-01T00:00:00.000+00:00\"",
    )
    .replace(
        "\"created\" : \"IGNORED_FIELD\"",
        "\"created\" : \"2021-01-01T00:00:00+00:00\"",
    )
    .replace(
        "\"date\" : \"IGNORED_FIELD\"",
        "\"date\" : \"2021-01-01T00:00:00+00:00\"",
    )
    .replace("\"version\" : \"IGNORED_FIELD\"", "\"version\" : \"1\"")
    .replace("\"id\" : \"IGNORED_FIELD\"", "\"id\" : \"ignored-field\"")
    .replace(
        "\"reference\" : \"IGNORED_FIELD\"",
        "\"reference\" : \"#ignored-field\"",
    )
    .replace("localhost:IGNORED_FIELD", "localhost:8443")
}

/// Each document of a sample file: the whole file for `.json`, each line for `.ndjson`.
fn documents(dir: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(shared().join("samples").join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let text = fix_ignored(&std::fs::read_to_string(&p).unwrap());
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".ndjson") {
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                out.push((format!("{name}:{}", i + 1), line.to_string()));
            }
        } else {
            out.push((name, text));
        }
    }
    assert!(!out.is_empty(), "no samples in {dir}");
    out
}

#[test]
fn v1_samples_parse_and_round_trip() {
    let docs = documents("v1");
    for (name, text) in &docs {
        let res = stu3::Resource::from_json(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !matches!(res, stu3::Resource::Other(_)),
            "{name}: not modelled"
        );
        let back = res.to_json();
        let d = first_difference(text, &back).unwrap();
        assert_eq!(d, None, "{name}: round trip differs");
    }
    eprintln!("{} STU3 documents round-tripped", docs.len());
}

#[test]
fn v2_samples_parse_and_round_trip() {
    let docs = documents("v2");
    for (name, text) in &docs {
        let res = r4::Resource::from_json(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !matches!(res, r4::Resource::Other(_)),
            "{name}: not modelled"
        );
        let back = res.to_json();
        let d = first_difference(text, &back).unwrap();
        assert_eq!(d, None, "{name}: round trip differs");
    }
    eprintln!("{} R4 documents round-tripped", docs.len());
}
