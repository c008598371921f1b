//! Progress reporting: the library emits [`Event`]s, the caller decides what to show.

use std::time::Duration;

/// One HTTP request and its answer, with the headers a user cares about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// HTTP method.
    pub method: &'static str,
    /// Request URL.
    pub url: String,
    /// Request headers worth showing (never `Authorization` values).
    pub request_headers: Vec<(String, String)>,
    /// HTTP status.
    pub status: u16,
    /// Answer headers worth showing (`Content-Location`, `Retry-After`, `X-Progress`, ...).
    pub response_headers: Vec<(String, String)>,
    /// The answer body for API calls (not for file downloads).
    pub body: Option<String>,
}

/// Something that happened during an export.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// An API request and its answer (token, kick-off, status, jobs, and download headers).
    Exchange(Exchange),
    /// A new access token was obtained.
    TokenObtained {
        /// Its lifetime in seconds.
        expires_in: u64,
    },
    /// The export was started; this is its status URL.
    KickedOff {
        /// The `Content-Location` of the kick-off answer.
        job_url: String,
    },
    /// The job is still running.
    InProgress {
        /// `X-Progress`, if the server sent one.
        progress: Option<String>,
        /// How long the client waits before the next poll.
        wait: Duration,
    },
    /// A request is retried after a transient failure or a 429.
    Retrying {
        /// What is retried.
        what: String,
        /// The attempt that just failed (1-based).
        attempt: u32,
        /// Why.
        reason: String,
        /// How long the client waits first.
        wait: Duration,
    },
    /// The job completed; downloads start.
    Completed {
        /// Output files.
        outputs: usize,
        /// Error files.
        errors: usize,
    },
    /// `manifest.json` was written.
    ManifestSaved {
        /// Its path.
        path: std::path::PathBuf,
    },
    /// A file download starts (or resumes).
    DownloadStarted {
        /// File name.
        file: String,
        /// Bytes already on disk from an earlier attempt.
        resume_from: u64,
    },
    /// Bytes received for a file (incremental).
    DownloadBytes {
        /// File name.
        file: String,
        /// Bytes received since the last event.
        bytes: u64,
    },
    /// A file is complete, checked and in place.
    DownloadFinished {
        /// File name.
        file: String,
        /// Resources in it.
        lines: u64,
        /// NDJSON bytes.
        bytes: u64,
    },
}

/// Receives [`Event`]s. Implemented for any `Fn(&Event) + Send + Sync`.
pub trait Progress: Send + Sync {
    /// Called for every event, from any task.
    fn on_event(&self, event: &Event);
}

impl<F: Fn(&Event) + Send + Sync> Progress for F {
    fn on_event(&self, event: &Event) {
        self(event)
    }
}

/// Ignores every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn on_event(&self, _event: &Event) {}
}
