//! Calibration: a mid-size ACO (A9990) exported at the realistic scale, in BCDA's bytes, lands
//! every row of `bcda_synth::calibration::TARGETS` within its tolerance, measured the way a
//! user measures it: with `bcda stats` (the bcda-ndjson engine, the same library call as the
//! command) on the exported NDJSON, read from the report's JSON, plus a few aggregates
//! `bcda stats` does not have, computed here from the NDJSON with serde_json (users of home
//! health in a year, hospice users, Part D days supply, person-years, deaths).
//!
//! Why a sample: A9990's full realistic v2 export is 4.7 GB, and the stats engine runs at about
//! 15 MB/s in the debug profile CI uses, so the claims rows use a systematic sample of A9990's
//! beneficiaries (every `STEP`-th of those with Parts A and B before the history starts),
//! sized so that the noisiest rows (spending per beneficiary-year, whose log-normal intensity
//! has a coefficient of variation of about 3) sit well inside ±20%; the Part D rows, which vary
//! little between enrollees, use the sample's first `PDE_SAMPLE` Part D enrollees; the
//! demographic and mortality rows use all 2,500 beneficiaries (Patient and Coverage are small).

use bcda_ndjson::stats::{Stats, StatsConfig};
use bcda_ndjson::{Config, Engine, InputFile, Inputs};
use bcda_synth::calibration::{target, TARGETS};
use bcda_synth::{
    civil_from_days, day_of_unix, days_from_civil, sandbox_catalogue, ClaimFacts, ClaimType,
    FhirVersion, Filter, Generator, ResourceKind, Scale, Style,
};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

const REFERENCE: i64 = 1_764_547_200; // 2025-12-01T00:00:00Z
/// Sample every `STEP`-th eligible beneficiary for the claims rows.
const STEP: usize = 3;
/// Part D enrollees of the sample whose Part D events go to the Part D rows.
const PDE_SAMPLE: usize = 60;

fn a9990() -> Generator {
    let spec = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == "A9990")
        .expect("A9990 in the catalogue")
        .spec;
    Generator::new(&spec, REFERENCE).with_scale(Scale::Realistic)
}

