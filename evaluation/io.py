"""Safe import of the workbench's entities, with an import report.

Every loader reads one file (:mod:`evaluation.readers`: CSV, XLSX, Parquet, SPSS, Stata), maps the
source's headers and labels onto the data model (:mod:`evaluation.mapping`, mapping files as in
CONTRIBUTING.md), converts types, pseudonymises personnummer, validates against the pandera schema
of :mod:`evaluation.schemas` and returns an :class:`ImportResult` ``(data, report)``. The steps
are separate functions chained by :func:`load_table`: read -> text -> headers -> personnummer ->
required columns -> convert -> derive -> free text -> merged cells -> duplicates -> validate ->
account.

Guarantees
----------
* No row is dropped silently: ``rows_read == rows_accepted + rows_rejected``; every rejected
  row has at least one entry in ``report.problems`` (a problem with row ``"-"`` concerns the
  whole file, e.g. a missing required column, and then every row is rejected). Every physical
  line after the header is a row, part of a row (a quoted value with line breaks) or a rejected
  line (:mod:`evaluation.readers` reads a CSV line by line when the parser's row count differs
  from the line count).
* No content of a file makes an import raise: unreadable files, broken quotes, impossible dates,
  library errors all become problems with file, row, column and a Swedish reason.
* ``row`` in a problem is the 1-based line number in the source file with the header as line 1
  (for XLSX: the Excel row number; for Parquet/SPSS/Stata: the record number + 1, as if there
  were a header line). Blank lines are skipped and not counted as rows.
* Raw personnummer never reach ``.data`` or the report: an identifier column mapped to
  ``personnummer`` becomes a keyed pseudonym (:func:`evaluation.privacy.pseudonymise`; numbers
  that lost the leading zero of people born 2000–2009 are restored to 10 digits first), an
  invalid one rejects its row and is shown masked, and a valid personnummer found in any other
  text column is masked in the data and reported as a problem.
* Dates lie in a sane range (default 1900-01-01 to the reference date + 1 year); a lone year or
  a number in a text date column is a problem, not a date (Excel serials count in number cells).
* Episodes: an export without ``episod_id`` gets one by the rule :data:`EPISODE_ID_RULE`
  (pseudonym, insats, inskrivningsdatum); the same person in the same insats with the same start
  twice is a duplicate episode, reported on both rows.
* Anonymous participants (``anonym`` true) with no identifier get ``deltagare_id`` =
  ``"anonym-<episod_id>"``: counted, never linked (SUS practice, DOMAIN.md "Consent and anonymity").
* Strict mode (``strict=True``) raises :class:`ImportValidationError` listing *all* problems.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import mapping as _mp
from . import readers as _rd
from .errors import EvaluationError
from .labels import t
from .schemas import AGE_RANGE, SCHEMAS, _ITEM_RE

__all__ = [
    "ImportReport",
    "ImportResult",
    "ImportValidationError",
    "EmptyFileError",
    "SourceFileNotFoundError",
    "UnknownEntityError",
    "EPISODE_ID_RULE",
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
#: (Events get ``deltagare_id`` too: an export without episode ids builds ``episod_id`` from it, see
#: :data:`EPISODE_ID_RULE`; the pseudonym stays in the data as an extra column.)
PSEUDONYM_TARGET = {"episoder": "deltagare_id", "enkatsvar": "respondent_id", "segment": "talare_id",
                    "handelser": "deltagare_id"}

#: Prefix of the per-episode id given to anonymous participants without identifier.
ANON_PREFIX = "anonym-"

#: Fallback response ranges when :mod:`evaluation.instruments` does not know an instrument.
FALLBACK_RANGES = {"soc29": (1, 7), "soc13": (1, 7), "nns": (1, 6)}

#: How an export without ``episod_id`` gets one (mapping ``derive:`` syntax): the participant's
#: pseudonym, the insats and the inskrivningsdatum (ISO). Two rows with the same three are one
#: episode exported twice (a duplicate episode).
EPISODE_ID_RULE = "{deltagare_id}/{insats}/{inskrivningsdatum}"

#: The columns that identify an episode (duplicate episodes share all three).
EPISODE_KEY = ("deltagare_id", "insats", "inskrivningsdatum")

#: Earliest date accepted by default (the latest is the reference date + 1 year).
DEFAULT_MIN_DATE = pd.Timestamp("1900-01-01")

#: Entities whose extra columns are kept (aggregate tables have free-form value columns).
OPEN_ENTITIES = frozenset({"rapporterat"})

_PNR_SHAPE = re.compile(r"(?<!\d)(\d{6}|\d{8})([-+ \u2010-\u2015\u2212]?)(\d{4})(?!\d)")
_PNR_QUICK = re.compile(r"\d{6}")


class ImportValidationError(EvaluationError, ValueError):
    """Raised in strict mode when a file has problems; the message lists every one (in Swedish).

    Attributes
    ----------
    report : ImportReport
        The full import report (``report.problems`` has one row per problem).
    """

    def __init__(self, report: "ImportReport"):
        self.report = report
        lines = [f"{len(report.problems)} problem vid import av {report.file} som {report.entity}; "
                 "rätta källan eller mappningsfilen och importera igen:"]
        for p in report.problems.itertuples(index=False):
            lines.append(f"  {p.file}, rad {p.row}, kolumn {p.column}, värde {p.value!r}: {p.reason}")
        super().__init__(_redact("\n".join(lines)))


class EmptyFileError(ImportValidationError):
    """The file is empty (no header line)."""


class SourceFileNotFoundError(EvaluationError, FileNotFoundError):
    """The file to import does not exist."""


class UnknownEntityError(EvaluationError, ValueError):
    """The entity named is not one of :data:`evaluation.schemas.SCHEMAS`."""


def _mask(value: Any) -> Any:
    """Mask anything shaped like a personnummer (valid or not): :func:`evaluation.privacy.mask_value`."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    from .privacy import mask_value

    return mask_value(value)


