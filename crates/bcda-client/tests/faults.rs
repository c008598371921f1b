//! Fault injection with a small scripted axum server on loopback: 429 with `Retry-After`,
//! 500s, a connection dropped mid-download, a truncated gzip stream, expired tokens, a line of
//! the wrong type. The client recovers or fails with a clear message, and a final file name
//! never holds a partial file.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bcda_client::{BulkClient, ClientConfig, ClientError, Credentials, Event, ExportRequest};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    /// The first request sends half the bytes, then the connection dies.
    DropOnce,
    /// The first n requests answer 500.
    Fail500(u32),
    /// Always a gzip stream missing its tail (with a matching Content-Length).
    TruncatedGzip,
}

struct FileSpec {
    name: &'static str,
    rtype: &'static str,
    mode: Mode,
    raw: String,
    gz: Vec<u8>,
}

fn file(
    name: &'static str,
    rtype: &'static str,
    mode: Mode,
    wrong_line: Option<usize>,
) -> FileSpec {
    let mut raw = String::new();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15 ^ name.len() as u64;
    for i in 0..3000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let t = if wrong_line == Some(i + 1) {
            "Coverage"
        } else {
            rtype
        };
        raw.push_str(&format!(
            "{{\"resourceType\":\"{t}\",\"id\":\"{name}-{i}\",\"note\":\"{x:016x}{:016x}\"}}\n",
            x.rotate_left(17)
        ));
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(raw.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    FileSpec {
        name,
        rtype,
        mode,
        raw,
        gz,
    }
}

#[derive(Default)]
struct Script {
    /// `expires_in` as sent (string or number).
    token_ttl: Option<serde_json::Value>,
    /// Reject tokens older than their `expires_in`.
    enforce_ttl: bool,
    /// Reject the first token on `/data` (it "expired" mid-job).
    reject_first_token: bool,
    kickoff_429: u32,
    status_202: u32,
    status_500: u32,
    files: Vec<FileSpec>,
}

#[derive(Default)]
struct Log {
    tokens: HashMap<String, Instant>,
    kickoffs: u32,
    polls: u32,
    hits: HashMap<String, u32>,
    ranges: Vec<(String, String)>,
    rejected: u32,
}

struct App {
    script: Script,
    base: String,
    log: Mutex<Log>,
}

type Shared = Arc<App>;

async fn token(State(app): State<Shared>, headers: HeaderMap) -> Response {
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Basic "));
    if !basic {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut log = app.log.lock().unwrap();
    let name = format!("tok-{}", log.tokens.len() + 1);
    log.tokens.insert(name.clone(), Instant::now());
    let ttl = app
        .script
        .token_ttl
        .clone()
        .unwrap_or_else(|| serde_json::Value::String("1200".into()));
    let body = serde_json::json!({"access_token": name, "expires_in": ttl, "token_type": "bearer"});
    ([("content-type", "application/json")], body.to_string()).into_response()
}

/// The bearer token if valid (`for_data`: also apply `reject_first_token`).
fn check(app: &App, headers: &HeaderMap, for_data: bool) -> Result<(), StatusCode> {
    let tok = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_string();
    let mut log = app.log.lock().unwrap();
    let Some(issued) = log.tokens.get(&tok).copied() else {
        log.rejected += 1;
        return Err(StatusCode::UNAUTHORIZED);
    };
    let ttl = match &app.script.token_ttl {
        Some(serde_json::Value::Number(n)) => n.as_u64().unwrap(),
        Some(serde_json::Value::String(s)) => s.parse().unwrap(),
        _ => 1200,
    };
    let expired = app.script.enforce_ttl && issued.elapsed() > Duration::from_secs(ttl);
    let revoked = for_data && app.script.reject_first_token && tok == "tok-1";
    if expired || revoked {
        log.rejected += 1;
        return Err(StatusCode::UNAUTHORIZED);
    }
    Ok(())
}

async fn kickoff(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = check(&app, &headers, false) {
        return r.into_response();
    }
    let mut log = app.log.lock().unwrap();
    log.kickoffs += 1;
    if log.kickoffs <= app.script.kickoff_429 {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "1")],
            "slow down",
        )
            .into_response();
    }
    (
        StatusCode::ACCEPTED,
        [("content-location", format!("{}/api/v2/jobs/7", app.base))],
    )
        .into_response()
}

