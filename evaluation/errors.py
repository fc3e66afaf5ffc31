"""The workbench's exception base class.

Every exception the ``evaluation`` package raises on purpose derives from
:class:`EvaluationError`, so a notebook, a scheduled job or the CLI can catch
"anything the workbench refused" in one ``except`` clause and show its Swedish
message instead of a library traceback. Subclasses keep their historic names and
also derive from the built-in they always were (``ValueError``, ``RuntimeError``
…), so existing ``except ValueError`` code keeps working.

Example
-------
>>> from evaluation.errors import EvaluationError
>>> class ExampleError(EvaluationError, ValueError):
...     pass
>>> try:
...     raise ExampleError("Filen saknas: episoder.csv")
... except EvaluationError as exc:
...     print(exc)
Filen saknas: episoder.csv
"""
from __future__ import annotations

__all__ = ["EvaluationError"]


class EvaluationError(Exception):
    """Base class of every exception raised on purpose by the workbench.

    Messages are user-facing (Swedish by default), name the file, row and
    column where there is one, and never contain a personnummer.
    """
