#![no_main]
//! cargo-fuzz target `client_manifest`: the check lives in `bcda_fuzz_targets::client_manifest` (shared with the corpus
//! replay test of `cargo test --workspace`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| bcda_fuzz_targets::client_manifest(data));
