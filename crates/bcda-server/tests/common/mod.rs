//! Shared test harness: a server on a temp dir and loopback port 0, plus HTTP helpers.
//!
//! Every server test runs against both stores: `both_stores!(name)` turns `async fn name()`
//! into the tests `name::sqlite` and `name::postgres`; [`start`] and friends build the server
//! on the store of the test that calls them (a fresh database per server on the PostgreSQL
//! cluster of `BCDA_TEST_PG_URL`, which `scripts/with-postgres.sh` starts).
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine;
use bcda_server::store::Store;
use bcda_server::{sandbox, Database, HashParams, RunningServer, ServerConfig};

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

tokio::task_local! {
    static BACKEND: Backend;
}

/// The store of the running test (SQLite outside `both_stores!`).
pub fn backend() -> Backend {
    BACKEND.try_with(|b| *b).unwrap_or(Backend::Sqlite)
}

/// The PostgreSQL cluster's superuser URL. Absent: a failure with instructions, unless
/// `BCDA_TEST_PG=off` says to skip (then `None`, and the caller prints that it skipped).
pub fn pg_admin_url() -> Option<String> {
    if let Ok(url) = std::env::var("BCDA_TEST_PG_URL") {
        if !url.is_empty() {
            return Some(url);
        }
    }
    if std::env::var("BCDA_TEST_PG").as_deref() == Ok("off") {
        return None;
    }
    panic!(
        "BCDA_TEST_PG_URL is not set: the PostgreSQL tests need a cluster. Run them through \
         scripts/with-postgres.sh (e.g. `scripts/with-postgres.sh cargo test -p bcda-server`, \
         as scripts/test.sh does), or set BCDA_TEST_PG=off to skip them explicitly."
    );
}

/// A new, empty database on the test cluster; returns its URL.
pub async fn fresh_pg_database() -> String {
    use sqlx::Connection;
    let admin = pg_admin_url().expect("PostgreSQL tests are off");
    let name = format!("bcda_t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let _ = conn.close().await;
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// Run a test body on one store; on PostgreSQL with `BCDA_TEST_PG=off`, print that it skipped.
pub async fn run_on<F: std::future::Future<Output = ()>>(backend: Backend, name: &str, body: F) {
    if backend == Backend::Postgres && pg_admin_url().is_none() {
        // Straight to stderr, past the test harness's capture: a skip is always seen.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {name} on PostgreSQL: BCDA_TEST_PG=off"
        );
        return;
    }
    BACKEND.scope(backend, body).await
}

/// `both_stores!(name)` / `both_stores!(name, flavor = "multi_thread", worker_threads = 2)`:
/// the tests `name::sqlite` and `name::postgres` running `async fn name()`.
#[macro_export]
macro_rules! both_stores {
    ($name:ident $(, $($arg:tt)*)?) => {
        mod $name {
            #[tokio::test$(($($arg)*))?]
            async fn sqlite() {
                $crate::common::run_on($crate::common::Backend::Sqlite, stringify!($name), super::$name()).await
            }
            #[tokio::test$(($($arg)*))?]
            async fn postgres() {
                $crate::common::run_on($crate::common::Backend::Postgres, stringify!($name), super::$name()).await
            }
        }
    };
}

/// The database of each data directory a test started a server on (a restart on the same
/// directory reuses it).
fn databases() -> &'static Mutex<HashMap<PathBuf, Database>> {
    static DBS: OnceLock<Mutex<HashMap<PathBuf, Database>>> = OnceLock::new();
    DBS.get_or_init(Default::default)
}

/// The database for a data directory on the current test's store (created on first use).
pub async fn database_for(dir: &Path) -> Database {
    if let Some(db) = databases().lock().unwrap().get(dir) {
        return db.clone();
    }
    let db = match backend() {
        Backend::Sqlite => Database::Sqlite,
        Backend::Postgres => Database::Postgres(fresh_pg_database().await),
    };
    databases()
        .lock()
        .unwrap()
        .insert(dir.to_path_buf(), db.clone());
    db
}

/// The database already chosen for a data directory (SQLite if none was).
pub fn known_database(dir: &Path) -> Database {
    databases()
        .lock()
        .unwrap()
        .get(dir)
        .cloned()
        .unwrap_or(Database::Sqlite)
}

/// One RSA key per test binary (key generation is slow in debug builds).
pub fn test_key_pem() -> &'static str {
    static PEM: OnceLock<String> = OnceLock::new();
    PEM.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        bcda_server::auth::TokenKeys::load_or_create(dir.path()).unwrap();
        std::fs::read_to_string(dir.path().join(bcda_server::auth::PRIVATE_KEY_FILE)).unwrap()
    })
}

pub struct TestServer {
    pub server: Option<RunningServer>,
    pub dir: tempfile::TempDir,
    pub base: String,
    pub http: reqwest::Client,
}

/// A fast configuration on `dir`, on the database chosen for it (see [`database_for`]).
pub fn fast_config(dir: &std::path::Path) -> ServerConfig {
    ServerConfig {
        database: known_database(dir),
        queue_poll: Duration::from_millis(50),
        port: 0,
        data_dir: dir.to_path_buf(),
        workers: 2,
        hash_params: HashParams {
            m_cost_kib: 256,
            t_cost: 1,
        },
        cleanup_interval: Duration::from_secs(3600),
        pace: bcda_server::Pace::Instant,
        ..ServerConfig::default()
    }
}

