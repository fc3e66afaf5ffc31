"""Voilà dashboards for boards and evaluators: data, filters, computations and the server.

Three dashboards live in ``notebooks/dashboards/`` and are thin (imports + one call):

``styrelse.ipynb``
    The board's overview (:func:`evaluation.dashboard_widgets.board_app`): nyckeltal (active, new and
    ended participants, exits by category, share to work/studies, försörjning before → after), KASAM
    change with its 95 % CI, NNS indicators against målnivåer, cost-benefit per actor with payback
    month and trends across snapshots; filters förbund, insats, period and kön.
``utvarderare.ipynb``
    The evaluator's drill-down (:func:`evaluation.dashboard_widgets.evaluator_app`): flows (outcome
    report per measure, exits per level, monthly flows), NNS survey items, focus-group tallies and
    coder agreement, data-quality findings of the import reports.
``samhallsekonomi.ipynb``
    Cost-benefit sliders for a board workshop (:func:`evaluation.dashboard_widgets.scenario_app`,
    reusing :func:`evaluation.costbenefit.scenario_widgets`).

All computation is here, in plain functions that take the loaded :class:`DashboardData` and a
validated :class:`Filters` and return DataFrames (unit-tested without a browser); the widget layer
in :mod:`evaluation.dashboard_widgets` only arranges them and redraws plotly ``go.Figure`` objects
into ``ipywidgets.Output`` widgets when a filter changes. Data are read **once per kernel**
(:func:`load_data`); a filter change only selects rows in memory.

Board-facing numbers pass :mod:`evaluation.disclosure` (``min_n``, default 5): counts ``0 < n <
min_n`` and shares whose numerator or denominator is such a count show as "–".

Security
--------
Dashboard input is never evaluated and never used as a path or as code.

* The data folder comes from the environment variable :data:`DATA_ENV` (``EVALUATION_DATA_DIR``),
  set by the server (:func:`serve`); :func:`resolve_data_dir` refuses ``..`` components, NUL bytes
  and anything that is not an existing directory. Files are opened only through :func:`safe_path`,
  which refuses any path that resolves outside the data folder (also through symlinks).
* Widget values and query-string values are compared against allowlists computed from the loaded
  data (:func:`allowed_values`, :func:`check_choice`, :func:`validate_filters`,
  :func:`parse_query`); anything else raises :class:`NotAllowedError`.
* Voilà itself refuses ``execute_request`` from viewers; sources are stripped and tracebacks hidden
  (:func:`voila_arguments`).

Serving
-------
``evaluation dashboard [--port 8866] [--token SECRET] [--data data_samples]`` (``make dashboard``)
runs standalone Voilà (≥ 0.5.6, CVE-2024-30265 fixed) on **127.0.0.1** over ``notebooks/dashboards/``
only, with::

    --no-browser --Voila.ip=127.0.0.1 --port=8866
    --strip_sources=True --show_tracebacks=False
    --VoilaExecutor.timeout=120                       # seconds per cell
    --MappingKernelManager.cull_idle_timeout=900 --MappingKernelManager.cull_interval=60
    --VoilaConfiguration.allow_template_override=NO --VoilaConfiguration.allow_theme_override=NO
    --preheat_kernel=True --pool_size=2               # kernels that already ran the notebook
    --VoilaKernelManager.fill_delay=10                # refill the pool 10 s after a viewer took a kernel
    --token=<token>                                   # only when --token is given

Every viewer gets a kernel of its own. With preheated kernels the notebook (imports, data loading,
first render) has already run when the viewer arrives, so time-to-interactive is the time to send
the widgets, not the time to import pandas and read the files. Pool kernels are never culled;
kernels a viewer left are culled after 15 minutes idle.

The environment passed to the kernels: ``EVALUATION_DATA_DIR`` (absolute, validated),
``EVALUATION_SNAPSHOTS_DIR`` (default ``snapshots``; for trends across snapshots, read with
:func:`evaluation.snapshots.history`) and the pseudonymisation key settings of the server's
environment. Without a pseudonymisation key (run ``evaluation key --init`` once; ``make demo``
does), the Söderå case-system export cannot be imported: the dashboards then show Norrdal only
and say so in Swedish.

Behind a reverse proxy (for a board)
------------------------------------
Keep Voilà on 127.0.0.1 and let nginx terminate TLS and authenticate; the kernels talk over
websockets, so the proxy must pass the ``Upgrade`` header. Serve under a prefix with
``--base_url``, e.g. ``evaluation dashboard --port 8866 --token "$TOKEN"`` plus Voilà's
``--base_url=/utvardering/`` (then use ``location /utvardering/``)::

    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    server {
        listen 443 ssl;
        server_name utvardering.example.se;
        ssl_certificate     /etc/letsencrypt/live/utvardering.example.se/fullchain.pem;
        ssl_certificate_key /etc/letsencrypt/live/utvardering.example.se/privkey.pem;
        auth_basic           "Styrelsen";                # or your single sign-on
        auth_basic_user_file /etc/nginx/styrelse.htpasswd;
        location / {
            proxy_pass http://127.0.0.1:8866;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;       # websockets for the kernels
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 86400;                      # keep idle websockets open
            proxy_buffering off;
        }
    }

Only the dashboards folder is served; the data folder is never reachable over HTTP (Voilà's
static-file allowlist serves images only). Source: Voilà ``docs/deploy.md`` (nginx section) and
``docs/customize.md`` (preheated kernels); shared/tech/NOTES.md §2.

Environment variables
---------------------
:data:`DATA_ENV` ``EVALUATION_DATA_DIR``, :data:`SNAPSHOTS_ENV` ``EVALUATION_SNAPSHOTS_DIR``,
:data:`REFERENCE_ENV` ``EVALUATION_REFERENCE_DATE`` (extract date, ``YYYY-MM-DD``; default: the
latest date in the episodes and events).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import disclosure, flows
from .labels import t

__all__ = [
    "DATA_ENV", "SNAPSHOTS_ENV", "REFERENCE_ENV", "DASHBOARDS", "DEFAULT_CODEBOOKS", "DashboardError",
    "UnsafePathError", "NotAllowedError", "Filters", "DashboardData", "resolve_data_dir", "safe_path",
    "load_data", "allowed_values", "filter_options", "check_choice", "validate_filters", "parse_query",
    "period_bounds", "select", "key_figures", "exit_table", "forsorjning_table", "kasam_change",
    "nns_targets", "cost_benefit", "trends", "outcome_table", "survey_items", "focus_groups",
    "data_quality", "html_table", "key_figures_html", "figure_kasam", "figure_trends",
    "figure_message", "notebooks_dir", "voila_arguments", "server_env", "free_port", "serve", "wait_until_ready", "cli",
    "board_app", "evaluator_app", "scenario_app",
]

DATA_ENV = "EVALUATION_DATA_DIR"
SNAPSHOTS_ENV = "EVALUATION_SNAPSHOTS_DIR"
REFERENCE_ENV = "EVALUATION_REFERENCE_DATE"
DASHBOARDS = ("styrelse", "utvarderare", "samhallsekonomi")
DEFAULT_CODEBOOKS = ("teamwork_framgangsfaktorer", "delta_personal")
ALL = ""  # filter value meaning "all"
PERIOD_ALL = "alla"


class DashboardError(RuntimeError):
    """A dashboard cannot start; the message says what to do."""


class UnsafePathError(DashboardError, ValueError):
    """A path (environment variable, query string) points outside the allowed folder."""


class NotAllowedError(DashboardError, ValueError):
    """A filter value is not in the allowlist computed from the data."""


# --------------------------------------------------------------------------------------------
# paths
# --------------------------------------------------------------------------------------------

def resolve_data_dir(value: str | os.PathLike | None = None, env: str = DATA_ENV,
                     default: str | os.PathLike | None = None) -> Path:
    """The data folder, validated: an existing directory given without ``..`` components.

    Parameters
    ----------
    value : path-like, optional
        Explicit folder; when None the environment variable ``env`` is read, then ``default``.
    env : str
        Environment variable set by the server (:data:`DATA_ENV`).
    default : path-like, optional
        Used when neither is given (notebooks pass ``"../../data_samples"``).

    Returns
    -------
    Path
        The absolute, resolved folder.

    Raises
    ------
    UnsafePathError
        A NUL byte or a ``..`` component (path traversal).
    DashboardError
        Nothing given, or not an existing directory.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> resolve_data_dir(d) == Path(d).resolve()
    True
    >>> resolve_data_dir(d + "/../etc")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    evaluation.dashboards.UnsafePathError: Datamappen får inte innehålla '..' ...
    """
    raw = value if value is not None else (os.environ.get(env) or default)
    if raw is None or str(raw).strip() == "":
        raise DashboardError(f"Ingen datamapp angiven: sätt {env} eller starta med `evaluation dashboard --data MAPP`.")
    text = os.fspath(raw)
    if "\x00" in text:
        raise UnsafePathError("Datamappen innehåller ett ogiltigt tecken (NUL).")
    if ".." in Path(text).parts:
        raise UnsafePathError(f"Datamappen får inte innehålla '..' ({text!r}); ange en mapp utan '..'.")
    p = Path(text).expanduser().resolve()
    if not p.is_dir():
        raise DashboardError(f"Datamappen {str(p)!r} finns inte eller är ingen mapp.")
    return p


def safe_path(root: str | os.PathLike, *parts: str) -> Path:
    """Join ``parts`` under ``root`` and refuse anything that resolves outside it.

    Absolute parts, ``..`` components, NUL bytes and symlinks leading out of ``root`` raise
    :class:`UnsafePathError`. The file need not exist.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> safe_path(d, "scenarier", "bas.yaml").name
    'bas.yaml'
    >>> safe_path(d, "../../etc/passwd")
    Traceback (most recent call last):
    ...
    evaluation.dashboards.UnsafePathError: Sökvägen ligger utanför datamappen: '../../etc/passwd'
    """
    base = Path(root).resolve()
    rel = "/".join(parts)
    if "\x00" in rel or any(Path(p).is_absolute() for p in parts) or ".." in Path(rel).parts:
        raise UnsafePathError(f"Sökvägen ligger utanför datamappen: {rel!r}")
    p = (base / rel).resolve()
    if not p.is_relative_to(base):
        raise UnsafePathError(f"Sökvägen ligger utanför datamappen: {rel!r}")
    return p


# --------------------------------------------------------------------------------------------
# data (loaded once per kernel)
# --------------------------------------------------------------------------------------------

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
    from . import io

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
    from . import coding, io, kasam, privacy, snapshots
    from . import costbenefit as cb
    from . import indicators as ind

    d = resolve_data_dir(data_dir, default=Path(__file__).resolve().parents[1] / "data_samples")
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


# --------------------------------------------------------------------------------------------
# filters: allowlists from the data
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """Validated filter values ("" = all; period ``"alla"`` or a year ``"2025"``).

    Examples
    --------
    >>> Filters(forbund="Norrdal").insats
    ''
    """

    forbund: str = ALL
    insats: str = ALL
    period: str = PERIOD_ALL
    kon: str = ALL


def _years(data: DashboardData) -> list[str]:
    ep = data.episodes
    first = int(ep["inskrivningsdatum"].min().year)
    last = int(data.reference_date.year)
    # a year that has only a few days of the extract (e.g. 2026-01-15) still counts
    return [str(y) for y in range(last, first - 1, -1)]


def allowed_values(data: DashboardData) -> dict[str, list[str]]:
    """The allowlist of every filter, computed from the loaded data.

    Returns
    -------
    dict
        ``forbund``, ``insats``, ``kon``: ``""`` plus the sorted values in the episodes;
        ``period``: ``"alla"`` plus the calendar years from the first inskrivning to the extract
        date, newest first.

    Examples
    --------
    >>> allowed_values  # doctest: +ELLIPSIS
    <function allowed_values at ...>
    """
    ep = data.episodes
    out = {c: [ALL] + sorted(str(v) for v in ep[c].dropna().unique()) for c in ("forbund", "insats", "kon")}
    out["period"] = [PERIOD_ALL] + _years(data)
    return out


def filter_options(data: DashboardData, lang: str = "sv") -> dict[str, list[tuple[str, str]]]:
    """Dropdown options ``(label, value)`` per filter, labelled in ``lang``.

    Examples
    --------
    >>> filter_options  # doctest: +ELLIPSIS
    <function filter_options at ...>
    """
    allowed = allowed_values(data)

    def lab(name, v):
        if v == ALL:
            return t(f"dashboards.alla.{name}", lang)
        if name == "period":
            return t("dashboards.period.alla", lang) if v == PERIOD_ALL else v
        if name == "kon":
            return t(f"flows.kategori.{v}", lang)
        return v

    out = {k: [(lab(k, v), v) for v in vals] for k, vals in allowed.items()}
    return out


def check_choice(value, allowed, name: str = "värde") -> str:
    """Return ``value`` when it is one of ``allowed`` (exact string match), else raise.

    Raises
    ------
    NotAllowedError
        For any other value, including non-strings; the message does not echo long input.

    Examples
    --------
    >>> check_choice("Norrdal", ["", "Norrdal", "Söderå"], "forbund")
    'Norrdal'
    >>> check_choice("../../etc/passwd", ["", "Norrdal"], "forbund")
    Traceback (most recent call last):
    ...
    evaluation.dashboards.NotAllowedError: Ogiltigt värde för forbund
    """
    if not isinstance(value, str) or value not in set(allowed):
        raise NotAllowedError(f"Ogiltigt värde för {name}")
    return value


def validate_filters(data: DashboardData, **values) -> Filters:
    """Build :class:`Filters` from raw values, each checked against :func:`allowed_values`.

    Unknown filter names raise :class:`NotAllowedError`.

    Examples
    --------
    >>> validate_filters  # doctest: +ELLIPSIS
    <function validate_filters at ...>
    """
    allowed = allowed_values(data)
    for k in values:
        if k not in allowed:
            raise NotAllowedError(f"Okänt filter: {k[:40]!r}")
    return Filters(**{k: check_choice(v, allowed[k], k) for k, v in values.items()})


def parse_query(query: str, allowed: dict[str, list[str]]) -> dict[str, str]:
    """Filter values from a URL query string (``?forbund=Norrdal&period=2025``), allowlisted.

    Only the keys of ``allowed`` are accepted and each value must be in its list; a repeated key,
    an unknown key (e.g. ``data=../../etc``) or a value outside the list raises
    :class:`NotAllowedError`. The result is never used as a path.

    Examples
    --------
    >>> parse_query("forbund=S%C3%B6der%C3%A5", {"forbund": ["", "Norrdal", "Söderå"]})
    {'forbund': 'Söderå'}
    >>> parse_query("data=../../etc", {"forbund": [""]})
    Traceback (most recent call last):
    ...
    evaluation.dashboards.NotAllowedError: Okänd parameter i länken: 'data'
    """
    if not query:
        return {}
    pairs = urllib.parse.parse_qsl(query.lstrip("?"), keep_blank_values=True, max_num_fields=10)
    out: dict[str, str] = {}
    for k, v in pairs:
        if k not in allowed:
            raise NotAllowedError(f"Okänd parameter i länken: {k[:40]!r}")
        if k in out:
            raise NotAllowedError(f"Parametern {k!r} förekommer flera gånger")
        out[k] = check_choice(v, allowed[k], k)
    return out


def period_bounds(data: DashboardData, period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a period value (``"alla"``: first inskrivning to the extract date).

    Examples
    --------
    >>> period_bounds  # doctest: +ELLIPSIS
    <function period_bounds at ...>
    """
    if period == PERIOD_ALL:
        return data.episodes["inskrivningsdatum"].min().normalize(), data.reference_date
    check_choice(period, _years(data), "period")
    y = int(period)
    return pd.Timestamp(y, 1, 1), min(pd.Timestamp(y, 12, 31), data.reference_date)


