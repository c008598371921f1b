//! `bcda export` and `bcda jobs` against an in-process server on loopback: credentials from
//! env, flags and a file; `--ingest`; `--resume`; the secret never printed.

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use bcda_server::{sandbox, HashParams, ServerConfig};

const ACO: &str = "A9994";

/// Runs the binary with a 90 s limit (killed and failed beyond it).
fn bcda(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bcda"));
    cmd.args(args)
        .env_remove("BCDA_CLIENT_ID")
        .env_remove("BCDA_CLIENT_SECRET")
        .env_remove("BCDA_BASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run bcda");
    // Drain the pipes on threads so a chatty child cannot block on a full pipe.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("bcda {args:?} did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    }
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn export_ingest_jobs_resume_and_credentials() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = rt
        .block_on(bcda_server::start(ServerConfig {
            port: 0,
            data_dir: dir.path().join("server"),
            workers: 2,
            retry_after_secs: 1,
            hash_params: HashParams::PUBLISHED,
            cleanup_interval: Duration::from_secs(3600),
            ..ServerConfig::default()
        }))
        .unwrap();
    let base = server.base_url();
    let id = sandbox::client_id_for(ACO);
    let secret = sandbox::client_secret_for(ACO);

    // 1. Credentials from the environment, Patient with _type, --ingest.
    let out1 = dir.path().join("out1");
    let o = bcda(
        &[
            "export",
            "--base-url",
            &base,
            "--patient",
            "--type",
            "Patient,Coverage",
            "--out",
            out1.to_str().unwrap(),
            "--ingest",
        ],
        &[("BCDA_CLIENT_ID", &id), ("BCDA_CLIENT_SECRET", &secret)],
    );
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(!stdout.contains(&secret) && !stderr.contains(&secret));
    assert!(stdout.contains("manifest:"), "{stdout}");
    assert!(
        stdout.contains("checks: 0 dangling patient refs"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["Patient", "50"]),
        "{stdout}"
    );
    assert!(
        !stdout.contains("ExplanationOfBenefit"),
        "_type ignored:\n{stdout}"
    );
    assert!(out1.join("manifest.json").is_file());
    let ndjson = std::fs::read_dir(&out1)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "ndjson")
        })
        .count();
    assert_eq!(ndjson, 2, "one Patient and one Coverage file");
    let job_url = stdout
        .lines()
        .find_map(|l| l.strip_prefix("job:"))
        .unwrap()
        .trim()
        .to_string();

    // 2. Credentials from a file (one entry of `bcda sandbox credentials --format json`).
    let creds_file = dir.path().join("creds.json");
    std::fs::write(
        &creds_file,
        serde_json::json!([{"aco": ACO, "client_id": id, "client_secret": secret}]).to_string(),
    )
    .unwrap();
    let o = bcda(
        &[
            "jobs",
            "--base-url",
            &base,
            "--credentials-file",
            creds_file.to_str().unwrap(),
        ],
        &[],
    );
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    let job_id = job_url.rsplit('/').next().unwrap();
    assert!(
        stdout
            .lines()
            .any(|l| l.split_whitespace().next() == Some(job_id) && l.contains("completed")),
        "job {job_id} not listed as completed:\n{stdout}"
    );
    assert!(stdout.contains("1 job(s)"), "{stdout}");

    // 3. --resume the finished job into another directory, flags for the credentials.
    let out2 = dir.path().join("out2");
    let o = bcda(
        &[
            "export",
            "--base-url",
            &base,
            "--client-id",
            &id,
            "--client-secret",
            &secret,
            "--resume",
            &job_url,
            "--out",
            out2.to_str().unwrap(),
        ],
        &[],
    );
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    for entry in std::fs::read_dir(&out1).unwrap() {
        let p = entry.unwrap().path();
        let copy = out2.join(p.file_name().unwrap());
        assert!(
            std::fs::read(&p).unwrap() == std::fs::read(&copy).unwrap(),
            "{}",
            p.display()
        );
    }

    // 4. Missing or wrong credentials: a clear error, non-zero exit, no secret echoed.
    let o = bcda(
        &["export", "--base-url", &base, "--out", "x"],
        &[("BCDA_CLIENT_ID", &id)],
    );
    let (_, stderr) = text(&o);
    assert!(!o.status.success());
    assert!(stderr.contains("no client secret"), "{stderr}");
    let o = bcda(
        &[
            "jobs",
            "--base-url",
            &base,
            "--client-id",
            &id,
            "--client-secret",
            "wrong-secret-xyz",
        ],
        &[],
    );
    let (stdout, stderr) = text(&o);
    assert!(!o.status.success());
    assert!(
        stderr.contains("refused the client credentials"),
        "{stderr}"
    );
    assert!(!stdout.contains("wrong-secret-xyz") && !stderr.contains("wrong-secret-xyz"));

    rt.block_on(server.shutdown()).unwrap();
}
