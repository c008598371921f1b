//! Building a Tuva table row by row into Arrow batches of the table's exact schema.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Date32Builder, Float64Builder, Int32Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::SchemaRef;

use crate::schema::{schema, TuvaType};

/// Rows per output batch (one Parquet row group each).
pub const BATCH_ROWS: usize = 65_536;

/// One output value. The variant must match the column's [`TuvaType`].
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// Null.
    Null,
    /// `varchar`.
    Str(String),
    /// `integer`.
    Int(i32),
    /// `date`: days since 1970-01-01.
    Date(i32),
    /// `float` / `number`.
    Float(f64),
    /// `boolean`.
    Bool(bool),
    /// `timestamp`: microseconds since the epoch, UTC.
    Timestamp(i64),
}

impl Val {
    /// A text value, or null.
    pub fn text(s: Option<&str>) -> Val {
        s.map_or(Val::Null, |s| Val::Str(s.to_string()))
    }
}

/// A column's Arrow builder.
enum Col {
    Str(StringBuilder),
    Int(Int32Builder),
    Date(Date32Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Ts(TimestampMicrosecondBuilder),
}

impl Col {
    fn new(ty: TuvaType) -> Col {
        match ty {
            TuvaType::Varchar => Col::Str(StringBuilder::new()),
            TuvaType::Integer => Col::Int(Int32Builder::new()),
            TuvaType::Date => Col::Date(Date32Builder::new()),
            TuvaType::Float => Col::Float(Float64Builder::new()),
            TuvaType::Boolean => Col::Bool(BooleanBuilder::new()),
            TuvaType::Timestamp => {
                Col::Ts(TimestampMicrosecondBuilder::new().with_timezone("+00:00"))
            }
        }
    }

    /// Appends `v`; a value of another type than the column's is a bug in the mapping.
    fn push(&mut self, v: &Val, name: &str) {
        match (self, v) {
            (Col::Str(b), Val::Str(s)) => b.append_value(s),
            (Col::Int(b), Val::Int(i)) => b.append_value(*i),
            (Col::Date(b), Val::Date(d)) => b.append_value(*d),
            (Col::Float(b), Val::Float(f)) => b.append_value(*f),
            (Col::Bool(b), Val::Bool(x)) => b.append_value(*x),
            (Col::Ts(b), Val::Timestamp(t)) => b.append_value(*t),
            (c, Val::Null) => c.push_null(),
            (_, v) => panic!("column {name}: value {v:?} of the wrong type"),
        }
    }

    fn push_null(&mut self) {
        match self {
            Col::Str(b) => b.append_null(),
            Col::Int(b) => b.append_null(),
            Col::Date(b) => b.append_null(),
            Col::Float(b) => b.append_null(),
            Col::Bool(b) => b.append_null(),
            Col::Ts(b) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Col::Str(b) => Arc::new(b.finish()),
            Col::Int(b) => Arc::new(b.finish()),
            Col::Date(b) => Arc::new(b.finish()),
            Col::Float(b) => Arc::new(b.finish()),
            Col::Bool(b) => Arc::new(b.finish()),
            Col::Ts(b) => ArrayBuilder::finish(b),
        }
    }
}

/// A table under construction: rows are set by column name, appended, and cut into batches of
/// [`BATCH_ROWS`].
pub struct TableBuilder {
    columns: &'static [(&'static str, TuvaType)],
    index: Arc<HashMap<&'static str, usize>>,
    schema: SchemaRef,
    builders: Vec<Col>,
    pending: usize,
    batches: Vec<RecordBatch>,
}

impl TableBuilder {
    /// A builder for the table with these columns.
    pub fn new(columns: &'static [(&'static str, TuvaType)]) -> TableBuilder {
        TableBuilder {
            columns,
            index: Arc::new(columns.iter().enumerate().map(|(i, c)| (c.0, i)).collect()),
            schema: schema(columns),
            builders: columns.iter().map(|c| Col::new(c.1)).collect(),
            pending: 0,
            batches: Vec::new(),
        }
    }

    /// An empty row of this table (all null).
    pub fn row(&self) -> Row {
        Row {
            index: self.index.clone(),
            values: vec![Val::Null; self.columns.len()],
        }
    }

    /// Appends a row.
    pub fn push(&mut self, row: Row) {
        for (i, v) in row.values.iter().enumerate() {
            self.builders[i].push(v, self.columns[i].0);
        }
        self.pending += 1;
        if self.pending >= BATCH_ROWS {
            self.cut();
        }
    }

    fn cut(&mut self) {
        if self.pending == 0 {
            return;
        }
        let arrays = self.builders.iter_mut().map(Col::finish).collect();
        let batch =
            RecordBatch::try_new(self.schema.clone(), arrays).expect("builders follow the schema");
        self.batches.push(batch);
        self.pending = 0;
    }

    /// The batches (at least one, possibly empty, so that the schema is always there).
    pub fn finish(mut self) -> Table {
        self.cut();
        if self.batches.is_empty() {
            self.batches
                .push(RecordBatch::new_empty(self.schema.clone()));
        }
        Table {
            schema: self.schema,
            batches: self.batches,
        }
    }
}

/// One row being filled.
pub struct Row {
    index: Arc<HashMap<&'static str, usize>>,
    values: Vec<Val>,
}

impl Row {
    /// Sets column `name` (which must exist in the table).
    pub fn set(&mut self, name: &str, v: Val) -> &mut Self {
        let i = *self
            .index
            .get(name)
            .unwrap_or_else(|| panic!("no column {name}"));
        self.values[i] = v;
        self
    }

    /// The value of column `name`.
    pub fn get(&self, name: &str) -> &Val {
        &self.values[self.index[name]]
    }
}

/// A finished table: its schema and batches.
#[derive(Debug, Clone)]
pub struct Table {
    /// The exact Tuva schema.
    pub schema: SchemaRef,
    /// The rows.
    pub batches: Vec<RecordBatch>,
}

impl Table {
    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }
}
