//! The export flow over loopback: kick-off, status, manifest, downloads, jobs list, cancel,
//! retention, isolation and path traversal.

#[macro_use]
mod common;

use std::io::Read;

use bcda_protocol::{Manifest, TaskBundle};
use common::*;

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_string(&mut out)
        .unwrap();
    out
}

both_stores!(full_export_flow_v2);
async fn full_export_flow_v2() {
    let s = start().await;
    let token = s.token("A9994").await;
    let status_url = s.start_job(&token, "/api/v2/Patient/$export").await;
    assert!(
        status_url.starts_with(&format!("{}/api/v2/jobs/", s.base)),
        "{status_url}"
    );
    let (code, body) = s.wait_job(&token, &status_url).await;
    assert_eq!(code, 200, "{body}");
    let manifest = Manifest::parse(&body).unwrap();
    let job_id: u64 = status_url.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(manifest.job_id, job_id);
    assert!(manifest.requires_access_token);
    assert_eq!(
        manifest.request,
        format!("{}/api/v2/Patient/$export", s.base)
    );
    assert!(manifest.error.is_empty());
    assert!(body.contains(r#""error":[]"#));
    assert!(time::OffsetDateTime::parse(
        &manifest.transaction_time,
        &time::format_description::well_known::Rfc3339
    )
    .is_ok());
    let mut types: Vec<&str> = manifest
        .output
        .iter()
        .map(|o| o.resource_type.as_str())
        .collect();
    types.sort();
    types.dedup();
    assert_eq!(types, ["Coverage", "ExplanationOfBenefit", "Patient"]);

    let mut patients = 0;
    for entry in &manifest.output {
        // gzip pass-through
        let gz = s
            .http
            .get(&entry.url)
            .bearer_auth(&token)
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(gz.status(), 200);
        assert_eq!(gz.headers()["content-encoding"], "gzip");
        assert_eq!(gz.headers()["content-type"], "application/fhir+ndjson");
        let etag = gz.headers()["etag"].to_str().unwrap().to_string();
        let gz_bytes = gz.bytes().await.unwrap();
        let from_gz = gunzip(&gz_bytes);

        // decompressed on the fly
        let plain = s.get(&token, &entry.url[s.base.len()..]).await;
        assert_eq!(plain.status(), 200);
        assert!(!plain.headers().contains_key("content-encoding"));
        let len: usize = plain.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let text = plain.text().await.unwrap();
        assert_eq!(text.len(), len);
        assert_eq!(text, from_gz);
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["resourceType"], entry.resource_type.as_str());
        }
        if entry.resource_type == "Patient" {
            patients += text.lines().count();
        }

        // Range on the decompressed representation resumes exactly.
        let tail = s
            .http
            .get(&entry.url)
            .bearer_auth(&token)
            .header("Range", "bytes=10-")
            .send()
            .await
            .unwrap();
        assert_eq!(tail.status(), 206);
        assert_eq!(
            tail.headers()["content-range"].to_str().unwrap(),
            format!("bytes 10-{}/{}", len - 1, len)
        );
        assert_eq!(tail.text().await.unwrap(), text[10..]);

        // Range on the gzip representation.
        let part = s
            .http
            .get(&entry.url)
            .bearer_auth(&token)
            .header("Accept-Encoding", "gzip")
            .header("Range", "bytes=0-99")
            .send()
            .await
            .unwrap();
        assert_eq!(part.status(), 206);
        assert_eq!(part.bytes().await.unwrap(), gz_bytes[..100]);

        // ETag revalidation.
        let cached = s
            .http
            .get(&entry.url)
            .bearer_auth(&token)
            .header("Accept-Encoding", "gzip")
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(cached.status(), 304);

        // Unsatisfiable range.
        let bad = s
            .http
            .get(&entry.url)
            .bearer_auth(&token)
            .header("Range", format!("bytes={}-", len + 10))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 416);
    }
    assert_eq!(patients, 50, "A9994 has 50 beneficiaries");

    // The job list shows it as a completed Task.
    let list = s
        .http
        .get(s.url("/api/v2/jobs"))
        .bearer_auth(&token)
        .header("Accept", "application/fhir+json")
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 200);
    let bundle = TaskBundle::parse(&list.text().await.unwrap()).unwrap();
    assert_eq!(bundle.job_ids(), vec![job_id]);
    assert_eq!(bundle.entry[0].resource.status, "completed");
    assert_eq!(
        bundle.entry[0].resource.identifier[0].system,
        format!("{}/api/v2/jobs", s.base)
    );

    // A completed job cannot be cancelled.
    let del = s
        .http
        .delete(&status_url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_outcome(
        del,
        410,
        "not-found",
        "job was not cancelled because it is not Pending or In Progress",
    )
    .await;
    s.stop().await;
}

