"""Reading source files into raw tables: the first step of an import (:mod:`evaluation.io`).

One function, :func:`read_source`, turns a file of any supported format into a :class:`RawTable`:
the cells as they stand in the file (text for CSV, typed cells for XLSX / Parquet / SPSS / Stata),
the source line or row number of every data row, and what was learned on the way (encoding, sheet,
SPSS/Stata variable and value labels, user-missing codes, merged cells). Nothing here maps,
converts or validates; problems with the file itself are reported to the caller's problem list
with a Swedish reason, and no library error escapes (a file that cannot be read at all gives one
whole-file problem and an empty table).

Row accounting
--------------
Every physical line after the header is accounted for. CSV is read with ``pyarrow.csv`` (fast
path); when the number of records differs from the number of non-blank lines (a quoted newline,
a broken quote, a ragged row), the file is read again strictly line by line (:func:`_csv_strict`):
a line whose quotes balance is one row; a quoted value that spans lines is kept as one row only
when it closes and no line inside it looks like a row of its own; otherwise the line that opens
the quote is rejected ("citattecken stängs inte") and the following lines are read on their own.
So an unclosed quote in the middle of a file costs exactly the lines it is on, never silently the
lines after it.

Formats
-------
CSV/TSV/TXT (delimiter sniffed from the header line: ``;``, ``,`` or tab; others via ``read.delimiter``), XLSX / XLSM /
XLS / ODS (``python_calamine``; sheet and header row choosable; merged cells reported), Parquet
(``pyarrow``; nested columns reported), SPSS ``.sav`` / ``.zsav`` and Stata ``.dta``
(``pyreadstat``; value labels, variable labels and user-missing codes kept). The format is
recognised from the file's first bytes when they disagree with its name (an XLSX saved as
``.csv``).
"""

from __future__ import annotations

import csv
import io as _io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["RawTable", "read_source", "detect_encoding", "garbled_header_hint", "sniff_format", "FORMATS"]

#: Supported formats (file name suffix without dot -> format name used in reports and the catalogue).
FORMATS = {
    "csv": "csv", "txt": "csv", "tsv": "csv", "tab": "csv",
    "xlsx": "xlsx", "xlsm": "xlsx", "xls": "xlsx", "xlsb": "xlsx", "ods": "xlsx",
    "parquet": "parquet", "pq": "parquet",
    "sav": "sav", "zsav": "sav", "dta": "dta",
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


@dataclass
class RawTable:
    """A source file's cells before mapping.

    Attributes
    ----------
    frame : DataFrame
        One column per source header (unique names), cells as read (object or string dtype; an
        empty spreadsheet cell is ``""``, as calamine gives it).
    lines : ndarray of int
        Source row of each frame row: the physical line number with the header as line 1 (CSV),
        the Excel row number (XLSX), record number + 1 (Parquet, SPSS, Stata).
    n_bad : int
        Rows read but not in ``frame`` (rejected by the reader, each with a problem).
    lines_read : int
        Physical data lines after the header (blank lines excluded); for CSV ``lines_read`` is
        at least ``len(frame) + n_bad`` (a quoted newline makes one row of several lines).
    format, encoding, sheet : str or None
        What was read: ``csv``/``xlsx``/``parquet``/``sav``/``dta``; the encoding chosen (CSV);
        the sheet read (XLSX).
    variable_labels : dict
        Source column -> variable label (SPSS/Stata).
    value_labels : dict
        Source column -> {code text: label} (SPSS/Stata).
    missing_codes : dict
        Source column -> {code text: count} of user-missing codes set to missing (SPSS).
    numeric : set
        Source columns whose cells may be numbers (not text): Excel serial dates count only there.
    merged : dict
        ``(row, source column) -> "A7:A8"`` for data cells covered by a merged range but not its
        first cell.
    unreadable : dict
        Source column -> Swedish reason, for columns the reader had to leave out (nested Parquet).
    notes : list of str
        Swedish remarks for the report (encoding chosen, sheet read, ...).
    """

    frame: pd.DataFrame
    lines: np.ndarray
    n_bad: int = 0
    lines_read: int = 0
    format: str = "csv"
    encoding: str | None = None
    sheet: str | None = None
    variable_labels: dict = field(default_factory=dict)
    value_labels: dict = field(default_factory=dict)
    missing_codes: dict = field(default_factory=dict)
    numeric: set = field(default_factory=set)
    merged: dict = field(default_factory=dict)
    unreadable: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def _empty(fmt: str) -> RawTable:
    return RawTable(pd.DataFrame(), np.array([], dtype=np.int64), format=fmt)


def _lib_message(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = re.sub(r"\d{6,}", lambda m: m.group(0)[:2] + "*" * (len(m.group(0)) - 2), text)  # never a number
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


# ---------------------------------------------------------------------------------------------
# format and encoding


def sniff_format(path: Path, head: bytes) -> str:
    """Format of a file from its first bytes, falling back on its suffix.

    Examples
    --------
    >>> sniff_format(Path("a.csv"), b"PK\\x03\\x04...."), sniff_format(Path("a.txt"), b"a;b\\n")
    ('xlsx', 'csv')
    """
    suffix = path.suffix.lower().lstrip(".")
    by_name = FORMATS.get(suffix)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx" if by_name in (None, "csv", "xlsx") else by_name
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"$FL2", b"$FL3")):
        return "sav"
    if head.startswith(_OLE_MAGIC):
        return "xlsx"
    if by_name == "dta" or (head[:1] in (b"\x71", b"\x72", b"\x73", b"\x75") and by_name is None) \
            or head.startswith(b"<stata_dta>"):
        return "dta"
    return by_name or "csv"


