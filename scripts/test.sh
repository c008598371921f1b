#!/usr/bin/env bash
# The project's test command (README): fetch the public test data, then run every test.
# Tests that read ../shared (the reference samples) fail with a clear message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/fetch-test-data.sh
# The server tests run on both stores: the PostgreSQL ones get a throw-away cluster
# (scripts/with-postgres.sh; BCDA_TEST_PG=off skips them explicitly).
if [[ "${BCDA_TEST_PG:-}" == "off" ]]; then
    cargo test --workspace --locked --no-fail-fast "$@"
else
    ./scripts/with-postgres.sh cargo test --workspace --locked --no-fail-fast "$@"
fi
./scripts/view-interop.sh
# Tuva's data-quality tests on `bcda tuva` output (DuckDB in a temporary venv).
./scripts/tuva-check.sh
# The Python package and Spark (maturin, pyarrow, polars, duckdb, pyspark in a venv); pytest's
# summary line closes the output.
./scripts/py-test.sh
