"""Before/after comparisons of survey scores and binary outcomes.

Design first (DOMAIN.md §5): **paired** when the same respondents answered both waves
(linked by respondent id), otherwise **unpaired** (repeated cross-section). :func:`design_of`
decides and says why; :func:`before_after` runs the matching tests:

=============  =======================================  ===================================
               paired                                   unpaired
=============  =======================================  ===================================
t-test         ``scipy.stats.ttest_rel``                ``scipy.stats.ttest_ind(equal_var=False)`` (Welch)
effect size    d_z = mean(diff)/SD(diff)                Hedges' g (pooled SD, small-sample J)
rank test      ``scipy.stats.wilcoxon`` + rank-biserial  ``scipy.stats.mannwhitneyu``
=============  =======================================  ===================================

Binary outcomes: :func:`mcnemar_before_after` (``statsmodels`` McNemar, exact binomial when
fewer than 25 discordant pairs). Aggregate-only data (means without N/SD) get no test:
see :func:`evaluation.kasam.check_reported`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from evaluation import vocabulary
from evaluation.labels import t as _t
from evaluation.formatting import number as _number

__all__ = [
    "Design",
    "design_of",
    "paired_values",
    "before_after",
    "before_after_by",
    "before_after_subgroups",
    "before_after_scales",
    "mcnemar_before_after",
    "board_table",
    "format_p",
    "PAIRED_COLUMNS",
    "UNPAIRED_COLUMNS",
]

PAIRED_COLUMNS = ["design", "n", "n_excluded", "mean_before", "mean_after", "mean_diff", "ci_low", "ci_high",
                  "t", "df", "p", "cohen_dz", "p_wilcoxon", "rank_biserial"]
UNPAIRED_COLUMNS = ["design", "n", "n_excluded", "mean_before", "mean_after", "mean_diff", "ci_low", "ci_high",
                    "t", "df", "p", "hedges_g", "p_mannwhitney"]


def _as_series(x, id_col: str, value_col: str) -> pd.Series:
    if isinstance(x, pd.DataFrame):
        if id_col in x.columns:
            if x[id_col].duplicated().any():
                dup = x.loc[x[id_col].duplicated(), id_col].unique()[:5].tolist()
                raise ValueError(f"respondent ids occur more than once in one wave: {dup}; "
                                 f"keep one response per respondent and wave")
            return pd.Series(x[value_col].to_numpy(dtype="float64", na_value=np.nan), index=x[id_col].to_numpy())
        return x[value_col].astype("float64")
    s = pd.Series(x)
    return s.astype("float64")


def paired_values(before, after, id_col: str = "respondent_id", value_col: str = "total") -> tuple[pd.DataFrame, int]:
    """Link two waves by respondent id and keep complete pairs.

    Parameters
    ----------
    before, after : DataFrame or Series
        Frames with ``id_col`` and ``value_col``, or Series indexed by respondent id.

    Returns
    -------
    (DataFrame, int)
        Pairs with columns ``id_col``, ``fore``, ``efter`` (sorted by id) and the number of
        respondents excluded (present in either wave but without a value at both).

    Examples
    --------
    >>> p, excl = paired_values(pd.Series([1.0, 2.0], index=["a", "b"]), pd.Series([3.0], index=["a"]))
    >>> p["efter"].tolist(), excl
    ([3.0], 1)
    """
    b = _as_series(before, id_col, value_col)
    a = _as_series(after, id_col, value_col)
    if b.index.duplicated().any() or a.index.duplicated().any():
        raise ValueError("respondent ids occur more than once in one wave; keep one response per wave")
    both = pd.concat({"fore": b, "efter": a}, axis=1, join="outer")
    complete = both.dropna()
    n_excl = len(both) - len(complete)
    complete = complete.sort_index()
    complete.index.name = id_col
    return complete.reset_index(), int(n_excl)


@dataclass(frozen=True)
class Design:
    """Which comparison fits two waves, and why.

    Attributes
    ----------
    paired : bool
    n_before, n_after, n_both : int
        Respondents (with a value) per wave and at both waves.
    share_linked : float
        ``n_both / min(n_before, n_after)``.
    reason : str
        Board-readable explanation (Swedish or English).
    """

    paired: bool
    n_before: int
    n_after: int
    n_both: int
    share_linked: float
    reason: str

    @property
    def name(self) -> str:
        """``"paired"`` or ``"unpaired"``."""
        return "paired" if self.paired else "unpaired"


def design_of(before, after, id_col: str = "respondent_id", value_col: str | None = "total",
              min_share: float = 0.8, lang: str = "sv") -> Design:
    """Decide paired vs unpaired from the respondent ids of two waves.

    Paired when at least 2 respondents answered both waves and they make up at least
    ``min_share`` of the smaller wave (so nearly everyone in it can be followed); otherwise
    unpaired (repeated cross-section; the overlap is reported in ``reason``).

    Parameters
    ----------
    before, after : DataFrame or Series
        Frames with ``id_col`` (and ``value_col``; rows without a value do not count), or
        Series indexed by id.
    min_share : float
        Share of the smaller wave that must be linked.

    Examples
    --------
    >>> b = pd.DataFrame({"respondent_id": list("abcde"), "total": 1.0})
    >>> design_of(b, b.iloc[:4]).paired
    True
    >>> design_of(b, b.assign(respondent_id=list("vwxyz"))).paired
    False
    """
    def ids(x):
        if isinstance(x, pd.DataFrame):
            d = x if value_col is None or value_col not in x else x[x[value_col].notna()]
            return set(d[id_col]) if id_col in d else set(d.index)
        return set(pd.Series(x).dropna().index)

    ib, ia = ids(before), ids(after)
    nb, na, both = len(ib), len(ia), len(ib & ia)
    share = both / min(nb, na) if min(nb, na) else 0.0
    paired = both >= 2 and share >= min_share
    key = "compare.design.paired" if paired else ("compare.design.unpaired_none" if both == 0
                                                  else "compare.design.unpaired_partial")
    reason = _t(key, lang, n_both=both, n_before=nb, n_after=na, share=_number(100 * share, 0, lang),
                min_share=_number(100 * min_share, 0, lang))
    return Design(paired, nb, na, both, share, reason)


def _rank_biserial_paired(diff: np.ndarray) -> float:
    """Matched-pairs rank-biserial r = (R₊ − R₋)/(R₊ + R₋), zero differences dropped (Kerby 2014)."""
    d = diff[diff != 0]
    if len(d) == 0:
        return float("nan")
    r = stats.rankdata(np.abs(d))
    rp, rm = r[d > 0].sum(), r[d < 0].sum()
    return float((rp - rm) / (rp + rm))


def before_after(before, after, paired: bool = True, id_col: str = "respondent_id",
                 value_col: str = "total", ci: float = 0.95) -> pd.DataFrame:
    """Compare a score before and after: t-test with CI, effect size and rank test.

    Parameters
    ----------
    before, after : DataFrame or Series
        Frames with ``id_col`` and ``value_col`` or Series (indexed by respondent id when
        paired). Missing values are excluded.
    paired : bool
        Paired by respondent id (same people at both waves) or two independent samples.
    ci : float
        Confidence level of the interval of the difference.

    Returns
    -------
    DataFrame
        One row. Paired: ``design``, ``n`` (pairs), ``n_excluded`` (respondents without both
        values), ``mean_before``, ``mean_after`` (of the pairs), ``mean_diff`` (after −
        before), ``ci_low``, ``ci_high``, ``t``, ``df`` (n − 1), ``p`` (``ttest_rel``),
        ``cohen_dz`` (mean(diff)/SD(diff)), ``p_wilcoxon`` (``scipy.stats.wilcoxon``, exact
        for small n without ties) and ``rank_biserial`` (positive = higher after).
        Unpaired: ``n`` (both waves together), ``n_excluded`` (rows without a value), Welch
        ``t``/``df``/``p``/CI, ``hedges_g`` and ``p_mannwhitney``.

    Notes
    -----
    d_z = t/√n (Lakens 2013). Hedges' g = d · (1 − 3/(4(n₁ + n₂) − 9)), d with the pooled SD
    (Hedges & Olkin 1985). Rank-biserial (matched pairs) = (R₊ − R₋)/(R₊ + R₋) (Kerby 2014).
    These three are hand-written; tests cross-check them with pingouin.

    Examples
    --------
    >>> b = pd.Series([140.0, 150, 160, 155], index=list("abcd"))
    >>> a = pd.Series([150.0, 152, 170, 160], index=list("abcd"))
    >>> r = before_after(b, a)
    >>> r["mean_diff"].iloc[0], int(r["n"].iloc[0])
    (np.float64(6.75), 4)
    """
    if paired:
        pairs, n_excl = paired_values(before, after, id_col, value_col)
        x, y = pairs["fore"].to_numpy(float), pairs["efter"].to_numpy(float)
        n = len(x)
        row = {"design": "paired", "n": n, "n_excluded": n_excl,
               "mean_before": x.mean() if n else np.nan, "mean_after": y.mean() if n else np.nan}
        d = y - x
        row["mean_diff"] = d.mean() if n else np.nan
        if n >= 2 and np.std(d) > 0:
            res = stats.ttest_rel(y, x)
            lo, hi = res.confidence_interval(ci)
            row.update(ci_low=lo, ci_high=hi, t=res.statistic, df=float(n - 1), p=res.pvalue,
                       cohen_dz=d.mean() / d.std(ddof=1))
        else:
            row.update(ci_low=np.nan, ci_high=np.nan, t=np.nan, df=float(n - 1) if n else np.nan, p=np.nan,
                       cohen_dz=np.nan)
        if n >= 1 and np.any(d != 0):
            row["p_wilcoxon"] = float(stats.wilcoxon(y, x).pvalue)
        else:
            row["p_wilcoxon"] = np.nan
        row["rank_biserial"] = _rank_biserial_paired(d)
        return pd.DataFrame([row], columns=PAIRED_COLUMNS)
    b = _as_series(before, id_col, value_col)
    a = _as_series(after, id_col, value_col)
    n_excl = int(b.isna().sum() + a.isna().sum())
    x, y = b.dropna().to_numpy(float), a.dropna().to_numpy(float)
    n1, n2 = len(x), len(y)
    row = {"design": "unpaired", "n": n1 + n2, "n_excluded": n_excl,
           "mean_before": x.mean() if n1 else np.nan, "mean_after": y.mean() if n2 else np.nan}
    row["mean_diff"] = row["mean_after"] - row["mean_before"]
    if n1 >= 2 and n2 >= 2 and (np.std(x) > 0 or np.std(y) > 0):
        res = stats.ttest_ind(y, x, equal_var=False)
        lo, hi = res.confidence_interval(ci)
        sp = math.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
        g = (y.mean() - x.mean()) / sp * (1 - 3 / (4 * (n1 + n2) - 9))
        row.update(ci_low=lo, ci_high=hi, t=res.statistic, df=float(res.df), p=res.pvalue, hedges_g=g,
                   p_mannwhitney=float(stats.mannwhitneyu(y, x, alternative="two-sided").pvalue))
    else:
        row.update(ci_low=np.nan, ci_high=np.nan, t=np.nan, df=np.nan, p=np.nan, hedges_g=np.nan,
                   p_mannwhitney=np.nan)
    return pd.DataFrame([row], columns=UNPAIRED_COLUMNS)


def before_after_by(before: pd.DataFrame, after: pd.DataFrame, by: str, paired: bool = True,
                    id_col: str = "respondent_id", value_col: str = "total", min_n: int = 5) -> pd.DataFrame:
    """:func:`before_after` per subgroup (kön, insats, förbund), with small-cell suppression.

    The group of a respondent is taken from the ``before`` wave when paired (from each wave
    when unpaired). Rows with ``n < min_n`` are suppressed with
    :func:`evaluation.disclosure.suppress_rows` (``n`` and all statistics NaN, column
    ``undertryckt`` True).

    Returns
    -------
    DataFrame
        Column ``by`` plus the columns of :func:`before_after` and ``undertryckt``.

    Examples
    --------
    >>> b = pd.DataFrame({"respondent_id": list("abcdefg"), "kon": ["kvinna"] * 5 + ["man"] * 2,
    ...                   "total": [140.0, 150, 160, 155, 145, 150, 150]})
    >>> a = b.assign(total=b["total"] + [5, 3, 8, 1, 4, 2, 9])
    >>> r = before_after_by(b, a, "kon")
    >>> r.set_index("kon")["undertryckt"].to_dict()
    {'kvinna': False, 'man': True}
    """
    rows = []
    groups = before[by].dropna().unique().tolist()
    if not paired:
        groups = sorted(set(groups) | set(after[by].dropna().unique().tolist()), key=str)
    for g in groups:
        if paired:
            ids = before.loc[before[by] == g, id_col]
            res = before_after(before[before[id_col].isin(ids)], after[after[id_col].isin(ids)], True, id_col,
                               value_col)
        else:
            res = before_after(before[before[by] == g], after[after[by] == g], False, id_col, value_col)
        rows.append(res.assign(**{by: g}))
    if not rows:
        return pd.DataFrame(columns=[by] + (PAIRED_COLUMNS if paired else UNPAIRED_COLUMNS) + ["undertryckt"])
    out = pd.concat(rows, ignore_index=True)
    out = out[[by] + [c for c in out.columns if c != by]]
    stat_cols = [c for c in out.columns if c not in (by, "design", "n")]
    return _suppress(out, min_n, stat_cols)


def before_after_subgroups(before: pd.DataFrame, after: pd.DataFrame, by=("kon", "insats", "forbund"),
                           paired: bool = True, id_col: str = "respondent_id", value_col: str = "total",
                           min_n: int = 5) -> pd.DataFrame:
    """:func:`before_after_by` for several grouping variables, stacked into one table.

    Returns
    -------
    DataFrame
        Columns ``variabel`` (grouping column), ``grupp`` (its value), the statistics of
        :func:`before_after` and ``undertryckt`` (small cells suppressed below ``min_n``).

    Examples
    --------
    >>> b = pd.DataFrame({"respondent_id": list("abcdef"), "kon": ["kvinna"] * 6, "insats": ["X"] * 6,
    ...                   "total": [140.0, 150, 160, 155, 145, 150]})
    >>> a = b.assign(total=b["total"] + [5, 3, 8, 1, 4, 2])
    >>> before_after_subgroups(b, a, by=("kon", "insats"))[["variabel", "grupp", "n"]].values.tolist()
    [['kon', 'kvinna', 6], ['insats', 'X', 6]]
    """
    parts = []
    for var in by:
        if var not in before.columns:
            continue
        r = before_after_by(before, after, var, paired, id_col, value_col, min_n)
        r.attrs = {}  # per-table suppression masks do not survive stacking; ``undertryckt`` does
        parts.append(r.rename(columns={var: "grupp"}).assign(variabel=var))
    if not parts:
        return pd.DataFrame(columns=["variabel", "grupp"])
    out = pd.concat(parts, ignore_index=True)
    return out[["variabel", "grupp"] + [c for c in out.columns if c not in ("variabel", "grupp")]]


def before_after_scales(before, after, scales=("begriplighet", "hanterbarhet", "meningsfullhet", "total"),
                        paired: bool = True, id_col: str = "respondent_id") -> pd.DataFrame:
    """:func:`before_after` for several score columns (subscales and total), one row each.

    Returns
    -------
    DataFrame
        Column ``skala`` followed by the columns of :func:`before_after`.

    Examples
    --------
    >>> b = pd.DataFrame({"respondent_id": list("abc"), "x": [1.0, 2, 3], "y": [2.0, 2, 2]})
    >>> a = b.assign(x=[2.0, 3, 5])
    >>> before_after_scales(b, a, scales=("x", "y"))["mean_diff"].tolist()
    [1.3333333333333333, 0.0]
    """
    rows = [before_after(before, after, paired, id_col, s).assign(skala=s) for s in scales if s in before]
    out = pd.concat(rows, ignore_index=True)
    return out[["skala"] + [c for c in out.columns if c != "skala"]]


def _suppress(df: pd.DataFrame, min_n: int, value_cols: list[str]) -> pd.DataFrame:
    try:
        from evaluation import disclosure
    except ImportError:  # pragma: no cover - disclosure lands in parallel
        out = df.copy()
        small = (out["n"] > 0) & (out["n"] < min_n)
        out["n"] = out["n"].astype(float)
        out.loc[small, ["n"] + value_cols] = np.nan
        out["undertryckt"] = small
        return out
    return disclosure.suppress_rows(df, n_col="n", value_cols=value_cols, min_n=min_n)


def mcnemar_before_after(before_bool, after_bool, exact: bool | None = None,
                         exact_below: int = 25) -> pd.DataFrame:
    """McNemar test for a binary outcome measured on the same people before and after.

    Parameters
    ----------
    before_bool, after_bool : Series or array-like of bool
        Outcome per person (aligned on the index when both are Series); pairs with a missing
        value are excluded.
    exact : bool, optional
        Force the exact binomial test (True) or the χ² test with continuity correction
        (False). Default: exact when the discordant pairs are fewer than ``exact_below``.

    Returns
    -------
    DataFrame
        One row: ``design`` ("paired"), ``n``, ``n_excluded``, ``share_before``,
        ``share_after``, ``diff_pp`` (percentage points), ``n_yes_to_no``, ``n_no_to_yes``,
        ``discordant``, ``exact``, ``statistic``, ``p``
        (``statsmodels.stats.contingency_tables.mcnemar``).

    Examples
    --------
    >>> r = mcnemar_before_after([True] * 6 + [False] * 4, [False] * 5 + [True] * 5)
    >>> int(r["n_yes_to_no"].iloc[0]), int(r["n_no_to_yes"].iloc[0]), bool(r["exact"].iloc[0])
    (5, 4, True)
    """
    from statsmodels.stats.contingency_tables import mcnemar

    if isinstance(before_bool, pd.Series) and isinstance(after_bool, pd.Series):
        both = pd.concat({"b": before_bool, "a": after_bool}, axis=1, join="outer")
    else:
        both = pd.DataFrame({"b": pd.Series(list(before_bool)), "a": pd.Series(list(after_bool))})
    complete = both.dropna()
    n_excl = len(both) - len(complete)
    b = complete["b"].astype(bool).to_numpy()
    a = complete["a"].astype(bool).to_numpy()
    table = np.array([[np.sum(b & a), np.sum(b & ~a)], [np.sum(~b & a), np.sum(~b & ~a)]])
    disc = int(table[0, 1] + table[1, 0])
    use_exact = disc < exact_below if exact is None else bool(exact)
    if disc > 0:
        res = mcnemar(table, exact=use_exact, correction=True)
        stat, p = float(res.statistic), float(res.pvalue)
    else:
        stat, p = np.nan, 1.0 if len(b) else np.nan
    n = len(b)
    return pd.DataFrame([{
        "design": "paired", "n": n, "n_excluded": int(n_excl),
        "share_before": b.mean() if n else np.nan, "share_after": a.mean() if n else np.nan,
        "diff_pp": 100 * (a.mean() - b.mean()) if n else np.nan,
        "n_yes_to_no": int(table[0, 1]), "n_no_to_yes": int(table[1, 0]), "discordant": disc,
        "exact": use_exact, "statistic": stat, "p": p,
    }])


# ------------------------------------------------------------------------------------ board view
#: Decimals per column in :func:`board_table` (counts 0; p-values go through :func:`format_p`).
BOARD_DECIMALS = {"n": 0, "n_excluded": 0, "n_total": 0, "n_items": 0, "df": 1, "t": 2, "cohen_dz": 2,
                  "hedges_g": 2, "rank_biserial": 2, "std_diff": 2, "alpha": 2, "r_rest_skala": 2,
                  "r_rest_total": 2}
_P_COLS = ("p", "p_wilcoxon", "p_mannwhitney", "p_mcnemar")


def format_p(p, lang: str = "sv") -> str:
    """A p-value for a board (delegates to :func:`evaluation.formatting.p_value`).

    Examples
    --------
    >>> format_p(0.04321), format_p(0.00002), format_p(0.5, "en"), format_p(float("nan"))
    ('0,043', '< 0,001', '0.500', '')
    """
    from evaluation.formatting import p_value

    return p_value(p, lang)


def board_table(df: pd.DataFrame, lang: str = "sv", decimals: int = 1,
                prefixes: tuple[str, ...] = ("compare.",), percent: tuple[str, ...] = (),
                counts: tuple[str, ...] = ()) -> pd.DataFrame:
    """Board view of a comparison table: labelled columns and codes, numbers formatted for ``lang``.

    Every label and number comes from the one board formatter, :mod:`evaluation.formatting`.
    Column ``c`` gets the first label that exists among ``<prefix>c`` for each prefix,
    ``compare.kol.c``, then the general label ``c`` (``n``, ``kon``, ``insats``, ...)
    (:func:`~evaluation.formatting.label`). Codes in ``design`` (paired/unpaired), ``skala``,
    ``variabel`` and ``grupp`` are labelled the same way, codes of a column named after a controlled
    vocabulary (``kon``, ``respondentgrupp``, ``tidpunkt``, ...) by that vocabulary; shares
    (``andel*``) are shown in percent; p-values with :func:`format_p`; counts without decimals;
    other numbers with :data:`BOARD_DECIMALS` or ``decimals``; booleans Ja/Nej and other text
    through :func:`~evaluation.formatting.cell`. Suppressed cells (NaN in a row flagged
    ``undertryckt``, see :func:`evaluation.disclosure.suppress_rows`) show "–"
    (:data:`~evaluation.formatting.SUPPRESSED`); other missing values are empty. A column
    ``etikett`` (board label of a category) replaces ``kategori``/``band``.

    Parameters
    ----------
    df : DataFrame
        Output of :func:`before_after`, :func:`before_after_scales`, :func:`before_after_subgroups`
        or a similar table.
    lang : {"sv", "en"}
    decimals : int, default 1
        Decimals of means, differences and intervals.
    prefixes : tuple of str
        Label-key prefixes tried in order (a module passes its own first).
    percent : tuple of str
        Further columns holding shares (0–1) to show in percent (e.g. confidence limits of a share).
    counts : tuple of str
        Further columns holding counts (shown without decimals).

    Returns
    -------
    DataFrame of str

    Examples
    --------
    >>> df = pd.DataFrame({"design": ["paired"], "n": [57], "mean_diff": [5.2857], "p": [0.0011]})
    >>> board_table(df).iloc[0].tolist(), list(board_table(df).columns)
    (['Parad', '57', '5,3', '0,001'], ['Design', 'Antal (n)', 'Skillnad (efter − före)', 'p-värde (t-test)'])
    """
    from evaluation import formatting as fmt

    data = df.copy()
    if "etikett" in data.columns:
        data = data.drop(columns=[c for c in ("kategori", "band") if c in data.columns])
        data = data[["etikett", *[c for c in data.columns if c != "etikett"]]]
    hidden = data["undertryckt"].astype(bool) if "undertryckt" in data else pd.Series(False, index=data.index)
    vocabularies = set(vocabulary._load())  # the vocabulary names of vokabular.yaml
    out = pd.DataFrame(index=data.index)
    for col in data.columns:
        if col == "undertryckt":
            continue
        s = data[col]
        if col in vocabularies or col in ("design", "skala", "variabel", "grupp"):
            vals = [fmt.label(v, lang, prefixes, vocabulary=col if col in vocabularies else None)
                    if isinstance(v, str) else fmt.cell(v, lang, decimals, missing="") for v in s]
        elif pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            if col in _P_COLS:
                vals = [fmt.p_value(v, lang) for v in s]
            elif col.startswith("andel") or col in percent:
                vals = [fmt.percent(v, 1, lang) for v in s]
            else:
                dec = 0 if col in counts else BOARD_DECIMALS.get(col, 0 if col.startswith("n_") else decimals)
                vals = [fmt.number(v, dec, lang) for v in s]
            vals = [fmt.SUPPRESSED if (h and pd.isna(v)) else x for x, v, h in zip(vals, s, hidden)]
        else:  # booleans (Ja/Nej), dates, codes and text
            vals = [fmt.cell(v, lang, decimals, missing="") for v in s]
        out[fmt.label(str(col), lang, (*prefixes, "compare.kol."))] = vals
    return out
