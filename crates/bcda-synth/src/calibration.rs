//! The calibration table: what the realistic [`Scale`] reproduces, each figure with its
//! source, and the per-claim-type parameters the generator derives from it.
//!
//! Every figure is national Medicare fee-for-service, per beneficiary-year of coverage unless
//! the row says otherwise. `tests/calibration.rs` generates a mid-size ACO and asserts every
//! row of [`TARGETS`] within `[low, high]` (±20%, or the published range).

use crate::model::ClaimType;

/// How much utilization the generator produces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Scale {
    /// The small volumes of the first sandbox data sets (about a sixth of real spending, a
    /// tenth of real claim volumes): fast tests and demos.
    #[default]
    Light,
    /// Medicare's real volumes, costs and mix ([`TARGETS`]).
    Realistic,
}

impl std::str::FromStr for Scale {
    type Err = crate::SynthError;
    fn from_str(s: &str) -> Result<Self, crate::SynthError> {
        match s.to_ascii_lowercase().as_str() {
            "light" => Ok(Scale::Light),
            "realistic" | "real" => Ok(Scale::Realistic),
            _ => Err(crate::SynthError::UnknownStyle {
                axis: "scale",
                value: s.to_string(),
                expected: "light or realistic",
            }),
        }
    }
}

/// One published figure the realistic scale reproduces.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    /// Stable key (tests look rows up by it).
    pub key: &'static str,
    /// What is measured.
    pub row: &'static str,
    /// The published value.
    pub value: f64,
    /// Lowest accepted generated value.
    pub low: f64,
    /// Highest accepted generated value.
    pub high: f64,
    /// Where the figure comes from.
    pub source: &'static str,
}

const fn pm20(key: &'static str, row: &'static str, value: f64, source: &'static str) -> Target {
    Target {
        key,
        row,
        value,
        low: value * 0.8,
        high: value * 1.2,
        source,
    }
}

const GV: &str = "CMS Geographic Variation Public Use File, 2022, national row";

/// The calibration table (issue 16).
pub const TARGETS: &[Target] = &[
    pm20(
        "ab_paid",
        "Medicare A+B payment per beneficiary-year ($)",
        12_023.0,
        GV,
    ),
    pm20(
        "ip_per_1000",
        "inpatient stays per 1,000 beneficiary-years",
        218.0,
        GV,
    ),
    pm20(
        "ip_paid",
        "payment per inpatient stay ($)",
        12_500.0,
        "derived from the GV PUF 2022: $2,725 inpatient per beneficiary / 0.218 stays",
    ),
    pm20(
        "snf_per_1000",
        "SNF stays per 1,000 beneficiary-years",
        61.0,
        "MedPAC March 2024 report, ch. 7: 1.8 M stays among ~29.5 M FFS beneficiaries",
    ),
    pm20(
        "snf_paid",
        "payment per SNF stay ($)",
        16_100.0,
        "MedPAC March 2024: $29 B over 1.8 M stays",
    ),
    pm20(
        "hh_users",
        "share of beneficiaries using home health in a year (%)",
        8.3,
        "MedPAC March 2023 report, ch. 8",
    ),
    pm20(
        "hh_paid",
        "payment per 30-day home health period ($)",
        1_870.0,
        "MedPAC March 2023: $16.1 B over 8.6 M periods",
    ),
    pm20(
        "hospice_paid_user",
        "hospice payment per user ($)",
        13_000.0,
        "MedPAC March 2022 report, ch. 10",
    ),
    pm20(
        "dme_paid",
        "DME payment per beneficiary-year ($)",
        225.0,
        "MedPAC: $7.3 B DMEPOS in 2020 over ~32 M Part B FFS beneficiaries",
    ),
    pm20(
        "carrier_claims",
        "carrier (Part B professional) claims per beneficiary-year",
        14.7,
        "CMS DE-SynPUF record counts (carrier claims per beneficiary-year)",
    ),
    Target {
        key: "outpatient_claims",
        row: "outpatient claims per beneficiary-year",
        value: 2.4,
        low: 2.4 * 0.8,
        high: 4.0,
        source: "CMS DE-SynPUF record counts: 2.4 (2008-2010); more in recent years",
    },
    pm20(
        "op_carrier_paid",
        "outpatient + carrier payment per beneficiary-year ($)",
        6_750.0,
        "GV PUF 2022 total less its inpatient, SNF, HH, hospice and DME rows",
    ),
    pm20(
        "pde_fills",
        "Part D 30-day-equivalent fills per Part D enrollee-year",
        54.0,
        "CBO, 'Prescription Drugs: Spending, Use, and Prices', 2022 (2018 data)",
    ),
    pm20(
        "pde_net_per_fill",
        "Part D plan payment per 30-day-equivalent fill ($)",
        50.0,
        "CBO 2022: net cost per prescription about $50",
    ),
    pm20(
        "under_65",
        "beneficiaries under 65 (disability, ESRD) (%)",
        13.0,
        "2021 Medicare Trustees Report (disabled share of enrollment)",
    ),
    pm20("female", "female (%)", 54.6, GV),
    pm20(
        "mortality",
        "deaths per 100 beneficiary-years",
        4.7,
        "Riley & Lubitz, Health Services Research 45(2), 2010: decedents are about 5% of \
         Medicare FFS beneficiaries each year (4.5-5% in recent years)",
    ),
    pm20(
        "hospice_decedents",
        "decedents whose final months are in hospice (%)",
        49.0,
        "MedPAC March 2024 report, ch. 10: 49.1% of Medicare decedents used hospice in 2022",
    ),
    pm20("dual", "dual eligible (%)", 16.5, GV),
    Target {
        key: "top5_share",
        row: "top 5% of beneficiaries' share of spending (%)",
        value: 43.5,
        low: 41.0,
        high: 46.0,
        source: "MedPAC Data Book (July 2023), chart 1-4; EClinicalMedicine 2021",
    },
    pm20(
        "top10_share",
        "top 10% of beneficiaries' share of spending (%)",
        60.0,
        "MedPAC Data Book (July 2023), chart 1-4",
    ),
];

