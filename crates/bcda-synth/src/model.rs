//! The internal model: beneficiaries, coverage facts and claims, derived from seeds.
//!
//! Everything about beneficiary `i` comes from `Rng::new(seed, i, stream)`, so any beneficiary
//! (and any of its claims) is generated without generating the others.

use crate::calibration::Scale;
use crate::date::{civil_from_days, days_from_civil, year_of};
use crate::ids::{mbi_from_number, npi_from_number};
use crate::rng::{fnv1a, mix, Rng};
use crate::tables::{self, Cd, CONDITIONS};
use crate::Flavour;

/// Sex as recorded by Medicare enrollment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    /// Female (BFD `sex_ident_cd` 2).
    Female,
    /// Male (BFD `sex_ident_cd` 1).
    Male,
}

/// Why the beneficiary is entitled to Medicare (BFD `orec`/`crec`, `ms_cd`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entitlement {
    /// Old age and survivors insurance (65+).
    Aged,
    /// Disability insurance benefits (under 65).
    Disabled,
    /// End-stage renal disease.
    Esrd,
}

/// One synthetic beneficiary (the facts behind Patient and Coverage).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Beneficiary {
    /// Index within the ACO's universe.
    pub index: u32,
    /// Medicare Beneficiary Identifier (11 characters, CMS format).
    pub mbi: String,
    /// BFD beneficiary id (negative, as in the sandbox).
    pub bene_id: i64,
    /// Given name.
    pub given_name: &'static str,
    /// Middle initial.
    pub middle_initial: char,
    /// Family name.
    pub family_name: &'static str,
    /// Birth date, days since 1970-01-01.
    pub birth_date: i32,
    /// Sex.
    pub sex: Sex,
    /// BFD race code: 1 white, 2 black, 4 asian, 5 hispanic, 6 north american native.
    pub race_code: u8,
    /// State postal code.
    pub state: &'static str,
    /// SSA state code.
    pub state_ssa: &'static str,
    /// County name.
    pub county: &'static str,
    /// City.
    pub city: &'static str,
    /// Street line.
    pub line: String,
    /// 5-digit ZIP code.
    pub zip: String,
    /// Entitlement reason.
    pub entitlement: Entitlement,
    /// Part A coverage start (days since epoch); Part A has no end.
    pub part_a_start: i32,
    /// Part B coverage start.
    pub part_b_start: i32,
    /// Part C (Medicare Advantage) period, always ended before the claims history starts.
    pub part_c: Option<(i32, i32)>,
    /// Part D coverage start, if enrolled.
    pub part_d_start: Option<i32>,
    /// Medicare-Medicaid dual status code (`NA` = not dual, `02` QMB+, `04` SLMB+, `08` other full dual).
    pub dual_status: &'static str,
    /// Bit `i` set = has `CONDITIONS[i]`.
    pub conditions: u32,
    /// `meta.lastUpdated` of Patient and Coverage (unix seconds).
    pub last_updated: i64,
    /// Date of death (days since 1970-01-01), if the beneficiary died during the claims
    /// history (realistic scale only): Patient `deceasedDateTime`; claims and coverage stop.
    pub death_date: Option<i32>,
}

impl Beneficiary {
    /// The names of the beneficiary's chronic conditions.
    pub fn condition_names(&self) -> Vec<&'static str> {
        CONDITIONS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.conditions & (1 << i) != 0)
            .map(|(_, c)| c.name)
            .collect()
    }
    /// Age in whole years on a day.
    pub fn age_on(&self, day: i32) -> i32 {
        let (by, bm, bd) = civil_from_days(self.birth_date);
        let (y, m, d) = civil_from_days(day);
        y - by - i32::from((m, d) < (bm, bd))
    }
}

/// The eight BFD claim types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClaimType {
    /// Part B professional (physician/supplier).
    Carrier,
    /// Part B durable medical equipment.
    Dme,
    /// Part A home health.
    Hha,
    /// Part A hospice.
    Hospice,
    /// Part A inpatient hospital.
    Inpatient,
    /// Part B institutional outpatient.
    Outpatient,
    /// Part D prescription drug event.
    Pde,
    /// Part A skilled nursing facility.
    Snf,
}

