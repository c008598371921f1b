//! OperationOutcome bodies in BCDA's v1 and v2 shapes.

use serde::{Deserialize, Serialize};

use crate::{ApiVersion, ProtocolError};

/// The `details.coding.system` BCDA's v2 writer uses.
const OUTCOME_SYSTEM: &str = "http://hl7.org/fhir/ValueSet/operation-outcome";

/// The FHIR `issue.code` values BCDA emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueCode {
    /// `structure` (400).
    Structure,
    /// `forbidden` (401, 403).
    Forbidden,
    /// `not-found` (404, 410).
    NotFound,
    /// `exception` (5xx).
    Exception,
    /// `processing`.
    Processing,
    /// `throttled` (429: bcda-rs names the duplicated job).
    Throttled,
    /// The empty code BCDA's status map gives for other statuses.
    Empty,
}

impl IssueCode {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::Structure => "structure",
            IssueCode::Forbidden => "forbidden",
            IssueCode::NotFound => "not-found",
            IssueCode::Exception => "exception",
            IssueCode::Processing => "processing",
            IssueCode::Throttled => "throttled",
            IssueCode::Empty => "",
        }
    }

    /// BCDA's "OpOutcome" status map: 400 structure, 401/403 forbidden, 404/410 not-found,
    /// 5xx exception, 429 throttled, anything else empty.
    pub fn for_status(status: u16) -> IssueCode {
        match status {
            400 => IssueCode::Structure,
            401 | 403 => IssueCode::Forbidden,
            404 | 410 => IssueCode::NotFound,
            429 => IssueCode::Throttled,
            500..=599 => IssueCode::Exception,
            _ => IssueCode::Empty,
        }
    }
}

/// A FHIR OperationOutcome as BCDA writes it (and lenient enough to read any of its shapes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationOutcome {
    /// Always `OperationOutcome`.
    #[serde(rename = "resourceType")]
    pub resource_type: String,
    /// The issues (BCDA always sends exactly one).
    pub issue: Vec<OutcomeIssue>,
}

/// One `issue` of an OperationOutcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeIssue {
    /// `error`, `warning`, ...
    pub severity: String,
    /// The issue type code (may be empty).
    pub code: String,
    /// The human-readable message; omitted when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<String>,
    /// v2 `details`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<OutcomeDetails>,
}

/// v2 `issue.details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeDetails {
    /// Codings (v2 always one, code `Request Error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coding: Option<Vec<OutcomeCoding>>,
    /// The message again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One coding of `issue.details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCoding {
    /// The code system.
    pub system: String,
    /// The code.
    pub code: String,
    /// The display text; omitted when the message is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl OperationOutcome {
    /// A single `error` issue in the shape of `version`'s writer (v1 also serves `/data` and
    /// `/auth`). An empty `diagnostics` is omitted, as BCDA does.
    pub fn error(version: ApiVersion, code: IssueCode, diagnostics: &str) -> OperationOutcome {
        let message = (!diagnostics.is_empty()).then(|| diagnostics.to_string());
        let details = match version {
            ApiVersion::V1 => None,
            ApiVersion::V2 => Some(OutcomeDetails {
                coding: Some(vec![OutcomeCoding {
                    system: OUTCOME_SYSTEM.to_string(),
                    code: "Request Error".to_string(),
                    display: message.clone(),
                }]),
                text: message.clone(),
            }),
        };
        OperationOutcome {
            resource_type: "OperationOutcome".to_string(),
            issue: vec![OutcomeIssue {
                severity: "error".to_string(),
                code: code.as_str().to_string(),
                diagnostics: message,
                details,
            }],
        }
    }

    /// The outcome for a protocol validation error (400, `structure`).
    pub fn from_protocol_error(version: ApiVersion, err: &ProtocolError) -> OperationOutcome {
        OperationOutcome::error(version, IssueCode::Structure, &err.to_string())
    }

    /// Compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parse any BCDA OperationOutcome shape.
    pub fn parse(body: &str) -> Result<OperationOutcome, ProtocolError> {
        serde_json::from_str(body).map_err(|e| ProtocolError::Malformed {
            what: "OperationOutcome",
            message: e.to_string(),
        })
    }

    /// The first issue's diagnostics, or `""`.
    pub fn diagnostics(&self) -> &str {
        self.issue
            .first()
            .and_then(|i| i.diagnostics.as_deref())
            .unwrap_or("")
    }
}
