"""Every exception the package defines derives from `evaluation.errors.EvaluationError` and keeps its built-in."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import evaluation
from evaluation.errors import EvaluationError

# name -> the built-in it derived from before the common base existed (kept so `except ValueError` still works)
BUILTIN = {
    "CodebookError": ValueError, "UnknownCodeError": ValueError, "CodingImportError": ValueError,
    "MissingKeyError": RuntimeError, "KeyLocationError": RuntimeError, "InvalidIdentifierError": ValueError,
    "PersonnummerLeakError": AssertionError, "FlowsError": ValueError, "InstrumentError": ValueError,
    "ScenarioError": ValueError, "PriceYearError": ValueError, "TransferBalanceError": ValueError,
    "RunFileError": ValueError, "ParameterError": ValueError, "SnapshotError": RuntimeError,
    "GoalError": ValueError, "IndicatorError": ValueError, "ResponseRangeError": ValueError,
    "DashboardError": RuntimeError, "UnsafePathError": ValueError, "NotAllowedError": ValueError,
    "MappingError": ValueError, "ScoringError": ValueError, "ImportValidationError": ValueError,
    "EmptyFileError": ValueError, "CatalogueError": ValueError,
}


def _package_exceptions() -> dict[str, type]:
    found = {}
    for mod in pkgutil.walk_packages(evaluation.__path__, "evaluation."):
        if mod.name.endswith("__main__"):
            continue
        m = importlib.import_module(mod.name)
        for name, obj in vars(m).items():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__.startswith("evaluation."):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


def test_every_package_exception_derives_from_evaluation_error():
    found = _package_exceptions()
    assert len(found) >= 25  # the ~25 classes of issue 14 (plus any added since)
    outside = sorted(k for k, cls in found.items() if not issubclass(cls, EvaluationError) and cls is not EvaluationError)
    assert outside == []


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_names_and_builtin_bases_are_kept(name):
    by_name = {k.rsplit(".", 1)[1]: cls for k, cls in _package_exceptions().items()}
    cls = by_name[name]
    assert issubclass(cls, EvaluationError) and issubclass(cls, BUILTIN[name])


def test_one_except_clause_catches_a_refused_input(tmp_path):
    from evaluation import dashboards

    with pytest.raises(EvaluationError, match="utanför datamappen"):
        dashboards.safe_path(tmp_path, "../../etc/passwd")
    with pytest.raises(ValueError):  # the historic built-in still catches it
        dashboards.safe_path(tmp_path, "../../etc/passwd")
