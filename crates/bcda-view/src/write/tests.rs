//! Tests of the writers: each format round-trips a batch with decimals, lists and nulls, and
//! nothing is left behind when a file is not finished.

use std::borrow::Cow;
use std::fs::File;

use arrow_array::cast::AsArray;
use arrow_array::types::Decimal128Type;
use arrow_array::RecordBatch;
use arrow_schema::DataType;

use super::*;
use crate::batch::{rows_to_batch, schema, ArrowOptions};
use crate::value::{Cell, Column, ColumnType, Value};

fn columns() -> Vec<Column> {
    let col = |name: &str, ty, collection| Column {
        name: name.into(),
        ty,
        collection,
    };
    vec![
        col("id", ColumnType::String, false),
        col("paid", ColumnType::Decimal, false),
        col("codes", ColumnType::String, true),
        col("units", ColumnType::Integer, false),
    ]
}

fn batch() -> RecordBatch {
    let s = |x: &'static str| Value::String(Cow::Borrowed(x));
    let rows = vec![
        vec![
            Cell::One(s("a,\"1\"")),
            Cell::One(Value::Decimal("12.5".into())),
            Cell::Many(vec![s("x"), s("y\"")]),
            Cell::One(Value::Integer(2)),
        ],
        vec![
            Cell::One(s("b")),
            Cell::Null,
            Cell::Many(vec![]),
            Cell::Null,
        ],
    ];
    rows_to_batch(&columns(), &rows, &ArrowOptions::default()).unwrap()
}

/// Writes `batch()` twice in `format` and returns the final path.
fn write(dir: &Path, format: OutputFormat) -> PathBuf {
    let b = batch();
    let path = dir.join(format!("out.{}", format.extension()));
    let (mut out, enc) =
        OutputFile::create(&path, format, &b.schema(), &WriteOptions::default()).unwrap();
    for _ in 0..2 {
        out.write(enc.encode(b.clone()).unwrap()).unwrap();
    }
    assert!(!path.exists(), "the final name appears only at the end");
    assert_eq!(out.finish().unwrap(), path);
    assert_eq!(
        std::fs::read_dir(dir).unwrap().count(),
        1,
        "no temporary left"
    );
    path
}

fn check_read_back(batches: &[RecordBatch]) {
    let want = batch();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 4);
    for b in batches {
        assert_eq!(b.schema(), want.schema());
    }
    let first = &batches[0];
    assert_eq!(
        first.column(1).as_primitive::<Decimal128Type>().value(0),
        12_500_000
    );
    assert!(matches!(
        first.schema().field(2).data_type(),
        DataType::List(_)
    ));
    assert_eq!(first.column(0).as_string::<i32>().value(0), "a,\"1\"");
    let list = first.column(2).as_list::<i32>();
    assert_eq!(list.value(0).as_string::<i32>().value(1), "y\"");
    assert_eq!(list.value_length(1), 0);
}

#[test]
fn parquet_round_trips_decimals_and_lists() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), OutputFormat::Parquet);
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        File::open(&path).unwrap(),
    )
    .unwrap();
    assert_eq!(reader.metadata().num_row_groups(), 2);
    let batches: Vec<_> = reader.build().unwrap().map(Result::unwrap).collect();
    check_read_back(&batches);
}

#[test]
fn arrow_ipc_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), OutputFormat::Arrow);
    let reader = arrow_ipc::reader::FileReader::try_new(File::open(&path).unwrap(), None).unwrap();
    let batches: Vec<_> = reader.map(Result::unwrap).collect();
    check_read_back(&batches);
}

#[test]
fn csv_quotes_per_rfc_4180_and_writes_lists_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), OutputFormat::Csv);
    let text = std::fs::read_to_string(path).unwrap();
    let row1 = "\"a,\"\"1\"\"\",12.500000,\"[\"\"x\"\",\"\"y\\\"\"\"\"]\",2\n";
    let row2 = "b,,[],\n";
    assert_eq!(
        text,
        format!("id,paid,codes,units\n{row1}{row2}{row1}{row2}")
    );
}

#[test]
fn ndjson_writes_decimals_as_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), OutputFormat::Ndjson);
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0],
        r#"{"id":"a,\"1\"","paid":12.500000,"codes":["x","y\""],"units":2}"#
    );
    assert_eq!(lines[1], r#"{"id":"b","codes":[]}"#);
}

#[test]
fn an_unfinished_file_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.parquet");
    let b = batch();
    let (mut out, enc) = OutputFile::create(
        &path,
        OutputFormat::Parquet,
        &b.schema(),
        &WriteOptions::default(),
    )
    .unwrap();
    out.write(enc.encode(b).unwrap()).unwrap();
    assert!(temp_path(&path).exists());
    drop(out);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn an_unwritable_directory_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("v.csv");
    let s = schema(&columns(), &ArrowOptions::default());
    let err = OutputFile::create(&path, OutputFormat::Csv, &s, &WriteOptions::default())
        .err()
        .unwrap();
    let msg = err.to_string();
    assert!(msg.starts_with(&path.display().to_string()), "{msg}");
    assert!(msg.contains("No such file"), "{msg}");
}

#[test]
fn formats_parse_by_name() {
    assert_eq!(OutputFormat::parse("parquet"), Some(OutputFormat::Parquet));
    assert_eq!(OutputFormat::parse("ipc"), Some(OutputFormat::Arrow));
    assert_eq!(OutputFormat::parse("xlsx"), None);
}
