"""Before/after comparisons: hand-worked values and cross-checks against pingouin/scipy/statsmodels."""

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from evaluation import compare, formatting

BEFORE = pd.DataFrame({"respondent_id": ["a", "b", "c", "d", "e", "f", "g"],
                       "kon": ["kvinna"] * 5 + ["man"] * 2,
                       "total": [140.0, 150, 160, 155, 145, 130, np.nan]})
AFTER = pd.DataFrame({"respondent_id": ["a", "b", "c", "d", "e", "f", "h"],
                      "kon": ["kvinna"] * 5 + ["man"] * 2,
                      "total": [150.0, 152, 170, 155, 151, 140, 120]})


def test_paired_columns_and_hand_worked_values():
    r = compare.before_after(BEFORE, AFTER, paired=True).iloc[0]
    assert list(compare.before_after(BEFORE, AFTER).columns) == [
        "design", "n", "n_excluded", "mean_before", "mean_after", "mean_diff", "ci_low", "ci_high",
        "t", "df", "p", "cohen_dz", "p_wilcoxon", "rank_biserial"]
    # pairs a-f; g (no before value) and h (only after) excluded
    # diffs 10, 2, 10, 0, 6, 10: mean 38/6 = 6.3333; sd = sqrt(sum((d-m)^2)/5)
    d = np.array([10, 2, 10, 0, 6, 10.0])
    sd = math.sqrt(((d - d.mean()) ** 2).sum() / 5)
    assert (r["design"], r["n"], r["n_excluded"]) == ("paired", 6, 2)
    assert r["mean_diff"] == pytest.approx(38 / 6)
    assert r["mean_before"] == pytest.approx(880 / 6) and r["mean_after"] == pytest.approx(918 / 6)
    assert r["cohen_dz"] == pytest.approx(d.mean() / sd)
    assert r["t"] == pytest.approx(d.mean() / (sd / math.sqrt(6)))
    assert r["df"] == 5
    half = stats.t.ppf(0.975, 5) * sd / math.sqrt(6)
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(d.mean() - half), pytest.approx(d.mean() + half))
    # d_z = t / sqrt(n) (Lakens 2013)
    assert r["cohen_dz"] == pytest.approx(r["t"] / math.sqrt(6))
    # rank-biserial by hand: nonzero |d| = 10,2,10,6,10 -> ranks 4,1,4,2,4; all positive -> R+ = 15, R- = 0 -> 1
    assert r["rank_biserial"] == 1.0


def test_paired_agrees_with_pingouin():
    rng = np.random.default_rng(11)
    x = rng.normal(145, 15, 25).round()
    y = (x + rng.normal(4, 8, 25)).round()
    r = compare.before_after(pd.Series(x), pd.Series(y)).iloc[0]
    pt = pg.ttest(y, x, paired=True).iloc[0]
    assert r["t"] == pytest.approx(pt["T"]) and r["p"] == pytest.approx(pt["p_val"])
    assert r["df"] == pt["dof"]
    assert [r["ci_low"], r["ci_high"]] == pytest.approx(list(pt["CI95"]), abs=0.01)
    # pingouin's paired cohen_d is d_av (average SD), not d_z: check d_z against the definition instead
    diff = y - x
    assert r["cohen_dz"] == pytest.approx(diff.mean() / diff.std(ddof=1))
    pw = pg.wilcoxon(y, x).iloc[0]
    assert r["rank_biserial"] == pytest.approx(pw["RBC"])
    assert r["p_wilcoxon"] == pytest.approx(stats.wilcoxon(diff).pvalue)


