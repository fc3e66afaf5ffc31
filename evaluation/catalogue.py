"""The data catalogue: ``datakatalog.yaml`` at the root of a data folder lists its files.

Nothing in the workbench reads a data folder by guessing file names: the loader
(:func:`evaluation.inputs.load`) asks the catalogue which files hold which entity, in
which format, through which mapping, for which förbund and period. ``evaluation import``
records what it writes with :func:`record_import`; ``evaluation samples`` writes the
catalogue of the generated samples (:func:`write`).

The format (contract in the coordination notes, version 1)::

    version: 1
    namn: "Fiktiva exempeldata"          # free text, shown in report header blocks
    fiktiva_data: true                   # generated samples -> reports say "Fiktiva exempeldata"
    data_till_och_med: 2025-12-31        # "data up to" date shown in report headers
    filer:
      - entity: episoder                 # see ENTITIES
        path: episoder.csv               # relative to the catalogue folder
        format: csv                      # see FORMATS
        sheet: null                      # XLSX sheet name
        header_row: null                 # 1-based header row (files with title rows)
        mapping: null                    # mapping file relative to the catalogue folder
        encoding: utf-8
        forbund: [Norrdal, Söderå]       # förbund covered ([] = not förbund-specific)
        period: {fran: 2023-01-01, till: 2025-12-31}
        kalla: "evaluation samples (seed 20240601)"
        sha256: "..."                    # of the SOURCE file as imported (optional)
        importerad: "2026-11-30T10:00:00Z"                           # optional
        import_rapport: {rader_lasta: 60, accepterade: 58, avvisade: 2}   # optional
        instrument: soc29                # enkatsvar only: soc29 | soc13 | nns (optional)
        namn: kasam_deltagare            # short unique name (optional; default: path without suffix)

Every field but ``entity`` and ``path`` is optional. Paths are relative to the catalogue
folder and may not leave it (no ``..``, no absolute path).
"""
from __future__ import annotations

import datetime as _dt
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .errors import EvaluationError

__all__ = [
    "CATALOGUE_FILE", "ENTITIES", "FORMATS", "CatalogueError", "Entry", "Catalogue",
    "read", "exists", "write", "make_entry", "record_import", "format_of",
]

#: File name of the catalogue at the root of a data folder.
CATALOGUE_FILE = "datakatalog.yaml"

#: Entities a catalogue entry may hold: the tables of :data:`evaluation.schemas.SCHEMAS` plus the
#: YAML/CSV inputs read by their own modules.
ENTITIES = {
    "episoder": "deltagarepisoder (evaluation.schemas.EPISODES)",
    "handelser": "händelser i deltagarnas resa (evaluation.schemas.EVENTS)",
    "enkatsvar": "enkätsvar, KASAM eller NNS (evaluation.schemas.SURVEY)",
    "segment": "kodade fokusgruppssegment (evaluation.schemas.SEGMENTS)",
    "enhetskostnader": "enhetskostnader (evaluation.schemas.UNIT_COSTS)",
    "rapporterat": "rapporterade aggregat med proveniens (evaluation.schemas.REPORTED)",
    "prisindex": "prisindex per år (evaluation.costbenefit.read_price_index)",
    "scenario": "samhällsekonomiskt scenario (evaluation.costbenefit.load_scenario)",
    "malnivaer": "målnivåer för NNS kärnindikatorer (evaluation.indicators.load_targets)",
    "mal": "projektmål för målföljaren (evaluation.goals.load_goals)",
}

#: Accepted values of ``format``.
FORMATS = ("csv", "tsv", "xlsx", "parquet", "sav", "zsav", "dta", "yaml")

_SUFFIX_FORMAT = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx",
                  ".parquet": "parquet", ".pq": "parquet", ".sav": "sav", ".zsav": "zsav", ".dta": "dta",
                  ".yaml": "yaml", ".yml": "yaml"}
_INSTRUMENTS = ("soc29", "soc13", "nns")
_TOP_FIELDS = ("version", "namn", "fiktiva_data", "data_till_och_med", "filer")
_ENTRY_FIELDS = ("entity", "path", "format", "sheet", "header_row", "mapping", "encoding", "forbund", "period",
                 "kalla", "sha256", "importerad", "import_rapport", "instrument", "namn")