impl ClaimType {
    /// All types, in BFD's order.
    pub const ALL: [ClaimType; 8] = [
        ClaimType::Carrier,
        ClaimType::Dme,
        ClaimType::Hha,
        ClaimType::Hospice,
        ClaimType::Inpatient,
        ClaimType::Outpatient,
        ClaimType::Pde,
        ClaimType::Snf,
    ];
    /// The EOB id prefix (`carrier`, `dme`, ...).
    pub fn id_prefix(self) -> &'static str {
        match self {
            ClaimType::Carrier => "carrier",
            ClaimType::Dme => "dme",
            ClaimType::Hha => "hha",
            ClaimType::Hospice => "hospice",
            ClaimType::Inpatient => "inpatient",
            ClaimType::Outpatient => "outpatient",
            ClaimType::Pde => "pde",
            ClaimType::Snf => "snf",
        }
    }
    /// Claims per beneficiary-year in the simple flavour. Roughly a fifth of real FFS
    /// utilization so exports stay small; relative sizes follow MedPAC's Data Book (2023),
    /// "Medicare spending and utilization" (carrier and Part D events dominate, hospice rare).
    fn rate_per_mille(self) -> u32 {
        match self {
            ClaimType::Carrier => 2_000,
            ClaimType::Dme => 200,
            ClaimType::Hha => 60,
            ClaimType::Hospice => 25,
            ClaimType::Inpatient => 120,
            ClaimType::Outpatient => 600,
            ClaimType::Pde => 2_000,
            ClaimType::Snf => 40,
        }
    }
    fn tag(self) -> u64 {
        self as u64 + 1
    }
}

/// One claim line.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    pub code: &'static str,
    pub desc: &'static str,
    pub betos: &'static str,
    pub rev: Cd,
    pub tos: &'static str,
    pub units: i64,
    pub charge: i64,
    pub allowed: i64,
    pub paid: i64,
    pub deductible: i64,
    pub coinsurance: i64,
    pub from: i32,
    pub thru: i32,
    pub pos: usize,
    pub dx: usize,
}

/// One claim of any type, in one shape that both serializers read.
#[derive(Clone, Debug)]
pub(crate) struct Claim {
    pub ct: ClaimType,
    pub id: i64,
    pub group: i64,
    pub from: i32,
    pub thru: i32,
    pub processed: i32,
    pub last_updated: i64,
    pub dx: Vec<Cd>,
    pub ext_causes: Vec<Cd>,
    pub pcs: Vec<(Cd, i32)>,
    pub lines: Vec<Line>,
    pub org_npi: u64,
    pub attending_npi: u64,
    pub operating_npi: u64,
    pub rendering_npi: u64,
    pub referring_npi: u64,
    pub specialty: usize,
    pub facility: &'static str,
    pub provider_num: String,
    pub state: usize,
    pub drg: Cd,
    pub bill_type: [u8; 3],
    pub control_num: u64,
    pub charge: i64,
    pub allowed: i64,
    pub paid: i64,
    pub deductible: i64,
    pub coinsurance: i64,
    pub days: i64,
    pub discharge: &'static str,
    pub pde: Option<Pde>,
    /// `active`, or `cancelled` for a version superseded by an adjustment.
    pub status: &'static str,
}

/// Part D event facts.
#[derive(Clone, Debug)]
pub(crate) struct Pde {
    pub ndc: Cd,
    pub quantity_milli: i64,
    pub days_supply: i64,
    pub fill_num: i64,
    pub pharmacy_npi: u64,
    pub prescriber_npi: u64,
    pub plan_contract: String,
    pub rx_num: u64,
    pub patient_pay: i64,
    pub plan_paid: i64,
    pub lics: i64,
    pub total: i64,
}

/// The per-data-set context: seed, reference time, flavour.
#[derive(Clone, Debug)]
pub(crate) struct Ctx {
    pub seed: u64,
    pub slot: u64,
    pub reference: i64,
    pub ref_day: i32,
    pub hist_start: i32,
    pub flavour: Flavour,
    /// Utilization scale.
    pub scale: Scale,
    /// Beneficiaries of the ACO (sizes its clinician pool).
    pub aco_size: u32,
}

