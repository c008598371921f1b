//! Invariants of the generated data, checked on the serialized JSON (not the internal model):
//! sums, amount ordering, date order, MBI format, NPI check digits, coverage periods covering
//! claims, `_since` filtering, attribution history and determinism.

use bcda_synth::{
    is_valid_mbi, is_valid_npi, parse_instant, sandbox_catalogue, AcoSpec, AttributionKind,
    FhirVersion, Flavour, Generator, ResourceKind,
};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::HashMap;

const REFERENCE: i64 = 1_764_547_200; // 2025-12-01T00:00:00Z
const BB: &str = "https://bluebutton.cms.gov/resources/variables/";

fn spec(id: &str, n: u32, flavour: Flavour) -> AcoSpec {
    AcoSpec {
        cms_id: id.to_string(),
        beneficiaries: n,
        flavour,
        partially_adjudicated: true,
    }
}

fn lines(
    g: &Generator,
    v: FhirVersion,
    kind: ResourceKind,
    benes: &[u32],
    since: Option<i64>,
) -> Vec<Value> {
    let mut buf = Vec::new();
    let n = g
        .write_ndjson(v, kind, benes, since, REFERENCE, &mut buf)
        .expect("generate");
    let out: Vec<Value> = buf
        .split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("each line is one JSON value"))
        .collect();
    assert_eq!(out.len() as u64, n, "returned count equals lines written");
    assert!(buf.is_empty() || buf.ends_with(b"\n"));
    out
}

fn cents(v: &Value) -> i64 {
    // Money is written with exactly two decimals; parse the f64 back to cents.
    (v.as_f64().expect("number") * 100.0).round() as i64
}

fn day(s: &str) -> &str {
    &s[..10]
}

/// Amount of the adjudication entry whose Blue Button category is `var` (v2 shape).
fn adj(item: &Value, var: &str) -> Option<i64> {
    let code = format!("{BB}{var}");
    item["adjudication"].as_array()?.iter().find_map(|a| {
        let hit = a["category"]["coding"]
            .as_array()?
            .iter()
            .any(|c| c["code"] == code.as_str());
        if hit {
            a.get("amount").map(|m| cents(&m["value"]))
        } else {
            None
        }
    })
}