/// NDJSON of one resource kind for some beneficiaries, in BCDA's bytes, generated on two
/// threads.
fn export(g: &Generator, kind: ResourceKind, benes: &[u32]) -> Vec<u8> {
    let half = benes.len().div_ceil(2).max(1);
    let parts: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = benes
            .chunks(half)
            .map(|c| {
                s.spawn(move || {
                    let mut buf = Vec::new();
                    g.write_ndjson_styled(
                        FhirVersion::R4,
                        kind,
                        c,
                        &Filter::default(),
                        Style::default(),
                        &mut buf,
                    )
                    .expect("generate");
                    buf
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    parts.concat()
}

/// The EOBs of some beneficiaries whose service starts in `window` (a year of claims, as the
/// national figures count them), split: Part A/B claims (of `sample`), Part D events (of
/// `pde_benes`), and the home-health and hospice claims of everyone that end in or after the
/// window (the few lines the test parses). The
/// generator writes a beneficiary's EOBs in the order of `Generator::claim_facts`, which tells
/// the claim type of each line (`bcda stats` then classifies every line itself: the test
/// checks that each file holds only the types it should).
fn eobs_split(
    g: &Generator,
    benes: &[u32],
    sample: &HashSet<u32>,
    pde_benes: &HashSet<u32>,
    window: (i32, i32),
) -> [Vec<u8>; 3] {
    let half = benes.len().div_ceil(2).max(1);
    let parts: Vec<[Vec<u8>; 3]> = std::thread::scope(|s| {
        let handles: Vec<_> = benes
            .chunks(half)
            .map(|c| {
                s.spawn(move || {
                    let (mut ab, mut d, mut rare) = (Vec::new(), Vec::new(), Vec::new());
                    let mut buf = Vec::new();
                    // BFD's service-date filter (last service day) skips most claims outside
                    // the year; a claim starting in the year ends within 110 days of its end.
                    let filter = Filter {
                        service_from: Some(window.0),
                        service_to: Some(window.1 + 120),
                        ..Filter::default()
                    };
                    let written = |f: &ClaimFacts| {
                        filter.service_from.is_none_or(|d| f.thru_day >= d)
                            && filter.service_to.is_none_or(|d| f.thru_day <= d)
                    };
                    for &i in c {
                        buf.clear();
                        g.write_ndjson_styled(
                            FhirVersion::R4,
                            ResourceKind::ExplanationOfBenefit,
                            &[i],
                            &filter,
                            Style::default(),
                            &mut buf,
                        )
                        .expect("generate");
                        let facts: Vec<ClaimFacts> =
                            g.claim_facts(i).into_iter().filter(written).collect();

                        let lines: Vec<&[u8]> = buf.split_inclusive(|&b| b == b'\n').collect();
                        assert_eq!(lines.len(), facts.len(), "one EOB per claim version");
                        for (line, f) in lines.into_iter().zip(&facts) {
                            if matches!(f.claim_type, ClaimType::Hha | ClaimType::Hospice) {
                                rare.extend_from_slice(line);
                            }
                            if !(window.0..window.1).contains(&f.from_day) {
                                continue;
                            }
                            if f.claim_type != ClaimType::Pde {
                                if sample.contains(&i) {
                                    ab.extend_from_slice(line);
                                }
                            } else if pde_benes.contains(&i) {
                                d.extend_from_slice(line);
                            }
                        }
                    }
                    [ab, d, rare]
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    std::array::from_fn(|k| parts.iter().flat_map(|p| p[k].iter().copied()).collect())
}

/// Runs the `bcda stats` engine over in-memory files and returns the report as JSON (schema
/// `bcda-stats/1`, as `bcda stats --format json` prints it).
fn stats(files: Vec<(&str, Vec<u8>)>, top_n: usize) -> Value {
    let inputs = Inputs {
        files: files
            .into_iter()
            .map(|(name, bytes)| InputFile::from_bytes(name, bytes))
            .collect(),
    };
    let engine = Engine::new(Config {
        threads: 2,
        ..Config::default()
    })
    .expect("engine");
    let (y, m, d) = civil_from_days(day_of_unix(REFERENCE));
    let report = Stats {
        config: StatsConfig {
            top_n,
            as_of: (y, m, d),
            checks: true,
        },
    }
    .run(&engine, &inputs, None);
    assert_eq!(report.totals.errors, 0, "{:?}", report.issues);
    serde_json::to_value(&report).expect("the report serializes")
}

fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) => s
            .parse()
            .unwrap_or_else(|_| panic!("{s:?} is not a number")),
        Value::Number(n) => n.as_f64().expect("f64"),
        other => panic!("{other} is not a number"),
    }
}

/// `(claims, paid)` of a claim type in a stats report.
fn claim_type(report: &Value, name: &str) -> (f64, f64) {
    let t = report["claim_types"]
        .as_array()
        .expect("claim_types")
        .iter()
        .find(|t| t["claim_type"] == name)
        .unwrap_or_else(|| panic!("claim type {name} in the report"));
    (num(&t["claims"]), num(&t["paid"]))
}

fn lines(bytes: &[u8]) -> impl Iterator<Item = Value> + '_ {
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("JSON line"))
}

/// An EOB's claim type (`eob-type` coding, lower case) as `bcda stats` reads it.
fn eob_type(eob: &Value) -> String {
    eob["type"]["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| {
            c["system"]
                .as_str()
                .is_some_and(|s| s.ends_with("eob-type"))
        })
        .and_then(|c| c["code"].as_str())
        .expect("an eob-type coding")
        .to_ascii_lowercase()
}

fn day_of(date: &str) -> i32 {
    let p = |r: std::ops::Range<usize>| date[r].parse::<u32>().expect("date");
    days_from_civil(p(0..4) as i32, p(5..7), p(8..10))
}

fn patient_of(v: &Value, key: &str) -> String {
    v[key]["reference"].as_str().expect("reference").to_string()
}

/// The Part D days supply of a PDE EOB (the CARIN `dayssupply` supporting info).
fn days_supply(eob: &Value) -> f64 {
    eob["supportingInfo"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| {
            s["category"]["coding"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["code"] == "dayssupply")
        })
        .and_then(|s| s["valueQuantity"]["value"].as_f64())
        .expect("dayssupply")
}

/// The year of claims the rows measure: the 12 calendar months ending with the month before
/// last (claims need a month to reach BFD), as `(first day, first day after)`.
fn claims_year() -> (i32, i32) {
    let (y, m, _) = civil_from_days(day_of_unix(REFERENCE));
    let month = y * 12 + m as i32 - 1 - 2;
    let first = |year: i32| days_from_civil(year, (month % 12) as u32 + 1, 1);
    (first(month / 12 - 1), first(month / 12))
}

/// Keeps the NDJSON lines `keep` accepts.
fn pick(bytes: &[u8], keep: impl Fn(&Value) -> bool) -> Vec<u8> {
    let mut out = Vec::new();
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let v: Value = serde_json::from_slice(line).expect("JSON");
        if keep(&v) {
            out.extend_from_slice(line);
        }
    }
    out
}

/// Rows from `bcda stats` over every beneficiary's Patient and Coverage: sex, age, dual status.
fn demographic_rows(all: &Value, roster: usize, m: &mut BTreeMap<&'static str, f64>) {
    let n = num(&all["patients"]["patients"]);
    assert_eq!(n as usize, roster);
    m.insert(
        "under_65",
        num(&all["patients"]["age_bands"]["<65"]) / n * 100.0,
    );
    m.insert("female", num(&all["patients"]["sex"]["female"]) / n * 100.0);
    let dual = all["coverage"]["dual_status"]
        .as_object()
        .expect("dual_status");
    let codes: f64 = dual.values().map(num).sum();
    let non_dual = dual.get("NA").map_or(0.0, num);
    m.insert("dual", (codes - non_dual) / codes * 100.0);
}

/// Rows from `bcda stats` over the sample's year of Part A/B claims, its Patient and Coverage;
/// `rare` (home-health and hospice EOBs) gives the users in the year.
fn ab_rows(
    ab: &Value,
    rare: &[Value],
    sample: &HashSet<String>,
    window: (i32, i32),
    m: &mut BTreeMap<&'static str, f64>,
) {
    let months = ab["months"].as_array().expect("months");
    assert_eq!(months.len(), 12, "one year of claims");
    let years = num(&ab["beneficiaries"]["member_months"]) / 12.0;
    assert_eq!(
        claim_type(ab, "pde"),
        (0.0, 0.0),
        "no Part D event in the A/B file"
    );
    let t = |name: &str| claim_type(ab, name);
    let ab_paid: f64 = [
        "carrier",
        "dme",
        "hha",
        "hospice",
        "inpatient",
        "outpatient",
        "snf",
    ]
    .iter()
    .map(|c| t(c).1)
    .sum();
    let mut hh_users = HashSet::new();
    for v in rare {
        let who = patient_of(v, "patient");
        let start = day_of(v["billablePeriod"]["start"].as_str().expect("start"));
        let in_year = (window.0..window.1).contains(&start);
        if v["status"] == "active" && sample.contains(&who) && in_year && eob_type(v) == "hha" {
            hh_users.insert(who);
        }
    }
    m.insert("ab_paid", ab_paid / years);
    m.insert("ip_per_1000", t("inpatient").0 / years * 1000.0);
    m.insert("ip_paid", t("inpatient").1 / t("inpatient").0);
    m.insert("snf_per_1000", t("snf").0 / years * 1000.0);
    m.insert("snf_paid", t("snf").1 / t("snf").0);
    m.insert(
        "hh_users",
        hh_users.len() as f64 / sample.len() as f64 * 100.0,
    );
    m.insert("hh_paid", t("hha").1 / t("hha").0);
    m.insert("dme_paid", t("dme").1 / years);
    m.insert("carrier_claims", t("carrier").0 / years);
    m.insert("outpatient_claims", t("outpatient").0 / years);
    let op_carrier = t("outpatient").1 + t("carrier").1;
    m.insert("op_carrier_paid", op_carrier / years);
    // Spending concentration: stats' per-beneficiary list holds everyone with a claim in the
    // year; the others spent 0.
    let mut spend: Vec<f64> = ab["beneficiaries"]["top"]
        .as_array()
        .expect("top")
        .iter()
        .map(|b| num(&b["paid"]))
        .collect();
    assert!(spend.len() <= sample.len());
    spend.resize(sample.len(), 0.0);
    spend.sort_unstable_by(|a, b| b.total_cmp(a));
    let total: f64 = spend.iter().sum();
    assert!(
        (total - ab_paid).abs() < 1.0,
        "per-beneficiary paid adds up"
    );
    let top = |share: f64| {
        let k = (spend.len() as f64 * share).round() as usize;
        spend[..k].iter().sum::<f64>() / total * 100.0
    };
    m.insert("top5_share", top(0.05));
    m.insert("top10_share", top(0.10));
}

/// Mortality (deaths per 100 person-years of Part A coverage in the year, from every
/// beneficiary's Patient `deceasedDateTime` and Part A Coverage period) and the share of those
/// decedents whose final hospice claim ends the day they die. Returns the decedents.
fn death_rows(
    patients: &[u8],
    coverage: &[u8],
    rare: &[Value],
    window: (i32, i32),
    m: &mut BTreeMap<&'static str, f64>,
) -> usize {
    let mut part_a: HashMap<String, i32> = HashMap::new();
    for v in lines(coverage) {
        if v["id"].as_str().is_some_and(|id| id.starts_with("part-a-")) {
            let start = day_of(v["period"]["start"].as_str().expect("period.start"));
            part_a.insert(patient_of(&v, "beneficiary"), start);
        }
    }
    let (mut years, mut decedents) = (0.0, HashMap::new());
    for v in lines(patients) {
        let who = format!("Patient/{}", v["id"].as_str().expect("id"));
        let from = part_a[&who].max(window.0);
        let death = v["deceasedDateTime"].as_str().map(day_of);
        let to = death.map_or(window.1, |d| d.min(window.1));
        if to > from {
            years += f64::from(to - from) / 365.0;
            if let Some(d) = death.filter(|d| *d < window.1) {
                decedents.insert(who, d);
            }
        }
    }
    let in_hospice: HashSet<&String> = rare
        .iter()
        .filter(|v| v["status"] == "active" && eob_type(v) == "hospice")
        .filter_map(|v| {
            let who = decedents.get_key_value(&patient_of(v, "patient"))?;
            let end = day_of(v["billablePeriod"]["end"].as_str().expect("end"));
            (end == *who.1).then_some(who.0)
        })
        .collect();
    m.insert("mortality", decedents.len() as f64 / years * 100.0);
    m.insert(
        "hospice_decedents",
        in_hospice.len() as f64 / decedents.len() as f64 * 100.0,
    );
    decedents.len()
}

/// Hospice payment per user: `bcda stats` over the year's hospice claims of everyone who died
/// after the year began (hospice here is the final months of decedents; a sample would hold
/// too few users), users counted from the same lines.
fn hospice_rows(rare: &[u8], window: (i32, i32), m: &mut BTreeMap<&'static str, f64>) {
    let (mut bytes, mut users) = (Vec::new(), HashSet::new());
    for line in rare.split_inclusive(|&b| b == b'\n') {
        let v: Value = serde_json::from_slice(line).expect("JSON");
        let start = day_of(v["billablePeriod"]["start"].as_str().expect("start"));
        if eob_type(&v) == "hospice" && (window.0..window.1).contains(&start) {
            if v["status"] == "active" {
                users.insert(patient_of(&v, "patient"));
            }
            bytes.extend_from_slice(line);
        }
    }
    let report = stats(vec![("ExplanationOfBenefit.ndjson", bytes)], 10);
    let (claims, paid) = claim_type(&report, "hospice");
    assert!(
        claims > 0.0 && users.len() >= 20,
        "{} hospice users",
        users.len()
    );
    m.insert("hospice_paid_user", paid / users.len() as f64);
}

/// Part D rows: `bcda stats` over the enrollees' year of Part D events with their Part D
/// Coverage; 30-day-equivalent fills from the events' days supply.
fn pde_rows(coverage: Vec<u8>, eob_d: Vec<u8>, m: &mut BTreeMap<&'static str, f64>) {
    let fills: f64 = lines(&eob_d)
        .filter(|v| v["status"] == "active")
        .map(|v| days_supply(&v) / 30.0)
        .sum();
    let d = stats(
        vec![
            ("Coverage.ndjson", coverage),
            ("ExplanationOfBenefit.ndjson", eob_d),
        ],
        10,
    );
    let (claims, paid) = claim_type(&d, "pde");
    assert!(
        claims > 0.0
            && d["claim_types"].as_array().expect("types").iter().all(|t| {
                t["claim_type"] == "pde" || num(&t["claims"]) + num(&t["superseded"]) == 0.0
            })
    );
    let years = num(&d["beneficiaries"]["member_months"]) / 12.0;
    m.insert("pde_fills", fills / years);
    m.insert("pde_net_per_fill", paid / fills);
}

/// The measured value of every row, by key.
fn measure(g: &Generator) -> BTreeMap<&'static str, f64> {
    let (w0, w1) = claims_year();
    let roster = g.current_beneficiaries();
    let eligible: Vec<u32> = roster
        .iter()
        .copied()
        .filter(|&i| {
            let b = g.beneficiary(i);
            let alive = b.death_date.is_none_or(|d| d >= w0);
            b.part_a_start <= w0 && b.part_b_start <= w0 && alive
        })
        .collect();
    let sample: Vec<u32> = eligible.iter().copied().step_by(STEP).collect();
    assert!(sample.len() >= 500, "sample of {}", sample.len());
    let pde_benes: HashSet<u32> = sample
        .iter()
        .copied()
        .filter(|&i| g.beneficiary(i).part_d_start.is_some_and(|d| d <= w0))
        .take(PDE_SAMPLE)
        .collect();
    let mut m = BTreeMap::new();

    let patients = export(g, ResourceKind::Patient, &roster);
    let coverage = export(g, ResourceKind::Coverage, &roster);
    let all = stats(
        vec![
            ("Patient.ndjson", patients.clone()),
            ("Coverage.ndjson", coverage.clone()),
        ],
        10,
    );
    demographic_rows(&all, roster.len(), &mut m);

    let id_set = |benes: &mut dyn Iterator<Item = u32>| -> HashSet<String> {
        benes
            .map(|i| format!("Patient/{}", g.beneficiary(i).bene_id))
            .collect()
    };
    let ids = id_set(&mut sample.iter().copied());
    let pde_ids = id_set(&mut pde_benes.iter().copied());
    // The sample and everyone who died after the year began (for their hospice claims).
    let sample_set: HashSet<u32> = sample.iter().copied().collect();
    let mut benes = sample.clone();
    benes.extend(roster.iter().copied().filter(|&i| {
        let died = g.beneficiary(i).death_date.is_some_and(|d| d >= w0);
        died && !sample_set.contains(&i)
    }));
    let [eob_ab, eob_d, rare] = eobs_split(g, &benes, &sample_set, &pde_benes, (w0, w1));
    hospice_rows(&rare, (w0, w1), &mut m);
    let rare: Vec<Value> = lines(&rare).collect();
    let decedents = death_rows(&patients, &coverage, &rare, (w0, w1), &mut m);
    assert!(decedents >= 80, "{decedents} decedents");
    let ab = stats(
        vec![
            (
                "Patient.ndjson",
                pick(&patients, |v| {
                    ids.contains(&format!("Patient/{}", v["id"].as_str().unwrap_or("")))
                }),
            ),
            (
                "Coverage.ndjson",
                pick(&coverage, |v| ids.contains(&patient_of(v, "beneficiary"))),
            ),
            ("ExplanationOfBenefit.ndjson", eob_ab),
        ],
        sample.len(),
    );
    ab_rows(&ab, &rare, &ids, (w0, w1), &mut m);
    let d_coverage = pick(&coverage, |v| {
        pde_ids.contains(&patient_of(v, "beneficiary"))
            && v["id"].as_str().is_some_and(|id| id.starts_with("part-d-"))
    });
    pde_rows(d_coverage, eob_d, &mut m);
    m
}

/// Asserts every row of `got` within its tolerance (`rows`: which rows; all when `None`).
fn check_rows(got: &BTreeMap<&'static str, f64>, rows: Option<&[&str]>) {
    let mut report = String::new();
    let mut failed = Vec::new();
    for t in TARGETS
        .iter()
        .filter(|t| rows.is_none_or(|r| r.contains(&t.key)))
    {
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
    assert!(
        got.keys().all(|k| target(k).is_some()),
        "a measured row has no target"
    );
}

#[test]
fn mid_size_aco_export_matches_every_row_of_the_table() {
    let got = measure(&a9990());
    assert_eq!(got.len(), TARGETS.len(), "every row is measured");
    check_rows(&got, None);
}

/// The claims rows over every eligible A9990 beneficiary (no sample), from
/// `Generator::claim_facts` (what each EOB carries: `facts_match_the_exported_resources`
/// checks that on a subset). Seconds, not minutes, and without the sample's sampling error
/// (the sample of the export test is a third of these beneficiaries: between its three
/// offsets, spending per beneficiary-year varies by about ±10% and the top 5% share by about
/// ±4 points).
#[test]
fn every_claims_row_holds_over_all_of_a9990() {
    let g = a9990();
    let (w0, w1) = claims_year();
    let (mut years, mut hh_users, mut hospice_users) = (0.0, 0.0, 0.0);
    let mut per_type: HashMap<ClaimType, (f64, f64)> = HashMap::new();
    let mut spend: Vec<f64> = Vec::new();
    for i in g.current_beneficiaries() {
        let b = g.beneficiary(i);
        let alive = b.death_date.is_none_or(|d| d >= w0);
        if !(b.part_a_start <= w0 && b.part_b_start <= w0 && alive) {
            continue;
        }
        years += f64::from(b.death_date.map_or(w1, |d| d.min(w1)) - w0) / 365.0;
        let facts = g.claim_facts(i);
        let year = facts.iter().filter(|f| {
            f.is_final && f.claim_type != ClaimType::Pde && (w0..w1).contains(&f.from_day)
        });
        let (mut total, mut hh, mut hospice) = (0.0, false, false);
        for f in year {
            let e = per_type.entry(f.claim_type).or_default();
            e.0 += 1.0;
            e.1 += f.paid_cents as f64 / 100.0;
            total += f.paid_cents as f64 / 100.0;
            hh |= f.claim_type == ClaimType::Hha;
            hospice |= f.claim_type == ClaimType::Hospice;
        }
        hh_users += f64::from(u8::from(hh));
        hospice_users += f64::from(u8::from(hospice));
        spend.push(total);
    }
    let t = |ct: ClaimType| per_type.get(&ct).copied().unwrap_or_default();
    let total: f64 = spend.iter().sum();
    let n = spend.len() as f64;
    let mut m = BTreeMap::new();
    m.insert("ab_paid", total / years);
    m.insert("ip_per_1000", t(ClaimType::Inpatient).0 / years * 1000.0);
    m.insert(
        "ip_paid",
        t(ClaimType::Inpatient).1 / t(ClaimType::Inpatient).0,
    );
    m.insert("snf_per_1000", t(ClaimType::Snf).0 / years * 1000.0);
    m.insert("snf_paid", t(ClaimType::Snf).1 / t(ClaimType::Snf).0);
    m.insert("hh_users", hh_users / n * 100.0);
    m.insert("hh_paid", t(ClaimType::Hha).1 / t(ClaimType::Hha).0);
    m.insert("hospice_paid_user", t(ClaimType::Hospice).1 / hospice_users);
    m.insert("dme_paid", t(ClaimType::Dme).1 / years);
    m.insert("carrier_claims", t(ClaimType::Carrier).0 / years);
    m.insert("outpatient_claims", t(ClaimType::Outpatient).0 / years);
    let op_carrier = t(ClaimType::Outpatient).1 + t(ClaimType::Carrier).1;
    m.insert("op_carrier_paid", op_carrier / years);
    spend.sort_unstable_by(|a, b| b.total_cmp(a));
    let top = |share: f64| {
        let k = (n * share).round() as usize;
        spend[..k].iter().sum::<f64>() / total * 100.0
    };
    m.insert("top5_share", top(0.05));
    m.insert("top10_share", top(0.10));
    check_rows(&m, Some(&m.keys().copied().collect::<Vec<_>>()));
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

/// Chronic conditions at their Medicare prevalence (`calibration::chronic_condition_prevalence`,
/// CMS Chronic Conditions Data Warehouse): over all of A9990 each condition of 9% or more lands
/// within ±20% of its prevalence, and the beneficiaries' claims carry them (each condition's
/// codes are on some claim of anyone with 20 claims or more).
#[test]
fn chronic_conditions_have_medicare_prevalence() {
    let g = a9990();
    let roster = g.current_beneficiaries();
    let mut have: BTreeMap<&str, f64> = BTreeMap::new();
    for &i in &roster {
        for name in g.beneficiary(i).condition_names() {
            *have.entry(name).or_default() += 1.0;
        }
    }
    let mut report = String::new();
    let mut failed = Vec::new();
    for (name, pct) in bcda_synth::calibration::chronic_condition_prevalence() {
        let got = have.get(name).copied().unwrap_or(0.0) / roster.len() as f64 * 100.0;
        let ok = pct < 9.0 || (got >= pct * 0.8 && got <= pct * 1.2);
        report.push_str(&format!("{name:<24} {got:>5.1}%  CCW {pct:>5.1}%\n"));
        if !ok {
            failed.push(name);
        }
    }
    println!("{report}");
    assert!(failed.is_empty(), "out of ±20%: {failed:?}\n{report}");
    let hypertension = have["hypertension"] / roster.len() as f64;
    assert!(hypertension > 0.45, "common conditions are common");

    // The claims carry the conditions: the diagnoses of 30 beneficiaries' A/B claims.
    let benes: Vec<u32> = roster.iter().copied().take(30).collect();
    let eobs = export(&g, ResourceKind::ExplanationOfBenefit, &benes);
    let mut codes: HashMap<String, (u32, HashSet<String>)> = HashMap::new();
    for v in lines(&eobs).filter(|v| eob_type(v) != "pde") {
        let e = codes.entry(patient_of(&v, "patient")).or_default();
        e.0 += 1;
        for d in v["diagnosis"].as_array().into_iter().flatten() {
            for c in d["diagnosisCodeableConcept"]["coding"]
                .as_array()
                .into_iter()
                .flatten()
            {
                e.1.insert(c["code"].as_str().unwrap_or("").to_string());
            }
        }
    }
    let mut checked = 0;
    for &i in &benes {
        let b = g.beneficiary(i);
        let Some((claims, seen)) = codes.get(&format!("Patient/{}", b.bene_id)) else {
            continue;
        };
        if *claims < 20 {
            continue;
        }
        checked += 1;
        for name in b.condition_names() {
            let dx = bcda_synth::calibration::condition_codes(name);
            assert!(
                dx.iter().any(|c| seen.contains(*c)),
                "{}: {name} ({dx:?}) on none of {claims} claims",
                b.bene_id
            );
        }
    }
    assert!(checked >= 10, "{checked} beneficiaries checked");
}
