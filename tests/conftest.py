"""Test-wide settings.

The sample export carries (fictitious) personnummer, so loading it needs a pseudonymisation key.
Tests use a fixed key from the environment and never create a key file in the user's home.
"""

from __future__ import annotations

import os

os.environ.setdefault("EVALUATION_PSEUDONYM_KEY", "5d8e1b7a3f60c92d4e17a8b5c3f09d62e4a1b7c8d5f3e2a09b6c4d8e1f7a3b52")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
# one cache of protected table sets for the whole session, also for tests that point HOME elsewhere
# (a protection is computed once per content; see evaluation.tableset.protect_cached)
os.environ.setdefault("EVALUATION_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "evaluation"))
# the cleanup of a protection (several CPU-minutes on the samples' table set) is tested explicitly
# (tests/test_tableset.py: protect(..., cleanup=True), protect_cached(..., cleanup=True)); the table
# sets protected on the way (snapshots, notebooks, dashboards) take the sequential pass alone
os.environ.setdefault("EVALUATION_STADNING", "0")


import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def sample_snapshot(tmp_path_factory):
    """One snapshot of every sample run file (``parametrized_runs/*.yaml``), built once per session.

    Returns a namespace: ``path`` (the snapshot folder), ``manifest`` (its manifest dict),
    ``runs`` (run name such as ``"norrdal-2025/deltagarfloden"`` -> run folder). Tests that use it
    are slow: mark them ``@pytest.mark.slow`` and ``@pytest.mark.notebook``. Shared by every test
    that needs executed sample runs (one snapshot per session, never one per test): with
    pytest-xdist (``make test`` runs two workers) the first worker that needs it builds it in the
    session's common temporary folder (``make test``: ``$EVALUATION_TEST_SHARED``, shared with its
    second, browser-only pytest run) under a file lock and the others read it. Tests must not
    change files in it.
    """
    import fcntl
    import json

    from evaluation import runs

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("EVALUATION_TEST_SHARED"):  # `make test`: common to its two pytest runs
        base = Path(os.environ["EVALUATION_TEST_SHARED"])
    elif os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # common to the workers of this session
    shared = base / "sample_snapshot"
    shared.mkdir(exist_ok=True)
    with open(base / "sample_snapshot.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "done.json"
        if done.exists():
            target = Path(json.loads(done.read_text(encoding="utf-8"))["target"])
            manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        else:
            runfiles = sorted(str(p) for p in (ROOT / "parametrized_runs").glob("*.yaml"))
            target, manifest = runs.run_snapshot(runfiles, out=shared / "snapshot", jobs=2, progress=False)
            done.write_text(json.dumps({"target": str(target)}), encoding="utf-8")
    folders = {r["name"]: target / r["folder"] for r in manifest["runs"]}
    return types.SimpleNamespace(path=target, manifest=manifest, runs=folders)


@pytest.fixture(scope="session")
def samples_board():
    """The board dashboards' data of ``data_samples`` dated 2026-01-15, the sample run files' reference date.

    Read once per session (per xdist worker) and shared by the one-truth checks and the table-set
    tests: its table set (participants with events, that extract date) is then one protection,
    cached by content (:func:`evaluation.tableset.protect_cached`).
    """
    from evaluation import dashboards as db

    old = os.environ.get(db.REFERENCE_ENV)
    os.environ[db.REFERENCE_ENV] = "2026-01-15"
    try:
        return db.load_data(ROOT / "data_samples", snapshots_dir=ROOT / "no-such-snapshots")
    finally:
        if old is None:
            os.environ.pop(db.REFERENCE_ENV, None)
        else:
            os.environ[db.REFERENCE_ENV] = old


_FOCUS_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  const seen = e.hasAttribute('data-focus-seen');
  e.setAttribute('data-focus-seen', '');
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  return {seen, tag: e.tagName, what: (e.getAttribute('aria-label') || e.innerText || e.value || '').trim().slice(0, 50),
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2, shadow: s.boxShadow !== 'none',
          shown: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < window.innerHeight};
}"""


def _tab_through(page, limit: int = 120) -> list[dict]:
    """Press Tab until the focus comes back to a control it visited (or ``limit`` presses); return, per
    focused control, its tag, name, whether its computed outline (solid ≥ 2 px) or box-shadow is set
    and whether it is scrolled into view, as a keyboard user would see it."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        page.wait_for_timeout(60)
        r = page.evaluate(_FOCUS_JS)
        if r is None:
            continue
        if r["seen"]:
            break
        stops.append(r)
    return stops


@pytest.fixture(scope="session")
def tab_through():
    """The keyboard walk of a page (see :func:`_tab_through`), shared by the report and dashboard tests."""
    return _tab_through
