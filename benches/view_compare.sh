#!/usr/bin/env bash
# Compares `bcda view --builtin eob_line --format parquet` with DuckDB running the equivalent
# SQL (read_ndjson with explicit columns, UNNEST of the items, COPY ... TO Parquet with zstd)
# and with the same DuckDB query without the write (an aggregate hashing every column), on the
# same file and thread counts; then eob + eob_line + eob_diagnosis in one pass against
# eob_line alone. Reports wall-time medians (min-max) of RUNS runs, MB/s of input, rows/s,
# ratios and peak RSS (ru_maxrss of the process; for bcda it includes the mapped input), and the
# CPU time (user + system, all threads) of each side with its ratio, which a busy machine
# distorts less than wall time.
# Fails unless both sides wrote the same rows (count and checksums of key columns).
#
# usage: benches/view_compare.sh [FILE.ndjson] [THREADS...]     (default threads: 1 2)
# Without a file (or with `-`) it generates the v2 ExplanationOfBenefit file of sandbox ACO
# A9991 (7,500 beneficiaries, light scale, BCDA's bytes, about 1.2 GB) with `bcda generate` into
# $CARGO_TARGET_DIR/bcda-view-bench-A9991/ once. RUNS (default 3) runs per measurement.
# DUCKDB_VERSION pins DuckDB (default: the newest on PyPI).
# DuckDB is installed with pip into a temporary venv, removed at exit.
set -euo pipefail
FILE=${1:--}
shift || true
THREADS=${*:-1 2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
if [ -z "${BCDA_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release -q -p bcda-cli)
  BCDA_BIN=$CARGO_TARGET_DIR/release/bcda
fi
if [ "$FILE" = - ]; then
  DIR=$CARGO_TARGET_DIR/bcda-view-bench-A9991
  FILE=$DIR/ExplanationOfBenefit.ndjson
  if [ ! -f "$FILE" ]; then
    "$BCDA_BIN" generate --aco A9991 --type ExplanationOfBenefit --scale light \
      --reference 2025-01-01T00:00:00Z --out "$DIR.tmp"
    mv "$DIR.tmp" "$DIR"
  fi
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 -m venv "$TMP/venv"
"$TMP/venv/bin/pip" install -q "duckdb${DUCKDB_VERSION:+==$DUCKDB_VERSION}"
"$TMP/venv/bin/python" - "$FILE" "$BCDA_BIN" "$TMP" "${RUNS:-3}" $THREADS <<'PY'
import os, statistics, subprocess, sys, time
import duckdb

path, bcda, tmp, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
threads = [int(t) for t in sys.argv[5:]]
size = os.path.getsize(path)
mb = size / 1e6
py = sys.executable
print(f"input: {path} ({mb:,.0f} MB), {runs} runs per measurement, medians (min-max)")
print(f"CPU: {open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].splitlines()[0].strip()}")

BB = "https://bluebutton.cms.gov/resources"
CODING = "STRUCT(system VARCHAR, code VARCHAR)[]"
COLUMNS = ("{id: 'VARCHAR', patient: 'STRUCT(reference VARCHAR)', status: 'VARCHAR', "
    "meta: 'STRUCT(lastUpdated VARCHAR)', identifier: 'STRUCT(system VARCHAR, value VARCHAR)[]', "
    f"type: 'STRUCT(coding {CODING})', "
    "item: 'STRUCT(sequence INTEGER, servicedDate VARCHAR, "
    'servicedPeriod STRUCT("start" VARCHAR, "end" VARCHAR), '
    f"productOrService STRUCT(coding {CODING}), revenue STRUCT(coding {CODING}), "
    f"locationCodeableConcept STRUCT(coding {CODING}), quantity STRUCT(value DECIMAL(38,6)), "
    f"adjudication STRUCT(category STRUCT(coding {CODING}), amount STRUCT(value DECIMAL(38,6)))[])[]'}}")

def code(coding, system):
    return f"list_filter({coding}, lambda c: c.system = '{system}')[1].code"

def adj(var):
    return (f"list_filter(it.adjudication, lambda a: len(list_filter(a.category.coding, lambda c: "
            f"c.system = '{BB}/codesystem/adjudication' and c.code = '{BB}/variables/{var}')) > 0)[1].amount.value")

# The eob_line view (crates/bcda-view/views/r4/eob_line.json) in SQL.
QUERY = f"""
SELECT id, patient.reference AS patient, status,
  list_filter(identifier, lambda x: x.system = '{BB}/identifier/claim-group')[1].value AS claim_group,
  meta.lastUpdated AS last_updated,
  {code('type.coding', BB + '/codesystem/eob-type')} AS claim_type,
  it.sequence AS sequence, it.servicedDate AS service_date,
  it.servicedPeriod."start" AS service_start, it.servicedPeriod."end" AS service_end,
  {code('it.productOrService.coding', BB + '/codesystem/hcpcs')} AS hcpcs,
  {code('it.productOrService.coding', 'http://hl7.org/fhir/sid/ndc')} AS ndc,
  {code('it.revenue.coding', BB + '/variables/rev_cntr')} AS revenue_center,
  {code('it.locationCodeableConcept.coding', BB + '/variables/line_place_of_srvc_cd')} AS place_of_service,
  it.quantity.value AS units,
  {adj('line_alowd_chrg_amt')} AS allowed,
  {adj('line_nch_pmt_amt')} AS paid
FROM (SELECT *, unnest(item) AS it FROM read_ndjson('{path}', columns = {COLUMNS}))
"""
COLS = ["id", "patient", "status", "claim_group", "last_updated", "claim_type", "sequence",
        "service_date", "service_start", "service_end", "hcpcs", "ndc", "revenue_center",
        "place_of_service", "units", "allowed", "paid"]

def run(cmd):
    """Wall seconds, peak RSS (MiB) and CPU seconds (user + system) of a process."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    err = p.stderr.read().decode()
    if status != 0:
        sys.exit(f"FAILED ({status}): {' '.join(cmd)}\n{err}")
    return wall, ru.ru_maxrss / 1024, ru.ru_utime + ru.ru_stime

def duck(sql, t):
    return [py, "-c", f"import duckdb; c = duckdb.connect(); c.execute('SET threads={t}'); c.execute({sql!r}).fetchall()"]

CPU = {}
def measure(name, cmd):
    rs = [run(cmd) for _ in range(runs)]
    walls = sorted(r[0] for r in rs)
    med = statistics.median(walls)
    rss = max(r[1] for r in rs)
    cpu = statistics.median(r[2] for r in rs)
    CPU[name] = cpu
    print(f"  {name:<44} {med:7.2f} s ({walls[0]:.2f}-{walls[-1]:.2f})  {mb / med:7.0f} MB/s  "
          f"CPU {cpu:6.2f} s  peak RSS {rss:6.0f} MiB  (load {os.getloadavg()[0]:.1f})")
    return med

con = duckdb.connect()
def checksum(pq):
    """Row count and checksums of key columns of a Parquet file, read by DuckDB."""
    return con.execute(f"""SELECT count(*), sum(paid), sum(allowed), sum(units), sum(sequence),
        count(hcpcs), count(ndc), count(service_start),
        sum(hash(id, sequence, hcpcs, claim_group, last_updated)) FROM read_parquet('{pq}')""").fetchone()

hash_all = ", ".join(COLS)
results = {}
for t in threads:
    print(f"threads {t}:")
    out_b, out_d = f"{tmp}/bcda-{t}.parquet", f"{tmp}/duck-{t}.parquet"
    b = measure("bcda view --builtin eob_line -> parquet",
        [bcda, "view", "--builtin", "eob_line", path, "--format", "parquet", "--out", out_b,
         "--threads", str(t), "--quiet"])
    d = measure("duckdb COPY (eob_line SQL) TO parquet zstd",
        duck(f"COPY ({QUERY}) TO '{out_d}' (FORMAT parquet, COMPRESSION zstd)", t))
    q = measure("duckdb eob_line SQL, no write (hash all)",
        duck(f"SELECT count(*), sum(hash({hash_all})) FROM ({QUERY})", t))
    cb, cd = checksum(out_b), checksum(out_d)
    if cb != cd:
        sys.exit(f"MISMATCH at {t} threads:\n  bcda   {cb}\n  duckdb {cd}")
    rows = cb[0]
    print(f"  same rows: {rows:,} rows, checksums equal; bcda {rows / b:,.0f} rows/s, "
          f"{mb / b / t:,.0f} MB/s per thread; bcda / duckdb-write {d / b:.2f}x, "
          f"bcda / duckdb-no-write {q / b:.2f}x; CPU time: duckdb-write / bcda "
          f"{CPU['duckdb COPY (eob_line SQL) TO parquet zstd'] / CPU['bcda view --builtin eob_line -> parquet']:.2f}x")
    results[t] = b
    if t == threads[-1]:
        m = measure("bcda view eob + eob_line + eob_diagnosis",
            [bcda, "view", "--builtin", "eob", "--builtin", "eob_line", "--builtin", "eob_diagnosis",
             path, "--format", "parquet", "--out", f"{tmp}/multi-{t}", "--threads", str(t), "--quiet"])
        print(f"  three views in one pass / eob_line alone: {m / b:.2f}x")
if 1 in results and 2 in results:
    print(f"bcda 2 threads vs 1: {results[1] / results[2]:.2f}x")
PY
