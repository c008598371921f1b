//! FHIRPath: the subset SQL on FHIR views use, parsed into an [`Expr`].

pub mod ast;
mod lexer;
mod parser;

pub use ast::{BinOp, Expr, Func, Literal};
pub use parser::parse;

/// A FHIRPath expression that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// Character offset in the expression.
    pub offset: usize,
    /// Set when the problem is a function this implementation does not know.
    pub unknown_function: Option<String>,
}

impl ParseError {
    pub(crate) fn new(message: impl Into<String>, offset: usize) -> ParseError {
        ParseError {
            message: message.into(),
            offset,
            unknown_function: None,
        }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset)
    }
}

impl std::error::Error for ParseError {}
