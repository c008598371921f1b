//! `bcda demo` end to end: the binary starts its own server, walks the guide's four steps and
//! prints the stats, on nothing but loopback and a temporary directory.

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[test]
fn demo_walks_the_four_steps_and_prints_stats() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bcda"))
        .arg("demo")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bcda demo");
    // Drain the pipes on threads so the child never blocks on a full pipe.
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let t_out = drain(Box::new(child.stdout.take().unwrap()));
    let t_err = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("bcda demo did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = Output {
        status,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        status.success(),
        "exit {status}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );

    let steps = [
        "== Step 1: get an access token",
        "== Step 2: start a bulk export",
        "== Step 3: check the job status",
        "== Step 4: download the files",
    ];
    let mut at = 0;
    for s in steps {
        let pos = stdout[at..]
            .find(s)
            .unwrap_or_else(|| panic!("{s:?} missing or out of order:\n{stdout}"));
        at += pos + s.len();
    }
    for needle in [
        "> POST http://127.0.0.1:",
        "/auth/token",
        "< HTTP 200",
        "\"expires_in\"",
        "> GET http://127.0.0.1:",
        "/api/v2/Group/all/$export",
        "< HTTP 202",
        "Content-Location: http://127.0.0.1:",
        "\"transactionTime\"",
        "Content-Encoding: gzip",
        "== Ingest: bcda stats",
        "checks: 0 dangling patient refs",
    ] {
        assert!(stdout.contains(needle), "{needle:?} missing:\n{stdout}");
    }
    let ingest = &stdout[stdout.find("== Ingest").unwrap()..];
    assert!(
        ingest
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["Patient", "50"]),
        "stats do not count A9994's 50 patients:\n{ingest}"
    );
    // The sandbox secret is never printed, and the access token is shortened.
    let secret = {
        let o = Command::new(env!("CARGO_BIN_EXE_bcda"))
            .args(["sandbox", "credentials", "--format", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .find(|c| c["aco"] == "A9994")
            .unwrap()["client_secret"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(!stdout.contains(&secret) && !stderr.contains(&secret));
    assert!(stdout.contains("chars)\""), "access token not shortened");
}
