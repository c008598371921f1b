//! Evaluation: FHIRPath on the borrowed node tree ([`path`]), and the rows of a view
//! ([`rows`]).

mod boundary;
pub(crate) mod item;
mod more;
pub(crate) mod path;
pub(crate) mod rows;
