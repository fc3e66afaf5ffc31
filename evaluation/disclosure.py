"""Small-cell suppression for board-facing tables (statistical disclosure control).

A board report about a few hundred participants in a small municipality can identify people:
"the one woman over 60 in Steget vidare who left for sjukersättning". Every table a board sees
therefore goes through this module:

* **Primary suppression**: a count with ``0 < n < min_n`` (default :data:`MIN_N` = 5, the
  threshold suggested for SUS/Finsam reporting) is not shown; neither is any percentage or mean
  computed from such a count (numerator or denominator).
* **Zero counts are shown.** A zero identifies nobody and removing it would hide that a category
  is empty. (A zero can still disclose an attribute of a whole group, e.g. "no one in group X
  found work"; that is group-level information boards need, and is accepted here.)
* **Secondary (complementary) suppression** in cross-tables with totals: a suppressed cell must
  not be recomputable as "total minus the published cells". Each row and column of the table
  *including* its total is a linear relation (``sum of cells = total``); a suppressed value is
  recomputable exactly when it is the only unknown of such a relation, or more generally when
  it is a *bridge* of the graph whose nodes are the rows and columns and whose edges are the
  suppressed cells (Hundepool et al. 2012, §5.2 and §6.2; Cox 1980). :func:`suppress_table`
  therefore (1) suppresses the next-smallest non-zero cell in any row/column with exactly one
  suppressed value, (2) breaks the remaining bridges, and iterates until stable.

References
----------
Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Nordholt, E. S., Spicer, K. and
de Wolf, P.-P. (2012). *Statistical Disclosure Control*. Wiley (the ESSnet "Handbook on
Statistical Disclosure Control"), chapter 5 (frequency tables) and 6.
Cox, L. H. (1980). Suppression methodology and statistical disclosure control. *JASA* 75, 377-385.
Statistics Sweden (SCB), *Frågor och svar om röjandeskydd i befolkningsstatistiken*,
https://www.scb.se/FAQ-CKM: SCB's population statistics moved in 2025 from hiding cells
("pricka") to the Cell Key Method (small random noise on every value). Noise would make
a small evaluation's figures disagree with the case system; cell suppression is kept here.

Examples
--------
>>> counts = pd.DataFrame({"Kvinna": [12, 3], "Man": [9, 8]}, index=["Team Work", "Vuxenteamet"])
>>> st = suppress_table(counts)
>>> st.reason.loc["Vuxenteamet", "Kvinna"], st.reason.loc["Vuxenteamet", "Man"]
('primär', 'sekundär')
>>> format_table(st).loc["Vuxenteamet"].tolist()
['–', '–', '11']
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .labels import t

__all__ = [
    "MIN_N",
    "TOTAL",
    "SuppressedTable",
    "suppress_rows",
    "suppress_shares",
    "suppress_table",
    "share_table",
    "format_table",
    "format_number",
    "footnote",
]

MIN_N = 5
TOTAL = "Totalt"
FLAG = "undertryckt"
PRIMARY = "primär"
SECONDARY = "sekundär"


@dataclass
class SuppressedTable:
    """A cross-table after suppression.

    Attributes
    ----------
    values : DataFrame of float
        The table (with margin row/column ``"Totalt"`` when made with ``margins=True``); NaN
        where suppressed.
    mask : DataFrame of bool
        ``True`` where suppressed.
    reason : DataFrame of str
        ``"primär"`` (the cell itself is below ``min_n``), ``"sekundär"`` (suppressed so that a
        primary cell cannot be recomputed) or ``""``.
    min_n : int
        Threshold used.
    unit : {"antal", "procent"}
        Counts or percentages (for display).
    """

    values: pd.DataFrame
    mask: pd.DataFrame
    reason: pd.DataFrame
    min_n: int = MIN_N
    unit: str = "antal"
    margins: bool = field(default=True)

    @property
    def n_suppressed(self) -> int:
        """Number of suppressed cells (margins included)."""
        return int(self.mask.to_numpy().sum())


# --------------------------------------------------------------------------------------------
# row-wise tables (one group per row, an n column)
# --------------------------------------------------------------------------------------------


def _numeric_cols(df: pd.DataFrame, exclude: set) -> list:
    return [
        c
        for c in df.columns
        if c not in exclude and pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
    ]


def _small(x: pd.Series, min_n: int) -> pd.Series:
    x = pd.to_numeric(x, errors="coerce")
    return ((x > 0) & (x < min_n)).fillna(False).astype(bool)


def suppress_rows(
    df: pd.DataFrame,
    n_col: str = "n",
    value_cols=None,
    min_n: int = MIN_N,
    count_cols: dict | None = None,
) -> pd.DataFrame:
    """Suppress the rows of a group table whose ``n`` is below ``min_n`` (but above zero).

    Primary suppression for tables with one group per row (e.g. per insats: n, mean KASAM,
    share in work). Where ``0 < n < min_n``, ``n_col`` and every value column become NaN.
    ``n == 0`` is not suppressed: there is no one to identify (the derived values are then
    normally missing anyway).

    Parameters
    ----------
    df : DataFrame
        One row per group.
    n_col : str, default "n"
        Number of persons behind the row.
    value_cols : list of str, optional
        Columns derived from those persons (means, shares, other counts); default every
        numeric, non-boolean column other than ``n_col``.
    min_n : int, default 5
        Threshold (:data:`MIN_N`).
    count_cols : dict, optional
        ``{value column: count column}`` for values derived from a *sub*-count of the row, e.g.
        ``{"andel_arbete": "n_arbete"}`` or a mean over ``n_svar`` respondents. Where that count is
        ``0 < count < min_n``, the value column and the count column are suppressed in that row
        (the rest of the row stays). See :func:`suppress_shares` for the rationale.

    Returns
    -------
    DataFrame
        A copy; suppressed columns become float; bool column ``undertryckt`` is ``True`` where
        anything in the row was suppressed. ``df.attrs["undertryckt_celler"]`` holds the cell
        mask (bool DataFrame over the suppressed columns) for :func:`format_table`.

    Examples
    --------
    >>> df = pd.DataFrame({"insats": ["A", "B", "C"], "n": [12, 3, 0], "medel": [4.2, 5.0, np.nan]})
    >>> out = suppress_rows(df)
    >>> out["n"].tolist(), out["medel"].tolist(), out["undertryckt"].tolist()
    ([12.0, nan, 0.0], [4.2, nan, nan], [False, True, False])
    """
    if n_col not in df.columns:
        raise KeyError(f"suppress_rows: no count column {n_col!r} in {list(df.columns)}; pass n_col=")
    count_cols = dict(count_cols or {})
    if value_cols is None:
        value_cols = _numeric_cols(df, {n_col, FLAG})
    value_cols = list(value_cols)
    missing = [c for c in [*value_cols, *count_cols, *count_cols.values()] if c not in df.columns]
    if missing:
        raise KeyError(f"suppress_rows: columns not in the table: {missing}")
    out = df.copy()
    row_small = _small(out[n_col], min_n)
    affected = list(dict.fromkeys([n_col, *value_cols, *count_cols.values(), *count_cols]))
    cellmask = pd.DataFrame(False, index=out.index, columns=affected)
    for c in [n_col, *value_cols, *count_cols.values(), *count_cols]:
        cellmask[c] |= row_small
    for value_col, count_col in count_cols.items():
        sub_small = _small(out[count_col], min_n)
        cellmask[value_col] |= sub_small
        cellmask[count_col] |= sub_small
    for c in affected:
        if not cellmask[c].any():
            continue
        if pd.api.types.is_numeric_dtype(out[c].dtype) and not pd.api.types.is_bool_dtype(out[c].dtype):
            out[c] = out[c].astype(float).mask(cellmask[c])
        else:  # a text or boolean value column: hide the value, keep the column's other values
            out[c] = out[c].astype(object).mask(cellmask[c], None)
    out[FLAG] = cellmask.any(axis=1).to_numpy()
    out.attrs["undertryckt_celler"] = cellmask
    return out


def suppress_shares(
    df: pd.DataFrame,
    share_col: str,
    numerator_col: str,
    denominator_col: str = "n",
    min_n: int = MIN_N,
    complement: bool = False,
) -> pd.DataFrame:
    """Suppress shares (percentages) whose numerator or denominator count is below ``min_n``.

    A share ``p = k / n`` published next to ``n`` reveals ``k``; published alone it still
    reveals a small group when ``n`` is small. So ``p`` (and ``k``) is suppressed when
    ``0 < k < min_n``, and the whole row (``n``, ``k``, ``p`` and other numeric columns) when
    ``0 < n < min_n``. With ``complement=True`` also when ``0 < n - k < min_n`` (e.g. 96 % of 50:
    the 2 who did *not* reach the outcome are a small cell too); this is the same rule applied to
    the other category of a yes/no outcome and is recommended when the outcome is sensitive.

    What a share table needs beyond this: shares of the categories of one variable sum to 100 %,
    so in a *distribution* (row or column percentages of a cross-table) suppress the counts with
    :func:`suppress_table` first (it adds secondary suppression) and derive the shares from the
    result with :func:`share_table`, which inherits the full pattern.

    Parameters
    ----------
    df : DataFrame
        One row per group.
    share_col, numerator_col, denominator_col : str
        The share (any unit), its numerator count and denominator count.
    min_n : int, default 5
    complement : bool, default False
        Also suppress when ``0 < n - k < min_n``.

    Returns
    -------
    DataFrame
        As :func:`suppress_rows`.

    Examples
    --------
    >>> df = pd.DataFrame({"n": [40, 40, 3], "n_arbete": [10, 2, 1], "andel": [25.0, 5.0, 33.3]})
    >>> suppress_shares(df, "andel", "n_arbete")["andel"].tolist()
    [25.0, nan, nan]
    >>> suppress_shares(pd.DataFrame({"n": [50], "k": [48], "p": [96.0]}), "p", "k", complement=True)["p"].tolist()
    [nan]
    """
    out = suppress_rows(df, n_col=denominator_col, min_n=min_n, count_cols={share_col: numerator_col})
    if complement:
        n = pd.to_numeric(df[denominator_col], errors="coerce")
        k = pd.to_numeric(df[numerator_col], errors="coerce")
        comp = _small(n - k, min_n)
        cellmask = out.attrs["undertryckt_celler"]
        for c in (share_col, numerator_col):
            out[c] = out[c].astype(float).mask(comp)
            cellmask[c] |= comp
        out[FLAG] = out[FLAG] | comp.to_numpy()
        out.attrs["undertryckt_celler"] = cellmask
    return out


# --------------------------------------------------------------------------------------------
# cross-tables with primary and secondary suppression
# --------------------------------------------------------------------------------------------


def _bridges(sup: np.ndarray) -> list[tuple[int, int]]:
    """Suppressed cells that are bridges of the row/column graph (exactly recomputable).

    Nodes: rows ``0..R-1`` and columns ``R..R+C-1`` of the extended table (margins included);
    edges: suppressed cells. Tarjan's bridge-finding by depth-first search (iterative).
    """
    R, C = sup.shape
    adj: dict[int, list[tuple[int, int]]] = {v: [] for v in range(R + C)}
    edges = []
    for i, j in zip(*np.nonzero(sup)):
        e = len(edges)
        edges.append((int(i), int(j)))
        adj[int(i)].append((R + int(j), e))
        adj[R + int(j)].append((int(i), e))
    disc = [-1] * (R + C)
    low = [0] * (R + C)
    timer = 0
    out = []
    for root in range(R + C):
        if disc[root] != -1 or not adj[root]:
            continue
        disc[root] = low[root] = timer
        timer += 1
        stack = [(root, -1, iter(adj[root]))]
        while stack:
            v, pe, it = stack[-1]
            advanced = False
            for w, e in it:
                if e == pe:
                    continue
                if disc[w] == -1:
                    disc[w] = low[w] = timer
                    timer += 1
                    stack.append((w, e, iter(adj[w])))
                    advanced = True
                    break
                low[v] = min(low[v], disc[w])
            if not advanced:
                stack.pop()
                if stack:
                    u = stack[-1][0]
                    low[u] = min(low[u], low[v])
                    if low[v] > disc[u]:
                        out.append(edges[pe])
    return out


def _component_sides(sup: np.ndarray, bridge: tuple[int, int]) -> tuple[set, set]:
    """Nodes reachable from the bridge's row node and column node once the bridge is removed."""
    R, C = sup.shape
    bi, bj = bridge

    def reach(start: int) -> set:
        seen, todo = {start}, [start]
        while todo:
            v = todo.pop()
            if v < R:
                nbrs = [R + j for j in np.nonzero(sup[v])[0] if not (v == bi and j == bj)]
            else:
                nbrs = [i for i in np.nonzero(sup[:, v - R])[0] if not (i == bi and v - R == bj)]
            for w in nbrs:
                if w not in seen:
                    seen.add(w)
                    todo.append(w)
        return seen

    return reach(bi), reach(R + bj)


