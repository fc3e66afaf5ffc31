"""KASAM (Sense of Coherence, SOC-29 / SOC-13) and other Likert instruments: scoring,
reliability, reliable change, norms, aggregate-only consistency checks and figures.

Scoring keys come from :mod:`evaluation.instruments` (key tables in
``evaluation/data/instrument/*.yaml``); item wordings are copyrighted and not shipped.
Scores are for research and evaluation of groups, **never diagnosis** (DOMAIN.md §4.1).

Missing-item rule (default, configurable with ``max_missing_share``): a subscale is prorated
(mean of its answered items × its number of items) when at most ``floor(0.2 × k)`` of its
``k`` items are missing, otherwise it is missing; the total is the sum of the subscales and is
missing when any subscale is. With no published rule for SOC (DOMAIN.md §4.1: "prorating at
≤ 10–20 % missing is common"), 20 % is the documented choice. For SOC-29 this allows 2 missing
items in begriplighet (11 items) and hanterbarhet (10), 1 in meningsfullhet (8); for SOC-13 1 in
begriplighet (5) and none in hanterbarhet (4) and meningsfullhet (4).

Headline results recorded by ``notebooks/kasam_fore_efter.ipynb`` (``results.json`` keys)
-----------------------------------------------------------------------------------------
``form``, ``formversion``
    Instrument and language version scored.
``design``, ``design_skal``
    ``"paired"``/``"unpaired"`` for the participants and why.
``n_par``, ``n_exkluderade``
    Respondents with a total at both waves; respondents excluded (a wave or the total missing).
``medel_fore``, ``medel_efter``, ``diff``, ``ki_lag``, ``ki_hog``, ``t``, ``df``, ``p``
    Paired t-test of the total (after − before, 95 % CI).
``cohen_dz``, ``p_wilcoxon``, ``rank_biserial``
    Effect size d_z = mean(diff)/SD(diff); Wilcoxon signed-rank p and matched-pairs rank-biserial.
``alpha_fore``, ``alpha_fore_ki_lag``, ``alpha_fore_ki_hog``, ``alpha_efter``
    Cronbach's α (listwise) of the total at each wave, on the wave cell's respondents; ``null``
    where the wave's cell of the protected table set is suppressed, the CI also where its listwise
    n is hidden (:func:`protected_reliability`).
``rci_troskel``
    Points of change needed for reliable change (1.96 · √2 · SD₁ · √(1 − α)); ``null`` where the
    whole RCI table is hidden (:func:`rci_results`).
``andel_forbattrad``, ``andel_oforandrad``, ``andel_forsamrad``, ``n_rci``
    Shares (0–1) reliably improved / unchanged / deteriorated among ``n_rci`` paired respondents;
    ``null`` where the board's RCI table hides the category, and all four where the pairs cell or
    the before wave's cell is suppressed or the design is unpaired (:func:`protect_reliable_change`).
``norm_diff``, ``norm_std_diff``, ``norm_p``
    Baseline mean minus the Swedish norm (151), standardised by the norm SD (18), one-sample t p;
    ``null`` where the before wave's cell is suppressed (:func:`compare_norm`).
``personal_design``, ``personal_n``, ``personal_diff``, ``personal_ki_lag``, ``personal_ki_hog``,
``personal_p``, ``personal_hedges_g``
    Staff comparison between their first and last wave (Welch when unpaired).
``vagen_ut_avvikelser``
    Number of deviations found by :func:`check_reported` in the Vägen ut figures (when present).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation import instruments
from evaluation.labels import t as _t
from .errors import EvaluationError

__all__ = [
    "norm_label",
    "hide_small_excluded",
    "ScoringError",
    "SCALES",
    "ID_COLUMNS",
    "score",
    "item_matrix",
    "split_waves",
    "KasamChange",
    "change",
    "change_from_moments",
    "welch_from_moments",
    "change_from_cells",
    "design_text",
    "reliability",
    "item_rest",
    "protected_reliability",
    "protected_item_rest",
    "rci_threshold",
    "reliable_change",
    "reliable_change_summary",
    "protect_reliable_change",
    "rci_text",
    "rci_results",
    "compare_norm",
    "bands",
    "band_table",
    "check_reported",
    "reported_summary",
    "infer_form",
    "score_summary",
    "board_table",
    "protected_rows",
    "figure_paired",
    "figure_distributions",
    "figure_subscales",
]

#: Subscale names of KASAM, in the conventional order.
SCALES = ("begriplighet", "hanterbarhet", "meningsfullhet")

#: Columns carried from the survey into the scored output when present.
ID_COLUMNS = ("respondent_id", "respondentgrupp", "forbund", "insats", "episod_id", "kon", "vag",
              "tidpunkt", "datum")


class ScoringError(EvaluationError, ValueError):
    """Item data cannot be scored (missing columns, non-numeric or out-of-range values).

    Out-of-range values are import errors: correct them in the source file or the mapping,
    then import and score again.
    """


# --------------------------------------------------------------------------------------- scoring
def _numeric_items(df: pd.DataFrame, ins: instruments.Instrument) -> np.ndarray:
    cols = ins.columns
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ScoringError(f"form {ins.name!r} needs item columns {missing} which are not in the data; "
                           f"check the form or rename the columns to {ins.prefix}_<item>")
    try:
        return df[cols].to_numpy(dtype="float64", na_value=np.nan, copy=True)
    except (TypeError, ValueError) as exc:
        bad = [c for c in cols if not (pd.api.types.is_numeric_dtype(df[c]) or df[c].isna().all())]
        raise ScoringError(f"item columns {bad} are not numeric; convert them at import ({exc})") from None


def _check_range(x: np.ndarray, df: pd.DataFrame, ins: instruments.Instrument,
                 miss: np.ndarray | None = None) -> None:
    if miss is None:
        miss = np.isnan(x)
    if miss.all():
        return
    # fast path (one pass each): all answered values whole numbers within [low, high]
    lo, hi = np.fmin.reduce(x, axis=None), np.fmax.reduce(x, axis=None)  # fmin/fmax skip NaN
    if lo >= ins.low and hi <= ins.high:
        frac = np.floor(x)
        np.subtract(x, frac, out=frac)  # NaN stays NaN (nonzero), whole numbers give 0
        if np.count_nonzero(frac) == np.count_nonzero(miss):
            return
    ok = miss | ((x >= ins.low) & (x <= ins.high) & (x == np.floor(x)))
    rows, cols = np.nonzero(~ok)
    cols_bad = sorted({ins.columns[c] for c in cols}, key=ins.columns.index)
    shown = ", ".join(f"row {df.index[r]!r} {ins.columns[c]}={x[r, c]:g}" for r, c in zip(rows[:10], cols[:10]))
    more = f" (and {len(rows) - 10} more)" if len(rows) > 10 else ""
    raise ScoringError(
        f"{len(rows)} value(s) outside the response range {ins.low}–{ins.high} (whole numbers) of "
        f"{ins.name!r} in columns {cols_bad}: {shown}{more}. These are import errors: fix the source "
        f"or the value mapping; they are never scored.")


def _reverse(x: np.ndarray, df: pd.DataFrame, ins: instruments.Instrument,
             formversion: str | None) -> tuple[np.ndarray, np.ndarray | str]:
    """Reverse-key in place; returns (matrix, per-row form versions or one version)."""
    pos = {item: j for j, item in enumerate(ins.items)}
    if formversion is None and "formversion" in df.columns:
        fv = df["formversion"].astype("str").fillna(ins.formversion).to_numpy(dtype=object, copy=True)
        for v in pd.unique(fv):
            rev = [pos[i] for i in ins.reverse_items(v)]
            if rev:
                rows = fv == v
                x[np.ix_(rows, rev)] = ins.low + ins.high - x[np.ix_(rows, rev)]
        return x, fv
    fv_value = formversion or ins.formversion
    rev = [pos[i] for i in ins.reverse_items(fv_value)]
    if rev:
        x[:, rev] = ins.low + ins.high - x[:, rev]
    return x, fv_value


def _max_missing(k: int, share: float) -> int:
    # floor with a small tolerance so that 0.2 * 10 = 2 exactly
    return int(math.floor(share * k + 1e-9))


def score(df: pd.DataFrame, form: str = "soc29", max_missing_share: float = 0.2,
          formversion: str | None = None, keep: tuple[str, ...] | list[str] | None = None) -> pd.DataFrame:
    """Score a questionnaire: subscales, total and missing count per respondent (vectorised).

    Parameters
    ----------
    df : DataFrame
        One row per response with item columns ``<prefix>_<item>`` (``soc29_1`` … ``soc29_29``,
        ``soc13_1`` … ``soc13_13``), numeric, NaN/NA for unanswered items.
    form : str
        Registered instrument (``"soc29"``, ``"soc13"``, ``"brukarenkat"`` or one loaded with
        :func:`evaluation.instruments.load`).
    max_missing_share : float
        Share of a subscale's items that may be missing (``floor(share × k)`` items); the
        subscale is then prorated as mean of answered items × k. Default 0.2.
    formversion : str, optional
        Language/form version, selects the reverse-keyed items. By default the data's
        ``formversion`` column (per row), else the instrument's default version.
    keep : sequence of str, optional
        Columns carried over; default those of :data:`ID_COLUMNS` present in ``df``.

    Returns
    -------
    DataFrame
        Same index as ``df``: the kept columns, one column per subscale (KASAM:
        ``begriplighet``, ``hanterbarhet``, ``meningsfullhet``), ``total`` (points; for
        ``total: mean`` instruments the item mean), ``n_missing`` (unanswered items), ``form``
        and ``formversion``.

    Raises
    ------
    ScoringError
        Item columns missing or non-numeric; values outside the response range or not whole
        numbers (the message names rows and columns).

    Notes
    -----
    Reverse-keyed items are scored ``(min + max) − x`` (``8 − x`` on the 1–7 KASAM scale).
    Subscale ``s`` with ``k`` items and ``m`` missing: ``k · mean(answered)`` if
    ``m ≤ floor(share · k)``, else missing. Total = Σ subscales, missing if any is missing
    (instruments without subscales apply the rule to all items). Keys: DOMAIN.md §4.1.

    Examples
    --------
    >>> d = pd.DataFrame({f"soc13_{i}": [4] for i in range(1, 14)})
    >>> score(d, form="soc13")[["begriplighet", "hanterbarhet", "meningsfullhet", "total"]].iloc[0].tolist()
    [20.0, 16.0, 16.0, 52.0]
    """
    ins = instruments.get(form)
    missing_cols = [c for c in ins.columns if c not in df.columns]
    if missing_cols:
        raise ScoringError(f"form {ins.name!r} needs item columns {missing_cols} which are not in the data; "
                           f"check the form or rename the columns to {ins.prefix}_<item>")
    n = len(df)
    # reverse keying per row: one form version (scalar) or the data's formversion column
    if formversion is None and "formversion" in df.columns:
        fv_s = df["formversion"].astype("str").fillna(ins.formversion)
        codes, versions = pd.factorize(fv_s)  # each distinct version judged once (speed)
        rev_rows = {}
        for i in ins.items:
            per_version = np.array([i in ins.reverse_items(v) for v in versions], dtype=bool)
            # one answer for every row (the common case) is a scalar, else a row mask
            rev_rows[i] = bool(per_version[0]) if per_version.size and (per_version == per_version[0]).all() \
                else per_version[codes]
        fv = fv_s.array
    else:
        fv = formversion or ins.formversion
        rev_rows = {i: (i in ins.reverse_items(fv)) for i in ins.items}
    as_mean = ins.total == "mean"
    groups = dict(ins.subscales) if ins.subscales else {"total": ins.items}
    # column by column (vectorised over respondents; no per-row Python, no item-matrix copy)
    sums, nmiss, bad = {}, {}, []
    n_missing = np.zeros(n, dtype="int64")
    flip = ins.low + ins.high
    for g, items in groups.items():
        acc, m_acc = np.zeros(n), np.zeros(n, dtype="int64")
        for i in items:
            c = ins.column(i)
            try:
                v = df[c].to_numpy(dtype="float64", na_value=np.nan)
            except (TypeError, ValueError):
                raise ScoringError(f"item column {c!r} is not numeric; convert it at import") from None
            miss = np.isnan(v)
            nm = int(np.count_nonzero(miss))
            if nm < n:
                lo, hi = np.fmin.reduce(v), np.fmax.reduce(v)  # skip NaN
                if lo < ins.low or hi > ins.high or np.count_nonzero(v != np.rint(v)) > nm:
                    bad.append(c)
                    continue
            r = rev_rows[i]
            if r is True:
                v = flip - v
            elif r is not False and r.any():
                v = np.where(r, flip - v, v)
            np.add(acc, v, out=acc, where=~miss)
            m_acc += miss
        sums[g], nmiss[g] = acc, m_acc
        n_missing += m_acc
    if bad:
        x = df[bad].to_numpy(dtype="float64", na_value=np.nan)
        sub_ins = instruments.Instrument(name=ins.name, prefix=ins.prefix, items=tuple(c[len(ins.prefix) + 1:] for c in bad),
                                         low=ins.low, high=ins.high)
        _check_range(x, df, sub_ins)
    out: dict[str, np.ndarray] = {}
    for g, items in groups.items():
        k = len(items)
        answered = k - nmiss[g]
        with np.errstate(invalid="ignore", divide="ignore"):
            val = sums[g] / answered
        if not as_mean:
            val *= k
        val[(nmiss[g] > _max_missing(k, max_missing_share)) | (answered == 0)] = np.nan
        out[g] = val
    if ins.subscales:
        total = np.zeros(n)
        for v in out.values():
            total += v  # NaN propagates: missing if any subscale is missing
        if as_mean:
            # item mean over all answered items, valid when every subscale is valid
            with np.errstate(invalid="ignore", divide="ignore"):
                total = np.where(np.isnan(total), np.nan, sum(sums.values()) / (ins.n_items - n_missing))
    else:
        total = out.pop("total")
    if keep is None:
        keep = [c for c in ID_COLUMNS if c in df.columns]
    res = pd.DataFrame({c: df[c] for c in keep}, index=df.index) if keep else pd.DataFrame(index=df.index)
    for k, v in out.items():
        res[k] = v
    res["total"] = total
    res["n_missing"] = n_missing
    res["form"] = ins.name
    res["formversion"] = fv if isinstance(fv, str) else pd.array(fv, dtype="str", copy=False)
    return res


def item_matrix(df: pd.DataFrame, form: str = "soc29", formversion: str | None = None) -> pd.DataFrame:
    """Item responses after reverse keying (higher = stronger), range-checked.

    Returns a float DataFrame with the item columns of ``form`` and the index of ``df``; the
    input for reliability analysis.

    Examples
    --------
    >>> d = pd.DataFrame({f"soc13_{i}": [2] for i in range(1, 14)})
    >>> item_matrix(d, "soc13")[["soc13_1", "soc13_4"]].iloc[0].tolist()   # item 1 reversed: 8 - 2
    [6.0, 2.0]
    """
    ins = instruments.get(form)
    x = _numeric_items(df, ins)
    _check_range(x, df, ins)
    x, _ = _reverse(x, df, ins, formversion)
    return pd.DataFrame(x, columns=ins.columns, index=df.index)


def split_waves(df: pd.DataFrame, wave_col: str = "tidpunkt", before: str | None = "fore",
                after: str | None = "efter", forbund: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split responses or scores into the before and after waves (optionally one förbund).

    Parameters
    ----------
    df : DataFrame
        Survey responses or scores with ``wave_col`` (and ``forbund`` when filtering).
    wave_col : str
        ``"tidpunkt"`` (``fore``/``efter``) for participants, ``"vag"`` for staff waves.
    before, after : str or None
        Wave codes; None takes the first / last wave in sorted order (e.g. ``2024``, ``2025``).
    forbund : str
        Keep only this förbund; empty = all.

    Examples
    --------
    >>> d = pd.DataFrame({"vag": ["2025", "2024", "2025"], "total": [1.0, 2.0, 3.0]})
    >>> [len(x) for x in split_waves(d, "vag", None, None)]
    [1, 2]
    """
    if forbund:
        df = df[df["forbund"] == forbund]
    waves = sorted(df[wave_col].dropna().astype(str).unique())
    b = before if before is not None else (waves[0] if waves else "")
    a = after if after is not None else (waves[-1] if waves else "")
    w = df[wave_col].astype(str)
    return df[w == str(b)], df[w == str(a)]


