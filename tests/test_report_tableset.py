"""The slutrapport publishes only cells of the protected table set (issue 15).

Two levels:

* a hand-made förbund with the Norrdal pattern (13 women, 15 men and 2 ej binära personer closed in
  2025): the report used to show Kvinna 13 and Man 15 of 30 avslutade, so Annat = 30 − 13 − 15 = 2;
* the sample snapshot (session fixture ``sample_snapshot``): every number of the slutrapport's
  flow and KASAM tables, in the HTML and in the Word file, is a published cell of the snapshot's
  ``tabelluppsattning.parquet`` (or a share / mean computed only from published cells), no
  suppressed cell is shown, and the LP attacker (:func:`evaluation.tableset.attack`) finds no
  suppressed cell of the Parquet narrower than the protection level.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from evaluation import report, tableset
from evaluation.goals import Underlag
from evaluation.report import Inputs

from test_one_truth import RUNS, _docx_tables, _html_tables, _num

ROOT = Path(__file__).resolve().parents[1]


def _leak_episodes() -> pd.DataFrame:
    """Förbund X, 2025: insats A 7 women + 8 men, insats B 6 women + 7 men + 2 ej binära; all closed
    in 2025; own support (lön) after exit for the first 4 of every insats × kön group of women and men."""
    rows, i = [], 0
    for insats, kon, n in (("A", "kvinna", 7), ("A", "man", 8), ("B", "kvinna", 6), ("B", "man", 7),
                           ("B", "annat", 2)):
        for k in range(n):
            i += 1
            rows.append({"episod_id": f"e{i}", "deltagare_id": f"p{i}", "forbund": "X", "insats": insats,
                         "kon": kon, "inskrivningsdatum": "2025-01-10", "avslutsdatum": "2025-06-30",
                         "avslutsorsak": "forvarvsarbete" if k < 4 else "ovriga_avslutade",
                         "forsorjning_fore": "forsorjningsstod",
                         "forsorjning_efter": "lon" if k < 4 else "forsorjningsstod"})
    return pd.DataFrame(rows)


def _blocks(r) -> dict:
    return {b.rubrik: b for s in r.avsnitt for b in s.block if b.rubrik} | {b.rubrik: b for b in r.bilaga if b.rubrik}


def test_kon_split_no_longer_reveals_the_two_ej_binara():
    """13 + 15 of 30 avslutade gave away Annat = 2; now the shown figures leave it undetermined."""
    r = report.build(Inputs(Underlag(episodes=_leak_episodes(), reference_date="2026-01-15", forbund="X")),
                     period_start="2025-01-01", period_end="2025-12-31")
    blocks = _blocks(r)
    floden = blocks["Deltagarflöden"].innehall.set_index("Mått")["Värde"]
    total = _num(floden["Avslutade under perioden"])
    egen = blocks["Egen försörjning efter avslut per kön"].innehall.set_index("Kön")["n"]
    assert egen["Annat/ej binär"] == "–"
    shown = {k: _num(egen[k]) for k in ("Kvinna", "Man")}
    # before issue 15 all three were shown: 30, 13 and 15
    assert math.isnan(total) or any(math.isnan(v) for v in shown.values())
    cross = blocks["Avslut per kategori och kön"].innehall.set_index("Avslutskategori") \
        if "Avslut per kategori och kön" in blocks and blocks["Avslut per kategori och kön"].typ == "tabell" else None
    if cross is not None:  # the same kön totals in the cross-table: never all of total, Kvinna, Man
        row = cross.loc["Totalt"]
        assert sum(math.isnan(_num(row[c])) for c in ("Kvinna", "Man", "Totalt")) >= 1
    # the evaluator sees the price of protection in the bilaga
    cost = blocks["Skyddet av små grupper: den skyddade tabelluppsättningen"].innehall.set_index("Mått")["Värde"]
    ts = report.protected_tables(Inputs(Underlag(episodes=_leak_episodes(), reference_date="2026-01-15",
                                                 forbund="X")))
    c = ts.cost()
    assert _num(cost["Sekundärt undertryckta (dolda för att skydda andra)"]) == c["sekundart_undertryckta"] > 0
    assert _num(cost["Primärt undertryckta (färre än 5 personer)"]) == c["primart_undertryckta"] > 0


def test_a_table_with_every_cell_hidden_is_one_line():
    blk = report._table("T", pd.DataFrame({"Kön": ["Kvinna", "Man"], "n": ["–", "–"]}), 5, "sv")
    assert blk.typ == "text" and blk.innehall.startswith("Alla uppgifter i tabellen är dolda")
    assert report._table("T", pd.DataFrame({"Kön": ["Kvinna"], "n": ["12"]}), 5, "sv").typ == "tabell"


# ----------------------------------------------------------------------------- the sample snapshot

PERIOD = "2025"


@pytest.fixture(scope="module")
def snap(sample_snapshot):
    """The snapshot's table set and, per förbund, the slutrapport's tables (HTML and Word)."""
    ts = tableset.read_parquet(sample_snapshot.path / tableset.FILENAME)
    out = {}
    for forbund, run in RUNS.items():
        folder = sample_snapshot.runs[f"{run}/slutrapport"]
        out[forbund] = {"html": _html_tables(folder / "rapport.html"), "word": _docx_tables(folder / "slutrapport.docx")}
    return ts, out


def _cell(ts, matt, **dims) -> tuple[float, bool]:
    """(value, published) of a cell of the snapshot's table set; an absent cell is a published 0."""
    try:
        c = ts.cell(matt, **dims)
    except KeyError:
        return 0.0, True
    pub = c["status"] == tableset.PUBLISHED
    return (float(c["n"]) if pub else math.nan), pub


