#!/usr/bin/env bash
# Compares `bcda stats` with DuckDB on the same files, thread counts and page-cache states, and
# checks that both computed the same answer (the script fails otherwise):
#
# - `bcda stats --format json` is captured (any exit status but 0 fails the script); the stage-1
#   kernel it reports must be the one forced with BCDA_SIMD;
# - "minimal": DuckDB's per-claim-type paid totals, grouping each EOB by the coding of `type`
#   whose system is BFD's eob-type one (as bcda does), exact DECIMAL sums; every claim count and
#   total must equal bcda's `claim_types`;
# - "same work": DuckDB reads the EOBs once into a temporary table and computes what
#   `bcda stats` reports for EOBs (per type: claims, items, paid, first/last service, totals and
#   adjudication by category; per month; per beneficiary and its top list; top diagnoses,
#   procedures, NDCs and NPIs; duplicate ids); its per-month claims and paid must equal bcda's;
# - "payment-only" (reference, printed with a *): the minimal query as it was before Part D paid
#   came from the items' adjudication; DuckDB then skips materialising `item`. It is not the
#   same answer (pde paid differs), so only its other per-type figures are checked;
# - DuckDB runs at its default `maximum_object_size` (16 MiB; the longest line of each file is
#   printed and must fit);
# - with TYPED_BIN (bcda-ndjson's `typed` example), the typed path + core validation too (it
#   must read every record as valid);
# - each figure is the median of RUNS (default 5) runs with the spread (min-max), "warm" (the file
#   in the page cache, just read) and "cold" (after `echo 3 > /proc/sys/vm/drop_caches` before
#   every run; only as root, skipped otherwise and said so);
# - every kernel in KERNELS (default: all of avx512 avx2 sse42 portable that this CPU runs).
#
# usage: benches/duckdb_compare.sh [FILE.ndjson...]     (env: THREADS="1 2" RUNS=5 KERNELS=...
#                                                         CACHE="warm cold" BCDA_BIN=...
#                                                         DUCKDB_VERSION=1.4.2: pin DuckDB)
# Without a file it uses the criterion bench corpus, $CARGO_TARGET_DIR/bcda-bench-synth-eob-
# $BCDA_BENCH_MB.ndjson (BCDA_BENCH_MB default 1024), generated with bcda-synth's `eob_corpus`
# example if missing. benches/corpora.sh builds the real-text variants of it. DuckDB is
# installed with pip into a temporary venv, removed at exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
FILES=("$@")
if [ ${#FILES[@]} -eq 0 ]; then
  MB=${BCDA_BENCH_MB:-1024}
  FILE=$CARGO_TARGET_DIR/bcda-bench-synth-eob-$MB.ndjson
  if [ ! -f "$FILE" ]; then
    (cd "$ROOT" && cargo build --release -q -p bcda-synth --example eob_corpus)
    GEN_DIR=$(mktemp -d "$CARGO_TARGET_DIR/bcda-corpus.XXXXXX")
    "$CARGO_TARGET_DIR/release/examples/eob_corpus" "$GEN_DIR" "$MB"
    mv "$GEN_DIR/ExplanationOfBenefit-1.ndjson" "$FILE"
    rmdir "$GEN_DIR"
  fi
  FILES=("$FILE")
fi
if [ -z "${BCDA_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release -q -p bcda-cli)
  BCDA_BIN=$CARGO_TARGET_DIR/release/bcda
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 -m venv "$TMP/venv"
"$TMP/venv/bin/pip" install -q "duckdb${DUCKDB_VERSION:+==$DUCKDB_VERSION}"
export BCDA_BIN THREADS=${THREADS:-1 2} RUNS=${RUNS:-5} KERNELS=${KERNELS:-} CACHE=${CACHE:-warm cold}
"$TMP/venv/bin/python" "$ROOT/benches/duckdb_compare.py" "${FILES[@]}"