# ----------------------------------------------------------------------------------- reliability
def _scale_items(ins: instruments.Instrument) -> dict[str, list[str]]:
    scales = {s: [ins.column(i) for i in its] for s, its in ins.subscales.items()}
    scales["total"] = ins.columns
    return scales


@dataclass
class KasamChange:
    """The KASAM change before → after of one group (:func:`change`).

    ``before``, ``after``: the scored rows of the two waves; ``design``:
    :class:`evaluation.compare.Design` (paired or unpaired, with its Swedish reason); ``result``:
    the one-row :func:`evaluation.compare.before_after` table (``n, mean_before, mean_after,
    mean_diff, ci_low, ci_high, p`` …; for an unpaired design ``n`` is the number of pairs, 0, and
    ``n_before``/``n_after`` the wave sizes).
    """

    before: pd.DataFrame
    after: pd.DataFrame
    design: object
    result: pd.DataFrame

    @property
    def n(self) -> int:
        """People behind the change: pairs (paired) or the smaller wave (unpaired)."""
        r = self.result.iloc[0]
        if self.design.paired:
            return int(r["n"])
        return int(min(r.get("n_before", 0), r.get("n_after", 0)))


def change(scores: pd.DataFrame, group: str = "deltagare", before: str | None = None, after: str | None = None,
           forbund: str = "", scale: str = "total", after_from=None, after_to=None, lang: str = "sv") -> KasamChange:
    """KASAM before → after for participants or staff: the one pipeline every output uses.

    Definition (shown as "KASAM före/efter", "Förändring" …): the waves are ``tidpunkt`` *fore* and
    *efter* for participants (``group="deltagare"``) and the first and last ``vag`` for staff
    (``group="personal"``) unless ``before``/``after`` name them (:func:`split_waves`, optionally one
    ``forbund``). With ``after_from``/``after_to`` only after-answers dated in that window count,
    and only their respondents' before-answers (the dashboard's period filter). The design is
    paired when nearly everyone in the smaller wave answered both (:func:`evaluation.compare.design_of`,
    at least 80 %), else unpaired; the test is :func:`evaluation.compare.before_after` (paired t or
    Welch, 95 % CI of the change) on ``scale`` (``total`` or a subscale). The kasam_fore_efter
    notebook, the slutrapport, the goal tracker and the dashboards call this.

    Returns
    -------
    KasamChange

    Examples
    --------
    >>> sc = pd.DataFrame({"respondent_id": ["a", "b", "c"] * 2, "tidpunkt": ["fore"] * 3 + ["efter"] * 3,
    ...                    "total": [120.0, 130.0, 125.0, 130.0, 134.0, 129.0]})
    >>> ch = change(sc)
    >>> ch.design.name, ch.n, float(ch.result["mean_diff"].iloc[0])    # +10, +4, +4
    ('paired', 3, 6.0)
    """
    from . import compare

    if group not in ("deltagare", "personal"):
        raise ScoringError(f"KASAM-grupp ska vara 'deltagare' eller 'personal', inte {group!r}")
    col = "tidpunkt" if group == "deltagare" else "vag"
    b0 = before if before is not None else ("fore" if group == "deltagare" else None)
    a0 = after if after is not None else ("efter" if group == "deltagare" else None)
    fore, efter = split_waves(scores, col, b0, a0, forbund=forbund)
    if (after_from is not None or after_to is not None) and len(efter):
        d = pd.to_datetime(efter["datum"])
        keep = pd.Series(True, index=efter.index)
        if after_from is not None:
            keep &= d >= pd.Timestamp(after_from)
        if after_to is not None:
            keep &= d <= pd.Timestamp(after_to)
        efter = efter.loc[keep]
        fore = fore.loc[fore["respondent_id"].isin(efter["respondent_id"])] if len(fore) else fore
    design = compare.design_of(fore, efter, value_col=scale, lang=lang)
    res = compare.before_after(fore, efter, paired=design.paired, value_col=scale)
    return KasamChange(fore, efter, design, res)



def change_from_moments(n, summa_fore, summa_efter, kvadratsumma_diff, ci: float = 0.95) -> dict:
    """Paired KASAM change from the sums of a protected table cell (no individual answers needed).

    The board's KASAM card reads one cell of the protected table set
    (:mod:`evaluation.tableset`, measure ``kasam``): ``n`` pairs with a before and an after total,
    ``summa_fore`` = Σ before, ``summa_efter`` = Σ after and ``kvadratsumma_diff`` = Σ d², d = after −
    before (points of the KASAM total). The paired t-test follows from these moments alone (the
    one-sample t-test of d; e.g. Altman 1991, *Practical statistics for medical research*, §9.6):

    * mean before = Σ before / n, mean after = Σ after / n;
    * mean diff = (Σ after − Σ before) / n;
    * sd² = (Σ d² − n · mean diff²) / (n − 1);
    * t = mean diff / (sd / √n) with n − 1 degrees of freedom; CI = mean diff ± t_{(1+ci)/2, n−1} ·
      sd / √n; p two-sided (:func:`scipy.stats.t`). This equals :func:`scipy.stats.ttest_rel` on the
      pairs (tests cross-check it against :func:`change`).

    Parameters
    ----------
    n : int
        Pairs (0 or NaN: every value NaN).
    summa_fore, summa_efter, kvadratsumma_diff : float
        The cell's moments (NaN when suppressed: the result is NaN throughout).
    ci : float
        Confidence level of the interval of the change.

    Returns
    -------
    dict
        ``n, mean_before, mean_after, mean_diff, sd_diff, ci_low, ci_high, t, df, p`` (points;
        ``ci_low``/``ci_high``/``t``/``p`` NaN when n < 2 or sd = 0).

    Examples
    --------
    Four pairs with changes +10, +4, +6, +8 (before 120, 130, 125, 135; after 130, 134, 131, 143):

    >>> r = change_from_moments(4, 510.0, 538.0, 100 + 16 + 36 + 64)
    >>> r["mean_before"], r["mean_after"], r["mean_diff"], round(r["sd_diff"] ** 2, 4)
    (127.5, 134.5, 7.0, 6.6667)
    >>> round(r["ci_low"], 2), round(r["ci_high"], 2), round(r["p"], 4)
    (2.89, 11.11, 0.0123)
    """
    from scipy import stats

    keys = ("n", "mean_before", "mean_after", "mean_diff", "sd_diff", "ci_low", "ci_high", "t", "df", "p")
    out = dict.fromkeys(keys, float("nan"))
    vals = [float(x) if x is not None else float("nan") for x in (n, summa_fore, summa_efter, kvadratsumma_diff)]
    if any(math.isnan(v) for v in vals) or vals[0] <= 0:
        return out
    n_, sf, se, sq = vals
    mean = (se - sf) / n_
    out.update(n=n_, mean_before=sf / n_, mean_after=se / n_, mean_diff=mean)
    if n_ < 2:
        return out
    var = max((sq - n_ * mean ** 2) / (n_ - 1), 0.0)
    sd = math.sqrt(var)
    out.update(sd_diff=sd, df=n_ - 1)
    if sd <= 1e-12 * max(1.0, abs(mean)):
        return out
    se_ = sd / math.sqrt(n_)
    tval = mean / se_
    q = float(stats.t.ppf(0.5 + ci / 2, n_ - 1))
    out.update(t=tval, ci_low=mean - q * se_, ci_high=mean + q * se_, p=float(2 * stats.t.sf(abs(tval), n_ - 1)))
    return out


def welch_from_moments(n_before, summa_before, kvadratsumma_before, n_after, summa_after, kvadratsumma_after,
                       ci: float = 0.95) -> dict:
    """Unpaired (Welch) KASAM change from the sums of two protected wave cells.

    The cells ``kasam_fore`` and ``kasam_efter`` of the protected table set
    (:mod:`evaluation.tableset`) hold, per wave, ``n`` respondents with a valid total, Σ total and
    Σ total². Each wave's mean = Σ / n and variance s² = (Σ total² − n · mean²) / (n − 1); the
    test is Welch's t-test of after − before by :func:`scipy.stats.ttest_ind_from_stats`
    (``equal_var=False``), its degrees of freedom and the CI of the difference by the
    Welch–Satterthwaite approximation (Welch 1947; the same as :func:`scipy.stats.ttest_ind`
    ``(after, before, equal_var=False)`` on the answers, which :func:`evaluation.compare.before_after`
    uses: tests cross-check them).

    Parameters
    ----------
    n_before, summa_before, kvadratsumma_before : float
        The before wave's cell (NaN when suppressed: every value NaN).
    n_after, summa_after, kvadratsumma_after : float
        The after wave's cell.
    ci : float
        Confidence level of the interval of the change.

    Returns
    -------
    dict
        ``n`` (n_before + n_after, as :func:`evaluation.compare.before_after`), ``n_before``,
        ``n_after``, ``mean_before``, ``mean_after``, ``mean_diff``, ``sd_before``, ``sd_after``,
        ``ci_low``, ``ci_high``, ``t``, ``df``, ``p`` (points; the test NaN when a wave has fewer
        than 2 answers or both SDs are 0).

    Examples
    --------
    Before 120, 130, 140 (Σ 390, Σ² 50 900); after 130, 150 (Σ 280, Σ² 39 400):

    >>> r = welch_from_moments(3, 390.0, 50900.0, 2, 280.0, 39400.0)
    >>> r["n"], r["mean_before"], r["mean_after"], r["mean_diff"], r["sd_before"], round(r["sd_after"], 3)
    (5.0, 130.0, 140.0, 10.0, 10.0, 14.142)
    >>> round(r["t"], 4), round(r["df"], 3), round(r["p"], 4), round(r["ci_low"], 2), round(r["ci_high"], 2)
    (0.866, 1.684, 0.4921, -49.77, 69.77)
    """
    from scipy import stats

    keys = ("n", "n_before", "n_after", "mean_before", "mean_after", "mean_diff", "sd_before", "sd_after",
            "ci_low", "ci_high", "t", "df", "p")
    out = dict.fromkeys(keys, float("nan"))
    vals = [float(x) if x is not None else float("nan") for x in
            (n_before, summa_before, kvadratsumma_before, n_after, summa_after, kvadratsumma_after)]
    if any(math.isnan(v) for v in vals):
        return out
    nb, sb, qb, na, sa, qa = vals
    out.update(n=nb + na, n_before=nb, n_after=na)
    mb = sb / nb if nb > 0 else float("nan")
    ma = sa / na if na > 0 else float("nan")
    out.update(mean_before=mb, mean_after=ma, mean_diff=ma - mb)
    if nb < 2 or na < 2:
        return out
    vb = max((qb - nb * mb ** 2) / (nb - 1), 0.0)
    va = max((qa - na * ma ** 2) / (na - 1), 0.0)
    out.update(sd_before=math.sqrt(vb), sd_after=math.sqrt(va))
    tiny = 1e-9 * max(1.0, mb * mb, ma * ma)
    if vb <= tiny and va <= tiny:
        return out
    res = stats.ttest_ind_from_stats(ma, math.sqrt(va), na, mb, math.sqrt(vb), nb, equal_var=False)
    ua, ub = va / na, vb / nb
    se = math.sqrt(ua + ub)
    df = (ua + ub) ** 2 / (ua ** 2 / (na - 1) + ub ** 2 / (nb - 1))
    q = float(stats.t.ppf(0.5 + ci / 2, df))
    out.update(t=float(res.statistic), p=float(res.pvalue), df=df, ci_low=ma - mb - q * se, ci_high=ma - mb + q * se)
    return out


