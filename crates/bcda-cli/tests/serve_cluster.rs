//! `bcda serve` as separate processes on one PostgreSQL database and one shared data
//! directory: three API nodes and two workers serving 50 kick-offs from 10 ACOs (admin
//! commands with --database), and a worker SIGKILLed in the middle of its sub-jobs whose work
//! the other worker takes over once the leases expire. They need PostgreSQL
//! (`scripts/with-postgres.sh`); they fail without it unless `BCDA_TEST_PG=off`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;

struct Node {
    child: Child,
    base: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The test cluster's URL, `None` (skip, said aloud) when `BCDA_TEST_PG=off`.
fn pg_admin_url(test: &str) -> Option<String> {
    match std::env::var("BCDA_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("BCDA_TEST_PG").as_deref() == Ok("off") => {
            // Straight to stderr, past the test harness's capture: a skip is always seen.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "SKIPPED {test}: BCDA_TEST_PG=off");
            None
        }
        _ => panic!(
            "BCDA_TEST_PG_URL is not set: run through scripts/with-postgres.sh (as scripts/test.sh \
             does), or set BCDA_TEST_PG=off to skip the PostgreSQL tests explicitly"
        ),
    }
}

async fn fresh_database(admin: &str) -> String {
    use sqlx::Connection;
    let name = format!(
        "bcda_cli_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let mut conn = sqlx::PgConnection::connect(admin).await.unwrap();
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

fn spawn(dir: &Path, db: &str, args: &[&str]) -> Node {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args([
            "serve",
            // The tests' small data (`bcda serve` defaults to Medicare's volumes).
            "--scale",
            "light",
            "--port",
            "0",
            "--quiet",
            "--database",
            db,
            "--data-dir",
        ])
        .arg(dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn bcda serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("bcda serve exited early").unwrap();
        if let Some(rest) = line.strip_prefix("bcda-rs listening on ") {
            break rest.trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Node { child, base }
}

fn admin(dir: &Path, db: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args(["admin", "--database", db, "--data-dir"])
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bcda admin {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn token(http: &reqwest::Client, base: &str, id: &str, secret: &str) -> String {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let resp = http
        .post(format!("{base}/auth/token"))
        .header("Authorization", format!("Basic {basic}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

async fn kickoff(http: &reqwest::Client, base: &str, t: &str, path: &str) -> String {
    let resp = http
        .get(format!("{base}{path}"))
        .bearer_auth(t)
        .header("Accept", "application/fhir+json")
        .header("Prefer", "respond-async")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap());
    let url = resp.headers()["content-location"].to_str().unwrap();
    url[base.len()..].to_string()
}

/// A small deterministic generator for picking nodes.
struct Lcg(u64);

impl Lcg {
    fn pick(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Poll a job through random nodes until it is done; returns the manifest.
async fn wait_manifest(
    http: &reqwest::Client,
    bases: &[String],
    rng: &mut Lcg,
    t: &str,
    path: &str,
) -> serde_json::Value {
    for _ in 0..6000 {
        let base = &bases[rng.pick(bases.len())];
        let r = http
            .get(format!("{base}{path}"))
            .bearer_auth(t)
            .send()
            .await
            .unwrap();
        match r.status().as_u16() {
            202 => {
                assert!(r.headers().contains_key("x-progress"));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            200 => return serde_json::from_str(&r.text().await.unwrap()).unwrap(),
            other => panic!("{path}: status {other}: {}", r.text().await.unwrap()),
        }
    }
    panic!("{path} did not finish");
}

/// Download every output file of a manifest through random nodes; checks the bytes served are
/// the bytes at rest, a whole gzip stream of whole lines; returns the decompressed texts.
async fn download(
    http: &reqwest::Client,
    bases: &[String],
    rng: &mut Lcg,
    t: &str,
    dir: &Path,
    manifest: &serde_json::Value,
) -> Vec<String> {
    let mut texts = Vec::new();
    for o in manifest["output"].as_array().unwrap() {
        let url = o["url"].as_str().unwrap();
        let path = &url[url.find("/data/").unwrap()..];
        let base = &bases[rng.pick(bases.len())];
        let r = http
            .get(format!("{base}{path}"))
            .bearer_auth(t)
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let gz = r.bytes().await.unwrap();
        let mut parts = path.trim_start_matches("/data/").split('/');
        let (job, name) = (parts.next().unwrap(), parts.next().unwrap());
        let at_rest = std::fs::read(dir.join("jobs").join(job).join(format!("{name}.gz"))).unwrap();
        assert_eq!(&gz[..], &at_rest[..], "served bytes are the file's");
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut text)
            .expect("a complete gzip stream");
        assert!(text.ends_with('\n'));
        let kind = o["type"].as_str().unwrap();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["resourceType"], kind);
        }
        texts.push(text);
    }
    texts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_api_nodes_two_workers_fifty_jobs() {
    let Some(pg) = pg_admin_url("three_api_nodes_two_workers_fifty_jobs") else {
        return;
    };
    let db = fresh_database(&pg).await;
    let dir = tempfile::tempdir().unwrap();
    // Admin commands on the shared database (they migrate it first).
    let mut creds = Vec::new();
    for i in 0..10 {
        let cms = format!("A70{i:02}");
        admin(
            dir.path(),
            &db,
            &["create-aco", "--cms-id", &cms, "--beneficiaries", "30"],
        );
        let out = admin(
            dir.path(),
            &db,
            &["create-credentials", "--cms-id", &cms, "--format", "json"],
        );
        let c: serde_json::Value = serde_json::from_str(&out).unwrap();
        creds.push((
            c["client_id"].as_str().unwrap().to_string(),
            c["client_secret"].as_str().unwrap().to_string(),
        ));
    }
    let api_args = ["--role", "api", "--rate-limit", "none", "--pace", "instant"];
    let apis: Vec<Node> = (0..3).map(|_| spawn(dir.path(), &db, &api_args)).collect();
    let worker_args = ["--role", "worker", "--workers", "2", "--pace", "instant"];
    let workers: Vec<Node> = (0..2)
        .map(|_| spawn(dir.path(), &db, &worker_args))
        .collect();
    let bases: Vec<String> = apis.iter().map(|n| n.base.clone()).collect();
    let http = reqwest::Client::builder().no_gzip().build().unwrap();
    let mut rng = Lcg(19);

    // Tokens from one node serve on every node.
    let mut tokens = Vec::new();
    for (i, (id, secret)) in creds.iter().enumerate() {
        tokens.push(token(&http, &bases[i % 3], id, secret).await);
    }
    let path = "/api/v2/Patient/$export?_type=Patient,Coverage,ExplanationOfBenefit";
    let mut jobs = Vec::new();
    for k in 0..50 {
        let aco = k % 10;
        jobs.push((aco, kickoff(&http, &bases[k % 3], &tokens[aco], path).await));
    }
    let mut by_aco: HashMap<usize, Vec<String>> = HashMap::new();
    let mut job_ids = std::collections::HashSet::new();
    for (aco, status) in &jobs {
        assert!(job_ids.insert(status.clone()), "one job per kick-off");
        let manifest = wait_manifest(&http, &bases, &mut rng, &tokens[*aco], status).await;
        assert_eq!(
            manifest["output"].as_array().unwrap().len(),
            3,
            "{manifest}"
        );
        let texts = download(
            &http,
            &bases,
            &mut rng,
            &tokens[*aco],
            dir.path(),
            &manifest,
        )
        .await;
        // The same request of the same ACO gives the same bytes, whichever worker wrote them.
        let joined = texts.join("");
        let first = by_aco.entry(*aco).or_default();
        if let Some(reference) = first.first() {
            assert_eq!(&joined, reference, "ACO {aco}: same export, same content");
        }
        first.push(joined);
    }
    drop(workers);
    drop(apis);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_of_a_worker_mid_job_other_worker_finishes_after_lease() {
    let Some(pg) = pg_admin_url("sigkill_of_a_worker") else {
        return;
    };
    let db = fresh_database(&pg).await;
    let dir = tempfile::tempdir().unwrap();
    let api = spawn(dir.path(), &db, &["--role", "api"]);
    // Paced (3 s per job): written files wait for their release time while their claims are
    // held, so the kill lands with sub-jobs claimed and unrecorded. Leases of 2 s.
    let worker_args = [
        "--role",
        "worker",
        "--workers",
        "1",
        "--pace",
        "3",
        "--lease-secs",
        "2",
    ];
    let mut doomed = spawn(dir.path(), &db, &worker_args);
    let survivor = spawn(dir.path(), &db, &worker_args);
    let http = reqwest::Client::builder().no_gzip().build().unwrap();
    let t = token(
        &http,
        &api.base,
        &bcda_server::sandbox::client_id_for("A9990"),
        &bcda_server::sandbox::client_secret_for("A9990"),
    )
    .await;
    // 2,500 beneficiaries: 50 EOB sub-jobs.
    let status = kickoff(
        &http,
        &api.base,
        &t,
        "/api/v2/Patient/$export?_type=ExplanationOfBenefit",
    )
    .await;
    let mut partial = false;
    for _ in 0..20_000 {
        let r = http
            .get(format!("{}{status}", api.base))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202, "finished before the kill");
        let p = r.headers()["x-progress"].to_str().unwrap().to_string();
        if p.starts_with("In Progress (") && p != "In Progress (0%)" {
            partial = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(partial, "never saw partial progress");
    doomed.child.kill().unwrap(); // SIGKILL
    doomed.child.wait().unwrap();
    drop(doomed);
    let bases = vec![api.base.clone()];
    let mut rng = Lcg(7);
    let manifest = wait_manifest(&http, &bases, &mut rng, &t, &status).await;
    let outputs = manifest["output"].as_array().unwrap();
    assert_eq!(outputs.len(), 50, "one file per sub-job");
    let texts = download(&http, &bases, &mut rng, &t, dir.path(), &manifest).await;
    let mut ids = std::collections::HashSet::new();
    for text in &texts {
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(
                ids.insert(v["id"].as_str().unwrap().to_string()),
                "duplicate resource"
            );
        }
    }
    // Served files on disk are exactly the manifest's (a temp file of a killed write may be
    // left: it is never served and is swept at a later start once old).
    let job = status.rsplit('/').next().unwrap();
    let served = std::fs::read_dir(dir.path().join("jobs").join(job))
        .unwrap()
        .filter(|e| {
            !e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .count();
    assert_eq!(served, 50, "no orphan or duplicated file");
    // The killed worker's claims were taken over: re-claimed sub-jobs ran a second attempt.
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&db).await.unwrap();
    let retried: i64 = sqlx::query_scalar("SELECT count(*) FROM subjobs WHERE attempts > 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(
        retried > 0,
        "no sub-job was taken over from the killed worker"
    );
    let files: i64 = sqlx::query_scalar("SELECT count(*) FROM job_files")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(files, 50, "each sub-job recorded once");
    drop(survivor);
    drop(api);
}
