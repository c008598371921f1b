//! Claims statistics over the projected read path: the aggregation behind `bcda stats`.

use std::collections::{BTreeMap, BinaryHeap};
use std::path::PathBuf;

use compact_str::CompactString;
use serde::Serialize;

use crate::engine::{Engine, Fold, LineRef, Progress, RunOutput};
use crate::error::{Issue, IssueKind, Severity};
use crate::input::Inputs;
use crate::project::{
    Amount, CategoryPick, Coverage, Eob, EobTypePick, Patient, Picked, Projected, Reference,
    Resource, NDC_SYSTEM,
};

/// The claim types of BFD's `eob-type` code system, plus `other` for anything else.
pub const CLAIM_TYPES: [&str; 9] = [
    "carrier",
    "dme",
    "hha",
    "hospice",
    "inpatient",
    "outpatient",
    "pde",
    "snf",
    "other",
];

/// Hash maps of the accumulator: foldhash (SipHash was 5% of a run), and hashbrown's
/// `entry_ref`, which hashes a borrowed key once and allocates only for a new one.
type HashMap<K, V> = hashbrown::HashMap<K, V, foldhash::fast::RandomState>;

/// Keys of the accumulator's maps: codes, NPIs and patient ids are short, and a string of up to
/// 24 bytes lives inside the key itself (no allocation, and comparing keys in a large table
/// does not chase a pointer).
type Key = CompactString;

fn claim_type_index(cc: Option<&Picked<'_, EobTypePick>>) -> usize {
    let code = cc.and_then(|cc| cc.code.as_deref());
    match code.map(|c| c.to_ascii_lowercase()).as_deref() {
        Some("carrier") => 0,
        Some("dme") => 1,
        Some("hha") => 2,
        Some("hospice") => 3,
        Some("inpatient") => 4,
        Some("outpatient") => 5,
        Some("pde") => 6,
        Some("snf") => 7,
        _ => 8,
    }
}

/// Options of the statistics.
#[derive(Debug, Clone)]
pub struct StatsConfig {
    /// How many entries the top-N lists keep.
    pub top_n: usize,
    /// Reference date (year, month, day) for patient ages.
    pub as_of: (i32, u32, u32),
    /// Run the cross-file checks (patient references, duplicate ids, manifest counts).
    pub checks: bool,
}

impl Default for StatsConfig {
    fn default() -> Self {
        StatsConfig {
            top_n: 10,
            as_of: (2025, 1, 1),
            checks: true,
        }
    }
}

/// The adjudication category (BFD variable) that holds a Part D event's plan-paid amount:
/// BFD's PDE EOBs carry no `payment.amount`.
pub const PDE_PAID: &str = "cvrd_d_plan_pd_amt";

/// The adjudication category (BFD variable) of a Part D event's total drug cost.
pub const PDE_DRUG_COST: &str = "tot_rx_cst_amt";

/// Index of `pde` in [`CLAIM_TYPES`].
const PDE: usize = 6;

/// Which amount a claim type's `paid` is (the `paid_basis` of the report).
pub fn paid_basis(claim_type: &str) -> &'static str {
    if claim_type == "pde" {
        "item.adjudication cvrd_d_plan_pd_amt (Part D plan paid)"
    } else {
        "payment.amount"
    }
}

/// Whether an EOB `status` marks a superseded (or voided) version of a claim: BCDA delivers an
/// adjusted claim as several EOBs sharing a claim group, the final one `active`, the earlier
/// ones `cancelled`; `entered-in-error` is never a final version either.
pub fn is_superseded(status: Option<&str>) -> bool {
    matches!(status, Some("cancelled" | "entered-in-error"))
}

#[derive(Debug, Clone, Default)]
struct TypeAcc {
    claims: u64,
    superseded: u64,
    superseded_paid: Amount,
    drug_cost: Amount,
    lines: u64,
    paid: Amount,
    totals: HashMap<Key, Amount>,
    adjudication: HashMap<Key, Amount>,
    first: Option<String>,
    last: Option<String>,
}

/// (resource type index, id).
type IdKey = (u8, Key);
/// (first location, second location, occurrences).
type Seen = (LineRef, LineRef, u64);

#[derive(Debug, Clone, Default)]
struct BeneAcc {
    claims: u64,
    paid: Amount,
}

/// The accumulator of [`Stats`] (opaque; merge and finish through [`Stats`]).
#[derive(Debug, Default)]
pub struct StatsAcc {
    resources: HashMap<Key, u64>,
    types: Vec<TypeAcc>,
    months: BTreeMap<i32, (u64, Amount)>,
    benes: HashMap<Key, BeneAcc>,
    diagnoses: HashMap<Key, u64>,
    procedures: HashMap<Key, u64>,
    npis: HashMap<Key, u64>,
    ndcs: HashMap<Key, u64>,
    sex: BTreeMap<String, u64>,
    age_bands: BTreeMap<String, u64>,
    states: HashMap<Key, u64>,
    parts: BTreeMap<String, u64>,
    dual: BTreeMap<String, u64>,
    coverage_periods: HashMap<Key, Vec<(i32, Option<i32>)>>,
    patient_ids: HashMap<Key, (LineRef, u64)>,
    refs: HashMap<Key, LineRef>,
    ids: HashMap<IdKey, Seen>,
}