def change_from_cells(ts, forbund: str = "", insats: str = "", kon: str = "", period: str = "alla",
                      paired: bool | None = None, ci: float = 0.95) -> dict:
    """The participants' KASAM change of one group from the protected table set's cells alone.

    The board's figure of the same selection as :func:`change` (which the notebook uses): the
    design follows the 80 % rule of :func:`evaluation.compare.design_of` on the cells (paired when
    the ``kasam`` cell has at least 2 pairs and they are at least 80 % of the smaller of the
    ``kasam_fore`` / ``kasam_efter`` cells), then :func:`change_from_moments` on the pairs cell or
    :func:`welch_from_moments` on the two wave cells. A period other than ``"alla"`` selects the
    after answers dated in it and their respondents' before answers (as :func:`change` with
    ``after_from``/``after_to``), which is the paired design on the ``kasam`` cell of that year.

    Parameters
    ----------
    ts : evaluation.tableset.TableSet
        The protected table set (or its published file).
    forbund, insats, kon : str
        The group ("" = all).
    period : str
        ``"alla"`` or a year.
    paired : bool, optional
        Force the design (e.g. the whole förbund's design for its kön rows, as
        :func:`evaluation.compare.before_after_subgroups`); default: derived from the cells.
    ci : float

    Returns
    -------
    dict
        ``design`` (``paired`` / ``unpaired``; ``""`` when it cannot be derived because a cell it
        needs is suppressed: a hidden pairs cell may hide a paired design, whose figure is hidden
        in the notebook too), ``undertryckt`` (True when a cell the figure uses is suppressed: every
        value NaN), ``n`` (pairs, or n_before + n_after as :func:`evaluation.compare.before_after`),
        ``n_before``, ``n_after``, ``mean_before``, ``mean_after``, ``mean_diff``, ``ci_low``,
        ``ci_high``, ``t``, ``df``, ``p``. ``n`` 0 and the rest NaN when the group has no answers.

    Examples
    --------
    >>> from evaluation import tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 8, "insats": ["X"] * 8, "kon": ["man"] * 8,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 8), "avslutsdatum": pd.NaT})
    >>> sc = pd.DataFrame({"respondent_id": [f"b{i}" for i in range(6)] + [f"a{i}" for i in range(6)],
    ...                    "forbund": "A", "insats": "X", "kon": "man", "tidpunkt": ["fore"] * 6 + ["efter"] * 6,
    ...                    "datum": pd.to_datetime(["2025-02-01"] * 6 + ["2025-09-01"] * 6),
    ...                    "total": [120.0, 125, 130, 135, 140, 150, 130, 140, 135, 150, 145, 160]})
    >>> r = change_from_cells(tableset.build(ep, sc, reference_date="2025-12-31"), forbund="A")
    >>> r["design"], r["n"], r["n_before"], round(r["mean_diff"], 2), round(r["p"], 4)   # nobody linked
    ('unpaired', 12.0, 6.0, 10.0, 0.1399)
    """
    from . import flows

    dims = {"forbund": forbund, "insats": insats, "kon": kon, "period": period or "alla"}
    keys = ("n", "n_before", "n_after", "mean_before", "mean_after", "mean_diff", "ci_low", "ci_high", "t", "df", "p")
    out = {"design": "", "undertryckt": False, **dict.fromkeys(keys, float("nan"))}
    n_p = flows.cell_value(ts, "kasam", **dims)
    present = set(ts.cells["matt"])
    if "kasam" not in present and "kasam_fore" in present and "kasam_efter" in present:
        n_p = 0.0  # answers at both waves, nobody linked: the set has no pairs measure
    if dims["period"] != "alla":
        paired = True
    if paired is None:
        nb, na = flows.cell_value(ts, "kasam_fore", **dims), flows.cell_value(ts, "kasam_efter", **dims)
        if any(pd.isna(x) for x in (n_p, nb, na)):  # the design is not derivable: nothing is shown
            out["undertryckt"] = True
            return out
        small = min(nb, na)
        paired = bool(n_p >= 2 and small > 0 and n_p / small >= 0.8)
    if paired:
        r = change_from_moments(n_p, *(flows.cell_value(ts, "kasam", c, **dims)
                                       for c in ("summa_fore", "summa_efter", "kvadratsumma_diff")), ci=ci)
        out.update({k: r[k] for k in keys if k in r}, design="paired", undertryckt=bool(pd.isna(n_p)))
        if n_p == 0:
            out["n"] = 0.0
        return out
    cells = [flows.cell_value(ts, m, c, **dims) for m in ("kasam_fore", "kasam_efter") for c in ("n", "summa", "kvadratsumma")]
    r = welch_from_moments(*cells, ci=ci)
    out.update({k: r[k] for k in keys if k in r}, design="unpaired",
               undertryckt=bool(pd.isna(cells[0]) or pd.isna(cells[3])))
    return out


def design_text(design, ts, forbund: str = "", lang: str = "sv") -> str:
    """The participants' design explanation as a board may read it.

    :attr:`evaluation.compare.Design.reason` names the respondents at both waves and per wave;
    those are the ``kasam``, ``kasam_fore`` and ``kasam_efter`` cells of the protected table set
    (förbund ``forbund``, all periods). Where all three are published with the same counts the
    reason is shown as it is; otherwise the design is explained without counts (a hidden 1-4
    people at both waves would otherwise be printed next to the suppressed figures). Without a table
    set (``ts`` None) the reason is returned unchanged.

    Examples
    --------
    >>> from evaluation import compare, tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 8, "insats": ["X"] * 8, "kon": ["man"] * 8,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 8), "avslutsdatum": pd.NaT})
    >>> ids = [f"b{i}" for i in range(6)] + ["b0", "b1"] + [f"a{i}" for i in range(4)]
    >>> sc = pd.DataFrame({"respondent_id": ids, "forbund": "A", "insats": "X", "kon": "man",
    ...                    "tidpunkt": ["fore"] * 6 + ["efter"] * 6,
    ...                    "datum": pd.to_datetime(["2025-02-01"] * 6 + ["2025-09-01"] * 6), "total": 130.0})
    >>> d = change(sc, forbund="A").design          # 2 of 6 linked: unpaired, "bara 2 personer ..."
    >>> ts = tableset.protect(tableset.build(ep, sc, reference_date="2025-12-31"))
    >>> design_text(d, ts, "A")
    'Oparad jämförelse (upprepat tvärsnitt): för få personer svarade vid båda tillfällena (under 80 % av det minsta mättillfället; antalen visas inte för att skydda små grupper).'
    """
    from . import flows

    if ts is None:
        return design.reason
    dims = {"forbund": forbund, "period": "alla"}
    n = [flows.cell_value(ts, m, **dims) for m in ("kasam", "kasam_fore", "kasam_efter")]
    present = set(ts.cells["matt"])
    if "kasam" not in present and "kasam_fore" in present and "kasam_efter" in present:
        n[0] = 0.0
    if not any(pd.isna(x) for x in n) and n == [design.n_both, design.n_before, design.n_after]:
        return design.reason
    key = "compare.design.paired_dold" if design.paired else "compare.design.unpaired_dold"
    return _t(key, lang, min_share="80")


def reliability(df: pd.DataFrame, form: str = "soc29", ci: float = 0.95,
                formversion: str | None = None) -> pd.DataFrame:
    """Cronbach's α (listwise deletion) with a confidence interval, per subscale and total.

    Parameters
    ----------
    df : DataFrame
        Item responses (raw; reverse keying is applied here).
    form : str
        Instrument name.
    ci : float
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        Columns ``skala``, ``n_items``, ``n`` (complete respondents), ``alpha``, ``ci_low``,
        ``ci_high``.

    Notes
    -----
    α = k/(k−1) · (1 − Σ s²_i / s²_total) (Cronbach 1951), computed by
    ``pingouin.cronbach_alpha(nan_policy='listwise')``; the interval is pingouin's F-based
    interval (Feldt, Woodruff & Salih 1987).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> base = rng.integers(2, 7, size=(40, 1))
    >>> d = pd.DataFrame(np.clip(base + rng.integers(-1, 2, size=(40, 13)), 1, 7),
    ...                  columns=[f"soc13_{i}" for i in range(1, 14)])
    >>> int(reliability(d, "soc13").set_index("skala").loc["total", "n_items"])
    13
    """
    import pingouin as pg

    ins = instruments.get(form)
    items = item_matrix(df, form, formversion)
    rows = []
    for scale, cols in _scale_items(ins).items():
        sub = items[cols]
        n = int(sub.dropna().shape[0])
        if len(cols) < 2 or n < 3:
            a, lo, hi = np.nan, np.nan, np.nan
        else:
            a, (lo, hi) = pg.cronbach_alpha(data=sub, nan_policy="listwise", ci=ci)
        rows.append({"skala": scale, "n_items": len(cols), "n": n, "alpha": float(a),
                     "ci_low": float(lo), "ci_high": float(hi)})
    return pd.DataFrame(rows)


def item_rest(df: pd.DataFrame, form: str = "soc29", formversion: str | None = None) -> pd.DataFrame:
    """Corrected item–rest correlations: each item against the sum of the other items.

    Parameters
    ----------
    df : DataFrame
        Item responses (raw).
    form : str
        Instrument name.

    Returns
    -------
    DataFrame
        One row per item: ``item``, ``skala`` (its subscale), ``n`` (listwise complete on the
        subscale), ``r_rest_skala`` (item vs rest of its subscale), ``r_rest_total`` (item vs
        rest of all items, listwise on all items). Pearson correlations.

    Examples
    --------
    >>> d = pd.DataFrame({f"soc13_{i}": [1, 4, 7, 4] for i in range(1, 14)})
    >>> float(round(item_rest(d, "soc13").loc[0, "r_rest_total"], 6))   # item 1 is reverse keyed
    -1.0
    """
    ins = instruments.get(form)
    items = item_matrix(df, form, formversion)
    rows = []
    full = items.dropna()
    total = full.sum(axis=1)
    sub_of = {ins.column(i): s for s, its in ins.subscales.items() for i in its}
    for scale, cols in ins.subscales.items():
        cs = [ins.column(i) for i in cols]
        block = items[cs].dropna()
        ssum = block.sum(axis=1)
        for c in cs:
            rows.append({"item": c, "skala": scale, "n": len(block),
                         "r_rest_skala": _corr(block[c], ssum - block[c])})
    if not ins.subscales:
        rows = [{"item": c, "skala": "total", "n": len(full)} for c in ins.columns]
    out = pd.DataFrame(rows).set_index("item")
    out["r_rest_total"] = {c: _corr(full[c], total - full[c]) for c in ins.columns}
    if "r_rest_skala" not in out:
        out["r_rest_skala"] = out["r_rest_total"]
    out = out.loc[[c for c in ins.columns]].reset_index()
    out["skala"] = out["item"].map(sub_of).fillna(out["skala"])
    return out[["item", "skala", "n", "r_rest_skala", "r_rest_total"]]


def _wave_group(answers: pd.DataFrame, scores: pd.DataFrame, wave: str, ts, forbund: str, id_col: str = "respondent_id"):
    """The raw answers of a wave cell's group and the cell's n (NaN when suppressed).

    The ``kasam_<wave>`` cell counts the respondents with a total in that wave; the answers of the
    others (a subscale too incomplete to prorate) are left out. Raises when the group's size is not
    the published cell (the answers are not the table set's).
    """
    from . import flows

    cell = flows.cell_value(ts, f"kasam_{wave}", forbund=forbund, period="alla")
    ids = scores.loc[scores["total"].notna(), id_col] if len(scores) else pd.Series([], dtype=object)
    group = answers.loc[answers[id_col].isin(set(ids))] if len(answers) else answers
    if not pd.isna(cell) and float(ids.nunique()) != cell:
        raise ScoringError(f"KASAM {wave} {forbund or 'alla'}: {ids.nunique()} respondents with a total in the "
                           f"answers, {cell:g} in the protected table set (kasam_{wave})")
    return group, cell


