//! Start a server in-process, export one sandbox ACO end to end over loopback, and measure:
//! kick-off to completion, status-poll latency under concurrent clients, download throughput
//! (gzip pass-through and decompressed).
//!
//! `cargo run --release -p bcda-server --example bench_export -- [ACO] [POLL_CLIENTS] [GZIP_LEVEL]`
//! (defaults: A9993, 100, 1).

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use bcda_protocol::{Manifest, TokenResponse};
use bcda_server::{sandbox, ServerConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let aco = args.next().unwrap_or_else(|| "A9993".to_string());
    let poll_clients: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(100);
    let gzip_level: u32 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1);
    let dir = tempfile::tempdir()?;
    let server = bcda_server::start(ServerConfig {
        port: 0,
        data_dir: dir.path().to_path_buf(),
        gzip_level,
        ..ServerConfig::default()
    })
    .await?;
    let base = server.base_url();
    let http = reqwest::Client::builder()
        .no_gzip()
        .pool_max_idle_per_host(256)
        .build()?;

    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        sandbox::client_id_for(&aco),
        sandbox::client_secret_for(&aco)
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
            202 => tokio::time::sleep(Duration::from_millis(100)).await,
            200 => break Manifest::parse(&r.text().await?)?,
            s => return Err(format!("status {s}: {}", r.text().await?).into()),
        }
    };
    let export_time = t0.elapsed();

    // Downloads: gzip pass-through, then decompressed.
    let mut results = Vec::new();
    for gzip in [true, false] {
        let t = Instant::now();
        let mut bytes = 0usize;
        for f in &manifest.output {
            let mut rb = http.get(&f.url).bearer_auth(&token);
            if gzip {
                rb = rb.header("Accept-Encoding", "gzip");
            }
            bytes += rb.send().await?.bytes().await?.len();
        }
        results.push((gzip, bytes, t.elapsed()));
    }
    let raw_bytes = results[1].1;
    println!(
        "export {aco} v2 (all types, gzip level {gzip_level}): {} files, {:.1} MB NDJSON ({:.1} MB gzip) in {:.2} s = {:.1} MB/s generated",
        manifest.output.len(),
        raw_bytes as f64 / 1e6,
        results[0].1 as f64 / 1e6,
        export_time.as_secs_f64(),
        raw_bytes as f64 / 1e6 / export_time.as_secs_f64()
    );
    for (gzip, bytes, t) in &results {
        println!(
            "download {}: {:.1} MB in {:.2} s = {:.1} MB/s",
            if *gzip {
                "gzip pass-through"
            } else {
                "decompressed"
            },
            *bytes as f64 / 1e6,
            t.as_secs_f64(),
            *bytes as f64 / 1e6 / t.as_secs_f64()
        );
    }

    // Status polls under concurrency.
    let polls_each = 20;
    let http = Arc::new(http);
    let mut handles = Vec::new();
    for _ in 0..poll_clients {
        let (http, url, token) = (http.clone(), status_url.clone(), token.clone());
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            for _ in 0..polls_each {
                let t = Instant::now();
                match http.get(&url).bearer_auth(&token).send().await {
                    Ok(r) if r.status() == 200 => {
                        let _ = r.bytes().await;
                    }
                    _ => errors += 1,
                }
                lat.push(t.elapsed());
            }
            (lat, errors)
        }));
    }
    let t = Instant::now();
    let mut lat = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (l, e) = h.await?;
        lat.extend(l);
        errors += e;
    }
    let wall = t.elapsed();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
    println!(
        "status polls: {poll_clients} clients x {polls_each}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {errors} errors",
        lat.len() as f64 / wall.as_secs_f64(),
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3
    );
    server.shutdown().await?;
    Ok(())
}
