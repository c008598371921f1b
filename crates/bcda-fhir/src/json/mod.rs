//! JSON reading and writing tuned for FHIR: borrowed strings, exact number text, no recursion.

pub mod compare;
mod reader;
mod writer;

pub(crate) use reader::is_ws;
pub use reader::{line_col, Kind, Reader, Result, Saved, SyntaxError, MAX_DEPTH};
pub use writer::Writer;
