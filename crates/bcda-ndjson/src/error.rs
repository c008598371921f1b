//! The crate's error enum (fatal problems) and the [`Issue`] type (problems in the data, which
//! never stop a run).

use std::fmt;
use std::path::PathBuf;

/// A fatal error: the run (or the discovery of inputs) could not proceed.
///
/// Problems *inside* the data (bad JSON, invalid UTF-8, ...) are never an `Error`: they are
/// reported as [`Issue`]s and the run continues.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input path could not be read or listed.
    #[error("cannot read {path}")]
    Io {
        /// The path being read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A `manifest.json` could not be parsed.
    #[error("{path}: invalid manifest: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What was wrong with it.
        message: String,
    },
    /// No input file was found under the given paths.
    #[error("no NDJSON input found under {0:?}")]
    NoInput(Vec<PathBuf>),
    /// The rayon thread pool could not be built.
    #[error("cannot build the thread pool: {0}")]
    ThreadPool(String),
    /// `BCDA_SIMD` names a stage-1 kernel this CPU cannot run.
    #[error(transparent)]
    Simd(#[from] crate::scan::KernelError),
}

/// How bad an [`Issue`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Tolerated and processed (CRLF line ending, blank line): reported, does not fail the run.
    Warning,
    /// The record (or the check) failed: the line was skipped or the export is inconsistent.
    Error,
}

impl Severity {
    /// `"warning"` or `"error"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What kind of problem an [`Issue`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IssueKind {
    /// The line is not valid JSON, or a projected field has the wrong JSON type.
    InvalidJson,
    /// The line is not valid UTF-8.
    InvalidUtf8,
    /// The line has no `resourceType`.
    MissingResourceType,
    /// The line's `resourceType` differs from the file's (manifest or first line).
    WrongResourceType,
    /// The last line of a file has no newline and is not complete JSON.
    TruncatedLastLine,
    /// A line longer than `Config::max_line_bytes` was skipped.
    LineTooLong,
    /// A gzip member is corrupt or truncated; decoding resumed at the next member.
    CorruptGzip,
    /// A line ended with `\r\n` (tolerated).
    CrLf,
    /// An empty (or whitespace-only) line (tolerated).
    BlankLine,
    /// A reading error in the middle of a file.
    Io,
    /// An ExplanationOfBenefit or Coverage refers to a Patient that is not in the export.
    DanglingPatientRef,
    /// Two resources of the same type share an id.
    DuplicateId,
    /// The number of resources of a type differs from the manifest's `count`.
    CountMismatch,
    /// A value could not be interpreted (for example a money amount that is not a decimal).
    InvalidValue,
    /// Well-formed JSON that the typed model refuses (unknown property, wrong JSON type,
    /// unknown resourceType): the full read path only.
    InvalidResource,
}

impl IssueKind {
    /// A stable snake_case name (used in JSON output).
    pub fn as_str(self) -> &'static str {
        match self {
            IssueKind::InvalidJson => "invalid_json",
            IssueKind::InvalidUtf8 => "invalid_utf8",
            IssueKind::MissingResourceType => "missing_resource_type",
            IssueKind::WrongResourceType => "wrong_resource_type",
            IssueKind::TruncatedLastLine => "truncated_last_line",
            IssueKind::LineTooLong => "line_too_long",
            IssueKind::CorruptGzip => "corrupt_gzip",
            IssueKind::CrLf => "crlf",
            IssueKind::BlankLine => "blank_line",
            IssueKind::Io => "io",
            IssueKind::DanglingPatientRef => "dangling_patient_ref",
            IssueKind::DuplicateId => "duplicate_id",
            IssueKind::CountMismatch => "count_mismatch",
            IssueKind::InvalidValue => "invalid_value",
            IssueKind::InvalidResource => "invalid_resource",
        }
    }

    /// The default severity of this kind.
    pub fn severity(self) -> Severity {
        match self {
            IssueKind::CrLf | IssueKind::BlankLine => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

/// A problem found in the data, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// What went wrong.
    pub kind: IssueKind,
    /// Warning or error.
    pub severity: Severity,
    /// The file (as given or discovered).
    pub file: PathBuf,
    /// 1-based line number in the (decompressed) file; 0 when the issue concerns a whole file.
    pub line: u64,
    /// 1-based byte column in that line; 0 when not applicable.
    pub column: u64,
    /// JSON path inside the record (for example `item[3].adjudication[0].amount.value`), when known.
    pub json_path: Option<String>,
    /// Human-readable detail.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {} [{}]",
            self.file.display(),
            self.line,
            self.column,
            self.severity.as_str(),
            self.kind.as_str()
        )?;
        if let Some(p) = &self.json_path {
            write!(f, " at {p}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Issue {}
