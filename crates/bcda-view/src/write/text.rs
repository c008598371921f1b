//! CSV (RFC 4180, the `csv` crate) and NDJSON (`arrow-json`) encodings of a batch.
//!
//! CSV has no lists: a `collection: true` cell is written as a JSON array (`["a","b"]`),
//! which DuckDB, pandas and Spark parse back with their JSON functions. A null cell is an
//! empty field.

use std::fmt::Write as _;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ListArray, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{ArrowError, DataType, Schema};

use super::WriteError;

fn csv_err(path: &Path, source: csv::Error) -> WriteError {
    WriteError::Csv {
        path: path.to_path_buf(),
        source,
    }
}

fn arrow_err(path: &Path, source: ArrowError) -> WriteError {
    WriteError::Arrow {
        path: path.to_path_buf(),
        source,
    }
}

/// The header line: the column names.
pub(super) fn csv_header(schema: &Schema, path: &Path) -> Result<Vec<u8>, WriteError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(schema.fields().iter().map(|f| f.name().as_str()))
        .map_err(|e| csv_err(path, e))?;
    w.into_inner()
        .map_err(|e| csv_err(path, e.into_error().into()))
}

/// How one column is turned into CSV fields.
enum Cells<'a> {
    Scalar(&'a dyn Array, ArrayFormatter<'a>),
    List {
        list: &'a ListArray,
        items: ArrayFormatter<'a>,
        quote: bool,
    },
}

impl<'a> Cells<'a> {
    fn new(array: &'a dyn Array, options: &FormatOptions<'a>) -> Result<Cells<'a>, ArrowError> {
        Ok(match array.data_type() {
            DataType::List(item) => {
                let list = array.as_list::<i32>();
                Cells::List {
                    list,
                    items: ArrayFormatter::try_new(list.values().as_ref(), options)?,
                    quote: matches!(item.data_type(), DataType::Utf8),
                }
            }
            _ => Cells::Scalar(array, ArrayFormatter::try_new(array, options)?),
        })
    }

    /// Writes row `row`'s cell text into `out` (left empty for a null).
    fn write(&self, row: usize, out: &mut String) -> Result<(), ArrowError> {
        match self {
            Cells::Scalar(array, f) => {
                if array.is_valid(row) {
                    f.value(row).write(out)?;
                }
            }
            Cells::List { list, items, quote } => {
                if list.is_null(row) {
                    return Ok(());
                }
                let offsets = list.value_offsets();
                let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
                let values = list.values();
                out.push('[');
                for i in start..end {
                    if i > start {
                        out.push(',');
                    }
                    if values.is_null(i) {
                        out.push_str("null");
                    } else if *quote {
                        let s = values.as_string::<i32>().value(i);
                        let _ = write!(out, "{}", serde_json::Value::from(s));
                    } else {
                        items.value(i).write(out)?;
                    }
                }
                out.push(']');
            }
        }
        Ok(())
    }
}

/// The batch's rows as CSV records (no header).
pub(super) fn csv_rows(batch: &RecordBatch, path: &Path) -> Result<Vec<u8>, WriteError> {
    let options = FormatOptions::default();
    let cols = batch
        .columns()
        .iter()
        .map(|a| Cells::new(a.as_ref(), &options))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| arrow_err(path, e))?;
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::with_capacity(batch.num_rows() * 64));
    let mut field = String::new();
    for row in 0..batch.num_rows() {
        for c in &cols {
            field.clear();
            c.write(row, &mut field).map_err(|e| arrow_err(path, e))?;
            w.write_field(&field).map_err(|e| csv_err(path, e))?;
        }
        w.write_record(None::<&[u8]>)
            .map_err(|e| csv_err(path, e))?;
    }
    w.into_inner()
        .map_err(|e| csv_err(path, e.into_error().into()))
}

/// The batch's rows as NDJSON (decimals as JSON numbers, lists as arrays, nulls left out).
pub(super) fn ndjson_rows(batch: &RecordBatch) -> Result<Vec<u8>, ArrowError> {
    let mut w = arrow_json::LineDelimitedWriter::new(Vec::with_capacity(batch.num_rows() * 96));
    w.write(batch)?;
    w.finish()?;
    Ok(w.into_inner())
}
