//! Runs every cookbook program of `examples/` on a small synthetic export and checks its
//! output against the same answer computed independently here with `serde_json`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use bcda_synth::{sandbox_catalogue, FhirVersion, Generator, ResourceKind};
use serde_json::Value;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/paid_per_npi_month.rs"]
mod paid_per_npi_month;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/patients_over_85.rs"]
mod patients_over_85;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/eobs_with_diagnosis.rs"]
mod eobs_with_diagnosis;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/validate_carin.rs"]
mod validate_carin;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/gzip_manifest.rs"]
mod gzip_manifest;

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/build_patient.rs"]
mod build_patient;

/// 2026-01-01T00:00:00Z.
const REFERENCE: i64 = 1_767_225_600;
const KINDS: [ResourceKind; 3] = [
    ResourceKind::Patient,
    ResourceKind::Coverage,
    ResourceKind::ExplanationOfBenefit,
];

/// An R4 export of 60 beneficiaries of sandbox ACO A9994: (directory, file texts by kind).
fn export() -> (tempfile::TempDir, BTreeMap<&'static str, String>) {
    let spec = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == "A9994")
        .expect("A9994")
        .spec;
    let g = Generator::new(&spec, REFERENCE);
    let benes: Vec<u32> = g.current_beneficiaries().into_iter().take(60).collect();
    let dir = tempfile::tempdir().unwrap();
    let mut texts = BTreeMap::new();
    for kind in KINDS {
        let mut out = Vec::new();
        g.write_ndjson(FhirVersion::R4, kind, &benes, None, REFERENCE, &mut out)
            .unwrap();
        let name = format!("{}.ndjson", kind.as_str());
        std::fs::write(dir.path().join(name), &out).unwrap();
        texts.insert(kind.as_str(), String::from_utf8(out).unwrap());
    }
    (dir, texts)
}

fn records(text: &str) -> impl Iterator<Item = Value> + '_ {
    text.lines().map(|l| serde_json::from_str(l).unwrap())
}

