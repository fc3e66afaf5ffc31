"""NNS 15 kärnindikatorer: results per item and indicator, pairs, trends, målnivåer, indicator 11.

The item bank and questionnaires are in :mod:`evaluation.questionnaires`. Survey data arrive wide
(schema ``SURVEY``): one row per respondent × wave × timepoint, item columns ``nns_<id>`` (``.`` →
``_``: ``nns_8_1``), values 1..``scale_max`` (default 6; 5 for forms with a five-step scale). Item
columns ``nns_…`` that are not in the bank are *local supplementary items* and are always reported
apart from the core items (:func:`item_results` with ``lokala=True``).

**Scoring is a design choice of the workbench.** The source (001) gives no scoring rule: no mean,
index, weighting, missing rule or minimum n (DOMAIN.md §4.2). The workbench therefore reports per
item and per respondent group (groups are never pooled unless asked for explicitly), with n,
distribution, median, mean, SD and the shares in the top two and bottom two scale steps; the
indicator-level composite (:func:`composite`) is optional and always shown with Cronbach's α and its
item count. Non-response (*bortfall*) is an item left empty by a respondent whose questionnaire
contains the item. Board tables pass :mod:`evaluation.disclosure` (rows with n < ``min_n`` blanked).

Notebook ``notebooks/karnindikatorer.ipynb`` records these headline keys with
:func:`evaluation.results.save`:

``antal_svar``
    number of questionnaire rows (respondent × wave × timepoint) read; None when a group's count
    is hidden (the total would reveal it).
``antal_svar_per_grupp``
    ``{respondentgrupp: rows}``; a group's rows are None unless every questionnaire count it adds
    is a published cell of the protected NNS table (:func:`evaluation.surveytables.rows_per_group`).
``vagor``
    the waves, sorted.
``pastaenden_per_enkat``
    ``{"<grupp>/<tidpunkt>": item count}`` of the generated questionnaires (Tabell 2).
``andel_topp2_senaste``
    ``{"<förbund>/<grupp>/<tidpunkt>/<item>": share}`` in the latest wave (suppressed cells omitted).
``malniva_status``
    ``{"<förbund>/<indikator>/<item>/<grupp>/<tidpunkt>/<mått>": status}`` (``-`` for an empty
    part; status ``uppnadd``, ``nara``, ``ej_uppnadd``, ``saknas``).
``indikator7_andel_komplett``
    share of indicator 7 episode ratings with both the participant's and the staff's rating.
``indikator11``
    ``{"kohort": n, "uppfoljda": n, "bibehallen": n, "andel": share}`` (all episodes given, register;
    all None when fewer than ``min_n`` were followed up, and in a board output, i.e. with the protected
    NNS table: no cell gives them, :data:`INDICATOR11_NOT_A_SLICE`).

:func:`headline` builds this dict.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import yaml
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from . import instruments
from . import questionnaires as qn
from .figures import apply_layout, bar_height
from .labels import t
from .formatting import percent as _percent
from .schemas import split_multi
from .vocabulary import exit_reasons, label, vocabulary
from .errors import EvaluationError

__all__ = [
    "INDICATOR11_NOT_A_SLICE",
    "board_table",
    "DEFAULT_BY",
    "MEASURES",
    "STATUS_COLORS",
    "IndicatorError",
    "ResponseRangeError",
    "long_responses",
    "item_results",
    "indicator_results",
    "composite",
    "pair_frames",
    "compare_pairs",
    "indicator7",
    "indicator7_summary",
    "trend",
    "compare_with_aggregate",
    "wave_period",
    "load_targets",
    "attainment",
    "target_attainment",
    "due_board",
    "indicator11_episodes",
    "indicator11",
    "figure_diverging",
    "figure_trend",
    "figure_targets",
    "headline",
]

#: Default breakdown: never pooled across respondent groups or timepoints.
DEFAULT_BY: tuple[str, ...] = ("respondentgrupp", "tidpunkt", "forbund", "vag")

#: Measures a målnivå can name, with the default direction (``minst``: value ≥ target).
MEASURES: dict[str, str] = {"andel_topp2": "minst", "andel_botten2": "hogst", "medel": "minst",
                            "median": "minst", "andel_bibehallen": "minst"}

#: Colour per attainment status (Okabe–Ito; grey for no data).
STATUS_COLORS: dict[str, str] = {"uppnadd": "#009E73", "nara": "#E69F00", "ej_uppnadd": "#D55E00",
                                 "saknas": "#999999"}

_DEFAULT_MARGIN = {"andel_topp2": 0.05, "andel_botten2": 0.05, "andel_bibehallen": 0.05, "medel": 0.25,
                   "median": 0.5}


class IndicatorError(EvaluationError, ValueError):
    """Indicator input that cannot be computed as asked (the message says what to change)."""


class ResponseRangeError(IndicatorError):
    """A response outside 1..scale_max; fix the data or pass the form's ``scale_max``."""


# --------------------------------------------------------------------------- long form

def _suppress(df: pd.DataFrame, n_col: str, value_cols: list[str], min_n: int) -> pd.DataFrame:
    from . import disclosure  # parallel module; imported late so the bank works without it

    return disclosure.suppress_rows(df, n_col=n_col, value_cols=value_cols, min_n=min_n)


