//! The crate's errors: [`ViewError`] (a view rejected before any data is read) and
//! [`EvalError`] (a view failing on one resource).

/// A ViewDefinition that cannot be loaded. Every variant names the JSON path inside the view
/// (for example `select[1].column[0].path`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViewError {
    /// The view text is not JSON.
    #[error("view: not valid JSON: {message}")]
    Json {
        /// serde_json's message, with line and column.
        message: String,
    },
    /// A required element is absent.
    #[error("view: {path}: `{field}` is required")]
    Missing {
        /// Where the element was expected.
        path: String,
        /// The missing element.
        field: &'static str,
    },
    /// An element has the wrong JSON type.
    #[error("view: {path}: expected {expected}")]
    WrongType {
        /// The element.
        path: String,
        /// What was expected there.
        expected: &'static str,
    },
    /// A FHIRPath expression that does not parse.
    #[error("view: {path}: invalid FHIRPath `{expr}`: {message} (at character {offset})")]
    Syntax {
        /// The element holding the expression.
        path: String,
        /// The expression.
        expr: String,
        /// What is wrong.
        message: String,
        /// Character offset of the problem in the expression.
        offset: usize,
    },
    /// A FHIRPath function this implementation does not know.
    #[error("view: {path}: unknown FHIRPath function `{name}` in `{expr}`")]
    UnknownFunction {
        /// The element holding the expression.
        path: String,
        /// The expression.
        expr: String,
        /// The function name.
        name: String,
    },
    /// A path whose first element is not an element of the resource type.
    #[error("view: {path}: `{element}` is not an element of {resource} (in `{expr}`)")]
    UnknownElement {
        /// The element holding the expression.
        path: String,
        /// The expression.
        expr: String,
        /// The resource type.
        resource: String,
        /// The element name.
        element: String,
    },
    /// A column name that is not `^[A-Za-z][A-Za-z0-9_]*$`.
    #[error("view: {path}: invalid column name `{name}` (letters, digits and `_`, starting with a letter)")]
    InvalidColumnName {
        /// The column's `name` element.
        path: String,
        /// The name.
        name: String,
    },
    /// Two columns of the view with the same name.
    #[error("view: {path}: duplicate column name `{name}` (first defined at {first})")]
    DuplicateColumn {
        /// The second column's `name` element.
        path: String,
        /// The name.
        name: String,
        /// The first column's `name` element.
        first: String,
    },
    /// `unionAll` branches with different column names or order.
    #[error(
        "view: {path}: unionAll branch has columns [{found}], the first branch has [{expected}]"
    )]
    UnionMismatch {
        /// The branch.
        path: String,
        /// The first branch's column names.
        expected: String,
        /// This branch's column names.
        found: String,
    },
    /// A constant without exactly one supported `value[x]`, or with a bad name.
    #[error("view: {path}: bad constant: {message}")]
    BadConstant {
        /// The constant.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A `%name` that is neither a constant of the view nor an environment variable.
    #[error("view: {path}: undefined constant `%{name}` in `{expr}`")]
    UndefinedConstant {
        /// The element holding the expression.
        path: String,
        /// The expression.
        expr: String,
        /// The constant name.
        name: String,
    },
    /// An unsupported column `type`.
    #[error("view: {path}: unknown column type `{ty}`")]
    UnknownType {
        /// The column's `type` element.
        path: String,
        /// The type.
        ty: String,
    },
}

/// A view failing on one resource.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// The line is not valid JSON, or not a JSON object with a `resourceType`.
    #[error("invalid resource JSON: {message}")]
    Json {
        /// What is wrong, with line and column where serde_json gives them.
        message: String,
    },
    /// A FHIRPath runtime error: a type error (`where` on a non-boolean, arithmetic on text),
    /// or a column without `collection: true` whose value has more than one item.
    #[error("{0}")]
    Path(Box<PathFailure>),
}

/// Where and why a view's expression failed on a resource.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("view {view}: {path} (`{expr}`) on {resource} at {at}: {message}")]
pub struct PathFailure {
    /// The view's name (or resource type when unnamed).
    pub view: String,
    /// The JSON path inside the view, for example `select[0].column[1].path`.
    pub path: String,
    /// The expression.
    pub expr: String,
    /// The resource, as `Type/id`.
    pub resource: String,
    /// The location inside the resource (`$` for the resource itself, `name[1]` inside a
    /// `forEach` over `name`).
    pub at: String,
    /// What is wrong.
    pub message: String,
}