_REPORT_FIELDS = ("rader_lasta", "accepterade", "avvisade")


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so a bad date is reported with its entry."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


class CatalogueError(EvaluationError, ValueError):
    """A data catalogue that is missing, unreadable or names a file or field that does not fit.

    The message is Swedish and names the catalogue file and the entry.
    """


def format_of(path: str | os.PathLike) -> str:
    """The catalogue ``format`` of a file, from its suffix.

    Examples
    --------
    >>> format_of("export/Deltagare 2025.XLSX"), format_of("a.sav"), format_of("mal/norrdal.yaml")
    ('xlsx', 'sav', 'yaml')
    """
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIX_FORMAT:
        raise CatalogueError(f"Okänt filformat för {Path(path).name!r}; giltiga format: {', '.join(FORMATS)}.")
    return _SUFFIX_FORMAT[suffix]


def _date(value, where: str, name: str) -> _dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise CatalogueError(f"{where}: fältet {name!r} ska vara ett datum ÅÅÅÅ-MM-DD, inte {value!r}.") from None


@dataclass(frozen=True)
class Entry:
    """One file of a data folder, as described by its catalogue.

    Attributes mirror the YAML fields (see the module docstring); ``folder`` is the catalogue
    folder (not written to YAML). ``forbund`` is a tuple ('' entries removed); ``period`` a pair of
    dates or ``None``.

    Examples
    --------
    >>> e = Entry(entity="enkatsvar", path="kasam_deltagare.csv", instrument="soc29", folder=Path("/d"))
    >>> e.key, e.format, str(e.file)
    ('kasam_deltagare', 'csv', '/d/kasam_deltagare.csv')
    """

    entity: str
    path: str
    format: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    mapping: str | None = None
    encoding: str | None = None
    forbund: tuple = ()
    period: tuple | None = None
    kalla: str | None = None
    sha256: str | None = None
    importerad: str | None = None
    import_rapport: dict | None = None
    instrument: str | None = None
    namn: str | None = None
    folder: Path | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if self.format is None:
            object.__setattr__(self, "format", _SUFFIX_FORMAT.get(PurePosixPath(self.path).suffix.lower()))

    @property
    def key(self) -> str:
        """Short unique name: ``namn`` or the path without its suffix (``rapporterat/vagen_ut``)."""
        return self.namn or str(PurePosixPath(self.path).with_suffix(""))

    @property
    def file(self) -> Path:
        """Absolute path of the file."""
        return (self.folder or Path(".")) / self.path

    @property
    def mapping_file(self) -> Path | None:
        """Absolute path of the mapping file, or ``None``."""
        return (self.folder or Path(".")) / self.mapping if self.mapping else None

    def covers(self, forbund: str) -> bool:
        """True when the entry holds rows of ``forbund`` (or is not förbund-specific)."""
        return not self.forbund or forbund in self.forbund

    def to_dict(self) -> dict:
        """The YAML form (only fields that are set, in contract order)."""
        out: dict[str, Any] = {}
        for name in _ENTRY_FIELDS:
            v = getattr(self, name)
            if name == "forbund":
                v = list(v) if v else ([] if v is not None else None)
            elif name == "period":
                v = {"fran": v[0], "till": v[1]} if v else None
            if v is None or (name not in ("entity", "path", "forbund") and v in ("", {}, [])):
                continue
            out[name] = v
        return out


