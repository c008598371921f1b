"""Type stubs of the bcda package (see bcda/__init__.py for the documentation)."""

import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import pyarrow as pa

from ._bcda import InputError as InputError, ViewError as ViewError

REPORT_KEY: bytes

ViewLike = Union[str, os.PathLike[str], Dict[str, Any]]
PathLike = Union[str, os.PathLike[str], Tuple[Union[str, os.PathLike[str]], int, int]]

def builtin_views() -> List[str]: ...
def schema(view: ViewLike) -> pa.Schema: ...
def view_batches(
    view: ViewLike,
    paths: Union[PathLike, Iterable[PathLike]],
    threads: Optional[int] = None,
    report: Optional[Dict[str, Any]] = None,
) -> pa.RecordBatchReader: ...
def view(
    view: ViewLike,
    paths: Union[PathLike, Iterable[PathLike]],
    threads: Optional[int] = None,
) -> pa.Table: ...
def report(table: pa.Table) -> Dict[str, Any]: ...
def stats(
    paths: Union[str, os.PathLike[str], Sequence[Union[str, os.PathLike[str]]]],
    top: int = 10,
    threads: Optional[int] = None,
) -> Dict[str, Any]: ...
