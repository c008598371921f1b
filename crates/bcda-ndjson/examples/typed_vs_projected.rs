//! Reads the same files through the full typed path and the projected stats path, and prints
//! MB/s of each (same process, same page cache) and their ratio.
//!
//! `cargo run --release -p bcda-ndjson --example typed_vs_projected -- [--threads N] PATH...`
//! (build with `--features mimalloc` for mimalloc as the global allocator).

use bcda_ndjson::stats::Stats;
use bcda_ndjson::typed::{Typed, ValidationSummary};
use bcda_ndjson::{Config, Engine, Inputs};
use std::time::Instant;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = 1;
    if let Some(i) = args.iter().position(|a| a == "--threads") {
        threads = args
            .get(i + 1)
            .and_then(|t| t.parse().ok())
            .expect("--threads N");
        args.drain(i..i + 2);
    }
    let inputs = Inputs::discover(&args).expect("inputs");
    let engine = Engine::new(Config {
        threads,
        ..Config::default()
    })
    .expect("engine");
    // Warm the page cache.
    let _ = Stats::default().run(&engine, &inputs, None);
    let t = Instant::now();
    let stats = Stats::default().run(&engine, &inputs, None);
    let projected = t.elapsed().as_secs_f64();
    let bytes = stats.totals.bytes as f64 / 1e6;
    let t = Instant::now();
    let out = engine.run(
        &inputs,
        &Typed::default(),
        &ValidationSummary { max_findings: 10 },
        None,
    );
    let typed = t.elapsed().as_secs_f64();
    let records: u64 = out.acc.by_type.values().map(|x| x.0).sum();
    let invalid: u64 = out.acc.by_type.values().map(|x| x.1).sum();
    println!("{bytes:.0} MB, {threads} thread(s)");
    println!(
        "projected stats:            {:>8.0} MB/s",
        bytes / projected
    );
    println!(
        "typed + core validation:    {:>8.0} MB/s ({records} resources, {invalid} invalid)",
        bytes / typed
    );
    println!("typed / projected:          {:>8.2}", projected / typed);
}