/// Days of claims history: two years before the reference.
pub(crate) const HISTORY_DAYS: i32 = 730;
/// BCDA documents that claims processed before 2020-02-12 carry lastUpdated 2020-01-01.
const LAST_UPDATED_FLOOR_DAY: i32 = 18_303; // 2020-02-12
const LAST_UPDATED_LEGACY: i64 = 18_262 * 86_400; // 2020-01-01T00:00:00Z

impl Ctx {
    pub(crate) fn new(cms_id: &str, flavour: Flavour, reference: i64) -> Self {
        let seed = fnv1a(cms_id.as_bytes());
        let ref_day = crate::date::day_of_unix(reference);
        Ctx {
            seed,
            slot: mix(seed) % 1_000_000,
            reference,
            ref_day,
            hist_start: ref_day - HISTORY_DAYS,
            flavour,
            scale: Scale::Light,
            aco_size: 0,
        }
    }

    /// A processing timestamp on `day` (business hours), clamped before the reference,
    /// with BCDA's legacy 2020-01-01 rule.
    fn stamp(&self, day: i32, rng: &mut Rng) -> i64 {
        if day < LAST_UPDATED_FLOOR_DAY {
            return LAST_UPDATED_LEGACY.min(self.reference - 3600);
        }
        let t = day as i64 * 86_400 + rng.range(8 * 3600, 20 * 3600);
        t.min(self.reference - 3600)
    }

