"""Tests for evaluation.disclosure: primary and secondary small-cell suppression, display.

Expected tables are worked out by hand in the comments by applying the documented rules.
The property test checks random tables against an independent attacker: scipy's linear
programming computes, for every suppressed cell, the smallest and largest value consistent
with everything published; a cell is protected when the two differ.
"""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from evaluation import disclosure
from evaluation.disclosure import (
    MIN_N,
    footnote,
    format_table,
    share_table,
    suppress_rows,
    suppress_shares,
    suppress_table,
)

NaN = np.nan
P, S = "primär", "sekundär"


def test_min_n_is_five():
    assert MIN_N == 5


# --- suppress_rows ----------------------------------------------------------------------------


def test_suppress_rows_hides_small_groups_but_not_zero():
    df = pd.DataFrame(
        {"insats": ["A", "B", "C", "D"], "n": [12, 4, 0, 5], "medel": [4.2, 3.9, NaN, 5.1],
         "andel": [50.0, 25.0, NaN, 40.0]}
    )
    out = suppress_rows(df)
    # B has n = 4 (0 < 4 < 5): n, medel, andel hidden; C has n = 0: nobody to identify, kept;
    # D has n = 5 = min_n: kept.
    assert out["n"].tolist()[:1] == [12.0] and np.isnan(out["n"][1]) and out["n"][2] == 0 and out["n"][3] == 5
    assert np.isnan(out.loc[1, "medel"]) and np.isnan(out.loc[1, "andel"])
    assert out.loc[0, "medel"] == 4.2 and out.loc[3, "andel"] == 40.0
    assert out["undertryckt"].tolist() == [False, True, False, False]
    assert out["insats"].tolist() == ["A", "B", "C", "D"]  # text columns untouched
    assert df["n"].tolist() == [12, 4, 0, 5]  # input not modified


def test_suppress_rows_only_named_value_columns_and_other_threshold():
    df = pd.DataFrame({"n": [3, 8], "medel": [1.0, 2.0], "ar": [2024, 2025]})
    out = suppress_rows(df, value_cols=["medel"], min_n=10)
    # both rows below 10; "ar" is not a value column so it stays
    assert np.isnan(out["n"]).all() and np.isnan(out["medel"]).all()
    assert out["ar"].tolist() == [2024, 2025]


def test_suppress_rows_count_cols_hide_shares_of_small_subgroups():
    df = pd.DataFrame({"n": [40, 40, 3], "n_arbete": [10, 2, 1], "andel_arbete": [25.0, 5.0, 33.3],
                       "medel": [4.0, 4.1, 4.2]})
    out = suppress_rows(df, value_cols=["medel"], count_cols={"andel_arbete": "n_arbete"})
    # row 0: nothing small. Row 1: 2 in work -> the 2 and the 5 % hidden, n and mean kept.
    # Row 2: n = 3 -> everything hidden.
    assert out.loc[0, ["n", "n_arbete", "andel_arbete", "medel"]].tolist() == [40, 10, 25.0, 4.0]
    assert out.loc[1, "n"] == 40 and out.loc[1, "medel"] == 4.1
    assert np.isnan(out.loc[1, "n_arbete"]) and np.isnan(out.loc[1, "andel_arbete"])
    assert out.loc[2, ["n", "n_arbete", "andel_arbete", "medel"]].isna().all()
    assert out["undertryckt"].tolist() == [False, True, True]


def test_suppress_shares_numerator_denominator_and_complement():
    df = pd.DataFrame({"n": [50, 50, 50, 4, 50], "k": [20, 3, 48, 2, 0], "p": [40.0, 6.0, 96.0, 50.0, 0.0]})
    plain = suppress_shares(df, "p", "k")
    # 3 of 50: numerator small; 2 of 4: denominator small; 0 of 50: zero not suppressed
    assert plain["p"].isna().tolist() == [False, True, False, True, False]
    comp = suppress_shares(df, "p", "k", complement=True)
    # 48 of 50: the 2 without the outcome are a small cell too
    assert comp["p"].isna().tolist() == [False, True, True, True, False]
    assert comp["undertryckt"].tolist() == [False, True, True, True, False]


