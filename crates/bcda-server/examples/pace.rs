//! Job pacing as a client sees it: start a server in-process with a pace, export one sandbox
//! ACO (v2, default types) `RUNS` times, print every change of `X-Progress` with its time, and
//! the kick-off-to-manifest time of each run with the median and spread.
//!
//! `cargo run -p bcda-server --example pace -- [ACO] [PACE] [RUNS]`
//! (defaults: A9994, realistic, 3; PACE is `realistic`, `instant` or seconds).

use std::time::{Duration, Instant};

use base64::Engine;
use bcda_protocol::{Manifest, TokenResponse};
use bcda_server::{sandbox, Pace, ServerConfig};

async fn token(
    http: &reqwest::Client,
    base: &str,
    aco: &str,
) -> Result<String, Box<dyn std::error::Error>> {
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
    Ok(TokenResponse::parse(&body)?.access_token)
}

/// One export: kick-off, poll every 100 ms printing `X-Progress` changes; returns the time to
/// the manifest and the number of files.
async fn run_once(
    http: &reqwest::Client,
    base: &str,
    token: &str,
) -> Result<(Duration, usize), Box<dyn std::error::Error>> {
    let t0 = Instant::now();
    let resp = http
        .get(format!("{base}/api/v2/Group/all/$export"))
        .bearer_auth(token)
        .header("Accept", "application/fhir+json")
        .header("Prefer", "respond-async")
        .send()
        .await?;
    if resp.status() != 202 {
        return Err(format!("kick-off: {} {}", resp.status(), resp.text().await?).into());
    }
    let status_url = resp.headers()["content-location"].to_str()?.to_string();
    let mut last = String::new();
    let manifest = loop {
        let r = http.get(&status_url).bearer_auth(token).send().await?;
        match r.status().as_u16() {
            202 => {
                let p = r.headers()["x-progress"].to_str()?.to_string();
                if p != last {
                    println!("  {:>7.2}s  X-Progress: {p}", t0.elapsed().as_secs_f64());
                    last = p;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            200 => break Manifest::parse(&r.text().await?)?,
            s => return Err(format!("status {s}: {}", r.text().await?).into()),
        }
    };
    let took = t0.elapsed();
    println!(
        "  {:>7.2}s  200, {} files",
        took.as_secs_f64(),
        manifest.output.len()
    );
    Ok((took, manifest.output.len()))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let aco = args.next().unwrap_or_else(|| "A9994".to_string());
    let pace: Pace = args.next().unwrap_or_else(|| "realistic".into()).parse()?;
    let runs: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(3);
    let dir = tempfile::tempdir()?;
    let server = bcda_server::start(ServerConfig {
        port: 0,
        data_dir: dir.path().to_path_buf(),
        pace,
        ..ServerConfig::default()
    })
    .await?;
    let base = server.base_url();
    let http = reqwest::Client::builder().no_gzip().build()?;
    let token = token(&http, &base, &aco).await?;
    let mut times = Vec::new();
    let mut files = None;
    for i in 0..runs {
        println!("run {} ({aco}, pace {pace:?}):", i + 1);
        let (took, n) = run_once(&http, &base, &token).await?;
        // Every run must produce the same export.
        if files.is_some_and(|f| f != n) {
            return Err(format!("run {} listed {n} files, the first {files:?}", i + 1).into());
        }
        files = Some(n);
        times.push(took.as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{aco} pace {pace:?}: median {:.2}s, min {:.2}s, max {:.2}s over {runs} runs",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    server.shutdown().await?;
    Ok(())
}
