//! PostgreSQL stopped under a running node: requests that need the database answer 503 with an
//! OperationOutcome within seconds (no hang), and once it is back the node reconnects and work
//! resumes. Its own test binary: it stops the shared test cluster (`scripts/with-postgres.sh`
//! exports BCDA_TEST_PG_STOP / BCDA_TEST_PG_START).

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use common::*;

fn pg_ctl(var: &str) {
    let cmd = std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run this test through scripts/with-postgres.sh")
    });
    let ok = std::process::Command::new("sh")
        .args(["-c", &cmd])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "{cmd} failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restart_gives_503_then_recovers() {
    run_on(Backend::Postgres, "postgres_restart", async {
        let s = start().await;
        let t = s.token("A9994").await;
        let url = s
            .start_job(&t, "/api/v2/Patient/$export?_type=Patient")
            .await;
        assert_eq!(s.wait_job(&t, &url).await.0, 200);

        pg_ctl("BCDA_TEST_PG_STOP");
        let began = Instant::now();
        let resp = s.get(&t, "/api/v2/jobs").await;
        let took = began.elapsed();
        assert!(took < Duration::from_secs(10), "answered in {took:?}");
        assert_eq!(resp.headers()["retry-after"], "5");
        assert_outcome(
            resp,
            503,
            "exception",
            "Service temporarily unavailable: the database cannot be reached. Retry later.",
        )
        .await;
        let kick = s
            .kickoff(&t, "/api/v2/Patient/$export?_type=Coverage")
            .await;
        assert_eq!(kick.status(), 503);
        let health = s.http.get(s.url("/_health")).send().await.unwrap();
        assert_eq!(health.status(), 502);

        pg_ctl("BCDA_TEST_PG_START");
        // The pool reconnects by itself; work resumes.
        let mut status = 0;
        for _ in 0..100 {
            status = s
                .http
                .get(s.url("/api/v2/jobs"))
                .bearer_auth(&t)
                .header("Accept", "application/fhir+json")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            if status == 200 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(status, 200, "the node did not reconnect");
        let url = s
            .start_job(&t, "/api/v2/Patient/$export?_type=Coverage")
            .await;
        let (code, body) = s.wait_job(&t, &url).await;
        assert_eq!(code, 200, "{body}");
        s.stop().await;
    })
    .await;
}
