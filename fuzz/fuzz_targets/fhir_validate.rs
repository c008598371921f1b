#![no_main]
//! cargo-fuzz target `fhir_validate`: the check lives in `bcda_fuzz_targets::fhir_validate` (shared with the corpus
//! replay test of `cargo test --workspace`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| bcda_fuzz_targets::fhir_validate(data));
