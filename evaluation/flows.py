"""Participant flows and outcomes: inskrivning → avslut, exit categories, försörjning, time, return.

Answers the styrelse's first question, "how many came in, how many left, to what, and did they stay
out of public support?", from an episode export (:data:`evaluation.schemas.EPISODES`) and its journey
events (:data:`evaluation.schemas.EVENTS`), in the form of the SUS standard report (now Uppföljning
Finsam) with the finer exit categories of Team Work (seed 003) and Vuxenteamen (seed 002), times and
return (rundgång). An aggregate-only mode reproduces and checks reported tables (DOMAIN.md §3, §9).

Rules chosen here (and why)
---------------------------
Unit of record
    One row per episode (deltagare × insats). Episodes ended with ``felregistrering`` (SUS: registered
    by mistake) are dropped by :func:`prepare_episodes`. **Anonymous participants** (``anonym``) are
    counted in every episode-level measure but never linked: they are not de-duplicated into persons
    (each anonymous episode counts as one person) and a later episode is never taken as their return.
Multi-valued försörjning (``"a|b"``)
    *Per source* (``forsorjning_fore`` / ``forsorjning_efter`` rows of :func:`outcome_report`): a
    person is counted once under every source they have, so shares can add up to more than 100 %; the
    base is the persons with at least one recorded source. *Huvudsaklig försörjning* (one source per
    person, used by the transition matrix and the Sankey): the first source in
    :data:`HUVUDSAKLIG_ORDNING`. Public support comes first, försörjningsstöd before everything else:
    a person on ``lon|forsorjningsstod`` is still (partly) dependent on försörjningsstöd, the measure
    Finsam and Team Work care about (Vuxenteamen: "helt eller delvis beroende av försörjningsstöd").
    *Försörjningsgrupp* (offentlig / egen / ingen / okand): ``offentlig`` if any source is public
    (vokabular.yaml ``offentlig: true``; SUS "offentlig försörjning"), else ``egen`` if any source is
    own (``egen: true``: wages, subsidised work and studies, NNS), else ``ingen`` for
    ``ingen_ersattning``, else ``okand`` (unknown or missing).
Exit ≠ self-sufficiency
    Every exit carries two separate flags: ``avslut_innebar_egen`` (ja / nej / okant, what the exit
    category implies, ``avslutsorsaker.csv``) and ``egen_forsorjning_efter`` (ja / nej / okant, from the
    recorded ``forsorjning_efter``: ja when the försörjningsgrupp after is ``egen``). They are never
    merged; e.g. Team Work's *Rätt myndighet* can still be on försörjningsstöd.
Waiting periods
    An exit whose category has ``vantetid_manader`` > 0 (Team Work *Arbete ≥ 3 mån*, *Avbruten kontakt*
    "avvakta 3 månader", prison and sick leave ≥ 3 mån) is ``obekraftad`` until ``reference_date`` ≥
    ``avslutsdatum`` + that many calendar months, then ``bekraftad``; categories without a waiting
    period are ``bekraftad`` at exit; open episodes are ``pagaende``.
Time
    Days between inskrivning and avslut; months = days / 30.4375 (365.25 / 12). Open episodes are
    right-censored at ``reference_date``. Time to exit (any cause) uses the Kaplan–Meier estimator
    (statsmodels ``SurvfuncRight``). **Exit categories compete**: the default for per-category curves is
    the Aalen–Johansen cumulative incidence (statsmodels ``CumIncidenceRight``), which sums to the
    overall 1 − KM; the alternative ``method="km_censor"`` treats other exits as censored
    (cause-specific 1 − KM), which overstates each category when exits compete (Putter, Fiocco & Geskus
    2007, *Stat Med* 26:2389).
Milestones
    First date of each event per episode. A step is *on time* when it happened within the deadline
    (default 35 days = "inom fem veckor", seed 003); an episode still without the step is *late* when
    the deadline has passed by ``reference_date`` and *pending* (left out of the denominator) otherwise.
Monthly statistics
    ``aktiva``: episodes active on at least one day of the month; ``aktiva_vid_manadsslut``: active on
    its last day; ``nya``: inskrivna in the month; ``avslutade``: ended in the month, also per category.
Return (rundgång)
    Exit cohort = episodes ended in a date window; returned = an ``aterkontakt`` or
    ``forsorjningsstod_ater`` event after avslut and on or before the review date, or (non-anonymous
    only, optional) a new episode of the same deltagare in that interval. Wilson 95 % CI (statsmodels).

Suppression: board-facing tables go through :mod:`evaluation.disclosure` (``suppress_rows`` on
long tables, also on their base; ``suppress_table`` with secondary suppression on crosstabs).

Notebook ``notebooks/deltagarfloden.ipynb`` records (``results.json`` keys, see :func:`headline`)
-----------------------------------------------------------------------------------------------
``antal_episoder``, ``antal_deltagare`` (persons: linked non-anonymous + anonymous episodes),
``antal_anonyma``, ``inskrivna_i_perioden``, ``avslutade_i_perioden``, ``pagaende_vid_referensdatum``,
``avslut_per_kategori`` ({huvudkategori: n}), ``avslut_obekraftade`` (n exits in their waiting
period), ``ej_offentlig_forsorjning_vid_avslut_andel`` (share of closed episodes whose exit reason
records no offentlig försörjning vid avslut; Vuxenteamen 666 / 975), ``egen_forsorjning_efter_andel`` (share of closed episodes with egen försörjning after, base
= those with a known group), ``offentlig_fore_andel`` / ``offentlig_efter_andel``,
``paborjat_eller_okat_andel``, ``tid_medel_manader`` / ``tid_median_manader`` (closed episodes),
``km_median_manader`` (KM median time to exit incl. open, None if not reached),
``handlingsplan_i_tid_andel``, ``aterkomst_andel`` / ``aterkomst_kohort``, ``aktiva_i_perioden``,
``arbete_studier_andel`` and ``avslut_per_sus_kategori`` ({SUS kategori: n}; the key figures of
:func:`key_figure_counts`) and, when reported figures are checked, ``rapporterat_kontroller_ok`` (bool) and ``rapporterat_avvikelser`` (n failed checks); ``publicerade`` ({key figure: bool}, :func:`published_keys`: whether the board tables show it).
``results.json`` is board-facing: every value the board tables hide ("–") is ``null`` there, a
category of ``avslut_per_kategori`` / ``avslut_per_sus_kategori`` whose cell is suppressed too
(:func:`board_results`); the evaluator reads the values in the executed notebook. Under a protected
table set the counts are cells (:data:`CELL_COUNTS`: ``antal_episoder`` is the ``nya`` cell of period
"alla", ``pagaende_vid_referensdatum`` = ``nya`` − ``avslutade`` of period "alla"), the shares are
ratios of cells (:data:`CELL_SHARES`, :func:`cell_share`: the one definition the board dashboard's key
figures use too), and the counts no
cell gives (:data:`EVALUATOR_ONLY`: ``antal_deltagare``, ``antal_anonyma``, ``avslut_obekraftade``) and
the started-or-increased share ``paborjat_eller_okat_andel`` (neither its numerator nor its base is a cell)
are ``null`` and not in the board's key figure table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .figures import COLORS, apply_layout, count_axis
from .labels import t
from .formatting import percent as _percent
from .schemas import split_multi
from .vocabulary import exit_reasons, vocabulary
from .vocabulary import label as vlabel
from .errors import EvaluationError

__all__ = [
    "HUVUDSAKLIG_ORDNING",
    "DAYS_PER_MONTH",
    "FlowsError",
    "prepare_episodes",
    "count_participants",
    "forsorjningsgrupp",
    "huvudsaklig_forsorjning",
    "classify_exits",
    "outcome_report",
    "format_report",
    "board_table",
    "transition_table",
    "forsorjning_transitions",
    "exit_summary",
    "time_in_insats",
    "kaplan_meier",
    "exit_incidence",
    "milestones",
    "milestone_summary",
    "monthly_flows",
    "return_rate",
    "check_parts",
    "aggregate_outcomes",
    "check_reported",
    "KEY_FIGURE_COUNTS",
    "key_figure_counts",
    "headline",
    "key_figures_table",
    "board_results",
    "reported_checks_table",
    "table_period",
    "table_slice",
    "all_hidden",
    "board_or_line",
    "slice_note",
    "published",
    "published_keys",
    "KEY_FIGURE_CELLS",
    "CELL_COUNTS",
    "CELL_SHARES",
    "cell_share",
    "EVALUATOR_ONLY",
    "NOT_SLICES",
    "cell_count",
    "cell_value",
    "protected_exits",
    "protected_rows",
    "protected_outcome",
    "figure_sankey",
    "figure_exits",
    "figure_kaplan_meier",
    "protected_durations",
    "figure_durations",
    "durations_or_line",
    "figure_monthly",
]

#: Precedence of försörjning sources for the *huvudsaklig* (main) source of a person: public support
#: first with försörjningsstöd on top, then own income, then no income, then unknown.
HUVUDSAKLIG_ORDNING: tuple[str, ...] = (
    "forsorjningsstod", "sjukersattning", "sjukpenning", "rehabiliteringspenning", "aktivitetsstod",
    "a_kassa", "annan_ersattning", "lon", "subventionerad_anstallning", "studiemedel",
    "foraldrapenning", "alderspension", "ingen_ersattning", "okand",
)

#: Average month length in days (365.25 / 12) used to turn days into months.
DAYS_PER_MONTH = 365.25 / 12

_GROUPS = ("offentlig", "egen", "ingen", "okand")
_TOTAL = "totalt"


class FlowsError(EvaluationError, ValueError):
    """Input that the flow analysis cannot use; the message says what to fix."""


# --------------------------------------------------------------------------------------------
# preparation
# --------------------------------------------------------------------------------------------

def _ts(value, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise FlowsError(f"{name} must be a date like '2026-01-15', got {value!r}") from exc
    if pd.isna(ts):
        raise FlowsError(f"{name} must be a date like '2026-01-15', got {value!r}")
    return ts.normalize()


def _require(df: pd.DataFrame, cols: Iterable[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise FlowsError(f"{what} lacks columns {missing}; load it with evaluation.io so it follows "
                         f"the schema in evaluation/schemas.py")


def _selected(value) -> list[str] | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def prepare_episodes(episodes: pd.DataFrame, forbund=None, insats=None) -> pd.DataFrame:
    """Select episodes and drop registration errors.

    Parameters
    ----------
    episodes : DataFrame
        Episodes in the :data:`evaluation.schemas.EPISODES` schema.
    forbund, insats : str, list of str or None
        Keep only these (comma-separated string or list); ``None`` or ``""`` keeps all.

    Returns
    -------
    DataFrame
        A copy without episodes ended as ``felregistrering`` (SUS stödblankett 9449), dates as
        ``datetime64``, ``anonym`` filled with False.

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["a", "b"], "deltagare_id": ["p1", "p2"],
    ...     "forbund": ["X", "X"], "insats": ["I", "I"], "inskrivningsdatum": ["2024-01-01"] * 2,
    ...     "avslutsdatum": [None, "2024-02-01"], "avslutsorsak": [None, "felregistrering"]})
    >>> list(prepare_episodes(ep)["episod_id"])
    ['a']
    """
    _require(episodes, ["episod_id", "deltagare_id", "forbund", "insats", "inskrivningsdatum",
                        "avslutsdatum", "avslutsorsak"], "episodes")
    df = episodes.copy()
    df["inskrivningsdatum"] = pd.to_datetime(df["inskrivningsdatum"])
    df["avslutsdatum"] = pd.to_datetime(df["avslutsdatum"])
    if "anonym" not in df.columns:
        df["anonym"] = False
    df["anonym"] = df["anonym"].fillna(False).astype(bool)
    for col in ("kon", "sysselsattning_fore", "sysselsattning_efter", "forsorjning_fore",
                "forsorjning_efter"):
        if col not in df.columns:
            df[col] = pd.Series(pd.NA, index=df.index, dtype="str")
    for col in ("omfattning_fore", "omfattning_efter"):
        if col not in df.columns:
            df[col] = np.nan
    keep = df["avslutsorsak"].fillna("") != "felregistrering"
    for col, sel in (("forbund", _selected(forbund)), ("insats", _selected(insats))):
        if sel is not None:
            keep &= df[col].isin(sel)
    return df.loc[keep].reset_index(drop=True)


def count_participants(episodes: pd.DataFrame) -> dict[str, int]:
    """Count episodes and persons; anonymous participants are counted but not linked.

    Returns
    -------
    dict
        ``antal_episoder``; ``antal_deltagare`` = distinct ``deltagare_id`` among non-anonymous
        episodes + number of anonymous episodes (each is one person, as they cannot be linked);
        ``antal_anonyma`` = anonymous episodes.

    Examples
    --------
    >>> ep = pd.DataFrame({"deltagare_id": ["p1", "p1", "x", "y"], "anonym": [False, False, True, True]})
    >>> count_participants(ep)
    {'antal_episoder': 4, 'antal_deltagare': 3, 'antal_anonyma': 2}
    """
    anon = episodes["anonym"].fillna(False).astype(bool) if "anonym" in episodes else \
        pd.Series(False, index=episodes.index)
    linked = episodes.loc[~anon, "deltagare_id"].nunique()
    return {"antal_episoder": int(len(episodes)), "antal_deltagare": int(linked + anon.sum()),
            "antal_anonyma": int(anon.sum())}


def _flags() -> tuple[set[str], set[str]]:
    voc = vocabulary("forsorjning")
    public = {c for c, v in voc.items() if v.get("offentlig") is True}
    own = {c for c, v in voc.items() if v.get("egen") is True}
    return public, own


def forsorjningsgrupp(value) -> str:
    """Classify a (multi-valued) försörjning cell as offentlig / egen / ingen / okand.

    ``offentlig`` if any source is public support (SUS "offentlig försörjning"), else ``egen`` if any
    source is own income (wages, subsidised work, studiemedel: NNS counts subsidised work and studies
    as egen försörjning), else ``ingen`` for a source that is neither (``ingen_ersattning``, and
    ``foraldrapenning`` / ``alderspension``, which SUS counts as no offentlig försörjning; flags in
    ``vokabular.yaml``), else ``okand``.

    Examples
    --------
    >>> forsorjningsgrupp("lon|forsorjningsstod"), forsorjningsgrupp("studiemedel")
    ('offentlig', 'egen')
    >>> forsorjningsgrupp(None), forsorjningsgrupp("ingen_ersattning"), forsorjningsgrupp("foraldrapenning")
    ('okand', 'ingen', 'ingen')
    """
    public, own = _flags()
    voc = vocabulary("forsorjning")
    neither = {c for c, v in voc.items() if v.get("offentlig") is False and v.get("egen") is False}
    parts = set(split_multi(value))
    if parts & public:
        return "offentlig"
    if parts & own:
        return "egen"
    if parts & neither:  # ingen_ersattning, and SUS's no-public-support sources (föräldrapenning, ålderspension)
        return "ingen"
    return "okand"


def huvudsaklig_forsorjning(value) -> str:
    """Return the main försörjning source of a multi-valued cell (first in :data:`HUVUDSAKLIG_ORDNING`).

    Missing cells give ``"okand"``.

    Examples
    --------
    >>> huvudsaklig_forsorjning("lon|forsorjningsstod")
    'forsorjningsstod'
    >>> huvudsaklig_forsorjning("studiemedel|a_kassa")
    'a_kassa'
    """
    parts = split_multi(value)
    for code in HUVUDSAKLIG_ORDNING:
        if code in parts:
            return code
    return "okand"


def _egen_flag(value) -> str:
    g = forsorjningsgrupp(value)
    return "ja" if g == "egen" else ("nej" if g in ("offentlig", "ingen") else "okant")


def _map_distinct(values: pd.Series, func) -> pd.Series:
    """``values.map(func)`` with ``func`` called once per distinct value (missing values as ``None``).

    A försörjning cell holds one of a few dozen code combinations, so classifying the distinct
    combinations instead of every episode is the same result at a fraction of the cost (measured on
    a nation förbund, 12 000 episodes: 132 000 calls, 5 CPU-s of a slutrapport run, before).

    Examples
    --------
    >>> _map_distinct(pd.Series(["lon", None, "lon|forsorjningsstod", "lon"]), forsorjningsgrupp).tolist()
    ['egen', 'okand', 'offentlig', 'egen']
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([func(u) for u in uniques] + [func(None)], dtype=object)
    return pd.Series(mapped[codes], index=values.index, name=values.name)


