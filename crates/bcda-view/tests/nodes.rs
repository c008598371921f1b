//! The two node builders (the structural-index fast lane and the escape-aware reader) agree
//! with each other and with serde_json on every BCDA sample, whole and projected.

use std::path::PathBuf;

use bcda_ndjson::scan::Index;
use bcda_view::node::{build_fast, parse, Bump, Fields};

fn samples() -> PathBuf {
    let p = std::env::var_os("BCDA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("samples");
    assert!(
        p.is_dir(),
        "these tests need the shared reference material: set BCDA_SHARED or place it at {} (missing)",
        p.display()
    );
    p
}

/// Every JSON document of the samples: whole `*.json` files and `*.ndjson` lines.
fn documents() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for version in ["v1", "v2"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(samples().join(version))
            .expect("read samples")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("read a sample");
            let name = f.display().to_string();
            if name.ends_with(".ndjson") {
                for (i, line) in text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim().is_empty())
                {
                    out.push((format!("{name}:{}", i + 1), line.to_string()));
                }
            } else if name.ends_with(".json") {
                out.push((name, text));
            }
        }
    }
    assert!(
        out.len() > 20,
        "expected the BCDA samples, found {} documents",
        out.len()
    );
    out
}

#[test]
fn fast_lane_and_reader_agree_with_serde_json() {
    let mut index = Index::new();
    let mut fast = 0;
    for (name, text) in documents() {
        let arena = Bump::new();
        let whole = parse(&arena, &text, &Fields::everything())
            .unwrap_or_else(|| panic!("{name}: the reader failed"));
        let expected: serde_json::Value = serde_json::from_str(&text).expect("samples are JSON");
        let got: serde_json::Value =
            serde_json::from_str(&whole.to_json()).expect("to_json is JSON");
        assert_eq!(got, expected, "{name}: reader");
        if let Ok(f) = build_fast(&mut index, &arena, text.as_bytes(), &Fields::everything()) {
            assert_eq!(f, whole, "{name}: fast lane");
            fast += 1;
        }
    }
    assert!(fast > 10, "the fast lane took only {fast} documents");
}

#[test]
fn projection_keeps_the_touched_members_only() {
    let mut fields = Fields::default();
    fields.child_mut("resourceType");
    fields
        .child_mut("item")
        .child_mut("productOrService")
        .child_mut("coding");
    fields.child_mut("billablePeriod").all = true;
    let mut index = Index::new();
    for (name, text) in documents() {
        let arena = Bump::new();
        let projected = parse(&arena, &text, &fields).expect("the reader");
        let v: serde_json::Value = serde_json::from_str(&projected.to_json()).unwrap();
        let obj = match v.as_object() {
            Some(o) => o,
            None => continue,
        };
        assert!(
            obj.keys()
                .all(|k| ["resourceType", "item", "billablePeriod"].contains(&k.as_str())),
            "{name}: {obj:?}"
        );
        if let Some(items) = obj.get("item").and_then(|i| i.as_array()) {
            for item in items {
                let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
                assert!(
                    keys.iter().all(|k| *k == "productOrService"),
                    "{name}: {keys:?}"
                );
            }
        }
        if let Ok(f) = build_fast(&mut index, &arena, text.as_bytes(), &fields) {
            assert_eq!(f, projected, "{name}: fast lane");
        }
    }
}