def detect_encoding(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a text file; return ``(text, encoding)``.

    Order: a byte-order mark (UTF-8, UTF-16 LE/BE), UTF-16 without BOM (recognised by the NUL
    bytes of ASCII characters), UTF-8, the mapping's declared encoding, cp1252. A BOM is removed.

    Examples
    --------
    >>> detect_encoding("Kön;År\\n".encode("utf-16"))
    ('Kön;År\\n', 'utf-16')
    >>> detect_encoding("Kön\\n".encode("cp1252"))
    ('Kön\\n', 'cp1252')
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace").lstrip("\ufeff"), "utf-16"
    head = raw[:4096]
    if len(head) >= 4 and head.count(0) >= len(head) // 4:
        odd = head[1::2].count(0)
        even = head[0::2].count(0)
        enc = "utf-16-le" if odd > even else "utf-16-be"
        return raw.decode(enc, errors="replace"), enc
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for enc in (declared, "cp1252"):
        if not enc or enc.lower().replace("_", "-") in ("utf-8", "utf8"):
            continue
        try:
            return raw.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("latin-1"), "latin-1"


_MOJIBAKE = re.compile("Ã[\u0080-\u00bf\u0152-\u0178\u2013-\u203a]|Â[\u00a0-\u00bf]|ï»¿|â€")


def garbled_header_hint(header: str, raw: bytes, encoding: str) -> str | None:
    """A Swedish hint when a decoded header line looks garbled, naming the encoding that reads it.

    Looks for NUL characters, replacement characters and UTF-8-read-as-cp1252 sequences
    (``FÃ¶delseÃ¥r``). Returns ``None`` for a clean header.

    Examples
    --------
    >>> hint = garbled_header_hint("FÃ¶delseÃ¥r;KÃ¶n", b"", "utf-8")
    >>> "kodats två gånger" in hint
    True
    >>> garbled_header_hint("Födelseår;Kön", b"", "utf-8") is None
    True
    """
    if not ("\x00" in header or "\ufffd" in header or _MOJIBAKE.search(header)):
        return None
    shown = header.replace("\x00", "").replace("\ufffd", "?")[:40]
    suggestion = None
    if _MOJIBAKE.search(header):
        try:
            fixed = header.encode("cp1252").decode("utf-8")
            if not _MOJIBAKE.search(fixed):
                suggestion = ("texten har kodats två gånger (UTF-8 lästs som cp1252 och sparats igen); "
                              "exportera filen på nytt som UTF-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    if suggestion is None:
        first = raw.split(b"\n", 1)[0] if raw else b""
        for enc in ("utf-16-le", "utf-16-be", "utf-8", "cp1252"):
            try:
                cand = first.decode(enc)
            except UnicodeDecodeError:
                continue
            if enc != encoding and not ("\x00" in cand or "\ufffd" in cand or _MOJIBAKE.search(cand)):
                suggestion = f"filen är troligen kodad som {enc}; ange read: {{encoding: {enc}}} i mappningsfilen"
                break
    suggestion = suggestion or "spara filen på nytt som UTF-8 (CSV UTF-8 i Excel)"
    return f"rubrikraden ser förvanskad ut ({shown}) när filen läses som {encoding}; {suggestion}"


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


def _unique_names(names: list) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        name = "" if n is None else str(n).strip() if not isinstance(n, str) else n
        if isinstance(n, float) and n.is_integer():
            name = str(int(n))
        if not str(name).strip():
            name = f"Unnamed: {i}"
        base = name
        k = seen.get(base, 0)
        while name in seen:
            k += 1
            name = f"{base}.{k}"
        seen[base] = k
        seen[name] = 0
        out.append(name)
    return out


# ---------------------------------------------------------------------------------------------
# CSV


#: Files at least this large are first tried on the bytes path (:func:`_read_csv_bytes`).
CSV_BYTES_MIN = 1 << 20


def _read_csv_bytes(raw: bytes, read: dict, problems) -> RawTable | None:
    """The common big file without decoding it in Python: UTF-8 without BOM, ``\n`` line ends,
    no NUL byte, one record per line. Arrow parses the bytes after the header (and checks that
    every cell is UTF-8). Anything else, and any doubt, returns ``None`` before a problem is
    reported, and :func:`_read_csv` reads the file as text: both give the same table.
    """
    if len(raw) < CSV_BYTES_MIN or raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) \
            or b"\r" in raw or b"\x00" in raw:
        return None
    nl = raw.find(b"\n")
    if nl < 0 or not re.search(rb"[!-~]", raw[nl + 1:nl + 1 + 65536]):
        return None  # no body, or one that may be blank: the text path decides
    try:
        header_line = raw[:nl].decode("utf-8")
        raw.decode("utf-8")  # the whole file is UTF-8 exactly as detect_encoding judges it (then dropped)
    except UnicodeDecodeError:
        return None
    delim = read.get("delimiter") or _sniff_delimiter(header_line)
    if header_line.count('"') % 2 or garbled_header_hint(header_line, raw, "utf-8"):
        return None
    header = _unique_names(_fields(header_line, delim) or [header_line])
    n_lines = raw.count(b"\n", nl + 1) + (0 if raw.endswith(b"\n") else 1)
    frame = _csv_fast(memoryview(raw)[nl + 1:], header, delim)
    if frame is None or len(frame) != n_lines:
        return None  # blank lines, quoted line breaks, broken rows, not UTF-8: read as text
    table = _empty("csv")
    table.encoding = "utf-8"
    table.frame, table.lines = frame, np.arange(2, n_lines + 2, dtype=np.int64)
    table.lines_read = n_lines
    table.notes.append(f"teckenkodning utf-8, avgränsare {delim!r}")
    return table


def _read_csv(raw: bytes, read: dict, problems) -> RawTable:
    fast = _read_csv_bytes(raw, read, problems)
    if fast is not None:
        return fast
    text, encoding = detect_encoding(raw, read.get("encoding"))
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # CRLF and old Mac CR-only line ends
    if "\x00" in text:
        text = text.replace("\x00", "")
    table = _empty("csv")
    table.encoding = encoding
    if not text.strip():
        return table
    header_line, _, body = text.partition("\n")
    hint = garbled_header_hint(header_line, raw, encoding)
    if hint:
        problems.add([1], "-", "", hint, reject=False)
    delim = read.get("delimiter") or _sniff_delimiter(header_line)
    if header_line.count('"') % 2:
        problems.add([1], "-", "", "rubrikraden har ett citattecken som inte stängs; rätta rubrikraden och "
                     "exportera igen")
        return table
    header = _unique_names(_fields(header_line, delim) or [header_line])
    n_lines = body.count("\n") + (1 if body and not body.endswith("\n") else 0)
    frame = _csv_fast(body, header, delim) if body.strip() else pd.DataFrame(columns=header)
    if frame is not None and len(frame) == n_lines:  # no blank line: one record per line
        nonblank = np.arange(2, n_lines + 2, dtype=np.int64)
    else:
        nonblank = np.setdiff1d(np.arange(2, n_lines + 2, dtype=np.int64), _blank_lines(body))
    table.lines_read = len(nonblank)
    if frame is not None and len(frame) == len(nonblank):
        table.frame, table.lines = frame, nonblank
    else:
        table.frame, table.lines, table.n_bad = _csv_strict(body, header, delim, problems)
    table.notes.append(f"teckenkodning {encoding}, avgränsare {delim!r}")
    return table


def _blank_lines(body: str) -> np.ndarray:
    """Line numbers (header = 1) of the empty or whitespace-only lines of the text after the header."""
    found: list[int] = []
    if body[:1] == "\n" or re.match(r"[ \t]+\n", body):
        found.append(2)
    pos, line_no = 0, 2
    for m in re.finditer(r"\n(?=[ \t]*(?:\n|$))", body):
        if m.end() >= len(body):
            break  # the final line end, not a blank line
        line_no += body.count("\n", pos, m.start()) + 1
        pos = m.start() + 1
        found.append(line_no)
    return np.asarray(found, dtype=np.int64)


def _csv_fast(body, header: list[str], delim: str) -> pd.DataFrame | None:
    """``pyarrow.csv`` read of every cell as text; ``None`` when any row is off (then read strictly)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    invalid: list = []

    def handler(row):
        invalid.append(row)
        return "skip"

    try:
        data = body.encode("utf-8") if isinstance(body, str) else body
        tbl = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=pacsv.ReadOptions(column_names=header, block_size=max(1 << 20, min(len(data) + 1, 1 << 28))),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True, invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in header},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except Exception:  # noqa: BLE001 - any parser trouble: read strictly, line by line
        return None
    if invalid:
        return None
    return tbl.to_pandas()


def _fields(line: str, delim: str) -> list[str] | None:
    """Fields of one line (or of lines joined inside quotes); ``None`` when csv cannot split it."""
    try:
        return next(csv.reader([line], delimiter=delim), [])
    except csv.Error:
        return None


def _csv_strict(body: str, header: list[str], delim: str, problems) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Read line by line: every physical line becomes a row, part of a row, or a rejected line."""
    lines = body.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    width = len(header)
    records: list[list[str]] = []
    numbers: list[int] = []
    n_bad = 0
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, len(body) + 1))
    try:
        i = 0
        while i < len(lines):
            line = lines[i]
            row = i + 2
            if not line.strip():
                i += 1
                continue
            if line.count('"') % 2 == 0:
                fields = _fields(line, delim) or []
                if len(fields) == width:
                    records.append(fields)
                    numbers.append(row)
                else:
                    problems.add([row], "-", "", f"raden har {len(fields)} fält men rubrikraden {width} "
                                 f"(avgränsare {delim!r}); raden lästes inte — kontrollera avgränsare och citattecken")
                    n_bad += 1
                i += 1
                continue
            # an odd number of quotes: a quoted value continues on the next line(s) — or a broken quote
            j, quotes = i, line.count('"')
            while quotes % 2 and j + 1 < len(lines):
                j += 1
                quotes += lines[j].count('"')
            closed = quotes % 2 == 0
            fields = (_fields("\n".join(lines[i:j + 1]), delim) if closed else None) or []
            swallowed = any(lines[k].count('"') % 2 == 0 and len(_fields(lines[k], delim) or []) >= width
                            for k in range(i + 1, j))
            if closed and len(fields) == width and not swallowed:
                records.append(fields)  # a value with line breaks inside quotes: one row over lines i..j
                numbers.append(row)
                i = j + 1
                continue
            end = "stängs aldrig" if not closed else f"stängs först på rad {j + 2}"
            problems.add([row], "-", "", f"citattecken öppnas på raden men {end}; raden lästes inte — rätta "
                         "citattecknen (ett citattecken i en cell skrivs \"\")")
            n_bad += 1
            i += 1
    finally:
        csv.field_size_limit(old_limit)
    frame = pd.DataFrame(records, columns=header, dtype=object) if records else pd.DataFrame(columns=header, dtype=object)
    return frame, np.asarray(numbers, dtype=np.int64), n_bad


