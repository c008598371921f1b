//! The PostgreSQL store shared by many nodes: a sqlx pool, versioned migrations run under an
//! advisory lock, and the job queue (`FOR UPDATE SKIP LOCKED` claims with renewable leases).

use std::time::Duration;

use bcda_protocol::JobStatus;
use futures::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{Connection, PgConnection, PgPool, Postgres, Row, Transaction};

use super::{
    benes_from_blob, benes_to_blob, first_overlap, new_file_name, types_from, types_to,
    version_from, AcoRow, AttributionRow, CreateOutcome, DueColumn, FinishOutcome, JobFile, JobRow,
    Lock, NewJob, Store, StoreFuture, SubJob, SystemRow,
};
use crate::store::now_us;
use crate::ServerError;

/// Advisory lock keys (first key of the two-key form: the namespace).
const LOCK_MIGRATE: i64 = 0x6263_6461_0001;
const LOCK_KICKOFF_NS: i32 = 0x6263_0002;
const LOCK_SWEEP_NS: i32 = 0x6263_0003;

/// Versioned migrations; `schema_migrations` records which ran.
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE acos (
    id BIGSERIAL PRIMARY KEY,
    cms_id TEXT NOT NULL UNIQUE,
    beneficiaries BIGINT NOT NULL,
    flavour TEXT NOT NULL,
    partially_adjudicated BOOLEAN NOT NULL,
    denylisted BOOLEAN NOT NULL DEFAULT FALSE,
    reference_unix BIGINT NOT NULL,
    created_us BIGINT NOT NULL
);
CREATE TABLE systems (
    id BIGSERIAL PRIMARY KEY,
    aco_id BIGINT NOT NULL REFERENCES acos(id),
    client_id TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    created_us BIGINT NOT NULL
);
CREATE TABLE attribution_files (
    id BIGSERIAL PRIMARY KEY,
    aco_id BIGINT NOT NULL REFERENCES acos(id),
    file_index BIGINT NOT NULL,
    name TEXT NOT NULL,
    runout BOOLEAN NOT NULL,
    performance_year INTEGER NOT NULL,
    timestamp_unix BIGINT NOT NULL,
    imported_unix BIGINT NOT NULL
);
CREATE INDEX attribution_aco ON attribution_files(aco_id);
CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    aco_id BIGINT NOT NULL REFERENCES acos(id),
    api_version TEXT NOT NULL,
    request_url TEXT NOT NULL,
    types TEXT NOT NULL,
    status TEXT NOT NULL,
    job_count BIGINT NOT NULL,
    done_count BIGINT NOT NULL DEFAULT 0,
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL,
    transaction_us BIGINT NOT NULL,
    expires_us BIGINT
);
CREATE INDEX jobs_aco ON jobs(aco_id, status);
CREATE TABLE subjobs (
    id BIGSERIAL PRIMARY KEY,
    job_id BIGINT NOT NULL REFERENCES jobs(id),
    resource TEXT NOT NULL,
    benes BYTEA NOT NULL,
    since_unix BIGINT,
    until_unix BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX subjobs_queue ON subjobs(status, id);
CREATE INDEX subjobs_job ON subjobs(job_id);
CREATE TABLE job_files (
    id BIGSERIAL PRIMARY KEY,
    job_id BIGINT NOT NULL REFERENCES jobs(id),
    subjob_id BIGINT NOT NULL UNIQUE,
    resource TEXT NOT NULL,
    file_name TEXT NOT NULL,
    is_error BOOLEAN NOT NULL DEFAULT FALSE,
    lines BIGINT NOT NULL,
    size_gz BIGINT NOT NULL,
    size_raw BIGINT NOT NULL,
    UNIQUE (job_id, file_name)
);
CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, revoked_us BIGINT NOT NULL);
"#,
    r#"
ALTER TABLE acos ADD COLUMN rate_limited BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE subjobs ADD COLUMN not_before_us BIGINT NOT NULL DEFAULT 0;
"#,
    r#"
