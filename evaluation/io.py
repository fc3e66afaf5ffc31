"""Safe import of the workbench's entities, with an import report.

Every loader reads one file (CSV, XLSX or Parquet), maps the source's headers and labels onto
the data model (:mod:`evaluation.mapping`, mapping files as in CONTRIBUTING.md), converts types,
pseudonymises personnummer, validates against the pandera schema of :mod:`evaluation.schemas`
and returns an :class:`ImportResult` ``(data, report)``.

Guarantees
----------
* No row is dropped silently: ``rows_read == rows_accepted + rows_rejected``; every rejected
  row has at least one entry in ``report.problems`` (a problem with row ``"-"`` concerns the
  whole file, e.g. a missing required column, and then every row is rejected).
* ``row`` in a problem is the 1-based line number in the source file with the header as line 1
  (for XLSX: the Excel row number; for Parquet: the record number + 1, as if there were a
  header line). Blank lines are skipped and not counted as rows.
* Raw personnummer never reach ``.data`` or the report: an identifier column mapped to
  ``personnummer`` becomes a keyed pseudonym (:func:`evaluation.privacy.pseudonymise`), an
  invalid one rejects its row and is shown masked (``19800101-****``), and a valid personnummer
  found in any other text column is masked in the data and reported as a problem.
* Anonymous participants (``anonym`` true) with no identifier get ``deltagare_id`` =
  ``"anonym-<episod_id>"``: counted, never linked (SUS practice, DOMAIN.md "Consent and anonymity").
* Strict mode (``strict=True``) raises :class:`ImportValidationError` listing *all* problems.

Formats
-------
CSV with ``,`` or ``;`` (sniffed from the header line), UTF-8, UTF-8 with BOM or cp1252 (tried
in that order; a mapping's ``read.encoding`` is the fallback instead of cp1252), decimal comma,
Swedish dates (:func:`evaluation.mapping.parse_date`), Excel date serials; XLSX through
``pandas.read_excel(engine="calamine")``; Parquet.
"""

from __future__ import annotations

import csv
import io as _io
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import mapping as _mp
from .labels import t
from .schemas import SCHEMAS, _ITEM_RE
from .errors import EvaluationError

__all__ = [
    "ImportReport",
    "ImportResult",
    "ImportValidationError",
    "EmptyFileError",
    "load_table",
    "load_episodes",
    "load_events",
    "load_survey",
    "load_segments",
    "load_unit_costs",
    "load_reported",
    "load_samples",
    "combine",
    "summary_table",
    "summary_cli",
    "PROBLEM_COLUMNS",
]

PROBLEM_COLUMNS = ["file", "row", "column", "value", "reason"]

#: Dataframe-level checks of the schemas and the column each one is reported under.
CHECK_COLUMN = {
    "avslut_ge_inskrivning": "avslutsdatum",
    "plausible_age": "fodelsear",
    "orsak_needs_avslut": "avslutsorsak",
    "slut_ge_start": "slut",
}

#: Columns each dataframe-level check reads (a row with a conversion problem in one of them is
#: not blamed again by the check).
CHECK_INPUTS = {
    "avslut_ge_inskrivning": ("avslutsdatum", "inskrivningsdatum"),
    "plausible_age": ("fodelsear", "inskrivningsdatum"),
    "orsak_needs_avslut": ("avslutsdatum", "avslutsorsak"),
    "slut_ge_start": ("start", "slut"),
}

#: Where a column mapped to ``personnummer`` goes, per entity (pseudonymised).
PSEUDONYM_TARGET = {"episoder": "deltagare_id", "enkatsvar": "respondent_id", "segment": "talare_id"}

#: Prefix of the per-episode id given to anonymous participants without identifier.
ANON_PREFIX = "anonym-"

#: Fallback response ranges when :mod:`evaluation.instruments` does not know an instrument.
FALLBACK_RANGES = {"soc29": (1, 7), "soc13": (1, 7), "nns": (1, 6)}

#: Entities whose extra columns are kept (aggregate tables have free-form value columns).
OPEN_ENTITIES = frozenset({"rapporterat"})

_PNR_SHAPE = re.compile(r"(?<!\d)(\d{6}|\d{8})([-+ \u2010-\u2015\u2212]?)(\d{4})(?!\d)")
_PNR_QUICK = re.compile(r"\d{6}")


class ImportValidationError(EvaluationError, ValueError):
    """Raised in strict mode when a file has problems; the message lists every one.

    Attributes
    ----------
    report : ImportReport
        The full import report (``report.problems`` has one row per problem).
    """

    def __init__(self, report: "ImportReport"):
        self.report = report
        lines = [f"{len(report.problems)} problem(s) importing {report.file} as {report.entity}; "
                 "fix the source or the mapping file and import again:"]
        for p in report.problems.itertuples(index=False):
            lines.append(f"  {p.file}, row {p.row}, column {p.column}, value {p.value!r}: {p.reason}")
        super().__init__(_redact("\n".join(lines)))


class EmptyFileError(ImportValidationError):
    """The file is empty (no header line)."""


