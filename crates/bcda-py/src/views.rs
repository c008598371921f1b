//! Resolving the `view` argument (ViewDefinition JSON text, a built-in name, or a file path)
//! into the views a run evaluates, and the cancellation switch that Ctrl-C flips.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use arrow_pyarrow::PyArrowType;
use arrow_schema::Schema;
use bcda_ndjson::FhirVersion;
use bcda_view::batch::ArrowOptions;
use bcda_view::pipeline::LineError;
use bcda_view::{builtin, Cell, Column, LineViews, VersionedViews, View, ViewSet};
use pyo3::prelude::*;

use crate::ViewError;

/// The views of one run, shareable with the engine's threads.
pub(crate) type SharedViews = Arc<dyn LineViews + Send + Sync>;

/// Loads `spec`: JSON text when it starts with `{`, else a built-in view name, else a file
/// holding a ViewDefinition. Errors name the JSON path inside the view.
pub(crate) fn resolve(spec: &str) -> PyResult<SharedViews> {
    let trimmed = spec.trim_start();
    if trimmed.starts_with('{') {
        return from_json(trimmed, "view");
    }
    if builtin::NAMES.contains(&spec) {
        return builtin_views(spec);
    }
    match std::fs::read_to_string(spec) {
        Ok(text) => from_json(&text, spec),
        Err(e) => Err(ViewError::new_err(format!(
            "view {spec:?} is not ViewDefinition JSON, not a built-in view ({}), and not a \
             readable file: {e}",
            builtin::NAMES.join(", ")
        ))),
    }
}

/// Built-in view `name` in both FHIR versions (a file's version picks one).
fn builtin_views(name: &str) -> PyResult<SharedViews> {
    let load = |version| match builtin::load(name, version) {
        Some(Ok(view)) => Ok(ViewSet::new(vec![view])),
        Some(Err(e)) => Err(ViewError::new_err(format!("built-in view {name}: {e}"))),
        None => Err(ViewError::new_err(format!("no built-in view {name}"))),
    };
    let views = VersionedViews::new(load(FhirVersion::R4)?, load(FhirVersion::Stu3)?)
        .map_err(|e| ViewError::new_err(e.to_string()))?;
    Ok(Arc::new(views))
}

/// One view from JSON text; `origin` prefixes the message (`view` or the file path).
fn from_json(text: &str, origin: &str) -> PyResult<SharedViews> {
    let view = View::from_json(text).map_err(|e| ViewError::new_err(format!("{origin}: {e}")))?;
    Ok(Arc::new(ViewSet::new(vec![view])))
}

/// The Arrow options every run of the package uses (the engine's defaults).
pub(crate) fn arrow_options() -> ArrowOptions {
    ArrowOptions::default()
}

/// The Arrow schema of the rows of `view` (JSON text, built-in name or path).
#[pyfunction]
pub(crate) fn view_schema(view: &str) -> PyResult<PyArrowType<Schema>> {
    let views = resolve(view)?;
    let schema = bcda_view::pipeline::schemas(views.as_ref(), &arrow_options())
        .into_iter()
        .next()
        .ok_or_else(|| ViewError::new_err("the view set is empty"))?;
    Ok(PyArrowType(schema.as_ref().clone()))
}

/// The names of the built-in views.
#[pyfunction]
pub(crate) fn builtin_names() -> Vec<&'static str> {
    builtin::NAMES.to_vec()
}

/// Views that stop evaluating once cancelled: the engine then runs through the rest of its
/// input without work per line, so an interrupted run ends quickly.
pub(crate) struct Cancellable {
    /// The views.
    pub(crate) inner: SharedViews,
    /// Set on Ctrl-C or when the Python side drops the stream.
    pub(crate) cancel: Arc<AtomicBool>,
}

impl LineViews for Cancellable {
    fn len(&self) -> usize {
        self.inner.len()
    }

    fn columns(&self, view: usize) -> &[Column] {
        self.inner.columns(view)
    }

    fn name(&self, view: usize) -> String {
        self.inner.name(view)
    }

    fn resource_type(&self, view: usize) -> &str {
        self.inner.resource_type(view)
    }

    fn eval_line(
        &self,
        line: &str,
        version: Option<FhirVersion>,
        sink: &mut dyn FnMut(usize, &[Cell<'_>]),
    ) -> Result<usize, LineError> {
        if self.cancel.load(Ordering::Relaxed) {
            return Ok(0);
        }
        self.inner.eval_line(line, version, sink)
    }
}
