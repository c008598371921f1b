"""bcda-rs inside Apache Spark: Spark schedules, retries and shuffles; bcda-rs parses.

:func:`read_view` turns a list of export files (local paths on every node, or a shared file
system mounted at the same path) into a DataFrame of work items, one per file or per
line-aligned byte range of a large plain NDJSON file, distributed over the executors. Each
task runs :func:`bcda.view_batches` on its items inside ``mapInArrow``; the DataFrame's
schema comes from the view, so nothing is inferred and no JSON is parsed by Spark.

Recipe: an export directory to a partitioned Parquet dataset, then Spark SQL::

    from pyspark.sql import SparkSession
    import bcda.spark

    spark = SparkSession.builder.master("local[*]").getOrCreate()
    lines = bcda.spark.read_view(spark, "eob_line", ["/data/bcda/export"])
    (lines.withColumn("month", lines.service_date.substr(1, 7))
          .write.partitionBy("month").mode("overwrite").parquet("/data/eob_line.parquet"))

    spark.read.parquet("/data/eob_line.parquet").createOrReplaceTempView("eob_line")
    spark.sql('''SELECT month, hcpcs, count(*) AS n, sum(paid) AS paid
                 FROM eob_line GROUP BY month, hcpcs ORDER BY paid DESC''').show()

Every executor needs the ``bcda`` package installed (``pip install``, or the wheel shipped
with ``--py-files``/an archive) and read access to the files. Bad lines are skipped, as by
:func:`bcda.view`; their report goes to the executor's stderr.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import pyarrow as pa

import bcda
from bcda import _bcda

__all__ = ["DEFAULT_SPLIT_BYTES", "read_view", "spark_schema", "work_items"]

#: Plain NDJSON files larger than this are split into byte ranges of this size.
DEFAULT_SPLIT_BYTES = 128 << 20

Paths = Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]]


def _portable_view(view: bcda.ViewLike) -> str:
    """The view as text every executor can load: JSON or a built-in name (a view file is
    read here, on the driver, so executors need not see it)."""
    text = bcda._view_text(view)
    if text.lstrip().startswith("{") or text in bcda.builtin_views():
        return text
    try:
        with open(text, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise bcda.ViewError(
            f"view {text!r} is not ViewDefinition JSON, not a built-in view "
            f"({', '.join(bcda.builtin_views())}), and not a readable file: {e}"
        ) from e


def spark_schema(view: bcda.ViewLike) -> Any:
    """The Spark ``StructType`` of ``view``'s rows (from its Arrow schema)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(bcda.schema(view))


def work_items(paths: Paths, split_bytes: int = DEFAULT_SPLIT_BYTES) -> List[Tuple[str, int, int]]:
    """The work items of ``paths``: ``(path, start, end)`` per file, plain NDJSON files larger
    than ``split_bytes`` cut into byte ranges (gzip files stay whole)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return list(_bcda.split_ranges([os.fspath(p) for p in paths], int(split_bytes)))


def _item_spec(path: str, start: int, end: int) -> bcda.PathLike:
    """A whole file as its path, else the byte range."""
    if start == 0 and end >= os.path.getsize(path):
        return path
    return (path, start, end)


def _runner(view: str, threads: int, target: pa.Schema):
    """The ``mapInArrow`` function: runs the view on each work item of its batches."""

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for items in batches:
            columns = items.to_pydict()
            for path, start, end in zip(columns["path"], columns["start"], columns["end"]):
                report: Dict[str, Any] = {}
                spec = _item_spec(path, start, end)
                for batch in bcda.view_batches(view, [spec], threads=threads, report=report):
                    yield _conform(batch, target)
                if report.get("issues"):
                    for issue in report["issues"]:
                        print(issue["text"], file=sys.stderr)

    return run


def _conform(batch: pa.RecordBatch, target: pa.Schema) -> pa.RecordBatch:
    """``batch`` with the types Spark expects (Spark may ask for large strings or lists)."""
    if batch.schema.equals(target):
        return batch
    arrays = [col.cast(field.type) for col, field in zip(batch.columns, target)]
    return pa.RecordBatch.from_arrays(arrays, schema=target)


def read_view(
    spark: Any,
    view: bcda.ViewLike,
    paths: Paths,
    num_partitions: Optional[int] = None,
    split_bytes: int = DEFAULT_SPLIT_BYTES,
    threads: int = 1,
) -> Any:
    """``view`` over the export files under ``paths`` as a Spark DataFrame.

    Files are found on the driver as :func:`bcda.view` finds them (directories walked in
    sorted order); plain NDJSON files larger than ``split_bytes`` are split into line-aligned
    byte ranges. The work items are spread over ``num_partitions`` tasks (default: one per
    item, at most ``spark.sparkContext.defaultParallelism``); each task runs the engine with
    ``threads`` threads (Spark already runs one task per core). The schema comes from the
    view: :class:`bcda.ViewError` is raised on the driver for an invalid view and
    :class:`bcda.InputError` for an unreadable path.
    """
    text = _portable_view(view)
    arrow_schema = bcda.schema(text)
    struct = spark_schema(text)
    items = work_items(paths, split_bytes)
    parallelism = spark.sparkContext.defaultParallelism
    n = num_partitions or max(1, min(len(items), parallelism))
    work = spark.sparkContext.parallelize(items, n).toDF("path string, start long, end long")
    target = _target_schema(spark, arrow_schema)
    return work.mapInArrow(_runner(text, threads, target), struct)


def _target_schema(spark: Any, arrow_schema: pa.Schema) -> pa.Schema:
    """The Arrow schema Spark wants back from ``mapInArrow``: large string/list types when
    ``spark.sql.execution.arrow.useLargeVarTypes`` is on."""
    large = str(spark.conf.get("spark.sql.execution.arrow.useLargeVarTypes", "false")).lower()
    if large != "true":
        return arrow_schema
    return pa.schema([pa.field(f.name, _large(f.type), f.nullable) for f in arrow_schema])


def _large(t: pa.DataType) -> pa.DataType:
    if pa.types.is_string(t):
        return pa.large_string()
    if pa.types.is_list(t):
        return pa.large_list(_large(t.value_type))
    return t
