//! The client against the real in-process server over loopback: v1 and v2, Patient and
//! Group/all, `_type`, `_since`, resume, jobs; downloaded files equal what the server serves.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use bcda_client::{
    ApiVersion, BulkClient, ClientConfig, ClientError, Credentials, ExportRequest, ExportSummary,
    NoProgress, ResourceType, Scope,
};
use bcda_server::{sandbox, HashParams, RunningServer, ServerConfig};

const LIMIT: Duration = Duration::from_secs(120);

fn key_pem() -> &'static str {
    static PEM: OnceLock<String> = OnceLock::new();
    PEM.get_or_init(|| bcda_server::auth::generate_signing_key_pem().unwrap())
}

struct Server {
    server: RunningServer,
    _dir: tempfile::TempDir,
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(bcda_server::auth::PRIVATE_KEY_FILE),
        key_pem(),
    )
    .unwrap();
    let server = bcda_server::start(ServerConfig {
        port: 0,
        data_dir: dir.path().to_path_buf(),
        workers: 2,
        retry_after_secs: 1,
        hash_params: HashParams::PUBLISHED,
        cleanup_interval: Duration::from_secs(3600),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    Server { server, _dir: dir }
}

fn client(server: &Server, aco: &str, api: ApiVersion) -> BulkClient {
    let mut config = ClientConfig::new(
        server.server.base_url(),
        Credentials::new(sandbox::client_id_for(aco), sandbox::client_secret_for(aco)),
    );
    config.api = api;
    config.max_wait = Duration::from_secs(2);
    BulkClient::new(config).unwrap()
}

async fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(LIMIT, f)
        .await
        .expect("test timed out")
}

/// Every downloaded file equals the server's uncompressed representation of it, no temporary
/// file is left behind, and `manifest.json` is the manifest.
async fn check_against_server(client: &BulkClient, summary: &ExportSummary, out: &Path) {
    let token = client.access_token(&NoProgress).await.unwrap();
    let http = reqwest::Client::builder().gzip(false).build().unwrap();
    assert!(!summary.manifest.output.is_empty(), "no output files");
    for (entry, file) in summary.manifest.output.iter().zip(&summary.files) {
        let served = http
            .get(&entry.url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(served.status(), 200);
        assert!(served.headers().get("content-encoding").is_none());
        let served = served.bytes().await.unwrap();
        let local = std::fs::read(&file.path).unwrap();
        assert_eq!(local.len(), served.len(), "{}", file.path.display());
        assert!(local == served.as_ref(), "{} differs", file.path.display());
        assert_eq!(file.bytes, local.len() as u64);
        assert_eq!(file.resource_type, entry.resource_type);
        let lines = local
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .count();
        assert_eq!(file.lines, lines as u64);
    }
    let saved: bcda_client::Manifest =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(saved, summary.manifest);
    let hidden: Vec<_> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "leftover temporary files: {hidden:?}");
}

fn types_of(summary: &ExportSummary) -> Vec<String> {
    let mut t: Vec<String> = summary
        .lines_by_type()
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    t.sort();
    t
}

