//! The full read path: every line parsed strictly into the typed FHIR models of `bcda-fhir`
//! (STU3 or R4 by the file's detected version), validated (core rules, optionally CARIN Blue
//! Button), and handed to a [`Fold`] with its location.
//!
//! Lines the model refuses are reported as [`IssueKind::InvalidJson`] (syntax) or
//! [`IssueKind::InvalidResource`] (unknown property, wrong JSON type, unknown resourceType) with
//! the FHIR path; validation findings travel with the record ([`TypedRecord::issues`]).

use crate::engine::{Fold, IntoOwnedRecord, LineCtx, LineProcessor, LineRef};
use crate::error::IssueKind;
use crate::input::FhirVersion;
use bcda_fhir::claims::EobAccess;
use bcda_fhir::runtime::{IntoOwned, Issue as FhirIssue, ParseErrorKind, ParseOptions};
use bcda_fhir::{profiles, r4, stu3};
use std::collections::BTreeMap;

/// A typed resource of either release.
#[derive(Debug)]
pub enum TypedResource<'a> {
    /// FHIR STU3 (BCDA v1).
    Stu3(stu3::Resource<'a>),
    /// FHIR R4 (BCDA v2).
    R4(r4::Resource<'a>),
}

impl TypedResource<'_> {
    /// The resource as a release-independent ExplanationOfBenefit, when it is one.
    pub fn eob(&self) -> Option<&dyn EobAccess> {
        match self {
            TypedResource::Stu3(stu3::Resource::ExplanationOfBenefit(e)) => Some(&**e),
            TypedResource::R4(r4::Resource::ExplanationOfBenefit(e)) => Some(&**e),
            _ => None,
        }
    }

    /// The `resourceType`.
    pub fn resource_type(&self) -> &str {
        match self {
            TypedResource::Stu3(r) => r.resource_type(),
            TypedResource::R4(r) => r.resource_type(),
        }
    }
}

/// One parsed line.
#[derive(Debug)]
pub struct TypedRecord<'a> {
    /// The resource, borrowing strings from the line.
    pub resource: TypedResource<'a>,
    /// What lenient parsing skipped (first), then validation findings; empty when the
    /// resource is valid (or validation is off and nothing was skipped).
    pub issues: Vec<FhirIssue>,
}

/// The full-path line processor.
#[derive(Debug, Clone, Copy)]
pub struct Typed {
    /// Release used when a file's version could not be detected.
    pub default_version: FhirVersion,
    /// Run core validation.
    pub validate: bool,
    /// Also validate R4 resources against the CARIN Blue Button profiles they claim.
    pub carin: bool,
    /// Lenient parsing: a property the model does not define, or a value of the wrong JSON
    /// type or that cannot be held, is skipped and reported in [`TypedRecord::issues`] with
    /// its FHIR path (code `unknown-property` or `format`), and the resource is still
    /// delivered. Strict (`false`, the default): such a line is refused and reported as an
    /// [`IssueKind::InvalidResource`] issue.
    pub lenient: bool,
}

impl Typed {
    /// Strict parsing with core validation (the default).
    pub fn strict() -> Typed {
        Typed::default()
    }

    /// Lenient parsing with core validation (see [`Typed::lenient`](Typed#structfield.lenient)).
    pub fn lenient() -> Typed {
        Typed {
            lenient: true,
            ..Typed::default()
        }
    }

    /// The same, also validating R4 resources against the CARIN Blue Button profiles they
    /// claim.
    pub fn with_carin(self) -> Typed {
        Typed {
            carin: true,
            ..self
        }
    }

    fn options(&self) -> ParseOptions {
        if self.lenient {
            ParseOptions::lenient()
        } else {
            ParseOptions::strict()
        }
    }
}

impl Default for Typed {
    fn default() -> Self {
        Typed {
            default_version: FhirVersion::R4,
            validate: true,
            carin: false,
            lenient: false,
        }
    }
}

impl LineProcessor for Typed {
    type Scratch = ();
    type Record<'a> = TypedRecord<'a>;

    fn new_scratch(&self) {}

    // The parser needs the line as `str` anyway: one `from_utf8` serves as the UTF-8 check.
    const CHECKS_UTF8: bool = true;

