//! # bcda-view: SQL on FHIR v2 views over BCDA exports
//!
//! A [`ViewDefinition`](https://sql-on-fhir.org/ig/latest/StructureDefinition-ViewDefinition.html)
//! turns FHIR resources into rows. This crate loads and checks views ([`View::from_json`]),
//! evaluates their FHIRPath over NDJSON lines on the `bcda-ndjson` engine, decoding only the
//! fields a view touches ([`View::eval_line`], [`ViewSet`] for several views in one pass), and
//! hands the rows out as Arrow record batches or writes them as Parquet, Arrow IPC, CSV or
//! NDJSON.
//!
//! The row model shared by evaluation and output is in [`value`].

mod error;
mod eval;
pub mod fhirpath;
pub mod node;
mod run;
mod view;

pub mod batch;
pub mod pipeline;
pub mod value;
pub mod write;

pub use error::{EvalError, PathFailure, ViewError};
pub use pipeline::{run_to_batches, run_to_files, LineViews, RunError, RunOptions, RunSummary};
pub use run::ViewSet;
pub use value::{Cell, Column, ColumnType, RowSink, Value};
pub use view::{Constant, View};
pub use write::{OutputFormat, WriteError};
