//! `bcda stats` counts final claim versions and reports Part D spending, checked against an
//! independent serde_json pass over a bcda-synth export that has adjusted claims (several
//! EOBs sharing a claim group, the final one `active`, the earlier ones `cancelled`).

use std::collections::{BTreeMap, HashMap, HashSet};

use bcda_ndjson::project::{Amount, Projected, AMOUNT_SCALE};
use bcda_ndjson::stats::{Stats, StatsReport};
use bcda_ndjson::{Config, Engine, Inputs};
use bcda_synth::{sandbox_catalogue, FhirVersion, Generator, ResourceKind, Scale};
use serde_json::Value;

/// 2026-01-01T00:00:00Z.
const REFERENCE: i64 = 1_767_225_600;
const CLAIM_GROUP: &str = "https://bluebutton.cms.gov/resources/identifier/claim-group";

/// Writes the EOBs of 60 A9994 beneficiaries at the realistic scale (the one with adjusted
/// claims); returns the NDJSON text.
fn export(dir: &std::path::Path, version: FhirVersion) -> String {
    let spec = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == "A9994")
        .expect("A9994")
        .spec;
    let g = Generator::new(&spec, REFERENCE).with_scale(Scale::Realistic);
    let benes: Vec<u32> = g.current_beneficiaries().into_iter().take(60).collect();
    let mut out = Vec::new();
    g.write_ndjson(
        version,
        ResourceKind::ExplanationOfBenefit,
        &benes,
        None,
        REFERENCE,
        &mut out,
    )
    .expect("generate");
    std::fs::write(dir.join("ExplanationOfBenefit.ndjson"), &out).expect("write");
    String::from_utf8(out).expect("utf-8")
}

/// The expected figures of one claim type, computed with serde_json.
#[derive(Debug, Default, PartialEq)]
struct Expected {
    claims: u64,
    superseded: u64,
    paid: i128,
    superseded_paid: i128,
    drug_cost: i128,
    /// Distinct (patient, claim group) pairs.
    groups: HashSet<(String, String)>,
    /// Final versions per (patient, claim group).
    finals: HashMap<(String, String), u64>,
}

fn money(v: &Value) -> i128 {
    let x = v.as_f64().expect("a number");
    (x * AMOUNT_SCALE as f64).round() as i128
}

fn claim_type(eob: &Value) -> String {
    eob["type"]["coding"]
        .as_array()
        .expect("type.coding")
        .iter()
        .find(|c| {
            c["system"]
                .as_str()
                .is_some_and(|s| s.ends_with("eob-type"))
        })
        .and_then(|c| c["code"].as_str())
        .expect("an eob-type coding")
        .to_ascii_lowercase()
}

/// Sum of the item adjudications whose category has a coding ending in `/name`.
fn adjudication(eob: &Value, name: &str) -> i128 {
    let mut sum = 0;
    for item in eob["item"].as_array().into_iter().flatten() {
        for adj in item["adjudication"].as_array().into_iter().flatten() {
            let codings = adj["category"]["coding"].as_array();
            let hit = codings.into_iter().flatten().any(|c| {
                c["code"]
                    .as_str()
                    .is_some_and(|s| s.ends_with(&format!("/{name}")))
            });
            if hit {
                sum += adj["amount"]["value"]
                    .as_f64()
                    .map_or(0, |_| money(&adj["amount"]["value"]));
            }
        }
    }
    sum
}

fn group_of(eob: &Value) -> String {
    eob["identifier"]
        .as_array()
        .expect("identifier")
        .iter()
        .find(|i| i["system"] == CLAIM_GROUP)
        .and_then(|i| i["value"].as_str())
        .expect("a claim group identifier")
        .to_string()
}

fn expected(text: &str) -> BTreeMap<String, Expected> {
    let mut by_type: BTreeMap<String, Expected> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let eob: Value = serde_json::from_str(line).expect("valid JSON");
        let ty = claim_type(&eob);
        let paid = if ty == "pde" {
            adjudication(&eob, "cvrd_d_plan_pd_amt")
        } else {
            money(&eob["payment"]["amount"]["value"])
        };
        let e = by_type.entry(ty.clone()).or_default();
        let key = (
            eob["patient"]["reference"]
                .as_str()
                .expect("patient")
                .into(),
            group_of(&eob),
        );
        e.groups.insert(key.clone());
        match eob["status"].as_str().expect("status") {
            "cancelled" => {
                e.superseded += 1;
                e.superseded_paid += paid;
            }
            "active" => {
                e.claims += 1;
                e.paid += paid;
                *e.finals.entry(key).or_default() += 1;
                if ty == "pde" {
                    e.drug_cost += adjudication(&eob, "tot_rx_cst_amt");
                }
            }
            other => panic!("unexpected EOB status {other:?}"),
        }
    }
    by_type
}