def _mask(value: Any) -> Any:
    """Mask anything shaped like a personnummer (valid or not): :func:`evaluation.privacy.mask_value`."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    from .privacy import mask_value

    return mask_value(value)


def _redact(text: str) -> str:
    from .privacy import redact

    return redact(text)


@dataclass
class ImportReport:
    """What happened when one file was imported.

    Attributes
    ----------
    file : str
        Path of the source file (several joined by `` + `` for :func:`combine`).
    entity : str
        Schema name (``episoder``, ``handelser``, ``enkatsvar``, ...).
    rows_read, rows_accepted, rows_rejected : int
        Data rows read (blank lines excluded), accepted into ``.data``, rejected.
    problems : DataFrame
        Columns ``file, row, column, value, reason``; ``row`` is the source line number
        (header = 1) or ``"-"`` for the whole file. Values are masked where they look like a
        personnummer.
    unmapped_columns : list of str
        Source headers that no mapping or default synonym names (kept out of the data).
    unmapped_labels : dict
        Model column -> sorted source labels that no mapping names (their rows are rejected).
    parts : list of ImportReport
        The per-file reports when this report combines several files.
    """

    file: str
    entity: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    unmapped_columns: list[str] = field(default_factory=list)
    unmapped_labels: dict[str, list[str]] = field(default_factory=dict)
    parts: list["ImportReport"] = field(default_factory=list)

    def __post_init__(self) -> None:
        # every string of a report passes the one masker (evaluation.privacy.redact): a file
        # without a header row turns a data line into headers, problem reasons quote values
        from .privacy import redact, redact_frame

        self.file = redact(self.file)
        self.problems = redact_frame(self.problems)
        self.unmapped_columns = [redact(c) for c in self.unmapped_columns]
        self.unmapped_labels = {redact(k): sorted({redact(v) for v in vals}) for k, vals in self.unmapped_labels.items()}

    @property
    def ok(self) -> bool:
        """True when no row was rejected and there were no problems."""
        return self.rows_rejected == 0 and self.problems.empty

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """One row per file: file, entity, rows read / accepted / rejected, number of problems.

        With ``lang`` the columns carry the board labels (``fil, entitet, rader lästa, ...``).

        Examples
        --------
        >>> ImportReport("a.csv", "episoder", 3, 2, 1).to_frame()["rows_rejected"].tolist()
        [1]
        """
        reports = self.parts or [self]
        df = pd.DataFrame(
            [
                {
                    "file": r.file,
                    "entity": r.entity,
                    "rows_read": r.rows_read,
                    "rows_accepted": r.rows_accepted,
                    "rows_rejected": r.rows_rejected,
                    "problems": len(r.problems),
                }
                for r in reports
            ]
        )
        if lang:
            df = df.rename(columns={c: t(f"io.{c}", lang) for c in df.columns})
        return df

    def summary(self, lang: str = "sv") -> str:
        """A short text summary for people (Swedish by default).

        Examples
        --------
        >>> print(ImportReport("a.csv", "episoder", 3, 2, 1).summary())
        a.csv (episoder): 3 rader lästa, 2 godkända, 1 avvisade, 0 problem.
        """
        text = t("io.summary_line", lang, file=self.file, entity=self.entity, read=self.rows_read,
                 accepted=self.rows_accepted, rejected=self.rows_rejected, problems=len(self.problems))
        lines = [text]
        if self.unmapped_columns:
            lines.append(t("io.unmapped_columns", lang) + ": " + ", ".join(self.unmapped_columns))
        for col, labels in self.unmapped_labels.items():
            lines.append(t("io.unmapped_labels", lang) + f" ({col}): " + ", ".join(labels))
        for p in self.problems.head(20).itertuples(index=False):
            lines.append(f"  {p.file}:{p.row} [{p.column}] {p.value!r}: {p.reason}")
        if len(self.problems) > 20:
            lines.append("  " + t("io.more_problems", lang, n=len(self.problems) - 20))
        return _redact("\n".join(lines))


@dataclass
class ImportResult:
    """Validated data plus its :class:`ImportReport`; unpacks as ``data, report``."""

    data: pd.DataFrame
    report: ImportReport

    def __iter__(self) -> Iterator:
        return iter((self.data, self.report))


# --------------------------------------------------------------------------------------------
# reading


class _Problems:
    """Collects problems; ``reject`` marks rows as rejected."""

    def __init__(self, file: str):
        self.file = file
        self.frames: list[pd.DataFrame] = []
        self.rejected: set = set()
        self.file_rejected = False
        self.seen: set = set()

    def add(self, rows, column, values, reasons, reject: bool = True) -> None:
        rows = list(rows)
        if not rows:
            return
        n = len(rows)
        self.seen.update((r, column) for r in rows)
        values = list(values) if not isinstance(values, str) else [values] * n
        reasons = list(reasons) if not isinstance(reasons, str) else [reasons] * n
        self.frames.append(pd.DataFrame({
            "file": self.file, "row": pd.Series(rows, dtype=object), "column": column,
            "value": [_mask(v) for v in values], "reason": reasons}))
        if reject:
            for r in rows:
                if r == "-":
                    self.file_rejected = True
                else:
                    self.rejected.add(r)

    def frame(self) -> pd.DataFrame:
        if not self.frames:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})
        df = pd.concat(self.frames, ignore_index=True)
        df["row"] = df["row"].astype(object)
        order = df["row"].map(lambda r: -1 if r == "-" else int(r))
        return df.iloc[np.argsort(order.to_numpy(), kind="stable")].reset_index(drop=True)


def _decode(raw: bytes, fallback: str | None) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for enc in (fallback, "cp1252", "latin-1"):
        if not enc:
            continue
        try:
            return raw.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("latin-1")  # pragma: no cover (latin-1 decodes any byte)


def _sniff_delimiter(header: str) -> str:
    counts = {d: 0 for d in (";", ",", "\t")}
    in_quote = False
    for ch in header:
        if ch == '"':
            in_quote = not in_quote
        elif not in_quote and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_line_numbers(text: str, delim: str, n_rows: int, bad: list[int]) -> np.ndarray:
    """Source line of each parsed data row (header = line 1)."""
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if n_lines - 1 == n_rows + len(bad):  # no quoted newlines: one row per line
        lines = np.arange(2, n_lines + 1)
        if bad:
            lines = np.setdiff1d(lines, np.asarray(bad))
        return lines
    starts = []  # quoted newlines: let the csv module count physical lines
    reader = csv.reader(_io.StringIO(text), delimiter=delim)
    prev = 0
    for i, _ in enumerate(reader):
        if i > 0:
            starts.append(prev + 1)
        prev = reader.line_num
    lines = np.asarray([s for s in starts if s not in set(bad)])
    return lines[:n_rows] if len(lines) >= n_rows else np.arange(2, n_rows + 2)


def _read_csv(path: Path, read: dict, problems: _Problems) -> tuple[pd.DataFrame, np.ndarray, int]:
    raw = path.read_bytes()
    text = _decode(raw, read.get("encoding")).lstrip("\ufeff")
    if not text.strip():
        raise EmptyFileError(_empty_report(problems, path))
    header = text.split("\n", 1)[0]
    delim = read.get("delimiter") or _sniff_delimiter(header)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = pd.read_csv(_io.StringIO(text), sep=delim, dtype=str, keep_default_na=False,
                         skip_blank_lines=False, on_bad_lines="warn", engine="c")
    bad: list[int] = []
    for w in caught:
        for m in re.finditer(r"line (\d+): expected (\d+) fields?, saw (\d+)", str(w.message)):
            line = int(m[1])
            bad.append(line)
            problems.add([line], "-", "", f"expected {m[2]} fields, saw {m[3]} (delimiter {delim!r}); "
                         "row not read — check quoting and the delimiter")
    lines = _csv_line_numbers(text, delim, len(df), bad)
    return df, lines, len(bad)


def _read_excel(path: Path, read: dict) -> tuple[pd.DataFrame, np.ndarray]:
    df = pd.read_excel(path, engine="calamine", sheet_name=read.get("sheet", 0), dtype=object)
    return df, np.arange(2, len(df) + 2)


def _read_parquet(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    df = pd.read_parquet(path)
    return df.reset_index(drop=True), np.arange(2, len(df) + 2)


def _empty_report(problems: _Problems, path: Path) -> "ImportReport":
    problems.add([1], "-", "", "the file is empty (no header line); export it again with a header row")
    return ImportReport(file=problems.file, entity="", problems=problems.frame())


def _cell_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (pd.Timestamp,)) or hasattr(v, "isoformat"):
        return v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
    return str(v)


def _as_text(s: pd.Series) -> pd.Series:
    """Raw cell values as stripped strings with missing for blanks (vectorised)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s
    if s.dtype == object:
        kind = pd.api.types.infer_dtype(s, skipna=True)
        if kind in ("datetime", "datetime64", "date"):  # Excel date cells
            return pd.to_datetime(s, errors="coerce")
        if kind in ("integer", "floating", "mixed-integer-float", "decimal", "boolean"):
            s = pd.Series(s.tolist(), index=s.index)  # let pandas pick a numeric/bool dtype
        elif kind != "string":  # mixed cells (numbers, dates and text): one conversion per value
            s = _mp.map_uniques(s, _cell_text)
    if pd.api.types.is_float_dtype(s.dtype):
        whole = s.dropna()
        if len(whole) and (whole % 1 == 0).all():
            s = s.astype("Int64")
    out = s.astype("str").str.strip()
    return out.where(out != "")


