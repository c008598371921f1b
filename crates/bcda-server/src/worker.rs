//! Export workers: claim a sub-job, generate its NDJSON, write it gzip-compressed atomically,
//! record it. A sub-job's file name is fixed when the job is created, so a retry after a crash
//! overwrites rather than duplicates.

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use flate2::write::GzEncoder;
use flate2::Compression;
use tokio::sync::watch;

use crate::source;
use crate::store::{now_us, AcoRow, FinishOutcome, JobFile, JobRow, SubJob};
use crate::{AppState, ServerError};

/// Attempts per sub-job before the job fails.
const MAX_ATTEMPTS: i64 = 3;

/// Directory of a job's served files.
pub(crate) fn job_dir(data_dir: &Path, job_id: i64) -> PathBuf {
    data_dir.join("jobs").join(job_id.to_string())
}

/// Directory of a job's archived files.
pub(crate) fn archive_dir(data_dir: &Path, job_id: i64) -> PathBuf {
    data_dir.join("archive").join(job_id.to_string())
}

/// On-disk path of a served file (`<name>.gz`).
pub(crate) fn stored_path(data_dir: &Path, job_id: i64, name: &str) -> PathBuf {
    job_dir(data_dir, job_id).join(format!("{name}.gz"))
}

/// Remove `*.tmp` files left by a killed process: all of them (SQLite: this node is the only
/// writer), or only those older than `min_age` (a shared directory, where other nodes' workers
/// are writing theirs right now).
pub(crate) fn remove_stale_temp_files(data_dir: &Path, min_age: Option<Duration>) {
    let Ok(jobs) = std::fs::read_dir(data_dir.join("jobs")) else {
        return;
    };
    let old_enough = |f: &std::fs::DirEntry| match min_age {
        None => true,
        Some(age) => f
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|e| e >= age),
    };
    for job in jobs.flatten() {
        let Ok(files) = std::fs::read_dir(job.path()) else {
            continue;
        };
        for f in files.flatten() {
            if f.file_name().to_string_lossy().ends_with(".tmp") && old_enough(&f) {
                let _ = std::fs::remove_file(f.path());
            }
        }
    }
}

