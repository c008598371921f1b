#!/usr/bin/env bash
# The project's test command (README): fetch the public test data, then run every test.
# Tests that read ../shared (the reference samples) fail with a clear message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/fetch-test-data.sh
cargo test --workspace --locked --no-fail-fast "$@"
./scripts/view-interop.sh
./scripts/py-test.sh
