//! Retention: completed jobs' files move to the archive when they expire and are deleted one
//! retention period later; failed and cancelled jobs expire after the same period.

use std::path::Path;
use std::sync::Arc;

use bcda_protocol::JobStatus;
use tokio::sync::watch;

use crate::store::{now_us, DueColumn};
use crate::worker::{archive_dir, job_dir};
use crate::{AppState, ServerError};

/// Run the cleanup loop until shutdown.
pub(crate) async fn run(state: Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    loop {
        match sweep_locked(&state).await {
            Ok(Some(n)) if n > 0 => tracing::info!(jobs = n, "retention cleanup"),
            Ok(None) => tracing::debug!("retention cleanup: another node holds the lock"),
            Err(e) => tracing::error!(error = %e, "retention cleanup failed"),
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

/// One pass under the store's sweep lock (one node at a time on a shared database); `None`
/// when another node holds it.
pub(crate) async fn sweep_locked(state: &AppState) -> Result<Option<usize>, ServerError> {
    let Some(lock) = state.store.try_sweep_lock().await? else {
        return Ok(None);
    };
    let result = sweep(state).await;
    lock.release().await;
    result.map(Some)
}

/// Run a file system step on a blocking thread.
async fn fs<F>(f: F) -> Result<(), ServerError>
where
    F: FnOnce() -> Result<(), ServerError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServerError::Task(e.to_string()))?
}

/// Move a directory, creating the target's parent.
fn move_dir(from: &Path, to: &Path) -> Result<(), ServerError> {
    if from.exists() {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ServerError::io(parent, e))?;
        }
        std::fs::rename(from, to).map_err(|e| ServerError::io(from, e))?;
    }
    Ok(())
}

/// Remove a directory if it exists.
fn remove_dir(dir: &Path) -> Result<(), ServerError> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| ServerError::io(dir, e))?;
    }
    Ok(())
}

/// One cleanup pass; returns how many jobs changed state.
pub(crate) async fn sweep(state: &AppState) -> Result<usize, ServerError> {
    let store = &state.store;
    let data = state.config.data_dir.clone();
    let now = now_us();
    let retention = state.config.retention.as_micros() as i64;
    let mut changed = 0;
    let due = store
        .jobs_due(JobStatus::Completed, DueColumn::Expires, now)
        .await?;
    for id in due {
        let (from, to) = (job_dir(&data, id), archive_dir(&data, id));
        fs(move || move_dir(&from, &to)).await?;
        changed += usize::from(
            store
                .transition(id, JobStatus::Completed, JobStatus::Archived)
                .await?,
        );
    }
    // Archived: updated_us is the archive time.
    let due = store
        .jobs_due(JobStatus::Archived, DueColumn::Updated, now - retention)
        .await?;
    for id in due {
        let dir = archive_dir(&data, id);
        fs(move || remove_dir(&dir)).await?;
        changed += usize::from(
            store
                .transition(id, JobStatus::Archived, JobStatus::Expired)
                .await?,
        );
    }
    for (from, to) in [
        (JobStatus::Failed, JobStatus::FailedExpired),
        (JobStatus::Cancelled, JobStatus::CancelledExpired),
    ] {
        for id in store
            .jobs_due(from, DueColumn::Updated, now - retention)
            .await?
        {
            let dir = job_dir(&data, id);
            fs(move || remove_dir(&dir)).await?;
            changed += usize::from(store.transition(id, from, to).await?);
        }
    }
    Ok(changed)
}
