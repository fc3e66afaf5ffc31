"""Swedish (default) and English labels for everything a board reads.

All board-facing strings come from one labels table: the CSV files in
``evaluation/data/etiketter/`` (columns ``nyckel, sv, en``; one file per domain module so
that modules can be reviewed apart), read together into one table. Codes of controlled
vocabularies are labelled through :func:`evaluation.vocabulary.label`.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

__all__ = ["t", "labels_table", "LANGUAGES"]

LANGUAGES = ("sv", "en")


@lru_cache(maxsize=None)
def labels_table() -> pd.DataFrame:
    """Return the whole labels table, indexed by ``nyckel`` (columns ``sv``, ``en``, ``fil``).

    Raises ``ValueError`` when a key is defined twice (in one file or across files).

    Examples
    --------
    >>> labels_table().loc["suppressed", "sv"]
    'Undertryckt (n < 5)'
    """
    frames = []
    folder = resources.files("evaluation").joinpath("data/etiketter")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".csv"):
            continue
        with entry.open("r", encoding="utf-8") as fh:
            df = pd.read_csv(fh, dtype=str, keep_default_na=False)
        df["fil"] = entry.name
        frames.append(df)
    table = pd.concat(frames, ignore_index=True)
    dup = table[table.duplicated("nyckel", keep=False)]
    if not dup.empty:
        raise ValueError(f"label keys defined twice: {sorted(set(dup['nyckel']))} in {sorted(set(dup['fil']))}")
    return table.set_index("nyckel")


def t(key: str, lang: str = "sv", **fmt) -> str:
    """Translate a label key into Swedish (default) or English, with optional ``str.format`` fields.

    Parameters
    ----------
    key : str
        Label key, e.g. ``"n"`` or ``"kasam.total"``.
    lang : {"sv", "en"}
        Language; Swedish is the default because boards read Swedish.
    **fmt
        Values for ``{placeholders}`` in the label.

    Examples
    --------
    >>> t("suppressed")
    'Undertryckt (n < 5)'
    >>> t("suppressed", lang="en")
    'Suppressed (n < 5)'
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    table = labels_table()
    if key not in table.index:
        raise KeyError(f"no label {key!r}; add it to a file in evaluation/data/etiketter/")
    text = table.at[key, lang] or table.at[key, "sv"]
    return text.format(**fmt) if fmt else text
