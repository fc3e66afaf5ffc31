"""One truth out: a figure shown under one label has one value in every output.

Builds (once per session, the ``sample_snapshot`` fixture) a snapshot of every sample run file and
the dashboard data for the same förbund and period (2025, extract date 2026-01-15), then reads the
figures back from what a person sees: the notebook HTML reports, ``results.json``, the slutrapport
(HTML and Word) and the board dashboard's views. Every figure shown under the same label in several
outputs must have the same value (to the decimals shown). The checks name the figures the issue
found inconsistent: the flow key figures, "Tid i insatsen", the exit categories, KASAM before/after
and indikator 11.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.notebook]

ROOT = Path(__file__).resolve().parents[1]
RUNS = {"Norrdal": "norrdal-2025", "Söderå": "sodera-2025"}
PERIOD = "2025"
REFERENCE = "2026-01-15"


# ----------------------------------------------------------------------------- reading outputs

def _num(text) -> float:
    """A number as shown (Swedish: decimal comma, (narrow) no-break thousands, true minus, %)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return math.nan
    s = str(text).strip()
    if s in {"", "–", "-", "—"}:
        return math.nan
    s = s.replace("\u2212", "-").replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    s = s.replace("%", "").replace("kr", "").replace(",", ".")
    m = re.match(r"^-?\d+(\.\d+)?", s)
    return float(m.group(0)) if m else math.nan


def _key(text):
    """A shown figure for comparing outputs: its number, or "–" for a suppressed one (NaN ≠ NaN)."""
    v = _num(text)
    return "–" if math.isnan(v) else v


def _decimals(text) -> int:
    s = str(text).replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("%", "")
    return len(s.split(",")[1]) if "," in s else 0


def _same(shown, value, scale: float = 1.0) -> bool:
    """``shown`` (a string as displayed) equals ``value`` to the decimals shown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.isnan(_num(shown))
    return abs(_num(shown) - scale * float(value)) <= 0.5 * 10 ** -_decimals(shown) + 1e-9


def _cells(tr) -> list[str]:
    out = []
    for c in tr.find_all(["th", "td"], recursive=False):
        out += [c.get_text(" ", strip=True)] * int(c.get("colspan", 1) or 1)
    return out


def _parse_table(tb) -> pd.DataFrame:
    """An HTML table as strings exactly as shown (header rows merged, index cells kept as columns)."""
    head = [_cells(tr) for tr in (tb.find("thead").find_all("tr") if tb.find("thead") else [])]
    body_rows = tb.find("tbody").find_all("tr") if tb.find("tbody") else tb.find_all("tr")[len(head):]
    body = [_cells(tr) for tr in body_rows]
    if not head and body:
        head, body = [body[0]], body[1:]
    width = max([len(r) for r in head + body] or [0])
    cols = []
    for i in range(width):
        names = [r[i] for r in head if i < len(r) and r[i]]
        cols.append(names[-1] if names else f"_{i}")
    rows = [r + [""] * (width - len(r)) for r in body]
    df = pd.DataFrame(rows, columns=cols)
    return df[[c for c in df.columns if not (c.startswith("_") and (df[c] == "").all())]]


def _html_tables(path: Path) -> list[tuple[str, pd.DataFrame]]:
    """Every table of an HTML report with the text of the heading or paragraph before it."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
    out = []
    for tb in soup.find_all("table"):
        cap = tb.find("caption")  # a table's own title, else the heading or paragraph before it
        prev = cap if cap is not None else tb.find_previous(["h1", "h2", "h3", "h4", "h5", "strong", "p"])
        out.append((prev.get_text(" ", strip=True) if prev else "", _parse_table(tb)))
    return out


def _docx_tables(path: Path) -> list[tuple[str, pd.DataFrame]]:
    """Every table of a Word document with the heading or caption paragraph before it."""
    import docx

    doc = docx.Document(str(path))
    out, heading = [], ""
    body = doc.element.body
    tables = {t._tbl: t for t in doc.tables}
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(n.text or "" for n in child.iter() if n.tag.endswith("}t")).strip()
            if text:
                heading = text
        elif tag == "tbl" and child in tables:
            rows = [[c.text.strip() for c in r.cells] for r in tables[child].rows]
            if rows:
                out.append((heading, pd.DataFrame(rows[1:], columns=rows[0])))
    return out


#: Column labels that name the same thing ("n" is shown as "Antal (n)" by the board formatter).
SAME_COLUMN = {"Antal (n)": "n"}


def _find(tables, heading: str, needs=()) -> pd.DataFrame | None:
    tables = [(h, df.rename(columns=SAME_COLUMN)) for h, df in tables]
    return next((df for h, df in tables if heading in h and all(c in df.columns for c in needs)), None)


