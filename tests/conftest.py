"""Test-wide settings.

The sample export carries (fictitious) personnummer, so loading it needs a pseudonymisation key.
Tests use a fixed key from the environment and never create a key file in the user's home.
"""

from __future__ import annotations

import os

os.environ.setdefault("EVALUATION_PSEUDONYM_KEY", "5d8e1b7a3f60c92d4e17a8b5c3f09d62e4a1b7c8d5f3e2a09b6c4d8e1f7a3b52")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


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
    that needs executed sample runs (one snapshot per session, never one per test).
    """
    from evaluation import runs

    runfiles = sorted(str(p) for p in (ROOT / "parametrized_runs").glob("*.yaml"))
    out = tmp_path_factory.mktemp("sample_snapshot") / "snapshot"
    target, manifest = runs.run_snapshot(runfiles, out=out, jobs=1, progress=False)
    folders = {r["name"]: target / r["folder"] for r in manifest["runs"]}
    return types.SimpleNamespace(path=target, manifest=manifest, runs=folders)
