//! The embedded SQLite store: schema migrations and every query the server runs.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use bcda_protocol::{ApiVersion, JobStatus, ResourceType};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::ServerError;

/// Versioned migrations; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE acos (
    id INTEGER PRIMARY KEY,
    cms_id TEXT NOT NULL UNIQUE,
    beneficiaries INTEGER NOT NULL,
    flavour TEXT NOT NULL,
    partially_adjudicated INTEGER NOT NULL,
    denylisted INTEGER NOT NULL DEFAULT 0,
    reference_unix INTEGER NOT NULL,
    created_us INTEGER NOT NULL
);
CREATE TABLE systems (
    id INTEGER PRIMARY KEY,
    aco_id INTEGER NOT NULL REFERENCES acos(id),
    client_id TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    created_us INTEGER NOT NULL
);
CREATE TABLE attribution_files (
    id INTEGER PRIMARY KEY,
    aco_id INTEGER NOT NULL REFERENCES acos(id),
    file_index INTEGER NOT NULL,
    name TEXT NOT NULL,
    runout INTEGER NOT NULL,
    performance_year INTEGER NOT NULL,
    timestamp_unix INTEGER NOT NULL,
    imported_unix INTEGER NOT NULL
);
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    aco_id INTEGER NOT NULL REFERENCES acos(id),
    api_version TEXT NOT NULL,
    request_url TEXT NOT NULL,
    types TEXT NOT NULL,
    status TEXT NOT NULL,
    job_count INTEGER NOT NULL,
    done_count INTEGER NOT NULL DEFAULT 0,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL,
    transaction_us INTEGER NOT NULL,
    expires_us INTEGER
);
CREATE INDEX jobs_aco ON jobs(aco_id, status);
CREATE TABLE subjobs (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    resource TEXT NOT NULL,
    benes BLOB NOT NULL,
    since_unix INTEGER,
    until_unix INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX subjobs_queue ON subjobs(status, id);
CREATE INDEX subjobs_job ON subjobs(job_id);
CREATE TABLE job_files (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    subjob_id INTEGER NOT NULL UNIQUE,
    resource TEXT NOT NULL,
    file_name TEXT NOT NULL,
    is_error INTEGER NOT NULL DEFAULT 0,
    lines INTEGER NOT NULL,
    size_gz INTEGER NOT NULL,
    size_raw INTEGER NOT NULL,
    UNIQUE (job_id, file_name)
);
CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, revoked_us INTEGER NOT NULL);
"#,
    r#"
ALTER TABLE acos ADD COLUMN rate_limited INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subjobs ADD COLUMN not_before_us INTEGER NOT NULL DEFAULT 0;
"#,
];

/// Current time in Unix microseconds.
pub fn now_us() -> i64 {
    let t = time::OffsetDateTime::now_utc();
    (t.unix_timestamp_nanos() / 1000) as i64
}

/// An ACO row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcoRow {
    /// Row id.
    pub id: i64,
    /// CMS id, e.g. `A9994`.
    pub cms_id: String,
    /// Beneficiary count of its synthetic data.
    pub beneficiaries: u32,
    /// `simple` or `advanced`.
    pub flavour: String,
    /// Has partially adjudicated claims (v2 Claim/ClaimResponse).
    pub partially_adjudicated: bool,
    /// Refused on every authenticated route.
    pub denylisted: bool,
    /// Reference instant of its synthetic data (Unix seconds).
    pub reference_unix: i64,
    /// Flagged for the duplicate-job check by `bcda admin rate-limit`.
    pub rate_limited: bool,
}

/// A credential row joined with its ACO.
#[derive(Debug, Clone)]
pub struct SystemRow {
    /// System id (the `sys` claim).
    pub id: i64,
    /// Client id.
    pub client_id: String,
    /// PHC string of the secret's hash.
    pub secret_hash: String,
    /// The ACO.
    pub cms_id: String,
}

/// An attribution file row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributionRow {
    /// Position in the generator's `attribution_files()`.
    pub file_index: u32,
    /// File name.
    pub name: String,
    /// Runout (`R`) rather than attribution (`Y`).
    pub runout: bool,
    /// Performance year.
    pub performance_year: i32,
    /// File timestamp (Unix seconds).
    pub timestamp_unix: i64,
    /// Import time (Unix seconds).
    pub imported_unix: i64,
}

