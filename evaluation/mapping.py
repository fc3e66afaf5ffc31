"""Mapping files and value parsers used by :mod:`evaluation.io`.

A *mapping file* (``mappningar/*.yaml``, format in CONTRIBUTING.md "Mapping files") tells the
importer how one source (a case-system export, a survey tool) names its columns and labels:

.. code-block:: yaml

    entity: episoder
    source: Verksamhetssystem Söderå (export)
    read: {delimiter: ";", encoding: cp1252, decimal: ",", dayfirst: true}
    columns: {"Personnummer": personnummer, "Ärende-ID": episod_id, "Kön": kon}
    values: {kon: {Kvinna: kvinna, Man: man}, fodd_i_sverige: {Ja: true, Nej: false}}
    multi: {forsorjning_fore: ", "}
    constants: {forbund: Söderå}
    missing: [9, 99]                      # codes meaning "missing" (or per column: {soc29_1: [9]})
    derive:                               # columns built from others after conversion
      episod_id: "{deltagare_id}/{insats}/{inskrivningsdatum}"
      fodelsear: personnummer             # birth year taken from the personnummer

``read`` also takes ``sheet`` and ``header_row`` (XLSX), ``date_range: [1990-01-01, 2030-12-31]``
and ``excel_serials: true`` (numbers in a text date column are Excel serials).

The default synonyms (``evaluation/data/mappningar/standard.yaml``) are used when no mapping is
given or a mapping leaves a column or label out. On top of them, every code of a controlled
vocabulary and its Swedish label (``vokabular.yaml``, ``avslutsorsaker.csv``) is accepted,
case-insensitively. Nothing else is guessed: an unknown header is reported as unmapped and an
unknown label in a controlled column rejects its row.

The parsers here work on the *unique* values of a column and map the result back, so a
200 000-row column with a few hundred distinct dates costs a few hundred parses.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import yaml

from .errors import EvaluationError
from .vocabulary import codes, exit_reasons, vocabulary
from .errors import EvaluationError

__all__ = [
    "Mapping",
    "MappingError",
    "load_mapping",
    "standard_mapping",
    "normalise",
    "column_vocabularies",
    "label_lookup",
    "boolean_lookup",
    "parse_dates",
    "parse_date",
    "parse_numbers",
    "map_uniques",
    "MULTI_COLUMNS",
]

#: Controlled vocabulary of each categorical model column, per entity.
COLUMN_VOCAB: dict[str, dict[str, str]] = {
    "episoder": {
        "kon": "kon",
        "utbildningsniva": "utbildningsniva",
        "avslutsorsak": "avslutsorsak",
        "sysselsattning_fore": "sysselsattning",
        "sysselsattning_efter": "sysselsattning",
        "forsorjning_fore": "forsorjning",
        "forsorjning_efter": "forsorjning",
    },
    "handelser": {"handelse": "handelse"},
    "enkatsvar": {"respondentgrupp": "respondentgrupp", "tidpunkt": "tidpunkt", "kon": "kon"},
    "segment": {"niva": "niva"},
    "enhetskostnader": {"aktor": "aktor", "enhet": "enhet", "typ": "kostnadstyp"},
    "rapporterat": {"proveniens": "proveniens"},
}

#: Multi-valued model columns (codes joined by ``|`` in the model).
MULTI_COLUMNS: frozenset[str] = frozenset({"forsorjning_fore", "forsorjning_efter"})


class MappingError(EvaluationError, ValueError):
    """A mapping file is malformed or does not fit the entity being imported."""


def normalise(text: Any) -> str:
    """Normalise a header or label for case-insensitive matching.

    Strips a byte-order mark and surrounding whitespace, collapses inner whitespace and
    case-folds; å/ä/ö are kept (``"Kön"`` and ``"Kon"`` are different keys, both listed in
    the default synonyms).

    Examples
    --------
    >>> normalise("  Inskrivnings  Datum\\ufeff")
    'inskrivnings datum'
    """
    return " ".join(str(text).replace("\ufeff", "").split()).casefold()


@dataclass
class Mapping:
    """A parsed mapping file (see the module docstring for the YAML format).

    Attributes
    ----------
    entity : str or None
        Entity (schema name) the mapping is for; ``None`` = any.
    source : str
        Free-text description of the source.
    read : dict
        Reader options: ``delimiter``, ``encoding``, ``decimal``, ``dayfirst``, ``sheet``.
    columns : dict
        Source header -> model column (``None`` = ignore the column on purpose).
    values : dict
        Model column -> {source label -> code}.
    multi : dict
        Model column -> separator(s) of multi-valued source cells.
    constants : dict
        Model column -> constant value for columns the export lacks.
    missing : list or dict
        Codes that mean "missing" (all columns), or source/model column -> codes.
    derive : dict
        Model column -> template over model columns (``"{deltagare_id}/{insats}"``), or
        ``personnummer`` for ``fodelsear`` (birth year from the personnummer).
    """

    entity: str | None = None
    source: str = ""
    read: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    multi: dict = field(default_factory=dict)
    constants: dict = field(default_factory=dict)
    path: str = ""
    missing: Any = None
    derive: dict = field(default_factory=dict)


_MAPPING_KEYS = {"entity", "source", "read", "columns", "values", "multi", "constants", "missing", "derive"}


def load_mapping(spec: "Mapping | dict | str | Path | None") -> Mapping:
    """Read a mapping file (YAML path), a dict in the same shape, or pass a :class:`Mapping` through.

    Parameters
    ----------
    spec : Mapping, dict, str or path, or None
        ``None`` gives an empty mapping (only the default synonyms apply).

    Returns
    -------
    Mapping

    Raises
    ------
    MappingError
        Unknown top-level keys or sections that are not dictionaries.

    Examples
    --------
    >>> m = load_mapping({"entity": "episoder", "columns": {"Kön": "kon"}})
    >>> m.columns
    {'Kön': 'kon'}
    """
    if spec is None:
        return Mapping()
    if isinstance(spec, Mapping):
        return spec
    path = ""
    if isinstance(spec, (str, Path)):
        path = str(spec)
        try:
            spec = yaml.safe_load(Path(spec).read_text(encoding="utf-8")) or {}
        except (FileNotFoundError, IsADirectoryError):
            raise MappingError(f"mappningsfilen {path} finns inte; kontrollera sökvägen") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise MappingError(f"mappningsfilen {path} är inte giltig YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(spec, dict):
        raise MappingError(f"mappningen {path or spec!r} måste vara en YAML-ordlista (nyckel: värde)")
    unknown = set(spec) - _MAPPING_KEYS
    if unknown:
        raise MappingError(f"mappningen {path}: okända nycklar {sorted(unknown)}; tillåtna: {sorted(_MAPPING_KEYS)}")
    for key in ("read", "columns", "values", "multi", "constants", "derive"):
        if spec.get(key) is not None and not isinstance(spec[key], dict):
            raise MappingError(f"mappningen {path}: '{key}' måste vara en ordlista")
    for col, vals in (spec.get("values") or {}).items():
        if vals is not None and not isinstance(vals, dict):
            raise MappingError(f"mappningen {path}: values: {col}: måste vara en ordlista (etikett: kod)")
    return Mapping(
        entity=spec.get("entity"),
        source=str(spec.get("source") or ""),
        read=dict(spec.get("read") or {}),
        columns={str(k): v for k, v in (spec.get("columns") or {}).items()},
        values={str(k): dict(v or {}) for k, v in (spec.get("values") or {}).items()},
        multi=dict(spec.get("multi") or {}),
        constants=dict(spec.get("constants") or {}),
        path=path,
        missing=spec.get("missing"),
        derive={str(k): v for k, v in (spec.get("derive") or {}).items()},
    )


@lru_cache(maxsize=None)
def _standard_raw() -> dict:
    text = resources.files("evaluation").joinpath("data/mappningar/standard.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text) or {}


def standard_mapping() -> dict:
    """Return the default synonyms: ``{"columns": {header: model}, "values": {vocab: {label: code}}}``.

    ``values`` is keyed by vocabulary name (and ``boolean``), not by column, so ``kon`` synonyms
    serve every entity with a ``kon`` column.

    Examples
    --------
    >>> standard_mapping()["columns"]["Kön"]
    'kon'
    >>> standard_mapping()["values"]["kon"]["K"]
    'kvinna'
    """
    raw = _standard_raw()
    return {"columns": dict(raw.get("columns") or {}), "values": dict(raw.get("values") or {})}


def column_vocabularies(entity: str) -> dict[str, str]:
    """Return ``{model column: vocabulary}`` for the controlled columns of ``entity``.

    Examples
    --------
    >>> column_vocabularies("handelser")
    {'handelse': 'handelse'}
    """
    return dict(COLUMN_VOCAB.get(entity, {}))


@lru_cache(maxsize=None)
def _vocab_lookup(vocab: str) -> dict[str, str]:
    """Codes, Swedish labels and default synonyms of one vocabulary -> code (normalised keys)."""
    out: dict[str, str] = {}
    if vocab == "avslutsorsak":
        table = exit_reasons()
        for code, sv in table["etikett_sv"].items():
            out[normalise(sv)] = code
    else:
        for code, meta in vocabulary(vocab).items():
            out[normalise(meta.get("sv", code))] = code
    for label, code in (standard_mapping()["values"].get(vocab) or {}).items():
        out[normalise(label)] = str(code)
    for code in codes(vocab):  # a code always maps to itself
        out[normalise(code)] = code
    return out


def label_lookup(column: str, vocab: str | None, mapping: Mapping | None = None) -> dict[str, str]:
    """Return the ``{normalised source label: code}`` lookup for one model column.

    Order of precedence (later wins): Swedish vocabulary labels, default synonyms, the codes
    themselves, then the mapping file's ``values`` for this column.

    Examples
    --------
    >>> label_lookup("kon", "kon")["k"]
    'kvinna'
    >>> label_lookup("sysselsattning_fore", "sysselsattning")["förvärvsarbete"]
    'forvarvsarbete'
    """
    out = dict(_vocab_lookup(vocab)) if vocab else {}
    if mapping is not None:
        for label, code in (mapping.values.get(column) or {}).items():
            out[normalise(label)] = str(code)
    return out


_TRUE = {"true", "1", "ja", "j", "sant", "yes", "y"}
_FALSE = {"false", "0", "nej", "n", "falskt", "no"}


def _as_bool(code: Any) -> bool:
    if isinstance(code, bool):
        return code
    key = normalise(code)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise MappingError(f"boolean code must be true/false, got {code!r}")


def boolean_lookup(column: str, mapping: Mapping | None = None) -> dict[str, bool]:
    """Return the ``{normalised label: bool}`` lookup of a yes/no column.

    Examples
    --------
    >>> boolean_lookup("fodd_i_sverige")["nej"]
    False
    """
    out: dict[str, bool] = {}
    for label, code in (standard_mapping()["values"].get("boolean") or {}).items():
        out[normalise(label)] = _as_bool(code)
    if mapping is not None:
        for label, code in (mapping.values.get(column) or {}).items():
            out[normalise(label)] = _as_bool(code)
    return out


def map_uniques(series: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """Apply ``func`` to each distinct non-missing value and map the results back.

    Missing values stay missing (``func`` is not called on them). The result has object dtype.

    Examples
    --------
    >>> map_uniques(pd.Series(["a", "b", "a", None]), str.upper).tolist()
    ['A', 'B', 'A', nan]
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [func(v) for v in uniques]
    results[-1] = np.nan  # code -1 (missing) takes the last slot
    return pd.Series(results[codes], index=series.index, dtype=object)


