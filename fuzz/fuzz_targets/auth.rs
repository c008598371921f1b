#![no_main]
//! cargo-fuzz target `auth`: the check lives in `bcda_fuzz_targets::auth` (shared with the corpus
//! replay test of `cargo test --workspace`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| bcda_fuzz_targets::auth(data));
