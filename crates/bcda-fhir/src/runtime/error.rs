//! Fatal parse errors, with byte offset and FHIR path.

use std::fmt;

/// What stopped the parse of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Malformed JSON.
    Syntax(String),
    /// The input is not UTF-8.
    InvalidUtf8,
    /// A JSON value of the wrong kind (`expected string, found number`).
    WrongType {
        /// What the model needs.
        expected: &'static str,
        /// What the input holds.
        found: &'static str,
    },
    /// A value that cannot be represented (an integer that is not one).
    InvalidValue(String),
    /// A property the type does not define (strict mode).
    UnknownProperty(String),
    /// A property given twice, or two types of one choice element.
    Duplicate(String),
    /// No `resourceType`.
    MissingResourceType,
    /// A `resourceType` that FHIR does not define for this release.
    UnknownResourceType(String),
    /// A `resourceType` different from the one expected.
    UnexpectedResourceType {
        /// Expected type.
        expected: String,
        /// Actual type.
        found: String,
    },
}

/// A fatal parse error. One pointer wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: ParseErrorKind,
    offset: usize,
    path: String,
}

impl ParseError {
    /// A new error.
    #[cold]
    pub fn new(kind: ParseErrorKind, offset: usize, path: String) -> Self {
        ParseError(Box::new(Inner { kind, offset, path }))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.0.kind
    }

    /// Byte offset in the parsed text.
    pub fn offset(&self) -> usize {
        self.0.offset
    }

    /// FHIR path of the element being read (empty before the root is known).
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// A stable code for scripts.
    pub fn code(&self) -> &'static str {
        match self.0.kind {
            ParseErrorKind::Syntax(_) => "json-syntax",
            ParseErrorKind::InvalidUtf8 => "invalid-utf8",
            ParseErrorKind::WrongType { .. } => "wrong-type",
            ParseErrorKind::InvalidValue(_) => "invalid-value",
            ParseErrorKind::UnknownProperty(_) => "unknown-property",
            ParseErrorKind::Duplicate(_) => "duplicate",
            ParseErrorKind::MissingResourceType => "missing-resource-type",
            ParseErrorKind::UnknownResourceType(_) => "unknown-resource-type",
            ParseErrorKind::UnexpectedResourceType { .. } => "unexpected-resource-type",
        }
    }
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::Syntax(m) => write!(f, "invalid JSON: {m}"),
            ParseErrorKind::InvalidUtf8 => f.write_str("invalid UTF-8"),
            ParseErrorKind::WrongType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            ParseErrorKind::InvalidValue(m) => f.write_str(m),
            ParseErrorKind::UnknownProperty(p) => write!(f, "unknown property '{p}'"),
            ParseErrorKind::Duplicate(p) => write!(f, "duplicate property '{p}'"),
            ParseErrorKind::MissingResourceType => f.write_str("missing resourceType"),
            ParseErrorKind::UnknownResourceType(t) => write!(f, "unknown resourceType '{t}'"),
            ParseErrorKind::UnexpectedResourceType { expected, found } => {
                write!(f, "expected resourceType '{expected}', found '{found}'")
            }
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.path.is_empty() {
            write!(f, "{} (byte {})", self.0.kind, self.0.offset)
        } else {
            write!(
                f,
                "{}: {} (byte {})",
                self.0.path, self.0.kind, self.0.offset
            )
        }
    }
}

impl std::error::Error for ParseError {}