def _mask_each(values, n: int) -> list:
    """``[_mask(v) for v in values]`` (a lone string stands for ``n`` copies), masking each distinct value once."""
    if isinstance(values, str):
        return [_mask(values)] * n
    out, memo = [], {}
    for v in values:
        try:
            key = (type(v), v)
            m = memo.get(key)
            if m is None:
                m = memo[key] = _mask(v)
        except TypeError:  # unhashable cell (a list from a nested column)
            m = _mask(v)
        out.append(m)
    return out


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
    format, encoding, sheet : str or None
        Format read (``csv``, ``xlsx``, ``parquet``, ``sav``, ``dta``), the text encoding chosen
        (CSV: BOM, UTF-16, UTF-8, the mapping's, cp1252) and the XLSX sheet read.
    lines_read : int
        Physical data lines after the header (blank lines excluded); larger than ``rows_read``
        only when quoted values span lines.
    variable_labels : dict
        SPSS/Stata variable labels, source column -> label.
    missing_codes : dict
        Source column -> {code: count} of values treated as missing (SPSS user-missing codes, the
        mapping's ``missing:``); they are never scored.
    notes : list of str
        Swedish remarks (sheet, encoding, derived episode ids, restored personnummer).
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
    format: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    lines_read: int = 0
    variable_labels: dict[str, str] = field(default_factory=dict)
    missing_codes: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # every string of a report passes the one masker (evaluation.privacy.redact): a file
        # without a header row turns a data line into headers, problem reasons quote values
        from .privacy import redact, redact_frame

        self.file = redact(self.file)
        self.problems = redact_frame(self.problems)
        self.unmapped_columns = [redact(c) for c in self.unmapped_columns]
        self.unmapped_labels = {redact(k): sorted({redact(v) for v in vals}) for k, vals in self.unmapped_labels.items()}
        self.notes = [redact(n) for n in self.notes]
        self.variable_labels = {redact(k): redact(v) for k, v in self.variable_labels.items()}

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

    def summary(self, lang: str = "sv", limit: int | None = 20) -> str:
        """A short text summary for people (Swedish by default): counts, notes, then the problems.

        ``limit`` problems are listed (``None``: every one; ``evaluation import`` lists all).

        Examples
        --------
        >>> print(ImportReport("a.csv", "episoder", 3, 2, 1).summary())
        a.csv (episoder): 3 rader lästa, 2 godkända, 1 avvisade, 0 problem.
        """
        text = t("io.summary_line", lang, file=self.file, entity=self.entity, read=self.rows_read,
                 accepted=self.rows_accepted, rejected=self.rows_rejected, problems=len(self.problems))
        lines = [text]
        for note in self.notes:
            lines.append(f"  ({note})")
        by_code: dict[str, list[str]] = {}
        for col, codes in self.missing_codes.items():
            for code, n in codes.items():
                by_code.setdefault(str(code), []).append(f"{col} ({n})")
        for code, cols in by_code.items():
            lines.append("  " + t("io.missing_codes", lang, code=code, columns=", ".join(cols)))
        if self.variable_labels:
            lines.append("  " + t("io.variable_labels", lang) + ": "
                         + "; ".join(f"{k} = {v}" for k, v in self.variable_labels.items()))
        if self.unmapped_columns:
            lines.append(t("io.unmapped_columns", lang) + ": " + ", ".join(self.unmapped_columns))
        for col, labels in self.unmapped_labels.items():
            lines.append(t("io.unmapped_labels", lang) + f" ({col}): " + ", ".join(labels))
        shown = self.problems if limit is None else self.problems.head(limit)
        for p in shown.itertuples(index=False):
            lines.append(f"  {p.file}:{p.row} [{p.column}] {p.value!r}: {p.reason}")
        if len(self.problems) > len(shown):
            lines.append("  " + t("io.more_problems", lang, n=len(self.problems) - len(shown)))
        return _redact("\n".join(lines))


@dataclass
class ImportResult:
    """Validated data plus its :class:`ImportReport`; unpacks as ``data, report``."""

    data: pd.DataFrame
    report: ImportReport

    def __iter__(self) -> Iterator:
        return iter((self.data, self.report))


# --------------------------------------------------------------------------------------------
# problems


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
        values = _mask_each(values, n)
        reasons = _mask_each(reasons, n)
        self.frames.append(pd.DataFrame({
            "file": self.file, "row": pd.Series(rows, dtype=object), "column": column,
            "value": values, "reason": reasons}))
        if reject:
            whole = [r for r in rows if isinstance(r, str) and r == "-"]
            if whole:
                self.file_rejected = True
            self.rejected.update(rows if not whole else [r for r in rows if not (isinstance(r, str) and r == "-")])

    def frame(self) -> pd.DataFrame:
        if not self.frames:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})
        df = pd.concat(self.frames, ignore_index=True)
        df["row"] = df["row"].astype(object)
        whole = (df["row"] == "-").to_numpy(dtype=bool)
        order = np.full(len(df), -1, dtype=np.int64)
        order[~whole] = df["row"].to_numpy()[~whole].astype(np.int64)
        return df.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


def _cell_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (pd.Timestamp,)) or hasattr(v, "isoformat"):
        return v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
    if isinstance(v, (list, tuple, dict, set, np.ndarray)):
        return "|".join(str(x) for x in v) if not isinstance(v, dict) else str(v)
    return str(v)


