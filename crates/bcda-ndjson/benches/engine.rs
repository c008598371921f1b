//! Criterion benches per stage of the NDJSON engine, on 1 and 2 threads, over a generated v2
//! (R4, CARIN Blue Button) ExplanationOfBenefit corpus of all eight claim types:
//!
//! - `stage1`: the structural index of every line (stage 1 + its line splitting) with each
//!   stage-1 kernel this CPU runs (`BCDA_SIMD` does not apply here: every kernel is measured;
//!   all must find the same number of tokens);
//! - `split`: memory-read baseline (sum the mapped bytes) and line-aligned splitting + line
//!   iteration;
//! - `parse`: serde_json `IgnoredAny` (syntax check), the projection backends (serde_json exact
//!   and `f64`, simd-json, sonic-rs) and the strict typed parse of the `bcda-fhir` R4 model
//!   through the engine (no validation);
//! - `validate`: the typed full path (typed parse + core validation) through the engine, and
//!   typed + CARIN Blue Button validation on a smaller prefix of the corpus;
//! - `aggregate`: a full [`Stats`] run (projected path, cross-file checks on) with the kernel
//!   `BCDA_SIMD` selects (printed).
//!
//! The corpus comes from `bcda-synth` (sandbox ACO A9993, reference instant
//! 2026-01-01T00:00:00Z, beneficiaries in attribution order until the size is reached), so it is
//! byte-identical on every machine. Size: `BCDA_BENCH_MB` MiB (default 1024); the CARIN subset is
//! `BCDA_BENCH_CARIN_MB` MiB (default 64). The corpus is written once to
//! `$CARGO_TARGET_DIR/bcda-bench-synth-eob-<MB>.ndjson` (or the system temp dir) and reused.
//!
//! Run: `cargo bench -p bcda-ndjson --features simd-json,sonic-rs --bench engine [-- FILTER]`
//! (add `mimalloc` to the features to run it with mimalloc as the global allocator). Each
//! bench is 10 samples; the whole run took 5 min 43 s on the two (contended) cores.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use bcda_ndjson::scan::{Index, Kernel};
use bcda_ndjson::split::{line_aligned_chunks, Lines, Mapped};
use bcda_ndjson::stats::Stats;
use bcda_ndjson::typed::{Typed, ValidationSummary};
use bcda_ndjson::{Config, Engine, Inputs};
use bcda_synth::{sandbox_catalogue, FhirVersion, Generator, ResourceKind};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use rayon::prelude::*;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// 2026-01-01T00:00:00Z: the data set's "now", fixed so the corpus never changes.
const REFERENCE: i64 = 1_767_225_600;

fn env_mb(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Writes at least `want` bytes of A9993's v2 EOBs to `out`, whole beneficiaries at a time,
/// generated in parallel and written in order.
fn generate(want: u64, out: &mut impl Write) -> u64 {
    let spec = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == "A9993")
        .expect("A9993 in the sandbox catalogue")
        .spec;
    let g = Generator::new(&spec, REFERENCE);
    let benes = g.current_beneficiaries();
    let mut written = 0u64;
    for window in benes.chunks(64 * 16) {
        let bufs: Vec<Vec<u8>> = window
            .par_chunks(64)
            .map(|c| {
                let mut buf = Vec::new();
                g.write_ndjson(
                    FhirVersion::R4,
                    ResourceKind::ExplanationOfBenefit,
                    c,
                    None,
                    REFERENCE,
                    &mut buf,
                )
                .expect("generate");
                buf
            })
            .collect();
        for b in bufs {
            out.write_all(&b).expect("write corpus");
            written += b.len() as u64;
            if written >= want {
                return written;
            }
        }
    }
    panic!("A9993 has only {written} bytes of EOBs, less than the {want} asked for");
}