    fn beneficiary_base(&self, index: u32) -> Beneficiary {
        let mut r = Rng::new(self.seed, index as u64, 0);
        // Affine bijection on 0..1e6 so consecutive indexes do not give consecutive MBIs.
        let perm = (index as u64 % 1_000_000 * 611_953 + 12_345) % 1_000_000;
        let mbi = mbi_from_number(self.slot * 1_000_000 + perm + (index as u64 / 1_000_000) * 7);
        let bene_id = -(10_000_000_000_000 + (self.slot * 1_000_000 + index as u64) as i64);
        // Sex: 54% female. Source: KFF, "Medicare beneficiaries by sex", 2021.
        let sex = if r.chance(540) {
            Sex::Female
        } else {
            Sex::Male
        };
        // Entitlement: 86% aged, 13% disabled, 1% ESRD. Source: CMS Fast Facts 2023
        // (aged vs disabled enrollment) and USRDS 2022 (ESRD share of Medicare).
        let entitlement = match r.below(1000) {
            0..=859 => Entitlement::Aged,
            860..=989 => Entitlement::Disabled,
            _ => Entitlement::Esrd,
        };
        let age_years = match entitlement {
            // Ages 65-99, weighted toward the young-old: CMS Fast Facts age bands
            // (65-74 ~ 54%, 75-84 ~ 32%, 85+ ~ 14% of aged enrollees).
            Entitlement::Aged => match r.weighted(&[54, 32, 14]) {
                0 => r.range(65, 74),
                1 => r.range(75, 84),
                _ => r.range(85, 99),
            },
            _ => r.range(30, 64),
        } as i32;
        let birth_date = self.ref_day - age_years * 365 - r.range(0, 364) as i32;
        let (by, bm, _) = civil_from_days(birth_date);
        // Race: White 76%, Black 10%, Hispanic 8%, Asian 5%, Native 1%.
        // Source: CMS MCBS 2021 "Characteristics of Medicare beneficiaries" (race/ethnicity).
        let race_code = [1u8, 2, 5, 4, 6][r.weighted(&[760, 100, 80, 50, 10])];
        let state = &tables::STATES
            [r.weighted(&tables::STATES.iter().map(|s| s.weight).collect::<Vec<_>>())];
        let given_name = if sex == Sex::Female {
            *r.pick(tables::FIRST_F)
        } else {
            *r.pick(tables::FIRST_M)
        };
        let middle_initial = (b'A' + r.below(26) as u8) as char;
        let family_name = *r.pick(tables::SURNAMES);
        let street = if r.chance(10) {
            r.pick(tables::DIRTY_STREETS)
        } else {
            r.pick(tables::STREETS)
        };
        let line = format!("{} {}", r.range(1, 9999), street);
        let zip = format!("{}{:02}", state.zip3, r.below(100));
        // Medicare starts on the first of the month of the 65th birthday (aged), or after the
        // 24-month disability waiting period (disabled), or 3 months after dialysis (ESRD).
        let part_a_start = match entitlement {
            Entitlement::Aged => days_from_civil(by + 65, bm, 1),
            _ => {
                let earliest = birth_date + 26 * 365;
                (self.ref_day - r.range(400, 5000) as i32).max(earliest)
            }
        };
        // 95% take Part B at once (CMS enrollment data: ~93% of Part A enrollees have Part B).
        let part_b_start = if r.chance(950) {
            part_a_start
        } else {
            first_of_month(part_a_start + r.range(365, 1100) as i32)
        };
        // Part D: 77% of Medicare enrollees. Source: KFF, "An Overview of the Medicare Part D
        // Prescription Drug Benefit", 2023 (51 of 66 million).
        let part_d_start = r.chance(770).then(|| {
            first_of_month(part_a_start.max(days_from_civil(2006, 1, 1)) + r.range(0, 400) as i32)
        });
        // Part C: 12% of these (now FFS) beneficiaries had an earlier Medicare Advantage spell.
        let part_c = r.chance(120).then(|| {
            let end = first_of_month(self.hist_start - r.range(30, 700) as i32) - 1;
            let start = first_of_month((end - r.range(365, 1500) as i32).max(part_a_start));
            (start, end.max(start + 27))
        });
        // Dual eligible: 19% of Medicare enrollees. Source: MedPAC/MACPAC "Data Book:
        // Beneficiaries Dually Eligible for Medicare and Medicaid", 2023.
        // (16.5% in the CMS Geographic Variation PUF 2022 national row: the calibration table.)
        let dual_status = if r.chance(165) {
            *r.pick(&["02", "04", "08"])
        } else {
            "NA"
        };
        let conditions = match self.flavour {
            // Simple: one or two conditions drawn uniformly.
            Flavour::Simple => {
                let a = r.below(CONDITIONS.len() as u64);
                let b = r.below(CONDITIONS.len() as u64);
                (1u32 << a) | if r.chance(500) { 1 << b } else { 0 }
            }
            // Advanced: independent draws at CCW prevalence, older people sicker.
            Flavour::Advanced => {
                let boost = if age_years >= 80 { 1300 } else { 1000 };
                let mut m = 0u32;
                for (i, c) in CONDITIONS.iter().enumerate() {
                    if r.chance((c.per_mille * boost / 1000).min(950)) {
                        m |= 1 << i;
                    }
                }
                m
            }
        };
        let last_updated = self.stamp(self.ref_day - r.range(1, 600) as i32, &mut r);
        Beneficiary {
            index,
            mbi,
            bene_id,
            given_name,
            middle_initial,
            family_name,
            birth_date,
            sex,
            race_code,
            state: state.abbr,
            state_ssa: state.ssa,
            county: state.county,
            city: state.city,
            line,
            zip,
            entitlement,
            part_a_start,
            part_b_start,
            part_c,
            part_d_start,
            dual_status,
            conditions,
            last_updated,
            death_date: None,
        }
    }

    /// The beneficiary at `index` with what the scale adds: at the realistic scale, chronic
    /// conditions at their Medicare prevalence and the date of death.
    pub(crate) fn beneficiary(&self, index: u32) -> Beneficiary {
        let mut b = self.beneficiary_base(index);
        if self.realistic() {
            b.conditions = self.realistic_conditions(&b);
            b.death_date = self.death_date(&b);
        }
        b
    }

    /// The last day a claim of the beneficiary may start: a month before the reference
    /// (claims need a month to reach BFD), or the day of death.
    pub(crate) fn service_end(&self, b: &Beneficiary) -> i32 {
        let last = self.ref_day - 35;
        b.death_date.map_or(last, |d| d.min(last))
    }