    fn process<'a, E>(
        &self,
        line: &'a [u8],
        _scratch: &'a mut (),
        ctx: &mut LineCtx<'_>,
        mut emit: E,
    ) where
        E: FnMut(TypedRecord<'a>, LineRef),
    {
        // This `from_utf8` is the line's UTF-8 check (whatever `Config::validate_utf8` says:
        // the parser cannot read the line without it).
        let text = match std::str::from_utf8(line) {
            Ok(text) => text,
            Err(e) => {
                ctx.report_invalid_utf8(e);
                return;
            }
        };
        let version = ctx.input().fhir_version.unwrap_or(self.default_version);
        let opts = self.options();
        let parsed = match version {
            FhirVersion::Stu3 => stu3::Resource::from_json_with(text, opts)
                .map(|(r, issues)| (TypedResource::Stu3(r), issues)),
            FhirVersion::R4 => r4::Resource::from_json_with(text, opts)
                .map(|(r, issues)| (TypedResource::R4(r), issues)),
        };
        let (resource, mut issues) = match parsed {
            Ok(r) => r,
            Err(e) => {
                let kind = match e.kind() {
                    ParseErrorKind::Syntax(_) => IssueKind::InvalidJson,
                    ParseErrorKind::InvalidUtf8 => IssueKind::InvalidUtf8,
                    ParseErrorKind::MissingResourceType => IssueKind::MissingResourceType,
                    _ => IssueKind::InvalidResource,
                };
                let path = (!e.path().is_empty()).then(|| e.path().to_string());
                ctx.report(kind, Some(e.offset()), path, e.kind().to_string());
                return;
            }
        };
        if let Some(expected) = ctx.input().expected_type() {
            if resource.resource_type() != expected {
                let msg = format!(
                    "resourceType {} in a file of {expected}",
                    resource.resource_type()
                );
                ctx.report(IssueKind::WrongResourceType, None, None, msg);
            }
        }
        if self.validate {
            match &resource {
                TypedResource::Stu3(r) => issues.extend(r.validate()),
                TypedResource::R4(r) => {
                    issues.extend(r.validate());
                    if self.carin {
                        issues.extend(profiles::validate_carin(text));
                    }
                }
            }
        }
        emit(TypedRecord { resource, issues }, ctx.line_ref());
    }
}

impl IntoOwnedRecord for Typed {
    type Owned = TypedRecord<'static>;

    fn into_owned_record(record: TypedRecord<'_>) -> TypedRecord<'static> {
        let resource = match record.resource {
            TypedResource::Stu3(r) => TypedResource::Stu3(r.into_owned()),
            TypedResource::R4(r) => TypedResource::R4(r.into_owned()),
        };
        TypedRecord {
            resource,
            issues: record.issues,
        }
    }
}

/// Counts per resource type and keeps the first findings with their location: what
/// `bcda validate` reports, computed in parallel.
#[derive(Debug, Clone, Copy)]
pub struct ValidationSummary {
    /// Findings kept per run (all are counted).
    pub max_findings: usize,
}

/// Result of [`ValidationSummary`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Per resource type: (resources, invalid).
    pub by_type: BTreeMap<String, (u64, u64)>,
    /// Findings (line, issue), at most `max_findings`, in a deterministic order.
    pub findings: Vec<(LineRef, FhirIssue)>,
    /// Number of findings, including those not kept.
    pub finding_count: u64,
}

impl Fold<Typed> for ValidationSummary {
    type Acc = Summary;

    fn init(&self) -> Summary {
        Summary::default()
    }

    fn add(&self, acc: &mut Summary, record: TypedRecord<'_>, at: LineRef) {
        let e = acc
            .by_type
            .entry(record.resource.resource_type().to_string())
            .or_default();
        e.0 += 1;
        if !record.issues.is_empty() {
            e.1 += 1;
        }
        acc.finding_count += record.issues.len() as u64;
        for i in record.issues {
            acc.findings.push((at, i));
        }
        self.trim(acc);
    }

    fn merge(&self, acc: &mut Summary, other: Summary) {
        for (k, (n, inv)) in other.by_type {
            let e = acc.by_type.entry(k).or_default();
            e.0 += n;
            e.1 += inv;
        }
        acc.finding_count += other.finding_count;
        acc.findings.extend(other.findings);
        acc.findings
            .sort_by(|a, b| (a.0, &a.1.path, &a.1.message).cmp(&(b.0, &b.1.path, &b.1.message)));
        acc.findings.truncate(self.max_findings);
    }
}

impl ValidationSummary {
    fn trim(&self, acc: &mut Summary) {
        if acc.findings.len() > self.max_findings {
            acc.findings.sort_by(|a, b| {
                (a.0, &a.1.path, &a.1.message).cmp(&(b.0, &b.1.path, &b.1.message))
            });
            acc.findings.truncate(self.max_findings);
        }
    }
}