def _as_text(s: pd.Series) -> pd.Series:
    """Raw cell values as stripped strings with missing for blanks (vectorised)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s
    if s.dtype == object:
        kind = pd.api.types.infer_dtype(s, skipna=True)
        if kind not in ("string", "empty"):
            blank = s.eq("")  # an empty spreadsheet cell ("") is missing, also when judging the column's kind
            if blank.any():
                s = s.mask(blank, None)
                kind = pd.api.types.infer_dtype(s, skipna=True)
        if kind == "string":  # text cells: straight into Arrow (no per-cell str())
            import pyarrow as pa

            try:
                s = pd.Series(pa.array(s.to_numpy(), type=pa.string(), from_pandas=True), index=s.index, dtype="str")
            except (pa.ArrowException, TypeError, ValueError):  # pragma: no cover - pandas converts below
                pass
        if kind in ("datetime", "datetime64", "date"):  # Excel date cells
            out = pd.to_datetime(s, errors="coerce")
            if out.notna().sum() == s.notna().sum():
                return out
            kind = "mixed"  # dates outside pandas' range: keep them as text, judged later
        if kind in ("integer", "floating", "mixed-integer-float", "decimal", "boolean"):
            s = pd.Series(s.tolist(), index=s.index)  # let pandas pick a numeric/bool dtype
        elif kind != "string":  # mixed cells (numbers, dates and text): one conversion per value
            s = _mp.map_uniques(s, _cell_text)
    if pd.api.types.is_float_dtype(s.dtype):
        whole = s.dropna()
        if len(whole) and (whole % 1 == 0).all() and whole.abs().max() < 2**53:
            s = s.astype("Int64")
    out = s.astype("str")
    state = _arrow_text_state(out)
    if state == "clean":
        return out  # no cell starts or ends with whitespace and none is blank: nothing to strip
    if state == "blanks":
        return out.where(out != "")  # empty cells, nothing else to strip
    out = out.str.strip()
    return out.where(out != "")


def _clean_arrow_text(s: pd.Series) -> bool:
    """True when :func:`_arrow_text_state` is ``"clean"`` (nothing to strip, no blank cell)."""
    return _arrow_text_state(s) == "clean"


def _arrow_text_state(s: pd.Series) -> str:
    """``"clean"`` when an Arrow-backed text column certainly has no empty cell and no cell that
    starts or ends with whitespace (stripping changes nothing), ``"blanks"`` when its only such
    cells are empty strings, else ``"strip"``; judged from the first and last byte of every cell
    in Arrow's buffers (no per-cell Python). Conservative: any byte below ``!`` or outside ASCII
    at either end (Unicode spaces included) answers ``"strip"``, and so does anything that is not
    a plain Arrow string column.

    Examples
    --------
    >>> _arrow_text_state(pd.Series(["a", "b c", None], dtype="str"))
    'clean'
    >>> _arrow_text_state(pd.Series(["a ", "b"], dtype="str")), _arrow_text_state(pd.Series(["", "b"], dtype="str"))
    ('strip', 'blanks')
    >>> _arrow_text_state(pd.Series(["a\u00a0"], dtype="str")), _arrow_text_state(pd.Series(["a"], dtype=object))
    ('strip', 'strip')
    """
    try:
        import pyarrow as pa

        if not isinstance(s.dtype, pd.StringDtype) or getattr(s.dtype, "storage", "") != "pyarrow":
            return "strip"
        blanks = False
        for chunk in s.array._pa_array.chunks:
            n = len(chunk)
            if n == 0 or chunk.null_count == n:
                continue
            if pa.types.is_string(chunk.type):
                off_type = np.int32
            elif pa.types.is_large_string(chunk.type):
                off_type = np.int64
            else:
                return "strip"
            _, obuf, dbuf = chunk.buffers()
            offsets = np.frombuffer(obuf, dtype=off_type)[chunk.offset:chunk.offset + n + 1]
            starts, ends = offsets[:-1], offsets[1:]
            if chunk.null_count:
                valid = chunk.is_valid().to_numpy(zero_copy_only=False)
                starts, ends = starts[valid], ends[valid]
            empty = ends <= starts
            if empty.any():
                blanks = True
                starts, ends = starts[~empty], ends[~empty]
                if not len(starts):
                    continue
            data = np.frombuffer(dbuf, dtype=np.uint8)
            first, last = data[starts], data[ends - 1]
            if ((first <= 0x20) | (first >= 0x7F) | (last <= 0x20) | (last >= 0x7F)).any():
                return "strip"
        return "blanks" if blanks else "clean"
    except Exception:  # noqa: BLE001 - another Arrow layout: strip as usual
        return "strip"


# --------------------------------------------------------------------------------------------
# the import pipeline: read -> map headers -> convert -> validate -> account


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


@dataclass
class _Import:
    """State of one import while it passes the steps (internal)."""

    entity: str
    schema: pa.DataFrameSchema
    mp: _mp.Mapping
    file: str
    problems: _Problems
    raw: _rd.RawTable
    options: dict
    index: pd.Index | None = None
    text: dict = field(default_factory=dict)          # source header -> text series
    header_map: dict = field(default_factory=dict)    # source header -> model column
    unmapped: list = field(default_factory=list)
    cols: dict = field(default_factory=dict)          # model column -> text series
    src_name: dict = field(default_factory=dict)      # model column -> source header
    out: dict = field(default_factory=dict)           # model column -> converted series
    unmapped_labels: dict = field(default_factory=dict)
    free_text: list = field(default_factory=list)
    missing: list = field(default_factory=list)       # required model columns absent
    derived: dict = field(default_factory=dict)       # model column -> model columns it is built from
    notes: list = field(default_factory=list)
    missing_codes: dict = field(default_factory=dict)
    frame: pd.DataFrame | None = None
    unique_checked: set = field(default_factory=set)  # unique columns found without any repeated value

    def label(self, model: str) -> str:
        return self.src_name.get(model, model)


def _read_options(mp: _mp.Mapping, sheet, header_row) -> dict:
    read = dict(mp.read)
    if sheet not in (None, ""):
        read["sheet"] = sheet
    if header_row not in (None, ""):
        read["header_row"] = header_row
    return read


def _date_bounds(read: dict, reference_date, date_range) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Sane date range: default 1900-01-01 to reference date (default today) + 1 year."""
    rng = date_range or read.get("date_range") or (None, None)
    ref = pd.Timestamp(reference_date or read.get("reference_date") or _dt.date.today()).normalize()
    lo = pd.Timestamp(rng[0]) if rng[0] else DEFAULT_MIN_DATE
    hi = pd.Timestamp(rng[1]) if len(rng) > 1 and rng[1] else ref + pd.DateOffset(years=1)
    return lo, hi


def _step_text(imp: _Import) -> None:
    """Cells as stripped text, indexed by source row; blank lines dropped (they are not rows)."""
    raw = imp.raw
    frame = raw.frame
    frame.columns = [str(c) for c in frame.columns]
    text = {c: _as_text(frame[c]) for c in frame.columns}
    nonblank = np.zeros(len(frame), dtype=bool)
    for s in text.values():
        nonblank |= s.notna().to_numpy()
    lines = raw.lines
    if not nonblank.all():
        frame = frame.loc[nonblank]
        text = {c: s.loc[nonblank] for c, s in text.items()}
        lines = lines[nonblank]
        raw.frame, raw.lines = frame, lines
    imp.index = pd.Index(lines, name="row")
    imp.text = {c: s.set_axis(imp.index) for c, s in text.items()}
    if len(lines) == 0 and raw.n_bad == 0:
        imp.problems.add([1], "-", "", "filen har en rubrikrad men inga datarader", reject=False)


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
        item = h.strip()
        if "_" in item:
            item = item.split("_", 1)[0].lower() + "_" + item.split("_", 1)[1]  # SOC29_1 (SPSS) -> soc29_1
        if not model and entity == "enkatsvar" and _ITEM_RE.match(item) and item not in allowed:
            model = item
        if not model and h.strip() in _MODEL_KINDS:
            model = h.strip()  # a data-model column of another entity (forbund, datum): keep it
        if not model:
            if entity in OPEN_ENTITIES and h.strip():
                model = h.strip()
            else:
                unmapped.append(h)
                continue
        if model in taken:
            problems.add(["-"], h, "", f"mappas till {model}, som redan läses från kolumnen {taken[model]!r}; "
                         "den här kolumnen ignorerades — rätta mappningsfilen", reject=False)
            continue
        taken[model] = h
        result[h] = model
    return result, unmapped


def _model_kind(imp: _Import, model: str) -> str | None:
    colschema = imp.schema.columns.get(model)
    return _schema_kind(colschema) if colschema is not None else _MODEL_KINDS.get(model)


