"""Smaller domain-fidelity points of issue 19: KM day-0 exits, form versions, labels of norms and outcomes."""

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation import flows, instruments, kasam
from evaluation.labels import t


def _episodes(ends):
    n = len(ends)
    return pd.DataFrame({"episod_id": [f"e{i}" for i in range(n)], "deltagare_id": [f"p{i}" for i in range(n)],
                         "forbund": ["X"] * n, "insats": ["I"] * n, "inskrivningsdatum": ["2024-01-01"] * n,
                         "avslutsdatum": ends, "avslutsorsak": [None if e is None else "studier" for e in ends]})


def test_kaplan_meier_keeps_same_day_exits_as_a_day_zero_step():
    # 4 episodes: two end on their first day, one after 10 days, one open at the reference date
    km = flows.kaplan_meier(_episodes(["2024-01-01", "2024-01-01", "2024-01-11", None]), "2024-03-01")
    # by hand: S(0) = 1 - 2/4 = 0.5; S(10) = 0.5 * (1 - 1/2) = 0.25; the open episode is censored
    assert km["dagar"].tolist() == [0.0, 10.0]
    assert km["andel_kvar"].tolist() == pytest.approx([0.5, 0.25])
    assert km["i_risk"].tolist() == [4, 2] and km["handelser"].tolist() == [2, 1]
    assert km.attrs["median_dagar"][flows._TOTAL] == 0.0
    # without same-day exits the curve still starts at S = 1 on day 0
    km2 = flows.kaplan_meier(_episodes(["2024-01-11", None]), "2024-03-01")
    assert km2["andel_kvar"].tolist() == pytest.approx([1.0, 0.5])


def test_kaplan_meier_matches_statsmodels_directly_with_day_zero_events():
    from statsmodels.duration.survfunc import SurvfuncRight

    ends = ["2024-01-01", "2024-01-05", "2024-01-05", None, "2024-02-01", "2024-01-01"]
    km = flows.kaplan_meier(_episodes(ends), "2024-03-01")
    days = np.array([0, 4, 4, 60, 31, 0], dtype=float)
    status = np.array([1, 1, 1, 0, 1, 1])
    sf = SurvfuncRight(days, status)
    assert km["dagar"].tolist() == list(sf.surv_times)
    assert km["andel_kvar"].tolist() == pytest.approx(list(sf.surv_prob))
    assert km["andel_kvar"].iloc[0] == pytest.approx(4 / 6)