fn check_eob_v2(eob: &Value, coverages: &HashMap<String, Value>) {
    let id = eob["id"].as_str().unwrap();
    let start = eob["billablePeriod"]["start"].as_str().unwrap();
    let end = eob["billablePeriod"]["end"].as_str().unwrap();
    assert!(
        start <= end,
        "{id}: billablePeriod start {start} > end {end}"
    );
    let updated = parse_instant(eob["meta"]["lastUpdated"].as_str().unwrap()).expect("instant");
    assert!(
        updated <= REFERENCE,
        "{id}: lastUpdated after the reference"
    );
    assert!(
        day(eob["meta"]["lastUpdated"].as_str().unwrap()) >= end,
        "{id}: updated before service ended"
    );
    // Coverage period covers the claim.
    let cov_ref = eob["insurance"][0]["coverage"]["reference"]
        .as_str()
        .unwrap();
    let cov = coverages
        .get(cov_ref.trim_start_matches("Coverage/"))
        .unwrap_or_else(|| panic!("{id}: {cov_ref} missing"));
    let cs = cov["period"]["start"].as_str().unwrap();
    assert!(
        cs <= start,
        "{id}: coverage {cov_ref} starts {cs} after the claim {start}"
    );
    if let Some(ce) = cov["period"]["end"].as_str() {
        assert!(
            ce >= end,
            "{id}: coverage {cov_ref} ends {ce} before the claim {end}"
        );
    }
    // NPIs: every 10-digit provider identifier has a valid check digit.
    for ct in eob["careTeam"].as_array().unwrap() {
        let npi = ct["provider"]["identifier"]["value"].as_str().unwrap();
        assert!(is_valid_npi(npi), "{id}: careTeam NPI {npi}");
    }
    let items = eob["item"].as_array().unwrap();
    assert!(!items.is_empty(), "{id}: no lines");
    if id.starts_with("pde-") {
        let item = &items[0];
        let total = adj(item, "tot_rx_cst_amt").unwrap();
        let parts = adj(item, "ptnt_pay_amt").unwrap()
            + adj(item, "cvrd_d_plan_pd_amt").unwrap()
            + adj(item, "lics_amt").unwrap();
        assert_eq!(
            parts, total,
            "{id}: patient + plan + LICS = total drug cost"
        );
        return;
    }
    let total = eob["total"].as_array().unwrap().iter().find_map(|t| {
        let hit = t["category"]["coding"]
            .as_array()?
            .iter()
            .any(|c| c["code"] == format!("{BB}clm_tot_chrg_amt").as_str());
        hit.then(|| cents(&t["amount"]["value"]))
    });
    let payment = cents(&eob["payment"]["amount"]["value"]);
    let professional = id.starts_with("carrier-") || id.starts_with("dme-");
    let (mut charged, mut paid) = (0, 0);
    for item in items {
        if professional {
            let c = adj(item, "line_sbmtd_chrg_amt").unwrap();
            let a = adj(item, "line_alowd_chrg_amt").unwrap();
            let p = adj(item, "line_nch_pmt_amt").unwrap();
            let d = adj(item, "line_bene_ptb_ddctbl_amt").unwrap();
            let co = adj(item, "line_coinsrnc_amt").unwrap();
            assert!(
                0 <= p && p <= a && a <= c,
                "{id}: paid {p} <= allowed {a} <= charged {c}"
            );
            assert_eq!(
                p + d + co,
                a,
                "{id}: paid + deductible + coinsurance = allowed"
            );
            charged += c;
            paid += p;
        } else {
            let c = adj(item, "rev_cntr_tot_chrg_amt").unwrap();
            let nc = adj(item, "rev_cntr_ncvrd_chrg_amt").unwrap();
            assert!(0 <= nc && nc <= c, "{id}: non-covered {nc} <= charged {c}");
            charged += c;
            if let Some(p) = adj(item, "rev_cntr_pmt_amt_amt") {
                assert!(p <= c - nc, "{id}: paid {p} <= allowed {}", c - nc);
                paid += p;
            }
        }
    }
    assert_eq!(
        total,
        Some(charged),
        "{id}: line charges sum to the claim total"
    );
    if professional
        || id.starts_with("outpatient-")
        || id.starts_with("hha-")
        || id.starts_with("hospice-")
    {
        assert_eq!(
            paid, payment,
            "{id}: line payments sum to the claim payment"
        );
    }
    assert!(payment <= charged, "{id}: payment <= charges");
}

