"""KASAM of an unpaired design (linkage < 80 %) as slices of the protected table set (issue 15).

When fewer than 80 % of the smaller wave answered both times, :func:`evaluation.kasam.change`
compares the two whole waves (Welch). Those groups are the ``kasam_fore`` / ``kasam_efter`` cells of
the table set; the notebook's rows are gated by them and the board computes the same figure from
their moments. Hand-worked data, values cross-checked with :func:`scipy.stats.ttest_ind` on the
raw totals.
"""

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation import compare, kasam, tableset
from evaluation.errors import EvaluationError

# Förbund A, insats X. Before: b0-b7 (5 women, 3 men); after: b0, b1 (linked) and a0-a4 (new):
# 2 linked of the smaller wave's 7 = 29 % < 80 %: unpaired.
BEFORE = {"b0": 120.0, "b1": 125.0, "b2": 130.0, "b3": 135.0, "b4": 140.0, "b5": 128.0, "b6": 132.0, "b7": 150.0}
AFTER = {"b0": 130.0, "b1": 134.0, "a0": 140.0, "a1": 145.0, "a2": 138.0, "a3": 150.0, "a4": 142.0}
KON = {"b0": "kvinna", "b1": "kvinna", "b2": "kvinna", "b3": "kvinna", "b4": "kvinna", "b5": "man", "b6": "man",
       "b7": "man", "a0": "kvinna", "a1": "kvinna", "a2": "man", "a3": "man", "a4": "kvinna"}


def frames():
    ids = sorted(KON)
    ep = pd.DataFrame({"forbund": "A", "insats": "X", "kon": [KON[i] for i in ids],
                       "inskrivningsdatum": pd.to_datetime(["2024-02-01" if i.startswith("b") else "2025-03-01"
                                                            for i in ids]), "avslutsdatum": pd.NaT})
    rows = [{"respondent_id": i, "forbund": "A", "insats": "X", "kon": KON[i], "tidpunkt": "fore",
             "datum": pd.Timestamp("2024-03-01"), "total": v} for i, v in BEFORE.items()]
    rows += [{"respondent_id": i, "forbund": "A", "insats": "X", "kon": KON[i], "tidpunkt": "efter",
              "datum": pd.Timestamp("2025-04-01"), "total": v} for i, v in AFTER.items()]
    return ep, pd.DataFrame(rows)


@pytest.fixture(scope="module")
def ts():
    ep, sc = frames()
    return tableset.build(ep, sc, reference_date="2025-12-31")


def test_wave_cells_count_and_sum_each_wave_by_hand(ts):
    b, a = np.array(list(BEFORE.values())), np.array(list(AFTER.values()))
    assert ts.value("kasam_fore", forbund="A") == 8 and ts.value("kasam_efter", forbund="A") == 7
    assert ts.value("kasam_fore", "summa", forbund="A") == 1060.0 == b.sum()
    assert ts.value("kasam_fore", "kvadratsumma") == (b ** 2).sum()
    assert ts.value("kasam_efter", "summa") == 979.0 == a.sum()
    # period: the year of each wave's own answer (before answers 2024, after answers 2025)
    assert ts.value("kasam_fore", period="2024") == 8 and ts.value("kasam_fore", period="2025") == 0
    assert ts.value("kasam_efter", period="2025") == 7 and ts.value("kasam_efter", period="2024") == 0
    # kön of each wave's answer: 5 women + 3 men before, 5 + 2 after (a2 138, a3 150)
    assert ts.value("kasam_fore", kon="kvinna") == 5 and ts.value("kasam_efter", kon="man") == 2
    assert ts.value("kasam_efter", "summa", kon="man") == 138.0 + 150.0
    assert ts.value("kasam", forbund="A") == 2  # the pairs b0, b1


def test_sum_relations_hold_on_the_wave_moments(ts):
    for col in ("n", "summa", "kvadratsumma"):
        v = ts.cells[col].to_numpy(float)
        for rel in tableset.relations(ts):
            if ts.cells.iloc[rel[0][0]]["matt"] in ("kasam_fore", "kasam_efter"):
                assert sum(c * v[i] for i, c in rel) == pytest.approx(0.0)


