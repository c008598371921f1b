//! The row model: what a view's evaluation produces and its output consumes.
//!
//! Evaluation ([`crate::View`]) calls a [`RowSink`] once per row with one [`Cell`] per column,
//! in the order of [`crate::View::columns`]. Values borrow from the NDJSON line where they can.

use std::borrow::Cow;

/// A column of a view, in output order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column name (unique within the view, `^[A-Za-z][A-Za-z0-9_]*$`).
    pub name: String,
    /// The declared or inferred type.
    pub ty: ColumnType,
    /// `collection: true`: the cell holds a list of values.
    pub collection: bool,
}

/// The type of a column: the view's `type` when given, else inferred from the FHIR model
/// where the path allows, else [`ColumnType::Unknown`] (written as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// `string`, `code`, `id`, `uri`, `url`, `canonical`, `oid`, `uuid`, `markdown`, `base64Binary`.
    String,
    /// `boolean`.
    Boolean,
    /// `integer`, `positiveInt`, `unsignedInt` (32-bit).
    Integer,
    /// `integer64`.
    Integer64,
    /// `decimal`: exact, never a float.
    Decimal,
    /// `date` (partial dates are legal FHIR: text by default).
    Date,
    /// `dateTime` (partial precision is legal FHIR: text by default).
    DateTime,
    /// `instant`.
    Instant,
    /// `time`.
    Time,
    /// No type known: text.
    Unknown,
}

/// One FHIR primitive value in a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Integer(i64),
    /// A decimal, as its exact source text (for example `"50.00"`).
    Decimal(Cow<'a, str>),
    /// A string or any string-like primitive (code, uri, id, date, dateTime, instant, time).
    String(Cow<'a, str>),
}

/// One cell of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// No value (an empty FHIRPath result).
    Null,
    /// A single value (columns without `collection: true`).
    One(Value<'a>),
    /// The values of a `collection: true` column (possibly empty).
    Many(Vec<Value<'a>>),
}

/// Receives the rows a view produces.
pub trait RowSink {
    /// One row: one cell per column of the view, in column order.
    fn row(&mut self, cells: &[Cell<'_>]);
}

impl<F: FnMut(&[Cell<'_>])> RowSink for F {
    fn row(&mut self, cells: &[Cell<'_>]) {
        self(cells)
    }
}
