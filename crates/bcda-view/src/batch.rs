//! Rows to Arrow: a view's rows become [`RecordBatch`]es of bounded size.
//!
//! Column types follow the view ([`Column`]):
//!
//! | view type | Arrow type |
//! |---|---|
//! | `string`, `code`, `id`, `uri`, ..., unknown | `Utf8` |
//! | `boolean` | `Boolean` |
//! | `integer` (`positiveInt`, `unsignedInt`) | `Int32` |
//! | `integer64` | `Int64` |
//! | `decimal` | `Decimal128(38, scale)`, exact (see below) |
//! | `date`, `dateTime`, `instant`, `time` | `Utf8` (partial dates are legal FHIR) |
//! | `collection: true` | `List` of the above |
//!
//! **Decimals are exact, never floats.** A FHIR decimal keeps its source text
//! ([`Value::Decimal`]); it is stored as a `Decimal128(38, scale)` with a fixed scale for the
//! whole run ([`DEFAULT_DECIMAL_SCALE`] = 6 unless configured). A value with more significant
//! fractional digits than the scale, or more than 38 digits in all, is an error (the line is
//! reported and skipped), never rounded.
//!
//! Building happens in two steps so a line that fails half-way leaves nothing behind: the
//! rows of one line are first converted into a [`Staged`] buffer (this is where type errors
//! are found), and only a line that converted completely is appended to the [`BatchBuilder`]s.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Decimal128Builder, Int32Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, ListArray, RecordBatch};
use arrow_buffer::{NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, FieldRef, Schema, SchemaRef};

use crate::value::{Cell, Column, ColumnType, Value};

/// The decimal scale used when none is configured: six fractional digits.
pub const DEFAULT_DECIMAL_SCALE: i8 = 6;

/// The precision of every decimal column (the maximum of `Decimal128`).
pub const DECIMAL_PRECISION: u8 = 38;

/// Default number of rows in a batch (and so in a Parquet row group).
pub const DEFAULT_BATCH_ROWS: usize = 1 << 16;

/// A value that does not fit its column's Arrow type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column `{column}`: {message}")]
pub struct ConvertError {
    /// The column name.
    pub column: String,
    /// What went wrong.
    pub message: String,
}

/// How rows are typed in Arrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArrowOptions {
    /// Scale of every `Decimal128(38, scale)` column (0..=38).
    pub decimal_scale: i8,
    /// Rows per batch.
    pub batch_rows: usize,
}

impl Default for ArrowOptions {
    fn default() -> Self {
        ArrowOptions {
            decimal_scale: DEFAULT_DECIMAL_SCALE,
            batch_rows: DEFAULT_BATCH_ROWS,
        }
    }
}

/// The Arrow type of one (non-list) value of a column.
fn leaf_type(ty: ColumnType, scale: i8) -> DataType {
    match ty {
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::Integer => DataType::Int32,
        ColumnType::Integer64 => DataType::Int64,
        ColumnType::Decimal => DataType::Decimal128(DECIMAL_PRECISION, scale),
        ColumnType::String
        | ColumnType::Date
        | ColumnType::DateTime
        | ColumnType::Instant
        | ColumnType::Time
        | ColumnType::Unknown => DataType::Utf8,
    }
}

/// The Arrow field of a column.
pub fn field(column: &Column, options: &ArrowOptions) -> Field {
    let leaf = leaf_type(column.ty, options.decimal_scale);
    let ty = if column.collection {
        DataType::List(Arc::new(Field::new_list_field(leaf, true)))
    } else {
        leaf
    };
    Field::new(&column.name, ty, true)
}

/// The Arrow schema of a view's columns.
pub fn schema(columns: &[Column], options: &ArrowOptions) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| field(c, options))
            .collect::<Vec<_>>(),
    ))
}

/// One converted value, typed for its column; text lives in [`Staged::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Null,
    Bool(bool),
    Int(i64),
    Dec(i128),
    /// A byte range of [`Staged::text`].
    Text(u32, u32),
    /// A range of [`Staged::items`] (a list cell).
    List(u32, u32),
}

/// The converted rows of one line, for one or more views, before they are committed.
#[derive(Debug, Default)]
pub struct Staged {
    /// Per view: its rows' slots, one per column, row after row.
    rows: Vec<Vec<Slot>>,
    /// The values of list cells.
    items: Vec<Slot>,
    /// The text of string cells.
    text: String,
}

