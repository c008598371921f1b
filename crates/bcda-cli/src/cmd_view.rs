//! `bcda view`: SQL on FHIR v2 views over a bulk export, to Parquet, Arrow IPC, CSV or NDJSON.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use bcda_ndjson::{Config, Engine, FhirVersion, Inputs};
use bcda_view::pipeline::{output_path, relevant_inputs};
use bcda_view::{builtin, OutputFormat, RunOptions, VersionedViews, View, ViewSet};

/// Output format of `bcda view`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ViewFormat {
    /// Apache Parquet, zstd.
    Parquet,
    /// Arrow IPC file.
    Arrow,
    /// CSV with a header (lists as JSON arrays).
    Csv,
    /// One JSON object per row.
    Ndjson,
}

impl From<ViewFormat> for OutputFormat {
    fn from(f: ViewFormat) -> OutputFormat {
        match f {
            ViewFormat::Parquet => OutputFormat::Parquet,
            ViewFormat::Arrow => OutputFormat::Arrow,
            ViewFormat::Csv => OutputFormat::Csv,
            ViewFormat::Ndjson => OutputFormat::Ndjson,
        }
    }
}

/// Arguments of `bcda view`.
#[derive(Debug, clap::Args)]
pub(crate) struct ViewArgs {
    /// ViewDefinition files (`*.json` whose resourceType is ViewDefinition), then the export
    /// files or directories to read.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// A built-in view (patient, coverage, eob, eob_line, eob_diagnosis, eob_procedure,
    /// eob_careteam); repeat for several.
    #[arg(long = "builtin", value_name = "NAME")]
    builtins: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ViewFormat::Parquet)]
    format: ViewFormat,
    /// Output file (one view) or directory (one `NAME.EXT` per view).
    #[arg(long)]
    out: PathBuf,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Scale of decimal columns: Decimal128(38, SCALE); a value with more fractional digits
    /// is reported, never rounded.
    #[arg(long, default_value_t = bcda_view::batch::DEFAULT_DECIMAL_SCALE)]
    decimal_scale: i8,
    /// Rows per batch (and per Parquet row group).
    #[arg(long, default_value_t = bcda_view::batch::DEFAULT_BATCH_ROWS)]
    batch_rows: usize,
    /// Stream plain files with read(2) instead of memory-mapping them.
    #[arg(long)]
    no_mmap: bool,
    /// Do not list issues on stderr (they are still counted).
    #[arg(long)]
    quiet: bool,
}

/// A view to run: its output name and its definition for each FHIR version.
struct Named {
    name: String,
    r4: View,
    stu3: View,
}

/// `true` when `path` is a ViewDefinition file rather than data.
fn is_view_file(path: &Path) -> bool {
    if path.extension().and_then(|e| e.to_str()) != Some("json") || !path.is_file() {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| {
            v.get("resourceType")?
                .as_str()
                .map(|t| t == "ViewDefinition")
        })
        .unwrap_or(false)
}

fn load_file(path: &Path) -> anyhow::Result<Named> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read view {}", path.display()))?;
    let load =
        || View::from_json(&text).with_context(|| format!("invalid view {}", path.display()));
    let r4 = load()?;
    let name = r4.name().map(str::to_string).unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "view".into())
    });
    Ok(Named {
        name,
        stu3: load()?,
        r4,
    })
}

fn load_builtin(name: &str) -> anyhow::Result<Named> {
    let load = |version| match builtin::load(name, version) {
        Some(v) => v.with_context(|| format!("built-in view {name}")),
        None => bail!(
            "unknown built-in view `{name}` (known: {})",
            builtin::NAMES.join(", ")
        ),
    };
    Ok(Named {
        name: name.to_string(),
        r4: load(FhirVersion::R4)?,
        stu3: load(FhirVersion::Stu3)?,
    })
}

