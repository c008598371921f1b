//! `bcda validate`: parse, validate and optionally round-trip FHIR JSON / NDJSON files.

use anyhow::{Context, Result};
use bcda_fhir::json::compare::first_difference;
use bcda_fhir::json::line_col;
use bcda_fhir::runtime::{Issue, ParseError, ParseOptions, Severity};
use bcda_fhir::{r4, stu3};
use clap::{Args, ValueEnum};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
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

#[derive(Default)]
struct Totals {
    resources: u64,
    valid: u64,
    invalid: u64,
    parse_errors: u64,
    roundtrip_mismatches: u64,
    by_type: BTreeMap<String, (u64, u64)>,
    reports: Vec<Report>,
}

/// Result of checking one resource.
struct Checked {
    resource_type: String,
    issues: Vec<Issue>,
    json: String,
}

fn check(
    text: &str,
    version: Version,
    opts: ParseOptions,
    carin: bool,
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
                json: r.to_json(),
            })
        }
        Version::Stu3 => {
            let (r, mut issues) = stu3::Resource::from_json_with(text, opts)?;
            issues.extend(r.validate());
            Ok(Checked {
                resource_type: r.resource_type().into(),
                issues,
                json: r.to_json(),
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

fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("reading {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    let n = f.to_string_lossy();
                    n.ends_with(".json") || n.ends_with(".ndjson") || n.ends_with(".ndjson.gz")
                })
                .collect();
            v.sort();
            out.extend(v);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn read_text(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if path.to_string_lossy().ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .with_context(|| format!("decompressing {}", path.display()))?;
        Ok(out)
    } else {
        Ok(raw)
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
    let files = collect(&args.paths)?;
    let mut t = Totals::default();
    let opts = ParseOptions::strict();
    for file in &files {
        let name = file.display().to_string();
        let bytes = read_text(file)?;
        let ndjson = !name.ends_with(".json");
        let mut version = args.fhir_version;
        // (line number, byte offset of the line in the file, text)
        let mut docs: Vec<(usize, usize, String)> = Vec::new();
        let mut utf8_errors = Vec::new();
        if ndjson {
            let mut offset = 0;
            for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
                let this = offset;
                offset += line.len() + 1;
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                match std::str::from_utf8(line) {
                    Ok(s) => docs.push((i + 1, this, s.to_string())),
                    Err(e) => utf8_errors.push((i + 1, e.valid_up_to())),
                }
            }
        } else {
            match String::from_utf8(bytes) {
                Ok(s) => docs.push((1, 0, s)),
                Err(e) => utf8_errors.push((1, e.utf8_error().valid_up_to())),
            }
        }
        for (line, col) in utf8_errors {
            t.parse_errors += 1;
            t.resources += 1;
            t.reports.push(Report {
                file: name.clone(),
                line,
                path: String::new(),
                severity: "error",
                code: "invalid-utf8".into(),
                message: format!("invalid UTF-8 at byte {col} of the line"),
            });
        }
        for (line, _, text) in &docs {
            let v = match version {
                Some(v) => v,
                None => match detect(text) {
                    Some(v) => {
                        version = Some(v);
                        v
                    }
                    None => Version::R4,
                },
            };
            check_document(&mut t, &args, &name, *line, text, v, opts);
        }
    }
    output(&t, &args);
    Ok(
        if t.invalid + t.parse_errors + t.roundtrip_mismatches == 0 {
            0
        } else {
            1
        },
    )
}

fn check_document(
    t: &mut Totals,
    args: &ValidateArgs,
    file: &str,
    line: usize,
    text: &str,
    v: Version,
    opts: ParseOptions,
) {
    let checked = match check(text, v, opts, args.profile.is_some()) {
        Ok(c) => c,
        Err(e) => {
            t.resources += 1;
            t.parse_errors += 1;
            let (l, c) = line_col(text, e.offset());
            t.reports.push(Report {
                file: file.into(),
                line: line + l - 1,
                path: e.path().to_string(),
                severity: "error",
                code: e.code().into(),
                message: format!("{} (column {c})", e.kind()),
            });
            return;
        }
    };
    // A Bundle in a .json file: each entry counts as a resource.
    let entries =
        if checked.resource_type == "Bundle" && !file.ends_with("ndjson") && !file.ends_with(".gz")
        {
            bundle_entries(text, v)
        } else {
            Vec::new()
        };
    let mismatch = if args.roundtrip {
        first_difference(text, &checked.json).ok().flatten()
    } else {
        None
    };
    if entries.is_empty() {
        record(
            t,
            file,
            line,
            &checked.resource_type,
            &checked.issues,
            mismatch,
        );
    } else {
        for (i, (ty, entry_line)) in entries.iter().enumerate() {
            let prefix = format!("Bundle.entry[{i}].");
            let issues: Vec<Issue> = checked
                .issues
                .iter()
                .filter(|x| x.path.starts_with(&prefix))
                .map(|x| {
                    let root = format!("{prefix}resource");
                    match x.path.strip_prefix(&root) {
                        Some(rest) => Issue {
                            path: format!("{ty}{rest}"),
                            ..x.clone()
                        },
                        None => x.clone(),
                    }
                })
                .collect();
            let m = mismatch
                .clone()
                .filter(|p| p.starts_with(&format!("$.entry[{i}]")));
            record(t, file, line + entry_line - 1, ty, &issues, m);
        }
    }
}

fn record(
    t: &mut Totals,
    file: &str,
    line: usize,
    ty: &str,
    issues: &[Issue],
    mismatch: Option<String>,
) {
    t.resources += 1;
    let invalid = issues.iter().any(|i| i.severity == Severity::Error);
    let e = t.by_type.entry(ty.to_string()).or_default();
    e.0 += 1;
    if invalid {
        e.1 += 1;
        t.invalid += 1;
    } else {
        t.valid += 1;
    }
    for i in issues {
        t.reports.push(Report {
            file: file.into(),
            line,
            path: i.path.clone(),
            severity: i.severity.as_str(),
            code: i.code.as_str().into(),
            message: i.message.clone(),
        });
    }
    if let Some(p) = mismatch {
        t.roundtrip_mismatches += 1;
        t.reports.push(Report {
            file: file.into(),
            line,
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

fn output(t: &Totals, args: &ValidateArgs) {
    match args.format {
        Format::Text => {
            for r in &t.reports {
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
            for r in &t.reports {
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
