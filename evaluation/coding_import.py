"""Import coded focus-group material from the tools evaluators code in.

Every reader returns frames in the workbench's ``SEGMENTS`` schema (one row per segment × code ×
coder; :mod:`evaluation.schemas`) and/or a :class:`evaluation.coding.Codebook`, so the tallies and
agreement functions of :mod:`evaluation.coding` work the same whatever the source.

Formats (in the exact shapes the tools write)
---------------------------------------------
* **Taguette** (1.5.2; every format below verified against real exports of the real tool, committed
  with how they were made in ``tests/fixtures/taguette/``): codebook CSV / XLSX with columns ``tag,
  description, number of highlights, number of documents`` (no parent column: the hierarchy is the
  tag path ``Organisation/Ledarskap``) → :func:`read_taguette_codebook`; the project file
  (``project.sqlite3``) → :func:`read_taguette_project`; the codebook ``.qdc`` (flat, path names)
  → :func:`read_refi_codebook`.
* **Taguette** highlights CSV: ``id, document, tag, content``; one row per highlight × tag, an
  untagged highlight has an empty ``tag`` → :func:`read_taguette_highlights`. Highlights carry no
  coder and no offsets: give ``kodare``; two coders' projects only compare per document.
* **QualCoder** project (SQLite ``data.qda`` inside the ``<name>.qda`` folder; QualCoder is not on
  PyPI, so this format is checked against QualCoder's published schema only, not a real export): ``code_name(cid,
  name, memo, catid, owner, date, color)``, ``code_cat(catid, name, owner, date, memo,
  supercatid)``, ``code_text(ctid, cid, fid, seltext, pos0, pos1, owner, date, memo, avid,
  important)`` with the coder in ``owner``, ``source(id, name, fulltext, ...)`` and optional file
  attributes → :func:`read_qualcoder`. Coded spans are character ranges chosen by each coder;
  map them onto shared units (paragraphs: :func:`paragraph_units`, :func:`assign_units`) before
  computing agreement per segment. QualCoder's own κ is never used.
* **REFI-QDA** codebook ``.qdc`` (namespace ``urn:QDA-XML:codebook:1.0``; ``<CodeBook><Codes><Code
  guid name isCodable><Description/>`` nested) → :func:`read_refi_codebook`. Nested codebooks are
  checked against the specification only; Taguette's flat ``.qdc`` against the real tool. No
  ``.qdpx`` project is read (Taguette writes none).
* The workbench's own CSV of coded segments → :func:`read_segments` (via
  :func:`evaluation.io.load_segments` when available).

Broken files and unknown codes raise :class:`CodingImportError` /
:class:`evaluation.coding.UnknownCodeError` naming the file, the row and the code.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .coding import Codebook, UnknownCodeError, codebook_from_records
from .errors import EvaluationError

__all__ = [
    "CodingImportError",
    "QualCoderProject",
    "slug",
    "read_taguette_codebook",
    "read_taguette_highlights",
    "read_taguette_project",
    "read_refi_codebook",
    "read_qualcoder",
    "read_segments",
    "match_codes",
    "paragraph_units",
    "assign_units",
    "SEGMENT_COLUMNS",
]

REFI_NS = "urn:QDA-XML:codebook:1.0"

#: Column order of the ``SEGMENTS`` schema.
SEGMENT_COLUMNS = ["segment_id", "session", "dokument", "grupp", "tidpunkt", "niva", "talarroll", "talare_id",
                   "kodare", "kod", "start", "slut", "text"]

_META_COLUMNS = ["session", "grupp", "tidpunkt", "niva", "talarroll", "talare_id"]


class CodingImportError(EvaluationError, ValueError):
    """A coding export cannot be read: wrong format, missing columns or tables, broken rows.

    The message names the file (and row or record) and says what was expected.
    """


def slug(text: str) -> str:
    """ASCII code id from a name: lower case, å/ä → a, ö → o, other characters → ``_``.

    Examples
    --------
    >>> slug("Vårt synsätt på kollegor – förändrat!")
    'vart_synsatt_pa_kollegor_forandrat'
    """
    norm = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", norm.lower()).strip("_") or "kod"


def match_codes(values: pd.Series, codebook: Codebook, file: str, rows: list | None = None) -> pd.Series:
    """Map code names or ids used in an export to the ids of ``codebook``.

    A value matches, in this order: a code id; a Swedish or English name (case-insensitive); the
    last part of a tag path (Taguette paths use ``/``: ``"Organisation/Ledarskap"``; a ``.``
    separated path is also accepted); the :func:`slug` of the value or of its last part.

    Raises
    ------
    UnknownCodeError
        Names the file, the unknown values and the rows that use them.

    Examples
    --------
    >>> from evaluation.coding import load_codebook
    >>> cb = load_codebook("delta_personal")
    >>> match_codes(pd.Series(["Yrkesroll", "delta_koll_revir"]), cb, "x.csv").tolist()
    ['delta_yrkesroll', 'delta_koll_revir']
    """
    lookup: dict[str, str] = {}
    for _, r in codebook.koder.iterrows():
        for key in (r["namn_en"], r["namn"], slug(r["namn"]), r["kod"]):
            if isinstance(key, str) and key:
                lookup.setdefault(key.strip().lower(), r["kod"])
        lookup[r["kod"].lower()] = r["kod"]

    def one(v) -> str | None:
        s = str(v).strip()
        last = re.split(r"[/.]", s)[-1].strip()
        cands = [s, slug(s), last, slug(last)]  # the full path first: children of two themes may share a name
        for c in cands:
            if c.lower() in lookup:
                return lookup[c.lower()]
        return None

    mapped = values.map(one)
    bad = mapped.isna()
    if bad.any():
        rows = list(values.index) if rows is None else rows
        bad_rows = [rows[i] for i in np.flatnonzero(bad.to_numpy())]
        unknown = sorted(set(values[bad].astype(str)))
        raise UnknownCodeError(
            f"{file}: {len(unknown)} code(s) not in codebook {codebook.id!r} v{codebook.version}: "
            f"{', '.join(map(repr, unknown[:10]))} (rows {', '.join(map(str, bad_rows[:5]))}"
            f"{' …' if len(bad_rows) > 5 else ''}). Add them to the codebook (ursprung: emergent), map "
            "them, or correct the coding.")
    return mapped


def _read_table(path: Path, required: list[str], what: str) -> pd.DataFrame:
    if not path.exists():
        raise CodingImportError(f"{path}: file not found")
    try:
        if path.suffix.lower() in (".xlsx", ".xls"):
            df = pd.read_excel(path, dtype=str, engine="calamine")
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, OSError) as exc:
        raise CodingImportError(f"{path}: cannot read as {what} ({exc})") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise CodingImportError(f"{path}: not a {what}: missing column(s) {missing}; found {list(df.columns)}. "
                                f"Expected the columns {required}.")
    return df.fillna("")


def _path_records(paths: list[str], descriptions: list[str], sep: str = "/") -> list[dict]:
    """Codebook records from tag paths: ``A/B`` is a child of ``A``; missing parents are added."""
    records: dict[str, dict] = {}
    for p, d in zip(paths, descriptions):
        parts = [x.strip() for x in p.split(sep)]
        for k in range(1, len(parts)):
            anc = sep.join(parts[:k])
            records.setdefault(anc, {"kod": anc, "namn": parts[k - 1], "forald": sep.join(parts[:k - 1]) or None,
                                     "beskrivning": "", "ursprung": "emergent"})
        full = sep.join(parts)
        rec = records.setdefault(full, {"kod": full, "namn": parts[-1], "forald": sep.join(parts[:-1]) or None,
                                        "beskrivning": "", "ursprung": "emergent"})
        rec["beskrivning"] = d
    return list(records.values())


def read_taguette_codebook(path: str | Path, id: str | None = None, version: str = "1",
                           namn: str | None = None) -> Codebook:
    """Read a Taguette codebook export (CSV or XLSX).

    Taguette 1.5.2 writes ``tag, description, number of highlights, number of documents`` (verified
    with the real tool: ``tests/fixtures/taguette/``); the XLSX has the same columns in a sheet
    ``codebook``. There is no parent column: the hierarchy is the tag path, ``Organisation/Ledarskap``
    is a child of ``Organisation``, and a parent that exists only as a prefix (``Hinder`` of
    ``Hinder/Ekonomi``) is added as a code. Code ids are the tag paths; names the last part. A
    ``parent`` column (older hand-made files) is honoured when present. Codes get
    ``ursprung = "emergent"`` (they come from coding, not from a shipped a-priori codebook).

    Raises
    ------
    CodingImportError
        Missing columns, empty tags, a parent that is not a tag of the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "codebook.csv"
    >>> _ = p.write_text("tag,description,number of highlights,number of documents\\r\\n"
    ...                  "Hinder/Ekonomi,Pengar,2,1\\r\\n")
    >>> read_taguette_codebook(p).koder[["kod", "namn", "tema", "djup"]].values.tolist()
    [['Hinder', 'Hinder', 'Hinder', 1], ['Hinder/Ekonomi', 'Ekonomi', 'Hinder', 2]]
    """
    path = Path(path)
    df = _read_table(path, ["tag", "description"], "Taguette codebook")
    tags = df["tag"].str.strip()
    empty = np.flatnonzero((tags == "").to_numpy())
    if len(empty):
        raise CodingImportError(f"{path}: empty tag in row(s) {[int(i) + 2 for i in empty[:5]]}")
    if "parent" in df.columns and df["parent"].str.strip().ne("").any():
        parents = df["parent"].str.strip()
        bad = [(i + 2, p) for i, p in enumerate(parents) if p and p not in set(tags)]
        if bad:
            raise CodingImportError(f"{path}: parent tag(s) not in the codebook: "
                                    f"{', '.join(f'row {r}: {p!r}' for r, p in bad[:5])}")
        records = [{"kod": tg, "namn": re.split(r"[/.]", tg)[-1], "forald": p or None, "beskrivning": d,
                    "ursprung": "emergent"} for tg, p, d in zip(tags, parents, df["description"])]
    else:
        records = _path_records(tags.tolist(), df["description"].tolist())
    try:
        return codebook_from_records(records, id=id or path.stem, namn=namn, version=version,
                                     kalla=f"Taguette codebook export {path.name}")
    except ValueError as exc:
        raise CodingImportError(f"{path}: {exc}") from exc


def read_taguette_project(path: str | Path, kodare: str = "A", dokument_info: pd.DataFrame | None = None,
                          project_id: int | None = None) -> tuple[Codebook, pd.DataFrame]:
    """Read a Taguette project file (``project.sqlite3``, the tool's "Export project") as codebook + segments.

    Tables used (Taguette 1.5.2, verified with the real tool): ``tags(id, project_id, path,
    description)``, ``documents(id, name, project_id, ...)``, ``highlights(id, document_id,
    start_offset, end_offset, snippet)`` and ``highlight_tags(highlight_id, tag_id)``. Offsets are
    UTF-8 byte offsets into the document text (``taguette/extract.py``); ``start``/``slut`` keep them
    as given. The snippet is HTML; its text becomes ``text``. Hierarchy as in
    :func:`read_taguette_codebook`; one row per highlight × tag, ``segment_id`` ``"tg<id>"``.

    Raises
    ------
    CodingImportError
        Not SQLite, missing tables, several projects without ``project_id``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "project.sqlite3"
    >>> con = sqlite3.connect(p)
    >>> _ = con.executescript(
    ...     "create table tags(id, project_id, path, description); create table documents(id, name, project_id);"
    ...     "create table highlights(id, document_id, start_offset, end_offset, snippet);"
    ...     "create table highlight_tags(highlight_id, tag_id);"
    ...     "insert into tags values (1, 1, 'Hinder/Ekonomi', ''); insert into documents values (1, 'fg1', 1);"
    ...     "insert into highlights values (5, 1, 0, 8, '<p>Pengarna</p>'); insert into highlight_tags values (5, 1);")
    >>> con.commit(); con.close()
    >>> cb, seg = read_taguette_project(p)
    >>> cb.codes, seg[["segment_id", "kod", "text"]].values.tolist()
    (['Hinder', 'Hinder/Ekonomi'], [['tg5', 'Hinder/Ekonomi', 'Pengarna']])
    """
    import html as _html

    path = Path(path)
    if not path.exists():
        raise CodingImportError(f"{path}: file not found")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
            missing = sorted({"tags", "documents", "highlights", "highlight_tags"} - names)
            if missing:
                raise CodingImportError(f"{path}: not a Taguette project: missing table(s) {missing}")
            tags = pd.read_sql_query("select id, project_id, path, description from tags order by id", con)
            docs = pd.read_sql_query("select id, name, project_id from documents", con)
            hl = pd.read_sql_query("select h.id, h.document_id, h.start_offset, h.end_offset, h.snippet, "
                                   "ht.tag_id from highlights h join highlight_tags ht on ht.highlight_id = h.id "
                                   "order by h.id, ht.tag_id", con)
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise CodingImportError(f"{path}: not a Taguette project file ({exc})") from exc
    projects = sorted(set(tags["project_id"]) | set(docs["project_id"]))
    if project_id is None:
        if len(projects) > 1:
            raise CodingImportError(f"{path}: holds projects {projects}; give project_id")
        project_id = projects[0] if projects else None
    tags = tags[tags["project_id"] == project_id]
    docs = docs[docs["project_id"] == project_id]
    cb = codebook_from_records(_path_records(tags["path"].tolist(), tags["description"].tolist()),
                               id=path.stem, kalla=f"Taguette project {path.name}")
    hl = hl.merge(docs.rename(columns={"id": "document_id", "name": "dokument"})[["document_id", "dokument"]],
                  on="document_id").merge(tags.rename(columns={"id": "tag_id"})[["tag_id", "path"]], on="tag_id")
    text = hl["snippet"].map(lambda h: _html.unescape(re.sub(r"<[^>]+>", "", str(h))).strip())
    out = pd.DataFrame({"segment_id": "tg" + hl["id"].astype(str), "dokument": hl["dokument"], "kodare": kodare,
                        "kod": hl["path"], "start": hl["start_offset"], "slut": hl["end_offset"], "text": text})
    return cb, _apply_meta(out.reset_index(drop=True), dokument_info, str(path))


def _apply_meta(df: pd.DataFrame, dokument_info: pd.DataFrame | None, file: str) -> pd.DataFrame:
    if dokument_info is not None:
        if "dokument" not in dokument_info.columns:
            raise CodingImportError(f"dokument_info for {file} needs a 'dokument' column")
        info = dokument_info.drop_duplicates("dokument")
        keep = ["dokument"] + [c for c in _META_COLUMNS if c in info.columns]
        df = df.drop(columns=[c for c in keep[1:] if c in df.columns]).merge(info[keep], on="dokument", how="left")
    for c in SEGMENT_COLUMNS:
        if c not in df.columns:
            df[c] = pd.NA
    df["session"] = df["session"].where(df["session"].notna(), df["dokument"])
    for c in ("start", "slut"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    for c in SEGMENT_COLUMNS:
        if c not in ("start", "slut"):
            df[c] = df[c].astype(object).where(df[c].notna(), None).astype("str")
    return df[SEGMENT_COLUMNS + [c for c in df.columns if c not in SEGMENT_COLUMNS]]


def read_taguette_highlights(path: str | Path, codebook: Codebook | None = None, kodare: str = "A",
                             dokument_info: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read a Taguette highlights export (CSV or XLSX: ``id, document, tag, content``) as segments.

    Real Taguette 1.5.2 exports (``tests/fixtures/taguette/``): one row per highlight × tag; in the
    XLSX (sheet ``highlights``) the id is a text cell, read as text here; a per-tag export
    (``/export/highlights/<tag>.csv``) selects tags by path prefix and repeats a highlight's rows once
    per matching tag, so rows are de-duplicated on id + tag.

    Parameters
    ----------
    codebook : Codebook, optional
        Tags are matched to its ids (:func:`match_codes`); unknown tags raise. Without a codebook
        the tag path is the code id.
    kodare : str
        Coder id (Taguette highlights carry none).
    dokument_info : DataFrame, optional
        Per ``dokument`` (Taguette document name): ``session``, ``grupp``, ``tidpunkt``, ``niva``,
        ``talarroll``. Default session = document.

    Returns
    -------
    DataFrame
        ``SEGMENTS`` columns; ``segment_id`` = ``"tg<id>"``, ``start``/``slut`` missing; untagged
        highlights are dropped.

    Raises
    ------
    CodingImportError
        Missing columns or a non-numeric highlight id (the row is named).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "all_tags.csv"
    >>> _ = p.write_text("id,document,tag,content\\r\\n7,fg1,samsyn,Vi pratar mer\\r\\n")
    >>> read_taguette_highlights(p)[["segment_id", "dokument", "kod", "kodare"]].values.tolist()
    [['tg7', 'fg1', 'samsyn', 'A']]
    """
    path = Path(path)
    df = _read_table(path, ["id", "document", "tag", "content"], "Taguette highlights export")
    df["_row"] = np.arange(len(df)) + 2
    bad_id = ~df["id"].str.strip().str.fullmatch(r"\d+")
    if bad_id.any():
        r = df.loc[bad_id, "_row"].tolist()
        raise CodingImportError(f"{path}: highlight id is not a number in row(s) {r[:5]}")
    df = df[df["tag"].str.strip() != ""].copy()
    kod = df["tag"].str.strip()
    if codebook is not None:
        kod = match_codes(kod, codebook, str(path), rows=df["_row"].tolist())
    out = pd.DataFrame({"segment_id": "tg" + df["id"].str.strip(), "dokument": df["document"].str.strip(),
                        "kodare": kodare, "kod": kod.to_numpy(), "text": df["content"]})
    out = out.drop_duplicates(["segment_id", "kodare", "kod"]).reset_index(drop=True)
    return _apply_meta(out, dokument_info, str(path))


def read_refi_codebook(path: str | Path, id: str | None = None, version: str = "1") -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``).

    Nested ``<Code>`` elements become the hierarchy; ``<Description>`` the description. A flat
    codebook whose names are tag paths (Taguette 1.5.2 writes ``name="Organisation/Ledarskap"``, no
    nesting; verified with the real tool) gets its hierarchy from the paths, with the last part as
    name and missing parents added. Code ids are :func:`slug` of the names (full paths) (made unique with a suffix where two names collide);
    ``isCodable="false"`` codes (QualCoder categories) are kept as parents.

    Raises
    ------
    CodingImportError
        Not XML (with line and column), not a REFI-QDA codebook, a code without a name.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "codebook.qdc"
    >>> _ = p.write_text('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
    ...   '<Codes><Code guid="A" name="Samsyn" isCodable="true"><Description>gemensam bild</Description>'
    ...   '</Code></Codes><Sets/></CodeBook>')
    >>> read_refi_codebook(p).koder[["kod", "namn", "beskrivning"]].values.tolist()
    [['samsyn', 'Samsyn', 'gemensam bild']]
    """
    path = Path(path)
    if not path.exists():
        raise CodingImportError(f"{path}: file not found")
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line, col = exc.position
        raise CodingImportError(f"{path}: not well-formed XML at line {line}, column {col}") from exc
    if root.tag != f"{{{REFI_NS}}}CodeBook":
        raise CodingImportError(f"{path}: not a REFI-QDA codebook (root element {root.tag!r}, expected "
                                f"CodeBook in namespace {REFI_NS})")
    codes_el = root.find(f"{{{REFI_NS}}}Codes")
    if codes_el is None:
        raise CodingImportError(f"{path}: REFI-QDA codebook without <Codes>")
    records: list[dict] = []
    used: set[str] = set()

    def walk(el: ET.Element, parent: str | None) -> None:
        for code in el.findall(f"{{{REFI_NS}}}Code"):
            name = (code.get("name") or "").strip()
            if not name:
                raise CodingImportError(f"{path}: <Code guid={code.get('guid')!r}> has no name")
            kid = slug(name)
            if kid in used:
                kid = f"{kid}_{(code.get('guid') or str(len(used)))[:8].lower()}"
            used.add(kid)
            desc = code.find(f"{{{REFI_NS}}}Description")
            records.append({"kod": kid, "namn": name, "forald": parent,
                            "beskrivning": (desc.text or "").strip() if desc is not None else "",
                            "ursprung": "emergent"})
            walk(code, kid)

    top = codes_el.findall(f"{{{REFI_NS}}}Code")
    names = [(c.get("name") or "").strip() for c in top]
    if all(c.find(f"{{{REFI_NS}}}Code") is None for c in top) and any("/" in n for n in names) and all(names):
        # Taguette: flat codes named by tag path -> hierarchy from the paths, ids = slug of the path
        descs = [((c.find(f"{{{REFI_NS}}}Description").text or "").strip()
                  if c.find(f"{{{REFI_NS}}}Description") is not None else "") for c in top]
        records = [{**r, "kod": slug(r["kod"]), "forald": slug(r["forald"]) if r["forald"] else None}
                   for r in _path_records(names, descs)]
    else:
        walk(codes_el, None)
    return codebook_from_records(records, id=id or path.stem, namn=root.get("origin") or path.stem,
                                 version=version, kalla=f"REFI-QDA codebook {path.name}")


@dataclass(frozen=True)
class QualCoderProject:
    """A QualCoder project read by :func:`read_qualcoder`.

    Attributes
    ----------
    codebook : Codebook
        Categories and codes (or the given codebook).
    segments : DataFrame
        ``SEGMENTS`` rows: ``segment_id`` = ``"qc<ctid>"``, ``dokument`` = source name, ``kodare`` =
        ``owner``, ``start``/``slut`` = ``pos0``/``pos1`` (characters), ``text`` = ``seltext``.
    sources : DataFrame
        ``dokument, fulltext`` (the transcripts, for :func:`paragraph_units`).
    """

    codebook: Codebook
    segments: pd.DataFrame
    sources: pd.DataFrame


def _qualcoder_file(path: Path) -> Path:
    if path.is_dir():
        inner = path / "data.qda"
        if not inner.exists():
            raise CodingImportError(f"{path}: QualCoder project folder without data.qda")
        return inner
    if not path.exists():
        raise CodingImportError(f"{path}: file not found")
    return path


def read_qualcoder(path: str | Path, codebook: Codebook | None = None,
                   dokument_info: pd.DataFrame | None = None) -> QualCoderProject:
    """Read a QualCoder project (the ``.qda`` folder or its ``data.qda`` SQLite file).

    Categories (``code_cat``, nested by ``supercatid``) and codes (``code_name``, in category
    ``catid``) form the hierarchy. Without ``codebook`` their ids are :func:`slug` of the names
    (a category and a code of the same name get ``_kat`` on the category); with ``codebook`` the
    code names are matched to its ids (:func:`match_codes`). File attributes named ``session``,
    ``grupp``, ``tidpunkt``, ``niva`` or ``talarroll`` (table ``attribute``, ``attr_type =
    'file'``) become segment columns; ``dokument_info`` overrides them.

    Raises
    ------
    CodingImportError
        Not an SQLite file, missing tables, a coded text pointing at an unknown code or source.
    UnknownCodeError
        With ``codebook``: code names not in it.

    Examples
    --------
    See ``tests/test_coding_import.py`` (builds a project with :mod:`sqlite3`).
    """
    path = Path(path)
    db = _qualcoder_file(path)
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
            need = {"code_name", "code_text", "source"}
            if not need <= tables:
                raise CodingImportError(f"{path}: not a QualCoder project: missing table(s) "
                                        f"{sorted(need - tables)}")
            codes = pd.read_sql_query("select cid, name, memo, catid from code_name", con)
            cats = (pd.read_sql_query("select catid, name, memo, supercatid from code_cat", con)
                    if "code_cat" in tables else pd.DataFrame(columns=["catid", "name", "memo", "supercatid"]))
            texts = pd.read_sql_query("select ctid, cid, fid, seltext, pos0, pos1, owner from code_text", con)
            sources = pd.read_sql_query("select id, name, fulltext from source", con)
            attrs = (pd.read_sql_query("select name, attr_type, value, id from attribute", con)
                     if "attribute" in tables else None)
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise CodingImportError(f"{path}: cannot read as a QualCoder SQLite project ({exc})") from exc

    code_names = {int(c): str(n) for c, n in zip(codes["cid"], codes["name"])}
    # codebook
    if codebook is None:
        code_ids = {cid: slug(n) for cid, n in code_names.items()}
        cat_ids = {}
        for catid, n in zip(cats["catid"], cats["name"]):
            k = slug(n)
            cat_ids[int(catid)] = k + "_kat" if k in code_ids.values() else k
        records = []
        for _, r in cats.iterrows():
            sup = r["supercatid"]
            records.append({"kod": cat_ids[int(r["catid"])], "namn": r["name"],
                            "forald": cat_ids.get(int(sup)) if pd.notna(sup) else None,
                            "beskrivning": r["memo"] or "", "ursprung": "emergent"})
        for _, r in codes.iterrows():
            cat = r["catid"]
            records.append({"kod": code_ids[int(r["cid"])], "namn": r["name"],
                            "forald": cat_ids.get(int(cat)) if pd.notna(cat) else None,
                            "beskrivning": r["memo"] or "", "ursprung": "emergent"})
        try:
            codebook = codebook_from_records(records, id=path.stem, version="1",
                                             kalla=f"QualCoder project {path.name}")
        except ValueError as exc:
            raise CodingImportError(f"{path}: {exc}") from exc
    else:
        names = pd.Series(list(code_names.values()), index=list(code_names.keys()))
        mapped = match_codes(names, codebook, f"{path} (code_name)", rows=[f"cid {c}" for c in names.index])
        code_ids = dict(zip(names.index, mapped))

    bad_cid = texts[~texts["cid"].isin(list(code_names))]
    if not bad_cid.empty:
        raise CodingImportError(f"{path}: code_text ctid {bad_cid['ctid'].tolist()[:5]} point(s) at cid "
                                f"{sorted(set(bad_cid['cid'].tolist()))[:5]} missing from code_name")
    src_names = dict(zip(sources["id"].astype(int), sources["name"].astype(str)))
    bad_fid = texts[~texts["fid"].isin(list(src_names))]
    if not bad_fid.empty:
        raise CodingImportError(f"{path}: code_text ctid {bad_fid['ctid'].tolist()[:5]} point(s) at source id "
                                f"{sorted(set(bad_fid['fid'].tolist()))[:5]} missing from source")
    seg = pd.DataFrame({
        "segment_id": "qc" + texts["ctid"].astype(int).astype(str),
        "dokument": texts["fid"].astype(int).map(src_names),
        "kodare": texts["owner"].fillna("okand").astype(str),
        "kod": texts["cid"].astype(int).map(code_ids),
        "start": texts["pos0"], "slut": texts["pos1"], "text": texts["seltext"],
    })
    if attrs is not None and not attrs.empty:
        fa = attrs[(attrs["attr_type"] == "file") & attrs["name"].isin(_META_COLUMNS)]
        if not fa.empty:
            wide = fa.pivot_table(index="id", columns="name", values="value", aggfunc="first").reset_index()
            wide["dokument"] = wide["id"].astype(int).map(src_names)
            seg = seg.merge(wide.drop(columns="id"), on="dokument", how="left")
    seg = _apply_meta(seg, dokument_info, str(path))
    src = pd.DataFrame({"dokument": sources["name"].astype(str), "fulltext": sources["fulltext"]})
    return QualCoderProject(codebook=codebook, segments=seg, sources=src)


def read_segments(path: str | Path, codebook: Codebook | None = None) -> pd.DataFrame:
    """Read the workbench's own CSV of coded segments and check its codes against ``codebook``.

    Uses :func:`evaluation.io.load_segments` in strict mode (schema validation; any rejected row
    is an error listing file, row, column and reason).

    Raises
    ------
    CodingImportError
        The file cannot be read or fails the schema (the message lists every problem).
    UnknownCodeError
        Codes not in ``codebook`` (file line numbers are given: header = line 1).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "seg.csv"
    >>> _ = p.write_text("segment_id,session,dokument,talarroll,kodare,kod,start,slut,text\\n"
    ...                  "s1,f1,f1,deltagare,A,ff2_samsyn,,,Vi förstår varandra\\n")
    >>> read_segments(p)["kod"].tolist()
    ['ff2_samsyn']
    """
    path = Path(path)
    if not path.exists():
        raise CodingImportError(f"{path}: file not found")
    from .io import ImportValidationError, load_segments

    try:
        df, _report = load_segments(path, strict=True)
    except ImportValidationError as exc:
        raise CodingImportError(str(exc)) from exc
    df = df.reset_index(drop=True)
    lines = list(df.index + 2)
    if codebook is not None:
        codebook.check(df["kod"], file=str(path), rows=lines)
    return df


# ---------------------------------------------------------------------------------------------
# Units for character-span coding (QualCoder)
# ---------------------------------------------------------------------------------------------
def paragraph_units(sources: pd.DataFrame) -> pd.DataFrame:
    """Split each source's full text into paragraphs (non-empty lines) with character offsets.

    Paragraphs — in a transcript, normally one speaker turn each — are shared units that both
    coders saw, so coded spans of different lengths can be compared per unit.

    Returns
    -------
    DataFrame
        ``dokument, segment_id`` (``"<dokument>#<n>"``), ``start``, ``slut`` (end, exclusive), ``text``.

    Examples
    --------
    >>> paragraph_units(pd.DataFrame({"dokument": ["d"], "fulltext": ["Ett.\\n\\nTvå."]}))[["segment_id", "start", "slut"]].values.tolist()
    [['d#1', 0, 4], ['d#2', 6, 10]]
    """
    rows = []
    for doc, text in zip(sources["dokument"], sources["fulltext"]):
        n = 0
        for m in re.finditer(r"[^\n]*\S[^\n]*", text or ""):
            n += 1
            rows.append({"dokument": doc, "segment_id": f"{doc}#{n}", "start": m.start(), "slut": m.end(),
                         "text": m.group(0)})
    return pd.DataFrame(rows, columns=["dokument", "segment_id", "start", "slut", "text"])


def assign_units(segments: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Map coded character spans onto units: a span codes every unit of its document it overlaps.

    Overlap means ``span.start < unit.slut`` and ``unit.start < span.slut`` (half-open ranges, as
    QualCoder's ``pos0``/``pos1``). The result has one row per unit × code × coder with the unit's
    ``segment_id`` and text; the original span id is kept in ``span_id``.

    Examples
    --------
    >>> units = pd.DataFrame({"dokument": "d", "segment_id": ["d#1", "d#2"], "start": [0, 6],
    ...                       "slut": [4, 10], "text": ["Ett.", "Två."]})
    >>> seg = pd.DataFrame({"segment_id": ["qc1"], "dokument": "d", "kodare": "A", "kod": "x",
    ...                     "start": [2], "slut": [8], "text": ["t."]})
    >>> assign_units(seg, units)["segment_id"].tolist()
    ['d#1', 'd#2']
    """
    spans = segments.rename(columns={"segment_id": "span_id"}).drop(columns=["text"], errors="ignore")
    spans = spans.rename(columns={"start": "_s0", "slut": "_s1"})
    u = units[["dokument", "segment_id", "start", "slut", "text"]]
    merged = spans.merge(u, on="dokument", how="inner")
    hit = (merged["_s0"].astype(float) < merged["slut"].astype(float)) & \
          (merged["start"].astype(float) < merged["_s1"].astype(float))
    out = merged[hit].drop(columns=["_s0", "_s1"]).drop_duplicates(["segment_id", "kodare", "kod"])
    out["start"] = out["start"].astype("Int64")
    out["slut"] = out["slut"].astype("Int64")
    cols = [c for c in SEGMENT_COLUMNS if c in out.columns] + ["span_id"]
    return out[cols].reset_index(drop=True)
