//! `bcda stats` logic on the real samples in `../shared/samples`, against values computed by
//! hand from the files (Python `json` + `decimal` while writing the test; the commands are in
//! the comments), not by running this crate.

use std::path::PathBuf;

use bcda_ndjson::stats::{Stats, StatsConfig, StatsReport};
use bcda_ndjson::{Config, Engine, Inputs};

fn shared() -> PathBuf {
    let p = std::env::var_os("BCDA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(
        p.join("samples").is_dir(),
        "these tests need the shared reference material: set BCDA_SHARED or place it at {} (missing)",
        p.display()
    );
    p
}

const EOB_FILES: [&str; 8] = [
    "bfd__eobReadCarrier.json",
    "bfd__eobReadDme.json",
    "bfd__eobReadHha.json",
    "bfd__eobReadHospice.json",
    "bfd__eobReadInpatient.json",
    "bfd__eobReadOutpatient.json",
    "bfd__eobReadPde.json",
    "bfd__eobReadSnf.json",
];

fn run(paths: &[PathBuf], threads: usize, chunk_bytes: usize) -> StatsReport {
    let inputs = Inputs::discover(paths).expect("discover");
    let engine = Engine::new(Config {
        threads,
        chunk_bytes,
        ..Config::default()
    })
    .expect("engine");
    Stats {
        config: StatsConfig {
            top_n: 5,
            as_of: (2025, 1, 1),
            checks: true,
        },
    }
    .run(&engine, &inputs, None)
}

fn eob_paths(version: &str) -> Vec<PathBuf> {
    let dir = shared().join("samples").join(version);
    EOB_FILES.iter().map(|f| dir.join(f)).collect()
}

fn claim<'r>(r: &'r StatsReport, t: &str) -> &'r bcda_ndjson::stats::ClaimTypeStats {
    r.claim_types
        .iter()
        .find(|c| c.claim_type == t)
        .expect("claim type present")
}

// Expected values, derived with:
//   python3 -c 'import json; from decimal import Decimal; d=json.load(open(F), parse_float=Decimal);
//               print(d["type"], len(d["item"]), d.get("payment"), d["billablePeriod"], d.get("total"), d.get("totalCost"))'
// over the eight bfd__eobRead<Type>.json files of v1 and v2.
const PAID: [(&str, &str); 8] = [
    ("carrier", "199.99"),
    ("dme", "777.75"),
    ("hha", "188.00"),
    ("hospice", "130.32"),
    ("inpatient", "7699.48"),
    ("outpatient", "693.11"),
    // The PDE's payment has a date only: its paid is the plan-paid adjudication
    // cvrd_d_plan_pd_amt (item[0], 126.99 in v1 and v2).
    ("pde", "126.99"),
    ("snf", "3333.33"),
];

#[test]
fn v2_single_claims_by_type_match_hand_computed_values() {
    let r = run(&eob_paths("v2"), 2, 4 << 20);
    assert_eq!(r.totals.records, 8);
    assert_eq!(r.totals.errors, 0, "{:?}", r.issues);
    for (t, paid) in PAID {
        let c = claim(&r, t);
        assert_eq!(c.claims, 1, "{t}");
        assert_eq!(c.lines, 1, "{t}");
        assert_eq!(c.paid, paid, "{t}");
    }
    assert_eq!(claim(&r, "other").claims, 0);
    // 199.99+777.75+188.0+130.32+7699.48+693.11+126.99+3333.33 (Decimal sum)
    assert_eq!(r.total_paid().to_decimal_string(), "13148.97");
    let inp = claim(&r, "inpatient");
    assert_eq!(
        inp.adjudication
            .get("rev_cntr_tot_chrg_amt")
            .map(String::as_str),
        Some("84888.88")
    );
    assert_eq!(
        inp.adjudication
            .get("rev_cntr_ncvrd_chrg_amt")
            .map(String::as_str),
        Some("3699.00")
    );
    assert_eq!(
        inp.totals.get("clm_tot_chrg_amt").map(String::as_str),
        Some("84999.37")
    );
    assert_eq!(inp.first_service.as_deref(), Some("2016-01-15"));
    assert_eq!(inp.last_service.as_deref(), Some("2016-01-27"));
    let pde = claim(&r, "pde");
    assert_eq!(
        pde.totals.get("drugcost").map(String::as_str),
        Some("550.00")
    );
    // tot_rx_cst_amt of the PDE's item.
    assert_eq!(pde.drug_cost.as_deref(), Some("550.00"));
    assert!(pde.paid_basis.contains("cvrd_d_plan_pd_amt"));
    assert_eq!(claim(&r, "carrier").paid_basis, "payment.amount");
    // Every sample EOB is `active`: nothing is superseded.
    assert_eq!(r.totals.superseded, 0);
    let hospice = claim(&r, "hospice");
    assert_eq!(
        (
            hospice.first_service.as_deref(),
            hospice.last_service.as_deref()
        ),
        (Some("2014-01-01"), Some("2014-01-30"))
    );
    // One beneficiary (Patient/567834) owns all eight claims.
    assert_eq!(r.beneficiaries.with_claims, 1);
    assert_eq!(r.beneficiaries.top[0].patient, "567834");
    assert_eq!(r.beneficiaries.top[0].claims, 8);
    assert_eq!(r.beneficiaries.top[0].paid, "13148.97");
    // Months from billablePeriod.start: 1999-10, 2011-01, 2013-12, 2014-01, 2014-02, 2015-05, 2015-06, 2016-01.
    let months: Vec<&str> = r.months.iter().map(|m| m.month.as_str()).collect();
    assert_eq!(
        months,
        ["1999-10", "2011-01", "2013-12", "2014-01", "2014-02", "2015-05", "2015-06", "2016-01"]
    );
    assert!(r
        .files
        .iter()
        .all(|f| f.fhir_version.as_deref() == Some("R4")));
    assert_eq!(
        r.top.ndcs.first().map(|c| c.code.as_str()),
        Some("000000000")
    );
}

