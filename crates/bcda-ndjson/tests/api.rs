//! The closure and iterator API of the engine: `fold` with closures, `iter`, `par_iter` and the
//! `Fold` trait give the same totals and the same issues on 1 and N threads, from files, bytes
//! and readers (plain and gzip).

use std::collections::BTreeMap;
use std::io::Write;

use bcda_ndjson::typed::{Typed, TypedRecord};
use bcda_ndjson::{Config, Engine, Fold, Inputs, Issue, IssueKind, LineRef};
use bcda_synth::{sandbox_catalogue, FhirVersion, Generator, ResourceKind};
use rayon::prelude::*;

/// 2026-01-01T00:00:00Z.
const REFERENCE: i64 = 1_767_225_600;

/// NDJSON of one resource kind for 25 beneficiaries of a sandbox ACO (R4).
fn synth(kind: ResourceKind) -> Vec<u8> {
    let spec = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == "A9994")
        .expect("A9994")
        .spec;
    let g = Generator::new(&spec, REFERENCE);
    let benes: Vec<u32> = g.current_beneficiaries().into_iter().take(25).collect();
    let mut out = Vec::new();
    g.write_ndjson(FhirVersion::R4, kind, &benes, None, REFERENCE, &mut out)
        .expect("generate");
    out
}

