//! Deterministic synthetic Medicare data for bcda-rs.
//!
//! Beneficiaries, CCLF8-style attribution files and claims history (all eight BFD claim types,
//! plus partially adjudicated Claim/ClaimResponse), serialized as NDJSON exactly in the shapes
//! BFD returns: v1 (FHIR STU3, Blue Button) and v2 (FHIR R4, CARIN Blue Button).
//!
//! Same inputs give byte-identical output. Everything about beneficiary `i` of an ACO is
//! derived from a seed of (ACO id, `i`), so any chunk of beneficiaries can be generated on any
//! thread without generating the rest. JSON is written straight into byte buffers.
//!
//! ```
//! use bcda_synth::{sandbox_catalogue, FhirVersion, Generator, ResourceKind};
//! let aco = &sandbox_catalogue()[0].spec; // A9994
//! let g = Generator::new(aco, 1_764_000_000);
//! let mut out = Vec::new();
//! let n = g.write_ndjson(FhirVersion::R4, ResourceKind::Patient, &[0, 1], None, 1_764_000_000, &mut out).unwrap();
//! assert_eq!(n, 2);
//! ```

pub mod calibration;
mod common;
mod date;
mod ids;
mod json;
mod model;
mod pac;
mod realistic;
mod rng;
mod style;
mod tables;
mod v1;
mod v2;

use std::io::Write;
use std::str::FromStr;

pub use calibration::Scale;
pub use date::{
    civil_from_days, day_of_unix, days_from_civil, format_date, format_instant, parse_instant,
};
pub use ids::{is_valid_mbi, is_valid_npi, mbi_from_number, npi_check_digit, npi_from_number};
pub use model::{Beneficiary, ClaimType, Entitlement, Sex};
pub use style::{KeyOrder, Style, TextEscapes};

use model::Ctx;

/// FHIR version of the output: v1 is STU3, v2 is R4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FhirVersion {
    /// FHIR STU3 (3.0.1), BCDA v1, Blue Button profiles.
    Stu3,
    /// FHIR R4 (4.0.1), BCDA v2, CARIN Blue Button profiles.
    R4,
}

/// The resource types an export can contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// Patient.
    Patient,
    /// Coverage (Parts A, B, C, D).
    Coverage,
    /// ExplanationOfBenefit (the eight claim types).
    ExplanationOfBenefit,
    /// Claim (partially adjudicated, v2 only).
    Claim,
    /// ClaimResponse (partially adjudicated, v2 only).
    ClaimResponse,
}

impl ResourceKind {
    /// All kinds.
    pub const ALL: [ResourceKind; 5] = [
        ResourceKind::Patient,
        ResourceKind::Coverage,
        ResourceKind::ExplanationOfBenefit,
        ResourceKind::Claim,
        ResourceKind::ClaimResponse,
    ];
    /// The FHIR resource type name.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Patient => "Patient",
            ResourceKind::Coverage => "Coverage",
            ResourceKind::ExplanationOfBenefit => "ExplanationOfBenefit",
            ResourceKind::Claim => "Claim",
            ResourceKind::ClaimResponse => "ClaimResponse",
        }
    }
}

impl std::fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResourceKind {
    type Err = SynthError;
    fn from_str(s: &str) -> Result<Self, SynthError> {
        ResourceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| SynthError::UnknownResourceKind(s.to_string()))
    }
}

/// Data-set flavour, as BCDA's sandbox has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavour {
    /// Uniform utilization, one or two conditions each: fast and predictable.
    Simple,
    /// Conditions at CCW prevalence, utilization scaled by disease burden.
    Advanced,
}

/// What to generate for one ACO.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcoSpec {
    /// CMS id, e.g. `A9994`. Seeds everything.
    pub cms_id: String,
    /// Beneficiaries in the newest attribution file.
    pub beneficiaries: u32,
    /// Flavour.
    pub flavour: Flavour,
    /// Whether the ACO has partially adjudicated (Claim/ClaimResponse) data.
    pub partially_adjudicated: bool,
}

/// One ACO of the sandbox catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxAco {
    /// The data to generate.
    pub spec: AcoSpec,
    /// The ACO is denylisted (the server answers 403).
    pub denylisted: bool,
    /// The ACO's attribution is outdated (the server answers 404 on group exports).
    pub outdated_attribution: bool,
}