# --------------------------------------------------------------------------------------------
# the import pipeline


def _schema_kind(col: pa.Column) -> str:
    d = str(col.dtype)
    if d.startswith("datetime64"):
        return "date"
    if d == "Int64" or d.startswith("int"):
        return "int"
    if d.startswith("float"):
        return "float"
    if d in ("boolean", "bool"):
        return "bool"
    return "str"


_MODEL_KINDS: dict[str, str] = {}
for _schema in SCHEMAS.values():
    for _name, _col in _schema.columns.items():
        _MODEL_KINDS.setdefault(_name, _schema_kind(_col))


def _response_range(instrument: str) -> tuple[int, int] | None:
    try:
        from . import instruments

        return tuple(instruments.response_range(instrument))
    except ImportError:  # pragma: no cover - instruments ships with the package
        return FALLBACK_RANGES.get(instrument)
    except (ValueError, KeyError):
        return FALLBACK_RANGES.get(instrument)


def _privacy():
    from . import privacy  # imported lazily: only needed when personnummer are present

    return privacy


def _map_headers(columns, entity: str, schema: pa.DataFrameSchema, mapping: _mp.Mapping, problems: _Problems):
    """Return ({source header: model column}, unmapped headers)."""
    lookup: dict[str, str | None] = {}
    for src, model in _mp.standard_mapping()["columns"].items():
        lookup[_mp.normalise(src)] = model
    for model in schema.columns:
        lookup[_mp.normalise(model)] = model
    lookup[_mp.normalise("personnummer")] = "personnummer"
    for src, model in mapping.columns.items():
        lookup[_mp.normalise(src)] = model if model else None
    explicit = {_mp.normalise(s) for s in mapping.columns}
    allowed = set(schema.columns) | {"personnummer"}
    result: dict[str, str] = {}
    taken: dict[str, str] = {}
    unmapped: list[str] = []
    for header in columns:
        h = str(header)
        key = _mp.normalise(h)
        model = lookup.get(key, "")
        if model is None:  # explicitly ignored by the mapping
            continue
        if model and model not in allowed and key not in explicit:
            model = ""  # a default synonym for another entity's column
        if not model and entity == "enkatsvar" and _ITEM_RE.match(h.strip()) and h.strip() not in allowed:
            model = h.strip()
            model = model.split("_", 1)[0].lower() + "_" + model.split("_", 1)[1]
        if not model and h.strip() in _MODEL_KINDS:
            model = h.strip()  # a data-model column of another entity (forbund, datum): keep it
        if not model:
            if entity in OPEN_ENTITIES and h.strip():
                model = h.strip()
            else:
                unmapped.append(h)
                continue
        if model in taken:
            problems.add(["-"], h, "", f"maps to {model}, already read from column {taken[model]!r}; "
                         "this column was ignored — fix the mapping", reject=False)
            continue
        taken[model] = h
        result[h] = model
    return result, unmapped


def _finish(entity, file, frame, lines, problems, n_bad, unmapped_cols, unmapped_labels, strict, schema):
    rows_read = len(lines) + n_bad
    if problems.file_rejected:
        keep = np.zeros(len(frame), dtype=bool)
    else:
        keep = ~np.isin(lines, np.asarray(sorted(problems.rejected), dtype=np.int64))
    data = frame.loc[keep].reset_index(drop=True)
    if problems.file_rejected:
        data = data.iloc[0:0]
    report = ImportReport(
        file=file, entity=entity, rows_read=rows_read, rows_accepted=len(data),
        rows_rejected=rows_read - len(data), problems=problems.frame(),
        unmapped_columns=list(unmapped_cols),
        unmapped_labels={k: sorted({_mask(v) for v in vals}) for k, vals in unmapped_labels.items() if vals},
    )
    if strict and not report.problems.empty:
        raise ImportValidationError(report)
    return ImportResult(data, report)


