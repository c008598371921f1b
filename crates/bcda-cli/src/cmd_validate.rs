//! `bcda validate`: parse, validate and optionally round-trip FHIR JSON / NDJSON files.
//!
//! The files run through the bcda-ndjson engine: plain NDJSON is memory-mapped and cut into
//! chunks that all cores parse, gzip streams through a decoder thread, memory stays flat
//! whatever the size of the export, and a bad line (invalid UTF-8, a corrupt gzip member) is
//! reported while the rest is still checked.

use anyhow::Result;
use bcda_fhir::json::compare::first_difference;
use bcda_fhir::json::line_col;
use bcda_fhir::runtime::{Issue, ParseError, ParseOptions, Severity};
use bcda_fhir::{r4, stu3};
use bcda_ndjson::input::first_record;
use bcda_ndjson::{
    Config, Engine, FhirVersion, Fold, Format as FileFormat, Inputs, IssueKind, LineCtx,
    LineProcessor, LineRef,
};
use clap::{Args, ValueEnum};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Arguments of `bcda validate`.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// FHIR version of the input; detected per file when absent.
    #[arg(long, value_enum)]
    fhir_version: Option<Version>,
    /// Also validate against a profile set (`carin-bb`: CARIN Blue Button 1.1.0, R4 only).
    #[arg(long)]
    profile: Option<String>,
    /// Check that every resource serializes back to JSON equal to its input.
    #[arg(long)]
    roundtrip: bool,
    /// Lenient parsing: unknown properties and values of the wrong type are reported with
    /// their path (codes `unknown-property`, `format`) and skipped; the resource is still
    /// validated. Default: strict (such a resource is refused).
    #[arg(long)]
    lenient: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Files (`.json`, `.ndjson`, `.ndjson.gz`) or directories holding them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// FHIR release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Version {
    Stu3,
    R4,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// One reported problem.
struct Report {
    file: String,
    line: usize,
    path: String,
    severity: &'static str,
    code: String,
    message: String,
}

/// A problem found during the run, located once the run is over (line numbers are only known
/// then): the line of the record plus `extra` lines inside a multi-line JSON document.
struct Pending {
    at: LineRef,
    extra: usize,
    path: String,
    severity: &'static str,
    code: String,
    message: String,
}

/// The counts and problems of one worker, merged at the end.
#[derive(Default)]
struct Totals {
    resources: u64,
    valid: u64,
    invalid: u64,
    parse_errors: u64,
    roundtrip_mismatches: u64,
    by_type: BTreeMap<String, (u64, u64)>,
    pending: Vec<Pending>,
}

/// Result of checking one resource.
struct Checked {
    resource_type: String,
    issues: Vec<Issue>,
    /// The resource written back, when a round trip was asked for.
    json: Option<String>,
}

fn check(
    text: &str,
    version: Version,
    opts: ParseOptions,
    carin: bool,
    roundtrip: bool,
) -> Result<Checked, ParseError> {
    match version {
        Version::R4 => {
            let (r, mut issues) = r4::Resource::from_json_with(text, opts)?;
            issues.extend(r.validate());
            if carin {
                issues.extend(carin_issues(&r));
            }
            Ok(Checked {
                resource_type: r.resource_type().into(),
                issues,
                json: roundtrip.then(|| r.to_json()),
            })
        }
        Version::Stu3 => {
            let (r, mut issues) = stu3::Resource::from_json_with(text, opts)?;
            issues.extend(r.validate());
            Ok(Checked {
                resource_type: r.resource_type().into(),
                issues,
                json: roundtrip.then(|| r.to_json()),
            })
        }
    }
}

/// CARIN Blue Button profile issues of a resource (each entry of a Bundle).
fn carin_issues(r: &r4::Resource<'_>) -> Vec<Issue> {
    use bcda_fhir::profiles;
    let one = |res: &r4::Resource<'_>, root: Option<String>| -> Vec<Issue> {
        let json = res.to_json();
        let t = res.resource_type().to_string();
        profiles::validate_carin(&json)
            .into_iter()
            .map(|mut i| {
                if let Some(root) = &root {
                    i.path = format!("{root}{}", &i.path[t.len().min(i.path.len())..]);
                }
                i
            })
            .collect()
    };
    match r {
        r4::Resource::Bundle(b) => b
            .entry
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.resource.as_deref().map(|res| (i, res)))
            .flat_map(|(i, res)| one(res, Some(format!("Bundle.entry[{i}].resource"))))
            .collect(),
        other => one(other, None),
    }
}

