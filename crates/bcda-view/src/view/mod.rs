//! A loaded, checked ViewDefinition ([`View`]) and its compiled plan.

mod fields;
mod load;
mod resources;

use std::borrow::Cow;
use std::ops::Range;

use crate::eval::item::Item;
use crate::fhirpath::Expr;
use crate::node::Fields;
use crate::value::Column;
use crate::ViewError;

/// A value of a view constant (`constant[i].value[x]`).
#[derive(Debug, Clone, PartialEq)]
pub enum Constant {
    /// `valueBoolean`
    Bool(bool),
    /// `valueInteger`, `valuePositiveInt`, `valueUnsignedInt`, `valueInteger64`
    Integer(i64),
    /// `valueDecimal`, as its JSON text
    Decimal(String),
    /// Every string-like and temporal `value[x]` (`valueString`, `valueCode`, `valueDate`, ...)
    String(String),
}

impl Constant {
    pub(crate) fn item(&self) -> Item<'_> {
        match self {
            Constant::Bool(b) => Item::Bool(*b),
            Constant::Integer(i) => Item::Int(*i),
            Constant::Decimal(d) => Item::Dec(Cow::Borrowed(d)),
            Constant::String(s) => Item::Str(Cow::Borrowed(s)),
        }
    }
}

/// A FHIRPath expression of the view with where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub(crate) expr: Expr,
    /// The source text.
    pub(crate) src: String,
    /// The JSON path of the element inside the view (`select[0].column[1].path`).
    pub(crate) path: String,
}

/// How a `select` iterates.
#[derive(Debug, Clone)]
pub(crate) enum Iter {
    /// Once, on the enclosing focus.
    Once,
    /// `forEach`
    ForEach(Compiled),
    /// `forEachOrNull`
    ForEachOrNull(Compiled),
    /// `repeat`
    Repeat(Vec<Compiled>),
}

/// A column of the plan.
#[derive(Debug, Clone)]
pub(crate) struct ColumnPlan {
    /// Index in the row.
    pub(crate) slot: usize,
    pub(crate) expr: Compiled,
}

/// A `select` of the plan.
#[derive(Debug, Clone)]
pub(crate) struct SelectPlan {
    pub(crate) iter: Iter,
    pub(crate) columns: Vec<ColumnPlan>,
    pub(crate) selects: Vec<SelectPlan>,
    pub(crate) union: Vec<SelectPlan>,
    /// The row slots this select and everything under it fills.
    pub(crate) slots: Range<usize>,
}

/// A loaded, checked ViewDefinition.
#[derive(Debug, Clone)]
pub struct View {
    name: Option<String>,
    resource: String,
    columns: Vec<Column>,
    pub(crate) constants: Vec<(String, Constant)>,
    pub(crate) wheres: Vec<Compiled>,
    pub(crate) root: SelectPlan,
    pub(crate) fields: Fields,
}

impl View {
    /// Parses and checks a ViewDefinition given as JSON text.
    pub fn from_json(text: &str) -> Result<View, ViewError> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| ViewError::Json {
            message: e.to_string(),
        })?;
        View::from_value(&v)
    }

    /// Checks and compiles a ViewDefinition given as a JSON value.
    pub fn from_value(v: &serde_json::Value) -> Result<View, ViewError> {
        let loaded = load::load(v)?;
        let fields = fields::fields(&loaded.root, &loaded.wheres);
        Ok(View {
            name: loaded.name,
            resource: loaded.resource,
            columns: loaded.columns,
            constants: loaded.constants,
            wheres: loaded.wheres,
            root: loaded.root,
            fields,
        })
    }

    /// The view's `name`.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The view's `resource` type.
    pub fn resource_type(&self) -> &str {
        &self.resource
    }

    /// The output columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The fields of a resource this view reads (the projection compiled from its paths).
    pub fn fields(&self) -> &Fields {
        &self.fields
    }
}
