//! One issue type for parsing leniency, core validation and profile validation.

use std::fmt;

/// Severity of an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational.
    Information,
    /// Suspicious but allowed.
    Warning,
    /// Makes the resource invalid.
    Error,
}

impl Severity {
    /// FHIR IssueSeverity code.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Information => "information",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Stable issue codes (scripts match on these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueCode {
    /// A required element is missing.
    Required,
    /// Too many repetitions.
    Cardinality,
    /// A property not defined for the type (lenient parsing).
    UnknownProperty,
    /// A primitive's text does not match its type's format.
    Format,
    /// A code outside a required binding.
    CodeInvalid,
    /// A reference with a bad shape or target type.
    Reference,
    /// An element with neither value nor children.
    Empty,
    /// A fixed or pattern value not matched (profiles).
    Pattern,
    /// A slice's cardinality or a closed slicing broken (profiles).
    Slice,
    /// A value type not allowed by a profile.
    Type,
}

impl IssueCode {
    /// Stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::Required => "required",
            IssueCode::Cardinality => "cardinality",
            IssueCode::UnknownProperty => "unknown-property",
            IssueCode::Format => "format",
            IssueCode::CodeInvalid => "code-invalid",
            IssueCode::Reference => "reference",
            IssueCode::Empty => "empty",
            IssueCode::Pattern => "pattern",
            IssueCode::Slice => "slice",
            IssueCode::Type => "type",
        }
    }
}

/// A finding about a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// How bad.
    pub severity: Severity,
    /// What kind.
    pub code: IssueCode,
    /// FHIR path with indices (`ExplanationOfBenefit.item[3].adjudication[0].category`).
    pub path: String,
    /// Human-readable explanation.
    pub message: String,
}

impl Issue {
    /// An error-severity issue.
    pub fn error(code: IssueCode, path: String, message: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Error,
            code,
            path,
            message: message.into(),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {}: {}",
            self.severity.as_str(),
            self.code.as_str(),
            self.path,
            self.message
        )
    }
}