def long_responses(survey: pd.DataFrame, scale_max: int | None = None, lokala: bool = False,
                   version: str = qn.VERSION) -> pd.DataFrame:
    """Reshape wide NNS answers to one row per respondent × item that the questionnaire asked.

    An item is *asked* when it belongs to the questionnaire of the row's ``respondentgrupp`` and
    ``tidpunkt`` (:func:`evaluation.questionnaires.questionnaire`); an asked item left empty is
    non-response (``varde`` NaN). Answers to items the questionnaire does not contain are
    dropped with a warning. Local supplementary columns (``nns_…`` not in the bank) are asked
    of every row of a group × timepoint in which anybody answered them.

    Parameters
    ----------
    survey : DataFrame
        SURVEY schema, wide; rows whose ``instrument`` is not ``nns`` are ignored.
    scale_max : int, optional
        Top of the scale (default 6); values outside 1..scale_max raise :class:`ResponseRangeError`.
    lokala : bool
        Return the local supplementary items instead of the core items.

    Returns
    -------
    DataFrame
        ``respondent_id, respondentgrupp, tidpunkt, forbund, vag, episod_id, insats, kon, item,
        indikator (Int64; NA for local items), lokal (bool), varde (float)``.

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": ["a", "b"], "respondentgrupp": "styrelse", "forbund": "X",
    ...                   "vag": "2024H1", "tidpunkt": "halvar", "nns_12": [6, None], "nns_14a": [5, 4],
    ...                   "nns_14b": [4, 4]})
    >>> long_responses(s).groupby("item")["varde"].count().to_dict()
    {'12': 1, '14a': 2, '14b': 2}
    """
    low, high = instruments.response_range(qn.INSTRUMENT, scale_max)
    df = survey
    if "instrument" in df.columns:
        df = df[df["instrument"].astype(str).str.lower() == qn.INSTRUMENT]
    need = {"respondent_id", "respondentgrupp", "tidpunkt", "forbund", "vag"}
    missing = need - set(df.columns)
    if missing:
        raise IndicatorError(f"survey lacks columns {sorted(missing)}; load it with evaluation.io.load_survey")
    bank = qn.items(version)
    core_cols = set(bank["kolumn"])
    item_cols = [c for c in df.columns if isinstance(c, str) and c.startswith(qn.INSTRUMENT + "_")]
    meta = ["respondent_id", "respondentgrupp", "tidpunkt", "forbund", "vag", "episod_id", "insats", "kon"]
    base = df.reindex(columns=meta).copy()
    base["_row"] = np.arange(len(base))
    frames = []
    outside = 0
    for col in item_cols:
        vals = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isnan(vals) & ((vals < low) | (vals > high) | (vals != np.round(vals)))
        if bad.any():
            raise ResponseRangeError(
                f"{int(bad.sum())} answers in {col} outside the scale {low}–{high} (e.g. {vals[bad][0]:g}); "
                f"pass scale_max= for a form with another scale or correct the data")
        is_core = col in core_cols
        if is_core != (not lokala):
            continue
        if is_core:
            it = bank.loc[bank["kolumn"] == col].iloc[0]
            groups, tps = set(it["respondentgrupper"].split("|")), set(it["tidpunkter"].split("|"))
            asked = base["respondentgrupp"].isin(groups).to_numpy() & base["tidpunkt"].isin(tps).to_numpy()
            outside += int((~asked & ~np.isnan(vals)).sum())
            ind = int(it["indikator"])
            iid = it["id"]
        else:
            answered = ~np.isnan(vals)
            keys = set(zip(base.loc[answered, "respondentgrupp"], base.loc[answered, "tidpunkt"]))
            asked = np.array([(g, tp) in keys for g, tp in zip(base["respondentgrupp"], base["tidpunkt"])],
                             dtype=bool)
            ind = pd.NA
            iid = qn.item_id(col)
        part = base[asked].copy()
        part["item"] = iid
        part["indikator"] = ind
        part["lokal"] = not is_core
        part["varde"] = vals[asked]
        frames.append(part)
    if outside:
        warnings.warn(f"{outside} answers to items that the row's questionnaire does not contain were ignored",
                      stacklevel=2)
    cols = meta + ["item", "indikator", "lokal", "varde"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    order = {iid: i for i, iid in enumerate(bank["id"])}
    out["_ord"] = out["item"].map(order).fillna(len(order))
    out = out.sort_values(["_ord", "_row"], kind="stable")
    out["indikator"] = out["indikator"].astype("Int64")
    return out[cols].reset_index(drop=True)


def _ci_mean(x: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    n = len(x)
    if n < 2:
        return (math.nan, math.nan)
    sem = stats.sem(x)
    if sem == 0:
        m = float(np.mean(x))
        return (m, m)
    lo, hi = stats.t.interval(level, n - 1, loc=float(np.mean(x)), scale=sem)
    return (float(lo), float(hi))


def _ci_share(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    lo, hi = proportion_confint(k, n, alpha=1 - level, method="wilson")
    return (float(lo), float(hi))


def _stats(values: pd.Series, low: int, high: int) -> dict:
    """Summary of one cell: n, non-response, mean (t CI), median, SD, distribution, top/bottom two (Wilson CI)."""
    v = values.to_numpy(dtype=float)
    asked = len(v)
    x = v[~np.isnan(v)]
    n = len(x)
    top = int((x >= high - 1).sum())
    bottom = int((x <= low + 1).sum())
    out = {
        "n_tillfragade": asked,
        "n": n,
        "bortfall": asked - n,
        "andel_bortfall": (asked - n) / asked if asked else math.nan,
        "medel": float(np.mean(x)) if n else math.nan,
        "median": float(np.median(x)) if n else math.nan,
        "sd": float(np.std(x, ddof=1)) if n > 1 else math.nan,
        "andel_topp2": top / n if n else math.nan,
        "andel_botten2": bottom / n if n else math.nan,
    }
    out["medel_ki_lag"], out["medel_ki_hog"] = _ci_mean(x)
    out["topp2_ki_lag"], out["topp2_ki_hog"] = _ci_share(top, n)
    for s in range(low, high + 1):
        out[f"andel_{s}"] = float((x == s).sum()) / n if n else math.nan
    return out


def _check_by(by, pool_groups: bool) -> list[str]:
    by = list(by)
    if "respondentgrupp" not in by and not pool_groups:
        raise IndicatorError("results are reported per respondent group; keep 'respondentgrupp' in by= "
                             "or pass pool_groups=True to pool groups deliberately")
    return by


def item_results(survey: pd.DataFrame, by=DEFAULT_BY, scale_max: int | None = None, min_n: int = 5,
                 suppress: bool = True, lokala: bool = False, pool_groups: bool = False,
                 tabeller=None) -> pd.DataFrame:
    """Results per item by respondent group, timepoint, förbund and wave.

    Per cell: ``n_tillfragade`` (rows whose questionnaire asked the item), ``n`` (answers),
    ``bortfall`` and ``andel_bortfall`` (non-response), ``medel`` with a t-based 95 % CI
    (``scipy.stats.t.interval``), ``median``, ``sd`` (ddof = 1), ``andel_topp2`` (share answering
    scale_max − 1 or scale_max) with a Wilson 95 % CI (``statsmodels`` ``proportion_confint``,
    ``method="wilson"``), ``andel_botten2`` (share answering 1 or 2) and the distribution
    ``andel_1`` … ``andel_<scale_max>``. With ``suppress``, cells with 0 < n < ``min_n`` are blanked
    by :func:`evaluation.disclosure.suppress_rows` (column ``undertryckt``).

    Parameters
    ----------
    survey : DataFrame
        Wide NNS answers (SURVEY schema).
    by : sequence of str
        Breakdown columns; must contain ``respondentgrupp`` unless ``pool_groups``.
    scale_max : int, optional
        Top of the scale (default 6).
    min_n : int
        Smallest n shown.
    suppress : bool
        Apply small-cell suppression (turn off only for internal computation).
    lokala : bool
        Report the local supplementary items (never mixed with the core items).
    pool_groups : bool
        Allow ``by`` without ``respondentgrupp`` (pooling groups; not the default, DOMAIN.md §4.2).
    tabeller : evaluation.tableset.TableSet, optional
        The protected NNS table (:mod:`evaluation.surveytables`): with it, every row is a cell of
        that table (statistics recomputed from the cell's counts) and a row whose cell is not
        published is blanked, instead of suppressing table by table; ``by`` must keep
        ``respondentgrupp``, ``tidpunkt`` and ``vag`` (``forbund``, ``kon`` may be left out: their total).

    Returns
    -------
    DataFrame
        ``by`` columns, ``item``, ``indikator``, ``lokal`` and the statistics above.

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": list("abcde"), "respondentgrupp": "styrelse", "forbund": "X",
    ...                   "vag": "2024H1", "tidpunkt": "halvar", "nns_12": [6, 5, 4, 2, None]})
    >>> r = item_results(s, min_n=1).set_index("item").loc["12"]
    >>> int(r["n"]), float(r["andel_topp2"]), int(r["bortfall"])
    (4, 0.5, 1)
    """
    by = _check_by(by, pool_groups)
    if tabeller is not None and suppress:
        from . import surveytables

        res = item_results(survey, by, scale_max, min_n, suppress=False, lokala=lokala, pool_groups=pool_groups)
        return res if res.empty else surveytables.item_results_from_cells(res, tabeller, by, scale_max)
    low, high = instruments.response_range(qn.INSTRUMENT, scale_max)
    lr = long_responses(survey, scale_max, lokala=lokala)
    keys = by + ["item", "indikator", "lokal"]
    rows = []
    for key, grp in lr.groupby(keys, sort=False, dropna=False):
        rows.append({**dict(zip(keys, key)), **_stats(grp["varde"], low, high)})
    res = pd.DataFrame(rows)
    if res.empty:
        return res
    res = res.sort_values(by, kind="stable").reset_index(drop=True)
    if suppress:
        vals = [c for c in res.columns if c not in keys and c not in ("n", "n_tillfragade")]
        res = _suppress(res, "n", vals, min_n)
    return res


def indicator_results(survey: pd.DataFrame, by=DEFAULT_BY, scale_max: int | None = None, min_n: int = 5,
                      suppress: bool = True, pool_groups: bool = False, tabeller=None) -> pd.DataFrame:
    """Results per indicator: all item answers of one indicator within one respondent group pooled.

    Within a cell of ``by`` the answers to the indicator's items (e.g. 6a and 6b; 8.1 and 8.2) are
    pooled as answers (a workbench design choice; the source has no scoring rule). ``n`` is the
    number of respondents with at least one answer (used for suppression), ``n_svar`` the number
    of answers, ``antal_pastaenden`` and ``pastaenden`` the items pooled; the other statistics are
    those of :func:`item_results`, computed on the pooled answers. Indicator 11 (register) is not
    here: see :func:`indicator11`. With ``tabeller`` (the protected NNS table) a row is the sum of
    its items' cells and is shown only where every one of them is published
    (:func:`evaluation.surveytables.indicator_results_from_cells`).

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": list("ab"), "respondentgrupp": "styrelse", "forbund": "X",
    ...                   "vag": "2024H1", "tidpunkt": "halvar", "nns_14a": [6, 2], "nns_14b": [5, None]})
    >>> r = indicator_results(s, min_n=1).set_index("indikator").loc[14]
    >>> int(r["n"]), int(r["n_svar"]), round(float(r["medel"]), 3)
    (2, 3, 4.333)
    """
    by = _check_by(by, pool_groups)
    if tabeller is not None and suppress:
        from . import surveytables

        res = indicator_results(survey, by, scale_max, min_n, suppress=False, pool_groups=pool_groups)
        return res if res.empty else surveytables.indicator_results_from_cells(res, tabeller, by, scale_max)
    low, high = instruments.response_range(qn.INSTRUMENT, scale_max)
    lr = long_responses(survey, scale_max)
    keys = by + ["indikator"]
    rows = []
    for key, grp in lr.groupby(keys, sort=False, dropna=False):
        st = _stats(grp["varde"], low, high)
        answered = grp[grp["varde"].notna()]
        st["n_svar"] = st.pop("n")
        st["n"] = int(answered.drop_duplicates(["respondent_id", "vag", "tidpunkt"]).shape[0])
        items_ = list(dict.fromkeys(grp["item"]))
        rows.append({**dict(zip(keys, key)), "antal_pastaenden": len(items_), "pastaenden": ", ".join(items_), **st})
    res = pd.DataFrame(rows)
    if res.empty:
        return res
    res["indikator"] = res["indikator"].astype(int)
    res = res.sort_values(by + ["indikator"], kind="stable").reset_index(drop=True)
    if suppress:
        vals = [c for c in res.columns if c not in keys + ["n", "n_tillfragade", "antal_pastaenden", "pastaenden"]]
        res = _suppress(res, "n", vals, min_n)
    return res


def composite(survey: pd.DataFrame, indikator: int, respondentgrupp: str, tidpunkt: str | None = None,
              by=("forbund", "vag"), scale_max: int | None = None, min_n: int = 5,
              suppress: bool = True) -> pd.DataFrame:
    """Optional indicator composite (mean of the indicator's items) with Cronbach's α and item count.

    The composite is the respondent's mean over the indicator's items, for respondents who
    answered all of them (listwise). It is only offered for indicators with at least two items in
    the group's questionnaire and is always reported with ``antal_pastaenden`` (k) and Cronbach's α
    with its 95 % CI from ``pingouin.cronbach_alpha`` (Cronbach 1951); the source (001) defines no
    composite and states that reliability was untested, so the composite is a workbench option.

    Returns
    -------
    DataFrame
        ``by`` columns, ``indikator``, ``respondentgrupp``, ``tidpunkt``, ``antal_pastaenden``,
        ``pastaenden``, ``n`` (complete respondents), ``alfa``, ``alfa_ki_lag``, ``alfa_ki_hog``,
        ``medel``, ``sd``.

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": list("abcde"), "respondentgrupp": "styrelse", "forbund": "X",
    ...                   "vag": "2024H1", "tidpunkt": "halvar", "nns_14a": [1, 2, 3, 4, 5],
    ...                   "nns_14b": [1, 3, 3, 4, 6]})
    >>> round(float(composite(s, 14, "styrelse", min_n=1)["alfa"].iloc[0]), 3)   # 2·(1 − 5.8/11.3)
    0.973
    """
    import pingouin as pg

    lr = long_responses(survey, scale_max)
    lr = lr[(lr["indikator"] == indikator) & (lr["respondentgrupp"] == respondentgrupp)]
    if tidpunkt is not None:
        lr = lr[lr["tidpunkt"] == tidpunkt]
    item_ids = list(dict.fromkeys(lr["item"]))
    if len(item_ids) < 2:
        raise IndicatorError(f"indicator {indikator} has {len(item_ids)} item(s) for {respondentgrupp!r}; "
                             f"a composite needs at least two: report the item itself with item_results")
    by = list(by)
    idx = ["respondent_id", "tidpunkt"] + [b for b in by if b != "tidpunkt"]
    wide = lr.pivot_table(index=idx, columns="item", values="varde", aggfunc="first", dropna=False)
    wide = wide.reindex(columns=item_ids).dropna()
    rows = []
    for key, grp in wide.groupby(level=[idx.index(b) for b in by], sort=True):
        key = key if isinstance(key, tuple) else (key,)
        n = len(grp)
        alpha, lo, hi = math.nan, math.nan, math.nan
        if n >= 3:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                a, ci = pg.cronbach_alpha(data=grp.reset_index(drop=True), ci=0.95)
            alpha, lo, hi = float(a), float(ci[0]), float(ci[1])
        score = grp.mean(axis=1)
        rows.append({**dict(zip(by, key)), "indikator": indikator, "respondentgrupp": respondentgrupp,
                     "tidpunkt": tidpunkt if tidpunkt else "", "antal_pastaenden": len(item_ids),
                     "pastaenden": ", ".join(item_ids), "n": n, "alfa": alpha, "alfa_ki_lag": lo,
                     "alfa_ki_hog": hi, "medel": float(score.mean()),
                     "sd": float(score.std(ddof=1)) if n > 1 else math.nan})
    res = pd.DataFrame(rows)
    if suppress and not res.empty:
        res = _suppress(res, "n", ["alfa", "alfa_ki_lag", "alfa_ki_hog", "medel", "sd"], min_n)
    return res


# --------------------------------------------------------------------------- pairs and sources

#: Tense pairs of one construct: under ↔ vid avslut (DOMAIN.md §4.2).
PAIRS: dict[str, tuple[str, str]] = {str(i): (f"{i}U", f"{i}A") for i in range(1, 6)}


def pair_frames(survey: pd.DataFrame, pair: str | int, link: str = "respondent_id",
                scale_max: int | None = None, forbund: str | None = None) -> tuple[pd.DataFrame, bool]:
    """The under (U) and vid avslut (A) answers of one tense pair, keyed for linking.

    Parameters
    ----------
    pair : str or int
        ``1`` … ``5`` (1U↔1A … 5U↔5A).
    link : str
        Column that links a participant's two questionnaires (``respondent_id`` or ``episod_id``).

    Returns
    -------
    (DataFrame, bool)
        Frame with ``<link>, forbund, vag, tidpunkt, item, varde`` (answered only) and whether any
        respondent occurs at both timepoints (paired design possible).

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": ["a", "a"], "respondentgrupp": "deltagare", "forbund": "X",
    ...                   "vag": "2024H1", "tidpunkt": ["under", "avslut"], "nns_1U": [3, None],
    ...                   "nns_1A": [None, 5]})
    >>> pair_frames(s, 1)[1]
    True
    """
    key = str(pair)
    if key not in PAIRS:
        raise IndicatorError(f"unknown pair {pair!r}; pairs are {sorted(PAIRS)} (1U↔1A … 5U↔5A)")
    u, a = PAIRS[key]
    lr = long_responses(survey, scale_max)
    lr = lr[lr["item"].isin([u, a]) & lr["varde"].notna()]
    if forbund:
        lr = lr[lr["forbund"] == forbund]
    if link not in lr.columns or lr[link].isna().all():
        return lr.assign(**{link: pd.NA}), False
    linked = set(lr.loc[lr["item"] == u, link].dropna()) & set(lr.loc[lr["item"] == a, link].dropna())
    return lr.reset_index(drop=True), bool(linked)


def compare_pairs(survey: pd.DataFrame, link: str = "respondent_id", scale_max: int | None = None,
                  forbund: str | None = None, min_n: int = 5, lang: str = "sv") -> pd.DataFrame:
    """Compare under ↔ vid avslut for the pairs 1U↔1A … 5U↔5A with :func:`evaluation.compare.before_after`.

    The design is decided per pair by :func:`evaluation.compare.design_of` on the ``link``
    column (paired when nearly everyone in the smaller group answered both questionnaires,
    otherwise unpaired repeated cross-section; DOMAIN.md §5). The answers are ordinal, so read
    ``p_wilcoxon`` and ``rank_biserial`` (paired) or ``p_mannwhitney`` (unpaired); the t-test
    columns of ``before_after`` are shown beside them. When a participant answered the same
    questionnaire in several waves, only the latest answer is used (also when unpaired, so that no
    person counts twice in one group). Rows with n < ``min_n`` are
    suppressed (:func:`evaluation.disclosure.suppress_rows`).

    Returns
    -------
    DataFrame
        One row per pair with answers: ``par`` (``"1U↔1A"``), ``motivering`` (why paired or not)
        and the columns of ``before_after`` (``design``, ``n``, ``mean_before``, ``mean_after``, …).

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": list("abcabc"), "respondentgrupp": "deltagare", "forbund": "X",
    ...                   "vag": "2024H1", "tidpunkt": ["under"] * 3 + ["avslut"] * 3,
    ...                   "nns_1U": [2, 3, 4, None, None, None], "nns_1A": [None, None, None, 4, 5, 5]})
    >>> compare_pairs(s, min_n=1)[["par", "design", "n"]].values.tolist()
    [['1U↔1A', 'paired', 3]]
    """
    from . import compare

    rows = []
    for key, (u, a) in PAIRS.items():
        lr, _ = pair_frames(survey, key, link, scale_max, forbund)
        if lr.empty:
            continue
        lr = lr.sort_values("vag", kind="stable").assign(_rad=[f"r{i}" for i in range(len(lr))])
        fore, efter = lr[lr["item"] == u], lr[lr["item"] == a]
        linked = link in lr.columns and lr[link].notna().any()
        design = compare.design_of(fore.dropna(subset=[link]), efter.dropna(subset=[link]), id_col=link,
                                   value_col="varde", lang=lang) if linked else None
        paired = bool(design and design.paired)
        if paired:
            fore, efter = fore.dropna(subset=[link]), efter.dropna(subset=[link])
        # one answer per person and questionnaire (latest wave); unlinkable rows count once each
        fore, efter = (x.assign(_id=x[link].astype(object).where(x[link].notna(), x["_rad"]) if link in x else x["_rad"])
                       for x in (fore, efter))
        fore = fore.drop_duplicates("_id", keep="last").set_index("_id")["varde"]
        efter = efter.drop_duplicates("_id", keep="last").set_index("_id")["varde"]
        res = compare.before_after(fore, efter, paired=paired)
        reason = design.reason if design else t("indicators.ej_lankbar", lang)
        rows.append(res.assign(par=f"{u}↔{a}", motivering=reason))
    if not rows:
        return pd.DataFrame(columns=["par", "motivering", "design", "n"])
    out = pd.concat(rows, ignore_index=True)
    out = out[["par", "design", "motivering"] + [c for c in out.columns if c not in ("par", "design", "motivering")]]
    stat = [c for c in out.columns if c not in ("par", "design", "motivering", "n")
            and pd.api.types.is_numeric_dtype(out[c])]
    return _suppress(out, "n", stat, min_n)


def indicator7(survey: pd.DataFrame, scale_max: int | None = None) -> pd.DataFrame:
    """Indicator 7 per episode: participant (7D) and staff (7P) rating side by side.

    Stegförflyttning is "alltid en kombination av subjektiva och objektiva fynd … alltid båda"
    (001): a rating is complete only when both exist for the same ``episod_id``, wave and timepoint.
    Participant ratings without ``episod_id`` cannot be linked and count as incomplete.

    Returns
    -------
    DataFrame
        ``forbund, vag, tidpunkt, episod_id, deltagare (7D), personal (7P), differens (D − P),
        komplett (bool), saknas`` (``""``, ``"deltagare"``, ``"personal"``).

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": ["d1", "p1", "d2"], "episod_id": ["e1", "e1", "e2"],
    ...                   "respondentgrupp": ["deltagare", "personal", "deltagare"], "forbund": "X",
    ...                   "vag": "2024H1", "tidpunkt": "under", "nns_7D": [5, None, 4], "nns_7P": [None, 3, None]})
    >>> indicator7(s)[["episod_id", "komplett", "saknas"]].values.tolist()
    [['e1', True, ''], ['e2', False, 'personal']]
    """
    lr = long_responses(survey, scale_max)
    lr = lr[lr["item"].isin(["7D", "7P"]) & lr["varde"].notna()].copy()
    lr["_kalla"] = lr["item"].map({"7D": "deltagare", "7P": "personal"})
    nolink = lr["episod_id"].isna()
    lr.loc[nolink, "episod_id"] = "ej_kopplad_" + lr.loc[nolink, "respondent_id"].astype(str)
    wide = lr.pivot_table(index=["forbund", "vag", "tidpunkt", "episod_id"], columns="_kalla", values="varde",
                          aggfunc="mean").reindex(columns=["deltagare", "personal"]).reset_index()
    wide.columns.name = None
    wide["differens"] = wide["deltagare"] - wide["personal"]
    wide["komplett"] = wide["deltagare"].notna() & wide["personal"].notna()
    wide["saknas"] = np.where(wide["deltagare"].isna(), "deltagare", np.where(wide["personal"].isna(), "personal", ""))
    wide.loc[wide["episod_id"].astype(str).str.startswith("ej_kopplad_"), "episod_id"] = pd.NA
    return wide


def indicator7_summary(ind7: pd.DataFrame, by=("forbund", "vag", "tidpunkt"), min_n: int = 5,
                       suppress: bool = True) -> pd.DataFrame:
    """Summary of :func:`indicator7`: completeness and the two ratings on complete episodes.

    Returns
    -------
    DataFrame
        ``by``, ``n_episoder``, ``n`` (complete), ``andel_komplett``, ``saknar_deltagare``,
        ``saknar_personal``, ``medel_deltagare``, ``medel_personal``, ``medel_differens`` (D − P,
        complete episodes only).

    Examples
    --------
    >>> d = pd.DataFrame({"forbund": "X", "vag": "V", "tidpunkt": "under", "deltagare": [5, 4, None],
    ...                   "personal": [3, None, 2], "komplett": [True, False, False],
    ...                   "saknas": ["", "personal", "deltagare"]})
    >>> float(indicator7_summary(d, min_n=1)["andel_komplett"].iloc[0])
    0.3333333333333333
    """
    by = list(by)
    rows = []
    for key, g in ind7.groupby(by, sort=True):
        c = g[g["komplett"]]
        rows.append({**dict(zip(by, key if isinstance(key, tuple) else (key,))), "n_episoder": len(g),
                     "n": len(c), "andel_komplett": len(c) / len(g) if len(g) else math.nan,
                     "saknar_deltagare": int((g["saknas"] == "deltagare").sum()),
                     "saknar_personal": int((g["saknas"] == "personal").sum()),
                     "medel_deltagare": float(c["deltagare"].mean()) if len(c) else math.nan,
                     "medel_personal": float(c["personal"].mean()) if len(c) else math.nan,
                     "medel_differens": float((c["deltagare"] - c["personal"]).mean()) if len(c) else math.nan})
    res = pd.DataFrame(rows)
    if suppress and not res.empty:
        res = _protect_parts(_suppress(res, "n", ["medel_deltagare", "medel_personal", "medel_differens"], min_n),
                             "n_episoder", ["n", "saknar_deltagare", "saknar_personal"], ["andel_komplett"], min_n)
    return res


def _protect_parts(df: pd.DataFrame, total: str, parts: list[str], shares: list[str], min_n: int) -> pd.DataFrame:
    """Hide the parts of a row total that are ``0 < v < min_n`` so that none can be derived (issue 15).

    In each row ``total`` = the sum of ``parts`` (indicator 7: episodes = complete + without the
    participant's rating + without the staff's rating). A small part is hidden; when only one part
    is hidden, the smallest other part is hidden too (else total − the shown parts gives it back;
    the first part, the row's ``n``, only when no other is left);
    when the hidden parts add up to fewer than ``min_n`` the total is hidden as well (else their
    sum is a small group). ``shares`` (part / total, e.g. ``andel_komplett``) are hidden with the
    first part or the total. Hidden cells show "–" (the cell mask of
    :func:`evaluation.disclosure.suppress_rows`); zeros are shown.

    Examples
    --------
    >>> d = pd.DataFrame({"tot": [26, 37], "n": [12, 9], "a": [1, 19], "b": [13, 9], "andel": [12 / 26, 9 / 37]})
    >>> out = _protect_parts(d, "tot", ["n", "a", "b"], ["andel"], 5)
    >>> out[["tot", "n", "a", "b"]].values.tolist()
    [[26.0, 12.0, nan, nan], [37.0, 9.0, 19.0, 9.0]]
    >>> out["undertryckt"].tolist(), bool(out.attrs["undertryckt_celler"].loc[0, "andel"])
    ([True, False], False)
    >>> _protect_parts(pd.DataFrame({"tot": [13], "n": [12], "a": [1], "b": [0], "andel": [12 / 13]}),
    ...                "tot", ["n", "a", "b"], ["andel"], 5)[["tot", "n", "a", "b", "andel"]].values.tolist()
    [[nan, 12.0, nan, nan, nan]]
    """
    from .disclosure import FLAG

    out = df.copy()
    cols = [total, *parts, *shares]
    prev = df.attrs.get("undertryckt_celler")
    mask = pd.DataFrame(False, index=out.index, columns=cols)
    if isinstance(prev, pd.DataFrame):
        for c in prev.columns:
            mask[c] = prev[c].reindex(out.index).fillna(False).astype(bool)
    for ix in out.index:
        vals = {c: df.at[ix, c] for c in parts}
        hidden = {c for c, v in vals.items() if mask.at[ix, c] or (pd.notna(v) and 0 < v < min_n)}
        if not hidden:
            continue
        if len(hidden) == 1:
            rest = sorted((c for c in parts if c not in hidden and pd.notna(vals[c])),
                          key=lambda c: (c == parts[0], vals[c]))  # the first part (the row's n) last
            hidden |= set(rest[:1])
        known = [vals[c] for c in hidden if pd.notna(vals[c])]
        if len(known) < len(hidden) or sum(known) < min_n:  # the hidden sum is small (or not known here)
            hidden.add(total)
        if parts[0] in hidden or total in hidden:
            hidden |= set(shares)
        for c in hidden:
            mask.at[ix, c] = True
    for c in cols:
        if mask[c].any():
            out[c] = out[c].astype(float).mask(mask[c])
    out[FLAG] = mask.any(axis=1).to_numpy() | (df[FLAG].to_numpy(bool) if FLAG in df else False)
    full = mask if not isinstance(prev, pd.DataFrame) else prev.reindex(out.index).fillna(False).astype(bool)
    if isinstance(prev, pd.DataFrame):
        for c in cols:
            full[c] = mask[c]
    out.attrs["undertryckt_celler"] = full
    return out


# --------------------------------------------------------------------------- time and förbund

def trend(results: pd.DataFrame, item: str, respondentgrupp: str, matt: str = "andel_topp2",
          tidpunkt: str | None = None, forbund: str | None = None) -> pd.DataFrame:
    """Trend of one item across waves with its 95 % CI, from :func:`item_results`.

    Parameters
    ----------
    results : DataFrame
        Output of :func:`item_results` (breakdown containing ``vag``).
    matt : {"andel_topp2", "medel"}
        Measure; shares carry Wilson CIs, means t-based CIs.

    Returns
    -------
    DataFrame
        ``forbund`` (if in results), ``tidpunkt``, ``vag``, ``n``, ``varde``, ``ki_lag``, ``ki_hog``,
        sorted by wave.

    Examples
    --------
    >>> r = pd.DataFrame({"respondentgrupp": "styrelse", "tidpunkt": "halvar", "forbund": "X",
    ...                   "vag": ["2025H1", "2024H2"], "item": "12", "n": [5, 6], "andel_topp2": [0.6, 0.5],
    ...                   "topp2_ki_lag": [0.2, 0.2], "topp2_ki_hog": [0.9, 0.8]})
    >>> list(trend(r, "12", "styrelse")["vag"])
    ['2024H2', '2025H1']
    """
    ci = {"andel_topp2": ("topp2_ki_lag", "topp2_ki_hog"), "medel": ("medel_ki_lag", "medel_ki_hog")}
    if matt not in ci:
        raise IndicatorError(f"trend measure must be one of {sorted(ci)}, got {matt!r}")
    r = results[(results["item"] == item) & (results["respondentgrupp"] == respondentgrupp)]
    if tidpunkt is not None:
        r = r[r["tidpunkt"] == tidpunkt]
    if forbund is not None:
        r = r[r["forbund"] == forbund]
    keep = [c for c in ("forbund", "tidpunkt") if c in r.columns]
    out = r[keep + ["vag", "n", matt, *ci[matt]]].rename(
        columns={matt: "varde", ci[matt][0]: "ki_lag", ci[matt][1]: "ki_hog"})
    return out.sort_values(keep + ["vag"]).reset_index(drop=True)


def compare_with_aggregate(survey: pd.DataFrame, viktning: str = "svarande", by=("respondentgrupp", "tidpunkt", "vag"),
                           scale_max: int | None = None, min_n: int = 5, suppress: bool = True,
                           aggregat_namn: str | None = None, lang: str = "sv", forbund=None,
                           tabeller=None) -> pd.DataFrame:
    """Each förbund beside a national/regional aggregate of all förbund in the data, per item.

    ``survey`` must hold *every* förbund (:attr:`evaluation.inputs.Inputs.alla`), so the aggregate is
    computed before any förbund filter; ``forbund`` (a name or a list) then keeps only those
    förbund's rows beside the aggregate rows (default: all förbund).

    Weighting of the aggregate (documented in the output column ``viktning``):

    * ``"svarande"`` (per respondent): all answers pooled, so large förbund weigh more; the
      aggregate's statistics are those of :func:`item_results` on the pooled answers.
    * ``"forbund"`` (per förbund): the unweighted mean of the förbund estimates of ``medel``,
      ``andel_topp2`` and ``andel_botten2``, each förbund with at least one answer counting once
      (``n_forbund``), whatever its n; medians and CIs are not defined for it and left empty.

    With ``tabeller`` (the protected NNS table, :mod:`evaluation.surveytables`) a förbund row is its
    cell and the aggregate the cell of the förbund total, each shown only where published (for
    ``"forbund"`` weighting only where every förbund's cell is: the mean of the förbund values would
    otherwise reveal a hidden one), instead of suppressing table by table.

    Returns
    -------
    DataFrame
        ``by`` columns, ``item``, ``indikator``, ``enhet`` (förbund name or the aggregate label),
        ``aggregat`` (bool), ``viktning``, ``n_forbund``, ``n``, ``medel``, ``median``, ``andel_topp2``,
        ``andel_botten2`` and CI columns.

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": list("abc"), "respondentgrupp": "styrelse",
    ...                   "forbund": ["X", "X", "Y"], "vag": "V", "tidpunkt": "halvar", "nns_15": None,
    ...                   "nns_12": [6, 6, 1]})
    >>> c = compare_with_aggregate(s, "forbund", min_n=1)
    >>> float(c.loc[c["aggregat"], "andel_topp2"].iloc[0])   # (1.0 + 0.0) / 2
    0.5
    >>> compare_with_aggregate(s, "forbund", min_n=1, forbund="Y")["enhet"].tolist()
    ['Y', 'Alla förbund (aggregat)']
    """
    if viktning not in ("svarande", "forbund"):
        raise IndicatorError(f"viktning must be 'svarande' (per respondent) or 'forbund' (per förbund), got {viktning!r}")
    by = _check_by(by, False)
    if "forbund" in by:
        raise IndicatorError("by= must not contain 'forbund': the comparison adds it")
    name = aggregat_namn or t("indicators.aggregat", lang)
    per = item_results(survey, by=by + ["forbund"], scale_max=scale_max, suppress=False)
    cols = ["n", "medel", "median", "andel_topp2", "andel_botten2", "medel_ki_lag", "medel_ki_hog",
            "topp2_ki_lag", "topp2_ki_hog"]
    keys = by + ["item", "indikator"]
    fb = per[keys + ["forbund"] + cols].rename(columns={"forbund": "enhet"}).assign(aggregat=False, n_forbund=1)
    if viktning == "svarande":
        agg = item_results(survey, by=by, scale_max=scale_max, suppress=False)[keys + cols]
        nf = per[per["n"] > 0].groupby(keys, dropna=False)["n"].size().rename("n_forbund").reset_index()
        agg = agg.merge(nf, on=keys, how="left")
    else:
        answered = per[per["n"] > 0]
        agg = answered.groupby(keys, dropna=False).agg(
            n=("n", "sum"), n_forbund=("n", "size"), medel=("medel", "mean"), andel_topp2=("andel_topp2", "mean"),
            andel_botten2=("andel_botten2", "mean")).reset_index()
        for c in ("median", "medel_ki_lag", "medel_ki_hog", "topp2_ki_lag", "topp2_ki_hog"):
            agg[c] = math.nan
    agg = agg.assign(enhet=name, aggregat=True)
    out = pd.concat([fb, agg], ignore_index=True)
    out["viktning"] = viktning
    out = out.sort_values(keys + ["aggregat", "enhet"], kind="stable").reset_index(drop=True)
    out = out[keys + ["enhet", "aggregat", "viktning", "n_forbund"] + cols]
    if forbund:
        keep = [forbund] if isinstance(forbund, str) else list(forbund)
        out = out[out["aggregat"] | out["enhet"].isin(keep)].reset_index(drop=True)
    if suppress and tabeller is not None:
        from . import surveytables
        from . import tableset as tset

        def published(fb, row) -> bool:
            c = surveytables.nns_cell(tabeller, fb, row["respondentgrupp"], row["tidpunkt"], row["vag"], row["item"])
            return c is not None and c["status"] == tset.PUBLISHED

        every = per.groupby(keys, dropna=False)["forbund"].apply(list).to_dict()
        hidden = []
        for _, row in out.iterrows():
            if not row["aggregat"]:
                hidden.append(not published(row["enhet"], row))
                continue
            ok = published(tset.TOTAL, row)
            if viktning == "forbund":
                ok = ok and all(published(fb, row) for fb in every.get(tuple(row[k] for k in keys), []))
            hidden.append(not ok)
        return surveytables.hide_rows(out, hidden, keep=[*keys, "n_forbund"])
    if suppress:
        out = _suppress(out, "n", [c for c in cols if c != "n"], min_n)
    return out


# --------------------------------------------------------------------------- målnivåer and due board

def wave_period(vag: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a half-year wave ``YYYYH1``/``YYYYH2`` (or a year ``YYYY``).

    Examples
    --------
    >>> [str(d.date()) for d in wave_period("2024H2")]
    ['2024-07-01', '2024-12-31']
    """
    s = str(vag).strip().upper()
    if len(s) == 6 and s[4] == "H" and s[:4].isdigit() and s[5] in "12":
        y, h = int(s[:4]), int(s[5])
        start = pd.Timestamp(y, 1 if h == 1 else 7, 1)
        end = pd.Timestamp(y, 6, 30) if h == 1 else pd.Timestamp(y, 12, 31)
        return start, end
    if len(s) == 4 and s.isdigit():
        return pd.Timestamp(int(s), 1, 1), pd.Timestamp(int(s), 12, 31)
    raise IndicatorError(f"cannot read wave {vag!r}; write half-years as 2024H1 / 2024H2 or years as 2024")


def load_targets(path: str | Path) -> pd.DataFrame:
    """Read a målnivå file (YAML) of one förbund.

    Format::

        forbund: Norrdal
        version: nns-2014            # optional instrument version
        malnivaer:
          - {indikator: 1, item: 1U, respondentgrupp: deltagare, matt: andel_topp2, niva: 0.8}
          - {indikator: 8, respondentgrupp: insatspersonal, matt: medel, niva: 4.5}   # no item: indicator level
          - {indikator: 11, matt: andel_bibehallen, niva: 0.6}                       # register measure
          - {indikator: 6, item: 6a, respondentgrupp: personal, tidpunkt: avslut, matt: andel_botten2,
             niva: 0.1, riktning: hogst, marginal: 0.05}

    ``matt`` is one of :data:`MEASURES`; ``riktning`` ``minst`` (value ≥ niva) or ``hogst``
    (value ≤ niva), default per measure; ``marginal`` the distance below target still shown as
    *nära* (default 5 percentage points for shares, 0.25 for means).

    Returns
    -------
    DataFrame
        ``forbund, indikator, item, respondentgrupp, tidpunkt, matt, niva, riktning, marginal``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.yaml"
    >>> _ = p.write_text("forbund: X\\nmalnivaer:\\n  - {indikator: 1, item: 1U, respondentgrupp: deltagare, "
    ...                  "matt: andel_topp2, niva: 0.8}\\n", encoding="utf-8")
    >>> load_targets(p)[["item", "riktning", "marginal"]].values.tolist()
    [['1U', 'minst', 0.05]]
    """
    with open(path, encoding="utf-8") as fh:
        spec = yaml.safe_load(fh) or {}
    if "forbund" not in spec or not isinstance(spec.get("malnivaer"), list):
        raise IndicatorError(f"{path}: a målnivå file needs 'forbund' and a list 'malnivaer' (see load_targets)")
    bank = qn.items(spec.get("version", qn.VERSION)).set_index("id")
    rows = []
    for i, m in enumerate(spec["malnivaer"], start=1):
        m = dict(m)
        matt = m.get("matt")
        if matt not in MEASURES:
            raise IndicatorError(f"{path}, målnivå {i}: matt must be one of {sorted(MEASURES)}, got {matt!r}")
        ind = int(m["indikator"])
        item = None if m.get("item") is None else str(m["item"])
        if item is not None and (item not in bank.index or int(bank.loc[item, "indikator"]) != ind):
            raise IndicatorError(f"{path}, målnivå {i}: item {item!r} is not an item of indicator {ind}")
        if ind != 11 and not m.get("respondentgrupp"):
            raise IndicatorError(f"{path}, målnivå {i}: give respondentgrupp (results are never pooled over groups)")
        riktning = m.get("riktning", MEASURES[matt])
        if riktning not in ("minst", "hogst"):
            raise IndicatorError(f"{path}, målnivå {i}: riktning must be 'minst' or 'hogst'")
        rows.append({"forbund": str(spec["forbund"]), "indikator": ind, "item": item,
                     "respondentgrupp": m.get("respondentgrupp"), "tidpunkt": m.get("tidpunkt"), "matt": matt,
                     "niva": float(m["niva"]), "riktning": riktning,
                     "marginal": float(m.get("marginal", _DEFAULT_MARGIN[matt]))})
    return pd.DataFrame(rows)


def _status(value: float, niva: float, riktning: str, marginal: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "saknas"
    gap = value - niva if riktning == "minst" else niva - value
    if gap >= -1e-12:
        return "uppnadd"
    return "nara" if gap >= -marginal - 1e-12 else "ej_uppnadd"


def attainment(survey: pd.DataFrame, targets: pd.DataFrame, vag: str | None = None, scale_max: int | None = None,
               min_n: int = 5, ind11: pd.DataFrame | None = None, lang: str = "sv", tabeller=None) -> pd.DataFrame:
    """Målnivå attainment per target: value, status and colour in one wave.

    For a target with ``item`` the item's answers are used, without it all the indicator's items
    in that group (as :func:`indicator_results`); ``tidpunkt`` restricts to one timepoint when
    given. Status: ``uppnadd`` (target met), ``nara`` (short by at most ``marginal``),
    ``ej_uppnadd`` or ``saknas`` (no answers, or n < ``min_n`` so the value is suppressed). An
    indicator-11 target reads ``andel`` of ``ind11`` (output of :func:`indicator11` per förbund).

    Parameters
    ----------
    targets : DataFrame
        From :func:`load_targets` (several förbund may be concatenated).
    vag : str, optional
        Wave; default the latest wave in ``survey``.
    tabeller : evaluation.tableset.TableSet, optional
        The protected NNS table (:mod:`evaluation.surveytables`): an NNS target's value pools the
        answers of one or more cells (items of the indicator, timepoints when the target names none);
        with the table it is shown only where every one of those cells is published, else ``n`` and
        ``varde`` are hidden (``undertryckt``, status ``saknas``, text "Dold …"). With the table (a
        board output) an indicator-11 target is hidden too (:data:`INDICATOR11_NOT_A_SLICE`).

    Returns
    -------
    DataFrame
        The target columns plus ``vag``, ``n``, ``varde``, ``status``, ``status_text``, ``farg`` and
        ``undertryckt`` (hidden by the protected NNS table).

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": list("abcde"), "respondentgrupp": "styrelse", "forbund": "X",
    ...                   "vag": "V", "tidpunkt": "halvar", "nns_12": [6, 5, 5, 4, 2]})
    >>> tg = pd.DataFrame([{"forbund": "X", "indikator": 12, "item": "12", "respondentgrupp": "styrelse",
    ...                     "tidpunkt": None, "matt": "andel_topp2", "niva": 0.8, "riktning": "minst",
    ...                     "marginal": 0.05}])
    >>> attainment(s, tg)[["varde", "status"]].values.tolist()   # 3 of 5 in 5–6
    [[0.6, 'ej_uppnadd']]
    """
    low, high = instruments.response_range(qn.INSTRUMENT, scale_max)
    lr = long_responses(survey, scale_max)
    vag = vag or (sorted(lr["vag"].dropna().unique())[-1] if len(lr) else None)
    rows, hidden = [], []
    for _, tg in targets.iterrows():
        covered = True
        rec = tg.to_dict()
        rec["vag"] = vag
        if int(tg["indikator"]) == 11 and tabeller is not None:
            # a board output (issue 15): indicator 11 is no cell of any protected table, and its counts
            # give hidden cells (:data:`INDICATOR11_NOT_A_SLICE`): n and value hidden, the reason named
            value, n, covered = math.nan, 0, False
        elif int(tg["indikator"]) == 11:
            value, n = math.nan, 0
            if ind11 is not None and "forbund" in ind11.columns:
                r = ind11[ind11["forbund"] == tg["forbund"]]
                if len(r):
                    value, n = float(r["andel"].iloc[-1]), int(r["uppfoljda"].iloc[-1]) if pd.notna(
                        r["uppfoljda"].iloc[-1]) else 0
        else:
            sub = lr[(lr["forbund"] == tg["forbund"]) & (lr["vag"] == vag) & (lr["respondentgrupp"] == tg["respondentgrupp"])
                     & (lr["indikator"] == int(tg["indikator"]))]
            if isinstance(tg.get("item"), str):
                sub = sub[sub["item"] == tg["item"]]
            if isinstance(tg.get("tidpunkt"), str):
                sub = sub[sub["tidpunkt"] == tg["tidpunkt"]]
            st = _stats(sub["varde"], low, high)
            n = int(sub.loc[sub["varde"].notna()].drop_duplicates(["respondent_id", "tidpunkt"]).shape[0])
            value = st[tg["matt"]]
            if tabeller is not None and len(sub):
                from . import surveytables
                from .tableset import PUBLISHED

                cells = [surveytables.nns_cell(tabeller, tg["forbund"], tg["respondentgrupp"], tp, vag, it)
                         for tp, it in sub[["tidpunkt", "item"]].drop_duplicates().itertuples(index=False)]
                covered = all(c is not None and c["status"] == PUBLISHED for c in cells)
        if n < min_n or not covered:
            value = math.nan
        rec["n"] = n
        rec["varde"] = value
        rec["status"] = _status(value, float(tg["niva"]), tg["riktning"], float(tg["marginal"]))
        why = "ej_skiva" if int(tg["indikator"]) == 11 else "undertryckt"
        rec["status_text"] = t(f"indicators.status.{rec['status'] if covered else why}", lang)
        hidden.append(not covered)
        rec["farg"] = STATUS_COLORS[rec["status"]]
        rows.append(rec)
    out = pd.DataFrame(rows)
    if tabeller is not None and any(hidden):
        from .surveytables import hide_rows

        return hide_rows(out, hidden, keep=[c for c in out.columns if c not in ("n", "varde")])
    out["undertryckt"] = np.asarray(hidden, bool)  # a board table shows "–" where True
    return out


def target_attainment(survey: pd.DataFrame, targets: pd.DataFrame, episodes: pd.DataFrame | None = None,
                      events: pd.DataFrame | None = None, vag: str | None = None, lag_months: int | dict = 12,
                      as_of=None, scale_max: int | None = None, min_n: int = 5, lang: str = "sv",
                      tabeller=None) -> pd.DataFrame:
    """Målnivå status of every target, indikator 11 included: the one computation every output shows.

    :func:`attainment` of the survey targets plus the register indicator 11 from
    :func:`indicator11` (per förbund, follow-up ``lag_months`` after avslut, ``as_of`` default the
    latest date in the episodes and events) whenever a target names indikator 11. Without
    ``episodes`` an indikator-11 target has n = 0 and status *Saknar data*. The kärnindikatorer
    notebook, the slutrapport's målnivå table and the board dashboard call this, so "Indikator 11"
    has one value and one status everywhere. ``tabeller``: the protected NNS table (:func:`attainment`).

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": [f"e{i}" for i in range(6)], "forbund": "X", "insats": "I",
    ...                    "avslutsdatum": pd.to_datetime(["2024-01-31"] * 6), "avslutsorsak": "forvarvsarbete"})
    >>> ev = pd.DataFrame({"episod_id": ["e0"], "datum": pd.to_datetime(["2024-03-01"]), "handelse": ["aterkontakt"]})
    >>> tg = pd.DataFrame([{"forbund": "X", "indikator": 11, "item": None, "respondentgrupp": None, "tidpunkt": None,
    ...                     "matt": "andel_bibehallen", "niva": 0.6, "riktning": "minst", "marginal": 0.05}])
    >>> s = pd.DataFrame(columns=["respondent_id", "respondentgrupp", "forbund", "vag", "tidpunkt"])
    >>> r = target_attainment(s, tg, ep, ev, lag_months=6, as_of="2025-01-01", min_n=5).iloc[0]
    >>> int(r["n"]), round(float(r["varde"]), 3), r["status"]    # 5 of 6 held
    (6, 0.833, 'uppnadd')
    """
    ind11 = None
    has11 = len(targets) and (pd.to_numeric(targets["indikator"], errors="coerce") == 11).any()
    if has11 and episodes is not None and len(episodes):
        ind11 = indicator11(episodes, events, lag_months, as_of=as_of, min_n=min_n)
    return attainment(survey, targets, vag=vag, scale_max=scale_max, min_n=min_n, ind11=ind11, lang=lang,
                      tabeller=tabeller)


def _add_months(ts: pd.Timestamp, months: int) -> pd.Timestamp:
    return ts + pd.DateOffset(months=months)


def due_board(episodes: pd.DataFrame, survey: pd.DataFrame | None, vag: str, interval_months: int = 3,
              forbund: str | None = None) -> pd.DataFrame:
    """Which NNS questionnaires were due in a wave (Tabell 2) and whether they came in.

    Rules (a workbench reading of Tabell 2's timepoints):

    * ``under`` (deltagare + personal about the participant): once per wave for each episode
      running in the wave that did not end in it; due on the wave's last day.
    * ``avslut`` (deltagare + personal): each episode ending in the wave, due on its
      ``avslutsdatum``.
    * ``manadsvis`` (deltagare 7D + personal 7P): every ``interval_months`` (1–3) from
      ``inskrivningsdatum`` while the episode runs, for due dates inside the wave.
    * ``halvar`` (insatspersonal, förbundschef, styrelse, parternas chefsgrupp): once per förbund
      and wave, due on the wave's last day; received = at least one answer row.

    Episode questionnaires are matched to survey rows by ``episod_id``, ``respondentgrupp``,
    ``tidpunkt`` and ``vag`` (``manadsvis``: as many due dates count as received as rows came in).

    Returns
    -------
    DataFrame
        ``forbund, respondentgrupp, tidpunkt, episod_id (NA for halvår), forfaller (due date),
        antal_pastaenden, status`` (``inkommen`` / ``saknas``), ``inkomna`` (rows received).

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["e1"], "forbund": "X", "inskrivningsdatum": [pd.Timestamp("2024-02-01")],
    ...                    "avslutsdatum": [pd.Timestamp("2024-05-15")]})
    >>> b = due_board(ep, None, "2024H1", interval_months=3)
    >>> b[b.episod_id == "e1"][["respondentgrupp", "tidpunkt"]].value_counts().sort_index().tolist()
    [1, 1, 1, 1]
    """
    if not 1 <= interval_months <= 3:
        raise IndicatorError("interval_months must be 1, 2 or 3 (Tabell 2: 'förslagsvis 1-3 månader')")
    start, end = wave_period(vag)
    ep = episodes
    if forbund:
        ep = ep[ep["forbund"] == forbund]
    counts = qn.questionnaire_counts().set_index(["respondentgrupp", "tidpunkt"])["antal"]
    rows = []
    for _, e in ep.iterrows():
        ins, avs = pd.Timestamp(e["inskrivningsdatum"]), e["avslutsdatum"]
        avs = pd.Timestamp(avs) if pd.notna(avs) else None
        if ins > end or (avs is not None and avs < start):
            continue
        ends_here = avs is not None and start <= avs <= end
        dues = []
        if not ends_here:
            dues.append(("under", end))
        else:
            dues.append(("avslut", avs))
        k = 1
        while True:
            d = _add_months(ins, k * interval_months)
            k += 1
            if d > end or (avs is not None and d >= avs):
                break
            if d >= start:
                dues.append(("manadsvis", d))
        for tp, d in dues:
            for grp in ("deltagare", "personal"):
                rows.append({"forbund": e["forbund"], "respondentgrupp": grp, "tidpunkt": tp,
                             "episod_id": e["episod_id"], "forfaller": d})
    fbs = sorted(set(ep["forbund"]))
    for fb in fbs:
        for grp in ("insatspersonal", "forbundschef", "styrelse", "parternas_chefsgrupp"):
            rows.append({"forbund": fb, "respondentgrupp": grp, "tidpunkt": "halvar", "episod_id": pd.NA,
                         "forfaller": end})
    board = pd.DataFrame(rows, columns=["forbund", "respondentgrupp", "tidpunkt", "episod_id", "forfaller"])
    board["antal_pastaenden"] = [int(counts[(g, tp)]) for g, tp in zip(board["respondentgrupp"], board["tidpunkt"])]
    board["inkomna"] = 0
    if survey is not None and len(survey):
        sv = survey[survey["vag"] == vag]
        if "instrument" in sv.columns:
            sv = sv[sv["instrument"].astype(str).str.lower() == qn.INSTRUMENT]
        epi = sv.reindex(columns=["episod_id"])["episod_id"]
        got = sv.assign(episod_id=epi).groupby(["respondentgrupp", "tidpunkt", "episod_id"], dropna=True).size()
        got_h = sv[sv["tidpunkt"] == "halvar"].groupby(["forbund", "respondentgrupp"]).size()
        board["_rank"] = board.groupby(["respondentgrupp", "tidpunkt", "episod_id"], dropna=False).cumcount()
        inkomna = []
        for _, r in board.iterrows():
            if r["tidpunkt"] == "halvar":
                inkomna.append(int(got_h.get((r["forbund"], r["respondentgrupp"]), 0)))
            else:
                c = int(got.get((r["respondentgrupp"], r["tidpunkt"], r["episod_id"]), 0))
                inkomna.append(1 if c > r["_rank"] else 0)
        board["inkomna"] = inkomna
        board = board.drop(columns="_rank")
    board["status"] = np.where(board["inkomna"] > 0, "inkommen", "saknas")
    return board.sort_values(["forbund", "forfaller", "respondentgrupp", "tidpunkt"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- indicator 11 (register)

_GOALS = ("avslut", "forsorjning", "bada")
_RELAPSE = ("forsorjningsstod_ater", "aterkontakt")


def _egen(codes_: list[str]) -> bool | None:
    voc = vocabulary("forsorjning")
    if not codes_:
        return None
    flags = [voc.get(c, {}).get("egen") for c in codes_]
    if any(f is False for f in flags):
        return False
    if all(f is True for f in flags):
        return True
    return None


def indicator11_episodes(episodes: pd.DataFrame, events: pd.DataFrame | None, lag_months: int | dict = 12,
                         goal: str = "avslut", as_of=None, relapse_events=_RELAPSE) -> pd.DataFrame:
    """Per closed episode: did it reach its goal, can it be followed up, did the outcome hold?

    NNS indicator 11 covers "enbart insatser som når uppsatt målsättning" and asks whether the
    outcome "kvarstår en rimlig tid efter avslutad insats" ("varierar beroende på typ av insats").
    The workbench implements it on register-style episode + event data:

    * **goal reached** (``goal``): ``"avslut"`` = exit reason in SUS category förvärvsarbete or
      studier (``evaluation.vocabulary.exit_reasons()``, column ``sus_kategori``); ``"forsorjning"``
      = every ``forsorjning_efter`` code has ``egen: true`` in the ``forsorjning`` vocabulary
      (subsidised work and studies count as egen försörjning, 001); ``"bada"`` = both.
    * **follow-up** ends ``lag_months`` after ``avslutsdatum`` (an int, or ``{insats: months}``
      with key ``"*"`` as default); episodes whose window ends after ``as_of`` are *censored*.
    * **held** = no relapse event (``forsorjningsstod_ater``, ``aterkontakt``) in
      (avslutsdatum, avslutsdatum + lag].

    Returns
    -------
    DataFrame
        ``episod_id, forbund, insats, avslutsdatum, avslutsar, mal_uppnatt, lag_manader,
        uppfoljning_slut, censurerad, bibehallen`` (boolean; NA when censored or goal not reached).

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["e1", "e2"], "forbund": "X", "insats": "I",
    ...                    "avslutsdatum": pd.to_datetime(["2024-01-31", "2024-02-29"]),
    ...                    "avslutsorsak": ["forvarvsarbete", "studier"]})
    >>> ev = pd.DataFrame({"episod_id": ["e2"], "datum": pd.to_datetime(["2024-06-01"]),
    ...                    "handelse": ["forsorjningsstod_ater"]})
    >>> indicator11_episodes(ep, ev, 6, as_of="2025-01-01")["bibehallen"].tolist()
    [True, False]
    """
    if goal not in _GOALS:
        raise IndicatorError(f"goal must be one of {_GOALS}, got {goal!r}")
    ep = episodes[episodes["avslutsdatum"].notna()].copy()
    ep["avslutsdatum"] = pd.to_datetime(ep["avslutsdatum"])
    if as_of is None:
        dates = [ep["avslutsdatum"].max()]
        if events is not None and len(events):
            dates.append(pd.to_datetime(events["datum"]).max())
        as_of = max(d for d in dates if pd.notna(d)) if any(pd.notna(d) for d in dates) else pd.Timestamp.today()
    as_of = pd.Timestamp(as_of)
    er = exit_reasons()
    cat = ep["avslutsorsak"].map(lambda c: er["sus_kategori"].get(c) if isinstance(c, str) else None)
    by_exit = cat.isin(["forvarvsarbete", "studier"])
    if "forsorjning_efter" in ep.columns:
        by_fs = ep["forsorjning_efter"].map(lambda v: _egen(split_multi(v)) is True)
    else:
        by_fs = pd.Series(False, index=ep.index)
    ep["mal_uppnatt"] = {"avslut": by_exit, "forsorjning": by_fs, "bada": by_exit & by_fs}[goal]
    if isinstance(lag_months, dict):
        default = lag_months.get("*", 12)
        ep["lag_manader"] = ep["insats"].map(lambda i: int(lag_months.get(i, default)))
    else:
        ep["lag_manader"] = int(lag_months)
    ep["uppfoljning_slut"] = [a + pd.DateOffset(months=int(m)) for a, m in zip(ep["avslutsdatum"], ep["lag_manader"])]
    ep["censurerad"] = ep["mal_uppnatt"] & (ep["uppfoljning_slut"] > as_of)
    relapse = set()
    if events is not None and len(events):
        ev = events[events["handelse"].isin(list(relapse_events))][["episod_id", "datum"]]
        ev = ev.assign(datum=pd.to_datetime(ev["datum"])).merge(
            ep[["episod_id", "avslutsdatum", "uppfoljning_slut"]], on="episod_id")
        hit = ev[(ev["datum"] > ev["avslutsdatum"]) & (ev["datum"] <= ev["uppfoljning_slut"])]
        relapse = set(hit["episod_id"])
    held = ~ep["episod_id"].isin(relapse)
    ep["bibehallen"] = pd.array([h if (m and not c) else pd.NA for h, m, c in
                                 zip(held, ep["mal_uppnatt"], ep["censurerad"])], dtype="boolean")
    ep["avslutsar"] = ep["avslutsdatum"].dt.year
    cols = ["episod_id", "forbund", "insats", "avslutsdatum", "avslutsar", "mal_uppnatt", "lag_manader",
            "uppfoljning_slut", "censurerad", "bibehallen"]
    return ep[cols].reset_index(drop=True)


def _ind11_counts(per: pd.DataFrame) -> dict:
    """Indicator-11 counts of :func:`indicator11_episodes` rows: the one aggregation (kohort = goal
    reached, censurerade, uppfoljda = followed up, bibehallen = held, andel = bibehallen / uppfoljda)."""
    coh = per[per["mal_uppnatt"]]
    fu = coh[~coh["censurerad"]]
    k, n = int(fu["bibehallen"].sum()), len(fu)
    return {"kohort": len(coh), "censurerade": int(coh["censurerad"].sum()), "uppfoljda": n, "bibehallen": k,
            "andel": k / n if n else math.nan}


#: Indicator 11 is for the evaluator only in board outputs (issue 15): its cohort, follow-up and
#: held counts are counts of exits in a window of exit dates and of return events, no cell of the
#: protected table set, and they give hidden cells. On the samples (extract 2025-12-31, 12 months'
#: follow-up) Söderå's "för tidigt att följa upp" 51 (= kohort 128 − uppföljda 77) is its work and
#: studies exits of 2025, so the published avslutade 91 − övriga 35 − 51 = 5 recovers the suppressed
#: ``sus`` cell *aktivt arbetssökande* 2025 exactly. With the protected NNS table (every board output:
#: the kärnindikatorer notebook, the slutrapport's målnivåer, ``results.json``) :func:`attainment` hides
#: its n and value ("Visas inte …") and :func:`headline`'s ``indikator11`` values are null; the
#: evaluator's notebook cell and dashboard view show them.
INDICATOR11_NOT_A_SLICE = True


def indicator11(episodes: pd.DataFrame, events: pd.DataFrame | None, lag_months: int | dict = 12,
                goal: str = "avslut", as_of=None, by=("forbund",), min_n: int = 5,
                suppress: bool = True) -> pd.DataFrame:
    """Indicator 11: share of goal-reaching exits whose outcome held over the follow-up lag.

    Aggregates :func:`indicator11_episodes` by ``by`` (e.g. ``("forbund", "avslutsar")`` for the
    yearly register run). ``andel = bibehallen / uppfoljda`` with a Wilson 95 % CI
    (``statsmodels`` ``proportion_confint``); censored episodes are counted apart, never in
    the denominator.

    Returns
    -------
    DataFrame
        ``by``, ``kohort`` (goal reached), ``censurerade``, ``uppfoljda`` (= n), ``bibehallen``,
        ``andel``, ``ki_lag``, ``ki_hog``, ``lag_manader`` (as text when it varies).

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["e1", "e2", "e3"], "forbund": "X", "insats": "I",
    ...                    "avslutsdatum": pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31"]),
    ...                    "avslutsorsak": ["forvarvsarbete", "studier", "ovriga_avslutade"]})
    >>> ev = pd.DataFrame({"episod_id": ["e2"], "datum": pd.to_datetime(["2024-06-01"]),
    ...                    "handelse": ["aterkontakt"]})
    >>> r = indicator11(ep, ev, 6, as_of="2025-01-01", min_n=1).iloc[0]
    >>> int(r["kohort"]), int(r["uppfoljda"]), float(r["andel"])
    (2, 2, 0.5)
    """
    per = indicator11_episodes(episodes, events, lag_months, goal, as_of)
    by = list(by)
    rows = []
    for key, g in per.groupby(by, sort=True):
        c = _ind11_counts(g)
        lo, hi = _ci_share(c["bibehallen"], c["uppfoljda"])
        coh = g[g["mal_uppnatt"]]
        lags = sorted(set(coh["lag_manader"])) or sorted(set(g["lag_manader"]))
        rows.append({**dict(zip(by, key if isinstance(key, tuple) else (key,))), **c, "ki_lag": lo, "ki_hog": hi,
                     "lag_manader": ", ".join(map(str, lags))})
    res = pd.DataFrame(rows)
    if suppress and not res.empty:
        res = res.assign(n=res["uppfoljda"])
        res = _suppress(res, "n", ["kohort", "censurerade", "bibehallen", "andel", "ki_lag", "ki_hog"], min_n)
        res["uppfoljda"] = res["n"]
        res = res.drop(columns="n")
    return res


# --------------------------------------------------------------------------- figures

def _item_label(item: str, width: int = 60) -> str:
    bank = qn.items().set_index("id")
    if item not in bank.index:
        return str(item)
    text = bank.loc[item, "text"]
    text = text if len(text) <= width else text[: width - 1] + "…"
    return f"{item} {text}"


def figure_diverging(results: pd.DataFrame, scale_max: int | None = None, lang: str = "sv",
                     title: str | None = None) -> go.Figure:
    """Diverging stacked bars of the answer distribution per item (one bar per result row).

    Steps below the scale midpoint extend left, steps above it right; with an odd scale the
    middle step is split half and half around zero (Robbins & Heiberger 2011, *Plotting Likert
    and other rating scales*). Suppressed rows (no distribution) are left out.

    Parameters
    ----------
    results : DataFrame
        Rows of :func:`item_results` (``andel_1`` … ``andel_<scale_max>``, ``item``; ``forbund``,
        ``vag`` used in the bar label when they vary).

    Examples
    --------
    >>> r = pd.DataFrame({"item": ["12"], "n": [10], "andel_1": [0.1], "andel_2": [0.1], "andel_3": [0.2],
    ...                   "andel_4": [0.2], "andel_5": [0.2], "andel_6": [0.2]})
    >>> len(figure_diverging(r).data)
    6
    """
    low, high = instruments.response_range(qn.INSTRUMENT, scale_max)
    r = results.dropna(subset=[f"andel_{low}"]).copy()
    varying = [c for c in ("respondentgrupp", "tidpunkt", "forbund", "vag") if c in r.columns and r[c].nunique() > 1]
    r["_lbl"] = [" · ".join([_item_label(row["item"], 45)] + [str(row[c]) for c in varying] + [f"n={int(row['n'])}"])
                 for _, row in r.iterrows()]
    steps = list(range(low, high + 1))
    mid = (low + high) / 2
    neg_colors = ["#B2182B", "#EF8A62", "#FDDBC7"]
    pos_colors = ["#D1E5F0", "#67A9CF", "#2166AC"]
    anchors = qn.scale_anchors(high, lang)
    fig = go.Figure()
    below = [s for s in steps if s < mid]
    above = [s for s in steps if s > mid]
    # left side: draw from the midpoint outwards so the order of segments reads 1 … mid
    for i, s in enumerate(reversed(below)):
        fig.add_bar(y=r["_lbl"], x=-r[f"andel_{s}"] * 100, orientation="h", name=anchors[s],
                    marker_color=neg_colors[-(i + 1)] if i < 3 else neg_colors[0], legendrank=s,
                    customdata=r[f"andel_{s}"] * 100, hovertemplate="%{customdata:.0f} %<extra>" + anchors[s] + "</extra>")
    if mid in steps:
        s = int(mid)
        for sign in (-1, 1):
            fig.add_bar(y=r["_lbl"], x=sign * r[f"andel_{s}"] * 50, orientation="h", name=anchors[s],
                        marker_color="#DDDDDD", showlegend=sign > 0, legendrank=s, legendgroup="mid")
    for i, s in enumerate(above):
        fig.add_bar(y=r["_lbl"], x=r[f"andel_{s}"] * 100, orientation="h", name=anchors[s],
                    marker_color=pos_colors[i] if i < 3 else pos_colors[-1], legendrank=s,
                    customdata=r[f"andel_{s}"] * 100, hovertemplate="%{customdata:.0f} %<extra>" + anchors[s] + "</extra>")
    fig.update_layout(barmode="relative", xaxis=dict(title=t("indicators.fig.andel_procent", lang), ticksuffix=" %"),
                      yaxis=dict(autorange="reversed"), legend_traceorder="normal")
    return apply_layout(fig, title or t("indicators.fig.fordelning", lang), height=max(300, 60 + 40 * len(r)))


def figure_trend(trend_df: pd.DataFrame, matt: str = "andel_topp2", lang: str = "sv",
                 title: str | None = None) -> go.Figure:
    """Trend lines across waves with 95 % CI error bars, one line per förbund (output of :func:`trend`).

    Examples
    --------
    >>> d = pd.DataFrame({"forbund": "X", "vag": ["2024H1", "2024H2"], "n": [8, 9], "varde": [0.5, 0.6],
    ...                   "ki_lag": [0.2, 0.3], "ki_hog": [0.8, 0.85]})
    >>> figure_trend(d).data[0].name
    'X'
    """
    fig = go.Figure()
    groups = trend_df.groupby("forbund", sort=True) if "forbund" in trend_df.columns else [("", trend_df)]
    scale = 100 if matt.startswith("andel") else 1
    for name, g in groups:
        g = g.sort_values("vag")
        fig.add_scatter(x=g["vag"], y=g["varde"] * scale, mode="lines+markers", name=str(name),
                        error_y=dict(type="data", symmetric=False, array=(g["ki_hog"] - g["varde"]) * scale,
                                     arrayminus=(g["varde"] - g["ki_lag"]) * scale),
                        customdata=g["n"], hovertemplate="%{x}: %{y:.1f} (n=%{customdata})<extra>" + str(name) + "</extra>")
    fig.update_layout(xaxis=dict(title=t("indicators.fig.vag", lang), type="category"),
                      yaxis=dict(title=t(f"indicators.matt.{matt}", lang), ticksuffix=" %" if scale == 100 else ""))
    return apply_layout(fig, title or t("indicators.fig.trend", lang), height=400)


def figure_targets(att: pd.DataFrame, lang: str = "sv", title: str | None = None) -> go.Figure:
    """Målnivå attainment: value per target as a bar coloured by status, target as a marker.

    Examples
    --------
    >>> a = pd.DataFrame({"forbund": "X", "indikator": [1], "item": ["1U"], "respondentgrupp": ["deltagare"],
    ...                   "matt": ["andel_topp2"], "niva": [0.8], "varde": [0.7], "status": ["ej_uppnadd"],
    ...                   "status_text": ["Ej uppnådd"], "farg": ["#D55E00"]})
    >>> [tr.type for tr in figure_targets(a).data]
    ['bar', 'scatter']
    """
    a = att.copy()
    scale = np.where(a["matt"].str.startswith("andel"), 100, 1)
    a["_lbl"] = [f"{r['forbund']} · {t('indicators.indikator', lang)} {r['indikator']}"
                 f"{' · ' + r['item'] if isinstance(r.get('item'), str) else ''}"
                 f"{' · ' + label('respondentgrupp', r['respondentgrupp'], lang) if isinstance(r.get('respondentgrupp'), str) else ''}"
                 f" · {t('indicators.matt.' + r['matt'], lang)}" for _, r in a.iterrows()]
    # shares (percent) and means (answer scale) never share an axis: one panel each
    kinds = [k for k in ("andel", "medel") if (a["matt"].str.startswith("andel") == (k == "andel")).any()]
    from plotly.subplots import make_subplots

    sizes = [int((a["matt"].str.startswith("andel") == (k == "andel")).sum()) for k in kinds]
    fig = make_subplots(rows=len(kinds), cols=1, row_heights=[max(n, 1) for n in sizes] if kinds else None,
                        vertical_spacing=0.12 if len(kinds) > 1 else 0.0) if len(kinds) > 1 else go.Figure()
    for i, k in enumerate(kinds, start=1):
        part = a[a["matt"].str.startswith("andel") == (k == "andel")]
        sc = 100 if k == "andel" else 1
        where = dict(row=i, col=1) if len(kinds) > 1 else {}
        fig.add_bar(y=part["_lbl"], x=part["varde"].astype(float) * sc, orientation="h", marker_color=part["farg"],
                    text=part["status_text"], textposition="auto", name=t("indicators.fig.utfall", lang),
                    showlegend=False, **where)
        fig.add_scatter(y=part["_lbl"], x=part["niva"].astype(float) * sc, mode="markers",
                        name=t("indicators.fig.malniva", lang), showlegend=i == 1,
                        marker=dict(symbol="line-ns", size=22, line=dict(width=3, color="#000000")), **where)
        title_x = "Andel (%)" if k == "andel" else "Medelvärde (svarsskalan)"
        if lang != "sv":
            title_x = "Share (%)" if k == "andel" else "Mean (answer scale)"
        fig.update_xaxes(title_text=title_x, **where)
        fig.update_yaxes(autorange="reversed", automargin=True, **where)
    return apply_layout(fig, title or t("indicators.fig.malnivaer", lang), height=bar_height(len(a) + 2 * len(kinds), 36, 180))


# --------------------------------------------------------------------------- headline results

def board_table(df: pd.DataFrame, lang: str = "sv", decimals: int = 1) -> pd.DataFrame:
    """Board view of an indicator table: labelled columns and codes, shares in percent, "–" when suppressed.

    Works on :func:`item_results`, :func:`indicator_results`, :func:`composite`,
    :func:`compare_pairs`, :func:`indicator7_summary`, :func:`compare_with_aggregate`,
    :func:`indicator11` and :func:`attainment`. Column labels come from ``indicators.kol.<column>``
    (then the general labels); respondent groups and time points through the vocabularies; shares
    (``andel*``, ``topp2_ki_*``, ``ki_*``) in percent; the target level and value of
    :func:`attainment` in percent when the measure is a share; ``matt`` and ``status`` labelled.
    Formatting as in :func:`evaluation.compare.board_table`.

    Examples
    --------
    >>> r = pd.DataFrame({"respondentgrupp": ["deltagare"], "item": ["1A"], "n": [22], "medel": [4.909],
    ...                   "andel_topp2": [0.6364], "topp2_ki_lag": [0.4295]})
    >>> board_table(r).iloc[0].tolist()
    ['Deltagare', '1A', '22', '4,9', '63,6\\xa0%', '43,0\\xa0%']
    """
    from .compare import board_table as _board

    data = df.copy()
    if {"matt", "varde"} <= set(data.columns):
        share = data["matt"].astype(str).str.startswith("andel")
        hidden = data["undertryckt"].astype(bool).to_numpy() if "undertryckt" in data else np.zeros(len(data), bool)
        for col in ("niva", "varde"):
            if col in data.columns:
                v = pd.to_numeric(data[col], errors="coerce")
                data[col] = [t("suppressed_short", lang) if col == "varde" and h and pd.isna(x)
                             else (_pct(x, lang) if sh else _num(x, lang)) for x, sh, h in zip(v, share, hidden)]
        data["matt"] = [t(f"indicators.matt.{m}", lang) if f"indicators.matt.{m}" in _keys() else m
                        for m in data["matt"]]
    if "status" in data.columns and "status_text" in data.columns:
        data = data.drop(columns=["status"])
    if "aggregat" in data.columns and "enhet" in data.columns:
        data = data.drop(columns=["aggregat"])  # the unit column already names the aggregate row
    if "viktning" in data.columns:
        data["viktning"] = [t(f"indicators.viktning.{v}", lang) if f"indicators.viktning.{v}" in _keys() else v
                            for v in data["viktning"]]
    percent = tuple(c for c in data.columns if c.startswith(("topp2_ki", "ki_")) or c == "andel_komplett")
    counts = ("bortfall", "n_svar", "n_episoder", "saknar_deltagare", "saknar_personal", "kohort", "censurerade",
              "uppfoljda", "bibehallen", "lag_manader", "antal_pastaenden", "antal", "n_forbund", "indikator")
    return _board(data, lang=lang, decimals=decimals, prefixes=("indicators.kol.", "compare.kol.", "compare."),
                  percent=percent, counts=counts)


def _pct(x, lang):
    from .disclosure import format_number

    return _percent(x, 1, lang)


def _num(x, lang):
    from .disclosure import format_number

    return format_number(x, lang, 2) if pd.notna(x) else ""


def _keys() -> set:
    from .labels import labels_table

    return set(labels_table().index)


def headline(survey: pd.DataFrame, item_res: pd.DataFrame, att: pd.DataFrame | None = None,
             ind7: pd.DataFrame | None = None, ind11_episodes: pd.DataFrame | None = None,
             min_n: int = 5, tabeller=None) -> dict:
    """Headline results of the kärnindikator notebook (keys in the module docstring).

    With ``tabeller`` (the protected NNS table) ``antal_svar_per_grupp`` holds a group's
    questionnaire count only where every questionnaire it adds up is a published cell
    (:func:`evaluation.surveytables.rows_per_group`; None otherwise) and ``antal_svar`` is None when
    any group is (the total minus the shown groups would give the hidden one).

    Parameters
    ----------
    survey : DataFrame
        The NNS answers analysed.
    item_res : DataFrame
        :func:`item_results` of ``survey`` (suppressed; suppressed cells are left out).
    att, ind7, ind11_episodes : DataFrame, optional
        Outputs of :func:`attainment`, :func:`indicator7` and :func:`indicator11_episodes`.
    tabeller : evaluation.tableset.TableSet, optional
        The protected NNS table (:func:`evaluation.surveytables.for_inputs`).

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": list("abcde"), "respondentgrupp": "styrelse", "forbund": "X",
    ...                   "vag": "V", "tidpunkt": "halvar", "nns_12": [6, 5, 5, 4, 2]})
    >>> headline(s, item_results(s))["andel_topp2_senaste"]
    {'X/styrelse/halvar/12': 0.6}
    """
    if tabeller is not None:
        from . import surveytables

        per_grupp, antal = surveytables.rows_per_group(survey, tabeller)
    else:
        per_grupp = {str(k): int(v) for k, v in survey.groupby("respondentgrupp").size().items()}
        antal = int(len(survey))
    out: dict = {"antal_svar": antal,
                 "antal_svar_per_grupp": per_grupp,
                 "vagor": sorted(map(str, survey["vag"].dropna().unique())),
                 "pastaenden_per_enkat": {f"{r.respondentgrupp}/{r.tidpunkt}": int(r.antal)
                                          for r in qn.questionnaire_counts().itertuples()}}
    latest = out["vagor"][-1] if out["vagor"] else None
    r = item_res[(item_res["vag"] == latest) & item_res["andel_topp2"].notna()] if len(item_res) else item_res
    out["andel_topp2_senaste"] = {f"{x.forbund}/{x.respondentgrupp}/{x.tidpunkt}/{x.item}": float(x.andel_topp2)
                                  for x in r.itertuples()}
    if att is not None:
        def part(v):
            return "-" if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else str(v)
        out["malniva_status"] = {"/".join([part(x["forbund"]), part(x["indikator"]), part(x["item"]),
                                           part(x["respondentgrupp"]), part(x["tidpunkt"]), x["matt"]]): x["status"]
                                 for _, x in att.iterrows()}
    if ind7 is not None:
        out["indikator7_andel_komplett"] = float(ind7["komplett"].mean()) if len(ind7) else None
    if ind11_episodes is not None:
        c = _ind11_counts(ind11_episodes)  # the aggregation of indicator11
        # a board output (the protected NNS table given): no cell gives indicator 11 (INDICATOR11_NOT_A_SLICE)
        ok = c["uppfoljda"] >= min_n and tabeller is None
        out["indikator11"] = {key: (c[key] if ok else None) for key in ("kohort", "uppfoljda", "bibehallen", "andel")}
    return out
