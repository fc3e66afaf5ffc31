"""The NNS and focus-group tables are protected tables of their own (issue 15, evaluation.surveytables).

* On the samples (session fixtures, one build and protection each): every cell's counts equal an
  independent recount from the loaded data, and the LP attacker of the package
  (:func:`evaluation.tableset.attack`) and an independent attacker written here (it reads only the
  published Parquet file and derives the sums from the dimension values, one ``linprog`` per bound)
  find every suppressed cell's feasible interval at least ``p`` = ``min_n`` wide.
* On seeded random datasets: the same two attackers.
* The views: the kärnindikator item, indicator and aggregate tables and the focus-group tallies
  show only published cells, with values equal to the recount.
* The sample snapshot (slow): both files beside ``tabelluppsattning.parquet``, their cost in the
  manifest, and every NNS share and focus-group tally in the runs' ``results.json`` and in the
  slutrapport's NNS and focus-group sections is a published cell.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from evaluation import coding, indicators, inputs, surveytables, tableset

ROOT = Path(__file__).resolve().parents[1]
P = 5  # the protection level: min_n


# ----------------------------------------------------------------------------- the independent attacker

def independent_attack(path: Path, additive: tuple[str, ...], total: str = "Totalt") -> pd.DataFrame:
    """Feasible min and max of every suppressed ``n`` of a published Parquet file.

    Knows only the file: published values, the dimension columns (between ``matt`` and ``n``) and
    which of them are additive (their ``total`` is the sum of their other values). Builds every sum
    relation itself, fixes published cells, keeps hidden ones ≥ 0, and solves one LP per bound per
    connected block (cells that share no relation do not constrain each other).
    """
    pub = pd.read_parquet(path)
    cols = list(pub.columns)
    dims = cols[1: cols.index("n")]
    others = [d for d in dims if d not in additive]
    out = []
    for _, blk in pub.groupby(["matt", *others], sort=False):
        blk = blk.reset_index(drop=True)
        hid = blk.index[blk["status"] != "publicerad"].tolist()
        if not hid:
            continue
        pos = {h: j for j, h in enumerate(hid)}
        key = {tuple(r): i for i, r in enumerate(blk[list(additive)].itertuples(index=False, name=None))}
        rows, rhs = [], []
        for d_i, d in enumerate(additive):
            rest = [a for a in additive if a != d]
            vals = [v for v in blk[d].unique() if v != total]
            for combo in itertools.product(*[list(blk[a].unique()) for a in rest]):
                def idx(v):
                    k = list(combo)
                    k.insert(d_i, v)
                    return key.get(tuple(k))
                tot, parts = idx(total), [idx(v) for v in vals]
                if tot is None or any(p is None for p in parts):
                    continue
                a, b = np.zeros(len(hid)), 0.0
                for i, c in [(tot, -1.0)] + [(p, 1.0) for p in parts]:
                    if i in pos:
                        a[pos[i]] += c
                    else:
                        b -= c * float(blk.at[i, "n"])
                if a.any():
                    rows.append(a)
                    rhs.append(b)
        A = np.array(rows) if rows else None
        for h in hid:
            c = np.zeros(len(hid))
            c[pos[h]] = 1.0
            lo = linprog(c, A_eq=A, b_eq=rhs if rows else None, bounds=(0, None), method="highs")
            hi = linprog(-c, A_eq=A, b_eq=rhs if rows else None, bounds=(0, None), method="highs")
            assert lo.status == 0, lo.message
            upper = math.inf if hi.status == 3 else -hi.fun
            out.append({**blk.loc[h, dims].to_dict(), "lag": lo.fun, "hog": upper})
    res = pd.DataFrame(out)
    if len(res):
        res["bredd"] = res["hog"] - res["lag"]
    return res


# ----------------------------------------------------------------------------- the samples

@pytest.fixture(scope="session")
def samples():
    return inputs.load(str(ROOT / "data_samples"))


@pytest.fixture(scope="session")
def codebook():
    return coding.combine_codebooks(*surveytables.DEFAULT_KODBOCKER.split(","))


@pytest.fixture(scope="session")
def nns_protected(samples, tmp_path_factory):
    ts = tableset.protect(surveytables.build_nns(samples.nns))
    path = tableset.write_parquet(ts, tmp_path_factory.mktemp("nns") / surveytables.NNS_FILENAME)
    return ts, path


@pytest.fixture(scope="session")
def focus_protected(samples, codebook, tmp_path_factory):
    ts = tableset.protect(surveytables.build_focus(samples.segments, codebook))
    path = tableset.write_parquet(ts, tmp_path_factory.mktemp("fokus") / surveytables.FOCUS_FILENAME)
    return ts, path


def _recount_nns(survey: pd.DataFrame) -> pd.DataFrame:
    """Answers per förbund × group × timepoint × wave × item × step, straight from the wide answers
    (an item counts for a row only when the row's questionnaire asks it, as in the NNS forms)."""
    from evaluation import questionnaires as qn

    bank = qn.items()
    rows = []
    for _, it in bank.iterrows():
        col = it["kolumn"]
        if col not in survey:
            continue
        asked = survey["respondentgrupp"].isin(it["respondentgrupper"].split("|")) & \
            survey["tidpunkt"].isin(it["tidpunkter"].split("|"))
        sub = survey.loc[asked, ["forbund", "respondentgrupp", "tidpunkt", "vag"]].assign(v=survey.loc[asked, col])
        for key, g in sub.groupby(["forbund", "respondentgrupp", "tidpunkt", "vag"]):
            v = pd.to_numeric(g["v"], errors="coerce")
            rows.append({**dict(zip(["forbund", "respondentgrupp", "tidpunkt", "vag"], key)), "item": it["id"],
                         "n": int(v.notna().sum()), "bortfall": int(v.isna().sum()),
                         **{f"antal_{s}": int((v == s).sum()) for s in range(1, 7)}})
    return pd.DataFrame(rows)


def test_nns_cells_are_the_recounted_answers(samples, nns_protected):
    ts, _ = nns_protected
    rec = _recount_nns(samples.nns)
    c = ts.cells[(ts.cells["kon"] == "Totalt") & (ts.cells["forbund"] != "Totalt")]
    m = c.merge(rec, on=["forbund", "respondentgrupp", "tidpunkt", "vag", "item"], suffixes=("", "_rakna"))
    assert len(m) == len(rec) > 300
    for col in ("n", "bortfall", *(f"antal_{s}" for s in range(1, 7))):
        assert (m[col] == m[f"{col}_rakna"]).all(), col
    # the förbund total is the sum of the förbund
    tot = ts.cells[(ts.cells["kon"] == "Totalt") & (ts.cells["forbund"] == "Totalt")]
    s = rec.groupby(["respondentgrupp", "tidpunkt", "vag", "item"])["n"].sum().rename("summa").reset_index()
    mm = tot.merge(s, on=["respondentgrupp", "tidpunkt", "vag", "item"])
    assert len(mm) == len(s) and (mm["n"] == mm["summa"]).all()
    # per kön (deltagare: the slutrapport's table per kön): 1A at avslut, recounted
    d = samples.nns[(samples.nns["respondentgrupp"] == "deltagare") & (samples.nns["tidpunkt"] == "avslut")]
    per = d.assign(kon=d["kon"].fillna("saknas")).groupby(["forbund", "vag", "kon"])["nns_1A"].count()
    for (fb, vag, kon), n in per.items():
        assert ts.cell("nns", forbund=fb, respondentgrupp="deltagare", tidpunkt="avslut", vag=vag, kon=kon,
                       item="1A")["n"] == n
    assert per.xs("annat", level="kon").sum() >= 1  # the sample has ej binära respondents


def test_nns_primary_rule_and_price(nns_protected):
    ts, _ = nns_protected
    n, st = ts.cells["n"], ts.cells["status"]
    assert ((st == tableset.PRIMARY) == ((n > 0) & (n < P))).all()
    c = ts.cost()
    assert c["celler"] == len(ts.cells) and c["sekundart_undertryckta"] > 0
    assert c["andel_sekundart"] < 0.10  # the price measured on the samples: 3.7 % (README)


def test_nns_attackers_find_every_hidden_cell_protected(nns_protected):
    ts, path = nns_protected
    a = tableset.attack(ts)
    assert len(a) > 100 and a["skyddad"].all() and a["bredd"].min() >= P - 1e-6
    ind = independent_attack(path, surveytables.NNS.additive)
    assert len(ind) == len(a)
    assert ind["bredd"].min() >= P - 1e-6, ind.sort_values("bredd").head()


def test_hiding_only_the_small_nns_cells_would_be_recovered(nns_protected, tmp_path):
    """The attack bites: primary suppression alone leaves hidden answers derivable by differencing
    (e.g. the one ej binär respondent: the kön total minus kvinna and man)."""
    ts, _ = nns_protected
    only = tableset.TableSet(ts.cells.assign(status=ts.cells["status"].replace(tableset.SECONDARY, tableset.PUBLISHED)))
    a = independent_attack(tableset.write_parquet(only, tmp_path / "primar.parquet"), surveytables.NNS.additive)
    exact = a[a["bredd"] < 1e-6]
    assert len(exact) > 10 and (exact["kon"] == "annat").any()


def test_focus_cells_are_the_recounted_speakers(samples, codebook, focus_protected):
    ts, _ = focus_protected
    seg = coding.roll_up(samples.segments, codebook, "tema").drop_duplicates(["segment_id", "kod"])
    mat = samples.segments.groupby(["forbund", "grupp"]).agg(n=("talare_id", "nunique"), segment=("segment_id", "nunique"))
    th = seg.groupby(["forbund", "grupp", "kod"]).agg(n=("talare_id", "nunique"), segment=("segment_id", "nunique"))
    c = ts.cells.set_index(["forbund", "grupp", "tema"])
    for (fb, g), r in mat.iterrows():
        assert (c.loc[(fb, g, surveytables.MATERIAL), ["n", "segment"]].to_numpy() == r.to_numpy()).all()
    for (fb, g, k), r in th.iterrows():
        assert (c.loc[(fb, g, k), ["n", "segment"]].to_numpy() == r.to_numpy()).all()
    # speakers are disjoint over förbund and groups here, so both totals are sums
    assert ts.cells["matt"].iloc[0] == "fokus"
    tot = c.loc[("Totalt", "Totalt", surveytables.MATERIAL), "n"]
    assert tot == samples.segments["talare_id"].nunique() == 31


def test_focus_attackers_find_every_hidden_cell_protected(focus_protected):
    ts, path = focus_protected
    st = ts.cells["status"]
    assert ((st == tableset.PRIMARY) == ((ts.cells["n"] > 0) & (ts.cells["n"] < P))).all()
    a = tableset.attack(ts)
    assert len(a) == (st != tableset.PUBLISHED).sum() > 20 and a["skyddad"].all()
    ind = independent_attack(path, surveytables.FOKUS.additive)
    assert ind["bredd"].min() >= P - 1e-6


def test_speakers_in_two_groups_drop_the_group_total():
    """Distinct speakers add up over groups only when no speaker is in two groups: else no total."""
    seg = pd.DataFrame({"segment_id": [f"s{i}" for i in range(12)], "session": ["f1"] * 6 + ["f2"] * 6,
                        "grupp": ["a"] * 6 + ["b"] * 6, "forbund": "X",
                        "talare_id": [f"p{i}" for i in range(6)] * 2, "kodare": "A", "kod": "x"})
    ts = surveytables.build_focus(seg)
    assert ts.cells["matt"].iloc[0] == "fokus_forbund"
    assert "Totalt" not in set(ts.cells["grupp"])
    assert all(sum(c * ts.cells["n"].iloc[i] for i, c in r) == 0 for r in tableset.relations(ts))


# ----------------------------------------------------------------------------- seeded random data

def _random_survey(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(int(rng.integers(60, 140))):
        g = rng.choice(["deltagare", "styrelse"], p=[0.8, 0.2])
        rows.append({"respondent_id": f"r{i}", "respondentgrupp": g, "forbund": rng.choice(["A", "B", "C"], p=[.5, .35, .15]),
                     "vag": rng.choice(["2025H1", "2025H2"]), "tidpunkt": "avslut" if g == "deltagare" else "halvar",
                     "kon": rng.choice(["kvinna", "man", "annat"], p=[.48, .48, .04]) if g == "deltagare" else None,
                     "nns_1A": float(rng.integers(1, 7)) if g == "deltagare" else np.nan,
                     "nns_2A": float(rng.integers(1, 7)) if g == "deltagare" and rng.random() > .1 else np.nan,
                     "nns_12": float(rng.integers(1, 7)) if g == "styrelse" else np.nan})
    return pd.DataFrame(rows)


def _random_segments(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for fb in ("A", "B"):
        for g in ("deltagare", "personal"):
            speakers = [f"{fb}{g}{k}" for k in range(int(rng.integers(2, 12)))]
            for j in range(int(rng.integers(8, 30))):
                for kod in rng.choice(["x", "y", "z"], size=int(rng.integers(1, 3)), replace=False):
                    rows.append({"segment_id": f"{fb}{g}{j}", "session": f"{fb}{g}", "grupp": g, "forbund": fb,
                                 "talare_id": rng.choice(speakers), "kodare": "A", "kod": kod})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_datasets_are_protected(seed, tmp_path):
    for ts, add in ((surveytables.build_nns(_random_survey(seed)), surveytables.NNS.additive),
                    (surveytables.build_focus(_random_segments(seed)), surveytables.FOKUS.additive)):
        out = tableset.protect(ts)
        hidden = out.cells["status"] != tableset.PUBLISHED
        assert hidden.any()
        assert tableset.attack(out)["skyddad"].all()
        ind = independent_attack(tableset.write_parquet(out, tmp_path / f"{seed}.parquet"), add)
        assert len(ind) == hidden.sum() and ind["bredd"].min() >= P - 1e-6


# ----------------------------------------------------------------------------- the views

def test_kärnindikator_tables_show_only_published_cells(samples, nns_protected):
    ts, _ = nns_protected
    svar = samples.nns[samples.nns["forbund"] == "Norrdal"]  # as the Norrdal run's notebook reads it
    res = indicators.item_results(svar, tabeller=ts)
    raw = indicators.item_results(svar, suppress=False)
    assert len(res) == len(raw)
    shown = 0
    for (_, r), (_, w) in zip(res.iterrows(), raw.iterrows()):
        c = surveytables.nns_cell(ts, r["forbund"], r["respondentgrupp"], r["tidpunkt"], r["vag"], r["item"])
        if c["status"] != tableset.PUBLISHED:
            assert r["undertryckt"] and math.isnan(r["n"]) and math.isnan(r["andel_topp2"])
            continue
        shown += 1
        assert r["n"] == c["n"] == w["n"]
        assert r["andel_topp2"] == pytest.approx((c["antal_5"] + c["antal_6"]) / c["n"])
        assert r["andel_topp2"] == pytest.approx(w["andel_topp2"]) and r["medel"] == pytest.approx(w["medel"])
    assert shown > 100
    # pooled indicators: shown only where every item cell is published; the pooled answers are their sum
    ir = indicators.indicator_results(svar, tabeller=ts)
    assert (ir.loc[ir["indikator"] == 6, "antal_pastaenden"] == 2).any()
    for _, r in ir[ir["indikator"] == 6].iterrows():
        cells = [surveytables.nns_cell(ts, r["forbund"], r["respondentgrupp"], r["tidpunkt"], r["vag"], it)
                 for it in r["pastaenden"].split(", ")]
        if all(c["status"] == tableset.PUBLISHED for c in cells):
            assert r["n_svar"] == sum(c["n"] for c in cells)
        else:
            assert r["undertryckt"] and math.isnan(r["n_svar"])
    # the aggregate of all förbund is the förbund-total cell; a förbund and the aggregate never leave a hidden förbund
    jm = indicators.compare_with_aggregate(samples.nns, tabeller=ts, forbund="Norrdal")
    for _, r in jm[jm["aggregat"] & ~jm["undertryckt"]].iterrows():
        c = surveytables.nns_cell(ts, "Totalt", r["respondentgrupp"], r["tidpunkt"], r["vag"], r["item"])
        assert r["n"] == c["n"]


def test_focus_tallies_show_only_published_cells(samples, codebook, focus_protected):
    ts, _ = focus_protected
    for fb in ("Norrdal", "Söderå"):
        seg = samples.segments[samples.segments["forbund"] == fb]
        tl = coding.tally(seg, codebook, by="grupp", level="tema", tvarkoder=False, tabeller=ts)
        raw = coding.tally(seg, codebook, by="grupp", level="tema", tvarkoder=False)
        m = tl.merge(raw, on=["grupp", "kod"], suffixes=("", "_rakna"))
        assert len(m) == len(raw)
        for _, r in m.iterrows():
            c = ts.cell("fokus", forbund=fb, grupp=r["grupp"], tema=r["kod"])
            if c["status"] == tableset.PUBLISHED:
                assert r["talare"] == r["talare_rakna"] == c["n"] and r["segment"] == r["segment_rakna"]
            else:
                assert r["undertryckt"] and math.isnan(r["talare"])
        board = coding.board_table(tl, codebook)
        assert "nan" not in board.to_string().lower()
        h = coding.headline(seg, codebook, coders=("A", "B"), tabeller=ts)
        for kod, v in h["teman_segment"].items():
            c = ts.cell("fokus", forbund=fb, grupp="Totalt", tema=kod)
            assert v == (int(c["segment"]) if c["status"] == tableset.PUBLISHED else None)


# ----------------------------------------------------------------------------- the sample snapshot

@pytest.mark.slow
@pytest.mark.notebook
def test_snapshot_outputs_are_published_cells(sample_snapshot):
    from test_one_truth import RUNS, _html_tables, _num

    snap = sample_snapshot.path
    man = sample_snapshot.manifest["tabelluppsattning"]
    nns = tableset.read_parquet(snap / surveytables.NNS_FILENAME)
    fok = tableset.read_parquet(snap / surveytables.FOCUS_FILENAME)
    assert man["nns"]["fil"] == surveytables.NNS_FILENAME and man["nns"]["celler"] == len(nns.cells)
    assert man["fokusgrupper"]["sekundart_undertryckta"] == fok.cost()["sekundart_undertryckta"] > 0
    for path, add in ((snap / surveytables.NNS_FILENAME, surveytables.NNS.additive),
                      (snap / surveytables.FOCUS_FILENAME, surveytables.FOKUS.additive)):
        assert independent_attack(path, add)["bredd"].min() >= P - 1e-6
    checked = 0
    for fb, run in RUNS.items():
        res = json.loads((sample_snapshot.runs[f"{run}/karnindikatorer"] / "results.json").read_text())
        for key, share in res["andel_topp2_senaste"].items():
            f, g, tp, item = key.split("/")
            c = surveytables.nns_cell(nns, f, g, tp, res["vagor"][-1], item)
            assert c["status"] == tableset.PUBLISHED, key
            assert share == pytest.approx((c["antal_5"] + c["antal_6"]) / c["n"])
            checked += 1
        res = json.loads((sample_snapshot.runs[f"{run}/fokusgrupper"] / "results.json").read_text())
        for kod, v in res["teman_segment"].items():
            c = fok.cell("fokus", forbund=fb, grupp="Totalt", tema=kod)
            assert v == (c["segment"] if c["status"] == tableset.PUBLISHED else None)
            checked += 1
        # the slutrapport's focus-group table: every count a published cell, else "–"
        html = _html_tables(sample_snapshot.runs[f"{run}/slutrapport"] / "rapport.html")
        groups = {"Deltagare": "deltagare", "Personal": "personal"}
        labels = {v: k for k, v in coding.combine_codebooks(*surveytables.DEFAULT_KODBOCKER.split(",")).labels("sv").items()}
        for cap, df in html:
            if "Teman i fokusgrupperna" not in cap:
                continue
            for _, r in df.iterrows():
                c = fok.cell("fokus", forbund=fb, grupp=groups[r["Grupp"]], tema=labels[r["Kod"]])
                if c["status"] == tableset.PUBLISHED:
                    assert _num(r["Antal talare"]) == c["n"] and _num(r["Antal segment"]) == c["segment"]
                else:
                    assert r["Antal talare"] == "–"
                checked += 1
    assert checked > 40


def test_malniva_values_only_from_published_cells(nns_protected):
    """A målnivå's n and value pool NNS cells: hidden unless every pooled cell is published (the
    4 answers of Söderå's parternas chefsgrupp used to be shown as n = 4 beside 'Saknar data')."""
    ts, _ = nns_protected
    indata = inputs.load(str(ROOT / "data_samples"), forbund="Söderå")
    att = indicators.target_attainment(indata.nns, indata.targets, tabeller=ts)
    row = att[(att["indikator"] == 15)].iloc[0]
    assert row["undertryckt"] and math.isnan(row["n"]) and math.isnan(row["varde"])
    assert row["status_text"] == "Dold för att skydda små grupper"
    c = surveytables.nns_cell(ts, "Söderå", "parternas_chefsgrupp", "halvar", row["vag"], "15")
    assert c["status"] != tableset.PUBLISHED
    shown = att[~att["undertryckt"] & (att["indikator"] != 11)]
    for _, r in shown.iterrows():  # an item target at one timepoint is exactly one published cell
        if isinstance(r["item"], str) and isinstance(r["tidpunkt"], str):
            c = surveytables.nns_cell(ts, "Söderå", r["respondentgrupp"], r["tidpunkt"], r["vag"], r["item"])
            assert c["status"] == tableset.PUBLISHED and r["n"] == c["n"]
    assert len(shown) >= 5


def test_goal_tracker_nns_values_are_published_cells(samples, nns_protected, monkeypatch):
    """In a snapshot run the goal tracker's NNS values are cells of the snapshot's NNS table: Norrdal's
    parternas chefsgrupp, item 12 in 2025H2 (5 answers) is hidden there to protect a smaller cell, so
    the goal shows no value (table by table it was shown)."""
    from evaluation import goals

    _, path = nns_protected
    ind = {"kalla": "nns", "item": "12", "respondentgrupp": "parternas_chefsgrupp", "tidpunkt": "halvar",
           "matt": "andel_topp2", "malniva": 0.5}
    u = goals.Underlag(nns=samples.nns, forbund="Norrdal")
    before = goals._nns(ind, u, 5, [])["uppfoljning"]
    assert before[1] == 5 and before[0] is not None and not math.isnan(before[0])
    monkeypatch.setenv(tableset.ENV, str(Path(path).parent / tableset.FILENAME))
    value, n = goals._nns(ind, u, 5, [])["uppfoljning"]
    assert (value is None or math.isnan(value)) and (n is None or math.isnan(n))
    ind14 = {**ind, "item": "14a", "respondentgrupp": "styrelse"}  # published: the cell's share
    value, n = goals._nns(ind14, u, 5, [])["uppfoljning"]
    c = surveytables.nns_cell(tableset.read_parquet(path), "Norrdal", "styrelse", "halvar", "2025H2", "14a")
    assert n == c["n"] and value == pytest.approx((c["antal_5"] + c["antal_6"]) / c["n"])