fn check_bene_set(g: &Generator, benes: &[u32]) {
    let patients = lines(g, FhirVersion::R4, ResourceKind::Patient, benes, None);
    assert_eq!(patients.len(), benes.len());
    for p in &patients {
        let mbi = p["identifier"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["system"] == "http://hl7.org/fhir/sid/us-mbi");
        let mbi = mbi.expect("MBI identifier")["value"].as_str().unwrap();
        assert!(is_valid_mbi(mbi), "MBI {mbi}");
        let id: i64 = p["id"].as_str().unwrap().parse().expect("numeric id");
        assert!(
            id <= -10_000_000_000_000,
            "negative sandbox-style bene id {id}"
        );
    }
    let coverages: HashMap<String, Value> =
        lines(g, FhirVersion::R4, ResourceKind::Coverage, benes, None)
            .into_iter()
            .map(|c| (c["id"].as_str().unwrap().to_string(), c))
            .collect();
    for eob in lines(
        g,
        FhirVersion::R4,
        ResourceKind::ExplanationOfBenefit,
        benes,
        None,
    ) {
        check_eob_v2(&eob, &coverages);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn generated_claims_hold_invariants(start in 0u32..5_000, advanced in any::<bool>(), aco in 0usize..3) {
        let id = ["A9994", "A9999", "ZZ123"][aco];
        let g = Generator::new(&spec(id, 5_000, if advanced { Flavour::Advanced } else { Flavour::Simple }), REFERENCE);
        let benes: Vec<u32> = (start..start + 6).collect();
        check_bene_set(&g, &benes);
    }

    #[test]
    fn since_filters_by_last_updated(days_back in 1i64..900) {
        let g = Generator::new(&spec("A9990", 2_500, Flavour::Simple), REFERENCE);
        let since = REFERENCE - days_back * 86_400;
        let benes: Vec<u32> = (0..30).collect();
        for kind in [ResourceKind::Patient, ResourceKind::Coverage, ResourceKind::ExplanationOfBenefit, ResourceKind::Claim] {
            let all = lines(&g, FhirVersion::R4, kind, &benes, None);
            let some = lines(&g, FhirVersion::R4, kind, &benes, Some(since));
            let expected = all.iter().filter(|r| parse_instant(r["meta"]["lastUpdated"].as_str().unwrap()).unwrap() > since).count();
            prop_assert_eq!(some.len(), expected);
        }
    }
}

#[test]
fn output_is_deterministic_and_chunkable() {
    let s = spec("A9994", 50, Flavour::Simple);
    let benes: Vec<u32> = (0..50).collect();
    for v in [FhirVersion::R4, FhirVersion::Stu3] {
        for kind in [
            ResourceKind::Patient,
            ResourceKind::Coverage,
            ResourceKind::ExplanationOfBenefit,
        ] {
            let mut a = Vec::new();
            let mut b = Vec::new();
            Generator::new(&s, REFERENCE)
                .write_ndjson(v, kind, &benes, None, REFERENCE, &mut a)
                .unwrap();
            Generator::new(&s, REFERENCE)
                .write_ndjson(v, kind, &benes, None, REFERENCE, &mut b)
                .unwrap();
            assert!(!a.is_empty());
            assert_eq!(a, b, "{kind} {v:?}: same inputs, same bytes");
            // Random access: two chunks generated separately concatenate to the whole.
            let g = Generator::new(&s, REFERENCE);
            let mut c = Vec::new();
            g.write_ndjson(v, kind, &benes[..17], None, REFERENCE, &mut c)
                .unwrap();
            g.write_ndjson(v, kind, &benes[17..], None, REFERENCE, &mut c)
                .unwrap();
            assert_eq!(a, c, "{kind} {v:?}: chunked output equals whole output");
        }
    }
    let mut x = Vec::new();
    let mut y = Vec::new();
    Generator::new(&spec("A9994", 50, Flavour::Simple), REFERENCE)
        .write_ndjson(
            FhirVersion::R4,
            ResourceKind::Patient,
            &[0],
            None,
            REFERENCE,
            &mut x,
        )
        .unwrap();
    Generator::new(&spec("A9990", 50, Flavour::Simple), REFERENCE)
        .write_ndjson(
            FhirVersion::R4,
            ResourceKind::Patient,
            &[0],
            None,
            REFERENCE,
            &mut y,
        )
        .unwrap();
    assert_ne!(x, y, "different ACOs get different people");
}

#[test]
fn small_aco_has_every_claim_type_and_pac_only_in_v2() {
    let g = Generator::new(&spec("A9994", 50, Flavour::Simple), REFERENCE);
    let benes: Vec<u32> = (0..50).collect();
    let eobs = lines(
        &g,
        FhirVersion::R4,
        ResourceKind::ExplanationOfBenefit,
        &benes,
        None,
    );
    for prefix in [
        "carrier-",
        "dme-",
        "hha-",
        "hospice-",
        "inpatient-",
        "outpatient-",
        "pde-",
        "snf-",
    ] {
        assert!(
            eobs.iter()
                .any(|e| e["id"].as_str().unwrap().starts_with(prefix)),
            "no {prefix} claim"
        );
    }
    let multi_line = eobs
        .iter()
        .filter(|e| e["item"].as_array().unwrap().len() > 1)
        .count();
    assert!(
        multi_line * 4 > eobs.len(),
        "several lines per claim are common ({multi_line} of {})",
        eobs.len()
    );
    let err = g.write_ndjson(
        FhirVersion::Stu3,
        ResourceKind::Claim,
        &benes,
        None,
        REFERENCE,
        &mut Vec::new(),
    );
    assert!(err.is_err(), "Claim is v2 only");
    let plain = Generator::new(&sandbox_catalogue()[0].spec, REFERENCE);
    let n = plain
        .write_ndjson(
            FhirVersion::R4,
            ResourceKind::Claim,
            &benes,
            None,
            REFERENCE,
            &mut Vec::new(),
        )
        .unwrap();
    assert_eq!(
        n, 0,
        "ACOs without partially adjudicated data export no Claim"
    );
    let claims = lines(&g, FhirVersion::R4, ResourceKind::Claim, &benes, None);
    let responses = lines(
        &g,
        FhirVersion::R4,
        ResourceKind::ClaimResponse,
        &benes,
        None,
    );
    assert!(!claims.is_empty());
    assert_eq!(claims.len(), responses.len(), "one ClaimResponse per Claim");
    for (c, r) in claims.iter().zip(&responses) {
        assert_eq!(
            r["request"]["reference"].as_str().unwrap(),
            format!("Claim/{}", c["id"].as_str().unwrap())
        );
        let updated = parse_instant(c["meta"]["lastUpdated"].as_str().unwrap()).unwrap();
        assert!(
            REFERENCE - updated <= 62 * 86_400,
            "partially adjudicated claims are recent"
        );
    }
}

#[test]
fn attribution_history_has_joiners_leavers_and_runout() {
    let s = spec("A9991", 7_500, Flavour::Simple);
    let g = Generator::new(&s, REFERENCE);
    let files = g.attribution_files();
    let attr: Vec<_> = files
        .iter()
        .filter(|f| f.kind == AttributionKind::Attribution)
        .collect();
    let runout: Vec<_> = files
        .iter()
        .filter(|f| f.kind == AttributionKind::Runout)
        .collect();
    assert!(attr.len() >= 2 && !runout.is_empty());
    let runout = [*runout.last().unwrap()];
    assert!(
        files
            .windows(2)
            .all(|w| w[0].timestamp_unix <= w[1].timestamp_unix),
        "oldest first"
    );
    let newest = attr.last().unwrap();
    assert_eq!(newest.performance_year, 2025);
    assert!(newest.timestamp_unix < REFERENCE && REFERENCE - newest.timestamp_unix < 10 * 86_400);
    assert!(
        newest.name.starts_with("P.BCD.A9991.ZCY25.D25112"),
        "{}",
        newest.name
    );
    assert_eq!(runout[0].performance_year, 2024);
    assert!(runout[0].name.contains(".ZCR24."), "{}", runout[0].name);
    let now = g.attributed(newest);
    assert_eq!(
        now.len(),
        7_500,
        "the newest file lists exactly the ACO's beneficiaries"
    );
    assert!(now.windows(2).all(|w| w[0] < w[1]), "sorted");
    let first = g.attributed(attr[0]);
    let joined = now
        .iter()
        .filter(|i| first.binary_search(i).is_err())
        .count();
    let left = first
        .iter()
        .filter(|i| now.binary_search(i).is_err())
        .count();
    assert!(
        joined > 100,
        "new beneficiaries join between files ({joined})"
    );
    assert!(left > 10, "beneficiaries leave between files ({left})");
    let ro = g.attributed(runout[0]);
    assert!(
        ro.iter().any(|i| now.binary_search(i).is_err()),
        "runout lists people no longer attributed"
    );
    assert_eq!(g.current_beneficiaries(), now);
    // A file rebuilt from its public fields (as a server would from its database) works too.
    let rebuilt = bcda_synth::AttributionFile {
        name: newest.name.clone(),
        kind: newest.kind,
        performance_year: newest.performance_year,
        timestamp_unix: newest.timestamp_unix,
    };
    assert_eq!(g.attributed(&rebuilt), now);
    // A reference in early January still puts the newest file in the new performance year.
    let jan = Generator::new(&s, 1_767_312_000); // 2026-01-02T00:00:00Z
    let newest = jan
        .attribution_files()
        .into_iter()
        .rev()
        .find(|f| f.kind == AttributionKind::Attribution)
        .unwrap();
    assert_eq!(newest.performance_year, 2026);
    assert!(newest.timestamp_unix < 1_767_312_000);
}

#[test]
fn service_date_bounds_filter_claims() {
    let g = Generator::new(&spec("A9994", 50, Flavour::Simple), REFERENCE);
    let benes: Vec<u32> = (0..50).collect();
    let all = lines(
        &g,
        FhirVersion::R4,
        ResourceKind::ExplanationOfBenefit,
        &benes,
        None,
    );
    let cut = bcda_synth::days_from_civil(2024, 12, 31);
    let filter = bcda_synth::Filter {
        until_unix: REFERENCE,
        service_to: Some(cut),
        ..Default::default()
    };
    let mut buf = Vec::new();
    let n = g
        .write_ndjson_filtered(
            FhirVersion::R4,
            ResourceKind::ExplanationOfBenefit,
            &benes,
            &filter,
            &mut buf,
        )
        .unwrap();
    let expected = all
        .iter()
        .filter(|e| e["billablePeriod"]["end"].as_str().unwrap() <= "2024-12-31")
        .count();
    assert_eq!(n as usize, expected);
    assert!(
        n > 0 && (n as usize) < all.len(),
        "the cut splits the history ({n} of {})",
        all.len()
    );
}

#[test]
fn catalogue_matches_the_sandbox() {
    let cat = sandbox_catalogue();
    let get = |id: &str| {
        cat.iter()
            .find(|a| a.spec.cms_id == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    for (id, n) in [
        ("A9994", 50),
        ("A9990", 2_500),
        ("A9991", 7_500),
        ("A9992", 20_000),
        ("A9993", 30_000),
    ] {
        assert_eq!(get(id).spec.beneficiaries, n);
        assert_eq!(get(id).spec.flavour, Flavour::Simple);
    }
    assert_eq!(get("A9998").spec.flavour, Flavour::Advanced);
    assert_eq!(get("A9999").spec.beneficiaries, 10_000);
    assert!(get("TEST001").spec.partially_adjudicated);
    assert!(get("A9997").denylisted);
    assert!(get("TEST995").outdated_attribution);
    assert_eq!(
        cat.iter().filter(|a| a.spec.partially_adjudicated).count(),
        1
    );
    assert_eq!(
        "ExplanationOfBenefit".parse::<ResourceKind>().unwrap(),
        ResourceKind::ExplanationOfBenefit
    );
    assert!("Observation".parse::<ResourceKind>().is_err());
}

#[test]
fn advanced_flavour_follows_condition_prevalence() {
    let g = Generator::new(&spec("A9999", 10_000, Flavour::Advanced), REFERENCE);
    let n = 4_000;
    let mut hypertension = 0;
    let mut aged = 0;
    let mut part_d = 0;
    for i in 0..n {
        let b = g.beneficiary(i);
        hypertension += b.condition_names().contains(&"hypertension") as u32;
        aged += (b.age_on(bcda_synth::day_of_unix(REFERENCE)) >= 65) as u32;
        part_d += b.part_d_start.is_some() as u32;
    }
    // CCW: 57% hypertension (boosted for 80+); CMS: ~86% aged; KFF: 77% Part D.
    let pct = |x: u32| x * 100 / n;
    assert!(
        (55..=70).contains(&pct(hypertension)),
        "hypertension {}%",
        pct(hypertension)
    );
    assert!((82..=90).contains(&pct(aged)), "aged {}%", pct(aged));
    assert!((73..=81).contains(&pct(part_d)), "part D {}%", pct(part_d));
}

#[test]
fn old_reference_keeps_everything_before_it() {
    // A 2019 reference: BCDA's "before 2020-02-12 means lastUpdated 2020-01-01" rule must not
    // push anything past the data set's own "now".
    let reference = 1_563_000_000; // 2019-07-13
    let g = Generator::new(&spec("A9994", 50, Flavour::Simple), reference);
    let benes: Vec<u32> = (0..50).collect();
    for kind in [
        ResourceKind::Patient,
        ResourceKind::Coverage,
        ResourceKind::ExplanationOfBenefit,
    ] {
        let all = g
            .write_ndjson(
                FhirVersion::R4,
                kind,
                &benes,
                None,
                i64::MAX,
                &mut Vec::new(),
            )
            .unwrap();
        let until_ref = g
            .write_ndjson(
                FhirVersion::R4,
                kind,
                &benes,
                None,
                reference,
                &mut Vec::new(),
            )
            .unwrap();
        assert!(all > 0);
        assert_eq!(
            all, until_ref,
            "{kind}: nothing is updated after the reference"
        );
    }
}
