//! The store: one async interface ([`Store`]) with two implementations, the embedded SQLite
//! file of a single node ([`sqlite::SqliteStore`], the default) and a PostgreSQL database
//! shared by many nodes ([`postgres::PgStore`]). Both run versioned migrations on open.

pub mod postgres;
pub mod sqlite;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use bcda_protocol::{ApiVersion, JobStatus, ResourceType};
use futures::future::BoxFuture;

use crate::ServerError;

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
    /// The worker holding this claim (PostgreSQL leases; empty on SQLite).
    pub owner: String,
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
    /// The claim's lease expired and another worker took the sub-job: nothing was recorded
    /// (the other worker writes the same file and records it).
    LeaseLost,
}

/// What every store method returns: a boxed future (the trait is used as `dyn Store`).
pub type StoreFuture<'a, T> = BoxFuture<'a, Result<T, ServerError>>;

/// A job to create (with its sub-jobs) in one transaction.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Owner ACO row id.
    pub aco_id: i64,
    /// API version of the kick-off.
    pub version: ApiVersion,
    /// Kick-off URL.
    pub request_url: String,
    /// Resolved resource types.
    pub types: Vec<ResourceType>,
    /// Snapshot time (Unix µs).
    pub transaction_us: i64,
    /// Its sub-jobs; none completes the job at once.
    pub subjobs: Vec<NewSubJob>,
    /// Retention (µs): the expiry of a job completed at creation.
    pub retention_us: i64,
    /// The duplicate-job rule: refuse when an active job of the same ACO and version created
    /// after this instant (Unix µs) has an overlapping type. `None`: no check.
    pub duplicate_after_us: Option<i64>,
}

/// Result of [`Store::create_job`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    /// Created with this id.
    Created(i64),
    /// Refused by the duplicate-job rule: this active job overlaps.
    Duplicate(JobRow),
}

/// Which timestamp [`Store::jobs_due`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueColumn {
    /// `expires_us` (completed jobs).
    Expires,
    /// `updated_us` (the time of the last state change).
    Updated,
}

/// A held cluster-wide lock (the retention sweep's); [`Lock::release`] frees it.
pub trait Lock: Send {
    /// Release the lock.
    fn release(self: Box<Self>) -> BoxFuture<'static, ()>;
}

