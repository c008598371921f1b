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
import os, resource, subprocess, sys, time
import duckdb

path, bcda, threads = sys.argv[1], sys.argv[2], [int(t) for t in sys.argv[3:]]
size = os.path.getsize(path)
mb = size / 1e6

def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def best(f, cpu_clock, n=3):
    """Best wall time and best CPU time (all threads) of n runs."""
    walls, cpus = [], []
    for _ in range(n):
        c0, t0 = cpu_clock(), time.perf_counter()
        f()
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu_clock() - c0)
    return min(walls), min(cpus)

# Baseline: read the whole file from the page cache (one thread, 16 MiB reads).
def read_all():
    with open(path, 'rb', buffering=0) as fh:
        while fh.read(16 << 20):
            pass
read_all()  # warm the page cache
base, _ = best(read_all, time.process_time)
print(f"file {path}: {mb:.0f} MB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
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
    (tb, cb), (td, cd) = best(run_bcda, children_cpu), best(run_duck, time.process_time)
    print(f"threads {t}: wall MB/s: bcda stats {mb / tb:6.0f} | duckdb {mb / td:6.0f} | ratio {td / tb:4.2f}x"
          f" | bcda/baseline {base / tb:5.3f}")
    print(f"           CPU MB/s (per CPU-second): bcda stats {mb / cb:6.0f} | duckdb {mb / cd:6.0f} | ratio {cd / cb:4.2f}x")
print("duckdb per-type paid:", con.execute(q, [path]).fetchall())
PY