/// The sandbox catalogue: A9994 (50), A9990 (2,500), A9991 (7,500), A9992 (20,000),
/// A9993 (30,000) simple; A9998 (100), A9999 (10,000) advanced; TEST001 partially
/// adjudicated (200, simple); A9997 (denylisted, 50); TEST995 (outdated attribution, 50).
pub fn sandbox_catalogue() -> Vec<SandboxAco> {
    let mk = |id: &str, n: u32, flavour, pac, deny, outdated| SandboxAco {
        spec: AcoSpec {
            cms_id: id.to_string(),
            beneficiaries: n,
            flavour,
            partially_adjudicated: pac,
        },
        denylisted: deny,
        outdated_attribution: outdated,
    };
    use Flavour::*;
    vec![
        mk("A9994", 50, Simple, false, false, false),
        mk("A9990", 2_500, Simple, false, false, false),
        mk("A9991", 7_500, Simple, false, false, false),
        mk("A9992", 20_000, Simple, false, false, false),
        mk("A9993", 30_000, Simple, false, false, false),
        mk("A9998", 100, Advanced, false, false, false),
        mk("A9999", 10_000, Advanced, false, false, false),
        mk("TEST001", 200, Simple, true, false, false),
        mk("A9997", 50, Simple, false, true, false),
        mk("TEST995", 50, Simple, false, false, true),
    ]
}

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// Writing the output failed.
    #[error("writing NDJSON: {0}")]
    Io(#[from] std::io::Error),
    /// The resource type does not exist in that FHIR version.
    #[error("{kind} is not available in FHIR {version:?} (Claim and ClaimResponse are v2 only)")]
    Unsupported {
        /// The resource type asked for.
        kind: ResourceKind,
        /// The version asked for.
        version: FhirVersion,
    },
    /// A resource type name that is not one of ours.
    #[error("unknown resource type {0:?}: expected Patient, Coverage, ExplanationOfBenefit, Claim or ClaimResponse")]
    UnknownResourceKind(String),
    /// A `--key-order` or `--text` value that is not one of ours.
    #[error("unknown {axis} {value:?}: expected {expected}")]
    UnknownStyle {
        /// Which axis of the style.
        axis: &'static str,
        /// The value given.
        value: String,
        /// What would have been accepted.
        expected: &'static str,
    },
}

/// Attribution file type (CCLF8 `ZCY` or `ZCR`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttributionKind {
    /// Regular attribution (`Y`).
    Attribution,
    /// Runout of the previous performance year (`R`).
    Runout,
}

/// One CCLF8 attribution file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributionFile {
    /// File name, e.g. `P.BCD.A9994.ZCY26.D261120.T1000000`.
    pub name: String,
    /// Attribution or runout.
    pub kind: AttributionKind,
    /// Performance year (four digits).
    pub performance_year: i32,
    /// File timestamp (unix seconds, UTC).
    pub timestamp_unix: i64,
}

/// Which resources to write: `meta.lastUpdated` in `(since_unix, until_unix]` and, for
/// claims, a last service day in `[service_from, service_to]` (days since 1970-01-01; see
/// [`days_from_civil`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filter {
    /// Lower bound (exclusive) on `meta.lastUpdated`, unix seconds; `None` = full history.
    pub since_unix: Option<i64>,
    /// Upper bound (inclusive) on `meta.lastUpdated`, unix seconds (the job's transaction time).
    pub until_unix: i64,
    /// Earliest last service day of a claim (`service-date=ge`).
    pub service_from: Option<i32>,
    /// Latest last service day of a claim (`service-date=le`, e.g. the runout thru date).
    pub service_to: Option<i32>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            since_unix: None,
            until_unix: i64::MAX,
            service_from: None,
            service_to: None,
        }
    }
}

/// First performance year of every ACO's attribution history (BCDA's sandbox ACOs have
/// attribution files going back years, so `_since` values back to early 2020 find a file).
pub const FIRST_PERFORMANCE_YEAR: i32 = 2019;

/// Day of the year's attribution file of a past performance year (January 10).
const YEARLY_FILE_DAY: u32 = 10;
/// Day of a past performance year's runout file in the following year (April 10).
const RUNOUT_FILE_MONTH: u32 = 4;

