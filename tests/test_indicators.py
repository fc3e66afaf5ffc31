"""NNS 15 kärnindikatorer: item bank, questionnaires, results, pairs, targets, indicator 11.

Expected values are typed from DOMAIN.md §4.2 / seeds/001.md (verbatim texts, Tabell 2, counts)
or worked out by hand in the comments; CIs are cross-checked with another library.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation import indicators as ind
from evaluation import questionnaires as qn

# --------------------------------------------------------------------------- item bank


def test_bank_holds_the_28_statement_items_in_source_order():
    ids = ["1U", "1A", "2U", "2A", "3U", "3A", "3P", "4U", "4A", "5U", "5A", "6a", "6b", "7D", "7P", "8.1", "8.2",
           "9a", "9b", "9c", "9D", "10", "12", "13a", "13b", "14a", "14b", "15"]
    b = qn.items()
    assert list(b["id"]) == ids
    assert set(b["version"]) == {"nns-2014"}


@pytest.mark.parametrize("item,text", [
    # typed from DOMAIN.md §4.2
    ("1U", "Jag får stödet på ett sätt som är till nytta för mig."),
    ("2A", "Jag har fått vara med och bestämma vilket stöd som jag får/har fått."),
    ("3U", "Stödet jag får, får ta den tid som jag behövt."),
    ("4A", "Jag har haft en person eller ett team som jag kunnat vända mig till med mina olika frågor och behov."),
    ("7P", "Stödet vi har gett har gjort att deltagaren är mer redo att kunna arbeta eller studera."),
    ("9D", "Personalen tar tillvara mina erfarenheter, kunskaper och synpunkter för att göra verksamheten bättre."),
    ("13a", "Det synsätt vi har angående människors resurser och möjligheter omfattas av alla i den samordnade insatsen."),
    ("15", "Erfarenheter från vår samverkan har lett till att förebyggande insatser utvecklats."),
    ("8.2", "Vet vad jag kan tillföra"),
    ("9c", "Brukarorganisationer"),
])
def test_item_text_is_verbatim(item, text):
    assert qn.items().set_index("id").loc[item, "text"] == text


def test_stem_items_carry_the_verbatim_stem_and_a_shared_stem_group():
    b = qn.items().set_index("id")
    assert b.loc["8.1", "stam"] == "Jag upplever att de jag samverkar med hos andra myndigheter:"
    assert b.loc["9b", "stam"] == "Erfarenheter, kunskaper och synpunkter tas systematiskt tillvara från:"
    assert b.loc["8.1", "stamgrupp"] == b.loc["8.2", "stamgrupp"]
    assert b.loc["9a", "stamgrupp"] == b.loc["9b", "stamgrupp"] == b.loc["9c", "stamgrupp"]
    assert b.loc["9D", "stamgrupp"] != b.loc["9a", "stamgrupp"]


def test_indicators_have_type_level_and_indicator_11_is_a_register_measure():
    d = qn.indicators().set_index("nummer")
    assert list(d.index) == list(range(1, 16))
    assert set(d.loc[1:10, "typ"]) == {"process"} and set(d.loc[11:15, "typ"]) == {"effekt"}
    # DOMAIN.md: levels deltagare (1–7, 11), personal (8, 12, 13), organisation (9, 14), samhälle (10, 15)
    lv = d["niva"]
    assert sorted(lv[lv == "deltagare"].index) == [1, 2, 3, 4, 5, 6, 7, 11]
    assert sorted(lv[lv == "personal"].index) == [8, 12, 13]
    assert sorted(lv[lv == "organisation"].index) == [9, 14]
    assert sorted(lv[lv == "samhalle"].index) == [10, 15]
    assert list(d.index[d["metod"] == "register"]) == [11]
    assert 11 not in set(qn.items()["indikator"])
    assert d.loc[2, "rubrik"] == "Deltagarna upplever inflytande över rehabiliteringsprocessen."


def test_questionnaires_reproduce_the_item_counts_of_tabell_2():
    # DOMAIN.md: deltagare pågående 7, avslut 9, personal under 2 / avslut 3 / 1–3 mån 1, insatspersonal 8,
    # förbundschef 4, styrelse 3, parternas chefsgrupp 2
    expected = {("deltagare", "under"): "1U, 2U, 3U, 4U, 5U, 7D, 9D",
                ("deltagare", "avslut"): "1A, 2A, 3A, 4A, 5A, 6a, 6b, 7D, 9D",
                ("personal", "under"): "3P, 7P",
                ("personal", "avslut"): "3P, 6a, 7P",
                ("personal", "manadsvis"): "7P",
                ("insatspersonal", "halvar"): "8.1, 8.2, 9a, 9b, 10, 12, 13a, 13b",
                ("forbundschef", "halvar"): "9a, 9b, 9c, 10",
                ("styrelse", "halvar"): "12, 14a, 14b",
                ("parternas_chefsgrupp", "halvar"): "12, 15"}
    counts = dict({("deltagare", "under"): 7, ("deltagare", "avslut"): 9, ("personal", "under"): 2,
                   ("personal", "avslut"): 3, ("personal", "manadsvis"): 1, ("insatspersonal", "halvar"): 8,
                   ("forbundschef", "halvar"): 4, ("styrelse", "halvar"): 3, ("parternas_chefsgrupp", "halvar"): 2})
    got = qn.questionnaire_counts().set_index(["respondentgrupp", "tidpunkt"])
    for key, ids in expected.items():
        assert got.loc[key, "pastaenden"] == ids
        assert got.loc[key, "antal"] == counts[key]


def test_tabell2_is_rebuilt_from_the_bank():
    # DOMAIN.md §4.2 Tabell 2, typed row by row (– = empty)
    expected = {
        "Deltagare": ["1, 2, 3, 4, 5, 7, 9", "1, 2, 3, 4, 5, 6, 7, 9", "7", "–", "–"],
        "Personal": ["3, 7", "3, 6, 7", "7", "8, 9, 10, 12, 13", "–"],
        "Förbundschef": ["–", "–", "–", "9, 10", "–"],
        "SCB": ["–", "–", "–", "–", "11"],
        "Styrelse": ["–", "–", "–", "12, 14", "–"],
        "Parternas chefsgrupp": ["–", "–", "–", "12, 15", "–"],
    }
    tab = qn.tabell2()
    assert list(tab.index) == list(expected)
    for src, row in expected.items():
        assert tab.loc[src].tolist() == row


def test_counting_conventions_give_29_28_and_26_points():
    # DOMAIN.md: all sub-items 28 + 1 = 29; stem 8 as one 27 + 1 = 28; stems 8 and 9a–c as one 25 + 1 = 26
    assert qn.count_points() == 29
    assert qn.count_points(include_register=False) == 28
    assert qn.count_points(("8",)) == 28
    assert qn.count_points(("8", "9abc")) == 26
    assert qn.count_points(("8", "9abc"), include_register=False) == 25
    with pytest.raises(ValueError):
        qn.count_points(("99",))


def test_item_columns_write_the_dot_as_underscore_and_map_back():
    assert qn.column("8.1") == "nns_8_1"
    assert qn.item_id("nns_8_1") == "8.1"
    assert qn.item_id("nns_13b") == "13b"


def test_csv_template_has_survey_columns_and_the_questionnaire_items(tmp_path):
    p = tmp_path / "mall.csv"
    df = qn.template_csv("forbundschef", "halvar", path=p, n_rows=2, local_items=["samverkan"])
    assert list(df.columns[-5:]) == ["nns_9a", "nns_9b", "nns_9c", "nns_10", "nns_lokal_samverkan"]
    back = pd.read_csv(p)
    assert back["formversion"].tolist() == ["nns-2014"] * 2
    assert {"respondent_id", "vag", "tidpunkt", "instrument"} <= set(back.columns)


def test_html_form_is_swedish_with_anchors_and_configurable_scale():
    html6 = qn.form_html("deltagare", "avslut")
    assert "Instämmer inte alls" in html6 and "Instämmer helt" in html6
    assert "Det som tar vid är planerat att påbörjas inom rimlig tid." in html6
    assert html6.count("&#9744;") == 9 * 6          # 9 items × 6 boxes
    html5 = qn.form_html("insatspersonal", "halvar", scale_max=5)
    assert html5.count("&#9744;") == 8 * 5
    assert html5.count("Jag upplever att de jag samverkar med hos andra myndigheter:") == 1   # stem printed once
    assert "5 Instämmer helt" in html5 and "6 Instämmer helt" not in html5


# --------------------------------------------------------------------------- results


def _styrelse(values, forbund="X", vag="2024H1", start=0):
    n = len(values)
    return pd.DataFrame({"respondent_id": [f"{forbund}{vag}{i + start}" for i in range(n)], "respondentgrupp": "styrelse",
                         "forbund": forbund, "vag": vag, "tidpunkt": "halvar", "instrument": "nns",
                         "formversion": "nns-2014", "nns_12": values})


def test_item_results_on_a_hand_worked_dataset():
    s = _styrelse([6, 5, 4, 2, 1, None])
    r = ind.item_results(s, min_n=5).set_index("item").loc["12"]
    # n = 5 answered of 6 asked; mean 18/5 = 3.6; median 4; SD² = (2.4²+1.4²+0.4²+1.6²+2.6²)/4 = 17.2/4 = 4.3
    assert (r["n_tillfragade"], r["n"], r["bortfall"]) == (6, 5, 1)
    assert r["andel_bortfall"] == pytest.approx(1 / 6)
    assert r["medel"] == pytest.approx(3.6)
    assert r["median"] == 4
    assert r["sd"] == pytest.approx(math.sqrt(4.3))
    assert r["andel_topp2"] == pytest.approx(2 / 5)      # 5 and 6
    assert r["andel_botten2"] == pytest.approx(2 / 5)    # 1 and 2
    assert [r[f"andel_{k}"] for k in range(1, 7)] == pytest.approx([0.2, 0.2, 0, 0.2, 0.2, 0.2])
    # t-based CI: 3.6 ± t(0.975, 4) · √4.3/√5 ; Wilson CI cross-checked with scipy's binomtest
    half = stats.t.ppf(0.975, 4) * math.sqrt(4.3) / math.sqrt(5)
    assert (r["medel_ki_lag"], r["medel_ki_hog"]) == pytest.approx((3.6 - half, 3.6 + half))
    w = stats.binomtest(2, 5).proportion_ci(0.95, method="wilson")
    assert (r["topp2_ki_lag"], r["topp2_ki_hog"]) == pytest.approx((w.low, w.high))


def test_top_two_follows_scale_max_and_out_of_range_answers_raise():
    s = _styrelse([5, 4, 3, 2, 1])
    r = ind.item_results(s, scale_max=5, min_n=1).iloc[0]
    assert r["andel_topp2"] == pytest.approx(2 / 5)     # 4 and 5 on a five-step scale
    assert "andel_6" not in r.index
    with pytest.raises(ind.ResponseRangeError):
        ind.item_results(_styrelse([6, 5, 4, 3, 2]), scale_max=5)
    with pytest.raises(ind.ResponseRangeError):
        ind.item_results(_styrelse([0, 5, 4, 3, 2]))


def test_small_cells_are_suppressed():
    s = pd.concat([_styrelse([6, 5, 4, 2, 1]), _styrelse([6, 6, 1], forbund="Y")], ignore_index=True)
    r = ind.item_results(s, min_n=5).set_index("forbund")
    assert not r.loc["X", "undertryckt"] and r.loc["X", "n"] == 5
    assert r.loc["Y", "undertryckt"]
    assert np.isnan(r.loc["Y", "n"]) and np.isnan(r.loc["Y", "medel"]) and np.isnan(r.loc["Y", "andel_6"])
    assert np.isnan(r.loc["Y", "bortfall"])             # n not recoverable from asked − non-response


def test_respondent_groups_are_never_pooled_by_default():
    s = pd.DataFrame({"respondent_id": ["d1", "d2", "p1"], "respondentgrupp": ["deltagare", "deltagare", "personal"],
                      "forbund": "X", "vag": "V", "tidpunkt": "avslut", "nns_6a": [6, 4, 2]})
    r = ind.item_results(s, min_n=1).set_index("respondentgrupp")
    assert r.loc["deltagare", "medel"] == 5 and r.loc["personal", "medel"] == 2
    with pytest.raises(ind.IndicatorError):
        ind.item_results(s, by=("forbund", "vag"))
    pooled = ind.item_results(s, by=("forbund", "vag"), pool_groups=True, min_n=1)
    assert pooled["medel"].iloc[0] == pytest.approx(4)


def test_answers_outside_the_questionnaire_are_ignored_with_a_warning():
    s = _styrelse([6, 5, 4, 2, 1]).assign(nns_1U=[3, None, None, None, None])
    with pytest.warns(UserWarning, match="does not contain"):
        r = ind.item_results(s, min_n=1)
    assert "1U" not in set(r["item"])


def test_local_supplementary_items_are_reported_apart():
    s = _styrelse([6, 5, 4, 2, 1]).assign(nns_lokal_dialog=[1, 2, 3, None, 5])
    core = ind.item_results(s, min_n=1)
    local = ind.item_results(s, min_n=1, lokala=True)
    assert list(core["item"]) == ["12"]
    assert list(local["item"]) == ["lokal_dialog"] and bool(local["lokal"].iloc[0])
    assert local["n"].iloc[0] == 4 and local["bortfall"].iloc[0] == 1


def test_indicator_results_pool_the_indicators_items_within_a_group():
    s = pd.DataFrame({"respondent_id": list("abc"), "respondentgrupp": "styrelse", "forbund": "X", "vag": "V",
                      "tidpunkt": "halvar", "nns_14a": [6, 2, None], "nns_14b": [5, None, None]})
    r = ind.indicator_results(s, min_n=1).set_index("indikator").loc[14]
    # answers 6, 5, 2 from respondents a, b; c answered nothing
    assert (r["n"], r["n_svar"], r["antal_pastaenden"], r["pastaenden"]) == (2, 3, 2, "14a, 14b")
    assert r["medel"] == pytest.approx(13 / 3)
    assert r["bortfall"] == 3                            # b:14b, c:14a, c:14b
    assert r["andel_topp2"] == pytest.approx(2 / 3)


def test_composite_reports_cronbach_alpha_and_item_count():
    s = pd.DataFrame({"respondent_id": list("abcdef"), "respondentgrupp": "styrelse", "forbund": "X", "vag": "V",
                      "tidpunkt": "halvar", "nns_14a": [1, 2, 3, 4, 5, 6], "nns_14b": [1, 3, 3, 4, 6, None]})
    c = ind.composite(s, 14, "styrelse", min_n=5).iloc[0]
    # listwise: 5 complete; α = k/(k−1)·(1 − Σvar_i/var_total) = 2·(1 − (2.5 + 3.3)/11.3)
    assert c["n"] == 5 and c["antal_pastaenden"] == 2
    assert c["alfa"] == pytest.approx(2 * (1 - 5.8 / 11.3))
    assert c["medel"] == pytest.approx((2 + 5 + 6 + 8 + 11) / 10)
    with pytest.raises(ind.IndicatorError, match="at least two"):
        ind.composite(s, 12, "styrelse")


def test_paired_comparison_when_participants_link():
    u, a = [2, 3, 4, 5, 3], [4, 5, 5, 5, 4]
    s = pd.DataFrame({"respondent_id": list("abcde") * 2, "respondentgrupp": "deltagare", "forbund": "X",
                      "vag": "V", "tidpunkt": ["under"] * 5 + ["avslut"] * 5,
                      "nns_1U": u + [None] * 5, "nns_1A": [None] * 5 + a})
    r = ind.compare_pairs(s, min_n=5).set_index("par").loc["1U↔1A"]
    assert r["design"] == "paired" and r["n"] == 5
    assert (r["mean_before"], r["mean_after"]) == pytest.approx((3.4, 4.6))   # 17/5, 23/5
    assert r["p_wilcoxon"] == pytest.approx(stats.wilcoxon(a, u).pvalue)
    # different people at the two timepoints: unpaired
    s2 = s.assign(respondent_id=list("abcde") + list("vwxyz"))
    assert ind.compare_pairs(s2, min_n=1)["design"].iloc[0] == "unpaired"


def test_indicator7_shows_both_ratings_and_marks_incomplete_episodes():
    s = pd.DataFrame({"respondent_id": ["d1", "p1", "d2", "p3", "d9"],
                      "episod_id": ["e1", "e1", "e2", "e3", None],
                      "respondentgrupp": ["deltagare", "personal", "deltagare", "personal", "deltagare"],
                      "forbund": "X", "vag": "V", "tidpunkt": "avslut",
                      "nns_7D": [5, None, 4, None, 6], "nns_7P": [None, 3, None, 6, None]})
    i7 = ind.indicator7(s)
    e1 = i7[i7["episod_id"] == "e1"].iloc[0]
    assert (e1["deltagare"], e1["personal"], e1["differens"], e1["komplett"]) == (5, 3, 2, True)
    assert i7.loc[i7["episod_id"] == "e2", "saknas"].item() == "personal"
    assert i7.loc[i7["episod_id"] == "e3", "saknas"].item() == "deltagare"
    assert i7["episod_id"].isna().sum() == 1                # unlinkable participant answer, incomplete
    summ = ind.indicator7_summary(i7, min_n=1).iloc[0]
    assert (summ["n_episoder"], summ["n"]) == (4, 1)
    assert summ["andel_komplett"] == pytest.approx(0.25)


def test_trend_sorts_waves_and_carries_the_ci():
    s = pd.concat([_styrelse([6, 6, 5, 2, 1], vag="2025H1"), _styrelse([6, 1, 1, 1, 1], vag="2024H2")],
                  ignore_index=True)
    tr = ind.trend(ind.item_results(s), "12", "styrelse")
    assert list(tr["vag"]) == ["2024H2", "2025H1"]
    assert list(tr["varde"]) == pytest.approx([0.2, 0.6])
    assert (tr["ki_lag"] < tr["varde"]).all() and (tr["ki_hog"] > tr["varde"]).all()
    m = ind.trend(ind.item_results(s), "12", "styrelse", matt="medel")
    assert list(m["varde"]) == pytest.approx([2.0, 4.0])


def test_aggregate_weighting_per_respondent_and_per_forbund():
    s = pd.concat([_styrelse([6] * 5), _styrelse([1] * 5 + [6] * 5, forbund="Y")], ignore_index=True)
    per_resp = ind.compare_with_aggregate(s, "svarande")
    per_fb = ind.compare_with_aggregate(s, "forbund")
    agg_r = per_resp[per_resp["aggregat"]].iloc[0]
    agg_f = per_fb[per_fb["aggregat"]].iloc[0]
    assert agg_r["andel_topp2"] == pytest.approx(10 / 15)   # pooled answers
    assert agg_f["andel_topp2"] == pytest.approx(0.75)      # (1.0 + 0.5) / 2
    assert (agg_r["n"], agg_r["n_forbund"]) == (15, 2)
    assert agg_f["viktning"] == "forbund"
    assert set(per_resp.loc[~per_resp["aggregat"], "enhet"]) == {"X", "Y"}


# --------------------------------------------------------------------------- målnivåer and due board


def _targets(tmp_path, body):
    p = tmp_path / "m.yaml"
    p.write_text("forbund: X\nmalnivaer:\n" + body, encoding="utf-8")
    return ind.load_targets(p)


def test_attainment_status_and_colour(tmp_path):
    tg = _targets(tmp_path, "  - {indikator: 12, item: '12', respondentgrupp: styrelse, matt: andel_topp2, niva: 0.8}\n"
                            "  - {indikator: 12, item: '12', respondentgrupp: styrelse, matt: andel_topp2, niva: 0.62}\n"
                            "  - {indikator: 12, respondentgrupp: styrelse, matt: medel, niva: 4.0}\n"
                            "  - {indikator: 12, respondentgrupp: styrelse, matt: andel_botten2, niva: 0.1}\n"
                            "  - {indikator: 14, respondentgrupp: styrelse, matt: medel, niva: 4.0}\n")
    s = _styrelse([6, 5, 5, 4, 2])
    a = ind.attainment(s, tg, min_n=5)
    # top two = 3/5 = 0.6; mean = 22/5 = 4.4; bottom two = 1/5 = 0.2; no answers to 14
    assert a["varde"].tolist()[:4] == pytest.approx([0.6, 0.6, 4.4, 0.2])
    assert a["status"].tolist() == ["ej_uppnadd", "nara", "uppnadd", "ej_uppnadd", "saknas"]
    assert a["riktning"].tolist()[3] == "hogst"
    assert a["farg"].tolist()[2] == ind.STATUS_COLORS["uppnadd"]
    assert a["status_text"].tolist()[1] == "Nära"
    # below min_n the value is suppressed and the status is 'saknas'
    assert ind.attainment(s.iloc[:3], tg.iloc[:1], min_n=5)["status"].item() == "saknas"


def test_targets_file_is_validated(tmp_path):
    with pytest.raises(ind.IndicatorError, match="not an item of indicator"):
        _targets(tmp_path, "  - {indikator: 1, item: 2U, respondentgrupp: deltagare, matt: andel_topp2, niva: 0.8}\n")
    with pytest.raises(ind.IndicatorError, match="respondentgrupp"):
        _targets(tmp_path, "  - {indikator: 1, item: 1U, matt: andel_topp2, niva: 0.8}\n")
    with pytest.raises(ind.IndicatorError, match="matt"):
        _targets(tmp_path, "  - {indikator: 1, item: 1U, respondentgrupp: deltagare, matt: summa, niva: 0.8}\n")


def test_sample_target_files_load():
    from pathlib import Path
    root = Path(__file__).resolve().parents[1] / "data_samples" / "malnivaer"
    for name, fb in (("norrdal.yaml", "Norrdal"), ("sodera.yaml", "Söderå")):
        tg = ind.load_targets(root / name)
        assert set(tg["forbund"]) == {fb} and len(tg) >= 5
        assert 11 in set(tg["indikator"])


def test_due_board_lists_questionnaires_due_in_the_wave():
    ep = pd.DataFrame({"episod_id": ["e1", "e2", "e3"], "forbund": "X",
                       "inskrivningsdatum": pd.to_datetime(["2024-02-01", "2023-10-15", "2024-08-01"]),
                       "avslutsdatum": pd.to_datetime(["2024-05-15", None, None])})
    sv = pd.DataFrame({"respondent_id": ["d1", "p1", "s1"], "episod_id": ["e1", "e2", None],
                       "respondentgrupp": ["deltagare", "personal", "styrelse"], "forbund": "X", "vag": "2024H1",
                       "tidpunkt": ["avslut", "manadsvis", "halvar"], "instrument": "nns"})
    b = ind.due_board(ep, sv, "2024H1", interval_months=3)
    # e1 ends 2024-05-15: avslut (D+P) and one 3-monthly due 2024-05-01 (D+P); e2 runs: under (D+P) and
    # 3-monthly due 2024-01-15 and 2024-04-15 (D+P each); e3 starts after the wave; 4 halvår questionnaires
    assert len(b) == 4 + 2 + 4 + 4
    e1 = b[b["episod_id"] == "e1"]
    assert sorted(zip(e1["respondentgrupp"], e1["tidpunkt"])) == [
        ("deltagare", "avslut"), ("deltagare", "manadsvis"), ("personal", "avslut"), ("personal", "manadsvis")]
    got = b[b["status"] == "inkommen"]
    assert sorted(zip(got["respondentgrupp"], got["tidpunkt"], got["episod_id"].fillna("-"))) == [
        ("deltagare", "avslut", "e1"), ("personal", "manadsvis", "e2"), ("styrelse", "halvar", "-")]
    assert b.loc[b["tidpunkt"] == "avslut", "antal_pastaenden"].tolist() == [9, 3]
    assert pd.Timestamp("2024-01-15") in set(b.loc[b["episod_id"] == "e2", "forfaller"])


def test_wave_period():
    assert ind.wave_period("2025H1") == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-06-30"))
    with pytest.raises(ind.IndicatorError):
        ind.wave_period("våren 2025")


# --------------------------------------------------------------------------- indicator 11


def _episodes11():
    return pd.DataFrame({
        "episod_id": ["a", "b", "c", "d", "e", "f"],
        "forbund": "X", "insats": ["I", "I", "I", "I", "J", "I"],
        "avslutsdatum": pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31", "2024-12-31", "2024-04-30", None]),
        "avslutsorsak": ["forvarvsarbete", "studier", "tw_arbete", "forvarvsarbete", "aktivt_arbetssokande", None],
        "forsorjning_efter": ["subventionerad_anstallning", "studiemedel", "lon|forsorjningsstod", "lon", "a_kassa",
                              None],
    })


def test_indicator11_counts_held_outcomes_among_goal_reaching_exits():
    ev = pd.DataFrame({"episod_id": ["a", "b", "c"], "datum": pd.to_datetime(["2025-03-01", "2024-05-01", "2024-02-01"]),
                       "handelse": ["aterkontakt", "forsorjningsstod_ater", "forsorjningsstod_ater"]})
    per = ind.indicator11_episodes(_episodes11(), ev, lag_months=12, as_of="2025-06-30").set_index("episod_id")
    # goal by exit: a, b, c (tw_arbete → förvärvsarbete), d; e is not a goal exit; f is open
    assert per["mal_uppnatt"].to_dict() == {"a": True, "b": True, "c": True, "d": True, "e": False}
    # a: event 2025-03-01 after its window (to 2025-01-31) → held; b: relapse in window; c: relapse 2024-02-01 is
    # before... its exit 2024-03-31, so not in the window → held; d: window ends 2025-12-31 > as_of → censored
    assert per.loc["d", "censurerad"] and pd.isna(per.loc["d", "bibehallen"])
    assert [per.loc[x, "bibehallen"] for x in "abc"] == [True, False, True]
    agg = ind.indicator11(_episodes11(), ev, 12, as_of="2025-06-30", min_n=1).iloc[0]
    assert (agg["kohort"], agg["censurerade"], agg["uppfoljda"], agg["bibehallen"]) == (4, 1, 3, 2)
    assert agg["andel"] == pytest.approx(2 / 3)
    assert ind.indicator11(_episodes11(), ev, 12, as_of="2025-06-30", min_n=5)["undertryckt"].item()


def test_indicator11_goal_by_forsorjning_counts_subsidised_work_and_studies_as_egen():
    per = ind.indicator11_episodes(_episodes11(), None, 6, goal="forsorjning", as_of="2026-01-01").set_index("episod_id")
    # subventionerad_anstallning and studiemedel are egen försörjning; lon + försörjningsstöd is not
    assert per["mal_uppnatt"].to_dict() == {"a": True, "b": True, "c": False, "d": True, "e": False}


def test_indicator11_lag_can_vary_by_insats():
    per = ind.indicator11_episodes(_episodes11(), None, {"I": 6, "*": 24}, as_of="2026-01-01").set_index("episod_id")
    assert per.loc["a", "lag_manader"] == 6 and per.loc["e", "lag_manader"] == 24
    assert per.loc["a", "uppfoljning_slut"] == pd.Timestamp("2024-07-31")


# --------------------------------------------------------------------------- figures


def test_diverging_bars_put_low_steps_left_and_high_steps_right():
    r = ind.item_results(_styrelse([6, 5, 4, 2, 1, 6]), min_n=1)
    fig = ind.figure_diverging(r)
    by_name = {tr.name: tr for tr in fig.data}
    assert by_name["1 Instämmer inte alls"].x[0] < 0
    assert by_name["6 Instämmer helt"].x[0] == pytest.approx(100 * 2 / 6)
    assert sum(abs(x) for tr in fig.data for x in tr.x) == pytest.approx(100)
    # odd scale: the middle step is split around zero
    fig5 = ind.figure_diverging(ind.item_results(_styrelse([5, 3, 3, 1, 2]), scale_max=5, min_n=1), scale_max=5)
    mid = [tr for tr in fig5.data if tr.name == "3"]
    assert sorted(tr.x[0] for tr in mid) == pytest.approx([-20, 20])


def test_trend_and_target_figures_have_swedish_labels():
    s = pd.concat([_styrelse([6, 6, 5, 2, 1], vag="2025H1"), _styrelse([6, 1, 1, 1, 1], vag="2024H2")],
                  ignore_index=True)
    f = ind.figure_trend(ind.trend(ind.item_results(s), "12", "styrelse"))
    assert f.layout.xaxis.title.text == "Mätomgång"
    att = pd.DataFrame({"forbund": "X", "indikator": [12], "item": ["12"], "respondentgrupp": ["styrelse"],
                        "matt": ["andel_topp2"], "niva": [0.8], "varde": [0.6], "status": ["ej_uppnadd"],
                        "status_text": ["Ej uppnådd"], "farg": [ind.STATUS_COLORS["ej_uppnadd"]]})
    g = ind.figure_targets(att)
    assert g.data[0].x[0] == pytest.approx(60) and g.data[1].x[0] == pytest.approx(80)
    assert "Styrelse" in g.data[0].y[0]


def test_board_table_labels_groups_and_shows_shares_and_targets_in_percent():
    # A share-measure target: level 0.80 -> "80,0 %", value 0.538462 (7 of 13) -> "53,8 %";
    # a mean-measure target stays a number (5.2 -> "5,20"); codes are labelled, not shown raw.
    att = pd.DataFrame({"forbund": ["Norrdal", "Norrdal"], "respondentgrupp": ["deltagare", "personal"],
                        "matt": ["andel_topp2", "medel"], "niva": [0.80, 5.0], "n": [13, 9],
                        "varde": [7 / 13, 5.2], "status_text": ["Ej uppnådd", "Uppnådd"]})
    tab = ind.board_table(att)
    assert tab.loc[0, "Målnivå"] == "80,0\xa0%" and tab.loc[0, "Utfall"] == "53,8\xa0%"
    assert tab.loc[1, "Utfall"] == "5,20"
    assert tab.loc[0, "Svarsgrupp"] == "Deltagare" and tab.loc[0, "Mått"] == "Andel i de två högsta stegen"
    assert not any("_" in c for c in tab.columns)


def test_indicator7_small_missing_counts_cannot_be_derived_from_the_row():
    """Issue 15: episodes = complete + without the participant's rating + without the staff's. A count of
    1–4 is hidden, and so is a second part (else the total minus the shown parts gives it back); an LP
    attacker that knows the row's shown figures finds every hidden part within an interval ≥ 5 wide."""
    from scipy.optimize import linprog

    def frame(complete, no_d, no_p):
        n = complete + no_d + no_p
        return pd.DataFrame({"forbund": "X", "vag": "V", "tidpunkt": "under",
                             "deltagare": [5.0] * complete + [None] * no_d + [4.0] * no_p,
                             "personal": [5.0] * complete + [3.0] * no_d + [None] * no_p,
                             "komplett": [True] * complete + [False] * (n - complete),
                             "saknas": [""] * complete + ["deltagare"] * no_d + ["personal"] * no_p})

    for parts in ((12, 1, 13), (9, 19, 9), (12, 1, 0), (7, 2, 2), (0, 7, 0), (3, 10, 10)):
        row = ind.indicator7_summary(frame(*parts), min_n=5).iloc[0]
        shown = {c: row[c] for c in ("n", "saknar_deltagare", "saknar_personal") if pd.notna(row[c])}
        # nothing of 1–4 is shown
        assert not any(0 < v < 5 for v in shown.values()), (parts, shown)
        hidden = [c for c in ("n", "saknar_deltagare", "saknar_personal") if c not in shown]
        if not hidden:
            assert parts in ((9, 19, 9), (0, 7, 0))  # no part of 1–4: all shown, zeros too
            continue
        # the attacker: x ≥ 0, the shown parts fixed, their sum = the episodes where those are shown
        names = ["n", "saknar_deltagare", "saknar_personal"]
        a_eq, b_eq = [], []
        for c, v in shown.items():
            a_eq.append([1.0 if x == c else 0.0 for x in names]); b_eq.append(float(v))
        if pd.notna(row["n_episoder"]):
            a_eq.append([1.0, 1.0, 1.0]); b_eq.append(float(row["n_episoder"]))
            assert row["n_episoder"] == sum(parts)
        if pd.notna(row["andel_komplett"]):
            assert "n" in shown and pd.notna(row["n_episoder"])
        for c in hidden:
            k = names.index(c)
            lo = linprog([1.0 if i == k else 0.0 for i in range(3)], A_eq=a_eq, b_eq=b_eq, bounds=[(0, None)] * 3)
            hi = linprog([-1.0 if i == k else 0.0 for i in range(3)], A_eq=a_eq, b_eq=b_eq, bounds=[(0, None)] * 3)
            width = float("inf") if hi.status == 3 else (-hi.fun - lo.fun)
            assert width >= 5, (parts, c, width)