def _check_count(shown: str, ts, matt, where, **dims):
    value, pub = _cell(ts, matt, **dims)
    if not pub:
        assert shown.strip() == "–", (where, matt, dims, shown)
    else:
        assert _num(shown) == value, (where, matt, dims, shown, value)


def _tables(o, caption):
    return [(w, df.rename(columns={"Antal (n)": "n"})) for w in ("html", "word") for h, df in o[w] if caption in h]


KON = {"Kvinna": "kvinna", "Man": "man", "Annat/ej binär": "annat", "Totalt": ""}


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("forbund", list(RUNS))
def test_every_flow_number_of_the_slutrapport_is_a_published_cell(snap, forbund):
    from evaluation import flows

    ts, out = snap
    o = out[forbund]
    dims = {"forbund": forbund, "period": PERIOD}
    checked = 0
    # participants per insats × kön: the aktiva cells
    for where, df in _tables(o, "Deltagare per insats och kön"):
        for _, row in df.iterrows():
            ins = "" if row["Insats"] == "Totalt" else row["Insats"]
            for col, kon in KON.items():
                if col in df.columns:
                    _check_count(row[col], ts, "aktiva", where, **dims, insats=ins, kon=kon)
                    checked += 1
    # exits per SUS category × kön, and per SUS category with bekräftade / obekräftade: the sus cells
    labels = {flows._cat_label(k, "sv"): k for k in flows._domain(ts, "sus", "kategori")}
    for where, df in _tables(o, "Avslut per kategori och kön"):
        for _, row in df.iterrows():
            cat = "" if row["Avslutskategori"] == "Totalt" else labels[row["Avslutskategori"]]
            for col, kon in KON.items():
                if col in df.columns:
                    _check_count(row[col], ts, "sus", where, **dims, kon=kon, kategori=cat)
                    checked += 1
    total, _ = _cell(ts, "avslutade", **dims)
    for where, df in _tables(o, "Avslut per kategori (SUS)"):
        for _, row in df.iterrows():
            cat = labels[row["Kategori"]]
            _check_count(row["Antal"], ts, "sus", where, **dims, kategori=cat)
            n, pub = _cell(ts, "sus", **dims, kategori=cat)
            if pub and not math.isnan(total):
                assert _num(row["Andel"]) == pytest.approx(100 * n / total, abs=0.05)
            else:
                assert row["Andel"] == "–"
            assert "Bekräftade" not in df.columns  # SUS category × utfallsstatus is not a cell of the set
            checked += 2
    # own support per kön: n = avslutade, share = egen ja / (ja + nej), all published
    for where, df in _tables(o, "Egen försörjning efter avslut per kön"):
        for _, row in df.iterrows():
            kon = KON[row["Kön"]]
            _check_count(row["n"], ts, "avslutade", where, **dims, kon=kon)
            ja, pja = _cell(ts, "egen", **dims, kon=kon, kategori="ja")
            nej, pnej = _cell(ts, "egen", **dims, kon=kon, kategori="nej")
            share = row["Egen försörjning efter (%)"]
            if pja and pnej and ja + nej > 0:
                assert _num(share) == pytest.approx(100 * ja / (ja + nej), abs=0.05)
            else:
                assert share == "–", (where, kon, share)
            checked += 2
    # time in insats per insats and per kön: the rows of the avslutade cells
    for caption, col, dim in (("Tid i insatsen per kön", "Kön", "kon"), ("Tid i insatsen", "Insats", "insats")):
        for where, df in _tables(o, caption):
            if col not in df.columns:
                continue
            for _, row in df.iterrows():
                key = KON.get(row[col], row[col]) if dim == "kon" else row[col]
                _check_count(row["Antal"], ts, "avslutade", where, **dims, **{dim: key})
                checked += 1
    # key figures: avslutade and inskrivna in the flows table; the episodes are the nya cell of every year;
    # persons are no cell: not in the board's tables (null in results.json)
    for where, df in _tables(o, "Deltagarflöden"):
        v = df.set_index("Mått")["Värde"]
        _check_count(v["Avslutade under perioden"], ts, "avslutade", where, **dims)
        _check_count(v["Inskrivna under perioden"], ts, "nya", where, **dims)
        _check_count(v["Episoder inskrivna till och med referensdatum"], ts, "nya", where, forbund=forbund, period="alla")
        assert "Deltagare (personer)" not in v.index, where
        checked += 3
    assert checked > 60


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("forbund", list(RUNS))
def test_kasam_figures_are_the_published_moments(snap, forbund):
    ts, out = snap
    o = out[forbund]
    seen = 0
    for caption, col in (("KASAM före och efter per kön", "Kön"), ("KASAM före och efter", "Grupp")):
        for where, df in _tables(o, caption):
            if col not in df.columns:
                continue
            for _, row in df.iterrows():
                if col == "Grupp" and "deltagare" not in row["Grupp"]:
                    continue  # staff KASAM is not in the table set (protected table by table)
                kon = KON[row["Kön"]] if col == "Kön" else ""
                c = ts.cell("kasam", forbund=forbund, period="alla", kon=kon)
                if c["status"] != tableset.PUBLISHED:
                    assert row["n"] == "–" and row["Före"] == "–"
                    continue
                n = float(c["n"])
                assert _num(row["n"]) == n
                assert _num(row["Före"]) == pytest.approx(c["summa_fore"] / n, abs=0.05)
                assert _num(row["Efter"]) == pytest.approx(c["summa_efter"] / n, abs=0.05)
                assert _num(row["Förändring"]) == pytest.approx((c["summa_efter"] - c["summa_fore"]) / n, abs=0.05)
                seen += 1
    assert seen >= 4


