#![no_main]
//! cargo-fuzz target `fhir_stu3`: the check lives in `bcda_fuzz_targets::fhir_stu3` (shared with the corpus
//! replay test of `cargo test --workspace`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| bcda_fuzz_targets::fhir_stu3(data));