fn corpus() -> PathBuf {
    let mb = env_mb("BCDA_BENCH_MB", 1024);
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let path = dir.join(format!("bcda-bench-synth-eob-{mb}.ndjson"));
    if path.is_file() {
        return path;
    }
    let tmp = path.with_extension("ndjson.partial");
    let mut out =
        BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp).expect("create corpus"));
    let t = std::time::Instant::now();
    let n = generate(mb << 20, &mut out);
    out.flush().expect("flush corpus");
    drop(out);
    std::fs::rename(&tmp, &path).expect("rename corpus");
    eprintln!(
        "corpus: {} ({:.0} MB) generated in {:.1} s",
        path.display(),
        n as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    path
}

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("pool")
}

fn engine(threads: usize) -> Engine {
    Engine::new(Config {
        threads,
        ..Config::default()
    })
    .expect("engine")
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

/// Runs the typed path through the engine; panics unless every line parsed (and, with
/// validation, validated) cleanly, so a bench never measures an error path by accident.
fn typed_run(engine: &Engine, inputs: &Inputs, typed: &Typed) -> u64 {
    let out = engine.run(inputs, typed, &ValidationSummary { max_findings: 10 }, None);
    let records: u64 = out.acc.by_type.values().map(|x| x.0).sum();
    let invalid: u64 = out.acc.by_type.values().map(|x| x.1).sum();
    assert!(
        out.error_count() == 0 && invalid == 0,
        "typed run: {} errors, {invalid} invalid resources; first findings {:?}",
        out.error_count(),
        out.acc.findings
    );
    records
}

fn config<'c>(
    c: &'c mut Criterion,
    name: &str,
    bytes: u64,
) -> criterion::BenchmarkGroup<'c, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Bytes(bytes));
    g
}

struct Corpus {
    path: PathBuf,
    map: Mapped,
    inputs: Inputs,
}

impl Corpus {
    fn new() -> Corpus {
        let path = corpus();
        let map = map(&path);
        let inputs = Inputs::discover(std::slice::from_ref(&path)).expect("inputs");
        Corpus { path, map, inputs }
    }
}

fn split(c: &mut Criterion, k: &Corpus) {
    let data = k.map.bytes();
    let mut g = config(c, "split", data.len() as u64);
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
        g.bench_function(format!("lines/{threads}t"), |b| {
            b.iter(|| p.install(|| for_lines(data, |l| l.len() as u64)))
        });
    }
    g.finish();
}

