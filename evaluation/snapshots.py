"""Reading evaluation snapshots: manifests, results and the history across snapshots.

A snapshot is a folder written by :mod:`evaluation.runs` (``snapshots/<UTC timestamp>/``) with a
``manifest.json`` and one folder per run holding ``results.json``. Folders still being written
(``.<id>.partial``) and hidden folders are ignored, so a reader never sees half a snapshot.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

__all__ = ["list_snapshots", "read_manifest", "read_results", "flatten", "history", "latest"]


def list_snapshots(root: str | os.PathLike = "snapshots") -> list[Path]:
    """Complete or incomplete (but finished) snapshot folders under ``root``, oldest first.

    Examples
    --------
    >>> list_snapshots("/nonexistent")
    []
    """
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").exists())


def read_manifest(snapshot: str | os.PathLike) -> dict[str, Any]:
    """The parsed ``manifest.json`` of a snapshot."""
    return json.loads((Path(snapshot) / "manifest.json").read_text(encoding="utf-8"))


def read_results(snapshot: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """``{run name: results dict}`` for every run of the snapshot that wrote ``results.json``."""
    snapshot = Path(snapshot)
    out = {}
    for run in read_manifest(snapshot)["runs"]:
        path = snapshot / run["folder"] / "results.json"
        if path.exists():
            out[run["name"]] = json.loads(path.read_text(encoding="utf-8"))
    return out


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield ``(dotted key, leaf)`` pairs of nested dicts/lists.

    Examples
    --------
    >>> list(flatten({"a": {"b": 1, "c": [2, 3]}}))
    [('a.b', 1), ('a.c.0', 2), ('a.c.1', 3)]
    """
    if isinstance(value, dict):
        for k, v in value.items():
            yield from flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from flatten(v, f"{prefix}.{i}" if prefix else str(i))
    else:
        yield prefix, value


def history(root: str | os.PathLike = "snapshots") -> pd.DataFrame:
    """Every snapshot's headline results in one long DataFrame, for trends across snapshots.

    Columns: ``snapshot`` (id), ``created`` (UTC timestamp), ``status`` (snapshot status),
    ``run`` (run name), ``runfile`` (stem), ``notebook`` (stem), ``forbund`` (the run's ``forbund``
    parameter, empty when none), ``key`` (dotted result key), ``value`` (leaf as given),
    ``value_num`` (float when numeric, else NaN). Runs that failed contribute nothing.

    Examples
    --------
    >>> history("/nonexistent").columns.tolist()[:4]
    ['snapshot', 'created', 'status', 'run']
    """
    cols = ["snapshot", "created", "status", "run", "runfile", "notebook", "forbund", "key", "value", "value_num"]
    rows = []
    for snap in list_snapshots(root):
        manifest = read_manifest(snap)
        results = read_results(snap)
        for run in manifest["runs"]:
            if run["status"] != "ok" or run["name"] not in results:
                continue
            for key, value in flatten(results[run["name"]]):
                num = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else float("nan")
                rows.append([manifest["snapshot"], manifest["created"], manifest["status"], run["name"],
                             Path(run["runfile"]).stem, Path(run["notebook"]).stem,
                             str(run.get("parameters", {}).get("forbund", "")), key, value, num])
    df = pd.DataFrame(rows, columns=cols)
    df["created"] = pd.to_datetime(df["created"], utc=True)
    return df


def latest(root: str | os.PathLike = "snapshots", complete_only: bool = False) -> Path | None:
    """The newest snapshot folder (optionally only complete ones), or None."""
    snaps = list_snapshots(root)
    if complete_only:
        snaps = [s for s in snaps if read_manifest(s).get("status") == "complete"]
    return snaps[-1] if snaps else None