fn bump<'m, V: Default>(m: &'m mut HashMap<Key, V>, k: &str) -> &'m mut V {
    m.entry_ref(k).or_default()
}

fn month_of(date: &str) -> Option<i32> {
    let y: i32 = date.get(0..4)?.parse().ok()?;
    let m: i32 = date.get(5..7)?.parse().ok()?;
    if !(1..=12).contains(&m) {
        return None;
    }
    Some(y * 12 + m - 1)
}

fn month_label(m: i32) -> String {
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

fn last_segment(s: &str) -> &str {
    match memchr::memrchr(b'/', s.as_bytes()) {
        Some(i) => &s[i + 1..],
        None => s,
    }
}

/// The category key of an adjudication/total: the BFD variable name when a Blue Button coding
/// is present (comparable across v1 and v2), else the first coding's code.
fn category_key<'c>(cc: Option<&'c Picked<'_, CategoryPick>>) -> &'c str {
    match cc.and_then(|c| c.code.as_deref()) {
        Some(code) => last_segment(code),
        None => "unknown",
    }
}

fn patient_id<'r>(r: Option<&'r Reference<'_>>) -> Option<&'r str> {
    let s = r?.reference.as_deref()?;
    Some(s.strip_prefix("Patient/").unwrap_or(s))
}

fn npi_of<'r>(r: &'r Reference<'_>) -> Option<&'r str> {
    let id = r.identifier.as_ref()?;
    let is_npi = id.system.as_deref() == Some("http://hl7.org/fhir/sid/us-npi")
        || id.id_type.as_ref().is_some_and(|t| t.code.is_some());
    if is_npi {
        id.value.as_deref()
    } else {
        None
    }
}

fn age_band(birth: &str, as_of: (i32, u32, u32)) -> &'static str {
    let y: Option<i32> = birth.get(0..4).and_then(|s| s.parse().ok());
    let m: u32 = birth.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    let d: u32 = birth.get(8..10).and_then(|s| s.parse().ok()).unwrap_or(1);
    let Some(y) = y else { return "unknown" };
    let mut age = as_of.0 - y;
    if (as_of.1, as_of.2) < (m, d) {
        age -= 1;
    }
    match age {
        i32::MIN..=-1 => "unknown",
        0..=64 => "<65",
        65..=69 => "65-69",
        70..=74 => "70-74",
        75..=79 => "75-79",
        80..=84 => "80-84",
        _ => "85+",
    }
}

fn min_ref(a: LineRef, b: LineRef) -> LineRef {
    a.min(b)
}

/// The statistics aggregation ([`Fold`] over the [`Projected`] path).
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Options.
    pub config: StatsConfig,
}

impl Stats {
    fn add_eob(&self, acc: &mut StatsAcc, eob: &Eob<'_>, at: LineRef) {
        let ti = claim_type_index(eob.claim_type.as_ref());
        let paid = eob_paid(eob, ti);
        if self.config.checks {
            if let Some(id) = eob.id.as_deref() {
                note_id(&mut acc.ids, 0, id, at);
            }
        }
        let t = &mut acc.types[ti];
        if is_superseded(eob.status.as_deref()) {
            t.superseded += 1;
            t.superseded_paid += paid;
            return;
        }
        t.claims += 1;
        t.lines += eob.item.count;
        t.paid += paid;
        for tot in &eob.total {
            if let Some(v) = tot.amount.as_ref().and_then(|m| m.value) {
                *bump(&mut t.totals, category_key(tot.category.as_ref())) += v;
            }
        }
        if let Some(v) = eob.total_cost.as_ref().and_then(|m| m.value) {
            *bump(&mut t.totals, "totalCost") += v;
        }
        for (cat, v) in &eob.item.adjudication {
            let key = cat.as_deref().map_or("unknown", last_segment);
            *bump(&mut t.adjudication, key) += *v;
            if key == PDE_DRUG_COST {
                t.drug_cost += *v;
            }
        }
        for (sys, code) in &eob.item.services {
            if &**sys == NDC_SYSTEM {
                *bump(&mut acc.ndcs, code) += 1;
            } else {
                *bump(&mut acc.procedures, code) += 1;
            }
        }
        let first_item_date = eob.item.first_date.as_deref();
        let start = eob
            .billable_period
            .as_ref()
            .and_then(|p| p.start.as_deref())
            .or(first_item_date);
        let end = eob
            .billable_period
            .as_ref()
            .and_then(|p| p.end.as_deref())
            .or(start);
        let t = &mut acc.types[ti];
        if let Some(s) = start {
            if t.first.as_deref().is_none_or(|f| s < f) {
                t.first = Some(s.to_string());
            }
        }
        if let Some(e) = end {
            if t.last.as_deref().is_none_or(|l| e > l) {
                t.last = Some(e.to_string());
            }
        }
        if let Some(m) = start.and_then(month_of) {
            let e = acc.months.entry(m).or_default();
            e.0 += 1;
            e.1 += paid;
        }
        for d in &eob.diagnosis {
            if let Some(code) = d.concept.as_ref().and_then(|cc| cc.code.as_deref()) {
                *bump(&mut acc.diagnoses, code) += 1;
            }
        }
        for npi in eob
            .care_team
            .iter()
            .filter_map(|c| c.provider.as_ref())
            .chain(eob.provider.as_ref())
            .filter_map(npi_of)
        {
            *bump(&mut acc.npis, npi) += 1;
        }
        if let Some(p) = patient_id(eob.patient.as_ref()) {
            let b = bump(&mut acc.benes, p);
            b.claims += 1;
            b.paid += paid;
            if self.config.checks {
                note_ref(&mut acc.refs, p, at);
            }
        }
    }