ALTER TABLE subjobs ADD COLUMN lease_owner TEXT;
ALTER TABLE subjobs ADD COLUMN lease_expires_us BIGINT;
"#,
];

/// Apply the migrations up to `up_to` (at most [`MIGRATIONS`]`.len()`) on a dedicated
/// connection holding a session advisory lock, so that nodes starting together migrate once
/// (the others wait, then find nothing to do). Returns how many migrations this call applied.
pub async fn migrate(url: &str, up_to: usize) -> Result<usize, ServerError> {
    let mut conn = PgConnection::connect(url).await?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(LOCK_MIGRATE)
        .execute(&mut conn)
        .await?;
    // The lock goes with the connection: closing it (or losing it) releases the lock.
    let applied = migrate_locked(&mut conn, up_to).await;
    let _ = conn.close().await;
    applied
}

async fn migrate_locked(conn: &mut PgConnection, up_to: usize) -> Result<usize, ServerError> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_us BIGINT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    let current: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            .fetch_one(&mut *conn)
            .await?;
    let supported = MIGRATIONS.len() as i64;
    if current > supported {
        return Err(ServerError::SchemaTooNew {
            found: current,
            supported,
        });
    }
    let mut applied = 0;
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(up_to)
        .skip(current as usize)
    {
        let mut tx = conn.begin().await?;
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migrations(version, applied_us) VALUES ($1, $2)")
            .bind((i + 1) as i64)
            .bind(now_us())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        applied += 1;
    }
    Ok(applied)
}

/// The PostgreSQL store: a connection pool. Requests that cannot get a connection within a few
/// seconds (database down or restarting) fail with [`ServerError::DbUnavailable`], which the API
/// answers with 503; the pool reconnects by itself when the database is back.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Migrations applied by this open.
    applied: usize,
}

impl PgStore {
    /// Connect, and run pending migrations under the migration lock.
    pub async fn open(url: &str) -> Result<PgStore, ServerError> {
        let applied = migrate(url, MIGRATIONS.len()).await?;
        if applied > 0 {
            tracing::info!(applied, "PostgreSQL schema migrated");
        }
        let options: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(32)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            // No ping before every query (a round trip each): a connection broken by a
            // database restart fails its one request with 503 and is replaced.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(PgStore { pool, applied })
    }

    /// How many migrations this open applied (0 when another node had migrated).
    pub fn migrations_applied(&self) -> usize {
        self.applied
    }