def _pick(values: np.ndarray, sup: np.ndarray, cells, interior: np.ndarray, along: str = ""):
    """Choose the complementary cell among ``cells`` (unsuppressed, non-zero).

    Preference order: inner cells before totals; then cells whose *other* line (the crossing
    row or column) already holds exactly one suppressed cell, so that one complement protects
    two cells and the pattern closes into a rectangle; then the smallest value (least
    information lost); then position (deterministic).
    """
    best, best_key = None, None
    for i, j in cells:
        if sup[i, j] or values[i, j] == 0:
            continue
        row_lone = along != "row" and sup[i].sum() == 1  # the crossing line of a row fix is a column
        col_lone = along != "col" and sup[:, j].sum() == 1
        closes = row_lone or col_lone
        key = (0 if interior[i, j] else 1, 0 if closes else 1, values[i, j], i, j)
        if best_key is None or key < best_key:
            best, best_key = (i, j), key
    return best


def suppress_table(
    counts: pd.DataFrame,
    min_n: int = MIN_N,
    margins: bool = True,
    total_label: str = TOTAL,
) -> SuppressedTable:
    """Primary and secondary suppression of a cross-table of counts.

    Method (Hundepool et al. 2012, ch. 5; the threshold rule with complementary suppression):

    1. Margins (row totals, column totals and the grand total ``"Totalt"``) are computed from
       the *unsuppressed* counts.
    2. Primary: every cell, margins included, with ``0 < count < min_n``.
    3. Secondary: each row and each column of the table including its total is a relation
       ``sum(cells) = total``; the margin row and column are relations too (sum of the column
       totals = grand total). While some relation has exactly one suppressed member, suppress
       its smallest non-zero published member (an inner cell if there is one, else a total;
       among those, preferably one whose crossing line also has a lone suppressed cell, so the
       pattern closes with fewer cells). Lines are visited rows first (top to bottom), then
       columns (left to right), the margin row and column last, and the pass is repeated.
       Then, since one unknown per relation is not the only way to recompute a cell, find the
       suppressed cells that are *bridges* in the graph of rows and columns joined by suppressed
       cells (such a cell is determined by the published values; Cox 1980) and break each by
       suppressing the smallest non-zero cell that closes a cycle through it. Repeat until stable.

    With ``margins=False`` the totals are not shown but are treated as known (they usually are,
    e.g. the number of participants per insats appears elsewhere in the report), so secondary
    suppression is still applied.

    Parameters
    ----------
    counts : DataFrame
        Non-negative integer counts, without totals (e.g. ``pd.crosstab(a, b)``).
    min_n : int, default 5
    margins : bool, default True
        Add and publish the total row/column ``total_label``.
    total_label : str, default "Totalt"

    Returns
    -------
    SuppressedTable

    Examples
    --------
    >>> counts = pd.DataFrame([[20, 3, 15], [10, 12, 8]], index=["a", "b"], columns=["x", "y", "z"])
    >>> st = suppress_table(counts)
    >>> st.reason.loc[["a", "b"], ["x", "y", "z"]].values.tolist()
    [['', 'primär', 'sekundär'], ['', 'sekundär', 'sekundär']]
    >>> st.values.loc["Totalt"].tolist()
    [30.0, 15.0, 23.0, 68.0]
    """
    if not isinstance(counts, pd.DataFrame):
        raise TypeError("suppress_table expects a DataFrame of counts (e.g. pd.crosstab(...))")
    if total_label in counts.index or total_label in counts.columns:
        raise ValueError(
            f"counts already contain a {total_label!r} row or column; pass the table without totals"
        )
    if "All" in counts.index and "All" in counts.columns:
        raise ValueError(
            "counts look like pd.crosstab(..., margins=True) (an 'All' row and column); pass the table "
            "without margins: suppress_table adds and protects the totals itself"
        )
    vals = counts.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if np.isnan(vals).any() or (vals < 0).any():
        raise ValueError("suppress_table: counts must be non-negative numbers without missing values")
    R, C = vals.shape
    ext = np.zeros((R + 1, C + 1))
    ext[:R, :C] = vals
    ext[:R, C] = vals.sum(axis=1)
    ext[R, :C] = vals.sum(axis=0)
    ext[R, C] = vals.sum()
    interior = np.zeros_like(ext, dtype=bool)
    interior[:R, :C] = True

    primary = (ext > 0) & (ext < min_n)
    sup = primary.copy()
    while True:
        changed = False
        # (1) relations with exactly one suppressed member
        for _ in range(ext.size):
            added = False
            for i in range(R + 1):
                if sup[i].sum() == 1:
                    pick = _pick(ext, sup, [(i, j) for j in range(C + 1)], interior, along="row")
                    if pick is not None:
                        sup[pick] = True
                        added = True
            for j in range(C + 1):
                if sup[:, j].sum() == 1:
                    pick = _pick(ext, sup, [(i, j) for i in range(R + 1)], interior, along="col")
                    if pick is not None:
                        sup[pick] = True
                        added = True
            changed |= added
            if not added:
                break
        # (2) bridges
        bridges = _bridges(sup)
        for b in bridges:
            if b not in _bridges(sup):
                continue  # already broken by an earlier addition
            side_r, side_c = _component_sides(sup, b)
            rows_r = [v for v in side_r if v <= R]
            cols_r = [v - (R + 1) for v in side_r if v > R]
            rows_c = [v for v in side_c if v <= R]
            cols_c = [v - (R + 1) for v in side_c if v > R]
            cands = [(i, j) for i in rows_r for j in cols_c] + [(i, j) for i in rows_c for j in cols_r]
            pick = _pick(ext, sup, cands, interior)
            if pick is None:  # only zeros close a cycle: fall back to the bridge's whole row or column
                pick_cells = [(b[0], j) for j in range(C + 1) if not sup[b[0], j] and ext[b[0], j] > 0]
                pick_cells = pick_cells or [(i, b[1]) for i in range(R + 1) if not sup[i, b[1]] and ext[i, b[1]] > 0]
                if not pick_cells:
                    warnings.warn(
                        "suppress_table could not protect every suppressed cell against recomputation; "
                        "aggregate categories before publishing this table",
                        stacklevel=2,
                    )
                    continue
                for cell in pick_cells:
                    sup[cell] = True
            else:
                sup[pick] = True
            changed = True
        if not changed:
            break

    index = list(counts.index) + [total_label]
    columns = list(counts.columns) + [total_label]
    values = pd.DataFrame(np.where(sup, np.nan, ext), index=index, columns=columns)
    mask = pd.DataFrame(sup, index=index, columns=columns)
    reason = pd.DataFrame(
        np.where(primary, PRIMARY, np.where(sup, SECONDARY, "")), index=index, columns=columns
    ).astype(str)
    values.index.name, values.columns.name = counts.index.name, counts.columns.name
    for frame in (mask, reason):
        frame.index.name, frame.columns.name = counts.index.name, counts.columns.name
    if not margins:
        values, mask, reason = (f.iloc[:R, :C] for f in (values, mask, reason))
    return SuppressedTable(values=values, mask=mask, reason=reason, min_n=min_n, margins=margins)