    fn add_patient(&self, acc: &mut StatsAcc, p: &Patient<'_>, at: LineRef) {
        *acc.sex
            .entry(p.gender.as_deref().unwrap_or("unknown").to_string())
            .or_default() += 1;
        let band = p
            .birth_date
            .as_deref()
            .map_or("unknown", |b| age_band(b, self.config.as_of));
        *acc.age_bands.entry(band.to_string()).or_default() += 1;
        let state = p
            .address
            .first()
            .and_then(|a| a.state.as_deref())
            .unwrap_or("unknown");
        *bump(&mut acc.states, state) += 1;
        if let Some(id) = p.id.as_deref() {
            let e = acc.patient_ids.entry_ref(id).or_insert((at, 0));
            e.0 = min_ref(e.0, at);
            e.1 += 1;
            if self.config.checks {
                note_id(&mut acc.ids, 1, id, at);
            }
        }
    }

    fn add_coverage(&self, acc: &mut StatsAcc, c: &Coverage<'_>, at: LineRef) {
        let plan = c
            .class
            .iter()
            .find(|k| k.class_type.as_ref().is_some_and(|t| t.code.is_some()))
            .and_then(|k| k.value.as_deref())
            .or_else(|| c.grouping.as_ref().and_then(|g| g.sub_plan.as_deref()));
        let part = match plan {
            Some(p) => p.strip_prefix("Part ").unwrap_or(p).to_string(),
            None => "unknown".to_string(),
        };
        *acc.parts.entry(part).or_default() += 1;
        // BFD's monthly entitlement: buyin01..buyin12 of the reference year rfrnc_yr ("0" = not
        // entitled); used for member-months when the Coverage has no period.
        let mut ref_year: Option<i32> = None;
        let mut entitled = [false; 12];
        for e in &c.extension {
            let Some(url) = e.url.as_deref() else {
                continue;
            };
            let name = last_segment(url);
            if name.starts_with("dual_") && name.len() == 7 {
                if let Some(code) = e.value_coding.as_ref().and_then(|v| v.code.as_deref()) {
                    *acc.dual.entry(code.to_string()).or_default() += 1;
                }
            } else if name == "rfrnc_yr" {
                ref_year = e
                    .value_date
                    .as_deref()
                    .and_then(|d| d.get(0..4))
                    .and_then(|y| y.parse().ok());
            } else if let Some(nn) = name.strip_prefix("buyin").filter(|n| n.len() == 2) {
                let code = e.value_coding.as_ref().and_then(|v| v.code.as_deref());
                if let (Ok(m @ 1..=12), Some(code)) = (nn.parse::<usize>(), code) {
                    entitled[m - 1] = code != "0";
                }
            }
        }
        if let Some(b) = patient_id(c.beneficiary.as_ref()) {
            let start = c
                .period
                .as_ref()
                .and_then(|p| p.start.as_deref())
                .and_then(month_of);
            if let Some(start) = start {
                let end = c
                    .period
                    .as_ref()
                    .and_then(|p| p.end.as_deref())
                    .and_then(month_of);
                bump(&mut acc.coverage_periods, b).push((start, end));
            } else if let Some(y) = ref_year {
                let periods = bump(&mut acc.coverage_periods, b);
                for (i, _) in entitled.iter().enumerate().filter(|(_, e)| **e) {
                    let m = y * 12 + i as i32;
                    periods.push((m, Some(m)));
                }
            }
            if self.config.checks {
                note_ref(&mut acc.refs, b, at);
            }
        }
        if self.config.checks {
            if let Some(id) = c.id.as_deref() {
                note_id(&mut acc.ids, 2, id, at);
            }
        }
    }
}

/// The paid amount of one EOB: `payment.amount`, or for a Part D event (which has none in BFD)
/// the sum of its items' plan-paid adjudications ([`PDE_PAID`]).
fn eob_paid(eob: &Eob<'_>, ti: usize) -> Amount {
    if ti == PDE {
        let mut paid = Amount::default();
        for (cat, v) in &eob.item.adjudication {
            if cat.as_deref().map(last_segment) == Some(PDE_PAID) {
                paid += *v;
            }
        }
        return paid;
    }
    eob.payment
        .as_ref()
        .and_then(|p| p.amount.as_ref())
        .and_then(|m| m.value)
        .unwrap_or_default()
}