def test_board_welch_from_cells_equals_scipy_and_the_notebook_pipeline(ts):
    ep, sc = frames()
    b, a = np.array(list(BEFORE.values())), np.array(list(AFTER.values()))
    ref = stats.ttest_ind(a, b, equal_var=False)
    lo, hi = ref.confidence_interval(0.95)
    r = kasam.change_from_cells(ts, forbund="A")
    assert r["design"] == "unpaired" and not r["undertryckt"]
    assert (r["n"], r["n_before"], r["n_after"]) == (15, 8, 7)
    assert r["mean_before"] == pytest.approx(1060 / 8) and r["mean_after"] == pytest.approx(979 / 7)
    assert r["mean_diff"] == pytest.approx(979 / 7 - 132.5)
    assert r["t"] == pytest.approx(ref.statistic) and r["p"] == pytest.approx(ref.pvalue)
    assert r["df"] == pytest.approx(ref.df) and (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))
    nb = kasam.change(sc, forbund="A")  # the notebook's pipeline on the answers
    assert nb.design.name == "unpaired"
    row = nb.result.iloc[0]
    for k in ("n", "mean_before", "mean_after", "mean_diff", "ci_low", "ci_high", "p", "df"):
        assert r[k] == pytest.approx(float(row[k])), k


def test_paired_design_still_reads_the_pairs_cell():
    ep, sc = frames()
    sc = sc[sc["respondent_id"].isin(["b0", "b1", "b2", "b3", "b4", "b5"]) | (sc["tidpunkt"] == "efter")]
    sc = sc.assign(respondent_id=sc["respondent_id"].replace({"a0": "b2", "a1": "b3", "a2": "b4", "a3": "b5"}))
    ts = tableset.build(ep, sc, reference_date="2025-12-31")
    r = kasam.change_from_cells(ts, forbund="A")
    ch = kasam.change(sc, forbund="A")
    assert ch.design.paired and r["design"] == "paired" and r["n"] == 6 == ch.result["n"].iloc[0]
    assert r["ci_low"] == pytest.approx(ch.result["ci_low"].iloc[0])


def test_protected_rows_gate_unpaired_rows_by_both_wave_cells(ts):
    ep, sc = frames()
    ch = kasam.change(sc, forbund="A")
    shown = kasam.protected_rows(ch.result, ts, "A")
    assert not shown["undertryckt"].iloc[0] and shown["mean_diff"].iloc[0] == pytest.approx(979 / 7 - 132.5)
    sub = compare.before_after_subgroups(ch.before, ch.after, by=("kon",), paired=False, min_n=1)
    rows = kasam.protected_rows(sub, ts, "A").set_index("grupp")
    assert rows.loc["kvinna", "n"] == 5 + 5 and not rows.loc["kvinna", "undertryckt"]
    hidden = tableset.TableSet(ts.cells.copy(), ts.min_n, ts.protection)
    c = hidden.cells
    c.loc[(c["matt"] == "kasam_efter") & (c["kon"] == "man"), "status"] = tableset.PRIMARY
    rows = kasam.protected_rows(sub, hidden, "A").set_index("grupp")
    assert rows.loc["man", "undertryckt"] and np.isnan(rows.loc["man", "mean_after"])
    assert not rows.loc["kvinna", "undertryckt"]
    # the pairs cell (2, suppressed in a protected set) does not gate the unpaired total row
    c.loc[c["matt"] == "kasam", "status"] = tableset.PRIMARY
    assert not kasam.protected_rows(ch.result, hidden, "A")["undertryckt"].iloc[0]
    with pytest.raises(EvaluationError, match="kasam_fore"):  # other answers than the table set's
        kasam.protected_rows(ch.result.assign(n=14), ts, "A")


