"""The README documents the data model and the two commands a newcomer needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation import schemas

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("entity", sorted(schemas.SCHEMAS))
def test_readme_has_a_table_for_every_entity_with_every_column(entity):
    section = README.split(f"### `{entity}`", 1)
    assert len(section) == 2, f"README has no data-model section for {entity}"
    body = section[1].split("\n### ", 1)[0]
    missing = [c for c in schemas.SCHEMAS[entity].columns if f"| `{c}` |" not in body]
    assert not missing, f"README table for {entity} lacks columns {missing}"
    assert "Example row" in body


def test_readme_gives_the_two_commands_and_ci_runs_the_test_command():
    assert "make demo" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_every_notebook_is_documented_in_the_readme():
    notebooks = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    missing = [nb for nb in notebooks if nb not in README]
    assert not missing, f"README does not mention {missing}"