fn parse(c: &mut Criterion, k: &Corpus) {
    let data = k.map.bytes();
    let mut g = config(c, "parse", data.len() as u64);
    for threads in [1usize, 2] {
        let p = pool(threads);
        g.bench_function(format!("serde_json-ignored/{threads}t"), |b| {
            b.iter(|| {
                p.install(|| {
                    for_lines(data, |l| {
                        serde_json::from_slice::<serde::de::IgnoredAny>(l).is_ok() as u64
                    })
                })
            })
        });
        g.bench_function(format!("serde_json-exact/{threads}t"), |b| {
            b.iter(|| {
                p.install(|| {
                    for_lines(data, |l| {
                        bcda_ndjson::backends::serde_json_summary(l).map_or(0, |s| s.lines)
                    })
                })
            })
        });
        g.bench_function(format!("serde_json-f64/{threads}t"), |b| {
            b.iter(|| {
                p.install(|| {
                    for_lines(data, |l| {
                        bcda_ndjson::backends::serde_json_f64_summary(l).map_or(0, |s| s.lines)
                    })
                })
            })
        });
        #[cfg(feature = "sonic-rs")]
        g.bench_function(format!("sonic_rs-f64/{threads}t"), |b| {
            b.iter(|| {
                p.install(|| {
                    for_lines(data, |l| {
                        bcda_ndjson::backends::sonic_rs_summary(l).map_or(0, |s| s.lines)
                    })
                })
            })
        });
        #[cfg(feature = "simd-json")]
        g.bench_function(format!("simd_json-f64/{threads}t"), |b| {
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
        let e = engine(threads);
        let typed = Typed {
            validate: false,
            ..Typed::default()
        };
        g.bench_function(format!("typed-r4/{threads}t"), |b| {
            b.iter(|| typed_run(&e, &k.inputs, &typed))
        });
    }
    g.finish();
}

fn validate(c: &mut Criterion, k: &Corpus) {
    let data = k.map.bytes();
    // The CARIN subset: a line-aligned prefix of the corpus in its own file.
    let carin_mb = env_mb("BCDA_BENCH_CARIN_MB", 64);
    let sub_len = if (carin_mb << 20) as usize >= data.len() {
        data.len()
    } else {
        line_aligned_chunks(data, (carin_mb << 20) as usize)[0].end
    };
    let sub_path = k.path.with_extension(format!("carin-{carin_mb}.ndjson"));
    if std::fs::metadata(&sub_path).map(|m| m.len()).ok() != Some(sub_len as u64) {
        std::fs::write(&sub_path, &data[..sub_len]).expect("write CARIN subset");
    }
    let sub_inputs = Inputs::discover(std::slice::from_ref(&sub_path)).expect("inputs");

    let mut g = config(c, "validate", data.len() as u64);
    for threads in [1usize, 2] {
        let e = engine(threads);
        g.bench_function(format!("typed+core/{threads}t"), |b| {
            b.iter(|| typed_run(&e, &k.inputs, &Typed::default()))
        });
    }
    g.throughput(Throughput::Bytes(sub_len as u64));
    for threads in [1usize, 2] {
        let e = engine(threads);
        let typed = Typed {
            carin: true,
            ..Typed::default()
        };
        g.bench_function(format!("typed+core+carin-{carin_mb}MiB/{threads}t"), |b| {
            b.iter(|| typed_run(&e, &sub_inputs, &typed))
        });
    }
    g.finish();
}

/// Tokens of every line of `data`, indexed with `index` (a line stage 1 refuses counts none).
fn index_lines(index: &mut Index, data: &[u8]) -> u64 {
    let (mut at, mut tokens) = (0, 0);
    while at < data.len() {
        let len = index.scan_line(&data[at..]);
        if index.line_str(&data[at..at + len]).is_ok() {
            tokens += index.tokens().len() as u64;
        }
        at += len + 1;
    }
    tokens
}

fn stage1(c: &mut Criterion, k: &Corpus) {
    let data = k.map.bytes();
    let mut g = config(c, "stage1", data.len() as u64);
    let mut want = None;
    for kernel in Kernel::available() {
        let mut index = Index::with_kernel(kernel).expect("available");
        let tokens = index_lines(&mut index, data);
        assert_eq!(
            *want.get_or_insert(tokens),
            tokens,
            "{kernel:?} finds other tokens"
        );
        g.bench_function(format!("index-lines-{}/1t", kernel.name()), |b| {
            b.iter(|| index_lines(&mut index, data))
        });
    }
    g.finish();
}

fn aggregate(c: &mut Criterion, k: &Corpus) {
    eprintln!(
        "aggregate: stage-1 kernel {} (available: {:?})",
        Kernel::active().name(),
        Kernel::available()
    );
    let mut g = config(c, "aggregate", k.map.bytes().len() as u64);
    for threads in [1usize, 2] {
        let e = engine(threads);
        g.bench_function(format!("stats/{threads}t"), |b| {
            b.iter(|| {
                let r = Stats::default().run(&e, &k.inputs, None);
                assert_eq!(r.totals.bytes, k.map.bytes().len() as u64);
                r.totals.records
            })
        });
    }
    g.finish();
}

fn benches(c: &mut Criterion) {
    let k = Corpus::new();
    stage1(c, &k);
    split(c, &k);
    parse(c, &k);
    validate(c, &k);
    aggregate(c, &k);
}

criterion_group!(engine_stages, benches);
criterion_main!(engine_stages);
