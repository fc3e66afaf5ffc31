"""Smoke test of the benchmark suite on tiny sizes: it runs and writes a table and JSON with ratios.

No timing is asserted here (speed targets belong to ``make bench``, BENCHMARKS.md); the test pins
that every figure is measured against its baseline and that the baselines compute the same thing
as the code they are compared with.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from evaluation import bench

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


def _read(out: Path) -> tuple[dict, str]:
    return json.loads((out / "bench.json").read_text(encoding="utf-8")), (out / "bench.md").read_text(encoding="utf-8")


def test_quick_bench_writes_json_and_table_with_ratios_and_agreeing_baselines(tmp_path, capsys):
    out = tmp_path / "res"
    assert bench.main(["--quick", "--only", "kasam,montecarlo,xlsx", "--out", str(out), "--root", str(ROOT)]) == 0
    doc, table = _read(out)
    by = {r["name"]: r for r in doc["results"]}
    assert set(by) == {"kasam", "montecarlo", "xlsx"}
    for r in by.values():
        assert r["value"] > 0 and r["baseline_value"] > 0
        # speed-ups are baseline / value; figures against a floor are value / floor
        expected = r["value"] / r["baseline_value"] if r["ratio_kind"] == "of_floor" else r["baseline_value"] / r["value"]
        assert r["ratio"] == pytest.approx(expected)
        assert r["met"] in (True, False) and r["target"]
        assert r["label"] in table and r["target"] in table
    assert by["xlsx"]["ratio_kind"] == "of_floor" and "golv" in by["xlsx"]["baseline"]
    # the row-by-row and per-draw baselines give the same numbers as the vectorised code
    assert by["kasam"]["details"]["agree_on_subsample"] is True
    assert by["montecarlo"]["details"]["agree_on_subsample"] is True
    # every generated XLSX row is accepted and the calamine floor read the same number of data rows
    assert by["xlsx"]["details"]["rows_accepted"] == by["xlsx"]["details"]["baseline_rows"] == 400
    m = doc["machine"]
    assert m["cores"] >= 1 and m["cpu"] and m["python"] and m["packages"]["pandas"]
    assert f"{m['cores']} kärnor" in table
    assert "| Mått | Värde |" in capsys.readouterr().out


def test_row_by_row_loop_scores_hand_worked_respondents():
    # DOMAIN.md §4.1: item 1 is reverse-keyed (8 − x) and in begriplighet (11 items); hanterbarhet
    # has 10 items, meningsfullhet 8 (4, 7, 8, 11, 14, 16, 22, 28). All items 4, item 1 answered 7:
    # begriplighet = 10 × 4 + (8 − 7) = 41, hanterbarhet = 40, meningsfullhet = 32, total = 113.
    import pandas as pd

    row = {f"soc29_{i}": 4.0 for i in range(1, 30)}
    row["soc29_1"] = 7.0
    df = pd.DataFrame([row]).assign(formversion="sv")
    assert bench._score_loop(df)[0].tolist() == [41.0, 40.0, 32.0, 113.0]
    # one of 8 meningsfullhet items missing (≤ floor(0.2 × 8) = 1): prorated 8 × mean = 32;
    # two missing: meningsfullhet and the total are missing
    one = df.assign(soc29_8=float("nan"))
    assert bench._score_loop(one)[0].tolist() == [41.0, 40.0, 32.0, 113.0]
    two = one.assign(soc29_22=float("nan"))
    got = bench._score_loop(two)[0]
    assert got[:2].tolist() == [41.0, 40.0] and pd.isna(got[2]) and pd.isna(got[3])


@pytest.mark.notebook
def test_batch_bench_on_a_tiny_project_measures_runner_overhead_and_report_size(tmp_path):
    root = tmp_path / "proj"
    (root / "parametrized_runs").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "data").mkdir()
    (root / "data" / "data.csv").write_text("id,varde\n1,2\n3,4\n", encoding="utf-8")
    (root / "data" / "datakatalog.yaml").write_text("version: 1\nfiler: []\n", encoding="utf-8")
    shutil.copy(FIXTURES / "ok.ipynb", root / "notebooks" / "ok.ipynb")
    rf = root / "parametrized_runs" / "liten.yaml"
    rf.write_text(yaml.safe_dump({"name": "liten", "data_dir": "data", "notebooks": [
        {"notebook": "notebooks/ok.ipynb", "parameters": {"antal": 1}},
        {"notebook": "notebooks/ok.ipynb", "name": "tva", "parameters": {"antal": 2}}]}), encoding="utf-8")
    doc = bench.run_all(root, tmp_path / "res", only=("batch", "report_size"), sizes=bench.Sizes.quick(),
                        runfiles=[rf], jobs=2, timeout=120, log=lambda s: None)
    by = {r["name"]: r for r in doc["results"]}
    assert set(by) == {"batch", "overhead", "report_size"}
    batch = by["batch"]
    assert batch["details"]["all_ok"] is True, batch["details"]
    assert batch["details"]["runs"] == 2
    # the floor is the warm-kernel compute of both runs divided by the 2 jobs
    assert batch["baseline_value"] == pytest.approx(batch["details"]["sum_compute_s"] / 2)
    assert batch["ratio"] == pytest.approx(batch["value"] / batch["baseline_value"])
    # the warm-kernel compute reproduces the runner's headline results
    assert batch["details"]["results_identical"] is True
    # the batch ran on forked kernels and on ordinary warm kernels; both finished
    assert batch["details"]["ordinary_warm_kernels_s"] > 0
    over = by["overhead"]
    assert over["baseline_value"] == pytest.approx(batch["details"]["sum_compute_s"] / 2)
    assert over["value"] == pytest.approx((2 * batch["value"] - batch["details"]["sum_compute_s"]) / 2)
    size = by["report_size"]
    assert size["details"]["plotlyjs_embedded"] == 1 and size["details"]["figures"] >= 1
    assert size["value"] > size["details"]["plotlyjs_mb"]
    assert (tmp_path / "res" / "bench.md").read_text(encoding="utf-8").count("\n| ") == 3


def test_quick_columnar_and_scaling_benches_account_for_every_row(tmp_path):
    out = tmp_path / "res"
    assert bench.main(["--quick", "--only", "columnar,scaling", "--out", str(out), "--root", str(ROOT)]) == 0
    doc, table = _read(out)
    by = {r["name"]: r for r in doc["results"]}
    for fmt in ("parquet", "csv"):
        r = by[f"import_{fmt}"]
        assert r["details"]["rows_accepted"] == r["details"]["floor_rows"] == 2_000
        assert r["ratio"] == pytest.approx(r["value"] / r["baseline_value"])
    sc = by["scaling"]
    # two nation sizes (1 and 2 förbund) measured with 4 000 episodes per förbund
    assert [p["episodes"] for p in sc["details"]["points"]] == [4_000, 8_000]
    assert sc["details"]["exponents"], sc["details"]