# ---------------------------------------------------------------------------------------------
# Excel


def _cell_ref(row0: int, col0: int) -> str:
    letters = ""
    c = col0 + 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row0 + 1}"


def _read_excel(path: Path, raw: bytes, read: dict, problems) -> RawTable:
    table = _empty("xlsx")
    if raw.startswith(_OLE_MAGIC) and _ENCRYPTED in raw[:1 << 20] and path.suffix.lower() != ".xls":
        problems.add(["-"], "-", "", "filen är lösenordsskyddad (krypterad) och kan inte läsas; spara en kopia "
                     "utan lösenord (Arkiv > Info > Skydda arbetsbok) och importera den")
        return table
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = [m.name for m in wb.sheets_metadata if str(m.typ).endswith("WorkSheet")] or list(wb.sheet_names)
    except Exception as exc:  # noqa: BLE001 - a broken or foreign file
        problems.add(["-"], "-", "", f"filen kunde inte läsas som Excel-arbetsbok ({_lib_message(exc)}); "
                     "öppna den i Excel och spara den som .xlsx")
        return table
    wanted = read.get("sheet")
    listing = ", ".join(repr(n) for n in names)
    if wanted is None or wanted == "":
        if len(names) != 1:
            problems.add(["-"], "-", "", f"arbetsboken har {len(names)} blad ({listing}); ange vilket som ska "
                         "läsas (--sheet, sheet i datakatalogen eller read: {sheet: ...} i mappningsfilen)")
            return table
        sheet = names[0]
    elif isinstance(wanted, int) and not isinstance(wanted, bool):
        if not 0 <= wanted < len(names):
            problems.add(["-"], "-", "", f"bladet nummer {wanted} finns inte; arbetsbokens blad: {listing}")
            return table
        sheet = names[wanted]
    else:
        sheet = str(wanted)
        if sheet not in names:
            problems.add(["-"], "-", "", f"bladet {sheet!r} finns inte; arbetsbokens blad: {listing}")
            return table
    table.sheet = sheet
    try:
        ws = wb.get_sheet_by_name(sheet)
        rows = ws.to_python(skip_empty_area=False)
        merged = getattr(ws, "merged_cell_ranges", None) or []
    except Exception as exc:  # noqa: BLE001
        problems.add(["-"], "-", "", f"bladet {sheet!r} kunde inte läsas ({_lib_message(exc)})")
        return table
    # the first non-empty rows only (title-row check); never a pass over every row
    nonempty = list(itertools.islice((i for i, r in enumerate(rows) if any(v not in ("", None) for v in r)), 12))
    if not nonempty:
        return table
    header_row = read.get("header_row")
    if header_row:
        h = int(header_row) - 1
        if not 0 <= h < len(rows):
            problems.add(["-"], "-", "", f"header_row {header_row} ligger utanför bladet {sheet!r} "
                         f"(rader 1–{len(rows)})")
            return table
    else:
        h = nonempty[0]
        filled = [sum(v not in ("", None) for v in rows[i]) for i in nonempty[:12]]
        best = int(np.argmax(filled))
        if filled[0] <= 1 < filled[best] and best > 0:
            suggested = nonempty[best] + 1
            problems.add([h + 1], "-", "", f"rad {h + 1} ser ut som en titelrad, inte en rubrikrad; ange "
                         f"header_row: {suggested} (datakatalogen eller read: i mappningsfilen) så läses "
                         f"rubrikerna från rad {suggested}", reject=False)
    header = _unique_names(list(rows[h]))
    data = rows[h + 1:]
    # empty cells stay "" as calamine gives them: the importer reads "" as missing (evaluation.io._as_text)
    frame = pd.DataFrame(data, columns=header, dtype=object) if data else pd.DataFrame(columns=header, dtype=object)
    table.frame = frame
    table.lines = np.arange(h + 2, h + 2 + len(frame), dtype=np.int64)
    table.lines_read = len(frame)
    table.numeric = set(header)
    for (r0, c0), (r1, c1) in merged:
        ref = f"{_cell_ref(r0, c0)}:{_cell_ref(r1, c1)}"
        for r in range(max(r0, h), r1 + 1):
            for c in range(c0, min(c1, len(header) - 1) + 1):
                if (r, c) == (r0, c0):
                    continue
                if r == h:
                    problems.add(["-"], header[c], "", f"sammanfogad rubrikcell ({ref}); dela upp sammanfogningen "
                                 "så att varje kolumn har en egen rubrik", reject=False)
                elif r > h:
                    table.merged[(r + 1, header[c])] = ref
    table.notes.append(f"blad {sheet!r}" + (f", rubrikrad {h + 1}" if h else ""))
    return table


