//! The bulk export manifest (`200` body of a completed job status).

use serde::{Deserialize, Serialize};

use crate::ProtocolError;

/// The completion manifest, serialised in BCDA's exact key order with the extra `JobID` key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// RFC 3339 instant of the data snapshot.
    #[serde(rename = "transactionTime")]
    pub transaction_time: String,
    /// The kick-off URL (scheme, host, path and raw query).
    pub request: String,
    /// Always true: files need a bearer token.
    #[serde(rename = "requiresAccessToken")]
    pub requires_access_token: bool,
    /// One entry per data file.
    pub output: Vec<ManifestEntry>,
    /// Error files (`[]` when none, never null).
    #[serde(default)]
    pub error: Vec<ManifestEntry>,
    /// The job id (BCDA's non-standard capitalised key).
    #[serde(rename = "JobID")]
    pub job_id: u64,
}

/// One file of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// The resource type (`OperationOutcome` for error files).
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Absolute download URL.
    pub url: String,
}

impl Manifest {
    /// Compact JSON in BCDA's key order.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parse a manifest.
    pub fn parse(body: &str) -> Result<Manifest, ProtocolError> {
        serde_json::from_str(body).map_err(|e| ProtocolError::Malformed {
            what: "manifest",
            message: e.to_string(),
        })
    }
}
