//! Benchmark: `bcda tuva` to Parquet against the `eob_line` view alone to Parquet, on the same
//! files, in one process, alternating, median of several runs (run it on a release build;
//! `benches/tuva.sh` makes the corpus and calls it).
//!
//! ```text
//! cargo run --release -p bcda-tuva --example bench_vs_eob_line -- FILE_OR_DIR [RUNS] [THREADS]
//! ```
//!
//! Both sides must agree: on an export without adjusted claims the Tuva claim rows
//! (medical_claim + pharmacy_claim) are exactly the `eob_line` rows; the run fails otherwise.

use std::time::Instant;

use bcda_ndjson::{Config, Engine, Inputs};
use bcda_tuva::{build, write_tables, TuvaOptions, TuvaViews};
use bcda_view::{run_to_files, OutputFormat, RunOptions};

const EOB_LINE: &str = include_str!("../../bcda-view/views/r4/eob_line.json");

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: bench_vs_eob_line FILE_OR_DIR [RUNS] [THREADS]")?;
    let runs: usize = args.get(1).map_or(Ok(5), |s| s.parse())?;
    let threads: usize = args.get(2).map_or(Ok(0), |s| s.parse())?;
    let inputs = Inputs::discover(&[path])?;
    let engine = Engine::new(Config {
        threads,
        ..Config::default()
    })?;
    let mb = inputs.total_bytes() as f64 / 1e6;
    let out = tempfile::tempdir()?;
    let eob_line = TuvaViews::from_json(&[("eob_line", EOB_LINE)])?;
    let (mut t_view, mut t_tuva) = (Vec::new(), Vec::new());
    let (mut view_rows, mut tuva_rows) = (0u64, 0u64);
    for _ in 0..runs {
        let start = Instant::now();
        let paths = [out.path().join("eob_line.parquet")];
        let s = run_to_files(
            &engine,
            &inputs,
            &eob_line,
            &paths,
            OutputFormat::Parquet,
            &RunOptions::default(),
            None,
        )?;
        t_view.push(start.elapsed().as_secs_f64());
        view_rows = s.rows[0];

        let start = Instant::now();
        let tables = build(&engine, &inputs, &TuvaOptions::default())?;
        write_tables(&tables, &out.path().join("tuva"), OutputFormat::Parquet)?;
        t_tuva.push(start.elapsed().as_secs_f64());
        tuva_rows = (tables.medical_claim.num_rows() + tables.pharmacy_claim.num_rows()) as u64;
        if tables.summary.versions_dropped != 0 {
            return Err(
                "the corpus has adjusted claims: the row check needs an export without".into(),
            );
        }
    }
    if view_rows != tuva_rows {
        return Err(format!("rows differ: eob_line {view_rows}, tuva claims {tuva_rows}").into());
    }
    let spread = |v: &[f64]| {
        let (lo, hi) = v
            .iter()
            .fold((f64::MAX, 0f64), |a, &x| (a.0.min(x), a.1.max(x)));
        format!("{lo:.2}-{hi:.2} s")
    };
    let (mv, mt) = (median(&mut t_view.clone()), median(&mut t_tuva.clone()));
    println!(
        "input {mb:.0} MB, {} threads, {runs} runs each (alternating), rows {view_rows}",
        engine.threads()
    );
    println!(
        "eob_line view -> Parquet: median {mv:.2} s ({}), {:.0} MB/s, {:.0} rows/s",
        spread(&t_view),
        mb / mv,
        view_rows as f64 / mv
    );
    println!(
        "bcda tuva -> Parquet:     median {mt:.2} s ({}), {:.0} MB/s, {:.0} rows/s",
        spread(&t_tuva),
        mb / mt,
        tuva_rows as f64 / mt
    );
    println!("tuva speed / eob_line speed: {:.2}x", mv / mt);
    Ok(())
}
