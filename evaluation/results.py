"""Headline results that a notebook records for its evaluation snapshot.

Every analysis notebook ends by calling :func:`save` with a flat-ish dict of its headline
numbers. The runner (:mod:`evaluation.runs`) passes ``results_path`` as a papermill parameter
and collects the file into the snapshot as ``results.json``; :func:`evaluation.snapshots.history`
reads them back across snapshots. When ``results_path`` is empty (interactive use) nothing is
written.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["to_jsonable", "save", "load"]


def to_jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars, frames and dates into plain JSON values.

    NaN, NA and infinities become ``None`` (JSON has no NaN). DataFrames become a list of
    records; Series a dict.

    Examples
    --------
    >>> to_jsonable({"n": np.int64(3), "p": float("nan"), "d": pd.Timestamp("2024-01-31")})
    {'n': 3, 'p': None, 'd': '2024-01-31'}
    """
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        if pd.isna(value):
            return None
        ts = pd.Timestamp(value)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return None if (math.isnan(f) or math.isinf(f)) else f
    return value


def save(results_path: str | os.PathLike | None, results: dict[str, Any]) -> None:
    """Write ``results`` as JSON to ``results_path`` (nothing when the path is empty).

    Parameters
    ----------
    results_path : str or path or None
        Target file, normally given by the runner as the notebook parameter ``results_path``.
    results : dict
        Headline results; keys are documented per notebook in the README.

    Returns nothing, so that a notebook ending with ``save(...)`` shows no output (the path is
    internal to the runner and must not appear in the report).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "results.json"
    >>> save(p, {"antal": np.int64(5)})
    >>> p.read_text()
    '{\\n  "antal": 5\\n}'
    """
    if not results_path:
        return
    path = Path(results_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_jsonable(results), ensure_ascii=False, indent=2), encoding="utf-8")


def load(results_path: str | os.PathLike) -> dict[str, Any]:
    """Read a ``results.json`` written by :func:`save`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.json"
    >>> save(p, {"a": 1})
    >>> load(p)
    {'a': 1}
    """
    return json.loads(Path(results_path).read_text(encoding="utf-8"))
