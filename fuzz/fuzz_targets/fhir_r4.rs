#![no_main]
//! cargo-fuzz target `fhir_r4`: the check lives in `bcda_fuzz_targets::fhir_r4` (shared with the corpus
//! replay test of `cargo test --workspace`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| bcda_fuzz_targets::fhir_r4(data));