def test_suppress_rows_text_value_column_is_blanked_not_converted():
    df = pd.DataFrame({"n": [2, 9], "kommentar": ["liten grupp", "ok"]})
    out = suppress_rows(df, value_cols=["kommentar"])
    assert out["kommentar"].tolist()[1] == "ok" and pd.isna(out["kommentar"][0])


def test_crosstab_with_margins_is_rejected():
    ct = pd.crosstab(pd.Series(["a", "b", "a"], name="r"), pd.Series(["x", "x", "y"], name="c"), margins=True)
    with pytest.raises(ValueError, match="margins"):
        suppress_table(ct)


def test_suppress_table_on_a_crosstab_keeps_axis_names():
    r = pd.Series(["a"] * 10 + ["b"] * 7, name="insats")
    c = pd.Series(["x"] * 8 + ["y"] * 2 + ["x"] * 3 + ["y"] * 4, name="kon")
    st = suppress_table(pd.crosstab(r, c))
    # counts a: x 8, y 2; b: x 3, y 4 -> all inner cells small or complementary
    assert st.values.index.name == "insats" and st.values.columns.name == "kon"
    assert st.reason.loc["a", "y"] == P and st.reason.loc["b", "x"] == P


def test_suppress_rows_missing_column_is_a_clear_error():
    with pytest.raises(KeyError, match="antal"):
        suppress_rows(pd.DataFrame({"n": [1]}), n_col="antal")


# --- suppress_table: hand-worked tables ---------------------------------------------------------


def _check(st, expected_values, expected_reason):
    exp = pd.DataFrame(expected_values, index=st.values.index, columns=st.values.columns, dtype=float)
    pd.testing.assert_frame_equal(st.values, exp, check_names=False)
    assert st.reason.values.tolist() == expected_reason
    assert st.mask.values.tolist() == [[r != "" for r in row] for row in expected_reason]


def test_single_small_cell_gets_a_rectangle_of_complements():
    counts = pd.DataFrame([[20, 3, 15], [10, 12, 8], [7, 9, 11]], index=["a", "b", "c"],
                          columns=["x", "y", "z"])
    st = suppress_table(counts)
    # Totals: rows 38, 30, 27; columns 37, 24, 34; grand 95. Primary: (a,y) = 3.
    # Rows pass: row a has one suppressed -> smallest other inner cell of row a: (a,z) = 15.
    # Columns pass: column y has one -> candidates (b,y)=12, (c,y)=9, neither row has a lone
    #   suppressed cell -> smallest, (c,y) = 9. Column z has one ((a,z)) -> candidates (b,z)=8,
    #   (c,z)=11; row c now has a lone suppressed cell, so (c,z) closes it and is preferred.
    # Second pass: every row/column has 0 or 2 suppressed -> stable. Rectangle a/c x y/z.
    _check(
        st,
        [[20, NaN, NaN, 38], [10, 12, 8, 30], [7, NaN, NaN, 27], [37, 24, 34, 95]],
        [["", P, S, ""], ["", "", "", ""], ["", S, S, ""], ["", "", "", ""]],
    )
    assert list(st.values.index) == ["a", "b", "c", "Totalt"]
    assert list(st.values.columns) == ["x", "y", "z", "Totalt"]


