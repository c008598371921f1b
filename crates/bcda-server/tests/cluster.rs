//! Several nodes on one PostgreSQL database and one shared data directory, in one process:
//! the duplicate-job rule across API nodes, migrations (an older schema; two nodes at once),
//! and a dead worker's sub-job taken over after its lease expires. These need PostgreSQL
//! (`scripts/with-postgres.sh`); they fail without it unless `BCDA_TEST_PG=off`.

#[macro_use]
mod common;

use std::path::Path;
use std::time::Duration;

use bcda_server::store::postgres::{migrate, PgStore, MIGRATIONS};
use bcda_server::store::Store;
use bcda_server::{Database, Role, RunningServer};
use common::*;

/// Another node on the same data directory and database as `s`.
async fn node(s: &TestServer, tweak: impl FnOnce(&mut bcda_server::ServerConfig)) -> RunningServer {
    let mut config = fast_config(s.dir.path());
    tweak(&mut config);
    bcda_server::start(config).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_api_nodes_same_kickoff_create_one_job() {
    run_on(Backend::Postgres, "two_api_nodes_same_kickoff_create_one_job", async {
        let a = start_with(|c| {
            c.role = Role::Api;
            c.workers = 0;
        })
        .await;
        let b = node(&a, |c| c.role = Role::Api).await;
        let b_base = b.base_url();
        // A non-test ACO (test ACOs are exempt from the rule); its token, issued by node A,
        // is honoured by node B (one signing key in the shared directory).
        let t = admin_aco_token(&a, "A1234", 20).await;
        let path = "/api/v2/Patient/$export?_type=Patient,Coverage";
        for round in 0..100 {
            let send = |base: String| {
                let (http, t) = (a.http.clone(), t.clone());
                async move {
                    http.get(format!("{base}{path}"))
                        .bearer_auth(&t)
                        .header("Accept", "application/fhir+json")
                        .header("Prefer", "respond-async")
                        .send()
                        .await
                        .unwrap()
                }
            };
            let (ra, rb) = tokio::join!(send(a.base.clone()), send(b_base.clone()));
            let (ok, refused) = match (ra.status().as_u16(), rb.status().as_u16()) {
                (202, 429) => (ra, rb),
                (429, 202) => (rb, ra),
                other => panic!("round {round}: statuses {other:?}, expected one 202 and one 429"),
            };
            let url = ok.headers()["content-location"].to_str().unwrap().to_string();
            let id = url.rsplit('/').next().unwrap().to_string();
            assert_eq!(refused.headers()["retry-after"], "5");
            assert_outcome(
                refused,
                429,
                "throttled",
                &format!(
                    "Job {id} is already pending for this ACO with overlapping resource types; wait for it to finish or cancel it (DELETE /api/v2/jobs/{id}), then retry."
                ),
            )
            .await;
            let del = a.http.delete(&url).bearer_auth(&t).send().await.unwrap();
            assert_eq!(del.status(), 202, "round {round}");
        }
        let store = a.store().await;
        let aco = store.aco_by_cms_id("A1234").await.unwrap().unwrap();
        let jobs = store.jobs_for_aco(aco.id, None).await.unwrap();
        assert_eq!(jobs.len(), 100, "exactly one job per round");
        b.shutdown().await.unwrap();
        a.stop().await;
    })
    .await;
}

#[tokio::test]
async fn older_schema_migrates_and_concurrent_starts_migrate_once() {
    run_on(Backend::Postgres, "older_schema_migrates", async {
        // A database left at schema version 1 by an older release, with an ACO in it.
        let url = fresh_pg_database().await;
        assert_eq!(migrate(&url, 1).await.unwrap(), 1);
        {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::raw_sql("INSERT INTO acos(cms_id, beneficiaries, flavour, partially_adjudicated, reference_unix, created_us) VALUES ('A5555', 10, 'simple', FALSE, 1700000000, 0)")
                .execute(&mut conn)
                .await
                .unwrap();
        }
        // Two nodes open it at once: the migrations run once, under the lock.
        let (x, y) = tokio::join!(PgStore::open(&url), PgStore::open(&url));
        let (x, y) = (x.unwrap(), y.unwrap());
        assert_eq!(
            x.migrations_applied() + y.migrations_applied(),
            MIGRATIONS.len() - 1,
            "each pending migration applied by exactly one node"
        );
        assert_eq!(x.schema_version().await.unwrap(), MIGRATIONS.len() as i64);
        let versions: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version")
                .fetch_all(x.pool())
                .await
                .unwrap();
        assert_eq!(versions, (1..=MIGRATIONS.len() as i64).collect::<Vec<_>>());
        // The old row reads with the new columns' defaults.
        let aco = y.aco_by_cms_id("A5555").await.unwrap().unwrap();
        assert!(!aco.rate_limited);
        assert_eq!(aco.beneficiaries, 10);

        // Fresh database, three nodes starting together (full servers: migrate, key, seed).
        let dir = tempfile::tempdir().unwrap();
        let db = database_for(dir.path()).await;
        let start = || {
            let mut c = fast_config(dir.path());
            c.workers = 0;
            bcda_server::start(c)
        };
        let (p, q, r) = tokio::join!(start(), start(), start());
        let nodes = [p.unwrap(), q.unwrap(), r.unwrap()];
        let store = bcda_server::store::open(&db, dir.path()).await.unwrap();
        assert_eq!(store.schema_version().await.unwrap(), MIGRATIONS.len() as i64);
        let acos = store.list_acos().await.unwrap();
        let mut ids: Vec<&str> = acos.iter().map(|a| a.cms_id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), acos.len(), "the sandbox was seeded once");
        assert_eq!(acos.len(), bcda_synth::sandbox_catalogue().len());
        for n in nodes {
            n.shutdown().await.unwrap();
        }
    })
    .await;
}

