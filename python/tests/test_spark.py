"""bcda.spark in local[2]: the same rows as single-process bcda.view, and Spark SQL totals
equal to bcda stats'."""

import os
import sys
from decimal import Decimal

import pytest

import bcda


from pyspark.sql import SparkSession  # noqa: E402

import bcda.spark  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("bcda-py-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def rows_of(df) -> list:
    return sorted((tuple(r) for r in df.collect()), key=repr)


def table_rows(table) -> list:
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return sorted(zip(*cols), key=repr)


def test_several_files_and_one_file_in_ranges_equal_bcda_view(spark, several_files, exports):
    df = bcda.spark.read_view(spark, "eob_line", [several_files])
    assert df.schema == bcda.spark.spark_schema("eob_line")
    expected = bcda.view("eob_line", [several_files])
    assert expected.num_rows > 1000  # v1 and v2 lines
    assert rows_of(df) == table_rows(expected)

    path = exports["r4"] / "ExplanationOfBenefit.ndjson"
    items = bcda.spark.work_items([path], split_bytes=1 << 20)
    assert len(items) > 5 and all(s < e for _, s, e in items)
    split = bcda.spark.read_view(spark, "eob_line", [path], split_bytes=1 << 20, num_partitions=2)
    assert rows_of(split) == table_rows(bcda.view("eob_line", [path]))


def test_spark_sql_aggregate_equals_stats_per_type_totals(spark, exports):
    bcda.spark.read_view(spark, "eob", [exports["r4"]]).createOrReplaceTempView("eob")
    got = {
        r["claim_type"]: (r["claims"], r["paid"])
        for r in spark.sql(
            # bcda stats counts final claim versions only: superseded ones are cancelled.
            "SELECT lower(claim_type) AS claim_type, count(*) AS claims, sum(payment) AS paid "
            "FROM eob WHERE status NOT IN ('cancelled', 'entered-in-error') "
            "GROUP BY lower(claim_type)"
        ).collect()
    }
    stats = bcda.stats(exports["r4"])
    want = {
        t["claim_type"]: (t["claims"], Decimal(t["paid"]))
        for t in stats["claim_types"]
        if t["claims"]  # stats lists every type, some with no claim
    }
    totals = stats["totals"]
    assert sum(v[0] for v in want.values()) + totals["superseded"] == totals["resources"]["ExplanationOfBenefit"]
    assert {k: v[0] for k, v in got.items()} == {k: v[0] for k, v in want.items()}
    for claim_type, (_, paid) in want.items():
        if claim_type != "pde":  # a PDE carries no EOB payment: stats sums its plan-paid adjudication
            assert got[claim_type][1] == paid, claim_type


def test_bad_view_and_bad_path_fail_on_the_driver(spark, exports, tmp_path):
    with pytest.raises(bcda.ViewError):
        bcda.spark.read_view(spark, {"resourceType": "ViewDefinition", "resource": "Patient"}, [exports["r4"]])
    with pytest.raises(bcda.InputError):
        bcda.spark.read_view(spark, "eob", [tmp_path / "missing"])
