//! The scale-out benchmark: one SQLite node against PostgreSQL nodes on the same machine.
//!
//! 1. Status polls: 200 concurrent clients poll a queued job (202 + `X-Progress`: token check,
//!    revocation and ACO look-up, job read, next release time: every poll reads the database),
//!    spread round-robin over the nodes: one SQLite node, then three PostgreSQL API nodes.
//!    p50/p99 latency and requests/s.
//! 2. Export throughput of A9993 (kick-off to completion, MB/s of NDJSON written): one SQLite
//!    node, then one and two PostgreSQL worker nodes (each with the default workers).
//!
//! Every node runs in this process on one tokio runtime (the clients too), so all configurations
//! share the same cores. Each measurement is repeated; medians and min-max are printed. The
//! exports of all configurations must write the same number of lines and bytes, or it fails.
//!
//! `scripts/with-postgres.sh cargo run --release -p bcda-server --example bench_cluster -- [ROUNDS] [POLLS_PER_CLIENT]`
//! (defaults 5 and 20; the PostgreSQL URL comes from `BCDA_TEST_PG_URL`, which the script sets).

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use bcda_protocol::TokenResponse;
use bcda_server::{sandbox, Database, Role, RunningServer, ServerConfig};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const ACO: &str = "A9993";
const CLIENTS: usize = 200;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(5);
    let polls: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(20);
    let pg = std::env::var("BCDA_TEST_PG_URL")
        .map_err(|_| "BCDA_TEST_PG_URL is not set: run through scripts/with-postgres.sh")?;
    println!(
        "bench_cluster: {CLIENTS} clients x {polls} polls, {rounds} rounds; CPU: {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );

    let mut sqlite_polls = Vec::new();
    let mut pg_polls = Vec::new();
    for _ in 0..rounds {
        sqlite_polls.push(polls_on(None, 1, polls).await?);
        pg_polls.push(polls_on(Some(&pg), 3, polls).await?);
    }
    report_polls("SQLite, 1 node", &sqlite_polls);
    report_polls("PostgreSQL, 3 API nodes", &pg_polls);

    let mut runs: Vec<(&str, Vec<Export>)> = vec![
        ("SQLite, 1 node", Vec::new()),
        ("PostgreSQL, 1 worker node", Vec::new()),
        ("PostgreSQL, 2 worker nodes", Vec::new()),
    ];
    for _ in 0..rounds {
        runs[0].1.push(export_on(None, 1).await?);
        runs[1].1.push(export_on(Some(&pg), 1).await?);
        runs[2].1.push(export_on(Some(&pg), 2).await?);
    }
    let reference = (runs[0].1[0].lines, runs[0].1[0].raw_bytes);
    for (name, rs) in &runs {
        for r in rs {
            if (r.lines, r.raw_bytes) != reference {
                return Err(format!(
                    "{name}: {} lines / {} bytes, SQLite wrote {reference:?}",
                    r.lines, r.raw_bytes
                )
                .into());
            }
        }
    }
    println!(
        "export of {ACO}: {} lines, {:.1} MB NDJSON in every configuration",
        reference.0,
        reference.1 as f64 / 1e6
    );
    let base = median(runs[0].1.iter().map(|r| r.secs).collect());
    for (name, rs) in &runs {
        let secs: Vec<f64> = rs.iter().map(|r| r.secs).collect();
        let mbs: Vec<f64> = rs
            .iter()
            .map(|r| r.raw_bytes as f64 / 1e6 / r.secs)
            .collect();
        println!(
            "export {name:<28} {:>6.2} s (min {:.2}, max {:.2})  {:>6.1} MB/s  x{:.2} vs SQLite",
            median(secs.clone()),
            min(&secs),
            max(&secs),
            median(mbs),
            base / median(secs)
        );
    }
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

/// Nodes of one configuration, on a shared data directory and database.
struct Cluster {
    dir: tempfile::TempDir,
    database: Database,
    nodes: Vec<RunningServer>,
    http: reqwest::Client,
}

impl Cluster {
    /// `pg`: `None` for one SQLite node (API and workers); else a fresh database with
    /// `api` API nodes and `workers` worker nodes.
    async fn start(pg: Option<&str>, api: usize, workers: usize) -> Result<Cluster, BoxError> {
        let dir = tempfile::tempdir()?;
        let database = match pg {
            None => Database::Sqlite,
            Some(url) => Database::Postgres(fresh_database(url).await?),
        };
        let config = |role: Role, workers: Option<usize>| {
            let mut c = ServerConfig {
                port: 0,
                data_dir: dir.path().to_path_buf(),
                database: database.clone(),
                hash_params: bcda_server::HashParams::PUBLISHED,
                role,
                ..ServerConfig::default()
            };
            if let Some(w) = workers {
                c.workers = w;
            }
            c
        };
        let mut nodes = Vec::new();
        if pg.is_none() {
            let w = if workers == 0 { Some(0) } else { None };
            nodes.push(bcda_server::start(config(Role::All, w)).await?);
        } else {
            for _ in 0..api {
                nodes.push(bcda_server::start(config(Role::Api, Some(0))).await?);
            }
            for _ in 0..workers {
                nodes.push(bcda_server::start(config(Role::Worker, None)).await?);
            }
        }
        let http = reqwest::Client::builder()
            .no_gzip()
            .pool_max_idle_per_host(CLIENTS)
            .build()?;
        Ok(Cluster {
            dir,
            database,
            nodes,
            http,
        })
    }

    fn base(&self, i: usize) -> String {
        self.nodes[i].base_url()
    }

    async fn token(&self) -> Result<String, BoxError> {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            sandbox::client_id_for(ACO),
            sandbox::client_secret_for(ACO)
        ));
        let body = self
            .http
            .post(format!("{}/auth/token", self.base(0)))
            .header("Authorization", format!("Basic {basic}"))
            .send()
            .await?
            .text()
            .await?;
        Ok(TokenResponse::parse(&body)?.access_token)
    }

    async fn kickoff(&self, token: &str) -> Result<String, BoxError> {
        let resp = self
            .http
            .get(format!("{}/api/v2/Patient/$export", self.base(0)))
            .bearer_auth(token)
            .header("Accept", "application/fhir+json")
            .header("Prefer", "respond-async")
            .send()
            .await?;
        if resp.status() != 202 {
            return Err(format!("kick-off: {}", resp.status()).into());
        }
        let url = resp.headers()["content-location"].to_str()?;
        Ok(url[self.base(0).len()..].to_string())
    }

    async fn stop(self) -> Result<(), BoxError> {
        for n in self.nodes {
            n.shutdown().await?;
        }
        Ok(())
    }
}

