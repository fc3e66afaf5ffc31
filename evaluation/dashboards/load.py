"""The dashboards' data, read once per kernel: :class:`DashboardData` and :func:`load_data`.

A filter change never reads a file again; the views (:mod:`evaluation.dashboards.views`) select
rows of the loaded frames in memory. Files are opened only through
:func:`evaluation.dashboards.server.safe_path`.
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
        :func:`evaluation.io.load_samples` output (import reports for data quality).
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
        True when the Söderå export was skipped for lack of a pseudonymisation key.
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


def _load_without_key(d: Path) -> dict:
    """Like :func:`evaluation.io.load_samples` but without the export that needs the key."""
    from .. import io

    out = {}
    if (d / "episoder.csv").exists():
        out["episoder"] = io.load_episodes(safe_path(d, "episoder.csv"))
    for key, name, entity, instrument in io.SAMPLE_FILES:
        if (d / name).exists():
            out[key] = io.load_table(safe_path(d, name), entity, instrument=instrument)
    return out


def load_data(data_dir: str | os.PathLike | None = None, snapshots_dir: str | os.PathLike | None = None,
              lang: str = "sv") -> DashboardData:
    """Read the data folder once: samples, scores, målnivåer, scenarios, codebook, snapshot history.

    Parameters
    ----------
    data_dir : path-like, optional
        Default: :data:`DATA_ENV`, else ``data_samples`` next to the package (repository layout).
    snapshots_dir : path-like, optional
        Default: :data:`SNAPSHOTS_ENV`, else ``snapshots``. Missing → empty history.

    Returns
    -------
    DashboardData

    Notes
    -----
    When no pseudonymisation key is configured (:class:`evaluation.privacy.MissingKeyError`), the
    Söderå case-system export is skipped and ``messages`` says so in Swedish; all other files load.

    Examples
    --------
    >>> load_data  # doctest: +ELLIPSIS
    <function load_data at ...>
    """
    from .. import coding, io, kasam, privacy, snapshots
    from .. import costbenefit as cb
    from .. import indicators as ind

    d = resolve_data_dir(data_dir, default=Path(__file__).resolve().parents[2] / "data_samples")
    messages: list[str] = []
    missing_key = False
    try:
        samples = io.load_samples(d)
    except privacy.MissingKeyError:
        samples = _load_without_key(d)
        missing_key = True
        messages.append(t("dashboards.msg.missing_key", lang))
    if "episoder" not in samples:
        raise DashboardError(f"Datamappen {str(d)!r} saknar episoder.csv; kör `evaluation samples` eller ange --data.")
    episodes = flows.prepare_episodes(samples["episoder"].data)
    events = samples["handelser"].data if "handelser" in samples else pd.DataFrame(
        columns=["episod_id", "datum", "handelse"])
    dates = [episodes["inskrivningsdatum"].max(), episodes["avslutsdatum"].max()]
    if len(events):
        dates.append(pd.to_datetime(events["datum"]).max())
    ref_env = os.environ.get(REFERENCE_ENV, "")
    reference = pd.Timestamp(ref_env) if ref_env else max(x for x in dates if pd.notna(x))
    episodes = flows.classify_exits(episodes, reference)
    kasam_scores = (kasam.score(samples["kasam_deltagare"].data) if "kasam_deltagare" in samples
                    else pd.DataFrame(columns=["respondent_id", "forbund", "insats", "kon", "tidpunkt", "datum", "total"]))
    nns = samples["nns_enkater"].data if "nns_enkater" in samples else pd.DataFrame()
    target_dir = d / "malnivaer"
    target_files = sorted(target_dir.glob("*.yaml")) if target_dir.is_dir() else []
    targets = (pd.concat([ind.load_targets(safe_path(d, "malnivaer", p.name)) for p in target_files],
                         ignore_index=True) if target_files else pd.DataFrame(columns=["forbund"]))
    unit_costs = samples["enhetskostnader"].data if "enhetskostnader" in samples else pd.DataFrame()
    price_index = cb.read_price_index(safe_path(d, "prisindex.csv")) if (d / "prisindex.csv").exists() else None
    scen_dir = d / "scenarier"
    scenarios = {p.stem: cb.load_scenario(safe_path(d, "scenarier", p.name))
                 for p in sorted(scen_dir.glob("*.yaml"))} if scen_dir.is_dir() else {}
    segments = samples["fokusgrupper_segment"].data if "fokusgrupper_segment" in samples else pd.DataFrame()
    codebook = None
    if len(segments):
        codebook = coding.combine_codebooks(*DEFAULT_CODEBOOKS)
        try:
            codebook.check(segments["kod"], file="fokusgrupper_segment.csv")
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
                         messages, missing_key)

