#!/usr/bin/env bash
# The Python package's tests: a virtual environment with maturin, pyarrow, polars, duckdb,
# pandas and pyspark from PyPI, the bcda wheel built from crates/bcda-py (debug profile: the
# workspace's compiled dependencies are reused) and installed, then pytest over python/tests
# (the Spark tests run in local[2]; Java 17 must be on the machine). pytest's summary line
# closes the output.
#
# usage: scripts/py-test.sh [PYTEST ARGS]   (BCDA_BIN=path/to/bcda to skip the CLI build;
#        BCDA_PY_VENV=DIR to reuse a venv)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
if [ -z "${BCDA_BIN:-}" ]; then
  (cd "$ROOT" && cargo build -q -p bcda-cli)
  export BCDA_BIN=$CARGO_TARGET_DIR/debug/bcda
fi
VENV=${BCDA_PY_VENV:-$CARGO_TARGET_DIR/py-venv}
# A venv whose scripts point to another place (the target directory was moved) is rebuilt.
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/pip" --version >/dev/null 2>&1; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check \
  "maturin>=1.5,<2" pyarrow polars duckdb "pandas<3" pyspark pytest
WHEELS=$(mktemp -d)
trap 'rm -rf "$WHEELS"' EXIT
(cd "$ROOT/python" && "$VENV/bin/maturin" build --quiet --profile dev -o "$WHEELS" -i "$VENV/bin/python")
"$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$WHEELS"/*.whl
# pytest (not `python -m pytest`): the source tree's python/bcda must not shadow the wheel.
cd "$ROOT"
exec "$VENV/bin/pytest" -q -p no:cacheprovider python/tests "$@"
