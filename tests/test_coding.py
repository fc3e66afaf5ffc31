"""Tests of evaluation.coding: codebooks, tallies, saturation, co-occurrence, agreement, quotes.

Expected values are worked out by hand in the comments, taken from Krippendorff (2011), or
cross-checked against scikit-learn.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from evaluation import coding
from evaluation.coding import (
    CodebookError,
    UnknownCodeError,
    codebook_alpha,
    codebook_from_records,
    combine_codebooks,
    cooccurrence,
    kappa_per_code,
    krippendorff_alpha,
    load_codebook,
    presence,
    quotes,
    saturation,
    tally,
)

SAMPLE_CODES = ["ff1_individen_i_centrum", "ff2_samsyn", "ff3_motivation", "ff4_utflode", "delta_organisering",
                "delta_synsatt_kollegor", "delta_synsatt_sokande", "delta_yrkesroll"]


@pytest.fixture
def tw():
    return load_codebook("teamwork_framgangsfaktorer")


@pytest.fixture
def small():
    """Seven rows, four segments, two sessions, two groups, three speakers, two coders."""
    rows = [
        ("s1", "F1", "d1", "g1", "p1", "A", "ff3_arbetsgladje"),
        ("s1", "F1", "d1", "g1", "p1", "A", "ff3_prova_nytt"),
        ("s1", "F1", "d1", "g1", "p1", "B", "ff3_arbetsgladje"),
        ("s2", "F1", "d1", "g1", "p2", "A", "ff2_samarbete"),
        ("s3", "F2", "d2", "g2", "p3", "B", "ff3_motivation"),
        ("s4", "F2", "d2", "g2", "p3", "A", "ff2_samsyn"),
        ("s4", "F2", "d2", "g2", "p3", "B", "ff2_okad_forstaelse"),
    ]
    return pd.DataFrame(rows, columns=["segment_id", "session", "dokument", "grupp", "talare_id", "kodare", "kod"])


# --- codebooks ---------------------------------------------------------------------------------
def test_shipped_codebooks_load_and_contain_the_sample_code_ids():
    names = coding.available_codebooks()
    assert {"delta_personal", "teamwork_framgangsfaktorer", "vagen_ut", "ensam_ar_inte_stark"} <= set(names)
    cb = combine_codebooks(*names)
    assert set(SAMPLE_CODES) <= set(cb.themes)
    assert cb.koder["kod"].is_unique
    for name in names:
        book = load_codebook(name)
        assert book.version and book.kalla
        assert (book.koder["beskrivning"].str.len() > 0).all()


def test_ensam_ar_inte_stark_has_three_motives_four_perspectives_and_a_3x2_effect_matrix():
    cb = load_codebook("ensam_ar_inte_stark")
    k = cb.koder.set_index("kod")
    assert (k["forald"] == "eis_motiv").sum() == 3  # etiska, verksamhets-, effektivitetsmotivet (000 s. 7)
    assert (k["forald"] == "eis_perspektiv").sum() == 4  # individen, personalen, verksamheten, samhället
    channels = k.index[k["forald"] == "eis_effekt"]
    assert len(channels) == 3 and all((k["forald"] == c).sum() == 2 for c in channels)
    assert k.loc["eis_effekt_indirekt_subtil", "djup"] == 3
    assert cb.tema_of("eis_effekt_indirekt_subtil") == "eis_effekt"


def test_hierarchy_levels_and_rollup(tw):
    assert tw.ancestor_at("ff3_kompetensutveckling", 1) == "ff3_motivation"
    assert tw.ancestor_at("ff3_motivation", 2) == "ff3_motivation"  # shallower than asked: itself
    dp = load_codebook("delta_personal")
    assert dp.ancestor_at("delta_vinst_inte_ensam", 2) == "delta_roll_vinster"
    assert dp.label("delta_yrkesroll", "en") == "Professional role"


def test_malformed_codebooks_raise():
    with pytest.raises(CodebookError, match="defined twice"):
        codebook_from_records([{"kod": "a"}, {"kod": "a"}], id="x")
    with pytest.raises(CodebookError, match="parent"):
        codebook_from_records([{"kod": "a", "forald": "zz"}], id="x")
    with pytest.raises(CodebookError, match="cycle"):
        codebook_from_records([{"kod": "a", "forald": "b"}, {"kod": "b", "forald": "a"}], id="x")
    with pytest.raises(CodebookError, match="no codebook"):
        load_codebook("finns_inte")


def test_unknown_codes_are_named_with_their_rows(tw, small):
    bad = small.copy()
    bad.loc[5, "kod"] = "ff9_okand"
    with pytest.raises(UnknownCodeError, match=r"ff9_okand.*rows 5"):
        tally(bad, tw)


# --- tallies -----------------------------------------------------------------------------------
def test_theme_tally_by_group_hand_worked(tw, small):
    out = tally(small, tw, by="grupp", level="tema").set_index(["grupp", "kod"])
    # g1: segments s1 (ff3 via two sub-codes: counts once) and s2 (ff2); 1 session; speakers p1, p2
    assert out.loc[("g1", "ff3_motivation"), ["segment", "sessioner", "talare"]].tolist() == [1, 1, 1]
    assert out.loc[("g1", "ff2_samsyn"), ["segment", "sessioner", "talare"]].tolist() == [1, 1, 1]
    assert out.loc[("g1", "ff3_motivation"), ["segment_totalt", "sessioner_totalt", "talare_totalt"]].tolist() == [2, 1, 2]
    assert out.loc[("g1", "ff3_motivation"), "andel_segment"] == pytest.approx(0.5)
    # g2: s3 (ff3, coder B only) and s4 (ff2, both coders): one speaker p3
    assert out.loc[("g2", "ff3_motivation"), "andel_talare"] == pytest.approx(1.0)
    assert out.loc[("g2", "ff1_individen_i_centrum"), "segment"] == 0
    assert out.loc[("g2", "ff4_utflode"), "andel_sessioner"] == 0.0


def test_overall_tally_pools_coders_and_counts_distinct_units(tw, small):
    out = tally(small, tw, by=None, level="tema", tvarkoder=False).set_index("kod")
    # ff3: s1, s3 -> 2 segments, sessions F1, F2, speakers p1, p3; ff2: s2, s4 -> speakers p2, p3
    assert out.loc["ff3_motivation", ["segment", "sessioner", "talare"]].tolist() == [2, 2, 2]
    assert out.loc["ff2_samsyn", ["segment", "sessioner", "talare"]].tolist() == [2, 2, 2]
    assert out.loc["ff2_samsyn", "talare_totalt"] == 3
    assert "tw_valens" not in out.index  # unused cross-code left out


def test_code_level_tally_of_one_coder(tw, small):
    out = tally(small, tw, level="kod", kodare="A", include_zero=False)
    # coder A: s1 arbetsgladje + prova_nytt, s2 samarbete, s4 samsyn
    assert dict(zip(out["kod"], out["segment"])) == {"ff3_arbetsgladje": 1, "ff3_prova_nytt": 1,
                                                     "ff2_samarbete": 1, "ff2_samsyn": 1}


def test_tally_by_several_columns(tw, small):
    df = small.assign(talarroll=["deltagare"] * 4 + ["personal"] * 3)
    out = tally(df, tw, by=["talarroll", "session"], level="tema", include_zero=False)
    assert set(map(tuple, out[["talarroll", "session"]].drop_duplicates().values)) == {("deltagare", "F1"),
                                                                                       ("personal", "F2")}


def test_board_tally_suppresses_rows_with_fewer_distinct_speakers_than_min_n(tw, small):
    tl = tally(small, tw, by=None, level="tema", tvarkoder=False)
    out = coding.board_tally(tl, min_n=2).set_index("kod")
    # ff2 and ff3 have 2 speakers each (kept at min_n=2); with min_n=3 both go
    assert out.loc["ff3_motivation", "segment"] == 2 and not out.loc["ff3_motivation", "undertryckt"]
    out3 = coding.board_tally(tl, min_n=3).set_index("kod")
    assert math.isnan(out3.loc["ff3_motivation", "segment"]) and out3.loc["ff3_motivation", "undertryckt"]
    assert out3.loc["ff1_individen_i_centrum", "segment"] == 0  # nobody: nothing to protect


def test_saturation_curve_hand_worked(tw, small):
    themes = saturation(small, tw, level="tema")
    assert themes["nya_koder"].tolist() == [2, 0]  # F1 brings ff3, ff2; F2 nothing new
    codes = saturation(small, tw, level="kod", order=["F2", "F1"])
    # F2: ff3_motivation, ff2_samsyn, ff2_okad_forstaelse; F1: arbetsgladje, prova_nytt, samarbete
    assert codes["session"].tolist() == ["F2", "F1"]
    assert codes["nya_koder"].tolist() == [3, 3] and codes["kumulativt"].tolist() == [3, 6]
    assert codes["andel_kumulativt"].tolist() == [0.5, 1.0]


def test_cooccurrence_within_segment_and_document(tw, small):
    seg = cooccurrence(small, tw, unit="segment", level="kod")
    assert seg.loc["ff3_arbetsgladje", "ff3_prova_nytt"] == 1  # s1
    assert seg.loc["ff2_samsyn", "ff2_okad_forstaelse"] == 1  # s4, different coders: union
    assert seg.loc["ff2_samarbete", "ff3_arbetsgladje"] == 0
    themes = cooccurrence(small, tw, unit="segment", level="tema")
    assert themes.loc["ff2_samsyn", "ff3_motivation"] == 0 and themes.loc["ff3_motivation", "ff3_motivation"] == 2
    docs = cooccurrence(small, tw, unit="dokument", level="tema")
    assert docs.loc["ff2_samsyn", "ff3_motivation"] == 2  # d1 and d2 both hold ff2 and ff3
    assert (docs.to_numpy() == docs.to_numpy().T).all()


# --- agreement ---------------------------------------------------------------------------------
def _two_coders(a: list[int], b: list[int], kod: str = "x", doc: str = "d") -> pd.DataFrame:
    """Segments where coder A / B coded `kod` in unit i when a[i] / b[i] is 1; both coded the document."""
    rows = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x:
            rows.append((f"u{i:02d}", doc, "A", kod))
        if y:
            rows.append((f"u{i:02d}", doc, "B", kod))
    # a filler code in every unit so that every unit appears in the data for both coders
    for i in range(len(a)):
        rows.append((f"u{i:02d}", doc, "A", "filler"))
        rows.append((f"u{i:02d}", doc, "B", "filler"))
    return pd.DataFrame(rows, columns=["segment_id", "dokument", "kodare", "kod"])


def test_kappa_per_code_hand_worked_with_ci():
    # 2x2: both yes 4, only A 1, only B 2, both no 3 (n = 10)
    a = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    b = [1, 1, 1, 1, 0, 1, 1, 0, 0, 0]
    out = kappa_per_code(_two_coders(a, b)).set_index("kod").loc["x"]
    assert out[["n_enheter", "bada_ja", "endast_a", "endast_b", "bada_nej"]].tolist() == [10, 4, 1, 2, 3]
    # po = 0.7; pA = 0.5, pB = 0.6; pe = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7 - 0.5) / 0.5 = 0.4
    assert out["procent_overens"] == pytest.approx(0.7)
    assert out["kappa"] == pytest.approx(0.4)
    assert out["kappa"] == pytest.approx(cohen_kappa_score(a, b))
    # Fleiss, Cohen & Everitt (1969) asymptotic variance, written out independently
    p = np.array([[4, 1], [2, 3]]) / 10
    r, c = p.sum(1), p.sum(0)
    k, pe = 0.4, 0.5
    term1 = sum(p[i, i] * (1 - (r[i] + c[i]) * (1 - k)) ** 2 for i in range(2))
    term2 = (1 - k) ** 2 * sum(p[i, j] * (c[i] + r[j]) ** 2 for i in range(2) for j in range(2) if i != j)
    se = math.sqrt((term1 + term2 - (k - pe * (1 - k)) ** 2) / (10 * (1 - pe) ** 2))
    assert out["kappa_se"] == pytest.approx(se)
    assert out["ki_lag"] == pytest.approx(0.4 - 1.959964 * se, abs=1e-5)
    assert out["ki_hog"] == pytest.approx(0.4 + 1.959964 * se, abs=1e-5)
    # alpha by hand: o11 = 8, o00 = 6, o10 = o01 = 3; n1 = 11, n0 = 9, n = 20
    # alpha = 1 - 19 * 6 / (2 * 11 * 9) = 1 - 114/198
    assert out["alpha"] == pytest.approx(1 - 114 / 198)


def test_kappa_is_missing_without_variation_but_agreement_is_reported():
    out = kappa_per_code(_two_coders([1, 1, 1], [1, 1, 1])).set_index("kod").loc["x"]
    assert out["procent_overens"] == 1.0 and math.isnan(out["kappa"])


def test_kappa_needs_two_coders_named_when_there_are_three():
    df = _two_coders([1, 0], [0, 1])
    df = pd.concat([df, df.assign(kodare="C")])
    with pytest.raises(ValueError, match="coders="):
        kappa_per_code(df)
    assert len(kappa_per_code(df, coders=("A", "C"))) == 2


def test_presence_marks_documents_a_coder_never_coded_as_missing():
    seg = pd.DataFrame({"segment_id": ["s1", "s2", "s1", "s3"], "dokument": ["d1", "d1", "d1", "d2"],
                        "kodare": ["A", "A", "B", "A"], "kod": ["x", "y", "x", "x"]})
    pres = presence(seg)
    assert pres[("x", "B")].tolist()[:2] == [1.0, 0.0]  # s1 coded, s2 not (B coded d1)
    assert math.isnan(pres.loc["s3", ("x", "B")])  # B never coded d2
    assert pres.loc["s3", ("x", "A")] == 1.0
    # extra units (an uncoded speaker turn) count as absent for coders of their document
    units = pd.DataFrame({"segment_id": ["s1", "s2", "s3", "s9"], "dokument": ["d1", "d1", "d2", "d1"]})
    assert presence(seg, units=units).loc["s9", ("x", "A")] == 0.0
    docs = presence(seg, unit="dokument")
    assert docs.loc["d1", ("y", "B")] == 0.0 and math.isnan(docs.loc["d2", ("y", "B")])


def test_krippendorff_alpha_reproduces_krippendorffs_worked_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers, 12 units,
    # values 1-5, missing allowed; the paper gives nominal alpha = 0.743 and interval alpha = 0.849.
    nan = np.nan
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    assert krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(data, level="interval") == pytest.approx(0.849, abs=5e-4)


def test_krippendorff_alpha_small_case_with_missing_by_hand():
    # u1: 1,1,1 (m=3: six 1-1 pairs / 2 -> o11 += 3); u2: 1,0,- (o10 += 1, o01 += 1);
    # u3: 0,0,0 (o00 += 3); u4: only one value -> not pairable.
    # n1 = n0 = 4, n = 8: alpha = 1 - 7 * 2 / (2 * 4 * 4) = 1 - 14/32 = 0.5625
    data = [[1, 1, 0, np.nan], [1, 0, 0, 1], [1, np.nan, 0, np.nan]]
    assert krippendorff_alpha(data) == pytest.approx(0.5625)
    # strings work for nominal data too
    assert krippendorff_alpha([["a", "a", "b"], ["a", "b", "b"]]) == pytest.approx(
        krippendorff_alpha([[0, 0, 1], [0, 1, 1]]))
    assert math.isnan(krippendorff_alpha([[1, 1], [1, 1]]))  # no variation


def test_codebook_alpha_pools_unit_by_code_pairs():
    seg = pd.DataFrame({"segment_id": ["1", "2", "1"], "dokument": "d", "kodare": ["A", "A", "B"],
                        "kod": ["x", "y", "x"]})
    # pairs (1,x) (1,y) (2,x) (2,y): A = 1,0,0,1; B = 1,0,0,0
    # o11 = 2, o00 = 4, o10 = o01 = 1; n1 = 3, n0 = 5, n = 8; alpha = 1 - 7*2/(2*3*5) = 1 - 14/30
    assert codebook_alpha(seg) == pytest.approx(1 - 14 / 30)


# --- quotes ------------------------------------------------------------------------------------
def test_quotes_mask_personnummer_and_names_and_spread_over_sessions(tw):
    seg = pd.DataFrame({
        "segment_id": ["a1", "a2", "b1"], "session": ["F1", "F1", "F2"], "grupp": "g", "talarroll": "deltagare",
        "kodare": "A", "kod": "ff2_samsyn",
        "text": ["Min handläggare Karin ringde mig, mitt nummer 811228-9874 stod på papperet.",
                 "Andra citatet i samma session.",
                 "Vi pratade med Ahmed om planen."],
    })
    out = quotes(seg, tw, n=2, names=["Karin"])
    assert out["segment_id"].tolist() == ["a1", "b1"]  # one per session before a second from F1
    assert "811228-9874" not in out["citat"].iloc[0] and "******-****" in out["citat"].iloc[0]
    assert "Karin" not in out["citat"].iloc[0]
    assert out["citat"].iloc[1] == "Vi pratade med [namn] om planen."  # capitalised-word mask
    assert "talare_id" not in out.columns
    short = quotes(seg, tw, n=1, max_chars=20)
    assert short["citat"].iloc[0].endswith("…") and len(short["citat"].iloc[0]) <= 22


def test_mask_names_keeps_sentence_starts_and_organisations():
    text = "Arbetsförmedlingen ringde. Sedan kom Lisa från Försäkringskassan."
    assert coding.mask_names(text, capitalised=True) == "Arbetsförmedlingen ringde. Sedan kom [namn] från Försäkringskassan."
    assert coding.mask_names("lisa och LISA", names=["Lisa"]) == "[namn] och [namn]"


# --- figures -----------------------------------------------------------------------------------
def test_figures_use_swedish_labels(tw, small):
    tl = tally(small, tw, by="grupp", level="tema", tvarkoder=False)
    fig = coding.figure_theme_bars(tl, tw, by="grupp")
    assert [tr.name for tr in fig.data] == ["g1", "g2"]
    assert "FF1 Individen i centrum" in fig.data[0].y
    assert fig.layout.title.text == "Teman per grupp"
    assert fig.data[0].x[list(fig.data[0].y).index("FF3 Motivation, arbetsglädje och bredare yrkesroll")] == 50
    heat = coding.figure_cooccurrence(cooccurrence(small, tw, level="tema"), tw)
    assert "segment" in heat.layout.title.text and heat.data[0].type == "heatmap"
    k = kappa_per_code(_two_coders([1, 1, 0, 0], [1, 0, 0, 0]))
    agr = coding.figure_agreement(k, lang="en")
    assert agr.layout.title.text == "Inter-coder agreement per code"
    sat = coding.figure_saturation(saturation(small, tw))
    assert sat.data[1].y[-1] == 6


# --- board tables, selection, headline ----------------------------------------------------------
def test_board_table_labels_suppresses_and_shows_percent(tw, small):
    tl = tally(small, tw, by="grupp", level="tema", tvarkoder=False)
    out = coding.board_table(tl, tw, min_n=2, lang="sv")
    assert list(out.columns[:3]) == ["Grupp", "Kod", "Antal segment"]
    row = out[(out["Grupp"] == "g1") & (out["Kod"] == "FF3 Motivation, arbetsglädje och bredare yrkesroll")].iloc[0]
    # g1/ff3: 1 speaker < 2 -> suppressed
    assert row["Antal segment"] == "–" and row["Andel av segmenten (%)"] == "–"
    kept = coding.board_table(tl, tw, min_n=1, lang="en")
    row = kept[(kept["Group"] == "g1") & (kept["Code"] == "SF2 Cooperation, shared view and understanding")].iloc[0]
    assert row["Share of segments (%)"] == "50.0"  # 1 of 2 segments in g1


def test_agreement_table_formats_for_lang():
    k = kappa_per_code(_two_coders([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], [1, 1, 1, 1, 0, 1, 1, 0, 0, 0]))
    sv = coding.agreement_table(k[k["kod"] == "x"], lang="sv").iloc[0]
    assert sv["Cohens kappa"] == "0,40" and sv["Andel överens (%)"] == "70,0" and sv["Antal enheter"] == "10"


def test_select_and_headline(tw, small):
    df = small.assign(forbund=["Norrdal"] * 4 + ["Söderå"] * 3)
    assert coding.select(df, forbund="Söderå")["segment_id"].unique().tolist() == ["s3", "s4"]
    with pytest.raises(KeyError, match="insats"):
        coding.select(df, insats="Team Work")
    head = coding.headline(small, tw)
    assert head["n_segment"] == 4 and head["n_sessioner"] == 2 and head["n_talare"] == 3
    assert head["teman_segment"]["ff3_motivation"] == 2 and head["teman_sessioner"]["ff2_samsyn"] == 2
    assert head["kodare"] == ["A", "B"] and head["mattnad_sista_nya"] == 3


def test_material_and_quote_tables_have_labelled_headers_and_groups():
    from evaluation import coding as cd

    tl = pd.DataFrame({"grupp": ["deltagare", "deltagare", "personal"], "kod": ["x", "y", "x"],
                       "segment_totalt": [18, 18, 1038], "sessioner_totalt": [1, 1, 2], "talare_totalt": [4, 4, 10]})
    mat = cd.material_table(tl)
    # one row per group; 1038 segments read "1\u202f038" (space as thousands separator)
    assert mat.values.tolist() == [["Deltagare", "18", "1", "4"], ["Personal", "1\u202f038", "2", "10"]]
    q = pd.DataFrame({"kod": ["x"], "segment_id": ["s1"], "session": ["FG1"], "grupp": ["deltagare"],
                      "talarroll": ["deltagare"], "citat": ["Bra."]})
    qt = cd.quotes_table(q, lang="en")
    assert list(qt.columns) == ["Theme", "Session", "Speaker role", "Quote"]
    assert qt.iloc[0]["Speaker role"] == "Participant"