@dataclass
class Catalogue:
    """A parsed ``datakatalog.yaml``.

    Examples
    --------
    >>> c = Catalogue(folder=Path("/d"), entries=[Entry("episoder", "ep.csv", forbund=("Norrdal",)),
    ...                                            Entry("episoder", "so.xlsx", forbund=("Söderå",))])
    >>> [e.path for e in c.files("episoder")], c.forbund
    (['ep.csv', 'so.xlsx'], ['Norrdal', 'Söderå'])
    """

    folder: Path
    entries: list = field(default_factory=list)
    version: int = 1
    namn: str = ""
    fiktiva_data: bool = False
    data_till_och_med: _dt.date | None = None

    @property
    def path(self) -> Path:
        """The catalogue file."""
        return self.folder / CATALOGUE_FILE

    def files(self, entity: str | None = None) -> list:
        """Entries of ``entity`` (all entries when ``None``), in catalogue order."""
        if entity is not None and entity not in ENTITIES:
            raise CatalogueError(f"Okänd entitet {entity!r}; giltiga entiteter: {', '.join(ENTITIES)}.")
        return [e for e in self.entries if entity is None or e.entity == entity]

    def entry(self, key: str):
        """The entry named ``key`` (see :attr:`Entry.key`), or ``None``."""
        return next((e for e in self.entries if e.key == key), None)

    @property
    def forbund(self) -> list:
        """Every förbund some entry declares, sorted (Swedish letters after z)."""
        return sorted({f for e in self.entries for f in e.forbund}, key=_sv_key)

    def to_dict(self) -> dict:
        """The YAML form."""
        out: dict[str, Any] = {"version": self.version}
        if self.namn:
            out["namn"] = self.namn
        out["fiktiva_data"] = bool(self.fiktiva_data)
        if self.data_till_och_med:
            out["data_till_och_med"] = self.data_till_och_med
        out["filer"] = [e.to_dict() for e in self.entries]
        return out


def _sv_key(s: str):
    return s.lower().translate(str.maketrans({"å": "{", "ä": "|", "ö": "}"}))


def exists(data_dir) -> bool:
    """True when ``data_dir`` has a ``datakatalog.yaml``.

    Examples
    --------
    >>> exists("/nonexistent")
    False
    """
    return (Path(data_dir) / CATALOGUE_FILE).is_file()