/// The EOBs with a truncated line and an unknown property (both errors) in the middle.
fn eobs() -> Vec<u8> {
    let text = String::from_utf8(synth(ResourceKind::ExplanationOfBenefit)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(lines.len() > 20, "too few EOBs: {}", lines.len());
    let half = lines[7].len() / 2;
    lines[7].truncate(half);
    lines[15] = lines[15].replacen("\"id\":", "\"idd\":1,\"id\":", 1);
    (lines.join("\n") + "\n").into_bytes()
}

fn engine(threads: usize) -> Engine {
    Engine::new(Config {
        threads,
        chunk_bytes: 16 * 1024,
        ..Config::default()
    })
    .unwrap()
}

/// Per resource type: resources and validation findings.
type Counts = BTreeMap<String, (u64, u64)>;

fn add(acc: &mut Counts, rec: TypedRecord<'_>) {
    let e = acc
        .entry(rec.resource.resource_type().to_string())
        .or_default();
    e.0 += 1;
    e.1 += rec.issues.len() as u64;
}

fn merge(acc: &mut Counts, other: Counts) {
    for (k, (n, f)) in other {
        let e = acc.entry(k).or_default();
        e.0 += n;
        e.1 += f;
    }
}

struct ByType;

impl Fold<Typed> for ByType {
    type Acc = Counts;
    fn init(&self) -> Counts {
        Counts::new()
    }
    fn add(&self, acc: &mut Counts, rec: TypedRecord<'_>, _at: LineRef) {
        add(acc, rec)
    }
    fn merge(&self, acc: &mut Counts, other: Counts) {
        merge(acc, other)
    }
}

/// Issues as (file name, line, kind), sorted.
type Located = Vec<(String, u64, IssueKind)>;

/// Errors as (file name, line, kind), sorted.
fn located(issues: &[Issue]) -> Located {
    let mut v: Vec<_> = issues
        .iter()
        .map(|i| (i.file.display().to_string(), i.line, i.kind))
        .collect();
    v.sort();
    v
}

/// Counts and issues by the four ways, on `threads` threads.
fn four_ways(inputs: &Inputs, threads: usize) -> Vec<(Counts, Located)> {
    let e = engine(threads);
    let typed = Typed::default();
    let run = e.run(inputs, &typed, &ByType, None);
    let fold = e.fold(inputs, &typed, Counts::new, add, merge);
    let (mut seq, mut seq_issues) = (Counts::new(), Vec::new());
    for item in e.iter(inputs, &typed) {
        match item {
            Ok(rec) => add(&mut seq, rec),
            Err(issue) => seq_issues.push(issue),
        }
    }
    let (par, par_issues) = e.install(|| {
        e.par_iter(inputs, &typed)
            .fold(
                || (Counts::new(), Vec::new()),
                |(mut c, mut i), item| {
                    match item {
                        Ok(rec) => add(&mut c, rec),
                        Err(issue) => i.push(issue),
                    }
                    (c, i)
                },
            )
            .reduce(
                || (Counts::new(), Vec::new()),
                |(mut c, mut i), (c2, i2)| {
                    merge(&mut c, c2);
                    i.extend(i2);
                    (c, i)
                },
            )
    });
    vec![
        (run.acc, located(&run.issues)),
        (fold.acc, located(&fold.issues)),
        (seq, located(&seq_issues)),
        (par, located(&par_issues)),
    ]
}

#[test]
fn fold_iter_par_iter_and_the_fold_trait_agree_on_1_and_n_threads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Patient.ndjson"),
        synth(ResourceKind::Patient),
    )
    .unwrap();
    std::fs::write(dir.path().join("ExplanationOfBenefit.ndjson"), eobs()).unwrap();
    let inputs = Inputs::discover(&[dir.path()]).unwrap();
    let reference = four_ways(&inputs, 1).remove(0);
    let eob = reference
        .0
        .get("ExplanationOfBenefit")
        .expect("EOBs counted");
    assert!(eob.0 > 20, "{eob:?}");
    assert_eq!(reference.0.get("Patient").map(|p| p.0), Some(25));
    // The truncated line 8 and the unknown property on line 16 are errors, located.
    let bad: Vec<(u64, IssueKind)> = reference.1.iter().map(|(_, l, k)| (*l, *k)).collect();
    assert_eq!(
        bad,
        [
            (8, IssueKind::InvalidJson),
            (16, IssueKind::InvalidResource)
        ]
    );
    for threads in [1, 3] {
        for (way, got) in four_ways(&inputs, threads).into_iter().enumerate() {
            assert_eq!(got, reference, "way {way} on {threads} threads");
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn bytes_and_readers_plain_or_gzip_read_like_files() {
    let text = eobs();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ExplanationOfBenefit.ndjson");
    std::fs::write(&path, &text).unwrap();
    let files = Inputs::discover(&[&path]).unwrap();
    let count = |inputs: &Inputs| {
        let out = engine(2).fold(inputs, &Typed::default(), Counts::new, add, merge);
        let lines: Vec<(u64, IssueKind)> = out.issues.iter().map(|i| (i.line, i.kind)).collect();
        (out.acc, lines)
    };
    let want = count(&files);
    let name = "ExplanationOfBenefit.ndjson";
    let bytes = Inputs::from_bytes(name, text.clone());
    assert_eq!(bytes.files[0].resource_type, files.files[0].resource_type);
    assert_eq!(count(&bytes), want, "bytes");
    assert_eq!(
        count(&Inputs::from_bytes("eob.gz", gzip(&text))),
        want,
        "gzip bytes"
    );
    let reader = Inputs::from_reader(name, std::io::Cursor::new(text.clone())).unwrap();
    assert_eq!(
        reader.files[0].resource_type.as_deref(),
        Some("ExplanationOfBenefit")
    );
    assert_eq!(count(&reader), want, "reader");
    // A reader is read once: a second run reports it instead of inventing data.
    let again = engine(1).fold(&reader, &Typed::default(), Counts::new, add, merge);
    assert!(again.acc.is_empty());
    assert!(
        again.issues.iter().any(|i| i.kind == IssueKind::Io),
        "{:?}",
        again.issues
    );
    let gz = Inputs::from_reader("stdin", std::io::Cursor::new(gzip(&text))).unwrap();
    assert_eq!(count(&gz), want, "gzip reader");
}

#[test]
fn issues_and_errors_are_std_errors_that_cross_threads() {
    fn is_error<E: std::error::Error + Send + Sync + 'static>() {}
    is_error::<Issue>();
    is_error::<bcda_ndjson::Error>();
    let inputs = Inputs::from_bytes("x.ndjson", "{\"resourceType\":\n");
    let first = engine(1).iter(&inputs, &Typed::default()).next().unwrap();
    let err: Box<dyn std::error::Error + Send + Sync> = Box::new(first.unwrap_err());
    assert!(err.to_string().starts_with("x.ndjson:1:"), "{err}");
}
