//! Criterion benches per stage on a generated CARIN-shaped EOB corpus (>= 1 GiB by default):
//! memory-read baseline, split, parse (projection backends), aggregate (full `Stats` run),
//! on 1 and 2 threads.
//!
//! The corpus is built from the eight v2 `bfd__eobRead*.json` samples (compacted to one line
//! each), varying ids, patients and amounts. Size: `BCDA_BENCH_MB` (default 1024). It is
//! written once to `$CARGO_TARGET_DIR/bcda-bench-eob-<MB>.ndjson` (or the system temp dir).
//!
//! Run: `cargo bench -p bcda-ndjson --features simd-json,sonic-rs --bench engine`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use bcda_ndjson::split::{line_aligned_chunks, Lines, Mapped};
use bcda_ndjson::stats::Stats;
use bcda_ndjson::{Config, Engine, Inputs};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;

fn shared() -> PathBuf {
    let p = std::env::var_os("BCDA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(
        p.join("samples/v2").is_dir(),
        "the bench corpus is built from {}/samples/v2, which is missing (set BCDA_SHARED)",
        p.display()
    );
    p
}

/// One template per sample claim: the compact JSON with `__ID__`, `__PAT__` and `"__PAID__"`
/// placeholders.
fn templates() -> Vec<String> {
    let dir = shared().join("samples/v2");
    let names = [
        "Carrier",
        "Dme",
        "Hha",
        "Hospice",
        "Inpatient",
        "Outpatient",
        "Pde",
        "Snf",
        "CarrierWithMultipleLines",
    ];
    names
        .iter()
        .map(|n| {
            let text =
                std::fs::read_to_string(dir.join(format!("bfd__eobRead{n}.json"))).expect("sample");
            let mut v: serde_json::Value = serde_json::from_str(&text).expect("sample json");
            v["id"] = "__ID__".into();
            v["patient"]["reference"] = "Patient/__PAT__".into();
            v["payment"]["amount"] = serde_json::json!({"value": "__PAID__", "currency": "USD"});
            serde_json::to_string(&v).expect("serialise")
        })
        .collect()
}

fn corpus() -> PathBuf {
    let mb: u64 = std::env::var("BCDA_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024);
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let path = dir.join(format!("bcda-bench-eob-{mb}.ndjson"));
    let want = mb << 20;
    if std::fs::metadata(&path)
        .map(|m| m.len() >= want)
        .unwrap_or(false)
    {
        return path;
    }
    let t = templates();
    let mut out = BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&path).expect("create corpus"),
    );
    let mut written = 0u64;
    let mut i = 0u64;
    while written < want {
        let tpl = &t[(i % t.len() as u64) as usize];
        let paid = format!("{}.{:02}", (i * 7919) % 5000, (i * 31) % 100);
        let line = tpl
            .replacen("__ID__", &format!("bench-{i}"), 1)
            .replacen("__PAT__", &format!("-1999{:08}", i % 50_000), 1)
            .replacen("\"__PAID__\"", &paid, 1);
        out.write_all(line.as_bytes()).expect("write");
        out.write_all(b"\n").expect("write");
        written += line.len() as u64 + 1;
        i += 1;
    }
    out.flush().expect("flush");
    path
}

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("pool")
}

fn map(path: &Path) -> Mapped {
    Mapped::open(&std::fs::File::open(path).expect("open"))
        .expect("map")
        .expect("non-empty")
}

fn for_lines<F: Fn(&[u8]) -> u64 + Sync>(data: &[u8], f: F) -> u64 {
    line_aligned_chunks(data, 4 << 20)
        .into_par_iter()
        .map(|r| Lines::new(&data[r]).map(|(l, _)| f(l)).sum::<u64>())
        .sum()
}

fn benches(c: &mut Criterion) {
    let path = corpus();
    let m = map(&path);
    let data = m.bytes();
    let mut g = c.benchmark_group("eob-corpus");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(data.len() as u64));
    for threads in [1usize, 2] {
        let p = pool(threads);
        g.bench_function(format!("memread/{threads}t"), |b| {
            b.iter(|| {
                p.install(|| {
                    data.par_chunks(1 << 20)
                        .map(|c| {
                            c.chunks_exact(8)
                                .map(|w| u64::from_le_bytes(w.try_into().unwrap_or([0; 8])))
                                .fold(0u64, u64::wrapping_add)
                        })
                        .reduce(|| 0, u64::wrapping_add)
                })
            })
        });
        g.bench_function(format!("split+lines/{threads}t"), |b| {
            b.iter(|| p.install(|| for_lines(data, |l| l.len() as u64)))
        });
        g.bench_function(format!("parse-serde_json-ignored/{threads}t"), |b| {
            b.iter(|| {
                p.install(|| {
                    for_lines(data, |l| {
                        serde_json::from_slice::<serde::de::IgnoredAny>(l).is_ok() as u64
                    })
                })
            })
        });
        g.bench_function(format!("parse-serde_json-exact/{threads}t"), |b| {
            b.iter(|| {
                p.install(|| {
                    for_lines(data, |l| {
                        bcda_ndjson::backends::serde_json_summary(l).map_or(0, |s| s.lines)
                    })
                })
            })
        });
        g.bench_function(format!("parse-serde_json-f64/{threads}t"), |b| {
            b.iter(|| {
                p.install(|| {
                    for_lines(data, |l| {
                        bcda_ndjson::backends::serde_json_f64_summary(l).map_or(0, |s| s.lines)
                    })
                })
            })
        });
        #[cfg(feature = "sonic-rs")]
        g.bench_function(format!("parse-sonic_rs-f64/{threads}t"), |b| {
            b.iter(|| {
                p.install(|| {
                    for_lines(data, |l| {
                        bcda_ndjson::backends::sonic_rs_summary(l).map_or(0, |s| s.lines)
                    })
                })
            })
        });
        #[cfg(feature = "simd-json")]
        g.bench_function(format!("parse-simd_json-f64/{threads}t"), |b| {
            b.iter(|| {
                p.install(|| {
                    line_aligned_chunks(data, 4 << 20)
                        .into_par_iter()
                        .map_init(Vec::new, |buf, r| {
                            Lines::new(&data[r])
                                .map(|(l, _)| {
                                    bcda_ndjson::backends::simd_json_summary(l, buf)
                                        .map_or(0, |s| s.lines)
                                })
                                .sum::<u64>()
                        })
                        .sum::<u64>()
                })
            })
        });
        let engine = Engine::new(Config {
            threads,
            ..Config::default()
        })
        .expect("engine");
        let inputs = Inputs::discover(std::slice::from_ref(&path)).expect("inputs");
        g.bench_function(format!("stats/{threads}t"), |b| {
            b.iter(|| Stats::default().run(&engine, &inputs, None).totals.records)
        });
    }
    g.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