def select(df: pd.DataFrame, f: Filters, columns=("forbund", "insats", "kon")) -> pd.DataFrame:
    """Rows of ``df`` matching the förbund/insats/kön filters (columns it lacks are not filtered).

    Examples
    --------
    >>> d = pd.DataFrame({"forbund": ["A", "B"], "kon": ["man", "kvinna"]})
    >>> select(d, Filters(forbund="B"))["kon"].tolist()
    ['kvinna']
    """
    mask = pd.Series(True, index=df.index)
    for c in columns:
        v = getattr(f, c)
        if v != ALL and c in df.columns:
            mask &= df[c].astype("str") == v
    return df.loc[mask]


# --------------------------------------------------------------------------------------------
# board computations
# --------------------------------------------------------------------------------------------

def _fmt_share(x, lang):
    return "–" if pd.isna(x) else f"{disclosure.format_number(100 * x, lang, 1)} %"


def key_figures(data: DashboardData, f: Filters, min_n: int = 5, lang: str = "sv") -> pd.DataFrame:
    """Nyckeltal for the board, suppressed.

    Definitions (episodes = insats episodes, registration errors dropped):

    * ``aktiva``: episodes active at least one day of the period (inskrivning ≤ period end and
      no avslut before period start);
    * ``nya``: inskrivning in the period; ``avslutade``: avslut in the period;
    * ``andel_arbete_studier``: ended in the period with SUS exit category *förvärvsarbete* or
      *studier* / ended in the period;
    * ``offentlig_fore``, ``offentlig_efter``: ended in the period whose försörjningsgrupp before /
      after is *offentlig* (:func:`evaluation.flows.forsorjningsgrupp`) / ended in the period;
    * ``egen_efter``: ended with own support after (``egen_forsorjning_efter == "ja"``) / ended
      whose support after is known.

    A count with ``0 < n < min_n`` is suppressed; a share is suppressed when its numerator, its
    denominator or their difference is such a count (the rule of
    :func:`evaluation.disclosure.suppress_shares` with ``complement=True``: 96 % of 50 would
    reveal the 2 who did not).

    Returns
    -------
    DataFrame
        ``nyckel, matt, antal, bas, andel, undertryckt, visning`` (``visning``: the string shown).

    Examples
    --------
    >>> key_figures  # doctest: +ELLIPSIS
    <function key_figures at ...>
    """
    ep = select(data.episodes, f)
    start, end = period_bounds(data, f.period)
    ins, avs = ep["inskrivningsdatum"], ep["avslutsdatum"]
    active = (ins <= end) & (avs.isna() | (avs >= start))
    new = (ins >= start) & (ins <= end)
    closed = ep.loc[ep["avslutad"] & (avs >= start) & (avs <= end)]
    n_closed = len(closed)
    work = int(closed["sus_kategori"].isin(["forvarvsarbete", "studier"]).sum())
    known = int((closed["egen_forsorjning_efter"] != "okant").sum())
    rows = [
        ("aktiva", int(active.sum()), np.nan),
        ("nya", int(new.sum()), np.nan),
        ("avslutade", n_closed, np.nan),
        ("andel_arbete_studier", work, n_closed),
        ("offentlig_fore", int((closed["forsorjningsgrupp_fore"] == "offentlig").sum()), n_closed),
        ("offentlig_efter", int((closed["forsorjningsgrupp_efter"] == "offentlig").sum()), n_closed),
        ("egen_efter", int((closed["egen_forsorjning_efter"] == "ja").sum()), known),
    ]
    df = pd.DataFrame(rows, columns=["nyckel", "antal", "bas"])
    df["andel"] = np.where(df["bas"] > 0, df["antal"] / df["bas"].where(df["bas"] > 0), np.nan)
    counts = df["bas"].isna()
    small = lambda s: (s > 0) & (s < min_n)  # noqa: E731
    sup = np.where(counts, small(df["antal"]), small(df["antal"]) | small(df["bas"]) | small(df["bas"] - df["antal"]))
    df["undertryckt"] = sup.astype(bool)
    df.loc[df["undertryckt"], ["antal", "andel"]] = np.nan
    df.loc[df["undertryckt"] & ~counts & small(df["bas"]), "bas"] = np.nan
    df["matt"] = [t(f"dashboards.nyckeltal.{k}", lang) for k in df["nyckel"]]
    df["visning"] = [
        "–" if s else (disclosure.format_number(a, lang, 0) if c else _fmt_share(p, lang))
        for s, c, a, p in zip(df["undertryckt"], counts, df["antal"], df["andel"])
    ]
    return df[["nyckel", "matt", "antal", "bas", "andel", "undertryckt", "visning"]]


