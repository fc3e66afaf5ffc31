"""Issue 15, one truth: the board's key-figure shares are ratios of cells of the protected table set,
defined once (``flows.CELL_SHARES``) and read alike by the notebook's key figure table, ``results.json``,
the slutrapport's measures and the board dashboard's key figures.

Hand-worked frame (förbund A, insats X, every episode started 2025-02-01):

* e0-e9 ended 2025-06-01: e0-e4 *förvärvsarbete*, e5 *studier*, e6-e9 *övriga avslutade*; all on
  försörjningsstöd before (offentlig); after: e0-e5 lön (egen: ja), e6-e7 försörjningsstöd (offentlig,
  egen: nej), e8-e9 unknown (okant);
* e10, e11 open; e12 ended 2026-01-05 to *förvärvsarbete* with lön after.
* Events (första möte → handlingsplan, deadline 35 days): e0-e5 möte 2025-02-05, plan 2025-02-20
  (in time); e6-e7 möte 2025-02-05, plan 2025-05-01 (late); e10 möte 2025-12-01, plan 2025-12-20 (in
  time); e11 möte 2025-12-10 and no plan: at 2025-12-31 still waiting (not judged), at 2026-01-15 the
  deadline (2026-01-14) has passed: late.

The table set is dated 2025-12-31 (the data's latest date, as a snapshot's), the headline 2026-01-15
(the notebook's ``reference_date``). By hand:

* period 2025 (both dates after it): 10 ended; arbete/studier 6 / 10 = 0.6; offentlig före 10 / 10;
  offentlig efter 2 / 10 = 0.2; egen efter 6 / (6 + 2) = 0.75: microdata and cells agree;
* handlingsplan i tid (every year): cells at 2025-12-31 7 / 9 (e11 still waiting); microdata at
  2026-01-15 7 / 10 = 0.7: the board shows 7 / 9 = 77,8 %;
* the whole period ("alla"): cells at 2025-12-31 as for 2025 (e12 still open); microdata at 2026-01-15
  11 ended: arbete/studier 7 / 11, offentlig efter 2 / 11, egen 7 / 9: the board shows the cells'.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evaluation import flows, goals, report, tableset
from evaluation.labels import t

TS_DATE = "2025-12-31"
HEAD_DATE = "2026-01-15"
PERIOD = ("2025-01-01", "2025-12-31")


def _frame() -> tuple[pd.DataFrame, pd.DataFrame]:
    n = 13
    reason = ["forvarvsarbete"] * 5 + ["studier"] + ["ovriga_avslutade"] * 4 + [None, None, "forvarvsarbete"]
    ep = pd.DataFrame({
        "episod_id": [f"e{i}" for i in range(n)], "deltagare_id": [f"p{i}" for i in range(n)],
        "forbund": "A", "insats": "X", "kon": ["kvinna", "man"] * 6 + ["man"],
        "inskrivningsdatum": "2025-02-01",
        "avslutsdatum": ["2025-06-01"] * 10 + [None, None, "2026-01-05"],
        "avslutsorsak": reason,
        "forsorjning_fore": "forsorjningsstod",
        "forsorjning_efter": ["lon"] * 6 + ["forsorjningsstod"] * 2 + [None] * 4 + ["lon"],
    })
    ev = []
    for i in range(6):
        ev += [(f"e{i}", "2025-02-05", "forsta_mote"), (f"e{i}", "2025-02-20", "handlingsplan")]
    for i in (6, 7):
        ev += [(f"e{i}", "2025-02-05", "forsta_mote"), (f"e{i}", "2025-05-01", "handlingsplan")]
    ev += [("e10", "2025-12-01", "forsta_mote"), ("e10", "2025-12-20", "handlingsplan"),
           ("e11", "2025-12-10", "forsta_mote")]
    events = pd.DataFrame(ev, columns=["episod_id", "datum", "handelse"])
    return flows.prepare_episodes(ep), events


@pytest.fixture(scope="module")
def data():
    ep, ev = _frame()
    ts = tableset.build(flows.classify_exits(ep, TS_DATE), reference_date=TS_DATE, events=ev)
    return ep, ev, ts


def test_the_definitions_are_the_microdata_definitions_by_hand(data):
    """Where the dates do not matter (2025, both dates after it) cells and microdata give the hand values."""
    ep, ev, ts = data
    head = flows.headline(ep, ev, HEAD_DATE, *PERIOD)
    s = flows.table_slice("A", "", *PERIOD)
    by_hand = {"arbete_studier_andel": 0.6, "offentlig_fore_andel": 1.0, "offentlig_efter_andel": 0.2,
               "egen_forsorjning_efter_andel": 0.75}
    for key, want in by_hand.items():
        assert head[key] == pytest.approx(want), key
        assert flows.cell_share(ts, key, s) == pytest.approx(want), key
    # the headline's handlingsplan share and the cell's differ by e11 (judged only at 2026-01-15)
    assert head["handlingsplan_i_tid_andel"] == pytest.approx(7 / 10)
    assert flows.cell_share(ts, "handlingsplan_i_tid_andel", s) == pytest.approx(7 / 9)
    # the goal tracker reads the same cells for these shares
    for key, want in by_hand.items():
        assert goals.flows_from_cells(ts, key, s)[0] == pytest.approx(want), key


def test_key_figure_cells_are_the_share_cells():
    for key, (num, base) in flows.CELL_SHARES.items():
        assert {str(c) for c in flows.KEY_FIGURE_CELLS[key]} == {str(c) for c in num + base}, key


def test_board_shows_the_cell_ratio_when_the_dates_differ(data):
    ep, ev, ts = data
    s = flows.table_slice("A", "", *PERIOD)
    head = flows.headline(ep, ev, HEAD_DATE, *PERIOD)
    res = flows.board_results(head, ts, s)
    assert res["handlingsplan_i_tid_andel"] == pytest.approx(7 / 9)
    label = t("flows.nyckeltal.handlingsplan_i_tid_andel", "sv")
    assert flows.key_figures_table(head, "sv", tabeller=ts, skiva=s).at[label, "Värde"] == "77,8\xa0%"  # 7 / 9
    # without a table set: the microdata value (the evaluator's table)
    assert flows.key_figures_table(head, "sv").at[label, "Värde"] == "70,0\xa0%"  # 7 / 10
    assert flows.board_results(head, None, None)["handlingsplan_i_tid_andel"] == pytest.approx(0.7)


def test_whole_period_board_shares_are_the_cells_not_the_later_microdata(data):
    ep, ev, ts = data
    s = flows.table_slice("A", "", None, None)
    assert s["period"] == tableset.PERIOD_ALL
    head = flows.headline(ep, ev, HEAD_DATE)
    assert head["avslutade_i_perioden"] == 11  # e12 ended 2026-01-05, after the table set's date
    assert head["arbete_studier_andel"] == pytest.approx(7 / 11)
    assert head["egen_forsorjning_efter_andel"] == pytest.approx(7 / 9)
    res = flows.board_results(head, ts, s)
    assert res["arbete_studier_andel"] == pytest.approx(0.6)
    assert res["offentlig_efter_andel"] == pytest.approx(0.2)
    assert res["egen_forsorjning_efter_andel"] == pytest.approx(0.75)
    assert res["offentlig_fore_andel"] == pytest.approx(1.0)
    shown = flows.key_figures_table(head, "sv", tabeller=ts, skiva=s)["Värde"].tolist()
    assert "75,0\xa0%" in shown and "20,0\xa0%" in shown  # egen 6 / 8, offentlig efter 2 / 10
    assert f"{100 * 7 / 9:.1f}".replace(".", ",") + "\xa0%" in shown  # handlingsplan 7 / 9 = 77,8 %


def test_a_suppressed_cell_hides_the_share(data):
    ep, ev, ts = data
    ts = tableset.TableSet(ts.cells.copy(), min_n=ts.min_n, reference_date=ts.reference_date)
    c = ts.cells
    c.loc[(c["matt"] == "egen") & (c["kategori"] == "nej"), "status"] = tableset.PRIMARY
    s = flows.table_slice("A", "", *PERIOD)
    assert math.isnan(flows.cell_share(ts, "egen_forsorjning_efter_andel", s))
    assert flows.cell_share(ts, "offentlig_efter_andel", s) == pytest.approx(0.2)
    head = flows.headline(ep, ev, HEAD_DATE, *PERIOD)
    res = flows.board_results(head, ts, s)
    assert res["egen_forsorjning_efter_andel"] is None and res["publicerade"]["egen_forsorjning_efter_andel"] is False
    # another deadline than the table set's: no cell, "–" (even though the cells are published)
    head_other = flows.headline(ep, ev, HEAD_DATE, *PERIOD, plan_deadline_days=20)
    assert flows.board_results(head_other, ts, s)["handlingsplan_i_tid_andel"] is None
    assert math.isnan(flows.cell_share(ts, "offentlig_efter_andel", None))


def test_board_dashboard_reads_the_same_definitions(data):
    from evaluation import dashboards as db

    ep, ev, ts = data
    d = db.DashboardData.from_frames(flows.classify_exits(ep, TS_DATE), TS_DATE, tableset=ts)
    kf = db.key_figures(d, db.Filters(forbund="A", period="2025"), min_n=int(ts.min_n)).set_index("nyckel")
    s = flows.table_slice("A", "", *PERIOD)
    for key, head_key in db.views.KEY_FIGURE_KEYS.items():
        if head_key in flows.CELL_SHARES:
            assert kf.at[key, "andel"] == pytest.approx(flows.cell_share(ts, head_key, s)), key
        else:
            assert kf.at[key, "antal"] == flows.cell_count(ts, head_key, s), key
    assert (kf.at["egen_efter", "antal"], kf.at["egen_efter", "bas"]) == (6, 8)  # ja / ja + nej
    assert (kf.at["andel_arbete_studier", "antal"], kf.at["andel_arbete_studier", "bas"]) == (6, 10)


def test_slutrapport_measures_use_the_cell_share(data):
    ep, ev, ts = data
    inp = report.Inputs(goals.Underlag(episodes=ep, events=ev, forbund="A", reference_date=pd.Timestamp(HEAD_DATE)))
    m = report.measures(inp, *PERIOD, tabeller=ts).set_index("nyckel")
    assert m.at["flows.handlingsplan_i_tid_andel", "varde"] == pytest.approx(7 / 9)
    assert m.at["flows.handlingsplan_i_tid_andel", "text"] == "78\xa0% (n = 9)"  # 7 / 9, the base the cell
    assert m.at["flows.egen_forsorjning_efter_andel", "varde"] == pytest.approx(0.75)
    plain = report.measures(inp, *PERIOD).set_index("nyckel")
    assert plain.at["flows.handlingsplan_i_tid_andel", "varde"] == pytest.approx(0.7)