    /// The pool (tests and tools).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

const JOB_COLS: &str = "id, aco_id, api_version, request_url, types, status, job_count, done_count, created_us, updated_us, transaction_us, expires_us";
const ACO_COLS: &str = "id, cms_id, beneficiaries, flavour, partially_adjudicated, denylisted, reference_unix, rate_limited";
const SUB_COLS: &str = "s.id, s.job_id, s.resource, s.benes, s.since_unix, s.until_unix, s.file_name, s.attempts, s.not_before_us";
const FILE_COLS: &str = "resource, file_name, is_error, lines, size_gz, size_raw";

fn job_from(r: &PgRow) -> Result<JobRow, ServerError> {
    let status: String = r.try_get(5)?;
    Ok(JobRow {
        id: r.try_get(0)?,
        aco_id: r.try_get(1)?,
        api_version: version_from(r.try_get(2)?),
        request_url: r.try_get(3)?,
        types: types_from(r.try_get(4)?),
        status: status
            .parse()
            .map_err(|_| ServerError::Invalid(format!("job status {status:?}")))?,
        job_count: r.try_get(6)?,
        done_count: r.try_get(7)?,
        created_us: r.try_get(8)?,
        updated_us: r.try_get(9)?,
        transaction_us: r.try_get(10)?,
        expires_us: r.try_get(11)?,
    })
}

fn aco_from(r: &PgRow) -> Result<AcoRow, ServerError> {
    aco_from_at(r, 0)
}

/// An ACO from the columns [`ACO_COLS`] starting at column `at`.
fn aco_from_at(r: &PgRow, at: usize) -> Result<AcoRow, ServerError> {
    Ok(AcoRow {
        id: r.try_get(at)?,
        cms_id: r.try_get(at + 1)?,
        beneficiaries: r.try_get::<i64, _>(at + 2)? as u32,
        flavour: r.try_get(at + 3)?,
        partially_adjudicated: r.try_get(at + 4)?,
        denylisted: r.try_get(at + 5)?,
        reference_unix: r.try_get(at + 6)?,
        rate_limited: r.try_get(at + 7)?,
    })
}

fn file_from(r: &PgRow) -> Result<JobFile, ServerError> {
    Ok(JobFile {
        resource: r.try_get(0)?,
        file_name: r.try_get(1)?,
        is_error: r.try_get(2)?,
        lines: r.try_get(3)?,
        size_gz: r.try_get(4)?,
        size_raw: r.try_get(5)?,
    })
}

fn subjob_from(r: &PgRow, owner: &str) -> Result<SubJob, ServerError> {
    let resource: String = r.try_get(2)?;
    let blob: Vec<u8> = r.try_get(3)?;
    Ok(SubJob {
        id: r.try_get(0)?,
        job_id: r.try_get(1)?,
        resource: resource
            .parse()
            .map_err(|_| ServerError::Invalid(format!("sub-job resource {resource:?}")))?,
        benes: benes_from_blob(&blob),
        since_unix: r.try_get(4)?,
        until_unix: r.try_get(5)?,
        file_name: r.try_get(6)?,
        attempts: r.try_get(7)?,
        not_before_us: r.try_get(8)?,
        owner: owner.to_string(),
    })
}

async fn insert_attribution(
    tx: &mut PgConnection,
    aco_id: i64,
    files: &[AttributionRow],
) -> Result<(), ServerError> {
    for f in files {
        sqlx::query("INSERT INTO attribution_files(aco_id, file_index, name, runout, performance_year, timestamp_unix, imported_unix) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(aco_id)
            .bind(i64::from(f.file_index))
            .bind(&f.name)
            .bind(f.runout)
            .bind(f.performance_year)
            .bind(f.timestamp_unix)
            .bind(f.imported_unix)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// The active jobs of an ACO for a version created after an instant (inside a transaction).
async fn active_jobs(
    tx: &mut PgConnection,
    job: &NewJob,
    after: i64,
) -> Result<Vec<JobRow>, ServerError> {
    let rows = sqlx::query(&format!(
        "SELECT {JOB_COLS} FROM jobs WHERE aco_id = $1 AND api_version = $2 AND status IN ('Pending', 'In Progress') AND created_us > $3 ORDER BY id"
    ))
    .bind(job.aco_id)
    .bind(job.version.as_str())
    .bind(after)
    .fetch_all(&mut *tx)
    .await?;
    rows.iter().map(job_from).collect()
}

/// Insert a job's sub-jobs in one statement (arrays unnested server-side).
async fn insert_subjobs(
    tx: &mut PgConnection,
    job_id: i64,
    job: &NewJob,
    now: i64,
) -> Result<(), ServerError> {
    let n = job.subjobs.len();
    let (mut res, mut benes, mut since, mut until, mut names, mut release) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for s in &job.subjobs {
        res.push(s.resource.as_str().to_string());
        benes.push(benes_to_blob(&s.benes));
        since.push(s.since_unix);
        until.push(s.until_unix);
        names.push(new_file_name());
        release.push(now + s.release_after_us);
    }
    sqlx::query(
        "INSERT INTO subjobs(job_id, resource, benes, since_unix, until_unix, file_name, status, not_before_us) \
         SELECT $1, r, b, s, u, f, 'queued', n FROM UNNEST($2::text[], $3::bytea[], $4::int8[], $5::int8[], $6::text[], $7::int8[]) AS t(r, b, s, u, f, n)",
    )
    .bind(job_id)
    .bind(res)
    .bind(benes)
    .bind(since)
    .bind(until)
    .bind(names)
    .bind(release)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The retention sweep's lock: a transaction holding `pg_try_advisory_xact_lock`.
struct PgLock(Transaction<'static, Postgres>);

impl Lock for PgLock {
    fn release(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            let _ = self.0.commit().await;
        })
    }
}

impl Store for PgStore {
    fn kind(&self) -> &'static str {
        "postgres"
    }
    fn schema_version(&self) -> StoreFuture<'_, i64> {
        Box::pin(async move {
            Ok(
                sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
                    .fetch_one(&self.pool)
                    .await?,
            )
        })
    }
    fn meta<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>> {
        Box::pin(async move {
            Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?)
        })
    }
    fn init_meta<'a>(&'a self, key: &'a str, value: &'a str) -> StoreFuture<'a, String> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
            Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                .bind(key)
                .fetch_one(&self.pool)
                .await?)
        })
    }
    fn ping(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move { sqlx::query("SELECT 1").execute(&self.pool).await.is_ok() })
    }
    fn insert_aco<'a>(
        &'a self,
        aco: &'a AcoRow,
        files: &'a [AttributionRow],
    ) -> StoreFuture<'a, Option<i64>> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO acos(cms_id, beneficiaries, flavour, partially_adjudicated, denylisted, reference_unix, created_us, rate_limited) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (cms_id) DO NOTHING RETURNING id",
            )
            .bind(&aco.cms_id)
            .bind(i64::from(aco.beneficiaries))
            .bind(&aco.flavour)
            .bind(aco.partially_adjudicated)
            .bind(aco.denylisted)
            .bind(aco.reference_unix)
            .bind(now_us())
            .bind(aco.rate_limited)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = id {
                insert_attribution(&mut tx, id, files).await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }
    fn replace_attribution_files<'a>(
        &'a self,
        aco_id: i64,
        files: &'a [AttributionRow],
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            sqlx::query("DELETE FROM attribution_files WHERE aco_id = $1")
                .bind(aco_id)
                .execute(&mut *tx)
                .await?;
            insert_attribution(&mut tx, aco_id, files).await?;
            tx.commit().await?;
            Ok(())
        })
    }
    fn aco_by_cms_id<'a>(&'a self, cms_id: &'a str) -> StoreFuture<'a, Option<AcoRow>> {
        Box::pin(async move {
            let row = sqlx::query(&format!("SELECT {ACO_COLS} FROM acos WHERE cms_id = $1"))
                .bind(cms_id)
                .fetch_optional(&self.pool)
                .await?;
            row.as_ref().map(aco_from).transpose()
        })
    }
    fn aco_by_id(&self, id: i64) -> StoreFuture<'_, Option<AcoRow>> {
        Box::pin(async move {
            let row = sqlx::query(&format!("SELECT {ACO_COLS} FROM acos WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
            row.as_ref().map(aco_from).transpose()
        })
    }
    fn list_acos(&self) -> StoreFuture<'_, Vec<AcoRow>> {
        Box::pin(async move {
            let rows = sqlx::query(&format!("SELECT {ACO_COLS} FROM acos ORDER BY cms_id"))
                .fetch_all(&self.pool)
                .await?;
            rows.iter().map(aco_from).collect()
        })
    }
    fn set_denylisted<'a>(&'a self, cms_id: &'a str, on: bool) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let r = sqlx::query("UPDATE acos SET denylisted = $2 WHERE cms_id = $1")
                .bind(cms_id)
                .bind(on)
                .execute(&self.pool)
                .await?;
            Ok(r.rows_affected() > 0)
        })
    }
    fn set_rate_limited<'a>(&'a self, cms_id: &'a str, on: bool) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let r = sqlx::query("UPDATE acos SET rate_limited = $2 WHERE cms_id = $1")
                .bind(cms_id)
                .bind(on)
                .execute(&self.pool)
                .await?;
            Ok(r.rows_affected() > 0)
        })
    }
    fn insert_system<'a>(
        &'a self,
        aco_id: i64,
        client_id: &'a str,
        secret_hash: &'a str,
    ) -> StoreFuture<'a, i64> {
        Box::pin(async move {
            Ok(sqlx::query_scalar(
                "INSERT INTO systems(aco_id, client_id, secret_hash, created_us) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(aco_id)
            .bind(client_id)
            .bind(secret_hash)
            .bind(now_us())
            .fetch_one(&self.pool)
            .await?)
        })
    }
    fn system_by_client_id<'a>(&'a self, client_id: &'a str) -> StoreFuture<'a, Option<SystemRow>> {
        Box::pin(async move {
            let row = sqlx::query("SELECT s.id, s.client_id, s.secret_hash, a.cms_id FROM systems s JOIN acos a ON a.id = s.aco_id WHERE s.client_id = $1")
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await?;
            row.map(|r| -> Result<SystemRow, ServerError> {
                Ok(SystemRow {
                    id: r.try_get(0)?,
                    client_id: r.try_get(1)?,
                    secret_hash: r.try_get(2)?,
                    cms_id: r.try_get(3)?,
                })
            })
            .transpose()
        })
    }
    fn update_secret<'a>(&'a self, client_id: &'a str, hash: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let r = sqlx::query("UPDATE systems SET secret_hash = $2 WHERE client_id = $1")
                .bind(client_id)
                .bind(hash)
                .execute(&self.pool)
                .await?;
            Ok(r.rows_affected() > 0)
        })
    }
    fn revoke_token<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query("INSERT INTO revoked_tokens(jti, revoked_us) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING")
                .bind(jti)
                .bind(now_us())
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }
    fn is_revoked<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let hit: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM revoked_tokens WHERE jti = $1")
                    .bind(jti)
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(hit.is_some())
        })
    }
    fn attribution_files(&self, aco_id: i64) -> StoreFuture<'_, Vec<AttributionRow>> {
        Box::pin(async move {
            let rows = sqlx::query("SELECT file_index, name, runout, performance_year, timestamp_unix, imported_unix FROM attribution_files WHERE aco_id = $1 ORDER BY timestamp_unix, id")
                .bind(aco_id)
                .fetch_all(&self.pool)
                .await?;
            rows.iter()
                .map(|r| -> Result<AttributionRow, ServerError> {
                    Ok(AttributionRow {
                        file_index: r.try_get::<i64, _>(0)? as u32,
                        name: r.try_get(1)?,
                        runout: r.try_get(2)?,
                        performance_year: r.try_get(3)?,
                        timestamp_unix: r.try_get(4)?,
                        imported_unix: r.try_get(5)?,
                    })
                })
                .collect()
        })
    }
    fn create_job(&self, job: NewJob) -> StoreFuture<'_, CreateOutcome> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            // Kick-offs of one ACO are serialised: the check and the insert see each other.
            sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
                .bind(LOCK_KICKOFF_NS)
                .bind((job.aco_id % i64::from(i32::MAX)) as i32)
                .execute(&mut *tx)
                .await?;
            if let Some(after) = job.duplicate_after_us {
                let active = active_jobs(&mut tx, &job, after).await?;
                if let Some(dup) = first_overlap(active, &job.types) {
                    return Ok(CreateOutcome::Duplicate(dup));
                }
            }
            let now = now_us();
            let (status, expires) = if job.subjobs.is_empty() {
                (JobStatus::Completed, Some(now + job.retention_us))
            } else {
                (JobStatus::Pending, None)
            };
            let job_id: i64 = sqlx::query_scalar(
                "INSERT INTO jobs(aco_id, api_version, request_url, types, status, job_count, created_us, updated_us, transaction_us, expires_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9) RETURNING id",
            )
            .bind(job.aco_id)
            .bind(job.version.as_str())
            .bind(&job.request_url)
            .bind(types_to(&job.types))
            .bind(status.as_str())
            .bind(job.subjobs.len() as i64)
            .bind(now)
            .bind(job.transaction_us)
            .bind(expires)
            .fetch_one(&mut *tx)
            .await?;
            if !job.subjobs.is_empty() {
                insert_subjobs(&mut tx, job_id, &job, now).await?;
            }
            tx.commit().await?;
            Ok(CreateOutcome::Created(job_id))
        })
    }
    fn job(&self, id: i64) -> StoreFuture<'_, Option<JobRow>> {
        Box::pin(async move {
            let row = sqlx::query(&format!("SELECT {JOB_COLS} FROM jobs WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
            row.as_ref().map(job_from).transpose()
        })
    }
    fn jobs_for_aco<'a>(
        &'a self,
        aco_id: i64,
        statuses: Option<&'a [JobStatus]>,
    ) -> StoreFuture<'a, Vec<JobRow>> {
        Box::pin(async move {
            let rows = sqlx::query(&format!(
                "SELECT {JOB_COLS} FROM jobs WHERE aco_id = $1 ORDER BY id"
            ))
            .bind(aco_id)
            .fetch_all(&self.pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let job = job_from(r)?;
                if statuses.is_none_or(|s| s.contains(&job.status)) {
                    out.push(job);
                }
            }
            Ok(out)
        })
    }
    fn cancel_job(&self, id: i64) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            let n = sqlx::query("UPDATE jobs SET status = 'Cancelled', updated_us = $2 WHERE id = $1 AND status IN ('Pending', 'In Progress')")
                .bind(id)
                .bind(now_us())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n > 0 {
                sqlx::query("UPDATE subjobs SET status = 'cancelled' WHERE job_id = $1 AND status = 'queued'")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(n > 0)
        })
    }
    fn claim_subjob<'a>(
        &'a self,
        owner: &'a str,
        lease_us: i64,
    ) -> StoreFuture<'a, Option<SubJob>> {
        Box::pin(async move {
            let now = now_us();
            // One statement (one round trip, its own transaction): claim, and mark the job
            // In Progress.
            let row = sqlx::query(&format!(
                "WITH c AS (SELECT id FROM subjobs WHERE status = 'queued' OR (status = 'running' AND lease_expires_us < $1) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED), \
                 s AS (UPDATE subjobs s SET status = 'running', attempts = s.attempts + 1, lease_owner = $2, lease_expires_us = $1 + $3 FROM c WHERE s.id = c.id RETURNING {SUB_COLS}), \
                 j AS (UPDATE jobs SET status = 'In Progress', updated_us = $1 WHERE id = (SELECT job_id FROM s) AND status = 'Pending') \
                 SELECT * FROM s"
            ))
            .bind(now)
            .bind(owner)
            .bind(lease_us)
            .fetch_optional(&self.pool)
            .await?;
            row.map(|r| subjob_from(&r, owner)).transpose()
        })
    }
    fn renew_lease<'a>(&'a self, sub: &'a SubJob, lease_us: i64) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let r = sqlx::query("UPDATE subjobs SET lease_expires_us = $4 WHERE id = $1 AND status = 'running' AND lease_owner = $2 AND attempts = $3")
                .bind(sub.id)
                .bind(&sub.owner)
                .bind(sub.attempts)
                .bind(now_us() + lease_us)
                .execute(&self.pool)
                .await?;
            Ok(r.rows_affected() > 0)
        })
    }
    fn finish_subjob<'a>(
        &'a self,
        sub: &'a SubJob,
        file: Option<&'a JobFile>,
        retention_us: i64,
    ) -> StoreFuture<'a, FinishOutcome> {
        Box::pin(async move { finish(&self.pool, sub, file, retention_us).await })
    }
    fn fail_subjob<'a>(&'a self, sub: &'a SubJob, max_attempts: i64) -> StoreFuture<'a, bool> {
        Box::pin(async move { fail(&self.pool, sub, max_attempts).await })
    }
    fn next_release_us(&self, job_id: i64) -> StoreFuture<'_, Option<i64>> {
        Box::pin(async move {
            Ok(sqlx::query_scalar("SELECT MIN(not_before_us) FROM subjobs WHERE job_id = $1 AND status IN ('queued', 'running')")
                .bind(job_id)
                .fetch_one(&self.pool)
                .await?)
        })
    }
    fn requeue_interrupted(&self) -> StoreFuture<'_, usize> {
        // Running sub-jobs belong to their lease holders; an expired lease is claimable anyway.
        Box::pin(async { Ok(0) })
    }
    fn job_files(&self, job_id: i64) -> StoreFuture<'_, Vec<JobFile>> {
        Box::pin(async move {
            let rows = sqlx::query(&format!(
                "SELECT {FILE_COLS} FROM job_files WHERE job_id = $1 ORDER BY is_error, subjob_id"
            ))
            .bind(job_id)
            .fetch_all(&self.pool)
            .await?;
            rows.iter().map(file_from).collect()
        })
    }
    fn job_file<'a>(&'a self, job_id: i64, name: &'a str) -> StoreFuture<'a, Option<JobFile>> {
        Box::pin(async move {
            let row = sqlx::query(&format!(
                "SELECT {FILE_COLS} FROM job_files WHERE job_id = $1 AND file_name = $2"
            ))
            .bind(job_id)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
            row.as_ref().map(file_from).transpose()
        })
    }
    fn jobs_due(
        &self,
        status: JobStatus,
        column: DueColumn,
        before_us: i64,
    ) -> StoreFuture<'_, Vec<i64>> {
        let col = match column {
            DueColumn::Expires => "expires_us",
            DueColumn::Updated => "updated_us",
        };
        Box::pin(async move {
            Ok(sqlx::query_scalar(&format!(
                "SELECT id FROM jobs WHERE status = $1 AND {col} IS NOT NULL AND {col} < $2 ORDER BY id"
            ))
            .bind(status.as_str())
            .bind(before_us)
            .fetch_all(&self.pool)
            .await?)
        })
    }
    fn transition(&self, id: i64, from: JobStatus, to: JobStatus) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let r = sqlx::query(
                "UPDATE jobs SET status = $3, updated_us = $4 WHERE id = $1 AND status = $2",
            )
            .bind(id)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(now_us())
            .execute(&self.pool)
            .await?;
            Ok(r.rows_affected() > 0)
        })
    }
    fn auth_lookup<'a>(
        &'a self,
        jti: &'a str,
        cms_id: &'a str,
    ) -> StoreFuture<'a, (bool, Option<AcoRow>)> {
        Box::pin(async move {
            let row = sqlx::query(&format!(
                "SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $1), a.* FROM (SELECT 1) AS one \
                 LEFT JOIN (SELECT {ACO_COLS} FROM acos WHERE cms_id = $2) AS a ON TRUE"
            ))
            .bind(jti)
            .bind(cms_id)
            .fetch_one(&self.pool)
            .await?;
            let revoked: bool = row.try_get(0)?;
            let aco = match row.try_get::<Option<i64>, _>(1)? {
                None => None,
                Some(_) => Some(aco_from_at(&row, 1)?),
            };
            Ok((revoked, aco))
        })
    }
    fn job_with_release(&self, id: i64) -> StoreFuture<'_, Option<(JobRow, Option<i64>)>> {
        Box::pin(async move {
            let row = sqlx::query(&format!(
                "SELECT {JOB_COLS}, (SELECT MIN(not_before_us) FROM subjobs s WHERE s.job_id = jobs.id AND s.status IN ('queued', 'running')) FROM jobs WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
            row.map(|r| -> Result<_, ServerError> { Ok((job_from(&r)?, r.try_get(12)?)) })
                .transpose()
        })
    }
    fn try_sweep_lock(&self) -> StoreFuture<'_, Option<Box<dyn Lock>>> {
        Box::pin(async move {
            let mut tx = self.pool.begin().await?;
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1, 0)")
                .bind(LOCK_SWEEP_NS)
                .fetch_one(&mut *tx)
                .await?;
            Ok(if got {
                Some(Box::new(PgLock(tx)) as Box<dyn Lock>)
            } else {
                None
            })
        })
    }
}

