//! Retention: completed jobs' files move to the archive when they expire and are deleted one
//! retention period later; failed and cancelled jobs expire after the same period.

use std::sync::Arc;

use bcda_protocol::JobStatus;
use tokio::sync::watch;

use crate::store::now_us;
use crate::worker::{archive_dir, job_dir};
use crate::{AppState, ServerError};

/// Run the cleanup loop until shutdown.
pub(crate) async fn run(state: Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let st = state.clone();
        match tokio::task::spawn_blocking(move || sweep(&st)).await {
            Ok(Ok(n)) if n > 0 => tracing::info!(jobs = n, "retention cleanup"),
            Ok(Err(e)) => tracing::error!(error = %e, "retention cleanup failed"),
            _ => {}
        }
        tokio::select! {
            _ = tokio::time::sleep(state.config.cleanup_interval) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// One cleanup pass; returns how many jobs changed state.
pub(crate) fn sweep(state: &AppState) -> Result<usize, ServerError> {
    let store = &state.store;
    let data = &state.config.data_dir;
    let now = now_us();
    let retention = state.config.retention.as_micros() as i64;
    let mut changed = 0;
    for id in store.jobs_due(JobStatus::Completed, "expires_us", now)? {
        let from = job_dir(data, id);
        let to = archive_dir(data, id);
        if from.exists() {
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| ServerError::io(parent, e))?;
            }
            std::fs::rename(&from, &to).map_err(|e| ServerError::io(&from, e))?;
        }
        changed += usize::from(store.transition(id, JobStatus::Completed, JobStatus::Archived)?);
    }
    // Archived: updated_us is the archive time.
    for id in store.jobs_due(JobStatus::Archived, "updated_us", now - retention)? {
        let dir = archive_dir(data, id);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| ServerError::io(&dir, e))?;
        }
        changed += usize::from(store.transition(id, JobStatus::Archived, JobStatus::Expired)?);
    }
    for (from, to) in [
        (JobStatus::Failed, JobStatus::FailedExpired),
        (JobStatus::Cancelled, JobStatus::CancelledExpired),
    ] {
        for id in store.jobs_due(from, "updated_us", now - retention)? {
            let dir = job_dir(data, id);
            if dir.exists() {
                std::fs::remove_dir_all(&dir).map_err(|e| ServerError::io(&dir, e))?;
            }
            changed += usize::from(store.transition(id, from, to)?);
        }
    }
    Ok(changed)
}
