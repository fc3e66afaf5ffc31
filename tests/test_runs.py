"""The papermill batch runner: validation, isolation of failures, retry, manifest, atomicity, privacy gate."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

import pytest
import yaml

from evaluation import runs, snapshots

pytestmark = pytest.mark.notebook
FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
# A checksum-valid but fictitious personnummer (Skatteverket test-number style), planted on purpose.
PLANTED = "19811228-9874"


def _project(tmp_path: Path, data: str = "id,varde\n1,2\n3,4\n") -> Path:
    root = tmp_path / "proj"
    (root / "parametrized_runs").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "data").mkdir()
    (root / "data" / "data.csv").write_text(data, encoding="utf-8")
    (root / "data" / "datakatalog.yaml").write_text("version: 1\nfiler: []\n", encoding="utf-8")
    for nb in FIXTURES.glob("*.ipynb"):
        shutil.copy(nb, root / "notebooks" / nb.name)
    return root


def _runfile(root: Path, name: str, notebooks: list, params: dict | None = None) -> Path:
    doc = {"name": name, "titel": f"Test {name}", "data_dir": "data", "parameters": params or {},
           "notebooks": notebooks}
    path = root / "parametrized_runs" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_unknown_parameter_is_rejected_before_execution(tmp_path):
    root = _project(tmp_path)
    with pytest.raises(runs.ParameterError, match="unknown parameter 'antl'"):
        runs.validate_parameters(root / "notebooks" / "ok.ipynb", {"antl": 3})


def test_wrong_parameter_type_is_rejected_with_the_declared_type(tmp_path):
    root = _project(tmp_path)
    with pytest.raises(runs.ParameterError, match=r"'antal' must be int, got str '3'"):
        runs.validate_parameters(root / "notebooks" / "ok.ipynb", {"antal": "3"})
    with pytest.raises(runs.ParameterError, match="must be int, got bool"):
        runs.validate_parameters(root / "notebooks" / "ok.ipynb", {"antal": True})


def test_runfile_errors_name_the_file_and_key(tmp_path):
    root = _project(tmp_path)
    bad = root / "parametrized_runs" / "bad.yaml"
    bad.write_text("name: bad\nnotebook: x\n", encoding="utf-8")
    with pytest.raises(runs.RunFileError, match=r"bad.yaml: unknown key\(s\) \['notebook'\]"):
        runs.load_runfile(bad)
    missing = _runfile(root, "missing", [{"notebook": "notebooks/nope.ipynb"}])
    with pytest.raises(runs.RunFileError, match="missing.yaml: notebooks\\[0\\]: notebook notebooks/nope.ipynb does not exist"):
        runs.load_runfile(missing)


def test_batch_with_failing_and_timing_out_runs_isolates_them_and_retry_reruns_only_those(tmp_path):
    root = _project(tmp_path)
    rf = _runfile(root, "batch", [
        {"notebook": "notebooks/ok.ipynb", "parameters": {"antal": 7}},
        {"notebook": "notebooks/fail.ipynb"},
        {"notebook": "notebooks/slow.ipynb"},
        {"notebook": "notebooks/ok.ipynb", "name": "typfel", "parameters": {"antal": "sju"}},
    ])
    target, manifest = runs.run_snapshot([rf], out=tmp_path / "snaps" / "s1", timeout=20, progress=False)
    status = {r["name"]: r for r in manifest["runs"]}
    assert status["batch/ok"]["status"] == "ok"
    assert status["batch/fail"]["status"] == "failed"
    assert "avsiktligt fel i testet" in status["batch/fail"]["error"]
    assert status["batch/slow"]["status"] == "timeout"
    assert status["batch/typfel"]["status"] == "failed"
    assert "ParameterError" in status["batch/typfel"]["error"]
    assert manifest["status"] == "incomplete"
    # the partial notebooks of the failure and of the timeout are kept, their HTML/results are not produced
    assert (target / "batch__fail" / "notebook.ipynb").exists()
    slow_nb = json.loads((target / "batch__slow" / "notebook.ipynb").read_text(encoding="utf-8"))
    tags = [t for c in slow_nb["cells"] for t in c.get("metadata", {}).get("tags", [])]
    assert "injected-parameters" in tags  # the executed notebook, not the input
    assert slow_nb["cells"][-1]["metadata"]["papermill"]["start_time"]  # the cell that timed out had started
    assert not (target / "batch__slow" / "rapport.html").exists()
    assert not (target / "batch__fail" / "rapport.html").exists()
    # the good run has everything, and its results are the notebook's values
    ok = target / "batch__ok"
    assert {"notebook.ipynb", "rapport.html", "results.json", "parameters.json", "run.log"} <= {p.name for p in ok.iterdir()}
    assert json.loads((ok / "results.json").read_text()) == {"antal": 7, "rader": 3, "forbund": ""}
    html = (ok / "rapport.html").read_text(encoding="utf-8")
    assert "Testrapport" in html and 'lang="sv"' in html
    assert "evaluation.results.save" not in html, "code must not be visible in the report"
    assert "plotly" in html.lower() and '"type":"bar"' in html.replace(" ", "")
    # CLI exit code is non-zero for an incomplete snapshot
    # retry: fix the notebooks on disk, rerun only failed runs into the same snapshot
    shutil.copy(root / "notebooks" / "ok.ipynb", root / "notebooks" / "fail.ipynb")
    shutil.copy(root / "notebooks" / "ok.ipynb", root / "notebooks" / "slow.ipynb")
    ok_mtime = (ok / "results.json").stat().st_mtime_ns
    rf.write_text(rf.read_text().replace("antal: sju", "antal: 8"), encoding="utf-8")
    target2, manifest2 = runs.retry_failed(target, timeout=30, progress=False)
    assert target2 == target
    st = {r["name"]: r for r in manifest2["runs"]}
    assert all(st[n]["status"] == "ok" for n in ("batch/ok", "batch/fail", "batch/slow")), st
    # the retry reads the run file stored in the snapshot, not the edited one: 'sju' still fails
    assert st["batch/typfel"]["status"] == "failed" and st["batch/typfel"]["attempt"] == 2
    assert st["batch/typfel"]["parameters"]["antal"] == "sju"
    assert st["batch/fail"]["attempt"] == 2 and st["batch/ok"]["attempt"] == 1
    assert (ok / "results.json").stat().st_mtime_ns == ok_mtime, "successful runs are not rerun"
    assert (target / ".attempts" / "batch__fail.attempt1" / "notebook.ipynb").exists()
    assert manifest2["status"] == "incomplete"


def test_complete_snapshot_is_read_only_and_refuses_a_retry(tmp_path):
    root = _project(tmp_path)
    rf = _runfile(root, "klar", [{"notebook": "notebooks/ok.ipynb"}])
    target, manifest = runs.run_snapshot([rf], out=tmp_path / "snaps" / "klar", timeout=60, progress=False)
    assert manifest["status"] == "complete"
    assert not (target / "manifest.json").stat().st_mode & stat.S_IWUSR
    with pytest.raises(runs.SnapshotError, match="never modified"):
        runs.retry_failed(target, progress=False)


def test_manifest_records_parameters_hashes_version_and_commit(tmp_path, monkeypatch):
    root = _project(tmp_path)
    rf = _runfile(root, "norrdal", [{"notebook": "notebooks/ok.ipynb"}], params={"forbund": "Norrdal"})
    monkeypatch.chdir(tmp_path)  # a relative --out must still collect results (the kernel runs elsewhere)
    target, manifest = runs.run_snapshot([rf], out="snaps/s2", timeout=60, progress=False)
    assert (target / "norrdal__ok" / "results.json").exists()
    assert manifest["status"] == "complete"
    run = manifest["runs"][0]
    assert run["parameters"]["forbund"] == "Norrdal"
    assert run["parameters"]["data_dir"] == str((root / "data").resolve())
    assert run["duration_s"] > 0
    data_file = str((root / "data" / "data.csv").resolve())
    expected = hashlib.sha256((root / "data" / "data.csv").read_bytes()).hexdigest()
    assert manifest["inputs"][data_file] == expected
    assert data_file in run["input_files"]
    assert str((root / "notebooks" / "ok.ipynb").resolve()) in manifest["inputs"]
    assert manifest["package_version"] == __import__("evaluation").__version__
    assert manifest["git_commit"]  # 'unknown' outside a git work tree is still recorded
    assert (target / "runfiles" / "norrdal.yaml").exists()
    json.loads((target / "norrdal__ok" / "parameters.json").read_text())
    # history reads the results back
    hist = snapshots.history(tmp_path / "snaps")
    row = hist[(hist["key"] == "antal")]
    assert row["value_num"].tolist() == [3.0] and row["forbund"].tolist() == ["Norrdal"]


def test_existing_snapshot_is_never_overwritten_and_partial_folders_are_invisible(tmp_path):
    root = _project(tmp_path)
    rf = _runfile(root, "x", [{"notebook": "notebooks/ok.ipynb"}])
    (tmp_path / "snaps" / "s3").mkdir(parents=True)
    with pytest.raises(runs.SnapshotError, match="exists already"):
        runs.run_snapshot([rf], out=tmp_path / "snaps" / "s3", progress=False)
    (tmp_path / "snaps" / ".s4.partial").mkdir()
    (tmp_path / "snaps" / ".s4.partial" / "manifest.json").write_text("{}")
    assert snapshots.list_snapshots(tmp_path / "snaps") == []


def test_personnummer_planted_in_a_sample_stops_its_run(tmp_path):
    root = _project(tmp_path, data=f"id,anteckning\n1,kontakt {PLANTED}\n")
    rf = _runfile(root, "leak", [{"notebook": "notebooks/leak.ipynb"}, {"notebook": "notebooks/ok.ipynb"}])
    target, manifest = runs.run_snapshot([rf], out=tmp_path / "snaps" / "s5", timeout=60, progress=False)
    st = {r["name"]: r for r in manifest["runs"]}
    assert st["leak/leak"]["status"] == "privacy"
    assert st["leak/ok"]["status"] == "ok"
    folder = target / "leak__leak"
    assert not (folder / "rapport.html").exists() and not (folder / "results.json").exists()
    everything = "".join(p.read_text(encoding="utf-8", errors="replace") for p in target.rglob("*") if p.is_file())
    assert PLANTED not in everything and PLANTED.replace("-", "")[2:] not in everything


def test_parallel_jobs_and_dask_localcluster_produce_the_same_layout(tmp_path):
    root = _project(tmp_path)
    rf = _runfile(root, "par", [{"notebook": "notebooks/ok.ipynb", "parameters": {"antal": 1}},
                                {"notebook": "notebooks/ok.ipynb", "name": "tva", "parameters": {"antal": 2}}])
    t_proc, m_proc = runs.run_snapshot([rf], out=tmp_path / "snaps" / "proc", jobs=2, timeout=60, progress=False)
    t_dask, m_dask = runs.run_snapshot([rf], out=tmp_path / "snaps" / "dask", jobs=2, timeout=60,
                                       executor="dask", progress=False)
    layout = lambda t: sorted(str(p.relative_to(t)) for p in t.rglob("*") if p.is_file())  # noqa: E731
    assert layout(t_proc) == layout(t_dask)
    for t in (t_proc, t_dask):
        assert json.loads((t / "par__tva" / "results.json").read_text())["antal"] == 2
    assert [r["status"] for r in m_dask["runs"]] == ["ok", "ok"]


def test_a_snapshot_over_several_data_folders_writes_one_protected_set_per_folder_that_its_runs_read(
        tmp_path, monkeypatch):
    """A national snapshot (one data folder per förbund): every folder's table set, NNS and focus-group
    tables are protected before the runs and written under ``tabelluppsattningar/<folder_key>/``; a
    run's kernel (cwd ``.staging/<run>/``) reads its own folder's, never another's."""
    import pandas as pd

    from evaluation import nation, surveytables, tableset

    nation.generate_nation(tmp_path / "nat", seed=3, n_forbund=2, episodes=900, responses=500, segments=40)
    specs = [s for rf in sorted((tmp_path / "nat" / "parametrized_runs").glob("*.yaml"))
             for s in runs.load_runfile(rf)]
    dirs = sorted({str(Path(s.data_dir).resolve()) for s in specs})
    assert len(dirs) == 2
    staging = tmp_path / "snap" / ".staging"
    staging.mkdir(parents=True)
    info = runs.write_tableset(specs, staging, jobs=2)
    assert set(info["datamappar"]) == {tableset.folder_key(d) for d in dirs}
    assert not (staging / tableset.FILENAME).exists()  # no set of all folders mixed together
    (staging / "run1").mkdir()
    monkeypatch.delenv(tableset.ENV, raising=False)
    monkeypatch.chdir(staging / "run1")
    assert tableset.current() is None  # without its data folder a run protects its own data
    for d in dirs:
        entry = info["datamappar"][tableset.folder_key(d)]
        ts = tableset.current(d)
        assert ts is not None and entry["fil"] == tableset.FILENAME
        forbund = set(ts.cells["forbund"]) - {tableset.TOTAL}
        own = set(pd.read_csv(Path(d) / "episoder.csv", usecols=["forbund"])["forbund"])
        assert forbund == own and len(own) == 1  # this folder's förbund only
        # the same cells and statuses as protecting the folder on its own (as an evaluator's notebook does)
        alone = tableset.for_data_dir(d)
        cols = ["matt", *tableset.DIMENSIONS]
        pd.testing.assert_frame_equal(ts.cells[cols].reset_index(drop=True), alone.cells[cols].reset_index(drop=True))
        shown = (alone.cells["status"] == tableset.PUBLISHED).to_numpy()
        assert ((ts.cells["status"] == tableset.PUBLISHED).to_numpy() == shown).all() and 0 < shown.sum() < len(shown)
        assert ts.cells["n"].to_numpy()[shown].tolist() == alone.cells["n"].to_numpy()[shown].tolist()
        assert ts.cells["n"][~shown].isna().all()  # the file holds no hidden count
        assert entry["celler"] == len(alone.cells)
        nns = surveytables.current("nns", d)
        assert nns is not None and set(nns.cells["forbund"]) - {tableset.TOTAL} == own
        assert "nns" in entry and "fil" in entry["nns"]
