//! Runs the claims statistics over the paths given on the command line and prints the JSON
//! report: `cargo run -p bcda-ndjson --example stats -- [--threads N] ../shared/samples/v2`.
//! (`--format json` and `--quiet` are accepted and ignored, so the example can stand in for
//! `bcda stats` in `benches/duckdb_compare.sh` via `BCDA_BIN`.)

use bcda_ndjson::stats::Stats;
use bcda_ndjson::{render, Config, Engine, Inputs};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut threads = 0;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "stats" | "--quiet" => {}
            "--threads" => threads = args.next().ok_or("--threads needs a value")?.parse()?,
            "--format" => {
                args.next();
            }
            _ => paths.push(a),
        }
    }
    if paths.is_empty() {
        return Err("usage: stats [--threads N] PATH...".into());
    }
    let inputs = Inputs::discover(&paths)?;
    let engine = Engine::new(Config {
        threads,
        ..Config::default()
    })?;
    let report = Stats::default().run(&engine, &inputs, None);
    println!("{}", render::to_json(&report));
    std::process::exit(i32::from(report.has_errors()));
}