both_stores!(v1_and_pac_types);
async fn v1_and_pac_types() {
    let s = start().await;
    let token = s.token("TEST001").await;
    // v2 default for a partially adjudicated ACO includes Claim and ClaimResponse.
    let url = s.start_job(&token, "/api/v2/Group/all/$export").await;
    let (code, body) = s.wait_job(&token, &url).await;
    assert_eq!(code, 200, "{body}");
    let m = Manifest::parse(&body).unwrap();
    for t in ["Claim", "ClaimResponse", "Patient"] {
        assert!(
            m.output.iter().any(|o| o.resource_type == t),
            "{t} in {body}"
        );
    }
    // v1 serves STU3.
    let url = s
        .start_job(&token, "/api/v1/Patient/$export?_type=Patient")
        .await;
    let (code, body) = s.wait_job(&token, &url).await;
    assert_eq!(code, 200, "{body}");
    let m = Manifest::parse(&body).unwrap();
    assert_eq!(m.output.len(), 1);
    let text = s
        .get(&token, &m.output[0].url[s.base.len()..])
        .await
        .text()
        .await
        .unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["resourceType"], "Patient");
    s.stop().await;
}

both_stores!(bad_requests_get_exact_outcomes);
async fn bad_requests_get_exact_outcomes() {
    let s = start().await;
    let t = s.token("A9994").await;
    let cases: &[(&str, u16, &str, &str)] = &[
        ("/api/v2/Patient/$export?_outputFormat=csv", 400, "structure", "_outputFormat parameter must be one of [ndjson application/fhir+ndjson application/ndjson]"),
        ("/api/v2/Patient/$export?_elements=id", 400, "structure", "Invalid parameter: this server does not support the _elements parameter."),
        ("/api/v1/Patient/$export?_type=Patient&?_since=2020-01-01T00:00:00Z", 400, "structure", "Invalid parameter: query parameters cannot start with ?"),
        ("/api/v2/Patient/$export?_since=2020-01-01", 400, "structure", "Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format."),
        ("/api/v2/Patient/$export?_since=2999-01-01T00:00:00Z", 400, "structure", "Invalid date format supplied in _since parameter. Date must be a date that has already passed"),
        ("/api/v2/Patient/$export?_type=Patient,Patient", 400, "structure", "Repeated resource type Patient"),
        ("/api/v1/Patient/$export?_type=Claim", 400, "structure", "invalid resource type Claim. Supported types [Patient Coverage ExplanationOfBenefit]"),
        ("/api/v2/Patient/$export?_type=Claim", 400, "structure", "unauthorized resource type Claim"),
        ("/api/v2/Group/sub/$export", 400, "structure", "Invalid group ID"),
        ("/api/v2/jobs/abc", 400, "structure", ""),
        ("/api/v2/jobs/999999", 404, "not-found", ""),
    ];
    for (path, status, code, diag) in cases {
        let resp = s.kickoff(&t, path).await;
        assert_eq!(resp.status().as_u16(), *status, "{path}");
        assert_outcome(resp, *status, code, diag).await;
    }
    // Header validation, in BCDA's order.
    let send = |accept: Option<&'static str>, prefer: Option<&'static str>| {
        let mut rb = s.http.get(s.url("/api/v2/Patient/$export")).bearer_auth(&t);
        if let Some(a) = accept {
            rb = rb.header("Accept", a);
        }
        if let Some(p) = prefer {
            rb = rb.header("Prefer", p);
        }
        rb.send()
    };
    // reqwest always sends `Accept: */*`; a raw request has no Accept at all.
    let raw = raw_get(
        &s,
        "/api/v1/Patient/$export",
        &t,
        "Prefer: respond-async\r\n",
    )
    .await;
    assert!(raw.starts_with("HTTP/1.1 400"), "{raw}");
    assert!(
        raw.ends_with(r#""diagnostics":"Accept header is required"}]}"#),
        "{raw}"
    );
    assert!(send(None, Some("respond-async")).await.unwrap().status() == 400);
    assert_outcome(
        send(Some("*/*"), Some("respond-async")).await.unwrap(),
        400,
        "structure",
        "application/fhir+json is the only supported response format",
    )
    .await;
    assert_outcome(
        send(Some("application/fhir+json"), None).await.unwrap(),
        400,
        "structure",
        "Prefer header is required",
    )
    .await;
    assert_outcome(
        send(Some("application/fhir+json"), Some("return=minimal"))
            .await
            .unwrap(),
        400,
        "structure",
        "Only asynchronous responses are supported",
    )
    .await;
    // v1 shape has no details; v2 has the Request Error coding.
    let v1 = s
        .kickoff(&t, "/api/v1/Group/sub/$export")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        v1,
        r#"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"structure","diagnostics":"Invalid group ID"}]}"#
    );
    let v2 = s
        .kickoff(&t, "/api/v2/Group/sub/$export")
        .await
        .text()
        .await
        .unwrap();
    assert!(v2.contains(r#""details":{"coding":[{"system":"http://hl7.org/fhir/ValueSet/operation-outcome","code":"Request Error","display":"Invalid group ID"}],"text":"Invalid group ID"}"#), "{v2}");
    // _status filter errors.
    let resp = s
        .http
        .get(s.url("/api/v2/jobs?_status=Done"))
        .bearer_auth(&t)
        .header("Accept", "application/fhir+json")
        .send()
        .await
        .unwrap();
    assert_outcome(resp, 400, "structure", "invalid status type Done. Supported types map[Archived:{} Cancelled:{} CancelledExpired:{} Completed:{} Expired:{} Failed:{} FailedExpired:{} In Progress:{} Pending:{}]").await;
    // Unknown routes and methods.
    let nf = s.http.get(s.url("/api/v9/metadata")).send().await.unwrap();
    assert_eq!(nf.status(), 404);
    assert_eq!(nf.text().await.unwrap(), "404 page not found");
    let post = s
        .http
        .post(s.url("/api/v2/Patient/$export"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 405);
    s.stop().await;
}

both_stores!(denylisted_and_outdated_acos);
async fn denylisted_and_outdated_acos() {
    let s = start().await;
    let denied = s.token("A9997").await;
    assert_outcome(
        s.kickoff(&denied, "/api/v2/Patient/$export").await,
        403,
        "forbidden",
        "ACO (CMS_ID: A9997) is unauthorized",
    )
    .await;
    assert_outcome(
        s.get(&denied, "/api/v2/jobs/1").await,
        403,
        "forbidden",
        "ACO (CMS_ID: A9997) is unauthorized",
    )
    .await;
    assert_outcome(
        s.get(&denied, "/data/1/x.ndjson").await,
        403,
        "forbidden",
        "ACO (CMS_ID: A9997) is unauthorized",
    )
    .await;
    let outdated = s.token("TEST995").await;
    assert_outcome(
        s.kickoff(&outdated, "/api/v2/Patient/$export").await,
        404,
        "exception",
        "unable to perform export operations for this Group. No up-to-date attribution information is available for ACOID 'TEST995'. Usually this is due to awaiting new attribution information at the beginning of a Performance Year",
    )
    .await;
    // The admin can lift the denial.
    s.admin().await.deny_aco("A9997", false).await.unwrap();
    assert_eq!(
        s.kickoff(&denied, "/api/v2/Patient/$export?_type=Patient")
            .await
            .status(),
        202
    );
    s.stop().await;
}

both_stores!(duplicate_jobs_cancel_and_list);
async fn duplicate_jobs_cancel_and_list() {
    // No workers: jobs stay Pending so the test controls every state.
    let s = start_with(|c| c.workers = 0).await;
    // A non-test ACO: BCDA never refuses duplicates of test ACOs (A999x, TEST...).
    let t = admin_aco_token(&s, "A1234", 200).await;
    let first = s
        .start_job(
            &t,
            "/api/v2/Patient/$export?_type=ExplanationOfBenefit,Patient",
        )
        .await;
    let id: u64 = first.rsplit('/').next().unwrap().parse().unwrap();
    // Overlapping types (as sets): 429 naming the job, with Retry-After.
    let dup = s.kickoff(&t, "/api/v2/Patient/$export?_type=Patient").await;
    assert_eq!(dup.status(), 429);
    assert_eq!(dup.headers()["retry-after"], "5");
    let body = dup.text().await.unwrap();
    let oo = bcda_protocol::OperationOutcome::parse(&body).unwrap();
    assert_eq!(oo.issue[0].code, "throttled");
    assert!(oo.diagnostics().contains(&format!("Job {id} ")), "{body}");
    // Different version or disjoint types: allowed.
    let other = s
        .start_job(&t, "/api/v2/Patient/$export?_type=Coverage")
        .await;
    let v1 = s
        .start_job(&t, "/api/v1/Patient/$export?_type=Patient")
        .await;

    // Job list with a status filter.
    let list = |q: &'static str| {
        s.http
            .get(s.url(&format!("/api/v2/jobs{q}")))
            .bearer_auth(&t)
            .header("Accept", "application/fhir+json")
            .send()
    };
    let all = TaskBundle::parse(&list("").await.unwrap().text().await.unwrap()).unwrap();
    assert_eq!(all.total, 3);
    // Cancel the first; then its status is 404 "Job has been cancelled." and a second DELETE 410.
    let del = s.http.delete(&first).bearer_auth(&t).send().await.unwrap();
    assert_eq!(del.status(), 202);
    assert_outcome(
        s.get(&t, &first[s.base.len()..]).await,
        404,
        "not-found",
        "Job has been cancelled.",
    )
    .await;
    let again = s.http.delete(&first).bearer_auth(&t).send().await.unwrap();
    assert_eq!(again.status(), 410);
    let cancelled = TaskBundle::parse(
        &list("?_status=Cancelled")
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(cancelled.job_ids(), vec![id]);
    assert_eq!(cancelled.entry[0].resource.status, "cancelled");
    let none = list("?_status=Failed").await.unwrap();
    assert_eq!(none.status(), 200);
    assert_eq!(
        none.text().await.unwrap(),
        r#"{"resourceType":"Bundle","type":"searchset","total":0}"#
    );
    for url in [other, v1] {
        let _ = s.http.delete(&url).bearer_auth(&t).send().await.unwrap();
    }
    s.stop().await;
}

both_stores!(cross_aco_isolation_and_traversal);
async fn cross_aco_isolation_and_traversal() {
    let s = start().await;
    let owner = s.token("A9994").await;
    let intruder = s.token("A9998").await;
    let url = s
        .start_job(&owner, "/api/v2/Patient/$export?_type=Patient")
        .await;
    let (code, body) = s.wait_job(&owner, &url).await;
    assert_eq!(code, 200);
    let m = Manifest::parse(&body).unwrap();
    let file_path = m.output[0].url[s.base.len()..].to_string();
    let status_path = url[s.base.len()..].to_string();

    // Another ACO: status, cancel and files are refused (401 forbidden, as BCDA), list is empty.
    assert_outcome(s.get(&intruder, &status_path).await, 401, "forbidden", "").await;
    let del = s
        .http
        .delete(&url)
        .bearer_auth(&intruder)
        .send()
        .await
        .unwrap();
    assert_outcome(del, 401, "forbidden", "").await;
    assert_outcome(s.get(&intruder, &file_path).await, 401, "forbidden", "").await;
    let list = s
        .http
        .get(s.url("/api/v2/jobs"))
        .bearer_auth(&intruder)
        .header("Accept", "application/fhir+json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        TaskBundle::parse(&list.text().await.unwrap())
            .unwrap()
            .total,
        0
    );
    // The owner still can.
    assert_eq!(s.get(&owner, &file_path).await.status(), 200);

    // Traversal attempts against the owner's own job.
    let job = m.job_id;
    for evil in [
        format!("/data/{job}/..%2F..%2Fbcda.sqlite3"),
        format!("/data/{job}/..%2F..%2Fjwt-signing-key.pem"),
        format!("/data/{job}/%2Fetc%2Fpasswd"),
        format!("/data/{job}/.."),
        format!("/data/{job}/%2E%2E"),
        format!("/data/{job}/x.ndjson"),
        "/data/..%2Fbcda.sqlite3/x.ndjson".to_string(),
    ] {
        let resp = s.get(&owner, &evil).await;
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        assert!(matches!(status, 400 | 404), "{evil}: {status} {text}");
        assert!(
            !text.contains("BEGIN PRIVATE KEY") && !text.contains("SQLite"),
            "{evil}"
        );
    }
    // A symlink planted in place of a stored file is not followed.
    let name = file_path.rsplit('/').next().unwrap();
    let stored = s
        .dir
        .path()
        .join("jobs")
        .join(job.to_string())
        .join(format!("{name}.gz"));
    std::fs::remove_file(&stored).unwrap();
    std::os::unix::fs::symlink(s.dir.path().join("jwt-signing-key.pem"), &stored).unwrap();
    let resp = s.get(&owner, &file_path).await;
    assert_eq!(resp.status(), 404);
    assert!(!resp.text().await.unwrap().contains("PRIVATE KEY"));
    s.stop().await;
}

both_stores!(expired_jobs_answer_410);
async fn expired_jobs_answer_410() {
    // Zero retention: files expire as the job completes.
    let s = start_with(|c| c.retention = std::time::Duration::ZERO).await;
    let t = s.token("A9994").await;
    let url = s
        .start_job(&t, "/api/v2/Patient/$export?_type=Patient")
        .await;
    let (code, _) = s.wait_job(&t, &url).await;
    assert_eq!(code, 410);
    let resp = s.get(&t, &url[s.base.len()..]).await;
    let expires = resp.headers()["expires"].to_str().unwrap().to_string();
    assert!(httpdate::parse_http_date(&expires).is_ok(), "{expires}");
    assert_outcome(resp, 410, "not-found", "").await;
    let id = url.rsplit('/').next().unwrap();
    let data = s.get(&t, &format!("/data/{id}/anything.ndjson")).await;
    assert_eq!(data.status(), 410);
    s.stop().await;
}

both_stores!(metadata_and_ops);
async fn metadata_and_ops() {
    let s = start().await;
    for (v, fhir) in [("v1", "3.0.1"), ("v2", "4.0.1")] {
        let resp = s
            .http
            .get(s.url(&format!("/api/{v}/metadata")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["connection"], "close");
        let cs: serde_json::Value = resp.json_value().await;
        assert_eq!(cs["resourceType"], "CapabilityStatement");
        assert_eq!(cs["fhirVersion"], fhir);
        assert_eq!(
            cs["rest"][0]["security"]["extension"][0]["extension"][0]["valueUri"],
            format!("{}/auth/token", s.base)
        );
    }
    // Other endpoints keep the connection alive.
    let v = s.http.get(s.url("/_version")).send().await.unwrap();
    assert!(v.headers().get("connection").is_none_or(|c| c != "close"));
    assert!(v.text().await.unwrap().contains("\"version\""));
    let h = s.http.get(s.url("/_health")).send().await.unwrap();
    assert_eq!(h.status(), 200);
    assert!(h.text().await.unwrap().contains(r#""database":"ok""#));
    let a = s.http.get(s.url("/_auth")).send().await.unwrap();
    assert!(a
        .text()
        .await
        .unwrap()
        .contains(r#""auth_provider":"ssas""#));
    let t = s.token("A9994").await;
    let attr = s.get(&t, "/api/v2/attribution_status").await;
    assert_eq!(attr.status(), 200);
    let body = attr.text().await.unwrap();
    assert!(body.ends_with('\n'));
    assert!(body.contains("last_attribution_update"), "{body}");
    s.stop().await;
}

trait JsonValue {
    async fn json_value(self) -> serde_json::Value;
}

impl JsonValue for reqwest::Response {
    async fn json_value(self) -> serde_json::Value {
        serde_json::from_str(&self.text().await.unwrap()).unwrap()
    }
}

both_stores!(retention_archives_then_deletes);
async fn retention_archives_then_deletes() {
    let s = start_with(|c| {
        c.retention = std::time::Duration::ZERO;
        c.cleanup_interval = std::time::Duration::from_millis(20);
    })
    .await;
    let t = s.token("A9994").await;
    let url = s
        .start_job(&t, "/api/v2/Patient/$export?_type=Patient")
        .await;
    let id = url.rsplit('/').next().unwrap().to_string();
    // Wait (by state, not by time) until the cleanup task has expired the job.
    let mut expired = false;
    for _ in 0..2000 {
        let list = s
            .http
            .get(s.url("/api/v2/jobs?_status=Expired"))
            .bearer_auth(&t)
            .header("Accept", "application/fhir+json")
            .send()
            .await
            .unwrap();
        let bundle = TaskBundle::parse(&list.text().await.unwrap()).unwrap();
        if bundle.job_ids() == vec![id.parse::<u64>().unwrap()] {
            expired = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(expired, "job never reached Expired");
    assert!(!s.dir.path().join("jobs").join(&id).exists());
    assert!(!s.dir.path().join("archive").join(&id).exists());
    let resp = s.get(&t, &url[s.base.len()..]).await;
    assert_eq!(resp.status(), 410);
    s.stop().await;
}

both_stores!(concurrent_duplicate_kickoffs_start_one_job);
async fn concurrent_duplicate_kickoffs_start_one_job() {
    let s = start_with(|c| c.workers = 0).await;
    let t = admin_aco_token(&s, "A1234", 100).await;
    let mut handles = Vec::new();
    let s = std::sync::Arc::new(s);
    for _ in 0..8 {
        let (s, t) = (s.clone(), t.clone());
        handles.push(tokio::spawn(async move {
            s.kickoff(&t, "/api/v2/Patient/$export?_type=Patient")
                .await
                .status()
                .as_u16()
        }));
    }
    let mut codes = Vec::new();
    for h in handles {
        codes.push(h.await.unwrap());
    }
    codes.sort();
    assert_eq!(codes, [202, 429, 429, 429, 429, 429, 429, 429]);
}

both_stores!(a_job_whose_files_cannot_be_written_fails_with_bcda_message);
async fn a_job_whose_files_cannot_be_written_fails_with_bcda_message() {
    // First life: API only, the job stays queued.
    let s = start_with(|c| c.workers = 0).await;
    let t = s.token("A9994").await;
    let url = s
        .start_job(&t, "/api/v2/Patient/$export?_type=Patient")
        .await;
    let path = url[s.base.len()..].to_string();
    let id = url.rsplit('/').next().unwrap().to_string();
    let dir = s.stop_keep_dir().await;
    // Block the job's directory with a plain file, then restart with a worker.
    std::fs::create_dir_all(dir.path().join("jobs")).unwrap();
    std::fs::write(dir.path().join("jobs").join(&id), b"not a directory").unwrap();
    let mut config = fast_config(dir.path());
    config.workers = 1;
    let server = bcda_server::start(config).await.unwrap();
    let base = server.base_url();
    let http = reqwest::Client::builder().no_gzip().build().unwrap();
    let (code, body) = loop {
        let r = http
            .get(format!("{base}{path}"))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        if r.status() != 202 {
            break (r.status().as_u16(), r.text().await.unwrap());
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(code, 500, "{body}");
    let oo = bcda_protocol::OperationOutcome::parse(&body).unwrap();
    assert_eq!(oo.issue[0].code, "exception");
    assert_eq!(
        oo.diagnostics(),
        "Service encountered numerous errors. Job failed to complete."
    );
    server.shutdown().await.unwrap();
}
