"""The KASAM notebook's board figures beyond the comparison, gated by the protected table set (issue 15).

Every count, share and group statistic a board sees in notebooks/kasam_fore_efter.ipynb must be a
published cell of the table set or a statistic of a published cell's group: the RCI table and its
n (the ``kasam`` pairs cell), the per-scale score table (the ``kasam_fore`` / ``kasam_efter`` wave
cells, every scale on the cell's respondents), Cronbach's α and the item-rest correlations, the
comparison with the norm and the descriptive bands (the before wave's cell). Hand-worked data on a
tiny table set whose cells are hidden by setting their status, as the doctests of
:func:`evaluation.kasam.protected_rows` do; the expected values are worked out here by hand or with
an independent formula.
"""

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation import kasam, tableset
from evaluation.errors import EvaluationError

ROOT = Path(__file__).resolve().parents[1]


def episodes(ids, forbund="A"):
    return pd.DataFrame({"forbund": forbund, "insats": "X", "kon": "man",
                         "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * len(ids)), "avslutsdatum": pd.NaT})


def counts(board: pd.DataFrame) -> pd.Series:
    """The count column ("Antal … (n)") of a board table."""
    return board[next(c for c in board.columns if c.startswith("Antal") and c.endswith("(n)"))]


def hide(ts, matt, forbund="A"):
    """A copy of ``ts`` with every cell of ``matt`` of förbund ``forbund`` suppressed (secondary)."""
    out = tableset.TableSet(ts.cells.copy(), ts.min_n, ts.protection)
    c = out.cells
    c.loc[(c["matt"] == matt) & (c["forbund"] == forbund), "status"] = tableset.SECONDARY
    return out


# ------------------------------------------------------------------------------------ RCI (item 1)
# Six pairs: before 120, 125, 130, 135, 140, 145; changes +30, +2, 0, -1, +3, -25. SD = 18, r = 0.9:
# S_diff = √2 · 18 · √0.1 = 8.05, threshold 1.96 · 8.05 = 15.78: +30 improved, -25 deteriorated, 4 unchanged.
BEFORE = [120.0, 125, 130, 135, 140, 145]
AFTER = [150.0, 127, 130, 134, 143, 120]


@pytest.fixture(scope="module")
def paired():
    ids = [f"r{i}" for i in range(6)]
    sc = pd.DataFrame({"respondent_id": ids * 2, "forbund": "A", "insats": "X", "kon": "man",
                       "tidpunkt": ["fore"] * 6 + ["efter"] * 6,
                       "datum": pd.to_datetime(["2025-02-01"] * 6 + ["2025-09-01"] * 6), "total": BEFORE + AFTER})
    ts = tableset.build(episodes(ids), sc, reference_date="2025-12-31")
    b, a = sc[sc["tidpunkt"] == "fore"], sc[sc["tidpunkt"] == "efter"]
    rc = kasam.reliable_change(b, a, sd=18, reliability=0.9)
    return ts, rc


def test_rci_is_shown_where_the_pairs_cell_is_published_and_equals_n_total(paired):
    ts, rc = paired
    assert rc.attrs["threshold"] == pytest.approx(1.96 * math.sqrt(2) * 18 * math.sqrt(0.1))
    tab = kasam.protect_reliable_change(kasam.reliable_change_summary(rc), min_n=1, tabeller=ts, forbund="A")
    assert tab["n"].tolist() == [1.0, 4.0, 1.0] and tab["n_total"].tolist() == [6.0] * 3
    r = kasam.rci_results(rc, tab)
    assert r == {"n_rci": 6, "andel_forbattrad": pytest.approx(1 / 6), "andel_oforandrad": pytest.approx(4 / 6),
                 "andel_forsamrad": pytest.approx(1 / 6), "rci_troskel": pytest.approx(15.78, abs=0.01)}
    assert "15,8" in kasam.rci_text(rc, tab)
    # min_n 5: 1, 4 and 1 are all below 5 (primary); the published pairs cell 6 stays as n_total
    tab5 = kasam.protect_reliable_change(kasam.reliable_change_summary(rc), min_n=5, tabeller=ts, forbund="A")
    assert tab5["n"].isna().all() and tab5["n_total"].tolist() == [6.0] * 3


@pytest.mark.parametrize("matt", ["kasam", "kasam_fore"])
def test_rci_is_hidden_entirely_where_the_pairs_or_the_before_cell_is_suppressed(paired, matt):
    ts, rc = paired
    tab = kasam.protect_reliable_change(kasam.reliable_change_summary(rc, lang="sv"), min_n=1,
                                        tabeller=hide(ts, matt), forbund="A")
    assert tab[["n", "andel", "n_total"]].isna().all().all() and tab["undertryckt"].all()
    assert kasam.rci_results(rc, tab) == dict.fromkeys(
        ("n_rci", "andel_forbattrad", "andel_oforandrad", "andel_forsamrad", "rci_troskel"))
    text = kasam.rci_text(rc, tab)
    assert text.startswith("Tillförlitlig förändring (Jacobson & Truax) visas inte")
    assert not re.search(r"\d", text)  # neither the threshold nor the pairs' SD
    assert set(counts(kasam.board_table(tab, "sv"))) == {"–"}


def test_rci_of_other_pairs_than_the_cell_raises_and_an_unpaired_design_hides_it(paired):
    ts, rc = paired
    with pytest.raises(EvaluationError, match="kasam"):  # 5 pairs assessed, 6 in the table set
        kasam.protect_reliable_change(kasam.reliable_change_summary(rc.iloc[1:]), tabeller=ts, forbund="A")
    tab = kasam.protect_reliable_change(kasam.reliable_change_summary(rc), min_n=1, tabeller=ts, forbund="A",
                                        paired=False)
    assert tab["n_total"].isna().all() and tab.attrs["dold"] == "oparad"
    assert "oparad" in kasam.rci_text(rc, tab)
    assert kasam.rci_results(rc, tab)["n_rci"] is None


# ------------------------------------------------------------------------- score table (item 2)
def test_score_summary_counts_every_scale_on_the_cells_respondents():
    # Before: r0-r5 have begriplighet 50, 52, 54, 56, 58, 70; r5 has no total (another subscale missing).
    # The cell kasam_fore = 5 (r0-r4). Without the gate begriplighet would show n = 6, mean 56.7: the
    # difference 6 - 5 = 1 is a person hidden in no cell. With it: n 5, mean 54.0, SD √10 = 3.2.
    ids = [f"r{i}" for i in range(6)]
    sc = pd.DataFrame({"respondent_id": ids, "forbund": "A", "insats": "X", "kon": "man", "tidpunkt": "fore",
                       "datum": pd.Timestamp("2025-02-01"), "form": "soc29",
                       "begriplighet": [50.0, 52, 54, 56, 58, 70], "total": [130.0, 135, 140, 145, 150, np.nan]})
    ts = tableset.build(episodes(ids), sc, reference_date="2025-12-31")
    assert ts.value("kasam_fore", forbund="A") == 5
    plain = kasam.score_summary(sc).loc["Begriplighet"].tolist()
    assert plain[:2] == ["6", "56,7"]
    gated = kasam.score_summary(sc, tabeller=ts, forbund="A")
    assert gated.loc["Begriplighet"].tolist() == ["5", "54,0", "3,2"]
    assert gated.loc["KASAM totalt (poäng)"].tolist() == ["5", "140,0", "7,9"]
    # the board's subscale figure draws the same group: 54 / 11 items per item
    fig = kasam.figure_subscales(sc, tabeller=ts, forbund="A")
    assert fig.data[0].y[0] == pytest.approx(54 / 11)
    assert kasam.figure_subscales(sc).data[0].y[0] == pytest.approx(340 / 6 / 11)
    hidden = kasam.score_summary(sc, tabeller=hide(ts, "kasam_fore"), forbund="A")
    assert set(hidden.loc["Begriplighet"]) == {"–"}


# --------------------------------------------------------------- α and item-rest (item 3)
def soc13_answers():
    """Eight before answers of SOC-13 (B = 2,6,8,9,11; H = 3,5,10,13; M = 1,4,7,12): r6 left item 2 (B,
    prorated: has a total), r7 left item 4 (M: no total, so not in the cell)."""
    rng = np.random.default_rng(7)
    base = rng.integers(2, 7, size=(8, 1))
    raw = pd.DataFrame(np.clip(base + rng.integers(-1, 2, size=(8, 13)), 1, 7).astype(float),
                       columns=[f"soc13_{i}" for i in range(1, 14)])
    raw.loc[6, "soc13_2"] = np.nan
    raw.loc[7, "soc13_4"] = np.nan
    return raw.assign(respondent_id=[f"r{i}" for i in range(8)], forbund="A", insats="X", kon="man",
                      tidpunkt="fore", datum=pd.Timestamp("2025-02-01"))


def alpha(block: pd.DataFrame) -> float:
    """Cronbach (1951): k/(k-1) · (1 - Σ var(item) / var(sum)), sample variances, listwise."""
    b = block.dropna().to_numpy(float)
    k = b.shape[1]
    return k / (k - 1) * (1 - b.var(axis=0, ddof=1).sum() / b.sum(axis=1).var(ddof=1))


def test_alpha_is_computed_on_the_cell_and_hides_an_n_that_differs_from_it_by_one_to_four():
    raw = soc13_answers()
    sc = kasam.score(raw, "soc13")
    assert sc["total"].notna().tolist() == [True] * 7 + [False]
    ts = tableset.build(episodes(range(8)), sc, reference_date="2025-12-31")
    assert ts.value("kasam_fore", forbund="A") == 7
    out = kasam.protected_reliability(raw, sc, "fore", "soc13", tabeller=ts, forbund="A", min_n=5).set_index("skala")
    keyed = kasam.item_matrix(raw.iloc[:7], "soc13")  # the cell's group r0-r6 (reverse keying applied)
    cols = {s: [f"soc13_{i}" for i in items] for s, items in
            {"begriplighet": (2, 6, 8, 9, 11), "hanterbarhet": (3, 5, 10, 13), "meningsfullhet": (1, 4, 7, 12)}.items()}
    # begriplighet: r6 lacks item 2 -> listwise 6 of the cell's 7: n and CI hidden, α of r0-r5
    assert np.isnan(out.at["begriplighet", "n"]) and np.isnan(out.at["begriplighet", "ci_low"])
    assert out.at["begriplighet", "alpha"] == pytest.approx(alpha(keyed[cols["begriplighet"]]))
    # hanterbarhet: all 7 (r7, who has it but no total, is not counted: 8 before the gate)
    assert out.at["hanterbarhet", "n"] == 7
    assert out.at["hanterbarhet", "alpha"] == pytest.approx(alpha(keyed[cols["hanterbarhet"]]))
    assert kasam.reliability(raw, "soc13").set_index("skala").at["hanterbarhet", "n"] == 8
    assert not np.isnan(out.at["hanterbarhet", "ci_low"])
    # total: 6 of 7 -> hidden
    assert np.isnan(out.at["total", "n"]) and out.at["total", "alpha"] == pytest.approx(alpha(keyed))
    ir = kasam.protected_item_rest(raw, sc, "fore", "soc13", tabeller=ts, forbund="A").set_index("item")
    assert np.isnan(ir.at["soc13_2", "n"]) and ir.at["soc13_3", "n"] == 7
    # item 3 (H) against the rest of H on the cell's group
    h = keyed[cols["hanterbarhet"]]
    assert ir.at["soc13_3", "r_rest_skala"] == pytest.approx(np.corrcoef(h["soc13_3"], h.sum(axis=1) - h["soc13_3"])[0, 1])
    # the before cell suppressed: no α, no correlation, no n
    gone = kasam.protected_reliability(raw, sc, "fore", "soc13", tabeller=hide(ts, "kasam_fore"), forbund="A")
    assert gone[["n", "alpha", "ci_low", "ci_high"]].isna().all().all() and gone["n_items"].tolist() == [5, 4, 4, 13]
    gone = kasam.protected_item_rest(raw, sc, "fore", "soc13", tabeller=hide(ts, "kasam_fore"), forbund="A")
    assert gone[["n", "r_rest_skala", "r_rest_total"]].isna().all().all()
    assert set(counts(kasam.board_table(gone, "sv", decimals=2))) == {"–"}


def test_alpha_hides_the_totals_n_where_a_shown_subscale_exceeds_it_by_one_to_four():
    # SOC-29, 20 respondents, all with a total: r0-r4 left one begriplighet item (prorated), r5 one
    # hanterbarhet item. Listwise n: B 15 (cell - 5: shown), H 19 (cell - 1: hidden), M 20 (shown),
    # total 14 (cell - 6: itself fine, but B 15 - total 14 = 1 person: hidden).
    rng = np.random.default_rng(11)
    base = rng.integers(2, 7, size=(20, 1))
    raw = pd.DataFrame(np.clip(base + rng.integers(-1, 2, size=(20, 29)), 1, 7).astype(float),
                       columns=[f"soc29_{i}" for i in range(1, 30)])
    raw.loc[0:4, "soc29_1"] = np.nan   # begriplighet item
    raw.loc[5, "soc29_2"] = np.nan     # hanterbarhet item
    raw = raw.assign(respondent_id=[f"r{i}" for i in range(20)], forbund="A", insats="X", kon="man",
                     tidpunkt="fore", datum=pd.Timestamp("2025-02-01"))
    sc = kasam.score(raw, "soc29")
    ts = tableset.build(episodes(range(20)), sc, reference_date="2025-12-31")
    out = kasam.protected_reliability(raw, sc, "fore", "soc29", tabeller=ts, forbund="A").set_index("skala")
    n = out["n"]
    assert n["begriplighet"] == 15 and np.isnan(n["hanterbarhet"]) and n["meningsfullhet"] == 20
    assert np.isnan(n["total"]) and np.isnan(out.at["total", "ci_high"]) and not np.isnan(out.at["total", "alpha"])


# ------------------------------------------------------------------------------- norm and bands
def before_wave(totals):
    ids = [f"r{i}" for i in range(len(totals))]
    sc = pd.DataFrame({"respondent_id": ids, "forbund": "A", "insats": "X", "kon": "man", "tidpunkt": "fore",
                       "datum": pd.Timestamp("2025-02-01"), "total": totals})
    return sc, tableset.build(episodes(ids), sc, reference_date="2025-12-31")


def test_norm_comparison_shows_the_before_group_only_where_its_cell_is_published():
    sc, ts = before_wave([130.0, 140, 150, 160, 170, 145])   # mean 149.17, SOC-29 norm 151
    r = kasam.compare_norm(sc, tabeller=ts, forbund="A").iloc[0]
    assert r["n"] == 6 and r["diff"] == pytest.approx(895 / 6 - 151) and not r["undertryckt"]
    h = kasam.compare_norm(sc, tabeller=hide(ts, "kasam_fore"), forbund="A").iloc[0]
    assert h["undertryckt"] and h[["n", "medel", "sd", "diff", "ci_low", "ci_high", "t", "p", "std_diff"]].isna().all()
    assert (h["ref_medel"], h["ref_sd"]) == (151.0, 18.0)
    with pytest.raises(EvaluationError, match="kasam_fore"):
        kasam.compare_norm(sc.iloc[1:], tabeller=ts, forbund="A")


def test_bands_split_the_published_before_cell_with_secondary_suppression():
    # SOC-29 bands: low ≤ 140, moderate 141-165, high ≥ 166. 10 low, 2 moderate, 0 high, cell 12:
    # hiding the 2 alone leaves 12 - 10 - 0 = 2, so the 10 is hidden too; the published 0 stays.
    sc, ts = before_wave([120.0] * 10 + [150.0] * 2)
    t = kasam.band_table(sc, tabeller=ts, forbund="A").set_index("band")
    assert np.isnan(t.at["lag", "n"]) and np.isnan(t.at["mattlig", "n"]) and t.at["hog", "n"] == 0
    assert kasam.band_table(sc).set_index("band").at["lag", "n"] == 10   # row by row only: the 2 is derivable
    sc, ts = before_wave([120.0] * 10 + [150.0] * 6 + [170.0] * 5)
    t = kasam.band_table(sc, tabeller=ts, forbund="A")
    assert t["n"].tolist() == [10, 6, 5] and t["andel"].tolist() == pytest.approx([10 / 21, 6 / 21, 5 / 21])
    t = kasam.band_table(sc, tabeller=hide(ts, "kasam_fore"), forbund="A")
    assert t[["n", "andel"]].isna().all().all() and set(counts(kasam.board_table(t, "sv"))) == {"–"}
    with pytest.raises(EvaluationError, match="kasam_fore"):
        kasam.band_table(sc.iloc[1:], tabeller=ts, forbund="A")


# --------------------------------------------------------------------- the notebook (item 4)
def test_the_notebook_calls_the_gates_with_the_table_set():
    """Cheap guard: every board-facing (untagged) cell of the notebook computes its figures through the gates."""
    nb = json.loads((ROOT / "notebooks" / "kasam_fore_efter.ipynb").read_text(encoding="utf-8"))
    board = "\n".join("".join(c["source"]) for c in nb["cells"]
                      if c["cell_type"] == "code" and "hide" not in c.get("metadata", {}).get("tags", []))
    for call in ("kasam.protected_reliability(fore_svar, fore, \"fore\", form, tabeller, forbund, min_n)",
                 "kasam.protected_reliability(efter_svar, efter, \"efter\", form, tabeller, forbund, min_n)",
                 "kasam.protected_item_rest(fore_svar, fore, \"fore\", form, tabeller, forbund, min_n)",
                 "kasam.rci_text(rc, rci_tabell, lang)", "kasam.rci_results(rc, rci_tabell)",
                 "kasam.compare_norm(fore, form=form, tabeller=tabeller, forbund=forbund)",
                 "tabeller=tabeller, forbund=forbund)", "paired=design.paired"):
        assert call in board, call
    assert "protect_reliable_change(kasam.reliable_change_summary(rc, lang=lang), min_n, tabeller, forbund" in board
    # the ungated functions are no longer called in a board cell
    for raw in ("kasam.reliability(", "kasam.item_rest(", "rc.attrs[\"threshold\"]", "n_total\"].iloc"):
        assert raw not in board, raw


@pytest.mark.notebook
@pytest.mark.slow
def test_notebook_shows_no_kasam_count_or_statistic_of_a_forbunds_hidden_cells(tmp_path, monkeypatch):
    """The samples' table set with Norrdal's pairs (kasam) and before-wave (kasam_fore) cells forced hidden, as a
    snapshot's file: the notebook run for Norrdal writes null for every value of those groups in results.json
    (the RCI's n_rci, shares and threshold, α before, the norm comparison) and no board cell prints their counts;
    the after wave, whose cell is published, is still shown."""
    import dataclasses

    import papermill as pm

    from evaluation import inputs

    # the samples' protected table set from the session-wide cache (EVALUATION_CACHE, tests/conftest.py)
    ts = inputs.load(ROOT / "data_samples", forbund="Norrdal", require=["enkatsvar"]).protected_tables(5)
    pairs, before = ts.value("kasam", forbund="Norrdal"), ts.value("kasam_fore", forbund="Norrdal")
    assert pairs >= 5 and before >= 5  # published on the samples: forced hidden here
    c = ts.cells.copy()
    c.loc[(c["forbund"] == "Norrdal") & c["matt"].isin(["kasam", "kasam_fore"]), "status"] = tableset.SECONDARY
    monkeypatch.setenv(tableset.ENV, str(tableset.write_parquet(dataclasses.replace(ts, cells=c), tmp_path / "t.parquet")))

    out = tmp_path / "results.json"
    nb = ROOT / "notebooks" / "kasam_fore_efter.ipynb"
    ran = pm.execute_notebook(str(nb), str(tmp_path / "out.ipynb"), kernel_name="evaluation", cwd=str(nb.parent),
                              parameters={"results_path": str(out), "forbund": "Norrdal"}, progress_bar=False)
    res = json.loads(out.read_text(encoding="utf-8"))
    for key in ("n_par", "medel_fore", "diff", "p", "n_rci", "andel_forbattrad", "andel_oforandrad",
                "andel_forsamrad", "rci_troskel", "alpha_fore", "alpha_fore_ki_lag", "alpha_fore_ki_hog",
                "norm_diff", "norm_std_diff", "norm_p"):
        assert res[key] is None, (key, res[key])
    assert res["alpha_efter"] is not None and 0 < res["alpha_efter"] < 1   # the after wave's cell is published
    assert not re.search(r"\d", res["design_skal"].replace("80 %", ""))
    board = []
    for cell in ran["cells"]:
        if cell["cell_type"] != "code" or "hide" in cell.get("metadata", {}).get("tags", []):
            continue
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            board.append(str(data.get("text/html", "")) + str(data.get("text/markdown", "")) + str(o.get("text", "")))
    text = "\n".join(board)
    assert "Tillförlitlig förändring (Jacobson & Truax) visas inte" in text
    for n in (pairs, before):  # neither hidden count is printed as a table cell or in a sentence
        assert not re.search(rf"(>|\s){int(n)}(<|\s|,\s)", text), int(n)