/// Splits the positional arguments into views and data paths, and loads every view.
fn views_and_data(args: &ViewArgs) -> anyhow::Result<(Vec<Named>, Vec<PathBuf>)> {
    let mut views = Vec::new();
    let mut data = Vec::new();
    for p in &args.paths {
        if is_view_file(p) {
            views.push(load_file(p)?);
        } else {
            data.push(p.clone());
        }
    }
    for b in &args.builtins {
        views.push(load_builtin(b)?);
    }
    if views.is_empty() {
        bail!("no view: give ViewDefinition files or --builtin NAME");
    }
    if data.is_empty() {
        bail!("no input: give export files or directories after the views");
    }
    let mut names: Vec<&str> = views.iter().map(|v| v.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        bail!(
            "two views are named `{}`: their outputs would collide",
            w[0]
        );
    }
    Ok((views, data))
}

/// The output path of each view: `--out` itself for one view (unless it is a directory),
/// else `--out/NAME.EXT` (the directory is created if missing).
fn output_paths(
    out: &Path,
    names: &[String],
    format: OutputFormat,
) -> anyhow::Result<Vec<PathBuf>> {
    if names.len() == 1 && !out.is_dir() {
        return Ok(vec![out.to_path_buf()]);
    }
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create output directory {}", out.display()))?;
    Ok(names.iter().map(|n| output_path(out, n, format)).collect())
}

fn progress_bar(total: u64) -> Option<indicatif::ProgressBar> {
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

/// Lists issues on stderr as `bcda stats` does: `file:line:column: severity [kind] at PATH: message`.
fn print_issues(issues: &[bcda_ndjson::Issue]) {
    let mut err = std::io::stderr().lock();
    for i in issues {
        let _ = writeln!(err, "{i}");
    }
}

/// Runs `bcda view`. Exit status: 0 when every line was read, 1 when lines were bad (they are
/// reported and skipped), 2 on a bad view, an unknown built-in, unreadable input or an
/// unwritable output (then nothing is written).
pub(crate) fn run(args: ViewArgs) -> anyhow::Result<i32> {
    let (views, data) = views_and_data(&args)?;
    let format = OutputFormat::from(args.format);
    let inputs = Inputs::discover(&data)?;
    let (names, (r4, stu3)): (Vec<String>, (Vec<View>, Vec<View>)) =
        views.into_iter().map(|v| (v.name, (v.r4, v.stu3))).unzip();
    let set = VersionedViews::new(ViewSet::new(r4), ViewSet::new(stu3))?;
    let paths = output_paths(&args.out, &names, format)?;
    let engine = Engine::new(Config {
        threads: args.threads,
        mmap: !args.no_mmap,
        ..Config::default()
    })?;
    let mut options = RunOptions::default();
    options.arrow.decimal_scale = args.decimal_scale;
    options.arrow.batch_rows = args.batch_rows;

    let bar = progress_bar(relevant_inputs(&inputs, &set).total_bytes());
    let tick = |n: u64| {
        if let Some(b) = &bar {
            b.inc(n);
        }
    };
    let started = Instant::now();
    let summary = bcda_view::run_to_files(
        &engine,
        &inputs,
        &set,
        &paths,
        format,
        &options,
        bar.as_ref().map(|_| &tick as &(dyn Fn(u64) + Sync)),
    )?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if !args.quiet {
        print_issues(&summary.issues);
    }
    print_summary(&names, &summary, started.elapsed().as_secs_f64());
    Ok(if summary.error_count() > 0 { 1 } else { 0 })
}

fn print_summary(names: &[String], s: &bcda_view::RunSummary, secs: f64) {
    let mut err = std::io::stderr().lock();
    for ((name, rows), path) in names.iter().zip(&s.rows).zip(&s.outputs) {
        let _ = writeln!(err, "{name}: {rows} rows -> {}", path.display());
    }
    let t = s.totals();
    let _ = writeln!(
        err,
        "{} lines ({} bad) in {} files, {:.1} MB in {:.2} s ({:.0} MB/s)",
        t.lines,
        t.bad_lines,
        s.files.len(),
        t.bytes as f64 / 1e6,
        secs,
        t.bytes as f64 / 1e6 / secs.max(1e-9)
    );
}
