//! A view run as a stream of Arrow record batches: the engine runs on a thread of its own and
//! hands batches over a bounded channel (memory stays bounded: at most a few batches wait),
//! Python pulls them one at a time with the GIL released while it waits.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use arrow_array::RecordBatch;
use arrow_pyarrow::PyArrowType;
use arrow_schema::Schema;
use bcda_ndjson::{Config, Engine};
use bcda_view::{RunError, RunOptions, RunSummary};
use pyo3::prelude::*;

use crate::inputs::{PathSpec, RunInputs};
use crate::views::{arrow_options, resolve, Cancellable};
use crate::{InputError, ViewError};

/// Batches that may wait in the channel: bounds the memory of a slow consumer.
const QUEUE: usize = 4;
/// How long a wait lasts before Python's signals are checked again.
const POLL: Duration = Duration::from_millis(50);

/// What the engine thread sends.
enum Msg {
    Batch(RecordBatch),
    Done(Result<RunSummary, RunError>),
}

/// A running view: `next_batch()` until it returns `None`, then `report_json()`.
#[pyclass(module = "bcda._bcda")]
pub(crate) struct ViewStream {
    schema: Schema,
    rx: Mutex<Option<Receiver<Msg>>>,
    cancel: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<RunInputs>>>,
    report: Mutex<Option<String>>,
}

/// Starts running `view` (JSON text, built-in name or path) over `paths`.
#[pyfunction]
#[pyo3(signature = (view, paths, threads=None))]
pub(crate) fn open_view(
    view: &str,
    paths: Vec<PathSpec>,
    threads: Option<usize>,
) -> PyResult<ViewStream> {
    let views = resolve(view)?;
    let inputs = RunInputs::open(&paths)?;
    let engine = Engine::new(Config {
        threads: threads.unwrap_or(0),
        ..Config::default()
    })
    .map_err(|e| InputError::new_err(format!("cannot start the engine: {e}")))?;
    let options = RunOptions {
        arrow: arrow_options(),
        ..RunOptions::default()
    };
    let schema = bcda_view::pipeline::schemas(views.as_ref(), &options.arrow)[0]
        .as_ref()
        .clone();
    let cancel = Arc::new(AtomicBool::new(false));
    let views = Cancellable {
        inner: views,
        cancel: cancel.clone(),
    };
    let (tx, rx) = sync_channel(QUEUE);
    let thread = std::thread::Builder::new()
        .name("bcda-view".into())
        .spawn(move || {
            let done = bcda_view::run_to_batches(
                &engine,
                &inputs.inputs,
                &views,
                &options,
                None,
                |_, b| {
                    let _ = tx.send(Msg::Batch(b));
                },
            );
            let _ = tx.send(Msg::Done(done));
            inputs
        })
        .map_err(|e| InputError::new_err(format!("cannot start the engine thread: {e}")))?;
    Ok(ViewStream {
        schema,
        rx: Mutex::new(Some(rx)),
        cancel,
        thread: Mutex::new(Some(thread)),
        report: Mutex::new(None),
    })
}

#[pymethods]
impl ViewStream {
    /// The Arrow schema of the batches.
    #[getter]
    fn schema(&self) -> PyArrowType<Schema> {
        PyArrowType(self.schema.clone())
    }

    /// The next batch (a `pyarrow.RecordBatch`, exported without copy), or `None` at the end.
    /// Raises `KeyboardInterrupt` on Ctrl-C (the run is then cancelled).
    fn next_batch(&self, py: Python<'_>) -> PyResult<Option<PyArrowType<RecordBatch>>> {
        let mut guard = self
            .rx
            .lock()
            .map_err(|_| ViewError::new_err("stream poisoned"))?;
        loop {
            // The receiver moves into the GIL-free closure and back (it is Send, not Sync).
            let Some(rx) = guard.take() else {
                return Ok(None);
            };
            let (rx, got) = py.detach(move || {
                let got = rx.recv_timeout(POLL);
                (rx, got)
            });
            *guard = Some(rx);
            match got {
                Ok(Msg::Batch(b)) => return Ok(Some(PyArrowType(b))),
                Ok(Msg::Done(done)) => {
                    *guard = None;
                    drop(guard);
                    return self.finish(py, done).map(|()| None);
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(e) = py.check_signals() {
                        self.cancel.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    *guard = None;
                    return Err(ViewError::new_err("the engine thread stopped unexpectedly"));
                }
            }
        }
    }

    /// The run's report as JSON once the stream has ended (`None` before).
    fn report_json(&self) -> Option<String> {
        self.report.lock().ok().and_then(|r| r.clone())
    }

    /// Stops the run: the engine skips the rest of its input.
    fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

impl ViewStream {
    /// Joins the engine thread and keeps the report (issues pointed at original files).
    fn finish(&self, py: Python<'_>, done: Result<RunSummary, RunError>) -> PyResult<()> {
        let handle = self.thread.lock().ok().and_then(|mut t| t.take());
        let inputs = match handle.map(|h| py.detach(|| h.join())) {
            Some(Ok(inputs)) => Some(inputs),
            Some(Err(_)) => return Err(ViewError::new_err("the engine thread panicked")),
            None => None,
        };
        let mut summary = done.map_err(|e| ViewError::new_err(e.to_string()))?;
        if let Some(inputs) = &inputs {
            for issue in &mut summary.issues {
                inputs.locate(issue);
            }
        }
        let json = crate::stats::summary_json(&summary);
        if let Ok(mut r) = self.report.lock() {
            *r = Some(json);
        }
        Ok(())
    }
}

impl Drop for ViewStream {
    fn drop(&mut self) {
        // A stream dropped before its end: stop the engine and let its thread drain.
        self.cancel.store(true, Ordering::Relaxed);
        if let Ok(mut rx) = self.rx.lock() {
            rx.take();
        }
    }
}