_MONTHS = {
    "jan": 1, "januari": 1, "feb": 2, "februari": 2, "mar": 3, "mars": 3, "apr": 4, "april": 4,
    "maj": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7, "aug": 8, "augusti": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oktober": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_RE_ISO = re.compile(rf"^(\d{{4}})[-/](\d{{1,2}})[-/](\d{{1,2}}){_TIME}$")
_RE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_RE_DMY = re.compile(rf"^(\d{{1,2}})[./-](\d{{1,2}})[./-](\d{{4}}){_TIME}$")
_RE_TEXT = re.compile(r"^(\d{1,2})\s*\.?\s+([a-zåäö]+)\.?\s+(\d{4})$")
_RE_SERIAL = re.compile(r"^(\d{4,5})(?:\.0+)?$")
_EXCEL_EPOCH = _dt.date(1899, 12, 30)


def parse_date(text: Any, dayfirst: bool = True, serial: bool | None = None) -> pd.Timestamp | None:
    """Parse one Swedish-style date; return ``None`` when it is not a date.

    Accepted: ISO ``2023-05-14`` (optionally with a time of day, as Excel readers give it),
    ``20230514``, day-first ``14/5/2023``, ``14.5.2023``, ``14-5-2023`` (month-first when
    ``dayfirst=False``), ``14 maj 2023`` / ``14 maj. 2023`` (Swedish month names or
    abbreviations), and Excel date serials (``45060`` = 2023-05-14, days since 1899-12-30,
    the 1900 date system; Microsoft, "Date systems in Excel") — a serial only when ``serial``
    is true or, by default, when the value is a number (a text ``"2023"`` is a lone year, not
    1905-07-15). Dates beyond pandas' range (``9999-12-31``) are returned as second-resolution
    timestamps; the importer's date range rejects them.

    Examples
    --------
    >>> parse_date("14 maj 2023"), parse_date(45060), parse_date("31/2/2023")
    (Timestamp('2023-05-14 00:00:00'), Timestamp('2023-05-14 00:00:00'), None)
    >>> parse_date("2023"), parse_date("45060", serial=True)
    (None, Timestamp('2023-05-14 00:00:00'))
    """
    if isinstance(text, (pd.Timestamp, _dt.datetime, _dt.date)):
        return pd.Timestamp(text).normalize()
    if serial is None:
        serial = isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool)
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    s = " ".join(str(text).split()).casefold()
    try:
        if m := _RE_ISO.match(s):
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
        elif m := _RE_COMPACT.match(s):
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
        elif m := _RE_DMY.match(s):
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            d, mo = (a, b) if dayfirst else (b, a)
        elif m := _RE_TEXT.match(s):
            if m[2] not in _MONTHS:
                return None
            d, mo, y = int(m[1]), _MONTHS[m[2]], int(m[3])
        elif serial and (m := _RE_SERIAL.match(s)):
            days = int(m[1])
            if not 1 <= days <= 2958465:
                return None
            return pd.Timestamp(_EXCEL_EPOCH + _dt.timedelta(days=days))
        else:
            return None
        return pd.Timestamp(_dt.date(y, mo, d))
    except (ValueError, OverflowError):  # 31/2/2023, year 0 and the like
        return None