/// Record a finished sub-job: only its lease holder may (a worker whose lease expired and was
/// re-claimed records nothing), and the file row, the sub-job's state and the job's count
/// change in one statement (one transaction, one round trip). The job row is locked first, so
/// concurrent finishes of one job count one after the other.
async fn finish(
    pool: &PgPool,
    sub: &SubJob,
    file: Option<&JobFile>,
    retention_us: i64,
) -> Result<FinishOutcome, ServerError> {
    let now = now_us();
    let blank = JobFile {
        resource: String::new(),
        file_name: String::new(),
        is_error: false,
        lines: 0,
        size_gz: 0,
        size_raw: 0,
    };
    let f = file.unwrap_or(&blank);
    let row = sqlx::query(
        "WITH j AS (SELECT status FROM jobs WHERE id = $4 FOR UPDATE), \
         s AS (UPDATE subjobs SET status = CASE WHEN (SELECT status FROM j) IN ('Pending', 'In Progress') THEN 'done' ELSE 'cancelled' END, lease_expires_us = NULL \
               WHERE id = $1 AND status = 'running' AND lease_owner = $2 AND attempts = $3 RETURNING status), \
         f AS (INSERT INTO job_files(job_id, subjob_id, resource, file_name, is_error, lines, size_gz, size_raw) \
               SELECT $4, $1, $5, $6, $7, $8, $9, $10 FROM s WHERE s.status = 'done' AND $11), \
         u AS (UPDATE jobs SET done_count = done_count + 1, updated_us = $12, \
               status = CASE WHEN done_count + 1 >= job_count THEN 'Completed' ELSE status END, \
               expires_us = CASE WHEN done_count + 1 >= job_count THEN $13 ELSE expires_us END \
               WHERE id = $4 AND EXISTS (SELECT 1 FROM s WHERE s.status = 'done') RETURNING status) \
         SELECT (SELECT status FROM j), (SELECT status FROM s), (SELECT status FROM u)",
    )
    .bind(sub.id)
    .bind(&sub.owner)
    .bind(sub.attempts)
    .bind(sub.job_id)
    .bind(&f.resource)
    .bind(&f.file_name)
    .bind(f.is_error)
    .bind(f.lines)
    .bind(f.size_gz)
    .bind(f.size_raw)
    .bind(file.is_some())
    .bind(now)
    .bind(now + retention_us)
    .fetch_one(pool)
    .await?;
    let job: Option<String> = row.try_get(0)?;
    let sub_status: Option<String> = row.try_get(1)?;
    let job_after: Option<String> = row.try_get(2)?;
    let Some(job) = job else {
        return Err(ServerError::NotFound(format!("job {}", sub.job_id)));
    };
    // Not the holder any more: another worker has (or had) this sub-job and its file, which
    // must stay, even if the job is over by now.
    Ok(if sub_status.is_none() {
        FinishOutcome::LeaseLost
    } else if job != "In Progress" && job != "Pending" {
        FinishOutcome::JobInactive
    } else if job_after.as_deref() == Some("Completed") {
        FinishOutcome::JobCompleted
    } else {
        FinishOutcome::Recorded
    })
}

/// A failed attempt by the lease holder: back to the queue, or the job Failed.
async fn fail(pool: &PgPool, sub: &SubJob, max_attempts: i64) -> Result<bool, ServerError> {
    let mut tx = pool.begin().await?;
    let failed = sub.attempts >= max_attempts;
    let owned = "id = $1 AND status = 'running' AND lease_owner = $2 AND attempts = $3";
    let next = if failed { "failed" } else { "queued" };
    let n = sqlx::query(&format!(
        "UPDATE subjobs SET status = '{next}', lease_owner = NULL, lease_expires_us = NULL WHERE {owned}"
    ))
    .bind(sub.id)
    .bind(&sub.owner)
    .bind(sub.attempts)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if failed && n > 0 {
        sqlx::query("UPDATE jobs SET status = 'Failed', updated_us = $2 WHERE id = $1 AND status IN ('Pending', 'In Progress')")
            .bind(sub.job_id)
            .bind(now_us())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE subjobs SET status = 'cancelled' WHERE job_id = $1 AND status = 'queued'",
        )
        .bind(sub.job_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(failed && n > 0)
}
