"""``evaluation import``: one export in, validated and pseudonymised Parquet plus a catalogue entry out.

:func:`import_file` reads a source file through its mapping (:func:`evaluation.io.load_table`:
validation, pseudonymisation, the import report), writes the accepted rows as Parquet into the
data folder and records the file in the folder's ``datakatalog.yaml``
(:func:`evaluation.catalogue.record_import`) with the source's SHA-256, the förbund and period the
rows cover and the import report's counts. A newer export of the same entity (and förbund, and
instrument) replaces the previous import; the command says so.

Nothing is written half-way: the Parquet file is written under a temporary name and moved into
place only when the catalogue entry validates; if recording fails the previous file is restored.
Bad input (a missing file, a mapping that does not fit, a file with no acceptable row) is one
Swedish message and exit code ≠ 0, with nothing written.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import catalogue as _cat
from . import io as _io
from . import mapping as _mp
from .errors import EvaluationError

__all__ = ["ImportCommandError", "ImportOutcome", "import_file", "output_name", "cli", "DATE_COLUMNS"]

#: Date columns that give the period an imported file covers, per entity.
DATE_COLUMNS = {
    "episoder": ("inskrivningsdatum", "avslutsdatum"),
    "handelser": ("datum",),
    "enkatsvar": ("datum",),
}


class ImportCommandError(EvaluationError, ValueError):
    """``evaluation import`` refused its input; the message (Swedish) says what to do.

    ``report`` is the import report when the file was read but no row could be accepted.
    """

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


@dataclass
class ImportOutcome:
    """What :func:`import_file` did.

    Attributes
    ----------
    result : evaluation.io.ImportResult
        The import (data and report).
    written : Path
        The Parquet file written into the data folder.
    entry, replaced : evaluation.catalogue.Entry
        The catalogue entry recorded and the one it replaced (``None`` for a first import).
    removed : Path or None
        A previous import's Parquet file that was removed because the new one replaced it.
    messages : list of str
        Swedish lines for the user (what was written, what was replaced).
    """

    result: _io.ImportResult
    written: Path
    entry: object
    replaced: object = None
    removed: Path | None = None
    messages: list = field(default_factory=list)


def _slug(text: str) -> str:
    """ASCII file-name part: ``"Söderå"`` -> ``"sodera"``."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_") or "x"


def output_name(entity: str, forbund: list[str], instrument: str | None = None) -> str:
    """File name of an imported entity: ``<entity>[_<instrument>][_<förbund>...].parquet``.

    Examples
    --------
    >>> output_name("episoder", ["Söderå"]), output_name("enkatsvar", ["Norrdal", "Älvdal"], "soc29")
    ('episoder_sodera.parquet', 'enkatsvar_soc29_norrdal_alvdal.parquet')
    """
    parts = [entity] + ([instrument] if instrument else []) + [_slug(f) for f in forbund]
    return "_".join(parts) + ".parquet"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _period(data: pd.DataFrame, entity: str) -> dict | None:
    dates = [data[c] for c in DATE_COLUMNS.get(entity, ()) if c in data]
    if not dates:
        return None
    allv = pd.concat(dates).dropna()
    if allv.empty:
        return None
    return {"fran": allv.min().date(), "till": allv.max().date()}


def _entity_of(entity: str | None, mp: _mp.Mapping, mapping_path) -> str:
    known = sorted(_io.SCHEMAS)
    if entity and entity not in known:
        raise ImportCommandError(f"Okänd entitet {entity!r}; välj en av: {', '.join(known)}.")
    if entity and mp.entity and mp.entity != entity:
        raise ImportCommandError(f"Mappningsfilen {mapping_path} gäller {mp.entity!r}, inte {entity!r}; "
                                 "ange rätt --entity eller rätt mappningsfil.")
    entity = entity or mp.entity
    if not entity:
        raise ImportCommandError(f"Ange vilken entitet filen innehåller med --entity ({', '.join(known)}) "
                                 "eller med 'entity:' i mappningsfilen.")
    return entity