def _safe_rel(value, where: str, name: str, folder: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: fältet {name!r} ska vara en filsökväg relativt katalogmappen, inte {value!r}.")
    p = PurePosixPath(value.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or (len(value) > 1 and value[1] == ":"):
        raise CatalogueError(f"{where}: {name} {value!r} pekar utanför datamappen; ange en sökväg relativt {folder}.")
    return str(p)


def _parse_entry(raw, i: int, folder: Path, cat_file: str, check_files: bool) -> Entry:
    where0 = f"{cat_file}, filer[{i}]"
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where0}: varje post under 'filer' ska vara en mappning med minst entity och path.")
    where = f"{where0} ({raw.get('path', '?')})"
    unknown = sorted(set(raw) - set(_ENTRY_FIELDS))
    if unknown:
        raise CatalogueError(f"{where}: okända fält {', '.join(map(repr, unknown))}; giltiga fält: "
                             f"{', '.join(_ENTRY_FIELDS)}.")
    entity = raw.get("entity")
    if entity not in ENTITIES:
        raise CatalogueError(f"{where}: okänd entitet {entity!r}; giltiga entiteter: {', '.join(ENTITIES)}.")
    path = _safe_rel(raw.get("path"), where, "path", folder)
    fmt = raw.get("format")
    if fmt is None:
        try:
            fmt = format_of(path)
        except CatalogueError:
            raise CatalogueError(f"{where}: ange 'format' (filändelsen säger inget); giltiga format: "
                                 f"{', '.join(FORMATS)}.") from None
    if fmt not in FORMATS:
        raise CatalogueError(f"{where}: okänt format {fmt!r}; giltiga format: {', '.join(FORMATS)}.")
    sheet = raw.get("sheet")
    if sheet is not None and not isinstance(sheet, (str, int)):
        raise CatalogueError(f"{where}: 'sheet' ska vara bladets namn, inte {sheet!r}.")
    header_row = raw.get("header_row")
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1):
        raise CatalogueError(f"{where}: 'header_row' ska vara ett radnummer ≥ 1 (första raden = 1), "
                             f"inte {header_row!r}.")
    mapping = raw.get("mapping")
    if mapping is not None:
        mapping = _safe_rel(mapping, where, "mapping", folder)
    forbund = raw.get("forbund")
    if forbund is None:
        forbund = ()
    elif isinstance(forbund, str):
        forbund = (forbund,) if forbund.strip() else ()
    elif isinstance(forbund, list) and all(isinstance(f, str) for f in forbund):
        forbund = tuple(f.strip() for f in forbund if f.strip())
    else:
        raise CatalogueError(f"{where}: 'forbund' ska vara en lista med förbundsnamn, inte {forbund!r}.")
    period = raw.get("period")
    if period is not None:
        if not isinstance(period, dict) or set(period) - {"fran", "till"}:
            raise CatalogueError(f"{where}: 'period' ska vara {{fran: ÅÅÅÅ-MM-DD, till: ÅÅÅÅ-MM-DD}}, inte {period!r}.")
        fran, till = _date(period.get("fran"), where, "period.fran"), _date(period.get("till"), where, "period.till")
        if fran and till and fran > till:
            raise CatalogueError(f"{where}: periodens början {fran} ligger efter slutet {till}.")
        period = (fran, till) if (fran or till) else None
    rep = raw.get("import_rapport")
    if rep is not None and (not isinstance(rep, dict) or set(rep) - set(_REPORT_FIELDS)
                            or not all(isinstance(v, int) for v in rep.values())):
        raise CatalogueError(f"{where}: 'import_rapport' ska vara {{rader_lasta, accepterade, avvisade}} (heltal), "
                             f"inte {rep!r}.")
    instrument = raw.get("instrument")
    if instrument is not None and (entity != "enkatsvar" or instrument not in _INSTRUMENTS):
        raise CatalogueError(f"{where}: 'instrument' gäller bara enkatsvar och ska vara ett av "
                             f"{', '.join(_INSTRUMENTS)}, inte {instrument!r}.")
    for name in ("kalla", "sha256", "encoding", "namn"):
        v = raw.get(name)
        if v is not None and not isinstance(v, str):
            raise CatalogueError(f"{where}: fältet {name!r} ska vara text, inte {v!r}.")
    importerad = raw.get("importerad")
    if isinstance(importerad, (_dt.date, _dt.datetime)):
        importerad = importerad.isoformat()
    entry = Entry(entity=entity, path=path, format=fmt, sheet=sheet, header_row=header_row, mapping=mapping,
                  encoding=raw.get("encoding"), forbund=forbund, period=period, kalla=raw.get("kalla"),
                  sha256=raw.get("sha256"), importerad=importerad, import_rapport=rep, instrument=instrument,
                  namn=raw.get("namn"), folder=folder)
    if check_files:
        for name, rel in (("path", path), ("mapping", mapping)):
            if rel and (folder / rel).exists():
                try:
                    (folder / rel).resolve().relative_to(folder.resolve())
                except ValueError:
                    raise CatalogueError(f"{where}: {name} {rel!r} är en länk som pekar utanför datamappen "
                                         f"{folder}; lägg filen i mappen.") from None
        if not entry.file.is_file():
            raise CatalogueError(f"{where}: filen {path!r} finns inte i {folder}. Lägg filen där, rätta "
                                 f"'path' eller ta bort posten ur {CATALOGUE_FILE}.")
        if entry.mapping and not entry.mapping_file.is_file():
            raise CatalogueError(f"{where}: mappningsfilen {entry.mapping!r} finns inte i {folder}; rätta 'mapping'.")
    return entry