def exit_table(data: DashboardData, f: Filters, min_n: int = 5, lang: str = "sv",
               level: str = "avslutskategori") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exits in the period per category: the raw suppressed summary and its board view.

    Uses :func:`evaluation.flows.exit_summary` (suppression with ``min_n``) and
    :func:`evaluation.flows.board_table`.

    Returns
    -------
    (DataFrame, DataFrame)
        The summary (columns of ``exit_summary``) and the labelled string table.

    Examples
    --------
    >>> exit_table  # doctest: +ELLIPSIS
    <function exit_table at ...>
    """
    check_choice(level, ["avslutskategori", "sus_kategori", "avslutsorsak"], "nivå")
    start, end = period_bounds(data, f.period)
    ep = select(data.episodes, f)
    summ = flows.exit_summary(ep, data.reference_date, start, end, level=level, min_n=min_n)
    view = flows.board_table(summ[["kategori", "n", "andel", "bekraftad", "obekraftad", "undertryckt"]], lang=lang)
    return summ, view


def forsorjning_table(data: DashboardData, f: Filters, min_n: int = 5, lang: str = "sv") -> pd.DataFrame:
    """Försörjningsgrupp before → after for episodes ended in the period (persons), suppressed.

    :func:`evaluation.flows.forsorjning_transitions` with ``rule="grupp"`` and
    :func:`evaluation.flows.transition_table` (primary and secondary suppression with totals).

    Examples
    --------
    >>> forsorjning_table  # doctest: +ELLIPSIS
    <function forsorjning_table at ...>
    """
    start, end = period_bounds(data, f.period)
    ep = select(data.episodes, f)
    tr = flows.forsorjning_transitions(ep, data.reference_date, start, end, rule="grupp")
    if tr.empty:
        return pd.DataFrame({t("dashboards.ingen_data", lang): []})
    return flows.transition_table(tr, lang=lang, min_n=min_n)


def kasam_change(data: DashboardData, f: Filters, min_n: int = 5) -> pd.DataFrame:
    """KASAM (SOC) total before → after for participants, with the 95 % CI of the change.

    Participants matching förbund/insats/kön; the period selects the *after* answers dated in it
    (``"alla"``: all). Design (paired/unpaired) by :func:`evaluation.compare.design_of`, test by
    :func:`evaluation.compare.before_after` (paired t / Welch). Suppressed (every value NaN,
    ``undertryckt`` True) when the number of pairs (paired) or the smaller wave (unpaired) is
    below ``min_n``.

    Returns
    -------
    DataFrame
        One row: ``design, n, mean_before, mean_after, mean_diff, ci_low, ci_high, p, undertryckt``.

    Examples
    --------
    >>> kasam_change  # doctest: +ELLIPSIS
    <function kasam_change at ...>
    """
    from . import compare, kasam

    cols = ["design", "n", "mean_before", "mean_after", "mean_diff", "ci_low", "ci_high", "p"]
    sc = select(data.kasam_scores, f)
    fore, efter = kasam.split_waves(sc, "tidpunkt", "fore", "efter")
    if f.period != PERIOD_ALL and len(efter):
        start, end = period_bounds(data, f.period)
        d = pd.to_datetime(efter["datum"])
        efter = efter.loc[(d >= start) & (d <= end)]
        fore = fore.loc[fore["respondent_id"].isin(efter["respondent_id"])] if len(fore) else fore
    empty = pd.DataFrame([{**{c: np.nan for c in cols}, "design": "", "n": 0, "undertryckt": False}])
    if fore["total"].notna().sum() < 2 or efter["total"].notna().sum() < 2:
        out = empty
        out["undertryckt"] = bool(0 < min(fore["total"].notna().sum(), efter["total"].notna().sum()) < min_n) \
            or bool(0 < max(fore["total"].notna().sum(), efter["total"].notna().sum()) < min_n)
        return out
    design = compare.design_of(fore, efter)
    res = compare.before_after(fore, efter, paired=design.paired)
    row = {c: res.iloc[0].get(c, np.nan) for c in cols}
    row["design"] = design.name
    if not design.paired:
        row["n"] = int(min(res.iloc[0].get("n_before", np.nan), res.iloc[0].get("n_after", np.nan)))
    row["undertryckt"] = bool(row["n"] < min_n)
    if row["undertryckt"]:
        row.update({c: np.nan for c in cols if c not in ("design",)})
    return pd.DataFrame([row])


def nns_targets(data: DashboardData, f: Filters, min_n: int = 5, lang: str = "sv") -> pd.DataFrame:
    """NNS indicators against the målnivåer of the selected förbund, latest wave in the period.

    :func:`evaluation.indicators.attainment` on the survey rows matching förbund/insats/kön (kön
    and insats as recorded on the questionnaire); the wave is the latest NNS wave (``2025H2`` …)
    whose year lies in the period. Items below ``min_n`` answers get status *Saknar data* and their
    ``n`` and ``varde`` are blanked (``undertryckt`` True).

    Returns
    -------
    DataFrame
        ``forbund, indikator, item, respondentgrupp, matt, niva, n, varde, status, status_text``
        plus ``vag``; empty when no targets or no answers.

    Examples
    --------
    >>> nns_targets  # doctest: +ELLIPSIS
    <function nns_targets at ...>
    """
    from . import indicators as ind

    if data.nns.empty or data.targets.empty:
        return pd.DataFrame(columns=["forbund", "indikator", "item", "respondentgrupp", "matt", "niva", "n",
                                     "varde", "status", "status_text", "vag"])
    sv = select(data.nns, f)
    waves = sorted(str(v) for v in data.nns["vag"].dropna().unique())
    if f.period != PERIOD_ALL:
        waves = [w for w in waves if w.startswith(f.period)]
    mal = data.targets if f.forbund == ALL else data.targets[data.targets["forbund"] == f.forbund]
    if not waves or sv.empty or mal.empty:
        return pd.DataFrame(columns=["forbund", "indikator", "item", "respondentgrupp", "matt", "niva", "n",
                                     "varde", "status", "status_text", "vag"])
    att = ind.attainment(sv, mal, vag=waves[-1], min_n=min_n, lang=lang)
    att = att[att["indikator"].astype(str) != "11"].reset_index(drop=True)
    small = (att["n"] > 0) & (att["n"] < min_n)
    att["n"] = att["n"].astype(float).mask(small)
    att["varde"] = att["varde"].astype(float).mask(small)
    att["undertryckt"] = small
    return att


def cost_benefit(data: DashboardData, scenario: str = "bas", lang: str = "sv"):
    """Cost-benefit per actor of a scenario: board table with NPV, BCR and payback month, caveats.

    :func:`evaluation.costbenefit.evaluate` of the scenario file ``scenarier/<scenario>.yaml``
    (allowlisted among the files found), amounts in SEK of the scenario's price year.

    Returns
    -------
    (DataFrame, list of str, CostBenefitResult or None)
        ``Aktör, Nettonuvärde (kr), Nytta/kostnad, Återbetald (månad), Förlorar`` (strings),
        the caveats (:func:`evaluation.costbenefit.caveats`) and the result.

    Examples
    --------
    >>> cost_benefit  # doctest: +ELLIPSIS
    <function cost_benefit at ...>
    """
    from . import costbenefit as cb
    from .vocabulary import label as vlabel

    if not data.scenarios or data.unit_costs.empty:
        return pd.DataFrame(), [t("dashboards.ingen_data", lang)], None
    check_choice(scenario, list(data.scenarios), "scenario")
    res = cb.evaluate(data.scenarios[scenario], data.unit_costs, index=data.price_index, check_transfers="warn")
    a = res.actors
    view = pd.DataFrame({
        t("dashboards.cb.aktor", lang): [vlabel("aktor", x, lang) if x in cb.ACTORS else t(f"costbenefit.{x}", lang)
                                        for x in a["aktor"]],
        t("dashboards.cb.npv", lang): [disclosure.format_number(v, lang, 0) for v in a["npv"]],
        t("dashboards.cb.bcr", lang): ["–" if pd.isna(v) or not np.isfinite(v) else disclosure.format_number(v, lang, 2)
                                       for v in a["bcr"]],
        t("dashboards.cb.payback", lang): [t("dashboards.cb.ej_inom", lang) if pd.isna(v) else str(int(v))
                                           for v in a["aterbetalningsmanad"]],
        t("dashboards.cb.forlorar", lang): [t("flows.kategori.ja", lang) if v else t("flows.kategori.nej", lang)
                                            for v in a["forlorare"]],
    })
    return view, cb.caveats(res, lang), res


TREND_KEYS = {
    "deltagarfloden": ["avslutade_i_perioden", "egen_forsorjning_efter_andel", "offentlig_efter_andel"],
    "kasam_fore_efter": ["diff"],
}


def trends(data: DashboardData, f: Filters) -> pd.DataFrame:
    """Headline results across snapshots for the selected förbund (``forbund`` run parameter).

    Reads :attr:`DashboardData.history` (:func:`evaluation.snapshots.history`) and keeps the
    numeric keys of :data:`TREND_KEYS` of runs whose ``forbund`` parameter equals the filter ("" =
    all förbund). Snapshot results are whole-population headline numbers; insats, kön and period
    filters do not apply to them.

    Returns
    -------
    DataFrame
        ``snapshot, created, notebook, key, value_num`` sorted by time.

    Examples
    --------
    >>> trends  # doctest: +ELLIPSIS
    <function trends at ...>
    """
    h = data.history
    cols = ["snapshot", "created", "notebook", "key", "value_num"]
    if h.empty:
        return pd.DataFrame(columns=cols)
    keep = pd.Series(False, index=h.index)
    for nb, keys in TREND_KEYS.items():
        keep |= (h["notebook"] == nb) & h["key"].isin(keys)
    h = h.loc[keep & (h["forbund"].fillna("") == f.forbund) & h["value_num"].notna(), cols]
    return h.sort_values(["created", "notebook", "key"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# evaluator computations
# --------------------------------------------------------------------------------------------

OUTCOME_MEASURES = ("avslutade", "avslutskategori", "avslut_sus", "forsorjningsgrupp_fore",
                    "forsorjningsgrupp_efter", "forsorjning_fore", "forsorjning_efter",
                    "sysselsattning_fore", "sysselsattning_efter", "omfattning", "egen_forsorjning_efter",
                    "utfallsstatus")


def outcome_table(data: DashboardData, f: Filters, matt: str, min_n: int = 5, lang: str = "sv") -> pd.DataFrame:
    """One measure of the SUS outcome report (:func:`evaluation.flows.outcome_report`) for the period.

    ``matt`` must be one of :data:`OUTCOME_MEASURES`; the table is split by kön (suppressed
    blocks "–") and grouped by förbund and insats.

    Examples
    --------
    >>> outcome_table  # doctest: +ELLIPSIS
    <function outcome_table at ...>
    """
    check_choice(matt, OUTCOME_MEASURES, "mått")
    start, end = period_bounds(data, f.period)
    ep = select(data.episodes, f)
    rep = flows.outcome_report(ep, data.reference_date, start, end, min_n=min_n)
    if rep.empty or not (rep["matt"] == matt).any():
        return pd.DataFrame({t("dashboards.ingen_data", lang): []})
    return flows.format_report(rep, matt, lang).reset_index()


def survey_items(data: DashboardData, f: Filters, respondentgrupp: str, vag: str, tidpunkt: str = ALL,
                 min_n: int = 5) -> pd.DataFrame:
    """NNS item results (n, bortfall, mean, median, share top-2 with CI) for one group and wave.

    :func:`evaluation.indicators.item_results` on the rows matching the filters; groups with fewer
    than ``min_n`` answers are suppressed there. ``respondentgrupp``, ``vag`` and ``tidpunkt``
    are allowlisted from the data.

    Examples
    --------
    >>> survey_items  # doctest: +ELLIPSIS
    <function survey_items at ...>
    """
    from . import indicators as ind

    sv = data.nns
    check_choice(respondentgrupp, sorted(sv["respondentgrupp"].dropna().astype(str).unique()), "respondentgrupp")
    check_choice(vag, sorted(sv["vag"].dropna().astype(str).unique()), "vag")
    check_choice(tidpunkt, [ALL] + sorted(sv["tidpunkt"].dropna().astype(str).unique()), "tidpunkt")
    sv = select(sv, f)
    sv = sv[(sv["respondentgrupp"] == respondentgrupp) & (sv["vag"] == vag)]
    if tidpunkt != ALL:
        sv = sv[sv["tidpunkt"] == tidpunkt]
    if sv.empty:
        return pd.DataFrame(columns=["respondentgrupp", "tidpunkt", "item", "n", "andel_topp2"])
    return ind.item_results(sv, by=("respondentgrupp", "tidpunkt"), min_n=min_n).reset_index(drop=True)


ITEM_COLUMNS = ("respondentgrupp", "tidpunkt", "item", "n", "bortfall", "medel", "median", "andel_topp2",
                "topp2_ki_lag", "topp2_ki_hog", "undertryckt")


def focus_groups(data: DashboardData, f: Filters, level: str = "tema", min_n: int = 5, lang: str = "sv"):
    """Focus-group tallies (board view, suppressed by distinct speakers) and coder agreement.

    :func:`evaluation.coding.tally` + :func:`evaluation.coding.board_table`;
    :func:`evaluation.coding.kappa_per_code` + :func:`evaluation.coding.agreement_table` and
    :func:`evaluation.coding.codebook_alpha` for the first two coders in the data.

    Returns
    -------
    (DataFrame, DataFrame, float)
        Tally table, agreement table and Krippendorff's α (NaN with fewer than two coders).

    Examples
    --------
    >>> focus_groups  # doctest: +ELLIPSIS
    <function focus_groups at ...>
    """
    from . import coding

    check_choice(level, ["tema", "kod"], "nivå")
    seg = select(data.segments, f, columns=("forbund",))
    if seg.empty:
        empty = pd.DataFrame({t("dashboards.ingen_data", lang): []})
        return empty, empty, np.nan
    kb = data.codebook
    tally = coding.tally(seg, kb, level=level, tvarkoder=False)
    board = coding.board_table(tally, kb, min_n=min_n, lang=lang)
    coders = sorted(seg["kodare"].dropna().astype(str).unique())[:2]
    if len(coders) < 2:
        return board, pd.DataFrame({t("dashboards.ingen_data", lang): []}), np.nan
    kappa = coding.kappa_per_code(seg, coders=tuple(coders), codebook=kb, level="kod" if level == "kod" else "tema")
    alpha = coding.codebook_alpha(seg, codebook=kb, coders=tuple(coders))
    return board, coding.agreement_table(kappa, kb, lang=lang), float(alpha)


def data_quality(data: DashboardData, lang: str = "sv") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Import findings: one row per file (:func:`evaluation.io.summary_table`) and all problems.

    Problems (``fil, rad, kolumn, värde, orsak``) are the import reports' ``problems`` (values
    already masked where they look like a personnummer) of every part of every file, file names
    without folders.

    Examples
    --------
    >>> data_quality  # doctest: +ELLIPSIS
    <function data_quality at ...>
    """
    from . import io

    summary = io.summary_table(data.samples, lang=lang)
    summary["fil"] = summary["fil"].map(lambda s: " + ".join(Path(p.strip()).name for p in str(s).split(" + ")))
    frames = []
    for res in data.samples.values():
        rep = res.report
        for part in (rep.parts or [rep]):
            if len(part.problems):
                pr = part.problems.copy()
                pr["file"] = Path(str(part.file)).name
                frames.append(pr)
    cols = ["file", "row", "column", "value", "reason"]
    problems = pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)
    problems = problems.rename(columns={c: t(f"dashboards.problem.{c}", lang) for c in cols})
    return summary, problems


