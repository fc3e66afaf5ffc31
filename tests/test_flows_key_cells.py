"""Issue 15: the board's flow key figures are cells of the protected table set, or not shown at all.

Hand-worked frame (förbund A, extract date 2025-12-31):

* insats X: 10 episodes started 2025-02-01 (8 linked people p1-p8, 2 anonymous), 4 ended 2025-06-01
  (studier), 6 open; and 1 registration error (dropped everywhere);
* insats Y: 7 episodes started 2025-03-01 (p1 again, p9-p14), 2 ended 2025-11-15 as *tw_arbete*
  (3 months' waiting period: unconfirmed at the extract date), 5 open; and 1 episode of p15 started
  2026-01-10, after the extract date.

By hand: episodes in the selection 18 (the microdata count), of which 17 started by the extract date
(the ``nya`` cell of every year: what the board sees); ended 6 (``avslutade`` of every year); ongoing
17 − 6 = 11 (= the 6 + 5 open episodes started by the extract date); persons 8 + 6 + 1 linked (p1
counted once) + 2 anonymous = 17; anonymous 2; unconfirmed exits 2. Per insats: X 10 − 4 = 6 ongoing,
Y 7 − 2 = 5.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evaluation import flows, story, tableset

REF = "2025-12-31"
PERIOD = ("2025-01-01", "2025-12-31")


def _frame() -> pd.DataFrame:
    rows = []
    for i in range(10):
        anon = i >= 8
        rows.append({"deltagare_id": f"a{i}" if anon else f"p{i + 1}", "anonym": anon, "insats": "X",
                     "kon": "kvinna" if i % 2 else "man", "inskrivningsdatum": "2025-02-01",
                     "avslutsdatum": "2025-06-01" if i < 4 else None, "avslutsorsak": "studier" if i < 4 else None})
    rows.append({"deltagare_id": "p99", "anonym": False, "insats": "X", "kon": "man", "inskrivningsdatum": "2025-02-01",
                 "avslutsdatum": "2025-02-02", "avslutsorsak": "felregistrering"})
    for i, p in enumerate(["p1"] + [f"p{k}" for k in range(9, 15)]):
        rows.append({"deltagare_id": p, "anonym": False, "insats": "Y", "kon": "kvinna" if i % 2 else "man",
                     "inskrivningsdatum": "2025-03-01", "avslutsdatum": "2025-11-15" if i < 2 else None,
                     "avslutsorsak": "tw_arbete" if i < 2 else None})
    rows.append({"deltagare_id": "p15", "anonym": False, "insats": "Y", "kon": "man", "inskrivningsdatum": "2026-01-10",
                 "avslutsdatum": None, "avslutsorsak": None})
    ep = pd.DataFrame(rows).assign(forbund="A")
    ep["episod_id"] = [f"e{i}" for i in range(len(ep))]
    return flows.classify_exits(flows.prepare_episodes(ep), REF)


@pytest.fixture(scope="module")
def data():
    ep = _frame()
    head = flows.headline(ep, None, REF, *PERIOD)
    return ep, head, tableset.build(ep, reference_date=REF)


def _slice(insats=""):
    return flows.table_slice("A", insats, *PERIOD)


def test_microdata_headline_counted_by_hand(data):
    _, head, _ = data
    assert (head["antal_episoder"], head["antal_deltagare"], head["antal_anonyma"]) == (18, 17, 2)
    assert (head["pagaende_vid_referensdatum"], head["avslut_obekraftade"], head["avslutade_i_perioden"]) == (11, 2, 6)


def test_counts_are_the_cells_by_hand(data):
    ep, head, ts = data
    # the nya cell of every year counts the 17 episodes started by the extract date, not the 18 selected
    assert ts.value("nya", forbund="A", period="alla") == 17
    assert flows.cell_count(ts, "antal_episoder", _slice()) == 17
    # pågående = nya − avslutade of every year: by definition the open episodes started by the extract date
    assert ts.value("avslutade", forbund="A", period="alla") == 6
    assert flows.cell_count(ts, "pagaende_vid_referensdatum", _slice()) == 11 == head["pagaende_vid_referensdatum"]
    assert flows.cell_count(ts, "pagaende_vid_referensdatum", _slice("X")) == 6
    assert flows.cell_count(ts, "pagaende_vid_referensdatum", _slice("Y")) == 5
    assert flows.cell_count(ts, "antal_episoder", _slice("Y")) == 7
    # several förbund or a period that is not a calendar year: not a slice, never a number
    assert math.isnan(flows.cell_count(ts, "antal_episoder", flows.table_slice("A,B", "", *PERIOD)))
    assert math.isnan(flows.cell_count(ts, "antal_episoder", flows.table_slice("A", "", "2025-03-01", "2025-12-31")))


def test_board_results_publish_cells_and_null_the_evaluator_only_counts(data):
    _, head, ts = data
    r = flows.board_results(head, ts, _slice())
    assert r["antal_episoder"] == 17  # the cell's, not the microdata's 18
    assert r["pagaende_vid_referensdatum"] == 11 and r["inskrivna_i_perioden"] == 17 and r["avslutade_i_perioden"] == 6
    for key in ("antal_deltagare", "antal_anonyma", "avslut_obekraftade"):
        assert key in r and r[key] is None and r["publicerade"][key] is False, key
    assert r["publicerade"]["antal_episoder"] and r["publicerade"]["pagaende_vid_referensdatum"]
    assert r["avslut_per_kategori"] == {"arbete": 2, "studier": 4}  # the avslut cells (all published here)


def test_key_figure_table_leaves_out_what_is_never_shown(data):
    _, head, ts = data
    board = flows.key_figures_table(head, tabeller=ts, skiva=_slice())["Värde"]
    evaluator = flows.key_figures_table(head)["Värde"]
    for key in ("antal_deltagare", "antal_anonyma", "avslut_obekraftade", "aterkomst_kohort", "aterkomst_andel"):
        label = flows.t(f"flows.nyckeltal.{key}", "sv")
        assert label not in board.index, key  # no row of "–" for a figure a board never sees
    assert evaluator["Deltagare (personer)"] == "17" and evaluator["Anonyma deltagare"] == "2"
    assert board["Episoder inskrivna till och med referensdatum (deltagare × insats)"] == "17"
    assert "Episoder (deltagare × insats)" not in board.index  # the microdata label (18) is the evaluator's
    assert board["Pågående vid referensdatum"] == "11"
    # everything left in this board table is published here, but the handlingsplan share (no events: no cell)
    assert [k for k, v in board.items() if v == "–"] == ["Handlingsplan inom fristen (andel)"]


def test_hidden_where_a_cell_is_suppressed(data):
    ep, head, _ = data
    ts = tableset.build(ep, reference_date=REF)
    c = ts.cells
    c.loc[(c["matt"] == "avslutade") & (c["forbund"] == "A") & (c["insats"] == "Y") & (c["period"] == "alla")
          & (c["kon"] == tableset.TOTAL), "status"] = tableset.SECONDARY
    y = _slice("Y")
    head_y = flows.headline(ep[ep["insats"] == "Y"], None, REF, *PERIOD)
    r = flows.board_results(head_y, ts, y)
    assert r["pagaende_vid_referensdatum"] is None and r["publicerade"]["pagaende_vid_referensdatum"] is False
    assert r["antal_episoder"] == 7  # its own cell is published
    tab = flows.key_figures_table(head_y, tabeller=ts, skiva=y)["Värde"]
    assert tab["Pågående vid referensdatum"] == "–"
    # the nya cell of every year hidden too: the episodes and the ongoing are both "–" / null
    c.loc[(c["matt"] == "nya") & (c["forbund"] == "A") & (c["insats"] == "Y") & (c["period"] == "alla")
          & (c["kon"] == tableset.TOTAL), "status"] = tableset.PRIMARY
    r = flows.board_results(head_y, ts, y)
    assert r["antal_episoder"] is None and r["publicerade"]["antal_episoder"] is False
    assert flows.key_figures_table(head_y, tabeller=ts, skiva=y)["Värde"][
        "Episoder inskrivna till och med referensdatum (deltagare × insats)"] == "–"
    # the whole förbund keeps its own published cells
    assert flows.board_results(head, ts, _slice())["pagaende_vid_referensdatum"] == 11


def test_protected_board_values_are_cells_or_null(data):
    """After real protection (this frame has small groups): every board count is its cells' sum where all
    are published, null where one is not; the evaluator-only counts are null in every slice."""
    ep, _, _ = data
    ts = tableset.protect(tableset.build(ep, reference_date=REF))
    for ins in ("", "X", "Y"):
        sub = ep if not ins else ep[ep["insats"] == ins]
        r = flows.board_results(flows.headline(sub, None, REF, *PERIOD), ts, _slice(ins))
        for key, terms in flows.CELL_COUNTS.items():
            vals = [ts.value(m, forbund="A", insats=ins or tableset.TOTAL, **{"period": "2025", **d}) for _, m, d in terms]
            expected = None if any(math.isnan(v) for v in vals) else int(sum(c * v for (c, _, _), v in zip(terms, vals)))
            assert r[key] == expected, (ins, key)
        assert all(r[k] is None for k in flows.EVALUATOR_ONLY)


def test_key_messages_from_board_results_quote_no_missing_number(data):
    _, head, ts = data
    m = story.key_messages("deltagarfloden", flows.board_results(head, ts, _slice()))
    assert m[0] == "Insatserna har haft 17 inskrivningar; 17 skrevs in och 6 avslutades under perioden."
    assert not any("None" in x or "personer" in x for x in m)
    hidden = {**flows.board_results(head, ts, _slice()), "antal_episoder": None}
    assert story.key_messages("deltagarfloden", hidden)[0] == "Under perioden skrevs 17 in och avslutades 6."
    # the slutrapport's key messages: persons null (not published), the episodes' cell quoted instead
    rep = {"nyckeltal": {"flows.deltagare": None, "flows.antal_episoder": 17.0, "flows.inskrivna_i_perioden": 17.0,
                         "flows.avslutade_i_perioden": 6.0},
           "nyckeltal_publicerade": {"flows.deltagare": False, "flows.antal_episoder": True,
                                     "flows.inskrivna_i_perioden": True, "flows.avslutade_i_perioden": True}}
    assert story.key_messages("slutrapport", rep) == [
        "Insatserna har haft 17 inskrivningar; 17 skrevs in och 6 avslutades under perioden."]


def test_slutrapport_measures_under_a_table_set(data):
    """The slutrapport's measure catalogue: persons left out for the board (null in results.json, key kept),
    the episodes are the nya cell of every year."""
    from evaluation import goals, report

    ep, _, ts = data
    inp = report.Inputs(goals.Underlag(episodes=ep, reference_date=REF, forbund="A"))
    meas = report.measures(inp, *PERIOD, tabeller=ts)
    assert meas.attrs["utvarderare"] == {"flows.deltagare": 17}  # report.headline: null, publicerade False
    m = meas.set_index("nyckel")
    assert "flows.deltagare" not in m.index
    assert m.at["flows.antal_episoder", "varde"] == 17 and m.at["flows.antal_episoder", "text"] == "17"
    assert m.loc["flows.antal_episoder", "etikett"] == "Episoder inskrivna till och med referensdatum"
    plain = report.measures(inp, *PERIOD).set_index("nyckel")  # the evaluator's catalogue (no table set)
    assert plain.at["flows.deltagare", "varde"] == 17 and "flows.antal_episoder" not in plain.index


def test_goal_tracker_reads_the_ongoing_and_hides_persons(data):
    """A goal on the ongoing episodes reads nya − avslutade of every year (11 by hand, 18 − 1 − 6 in the
    microdata would count p15's late episode as started); a goal on persons is no slice: not measurable."""
    import dataclasses

    from evaluation import goals

    ep, _, ts = data
    u = goals.Underlag(episodes=ep, reference_date=REF, forbund="A", tabeller=ts)

    def track(matt):
        spec = goals.parse_goals({"forbund": "A", "mal": [{"id": "1", "text": "Mål", "indikator": {
            "kalla": "flows", "matt": matt, "malniva": 10, "riktning": "minst",
            "uppfoljning": {"period": ["2025-01-01", "2025-12-31"]}}}]})
        return goals.track(spec, u).indikatorer.iloc[0]

    assert track("pagaende_vid_referensdatum")["uppfoljning"] == 11
    assert track("antal_episoder")["uppfoljning"] == 17
    assert track("antal_deltagare")["uppfoljning"] is None
    plain = goals.track(goals.parse_goals({"forbund": "A", "mal": [{"id": "1", "text": "Mål", "indikator": {
        "kalla": "flows", "matt": "antal_deltagare", "malniva": 10, "riktning": "minst",
        "uppfoljning": {"period": ["2025-01-01", "2025-12-31"]}}}]}), dataclasses.replace(u, tabeller=None))
    assert plain.indikatorer.iloc[0]["uppfoljning"] == 17  # the evaluator's tracker (no table set) counts persons