async fn status(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = check(&app, &headers, false) {
        return r.into_response();
    }
    let mut log = app.log.lock().unwrap();
    log.polls += 1;
    let s = &app.script;
    if log.polls <= s.status_202 {
        let p = format!("In Progress ({}%)", log.polls * 100 / (s.status_202 + 1));
        return (StatusCode::ACCEPTED, [("x-progress", p)]).into_response();
    }
    if log.polls <= s.status_202 + s.status_500 {
        let body = r#"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception","diagnostics":"database hiccup"}]}"#;
        return (StatusCode::INTERNAL_SERVER_ERROR, body).into_response();
    }
    let output: Vec<_> = s
        .files
        .iter()
        .map(|f| serde_json::json!({"type": f.rtype, "url": format!("{}/data/7/{}", app.base, f.name)}))
        .collect();
    let manifest = serde_json::json!({
        "transactionTime": "2026-01-01T00:00:00.000Z",
        "request": format!("{}/api/v2/Group/all/$export", app.base),
        "requiresAccessToken": true,
        "output": output,
        "error": [],
        "JobID": 7
    });
    ([("content-type", "application/json")], manifest.to_string()).into_response()
}

async fn data(
    State(app): State<Shared>,
    Path((_job, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check(&app, &headers, true) {
        return r.into_response();
    }
    let Some(f) = app.script.files.iter().find(|f| f.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let hit = {
        let mut log = app.log.lock().unwrap();
        let h = log.hits.entry(name.clone()).or_default();
        *h += 1;
        let hit = *h;
        if let Some(r) = headers.get("range").and_then(|v| v.to_str().ok()) {
            log.ranges.push((name.clone(), r.to_string()));
        }
        hit
    };
    let etag = format!("\"{}-gz\"", f.name);
    let full = |body: Body, len: usize| {
        Response::builder()
            .status(200)
            .header("content-encoding", "gzip")
            .header("content-length", len)
            .header("etag", &etag)
            .body(body)
            .unwrap()
    };
    match f.mode {
        Mode::Fail500(n) if hit <= n => {
            return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response()
        }
        Mode::DropOnce if hit == 1 => {
            let half = bytes::Bytes::copy_from_slice(&f.gz[..f.gz.len() / 2]);
            let stream = futures::stream::unfold(0u8, move |state| {
                let half = half.clone();
                async move {
                    match state {
                        0 => Some((Ok::<_, std::io::Error>(half), 1)),
                        1 => {
                            tokio::time::sleep(Duration::from_millis(200)).await;
                            Some((Err(std::io::Error::other("connection reset by test")), 2))
                        }
                        _ => None,
                    }
                }
            });
            return full(Body::from_stream(stream), f.gz.len());
        }
        Mode::TruncatedGzip => {
            let cut = f.gz[..f.gz.len() - 100].to_vec();
            let len = cut.len();
            return full(Body::from(cut), len);
        }
        _ => {}
    }
    let range = headers.get("range").and_then(|v| v.to_str().ok());
    let if_range_ok = headers
        .get("if-range")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v == etag);
    if let (Some(r), true) = (range, if_range_ok) {
        if let Some(start) = r
            .strip_prefix("bytes=")
            .and_then(|s| s.strip_suffix('-'))
            .and_then(|s| s.parse::<usize>().ok())
        {
            if start < f.gz.len() {
                let rest = f.gz[start..].to_vec();
                return Response::builder()
                    .status(206)
                    .header("content-encoding", "gzip")
                    .header("content-length", rest.len())
                    .header(
                        "content-range",
                        format!("bytes {start}-{}/{}", f.gz.len() - 1, f.gz.len()),
                    )
                    .header("etag", &etag)
                    .body(Body::from(rest))
                    .unwrap();
            }
        }
    }
    full(Body::from(f.gz.clone()), f.gz.len())
}

async fn serve(script: Script) -> (Shared, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Arc::new(App {
        script,
        base: base.clone(),
        log: Mutex::new(Log::default()),
    });
    let router = Router::new()
        .route("/auth/token", post(token))
        .route("/api/v2/Group/all/{op}", get(kickoff))
        .route("/api/v2/jobs/{id}", get(status))
        .route("/data/{job}/{name}", get(data))
        .with_state(app.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (app, base)
}

fn client(base: &str) -> BulkClient {
    let mut config = ClientConfig::new(base, Credentials::new("client", "top-secret-value"));
    config.backoff_base = Duration::from_millis(10);
    config.max_wait = Duration::from_secs(2);
    config.max_attempts = 4;
    config.parallel_downloads = 3;
    BulkClient::new(config).unwrap()
}

struct Recorder(Mutex<Vec<Event>>);

impl bcda_client::Progress for Recorder {
    fn on_event(&self, event: &Event) {
        self.0.lock().unwrap().push(event.clone());
    }
}

async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .expect("test timed out")
}

fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn recovers_from_429_500s_dropped_connection_and_revoked_token() {
    let (app, base) = serve(Script {
        reject_first_token: true,
        kickoff_429: 1,
        status_202: 2,
        status_500: 1,
        files: vec![
            file("a.ndjson", "Patient", Mode::Plain, None),
            file("b.ndjson", "Coverage", Mode::DropOnce, None),
            file("c.ndjson", "ExplanationOfBenefit", Mode::Fail500(2), None),
        ],
        ..Script::default()
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let rec = Recorder(Mutex::new(Vec::new()));
    let c = client(&base);
    let started = Instant::now();
    let summary = bounded(c.export(&ExportRequest::group_all(), out.path(), &rec))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "the 429's Retry-After: 1 was not honoured"
    );
    for f in &app.script.files {
        let local = std::fs::read_to_string(out.path().join(f.name)).unwrap();
        assert!(local == f.raw, "{} differs", f.name);
    }
    assert_eq!(summary.total_lines(), 9000);
    assert_eq!(
        names_in(out.path()),
        ["a.ndjson", "b.ndjson", "c.ndjson", "manifest.json"]
    );
    let b = summary
        .files
        .iter()
        .find(|f| f.path.ends_with("b.ndjson"))
        .unwrap();
    assert!(b.resumed, "b.ndjson was not resumed");

    let log = app.log.lock().unwrap();
    assert_eq!(log.kickoffs, 2, "429 then 202");
    assert_eq!(log.polls, 4, "two 202s, one 500, one 200");
    assert!(log.tokens.len() >= 2, "the revoked token was not renewed");
    assert!(log.rejected >= 1);
    let half = app.script.files[1].gz.len() / 2;
    assert!(
        log.ranges
            .contains(&("b.ndjson".to_string(), format!("bytes={half}-"))),
        "no Range resume: {:?}",
        log.ranges
    );
    assert_eq!(log.hits["c.ndjson"], 3, "two 500s then success");
    drop(log);

    let events = rec.0.lock().unwrap();
    let progress: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::InProgress { progress, .. } => progress.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(progress, ["In Progress (33%)", "In Progress (66%)"]);
    assert!(events.iter().any(
        |e| matches!(e, Event::Retrying { reason, wait, .. } if reason.contains("429") && *wait == Duration::from_secs(1))
    ));
    let dbg = format!("{events:?}{summary:?}");
    assert!(!dbg.contains("top-secret-value"));
}

#[tokio::test]
async fn token_renewed_before_expiry_with_numeric_expires_in() {
    let (app, base) = serve(Script {
        token_ttl: Some(serde_json::json!(1)),
        enforce_ttl: true,
        kickoff_429: 2,
        files: vec![file("p.ndjson", "Patient", Mode::Plain, None)],
        ..Script::default()
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let c = client(&base);
    bounded(c.export(
        &ExportRequest::group_all(),
        out.path(),
        &bcda_client::NoProgress,
    ))
    .await
    .unwrap();
    let log = app.log.lock().unwrap();
    assert!(log.tokens.len() >= 3, "tokens: {}", log.tokens.len());
    assert_eq!(log.rejected, 0, "a request went out with an expired token");
}

#[tokio::test]
async fn truncated_gzip_fails_clearly_and_leaves_no_final_file() {
    let (app, base) = serve(Script {
        files: vec![
            file("good.ndjson", "Patient", Mode::Plain, None),
            file("bad.ndjson", "Coverage", Mode::TruncatedGzip, None),
        ],
        ..Script::default()
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let err = bounded(c_export(&base, out.path())).await.unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, ClientError::RetriesExhausted { attempts: 4, .. }),
        "{msg}"
    );
    assert!(msg.contains("bad.ndjson") && msg.contains("gzip"), "{msg}");
    assert!(!out.path().join("bad.ndjson").exists());
    assert_eq!(app.log.lock().unwrap().hits["bad.ndjson"], 4);
    for name in names_in(out.path()) {
        assert!(!name.starts_with(".bad.ndjson"), "left behind: {name}");
        if name == "good.ndjson" {
            let text = std::fs::read_to_string(out.path().join(&name)).unwrap();
            assert!(text == app.script.files[0].raw);
        }
    }
}

async fn c_export(
    base: &str,
    out: &std::path::Path,
) -> Result<bcda_client::ExportSummary, ClientError> {
    client(base)
        .export(&ExportRequest::group_all(), out, &bcda_client::NoProgress)
        .await
}

#[tokio::test]
async fn wrong_resource_type_is_rejected_with_its_line() {
    let (_app, base) = serve(Script {
        files: vec![file("p.ndjson", "Patient", Mode::Plain, Some(5))],
        ..Script::default()
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let err = bounded(c_export(&base, out.path())).await.unwrap_err();
    match &err {
        ClientError::InvalidLine {
            file,
            line,
            message,
        } => {
            assert_eq!(file, "p.ndjson");
            assert_eq!(*line, 5);
            assert!(
                message.contains("Coverage") && message.contains("Patient"),
                "{message}"
            );
        }
        other => panic!("expected InvalidLine, got {other}"),
    }
    assert_eq!(names_in(out.path()), ["manifest.json"]);
}

#[tokio::test]
async fn persistent_500_gives_up_with_the_status() {
    let (app, base) = serve(Script {
        files: vec![file("p.ndjson", "Patient", Mode::Fail500(100), None)],
        ..Script::default()
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let err = bounded(c_export(&base, out.path())).await.unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, ClientError::Status { status: 500, .. }),
        "{msg}"
    );
    assert!(
        msg.contains("/data/7/p.ndjson") && msg.contains("boom"),
        "{msg}"
    );
    assert_eq!(app.log.lock().unwrap().hits["p.ndjson"], 4);
    assert_eq!(names_in(out.path()), ["manifest.json"]);
}

#[tokio::test]
async fn partial_file_from_a_failed_run_is_resumed_with_range_by_the_next() {
    let (app, base) = serve(Script {
        files: vec![
            file("a.ndjson", "Patient", Mode::Plain, None),
            file("b.ndjson", "Coverage", Mode::DropOnce, None),
        ],
        ..Script::default()
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let mut config = ClientConfig::new(&base, Credentials::new("client", "top-secret-value"));
    config.max_attempts = 1;
    config.parallel_downloads = 1;
    let first = BulkClient::new(config).unwrap();
    let err = bounded(first.export(
        &ExportRequest::group_all(),
        out.path(),
        &bcda_client::NoProgress,
    ))
    .await
    .unwrap_err();
    assert!(err.to_string().contains("b.ndjson"), "{err}");
    assert!(!out.path().join("b.ndjson").exists());
    let half = app.script.files[1].gz.len() / 2;
    let part = out.path().join(".b.ndjson.part");
    assert_eq!(std::fs::metadata(&part).unwrap().len(), half as u64);

    // A new process continues the same job from its URL.
    let second = client(&base);
    let summary = bounded(second.resume(
        &format!("{base}/api/v2/jobs/7"),
        out.path(),
        &bcda_client::NoProgress,
    ))
    .await
    .unwrap();
    let b = summary
        .files
        .iter()
        .find(|f| f.path.ends_with("b.ndjson"))
        .unwrap();
    assert!(b.resumed);
    assert_eq!(b.transferred, (app.script.files[1].gz.len() - half) as u64);
    let a = summary
        .files
        .iter()
        .find(|f| f.path.ends_with("a.ndjson"))
        .unwrap();
    assert!(a.already_present, "a.ndjson was downloaded twice");
    assert!(
        std::fs::read_to_string(out.path().join("b.ndjson")).unwrap() == app.script.files[1].raw
    );
    assert!(app
        .log
        .lock()
        .unwrap()
        .ranges
        .contains(&("b.ndjson".to_string(), format!("bytes={half}-"))));
    assert_eq!(
        names_in(out.path()),
        ["a.ndjson", "b.ndjson", "manifest.json"]
    );
}