fn note_ref(refs: &mut HashMap<Key, LineRef>, id: &str, at: LineRef) {
    match refs.get_mut(id) {
        Some(r) => *r = min_ref(*r, at),
        None => {
            refs.insert(Key::from(id), at);
        }
    }
}

fn note_id(ids: &mut HashMap<IdKey, Seen>, ty: u8, id: &str, at: LineRef) {
    let e = ids.entry((ty, Key::from(id))).or_insert((at, at, 0));
    merge_seen(e, (at, at, 1));
}

/// Keeps the two earliest locations and the count.
fn merge_seen(a: &mut Seen, b: Seen) {
    if a.2 == 0 {
        *a = b;
        return;
    }
    let mut v = [a.0, a.1, b.0, b.1];
    v.sort();
    let first = v[0];
    let second = v.iter().copied().find(|x| *x != first).unwrap_or(first);
    *a = (first, second, a.2 + b.2);
}

impl Fold<Projected> for Stats {
    type Acc = StatsAcc;

    fn init(&self) -> StatsAcc {
        StatsAcc {
            types: vec![TypeAcc::default(); CLAIM_TYPES.len()],
            ..StatsAcc::default()
        }
    }

    fn add(&self, acc: &mut StatsAcc, record: Resource<'_>, at: LineRef) {
        *bump(&mut acc.resources, record.resource_type()) += 1;
        match &record {
            Resource::Eob(e) => self.add_eob(acc, e, at),
            Resource::Patient(p) => self.add_patient(acc, p, at),
            Resource::Coverage(c) => self.add_coverage(acc, c, at),
            Resource::Other { .. } => {}
        }
    }

    fn merge(&self, acc: &mut StatsAcc, o: StatsAcc) {
        fn add_btree(a: &mut BTreeMap<String, u64>, b: BTreeMap<String, u64>) {
            for (k, v) in b {
                *a.entry(k).or_default() += v;
            }
        }
        let add = |a: &mut u64, b: u64| *a += b;
        let add_amount = |a: &mut Amount, b: Amount| *a += b;
        let StatsAcc {
            resources,
            types,
            months,
            benes,
            diagnoses,
            procedures,
            npis,
            ndcs,
            sex,
            age_bands,
            states,
            parts,
            dual,
            coverage_periods,
            patient_ids,
            refs,
            ids,
        } = acc;
        // The code counts and the per-id maps are the large ones (tens of thousands of keys
        // each): merge the two groups side by side on the engine's threads.
        rayon::join(
            || {
                merge_map(npis, o.npis, add);
                merge_map(diagnoses, o.diagnoses, add);
                merge_map(procedures, o.procedures, add);
                merge_map(ndcs, o.ndcs, add);
                merge_map(states, o.states, add);
            },
            || {
                merge_map(resources, o.resources, add);
                if types.len() < o.types.len() {
                    types.resize(o.types.len(), TypeAcc::default());
                }
                for (a, b) in types.iter_mut().zip(o.types) {
                    a.claims += b.claims;
                    a.superseded += b.superseded;
                    a.superseded_paid += b.superseded_paid;
                    a.drug_cost += b.drug_cost;
                    a.lines += b.lines;
                    a.paid += b.paid;
                    merge_map(&mut a.totals, b.totals, add_amount);
                    merge_map(&mut a.adjudication, b.adjudication, add_amount);
                    a.first = match (a.first.take(), b.first) {
                        (Some(x), Some(y)) => Some(x.min(y)),
                        (x, y) => x.or(y),
                    };
                    a.last = match (a.last.take(), b.last) {
                        (Some(x), Some(y)) => Some(x.max(y)),
                        (x, y) => x.or(y),
                    };
                }
                for (m, (c, p)) in o.months {
                    let e = months.entry(m).or_default();
                    e.0 += c;
                    e.1 += p;
                }
                merge_map(benes, o.benes, |a, b| {
                    a.claims += b.claims;
                    a.paid += b.paid;
                });
                add_btree(sex, o.sex);
                add_btree(age_bands, o.age_bands);
                add_btree(parts, o.parts);
                add_btree(dual, o.dual);
                // Member-months do not depend on the order of the periods.
                merge_map(coverage_periods, o.coverage_periods, |a, mut b| {
                    a.append(&mut b)
                });
                merge_map(patient_ids, o.patient_ids, |a, b| {
                    a.0 = min_ref(a.0, b.0);
                    a.1 += b.1;
                });
                merge_map(refs, o.refs, |a, b| *a = min_ref(*a, b));
                merge_map(ids, o.ids, merge_seen);
            },
        );
    }
}