def test_small_row_total_and_zero_cells():
    counts = pd.DataFrame([[6, 2], [1, 0], [9, 10]], index=["a", "b", "c"], columns=["x", "y"])
    st = suppress_table(counts)
    # Totals: rows 8, 1, 19; columns 16, 12; grand 28.
    # Primary: (a,y)=2, (b,x)=1 and the row total of b = 1. The zero (b,y) stays (nobody there).
    # Rows pass: row a {6, 2*, 8} one suppressed -> inner candidates: (a,x)=6, whose column x
    #   already has a lone suppressed cell (b,x) -> (a,x). Row b {1*, 0, 1*}: two. Row c: none.
    # Columns pass: x {6*, 1*, 9, 16}: two. y {2*, 0, 10, 12}: one -> (c,y)=10 (only candidate).
    #   Totals column {8, 1*, 19, 28}: one -> all candidates are totals; (c,Totalt)=19 closes the
    #   lone (c,y) in row c, so it is preferred over the smaller 8.
    # Second pass stable. Suppressed cells a-x, a-y, b-x, b-T, c-y, c-T form one 6-cycle: no bridge.
    _check(
        st,
        [[NaN, NaN, 8], [NaN, 0, NaN], [9, NaN, NaN], [16, 12, 28]],
        [[S, P, ""], [P, "", P], ["", S, S], ["", "", ""]],
    )


def test_small_column_total_gets_a_complementary_total():
    counts = pd.DataFrame([[10, 1, 20], [12, 2, 30]], index=["a", "b"], columns=["x", "y", "z"])
    st = suppress_table(counts)
    # Totals: rows 31, 44; columns 22, 3, 50; grand 75.
    # Primary: (a,y)=1, (b,y)=2, column total y = 3. Rows pass: row a {10, 1*, 20, 31}: one ->
    #   (a,x)=10 (smaller than 20; no column has a lone suppressed cell yet). Row b {12, 2*, 30, 44}:
    #   one -> candidates (b,x)=12 (column x has lone (a,x): closes) -> (b,x).
    #   Totals row {22, 3*, 50, 75}: one -> candidates are totals: (T,x)=22: column x has two
    #   suppressed -> no closing; (T,z)=50; (T,T)=75 -> smallest (T,x)=22.
    # Columns pass: x {10*, 12*, 22*}: three; y: three; z: none; totals column: none. Stable.
    # Graph: row a-x, a-y, b-x, b-y, T-y, T-x: cycles a-x-b-y-a and T-x-a-y-T, no bridge.
    _check(
        st,
        [[NaN, NaN, 20, 31], [NaN, NaN, 30, 44], [NaN, NaN, 50, 75]],
        [[S, P, "", ""], [S, P, "", ""], [S, P, "", ""]],
    )


def test_no_small_cells_means_no_suppression():
    counts = pd.DataFrame([[5, 6], [7, 0]], index=["a", "b"], columns=["x", "y"])
    st = suppress_table(counts)
    assert not st.mask.values.any()
    assert st.values.loc["Totalt"].tolist() == [12, 6, 18]


def test_margins_false_still_protects_against_known_totals():
    counts = pd.DataFrame([[20, 3], [10, 12]], index=["a", "b"], columns=["x", "y"])
    st = suppress_table(counts, margins=False)
    # Totals are treated as known. (a,y)=3 primary; row a -> (a,x)=20 (only candidate);
    # column x -> (b,x)=10; column y -> (b,y)=12 (closes row b): all four cells hidden.
    assert st.values.shape == (2, 2)
    assert st.mask.values.all()
    assert st.reason.values.tolist() == [[S, P], [S, S]]


def test_bridge_between_two_protected_blocks_is_broken():
    # Suppressed pattern: rectangle rows 0-1 x cols 0-1, rectangle rows 2-3 x cols 2-3, and the
    # cell (0, 2) joining them. Every row/column has 0 or >= 2 suppressed cells, yet (0, 2) is a
    # bridge: row 0 gives x02 = r0 - x00 - x01 and the sums over rows 0-1 make x00 + x01 + x10 + x11
    # known... in graph terms removing it disconnects the pattern, so its value is determined.
    sup = np.zeros((5, 5), dtype=bool)
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)]:
        sup[i, j] = True
    assert disclosure._bridges(sup) == [(0, 2)]
    sup[1, 3] = True  # a second link closes a cycle through (0, 2)
    assert disclosure._bridges(sup) == []


