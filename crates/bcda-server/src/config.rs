//! Server configuration.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

/// Argon2id cost parameters for client secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Iterations.
    pub t_cost: u32,
}

impl HashParams {
    /// A light cost for secrets that are public anyway (the published sandbox credentials):
    /// they are still stored only as hashes, but slow hashing would protect nothing.
    pub const PUBLISHED: HashParams = HashParams {
        m_cost_kib: 1024,
        t_cost: 1,
    };
}

impl Default for HashParams {
    /// OWASP's argon2id minimum: 19 MiB, 2 iterations.
    fn default() -> Self {
        HashParams {
            m_cost_kib: 19 * 1024,
            t_cost: 2,
        }
    }
}

/// Everything a server instance needs; `Default` gives BCDA's defaults.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind (default 127.0.0.1).
    pub bind: IpAddr,
    /// Port (default 3000; 0 picks a free port).
    pub port: u16,
    /// Data directory: database, signing key, export files (default `./bcda-data`).
    pub data_dir: PathBuf,
    /// Export worker tasks (default: one per core; 0 runs the API only and leaves jobs queued).
    pub workers: usize,
    /// How long completed files stay downloadable (default 24 h); archived files are deleted
    /// after the same period again.
    pub retention: Duration,
    /// How often the retention cleanup runs (default 60 s).
    pub cleanup_interval: Duration,
    /// Seed the sandbox catalogue and its published credentials on first start (default true).
    pub seed_sandbox: bool,
    /// Tokens per ACO per window on `/auth/token` (default 1000, as BCDA's env files).
    pub token_rate_limit: u32,
    /// The token rate-limit window (default 5 min).
    pub token_rate_window: Duration,
    /// `Retry-After` seconds sent on 202 status answers and duplicate-job 429s (default 5).
    pub retry_after_secs: u64,
    /// Refuse a kick-off that overlaps an active job of the same ACO and version (default true).
    pub duplicate_job_check: bool,
    /// Argon2id cost for client secrets.
    pub hash_params: HashParams,
    /// Version string of `/_version` and the CapabilityStatement.
    pub version_tag: String,
    /// Per-request timeout for producing response headers (default 30 s).
    pub request_timeout: Duration,
    /// gzip level of the files at rest, 0-9 (default 1: a 2.5x faster export than level 6 for
    /// files about 2.2x larger; BCDA uses Go's default, 6).
    pub gzip_level: u32,
    /// Serve HTTPS with this PEM certificate chain and private key (default: plain HTTP).
    pub tls: Option<TlsFiles>,
}

/// PEM files for HTTPS.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// Certificate chain (leaf first).
    pub cert: PathBuf,
    /// Private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 3000,
            data_dir: PathBuf::from("./bcda-data"),
            workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            retention: Duration::from_secs(24 * 3600),
            cleanup_interval: Duration::from_secs(60),
            seed_sandbox: true,
            token_rate_limit: 1000,
            token_rate_window: Duration::from_secs(300),
            retry_after_secs: 5,
            duplicate_job_check: true,
            hash_params: HashParams::default(),
            version_tag: format!("bcda-rs-{}", env!("CARGO_PKG_VERSION")),
            request_timeout: Duration::from_secs(30),
            gzip_level: 1,
            tls: None,
        }
    }
}