/// Merges `b` into `a` with `f` (which must be commutative, as every merge of a [`Fold`] is):
/// walks the smaller map and inserts into the larger, so that folding a large accumulator
/// into a fresh one costs nothing.
fn merge_map<K: Eq + std::hash::Hash, V>(
    a: &mut HashMap<K, V>,
    mut b: HashMap<K, V>,
    f: impl Fn(&mut V, V),
) {
    if a.len() < b.len() {
        std::mem::swap(a, &mut b);
    }
    for (k, v) in b {
        match a.entry(k) {
            hashbrown::hash_map::Entry::Occupied(mut e) => f(e.get_mut(), v),
            hashbrown::hash_map::Entry::Vacant(e) => {
                e.insert(v);
            }
        }
    }
}

/// Statistics of one claim type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimTypeStats {
    /// `carrier`, `dme`, `hha`, `hospice`, `inpatient`, `outpatient`, `pde`, `snf` or `other`.
    pub claim_type: String,
    /// Number of final claim versions: EOBs whose `status` is not `cancelled` or
    /// `entered-in-error` (see [`is_superseded`]). Every other figure of this struct, and the
    /// months, beneficiaries and top lists, count final versions only.
    pub claims: u64,
    /// Number of superseded versions (EOBs with `status` `cancelled` or `entered-in-error`):
    /// earlier versions of adjusted claims, not counted in `claims` nor in `paid`.
    pub superseded: u64,
    /// Sum of the superseded versions' paid amounts (same basis as `paid`), not in `paid`.
    pub superseded_paid: String,
    /// Number of `item` lines.
    pub lines: u64,
    /// Sum of the paid amount of the final versions; which amount is in `paid_basis`.
    pub paid: String,
    /// Which amount `paid` sums: `payment.amount`, or for `pde` the plan-paid adjudication
    /// `cvrd_d_plan_pd_amt` (BFD's Part D events have no `payment.amount`).
    pub paid_basis: String,
    /// For `pde`, the sum of the total drug cost adjudication `tot_rx_cst_amt`; `None` for the
    /// other claim types.
    pub drug_cost: Option<String>,
    /// Sums of `total[].amount` by category (and STU3 `totalCost`).
    pub totals: BTreeMap<String, String>,
    /// Sums of `item[].adjudication[].amount` by category.
    pub adjudication: BTreeMap<String, String>,
    /// Earliest `billablePeriod.start`.
    pub first_service: Option<String>,
    /// Latest `billablePeriod.end`.
    pub last_service: Option<String>,
}

/// Claims and paid amount of one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthStats {
    /// `YYYY-MM` of `billablePeriod.start`.
    pub month: String,
    /// Number of EOBs.
    pub claims: u64,
    /// Sum of `payment.amount`.
    pub paid: String,
}

/// One beneficiary in the top-N.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BeneficiaryStats {
    /// Patient id (from `EOB.patient.reference`).
    pub patient: String,
    /// Number of EOBs.
    pub claims: u64,
    /// Sum of `payment.amount`.
    pub paid: String,
}

/// Per-beneficiary statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Beneficiaries {
    /// Beneficiaries with at least one EOB.
    pub with_claims: u64,
    /// Member-months: months within the claims window (first to last service month) covered by
    /// a Coverage `period` of the beneficiary (open end = to the window's end).
    pub member_months: u64,
    /// Total paid over all EOBs divided by member-months (`null` when there are none).
    pub paid_per_member_month: Option<String>,
    /// The costliest beneficiaries.
    pub top: Vec<BeneficiaryStats>,
}

/// A code and how often it occurred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeCount {
    /// The code.
    pub code: String,
    /// Occurrences.
    pub count: u64,
}

/// Top-N lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopCodes {
    /// ICD-10 codes in `diagnosis[].diagnosisCodeableConcept`.
    pub diagnoses: Vec<CodeCount>,
    /// HCPCS/CPT codes in `item[].productOrService` (STU3 `item[].service`).
    pub procedures: Vec<CodeCount>,
    /// NPIs in `careTeam[].provider` and `provider`.
    pub npis: Vec<CodeCount>,
    /// NDCs in `item[].productOrService` (Part D).
    pub ndcs: Vec<CodeCount>,
}

/// Patient demographics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Demographics {
    /// Number of Patient resources.
    pub patients: u64,
    /// By `gender`.
    pub sex: BTreeMap<String, u64>,
    /// By age band at the `as_of` date.
    pub age_bands: BTreeMap<String, u64>,
    /// By `address[0].state` (top-N).
    pub states: Vec<CodeCount>,
}

/// Coverage summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageStats {
    /// Number of Coverage resources.
    pub coverages: u64,
    /// By Medicare part (`A`, `B`, `C`, `D`), from `class` (plan) or STU3 `grouping.subPlan`.
    pub parts: BTreeMap<String, u64>,
    /// Monthly dual-eligibility codes (`dual_01`..`dual_12` extensions), counted per month entry.
    pub dual_status: BTreeMap<String, u64>,
}