def _empty_frame(schema: pa.DataFrameSchema) -> pd.DataFrame:
    dtypes = {"date": "datetime64[ns]", "int": "Int64", "float": "float64", "bool": "boolean", "str": "str"}
    return pd.DataFrame({c: pd.Series(dtype=dtypes[_schema_kind(col)]) for c, col in schema.columns.items()})


def load_table(path, entity: str, mapping=None, strict: bool = False, instrument: str | None = None) -> ImportResult:
    """Import one file as ``entity``: read, map, convert, pseudonymise, validate, report.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (or ``.txt``), ``.xlsx``/``.xlsm``/``.xls`` or ``.parquet``.
    entity : str
        Schema name: ``episoder``, ``handelser``, ``enkatsvar``, ``segment``, ``enhetskostnader``,
        ``rapporterat`` (see :data:`evaluation.schemas.SCHEMAS`).
    mapping : str, Path, dict or Mapping, optional
        Mapping file of the source; default synonyms apply to whatever it leaves out.
    strict : bool
        Raise :class:`ImportValidationError` listing every problem instead of returning a report.
    instrument : str, optional
        Survey instrument (sets the ``instrument`` column when the file lacks it).

    Returns
    -------
    ImportResult
        ``.data`` in the schema's columns and dtypes (rejected rows excluded), ``.report``.

    Raises
    ------
    ImportValidationError
        Strict mode and at least one problem; :class:`EmptyFileError` for an empty file.
    evaluation.privacy.MissingKeyError
        The file has personnummer and no pseudonymisation key is configured.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "h.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("episod_id;Datum;Händelse\\nE1;14 maj 2023;Första möte\\n")
    >>> data, report = load_table(p, "handelser")
    >>> data["handelse"].tolist(), report.rows_accepted
    (['forsta_mote'], 1)
    """
    if entity not in SCHEMAS:
        raise ValueError(f"unknown entity {entity!r}; known: {sorted(SCHEMAS)}")
    schema = SCHEMAS[entity]
    path = Path(path)
    file = str(path)
    mp = _mp.load_mapping(mapping)
    if mp.entity and mp.entity != entity:
        raise _mp.MappingError(f"mapping {mp.path or ''} is for {mp.entity!r}, not {entity!r}")
    problems = _Problems(file)
    if not path.exists():
        raise FileNotFoundError(f"{file} not found; check the path")

    # 1. read --------------------------------------------------------------------------------
    suffix = path.suffix.lower()
    n_bad = 0
    if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        raw, lines = _read_excel(path, mp.read)
    elif suffix == ".parquet":
        raw, lines = _read_parquet(path)
    else:
        try:
            raw, lines, n_bad = _read_csv(path, mp.read, problems)
        except EmptyFileError as exc:
            exc.report.entity = entity
            if strict:
                raise
            return ImportResult(_empty_frame(schema), exc.report)
    if raw.shape[1] == 0:
        problems.add([1], "-", "", "the file is empty (no header line); export it again with a header row")
        return _finish(entity, file, _empty_frame(schema), np.array([], dtype=np.int64), problems, 0,
                       [], {}, strict, schema)

    # drop blank lines (not rows)
    raw.columns = [str(c) for c in raw.columns]
    text = {c: _as_text(raw[c]) for c in raw.columns}
    nonblank = np.zeros(len(raw), dtype=bool)
    for s in text.values():
        nonblank |= s.notna().to_numpy()
    if not nonblank.all():
        raw = raw.loc[nonblank]
        text = {c: s.loc[nonblank] for c, s in text.items()}
        lines = lines[nonblank]
    index = pd.Index(lines, name="row")
    text = {c: s.set_axis(index) for c, s in text.items()}
    if len(lines) == 0 and n_bad == 0:
        problems.add([1], "-", "", "the file has a header line but no data rows", reject=False)

    # 2. headers -----------------------------------------------------------------------------
    header_map, unmapped = _map_headers(list(raw.columns), entity, schema, mp, problems)
    if len(header_map) + len(unmapped) == 1 and len(raw.columns) == 1 and re.search(r"[;,\t|]", raw.columns[0]):
        problems.add(["-"], raw.columns[0], "", "only one column found and its header contains a separator; "
                     "the delimiter is probably wrong (set read.delimiter in the mapping file)")
    cols: dict[str, pd.Series] = {model: text[src] for src, model in header_map.items()}
    for model, value in mp.constants.items():
        const = pd.Series(None if value is None else str(value), index=index, dtype="str")
        cols[model] = cols[model].fillna(const) if model in cols else const
    if instrument and entity == "enkatsvar" and "instrument" not in cols:
        cols["instrument"] = pd.Series(instrument, index=index, dtype="str")

    # 3. personnummer -> pseudonym ------------------------------------------------------------
    if "personnummer" in cols:
        target = PSEUDONYM_TARGET.get(entity)
        pnr = cols.pop("personnummer")
        if target is None:
            problems.add(["-"], header_map_inv(header_map, "personnummer"), "",
                         f"a personnummer column cannot be imported as {entity}; remove it from the export")
        else:
            privacy = _privacy()
            valid = map_valid_pnr(pnr, privacy)
            bad = pnr.notna() & ~valid
            src = header_map_inv(header_map, "personnummer")
            problems.add(pnr.index[bad], src, pnr[bad],
                         "not a valid personnummer or samordningsnummer (checksum or date); row rejected")
            problems.seen.update((r, target) for r in pnr.index[bad])
            pseud = pd.Series(pd.NA, index=index, dtype="str")
            if valid.any():
                pseud[valid] = privacy.pseudonymise(pnr[valid]).astype("str").to_numpy()
            cols[target] = cols[target].fillna(pseud) if target in cols else pseud

    # 4. required columns ---------------------------------------------------------------------
    missing = [c for c, col in schema.columns.items() if col.required and c not in cols]
    for c in missing:
        problems.add(["-"], c, "", f"required column {c} is missing; add it to the file or map a header "
                     f"onto it in the mapping file (unmapped headers: {', '.join(unmapped) or 'none'})")

    # 5. convert, column by column -------------------------------------------------------------
    vocabs = _mp.column_vocabularies(entity)
    dayfirst = bool(mp.read.get("dayfirst", True))
    decimal = mp.read.get("decimal")
    out: dict[str, pd.Series] = {}
    unmapped_labels: dict[str, list[str]] = {}
    free_text: list[str] = []
    src_name = {model: src for src, model in header_map.items()}
    for model, s in cols.items():
        label = src_name.get(model, model)
        colschema = schema.columns.get(model)
        kind = _schema_kind(colschema) if colschema is not None else _MODEL_KINDS.get(model)
        if kind is None and entity == "enkatsvar" and _ITEM_RE.match(model):
            out[model] = _convert_item(model, s, label, problems, decimal)
            continue
        if kind is None:  # pass-through column of an open entity
            num, bad = parse_numbers(s, decimal) if s.notna().any() else (None, None)
            if num is not None and not bad.any() and not pd.api.types.is_datetime64_any_dtype(s.dtype):
                out[model] = num
            else:
                out[model] = s.astype("str") if not pd.api.types.is_datetime64_any_dtype(s.dtype) else s
                free_text.append(model)
            continue
        if kind == "date":
            v, bad = _mp.parse_dates(s, dayfirst)
            problems.add(s.index[bad], label, s[bad], "not a date (use 2023-05-14, 20230514, 14/5/2023 or 14 maj 2023)")
        elif kind in ("int", "float"):
            v, bad = parse_numbers(s, decimal)
            if kind == "int":
                frac = v.notna() & (v % 1 != 0)
                problems.add(s.index[frac], label, s[frac], "not a whole number")
                v = v.where(~frac).round().astype("Int64")
            problems.add(s.index[bad], label, s[bad], "not a number")
        elif kind == "bool":
            lookup = _mp.boolean_lookup(model, mp)
            v = _mp.map_uniques(s.astype("str") if s.dtype != object else s, lambda x: lookup.get(_mp.normalise(x)))
            bad = s.notna() & v.isna()
            if bad.any():
                unmapped_labels[model] = sorted(set(s[bad].astype(str)))
            problems.add(s.index[bad], label, s[bad], f"label not mapped to yes/no in {model}; add it under "
                         f"values: {model}: in the mapping file")
            v = v.astype("boolean")
        else:  # str
            s = s.astype("str") if not pd.api.types.is_string_dtype(s.dtype) else s
            vocab = vocabs.get(model)
            if model in _mp.MULTI_COLUMNS:
                v, bad, labels = _convert_multi(model, s, vocab, mp)
                if labels:
                    unmapped_labels[model] = labels
                problems.add(s.index[bad], label, s[bad],
                             [f"label(s) {', '.join(_unknown_parts(x, model, vocab, mp))} not in vocabulary {vocab}; "
                              f"add them under values: {model}: in the mapping file" for x in s[bad]])
            elif vocab or mp.values.get(model):
                lookup = _mp.label_lookup(model, vocab, mp)
                mapped = _mp.map_uniques(s, lambda x: lookup.get(_mp.normalise(x)))
                if vocab:
                    v = mapped
                    bad = s.notna() & v.isna()
                    if bad.any():
                        unmapped_labels[model] = sorted(set(s[bad]))
                    problems.add(s.index[bad], label, s[bad],
                                 [f"label {x!r} not in vocabulary {vocab}; add it under values: {model}: "
                                  "in the mapping file" for x in s[bad]])
                else:
                    v = mapped.fillna(s)
                v = v.astype("str")
            else:
                v = s
                free_text.append(model)
        out[model] = v

    # anonymous participants (SUS: counted, not linkable) carry no identifier: give them a
    # per-episode id that links nothing
    if entity == "episoder" and {"deltagare_id", "anonym", "episod_id"} <= set(out):
        anon = out["deltagare_id"].isna() & out["anonym"].fillna(False).astype(bool) & out["episod_id"].notna()
        if anon.any():
            ids = out["deltagare_id"].copy()
            ids[anon] = ANON_PREFIX + out["episod_id"][anon]
            out["deltagare_id"] = ids

    # 6. personnummer in every text column, whatever the mapping says: identifier columns get
    # keyed pseudonyms (never one constant), other text is masked (evaluation.privacy)
    for model, s, rows, shown, reason in _privacy().protect_text_columns(out, entity):
        problems.add(rows, src_name.get(model, model), shown, reason, reject=False)
        out[model] = s

    frame = pd.DataFrame(out, index=index)
    order = [c for c in schema.columns if c in frame.columns] + [c for c in frame.columns if c not in schema.columns]
    frame = frame[order]
    if missing:
        return _finish(entity, file, frame, lines, problems, n_bad, unmapped, unmapped_labels, strict, schema)

    # 7. duplicate keys (both rows named) ---------------------------------------------------------
    key_sets = [[c] for c, col in schema.columns.items() if col.unique and c in frame]
    if schema.unique:
        key_sets.append(list(schema.unique))
    for keys in key_sets:
        if not all(k in frame for k in keys):
            continue
        sub = frame[keys]
        dup = sub.notna().all(axis=1) & sub.duplicated(keep=False)
        if dup.any():
            groups = sub[dup].astype(str).agg("|".join, axis=1)
            rows_of = groups.groupby(groups).groups
            reasons = [f"duplicate key ({', '.join(keys)}) = {g!r}; also on row(s) "
                       f"{', '.join(str(r) for r in rows_of[g] if r != row)}; both rows rejected"
                       for row, g in groups.items()]
            raw_vals = [cols[keys[0]].get(r) if keys[0] in cols else "" for r in groups.index]
            problems.add(groups.index, src_name.get(keys[0], keys[0]), raw_vals, reasons)

    # 8. pandera on the rows still standing ------------------------------------------------------
    _validate(schema, frame, problems, cols, src_name)
    return _finish(entity, file, frame, lines, problems, n_bad, unmapped, unmapped_labels, strict, schema)