def test_score_summary_shows_a_wave_only_where_its_cell_is_published(ts):
    ep, sc = frames()
    ch = kasam.change(sc, forbund="A")
    both = pd.concat([ch.before, ch.after])
    row = kasam.score_summary(both, tabeller=ts, forbund="A").loc["KASAM totalt (poäng)"].tolist()
    assert row == ["8", "132,5", f"{np.std(list(BEFORE.values()), ddof=1):.1f}".replace(".", ","),
                   "7", "139,9", f"{np.std(list(AFTER.values()), ddof=1):.1f}".replace(".", ",")]
    hidden = tableset.TableSet(ts.cells.copy(), ts.min_n, ts.protection)
    c = hidden.cells
    c.loc[c["matt"] == "kasam_fore", "status"] = tableset.SECONDARY
    row = kasam.score_summary(both, tabeller=hidden, forbund="A").loc["KASAM totalt (poäng)"].tolist()
    assert row == ["–", "–", "–", "7", "139,9", row[5]]
    with pytest.raises(EvaluationError):
        kasam.score_summary(both.iloc[1:], tabeller=ts, forbund="A")


def random_unpaired(seed: int, n: int = 60):
    rng = np.random.default_rng(seed)
    kon = rng.choice(["kvinna", "man", "annat"], n, p=[0.5, 0.45, 0.05])
    ep = pd.DataFrame({"forbund": rng.choice(["A", "B"], n), "insats": rng.choice(["X", "Y"], n), "kon": kon,
                       "inskrivningsdatum": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 600, n), "D"),
                       "avslutsdatum": pd.NaT})
    rows = []
    for i, e in ep.iterrows():
        answers = rng.random()
        waves = ["fore", "efter"] if answers < 0.3 else (["fore"] if answers < 0.65 else ["efter"])
        for w in waves:
            d = e["inskrivningsdatum"] + pd.Timedelta(days=20 if w == "fore" else 200)
            rows.append({"respondent_id": f"r{i}", "forbund": e["forbund"], "insats": e["insats"], "kon": e["kon"],
                         "tidpunkt": w, "datum": min(d, pd.Timestamp("2025-12-31")),
                         "total": float(rng.integers(90, 180))})
    return ep, pd.DataFrame(rows)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_attacker_finds_no_narrow_wave_cell_after_protection(seed):
    ep, sc = random_unpaired(seed)
    base = tableset.build(ep, sc, reference_date="2025-12-31")
    waves = base.cells["matt"].isin(["kasam_fore", "kasam_efter"]).to_numpy()
    n = base.cells["n"].to_numpy()
    # primary suppression alone leaves wave cells derivable (the attacker sees the new cells' sums)
    primary = (n > 0) & (n < base.min_n)
    naive = tableset.attack(base, hidden=primary)
    naive_waves = naive[naive["matt"].isin(["kasam_fore", "kasam_efter"])]
    assert len(naive_waves) and (~naive_waves["skyddad"]).any()
    ts = tableset.protect(base)
    assert (ts.cells.loc[waves, "status"] != tableset.PUBLISHED).any()
    res = tableset.attack(ts)
    assert res["skyddad"].all(), res.loc[~res["skyddad"]].head()
    # the sums behind the means obey the same relations: no suppressed wave sum is determined
    hidden = (ts.cells["status"] != tableset.PUBLISHED).to_numpy() & waves
    sums = tableset.attack(ts, hidden=hidden, column="summa", lower=None, level=1e-6)
    assert sums["skyddad"].all()