    /// The first day claims of a type may have: coverage start, not before the history window.
    pub(crate) fn claims_start(&self, b: &Beneficiary, ct: ClaimType) -> Option<i32> {
        let cov = match ct {
            ClaimType::Carrier | ClaimType::Dme | ClaimType::Outpatient => b.part_b_start,
            ClaimType::Pde => b.part_d_start?,
            _ => b.part_a_start,
        };
        let start = cov.max(self.hist_start);
        (start < (self.ref_day - 40).min(self.service_end(b))).then_some(start)
    }

    /// How many claims of a type the beneficiary has.
    pub(crate) fn claim_count(&self, b: &Beneficiary, ct: ClaimType) -> u32 {
        if self.realistic() {
            return self.realistic_count(b, ct);
        }
        let Some(start) = self.claims_start(b, ct) else {
            return 0;
        };
        let mut r = Rng::new(self.seed, b.index as u64, 100 + ct.tag());
        let years_milli = ((self.ref_day - 40 - start) as u64 * 1000 / 365) as u32;
        let mut rate = ct.rate_per_mille();
        if self.flavour == Flavour::Advanced {
            let n = b.conditions.count_ones();
            rate = rate * (1 + n) / 2;
            if ct == ClaimType::Hospice && b.age_on(self.ref_day) < 80 {
                rate /= 4;
            }
        }
        let expected = rate as u64 * years_milli as u64 / 1000; // in thousandths of a claim
        let mut n = (expected / 1000) as u32;
        if r.below(1000) < expected % 1000 {
            n += 1;
        }
        if self.flavour == Flavour::Simple && n > 0 {
            // Uniform spread around the mean: n in [n/2, 3n/2].
            n = n / 2 + r.below(n as u64 + 1) as u32;
        }
        // Every beneficiary has at least one claim of the type picked by its index, so even
        // the smallest ACO carries all eight types.
        if ClaimType::ALL[b.index as usize % 8] == ct {
            n = n.max(1);
        }
        n.min(60)
    }

