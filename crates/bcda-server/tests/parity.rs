//! Parity with BCDA's sandbox (issue 15), over HTTP: the duplicate-job rule by ACO, the
//! attribution history and `_since` on `Group/all`, the outdated-attribution branches, job
//! pacing, and every error text the server shares with BCDA.

#[macro_use]
mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use bcda_protocol::{Manifest, OperationOutcome};
use bcda_server::store::{AcoRow, AttributionRow};
use bcda_server::{Pace, RateLimit};
use bcda_synth::{AttributionKind, Generator};
use common::*;

const OUTDATED: &str = "unable to perform export operations for this Group. No up-to-date attribution information is available for ACOID 'TEST995'. Usually this is due to awaiting new attribution information at the beginning of a Performance Year";
/// `2020-02-13T08:00:00.000-05:00`, the `_since` of the issue.
const SINCE_2020: &str = "2020-02-13T08:00:00.000-05:00";
const SINCE_2020_UNIX: i64 = 1_581_598_800;

async fn kickoff_status(s: &TestServer, token: &str, path: &str) -> u16 {
    s.kickoff(token, path).await.status().as_u16()
}

both_stores!(duplicate_kickoffs_are_never_refused_for_test_acos);
async fn duplicate_kickoffs_are_never_refused_for_test_acos() {
    // No workers: every job stays Pending, so "while the first runs" holds.
    let s = start_with(|c| {
        c.workers = 0;
        c.rate_limit = RateLimit::All;
    })
    .await;
    for aco in ["A9994", "TEST001"] {
        let t = s.token(aco).await;
        for path in [
            "/api/v2/Patient/$export?_type=Patient",
            "/api/v2/Patient/$export?_type=Patient",
            "/api/v2/Group/all/$export",
            "/api/v2/Group/all/$export",
        ] {
            assert_eq!(kickoff_status(&s, &t, path).await, 202, "{aco} {path}");
        }
    }
    // A rate-limited non-test ACO: the second kick-off of the same types is a 429 with
    // Retry-After and an OperationOutcome naming the running job.
    let t = admin_aco_token(&s, "A1234", 100).await;
    let first = s
        .start_job(&t, "/api/v2/Patient/$export?_type=Patient")
        .await;
    let dup = s.kickoff(&t, "/api/v2/Patient/$export?_type=Patient").await;
    assert_eq!(dup.status(), 429);
    assert_eq!(dup.headers()["retry-after"], "5");
    let oo = OperationOutcome::parse(&dup.text().await.unwrap()).unwrap();
    let id = first.rsplit('/').next().unwrap();
    assert!(oo.diagnostics().contains(&format!("Job {id} ")), "{oo:?}");
    s.stop().await;
}

both_stores!(rate_limit_none_list_and_admin_flag);
async fn rate_limit_none_list_and_admin_flag() {
    let s = start_with(|c| {
        c.workers = 0;
        c.rate_limit = RateLimit::None;
    })
    .await;
    let path = "/api/v1/Patient/$export?_type=Coverage";
    let t = admin_aco_token(&s, "A1234", 50).await;
    assert_eq!(kickoff_status(&s, &t, path).await, 202);
    assert_eq!(kickoff_status(&s, &t, path).await, 202, "none: not limited");
    let admin = s.admin().await;
    assert!(!admin.rate_limit_aco("A1234", true).await.unwrap());
    assert_eq!(
        kickoff_status(&s, &t, path).await,
        429,
        "flagged by the admin"
    );
    assert!(
        admin.rate_limit_aco("A9994", true).await.unwrap(),
        "A9994 is a test ACO"
    );
    let t = s.token("A9994").await;
    assert_eq!(kickoff_status(&s, &t, path).await, 202);
    assert_eq!(
        kickoff_status(&s, &t, path).await,
        202,
        "test ACOs stay exempt"
    );
    s.stop().await;

    let s = start_with(|c| {
        c.workers = 0;
        c.rate_limit = RateLimit::Acos(vec!["A4321".into()]);
    })
    .await;
    let listed = admin_aco_token(&s, "A4321", 50).await;
    let unlisted = admin_aco_token(&s, "A1234", 50).await;
    assert_eq!(kickoff_status(&s, &listed, path).await, 202);
    assert_eq!(kickoff_status(&s, &listed, path).await, 429);
    assert_eq!(kickoff_status(&s, &unlisted, path).await, 202);
    assert_eq!(kickoff_status(&s, &unlisted, path).await, 202);
    s.stop().await;
}

