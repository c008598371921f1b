//! What BCDA's byte format costs the server: export one sandbox ACO end to end (v2, every
//! resource type, instant pace) alternately with `output_style` BCDA's (Go key order, the
//! default) and BFD's, on one data directory (same reference instant, so the same resources),
//! and print kick-off-to-complete medians with min-max, NDJSON MB/s and the Go/BFD ratio.
//!
//! Both styles must write the same data, else the program fails: the same files and line
//! counts on every run, and on the first run the same resources line by line (every line of
//! both parsed, numbers compared as `f64`, since `50` and `50.00` are the same number).
//!
//! `cargo run --release -p bcda-server --example bench_style -- [ACO] [RUNS]` (A9990, 5).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use bcda_protocol::{Manifest, TokenResponse};
use bcda_server::store::JobFile;
use bcda_server::{sandbox, Pace, ServerConfig};
use bcda_synth::Style;
use serde_json::Value;

type BoxError = Box<dyn std::error::Error>;

/// One export: wall time from kick-off to manifest, the job id and its files.
struct Run {
    secs: f64,
    job_id: i64,
    files: Vec<JobFile>,
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let aco = args.next().unwrap_or_else(|| "A9990".to_string());
    let runs: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(5);
    let dir = tempfile::tempdir()?;
    let styles = [
        ("go (BCDA's, default)", Style::default()),
        ("bfd", Style::BFD),
    ];
    let mut secs: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut raw_bytes = [0u64; 2];
    for run in 0..runs {
        let mut pair = Vec::new();
        for (side, (_, style)) in styles.iter().enumerate() {
            let r = export_once(dir.path(), &aco, *style).await?;
            secs[side].push(r.secs);
            raw_bytes[side] = r.files.iter().map(|f| f.size_raw as u64).sum();
            pair.push(r);
        }
        same_files(&pair[0].files, &pair[1].files)?;
        if run == 0 {
            let lines = same_resources(dir.path(), &pair[0], &pair[1])?;
            println!("checked: {lines} lines of both styles hold the same resources");
        }
    }
    println!("{aco} v2 every type, {runs} runs per style, alternating, instant pace:");
    for (side, (name, _)) in styles.iter().enumerate() {
        let (med, min, max) = stats(&mut secs[side]);
        let mb = raw_bytes[side] as f64 / 1e6;
        println!(
            "  {name:<22} {med:.2} s median ({min:.2}-{max:.2}), {mb:.1} MB NDJSON = {:.1} MB/s",
            mb / med
        );
    }
    let (go, bfd) = (stats(&mut secs[0]).0, stats(&mut secs[1]).0);
    println!("  time ratio go/bfd: {:.3}", go / bfd);
    Ok(())
}

/// Median, min and max.
fn stats(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

/// Start a server on `dir` in `style`, export the ACO, stop the server.
async fn export_once(dir: &Path, aco: &str, style: Style) -> Result<Run, BoxError> {
    let server = bcda_server::start(ServerConfig {
        port: 0,
        data_dir: dir.to_path_buf(),
        pace: Pace::Instant,
        output_style: style,
        ..ServerConfig::default()
    })
    .await?;
    let base = server.base_url();
    let http = reqwest::Client::builder().no_gzip().build()?;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        sandbox::client_id_for(aco),
        sandbox::client_secret_for(aco)
    ));
    let body = http
        .post(format!("{base}/auth/token"))
        .header("Authorization", format!("Basic {basic}"))
        .send()
        .await?
        .text()
        .await?;
    let token = TokenResponse::parse(&body)?.access_token;
    let t0 = Instant::now();
    let resp = http
        .get(format!("{base}/api/v2/Patient/$export"))
        .bearer_auth(&token)
        .header("Accept", "application/fhir+json")
        .header("Prefer", "respond-async")
        .send()
        .await?;
    if resp.status() != 202 {
        return Err(format!("kick-off: {} {}", resp.status(), resp.text().await?).into());
    }
    let status_url = resp.headers()["content-location"].to_str()?.to_string();
    let manifest = loop {
        let r = http.get(&status_url).bearer_auth(&token).send().await?;
        match r.status().as_u16() {
            202 => tokio::time::sleep(Duration::from_millis(10)).await,
            200 => break Manifest::parse(&r.text().await?)?,
            other => return Err(format!("status {other}: {}", r.text().await?).into()),
        }
    };
    let secs = t0.elapsed().as_secs_f64();
    server.shutdown().await?;
    let job_id = manifest.job_id as i64;
    let store = bcda_server::store::open(&bcda_server::Database::Sqlite, dir).await?;
    let files = store.job_files(job_id).await?;
    if files.len() != manifest.output.len() {
        return Err(format!("job {job_id}: manifest and store disagree").into());
    }
    Ok(Run {
        secs,
        job_id,
        files,
    })
}

/// The two exports have the same files (resource type and line count, in order).
fn same_files(a: &[JobFile], b: &[JobFile]) -> Result<(), BoxError> {
    let shape = |fs: &[JobFile]| -> Vec<(String, i64)> {
        fs.iter().map(|f| (f.resource.clone(), f.lines)).collect()
    };
    if shape(a) != shape(b) {
        return Err("the two styles wrote different files or line counts".into());
    }
    Ok(())
}

/// Every line of the two exports parses to the same resource; returns the lines compared.
fn same_resources(dir: &Path, a: &Run, b: &Run) -> Result<u64, BoxError> {
    let mut lines = 0;
    for (fa, fb) in a.files.iter().zip(&b.files) {
        let open = |run: &Run, f: &JobFile| -> Result<_, BoxError> {
            let path = dir
                .join("jobs")
                .join(run.job_id.to_string())
                .join(format!("{}.gz", f.file_name));
            let file = std::fs::File::open(&path)?;
            Ok(BufReader::new(flate2::read::MultiGzDecoder::new(file)).lines())
        };
        for (la, lb) in open(a, fa)?.zip(open(b, fb)?) {
            let (va, vb): (Value, Value) =
                (serde_json::from_str(&la?)?, serde_json::from_str(&lb?)?);
            if numbers_as_f64(va) != numbers_as_f64(vb) {
                return Err(
                    format!("{} line {}: different resources", fa.resource, lines + 1).into(),
                );
            }
            lines += 1;
        }
    }
    Ok(lines)
}

/// The value with every number as an `f64` (Go's decoding), so `50` equals `50.00`.
fn numbers_as_f64(v: Value) -> Value {
    match v {
        Value::Number(n) => serde_json::Number::from_f64(n.as_f64().unwrap_or(f64::NAN))
            .map_or(Value::Null, Value::Number),
        Value::Array(items) => Value::Array(items.into_iter().map(numbers_as_f64).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (k, numbers_as_f64(v))).collect())
        }
        other => other,
    }
}