def protected_reliability(answers: pd.DataFrame, scores: pd.DataFrame, wave: str = "fore", form: str = "soc29",
                          tabeller=None, forbund: str = "", min_n: int = 5, ci: float = 0.95) -> pd.DataFrame:
    """The board's Cronbach α table of one participants' wave, gated by its protected wave cell.

    Without a table set (``tabeller`` None) this is :func:`reliability` of ``answers``. With it
    (issue 15) the wave's group is the ``kasam_<wave>`` cell (förbund ``forbund``, all periods:
    the respondents of ``scores`` with a total), and

    * where the cell is suppressed, every ``n``, ``alpha`` and CI is NaN ("–"): α and its interval
      are statistics of a group that is hidden;
    * elsewhere α is computed on the cell's group (:func:`reliability`, listwise). Its ``n`` (the
      respondents with every item of the scale answered) is no cell: the cell's n minus it counts
      the respondents who left an item of the scale blank. Where that difference is 1 to
      ``min_n − 1`` the ``n`` is hidden, and so is the CI, since Feldt's F interval depends on n
      alone besides α and the number of items (n could be solved from it). The total's listwise
      group lies inside every subscale's: where a shown subscale n exceeds the total's n by 1 to
      ``min_n − 1`` the total's n and CI are hidden too. (Two subscales' groups are not nested, so
      their difference is no group's size.) α itself has no count and stays.

    Not covered: a reader who knows this rule learns from a hidden n that 1 to ``min_n − 1`` of
    the cell's respondents left an item of that scale blank (not who; no other figure splits that
    group), as from any primary suppression without hidden zeros. The counts of this table are
    not cells of the table set: they are protected within this table, not across outputs (a
    snapshot that ran the notebook for all förbund beside a run per förbund could subtract one
    förbund's listwise n from the others'; the sample and national run files run one förbund
    each). The same holds for the bands of :func:`band_table` and the categories of
    :func:`protect_reliable_change`.

    ``undertryckt`` flags a row with a hidden value (:func:`board_table` shows its NaN as "–").

    Raises
    ------
    ScoringError
        When the group's size differs from the published cell.

    Examples
    --------
    Seven respondents before, SOC-13; r6 left item 2 (begriplighet) blank, so begriplighet and the
    total have n = 6 of the cell's 7 (one person: hidden, with the CI); hanterbarhet and
    meningsfullhet have all 7:

    >>> from evaluation import tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 7, "insats": ["X"] * 7, "kon": ["man"] * 7,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 7), "avslutsdatum": pd.NaT})
    >>> rng = np.random.default_rng(3)
    >>> base = rng.integers(2, 7, size=(7, 1))
    >>> raw = pd.DataFrame(np.clip(base + rng.integers(-1, 2, size=(7, 13)), 1, 7).astype(float),
    ...                    columns=[f"soc13_{i}" for i in range(1, 14)])
    >>> raw.loc[6, "soc13_2"] = np.nan
    >>> raw = raw.assign(respondent_id=[f"r{i}" for i in range(7)], forbund="A", insats="X", kon="man",
    ...                  tidpunkt="fore", datum=pd.Timestamp("2025-02-01"))
    >>> sc = score(raw, "soc13")
    >>> ts = tableset.build(ep, sc, reference_date="2025-12-31")
    >>> out = protected_reliability(raw, sc, "fore", "soc13", tabeller=ts, forbund="A").set_index("skala")
    >>> out["n"].tolist()
    [nan, 7.0, 7.0, nan]
    >>> bool(out["ci_low"].isna()["begriplighet"]), bool(out["alpha"].notna().all())
    (True, True)
    >>> ts.cells.loc[ts.cells["matt"] == "kasam_fore", "status"] = tableset.SECONDARY
    >>> protected_reliability(raw, sc, "fore", "soc13", tabeller=ts, forbund="A")["alpha"].isna().all()
    np.True_
    """
    if tabeller is None:
        return reliability(answers, form, ci=ci)
    group, cell = _wave_group(answers, scores, wave, tabeller, forbund)
    out = reliability(group, form, ci=ci) if len(group) else reliability(answers.iloc[:0], form, ci=ci)
    values = ["n", "alpha", "ci_low", "ci_high"]
    out[values] = out[values].astype(float)
    mask = pd.DataFrame(False, index=out.index, columns=values)
    if pd.isna(cell):
        mask[:] = True
    else:
        excl = cell - out["n"]
        small = ((excl > 0) & (excl < min_n)).to_numpy()
        tot = (out["skala"] == "total").to_numpy()
        subs = ~tot & ~small
        if tot.any() and not small[tot].any() and subs.any():
            gap = out.loc[subs, "n"].to_numpy() - float(out.loc[tot, "n"].iloc[0])
            if ((gap > 0) & (gap < min_n)).any():
                small = small | tot
        mask.loc[small, ["n", "ci_low", "ci_high"]] = True
    out = out.mask(mask.reindex(columns=out.columns, fill_value=False))
    out["undertryckt"] = mask.any(axis=1).to_numpy()  # no attrs: the notebook concatenates the waves' tables
    return out


def protected_item_rest(answers: pd.DataFrame, scores: pd.DataFrame, wave: str = "fore", form: str = "soc29",
                        tabeller=None, forbund: str = "", min_n: int = 5) -> pd.DataFrame:
    """The board's item–rest table of one participants' wave, gated as :func:`protected_reliability`.

    Without a table set this is :func:`item_rest` of ``answers``. With one, the correlations are
    computed on the ``kasam_<wave>`` cell's group and hidden where the cell is suppressed; each
    item's ``n`` (listwise on its subscale, the same n as its subscale's row of
    :func:`protected_reliability`) is hidden where that row's n is. Correlations carry no count.

    Examples
    --------
    >>> from evaluation import tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 7, "insats": ["X"] * 7, "kon": ["man"] * 7,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 7), "avslutsdatum": pd.NaT})
    >>> raw = pd.DataFrame({f"soc13_{i}": [1.0, 4, 7, 4, 2, 6, 5] for i in range(1, 14)})
    >>> raw.loc[6, "soc13_2"] = np.nan
    >>> raw = raw.assign(respondent_id=[f"r{i}" for i in range(7)], forbund="A", insats="X", kon="man",
    ...                  tidpunkt="fore", datum=pd.Timestamp("2025-02-01"))
    >>> sc = score(raw, "soc13")
    >>> ts = tableset.build(ep, sc, reference_date="2025-12-31")
    >>> out = protected_item_rest(raw, sc, "fore", "soc13", tabeller=ts, forbund="A")
    >>> out.set_index("item").loc[["soc13_2", "soc13_3", "soc13_1"], ["skala", "n"]].values.tolist()
    [['begriplighet', nan], ['hanterbarhet', 7.0], ['meningsfullhet', 7.0]]
    """
    if tabeller is None:
        return item_rest(answers, form)
    rel = protected_reliability(answers, scores, wave, form, tabeller=tabeller, forbund=forbund, min_n=min_n)
    group, cell = _wave_group(answers, scores, wave, tabeller, forbund)
    out = item_rest(group if len(group) else answers.iloc[:0], form)
    values = ["n", "r_rest_skala", "r_rest_total"]
    out[values] = out[values].astype(float)
    hidden_n = rel.set_index("skala")["n"].isna()
    mask = pd.DataFrame(False, index=out.index, columns=values)
    if pd.isna(cell):
        mask[:] = True
    else:
        mask["n"] = out["skala"].map(hidden_n).fillna(True).astype(bool).to_numpy()
    out = out.mask(mask.reindex(columns=out.columns, fill_value=False))
    out["undertryckt"] = mask.any(axis=1).to_numpy()  # no attrs: the notebook concatenates the waves' tables
    return out


def _corr(a: pd.Series, b: pd.Series) -> float:
    if len(a) < 3 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a.to_numpy(float), b.to_numpy(float))[0, 1])


# ------------------------------------------------------------------------------ reliable change
def rci_threshold(sd: float, reliability: float, crit: float = 1.96) -> float:
    """Smallest change (points) that is reliable: ``crit · √2 · SD₁ · √(1 − r_xx)``.

    Jacobson & Truax (1991), hand-written formula (no library provides it).

    Examples
    --------
    >>> round(rci_threshold(18, 0.90), 1)   # SOC-29, DOMAIN.md §4.1
    15.8
    >>> round(rci_threshold(11.7, 0.85), 1)  # SOC-13
    12.6
    """
    if not (0 <= reliability < 1) or sd <= 0:
        raise ValueError("reliability must be in [0, 1) and sd > 0")
    return float(crit * math.sqrt(2.0) * sd * math.sqrt(1.0 - reliability))


def _paired_frame(before, after, id_col: str, value_col: str) -> tuple[pd.DataFrame, int]:
    from evaluation.compare import paired_values

    return paired_values(before, after, id_col=id_col, value_col=value_col)


def reliable_change(before, after, id_col: str = "respondent_id", value_col: str = "total",
                    sd: float | None = None, reliability: float | None = None,
                    baseline_items: pd.DataFrame | None = None, form: str = "soc29",
                    crit: float = 1.96) -> pd.DataFrame:
    """Reliable Change Index per person (Jacobson & Truax 1991).

    Parameters
    ----------
    before, after : DataFrame or Series
        Scores at the two waves (frames with ``id_col`` and ``value_col``, or Series indexed
        by respondent id). Only respondents with a value at both waves are classified.
    sd : float, optional
        Reference SD₁; default the SD (ddof = 1) of the paired baseline scores.
    reliability : float, optional
        r_xx; default Cronbach's α (listwise) of ``baseline_items`` (the raw baseline item
        data of ``form``). One of the two must be given.
    crit : float
        |RCI| above which change is reliable (1.96 ≈ 95 %).

    Returns
    -------
    DataFrame
        ``id_col``, ``fore``, ``efter``, ``diff`` (after − before), ``rci`` and ``kategori``
        (``forbattrad`` / ``oforandrad`` / ``forsamrad``; higher = stronger SOC). ``attrs`` hold
        ``sd``, ``reliability``, ``s_diff`` and ``threshold`` (points).

    Notes
    -----
    RCI = (x₂ − x₁)/S_diff, S_diff = √2 · SD₁ · √(1 − r_xx). Hand-written (no library).

    Examples
    --------
    >>> b = pd.Series([150, 140, 160], index=["a", "b", "c"])
    >>> a = pd.Series([170, 141, 140], index=["a", "b", "c"])
    >>> reliable_change(b, a, sd=18, reliability=0.9)["kategori"].tolist()
    ['forbattrad', 'oforandrad', 'forsamrad']
    """
    pairs, _ = _paired_frame(before, after, id_col, value_col)
    if sd is None:
        sd = float(pairs["fore"].std(ddof=1))
    if reliability is None:
        if baseline_items is None:
            raise ValueError("give reliability= or baseline_items= (raw baseline items) to estimate α")
        reliability = reliability_of_total(baseline_items, form)
    s_diff = math.sqrt(2.0) * sd * math.sqrt(1.0 - reliability)
    out = pairs.copy()
    out["diff"] = out["efter"] - out["fore"]
    out["rci"] = out["diff"] / s_diff
    out["kategori"] = np.select([out["rci"] > crit, out["rci"] < -crit], ["forbattrad", "forsamrad"],
                                default="oforandrad")
    out.attrs.update(sd=float(sd), reliability=float(reliability), s_diff=float(s_diff),
                     threshold=float(crit * s_diff))
    return out


def reliability_of_total(items: pd.DataFrame, form: str = "soc29") -> float:
    """Cronbach's α (listwise) of the total scale of ``form`` on raw item data.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> base = rng.integers(2, 7, size=(40, 1))
    >>> d = pd.DataFrame(np.clip(base + rng.integers(-1, 2, size=(40, 13)), 1, 7),
    ...                  columns=[f"soc13_{i}" for i in range(1, 14)])
    >>> d[["soc13_1", "soc13_2", "soc13_3", "soc13_7", "soc13_10"]] = 8 - d[["soc13_1", "soc13_2", "soc13_3", "soc13_7", "soc13_10"]]
    >>> 0.8 < reliability_of_total(d, "soc13") < 1
    True
    """
    rel = reliability(items, form)
    return float(rel.loc[rel["skala"] == "total", "alpha"].iloc[0])