def _step_headers(imp: _Import) -> None:
    """Map source headers onto model columns; constants, the survey instrument, labels, missing codes."""
    raw, problems, mp = imp.raw, imp.problems, imp.mp
    columns = list(imp.text)
    imp.header_map, imp.unmapped = _map_headers(columns, imp.entity, imp.schema, mp, problems)
    if (len(imp.header_map) + len(imp.unmapped) == 1 and len(columns) == 1
            and re.search(r"[;,\t|]", columns[0])):
        problems.add(["-"], columns[0], "", "bara en kolumn hittades och dess rubrik innehåller en avgränsare; "
                     "avgränsaren är troligen fel (ange read: {delimiter: ...} i mappningsfilen)")
    for name, reason in raw.unreadable.items():  # nested Parquet columns
        model = _map_headers([name], imp.entity, imp.schema, mp, _Problems(imp.file))[0].get(name)
        problems.add(["-"], name, "", reason, reject=bool(model))
        if not model:
            imp.unmapped.append(name)
    imp.src_name = {model: src for src, model in imp.header_map.items()}
    cols: dict[str, pd.Series] = {}
    missing_spec = mp.missing
    for src, model in imp.header_map.items():
        s = imp.text[src]
        codes = _missing_codes_for(missing_spec, src, model)
        if codes:
            hit = s.isin(codes)
            if hit.any():
                imp.missing_codes[src] = {str(k): int(v) for k, v in s[hit].value_counts().items()}
                s = s.mask(hit)
        labels = raw.value_labels.get(src)
        if labels and _model_kind(imp, model) in ("str", "bool"):
            s = s.map(labels).fillna(s).astype("str")
        cols[model] = s
    for src, counts in raw.missing_codes.items():
        imp.missing_codes.setdefault(src, {}).update(counts)
    index = imp.index
    for model, value in mp.constants.items():
        const = pd.Series(None if value is None else str(value), index=index, dtype="str")
        cols[model] = cols[model].fillna(const) if model in cols else const
    if imp.options.get("instrument") and imp.entity == "enkatsvar" and "instrument" not in cols:
        cols["instrument"] = pd.Series(imp.options["instrument"], index=index, dtype="str")
    imp.cols = cols


def _missing_codes_for(spec, src: str, model: str) -> list[str]:
    """Codes the mapping declares missing for a column (``missing: [9, 99]`` or per column)."""
    if not spec:
        return []
    if isinstance(spec, dict):
        codes = spec.get(src, spec.get(model))
    else:
        codes = spec
    if codes is None:
        return []
    codes = codes if isinstance(codes, (list, tuple, set)) else [codes]
    return [_cell_text(c) for c in codes]


def _step_personnummer(imp: _Import) -> None:
    """Personnummer -> keyed pseudonym (numbers that lost their leading zero restored first)."""
    cols, problems = imp.cols, imp.problems
    if "personnummer" not in cols:
        return
    target = PSEUDONYM_TARGET.get(imp.entity)
    pnr = cols.pop("personnummer")
    src = imp.label("personnummer")
    if target is None:
        problems.add(["-"], src, "", f"en personnummerkolumn kan inte importeras som {imp.entity}; "
                     "ta bort den ur exporten")
        return
    # a number column (Excel, Parquet, SPSS) drops the leading zero of people born 2000-2009
    short = pnr.str.fullmatch(r"\d{7,9}").fillna(False).astype(bool)
    if short.any():
        pnr = pnr.where(~short, pnr.str.zfill(10))
        imp.notes.append(f"{int(short.sum())} personnummer hade tappat inledande nolla (lagrade som tal) och "
                         "fylldes ut till 10 siffror")
    privacy = _privacy()
    valid = map_valid_pnr(pnr, privacy)
    bad = pnr.notna() & ~valid
    problems.add(pnr.index[bad], src, pnr[bad],
                 "inte ett giltigt personnummer eller samordningsnummer (kontrollsiffra eller datum); raden avvisas")
    problems.seen.update((r, target) for r in pnr.index[bad])
    pseud = pd.Series(pd.NA, index=imp.index, dtype="str")
    if valid.any():
        pseud[valid] = privacy.pseudonymise(pnr[valid]).astype("str").to_numpy()
    cols[target] = cols[target].fillna(pseud) if target in cols else pseud
    imp.src_name.setdefault(target, src)  # problems with the pseudonym are reported under the source header
    if imp.mp.derive.get("fodelsear") == "personnummer" and valid.any():
        year = _mp.map_uniques(pnr[valid], lambda v: privacy.normalise(v)[:4]).astype("str")
        y = pd.Series(pd.NA, index=imp.index, dtype="str")
        y[valid] = year.to_numpy()
        cols["fodelsear"] = cols["fodelsear"].fillna(y) if "fodelsear" in cols else y
        imp.derived["fodelsear"] = ["personnummer"]


def _step_required(imp: _Import) -> None:
    derivable = set(imp.mp.derive)
    if imp.entity == "episoder" and all(c in imp.cols for c in EPISODE_KEY):
        derivable.add("episod_id")  # built by EPISODE_ID_RULE
    imp.missing = [c for c, col in imp.schema.columns.items()
                   if col.required and c not in imp.cols and c not in derivable]
    for c in imp.missing:
        imp.problems.add(["-"], c, "", f"obligatorisk kolumn {c} saknas; lägg till den i filen eller mappa en "
                         f"rubrik till den i mappningsfilen (omappade rubriker: {', '.join(imp.unmapped) or 'inga'})")


def _numeric_cells(raw_col: pd.Series) -> pd.Series:
    """True where a raw cell is a number (not text): only there is an Excel serial a date."""
    if pd.api.types.is_numeric_dtype(raw_col.dtype) and not pd.api.types.is_bool_dtype(raw_col.dtype):
        return raw_col.notna()
    if raw_col.dtype != object:
        return pd.Series(False, index=raw_col.index)
    return _mp.map_uniques(raw_col, lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                           ).fillna(False).astype(bool)


_LONE_YEAR = re.compile(r"^\d{4}$")
_SERIAL_TEXT = re.compile(r"^\d{4,6}(?:[.,]0+)?$")


def _convert_dates(imp: _Import, model: str, s: pd.Series) -> pd.Series:
    """Dates: Swedish text forms, Excel date cells, serials only in number cells, sane range."""
    label = imp.label(model)
    problems = imp.problems
    dayfirst = bool(imp.mp.read.get("dayfirst", True))
    lo, hi = imp.options["date_bounds"]
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        parsed = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        parsed = parsed.dt.normalize()
        bad = pd.Series(False, index=s.index)
    else:
        serial_text = bool(imp.mp.read.get("excel_serials", False))
        src = imp.src_name.get(model)
        numeric = None
        if src is not None and src in imp.raw.numeric and src in imp.raw.frame:
            numeric = _numeric_cells(imp.raw.frame[src]).set_axis(s.index)
        key = s if numeric is None or not numeric.any() else s.where(~numeric, "#" + s.astype("str"))

        def parse(v: str):
            if v.startswith("#"):
                return _mp.parse_date(v[1:], dayfirst, serial=True)
            return _mp.parse_date(v, dayfirst, serial=serial_text)

        # parse and convert each distinct text once, then spread back by code (vectorised)
        codes, uniques = pd.factorize(key, use_na_sentinel=True)
        conv = pd.to_datetime(pd.Series([parse(v) for v in uniques], dtype=object), errors="coerce")
        taken = conv.to_numpy()
        vals = np.empty(len(codes), dtype=taken.dtype) if len(taken) else np.empty(len(codes), "datetime64[ns]")
        vals[:] = np.datetime64("NaT")
        vals[codes >= 0] = taken[codes[codes >= 0]]
        parsed = pd.Series(vals, index=s.index)
        bad = s.notna() & parsed.isna()
        if bad.any():
            vals = s[bad].astype("str")
            year = vals.str.fullmatch(_LONE_YEAR.pattern).fillna(False).astype(bool)
            serial = ~year & vals.str.fullmatch(_SERIAL_TEXT.pattern).fillna(False).astype(bool)
            reasons = np.where(
                year, "ett ensamt årtal är inget datum; skriv hela datumet (t.ex. 2023-05-14)",
                np.where(serial, "ett tal i en textkolumn är inget datum (Excel-serienummer?); spara kolumnen som "
                                 "datum eller ange read: {excel_serials: true} i mappningsfilen",
                         "inte ett datum (skriv 2023-05-14, 20230514, 14/5/2023 eller 14 maj 2023)"))
            problems.add(s.index[bad], label, s[bad], list(reasons))
    out_of_range = parsed.notna() & ((parsed < lo) | (parsed > hi))
    if out_of_range.any():
        problems.add(s.index[out_of_range], label, s[out_of_range],
                     f"datumet ligger utanför det rimliga intervallet {lo:%Y-%m-%d}–{hi:%Y-%m-%d}; rätta det "
                     "(intervallet ändras med read: {date_range: [från, till]} i mappningsfilen)")
        parsed = parsed.mask(out_of_range)
    return parsed.astype("datetime64[ns]")


