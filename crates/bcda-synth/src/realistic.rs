//! The realistic scale ([`Scale::Realistic`]): claim frequencies, episodes, payments, Part D
//! refill schedules and provider concentration from the calibration table.
//!
//! Everything is a pure function of (data-set seed, beneficiary index, stream), like the rest
//! of the model, so claim `k` of a type is generated without generating the others; episodes
//! (an inpatient stay followed by SNF or home health) are found by recomputing the stays'
//! dates, which is cheap.

use crate::calibration::{self, type_model, Scale};
use crate::ids::npi_from_number;
use crate::model::{Beneficiary, Claim, ClaimType, Ctx};
use crate::rng::{mix, Rng};
use crate::tables::{Cd, ADMISSIONS, CONDITIONS};

/// Stream tags (distinct from the model's).
const S_INTENSITY: u64 = 60;
const S_STAY: u64 = 3000;
const S_HHA: u64 = 61;
const S_HOSPICE: u64 = 62;
const S_DRUGS: u64 = 63;
const S_VERSIONS: u64 = 4000;
const S_DEATH: u64 = 64;
const S_CONDITIONS: u64 = 65;
const S_ADMIT: u64 = 66;

/// Most claims of one type a beneficiary can have (ids hold 12 bits of claim index).
pub(crate) const MAX_CLAIMS: u32 = 4095;

/// A beneficiary's schedule of one claim type at the realistic scale, computed once per
/// beneficiary and type: what claim `k` is.
pub(crate) enum Plan {
    /// Service start days (SNF admissions, home-health periods, hospice months).
    Days(Vec<i32>),
    /// Part D fills.
    Fills(Vec<Fill>),
    /// Independent claims (carrier, DME, outpatient, inpatient): how many.
    Count(u32),
}

impl Plan {
    /// Number of claims.
    pub(crate) fn len(&self) -> u32 {
        let n = match self {
            Plan::Days(d) => d.len() as u32,
            Plan::Fills(f) => f.len() as u32,
            Plan::Count(n) => *n,
        };
        n.min(MAX_CLAIMS)
    }
    /// Part D fill `k`.
    pub(crate) fn fill(&self, k: u32) -> Option<Fill> {
        match self {
            Plan::Fills(f) => f.get(k as usize).copied(),
            _ => None,
        }
    }
    /// Start day of claim `k` of a dated schedule.
    fn day(&self, k: u32) -> Option<i32> {
        match self {
            Plan::Days(d) => d.get(k as usize).copied(),
            _ => None,
        }
    }
}

/// A Part D fill on a refill schedule.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fill {
    pub drug: Cd,
    pub day: i32,
    pub days_supply: i64,
    pub fill_num: i64,
    /// Total drug cost of a 30-day supply of this drug for this beneficiary, cents.
    pub cost_30: i64,
}

impl Ctx {
    pub(crate) fn realistic(&self) -> bool {
        self.scale == Scale::Realistic
    }

    /// The beneficiary's health-care intensity, mean about 1: log-normal, times a factor of
    /// the number of chronic conditions (repeat visits: CMS's chronic conditions charts show
    /// spending rising steeply with the count), higher for older people. It multiplies claim
    /// frequencies and makes spending concentrate as Medicare's does.
    pub(crate) fn intensity(&self, b: &Beneficiary) -> f64 {
        let mut r = Rng::new(self.seed, b.index as u64, S_INTENSITY);
        let age = b.age_on(self.ref_day);
        // Older beneficiaries use more (GV PUF: spending rises with age); about a quarter
        // are 80 or older, so the tilt keeps the mean at 1.
        let tilt = if age >= 80 { 1.3 } else { 0.9 };
        let conditions = f64::from(b.conditions.count_ones());
        let mean: f64 = CONDITIONS
            .iter()
            .map(|c| f64::from(c.per_mille))
            .sum::<f64>()
            / 1000.0;
        let chronic = (1.0 + conditions) / (1.0 + mean);
        r.lognormal(calibration::INTENSITY_SIGMA) * tilt * chronic
    }

