//! Job status (`GET /api/vN/jobs/{id}`), cancel (`DELETE`), and the job list (`GET /jobs`).

use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CONTENT_TYPE, EXPIRES, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use bcda_protocol::{
    format_instant, format_seconds_z, parse_status_filter, validate_accept, ApiVersion, IssueCode,
    JobStatus, Manifest, ManifestEntry, TaskBundle, TaskSummary,
};
use time::OffsetDateTime;

use super::{
    authenticate, base_url, http_date_us, parse_version, ApiError, Caller, OrInternal, Shared,
};
use crate::store::{now_us, JobRow};
use crate::AppState;

/// Manifests of completed jobs (immutable once complete), keyed by job id and base URL.
#[derive(Default)]
pub(crate) struct ManifestCache {
    entries: std::sync::Mutex<std::collections::HashMap<(i64, String), std::sync::Arc<str>>>,
}

impl ManifestCache {
    const MAX: usize = 1024;

    fn get(&self, id: i64, base: &str) -> Option<std::sync::Arc<str>> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(id, base.to_string()))
            .cloned()
    }

    fn put(&self, id: i64, base: &str, body: std::sync::Arc<str>) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= Self::MAX {
            map.clear();
        }
        map.insert((id, base.to_string()), body);
    }
}

fn datetime_us(us: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Parse the job id, load the job, check ownership (BCDA's `RequireTokenJobMatch`).
pub(crate) async fn owned_job(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    v: ApiVersion,
) -> Result<JobRow, ApiError> {
    Ok(owned_job_with_release(state, caller, raw_id, v).await?.0)
}

/// [`owned_job`] with the earliest release time of its unfinished sub-jobs.
async fn owned_job_with_release(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    v: ApiVersion,
) -> Result<(JobRow, Option<i64>), ApiError> {
    let id: i64 = raw_id
        .parse::<u64>()
        .ok()
        .and_then(|n| i64::try_from(n).ok())
        .ok_or_else(|| ApiError::outcome(v, StatusCode::BAD_REQUEST, ""))?;
    let (job, next) = state
        .store
        .job_with_release(id)
        .await
        .or_500(v)?
        .ok_or_else(|| ApiError::outcome(v, StatusCode::NOT_FOUND, ""))?;
    if job.aco_id != caller.aco.id {
        return Err(ApiError::outcome(v, StatusCode::UNAUTHORIZED, ""));
    }
    Ok((job, next))
}

/// True when a job's files are past their expiry (Completed past `expires_us`, Archived, Expired).
pub(crate) fn is_expired(job: &JobRow) -> bool {
    match job.status {
        JobStatus::Archived | JobStatus::Expired => true,
        JobStatus::Completed => job.expires_us.is_some_and(|e| e <= now_us()),
        _ => false,
    }
}

/// The 410 for an expired job, with an HTTP-date `Expires`.
pub(crate) fn gone(job: &JobRow, v: ApiVersion) -> ApiError {
    let err = ApiError::outcome(v, StatusCode::GONE, "");
    match job.expires_us {
        Some(e) => err.with_header(EXPIRES, http_date_us(e)),
        None => err,
    }
}

/// `Retry-After` of a 202 status answer: the configured seconds, or sooner when a paced job's
/// next step is due sooner (at least 1 s), so a client honouring it sees `X-Progress` rise.
fn retry_after(state: &AppState, job: &JobRow, next: Option<i64>) -> u64 {
    let configured = state.config.retry_after_secs;
    if !matches!(job.status, JobStatus::Pending | JobStatus::InProgress) {
        return configured;
    }
    let now = now_us();
    match next {
        Some(us) if us > now => ((us - now) as u64)
            .div_ceil(1_000_000)
            .clamp(1, configured.max(1)),
        _ => configured,
    }
}

pub(crate) async fn status(
    State(state): State<Shared>,
    Path((version, job)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    job_status(&state, &version, &job, &headers)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn job_status(
    state: &AppState,
    version: &str,
    raw_id: &str,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let v = parse_version(version)?;
    let caller = authenticate(state, headers, v).await?;
    let (job, next) = owned_job_with_release(state, &caller, raw_id, v).await?;
    let retry = retry_after(state, &job, next).to_string();
    let progress = HeaderName::from_static("x-progress");
    match job.status {
        JobStatus::Pending => Ok((
            StatusCode::ACCEPTED,
            [(progress, "Pending".to_string()), (RETRY_AFTER, retry)],
        )
            .into_response()),
        JobStatus::InProgress => {
            let pct = if job.job_count > 0 {
                (job.done_count * 100 / job.job_count).min(99)
            } else {
                0
            };
            Ok((
                StatusCode::ACCEPTED,
                [
                    (progress, format!("In Progress ({pct}%)")),
                    (RETRY_AFTER, retry),
                ],
            )
                .into_response())
        }
        JobStatus::Completed if !is_expired(&job) => {
            let base = base_url(&state.config, headers);
            let expires = http_date_us(job.expires_us.unwrap_or(job.updated_us));
            let ok = |body: std::sync::Arc<str>| {
                (
                    StatusCode::OK,
                    [
                        (CONTENT_TYPE, "application/json".to_string()),
                        (EXPIRES, expires.clone()),
                    ],
                    body.to_string(),
                )
                    .into_response()
            };
            if let Some(body) = state.manifests.get(job.id, &base) {
                return Ok(ok(body));
            }
            let files = state.store.job_files(job.id).await.or_500(v)?;
            let entry = |f: &crate::store::JobFile| ManifestEntry {
                resource_type: if f.is_error {
                    "OperationOutcome".to_string()
                } else {
                    f.resource.clone()
                },
                url: format!("{base}/data/{}/{}", job.id, f.file_name),
            };
            let manifest = Manifest {
                transaction_time: format_instant(datetime_us(job.transaction_us)),
                request: job.request_url.clone(),
                requires_access_token: true,
                output: files.iter().filter(|f| !f.is_error).map(entry).collect(),
                error: files.iter().filter(|f| f.is_error).map(entry).collect(),
                job_id: job.id as u64,
            };
            let body: std::sync::Arc<str> = manifest.to_json().into();
            state.manifests.put(job.id, &base, body.clone());
            Ok(ok(body))
        }
        JobStatus::Completed | JobStatus::Archived | JobStatus::Expired => Err(gone(&job, v)),
        JobStatus::Failed | JobStatus::FailedExpired => Err(ApiError::outcome_code(
            v,
            StatusCode::INTERNAL_SERVER_ERROR,
            IssueCode::Exception,
            "Service encountered numerous errors. Job failed to complete.",
        )),
        JobStatus::Cancelled | JobStatus::CancelledExpired => Err(ApiError::outcome_code(
            v,
            StatusCode::NOT_FOUND,
            IssueCode::NotFound,
            "Job has been cancelled.",
        )),
    }
}

pub(crate) async fn cancel(
    State(state): State<Shared>,
    Path((version, job)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    cancel_job(&state, &version, &job, &headers)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn cancel_job(
    state: &AppState,
    version: &str,
    raw_id: &str,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let v = parse_version(version)?;
    let caller = authenticate(state, headers, v).await?;
    let job = owned_job(state, &caller, raw_id, v).await?;
    if state.store.cancel_job(job.id).await.or_500(v)? {
        Ok(StatusCode::ACCEPTED.into_response())
    } else {
        Err(ApiError::outcome(
            v,
            StatusCode::GONE,
            "job was not cancelled because it is not Pending or In Progress",
        ))
    }
}

pub(crate) async fn list(
    State(state): State<Shared>,
    Path(version): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    list_jobs(&state, &version, query.as_deref().unwrap_or(""), &headers)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn list_jobs(
    state: &AppState,
    version: &str,
    query: &str,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let v = parse_version(version)?;
    let caller = authenticate(state, headers, v).await?;
    // bcda-rs asks for `Accept` only; BCDA also demands `Prefer: respond-async` here.
    validate_accept(headers.get("accept").and_then(|h| h.to_str().ok()))
        .map_err(|e| ApiError::protocol(v, &e))?;
    let filter = parse_status_filter(query).map_err(|e| ApiError::protocol(v, &e))?;
    let jobs = state
        .store
        .jobs_for_aco(caller.aco.id, filter.as_deref())
        .await
        .or_500(v)?;
    let tasks: Vec<TaskSummary> = jobs
        .iter()
        .map(|j| TaskSummary {
            id: j.id as u64,
            status: j.status,
            request_url: j.request_url.clone(),
            start: format_seconds_z(datetime_us(j.created_us)),
            end: format_seconds_z(datetime_us(j.updated_us)),
        })
        .collect();
    let bundle = TaskBundle::new(
        &format!("{}/api/{v}/jobs", base_url(&state.config, headers)),
        &tasks,
    );
    Ok((
        StatusCode::OK,
        [(CONTENT_TYPE, "application/json")],
        bundle.to_json(),
    )
        .into_response())
}
