"""bcda from Python against the CLI, Polars, DuckDB and Spark's JSON reader (issue 18).

    python benches/py_compare.py FILE.ndjson [--bcda target/release/bcda] [--runs 3]
                                 [--threads 2] [--spark]

FILE is a v2 (R4) ExplanationOfBenefit NDJSON file (benches/view_compare.sh generates one of
about 1.1 GB from sandbox ACO A9991). The Python environment needs the bcda wheel built in
release mode (`pip install ./python`), pyarrow, polars, duckdb and, for --spark, pyspark.

Every contestant computes the `eob_line` view (crates/bcda-view/views/r4/eob_line.json): one
row per claim line with its claim columns, HCPCS / NDC / revenue / place-of-service codes
picked by code system, units, allowed and paid. Measured, with the median (min-max) of RUNS
runs, in one process so the machine's state is shared:

- bcda.view("eob_line") into a pyarrow.Table, and the CLI `bcda view --builtin eob_line
  --format arrow` (the ratio must be >= 0.9);
- polars.read_ndjson with an explicit schema of the same fields, then explode/select;
- DuckDB from Python: read_ndjson with explicit columns, UNNEST of the items, to Arrow;
- with --spark, in local[THREADS]: bcda.spark.read_view(...).count() against spark.read.json
  with the same explicit schema, explode and count.

Each comparison checks that both sides found the same rows (count, sum of `paid`, count of
`hcpcs`) and exits non-zero if not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

BB = "https://bluebutton.cms.gov/resources"
HCPCS = f"{BB}/codesystem/hcpcs"
PAID = f"{BB}/variables/line_nch_pmt_amt"
ADJ = f"{BB}/codesystem/adjudication"


def timed(fn, runs):
    """Median, min and max wall seconds of ``runs`` calls, and the last result."""
    walls, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - t)
    walls.sort()
    return statistics.median(walls), walls[0], walls[-1], result


def check(name, got, want):
    if got != want:
        sys.exit(f"MISMATCH {name}: {got} != {want}")


def summary_of_table(t):
    """(rows, sum of paid, non-null hcpcs) of an eob_line-shaped Arrow table."""
    import pyarrow.compute as pc

    paid = pc.sum(t.column("paid")).as_py() or Decimal(0)
    return t.num_rows, Decimal(paid).quantize(Decimal("0.01")), t.num_rows - t.column("hcpcs").null_count


def run_bcda(path, threads):
    import bcda

    return summary_of_table(bcda.view("eob_line", [path], threads=threads))


def run_cli(binary, path, threads, out):
    subprocess.run([binary, "view", "--builtin", "eob_line", path, "--format", "arrow", "--out", out,
                    "--threads", str(threads), "--quiet"], check=True)
    import pyarrow as pa

    with pa.memory_map(out) as src:
        return summary_of_table(pa.ipc.open_file(src).read_all())


def polars_query(path):
    import polars as pl

    coding = pl.List(pl.Struct({"system": pl.String, "code": pl.String}))
    item = pl.Struct({
        "sequence": pl.Int32, "servicedDate": pl.String,
        "servicedPeriod": pl.Struct({"start": pl.String, "end": pl.String}),
        "productOrService": pl.Struct({"coding": coding}),
        "revenue": pl.Struct({"coding": coding}),
        "locationCodeableConcept": pl.Struct({"coding": coding}),
        "quantity": pl.Struct({"value": pl.Float64}),
        "adjudication": pl.List(pl.Struct({
            "category": pl.Struct({"coding": coding}),
            # JSON numbers read as floats (polars has no exact decimal JSON reader), cast below.
            "amount": pl.Struct({"value": pl.Float64}),
        })),
    })
    schema = {
        "id": pl.String, "patient": pl.Struct({"reference": pl.String}), "status": pl.String,
        "meta": pl.Struct({"lastUpdated": pl.String}),
        "identifier": pl.List(pl.Struct({"system": pl.String, "value": pl.String})),
        "type": pl.Struct({"coding": coding}), "item": pl.List(item),
    }

    def code(col, system):
        return col.list.eval(pl.element().filter(pl.element().struct.field("system") == system)
                             .struct.field("code")).list.first()

    def adj(var):
        hit = pl.element().struct.field("category").struct.field("coding").list.eval(
            (pl.element().struct.field("system") == ADJ) & (pl.element().struct.field("code") == f"{BB}/variables/{var}")
        ).list.any()
        return pl.col("it").struct.field("adjudication").list.eval(
            pl.element().filter(hit).struct.field("amount").struct.field("value")
        ).list.first().cast(pl.Decimal(38, 6))

    it = pl.col("it")
    df = (pl.read_ndjson(path, schema=schema).explode("item").rename({"item": "it"})
          .filter(it.is_not_null())
          .select(
              "id", pl.col("patient").struct.field("reference").alias("patient"), "status",
              pl.col("meta").struct.field("lastUpdated").alias("last_updated"),
              code(pl.col("type").struct.field("coding"), f"{BB}/codesystem/eob-type").alias("claim_type"),
              it.struct.field("sequence").alias("sequence"),
              it.struct.field("servicedDate").alias("service_date"),
              code(it.struct.field("productOrService").struct.field("coding"), HCPCS).alias("hcpcs"),
              code(it.struct.field("productOrService").struct.field("coding"), "http://hl7.org/fhir/sid/ndc").alias("ndc"),
              it.struct.field("quantity").struct.field("value").alias("units"),
              adj("line_alowd_chrg_amt").alias("allowed"),
              adj("line_nch_pmt_amt").alias("paid"),
          ))
    return summary_of_table(df.to_arrow())


DUCK_ITEM = ("STRUCT(sequence INTEGER, servicedDate VARCHAR, servicedPeriod STRUCT(\"start\" VARCHAR, \"end\" VARCHAR), "
             "productOrService STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[]), "
             "revenue STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[]), "
             "locationCodeableConcept STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[]), "
             "quantity STRUCT(value DECIMAL(38,6)), "
             "adjudication STRUCT(category STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[]), "
             "amount STRUCT(value DECIMAL(38,6)))[])[]")


def duckdb_query(path, threads):
    import duckdb

    def code(coding, system):
        return f"list_filter({coding}, lambda c: c.system = '{system}')[1].code"

    def adj(var):
        return (f"list_filter(it.adjudication, lambda a: len(list_filter(a.category.coding, lambda c: "
                f"c.system = '{ADJ}' and c.code = '{BB}/variables/{var}')) > 0)[1].amount.value")

    columns = ("{id: 'VARCHAR', patient: 'STRUCT(reference VARCHAR)', status: 'VARCHAR', "
               "meta: 'STRUCT(lastUpdated VARCHAR)', type: 'STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[])', "
               f"item: '{DUCK_ITEM}'}}")
    sql = f"""SELECT id, patient.reference AS patient, status, meta.lastUpdated AS last_updated,
      {code('type.coding', BB + '/codesystem/eob-type')} AS claim_type,
      it.sequence AS sequence, it.servicedDate AS service_date,
      {code('it.productOrService.coding', HCPCS)} AS hcpcs,
      {code('it.productOrService.coding', 'http://hl7.org/fhir/sid/ndc')} AS ndc,
      it.quantity.value AS units, {adj('line_alowd_chrg_amt')} AS allowed, {adj('line_nch_pmt_amt')} AS paid
      FROM (SELECT *, unnest(item) AS it FROM read_ndjson('{path}', columns = {columns}))"""
    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    return summary_of_table(con.sql(sql).to_arrow_table())


def spark_compare(path, threads, runs, mb):
    import bcda.spark
    from pyspark.sql import SparkSession, functions as F

    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (SparkSession.builder.master(f"local[{threads}]").config("spark.ui.enabled", "false")
             .config("spark.driver.memory", "4g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    schema = ("id STRING, item ARRAY<STRUCT<sequence: INT, productOrService: STRUCT<coding: "
              "ARRAY<STRUCT<system: STRING, code: STRING>>>>>")

    def ours():
        return bcda.spark.read_view(spark, "eob_line", [path], split_bytes=64 << 20).count()

    def theirs():
        df = spark.read.schema(schema).json(path)
        return df.select("id", F.explode("item").alias("it")).count()

    b = timed(ours, runs)
    s = timed(theirs, runs)
    check("spark rows", b[3], s[3])
    report("spark: bcda.spark.read_view + count", b, mb)
    report("spark: spark.read.json + explode + count", s, mb)
    print(f"  ratio spark.read.json / bcda.spark: {s[0] / b[0]:.2f}x")
    spark.stop()


def report(name, r, mb):
    med, lo, hi, _ = r
    print(f"  {name:<46} {med:7.2f} s ({lo:.2f}-{hi:.2f})  {mb / med:7.0f} MB/s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--bcda", default="target/release/bcda")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--spark", action="store_true")
    args = ap.parse_args()
    mb = os.path.getsize(args.file) / 1e6
    cpu = open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].splitlines()[0].strip()
    print(f"input: {args.file} ({mb:,.0f} MB), threads {args.threads}, {args.runs} runs, "
          f"medians (min-max); CPU: {cpu}")
    b = timed(lambda: run_bcda(args.file, args.threads), args.runs)
    c = None
    if os.access(args.bcda, os.X_OK):
        with tempfile.TemporaryDirectory() as tmp:
            c = timed(lambda: run_cli(args.bcda, args.file, args.threads, f"{tmp}/out.arrow"), args.runs)
        check("bcda.view vs CLI", b[3], c[3])
    else:
        print(f"  (no CLI at {args.bcda}: the CLI comparison is skipped)")
    p = timed(lambda: polars_query(args.file), args.runs)
    d = timed(lambda: duckdb_query(args.file, args.threads), args.runs)
    check("bcda.view vs polars (rows, paid)", b[3][:2], p[3][:2])
    check("bcda.view vs duckdb", b[3], d[3])
    report("bcda.view('eob_line') -> pyarrow.Table", b, mb)
    if c is not None:
        report("bcda view --builtin eob_line --format arrow", c, mb)
        print(f"  bcda.view / CLI throughput: {c[0] / b[0]:.2f}")
    report("polars.read_ndjson(schema) + explode/select", p, mb)
    report("duckdb read_ndjson + unnest -> arrow", d, mb)
    print(f"  polars / bcda.view: {p[0] / b[0]:.2f}x  duckdb / bcda.view: {d[0] / b[0]:.2f}x")
    print(f"  rows {b[3][0]:,}, paid {b[3][1]}, hcpcs {b[3][2]:,} (equal on every side)")
    if args.spark:
        spark_compare(args.file, args.threads, args.runs, mb)


if __name__ == "__main__":
    main()