/// What an ExplanationOfBenefit says about one claim version (see
/// [`Generator::claim_facts`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimFacts {
    /// Claim type.
    pub claim_type: ClaimType,
    /// Claim id (the EOB id's number).
    pub id: i64,
    /// Claim group (shared by the versions of an adjusted claim).
    pub group: i64,
    /// First service day (days since 1970-01-01).
    pub from_day: i32,
    /// Last service day.
    pub thru_day: i32,
    /// Medicare payment (Part D: plan paid), cents.
    pub paid_cents: i64,
    /// Part D days supply (0 for other types).
    pub days_supply: i64,
    /// Rendering (carrier, DME) or prescriber NPI.
    pub npi: u64,
    /// Billing organization (facility) NPI.
    pub facility_npi: u64,
    /// The final version (`active`); superseded versions are `cancelled`.
    pub is_final: bool,
}

/// The generator for one ACO at one reference instant.
#[derive(Clone, Debug)]
pub struct Generator {
    spec: AcoSpec,
    ctx: Ctx,
}

impl Generator {
    /// `reference` = "now" for the data set (unix seconds, UTC); all dates are derived from it.
    pub fn new(spec: &AcoSpec, reference_unix: i64) -> Self {
        let mut ctx = Ctx::new(&spec.cms_id, spec.flavour, reference_unix);
        ctx.aco_size = spec.beneficiaries;
        Generator {
            spec: spec.clone(),
            ctx,
        }
    }

    /// The same generator at another utilization [`Scale`] (default [`Scale::Light`]).
    pub fn with_scale(mut self, scale: Scale) -> Self {
        self.ctx.scale = scale;
        self
    }

    /// The utilization scale.
    pub fn scale(&self) -> Scale {
        self.ctx.scale
    }

    /// The claims facts of a beneficiary, every version of every claim (what its
    /// ExplanationOfBenefit resources carry), without serializing them: for aggregates.
    pub fn claim_facts(&self, index: u32) -> Vec<ClaimFacts> {
        let b = self.ctx.beneficiary(index);
        let mut out = Vec::new();
        for ct in ClaimType::ALL {
            self.ctx.for_each_claim_version(&b, ct, |c| {
                out.push(ClaimFacts {
                    claim_type: ct,
                    id: c.id,
                    group: c.group,
                    from_day: c.from,
                    thru_day: c.thru,
                    paid_cents: c.paid,
                    days_supply: c.pde.as_ref().map_or(0, |p| p.days_supply),
                    npi: c.rendering_npi,
                    facility_npi: c.org_npi,
                    is_final: c.status == "active",
                })
            });
        }
        out
    }

    /// The ACO spec.
    pub fn spec(&self) -> &AcoSpec {
        &self.spec
    }

    /// Size of the index universe: current beneficiaries plus those who left (indexes
    /// `beneficiaries..universe()`).
    pub fn universe(&self) -> u32 {
        self.spec.beneficiaries + self.leavers()
    }

    fn leavers(&self) -> u32 {
        (self.spec.beneficiaries / 25).max(2)
    }

    /// Number of regular attribution files: one per performance year from
    /// [`FIRST_PERFORMANCE_YEAR`] to the reference's.
    fn attribution_file_count(&self) -> u32 {
        let py = model::performance_year(self.ctx.ref_day);
        (py - FIRST_PERFORMANCE_YEAR.min(py) + 1) as u32
    }

    /// File in which index `i` joins (0 = the oldest file) and the first file it is absent from.
    fn membership(&self, i: u32) -> (u32, u32) {
        let last = self.attribution_file_count() - 1;
        let mut r = rng::Rng::new(self.ctx.seed, i as u64, 7);
        if i < self.spec.beneficiaries {
            // 12% joined after the first file: the "new beneficiaries" of Group/all?_since.
            let join = if r.chance(120) && last > 0 {
                1 + r.below(last as u64) as u32
            } else {
                0
            };
            (join, u32::MAX)
        } else {
            (0, 1 + r.below(last.max(1) as u64) as u32)
        }
    }