def classify_exits(episodes: pd.DataFrame, reference_date) -> pd.DataFrame:
    """Add exit category, self-sufficiency flags and waiting-period status to each episode.

    Parameters
    ----------
    episodes : DataFrame
        Episodes (EPISODES schema), e.g. from :func:`prepare_episodes`.
    reference_date : date-like
        Date of the data extract; outcomes are judged as of this day.

    Returns
    -------
    DataFrame
        The episodes plus ``avslutad`` (bool), ``taxonomi``, ``avslutskategori`` (huvudkategori of
        ``avslutsorsaker.csv``, ``"saknas"`` for a closed episode without reason, NA when open),
        ``sus_kategori``, ``avslut_innebar_egen`` (ja / nej / okant, implied by the category),
        ``avslut_offentlig_forsorjning`` (ja / nej / okant: "offentlig försörjning vid avslut" as the
        exit reason records it; Vuxenteamen's "ej i behov av offentlig försörjning" is ``nej``),
        ``egen_forsorjning_efter`` (ja / nej / okant, from ``forsorjning_efter``),
        ``forsorjningsgrupp_fore`` / ``_efter``, ``vantetid_manader``, ``bekraftas_datum`` (avslut +
        waiting months) and ``utfallsstatus`` (pagaende / obekraftad / bekraftad).

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["a"], "deltagare_id": ["p"], "forbund": ["X"], "insats": ["I"],
    ...     "inskrivningsdatum": ["2025-01-01"], "avslutsdatum": ["2025-11-01"],
    ...     "avslutsorsak": ["tw_arbete"], "forsorjning_efter": ["lon"]})
    >>> r = classify_exits(prepare_episodes(ep), "2026-01-15")
    >>> r.loc[0, ["avslutskategori", "utfallsstatus", "egen_forsorjning_efter"]].tolist()
    ['arbete', 'obekraftad', 'ja']
    """
    ref = _ts(reference_date, "reference_date")
    df = prepare_episodes(episodes)
    reasons = exit_reasons()
    unknown = sorted(set(df["avslutsorsak"].dropna()) - set(reasons.index))
    if unknown:
        raise FlowsError(f"unknown avslutsorsak {unknown}; allowed codes are in "
                         f"evaluation/data/avslutsorsaker.csv (map them at import)")
    closed = df["avslutsdatum"].notna() & (df["avslutsdatum"] <= ref)
    df["avslutad"] = closed
    code = df["avslutsorsak"].where(closed)
    df["taxonomi"] = code.map(reasons["taxonomi"])
    df["avslutskategori"] = code.map(reasons["huvudkategori"])
    df.loc[closed & code.isna(), "avslutskategori"] = "saknas"
    df["sus_kategori"] = code.map(reasons["sus_kategori"])
    df["avslut_innebar_egen"] = code.map(reasons["egen_forsorjning"]).replace("", "okant")
    df.loc[closed & code.isna(), "avslut_innebar_egen"] = "okant"
    df["avslut_offentlig_forsorjning"] = code.map(reasons["offentlig_forsorjning_vid_avslut"]).replace("", "okant")
    df.loc[closed & code.isna(), "avslut_offentlig_forsorjning"] = "okant"
    df["egen_forsorjning_efter"] = _map_distinct(df["forsorjning_efter"], _egen_flag).where(closed)
    df["forsorjningsgrupp_fore"] = _map_distinct(df["forsorjning_fore"], forsorjningsgrupp)
    df["forsorjningsgrupp_efter"] = _map_distinct(df["forsorjning_efter"], forsorjningsgrupp).where(closed)
    wait = code.map(reasons["vantetid_manader"]).fillna(0).astype(int)
    df["vantetid_manader"] = wait.where(closed)
    confirm = pd.Series(pd.NaT, index=df.index, dtype=df["avslutsdatum"].dtype)
    for months in sorted(set(wait[closed])):
        rows = closed & (wait == months)
        confirm[rows] = df.loc[rows, "avslutsdatum"] + pd.DateOffset(months=int(months))
    df["bekraftas_datum"] = confirm
    status = np.where(~closed, "pagaende", np.where(confirm <= ref, "bekraftad", "obekraftad"))
    df["utfallsstatus"] = pd.Series(status, index=df.index, dtype="str")
    return df


# --------------------------------------------------------------------------------------------
# standard outcome report (SUS style)
# --------------------------------------------------------------------------------------------

def _in_period(dates: pd.Series, start, end) -> pd.Series:
    keep = dates.notna()
    if start not in (None, ""):
        keep &= dates >= _ts(start, "period_start")
    if end not in (None, ""):
        keep &= dates <= _ts(end, "period_end")
    return keep


def _count_rows(sub: pd.DataFrame, matt: str, cats: Sequence[str], values: pd.Series,
                base_mask: pd.Series | None = None) -> list[dict]:
    base = int(base_mask.sum()) if base_mask is not None else len(sub)
    rows = []
    for cat in cats:
        n = int((values == cat).sum())
        rows.append({"matt": matt, "kategori": cat, "n": n, "bas": base,
                     "andel": n / base if base else np.nan})
    return rows


def _report_block(sub: pd.DataFrame) -> list[dict]:
    rows: list[dict] = [{"matt": "avslutade", "kategori": "alla", "n": len(sub), "bas": len(sub),
                         "andel": 1.0 if len(sub) else np.nan}]
    syss = list(vocabulary("sysselsattning")) + ["saknas"]
    for when in ("fore", "efter"):
        rows += _count_rows(sub, f"sysselsattning_{when}", syss,
                            sub[f"sysselsattning_{when}"].fillna("saknas"))
    for when in ("fore", "efter"):
        lists = sub[f"forsorjning_{when}"].map(split_multi)
        has_any = lists.map(bool)
        base = int(has_any.sum())
        for code in vocabulary("forsorjning"):
            n = int(lists.map(lambda parts, c=code: c in parts).sum())
            rows.append({"matt": f"forsorjning_{when}", "kategori": code, "n": n, "bas": base,
                         "andel": n / base if base else np.nan})
        rows += _count_rows(sub, f"forsorjningsgrupp_{when}", _GROUPS,
                            sub[f"forsorjningsgrupp_{when}"])
    fore, efter = sub["omfattning_fore"].astype(float), sub["omfattning_efter"].astype(float)
    known = fore.notna() & efter.notna()
    started = known & (fore == 0) & (efter > 0)
    increased = known & (fore > 0) & (efter > fore)
    base = int(known.sum())
    for cat, mask in (("paborjat", started), ("okat", increased), ("paborjat_eller_okat", started | increased)):
        n = int(mask.sum())
        rows.append({"matt": "omfattning", "kategori": cat, "n": n, "bas": base,
                     "andel": n / base if base else np.nan})
    cats = [c for c in dict.fromkeys(exit_reasons()["huvudkategori"])] + ["saknas"]
    rows += _count_rows(sub, "avslutskategori", cats, sub["avslutskategori"])
    sus = [c for c in dict.fromkeys(exit_reasons()["sus_kategori"]) if c]
    rows += _count_rows(sub, "avslut_sus", sus, sub["sus_kategori"])
    rows += _count_rows(sub, "avslut_innebar_egen", ["ja", "nej", "okant"], sub["avslut_innebar_egen"])
    rows += _count_rows(sub, "avslut_offentlig_forsorjning", ["ja", "nej", "okant"], sub["avslut_offentlig_forsorjning"])
    rows += _count_rows(sub, "egen_forsorjning_efter", ["ja", "nej", "okant"], sub["egen_forsorjning_efter"])
    rows += _count_rows(sub, "utfallsstatus", ["bekraftad", "obekraftad"], sub["utfallsstatus"])
    return rows


def _suppress_long(df: pd.DataFrame, by: list[str], min_n: int) -> pd.DataFrame:
    """Suppress the long outcome report block by block with :func:`evaluation.disclosure.suppress_table`.

    Each ``(*by, matt)`` block is laid out as kategori × kön with the kön totals as margins, so a
    hidden cell cannot be recomputed from ``totalt`` minus the other kön or from the base minus the
    other categories (secondary suppression). A kön whose base ``bas`` is below ``min_n`` is hidden
    entirely.
    """
    from . import disclosure

    out = df.copy()
    mask = pd.Series(False, index=out.index)
    for _, block in out.groupby([*by, "matt"], sort=False, dropna=False):
        parts = block[block["kon"] != _TOTAL]
        if parts.empty:
            parts = block
        counts = parts.pivot_table(index="kategori", columns="kon", values="n", aggfunc="sum", sort=False)
        st = disclosure.suppress_table(counts.fillna(0).astype(int), min_n=min_n, margins=True)
        for idx, row in block.iterrows():
            col = disclosure.TOTAL if (row["kon"] == _TOTAL and row["kon"] not in counts.columns) else row["kon"]
            hidden = bool(st.mask.loc[row["kategori"], col])
            hidden |= 0 < row["bas"] < min_n
            mask[idx] = hidden
    out.loc[mask, ["n", "andel"]] = np.nan
    small_base = (out["bas"] > 0) & (out["bas"] < min_n)
    out.loc[small_base, "bas"] = np.nan
    out["undertryckt"] = mask.to_numpy()
    out.attrs["undertryckt_celler"] = pd.DataFrame({"n": mask, "andel": mask, "bas": small_base})
    return out


def outcome_report(episodes: pd.DataFrame, reference_date, period_start=None, period_end=None,
                   by: Sequence[str] = ("forbund", "insats"), split_kon: bool = True,
                   min_n: int | None = 5) -> pd.DataFrame:
    """Standard outcome report (SUS style) for episodes ended in a period, split by kön.

    Parameters
    ----------
    episodes : DataFrame
        Episodes (EPISODES schema).
    reference_date : date-like
        Extract date (waiting periods are judged against it).
    period_start, period_end : date-like or None
        Window on ``avslutsdatum`` (inclusive); ``None`` = open-ended.
    by : sequence of str
        Grouping columns (default förbund and insats).
    split_kon : bool
        Also report each kön (``kon``); the all-kön rows have ``kon = "totalt"``.
    min_n : int or None
        Small-cell threshold. Each ``matt`` block is suppressed as a kategori × kön table with
        :func:`evaluation.disclosure.suppress_table` (primary and secondary, kön totals as margins),
        and a kön whose base ``bas`` is below ``min_n`` is hidden; ``None`` = no suppression
        (internal use only).

    Returns
    -------
    DataFrame
        Long table with columns ``*by, kon, matt, kategori, n, bas, andel`` (+ ``undertryckt``).
        ``matt``: ``avslutade``; ``sysselsattning_fore`` / ``_efter`` (SUS categories + saknas);
        ``forsorjning_fore`` / ``_efter`` (per source, base = persons with a recorded source; shares
        may sum > 1); ``forsorjningsgrupp_fore`` / ``_efter``; ``omfattning`` (``paborjat``: 0 % →
        > 0 %, ``okat``: more % of 40 h than before; base = both known); ``avslutskategori``;
        ``avslut_sus``; ``avslut_innebar_egen``; ``egen_forsorjning_efter``; ``utfallsstatus``.
        Shares are fractions (0–1).

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["a", "b"], "deltagare_id": ["p", "q"], "forbund": ["X"] * 2,
    ...     "insats": ["I"] * 2, "kon": ["kvinna", "man"], "inskrivningsdatum": ["2024-01-01"] * 2,
    ...     "avslutsdatum": ["2024-06-01"] * 2, "avslutsorsak": ["studier", "forvarvsarbete"],
    ...     "forsorjning_fore": ["forsorjningsstod"] * 2, "forsorjning_efter": ["studiemedel", "lon"]})
    >>> r = outcome_report(ep, "2025-01-01", min_n=None)
    >>> r.query("kon == 'totalt' and matt == 'forsorjningsgrupp_efter' and kategori == 'egen'")["n"].item()
    2.0
    """
    df = classify_exits(episodes, reference_date)
    df = df.loc[df["avslutad"] & _in_period(df["avslutsdatum"], period_start, period_end)]
    by = list(by)
    rows = []
    groups = df.groupby(by, sort=True, dropna=False) if by else [((), df)]
    for key, sub in groups:
        key = key if isinstance(key, tuple) else (key,)
        parts = [(_TOTAL, sub)]
        if split_kon:
            parts += [(k, s) for k, s in sub.groupby(sub["kon"].fillna("saknas"), sort=True)]
        for kon, s in parts:
            for r in _report_block(s):
                rows.append({**dict(zip(by, key)), "kon": kon, **r})
    out = pd.DataFrame(rows, columns=[*by, "kon", "matt", "kategori", "n", "bas", "andel"])
    out["n"] = out["n"].astype(float)
    out["bas"] = out["bas"].astype(float)
    if min_n:
        out = _suppress_long(out, by, min_n)
    return out


def format_report(report: pd.DataFrame, matt: str, lang: str = "sv") -> pd.DataFrame:
    """Board view of one measure of :func:`outcome_report`: "n (andel %)" per kön, labels translated.

    Suppressed cells show the ``suppressed_short`` label ("–"); put
    :func:`evaluation.disclosure.footnote` under the table.

    Returns
    -------
    DataFrame of str
        Index: the grouping columns of the report and the category label; columns: kön labels
        (total first).

    Examples
    --------
    >>> rep = pd.DataFrame({"kon": ["totalt", "kvinna"], "matt": ["omfattning"] * 2,
    ...     "kategori": ["paborjat"] * 2, "n": [12.0, np.nan], "bas": [20.0, np.nan],
    ...     "andel": [0.6, np.nan], "undertryckt": [False, True]})
    >>> format_report(rep, "omfattning").iloc[0].tolist()
    ['12 (60,0\\xa0%)', '–']
    """
    from .disclosure import format_number

    sub = report[report["matt"] == matt].copy()
    by = [c for c in sub.columns if c not in ("kon", "matt", "kategori", "n", "bas", "andel", "undertryckt")]
    hidden = sub["undertryckt"].astype(bool) if "undertryckt" in sub else pd.Series(False, index=sub.index)
    sym = t("suppressed_short", lang)
    sub["cell"] = [sym if (h and pd.isna(n)) else
                   ("" if pd.isna(n) else f"{format_number(n, lang, 0)} ({_percent(a, 1, lang)})"
                    if not pd.isna(a) else format_number(n, lang, 0))
                   for n, a, h in zip(sub["n"], sub["andel"], hidden)]
    if matt.startswith("forsorjningsgrupp"):
        sub["kategori"] = [_cat_label(f"grupp_{k}", lang) for k in sub["kategori"]]
    elif matt.startswith("forsorjning_"):
        sub["kategori"] = [_forsorjning_label(k, lang) for k in sub["kategori"]]
    elif matt.startswith("sysselsattning"):
        sub["kategori"] = [vlabel("sysselsattning", k, lang) if k != "saknas" else _cat_label(k, lang)
                           for k in sub["kategori"]]
    else:
        sub["kategori"] = [_cat_label(k, lang) for k in sub["kategori"]]
    kon_order = list(dict.fromkeys([_TOTAL, *sub["kon"]]))
    sub["kon"] = pd.Categorical(sub["kon"], categories=kon_order)
    wide = sub.pivot_table(index=[*by, "kategori"], columns="kon", values="cell", aggfunc="first",
                           sort=False, observed=True)
    wide.columns = [_cat_label(str(k), lang) for k in wide.columns]
    wide.columns.name = None
    keys = _label_keys()
    wide.index.names = [t(f"flows.kol.{n}", lang) if f"flows.kol.{n}" in keys else n for n in wide.index.names]
    return wide.fillna("")


_COUNT_COLS = {"n", "bas", "kohort", "ater", "bekraftad", "obekraftad", "avslut_innebar_egen_ja",
               "egen_forsorjning_efter_ja", "egen_forsorjning_efter_kand", "i_tid", "sen", "vantar"}


def board_table(df: pd.DataFrame, lang: str = "sv") -> pd.DataFrame:
    """Board view of a flows table: Swedish/English column and category labels, counts as integers,
    shares (columns ``andel*``, ``ki_*``) in percent, suppressed cells as "–".

    Works on the outputs of :func:`exit_summary`, :func:`time_in_insats`, :func:`milestone_summary`
    and :func:`return_rate` (after :func:`evaluation.disclosure.suppress_rows`). Column labels come
    from ``flows.kol.<column>`` when defined.

    Examples
    --------
    >>> df = pd.DataFrame({"kategori": ["arbete"], "n": [7.0], "andel": [0.35], "undertryckt": [False]})
    >>> board_table(df).iloc[0].tolist()
    ['Arbete', '7', '35,0\\xa0%']
    """
    from .compare import board_table as _board

    data = df.copy()
    for col in ("kategori", "grupp"):
        if col in data.columns:
            data[col] = [_cat_label(str(v), lang) for v in data[col]]
    if "steg" in data.columns:
        data["steg"] = [t(f"flows.steg.{v}", lang) if f"flows.steg.{v}" in _label_keys() else str(v)
                        for v in data["steg"]]
    percent = tuple(c for c in data.columns if str(c).startswith(("andel", "ki_")))
    counts = tuple(c for c in data.columns if c in _COUNT_COLS or str(c).startswith("ater"))
    return _board(data, lang=lang, prefixes=("flows.kol.",), percent=percent, counts=counts)


def _label_keys() -> set:
    from .labels import labels_table

    return set(labels_table().index)


def transition_table(transitions: pd.DataFrame, lang: str = "sv", min_n: int = 5) -> pd.DataFrame:
    """Board view of :func:`forsorjning_transitions`: suppressed (primary + secondary, with totals) and labelled.

    Examples
    --------
    >>> tab = pd.DataFrame([[6, 2], [5, 7]], index=pd.Index(["forsorjningsstod", "a_kassa"], name="fore"),
    ...     columns=pd.Index(["lon", "studiemedel"], name="efter"))
    >>> transition_table(tab).loc["Försörjningsstöd"].tolist()
    ['–', '–', '8']
    """
    from . import disclosure

    shown = disclosure.format_table(disclosure.suppress_table(transitions, min_n=min_n), lang=lang)
    total = t("totalt", lang)
    shown.index = [total if i == total else _forsorjning_label(str(i), lang) for i in shown.index]
    shown.columns = [total if c == total else _forsorjning_label(str(c), lang) for c in shown.columns]
    shown.index.name = f"{t('flows.fore', lang)} \\ {t('flows.efter', lang)}"
    return shown


