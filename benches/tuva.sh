#!/usr/bin/env bash
# `bcda tuva` to Parquet against the `eob_line` view alone (Parquet), same files, same process,
# alternating runs, medians (crates/bcda-tuva/examples/bench_vs_eob_line.rs). The run fails if
# the two sides do not produce the same claim rows.
#
# usage: benches/tuva.sh [DIR_OR_FILE] [RUNS] [THREADS]
#   default input: the v2 EOBs of sandbox ACO A9991 (about 1.1 GB), generated into
#   target/bench-tuva/ once.
set -euo pipefail
cd "$(dirname "$0")/.."
INPUT="${1:-}"
if [ -z "$INPUT" ]; then
  INPUT=target/bench-tuva/A9991
  if [ ! -s "$INPUT/ExplanationOfBenefit.ndjson" ]; then
    cargo build --release -q -p bcda-cli
    target/release/bcda generate --aco A9991 --type ExplanationOfBenefit \
      --reference 2025-06-01T00:00:00Z --out "$INPUT"
  fi
fi
grep -m1 "model name" /proc/cpuinfo || true
cargo run --release -q -p bcda-tuva --example bench_vs_eob_line -- "$INPUT" "${2:-5}" "${3:-0}"
