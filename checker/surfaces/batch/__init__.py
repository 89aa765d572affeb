"""Batch scoring: many adverts through ``check``, in input order, on all cores or a Dask cluster.

``run_batch(options)`` (checker.surfaces.batch.run) reads the input, scores it in chunks through
an engine (checker.surfaces.batch.engines) and writes each outcome in input order; the rows and
the compact format are checker.surfaces.batch.rows'.
"""

from checker.surfaces.batch.rows import expand_row, format_row, passages_path, score_chunk
from checker.surfaces.batch.run import BatchOptions, BatchSummary, run_batch

__all__ = ["BatchOptions", "BatchSummary", "run_batch", "expand_row", "format_row",
           "passages_path", "score_chunk"]