def test_unknown_form_version_is_never_silently_the_default_key():
    ins = instruments.get("soc29")
    with pytest.warns(instruments.FormVersionWarning, match="sv-29-1993.*soc29.*kända versioner: sv"):
        key = ins.reverse_items("sv-29-1993")
    assert key == ins.reverse_items("sv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ins.reverse_items("sv")          # the declared version: no warning
        ins.reverse_items(None)          # no version given: the default, no warning
    # scoring data with the unknown version warns too
    row = {f"soc29_{i}": 4 for i in range(1, 30)}
    df = pd.DataFrame([{**row, "formversion": "sv-29-1993"}])
    with pytest.warns(instruments.FormVersionWarning):
        kasam.score(df, "soc29")


def test_labels_restored():
    assert t("flows.kategori.okat", "sv") == "Ökad omfattning"
    assert "Åland (Finland)" in kasam.norm_label("soc13") and "svensk" not in kasam.norm_label("soc13").replace(
        "inte en svensk norm", "")
    assert "Langius" in kasam.norm_label("soc29")
    msg = t("kasam.norm.forklaring", "sv", referens=kasam.norm_label("soc13"), medel="71", sd="12")
    assert "Åland" in msg and "svensk referens" not in msg


# ------------------------------------------------------------------ Team Work coverage (source 003)

def test_team_work_journey_events_and_school_forms_are_vocabulary():
    from evaluation.vocabulary import vocabulary

    ev = vocabulary("handelse")
    for code in ("uteblivet_besok", "plan_ej_foljd", "eskalering_niva_1", "eskalering_niva_2", "eskalering_niva_3",
                 "eskalering_niva_4", "avslut_verksamhetssystem", "avaktualisering_af", "aterinskrivning"):
        assert code in ev, code
    assert "nytt samtycke" in ev["aterinskrivning"]["sv"]
    forms = vocabulary("skolform")
    # verbatim list of source 003 ("Grundvux, Komvux, Yrkesvux, Lärlingsutbildning, Folkhögskola, Yrkeshögskola
    # eller Högskola") plus AF's labour-market training
    assert [forms[k]["sv"] for k in list(forms)[:7]] == ["Grundvux", "Komvux", "Yrkesvux", "Lärlingsutbildning",
                                                         "Folkhögskola", "Yrkeshögskola", "Högskola"]
    assert "minst 16 veckor" in forms["arbetsmarknadsutbildning"]["sv"]


def test_the_events_schema_accepts_the_journey_events():
    from evaluation import schemas

    ev = pd.DataFrame({"episod_id": ["e1", "e1"], "datum": pd.to_datetime(["2024-01-01", "2024-02-01"]),
                       "handelse": ["uteblivet_besok", "eskalering_niva_1"]})
    schemas.EVENTS.validate(ev)


def test_amu_rule_16_weeks_at_exit_with_the_13_to_16_week_flag():
    from evaluation import teamwork

    ep = pd.DataFrame({"episod_id": list("abcdefg"),
                       "avslutsorsak": ["tw_studier"] * 6 + ["tw_arbete"],
                       "skolform": ["arbetsmarknadsutbildning"] * 4 + ["folkhogskola", None, None],
                       "utbildning_veckor": [16, 15.9, 13, 12, None, None, None]})
    out = teamwork.check_studies_exits(ep).set_index("episod_id")
    # by hand: 16 weeks meets "minst 16 veckor"; 13 ≤ w < 16 meets intake's 3 months only: flagged;
    # 12 is short of both; Folkhögskola is a school form of the list; a studies exit without form is wrong;
    # the work exit is not a studies exit
    assert out["status"].to_dict() == {"a": "ok", "b": "flagga", "c": "flagga", "d": "avvikelse", "e": "ok",
                                       "f": "avvikelse"}
    assert "13" not in out.loc["a", "meddelande"] and "avslutsregelns 16 veckor" in out.loc["c", "meddelande"]


def test_reenrolment_needs_a_new_consent_and_escalation_goes_level_by_level():
    from evaluation import teamwork

    ep = pd.DataFrame({"episod_id": ["a", "b", "x"], "deltagare_id": ["p", "p", "q"],
                       "inskrivningsdatum": ["2024-01-01", "2024-10-01", "2024-02-01"]})
    ev = pd.DataFrame({"episod_id": ["a", "b", "x", "x", "x"],
                       "datum": ["2024-01-01", "2024-10-01", "2024-03-01", "2024-04-01", "2024-05-01"],
                       "handelse": ["samtycke", "aterinskrivning", "eskalering_niva_1", "eskalering_niva_3",
                                    "eskalering_niva_2"]})
    re = teamwork.check_reenrolment(ep, ev)
    assert re[["episod_id", "status"]].values.tolist() == [["b", "avvikelse"]]     # b has no samtycke of its own
    esc = teamwork.check_escalation(ev)
    assert esc["status"].tolist() == ["ok", "avvikelse", "ok"]                     # level 3 before level 2


def test_team_work_fte_figures_are_reported_data_the_check_verifies():
    from pathlib import Path

    from evaluation import reported

    path = Path(__file__).resolve().parents[1] / "data_samples" / "rapporterat" / "team_work.csv"
    rep = pd.read_csv(path)
    chk = reported.check_reported(rep)
    assert len(chk) == 1 and chk["ok"].item() and chk["beraknat"].item() == pytest.approx(1.65 + 0.75)
    planted = rep.copy()
    planted.loc[planted["kategori"] == "ordinarie_personal", "varde"] = 0.95
    bad = reported.check_reported(planted)
    assert not bad["ok"].item() and bad["beraknat"].item() == pytest.approx(2.60)
