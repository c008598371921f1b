#!/usr/bin/env bash
# Interoperability of `bcda view` output: the Parquet files are read back by DuckDB and by
# pyarrow (installed with pip into a temporary venv) and must hold the same rows and values as
# the CSV output of the same run; Decimal and List columns must keep their types.
#
# usage: scripts/view-interop.sh            (BCDA_BIN=path/to/bcda to skip the build)
# Prints one line per check and closes with `N passed, M failed`; exits 1 on any failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
if [ -z "${BCDA_BIN:-}" ]; then
  (cd "$ROOT" && cargo build -q -p bcda-cli)
  BCDA_BIN=$CARGO_TARGET_DIR/debug/bcda
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# A small synthetic v2 export, and a view with a List column beside the built-ins.
"$BCDA_BIN" generate --aco A9994 --out "$TMP/export" --reference 2025-01-01T00:00:00Z >/dev/null
cat >"$TMP/patient_names.json" <<'JSON'
{"resourceType": "ViewDefinition", "name": "patient_names", "resource": "Patient",
 "select": [{"column": [
   {"name": "id", "path": "id", "type": "id"},
   {"name": "given", "path": "name.given", "type": "string", "collection": true},
   {"name": "birth_date", "path": "birthDate", "type": "date"}]}]}
JSON
VIEWS=(--builtin eob_line --builtin eob --builtin coverage "$TMP/patient_names.json")
"$BCDA_BIN" view "${VIEWS[@]}" "$TMP/export" --format parquet --out "$TMP/parquet" --quiet
"$BCDA_BIN" view "${VIEWS[@]}" "$TMP/export" --format csv --out "$TMP/csv" --quiet

python3 -m venv "$TMP/venv"
"$TMP/venv/bin/pip" install -q duckdb pyarrow
"$TMP/venv/bin/python" - "$TMP" <<'PY'
import csv, json, sys
from decimal import Decimal
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

tmp = sys.argv[1]
passed = failed = 0

def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")

def text(v):
    """A Parquet value as the CSV writes it."""
    if v is None:
        return ""
    if isinstance(v, list):
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)

def csv_rows(view):
    with open(f"{tmp}/csv/{view}.csv", newline="") as f:
        r = csv.reader(f)
        header = next(r)
        return header, sorted(tuple(row) for row in r)

con = duckdb.connect()
expect_types = {
    "eob_line": {"units": pa.decimal128(38, 6), "allowed": pa.decimal128(38, 6),
                 "paid": pa.decimal128(38, 6), "sequence": pa.int32(), "hcpcs": pa.string()},
    "eob": {"payment": pa.decimal128(38, 6)},
    "coverage": {"period_start": pa.string()},
    "patient_names": {"given": pa.list_(pa.string())},
}
for view, types in expect_types.items():
    pqf = f"{tmp}/parquet/{view}.parquet"
    table = pq.read_table(pqf)
    header, rows = csv_rows(view)
    check(f"{view}: pyarrow columns = CSV header", table.column_names == header,
          f"{table.column_names} vs {header}")
    check(f"{view}: pyarrow rows = CSV rows ({len(rows)})", table.num_rows == len(rows) > 0,
          f"{table.num_rows} vs {len(rows)}")
    for col, ty in types.items():
        got = table.schema.field(col).type
        check(f"{view}.{col}: pyarrow type {ty}", got == ty, f"got {got}")
    values = sorted(tuple(text(v) for v in row.values()) for row in table.to_pylist())
    bad = next((i for i, (a, b) in enumerate(zip(values, rows)) if a != b), None)
    check(f"{view}: pyarrow values = CSV values", values == rows,
          f"first difference: {values[bad] if bad is not None else ''} vs {rows[bad] if bad is not None else ''}")
    n = con.execute(f"SELECT count(*) FROM read_parquet('{pqf}')").fetchone()[0]
    check(f"{view}: DuckDB rows = CSV rows", n == len(rows), f"{n} vs {len(rows)}")
    duck_types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{pqf}'))").fetchall())
    for col, ty in types.items():
        want = {pa.decimal128(38, 6): "DECIMAL(38,6)", pa.int32(): "INTEGER",
                pa.string(): "VARCHAR", pa.list_(pa.string()): "VARCHAR[]"}[ty]
        check(f"{view}.{col}: DuckDB type {want}", duck_types.get(col) == want, f"got {duck_types.get(col)}")
    # Every value through DuckDB, rendered like the CSV (decimals keep their 6 places).
    duck = con.execute(f"SELECT * FROM read_parquet('{pqf}')").fetchall()
    duck_rows = sorted(tuple(text(v) for v in row) for row in duck)
    check(f"{view}: DuckDB values = CSV values", duck_rows == rows)

# Decimal sums are exact: the same through DuckDB's decimals and Python's Decimal on the CSV.
header, rows = csv_rows("eob_line")
i = header.index("paid")
csv_sum = sum((Decimal(r[i]) for r in rows if r[i]), Decimal(0))
duck_sum = con.execute(f"SELECT sum(paid) FROM read_parquet('{tmp}/parquet/eob_line.parquet')").fetchone()[0]
check(f"eob_line: exact sum(paid) {csv_sum}", duck_sum == csv_sum, f"DuckDB {duck_sum}")
print(f"view-interop: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