@pytest.mark.slow
@pytest.mark.notebook
def test_no_suppressed_cell_of_the_snapshot_can_be_recovered(snap):
    """The LP attacker on the snapshot's published cells: every suppressed cell stays ≥ 5 wide.

    The Parquet holds no suppressed value, so the audit runs on the same table set with its true
    values (built from the same folder, dated as the run dates it; the attacker's witnesses need them) after
    checking that it publishes exactly the Parquet's cells.
    """
    ts, _ = snap
    full = tableset.for_data_dir(ROOT / "data_samples")  # dated by the data, as the run dates it
    key = list(tableset.KEY)
    a = ts.cells.set_index(key).sort_index()
    b = full.published().set_index(key).sort_index()
    assert a.index.equals(b.index)
    assert ((a["status"] == tableset.PUBLISHED) == (b["status"] == tableset.PUBLISHED)).all()
    pub = a["status"] == tableset.PUBLISHED
    assert (a.loc[pub, "n"].astype(float) == b.loc[pub, "n"].astype(float)).all()
    res = tableset.attack(full, lower=0)
    assert len(res) == int((~pub).sum()) > 0
    narrow = res[res["bredd"] < ts.protection - 1e-7]
    assert narrow.empty, narrow.head(10).to_string()


def test_key_messages_leave_out_what_the_tables_hide():
    """The header's "Det viktigaste" is written from results.json: it must not say what the tables hide."""
    from evaluation import story

    flows_res = {"antal_deltagare": 310, "antal_episoder": 335, "inskrivna_i_perioden": 93, "avslutade_i_perioden": 110,
                 "offentlig_fore_andel": 0.9545, "offentlig_efter_andel": 0.2636,
                 "publicerade": {"inskrivna_i_perioden": False, "avslutade_i_perioden": True,
                                 "offentlig_fore_andel": False, "offentlig_efter_andel": True}}
    m = story.key_messages("deltagarfloden", flows_res)
    assert m[0] == "310 personer har deltagit i insatserna (335 inskrivningar); 110 avslutades under perioden."
    assert not any("offentlig" in x or "93" in x for x in m)
    rep = {"nyckeltal": {"flows.deltagare": 310.0, "flows.inskrivna_i_perioden": 93.0,
                         "flows.avslutade_i_perioden": 110.0, "flows.offentlig_fore_andel": 0.9545,
                         "flows.offentlig_efter_andel": 0.2636},
           "nyckeltal_publicerade": {"flows.deltagare": True, "flows.inskrivna_i_perioden": True,
                                     "flows.avslutade_i_perioden": True, "flows.offentlig_fore_andel": False,
                                     "flows.offentlig_efter_andel": True}}
    m = story.key_messages("slutrapport", rep)
    assert m == ["310 personer har deltagit i insatserna; 93 skrevs in och 110 avslutades under perioden."]
    # without the flags (older results.json) the messages are as before
    assert len(story.key_messages("slutrapport", {"nyckeltal": rep["nyckeltal"]})) == 2
    # focus groups: when the protected table hides every theme's count, the header says so instead of
    # quoting a count (Norrdal's deltagare group had 4 speakers)
    coding_res = {"n_segment": 56, "n_sessioner": 3, "n_talare": 14, "alpha": 0.78,
                  "teman_segment": {"ff1": None, "ff2": None, "ff3": None}}
    m = story.key_messages("fokusgrupper", coding_res)
    assert len(m) == 3 and m[1].startswith("Materialet täcker 3 teman. Hur mycket som sades per tema visas inte")
    assert not any("avsnitt." in x and "mest omtalade" in x for x in m)


