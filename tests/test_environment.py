"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _split(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", spec)
    assert m, f"cannot parse dependency {spec!r}"
    name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
    version = ",".join(sorted(p.strip() for p in m.group(3).split(",") if p.strip()))
    return name, version


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deps = list(data["project"]["dependencies"]) + list(data["project"]["optional-dependencies"]["dev"])
    return dict(_split(d) for d in deps)


def _conda() -> tuple[dict[str, str], list]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep.get("pip", []))
            continue
        name, version = _split(dep)
        if name not in {"python", "pip"}:
            conda[name] = version
    return conda, pip


def test_environment_yml_lists_exactly_the_pyproject_dependencies():
    py = _pyproject()
    conda, _ = _conda()
    assert set(py) == set(conda), (
        f"only in pyproject: {sorted(set(py) - set(conda))}; only in environment.yml: {sorted(set(conda) - set(py))}"
    )


def test_environment_yml_uses_the_same_version_ranges():
    py = _pyproject()
    conda, _ = _conda()
    drift = {n: (py[n], conda[n]) for n in py if n in conda and py[n] != conda[n]}
    assert not drift, f"version ranges differ (pyproject, environment.yml): {drift}"


def test_environment_yml_installs_the_package_with_pip_and_uses_conda_forge():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    _, pip = _conda()
    assert "-e ." in pip
    assert env["channels"] == ["conda-forge"]
    assert "pip" in env["dependencies"]


def test_split_normalises_names_and_version_order():
    assert _split("Python_Stdnum>=1.20,<3") == ("python-stdnum", "<3,>=1.20")
    assert _split("voila <0.6, >=0.5.6") == ("voila", "<0.6,>=0.5.6")