def share_table(table: SuppressedTable, axis: str = "rows", total_label: str = TOTAL) -> SuppressedTable:
    """Row or column percentages of a suppressed count table, inheriting its suppression.

    A share is published only when its count *and* its denominator (the row or column total)
    are published; so the shares carry the primary and secondary pattern of the counts and no
    suppressed share can be recovered as 100 % minus the others. The total row/column is 100 %
    where its denominator is published.

    Parameters
    ----------
    table : SuppressedTable
        From :func:`suppress_table` with ``margins=True``.
    axis : {"rows", "columns"}
        ``"rows"``: each row sums to 100 % (denominator = row total).
    total_label : str, default "Totalt"

    Returns
    -------
    SuppressedTable
        ``unit="procent"``, values in percent (0-100).

    Examples
    --------
    >>> counts = pd.DataFrame({"x": [20, 10], "y": [30, 10]}, index=["a", "b"])
    >>> share_table(suppress_table(counts)).values.loc["a"].tolist()
    [40.0, 60.0, 100.0]
    """
    if not table.margins:
        raise ValueError("share_table needs a table made with margins=True (the denominators)")
    v, m = table.values, table.mask
    if axis == "rows":
        denom = v[total_label]
        values = v.div(denom, axis=0) * 100
        dmask = m[total_label]
        mask = m | pd.DataFrame({c: dmask for c in v.columns})
    elif axis == "columns":
        denom = v.loc[total_label]
        values = v.div(denom, axis=1) * 100
        dmask = m.loc[total_label]
        mask = m | pd.DataFrame([dmask.to_numpy()] * len(v), index=v.index, columns=v.columns)
    else:
        raise ValueError("axis must be 'rows' or 'columns'")
    values = values.mask(mask)
    reason = table.reason.where(~mask | (table.reason != ""), SECONDARY)
    return SuppressedTable(values=values, mask=mask.astype(bool), reason=reason, min_n=table.min_n,
                           unit="procent", margins=True)