def test_rejects_tables_with_totals_or_negative_counts():
    with pytest.raises(ValueError, match="Totalt"):
        suppress_table(pd.DataFrame({"x": [1, 2]}, index=["a", "Totalt"]))
    with pytest.raises(ValueError):
        suppress_table(pd.DataFrame({"x": [1, -2]}))


# --- property test ------------------------------------------------------------------------------


def _extended(counts):
    v = counts.to_numpy(dtype=float)
    R, C = v.shape
    ext = np.zeros((R + 1, C + 1))
    ext[:R, :C] = v
    ext[:R, C] = v.sum(1)
    ext[R, :C] = v.sum(0)
    ext[R, C] = v.sum()
    return ext


def _intervals(ext, sup):
    """Attacker's feasible range of each suppressed cell given the published cells (LP)."""
    R1, C1 = ext.shape
    cells = list(zip(*np.nonzero(sup)))
    idx = {c: k for k, c in enumerate(cells)}
    A, b = [], []
    for i in range(R1):  # inner cells of a row sum to its total (the totals row likewise)
        row, rhs = np.zeros(len(cells)), 0.0
        for j in range(C1):
            sign = -1.0 if j == C1 - 1 else 1.0
            if (i, j) in idx:
                row[idx[(i, j)]] += sign
            else:
                rhs -= sign * ext[i, j]
        A.append(row), b.append(rhs)
    for j in range(C1):
        col, rhs = np.zeros(len(cells)), 0.0
        for i in range(R1):
            sign = -1.0 if i == R1 - 1 else 1.0
            if (i, j) in idx:
                col[idx[(i, j)]] += sign
            else:
                rhs -= sign * ext[i, j]
        A.append(col), b.append(rhs)
    out = {}
    for c, k in idx.items():
        obj = np.zeros(len(cells))
        obj[k] = 1
        lo = linprog(obj, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
        hi = linprog(-obj, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
        assert lo.status == 0 and hi.status in (0, 3)  # 3: unbounded above (e.g. grand total hidden)
        out[c] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)
    return out


# Seeds 13 and 20 give tables where rule (1) alone leaves a bridge that the LP attacker solves
# (checked by disabling the bridge step), so check 3 guards that step too.
@pytest.mark.parametrize("seed", range(40))
def test_property_random_tables_leave_no_cell_recomputable(seed):
    rng = np.random.default_rng(seed)
    R, C = rng.integers(2, 6), rng.integers(2, 6)
    # a mix of zeros, small and large counts
    counts = pd.DataFrame(rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 35], size=(R, C),
                                     p=[.12, .1, .1, .08, .08, .08, .08, .09, .09, .09, .09]))
    min_n = int(rng.choice([3, 5]))
    st = suppress_table(counts, min_n=min_n)
    ext = _extended(counts)
    sup = st.mask.to_numpy()
    # values are the true counts where published, NaN where suppressed
    assert np.array_equal(np.isnan(st.values.to_numpy()), sup)
    assert np.allclose(st.values.to_numpy()[~sup], ext[~sup])
    # 1. no published cell (margins included) with 0 < n < min_n
    assert not ((ext > 0) & (ext < min_n) & ~sup).any()
    # 2. no row or column with a published total holds exactly one suppressed inner cell
    for i in range(R + 1):
        if not sup[i, C]:
            assert sup[i, :C].sum() != 1
    for j in range(C + 1):
        if not sup[R, j]:
            assert sup[:R, j].sum() != 1
    # 3. an attacker solving the linear system with non-negativity cannot pin any suppressed cell
    for cell, (lo, hi) in _intervals(ext, sup).items():
        assert hi - lo > 0.5, (cell, lo, hi)
    # 4. reasons: primary exactly where 0 < n < min_n
    assert np.array_equal(st.reason.to_numpy() == P, (ext > 0) & (ext < min_n))
    assert np.array_equal(st.reason.to_numpy() != "", sup)


