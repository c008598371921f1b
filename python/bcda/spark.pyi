"""Type stubs of bcda.spark (see bcda/spark.py for the documentation and the recipe)."""

import os
from typing import Any, List, Optional, Sequence, Tuple, Union

from . import ViewLike

DEFAULT_SPLIT_BYTES: int
Paths = Union[str, os.PathLike[str], Sequence[Union[str, os.PathLike[str]]]]

def spark_schema(view: ViewLike) -> Any: ...
def work_items(paths: Paths, split_bytes: int = ...) -> List[Tuple[str, int, int]]: ...
def read_view(
    spark: Any,
    view: ViewLike,
    paths: Paths,
    num_partitions: Optional[int] = None,
    split_bytes: int = ...,
    threads: int = 1,
) -> Any: ...
