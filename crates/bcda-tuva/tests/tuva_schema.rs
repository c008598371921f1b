//! The schema constants equal Tuva's YAML definitions in `../shared/tuva-input-layer/`
//! (column names, order and `config.meta.data_type`).

use std::path::PathBuf;

use bcda_tuva::schema::{TuvaType, ELIGIBILITY, MEDICAL_CLAIM, PHARMACY_CLAIM};

fn shared() -> PathBuf {
    let p = std::env::var_os("BCDA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(
        p.join("tuva-input-layer").is_dir(),
        "this test needs the shared reference material: set BCDA_SHARED or place it at {} (missing)",
        p.display()
    );
    p
}

/// `(name, data_type)` of the model's columns, read from the YAML's indentation: a column
/// starts at `      - name: X` under `columns:`, its type is the next `data_type:` before
/// the following column.
fn yaml_columns(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut in_columns = false;
    for line in text.lines() {
        if line == "    columns:" {
            in_columns = true;
        } else if in_columns {
            if let Some(name) = line.strip_prefix("      - name: ") {
                out.push((name.trim().to_string(), String::new()));
            } else if let Some(ty) = line.trim_start().strip_prefix("data_type: ") {
                if let Some(last) = out.last_mut() {
                    last.1 = ty.trim().to_string();
                }
            }
        }
    }
    out
}

fn check(file: &str, columns: &[(&str, TuvaType)]) {
    let path = shared().join("tuva-input-layer").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let yaml = yaml_columns(&text);
    assert!(!yaml.is_empty(), "{}: no columns found", path.display());
    let ours: Vec<&str> = columns.iter().map(|c| c.0).collect();
    let theirs: Vec<&str> = yaml.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(ours, theirs, "{file}: column names and order");
    for ((name, ty), (_, yaml_ty)) in columns.iter().zip(&yaml) {
        assert!(
            ty.yaml_names().contains(&yaml_ty.as_str()),
            "{file}: {name} is {yaml_ty}, we write {ty:?}"
        );
    }
}

#[test]
fn medical_claim_matches_tuva() {
    check("input_layer__medical_claim.yml", MEDICAL_CLAIM);
    assert_eq!(MEDICAL_CLAIM.len(), 148);
}

#[test]
fn pharmacy_claim_matches_tuva() {
    check("input_layer__pharmacy_claim.yml", PHARMACY_CLAIM);
    assert_eq!(PHARMACY_CLAIM.len(), 25);
}

#[test]
fn eligibility_matches_tuva() {
    check("input_layer__eligibility.yml", ELIGIBILITY);
    assert_eq!(ELIGIBILITY.len(), 39);
}