    /// Generates claim `k` of a type for a beneficiary.
    /// Generates claim `k` of a type for a beneficiary; `plan` is the type's schedule at the
    /// realistic scale ([`Ctx::plan`]), `None` at the light scale.
    pub(crate) fn claim(
        &self,
        b: &Beneficiary,
        ct: ClaimType,
        k: u32,
        plan: Option<&crate::realistic::Plan>,
    ) -> Claim {
        let mut r = Rng::new(
            self.seed,
            b.index as u64,
            (1000 + ct.tag()) << 16 | k as u64,
        );
        let start = self.claims_start(b, ct).unwrap_or(self.hist_start);
        let last = self.service_end(b);
        let mut from = start + r.below((last - start).max(1) as u64) as i32;
        let fill = plan.and_then(|p| p.fill(k));
        let dates = plan.and_then(|p| self.realistic_dates(b, ct, k, p));
        if let Some((day, _)) = dates {
            from = day;
        }
        if let Some(f) = &fill {
            from = f.day;
        }
        let state = tables::STATES
            .iter()
            .position(|s| s.abbr == b.state)
            .unwrap_or(0);
        let (dx, lead) = self.diagnoses(b, &mut r);
        let n = (self.slot * 1_000_000 + b.index as u64) * 8 + ct as u64;
        let id = if self.realistic() {
            // 12 bits of claim index, 2 of version (superseded versions: id + 1, id + 2).
            -(1_000_000_000_000_000 + ((n * 4096 + k as u64) * 4) as i64)
        } else {
            -(1_000_000_000_000_000 + (n * 64 + k as u64 % 64) as i64)
        };
        let spec_i = r.below(tables::SPECIALTIES.len() as u64) as usize;
        let mut c = Claim {
            ct,
            id,
            group: if self.realistic() {
                (mix(n * 4096 + k as u64) % 9_000_000_000) as i64 + 1_000_000_000
            } else {
                (mix(n ^ k as u64) % 900_000_000) as i64 + 100_000_000
            },
            from,
            thru: from,
            processed: from,
            last_updated: 0,
            dx,
            ext_causes: Vec::new(),
            pcs: Vec::new(),
            lines: Vec::new(),
            org_npi: npi_from_number(r.next_u64()),
            attending_npi: npi_from_number(r.next_u64()),
            operating_npi: npi_from_number(r.next_u64()),
            rendering_npi: npi_from_number(r.next_u64()),
            referring_npi: npi_from_number(r.next_u64()),
            specialty: spec_i,
            facility: tables::FACILITIES[r.below(tables::FACILITIES.len() as u64) as usize],
            provider_num: format!("{}{:04}", tables::STATES[state].ssa, r.below(10_000)),
            state,
            drg: lead.drg,
            bill_type: [b'1', b'1', b'1'],
            control_num: r.next_u64() % 100_000_000_000_000,
            charge: 0,
            allowed: 0,
            paid: 0,
            deductible: 0,
            coinsurance: 0,
            days: 0,
            discharge: "01",
            pde: None,
            status: "active",
        };
        match ct {
            ClaimType::Carrier => carrier_lines(&mut c, &mut r, from),
            ClaimType::Dme => dme_lines(&mut c, &mut r, from),
            ClaimType::Pde => pde_event(b, &mut c, &mut r, lead, fill),
            _ => {
                self.institutional_lines(&mut c, &mut r, dates, last);
                institutional_codes(&mut c, &mut r);
                c.discharge = discharge(ct, &mut r);
                if self.realistic() {
                    c.discharge = self.realistic_discharge(b, &c);
                }
            }
        }
        if self.realistic() && c.pde.is_none() {
            self.calibrate_payment(&mut c, &mut r);
            self.concentrate_providers(b, &mut c, &mut r);
        }
        if self.realistic() && ct == ClaimType::Inpatient {
            self.admission(b, k, &mut c);
        }
        if c.pde.is_none() {
            c.charge = c.lines.iter().map(|l| l.charge).sum();
            c.allowed = c.lines.iter().map(|l| l.allowed).sum();
            c.paid = c.lines.iter().map(|l| l.paid).sum();
            c.deductible = c.lines.iter().map(|l| l.deductible).sum();
            c.coinsurance = c.lines.iter().map(|l| l.coinsurance).sum();
        }
        // Processing: weekly NCH processing date 1-4 weeks after the service, then BFD load.
        c.processed = (c.thru + r.range(7, 28) as i32).min(self.ref_day - 1);
        c.last_updated = self.stamp(
            (c.processed + r.range(1, 7) as i32).min(self.ref_day),
            &mut r,
        );
        c
    }

    /// A claim's diagnoses: the beneficiary's chronic conditions first (led by a random one,
    /// whose condition is returned), then an acute one.
    fn diagnoses(&self, b: &Beneficiary, r: &mut Rng) -> (Vec<Cd>, &'static tables::Condition) {
        let mut dx: Vec<Cd> = Vec::with_capacity(6);
        let mut conds: Vec<&tables::Condition> = CONDITIONS
            .iter()
            .enumerate()
            .filter(|(i, _)| b.conditions & (1 << i) != 0)
            .map(|(_, c)| c)
            .collect();
        if conds.is_empty() {
            conds.push(&CONDITIONS[0]);
        }
        let lead = conds[r.below(conds.len() as u64) as usize];
        dx.push(*r.pick(lead.dx));
        for c in &conds {
            if dx.len() >= 4 {
                break;
            }
            let d = c.dx[0];
            if !dx.contains(&d) {
                dx.push(d);
            }
        }
        let acute = *r.pick(tables::ACUTE_DX);
        if !dx.contains(&acute) {
            dx.push(acute);
        }
        (dx, lead)
    }