# ----------------------------------------------------------------------------- goal tracker and deltagarflöden
# (issue 15: the goal tracker's participant figures and the deltagarflöden board tables are slices too)


@pytest.fixture(scope="module")
def closed_2024_2025():
    """The samples' episodes as the evaluator reads them (participant rows), for recounting published cells."""
    from evaluation import dashboards as db

    data = db.load_data(ROOT / "data_samples", snapshots_dir=ROOT / "no-such-snapshots")
    ep = data.episodes
    closed = ep[ep["avslutad"].astype(bool)]
    return closed.assign(ar=pd.to_datetime(closed["avslutsdatum"]).dt.strftime("%Y"))


def _goal_rows(o):
    """The goal tracker's indicator table of a slutrapport (HTML and Word), keyed by (goal, indicator)."""
    out = []
    for where, df in _tables(o, "Mål och indikatorer"):
        out += [(where, {(str(r["Mål"]), r["Indikator"]): r for _, r in df.iterrows()})]
    assert out, "the slutrapport shows no goal indicators"
    return out


#: Flow indicators of the sample goal files: (goal, indicator name) -> (numerator, base) over the closed
#: episodes of one year, and the table-set cells they are read from
GOAL_SHARES = {
    "Andel med egen försörjning efter avslut": (
        lambda c: (c["egen_forsorjning_efter"] == "ja").sum(), lambda c: c["egen_forsorjning_efter"].isin(["ja", "nej"]).sum(),
        [("egen", "ja"), ("egen", "nej")]),
    "Andel med offentlig försörjning efter avslut": (
        lambda c: (c["forsorjningsgrupp_efter"] == "offentlig").sum(), len,
        [("forsorjning_efter", "offentlig"), ("avslutade", "")]),
}
GOAL_FILES = {"Norrdal": ROOT / "data_samples" / "mal" / "norrdal.yaml", "Söderå": ROOT / "data_samples" / "mal" / "sodera.yaml"}


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("forbund", list(RUNS))
def test_goal_tracker_figures_are_published_cells(snap, closed_2024_2025, forbund):
    """Every participant share, count and KASAM mean of the goal tracker (slutrapport HTML and Word) is
    recounted from the participant rows where its cells are published and "–" (goal "ej mätbart")
    where one is suppressed in the snapshot's table set."""
    from evaluation import goals

    ts, out = snap
    spec = goals.load_goals(GOAL_FILES[forbund])
    checked = 0
    for where, rows in _goal_rows(out[forbund]):
        for g in spec["mal"]:
            for ind in g["indikatorer"]:
                name = ind.get("namn")
                if ind["kalla"] == "flows" and name in GOAL_SHARES:
                    num, base, cells = GOAL_SHARES[name]
                    row = rows[(g["id"], name)]
                    for point, col in (("baslinje", "Baslinje"), ("uppfoljning", "Uppföljning")):
                        p = ind.get(point) or {}
                        if "varde" in p:
                            assert _num(row[col]) == pytest.approx(p["varde"]), (where, g["id"], point)
                            continue
                        year = p["period"][0][:4]
                        pub = all(_cell(ts, m, forbund=forbund, period=year, kategori=k)[1] if k else
                                  _cell(ts, m, forbund=forbund, period=year)[1] for m, k in cells)
                        c = closed_2024_2025[(closed_2024_2025["forbund"] == forbund) & (closed_2024_2025["ar"] == year)]
                        if pub:
                            assert _num(row[col]) == pytest.approx(num(c) / base(c), abs=0.005), (where, g["id"], point)
                        else:
                            assert row[col] == "–", (where, g["id"], point, row[col])
                            if point == "uppfoljning":
                                assert row["Status"] == "ej mätbart"
                        if point == "uppfoljning":  # n = the avslutade cell of the follow-up year
                            n, npub = _cell(ts, "avslutade", forbund=forbund, period=year)
                            assert (_num(row["n (uppföljning)"]) == len(c) == n) if npub else row["n (uppföljning)"] == "–"
                        checked += 1
                elif ind["kalla"] == "kasam" and ind["grupp"] == "deltagare":
                    row = rows[(g["id"], "KASAM total, deltagare (medelvärde)")]
                    c = ts.cell("kasam", forbund=forbund, period="alla")
                    if c["status"] != tableset.PUBLISHED:
                        assert row["Baslinje"] == "–" and row["Uppföljning"] == "–"
                    else:
                        n = float(c["n"])
                        assert _num(row["n (uppföljning)"]) == n
                        assert _num(row["Baslinje"]) == pytest.approx(c["summa_fore"] / n, abs=0.05)
                        assert _num(row["Uppföljning"]) == pytest.approx(c["summa_efter"] / n, abs=0.05)
                    checked += 1
    assert checked >= 4


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("forbund", list(RUNS))
def test_deltagarfloden_report_shows_only_slices(sample_snapshot, closed_2024_2025, forbund):
    """The deltagarflöden board report: före → efter only as its margins (published cells, recounted from
    the participant rows), no transition table, Sankey, per-source, sysselsättning or milestone table."""
    from evaluation import flows

    ts = tableset.read_parquet(sample_snapshot.path / tableset.FILENAME)
    html = sample_snapshot.runs[f"{RUNS[forbund]}/deltagarfloden"] / "rapport.html"
    text = html.read_text(encoding="utf-8")
    assert not re.search(r'"type":\s*"sankey"', text)  # no Sankey figure (plotly.js itself names the trace type)
    tables = _html_tables(html)
    for heading, _ in tables:  # (the one line saying why a table is not shown may name it)
        for gone in ("Sysselsättning", "per källa", "Omfattning", "Milstol", "Övergång"):
            assert gone not in heading or "visas inte" in heading, heading
    # the rundgång cohort (exit months) and its returns are not slices, nor are persons, anonymous participants
    # and unconfirmed exits: never shown, so no row among the key figures (and null in results.json)
    assert not any("Avslutade i kohorten" in df.columns for _, df in tables)
    key = next(df for _, df in tables if "Nyckeltal" in df.columns).set_index("Nyckeltal")["Värde"]
    for gone in ("Avslutade i rundgångskohorten", "Åter i kontakt eller på försörjningsstöd (andel av kohorten)",
                 "Deltagare (personer)", "Anonyma deltagare", "Avslut som ännu inte är bekräftade (väntetid)",
                 "Episoder (deltagare × insats)"):
        assert gone not in key.index, gone
    # the episodes: the nya cell of every year; ongoing: nya − avslutade of every year (both published here)
    res = json.loads((html.parent / "results.json").read_text(encoding="utf-8"))
    nya, pub_nya = _cell(ts, "nya", forbund=forbund, period="alla")
    avs, pub_avs = _cell(ts, "avslutade", forbund=forbund, period="alla")
    shown_nya, shown_pag = (key["Episoder inskrivna till och med referensdatum (deltagare × insats)"],
                            key["Pågående vid referensdatum"])
    if pub_nya:
        assert _num(shown_nya) == nya == res["antal_episoder"]
    else:
        assert shown_nya == "–" and res["antal_episoder"] is None
    if pub_nya and pub_avs:
        assert _num(shown_pag) == nya - avs == res["pagaende_vid_referensdatum"]
    else:
        assert shown_pag == "–" and res["pagaende_vid_referensdatum"] is None
    assert all(res[k] is None and res["publicerade"][k] is False for k in flows.EVALUATOR_ONLY)
    margins = [df for _, df in tables if list(df.columns) == ["Försörjning", "Vid inskrivning", "Vid avslut"]]
    assert len(margins) == 1
    labels = {flows._forsorjning_label(g, "sv"): g for g in flows._GROUPS}
    c = closed_2024_2025[(closed_2024_2025["forbund"] == forbund) & (closed_2024_2025["ar"] == PERIOD)]
    dims = {"forbund": forbund, "period": PERIOD}
    checked = 0
    for _, row in margins[0].iterrows():
        for col, matt, unit in (("Vid inskrivning", "forsorjning_fore", "forsorjningsgrupp_fore"),
                                ("Vid avslut", "forsorjning_efter", "forsorjningsgrupp_efter")):
            if row["Försörjning"] == "Totalt":
                value, pub = _cell(ts, "avslutade", **dims)
                true = len(c)
            else:
                g = labels[row["Försörjning"]]
                value, pub = _cell(ts, matt, **dims, kategori=g)
                true = int((c[unit] == g).sum())
            if pub:
                assert _num(row[col]) == value == true, (forbund, row["Försörjning"], col)
            else:
                assert row[col] == "–", (forbund, row["Försörjning"], col)
            checked += 1
    assert checked >= 6