def reliable_change_summary(rc: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Counts and shares reliably improved / unchanged / deteriorated.

    Parameters
    ----------
    rc : DataFrame
        Output of :func:`reliable_change`.
    lang : {"sv", "en"}, optional
        Add a ``etikett`` column with the board label.

    Returns
    -------
    DataFrame
        Rows ``forbattrad``, ``oforandrad``, ``forsamrad``; columns ``kategori``, ``n`` and
        ``andel`` (0–1 of all classified), plus ``n_total``.

    Examples
    --------
    >>> rc = pd.DataFrame({"kategori": ["forbattrad", "oforandrad", "oforandrad", "forsamrad"]})
    >>> reliable_change_summary(rc)["andel"].tolist()
    [0.25, 0.5, 0.25]
    """
    cats = ["forbattrad", "oforandrad", "forsamrad"]
    counts = rc["kategori"].value_counts().reindex(cats, fill_value=0)
    n = int(counts.sum())
    out = pd.DataFrame({"kategori": cats, "n": counts.to_numpy().astype(int),
                        "andel": counts.to_numpy() / n if n else np.nan, "n_total": n})
    if lang:
        out["etikett"] = [_t(f"kasam.rci.{c}", lang) for c in cats]
    return out


def protect_reliable_change(summary: pd.DataFrame, min_n: int = 5, tabeller=None, forbund: str = "",
                            paired: bool = True) -> pd.DataFrame:
    """The board's RCI table: :func:`reliable_change_summary` with small categories hidden, and one more.

    The three categories add up to the number assessed (``n_total``, shown beside them and equal to
    the pairs of the comparison), so hiding a small category alone would leave it as the total minus
    the other two. The counts are protected as one column with a known total by
    :func:`evaluation.disclosure.suppress_table` (``margins=False``): primary ``0 < n < min_n``, and
    secondary the smallest non-zero other category while a category is the only one hidden
    (Hundepool et al. 2012, ch. 5). A hidden row has ``n`` and ``andel`` NaN (``"–"`` on the board);
    ``undertryckt`` flags it and ``attrs["undertryckt_celler"]`` holds the cell mask for
    :func:`evaluation.disclosure.format_table`.

    With the protected table set ``tabeller`` (issue 15) the people assessed are the ``kasam``
    pairs cell (förbund ``forbund``, all periods), and the threshold uses the before wave's α, so
    the table is shown only where the ``kasam`` *and* ``kasam_fore`` cells are published and
    ``n_total`` equals the pairs cell; elsewhere every ``n``, ``andel`` and ``n_total`` is NaN
    (a hidden pairs cell would otherwise be printed as ``n_total``, and the categories would split
    it). An unpaired design (``paired`` False, with or without a table set) hides the table too: the
    RCI needs the same people at both waves, and the board's comparison is then the two whole
    waves, whose pairs (a minority that the design rejected) are no figure of the report. ``attrs["dold"]`` says why the whole
    table is hidden (``""``, ``"oparad"`` or ``"undertryckt"``; :func:`rci_text`).

    Raises
    ------
    ScoringError
        When the pairs cell is published and differs from ``n_total`` (the RCI was computed on other
        pairs than the table set, as :func:`protected_rows` raises for the comparison).

    Examples
    --------
    >>> rc = pd.DataFrame({"kategori": ["forbattrad"] * 8 + ["oforandrad"] * 48 + ["forsamrad"]})
    >>> out = protect_reliable_change(reliable_change_summary(rc))
    >>> out["n"].tolist(), out["undertryckt"].tolist()   # 1 deteriorated: hidden, and 8 to hide it
    ([nan, 48.0, nan], [True, False, True])

    With a table set whose pairs cell (6 pairs) is suppressed, nothing is shown:

    >>> from evaluation import tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 6, "insats": ["X"] * 6, "kon": ["man"] * 6,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 6), "avslutsdatum": pd.NaT})
    >>> sc = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(6)] * 2, "forbund": "A", "insats": "X",
    ...                    "kon": "man", "tidpunkt": ["fore"] * 6 + ["efter"] * 6,
    ...                    "datum": pd.to_datetime(["2025-02-01"] * 6 + ["2025-09-01"] * 6), "total": 130.0})
    >>> ts = tableset.build(ep, sc, reference_date="2025-12-31")
    >>> rc = pd.DataFrame({"kategori": ["oforandrad"] * 6})
    >>> protect_reliable_change(reliable_change_summary(rc), tabeller=ts, forbund="A")["n_total"].tolist()
    [6.0, 6.0, 6.0]
    >>> ts.cells.loc[ts.cells["matt"] == "kasam", "status"] = tableset.SECONDARY
    >>> out = protect_reliable_change(reliable_change_summary(rc), tabeller=ts, forbund="A")
    >>> out["n_total"].tolist(), bool(out["undertryckt"].all()), out.attrs["dold"]
    ([nan, nan, nan], True, 'undertryckt')
    """
    from . import disclosure

    st = disclosure.suppress_table(summary.set_index("kategori")[["n"]], min_n=min_n, margins=False)
    hidden = st.mask["n"].reindex(summary["kategori"]).to_numpy()
    out = summary.copy()
    out[["n", "andel", "n_total"]] = out[["n", "andel", "n_total"]].astype(float)
    why = "" if paired else "oparad"
    if tabeller is not None and paired:
        from . import flows

        pairs = flows.cell_value(tabeller, "kasam", forbund=forbund, period="alla")
        base = flows.cell_value(tabeller, "kasam_fore", forbund=forbund, period="alla")
        n_total = float(out["n_total"].iloc[0]) if len(out) else 0.0
        if pd.isna(pairs) or pd.isna(base):
            why = "undertryckt"
        elif pairs != n_total:
            raise ScoringError(f"KASAM RCI {forbund or 'alla'}: {n_total:g} pairs assessed, {pairs:g} in the "
                               "protected table set (kasam)")
    if why:
        hidden = np.ones(len(out), dtype=bool)
        out["n_total"] = np.nan
    out.loc[hidden, ["n", "andel"]] = np.nan
    out["undertryckt"] = hidden
    out.attrs["undertryckt_celler"] = pd.DataFrame({"n": hidden, "andel": hidden, "n_total": bool(why)},
                                                   index=out.index)
    out.attrs["dold"] = why
    return out


def rci_text(rc: pd.DataFrame, table: pd.DataFrame, lang: str = "sv") -> str:
    """The board's sentence above the RCI table: threshold, SD and reliability, or why it is hidden.

    The threshold follows from the pairs' baseline SD and the before wave's α (:func:`reliable_change`),
    statistics of the ``kasam`` and ``kasam_fore`` groups: where :func:`protect_reliable_change`
    hid the whole table (``attrs["dold"]``) they are hidden too and the sentence says why.

    Examples
    --------
    >>> rc = reliable_change(pd.Series([150.0, 140, 160]), pd.Series([170.0, 141, 140]), sd=18, reliability=0.9)
    >>> tab = protect_reliable_change(reliable_change_summary(rc), min_n=1)
    >>> rci_text(rc, tab)
    'Tillförlitlig förändring (Jacobson & Truax): minst 15,8 poängs förändring (SD 18,0, reliabilitet 0,90).'
    >>> tab.attrs["dold"] = "oparad"
    >>> rci_text(rc, tab).startswith("Tillförlitlig förändring (Jacobson & Truax) visas inte")
    True
    """
    from evaluation.disclosure import format_number

    why = table.attrs.get("dold", "")
    if why:
        return _t("kasam.rci.dold_oparad" if why == "oparad" else "kasam.rci.dold", lang)
    return _t("kasam.rci.forklaring", lang, troskel=format_number(rc.attrs["threshold"], lang, 1),
              sd=format_number(rc.attrs["sd"], lang, 1), rel=format_number(rc.attrs["reliability"], lang, 2))


def rci_results(rc: pd.DataFrame, table: pd.DataFrame) -> dict:
    """The ``results.json`` values of the board's RCI table: null wherever the board shows "–".

    ``n_rci`` (people assessed), ``andel_forbattrad``, ``andel_oforandrad``, ``andel_forsamrad``
    (0–1) and ``rci_troskel`` (points) from :func:`protect_reliable_change`'s table; each is None
    where the table hides it (the threshold where the whole table is hidden, see :func:`rci_text`).

    Examples
    --------
    >>> rc = pd.DataFrame({"kategori": ["forbattrad"] * 8 + ["oforandrad"] * 48 + ["forsamrad"]})
    >>> rc.attrs["threshold"] = 15.8
    >>> r = rci_results(rc, protect_reliable_change(reliable_change_summary(rc)))
    >>> r["n_rci"], r["andel_forbattrad"], round(r["andel_oforandrad"], 4), r["rci_troskel"]
    (57, None, 0.8421, 15.8)
    """
    andel = table.set_index("kategori")["andel"]

    def val(v):
        return None if v is None or pd.isna(v) else float(v)

    n = table["n_total"].iloc[0] if len(table) else float("nan")
    return {"n_rci": None if pd.isna(n) else int(n),
            **{f"andel_{k}": val(andel.get(k)) for k in ("forbattrad", "oforandrad", "forsamrad")},
            "rci_troskel": None if table.attrs.get("dold") else val(rc.attrs.get("threshold"))}


# -------------------------------------------------------------------------------------- norms
def compare_norm(scores, form: str = "soc29", mean: float | None = None, sd: float | None = None,
                 value_col: str = "total", ci: float = 0.95, tabeller=None, forbund: str = "",
                 wave: str = "fore") -> pd.DataFrame:
    """Compare a group's mean with a reference norm (one-sample t, standardised difference).

    Parameters
    ----------
    scores : DataFrame or Series
        Scores (``value_col``); missing values are dropped.
    form : str
        Instrument whose key table holds the reference (SOC-29: 151, SD 18, n = 145; Langius
        & Björvell 1993).
    mean, sd : float, optional
        Reference mean and SD overriding the key table.
    tabeller : evaluation.tableset.TableSet, optional
        The protected table set (issue 15): the group is then the ``kasam_<wave>`` cell (förbund
        ``forbund``, all periods; the participants' respondents with a total in that wave). Every
        value of the group (``n`` … ``std_diff``; not the reference's own mean and SD) is NaN
        ("–") where that cell is suppressed, and ``n`` must be the cell's n.
    forbund, wave : str
        The förbund ("" = all) and the wave (``fore`` / ``efter``) of ``scores``.

    Raises
    ------
    ScoringError
        With a table set, when the scores' n differs from the published cell.

    Returns
    -------
    DataFrame
        One row: ``n``, ``medel``, ``sd``, ``ref_medel``, ``ref_sd``, ``diff`` (group − norm),
        ``ci_low``, ``ci_high`` (CI of the group mean − norm), ``t``, ``df``, ``p``
        (``scipy.stats.ttest_1samp``) and ``std_diff`` = diff / ref SD, and ``undertryckt``
        (True where the table set hides the group). Descriptive context, not a diagnosis.

    Examples
    --------
    >>> compare_norm(pd.Series([151.0, 169.0, 133.0]))[["diff", "std_diff"]].iloc[0].tolist()
    [0.0, 0.0]

    With a table set whose before-wave cell is suppressed only the reference is shown:

    >>> from evaluation import tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 5, "insats": ["X"] * 5, "kon": ["man"] * 5,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 5), "avslutsdatum": pd.NaT})
    >>> sc = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(5)], "forbund": "A", "insats": "X",
    ...                    "kon": "man", "tidpunkt": "fore", "datum": pd.Timestamp("2025-02-01"),
    ...                    "total": [130.0, 140, 150, 160, 170]})
    >>> ts = tableset.build(ep, sc, reference_date="2025-12-31")
    >>> compare_norm(sc, tabeller=ts, forbund="A")[["n", "medel", "diff"]].iloc[0].tolist()
    [5.0, 150.0, -1.0]
    >>> ts.cells.loc[ts.cells["matt"] == "kasam_fore", "status"] = tableset.SECONDARY
    >>> compare_norm(sc, tabeller=ts, forbund="A")[["n", "medel", "ref_medel"]].iloc[0].tolist()
    [nan, nan, 151.0]
    """
    from scipy import stats

    x = (scores[value_col] if isinstance(scores, pd.DataFrame) else pd.Series(scores)).dropna().astype(float)
    ref = instruments.get(form).norms.get("reference", {})
    m = float(ref["mean"] if mean is None else mean)
    s = float(ref["sd"] if sd is None else sd)
    n = len(x)
    res = stats.ttest_1samp(x, m) if n >= 2 else None
    lo, hi = (res.confidence_interval(ci) if res is not None else (np.nan, np.nan))
    out = pd.DataFrame([{
        "n": n, "medel": x.mean() if n else np.nan, "sd": x.std(ddof=1) if n > 1 else np.nan,
        "ref_medel": m, "ref_sd": s, "diff": (x.mean() - m) if n else np.nan,
        "ci_low": lo - m, "ci_high": hi - m,
        "t": res.statistic if res is not None else np.nan, "df": n - 1 if n >= 2 else np.nan,
        "p": res.pvalue if res is not None else np.nan,
        "std_diff": (x.mean() - m) / s if n else np.nan,
    }])
    hidden = False
    if tabeller is not None:
        from . import flows

        cell = flows.cell_value(tabeller, f"kasam_{wave}", forbund=forbund, period="alla")
        hidden = bool(pd.isna(cell))
        if not hidden and float(n) != cell:
            raise ScoringError(f"KASAM {wave} {forbund or 'alla'}: n = {n} in the scores, {cell:g} in the "
                               f"protected table set (kasam_{wave})")
        if hidden:  # a mean, SD and test of a hidden group: only the reference stays
            group = [c for c in out.columns if c not in ("ref_medel", "ref_sd")]
            out[group] = np.nan
    out["undertryckt"] = hidden
    return out


def norm_label(form: str = "soc29", lang: str = "sv") -> str:
    """What the instrument's reference norm is, for a board: its origin in words (key table ``label``).

    The SOC-13 reference (70,7, SD 11,7) comes from Åland (Finland), not from Sweden (DOMAIN.md §4.1).

    Examples
    --------
    >>> norm_label("soc13")
    'en referens från Åland (Finland), inte en svensk norm'
    """
    ref = instruments.get(form).norms.get("reference", {})
    label = ref.get("label") or {}
    return str(label.get(lang) or label.get("sv") or ref.get("source", ""))


def bands(scores, form: str = "soc29", value_col: str = "total") -> pd.Series:
    """Descriptive band per score: ``lag`` / ``mattlig`` / ``hog`` (never diagnostic).

    Bands are the Swedish "godtyckliga" bands of the key table (SOC-29 low ≈ 83–140,
    moderate 141–165, high 166–191; SOC-13 30–60 / 61–75 / 76–91; DOMAIN.md §4.1), made
    contiguous: low ≤ upper(low), moderate ≤ upper(moderate), high above; prorated
    non-integer totals fall into the band of the interval that contains them.

    Examples
    --------
    >>> bands(pd.Series([120, 140, 140.5, 165, 166])).tolist()
    ['lag', 'lag', 'mattlig', 'mattlig', 'hog']
    """
    x = scores[value_col] if isinstance(scores, pd.DataFrame) else pd.Series(scores)
    b = instruments.get(form).norms.get("bands")
    if not b:
        raise instruments.InstrumentError(f"instrument {form!r} has no descriptive bands in its key table")
    names = list(b)
    edges = [-np.inf] + [float(b[k][1]) for k in names[:-1]] + [np.inf]
    out = pd.cut(x.astype(float), bins=edges, labels=names, right=True)
    return out.astype("str").where(x.notna()).rename("band")


def band_table(scores, form: str = "soc29", value_col: str = "total", by: str | None = None,
               min_n: int = 5, lang: str = "sv", tabeller=None, forbund: str = "",
               wave: str = "fore") -> pd.DataFrame:
    """Number and share of respondents per descriptive band (optionally per group), suppressed.

    Without a table set, counts below ``min_n`` are suppressed row by row with
    :func:`evaluation.disclosure.suppress_rows`. With the protected table set ``tabeller`` (issue
    15; only without ``by``) the bands split the ``kasam_<wave>`` cell (förbund ``forbund``, all
    periods), whose n the board sees in the score table: where that cell is suppressed every band
    is hidden, and otherwise the bands are protected as one column with that known total
    (:func:`evaluation.disclosure.suppress_table`, ``margins=False``, as
    :func:`protect_reliable_change`): a small band is hidden with the smallest other non-zero one,
    so that it is not the total minus the others.

    Raises
    ------
    ScoringError
        With a table set, when the bands' total differs from the published cell.

    Returns
    -------
    DataFrame
        Columns (``by``), ``band``, ``etikett``, ``n``, ``andel`` and ``undertryckt``. The
        attribute ``attrs["caveat"]`` holds the label "Beskrivande, inte diagnostiskt".

    Examples
    --------
    >>> band_table(pd.Series([120.0] * 6 + [150.0] * 2))[["band", "n"]].to_dict("list")["band"]
    ['lag', 'mattlig', 'hog']

    Under a table set (8 respondents published): 2 moderate is hidden, and the 6 low with it:

    >>> from evaluation import tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 8, "insats": ["X"] * 8, "kon": ["man"] * 8,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 8), "avslutsdatum": pd.NaT})
    >>> sc = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(8)], "forbund": "A", "insats": "X",
    ...                    "kon": "man", "tidpunkt": "fore", "datum": pd.Timestamp("2025-02-01"),
    ...                    "total": [120.0] * 6 + [150.0] * 2})
    >>> ts = tableset.build(ep, sc, reference_date="2025-12-31")
    >>> band_table(sc, tabeller=ts, forbund="A")["n"].tolist()
    [nan, nan, 0.0]
    """
    df = scores if isinstance(scores, pd.DataFrame) else pd.DataFrame({value_col: pd.Series(scores)})
    df = df.assign(band=bands(df, form, value_col)).dropna(subset=["band"])
    names = list(instruments.get(form).norms["bands"])
    keys = [by] if by else []
    counts = df.groupby(keys + ["band"]).size() if keys else df.groupby("band").size()
    if keys:
        counts = counts.unstack("band").reindex(columns=names, fill_value=0).fillna(0).stack()
        counts.index.names = keys + ["band"]
    else:
        counts = counts.reindex(names, fill_value=0)
    out = counts.rename("n").reset_index()
    tot = out.groupby(by)["n"].transform("sum") if by else out["n"].sum()
    out["andel"] = out["n"] / tot
    out["etikett"] = [_t(f"kasam.band.{b}", lang) for b in out["band"]]
    if tabeller is not None and not by:
        from . import disclosure, flows

        cell = flows.cell_value(tabeller, f"kasam_{wave}", forbund=forbund, period="alla")
        if not pd.isna(cell) and float(out["n"].sum()) != cell:
            raise ScoringError(f"KASAM {wave} {forbund or 'alla'}: {out['n'].sum()} in the bands, {cell:g} in "
                               f"the protected table set (kasam_{wave})")
        if pd.isna(cell):
            hidden = np.ones(len(out), dtype=bool)
        else:  # the bands add up to the published cell: secondary suppression within the column
            st = disclosure.suppress_table(out.set_index("band")[["n"]], min_n=min_n, margins=False)
            hidden = st.mask["n"].reindex(out["band"]).to_numpy(bool)
        out[["n", "andel"]] = out[["n", "andel"]].astype(float)
        out.loc[hidden, ["n", "andel"]] = np.nan
        out["undertryckt"] = hidden
        out.attrs["undertryckt_celler"] = pd.DataFrame({"n": hidden, "andel": hidden}, index=out.index)
    else:
        out = _suppress(out, min_n)
    out.attrs["caveat"] = _t("caveat.descriptive_only", lang)
    return out


def _suppress(df: pd.DataFrame, min_n: int, n_col: str = "n", value_cols=None) -> pd.DataFrame:
    try:
        from evaluation import disclosure
    except ImportError:  # pragma: no cover - disclosure lands in parallel
        out = df.copy()
        small = (out[n_col] > 0) & (out[n_col] < min_n)
        cols = value_cols or [c for c in out.select_dtypes("number").columns]
        out[n_col] = out[n_col].astype(float)
        out.loc[small, cols] = np.nan
        out["undertryckt"] = small
        return out
    return disclosure.suppress_rows(df, n_col=n_col, value_cols=value_cols, min_n=min_n)


# --------------------------------------------------------------------- aggregate-only checking
_SCALE_WORDS = {
    "begriplighet": "begriplighet", "comprehensibility": "begriplighet",
    "hanterbarhet": "hanterbarhet", "manageability": "hanterbarhet",
    "meningsfullhet": "meningsfullhet", "meaningfulness": "meningsfullhet",
    "total": "total", "totalt": "total", "summa": "total", "kasam": "total", "soc": "total",
    "kasam_total": "total", "total_kasam": "total", "totalpoang": "total",
}
_CHANGE_RE = re.compile(r"f[oö]r[aä]ndring|andring|ändring|change|diff|s[aä]nkning|[oö]kning", re.I)
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "maj": 5, "may": 5, "jun": 6, "jul": 7, "aug": 8,
           "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12}


def _scale_of(*texts) -> str | None:
    for text in texts:
        if text is None or (isinstance(text, float) and math.isnan(text)):
            continue
        s = re.sub(r"[^a-zåäö_ ]", "", str(text).strip().lower())
        if s in _SCALE_WORDS:
            return _SCALE_WORDS[s]
        for w in re.split(r"[ _]+", s):
            if w in ("begriplighet", "hanterbarhet", "meningsfullhet"):
                return w
        if s.startswith(("total", "kasam", "soc")) or s.endswith("total"):
            return "total"
    return None


def _period_key(p: str):
    s = str(p).strip().lower()
    m = re.search(r"(\d{4})[-/ ]?(\d{1,2})?", s)
    year = int(m.group(1)) if m else 9999
    month = int(m.group(2)) if m and m.group(2) else 0
    for name, num in _MONTHS.items():
        if name in s:
            month = num
            break
    return (year, month, s)


def _to_float(v) -> float:
    if isinstance(v, str):
        v = v.strip().replace("\u2212", "-").replace(" ", "").replace(",", ".")
        if v == "":
            return float("nan")
    return float(v)


def _decimals(values) -> int:
    d = 0
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if isinstance(v, str):
            s = v.strip().replace(",", ".")
            d = max(d, len(s.split(".")[1]) if "." in s else 0)
        else:
            for k in range(0, 4):
                if abs(round(float(v), k) - float(v)) < 1e-9:
                    d = max(d, k)
                    break
    return d


def _normalise_reported(table: pd.DataFrame) -> pd.DataFrame:
    """Return long rows: typ ('niva'/'forandring'), skala, period, varde (float), raw."""
    cols = {c.lower(): c for c in table.columns}
    scale_cols = [c for c in table.columns if _SCALE_WORDS.get(str(c).lower()) is not None]
    if "varde" in cols or "value" in cols:  # long format
        vcol = cols.get("varde", cols.get("value"))
        pcol = cols.get("period", cols.get("vag", cols.get("tidpunkt")))
        if pcol is None:
            raise ValueError("reported table needs a 'period' (or 'vag') column")
        rows = []
        kasam_rows = table
        topic = [c for c in ("tabell", "matt") if c in cols]
        if topic:
            mask = pd.Series(False, index=table.index)
            for c in topic:
                mask |= table[cols[c]].astype("str").str.contains(r"kasam|soc|känsla av sammanhang",
                                                                   case=False, regex=True, na=False)
            if mask.any():
                kasam_rows = table[mask]
        for _, r in kasam_rows.iterrows():
            texts = [r.get(cols[c]) for c in ("kategori", "skala", "matt") if c in cols]
            scale = _scale_of(*texts)
            if scale is None:
                continue
            marker = " ".join(str(r.get(cols[c], "")) for c in ("matt", "kategori", "enhet", "period")
                              if c in cols)
            typ = "forandring" if _CHANGE_RE.search(marker) else "niva"
            rows.append({"typ": typ, "skala": scale, "period": str(r[pcol]), "varde": _to_float(r[vcol]),
                         "raw": r[vcol]})
        return pd.DataFrame(rows, columns=["typ", "skala", "period", "varde", "raw"])
    if scale_cols:  # wide: one row per period, one column per scale
        pcol = cols.get("period", cols.get("vag", cols.get("tidpunkt")))
        if pcol is None:
            raise ValueError("wide reported table needs a 'period' (or 'vag') column")
        rows = []
        for _, r in table.iterrows():
            typ = "forandring" if _CHANGE_RE.search(str(r[pcol])) else "niva"
            for c in scale_cols:
                if pd.isna(r[c]) or str(r[c]).strip() == "":
                    continue
                rows.append({"typ": typ, "skala": _SCALE_WORDS[str(c).lower()], "period": str(r[pcol]),
                             "varde": _to_float(r[c]), "raw": r[c]})
        return pd.DataFrame(rows, columns=["typ", "skala", "period", "varde", "raw"])
    raise ValueError("reported table must be long (period, kategori/skala, varde) or wide "
                     "(period + columns begriplighet, hanterbarhet, meningsfullhet, total)")


def infer_form(values: dict[str, list[float]], candidates=("soc29", "soc13")) -> list[str]:
    """Forms whose score ranges contain every reported value (mean per scale).

    Parameters
    ----------
    values : dict
        Scale name (``total`` or a subscale) → reported level values.

    Examples
    --------
    >>> infer_form({"total": [145, 125]})
    ['soc29']
    >>> infer_form({"total": [60]})
    ['soc29', 'soc13']
    """
    fits = []
    for f in candidates:
        ins = instruments.get(f)
        ok = True
        for scale, vals in values.items():
            if scale != "total" and scale not in ins.subscales:
                ok = False
                break
            lo, hi = ins.score_range(None if scale == "total" else scale)
            if any(not (lo <= v <= hi) for v in vals if not math.isnan(v)):
                ok = False
                break
        if ok:
            fits.append(f)
    return fits


def reported_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Reported wave means per scale with computed and stated changes (aggregate-only mode).

    Returns
    -------
    DataFrame
        One row per scale (subscales then ``total``, ``summa_delskalor``): the value per
        period (columns = periods in time order), ``forandring_beraknad`` (last − first
        period) and ``forandring_angiven`` (stated change, NaN when none). No test is
        possible without N and SD (DOMAIN.md §5).

    Examples
    --------
    >>> w = pd.DataFrame({"period": ["2011-10", "2013-05"], "total": [145, 125]})
    >>> reported_summary(w).loc["total", "forandring_beraknad"]
    np.float64(-20.0)
    """
    long = _normalise_reported(table)
    levels = long[long["typ"] == "niva"]
    periods = sorted(levels["period"].unique(), key=_period_key)
    wide = levels.pivot_table(index="skala", columns="period", values="varde", aggfunc="first")
    order = [s for s in (*SCALES, "total") if s in wide.index]
    wide = wide.reindex(index=order, columns=periods)
    subs = [s for s in SCALES if s in wide.index]
    if subs:
        wide.loc["summa_delskalor"] = wide.loc[subs].sum(min_count=len(subs))
    wide["forandring_beraknad"] = wide[periods[-1]] - wide[periods[0]] if len(periods) >= 2 else np.nan
    stated = long[long["typ"] == "forandring"].groupby("skala")["varde"].first()
    wide["forandring_angiven"] = stated.reindex(wide.index)
    wide.columns.name = None
    return wide