    /// An institutional claim's stay (length, bill type) and revenue lines.
    fn institutional_lines(
        &self,
        c: &mut Claim,
        r: &mut Rng,
        dates: Option<(i32, Option<i64>)>,
        last: i32,
    ) {
        let (ct, from) = (c.ct, c.from);
        // Institutional: stay length, revenue lines, bill type.
        let (los, main_rev, per_day, bt): (i64, Cd, i64, [u8; 3]) = match ct {
            ClaimType::Inpatient => (r.range(2, 9), tables::ROOM_BOARD, 250_000, *b"111"),
            ClaimType::Snf => (r.range(7, 30), tables::SNF_REV, 60_000, *b"211"),
            ClaimType::Hha => (r.range(14, 60), tables::HHA_REV, 20_000, *b"321"),
            ClaimType::Hospice => (r.range(10, 30), tables::HOSPICE_REV, 21_000, *b"811"),
            _ => (0, ("0510", "Clinic - general"), 0, *b"131"),
        };
        c.bill_type = bt;
        let los = dates.and_then(|(_, l)| l).unwrap_or(los);
        c.thru = (from + los as i32).min(last);
        c.days = (c.thru - c.from) as i64;
        if per_day > 0 {
            let units = if ct == ClaimType::Hha {
                (los / 3).max(1)
            } else {
                c.days.max(1)
            };
            let mut l = prof_line(
                r,
                "",
                main_rev.1,
                "",
                per_day * units,
                units,
                c.from,
                c.thru,
                2,
                0,
            );
            l.rev = main_rev;
            c.lines.push(l);
        }
        let extra = match ct {
            ClaimType::Outpatient => 1 + r.below(4),
            ClaimType::Inpatient => 2 + r.below(3),
            _ => r.below(3),
        };
        for li in 0..extra as usize {
            let (rev, rdesc, hcpcs, price) = *r.pick(tables::REVENUE);
            let day = c.from + r.below((c.thru - c.from + 1) as u64) as i32;
            let mut l = prof_line(
                r,
                hcpcs,
                rdesc,
                "",
                price,
                1,
                day,
                day,
                2,
                (li + 1) % c.dx.len(),
            );
            l.rev = (rev, rdesc);
            c.lines.push(l);
        }
    }
}

/// A carrier claim's lines: 1-4 professional services.
fn carrier_lines(c: &mut Claim, r: &mut Rng, from: i32) {
    let nl = 1 + r.below(4) as usize;
    for li in 0..nl {
        let (code, desc, betos, price) = *r.pick(tables::PROF_SERVICES);
        let pos = r.weighted(&tables::POS.iter().map(|p| p.2).collect::<Vec<_>>());
        c.lines.push(prof_line(
            r,
            code,
            desc,
            betos,
            price,
            1,
            from,
            from,
            pos,
            li % c.dx.len(),
        ));
    }
}

/// A DME claim's lines: 1-3 items.
fn dme_lines(c: &mut Claim, r: &mut Rng, from: i32) {
    let nl = 1 + r.below(3) as usize;
    for li in 0..nl {
        let (code, desc, betos, price, tos) = *r.pick(tables::DME_ITEMS);
        let units = r.range(1, 3);
        let mut l = prof_line(
            r,
            code,
            desc,
            betos,
            price * units,
            units,
            from,
            from,
            6,
            li % c.dx.len(),
        );
        l.tos = tos;
        c.lines.push(l);
    }
}

/// A Part D event: the drug of the refill schedule (realistic scale) or of the lead
/// condition, its cost split between the plan, the beneficiary and the low-income subsidy.
fn pde_event(
    b: &Beneficiary,
    c: &mut Claim,
    r: &mut Rng,
    lead: &tables::Condition,
    fill: Option<crate::realistic::Fill>,
) {
    let mut drug = lead.drug;
    let mut days_supply = *r.pick(&[30, 30, 90]);
    let per_day = r.range(1, 2);
    let mut ingredient = r.range(500, 60_000) * days_supply / 30;
    if let Some(f) = &fill {
        drug = f.drug;
        days_supply = f.days_supply;
        ingredient = f.cost_30 * days_supply / 30;
    }
    let qty = days_supply * per_day;
    let fee = r.range(100, 250);
    let total = ingredient + fee;
    let patient_pay = (total * r.range(5, 25) / 100).min(total);
    let lics = if b.dual_status != "NA" {
        (patient_pay * 8 / 10).min(total - patient_pay)
    } else {
        0
    };
    let plan_paid = total - patient_pay - lics;
    c.charge = total;
    c.allowed = total;
    c.paid = plan_paid;
    c.pde = Some(Pde {
        ndc: drug,
        quantity_milli: qty * 1000,
        days_supply,
        fill_num: fill.map_or_else(|| r.range(0, 11), |f| f.fill_num),
        pharmacy_npi: npi_from_number(r.next_u64()),
        prescriber_npi: c.rendering_npi,
        plan_contract: format!("S{:04}", 1000 + r.below(9000)),
        rx_num: r.next_u64() % 1_000_000_000_000,
        patient_pay,
        plan_paid,
        lics,
        total,
    });
}