# --- shares and display --------------------------------------------------------------------------


def test_share_table_inherits_the_suppression_pattern():
    counts = pd.DataFrame([[20, 3, 15], [10, 12, 8], [7, 9, 11]], index=["a", "b", "c"],
                          columns=["x", "y", "z"])
    shares = share_table(suppress_table(counts), axis="rows")
    # row a: 20/38 = 52.63 %, the two hidden cells stay hidden, total 100 %
    assert shares.values.loc["a", "x"] == pytest.approx(100 * 20 / 38)
    assert shares.values.loc["a"].isna().tolist() == [False, True, True, False]
    assert shares.values.loc["a", "Totalt"] == 100
    assert shares.values.loc["b"].tolist() == pytest.approx([100 * 10 / 30, 40.0, 100 * 8 / 30, 100])
    assert shares.unit == "procent"
    cols = share_table(suppress_table(counts), axis="columns")
    assert cols.values.loc["Totalt"].tolist() == [100, 100, 100, 100]
    assert cols.values.loc["b", "y"] == pytest.approx(50.0)  # 12 / 24


def test_share_table_hides_rows_whose_denominator_is_hidden():
    counts = pd.DataFrame([[6, 2], [1, 0], [9, 10]], index=["a", "b", "c"], columns=["x", "y"])
    shares = share_table(suppress_table(counts), axis="rows")
    # row b total (1) and row c total (19) are suppressed -> whole rows hidden, even the 0 and 9
    assert shares.mask.loc["b"].all() and shares.mask.loc["c"].all()
    assert shares.values.loc["Totalt"].tolist() == pytest.approx([100 * 16 / 28, 100 * 12 / 28, 100])


def test_format_table_counts_swedish_and_english():
    counts = pd.DataFrame([[1200, 3], [10, 12]], index=["a", "b"], columns=["x", "y"])
    st = suppress_table(counts)
    # (a,y)=3 primary; row a -> (a,x)=1200 (only candidate); column x -> (b,x)=10; column y ->
    # (b,y)=12 (closes row b): the 2x2 inner cells hidden, totals shown
    sv = format_table(st)
    assert sv.values.tolist() == [["–", "–", "1\u202f203"], ["–", "–", "22"], ["1\u202f210", "15", "1\u202f225"]]
    assert list(sv.index) == ["a", "b", "Totalt"]
    en = format_table(st, lang="en")
    assert list(en.index) == ["a", "b", "Total"] and en.loc["Total", "Total"] == "1,225"


def test_format_table_row_table_with_decimals():
    df = suppress_rows(pd.DataFrame({"insats": ["A", "B"], "n": [12, 3], "medel": [4.25, 5.0],  # 4,25 -> "4,3" (half up, Svenska skrivregler)
                                     "andel": [33.333, NaN]}))
    out = format_table(df, decimals=1)
    assert out.to_dict("index") == {
        0: {"insats": "A", "n": "12", "medel": "4,3", "andel": "33,3"},
        1: {"insats": "B", "n": "–", "medel": "–", "andel": "–"},
    }
    assert "undertryckt" not in out.columns
    # a value missing for other reasons is blank, not "–"
    df2 = suppress_rows(pd.DataFrame({"n": [12], "medel": [NaN]}))
    assert format_table(df2).loc[0, "medel"] == ""
    assert format_table(df2, lang="en", decimals=2).loc[0, "n"] == "12"


def test_footnote_sv_and_en():
    assert footnote() == "– = undertryckt, färre än 5 personer"
    assert footnote(3, "en") == "– = suppressed, fewer than 3 people"
    assert "skydda" in footnote(secondary=True)


def test_module_examples_run():
    result = doctest.testmod(disclosure)
    assert result.attempted > 15 and result.failed == 0