def import_file(file, mapping, data_dir, entity: str | None = None, sheet=None, header_row: int | None = None,
                instrument: str | None = None, reference_date=None, forbund: str | None = None) -> ImportOutcome:
    """Import one export into ``data_dir``: validate, pseudonymise, write Parquet, record in the catalogue.

    Parameters
    ----------
    file : path
        The export (any format :func:`evaluation.io.load_table` reads).
    mapping : path, dict or None
        Its mapping file (:mod:`evaluation.mapping`); ``None`` = default synonyms only.
    data_dir : path
        The data folder (created when missing); gets ``<entity>_<förbund>.parquet`` and an entry in
        ``datakatalog.yaml`` (format ``parquet``, no mapping: the data are already mapped).
    entity : str, optional
        Default: the mapping's ``entity``.
    sheet, header_row : optional
        XLSX sheet and 1-based header row.
    instrument : str, optional
        Survey instrument (``soc29``, ``soc13``, ``nns``) for ``enkatsvar``.
    reference_date : date-like, optional
        "Today" for the sane date range.
    forbund : str, optional
        Förbund the file covers, for files without a ``forbund`` column (focus-group segments); a
        file with the column must hold exactly this förbund.

    Returns
    -------
    ImportOutcome

    Raises
    ------
    ImportCommandError
        Missing file, unknown entity, a mapping that does not fit, no acceptable row; nothing is
        written then. (:class:`evaluation.mapping.MappingError`,
        :class:`evaluation.catalogue.CatalogueError` and the key errors pass through: all are
        :class:`evaluation.errors.EvaluationError`.)

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> src = os.path.join(d, "export.csv")
    >>> _ = open(src, "w", encoding="utf-8").write("episod_id;datum;händelse\\nE1;14 maj 2023;Samtycke\\n")
    >>> out = import_file(src, None, os.path.join(d, "data"), entity="handelser")
    >>> out.written.name, out.entry.import_rapport
    ('handelser.parquet', {'rader_lasta': 1, 'accepterade': 1, 'avvisade': 0})
    """
    file = Path(file)
    if not file.is_file():
        raise ImportCommandError(f"Filen {file} finns inte; kontrollera sökvägen.")
    mp = _mp.load_mapping(mapping)
    entity = _entity_of(entity, mp, mapping)
    folder = Path(data_dir)
    if folder.exists() and not folder.is_dir():
        raise ImportCommandError(f"{folder} är en fil, inte en datamapp; ange en mapp med --data.")
    if _cat.exists(folder):
        _cat.read(folder, check_files=False)  # a broken catalogue: refuse before writing anything
    result = _io.load_table(file, entity, mapping=mp, instrument=instrument, sheet=sheet, header_row=header_row,
                            reference_date=reference_date)
    data, report = result
    if report.rows_accepted == 0:
        whole = list(dict.fromkeys(report.problems.loc[report.problems["row"].eq("-"), "reason"].tolist()))
        why = "; ".join(r.split(";")[0] for r in whole[:3]) + (f" (och {len(whole) - 3} till)" if len(whole) > 3 else "")
        raise ImportCommandError(
            f"Inga rader i {file.name} kunde godkännas som {entity} ({report.rows_read} lästa, "
            f"{report.rows_rejected} avvisade); inget skrevs till {folder}. "
            + (f"Orsak: {why}. " if why else "")
            + "Rätta filen eller mappningsfilen (se importrapporten ovan) och importera igen.", report)
    declared = [f.strip() for f in str(forbund).split(",") if f.strip()] if forbund else []
    forbund = sorted(data["forbund"].dropna().astype(str).unique().tolist()) if "forbund" in data else declared
    if declared and sorted(declared) != forbund:
        raise ImportCommandError(f"Filen {file.name} innehåller förbund {', '.join(forbund) or '(inga)'}, inte "
                                 f"{', '.join(declared)} som --forbund säger; rätta filen eller --forbund.")
    if entity == "enkatsvar" and not instrument and "instrument" in data:
        found = data["instrument"].dropna().unique().tolist()
        instrument = found[0] if len(found) == 1 else None
    name = output_name(entity, forbund, instrument)
    fields = {
        "entity": entity, "path": name, "format": "parquet", "forbund": forbund,
        "kalla": f"evaluation import av {file.name}" + (f" ({mp.source})" if mp.source else ""),
        "sha256": _sha256(file),
        "importerad": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "import_rapport": {"rader_lasta": int(report.rows_read), "accepterade": int(report.rows_accepted),
                           "avvisade": int(report.rows_rejected)},
    }
    period = _period(data, entity)
    if period:
        fields["period"] = period
    if entity == "enkatsvar" and instrument in ("soc29", "soc13", "nns"):
        fields["instrument"] = instrument
    _cat.make_entry(folder, fields, check_files=False)  # validate the entry before anything is written

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    tmp = folder / f".{name}.{os.getpid()}.tmp"
    backup = folder / f".{name}.{os.getpid()}.bak"
    data.to_parquet(tmp, index=False)
    had_old = target.exists()
    try:
        if had_old:
            os.replace(target, backup)
        os.replace(tmp, target)
        entry, replaced = _cat.record_import(folder, fields, replace_entity=True)
    except BaseException:
        if target.exists():
            target.unlink()
        if had_old:
            os.replace(backup, target)
        tmp.unlink(missing_ok=True)
        raise
    if had_old:
        backup.unlink(missing_ok=True)
    outcome = ImportOutcome(result, target, entry, replaced)
    where = ", ".join(forbund) if forbund else "alla förbund"
    outcome.messages.append(f"Skrev {report.rows_accepted} rader ({entity}, {where}) till {target} och "
                            f"registrerade filen i {folder / _cat.CATALOGUE_FILE}.")
    if replaced is not None:
        when = f", importerad {replaced.importerad}" if replaced.importerad else ""
        outcome.messages.append(f"Ersatte den tidigare importen av {entity} för {where} "
                                f"({replaced.path}{when}).")
        old = folder / replaced.path
        if replaced.path != name and replaced.importerad and replaced.format == "parquet" and old.is_file():
            old.unlink()  # a file this command wrote earlier, no longer in the catalogue
            outcome.removed = old
            outcome.messages.append(f"Tog bort den ersatta filen {old.name}.")
    if report.rows_rejected:
        outcome.messages.append(f"{report.rows_rejected} rader avvisades och finns inte i den importerade filen; "
                                "rätta dem i källan och importera igen.")
    return outcome


def cli(args) -> int:
    """``evaluation import FILE --mapping MAPPING --data DIR [--entity E] [--sheet S]``.

    Prints the import report (rows read = accepted + rejected, every problem with row, column and
    reason; identifiers masked) and what was written. Returns 0 when the file was imported (rows
    may have been rejected: they are listed), 1 when nothing could be imported; refusals
    (:class:`ImportCommandError` and the workbench's other errors) are raised for
    :func:`evaluation.cli.main` to print as one Swedish line (exit code 2).
    """
    try:
        out = import_file(args.file, args.mapping, args.data, entity=args.entity, sheet=args.sheet,
                          header_row=args.header_row, instrument=args.instrument,
                          forbund=getattr(args, "forbund", None))
    except ImportCommandError as exc:
        if exc.report is not None:
            print(exc.report.summary(lang="sv", limit=None))
        raise
    print(out.result.report.summary(lang="sv", limit=None))  # every problem, not the first 20
    for line in out.messages:
        print(line)
    return 0
