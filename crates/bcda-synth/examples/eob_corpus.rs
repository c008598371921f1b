//! Writes a deterministic v2 (R4) ExplanationOfBenefit corpus of a given size for benchmarks:
//! sandbox ACO A9993, reference instant 2026-01-01T00:00:00Z, beneficiaries in attribution
//! order, generated in parallel and written in order, whole beneficiaries per file.
//!
//! ```text
//! cargo run --release -p bcda-synth --example eob_corpus -- OUT_DIR MIB [MIB...]
//! ```
//!
//! Writes one file per size, `OUT_DIR/ExplanationOfBenefit-<i>.ndjson` (i from 1), each of at
//! least that many MiB; the files continue the same beneficiary stream, so together they hold
//! distinct claims and the first `k` files are a prefix of the whole corpus. A size with the
//! suffix `gz` (e.g. `512gz`) writes `ExplanationOfBenefit-<i>.ndjson.gz` instead (gzip level 1,
//! via the `gzip` command).
//!
//! Byte style: BFD's by default (`resourceType` first, minimal escapes: the corpus the engine
//! benchmarks were measured on); `BCDA_SYNTH_KEYS=go` writes BCDA's sorted keys and Go number
//! text, `BCDA_SYNTH_TEXT=utf8` Go's HTML escapes, `BCDA_SYNTH_TEXT=ascii` every non-ASCII
//! character as `\uXXXX`.

use bcda_synth::{
    sandbox_catalogue, FhirVersion, Filter, Generator, KeyOrder, ResourceKind, Style, TextEscapes,
};
use std::io::Write;
use std::time::Instant;

/// 2026-01-01T00:00:00Z.
const REFERENCE: i64 = 1_767_225_600;
/// Beneficiaries per generated chunk (one thread each).
const CHUNK: usize = 64;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((out, sizes)) = args.split_first().filter(|(_, s)| !s.is_empty()) else {
        return Err("usage: eob_corpus OUT_DIR MIB [MIB...]".into());
    };
    let out = std::path::PathBuf::from(out);
    std::fs::create_dir_all(&out)?;
    let spec = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == "A9993")
        .ok_or("A9993 missing from the sandbox catalogue")?
        .spec;
    let g = Generator::new(&spec, REFERENCE);
    let style = Style {
        keys: std::env::var("BCDA_SYNTH_KEYS").map_or(Ok(KeyOrder::Bfd), |v| v.parse())?,
        text: std::env::var("BCDA_SYNTH_TEXT").map_or(Ok(TextEscapes::Minimal), |v| v.parse())?,
    };
    let filter = Filter {
        until_unix: REFERENCE,
        ..Filter::default()
    };
    let benes = g.current_beneficiaries();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut chunks = benes.chunks(CHUNK);
    // Generated chunks not written yet, in order (a full file leaves the rest of its window
    // to the next file, so the files together are one unbroken beneficiary stream).
    let mut pending: std::collections::VecDeque<Vec<u8>> = Default::default();
    for (i, size) in sizes.iter().enumerate() {
        let (mib, gz) = match size.strip_suffix("gz") {
            Some(s) => (s.parse::<u64>()?, true),
            None => (size.parse::<u64>()?, false),
        };
        let want = mib << 20;
        let name = format!(
            "ExplanationOfBenefit-{}.ndjson{}",
            i + 1,
            if gz { ".gz" } else { "" }
        );
        let path = out.join(&name);
        let file = std::fs::File::create(&path)?;
        let mut child = None;
        let mut sink: Box<dyn Write> = if gz {
            let mut c = std::process::Command::new("gzip")
                .arg("-1")
                .stdin(std::process::Stdio::piped())
                .stdout(file)
                .spawn()?;
            let stdin = c.stdin.take().ok_or("gzip stdin")?;
            child = Some(c);
            Box::new(std::io::BufWriter::with_capacity(1 << 20, stdin))
        } else {
            Box::new(std::io::BufWriter::with_capacity(1 << 20, file))
        };
        let t = Instant::now();
        let mut written = 0u64;
        while written < want {
            if pending.is_empty() {
                // One window: `threads` chunks generated in parallel.
                let window: Vec<&[u32]> = chunks.by_ref().take(threads).collect();
                if window.is_empty() {
                    return Err(format!("A9993 ran out of beneficiaries in {name}").into());
                }
                let (g, filter) = (&g, &filter);
                pending = std::thread::scope(|s| {
                    let handles: Vec<_> = window
                        .iter()
                        .map(|c| {
                            s.spawn(move || {
                                let mut buf = Vec::new();
                                g.write_ndjson_styled(
                                    FhirVersion::R4,
                                    ResourceKind::ExplanationOfBenefit,
                                    c,
                                    filter,
                                    style,
                                    &mut buf,
                                )
                                .expect("generate");
                                buf
                            })
                        })
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| h.join().expect("generator thread"))
                        .collect()
                });
            }
            while written < want {
                let Some(buf) = pending.pop_front() else {
                    break;
                };
                sink.write_all(&buf)?;
                written += buf.len() as u64;
            }
        }
        sink.flush()?;
        drop(sink);
        if let Some(mut c) = child {
            if !c.wait()?.success() {
                return Err("gzip failed".into());
            }
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{}: {:.1} MB of NDJSON in {secs:.1} s ({:.0} MB/s)",
            path.display(),
            written as f64 / 1e6,
            written as f64 / 1e6 / secs
        );
    }
    Ok(())
}