/// Guesses the release of a resource: the one that parses it strictly; R4 when both do unless
/// the text uses STU3-only element names.
fn detect(text: &str) -> Option<Version> {
    let r4_ok = r4::Resource::from_json(text).is_ok();
    let stu3_ok = stu3::Resource::from_json(text).is_ok();
    match (r4_ok, stu3_ok) {
        (true, false) => Some(Version::R4),
        (false, true) => Some(Version::Stu3),
        (true, true) => Some(
            if text.contains("\"information\"") || text.contains("\"grouping\"") {
                Version::Stu3
            } else {
                Version::R4
            },
        ),
        (false, false) => None,
    }
}

/// The FHIR release each file is checked against: `--fhir-version`, else the release that
/// parses the file's first record (the whole document for `.json`), else discovery's guess
/// from markers, else R4.
fn versions(inputs: &mut Inputs, given: Option<Version>) {
    for f in &mut inputs.files {
        let v = given.or_else(|| {
            let first = match f.format {
                FileFormat::JsonDocument => std::fs::read(&f.path).ok(),
                _ => first_record(&f.path, f.format).ok(),
            }?;
            detect(std::str::from_utf8(&first).ok()?.trim_end())
        });
        f.fhir_version = Some(match v {
            Some(Version::Stu3) => FhirVersion::Stu3,
            Some(Version::R4) => FhirVersion::R4,
            None => f.fhir_version.unwrap_or(FhirVersion::R4),
        });
    }
}

/// Runs the command; returns the exit code.
pub(crate) fn run(args: ValidateArgs) -> Result<i32> {
    if let Some(p) = &args.profile {
        if p != "carin-bb" {
            anyhow::bail!("unknown profile set '{p}' (supported: carin-bb)");
        }
        if args.fhir_version == Some(Version::Stu3) {
            anyhow::bail!("--profile carin-bb applies to R4 only");
        }
    }
    let mut inputs = Inputs::discover(&args.paths)?;
    versions(&mut inputs, args.fhir_version);
    let engine = Engine::new(Config {
        threads: args.threads,
        ..Config::default()
    })?;
    let checker = Checker {
        carin: args.profile.is_some(),
        roundtrip: args.roundtrip,
        lenient: args.lenient,
    };
    let bar = crate::cmd_stats::progress_bar(inputs.total_bytes());
    let tick = |n: u64| {
        if let Some(b) = &bar {
            b.inc(n);
        }
    };
    let progress = bar.as_ref().map(|_| &tick as &(dyn Fn(u64) + Sync));
    let mut out = engine.run(&inputs, &checker, &Collect, progress);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }

    // Problems in file order, then line order.
    let mut t = std::mem::take(&mut out.acc);
    let mut located: Vec<(usize, Report)> = std::mem::take(&mut t.pending)
        .into_iter()
        .map(|p| {
            let loc = out.locate(p.at);
            let report = Report {
                file: loc.file.display().to_string(),
                line: loc.line as usize + p.extra,
                path: p.path,
                severity: p.severity,
                code: p.code,
                message: p.message,
            };
            (p.at.file as usize, report)
        })
        .collect();
    located.extend(engine_reports(&out.issues, &inputs, &mut t));
    // Stable: the problems of one resource keep their order.
    located.sort_by_key(|(file, r)| (*file, r.line));
    let reports: Vec<Report> = located.into_iter().map(|(_, r)| r).collect();
    output(&t, &reports, &args);
    Ok(
        if t.invalid + t.parse_errors + t.roundtrip_mismatches == 0 {
            0
        } else {
            1
        },
    )
}

/// The engine's own findings (lines that never reached the parser) as reports, with the index
/// of their file; each counts as a resource with a parse error.
fn engine_reports(
    issues: &[bcda_ndjson::Issue],
    inputs: &Inputs,
    t: &mut Totals,
) -> Vec<(usize, Report)> {
    let mut located = Vec::new();
    for i in issues {
        let (code, message) = match i.kind {
            IssueKind::InvalidUtf8 => (
                "invalid-utf8",
                format!(
                    "invalid UTF-8 at byte {} of the line",
                    i.column.saturating_sub(1)
                ),
            ),
            IssueKind::LineTooLong | IssueKind::Io | IssueKind::CorruptGzip => {
                (i.kind.as_str(), i.message.clone())
            }
            _ => continue, // blank lines and CRLF endings are fine here
        };
        t.resources += 1;
        t.parse_errors += 1;
        let file = inputs
            .files
            .iter()
            .position(|f| f.path == i.file)
            .unwrap_or(usize::MAX);
        located.push((
            file,
            Report {
                file: i.file.display().to_string(),
                line: i.line as usize,
                path: String::new(),
                severity: "error",
                code: code.into(),
                message,
            },
        ));
    }
    located
}