fn amount(s: &str) -> i128 {
    Amount::parse(s.as_bytes())
        .unwrap_or_else(|| panic!("{s:?} is not an amount"))
        .0
}

fn run(dir: &std::path::Path, lane: &Projected) -> StatsReport {
    let inputs = Inputs::discover(&[dir]).expect("inputs");
    let engine = Engine::new(Config {
        threads: 2,
        chunk_bytes: 64 << 10,
        ..Config::default()
    })
    .expect("engine");
    Stats::default().run_with(&engine, &inputs, lane, None)
}

fn check(version: FhirVersion, lane: &Projected) {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = export(dir.path(), version);
    let want = expected(&text);
    let r = run(dir.path(), lane);
    assert_eq!(r.totals.errors, 0, "{:?}", r.issues);
    let total_superseded: u64 = want.values().map(|e| e.superseded).sum();
    assert!(
        total_superseded > 0,
        "the export should hold adjusted claims"
    );
    assert_eq!(r.totals.superseded, total_superseded, "{version:?}");
    for c in &r.claim_types {
        let e = want.get(&c.claim_type);
        let ctx = format!("{version:?} {}", c.claim_type);
        assert_eq!(c.claims, e.map_or(0, |e| e.claims), "{ctx} claims");
        assert_eq!(c.superseded, e.map_or(0, |e| e.superseded), "{ctx}");
        assert_eq!(amount(&c.paid), e.map_or(0, |e| e.paid), "{ctx} paid");
        assert_eq!(
            amount(&c.superseded_paid),
            e.map_or(0, |e| e.superseded_paid),
            "{ctx} superseded_paid"
        );
        if let Some(e) = e {
            // One final version per (patient, claim type, claim group): the status rule
            // counts each adjusted claim once.
            assert_eq!(c.claims as usize, e.groups.len(), "{ctx} groups");
            assert!(e.finals.values().all(|n| *n == 1), "{ctx} finals");
        }
        if c.claim_type == "pde" {
            let e = e.expect("the export has Part D events");
            assert!(e.paid > 0, "Part D plan paid is not zero");
            assert_eq!(c.paid_basis, bcda_ndjson::stats::paid_basis("pde"));
            assert!(c.paid_basis.contains("cvrd_d_plan_pd_amt"));
            let cost = c.drug_cost.as_deref().expect("pde drug_cost");
            assert_eq!(amount(cost), e.drug_cost, "{ctx} drug cost");
            assert!(e.drug_cost >= e.paid, "drug cost covers the plan paid");
        } else {
            assert_eq!(c.paid_basis, "payment.amount", "{ctx}");
            assert_eq!(c.drug_cost, None, "{ctx}");
        }
    }
    let month_claims: u64 = r.months.iter().map(|m| m.claims).sum();
    let claims: u64 = want.values().map(|e| e.claims).sum();
    assert_eq!(
        month_claims, claims,
        "{version:?} months count final versions"
    );
    let bene_claims: u64 = r.beneficiaries.top.iter().map(|b| b.claims).sum();
    assert!(bene_claims <= claims);
}

#[test]
fn stats_count_final_versions_and_part_d_plan_paid_fast_lane() {
    for version in [FhirVersion::R4, FhirVersion::Stu3] {
        check(version, &Projected::default());
    }
}

#[test]
fn stats_count_final_versions_and_part_d_plan_paid_serde_lane() {
    for version in [FhirVersion::R4, FhirVersion::Stu3] {
        check(version, &Projected::serde_only());
    }
}

#[test]
fn table_and_csv_say_which_amount_paid_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    export(dir.path(), FhirVersion::R4);
    let r = run(dir.path(), &Projected::default());
    let table = bcda_ndjson::render::to_table(&r);
    assert!(table.contains("superseded"), "{table}");
    assert!(
        table.contains("pde paid = item.adjudication cvrd_d_plan_pd_amt"),
        "{table}"
    );
    assert!(table.contains("carrier paid = payment.amount"), "{table}");
    let csv = bcda_ndjson::render::to_csv(&r);
    assert!(csv.contains("claim_type,pde,paid_basis,"), "{csv}");
    assert!(csv.contains(&format!("totals,,superseded,{}", r.totals.superseded)));
}
