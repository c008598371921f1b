//! The embedded SQLite store of a single node: schema migrations and every query, run on
//! tokio's blocking threads ([`SqliteStore`] wraps the synchronous [`SqliteDb`]).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use bcda_protocol::{JobStatus, ResourceType};
use futures::future::BoxFuture;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{
    benes_from_blob, benes_to_blob, first_overlap, new_file_name, types_from, types_to,
    version_from, AcoRow, AttributionRow, CreateOutcome, DueColumn, FinishOutcome, JobFile, JobRow,
    Lock, NewJob, Store, StoreFuture, SubJob, SystemRow,
};
use crate::store::now_us;
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

fn status_from(s: &str) -> rusqlite::Result<JobStatus> {
    s.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, s.into())
    })
}

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    let version: String = r.get(2)?;
    let types: String = r.get(4)?;
    let status: String = r.get(5)?;
    Ok(JobRow {
        id: r.get(0)?,
        aco_id: r.get(1)?,
        api_version: version_from(&version),
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

/// The synchronous SQLite database: one connection behind a mutex (queries are short; WAL lets
/// the admin CLI and the server share the file).
pub struct SqliteDb {
    conn: Mutex<Connection>,
}

impl SqliteDb {
    /// Open or create the database and run pending migrations.
    pub fn open(path: &Path) -> Result<SqliteDb, ServerError> {
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
        Ok(SqliteDb {
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

    /// Write a meta value unless one is there; returns the stored value.
    pub fn init_meta(&self, key: &str, value: &str) -> Result<String, ServerError> {
        let conn = self.conn();
        conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))?)
    }

    /// Check the database answers.
    pub fn ping(&self) -> bool {
        self.conn()
            .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
            .is_ok()
    }

    /// Insert an ACO with its attribution files; returns its row id (`None`: it exists).
    pub fn insert_aco(
        &self,
        aco: &AcoRow,
        files: &[AttributionRow],
    ) -> Result<Option<i64>, ServerError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let added = tx.execute(
            "INSERT OR IGNORE INTO acos(cms_id, beneficiaries, flavour, partially_adjudicated, denylisted, reference_unix, created_us, rate_limited) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![aco.cms_id, aco.beneficiaries, aco.flavour, aco.partially_adjudicated, aco.denylisted, aco.reference_unix, now_us(), aco.rate_limited],
        )?;
        if added == 0 {
            return Ok(None);
        }
        let id = tx.last_insert_rowid();
        insert_attribution(&tx, id, files)?;
        tx.commit()?;
        Ok(Some(id))
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

    /// Check the duplicate-job rule and create the job and its sub-jobs, in one IMMEDIATE
    /// transaction (SQLite's single writer serialises concurrent kick-offs).
    pub fn create_job(&self, job: &NewJob) -> Result<CreateOutcome, ServerError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(after) = job.duplicate_after_us {
            let mut st = tx.prepare(&format!(
                "SELECT {JOB_COLS} FROM jobs WHERE aco_id = ?1 AND api_version = ?2 AND status IN ('Pending', 'In Progress') AND created_us > ?3 ORDER BY id"
            ))?;
            let active = st
                .query_map(
                    params![job.aco_id, job.version.as_str(), after],
                    job_from_row,
                )?
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(dup) = first_overlap(active, &job.types) {
                return Ok(CreateOutcome::Duplicate(dup));
            }
        }
        let now = now_us();
        // A job with nothing to do completes immediately.
        let (status, expires) = if job.subjobs.is_empty() {
            (JobStatus::Completed, Some(now + job.retention_us))
        } else {
            (JobStatus::Pending, None)
        };
        tx.execute(
            "INSERT INTO jobs(aco_id, api_version, request_url, types, status, job_count, created_us, updated_us, transaction_us, expires_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9)",
            params![job.aco_id, job.version.as_str(), job.request_url, types_to(&job.types), status.as_str(), job.subjobs.len() as i64, now, job.transaction_us, expires],
        )?;
        let job_id = tx.last_insert_rowid();
        {
            let mut st = tx.prepare(
                "INSERT INTO subjobs(job_id, resource, benes, since_unix, until_unix, file_name, status, not_before_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7)",
            )?;
            for s in &job.subjobs {
                st.execute(params![
                    job_id,
                    s.resource.as_str(),
                    benes_to_blob(&s.benes),
                    s.since_unix,
                    s.until_unix,
                    new_file_name(),
                    now + s.release_after_us
                ])?;
            }
        }
        tx.commit()?;
        Ok(CreateOutcome::Created(job_id))
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
                        owner: String::new(),
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
        column: DueColumn,
        before_us: i64,
    ) -> Result<Vec<i64>, ServerError> {
        let col = match column {
            DueColumn::Expires => "expires_us",
            DueColumn::Updated => "updated_us",
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
}

/// The SQLite store as a [`Store`]: every call runs on tokio's blocking threads.
#[derive(Clone)]
pub struct SqliteStore {
    db: Arc<SqliteDb>,
}

impl SqliteStore {
    /// Open or create the database file and run pending migrations (off the async threads).
    pub async fn open(path: PathBuf) -> Result<SqliteStore, ServerError> {
        let db = tokio::task::spawn_blocking(move || SqliteDb::open(&path))
            .await
            .map_err(|e| ServerError::Task(e.to_string()))??;
        Ok(SqliteStore { db: Arc::new(db) })
    }

    /// The synchronous database (for callers already on a blocking thread).
    pub fn db(&self) -> &SqliteDb {
        &self.db
    }

    /// Run `f` on a blocking thread.
    fn blocking<T, F>(&self, f: F) -> StoreFuture<'static, T>
    where
        T: Send + 'static,
        F: FnOnce(&SqliteDb) -> Result<T, ServerError> + Send + 'static,
    {
        let db = self.db.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || f(&db))
                .await
                .map_err(|e| ServerError::Task(e.to_string()))?
        })
    }
}

