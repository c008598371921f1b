//! # bcda-ndjson: the streaming NDJSON engine of bcda-rs
//!
//! Reads BCDA bulk exports (`*.ndjson`, `*.ndjson.gz`, directories with an optional
//! `manifest.json`, and single JSON documents or Bundles) at close to memory speed:
//!
//! - plain files are memory-mapped ([`split`] documents the SIGBUS contract) and cut into
//!   line-aligned chunks parsed in parallel on the engine's own rayon pool;
//! - gzip files are decoded member by member on one thread while the pool parses
//!   ([`IssueKind::CorruptGzip`] members are skipped, decoding resumes at the next member);
//! - a pluggable [`LineProcessor`] turns lines into records, a [`Fold`] aggregates them with a
//!   commutative merge, so results are identical on 1 or N threads;
//! - bad input never stops a run: each problem becomes an [`Issue`] with file, line, column and
//!   JSON path, and the rest is processed.
//!
//! The projected read path ([`project::Projected`]) decodes only the fields the statistics
//! need: a SIMD structural index of each line ([`scan`]) and a validating walk over its tokens
//! build the projected values without serde, and whatever that fast lane does not take (escapes,
//! errors, unusual shapes) goes through the serde_json decoders, the reference that reports
//! problems with their location. [`stats::Stats`] computes the `bcda stats` report. The full
//! path ([`typed::Typed`]) parses every line strictly into the `bcda-fhir` models and validates
//! it.
//!
//! Besides [`Fold`], the engine takes closures ([`Engine::fold`]) and hands records out through
//! a sequential iterator ([`Engine::iter`], [`Engine::iter_with`], [`Engine::records`]) or a
//! rayon `ParallelIterator` ([`Engine::par_iter`], [`Engine::par_iter_with`]); inputs come from
//! paths, bytes ([`Inputs::from_bytes`]) or any reader ([`Inputs::from_reader`]). The
//! runnable cookbook is in `examples/` (see the crate README).
//!
//! ```no_run
//! use bcda_ndjson::{Config, Engine, Inputs, stats::Stats};
//! let inputs = Inputs::discover(&["export/"]).unwrap();
//! let engine = Engine::new(Config::default()).unwrap();
//! let report = Stats::default().run(&engine, &inputs, None);
//! println!("{} records, {} errors", report.totals.records, report.totals.errors);
//! ```

pub mod engine;
pub mod error;
mod gz;
pub mod input;
pub mod project;
pub mod render;
pub mod scan;
pub mod split;
pub mod stats;
pub mod typed;

#[cfg(any(feature = "simd-json", feature = "sonic-rs"))]
pub mod backends;

pub use engine::{
    Config, Engine, FileTotals, Fold, IntoOwnedRecord, LineCtx, LineProcessor, LineRef, Location,
    Records, RunOutput,
};
pub use error::{Error, Issue, IssueKind, Severity};
pub use input::{FhirVersion, Format, InputFile, Inputs};
