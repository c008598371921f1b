//! Fixtures shared by the integration tests: a synthetic v2 export with adjusted claims.

#![allow(dead_code, unreachable_pub)]

use std::path::Path;

use bcda_synth::{sandbox_catalogue, FhirVersion, Generator, ResourceKind};
use serde_json::Value;

/// 2025-06-01T00:00:00Z.
pub const REFERENCE: i64 = 1_748_736_000;
/// The export's transactionTime in its manifest.
pub const TRANSACTION_TIME: &str = "2025-06-01T12:00:00.000+00:00";

/// Writes a v2 export of sandbox ACO `aco` into `dir` with a `manifest.json`, and returns
/// the EOB lines as generated.
pub fn write_export(dir: &Path, aco: &str) -> Vec<String> {
    let spec = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == aco)
        .expect("sandbox ACO")
        .spec;
    let g = Generator::new(&spec, REFERENCE);
    let benes = g.current_beneficiaries();
    let mut eobs = Vec::new();
    for kind in [
        ResourceKind::Patient,
        ResourceKind::Coverage,
        ResourceKind::ExplanationOfBenefit,
    ] {
        let mut buf = Vec::new();
        g.write_ndjson(FhirVersion::R4, kind, &benes, None, REFERENCE, &mut buf)
            .expect("generate");
        if kind == ResourceKind::ExplanationOfBenefit {
            eobs = String::from_utf8(buf.clone())
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect();
        }
        std::fs::write(dir.join(format!("{}.ndjson", kind.as_str())), buf).unwrap();
    }
    let manifest = serde_json::json!({
        "transactionTime": TRANSACTION_TIME,
        "request": "https://sandbox.bcda.cms.gov/api/v2/Group/all/$export",
        "requiresAccessToken": true,
        "output": [],
        "error": []
    });
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    eobs
}

/// Multiplies every `amount.value` in `v` by 3 (a superseded version must not count).
fn inflate(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "amount" {
                    if let Some(n) = x.get("value").and_then(Value::as_f64) {
                        x["value"] = serde_json::json!((n * 300.0).round() / 100.0);
                    }
                } else {
                    inflate(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(inflate),
        _ => {}
    }
}

/// Earlier versions of some generated claims, as BCDA sends adjusted claims: new id, same
/// claim group, an earlier `meta.lastUpdated`, amounts changed; every 4th claim gets a
/// cancelled earlier version, every 6th an earlier version still marked active (only the
/// latest active one is final), and every 23rd claim is itself cancelled (a reversed claim:
/// nothing of it is final). Returns (the lines of the extra versions, the original lines
/// with the reversals applied).
pub fn adjusted_versions(eobs: &[String]) -> (Vec<String>, Vec<String>) {
    let mut extra = Vec::new();
    let mut originals = Vec::new();
    for (i, line) in eobs.iter().enumerate() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        if i % 23 == 22 {
            v["status"] = "cancelled".into();
            originals.push(v.to_string());
            continue;
        }
        originals.push(line.clone());
        if i % 4 != 0 && i % 6 != 0 {
            continue;
        }
        let mut old = v.clone();
        old["id"] = format!("{}-v0", v["id"].as_str().unwrap()).into();
        old["status"] = if i % 4 == 0 { "cancelled" } else { "active" }.into();
        let updated = v["meta"]["lastUpdated"].as_str().unwrap();
        let year: i32 = updated[..4].parse().unwrap();
        old["meta"]["lastUpdated"] = format!("{}{}", year - 1, &updated[4..]).into();
        inflate(&mut old);
        extra.push(old.to_string());
    }
    (extra, originals)
}