def _step_convert(imp: _Import) -> None:
    """Convert each mapped column to its model type, reporting every cell that does not fit."""
    vocabs = _mp.column_vocabularies(imp.entity)
    decimal = imp.mp.read.get("decimal")
    problems, mp = imp.problems, imp.mp
    for model, s in imp.cols.items():
        label = imp.label(model)
        kind = _model_kind(imp, model)
        if kind is None and imp.entity == "enkatsvar" and _ITEM_RE.match(model):
            imp.out[model] = _convert_item(model, s, label, problems, decimal)
            continue
        if kind is None:  # pass-through column of an open entity
            num, bad = parse_numbers(s, decimal) if s.notna().any() else (None, None)
            if num is not None and not bad.any() and not pd.api.types.is_datetime64_any_dtype(s.dtype):
                imp.out[model] = num
            else:
                imp.out[model] = s.astype("str") if not pd.api.types.is_datetime64_any_dtype(s.dtype) else s
                imp.free_text.append(model)
            continue
        if kind == "date":
            v = _convert_dates(imp, model, s)
        elif kind in ("int", "float"):
            if pd.api.types.is_datetime64_any_dtype(s.dtype):
                s = s.astype("str")
            v, bad = parse_numbers(s, decimal)
            if kind == "int":
                frac = v.notna() & (v % 1 != 0)
                problems.add(s.index[frac], label, s[frac], "inte ett heltal")
                huge = v.notna() & (v.abs() >= 2**53)
                problems.add(s.index[huge], label, s[huge], "talet är orimligt stort")
                v = v.where(~frac & ~huge).round().astype("Int64")
            problems.add(s.index[bad], label, s[bad], "inte ett tal")
        elif kind == "bool":
            lookup = _mp.boolean_lookup(model, mp)
            s = s.astype("str") if pd.api.types.is_datetime64_any_dtype(s.dtype) else s
            codes, res = _distinct_map(s, lambda x: lookup.get(_mp.normalise(x)))
            bad = _bad_codes(codes, res)
            if bad.any():
                imp.unmapped_labels[model] = sorted(set(s[bad].astype(str)))
            problems.add(s.index[bad], label, s[bad], f"etiketten går inte att tolka som ja/nej i {model}; lägg "
                         f"till den under values: {model}: i mappningsfilen")
            v = _bool_from_codes(codes, res, s.index)
        else:  # str
            s = s.astype("str") if not pd.api.types.is_string_dtype(s.dtype) else s
            v = _convert_str(imp, model, s, label, vocabs.get(model))
        imp.out[model] = v


def _convert_str(imp: _Import, model: str, s: pd.Series, label: str, vocab: str | None) -> pd.Series:
    problems, mp = imp.problems, imp.mp
    if model in _mp.MULTI_COLUMNS:
        v, bad, labels = _convert_multi(model, s, vocab, mp)
        if labels:
            imp.unmapped_labels[model] = labels
        problems.add(s.index[bad], label, s[bad],
                     [f"etikett(er) {', '.join(_unknown_parts(x, model, vocab, mp))} finns inte i vokabulären "
                      f"{vocab}; lägg till dem under values: {model}: i mappningsfilen" for x in s[bad]])
        return v
    if not (vocab or mp.values.get(model)):
        imp.free_text.append(model)
        return s
    lookup = _mp.label_lookup(model, vocab, mp)
    if not vocab:
        imp.free_text.append(model)  # mapped free text is still scanned for personnummer
        codes, res, uniques = _distinct_map(s, lambda x: lookup.get(_mp.normalise(x)), with_uniques=True)
        keep = pd.isna(res)
        res[:-1][keep[:-1]] = uniques[keep[:-1]]  # labels the mapping does not name stay as they are
        return _str_from_codes(codes, res, s.index)
    codes, res, uniques = _distinct_map(s, lambda x: lookup.get(_mp.normalise(x)), with_uniques=True)
    bad = _bad_codes(codes, res)
    if bad.any():
        imp.unmapped_labels[model] = sorted(set(s[bad]))
    problems.add(s.index[bad], label, s[bad],
                 [f"etiketten {x!r} finns inte i vokabulären {vocab}; lägg till den under values: {model}: "
                  "i mappningsfilen" for x in s[bad]])
    if s.dtype == _STR and not bad.any() and all(isinstance(r, str) and r == u for r, u in zip(res, uniques)):
        return s  # every label is already its code (a canonical export): the column as it is
    return _str_from_codes(codes, res, s.index)


_STR = pd.Series([], dtype="str").dtype


