//! The crate's error type (startup, store, admin); request errors are `api::ApiError`.

use std::path::{Path, PathBuf};

/// A server, store or admin failure.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A file system operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("database: {0}")]
    Postgres(sqlx::Error),
    /// The database cannot be reached (down, restarting, pool exhausted): the API answers 503.
    #[error("database unavailable: {0}")]
    DbUnavailable(String),
    /// The database schema is newer than this binary.
    #[error("database schema version {found} is newer than this binary's {supported}")]
    SchemaTooNew {
        /// Version in the file.
        found: i64,
        /// Latest known version.
        supported: i64,
    },
    /// Creating, reading or using the signing key failed.
    #[error("signing key: {0}")]
    Key(String),
    /// Hashing a secret failed.
    #[error("secret hashing: {0}")]
    Hash(String),
    /// The TLS certificate or key could not be used.
    #[error("TLS: {0}")]
    Tls(String),
    /// Binding or serving the listener failed.
    #[error("listener: {0}")]
    Bind(std::io::Error),
    /// A background task panicked or was cancelled.
    #[error("task: {0}")]
    Task(String),
    /// Generating synthetic data failed.
    #[error("synthetic data: {0}")]
    Synth(String),
    /// An admin operation named something that does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// An admin operation was given an invalid value.
    #[error("invalid: {0}")]
    Invalid(String),
}

impl From<sqlx::Error> for ServerError {
    fn from(e: sqlx::Error) -> Self {
        if is_unavailable(&e) {
            ServerError::DbUnavailable(e.to_string())
        } else {
            ServerError::Postgres(e)
        }
    }
}

/// Connection-level failures: I/O, pool timeouts, and the server's connection-exception (08)
/// and operator-intervention (57P: shutdown, cannot connect now) SQLSTATE classes.
fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

impl ServerError {
    /// True when the database could not be reached (the request may succeed later).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, ServerError::DbUnavailable(_))
    }

    pub(crate) fn io(path: &Path, source: std::io::Error) -> ServerError {
        ServerError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