/// A worker's identity in the queue: unique per process and task.
pub(crate) fn worker_name(id: usize) -> String {
    format!(
        "{}-{}-{id}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// Run one worker until shutdown.
pub(crate) async fn run(state: Arc<AppState>, id: usize, mut shutdown: watch::Receiver<bool>) {
    let owner = worker_name(id);
    let lease_us = state.config.lease.as_micros() as i64;
    loop {
        if *shutdown.borrow() {
            return;
        }
        match state.store.claim_subjob(&owner, lease_us).await {
            Ok(Some(sub)) => process(&state, sub, &shutdown).await,
            Ok(None) => {
                tokio::select! {
                    _ = state.work_ready.notified() => {}
                    _ = tokio::time::sleep(state.config.queue_poll) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(e) => {
                tracing::error!(worker = id, error = %e, "claiming a sub-job failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Renew a claim's lease every third of its length until aborted or the claim is lost.
fn keep_lease(state: &Arc<AppState>, sub: &SubJob) -> AbortOnDrop {
    let (state, sub) = (state.clone(), sub.clone());
    let lease = state.config.lease;
    AbortOnDrop(tokio::spawn(async move {
        loop {
            tokio::time::sleep(lease / 3).await;
            match state
                .store
                .renew_lease(&sub, lease.as_micros() as i64)
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(job = sub.job_id, subjob = sub.id, "lease lost");
                    return;
                }
                Err(e) => tracing::warn!(subjob = sub.id, error = %e, "renewing a lease failed"),
            }
        }
    }))
}

/// Aborts the task when dropped (the lease renewal stops with the sub-job's handling).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Write a sub-job's file, then record it: at once, or (job pacing) from a task that waits
/// for the sub-job's release time without holding this worker. The lease is renewed all along.
/// A stop during the wait leaves the sub-job `running`: SQLite re-queues it on the next start,
/// PostgreSQL lets another worker claim it when the lease expires; nothing is lost.
async fn process(state: &Arc<AppState>, sub: SubJob, shutdown: &watch::Receiver<bool>) {
    let lease = keep_lease(state, &sub);
    let file = match write(state, &sub).await {
        Ok(file) => file,
        Err(e) => return failed(state, sub, e.to_string()).await,
    };
    let wait_us = sub.not_before_us - now_us();
    if wait_us <= 0 {
        record(state, sub, file).await;
        drop(lease);
        return;
    }
    let (state, mut shutdown) = (state.clone(), shutdown.clone());
    tokio::spawn(async move {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_micros(wait_us as u64)) => {
                record(&state, sub, file).await;
            }
            _ = shutdown.changed() => {}
        }
        drop(lease);
    });
}

/// The job and ACO of recently claimed sub-jobs: what a sub-job's file depends on (the API
/// version and the ACO's data) never changes, so a worker reads them once per job.
#[derive(Default)]
pub(crate) struct JobCache(std::sync::Mutex<HashMap<i64, Arc<(JobRow, AcoRow)>>>);

impl JobCache {
    /// Jobs kept at most (the map is cleared past it).
    const MAX: usize = 1024;

    async fn get(
        &self,
        state: &AppState,
        job_id: i64,
    ) -> Result<Arc<(JobRow, AcoRow)>, ServerError> {
        if let Some(hit) = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&job_id)
        {
            return Ok(hit.clone());
        }
        let job = state
            .store
            .job(job_id)
            .await?
            .ok_or_else(|| ServerError::NotFound(format!("job {job_id}")))?;
        let aco = state
            .store
            .aco_by_id(job.aco_id)
            .await?
            .ok_or_else(|| ServerError::NotFound(format!("ACO {}", job.aco_id)))?;
        let entry = Arc::new((job, aco));
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= Self::MAX {
            map.clear();
        }
        map.insert(job_id, entry.clone());
        Ok(entry)
    }
}

/// Load the sub-job's job and ACO, then generate its file on a blocking thread.
async fn write(state: &Arc<AppState>, sub: &SubJob) -> Result<Option<JobFile>, ServerError> {
    let entry = state.job_cache.get(state, sub.job_id).await?;
    let (st, sub) = (state.clone(), sub.clone());
    tokio::task::spawn_blocking(move || write_subjob(&st, &sub, &entry.0, &entry.1))
        .await
        .map_err(|e| ServerError::Task(e.to_string()))?
}

/// Record a written sub-job (its file deleted if the job was cancelled meanwhile).
async fn record(state: &Arc<AppState>, sub: SubJob, file: Option<JobFile>) {
    let retention_us = state.config.retention.as_micros() as i64;
    match state
        .store
        .finish_subjob(&sub, file.as_ref(), retention_us)
        .await
    {
        Ok(FinishOutcome::JobCompleted) => tracing::info!(job = sub.job_id, "job completed"),
        Ok(FinishOutcome::JobInactive) => {
            if let Some(f) = &file {
                let _ = std::fs::remove_file(stored_path(
                    &state.config.data_dir,
                    sub.job_id,
                    &f.file_name,
                ));
            }
        }
        Ok(FinishOutcome::LeaseLost) => {
            // Another worker holds the sub-job now and writes the same file: leave it.
            tracing::warn!(
                job = sub.job_id,
                subjob = sub.id,
                "lease lost before recording"
            );
        }
        Ok(FinishOutcome::Recorded) => {}
        Err(e) => failed(state, sub, e.to_string()).await,
    }
}

/// A failed attempt: back to the queue, or the job fails after [`MAX_ATTEMPTS`].
async fn failed(state: &Arc<AppState>, sub: SubJob, err: String) {
    tracing::warn!(job = sub.job_id, subjob = sub.id, attempt = sub.attempts, error = %err, "sub-job failed");
    if let Err(e) = state.store.fail_subjob(&sub, MAX_ATTEMPTS).await {
        tracing::error!(subjob = sub.id, error = %e, "recording a failed attempt failed");
    }
}

/// Counts bytes written through it.
struct Counting<W: Write> {
    inner: W,
    count: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Generate one sub-job's file: temp file, gzip, fsync, rename. `None` when it has no lines.
fn write_subjob(
    state: &AppState,
    sub: &SubJob,
    job: &JobRow,
    aco: &AcoRow,
) -> Result<Option<JobFile>, ServerError> {
    let dir = job_dir(&state.config.data_dir, sub.job_id);
    std::fs::create_dir_all(&dir).map_err(|e| ServerError::io(&dir, e))?;
    let final_path = stored_path(&state.config.data_dir, sub.job_id, &sub.file_name);
    let tmp_path = dir.join(format!(".{}.{}.tmp", sub.file_name, sub.attempts));

    let file = std::fs::File::create(&tmp_path).map_err(|e| ServerError::io(&tmp_path, e))?;
    let gz = GzEncoder::new(
        BufWriter::with_capacity(256 * 1024, file),
        Compression::new(state.config.gzip_level.min(9)),
    );
    let mut counting = Counting {
        inner: BufWriter::with_capacity(64 * 1024, gz),
        count: 0,
    };
    let filter = bcda_synth::Filter {
        since_unix: sub.since_unix,
        until_unix: sub.until_unix,
        ..bcda_synth::Filter::default()
    };
    let lines = source::generator(aco)
        .with_scale(state.config.scale)
        .write_ndjson_styled(
            source::fhir_of(job.api_version),
            source::kind_of(sub.resource),
            &sub.benes,
            &filter,
            state.config.output_style,
            &mut counting,
        )
        .map_err(|e| ServerError::Synth(e.to_string()))?;
    let raw = counting.count;
    let gz = counting
        .inner
        .into_inner()
        .map_err(|e| ServerError::io(&tmp_path, e.into_error()))?;
    let buf = gz.finish().map_err(|e| ServerError::io(&tmp_path, e))?;
    let file = buf
        .into_inner()
        .map_err(|e| ServerError::io(&tmp_path, e.into_error()))?;
    if lines == 0 {
        drop(file);
        let _ = std::fs::remove_file(&tmp_path);
        return Ok(None);
    }
    file.sync_all().map_err(|e| ServerError::io(&tmp_path, e))?;
    let size_gz = file
        .metadata()
        .map_err(|e| ServerError::io(&tmp_path, e))?
        .len();
    drop(file);
    std::fs::rename(&tmp_path, &final_path).map_err(|e| ServerError::io(&final_path, e))?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(Some(JobFile {
        resource: sub.resource.as_str().to_string(),
        file_name: sub.file_name.clone(),
        is_error: false,
        lines: lines as i64,
        size_gz: size_gz as i64,
        size_raw: raw as i64,
    }))
}