@pytest.mark.notebook
@pytest.mark.slow
def test_notebook_runs_on_unpaired_data_and_the_board_shows_its_figure(tmp_path, monkeypatch):
    """Norrdal's sample files with half of its after-answers under new ids (linkage < 80 %): the
    kasam_fore_efter notebook runs (it failed before: n = n_before + n_after against the pairs cell)
    and the board's KASAM card shows the notebook's design, n and figures for Norrdal.

    The folder holds Norrdal alone (its episodes, events and participants' answers): its table set is
    about half the samples', so its protection, which this changed data needs anyway, costs half."""
    import json
    from pathlib import Path

    import papermill as pm

    from evaluation import catalogue
    from evaluation import dashboards as db

    root = Path(__file__).resolve().parents[1]
    samples = root / "data_samples"
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("EVALUATION_CACHE", str(tmp_path / "cache"))
    ep = pd.read_csv(samples / "episoder.csv", dtype=str, keep_default_na=False)
    assert set(ep["forbund"]) == {"Norrdal"}
    ep.to_csv(data / "episoder.csv", index=False)
    ev = pd.read_csv(samples / "handelser.csv", dtype=str, keep_default_na=False)
    ev[ev["episod_id"].isin(ep["episod_id"])].to_csv(data / "handelser.csv", index=False)
    svar = pd.read_csv(samples / "kasam_deltagare.csv", dtype=str, keep_default_na=False)
    svar = svar[svar["forbund"] == "Norrdal"].reset_index(drop=True)
    for entry in ({"entity": "episoder", "path": "episoder.csv", "forbund": ["Norrdal"]},
                  {"entity": "handelser", "path": "handelser.csv", "forbund": ["Norrdal"]}):
        catalogue.record_import(data, entry)
    f = data / "kasam_deltagare.csv"
    after = svar[(svar["tidpunkt"] == "efter") & (svar["forbund"] == "Norrdal")]
    moved = set(sorted(after["respondent_id"].unique())[::2])
    rows = svar.index.isin(after.index[after["respondent_id"].isin(moved)])
    svar.loc[rows, "respondent_id"] = "R-ny" + svar.loc[rows, "respondent_id"].str[4:]
    svar.to_csv(f, index=False)
    catalogue.record_import(data, {"entity": "enkatsvar", "path": "kasam_deltagare.csv", "forbund": ["Norrdal"],
                                   "instrument": "soc29"})

    out = tmp_path / "results.json"
    nb = root / "notebooks" / "kasam_fore_efter.ipynb"
    pm.execute_notebook(str(nb), str(tmp_path / "out.ipynb"), kernel_name="evaluation", cwd=str(nb.parent),
                        parameters={"results_path": str(out), "data_dir": str(data), "forbund": "Norrdal",
                                    "personal": False},
                        progress_bar=False)
    res = json.loads(out.read_text(encoding="utf-8"))
    from evaluation import io

    s = kasam.score(io.load_survey(f, instrument="soc29").data, "soc29")
    s = s[s["forbund"] == "Norrdal"]
    b = s.loc[s["tidpunkt"] == "fore", "total"].dropna()
    a = s.loc[s["tidpunkt"] == "efter", "total"].dropna()
    assert res["design"] == "unpaired"
    assert res["n_par"] == len(a) + len(b)
    assert res["medel_fore"] == pytest.approx(b.mean()) and res["diff"] == pytest.approx(a.mean() - b.mean())
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert res["p"] == pytest.approx(ref.pvalue)
    # the RCI needs the same people at both waves: an unpaired design shows no RCI table (kasam.protect_reliable_change)
    assert all(res[k] is None for k in ("n_rci", "andel_forbattrad", "andel_oforandrad", "andel_forsamrad",
                                        "rci_troskel"))
    assert res["alpha_fore"] is not None and res["norm_diff"] == pytest.approx(b.mean() - 151)

    kc = db.kasam_change(db.load_data(data, snapshots_dir=tmp_path / "none"), db.Filters(forbund="Norrdal")).iloc[0]
    assert kc["design"] == "unpaired" and not kc["undertryckt"]
    assert kc["n"] == res["n_par"] and (kc["n_before"], kc["n_after"]) == (len(b), len(a))
    for k, r in (("mean_before", "medel_fore"), ("mean_after", "medel_efter"), ("mean_diff", "diff"),
                 ("ci_low", "ki_lag"), ("ci_high", "ki_hog"), ("p", "p")):
        assert kc[k] == pytest.approx(res[r]), k


def test_design_text_names_counts_only_where_their_cells_are_published(ts):
    ep, sc = frames()
    d = kasam.change(sc, forbund="A").design
    assert "bara 2 personer" in d.reason and "före 8, efter 7" in d.reason
    assert kasam.design_text(d, ts, "A") == d.reason  # every cell published (unprotected set)
    hidden = tableset.TableSet(ts.cells.copy(), ts.min_n, ts.protection)
    hidden.cells.loc[hidden.cells["matt"] == "kasam", "status"] = tableset.PRIMARY  # the 2 pairs
    text = kasam.design_text(d, hidden, "A")
    assert text.startswith("Oparad jämförelse")
    assert not re.search(r"\d", text.replace("80 %", ""))  # no count, only the 80 % rule
