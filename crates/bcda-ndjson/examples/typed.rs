//! The typed full path alone, through the streaming engine: every line parsed strictly into the
//! `bcda-fhir` model, core validation (optionally CARIN Blue Button too, or none), per-type
//! counts. Prints MB/s; used by `benches/memory.sh` to measure the typed path's peak memory.
//!
//! `cargo run --release -p bcda-ndjson --example typed -- [--threads N] [--carin] [--no-validate] PATH...`
//! (build with `--features mimalloc` for mimalloc as the global allocator).

use bcda_ndjson::typed::{Typed, ValidationSummary};
use bcda_ndjson::{Config, Engine, Inputs};
use std::time::Instant;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut threads = 0;
    let mut typed = Typed::default();
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => threads = args.next().ok_or("--threads needs a value")?.parse()?,
            "--carin" => typed.carin = true,
            "--no-validate" => typed.validate = false,
            _ => paths.push(a),
        }
    }
    if paths.is_empty() {
        return Err("usage: typed [--threads N] [--carin] [--no-validate] PATH...".into());
    }
    let inputs = Inputs::discover(&paths)?;
    let engine = Engine::new(Config {
        threads,
        ..Config::default()
    })?;
    let t = Instant::now();
    let out = engine.run(
        &inputs,
        &typed,
        &ValidationSummary { max_findings: 10 },
        None,
    );
    let secs = t.elapsed().as_secs_f64();
    let mb = out.totals().bytes as f64 / 1e6;
    let records: u64 = out.acc.by_type.values().map(|x| x.0).sum();
    let invalid: u64 = out.acc.by_type.values().map(|x| x.1).sum();
    println!(
        "{mb:.0} MB in {secs:.2} s: {:.0} MB/s on {} thread(s); {records} resources, {invalid} invalid, {} errors",
        mb / secs,
        engine.threads(),
        out.error_count()
    );
    Ok(())
}
