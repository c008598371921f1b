#!/usr/bin/env bash
# Compares `bcda stats` (projected path, every statistic + cross-file checks) with DuckDB
# `read_ndjson` with explicit columns computing only a per-type paid sum, on the same file and
# thread counts, and a plain page-cache read of the file as the baseline of the same run.
#
# usage: benches/duckdb_compare.sh FILE.ndjson [THREADS...]      (default threads: 1 2)
# The file is typically the bench corpus: $CARGO_TARGET_DIR/bcda-bench-eob-1024.ndjson
# (written by `cargo bench -p bcda-ndjson --features simd-json,sonic-rs --bench engine`).
# DuckDB is installed with pip into a temporary venv, removed at exit.
set -euo pipefail
FILE=${1:?usage: benches/duckdb_compare.sh FILE.ndjson [THREADS...]}
shift || true
THREADS=${*:-1 2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# BCDA_BIN: a prebuilt `bcda` (or the bcda-ndjson `stats` example, which takes the same flags).
if [ -z "${BCDA_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release -q -p bcda-cli)
  BCDA_BIN=$CARGO_TARGET_DIR/release/bcda
fi
BCDA=$BCDA_BIN
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 -m venv "$TMP/venv"
"$TMP/venv/bin/pip" install -q duckdb
"$TMP/venv/bin/python" - "$FILE" "$BCDA" $THREADS <<'PY'
import os, subprocess, sys, time, mmap
import duckdb

path, bcda, threads = sys.argv[1], sys.argv[2], [int(t) for t in sys.argv[3:]]
size = os.path.getsize(path)
mb = size / 1e6

def best(f, n=3):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return min(ts)

# Baseline: read the whole file from the page cache (one thread, 16 MiB reads).
def read_all():
    with open(path, 'rb', buffering=0) as fh:
        while fh.read(16 << 20):
            pass
read_all()  # warm the page cache
base = best(read_all)
print(f"file {path}: {mb:.0f} MB")
print(f"baseline page-cache read (1 thread): {mb / base:8.0f} MB/s")

q = """SELECT type.coding[1].code AS claim_type, sum(payment.amount.value) AS paid
FROM read_ndjson(?, columns = {'type': 'STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[])',
                               'payment': 'STRUCT(amount STRUCT(value DECIMAL(18,2)))'},
                 maximum_object_size = 268435456)
GROUP BY 1 ORDER BY 1"""
for t in threads:
    def run_bcda():
        r = subprocess.run([bcda, 'stats', '--threads', str(t), '--format', 'json', '--quiet', path],
                           stdout=subprocess.DEVNULL)
        assert r.returncode in (0, 1), r.returncode
    con = duckdb.connect()
    con.execute(f"SET threads = {t}")
    def run_duck():
        con.execute(q, [path]).fetchall()
    tb, td = best(run_bcda), best(run_duck)
    print(f"threads {t}: bcda stats {mb / tb:8.0f} MB/s | duckdb explicit columns {mb / td:8.0f} MB/s "
          f"| ratio bcda/duckdb {td / tb:5.2f}x | bcda/baseline {base / tb:5.3f}")
print("duckdb per-type paid:", con.execute(q, [path]).fetchall())
PY