/// Cross-file check results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checks {
    /// Distinct patient ids referenced by EOB/Coverage but absent from the export's Patients.
    pub dangling_patient_refs: u64,
    /// Resource ids seen more than once within a type.
    pub duplicate_ids: u64,
    /// Files whose resource count differs from the manifest's `count`.
    pub count_mismatches: u64,
}

/// Per-file summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileStats {
    /// Path.
    pub path: PathBuf,
    /// `ndjson`, `ndjson.gz` or `json`.
    pub format: String,
    /// Detected or manifest resource type.
    pub resource_type: Option<String>,
    /// Detected FHIR version (`STU3`/`R4`).
    pub fhir_version: Option<String>,
    /// Bytes read (decompressed).
    pub bytes: u64,
    /// Lines.
    pub lines: u64,
    /// Records.
    pub records: u64,
    /// Bad lines.
    pub bad_lines: u64,
}

/// Issue as serialised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssueOut {
    /// `error` or `warning`.
    pub severity: String,
    /// Kind (snake_case).
    pub kind: String,
    /// File.
    pub file: PathBuf,
    /// Line (1-based, 0 = whole file).
    pub line: u64,
    /// Column (1-based byte, 0 = none).
    pub column: u64,
    /// JSON path.
    pub json_path: Option<String>,
    /// Message.
    pub message: String,
}

/// Totals of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Files.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Lines.
    pub lines: u64,
    /// Records (resources, Bundle entries included).
    pub records: u64,
    /// Bad lines.
    pub bad_lines: u64,
    /// Blank lines.
    pub blank_lines: u64,
    /// CRLF lines.
    pub crlf_lines: u64,
    /// Superseded claim versions (EOBs with `status` `cancelled` or `entered-in-error`), not
    /// counted in the claim figures.
    pub superseded: u64,
    /// Error-severity issues.
    pub errors: u64,
    /// Warning-severity issues.
    pub warnings: u64,
    /// Records per resource type.
    pub resources: BTreeMap<String, u64>,
    /// Issues per kind.
    pub issues_by_kind: BTreeMap<String, u64>,
}

/// The full result of `bcda stats` (schema `bcda-stats/1`, documented in the README).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsReport {
    /// Always `bcda-stats/1`.
    pub schema: String,
    /// The stage-1 SIMD kernel of the fast lane (`avx512`, `avx2`, `sse42` or `portable`;
    /// see [`crate::scan::Kernel`]).
    pub simd_kernel: String,
    /// Totals.
    pub totals: Totals,
    /// Per file.
    pub files: Vec<FileStats>,
    /// Per claim type (all nine, in the order of [`CLAIM_TYPES`]).
    pub claim_types: Vec<ClaimTypeStats>,
    /// Per service month, ascending.
    pub months: Vec<MonthStats>,
    /// Per beneficiary.
    pub beneficiaries: Beneficiaries,
    /// Top-N codes.
    pub top: TopCodes,
    /// Demographics.
    pub patients: Demographics,
    /// Coverage.
    pub coverage: CoverageStats,
    /// Cross-file checks.
    pub checks: Checks,
    /// Issues (capped per file and kind; see `totals.issues_by_kind` for full counts).
    pub issues: Vec<IssueOut>,
}

impl StatsReport {
    /// Whether any error-severity issue was found (the CLI's exit status).
    pub fn has_errors(&self) -> bool {
        self.totals.errors > 0
    }

    /// Sum of `paid` over all claim types, as fixed-point.
    pub fn total_paid(&self) -> Amount {
        let mut a = Amount::default();
        for t in &self.claim_types {
            a += Amount::parse(t.paid.as_bytes()).unwrap_or_default();
        }
        a
    }
}

/// The `n` codes with the highest counts (ties: the smaller code first), in that order. One
/// pass with a heap of the `n` best so far: most codes are rejected by one integer compare.
fn top(m: &HashMap<Key, u64>, n: usize) -> Vec<CodeCount> {
    /// Orders by rank, the worse the greater: the heap's top is the worst code kept.
    #[derive(PartialEq, Eq)]
    struct Ranked<'m> {
        count: u64,
        code: &'m str,
    }
    impl Ord for Ranked<'_> {
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            o.count.cmp(&self.count).then(self.code.cmp(o.code))
        }
    }
    impl PartialOrd for Ranked<'_> {
        fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(o))
        }
    }
    if n == 0 {
        return Vec::new();
    }
    let mut best: BinaryHeap<Ranked<'_>> = BinaryHeap::with_capacity(n + 1);
    for (code, &count) in m {
        if best.len() == n {
            let worst = best.peek().map_or(0, |w| w.count);
            if count < worst {
                continue;
            }
        }
        best.push(Ranked { count, code });
        if best.len() > n {
            best.pop();
        }
    }
    best.into_sorted_vec()
        .into_iter()
        .map(|r| CodeCount {
            code: r.code.to_string(),
            count: r.count,
        })
        .collect()
}

