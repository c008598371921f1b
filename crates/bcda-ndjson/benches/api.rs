//! The closure API against the `Fold` trait on the same aggregate: `Engine::run` with a `Fold`
//! implementation, `Engine::fold` with closures, and `Engine::par_iter_with` + rayon `reduce`,
//! each summing the EOB payments and counting the records of a generated R4 EOB corpus through
//! the projected path on all cores. Every run checks that the three computed the same answer.
//!
//! Corpus: sandbox ACO A9993's v2 EOBs from `bcda-synth` (reference instant
//! 2026-01-01T00:00:00Z), `BCDA_BENCH_MB` MiB (default 256), written once to
//! `$CARGO_TARGET_DIR/bcda-bench-api-eob-<MB>.ndjson`.
//!
//! Before the criterion groups, a paired run (`BCDA_BENCH_ROUNDS` rounds, default 9) times the
//! three ways back to back in a rotating order each round and prints, per way, the median time
//! and MB/s and the median (min-max) of its per-round ratio to the `Fold` trait: on a machine
//! shared with other work, the ratio of neighbouring runs is steadier than separate
//! criterion groups.
//!
//! Run: `cargo bench -p bcda-ndjson --bench api`.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Duration;

use bcda_ndjson::project::{Projected, Resource};
use bcda_ndjson::{Config, Engine, Fold, Inputs, LineRef};
use bcda_synth::{sandbox_catalogue, FhirVersion, Generator, ResourceKind};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;

/// 2026-01-01T00:00:00Z: the data set's "now", fixed so the corpus never changes.
const REFERENCE: i64 = 1_767_225_600;

/// The corpus file, generated when missing.
fn corpus() -> PathBuf {
    let mb: u64 = std::env::var("BCDA_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256);
    let dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let path = dir.join(format!("bcda-bench-api-eob-{mb}.ndjson"));
    if path.exists() {
        return path;
    }
    let spec = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == "A9993")
        .expect("A9993")
        .spec;
    let g = Generator::new(&spec, REFERENCE);
    let mut out = BufWriter::new(std::fs::File::create(&path).expect("create corpus"));
    let (mut written, mut buf) = (0u64, Vec::new());
    for c in g.current_beneficiaries().chunks(64) {
        buf.clear();
        let kind = ResourceKind::ExplanationOfBenefit;
        g.write_ndjson(FhirVersion::R4, kind, c, None, REFERENCE, &mut buf)
            .expect("generate");
        out.write_all(&buf).expect("write");
        written += buf.len() as u64;
        if written >= mb << 20 {
            break;
        }
    }
    out.flush().expect("flush");
    path
}

/// (records, sum of payments in the projected path's fixed point).
type Total = (u64, i128);

fn paid(r: &Resource<'_>) -> i128 {
    match r {
        Resource::Eob(e) => e
            .payment
            .as_ref()
            .and_then(|p| p.amount.as_ref())
            .and_then(|m| m.value)
            .map_or(0, |a| a.0),
        _ => 0,
    }
}

struct Paid;

impl Fold<Projected> for Paid {
    type Acc = Total;
    fn init(&self) -> Total {
        (0, 0)
    }
    fn add(&self, acc: &mut Total, r: Resource<'_>, _at: LineRef) {
        acc.0 += 1;
        acc.1 += paid(&r);
    }
    fn merge(&self, acc: &mut Total, o: Total) {
        acc.0 += o.0;
        acc.1 += o.1;
    }
}

fn trait_fold(e: &Engine, inputs: &Inputs) -> Total {
    e.run(inputs, &Projected::default(), &Paid, None).acc
}

fn closure_fold(e: &Engine, inputs: &Inputs) -> Total {
    let add = |acc: &mut Total, r: Resource<'_>| {
        acc.0 += 1;
        acc.1 += paid(&r);
    };
    let merge = |a: &mut Total, b: Total| {
        a.0 += b.0;
        a.1 += b.1;
    };
    e.fold(inputs, &Projected::default(), || (0, 0), add, merge)
        .acc
}

fn par_iter(e: &Engine, inputs: &Inputs) -> Total {
    e.install(|| {
        e.par_iter_with(inputs, &Projected::default(), |r| paid(&r))
            .filter_map(Result::ok)
            .map(|p| (1, p))
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    })
}

type Way = fn(&Engine, &Inputs) -> Total;
const WAYS: [(&str, Way); 3] = [
    ("fold_trait", trait_fold),
    ("fold_closures", closure_fold),
    ("par_iter_reduce", par_iter),
];

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The paired run: every round times each way once, in a rotating order.
fn paired(engine: &Engine, inputs: &Inputs, want: Total) {
    let rounds: usize = std::env::var("BCDA_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(9);
    let mut secs = vec![Vec::new(); WAYS.len()];
    for round in 0..rounds {
        for k in 0..WAYS.len() {
            let i = (round + k) % WAYS.len();
            let t = std::time::Instant::now();
            let got = WAYS[i].1(engine, inputs);
            secs[i].push(t.elapsed().as_secs_f64());
            assert_eq!(got, want, "{} computed another total", WAYS[i].0);
        }
    }
    let mb = inputs.total_bytes() as f64 / 1e6;
    println!(
        "paired, {rounds} rounds, {mb:.0} MB, {} threads:",
        engine.threads()
    );
    for (i, (name, _)) in WAYS.iter().enumerate() {
        let mut ratios: Vec<f64> = (0..rounds).map(|r| secs[i][r] / secs[0][r]).collect();
        let m = median(&mut secs[i].clone());
        let r = median(&mut ratios); // sorts
        let (lo, hi) = (ratios[0], ratios[rounds - 1]);
        println!(
            "  {name:<16} median {m:.3} s ({:.0} MB/s), time / fold_trait median {r:.3} (min {lo:.3}, max {hi:.3})",
            mb / m
        );
    }
}

fn bench(c: &mut Criterion) {
    let path = corpus();
    let inputs = Inputs::discover(&[&path]).expect("inputs");
    let engine = Engine::new(Config::default()).expect("engine");
    let want = trait_fold(&engine, &inputs);
    assert!(want.0 > 0 && want.1 > 0, "empty aggregate {want:?}");
    paired(&engine, &inputs, want);
    let mut g = c.benchmark_group(format!("api/{}threads", engine.threads()));
    g.throughput(Throughput::Bytes(inputs.total_bytes()));
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for (name, way) in WAYS {
        assert_eq!(way(&engine, &inputs), want, "{name} computed another total");
        g.bench_function(name, |b| b.iter(|| way(&engine, &inputs)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