# ---------------------------------------------------------------------------------------------
# Parquet, SPSS, Stata


def _read_parquet(path: Path, problems) -> RawTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = _empty("parquet")
    try:
        tbl = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001
        problems.add(["-"], "-", "", f"filen kunde inte läsas som Parquet ({_lib_message(exc)}); exportera den igen")
        return table
    keep = []
    for f in tbl.schema:
        t = f.type
        if pa.types.is_nested(t) or pa.types.is_dictionary(t) and pa.types.is_nested(t.value_type):
            table.unreadable[f.name] = (f"kolumnen innehåller listor eller poster ({t}), inte ett värde per cell; "
                                        "spara den som text (värden åtskilda med |) och importera igen")
        else:
            keep.append(f.name)
    try:
        frame = tbl.select(keep).to_pandas(timestamp_as_object=False) if keep else pd.DataFrame(index=range(tbl.num_rows))
    except Exception:  # noqa: BLE001 - timestamps outside pandas' range: take them as objects
        try:
            frame = tbl.select(keep).to_pandas(timestamp_as_object=True)
        except Exception as exc:  # noqa: BLE001
            problems.add(["-"], "-", "", f"filen kunde inte läsas som Parquet ({_lib_message(exc)})")
            return table
    frame = frame.reset_index(drop=True)
    frame.columns = _unique_names(list(frame.columns))
    table.frame = frame
    table.lines = np.arange(2, len(frame) + 2, dtype=np.int64)
    table.lines_read = len(frame)
    table.numeric = set(frame.columns)
    return table


