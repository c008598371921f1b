#!/usr/bin/env bash
# Tuva's data-quality tests on `bcda tuva` output: generates a synthetic v2 export (sandbox ACO
# A9998, 100 beneficiaries of the advanced flavour, unless $TUVA_ACO is set), writes the Tuva input layer as Parquet, and runs every test
# of the input-layer YAML in ../shared/tuva-input-layer/ with DuckDB (pip-installed into a
# temporary venv, removed at exit). Fails on any failing test of severity `error` and on the
# checks the project requires whatever their severity: unique keys, accepted values, column
# pair order (claim_end_date >= claim_start_date, ...), header fields identical across a
# claim's lines. Other `warn` results are listed. `relationships` tests need Tuva's
# terminology seeds (not in ../shared) and are listed as not run.
#
# usage: scripts/tuva-check.sh [EXPORT_DIR]      (default: a fresh synthetic export)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${BCDA_SHARED:-$PWD/../shared}"
if [ ! -d "$SHARED/tuva-input-layer" ]; then
  echo "tuva-check: needs the Tuva definitions at $SHARED/tuva-input-layer (set BCDA_SHARED)" >&2
  exit 1
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cargo build --locked -q -p bcda-cli
BCDA="${CARGO_TARGET_DIR:-target}/debug/bcda"
EXPORT="${1:-}"
if [ -z "$EXPORT" ]; then
  EXPORT="$TMP/export"
  "$BCDA" generate --aco "${TUVA_ACO:-A9998}" --reference 2025-06-01T00:00:00Z --out "$EXPORT" >/dev/null
  printf '%s\n' '{"transactionTime":"2025-06-01T12:00:00.000+00:00","request":"https://sandbox.bcda.cms.gov/api/v2/Group/all/$export","requiresAccessToken":true,"output":[],"error":[]}' \
    > "$EXPORT/manifest.json"
fi
"$BCDA" tuva "$EXPORT" --out "$TMP/tuva" --format parquet
python3 -m venv "$TMP/venv"
"$TMP/venv/bin/pip" install -q duckdb pyyaml
"$TMP/venv/bin/python" - "$SHARED/tuva-input-layer" "$TMP/tuva" <<'PY'
import sys, yaml, duckdb

defs, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
# Checks required whatever the YAML's severity says.
REQUIRED = {"dbt_utils.unique_combination_of_columns", "accepted_values",
            "expect_column_pair_values_A_to_be_greater_than_B",
            "expect_column_unique_value_count_to_be_between"}

def q(col):
    return '"' + col + '"'

def lit(v):
    return "'" + str(v).replace("'", "''") + "'"

def regex(r):
    # dbt renders the YAML's `\\d` into a warehouse string literal that unescapes it to `\d`;
    # DuckDB literals do not unescape, so do it here.
    return lit(r.replace("\\\\", "\\"))