/// Every file of a finished job: exactly the job's sub-jobs, each once, each a whole gzip
/// stream of whole NDJSON lines of the resource type, no temp file left.
fn check_job_files(dir: &Path, job_id: i64, files: &[bcda_server::store::JobFile], job_count: i64) {
    use std::io::Read;
    assert_eq!(files.len() as i64, job_count, "one file per sub-job");
    let mut names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), files.len(), "no duplicated file");
    let job_dir = dir.join("jobs").join(job_id.to_string());
    for f in files {
        let gz = std::fs::read(job_dir.join(format!("{}.gz", f.file_name))).unwrap();
        assert_eq!(gz.len() as i64, f.size_gz);
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut text)
            .expect("a complete gzip stream");
        assert_eq!(text.lines().count() as i64, f.lines, "{}", f.file_name);
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["resourceType"], f.resource.as_str());
        }
    }
    let on_disk = std::fs::read_dir(&job_dir).unwrap().count();
    assert_eq!(on_disk, files.len(), "no temp file or orphan on disk");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_workers_subjob_is_taken_over_after_its_lease() {
    run_on(Backend::Postgres, "dead_worker_lease", async {
        let api = start_with(|c| {
            c.role = Role::Api;
            c.workers = 0;
        })
        .await;
        let t = api.token("A9994").await;
        let url = api
            .start_job(&t, "/api/v2/Patient/$export?_type=Patient,Coverage")
            .await;
        let job_id: i64 = url.rsplit('/').next().unwrap().parse().unwrap();
        // A worker claims a sub-job with a 1 s lease, starts its file, and dies: no renewal,
        // no record, a half-written temp file.
        let store = api.store().await;
        let lease_us = 1_000_000;
        let dead = store
            .claim_subjob("dead-worker", lease_us)
            .await
            .unwrap()
            .unwrap();
        let job_dir = api.dir.path().join("jobs").join(job_id.to_string());
        std::fs::create_dir_all(&job_dir).unwrap();
        let tmp = job_dir.join(format!(".{}.{}.tmp", dead.file_name, dead.attempts));
        std::fs::write(&tmp, b"\x1f\x8b half").unwrap();
        // A live worker node never steals a live lease, and takes the sub-job once it expires.
        let worker = node(&api, |c| {
            c.role = Role::Worker;
            c.workers = 2;
            c.lease = Duration::from_secs(1);
        })
        .await;
        let (code, body) = api.wait_job(&t, &url).await;
        assert_eq!(code, 200, "{body}");
        let job = store.job(job_id).await.unwrap().unwrap();
        assert_eq!(job.done_count, job.job_count);
        // The dead claim was superseded: recording it now changes nothing, and says the lease
        // was lost (not "job inactive", which would delete the file the new holder wrote).
        let late = store
            .finish_subjob(&dead, None, 3_600_000_000)
            .await
            .unwrap();
        assert_eq!(late, bcda_server::store::FinishOutcome::LeaseLost);
        assert_eq!(
            store.job(job_id).await.unwrap().unwrap().done_count,
            job.job_count
        );
        worker.shutdown().await.unwrap();
        // The temp file of the dead attempt is the only leftover; remove it as the start-up
        // sweep does once it is old, then check the files.
        std::fs::remove_file(&tmp).unwrap();
        let files = store.job_files(job_id).await.unwrap();
        check_job_files(api.dir.path(), job_id, &files, job.job_count);
        api.stop().await;
    })
    .await;
}

#[tokio::test]
async fn database_url_is_checked() {
    assert_eq!(Database::parse(None).unwrap(), Database::Sqlite);
    assert_eq!(Database::parse(Some("")).unwrap(), Database::Sqlite);
    assert_eq!(
        Database::parse(Some("postgres://u@h:1/d")).unwrap(),
        Database::Postgres("postgres://u@h:1/d".into())
    );
    let err = Database::parse(Some("mysql://x")).unwrap_err().to_string();
    assert!(err.contains("expected a postgres:// URL"), "{err}");
}

#[tokio::test]
async fn one_node_at_a_time_holds_the_retention_sweep_lock() {
    run_on(Backend::Postgres, "sweep_lock", async {
        let url = fresh_pg_database().await;
        let (a, b) = (
            PgStore::open(&url).await.unwrap(),
            PgStore::open(&url).await.unwrap(),
        );
        let held = a.try_sweep_lock().await.unwrap().expect("free at first");
        assert!(
            b.try_sweep_lock().await.unwrap().is_none(),
            "another node holds it"
        );
        held.release().await;
        let again = b
            .try_sweep_lock()
            .await
            .unwrap()
            .expect("free after release");
        again.release().await;
    })
    .await;
}