/// A job row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    /// Job id.
    pub id: i64,
    /// Owner ACO row id.
    pub aco_id: i64,
    /// API version of the kick-off.
    pub api_version: ApiVersion,
    /// Kick-off URL.
    pub request_url: String,
    /// Resolved resource types.
    pub types: Vec<ResourceType>,
    /// State.
    pub status: JobStatus,
    /// Number of sub-jobs.
    pub job_count: i64,
    /// Finished sub-jobs.
    pub done_count: i64,
    /// Created (Unix µs).
    pub created_us: i64,
    /// Updated (Unix µs).
    pub updated_us: i64,
    /// Snapshot time (Unix µs).
    pub transaction_us: i64,
    /// Files expire at (Unix µs), set on completion.
    pub expires_us: Option<i64>,
}

/// A sub-job to insert.
#[derive(Debug, Clone)]
pub struct NewSubJob {
    /// Resource type.
    pub resource: ResourceType,
    /// Beneficiary indexes.
    pub benes: Vec<u32>,
    /// Lower `lastUpdated` bound, `None` for full history.
    pub since_unix: Option<i64>,
    /// Upper bound.
    pub until_unix: i64,
    /// Recorded as done no earlier than this long after the kick-off (µs; job pacing).
    pub release_after_us: i64,
}

/// A claimed sub-job.
#[derive(Debug, Clone)]
pub struct SubJob {
    /// Sub-job id.
    pub id: i64,
    /// Parent job.
    pub job_id: i64,
    /// Resource type.
    pub resource: ResourceType,
    /// Beneficiary indexes.
    pub benes: Vec<u32>,
    /// Lower bound.
    pub since_unix: Option<i64>,
    /// Upper bound.
    pub until_unix: i64,
    /// The served file name (`<uuid>.ndjson`), fixed at creation so a retry overwrites.
    pub file_name: String,
    /// Attempts so far (including this one).
    pub attempts: i64,
    /// Recorded as done no earlier than this (Unix µs; job pacing).
    pub not_before_us: i64,
}

/// A written file of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFile {
    /// Resource type (`OperationOutcome` for error files).
    pub resource: String,
    /// Served name.
    pub file_name: String,
    /// Error file.
    pub is_error: bool,
    /// NDJSON lines.
    pub lines: i64,
    /// Bytes at rest (gzip).
    pub size_gz: i64,
    /// Bytes decompressed.
    pub size_raw: i64,
}

/// Outcome of finishing a sub-job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishOutcome {
    /// Recorded; the job goes on.
    Recorded,
    /// Recorded and that was the last one: the job is Completed.
    JobCompleted,
    /// The job is no longer active (cancelled, failed): the file must be discarded.
    JobInactive,
}

fn status_from(s: &str) -> rusqlite::Result<JobStatus> {
    s.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, s.into())
    })
}

fn types_from(s: &str) -> Vec<ResourceType> {
    s.split(',').filter_map(|t| t.parse().ok()).collect()
}

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    let version: String = r.get(2)?;
    let types: String = r.get(4)?;
    let status: String = r.get(5)?;
    Ok(JobRow {
        id: r.get(0)?,
        aco_id: r.get(1)?,
        api_version: if version == "v1" {
            ApiVersion::V1
        } else {
            ApiVersion::V2
        },
        request_url: r.get(3)?,
        types: types_from(&types),
        status: status_from(&status)?,
        job_count: r.get(6)?,
        done_count: r.get(7)?,
        created_us: r.get(8)?,
        updated_us: r.get(9)?,
        transaction_us: r.get(10)?,
        expires_us: r.get(11)?,
    })
}

const JOB_COLS: &str = "id, aco_id, api_version, request_url, types, status, job_count, done_count, created_us, updated_us, transaction_us, expires_us";

fn aco_from_row(r: &Row<'_>) -> rusqlite::Result<AcoRow> {
    Ok(AcoRow {
        id: r.get(0)?,
        cms_id: r.get(1)?,
        beneficiaries: r.get(2)?,
        flavour: r.get(3)?,
        partially_adjudicated: r.get(4)?,
        denylisted: r.get(5)?,
        reference_unix: r.get(6)?,
        rate_limited: r.get(7)?,
    })
}

const ACO_COLS: &str = "id, cms_id, beneficiaries, flavour, partially_adjudicated, denylisted, reference_unix, rate_limited";