def _declared_kasam_rows(table: pd.DataFrame) -> pd.DataFrame:
    """KASAM rows of a reported table in the declared long form of :mod:`evaluation.reported`.

    Rows that already declare relations (``relation`` column) keep them. Otherwise the structure
    comes from the instrument, not from the numbers: each period's subscales are parts (``del av``)
    of that period's total; a stated change is a ``förändring`` from the first to the last period,
    and the stated subscale changes are parts of the stated total change.
    """
    cols = {c.lower(): c for c in table.columns}
    if "relation" in cols and "varde" in cols:
        topic = pd.Series(False, index=table.index)
        for c in ("tabell", "matt"):
            if c in cols:
                topic |= table[cols[c]].astype(str).str.contains(r"kasam|soc|känsla av sammanhang", case=False,
                                                                  regex=True, na=False)
        sub = table[topic].rename(columns={v: k for k, v in cols.items()})
        if sub["relation"].fillna("").astype(str).str.strip().ne("").any():
            return sub
    long = _normalise_reported(table)
    if long.empty:
        return pd.DataFrame()
    levels = long[long["typ"] == "niva"]
    periods = sorted(levels["period"].unique(), key=_period_key)
    rows = []
    for _, r in levels.iterrows():
        is_sub = r["skala"] in SCALES
        rows.append({"kategori": r["skala"], "period": r["period"], "varde": r["varde"],
                     "id": f"{r['skala']}@{r['period']}",
                     "relation": f"del av total@{r['period']}" if is_sub else "", "matt": "kasam_medel"})
    subs_with_change = set(long.loc[long["typ"] == "forandring", "skala"])
    for _, r in long[long["typ"] == "forandring"].iterrows():
        rel = []
        if len(periods) >= 2:
            rel.append(f"förändring {r['skala']}@{periods[0]} -> {r['skala']}@{periods[-1]}")
        if r["skala"] in SCALES and "total" in subs_with_change and set(SCALES) <= subs_with_change:
            rel.append("del av total@forandring")
        rows.append({"kategori": r["skala"], "period": f"{periods[0]}/{periods[-1]}" if len(periods) >= 2 else
                     r["period"], "varde": r["varde"], "id": f"{r['skala']}@forandring", "relation": "; ".join(rel),
                     "matt": "kasam_forandring"})
    out = pd.DataFrame(rows)
    out["kalla"], out["tabell"], out["enhet"] = "", "KASAM", "poang"
    return out


