"""Hostile notebooks against the run gate: nothing identifying is published, nothing lands in the repository.

One snapshot (module fixture) runs a notebook per attack; each writes a fictitious personnummer
(valid ``811228-9874`` or a near miss) in another format or place. Expected outcome per run is
stated in ``ATTACKS``; the published snapshot is then read byte by byte, archives opened, with a
check independent of the gate (plain regular expressions over the digits).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from evaluation import privacy, runs

pytestmark = pytest.mark.notebook

REPO = Path(__file__).resolve().parents[1]
PARAMS = 'data_dir: str = "../data"  # data folder\nresults_path: str = ""  # set by the runner\n'

# name -> (code of the hostile cell, expected status)
ATTACKS = {
    "parquet": ("import pandas as pd\npd.DataFrame({'pnr': ['19811228-9874'], 'n': [8112289874]}).to_parquet('uttag.parquet')",
                "privacy"),
    "yaml": ("open('uttag.yaml', 'w').write('pnr: \"\\\\x38\\\\x31\\\\x31\\\\x32\\\\x32\\\\x38-9874\"\\nn: 8112289874\\n')",
             "privacy"),
    "xml": ("open('bilaga.xml', 'w').write('<a><b>&#56;&#49;&#49;&#50;&#50;&#56;&#45;&#57;&#56;&#55;&#52;</b></a>')",
            "privacy"),
    "csvgz": ("import gzip\nwith gzip.open('underlag.csv.gz', 'wt') as f:\n    f.write('id,pnr\\n1,811228.9874\\n')",
              "privacy"),
    "pickle": ("import pickle\npickle.dump({'pnr': '811228-9874'}, open('underlag.pkl', 'wb'))", "privacy"),
    "png": ("import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
            "ax.set_title('811228-9874')\nfig.savefig('figur.png')", "privacy"),
    "relativ": ("import os\nos.makedirs('ut', exist_ok=True)\nopen('ut/export.csv', 'w').write('pnr\\n19811228-98745\\n')\n"
                "open('relativ.txt', 'w').write('ren')", "privacy"),
    "utdata": ("print('kontakt 811228.9874')", "privacy"),
    "widget": ("import ipywidgets as w\nw.Text(value='19811228-' + str(98740 + 5))", "privacy"),
    "html": ("from IPython.display import HTML\nHTML('<td>811228&#8209;9874</td>')", "privacy"),
    "docx": ("import docx\nd = docx.Document()\np = d.add_paragraph('Deltagare ')\np.add_run('811228-')\n"
             "p.add_run('9874')\nd.save('slutrapport.docx')", "privacy"),
    "xlsx": ("import openpyxl\nwb = openpyxl.Workbook()\nwb.active.append(['id', 8112289874])\nwb.save('export.xlsx')",
             "privacy"),
    "zip": ("import zipfile\nwith zipfile.ZipFile('paket.zip', 'w') as z:\n    z.writestr('inre/lista.csv', 'pnr\\n811228 9874\\n')",
            "privacy"),
    "ren": ("open('export.csv', 'w').write('datum,antal\\n2024-01-31,12\\n')", "ok"),
}
# a separate run file allows pictures: its clean PNG is published unread
ALLOWED_PNG = ("import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
               "ax.plot([1, 2], [3, 4])\nfig.savefig('figur.png')")

VALID_RE = re.compile(rb"811228\D{0,3}9874|8112289874|890102\D{0,3}3286")
NEAR_RE = re.compile(rb"811228[.\s/-]{0,3}9874|19811228\D{0,3}98745")


def _nb(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell(PARAMS)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p, nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "evaluation", "language": "python", "display_name": "Python (evaluation)"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, str(path))
    return path


def _project(root: Path) -> Path:
    (root / "parametrized_runs").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "data").mkdir()
    (root / "data" / "data.csv").write_text("id,varde\n1,2\n", encoding="utf-8")
    (root / "data" / "datakatalog.yaml").write_text("version: 1\nfiler: []\n", encoding="utf-8")
    for name, (code, _) in ATTACKS.items():
        _nb(root / "notebooks" / f"{name}.ipynb", code)
    _nb(root / "notebooks" / "bild.ipynb", ALLOWED_PNG)
    return root


def _tree(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_size for p in root.rglob("*") if p.is_file()}


def _all_bytes(path: Path) -> list[tuple[str, bytes]]:
    """Every file's bytes, archives opened (independent of the gate's readers)."""
    out = []
    for p in sorted(path.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        out.append((str(p), data))
        if p.suffix == ".gz":
            out.append((str(p) + "!", gzip.decompress(data)))
        if zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                out += [(f"{p}!{n}", z.read(n)) for n in z.namelist()]
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("gate")
    root = _project(base / "proj")
    rf = root / "parametrized_runs" / "angrepp.yaml"
    rf.write_text(yaml.safe_dump({"name": "angrepp", "data_dir": "data",
                                  "notebooks": [{"notebook": f"notebooks/{n}.ipynb"} for n in ATTACKS]}),
                  encoding="utf-8")
    rf2 = root / "parametrized_runs" / "bilder.yaml"
    rf2.write_text(yaml.safe_dump({"name": "bilder", "data_dir": "data", "allow_unscanned": ["*.png"],
                                   "notebooks": [{"notebook": "notebooks/bild.ipynb"}]}), encoding="utf-8")
    rf3 = root / "parametrized_runs" / "param.yaml"  # a personnummer as a parameter value
    rf3.write_text(yaml.safe_dump({"name": "param", "data_dir": "data",
                                   "notebooks": [{"notebook": "notebooks/ren.ipynb", "name": "pnr_i_parameter"}],
                                   }) .replace("notebooks:", "beskrivning: ring 811228-9874\nnotebooks:"),
                   encoding="utf-8")
    repo_before = _tree(root)
    target, manifest = runs.run_snapshot([rf, rf2, rf3], out=base / "snaps" / "s", timeout=120, progress=False)
    return {"root": root, "target": target, "manifest": manifest, "repo_before": repo_before, "base": base}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_each_attack_gets_the_expected_status_and_flagged_runs_are_quarantined(hostile, name):
    runs_ = {r["name"]: r for r in hostile["manifest"]["runs"]}
    rec = runs_[f"angrepp/{name}"]
    assert rec["status"] == ATTACKS[name][1], rec["error"]
    folder = hostile["target"] / f"angrepp__{name}"
    if rec["status"] == "privacy":
        assert not folder.exists(), "a flagged run folder is not published"
        assert rec["files"] == [] and rec["findings"]
        assert rec["quarantine"].startswith(".karantan/s/")
        q = hostile["base"] / "snaps" / rec["quarantine"]
        assert q.is_dir() and (q.stat().st_mode & 0o077) == 0 or (q.parent.stat().st_mode & 0o077) == 0
        assert "karantän" in rec["error"]
    else:
        assert folder.is_dir() and (folder / "export.csv").exists() and (folder / "rapport.html").exists()


@pytest.mark.parametrize("name, file", [("parquet", "uttag.parquet"), ("yaml", "uttag.yaml"), ("xml", "bilaga.xml"),
                                        ("csvgz", "underlag.csv.gz"), ("pickle", "underlag.pkl"), ("png", "figur.png"),
                                        ("relativ", "ut/export.csv"), ("docx", "slutrapport.docx"),
                                        ("xlsx", "export.xlsx"), ("zip", "paket.zip"), ("widget", "notebook.ipynb"),
                                        ("utdata", "notebook.ipynb"), ("html", "notebook.ipynb")])
def test_the_snapshot_says_which_run_and_which_file_with_the_number_masked(hostile, name, file):
    rec = {r["name"]: r for r in hostile["manifest"]["runs"]}[f"angrepp/{name}"]
    files = {f["file"] for f in rec["findings"]}
    assert file in files, rec["findings"]
    assert file in rec["error"] or name in ("widget", "utdata", "html")
    hit = [f for f in rec["findings"] if f["file"] == file][0]
    assert hit["masked"] in ("******-****", "")  # "" for a file the gate cannot read
    if name in ("pickle", "png"):
        assert hit["kind"] == privacy.UNREADABLE and "inte kan läsa" in rec["error"]


def test_a_personnummer_in_the_run_file_quarantines_the_run_and_its_copy(hostile):
    rec = {r["name"]: r for r in hostile["manifest"]["runs"]}["param/pnr_i_parameter"]
    assert rec["status"] == "ok"  # the description is not a parameter; the copy of the run file is the leak
    assert "param.yaml" in hostile["manifest"].get("quarantined_runfiles", [])
    assert not (hostile["target"] / "runfiles" / "param.yaml").exists()


def test_allowed_pictures_are_published_unread(hostile):
    rec = {r["name"]: r for r in hostile["manifest"]["runs"]}["bilder/bild"]
    assert rec["status"] == "ok", rec["error"]
    assert (hostile["target"] / "bilder__bild" / "figur.png").read_bytes()[:4] == b"\x89PNG"


def test_no_personnummer_valid_or_near_miss_in_any_published_byte(hostile):
    target = hostile["target"]
    for name, data in _all_bytes(target):
        assert not VALID_RE.search(data), name
        assert not NEAR_RE.search(data), name
    # and the gate itself finds nothing left in what is published (the PNG is allowed)
    assert privacy.scan_outputs(target, allow=["bilder__bild/figur.png"]).empty
    # the manifest names every flagged run, numbers masked
    text = (target / "manifest.json").read_text(encoding="utf-8")
    assert text.count("******-****") >= 10


def test_nothing_written_into_the_repository_by_a_run(hostile):
    root = hostile["root"]
    after = _tree(root)
    assert after == hostile["repo_before"], set(after) ^ set(hostile["repo_before"])
    assert not (root / "notebooks" / "relativ.txt").exists()
    # the real repository neither: no file named like the hostile outputs appeared in it
    for name in ("uttag.parquet", "uttag.yaml", "bilaga.xml", "underlag.csv.gz", "underlag.pkl", "figur.png",
                 "relativ.txt", "paket.zip"):
        assert not list(REPO.glob(f"**/{name}")), name


def test_evaluation_scan_reads_the_quarantine_like_the_gate(hostile, capsys):
    from evaluation import cli

    q = hostile["base"] / "snaps" / ".karantan"
    assert cli.main(["scan", str(q)]) == 1
    out = capsys.readouterr().out
    for name in ("uttag.parquet", "uttag.yaml", "bilaga.xml", "underlag.csv.gz", "underlag.pkl", "figur.png",
                 "slutrapport.docx", "export.xlsx", "paket.zip"):
        assert name in out, name
    assert not VALID_RE.search(out.encode()) and not NEAR_RE.search(out.encode())
    assert cli.main(["scan", str(hostile["target"] / "angrepp__ren")]) == 0


# --------------------------------------------------------------------------- runner: locks and leftovers

def _cli_run(root: Path, rf: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-m", "evaluation", "run", str(rf), "--out", str(out), "--timeout", "120"],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def slow_project(tmp_path_factory):
    root = _project(tmp_path_factory.mktemp("lock") / "proj")
    _nb(root / "notebooks" / "sov.ipynb", "import time, sys\nprint('pnr 811228-9874', file=sys.stderr)\ntime.sleep(12)\n"
        "open('export.csv', 'w').write('a\\n1\\n')")
    rf = root / "parametrized_runs" / "sov.yaml"
    rf.write_text(yaml.safe_dump({"name": "sov", "data_dir": "data", "notebooks": [{"notebook": "notebooks/sov.ipynb"}]}),
                  encoding="utf-8")
    return root, rf


def test_two_concurrent_runs_into_one_folder_leave_one_consistent_snapshot(slow_project, tmp_path):
    root, rf = slow_project
    out = tmp_path / "snaps" / "samma"
    first = _cli_run(root, rf, out)
    deadline = time.monotonic() + 60
    while not (tmp_path / "snaps" / ".samma.partial").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    second = _cli_run(root, rf, out)
    out2, err2 = second.communicate(timeout=120)
    out1, err1 = first.communicate(timeout=180)
    assert second.returncode == 2, (out2, err2)
    assert "another evaluation run" in err2 and "Traceback" not in err2
    assert len(err2.strip().splitlines()) == 1  # one line
    assert first.returncode == 1, (out1, err1)  # the run itself is flagged: its log held a personnummer
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in manifest["runs"]] == ["sov/sov"]
    assert manifest["runs"][0]["status"] == "privacy"
    assert "notebook.ipynb" in {f["file"] for f in manifest["runs"][0]["findings"]}
    assert not (tmp_path / "snaps" / ".samma.partial").exists()
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "runfiles"]
    assert not list((tmp_path / "snaps").glob(".*.lock")), list((tmp_path / "snaps").iterdir())  # no .samma.lock left


def test_a_library_run_writes_its_log_masked_from_the_first_byte(slow_project, tmp_path):
    """``runs.run_snapshot`` called as a library (no CLI, no ``install_redaction``): the staging
    ``run.log`` holds the masked number while the notebook still runs, before any gate."""
    root, rf = slow_project
    snaps = tmp_path / "snaps"
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code = ("import sys; from evaluation import runs; "
            f"runs.run_snapshot([{str(rf)!r}], out={str(snaps / 'bibliotek')!r}, timeout=120, progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    log = snaps / ".bibliotek.partial" / ".staging" / "sov__sov" / "run.log"
    try:
        deadline = time.monotonic() + 90
        while not (log.exists() and b"******-****" in log.read_bytes()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert log.exists() and b"******-****" in log.read_bytes()
        assert b"811228" not in log.read_bytes()
    finally:
        proc.communicate(timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert (snaps / "bibliotek" / "manifest.json").exists()
    assert not list(snaps.glob(".*.lock")), list(snaps.iterdir())  # the lock file went with the lock


def test_the_folder_lock_stays_exclusive_when_its_file_is_removed_on_release(tmp_path, monkeypatch):
    """A run that opened the lock file just before its owner released (and removed) it must not get
    a lock on the removed file while a third run holds the new one."""
    target = tmp_path / "snap"
    with runs._FolderLock(target) as first:
        assert first.path.exists()
        with pytest.raises(runs.SnapshotError, match="another evaluation run"):
            runs._FolderLock(target).__enter__()
        stale = os.open(first.path, os.O_RDWR)  # a second run opens the file now ...
    assert not (tmp_path / ".snap.lock").exists()  # ... the first releases: the file is gone
    third = runs._FolderLock(target).__enter__()  # a third run takes a new lock file
    real_open, calls = os.open, []

    def late_open(path, *a, **k):  # the second run continues with the file it opened before
        calls.append(path)
        return stale if len(calls) == 1 else real_open(path, *a, **k)

    monkeypatch.setattr(runs.os, "open", late_open)
    with pytest.raises(runs.SnapshotError, match="another evaluation run"):
        runs._FolderLock(target).__enter__()
    monkeypatch.undo()
    assert len(calls) == 2  # it noticed the stale file and tried the current one
    third.__exit__(None, None, None)
    assert list(tmp_path.iterdir()) == []


def test_a_live_partial_is_never_touched_and_a_killed_runs_leftovers_are_removed(slow_project, tmp_path):
    root, rf = slow_project
    snaps = tmp_path / "snaps"
    killed = _cli_run(root, rf, snaps / "dod")
    log = snaps / ".dod.partial" / ".staging" / "sov__sov" / "run.log"
    deadline = time.monotonic() + 90
    while not (log.exists() and b"******-****" in log.read_bytes()) and time.monotonic() < deadline:
        time.sleep(0.2)
    # the CLI masks its logs as it writes them: even the log of a run the gate never saw holds no number
    assert log.exists() and b"811228" not in log.read_bytes() and b"******-****" in log.read_bytes()
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    assert (snaps / ".dod.partial").exists()
    # the orphaned kernel of the killed run may live on; the partial is an orphan now
    live = _cli_run(root, rf, snaps / "levande")
    deadline = time.monotonic() + 60
    while not (snaps / ".levande.partial" / ".staging").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    nxt = _cli_run(root, rf, snaps / "nasta")  # starts while 'levande' runs
    nxt.communicate(timeout=180)
    live.communicate(timeout=180)
    assert not (snaps / ".dod.partial").exists(), "a killed run's leftovers are removed by the next run"
    assert (snaps / "levande" / "manifest.json").exists(), "the live run was not disturbed"
    assert (snaps / "nasta" / "manifest.json").exists()
    for name, data in _all_bytes(snaps):
        if ".karantan" in name:
            continue
        assert not VALID_RE.search(data), name