def parse_dates(series: pd.Series, dayfirst: bool = True) -> tuple[pd.Series, pd.Series]:
    """Parse a column of dates; return ``(datetime64[ns] series, bad mask)``.

    ``bad`` is True where a value is present but is not a date. Already-typed datetime columns
    (Parquet) pass through, normalised to midnight.

    Examples
    --------
    >>> out, bad = parse_dates(pd.Series(["2023-05-14", "14.5.2023", "snart", None]))
    >>> out.dt.strftime("%Y-%m-%d").tolist(), bad.tolist()
    (['2023-05-14', '2023-05-14', nan, nan], [False, False, True, False])
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        out = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) is not None else series
        out = out.dt.normalize().astype("datetime64[ns]")
        return out, pd.Series(False, index=series.index)
    parsed = map_uniques(series, lambda v: parse_date(v, dayfirst))
    out = pd.to_datetime(parsed, errors="coerce")
    out = out.mask((out < pd.Timestamp.min) | (out > pd.Timestamp.max)).astype("datetime64[ns]")  # 9999-12-31
    bad = series.notna() & out.isna()
    return out, bad


_NUM_STRIP = re.compile(r"[\s\u00a0\u202f]|%$|(?i:kr|sek)$")


def parse_numbers(series: pd.Series, decimal: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse a column of numbers written the Swedish or the English way.

    Spaces (thousands separators), a trailing ``%`` and a trailing ``kr``/``SEK`` are removed.
    With ``decimal=None`` or ``","`` a decimal comma is accepted (``12,5``; ``1.234,5`` reads as
    1234.5); with ``decimal="."`` commas are thousands separators. Returns
    ``(float64 series, bad mask)``, ``bad`` True where a value is present but not a number.

    Examples
    --------
    >>> out, bad = parse_numbers(pd.Series(["12,5", "1 234", "50 %", "tolv", None]))
    >>> out.tolist()[:3], bad.tolist()
    ([12.5, 1234.0, 50.0], [False, False, False, True, False])
    """
    if pd.api.types.is_bool_dtype(series.dtype):
        out = series.astype("float64")
        return out, pd.Series(False, index=series.index)
    if pd.api.types.is_numeric_dtype(series.dtype):
        out = pd.to_numeric(series, errors="coerce").astype("float64")
        return out, pd.Series(False, index=series.index)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)  # parse each distinct text once
    s = pd.Series(uniques, dtype="str").str.replace(_NUM_STRIP, "", regex=True)
    if decimal == ".":
        s = s.str.replace(",", "", regex=False)
    else:
        both = s.str.contains(",", regex=False) & s.str.contains(".", regex=False)
        s = s.where(~both.fillna(False), s.str.replace(".", "", regex=False))
        s = s.str.replace(",", ".", regex=False)
    vals = pd.to_numeric(s, errors="coerce").astype("float64").to_numpy(copy=True)
    vals[np.isinf(vals)] = np.nan
    out = pd.Series(np.append(vals, np.nan)[codes], index=series.index, dtype="float64")
    bad = series.notna() & out.isna()
    return out, bad