/// The chronic conditions the realistic scale gives beneficiaries, with their prevalence among
/// Medicare FFS beneficiaries (%): the table `tables::CONDITIONS` (CMS Chronic Conditions Data
/// Warehouse, FFS prevalence; hypertension 57%, hyperlipidemia 47%, diabetes 27%, CKD 24%,
/// heart failure 14%, COPD 11%, ...).
pub fn chronic_condition_prevalence() -> Vec<(&'static str, f64)> {
    crate::tables::CONDITIONS
        .iter()
        .map(|c| (c.name, f64::from(c.per_mille) / 10.0))
        .collect()
}

/// The ICD-10-CM codes (as BFD writes them, without the dot) a chronic condition is coded with
/// (empty for an unknown name).
pub fn condition_codes(name: &str) -> Vec<&'static str> {
    crate::tables::CONDITIONS
        .iter()
        .filter(|c| c.name == name)
        .flat_map(|c| c.dx.iter().map(|d| d.0))
        .collect()
}

/// Looks a row of [`TARGETS`] up by key.
pub fn target(key: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.key == key)
}

/// Per-claim-type generation parameters at the realistic scale.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TypeModel {
    /// Expected claims per beneficiary-year at intensity 1 (for HHA and hospice: per user).
    pub per_year: f64,
    /// Mean Medicare payment per claim, dollars.
    pub mean_paid: f64,
    /// Log-normal sigma of the payment per claim (the right tail).
    pub sigma: f64,
    /// How strongly the beneficiary's intensity drives the claim count (exponent).
    pub intensity_power: f64,
}

/// The realistic parameters of a claim type, derived from [`TARGETS`]: frequencies and mean
/// payments are the table's (carrier and outpatient split the table's joint payment as
/// DE-SynPUF's counts and the GV file's outpatient share suggest).
pub(crate) fn type_model(ct: ClaimType) -> TypeModel {
    let m = |per_year, mean_paid, sigma, intensity_power| TypeModel {
        per_year,
        mean_paid,
        sigma,
        intensity_power,
    };
    match ct {
        ClaimType::Inpatient => m(0.218, 12_500.0, 0.75, 1.0),
        ClaimType::Snf => m(0.061, 16_100.0, 0.5, 1.0),
        // 2.9 periods per user-year (8.6 M periods / 3.0 M users).
        ClaimType::Hha => m(2.9, 1_870.0, 0.35, 0.0),
        // Monthly claims: about 2.6 per user at $5,000 (routine home care) = $13,000.
        ClaimType::Hospice => m(2.6, 5_000.0, 0.4, 0.0),
        ClaimType::Dme => m(1.5, 150.0, 0.9, 0.8),
        ClaimType::Carrier => m(14.7, 270.0, 0.9, 0.9),
        ClaimType::Outpatient => m(2.8, 1_050.0, 1.0, 1.0),
        // Part D: fills come from the drug schedule; this is the plan payment per
        // 30-day-equivalent fill.
        ClaimType::Pde => m(54.0, 50.0, 0.9, 0.0),
    }
}