def failing_rows(table, col, kind, a, types):
    """SQL counting the rows (or groups) that fail one test, or None if it cannot run here."""
    t = f"read_parquet('{out}/{table}.parquet')"
    cond = f" and ({a['row_condition']})" if a.get("row_condition") else ""
    c = q(col) if col else None
    if kind == "not_null":
        return f"select count(*) from {t} where {c} is null"
    if kind == "accepted_values":
        vals = [v for v in a["values"] if v is not None]
        expr = f"cast(cast({c} as integer) as varchar)" if types.get(col) == "BOOLEAN" else f"cast({c} as varchar)"
        return f"select count(*) from {t} where {c} is not null and {expr} not in ({', '.join(lit(v) for v in vals)})"
    if kind == "dbt_utils.unique_combination_of_columns":
        cols = ["plan" if "plan" in x else x for x in a["combination_of_columns"]]
        cs = ", ".join(q(x) for x in cols)
        return f"select count(*) from (select {cs}, count(*) n from {t} group by all having n > 1)"
    if kind == "expect_column_pair_values_A_to_be_greater_than_B":
        op = ">=" if a.get("or_equal") else ">"
        A, B = q(a["column_A"]), q(a["column_B"])
        return f"select count(*) from {t} where not ({A} {op} {B}){cond}"
    if kind == "expect_column_unique_value_count_to_be_between":
        lo, hi = a.get("min_value"), a.get("max_value")
        bad = " or ".join(x for x in [f"n < {lo}" if lo is not None else "", f"n > {hi}" if hi is not None else ""] if x)
        gb = a.get("group_by") or []
        where = f" where true{cond}" if cond else ""
        if gb:
            g = ", ".join(q(x) for x in gb)
            return f"select count(*) from (select {g}, count(distinct {c}) n from {t}{where} group by {g}) where {bad}"
        return f"select count(*) from (select count(distinct {c}) n from {t}{where}) where {bad}"
    if kind == "expect_column_values_to_be_between":
        parts = []
        if a.get("min_value") is not None: parts.append(f"{c} < {a['min_value']}")
        if a.get("max_value") is not None: parts.append(f"{c} > {a['max_value']}")
        return f"select count(*) from {t} where {c} is not null and ({' or '.join(parts)}){cond}"
    if kind in ("expect_column_value_lengths_to_equal", "dbt_expectations.expect_column_value_lengths_to_equal"):
        return f"select count(*) from {t} where {c} is not null and length({c}) <> {a['value']}{cond}"
    if kind == "expect_column_value_lengths_to_be_between":
        return f"select count(*) from {t} where {c} is not null and (length({c}) < {a['min_value']} or length({c}) > {a['max_value']}){cond}"
    if kind == "expect_column_values_to_match_regex":
        return f"select count(*) from {t} where {c} is not null and not regexp_matches({c}, {regex(a['regex'])}){cond}"
    if kind == "expect_column_values_to_match_regex_list":
        any_ = " or ".join(f"regexp_matches({c}, {regex(r)})" for r in a["regex_list"])
        return f"select count(*) from {t} where {c} is not null and not ({any_}){cond}"
    if kind == "warn_if_null_percentage_is_100":
        return f"select case when count({c}) = 0 then 1 else 0 end from {t}"
    if kind == "dbt_utils.expression_is_true":
        expr = a["expression"].replace("{{ dbt.type_string() }}", "varchar")
        return f"select count(*) from {t} where not ({c} {expr})"
    return None

TYPE_OK = {"date": {"DATE"}, "timestamp": {"TIMESTAMP WITH TIME ZONE", "TIMESTAMP"}}
failed = 0
for table in ["medical_claim", "pharmacy_claim", "eligibility"]:
    m = yaml.safe_load(open(f"{defs}/input_layer__{table}.yml"))["models"][0]
    types = dict(con.execute(f"select column_name, column_type from (describe select * from read_parquet('{out}/{table}.parquet'))").fetchall())
    rows = con.execute(f"select count(*) from read_parquet('{out}/{table}.parquet')").fetchone()[0]
    tests = [(None, t) for t in m.get("tests", [])] + [(c["name"], t) for c in m["columns"] for t in c.get("tests", [])]
    counts = {"pass": 0, "warn": 0, "fail": 0, "not run": 0}
    for col, t in tests:
        kind, v = (t, {}) if isinstance(t, str) else next(iter(t.items()))
        v = v or {}
        a = v.get("arguments", {}) or {}
        sev = (v.get("config") or {}).get("severity", "error")
        short = kind.replace("the_tuva_project.", "")
        if short == "expect_column_to_exist":
            bad = 0 if col in types else 1
        elif short == "expect_column_values_to_be_of_type":
            bad = 0 if types.get(col) in TYPE_OK.get(a["column_type"], {a["column_type"].upper()}) else 1
        elif short == "expect_column_values_to_be_in_type_list":
            bad = 0 if types.get(col, "").lower() in a["column_type_list"] else 1
        else:
            sql = failing_rows(table, col, short, a, types)
            if sql is None:
                counts["not run"] += 1
                print(f"  not run  {table}.{col or '*'} {short} (needs Tuva's terminology seeds)")
                continue
            bad = con.execute(sql).fetchone()[0]
        required = sev == "error" or short in REQUIRED or kind in REQUIRED
        if bad == 0:
            counts["pass"] += 1
        elif required:
            counts["fail"] += 1
            failed += 1
            print(f"  FAIL     {table}.{col or '*'} {short} {a or ''}: {bad} failing rows/groups")
        else:
            counts["warn"] += 1
            print(f"  warn     {table}.{col or '*'} {short}: {bad} rows/groups")
    print(f"{table}: {rows} rows; tests: {counts}")
sys.exit(1 if failed else 0)
PY
echo "tuva-check: all required Tuva data-quality tests pass"
