"""BCDA bulk exports in Python: SQL on FHIR views as Arrow tables, claims statistics.

The engine is bcda-rs (Rust): NDJSON files are memory-mapped and read on all cores; only the
fields a view touches are decoded. Results cross into Python through the Arrow C data
interface, without a copy, so ``polars.from_arrow(t)`` and ``duckdb.arrow(t)`` use them
directly.

    >>> import bcda
    >>> t = bcda.view("eob_line", ["export/"])          # a pyarrow.Table
    >>> bcda.report(t)["bad_lines"]                      # bad lines are reported, not raised
    0
    >>> for batch in bcda.view_batches("eob_line", ["export/"]):   # bounded memory
    ...     ...

``view`` is a ViewDefinition (SQL on FHIR v2) as a dict, a JSON string, a path to a JSON
file, or a built-in name (see :func:`builtin_views`). The GIL is released while the engine
runs and Ctrl-C interrupts a long run.

Spark: :mod:`bcda.spark`.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import pyarrow as pa

from . import _bcda
from ._bcda import InputError, ViewError

__all__ = [
    "InputError",
    "ViewError",
    "builtin_views",
    "report",
    "schema",
    "stats",
    "view",
    "view_batches",
]

#: The schema metadata key under which :func:`view` stores the run's report (JSON).
REPORT_KEY = b"bcda.report"

ViewLike = Union[str, "os.PathLike[str]", Dict[str, Any]]
PathLike = Union[str, "os.PathLike[str]", Tuple[Union[str, "os.PathLike[str]"], int, int]]
PathSpec = Tuple[str, Optional[Tuple[int, int]]]


def _view_text(view: ViewLike) -> str:
    """The view as the engine takes it: JSON text, a built-in name or a path."""
    if isinstance(view, dict):
        return json.dumps(view)
    if isinstance(view, (str, os.PathLike)):
        return os.fspath(view)
    raise TypeError(
        "view must be a dict, a JSON string, a path or a built-in name, "
        f"not {type(view).__name__}"
    )


def _path_specs(paths: Union[PathLike, Iterable[PathLike]]) -> List[PathSpec]:
    """Paths (files or directories) and byte ranges ``(path, start, end)``."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    specs: List[PathSpec] = []
    for p in paths:
        if isinstance(p, tuple):
            path, start, end = p
            specs.append((os.fspath(path), (int(start), int(end))))
        elif isinstance(p, (str, os.PathLike)):
            specs.append((os.fspath(p), None))
        else:
            raise TypeError(f"a path must be a str, a PathLike or (path, start, end), not {p!r}")
    return specs


def builtin_views() -> List[str]:
    """Names of the built-in views (``patient``, ``coverage``, ``eob``, ``eob_line``, ...)."""
    return list(_bcda.builtin_names())


def schema(view: ViewLike) -> pa.Schema:
    """The Arrow schema of ``view``'s rows, without reading any data.

    Raises :class:`ViewError` (message with the JSON path inside the view) when the view is
    invalid.
    """
    return _bcda.view_schema(_view_text(view))


class _Batches:
    """Iterator over a running view's batches; fills ``report`` at the end."""

    def __init__(self, stream: Any, report: Optional[Dict[str, Any]]) -> None:
        self._stream = stream
        self._report = report

    def __iter__(self) -> "_Batches":
        return self

    def __next__(self) -> pa.RecordBatch:
        try:
            batch = self._stream.next_batch()
        except BaseException:
            self._stream.cancel()
            raise
        if batch is None:
            if self._report is not None:
                self._report.update(json.loads(self._stream.report_json()))
            raise StopIteration
        return batch


def view_batches(
    view: ViewLike,
    paths: Union[PathLike, Iterable[PathLike]],
    threads: Optional[int] = None,
    report: Optional[Dict[str, Any]] = None,
) -> pa.RecordBatchReader:
    """Runs ``view`` over ``paths`` as a stream of record batches (bounded memory).

    ``paths``: files or directories of a bulk export (``*.ndjson``, ``*.ndjson.gz``, ``*.json``,
    ``manifest.json``), or byte ranges ``(path, start, end)`` of plain NDJSON files (a range
    holds the lines that begin inside it). ``threads``: engine threads (default: one per core).
    Rows come in no particular order. When ``report`` is a dict, it receives the run's report
    (see :func:`report`) once the stream is exhausted.

    Raises :class:`ViewError` for an invalid view, :class:`InputError` for an unreadable input.
    """
    stream = _bcda.open_view(_view_text(view), _path_specs(paths), threads)
    return pa.RecordBatchReader.from_batches(stream.schema, _Batches(stream, report))


def view(
    view: ViewLike,
    paths: Union[PathLike, Iterable[PathLike]],
    threads: Optional[int] = None,
) -> pa.Table:
    """Runs ``view`` over ``paths`` into a ``pyarrow.Table`` (the engine's batches, not copied).

    Bad lines do not raise: they are skipped and listed in the table's report,
    ``bcda.report(table)`` (``bad_lines``, ``issues`` with file, line, column, JSON path and
    message, as ``bcda stats`` prints them). See :func:`view_batches` for the arguments.
    """
    stream = _bcda.open_view(_view_text(view), _path_specs(paths), threads)
    batches = []
    try:
        while True:
            batch = stream.next_batch()
            if batch is None:
                break
            batches.append(batch)
    except BaseException:
        stream.cancel()
        raise
    meta = dict(stream.schema.metadata or {})
    meta[REPORT_KEY] = stream.report_json().encode()
    return pa.Table.from_batches(batches, schema=stream.schema.with_metadata(meta))


def report(table: pa.Table) -> Dict[str, Any]:
    """The report of the run that made ``table`` (from :func:`view`): ``rows``, ``lines``,
    ``records``, ``bad_lines``, ``errors``, ``issue_counts`` and ``issues`` (each with
    ``file``, ``line``, ``column``, ``json_path``, ``message`` and the ``text`` that
    ``bcda stats`` prints)."""
    meta = table.schema.metadata or {}
    if REPORT_KEY not in meta:
        raise ValueError("this table was not made by bcda.view (no bcda.report metadata)")
    return json.loads(meta[REPORT_KEY])


def stats(
    paths: Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]],
    top: int = 10,
    threads: Optional[int] = None,
) -> Dict[str, Any]:
    """``bcda stats --format json``: the ``bcda-stats/1`` report as Python objects.

    Raises :class:`InputError` when an input cannot be read.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return json.loads(_bcda.stats_json([os.fspath(p) for p in paths], top, threads))