def _table(tables, heading: str, needs=()) -> pd.DataFrame:
    tables = [(h, df.rename(columns=SAME_COLUMN)) for h, df in tables]
    hits = [df for h, df in tables if heading in h and all(c in df.columns for c in needs)]
    assert hits, f"no table after {heading!r} with columns {needs} among {[h for h, _ in tables]}"
    return hits[0]


@pytest.fixture(scope="module")
def outputs(sample_snapshot):
    """Per förbund: results.json of every notebook, the HTML tables of every report, the Word tables."""
    out = {}
    for forbund, run in RUNS.items():
        folders = {name.split("/", 1)[1]: p for name, p in sample_snapshot.runs.items() if name.startswith(run + "/")}
        out[forbund] = {
            "results": {nb: json.loads((p / "results.json").read_text(encoding="utf-8")) for nb, p in folders.items()},
            "html": {nb: _html_tables(p / "rapport.html") for nb, p in folders.items()},
            "word": _docx_tables(folders["slutrapport"] / "slutrapport.docx"),
        }
    return out


@pytest.fixture(scope="module")
def board(samples_board):
    """The dashboard data for the same data folder and extract date (REFERENCE; tests/conftest.py)."""
    assert str(samples_board.reference_date.date()) == REFERENCE
    return samples_board


# ----------------------------------------------------------------------------- the checks

@pytest.mark.parametrize("forbund", list(RUNS))
def test_slutrapport_results_repeat_the_notebooks_results(outputs, forbund):
    res = outputs[forbund]["results"]
    flows, kasam, slut = res["deltagarfloden"], res["kasam_fore_efter"], res["slutrapport"]["nyckeltal"]
    flow_keys = [k for k in slut if k.startswith("flows.")]
    assert len(flow_keys) >= 5
    for k in flow_keys:
        key = {"flows.deltagare": "antal_deltagare"}.get(k, k.split(".", 1)[1])
        assert slut[k] == pytest.approx(flows[key]), k
    pairs = {"kasam.deltagare.fore": "medel_fore", "kasam.deltagare.efter": "medel_efter",
             "kasam.deltagare.forandring": "diff", "kasam.personal.forandring": "personal_diff"}
    for k, nb_key in pairs.items():
        if k in slut:
            assert slut[k] == pytest.approx(kasam[nb_key]), k
    assert "kasam.deltagare.forandring" in slut


@pytest.mark.parametrize("forbund", list(RUNS))
def test_every_label_value_pair_agrees_across_outputs(outputs, forbund):
    """Two-column label/value tables (nyckeltal, measures): a label shown twice shows one value."""
    seen: dict[str, list[tuple[str, str]]] = {}
    o = outputs[forbund]
    sources = [(f"{nb}.html", t) for nb, tabs in o["html"].items() for t in tabs] + [("slutrapport.docx", t)
                                                                                     for t in o["word"]]
    for where, (_, df) in sources:
        if df.shape[1] != 2 or df.columns[1] not in ("Värde",):
            continue
        for label, value in zip(df.iloc[:, 0], df.iloc[:, 1]):
            seen.setdefault(str(label).strip(), []).append((where, str(value).strip()))
    shared = {k: v for k, v in seen.items() if len({w for w, _ in v}) > 1}
    assert len(shared) >= 5, sorted(seen)
    for label, values in shared.items():
        nums = {round(_num(v), 6) for _, v in values if not math.isnan(_num(v))}
        assert len(nums) <= 1, (label, values)


@pytest.mark.parametrize("forbund", list(RUNS))
def test_time_in_insats_is_one_figure(outputs, forbund):
    """"Tid i insatsen" per insats: deltagarflöden HTML, slutrapport HTML and Word agree."""
    o = outputs[forbund]
    cols = ("Insats", "Antal", "Medel (dagar)", "Median (dagar)")
    nb = next((df for _, df in o["html"]["deltagarfloden"] if all(c in df.columns for c in cols)), None)
    found = [_find(o[w] if w == "word" else o["html"]["slutrapport"], "Tid i insatsen", cols) for w in ("html", "word")]
    if nb is None or any(f is None for f in found):  # every cell hidden: one line instead of a table, everywhere
        assert nb is None and all(f is None for f in found), "a table in one output, one line in another"
        return
    for other in found:
        a = nb.set_index("Insats")[list(cols[1:])]
        b = other.set_index("Insats")[list(cols[1:])]
        assert sorted(a.index) == sorted(b.index)
        for ins in a.index:
            for c in cols[1:]:
                assert _key(a.at[ins, c]) == _key(b.at[ins, c]), (ins, c)
    # months in results.json are the same episodes' days / 30.4375
    head = o["results"]["deltagarfloden"]
    assert head["tid_median_manader"] is not None