/// An inpatient stay's secondary diagnoses, external causes and procedures; a SNF stay's
/// occasional procedure.
fn institutional_codes(c: &mut Claim, r: &mut Rng) {
    let ct = c.ct;
    if ct == ClaimType::Inpatient {
        // Inpatient stays code more secondary diagnoses (up to 9 on the UB-04
        // summary here), and a third carry an external cause (falls dominate).
        while c.dx.len() < 6 {
            let d = *r.pick(tables::ACUTE_DX);
            if !c.dx.contains(&d) {
                c.dx.push(d);
            }
        }
        if r.chance(330) {
            c.ext_causes
                .push(tables::EXTERNAL_CAUSES[r.below(2) as usize]);
            if r.chance(500) {
                c.ext_causes.push(tables::EXTERNAL_CAUSES[2]);
            }
        }
        let np = 1 + r.below(3) as usize;
        for _ in 0..np {
            let p = *r.pick(tables::PCS);
            if !c.pcs.iter().any(|(q, _)| *q == p) {
                let day = c.from + r.below((c.thru - c.from + 1) as u64) as i32;
                c.pcs.push((p, day));
            }
        }
    }
    if ct == ClaimType::Snf && r.chance(250) {
        // Some SNF stays report a procedure (IV therapy).
        let day = c.from + r.below((c.thru - c.from + 1) as u64) as i32;
        c.pcs.push((tables::PCS[4], day));
    }
}

/// An institutional claim's discharge status (light scale; the realistic scale refines it).
fn discharge(ct: ClaimType, r: &mut Rng) -> &'static str {
    let codes: &[&'static str] = match ct {
        ClaimType::Hospice => &["30", "40", "01"],
        ClaimType::Outpatient => return "01",
        _ => &["01", "03", "06", "30", "50", "51"],
    };
    codes[r.below(codes.len() as u64) as usize]
}

/// First day of the month containing `day`.
pub(crate) fn first_of_month(day: i32) -> i32 {
    let (y, m, _) = civil_from_days(day);
    days_from_civil(y, m, 1)
}

/// A line whose amounts add up: deductible + coinsurance + paid = allowed <= charge.
#[allow(clippy::too_many_arguments)]
fn prof_line(
    r: &mut Rng,
    code: &'static str,
    desc: &'static str,
    betos: &'static str,
    price: i64,
    units: i64,
    from: i32,
    thru: i32,
    pos: usize,
    dx: usize,
) -> Line {
    // Charges vary +-30% around the typical charge; Medicare allows 35-80% of charges
    // (MedPAC: allowed-to-charge ratios for physician services are roughly 0.3-0.8).
    let charge = price * r.range(70, 130) / 100;
    let allowed = charge * r.range(35, 80) / 100;
    let deductible = if r.chance(150) {
        allowed.min(r.range(0, 24_000))
    } else {
        0
    };
    // Part B pays 80% after the deductible; the beneficiary owes 20% coinsurance.
    let coinsurance = (allowed - deductible) / 5;
    let paid = allowed - deductible - coinsurance;
    Line {
        code,
        desc,
        betos,
        rev: ("", ""),
        tos: "1",
        units,
        charge,
        allowed,
        paid,
        deductible,
        coinsurance,
        from,
        thru,
        pos,
        dx,
    }
}

/// The calendar year of the reference (the performance year).
pub(crate) fn performance_year(ref_day: i32) -> i32 {
    year_of(ref_day)
}