fn sorted_amounts(m: &HashMap<Key, Amount>) -> BTreeMap<String, String> {
    m.iter()
        .map(|(k, v)| (k.to_string(), v.to_decimal_string()))
        .collect()
}

impl Stats {
    /// Runs the statistics over `inputs` on `engine` and builds the report (including the
    /// cross-file checks).
    pub fn run(
        &self,
        engine: &Engine,
        inputs: &Inputs,
        progress: Option<Progress<'_>>,
    ) -> StatsReport {
        self.run_with(engine, inputs, &Projected::default(), progress)
    }

    /// [`Stats::run`] with a chosen projected decoder (for example
    /// [`Projected::serde_only`], to compare the two lanes).
    pub fn run_with(
        &self,
        engine: &Engine,
        inputs: &Inputs,
        decoder: &Projected,
        progress: Option<Progress<'_>>,
    ) -> StatsReport {
        let out = engine.run(inputs, decoder, self, progress);
        self.report(inputs, out)
    }

    /// Builds the report from a finished run.
    pub fn report(&self, inputs: &Inputs, mut out: RunOutput<StatsAcc>) -> StatsReport {
        let acc = std::mem::take(&mut out.acc);
        let n = self.config.top_n;

        // Cross-file checks.
        let mut checks = Checks {
            dangling_patient_refs: 0,
            duplicate_ids: 0,
            count_mismatches: 0,
        };
        if self.config.checks {
            let have_patients = acc.resources.get("Patient").copied().unwrap_or(0) > 0;
            if have_patients {
                let mut dangling: Vec<(&Key, &LineRef)> = acc
                    .refs
                    .iter()
                    .filter(|(k, _)| !acc.patient_ids.contains_key(*k))
                    .collect();
                dangling.sort_by_key(|(k, r)| (**r, (*k).clone()));
                checks.dangling_patient_refs = dangling.len() as u64;
                let cap = 100;
                let extra = dangling.len().saturating_sub(cap) as u64;
                if extra > 0 {
                    *out.issue_counts
                        .entry(IssueKind::DanglingPatientRef)
                        .or_insert(0) += extra;
                }
                for (id, r) in dangling.into_iter().take(cap) {
                    let loc = out.locate(*r);
                    out.push_issue(Issue {
                        kind: IssueKind::DanglingPatientRef,
                        severity: Severity::Error,
                        file: loc.file,
                        line: loc.line,
                        column: 0,
                        json_path: None,
                        message: format!("Patient/{id} is referenced but not in the export"),
                    });
                }
            }
            let mut dups: Vec<(&IdKey, &Seen)> = acc.ids.iter().filter(|(_, v)| v.2 > 1).collect();
            dups.sort_by_key(|(k, v)| (v.1, (*k).clone()));
            checks.duplicate_ids = dups.len() as u64;
            let cap = 100;
            let extra = dups.len().saturating_sub(cap) as u64;
            if extra > 0 {
                *out.issue_counts.entry(IssueKind::DuplicateId).or_insert(0) += extra;
            }
            for ((ty, id), (first, second, count)) in dups.into_iter().take(cap) {
                let ty = ["ExplanationOfBenefit", "Patient", "Coverage"][*ty as usize];
                let f = out.locate(*first);
                let s = out.locate(*second);
                out.push_issue(Issue {
                    kind: IssueKind::DuplicateId,
                    severity: Severity::Error,
                    file: s.file,
                    line: s.line,
                    column: 0,
                    json_path: Some("id".into()),
                    message: format!(
                        "{ty}/{id} appears {count} times (first at {}:{})",
                        f.file.display(),
                        f.line
                    ),
                });
            }
            for (i, f) in inputs.files.iter().enumerate() {
                if let Some(expected) = f.manifest_count {
                    let got = out.files[i].records;
                    if got != expected {
                        checks.count_mismatches += 1;
                        out.push_issue(Issue {
                            kind: IssueKind::CountMismatch,
                            severity: Severity::Error,
                            file: f.path.clone(),
                            line: 0,
                            column: 0,
                            json_path: None,
                            message: format!(
                                "manifest count is {expected} but the file holds {got} resources"
                            ),
                        });
                    }
                }
            }
        }

        // Claim types.
        let claim_types = acc
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| ClaimTypeStats {
                claim_type: CLAIM_TYPES[i].to_string(),
                claims: t.claims,
                superseded: t.superseded,
                superseded_paid: t.superseded_paid.to_decimal_string(),
                lines: t.lines,
                paid: t.paid.to_decimal_string(),
                paid_basis: paid_basis(CLAIM_TYPES[i]).to_string(),
                drug_cost: (i == PDE).then(|| t.drug_cost.to_decimal_string()),
                totals: sorted_amounts(&t.totals),
                adjudication: sorted_amounts(&t.adjudication),
                first_service: t.first.clone(),
                last_service: t.last.clone(),
            })
            .collect();
        let months: Vec<MonthStats> = acc
            .months
            .iter()
            .map(|(m, (c, p))| MonthStats {
                month: month_label(*m),
                claims: *c,
                paid: p.to_decimal_string(),
            })
            .collect();