@pytest.mark.parametrize("forbund", list(RUNS))
def test_exit_categories_are_one_set_with_one_count_each(outputs, board, forbund):
    from evaluation import dashboards as db

    o = outputs[forbund]
    rep = _table(o["html"]["slutrapport"], "Avslut per kategori", ("Kategori", "Antal"))
    word = _table(o["word"], "Avslut per kategori", ("Kategori", "Antal"))
    nb = _table(o["html"]["deltagarfloden"], "Avslutsanledning (SUS)", ("Kategori", "Antal"))
    _, view = db.exit_table(board, db.Filters(forbund=forbund, period=PERIOD))
    shown = [dict(zip(df["Kategori"], df["Antal"])) for df in (rep, word, nb, view.astype(str))]
    for other in shown[1:]:  # the same cells of the protected table set: published or "–" alike
        assert {k: _key(v) for k, v in other.items()} == {k: _key(v) for k, v in shown[0].items()}
    cats = list(view["Kategori"])
    assert len(cats) == len(set(cats))
    assert not {"Arbete", "Förvärvsarbete"} <= set(cats)  # one category for work, not two
    # results.json holds the same cells: the count where the tables show it, null where they show "–"
    from evaluation.labels import t

    sus = o["results"]["deltagarfloden"]["avslut_per_sus_kategori"]
    shown_nb = {k: _key(v) for k, v in shown[2].items()}  # the notebook's SUS table
    for code, v in sus.items():
        label = t(f"flows.kategori.{code}", "sv")
        assert (v is None) == (shown_nb[label] == _key("–")), (code, v, shown_nb[label])
        assert v is None or _key(str(v)) == shown_nb[label]


@pytest.mark.parametrize("forbund", list(RUNS))
def test_board_key_figures_are_the_notebooks_key_figures(outputs, board, forbund):
    from evaluation import dashboards as db

    head = outputs[forbund]["results"]["deltagarfloden"]
    kf = db.key_figures(board, db.Filters(forbund=forbund, period=PERIOD)).set_index("nyckel")
    pairs = {"aktiva": ("aktiva_i_perioden", 1), "nya": ("inskrivna_i_perioden", 1),
             "avslutade": ("avslutade_i_perioden", 1), "andel_arbete_studier": ("arbete_studier_andel", 100),
             "offentlig_fore": ("offentlig_fore_andel", 100), "offentlig_efter": ("offentlig_efter_andel", 100),
             "egen_efter": ("egen_forsorjning_efter_andel", 100)}
    compared = 0
    for key, (result_key, scale) in pairs.items():
        if kf.at[key, "undertryckt"]:
            continue
        assert _same(kf.at[key, "visning"], head[result_key], scale), (key, kf.at[key, "visning"], head[result_key])
        compared += 1
    # the board reads the protected table set: on the samples (extract 2026-01-15) only aktiva and avslutade of
    # each förbund's 2025 survive secondary suppression; every figure shown must agree, the rest is "–"
    assert compared >= 2
    assert set(kf.loc[kf["undertryckt"], "visning"]) <= {"–"}


@pytest.mark.parametrize("forbund", list(RUNS))
def test_kasam_change_is_one_figure(outputs, board, forbund):
    from evaluation import dashboards as db

    o = outputs[forbund]
    nb = o["results"]["kasam_fore_efter"]
    cols = ("Grupp", "n", "Före", "Efter", "Förändring")
    for tab in (_table(o["html"]["slutrapport"], "KASAM före och efter", cols), _table(o["word"], "KASAM före och efter", cols)):
        row = tab[tab["Grupp"].str.startswith("KASAM") & tab["Grupp"].str.contains("deltagare", case=False)]
        row = row.iloc[0] if len(row) else tab.iloc[0]
        assert _num(row["n"]) == nb["n_par"]
        assert _same(row["Före"], nb["medel_fore"]) and _same(row["Efter"], nb["medel_efter"])
        assert _same(row["Förändring"], nb["diff"])
    kc = db.kasam_change(board, db.Filters(forbund=forbund)).iloc[0]
    assert kc["design"] == nb["design"] and kc["n"] == nb["n_par"]
    assert kc["mean_diff"] == pytest.approx(nb["diff"]) and kc["mean_before"] == pytest.approx(nb["medel_fore"])


