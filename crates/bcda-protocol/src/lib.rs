//! Wire types shared by the bcda-rs server and client.
//!
//! Everything a BCDA-compatible client and server exchange is defined once here: the export
//! manifest (with its exact key order and the capitalised `JobID`), the token response (with
//! `expires_in` as the string `"1200"`), OperationOutcome bodies in their v1 and v2 shapes,
//! the `/jobs` Task bundle, and the parsing and validation of the kick-off query parameters and
//! the `Accept`/`Prefer` headers, each failure carrying BCDA's exact diagnostics.
//!
//! The crate has no HTTP framework dependency: it works on strings and `serde_json` values.

mod aco;
mod error;
mod headers;
mod jobs;
mod manifest;
mod outcome;
mod query;
mod resource;
mod time_fmt;
mod token;

pub use aco::is_test_aco;
pub use error::ProtocolError;
pub use headers::{bearer_token, header_has_token, validate_accept, validate_export_headers};
pub use jobs::{
    parse_status_filter, JobStatus, Task, TaskBundle, TaskEntry, TaskIdentifier, TaskInput,
    TaskPeriod, TaskSummary, TaskText,
};
pub use manifest::{Manifest, ManifestEntry};
pub use outcome::{IssueCode, OperationOutcome, OutcomeCoding, OutcomeDetails, OutcomeIssue};
pub use query::{decode_query, encode_component, parse_export_query, ExportQuery, OUTPUT_FORMATS};
pub use resource::{ApiVersion, ResourceType};
pub use time_fmt::{format_instant, format_seconds_z, parse_fhir_instant};
pub use token::{TokenClaims, TokenResponse, TOKEN_TTL_SECS};
