"""Goal tracker: project goals followed from indicator to target (DOMAIN.md §8; seed 004, Table G1).

A goal file (YAML, ``data_samples/mal/*.yaml``) lists the project's goals. Each goal is linked to one
or more **indicators computed by the workbench** (a flow measure, a KASAM scale, an NNS item, a
cost-benefit result) or to **reported figures** (aggregate tables with provenance, as in Vägen ut),
with a baseline, a follow-up, a target and a direction. The tracker computes the values with the
analysis modules' own functions, gives every indicator and goal a status and flags two things
evaluators must not miss:

* **conflict** (``konflikt``): the project's qualitative claim ("har vi uppnått målet") meets a
  quantitative indicator that went the other way. Vägen ut goal 2 was declared reached from focus
  groups, while the KASAM measurement chosen to check it fell from 145 to 125 (subscales 127).
* **missing breakdown** (``uppdelning_saknas``): the goal promises a breakdown ("för alla
  kategorier", "för både kvinnor och män") that no indicator delivers (Vägen ut goal 1).

Goal file format
----------------
::

    projekt: "Team Work och Steget vidare"
    forbund: Norrdal                 # filters every computed indicator (empty: all)
    kalla: "Verksamhetsplan 2025"     # where the goals are written down
    mal:
      - id: M1
        text: "Minst 35 % av de avslutade har egen försörjning efter avslut, för både kvinnor och män."
        pastatt_status: uppnatt       # optional: the project's own (qualitative) verdict
        pastatt_underlag: "fokusgrupper"
        uppdelning: [kon]             # optional: promised breakdown (a column of the data)
        indikatorer:                  # or a single `indikator:` mapping
          - kalla: flows              # flows | kasam | nns | kostnadsnytta | rapporterat | kvalitativ
            matt: egen_forsorjning_efter_andel
            namn: "Andel med egen försörjning efter avslut"   # optional label
            baslinje: {period: ["2024-01-01", "2024-12-31"]}   # or {varde: 0.3, proveniens: verbatim, kalla: ...}
            uppfoljning: {period: ["2025-01-01", "2025-12-31"]}
            malniva: 0.35             # optional target level
            riktning: minst           # minst | hogst | oka | minska

Indicator sources (``kalla``) and their parameters
    ``flows``
        ``matt``: a numeric key of :func:`evaluation.flows.headline` (e.g.
        ``egen_forsorjning_efter_andel``, ``handlingsplan_i_tid_andel``, ``tid_median_manader``);
        optional ``insats``; ``baslinje``/``uppfoljning`` ``{period: [start, end]}`` (exit dates).
        n = episodes closed in the period (``aterkomst_kohort`` for ``aterkomst_andel``).
    ``kasam``
        ``grupp``: ``deltagare`` (waves ``fore``/``efter`` of ``tidpunkt``) or ``personal`` (first
        and last ``vag``, or ``{vag: ...}``); ``skala``: ``total`` or a subscale. Values are the
        means of :func:`evaluation.compare.before_after` (paired when
        :func:`evaluation.compare.design_of` says so) with its 95 % CI of the change.
    ``nns``
        ``item`` (or ``indikator``), ``respondentgrupp``, optional ``tidpunkt``, ``matt``
        (``andel_topp2``, ``medel``, ...), waves ``{vag: ...}`` (default first and last); values
        from :func:`evaluation.indicators.item_results` (``indicator_results`` for ``indikator``),
        suppressed below ``min_n``.
    ``kostnadsnytta``
        ``matt``: a key of :func:`evaluation.costbenefit.headline` (``bcr``, ``npv_total``,
        ``break_even_andel``, ``payback_month``; ``npv_per_aktor.<aktör>``); follow-up only.
    ``rapporterat``
        ``matt``, ``kategori`` (default ``summa``), optional ``tabell``/``kalla_dokument``; periods
        ``{period: "2011-10"}``; value and provenance from the reported table (schema
        ``REPORTED``). ``kategori: summa_delskalor`` with a KASAM ``matt`` gives the sum of the
        reported subscales (:func:`evaluation.kasam.reported_summary`).
    ``kvalitativ``
        ``beskrivning``: qualitative evidence (focus groups, questionnaires). It carries the
        project's claim but is not a measurement and never decides a status.

Status rules (chosen here and pinned by ``tests/test_goals.py``)
----------------------------------------------------------------
Indicator:
    * ``ej_matbart`` when the follow-up value is missing (no data, suppressed below ``min_n``), or
      the baseline is missing for an ``oka``/``minska`` indicator without a target.
    * With a target (``malniva``): ``minst``/``oka`` reached when follow-up ≥ target, ``hogst``/
      ``minska`` when follow-up ≤ target.
    * Without a target (``oka``/``minska``): reached when the change has the wanted sign and, if the
      source gives a confidence interval of the change, the interval excludes 0 (otherwise the
      change is "not statistically supported" and the indicator is not reached). Aggregate-only
      figures (no N, no SD) are judged on the sign alone; no test is possible (DOMAIN.md §5).
    * With a breakdown: the status per category as above; the indicator is reached when every
      measurable category is, not reached when none is, mixed otherwise. Categories below
      ``min_n`` are suppressed and left out of the verdict (noted in ``anmarkning``).
Goal:
    From its quantitative indicators (``kvalitativ`` ones never count): none measurable →
    ``ej_matbart``; all measurable reached → ``uppnatt``; none reached → ``ej_uppnatt``; otherwise
    ``delvis``. A goal whose promised breakdown is missing cannot be confirmed as reached: an
    ``uppnatt`` becomes ``ej_matbart`` (other verdicts stand) and ``uppdelning_saknas`` is set.
Units:
    A goal may name its unit (``enhet: bidragsmanader``) and an indicator its own (``enhet: personer``).
    When both are given and differ, the indicator gets ``ej_jamforbart`` instead of a status and does
    not count for the goal (Vägen ut: "personer med försörjningsstöd" does not measure a goal about
    bidragsmånader, nor does a mean duration, DOMAIN.md §10). Units are labelled via
    ``goals.enhet.<code>``.
Warnings:
    A baseline and a follow-up in different months of the year (``YYYY-MM`` periods) get a note in
    ``anmarkning`` (seasonal caseloads; :func:`evaluation.reported.month_warning`).
Conflict:
    ``konflikt`` is true when the claimed status is ``uppnatt`` and a quantitative indicator is not
    reached (it went the other way, missed its target, or its change is not statistically
    supported), or when the claim is ``ej_uppnatt`` and the computed status is ``uppnatt``. An
    indicator that fell but still meets its target is no conflict (``fel_riktning`` shows the fall).

Headline results (:func:`headline`, saved by ``notebooks/slutrapport.ipynb`` under ``mal``)
------------------------------------------------------------------------------------------
``antal``, ``per_status`` ({status: count}), ``status`` ({goal id: status}), ``konflikter`` (goal
ids), ``uppdelning_saknas`` (goal ids).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from . import flows as _flows
from . import reported
from .labels import t
from .errors import EvaluationError

__all__ = [
    "GoalError",
    "STATUSES",
    "DIRECTIONS",
    "SOURCES",
    "Underlag",
    "GoalReport",
    "load_goals",
    "parse_goals",
    "indicator_status",
    "combine_statuses",
    "resolve",
    "track",
    "status_label",
    "board_table",
    "indicator_table",
    "headline",
]

#: Status codes (Swedish labels: uppnått / ej uppnått / delvis / ej mätbart).
STATUSES = ("uppnatt", "ej_uppnatt", "delvis", "ej_matbart")
#: Directions: target level from below / above, or a change up / down from the baseline.
DIRECTIONS = ("minst", "hogst", "oka", "minska")
#: Indicator sources.
SOURCES = ("flows", "kasam", "nns", "kostnadsnytta", "rapporterat", "kvalitativ")
_UP = {"minst", "oka"}


class GoalError(EvaluationError, ValueError):
    """A goal file or an indicator specification is invalid; the message names the goal and the fix."""


@dataclass
class Underlag:
    """The data the indicators are computed from (everything optional; missing → not measurable).

    Attributes
    ----------
    episodes, events : DataFrame
        Episodes (schema ``EPISODES``, all förbund) and journey events.
    kasam_deltagare, kasam_personal : DataFrame
        *Scored* KASAM (:func:`evaluation.kasam.score`) of participants (``tidpunkt`` fore/efter) and
        staff (``vag``).
    nns : DataFrame
        NNS answers (schema ``SURVEY``).
    kostnadsnytta : CostBenefitResult
        A result of :func:`evaluation.costbenefit.evaluate`.
    rapporterat : DataFrame
        Reported aggregate tables (schema ``REPORTED``), concatenated.
    reference_date : str
        Extract date (flows: open episodes censored, waiting periods judged).
    forbund : str
        Förbund to filter on ('' = all).
    scale_max : int
        Highest NNS scale step.
    tabeller : evaluation.tableset.TableSet, optional
        The protected table set (:mod:`evaluation.tableset`). When given, every participant count
        and share of a ``flows`` indicator and the participant KASAM means are read from its
        published cells (a value whose cell is suppressed is not measurable); see
        :func:`resolve`. Without it (an evaluator's own analysis) the values are computed from
        the microdata, suppressed below ``min_n`` only.
    data_dir : str
        The data folder read (empty for data made in memory): in a snapshot over several data
        folders, it names which of the snapshot's protected NNS tables the goals read
        (:func:`evaluation.surveytables.current`).

    Examples
    --------
    >>> Underlag(forbund="Norrdal").forbund
    'Norrdal'
    """

    episodes: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    kasam_deltagare: pd.DataFrame | None = None
    kasam_personal: pd.DataFrame | None = None
    nns: pd.DataFrame | None = None
    kostnadsnytta: Any = None
    rapporterat: pd.DataFrame | None = None
    reference_date: str = "2026-01-15"
    forbund: str = ""
    scale_max: int = 6
    tabeller: Any = None
    data_dir: str = ""


@dataclass
class GoalReport:
    """Result of :func:`track`.

    Attributes
    ----------
    mal : DataFrame
        One row per goal: ``id, text, status, pastatt_status, pastatt_underlag, konflikt,
        uppdelning, uppdelning_saknas, motivering``.
    indikatorer : DataFrame
        One row per goal × indicator: ``mal_id, nr, namn, kalla, baslinje, uppfoljning, forandring,
        malniva, riktning, n_baslinje, n_uppfoljning, ki_lag, ki_hog, status (one of
        :data:`STATUSES` or ``ej_jamforbart``), fel_riktning, proveniens, anmarkning``.
    kategorier : DataFrame
        Per category of a promised breakdown: ``mal_id, nr, uppdelning, kategori, baslinje,
        uppfoljning, n_baslinje, n_uppfoljning, status``.
    meta : dict
        ``projekt``, ``forbund``, ``kalla`` of the goal file.
    """

    mal: pd.DataFrame
    indikatorer: pd.DataFrame
    kategorier: pd.DataFrame
    meta: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------
# reading


def parse_goals(spec: dict, source: str = "<dict>") -> dict:
    """Validate a goal specification (the parsed YAML) and normalise it.

    Every goal gets a list ``indikatorer``; every indicator a ``riktning`` and its points as dicts.

    Raises
    ------
    GoalError
        Unknown source or direction, a ``minst``/``hogst`` indicator without ``malniva``, a
        duplicated goal id, or no goals.

    Examples
    --------
    >>> g = parse_goals({"mal": [{"id": "M1", "text": "Öka KASAM", "indikator":
    ...     {"kalla": "kasam", "grupp": "deltagare", "riktning": "oka"}}]})
    >>> g["mal"][0]["indikatorer"][0]["skala"]
    'total'
    """
    if not isinstance(spec, dict) or not spec.get("mal"):
        raise GoalError(f"{source}: no goals; write a list under the key `mal:`")
    out = {k: v for k, v in spec.items() if k != "mal"}
    out.setdefault("forbund", "")
    goals, seen = [], set()
    for i, g in enumerate(spec["mal"], start=1):
        gid = str(g.get("id", f"M{i}"))
        if gid in seen:
            raise GoalError(f"{source}: goal id {gid!r} is used twice; give every goal its own id")
        seen.add(gid)
        inds = g.get("indikatorer")
        if inds is None:
            inds = [g["indikator"]] if g.get("indikator") else []
        norm = []
        for j, ind in enumerate(inds, start=1):
            ind = dict(ind)
            kalla = ind.get("kalla")
            if kalla not in SOURCES:
                raise GoalError(f"{source}: goal {gid}, indicator {j}: kalla {kalla!r} unknown; use one of {SOURCES}")
            if kalla != "kvalitativ":
                riktning = ind.setdefault("riktning", "oka")
                if riktning not in DIRECTIONS:
                    raise GoalError(f"{source}: goal {gid}, indicator {j}: riktning {riktning!r}; use one of {DIRECTIONS}")
                if riktning in ("minst", "hogst") and ind.get("malniva") is None:
                    raise GoalError(f"{source}: goal {gid}, indicator {j}: riktning {riktning!r} needs a `malniva`")
                if kalla in ("flows", "kostnadsnytta", "rapporterat") and not ind.get("matt"):
                    raise GoalError(f"{source}: goal {gid}, indicator {j}: kalla {kalla} needs `matt`")
            if kalla == "kasam":
                ind.setdefault("grupp", "deltagare")
                ind.setdefault("skala", "total")
            if kalla == "nns":
                ind.setdefault("matt", "andel_topp2")
                if not ind.get("item") and ind.get("indikator") is None:
                    raise GoalError(f"{source}: goal {gid}, indicator {j}: nns needs `item` or `indikator`")
            for point in ("baslinje", "uppfoljning"):
                p = ind.get(point)
                if p is not None and not isinstance(p, dict):
                    ind[point] = {"varde": p}
            norm.append(ind)
        claim = g.get("pastatt_status")
        if claim is not None and claim not in STATUSES:
            raise GoalError(f"{source}: goal {gid}: pastatt_status {claim!r}; use one of {STATUSES}")
        upp = g.get("uppdelning") or []
        goals.append({**g, "id": gid, "indikatorer": norm,
                      "uppdelning": [upp] if isinstance(upp, str) else list(upp)})
    out["mal"] = goals
    return out


def load_goals(path: str | Path) -> dict:
    """Read and validate a goal file (YAML, see the module docstring).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.yaml"
    >>> _ = p.write_text("mal:\\n  - id: A\\n    text: x\\n    indikator: {kalla: kvalitativ}\\n", encoding="utf-8")
    >>> load_goals(p)["mal"][0]["id"]
    'A'
    """
    p = Path(path)
    if not p.exists():
        raise GoalError(f"goal file {p} not found; give the path of a YAML file like data_samples/mal/norrdal.yaml")
    with p.open(encoding="utf-8") as fh:
        return parse_goals(yaml.safe_load(fh), source=str(p))


# ----------------------------------------------------------------------------------------------
# status rules


def _num(x) -> float | None:
    if x is None or x is pd.NA:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def indicator_status(baslinje, uppfoljning, riktning: str, malniva=None, ki: tuple | None = None) -> str:
    """Status of one indicator value pair (rules in the module docstring).

    Parameters
    ----------
    baslinje, uppfoljning : float or None
        Baseline and follow-up values (None/NaN = missing).
    riktning : {"minst", "hogst", "oka", "minska"}
    malniva : float, optional
        Target level for the follow-up.
    ki : (low, high), optional
        Confidence interval of the change (follow-up − baseline), when the source has one.

    Examples
    --------
    >>> indicator_status(0.30, 0.36, "minst", 0.35)
    'uppnatt'
    >>> indicator_status(145, 125, "oka")       # Vägen ut KASAM, aggregate only
    'ej_uppnatt'
    >>> indicator_status(132.2, 137.4, "oka", ki=(-0.8, 9.1))   # CI includes 0
    'ej_uppnatt'
    >>> indicator_status(None, None, "minska")
    'ej_matbart'
    """
    b, f, m = _num(baslinje), _num(uppfoljning), _num(malniva)
    if f is None:
        return "ej_matbart"
    if m is not None:
        return "uppnatt" if (f >= m if riktning in _UP else f <= m) else "ej_uppnatt"
    if b is None:
        return "ej_matbart"
    diff = f - b
    right = diff > 0 if riktning in _UP else diff < 0
    if not right:
        return "ej_uppnatt"
    if ki is not None and _num(ki[0]) is not None and _num(ki[1]) is not None:
        lo, hi = float(ki[0]), float(ki[1])
        if lo <= 0 <= hi:
            return "ej_uppnatt"
    return "uppnatt"


def combine_statuses(statuses) -> str:
    """Combine statuses (of indicators or of categories) into one.

    Not measurable ones are left out; none left → ``ej_matbart``; all reached → ``uppnatt``; none
    reached → ``ej_uppnatt``; otherwise ``delvis``.

    Examples
    --------
    >>> combine_statuses(["uppnatt", "ej_uppnatt", "uppnatt"])
    'delvis'
    >>> combine_statuses(["uppnatt", "ej_matbart"])
    'uppnatt'
    >>> combine_statuses([])
    'ej_matbart'
    """
    s = [x for x in statuses if x != "ej_matbart"]
    if not s:
        return "ej_matbart"
    if all(x == "uppnatt" for x in s):
        return "uppnatt"
    if all(x == "ej_uppnatt" for x in s):
        return "ej_uppnatt"
    return "delvis"


def _wrong_way(b, f, riktning) -> bool:
    b, f = _num(b), _num(f)
    if b is None or f is None:
        return False
    return (f < b) if riktning in _UP else (f > b)


# ----------------------------------------------------------------------------------------------
# resolvers: each returns {"baslinje": (value, n), "uppfoljning": (value, n), "ki": (lo, hi) | None,
#   "kategorier": DataFrame(kategori, baslinje, uppfoljning, n_baslinje, n_uppfoljning, ki_lag, ki_hog) | None,
#   "proveniens": str, "anmarkning": str, "skyddad": bool (values from a protected table set, where a hidden
#   category may be small or hidden to protect another: secondary suppression)}


def _period(point: dict | None, key: str = "period"):
    if not point or point.get(key) is None:
        return None
    p = point[key]
    return tuple(p) if isinstance(p, (list, tuple)) else p


def _by_forbund(df: pd.DataFrame | None, forbund: str) -> pd.DataFrame | None:
    if df is None or not forbund or "forbund" not in df:
        return df
    wanted = [f.strip() for f in forbund.split(",") if f.strip()]
    return df[df["forbund"].isin(wanted)]


#: ``flows`` measures the goal tracker reads from cells of the protected table set, as
#: ``{headline key: (numerator cells, base cells)}`` with cells ``(matt, kategori)``; a share is Σ
#: numerator / Σ base, a count is Σ numerator (base ``None``). The shares are those of
#: :data:`evaluation.flows.CELL_SHARES` (the one definition; ``egen_forsorjning_efter_andel`` has the
#: base of :func:`evaluation.flows.key_figure_counts`: the avslutade whose support after is known, ja +
#: nej), except ``handlingsplan_i_tid_andel``: a goal's point is a calendar year, so its share is that
#: year's cells (of the första möte), with :data:`evaluation.tableset.PLAN_DEADLINE_DAYS`; without a
#: table set the microdata share over every year (:func:`evaluation.flows.headline`).
CELL_MEASURES: dict[str, tuple[list, list | None]] = {
    **{key: ([(m, d.get("kategori")) for m, d in num], [(m, d.get("kategori")) for m, d in base])
       for key, (num, base) in _flows.CELL_SHARES.items() if key != "handlingsplan_i_tid_andel"},
    "avslutade_i_perioden": ([("avslutade", None)], None),
    "inskrivna_i_perioden": ([("nya", None)], None),
    "aktiva_i_perioden": ([("aktiva", None)], None),
    # episodes whose första möte -> handlingsplan step is judged, by the year of the första möte (35 days)
    "handlingsplan_i_tid_andel": ([("handlingsplan", "i_tid")], [("handlingsplan", None)]),
}


def flows_from_cells(ts, matt: str, dims: dict) -> tuple[float, float] | None:
    """A ``flows`` goal measure from published cells of the protected table set.

    Parameters
    ----------
    ts : evaluation.tableset.TableSet
    matt : str
        A key of :data:`CELL_MEASURES`.
    dims : dict
        The slice: ``forbund``, ``insats``, ``period`` (a year or ``"alla"``; None = not a slice),
        optionally ``kon``.

    Returns
    -------
    (value, n) or None
        The share (fraction 0-1) or count and its n (the ``avslutade`` cell of the slice; for
        ``nya``/``aktiva`` the count itself); NaN where a cell it needs is suppressed (or the base
        is 0). None when ``matt`` is not a cell formula.

    Examples
    --------
    >>> from evaluation import flows, tableset
    >>> ep = flows.classify_exits(pd.DataFrame({"episod_id": [f"e{i}" for i in range(10)],
    ...     "deltagare_id": [f"p{i}" for i in range(10)], "forbund": "A", "insats": "X", "kon": "man",
    ...     "inskrivningsdatum": "2025-01-10", "avslutsdatum": "2025-05-01", "avslutsorsak": "forvarvsarbete",
    ...     "forsorjning_fore": "forsorjningsstod", "forsorjning_efter": ["lon"] * 6 + ["forsorjningsstod"] * 4}),
    ...     "2026-01-15")
    >>> ts = tableset.build(ep, reference_date="2026-01-15")
    >>> flows_from_cells(ts, "offentlig_efter_andel", {"forbund": "A", "period": "2025"})
    (0.4, 10.0)
    >>> flows_from_cells(ts, "egen_forsorjning_efter_andel", {"forbund": "A", "period": "2025"})
    (0.6, 10.0)
    """
    from . import flows

    if matt not in CELL_MEASURES:
        return None

    def total(cells) -> float:
        return float(sum(flows.cell_value(ts, m, **dims, **({"kategori": k} if k else {})) for m, k in cells))

    num_cells, base_cells = CELL_MEASURES[matt]
    num = total(num_cells)
    if base_cells is None:
        return num, num
    base = total(base_cells)
    # n: the people the share is about (the avslutade; for handlingsplan i tid its own base cell)
    n = base if base_cells[0][0] == "handlingsplan" else flows.cell_value(ts, "avslutade", **dims)
    return (num / base if base > 0 else float("nan")), n


def _flows(ind: dict, u: Underlag, min_n: int, categories: list[str]) -> dict:
    from . import flows

    if u.episodes is None:
        return {"anmarkning": "inga episoder i underlaget"}
    ep = flows.prepare_episodes(u.episodes, forbund=u.forbund or None, insats=ind.get("insats") or None)
    ev = u.events
    matt = ind["matt"]
    n_key = "aterkomst_kohort" if matt == "aterkomst_andel" else "avslutade_i_perioden"
    ts = u.tabeller
    hidden: list[str] = []  # why a value is not shown (protected table set)
    points: set = set()  # the points (baslinje / uppfoljning) hidden because a cell is suppressed

    def one(df, point, extra=None, name=None):
        if point is None:
            return None, None
        if "varde" in point:
            return _num(point["varde"]), point.get("n")
        per = _period(point)
        start, end = per if isinstance(per, tuple) else (None, None)
        if ts is not None:  # the board's figures: cells of the protected table set (issue 15)
            dims = {**flows.table_slice(u.forbund, ind.get("insats") or "", start, end), **(extra or {})}
            if dims["period"] is None:
                hidden.append("ej_skiva")
                return None, None
            cells = flows_from_cells(ts, matt, dims)
            if cells is None and matt in flows.CELL_COUNTS:  # e.g. antal_episoder, pagaende: sums of cells
                v = flows.cell_count(ts, matt, dims)
                cells = (v, v)
            if cells is not None:
                v, n = cells
                if pd.isna(v):
                    hidden.append("undertryckt")
                    points.add(name)
                return _num(v), _num(n)
            if matt not in flows.KEY_FIGURE_CELLS:
                hidden.append("ej_skiva")
                return None, None
            if not flows.published(ts, dims, flows.KEY_FIGURE_CELLS[matt]):  # a time or a share of events:
                hidden.append("undertryckt")  # shown only where its group's cells are published
                points.add(name)
                return None, _num(flows.cell_value(ts, "avslutade", **dims))
        kw = {}
        if matt.startswith("aterkomst"):
            kw = {"return_window": tuple(point.get("aterkomst_fonster", (start, end))),
                  "review_date": point.get("uppfoljningsdatum", u.reference_date)}
        h = flows.headline(df, ev, u.reference_date, start, end, **kw)
        if matt not in h:
            raise GoalError(f"flows has no measure {matt!r}; use a key of evaluation.flows.headline")
        n = h.get(n_key)
        v = _num(h[matt])
        if ts is not None:  # its n is the avslutade cell of the slice (published, checked above)
            return v, _num(flows.cell_value(ts, "avslutade", **dims))
        return (v if (n is None or n >= min_n or n == 0) else None), n

    if ts is not None and matt not in CELL_MEASURES and matt not in flows.KEY_FIGURE_CELLS \
            and matt not in flows.headline(ep, None, u.reference_date):
        raise GoalError(f"flows has no measure {matt!r}; use a key of evaluation.flows.headline")
    res = {"baslinje": one(ep, ind.get("baslinje"), name="baslinje"),
           "uppfoljning": one(ep, ind.get("uppfoljning"), name="uppfoljning"),
           "proveniens": "tabell" if ts is not None and matt in CELL_MEASURES else "beraknad",
           "skyddad": ts is not None}
    res["dolda_punkter"] = set(points)
    for col in categories:
        if col not in ep:
            continue
        if ts is not None and col not in ("kon", "insats"):
            hidden.append("ej_skiva")  # not a dimension of the table set: no breakdown on the board
            continue
        rows = []
        for cat, sub in ep.groupby(col, observed=True):
            extra = {col: str(cat)} if ts is not None else None
            seen = len(hidden)
            (b, nb), (f, nf) = one(sub, ind.get("baslinje"), extra), one(sub, ind.get("uppfoljning"), extra)
            if ts is not None and "undertryckt" not in hidden[seen:] \
                    and all(x == 0 for x in (nb, nf) if x is not None) and (nb, nf) != (None, None):
                continue  # nobody in the group in either period (published zeros): not a category here
                # (a group of 0 then and hidden now is a hidden category, listed as such)
            rows.append({"uppdelning": col, "kategori": str(cat), "baslinje": b, "uppfoljning": f,
                         "n_baslinje": nb, "n_uppfoljning": nf})
        res["kategorier"] = pd.DataFrame(rows)
    if hidden:
        res["dolt"] = sorted(set(hidden))
    return res


def _kasam(ind: dict, u: Underlag, min_n: int, categories: list[str]) -> dict:
    from . import compare, kasam

    grupp, skala = ind["grupp"], ind["skala"]
    scored = u.kasam_deltagare if grupp == "deltagare" else u.kasam_personal
    if scored is None or scored.empty:
        return {"anmarkning": f"ingen KASAM-mätning för {grupp} i underlaget"}
    col = "tidpunkt" if grupp == "deltagare" else "vag"
    ch = kasam.change(scored, grupp, before=(ind.get("baslinje") or {}).get(col),
                      after=(ind.get("uppfoljning") or {}).get(col), forbund=u.forbund, scale=skala)
    before, after, design, r = ch.before, ch.after, ch.design, ch.result.iloc[0]
    n = int(r["n"])
    ok = n >= min_n
    nb = n if design.paired else int(before[skala].notna().sum())
    na = n if design.paired else int(after[skala].notna().sum())
    res = {"baslinje": (_num(r["mean_before"]) if ok else None, nb),
           "uppfoljning": (_num(r["mean_after"]) if ok else None, na),
           "ki": (r["ci_low"], r["ci_high"]) if ok else None, "proveniens": "beraknad",
           "anmarkning": design.reason}
    if grupp == "deltagare" and u.tabeller is not None:
        return _kasam_cells(ind, u, res, design, categories)
    for c in categories:
        if c not in before:
            continue
        sub = compare.before_after_by(before, after, by=c, paired=design.paired, value_col=skala, min_n=min_n)
        res["kategorier"] = pd.DataFrame({
            "uppdelning": c, "kategori": sub[c].astype(str), "baslinje": sub["mean_before"],
            "uppfoljning": sub["mean_after"], "n_baslinje": sub["n"], "n_uppfoljning": sub["n"],
            "ki_lag": sub["ci_low"], "ki_hog": sub["ci_high"]})
    return res


def _kasam_cells(ind: dict, u: Underlag, res: dict, design, categories: list[str]) -> dict:
    """Participant KASAM of a goal from the cells of the protected table set.

    :func:`evaluation.kasam.change_from_cells` with the design of :func:`evaluation.kasam.change`:
    paired, the ``kasam`` cell (pairs with a before and an after total, whole period, the goal's
    förbund; per kön for a kön breakdown) gives n, the means and the CI of the change; unpaired,
    the ``kasam_fore`` and ``kasam_efter`` cells give each wave's n and mean and the Welch CI. A
    subscale or other waves are not moments of the table set: their microdata means are shown only
    where the cells of the same group are published. Breakdowns other than kön are not slices of
    the table set and are left out.
    """
    from . import flows, kasam, tableset

    ts = u.tabeller
    skiva = flows.table_slice(u.forbund, "", None, None)
    default_waves = not (ind.get("baslinje") or {}).get("tidpunkt") and not (ind.get("uppfoljning") or {}).get("tidpunkt")
    moments = ind["skala"] == "total" and default_waves
    hidden: list[str] = []

    def read(extra: dict, fallback: tuple) -> tuple:
        r = kasam.change_from_cells(ts, forbund=skiva["forbund"], period=skiva["period"], paired=design.paired,
                                    **extra)
        if r["undertryckt"]:
            hidden.append("undertryckt")
            return None, None, np.nan, np.nan, None
        if not r["n"] > 0:
            return None, None, 0.0, 0.0, None
        nb, na = (r["n"], r["n"]) if design.paired else (r["n_before"], r["n_after"])
        if not moments:  # gated by its group's count cells
            b, f, ki = fallback
            return b, f, nb, na, ki
        return r["mean_before"], r["mean_after"], nb, na, (r["ci_low"], r["ci_high"])

    b, f, nb, na, ki = read({}, (res["baslinje"][0], res["uppfoljning"][0], res.get("ki")))
    out = {"dolda_punkter": {"baslinje", "uppfoljning"} if hidden else set(), "baslinje": (_num(b), _num(nb)),
           "uppfoljning": (_num(f), _num(na)), "ki": ki,
           "proveniens": "tabell" if moments else "beraknad",
           "anmarkning": kasam.design_text(design, ts, skiva["forbund"]) if default_waves else res.get("anmarkning", ""),
           "skyddad": True}
    for c in categories:
        if c != "kon":
            hidden.append("ej_skiva")
            continue
        rows = []
        waves = ["kasam"] if design.paired else ["kasam_fore", "kasam_efter"]
        for k in dict.fromkeys(v for w in waves for v in flows._domain(ts, w, "kon")):
            if k == tableset.MISSING:  # answers without kön: not a category of the breakdown
                continue
            before_after = (None, None, None)
            if not moments and "kon" in u.kasam_deltagare:
                try:
                    sub = kasam.change(u.kasam_deltagare[u.kasam_deltagare["kon"].astype(str) == k], "deltagare",
                                       forbund=u.forbund, scale=ind["skala"]).result.iloc[0]
                    before_after = (sub["mean_before"], sub["mean_after"], (sub["ci_low"], sub["ci_high"]))
                except EvaluationError:  # no answers of this kön: nothing to show
                    pass
            kb, kf, knb, kna, kki = read({"kon": k}, before_after)
            if knb == 0 and kna == 0:
                continue
            rows.append({"uppdelning": c, "kategori": k, "baslinje": _num(kb), "uppfoljning": _num(kf),
                         "n_baslinje": _num(knb), "n_uppfoljning": _num(kna),
                         "ki_lag": _num(kki[0]) if kki else None, "ki_hog": _num(kki[1]) if kki else None})
        out["kategorier"] = pd.DataFrame(rows)
    if hidden:
        out["dolt"] = sorted(set(hidden))
    return out


def _nns(ind: dict, u: Underlag, min_n: int, categories: list[str]) -> dict:
    from . import indicators

    survey = _by_forbund(u.nns, u.forbund)
    if survey is None or survey.empty:
        return {"anmarkning": "inga NNS-enkätsvar i underlaget"}
    matt = ind["matt"]
    waves = sorted(survey["vag"].dropna().unique())
    from . import surveytables

    # in a snapshot run: the snapshot's protected NNS table (values only from its published cells)
    nns_ts = surveytables.current("nns", u.data_dir or None)
    nns_ts = nns_ts if nns_ts is not None and int(nns_ts.min_n) == int(min_n) else None

    def table(df, by, cells=True):
        tab = nns_ts if cells else None
        if tab is not None:  # the förbund's cells (the total over förbund when the goal covers all)
            by = tuple(by) + (("forbund",) if u.forbund else ())
        if ind.get("item"):
            r = indicators.item_results(df, by=by, scale_max=u.scale_max, min_n=min_n, tabeller=tab)
            r = r[r["item"].astype(str) == str(ind["item"])]
        else:
            r = indicators.indicator_results(df, by=by, scale_max=u.scale_max, min_n=min_n, tabeller=tab)
            r = r[r["indikator"].astype(str) == str(ind["indikator"])]
        if ind.get("respondentgrupp"):
            r = r[r["respondentgrupp"] == ind["respondentgrupp"]]
        if ind.get("tidpunkt"):
            r = r[r["tidpunkt"] == ind["tidpunkt"]]
        return r

    def pick(r, point, default_wave):
        if point and "varde" in point:
            return _num(point["varde"]), point.get("n")
        wave = (point or {}).get("vag", default_wave)
        x = r[r["vag"] == wave]
        if len(x) != 1:
            return None, None
        return _num(x[matt].iloc[0]), _num(x["n"].iloc[0])

    by = ("respondentgrupp", "tidpunkt", "vag")
    r = table(survey, by)
    res = {"baslinje": pick(r, ind.get("baslinje"), waves[0]) if ind.get("baslinje") is not None or
           ind.get("malniva") is None else (None, None),
           "uppfoljning": pick(r, ind.get("uppfoljning"), waves[-1]), "proveniens": "beraknad",
           "skyddad": nns_ts is not None}
    for c in categories:
        if c not in survey:
            continue
        rows = []
        for cat, part in survey.groupby(c, observed=True):
            # kön is a dimension of the NNS table; another split is not, and is suppressed table by table
            sub = table(part, by + ("kon",)) if c == "kon" else table(part, by, cells=False)
            b = pick(sub, ind.get("baslinje"), waves[0]) if ind.get("baslinje") is not None else (None, None)
            f = pick(sub, ind.get("uppfoljning"), waves[-1])
            rows.append({"uppdelning": c, "kategori": str(cat), "baslinje": b[0], "uppfoljning": f[0],
                         "n_baslinje": b[1], "n_uppfoljning": f[1]})
        res["kategorier"] = pd.DataFrame(rows)
    return res


def _kostnadsnytta(ind: dict, u: Underlag, min_n: int, categories: list[str]) -> dict:
    from . import costbenefit

    if u.kostnadsnytta is None:
        return {"anmarkning": "ingen samhällsekonomisk kalkyl i underlaget"}
    h = costbenefit.headline(u.kostnadsnytta)
    value: Any = h
    for part in ind["matt"].split("."):
        if not isinstance(value, dict) or part not in value:
            raise GoalError(f"cost-benefit has no result {ind['matt']!r}; use a key of evaluation.costbenefit.headline")
        value = value[part]
    base = ind.get("baslinje") or {}
    return {"baslinje": (_num(base.get("varde")), None), "uppfoljning": (_num(value), None),
            "proveniens": "beraknad",
            "anmarkning": f"scenario {h['scenario']}, {h['horisont_ar']} år; antaganden, ingen jämförelsegrupp"}


def _rapporterat(ind: dict, u: Underlag, min_n: int, categories: list[str]) -> dict:
    from . import kasam

    rep = u.rapporterat
    if rep is None or rep.empty:
        return {"anmarkning": "inga rapporterade tabeller i underlaget"}
    sel = rep[rep["matt"] == ind["matt"]]
    for key, col in (("tabell", "tabell"), ("kalla_dokument", "kalla")):
        if ind.get(key):
            sel = sel[sel[col] == ind[key]]
    kategori = str(ind.get("kategori", "summa"))
    provs: list[str] = []

    def pick(point):
        if point is None:
            return None, None
        if "varde" in point:
            provs.append(str(point.get("proveniens", "verbatim")))
            return _num(point["varde"]), point.get("n")
        per = str(point.get("period"))
        if kategori == "summa_delskalor":
            summ = kasam.reported_summary(sel)
            if "summa_delskalor" not in summ.index or per not in summ.columns:
                return None, None
            provs.append("derived")
            return _num(summ.at["summa_delskalor", per]), None
        x = sel[(sel["kategori"].astype(str) == kategori) & (sel["period"].astype(str) == per)]
        if len(x) == 0:
            return None, None
        provs.extend(x["proveniens"].astype(str))
        return _num(x["varde"].iloc[0]), None

    res = {"baslinje": pick(ind.get("baslinje")), "uppfoljning": pick(ind.get("uppfoljning"))}
    res["proveniens"] = "/".join(dict.fromkeys(provs)) or "saknas"
    others = sel[~sel["kategori"].astype(str).isin([kategori, "summa", "total"])]
    res["anmarkning"] = "endast aggregat (inget N, ingen spridning): riktning utan test"
    if categories and not others.empty:
        rows = []
        for cat, sub in others.groupby("kategori"):
            vals = sub.set_index(sub["period"].astype(str))["varde"]
            b = vals.get(str((ind.get("baslinje") or {}).get("period")))
            f = vals.get(str((ind.get("uppfoljning") or {}).get("period")))
            rows.append({"uppdelning": categories[0], "kategori": str(cat), "baslinje": _num(b),
                         "uppfoljning": _num(f), "n_baslinje": None, "n_uppfoljning": None})
        res["kategorier"] = pd.DataFrame(rows)
    return res


_RESOLVERS = {"flows": _flows, "kasam": _kasam, "nns": _nns, "kostnadsnytta": _kostnadsnytta,
              "rapporterat": _rapporterat}


def resolve(ind: dict, underlag: Underlag, min_n: int = 5, categories=()) -> dict:
    """Compute one indicator's baseline and follow-up with the workbench's analysis functions.

    Parameters
    ----------
    ind : dict
        A normalised indicator of :func:`parse_goals`.
    underlag : Underlag
    min_n : int
        Values based on fewer than ``min_n`` people are suppressed (returned as None).
    categories : sequence of str
        Columns of a promised breakdown.

    Returns
    -------
    dict
        ``baslinje`` and ``uppfoljning`` as ``(value, n)``, optional ``ki`` (CI of the change),
        ``kategorier`` (DataFrame) when the breakdown could be made, ``proveniens`` and
        ``anmarkning``. A literal ``varde`` in a point overrides the computed value.

    Examples
    --------
    >>> rep = pd.DataFrame({"kalla": "X", "tabell": "K", "matt": "kasam_medel", "kategori": "total",
    ...                     "period": ["2011-10", "2013-05"], "varde": [145, 125], "proveniens": "verbatim"})
    >>> r = resolve({"kalla": "rapporterat", "matt": "kasam_medel", "kategori": "total",
    ...              "baslinje": {"period": "2011-10"}, "uppfoljning": {"period": "2013-05"}},
    ...             Underlag(rapporterat=rep))
    >>> r["baslinje"], r["uppfoljning"], r["proveniens"]
    ((145.0, None), (125.0, None), 'verbatim')
    """
    if ind["kalla"] == "kvalitativ":
        return {"baslinje": (None, None), "uppfoljning": (None, None), "proveniens": "kvalitativ",
                "anmarkning": str(ind.get("beskrivning", ""))}
    res = _RESOLVERS[ind["kalla"]](ind, underlag, min_n, list(categories))
    res.setdefault("baslinje", (None, None))
    res.setdefault("uppfoljning", (None, None))
    res["baslinje"] = res["baslinje"] or (None, None)
    res["uppfoljning"] = res["uppfoljning"] or (None, None)
    # a literal value in the goal file overrides (e.g. a baseline from an earlier annual report)
    for point in ("baslinje", "uppfoljning"):
        p = ind.get(point) or {}
        if "varde" in p and ind["kalla"] in ("flows", "kasam", "nns"):
            res[point] = (_num(p["varde"]), p.get("n"))
            res["proveniens"] = f"{res.get('proveniens', 'beraknad')}/{p.get('proveniens', 'verbatim')}"
            if point == "baslinje":
                res["ki"] = None  # the CI belonged to the computed pair
    return res


def _label(ind: dict, lang: str) -> str:
    if ind.get("namn"):
        return str(ind["namn"])
    k = ind["kalla"]
    if k == "kasam":
        return t("goals.namn.kasam", lang, grupp=ind["grupp"], skala=ind["skala"])
    if k == "nns":
        what = ind.get("item") or f"indikator {ind.get('indikator')}"
        from .formatting import label

        return t("goals.namn.nns", lang, item=what, grupp=label(ind.get("respondentgrupp", ""), lang).lower(),
                 matt=label(ind["matt"], lang).lower())
    if k == "kvalitativ":
        return t("goals.namn.kvalitativ", lang)
    from .formatting import label

    return f"{t('goals.kalla.' + k, lang)}: {label(str(ind.get('matt', '')), lang)}"


def track(goals: dict, underlag: Underlag, min_n: int = 5, lang: str = "sv") -> GoalReport:
    """Follow every goal from its indicators to a status (rules in the module docstring).

    Parameters
    ----------
    goals : dict
        Output of :func:`load_goals` / :func:`parse_goals`.
    underlag : Underlag
        The data; ``underlag.forbund`` defaults to the goal file's ``forbund``.
    min_n : int
        Small-cell threshold for computed values and categories.
    lang : {"sv", "en"}
        Language of the generated indicator names and notes.

    Examples
    --------
    >>> rep = pd.DataFrame({"kalla": "X", "tabell": "K", "matt": "kasam_medel", "kategori": "total",
    ...                     "period": ["2011-10", "2013-05"], "varde": [145, 125], "proveniens": "verbatim"})
    >>> g = parse_goals({"mal": [{"id": "2", "text": "Öka kunskapen", "pastatt_status": "uppnatt",
    ...     "indikatorer": [{"kalla": "kvalitativ", "beskrivning": "fokusgrupper"},
    ...                     {"kalla": "rapporterat", "matt": "kasam_medel", "kategori": "total",
    ...                      "baslinje": {"period": "2011-10"}, "uppfoljning": {"period": "2013-05"}}]}]})
    >>> r = track(g, Underlag(rapporterat=rep))
    >>> r.mal[["status", "konflikt"]].values.tolist()
    [['ej_uppnatt', True]]
    """
    if not underlag.forbund and goals.get("forbund"):
        underlag = Underlag(**{**underlag.__dict__, "forbund": str(goals["forbund"])})
    goal_rows, ind_rows, cat_rows = [], [], []
    for g in goals["mal"]:
        cats = g["uppdelning"]
        statuses, wrong, notes, delivered = [], False, [], not cats
        incomparable = 0
        for nr, ind in enumerate(g["indikatorer"], start=1):
            res = resolve(ind, underlag, min_n=min_n, categories=cats)
            (b, nb), (f, nf) = res["baslinje"], res["uppfoljning"]
            ki = res.get("ki")
            riktning = ind.get("riktning")
            note = [res.get("anmarkning", "")]
            dolt = res.get("dolt", [])
            if "undertryckt" in dolt:
                note.append(t("goals.not.undertryckt", lang, min_n=min_n))
            if "ej_skiva" in dolt:
                note.append(t("goals.not.ej_skiva", lang, vad=_label(ind, lang)))
            per = [str((ind.get(p) or {}).get("period", "")) for p in ("baslinje", "uppfoljning")]
            note.append(reported.month_warning(per[0], per[1], lang))   # October vs May: seasonal caseloads
            g_unit, i_unit = g.get("enhet"), ind.get("enhet")
            if ind["kalla"] == "kvalitativ":
                status = None
            elif g_unit and i_unit and str(g_unit) != str(i_unit):
                # the indicator measures something else than the goal: no status, never counted
                status = "ej_jamforbart"
                incomparable += 1
                note.append(t("goals.not.ej_jamforbart", lang, mal=t(f"goals.enhet.{g_unit}", lang),
                              indikator=t(f"goals.enhet.{i_unit}", lang)))
            else:
                status = indicator_status(b, f, riktning, ind.get("malniva"), ki)
                if ki is not None and status == "ej_uppnatt" and not _wrong_way(b, f, riktning) \
                        and ind.get("malniva") is None:
                    note.append(t("goals.not.ej_sakerstalld", lang))
                kdf = res.get("kategorier")
                if cats and kdf is not None and len(kdf):
                    delivered = True
                    kdf = kdf.copy()
                    kdf["status"] = [
                        indicator_status(r.baslinje, r.uppfoljning, riktning, ind.get("malniva"),
                                         (getattr(r, "ki_lag", None), getattr(r, "ki_hog", None))
                                         if "ki_lag" in kdf else None)
                        for r in kdf.itertuples()]
                    small = kdf["status"] == "ej_matbart"
                    if small.any():
                        # from a protected table a hidden category may be small (primary) or hide another
                        # (secondary); which one is not said (the board file does not tell them apart)
                        key = "goals.not.kategori_dold" if res.get("skyddad") else "goals.not.kategori_undertryckt"
                        note.append(t(key, lang, kategorier=", ".join(kdf.loc[small, "kategori"]), min_n=min_n))
                    status = combine_statuses(kdf["status"]) if status != "ej_matbart" or (~small).any() else status
                    cat_rows.append(kdf.assign(mal_id=g["id"], nr=nr))
                statuses.append(status)
                wrong = wrong or status == "ej_uppnatt"
            forandring = None if _num(b) is None or _num(f) is None else _num(f) - _num(b)
            ind_rows.append({
                "mal_id": g["id"], "nr": nr, "namn": _label(ind, lang), "kalla": ind["kalla"],
                "baslinje": _num(b), "uppfoljning": _num(f), "forandring": forandring,
                "malniva": _num(ind.get("malniva")), "riktning": riktning,
                "n_baslinje": _num(nb), "n_uppfoljning": _num(nf),
                "ki_lag": _num(ki[0]) if ki else None, "ki_hog": _num(ki[1]) if ki else None,
                "status": status, "fel_riktning": _wrong_way(b, f, riktning) if riktning else False,
                "proveniens": res.get("proveniens", ""), "anmarkning": "; ".join(x for x in note if x),
                "undertryckt_baslinje": "baslinje" in res.get("dolda_punkter", ()) and _num(b) is None,
                "undertryckt_uppfoljning": "uppfoljning" in res.get("dolda_punkter", ()) and _num(f) is None})
        status = combine_statuses(statuses)
        missing_breakdown = bool(cats) and not delivered
        if missing_breakdown:
            notes.append(t("goals.not.uppdelning_saknas", lang, uppdelning=", ".join(cats)))
            if status == "uppnatt":
                status = "ej_matbart"
        if not statuses:
            notes.append(t("goals.not.inget_jamforbart" if incomparable else "goals.not.inget_matt", lang))
        claim = g.get("pastatt_status")
        konflikt = (claim == "uppnatt" and wrong) or (claim == "ej_uppnatt" and status == "uppnatt")
        if konflikt:
            notes.append(t("goals.not.konflikt", lang, pastatt=status_label(claim, lang),
                           status=status_label(status, lang)))
        goal_rows.append({"id": g["id"], "text": str(g.get("text", "")), "status": status,
                          "pastatt_status": claim, "pastatt_underlag": g.get("pastatt_underlag"),
                          "konflikt": bool(konflikt), "uppdelning": ", ".join(cats),
                          "uppdelning_saknas": missing_breakdown, "motivering": "; ".join(notes)})
    cat_cols = ["mal_id", "nr", "uppdelning", "kategori", "baslinje", "uppfoljning", "n_baslinje",
                "n_uppfoljning", "status"]
    kat = pd.concat(cat_rows, ignore_index=True).reindex(columns=cat_cols) if cat_rows \
        else pd.DataFrame(columns=cat_cols)
    meta = {k: goals.get(k) for k in ("projekt", "forbund", "kalla")}
    return GoalReport(pd.DataFrame(goal_rows), pd.DataFrame(ind_rows), kat, meta)


# ----------------------------------------------------------------------------------------------
# board views


def status_label(status: str | None, lang: str = "sv") -> str:
    """Board label of a status code.

    Examples
    --------
    >>> status_label("ej_matbart"), status_label("delvis", "en")
    ('ej mätbart', 'mixed')
    """
    if status is None or (isinstance(status, float) and math.isnan(status)):
        return ""
    return t(f"goals.status.{status}", lang)


def _fmt(x, lang: str) -> str:
    from .formatting import number

    v = _num(x)
    if v is None:
        return ""  # missing, not suppressed: "–" is reserved for suppressed cells
    return number(v, 0 if float(v).is_integer() else (1 if abs(v) >= 10 else 2), lang)


def board_table(report: GoalReport, lang: str = "sv") -> pd.DataFrame:
    """One row per goal with Swedish (or English) headers: goal, status, claim, flags, reasons.

    Examples
    --------
    >>> r = GoalReport(pd.DataFrame([{"id": "1", "text": "x", "status": "delvis", "pastatt_status": None,
    ...     "pastatt_underlag": None, "konflikt": False, "uppdelning": "", "uppdelning_saknas": False,
    ...     "motivering": ""}]), pd.DataFrame(), pd.DataFrame())
    >>> board_table(r).iloc[0].tolist()[:3]
    ['1', 'x', 'delvis']
    """
    from .formatting import yes_no

    m = report.mal
    return pd.DataFrame({
        t("goals.kol.id", lang): m["id"].astype(str),
        t("goals.kol.mal", lang): m["text"],
        t("goals.kol.status", lang): [status_label(s, lang) for s in m["status"]],
        t("goals.kol.pastatt", lang): [status_label(s, lang) if isinstance(s, str) else "" for s in m["pastatt_status"]],
        t("goals.kol.konflikt", lang): [yes_no(k, lang) for k in m["konflikt"]],
        t("goals.kol.uppdelning_saknas", lang): [yes_no(k, lang) for k in m["uppdelning_saknas"]],
        t("goals.kol.motivering", lang): m["motivering"],
    })


def indicator_table(report: GoalReport, lang: str = "sv") -> pd.DataFrame:
    """One row per goal × indicator, formatted for a board (numbers as text, empty when missing).

    Examples
    --------
    >>> r = GoalReport(pd.DataFrame(), pd.DataFrame([{"mal_id": "1", "nr": 1, "namn": "KASAM", "kalla": "rapporterat",
    ...     "baslinje": 145.0, "uppfoljning": 125.0, "forandring": -20.0, "malniva": None, "riktning": "oka",
    ...     "n_baslinje": None, "n_uppfoljning": None, "ki_lag": None, "ki_hog": None, "status": "ej_uppnatt",
    ...     "fel_riktning": True, "proveniens": "verbatim", "anmarkning": ""}]), pd.DataFrame())
    >>> indicator_table(r).iloc[0].tolist()[2:6]
    ['145', '125', '−20', '']
    """
    d = report.indikatorer
    if d.empty:
        return pd.DataFrame()
    prov = [_prov_label(p, lang) for p in d["proveniens"]]
    def flag(c):
        return d[c].fillna(False).astype(bool) if c in d else pd.Series(False, index=d.index)

    hidden = {"baslinje": flag("undertryckt_baslinje"), "uppfoljning": flag("undertryckt_uppfoljning")}
    hidden["n_uppfoljning"] = hidden["uppfoljning"]
    hidden["forandring"] = hidden["baslinje"] | hidden["uppfoljning"]

    def col(name):  # a value missing because a cell is suppressed reads "–", a value not computed ""
        return [t("suppressed_short", lang) if h and _num(x) is None else _fmt(x, lang)
                for x, h in zip(d[name], hidden[name])]

    return pd.DataFrame({
        t("goals.kol.id", lang): d["mal_id"].astype(str),
        t("goals.kol.indikator", lang): d["namn"],
        t("goals.kol.baslinje", lang): col("baslinje"),
        t("goals.kol.uppfoljning", lang): col("uppfoljning"),
        t("goals.kol.forandring", lang): col("forandring"),
        t("goals.kol.malniva", lang): [_fmt(x, lang) for x in d["malniva"]],
        t("goals.kol.riktning", lang): [t(f"goals.riktning.{r}", lang) if isinstance(r, str) else "" for r in d["riktning"]],
        t("goals.kol.n", lang): col("n_uppfoljning"),
        t("goals.kol.status", lang): [status_label(s, lang) if isinstance(s, str) else "" for s in d["status"]],
        t("goals.kol.proveniens", lang): prov,
        t("goals.kol.anmarkning", lang): d["anmarkning"],
    })


def _prov_label(p, lang: str) -> str:
    from .vocabulary import label

    if not isinstance(p, str) or not p:
        return ""
    out = []
    for part in p.split("/"):
        if part in ("beraknad", "kvalitativ", "saknas", "tabell"):
            out.append(t(f"goals.proveniens.{part}", lang))
        else:
            try:
                out.append(label("proveniens", part, lang))
            except Exception:  # an unknown provenance code is shown as written
                out.append(part)
    return ", ".join(dict.fromkeys(out))


def headline(report: GoalReport) -> dict:
    """Headline results of the goal tracker (keys in the module docstring).

    Examples
    --------
    >>> r = GoalReport(pd.DataFrame({"id": ["1", "2"], "status": ["delvis", "ej_uppnatt"],
    ...     "konflikt": [False, True], "uppdelning_saknas": [True, False]}), pd.DataFrame(), pd.DataFrame())
    >>> headline(r)["konflikter"], headline(r)["per_status"]["delvis"]
    (['2'], 1)
    """
    m = report.mal
    if m.empty:
        return {"antal": 0, "per_status": {s: 0 for s in STATUSES}, "status": {}, "konflikter": [],
                "uppdelning_saknas": []}
    return {"antal": int(len(m)),
            "per_status": {s: int((m["status"] == s).sum()) for s in STATUSES},
            "status": dict(zip(m["id"].astype(str), m["status"])),
            "konflikter": [str(x) for x in m.loc[m["konflikt"], "id"]],
            "uppdelning_saknas": [str(x) for x in m.loc[m["uppdelning_saknas"], "id"]]}