def test_unpaired_welch_hedges_and_mann_whitney_agree_with_pingouin():
    rng = np.random.default_rng(2)
    x = rng.normal(145, 15, 30).round()
    y = rng.normal(152, 22, 21).round()
    b = pd.DataFrame({"respondent_id": [f"b{i}" for i in range(30)], "total": x})
    a = pd.DataFrame({"respondent_id": [f"a{i}" for i in range(21)], "total": np.append(y[:-1], np.nan)})
    y = y[:-1]
    r = compare.before_after(b, a, paired=False).iloc[0]
    assert list(compare.before_after(b, a, paired=False).columns) == [
        "design", "n", "n_excluded", "mean_before", "mean_after", "mean_diff", "ci_low", "ci_high",
        "t", "df", "p", "hedges_g", "p_mannwhitney"]
    assert (r["design"], r["n"], r["n_excluded"]) == ("unpaired", 50, 1)
    pt = pg.ttest(y, x, correction=True).iloc[0]   # Welch
    assert r["t"] == pytest.approx(pt["T"]) and r["p"] == pytest.approx(pt["p_val"])
    assert r["df"] == pytest.approx(pt["dof"])
    # Welch–Satterthwaite df by hand
    v1, v2 = x.var(ddof=1) / 30, y.var(ddof=1) / 20
    assert r["df"] == pytest.approx((v1 + v2) ** 2 / (v1 ** 2 / 29 + v2 ** 2 / 19))
    assert [r["ci_low"], r["ci_high"]] == pytest.approx(list(pt["CI95"]), abs=0.01)
    assert r["hedges_g"] == pytest.approx(pg.compute_effsize(y, x, paired=False, eftype="hedges"), rel=1e-3)
    assert r["p_mannwhitney"] == pytest.approx(pg.mwu(y, x).iloc[0]["p_val"])


def test_series_input_and_duplicate_ids():
    r = compare.before_after(pd.Series([1.0, 2, 3], index=list("xyz")), pd.Series([2.0, 4, 3], index=list("zyx")))
    # aligned by id: x 1->3, y 2->4, z 3->2: diffs 2, 2, -1 -> mean 1
    assert r["mean_diff"].iloc[0] == pytest.approx(1.0)
    dup = pd.DataFrame({"respondent_id": ["a", "a"], "total": [1.0, 2.0]})
    with pytest.raises(ValueError, match="more than once"):
        compare.before_after(dup, dup)


def test_design_of_pairs_linked_waves_and_explains_why():
    d = compare.design_of(BEFORE, AFTER)
    # with a value: before a-f (6), after a-f,h (7); both 6 = 100 % of the smaller wave
    assert d.paired and (d.n_before, d.n_after, d.n_both) == (6, 7, 6)
    assert "6 personer" in d.reason and "Parad" in d.reason
    staff_b = pd.DataFrame({"respondent_id": [f"p{i}" for i in range(10)], "total": 150.0})
    staff_a = pd.DataFrame({"respondent_id": [f"p{i}" for i in range(6, 16)], "total": 150.0})
    d2 = compare.design_of(staff_b, staff_a, lang="en")
    # 4 of 10 linked = 40 % < 80 % -> unpaired
    assert not d2.paired and d2.n_both == 4 and d2.share_linked == pytest.approx(0.4)
    assert "cross-section" in d2.reason and "40 %" in d2.reason


def test_subgroups_are_suppressed_below_min_n():
    r = compare.before_after_by(BEFORE, AFTER, by="kon", min_n=5).set_index("kon")
    # kvinna: a-e, 5 pairs, diffs 10,2,10,0,6 -> mean 5.6; man: f (g has no before value) -> 1 pair, suppressed
    assert r.loc["kvinna", "n"] == 5 and r.loc["kvinna", "mean_diff"] == pytest.approx(5.6)
    assert bool(r.loc["man", "undertryckt"]) and math.isnan(r.loc["man", "mean_diff"])
    assert not bool(r.loc["kvinna", "undertryckt"])


def test_mcnemar_exact_for_few_discordant_pairs():
    # 8 yes->no, 1 no->yes, 5 yes->yes, 6 no->no: exact two-sided binomial p = 2*(1+9)/2^9 = 0.0390625
    before = [True] * 8 + [False] * 1 + [True] * 5 + [False] * 6
    after = [False] * 8 + [True] * 1 + [True] * 5 + [False] * 6
    r = compare.mcnemar_before_after(before, after).iloc[0]
    assert (r["n"], r["n_yes_to_no"], r["n_no_to_yes"], r["discordant"]) == (20, 8, 1, 9)
    assert bool(r["exact"]) and r["p"] == pytest.approx(20 / 512)
    assert r["share_before"] == pytest.approx(13 / 20) and r["diff_pp"] == pytest.approx(100 * (6 - 13) / 20)