def forsorjning_transitions(episodes: pd.DataFrame, reference_date, period_start=None, period_end=None,
                            rule: str = "huvudsaklig") -> pd.DataFrame:
    """Transition matrix of försörjning before → after for episodes ended in a period.

    Parameters
    ----------
    rule : {"huvudsaklig", "grupp"}
        ``huvudsaklig``: one main source per person (:func:`huvudsaklig_forsorjning`); ``grupp``:
        offentlig / egen / ingen / okand (:func:`forsorjningsgrupp`). Each person counts once.

    Returns
    -------
    DataFrame
        Counts, index = before (name ``fore``), columns = after (name ``efter``), only categories
        that occur. Pass it to :func:`evaluation.disclosure.suppress_table` before showing it.

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["a", "b"], "deltagare_id": ["p", "q"], "forbund": ["X"] * 2,
    ...     "insats": ["I"] * 2, "inskrivningsdatum": ["2024-01-01"] * 2,
    ...     "avslutsdatum": ["2024-06-01"] * 2, "avslutsorsak": ["studier", "forvarvsarbete"],
    ...     "forsorjning_fore": ["forsorjningsstod", "forsorjningsstod|a_kassa"],
    ...     "forsorjning_efter": ["studiemedel", "lon"]})
    >>> forsorjning_transitions(ep, "2025-01-01").loc["forsorjningsstod"].to_dict()
    {'lon': 1, 'studiemedel': 1}
    """
    if rule not in ("huvudsaklig", "grupp"):
        raise FlowsError("rule must be 'huvudsaklig' or 'grupp'")
    df = classify_exits(episodes, reference_date)
    df = df.loc[df["avslutad"] & _in_period(df["avslutsdatum"], period_start, period_end)]
    fn = huvudsaklig_forsorjning if rule == "huvudsaklig" else forsorjningsgrupp
    order = list(HUVUDSAKLIG_ORDNING) if rule == "huvudsaklig" else list(_GROUPS)
    fore = df["forsorjning_fore"].map(fn).rename("fore")
    efter = df["forsorjning_efter"].map(fn).rename("efter")
    tab = pd.crosstab(fore, efter)
    tab = tab.reindex(index=[c for c in order if c in tab.index],
                      columns=[c for c in order if c in tab.columns])
    return tab.astype(int)


def exit_summary(episodes: pd.DataFrame, reference_date, period_start=None, period_end=None,
                 by: Sequence[str] = (), level: str = "avslutskategori", min_n: int | None = 5) -> pd.DataFrame:
    """Exits per category, with confirmed/unconfirmed status and the two self-sufficiency flags apart.

    Parameters
    ----------
    level : {"avslutskategori", "avslutsorsak", "sus_kategori"}
        Main category (huvudkategori), the source code, or the SUS crosswalk.

    Returns
    -------
    DataFrame
        ``*by, kategori, n, andel, bekraftad, obekraftad, avslut_innebar_egen_ja,
        egen_forsorjning_efter_ja, egen_forsorjning_efter_kand`` (+ ``undertryckt``); ``andel`` is the
        share of all exits in the group.

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["a", "b"], "deltagare_id": ["p", "q"], "forbund": ["X"] * 2,
    ...     "insats": ["I"] * 2, "inskrivningsdatum": ["2024-01-01"] * 2,
    ...     "avslutsdatum": ["2025-12-01", "2024-06-01"], "avslutsorsak": ["tw_arbete", "tw_arbete"]})
    >>> exit_summary(ep, "2026-01-15", min_n=None)[["kategori", "n", "bekraftad", "obekraftad"]].values.tolist()
    [['arbete', 2, 1, 1]]
    """
    df = classify_exits(episodes, reference_date)
    df = df.loc[df["avslutad"] & _in_period(df["avslutsdatum"], period_start, period_end)].copy()
    col = level if level != "avslutsorsak" else "avslutsorsak"
    df["kategori"] = df[col].fillna("saknas").replace("", "saknas")
    by = list(by)
    g = df.groupby([*by, "kategori"], sort=True)
    out = pd.DataFrame({
        "n": g.size(),
        "bekraftad": g["utfallsstatus"].apply(lambda s: int((s == "bekraftad").sum())),
        "obekraftad": g["utfallsstatus"].apply(lambda s: int((s == "obekraftad").sum())),
        "avslut_innebar_egen_ja": g["avslut_innebar_egen"].apply(lambda s: int((s == "ja").sum())),
        "egen_forsorjning_efter_ja": g["egen_forsorjning_efter"].apply(lambda s: int((s == "ja").sum())),
        "egen_forsorjning_efter_kand": g["egen_forsorjning_efter"].apply(lambda s: int((s != "okant").sum())),
    }).reset_index()
    totals = out.groupby(by)["n"].transform("sum") if by else out["n"].sum()
    out.insert(len(by) + 2, "andel", out["n"] / totals)
    out = out.sort_values([*by, "n"], ascending=[True] * len(by) + [False], kind="stable").reset_index(drop=True)
    if min_n:
        from . import disclosure

        value_cols = ["n", "andel", "bekraftad", "obekraftad", "avslut_innebar_egen_ja",
                      "egen_forsorjning_efter_ja", "egen_forsorjning_efter_kand"]
        out = disclosure.suppress_rows(out.astype({c: float for c in value_cols}), n_col="n",
                                       value_cols=value_cols, min_n=min_n)
    return out


# --------------------------------------------------------------------------------------------
# time
# --------------------------------------------------------------------------------------------