def _code_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _read_stat(path: Path, fmt: str, problems) -> RawTable:
    import pyreadstat

    table = _empty(fmt)
    try:
        if fmt == "sav":
            frame, meta = pyreadstat.read_sav(str(path), user_missing=True, apply_value_formats=False)
        else:
            frame, meta = pyreadstat.read_dta(str(path), apply_value_formats=False)
    except Exception as exc:  # noqa: BLE001
        kind = "SPSS" if fmt == "sav" else "Stata"
        problems.add(["-"], "-", "", f"filen kunde inte läsas som {kind}-fil ({_lib_message(exc)})")
        return table
    frame = frame.reset_index(drop=True)
    # user-missing codes (SPSS "missing values" 9, 99, ranges): missing, never scored
    ranges = getattr(meta, "missing_ranges", None) or {}
    for col, spec in ranges.items():
        if col not in frame:
            continue
        s = frame[col]
        hit = pd.Series(False, index=s.index)
        num = pd.to_numeric(s, errors="coerce") if s.dtype == object else s
        for r in spec:
            lo, hi = r.get("lo"), r.get("hi")
            if isinstance(lo, str) or isinstance(hi, str):
                hit |= s.astype(str).eq(str(lo))
            else:
                hit |= (num >= lo) & (num <= hi)
        if hit.any():
            counts = s[hit].map(_code_text).value_counts()
            table.missing_codes[col] = {str(k): int(v) for k, v in counts.items()}
            frame[col] = s.mask(hit)
    table.variable_labels = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    table.value_labels = {col: {_code_text(k): str(v) for k, v in labels.items()}
                          for col, labels in (meta.variable_value_labels or {}).items()}
    frame.columns = _unique_names(list(frame.columns))
    table.frame = frame
    table.lines = np.arange(2, len(frame) + 2, dtype=np.int64)
    table.lines_read = len(frame)
    table.numeric = set(frame.columns)
    return table


