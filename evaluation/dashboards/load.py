"""The dashboards' data, read once per kernel: :class:`DashboardData` and :func:`load_data`.

A filter change never reads a file again; the views (:mod:`evaluation.dashboards.views`) select
rows of the loaded frames in memory. The data folder is read only through the one loader,
:func:`evaluation.inputs.load`; every file its catalogue names is checked with
:func:`evaluation.dashboards.server.safe_path` first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import flows
from ..labels import t
from .server import (REFERENCE_ENV, SNAPSHOTS_ENV, TABLESET_ENV, DashboardError, resolve_data_dir,
                     safe_path)

__all__ = ["DEFAULT_CODEBOOKS", "DashboardData", "load_data", "load_board_data", "ensure_tableset", "write_board_tableset",
           "PARTICIPANT_COLUMNS"]

#: Columns that identify a participant row; the board kernel's data hold none (tests check).
PARTICIPANT_COLUMNS = ("episod_id", "deltagare_id", "respondent_id", "personnummer")

#: Parquet metadata keys the dashboards add to a table set they write (reference date, notices).
_META_REF = b"tabelluppsattning.referensdatum"
_META_MSG = b"tabelluppsattning.meddelanden"

DEFAULT_CODEBOOKS = ("teamwork_framgangsfaktorer", "delta_personal")


@dataclass
class DashboardData:
    """Everything the dashboards show, read once per kernel by :func:`load_data`.

    Attributes
    ----------
    data_dir : Path
    samples : dict of ImportResult
        Import results of every table of the catalogue (:meth:`evaluation.inputs.Inputs.imports`),
        for the data-quality card.
    episodes : DataFrame
        :func:`evaluation.flows.classify_exits` of the prepared episodes (registration errors dropped).
    events, kasam_scores, nns, targets, unit_costs, price_index, segments : DataFrame
        Journey events; SOC scores of participants (:func:`evaluation.kasam.score`); NNS survey rows;
        målnivåer of every förbund; unit costs; price index; coded focus-group segments.
    scenarios : dict
        Scenario stem → :class:`evaluation.costbenefit.Scenario`.
    codebook : Codebook or None
    reference_date : Timestamp
        Extract date (:data:`REFERENCE_ENV` or the latest recorded date).
    history : DataFrame
        :func:`evaluation.snapshots.history` of the snapshots folder (may be empty).
    messages : list of str
        Swedish notices shown at the top (missing key, files missing).
    missing_key : bool
        True when a file with personnummer (the Söderå export) was skipped for lack of a
        pseudonymisation key.
    inputs : evaluation.inputs.Inputs or None
        What the loader read (all förbund: the dashboards filter in memory).
    tableset : evaluation.tableset.TableSet or None
        The protected table set the board cards read (:func:`load_board_data`: read from Parquet;
        otherwise built from the episodes on first use, see
        :func:`evaluation.dashboards.views.protected_tableset`).
    protected : dict
        Protected table sets built in this kernel, by ``min_n``.
    """

    data_dir: Path
    samples: dict
    episodes: pd.DataFrame
    events: pd.DataFrame
    kasam_scores: pd.DataFrame
    nns: pd.DataFrame
    targets: pd.DataFrame
    unit_costs: pd.DataFrame
    price_index: pd.DataFrame | None
    scenarios: dict
    segments: pd.DataFrame
    codebook: object
    reference_date: pd.Timestamp
    history: pd.DataFrame
    snapshots_dir: Path | None = None
    messages: list = field(default_factory=list)
    missing_key: bool = False
    inputs: object = None
    tableset: object = None
    protected: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_frames(cls, episodes: pd.DataFrame, reference_date, **frames) -> "DashboardData":
        """Dashboard data from in-memory frames (tests, examples): episodes prepared and classified.

        ``episodes`` are raw episodes in the :data:`evaluation.schemas.EPISODES` layout; they pass
        :func:`evaluation.flows.prepare_episodes` and :func:`evaluation.flows.classify_exits` at
        ``reference_date`` as in :func:`load_data`. Any other attribute (``kasam_scores``, ``nns``,
        ``targets``, ``scenarios`` …) may be given by keyword; the rest are empty.

        Examples
        --------
        >>> ep = pd.DataFrame({"episod_id": ["e1"], "deltagare_id": ["p1"], "forbund": ["Norrdal"],
        ...     "insats": ["Team Work"], "kon": ["kvinna"], "inskrivningsdatum": ["2025-01-01"],
        ...     "avslutsdatum": ["2025-06-01"], "avslutsorsak": ["forvarvsarbete"]})
        >>> d = DashboardData.from_frames(ep, "2026-01-15")
        >>> d.episodes["sus_kategori"].tolist(), str(d.reference_date.date())
        (['forvarvsarbete'], '2026-01-15')
        """
        ref = pd.Timestamp(reference_date).normalize()
        ep = flows.classify_exits(flows.prepare_episodes(episodes), ref)
        empty = pd.DataFrame
        defaults = dict(
            data_dir=Path("."), samples={}, episodes=ep,
            events=pd.DataFrame(columns=["episod_id", "datum", "handelse"]),
            kasam_scores=pd.DataFrame(columns=["respondent_id", "forbund", "insats", "kon", "tidpunkt", "datum",
                                               "total"]),
            nns=empty(), targets=pd.DataFrame(columns=["forbund"]), unit_costs=empty(), price_index=None,
            scenarios={}, segments=empty(), codebook=None, reference_date=ref,
            history=pd.DataFrame(columns=["snapshot", "created", "notebook", "forbund", "key", "value_num"]))
        unknown = set(frames) - set(defaults) - {"snapshots_dir", "messages", "missing_key", "inputs", "tableset"}
        if unknown:
            raise TypeError(f"unknown DashboardData fields: {sorted(unknown)}")
        return cls(**{**defaults, **frames})



def load_data(data_dir: str | os.PathLike | None = None, snapshots_dir: str | os.PathLike | None = None,
              lang: str = "sv", forbund: str = "", scenario: str = "") -> DashboardData:
    """Read the data folder once: samples, scores, målnivåer, scenarios, codebook, snapshot history.

    Parameters
    ----------
    data_dir : path-like, optional
        Default: :data:`DATA_ENV`, else ``data_samples`` next to the package (repository layout).
    snapshots_dir : path-like, optional
        Default: :data:`SNAPSHOTS_ENV`, else ``snapshots``. Missing → empty history.
    forbund : str
        A dashboard's initial förbund (notebook parameter): only validated against the catalogue
        (:class:`evaluation.inputs.InputsError` naming the valid ones); the data stay unfiltered,
        the dashboards filter in memory.
    scenario : str
        A dashboard's initial scenario (notebook parameter): validated the same way (the available
        scenarios are named when it does not exist).

    Returns
    -------
    DashboardData

    Notes
    -----
    Reads only through :func:`evaluation.inputs.load` (the catalogue of ``data_dir``), every förbund.
    When no pseudonymisation key is configured (:class:`evaluation.privacy.MissingKeyError`), a
    file that needs it (the Söderå case-system export) is skipped and ``messages`` says so in
    Swedish; all other files load.

    """
    from .. import coding, inputs, kasam, snapshots

    d = resolve_data_dir(data_dir, default=Path(__file__).resolve().parents[2] / "data_samples")
    if forbund or scenario:  # the notebook's parameters, before anything is read
        inputs.validate(d, forbund=forbund, scenario=scenario)
    try:
        indata = inputs.load(d, require=["episoder"], on_missing_key="skip")
    except inputs.InputsError as exc:
        raise DashboardError(str(exc)) from None
    for e in indata.catalogue.files():  # every file the catalogue names stays inside the data folder
        safe_path(d, *Path(e.path).parts)
    samples = indata.imports()  # every table, once (a missing key skips the files that need it)
    if indata.episodes is None:
        raise DashboardError(f"Datamappen {str(d)!r} har inga läsbara deltagarepisoder: "
                             f"{' '.join(indata.messages)}")
    messages: list[str] = list(indata.messages)
    missing_key = t("dashboards.msg.missing_key", "sv") in messages
    if missing_key and lang != "sv":
        messages = [t("dashboards.msg.missing_key", lang) if m == t("dashboards.msg.missing_key", "sv") else m
                    for m in messages]
    episodes = flows.prepare_episodes(indata.episodes)
    events = indata.events if indata.events is not None else pd.DataFrame(columns=["episod_id", "datum", "handelse"])
    dates = [episodes["inskrivningsdatum"].max(), episodes["avslutsdatum"].max()]
    if len(events):
        dates.append(pd.to_datetime(events["datum"]).max())
    ref_env = os.environ.get(REFERENCE_ENV, "")
    reference = pd.Timestamp(ref_env) if ref_env else max(x for x in dates if pd.notna(x))
    episodes = flows.classify_exits(episodes, reference)
    deltagare = indata.kasam_deltagare
    kasam_scores = (kasam.score(deltagare) if deltagare is not None and len(deltagare)
                    else pd.DataFrame(columns=["respondent_id", "forbund", "insats", "kon", "tidpunkt", "datum", "total"]))
    nns = indata.nns if indata.nns is not None else pd.DataFrame()
    targets = indata.targets
    unit_costs = indata.unit_costs if indata.unit_costs is not None else pd.DataFrame()
    price_index = indata.price_index
    scenarios = indata.scenarios
    segments = indata.segments if indata.segments is not None else pd.DataFrame()
    codebook = None
    if len(segments):
        codebook = coding.combine_codebooks(*DEFAULT_CODEBOOKS)
        try:
            codebook.check(segments["kod"], file=", ".join(e.path for e in indata.entries("segment")))
        except coding.CodebookError:
            codebook = None
    snap_raw = snapshots_dir if snapshots_dir is not None else os.environ.get(SNAPSHOTS_ENV, "snapshots")
    snap = None
    history = snapshots.history("/nonexistent")
    if snap_raw and ".." not in Path(os.fspath(snap_raw)).parts and Path(snap_raw).is_dir():
        snap = Path(snap_raw).resolve()
        history = snapshots.history(snap)
    return DashboardData(d, samples, episodes, events, kasam_scores, nns, targets, unit_costs, price_index,
                         scenarios, segments, codebook, pd.Timestamp(reference).normalize(), history, snap,
                         messages, missing_key, indata)



# --------------------------------------------------------------------------------------------
# the board kernel: the protected table set, never participant rows
# --------------------------------------------------------------------------------------------

def _parquet_meta(path) -> dict:
    import pyarrow.parquet as pq

    return dict(pq.read_schema(path).metadata or {})


def _add_meta(path, extra: dict) -> None:
    """Rewrite the Parquet file at ``path`` with ``extra`` added to its schema metadata (atomic)."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = {**(table.schema.metadata or {}), **extra}
    tmp = Path(str(path) + ".tmp")
    pq.write_table(table.replace_schema_metadata(meta), tmp)
    os.replace(tmp, path)


