//! The checks behind the cargo-fuzz targets of `fuzz/`.
//!
//! One function per target takes the fuzzer's bytes and asserts properties of the parser under
//! test (a failed assertion or a panic is a finding). The same functions are called by
//! `fuzz/fuzz_targets/*.rs` (libFuzzer, `cargo fuzz run`) and by this crate's
//! `tests/corpus.rs`, which replays every file of `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/` in `cargo test --workspace`: the check logic lives once, here,
//! in an ordinary workspace crate, so CI builds it with the stable toolchain and no fuzzer.
//!
//! | target | input | asserts |
//! |---|---|---|
//! | [`fhir_stu3`], [`fhir_r4`] | one NDJSON line | strict parse ok => serialize, reparse equal, same JSON as the input, lenient agrees; lenient ok => its output parses strictly |
//! | [`fhir_validate`] | one resource | core validation and CARIN profiles never panic, issue paths are set, results survive a round trip |
//! | [`ndjson_engine`] | an NDJSON file | line counts match an independent count; mmap with any chunk size, streaming, gzip and the ordered iterator agree |
//! | [`ndjson_gzip`] | a `.ndjson.gz` file | never panics; when flate2 decodes the whole stream the engine reports no corruption and the same lines as on the plain bytes |
//! | [`export_query`] | a raw query string | `_type`/`_since`/`_outputFormat` and `_status` parse ok => render => parse equal |
//! | [`auth`] | an `Authorization` value or a token | header shape round trips; only tokens signed by the server key, unexpired, RS512, issuer `ssas`, are accepted |
//! | [`client_manifest`] | a job-status body | manifest parse ok => to_json => parse equal; local file names are plain and distinct |

mod auth;
mod engine;
mod fhir;
mod protocol;

pub use auth::auth;
pub use engine::{ndjson_engine, ndjson_gzip};
pub use fhir::{fhir_r4, fhir_stu3, fhir_validate};
pub use protocol::{client_manifest, export_query};

/// A target's check: panics on a finding.
pub type Check = fn(&[u8]);

/// Every target, by the name of its `fuzz/fuzz_targets/<name>.rs` and corpus directory.
pub const TARGETS: &[(&str, Check)] = &[
    ("fhir_stu3", fhir_stu3),
    ("fhir_r4", fhir_r4),
    ("fhir_validate", fhir_validate),
    ("ndjson_engine", ndjson_engine),
    ("ndjson_gzip", ndjson_gzip),
    ("export_query", export_query),
    ("auth", auth),
    ("client_manifest", client_manifest),
];

/// The check of target `name`.
pub fn check_of(name: &str) -> Option<Check> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}