def test_goal_tracker_reads_the_hand_made_table_set():
    """Förbund X 2025 (:func:`_leak_episodes`): 30 avslutade, 18 with lön after (4 of every insats × kön
    group of women and men, both ej binära). The goal tracker's share and n are the table set's cells
    (18 / 30 where published), its kön breakdown never shows the 2 ej binära, and a suppressed cell
    makes the indicator "ej mätbart" with "–"."""
    import dataclasses

    from evaluation import goals

    inp = Inputs(Underlag(episodes=_leak_episodes(), reference_date="2026-01-15", forbund="X"))
    ts = report.protected_tables(inp)
    spec = goals.parse_goals({"forbund": "X", "mal": [{"id": "1", "text": "Egen försörjning", "uppdelning": ["kon"],
        "indikator": {"kalla": "flows", "matt": "egen_forsorjning_efter_andel", "malniva": 0.5, "riktning": "minst",
                      "uppfoljning": {"period": ["2025-01-01", "2025-12-31"]}}}]})
    r = goals.track(spec, dataclasses.replace(inp.underlag, tabeller=ts))
    row = goals.indicator_table(r).iloc[0]
    ja, nej = ts.cell("egen", forbund="X", period="2025", kategori="ja"), ts.cell("egen", forbund="X", period="2025",
                                                                                    kategori="nej")
    n = ts.cell("avslutade", forbund="X", period="2025")
    if ja["status"] == nej["status"] == tableset.PUBLISHED:
        assert (int(ja["n"]), int(nej["n"])) == (18, 12)  # recounted by hand from _leak_episodes
        assert _num(row["Uppföljning"]) == 0.6
    else:
        assert row["Uppföljning"] == "–" and row["Status"] == "ej mätbart"
    assert (_num(row["n (uppföljning)"]) == 30) if n["status"] == tableset.PUBLISHED else row["n (uppföljning)"] == "–"
    kat = r.kategorier.set_index("kategori")
    assert "annat" not in kat.index or kat.loc["annat", "uppfoljning"] is None
    for kon, (k_ja, k_nej) in {"kvinna": (8, 5), "man": (8, 7)}.items():
        pub = all(ts.cell("egen", forbund="X", period="2025", kon=kon, kategori=k)["status"] == tableset.PUBLISHED
                  for k in ("ja", "nej"))
        shown = kat.loc[kon, "uppfoljning"]
        assert (shown == pytest.approx(k_ja / (k_ja + k_nej))) if pub else shown is None, kon
    # both kön groups reach 0.5 (8/13, 8/15): reached where a group is measurable, else not measurable
    measurable = kat["uppfoljning"].notna().any() and row["Uppföljning"] != "–"
    assert row["Status"] == ("uppnått" if measurable else "ej mätbart")
    # the microdata tracker (no table set) would have shown the same share, and all three kön groups' values
    plain = goals.track(spec, inp.underlag)
    assert plain.indikatorer.iloc[0]["uppfoljning"] == pytest.approx(0.6)