#[test]
fn v1_stu3_claims_give_the_same_paid_amounts() {
    let r = run(&eob_paths("v1"), 1, 4 << 20);
    assert_eq!(r.totals.errors, 0, "{:?}", r.issues);
    for (t, paid) in PAID {
        assert_eq!(claim(&r, t).paid, paid, "{t}");
    }
    assert_eq!(claim(&r, "pde").drug_cost.as_deref(), Some("550.00"));
    // STU3 totalCost of the inpatient claim.
    assert_eq!(
        claim(&r, "inpatient")
            .totals
            .get("totalCost")
            .map(String::as_str),
        Some("84999.37")
    );
    assert!(r
        .files
        .iter()
        .all(|f| f.fhir_version.as_deref() == Some("STU3")));
}

#[test]
fn v1_site_patients_and_coverage_demographics() {
    let dir = shared().join("samples/v1");
    let r = run(
        &[
            dir.join("bcda-site__Patient.ndjson"),
            dir.join("bcda-site__Coverage.ndjson"),
        ],
        2,
        16 * 1024,
    );
    // python3: Counter(gender) -> female 54, male 46; ages at 2025-01-01 from birthDate:
    // 65-69: 3, 70-74: 44, 75-79: 32, 80-84: 21; address[0].state '22' x100;
    // grouping.subPlan Part A/B/C/D x100 each; no dangling beneficiary references.
    assert_eq!(r.patients.patients, 100);
    assert_eq!(r.patients.sex.get("female"), Some(&54));
    assert_eq!(r.patients.sex.get("male"), Some(&46));
    assert_eq!(r.patients.age_bands.get("65-69"), Some(&3));
    assert_eq!(r.patients.age_bands.get("70-74"), Some(&44));
    assert_eq!(r.patients.age_bands.get("75-79"), Some(&32));
    assert_eq!(r.patients.age_bands.get("80-84"), Some(&21));
    assert_eq!(r.patients.states[0].code, "22");
    assert_eq!(r.patients.states[0].count, 100);
    assert_eq!(r.coverage.coverages, 400);
    for p in ["A", "B", "C", "D"] {
        assert_eq!(r.coverage.parts.get(p), Some(&100), "part {p}");
    }
    assert_eq!(r.checks.dangling_patient_refs, 0);
    assert_eq!(r.checks.duplicate_ids, 0);
    assert_eq!(r.totals.lines, 500);
    assert_eq!(r.totals.errors, 0, "{:?}", r.issues);
    assert_eq!(r.files[0].bytes, 106_838); // wc -c bcda-site__Patient.ndjson
}

#[test]
fn whole_samples_directory_same_result_on_1_and_2_threads_and_any_chunking() {
    let dir = shared().join("samples");
    let a = run(std::slice::from_ref(&dir), 1, 4 << 20);
    let b = run(std::slice::from_ref(&dir), 2, 4096);
    let c = run(std::slice::from_ref(&dir), 2, 1);
    assert_eq!(a, b);
    assert_eq!(a, c);
    // Resource counts from the python walk over all *.json/*.ndjson (Bundles expanded):
    // EOB v1 33+8+2+8+8x1+2(tax)+1(multi)+10(bcda__test) ...; checked via the total only here.
    assert_eq!(a.totals.resources.get("Patient"), Some(&(100 + 8 + 7)));
    assert_eq!(
        a.totals.resources.get("Coverage"),
        Some(&(3 + 1 + 1 + 4 + 400 + 1 + 4 + 4))
    );
    assert_eq!(
        a.totals.resources.get("Claim"),
        Some(&(1 + 1 + 1 + 1 + 1 + 2 + 1 + 2 + 2 + 1))
    );
}

#[test]
fn bundle_entries_of_a_pretty_printed_document_get_their_own_line_numbers() {
    use bcda_ndjson::project::{Projected, Resource};
    // `grep -n '"resource" :' bfd__eobReadByPatientWithSamhsa.json` -> lines 23 and 605.
    let path = shared().join("samples/v2/bfd__eobReadByPatientWithSamhsa.json");
    let inputs = Inputs::discover(std::slice::from_ref(&path)).expect("discover");
    let engine = Engine::new(Config::default()).expect("engine");
    let lines: Vec<(u64, bool)> = engine
        .records(&inputs, &Projected::default(), |r, _| {
            matches!(r, Resource::Eob(_))
        })
        .map(|i| i.map(|(l, is_eob)| (l.line, is_eob)).expect("no issue"))
        .collect();
    assert_eq!(lines, [(23, true), (605, true)]);
}
