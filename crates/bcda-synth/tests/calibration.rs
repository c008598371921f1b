//! Calibration: a mid-size ACO (A9990, 2,500 beneficiaries) at the realistic scale lands every
//! row of `bcda_synth::calibration::TARGETS` within its tolerance, measured over one
//! 12-month window of claims (final versions only) for the beneficiaries enrolled in Parts A
//! and B (Part D for the Part D rows) through the whole window.
//!
//! The aggregates come from `Generator::claim_facts` (the facts each EOB carries, without the
//! JSON); `facts_match_the_exported_resources` checks on a subset that the exported EOBs carry
//! exactly those facts, so the table holds for the files users download.

use bcda_synth::calibration::{target, TARGETS};
use bcda_synth::{
    day_of_unix, sandbox_catalogue, ClaimFacts, ClaimType, Entitlement, FhirVersion, Filter,
    Generator, ResourceKind, Scale, Sex, Style,
};
use std::collections::{BTreeMap, HashMap};

const REFERENCE: i64 = 1_764_547_200; // 2025-12-01T00:00:00Z

fn a9990() -> Generator {
    let spec = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == "A9990")
        .expect("A9990 in the catalogue")
        .spec;
    Generator::new(&spec, REFERENCE).with_scale(Scale::Realistic)
}

/// The measured value of every row, by key.
fn measure(g: &Generator) -> BTreeMap<&'static str, f64> {
    let ref_day = day_of_unix(REFERENCE);
    let (w0, w1) = (ref_day - 400, ref_day - 35); // 365 days of complete claims
    let mut m = BTreeMap::new();
    let (mut ab_n, mut d_n) = (0f64, 0f64);
    let mut per_type: HashMap<ClaimType, (f64, f64)> = HashMap::new(); // (claims, paid $)
    let (mut hh_users, mut hospice_users, mut fills_30) = (0f64, 0f64, 0f64);
    let mut spend: Vec<f64> = Vec::new();
    let (mut n, mut under65, mut female, mut dual) = (0f64, 0f64, 0f64, 0f64);
    for i in 0..g.spec().beneficiaries {
        let b = g.beneficiary(i);
        n += 1.0;
        under65 += (b.age_on(ref_day) < 65 || b.entitlement != Entitlement::Aged) as u8 as f64;
        female += (b.sex == Sex::Female) as u8 as f64;
        dual += (b.dual_status != "NA") as u8 as f64;
        let ab = b.part_a_start <= w0 && b.part_b_start <= w0;
        let d = b.part_d_start.is_some_and(|s| s <= w0);
        if !ab && !d {
            continue;
        }
        let facts: Vec<ClaimFacts> = g
            .claim_facts(i)
            .into_iter()
            .filter(|f| f.is_final && f.from_day >= w0 && f.from_day < w1)
            .collect();
        if ab {
            ab_n += 1.0;
            let mut total = 0.0;
            let (mut hh, mut hospice) = (false, false);
            for f in facts.iter().filter(|f| f.claim_type != ClaimType::Pde) {
                let e = per_type.entry(f.claim_type).or_default();
                e.0 += 1.0;
                e.1 += f.paid_cents as f64 / 100.0;
                total += f.paid_cents as f64 / 100.0;
                hh |= f.claim_type == ClaimType::Hha;
                hospice |= f.claim_type == ClaimType::Hospice;
            }
            hh_users += hh as u8 as f64;
            hospice_users += hospice as u8 as f64;
            spend.push(total);
        }
        if d {
            d_n += 1.0;
            for f in facts.iter().filter(|f| f.claim_type == ClaimType::Pde) {
                let e = per_type.entry(ClaimType::Pde).or_default();
                e.0 += 1.0;
                e.1 += f.paid_cents as f64 / 100.0;
                fills_30 += f.days_supply as f64 / 30.0;
            }
        }
    }
    let t = |ct: ClaimType| per_type.get(&ct).copied().unwrap_or_default();
    let ab_total: f64 = spend.iter().sum();
    m.insert("ab_paid", ab_total / ab_n);
    m.insert("ip_per_1000", t(ClaimType::Inpatient).0 / ab_n * 1000.0);
    m.insert(
        "ip_paid",
        t(ClaimType::Inpatient).1 / t(ClaimType::Inpatient).0,
    );
    m.insert("snf_per_1000", t(ClaimType::Snf).0 / ab_n * 1000.0);
    m.insert("snf_paid", t(ClaimType::Snf).1 / t(ClaimType::Snf).0);
    m.insert("hh_users", hh_users / ab_n * 100.0);
    m.insert("hh_paid", t(ClaimType::Hha).1 / t(ClaimType::Hha).0);
    m.insert("hospice_paid_user", t(ClaimType::Hospice).1 / hospice_users);
    m.insert("dme_paid", t(ClaimType::Dme).1 / ab_n);
    m.insert("carrier_claims", t(ClaimType::Carrier).0 / ab_n);
    m.insert("outpatient_claims", t(ClaimType::Outpatient).0 / ab_n);
    m.insert(
        "op_carrier_paid",
        (t(ClaimType::Outpatient).1 + t(ClaimType::Carrier).1) / ab_n,
    );
    m.insert("pde_fills", fills_30 / d_n);
    m.insert("pde_net_per_fill", t(ClaimType::Pde).1 / fills_30);
    m.insert("under_65", under65 / n * 100.0);
    m.insert("female", female / n * 100.0);
    m.insert("dual", dual / n * 100.0);
    spend.sort_unstable_by(|a, b| b.total_cmp(a));
    let top = |share: f64| {
        let k = (spend.len() as f64 * share).round() as usize;
        spend[..k].iter().sum::<f64>() / ab_total * 100.0
    };
    m.insert("top5_share", top(0.05));
    m.insert("top10_share", top(0.10));
    m
}