pub async fn start_with(tweak: impl FnOnce(&mut ServerConfig)) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(bcda_server::auth::PRIVATE_KEY_FILE),
        test_key_pem(),
    )
    .unwrap();
    start_in(dir, tweak).await
}

/// Start a server on an existing data directory (e.g. one kept by `stop_keep_dir`).
pub async fn start_in(dir: tempfile::TempDir, tweak: impl FnOnce(&mut ServerConfig)) -> TestServer {
    database_for(dir.path()).await;
    let mut config = fast_config(dir.path());
    tweak(&mut config);
    let server = bcda_server::start(config).await.unwrap();
    let base = server.base_url();
    TestServer {
        server: Some(server),
        dir,
        base,
        // no_gzip: another crate of the workspace turns on reqwest's gzip feature; these tests
        // check the raw bytes the server sends.
        http: reqwest::Client::builder()
            .no_gzip()
            .pool_max_idle_per_host(64)
            .build()
            .unwrap(),
    }
}

pub async fn start() -> TestServer {
    start_with(|_| {}).await
}

pub fn creds(aco: &str) -> (String, String) {
    (sandbox::client_id_for(aco), sandbox::client_secret_for(aco))
}

impl TestServer {
    /// The admin operations on this server's database.
    pub async fn admin(&self) -> bcda_server::admin::Admin {
        bcda_server::admin::Admin::open(self.dir.path(), &known_database(self.dir.path()))
            .await
            .unwrap()
    }

    /// This server's store, opened a second time (as another node would).
    pub async fn store(&self) -> Arc<dyn Store> {
        bcda_server::store::open(&known_database(self.dir.path()), self.dir.path())
            .await
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn token_response(&self, client_id: &str, secret: &str) -> reqwest::Response {
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
        self.http
            .post(self.url("/auth/token"))
            .header("Authorization", format!("Basic {basic}"))
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap()
    }

    pub async fn token(&self, aco: &str) -> String {
        let (id, secret) = creds(aco);
        self.token_for(&id, &secret).await
    }

    pub async fn token_for(&self, client_id: &str, secret: &str) -> String {
        let resp = self.token_response(client_id, secret).await;
        assert_eq!(resp.status(), 200, "token for {client_id}");
        bcda_protocol::TokenResponse::parse(&resp.text().await.unwrap())
            .unwrap()
            .access_token
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn kickoff(&self, token: &str, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .header("Accept", "application/fhir+json")
            .header("Prefer", "respond-async")
            .send()
            .await
            .unwrap()
    }

    /// Kick off and return the status URL.
    pub async fn start_job(&self, token: &str, path: &str) -> String {
        let resp = self.kickoff(token, path).await;
        assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap());
        resp.headers()["content-location"]
            .to_str()
            .unwrap()
            .to_string()
    }

    /// Poll a status URL until it is no longer 202; returns (status, body).
    pub async fn wait_job(&self, token: &str, status_url: &str) -> (u16, String) {
        for _ in 0..6000 {
            let resp = self
                .http
                .get(status_url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            if resp.status() != 202 {
                let code = resp.status().as_u16();
                return (code, resp.text().await.unwrap());
            }
            assert!(resp.headers().contains_key("x-progress"));
            assert!(resp.headers().contains_key("retry-after"));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("job at {status_url} did not finish");
    }

    /// Stop the server but keep its data directory.
    pub async fn stop_keep_dir(mut self) -> tempfile::TempDir {
        if let Some(s) = self.server.take() {
            s.shutdown().await.unwrap();
        }
        self.dir
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await.unwrap();
        }
    }
}

/// Assert an OperationOutcome response: status, issue code and exact diagnostics.
pub async fn assert_outcome(resp: reqwest::Response, status: u16, code: &str, diagnostics: &str) {
    assert_eq!(resp.status().as_u16(), status, "status");
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    let body = resp.text().await.unwrap();
    assert_eq!(ct, "application/fhir+json", "content type for {body}");
    let oo = bcda_protocol::OperationOutcome::parse(&body).unwrap();
    assert_eq!(oo.issue.len(), 1, "{body}");
    assert_eq!(oo.issue[0].code, code, "{body}");
    assert_eq!(oo.diagnostics(), diagnostics, "{body}");
}

/// Create a non-sandbox ACO (`bcda admin create-aco`) with a credential; returns a token.
pub async fn admin_aco_token(s: &TestServer, cms_id: &str, beneficiaries: u32) -> String {
    let admin = s.admin().await;
    admin
        .create_aco(cms_id, beneficiaries, false, false)
        .await
        .unwrap();
    let c = admin.create_credentials(cms_id).await.unwrap();
    s.token_for(&c.client_id, &c.client_secret).await
}

/// A minimal HTTP/1.1 GET over a raw socket (no default headers); returns the whole response.
pub async fn raw_get(s: &TestServer, path: &str, token: &str, extra: &str) -> String {
    use std::io::{Read, Write};
    let addr = s.base.trim_start_matches("http://").to_string();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n{extra}Connection: close\r\n\r\n"
    );
    tokio::task::spawn_blocking(move || {
        let mut sock = std::net::TcpStream::connect(&addr).unwrap();
        sock.write_all(req.as_bytes()).unwrap();
        let mut out = Vec::new();
        sock.read_to_end(&mut out).unwrap();
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .unwrap()
}