def check_reported(table: pd.DataFrame, form: str | None = None, tolerance: float | None = None,
                   lang: str = "sv") -> pd.DataFrame:
    """Check reported KASAM wave means for internal consistency (aggregate-only mode).

    The consistency checks are those of :func:`evaluation.reported.check_reported` (the one check of
    reported tables), run on the KASAM rows with their declared relations; a table without
    declarations gets the instrument's structure (:func:`_declared_kasam_rows`). Checks (one finding
    row each):

    1. ``summa`` per period: subscales add up to the stated total.
    2. ``forandring`` per scale: a stated change equals the computed change (last − first
       period); a change between different months carries a ``varning``.
    3. ``forandring_summa``: stated subscale changes add up to the stated total change.
    4. ``intervall`` per value: lies in the range of ``form`` (when given).
    5. ``form``: which forms the values fit (a total of 145 is impossible on SOC-13).

    Parameters
    ----------
    table : DataFrame
        Long (``kalla, tabell, matt, kategori, period, varde, enhet, proveniens, kommentar`` and
        optionally ``id, relation`` as in ``data_samples/rapporterat/*.csv``: KASAM rows are those
        whose ``tabell``/``matt`` mention KASAM/SOC; the scale is read from ``kategori`` or ``matt``;
        change rows are those whose ``matt``/``kategori``/``period`` says förändring/sänkning/change)
        or wide (``period`` + scale columns; a period called "förändring" holds stated changes).
    form : str, optional
        Form the report states; default None (inferred only).
    tolerance : float, optional
        Allowed absolute difference. Default: rounding-aware (:mod:`evaluation.reported`) —
        differences that rounding of the reported decimals cannot produce are deviations (sums:
        ≥ (k + 1) · ½ unit with k subscales; changes: ≥ 1.5 units); smaller non-zero differences get
        status ``avrundning``.
    lang : {"sv", "en"}
        Language of the ``meddelande`` column.

    Returns
    -------
    DataFrame
        Columns ``kontroll``, ``skala``, ``period``, ``angivet``, ``beraknat``, ``differens``,
        ``status`` (``ok`` / ``avrundning`` / ``avvikelse`` / ``info``), ``meddelande`` and
        ``varning``. Contradictions are reported, never silently fixed (DOMAIN.md §10).

    Examples
    --------
    >>> w = pd.DataFrame({"period": ["2011-10", "2013-05"], "begriplighet": [49, 45],
    ...                   "hanterbarhet": [52, 38], "meningsfullhet": [44, 44], "total": [145, 125]})
    >>> f = check_reported(w)
    >>> f.loc[f["status"] == "avvikelse", ["period", "angivet", "beraknat"]].values.tolist()
    [['2013-05', 125.0, 127.0]]
    """
    from . import reported as _reported

    long = _normalise_reported(table)
    if long.empty:
        raise ValueError("no KASAM scale values found in the reported table")
    summary = reported_summary(table)
    levels = long[long["typ"] == "niva"]
    periods = sorted(levels["period"].unique(), key=_period_key)
    decl = _declared_kasam_rows(table)
    chk = _reported.check_reported(decl, tolerance=tolerance, lang=lang)
    findings = []
    for _, r in chk.iterrows():
        skala = _scale_of(r["kategori"], r["matt"]) or r["kategori"]
        if r["kontroll"] in ("summa", "forandring_summa"):
            skala = "total"
        period = r["period"]
        if r["kontroll"] != "summa" and "/" in period:
            period = period.replace("/", "–")
        findings.append({"kontroll": r["kontroll"], "skala": skala, "period": period, "angivet": r["angivet"],
                         "beraknat": r["beraknat"], "differens": r["differens"], "status": r["status"],
                         "meddelande": r["meddelande"], "varning": r["varning"]})
    # 4. range of a stated form
    if form:
        ins = instruments.get(form)
        for s in [x for x in summary.index if x != "summa_delskalor"]:
            lo, hi = ins.score_range(None if s == "total" else s)
            for p in periods:
                v = summary.loc[s, p]
                if pd.isna(v):
                    continue
                ok = lo <= v <= hi
                findings.append({"kontroll": "intervall", "skala": s, "period": p, "angivet": float(v),
                                 "beraknat": np.nan, "differens": np.nan, "status": "ok" if ok else "avvikelse",
                                 "varning": "",
                                 "meddelande": _t(f"kasam.check.intervall.{'ok' if ok else 'avvikelse'}", lang,
                                                  skala=s, period=p, angivet=_fmt(v), form=ins.name,
                                                  lo=_fmt(lo), hi=_fmt(hi))})
    # 5. form inference
    vals = {s: summary.loc[s, periods].dropna().tolist() for s in summary.index if s != "summa_delskalor"}
    fits = infer_form(vals)
    findings.append({"kontroll": "form", "skala": "", "period": "", "angivet": np.nan, "beraknat": np.nan,
                     "differens": np.nan, "status": "info" if fits else "avvikelse", "varning": "",
                     "meddelande": _t("kasam.check.form." + ("en" if len(fits) == 1 else "flera" if fits else "ingen"),
                                      lang, former=", ".join(f.upper().replace("SOC", "SOC-") for f in fits))})
    out = pd.DataFrame(findings)
    out.attrs["former"] = fits
    return out


def hide_small_excluded(result: pd.DataFrame, min_n: int = 5) -> pd.DataFrame:
    """A before/after result with ``n_excluded`` hidden ("–") where it is ``0 < n < min_n``.

    The staff's KASAM (a cross-section per wave, not a cell of the protected table set) shows the
    number of answers left out for a missing total; 1–4 excluded answers are a small group of
    staff (issue 15). No other shown figure adds up with it (``n`` counts the answers with a
    value), so hiding the cell itself is enough. Zero and counts of at least ``min_n`` stay.

    Examples
    --------
    >>> r = pd.DataFrame({"design": ["unpaired", "unpaired"], "n": [42, 40], "n_excluded": [3, 0]})
    >>> out = hide_small_excluded(r)
    >>> out["n_excluded"].tolist(), out["undertryckt"].tolist()
    ([nan, 0.0], [True, False])
    """
    from .disclosure import FLAG

    if "n_excluded" not in result.columns:
        return result
    out = result.copy()
    v = pd.to_numeric(out["n_excluded"], errors="coerce")
    small = ((v > 0) & (v < min_n)).to_numpy()
    out["n_excluded"] = v.astype(float).mask(small)
    prev = result.attrs.get("undertryckt_celler")
    mask = prev.copy() if isinstance(prev, pd.DataFrame) else pd.DataFrame(index=out.index)
    mask["n_excluded"] = small | (mask["n_excluded"].to_numpy(bool) if "n_excluded" in mask else False)
    out[FLAG] = small | (result[FLAG].to_numpy(bool) if FLAG in result else False)
    out.attrs["undertryckt_celler"] = mask
    return out


def protected_rows(result: pd.DataFrame, ts, forbund: str = "") -> pd.DataFrame:
    """Rows of a participants' before/after result gated by the protected table set's ``kasam`` cells.

    Every row of :func:`evaluation.compare.before_after` (the whole group), of
    :func:`evaluation.compare.before_after_subgroups` (``variabel`` / ``grupp``: kön, insats,
    förbund) or of :func:`evaluation.compare.before_after_scales` (each scale of the same pairs)
    is shown only where the ``kasam`` cell of its group (förbund ``forbund``, all periods) is
    published in the table set (:mod:`evaluation.tableset`); elsewhere every value is hidden. A row
    of the unpaired design (``design`` ``unpaired``: the two whole waves, Welch) is gated by its
    group's ``kasam_fore`` *and* ``kasam_efter`` cells instead, and its ``n`` (n_before + n_after)
    is checked against their sum. A
    mean, change or test of a group is published only where its count cell is (issue 15). The
    count of excluded respondents (``n_excluded``, answers at one wave only or without a total) is
    not a cell nor a difference of published cells and is left out of every row (it could be 1-4
    people, and subtracting it links the waves' cells; the evaluator sees it in the unprotected
    result). Scale
    rows are gated by the total's cell (the pairs of the table set are those with both totals).
    Without a table set (``ts`` None: data without episodes) the result is returned as it is.

    Raises
    ------
    ScoringError
        When a published cell's n and the row's n disagree (the result was computed on other
        pairs than the table set).

    Examples
    --------
    >>> from evaluation import tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 9, "insats": ["X"] * 9, "kon": ["kvinna"] * 7 + ["man"] * 2,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 9), "avslutsdatum": pd.NaT})
    >>> sc = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(9)] * 2, "forbund": "A", "insats": "X",
    ...                    "kon": (["kvinna"] * 7 + ["man"] * 2) * 2, "tidpunkt": ["fore"] * 9 + ["efter"] * 9,
    ...                    "datum": pd.to_datetime(["2025-02-01"] * 9 + ["2025-09-01"] * 9),
    ...                    "total": [130.0] * 9 + [136.0] * 9})
    >>> ts = tableset.build(ep, sc, reference_date="2025-12-31")
    >>> ts.cells.loc[ts.cells["kon"] == "man", "status"] = tableset.PRIMARY
    >>> res = pd.DataFrame({"variabel": ["kon", "kon"], "grupp": ["kvinna", "man"], "n": [7, 2],
    ...                     "mean_diff": [6.0, 6.0]})
    >>> protected_rows(res, ts, "A")[["n", "mean_diff", "undertryckt"]].values.tolist()
    [[7.0, 6.0, False], [nan, nan, True]]
    """
    from . import flows

    if ts is None:
        return result
    # the count of answers left out (one wave only, or no total) is no cell and no difference of
    # published cells: it could be 1-4 people, and it links the waves' cells, so a board never sees it
    out = result.drop(columns=["undertryckt", "n_excluded"], errors="ignore").copy()
    keys = {"variabel", "grupp", "skala", "design", "test"}
    values = [c for c in out.columns if c not in keys and pd.api.types.is_numeric_dtype(out[c])
              and not pd.api.types.is_bool_dtype(out[c])]
    hide = np.zeros(len(out), dtype=bool)
    for j, (_, row) in enumerate(out.iterrows()):
        dims = {"forbund": forbund, "period": "alla"}
        if "variabel" in out.columns:
            dims[str(row["variabel"])] = str(row["grupp"])
        if str(row.get("design", "paired")) == "unpaired":  # the two whole waves: their own cells
            nb, na = flows.cell_value(ts, "kasam_fore", **dims), flows.cell_value(ts, "kasam_efter", **dims)
            n = nb + na  # NaN when either wave's cell is suppressed
            what = f"{nb:g} + {na:g} (kasam_fore + kasam_efter)"
        else:
            n = flows.cell_value(ts, "kasam", **dims)
            what = f"{n:g} (kasam)"
        if pd.isna(n):
            hide[j] = True
        elif ("n" in out.columns and not pd.isna(row["n"]) and float(row["n"]) != n
              and str(row.get("skala", "total")) == "total"):
            raise ScoringError(f"KASAM {dims}: n = {row['n']:g} in the result, {what} in the protected table set")
    out[values] = out[values].astype(float)
    out.loc[hide, values] = np.nan
    prior = result["undertryckt"].to_numpy(bool) if "undertryckt" in result.columns else np.zeros(len(out), bool)
    out["undertryckt"] = hide | prior
    return out