/// The generator of a sandbox ACO at the server's reference instant.
async fn generator_of(s: &TestServer, cms_id: &str) -> Generator {
    let store = s.store().await;
    let aco = store.aco_by_cms_id(cms_id).await.unwrap().unwrap();
    let spec = bcda_synth::sandbox_catalogue()
        .into_iter()
        .find(|e| e.spec.cms_id == cms_id)
        .unwrap()
        .spec;
    Generator::new(&spec, aco.reference_unix)
}

fn patient_ids(gen: &Generator, benes: &[u32]) -> BTreeSet<String> {
    benes
        .iter()
        .map(|&i| gen.beneficiary(i).bene_id.to_string())
        .collect()
}

async fn file_ids(s: &TestServer, token: &str, url: &str) -> BTreeSet<String> {
    let body = s
        .http
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    body.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// `/attribution_status` lists the newest attribution and runout files of the history.
async fn check_attribution_status(s: &TestServer, token: &str, gen: &Generator) {
    let resp = s.get(token, "/api/v2/attribution_status").await;
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    let files = gen.attribution_files();
    for (kind, name) in [
        (AttributionKind::Attribution, "last_attribution_update"),
        (AttributionKind::Runout, "last_runout_update"),
    ] {
        let newest = files.iter().rev().find(|f| f.kind == kind).unwrap();
        let entry = v["ingestion_dates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == name)
            .unwrap();
        let ts = bcda_synth::parse_instant(entry["timestamp"].as_str().unwrap()).unwrap();
        assert_eq!(ts, newest.timestamp_unix, "{name}");
    }
}

both_stores!(group_all_since_2020_selects_new_beneficiaries_on_v1_and_v2);
async fn group_all_since_2020_selects_new_beneficiaries_on_v1_and_v2() {
    let s = start().await;
    let aco = "A9998";
    let t = s.token(aco).await;
    let gen = generator_of(&s, aco).await;
    check_attribution_status(&s, &t, &gen).await;

    // BCDA's rule, computed here from the attribution history: the file in force at _since
    // is the newest attribution file dated at or before it; beneficiaries of the newest file
    // absent from it are new (full history), the rest existing (updated after _since).
    let files = gen.attribution_files();
    let yearly: Vec<_> = files
        .iter()
        .filter(|f| f.kind == AttributionKind::Attribution)
        .collect();
    assert_eq!(yearly[0].performance_year, 2019, "history from 2019");
    let old = yearly
        .iter()
        .rev()
        .find(|f| f.timestamp_unix <= SINCE_2020_UNIX)
        .unwrap();
    assert!(old.name.contains(".ZCY20."), "{}", old.name);
    let newest = gen.attributed(yearly.last().unwrap());
    let before = gen.attributed(old);
    let (new, existing): (Vec<u32>, Vec<u32>) = newest
        .iter()
        .partition(|i| before.binary_search(i).is_err());
    assert!(!new.is_empty() && !existing.is_empty());
    let updated: Vec<u32> = existing
        .iter()
        .copied()
        .filter(|&i| gen.beneficiary(i).last_updated > SINCE_2020_UNIX)
        .collect();

    // The issue's request for the smallest sandbox ACO: 202 on both versions.
    let small = s.token("A9994").await;
    for v in ["v1", "v2"] {
        let path = format!("/api/{v}/Group/all/$export?_type=Patient&_since={SINCE_2020}");
        assert_eq!(kickoff_status(&s, &small, &path).await, 202, "A9994 {v}");
    }

    for v in ["v1", "v2"] {
        let url = s
            .start_job(
                &t,
                &format!("/api/{v}/Group/all/$export?_type=Patient&_since={SINCE_2020}"),
            )
            .await;
        let (code, body) = s.wait_job(&t, &url).await;
        assert_eq!(code, 200, "{body}");
        let manifest = Manifest::parse(&body).unwrap();
        assert!(manifest.request.contains("_since="), "{}", manifest.request);
        let urls: Vec<&str> = manifest
            .output
            .iter()
            .filter(|o| o.resource_type == "Patient")
            .map(|o| o.url.as_str())
            .collect();
        assert_eq!(urls.len(), 2, "{v}: new beneficiaries' file, then existing");
        assert_eq!(
            file_ids(&s, &t, urls[0]).await,
            patient_ids(&gen, &new),
            "{v} new"
        );
        assert_eq!(
            file_ids(&s, &t, urls[1]).await,
            patient_ids(&gen, &updated),
            "{v} existing"
        );
    }
    s.stop().await;
}

both_stores!(outdated_attribution_gets_bcda_texts_on_both_endpoints);
async fn outdated_attribution_gets_bcda_texts_on_both_endpoints() {
    let s = start().await;
    let t = s.token("TEST995").await;
    for v in ["v1", "v2"] {
        for path in [
            format!("/api/{v}/Patient/$export"),
            format!("/api/{v}/Group/all/$export"),
            format!("/api/{v}/Group/all/$export?_since={SINCE_2020}"),
        ] {
            assert_outcome(s.kickoff(&t, &path).await, 404, "exception", OUTDATED).await;
        }
    }
    // As in BCDA, TEST995's runout file is for the previous year: runout works.
    let url = s
        .start_job(&t, "/api/v2/Group/runout/$export?_type=Patient")
        .await;
    assert_eq!(s.wait_job(&t, &url).await.0, 200);
    // Its attribution status lists both files.
    let resp = s.get(&t, "/api/v1/attribution_status").await;
    assert_eq!(resp.status(), 200);
    let body = resp.text().await.unwrap();
    assert!(body.contains("last_attribution_update") && body.contains("last_runout_update"));
    s.stop().await;
}

/// Poll a job until `X-Progress` shows a percentage above 0; returns the values seen.
async fn poll_until_progress(s: &TestServer, token: &str, url: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let resp = s.http.get(url).bearer_auth(token).send().await.unwrap();
        assert_eq!(resp.status(), 202, "the job is still running");
        let p = resp.headers()["x-progress"].to_str().unwrap().to_string();
        if seen.last() != Some(&p) {
            seen.push(p.clone());
        }
        if p.starts_with("In Progress (") && !p.starts_with("In Progress (0%") {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("X-Progress never rose: {seen:?}");
}

fn percent(p: &str) -> u32 {
    p.strip_prefix("In Progress (")
        .and_then(|r| r.strip_suffix("%)"))
        .map_or(0, |n| n.parse().unwrap())
}

both_stores!(realistic_pace_lets_clients_poll_and_cancel);
async fn realistic_pace_lets_clients_poll_and_cancel() {
    let s = start_with(|c| c.pace = Pace::Realistic).await;
    let t = s.token("A9994").await;

    // DELETE right after kick-off: 202, then the job is cancelled.
    let url = s.start_job(&t, "/api/v2/Patient/$export").await;
    let del = s.http.delete(&url).bearer_auth(&t).send().await.unwrap();
    assert_eq!(del.status(), 202);
    assert_outcome(
        s.get(&t, &url[s.base.len()..]).await,
        404,
        "not-found",
        "Job has been cancelled.",
    )
    .await;

    // Polling in between sees X-Progress rise; cancelling then still works.
    let started = Instant::now();
    let url = s.start_job(&t, "/api/v2/Group/all/$export").await;
    // Retry-After points at the next step (about 0.7 s away), not the configured 5 s.
    let first = s.http.get(&url).bearer_auth(&t).send().await.unwrap();
    assert_eq!(first.headers()["retry-after"], "1");
    let seen = poll_until_progress(&s, &t, &url).await;
    let pcts: Vec<u32> = seen.iter().map(|p| percent(p)).collect();
    assert!(pcts.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert!(started.elapsed() >= Duration::from_millis(500), "{seen:?}");
    let del = s.http.delete(&url).bearer_auth(&t).send().await.unwrap();
    assert_eq!(del.status(), 202);
    // After the schedule would have finished, it is still cancelled and serves no file.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_outcome(
        s.get(&t, &url[s.base.len()..]).await,
        404,
        "not-found",
        "Job has been cancelled.",
    )
    .await;
    // Files written after the cancel are discarded; only sub-jobs recorded before it left a
    // file (removed with the job's data by the retention cleanup, as BCDA's cleanup does).
    let id: i64 = url.rsplit('/').next().unwrap().parse().unwrap();
    let store = s.store().await;
    let recorded = store.job_files(id).await.unwrap().len();
    let left = std::fs::read_dir(s.dir.path().join("jobs").join(id.to_string()))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(left, recorded);
    assert!(recorded < 3, "the job did not run to completion");

    // Left alone, a job of the smallest ACO takes a few seconds, not milliseconds.
    let started = Instant::now();
    let url = s.start_job(&t, "/api/v1/Patient/$export").await;
    let (code, body) = s.wait_job(&t, &url).await;
    assert_eq!(code, 200, "{body}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(15),
        "{took:?}"
    );
    s.stop().await;
}

/// Insert an ACO with the given attribution files and a credential; returns a token.
async fn custom_aco(s: &TestServer, cms_id: &str, files: &[AttributionRow]) -> String {
    let store = s.store().await;
    let reference = bcda_server::sandbox::reference_unix(store.as_ref())
        .await
        .unwrap();
    let row = AcoRow {
        id: 0,
        cms_id: cms_id.to_string(),
        beneficiaries: 20,
        flavour: "simple".into(),
        partially_adjudicated: false,
        denylisted: false,
        reference_unix: reference,
        rate_limited: false,
    };
    let id = store.insert_aco(&row, files).await.unwrap().unwrap();
    let params = bcda_server::HashParams {
        m_cost_kib: 256,
        t_cost: 1,
    };
    let secret = format!("secret-{cms_id}");
    let hash = bcda_server::auth::hash_secret(&secret, &params).unwrap();
    let client = format!("client-{cms_id}");
    store.insert_system(id, &client, &hash).await.unwrap();
    s.token_for(&client, &secret).await
}

/// One case of the error-text table.
struct Case {
    /// What is wrong.
    case: &'static str,
    /// Whose token: a CMS id, `-` for none, `garbage` for a malformed one.
    who: &'static str,
    method: &'static str,
    path: &'static str,
    /// Send `Accept: application/fhir+json` and `Prefer: respond-async` (else as `headers`).
    headers: Option<(Option<&'static str>, Option<&'static str>)>,
    status: u16,
    text: &'static str,
    /// Where BCDA writes this text (bcda-app file and function).
    bcda: &'static str,
}

const fn case(
    case: &'static str,
    who: &'static str,
    method: &'static str,
    path: &'static str,
    status: u16,
    text: &'static str,
    bcda: &'static str,
) -> Case {
    Case {
        case,
        who,
        method,
        path,
        headers: None,
        status,
        text,
        bcda,
    }
}

const VALIDATION: &str = "bcda/web/middleware/validation.go ValidateRequestURL";
const HEADERS: &str = "bcda/web/middleware/validation.go ValidateRequestHeaders";
const REQUESTS: &str = "bcda/api/requests.go bulkRequest";
const AUTH: &str = "bcda/auth/middleware.go";

#[rustfmt::skip]
fn table() -> Vec<Case> {
    let mut rows = vec![
        case("_outputFormat not NDJSON", "A9994", "GET", "/api/v2/Patient/$export?_outputFormat=csv", 400, "_outputFormat parameter must be one of [ndjson application/fhir+ndjson application/ndjson]", VALIDATION),
        case("_elements", "A9994", "GET", "/api/v1/Patient/$export?_elements=id", 400, "Invalid parameter: this server does not support the _elements parameter.", VALIDATION),
        case("key starting with ?", "A9994", "GET", "/api/v2/Patient/$export?_type=Patient&?_since=2020-01-01T00:00:00Z", 400, "Invalid parameter: query parameters cannot start with ?", VALIDATION),
        case("_since date only", "A9994", "GET", "/api/v2/Patient/$export?_since=2020-01-01", 400, "Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format.", VALIDATION),
        case("_since in the future", "A9994", "GET", "/api/v2/Group/all/$export?_since=2999-01-01T00:00:00Z", 400, "Invalid date format supplied in _since parameter. Date must be a date that has already passed", VALIDATION),
        case("_type repeated", "A9994", "GET", "/api/v2/Patient/$export?_type=ExplanationOfBenefit,ExplanationOfBenefit", 400, "Repeated resource type ExplanationOfBenefit", VALIDATION),
        case("_type unknown in v1", "A9994", "GET", "/api/v1/Patient/$export?_type=Claim", 400, "invalid resource type Claim. Supported types [Patient Coverage ExplanationOfBenefit]", "bcda/api/requests.go validateResources"),
        case("_type not for this ACO", "A9994", "GET", "/api/v2/Patient/$export?_type=ClaimResponse", 400, "unauthorized resource type ClaimResponse", "bcda/api/requests.go validateResources"),
        case("group id", "A9994", "GET", "/api/v2/Group/sub/$export", 400, "Invalid group ID", "bcda/api/requests.go BulkGroupRequest"),
        case("no token", "-", "GET", "/api/v2/Patient/$export", 401, "Invalid Token", AUTH),
        case("malformed token", "garbage", "GET", "/api/v1/jobs/1", 400, "Request Error", "bcda/auth/ssas.go"),
        case("denylisted ACO", "A9997", "GET", "/api/v2/Group/all/$export", 403, "ACO (CMS_ID: A9997) is unauthorized", "bcda/auth/middleware.go CheckBlacklist"),
        case("outdated attribution, Patient", "TEST995", "GET", "/api/v2/Patient/$export", 404, OUTDATED, REQUESTS),
        case("outdated attribution, Group/all", "TEST995", "GET", "/api/v1/Group/all/$export", 404, OUTDATED, REQUESTS),
        case("attribution file too old", "A1235", "GET", "/api/v2/Patient/$export", 404, "failed to start job; attribution file not found", REQUESTS),
        case("attribution file too old, Group/all", "A1235", "GET", "/api/v1/Group/all/$export", 404, "failed to start job; attribution file not found", REQUESTS),
        case("runout file too old", "A1235", "GET", "/api/v2/Group/runout/$export", 404, "runout data is no longer available. Runout data expires 180 days after ingestion", REQUESTS),
        case("no attribution file before _since", "A9994", "GET", "/api/v2/Group/all/$export?_since=2018-06-01T00:00:00Z", 404, "failed to start job; attribution file not found for given _since parameter.", REQUESTS),
        case("job id not a number", "A9994", "GET", "/api/v2/jobs/abc", 400, "", "bcda/auth/middleware.go RequireTokenJobMatch"),
        case("no such job", "A9994", "GET", "/api/v2/jobs/999999", 404, "", "bcda/auth/middleware.go RequireTokenJobMatch"),
        case("cancelled job", "A9994", "GET", "/api/v2/jobs/{cancelled}", 404, "Job has been cancelled.", "bcda/api/requests.go JobStatus"),
        case("cancel a cancelled job", "A9994", "DELETE", "/api/v1/jobs/{cancelled}", 410, "job was not cancelled because it is not Pending or In Progress", "bcda/service/service.go ErrJobNotCancellable via requests.go DeleteJob"),
        case("_status repeated", "A9994", "GET", "/api/v2/jobs?_status=Pending,Pending", 400, "Repeated status type Pending", "bcda/api/requests.go JobsStatus"),
        case("_status unknown", "A9994", "GET", "/api/v2/jobs?_status=Done", 400, "invalid status type Done. Supported types map[Archived:{} Cancelled:{} CancelledExpired:{} Completed:{} Expired:{} Failed:{} FailedExpired:{} In Progress:{} Pending:{}]", "bcda/api/requests.go validateStatuses"),
        case("no attribution file at all", "A1236", "GET", "/api/v2/attribution_status", 404, "", "bcda/api/requests.go AttributionStatus"),
        case("no attribution file at all, export", "A1236", "GET", "/api/v2/Patient/$export", 404, "failed to start job; attribution file not found", REQUESTS),
    ];
    let header_cases = [
        ("Accept missing", None, Some("respond-async"), "Accept header is required"),
        ("Accept not FHIR JSON", Some("*/*"), Some("respond-async"), "application/fhir+json is the only supported response format"),
        ("Prefer missing", Some("application/fhir+json"), None, "Prefer header is required"),
        ("Prefer not async", Some("application/fhir+json"), Some("respond-sync"), "Only asynchronous responses are supported"),
    ];
    for (what, accept, prefer, text) in header_cases {
        rows.push(Case {
            headers: Some((accept, prefer)),
            ..case(what, "A9994", "GET", "/api/v2/Group/all/$export", 400, text, HEADERS)
        });
    }
    rows
}

/// Send one table row's request; returns (status, body).
async fn send(
    s: &TestServer,
    row: &Case,
    path: &str,
    tokens: &std::collections::HashMap<&str, String>,
) -> (u16, String) {
    let method = reqwest::Method::from_bytes(row.method.as_bytes()).unwrap();
    let mut req = s.http.request(method, s.url(path));
    let (accept, prefer) = row
        .headers
        .unwrap_or((Some("application/fhir+json"), Some("respond-async")));
    if let Some(a) = accept {
        req = req.header("Accept", a);
    }
    if let Some(p) = prefer {
        req = req.header("Prefer", p);
    }
    req = match row.who {
        "-" => req,
        "garbage" => req.bearer_auth("not.a.jwt"),
        aco => req.bearer_auth(&tokens[aco]),
    };
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

both_stores!(every_error_text_shared_with_bcda_is_bcdas);
async fn every_error_text_shared_with_bcda_is_bcdas() {
    let s = start_with(|c| c.workers = 0).await;
    let store = s.store().await;
    let reference = bcda_server::sandbox::reference_unix(store.as_ref())
        .await
        .unwrap();
    let day = 86_400;
    let year = time::OffsetDateTime::from_unix_timestamp(reference)
        .unwrap()
        .year();
    let file = |runout: bool, py: i32, age_days: i64| AttributionRow {
        file_index: 0,
        name: format!(
            "T.BCD.A1235.ZC{}.D000101.T0000000",
            if runout { 'R' } else { 'Y' }
        ),
        runout,
        performance_year: py,
        timestamp_unix: reference - age_days * day,
        imported_unix: reference - age_days * day + 3600,
    };
    let mut tokens = std::collections::HashMap::new();
    // Files older than BCDA's cutoffs (50 days; runout 180 days).
    let stale = [file(false, year, 60), file(true, year - 1, 200)];
    tokens.insert("A1235", custom_aco(&s, "A1235", &stale).await);
    tokens.insert("A1236", custom_aco(&s, "A1236", &[]).await);
    for aco in ["A9994", "A9997", "TEST995"] {
        tokens.insert(aco, s.token(aco).await);
    }
    let cancelled = s
        .start_job(&tokens["A9994"], "/api/v2/Patient/$export?_type=Patient")
        .await;
    let del = s
        .http
        .delete(&cancelled)
        .bearer_auth(&tokens["A9994"])
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 202);
    let cancelled_id = cancelled.rsplit('/').next().unwrap().to_string();

    let mut failures = Vec::new();
    let rows = table();
    for row in &rows {
        let path = row.path.replace("{cancelled}", &cancelled_id);
        let (status, body) = if let Some((None, prefer)) = row.headers {
            // reqwest always sends `Accept: */*`; a raw request has no Accept at all.
            let extra = prefer.map_or(String::new(), |p| format!("Prefer: {p}\r\n"));
            let raw = raw_get(&s, &path, &tokens[row.who], &extra).await;
            let (head, body) = raw.split_once("\r\n\r\n").unwrap();
            (head[9..12].parse::<u16>().unwrap(), body.to_string())
        } else {
            send(&s, row, &path, &tokens).await
        };
        let text = OperationOutcome::parse(&body)
            .ok()
            .filter(|oo| oo.issue.len() == 1)
            .map(|oo| oo.diagnostics().to_string());
        if status != row.status || text.as_deref() != Some(row.text) {
            failures.push(format!(
                "{} ({}): got {status} {body}; BCDA sends {} {:?}",
                row.case, row.bcda, row.status, row.text
            ));
        }
    }
    assert!(rows.len() >= 30, "{} rows", rows.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    s.stop().await;
}

both_stores!(seeding_updates_an_older_data_directory);
async fn seeding_updates_an_older_data_directory() {
    // A data directory seeded by an older version: short histories (here: one file each).
    let dir = tempfile::tempdir().unwrap();
    let db = database_for(dir.path()).await;
    let store = bcda_server::store::open(&db, dir.path()).await.unwrap();
    let store = store.as_ref();
    let params = bcda_server::HashParams {
        m_cost_kib: 256,
        t_cost: 1,
    };
    bcda_server::sandbox::seed(store, &params).await.unwrap();
    let a9994 = store.aco_by_cms_id("A9994").await.unwrap().unwrap().id;
    let test995 = store.aco_by_cms_id("TEST995").await.unwrap().unwrap().id;
    let full = store.attribution_files(a9994).await.unwrap();
    let outdated = store.attribution_files(test995).await.unwrap();
    assert!(full.len() >= 15, "yearly Y and R files since 2019");
    assert_eq!(outdated.len(), 2, "TEST995: one Y and one R file");
    store
        .replace_attribution_files(a9994, &full[full.len() - 1..])
        .await
        .unwrap();
    store.replace_attribution_files(test995, &[]).await.unwrap();
    assert_eq!(bcda_server::sandbox::seed(store, &params).await.unwrap(), 0);
    assert_eq!(store.attribution_files(a9994).await.unwrap(), full);
    assert_eq!(store.attribution_files(test995).await.unwrap(), outdated);
}
