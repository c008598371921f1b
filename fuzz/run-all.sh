#!/usr/bin/env bash
# Runs every fuzz target (or those named) one after another, each for $FUZZ_SECONDS (default
# 600), on one core: libFuzzer in fork mode with one worker, going on after a crash, so that
# every finding of the run lands in fuzz/artifacts/<target>/. New inputs go to
# fuzz/corpus-run/<target>/ (ignored by git); the committed seeds in fuzz/corpus/<target>/ are
# read, not written. Logs: fuzz/logs/<target>.log. Stable toolchain: `-s none` (no sanitizer
# needs nightly; the code under test has no unsafe of its own), debug assertions on (-a).
set -euo pipefail
cd "$(dirname "$0")"
secs=${FUZZ_SECONDS:-600}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fhir_r4 fhir_stu3 fhir_validate ndjson_engine ndjson_gzip export_query auth client_manifest)
fi
mkdir -p logs
cargo fuzz build -s none -a -O
# Run the built binaries (what `cargo fuzz run` does after building), from a copy, so that edits
# to the tree during a long run do not rebuild or break it.
bin_dir=$(mktemp -d)
for t in "${targets[@]}"; do
  cp "${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release/$t" "$bin_dir/"
done
for t in "${targets[@]}"; do
  mkdir -p "corpus-run/$t" "artifacts/$t"
  case $t in
    fhir_*) max_len=16384 ;;
    ndjson_*) max_len=8192 ;;
    *) max_len=4096 ;;
  esac
  echo "== $t: ${secs}s, max_len $max_len ($(date -u +%FT%TZ))"
  "$bin_dir/$t" "corpus-run/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" \
    -max_total_time="$secs" -max_len="$max_len" -fork=1 -ignore_crashes=1 \
    -ignore_timeouts=1 -ignore_ooms=1 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 >"logs/$t.log" 2>&1 || true
  tail -n 3 "logs/$t.log"
  echo "   artifacts: $(ls "artifacts/$t" | wc -l)"
done