def test_key_messages_quote_handlingsplan_and_never_rundgang_where_not_published():
    """The deltagarflöden header quotes the share with a handlingsplan in time where the table set publishes its
    group (results.json ``publicerade``), and never the rundgång cohort (not a slice: publicerade False)."""
    from evaluation import story

    res = {"antal_deltagare": 310, "antal_episoder": 335, "handlingsplan_i_tid_andel": 0.668,
           "aterkomst_andel": 0.182, "aterkomst_kohort": 44,
           "publicerade": {"handlingsplan_i_tid_andel": True, "aterkomst_andel": False, "aterkomst_kohort": False}}
    m = story.key_messages("deltagarfloden", res)
    assert "67\u00a0% fick en handlingsplan inom fristen efter första mötet." in m
    assert not any("kom tillbaka" in x for x in m)
    hidden = {**res, "publicerade": {**res["publicerade"], "handlingsplan_i_tid_andel": False}}
    assert not any("handlingsplan" in x for x in story.key_messages("deltagarfloden", hidden))


def test_kasam_key_message_leaves_out_a_hidden_rci_share():
    """Norrdal: 8 of 57 improved, 1 deteriorated (hidden, and 8 with it): results.json has both null, and the
    header says nothing of them; a shown improvement with a hidden deterioration is quoted without it."""
    from evaluation import kasam, story

    rc = pd.DataFrame({"kategori": ["forbattrad"] * 8 + ["oforandrad"] * 48 + ["forsamrad"]})
    tab = kasam.protect_reliable_change(kasam.reliable_change_summary(rc)).set_index("kategori")
    assert tab["n"].isna().tolist() == [True, False, True] and tab.at["oforandrad", "n"] == 48
    base = {"medel_fore": 132.2, "medel_efter": 137.4, "diff": 5.3, "ki_lag": 2.2, "ki_hog": 8.4, "n_par": 57,
            "design": "paired", "n_rci": 57}
    m = story.key_messages("kasam_fore_efter", {**base, "andel_forbattrad": None, "andel_forsamrad": None})
    assert not any("mätfelet" in x for x in m)
    m = story.key_messages("kasam_fore_efter", {**base, "andel_forbattrad": 0.14, "andel_forsamrad": None})
    rci = [x for x in m if "mätfelet" in x]
    assert rci == ["14\u00a0% förbättrades mer än mätfelet (Reliable Change Index), andelen som försämrades lika "
                   "mycket visas inte (dold för att skydda små grupper)."]
