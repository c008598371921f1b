//! Job states, the `_status` filter of `GET /jobs`, and its Task bundle.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::query::decode_query;
use crate::ProtocolError;

/// A job's lifecycle state (BCDA's names, case-sensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStatus {
    /// Queued, no sub-job started yet.
    Pending,
    /// At least one sub-job started.
    InProgress,
    /// Every sub-job finished; files downloadable until expiry.
    Completed,
    /// Failed.
    Failed,
    /// Cancelled by `DELETE`.
    Cancelled,
    /// Completed, past expiry, files moved to the archive.
    Archived,
    /// Archived files deleted.
    Expired,
    /// Failed and past retention.
    FailedExpired,
    /// Cancelled and past retention.
    CancelledExpired,
}

impl JobStatus {
    /// Every state.
    pub const ALL: [JobStatus; 9] = [
        JobStatus::Pending,
        JobStatus::InProgress,
        JobStatus::Completed,
        JobStatus::Failed,
        JobStatus::Cancelled,
        JobStatus::Archived,
        JobStatus::Expired,
        JobStatus::FailedExpired,
        JobStatus::CancelledExpired,
    ];

    /// BCDA's state name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "Pending",
            JobStatus::InProgress => "In Progress",
            JobStatus::Completed => "Completed",
            JobStatus::Failed => "Failed",
            JobStatus::Cancelled => "Cancelled",
            JobStatus::Archived => "Archived",
            JobStatus::Expired => "Expired",
            JobStatus::FailedExpired => "FailedExpired",
            JobStatus::CancelledExpired => "CancelledExpired",
        }
    }

    /// The FHIR Task status of the `/jobs` bundle.
    pub fn task_status(self) -> &'static str {
        match self {
            JobStatus::Pending => "accepted",
            JobStatus::InProgress => "in-progress",
            JobStatus::Completed | JobStatus::Archived | JobStatus::Expired => "completed",
            JobStatus::Failed | JobStatus::FailedExpired => "failed",
            JobStatus::Cancelled | JobStatus::CancelledExpired => "cancelled",
        }
    }

    /// Pending or In Progress.
    pub fn is_active(self) -> bool {
        matches!(self, JobStatus::Pending | JobStatus::InProgress)
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobStatus {
    type Err = ProtocolError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobStatus::ALL
            .into_iter()
            .find(|j| j.as_str() == s)
            .ok_or_else(|| ProtocolError::InvalidStatus(s.to_string()))
    }
}

/// Parse the `_status` filter of `GET /jobs` from a raw query string. `None` when absent.
pub fn parse_status_filter(raw_query: &str) -> Result<Option<Vec<JobStatus>>, ProtocolError> {
    let pairs = decode_query(raw_query);
    let Some((_, value)) = pairs.iter().find(|(k, _)| k == "_status") else {
        return Ok(None);
    };
    let mut out: Vec<JobStatus> = Vec::new();
    for name in value.split(',') {
        let status: JobStatus = name.parse()?;
        if out.contains(&status) {
            return Err(ProtocolError::RepeatedStatus(name.to_string()));
        }
        out.push(status);
    }
    Ok(Some(out))
}

/// What the Task bundle needs to know about one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSummary {
    /// Job id.
    pub id: u64,
    /// Job state.
    pub status: JobStatus,
    /// The kick-off URL.
    pub request_url: String,
    /// Created at, UTC `YYYY-MM-DDTHH:MM:SSZ`.
    pub start: String,
    /// Updated at, UTC `YYYY-MM-DDTHH:MM:SSZ`.
    pub end: String,
}

/// The `searchset` Bundle of Task resources answered by `GET /jobs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskBundle {
    /// `Bundle`.
    #[serde(rename = "resourceType")]
    pub resource_type: String,
    /// `searchset`.
    #[serde(rename = "type")]
    pub bundle_type: String,
    /// Number of entries.
    pub total: u64,
    /// The Tasks (omitted when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entry: Vec<TaskEntry>,
}

/// One bundle entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskEntry {
    /// The Task.
    pub resource: Task,
}

/// A FHIR Task describing one export job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// `Task`.
    #[serde(rename = "resourceType")]
    pub resource_type: String,
    /// One official identifier: the jobs URL and the job id.
    pub identifier: Vec<TaskIdentifier>,
    /// Task status (see [`JobStatus::task_status`]).
    pub status: String,
    /// `order`.
    pub intent: String,
    /// The kick-off request.
    pub input: Vec<TaskInput>,
    /// Created and updated times.
    #[serde(rename = "executionPeriod")]
    pub execution_period: TaskPeriod,
}

