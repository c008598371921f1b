//! Writes the full export of a sandbox ACO to a directory, in parallel with std threads, and
//! reports throughput.
//!
//! ```text
//! cargo run --release -p bcda-synth --example export -- A9993 r4 /tmp/a9993 [light|realistic]
//! ```
//!
//! An output directory of `-` writes nothing and only counts the bytes (export sizes).

use bcda_synth::{sandbox_catalogue, FhirVersion, Generator, Scale};
use std::io::Write;
use std::time::Instant;

const REFERENCE: i64 = 1_764_547_200; // 2025-12-01T00:00:00Z

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let aco = args.get(1).map_or("A9994", String::as_str);
    let version = match args.get(2).map_or("r4", String::as_str) {
        "stu3" | "v1" => FhirVersion::Stu3,
        _ => FhirVersion::R4,
    };
    let out =
        std::path::PathBuf::from(args.get(3).map_or("/tmp/bcda-synth-export", String::as_str));
    let spec = sandbox_catalogue()
        .into_iter()
        .find(|a| a.spec.cms_id == aco)
        .ok_or("unknown ACO")?
        .spec;
    let scale: Scale = args.get(4).map_or("light", String::as_str).parse()?;
    let count_only = out.as_os_str() == "-";
    let g = Generator::new(&spec, REFERENCE).with_scale(scale);
    let benes = g.current_beneficiaries();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if !count_only {
        std::fs::create_dir_all(&out)?;
    }
    let start = Instant::now();
    let mut total = 0usize;
    for kind in g.export_kinds(version) {
        let t = Instant::now();
        let mut file: Box<dyn Write> = if count_only {
            Box::new(std::io::sink())
        } else {
            let path = out.join(format!("{kind}.ndjson"));
            Box::new(std::io::BufWriter::new(std::fs::File::create(path)?))
        };
        let mut bytes = 0usize;
        // One reusable buffer per thread: after the first window no fresh pages are touched.
        let mut bufs: Vec<Vec<u8>> = vec![Vec::new(); threads];
        // Windows of `threads` chunks: each thread fills one buffer, written in order.
        for window in benes.chunks(256 * threads) {
            std::thread::scope(|s| {
                for (buf, c) in bufs.iter_mut().zip(window.chunks(256)) {
                    let g = &g;
                    s.spawn(move || {
                        buf.clear();
                        g.write_ndjson(version, kind, c, None, REFERENCE, buf)
                            .expect("generate");
                    });
                }
            });
            for buf in bufs.iter().take(window.len().div_ceil(256)) {
                bytes += buf.len();
                file.write_all(buf)?;
            }
        }
        file.flush()?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{kind}: {:.1} MB in {secs:.2} s ({:.0} MB/s on {threads} threads)",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / secs
        );
        total += bytes;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{aco} {version:?} {scale:?}: {} beneficiaries, {:.1} MB in {secs:.2} s",
        benes.len(),
        total as f64 / 1e6
    );
    Ok(())
}
