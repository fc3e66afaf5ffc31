"""Participant flows: hand-worked small data set and Vuxenteamen's reported figures (DOMAIN.md §3, §9).

The data set below is worked out by hand in the comments; reference date 2026-01-15.

=====  ========  ======  ==========  ==========  ===============================  =======================
ep     person    kön     inskriven   avslut      orsak                            försörjning före → efter
=====  ========  ======  ==========  ==========  ===============================  =======================
e1     p1        kvinna  2025-01-01  2025-07-01  tw_arbete (vänta 3 mån)          fs → lon
e2     p2        man     2025-03-01  2025-12-01  tw_arbete (vänta 3 mån)          fs|a_kassa → lon|fs
e3     p3        kvinna  2025-02-01  2025-11-20  tw_avbruten_kontakt (3 mån)      fs → (saknas)
e4     p4        man     2025-01-15  2025-05-15  tw_ratt_myndighet_missbruk       fs → fs
e5     p5        kvinna  2025-04-01  2025-09-01  tw_studier                       fs → studiemedel
e6     p6        kvinna  2025-06-01  öppen
e7     ANON      man     2025-05-01  öppen (anonym)
e8     p1        kvinna  2025-10-01  öppen (p1 åter)
e9     p9        man     2025-01-01  2025-03-01  felregistrering (tas bort)
=====  ========  ======  ==========  ==========  ===============================  =======================

Days in insats: e1 181, e2 275, e3 292, e4 120, e5 153; open ones censored at 2026-01-15:
e6 228, e7 259, e8 106.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evaluation import flows

REF = "2026-01-15"


def _episodes() -> pd.DataFrame:
    rows = [
        # id, person, kon, in, ut, orsak, f_fore, f_efter, s_fore, s_efter, omf_fore, omf_efter, anonym
        ("e1", "p1", "kvinna", "2025-01-01", "2025-07-01", "tw_arbete", "forsorjningsstod", "lon",
         "aktivt_arbetssokande", "forvarvsarbete", 0.0, 100.0, False),
        ("e2", "p2", "man", "2025-03-01", "2025-12-01", "tw_arbete", "forsorjningsstod|a_kassa",
         "lon|forsorjningsstod", "forvarvsarbete", "forvarvsarbete", 20.0, 50.0, False),
        ("e3", "p3", "kvinna", "2025-02-01", "2025-11-20", "tw_avbruten_kontakt", "forsorjningsstod", None,
         "ovriga", None, np.nan, np.nan, False),
        ("e4", "p4", "man", "2025-01-15", "2025-05-15", "tw_ratt_myndighet_missbruksbehandling",
         "forsorjningsstod", "forsorjningsstod", "ovriga", "ovriga", np.nan, np.nan, False),
        ("e5", "p5", "kvinna", "2025-04-01", "2025-09-01", "tw_studier", "forsorjningsstod", "studiemedel",
         "aktivt_arbetssokande", "studier", 0.0, 100.0, False),
        ("e6", "p6", "kvinna", "2025-06-01", None, None, "forsorjningsstod", None, "ovriga", None,
         np.nan, np.nan, False),
        ("e7", "ANON", "man", "2025-05-01", None, None, "a_kassa", None, None, None, np.nan, np.nan, True),
        ("e8", "p1", "kvinna", "2025-10-01", None, None, "forsorjningsstod", None, None, None,
         np.nan, np.nan, False),
        ("e9", "p9", "man", "2025-01-01", "2025-03-01", "felregistrering", None, None, None, None,
         np.nan, np.nan, False),
    ]
    cols = ["episod_id", "deltagare_id", "kon", "inskrivningsdatum", "avslutsdatum", "avslutsorsak",
            "forsorjning_fore", "forsorjning_efter", "sysselsattning_fore", "sysselsattning_efter",
            "omfattning_fore", "omfattning_efter", "anonym"]
    df = pd.DataFrame(rows, columns=cols)
    df["forbund"] = "Norrdal"
    df["insats"] = "Team Work"
    df["inskrivningsdatum"] = pd.to_datetime(df["inskrivningsdatum"])
    df["avslutsdatum"] = pd.to_datetime(df["avslutsdatum"])
    return df


def _events() -> pd.DataFrame:
    rows = [
        ("e1", "2024-12-20", "samtycke"), ("e1", "2025-01-05", "forsta_mote"),
        ("e1", "2025-02-05", "handlingsplan"),            # 31 days: on time
        ("e1", "2025-06-01", "aterkontakt"),              # before exit: not a return
        ("e2", "2025-02-25", "samtycke"), ("e2", "2025-03-03", "forsta_mote"),
        ("e2", "2025-04-14", "handlingsplan"),            # 42 days: late
        ("e3", "2025-01-20", "handlingsplan"),            # before first meeting: ignored
        ("e3", "2025-02-03", "forsta_mote"),              # no plan, deadline passed: late
        ("e4", "2025-08-01", "forsorjningsstod_ater"),    # return after exit, before review
        ("e5", "2025-04-02", "forsta_mote"), ("e5", "2025-05-07", "handlingsplan"),  # 35 days: on time
        ("e5", "2026-02-01", "aterkontakt"),              # after review date: not counted
        ("e8", "2026-01-01", "forsta_mote"),              # 14 days before REF: pending
    ]
    ev = pd.DataFrame(rows, columns=["episod_id", "datum", "handelse"])
    ev["datum"] = pd.to_datetime(ev["datum"])
    return ev


def _cell(report, matt, kategori, kon="totalt"):
    r = report[(report["matt"] == matt) & (report["kategori"] == kategori) & (report["kon"] == kon)]
    assert len(r) == 1, (matt, kategori, kon)
    return r.iloc[0]


# ---------------------------------------------------------------- preparation and counting

def test_registration_errors_are_dropped_and_anonymous_counted_but_not_linked():
    df = flows.prepare_episodes(_episodes())
    assert "e9" not in set(df["episod_id"])
    # 8 episodes; persons p1 (twice), p2..p6 = 6 linked + 1 anonymous episode = 7
    assert flows.count_participants(df) == {"antal_episoder": 8, "antal_deltagare": 7, "antal_anonyma": 1}


def test_two_anonymous_episodes_with_the_same_placeholder_id_count_as_two_persons():
    ep = _episodes().iloc[[6, 6]].assign(episod_id=["a1", "a2"])
    assert flows.count_participants(ep)["antal_deltagare"] == 2


def test_forsorjning_grouping_and_main_source_rules():
    assert flows.forsorjningsgrupp("lon|forsorjningsstod") == "offentlig"
    assert flows.forsorjningsgrupp("subventionerad_anstallning") == "egen"  # NNS: subsidised work is egen
    assert flows.forsorjningsgrupp("studiemedel") == "egen"
    assert flows.forsorjningsgrupp("ingen_ersattning") == "ingen"
    assert flows.forsorjningsgrupp("okand") == "okand"
    assert flows.huvudsaklig_forsorjning("lon|forsorjningsstod") == "forsorjningsstod"
    assert flows.huvudsaklig_forsorjning("lon|studiemedel") == "lon"
    assert flows.huvudsaklig_forsorjning(None) == "okand"


# ---------------------------------------------------------------- exits and waiting periods

def test_waiting_period_leaves_recent_work_and_broken_contact_unconfirmed():
    c = flows.classify_exits(_episodes(), REF).set_index("episod_id")
    # e1: 2025-07-01 + 3 months = 2025-10-01 <= REF
    assert c.loc["e1", "utfallsstatus"] == "bekraftad"
    # e2: 2025-12-01 + 3 months = 2026-03-01 > REF; e3: 2025-11-20 + 3 months = 2026-02-20 > REF
    assert c.loc["e2", "utfallsstatus"] == "obekraftad"
    assert c.loc["e3", "utfallsstatus"] == "obekraftad"
    assert c.loc["e2", "bekraftas_datum"] == pd.Timestamp("2026-03-01")
    # no waiting period for Rätt myndighet: missbruk and Studier
    assert c.loc["e4", "utfallsstatus"] == "bekraftad"
    assert c.loc["e6", "utfallsstatus"] == "pagaende"


def test_waiting_period_is_confirmed_exactly_when_the_months_have_passed():
    ep = _episodes().iloc[[1]]
    assert flows.classify_exits(ep, "2026-02-28").loc[0, "utfallsstatus"] == "obekraftad"
    assert flows.classify_exits(ep, "2026-03-01").loc[0, "utfallsstatus"] == "bekraftad"


def test_exit_and_self_sufficiency_are_kept_apart():
    c = flows.classify_exits(_episodes(), REF).set_index("episod_id")
    # e2 left for "Arbete" (implies egen försörjning) but still has försörjningsstöd after
    assert c.loc["e2", "avslut_innebar_egen"] == "ja"
    assert c.loc["e2", "egen_forsorjning_efter"] == "nej"
    # Rätt myndighet (missbruk) "även om personen fortfarande uppbär försörjningsstöd"
    assert c.loc["e4", "avslut_innebar_egen"] == "nej"
    assert c.loc["e3", "egen_forsorjning_efter"] == "okant"


def test_unknown_exit_code_raises_with_a_hint():
    ep = _episodes().assign(avslutsorsak=lambda d: d["avslutsorsak"].replace("tw_studier", "hittepa"))
    with pytest.raises(flows.FlowsError, match="avslutsorsaker.csv"):
        flows.classify_exits(ep, REF)


def test_exit_summary_counts_confirmed_and_unconfirmed_per_category():
    s = flows.exit_summary(_episodes(), REF, min_n=None).set_index("kategori")
    assert s.loc["arbete", ["n", "bekraftad", "obekraftad"]].tolist() == [2, 1, 1]
    assert s.loc["arbete", "avslut_innebar_egen_ja"] == 2
    assert s.loc["arbete", "egen_forsorjning_efter_ja"] == 1   # only e1
    assert s.loc["avbruten_kontakt", "obekraftad"] == 1
    assert s["n"].sum() == 5
    assert s.loc["arbete", "andel"] == pytest.approx(2 / 5)


def test_exit_summary_maps_team_work_codes_onto_sus_categories():
    s = flows.exit_summary(_episodes(), REF, level="sus_kategori", min_n=None).set_index("kategori")["n"]
    # tw_arbete -> förvärvsarbete (2), tw_studier -> studier (1), avbruten + rätt myndighet -> övriga (2)
    assert s.to_dict() == {"forvarvsarbete": 2, "ovriga_avslutade": 2, "studier": 1}


# ---------------------------------------------------------------- standard outcome report

def test_outcome_report_counts_before_and_after():
    r = flows.outcome_report(_episodes(), REF, min_n=None)
    assert _cell(r, "avslutade", "alla")["n"] == 5
    assert _cell(r, "avslutade", "alla", "kvinna")["n"] == 3   # e1, e3, e5
    assert _cell(r, "avslutade", "alla", "man")["n"] == 2      # e2, e4
    assert _cell(r, "forsorjningsgrupp_fore", "offentlig")["n"] == 5
    # after: e1 egen, e2 offentlig, e3 okand, e4 offentlig, e5 egen
    assert _cell(r, "forsorjningsgrupp_efter", "egen")["n"] == 2
    assert _cell(r, "forsorjningsgrupp_efter", "offentlig")["n"] == 2
    assert _cell(r, "forsorjningsgrupp_efter", "okand")["n"] == 1
    assert _cell(r, "sysselsattning_efter", "forvarvsarbete")["n"] == 2
    assert _cell(r, "sysselsattning_efter", "saknas")["n"] == 1


def test_outcome_report_counts_a_person_under_each_of_several_sources():
    r = flows.outcome_report(_episodes(), REF, min_n=None)
    # before: all 5 have försörjningsstöd, e2 also a-kassa: shares add up to 6/5
    assert _cell(r, "forsorjning_fore", "forsorjningsstod")["n"] == 5
    assert _cell(r, "forsorjning_fore", "a_kassa")["andel"] == pytest.approx(1 / 5)
    assert r[(r["matt"] == "forsorjning_fore") & (r["kon"] == "totalt")]["andel"].sum() == pytest.approx(6 / 5)
    # after: base = 4 persons with a recorded source (e3 missing); lön e1+e2, fs e2+e4, studiemedel e5
    lon = _cell(r, "forsorjning_efter", "lon")
    assert (lon["n"], lon["bas"]) == (2, 4)
    assert _cell(r, "forsorjning_efter", "forsorjningsstod")["n"] == 2


def test_outcome_report_started_or_increased_extent():
    r = flows.outcome_report(_episodes(), REF, min_n=None)
    # both known for e1 (0->100), e2 (20->50), e5 (0->100)
    assert _cell(r, "omfattning", "paborjat")[["n", "bas"]].tolist() == [2, 3]
    assert _cell(r, "omfattning", "okat")["n"] == 1
    assert _cell(r, "omfattning", "paborjat_eller_okat")["andel"] == pytest.approx(1.0)


def test_outcome_report_keeps_exit_flag_and_recorded_self_sufficiency_apart():
    r = flows.outcome_report(_episodes(), REF, min_n=None)
    # implied by exit: arbete ×2 + studier = 3 ja, missbruk nej, avbruten kontakt okant
    assert _cell(r, "avslut_innebar_egen", "ja")["n"] == 3
    # recorded: e1, e5 ja; e2, e4 nej; e3 okant
    assert _cell(r, "egen_forsorjning_efter", "ja")["n"] == 2
    assert _cell(r, "utfallsstatus", "obekraftad")["n"] == 2


def test_outcome_report_period_filters_on_exit_date():
    r = flows.outcome_report(_episodes(), REF, period_start="2025-06-01", period_end="2025-12-31", min_n=None)
    assert _cell(r, "avslutade", "alla")["n"] == 4   # e4 (May) outside


def test_transition_matrix_uses_main_source_and_counts_each_person_once():
    tab = flows.forsorjning_transitions(_episodes(), REF)
    assert list(tab.index) == ["forsorjningsstod"]
    assert tab.loc["forsorjningsstod"].to_dict() == {"forsorjningsstod": 2, "lon": 1, "studiemedel": 1, "okand": 1}
    grp = flows.forsorjning_transitions(_episodes(), REF, rule="grupp")
    assert grp.loc["offentlig"].to_dict() == {"offentlig": 2, "egen": 2, "okand": 1}


# ---------------------------------------------------------------- time

def test_time_in_insats_mean_and_median_of_closed_episodes():
    tt = flows.time_in_insats(_episodes(), REF, min_n=None)
    # (181 + 275 + 292 + 120 + 153) / 5 = 204.2; median of 120, 153, 181, 275, 292 = 181
    assert tt.loc[0, "n"] == 5
    assert tt.loc[0, "medel_dagar"] == pytest.approx(204.2)
    assert tt.loc[0, "median_dagar"] == 181
    assert tt.loc[0, "medel_manader"] == pytest.approx(204.2 / 30.4375)


def test_kaplan_meier_censors_open_episodes():
    km = flows.kaplan_meier(_episodes(), REF)
    s = dict(zip(km["dagar"], km["andel_kvar"]))
    # times 106c 120 153 181 228c 259c 275 292; S(120)=6/7, S(153)=5/7, S(181)=4/7, S(275)=2/7, S(292)=0
    assert s[0.0] == 1.0
    assert s[120.0] == pytest.approx(6 / 7)
    assert s[153.0] == pytest.approx(5 / 7)
    assert s[181.0] == pytest.approx(4 / 7)
    assert s[275.0] == pytest.approx(2 / 7)
    assert s[292.0] == pytest.approx(0.0)
    assert km.attrs["median_dagar"]["totalt"] == 275


def test_aalen_johansen_incidence_adds_up_to_one_minus_km():
    ci = flows.exit_incidence(_episodes(), REF)
    final = ci.groupby("kategori")["kumulativ_andel"].max()
    # ratt_myndighet 1·1/7; studier 6/7·1/6; arbete 5/7·1/5 + 4/7·1/2 = 3/7; avbruten 2/7·1/1
    assert final["ratt_myndighet"] == pytest.approx(1 / 7)
    assert final["studier"] == pytest.approx(1 / 7)
    assert final["arbete"] == pytest.approx(3 / 7)
    assert final["avbruten_kontakt"] == pytest.approx(2 / 7)
    assert final.sum() == pytest.approx(1.0)


def test_censoring_other_exits_overstates_a_category():
    ci = flows.exit_incidence(_episodes(), REF, method="km_censor")
    # arbete only: risk 5 at 181 -> S=4/5; risk 2 at 275 -> S=2/5; 1 - S = 3/5 > 3/7
    assert ci[ci["kategori"] == "arbete"]["kumulativ_andel"].max() == pytest.approx(3 / 5)


def test_unconfirmed_exits_can_be_censored_at_exit():
    ci = flows.exit_incidence(_episodes(), REF, confirmed_only=True)
    final = ci.groupby("kategori")["kumulativ_andel"].max()
    assert "avbruten_kontakt" not in final.index       # e3 still waiting
    assert final["arbete"] == pytest.approx(1 / 7)     # only e1: S(181-) = 5/7, risk 5


# ---------------------------------------------------------------- milestones

def test_plan_within_five_weeks_with_pending_cases_left_out():
    ms = flows.milestones(_events(), REF)
    plan = ms[ms["steg"] == "forsta_mote->handlingsplan"].set_index("episod_id")["status"].to_dict()
    assert plan == {"e1": "i_tid", "e2": "sen", "e3": "sen", "e5": "i_tid", "e8": "vantar"}
    summ = flows.milestone_summary(ms, min_n=None).set_index("steg")
    row = summ.loc["forsta_mote->handlingsplan"]
    assert row["andel_i_tid"] == pytest.approx(2 / 4)
    assert row["median_dagar"] == 35          # 31, 35, 42
    consent = summ.loc["samtycke->forsta_mote"]
    assert consent["median_dagar"] == 11      # 16 and 6 days


def test_plan_deadline_is_a_parameter():
    ms = flows.milestones(_events(), REF, steps=[("forsta_mote", "handlingsplan", 30)])
    status = ms.set_index("episod_id")["status"]
    assert status["e1"] == "sen" and status["e5"] == "sen"   # 31 and 35 days > 30


# ---------------------------------------------------------------- monthly statistics

def test_monthly_active_new_and_ended():
    m = flows.monthly_flows(_episodes(), REF, "2025-01-01", "2026-01-31").set_index("manad")
    assert m["nya"].sum() == 8 and m["avslutade"].sum() == 5
    assert m.loc["2025-01", ["aktiva", "nya"]].tolist() == [2, 2]
    # May: e4 ends 15 May, e7 starts; active during month 6, at month end 5
    assert m.loc["2025-05", ["aktiva", "aktiva_vid_manadsslut", "avslutade"]].tolist() == [6, 5, 1]
    assert m.loc["2025-05", "avslutade_ratt_myndighet"] == 1
    assert m.loc["2025-12", ["aktiva", "aktiva_vid_manadsslut"]].tolist() == [4, 3]
    assert m.loc["2026-01", "aktiva"] == 3


# ---------------------------------------------------------------- return

def test_return_within_exit_cohort_by_review_date():
    r = flows.return_rate(_episodes(), _events(), "2025-05-01", "2025-09-30", REF).iloc[0]
    # cohort e4, e1, e5; e4 back on försörjningsstöd; e1 new episode e8; e5 contact after review
    assert (r["kohort"], r["ater"]) == (3, 2)
    assert r["ater_forsorjningsstod_ater"] == 1 and r["ater_aterkontakt"] == 0 and r["ater_ny_episod"] == 1
    r2 = flows.return_rate(_episodes(), _events(), "2025-05-01", "2025-09-30", REF,
                           count_new_episode=False).iloc[0]
    assert r2["ater"] == 1


def test_anonymous_episodes_are_not_linked_as_returns():
    ep = _episodes().iloc[[6, 6]].assign(
        episod_id=["a1", "a2"], inskrivningsdatum=pd.to_datetime(["2025-01-01", "2025-08-01"]),
        avslutsdatum=pd.to_datetime(["2025-03-01", None]), avslutsorsak=["tw_flytt", None])
    r = flows.return_rate(ep, None, "2025-01-01", "2025-12-31", REF).iloc[0]
    assert (r["kohort"], r["ater"]) == (1, 0)


def test_vuxenteamen_return_share_with_wilson_interval():
    # 12 of 97 "har åter kontakt med oss" (seed 002, T8): build 97 exits, 12 with aterkontakt
    n = 97
    ep = pd.DataFrame({"episod_id": [f"v{i}" for i in range(n)], "deltagare_id": [f"d{i}" for i in range(n)],
                       "forbund": "Hisingen", "insats": "Vuxenteamen",
                       "inskrivningsdatum": pd.Timestamp("1999-06-01"),
                       "avslutsdatum": pd.Timestamp("2000-02-15"), "avslutsorsak": "delta_arbete_utan_stod"})
    ev = pd.DataFrame({"episod_id": [f"v{i}" for i in range(12)], "datum": pd.Timestamp("2000-10-01"),
                       "handelse": "aterkontakt"})
    r = flows.return_rate(ep, ev, "2000-01-01", "2000-04-30", "2001-01-31").iloc[0]
    assert (r["kohort"], r["ater"]) == (97, 12)
    assert round(100 * r["andel"], 1) == 12.4
    # Wilson interval by formula: (p + z²/2n ± z√(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    z, p = 1.959963984540054, 12 / 97
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert r["ki_lag"] == pytest.approx(centre - half) and r["ki_hog"] == pytest.approx(centre + half)


# ---------------------------------------------------------------- aggregate-only mode

def _vuxenteamen():
    return flows.aggregate_outcomes(
        975,
        {"arbete_utan_offentligt_stod": 422, "egenfinansierade_studier": 111, "okant_ej_aktuell": 133},
        arbete={"arbete_utan_offentligt_stod": 422, "arbete_subventionerat": 93},
        ater=(12, 97),
        forsorjning_start={"enbart_forsorjningsstod": 48, "endast_a_kassa": 16, "forsorjningsstod_och_annan": 27},
        stated={"ej_offentlig": 666, "ej_offentlig_procent": 68, "arbete": 515, "ater_procent": 12.4},
    )


def test_vuxenteamen_no_public_support_is_666_of_975():
    res = _vuxenteamen()["resultat"].set_index("matt")
    assert res.loc["ej_offentlig_forsorjning", "n"] == 666          # 422 + 111 + 133
    assert round(100 * res.loc["ej_offentlig_forsorjning", "andel"], 1) == 68.3   # 666 / 975 = 68.31 %
    assert res.loc["arbete", "n"] == 515                            # 422 + 93
    assert round(100 * res.loc["arbete", "andel"], 1) == 52.8
    assert round(100 * res.loc["arbete.arbete_subventionerat", "andel"], 1) == 18.1   # 93 / 515
    assert round(100 * res.loc["ater", "andel"], 1) == 12.4


def test_vuxenteamen_income_at_start_shows_nine_percent_not_reported():
    out = _vuxenteamen()
    start = out["forsorjning_start"].set_index("kategori")["varde"]
    assert start["ej_redovisat"] == 9 and start["summa"] == 100
    k = out["kontroller"].set_index("kontroll")
    # only the income-at-start table fails to add up (91 %), every other check passes
    assert not k.loc["forsorjning_start", "ok"]
    assert k.loc["forsorjning_start", "summa_delar"] == 91
    assert k.drop(index="forsorjning_start")["ok"].all()
    assert out["ok"] is False


def test_aggregate_checks_flag_a_stated_total_that_does_not_add_up():
    out = flows.aggregate_outcomes(975, {"a": 422, "b": 111, "c": 133}, arbete={"a": 422, "b": 93},
                                   stated={"ej_offentlig": 667, "arbete": 515, "ej_offentlig_procent": 70})
    k = out["kontroller"].set_index("kontroll")
    assert not k.loc["ej_offentlig_forsorjning", "ok"] and k.loc["ej_offentlig_forsorjning", "differens"] == -1
    assert not k.loc["ej_offentlig_procent", "ok"]
    assert k.loc["arbete", "ok"]


# ---------------------------------------------------------------- headline and figures

def test_headline_values():
    h = flows.headline(_episodes(), _events(), REF, return_window=("2025-05-01", "2025-09-30"), review_date=REF)
    assert h["antal_deltagare"] == 7 and h["avslutade_i_perioden"] == 5
    assert h["pagaende_vid_referensdatum"] == 3
    assert h["avslut_per_kategori"] == {"arbete": 2, "avbruten_kontakt": 1, "ratt_myndighet": 1, "studier": 1}
    assert h["avslut_obekraftade"] == 2
    assert h["egen_forsorjning_efter_andel"] == pytest.approx(2 / 4)   # e3 unknown left out
    assert h["offentlig_fore_andel"] == 1.0 and h["offentlig_efter_andel"] == pytest.approx(2 / 5)
    assert h["tid_median_manader"] == pytest.approx(181 / 30.4375)
    assert h["km_median_manader"] == pytest.approx(275 / 30.4375)
    assert h["handlingsplan_i_tid_andel"] == pytest.approx(0.5)
    assert h["aterkomst_andel"] == pytest.approx(2 / 3)


def test_sankey_hides_small_flows_and_uses_swedish_labels():
    tab = flows.forsorjning_transitions(_episodes(), REF)
    fig = flows.figure_sankey(tab, min_n=2)
    link = fig.data[0].link
    assert list(link.value) == [2]                     # fs -> fs (2); the three flows of 1 are hidden
    assert "Försörjningsstöd (före)" in fig.data[0].node.label
    assert "visas inte" in fig.layout.title.text
    fig_en = flows.figure_sankey(tab, lang="en", min_n=1)
    assert sorted(fig_en.data[0].link.value) == [1, 1, 1, 2]
    assert "Social assistance (before)" in fig_en.data[0].node.label


def test_monthly_and_exit_figures_build():
    m = flows.monthly_flows(_episodes(), REF)
    fig = flows.figure_monthly(m)
    assert fig.data[1].y.min() < 0                      # outflow drawn downwards
    s = flows.exit_summary(_episodes(), REF, min_n=None)
    assert "Arbete" in flows.figure_exits(s).data[0].x
    km = flows.kaplan_meier(_episodes(), REF)
    ci = flows.exit_incidence(_episodes(), REF)
    assert len(flows.figure_kaplan_meier(km, ci).data) == 1 + 4


def test_vuxenteamen_sample_feeds_the_aggregate_only_outcome():
    from pathlib import Path

    rep = pd.read_csv(Path(__file__).resolve().parents[1] / "data_samples" / "rapporterat" / "vuxenteamen.csv")
    # 666 / 975 = 68.3 %
    t5_rows = rep[(rep["tabell"] == "T5") & (rep["kategori"] != "summa") & (rep["enhet"] == "antal")]
    total = rep[(rep["tabell"] == "T6") & (rep["kategori"] == "summa")]["varde"].item()
    out = flows.aggregate_outcomes(total, dict(zip(t5_rows["kategori"], t5_rows["varde"])))
    assert round(100 * out["resultat"].set_index("matt").loc["ej_offentlig_forsorjning", "andel"], 1) == 68.3


def test_outcome_report_suppresses_small_cells_and_their_complements():
    # three copies of the data set: 15 closed episodes (9 women, 6 men)
    big = pd.concat([_episodes().assign(episod_id=lambda d, i=i: d["episod_id"] + f"-{i}",
                                        deltagare_id=lambda d, i=i: d["deltagare_id"] + f"-{i}")
                     for i in range(3)], ignore_index=True)
    r = flows.outcome_report(big, REF, min_n=5)
    # after: women egen 6 (e1, e5), okand 3 (e3); men offentlig 6 (e2, e4)
    assert math.isnan(_cell(r, "forsorjningsgrupp_efter", "okand", "kvinna")["n"])      # primary: 3 < 5
    assert math.isnan(_cell(r, "forsorjningsgrupp_efter", "egen", "kvinna")["n"])       # else 9 − 3 reveals it
    assert math.isnan(_cell(r, "forsorjningsgrupp_efter", "egen", "totalt")["n"])       # else total − men reveals it
    assert _cell(r, "forsorjningsgrupp_efter", "offentlig", "man")["n"] == 6
    assert _cell(r, "forsorjningsgrupp_efter", "ingen", "kvinna")["n"] == 0             # zeros are shown
    assert _cell(r, "forsorjningsgrupp_efter", "okand", "kvinna")["undertryckt"]
    # the unsuppressed data set has only 5 closed episodes: every kön split (bases 3 and 2) is hidden
    small = flows.outcome_report(_episodes(), REF, min_n=5)
    assert small[small["kon"] != "totalt"]["n"].isna().all()


def test_board_tables_label_categories_and_show_suppressed_cells():
    s = flows.exit_summary(_episodes(), REF, min_n=2)   # avbruten, rätt myndighet, studier have n = 1
    shown = flows.board_table(s).set_index("Kategori")
    assert shown.loc["Arbete", "Antal"] == "2" and shown.loc["Arbete", "Andel"] == "40,0\xa0%"
    assert shown.loc["Studier", "Antal"] == "–"
    assert flows.board_table(s, lang="en").columns[0] == "Category"
    tab = flows.transition_table(flows.forsorjning_transitions(_episodes(), REF), min_n=2)
    # fs -> fs 2 shown; the three flows of 1 are hidden; the row total 5 stays
    assert tab.loc["Försörjningsstöd", "Försörjningsstöd"] == "2"
    assert tab.loc["Försörjningsstöd", "Lön"] == "–"
    assert tab.loc["Försörjningsstöd", "Totalt"] == "5"


def test_key_figures_table_labels_and_formats_the_headline():
    # Hand-made headline: 1234 episodes -> "1 234" (space as thousands separator), 0.63291 -> "63,3 %",
    # 6.4352 months -> "6,4", None -> "ej beräknat"; the nested dict is not shown.
    head = {"antal_episoder": 1234, "egen_forsorjning_efter_andel": 0.63291, "tid_medel_manader": 6.4352,
            "km_median_manader": None, "avslut_per_kategori": {"arbete": 3}}
    tab = flows.key_figures_table(head)
    assert tab.index.name == "Nyckeltal" and list(tab.columns) == ["Värde"]
    assert tab["Värde"].tolist() == ["1\u202f234", "63,3\xa0%", "6,4", "ej beräknat"]
    assert tab.index[0] == "Episoder (deltagare × insats)"
    assert not any("_" in label for label in tab.index)          # no code identifiers
    en = flows.key_figures_table(head, lang="en")
    assert en["Value"].tolist() == ["1,234", "63.3\xa0%", "6.4", "not computed"]


def test_reported_checks_table_is_labelled_and_says_yes_or_no():
    rep = pd.DataFrame({"kalla": ["002"] * 4, "tabell": ["T5"] * 4, "kategori": ["a", "b", "c", "summa"],
                        "varde": [422, 111, 133, 667], "enhet": ["antal"] * 4, "id": ["", "", "", "S"],
                        "relation": ["del av S"] * 3 + [""]})
    tab = flows.reported_checks_table(flows.check_reported(rep))
    # 422 + 111 + 133 = 666, stated 667: does not add up
    assert tab.loc[0, "Stämmer"] == "Nej"
    assert "666" in tab.loc[0, "Meddelande"] and "667" in tab.loc[0, "Meddelande"]
    assert "kontroll" not in tab.columns and "ok" not in tab.columns


# ---------------------------------------------------------------- exit semantics (issue 19)

def _vuxenteamen_exits():
    # 975 individual exits coded as Vuxenteamen coded them (T5/T6): 422 + 93 + 111 + 216 + 133
    codes = (["delta_arbete_utan_stod"] * 422 + ["delta_arbete_subventionerat"] * 93 + ["delta_studier"] * 111
             + ["delta_andra_insatser"] * 216 + ["delta_okant_ej_aktuell"] * 133)
    n = len(codes)
    return pd.DataFrame({"episod_id": [f"e{i}" for i in range(n)], "deltagare_id": [f"p{i}" for i in range(n)],
                         "forbund": ["X"] * n, "insats": ["Vuxenteamen"] * n, "inskrivningsdatum": ["1999-03-01"] * n,
                         "avslutsdatum": ["2000-06-01"] * n, "avslutsorsak": codes})


def test_individual_exits_coded_like_vuxenteamen_reproduce_666_of_975():
    h = flows.headline(_vuxenteamen_exits(), None, "2001-12-31")
    assert h["avslutade_i_perioden"] == 975
    assert h["ej_offentlig_forsorjning_vid_avslut_andel"] == pytest.approx(666 / 975)
    assert round(100 * h["ej_offentlig_forsorjning_vid_avslut_andel"], 1) == 68.3


def test_okant_men_ej_aktuell_is_not_egen_forsorjning():
    df = flows.classify_exits(_vuxenteamen_exits(), "2001-12-31")
    okant = df[df["avslutsorsak"] == "delta_okant_ej_aktuell"]
    assert set(okant["avslut_offentlig_forsorjning"]) == {"nej"}       # not on public support ...
    assert set(okant["avslut_innebar_egen"]) == {"okant"}             # ... which is not supporting oneself
    egen = df["avslut_innebar_egen"].value_counts()
    assert egen["ja"] == 422 + 93 + 111 and egen["okant"] == 133       # 759 before the fix
    # subsidised work is egen försörjning (NNS) but not "utan offentligt stöd" (Vuxenteamen T5)
    sub = df[df["avslutsorsak"] == "delta_arbete_subventionerat"].iloc[0]
    assert (sub["avslut_innebar_egen"], sub["avslut_offentlig_forsorjning"]) == ("ja", "ja")


def test_every_exit_reason_carries_both_flags_as_data():
    from evaluation.vocabulary import exit_reasons

    r = exit_reasons()
    flags = {"ja", "nej", "okant"}
    real = r[r.index != "felregistrering"]
    assert set(real["egen_forsorjning"]) <= flags and set(real["offentlig_forsorjning_vid_avslut"]) <= flags
    # Team Work: addiction treatment "även om personen fortfarande uppbär försörjningsstöd" -> not egen
    assert r.loc["tw_ratt_myndighet_missbruksbehandling", "egen_forsorjning"] == "nej"
    # verbatim labels of source 003
    assert r.loc["tw_ratt_myndighet_kriminalvard", "etikett_sv"].endswith("längre fängelsestraff (minst 3 månader)")
    assert "(ex. FINSAM eller Klara Livet)" in r.loc["tw_ratt_myndighet_annat_projekt", "etikett_sv"]


def test_sus_no_public_support_sources_are_data_and_group_as_ingen():
    from evaluation.vocabulary import vocabulary

    voc = vocabulary("forsorjning")
    for code in ("foraldrapenning", "alderspension"):
        assert voc[code]["offentlig"] is False
        assert flows.forsorjningsgrupp(code) == "ingen"
    assert flows.forsorjningsgrupp("foraldrapenning|a_kassa") == "offentlig"


def test_outcome_report_counts_public_support_at_exit_separately_from_egen_forsorjning():
    r = flows.outcome_report(_vuxenteamen_exits(), "2001-12-31", min_n=5)
    tot = r[(r["kon"] == "totalt")] if "kon" in r.columns else r
    off = tot[tot["matt"] == "avslut_offentlig_forsorjning"].set_index("kategori")["n"]
    egen = tot[tot["matt"] == "avslut_innebar_egen"].set_index("kategori")["n"]
    assert off["nej"] == 666 and egen["ja"] == 626 and egen["okant"] == 133