def header_map_inv(header_map: dict, model: str) -> str:
    for src, m in header_map.items():
        if m == model:
            return src
    return model


def map_valid_pnr(values: pd.Series, privacy) -> pd.Series:
    """True where a value is a valid personnummer or samordningsnummer (checked once per distinct value)."""
    return _mp.map_uniques(values, privacy.is_personnummer).fillna(False).astype(bool)


def parse_numbers(s: pd.Series, decimal):
    return _mp.parse_numbers(s, decimal)


def _convert_item(model: str, s: pd.Series, label: str, problems: _Problems, decimal) -> pd.Series:
    v, bad = parse_numbers(s, decimal)
    problems.add(s.index[bad], label, s[bad], "not a number (Likert answer expected)")
    instrument = model.split("_", 1)[0]
    rng = _response_range(instrument)
    if rng is not None:
        lo, hi = rng
        out = v.notna() & ((v < lo) | (v > hi) | (v % 1 != 0))
        problems.add(s.index[out], label, s[out], f"outside the response range {lo}–{hi} of {instrument}")
    return v


def _split_multi(value: str, seps: list[str]) -> list[str]:
    pattern = "|".join(re.escape(sep) for sep in seps)
    return [p.strip() for p in re.split(pattern, value) if p.strip()]


def _multi_seps(model: str, mp: _mp.Mapping) -> list[str]:
    """Separators of a multi-valued source cell: ``|`` plus the mapping's (with and without spaces)."""
    seps = mp.multi.get(model) or []
    seps = [seps] if isinstance(seps, str) else list(seps)
    out = {"|"} | {s for s in seps if s} | {s.strip() for s in seps if s and s.strip()}
    return sorted(out, key=len, reverse=True)


