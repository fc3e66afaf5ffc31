"""Evaluation workbench for Swedish welfare-collaboration projects.

Samordningsförbund under Finsam, ESF projects and co-located teams of Försäkringskassan,
Arbetsförmedlingen, socialtjänst and region. All logic lives in this package, one module per
domain concept; notebooks only set parameters, call into it and display.

Modules
-------
vocabulary   controlled vocabularies (kön, försörjning, avslutsorsak, ...) from package data
schemas      pandera schemas of the data model (episodes, events, survey responses, ...)
io           import of CSV/XLSX/Parquet with mapping files and an import report
privacy      personnummer detection, keyed pseudonyms, output scanner
disclosure   small-cell suppression with secondary suppression
labels       Swedish/English labels for everything a board reads
"""

import os as _os
import sys as _sys

__version__ = "0.1.0"

#: Environment variable: ``0`` keeps the optional ``rfc3987_syntax`` module importable in a process
#: that imports :mod:`evaluation` first; by default importing :mod:`evaluation` blocks it.
#: ``plotly.io`` and papermill import ``nbformat``, whose validator imports ``jsonschema``, which
#: imports ``rfc3987_syntax`` when it is installed (it is, through ``jupyter-events`` ->
#: ``jsonschema[format-nongpl]``) and that builds a Lark grammar at import: 1,1-1,4 CPU-s per process
#: on this machine kind (BENCHMARKS.md, "Board kernels"), paid by every board kernel, the runner, each
#: of its worker processes and fork templates, for jsonschema's optional ``iri`` format check, which
#: no schema of a notebook or of this package uses. Blocked, ``jsonschema`` simply goes without
#: that one format check.
LEAN_IMPORTS_ENV = "EVALUATION_LEAN_IMPORTS"

if _os.environ.get(LEAN_IMPORTS_ENV, "1") != "0" and "rfc3987_syntax" not in _sys.modules:
    _sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import raises ImportError