/// The line processor: parses, validates and optionally round-trips each record.
struct Checker {
    carin: bool,
    roundtrip: bool,
    lenient: bool,
}

/// What checking one line (or one JSON document) found.
enum Outcome {
    /// Parsed: one record, or the entries of a Bundle document (type and line within the
    /// document), with the issues, and the first round-trip difference.
    Parsed {
        checked: Checked,
        entries: Vec<(String, usize)>,
        mismatch: Option<String>,
    },
    /// The model refused it: (line within the document, path, code, message).
    Refused(usize, String, String, String),
}

impl LineProcessor for Checker {
    type Scratch = ();
    type Record<'a> = Outcome;

    fn new_scratch(&self) {}

    fn process<'a, E>(&self, line: &'a [u8], _: &'a mut (), ctx: &mut LineCtx<'_>, mut emit: E)
    where
        E: FnMut(Self::Record<'a>, LineRef),
    {
        // The engine checked UTF-8 before the call.
        let Ok(text) = std::str::from_utf8(line) else {
            return;
        };
        let v = match ctx.input().fhir_version {
            Some(FhirVersion::Stu3) => Version::Stu3,
            _ => Version::R4,
        };
        let document = ctx.input().format == FileFormat::JsonDocument;
        let opts = if self.lenient {
            ParseOptions::lenient()
        } else {
            ParseOptions::strict()
        };
        let outcome = match check(text, v, opts, self.carin, self.roundtrip) {
            Ok(checked) => {
                // A Bundle in a .json file: each entry counts as a resource.
                let entries = if checked.resource_type == "Bundle" && document {
                    bundle_entries(text, v)
                } else {
                    Vec::new()
                };
                let mismatch = checked
                    .json
                    .as_deref()
                    .and_then(|json| first_difference(text, json).ok().flatten());
                Outcome::Parsed {
                    checked,
                    entries,
                    mismatch,
                }
            }
            Err(e) => {
                let (l, c) = line_col(text, e.offset());
                Outcome::Refused(
                    l - 1,
                    e.path().to_string(),
                    e.code().into(),
                    format!("{} (column {c})", e.kind()),
                )
            }
        };
        emit(outcome, ctx.line_ref());
    }
}

/// The fold: counts and problems.
struct Collect;

impl Fold<Checker> for Collect {
    type Acc = Totals;

    fn init(&self) -> Totals {
        Totals::default()
    }

    fn add(&self, t: &mut Totals, outcome: Outcome, at: LineRef) {
        match outcome {
            Outcome::Refused(extra, path, code, message) => {
                t.resources += 1;
                t.parse_errors += 1;
                t.pending.push(Pending {
                    at,
                    extra,
                    path,
                    severity: "error",
                    code,
                    message,
                });
            }
            Outcome::Parsed {
                checked,
                entries,
                mismatch,
            } if entries.is_empty() => {
                record(t, at, 0, &checked.resource_type, &checked.issues, mismatch);
            }
            Outcome::Parsed {
                checked,
                entries,
                mismatch,
            } => {
                for (i, (ty, entry_line)) in entries.iter().enumerate() {
                    let prefix = format!("Bundle.entry[{i}].");
                    let root = format!("{prefix}resource");
                    let issues: Vec<Issue> = checked
                        .issues
                        .iter()
                        .filter(|x| x.path.starts_with(&prefix))
                        .map(|x| match x.path.strip_prefix(&root) {
                            Some(rest) => Issue {
                                path: format!("{ty}{rest}"),
                                ..x.clone()
                            },
                            None => x.clone(),
                        })
                        .collect();
                    let m = mismatch
                        .clone()
                        .filter(|p| p.starts_with(&format!("$.entry[{i}]")));
                    record(t, at, entry_line - 1, ty, &issues, m);
                }
            }
        }
    }

    fn merge(&self, t: &mut Totals, o: Totals) {
        t.resources += o.resources;
        t.valid += o.valid;
        t.invalid += o.invalid;
        t.parse_errors += o.parse_errors;
        t.roundtrip_mismatches += o.roundtrip_mismatches;
        for (k, (n, bad)) in o.by_type {
            let e = t.by_type.entry(k).or_default();
            e.0 += n;
            e.1 += bad;
        }
        t.pending.extend(o.pending);
    }
}

