//! Engine configuration.

/// Engine configuration. All fields have sensible defaults ([`Config::default`]).
#[derive(Debug, Clone)]
pub struct Config {
    /// Worker threads of the engine's own rayon pool; 0 means one per available core.
    pub threads: usize,
    /// Target size of a line-aligned chunk (and of a gzip block), in bytes.
    pub chunk_bytes: usize,
    /// Lines longer than this are skipped and reported as [`IssueKind::LineTooLong`](crate::IssueKind::LineTooLong).
    pub max_line_bytes: usize,
    /// Check that every line is valid UTF-8 (the projected parser skips unused strings
    /// without looking inside them, so this is where invalid UTF-8 is caught).
    pub validate_utf8: bool,
    /// Memory-map plain files (see the SIGBUS contract in [`crate::split`]); `false` streams them.
    pub mmap: bool,
    /// At most this many issues of one kind are kept per file; the rest are only counted.
    pub max_issues_per_kind: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            threads: 0,
            chunk_bytes: 4 << 20,
            max_line_bytes: 512 << 20,
            validate_utf8: true,
            mmap: true,
            max_issues_per_kind: 100,
        }
    }
}