    /// Attribution history (CCLF8 facts), oldest first: one attribution file (type Y) per
    /// performance year from [`FIRST_PERFORMANCE_YEAR`], dated January 10 of its year, except
    /// the current year's, which is a few days before `reference` (within BCDA's 50-day
    /// cutoff); and one runout file (type R) per past performance year, dated April 10 of the
    /// following year, except the previous year's, which is two days before the newest
    /// attribution file (within the 180-day runout cutoff). Beneficiaries join and leave
    /// between yearly files.
    pub fn attribution_files(&self) -> Vec<AttributionFile> {
        let ref_day = self.ctx.ref_day;
        let py = model::performance_year(ref_day);
        let first = FIRST_PERFORMANCE_YEAR.min(py);
        let newest = (ref_day - 4).max(days_from_civil(py, 1, 1));
        let mut out: Vec<AttributionFile> = (first..=py)
            .map(|y| {
                let day = if y == py {
                    newest
                } else {
                    days_from_civil(y, 1, YEARLY_FILE_DAY)
                };
                self.attribution_file(day, AttributionKind::Attribution, y)
            })
            .collect();
        out.extend((first..py).map(|y| {
            let day = if y == py - 1 {
                newest - 2
            } else {
                days_from_civil(y + 1, RUNOUT_FILE_MONTH, YEARLY_FILE_DAY)
            };
            self.attribution_file(day, AttributionKind::Runout, y)
        }));
        out.sort_by_key(|f| (f.timestamp_unix, f.kind == AttributionKind::Attribution));
        out
    }

    /// One CCLF8 file of this ACO dated `day` (10:00 UTC, never later than a minute before
    /// the reference), named as BCDA names them.
    pub fn attribution_file(&self, day: i32, kind: AttributionKind, py: i32) -> AttributionFile {
        let ts = (day as i64 * 86_400 + 10 * 3600).min(self.ctx.reference - 60);
        let (y, m, d) = civil_from_days(day);
        let letter = match kind {
            AttributionKind::Attribution => 'Y',
            AttributionKind::Runout => 'R',
        };
        AttributionFile {
            name: format!(
                "P.BCD.{}.ZC{}{:02}.D{:02}{:02}{:02}.T1000000",
                self.spec.cms_id,
                letter,
                py % 100,
                y % 100,
                m,
                d
            ),
            kind,
            performance_year: py,
            timestamp_unix: ts,
        }
    }

    /// Beneficiary indexes attributed in a given file (sorted). An attribution file is placed
    /// in the history by its timestamp (a timestamp before the first file counts as the first
    /// file); a runout file lists the beneficiaries of the last attribution file of its
    /// performance year (the previous year's assignment). So a file rebuilt from stored fields
    /// (e.g. a database row) works too.
    pub fn attributed(&self, file: &AttributionFile) -> Vec<u32> {
        let files = self.attribution_files();
        let yearly = files
            .iter()
            .filter(|f| f.kind == AttributionKind::Attribution);
        let seq = match file.kind {
            AttributionKind::Attribution => yearly
                .filter(|f| f.timestamp_unix <= file.timestamp_unix)
                .count(),
            AttributionKind::Runout => yearly
                .filter(|f| f.performance_year <= file.performance_year)
                .count(),
        }
        .saturating_sub(1) as u32;
        (0..self.universe())
            .filter(|&i| {
                let (join, leave) = self.membership(i);
                join <= seq && seq < leave
            })
            .collect()
    }

    /// The beneficiary at an index (any index; indexes past `beneficiaries` are leavers).
    pub fn beneficiary(&self, index: u32) -> Beneficiary {
        self.ctx.beneficiary(index)
    }

    /// The resource types an export of this ACO contains in a FHIR version (the default
    /// `_type` list): Patient, Coverage, ExplanationOfBenefit, plus Claim and ClaimResponse
    /// in v2 for partially adjudicated ACOs.
    pub fn export_kinds(&self, version: FhirVersion) -> Vec<ResourceKind> {
        let mut v = vec![
            ResourceKind::Patient,
            ResourceKind::Coverage,
            ResourceKind::ExplanationOfBenefit,
        ];
        if self.spec.partially_adjudicated && version == FhirVersion::R4 {
            v.extend([ResourceKind::Claim, ResourceKind::ClaimResponse]);
        }
        v
    }

    /// The beneficiaries of the newest attribution file (what an export covers).
    pub fn current_beneficiaries(&self) -> Vec<u32> {
        let files = self.attribution_files();
        files
            .iter()
            .rev()
            .find(|f| f.kind == AttributionKind::Attribution)
            .map(|f| self.attributed(f))
            .unwrap_or_default()
    }

    /// Number of claims of a type the beneficiary has over the whole history.
    pub fn claim_count(&self, index: u32, claim_type: ClaimType) -> u32 {
        let b = self.ctx.beneficiary(index);
        self.ctx.claim_count(&b, claim_type)
    }