fn record(
    t: &mut Totals,
    at: LineRef,
    extra: usize,
    ty: &str,
    issues: &[Issue],
    mismatch: Option<String>,
) {
    t.resources += 1;
    let invalid = issues.iter().any(|i| i.severity == Severity::Error);
    match t.by_type.get_mut(ty) {
        Some(e) => {
            e.0 += 1;
            e.1 += u64::from(invalid);
        }
        None => {
            t.by_type.insert(ty.to_string(), (1, u64::from(invalid)));
        }
    }
    if invalid {
        t.invalid += 1;
    } else {
        t.valid += 1;
    }
    for i in issues {
        t.pending.push(Pending {
            at,
            extra,
            path: i.path.clone(),
            severity: i.severity.as_str(),
            code: i.code.as_str().into(),
            message: i.message.clone(),
        });
    }
    if let Some(p) = mismatch {
        t.roundtrip_mismatches += 1;
        t.pending.push(Pending {
            at,
            extra,
            path: p.clone(),
            severity: "error",
            code: "roundtrip".into(),
            message: format!("serialized JSON differs from the input at {p}"),
        });
    }
}

/// (resourceType, line within the document) of each Bundle entry.
fn bundle_entries(text: &str, v: Version) -> Vec<(String, usize)> {
    use bcda_fhir::json::{Kind, Reader};
    let mut out = Vec::new();
    let mut r = Reader::new(text);
    let Ok(true) = r.begin_object() else {
        return out;
    };
    let mut key = r.first_key().ok();
    while let Some(k) = key {
        if k == "entry" && r.peek().ok() == Some(Kind::Array) && r.begin_array().unwrap_or(false) {
            loop {
                if r.begin_object().unwrap_or(false) {
                    let mut ek = r.first_key().ok();
                    while let Some(k2) = ek {
                        if k2 == "resource" {
                            let start = r.offset();
                            let raw = r.raw_value().unwrap_or_default();
                            let ty = match v {
                                Version::R4 => r4::Resource::from_json(raw)
                                    .map(|x| x.resource_type().to_string()),
                                Version::Stu3 => stu3::Resource::from_json(raw)
                                    .map(|x| x.resource_type().to_string()),
                            };
                            out.push((
                                ty.unwrap_or_else(|_| "Unknown".into()),
                                line_col(text, start).0,
                            ));
                        } else if r.skip_value().is_err() {
                            return out;
                        }
                        ek = r.next_key().ok().flatten();
                    }
                }
                if !r.next_element().unwrap_or(false) {
                    break;
                }
            }
        } else if r.skip_value().is_err() {
            return out;
        }
        key = r.next_key().ok().flatten();
    }
    out
}

fn output(t: &Totals, reports: &[Report], args: &ValidateArgs) {
    match args.format {
        Format::Text => {
            for r in reports {
                let path = if r.path.is_empty() {
                    String::new()
                } else {
                    format!(" {}", r.path)
                };
                println!(
                    "{}:{}: {} [{}]{path}: {}",
                    r.file, r.line, r.severity, r.code, r.message
                );
            }
            println!(
                "{} resources: {} valid, {} invalid, {} parse errors{}",
                t.resources,
                t.valid,
                t.invalid,
                t.parse_errors,
                if args.roundtrip {
                    format!(", {} round-trip mismatches", t.roundtrip_mismatches)
                } else {
                    String::new()
                }
            );
        }
        Format::Json => {
            // Written by hand to keep the documented key order.
            use bcda_fhir::json::Writer;
            let mut w = Writer::new();
            w.begin_object();
            for (k, v) in [
                ("resources", t.resources),
                ("valid", t.valid),
                ("invalid", t.invalid),
                ("parse_errors", t.parse_errors),
                ("roundtrip_mismatches", t.roundtrip_mismatches),
            ] {
                w.key(k);
                w.integer(v as i64);
            }
            w.key("by_type");
            w.begin_object();
            for (k, (n, inv)) in &t.by_type {
                w.key(k);
                w.begin_object();
                w.key("resources");
                w.integer(*n as i64);
                w.key("invalid");
                w.integer(*inv as i64);
                w.end_object();
            }
            w.end_object();
            w.key("issues");
            w.begin_array();
            for r in reports {
                w.begin_object();
                w.key("file");
                w.string(&r.file);
                w.key("line");
                w.integer(r.line as i64);
                w.key("path");
                w.string(&r.path);
                w.key("severity");
                w.string(r.severity);
                w.key("code");
                w.string(&r.code);
                w.key("message");
                w.string(&r.message);
                w.end_object();
            }
            w.end_array();
            w.end_object();
            println!("{}", w.into_string());
        }
    }
}
