"""KASAM scoring, reliability, reliable change, norms and aggregate-only checks.

Expected values are worked out by hand in comments, typed from DOMAIN.md (§4.1, §9) or computed
by an independent formula; none is copied from the module's own output.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation import kasam

ROOT = Path(__file__).resolve().parents[1]


def soc13_frame(rows: dict[str, list]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=[f"soc13_{i}" for i in range(1, 14)])


# ----------------------------------------------------------------------------------------- scoring
def test_scores_three_soc13_respondents_by_hand_with_reverse_items_and_missing_rule():
    # SOC-13 keys (DOMAIN.md §4.1): B = 2,6,8,9,11; H = 3,5,10,13; M = 1,4,7,12; reverse 1,2,3,7,10 (8 - x).
    # Allowed missing per subscale: floor(0.2*5)=1 in B, floor(0.2*4)=0 in H and M.
    nan = np.nan
    d = soc13_frame({
        # A: all 5. Reversed items become 3.
        #   B: i2=3 + 5+5+5+5 = 23; H: i3=3 + i5=5 + i10=3 + i13=5 = 16; M: i1=3 + i4=5 + i7=3 + i12=5 = 16
        #   total 55, no missing.
        "A": [5] * 13,
        # B: items 1..13 = 1,2,3,4,5,_,7,1,2,3,4,5,6 (item 6 missing, a B item: 1 of 5 allowed)
        #   reversed: i1=7, i2=6, i3=5, i7=1, i10=5
        #   B: answered i2=6, i8=1, i9=2, i11=4 -> 13 / 4 = 3.25 per item * 5 = 16.25 (prorated)
        #   H: i3=5, i5=5, i10=5, i13=6 = 21;  M: i1=7, i4=4, i7=1, i12=5 = 17
        #   total 16.25 + 21 + 17 = 54.25, 1 missing.
        "B": [1, 2, 3, 4, 5, nan, 7, 1, 2, 3, 4, 5, 6],
        # C: all 4 but item 4 missing (an M item, 0 allowed) -> M missing -> total missing.
        #   B: 5*4 = 20 (8-4 = 4 for reversed), H: 16.
        "C": [4, 4, 4, nan, 4, 4, 4, 4, 4, 4, 4, 4, 4],
    })
    s = kasam.score(d, form="soc13")
    assert s.loc["A", ["begriplighet", "hanterbarhet", "meningsfullhet", "total"]].tolist() == [23, 16, 16, 55]
    assert s.loc["B", ["begriplighet", "hanterbarhet", "meningsfullhet", "total"]].tolist() == [16.25, 21, 17, 54.25]
    assert s.loc["C", ["begriplighet", "hanterbarhet"]].tolist() == [20, 16]
    assert math.isnan(s.loc["C", "meningsfullhet"]) and math.isnan(s.loc["C", "total"])
    assert s["n_missing"].tolist() == [0, 1, 1]
    assert set(s["form"]) == {"soc13"} and set(s["formversion"]) == {"sv"}


def test_two_missing_items_in_a_five_item_subscale_make_it_missing():
    # B items 2 and 6 missing: 2 > floor(0.2*5) = 1 -> B and total missing; H and M still scored (all 4 -> 16).
    d = soc13_frame({"x": [4, np.nan, 4, 4, 4, np.nan, 4, 4, 4, 4, 4, 4, 4]})
    s = kasam.score(d, form="soc13").iloc[0]
    assert math.isnan(s["begriplighet"]) and math.isnan(s["total"])
    assert (s["hanterbarhet"], s["meningsfullhet"], s["n_missing"]) == (16, 16, 2)


def test_missing_share_is_configurable():
    # with 25 %: floor(0.25*4) = 1 missing allowed in M -> respondent C above gets M = 4*4 = 16, total 20+16+16 = 52
    d = soc13_frame({"C": [4, 4, 4, np.nan, 4, 4, 4, 4, 4, 4, 4, 4, 4]})
    assert kasam.score(d, form="soc13", max_missing_share=0.25).loc["C", "total"] == 52
    # with 0 %: nothing may be missing, even in B
    d2 = soc13_frame({"x": [4, 4, 4, 4, 4, np.nan, 4, 4, 4, 4, 4, 4, 4]})
    assert math.isnan(kasam.score(d2, form="soc13", max_missing_share=0.0).loc["x", "begriplighet"])


def test_soc29_all_sevens_scored_by_hand():
    # All items 7; the 13 reverse items score 8 - 7 = 1.
    # B (11 items, reversed 1 and 5): 9*7 + 2*1 = 65
    # H (10 items, reversed 6,13,20,23,25,27): 4*7 + 6*1 = 34
    # M (8 items, reversed 4,7,11,14,16): 3*7 + 5*1 = 26;  total 125
    d = pd.DataFrame([[7] * 29], columns=[f"soc29_{i}" for i in range(1, 30)])
    s = kasam.score(d, form="soc29").iloc[0]
    assert [s["begriplighet"], s["hanterbarhet"], s["meningsfullhet"], s["total"]] == [65, 34, 26, 125]


def test_soc29_prorates_two_missing_in_begriplighet_but_not_two_in_meningsfullhet():
    # all items 4 (reversed 8-4 = 4), so a prorated subscale is 4 * k.
    cols = [f"soc29_{i}" for i in range(1, 30)]
    d = pd.DataFrame([[4.0] * 29, [4.0] * 29], columns=cols)
    d.loc[0, ["soc29_1", "soc29_3"]] = np.nan     # 2 of 11 B items: allowed (floor 2.2 = 2) -> 44
    d.loc[1, ["soc29_4", "soc29_7"]] = np.nan     # 2 of 8 M items: not allowed (floor 1.6 = 1)
    s = kasam.score(d)
    assert s.loc[0, "begriplighet"] == 44 and s.loc[0, "total"] == 4 * 29
    assert math.isnan(s.loc[1, "meningsfullhet"]) and math.isnan(s.loc[1, "total"])


def test_out_of_range_values_raise_an_import_error_naming_rows_and_columns():
    d = soc13_frame({"r1": [4] * 13, "r2": [4, 4, 8] + [4] * 10, "r3": [0] + [4] * 12})
    with pytest.raises(kasam.ScoringError) as err:
        kasam.score(d, form="soc13")
    msg = str(err.value)
    assert "'r2' soc13_3=8" in msg and "'r3' soc13_1=0" in msg and "1–7" in msg
    d2 = soc13_frame({"r1": [4.5] + [4] * 12})
    with pytest.raises(ValueError, match="soc13_1"):
        kasam.score(d2, form="soc13")


def test_missing_item_columns_raise():
    d = soc13_frame({"a": [4] * 13}).drop(columns="soc13_13")
    with pytest.raises(kasam.ScoringError, match="soc13_13"):
        kasam.score(d, form="soc13")


def test_score_keeps_ids_and_records_form_version_per_row():
    d = soc13_frame({0: [4] * 13, 1: [4] * 13})
    d["respondent_id"] = ["a", "b"]
    d["formversion"] = ["sv-13-1993", "sv-13-2010"]
    s = kasam.score(d, form="soc13")
    assert s["respondent_id"].tolist() == ["a", "b"]
    assert s["formversion"].tolist() == ["sv-13-1993", "sv-13-2010"]
    assert {"begriplighet", "hanterbarhet", "meningsfullhet", "total", "n_missing", "form", "formversion"} <= set(s)


def test_generic_four_point_instrument_scores_item_mean():
    # brukarenkät: 5 items 1-4, total = item mean; 1 missing allowed (floor(0.2*5)).
    cols = ["brukarenkat_bemotande", "brukarenkat_tillganglighet", "brukarenkat_personlig_kontakt",
            "brukarenkat_delaktighet", "brukarenkat_snabb_hjalp"]
    d = pd.DataFrame([[4, 3, 3, 2, 4], [4, np.nan, 3, 2, 3], [4, np.nan, np.nan, 2, 3]], columns=cols)
    s = kasam.score(d, form="brukarenkat")
    # (4+3+3+2+4)/5 = 3.2; (4+3+2+3)/4 = 3.0; two missing -> missing
    assert s["total"].iloc[:2].tolist() == [3.2, 3.0] and math.isnan(s["total"].iloc[2])
    with pytest.raises(kasam.ScoringError):
        kasam.score(d.assign(brukarenkat_bemotande=5), form="brukarenkat")


def test_vectorised_scoring_of_many_respondents_matches_a_per_row_computation():
    # speed (1 000 000 respondents) is measured in `make bench`; here only correctness at scale
    rng = np.random.default_rng(7)
    x = rng.integers(1, 8, size=(100_000, 29)).astype(float)
    x[rng.random(x.shape) < 0.02] = np.nan
    d = pd.DataFrame(x, columns=[f"soc29_{i}" for i in range(1, 30)])
    s = kasam.score(d)
    # spot check row 0 against a plain per-row computation
    row = x[0].copy()
    rev = [1, 4, 5, 6, 7, 11, 13, 14, 16, 20, 23, 25, 27]
    for i in rev:
        row[i - 1] = 8 - row[i - 1]
    parts = []
    for items, allowed in (([1, 3, 5, 10, 12, 15, 17, 19, 21, 24, 26], 2), ([2, 6, 9, 13, 18, 20, 23, 25, 27, 29], 2),
                           ([4, 7, 8, 11, 14, 16, 22, 28], 1)):
        v = row[[i - 1 for i in items]]
        parts.append(np.nanmean(v) * len(items) if np.isnan(v).sum() <= allowed else np.nan)
    assert s.loc[0, "total"] == pytest.approx(sum(parts), nan_ok=True)


# ------------------------------------------------------------------------------------ reliability
def _consistent_soc13(n=60, seed=3):
    rng = np.random.default_rng(seed)
    base = rng.integers(2, 7, size=(n, 1))
    items = np.clip(base + rng.integers(-1, 2, size=(n, 13)), 1, 7).astype(float)
    raw = items.copy()
    for i in (1, 2, 3, 7, 10):
        raw[:, i - 1] = 8 - raw[:, i - 1]  # as answered: reversed items point the other way
    raw[0, 4] = np.nan  # one incomplete respondent, dropped listwise
    return pd.DataFrame(raw, columns=[f"soc13_{i}" for i in range(1, 14)]), items


def test_cronbach_alpha_matches_hand_formula_listwise():
    raw, keyed = _consistent_soc13()
    rel = kasam.reliability(raw, "soc13").set_index("skala")
    k = keyed[1:]  # listwise: respondent 0 removed
    # alpha = k/(k-1) * (1 - sum item variances / variance of sum) (Cronbach 1951)
    a = 13 / 12 * (1 - k.var(axis=0, ddof=1).sum() / k.sum(axis=1).var(ddof=1))
    assert rel.loc["total", "alpha"] == pytest.approx(a, abs=1e-10)
    assert rel.loc["total", "n"] == 59 and rel.loc["total", "n_items"] == 13
    assert rel.loc["total", "ci_low"] < a < rel.loc["total", "ci_high"]
    b = keyed[:, [1, 5, 7, 8, 10]]  # B items 2,6,8,9,11; the missing item 5 is an H item: all 60 complete
    ab = 5 / 4 * (1 - b.var(axis=0, ddof=1).sum() / b.sum(axis=1).var(ddof=1))
    assert rel.loc["begriplighet", "alpha"] == pytest.approx(ab, abs=1e-10)


def test_item_rest_correlation_matches_numpy_on_keyed_items():
    raw, keyed = _consistent_soc13()
    ir = kasam.item_rest(raw, "soc13").set_index("item")
    k = keyed[1:]
    rest = k.sum(axis=1) - k[:, 0]
    assert ir.loc["soc13_1", "r_rest_total"] == pytest.approx(np.corrcoef(k[:, 0], rest)[0, 1])
    m = keyed[:, [0, 3, 6, 11]]  # M items 1,4,7,12: complete for all 60 (the missing item is in H)
    assert ir.loc["soc13_1", "r_rest_skala"] == pytest.approx(np.corrcoef(m[:, 0], m[:, 1:].sum(1))[0, 1])
    assert ir.loc["soc13_1", "skala"] == "meningsfullhet"


# -------------------------------------------------------------------------------- reliable change
def test_rci_thresholds_match_domain_brief():
    # DOMAIN.md §4.1: SOC-29 SD 18 -> 15.8 at .90, 19.3 at .85; SOC-13 SD 11.7 -> 12.6 at .85, 14.5 at .80
    assert round(kasam.rci_threshold(18, 0.90), 1) == 15.8
    assert round(kasam.rci_threshold(18, 0.85), 1) == 19.3
    assert round(kasam.rci_threshold(11.7, 0.85), 1) == 12.6
    assert round(kasam.rci_threshold(11.7, 0.80), 1) == 14.5


def test_reliable_change_classifies_against_the_threshold():
    # SD 18, r .90: S_diff = sqrt(2)*18*sqrt(.1) = 8.05; threshold 15.78 points.
    before = pd.DataFrame({"respondent_id": list("abcde"), "total": [140, 150, 150, 160, 150.0]})
    after = pd.DataFrame({"respondent_id": list("abcdf"), "total": [156, 165, 134, 160, 100.0]})
    rc = kasam.reliable_change(before, after, sd=18, reliability=0.90)
    # a: +16 > 15.78 improved; b: +15 unchanged; c: -16 deteriorated; d: 0; e/f unpaired -> excluded
    assert rc.set_index("respondent_id")["kategori"].to_dict() == {
        "a": "forbattrad", "b": "oforandrad", "c": "forsamrad", "d": "oforandrad"}
    assert rc.loc[0, "rci"] == pytest.approx(16 / (math.sqrt(2) * 18 * math.sqrt(0.1)))
    summ = kasam.reliable_change_summary(rc, lang="sv").set_index("kategori")
    assert summ["n"].to_dict() == {"forbattrad": 1, "oforandrad": 2, "forsamrad": 1}
    assert summ.loc["oforandrad", "andel"] == 0.5 and summ["n_total"].iloc[0] == 4


def test_reliable_change_defaults_to_baseline_sd_and_alpha():
    raw, keyed = _consistent_soc13(n=30, seed=5)
    raw = raw.dropna()
    scores = kasam.score(raw, "soc13")["total"]
    before = scores.rename(lambda i: f"p{i}")
    after = before + 3
    rc = kasam.reliable_change(before, after, baseline_items=raw, form="soc13")
    k = keyed[raw.index]
    alpha = 13 / 12 * (1 - k.var(axis=0, ddof=1).sum() / k.sum(axis=1).var(ddof=1))
    assert rc.attrs["reliability"] == pytest.approx(alpha)
    assert rc.attrs["sd"] == pytest.approx(np.std(k.sum(axis=1), ddof=1))


# ------------------------------------------------------------------------------------------ norms
def test_compare_norm_against_swedish_reference():
    x = pd.Series([140.0, 150, 145, 155, 135])
    r = kasam.compare_norm(x).iloc[0]
    # mean 145, sd = sqrt(250/4) = 7.9057; t = (145-151)/(7.9057/sqrt5) = -1.6971; std diff = -6/18
    assert r["diff"] == -6 and r["std_diff"] == pytest.approx(-1 / 3)
    assert r["t"] == pytest.approx(-6 / (math.sqrt(62.5) / math.sqrt(5)))
    from scipy import stats
    assert r["p"] == pytest.approx(2 * stats.t.sf(abs(r["t"]), 4))
    assert r["ref_medel"] == 151 and r["ref_sd"] == 18


def test_descriptive_bands_follow_domain_brief():
    # SOC-29 low 83-140, moderate 141-165, high 166-191; SOC-13 low 30-60, moderate 61-75, high 76-91
    assert kasam.bands(pd.Series([100, 140, 141, 165, 166, 191])).tolist() == [
        "lag", "lag", "mattlig", "mattlig", "hog", "hog"]
    assert kasam.bands(pd.Series([60, 61, 75, 76, np.nan]), form="soc13").tolist()[:4] == [
        "lag", "mattlig", "mattlig", "hog"]


def test_band_table_suppresses_small_cells_and_is_labelled_descriptive():
    t = kasam.band_table(pd.Series([120.0] * 6 + [150.0] * 2 + [170.0] * 7), min_n=5)
    t = t.set_index("band")
    assert t.loc["lag", "n"] == 6 and t.loc["hog", "n"] == 7
    assert bool(t.loc["mattlig", "undertryckt"]) and math.isnan(t.loc["mattlig", "n"])
    assert "inte diagnostiskt" in t.attrs["caveat"]
    assert t.loc["lag", "etikett"].endswith("(beskrivande)")


# ---------------------------------------------------------------------- aggregate-only checking
VAGEN_UT_WIDE = pd.DataFrame({
    # typed from DOMAIN.md §9 / seed 004 Table K1
    "period": ["2011-10", "2013-05", "förändring"],
    "begriplighet": [49, 45, -4], "hanterbarhet": [52, 38, -14], "meningsfullhet": [44, 44, -8],
    "total": [145, 125, -20],
})


def _assert_vagen_ut_findings(f: pd.DataFrame):
    by = {(r.kontroll, r.skala, r.period): r for r in f.itertuples()}
    # October 2011 consistent: 49 + 52 + 44 = 145
    oct11 = by[("summa", "total", "2011-10")]
    assert oct11.status == "ok" and oct11.beraknat == 145
    # May 2013: subscales 45 + 38 + 44 = 127 against a stated 125
    may13 = by[("summa", "total", "2013-05")]
    assert (may13.status, may13.beraknat, may13.angivet) == ("avvikelse", 127, 125)
    assert "127" in may13.meddelande and "125" in may13.meddelande
    # meningsfullhet 44 -> 44 yet stated change -8
    me = [r for k, r in by.items() if k[0] == "forandring" and k[1] == "meningsfullhet"][0]
    assert (me.status, me.angivet, me.beraknat) == ("avvikelse", -8, 0)
    # other stated changes agree (-4, -14, -20)
    ok_changes = {k[1] for k, r in by.items() if k[0] == "forandring" and r.status == "ok"}
    assert ok_changes == {"begriplighet", "hanterbarhet", "total"}
    # the stated subscale changes 4 + 14 + 8 = 26 against 20 (DOMAIN.md §9)
    cs = [r for k, r in by.items() if k[0] == "forandring_summa"][0]
    assert (cs.status, cs.beraknat, cs.angivet) == ("avvikelse", -26, -20)
    # form: SOC-29 only (145 > 91)
    assert f.attrs["former"] == ["soc29"]
    form = f[f["kontroll"] == "form"].iloc[0]
    assert "SOC-29" in form["meddelande"] and "SOC-13" not in form["meddelande"]
    assert set(f.loc[f["status"] == "avvikelse", "kontroll"]) == {"summa", "forandring", "forandring_summa"}
    assert (f["status"] == "avvikelse").sum() == 3


def test_vagen_ut_reported_figures_typed_from_domain_brief():
    _assert_vagen_ut_findings(kasam.check_reported(VAGEN_UT_WIDE))


def test_vagen_ut_long_format_in_the_sample_file():
    path = ROOT / "data_samples" / "rapporterat" / "vagen_ut.csv"
    table = pd.read_csv(path)
    # the file also holds försörjningsstöd rows (F1, F2): only the KASAM rows are checked
    _assert_vagen_ut_findings(kasam.check_reported(table))


def test_stated_soc13_form_flags_impossible_values():
    f = kasam.check_reported(VAGEN_UT_WIDE, form="soc13", lang="en")
    bad = f[(f["kontroll"] == "intervall") & (f["status"] == "avvikelse")]
    # 145 and 125 exceed 91; begriplighet 49, 45 exceed 35; H 52, 38 exceed 28; M 44 > 28 (both waves)
    assert len(bad) == 8
    assert any("impossible on soc13" in m for m in bad["meddelande"])


def test_rounding_differences_are_not_called_contradictions():
    # subscales 48.6 + 51.6 + 44.6 = 144.8 reported rounded as 49 + 52 + 45 = 146 vs total 145: rounding possible
    w = pd.DataFrame({"period": ["2020"], "begriplighet": [49], "hanterbarhet": [52], "meningsfullhet": [45],
                      "total": [145]})
    f = kasam.check_reported(w)
    assert f.loc[f["kontroll"] == "summa", "status"].item() == "avrundning"


def test_reported_summary_computes_changes_and_item_free_levels():
    s = kasam.reported_summary(VAGEN_UT_WIDE)
    assert s.loc["summa_delskalor", "2013-05"] == 127
    assert s.loc["hanterbarhet", "forandring_beraknad"] == -14
    assert s.loc["meningsfullhet", "forandring_angiven"] == -8


def test_score_summary_counts_means_and_sds_per_wave_and_hides_small_waves():
    # före: 120, 130, 140, 150, 160 -> mean 140, SD sqrt(1000/4) = 15.81 -> "15,8";
    # efter has only 3 scored respondents (< min_n 5): "–" instead of n, mean and SD.
    sc = pd.DataFrame({"tidpunkt": ["fore"] * 5 + ["efter"] * 3,
                       "total": [120.0, 130, 140, 150, 160, 150, 150, 150]})
    tab = kasam.score_summary(sc)
    row = tab.loc["KASAM totalt (poäng)"]
    assert row[("Före", "Antal (n)")] == "5" and row[("Före", "Medelvärde")] == "140,0"
    assert row[("Före", "Standardavvikelse")] == "15,8"
    assert row[("Efter", "Antal (n)")] == "–" and row[("Efter", "Medelvärde")] == "–"


def test_board_table_labels_items_scales_and_check_statuses():
    ir = pd.DataFrame({"item": ["soc29_7"], "skala": ["meningsfullhet"], "n": [72], "r_rest_skala": [0.371],
                       "r_rest_total": [0.168]})
    assert kasam.board_table(ir, decimals=2).iloc[0].tolist() == ["Fråga 7", "Meningsfullhet", "72", "0,37", "0,17"]
    chk = pd.DataFrame({"kontroll": ["summa"], "skala": ["total"], "period": ["2013-05"], "angivet": [125.0],
                        "beraknat": [127.0], "differens": [2.0], "status": ["avvikelse"], "meddelande": ["x"]})
    tab = kasam.board_table(chk, lang="en")
    assert "kontroll" not in tab.columns and tab.iloc[0]["Status"] == "Inconsistent"
    assert tab.iloc[0]["Difference"] == "2.0"


def test_staff_excluded_answers_of_one_to_four_are_hidden_on_the_board():
    """Issue 15: 3 staff answers left out for a missing total are a small group: "–" on the board; 0 and 7 stay."""
    from evaluation import compare

    r = pd.DataFrame({"design": ["unpaired"] * 3, "n": [42, 40, 30], "n_excluded": [3, 0, 7],
                      "mean_before": [155.5, 150.0, 149.0], "mean_after": [152.7, 151.0, 150.0]})
    board = compare.board_table(kasam.hide_small_excluded(r, 5), "sv")
    assert board["Exkluderade"].tolist() == ["–", "0", "7"]
    assert board["Antal (n)"].tolist() == ["42", "40", "30"]


def test_subscale_figure_draws_only_waves_whose_cells_are_published():
    """The board's subscale figure is a slice: a wave whose kasam_fore/kasam_efter cell is hidden
    is not drawn (issue 15), and with none left the figure is one explanatory line, no bars."""
    from evaluation import tableset

    ep = pd.DataFrame({"forbund": ["A"] * 9, "insats": ["X"] * 9, "kon": ["kvinna"] * 9,
                       "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 9), "avslutsdatum": pd.NaT})
    sc = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(9)] * 2, "forbund": "A", "insats": "X",
                       "kon": "kvinna", "tidpunkt": ["fore"] * 9 + ["efter"] * 9, "form": "soc29",
                       "datum": pd.to_datetime(["2025-02-01"] * 9 + ["2025-09-01"] * 9),
                       "total": [130.0] * 9 + [136.0] * 9, "begriplighet": [44.0] * 9 + [55.0] * 9,
                       "hanterbarhet": [40.0] * 18, "meningsfullhet": [32.0] * 18})
    ts = tableset.build(ep, sc, reference_date="2025-12-31")
    both = kasam.figure_subscales(sc, tabeller=ts, forbund="A")
    assert len(both.data) == 2
    # by hand: begriplighet per item, 44 / 11 items = 4.0 before, 55 / 11 = 5.0 after
    assert [round(both.data[0].y[0], 2), round(both.data[1].y[0], 2)] == [4.0, 5.0]
    hidden = ts.cells["matt"].eq("kasam_fore")
    ts.cells.loc[hidden, "status"] = tableset.SECONDARY
    one = kasam.figure_subscales(sc, tabeller=ts, forbund="A")
    assert [tr.name for tr in one.data] == [kasam._wave_label("efter", "sv")]
    ts.cells.loc[ts.cells["matt"].eq("kasam_efter"), "status"] = tableset.SECONDARY
    none = kasam.figure_subscales(sc, tabeller=ts, forbund="A")
    assert len(none.data) == 0 and "visas inte" in none.layout.annotations[0].text
