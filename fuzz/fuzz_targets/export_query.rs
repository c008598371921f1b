#![no_main]
//! cargo-fuzz target `export_query`: the check lives in `bcda_fuzz_targets::export_query` (shared with the corpus
//! replay test of `cargo test --workspace`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| bcda_fuzz_targets::export_query(data));
