//! `bcda generate`: write the NDJSON files an export of a sandbox ACO would contain.

use anyhow::{bail, Context};
use bcda_synth::{
    parse_instant, sandbox_catalogue, FhirVersion, Filter, Generator, KeyOrder, ResourceKind,
    Scale, Style, TextEscapes,
};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `bcda generate`.
#[derive(Debug, clap::Args)]
pub(crate) struct GenerateArgs {
    /// Sandbox ACO id (A9994, A9990, A9991, A9992, A9993, A9998, A9999, TEST001, A9997, TEST995).
    #[arg(long)]
    aco: String,
    /// FHIR version: stu3 (BCDA v1) or r4 (BCDA v2).
    #[arg(long = "fhir-version", default_value = "r4")]
    fhir_version: String,
    /// Resource types, comma separated (default: everything the export contains).
    #[arg(long = "type", value_delimiter = ',')]
    types: Vec<String>,
    /// Only resources updated after this instant (RFC 3339, like `_since`).
    #[arg(long)]
    since: Option<String>,
    /// The data set's "now" (RFC 3339); default: the current time. Fix it for reproducible output.
    #[arg(long)]
    reference: Option<String>,
    /// Output directory (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Beneficiaries per parallel chunk.
    #[arg(long, default_value_t = 256)]
    chunk: usize,
    /// Key order and number text: go (BCDA's: keys sorted at every level, Go float64 numbers)
    /// or bfd (BFD's: resourceType first, money with two decimals).
    #[arg(long = "key-order", default_value = "go")]
    key_order: KeyOrder,
    /// String escapes: utf8 (raw UTF-8 with Go's escapes, as BCDA), minimal (raw UTF-8 with
    /// only the escapes JSON requires, as BFD) or ascii (every non-ASCII character as \uXXXX,
    /// as Python and some Java encoders).
    #[arg(long, default_value = "utf8")]
    text: TextEscapes,
    /// Utilization: realistic (Medicare's volumes, costs and mix: see bcda-synth's calibration
    /// table) or light (about a tenth of the claims: fast tests and demos).
    #[arg(long, default_value = "realistic")]
    scale: Scale,
}

/// A progress bar on a terminal (none when stderr is piped): beneficiaries done of the total
/// over all resource types, with resources and bytes written so far.
fn progress(total: u64) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} beneficiaries {msg} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

pub(crate) fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let aco = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == args.aco)
        .with_context(|| format!("unknown ACO {:?}: not in the sandbox catalogue", args.aco))?;
    let version = match args.fhir_version.to_ascii_lowercase().as_str() {
        "stu3" | "v1" => FhirVersion::Stu3,
        "r4" | "v2" => FhirVersion::R4,
        other => bail!("unknown --fhir-version {other:?}: expected stu3 or r4"),
    };
    let reference = match &args.reference {
        Some(s) => parse_instant(s)
            .with_context(|| format!("--reference {s:?} is not an RFC 3339 instant"))?,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .context("system clock before 1970")?
            .as_secs() as i64,
    };
    let since = match &args.since {
        Some(s) => Some(
            parse_instant(s)
                .with_context(|| format!("--since {s:?} is not an RFC 3339 instant"))?,
        ),
        None => None,
    };
    let g = Generator::new(&aco.spec, reference).with_scale(args.scale);
    let kinds: Vec<ResourceKind> = if args.types.is_empty() {
        g.export_kinds(version)
    } else {
        args.types
            .iter()
            .map(|t| t.parse::<ResourceKind>())
            .collect::<Result<_, _>>()?
    };
    let benes = g.current_beneficiaries();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let chunk = args.chunk.max(1);
    let style = Style {
        keys: args.key_order,
        text: args.text,
    };
    let filter = Filter {
        since_unix: since,
        until_unix: reference,
        ..Filter::default()
    };
    let bar = progress((benes.len() * kinds.len()) as u64);
    let job = Job {
        g: &g,
        version,
        benes: &benes,
        filter,
        style,
        chunk,
        bar: bar.as_ref(),
    };
    let started = Instant::now();
    let mut total_bytes = 0u64;
    for kind in kinds {
        let path = args.out.join(format!("{}.ndjson", kind.as_str()));
        let t = Instant::now();
        let (lines, bytes) = job.write_kind(kind, &path)?;
        let secs = t.elapsed().as_secs_f64();
        total_bytes += bytes;
        let line = format!(
            "{}: {lines} lines, {:.1} MB in {secs:.2} s ({:.0} MB/s)",
            path.display(),
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / secs.max(1e-9)
        );
        match &bar {
            Some(bar) => bar.suspend(|| println!("{line}")),
            None => println!("{line}"),
        }
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} ({} beneficiaries, {:?}, {style:?}): {:.1} MB in {secs:.2} s",
        aco.spec.cms_id,
        benes.len(),
        version,
        total_bytes as f64 / 1e6
    );
    Ok(())
}

/// One `bcda generate` run: what to write and how.
struct Job<'a> {
    g: &'a Generator,
    version: FhirVersion,
    benes: &'a [u32],
    filter: Filter,
    style: Style,
    chunk: usize,
    bar: Option<&'a indicatif::ProgressBar>,
}

impl Job<'_> {
    /// Writes one resource type's file; returns (lines, bytes).
    fn write_kind(&self, kind: ResourceKind, path: &std::path::Path) -> anyhow::Result<(u64, u64)> {
        let file =
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let t = Instant::now();
        let (mut lines, mut bytes) = (0u64, 0u64);
        let chunk = self.chunk;
        // Bounded memory: generate a window of chunks in parallel, write it in order, repeat.
        let window = chunk * rayon::current_num_threads().max(1) * 4;
        // Reused buffers, one per chunk of a window: no fresh pages after the first window.
        let mut pool: Vec<(u64, Vec<u8>)> = vec![(0, Vec::new()); window.div_ceil(chunk)];
        for win in self.benes.chunks(window) {
            pool.par_iter_mut()
                .zip(win.par_chunks(chunk))
                .try_for_each(|((n, buf), c)| {
                    buf.clear();
                    *n = self.g.write_ndjson_styled(
                        self.version,
                        kind,
                        c,
                        &self.filter,
                        self.style,
                        buf,
                    )?;
                    Ok::<(), bcda_synth::SynthError>(())
                })?;
            for (n, buf) in pool.iter().take(win.len().div_ceil(chunk)) {
                lines += n;
                bytes += buf.len() as u64;
                out.write_all(buf)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            if let Some(bar) = self.bar {
                bar.inc(win.len() as u64);
                let secs = t.elapsed().as_secs_f64().max(1e-9);
                bar.set_message(format!(
                    "{kind}: {lines} resources, {:.1} MB ({:.0} MB/s)",
                    bytes as f64 / 1e6,
                    bytes as f64 / 1e6 / secs
                ));
            }
        }
        out.flush()
            .with_context(|| format!("writing {}", path.display()))?;
        Ok((lines, bytes))
    }
}
