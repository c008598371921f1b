#![no_main]
//! cargo-fuzz target `ndjson_engine`: the check lives in `bcda_fuzz_targets::ndjson_engine` (shared with the corpus
//! replay test of `cargo test --workspace`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| bcda_fuzz_targets::ndjson_engine(data));