# --------------------------------------------------------------------------------------------
# HTML and figures
# --------------------------------------------------------------------------------------------

def html_table(df: pd.DataFrame, testid: str, index: bool = False) -> str:
    """A DataFrame as an escaped HTML table inside ``<div data-testid=...>`` (NaN shown as "–").

    Examples
    --------
    >>> "<script>" in html_table(pd.DataFrame({"a": ["<script>"]}), "x")
    False
    """
    body = df.to_html(index=index, escape=True, na_rep="–", border=0, classes="dash-table")
    return f'<div class="dash-tablewrap" data-testid="{testid}">{body}</div>'


def key_figures_html(kf: pd.DataFrame) -> str:
    """The nyckeltal as a two-column HTML table whose value cells carry ``data-key``.

    Examples
    --------
    >>> kf = pd.DataFrame({"nyckel": ["nya"], "matt": ["Nya"], "visning": ["12"], "undertryckt": [False]})
    >>> 'data-key="nya"' in key_figures_html(kf)
    True
    """
    import html

    rows = "".join(
        f'<tr><th>{html.escape(str(m))}</th><td class="dash-value{" dash-suppressed" if s else ""}" '
        f'data-key="{html.escape(str(k))}">{html.escape(str(v))}</td></tr>'
        for k, m, v, s in zip(kf["nyckel"], kf["matt"], kf["visning"], kf["undertryckt"]))
    return f'<div data-testid="nyckeltal"><table class="dash-table dash-kf">{rows}</table></div>'


