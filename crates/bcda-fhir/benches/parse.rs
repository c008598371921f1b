//! Parsing the sample EOBs (`../shared/samples`) with each JSON backend, in MB/s.
//!
//! `cargo bench -p bcda-fhir --features bench-backends --bench parse`
//!
//! - `bcda-fhir typed`: the generated model (strict), borrowed strings, lexical decimals;
//! - `bcda-fhir typed+validate`: the same plus core validation;
//! - `bcda-fhir typed, owned`: plus `into_owned` (what a user storing resources pays);
//! - `serde_json Value`, `simd-json borrowed`, `sonic-rs Value`: untyped trees, the baselines;
//! - `serde_json IgnoredAny`: syntax check only (the floor).

use bcda_fhir::r4;
use bcda_fhir::runtime::IntoOwned;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::path::PathBuf;

fn sample_eobs() -> Vec<String> {
    let shared = std::env::var_os("BCDA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = shared.join("samples/v2");
    assert!(
        dir.is_dir(),
        "samples not found at {} (set BCDA_SHARED)",
        dir.display()
    );
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("bfd__eob") {
            continue;
        }
        let text = std::fs::read_to_string(&f)
            .unwrap()
            .replace("\"IGNORED_FIELD\"", "\"2021-01-01T00:00:00Z\"");
        // Compact form, as in NDJSON exports.
        match r4::Resource::from_json(&text).expect("sample parses") {
            r4::Resource::Bundle(b) => {
                for e in &b.entry {
                    if let Some(r @ r4::Resource::ExplanationOfBenefit(_)) = e.resource.as_deref() {
                        out.push(r.to_json());
                    }
                }
            }
            r @ r4::Resource::ExplanationOfBenefit(_) => out.push(r.to_json()),
            _ => {}
        }
    }
    assert!(!out.is_empty());
    out
}

fn bench(c: &mut Criterion) {
    let eobs = sample_eobs();
    let bytes: usize = eobs.iter().map(String::len).sum();
    let mut g = c.benchmark_group("parse-sample-eobs");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(BenchmarkId::new("bcda-fhir", "typed"), |b| {
        b.iter(|| {
            for e in &eobs {
                black_box(r4::ExplanationOfBenefit::from_json(e).unwrap());
            }
        })
    });
    g.bench_function(BenchmarkId::new("bcda-fhir", "typed+validate"), |b| {
        b.iter(|| {
            for e in &eobs {
                let x = r4::ExplanationOfBenefit::from_json(e).unwrap();
                black_box(x.validate());
            }
        })
    });
    g.bench_function(BenchmarkId::new("bcda-fhir", "typed-owned"), |b| {
        b.iter(|| {
            for e in &eobs {
                black_box(r4::ExplanationOfBenefit::from_json(e).unwrap().into_owned());
            }
        })
    });
    g.bench_function(BenchmarkId::new("bcda-fhir", "serialize"), |b| {
        let parsed: Vec<_> = eobs
            .iter()
            .map(|e| r4::ExplanationOfBenefit::from_json(e).unwrap())
            .collect();
        b.iter(|| {
            for e in &parsed {
                black_box(e.to_json());
            }
        })
    });
    g.bench_function(BenchmarkId::new("serde_json", "IgnoredAny"), |b| {
        b.iter(|| {
            for e in &eobs {
                black_box(serde_json::from_str::<serde::de::IgnoredAny>(e).unwrap());
            }
        })
    });
    g.bench_function(BenchmarkId::new("serde_json", "Value"), |b| {
        b.iter(|| {
            for e in &eobs {
                black_box(serde_json::from_str::<serde_json::Value>(e).unwrap());
            }
        })
    });
    g.bench_function(BenchmarkId::new("simd-json", "borrowed"), |b| {
        let mut buf = Vec::new();
        b.iter(|| {
            for e in &eobs {
                buf.clear();
                buf.extend_from_slice(e.as_bytes());
                black_box(simd_json::to_borrowed_value(&mut buf).unwrap());
            }
        })
    });
    g.bench_function(BenchmarkId::new("sonic-rs", "Value"), |b| {
        b.iter(|| {
            for e in &eobs {
                black_box(sonic_rs::from_str::<sonic_rs::Value>(e).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
