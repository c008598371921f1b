#![no_main]
//! cargo-fuzz target `ndjson_gzip`: the check lives in `bcda_fuzz_targets::ndjson_gzip` (shared with the corpus
//! replay test of `cargo test --workspace`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| bcda_fuzz_targets::ndjson_gzip(data));
