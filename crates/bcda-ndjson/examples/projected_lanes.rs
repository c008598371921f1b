//! Runs `bcda stats`' aggregation over the same files through the projected path's two
//! decoders, the fast lane (structural index) and the serde_json-only reference, alternating
//! runs in one process, checks that both reports are equal, and prints MB/s and their ratio.
//! A serde_json syntax-only pass (`IgnoredAny` over every line) runs too, as a baseline.
//!
//! `cargo run --release -p bcda-ndjson --example projected_lanes -- [--threads N] [--runs R] PATH...`
//! (`--only fast|serde|base` runs one pass of one lane, for `valgrind --tool=callgrind`).

use bcda_ndjson::project::Projected;
use bcda_ndjson::split::{line_aligned_chunks, Lines, Mapped};
use bcda_ndjson::stats::Stats;
use bcda_ndjson::{Config, Engine, Inputs};
use rayon::prelude::*;
use std::time::Instant;

fn flag(args: &mut Vec<String>, name: &str, default: usize) -> usize {
    match args.iter().position(|a| a == name) {
        Some(i) => {
            let v = args.get(i + 1).and_then(|t| t.parse().ok()).expect(name);
            args.drain(i..i + 2);
            v
        }
        None => default,
    }
}

/// serde_json syntax check of every line of every plain file (the baseline).
fn ignored_any(inputs: &Inputs, pool: &rayon::ThreadPool) -> u64 {
    let mut ok = 0;
    for f in &inputs.files {
        let file = std::fs::File::open(&f.path).expect("open");
        let Some(m) = Mapped::open(&file).expect("map") else {
            continue;
        };
        let data = m.bytes();
        ok += pool.install(|| {
            line_aligned_chunks(data, 4 << 20)
                .into_par_iter()
                .map(|r| {
                    Lines::new(&data[r])
                        .filter(|(l, _)| serde_json::from_slice::<serde::de::IgnoredAny>(l).is_ok())
                        .count() as u64
                })
                .sum::<u64>()
        });
    }
    ok
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let threads = flag(&mut args, "--threads", 1);
    let runs = flag(&mut args, "--runs", 3);
    let only = args
        .iter()
        .position(|a| a == "--only")
        .map(|i| args.drain(i..i + 2).nth(1).expect("--only fast|serde|base"));
    let inputs = Inputs::discover(&args).expect("inputs");
    let engine = Engine::new(Config {
        threads,
        ..Config::default()
    })
    .expect("engine");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let stats = Stats::default();
    let fast_lane = Projected::default();
    let serde_lane = Projected::serde_only();
    // `--only fast|serde|base`: one pass of one lane and nothing else (for callgrind, which
    // counts instructions whatever else the machine is doing).
    match only.as_deref() {
        Some("fast") => return drop(stats.run_with(&engine, &inputs, &fast_lane, None)),
        Some("serde") => return drop(stats.run_with(&engine, &inputs, &serde_lane, None)),
        Some("base") => {
            ignored_any(&inputs, &pool);
            return;
        }
        Some(other) => panic!("--only {other}: expected fast, serde or base"),
        None => {}
    }
    let reference = stats.run_with(&engine, &inputs, &serde_lane, None); // also warms the cache
    let mb = reference.totals.bytes as f64 / 1e6;
    let (mut best_fast, mut best_serde, mut best_base) = (f64::MAX, f64::MAX, f64::MAX);
    for _ in 0..runs {
        let t = Instant::now();
        let report = stats.run_with(&engine, &inputs, &fast_lane, None);
        best_fast = best_fast.min(t.elapsed().as_secs_f64());
        assert!(
            report == reference,
            "the fast lane's report differs from serde_json's"
        );
        let t = Instant::now();
        let _ = stats.run_with(&engine, &inputs, &serde_lane, None);
        best_serde = best_serde.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let _ = ignored_any(&inputs, &pool);
        best_base = best_base.min(t.elapsed().as_secs_f64());
    }
    println!("{mb:.0} MB, {threads} thread(s), best of {runs}; reports equal");
    println!("stats, fast lane:             {:>7.0} MB/s", mb / best_fast);
    println!(
        "stats, serde_json lane:       {:>7.0} MB/s",
        mb / best_serde
    );
    println!("serde_json IgnoredAny only:   {:>7.0} MB/s", mb / best_base);
    println!(
        "fast / serde lane: {:.2}x; fast / IgnoredAny: {:.2}x",
        best_serde / best_fast,
        best_base / best_fast
    );
}