def _unknown_parts(value: str, model: str, vocab: str, mp: _mp.Mapping) -> list[str]:
    lookup = _mp.label_lookup(model, vocab, mp)
    return [repr(p) for p in _split_multi(value, _multi_seps(model, mp)) if _mp.normalise(p) not in lookup]


def _convert_multi(model, s, vocab, mp):
    lookup = _mp.label_lookup(model, vocab, mp)
    seps = _multi_seps(model, mp)
    unknown: set[str] = set()

    def conv(cell):
        parts = _split_multi(cell, seps)
        codes = [lookup.get(_mp.normalise(p)) for p in parts]
        if any(c is None for c in codes):
            unknown.update(p for p, c in zip(parts, codes) if c is None)
            return None
        return "|".join(dict.fromkeys(codes)) if codes else None

    mapped = _mp.map_uniques(s, conv)
    bad = s.notna() & mapped.isna()
    return mapped.astype("str"), bad, sorted(unknown)


_READABLE = [
    (re.compile(r"^in_range\((.+), (.+)\)$"), "outside the allowed range {0}–{1}"),
    (re.compile(r"^greater_than_or_equal_to\((.+)\)$"), "must be at least {0}"),
    (re.compile(r"^not_nullable$"), "required value missing"),
    (re.compile(r"^field_uniqueness$"), "duplicate value"),
]


def _readable(check: str) -> str:
    for pat, text in _READABLE:
        if m := pat.match(check):
            return text.format(*m.groups())
    return check


def _validate(schema, frame, problems: _Problems, cols, src_name) -> None:
    if frame.empty:
        return
    try:
        schema.validate(frame, lazy=True)
        return
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    by_error = {c.error: c.name for c in schema.checks}
    seen: set = set()
    rows, columns, values, reasons = [], [], [], []
    for case in fc.itertuples(index=False):
        idx = case.index
        check = str(case.check)
        if case.schema_context == "DataFrameSchema":
            name = by_error.get(check, check)
            column = CHECK_COLUMN.get(name, case.column)
            inputs = CHECK_INPUTS.get(name, ())
        else:
            column = case.column
            inputs = ()
        if idx is None or (isinstance(idx, float) and np.isnan(idx)):
            row = "-"
        else:
            row = int(idx)
        if any((row, src_name.get(c, c)) in problems.seen for c in inputs):
            continue
        key = (row, column, check)
        label = src_name.get(column, column)
        if key in seen or (row, label) in problems.seen:
            continue  # already reported (conversion failure, unmapped label, duplicate key)
        seen.add(key)
        raw = cols.get(column)
        value = raw.get(row) if raw is not None and row != "-" else case.failure_case
        rows.append(row)
        columns.append(src_name.get(column, column))
        values.append(value)
        reasons.append(_readable(check))
    for r, c, v, why in zip(rows, columns, values, reasons):
        problems.add([r], c, [v], [why])


# --------------------------------------------------------------------------------------------
# entity loaders


def load_episodes(path, mapping=None, strict: bool = False) -> ImportResult:
    """Import participant episodes (deltagare × insats) into :data:`evaluation.schemas.EPISODES`.

    A column mapped to ``personnummer`` becomes ``deltagare_id`` (keyed pseudonym). See
    :func:`load_table` for formats, mapping and report.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "e.csv")
    >>> _ = open(p, "w", encoding="utf-8").write(
    ...     "episod_id,deltagare_id,forbund,insats,Kön,fodelsear,inskrivningsdatum,anonym\\n"
    ...     "E1,D1,Norrdal,Team Work,K,1990,2023-02-01,Nej\\n")
    >>> absent = ["fodd_i_sverige", "utbildningsniva", "avslutsdatum", "avslutsorsak", "sysselsattning_fore",
    ...           "sysselsattning_efter", "forsorjning_fore", "forsorjning_efter", "omfattning_fore",
    ...           "omfattning_efter", "samtycke"]
    >>> data, report = load_episodes(p, mapping={"constants": {c: None for c in absent}})
    >>> data.loc[0, "kon"], report.rows_accepted, report.unmapped_columns
    ('kvinna', 1, [])
    >>> load_episodes(p).report.problems.loc[0, ["row", "column"]].tolist()  # without: columns missing
    ['-', 'fodd_i_sverige']
    """
    return load_table(path, "episoder", mapping=mapping, strict=strict)


def load_events(path, mapping=None, strict: bool = False) -> ImportResult:
    """Import journey events into :data:`evaluation.schemas.EVENTS` (see :func:`load_table`).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "h.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("episod_id,datum,handelse\\nE1,20230514,Samtycke\\n")
    >>> load_events(p).data["handelse"].tolist()
    ['samtycke']
    """
    return load_table(path, "handelser", mapping=mapping, strict=strict)