/// `Task.identifier`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskIdentifier {
    /// `official`.
    #[serde(rename = "use")]
    pub id_use: String,
    /// `{scheme}://{host}/api/vN/jobs`.
    pub system: String,
    /// The job id as a string.
    pub value: String,
}

/// `Task.input`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInput {
    /// `{"text":"BULK FHIR Export"}`.
    #[serde(rename = "type")]
    pub input_type: TaskText,
    /// `GET <kick-off URL>`.
    #[serde(rename = "valueString")]
    pub value_string: String,
}

/// A CodeableConcept with text only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskText {
    /// The text.
    pub text: String,
}

/// `Task.executionPeriod`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskPeriod {
    /// Created at.
    pub start: String,
    /// Updated at.
    pub end: String,
}

impl TaskBundle {
    /// Build the bundle; `jobs_base` is `{scheme}://{host}/api/vN/jobs`.
    pub fn new(jobs_base: &str, tasks: &[TaskSummary]) -> TaskBundle {
        let entry = tasks
            .iter()
            .map(|t| TaskEntry {
                resource: Task {
                    resource_type: "Task".to_string(),
                    identifier: vec![TaskIdentifier {
                        id_use: "official".to_string(),
                        system: jobs_base.to_string(),
                        value: t.id.to_string(),
                    }],
                    status: t.status.task_status().to_string(),
                    intent: "order".to_string(),
                    input: vec![TaskInput {
                        input_type: TaskText {
                            text: "BULK FHIR Export".to_string(),
                        },
                        value_string: format!("GET {}", t.request_url),
                    }],
                    execution_period: TaskPeriod {
                        start: t.start.clone(),
                        end: t.end.clone(),
                    },
                },
            })
            .collect();
        TaskBundle {
            resource_type: "Bundle".to_string(),
            bundle_type: "searchset".to_string(),
            total: tasks.len() as u64,
            entry,
        }
    }

    /// Compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parse a bundle.
    pub fn parse(body: &str) -> Result<TaskBundle, ProtocolError> {
        serde_json::from_str(body).map_err(|e| ProtocolError::Malformed {
            what: "Task bundle",
            message: e.to_string(),
        })
    }

    /// The job ids of the entries (`identifier[0].value`).
    pub fn job_ids(&self) -> Vec<u64> {
        self.entry
            .iter()
            .filter_map(|e| e.resource.identifier.first()?.value.parse().ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_filter() {
        assert_eq!(parse_status_filter("").unwrap(), None);
        assert_eq!(
            parse_status_filter("_status=In%20Progress,Completed").unwrap(),
            Some(vec![JobStatus::InProgress, JobStatus::Completed])
        );
        assert_eq!(
            parse_status_filter("_status=Completed,Completed")
                .unwrap_err()
                .to_string(),
            "Repeated status type Completed"
        );
        assert_eq!(
            parse_status_filter("_status=completed").unwrap_err().to_string(),
            "invalid status type completed. Supported types map[Archived:{} Cancelled:{} CancelledExpired:{} Completed:{} Expired:{} Failed:{} FailedExpired:{} In Progress:{} Pending:{}]"
        );
    }

    #[test]
    fn bundle_shape() {
        let empty = TaskBundle::new("http://h/api/v2/jobs", &[]);
        assert_eq!(
            empty.to_json(),
            r#"{"resourceType":"Bundle","type":"searchset","total":0}"#
        );
        let one = TaskBundle::new(
            "http://h/api/v2/jobs",
            &[TaskSummary {
                id: 42,
                status: JobStatus::Pending,
                request_url: "http://h/api/v2/Patient/$export".into(),
                start: "2026-08-13T00:07:48Z".into(),
                end: "2026-08-14T00:07:48Z".into(),
            }],
        );
        let json = one.to_json();
        assert!(json.contains(r#""status":"accepted""#), "{json}");
        assert!(json.contains(r#""valueString":"GET http://h/api/v2/Patient/$export""#));
        let back = TaskBundle::parse(&json).unwrap();
        assert_eq!(back.job_ids(), vec![42]);
    }
}
