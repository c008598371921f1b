//! The one error type of the crate: every variant's `Display` is BCDA's exact diagnostics text.

/// A protocol-level failure. `Display` gives the exact diagnostics string BCDA sends.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// `_outputFormat` is not one of the accepted values.
    #[error("_outputFormat parameter must be one of [ndjson application/fhir+ndjson application/ndjson]")]
    OutputFormat,
    /// `_elements` was supplied.
    #[error("Invalid parameter: this server does not support the _elements parameter.")]
    ElementsUnsupported,
    /// A query key starts with `?`.
    #[error("Invalid parameter: query parameters cannot start with ?")]
    QuestionMarkKey,
    /// `_since` is not an RFC 3339 instant.
    #[error(
        "Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format."
    )]
    SinceFormat,
    /// `_since` lies in the future.
    #[error("Invalid date format supplied in _since parameter. Date must be a date that has already passed")]
    SinceInFuture,
    /// A `_type` value appears twice.
    #[error("Repeated resource type {0}")]
    RepeatedType(String),
    /// A `_type` value is not supported by this API version.
    #[error("invalid resource type {name}. Supported types [{supported}]")]
    InvalidType {
        /// The rejected value.
        name: String,
        /// The supported types, space separated (Go slice print).
        supported: String,
    },
    /// A `_type` value is valid for the version but not for this ACO.
    #[error("unauthorized resource type {0}")]
    UnauthorizedType(String),
    /// The group id is neither `all` nor `runout`.
    #[error("Invalid group ID")]
    InvalidGroup,
    /// No `Accept` header.
    #[error("Accept header is required")]
    AcceptMissing,
    /// `Accept` lacks `application/fhir+json`.
    #[error("application/fhir+json is the only supported response format")]
    AcceptUnsupported,
    /// No `Prefer` header.
    #[error("Prefer header is required")]
    PreferMissing,
    /// `Prefer` lacks `respond-async`.
    #[error("Only asynchronous responses are supported")]
    PreferUnsupported,
    /// A `_status` value appears twice.
    #[error("Repeated status type {0}")]
    RepeatedStatus(String),
    /// A `_status` value is not a job status.
    #[error("invalid status type {0}. Supported types map[Archived:{{}} Cancelled:{{}} CancelledExpired:{{}} Completed:{{}} Expired:{{}} Failed:{{}} FailedExpired:{{}} In Progress:{{}} Pending:{{}}]")]
    InvalidStatus(String),
    /// A wire document could not be parsed.
    #[error("invalid {what}: {message}")]
    Malformed {
        /// What was being parsed.
        what: &'static str,
        /// The parser's message.
        message: String,
    },
}

impl ProtocolError {
    /// The HTTP status BCDA answers with for this error (all are request errors).
    pub fn http_status(&self) -> u16 {
        400
    }
}