/// The store interface every node uses; all calls are async and none blocks the runtime.
pub trait Store: Send + Sync {
    /// `sqlite` or `postgres`.
    fn kind(&self) -> &'static str;
    /// The schema version (number of migrations applied).
    fn schema_version(&self) -> StoreFuture<'_, i64>;
    /// Read a meta value.
    fn meta<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>>;
    /// Store `value` under `key` unless a value is there; returns the stored value (race-free
    /// across nodes: the first writer wins).
    fn init_meta<'a>(&'a self, key: &'a str, value: &'a str) -> StoreFuture<'a, String>;
    /// Does the database answer?
    fn ping(&self) -> BoxFuture<'_, bool>;
    /// Insert an ACO with its attribution files; `None` when its CMS id exists already.
    fn insert_aco<'a>(
        &'a self,
        aco: &'a AcoRow,
        files: &'a [AttributionRow],
    ) -> StoreFuture<'a, Option<i64>>;
    /// Replace an ACO's attribution files.
    fn replace_attribution_files<'a>(
        &'a self,
        aco_id: i64,
        files: &'a [AttributionRow],
    ) -> StoreFuture<'a, ()>;
    /// An ACO by CMS id.
    fn aco_by_cms_id<'a>(&'a self, cms_id: &'a str) -> StoreFuture<'a, Option<AcoRow>>;
    /// An ACO by row id.
    fn aco_by_id(&self, id: i64) -> StoreFuture<'_, Option<AcoRow>>;
    /// Every ACO, by CMS id.
    fn list_acos(&self) -> StoreFuture<'_, Vec<AcoRow>>;
    /// Set or clear an ACO's denylist flag; false when no such ACO.
    fn set_denylisted<'a>(&'a self, cms_id: &'a str, on: bool) -> StoreFuture<'a, bool>;
    /// Set or clear an ACO's rate-limit flag; false when no such ACO.
    fn set_rate_limited<'a>(&'a self, cms_id: &'a str, on: bool) -> StoreFuture<'a, bool>;
    /// Add a credential to an ACO; returns the system id.
    fn insert_system<'a>(
        &'a self,
        aco_id: i64,
        client_id: &'a str,
        secret_hash: &'a str,
    ) -> StoreFuture<'a, i64>;
    /// A credential by client id.
    fn system_by_client_id<'a>(&'a self, client_id: &'a str) -> StoreFuture<'a, Option<SystemRow>>;
    /// Replace a credential's secret hash; false when no such client.
    fn update_secret<'a>(&'a self, client_id: &'a str, hash: &'a str) -> StoreFuture<'a, bool>;
    /// Revoke a token id.
    fn revoke_token<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, ()>;
    /// Is this token id revoked?
    fn is_revoked<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, bool>;
    /// An ACO's attribution files, oldest first.
    fn attribution_files(&self, aco_id: i64) -> StoreFuture<'_, Vec<AttributionRow>>;
    /// Check the duplicate-job rule and create the job with its sub-jobs, in one transaction
    /// serialised per ACO (two nodes receiving the same kick-off create one job).
    fn create_job(&self, job: NewJob) -> StoreFuture<'_, CreateOutcome>;
    /// A job by id.
    fn job(&self, id: i64) -> StoreFuture<'_, Option<JobRow>>;
    /// An ACO's jobs, by id, optionally filtered by status.
    fn jobs_for_aco<'a>(
        &'a self,
        aco_id: i64,
        statuses: Option<&'a [JobStatus]>,
    ) -> StoreFuture<'a, Vec<JobRow>>;
    /// Cancel an active job; false when it is not Pending or In Progress.
    fn cancel_job(&self, id: i64) -> StoreFuture<'_, bool>;
    /// Claim the oldest claimable sub-job of an active job for `owner`, with a lease of
    /// `lease_us` (PostgreSQL: a running sub-job whose lease expired is claimable again).
    fn claim_subjob<'a>(&'a self, owner: &'a str, lease_us: i64)
        -> StoreFuture<'a, Option<SubJob>>;
    /// Extend a claim's lease; false when the claim was lost (lease expired and re-claimed).
    fn renew_lease<'a>(&'a self, sub: &'a SubJob, lease_us: i64) -> StoreFuture<'a, bool>;
    /// Record a finished sub-job and its file in one transaction.
    fn finish_subjob<'a>(
        &'a self,
        sub: &'a SubJob,
        file: Option<&'a JobFile>,
        retention_us: i64,
    ) -> StoreFuture<'a, FinishOutcome>;
    /// Record a failed attempt: back to the queue, or the job Failed after `max_attempts`;
    /// true when the job failed.
    fn fail_subjob<'a>(&'a self, sub: &'a SubJob, max_attempts: i64) -> StoreFuture<'a, bool>;
    /// The earliest release time (Unix µs, job pacing) among a job's unfinished sub-jobs.
    fn next_release_us(&self, job_id: i64) -> StoreFuture<'_, Option<i64>>;
    /// On start: re-queue sub-jobs left running by this store's previous process (SQLite, a
    /// single node). PostgreSQL re-queues nothing: other nodes' work is theirs until its lease
    /// expires.
    fn requeue_interrupted(&self) -> StoreFuture<'_, usize>;
    /// The files of a job, data files in creation order then error files.
    fn job_files(&self, job_id: i64) -> StoreFuture<'_, Vec<JobFile>>;
    /// One file of a job by served name.
    fn job_file<'a>(&'a self, job_id: i64, name: &'a str) -> StoreFuture<'a, Option<JobFile>>;
    /// Jobs in `status` whose `column` is before `before_us`.
    fn jobs_due(
        &self,
        status: JobStatus,
        column: DueColumn,
        before_us: i64,
    ) -> StoreFuture<'_, Vec<i64>>;
    /// Move a job from one state to another (false if it is no longer in `from`).
    fn transition(&self, id: i64, from: JobStatus, to: JobStatus) -> StoreFuture<'_, bool>;
    /// Take the retention sweep's lock if no other node holds it (`None`: another does).
    fn try_sweep_lock(&self) -> StoreFuture<'_, Option<Box<dyn Lock>>>;

    /// What every authenticated request reads: is the token id revoked, and the ACO of the
    /// CMS id (one round trip on PostgreSQL).
    fn auth_lookup<'a>(
        &'a self,
        jti: &'a str,
        cms_id: &'a str,
    ) -> StoreFuture<'a, (bool, Option<AcoRow>)> {
        Box::pin(async move {
            let revoked = self.is_revoked(jti).await?;
            Ok((revoked, self.aco_by_cms_id(cms_id).await?))
        })
    }

    /// A job and the earliest release time of its unfinished sub-jobs (what a status poll
    /// reads; one round trip on PostgreSQL).
    fn job_with_release(&self, id: i64) -> StoreFuture<'_, Option<(JobRow, Option<i64>)>> {
        Box::pin(async move {
            let Some(job) = self.job(id).await? else {
                return Ok(None);
            };
            let next = self.next_release_us(id).await?;
            Ok(Some((job, next)))
        })
    }
}

