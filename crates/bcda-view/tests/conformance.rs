//! The SQL on FHIR v2 conformance suite (`../shared/sql-on-fhir/tests/*.json`): runs every
//! case, writes `test_report.json` (the spec's format) into the target directory, and fails
//! when a case listed in `tests/conformance_passing.txt` fails.
//!
//! A case passes by the reference runner's rule: rows compared as an unordered multiset, each
//! row's keys exactly, arrays element by element, scalars by value; `expectError` passes when
//! the view is rejected at load or at run; `expectColumns` lists the column names in order.
//! `BCDA_VIEW_UPDATE_PASSING=1` rewrites the list from this run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bcda_view::{Cell, Value, View};
use serde_json::{json, Map, Value as Json};

fn suite_dir() -> PathBuf {
    let shared = std::env::var_os("BCDA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = shared.join("sql-on-fhir/tests");
    assert!(
        dir.is_dir(),
        "the conformance suite needs the shared reference material: set BCDA_SHARED or place it at {} (missing {})",
        shared.display(),
        dir.display()
    );
    dir
}

fn value_json(v: &Value<'_>) -> Json {
    match v {
        Value::Bool(b) => json!(b),
        Value::Integer(i) => json!(i),
        Value::Decimal(d) => d
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| json!(d.as_ref()), Json::Number),
        Value::String(s) => json!(s.as_ref()),
    }
}

fn cell_json(c: &Cell<'_>) -> Json {
    match c {
        Cell::Null => Json::Null,
        Cell::One(v) => value_json(v),
        Cell::Many(vs) => Json::Array(vs.iter().map(value_json).collect()),
    }
}

/// Scalars by value (numbers numerically), arrays element by element, objects by key.
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Runs the view on every resource: the rows as JSON objects, or the error.
fn run(view: &View, resources: &[Json]) -> Result<Vec<Json>, String> {
    let names: Vec<String> = view.columns().iter().map(|c| c.name.clone()).collect();
    let mut rows = Vec::new();
    for r in resources {
        let mut sink = |cells: &[Cell<'_>]| {
            let row: Map<String, Json> = names
                .iter()
                .cloned()
                .zip(cells.iter().map(cell_json))
                .collect();
            rows.push(Json::Object(row));
        };
        view.eval_value(r, &mut sink).map_err(|e| e.to_string())?;
    }
    Ok(rows)
}

/// Whether one case passes, with a reason when it does not.
fn check(case: &Json, resources: &[Json]) -> Result<(), String> {
    let expect_error = case["expectError"].as_bool() == Some(true);
    let outcome = View::from_value(&case["view"])
        .map_err(|e| e.to_string())
        .and_then(|v| run(&v, resources).map(|rows| (v, rows)));
    let (view, rows) = match (outcome, expect_error) {
        (Err(_), true) => return Ok(()),
        (Err(e), false) => return Err(format!("unexpected error: {e}")),
        (Ok(_), true) => return Err("expected an error, the view ran".to_string()),
        (Ok(ok), false) => ok,
    };
    if let Some(cols) = case.get("expectColumns") {
        let got: Vec<Json> = view.columns().iter().map(|c| json!(c.name)).collect();
        if &Json::Array(got.clone()) != cols {
            return Err(format!("columns {got:?}, expected {cols}"));
        }
    }
    if let Some(Json::Array(expected)) = case.get("expect") {
        let mut left = rows.clone();
        for e in expected {
            match left.iter().position(|r| same(r, e)) {
                Some(i) => drop(left.remove(i)),
                None => {
                    return Err(format!(
                        "expected row {e} not found in {}",
                        Json::Array(rows)
                    ))
                }
            }
        }
        if !left.is_empty() {
            return Err(format!("unexpected rows {}", Json::Array(left)));
        }
    }
    Ok(())
}

fn passing_list() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance_passing.txt")
}

#[test]
fn sql_on_fhir_conformance_suite() {
    let dir = suite_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read the suite directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 22, "the suite has 22 files");
    let mut report = Map::new();
    let mut results: BTreeMap<String, Result<(), String>> = BTreeMap::new();
    let (mut total, mut shareable, mut shareable_passed) = (0, 0, 0);
    for path in &files {
        let file: Json =
            serde_json::from_str(&std::fs::read_to_string(path).expect("read a suite file"))
                .expect("a suite file is JSON");
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let resources = file["resources"].as_array().cloned().unwrap_or_default();
        let mut tests = Vec::new();
        for case in file["tests"].as_array().expect("tests") {
            let title = case["title"].as_str().expect("title");
            let r = check(case, &resources);
            total += 1;
            if case["tags"]
                .as_array()
                .is_some_and(|t| t.contains(&json!("shareable")))
            {
                shareable += 1;
                shareable_passed += usize::from(r.is_ok());
            }
            tests.push(json!({"name": title, "result": {"passed": r.is_ok()}}));
            results.insert(format!("{name}: {title}"), r);
        }
        report.insert(name, json!({ "tests": tests }));
    }
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_path_buf();
    let report_path = target.join("test_report.json");
    std::fs::write(
        &report_path,
        serde_json::to_string_pretty(&Json::Object(report)).unwrap(),
    )
    .expect("write test_report.json");
    let passed: Vec<&String> = results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(k, _)| k)
        .collect();
    println!(
        "conformance: {} of {total} cases pass ({shareable_passed} of {shareable} shareable); report at {}",
        passed.len(),
        report_path.display()
    );
    for (k, r) in &results {
        if let Err(e) = r {
            println!("FAIL {k}: {e}");
        }
    }
    if std::env::var_os("BCDA_VIEW_UPDATE_PASSING").is_some() {
        let text: String = passed.iter().map(|k| format!("{k}\n")).collect();
        std::fs::write(passing_list(), text).expect("write the passing list");
        return;
    }
    let listed =
        std::fs::read_to_string(passing_list()).expect("read tests/conformance_passing.txt");
    let regressions: Vec<String> = listed
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter(|l| !matches!(results.get(*l), Some(Ok(()))))
        .map(|l| match results.get(l) {
            Some(Err(e)) => format!("{l}: {e}"),
            _ => format!("{l}: no such case in the suite"),
        })
        .collect();
    assert!(
        regressions.is_empty(),
        "cases on the passing list fail:\n{}",
        regressions.join("\n")
    );
}

/// The runner itself rejects a wrong row, a missing row, an extra row and a wrong column list.
#[test]
fn runner_rejects_wrong_results() {
    let resources = vec![
        json!({"resourceType": "Patient", "id": "p1"}),
        json!({"resourceType": "Patient", "id": "p2"}),
    ];
    let view =
        json!({"resource": "Patient", "select": [{"column": [{"name": "id", "path": "id"}]}]});
    let case = |expect: Json| json!({"view": view, "expect": expect});
    assert!(check(&case(json!([{"id": "p1"}, {"id": "p2"}])), &resources).is_ok());
    assert!(check(&case(json!([{"id": "p1"}, {"id": "p3"}])), &resources).is_err());
    assert!(check(&case(json!([{"id": "p1"}])), &resources).is_err());
    assert!(check(
        &case(json!([{"id": "p1"}, {"id": "p2"}, {"id": "p2"}])),
        &resources
    )
    .is_err());
    assert!(check(
        &case(json!([{"id": "p1", "x": null}, {"id": "p2"}])),
        &resources
    )
    .is_err());
    assert!(check(&json!({"view": view, "expectColumns": ["ID"]}), &resources).is_err());
    assert!(check(&json!({"view": view, "expectError": true}), &resources).is_err());
}