    /// Chronic conditions at the realistic scale (every flavour): independent draws at each
    /// condition's Medicare prevalence ([`CONDITIONS`]), older beneficiaries sicker (80 and
    /// over x1.25, others x0.92, which keeps the overall prevalence the table's).
    pub(crate) fn realistic_conditions(&self, b: &Beneficiary) -> u32 {
        let mut r = Rng::new(self.seed, b.index as u64, S_CONDITIONS);
        let boost = if b.age_on(self.ref_day) >= 80 {
            1250
        } else {
            920
        };
        let mut set = 0u32;
        for (i, c) in CONDITIONS.iter().enumerate() {
            if r.chance((c.per_mille * boost / 1000).min(950)) {
                set |= 1 << i;
            }
        }
        set
    }

    /// The reason for inpatient stay `k`: drawn from [`ADMISSIONS`] by its share of Medicare
    /// discharges (principal diagnosis, MS-DRG and, for surgery, the procedure); the stays
    /// the table does not cover keep the DRG of the beneficiary's condition the claim leads
    /// with.
    pub(crate) fn admission(&self, b: &Beneficiary, k: u32, c: &mut Claim) {
        let mut r = Rng::new(self.seed, b.index as u64, S_ADMIT << 16 | k as u64);
        let mut x = r.below(1000) as u32;
        let Some(a) = ADMISSIONS.iter().find(|a| {
            let hit = x < a.per_mille;
            x = x.saturating_sub(a.per_mille);
            hit
        }) else {
            return;
        };
        c.drg = a.drg;
        c.dx.retain(|d| d.0 != a.dx.0);
        c.dx.insert(0, a.dx);
        if let Some(p) = a.pcs {
            c.pcs.retain(|(q, _)| q.0 != p.0);
            c.pcs.insert(0, (p, c.from));
        }
    }

    /// `intensity^power`, rescaled so its mean stays 1 (the table's frequencies are means).
    pub(crate) fn intensity_pow(&self, b: &Beneficiary, power: f64) -> f64 {
        let s2 = calibration::INTENSITY_SIGMA * calibration::INTENSITY_SIGMA;
        self.intensity(b).powf(power) * (-s2 * power * (power - 1.0) / 2.0).exp()
    }

    /// Years of eligibility for a claim type in the history window, and the window's first day.
    fn eligible_years(&self, b: &Beneficiary, ct: ClaimType) -> Option<(f64, i32)> {
        let start = self.claims_start(b, ct)?;
        Some(((self.service_end(b) - start) as f64 / 365.0, start))
    }

    /// The day the beneficiary dies in the history, if they do: each year of the history
    /// (from the Part A start) carries the age's annual mortality ([`calibration::mortality`]),
    /// higher for frail (high-intensity) beneficiaries.
    pub(crate) fn death_date(&self, b: &Beneficiary) -> Option<i32> {
        let mut r = Rng::new(self.seed, b.index as u64, S_DEATH);
        let frailty = self.intensity_pow(b, calibration::MORTALITY_INTENSITY_POWER);
        let mut start = self.hist_start.max(b.part_a_start);
        while start < self.ref_day {
            let end = (start + 365).min(self.ref_day);
            let q = calibration::mortality(b.age_on(start), b.entitlement) * frailty;
            if r.unit() < q.min(0.9) * (end - start) as f64 / 365.0 {
                return Some(start + r.below((end - start) as u64) as i32);
            }
            start = end;
        }
        None
    }