/// Community-referred home-health episodes per beneficiary-year (with the post-acute ones
/// after [`IP_TO_HHA_PER_MILLE`] of stays, about 8.3% of beneficiaries use home health).
pub(crate) const HHA_COMMUNITY_PER_YEAR: f64 = 0.055;
/// Share of decedents whose final months are a hospice episode (the `hospice_decedents` row
/// of [`TARGETS`]).
pub(crate) const HOSPICE_SHARE_OF_DECEDENTS: f64 = 0.49;

/// Annual probability of death by age (lowest age of the band, probability), Medicare
/// beneficiaries entitled by age or disability: the SSA 2020 period life table's q(x), mean of
/// men and women at the band's middle age, rounded; under 65 (entitled by disability), about
/// twice the general population's rate. With the model's ages (86% aged, 14% of the aged
/// 85+) about 4.7% of beneficiaries die a year (the `mortality` row of [`TARGETS`]).
pub(crate) const MORTALITY_BY_AGE: &[(i32, f64)] = &[
    (0, 0.022),
    (65, 0.015),
    (70, 0.023),
    (75, 0.037),
    (80, 0.060),
    (85, 0.100),
    (90, 0.170),
    (95, 0.270),
];

/// Annual mortality of beneficiaries entitled by end-stage renal disease: USRDS 2022 Annual
/// Data Report, about 160 deaths per 1,000 dialysis patient-years.
pub(crate) const MORTALITY_ESRD: f64 = 0.16;

/// How strongly the health-care intensity raises mortality (the exponent of the normalized
/// intensity factor): decedents are the sicker beneficiaries.
pub(crate) const MORTALITY_INTENSITY_POWER: f64 = 0.25;

/// Annual probability of death at an age, by entitlement ([`MORTALITY_BY_AGE`],
/// [`MORTALITY_ESRD`]).
pub(crate) fn mortality(age: i32, entitlement: crate::model::Entitlement) -> f64 {
    if entitlement == crate::model::Entitlement::Esrd {
        return MORTALITY_ESRD;
    }
    MORTALITY_BY_AGE
        .iter()
        .rev()
        .find(|(from, _)| age >= *from)
        .map_or(MORTALITY_BY_AGE[0].1, |(_, q)| *q)
}
/// Share of inpatient stays followed by a SNF stay (Medicare covers SNF care only after a
/// qualifying stay: 1.8 M SNF stays over ~6.4 M FFS discharges, MedPAC 2024: 28%; 26% here lands the SNF
/// row with this model's 0.22-0.23 stays per year) and by home
/// health (~15%).
pub(crate) const IP_TO_SNF_PER_MILLE: u32 = 290;
/// See [`IP_TO_SNF_PER_MILLE`].
pub(crate) const IP_TO_HHA_PER_MILLE: u32 = 150;
/// Log-normal sigma of the beneficiary's health-care intensity (mean 1), which multiplies the
/// claim frequencies: sets the spending concentration (top 5% ≈ 43%).
pub(crate) const INTENSITY_SIGMA: f64 = 1.50;
/// Share of claims that come in two versions (an adjustment), and in three. Basis: CCW/ResDAC
/// note that a minority of FFS claims are adjusted after the original; BFD serves every
/// version. Stated assumption: 6% adjusted once, 1% twice.
pub(crate) const ADJUSTED_ONCE_PER_MILLE: u32 = 60;
/// See [`ADJUSTED_ONCE_PER_MILLE`].
pub(crate) const ADJUSTED_TWICE_PER_MILLE: u32 = 10;
