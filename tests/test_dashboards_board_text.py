"""What the dashboards' cards say, without a browser: "–" only for suppressed, "uppgift saknas" for missing,
each explained under the card; no raw values or codes in any card of the three dashboards on the samples."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

import pytest

from evaluation import dashboards as db
from evaluation.dashboards import apps, views
from evaluation.formatting import MISSING, SUPPRESSED, find_raw_values

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data_samples"
MISS = MISSING["sv"]


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_a_share_without_a_base_is_missing_not_suppressed():
    # example data: nobody ended an episode in 2024 (two enrolled), so every share has base 0: nothing is
    # suppressed (min_n 1) and the four shares read "uppgift saknas"; the card explains that, not "–".
    data = views._example_data()
    kf = views.key_figures(data, views.Filters(period="2024"), min_n=1).set_index("nyckel")
    assert kf.loc["avslutade", "visning"] == "0"
    shares = ["andel_arbete_studier", "offentlig_fore", "offentlig_efter", "egen_efter"]
    assert not kf.loc[shares, "undertryckt"].any()
    assert kf.loc[shares, "visning"].tolist() == [MISS] * 4
    card = db.board_app(data, min_n=1, query="period=2024").outputs["nyckeltal"].value
    assert f"{MISS} = värdet finns inte i underlaget" in _text(card)
    assert f">{SUPPRESSED}<" not in card


def test_kasam_card_says_suppressed_or_missing_as_the_case_is():
    # four pairs: with min_n 5 the result is suppressed ("–" and its footnote); a period without
    # after-answers has no result at all ("uppgift saknas" and its footnote, no "–")
    data = views._example_data()
    # the example's six episodes and four pairs are all small cells: one explanatory line, no tables
    app = db.board_app(data, min_n=5, query="period=alla")
    assert "för få personer" in app.outputs["kasam"].value and MISS not in app.outputs["kasam"].value
    assert 'data-testid="alla-undertryckta"' in app.children[3].value
    # with the episodes four times over (24) the flows are shown and the four KASAM pairs are "–"
    ep = data.episodes
    many = pd.concat([ep.assign(episod_id=ep["episod_id"] + f"-{i}", deltagare_id=ep["deltagare_id"] + f"-{i}")
                      for i in range(4)], ignore_index=True)
    data = db.DashboardData.from_frames(many[["episod_id", "deltagare_id", "forbund", "insats", "kon",
                                              "inskrivningsdatum", "avslutsdatum", "avslutsorsak",
                                              "forsorjning_fore", "forsorjning_efter"]],
                                        data.reference_date, kasam_scores=data.kasam_scores)
    sup = db.board_app(data, min_n=5, query="period=alla").outputs["kasam"].value
    assert 'data-key="kasam_forandring">–<' in sup and MISS not in sup
    assert "– = undertryckt" in _text(sup)
    none = db.board_app(data, min_n=1, query="period=2024").outputs["kasam"].value
    assert f'data-key="kasam_forandring">{MISS}<' in none and ">–<" not in none
    assert f"{MISS} = " in _text(none)


def test_card_notes_explain_each_symbol_once_and_only_when_shown():
    assert apps.card_notes('<td class="tal">12</td><td>5,0 – 7,0</td>') == ""  # an interval's dash is no symbol
    both = _text(apps.card_notes(f"<td>{SUPPRESSED}</td><td>{MISS}</td>", min_n=5))
    assert "– = undertryckt, färre än 5 personer" in both and f"{MISS} = värdet finns inte" in both


@pytest.fixture(scope="module")
def sample_data():
    return db.load_data(SAMPLES, snapshots_dir=ROOT / "no-such-snapshots")


def test_no_card_of_the_three_dashboards_shows_raw_values_or_codes(sample_data):
    shown = []
    board = db.board_app(sample_data)
    for forbund in views.allowed_values(sample_data)["forbund"]:
        board.controls["forbund"].value = forbund
        shown += [o.value for o in board.outputs.values() if isinstance(getattr(o, "value", None), str)]
    ev = db.evaluator_app(sample_data)
    shown += [o.value for o in ev.outputs.values() if isinstance(getattr(o, "value", None), str)]
    assert len(shown) > 10
    text = "\n".join(_text(s) for s in shown)
    assert "nan" not in text.split() and "<NA>" not in text
    assert not find_raw_values(text), find_raw_values(text)[:10]


def test_evaluator_dropdowns_offer_labels_not_codes(sample_data):
    ev = db.evaluator_app(sample_data)
    for name, c in ev.controls.items():
        shown = [o if isinstance(o, str) else o[0] for o in c.options]
        assert not find_raw_values(" ".join(shown)), (name, shown)
        assert not {"forbundschef", "halvar", "manadsvis", "deltagare"} & set(shown), (name, shown)
    tp = dict(ev.controls["tidpunkt"].options)
    assert tp.get("Halvårsvis", "halvar") == "halvar" and "halvar" not in tp