    /// Discharge status of an institutional claim at the realistic scale: a stay or hospice
    /// month ending on the day of death is `20` (expired) or, for hospice, `40`/`41` (expired
    /// at home / in a facility); other hospice months are `30` (still patient).
    pub(crate) fn realistic_discharge(&self, b: &Beneficiary, c: &Claim) -> &'static str {
        let died = b.death_date == Some(c.thru);
        match c.ct {
            ClaimType::Hospice if died => ["40", "41"][c.id.unsigned_abs() as usize / 4 % 2],
            ClaimType::Hospice => "30",
            ClaimType::Inpatient | ClaimType::Snf if died => "20",
            _ => c.discharge,
        }
    }

    /// A count with expectation `mean`: the integer part plus one with the fraction's chance.
    fn draw_count(r: &mut Rng, mean: f64) -> u32 {
        let whole = mean.floor();
        let extra = (r.unit() < mean - whole) as u32;
        (whole as u32 + extra).min(MAX_CLAIMS)
    }

    /// Independent claims of a type (carrier, DME, outpatient, inpatient): count.
    fn independent_count(&self, b: &Beneficiary, ct: ClaimType) -> u32 {
        let Some((years, _)) = self.eligible_years(b, ct) else {
            return 0;
        };
        let m = type_model(ct);
        let mut r = Rng::new(self.seed, b.index as u64, 100 + ct as u64);
        let mean = m.per_year * years * self.intensity_pow(b, m.intensity_power);
        Self::draw_count(&mut r, mean)
    }

    /// Inpatient stay `j`: admission day and length of stay.
    pub(crate) fn ip_stay(&self, b: &Beneficiary, j: u32) -> (i32, i64) {
        let start = self
            .claims_start(b, ClaimType::Inpatient)
            .unwrap_or(self.hist_start);
        let mut r = Rng::new(self.seed, b.index as u64, S_STAY << 16 | j as u64);
        let span = (self.service_end(b) - start).max(1) as u64;
        let from = start + r.below(span) as i32;
        // Mean length of stay about 5 days (MedPAC), right-skewed.
        let los = (1.0 + 4.0 * r.lognormal(0.6)).round() as i64;
        (from, los.clamp(1, 40))
    }

    /// What follows inpatient stay `j`: 1 = SNF stay, 2 = home health, 0 = nothing.
    fn after_stay(&self, b: &Beneficiary, j: u32) -> u8 {
        let mut r = Rng::new(self.seed, b.index as u64, (S_STAY + 1) << 16 | j as u64);
        let x = r.below(1000) as u32;
        if x < calibration::IP_TO_SNF_PER_MILLE {
            1
        } else if x < calibration::IP_TO_SNF_PER_MILLE + calibration::IP_TO_HHA_PER_MILLE {
            2
        } else {
            0
        }
    }

    /// SNF stays: admission days (each the discharge day of an inpatient stay: Medicare
    /// covers SNF care after a qualifying hospital stay).
    pub(crate) fn snf_admissions(&self, b: &Beneficiary) -> Vec<i32> {
        if self.claims_start(b, ClaimType::Snf).is_none() {
            return Vec::new();
        }
        (0..self.independent_count(b, ClaimType::Inpatient))
            .filter(|&j| self.after_stay(b, j) == 1)
            .map(|j| {
                let (from, los) = self.ip_stay(b, j);
                from + los as i32
            })
            .filter(|&d| d < self.service_end(b))
            .collect()
    }

    /// Home-health 30-day periods: start days. Episodes after an inpatient stay (1-3
    /// periods) and community-referred episodes (2-5 periods).
    pub(crate) fn hha_periods(&self, b: &Beneficiary) -> Vec<i32> {
        let Some((years, start)) = self.eligible_years(b, ClaimType::Hha) else {
            return Vec::new();
        };
        let mut episodes: Vec<(i32, i64)> = Vec::new();
        let mut r = Rng::new(self.seed, b.index as u64, S_HHA);
        for j in 0..self.independent_count(b, ClaimType::Inpatient) {
            if self.after_stay(b, j) == 2 {
                let (from, los) = self.ip_stay(b, j);
                episodes.push((from + los as i32 + r.range(1, 5) as i32, r.range(1, 3)));
            }
        }
        // Community episodes: about 5.5% of beneficiaries a year, more for heavy users.
        let community = calibration::HHA_COMMUNITY_PER_YEAR * years * self.intensity_pow(b, 0.7);
        for _ in 0..Self::draw_count(&mut r, community) {
            let span = (self.service_end(b) - start).max(1) as u64;
            episodes.push((start + r.below(span) as i32, r.range(2, 5)));
        }
        let last = self.service_end(b);
        let mut days: Vec<i32> = episodes
            .iter()
            .flat_map(|&(s, n)| (0..n as i32).map(move |p| s + 30 * p))
            .filter(|&d| d <= last)
            .collect();
        days.sort_unstable();
        days.dedup();
        days
    }

    /// Hospice: the monthly claims of a decedent's final episode, which ends the day they die
    /// ([`calibration::HOSPICE_SHARE_OF_DECEDENTS`] of decedents; months geometric with mean
    /// 2.6: the median stay is short, the mean long).
    pub(crate) fn hospice_months(&self, b: &Beneficiary) -> Vec<i32> {
        let (Some(start), Some(death)) = (self.claims_start(b, ClaimType::Hospice), b.death_date)
        else {
            return Vec::new();
        };
        let mut r = Rng::new(self.seed, b.index as u64, S_HOSPICE);
        if r.unit() >= calibration::HOSPICE_SHARE_OF_DECEDENTS {
            return Vec::new();
        }
        let mut months = 1;
        while months < 12 && r.unit() < 1.0 - 1.0 / 2.6 {
            months += 1;
        }
        let first = (death - 30 * (months - 1) - r.range(0, 20) as i32).max(start);
        let last = self.service_end(b);
        (0..months)
            .map(|m| first + 30 * m)
            .filter(|&d| d <= last)
            .collect()
    }

    /// Part D fills on refill schedules: each chronic drug every 30 or 90 days from its start,
    /// a few days late now and then. Drugs: the beneficiary's conditions' drugs, then others
    /// weighted by condition prevalence, about 4.7 drugs on average.
    pub(crate) fn pde_fills(&self, b: &Beneficiary) -> Vec<Fill> {
        let Some((_, start)) = self.eligible_years(b, ClaimType::Pde) else {
            return Vec::new();
        };
        let mut r = Rng::new(self.seed, b.index as u64, S_DRUGS);
        let mut drugs: Vec<usize> = (0..CONDITIONS.len())
            .filter(|&i| b.conditions & (1 << i) != 0)
            .collect();
        let want = (4.7 * r.lognormal(0.5) * self.intensity_pow(b, 0.15)).round() as usize;
        let weights: Vec<u32> = CONDITIONS.iter().map(|c| c.per_mille).collect();
        for _ in 0..40 {
            if drugs.len() >= want.min(CONDITIONS.len()) {
                break;
            }
            let i = r.weighted(&weights);
            if !drugs.contains(&i) {
                drugs.push(i);
            }
        }
        let last = self.service_end(b);
        let mut fills = Vec::new();
        for &d in &drugs {
            let days_supply: i64 = if r.chance(300) { 90 } else { 30 };
            // Generic or brand: a 30-day supply costs $8-$400, log-normal around $65.
            let cost_30 = (6_500.0 * r.lognormal(1.0)).clamp(800.0, 40_000.0) as i64;
            let mut day = start + r.below(days_supply as u64) as i32;
            let mut fill_num = r.range(0, 3);
            while day <= last && fills.len() < MAX_CLAIMS as usize {
                fills.push(Fill {
                    drug: CONDITIONS[d].drug,
                    day,
                    days_supply,
                    fill_num,
                    cost_30,
                });
                let late = if r.chance(300) { r.range(1, 10) } else { 0 };
                day += (days_supply + late) as i32;
                fill_num += 1;
            }
        }
        fills
    }

    /// The schedule of a claim type for a beneficiary (realistic scale).
    pub(crate) fn plan(&self, b: &Beneficiary, ct: ClaimType) -> Plan {
        match ct {
            ClaimType::Snf => Plan::Days(self.snf_admissions(b)),
            ClaimType::Hha => Plan::Days(self.hha_periods(b)),
            ClaimType::Hospice => Plan::Days(self.hospice_months(b)),
            ClaimType::Pde => Plan::Fills(self.pde_fills(b)),
            _ => Plan::Count(self.independent_count(b, ct)),
        }
    }

    /// Number of claims of a type at the realistic scale.
    pub(crate) fn realistic_count(&self, b: &Beneficiary, ct: ClaimType) -> u32 {
        self.plan(b, ct).len()
    }

    /// Service start and, for stays, length of stay of claim `k` (realistic scale).
    pub(crate) fn realistic_dates(
        &self,
        b: &Beneficiary,
        ct: ClaimType,
        k: u32,
        plan: &Plan,
    ) -> Option<(i32, Option<i64>)> {
        match ct {
            ClaimType::Inpatient => {
                let (from, los) = self.ip_stay(b, k);
                Some((from, Some(los)))
            }
            ClaimType::Snf => {
                let mut r = Rng::new(self.seed, b.index as u64, (S_STAY + 2) << 16 | k as u64);
                // SNF length of stay: mean about 26 days (MedPAC).
                let los = (8.0 + 18.0 * r.lognormal(0.5)).round() as i64;
                Some((plan.day(k)?, Some(los.clamp(3, 100))))
            }
            ClaimType::Hha | ClaimType::Hospice => Some((plan.day(k)?, Some(29))),
            _ => None,
        }
    }

    /// Scales a claim's amounts so that its Medicare payment is the type's mean times a
    /// log-normal factor; line sums and `deductible + coinsurance + paid = allowed <= charge`
    /// keep holding.
    pub(crate) fn calibrate_payment(&self, c: &mut Claim, r: &mut Rng) {
        let m = type_model(c.ct);
        let paid: i64 = c.lines.iter().map(|l| l.paid).sum();
        if paid <= 0 {
            return;
        }
        let target = m.mean_paid * 100.0 * r.lognormal(m.sigma);
        let ratio = target / paid as f64;
        let scale = |x: i64| (x as f64 * ratio).round() as i64;
        for l in &mut c.lines {
            l.charge = scale(l.charge);
            l.allowed = scale(l.allowed).min(l.charge);
            l.deductible = scale(l.deductible).min(l.allowed);
            l.coinsurance = scale(l.coinsurance).min(l.allowed - l.deductible);
            l.paid = l.allowed - l.deductible - l.coinsurance;
        }
    }

    /// Providers as Medicare beneficiaries see them: a beneficiary's own PCP and a few
    /// specialists (most of them the ACO's), and a handful of hospitals taking most admissions.
    pub(crate) fn concentrate_providers(&self, b: &Beneficiary, c: &mut Claim, r: &mut Rng) {
        let pool = |tag: u64, i: u64| npi_from_number(mix(self.seed ^ mix(tag << 32 | i)));
        // The ACO's clinicians: about one per 60 beneficiaries, at least 8.
        let clinicians = 8 + (self.aco_size as u64 / 60);
        let own = |k: u64| pool(1, mix(b.index as u64 ^ k) % clinicians);
        c.rendering_npi = match r.below(10) {
            0..=5 => own(0),                // the PCP
            6..=8 => own(1 + r.below(3)),   // two or three regular specialists
            _ => pool(2, r.below(100_000)), // anyone else
        };
        c.referring_npi = own(0);
        // Hospitals: Zipf-like weights over 12 facilities of the ACO's market.
        let h = r.weighted(&[40, 20, 13, 10, 8, 6, 5, 4, 3, 3, 2, 2]) as u64;
        c.org_npi = pool(3, h);
        c.attending_npi = pool(4, h * 16 + r.below(6));
    }

    /// How many versions claim `k` has (1 = never adjusted).
    pub(crate) fn versions(&self, b: &Beneficiary, ct: ClaimType, k: u32) -> u32 {
        if !self.realistic() {
            return 1;
        }
        let stream = (S_VERSIONS << 8 | ct as u64) << 16 | k as u64;
        let mut r = Rng::new(self.seed, b.index as u64, stream);
        match r.below(1000) as u32 {
            x if x < calibration::ADJUSTED_TWICE_PER_MILLE => 3,
            x if x < calibration::ADJUSTED_TWICE_PER_MILLE
                + calibration::ADJUSTED_ONCE_PER_MILLE =>
            {
                2
            }
            _ => 1,
        }
    }

    /// Calls `f` with every version of every claim of a type of the beneficiary: superseded
    /// versions (`cancelled`, own id, same claim group, processed earlier) before the final one.
    pub(crate) fn for_each_claim_version(
        &self,
        b: &Beneficiary,
        ct: ClaimType,
        mut f: impl FnMut(&Claim),
    ) {
        let plan = self.realistic().then(|| self.plan(b, ct));
        let n = plan
            .as_ref()
            .map_or_else(|| self.claim_count(b, ct), Plan::len);
        for k in 0..n {
            let c = self.claim(b, ct, k, plan.as_ref());
            let versions = self.versions(b, ct, k);
            for back in (1..versions).rev() {
                f(&superseded(&c, back as i64));
            }
            f(&c);
        }
    }
}