fn benes_to_blob(benes: &[u32]) -> Vec<u8> {
    benes.iter().flat_map(|b| b.to_le_bytes()).collect()
}

fn benes_from_blob(blob: &[u8]) -> Vec<u32> {
    blob.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn insert_attribution(
    tx: &rusqlite::Transaction<'_>,
    aco_id: i64,
    files: &[AttributionRow],
) -> rusqlite::Result<()> {
    let mut st = tx.prepare(
        "INSERT INTO attribution_files(aco_id, file_index, name, runout, performance_year, timestamp_unix, imported_unix) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for f in files {
        st.execute(params![
            aco_id,
            f.file_index,
            f.name,
            f.runout,
            f.performance_year,
            f.timestamp_unix,
            f.imported_unix
        ])?;
    }
    Ok(())
}

/// The store: one SQLite connection behind a mutex (queries are short; WAL lets the admin CLI
/// and the server share the file).
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Open or create the database and run pending migrations.
    pub fn open(path: &Path) -> Result<Store, ServerError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(ServerError::SchemaTooNew {
                found: version,
                supported,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The schema version.
    pub fn schema_version(&self) -> Result<i64, ServerError> {
        Ok(self
            .conn()
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Read a meta value.
    pub fn meta(&self, key: &str) -> Result<Option<String>, ServerError> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Write a meta value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), ServerError> {
        self.conn().execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Check the database answers.
    pub fn ping(&self) -> bool {
        self.conn()
            .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
            .is_ok()
    }

    /// Insert an ACO with its attribution files; returns its row id.
    pub fn insert_aco(&self, aco: &AcoRow, files: &[AttributionRow]) -> Result<i64, ServerError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO acos(cms_id, beneficiaries, flavour, partially_adjudicated, denylisted, reference_unix, created_us, rate_limited) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![aco.cms_id, aco.beneficiaries, aco.flavour, aco.partially_adjudicated, aco.denylisted, aco.reference_unix, now_us(), aco.rate_limited],
        )?;
        let id = tx.last_insert_rowid();
        insert_attribution(&tx, id, files)?;
        tx.commit()?;
        Ok(id)
    }

    /// Replace an ACO's attribution files.
    pub fn replace_attribution_files(
        &self,
        aco_id: i64,
        files: &[AttributionRow],
    ) -> Result<(), ServerError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM attribution_files WHERE aco_id = ?1", [aco_id])?;
        insert_attribution(&tx, aco_id, files)?;
        tx.commit()?;
        Ok(())
    }

    /// An ACO by CMS id.
    pub fn aco_by_cms_id(&self, cms_id: &str) -> Result<Option<AcoRow>, ServerError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {ACO_COLS} FROM acos WHERE cms_id = ?1"),
                [cms_id],
                aco_from_row,
            )
            .optional()?)
    }

    /// An ACO by row id.
    pub fn aco_by_id(&self, id: i64) -> Result<Option<AcoRow>, ServerError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {ACO_COLS} FROM acos WHERE id = ?1"),
                [id],
                aco_from_row,
            )
            .optional()?)
    }

    /// Every ACO, by CMS id.
    pub fn list_acos(&self) -> Result<Vec<AcoRow>, ServerError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!("SELECT {ACO_COLS} FROM acos ORDER BY cms_id"))?;
        let rows = st.query_map([], aco_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Set or clear an ACO's denylist flag; false when no such ACO.
    pub fn set_denylisted(&self, cms_id: &str, denylisted: bool) -> Result<bool, ServerError> {
        Ok(self.conn().execute(
            "UPDATE acos SET denylisted = ?2 WHERE cms_id = ?1",
            params![cms_id, denylisted],
        )? > 0)
    }

    /// Set or clear an ACO's rate-limit flag; false when no such ACO.
    pub fn set_rate_limited(&self, cms_id: &str, limited: bool) -> Result<bool, ServerError> {
        Ok(self.conn().execute(
            "UPDATE acos SET rate_limited = ?2 WHERE cms_id = ?1",
            params![cms_id, limited],
        )? > 0)
    }

    /// Add a credential (client id + secret hash) to an ACO; returns the system id.
    pub fn insert_system(
        &self,
        aco_id: i64,
        client_id: &str,
        secret_hash: &str,
    ) -> Result<i64, ServerError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO systems(aco_id, client_id, secret_hash, created_us) VALUES (?1, ?2, ?3, ?4)",
            params![aco_id, client_id, secret_hash, now_us()],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// A credential by client id.
    pub fn system_by_client_id(&self, client_id: &str) -> Result<Option<SystemRow>, ServerError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT s.id, s.client_id, s.secret_hash, a.cms_id FROM systems s JOIN acos a ON a.id = s.aco_id WHERE s.client_id = ?1",
                [client_id],
                |r| {
                    Ok(SystemRow {
                        id: r.get(0)?,
                        client_id: r.get(1)?,
                        secret_hash: r.get(2)?,
                        cms_id: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Replace a credential's secret hash; false when no such client.
    pub fn update_secret(&self, client_id: &str, secret_hash: &str) -> Result<bool, ServerError> {
        Ok(self.conn().execute(
            "UPDATE systems SET secret_hash = ?2 WHERE client_id = ?1",
            params![client_id, secret_hash],
        )? > 0)
    }

    /// Revoke a token id.
    pub fn revoke_token(&self, jti: &str) -> Result<(), ServerError> {
        self.conn().execute(
            "INSERT OR IGNORE INTO revoked_tokens(jti, revoked_us) VALUES (?1, ?2)",
            params![jti, now_us()],
        )?;
        Ok(())
    }

    /// Is this token id revoked?
    pub fn is_revoked(&self, jti: &str) -> Result<bool, ServerError> {
        Ok(self
            .conn()
            .query_row("SELECT 1 FROM revoked_tokens WHERE jti = ?1", [jti], |_| {
                Ok(())
            })
            .optional()?
            .is_some())
    }

    /// An ACO's attribution files, oldest first.
    pub fn attribution_files(&self, aco_id: i64) -> Result<Vec<AttributionRow>, ServerError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT file_index, name, runout, performance_year, timestamp_unix, imported_unix FROM attribution_files WHERE aco_id = ?1 ORDER BY timestamp_unix, id",
        )?;
        let rows = st.query_map([aco_id], |r| {
            Ok(AttributionRow {
                file_index: r.get(0)?,
                name: r.get(1)?,
                runout: r.get(2)?,
                performance_year: r.get(3)?,
                timestamp_unix: r.get(4)?,
                imported_unix: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Create a job and its sub-jobs atomically; returns the job id.
    pub fn create_job(
        &self,
        aco_id: i64,
        version: ApiVersion,
        request_url: &str,
        types: &[ResourceType],
        transaction_us: i64,
        subjobs: &[NewSubJob],
    ) -> Result<i64, ServerError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = now_us();
        let type_list: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
        // A job with nothing to do completes immediately.
        let status = if subjobs.is_empty() {
            JobStatus::Completed
        } else {
            JobStatus::Pending
        };
        tx.execute(
            "INSERT INTO jobs(aco_id, api_version, request_url, types, status, job_count, created_us, updated_us, transaction_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
            params![aco_id, version.as_str(), request_url, type_list.join(","), status.as_str(), subjobs.len() as i64, now, transaction_us],
        )?;
        let job_id = tx.last_insert_rowid();
        {
            let mut st = tx.prepare(
                "INSERT INTO subjobs(job_id, resource, benes, since_unix, until_unix, file_name, status, not_before_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7)",
            )?;
            for s in subjobs {
                let name = format!("{}.ndjson", uuid::Uuid::new_v4());
                st.execute(params![
                    job_id,
                    s.resource.as_str(),
                    benes_to_blob(&s.benes),
                    s.since_unix,
                    s.until_unix,
                    name,
                    now + s.release_after_us
                ])?;
            }
        }
        tx.commit()?;
        Ok(job_id)
    }

    /// Set the expiry of a job completed at creation (no sub-jobs).
    pub fn set_expiry(&self, job_id: i64, expires_us: i64) -> Result<(), ServerError> {
        self.conn().execute(
            "UPDATE jobs SET expires_us = ?2 WHERE id = ?1",
            params![job_id, expires_us],
        )?;
        Ok(())
    }

    /// A job by id.
    pub fn job(&self, id: i64) -> Result<Option<JobRow>, ServerError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {JOB_COLS} FROM jobs WHERE id = ?1"),
                [id],
                job_from_row,
            )
            .optional()?)
    }

    /// An ACO's jobs, by id, optionally filtered by status.
    pub fn jobs_for_aco(
        &self,
        aco_id: i64,
        statuses: Option<&[JobStatus]>,
    ) -> Result<Vec<JobRow>, ServerError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {JOB_COLS} FROM jobs WHERE aco_id = ?1 ORDER BY id"
        ))?;
        let rows = st.query_map([aco_id], job_from_row)?;
        let mut out = Vec::new();
        for r in rows {
            let job = r?;
            if statuses.is_none_or(|s| s.contains(&job.status)) {
                out.push(job);
            }
        }
        Ok(out)
    }

    /// Cancel an active job; false when it is not Pending or In Progress.
    pub fn cancel_job(&self, id: i64) -> Result<bool, ServerError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE jobs SET status = 'Cancelled', updated_us = ?2 WHERE id = ?1 AND status IN ('Pending', 'In Progress')",
            params![id, now_us()],
        )?;
        if n > 0 {
            tx.execute(
                "UPDATE subjobs SET status = 'cancelled' WHERE job_id = ?1 AND status = 'queued'",
                [id],
            )?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    /// Claim the oldest queued sub-job of an active job, marking it running and its job
    /// In Progress.
    pub fn claim_subjob(&self) -> Result<Option<SubJob>, ServerError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row = tx
            .query_row(
                "SELECT s.id, s.job_id, s.resource, s.benes, s.since_unix, s.until_unix, s.file_name, s.attempts, s.not_before_us FROM subjobs s WHERE s.status = 'queued' ORDER BY s.id LIMIT 1",
                [],
                |r| {
                    let resource: String = r.get(2)?;
                    let blob: Vec<u8> = r.get(3)?;
                    Ok(SubJob {
                        id: r.get(0)?,
                        job_id: r.get(1)?,
                        resource: resource.parse().unwrap_or(ResourceType::Patient),
                        benes: benes_from_blob(&blob),
                        since_unix: r.get(4)?,
                        until_unix: r.get(5)?,
                        file_name: r.get(6)?,
                        attempts: r.get::<_, i64>(7)? + 1,
                        not_before_us: r.get(8)?,
                    })
                },
            )
            .optional()?;
        if let Some(s) = &row {
            tx.execute(
                "UPDATE subjobs SET status = 'running', attempts = attempts + 1 WHERE id = ?1",
                [s.id],
            )?;
            tx.execute(
                "UPDATE jobs SET status = 'In Progress', updated_us = ?2 WHERE id = ?1 AND status = 'Pending'",
                params![s.job_id, now_us()],
            )?;
        }
        tx.commit()?;
        Ok(row)
    }

    /// Record a finished sub-job (and its file, if it wrote one) in one transaction.
    pub fn finish_subjob(
        &self,
        sub: &SubJob,
        file: Option<&JobFile>,
        retention_us: i64,
    ) -> Result<FinishOutcome, ServerError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let status: String =
            tx.query_row("SELECT status FROM jobs WHERE id = ?1", [sub.job_id], |r| {
                r.get(0)
            })?;
        if status != "In Progress" && status != "Pending" {
            tx.execute(
                "UPDATE subjobs SET status = 'cancelled' WHERE id = ?1",
                [sub.id],
            )?;
            tx.commit()?;
            return Ok(FinishOutcome::JobInactive);
        }
        if let Some(f) = file {
            tx.execute(
                "INSERT OR REPLACE INTO job_files(job_id, subjob_id, resource, file_name, is_error, lines, size_gz, size_raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![sub.job_id, sub.id, f.resource, f.file_name, f.is_error, f.lines, f.size_gz, f.size_raw],
            )?;
        }
        let changed = tx.execute(
            "UPDATE subjobs SET status = 'done' WHERE id = ?1 AND status = 'running'",
            [sub.id],
        )?;
        let now = now_us();
        if changed > 0 {
            tx.execute(
                "UPDATE jobs SET done_count = done_count + 1, updated_us = ?2 WHERE id = ?1",
                params![sub.job_id, now],
            )?;
        }
        let done = tx.execute(
            "UPDATE jobs SET status = 'Completed', updated_us = ?2, expires_us = ?3 WHERE id = ?1 AND done_count >= job_count AND status IN ('Pending', 'In Progress')",
            params![sub.job_id, now, now + retention_us],
        )?;
        tx.commit()?;
        Ok(if done > 0 {
            FinishOutcome::JobCompleted
        } else {
            FinishOutcome::Recorded
        })
    }

    /// Record a failed attempt: back to the queue, or the whole job Failed after `max_attempts`.
    /// Returns true when the job failed.
    pub fn fail_subjob(&self, sub: &SubJob, max_attempts: i64) -> Result<bool, ServerError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let failed = sub.attempts >= max_attempts;
        if failed {
            tx.execute(
                "UPDATE subjobs SET status = 'failed' WHERE id = ?1",
                [sub.id],
            )?;
            tx.execute(
                "UPDATE jobs SET status = 'Failed', updated_us = ?2 WHERE id = ?1 AND status IN ('Pending', 'In Progress')",
                params![sub.job_id, now_us()],
            )?;
            tx.execute(
                "UPDATE subjobs SET status = 'cancelled' WHERE job_id = ?1 AND status = 'queued'",
                [sub.job_id],
            )?;
        } else {
            tx.execute(
                "UPDATE subjobs SET status = 'queued' WHERE id = ?1",
                [sub.id],
            )?;
        }
        tx.commit()?;
        Ok(failed)
    }

    /// The earliest release time (Unix µs, job pacing) among a job's unfinished sub-jobs.
    pub fn next_release_us(&self, job_id: i64) -> Result<Option<i64>, ServerError> {
        Ok(self.conn().query_row(
            "SELECT MIN(not_before_us) FROM subjobs WHERE job_id = ?1 AND status IN ('queued', 'running')",
            [job_id],
            |r| r.get(0),
        )?)
    }

    /// Put sub-jobs left `running` by a stopped process back in the queue.
    pub fn requeue_running(&self) -> Result<usize, ServerError> {
        Ok(self.conn().execute(
            "UPDATE subjobs SET status = 'queued' WHERE status = 'running'",
            [],
        )?)
    }

    /// The files of a job, data files in creation order then error files.
    pub fn job_files(&self, job_id: i64) -> Result<Vec<JobFile>, ServerError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT resource, file_name, is_error, lines, size_gz, size_raw FROM job_files WHERE job_id = ?1 ORDER BY is_error, subjob_id",
        )?;
        let rows = st.query_map([job_id], |r| {
            Ok(JobFile {
                resource: r.get(0)?,
                file_name: r.get(1)?,
                is_error: r.get(2)?,
                lines: r.get(3)?,
                size_gz: r.get(4)?,
                size_raw: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One file of a job by served name.
    pub fn job_file(&self, job_id: i64, name: &str) -> Result<Option<JobFile>, ServerError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT resource, file_name, is_error, lines, size_gz, size_raw FROM job_files WHERE job_id = ?1 AND file_name = ?2",
                params![job_id, name],
                |r| {
                    Ok(JobFile {
                        resource: r.get(0)?,
                        file_name: r.get(1)?,
                        is_error: r.get(2)?,
                        lines: r.get(3)?,
                        size_gz: r.get(4)?,
                        size_raw: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// Jobs in `status` whose `column` (Unix µs) is before `before_us`.
    pub fn jobs_due(
        &self,
        status: JobStatus,
        column: &str,
        before_us: i64,
    ) -> Result<Vec<i64>, ServerError> {
        let col = match column {
            "expires_us" => "expires_us",
            _ => "updated_us",
        };
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT id FROM jobs WHERE status = ?1 AND {col} IS NOT NULL AND {col} < ?2"
        ))?;
        let rows = st.query_map(params![status.as_str(), before_us], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Move a job from one state to another (no-op if it is no longer in `from`).
    pub fn transition(&self, id: i64, from: JobStatus, to: JobStatus) -> Result<bool, ServerError> {
        Ok(self.conn().execute(
            "UPDATE jobs SET status = ?3, updated_us = ?4 WHERE id = ?1 AND status = ?2",
            params![id, from.as_str(), to.as_str(), now_us()],
        )? > 0)
    }

    /// Active jobs of an ACO for a version created after `created_after_us`.
    pub fn active_jobs(
        &self,
        aco_id: i64,
        version: ApiVersion,
        created_after_us: i64,
    ) -> Result<Vec<JobRow>, ServerError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {JOB_COLS} FROM jobs WHERE aco_id = ?1 AND api_version = ?2 AND status IN ('Pending', 'In Progress') AND created_us > ?3 ORDER BY id"
        ))?;
        let rows = st.query_map(
            params![aco_id, version.as_str(), created_after_us],
            job_from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