def load_survey(path, instrument: str | None = None, mapping=None, strict: bool = False) -> ImportResult:
    """Import survey responses (wide, item columns ``<instrument>_<item>``) into ``SURVEY``.

    Item answers must be whole numbers inside the instrument's response range
    (:func:`evaluation.instruments.response_range`: SOC-29/SOC-13 1–7, NNS 1–6 by default);
    blanks are missing items. ``instrument`` fills the ``instrument`` column when absent.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "s.csv")
    >>> _ = open(p, "w", encoding="utf-8").write(
    ...     "respondent_id;respondentgrupp;forbund;vag;tidpunkt;datum;formversion;soc13_1;soc13_2\\n"
    ...     "R1;Deltagare;Norrdal;1;Före;2023-03-01;v1;7;\\n")
    >>> data, report = load_survey(p, instrument="soc13")
    >>> data[["soc13_1", "soc13_2"]].iloc[0].tolist(), data.loc[0, "tidpunkt"]
    ([7.0, nan], 'fore')
    """
    return load_table(path, "enkatsvar", mapping=mapping, strict=strict, instrument=instrument)


def load_segments(path, mapping=None, strict: bool = False) -> ImportResult:
    """Import coded focus-group segments into :data:`evaluation.schemas.SEGMENTS`.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "f.csv")
    >>> _ = open(p, "w", encoding="utf-8").write(
    ...     "segment_id,session,dokument,talarroll,kodare,kod,start,slut,text\\n"
    ...     "S1,FG1,d1.txt,deltagare,A,tillit,0,12,Jag litar\\n")
    >>> load_segments(p).report.rows_accepted
    1
    """
    return load_table(path, "segment", mapping=mapping, strict=strict)


def load_unit_costs(path, mapping=None, strict: bool = False) -> ImportResult:
    """Import unit costs (SEK at price year, per actor) into :data:`evaluation.schemas.UNIT_COSTS`.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "k.csv")
    >>> _ = open(p, "w", encoding="utf-8").write(
    ...     "post;benamning;aktor;belopp_sek;enhet;prisar;typ;kalla\\n"
    ...     "fbs;Försörjningsstöd;Kommun;10 500,50;per månad;2024;Transferering;Socialstyrelsen\\n")
    >>> load_unit_costs(p).data["belopp_sek"].tolist()
    [10500.5]
    """
    return load_table(path, "enhetskostnader", mapping=mapping, strict=strict)


def load_reported(path, mapping=None, strict: bool = False) -> ImportResult:
    """Import a table of reported aggregates (with ``proveniens``) into ``REPORTED``.

    Columns beyond the schema (values, n, period, ...) are kept; all-numeric ones become floats.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "r.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("kalla,tabell,proveniens,varde\\n002,T6,verbatim,\\"12,4\\"\\n")
    >>> load_reported(p).data["varde"].tolist()
    [12.4]
    """
    return load_table(path, "rapporterat", mapping=mapping, strict=strict)


# --------------------------------------------------------------------------------------------
# several files


def combine(results: list[ImportResult], entity: str | None = None) -> ImportResult:
    """Concatenate several imports of one entity; the report keeps each file as a part.

    Duplicate unique keys *across* files (e.g. the same ``episod_id`` in two exports) are
    reported as file-level problems.

    Examples
    --------
    >>> a = ImportResult(pd.DataFrame({"x": [1]}), ImportReport("a.csv", "rapporterat", 1, 1, 0))
    >>> b = ImportResult(pd.DataFrame({"x": [2]}), ImportReport("b.csv", "rapporterat", 2, 1, 1))
    >>> r = combine([a, b])
    >>> r.data["x"].tolist(), r.report.rows_read, r.report.rows_rejected
    ([1, 2], 3, 1)
    """
    reports = [r.report for r in results]
    entity = entity or reports[0].entity
    frames = [r.data for r in results if len(r.data.columns)]
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    problems = [r.problems for r in reports if not r.problems.empty]
    schema = SCHEMAS.get(entity)
    extra = []
    if schema is not None and len(results) > 1:
        for c, col in schema.columns.items():
            if col.unique and c in data:
                dup = data[c][data[c].duplicated(keep=False) & data[c].notna()]
                for value in sorted(set(dup)):
                    files = [rep.file for res, rep in zip(results, reports) if c in res.data and (res.data[c] == value).any()]
                    extra.append({"file": " + ".join(files), "row": "-", "column": c, "value": _mask(value),
                                  "reason": "the same key occurs in several files"})
    if extra:
        problems.append(pd.DataFrame(extra))
    merged: dict[str, list[str]] = {}
    for r in reports:
        for k, v in r.unmapped_labels.items():
            merged[k] = sorted(set(merged.get(k, [])) | set(v))
    report = ImportReport(
        file=" + ".join(r.file for r in reports), entity=entity,
        rows_read=sum(r.rows_read for r in reports), rows_accepted=sum(r.rows_accepted for r in reports),
        rows_rejected=sum(r.rows_rejected for r in reports),
        problems=(pd.concat(problems, ignore_index=True) if problems
                  else pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})),
        unmapped_columns=sorted({c for r in reports for c in r.unmapped_columns}),
        unmapped_labels=merged,
        parts=[p for r in reports for p in (r.parts or [r])],
    )
    return ImportResult(data, report)