def figure_kasam(kc: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Before and after means of the KASAM total with the change's 95 % CI (error bar on "after").

    Examples
    --------
    >>> kc = pd.DataFrame({"mean_before": [130.0], "mean_after": [136.0], "ci_low": [2.0], "ci_high": [10.0],
    ...                    "mean_diff": [6.0], "undertryckt": [False]})
    >>> len(figure_kasam(kc).data)
    1
    """
    r = kc.iloc[0]
    fig = go.Figure()
    if not r["undertryckt"] and pd.notna(r["mean_before"]):
        fig.add_bar(x=[t("dashboards.kasam.fore", lang), t("dashboards.kasam.efter", lang)],
                    y=[r["mean_before"], r["mean_after"]],
                    error_y=dict(type="data", symmetric=False, array=[0, r["ci_high"] - r["mean_diff"]],
                                 arrayminus=[0, r["mean_diff"] - r["ci_low"]]),
                    marker_color=["#999999", "#0072B2"], name="KASAM")
    else:
        key = "dashboards.undertryckt_figur" if r["undertryckt"] else "dashboards.ingen_data"
        return figure_message(t(key, lang), height=260)
    fig.update_layout(height=260, margin=dict(l=40, r=10, t=30, b=30), showlegend=False,
                      title=t("dashboards.kasam.titel", lang), yaxis_title=t("dashboards.kasam.medel", lang))
    return fig


def figure_message(text: str, height: int = 220) -> go.Figure:
    """An empty figure with a centred message and no axes (e.g. "Undertryckt").

    Examples
    --------
    >>> figure_message("Undertryckt").layout.annotations[0].text
    'Undertryckt'
    """
    fig = go.Figure()
    fig.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10))
    return fig


def figure_trends(tr: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Lines of the headline results across snapshots (one line per result key).

    Examples
    --------
    >>> figure_trends(pd.DataFrame(columns=["created", "key", "value_num", "notebook"])).data
    ()
    """
    fig = go.Figure()
    if tr.empty:
        fig.add_annotation(text=t("dashboards.trender.inga", lang), showarrow=False)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
    for key, g in tr.groupby("key", sort=True):
        fig.add_scatter(x=g["created"], y=g["value_num"], mode="lines+markers",
                        name=t(f"dashboards.trend.{key}", lang))
    fig.update_layout(height=280, margin=dict(l=40, r=10, t=30, b=30), title=t("dashboards.trender.titel", lang))
    return fig


# --------------------------------------------------------------------------------------------
# widget apps (thin re-exports; see evaluation.dashboard_widgets)
# --------------------------------------------------------------------------------------------

def board_app(data: DashboardData | None = None, lang: str = "sv", min_n: int = 5, query: str | None = None):
    """The board dashboard (:func:`evaluation.dashboard_widgets.board_app`)."""
    from . import dashboard_widgets

    return dashboard_widgets.board_app(data, lang=lang, min_n=min_n, query=query)


def evaluator_app(data: DashboardData | None = None, lang: str = "sv", min_n: int = 5):
    """The evaluator dashboard (:func:`evaluation.dashboard_widgets.evaluator_app`)."""
    from . import dashboard_widgets

    return dashboard_widgets.evaluator_app(data, lang=lang, min_n=min_n)


def scenario_app(data: DashboardData | None = None, lang: str = "sv", scenario: str = "bas"):
    """The scenario dashboard (:func:`evaluation.dashboard_widgets.scenario_app`)."""
    from . import dashboard_widgets

    return dashboard_widgets.scenario_app(data, lang=lang, scenario=scenario)


# --------------------------------------------------------------------------------------------
# server
# --------------------------------------------------------------------------------------------

def notebooks_dir() -> Path:
    """``notebooks/dashboards/`` of the repository (the only folder Voilà serves).

    Examples
    --------
    >>> notebooks_dir().name
    'dashboards'
    """
    return Path(__file__).resolve().parents[1] / "notebooks" / "dashboards"


def voila_arguments(port: int = 8866, token: str | None = None, timeout: int = 120, pool_size: int = 2,
                    cull_idle_timeout: int = 900, cull_interval: int = 60, base_url: str | None = None,
                    fill_delay: float = 10) -> list[str]:
    """Voilà command-line arguments (without the executable) for serving the dashboards safely.

    ``fill_delay`` (seconds) is how long Voilà waits before refilling the pool of preheated kernels
    after a viewer took one. Refilling runs the whole dashboard in a new kernel; with 0 it competes
    for the CPU with the viewer who just arrived (time to interactive 3.0–3.6 s on 2 cores, against
    2.3–2.7 s with 10; ``BENCHMARKS.md``). The cost: more than ``pool_size`` viewers within
    ``fill_delay`` seconds get a kernel that still has to run the notebook.

    Examples
    --------
    >>> args = voila_arguments(9000)
    >>> "--strip_sources=True" in args and "--Voila.ip=127.0.0.1" in args and "--port=9000" in args
    True
    >>> args[-1]  # no token on 127.0.0.1 unless one is given
    '--token='

    """
    args = [
        str(notebooks_dir()), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={int(port)}",
        "--Voila.port_retries=0",
        "--strip_sources=True", "--show_tracebacks=False",
        f"--VoilaExecutor.timeout={int(timeout)}",
        f"--MappingKernelManager.cull_idle_timeout={int(cull_idle_timeout)}",
        f"--MappingKernelManager.cull_interval={int(cull_interval)}",
        "--VoilaConfiguration.allow_template_override=NO", "--VoilaConfiguration.allow_theme_override=NO",
        "--template=lab", "--theme=light",
    ]
    if pool_size > 0:
        args += ["--preheat_kernel=True", f"--pool_size={int(pool_size)}",
                 f"--VoilaKernelManager.fill_delay={float(fill_delay):g}"]
    if base_url:
        args.append(f"--base_url={base_url}")
    args.append(f"--token={token}" if token else "--token=")
    return args


def server_env(data_dir: str | os.PathLike, snapshots_dir: str | os.PathLike | None = None,
               base: dict | None = None) -> dict[str, str]:
    """Environment for the Voilà server and its kernels: validated data folder, snapshots folder.

    Examples
    --------
    >>> import tempfile
    >>> env = server_env(tempfile.mkdtemp(), base={})
    >>> sorted(k for k in env if k.startswith("EVALUATION_"))
    ['EVALUATION_DATA_DIR', 'EVALUATION_SNAPSHOTS_DIR']
    """
    env = dict(os.environ if base is None else base)
    env[DATA_ENV] = str(resolve_data_dir(data_dir))
    snap = snapshots_dir if snapshots_dir is not None else env.get(SNAPSHOTS_ENV, "snapshots")
    env[SNAPSHOTS_ENV] = str(Path(snap).resolve())
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for tests).

    Examples
    --------
    >>> 1024 < free_port() < 65536
    True
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int = 8866, token: str | None = None, data_dir: str | os.PathLike = "data_samples",
          snapshots_dir: str | os.PathLike | None = None, pool_size: int = 2, timeout: int = 120,
          **popen_kwargs) -> subprocess.Popen:
    """Start Voilà over ``notebooks/dashboards/`` in a subprocess (see module docstring).

    Returns
    -------
    subprocess.Popen
        Stop it with ``proc.terminate()``; :func:`wait_until_ready` waits for the HTTP port.

    Examples
    --------
    >>> serve  # doctest: +ELLIPSIS
    <function serve at ...>
    """
    cmd = [sys.executable, "-m", "voila", *voila_arguments(port, token, timeout=timeout, pool_size=pool_size)]
    env = server_env(data_dir, snapshots_dir)
    return subprocess.Popen(cmd, env=env, cwd=str(notebooks_dir()), **popen_kwargs)


