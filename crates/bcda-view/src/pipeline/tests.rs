//! Tests of the run machinery with a small stand-in evaluator (serde_json, two views), so
//! that the engine integration is tested independently of FHIRPath.

use std::borrow::Cow;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use bcda_ndjson::{Config, Engine};

use super::*;
use crate::value::{ColumnType, Value};

/// View 0 `ids`: Patient `id` and `n` (integer). View 1 `tags`: Patient `tags` (a list).
struct TwoViews {
    cols: Vec<Vec<Column>>,
}

impl TwoViews {
    fn new() -> Self {
        let col = |name: &str, ty, collection| Column {
            name: name.into(),
            ty,
            collection,
        };
        TwoViews {
            cols: vec![
                vec![
                    col("id", ColumnType::String, false),
                    col("n", ColumnType::Integer, false),
                ],
                vec![col("tags", ColumnType::String, true)],
            ],
        }
    }
}

impl LineViews for TwoViews {
    fn len(&self) -> usize {
        2
    }
    fn columns(&self, view: usize) -> &[Column] {
        &self.cols[view]
    }
    fn name(&self, view: usize) -> String {
        ["ids", "tags"][view].into()
    }
    fn resource_type(&self, _view: usize) -> &str {
        "Patient"
    }
    fn eval_line(
        &self,
        line: &str,
        _version: Option<FhirVersion>,
        sink: &mut dyn FnMut(usize, &[Cell<'_>]),
    ) -> Result<usize, LineError> {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| LineError {
            kind: IssueKind::InvalidJson,
            offset: Some(e.column().saturating_sub(1)),
            json_path: None,
            message: e.to_string(),
        })?;
        let id = v["id"]
            .as_str()
            .map(|s| Value::String(Cow::Owned(s.into())));
        let n = v["n"].as_i64().map(Value::Integer);
        let one = |x: Option<Value<'static>>| x.map_or(Cell::Null, Cell::One);
        sink(0, &[one(id), one(n)]);
        let tags = v["tags"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str())
                    .map(|s| Value::String(Cow::Owned(s.into())))
                    .collect()
            })
            .unwrap_or_default();
        sink(1, &[Cell::Many(tags)]);
        Ok(2)
    }
}

/// 1,000 good lines, then a bad JSON line (1,001) and an `n` too big for Int32 (1,002).
fn input(dir: &Path) -> Inputs {
    let mut text = String::new();
    for i in 0..1000 {
        text.push_str(&format!(
            "{{\"resourceType\":\"Patient\",\"id\":\"p{i}\",\"n\":{i},\"tags\":[\"a\",\"b{i}\"]}}\n"
        ));
    }
    text.push_str("{\"resourceType\":\"Patient\",\"id\":\n");
    text.push_str("{\"resourceType\":\"Patient\",\"id\":\"big\",\"n\":99999999999}\n");
    let path = dir.join("Patient.ndjson");
    std::fs::write(&path, text).unwrap();
    Inputs::discover(&[path]).unwrap()
}

fn engine(threads: usize) -> Engine {
    Engine::new(Config {
        threads,
        chunk_bytes: 4096,
        ..Config::default()
    })
    .unwrap()
}

fn options() -> RunOptions {
    let mut o = RunOptions::default();
    o.arrow.batch_rows = 64;
    o
}

#[test]
fn batches_hold_every_good_row_once_and_bad_lines_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = input(dir.path());
    for threads in [1, 2] {
        let mut ns = Vec::new();
        let mut tags = 0;
        let summary = run_to_batches(
            &engine(threads),
            &inputs,
            &TwoViews::new(),
            &options(),
            None,
            |v, b| {
                assert!(b.num_rows() <= 64);
                if v == 0 {
                    ns.extend(
                        b.column(1)
                            .as_primitive::<Int32Type>()
                            .values()
                            .iter()
                            .copied(),
                    );
                } else {
                    tags += b.column(0).as_list::<i32>().values().len();
                }
            },
        )
        .unwrap();
        ns.sort_unstable();
        assert_eq!(ns, (0..1000).collect::<Vec<i32>>(), "threads {threads}");
        assert_eq!(tags, 2000);
        assert_eq!(summary.rows, vec![1000, 1000]);
        assert_eq!(summary.totals().bad_lines, 2);
        assert_eq!(summary.error_count(), 2);
        let lines: Vec<(u64, IssueKind)> =
            summary.issues.iter().map(|i| (i.line, i.kind)).collect();
        assert_eq!(
            lines,
            vec![
                (1001, IssueKind::InvalidJson),
                (1002, IssueKind::InvalidValue)
            ]
        );
        let big = &summary.issues[1].message;
        assert_eq!(
            big,
            "view ids: column `n`: integer 99999999999 does not fit 32 bits"
        );
    }
}

#[test]
fn files_are_written_whole_and_renamed() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = input(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let paths = vec![
        output_path(&out, "ids", OutputFormat::Parquet),
        output_path(&out, "tags", OutputFormat::Parquet),
    ];
    let s = run_to_files(
        &engine(2),
        &inputs,
        &TwoViews::new(),
        &paths,
        OutputFormat::Parquet,
        &options(),
        None,
    )
    .unwrap();
    assert_eq!(s.outputs, paths);
    let meta =
        parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&paths[0]).unwrap())
            .unwrap();
    use parquet::file::reader::FileReader;
    assert_eq!(meta.metadata().file_metadata().num_rows(), 1000);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2);
}

#[test]
fn a_failing_output_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = input(dir.path());
    let paths = vec![
        dir.path().join("ids.csv"),
        dir.path().join("no-such-dir").join("tags.csv"),
    ];
    let err = run_to_files(
        &engine(1),
        &inputs,
        &TwoViews::new(),
        &paths,
        OutputFormat::Csv,
        &options(),
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("no-such-dir"), "{err}");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("Patient.ndjson")]);
}

#[test]
fn files_of_other_resource_types_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    input(dir.path());
    std::fs::write(
        dir.path().join("Coverage.ndjson"),
        "{\"resourceType\":\"Coverage\",\"id\":\"c\"}\n",
    )
    .unwrap();
    let all = Inputs::discover(&[dir.path()]).unwrap();
    assert_eq!(all.files.len(), 2);
    let kept = relevant_inputs(&all, &TwoViews::new());
    assert_eq!(kept.files.len(), 1);
    assert!(kept.files[0].path.ends_with("Patient.ndjson"));
}

#[test]
fn paths_must_match_views() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = input(dir.path());
    let err = run_to_files(
        &engine(1),
        &inputs,
        &TwoViews::new(),
        &[dir.path().join("a.csv")],
        OutputFormat::Csv,
        &options(),
        None,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "1 output paths for 2 views");
}