def board_table(df: pd.DataFrame, lang: str = "sv", decimals: int = 1) -> pd.DataFrame:
    """Board view of a KASAM table: Swedish/English column labels, scale names and formatted numbers.

    Works on :func:`reliability`, :func:`item_rest`, :func:`reliable_change_summary` (with
    ``lang``), :func:`compare_norm`, :func:`band_table`, :func:`check_reported`,
    :func:`reported_summary` and the tables of :mod:`evaluation.compare`. Labels come from
    ``kasam.kol.<column>``, then ``compare.<column>``, then ``kasam.<code>``; item columns
    ``soc29_7`` read "Fråga 7"; check statuses are labelled; ``kontroll`` (the internal check
    name) is dropped because the message says what was checked. Formatting as in
    :func:`evaluation.compare.board_table`.

    Examples
    --------
    >>> rel = pd.DataFrame({"skala": ["total"], "n_items": [29], "n": [56], "alpha": [0.8678],
    ...                     "ci_low": [0.824], "ci_high": [0.905]})
    >>> board_table(rel, decimals=2).iloc[0].tolist()
    ['KASAM totalt (poäng)', '29', '56', '0,87', '0,82', '0,91']
    """
    from evaluation import compare

    data = df.copy()
    if "skala" not in data.columns and pd.Index(data.index).isin([*SCALES, "total", "summa_delskalor"]).all():
        data = data.rename_axis("skala").reset_index()  # reported_summary: scales in the index
    data = data.drop(columns=["kontroll"], errors="ignore")
    if "item" in data.columns:
        data["item"] = [_t("kasam.kol.fraga_nr", lang, nr=str(i).rsplit("_", 1)[-1]) for i in data["item"]]
    if "status" in data.columns:
        data["status"] = [_t(f"kasam.status.{v}", lang) for v in data["status"]]
    return compare.board_table(data, lang=lang, decimals=decimals, prefixes=("kasam.kol.", "compare.", "kasam."))


def score_summary(scores: pd.DataFrame, wave_col: str = "tidpunkt", lang: str = "sv", min_n: int = 5,
                  waves: tuple | None = None, tabeller=None, forbund: str = "") -> pd.DataFrame:
    """Number of scored respondents, mean and SD per scale and wave, labelled for a board.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`score` (columns of :data:`SCALES`, ``total`` and ``wave_col``).
    wave_col : str
        Wave column (``tidpunkt`` for participants, ``vag`` for staff).
    lang : {"sv", "en"}
    min_n : int
        Waves × scales with fewer than ``min_n`` scored respondents show "–".
    waves : tuple, optional
        Order of the waves; default ``fore, efter`` first, then the others sorted.
    tabeller : evaluation.tableset.TableSet, optional
        The protected table set: the participants' waves ``fore`` / ``efter`` are then shown only
        where their ``kasam_fore`` / ``kasam_efter`` cell (förbund ``forbund``, all periods) is
        published ("–" throughout otherwise), and the total's n must be that cell's n (issue 15:
        a mean is published only where its count cell is). The cell's group is the respondents
        with a total, so under a table set every scale of ``fore`` / ``efter`` is computed on
        them alone: a subscale row would otherwise count a respondent who has that subscale but
        lacks another one (and so the total), and its n minus the cell's n would be a hidden
        group of 1-4 people that is no cell. Every n shown is then the cell's n.
    forbund : str
        The förbund of the scores ("" = all).

    Raises
    ------
    ScoringError
        When a wave's total n differs from its published cell (other answers than the table set's).

    Returns
    -------
    DataFrame of str
        Index: scale labels (index name "Skala"); columns: (wave label, "n" / "Medelvärde" /
        "Standardavvikelse"). Means and SD in points with one decimal.

    Examples
    --------
    >>> sc = pd.DataFrame({"tidpunkt": ["fore"] * 5 + ["efter"] * 5, "total": [120.0, 130, 140, 150, 160] * 2})
    >>> score_summary(sc).loc["KASAM totalt (poäng)"].tolist()
    ['5', '140,0', '15,8', '5', '140,0', '15,8']

    Under a table set a subscale counts only the respondents with a total (the cell's group):

    >>> from evaluation import tableset
    >>> ep = pd.DataFrame({"forbund": ["A"] * 6, "insats": ["X"] * 6, "kon": ["man"] * 6,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 6), "avslutsdatum": pd.NaT})
    >>> sc = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(6)], "forbund": "A", "insats": "X",
    ...                    "kon": "man", "tidpunkt": "fore", "datum": pd.Timestamp("2025-02-01"),
    ...                    "begriplighet": [50.0, 52, 54, 56, 58, 70], "total": [130.0, 135, 140, 145, 150, None]})
    >>> ts = tableset.build(ep, sc, reference_date="2025-12-31")
    >>> score_summary(sc, tabeller=ts, forbund="A")[("Före", "Antal (n)")].tolist()   # not 6 for begriplighet
    ['5', '5']
    """
    from evaluation.disclosure import format_number

    cols = [c for c in (*SCALES, "total") if c in scores.columns]
    found = list(pd.unique(scores[wave_col].dropna()))
    order = list(waves) if waves else [w for w in ("fore", "efter") if w in found] + sorted(
        w for w in found if w not in ("fore", "efter"))
    sym = _t("suppressed_short", lang)
    stats = {}
    for w in order:
        sub = scores.loc[scores[wave_col] == w, cols]
        if tabeller is not None and w in ("fore", "efter") and "total" in sub:
            sub = sub.loc[sub["total"].notna()]  # the cell's group: every scale on the respondents with a total
        n, mean, sd = sub.count(), sub.mean(), sub.std(ddof=1)
        small = n < min_n
        if tabeller is not None and w in ("fore", "efter"):
            from . import flows

            cell = flows.cell_value(tabeller, f"kasam_{w}", forbund=forbund, period="alla")
            if pd.isna(cell):
                small = pd.Series(True, index=n.index)
                n = n.where(n == 0, 1)  # shown as "–" (only a wave nobody answered stays 0)
            elif "total" in n and float(n["total"]) != cell:
                raise ScoringError(f"KASAM {w} {forbund or 'alla'}: n = {n['total']:g} in the answers, "
                                   f"{cell:g} in the protected table set")
        label = _wave_label(w, lang)
        stats[(label, _t("n", lang))] = [sym if small[c] and n[c] else format_number(n[c], lang, 0) for c in cols]
        stats[(label, _t("medel", lang))] = [sym if small[c] else format_number(mean[c], lang, 1) for c in cols]
        stats[(label, _t("sd", lang))] = [sym if small[c] else format_number(sd[c], lang, 1) for c in cols]
    out = pd.DataFrame(stats, index=[_t(f"kasam.{c}", lang) for c in cols])
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    out.index.name = _t("compare.kol.skala", lang)
    return out


def _fmt(v) -> str:
    v = float(v)
    return f"{v:g}"


# -------------------------------------------------------------------------------------- figures
def figure_paired(pairs: pd.DataFrame, lang: str = "sv", title: str | None = None, max_lines: int = 200):
    """Paired slope plot: one grey line per respondent and the means with 95 % CIs.

    Parameters
    ----------
    pairs : DataFrame
        Columns ``fore`` and ``efter`` (e.g. :func:`evaluation.compare.paired_values`).
    max_lines : int
        Individual lines drawn at most (a fixed, reproducible selection) to keep it readable.

    Examples
    --------
    >>> figure_paired(pd.DataFrame({"fore": [140, 150], "efter": [150, 152]})).data[-1].name
    'Medelvärde (95 % KI)'
    """
    import plotly.graph_objects as go
    from scipy import stats

    from evaluation.figures import apply_layout

    x_lab = [_t("kasam.fore", lang), _t("kasam.efter", lang)]
    fig = go.Figure()
    sub = pairs.iloc[:max_lines]
    xs, ys = [], []
    for b, a in zip(sub["fore"].to_numpy(), sub["efter"].to_numpy()):
        xs += [x_lab[0], x_lab[1], None]
        ys += [b, a, None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", line=dict(color="rgba(120,120,120,0.35)", width=1),
                             marker=dict(size=4, color="rgba(120,120,120,0.5)"),
                             name=_t("kasam.figur.individ", lang), hoverinfo="skip"))
    means, errs = [], []
    for c in ("fore", "efter"):
        v = pairs[c].dropna().astype(float)
        means.append(v.mean())
        errs.append(stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)) if len(v) > 1 else 0)
    fig.add_trace(go.Scatter(x=x_lab, y=means, mode="lines+markers", line=dict(width=4),
                             marker=dict(size=12), error_y=dict(type="data", array=errs, visible=True),
                             name=_t("kasam.figur.medel_ki", lang)))
    fig.update_yaxes(title_text=_t("kasam.total", lang))
    return apply_layout(fig, title or _t("kasam.figur.parad_titel", lang), height=450)


def figure_distributions(scores: pd.DataFrame, wave_col: str = "tidpunkt", value_col: str = "total",
                         lang: str = "sv", title: str | None = None):
    """Distribution of scores per wave (box plot with all points).

    Examples
    --------
    >>> s = pd.DataFrame({"tidpunkt": ["fore", "efter"], "total": [140.0, 150.0]})
    >>> len(figure_distributions(s).data)
    2
    """
    import plotly.graph_objects as go

    from evaluation.figures import apply_layout

    fig = go.Figure()
    waves = list(pd.unique(scores[wave_col].dropna()))
    for w in waves:
        v = scores.loc[scores[wave_col] == w, value_col].dropna()
        fig.add_trace(go.Box(y=v, name=_wave_label(w, lang), boxpoints="all", jitter=0.4, pointpos=0,
                             boxmean=True, marker=dict(size=4)))
    fig.update_yaxes(title_text=_t(f"kasam.{value_col}", lang) if value_col in (*SCALES, "total") else value_col)
    return apply_layout(fig, title or _t("kasam.figur.fordelning_titel", lang), height=450)


def figure_subscales(scores: pd.DataFrame, wave_col: str = "tidpunkt", lang: str = "sv",
                     title: str | None = None, per_item: bool = True, tabeller=None, forbund: str = ""):
    """Subscale means per wave with 95 % CIs (bars); per-item means (1–7) by default so that
    subscales of different length are comparable.

    With ``tabeller`` (the protected table set) the participants' waves ``fore`` / ``efter`` are
    drawn only where their ``kasam_fore`` / ``kasam_efter`` cell (förbund ``forbund``, all periods)
    is published, as in :func:`score_summary` (issue 15: a mean only where its count cell is),
    and, as there, on the cell's group alone (the respondents with a total); when no wave is left
    the figure holds one explanatory line instead of bars.

    Examples
    --------
    >>> s = pd.DataFrame({"tidpunkt": ["fore", "fore"], "form": ["soc29"] * 2, "begriplighet": [44.0, 55],
    ...                   "hanterbarhet": [40.0, 50], "meningsfullhet": [32.0, 40]})
    >>> [round(v, 2) for v in figure_subscales(s).data[0].y]
    [4.5, 4.5, 4.5]
    """
    import plotly.graph_objects as go
    from scipy import stats

    from evaluation.figures import apply_layout

    ins = instruments.get(str(scores["form"].iloc[0])) if "form" in scores else instruments.get("soc29")
    subs = [s for s in ins.subscales if s in scores]
    fig = go.Figure()
    waves = list(pd.unique(scores[wave_col].dropna()))
    if tabeller is not None:
        from . import flows

        waves = [w for w in waves if w not in ("fore", "efter")
                 or not pd.isna(flows.cell_value(tabeller, f"kasam_{w}", forbund=forbund, period="alla"))]
        if not waves:
            fig.add_annotation(text=_t("kasam.figur.delskalor_dolda", lang), showarrow=False, x=0.5, y=0.5,
                               xref="paper", yref="paper")
            fig.update_xaxes(visible=False)
            fig.update_yaxes(visible=False)
            return apply_layout(fig, title or _t("kasam.figur.delskalor_titel", lang), height=200)
    for w in waves:
        part = scores[scores[wave_col] == w]
        if tabeller is not None and w in ("fore", "efter") and "total" in part:
            part = part[part["total"].notna()]  # the wave cell's group (score_summary)
        ys, es = [], []
        for s in subs:
            v = part[s].dropna().astype(float) / (len(ins.subscales[s]) if per_item and ins.total == "sum" else 1)
            ys.append(v.mean())
            es.append(stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)) if len(v) > 1 else 0)
        fig.add_trace(go.Bar(x=[_t(f"kasam.{s}", lang) for s in subs], y=ys, name=_wave_label(w, lang),
                             error_y=dict(type="data", array=es, visible=True)))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=_t("kasam.figur.medel_per_fraga" if per_item else "kasam.figur.medel", lang))
    return apply_layout(fig, title or _t("kasam.figur.delskalor_titel", lang), height=450)


def _wave_label(w, lang: str) -> str:
    try:
        from evaluation.vocabulary import label

        return label("tidpunkt", str(w), lang)
    except Exception:
        return str(w)