/// The version of `c` that an adjustment `back` versions later superseded: own id, same
/// claim group, `cancelled`, processed two weeks per version earlier, amounts 5% apart.
fn superseded(c: &Claim, back: i64) -> Claim {
    let mut old = c.clone();
    old.id = c.id + back;
    old.status = "cancelled";
    old.processed = (c.processed - 14 * back as i32).max(c.thru);
    old.last_updated = c.last_updated - 14 * 86_400 * back;
    if let Some(p) = &mut old.pde {
        p.plan_paid = p.plan_paid * (100 - 5 * back) / 100;
        p.patient_pay = p.total - p.plan_paid - p.lics;
        old.paid = p.plan_paid;
    } else {
        for l in &mut old.lines {
            l.paid = l.paid * (100 - 5 * back) / 100;
            l.coinsurance = l.allowed - l.deductible - l.paid;
        }
        old.paid = old.lines.iter().map(|l| l.paid).sum();
        old.coinsurance = old.lines.iter().map(|l| l.coinsurance).sum();
    }
    old
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Flavour;

    /// Principal diagnoses of inpatient stays follow [`ADMISSIONS`]: sepsis (871/872) leads
    /// with about 11.5% of stays, heart failure next; the table's weights leave room for the
    /// stays grouped by the beneficiary's conditions.
    #[test]
    fn inpatient_principal_diagnoses_follow_the_discharge_table() {
        let total: u32 = ADMISSIONS.iter().map(|a| a.per_mille).sum();
        assert!(
            (400..=600).contains(&total),
            "table covers {total} per mille"
        );
        let mut ctx = Ctx::new("A9990", Flavour::Simple, 1_764_547_200);
        ctx.scale = Scale::Realistic;
        ctx.aco_size = 2_500;
        let (mut stays, mut sepsis, mut heart_failure) = (0u32, 0u32, 0u32);
        for i in 0..2_500 {
            let b = ctx.beneficiary(i);
            ctx.for_each_claim_version(&b, ClaimType::Inpatient, |c| {
                if c.status != "active" {
                    return;
                }
                stays += 1;
                sepsis += u32::from(matches!(c.drg.0, "871" | "872"));
                heart_failure += u32::from(matches!(c.drg.0, "291" | "292"));
                if c.drg.0 == "871" {
                    assert_eq!(c.dx[0].0, "A419", "sepsis is the principal diagnosis");
                }
            });
        }
        let share = |n: u32| f64::from(n) / f64::from(stays);
        assert!(stays > 500, "{stays} stays");
        assert!(
            (0.09..0.14).contains(&share(sepsis)),
            "sepsis {}",
            share(sepsis)
        );
        assert!(
            share(heart_failure) > 0.04,
            "heart failure {}",
            share(heart_failure)
        );
        assert!(share(sepsis) > share(heart_failure));
    }
}