def read_source(path, read: dict | None, problems) -> RawTable:
    """Read one file of any supported format into a :class:`RawTable` (never raises on content).

    Parameters
    ----------
    path : str or Path
        The source file (it must exist).
    read : dict
        Reader options (a mapping file's ``read:`` plus the catalogue's ``sheet``/``header_row``):
        ``delimiter``, ``encoding`` (a fallback after UTF-8), ``sheet``, ``header_row`` (1-based).
    problems
        An object with ``add(rows, column, values, reasons, reject=True)``
        (:class:`evaluation.io._Problems`); file-level problems use row ``"-"``.

    Returns
    -------
    RawTable

    Examples
    --------
    >>> import tempfile, os
    >>> class P:
    ...     def __init__(self): self.seen = []
    ...     def add(self, rows, column, values, reasons, reject=True): self.seen.append((list(rows), reasons))
    >>> p = os.path.join(tempfile.mkdtemp(), "a.csv")
    >>> _ = open(p, "w", encoding="utf-8").write('a;b\\n1;"x\\n2;y\\n3;z\\n')
    >>> probs = P(); t = read_source(p, {}, probs)
    >>> t.lines.tolist(), t.n_bad, probs.seen[0][0]
    ([3, 4], 1, [2])
    """
    path = Path(path)
    read = dict(read or {})
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.add(["-"], "-", "", f"filen kunde inte läsas ({_lib_message(exc)})")
        return _empty("csv")
    fmt = sniff_format(path, raw[:16])
    if fmt == "xlsx":
        return _read_excel(path, raw, read, problems)
    if fmt == "parquet":
        return _read_parquet(path, problems)
    if fmt in ("sav", "dta"):
        return _read_stat(path, fmt, problems)
    return _read_csv(raw, read, problems)
