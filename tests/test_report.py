"""Report assembly: ESF sections, DELTA matrix, success levels, caveats, gender tables and Word export."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation import goals, report
from evaluation.goals import Underlag
from evaluation.labels import t
from evaluation.report import Inputs

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data_samples"

# DOMAIN.md §8, ESF "Slutrapport genomförande" (FRIRPT v.1), 13 sections in order
ESF_HEADINGS = ["Sammanfattning", "Projektets resultat", "Syfte och mål med projektet", "Arbetssätt",
                "Deltagande aktörer i projektet", "Jämställdhetsintegrering",
                "Tillgänglighet för personer med funktionsnedsättning", "Regionala prioriteringar",
                "Spridning och påverkansarbete", "Extern utvärdering", "Egenutvärdering", "Kommentarer och tips",
                "Kontaktpersoner"]


def test_esf_sections_are_the_13_of_the_form_in_order_with_verbatim_prompts():
    s = report.esf_sections()
    assert [x["nummer"] for x in s] == list(range(1, 14))
    assert [x["rubrik"] for x in s] == ESF_HEADINGS
    prompts = {x["nummer"]: " ".join(q["text"] for q in x["fragor"]) for x in s}
    # quoted in seed 004 §6
    assert prompts[1] == "Ge en sammanfattande beskrivning av projektidé och framkomna resultat."
    assert "(lärande miljöer, samverkan, innovativ verksamhet, strategisk påverkan)" in prompts[2]
    assert "på individnivå, organisationsnivå och system- och strukturnivå" in prompts[2]
    assert "dels med kvantitativa mått, dels kvalitativt" in prompts[3]
    assert all(x["fragor"] for x in s)
    assert {b for x in s for b in x["fyll"]} <= set(report.BLOCKS)


def _meas(keys):
    return pd.DataFrame({"nyckel": keys, "etikett": [f"L{i}" for i in range(len(keys))],
                         "varde": np.arange(len(keys), dtype=float), "text": [f"v{i}" for i in range(len(keys))],
                         "n": 10})


def test_delta_matrix_places_each_measure_in_its_cell():
    keys = ["flows.egen_forsorjning_efter_andel", "kasam.personal.fore", "nns.ind14.styrelse.halvar",
            "nns.ind01.deltagare.avslut", "fokus.personal.delta_organisering"]
    grid, long = report.delta_matrix(_meas(keys))
    assert list(grid.index) == ["Förutsättningar", "Process", "Effekter/resultat"]
    assert list(grid.columns) == ["Deltagare", "Medarbetare", "Organisationer"]
    where = {x.nyckel: (x.rad, x.kolumn) for x in long.itertuples()}
    assert where == {"flows.egen_forsorjning_efter_andel": ("resultat", "deltagare"),
                     "kasam.personal.fore": ("forutsattningar", "medarbetare"),
                     "nns.ind14.styrelse.halvar": ("resultat", "organisation"),
                     "nns.ind01.deltagare.avslut": ("process", "deltagare"),
                     "fokus.personal.delta_organisering": ("process", "organisation")}
    assert grid.loc["Effekter/resultat", "Deltagare"] == "L0: v0"
    # the four cells without a measure ask for a qualitative description
    assert (grid == "Inget mått i underlaget – beskrivs kvalitativt.").sum().sum() == 9 - 5
    en, _ = report.delta_matrix(_meas(keys), lang="en")
    assert list(en.columns) == ["Participants", "Staff", "Organisations"]


def test_success_levels_collect_their_measures():
    lv = report.success_levels(_meas(["mal.uppnatt", "nns.ind14.styrelse.halvar", "nns.ind12.styrelse.halvar"]))
    assert lv["rubrik"].tolist() == ["Framgång av första graden – projektet lyckas",
                                     "Framgång av andra graden – organisationerna utnyttjar erfarenheterna",
                                     "Framgång av tredje graden – organisationerna förändras"]
    assert lv["antal_matt"].tolist() == [1, 1, 1]
    assert "L1: v1" in lv.loc[2, "underlag"]


def _episodes():
    """Insats A: 10 women, 3 men; B: 8 women, 9 men; all closed in 2025.
    Own support after exit (lön): women 6 of 18, men 9 of 12."""
    rows = []
    i = 0
    for insats, kon, n, own in (("A", "kvinna", 10, 4), ("A", "man", 3, 3), ("B", "kvinna", 8, 2),
                                ("B", "man", 9, 6)):
        for k in range(n):
            i += 1
            rows.append({"episod_id": f"e{i}", "deltagare_id": f"p{i}", "forbund": "X", "insats": insats, "kon": kon,
                         "inskrivningsdatum": "2025-01-10", "avslutsdatum": "2025-06-30",
                         "avslutsorsak": "forvarvsarbete" if k < own else "ovriga_avslutade",
                         "forsorjning_fore": "forsorjningsstod",
                         "forsorjning_efter": "lon" if k < own else "forsorjningsstod"})
    return pd.DataFrame(rows)


def test_gender_tables_are_suppressed_and_worked_by_hand():
    inp = Inputs(Underlag(episodes=_episodes(), reference_date="2026-01-15"))
    tabs = dict(report.gender_tables(inp, "2025-01-01", "2025-12-31", min_n=5))
    ins = tabs["Deltagare per insats och kön (episoder under perioden)"].set_index("Insats")
    assert ins.loc["A", "Man"] == "–"                      # 3 < 5: primary suppression
    cells = ins.drop(index="Totalt")
    # no row or column (cells + total) with exactly one hidden value: nothing can be recomputed
    assert all((row == "–").sum() != 1 for _, row in ins.iterrows())
    assert all((cells[c] == "–").sum() + (ins.loc["Totalt", c] == "–") != 1 for c in cells.columns)
    assert ins.loc["Totalt", "Totalt"] == "30"
    egen = tabs["Egen försörjning efter avslut per kön"].set_index("Kön")
    assert egen.loc["Kvinna", "n"] == "18"
    # men: 9 of 12 with own support; the 3 without are a small cell (primary), so 75,0 % may not be shown
    assert egen.loc["Man", "Egen försörjning efter (%)"] == "–"
    # women: 6 of 18 = 33,3 %, shown only where both cells (6 ja, 12 nej) are published in the table set
    ts = report.protected_tables(inp)
    cells = [ts.value("egen", forbund="X", period="2025", kon="kvinna", kategori=k) for k in ("ja", "nej")]
    shown = "–" if any(np.isnan(cells)) else "33,3"
    assert egen.loc["Kvinna", "Egen försörjning efter (%)"] == shown
    # the women's 12 nej and the men's 3 sum to the published 15 nej unless one more is hidden
    assert np.isnan(cells[1]) or np.isnan(ts.value("egen", forbund="X", period="2025", kategori="nej"))


def test_kasam_by_sex_matches_scipy():
    rng = np.random.default_rng(1)
    n = 14
    b = 130 + rng.normal(0, 12, n).round()
    a = b + rng.normal(4, 6, n).round()
    kon = np.array(["kvinna"] * 8 + ["man"] * 6)
    ids = [f"r{i}" for i in range(n)]
    scores = pd.concat([pd.DataFrame({"respondent_id": ids, "forbund": "X", "kon": kon, "tidpunkt": w, "total": v})
                        for w, v in (("fore", b), ("efter", a))], ignore_index=True)
    tabs = dict(report.gender_tables(Inputs(Underlag(kasam_deltagare=scores)), min_n=5))
    tab = tabs["KASAM före och efter per kön, deltagare"].set_index("Kön")
    w = kon == "kvinna"
    ci = stats.ttest_rel(a[w], b[w]).confidence_interval()
    assert tab.loc["Kvinna", "n"] == "8"
    assert float(tab.loc["Kvinna", "Förändring"].replace(",", ".").replace("−", "-")) == pytest.approx(
        (a[w] - b[w]).mean(), abs=0.05)
    assert float(tab.loc["Kvinna", "95 % KI nedre"].replace(",", ".").replace("−", "-")) == pytest.approx(ci.low, abs=0.05)
    assert tab.loc["Man", "n"] == "6"


def test_caveats_name_comparison_group_gross_net_and_provenance():
    rep = pd.DataFrame({"kalla": "X", "tabell": "T", "matt": "m", "kategori": "summa", "period": ["2020", "2021"],
                        "varde": [1.0, 2.0], "proveniens": ["verbatim", "reconstructed"]})
    g = goals.parse_goals({"mal": [{"id": "9", "indikator": {"kalla": "rapporterat", "matt": "m", "namn": "Mått m",
                                                              "baslinje": {"period": "2020"},
                                                              "uppfoljning": {"period": "2021"}}}]})
    u = Underlag(rapporterat=rep, episodes=_episodes())
    c = report.caveats(Inputs(u), goals.track(g, u))
    text = " ".join(c)
    assert c[0].startswith("Ingen jämförelsegrupp")
    assert "Bruttoeffekt" in text
    assert "Mål 9: Mått m (Ordagrant ur källan, Rekonstruerat)" in text
    assert "Rapporterade tabeller: 2 värden" in text
    assert "Avslut är inte detsamma som egen försörjning" in text


def test_empty_inputs_still_give_all_sections_and_a_word_file(tmp_path):
    import docx

    r = report.build(Inputs(Underlag()))
    assert [s.titel for s in r.avsnitt] == [f"{i} {h}" for i, h in enumerate(ESF_HEADINGS, start=1)]
    h = report.headline(r)
    assert h["delta_tomma_celler"] == 9 and h["mal"] is None and h["nyckeltal"] == {}
    p = report.export_docx(r, tmp_path / "x" / "r.docx")
    heads = [par.text for par in docx.Document(p).paragraphs if par.style.name == "Heading 1"]
    assert heads == [f"{i} {h}" for i, h in enumerate(ESF_HEADINGS, start=1)] + [APPENDIX]


APPENDIX = "Bilaga: underlag och kontroller för utvärderaren"


def test_word_export_of_a_vagen_ut_report_has_headings_prompts_goal_table_and_placeholders(tmp_path):
    import docx

    inp = report.load_inputs(DATA, mal_fil="mal/vagen_ut.yaml", rapporterat="vagen_ut")
    r = report.build(inp, period_start="2025-01-01", period_end="2025-12-31")
    p = report.export_docx(r, report.docx_path(tmp_path / "results.json"))
    assert p == tmp_path / "slutrapport.docx"
    d = docx.Document(p)
    paras = [x.text for x in d.paragraphs]
    heads = [x.text for x in d.paragraphs if x.style.name == "Heading 1"]
    assert heads == [f"{i} {h}" for i, h in enumerate(ESF_HEADINGS, start=1)] + [APPENDIX]
    assert "Ge en sammanfattande beskrivning av projektidé och framkomna resultat." in paras
    assert paras.count("[Utvärderarens text skrivs här.]") == 13
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    assert "KASAM, personal: summa av delskalorna (poäng)" in cells
    assert "127" in cells and "ej uppnått" in cells
    assert any("KONFLIKT" in c for c in cells)
    from evaluation import privacy

    assert privacy.scan_outputs(tmp_path).empty


def test_section_html_escapes_and_lists_prompts():
    r = report.build(Inputs(Underlag()))
    h = report.section_html(r, 3)
    assert h.startswith("<h2>3 Syfte och mål med projektet</h2>")
    assert "dels med kvantitativa mått, dels kvalitativt" in h
    assert "Ingen målfil angiven" in h


def test_kontroller_block_runs_the_one_check_on_every_reported_table():
    # the slutrapport ran only the KASAM check: a Vuxenteamen-only report said nothing about its tables
    def kontroller(rapporterat):
        inp = report.load_inputs(DATA, rapporterat=rapporterat)
        r = report.build(inp, period_start="2025-01-01", period_end="2025-12-31")
        title = t("report.tabell.kontroller", "sv")
        # evaluator checks sit in the appendix (report.bilaga), not in the board's sections
        assert not any(b.rubrik == title for s in r.avsnitt for b in s.block)
        return [item for b in r.bilaga if b.rubrik == title for item in b.innehall]

    vu = kontroller("vagen_ut")
    bad = [x for x in vu if "stämmer inte" in x]
    assert len(bad) == 3                                           # 125 vs 127, 44 → 44 vs −8, −26 vs −20
    assert any("förändringen stämmer inte" in x and "meningsfullhet" in x for x in bad)
    assert any("oktober och maj" in x for x in vu)                  # the seasonal warning travels with its result
    vux = kontroller("vuxenteamen")
    assert not any("stämmer inte" in x for x in vux)               # consistent; the 9 % residual is declared
    assert any("inte en uppmätt besparing" in x for x in vux)      # the proxy warning is shown
