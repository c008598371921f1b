//! `bcda tuva`: the Tuva Project's input layer (medical_claim, pharmacy_claim, eligibility)
//! from BCDA v2 exports.

use std::io::Write;
use std::path::PathBuf;

use bcda_ndjson::{Config, Engine, Inputs};
use bcda_tuva::{build, write_tables, TuvaOptions, TuvaSummary};
use bcda_view::OutputFormat;

/// Output format of `bcda tuva`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TuvaFormat {
    /// Apache Parquet (zstd).
    Parquet,
    /// CSV with a header line (RFC 4180).
    Csv,
}

/// Arguments of `bcda tuva`.
#[derive(Debug, clap::Args)]
pub(crate) struct TuvaArgs {
    /// Export files or directories (`*.ndjson`, `*.ndjson.gz`, with their `manifest.json`).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output directory: medical_claim, pharmacy_claim and eligibility are written there.
    #[arg(long)]
    out: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TuvaFormat::Parquet)]
    format: TuvaFormat,
    /// `data_source` of every row.
    #[arg(long, default_value = "bcda")]
    data_source: String,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Do not list issues on stderr (they are still counted in the summary).
    #[arg(long)]
    quiet: bool,
}

/// Bad lines, as `bcda stats` lists them (file:line:column: severity [kind] at PATH: message).
fn report_issues(summary: &TuvaSummary) {
    let mut err = std::io::stderr().lock();
    for i in &summary.issues {
        let _ = writeln!(err, "{i}");
    }
}

/// Runs `bcda tuva`. Exit status: 0, or 1 when bad lines were reported and skipped.
pub(crate) fn run(args: TuvaArgs) -> anyhow::Result<i32> {
    let inputs = Inputs::discover(&args.paths)?;
    let engine = Engine::new(Config {
        threads: args.threads,
        ..Config::default()
    })?;
    let options = TuvaOptions {
        data_source: args.data_source,
        ..TuvaOptions::default()
    };
    let tables = build(&engine, &inputs, &options)?;
    let format = match args.format {
        TuvaFormat::Parquet => OutputFormat::Parquet,
        TuvaFormat::Csv => OutputFormat::Csv,
    };
    let written = write_tables(&tables, &args.out, format)?;
    let s = &tables.summary;
    if !args.quiet {
        report_issues(s);
    }
    let mut out = std::io::stdout().lock();
    for ((name, table), path) in tables.tables().iter().zip(&written) {
        writeln!(
            out,
            "{name}: {} rows -> {}",
            table.num_rows(),
            path.display()
        )?;
    }
    let t = s
        .files
        .iter()
        .fold((0u64, 0u64), |a, f| (a.0 + f.bytes, a.1 + f.bad_lines));
    writeln!(
        out,
        "read {} bytes, {} EOBs; final claims only: {} versions dropped ({} claims without an active version); \
         {} claims without items; {} repeated ids skipped; {} coverages without part/start; {} bad lines skipped",
        t.0,
        s.eobs_read,
        s.versions_dropped,
        s.claims_without_active_version,
        s.claims_without_items,
        s.repeated_ids,
        s.coverages_skipped,
        t.1
    )?;
    Ok(if s.error_count() > 0 { 1 } else { 0 })
}