async fn fresh_database(admin: &str) -> Result<String, BoxError> {
    use sqlx::Connection;
    let name = format!("bcda_bench_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(admin).await?;
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    let (base, _) = admin
        .rsplit_once('/')
        .ok_or("database URL without a path")?;
    Ok(format!("{base}/{name}"))
}

/// Latencies of one poll run, and its rate.
struct Polls {
    lat_ms: Vec<f64>,
    per_sec: f64,
}

/// 200 clients poll a queued job (no workers) round-robin over the API nodes.
async fn polls_on(pg: Option<&str>, api_nodes: usize, polls: usize) -> Result<Polls, BoxError> {
    let cluster = Arc::new(Cluster::start(pg, api_nodes, 0).await?);
    let token = cluster.token().await?;
    let status = cluster.kickoff(&token).await?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (cluster, token, status) = (cluster.clone(), token.clone(), status.clone());
        tasks.push(tokio::spawn(async move {
            let url = format!("{}{status}", cluster.base(c % api_nodes));
            let mut lat = Vec::with_capacity(polls);
            for _ in 0..polls {
                let t = Instant::now();
                let r = cluster.http.get(&url).bearer_auth(&token).send().await?;
                if r.status() != 202 || !r.headers().contains_key("x-progress") {
                    return Err::<_, BoxError>(format!("poll: {}", r.status()).into());
                }
                r.bytes().await?;
                lat.push(t.elapsed().as_secs_f64() * 1e3);
            }
            Ok(lat)
        }));
    }
    let mut lat_ms = Vec::new();
    for t in tasks {
        lat_ms.extend(t.await??);
    }
    let secs = started.elapsed().as_secs_f64();
    let per_sec = lat_ms.len() as f64 / secs;
    Arc::try_unwrap(cluster)
        .map_err(|_| "cluster still shared")?
        .stop()
        .await?;
    lat_ms.sort_by(f64::total_cmp);
    Ok(Polls { lat_ms, per_sec })
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report_polls(name: &str, runs: &[Polls]) {
    let p50: Vec<f64> = runs.iter().map(|r| pct(&r.lat_ms, 0.50)).collect();
    let p99: Vec<f64> = runs.iter().map(|r| pct(&r.lat_ms, 0.99)).collect();
    let rps: Vec<f64> = runs.iter().map(|r| r.per_sec).collect();
    println!(
        "polls {name:<26} p50 {:>6.2} ms ({:.2}-{:.2})  p99 {:>6.2} ms ({:.2}-{:.2})  {:>7.0} req/s ({:.0}-{:.0})",
        median(p50.clone()),
        min(&p50),
        max(&p50),
        median(p99.clone()),
        min(&p99),
        max(&p99),
        median(rps.clone()),
        min(&rps),
        max(&rps)
    );
}

/// One export run's result.
struct Export {
    secs: f64,
    lines: i64,
    raw_bytes: i64,
}

/// Export A9993 end to end: `worker_nodes` 0 means the single SQLite node.
async fn export_on(pg: Option<&str>, worker_nodes: usize) -> Result<Export, BoxError> {
    // SQLite: one node with its default workers; PostgreSQL: one API node + the worker nodes.
    let cluster = Cluster::start(pg, 1, worker_nodes.max(1)).await?;
    let token = cluster.token().await?;
    let started = Instant::now();
    let status = cluster.kickoff(&token).await?;
    let url = format!("{}{status}", cluster.base(0));
    loop {
        let r = cluster.http.get(&url).bearer_auth(&token).send().await?;
        match r.status().as_u16() {
            202 => tokio::time::sleep(Duration::from_millis(20)).await,
            200 => break,
            other => return Err(format!("export status {other}").into()),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let job_id: i64 = status.rsplit('/').next().ok_or("status URL")?.parse()?;
    let store = bcda_server::store::open(&cluster.database, cluster.dir.path()).await?;
    let files = store.job_files(job_id).await?;
    let lines = files.iter().map(|f| f.lines).sum();
    let raw_bytes = files.iter().map(|f| f.size_raw).sum();
    cluster.stop().await?;
    Ok(Export {
        secs,
        lines,
        raw_bytes,
    })
}