#[test]
fn mid_size_aco_matches_every_row_of_the_table() {
    let g = a9990();
    let got = measure(&g);
    let mut report = String::new();
    let mut failed = Vec::new();
    for t in TARGETS {
        let v = *got
            .get(t.key)
            .unwrap_or_else(|| panic!("row {} is not measured", t.key));
        let ok = v >= t.low && v <= t.high;
        report.push_str(&format!(
            "{:<18} {:>10.1}  target {:>9.1} [{:.1}, {:.1}] {}  {}\n",
            t.key,
            v,
            t.value,
            t.low,
            t.high,
            if ok { "ok" } else { "OUT" },
            t.row
        ));
        if !ok {
            failed.push(t.key);
        }
    }
    println!("{report}");
    assert!(
        failed.is_empty(),
        "rows out of tolerance: {failed:?}\n{report}"
    );
    assert_eq!(got.len(), TARGETS.len(), "a measured row has no target");
    assert!(target("ab_paid").is_some());
}

#[test]
fn episodes_adjustments_and_providers_are_coherent() {
    let g = a9990();
    let (mut snf, mut snf_after_ip, mut versions, mut claims) = (0, 0, 0, 0);
    let mut by_group: HashMap<i64, Vec<ClaimFacts>> = HashMap::new();
    let mut facility_claims: HashMap<u64, u32> = HashMap::new();
    let mut ip = 0;
    for i in 0..300 {
        let facts = g.claim_facts(i);
        let stays: Vec<i32> = facts
            .iter()
            .filter(|f| f.claim_type == ClaimType::Inpatient && f.is_final)
            .map(|f| f.thru_day)
            .collect();
        for f in &facts {
            claims += 1;
            versions += (!f.is_final) as u32;
            by_group.entry(f.group).or_default().push(f.clone());
            if f.claim_type == ClaimType::Snf && f.is_final {
                snf += 1;
                // A SNF stay starts the day an inpatient stay ends.
                snf_after_ip += stays.contains(&f.from_day) as u32;
            }
            if f.claim_type == ClaimType::Inpatient && f.is_final {
                ip += 1;
                *facility_claims.entry(f.facility_npi).or_default() += 1;
            }
        }
    }
    assert!(
        snf > 0 && snf == snf_after_ip,
        "{snf_after_ip} of {snf} SNF stays follow a stay"
    );
    // Adjusted claims: 6% with two versions, 1% with three => about 8% superseded versions.
    let share = versions as f64 / claims as f64;
    assert!((0.05..0.11).contains(&share), "superseded share {share}");
    for (group, v) in &by_group {
        let finals = v.iter().filter(|f| f.is_final).count();
        assert_eq!(finals, 1, "claim group {group}: {finals} final versions");
        let mut ids: Vec<i64> = v.iter().map(|f| f.id).collect();
        ids.dedup();
        assert_eq!(
            ids.len(),
            v.len(),
            "claim group {group}: versions share an id"
        );
    }
    // A few hospitals take most admissions: the top 3 facilities have over half.
    let mut counts: Vec<u32> = facility_claims.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let top3: u32 = counts.iter().take(3).sum();
    assert!(top3 * 2 > ip, "top 3 hospitals: {top3} of {ip} stays");
}

#[test]
fn facts_match_the_exported_resources() {
    let g = a9990();
    let benes: Vec<u32> = (0..40).collect();
    for version in [FhirVersion::R4, FhirVersion::Stu3] {
        let mut buf = Vec::new();
        let filter = Filter::default();
        g.write_ndjson_styled(
            version,
            ResourceKind::ExplanationOfBenefit,
            &benes,
            &filter,
            Style::default(),
            &mut buf,
        )
        .expect("generate");
        let mut exported: BTreeMap<String, (String, i64)> = BTreeMap::new();
        for line in buf.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
            let v: serde_json::Value = serde_json::from_slice(line).expect("JSON");
            let id = v["id"].as_str().expect("id").to_string();
            let paid = v["payment"]["amount"]["value"]
                .as_f64()
                .map_or(-1, |x| (x * 100.0).round() as i64);
            let status = v["status"].as_str().expect("status").to_string();
            assert!(
                exported.insert(id, (status, paid)).is_none(),
                "duplicate id"
            );
        }
        let mut expected: BTreeMap<String, (String, i64)> = BTreeMap::new();
        for &i in &benes {
            for f in g.claim_facts(i) {
                let id = format!("{}-{}", f.claim_type.id_prefix(), f.id);
                let status = if f.is_final { "active" } else { "cancelled" };
                let paid = if f.claim_type == ClaimType::Pde {
                    -1
                } else {
                    f.paid_cents
                };
                expected.insert(id, (status.to_string(), paid));
            }
        }
        assert_eq!(exported.len(), expected.len(), "{version:?}: EOB count");
        assert!(
            exported == expected,
            "{version:?}: EOBs differ from the facts"
        );
        assert!(
            exported.values().any(|(s, _)| s == "cancelled"),
            "{version:?}: no superseded version in 40 beneficiaries"
        );
    }
}