def test_indicator11_is_hidden_in_board_outputs_and_shown_to_the_evaluator():
    """Issue 15: indicator 11's counts are no cell (exits in a window of dates, return events) and give hidden
    cells (on the samples Söderå's 51 not yet followed up recovers a suppressed 2025 sus cell): with the
    protected NNS table (a board output) its målnivå row has no n or value and says why, and the headline's
    indikator11 is null with its keys; without it (the evaluator) the hand-counted 2 of 3 held."""
    from evaluation import surveytables, tableset

    ev = pd.DataFrame({"episod_id": ["a", "b", "c"], "datum": pd.to_datetime(["2025-03-01", "2024-05-01", "2024-02-01"]),
                       "handelse": ["aterkontakt", "forsorjningsstod_ater", "forsorjningsstod_ater"]})
    s = pd.DataFrame({"respondent_id": list("abcdef"), "respondentgrupp": "styrelse", "forbund": "X", "vag": "V",
                      "tidpunkt": "halvar", "nns_12": [6, 5, 5, 4, 2, 6]})
    tg = pd.DataFrame([{"forbund": "X", "indikator": 11, "item": None, "respondentgrupp": None, "tidpunkt": None,
                        "matt": "andel_bibehallen", "niva": 0.6, "riktning": "minst", "marginal": 0.05},
                       {"forbund": "X", "indikator": 12, "item": "12", "respondentgrupp": "styrelse", "tidpunkt": None,
                        "matt": "andel_topp2", "niva": 0.5, "riktning": "minst", "marginal": 0.05}])
    ts = tableset.protect(surveytables.build_nns(s))
    kw = {"as_of": "2025-06-30", "min_n": 1}
    evaluator = ind.target_attainment(s, tg, _episodes11(), ev, **kw).set_index("indikator")
    assert evaluator.at[11, "varde"] == pytest.approx(2 / 3) and evaluator.at[11, "n"] == 3
    board = ind.target_attainment(s, tg, _episodes11(), ev, tabeller=ts, **kw).set_index("indikator")
    assert pd.isna(board.at[11, "varde"]) and pd.isna(board.at[11, "n"]) and board.at[11, "undertryckt"]
    assert board.at[11, "status_text"] == "Visas inte: ingår inte i den skyddade tabelluppsättningen"
    assert board.at[12, "varde"] == pytest.approx(4 / 6)  # an NNS target of a published cell is still shown
    per = ind.indicator11_episodes(_episodes11(), ev, 12, as_of="2025-06-30")
    res = ind.item_results(s)
    assert ind.headline(s, res, ind11_episodes=per, min_n=1)["indikator11"]["uppfoljda"] == 3
    hidden = ind.headline(s, res, ind11_episodes=per, min_n=1, tabeller=ts)["indikator11"]
    assert hidden == {"kohort": None, "uppfoljda": None, "bibehallen": None, "andel": None}