@pytest.mark.parametrize("forbund", list(RUNS))
def test_indicator_11_is_one_figure(outputs, board, forbund):
    from evaluation import dashboards as db

    o = outputs[forbund]
    res = o["results"]["karnindikatorer"]["indikator11"]
    # the notebook labels n and value "Antal (n)" and "Utfall", the slutrapport "n" and "Värde"
    names = {**SAME_COLUMN, "Utfall": "Värde"}
    nb = next(df for _, df in o["html"]["karnindikatorer"]
              if {"Indikator", "Antal (n)", "Utfall", "Status"} <= set(df.columns)).rename(columns=names)
    tables = [nb, _table(o["html"]["slutrapport"], "Målnivåer för NNS", ("Indikator", "n", "Värde", "Status")),
              _table(o["word"], "Målnivåer för NNS", ("Indikator", "n", "Värde", "Status"))]
    rows = [df[df["Indikator"].map(_num) == 11].iloc[0] for df in tables]
    att = db.nns_targets(board, db.Filters(forbund=forbund, period=PERIOD)).astype({"indikator": str})
    dash = att[att["indikator"] == "11"].iloc[0]
    # issue 15: indicator 11 is no cell of a protected table and its counts give hidden cells, so every board
    # output hides it alike (one figure: "–", with the reason) and results.json is null; the evaluator's view
    # (the dashboard's NNS card, no table set) has the figure
    for r in rows:
        assert str(r["n"]).strip() == "–" and str(r["Värde"]).strip() == "–", r.to_dict()
        assert r["Status"] == "Visas inte: ingår inte i den skyddade tabelluppsättningen"
    assert res == {"kohort": None, "uppfoljda": None, "bibehallen": None, "andel": None}
    assert dash["n"] > 0 and 0 < dash["varde"] <= 1  # the slutrapport used to say n = 0, Saknar data


@pytest.fixture(scope="module")
def board_by_data():
    """The dashboard data as the real dashboards load them: no REFERENCE env, dated by the data (2025-12-31),
    like the snapshot's table set (``runs`` -> ``tableset.for_data_dir``); its protection is the snapshot's
    (cached by content), not another one."""
    import os

    from evaluation import dashboards as db

    old = os.environ.pop(db.REFERENCE_ENV, None)
    try:
        data = db.load_data(ROOT / "data_samples", snapshots_dir=ROOT / "no-such-snapshots")
    finally:
        if old is not None:
            os.environ[db.REFERENCE_ENV] = old
    return data


@pytest.mark.parametrize("forbund", list(RUNS))
def test_key_figure_shares_are_the_dashboards_cells(outputs, board_by_data, sample_snapshot, forbund):
    """Every key-figure share of results.json is the ratio of the cells the board dashboard reads (one
    definition, flows.CELL_SHARES): the notebook (reference_date 2026-01-15) used to publish its microdata
    share, e.g. Norrdal's handlingsplan i tid 221 / 331 where the published cells say 221 / (221 + 109)."""
    from evaluation import dashboards as db
    from evaluation import flows, tableset

    head = outputs[forbund]["results"]["deltagarfloden"]
    ts = db.views.protected_tableset(board_by_data, 5)
    assert str(pd.Timestamp(ts.reference_date).date()) == "2025-12-31"
    snap = tableset.read_parquet(sample_snapshot.path / tableset.FILENAME)
    skiva = flows.table_slice(forbund, "", f"{PERIOD}-01-01", f"{PERIOD}-12-31")
    # the handlingsplan share by hand from the board's cells: i tid / (i tid + sen), every year
    plan = {k: ts.value("handlingsplan", forbund=forbund, period="alla", kategori=k) for k in ("i_tid", "sen")}
    assert plan["i_tid"] > 0 and plan["sen"] > 0
    assert head["handlingsplan_i_tid_andel"] == pytest.approx(plan["i_tid"] / (plan["i_tid"] + plan["sen"]), abs=1e-12)
    for key in flows.CELL_SHARES:
        for cells in (ts, snap):  # the dashboard's table set and the snapshot's: the same cells
            v = flows.cell_share(cells, key, skiva)
            assert (head[key] is None) == math.isnan(v), (key, head[key], v)
            assert head[key] is None or head[key] == pytest.approx(v, abs=1e-12), (key, head[key], v)
    # the board dashboard's shares for the same slice: shown alike ("–" where results.json is null)
    kf = db.key_figures(board_by_data, db.Filters(forbund=forbund, period=PERIOD)).set_index("nyckel")
    for key, head_key in db.views.KEY_FIGURE_KEYS.items():
        if head_key in flows.CELL_SHARES:
            assert (head[head_key] is None) == (bool(kf.at[key, "undertryckt"]) or math.isnan(kf.at[key, "andel"])), key
            assert head[head_key] is None or kf.at[key, "andel"] == pytest.approx(head[head_key], abs=1e-12), key