def load_samples(data_dir="data_samples") -> dict[str, ImportResult]:
    """Import every table listed in ``data_dir``'s catalogue (``datakatalog.yaml``), unfiltered.

    Reads through :func:`evaluation.inputs.load` (the one loader), never by file name. Keys: the
    catalogue names (``handelser``, ``kasam_deltagare``, ``rapporterat/vagen_ut`` …), except that
    every ``episoder`` file is combined under ``episoder`` (the report has each file as a part).
    Prefer :func:`evaluation.inputs.load` in new code: it also validates förbund and period.

    Raises
    ------
    evaluation.catalogue.CatalogueError
        The folder has no (valid) catalogue.

    Examples
    --------
    >>> r = load_samples("data_samples")
    >>> r["nns_enkater"].report.rows_read == r["nns_enkater"].report.rows_accepted > 0
    True
    """
    from . import inputs

    inp = inputs.load(data_dir)
    out: dict[str, ImportResult] = {}
    episodes = list(inp.imports("episoder").values())
    if episodes:
        out["episoder"] = combine(episodes, "episoder") if len(episodes) > 1 else episodes[0]
    for entity in ("handelser", "enkatsvar", "segment", "enhetskostnader", "rapporterat"):
        out.update(inp.imports(entity))
    return out


def _display_names(files: list[str], data_dir=None) -> list[str]:
    """File names relative to the data folder (or to the files' common folder), never absolute."""
    paths = [Path(f) for f in files]
    if data_dir is not None:
        base = Path(data_dir).resolve()
    else:
        parents = [str(p.resolve().parent) for p in paths if str(p)]
        try:
            base = Path(os.path.commonpath(parents)) if parents else None
        except ValueError:  # different drives
            base = None
    out = []
    for p in paths:
        if not str(p):
            out.append("")
            continue
        try:
            out.append(p.resolve().relative_to(base).as_posix() if base is not None else p.name)
        except ValueError:  # outside the data folder: the bare file name
            out.append(p.name)
    return out


def summary_table(results: dict[str, ImportResult], lang: str = "sv", data_dir=None) -> pd.DataFrame:
    """One row per file: fil, entitet, rader lästa, godkända, avvisade, problem (labelled).

    File names are shown relative to ``data_dir`` (or, without it, to the folder the files have
    in common), so a report never shows where the data lies on the analyst's disk.

    Parameters
    ----------
    results : dict of ImportResult
        As returned by :func:`load_samples` or a dict of loader results.
    lang : {"sv", "en"}
        Column labels.
    data_dir : str or Path, optional
        The data folder; files outside it are shown by their bare name.

    Examples
    --------
    >>> r = ImportResult(pd.DataFrame(), ImportReport("/srv/data/a.csv", "handelser", 2, 2, 0))
    >>> tab = summary_table({"handelser": r}, data_dir="/srv/data")
    >>> list(tab.columns), tab.iloc[0, 0]
    (['fil', 'entitet', 'rader lästa', 'godkända', 'avvisade', 'problem'], 'a.csv')
    """
    frames = [r.report.to_frame() for r in results.values()]
    if not frames:
        df = ImportReport("", "").to_frame().iloc[0:0]
    else:
        df = pd.concat(frames, ignore_index=True)
        df["file"] = _display_names(df["file"].astype(str).tolist(), data_dir)
    return df.rename(columns={c: t(f"io.{c}", lang) for c in df.columns})


def _check_other(entry) -> str:
    """Read a non-table catalogue entry with its module's reader; '' when it reads, else the reason."""
    from . import costbenefit as cb
    from . import goals
    from . import indicators as ind

    reader = {"prisindex": cb.read_price_index, "scenario": cb.load_scenario, "malnivaer": ind.load_targets,
              "mal": goals.load_goals}[entry.entity]
    try:
        reader(entry.file)
    except Exception as exc:  # noqa: BLE001 - every reason is reported per file
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ""


def summary_cli(args) -> int:
    """``evaluation summary --data DIR``: validate every file of a data folder from its catalogue.

    Reads ``DIR/datakatalog.yaml`` (:mod:`evaluation.catalogue`), imports every table it lists
    through the loader and reads every other entry (scenarios, målnivåer, goal files, price index)
    with its module's reader; prints a Swedish table (file, entity, rows read, accepted, rejected,
    problems), unmapped columns, the full report of any file with problems, and which other files
    do not read. Returns 0 when everything loaded with no rejected rows, 1 otherwise (also for a
    folder without a catalogue: the message says how to make one).

    Examples
    --------
    >>> import argparse, tempfile
    >>> summary_cli(argparse.Namespace(data=tempfile.mkdtemp(), lang="sv"))  # doctest: +ELLIPSIS
    Datamappen ... saknar datakatalog.yaml, ... `evaluation import FIL --mapping MAPPNING --data ...
    1
    """
    from . import catalogue
    from .errors import EvaluationError

    lang = getattr(args, "lang", "sv")
    data_dir = getattr(args, "data", "data_samples")
    try:
        cat = catalogue.read(data_dir)
    except EvaluationError as exc:
        print(exc)
        return 1
    try:
        results = {e.key: r for e, r in _load_entries(cat)}
    except Exception as exc:  # noqa: BLE001 - report any import failure (missing key, bad mapping …)
        print(t("io.failed", lang, error=exc))
        return 1
    others = [(e, _check_other(e)) for e in cat.files() if e.entity not in SCHEMAS]
    if not results and not others:
        print(t("io.empty_catalogue", lang, file=cat.path.name, folder=data_dir))
        return 1
    table = summary_table(results, lang, data_dir=data_dir)
    print(t("io.title", lang, folder=data_dir))
    print(table.to_string(index=False))
    for r in results.values():
        for part in r.report.parts or [r.report]:
            if part.unmapped_columns:
                print(f"{_display_names([part.file], data_dir)[0]}: {t('io.unmapped_columns', lang)}: "
                      f"{', '.join(part.unmapped_columns)}")
    if others:
        print()
        print(t("io.other_files", lang))
        for e, problem in others:
            status = t("io.reads_ok", lang) if not problem else t("io.does_not_read", lang, reason=problem)
            print(f"  {e.path} ({e.entity}): {status}")
    failed = [r for r in results.values() if r.report.rows_rejected or not r.report.problems.empty]
    for r in failed:
        print()
        print(r.report.summary(lang))
    bad = any(r.report.rows_rejected for r in results.values()) or any(p for _, p in others)
    return 1 if bad else 0


def _load_entries(cat):
    """(entry, ImportResult) for every table entry of a catalogue, through the loader."""
    from . import inputs

    inp = inputs.Inputs(cat.folder, cat)
    return [(e, inp._import(e)) for e in cat.files() if e.entity in SCHEMAS]