def _cache_dir() -> Path:
    from .. import tableset

    d = tableset._cache_dir()  # the evaluator's private cache (EVALUATION_CACHE), mode 0700
    os.chmod(d, 0o700)
    return d


def _fingerprint(data_dir: Path, min_n: int) -> tuple[str, dict]:
    """sha256 over the data folder's files (path relative, content hash), the reference date setting and min_n."""
    import hashlib
    import json

    from ..runs import input_hashes

    from .. import flows, tableset

    files = input_hashes([data_dir])
    rel = sorted((str(Path(p).relative_to(data_dir)), h) for p, h in files.items())
    code = [hashlib.sha256(Path(m.__file__).read_bytes()).hexdigest() for m in (tableset, flows)]
    key = json.dumps({"filer": rel, "referens": os.environ.get(REFERENCE_ENV, ""), "min_n": int(min_n),
                      "kod": code})
    return hashlib.sha256(key.encode()).hexdigest(), files


def _snapshot_tableset(snapshots_dir, files: dict) -> Path | None:
    """The latest snapshot's table set when it was made from exactly these files and reference date.

    Its manifest must list every current file of the data folder with the same sha256 and record
    (``tabelluppsattning.referensdatum``) the reference date the dashboards use (:data:`REFERENCE_ENV`,
    "" = the data's latest date).
    """
    import json

    from .. import tableset
    from ..runs import MANIFEST

    if not snapshots_dir or not Path(snapshots_dir).is_dir():
        return None
    snaps = sorted((p for p in Path(snapshots_dir).iterdir() if (p / tableset.FILENAME).is_file()
                    and (p / MANIFEST).is_file()), key=lambda p: p.name)
    if not snaps:
        return None
    latest = snaps[-1]
    try:
        manifest = json.loads((latest / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    inputs = manifest.get("inputs", {})
    info = manifest.get("tabelluppsattning") or {}
    if not files or any(inputs.get(p) != h for p, h in files.items()) or "fil" not in info:
        return None
    if str(info.get("referensdatum") or "") != os.environ.get(REFERENCE_ENV, ""):
        return None
    return latest / tableset.FILENAME


def ensure_tableset(data_dir=None, snapshots_dir=None, min_n: int = 5) -> Path:
    """The protected table set of a data folder as a Parquet file, for the board kernels.

    Used by ``evaluation dashboard`` (:func:`evaluation.dashboards.server.serve`) in the server
    process, before any kernel starts; the kernels get the path in :data:`TABLESET_ENV` and read
    only that file (:func:`load_board_data`), never the participant rows.

    1. A private cache file (``$XDG_CACHE_HOME/evaluation/tabelluppsattning/<sha256>.parquet``,
       folder mode 0700) whose name is the hash of the data folder's files, the reference-date
       setting, ``min_n`` and the code of :mod:`evaluation.tableset` and :mod:`evaluation.flows`:
       reused as it is.
    2. Else the latest snapshot's ``tabelluppsattning.parquet`` when its manifest lists exactly the
       same data files (sha256) and its reference date is the dashboards' one (copied into the
       cache with the reference date and the notices).
    3. Else computed here: :func:`load_data` and :func:`evaluation.tableset.for_data` (or
       :func:`evaluation.tableset.protect` for another ``min_n``), written to the cache file with
       the reference date and the loader's notices in its metadata.

    Returns
    -------
    Path
    """
    from .. import tableset

    d = resolve_data_dir(data_dir, default=Path(__file__).resolve().parents[2] / "data_samples")
    digest, files = _fingerprint(d, min_n)
    cached = _cache_dir() / f"{digest}.parquet"
    if cached.is_file():
        return cached
    data = load_data(d, snapshots_dir=d / ".inga-ogonblicksbilder")  # the rows only; no history needed here
    snap = snapshots_dir if snapshots_dir is not None else os.environ.get(SNAPSHOTS_ENV, "snapshots")
    found = _snapshot_tableset(snap, files)
    if found is not None:  # the snapshot's cells, with the reference date and notices the kernels show
        tmp = cached.with_suffix(".tmp.parquet")
        write_board_tableset(tableset.read_parquet(found), tmp, data.reference_date, data.messages)
        os.chmod(tmp, 0o600)
        os.replace(tmp, cached)
        return cached
    import sys

    print("Beräknar den skyddade tabelluppsättningen för styrelsens instrumentpaneler "
          "(första gången kan det ta några minuter) …", file=sys.stderr, flush=True)
    try:
        ts = _protect(data, min_n)
    except Exception as exc:  # noqa: BLE001 - the server must say so in Swedish, not with a traceback
        from ..privacy import redact

        raise DashboardError(redact(f"Den skyddade tabelluppsättningen för {d.name!r} kunde inte beräknas, så "
                                    f"styrelsens instrumentpaneler startas inte: {type(exc).__name__}: {exc}")) from exc
    tmp = cached.with_suffix(".tmp.parquet")
    write_board_tableset(ts, tmp, data.reference_date, data.messages)
    os.chmod(tmp, 0o600)
    os.replace(tmp, cached)
    return cached


def write_board_tableset(ts, path, reference_date, messages=()) -> Path:
    """:func:`evaluation.tableset.write_parquet` plus what the board kernel needs besides the cells.

    The reference date (``tabelluppsattning.referensdatum``, shown as "Data t.o.m.") and the
    loader's notices (``tabelluppsattning.meddelanden``, e.g. that Söderå's export was skipped
    for lack of a key) go into the file's metadata; :func:`load_board_data` reads them.

    Examples
    --------
    >>> import tempfile, os
    >>> from evaluation.dashboards.views import _example_data, protected_tableset
    >>> p = write_board_tableset(protected_tableset(_example_data(), 1),
    ...                          os.path.join(tempfile.mkdtemp(), "t.parquet"), "2026-01-15", ["Ett meddelande"])
    >>> b = load_board_data("data_samples", tableset_path=p, min_n=1)
    >>> str(b.reference_date.date()), b.messages
    ('2026-01-15', ['Ett meddelande'])
    """
    import json

    from .. import tableset

    path = tableset.write_parquet(ts, path)
    _add_meta(path, {_META_REF: str(pd.Timestamp(reference_date).date()).encode(),
                     _META_MSG: json.dumps(list(messages), ensure_ascii=False).encode()})
    return Path(path)


def _protect(data: DashboardData, min_n: int):
    """The protected table set of data with participant rows (as :func:`evaluation.tableset.for_data`)."""
    from .. import tableset

    scores = data.kasam_scores if data.kasam_scores is not None and len(data.kasam_scores) else None
    return tableset.protect_cached(tableset.build(data.episodes, scores, data.reference_date, min_n=min_n,
                                                  events=data.events))


def load_board_data(data_dir: str | os.PathLike | None = None, snapshots_dir: str | os.PathLike | None = None,
                    lang: str = "sv", forbund: str = "", scenario: str = "", tableset_path=None,
                    min_n: int = 5) -> DashboardData:
    """What a board kernel holds: the protected table set, scenarios, unit costs, målnivåer, history.

    No participant rows: ``episodes``, ``events``, ``kasam_scores``, ``nns`` and ``segments`` are
    empty frames without columns and no import results are kept; the flow and KASAM cards read the
    protected table set (:mod:`evaluation.tableset`) from ``tableset_path``, else
    :data:`TABLESET_ENV` (set by ``evaluation dashboard``), else :func:`ensure_tableset` (the table
    set is computed in a helper and only the Parquet file is read back).

    Parameters
    ----------
    data_dir, snapshots_dir, lang, forbund, scenario
        As :func:`load_data`.
    tableset_path : path-like, optional
    min_n : int
        Small-cell threshold the table set must have been protected with.

    Returns
    -------
    DashboardData
        With ``tableset`` set and ``reference_date`` from the table set's metadata.

    Examples
    --------
    >>> import tempfile, os
    >>> from evaluation.dashboards.views import _example_data, protected_tableset
    >>> from evaluation import tableset
    >>> p = tableset.write_parquet(protected_tableset(_example_data(), 1), os.path.join(tempfile.mkdtemp(), "t.parquet"))
    >>> b = load_board_data("data_samples", tableset_path=p, min_n=1)
    >>> b.tableset.value("avslutade", period="2025"), b.episodes.shape, b.samples
    (4.0, (0, 0), {})
    """
    import json

    from .. import inputs, snapshots, tableset

    d = resolve_data_dir(data_dir, default=Path(__file__).resolve().parents[2] / "data_samples")
    if forbund or scenario:
        inputs.validate(d, forbund=forbund, scenario=scenario)
    path = tableset_path or os.environ.get(TABLESET_ENV) or ensure_tableset(d, snapshots_dir, min_n=min_n)
    ts = tableset.read_parquet(path)
    if int(ts.min_n) != int(min_n):
        raise DashboardError(f"Tabelluppsättningen är skyddad med min_n = {ts.min_n}, instrumentpanelen "
                             f"begär {min_n}.")
    meta = _parquet_meta(path)
    ref = meta.get(_META_REF, b"").decode() or getattr(ts, "reference_date", None)
    if not ref:
        years = sorted(p for p in ts.cells["period"].unique() if p != tableset.PERIOD_ALL)
        ref = f"{years[-1]}-12-31"
    messages = json.loads(meta.get(_META_MSG, b"[]").decode())
    missing_key = t("dashboards.msg.missing_key", "sv") in messages
    if missing_key and lang != "sv":
        messages = [t("dashboards.msg.missing_key", lang) if m == t("dashboards.msg.missing_key", "sv") else m
                    for m in messages]
    try:
        indata = inputs.load(d, on_missing_key="skip")
    except inputs.InputsError as exc:
        raise DashboardError(str(exc)) from None
    for e in indata.catalogue.files():
        safe_path(d, *Path(e.path).parts)
    targets = indata.targets if indata.targets is not None else pd.DataFrame(columns=["forbund"])
    unit_costs = indata.unit_costs if indata.unit_costs is not None else pd.DataFrame()
    snap_raw = snapshots_dir if snapshots_dir is not None else os.environ.get(SNAPSHOTS_ENV, "snapshots")
    snap, history = None, snapshots.history("/nonexistent")
    if snap_raw and ".." not in Path(os.fspath(snap_raw)).parts and Path(snap_raw).is_dir():
        snap = Path(snap_raw).resolve()
        history = snapshots.history(snap)
    empty = pd.DataFrame
    return DashboardData(d, {}, empty(), empty(), empty(), empty(), targets, unit_costs, indata.price_index,
                         dict(indata.scenarios), empty(), None, pd.Timestamp(ref).normalize(), history, snap,
                         messages, missing_key, None, tableset=ts)
