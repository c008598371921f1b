//! `bcda stats`: claims statistics over a BCDA bulk export (projected read path).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use bcda_ndjson::stats::{Stats, StatsConfig};
use bcda_ndjson::{render, Config, Engine, Inputs};

/// Output format of `bcda stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum StatsFormat {
    /// Human-readable table.
    Table,
    /// Stable JSON (schema `bcda-stats/1`).
    Json,
    /// Long-format CSV: section,key,metric,value.
    Csv,
}

/// Arguments of `bcda stats`.
#[derive(Debug, clap::Args)]
pub(crate) struct StatsArgs {
    /// Export files or directories (`*.ndjson`, `*.ndjson.gz`, `*.json`, `manifest.json`).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
    format: StatsFormat,
    /// Length of the top-N lists.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Reference date for patient ages, YYYY-MM-DD (default: 2025-01-01, fixed for reproducibility).
    #[arg(long, default_value = "2025-01-01")]
    as_of: String,
    /// Stream plain files with read(2) instead of memory-mapping them.
    #[arg(long)]
    no_mmap: bool,
    /// Skip the cross-file checks (patient references, duplicate ids, manifest counts).
    #[arg(long)]
    no_checks: bool,
    /// Do not list issues on stderr (they are still counted and in --format json).
    #[arg(long)]
    quiet: bool,
}

fn parse_date(s: &str) -> anyhow::Result<(i32, u32, u32)> {
    let mut it = s.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (it.next(), it.next(), it.next()) else {
        anyhow::bail!("--as-of must be YYYY-MM-DD, got {s:?}");
    };
    Ok((y.parse()?, m.parse()?, d.parse()?))
}

/// Runs `bcda stats`. Exit status: 0 when no error was found, 1 when the data had errors
/// (warnings such as CRLF or blank lines do not count), 2 on a fatal problem.
pub(crate) fn run(args: StatsArgs) -> anyhow::Result<i32> {
    let inputs = Inputs::discover(&args.paths)?;
    let config = Config {
        threads: args.threads,
        mmap: !args.no_mmap,
        ..Config::default()
    };
    let engine = Engine::new(config)?;
    let stats = Stats {
        config: StatsConfig {
            top_n: args.top,
            as_of: parse_date(&args.as_of)?,
            checks: !args.no_checks,
        },
    };

    let bar = progress_bar(inputs.total_bytes());
    let tick = |n: u64| {
        if let Some(b) = &bar {
            b.inc(n);
        }
    };
    let report = stats.run(
        &engine,
        &inputs,
        bar.as_ref().map(|_| &tick as &(dyn Fn(u64) + Sync)),
    );
    if let Some(b) = &bar {
        b.finish_and_clear();
    }

    if !args.quiet {
        let mut err = std::io::stderr().lock();
        for i in &report.issues {
            let path = i
                .json_path
                .as_deref()
                .map(|p| format!(" at {p}"))
                .unwrap_or_default();
            let _ = writeln!(
                err,
                "{}:{}:{}: {} [{}]{}: {}",
                i.file.display(),
                i.line,
                i.column,
                i.severity,
                i.kind,
                path,
                i.message
            );
        }
    }
    let text = match args.format {
        StatsFormat::Table => render::to_table(&report),
        StatsFormat::Json => render::to_json(&report) + "\n",
        StatsFormat::Csv => render::to_csv(&report),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if report.has_errors() { 1 } else { 0 })
}

/// A progress bar over `total` input bytes on stderr when it is a terminal (none when piped),
/// shared by `bcda stats` and `bcda validate`.
pub(crate) fn progress_bar(total: u64) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}
