//! A client for BCDA-compatible Bulk Data servers.
//!
//! [`BulkClient`] does what an ACO's weekly job does: fetch a token (cached, renewed before it
//! expires, since jobs outlive 20-minute tokens), kick off an export, poll its status honouring
//! `Retry-After` (capped backoff with jitter when absent), and download the files in parallel,
//! resuming partial files with HTTP `Range`, checking that every line is JSON of the manifest
//! entry's resource type, and writing each file atomically (temp file + rename).
//!
//! The library never prints: progress goes to a [`Progress`] callback. The client secret never
//! appears in `Debug` output, events or errors.
//!
//! ```no_run
//! # async fn run() -> Result<(), bcda_client::ClientError> {
//! use bcda_client::{BulkClient, ClientConfig, Credentials, ExportRequest, NoProgress};
//! let config = ClientConfig::new("http://127.0.0.1:3000", Credentials::new("id", "secret"));
//! let client = BulkClient::new(config)?;
//! let summary = client
//!     .export(&ExportRequest::group_all(), std::path::Path::new("out"), &NoProgress)
//!     .await?;
//! println!("{} files, {} resources", summary.files.len(), summary.total_lines());
//! # Ok(()) }
//! ```

mod client;
mod download;
mod error;
mod progress;
mod token;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

pub use bcda_protocol::{ApiVersion, Manifest, ManifestEntry, ResourceType, TaskBundle};
pub use client::BulkClient;
pub use download::manifest_file_names;
pub use error::ClientError;
pub use progress::{Event, Exchange, NoProgress, Progress};

/// A client id and secret. `Debug` shows the id only.
#[derive(Clone)]
pub struct Credentials {
    /// The client id.
    pub client_id: String,
    secret: String,
}

impl Credentials {
    /// Credentials from an id and a secret.
    pub fn new(client_id: impl Into<String>, secret: impl Into<String>) -> Credentials {
        Credentials {
            client_id: client_id.into(),
            secret: secret.into(),
        }
    }

    /// The secret (only for building the token request).
    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// How the client behaves; [`ClientConfig::new`] gives sensible defaults.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Server root, e.g. `https://sandbox.bcda.cms.gov` (no trailing `/api`).
    pub base_url: String,
    /// Client credentials.
    pub credentials: Credentials,
    /// API version (default v2).
    pub api: ApiVersion,
    /// Files downloaded at once (default 4).
    pub parallel_downloads: usize,
    /// Attempts for a transient failure (connection errors, 5xx, dropped downloads) before
    /// giving up (default 6).
    pub max_attempts: u32,
    /// First backoff delay; doubles per attempt (default 500 ms).
    pub backoff_base: Duration,
    /// Upper bound of any wait: backoff, `Retry-After`, poll interval (default 60 s).
    pub max_wait: Duration,
    /// Give up on a job that is not complete after this long (default 12 h).
    pub job_timeout: Duration,
    /// Renew the token when less than this is left (capped at a fifth of its lifetime;
    /// default 60 s).
    pub token_margin: Duration,
    /// Timeout for connecting (default 30 s).
    pub connect_timeout: Duration,
    /// Timeout without any bytes on a download or API answer (default 120 s).
    pub read_timeout: Duration,
}

impl ClientConfig {
    /// Defaults for a server at `base_url`.
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            credentials,
            api: ApiVersion::V2,
            parallel_downloads: 4,
            max_attempts: 6,
            backoff_base: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
            job_timeout: Duration::from_secs(12 * 3600),
            token_margin: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(120),
        }
    }
}

/// Which beneficiaries an export covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `/Patient/$export`: every attributed beneficiary.
    Patient,
    /// `/Group/{id}/$export` with `all` or `runout`.
    Group(String),
}

/// One kick-off request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// Patient or Group.
    pub scope: Scope,
    /// `_type` (empty: the server's default types).
    pub types: Vec<ResourceType>,
    /// `_since`, a FHIR instant, passed through as given.
    pub since: Option<String>,
}

impl ExportRequest {
    /// `Group/all`, default types, no `_since`.
    pub fn group_all() -> ExportRequest {
        ExportRequest {
            scope: Scope::Group("all".to_string()),
            types: Vec::new(),
            since: None,
        }
    }

    /// `Patient`, default types, no `_since`.
    pub fn patient() -> ExportRequest {
        ExportRequest {
            scope: Scope::Patient,
            types: Vec::new(),
            since: None,
        }
    }
}

/// One downloaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// Where it was written.
    pub path: PathBuf,
    /// The manifest entry's type (`OperationOutcome` for error files).
    pub resource_type: String,
    /// Resources (non-empty lines).
    pub lines: u64,
    /// Bytes of NDJSON written.
    pub bytes: u64,
    /// Bytes received over the network (compressed), across all attempts.
    pub transferred: u64,
    /// Whether a partial file from an earlier attempt or run was continued with `Range`.
    pub resumed: bool,
    /// Whether the file was already complete on disk and not downloaded again.
    pub already_present: bool,
    /// Whether it came from the manifest's `error` list.
    pub is_error_file: bool,
}

/// The outcome of an export.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    /// The job status URL.
    pub job_url: String,
    /// The manifest as received.
    pub manifest: Manifest,
    /// Where `manifest.json` was saved.
    pub manifest_path: PathBuf,
    /// Every file, in manifest order (outputs, then errors).
    pub files: Vec<FileSummary>,
    /// Wall time from the first request to the last file.
    pub elapsed: Duration,
}

impl ExportSummary {
    /// Resources over all output files (error files excluded).
    pub fn total_lines(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| !f.is_error_file)
            .map(|f| f.lines)
            .sum()
    }

    /// NDJSON bytes written.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }

    /// Bytes received over the network.
    pub fn total_transferred(&self) -> u64 {
        self.files.iter().map(|f| f.transferred).sum()
    }

    /// Resources per type (output files only), sorted by type.
    pub fn lines_by_type(&self) -> Vec<(String, u64)> {
        let mut map = std::collections::BTreeMap::<String, u64>::new();
        for f in self.files.iter().filter(|f| !f.is_error_file) {
            *map.entry(f.resource_type.clone()).or_default() += f.lines;
        }
        map.into_iter().collect()
    }
}