# --------------------------------------------------------------------------------------------
# display
# --------------------------------------------------------------------------------------------


def format_number(x, lang: str = "sv", decimals: int = 1) -> str:
    """Format a number for a board table (delegates to :func:`evaluation.formatting.number`).

    Swedish decimal comma, a narrow no-break space between thousands, a true minus sign; missing
    values are empty.

    Examples
    --------
    >>> format_number(1234.56) == "1\u202f234,6", format_number(1234.56, "en"), format_number(12, decimals=0)
    (True, '1,234.6', '12')
    """
    from .formatting import number

    return number(x, decimals, lang)


def _is_count_col(name, series: pd.Series) -> bool:
    if pd.api.types.is_integer_dtype(series.dtype):
        return True
    name = str(name)
    return name == "n" or name.startswith("n_") or name.lower().startswith("antal")


def format_table(obj, lang: str = "sv", decimals: int = 1) -> pd.DataFrame:
    """Strings for display: numbers formatted for ``lang``, suppressed cells as ``–``.

    Parameters
    ----------
    obj : SuppressedTable or DataFrame
        A :class:`SuppressedTable`, or a DataFrame from :func:`suppress_rows` /
        :func:`suppress_shares` (suppressed = NaN in a row flagged ``undertryckt``, or the exact
        cell mask in ``attrs["undertryckt_celler"]``).
    lang : {"sv", "en"}
        Number format and the label of the total row/column.
    decimals : int, default 1
        Decimals for non-count values. Counts (``SuppressedTable`` with unit ``antal``, integer
        columns, or columns named ``n``, ``n_*``, ``antal*``) are shown as integers.

    Returns
    -------
    DataFrame of str
        Same shape (the ``undertryckt`` column is dropped); missing values that were not
        suppressed are empty strings. The symbol is the label ``suppressed_short``; put
        :func:`footnote` under the table.

    Examples
    --------
    >>> df = suppress_rows(pd.DataFrame({"n": [12, 3], "medel": [4.25, 5.0]}, index=["A", "B"]))
    >>> format_table(df).to_dict("index")
    {'A': {'n': '12', 'medel': '4,3'}, 'B': {'n': '–', 'medel': '–'}}
    """
    symbol = t("suppressed_short", lang)
    total = t("totalt", lang)
    if isinstance(obj, SuppressedTable):
        dec = 0 if obj.unit == "antal" else decimals
        out = obj.values.map(lambda x: format_number(x, lang, dec)).astype(object)
        out = out.mask(obj.mask, symbol)
        out = out.rename(index={TOTAL: total}, columns={TOTAL: total})
        return out.astype(str)
    if not isinstance(obj, pd.DataFrame):
        raise TypeError("format_table expects a SuppressedTable or a DataFrame")
    df = obj.drop(columns=[FLAG], errors="ignore")
    cellmask = obj.attrs.get("undertryckt_celler")
    out = pd.DataFrame(index=df.index, columns=df.columns, dtype=object)
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            dec = 0 if _is_count_col(c, s) else decimals
            col = s.map(lambda x: format_number(x, lang, dec))
        else:
            col = s.map(lambda x: "" if (x is None or (not isinstance(x, str) and pd.isna(x))) else str(x))
        if isinstance(cellmask, pd.DataFrame) and c in cellmask.columns and cellmask.index.equals(df.index):
            col = col.mask(cellmask[c].astype(bool), symbol)
        elif FLAG in obj.columns:
            col = col.mask(obj[FLAG].astype(bool) & s.isna(), symbol)
        out[c] = col
    return out.astype(str)


def footnote(min_n: int = MIN_N, lang: str = "sv", secondary: bool = False) -> str:
    """The footnote under a suppressed table.

    Parameters
    ----------
    min_n : int, default 5
    lang : {"sv", "en"}
    secondary : bool, default False
        Mention that some cells are hidden to protect others (use when the table has
        secondary suppression, e.g. ``(st.reason == "sekundär").any().any()``).

    Examples
    --------
    >>> footnote()
    '– = undertryckt, färre än 5 personer'
    >>> footnote(3, "en")
    '– = suppressed, fewer than 3 people'
    """
    key = "disclosure.footnote_secondary" if secondary else "disclosure.footnote"
    return t(key, lang, symbol=t("suppressed_short", lang), min_n=min_n)
