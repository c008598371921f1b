//! The client's error type.

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong in an export. Messages name the request or file involved and
/// never contain the client secret.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The configuration or request is unusable (bad base URL, empty credentials, ...).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// A request could not be sent or its answer could not be read (after retries, if transient).
    #[error("{method} {url}: {source}")]
    Http {
        /// HTTP method.
        method: &'static str,
        /// Request URL.
        url: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// `POST /auth/token` refused the credentials.
    #[error("the server refused the client credentials (HTTP {status}): {message}")]
    BadCredentials {
        /// HTTP status.
        status: u16,
        /// The server's diagnostics, if any.
        message: String,
    },
    /// The server answered a status the client cannot continue from.
    #[error("{method} {url} answered HTTP {status}: {message}")]
    Status {
        /// HTTP method.
        method: &'static str,
        /// Request URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// The OperationOutcome diagnostics, or the start of the body.
        message: String,
    },
    /// An answer did not have the expected shape.
    #[error("malformed {what} from {url}: {message}")]
    Malformed {
        /// What was being parsed.
        what: &'static str,
        /// Where it came from.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// The job's files are gone (HTTP 410).
    #[error("job {url} has expired (HTTP 410); start a new export")]
    JobExpired {
        /// The job status URL.
        url: String,
    },
    /// A transient failure did not go away.
    #[error("gave up on {what} after {attempts} attempts; last error: {last}")]
    RetriesExhausted {
        /// What was being attempted.
        what: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// A downloaded line is not JSON, or not of the manifest entry's resource type.
    #[error("{file}: line {line}: {message}")]
    InvalidLine {
        /// The file name.
        file: String,
        /// 1-based line number.
        line: u64,
        /// What was wrong.
        message: String,
    },
    /// A manifest URL does not end in a usable file name.
    #[error("manifest URL {0:?} does not end in a safe file name")]
    BadFileName(String),
    /// The job did not complete in time.
    #[error("job {url} did not complete within {limit:?}")]
    Timeout {
        /// The job status URL.
        url: String,
        /// The configured limit.
        limit: Duration,
    },
    /// A local file operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl ClientError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> ClientError {
        ClientError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