def test_mcnemar_chi_square_with_continuity_for_many_discordant_pairs():
    # 30 yes->no, 15 no->yes: chi2 = (|30-15| - 1)^2 / 45 = 196/45
    before = pd.Series([True] * 30 + [False] * 15 + [True] * 10 + [None], dtype="boolean")
    after = pd.Series([False] * 30 + [True] * 15 + [True] * 10 + [True], dtype="boolean")
    r = compare.mcnemar_before_after(before, after).iloc[0]
    assert not bool(r["exact"]) and r["n_excluded"] == 1
    assert r["statistic"] == pytest.approx(196 / 45)
    assert r["p"] == pytest.approx(stats.chi2.sf(196 / 45, 1))


def test_board_table_labels_columns_and_codes_and_formats_numbers():
    # Hand-made row: p 0.0004 reads "< 0,001"; the mean difference 5.2857 reads "5,3"; d_z 0.4517 -> "0,45";
    # design "paired" -> "Parad"; the second row was suppressed (n < 5 -> NaN) and reads "–".
    df = pd.DataFrame({"variabel": ["kon", "kon"], "grupp": ["kvinna", "man"], "design": ["paired"] * 2,
                       "n": [30, np.nan], "mean_diff": [5.2857, np.nan], "p": [0.0004, np.nan],
                       "cohen_dz": [0.4517, np.nan], "undertryckt": [False, True]})
    tab = compare.board_table(df)
    assert list(tab.columns) == ["Variabel", "Grupp", "Design", "Antal (n)", "Skillnad (efter − före)",
                                 "p-värde (t-test)", "Effektstorlek (Cohens dz)"]
    assert tab.iloc[0].tolist() == ["Kön", "Kvinna", "Parad", "30", "5,3", "< 0,001", "0,45"]
    assert tab.iloc[1, 3:].tolist() == ["–"] * 4
    en = compare.board_table(df, lang="en")
    assert en.iloc[0].tolist() == ["Sex", "Woman", "Paired", "30", "5.3", "< 0.001", "0.45"]


def test_format_p_rounds_to_three_decimals_and_floors_small_values():
    assert compare.format_p(0.0431) == "0,043"
    assert compare.format_p(0.000999) == "< 0,001"
    assert compare.format_p(None) == ""


def test_board_table_takes_labels_and_missing_values_from_the_one_formatter():
    # A code two vocabularies share reads as its column means it ("avslut": tidpunkt "Vid avslut",
    # not händelse "Avslut"); a boolean column reads Ja/Nej; a missing p-value (no test possible) is empty,
    # not "–", because "–" means only "suppressed"; a column in compare.kol.* gets that label.
    df = pd.DataFrame({"tidpunkt": ["avslut", "fore"], "respondentgrupp": ["personal", "deltagare"],
                       "exact": [True, False], "p": [0.5, np.nan], "undertryckt": [False, False]})
    tab = compare.board_table(df)
    assert list(tab.columns)[:2] == ["Mättillfälle", "Svarsgrupp"]
    assert tab["Mättillfälle"].tolist() == [formatting.label("avslut", vocabulary="tidpunkt"), "Före"]
    assert tab["Mättillfälle"].iloc[0] == "Vid avslut"
    assert tab["Svarsgrupp"].tolist() == ["Personal (om deltagare)", "Deltagare"]
    assert tab.iloc[:, 2].tolist() == ["Ja", "Nej"]
    assert tab.iloc[:, 3].tolist() == ["0,500", ""]
    assert not hasattr(compare, "_label_or") and not hasattr(compare, "_vocab_label")
