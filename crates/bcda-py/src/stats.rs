//! `bcda stats` as JSON (schema `bcda-stats/1`), and the JSON report of a view run.

use bcda_ndjson::stats::{Stats, StatsConfig};
use bcda_ndjson::{render, Config, Engine, Inputs, Issue};
use bcda_view::RunSummary;
use pyo3::prelude::*;
use serde_json::{json, Value};

use crate::InputError;

/// `bcda stats PATHS --format json --top TOP`: the report's JSON text. The GIL is released
/// while the engine runs.
#[pyfunction]
#[pyo3(signature = (paths, top=10, threads=None))]
pub(crate) fn stats_json(
    py: Python<'_>,
    paths: Vec<String>,
    top: usize,
    threads: Option<usize>,
) -> PyResult<String> {
    let inputs = Inputs::discover(&paths).map_err(|e| InputError::new_err(e.to_string()))?;
    let engine = Engine::new(Config {
        threads: threads.unwrap_or(0),
        ..Config::default()
    })
    .map_err(|e| InputError::new_err(format!("cannot start the engine: {e}")))?;
    let stats = Stats {
        config: StatsConfig {
            top_n: top,
            ..StatsConfig::default()
        },
    };
    Ok(py.detach(|| render::to_json(&stats.run(&engine, &inputs, None))))
}

/// One issue as JSON, with its `file:line:column: ...` text as `bcda stats` prints it.
fn issue_json(i: &Issue) -> Value {
    json!({
        "file": i.file.display().to_string(),
        "line": i.line,
        "column": i.column,
        "severity": i.severity.as_str(),
        "kind": i.kind.as_str(),
        "json_path": i.json_path,
        "message": i.message,
        "text": i.to_string(),
    })
}

/// The report of a view run: rows, line counters, issues (bad lines are reported here, not
/// raised).
pub(crate) fn summary_json(s: &RunSummary) -> String {
    let t = s.totals();
    let counts: serde_json::Map<String, Value> = s
        .issue_counts
        .iter()
        .map(|(k, n)| (k.as_str().to_string(), json!(n)))
        .collect();
    json!({
        "rows": s.rows.iter().sum::<u64>(),
        "files": s.files.len(),
        "bytes": t.bytes,
        "lines": t.lines,
        "records": t.records,
        "bad_lines": t.bad_lines,
        "errors": s.error_count(),
        "issue_counts": counts,
        "issues": s.issues.iter().map(issue_json).collect::<Vec<_>>(),
    })
    .to_string()
}
