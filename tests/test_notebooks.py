"""Every notebook is thin, parametrised the same way and committed without outputs.

One test for all notebooks (analysis notebooks and dashboards): the house rules of CONTRIBUTING.md.
Executing each notebook on the samples is tested next to its module (tests/test_<module>_notebook.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from evaluation import runs

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
ANALYSIS = [p for p in NOTEBOOKS if p.parent.name == "notebooks"]
STANDARD = {"data_dir": "str", "forbund": "str", "lang": "str", "min_n": "int", "results_path": "str"}


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_notebook_is_thin_and_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "evaluation"
    assert nb.metadata["kernelspec"]["language"] == "python"
    for i, cell in enumerate(_code(nb)):
        assert not cell.get("outputs") and cell.get("execution_count") is None, f"cell {i} has outputs"
        lines = [ln for ln in cell.source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        assert len(lines) <= 15, f"cell {i}: {len(lines)} code lines; logic belongs in the package"
        tree = ast.parse(cell.source)
        loops = [type(n).__name__ for n in ast.walk(tree)
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While))]
        assert not loops, f"cell {i} defines or loops ({loops}); move it into the package with a test"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_parameters_cell_is_first_and_holds_typed_literals_only(path):
    nb = nbformat.read(path, as_version=4)
    first = _code(nb)[0]
    assert "parameters" in first.metadata.get("tags", []), "the first code cell must be tagged 'parameters'"
    tree = ast.parse(first.source)
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), f"line {node.lineno}: only 'name: type = value' lines"
        ast.literal_eval(node.value)  # raises for anything but a literal
    declared = pm.inspect_notebook(str(path))
    assert all(p["inferred_type_name"] not in ("None", "") for p in declared.values())


@pytest.mark.parametrize("path", ANALYSIS, ids=lambda p: p.name)
def test_analysis_notebooks_share_the_standard_parameters_and_record_results(path):
    declared = pm.inspect_notebook(str(path))
    for name, typ in STANDARD.items():
        assert name in declared and declared[name]["inferred_type_name"] == typ, name
    code = "".join(c.source for c in _code(nbformat.read(path, as_version=4)))
    assert "figures.setup(lang" in code
    assert "results.save(results_path" in code


@pytest.mark.parametrize("runfile", sorted((ROOT / "parametrized_runs").glob("*.yaml")), ids=lambda p: p.name)
def test_run_files_name_only_declared_parameters_of_the_right_type(runfile):
    specs = runs.load_runfile(runfile)
    assert specs
    for spec in specs:
        runs.validate_parameters(spec.notebook, {**spec.parameters, "data_dir": spec.data_dir, "results_path": "x"})