def wait_until_ready(port: int, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    """Block until something answers on ``127.0.0.1:port`` (raise :class:`DashboardError` after ``timeout``).

    Examples
    --------
    >>> wait_until_ready  # doctest: +ELLIPSIS
    <function wait_until_ready at ...>
    """
    import urllib.request

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise DashboardError(f"Voilà avslutades med kod {proc.returncode} innan den svarade.")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers (e.g. 403 without a token)
        except OSError:
            time.sleep(0.25)
    raise DashboardError(f"Voilà svarade inte på port {port} inom {timeout:.0f} s.")


def cli(args) -> int:
    """``evaluation dashboard [--port] [--token] [--data]``: serve until Ctrl-C.

    Examples
    --------
    >>> cli  # doctest: +ELLIPSIS
    <function cli at ...>
    """
    try:
        data_dir = resolve_data_dir(args.data)
    except DashboardError as e:
        print(e, file=sys.stderr)
        return 2
    print(f"Instrumentpaneler: http://127.0.0.1:{args.port}/"
          + (f"?token={args.token}" if args.token else "") + f"  (data: {data_dir}; avsluta med Ctrl-C)")
    proc = serve(args.port, args.token, data_dir)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            return proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            return 1
    finally:
        if proc.poll() is None:
            proc.terminate()