def read(data_dir, check_files: bool = True) -> Catalogue:
    """Read and validate ``data_dir/datakatalog.yaml``.

    Parameters
    ----------
    data_dir : path
        The data folder (the catalogue's folder).
    check_files : bool, default True
        Also check that every listed file (and mapping file) exists.

    Raises
    ------
    CatalogueError
        Missing or unreadable catalogue, unknown entity, a bad field, a file that does not exist,
        two entries with the same name; the Swedish message names the catalogue file and entry.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "ep.csv").write_text("episod_id\\n", encoding="utf-8")
    >>> _ = (d / CATALOGUE_FILE).write_text(
    ...     "version: 1\\nfiler:\\n  - {entity: episoder, path: ep.csv, forbund: [Norrdal]}\\n", encoding="utf-8")
    >>> c = read(d)
    >>> [(e.entity, e.format, e.forbund) for e in c.files()]
    [('episoder', 'csv', ('Norrdal',))]
    >>> _ = (d / CATALOGUE_FILE).write_text("filer:\\n  - {entity: episodes, path: ep.csv}\\n", encoding="utf-8")
    >>> read(d)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    evaluation.catalogue.CatalogueError: datakatalog.yaml, filer[1] (ep.csv): okänd entitet 'episodes'; ...
    """
    folder = Path(data_dir)
    cat = folder / CATALOGUE_FILE
    if not folder.is_dir():
        raise CatalogueError(f"Datamappen {str(folder)!r} finns inte; ange en mapp med en {CATALOGUE_FILE}.")
    if not cat.is_file():
        raise CatalogueError(
            f"Datamappen {str(folder)!r} saknar {CATALOGUE_FILE}, som listar mappens filer. Importera filer med "
            f"`evaluation import FIL --mapping MAPPNING --data {folder}` (skriver katalogen) eller skriv den för "
            f"hand (se README, \"Använd egna data\").")
    name = CATALOGUE_FILE
    try:
        doc = yaml.load(cat.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a SafeLoader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" rad {mark.line + 1}" if mark is not None else ""
        raise CatalogueError(f"{name}{at}: filen går inte att läsa som YAML (UTF-8): "
                             f"{getattr(exc, 'problem', None) or exc}.") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise CatalogueError(f"{name}: katalogen ska vara en mappning med 'filer' överst.")
    unknown = sorted(set(doc) - set(_TOP_FIELDS))
    if unknown:
        raise CatalogueError(f"{name}: okända fält {', '.join(map(repr, unknown))}; giltiga fält: "
                             f"{', '.join(_TOP_FIELDS)}.")
    version = doc.get("version", 1)
    if version != 1:
        raise CatalogueError(f"{name}: version {version!r} stöds inte (den här versionen läser version 1).")
    files = doc.get("filer") or []
    if not isinstance(files, list):
        raise CatalogueError(f"{name}: 'filer' ska vara en lista.")
    entries = [_parse_entry(raw, i, folder, name, check_files) for i, raw in enumerate(files, start=1)]
    seen: dict[str, int] = {}
    for i, e in enumerate(entries, start=1):
        if e.key in seen:
            raise CatalogueError(f"{name}, filer[{i}] ({e.path}): namnet {e.key!r} finns redan i filer[{seen[e.key]}]; "
                                 f"ge posten ett eget 'namn'.")
        seen[e.key] = i
    fiktiva = doc.get("fiktiva_data", False)
    if not isinstance(fiktiva, bool):
        raise CatalogueError(f"{name}: 'fiktiva_data' ska vara true eller false, inte {fiktiva!r}.")
    namn = doc.get("namn") or ""
    if not isinstance(namn, str):
        raise CatalogueError(f"{name}: 'namn' ska vara text, inte {namn!r}.")
    return Catalogue(folder=folder, entries=entries, version=1, namn=namn, fiktiva_data=fiktiva,
                     data_till_och_med=_date(doc.get("data_till_och_med"), name, "data_till_och_med"))


_HEADER = ("# Datakatalog: listar varje fil i den här datamappen (entitet, format, mappning, förbund, period,\n"
           "# källa). Arbetsbänken läser mappen bara genom den här filen. Format: evaluation.catalogue.\n")


def write(catalogue: Catalogue) -> Path:
    """Write ``catalogue`` to ``catalogue.folder/datakatalog.yaml`` atomically (temp file + rename).

    The output is deterministic (field order of the contract, UTF-8, ``\\n`` line ends), so the
    same catalogue always gives the same bytes.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "h.csv").write_text("episod_id,datum,handelse\\n", encoding="utf-8")
    >>> p = write(Catalogue(folder=d, namn="Test", entries=[Entry("handelser", "h.csv", forbund=("Norrdal",))]))
    >>> print(p.read_text(encoding="utf-8").split("\\n", 2)[2])  # doctest: +NORMALIZE_WHITESPACE
    version: 1
    namn: Test
    fiktiva_data: false
    filer:
    - entity: handelser
      path: h.csv
      format: csv
      forbund: [Norrdal]
    <BLANKLINE>
    >>> read(d).files()[0].forbund
    ('Norrdal',)
    """
    folder = Path(catalogue.folder)
    folder.mkdir(parents=True, exist_ok=True)
    text = _HEADER + yaml.safe_dump(catalogue.to_dict(), allow_unicode=True, sort_keys=False,
                                    default_flow_style=None, width=120)
    target = folder / CATALOGUE_FILE
    fd, tmp = tempfile.mkstemp(prefix=".datakatalog-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _same_slot(a: Entry, b: Entry) -> bool:
    """Two entries describe the same data: same entity and instrument, overlapping (or no) förbund."""
    if a.entity != b.entity or (a.instrument or None) != (b.instrument or None):
        return False
    if a.namn and b.namn:
        return a.namn == b.namn
    return not a.forbund or not b.forbund or bool(set(a.forbund) & set(b.forbund))


def make_entry(data_dir, fields: dict, check_files: bool = True) -> Entry:
    """Validate the YAML ``fields`` of one entry of ``data_dir``'s catalogue and return the :class:`Entry`.

    Raises :class:`CatalogueError` as :func:`read` does.

    Examples
    --------
    >>> make_entry("/d", {"entity": "enkatsvar", "path": "nns.xlsx", "sheet": "Svar", "instrument": "nns"},
    ...            check_files=False).format
    'xlsx'
    """
    return _parse_entry(dict(fields), 1, Path(data_dir), CATALOGUE_FILE, check_files)


def record_import(data_dir, entry: dict, replace_entity: bool = True) -> tuple:
    """Add ``entry`` to ``data_dir/datakatalog.yaml`` (created when missing), atomically.

    With ``replace_entity`` an existing entry for the same data is replaced: same ``entity``
    (and ``instrument``), and the same ``namn`` when both have one, else overlapping ``forbund``
    (or either not förbund-specific). An entry with the same ``path`` is always replaced.
    The new entry takes the place of the (first) replaced one, else goes last.

    Parameters
    ----------
    data_dir : path
        The data folder.
    entry : dict
        The YAML fields of the entry (``entity`` and ``path`` at least; the file must exist).
    replace_entity : bool, default True

    Returns
    -------
    (Entry, Entry or None)
        The recorded entry and the one it replaced (the first, if several were).

    Raises
    ------
    CatalogueError
        A bad entry (as in :func:`read`), or a catalogue that does not read; nothing is written then.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for n in ("a.parquet", "b.parquet"):
    ...     _ = (d / n).write_bytes(b"")
    >>> new, old = record_import(d, {"entity": "episoder", "path": "a.parquet", "forbund": ["Norrdal"]})
    >>> old is None
    True
    >>> new, old = record_import(d, {"entity": "episoder", "path": "b.parquet", "forbund": ["Norrdal"],
    ...                              "import_rapport": {"rader_lasta": 3, "accepterade": 2, "avvisade": 1}})
    >>> old.path, [e.path for e in read(d).files("episoder")]
    ('a.parquet', ['b.parquet'])
    """
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    cat = read(folder, check_files=False) if exists(folder) else Catalogue(folder=folder)
    new = _parse_entry(dict(entry), len(cat.entries) + 1, folder, CATALOGUE_FILE, check_files=True)
    replaced = [e for e in cat.entries
                if e.path == new.path or (replace_entity and _same_slot(e, new))]
    entries = []
    placed = False
    for e in cat.entries:
        if e in replaced or e.path == new.path:
            if not placed:
                entries.append(new)
                placed = True
            continue
        entries.append(e)
    if not placed:
        entries.append(new)
    keys = [e.key for e in entries]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise CatalogueError(f"{CATALOGUE_FILE}: namnet {dup[0]!r} skulle finnas två gånger; ge posten ett eget 'namn'.")
    write(replace(cat, entries=entries))
    return new, (replaced[0] if replaced else None)
