//! Kick-off: `GET /api/vN/Patient/$export` and `GET /api/vN/Group/{all|runout}/$export`.

use std::collections::HashSet;

use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::header::{CONTENT_LOCATION, RETRY_AFTER};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bcda_protocol::{
    parse_export_query, validate_export_headers, ApiVersion, IssueCode, JobStatus, ProtocolError,
    ResourceType,
};
use time::OffsetDateTime;

use super::{authenticate, base_url, parse_version, ApiError, OrInternal, Shared};
use crate::source::{self, DAY};
use crate::store::{now_us, AcoRow, AttributionRow, CreateOutcome, JobRow, NewJob, NewSubJob};

/// Which kick-off endpoint was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Patient,
    GroupAll,
    GroupRunout,
}

/// BCDA's attribution cutoff (`CCLF_CUTOFF_DATE_DAYS`).
const ATTRIBUTION_CUTOFF_DAYS: i64 = 50;
/// BCDA's runout cutoff (`RUNOUT_CUTOFF_DATE_DAYS`).
const RUNOUT_CUTOFF_DAYS: i64 = 180;

pub(crate) async fn patient_export(
    State(state): State<Shared>,
    Path(version): Path<String>,
    RawQuery(query): RawQuery,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    kickoff(state, version, None, query, uri, headers)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

pub(crate) async fn group_export(
    State(state): State<Shared>,
    Path((version, group)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    kickoff(state, version, Some(group), query, uri, headers)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn kickoff(
    state: Shared,
    version: String,
    group: Option<String>,
    raw_query: Option<String>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let v = parse_version(&version)?;
    let caller = authenticate(&state, &headers, v).await?;
    let now = OffsetDateTime::now_utc();
    let raw = raw_query.unwrap_or_default();
    let query = parse_export_query(&raw, v, now).map_err(|e| ApiError::protocol(v, &e))?;
    let header = |name| headers.get(name).and_then(|h| h.to_str().ok());
    validate_export_headers(header("accept"), header("prefer"))
        .map_err(|e| ApiError::protocol(v, &e))?;
    let endpoint = match group.as_deref() {
        None => Endpoint::Patient,
        Some("all") => Endpoint::GroupAll,
        Some("runout") => Endpoint::GroupRunout,
        Some(_) => return Err(ApiError::protocol(v, &ProtocolError::InvalidGroup)),
    };
    let types = query
        .resolve_types(v, caller.aco.partially_adjudicated)
        .map_err(|e| ApiError::protocol(v, &e))?;

    let aco = caller.aco;
    let limited = state
        .config
        .rate_limit
        .applies_to(&aco.cms_id, aco.rate_limited);
    let duplicate_after_us = limited.then(|| now_us() - 24 * 3600 * 1_000_000);
    // Fail fast (before the attribution checks, as BCDA); the store checks again in the insert.
    if let Some(after) = duplicate_after_us {
        precheck_duplicate(&state, &aco, v, &types, after).await?;
    }
    let clock = crate::sandbox::reference_unix(state.store.as_ref())
        .await
        .or_500(v)?;
    let files = state.store.attribution_files(aco.id).await.or_500(v)?;
    let transaction = now.unix_timestamp();
    let since = query.since.map(|s| s.unix_timestamp());
    let plan_types = types.clone();
    let plan_aco = aco.clone();
    let subjobs = tokio::task::spawn_blocking(move || {
        plan(
            &plan_aco,
            &files,
            endpoint,
            since,
            &plan_types,
            clock,
            transaction,
            v,
        )
    })
    .await
    .map_err(|e| ApiError::internal(v, e))??;
    let mut subjobs = subjobs;
    state.config.pace.schedule(&mut subjobs);

    let base = base_url(&state.config, &headers);
    let request_url = format!("{base}{}", uri);
    let transaction_us = (now.unix_timestamp_nanos() / 1000) as i64;
    // The duplicate-job rule (`CheckConcurrentJobs`), for ACOs the rate-limit configuration
    // covers (never test ACOs): checked in the store's insert transaction, serialised per ACO,
    // so that concurrent kick-offs on any number of nodes create one job.
    let job = NewJob {
        aco_id: aco.id,
        version: v,
        request_url,
        types,
        transaction_us,
        subjobs,
        retention_us: state.config.retention.as_micros() as i64,
        duplicate_after_us,
    };
    let job_id = match state.store.create_job(job).await.or_500(v)? {
        CreateOutcome::Created(id) => id,
        CreateOutcome::Duplicate(dup) => return Err(duplicate(&state, &dup, v)),
    };
    state.work_ready.notify_waiters();
    Ok((
        StatusCode::ACCEPTED,
        [(CONTENT_LOCATION, format!("{base}/api/{v}/jobs/{job_id}"))],
    )
        .into_response())
}

/// The duplicate-job rule read outside the insert transaction (the early answer).
async fn precheck_duplicate(
    state: &Shared,
    aco: &AcoRow,
    v: ApiVersion,
    types: &[ResourceType],
    after_us: i64,
) -> Result<(), ApiError> {
    let active = state
        .store
        .jobs_for_aco(aco.id, Some(&[JobStatus::Pending, JobStatus::InProgress]))
        .await
        .or_500(v)?
        .into_iter()
        .filter(|j| j.api_version == v && j.created_us > after_us)
        .collect();
    match crate::store::first_overlap(active, types) {
        Some(dup) => Err(duplicate(state, &dup, v)),
        None => Ok(()),
    }
}

/// The 429 of the duplicate-job rule: an active job of the same ACO and version, created in
/// the last 24 h, whose resource types overlap the request's (as sets), named, with
/// `Retry-After`.
fn duplicate(state: &Shared, dup: &JobRow, v: ApiVersion) -> ApiError {
    ApiError::outcome_code(
        v,
        StatusCode::TOO_MANY_REQUESTS,
        IssueCode::Throttled,
        format!(
            "Job {} is already {} for this ACO with overlapping resource types; wait for it to finish or cancel it (DELETE /api/{}/jobs/{}), then retry.",
            dup.id,
            dup.status.as_str().to_lowercase(),
            v,
            dup.id
        ),
    )
    .with_header(RETRY_AFTER, state.config.retry_after_secs)
}

fn full_year(py: i32) -> i32 {
    if py < 100 {
        py + 2000
    } else {
        py
    }
}

fn year_of(unix: i64) -> i32 {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.year())
        .unwrap_or(1970)
}

/// End of a calendar year (Unix seconds): runout claims are limited to the runout year.
fn end_of_year(year: i32) -> i64 {
    time::Date::from_calendar_date(year + 1, time::Month::January, 1)
        .map(|d| d.midnight().assume_utc().unix_timestamp() - 1)
        .unwrap_or(i64::MAX)
}

/// BCDA's 404s of the attribution gate (`bcda/api/requests.go` bulkRequest), written with
/// `RespWriter.Exception`, hence issue code `exception`.
fn attribution_error(v: ApiVersion, msg: String) -> ApiError {
    ApiError::outcome_code(v, StatusCode::NOT_FOUND, IssueCode::Exception, msg)
}

/// BCDA's `GetLatestCCLFFile` plus the performance-year check: the newest file of the
/// endpoint's kind within the cutoff, or the exact 404 BCDA sends.
fn newest_file<'a>(
    aco: &AcoRow,
    of_kind: &[&'a AttributionRow],
    runout: bool,
    clock: i64,
    v: ApiVersion,
) -> Result<&'a AttributionRow, ApiError> {
    let cutoff_days = if runout {
        RUNOUT_CUTOFF_DAYS
    } else {
        ATTRIBUTION_CUTOFF_DAYS
    };
    let newest = of_kind
        .iter()
        .rev()
        .find(|f| clock - f.timestamp_unix <= cutoff_days * DAY)
        .copied()
        .ok_or_else(|| {
            attribution_error(
                v,
                if runout {
                    "runout data is no longer available. Runout data expires 180 days after ingestion"
                } else {
                    "failed to start job; attribution file not found"
                }
                .to_string(),
            )
        })?;
    let current_py = year_of(clock) - i32::from(runout);
    if full_year(newest.performance_year) != current_py {
        return Err(attribution_error(v, format!(
            "unable to perform export operations for this Group. No up-to-date attribution information is available for ACOID '{}'. Usually this is due to awaiting new attribution information at the beginning of a Performance Year",
            aco.cms_id
        )));
    }
    Ok(newest)
}

/// Group/all + `_since` (`FindOldCCLFFile`, `getNewAndExistingBeneficiaries`): the old file
/// is the newest attribution file with a timestamp at or before `_since` (or, when `_since`
/// is after the newest file, before the newest file); beneficiaries of the newest file absent
/// from the old one are new. `_since` after the newest file's import: everyone is existing.
/// Returns (new, existing).
fn split_new(
    gen: &bcda_synth::Generator,
    of_kind: &[&AttributionRow],
    newest: &AttributionRow,
    benes: Vec<u32>,
    since: i64,
    v: ApiVersion,
) -> Result<(Vec<u32>, Vec<u32>), ApiError> {
    let upper = if since > newest.timestamp_unix {
        newest.timestamp_unix - 1
    } else {
        since
    };
    let old = of_kind
        .iter()
        .rev()
        .find(|f| f.timestamp_unix <= upper)
        .ok_or_else(|| {
            attribution_error(
                v,
                "failed to start job; attribution file not found for given _since parameter."
                    .to_string(),
            )
        })?;
    if since > newest.imported_unix {
        return Ok((Vec::new(), benes));
    }
    let old_set: HashSet<u32> = source::attributed(gen, old).into_iter().collect();
    Ok(benes.into_iter().partition(|b| !old_set.contains(b)))
}

/// Pick the attribution file, apply BCDA's gating rules and the Group/all new-beneficiary rule,
/// and cut the work into sub-jobs: new beneficiaries first (full history), then the existing
/// ones (`_since`), each by type and chunk, as BCDA's `GetQueJobs` orders them.
#[allow(clippy::too_many_arguments)]
fn plan(
    aco: &AcoRow,
    files: &[AttributionRow],
    endpoint: Endpoint,
    since: Option<i64>,
    types: &[ResourceType],
    clock: i64,
    transaction: i64,
    v: ApiVersion,
) -> Result<Vec<NewSubJob>, ApiError> {
    let runout = endpoint == Endpoint::GroupRunout;
    let of_kind: Vec<&AttributionRow> = files.iter().filter(|f| f.runout == runout).collect();
    let newest = newest_file(aco, &of_kind, runout, clock, v)?;
    let gen = source::generator(aco);
    let benes = source::attributed(&gen, newest);
    let (new, existing) = match (endpoint, since) {
        (Endpoint::GroupAll, Some(s)) => split_new(&gen, &of_kind, newest, benes, s, v)?,
        _ => (Vec::new(), benes),
    };
    let until = if runout {
        transaction.min(end_of_year(full_year(newest.performance_year)))
    } else {
        transaction
    };
    let mut subjobs = Vec::new();
    for (group, group_since) in [(&new, None), (&existing, since)] {
        for &t in types {
            for chunk in group.chunks(t.chunk_size()) {
                subjobs.push(NewSubJob {
                    resource: t,
                    benes: chunk.to_vec(),
                    since_unix: group_since,
                    until_unix: until,
                    release_after_us: 0,
                });
            }
        }
    }
    Ok(subjobs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::attribution_rows;

    const REFERENCE: i64 = 1_795_000_000; // 2026-11-18

    fn aco(n: u32) -> AcoRow {
        AcoRow {
            id: 1,
            cms_id: "A9990".into(),
            beneficiaries: n,
            flavour: "simple".into(),
            partially_adjudicated: false,
            denylisted: false,
            reference_unix: REFERENCE,
            rate_limited: false,
        }
    }

    fn files(a: &AcoRow) -> Vec<AttributionRow> {
        attribution_rows(&source::generator(a))
    }

    #[test]
    fn group_all_since_gives_new_beneficiaries_full_history() {
        let a = aco(2500);
        let files = files(&a);
        let attribution: Vec<&AttributionRow> = files.iter().filter(|f| !f.runout).collect();
        let newest = *attribution.last().unwrap();
        let previous = attribution[attribution.len() - 2];
        // _since between the previous and the newest file.
        let since = previous.timestamp_unix + 3600;
        let types = [ResourceType::Patient];
        let subjobs = plan(
            &a,
            &files,
            Endpoint::GroupAll,
            Some(since),
            &types,
            REFERENCE,
            REFERENCE,
            ApiVersion::V2,
        )
        .unwrap();
        let gen = source::generator(&a);
        let now_set: HashSet<u32> = source::attributed(&gen, newest).into_iter().collect();
        let old_set: HashSet<u32> = source::attributed(&gen, previous).into_iter().collect();
        let expected_new: HashSet<u32> = now_set.difference(&old_set).copied().collect();
        assert!(
            !expected_new.is_empty(),
            "the synthetic history has newcomers"
        );
        let got_new: HashSet<u32> = subjobs
            .iter()
            .filter(|s| s.since_unix.is_none())
            .flat_map(|s| s.benes.clone())
            .collect();
        let got_existing: HashSet<u32> = subjobs
            .iter()
            .filter(|s| s.since_unix == Some(since))
            .flat_map(|s| s.benes.clone())
            .collect();
        assert_eq!(got_new, expected_new);
        assert_eq!(got_existing.len() + got_new.len(), now_set.len());
        assert!(got_existing.is_disjoint(&got_new));

        // Patient ignores the rule: everyone gets _since.
        let patient = plan(
            &a,
            &files,
            Endpoint::Patient,
            Some(since),
            &types,
            REFERENCE,
            REFERENCE,
            ApiVersion::V2,
        )
        .unwrap();
        assert!(patient.iter().all(|s| s.since_unix == Some(since)));

        // _since after the newest import: incremental only.
        let late = newest.imported_unix + 60;
        let inc = plan(
            &a,
            &files,
            Endpoint::GroupAll,
            Some(late),
            &types,
            REFERENCE,
            REFERENCE,
            ApiVersion::V2,
        )
        .unwrap();
        assert!(inc.iter().all(|s| s.since_unix == Some(late)));

        // _since before any attribution file: 404 with BCDA's message.
        let err = plan(
            &a,
            &files,
            Endpoint::GroupAll,
            Some(attribution[0].timestamp_unix - 1),
            &types,
            REFERENCE,
            REFERENCE,
            ApiVersion::V2,
        )
        .unwrap_err();
        assert!(
            format!("{err:?}").contains("attribution file not found for given _since parameter.")
        );
    }

    #[test]
    fn chunking_and_runout() {
        let a = aco(2500);
        let files = files(&a);
        let types = [
            ResourceType::ExplanationOfBenefit,
            ResourceType::Patient,
            ResourceType::Coverage,
        ];
        let subjobs = plan(
            &a,
            &files,
            Endpoint::Patient,
            None,
            &types,
            REFERENCE,
            REFERENCE,
            ApiVersion::V2,
        )
        .unwrap();
        let count = |t| subjobs.iter().filter(|s| s.resource == t).count();
        let benes = subjobs
            .iter()
            .filter(|s| s.resource == ResourceType::Patient)
            .map(|s| s.benes.len())
            .sum::<usize>();
        assert_eq!(
            count(ResourceType::ExplanationOfBenefit),
            benes.div_ceil(50)
        );
        assert_eq!(count(ResourceType::Patient), 1);
        assert_eq!(count(ResourceType::Coverage), 1);
        assert!(subjobs
            .iter()
            .all(|s| s.benes.len() <= s.resource.chunk_size()));

        let runout = plan(
            &a,
            &files,
            Endpoint::GroupRunout,
            None,
            &types,
            REFERENCE,
            REFERENCE,
            ApiVersion::V2,
        )
        .unwrap();
        let end_2025 = end_of_year(2025);
        assert!(runout.iter().all(|s| s.until_unix == end_2025));
        assert!(!runout.is_empty());

        // Attribution older than 50 days: 404.
        let later = REFERENCE + 60 * DAY;
        let err = plan(
            &a,
            &files,
            Endpoint::Patient,
            None,
            &types,
            later,
            later,
            ApiVersion::V2,
        )
        .unwrap_err();
        assert!(format!("{err:?}").contains("failed to start job; attribution file not found"));
        // Runout older than 180 days.
        let much_later = REFERENCE + 200 * DAY;
        let err = plan(
            &a,
            &files,
            Endpoint::GroupRunout,
            None,
            &types,
            much_later,
            much_later,
            ApiVersion::V2,
        )
        .unwrap_err();
        assert!(format!("{err:?}").contains("runout data is no longer available"));
    }

    #[test]
    fn outdated_attribution_gets_bcda_branches() {
        let a = AcoRow {
            cms_id: "TEST995".into(),
            ..aco(50)
        };
        let files = source::outdated_attribution_rows(&source::generator(&a), REFERENCE);
        let types = [ResourceType::Patient];
        let run = |endpoint, since| {
            plan(
                &a,
                &files,
                endpoint,
                since,
                &types,
                REFERENCE,
                REFERENCE,
                ApiVersion::V1,
            )
        };
        let outdated = "unable to perform export operations for this Group. No up-to-date attribution information is available for ACOID 'TEST995'. Usually this is due to awaiting new attribution information at the beginning of a Performance Year";
        for (endpoint, since) in [
            (Endpoint::Patient, None),
            (Endpoint::GroupAll, None),
            (Endpoint::GroupAll, Some(REFERENCE - 400 * DAY)),
        ] {
            let err = format!("{:?}", run(endpoint, since).unwrap_err());
            assert!(err.contains(outdated), "{err}");
        }
        // The runout file is for the previous year, so runout works, as in BCDA.
        assert!(!run(Endpoint::GroupRunout, None).unwrap().is_empty());
        // No file at all: the other message.
        let err = plan(
            &a,
            &[],
            Endpoint::Patient,
            None,
            &types,
            REFERENCE,
            REFERENCE,
            ApiVersion::V1,
        )
        .unwrap_err();
        assert!(format!("{err:?}").contains("\"failed to start job; attribution file not found\""));
    }

    #[test]
    fn history_reaches_back_to_2019() {
        let a = aco(2500);
        let files = files(&a);
        let yearly: Vec<i32> = files
            .iter()
            .filter(|f| !f.runout)
            .map(|f| f.performance_year)
            .collect();
        assert_eq!(yearly, (2019..=2026).collect::<Vec<_>>());
        let runout: Vec<i32> = files
            .iter()
            .filter(|f| f.runout)
            .map(|f| f.performance_year)
            .collect();
        assert_eq!(runout, (2019..=2025).collect::<Vec<_>>());
        // _since = 2020-02-13T08:00:00-05:00: the PY2020 file is in force; 202 with new ones.
        let since = 1_581_598_800;
        let subjobs = plan(
            &a,
            &files,
            Endpoint::GroupAll,
            Some(since),
            &[ResourceType::Patient],
            REFERENCE,
            REFERENCE,
            ApiVersion::V2,
        )
        .unwrap();
        assert_eq!(
            subjobs.len(),
            2,
            "one file of new, one of existing beneficiaries"
        );
        assert_eq!(subjobs[0].since_unix, None, "new beneficiaries come first");
        assert_eq!(subjobs[1].since_unix, Some(since));
    }
}