#[tokio::test]
async fn v2_group_all_default_types_equal_server_files() {
    let server = start().await;
    let out = tempfile::tempdir().unwrap();
    let c = client(&server, "A9994", ApiVersion::V2);
    let summary = run(c.export(&ExportRequest::group_all(), out.path(), &NoProgress))
        .await
        .unwrap();
    assert_eq!(
        types_of(&summary),
        ["Coverage", "ExplanationOfBenefit", "Patient"]
    );
    let patients = summary
        .lines_by_type()
        .into_iter()
        .find(|(t, _)| t == "Patient")
        .unwrap()
        .1;
    assert_eq!(patients, 50, "A9994 has 50 beneficiaries");
    assert!(summary
        .manifest
        .request
        .ends_with("/api/v2/Group/all/$export"));
    check_against_server(&c, &summary, out.path()).await;

    // The job is listed by `jobs`, and resuming it again finds every file already present.
    let jobs = run(c.jobs(None, &NoProgress)).await.unwrap();
    assert_eq!(jobs.job_ids(), vec![summary.manifest.job_id]);
    let again = run(c.resume(&summary.job_url, out.path(), &NoProgress))
        .await
        .unwrap();
    assert!(again.files.iter().all(|f| f.already_present));
    assert_eq!(again.total_lines(), summary.total_lines());
    server.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn v1_patient_with_type_filter() {
    let server = start().await;
    let out = tempfile::tempdir().unwrap();
    let c = client(&server, "A9994", ApiVersion::V1);
    let request = ExportRequest {
        scope: Scope::Patient,
        types: vec![ResourceType::Patient, ResourceType::Coverage],
        since: None,
    };
    let summary = run(c.export(&request, out.path(), &NoProgress))
        .await
        .unwrap();
    assert_eq!(types_of(&summary), ["Coverage", "Patient"]);
    assert!(
        summary
            .manifest
            .request
            .contains("/api/v1/Patient/$export?_type=Patient,Coverage"),
        "{}",
        summary.manifest.request
    );
    check_against_server(&c, &summary, out.path()).await;
    // v1 is STU3: the Patient lines carry no R4-only profile.
    let patient = summary
        .files
        .iter()
        .find(|f| f.resource_type == "Patient")
        .unwrap();
    let text = std::fs::read_to_string(&patient.path).unwrap();
    assert!(!text.contains("C4BB"), "v1 Patient looks like CARIN R4");
    server.server.shutdown().await.unwrap();
}

fn last_updated(line: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["meta"]["lastUpdated"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn since_keeps_only_newer_resources() {
    let server = start().await;
    let full_dir = tempfile::tempdir().unwrap();
    let c = client(&server, "A9994", ApiVersion::V2);
    // Patient/$export: `_since` filters by lastUpdated (Group/all needs an attribution file
    // older than `_since`, see the server's README).
    let eob_only = |since: Option<String>| ExportRequest {
        scope: Scope::Patient,
        types: vec![ResourceType::ExplanationOfBenefit],
        since,
    };
    let full = run(c.export(&eob_only(None), full_dir.path(), &NoProgress))
        .await
        .unwrap();
    let mut stamps: Vec<String> = full
        .files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(&f.path)
                .unwrap()
                .lines()
                .map(last_updated)
                .collect::<Vec<_>>()
        })
        .collect();
    stamps.sort_by_key(|s| bcda_protocol::parse_fhir_instant(s).unwrap());
    let since = stamps[stamps.len() / 2].clone();
    let since_t = bcda_protocol::parse_fhir_instant(&since).unwrap();
    let expected = stamps
        .iter()
        .filter(|s| bcda_protocol::parse_fhir_instant(s).unwrap() > since_t)
        .count() as u64;
    assert!(
        expected < full.total_lines(),
        "the median must cut something"
    );

    let since_dir = tempfile::tempdir().unwrap();
    let part = run(c.export(
        &eob_only(Some(since.clone())),
        since_dir.path(),
        &NoProgress,
    ))
    .await
    .unwrap();
    assert!(
        part.manifest.request.contains("_since="),
        "{}",
        part.manifest.request
    );
    assert_eq!(part.total_lines(), expected, "_since={since}");
    for f in &part.files {
        for line in std::fs::read_to_string(&f.path).unwrap().lines() {
            let t = bcda_protocol::parse_fhir_instant(&last_updated(line)).unwrap();
            assert!(t > since_t);
        }
    }
    check_against_server(&c, &part, since_dir.path()).await;
    server.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn kickoff_then_resume_by_url_and_bad_credentials() {
    let server = start().await;
    let c = client(&server, "A9994", ApiVersion::V2);
    let job_url = run(c.kickoff(&ExportRequest::patient(), &NoProgress))
        .await
        .unwrap();
    assert!(job_url.contains("/api/v2/jobs/"), "{job_url}");
    // A second client (a new process) continues the job from its URL alone.
    let other = client(&server, "A9994", ApiVersion::V2);
    let out = tempfile::tempdir().unwrap();
    let summary = run(other.resume(&job_url, out.path(), &NoProgress))
        .await
        .unwrap();
    assert_eq!(summary.job_url, job_url);
    check_against_server(&other, &summary, out.path()).await;

    let bad = BulkClient::new(ClientConfig::new(
        server.server.base_url(),
        Credentials::new(sandbox::client_id_for("A9994"), "not-the-secret"),
    ))
    .unwrap();
    let err = run(bad.jobs(None, &NoProgress)).await.unwrap_err();
    assert!(
        matches!(err, ClientError::BadCredentials { status: 401, .. }),
        "{err}"
    );
    assert!(!err.to_string().contains("not-the-secret"));
    server.server.shutdown().await.unwrap();
}