fn output(run: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut out = Vec::new();
    run(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn cookbook_1_paid_per_npi_month() {
    let (dir, texts) = export();
    let dir = dir.path().to_str().unwrap();
    let got = output(|o| paid_per_npi_month::run(dir, o).unwrap());
    // In cents (the samples have at most two decimals).
    let mut want: BTreeMap<(String, String), i64> = BTreeMap::new();
    for eob in records(&texts["ExplanationOfBenefit"]) {
        let npi = eob["provider"]["identifier"]["value"].as_str();
        let start = eob["billablePeriod"]["start"].as_str();
        let paid = eob["payment"]["amount"]["value"].as_f64();
        if let (Some(npi), Some(start), Some(paid)) = (npi, start, paid) {
            let key = (npi.to_string(), start[..7].to_string());
            *want.entry(key).or_default() += (paid * 100.0).round() as i64;
        }
    }
    assert!(want.len() > 10, "too small a test: {want:?}");
    let got: BTreeMap<(String, String), i64> = got
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let cents = (f[2].parse::<f64>().unwrap() * 100.0).round() as i64;
            ((f[0].to_string(), f[1].to_string()), cents)
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn cookbook_2_patients_over_85() {
    let (dir, texts) = export();
    let dir = dir.path().to_str().unwrap();
    let got = output(|o| patients_over_85::run(dir, "2026-01-01", o).unwrap());
    let mut want = String::new();
    for p in records(&texts["Patient"]) {
        let birth = p["birthDate"].as_str().unwrap();
        let y: i32 = birth[..4].parse().unwrap();
        let age = 2026 - y - i32::from(&birth[4..] > "-01-01");
        if age > 85 {
            want += &format!("{}\t{birth}\t{age}\n", p["id"].as_str().unwrap());
        }
    }
    assert!(!want.is_empty(), "nobody over 85 in the sample");
    assert_eq!(got, want);
}

#[test]
fn cookbook_3_eobs_with_a_diagnosis_prefix() {
    let (dir, texts) = export();
    let dir = dir.path().to_str().unwrap();
    let got = output(|o| eobs_with_diagnosis::run(dir, "I50", o).unwrap());
    let mut want: Vec<String> = records(&texts["ExplanationOfBenefit"])
        .filter(|eob| {
            let dx = eob["diagnosis"].as_array().cloned().unwrap_or_default();
            dx.iter().any(|d| {
                let codings = d["diagnosisCodeableConcept"]["coding"].as_array();
                codings
                    .into_iter()
                    .flatten()
                    .any(|c| c["code"].as_str().is_some_and(|s| s.starts_with("I50")))
            })
        })
        .map(|eob| eob["id"].as_str().unwrap().to_string())
        .collect();
    want.sort();
    assert!(!want.is_empty(), "no I50 diagnosis in the sample");
    assert_eq!(got, want.join("\n") + "\n");
}

#[test]
fn cookbook_4_validate_with_carin_lists_the_first_ten_issues() {
    let (dir, texts) = export();
    // Damage: an EOB without its required `status` (line 3), a Patient with a bad gender code
    // (line 2), and a truncated Coverage line (line 4).
    let damage = |kind: &str, line: usize, f: &dyn Fn(&str) -> String| {
        let mut lines: Vec<String> = texts[kind].lines().map(str::to_string).collect();
        lines[line - 1] = f(&lines[line - 1]);
        let path = dir.path().join(format!("{kind}.ndjson"));
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    };
    damage("ExplanationOfBenefit", 3, &|l| {
        l.replacen("\"status\":\"active\",", "", 1)
    });
    damage("Patient", 2, &|l| {
        let v: Value = serde_json::from_str(l).unwrap();
        let g = v["gender"].as_str().unwrap().to_string();
        l.replacen(&format!("\"gender\":\"{g}\""), "\"gender\":\"x\"", 1)
    });
    damage("Coverage", 4, &|l| l[..l.len() / 2].to_string());
    let d = dir.path().to_str().unwrap();
    let got = output(|o| validate_carin::run(d, o).unwrap());
    let lines: Vec<&str> = got.lines().collect();
    let cov = dir.path().join("Coverage.ndjson").display().to_string();
    let eob = dir
        .path()
        .join("ExplanationOfBenefit.ndjson")
        .display()
        .to_string();
    let pat = dir.path().join("Patient.ndjson").display().to_string();
    // Files in sorted order: Coverage, ExplanationOfBenefit, Patient.
    assert!(lines[0].starts_with(&format!("{cov}:4:")), "{got}");
    assert!(lines[0].contains("[invalid_json]"), "{got}");
    assert!(
        lines[1].starts_with(&format!("{eob}:3: error [required]")),
        "{got}"
    );
    assert!(lines[1].contains("ExplanationOfBenefit.status"), "{got}");
    let gender = format!("{pat}:2: error [code-invalid] Patient.gender");
    let total: usize = lines
        .last()
        .unwrap()
        .trim_end_matches(" issues")
        .parse()
        .unwrap();
    assert!(total >= 3, "{got}");
    if total <= 10 {
        assert!(lines.iter().any(|l| l.starts_with(&gender)), "{got}");
        assert_eq!(lines.len(), total + 1, "{got}");
    } else {
        assert_eq!(lines.len(), 11, "ten issues then the total: {got}");
    }
}

#[test]
fn cookbook_5_gzip_export_through_its_manifest() {
    let (dir, texts) = export();
    let gz = tempfile::tempdir().unwrap();
    let mut output_entries = Vec::new();
    for (kind, text) in &texts {
        let name = format!("{kind}.ndjson.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).unwrap();
        std::fs::write(gz.path().join(&name), enc.finish().unwrap()).unwrap();
        let url = format!("https://sandbox.bcda.cms.gov/data/42/{name}");
        let count = text.lines().count();
        output_entries.push(serde_json::json!({"type": kind, "url": url, "count": count}));
    }
    let manifest = serde_json::json!({
        "transactionTime": "2026-01-01T00:00:00Z",
        "request": "https://sandbox.bcda.cms.gov/api/v2/Group/all/$export",
        "requiresAccessToken": true,
        "output": output_entries,
        "error": [],
    });
    std::fs::write(gz.path().join("manifest.json"), manifest.to_string()).unwrap();
    drop(dir);
    let got = output(|o| gzip_manifest::run(gz.path().to_str().unwrap(), o).unwrap());
    let want: String = texts
        .iter()
        .map(|(kind, text)| {
            let n = text.lines().count();
            format!("{kind}\tR4\t{n}\t{n}\n")
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn cookbook_6_build_and_serialize_a_patient() {
    let got = output(|o| build_patient::run(o).unwrap());
    let json = got.lines().next().unwrap();
    let v: Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["resourceType"], "Patient");
    assert_eq!(v["id"], "example-1");
    assert_eq!(v["name"][0]["family"], "Doe");
    assert_eq!(v["name"][0]["given"][0], "Jane");
    assert_eq!(v["gender"], "female");
    assert_eq!(v["birthDate"], "1938-04-05");
    assert_eq!(got.lines().nth(1), Some("0 issues"));
    // It parses back strictly to the same JSON.
    let back = bcda_fhir::r4::Patient::from_json(json).unwrap();
    assert_eq!(back.to_json(), json);
}

#[test]
fn cookbook_programs_stay_short() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for name in [
        "paid_per_npi_month",
        "patients_over_85",
        "eobs_with_diagnosis",
        "validate_carin",
        "gzip_manifest",
        "build_patient",
    ] {
        let text = std::fs::read_to_string(dir.join(format!("{name}.rs"))).unwrap();
        let n = text.lines().count();
        assert!(n < 40, "{name}.rs has {n} lines");
    }
}
