"""Executes notebooks/samhallsekonomi.ipynb with papermill on the samples and checks its headline results
against the package computed independently on the same inputs (same seed → same Monte Carlo draws)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation import costbenefit as cb
from evaluation import io

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks" / "samhallsekonomi.ipynb"
DATA = ROOT / "data_samples"


@pytest.mark.notebook
def test_notebook_records_headline_results(tmp_path):
    import papermill as pm

    results_path = tmp_path / "results.json"
    pm.execute_notebook(str(NB), str(tmp_path / "out.ipynb"), kernel_name="evaluation", cwd=str(NB.parent),
                        parameters={"results_path": str(results_path), "mc_draws": 3000, "seed": 5,
                                    "horisont_ar": 6}, progress_bar=False)
    got = json.loads(results_path.read_text(encoding="utf-8"))

    uc = io.load_unit_costs(DATA / "enhetskostnader.csv").data
    idx = cb.read_price_index(DATA / "prisindex.csv")
    sc = cb.load_scenario(DATA / "scenarier" / "bas.yaml").with_param("horisont_ar", 6)
    res = cb.evaluate(sc, uc, index=idx)
    mc = cb.monte_carlo(sc, uc, n=3000, seed=5, index=idx)
    assert got["horisont_ar"] == 6
    assert got["npv_total"] == pytest.approx(res.npv_total)
    assert got["npv_offentlig"] == pytest.approx(res.npv_fiscal)
    assert got["npv_per_aktor"] == pytest.approx(res.npv_per_actor)
    assert got["bcr"] == pytest.approx(res.bcr)
    assert got["payback_month"] == res.payback_month
    assert got["forlorare"] == res.losers
    assert got["p_npv_pos"] == pytest.approx(mc.p_npv_pos)
    assert got["npv_p05"] == pytest.approx(float(mc.summary.set_index("aktor").at["totalt", "p05"]))
    scs = cb.load_scenarios(DATA / "scenarier")
    assert got["npv_per_scenario"] == pytest.approx({n: cb.evaluate(s, uc, index=idx).npv_total
                                                     for n, s in scs.items()})