impl Store for SqliteStore {
    fn kind(&self) -> &'static str {
        "sqlite"
    }
    fn schema_version(&self) -> StoreFuture<'_, i64> {
        self.blocking(|db| db.schema_version())
    }
    fn meta<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>> {
        let key = key.to_owned();
        self.blocking(move |db| db.meta(&key))
    }
    fn init_meta<'a>(&'a self, key: &'a str, value: &'a str) -> StoreFuture<'a, String> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.blocking(move |db| db.init_meta(&key, &value))
    }
    fn ping(&self) -> BoxFuture<'_, bool> {
        let fut = self.blocking(|db| Ok(db.ping()));
        Box::pin(async move { fut.await.unwrap_or(false) })
    }
    fn insert_aco<'a>(
        &'a self,
        aco: &'a AcoRow,
        files: &'a [AttributionRow],
    ) -> StoreFuture<'a, Option<i64>> {
        let (aco, files) = (aco.clone(), files.to_vec());
        self.blocking(move |db| db.insert_aco(&aco, &files))
    }
    fn replace_attribution_files<'a>(
        &'a self,
        aco_id: i64,
        files: &'a [AttributionRow],
    ) -> StoreFuture<'a, ()> {
        let files = files.to_vec();
        self.blocking(move |db| db.replace_attribution_files(aco_id, &files))
    }
    fn aco_by_cms_id<'a>(&'a self, cms_id: &'a str) -> StoreFuture<'a, Option<AcoRow>> {
        let cms_id = cms_id.to_owned();
        self.blocking(move |db| db.aco_by_cms_id(&cms_id))
    }
    fn aco_by_id(&self, id: i64) -> StoreFuture<'_, Option<AcoRow>> {
        self.blocking(move |db| db.aco_by_id(id))
    }
    fn list_acos(&self) -> StoreFuture<'_, Vec<AcoRow>> {
        self.blocking(|db| db.list_acos())
    }
    fn set_denylisted<'a>(&'a self, cms_id: &'a str, on: bool) -> StoreFuture<'a, bool> {
        let cms_id = cms_id.to_owned();
        self.blocking(move |db| db.set_denylisted(&cms_id, on))
    }
    fn set_rate_limited<'a>(&'a self, cms_id: &'a str, on: bool) -> StoreFuture<'a, bool> {
        let cms_id = cms_id.to_owned();
        self.blocking(move |db| db.set_rate_limited(&cms_id, on))
    }
    fn insert_system<'a>(
        &'a self,
        aco_id: i64,
        client_id: &'a str,
        secret_hash: &'a str,
    ) -> StoreFuture<'a, i64> {
        let (client_id, hash) = (client_id.to_owned(), secret_hash.to_owned());
        self.blocking(move |db| db.insert_system(aco_id, &client_id, &hash))
    }
    fn system_by_client_id<'a>(&'a self, client_id: &'a str) -> StoreFuture<'a, Option<SystemRow>> {
        let client_id = client_id.to_owned();
        self.blocking(move |db| db.system_by_client_id(&client_id))
    }
    fn update_secret<'a>(&'a self, client_id: &'a str, hash: &'a str) -> StoreFuture<'a, bool> {
        let (client_id, hash) = (client_id.to_owned(), hash.to_owned());
        self.blocking(move |db| db.update_secret(&client_id, &hash))
    }
    fn revoke_token<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, ()> {
        let jti = jti.to_owned();
        self.blocking(move |db| db.revoke_token(&jti))
    }
    fn is_revoked<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, bool> {
        let jti = jti.to_owned();
        self.blocking(move |db| db.is_revoked(&jti))
    }
    fn attribution_files(&self, aco_id: i64) -> StoreFuture<'_, Vec<AttributionRow>> {
        self.blocking(move |db| db.attribution_files(aco_id))
    }
    fn create_job(&self, job: NewJob) -> StoreFuture<'_, CreateOutcome> {
        self.blocking(move |db| db.create_job(&job))
    }
    fn job(&self, id: i64) -> StoreFuture<'_, Option<JobRow>> {
        self.blocking(move |db| db.job(id))
    }
    fn jobs_for_aco<'a>(
        &'a self,
        aco_id: i64,
        statuses: Option<&'a [JobStatus]>,
    ) -> StoreFuture<'a, Vec<JobRow>> {
        let statuses = statuses.map(<[JobStatus]>::to_vec);
        self.blocking(move |db| db.jobs_for_aco(aco_id, statuses.as_deref()))
    }
    fn cancel_job(&self, id: i64) -> StoreFuture<'_, bool> {
        self.blocking(move |db| db.cancel_job(id))
    }
    fn claim_subjob<'a>(
        &'a self,
        _owner: &'a str,
        _lease_us: i64,
    ) -> StoreFuture<'a, Option<SubJob>> {
        self.blocking(|db| db.claim_subjob())
    }
    fn renew_lease<'a>(&'a self, _sub: &'a SubJob, _lease_us: i64) -> StoreFuture<'a, bool> {
        // One node owns the file: a running sub-job stays its own until the next start.
        Box::pin(async { Ok(true) })
    }
    fn finish_subjob<'a>(
        &'a self,
        sub: &'a SubJob,
        file: Option<&'a JobFile>,
        retention_us: i64,
    ) -> StoreFuture<'a, FinishOutcome> {
        let (sub, file) = (sub.clone(), file.cloned());
        self.blocking(move |db| db.finish_subjob(&sub, file.as_ref(), retention_us))
    }
    fn fail_subjob<'a>(&'a self, sub: &'a SubJob, max_attempts: i64) -> StoreFuture<'a, bool> {
        let sub = sub.clone();
        self.blocking(move |db| db.fail_subjob(&sub, max_attempts))
    }
    fn next_release_us(&self, job_id: i64) -> StoreFuture<'_, Option<i64>> {
        self.blocking(move |db| db.next_release_us(job_id))
    }
    fn requeue_interrupted(&self) -> StoreFuture<'_, usize> {
        self.blocking(|db| db.requeue_running())
    }
    fn job_files(&self, job_id: i64) -> StoreFuture<'_, Vec<JobFile>> {
        self.blocking(move |db| db.job_files(job_id))
    }
    fn job_file<'a>(&'a self, job_id: i64, name: &'a str) -> StoreFuture<'a, Option<JobFile>> {
        let name = name.to_owned();
        self.blocking(move |db| db.job_file(job_id, &name))
    }
    fn jobs_due(
        &self,
        status: JobStatus,
        column: DueColumn,
        before_us: i64,
    ) -> StoreFuture<'_, Vec<i64>> {
        self.blocking(move |db| db.jobs_due(status, column, before_us))
    }
    fn transition(&self, id: i64, from: JobStatus, to: JobStatus) -> StoreFuture<'_, bool> {
        self.blocking(move |db| db.transition(id, from, to))
    }
    fn try_sweep_lock(&self) -> StoreFuture<'_, Option<Box<dyn Lock>>> {
        // One node per SQLite file: the sweep never runs twice at once.
        Box::pin(async { Ok(Some(Box::new(NoLock) as Box<dyn Lock>)) })
    }
}

/// The sweep lock of a single node: nothing to hold.
struct NoLock;

impl Lock for NoLock {
    fn release(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async {})
    }
}
