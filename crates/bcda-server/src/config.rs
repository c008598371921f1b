//! Server configuration.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

pub use crate::pace::Pace;
pub use crate::store::Database;

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
    /// Which ACOs get the duplicate-job 429 (default [`RateLimit::All`], as BCDA's prod and
    /// test environments); test ACOs never do, as in BCDA.
    pub rate_limit: RateLimit,
    /// How long export jobs take (default [`Pace::Instant`]; `bcda serve` defaults to
    /// [`Pace::Realistic`]).
    pub pace: Pace,
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
    /// Byte style of the export files (default BCDA's: keys sorted at every level, Go's
    /// `float64` number text and string escapes, as BCDA's worker re-marshals every resource;
    /// [`bcda_synth::KeyOrder::Bfd`] gives BFD's order, `resourceType` first). The generator
    /// writes it directly, and a sub-job takes the style of the server that writes it.
    pub output_style: bcda_synth::Style,
    /// Utilization of the synthetic claims the export files hold (default
    /// [`bcda_synth::Scale::Light`], as the library's: tests stay small; `bcda serve` defaults
    /// to [`bcda_synth::Scale::Realistic`], Medicare's volumes and costs). A sub-job takes the
    /// scale of the server that writes it.
    pub scale: bcda_synth::Scale,
    /// Where the state lives (default: the embedded SQLite file in `data_dir`).
    pub database: Database,
    /// What this node does (default [`Role::All`]).
    pub role: Role,
    /// A worker's claim on a sub-job lasts this long unless renewed (renewed every third of
    /// it while working; default 30 s). On PostgreSQL, a dead worker's sub-job is taken over
    /// by another worker after this.
    pub lease: Duration,
    /// How often an idle worker looks for queued work that another node created (default
    /// 250 ms; work created on the same node wakes its workers at once).
    pub queue_poll: Duration,
}

/// What a node does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// Answer the API; run no export workers.
    Api,
    /// Run export workers; answer only `/_health` and `/_version`.
    Worker,
    /// Both (the default, one-node setup).
    #[default]
    All,
}

impl Role {
    /// Does this node answer the API?
    pub fn serves_api(self) -> bool {
        matches!(self, Role::Api | Role::All)
    }

    /// Does this node run export workers?
    pub fn runs_workers(self) -> bool {
        matches!(self, Role::Worker | Role::All)
    }
}

impl std::str::FromStr for Role {
    type Err = crate::ServerError;

    /// `api`, `worker` or `all`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "api" => Ok(Role::Api),
            "worker" => Ok(Role::Worker),
            "all" => Ok(Role::All),
            _ => Err(crate::ServerError::Invalid(format!(
                "role {s:?}: expected api, worker or all"
            ))),
        }
    }
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
            rate_limit: RateLimit::All,
            pace: Pace::Instant,
            hash_params: HashParams::default(),
            version_tag: format!("bcda-rs-{}", env!("CARGO_PKG_VERSION")),
            request_timeout: Duration::from_secs(30),
            gzip_level: 1,
            tls: None,
            output_style: bcda_synth::Style::default(),
            scale: bcda_synth::Scale::Light,
            database: Database::Sqlite,
            role: Role::All,
            lease: Duration::from_secs(30),
            queue_poll: Duration::from_millis(250),
        }
    }
}

/// BCDA's `rate_limit_config`: which ACOs a duplicate kick-off is refused for (429). Test ACOs
/// ([`bcda_protocol::is_test_aco`]) are exempt whatever this says; ACOs flagged with
/// `bcda admin rate-limit` are limited in addition to these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateLimit {
    /// Every ACO (BCDA's `all: true`, its prod and test setting).
    All,
    /// No ACO except those flagged by the admin command.
    None,
    /// These CMS ids (BCDA's `acos: [...]`; its sandbox lists `SBXBM0002`).
    Acos(Vec<String>),
}

impl RateLimit {
    /// Does the duplicate check apply to this ACO? `flagged`: set by `bcda admin rate-limit`.
    pub fn applies_to(&self, cms_id: &str, flagged: bool) -> bool {
        if bcda_protocol::is_test_aco(cms_id) {
            return false;
        }
        flagged
            || match self {
                RateLimit::All => true,
                RateLimit::None => false,
                RateLimit::Acos(ids) => ids.iter().any(|id| id == cms_id),
            }
    }
}

impl std::str::FromStr for RateLimit {
    type Err = crate::ServerError;

    /// `all`, `none`, or a comma-separated list of CMS ids.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "all" => Ok(RateLimit::All),
            "none" | "" => Ok(RateLimit::None),
            list => {
                let ids: Vec<String> = list.split(',').map(|p| p.trim().to_string()).collect();
                if ids.iter().any(|id| {
                    id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                }) {
                    return Err(crate::ServerError::Invalid(format!(
                        "rate limit {s:?}: expected all, none or a comma-separated list of CMS ids"
                    )));
                }
                Ok(RateLimit::Acos(ids))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RateLimit;

    #[test]
    fn rate_limit_parses_and_exempts_test_acos() {
        let all: RateLimit = "all".parse().unwrap();
        assert!(all.applies_to("A1234", false));
        assert!(!all.applies_to("A9994", true), "test ACOs are exempt");
        assert!(!all.applies_to("TEST001", false));
        let none: RateLimit = "none".parse().unwrap();
        assert!(!none.applies_to("A1234", false));
        assert!(none.applies_to("A1234", true), "the admin flag adds an ACO");
        let list: RateLimit = "SBXBM0002, A1234".parse().unwrap();
        assert_eq!(
            list,
            RateLimit::Acos(vec!["SBXBM0002".into(), "A1234".into()])
        );
        assert!(list.applies_to("SBXBM0002", false));
        assert!(!list.applies_to("A4321", false));
        assert!("A1,,B2".parse::<RateLimit>().is_err());
        assert!("A 1".parse::<RateLimit>().is_err());
    }
}