def _distinct_map(s: pd.Series, func, with_uniques: bool = False):
    """``func`` of each distinct non-missing value of ``s``: ``(codes, results)``.

    ``codes`` (one per row, -1 for missing) index ``results`` (object array, one slot per distinct
    value plus a last ``None`` for missing): a column of a million rows and a dozen labels costs a
    dozen calls and one hash pass (Arrow's dictionary encoding for Arrow-backed text).
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    res = np.empty(len(uniques) + 1, dtype=object)
    res[:-1] = [func(v) for v in uniques]
    res[-1] = None
    return (codes, res, uniques) if with_uniques else (codes, res)


def _bad_codes(codes: np.ndarray, res: np.ndarray) -> np.ndarray:
    """Rows with a value (code ≥ 0) whose distinct value found no result."""
    return (codes >= 0) & pd.isna(res)[codes]


def _str_from_codes(codes: np.ndarray, res: np.ndarray, index) -> pd.Series:
    """An Arrow-backed ``str`` column from per-distinct results, spread back in Arrow (no per-row objects)."""
    import pyarrow as pa

    vals = [None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in res]
    arr = pa.array(vals, type=pa.large_string() if sum(map(len, filter(None, vals))) >= 2**31 - 1 else pa.string())
    taken = arr.take(pa.array(codes, mask=codes < 0)) if len(codes) else arr.slice(0, 0)
    return pd.Series(taken, index=index, dtype="str")


def _bool_from_codes(codes: np.ndarray, res: np.ndarray, index) -> pd.Series:
    """A nullable ``boolean`` column from per-distinct results (``True``/``False``/missing)."""
    missing = pd.isna(res)
    truth = np.array([bool(v) if not m else False for v, m in zip(res, missing)], dtype=bool)
    return pd.Series(pd.arrays.BooleanArray(truth[codes], missing[codes]), index=index)


def _iso(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.strftime("%Y-%m-%d")
    if pd.api.types.is_float_dtype(s.dtype) and s.dropna().mod(1).eq(0).all():
        s = s.astype("Int64")
    return s.astype("str")


def _step_derive(imp: _Import) -> None:
    """Derived columns (mapping ``derive:``) and the default episode id of an export without one."""
    rules = {k: v for k, v in imp.mp.derive.items() if v != "personnummer"}
    if (imp.entity == "episoder" and "episod_id" not in imp.out and "episod_id" not in rules
            and all(c in imp.out for c in EPISODE_KEY)):
        rules["episod_id"] = EPISODE_ID_RULE
        imp.notes.append(f"episod_id saknas i filen och byggdes enligt regeln {EPISODE_ID_RULE}")
    out = imp.out
    for model, rule in rules.items():
        rule = str(rule)
        names = re.findall(r"\{(\w+)\}", rule)
        unknown = [n for n in names if n not in out]
        if unknown or not names:
            imp.problems.add(["-"], model, "", f"derive: {model}: {rule!r} använder kolumner som saknas "
                             f"({', '.join(unknown) or 'inga {kolumn} angivna'}); rätta mappningsfilen")
            continue
        pieces = re.split(r"\{\w+\}", rule)
        value = pd.Series(pieces[0], index=imp.index, dtype="str")
        for name, lit in zip(names, pieces[1:]):
            value = value + _iso(out[name]) + lit
        anymissing = np.zeros(len(imp.index), dtype=bool)
        for name in names:
            anymissing |= out[name].isna().to_numpy()
        value = value.mask(anymissing)
        out[model] = out[model].fillna(value) if model in out else value
        imp.derived[model] = names


def _step_anonymous(imp: _Import) -> None:
    """Anonymous participants (SUS: counted, not linkable) get a per-episode id that links nothing."""
    out = imp.out
    if imp.entity == "episoder" and {"deltagare_id", "anonym", "episod_id"} <= set(out):
        anon = out["deltagare_id"].isna() & out["anonym"].fillna(False).astype(bool) & out["episod_id"].notna()
        if anon.any():
            ids = out["deltagare_id"].copy()
            ids[anon] = ANON_PREFIX + out["episod_id"][anon]
            out["deltagare_id"] = ids


#: Swedish wording of :func:`evaluation.privacy.protect_text_columns`' reasons (by their start).
_PROTECT_REASONS = {
    "identifier holds": "identifieraren innehåller ett personnummer; ersatt med en nyckelbaserad pseudonym "
                        "(mappa kolumnen till personnummer i mappningsfilen)",
    "contains a personnummer": "innehåller ett personnummer; det måste tas bort i källan (maskerat i importerade data)",
}


def _step_free_text(imp: _Import) -> None:
    """Personnummer in every text column, whatever the mapping says: identifier columns get keyed
    pseudonyms (never one constant), other text is masked (:mod:`evaluation.privacy`); rows kept."""
    for model, s, rows, shown, reason in _privacy().protect_text_columns(imp.out, imp.entity):
        why = next((sv for en, sv in _PROTECT_REASONS.items() if str(reason).startswith(en)), reason)
        imp.problems.add(rows, imp.label(model), shown, why, reject=False)
        imp.out[model] = s


def _step_frame(imp: _Import) -> None:
    frame = pd.DataFrame(imp.out, index=imp.index)
    order = ([c for c in imp.schema.columns if c in frame.columns]
             + [c for c in frame.columns if c not in imp.schema.columns])
    imp.frame = frame[order]


def _step_merged(imp: _Import) -> None:
    """Cells covered by a merged range (not its first cell) are empty: say so, reject the row."""
    by_col: dict[str, list] = {}
    for (row, col), ref in imp.raw.merged.items():
        if row in imp.index:
            by_col.setdefault(col, []).append((row, ref))
    for col, hits in by_col.items():
        rows = [r for r, _ in hits]
        imp.problems.add(rows, col, "", [f"sammanfogad cell ({ref}): värdet står bara i den första cellen; dela "
                                         "upp sammanfogningen och fyll i värdet på varje rad" for _, ref in hits])
        model = imp.header_map.get(col)
        if model:
            imp.problems.seen.update((r, model) for r in rows)


def _step_duplicates(imp: _Import) -> None:
    """Duplicate keys and duplicate episodes, reported on every row involved."""
    frame, schema, problems = imp.frame, imp.schema, imp.problems
    key_sets = []
    if imp.entity == "episoder":
        key_sets.append((list(EPISODE_KEY), "dubblettepisod: samma deltagare, insats och inskrivningsdatum"))
    key_sets += [([c], None) for c, col in schema.columns.items() if col.unique and c in frame]
    if schema.unique:
        key_sets.append((list(schema.unique), None))
    reported: set = set()
    for keys, what in key_sets:
        if not all(k in frame for k in keys):
            continue
        sub = frame[keys]
        alldup = sub.duplicated(keep=False)
        if len(keys) == 1 and not what and not alldup.any():
            imp.unique_checked.add(keys[0])  # pandera's own uniqueness check would pass: not run twice
        dup = sub.notna().all(axis=1) & alldup
        if reported:
            dup &= ~sub.index.isin(list(reported))
        if not dup.any():
            continue
        groups = _iso_frame(sub[dup]).agg("|".join, axis=1)
        rows_of = groups.groupby(groups).groups
        if what:
            reasons = [f"{what} som rad {', '.join(str(r) for r in rows_of[g] if r != row)}; båda raderna avvisas"
                       for row, g in groups.items()]
        else:
            reasons = [f"dubblettnyckel ({', '.join(keys)}) = {g!r}; finns också på rad "
                       f"{', '.join(str(r) for r in rows_of[g] if r != row)}; båda raderna avvisas"
                       for row, g in groups.items()]
        col0 = keys[0]
        raw_vals = [frame[col0].get(r) if col0 in frame else "" for r in groups.index]
        problems.add(groups.index, imp.label(col0), raw_vals, reasons)
        reported.update(groups.index)


def _iso_frame(sub: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({c: _iso(sub[c]) for c in sub.columns}, index=sub.index)


def _step_validate(imp: _Import) -> None:
    """Pandera on the rows still standing (never raises: an internal failure is reported)."""
    try:
        schema = _without_unique(imp.schema, tuple(sorted(imp.unique_checked))) if imp.unique_checked else imp.schema
        _validate(schema, imp.frame, imp.problems, imp.cols, imp.src_name, imp.derived)
    except Exception as exc:  # noqa: BLE001 - a row check must never crash an import
        imp.problems.add(["-"], "-", "", f"radkontrollerna kunde inte köras ({_rd._lib_message(exc)}); "
                         "inga rader godkändes — rapportera felet")


_SCHEMA_VARIANTS: dict = {}


def _without_unique(schema: pa.DataFrameSchema, columns: tuple) -> pa.DataFrameSchema:
    """``schema`` with ``unique`` off for ``columns``: :func:`_step_duplicates` has already found
    no repeated value in them (missing values included), so pandera's check (one more hash pass
    over a million ids) could only pass. Cached per schema and column set."""
    key = (id(schema), columns)
    if key not in _SCHEMA_VARIANTS:
        _SCHEMA_VARIANTS[key] = (schema, schema.update_columns({c: {"unique": False} for c in columns}))
    return _SCHEMA_VARIANTS[key][1]


def _account(imp: _Import, strict: bool) -> ImportResult:
    """Accepted = rows not rejected; rows read = accepted + rejected (every source row counted once)."""
    problems, raw = imp.problems, imp.raw
    frame = imp.frame if imp.frame is not None else _empty_frame(imp.schema)
    lines = np.asarray(imp.index if imp.index is not None else [], dtype=np.int64)
    if problems.file_rejected or len(frame) != len(lines):
        keep = np.zeros(len(lines), dtype=bool)
    else:
        keep = ~np.isin(lines, np.asarray(sorted(problems.rejected), dtype=np.int64))
    data = frame.loc[keep].reset_index(drop=True) if len(frame) == len(lines) else _empty_frame(imp.schema)
    rows_read = len(lines) + raw.n_bad
    report = ImportReport(
        file=imp.file, entity=imp.entity, rows_read=rows_read, rows_accepted=len(data),
        rows_rejected=rows_read - len(data), problems=problems.frame(),
        unmapped_columns=list(imp.unmapped),
        unmapped_labels={k: sorted({_mask(v) for v in vals}) for k, vals in imp.unmapped_labels.items() if vals},
        format=raw.format, encoding=raw.encoding, sheet=raw.sheet,
        lines_read=raw.lines_read if raw.format == "csv" else rows_read,
        variable_labels={k: _mask(v) for k, v in raw.variable_labels.items()},
        missing_codes=imp.missing_codes, notes=[_mask(n) for n in raw.notes + imp.notes],
    )
    if strict and not report.problems.empty:
        if rows_read == 0 and raw.frame.shape[1] == 0 and report.problems["row"].eq(1).any():
            raise EmptyFileError(report)
        raise ImportValidationError(report)
    return ImportResult(data, report)


def _empty_frame(schema: pa.DataFrameSchema) -> pd.DataFrame:
    dtypes = {"date": "datetime64[ns]", "int": "Int64", "float": "float64", "bool": "boolean", "str": "str"}
    return pd.DataFrame({c: pd.Series(dtype=dtypes[_schema_kind(col)]) for c, col in schema.columns.items()})


def load_table(path, entity: str, mapping=None, strict: bool = False, instrument: str | None = None, *,
               sheet=None, header_row: int | None = None, reference_date=None, date_range=None,
               encoding: str | None = None) -> ImportResult:
    """Import one file as ``entity``: read, map headers, convert, validate, account.

    The steps are functions of their own (``_step_*``); this one only chains them. No content of
    the file makes it raise: every problem is a row of ``report.problems`` naming file, row,
    column and a Swedish reason (and strict mode turns them into one exception).

    Parameters
    ----------
    path : str or Path
        CSV/TSV/TXT, XLSX/XLSM/XLS/ODS, Parquet, SPSS ``.sav``/``.zsav`` or Stata ``.dta``.
    entity : str
        Schema name: ``episoder``, ``handelser``, ``enkatsvar``, ``segment``, ``enhetskostnader``,
        ``rapporterat`` (see :data:`evaluation.schemas.SCHEMAS`).
    mapping : str, Path, dict or Mapping, optional
        Mapping file of the source; default synonyms apply to whatever it leaves out.
    strict : bool
        Raise :class:`ImportValidationError` listing every problem instead of returning a report.
    instrument : str, optional
        Survey instrument (sets the ``instrument`` column when the file lacks it).
    sheet : str or int, optional
        XLSX sheet (overrides the mapping's ``read.sheet``); required when the workbook has several.
    header_row : int, optional
        1-based row of the headers in an XLSX sheet with title rows above them.
    reference_date : date-like, optional
        "Today" for the sane date range (default: today).
    encoding : str, optional
        Declared text encoding (the catalogue's ``encoding``): tried after a BOM, UTF-16 and UTF-8,
        before cp1252 (overrides the mapping's ``read.encoding``).
    date_range : (date-like, date-like), optional
        Allowed dates; default 1900-01-01 to ``reference_date`` + 1 year (or ``read.date_range``).

    Returns
    -------
    ImportResult
        ``.data`` in the schema's columns and dtypes (rejected rows excluded), ``.report``.

    Raises
    ------
    ImportValidationError
        Strict mode and at least one problem; :class:`EmptyFileError` for an empty file.
    SourceFileNotFoundError
        The file does not exist.
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
        raise UnknownEntityError(f"okänd entitet {entity!r}; kända: {', '.join(sorted(SCHEMAS))}")
    path = Path(path)
    mp = _mp.load_mapping(mapping)
    if mp.entity and mp.entity != entity:
        raise _mp.MappingError(f"mappningsfilen {mp.path or ''} gäller {mp.entity!r}, inte {entity!r}")
    if not path.is_file():
        raise SourceFileNotFoundError(f"filen {path} finns inte; kontrollera sökvägen")
    problems = _Problems(str(path))
    read = _read_options(mp, sheet, header_row)
    if encoding:
        read["encoding"] = encoding
    raw = _rd.read_source(path, read, problems)
    options = {"instrument": instrument, "date_bounds": _date_bounds(read, reference_date, date_range)}
    imp = _Import(entity, SCHEMAS[entity], mp, str(path), problems, raw, options)
    if raw.frame.shape[1] == 0:
        imp.index = pd.Index([], name="row", dtype=np.int64)
        if not problems.frames:
            problems.add([1], "-", "", "filen är tom (ingen rubrikrad); exportera den igen med en rubrikrad")
        return _account(imp, strict)
    try:
        _step_text(imp)
        _step_headers(imp)
        _step_personnummer(imp)
        _step_required(imp)
        _step_convert(imp)
        _step_derive(imp)
        _step_anonymous(imp)
        _step_free_text(imp)
        _step_frame(imp)
        _step_merged(imp)
        if not imp.missing:
            _step_duplicates(imp)
            _step_validate(imp)
    except Exception as exc:  # noqa: BLE001 - no content of a file may crash an import
        if isinstance(exc, EvaluationError) or type(exc).__module__.endswith(".privacy"):
            raise  # the key, the mapping: the caller must act, with the workbench's own message
        _unexpected(imp, exc)
    return _account(imp, strict)


def _unexpected(imp: _Import, exc: BaseException) -> None:
    imp.problems.add(["-"], "-", "", f"oväntat fel vid importen ({_rd._lib_message(exc)}); inga rader godkändes — "
                     "rapportera felet med filens format (inte dess innehåll)")
    if imp.index is None:
        imp.index = pd.Index(imp.raw.lines, name="row")
    imp.frame = None


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
    problems.add(s.index[bad], label, s[bad], "inte ett tal (ett svarsalternativ väntas)")
    instrument = model.split("_", 1)[0]
    rng = _response_range(instrument)
    if rng is not None:
        lo, hi = rng
        out = v.notna() & ((v < lo) | (v > hi) | (v % 1 != 0))
        problems.add(s.index[out], label, s[out], f"utanför svarsskalan {lo}–{hi} för {instrument}")
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

    codes, res, uniques = _distinct_map(s, conv, with_uniques=True)
    bad = pd.Series(_bad_codes(codes, res), index=s.index)
    if s.dtype == _STR and all(isinstance(r, str) and r == u for r, u in zip(res, uniques)):
        return s, bad, sorted(unknown)  # already canonical codes joined by |: the column as it is
    return _str_from_codes(codes, res, s.index), bad, sorted(unknown)


#: Swedish reasons of the schemas' dataframe-level checks (by check name).
CHECK_REASON = {
    "avslut_ge_inskrivning": "avslutsdatum före inskrivningsdatum",
    "plausible_age": "orimlig ålder vid inskrivning (tillåtet {0}–{1} år)",
    "orsak_needs_avslut": "avslutsorsak angiven för en pågående episod (inget avslutsdatum)",
    "slut_ge_start": "slut före start",
}

_READABLE = [
    (re.compile(r"^in_range\((.+), (.+)\)$"), "utanför tillåtet intervall {0}–{1}"),
    (re.compile(r"^greater_than_or_equal_to\((.+)\)$"), "måste vara minst {0}"),
    (re.compile(r"^not_nullable$"), "obligatoriskt värde saknas"),
    (re.compile(r"^field_uniqueness$"), "dubblettvärde"),
    (re.compile(r"^value not in vocabulary (\w+)$"), "värdet finns inte i vokabulären {0}"),
    (re.compile(r"^every '\|'-separated code must be in (\w+)$"), "varje kod (åtskilda med |) måste finnas i {0}"),
    (re.compile(r"^isin\(.*\)$"), "värdet är inte tillåtet"),
    (re.compile(r"^dtype\('?(.+?)'?\)$"), "fel datatyp (väntad {0})"),
]


def _readable(check: str, name: str | None = None) -> str:
    if name in CHECK_REASON:
        return CHECK_REASON[name].format(*AGE_RANGE)
    for pat, text in _READABLE:
        if m := pat.match(check):
            return text.format(*m.groups())
    return check


def _validate(schema, frame, problems: _Problems, cols, src_name, derived=None) -> None:
    if frame.empty:
        return
    try:
        schema.validate(frame, lazy=True)
        return
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    derived = derived or {}
    by_error = {c.error: c.name for c in schema.checks}
    seen: set = set()
    rows, columns, values, reasons = [], [], [], []
    for case in fc.itertuples(index=False):
        idx = case.index
        check = str(case.check)
        name = None
        if case.schema_context == "DataFrameSchema":
            name = by_error.get(check, check)
            column = CHECK_COLUMN.get(name, case.column)
            inputs = CHECK_INPUTS.get(name, ())
        else:
            column = case.column
            inputs = tuple(derived.get(column, ()))
        if idx is None or (isinstance(idx, float) and np.isnan(idx)):
            row = "-"
        else:
            row = int(idx)
        if any((row, src_name.get(c, c)) in problems.seen or (row, c) in problems.seen for c in inputs):
            continue
        key = (row, column, check)
        label = src_name.get(column, column)
        if key in seen or (row, label) in problems.seen or (row, column) in problems.seen:
            continue  # already reported (conversion failure, unmapped label, duplicate key, merged cell)
        seen.add(key)
        raw = cols.get(column)
        value = raw.get(row) if raw is not None and row != "-" else case.failure_case
        rows.append(row)
        columns.append(label)
        values.append(value)
        reasons.append(_readable(check, name))
    for r, c, v, why in zip(rows, columns, values, reasons):
        problems.add([r], c, [v], [why])


# --------------------------------------------------------------------------------------------
# entity loaders


def load_episodes(path, mapping=None, strict: bool = False, **options) -> ImportResult:
    """Import participant episodes (deltagare × insats) into :data:`evaluation.schemas.EPISODES`.

    A column mapped to ``personnummer`` becomes ``deltagare_id`` (keyed pseudonym); without an
    ``episod_id`` column the id is built by :data:`EPISODE_ID_RULE`. ``options`` (``sheet``,
    ``header_row``, ``reference_date``, ``date_range``) go to :func:`load_table`, which documents
    formats, mapping and report.

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
    return load_table(path, "episoder", mapping=mapping, strict=strict, **options)


def load_events(path, mapping=None, strict: bool = False, **options) -> ImportResult:
    """Import journey events into :data:`evaluation.schemas.EVENTS` (see :func:`load_table`).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "h.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("episod_id,datum,handelse\\nE1,20230514,Samtycke\\n")
    >>> load_events(p).data["handelse"].tolist()
    ['samtycke']
    """
    return load_table(path, "handelser", mapping=mapping, strict=strict, **options)


def load_survey(path, instrument: str | None = None, mapping=None, strict: bool = False, **options) -> ImportResult:
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
    return load_table(path, "enkatsvar", mapping=mapping, strict=strict, instrument=instrument, **options)


def load_segments(path, mapping=None, strict: bool = False, **options) -> ImportResult:
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
    return load_table(path, "segment", mapping=mapping, strict=strict, **options)


def load_unit_costs(path, mapping=None, strict: bool = False, **options) -> ImportResult:
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
    return load_table(path, "enhetskostnader", mapping=mapping, strict=strict, **options)


def load_reported(path, mapping=None, strict: bool = False, **options) -> ImportResult:
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
    return load_table(path, "rapporterat", mapping=mapping, strict=strict, **options)


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
    >>> import tempfile
    >>> from evaluation import catalogue
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "h.csv").write_text("episod_id,datum,handelse\\nE1,2025-05-14,forsta_mote\\n", encoding="utf-8")
    >>> _ = catalogue.record_import(d, {"entity": "handelser", "path": "h.csv", "forbund": ["Norrdal"]})
    >>> r = load_samples(d)
    >>> list(r), r["h"].data["handelse"].tolist()
    (['h'], ['forsta_mote'])
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
