"""Tests of evaluation.costbenefit: conventions, reference cases (DOMAIN.md §7, §9), uncertainty.

Expected values are worked out by hand in the comments or taken from DOMAIN.md reference figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from scipy import stats

from evaluation import costbenefit as cb
from evaluation.figures import ACTOR_COLORS
from evaluation.labels import t
from evaluation.results import to_jsonable
from evaluation.schemas import UNIT_COSTS

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


def unit_costs(rows):
    """rows: (post, aktor, belopp, enhet, typ[, prisar])."""
    df = pd.DataFrame([{"post": r[0], "benamning": r[0], "aktor": r[1], "belopp_sek": float(r[2]),
                        "enhet": r[3], "prisar": r[5] if len(r) > 5 else 2025, "typ": r[4],
                        "kalla": "antagande (illustrativt)"} for r in rows])
    df["prisar"] = df["prisar"].astype("Int64")
    return UNIT_COSTS.validate(df)


def scenario(**kw):
    base = {"namn": "test", "horisont_ar": 1, "diskonteringsranta": 0.0, "deltagare": 1,
            "projektkostnad": [0], "finansiering": {"kommun": 1.0}, "utfall": []}
    base.update(kw)
    return cb.scenario_from_dict(base)


# ------------------------------------------------------------------------------------------------
# Reference case 1: Vuxenteamen (seed 002 p. 13; DOMAIN.md §7, §9)
# ------------------------------------------------------------------------------------------------

VUXEN_UC = unit_costs([("offentlig_forsorjning", "kommun", 8000, "manad", "transferering", 2001),
                       ("offentlig_forsorjning_mottagen", "individ", -8000, "manad", "transferering", 2001)])


@pytest.mark.parametrize("n_persons, expected", [
    (666, 63_936_000),   # 666 × 8 000 × 12 (verbatim "64 milj kr per år")
    (422, 40_512_000),   # only work without support: 422 × 96 000 (derived)
    (533, 51_168_000),   # excluding okänt: 533 × 96 000 (derived)
])
def test_vuxenteamen_gross_transfer_saving_is_fiscal_gain_and_zero_for_society(n_persons, expected):
    sc = scenario(deltagare=n_persons, horisont_ar=1, prisar=2001, utfall=[{
        "namn": "utan_offentligt_stod", "andel": 1.0,
        "forandringar": {"offentlig_forsorjning": -12, "offentlig_forsorjning_mottagen": -12}}])
    res = cb.evaluate(sc, VUXEN_UC)
    assert res.npv_fiscal == pytest.approx(expected)
    assert res.npv_per_actor["kommun"] == pytest.approx(expected)
    assert res.npv_per_actor["individ"] == pytest.approx(-expected)
    # a transfer is a redistribution, not a real gain for society (DOMAIN §7)
    assert res.npv_total == pytest.approx(0.0, abs=1e-6)


def test_vuxenteamen_return_rate_sensitivity():
    # 12 of 97 returned: 666 × (85/97) × 96 000 = 63 936 000 × 85 / 97 = 56 026 391.75 ≈ 56 026 392
    sc = scenario(deltagare=666, prisar=2001, utfall=[{
        "namn": "x", "andel": 85 / 97,
        "forandringar": {"offentlig_forsorjning": -12, "offentlig_forsorjning_mottagen": -12}}])
    assert cb.evaluate(sc, VUXEN_UC).npv_fiscal == pytest.approx(56_026_391.75, abs=0.01)


# ------------------------------------------------------------------------------------------------
# Reference case 2: the SROI worked example (DOMAIN.md §7)
# ------------------------------------------------------------------------------------------------

SROI_UC = unit_costs([("utfall_varde", "kommun", 8500, "ar", "real_resurs")])


def sroi_scenario(h):
    return scenario(deltagare=60, horisont_ar=h, diskonteringsranta=0.035, dodvikt=0.4, attribution=0.3,
                    avtagande=0.3, projektkostnad=[250_000],
                    utfall=[{"namn": "x", "andel": 1.0, "forandringar": {"utfall_varde": -1}}])


def test_sroi_example_ratio_1_44_with_two_year_horizon():
    # By hand: year 1 = 60 × 8 500 × (1 − 0.4) × (1 − 0.3) = 510 000 × 0.42 = 214 200 (not discounted)
    #          year 2 = 214 200 × (1 − 0.3) / 1.035 = 149 940 / 1.035 = 144 869.57
    #          PV = 359 069.57; ratio = 359 069.57 / 250 000 = 1.4363 ≈ 1.44.
    # Horizon check: H = 1 gives 0.857, H = 3 adds 104 958 / 1.035² = 97 980.3 → 1.83; and discounting
    # year 1 too (SROI-guide style) with H = 2 gives (214 200/1.035 + 149 940/1.035²)/250 000 = 1.388.
    # So the ≈ 1.44 of DOMAIN.md is reproduced by H = 2 years with year 1 undiscounted.
    pv = 214_200 + 149_940 / 1.035
    res = cb.evaluate(sroi_scenario(2), SROI_UC)
    assert res.pv_benefits == pytest.approx(pv)
    assert res.bcr == pytest.approx(pv / 250_000)
    assert round(res.bcr, 2) == 1.44
    assert cb.evaluate(sroi_scenario(1), SROI_UC).bcr == pytest.approx(214_200 / 250_000)
    assert cb.evaluate(sroi_scenario(3), SROI_UC).bcr == pytest.approx((pv + 104_958 / 1.035**2) / 250_000)


# ------------------------------------------------------------------------------------------------
# Reference case 3: pay-off test (DOMAIN.md §9, seed 000 derived test 1)
# ------------------------------------------------------------------------------------------------

def test_payoff_months_from_helper():
    # cost 150 000/month m1–12 = 1 800 000; gain 60 000/month from m7 = 360 000 in year 1, 720 000 later
    yearly = [-1_800_000 + 360_000] + [720_000] * 7
    cum = cb.monthly_cumulative(yearly)
    assert cum[11] == pytest.approx(-1_440_000)
    assert cb.payback_month(yearly) == 36          # 1 800 000 / 60 000 = 30 gain months: m7..m36
    assert cb.payback_month(yearly[:1]) is None     # the 1-year pay-off check fails
    assert sum(yearly[:4]) > 0 and sum(yearly[:8]) > 0


def test_payoff_months_through_the_engine():
    # Half a person in cohort 1 and half in cohort 2 with no drop-off: effect weights 0.5, 1, 1, 1,
    # so a gain of 720 000 per person-year gives 360 000 in year 1 and 720 000 afterwards.
    uc = unit_costs([("vinst", "kommun", -720_000, "ar", "real_resurs")])
    sc = scenario(deltagare=[0.5, 0.5], horisont_ar=4, projektkostnad=[1_800_000],
                  utfall=[{"namn": "x", "andel": 1.0, "forandringar": {"vinst": 1}}])
    res = cb.evaluate(sc, uc)
    assert res.yearly["totalt"].tolist() == pytest.approx([-1_440_000, 720_000, 720_000, 720_000])
    assert res.payback_month == 36
    assert cb.evaluate(cb.Scenario(**{**sc.__dict__, "horisont_ar": 1}), uc).payback_month is None


# ------------------------------------------------------------------------------------------------
# Reference case 4: hand-worked multi-actor case where actors lose ("den enes bröd ...")
# ------------------------------------------------------------------------------------------------

MULTI_UC = unit_costs([("fs", "kommun", 1000, "manad", "transferering"),
                       ("fs_m", "individ", -1000, "manad", "transferering"),
                       ("lon", "individ", -2000, "manad", "real_resurs"),
                       ("vard", "region", 500, "tillfalle", "real_resurs")])


def multi_scenario(**kw):
    d = dict(deltagare=10, horisont_ar=2, projektkostnad=[150_000],
             finansiering={"forsakringskassan": 0.5, "region": 0.25, "kommun": 0.25},
             utfall=[{"namn": "arbete", "andel": 0.5,
                      "forandringar": {"fs": -12, "fs_m": -12, "lon": 12, "vard": -2}}])
    d.update(kw)
    return scenario(**d)


def test_multi_actor_case_by_hand():
    # 5 of 10 succeed, 2 years, r = 0. Per successful person-year: kommun +12 000 (fs), individ
    # −12 000 + 24 000 = +12 000, region +2 × 500 = +1 000. Over 5 persons × 2 years: kommun 120 000,
    # individ 120 000, region 10 000. Costs 150 000: FK 75 000, region 37 500, kommun 37 500.
    res = cb.evaluate(multi_scenario(), MULTI_UC)
    assert res.npv_per_actor == pytest.approx({"kommun": 82_500, "region": -27_500, "forsakringskassan": -75_000,
                                               "arbetsformedlingen": 0, "ovrig_stat": 0, "individ": 120_000})
    assert res.npv_fiscal == pytest.approx(82_500 - 27_500 - 75_000)            # −20 000
    assert res.npv_total == pytest.approx(240_000 + 10_000 - 150_000)           # real only: 100 000
    assert res.bcr == pytest.approx(250_000 / 150_000)
    assert sorted(res.losers) == ["forsakringskassan", "region"]
    # break-even: 0.5 × 150 000 / 250 000 = 0.30 (3 persons × 2 years × 25 000 = 150 000)
    assert res.break_even_share == pytest.approx(0.30)
    # payback (undiscounted, spread by month): society year 1 = 125 000 − 150 000 = −25 000, year 2 = +125 000
    # → cum m12 −25 000, +10 416.67 per month: m14 −4 166.7, m15 +6 250 → month 15.
    assert res.payback_month == 15
    pm = res.actors.set_index("aktor")["aterbetalningsmanad"]
    assert pm["kommun"] == 1                   # year 1: 60 000 − 37 500 > 0
    assert pd.isna(pm["region"])               # 5 000 − 37 500, then +5 000: never
    assert pd.isna(pm["offentlig"])            # −85 000 then +65 000
    text = " ".join(cb.caveats(res))
    assert t("caveat.no_comparison_group") in text
    assert "Försäkringskassan" in text and "Region" in text


def test_no_losers_flagged_when_society_loses():
    res = cb.evaluate(multi_scenario(projektkostnad=[400_000]), MULTI_UC)
    assert res.npv_total < 0
    assert res.losers == []


def test_flows_are_tidy_with_signed_amounts_and_pv():
    res = cb.evaluate(multi_scenario(diskonteringsranta=0.1), MULTI_UC)
    f = res.flows
    assert {"ar", "aktor", "utfall", "post", "typ", "kategori", "belopp", "belopp_pv"} <= set(f.columns)
    cost = f[f["kategori"] == "kostnad"]
    assert (cost["belopp"] <= 0).all() and cost["belopp"].sum() == pytest.approx(-150_000)
    y2 = f[(f["ar"] == 2) & (f["post"] == "fs")]
    assert y2["belopp"].sum() == pytest.approx(60_000)
    assert y2["belopp_pv"].sum() == pytest.approx(60_000 / 1.1)
    # per-actor npv equals the sum of its flows' PV
    assert f[f["aktor"] == "kommun"]["belopp_pv"].sum() == pytest.approx(res.npv_per_actor["kommun"])


# ------------------------------------------------------------------------------------------------
# Conventions
# ------------------------------------------------------------------------------------------------

ONE_UC = unit_costs([("vard", "region", 1000, "tillfalle", "real_resurs")])


def one(**kw):
    d = dict(deltagare=1, finansiering={"region": 1.0},
             utfall=[{"namn": "a", "andel": 1.0, "forandringar": {"vard": -1}}])
    d.update(kw)
    return scenario(**d)


def test_year_one_is_not_discounted_and_year_t_divided_by_growth_power_t_minus_one():
    res = cb.evaluate(one(horisont_ar=3, diskonteringsranta=0.05, projektkostnad=[0, 0, 1000]), ONE_UC)
    f = res.flows[res.flows["post"] == "vard"].set_index("ar")
    assert f.loc[1, "belopp_pv"] == pytest.approx(1000)
    assert f.loc[2, "belopp_pv"] == pytest.approx(1000 / 1.05)
    assert f.loc[3, "belopp_pv"] == pytest.approx(1000 / 1.05**2)
    assert res.pv_costs == pytest.approx(1000 / 1.05**2)


def test_default_discount_rate_is_3_5_percent():
    sc = cb.scenario_from_dict({"namn": "x", "deltagare": 1, "projektkostnad": [0], "finansiering": {"kommun": 1}})
    assert sc.diskonteringsranta == 0.035


def test_lag_and_drop_off_exponent():
    # lag 1: t = 1 gives 0; t = 2 gives (1 − d)^0; t = 3 gives (1 − d)^1
    res = cb.evaluate(one(horisont_ar=3, fordrojning_ar=1, avtagande=0.5), ONE_UC)
    assert res.yearly["region"].tolist() == pytest.approx([0, 1000, 500])


def test_adjustment_chain_and_optimism_bias():
    # 1000 × (1−.2)(1−.1)(1−.25) × (1 − .1) = 486; cost 100 × 1.2 = 120
    res = cb.evaluate(one(dodvikt=0.2, undantrangning=0.1, attribution=0.25, optimism_nyttor=0.1,
                          optimism_kostnader=0.2, projektkostnad=[100]), ONE_UC)
    assert res.pv_benefits == pytest.approx(1000 * 0.8 * 0.9 * 0.75 * 0.9)
    assert res.pv_costs == pytest.approx(120)


def test_cohorts_each_start_their_own_drop_off():
    # cohorts 1 and 2 persons, d = 0.5: year 1 = 1; year 2 = 1 × 0.5 + 2 = 2.5; year 3 = 0.25 + 1 = 1.25
    res = cb.evaluate(one(deltagare=[1, 2], horisont_ar=3, avtagande=0.5), ONE_UC)
    assert res.yearly["region"].tolist() == pytest.approx([1000, 2500, 1250])


def test_break_even_share_jonkoping():
    # Jönköping (DOMAIN §7): 160 participants, 70 MSEK/yr utanförskap, project 9 MSEK, 25 % success:
    # 0.25 × 70 − 9 = 8.5 MSEK; break-even 9 / 70 ≈ 12.9 %.
    uc = unit_costs([("utanforskap", "kommun", 70_000_000 / 160, "ar", "real_resurs")])
    sc = scenario(deltagare=160, projektkostnad=[9_000_000],
                  utfall=[{"namn": "x", "andel": 0.25, "forandringar": {"utanforskap": -1}}])
    res = cb.evaluate(sc, uc)
    assert res.npv_total == pytest.approx(8_500_000)
    assert res.break_even_share == pytest.approx(9 / 70)


def test_unbalanced_transfers_raise_or_are_flagged():
    sc = multi_scenario(utfall=[{"namn": "arbete", "andel": 0.5, "forandringar": {"fs": -12, "lon": 12}}])
    with pytest.raises(cb.TransferBalanceError, match="arbete.*counter-entry"):
        cb.evaluate(sc, MULTI_UC)
    with pytest.warns(UserWarning):
        res = cb.evaluate(sc, MULTI_UC, check_transfers="warn")
    # kommun's fs saving 5 × 12 000 = 60 000 per year has no counterpart
    assert res.transfer_imbalance == pytest.approx(60_000)
    assert any("motpost" in c for c in cb.caveats(res))


def test_uprating_with_index_and_error_without():
    idx = pd.DataFrame({"ar": [2001, 2025], "index": [200.0, 250.0]})
    sc = scenario(deltagare=1, prisar=2025, utfall=[{
        "namn": "x", "andel": 1.0, "forandringar": {"offentlig_forsorjning": -1, "offentlig_forsorjning_mottagen": -1}}])
    with pytest.raises(cb.PriceYearError, match="price index"):
        cb.evaluate(sc, VUXEN_UC)
    res = cb.evaluate(sc, VUXEN_UC, index=idx)
    assert res.npv_per_actor["kommun"] == pytest.approx(8000 * 250 / 200)
    up = cb.uprate(VUXEN_UC, 2025, idx)
    assert up["belopp_sek_ursprung"].tolist() == [8000, -8000] and (up["prisar"] == 2025).all()
    with pytest.raises(cb.PriceYearError, match="2030"):
        cb.uprate(VUXEN_UC, 2030, idx)


# ------------------------------------------------------------------------------------------------
# Scenario files
# ------------------------------------------------------------------------------------------------

def test_sample_scenarios_load_and_order_pessimistic_base_optimistic():
    uc = cb.read_unit_costs(SAMPLES / "enhetskostnader.csv")
    scs = cb.load_scenarios(SAMPLES / "scenarier")
    assert list(scs) == ["Pessimistiskt", "Bas", "Optimistiskt"]
    cmp_ = cb.compare_scenarios(scs, uc)
    tot = cmp_[cmp_["aktor"] == "samhalle"].set_index("scenario")["npv"]
    assert tot["Pessimistiskt"] < tot["Bas"] < tot["Optimistiskt"]
    assert len(cmp_) == 3 * (len(cb.ACTORS) + 2)
    for sc in scs.values():   # the sample scenarios balance their transfers
        assert cb.evaluate(sc, uc).transfer_imbalance == 0


def test_sample_unit_costs_name_a_source_or_say_assumption():
    uc = cb.read_unit_costs(SAMPLES / "enhetskostnader.csv")
    assert uc["kalla"].str.contains("antagande (illustrativt)", regex=False).all()
    idx = cb.read_price_index(SAMPLES / "prisindex.csv")
    assert idx["kalla"].str.contains("illustrativt").all()


@pytest.mark.parametrize("text, match", [
    ("dodvikt: 1.2", r"bad\.yaml: key 'dodvikt' = 1.2 must be < 1"),
    ("horisont_ar: 2.5", r"bad\.yaml: key 'horisont_ar'"),
    ("finansiering: {kommun: 0.5}", r"bad\.yaml: finansiering shares must sum to 1"),
    ("finansiering: {kommunen: 1}", r"bad\.yaml: finansiering\.kommunen: unknown actor"),
    ("okand_nyckel: 1", r"bad\.yaml: unknown key"),
    ("utfall: [{namn: a, andel: 0.7, forandringar: {x: 1}}, {namn: b, andel: 0.4, forandringar: {x: 1}}]",
     r"bad\.yaml: the shares"),
    ("osakerhet: {dodvikt: {fordelning: lognormal}}", r"bad\.yaml: osakerhet\.dodvikt\.fordelning"),
    ("osakerhet: {andel:finns_inte: {fordelning: uniform, min: 0, max: 1}}", r"bad\.yaml: osakerhet"),
])
def test_invalid_scenario_file_names_file_and_key(tmp_path, text, match):
    base = {"namn": "b", "deltagare": 5, "projektkostnad": [10], "finansiering": {"kommun": 1}}
    import yaml
    d = {**base, **yaml.safe_load(text)}
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    with pytest.raises(cb.ScenarioError, match=match):
        cb.load_scenario(p)


def test_unknown_post_in_outcome_is_reported():
    sc = one(utfall=[{"namn": "a", "andel": 1.0, "forandringar": {"vardd": -1}}])
    with pytest.raises(cb.ScenarioError, match="vardd"):
        cb.evaluate(sc, ONE_UC)


# ------------------------------------------------------------------------------------------------
# Vectorised engine, tornado, Monte Carlo
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["pessimistiskt", "bas", "optimistiskt"])
def test_vectorised_engine_agrees_with_evaluate(name):
    uc = cb.read_unit_costs(SAMPLES / "enhetskostnader.csv")
    sc = cb.load_scenario(SAMPLES / "scenarier" / f"{name}.yaml")
    changes = {"dodvikt": 0.37, "avtagande": 0.11, "fordrojning_ar": 1, "deltagare": 250, "diskonteringsranta": 0.02,
               "andel:studier": 0.2, "belopp_faktor:lon_brutto+arbetsgivaravgift": 0.9, "projektkostnad_faktor": 1.3}
    draws = {k: np.array([sc.get_param(k), v]) for k, v in changes.items()}
    out = cb.npv_vectorised(sc, uc, draws)
    varied = sc
    for k, v in changes.items():
        varied = varied.with_param(k, v)
    for row, s in enumerate([sc, varied]):
        res = cb.evaluate(s, uc)
        assert out["npv"][row] == pytest.approx([res.npv_per_actor[a] for a in cb.ACTORS], abs=1e-4)
        assert out["total"][row] == pytest.approx(res.npv_total, abs=1e-4)
        assert out["offentlig"][row] == pytest.approx(res.npv_fiscal, abs=1e-4)


def test_tornado_one_at_a_time_by_hand():
    # NPV = 1000 × (1 − dw) × (1 − attr) − 100; base dw = 0.2, attr = 0.1 → 620
    sc = one(dodvikt=0.2, attribution=0.1, projektkostnad=[100])
    tor = cb.tornado(sc, ONE_UC, {"attribution": (0.0, 0.2), "dodvikt": (0.0, 0.6)})
    assert tor["parameter"].tolist() == ["dodvikt", "attribution"]   # larger span first
    row = tor.set_index("parameter").loc["dodvikt"]
    assert row["npv_bas"] == pytest.approx(620)
    assert row["npv_lag"] == pytest.approx(1000 * 0.9 - 100)
    assert row["npv_hog"] == pytest.approx(1000 * 0.4 * 0.9 - 100)
    assert tor.set_index("parameter").loc["attribution", "spann"] == pytest.approx(1000 * 0.8 * 0.2)


def test_tornado_default_range_is_5th_and_95th_percentile():
    d = cb.Distribution("triangular", {"min": 0.1, "mode": 0.2, "max": 0.6})
    ref = stats.triang(0.2, loc=0.1, scale=0.5)
    assert d.low_high() == pytest.approx((ref.ppf(0.05), ref.ppf(0.95)))
    assert cb.Distribution("uniform", {"min": 0, "max": 1}, lag=0.3, hog=0.4).low_high() == (0.3, 0.4)


def test_monte_carlo_probability_and_percentiles_match_closed_form():
    # NPV = 10 000 × (1 − dw) − 2 500 with dw ~ U(0, 1): P(NPV > 0) = P(dw < 0.75) = 0.75;
    # 5th pct of NPV at dw = 0.95: 500 − 2 500 = −2 000; 95th at dw = 0.05: 9 500 − 2 500 = 7 000.
    uc = unit_costs([("vard", "region", 10_000, "ar", "real_resurs")])
    sc = one(projektkostnad=[2_500])
    mc = cb.monte_carlo(sc, uc, n=100_000, seed=7,
                        distributions={"dodvikt": cb.Distribution("uniform", {"min": 0.0, "max": 1.0})})
    s = mc.summary.set_index("aktor")
    assert mc.p_npv_pos == pytest.approx(0.75, abs=0.01)
    assert s.at["totalt", "p05"] == pytest.approx(-2_000, abs=100)
    assert s.at["totalt", "p95"] == pytest.approx(7_000, abs=100)
    assert s.at["region", "p_npv_pos"] == pytest.approx(0.75, abs=0.01)


@pytest.mark.parametrize("dist, mean", [
    (cb.Distribution("uniform", {"min": 0.1, "max": 0.5}), 0.3),
    (cb.Distribution("triangular", {"min": 0.0, "mode": 0.3, "max": 0.6}), 0.3),
    (cb.Distribution("normal", {"mean": 0.3, "sd": 0.05}), 0.3),
    (cb.Distribution("beta", {"a": 3, "b": 7}), 0.3),
])
def test_monte_carlo_distributions_have_their_means(dist, mean):
    # NPV = 10 000 × (1 − dw): mean NPV = 10 000 × (1 − E dw) = 7 000
    uc = unit_costs([("vard", "region", 10_000, "ar", "real_resurs")])
    mc = cb.monte_carlo(one(), uc, n=50_000, seed=3, distributions={"dodvikt": dist})
    assert mc.npv["totalt"].mean() == pytest.approx(10_000 * (1 - mean), abs=40)


def test_monte_carlo_is_reproducible_with_seed_and_scales_to_100000_draws():
    uc = cb.read_unit_costs(SAMPLES / "enhetskostnader.csv")
    sc = cb.load_scenario(SAMPLES / "scenarier" / "bas.yaml")
    a = cb.monte_carlo(sc, uc, n=1000, seed=11)
    b = cb.monte_carlo(sc, uc, n=1000, seed=11)
    c = cb.monte_carlo(sc, uc, n=1000, seed=12)
    pd.testing.assert_frame_equal(a.npv, b.npv)
    assert not a.npv.equals(c.npv)
    big = cb.monte_carlo(sc, uc, n=100_000, seed=1)  # speed is measured in `make bench`, not here
    assert len(big.npv) == 100_000
    assert set(big.summary.columns) >= {"aktor", "p05", "p50", "p95", "p_npv_pos"}


def test_monte_carlo_band_does_not_shrink_with_horizon():
    # DOMAIN §7: uncertainty must not shrink with the horizon
    uc = cb.read_unit_costs(SAMPLES / "enhetskostnader.csv")
    sc = cb.load_scenario(SAMPLES / "scenarier" / "bas.yaml")
    widths = []
    for h in (1, 3, 5, 10):
        s = cb.monte_carlo(cb.Scenario(**{**sc.__dict__, "horisont_ar": h}), uc, n=5000, seed=2).summary
        row = s.set_index("aktor").loc["totalt"]
        widths.append(row["p95"] - row["p05"])
    assert widths == sorted(widths)


# ------------------------------------------------------------------------------------------------
# Board output: headline, figures, widgets
# ------------------------------------------------------------------------------------------------

def test_headline_is_json_serialisable_with_documented_keys():
    res = cb.evaluate(multi_scenario(), MULTI_UC)
    mc = cb.monte_carlo(multi_scenario(osakerhet={"dodvikt": {"fordelning": "uniform", "min": 0, "max": 0.5}}),
                        MULTI_UC, n=500, seed=1)
    h = cb.headline(res, mc, cb.compare_scenarios({"a": multi_scenario()}, MULTI_UC))
    for key in ("npv_total", "npv_offentlig", "npv_per_aktor", "bcr", "payback_month", "p_npv_pos",
                "break_even_andel", "forlorare", "npv_p05", "npv_per_scenario"):
        assert key in h
    assert h["npv_total"] == pytest.approx(100_000) and h["payback_month"] == 15
    json.dumps(to_jsonable(h))


def test_figures_use_actor_colours_and_mark_payback():
    res = cb.evaluate(multi_scenario(), MULTI_UC)
    bars = cb.figure_actor_npv(res)
    assert isinstance(bars, go.Figure)
    assert ACTOR_COLORS["forsakringskassan"] in bars.data[0].marker.color
    cum = cb.figure_cumulative(res)
    assert any(s.x0 == 15 for s in cum.layout.shapes)
    tor = cb.figure_tornado(cb.tornado(res.scenario, MULTI_UC, {"dodvikt": (0, 0.5), "avtagande": (0, 0.3)}))
    assert len(tor.data) == 2 and len(tor.data[0].y) == 2
    mcf = cb.figure_monte_carlo(cb.monte_carlo(res.scenario, MULTI_UC, n=200, seed=1, distributions={
        "dodvikt": cb.Distribution("uniform", {"min": 0.0, "max": 0.5})}), lang="en")
    assert isinstance(mcf, go.Figure)
    # both panels carry axis titles (the histogram counts draws of the societal NPV, in millions)
    assert mcf.layout.xaxis.title.text == "Net present value (MSEK)"
    assert mcf.layout.yaxis.title.text == "Number of draws"
    assert mcf.layout.yaxis2.title.text == "Net present value (MSEK)"
    # kronor axes are labelled in Mkr by the workbench, never with plotly's SI suffix ("15M")
    assert all("M" not in tx for tx in mcf.layout.xaxis.ticktext)
    assert isinstance(cb.figure_compare(cb.compare_scenarios([res.scenario], MULTI_UC)), go.Figure)


def test_summary_table_is_labelled_in_swedish_and_english():
    res = cb.evaluate(multi_scenario(), MULTI_UC)
    assert t("costbenefit.npv") in cb.summary_table(res).columns
    assert "Net present value (SEK)" in cb.summary_table(res, "en").columns


def test_scenario_widgets_recompute_on_slider_change():
    sc = multi_scenario()
    box = cb.scenario_widgets(sc, MULTI_UC)
    assert box.result.npv_total == pytest.approx(100_000)
    box.controls["dodvikt"].value = 0.5
    # real benefits halve: 250 000 × 0.5 − 150 000 = −25 000
    assert box.result.npv_total == pytest.approx(-25_000)
    box.controls["horisont_ar"].value = 1
    assert box.result.npv_total == pytest.approx(125_000 * 0.5 - 150_000)
    box.controls["andel:arbete"].value = 1.0
    assert box.result.npv_total == pytest.approx(250_000 * 0.5 - 150_000)
    assert "<table>" in box.children[0].children[1].value


def test_board_table_formats_kronor_shares_and_loser_flag():
    # -2 180 424.59 kr rounds to "-2 180 425"; break-even 0.2012 -> "20,1 %"; no payback -> the label;
    # the loser flag reads Ja; a tornado assumption "andel:arbete" reads "Andel som lyckas: arbete".
    df = pd.DataFrame({"aktor": ["forsakringskassan", "samhalle"], "npv": [-2180424.59, 12784945.6],
                       "aterbetalningsmanad": [pd.NA, 19], "break_even_andel": [0.2012, 0.5],
                       "forlorare": [True, False]})
    tab = cb.board_table(df)
    assert tab.iloc[0].tolist() == ["Försäkringskassan", "\u22122\u202f180\u202f425", t("costbenefit.no_payback"), "20,1\xa0%", "Ja"]
    assert tab.iloc[1].tolist() == [t("costbenefit.samhalle"), "12\u202f784\u202f946", "19", "50,0\xa0%", "Nej"]
    assert list(tab.columns)[1] == "Nettonuvärde (kr)"
    tor = cb.board_table(pd.DataFrame({"parameter": ["andel:arbete"], "bas": [0.18]}), lang="en")
    assert tor.iloc[0].tolist() == ["Share who succeed: arbete", "0.18"]