impl Staged {
    /// An empty buffer for `views` views.
    pub fn new(views: usize) -> Self {
        Staged {
            rows: vec![Vec::new(); views],
            ..Staged::default()
        }
    }

    /// Forgets every staged row (the buffers keep their capacity).
    pub fn clear(&mut self) {
        for r in &mut self.rows {
            r.clear();
        }
        self.items.clear();
        self.text.clear();
    }

    /// `true` when nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.rows.iter().all(Vec::is_empty)
    }

    /// Converts one row of view `view` (whose columns are `columns`) and stages it.
    /// On error nothing of this row is kept.
    pub fn push_row(
        &mut self,
        view: usize,
        columns: &[Column],
        cells: &[Cell<'_>],
        scale: i8,
    ) -> Result<(), ConvertError> {
        let (rows_len, items_len, text_len) =
            (self.rows[view].len(), self.items.len(), self.text.len());
        let result = self.convert_row(view, columns, cells, scale);
        if result.is_err() {
            self.rows[view].truncate(rows_len);
            self.items.truncate(items_len);
            self.text.truncate(text_len);
        }
        result
    }

    fn convert_row(
        &mut self,
        view: usize,
        columns: &[Column],
        cells: &[Cell<'_>],
        scale: i8,
    ) -> Result<(), ConvertError> {
        if cells.len() != columns.len() {
            return Err(ConvertError {
                column: String::new(),
                message: format!("{} cells for {} columns", cells.len(), columns.len()),
            });
        }
        for (col, cell) in columns.iter().zip(cells) {
            let err = |message: String| ConvertError {
                column: col.name.clone(),
                message,
            };
            let slot = match cell {
                Cell::Null => Slot::Null,
                Cell::One(v) if col.collection => {
                    let start = self.items.len() as u32;
                    let s = self.slot(col.ty, v, scale).map_err(err)?;
                    self.items.push(s);
                    Slot::List(start, start + 1)
                }
                Cell::One(v) => self.slot(col.ty, v, scale).map_err(err)?,
                Cell::Many(vs) if col.collection => {
                    let start = self.items.len() as u32;
                    for v in vs {
                        let s = self.slot(col.ty, v, scale).map_err(err)?;
                        self.items.push(s);
                    }
                    Slot::List(start, self.items.len() as u32)
                }
                Cell::Many(vs) if vs.is_empty() => Slot::Null,
                Cell::Many(vs) if vs.len() == 1 => self.slot(col.ty, &vs[0], scale).map_err(err)?,
                Cell::Many(vs) => {
                    return Err(err(format!(
                        "{} values for a column without `collection: true`",
                        vs.len()
                    )))
                }
            };
            self.rows[view].push(slot);
        }
        Ok(())
    }

    /// Converts one value for a column of type `ty`.
    fn slot(&mut self, ty: ColumnType, v: &Value<'_>, scale: i8) -> Result<Slot, String> {
        Ok(match (ty, v) {
            (ColumnType::Boolean, Value::Bool(b)) => Slot::Bool(*b),
            (ColumnType::Integer, Value::Integer(i)) => {
                i32::try_from(*i).map_err(|_| format!("integer {i} does not fit 32 bits"))?;
                Slot::Int(*i)
            }
            (ColumnType::Integer64, Value::Integer(i)) => Slot::Int(*i),
            (ColumnType::Decimal, Value::Decimal(s)) => Slot::Dec(parse_decimal(s, scale)?),
            (ColumnType::Decimal, Value::Integer(i)) => {
                Slot::Dec(parse_decimal(&i.to_string(), scale)?)
            }
            (
                ColumnType::Boolean
                | ColumnType::Integer
                | ColumnType::Integer64
                | ColumnType::Decimal,
                v,
            ) => return Err(format!("{} value where {ty:?} was declared", value_kind(v))),
            (_, v) => self.text_slot(v),
        })
    }

    fn text_slot(&mut self, v: &Value<'_>) -> Slot {
        use std::fmt::Write;
        let start = self.text.len() as u32;
        match v {
            Value::Bool(b) => self.text.push_str(if *b { "true" } else { "false" }),
            Value::Integer(i) => {
                let _ = write!(self.text, "{i}");
            }
            Value::Decimal(s) | Value::String(s) => self.text.push_str(s),
        }
        Slot::Text(start, self.text.len() as u32)
    }
}

fn value_kind(v: &Value<'_>) -> &'static str {
    match v {
        Value::Bool(_) => "a boolean",
        Value::Integer(_) => "an integer",
        Value::Decimal(_) => "a decimal",
        Value::String(_) => "a string",
    }
}

/// Parses a FHIR decimal (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`) exactly into an
/// integer scaled by `10^scale`. Digits that do not fit the scale must be zeros, and the
/// result must fit 38 digits; otherwise an error says why.
pub fn parse_decimal(text: &str, scale: i8) -> Result<i128, String> {
    let bad = || format!("{text:?} is not a decimal");
    let (neg, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i32>().map_err(|_| bad())?),
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if mantissa.ends_with('.') {
        return Err(bad());
    }
    // value = digits * 10^(exp - frac.len()); we want value * 10^scale.
    let shift = i64::from(exp) - frac.len() as i64 + i64::from(scale);
    let all: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
    let too_big = || format!("{text} does not fit Decimal128({DECIMAL_PRECISION}, {scale})");
    let drop = usize::try_from(-shift).unwrap_or(0);
    let keep = all.len().saturating_sub(drop);
    if all[keep..].iter().any(|&b| b != b'0') {
        return Err(format!(
            "{text} has more fractional digits than the scale {scale} (exact decimals are never rounded)"
        ));
    }
    let mut acc: i128 = 0;
    for &b in &all[..keep] {
        acc = acc
            .checked_mul(10)
            .and_then(|a| a.checked_add(i128::from(b - b'0')))
            .ok_or_else(too_big)?;
    }
    for _ in 0..shift.max(0) {
        acc = acc.checked_mul(10).ok_or_else(too_big)?;
    }
    if acc >= 10i128.pow(u32::from(DECIMAL_PRECISION)) {
        return Err(too_big());
    }
    Ok(if neg { -acc } else { acc })
}

/// One leaf (non-list) Arrow builder.
enum Leaf {
    Str(StringBuilder),
    Bool(BooleanBuilder),
    I32(Int32Builder),
    I64(Int64Builder),
    Dec(Decimal128Builder),
}

impl Leaf {
    fn new(ty: &DataType) -> Leaf {
        match ty {
            DataType::Boolean => Leaf::Bool(BooleanBuilder::new()),
            DataType::Int32 => Leaf::I32(Int32Builder::new()),
            DataType::Int64 => Leaf::I64(Int64Builder::new()),
            DataType::Decimal128(..) => {
                Leaf::Dec(Decimal128Builder::new().with_data_type(ty.clone()))
            }
            _ => Leaf::Str(StringBuilder::new()),
        }
    }

    /// Appends a slot converted for this leaf's type (see [`Staged::slot`]).
    fn append(&mut self, slot: Slot, text: &str) {
        match (self, slot) {
            (Leaf::Str(b), Slot::Null) => b.append_null(),
            (Leaf::Bool(b), Slot::Null) => b.append_null(),
            (Leaf::I32(b), Slot::Null) => b.append_null(),
            (Leaf::I64(b), Slot::Null) => b.append_null(),
            (Leaf::Dec(b), Slot::Null) => b.append_null(),
            (Leaf::Str(b), Slot::Text(s, e)) => b.append_value(&text[s as usize..e as usize]),
            (Leaf::Bool(b), Slot::Bool(v)) => b.append_value(v),
            // Range-checked when staged.
            (Leaf::I32(b), Slot::Int(v)) => b.append_value(v as i32),
            (Leaf::I64(b), Slot::Int(v)) => b.append_value(v),
            (Leaf::Dec(b), Slot::Dec(v)) => b.append_value(v),
            (leaf, slot) => {
                unreachable!("slot {slot:?} staged for another type than {}", leaf.name())
            }
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Leaf::Str(_) => "Utf8",
            Leaf::Bool(_) => "Boolean",
            Leaf::I32(_) => "Int32",
            Leaf::I64(_) => "Int64",
            Leaf::Dec(_) => "Decimal128",
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Leaf::Str(b) => Arc::new(b.finish()),
            Leaf::Bool(b) => Arc::new(b.finish()),
            Leaf::I32(b) => Arc::new(b.finish()),
            Leaf::I64(b) => Arc::new(b.finish()),
            Leaf::Dec(b) => Arc::new(b.finish()),
        }
    }
}

/// The builder of one column: a leaf, plus offsets and validity for a list column.
struct ColumnBuilder {
    leaf: Leaf,
    /// `Some` for a list column: its item field, offsets and validity.
    list: Option<(FieldRef, Vec<i32>, NullBufferBuilder)>,
}

impl ColumnBuilder {
    fn new(field: &Field) -> ColumnBuilder {
        match field.data_type() {
            DataType::List(item) => ColumnBuilder {
                leaf: Leaf::new(item.data_type()),
                list: Some((item.clone(), vec![0], NullBufferBuilder::new(0))),
            },
            ty => ColumnBuilder {
                leaf: Leaf::new(ty),
                list: None,
            },
        }
    }

    fn append(&mut self, slot: Slot, staged: &Staged) {
        match (&mut self.list, slot) {
            (None, slot) => self.leaf.append(slot, &staged.text),
            (Some((_, offsets, nulls)), Slot::List(s, e)) => {
                for &item in &staged.items[s as usize..e as usize] {
                    self.leaf.append(item, &staged.text);
                }
                let last = *offsets.last().unwrap_or(&0);
                offsets.push(last + (e - s) as i32);
                nulls.append_non_null();
            }
            (Some((_, offsets, nulls)), _) => {
                offsets.push(*offsets.last().unwrap_or(&0));
                nulls.append_null();
            }
        }
    }

    fn finish(&mut self) -> ArrayRef {
        let values = self.leaf.finish();
        match &mut self.list {
            None => values,
            Some((item, offsets, nulls)) => {
                let offsets =
                    OffsetBuffer::new(ScalarBuffer::from(std::mem::replace(offsets, vec![0])));
                Arc::new(ListArray::new(
                    item.clone(),
                    offsets,
                    values,
                    nulls.finish(),
                ))
            }
        }
    }
}

/// Accumulates one view's rows into [`RecordBatch`]es.
pub struct BatchBuilder {
    schema: SchemaRef,
    columns: Vec<ColumnBuilder>,
    rows: usize,
}

impl BatchBuilder {
    /// A builder for batches of `schema` (from [`schema`]).
    pub fn new(schema: SchemaRef) -> BatchBuilder {
        let columns = schema
            .fields()
            .iter()
            .map(|f| ColumnBuilder::new(f))
            .collect();
        BatchBuilder {
            schema,
            columns,
            rows: 0,
        }
    }

    /// The schema of the batches.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Rows appended since the last [`Self::finish`].
    pub fn len(&self) -> usize {
        self.rows
    }

    /// `true` when no row is pending.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Appends the rows `staged` holds for view `view`.
    pub fn append_staged(&mut self, staged: &Staged, view: usize) {
        let n = self.columns.len();
        if n == 0 {
            return;
        }
        for row in staged.rows[view].chunks_exact(n) {
            for (col, &slot) in self.columns.iter_mut().zip(row) {
                col.append(slot, staged);
            }
            self.rows += 1;
        }
    }

    /// The pending rows as a batch (the builder starts empty again).
    pub fn finish(&mut self) -> RecordBatch {
        let arrays: Vec<ArrayRef> = self.columns.iter_mut().map(ColumnBuilder::finish).collect();
        let rows = std::mem::take(&mut self.rows);
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
        RecordBatch::try_new_with_options(self.schema.clone(), arrays, &options)
            .expect("columns built for this schema")
    }
}

/// Converts rows to one batch in one call (tests and small inputs).
pub fn rows_to_batch(
    columns: &[Column],
    rows: &[Vec<Cell<'_>>],
    options: &ArrowOptions,
) -> Result<RecordBatch, ConvertError> {
    let mut staged = Staged::new(1);
    for row in rows {
        staged.push_row(0, columns, row, options.decimal_scale)?;
    }
    let mut b = BatchBuilder::new(schema(columns, options));
    b.append_staged(&staged, 0);
    Ok(b.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Decimal128Type, Int32Type};
    use arrow_array::Array;
    use std::borrow::Cow;

    fn col(name: &str, ty: ColumnType, collection: bool) -> Column {
        Column {
            name: name.into(),
            ty,
            collection,
        }
    }

    #[test]
    fn decimals_are_exact_or_rejected() {
        assert_eq!(parse_decimal("50.00", 2), Ok(5000));
        assert_eq!(parse_decimal("-1.5", 6), Ok(-1_500_000));
        assert_eq!(parse_decimal("0", 6), Ok(0));
        assert_eq!(parse_decimal("1.5e2", 0), Ok(150));
        assert_eq!(parse_decimal("1.20", 1), Ok(12));
        assert_eq!(parse_decimal("12E-1", 1), Ok(12));
        assert!(parse_decimal("1.25", 1)
            .unwrap_err()
            .contains("never rounded"));
        assert!(parse_decimal("0.001", 2).is_err());
        assert!(parse_decimal("abc", 2)
            .unwrap_err()
            .contains("not a decimal"));
        assert!(parse_decimal("1.", 2).is_err());
        assert!(parse_decimal(&"9".repeat(37), 6)
            .unwrap_err()
            .contains("does not fit"));
    }

    #[test]
    fn typed_columns_and_lists() {
        let cols = vec![
            col("id", ColumnType::String, false),
            col("n", ColumnType::Integer, false),
            col("amount", ColumnType::Decimal, false),
            col("codes", ColumnType::String, true),
            col("flag", ColumnType::Boolean, false),
        ];
        let s = |x: &'static str| Value::String(Cow::Borrowed(x));
        let rows = vec![
            vec![
                Cell::One(s("a")),
                Cell::One(Value::Integer(3)),
                Cell::One(Value::Decimal("12.34".into())),
                Cell::Many(vec![s("x"), s("y")]),
                Cell::One(Value::Bool(true)),
            ],
            vec![Cell::Null, Cell::Null, Cell::Null, Cell::Null, Cell::Null],
        ];
        let b = rows_to_batch(&cols, &rows, &ArrowOptions::default()).unwrap();
        assert_eq!(b.num_rows(), 2);
        assert_eq!(
            b.schema().field(2).data_type(),
            &DataType::Decimal128(38, DEFAULT_DECIMAL_SCALE)
        );
        let dec = b.column(2).as_primitive::<Decimal128Type>();
        assert_eq!(dec.value(0), 12_340_000);
        assert!(dec.is_null(1));
        assert_eq!(b.column(1).as_primitive::<Int32Type>().value(0), 3);
        let list = b.column(3).as_list::<i32>();
        assert_eq!(list.value_length(0), 2);
        assert!(list.is_null(1));
        assert_eq!(list.value(0).as_string::<i32>().value(1), "y");
        assert!(b.column(4).as_boolean().value(0));
    }

    #[test]
    fn bad_values_name_the_column_and_leave_nothing() {
        let cols = vec![
            col("id", ColumnType::String, false),
            col("n", ColumnType::Integer, false),
        ];
        let mut st = Staged::new(1);
        let err = st
            .push_row(
                0,
                &cols,
                &[
                    Cell::One(Value::String("a".into())),
                    Cell::One(Value::Integer(1 << 40)),
                ],
                2,
            )
            .unwrap_err();
        assert_eq!(err.column, "n");
        assert!(err.message.contains("32 bits"), "{err}");
        assert!(st.is_empty());
        assert!(st.text.is_empty());
        let err = st
            .push_row(
                0,
                &cols,
                &[
                    Cell::Many(vec![Value::String("a".into()), Value::String("b".into())]),
                    Cell::Null,
                ],
                2,
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "column `id`: 2 values for a column without `collection: true`"
        );
        let err = st
            .push_row(0, &cols, &[Cell::Null, Cell::One(Value::Bool(true))], 2)
            .unwrap_err();
        assert!(err.message.contains("a boolean value"), "{err}");
    }

    #[test]
    fn batches_restart_empty() {
        let cols = vec![col("id", ColumnType::String, false)];
        let mut st = Staged::new(1);
        st.push_row(0, &cols, &[Cell::One(Value::String("a".into()))], 2)
            .unwrap();
        let mut b = BatchBuilder::new(schema(&cols, &ArrowOptions::default()));
        b.append_staged(&st, 0);
        b.append_staged(&st, 0);
        assert_eq!(b.finish().num_rows(), 2);
        assert!(b.is_empty());
        assert_eq!(b.finish().num_rows(), 0);
    }
}
