//! SIGKILL the `bcda serve` process in the middle of a job, start it again on the same data
//! directory: the job completes with every file present exactly once and intact.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(data_dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args([
            "serve",
            // The tests' small data (`bcda serve` defaults to Medicare's volumes).
            "--scale",
            "light",
            "--port",
            "0",
            "--workers",
            "1",
            "--quiet",
            // Paced: the kill lands while written files wait for their release time.
            "--pace",
            "3",
            "--data-dir",
        ])
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn bcda serve");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("bcda serve exited before listening")
            .unwrap();
        if let Some(rest) = line.strip_prefix("bcda-rs listening on ") {
            break rest.trim().to_string();
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, base }
}

async fn token(http: &reqwest::Client, base: &str, aco: &str) -> String {
    let id = bcda_server::sandbox::client_id_for(aco);
    let secret = bcda_server::sandbox::client_secret_for(aco);
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let body = http
        .post(format!("{base}/auth/token"))
        .header("Authorization", format!("Basic {basic}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    bcda_protocol_token(&body)
}

fn bcda_protocol_token(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_job_then_restart_completes_without_loss_or_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    // no_gzip: the test checks the stored gzip bytes, whatever features other crates enable.
    let http = reqwest::Client::builder().no_gzip().build().unwrap();

    // First life: start an EOB export of A9990 (2,500 beneficiaries = 50 sub-jobs of 50).
    let first = spawn(dir.path());
    let t = token(&http, &first.base, "A9990").await;
    let resp = http
        .get(format!(
            "{}/api/v2/Patient/$export?_type=ExplanationOfBenefit",
            first.base
        ))
        .bearer_auth(&t)
        .header("Accept", "application/fhir+json")
        .header("Prefer", "respond-async")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let status_url = resp.headers()["content-location"]
        .to_str()
        .unwrap()
        .to_string();
    let status_path = status_url[first.base.len()..].to_string();

    // Wait until some, but not all, sub-jobs are done, then SIGKILL.
    let mut seen_progress = String::new();
    for _ in 0..20_000 {
        let r = http.get(&status_url).bearer_auth(&t).send().await.unwrap();
        assert_eq!(
            r.status(),
            202,
            "the job finished before it could be killed"
        );
        let p = r.headers()["x-progress"].to_str().unwrap().to_string();
        if p.starts_with("In Progress (") && p != "In Progress (0%)" {
            seen_progress = p;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!seen_progress.is_empty(), "never saw partial progress");
    let mut first = first;
    first.child.kill().unwrap(); // SIGKILL on Unix
    first.child.wait().unwrap();
    drop(first);

    // Second life on the same data directory.
    let second = spawn(dir.path());
    let t = token(&http, &second.base, "A9990").await;
    let status_url = format!("{}{}", second.base, status_path);
    let manifest = loop {
        let r = http.get(&status_url).bearer_auth(&t).send().await.unwrap();
        match r.status().as_u16() {
            202 => tokio::time::sleep(Duration::from_millis(50)).await,
            200 => break r.text().await.unwrap(),
            other => panic!("status {other}: {}", r.text().await.unwrap()),
        }
    };
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let outputs = m["output"].as_array().unwrap();
    assert_eq!(outputs.len(), 50, "one file per sub-job: {manifest}");
    let mut urls: Vec<&str> = outputs.iter().map(|o| o["url"].as_str().unwrap()).collect();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), 50, "no duplicated file");

    // Every file downloads, decompresses and holds whole EOB lines; ids are unique overall.
    let mut ids = std::collections::HashSet::new();
    for url in &urls {
        let r = http
            .get(*url)
            .bearer_auth(&t)
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{url}");
        let gz = r.bytes().await.unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut text)
            .expect("complete gzip stream");
        assert!(text.ends_with('\n'));
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["resourceType"], "ExplanationOfBenefit");
            assert!(
                ids.insert(v["id"].as_str().unwrap().to_string()),
                "duplicate resource"
            );
        }
    }
    // Exactly the manifest's files are on disk: no temp file, no orphan.
    let job_id = status_path.rsplit('/').next().unwrap();
    let on_disk = std::fs::read_dir(dir.path().join("jobs").join(job_id))
        .unwrap()
        .count();
    assert_eq!(on_disk, 50);
}