/// Where the state lives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Database {
    /// The embedded SQLite file `bcda.sqlite3` in the data directory (the default).
    #[default]
    Sqlite,
    /// A PostgreSQL database URL (`postgres://user@host:port/db`).
    Postgres(String),
}

impl Database {
    /// `postgres://` or `postgresql://` URLs select PostgreSQL; an empty string, `sqlite` or
    /// nothing selects the embedded file.
    pub fn parse(url: Option<&str>) -> Result<Database, ServerError> {
        match url.map(str::trim) {
            None | Some("") | Some("sqlite") => Ok(Database::Sqlite),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Ok(Database::Postgres(u.to_string()))
            }
            Some(u) => Err(ServerError::Invalid(format!(
                "database {u:?}: expected a postgres:// URL (or nothing for the embedded SQLite file)"
            ))),
        }
    }
}

/// Open the store (running pending migrations, under a lock on PostgreSQL).
pub async fn open(db: &Database, data_dir: &Path) -> Result<Arc<dyn Store>, ServerError> {
    match db {
        Database::Sqlite => {
            let path = data_dir.join("bcda.sqlite3");
            Ok(Arc::new(sqlite::SqliteStore::open(path).await?))
        }
        Database::Postgres(url) => Ok(Arc::new(postgres::PgStore::open(url).await?)),
    }
}

/// The first job among `active` whose types overlap `types` (the duplicate-job rule).
pub(crate) fn first_overlap(active: Vec<JobRow>, types: &[ResourceType]) -> Option<JobRow> {
    let requested: HashSet<ResourceType> = types.iter().copied().collect();
    active
        .into_iter()
        .find(|j| j.types.iter().any(|t| requested.contains(t)))
}

fn types_from(s: &str) -> Vec<ResourceType> {
    s.split(',').filter_map(|t| t.parse().ok()).collect()
}

fn types_to(types: &[ResourceType]) -> String {
    types
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn version_from(s: &str) -> ApiVersion {
    if s == "v1" {
        ApiVersion::V1
    } else {
        ApiVersion::V2
    }
}

fn benes_to_blob(benes: &[u32]) -> Vec<u8> {
    benes.iter().flat_map(|b| b.to_le_bytes()).collect()
}

fn benes_from_blob(blob: &[u8]) -> Vec<u32> {
    blob.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// A fresh served file name for a sub-job (`<uuid>.ndjson`).
fn new_file_name() -> String {
    format!("{}.ndjson", uuid::Uuid::new_v4())
}
