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
from .server import REFERENCE_ENV, SNAPSHOTS_ENV, DashboardError, resolve_data_dir, safe_path

__all__ = ["DEFAULT_CODEBOOKS", "DashboardData", "load_data"]

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
        unknown = set(frames) - set(defaults) - {"snapshots_dir", "messages", "missing_key", "inputs"}
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

