//! A bounded loopback load test: 200 concurrent clients each get a token, poll job status,
//! list jobs and download a file; every single request must succeed.

#[macro_use]
mod common;

use std::sync::Arc;
use std::time::Instant;

use bcda_protocol::Manifest;
use common::*;

const CLIENTS: usize = 200;
const POLLS_PER_CLIENT: usize = 10;

both_stores!(
    two_hundred_concurrent_clients_zero_errors,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn two_hundred_concurrent_clients_zero_errors() {
    let s = start().await;
    let t = s.token("A9994").await;
    let url = s.start_job(&t, "/api/v2/Patient/$export").await;
    let (code, body) = s.wait_job(&t, &url).await;
    assert_eq!(code, 200);
    let manifest = Manifest::parse(&body).unwrap();
    let files: Vec<String> = manifest.output.iter().map(|o| o.url.clone()).collect();
    // Expected bytes per file, decompressed.
    let mut expected = Vec::new();
    for f in &files {
        expected.push(
            s.get(&t, &f[s.base.len()..])
                .await
                .text()
                .await
                .unwrap()
                .len(),
        );
    }
    let s = Arc::new(s);
    let files = Arc::new(files);
    let expected = Arc::new(expected);

    let barrier = Arc::new(tokio::sync::Barrier::new(CLIENTS + 1));
    let mut handles = Vec::new();
    for i in 0..CLIENTS {
        let (s, files, expected, url) = (s.clone(), files.clone(), expected.clone(), url.clone());
        let barrier = barrier.clone();
        handles.push(tokio::spawn(async move {
            let mut errors = Vec::new();
            let mut latencies = Vec::new();
            // Every client gets its own token first, then all poll at once.
            let token = s.token("A9994").await;
            barrier.wait().await;
            for _ in 0..POLLS_PER_CLIENT {
                let t0 = Instant::now();
                match s.http.get(&url).bearer_auth(&token).send().await {
                    Ok(r) if r.status() == 200 => {
                        if Manifest::parse(&r.text().await.unwrap_or_default()).is_err() {
                            errors.push("bad manifest".to_string());
                        }
                    }
                    Ok(r) => errors.push(format!("status {}", r.status())),
                    Err(e) => errors.push(e.to_string()),
                }
                latencies.push(t0.elapsed());
            }
            let k = i % files.len();
            let mut rb = s.http.get(&files[k]).bearer_auth(&token);
            if i % 2 == 0 {
                rb = rb.header("Accept-Encoding", "gzip");
            }
            match rb.send().await {
                Ok(r) if r.status() == 200 => {
                    let gz = r.headers().contains_key("content-encoding");
                    let bytes = r.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                    let len = if gz {
                        let mut out = Vec::new();
                        use std::io::Read;
                        flate2::read::MultiGzDecoder::new(&bytes[..])
                            .read_to_end(&mut out)
                            .map(|_| out.len())
                            .unwrap_or(0)
                    } else {
                        bytes.len()
                    };
                    if len != expected[k] {
                        errors.push(format!("file {k}: {len} bytes, expected {}", expected[k]));
                    }
                }
                Ok(r) => errors.push(format!("download status {}", r.status())),
                Err(e) => errors.push(e.to_string()),
            }
            (errors, latencies)
        }));
    }
    barrier.wait().await;
    let started = Instant::now();
    let mut errors = Vec::new();
    let mut latencies = Vec::new();
    for h in handles {
        let (e, l) = h.await.unwrap();
        errors.extend(e);
        latencies.extend(l);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p) as usize];
    eprintln!(
        "load: {CLIENTS} clients, {} status polls in {elapsed:?}; p50 {:?}, p99 {:?}",
        latencies.len(),
        pct(0.5),
        pct(0.99)
    );
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
    assert_eq!(latencies.len(), CLIENTS * POLLS_PER_CLIENT);
    match Arc::try_unwrap(s) {
        Ok(s) => s.stop().await,
        Err(_) => panic!("server handle still shared"),
    }
}