    /// Write the resources of `kind` for the given beneficiaries as NDJSON lines, in BFD's
    /// bytes ([`Style::BFD`]; [`write_ndjson_styled`](Self::write_ndjson_styled) takes a style).
    /// `since`/`until`: only resources whose meta.lastUpdated is in (since, until]; `since = None`
    /// means full history. Returns the number of lines written.
    pub fn write_ndjson(
        &self,
        version: FhirVersion,
        kind: ResourceKind,
        benes: &[u32],
        since_unix: Option<i64>,
        until_unix: i64,
        out: &mut dyn Write,
    ) -> Result<u64, SynthError> {
        let filter = Filter {
            since_unix,
            until_unix,
            ..Filter::default()
        };
        self.write_ndjson_filtered(version, kind, benes, &filter, out)
    }

    /// [`write_ndjson`](Self::write_ndjson) with BFD's `service-date` bounds as well (what
    /// BCDA sends for `Group/runout`, lookback windows and terminated ACOs). Service-date bounds
    /// apply to claims (ExplanationOfBenefit, Claim, ClaimResponse) by their last service day.
    pub fn write_ndjson_filtered(
        &self,
        version: FhirVersion,
        kind: ResourceKind,
        benes: &[u32],
        filter: &Filter,
        out: &mut dyn Write,
    ) -> Result<u64, SynthError> {
        self.write_ndjson_styled(version, kind, benes, filter, Style::BFD, out)
    }

    /// [`write_ndjson_filtered`](Self::write_ndjson_filtered) in a given byte [`Style`]:
    /// [`Style::default`] is BCDA's bytes. The other write functions keep BFD's bytes
    /// ([`Style::BFD`]) for their existing callers.
    pub fn write_ndjson_styled(
        &self,
        version: FhirVersion,
        kind: ResourceKind,
        benes: &[u32],
        filter: &Filter,
        style: Style,
        out: &mut dyn Write,
    ) -> Result<u64, SynthError> {
        let Filter {
            since_unix,
            until_unix,
            service_from,
            service_to,
        } = *filter;
        let in_service = |thru: i32| {
            service_from.is_none_or(|d| thru >= d) && service_to.is_none_or(|d| thru <= d)
        };
        let pac_kind = matches!(kind, ResourceKind::Claim | ResourceKind::ClaimResponse);
        if pac_kind && version == FhirVersion::Stu3 {
            return Err(SynthError::Unsupported { kind, version });
        }
        if pac_kind && !self.spec.partially_adjudicated {
            return Ok(0);
        }
        let keep = |t: i64| since_unix.is_none_or(|s| t > s) && t <= until_unix;
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 17);
        let mut w = json::JsonWriter::with_style(&mut buf, style);
        let mut lines = 0u64;
        for &i in benes {
            let b = self.ctx.beneficiary(i);
            match kind {
                ResourceKind::Patient => {
                    if keep(b.last_updated) {
                        match version {
                            FhirVersion::R4 => v2::patient(&mut w, &b),
                            FhirVersion::Stu3 => v1::patient(&mut w, &b),
                        }
                        lines += 1;
                    }
                }
                ResourceKind::Coverage => {
                    if keep(b.last_updated) {
                        for part in common::parts(&b) {
                            match version {
                                FhirVersion::R4 => v2::coverage(&mut w, &b, part, &self.ctx),
                                FhirVersion::Stu3 => v1::coverage(&mut w, &b, part, &self.ctx),
                            }
                            lines += 1;
                        }
                    }
                }
                ResourceKind::ExplanationOfBenefit => {
                    for ct in ClaimType::ALL {
                        self.ctx.for_each_claim_version(&b, ct, |c| {
                            if keep(c.last_updated) && in_service(c.thru) {
                                match version {
                                    FhirVersion::R4 => v2::eob(&mut w, &b, c),
                                    FhirVersion::Stu3 => v1::eob(&mut w, &b, c),
                                }
                                lines += 1;
                            }
                        });
                    }
                }
                ResourceKind::Claim | ResourceKind::ClaimResponse => {
                    for k in 0..pac::count(&self.ctx, &b) {
                        let p = pac::pac_claim(&self.ctx, &b, k);
                        if keep(p.last_updated) && in_service(p.thru) {
                            if kind == ResourceKind::Claim {
                                pac::claim(&mut w, &b, &p);
                            } else {
                                pac::claim_response(&mut w, &b, &p);
                            }
                            lines += 1;
                        }
                    }
                }
            }
            if w.b.len() >= 1 << 16 {
                out.write_all(w.b)?;
                w.b.clear();
            }
        }
        out.write_all(w.b)?;
        Ok(lines)
    }
}
