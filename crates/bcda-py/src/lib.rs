//! # bcda-py: the `bcda` Python package's native module (`bcda._bcda`)
//!
//! PyO3 bindings over the workspace's engine: SQL on FHIR views streamed as Arrow record
//! batches through the Arrow C data interface (no copy, no JSON round trip), `bcda stats`
//! as JSON, and the input discovery and byte-range splitting that `bcda.spark` distributes.
//! The Python-facing API (docstrings, type stubs) lives in `python/bcda/`; this module is
//! its private engine room.
//!
//! While the engine runs the GIL is released; a stream's `next_batch` waits in short slices
//! and checks Python's signals between them, so Ctrl-C interrupts a long run (the engine
//! then skips the rest of its input without evaluating it).

mod error;
mod inputs;
mod stats;
mod stream;
mod views;

use pyo3::prelude::*;

pub use error::{InputError, ViewError};

/// The native module `bcda._bcda`.
#[pymodule]
fn _bcda(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ViewError", py.get_type::<ViewError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add_class::<stream::ViewStream>()?;
    m.add_function(wrap_pyfunction!(stream::open_view, m)?)?;
    m.add_function(wrap_pyfunction!(views::view_schema, m)?)?;
    m.add_function(wrap_pyfunction!(views::builtin_names, m)?)?;
    m.add_function(wrap_pyfunction!(inputs::split_ranges, m)?)?;
    m.add_function(wrap_pyfunction!(stats::stats_json, m)?)?;
    Ok(())
}