        // Beneficiaries and member-months over the claims window.
        let mut benes: Vec<(&Key, &BeneAcc)> = acc.benes.iter().collect();
        benes.sort_by(|a, b| {
            b.1.paid
                .cmp(&a.1.paid)
                .then(b.1.claims.cmp(&a.1.claims))
                .then(a.0.cmp(b.0))
        });
        let total_paid = acc.types.iter().fold(Amount::default(), |mut s, t| {
            s += t.paid;
            s
        });
        let window = (
            acc.months.keys().next().copied(),
            acc.months.keys().next_back().copied(),
        );
        let mut member_months = 0u64;
        if let (Some(lo), Some(hi)) = window {
            for periods in acc.coverage_periods.values() {
                let mut covered = vec![false; (hi - lo + 1) as usize];
                for &(s, e) in periods {
                    let s = s.max(lo);
                    let e = e.unwrap_or(hi).min(hi);
                    for m in s..=e {
                        covered[(m - lo) as usize] = true;
                    }
                }
                member_months += covered.iter().filter(|c| **c).count() as u64;
            }
        }
        let paid_per_member_month = (member_months > 0).then(|| {
            let per = total_paid.0 / i128::from(member_months);
            Amount(per).to_decimal_string()
        });
        let beneficiaries = Beneficiaries {
            with_claims: acc.benes.len() as u64,
            member_months,
            paid_per_member_month,
            top: benes
                .into_iter()
                .take(n)
                .map(|(k, b)| BeneficiaryStats {
                    patient: k.to_string(),
                    claims: b.claims,
                    paid: b.paid.to_decimal_string(),
                })
                .collect(),
        };

        let topc = TopCodes {
            diagnoses: top(&acc.diagnoses, n),
            procedures: top(&acc.procedures, n),
            npis: top(&acc.npis, n),
            ndcs: top(&acc.ndcs, n),
        };
        let patients = Demographics {
            patients: acc.resources.get("Patient").copied().unwrap_or(0),
            sex: acc.sex.clone(),
            age_bands: acc.age_bands.clone(),
            states: top(&acc.states, n),
        };
        let coverage = CoverageStats {
            coverages: acc.resources.get("Coverage").copied().unwrap_or(0),
            parts: acc.parts.clone(),
            dual_status: acc.dual.clone(),
        };

        let t = out.totals();
        let errors = out.error_count();
        let warnings: u64 = out
            .issue_counts
            .iter()
            .filter(|(k, _)| k.severity() == Severity::Warning)
            .map(|(_, n)| n)
            .sum();
        let totals = Totals {
            files: inputs.files.len() as u64,
            bytes: t.bytes,
            lines: t.lines,
            records: t.records,
            bad_lines: t.bad_lines,
            blank_lines: t.blank_lines,
            crlf_lines: t.crlf_lines,
            superseded: acc.types.iter().map(|t| t.superseded).sum(),
            errors,
            warnings,
            resources: acc
                .resources
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            issues_by_kind: out
                .issue_counts
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), *v))
                .collect(),
        };
        let files = inputs
            .files
            .iter()
            .zip(&out.files)
            .map(|(f, t)| FileStats {
                path: f.path.clone(),
                format: f.format.as_str().to_string(),
                resource_type: f.resource_type.clone(),
                fhir_version: f.fhir_version.map(|v| v.as_str().to_string()),
                bytes: t.bytes,
                lines: t.lines,
                records: t.records,
                bad_lines: t.bad_lines,
            })
            .collect();
        let mut issues = out.issues.clone();
        issues.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.kind).cmp(&(&b.file, b.line, b.column, b.kind))
        });
        let issues = issues
            .into_iter()
            .map(|i| IssueOut {
                severity: i.severity.as_str().to_string(),
                kind: i.kind.as_str().to_string(),
                file: i.file,
                line: i.line,
                column: i.column,
                json_path: i.json_path,
                message: i.message,
            })
            .collect();
        StatsReport {
            schema: "bcda-stats/1".into(),
            simd_kernel: crate::scan::Kernel::active().name().into(),
            totals,
            files,
            claim_types,
            months,
            beneficiaries,
            top: topc,
            patients,
            coverage,
            checks,
            issues,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_keeps_the_highest_counts_and_breaks_ties_by_code() {
        let mut m: HashMap<Key, u64> = HashMap::default();
        for (code, count) in [("d", 5), ("a", 1), ("c", 5), ("b", 7), ("e", 1), ("f", 5)] {
            m.insert(Key::from(code), count);
        }
        let got = |n| -> Vec<(String, u64)> {
            top(&m, n).into_iter().map(|c| (c.code, c.count)).collect()
        };
        let all = [("b", 7), ("c", 5), ("d", 5), ("f", 5), ("a", 1), ("e", 1)]
            .map(|(c, n)| (c.to_string(), n));
        for n in 0..=7 {
            assert_eq!(got(n), all[..n.min(all.len())].to_vec(), "n = {n}");
        }
    }
}