def _durations(df: pd.DataFrame, ref: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
    end = df["avslutsdatum"].where(df["avslutad"], ref)
    days = (end - df["inskrivningsdatum"]).dt.days.to_numpy(dtype=float)
    return days, df["avslutad"].to_numpy(dtype=int)


def time_in_insats(episodes: pd.DataFrame, reference_date, by: Sequence[str] = (), period_start=None,
                   period_end=None, min_n: int | None = 5) -> pd.DataFrame:
    """Time in insats ("Tid i insatsen"): mean and median days from inskrivning to avslut.

    The one definition every output uses under that title (deltagarflöden, slutrapport,
    ``results.json`` ``tid_medel_manader`` / ``tid_median_manader`` via :func:`headline`): episodes
    *ended in the report period* (``avslutsdatum`` in ``[period_start, period_end]``), time =
    ``avslutsdatum − inskrivningsdatum`` in days; months = days / 30.4375. Pass the report period:
    without it every closed episode since the start counts.

    Parameters
    ----------
    by : sequence of str
        Grouping columns, e.g. ``("insats",)`` or ``("avslutskategori",)`` (columns added by
        :func:`classify_exits` may be used).
    period_start, period_end : date-like or None
        Window on ``avslutsdatum``.

    Returns
    -------
    DataFrame
        ``*by, n, medel_dagar, median_dagar, medel_manader, median_manader`` (months = days /
        30.4375). Closed episodes only: the mean of closed episodes under-estimates time in insats
        when many are still open; see :func:`kaplan_meier`.

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["a", "b"], "deltagare_id": ["p", "q"], "forbund": ["X"] * 2,
    ...     "insats": ["I"] * 2, "inskrivningsdatum": ["2024-01-01"] * 2,
    ...     "avslutsdatum": ["2024-01-11", "2024-01-31"], "avslutsorsak": ["studier"] * 2})
    >>> time_in_insats(ep, "2025-01-01", min_n=None)[["n", "medel_dagar", "median_dagar"]].values.tolist()
    [[2.0, 20.0, 20.0]]
    """
    ref = _ts(reference_date, "reference_date")
    df = classify_exits(episodes, ref)
    df = df.loc[df["avslutad"] & _in_period(df["avslutsdatum"], period_start, period_end)].copy()
    df["dagar"] = (df["avslutsdatum"] - df["inskrivningsdatum"]).dt.days.astype(float)
    by = list(by)
    if by:
        g = df.groupby(by, sort=True)["dagar"]
        out = pd.DataFrame({"n": g.size(), "medel_dagar": g.mean(), "median_dagar": g.median()}).reset_index()
    else:
        out = pd.DataFrame({"n": [len(df)], "medel_dagar": [df["dagar"].mean()],
                            "median_dagar": [df["dagar"].median()]})
    out["n"] = out["n"].astype(float)
    out["medel_manader"] = out["medel_dagar"] / DAYS_PER_MONTH
    out["median_manader"] = out["median_dagar"] / DAYS_PER_MONTH
    if min_n:
        from . import disclosure

        out = disclosure.suppress_rows(out, n_col="n", value_cols=None, min_n=min_n)
    return out


def kaplan_meier(episodes: pd.DataFrame, reference_date, by: str | None = None) -> pd.DataFrame:
    """Kaplan–Meier curve of time to exit (any cause), open episodes censored at ``reference_date``.

    Uses :class:`statsmodels.duration.survfunc.SurvfuncRight` (Kaplan & Meier 1958, *JASA* 53:457).
    Episodes that start after ``reference_date`` are left out.

    Parameters
    ----------
    by : str or None
        Column to stratify on (e.g. ``"insats"``, ``"kon"``); one curve per value.

    Returns
    -------
    DataFrame
        ``grupp, dagar, manader, andel_kvar`` (S(t), share still in the insats), ``andel_avslutade``
        (1 − S(t)), ``se``, ``i_risk``, ``handelser``; a first row at day 0: S = 1, or S(0) < 1 when
        episodes end on their first day (same-day exits are kept as a day-0 step). The median
        (first t with S(t) ≤ 0.5) is in ``attrs["median_dagar"]`` per group (NaN when not reached).

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": list("abc"), "deltagare_id": list("pqr"), "forbund": ["X"] * 3,
    ...     "insats": ["I"] * 3, "inskrivningsdatum": ["2024-01-01"] * 3,
    ...     "avslutsdatum": ["2024-01-11", None, "2024-01-31"], "avslutsorsak": ["studier", None, "studier"]})
    >>> km = kaplan_meier(ep, "2024-01-21")
    >>> km["andel_kvar"].round(3).tolist()
    [1.0, 0.667]
    >>> same_day = ep.assign(avslutsdatum=["2024-01-01", None, "2024-01-31"])
    >>> kaplan_meier(same_day, "2024-02-21")[["dagar", "andel_kvar"]].round(3).values.tolist()
    [[0.0, 0.667], [30.0, 0.333]]
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    ref = _ts(reference_date, "reference_date")
    df = classify_exits(episodes, ref)
    df = df.loc[df["inskrivningsdatum"] <= ref]
    frames, medians = [], {}
    groups = [(_TOTAL, df)] if by is None else list(df.groupby(df[by].fillna("saknas"), sort=True))
    for name, sub in groups:
        if sub.empty:
            continue
        days, status = _durations(sub, ref)
        sf = SurvfuncRight(days, status)
        cur = pd.DataFrame({"grupp": name, "dagar": sf.surv_times, "andel_kvar": sf.surv_prob,
                            "se": sf.surv_prob_se, "i_risk": sf.n_risk, "handelser": sf.n_events})
        start = pd.DataFrame({"grupp": [name], "dagar": [0.0], "andel_kvar": [1.0], "se": [0.0],
                              "i_risk": [len(sub)], "handelser": [0.0]})
        # exits on the day of enrolment are a step at day 0 (S(0) < 1): keep it instead of the S = 1 start row
        day0 = len(cur) and float(cur["dagar"].iloc[0]) == 0.0
        frames.append(cur if day0 else pd.concat([start, cur], ignore_index=True) if len(cur) else start)
        below = sf.surv_times[sf.surv_prob <= 0.5]
        medians[name] = float(below[0]) if len(below) else np.nan
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["grupp", "dagar", "andel_kvar", "se", "i_risk", "handelser"])
    out = out.sort_values(["grupp", "dagar"], kind="stable").reset_index(drop=True)
    out["manader"] = out["dagar"] / DAYS_PER_MONTH
    out["andel_avslutade"] = 1 - out["andel_kvar"]
    out = out[["grupp", "dagar", "manader", "andel_kvar", "andel_avslutade", "se", "i_risk", "handelser"]]
    out.attrs["median_dagar"] = medians
    return out


def exit_incidence(episodes: pd.DataFrame, reference_date, method: str = "aalen_johansen",
                   confirmed_only: bool = False) -> pd.DataFrame:
    """Cumulative share exited to each exit category over time, with open episodes censored.

    Parameters
    ----------
    method : {"aalen_johansen", "km_censor"}
        ``aalen_johansen`` (default): cumulative incidence with competing exits
        (:class:`statsmodels.duration.survfunc.CumIncidenceRight`); the categories add up to the
        overall 1 − KM. ``km_censor``: per category 1 − KM with the other exits treated as censored
        (cause-specific; overstates each category when exits compete, Putter et al. 2007).
    confirmed_only : bool
        If True, exits still in their waiting period (``obekraftad``) are censored at their exit date
        instead of counted as their category.

    Returns
    -------
    DataFrame
        ``kategori, dagar, manader, kumulativ_andel`` (long; a step function per category starting
        at 0 on day 0).

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": list("abcd"), "deltagare_id": list("pqrs"), "forbund": ["X"] * 4,
    ...     "insats": ["I"] * 4, "inskrivningsdatum": ["2024-01-01"] * 4,
    ...     "avslutsdatum": ["2024-01-11", "2024-01-21", None, "2024-01-31"],
    ...     "avslutsorsak": ["studier", "forvarvsarbete", None, "studier"]})
    >>> ci = exit_incidence(ep, "2024-12-31")
    >>> ci.groupby("kategori")["kumulativ_andel"].max().to_dict()
    {'forvarvsarbete': 0.25, 'studier': 0.5}
    """
    from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight

    if method not in ("aalen_johansen", "km_censor"):
        raise FlowsError("method must be 'aalen_johansen' or 'km_censor'")
    ref = _ts(reference_date, "reference_date")
    df = classify_exits(episodes, ref)
    df = df.loc[df["inskrivningsdatum"] <= ref]
    days, closed = _durations(df, ref)
    cat = df["avslutskategori"].where(df["avslutad"].astype(bool))
    if confirmed_only:
        cat = cat.where(df["utfallsstatus"] != "obekraftad")
    cats = sorted(cat.dropna().unique())
    if not cats:
        return pd.DataFrame(columns=["kategori", "dagar", "manader", "kumulativ_andel"])
    status = cat.map({c: i + 1 for i, c in enumerate(cats)}).fillna(0).astype(int).to_numpy()
    frames = []
    if method == "aalen_johansen":
        with np.errstate(divide="ignore", invalid="ignore"):
            ci = CumIncidenceRight(days, status)
        for i, c in enumerate(cats):
            frames.append(pd.DataFrame({"kategori": c, "dagar": ci.times, "kumulativ_andel": ci.cinc[i]}))
    else:
        for i, c in enumerate(cats):
            sf = SurvfuncRight(days, (status == i + 1).astype(int))
            frames.append(pd.DataFrame({"kategori": c, "dagar": sf.surv_times,
                                        "kumulativ_andel": 1 - sf.surv_prob}))
    out = pd.concat([pd.DataFrame({"kategori": cats, "dagar": 0.0, "kumulativ_andel": 0.0})] + frames,
                    ignore_index=True)
    out = out.sort_values(["kategori", "dagar"], kind="stable").reset_index(drop=True)
    out["manader"] = out["dagar"] / DAYS_PER_MONTH
    return out[["kategori", "dagar", "manader", "kumulativ_andel"]]


# --------------------------------------------------------------------------------------------
# journey milestones
# --------------------------------------------------------------------------------------------

def milestones(events: pd.DataFrame, reference_date, steps: Sequence[tuple[str, str, int | None]] = (
        ("samtycke", "forsta_mote", None), ("forsta_mote", "handlingsplan", 35))) -> pd.DataFrame:
    """Per-episode time between journey events and whether each step was on time.

    Parameters
    ----------
    events : DataFrame
        Events (EVENTS schema: ``episod_id, datum, handelse``).
    reference_date : date-like
        Extract date: a step not yet taken is *late* once the deadline has passed by this day.
    steps : sequence of (from_event, to_event, deadline_days or None)
        Default: samtycke → första möte (no deadline) and första möte → handlingsplan within 35 days
        ("inom fem veckor efter att teamet har haft sitt första möte", Team Work, seed 003; the
        holiday exception is not modelled; "Dag 1-30" would be ``30``).

    Returns
    -------
    DataFrame
        One row per episode × step having the from-event: ``episod_id, steg, fran_datum, till_datum,
        dagar, frist_dagar, status`` with status ``i_tid`` / ``sen`` (after the deadline or still
        missing after it) / ``vantar`` (missing, deadline not yet passed) / ``klar`` (no deadline).
        The first occurrence of each event is used; a to-event before the from-event is ignored.

    Examples
    --------
    >>> ev = pd.DataFrame({"episod_id": ["a", "a", "b"], "handelse": ["forsta_mote", "handlingsplan",
    ...     "forsta_mote"], "datum": pd.to_datetime(["2024-01-01", "2024-02-05", "2024-01-01"])})
    >>> milestones(ev, "2024-03-01", steps=[("forsta_mote", "handlingsplan", 35)])["status"].tolist()
    ['i_tid', 'sen']
    """
    ref = _ts(reference_date, "reference_date")
    _require(events, ["episod_id", "datum", "handelse"], "events")
    ev = events.assign(datum=pd.to_datetime(events["datum"]))
    rows = []
    for frm, to, deadline in steps:
        a = ev[ev["handelse"] == frm].groupby("episod_id")["datum"].min().rename("fran_datum")
        b_all = ev[ev["handelse"] == to][["episod_id", "datum"]].merge(a.reset_index(), on="episod_id")
        b = b_all[b_all["datum"] >= b_all["fran_datum"]].groupby("episod_id")["datum"].min().rename("till_datum")
        d = pd.concat([a, b], axis=1, join="outer").loc[a.index].reset_index()
        d["steg"] = f"{frm}->{to}"
        d["dagar"] = (d["till_datum"] - d["fran_datum"]).dt.days.astype(float)
        d["frist_dagar"] = np.nan if deadline is None else float(deadline)
        if deadline is None:
            status = np.where(d["till_datum"].notna(), "klar", "vantar")
        else:
            passed = (ref - d["fran_datum"]).dt.days > deadline
            status = np.where(d["till_datum"].notna(),
                              np.where(d["dagar"] <= deadline, "i_tid", "sen"),
                              np.where(passed, "sen", "vantar"))
        d["status"] = pd.Series(status, index=d.index, dtype="str")
        rows.append(d)
    cols = ["episod_id", "steg", "fran_datum", "till_datum", "dagar", "frist_dagar", "status"]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    return out[cols].sort_values(["steg", "episod_id"], kind="stable").reset_index(drop=True)


def milestone_summary(milestone_rows: pd.DataFrame, min_n: int | None = 5) -> pd.DataFrame:
    """Summarise :func:`milestones`: n, median and mean days, share on time.

    ``andel_i_tid`` = i_tid / (i_tid + sen); episodes still *vantar* are left out of the base.

    Returns
    -------
    DataFrame
        ``steg, n, median_dagar, medel_dagar, frist_dagar, i_tid, sen, vantar, andel_i_tid``.

    Examples
    --------
    >>> rows = pd.DataFrame({"steg": ["x"] * 3, "dagar": [10.0, 40.0, np.nan], "frist_dagar": [35.0] * 3,
    ...     "status": ["i_tid", "sen", "sen"]})
    >>> milestone_summary(rows, min_n=None)[["n", "median_dagar", "andel_i_tid"]].round(3).values.tolist()
    [[2.0, 25.0, 0.333]]
    """
    rows = []
    for steg, s in milestone_rows.groupby("steg", sort=False):
        done = s["dagar"].dropna()
        i_tid, sen, vantar = (int((s["status"] == k).sum()) for k in ("i_tid", "sen", "vantar"))
        rows.append({"steg": steg, "n": float(len(done)), "median_dagar": done.median(),
                     "medel_dagar": done.mean(), "frist_dagar": s["frist_dagar"].iloc[0],
                     "i_tid": i_tid, "sen": sen, "vantar": vantar,
                     "andel_i_tid": i_tid / (i_tid + sen) if (i_tid + sen) else np.nan})
    out = pd.DataFrame(rows, columns=["steg", "n", "median_dagar", "medel_dagar", "frist_dagar", "i_tid",
                                      "sen", "vantar", "andel_i_tid"])
    if min_n and len(out):
        from . import disclosure

        out = disclosure.suppress_rows(out, n_col="n", value_cols=["n", "median_dagar", "medel_dagar"],
                                       min_n=min_n)
        base = out["i_tid"] + out["sen"]
        small = (base > 0) & (base < min_n)
        out.loc[small, ["i_tid", "sen", "andel_i_tid"]] = np.nan
        out["undertryckt"] = out["undertryckt"] | small
    return out


# --------------------------------------------------------------------------------------------
# monthly statistics
# --------------------------------------------------------------------------------------------

def monthly_flows(episodes: pd.DataFrame, reference_date, period_start=None, period_end=None,
                  by: Sequence[str] = ()) -> pd.DataFrame:
    """Monthly statistics: active, new and ended episodes, ended per exit category.

    The coordinator's monthly report of Team Work (seed 003: "hur många team som är igång samt hur
    många team har avslutats samt till vilken avslutskategori").

    Parameters
    ----------
    period_start, period_end : date-like or None
        First and last month (default: first inskrivning to ``reference_date``).
    by : sequence of str
        Optional grouping columns (e.g. ``("insats",)``).

    Returns
    -------
    DataFrame
        ``*by, manad`` (``"YYYY-MM"``), ``aktiva`` (active at least one day of the month),
        ``aktiva_vid_manadsslut``, ``nya``, ``avslutade`` and one ``avslutade_<huvudkategori>`` column
        per category that occurs. Counts of episodes; not suppressed (operational report, apply
        :func:`evaluation.disclosure.suppress_rows` per column before a board sees it).

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["a", "b"], "deltagare_id": ["p", "q"], "forbund": ["X"] * 2,
    ...     "insats": ["I"] * 2, "inskrivningsdatum": ["2024-01-15", "2024-02-01"],
    ...     "avslutsdatum": ["2024-02-10", None], "avslutsorsak": ["studier", None]})
    >>> m = monthly_flows(ep, "2024-03-31")
    >>> m[["manad", "aktiva", "aktiva_vid_manadsslut", "nya", "avslutade"]].values.tolist()
    [['2024-01', 1, 1, 1, 0], ['2024-02', 2, 1, 1, 1], ['2024-03', 1, 1, 0, 0]]
    """
    ref = _ts(reference_date, "reference_date")
    df = classify_exits(episodes, ref)
    if df.empty:
        return pd.DataFrame(columns=[*by, "manad", "aktiva", "aktiva_vid_manadsslut", "nya", "avslutade"])
    start = _ts(period_start, "period_start") if period_start not in (None, "") else df["inskrivningsdatum"].min()
    end = _ts(period_end, "period_end") if period_end not in (None, "") else ref
    months = pd.period_range(start.to_period("M"), end.to_period("M"), freq="M")
    cats = sorted(df["avslutskategori"].dropna().unique())
    end_eff = df["avslutsdatum"].where(df["avslutad"])
    by = list(by)
    groups = df.groupby(by, sort=True) if by else [((), df)]
    rows = []
    for key, sub in groups:
        key = key if isinstance(key, tuple) else (key,)
        ins, ut = sub["inskrivningsdatum"], end_eff.loc[sub.index]
        for m in months:
            m0, m1 = m.start_time.normalize(), m.end_time.normalize()
            row = {**dict(zip(by, key)), "manad": str(m),
                   "aktiva": int(((ins <= m1) & (ut.isna() | (ut >= m0))).sum()),
                   "aktiva_vid_manadsslut": int(((ins <= m1) & (ut.isna() | (ut > m1))).sum()),
                   "nya": int(ins.between(m0, m1).sum()),
                   "avslutade": int(ut.between(m0, m1).sum())}
            for c in cats:
                row[f"avslutade_{c}"] = int((ut.between(m0, m1) & (sub["avslutskategori"] == c)).sum())
            rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# return (rundgång)
# --------------------------------------------------------------------------------------------

def return_rate(episodes: pd.DataFrame, events: pd.DataFrame | None, exit_from, exit_to, review_date,
                return_events: Sequence[str] = ("aterkontakt", "forsorjningsstod_ater"),
                count_new_episode: bool = True, by: Sequence[str] = ()) -> pd.DataFrame:
    """Share of an exit cohort that came back (rundgång) by a review date.

    Parameters
    ----------
    episodes, events : DataFrame
        Episodes and events (``events`` may be None: only new episodes then count).
    exit_from, exit_to : date-like
        Exit window (inclusive) defining the cohort (Vuxenteamen: January–April 2000).
    review_date : date-like
        Review date (Vuxenteamen: January 2001); returns after it are not counted.
    return_events : sequence of str
        Event codes that mean a return.
    count_new_episode : bool
        Also count a new episode of the same deltagare starting after the exit (non-anonymous only:
        anonymous participants are not linked).
    by : sequence of str

    Returns
    -------
    DataFrame
        ``*by, kohort, ater, andel, ki_lag, ki_hog`` plus one ``ater_<event>`` column per return
        event and ``ater_ny_episod``. A person counts once in ``ater`` even with several kinds of
        return. Wilson 95 % CI (``statsmodels.stats.proportion.proportion_confint``).

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["a", "b"], "deltagare_id": ["p", "q"], "forbund": ["X"] * 2,
    ...     "insats": ["I"] * 2, "inskrivningsdatum": ["2024-01-01"] * 2,
    ...     "avslutsdatum": ["2024-02-01", "2024-03-01"], "avslutsorsak": ["studier"] * 2})
    >>> ev = pd.DataFrame({"episod_id": ["a"], "datum": pd.to_datetime(["2024-06-01"]),
    ...     "handelse": ["aterkontakt"]})
    >>> r = return_rate(ep, ev, "2024-01-01", "2024-04-30", "2024-12-31")
    >>> int(r["kohort"].item()), int(r["ater"].item()), r["andel"].item()
    (2, 1, 0.5)
    """
    from statsmodels.stats.proportion import proportion_confint

    review = _ts(review_date, "review_date")
    df = prepare_episodes(episodes)
    cohort = df.loc[_in_period(df["avslutsdatum"], exit_from, exit_to)].copy()
    flags = {}
    if events is not None and len(events):
        ev = events.assign(datum=pd.to_datetime(events["datum"]))
        for code in return_events:
            hit = ev[ev["handelse"] == code].merge(cohort[["episod_id", "avslutsdatum"]], on="episod_id")
            hit = hit[(hit["datum"] > hit["avslutsdatum"]) & (hit["datum"] <= review)]
            flags[f"ater_{code}"] = cohort["episod_id"].isin(hit["episod_id"])
    else:
        for code in return_events:
            flags[f"ater_{code}"] = pd.Series(False, index=cohort.index)
    if count_new_episode:
        later = df[~df["anonym"]][["deltagare_id", "inskrivningsdatum"]]
        pairs = cohort[~cohort["anonym"]][["episod_id", "deltagare_id", "avslutsdatum"]].merge(later, on="deltagare_id")
        pairs = pairs[(pairs["inskrivningsdatum"] > pairs["avslutsdatum"]) & (pairs["inskrivningsdatum"] <= review)]
        flags["ater_ny_episod"] = cohort["episod_id"].isin(pairs["episod_id"])
    for k, v in flags.items():
        cohort[k] = v.to_numpy() if isinstance(v, pd.Series) else v
    flag_cols = list(flags)
    cohort["ater"] = cohort[flag_cols].any(axis=1) if flag_cols else False
    by = list(by)
    agg = {"kohort": ("episod_id", "size"), "ater": ("ater", "sum"), **{c: (c, "sum") for c in flag_cols}}
    out = cohort.groupby(by, sort=True).agg(**agg).reset_index() if by else \
        pd.DataFrame({k: [cohort[c].sum() if f == "sum" else len(cohort)] for k, (c, f) in agg.items()})
    out["kohort"] = out["kohort"].astype(int)
    out["ater"] = out["ater"].astype(int)
    out["andel"] = np.where(out["kohort"] > 0, out["ater"] / out["kohort"].where(out["kohort"] > 0, 1), np.nan)
    lo, hi = proportion_confint(out["ater"], out["kohort"].where(out["kohort"] > 0, 1), method="wilson")
    out["ki_lag"] = np.where(out["kohort"] > 0, lo, np.nan)
    out["ki_hog"] = np.where(out["kohort"] > 0, hi, np.nan)
    return out[[*by, "kohort", "ater", "andel", "ki_lag", "ki_hog", *flag_cols]]


# --------------------------------------------------------------------------------------------
# aggregate-only mode
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Check:
    kontroll: str
    delar: str
    summa_delar: float
    angiven_summa: float
    differens: float
    ok: bool
    kommentar: str


def check_parts(name: str, parts: Mapping[str, float], total: float | None = None, tolerance: float = 0.0,
                residual_label: str = "ej_redovisat", unit: str = "antal") -> tuple[pd.DataFrame, dict]:
    """Check that reported parts add up to their total; show the gap as a residual category.

    Parameters
    ----------
    name : str
        Name of the check (e.g. ``"ej_offentlig_forsorjning"``).
    parts : mapping
        ``{category: value}`` as reported.
    total : float or None
        Stated total; for ``unit="procent"`` the default total is 100.
    tolerance : float
        Allowed absolute difference (rounding of printed percentages).
    residual_label : str
        Category given to ``total − sum(parts)`` when positive.
    unit : {"antal", "procent"}

    Returns
    -------
    (DataFrame, dict)
        Table ``kategori, varde, andel`` (``andel`` = value / total, a fraction) with a residual row
        when the parts fall short and a ``summa`` row; and the check as a dict ``kontroll, delar,
        summa_delar, angiven_summa, differens, ok, kommentar``. The sum is never silently fixed.

    Examples
    --------
    >>> tab, chk = check_parts("forsorjning_start", {"a": 48, "b": 16, "c": 27}, unit="procent")
    >>> tab.set_index("kategori")["varde"].to_dict()
    {'a': 48.0, 'b': 16.0, 'c': 27.0, 'ej_redovisat': 9.0, 'summa': 100.0}
    >>> chk["ok"], chk["differens"]
    (False, -9.0)
    """
    if total is None:
        if unit != "procent":
            total = float(sum(parts.values()))
        else:
            total = 100.0
    total = float(total)
    s = float(sum(float(v) for v in parts.values()))
    diff = s - total
    ok = abs(diff) <= tolerance
    rows = [{"kategori": k, "varde": float(v)} for k, v in parts.items()]
    comment = ""
    if diff < -tolerance:
        rows.append({"kategori": residual_label, "varde": -diff})
        comment = f"delarna summerar till {s:g}, {-diff:g} under angiven summa {total:g}: visas som {residual_label}"
    elif diff > tolerance:
        comment = f"delarna summerar till {s:g}, {diff:g} över angiven summa {total:g}"
    rows.append({"kategori": "summa", "varde": total})
    tab = pd.DataFrame(rows)
    tab["andel"] = tab["varde"] / total if total else np.nan
    chk = _Check(name, " + ".join(f"{float(v):g}" for v in parts.values()), s, total, diff, ok, comment)
    return tab, chk.__dict__.copy()


def _percent_check(name: str, part: float, base: float, stated, tolerance: float) -> dict:
    """One check row: is the stated percentage 100 × part / base within ``tolerance`` points?"""
    pct = 100 * part / base
    d = pct - float(stated)
    ok = abs(d) <= tolerance
    return {"kontroll": name, "delar": f"100 × {part:g} / {base:g}", "summa_delar": pct,
            "angiven_summa": float(stated), "differens": d, "ok": ok,
            "kommentar": "" if ok else "angiven procent stämmer inte"}


def aggregate_outcomes(avslutade: float, ej_offentlig: Mapping[str, float], arbete: Mapping[str, float] | None = None,
                       ater: tuple[float, float] | None = None, forsorjning_start: Mapping[str, float] | None = None,
                       stated: Mapping[str, float] | None = None, tolerance_procent: float = 0.5) -> dict:
    """Outcomes from reported aggregates only (no individual data), with consistency checks.

    Reproduces a reported outcome table such as Vuxenteamen's (seed 002, T5–T8): no public support at
    exit as the sum of its parts and a share of all leavers; work as the sum of unsubsidised and
    subsidised work; return share of a follow-up cohort; income at start with its residual.

    Parameters
    ----------
    avslutade : number
        All leavers (denominator).
    ej_offentlig : mapping
        Parts of "ej i behov av offentlig försörjning vid avslut" (e.g. arbete utan offentligt stöd,
        egenfinansierade studier, okänt men ej aktuell).
    arbete : mapping or None
        Parts of "gick ut till arbete" (e.g. utan stöd + subventionerat).
    ater : (returned, cohort) or None
        Rundgång follow-up.
    forsorjning_start : mapping or None
        Income at start in percent; the gap to 100 is shown as ``ej_redovisat``.
    stated : mapping or None
        Totals and percentages as printed, checked against the computed ones: keys
        ``ej_offentlig`` (count), ``ej_offentlig_procent``, ``arbete`` (count), ``ater_procent``.
    tolerance_procent : float
        Allowed difference in percentage points for printed (rounded) percentages.

    Returns
    -------
    dict
        ``resultat`` (DataFrame ``matt, n, bas, andel``), ``forsorjning_start`` (table from
        :func:`check_parts` or None), ``kontroller`` (DataFrame of checks, see :func:`check_parts`)
        and ``ok`` (all checks pass). Shares are fractions. Exit ≠ self-sufficiency: work counts and
        no-public-support counts stay separate rows.

    Examples
    --------
    >>> r = aggregate_outcomes(975, {"arbete_utan_stod": 422, "studier": 111, "okant_ej_aktuell": 133})
    >>> r["resultat"].set_index("matt").loc["ej_offentlig_forsorjning", ["n", "bas"]].tolist()
    [666.0, 975.0]
    """
    avslutade = float(avslutade)
    stated = dict(stated or {})
    rows, checks = [], []
    n_ej = float(sum(ej_offentlig.values()))
    rows.append({"matt": "ej_offentlig_forsorjning", "n": n_ej, "bas": avslutade, "andel": n_ej / avslutade})
    _, c = check_parts("ej_offentlig_forsorjning", ej_offentlig, stated.get("ej_offentlig", n_ej))
    checks.append(c)
    checks.append(check_parts("ej_offentlig_inom_avslutade", {"ej_offentlig_forsorjning": n_ej,
                              "ovriga": avslutade - n_ej}, avslutade)[1] | (
        {"ok": n_ej <= avslutade, "kommentar": "" if n_ej <= avslutade else "delen är större än totalen"}))
    if "ej_offentlig_procent" in stated:
        checks.append(_percent_check("ej_offentlig_procent", n_ej, avslutade, stated["ej_offentlig_procent"],
                                     tolerance_procent))
    if arbete is not None:
        n_arb = float(sum(arbete.values()))
        rows.append({"matt": "arbete", "n": n_arb, "bas": avslutade, "andel": n_arb / avslutade})
        for k, v in arbete.items():
            rows.append({"matt": f"arbete.{k}", "n": float(v), "bas": n_arb, "andel": float(v) / n_arb})
        checks.append(check_parts("arbete", arbete, stated.get("arbete", n_arb))[1])
    for k, v in ej_offentlig.items():
        rows.append({"matt": f"ej_offentlig_forsorjning.{k}", "n": float(v), "bas": n_ej,
                     "andel": float(v) / n_ej if n_ej else np.nan})
    if ater is not None:
        n_at, kohort = (float(x) for x in ater)
        rows.append({"matt": "ater", "n": n_at, "bas": kohort, "andel": n_at / kohort})
        ok = 0 <= n_at <= kohort
        checks.append({"kontroll": "ater_inom_kohort", "delar": f"{n_at:g}", "summa_delar": n_at,
                       "angiven_summa": kohort, "differens": n_at - kohort, "ok": ok,
                       "kommentar": "" if ok else "fler återkomna än kohorten"})
        if "ater_procent" in stated:
            checks.append(_percent_check("ater_procent", n_at, kohort, stated["ater_procent"], tolerance_procent))
    start_tab = None
    if forsorjning_start is not None:
        start_tab, c = check_parts("forsorjning_start", forsorjning_start, 100.0, unit="procent")
        checks.append(c)
    kontroller = pd.DataFrame(checks, columns=["kontroll", "delar", "summa_delar", "angiven_summa",
                                               "differens", "ok", "kommentar"])
    return {"resultat": pd.DataFrame(rows, columns=["matt", "n", "bas", "andel"]),
            "forsorjning_start": start_tab, "kontroller": kontroller, "ok": bool(kontroller["ok"].all())}


def check_reported(reported: pd.DataFrame, tolerance: float | None = None, lang: str = "sv") -> pd.DataFrame:
    """Check a long-form reported table (``rapporterat/*.csv``) by its declared structure.

    The one check of reported tables, :func:`evaluation.reported.check_reported`: every declared
    relation (a part's parent, a declared residual, a share's numerator and base, a change's two
    levels, a product's factors) is checked, single rows included; nothing is inferred from the
    numbers (so 10 + 20 + 30 = 60 and 25 / 25 / 50 % pass). Rounding-aware unless ``tolerance``.

    Returns
    -------
    DataFrame
        Columns of :data:`evaluation.reported.COLUMNS` (``ok`` is False only for ``avvikelse``).

    Examples
    --------
    >>> rep = pd.DataFrame({"kalla": ["002"] * 5, "tabell": ["T5"] * 5, "kategori": ["a", "b", "c", "summa", "andel"],
    ...     "varde": [422, 111, 133, 666, 75], "enhet": ["antal"] * 4 + ["procent"],
    ...     "id": ["", "", "", "S", ""], "relation": ["del av S"] * 3 + ["", "andel S / 975"]})
    >>> check_reported(rep)[["kontroll", "ok"]].values.tolist()
    [['summa', True], ['andel', False]]
    """
    from . import reported as _reported

    return _reported.check_reported(reported, tolerance=tolerance, lang=lang)


# --------------------------------------------------------------------------------------------
# headline
# --------------------------------------------------------------------------------------------

#: Key figures of :func:`key_figure_counts`, in reading order (the board's nyckeltal).
KEY_FIGURE_COUNTS: tuple[str, ...] = ("aktiva", "nya", "avslutade", "andel_arbete_studier", "offentlig_fore",
                                      "offentlig_efter", "egen_efter")


def key_figure_counts(episodes: pd.DataFrame, reference_date, period_start=None, period_end=None) -> pd.DataFrame:
    """The flow key figures (nyckeltal) as counts and bases: the one definition every output uses.

    Episodes are insats episodes (registration errors dropped by :func:`prepare_episodes`); the period
    is ``[period_start, period_end]`` (open ends: no bound); "ended" means ``avslutsdatum`` in the period.

    * ``aktiva``: episodes active at least one day of the period (inskrivning ≤ period end and no
      avslut before period start; without a period end: inskrivning ≤ ``reference_date``);
    * ``nya``: inskrivning in the period (``results.json``: ``inskrivna_i_perioden``);
    * ``avslutade``: ended in the period (``avslutade_i_perioden``);
    * ``andel_arbete_studier``: ended in the period with SUS exit category *förvärvsarbete* or
      *studier* / ended in the period (``arbete_studier_andel``);
    * ``offentlig_fore``, ``offentlig_efter``: ended in the period whose försörjningsgrupp before /
      after is *offentlig* (:func:`forsorjningsgrupp`) / ended in the period
      (``offentlig_fore_andel``, ``offentlig_efter_andel``);
    * ``egen_efter``: ended with egen försörjning after (``egen_forsorjning_efter == "ja"``) / ended
      whose försörjning after is known (``egen_forsorjning_efter_andel``).

    Not suppressed (counts for :func:`headline`); the board view
    (:func:`evaluation.dashboards.key_figures`) suppresses them with
    :func:`evaluation.disclosure.suppress_shares`.

    Returns
    -------
    DataFrame
        ``nyckel, antal, bas, andel`` (``bas`` NaN for plain counts; ``andel`` = antal / bas, NaN
        when bas is 0 or NaN), rows in :data:`KEY_FIGURE_COUNTS` order.

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["a", "b", "c"], "deltagare_id": ["p", "q", "r"], "forbund": "X",
    ...     "insats": "I", "inskrivningsdatum": ["2024-06-01", "2025-02-01", "2025-03-01"],
    ...     "avslutsdatum": ["2025-03-01", "2025-08-01", None], "avslutsorsak": ["studier", "tw_flytt", None],
    ...     "forsorjning_fore": "forsorjningsstod", "forsorjning_efter": ["studiemedel", None, None]})
    >>> k = key_figure_counts(ep, "2026-01-15", "2025-01-01", "2025-12-31").set_index("nyckel")
    >>> k.loc[["aktiva", "nya", "avslutade"], "antal"].tolist(), float(k.at["andel_arbete_studier", "andel"])
    ([3.0, 2.0, 2.0], 0.5)
    >>> k.loc["egen_efter", ["antal", "bas"]].tolist()   # the one whose support after is known
    [1.0, 1.0]
    """
    ref = _ts(reference_date, "reference_date")
    df = classify_exits(episodes, ref) if "avslutad" not in episodes.columns else episodes
    ins, avs = df["inskrivningsdatum"], df["avslutsdatum"]
    start = _ts(period_start, "period_start") if period_start is not None else None
    end = _ts(period_end, "period_end") if period_end is not None else ref
    active = (ins <= end) & ((avs.isna() | (avs >= start)) if start is not None else True)
    closed = df.loc[df["avslutad"] & _in_period(avs, period_start, period_end)]
    n_closed = len(closed)
    known = int((closed["egen_forsorjning_efter"] != "okant").sum())
    rows = [
        ("aktiva", int(active.sum()), np.nan),
        ("nya", int(_in_period(ins, period_start, period_end).sum()), np.nan),
        ("avslutade", n_closed, np.nan),
        ("andel_arbete_studier", int(closed["sus_kategori"].isin(["forvarvsarbete", "studier"]).sum()), n_closed),
        ("offentlig_fore", int((closed["forsorjningsgrupp_fore"] == "offentlig").sum()), n_closed),
        ("offentlig_efter", int((closed["forsorjningsgrupp_efter"] == "offentlig").sum()), n_closed),
        ("egen_efter", int((closed["egen_forsorjning_efter"] == "ja").sum()), known),
    ]
    out = pd.DataFrame(rows, columns=["nyckel", "antal", "bas"])
    out["antal"] = out["antal"].astype(float)
    out["andel"] = out["antal"] / out["bas"].where(out["bas"] > 0)
    return out


def headline(episodes: pd.DataFrame, events: pd.DataFrame | None, reference_date, period_start=None,
             period_end=None, plan_deadline_days: int = 35, return_window: tuple | None = None,
             review_date=None) -> dict:
    """Headline results of the flow analysis (the keys recorded by the notebook; see module docstring).

    Computed without suppression on all selected episodes (totals, not small cells); shares are
    fractions. ``egen_forsorjning_efter_andel`` uses as base the closed episodes whose group after is
    known; ``offentlig_*_andel`` all closed episodes in the period.

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["a", "b"], "deltagare_id": ["p", "q"], "forbund": ["X"] * 2,
    ...     "insats": ["I"] * 2, "inskrivningsdatum": ["2024-01-01"] * 2,
    ...     "avslutsdatum": ["2024-02-01", None], "avslutsorsak": ["studier", None],
    ...     "forsorjning_efter": ["studiemedel", None]})
    >>> h = headline(ep, None, "2024-12-31")
    >>> h["avslutade_i_perioden"], h["egen_forsorjning_efter_andel"]
    (1, 1.0)
    """
    ref = _ts(reference_date, "reference_date")
    df = classify_exits(episodes, ref)
    h: dict = dict(count_participants(df))
    kf = key_figure_counts(df, ref, period_start, period_end).set_index("nyckel")
    share = lambda key: None if pd.isna(kf.at[key, "andel"]) else float(kf.at[key, "andel"])  # noqa: E731
    h["inskrivna_i_perioden"] = int(kf.at["nya", "antal"])
    closed = df[df["avslutad"] & _in_period(df["avslutsdatum"], period_start, period_end)]
    h["avslutade_i_perioden"] = int(kf.at["avslutade", "antal"])
    h["pagaende_vid_referensdatum"] = int((~df["avslutad"] & (df["inskrivningsdatum"] <= ref)).sum())
    h["avslut_per_kategori"] = {str(k): int(v) for k, v in closed["avslutskategori"].value_counts().sort_index().items()}
    h["avslut_obekraftade"] = int((closed["utfallsstatus"] == "obekraftad").sum())
    h["egen_forsorjning_efter_andel"] = share("egen_efter")
    h["offentlig_fore_andel"] = share("offentlig_fore")
    h["offentlig_efter_andel"] = share("offentlig_efter")
    h["aktiva_i_perioden"] = int(kf.at["aktiva", "antal"])
    h["arbete_studier_andel"] = share("andel_arbete_studier")
    h["avslut_per_sus_kategori"] = {str(k): int(v) for k, v in
                                    closed["sus_kategori"].value_counts().sort_index().items()}
    # "ej i behov av offentlig försörjning vid avslut" (Vuxenteamen T5: 666 / 975) among all closed episodes
    h["ej_offentlig_forsorjning_vid_avslut_andel"] = (
        float((closed["avslut_offentlig_forsorjning"] == "nej").sum() / len(closed)) if len(closed) else None)
    fore, efter = closed["omfattning_fore"].astype(float), closed["omfattning_efter"].astype(float)
    both = fore.notna() & efter.notna()
    up = both & (((fore == 0) & (efter > 0)) | ((fore > 0) & (efter > fore)))
    h["paborjat_eller_okat_andel"] = float(up.sum() / both.sum()) if both.sum() else None
    tid = time_in_insats(df, ref, period_start=period_start, period_end=period_end, min_n=None).iloc[0]
    h["tid_medel_manader"] = float(tid["medel_manader"]) if tid["n"] else None
    h["tid_median_manader"] = float(tid["median_manader"]) if tid["n"] else None
    km = kaplan_meier(df, ref)
    med = km.attrs["median_dagar"].get(_TOTAL, np.nan)
    h["km_median_manader"] = None if pd.isna(med) else float(med / DAYS_PER_MONTH)
    h["handlingsplan_i_tid_andel"] = None
    h["handlingsplan_frist_dagar"] = int(plan_deadline_days)
    if events is not None and len(events):
        ev = events[events["episod_id"].isin(df["episod_id"])]
        ms = milestones(ev, ref, steps=[("forsta_mote", "handlingsplan", plan_deadline_days)])
        summ = milestone_summary(ms, min_n=None)
        if len(summ):
            v = summ["andel_i_tid"].iloc[0]
            h["handlingsplan_i_tid_andel"] = None if pd.isna(v) else float(v)
    h["aterkomst_andel"], h["aterkomst_kohort"] = None, 0
    if return_window is not None and review_date:
        rr = return_rate(df, events, return_window[0], return_window[1], review_date)
        h["aterkomst_kohort"] = int(rr["kohort"].iloc[0])
        h["aterkomst_andel"] = None if pd.isna(rr["andel"].iloc[0]) else float(rr["andel"].iloc[0])
    return h


#: Headline keys shown in :func:`key_figures_table`, in reading order, with their kind of value.
KEY_FIGURES: tuple[tuple[str, str], ...] = (
    ("antal_episoder", "antal"), ("antal_deltagare", "antal"), ("antal_anonyma", "antal"),
    ("inskrivna_i_perioden", "antal"), ("avslutade_i_perioden", "antal"),
    ("pagaende_vid_referensdatum", "antal"), ("avslut_obekraftade", "antal"),
    ("egen_forsorjning_efter_andel", "andel"), ("offentlig_fore_andel", "andel"),
    ("offentlig_efter_andel", "andel"), ("paborjat_eller_okat_andel", "andel"),
    ("tid_medel_manader", "manader"), ("tid_median_manader", "manader"), ("km_median_manader", "manader"),
    ("handlingsplan_i_tid_andel", "andel"), ("aterkomst_kohort", "antal"), ("aterkomst_andel", "andel"),
)


#: Counts of :func:`headline` that a board reads as a signed sum of cells of the protected table set
#: (issue 15): ``{headline key: [(coefficient, matt, dims), ...]}``, dims within the slice. Under a
#: table set the board's value (the key figure table, ``results.json``) is this sum of the published
#: cells, never the microdata count; it is published only when every cell is.
#:
#: * ``antal_episoder`` is the ``nya`` cell of period ``"alla"``: every episode (registration errors
#:   dropped, anonymous ones included) with inskrivning on or before the table set's extract date;
#:   :func:`count_participants` counts every selected episode, also one dated after the extract date,
#:   so the board's label says what the cell counts (``flows.nyckeltal.antal_episoder.tabell``).
#: * ``pagaende_vid_referensdatum`` = ``nya`` − ``avslutade``, both of period ``"alla"``: the cells
#:   count the episodes with inskrivning ≤ the extract date and, of those, the ones with
#:   ``avslutad`` (avslut ≤ the extract date, :func:`classify_exits`), every year summed into
#:   ``"alla"`` (:func:`evaluation.tableset.build`); the headline counts ``~avslutad`` and
#:   inskrivning ≤ the extract date: the same episodes by definition.
#: * the period counts are the cells of the slice's year.
CELL_COUNTS: dict[str, list[tuple[int, str, dict]]] = {
    "antal_episoder": [(1, "nya", {"period": "alla"})],
    "inskrivna_i_perioden": [(1, "nya", {})],
    "avslutade_i_perioden": [(1, "avslutade", {})],
    "pagaende_vid_referensdatum": [(1, "nya", {"period": "alla"}), (-1, "avslutade", {"period": "alla"})],
    "aktiva_i_perioden": [(1, "aktiva", {})],
}

#: Shares of :func:`headline` that a board reads as a ratio of cells of the protected table set (issue
#: 15): ``{headline key: (numerator cells, base cells)}``, each cell ``(matt, dims)`` with dims within
#: the slice (like :data:`CELL_COUNTS`). The one definition of these shares as cells: under a table set
#: the board's value (the key figure table, ``results.json``, the slutrapport, the board dashboard's
#: key figures, :func:`evaluation.dashboards.key_figures`) is Σ numerator / Σ base of the published
#: cells (:func:`cell_share`), never the microdata share; it is published only when every cell is.
#: The definitions are those of :func:`key_figure_counts`:
#:
#: * ``egen_forsorjning_efter_andel``: ``egen`` *ja* / ``egen`` *ja* + *nej* (the avslutade whose
#:   support after is known; *okant* is left out of the base);
#: * ``offentlig_fore_andel`` / ``offentlig_efter_andel``: ``forsorjning_fore`` / ``forsorjning_efter``
#:   with försörjningsgrupp *offentlig* / ``avslutade``;
#: * ``arbete_studier_andel``: ``sus`` *förvärvsarbete* + *studier* / ``avslutade``;
#: * ``handlingsplan_i_tid_andel``: ``handlingsplan`` *i_tid* / ``handlingsplan`` of period ``"alla"``
#:   (episodes of every year whose första möte → handlingsplan step is judged at the table set's
#:   extract date, with :data:`evaluation.tableset.PLAN_DEADLINE_DAYS`; another deadline is no cell).
#:
#: Where the table set is dated differently from the notebook's ``reference_date`` the microdata share
#: counts other episodes (e.g. a handlingsplan judged between the two dates); the board shows the cells'.
CELL_SHARES: dict[str, tuple[list[tuple[str, dict]], list[tuple[str, dict]]]] = {
    "egen_forsorjning_efter_andel": ([("egen", {"kategori": "ja"})],
                                     [("egen", {"kategori": "ja"}), ("egen", {"kategori": "nej"})]),
    "offentlig_fore_andel": ([("forsorjning_fore", {"kategori": "offentlig"})], [("avslutade", {})]),
    "offentlig_efter_andel": ([("forsorjning_efter", {"kategori": "offentlig"})], [("avslutade", {})]),
    "handlingsplan_i_tid_andel": ([("handlingsplan", {"period": "alla", "kategori": "i_tid"})],
                                  [("handlingsplan", {"period": "alla"})]),
    "arbete_studier_andel": ([("sus", {"kategori": "forvarvsarbete"}), ("sus", {"kategori": "studier"})],
                             [("avslutade", {})]),
}


def _share_cells(key: str) -> list[tuple[str, dict]]:
    """The distinct cells of a share of :data:`CELL_SHARES` (numerator, then base)."""
    num, base = CELL_SHARES[key]
    out: list[tuple[str, dict]] = []
    for cell in num + base:
        if cell not in out:
            out.append(cell)
    return out


#: Cells of the protected table set behind the key figures of :func:`headline` (besides the slice):
#: those of :data:`CELL_COUNTS` and :data:`CELL_SHARES`, and the group cell that gates a time.
KEY_FIGURE_CELLS: dict[str, list[tuple[str, dict]]] = {
    **{k: [(m, d) for _, m, d in terms] for k, terms in CELL_COUNTS.items() if k != "aktiva_i_perioden"},
    **{k: _share_cells(k) for k in CELL_SHARES if k != "arbete_studier_andel"},
    "tid_medel_manader": [("avslutade", {})],
    "tid_median_manader": [("avslutade", {})],
    # the KM median's group is every episode started by the extract date: the nya cell of every year
    "km_median_manader": [("nya", {"period": "alla"})],
    # not rows of the key figure table, but figures of results.json and of the board dashboard's key figures
    "aktiva_i_perioden": [("aktiva", {})],
    "arbete_studier_andel": _share_cells("arbete_studier_andel"),
}


#: Headline keys that are not cells of the protected table set nor gated by one (the rundgång cohort is
#: a window of exit dates and its returns are events): with a table set they are never shown to a board.
NOT_SLICES: tuple[str, ...] = ("aterkomst_kohort", "aterkomst_andel", "ej_offentlig_forsorjning_vid_avslut_andel")

#: Headline counts that no cell gives (issue 15): persons (linked non-anonymous + anonymous: a count of
#: distinct people, not an additive cell), anonymous episodes and exits still in their waiting period
#: (SUS category × confirmation is deliberately not crossed in the table set). In small data they are
#: 1-4 people, or differ from a suppressed cell by a small group. Under a table set they are for the
#: evaluator only: left out of the board's key figure table, ``null`` in ``results.json``. So is the
#: share that started or increased work/studies (``paborjat_eller_okat_andel``): its numerator and its
#: base (exits with the extent known before and after) are no cells, and omfattning is not a measure of
#: the table set (the notebook's omfattning table is the evaluator's too).
EVALUATOR_ONLY: tuple[str, ...] = ("antal_deltagare", "antal_anonyma", "avslut_obekraftade",
                                   "paborjat_eller_okat_andel")

#: ``{headline key: measure of the table set}`` of the per-category counts of :func:`headline`: each
#: category is the cell of that measure and category in the slice (the board's exit tables).
CATEGORY_CELLS: dict[str, str] = {"avslut_per_kategori": "avslut", "avslut_per_sus_kategori": "sus"}


def _plan_cells(head: Mapping) -> bool:
    """Whether the headline's "handlingsplan i tid" uses the table set's deadline (another deadline
    counts other episodes as on time: not a cell, and its difference from the cell could be 1-4)."""
    from .tableset import PLAN_DEADLINE_DAYS

    return int(head.get("handlingsplan_frist_dagar", PLAN_DEADLINE_DAYS)) == PLAN_DEADLINE_DAYS


def published(ts, skiva: dict | None, cells: Sequence[tuple[str, dict]]) -> bool:
    """Whether every cell (``(matt, dims)`` within the slice ``skiva``) is published in ``ts``.

    Examples
    --------
    >>> from evaluation import tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 9, "insats": ["X"] * 9, "kon": ["kvinna"] * 7 + ["man"] * 2,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 9), "avslutsdatum": pd.NaT})
    >>> ts = tableset.build(ep, reference_date="2025-12-31")
    >>> ts.cells.loc[ts.cells["kon"] == "man", "status"] = tableset.PRIMARY
    >>> s = {"forbund": "A", "period": "2025"}
    >>> published(ts, s, [("nya", {})]), published(ts, s, [("nya", {"kon": "man"})]), published(ts, None, [])
    (True, False, False)
    """
    if skiva is None or skiva.get("period", "") is None:
        return False
    return all(not pd.isna(cell_value(ts, m, **{**skiva, **d})) for m, d in cells)


def published_keys(tabeller, skiva: dict | None) -> dict:
    """``{headline key: bool}``: whether each key figure of :data:`KEY_FIGURE_CELLS` is published.

    Saved with the headline results (``publicerade``) so that a summary written from
    ``results.json`` (the report header's key messages) leaves out what the tables hide.

    Examples
    --------
    >>> published_keys(None, None)
    {}
    """
    if tabeller is None:
        return {}
    return {**{k: published(tabeller, skiva, cells) for k, cells in KEY_FIGURE_CELLS.items()},
            **{k: False for k in NOT_SLICES + EVALUATOR_ONLY}}


def cell_count(ts, key: str, skiva: dict | None) -> float:
    """A count of :data:`CELL_COUNTS` as the board reads it: the signed sum of its published cells.

    Parameters
    ----------
    ts : evaluation.tableset.TableSet
    key : str
        A key of :data:`CELL_COUNTS` (``antal_episoder``, ``pagaende_vid_referensdatum`` …).
    skiva : dict or None
        The slice (:func:`table_slice`); a cell's own dims (``period="alla"``) override it.

    Returns
    -------
    float
        Number of episodes; NaN when a cell it uses is suppressed or ``skiva`` is not a slice.

    Examples
    --------
    Nine episodes started in 2025, two of them ended (by hand: 9 episodes, 9 − 2 = 7 ongoing); with
    the two men's cells suppressed, the count over men is hidden:

    >>> from evaluation import tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 9, "insats": ["X"] * 9, "kon": ["kvinna"] * 7 + ["man"] * 2,
    ...     "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 9),
    ...     "avslutsdatum": pd.to_datetime(["2025-06-01"] * 2 + [None] * 7)})
    >>> ts = tableset.build(ep, reference_date="2025-12-31")
    >>> s = table_slice("A", "", "2025-01-01", "2025-12-31")
    >>> cell_count(ts, "antal_episoder", s), cell_count(ts, "pagaende_vid_referensdatum", s)
    (9.0, 7.0)
    >>> ts.cells.loc[ts.cells["kon"] == "man", "status"] = tableset.PRIMARY
    >>> cell_count(ts, "pagaende_vid_referensdatum", {**s, "kon": "man"})
    nan
    """
    if skiva is None or skiva.get("period", "") is None:
        return float("nan")
    total = 0.0
    for coef, m, d in CELL_COUNTS[key]:
        v = cell_value(ts, m, **{**skiva, **d})
        if pd.isna(v):
            return float("nan")
        total += coef * float(v)
    return total


def cell_share(ts, key: str, skiva: dict | None) -> float:
    """A share of :data:`CELL_SHARES` as the board reads it: Σ numerator cells / Σ base cells.

    Parameters
    ----------
    ts : evaluation.tableset.TableSet
    key : str
        A key of :data:`CELL_SHARES` (``egen_forsorjning_efter_andel``, ``handlingsplan_i_tid_andel`` …).
    skiva : dict or None
        The slice (:func:`table_slice`); a cell's own dims (``period="alla"``) override it.

    Returns
    -------
    float
        Fraction 0-1; NaN when a cell it uses is suppressed, ``skiva`` is not a slice or the base is 0.

    Examples
    --------
    Ten episodes ended in 2025: 6 to work, 1 to studies, 3 to "other"; eight with a known support
    after, five of them egen (by hand: (6 + 1) / 10 = 0.7 and 5 / 8 = 0.625):

    >>> from evaluation import tableset
    >>> ep = classify_exits(pd.DataFrame({"episod_id": [f"e{i}" for i in range(10)],
    ...     "deltagare_id": [f"p{i}" for i in range(10)], "forbund": "A", "insats": "X", "kon": "man",
    ...     "inskrivningsdatum": "2025-01-10", "avslutsdatum": "2025-06-01",
    ...     "avslutsorsak": ["forvarvsarbete"] * 6 + ["studier"] + ["ovriga_avslutade"] * 3,
    ...     "forsorjning_efter": ["lon"] * 5 + ["forsorjningsstod"] * 3 + [None] * 2}), "2026-01-15")
    >>> ts = tableset.build(ep, reference_date="2026-01-15")
    >>> s = table_slice("A", "", "2025-01-01", "2025-12-31")
    >>> cell_share(ts, "arbete_studier_andel", s), cell_share(ts, "egen_forsorjning_efter_andel", s)
    (0.7, 0.625)
    >>> cell_share(ts, "offentlig_efter_andel", {**s, "period": "2024"})  # nobody ended in 2024: base 0
    nan
    """
    if skiva is None or skiva.get("period", "") is None:
        return float("nan")
    sums = []
    for cells in CELL_SHARES[key]:
        vals = [cell_value(ts, m, **{**skiva, **d}) for m, d in cells]
        if any(pd.isna(v) for v in vals):
            return float("nan")
        sums.append(float(sum(vals)))
    num, base = sums
    return num / base if base > 0 else float("nan")


def board_results(head: Mapping, tabeller, skiva: dict | None) -> dict:
    """:func:`headline` as a board may read it (the deltagarflöden ``results.json``): what the board tables hide is None.

    ``results.json`` is board-facing, so it holds no value that the board report of the same run
    shows as "–" or leaves out (issue 15): a key figure of :data:`KEY_FIGURE_CELLS` whose cells are not
    all published in the slice, every key of :data:`NOT_SLICES` and :data:`EVALUATOR_ONLY` (persons,
    anonymous, unconfirmed exits: no cell gives them), and each category of :data:`CATEGORY_CELLS`
    whose cell is suppressed is ``None`` (JSON null); the keys stay. A published count of
    :data:`CELL_COUNTS` and a published category is the cell's value (:func:`cell_count`), a
    published share of :data:`CELL_SHARES` the ratio of its cells (:func:`cell_share`; the microdata
    share may count other episodes when the table set's extract date is not ``reference_date``).
    ``publicerade`` (:func:`published_keys`) is added. The evaluator finds the values in the executed
    notebook. Without a table set (``tabeller`` None) the headline is returned as it is, with an empty
    ``publicerade``.

    Examples
    --------
    >>> from evaluation import tableset
    >>> ep = classify_exits(pd.DataFrame({"episod_id": [f"e{i}" for i in range(12)],
    ...     "deltagare_id": [f"p{i}" for i in range(12)], "forbund": "A", "insats": "X", "kon": "man",
    ...     "inskrivningsdatum": "2025-01-10", "avslutsdatum": "2025-06-01",
    ...     "avslutsorsak": ["forvarvsarbete"] * 9 + ["studier"] * 3}), "2026-01-15")
    >>> ts = tableset.protect(tableset.build(ep, reference_date="2026-01-15"), min_n=5)
    >>> h = headline(ep, None, "2026-01-15", "2025-01-01", "2025-12-31")
    >>> r = board_results(h, ts, table_slice("A", "", "2025-01-01", "2025-12-31"))
    >>> h["avslut_per_sus_kategori"], r["avslut_per_sus_kategori"]   # 3 to studies: fewer than 5, and so 9 too
    ({'forvarvsarbete': 9, 'studier': 3}, {'forvarvsarbete': None, 'studier': None})
    >>> r["avslutade_i_perioden"], r["arbete_studier_andel"], r["publicerade"]["arbete_studier_andel"]
    (12, None, False)
    >>> h["antal_deltagare"], r["antal_deltagare"], r["antal_episoder"], r["pagaende_vid_referensdatum"]
    (12, None, 12, 0)
    """
    out = dict(head)
    pub = published_keys(tabeller, skiva)
    if tabeller is not None and "handlingsplan_i_tid_andel" in pub and not _plan_cells(head):
        pub["handlingsplan_i_tid_andel"] = False  # another deadline than the table set's: "–" in the report
    if tabeller is not None:
        out.update({k: None for k, ok in pub.items() if not ok and k in out})
        for key in CELL_COUNTS:  # the board's count is the cells' (equal to the microdata's where both exist)
            if key in out and pub.get(key):
                out[key] = int(cell_count(tabeller, key, skiva))
        for key in CELL_SHARES:  # and its share the cells' ratio (the microdata's may count other episodes)
            if key in out and pub.get(key):
                v = cell_share(tabeller, key, skiva)
                out[key] = None if pd.isna(v) else float(v)
        for key, matt in CATEGORY_CELLS.items():
            if isinstance(out.get(key), Mapping):
                vals = {c: cell_value(tabeller, matt, **{**skiva, "kategori": c}) if skiva else np.nan
                        for c in out[key]}
                out[key] = {c: (None if pd.isna(v) else int(v)) for c, v in vals.items()}
    out["publicerade"] = pub
    return out


def key_figures_table(head: Mapping, lang: str = "sv", tabeller=None, skiva: dict | None = None) -> pd.DataFrame:
    """Board view of :func:`headline`: one labelled row per key figure, formatted for ``lang``.

    Counts are whole numbers with a space (sv) or comma (en) as thousands separator, shares are
    percent with one decimal (decimal comma in Swedish), times are months with one decimal; the unit
    is in the label. A value that could not be computed (``None``) reads "ej beräknat" / "not
    computed". Keys not in :data:`KEY_FIGURES` (e.g. the nested ``avslut_per_kategori``) are left out.

    Parameters
    ----------
    head : mapping
        The dict returned by :func:`headline`.
    lang : {"sv", "en"}
        Label and number language.
    tabeller : evaluation.tableset.TableSet, optional
        The protected table set: a key figure whose cells (:data:`KEY_FIGURE_CELLS`) are not all
        published in the slice ``skiva`` (:func:`table_slice`) shows "–"; a count of
        :data:`CELL_COUNTS` shows the sum of its cells (:func:`cell_count`), a share of
        :data:`CELL_SHARES` the ratio of its cells (:func:`cell_share`); the keys of
        :data:`EVALUATOR_ONLY` and :data:`NOT_SLICES`, never published, have no row.
    skiva : dict, optional

    Returns
    -------
    DataFrame
        Index: the label of each key figure (index name "Nyckeltal"); one str column "Värde".

    Examples
    --------
    >>> key_figures_table({"antal_episoder": 1234, "offentlig_fore_andel": 0.9545,
    ...                    "km_median_manader": None})["Värde"].tolist()
    ['1\\u202f234', '95,5\\xa0%', 'ej beräknat']
    """
    from .disclosure import format_number

    rows = {}
    for key, kind in KEY_FIGURES:
        if key not in head or (tabeller is not None and key in NOT_SLICES + EVALUATOR_ONLY):
            continue  # never shown to a board under a table set: no row of "–"
        v = head[key]
        label = t(f"flows.nyckeltal.{key}", lang)
        if tabeller is not None and key in CELL_SHARES:
            v = cell_share(tabeller, key, skiva)  # the board's share is the cells' ratio
        if tabeller is not None and key in CELL_COUNTS:
            v = cell_count(tabeller, key, skiva)  # the board's count is the cells' sum
            if key == "antal_episoder":
                label = t("flows.nyckeltal.antal_episoder.tabell", lang)  # what the nya cell counts
        if tabeller is not None and ((key in KEY_FIGURE_CELLS
                                      and not published(tabeller, skiva, KEY_FIGURE_CELLS[key]))
                                     or (key == "handlingsplan_i_tid_andel" and not _plan_cells(head))):
            text = t("suppressed_short", lang)
        elif v is None or (isinstance(v, float) and np.isnan(v)):
            text = t("flows.ej_beraknat", lang)
        elif kind == "andel":
            text = _percent(v, 1, lang)
        elif kind == "manader":
            text = format_number(v, lang, 1)
        else:
            text = format_number(v, lang, 0)
        rows[label] = text
    out = pd.DataFrame({t("flows.kol.varde", lang): pd.Series(rows, dtype=object)})
    out.index.name = t("flows.kol.nyckeltal", lang)
    return out


def reported_checks_table(checks: pd.DataFrame, lang: str = "sv") -> pd.DataFrame:
    """Board view of :func:`check_reported`: one line per check, the message and any warning.

    Delegates to :func:`evaluation.reported.board_table`.

    Examples
    --------
    >>> rep = pd.DataFrame({"kalla": ["002"] * 4, "tabell": ["T5"] * 4, "kategori": ["a", "b", "c", "summa"],
    ...     "varde": [422, 111, 133, 667], "enhet": ["antal"] * 4, "id": ["", "", "", "S"],
    ...     "relation": ["del av S"] * 3 + [""]})
    >>> reported_checks_table(check_reported(rep)).iloc[0].tolist()[:4]
    ['002', 'T5', 'Nej', '002 T5: summa: summan stämmer inte: delarna 422 + 111 + 133 summerar till 666, angivet 667.']
    """
    from . import reported as _reported

    return _reported.board_table(checks, lang)


# --------------------------------------------------------------------------------------------
# board tables as slices of the protected table set (issue 15)
# --------------------------------------------------------------------------------------------

def table_period(period_start=None, period_end=None) -> str | None:
    """The ``period`` of the protected table set (:mod:`evaluation.tableset`) for a report period.

    The table set holds calendar years and the whole data period (``"alla"``); a report period is a
    slice of it only when it is one whole calendar year or unbounded.

    Returns
    -------
    str or None
        ``"2025"`` for 2025-01-01 – 2025-12-31, ``"alla"`` without a period, None otherwise.

    Examples
    --------
    >>> table_period("2025-01-01", "2025-12-31"), table_period(), table_period("2025-03-01", "2025-12-31")
    ('2025', 'alla', None)
    """
    if period_start in (None, "") and period_end in (None, ""):
        return "alla"
    if period_start in (None, "") or period_end in (None, ""):
        return None
    s, e = pd.Timestamp(period_start), pd.Timestamp(period_end)
    if s.year == e.year and (s.month, s.day) == (1, 1) and (e.month, e.day) == (12, 31):
        return str(s.year)
    return None


def table_slice(forbund: str = "", insats: str = "", period_start=None, period_end=None) -> dict | None:
    """The dimensions of the protected table set a notebook's selection is a slice of.

    Parameters
    ----------
    forbund, insats : str
        The notebook's selection: one value or ``""`` (all); several comma-separated values are
        not a cell of the table set.
    period_start, period_end : date-like
        Report period (:func:`table_period`).

    Returns
    -------
    dict
        ``{"forbund": ..., "insats": ..., "period": ...}`` (``""`` = total); ``period`` is None when
        the selection is not a slice (several förbund or insatser, a period that is not a calendar
        year): every cell read with it is then hidden (:func:`cell_value`), and :func:`slice_note`
        says why.

    Examples
    --------
    >>> table_slice("Norrdal", "", "2025-01-01", "2025-12-31")
    {'forbund': 'Norrdal', 'insats': '', 'period': '2025'}
    >>> table_slice("Norrdal,Söderå", "", "2025-01-01", "2025-12-31")["period"] is None
    True
    """
    period = table_period(period_start, period_end)
    parts = [[x.strip() for x in str(v or "").split(",") if x.strip()] for v in (forbund, insats)]
    if any(len(p) > 1 for p in parts):
        period = None
    return {"forbund": parts[0][0] if parts[0] else "", "insats": parts[1][0] if parts[1] else "", "period": period}


def slice_note(skiva: dict, lang: str = "sv") -> str:
    """The line shown above a notebook's board tables when its selection is not a slice of the table set.

    Examples
    --------
    >>> slice_note({"forbund": "", "insats": "", "period": "2025"})
    ''
    >>> slice_note({"forbund": "", "insats": "", "period": None}).split(":")[0]
    'Tabellerna över deltagarflöden visar inga siffror för detta urval'
    """
    return "" if skiva.get("period") is not None else t("flows.ingen_skiva", lang)


def cell_value(ts, matt: str, column: str = "n", **dims) -> float:
    """The published value of one cell of a protected table set.

    Parameters
    ----------
    ts : evaluation.tableset.TableSet
    matt : str
        Measure (``aktiva``, ``nya``, ``avslutade``, ``sus``, ``forsorjning``, ``egen``, ``kasam`` …).
    column : str
        ``n`` or a moment (``summa_fore`` …).
    **dims
        ``forbund``, ``insats``, ``period``, ``kon``, ``kategori``, ``kategori2``; ``""`` or
        omitted = the dimension's total.

    Returns
    -------
    float
        The value; NaN when the cell is suppressed or the table set has no such measure or
        dimension (it is not a cell); 0 when the measure has no such category or group (nobody in
        the data had it: a published zero).

    Examples
    --------
    >>> from evaluation import tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 9, "insats": ["X"] * 9, "kon": ["kvinna"] * 7 + ["man"] * 2,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 9), "avslutsdatum": pd.NaT})
    >>> ts = tableset.build(ep, reference_date="2025-12-31")
    >>> ts.cells.loc[ts.cells["kon"] == "man", "status"] = tableset.PRIMARY
    >>> cell_value(ts, "nya", forbund="A", period="2025", kon="kvinna"), cell_value(ts, "nya", kon="man")
    (7.0, nan)
    >>> cell_value(ts, "nya", forbund="B")  # nobody in förbund B: a published zero
    0.0
    >>> cell_value(ts, "sus", kategori="studier", kategori2="bekraftad")  # SUS × confirmation: not a cell
    nan
    """
    if "period" in dims and dims["period"] is None:  # not a slice of the table set (table_slice)
        return float("nan")
    return ts.value(matt, column, **dims)  # the rule (a category nobody had is a published 0) is the set's


def _domain(ts, matt: str, dim: str) -> list[str]:
    """The values of a dimension of a measure in the table set (totals left out)."""
    from . import tableset

    m = tableset.MEASURES.get(matt)
    cells = ts.cells
    if dim in ("kategori", "kategori2") or m is None or not m.base:
        vals = cells.loc[cells["matt"] == matt, dim]
    else:
        vals = cells.loc[cells["matt"] == m.base, dim]
    return [v for v in dict.fromkeys(vals.astype(str)) if v not in (tableset.TOTAL, tableset.PERIOD_ALL)]


def _shown(v: float) -> bool:
    """A row or column is shown unless its total is a published zero."""
    return not (v == 0)


def all_hidden(table: pd.DataFrame) -> bool:
    """True when a board table (strings as shown) has hidden cells ("–") and not one published number.

    Examples
    --------
    >>> all_hidden(pd.DataFrame({"Kön": ["Kvinna", "Man"], "n": ["–", "–"]})), all_hidden(pd.DataFrame({"n": ["7", "–"]}))
    (True, False)
    """
    from .formatting import _NUMERIC

    if table is None or not len(table):
        return False
    shown = table if isinstance(table.index, pd.RangeIndex) else table.reset_index()  # labels, not positions
    vals = [str(v) for v in shown.to_numpy().ravel()]
    return t("suppressed_short", "sv") in vals and not any(_NUMERIC.match(v) for v in vals)


def board_or_line(table: pd.DataFrame, lang: str = "sv", min_n: int = 5):
    """A board table as it is, or one explanatory Swedish line when every figure in it is hidden.

    For notebooks (the slutrapport does the same in :func:`evaluation.report._table`).

    Examples
    --------
    >>> type(board_or_line(pd.DataFrame({"n": ["–"]}))).__name__, type(board_or_line(pd.DataFrame({"n": ["7"]}))).__name__
    ('Markdown', 'DataFrame')
    """
    if all_hidden(table):
        from IPython.display import Markdown

        return Markdown(t("report.allt_undertryckt", lang, min_n=min_n))
    return table


def protected_exits(ts, forbund: str = "", period: str = "alla", insats: str = "", kon: str = "",
                    level: str = "sus_kategori") -> pd.DataFrame:
    """Exits per category as a slice of the protected table set (:mod:`evaluation.tableset`).

    The cells of measure ``sus`` (SUS category × utfallsstatus; ``level="sus_kategori"``) or
    ``avslut`` (huvudkategori; ``level="avslutskategori"``) for one förbund, insats, period and kön.
    Replaces :func:`exit_summary` in everything a board sees: the counts are the table set's
    published cells and ``andel`` is a published category cell over the published ``avslutade``
    cell. Bekräftade / obekräftade per category are shown only where the table set crosses the
    category with ``utfallsstatus`` (``kategori2``); the protected set does not (the crossing hid
    most cells), so say so under the table (label ``flows.ingen_bekraftelse``). Categories nobody
    had are left out.

    Returns
    -------
    DataFrame
        ``kategori, n, andel`` (+ ``bekraftad, obekraftad`` where crossed), ``undertryckt`` (NaN where suppressed; the cell
        mask in ``attrs["undertryckt_celler"]``), largest published categories first; ready for
        :func:`board_table` and :func:`figure_exits`.

    Examples
    --------
    >>> from evaluation import tableset
    >>> ep = classify_exits(pd.DataFrame({"episod_id": [f"e{i}" for i in range(14)],
    ...     "deltagare_id": [f"p{i}" for i in range(14)], "forbund": "A", "insats": "X", "kon": "man",
    ...     "inskrivningsdatum": "2025-01-10", "avslutsdatum": "2025-05-01",
    ...     "avslutsorsak": ["forvarvsarbete"] * 9 + ["studier"] * 5}), "2026-01-15")
    >>> ts = tableset.build(ep, reference_date="2026-01-15")
    >>> protected_exits(ts, "A", "2025")[["kategori", "n", "andel"]].values.tolist()
    [['forvarvsarbete', 9.0, 0.6428571428571429], ['studier', 5.0, 0.35714285714285715]]
    """
    matt = "sus" if level == "sus_kategori" else "avslut"
    dims = {"forbund": forbund, "insats": insats, "period": period, "kon": kon}
    total = cell_value(ts, "avslutade", **dims)
    cats = _domain(ts, matt, "kategori")
    status = [v for v in _domain(ts, matt, "kategori2") if v in ("bekraftad", "obekraftad")]
    rows = []
    for k in cats:
        n = cell_value(ts, matt, kategori=k, **dims)
        if not _shown(n):
            continue
        row = {"kategori": k, "n": n, "andel": n / total if total and not pd.isna(total) else np.nan}
        for s in ("bekraftad", "obekraftad"):
            row[s] = cell_value(ts, matt, kategori=k, kategori2=s, **dims) if s in status else np.nan
        rows.append(row)
    cols = ["kategori", "n", "andel"] + (["bekraftad", "obekraftad"] if status else [])
    out = pd.DataFrame(rows, columns=["kategori", "n", "andel", "bekraftad", "obekraftad"])[cols]
    mask = out[cols[1:]].isna()
    order = np.lexsort((out["kategori"].to_numpy(), -out["n"].fillna(-1).to_numpy()))
    out, mask = out.iloc[order].reset_index(drop=True), mask.iloc[order].reset_index(drop=True)
    out["undertryckt"] = mask.any(axis=1).to_numpy()
    out.attrs["undertryckt_celler"] = mask
    return out


def protected_durations(ts, forbund: str = "", period: str = "alla", insats: str = "", kon: str = "") -> pd.DataFrame:
    """Time in the insats of the exited, in bands, as a slice of the protected table set.

    The board's substitute for the Kaplan–Meier curve (:func:`kaplan_meier`, kept for the
    evaluator): a KM curve steps once per exit day, and a step's height tells how many left that
    day (1-4 people in a small group), which no suppression of other tables protects. The cells of
    measure ``tid`` (:data:`evaluation.tableset.TIDSBAND`: 0-3, 3-6, 6-12 and more than 12 months
    from inskrivning to avslut, exits dated in ``period``) are categories of the
    ``avslutade`` cell, protected with it (linked tables), so every figure here is a published cell
    or a function of published cells only:

    * ``n``: the band's cell (NaN where suppressed);
    * ``andel_kumulativ``: the share of the exited who had left within the band's upper bound,
      (Σ bands up to it) / avslutade when every one of those bands and the total are published,
      else 1 − (Σ later bands) / avslutade when every later band is published (the same figure
      from the other side), else NaN.

    Unlike the KM curve this is not a survival estimate (episodes still open are not in it: it
    describes those who exited in the period), and a figure that is a function of published cells
    reveals nothing the cells do not.

    Returns
    -------
    DataFrame
        ``kategori`` (band), ``n``, ``andel_kumulativ``, ``undertryckt``; the total exits in
        ``attrs["avslutade"]`` (NaN where suppressed). Empty when the table set has no ``tid``
        measure (a snapshot written before it existed).

    Examples
    --------
    Six exits after 1, 2, 4, 5, 7 and 30 months (by hand: 2 within 3 months, 4 within 6, 5 within 12):

    >>> from evaluation import tableset
    >>> ins = pd.Timestamp("2023-01-01")
    >>> ends = [ins + pd.Timedelta(days=round(m * 30.4375)) for m in (1, 2, 4, 5, 7, 30)]
    >>> ep = pd.DataFrame({"forbund": "A", "insats": "X", "kon": "man", "inskrivningsdatum": ins,
    ...                    "avslutsdatum": ends})
    >>> d = protected_durations(tableset.build(ep, reference_date="2025-12-31", min_n=1))
    >>> d[["kategori", "n", "andel_kumulativ"]].round(3).values.tolist()
    [['0_3', 2.0, 0.333], ['3_6', 2.0, 0.667], ['6_12', 1.0, 0.833], ['12_', 1.0, 1.0]]
    """
    from . import tableset

    cols = ["kategori", "n", "andel_kumulativ", "undertryckt"]
    if ts is None or "tid" not in set(ts.cells["matt"]):
        return pd.DataFrame(columns=cols)
    dims = {"forbund": forbund, "insats": insats, "period": period, "kon": kon}
    total = cell_value(ts, "avslutade", **dims)
    bands = [b for b, _, _ in tableset.TIDSBAND]
    n = np.array([cell_value(ts, "tid", kategori=b, **dims) for b in bands], float)
    cum = np.full(len(bands), np.nan)
    if not pd.isna(total) and total > 0:
        for i in range(len(bands)):
            upto, later = n[: i + 1], n[i + 1:]
            if not np.isnan(upto).any():
                cum[i] = upto.sum() / total
            elif not np.isnan(later).any():
                cum[i] = 1.0 - later.sum() / total
    out = pd.DataFrame({"kategori": bands, "n": n, "andel_kumulativ": cum})
    out["undertryckt"] = out["n"].isna() | (out["andel_kumulativ"].isna() & (total != 0))  # 0 exits: nothing hidden
    out.attrs["avslutade"] = total
    out.attrs["undertryckt_celler"] = out[["n", "andel_kumulativ"]].isna()
    return out


def durations_or_line(durations: pd.DataFrame, lang: str = "sv"):
    """:func:`figure_durations`, or its one explanatory Swedish line as text when no share is
    published (a figure holding only a sentence is clipped on a phone).

    Examples
    --------
    >>> d = pd.DataFrame({"kategori": ["0_3", "12_"], "n": [float("nan"), 9.0], "andel_kumulativ": [float("nan"), 1.0]})
    >>> type(durations_or_line(d)).__name__
    'Markdown'
    """
    from .tableset import TIDSBAND

    shown = durations[durations["kategori"] != TIDSBAND[-1][0]] if len(durations) else durations
    if not len(shown) or shown["andel_kumulativ"].isna().all():
        from IPython.display import Markdown

        return Markdown(t("flows.tidsband.undertryckt", lang))
    return figure_durations(durations, lang)


def figure_durations(durations: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Bar chart of :func:`protected_durations`: the share of the exited who had left within each band.

    One bar per band bound (within 3, 6 and 12 months; the last band's share is 100 % by
    definition and is left out) where the cumulative share is published; a hidden share is a
    labelled gap ("–"), and when none is published the figure is one explanatory line.

    Examples
    --------
    >>> d = pd.DataFrame({"kategori": ["0_3", "3_6"], "n": [6.0, float("nan")], "andel_kumulativ": [0.4, float("nan")]})
    >>> fig = figure_durations(d)
    >>> list(fig.data[0].y), list(fig.data[0].text)
    ([0.4, None], ['40\\xa0%', None])
    >>> [a.text for a in fig.layout.annotations][-1], list(fig.data[0].x)
    ('–', ['Inom 3 månader', 'Inom 6 månader'])
    """
    from .tableset import TIDSBAND

    title = t("flows.fig.tidsband", lang)
    d = durations[durations["kategori"] != TIDSBAND[-1][0]] if len(durations) else durations
    if not len(d) or d["andel_kumulativ"].isna().all():
        fig = go.Figure()
        fig.add_annotation(text=t("flows.tidsband.undertryckt", lang), showarrow=False, xref="paper", yref="paper",
                           x=0.5, y=0.5)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return apply_layout(fig, title, 200)
    x = [t(f"flows.tidsband.inom.{k}", lang) for k in d["kategori"]]
    y = d["andel_kumulativ"].astype(float)
    text = [None if pd.isna(v) else _percent(v, 0, lang) for v in y]
    fig = go.Figure([go.Bar(x=x, y=[None if pd.isna(v) else float(v) for v in y], text=text,
                            textposition="outside", marker_color=COLORS[0], showlegend=False,
                            hovertemplate="%{x}: %{text}<extra></extra>")])
    for xi, v in zip(x, y):
        if pd.isna(v):
            fig.add_annotation(x=xi, y=0.05, text="–", showarrow=False, font={"size": 18})
    fig.update_yaxes(range=[0, 1.12], tickformat=".0%", title_text=t("flows.fig.tidsband.y", lang))
    fig.update_xaxes(title_text=t("flows.fig.tidsband.x", lang), type="category")
    fig.update_layout(margin={"b": 90})
    return apply_layout(fig, title, 400)


def protected_rows(df: pd.DataFrame, ts, by: Sequence[str] = (), forbund: str = "", period: str = "alla",
                   matt: str = "avslutade", n_col: str = "n") -> pd.DataFrame:
    """A per-group table (one group per row) gated by the protected table set.

    Each row's count is the ``matt`` cell of its group (the ``by`` columns are table-set
    dimensions: ``insats``, ``kon``); where that cell is suppressed every value of the row is
    hidden. Used for tables whose other values (times, medians) are not cells of the table set
    but belong to a group that is (e.g. :func:`time_in_insats` over the episodes ended in the
    period: the ``avslutade`` cell).

    Raises
    ------
    FlowsError
        When a published cell and the row's own count disagree (the table was computed on other
        data than the table set).

    Examples
    --------
    >>> from evaluation import tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 9, "insats": ["X"] * 9, "kon": ["kvinna"] * 7 + ["man"] * 2,
    ...     "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 9),
    ...     "avslutsdatum": pd.to_datetime(["2025-03-01"] * 9)})
    >>> ts = tableset.build(ep, reference_date="2025-12-31")
    >>> ts.cells.loc[ts.cells["kon"] == "man", "status"] = tableset.PRIMARY
    >>> tid = pd.DataFrame({"kon": ["kvinna", "man"], "n": [7.0, 2.0], "medel_dagar": [50.0, 50.0]})
    >>> protected_rows(tid, ts, by=["kon"], forbund="A", period="2025")[["n", "medel_dagar"]].values.tolist()
    [[7.0, 50.0], [nan, nan]]
    """
    out = df.drop(columns=["undertryckt"], errors="ignore").copy()
    values = [c for c in out.columns if c not in by and pd.api.types.is_numeric_dtype(out[c])]
    mask = pd.DataFrame(False, index=out.index, columns=out.columns)
    for i, row in out.iterrows():
        dims = {"forbund": forbund, "period": period, **{d: str(row[d]) for d in by}}
        n = cell_value(ts, matt, **dims)
        if pd.isna(n):
            mask.loc[i, values] = True
        elif n_col in out and not pd.isna(row[n_col]) and float(row[n_col]) != n:
            raise FlowsError(f"{matt} {dims}: {row[n_col]:g} in the table, {n:g} in the protected table set")
    out[values] = out[values].astype(float).mask(mask[values])
    out["undertryckt"] = mask.any(axis=1).to_numpy()
    out.attrs["undertryckt_celler"] = mask
    return out


def protected_outcome(ts, forbund: str = "", period: str = "alla", matt: str = "forsorjningsgrupp_efter",
                      split_kon: bool = True, insats: str = "", insatser=None) -> pd.DataFrame:
    """Försörjning before or after exit per insats and kön as a slice of the protected table set.

    The long layout of :func:`outcome_report` for one ``matt`` (``avslutade``, ``forsorjningsgrupp_efter``,
    ``forsorjningsgrupp_fore`` or ``egen_forsorjning_efter``), read from the table set's cells
    (``forsorjning_fore``, ``forsorjning_efter``, ``egen``): ``n`` is the published cell, ``bas`` the published
    ``avslutade`` cell of the same förbund, insats, period and kön, ``andel`` = n / bas. Show it with
    :func:`format_report`. ``forbund=""``: one block per förbund (as :func:`outcome_report`);
    ``insats=""``: every insats, else that one; ``insatser``: only these (the förbund's own, so
    that a hidden zero of an insats the förbund does not run is not shown as a row of "–").

    Examples
    --------
    >>> from evaluation import tableset
    >>> ep = classify_exits(pd.DataFrame({"episod_id": [f"e{i}" for i in range(10)],
    ...     "deltagare_id": [f"p{i}" for i in range(10)], "forbund": "A", "insats": "X", "kon": "man",
    ...     "inskrivningsdatum": "2025-01-10", "avslutsdatum": "2025-05-01", "avslutsorsak": "forvarvsarbete",
    ...     "forsorjning_fore": "forsorjningsstod", "forsorjning_efter": ["lon"] * 6 + ["forsorjningsstod"] * 4}),
    ...     "2026-01-15")
    >>> r = protected_outcome(tableset.build(ep, reference_date="2026-01-15"), "A", "2025")
    >>> r[r["kon"] == "totalt"].set_index("kategori")["n"].to_dict()
    {'offentlig': 4.0, 'egen': 6.0, 'ingen': 0.0, 'okand': 0.0}
    """
    if matt == "avslutade":
        measure, cats, dim = "avslutade", ["alla"], None
    elif matt == "egen_forsorjning_efter":
        measure, cats, dim = "egen", ["ja", "nej", "okant"], "kategori"
    elif matt in ("forsorjningsgrupp_fore", "forsorjningsgrupp_efter"):
        measure, cats, dim = matt.replace("forsorjningsgrupp", "forsorjning"), list(_GROUPS), "kategori"
    else:
        raise FlowsError(f"protected_outcome: no table-set measure for {matt!r}")
    rows = []
    forbunds = [forbund] if forbund else sorted(_domain(ts, "avslutade", "forbund"))
    insatser = [insats] if insats else sorted(i for i in _domain(ts, "avslutade", "insats")
                                              if insatser is None or i in set(insatser))
    for fb, ins in ((f, i) for f in forbunds for i in insatser):
        base = {"forbund": fb, "insats": ins, "period": period}
        if not _shown(cell_value(ts, "avslutade", **base)):
            continue
        kons = [("", _TOTAL)] + ([(k, k) for k in sorted(_domain(ts, "avslutade", "kon"))] if split_kon else [])
        for code, label in kons:
            bas = cell_value(ts, "avslutade", **base, kon=code)
            if code and not _shown(bas):
                continue
            for cat in cats:
                n = cell_value(ts, measure, **base, kon=code, **({dim: cat} if dim else {}))
                rows.append({"forbund": fb, "insats": ins, "kon": label, "matt": matt,
                             "kategori": cat, "n": n, "bas": bas,
                             "andel": n / bas if bas and not pd.isna(bas) else np.nan,
                             "undertryckt": bool(pd.isna(n) or pd.isna(bas))})
    return pd.DataFrame(rows, columns=["forbund", "insats", "kon", "matt", "kategori", "n", "bas", "andel",
                                       "undertryckt"])


def monthly_published(monthly: pd.DataFrame, ts, skiva: dict | None, min_n: int = 5) -> bool:
    """Whether the monthly inflow/outflow figure (:func:`monthly_flows`, :func:`figure_monthly`) may be shown.

    Months are not cells of the protected table set, but they add up to its cells: the months' ``nya``
    and ``avslutade`` sum to the slice's year cells, and the ``aktiva`` line gives the year's
    ``aktiva`` cell (active in January, plus every later month's new ones) and any one month from its
    neighbours (aktiva next month = aktiva − avslutade + nya). A month hidden below ``min_n`` is then
    the year cell minus the others, and a hidden year cell the sum of the months. So the figure is
    shown only when no monthly count is hidden (0 or ≥ ``min_n``) and the slice's ``nya``,
    ``avslutade`` and ``aktiva`` cells (:func:`table_slice`) are published; otherwise one line says why
    (label ``flows.ej_skiva.manad``).

    Examples
    --------
    >>> from evaluation import tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 12, "insats": ["X"] * 12, "kon": ["man"] * 12,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-02-03"] * 6 + ["2025-03-03"] * 6),
    ...                    "avslutsdatum": pd.NaT})
    >>> ts = tableset.build(ep, reference_date="2025-03-31")
    >>> m = pd.DataFrame({"manad": ["2025-02", "2025-03"], "aktiva": [6, 12], "nya": [6, 6], "avslutade": [0, 0]})
    >>> monthly_published(m, ts, {"forbund": "A", "insats": "", "period": "2025"})
    True
    >>> monthly_published(m.assign(nya=[9, 3]), ts, {"forbund": "A", "insats": "", "period": "2025"})
    False
    """
    if ts is None or skiva is None or skiva.get("period") is None:
        return False
    vals = monthly[["aktiva", "nya", "avslutade"]].to_numpy(dtype=float)
    if ((vals > 0) & (vals < min_n)).any():
        return False
    return published(ts, skiva, [("nya", {}), ("avslutade", {}), ("aktiva", {})])


def forsorjning_margins(ts, forbund: str = "", insats: str = "", period: str = "alla", kon: str = "",
                        lang: str = "sv") -> pd.DataFrame:
    """Försörjningsgrupp at enrolment and at exit: the margins of the before → after transitions.

    The transitions between groups (before × after, :func:`forsorjning_transitions`,
    :func:`figure_sankey`) are not cells of the protected table set (crossing them hid 63-88 % of
    all cells, :mod:`evaluation.tableset`), so what a board sees of them is their two margins:
    one row per group (offentlig, egen, ingen, okänd) with the ``forsorjning_fore`` and
    ``forsorjning_efter`` cells of the slice and a Totalt row (the ``avslutade`` cell), as the
    styrelse dashboard shows them (:func:`evaluation.dashboards.views.forsorjning_table`; caption
    ``dashboards.forsorjning.caveat`` says why the transitions are not shown). A suppressed cell is
    "–"; a group with a published 0 both before and after is left out; ``period`` None (not a
    slice, :func:`table_slice`): every cell "–".

    Returns
    -------
    DataFrame
        Index: the group labels and "Totalt" (name "Försörjning"); columns "Vid inskrivning",
        "Vid avslut" (strings).

    Examples
    --------
    >>> from evaluation import tableset
    >>> ep = classify_exits(pd.DataFrame({"episod_id": [f"e{i}" for i in range(10)],
    ...     "deltagare_id": [f"p{i}" for i in range(10)], "forbund": "A", "insats": "X", "kon": "man",
    ...     "inskrivningsdatum": "2025-01-10", "avslutsdatum": "2025-05-01", "avslutsorsak": "forvarvsarbete",
    ...     "forsorjning_fore": "forsorjningsstod", "forsorjning_efter": ["lon"] * 6 + ["forsorjningsstod"] * 4}),
    ...     "2026-01-15")
    >>> forsorjning_margins(tableset.build(ep, reference_date="2026-01-15"), "A", period="2025").values.tolist()
    [['10', '4'], ['0', '6'], ['10', '10']]
    """
    from .disclosure import format_number

    dims = {"forbund": forbund, "insats": insats, "period": period, "kon": kon}
    order = list(_GROUPS)
    groups = list(dict.fromkeys(_domain(ts, "forsorjning_fore", "kategori") + _domain(ts, "forsorjning_efter", "kategori")))
    groups.sort(key=lambda v: (order.index(v) if v in order else len(order), v))

    def shown(v):
        return t("suppressed_short", lang) if pd.isna(v) else format_number(v, lang, 0)

    rows, index = [], []
    for g in groups:
        vals = [cell_value(ts, m, kategori=g, **dims) for m in ("forsorjning_fore", "forsorjning_efter")]
        if all(v == 0 for v in vals):
            continue
        rows.append([shown(v) for v in vals])
        index.append(_forsorjning_label(g, lang))
    rows.append([shown(cell_value(ts, "avslutade", **dims))] * 2)
    index.append(t("totalt", lang))
    out = pd.DataFrame(rows, index=index, columns=[t("dashboards.forsorjning.vid_inskrivning", lang),
                                                   t("dashboards.forsorjning.vid_avslut", lang)])
    out.index.name = t("dashboards.forsorjning.grupp", lang)
    return out


# --------------------------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------------------------

def _cat_label(code: str, lang: str) -> str:
    key = f"flows.kategori.{code}"
    try:
        return t(key, lang)
    except KeyError:
        return str(code)


def _forsorjning_label(code: str, lang: str) -> str:
    if code in _GROUPS:
        return _cat_label(f"grupp_{code}", lang)
    try:
        return vlabel("forsorjning", code, lang)
    except KeyError:
        return str(code)


def figure_sankey(transitions: pd.DataFrame, lang: str = "sv", min_n: int = 5) -> go.Figure:
    """Sankey diagram of försörjning before → after from :func:`forsorjning_transitions`.

    Flows with fewer than ``min_n`` persons are left out (small-cell suppression; the title notes it).

    Examples
    --------
    >>> tab = pd.DataFrame([[6, 5]], index=pd.Index(["forsorjningsstod"], name="fore"),
    ...     columns=pd.Index(["lon", "studiemedel"], name="efter"))
    >>> len(figure_sankey(tab).data[0].link.value)
    2
    """
    fore = list(transitions.index)
    efter = list(transitions.columns)
    labels = [f"{_forsorjning_label(c, lang)} ({t('flows.fore', lang).lower()})" for c in fore] + \
             [f"{_forsorjning_label(c, lang)} ({t('flows.efter', lang).lower()})" for c in efter]
    src, tgt, val = [], [], []
    hidden = 0
    for i, a in enumerate(fore):
        for j, b in enumerate(efter):
            v = int(transitions.loc[a, b])
            if v == 0:
                continue
            if v < min_n:
                hidden += v
                continue
            src.append(i)
            tgt.append(len(fore) + j)
            val.append(v)
    colors = [COLORS[i % len(COLORS)] for i in range(len(labels))]
    fig = go.Figure(go.Sankey(node=dict(label=labels, color=colors, pad=15),
                              link=dict(source=src, target=tgt, value=val)))
    title = t("flows.fig.sankey", lang)
    if hidden:
        title += f" ({t('flows.fig.dolda', lang, n=min_n)})"
    return apply_layout(fig, title, 500)


def figure_exits(summary: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Bar chart of exits per category from :func:`exit_summary`, confirmed and unconfirmed stacked.

    Shown only when every count it uses is published: with a suppressed cell (NaN, e.g. from
    :func:`protected_exits`) the figure is a one-line note instead of bars. Without the columns
    ``bekraftad`` / ``obekraftad`` (the protected table set has no such split) one bar per category.

    Examples
    --------
    >>> s = pd.DataFrame({"kategori": ["arbete"], "n": [7.0], "bekraftad": [5.0], "obekraftad": [2.0]})
    >>> [tr.name for tr in figure_exits(s).data]
    ['Bekräftat', 'Obekräftat (väntetid pågår)']
    """
    cols = [c for c in ("n", "bekraftad", "obekraftad") if c in summary]
    if summary[cols].isna().to_numpy().any():  # a figure uses every cell: else none
        fig = go.Figure()
        fig.add_annotation(text=t("flows.fig.undertryckt", lang), showarrow=False, xref="paper", yref="paper",
                           x=0.5, y=0.5)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return apply_layout(fig, t("flows.fig.avslut", lang), 200)
    s = summary.dropna(subset=["n"])
    x = [_cat_label(k, lang) for k in s["kategori"]]
    if len(cols) < 3:  # no confirmation split (protected_exits: not a cell of the table set): one bar each
        fig = go.Figure([go.Bar(name=t("n", lang), x=x, y=s["n"], marker_color=COLORS[0], showlegend=False)])
        fig.update_layout(yaxis_title=t("n", lang))
        count_axis(fig)
        return apply_layout(fig, t("flows.fig.avslut", lang), 450)
    fig = go.Figure([
        go.Bar(name=t("flows.bekraftad", lang), x=x, y=s["bekraftad"], marker_color=COLORS[0]),
        go.Bar(name=t("flows.obekraftad", lang), x=x, y=s["obekraftad"], marker_color=COLORS[1]),
    ])
    fig.update_layout(barmode="stack", yaxis_title=t("n", lang))
    count_axis(fig)
    if len(s) and (s["bekraftad"].fillna(0) + s["obekraftad"].fillna(0)).max() > 10:
        fig.update_yaxes(dtick=None)  # stacked bars reach the category totals: plotly's own whole ticks
    return apply_layout(fig, t("flows.fig.avslut", lang), 450)


def figure_kaplan_meier(km: pd.DataFrame, incidence: pd.DataFrame | None = None, lang: str = "sv") -> go.Figure:
    """Kaplan–Meier step curves (share still in insats) and, optionally, cumulative incidence per category.

    Examples
    --------
    >>> km = pd.DataFrame({"grupp": ["totalt"] * 2, "manader": [0.0, 1.0], "andel_kvar": [1.0, 0.5]})
    >>> len(figure_kaplan_meier(km).data)
    1
    """
    fig = go.Figure()
    for i, (name, g) in enumerate(km.groupby("grupp", sort=False)):
        fig.add_trace(go.Scatter(x=g["manader"], y=g["andel_kvar"], mode="lines", line_shape="hv",
                                 name=f"{t('flows.kvar', lang)}: {_cat_label(str(name), lang)}",
                                 line=dict(color=COLORS[i % len(COLORS)])))
    if incidence is not None:
        for i, (name, g) in enumerate(incidence.groupby("kategori", sort=False)):
            fig.add_trace(go.Scatter(x=g["manader"], y=g["kumulativ_andel"], mode="lines", line_shape="hv",
                                     name=f"{t('flows.avslutad_till', lang)}: {_cat_label(str(name), lang)}",
                                     line=dict(dash="dot", color=COLORS[(i + 1) % len(COLORS)])))
    fig.update_layout(xaxis_title=t("flows.manader", lang), yaxis_title=t("andel", lang),
                      yaxis=dict(range=[0, 1.02], tickformat=".0%"))
    return apply_layout(fig, t("flows.fig.km", lang), 480)


def figure_monthly(monthly: pd.DataFrame, lang: str = "sv", min_n: int = 0) -> go.Figure:
    """Inflow/outflow chart: new (up) and ended (down) bars per month with the active line.

    ``min_n`` > 0 hides monthly counts below it (shown as gaps).

    Examples
    --------
    >>> m = pd.DataFrame({"manad": ["2024-01"], "aktiva": [3], "nya": [2], "avslutade": [1]})
    >>> [tr.type for tr in figure_monthly(m).data]
    ['bar', 'bar', 'scatter']
    """
    m = monthly.copy()
    if min_n:
        for col in ("aktiva", "nya", "avslutade"):
            m[col] = m[col].where((m[col] == 0) | (m[col] >= min_n))
    fig = go.Figure([
        go.Bar(name=t("flows.nya", lang), x=m["manad"], y=m["nya"], marker_color=COLORS[2]),
        go.Bar(name=t("flows.avslutade", lang), x=m["manad"], y=-m["avslutade"], marker_color=COLORS[3],
               customdata=m["avslutade"], hovertemplate="%{customdata}"),
        go.Scatter(name=t("flows.aktiva", lang), x=m["manad"], y=m["aktiva"], mode="lines+markers",
                   line=dict(color=COLORS[0])),
    ])
    fig.update_layout(barmode="relative", yaxis_title=t("n", lang), xaxis_title=t("flows.manad", lang))
    return apply_layout(fig, t("flows.fig.manad", lang), 450)
