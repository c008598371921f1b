#!/usr/bin/env bash
# Compares `bcda stats` (projected path, every statistic + cross-file checks) with DuckDB
# `read_ndjson` with explicit columns computing only a per-type paid sum, on the same file and
# thread counts, and a plain page-cache read of the file as the baseline of the same run.
# Also prints each tool's peak memory: RssAnon (heap, besides the mapped file; sampled every
# 20 ms) and the peak total RSS (VmHWM, which for bcda includes the mapped file's pages).
#
# usage: benches/duckdb_compare.sh [FILE.ndjson] [THREADS...]      (default threads: 1 2)
# Without a file (or with `-`) it uses the criterion bench corpus,
# $CARGO_TARGET_DIR/bcda-bench-synth-eob-$BCDA_BENCH_MB.ndjson (BCDA_BENCH_MB default 1024),
# generating it with bcda-synth (example `eob_corpus`, the same bytes the bench writes) if
# missing. DuckDB is installed with pip into a temporary venv, removed at exit.
set -euo pipefail
FILE=${1:--}
shift || true
THREADS=${*:-1 2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
if [ "$FILE" = - ]; then
  MB=${BCDA_BENCH_MB:-1024}
  FILE=$CARGO_TARGET_DIR/bcda-bench-synth-eob-$MB.ndjson
  if [ ! -f "$FILE" ]; then
    (cd "$ROOT" && cargo build --release -q -p bcda-synth --example eob_corpus)
    GEN_DIR=$(mktemp -d "$CARGO_TARGET_DIR/bcda-corpus.XXXXXX")
    "$CARGO_TARGET_DIR/release/examples/eob_corpus" "$GEN_DIR" "$MB"
    mv "$GEN_DIR/ExplanationOfBenefit-1.ndjson" "$FILE"
    rmdir "$GEN_DIR"
  fi
fi
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
import os, resource, subprocess, sys, threading, time
import duckdb

path, bcda, threads = sys.argv[1], sys.argv[2], [int(t) for t in sys.argv[3:]]
size = os.path.getsize(path)
mb = size / 1e6

def status(pid):
    """(RssAnon, VmHWM) of a process in MiB, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            kv = dict(l.split(":", 1) for l in fh if ":" in l)
        return int(kv["RssAnon"].split()[0]) >> 10, int(kv["VmHWM"].split()[0]) >> 10
    except (OSError, KeyError, ValueError):
        return None

class Peak:
    """Samples a process's RssAnon every 20 ms in a thread; VmHWM read at the end."""
    def __init__(self, pid):
        self.pid, self.anon, self.hwm, self.done = pid, 0, 0, False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()
    def run(self):
        while not self.done:
            s = status(self.pid)
            if s:
                self.anon, self.hwm = max(self.anon, s[0]), max(self.hwm, s[1])
            time.sleep(0.02)
    def stop(self):
        s = status(self.pid)
        if s:
            self.anon, self.hwm = max(self.anon, s[0]), max(self.hwm, s[1])
        self.done = True
        self.t.join()
        return self.anon, self.hwm

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
bcda_mem = [0, 0]
for t in threads:
    def run_bcda():
        p = subprocess.Popen([bcda, 'stats', '--threads', str(t), '--format', 'json', '--quiet', path],
                             stdout=subprocess.DEVNULL)
        peak = Peak(p.pid)
        _, st, ru = os.wait4(p.pid, 0)
        rc = p.returncode = os.waitstatus_to_exitcode(st)
        anon, _ = peak.stop()
        # ru_maxrss: the child's exact peak RSS in KiB (includes the mapped file's pages).
        bcda_mem[0], bcda_mem[1] = max(bcda_mem[0], anon), max(bcda_mem[1], ru.ru_maxrss >> 10)
        assert rc in (0, 1), rc
    con = duckdb.connect()
    con.execute(f"SET threads = {t}")
    def run_duck():
        con.execute(q, [path]).fetchall()
    bcda_mem[:] = [0, 0]
    (tb, cb) = best(run_bcda, children_cpu)
    duck = Peak(os.getpid())
    (td, cd) = best(run_duck, time.process_time)
    duck_anon, duck_hwm = duck.stop()
    print(f"threads {t}: wall MB/s: bcda stats {mb / tb:6.0f} | duckdb {mb / td:6.0f} | ratio {td / tb:4.2f}x"
          f" | bcda/baseline {base / tb:5.3f} | load {os.getloadavg()[0]:.1f}")
    print(f"           CPU MB/s (per CPU-second): bcda stats {mb / cb:6.0f} | duckdb {mb / cd:6.0f} | ratio {cd / cb:4.2f}x")
    print(f"           peak RssAnon MiB: bcda stats {bcda_mem[0]:6d} | duckdb {duck_anon:6d} (whole python process)"
          f" | peak RSS (VmHWM) MiB: bcda {bcda_mem[1]} | python+duckdb {duck_hwm}")
print("duckdb per-type paid:", con.execute(q, [path]).fetchall())
PY
