"""Parametrized notebook runs into immutable evaluation snapshots (papermill batch runner).

A **run file** (``parametrized_runs/*.yaml``) names one förbund/project and period and the
notebooks to execute with their parameters::

    name: norrdal-2025                  # run-file id (folder names are derived from it)
    titel: Samordningsförbundet Norrdal, 2025
    data_dir: ../data_samples           # a catalogue folder (datakatalog.yaml), relative to this file
    parameters:                         # shared by every notebook of the file
      forbund: "Norrdal"
    notebooks:
      - notebook: deltagarfloden        # a bare name: the workbench's own notebooks/deltagarfloden.ipynb
        parameters: {period_start: "2025-01-01", period_end: "2025-12-31"}
      - notebook: kasam_fore_efter

Paths: ``data_dir`` and a notebook given as a path are resolved against the **run file's own
folder**, so a förbund keeps its run files and its data together, outside the repository. A
notebook named without a path and without ``.ipynb`` (``deltagarfloden``, ``dashboards/styrelse``
is a path) is one of the workbench's own notebooks (:data:`WORKBENCH_NOTEBOOKS`). ``data_dir`` must
be a folder with a ``datakatalog.yaml`` (:mod:`evaluation.catalogue`); the ``forbund``,
``scenario``, ``period_start``/``period_end`` and ``reference_date`` parameters are checked against
it before anything runs (:func:`evaluation.inputs.validate`). Legacy layout: a run file inside a
``parametrized_runs/`` folder whose relative path does not exist next to it falls back to the
folder above (the project root).

Each (run file × notebook) is one **run**. A snapshot folder holds one sub-folder per run with the
executed notebook (``notebook.ipynb``), a code-free HTML report (``rapport.html``), the notebook's
headline results (``results.json``), its parameters (``parameters.json``) and a log (``run.log``),
plus the snapshot's ``manifest.json`` (see :func:`build_manifest`).

Guarantees
----------
* Parameters are validated before execution against the notebook's ``parameters`` cell
  (``papermill.inspect_notebook``): unknown names and wrong types are errors
  (:class:`ParameterError`), not papermill's warning.
* A fixed kernel name (``evaluation``) and an execution timeout are always passed.
* Atomicity: a snapshot is built in ``<root>/.<id>.partial`` and renamed to ``<root>/<id>`` when
  every run has finished; each run folder is written aside (``.staging``) and renamed into place.
  A complete snapshot (every run ``ok``) is made read-only and refuses a retry.
* Failures are isolated: a failing or timed-out notebook is recorded with its error summary and
  partial notebook; the others finish; the exit code is non-zero. ``--retry-failed SNAPSHOT`` reruns
  only the failed runs into the same snapshot (earlier attempts kept under ``.attempts/``).
* Kernels work in the run's own folder (``cwd``): relative writes land in the run, never in the
  repository.
* Privacy gate: after each run every file of the run folder is read by its format
  (:func:`evaluation.privacy.scan_outputs`); a personnummer, a near miss or a file the gate cannot
  read (unless the run file's ``allow_unscanned`` names it) gives status ``privacy`` and the whole
  run folder is moved to ``<root>/.karantan/<id>/`` (mode 700), never published; the record names
  the files, numbers masked. The manifest passes :func:`evaluation.privacy.redact_obj`.
* One writer per output folder (an ``flock`` on ``<root>/.<id>.lock``); leftovers of killed runs
  are removed by the next run, a live run's ``.partial`` is never touched.

The executor is a plain function, :func:`execute_run`, so the same code runs serially, in a
``ProcessPoolExecutor`` (``--jobs N``, one kernel per process) or on a Dask cluster
(``--executor dask``), producing the same layout (NOTES.md §6).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Iterable

import yaml

from . import __version__, tableset
from .errors import EvaluationError

__all__ = [
    "KERNEL_NAME",
    "RunSpec",
    "RunRecord",
    "RunFileError",
    "ParameterError",
    "SnapshotError",
    "load_runfile",
    "validate_parameters",
    "execute_run",
    "run_snapshot",
    "retry_failed",
    "build_manifest",
    "render_html",
    "KernelPool",
    "notebook_imports",
    "close_pools",
    "cli",
]

KERNEL_NAME = "evaluation"
# Warm kernels are forked from a template process that has imported the libraries
# (:mod:`evaluation.forkserver`); the environment variable EVALUATION_FORK_KERNELS=0 makes
# KernelPool start ordinary kernels instead (read when a pool is created).
DEFAULT_TIMEOUT = 600.0
MANIFEST = "manifest.json"
#: Seconds the runner waits for a cell's output messages after the cell's reply (nbclient: 4 s).
IOPUB_TIMEOUT = 60.0
log = logging.getLogger(__name__)


class RunFileError(EvaluationError, ValueError):
    """A run file is malformed (names the file and the key)."""


class ParameterError(EvaluationError, ValueError):
    """A run passes a parameter the notebook does not declare, or of the wrong type."""


class SnapshotError(EvaluationError, RuntimeError):
    """A snapshot cannot be created or retried as asked."""


@dataclasses.dataclass(frozen=True)
class RunSpec:
    """One notebook execution: which notebook, with which parameters, into which folder name."""

    name: str
    runfile: str
    notebook: str
    parameters: dict[str, Any]
    data_dir: str
    title: str = ""
    allow_unscanned: tuple[str, ...] = ()

    @property
    def folder(self) -> str:
        return self.name.replace("/", "__")


@dataclasses.dataclass
class RunRecord:
    """What happened in one run (one entry of the manifest)."""

    name: str
    runfile: str
    notebook: str
    parameters: dict[str, Any]
    status: str  # ok | failed | timeout | privacy
    duration_s: float
    error: str = ""
    attempt: int = 1
    folder: str = ""
    files: list[str] = dataclasses.field(default_factory=list)
    input_files: list[str] = dataclasses.field(default_factory=list)
    findings: list[dict] = dataclasses.field(default_factory=list)
    peak_rss_mb: float | None = None  # kernel's peak resident memory (VmHWM), MB; None: not measured

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------- run files
#: The workbench's own notebooks: a run file names them without a path (``notebook: deltagarfloden``).
WORKBENCH_NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def project_root(runfile: Path) -> Path:
    """Project root of a run file: the parent of its ``parametrized_runs`` folder, else its own folder.

    Examples
    --------
    >>> project_root(Path("/srv/proj/parametrized_runs/a.yaml")).as_posix()
    '/srv/proj'
    >>> project_root(Path("/srv/norrdal/korning.yaml")).as_posix()
    '/srv/norrdal'
    """
    runfile = Path(runfile).resolve()
    return runfile.parent.parent if runfile.parent.name == "parametrized_runs" else runfile.parent


def resolve_path(runfile: Path, value: str) -> Path:
    """A path written in a run file: absolute as is, else relative to the run file's folder.

    Legacy layout: inside a ``parametrized_runs/`` folder, a relative path that does not exist next
    to the run file is taken relative to the project root (the folder above).

    Examples
    --------
    >>> resolve_path(Path("/srv/norrdal/korning.yaml"), "data").as_posix()
    '/srv/norrdal/data'
    """
    p = Path(value).expanduser()
    if p.is_absolute():
        return p
    here = Path(runfile).resolve().parent / p
    if not here.exists() and Path(runfile).resolve().parent.name == "parametrized_runs":
        legacy = project_root(runfile) / p
        if legacy.exists():
            return legacy
    return here


def resolve_notebook(runfile: Path, value: str) -> Path:
    """The notebook a run file names: a bare name (no folder, no ``.ipynb``) is the workbench's own
    notebook in :data:`WORKBENCH_NOTEBOOKS`; anything else is a path (:func:`resolve_path`).

    Examples
    --------
    >>> resolve_notebook(Path("/srv/norrdal/k.yaml"), "deltagarfloden") == WORKBENCH_NOTEBOOKS / "deltagarfloden.ipynb"
    True
    >>> resolve_notebook(Path("/srv/norrdal/k.yaml"), "egna/analys.ipynb").as_posix()
    '/srv/norrdal/egna/analys.ipynb'
    """
    text = str(value).strip()
    if "/" not in text and "\\" not in text and not text.endswith(".ipynb"):
        return WORKBENCH_NOTEBOOKS / f"{text}.ipynb"
    return resolve_path(runfile, text)


def load_runfile(path: str | os.PathLike, origin: str | os.PathLike | None = None) -> list[RunSpec]:
    """Read a run file into its :class:`RunSpec` list (one per notebook).

    Relative ``data_dir`` and notebook paths are resolved against the run file's folder
    (:func:`resolve_path`); a bare notebook name is the workbench's own notebook
    (:func:`resolve_notebook`). Unknown top-level keys, a missing ``notebooks`` list, a notebook
    that does not exist, non-mapping ``parameters``, a ``data_dir`` without ``datakatalog.yaml``
    or a ``forbund``/``scenario``/period parameter that does not fit the catalogue
    (:func:`evaluation.inputs.validate`) raise :class:`RunFileError` naming the file and key.
    ``origin``: the original run file when ``path`` is the copy stored in a snapshot (a retry):
    paths are resolved as for the original. ``allow_unscanned`` lists glob patterns of files a run
    may write that the privacy gate cannot read (pictures, pickles;
    :func:`evaluation.privacy.scan_outputs`).

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp()); (root / "parametrized_runs").mkdir(); _ = (root / "nb.ipynb").write_text("{}")
    >>> _ = (root / "parametrized_runs/x.yaml").write_text("name: x\\nnotebooks:\\n  - notebook: nb.ipynb\\n")
    >>> [s.name for s in load_runfile(root / "parametrized_runs/x.yaml")]
    ['x/nb']
    """
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RunFileError(f"{path}: cannot read run file: {exc}") from exc
    if not isinstance(doc, dict):
        raise RunFileError(f"{path}: a run file is a YAML mapping with 'name' and 'notebooks'")
    allowed = {"name", "titel", "title", "data_dir", "parameters", "notebooks", "beskrivning", "description",
               "allow_unscanned"}
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise RunFileError(f"{path}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")
    name = str(doc.get("name") or path.stem)
    base = Path(origin) if origin is not None else path
    allow = doc.get("allow_unscanned") or []
    if isinstance(allow, str):
        allow = [allow]
    if not isinstance(allow, list) or not all(isinstance(a, str) for a in allow):
        raise RunFileError(f"{path}: 'allow_unscanned' must be a list of file patterns (e.g. ['figurer/*.png'])")
    from . import catalogue

    given = "data_dir" in doc  # absent: the legacy default data_samples, not checked
    data_dir = resolve_path(base, str(doc.get("data_dir") or "data_samples"))
    if given and not catalogue.exists(data_dir):
        raise RunFileError(f"{path}: data_dir {doc['data_dir']!r} ({data_dir}) har ingen "
                           f"{catalogue.CATALOGUE_FILE}; ange en datamapp med datakatalog (se README, "
                           f"\"Använd egna data\").")
    shared = doc.get("parameters") or {}
    if not isinstance(shared, dict):
        raise RunFileError(f"{path}: 'parameters' must be a mapping of name: value")
    notebooks = doc.get("notebooks")
    if not isinstance(notebooks, list) or not notebooks:
        raise RunFileError(f"{path}: 'notebooks' must be a non-empty list of {{notebook: path, parameters: {{...}}}}")
    specs = []
    for i, entry in enumerate(notebooks):
        if isinstance(entry, str):
            entry = {"notebook": entry}
        if not isinstance(entry, dict) or "notebook" not in entry:
            raise RunFileError(f"{path}: notebooks[{i}] needs a 'notebook' key")
        extra = sorted(set(entry) - {"notebook", "parameters", "name"})
        if extra:
            raise RunFileError(f"{path}: notebooks[{i}] has unknown key(s) {extra}")
        nb = resolve_notebook(base, entry["notebook"])
        if not nb.exists():
            own = sorted(p.stem for p in WORKBENCH_NOTEBOOKS.glob("*.ipynb"))
            raise RunFileError(f"{path}: notebooks[{i}]: notebook {entry['notebook']} does not exist ({nb}); "
                               f"the workbench's own notebooks: {', '.join(own)}")
        params = dict(shared)
        own = entry.get("parameters") or {}
        if not isinstance(own, dict):
            raise RunFileError(f"{path}: notebooks[{i}].parameters must be a mapping")
        params.update(own)
        params = {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in params.items()}
        if given:
            _check_against_catalogue(path, i, data_dir, params)
        specs.append(RunSpec(name=f"{name}/{entry.get('name') or nb.stem}", runfile=str(base.resolve()),
                             notebook=str(nb.resolve()), parameters=params, data_dir=str(data_dir.resolve()),
                             title=str(doc.get("titel") or doc.get("title") or name),
                             allow_unscanned=tuple(allow)))
    return specs


def _check_against_catalogue(path: Path, i: int, data_dir: Path, params: dict) -> None:
    """Validate the data parameters of one notebook against the catalogue (RunFileError on a mistake)."""
    from . import inputs
    from .errors import EvaluationError

    try:
        inputs.validate(data_dir, forbund=params.get("forbund") or None,
                        period=(params.get("period_start") or None, params.get("period_end") or None),
                        scenario=params.get("scenario") or "", reference_date=params.get("reference_date") or None,
                        check_data=False)
    except EvaluationError as exc:
        raise RunFileError(f"{path}: notebooks[{i}]: {exc}") from None


_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list, tuple),
    "dict": (dict,),
}


def validate_parameters(notebook: str | os.PathLike, parameters: dict[str, Any]) -> None:
    """Check parameter names and types against the notebook's ``parameters`` cell.

    The cell's typed lines (``name: type = value  # help``) are read with
    ``papermill.inspect_notebook``. Unknown names and values of the wrong type raise
    :class:`ParameterError` listing every problem (papermill itself only warns). ``bool`` is not
    accepted for ``int``/``float``; an ``int`` is accepted for ``float``.

    Examples
    --------
    >>> import nbformat, tempfile
    >>> nb = nbformat.v4.new_notebook()
    >>> cell = nbformat.v4.new_code_cell("min_n: int = 5  # smallest cell")
    >>> cell.metadata["tags"] = ["parameters"]; nb.cells = [cell]
    >>> nb.metadata["kernelspec"] = {"name": "evaluation", "language": "python", "display_name": "py"}
    >>> p = Path(tempfile.mkdtemp()) / "nb.ipynb"; nbformat.write(nb, p)
    >>> validate_parameters(p, {"min_n": 3})
    >>> validate_parameters(p, {"min_m": 3})
    Traceback (most recent call last):
    ...
    evaluation.runs.ParameterError: ...: unknown parameter 'min_m' (declared: min_n)
    """
    import papermill as pm

    declared = pm.inspect_notebook(str(notebook))
    if not declared:
        raise ParameterError(f"{notebook}: no cell tagged 'parameters' with typed lines 'name: type = value'")
    problems = []
    for key, value in parameters.items():
        if key not in declared:
            problems.append(f"unknown parameter {key!r} (declared: {', '.join(sorted(declared))})")
            continue
        tname = (declared[key].get("inferred_type_name") or "").strip()
        base = tname.split("[")[0].replace("typing.", "").lower()
        optional = "none" in tname.lower() or "optional" in tname.lower()
        if value is None:
            if not optional:
                problems.append(f"parameter {key!r} is None but declared {tname}")
            continue
        types = _TYPES.get(base)
        if types is None:
            continue  # undeclared/complex type: papermill translates it
        if isinstance(value, bool) and bool not in types:
            problems.append(f"parameter {key!r} must be {tname}, got bool {value!r}")
        elif not isinstance(value, types):
            problems.append(f"parameter {key!r} must be {tname}, got {type(value).__name__} {value!r}")
    if problems:
        raise ParameterError(f"{notebook}: " + "; ".join(problems))


# --------------------------------------------------------------------------- executing
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def input_hashes(paths: Iterable[str | os.PathLike]) -> dict[str, str]:
    """sha256 of every file under the given files/folders (hidden files skipped), by absolute path.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.csv"; _ = p.write_text("x\\n")
    >>> input_hashes([p])[str(p.resolve())] == hashlib.sha256(b"x\\n").hexdigest()
    True
    """
    out: dict[str, str] = {}
    for p in paths:
        p = Path(p)
        files = [p] if p.is_file() else sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else []
        for f in files:
            if any(part.startswith(".") for part in f.relative_to(p.parent if p.is_file() else p).parts):
                continue
            out[str(f.resolve())] = _sha256(f)
    return out


def render_html(notebook_path: str | os.PathLike, html_path: str | os.PathLike, title: str = "",
                top_html: str = "") -> Path:
    """Write the code-free, self-contained HTML report of an executed notebook.

    Delegates to :func:`evaluation.rendering.render_html` (the workbench's nbconvert template: no CDN
    scripts, ``lang="sv"``, header block and key messages on top, evaluator checks in an appendix).

    Examples
    --------
    >>> import nbformat, tempfile
    >>> nb = nbformat.v4.new_notebook(); nb.cells = [nbformat.v4.new_markdown_cell("# Rubrik")]
    >>> d = Path(tempfile.mkdtemp()); nbformat.write(nb, d / "n.ipynb")
    >>> "Rubrik" in render_html(d / "n.ipynb", d / "n.html").read_text()
    True
    """
    from .rendering import render_html as _render

    return _render(notebook_path, html_path, title=title, top_html=top_html)


def _snapshot_of(folder: Path) -> str:
    """Snapshot id of a run folder being staged (``<parent>/.<id>.partial/.staging/<run>``), else ""."""
    for part in (folder.parent.parent.name, folder.parent.name):
        m = re.match(r"^\.(.+)\.partial$", part)
        if m:
            return m.group(1)
    return ""


def _error_summary(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    # papermill errors carry the cell traceback; keep the exception line(s)
    tail = [line for line in text if line.strip()][-3:]
    return f"{type(exc).__name__}: " + " | ".join(tail)[:800]


def _clear_outputs(nb_path: Path) -> None:
    import nbformat

    nb = nbformat.read(str(nb_path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(nb, str(nb_path))


# --------------------------------------------------------------------------- warm kernel pool
def notebook_imports(notebooks: Iterable[str | os.PathLike]) -> tuple[str, ...]:
    """Absolute module names imported by the code cells of the given notebooks (sorted, unique).

    ``import a.b`` gives ``a.b``; ``from a import b`` gives ``a`` and ``a.b`` (``b`` may be a
    module or a name: warming tolerates names that are not modules). Cells that do not parse
    (magics) are skipped. Used to pre-import what the notebooks need in a warm kernel.

    Examples
    --------
    >>> import nbformat, tempfile
    >>> nb = nbformat.v4.new_notebook(); nb.cells = [nbformat.v4.new_code_cell("import os\\nfrom pathlib import Path")]
    >>> p = Path(tempfile.mkdtemp()) / "n.ipynb"; nbformat.write(nb, p)
    >>> notebook_imports([p])
    ('os', 'pathlib', 'pathlib.Path')
    """
    import ast

    mods: set[str] = set()
    for path in notebooks:
        try:
            cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            src = cell.get("source", "")
            try:
                tree = ast.parse(src if isinstance(src, str) else "".join(src))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    mods.update(a.name for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    mods.add(node.module)
                    mods.update(f"{node.module}.{a.name}" for a in node.names if a.name != "*")
    return tuple(sorted(mods))


#: Modules the notebooks import at run time, inside the package's functions (lazy imports), rather
#: than in their own import cells: the analysis modules of the package and the libraries behind
#: the import, statistics and figure steps. Pre-imported with :func:`notebook_imports`' list in a
#: warm kernel (and in the fork server's template), so that no run pays for them: measured
#: 2026-11-30 on a nation förbund, a slutrapport run imported 593 such modules (≈ 10 CPU-s
#: of a cold 16 CPU-s) after the notebooks' own imports. ``nbformat``/``jsonschema``: the first
#: plotly figure shown in a kernel imports them (jsonschema builds ``rfc3987_syntax``'s Lark
#: grammar, ≈ 1.2-1.8 s). Only imports: none of these starts a thread or a process at import, so
#: the template stays safe to fork. Names that are not installed are skipped.
RUNTIME_IMPORTS = (
    "evaluation.catalogue", "evaluation.coding", "evaluation.compare", "evaluation.costbenefit",
    "evaluation.disclosure", "evaluation.figures", "evaluation.flows", "evaluation.formatting",
    "evaluation.goals", "evaluation.indicators", "evaluation.inputs", "evaluation.instruments",
    "evaluation.io", "evaluation.kasam", "evaluation.labels", "evaluation.mapping", "evaluation.privacy",
    "evaluation.questionnaires", "evaluation.readers", "evaluation.rendering", "evaluation.report",
    "evaluation.reported", "evaluation.results", "evaluation.schemas", "evaluation.story",
    "evaluation.surveytables", "evaluation.tableset", "evaluation.teamwork", "evaluation.vocabulary",
    "pandera", "pandera.pandas", "pyarrow", "pyarrow.parquet", "pyarrow.csv", "scipy.stats", "scipy.optimize",
    "statsmodels.api", "pingouin", "babel.numbers", "babel.dates", "PIL.Image", "plotly.io",
    "plotly.graph_objects", "plotly.express", "nbformat", "jsonschema", "stdnum.se.personnummer",
)


def _warmup_code(modules: Iterable[str]) -> str:
    # imports into sys.modules only: nothing is bound in the notebook's namespace
    return ("def __evaluation_warmup():\n"
            "    import importlib\n"
            f"    for m in {list(modules)!r}:\n"
            "        try:\n"
            "            importlib.import_module(m)\n"
            "        except Exception:\n"
            "            pass\n"
            "__evaluation_warmup()\n"
            "del __evaluation_warmup\n")


class _PeakRSS:
    """Samples a kernel's peak resident memory (``VmHWM`` of ``/proc/<pid>/status``) in a thread.

    ``VmHWM`` only grows, so the last value read before the kernel exits is its peak up to that
    moment (sampled every ``interval`` seconds). Linux only; elsewhere ``peak_mb`` stays None.
    """

    def __init__(self, pid: int | None, interval: float = 0.25):
        import threading

        self.pid, self.interval, self.peak_mb = pid, interval, None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)
        if pid is not None and Path(f"/proc/{pid}/status").exists():
            self._thread.start()

    def _read(self) -> None:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_mb = round(int(line.split()[1]) / 1024, 1)
                    return
        except (OSError, ValueError):
            pass

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._read()

    def stop(self) -> float | None:
        if self._thread.is_alive():
            self._read()
            self._stop.set()
            self._thread.join(timeout=2)
        return self.peak_mb


def _kernel_pid(km) -> int | None:
    try:
        return int(km.provisioner.process.pid)
    except Exception:  # noqa: BLE001 - another provisioner: not measured
        return None


class _WarmKernel:
    """A started kernel with a warm-up request (imports) in flight; used for one notebook only."""

    def __init__(self, kernel_name: str, cwd: str, modules: tuple[str, ...], server=None):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.cwd, self.modules = cwd, modules
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        self.forked = False
        if server is not None:
            import uuid

            from .forkserver import ForkProvisioner

            self.km.kernel_id = str(uuid.uuid4())
            prov = ForkProvisioner(kernel_id=self.km.kernel_id, kernel_spec=self.km.kernel_spec, parent=self.km)
            prov.server = server
            self.km.provisioner = prov
            self.forked = True
        run_sync(self.km.start_kernel)(cwd=cwd)
        self.kc = self.km.blocking_client()
        self.kc.start_channels()
        # queued by zmq until the kernel listens; the kernel imports while the caller works on
        self.msg_id = self.kc.execute(_warmup_code(modules), silent=True, store_history=False,
                                      allow_stdin=False)

    def _reply(self, msg_id: str, deadline: float) -> bool:
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_shell_msg(timeout=min(1.0, max(0.01, deadline - time.monotonic())))
            except Exception:  # noqa: BLE001 - queue.Empty: not yet
                from jupyter_core.utils import run_sync

                if not run_sync(self.km.is_alive)():
                    return False
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg.get("content", {}).get("status", "ok") == "ok" or msg_id == self.msg_id
        return False

    def wait(self, timeout: float, chdir: str | None = None) -> bool:
        """Wait for the warm-up reply, then move the kernel into ``chdir`` (the run's own folder).

        False when the kernel did not answer in time, died, or could not change folder.
        """
        deadline = time.monotonic() + timeout
        try:
            if not self._reply(self.msg_id, deadline):
                return False
            if chdir is not None:
                code = f"import os as __o\n__o.chdir({chdir!r})\ndel __o\n"
                mid = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
                return self._reply(mid, deadline)
            return True
        finally:
            self.kc.stop_channels()

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            self.kc.stop_channels()
        except Exception:  # noqa: BLE001
            pass
        try:
            if run_sync(self.km.is_alive)():
                run_sync(self.km.shutdown_kernel)(now=True)
            run_sync(self.km.cleanup_resources)()
        except Exception:  # noqa: BLE001 - best effort; the kernel also exits with its parent
            pass


class KernelPool:
    """Pre-started kernels that have already imported the notebooks' libraries (one per process).

    :meth:`acquire` hands out a warm kernel manager for one notebook and at once starts the next
    spare, which imports pandas, plotly, statsmodels, ``evaluation`` ... while the current notebook
    runs; the notebook then finds its imports in ``sys.modules``. Every kernel executes exactly
    one notebook and is killed afterwards (nbclient's ``shutdown_kernel="immediate"``), so runs
    stay isolated as with papermill's own kernel start. A spare kernel whose folder (``cwd``),
    kernel name or module list does not match the next run is shut down and replaced.

    Examples
    --------
    >>> pool = KernelPool("evaluation")
    >>> pool.close()  # nothing started yet
    """

    def __init__(self, kernel_name: str = KERNEL_NAME, start_timeout: float = 120.0, fork: bool | None = None):
        self.kernel_name = kernel_name
        self.start_timeout = start_timeout
        self.fork = (os.environ.get("EVALUATION_FORK_KERNELS", "1") != "0") if fork is None else fork
        self._spare: _WarmKernel | None = None
        self._server = None  # ForkServer: template process the kernels are forked from

    def _fork_server(self, modules: tuple[str, ...]):
        """The template process (started on first use) with ``modules`` imported; None: no forking."""
        if not self.fork:
            return None
        if self._server is not None and not self._server.alive():
            self._server.close()
            self._server = None
        if self._server is None:
            from jupyter_client.kernelspec import KernelSpecManager

            from .forkserver import ForkServer

            try:
                self._server = ForkServer.for_spec(KernelSpecManager().get_kernel_spec(self.kernel_name),
                                                   start_timeout=self.start_timeout)
            except Exception as exc:  # noqa: BLE001 - ordinary kernels instead
                log.warning("no fork server: %s", exc)
                self.fork = False
                return None
            if self._server is None:
                self.fork = False
                return None
        self._server.preload(modules)
        return self._server

    def prestart(self, cwd: str, modules: tuple[str, ...]) -> None:
        """Start a spare kernel for ``cwd`` that imports ``modules`` in the background."""
        if self._spare is not None:
            if (self._spare.cwd, self._spare.modules) == (cwd, modules):
                return
            self._spare.shutdown()
            self._spare = None
        try:
            self._spare = _WarmKernel(self.kernel_name, cwd, modules, self._fork_server(modules))
        except Exception as exc:  # noqa: BLE001 - no spare: papermill starts its own kernel
            log.warning("could not pre-start a kernel: %s", exc)
            self._spare = None

    def acquire(self, cwd: str, modules: tuple[str, ...], prestart_next: bool = True, chdir: str | None = None):
        """A warm ``AsyncKernelManager`` for one notebook (None: let papermill start one).

        Spare kernels start in ``cwd`` (a neutral folder shared by the batch); ``chdir`` then moves
        the acquired kernel into the run's own folder, so that relative writes land there.
        """
        self.prestart(cwd, modules)
        warm, self._spare = self._spare, None
        if warm is not None and not warm.wait(self.start_timeout, chdir=chdir):
            warm.shutdown()
            warm = None
        if prestart_next:
            self.prestart(cwd, modules)
        return None if warm is None else warm.km

    def close(self) -> None:
        """Shut the spare kernel and the fork server down."""
        if self._spare is not None:
            self._spare.shutdown()
            self._spare = None
        if self._server is not None:
            self._server.close()
            self._server = None


_POOLS: dict[str, KernelPool] = {}


def _process_pool(kernel_name: str) -> KernelPool:
    pool = _POOLS.get(kernel_name)
    if pool is None:
        import atexit

        pool = _POOLS[kernel_name] = KernelPool(kernel_name)
        atexit.register(pool.close)
    return pool


def close_pools() -> None:
    """Shut down the spare kernels of this process (called at the end of every batch)."""
    for pool in _POOLS.values():
        pool.close()


def _saving_engine_class():
    """papermill's nbclient engine, but the partial notebook is written when execution stops early.

    papermill writes the output notebook when a cell raises, not when a cell times out or the
    kernel dies (``CellTimeoutError``/``DeadKernelError`` propagate before the write); with
    ``partial_path`` the executed part (outputs so far, the papermill cell metadata) is saved
    there first.
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager
    from papermill.iorw import write_ipynb

    class SavingEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, partial_path=None, **kwargs):
            nb_man = NotebookExecutionManager(nb, output_path=output_path, progress_bar=progress_bar,
                                              log_output=log_output, autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            except BaseException:
                if partial_path:
                    try:
                        nb_man.cleanup_pbar()
                        nb_man.notebook_complete()
                        write_ipynb(nb_man.nb, partial_path)
                    except Exception:  # noqa: BLE001 - the original error matters more
                        log.warning("could not save the partial notebook %s", partial_path)
                raise
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    return SavingEngine


def _saving_engine() -> str:
    from papermill.engines import papermill_engines

    if "evaluation-saving" not in papermill_engines._engines:
        papermill_engines.register("evaluation-saving", _saving_engine_class())
    return "evaluation-saving"


def _pooled_engine():
    """papermill engine that executes on a given kernel manager and kills that kernel afterwards."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class PooledEngine(_saving_engine_class()):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            # same as NBClientEngine, but the client also owns the cleanup of the given kernel
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout, kernel_name=kernel_name, log=logging.getLogger("papermill"),
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
            )
            return PapermillNotebookClient(nb_man, **final_kwargs).execute(cleanup_kc=True)

    if "evaluation-pooled" not in papermill_engines._engines:
        papermill_engines.register("evaluation-pooled", PooledEngine)
    return "evaluation-pooled"


def execute_run(spec: RunSpec, staging_root: str, timeout: float = DEFAULT_TIMEOUT,
                kernel_name: str = KERNEL_NAME, attempt: int = 1, warm: tuple[str, ...] | None = None,
                prestart_next: bool = False) -> dict[str, Any]:
    """Execute one run into ``<staging_root>/<folder>`` and return its :class:`RunRecord` as dict.

    Never raises for a notebook error: the record says ``failed`` / ``timeout`` / ``privacy`` with an
    error summary, and the partial notebook is kept. Parameter problems are recorded as ``failed``
    before any kernel starts. This is the function the process and Dask executors call; the serial
    executor calls its two halves so that one run's HTML report and privacy scan overlap the next
    notebook.

    ``warm`` (module names, see :func:`notebook_imports`) runs the notebook on a kernel of this
    process's :class:`KernelPool` that has already imported them; ``prestart_next`` starts the
    next spare kernel meanwhile. Without ``warm`` papermill starts a fresh kernel as usual. Either
    way the kernel executes this notebook only, with papermill's injected-parameters cell, error
    cell, partial notebook on failure and execution timeout.
    """
    return _finish_run(_run_notebook(spec, staging_root, timeout, kernel_name, attempt, warm, prestart_next))


@dataclasses.dataclass
class _Executed:
    """A run whose notebook has executed (or failed) and still needs its HTML report and privacy scan."""

    spec: RunSpec
    folder: Path
    params: dict[str, Any]
    status: str
    error: str
    attempt: int
    seconds: float
    peak_rss_mb: float | None = None


def _run_notebook(spec: RunSpec, staging_root: str, timeout: float, kernel_name: str, attempt: int,
                  warm: tuple[str, ...] | None, prestart_next: bool) -> _Executed:
    """First half of :func:`execute_run`: parameters, kernel, papermill execution (never raises)."""
    import papermill as pm

    folder = (Path(staging_root) / spec.folder).resolve()  # absolute: the kernel runs in the notebook's folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    params = dict(spec.parameters)
    params.setdefault("data_dir", spec.data_dir)
    params["results_path"] = str(folder / "results.json")
    (folder / "parameters.json").write_text(json.dumps({k: v for k, v in params.items() if k != "results_path"},
                                                       ensure_ascii=False, indent=2), encoding="utf-8")
    logger = logging.getLogger("papermill")
    handler = MaskedFileHandler(folder / "run.log")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    status, error = "ok", ""
    t0 = time.perf_counter()
    nb_out = folder / "notebook.ipynb"
    rss = None
    try:
        validate_parameters(spec.notebook, params)
        # the kernel works in the run's own folder: a relative write lands in the run (and passes
        # the privacy gate), never in notebooks/ or anywhere else in the repository
        cwd = str(folder)
        engine: dict[str, Any] = {"engine_name": _saving_engine(), "partial_path": str(nb_out)}
        if warm is not None:
            t_k = time.perf_counter()
            km = _process_pool(kernel_name).acquire(str(Path(staging_root).resolve()), tuple(warm),
                                                    prestart_next=prestart_next, chdir=cwd)
            logger.info("warm kernel %s after %.2f s", "ready" if km is not None else "unavailable",
                        time.perf_counter() - t_k)
            if km is not None:
                engine = {"engine_name": _pooled_engine(), "km": km, "shutdown_kernel": "immediate",
                          "partial_path": str(nb_out)}
                rss = _PeakRSS(_kernel_pid(km))
        pm.execute_notebook(
            spec.notebook, str(nb_out), parameters=params, kernel_name=kernel_name,
            cwd=cwd, execution_timeout=timeout, progress_bar=False,
            log_output=True, request_save_on_cell_execute=False, start_timeout=120,
            # papermill raises when a cell's output arrives > iopub_timeout after its reply (nbclient's
            # default 4 s): on a loaded machine the first figure's 4.8 MB plotly.js message can take longer
            iopub_timeout=IOPUB_TIMEOUT, **engine,
        )
    except ParameterError as exc:
        status, error = "failed", f"ParameterError: {exc}"
    except BaseException as exc:  # noqa: BLE001 - isolate every notebook failure
        name = type(exc).__name__
        timed_out = "Timeout" in name or "timed out" in str(exc).lower() or "timeout" in str(exc).lower()[:200]
        status = "timeout" if timed_out else "failed"
        error = _error_summary(exc)
        logger.error("run %s %s: %s", spec.name, status, traceback.format_exc())
    finally:
        logger.removeHandler(handler)
        handler.close()
    peak = rss.stop() if rss is not None else None
    return _Executed(spec, folder, params, status, error, attempt, time.perf_counter() - t0, peak)


def _finish_run(done: _Executed) -> dict[str, Any]:
    """Second half of :func:`execute_run`: HTML report, privacy gate, the run's record."""
    from . import privacy

    t0 = time.perf_counter()
    spec, folder, params, status, error = done.spec, done.folder, done.params, done.status, done.error
    nb_out = folder / "notebook.ipynb"
    if status == "ok":
        try:
            from . import story

            top = story.top_html(folder, spec.notebook, title=spec.title, snapshot=_snapshot_of(folder),
                                 created=dt.datetime.now(dt.timezone.utc).date().isoformat())
            render_html(nb_out, folder / "rapport.html", title=spec.title, top_html=top)
        except Exception as exc:  # noqa: BLE001
            status, error = "failed", f"HTML report: {_error_summary(exc)}"
        if status == "ok" and os.environ.get("EVALUATION_PDF", "1") != "0":
            from .rendering import chromium_path, render_pdf

            if chromium_path():  # the board's PDF; without Chromium the HTML report stands alone
                try:
                    render_pdf(folder / "rapport.html", folder / "rapport.pdf")
                except Exception as exc:  # noqa: BLE001
                    status, error = "failed", f"PDF report: {_error_summary(exc)}"
    findings: list[dict] = []
    t_gate = time.perf_counter()
    hits = privacy.scan_outputs(folder, allow=spec.allow_unscanned)
    if len(hits):
        # the whole run folder is quarantined by the caller (_move_runs_into_place): nothing of it
        # is published; the record names the files, the numbers masked
        findings = hits.head(50).to_dict("records")
        unreadable = hits[hits["kind"] == privacy.UNREADABLE]
        numbers = hits[hits["kind"] != privacy.UNREADABLE]
        parts = []
        if len(numbers):
            where = ", ".join(f"{r.file} ({r.location}: {r.kind} {r.masked})"
                              for r in numbers.drop_duplicates("file").head(5).itertuples())
            parts.append(f"{len(numbers)} personnummer eller nära personnummer i utdata: {where}")
        if len(unreadable):
            names = ", ".join(sorted(set(unreadable["file"]))[:5])
            parts.append(f"filer som integritetsgrinden inte kan läsa: {names} (skriv CSV/Parquet/JSON, "
                         "eller tillåt dem med allow_unscanned i körfilen)")
        status = "privacy"
        error = privacy.redact("; ".join(parts) + "; körmappen är satt i karantän och publiceras inte")
    log.info("privacy gate %s: %.3f s", spec.name, time.perf_counter() - t_gate)
    record = RunRecord(
        name=spec.name, runfile=spec.runfile, notebook=spec.notebook,
        parameters={k: v for k, v in params.items() if k != "results_path"},
        status=status, duration_s=round(done.seconds + time.perf_counter() - t0, 3), error=error,
        attempt=done.attempt, peak_rss_mb=done.peak_rss_mb,
        folder=spec.folder, files=[] if findings else sorted(p.name for p in folder.iterdir()),
        findings=findings,
    )
    if privacy.redact(spec.folder) != spec.folder and not findings:
        record.status, record.findings, record.files = "privacy", [{"file": "", "location": "körningens namn",
                                                                    "kind": "personnummer", "masked": privacy.MASK}], []
        record.error = "körningens namn innehåller ett personnummer; körmappen är satt i karantän"
    out = privacy.redact_obj(record.to_dict())
    out["_staging_folder"] = spec.folder  # the real folder name, never written anywhere
    return out


# --------------------------------------------------------------------------- snapshots
def _git_commit(cwd: Path) -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return head.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def build_manifest(snapshot_id: str, records: list[dict], specs: list[RunSpec], created: str,
                   status: str) -> dict[str, Any]:
    """The snapshot manifest: runs, inputs with sha256, package version, git commit.

    Keys: ``snapshot``, ``created`` and ``completed`` (UTC ISO), ``status`` (``complete`` when
    every run is ok, else ``incomplete``), ``package_version``, ``git_commit`` (``-dirty`` when the
    work tree had uncommitted changes), ``python``, ``runs`` (one :class:`RunRecord` dict each:
    name, runfile, notebook, parameters, status, duration_s, error, attempt, folder, files,
    input_files) and ``inputs`` (absolute path -> sha256 of every data file, notebook and run file).
    """
    inputs: dict[str, str] = {}
    by_name = {s.name: s for s in specs}
    for rec in records:
        spec = by_name.get(rec["name"])
        if spec is None:
            continue
        hashes = input_hashes([spec.data_dir, spec.notebook, spec.runfile])
        rec["input_files"] = sorted(hashes)
        inputs.update(hashes)
    root = project_root(Path(specs[0].runfile)) if specs else Path.cwd()
    return {
        "snapshot": snapshot_id,
        "created": created,
        "completed": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "status": status,
        "package_version": __version__,
        "git_commit": _git_commit(root),
        "python": sys.version.split()[0],
        "kernel": KERNEL_NAME,
        "runs": sorted(records, key=lambda r: r["name"]),
        "inputs": dict(sorted(inputs.items())),
    }


def _write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def _set_readonly(folder: Path) -> None:
    for p in sorted(folder.rglob("*"), reverse=True):
        mode = p.stat().st_mode
        p.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    folder.chmod(folder.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _execute_all(specs: list[RunSpec], staging: Path, jobs: int, timeout: float, executor: str,
                 scheduler: str | None, attempts: dict[str, int] | None = None,
                 progress: bool = True, warm_kernels: bool = True) -> list[dict]:
    from tqdm.auto import tqdm

    attempts = attempts or {}
    # warm kernels (KernelPool) for the local executors; Dask workers start their own kernels
    warm = (tuple(sorted(set(notebook_imports(sorted({s.notebook for s in specs}))) | set(RUNTIME_IMPORTS)))
            if warm_kernels else None)
    bar = tqdm(total=len(specs), desc="Körningar", unit="körning", disable=not progress, file=sys.stderr)
    records = _ProgressRecords(staging / ".progress.jsonl")
    try:
        if executor == "dask":
            from distributed import Client, LocalCluster, as_completed

            cluster = None
            if scheduler:
                client = Client(scheduler)
            else:
                cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                                       dashboard_address=None)
                client = Client(cluster)
            try:
                # every worker process keeps its own KernelPool (warm kernels) like the local executors
                futures = [client.submit(execute_run, s, str(staging), timeout, KERNEL_NAME,
                                         attempts.get(s.name, 1), warm, True, pure=False) for s in specs]
                for fut in as_completed(futures):
                    records.append(fut.result())
                    bar.update(1)
            finally:
                client.close()
                if cluster is not None:
                    cluster.close()
        elif jobs > 1:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor, as_completed as done

            with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as pool:
                # the last `jobs` runs start no spare kernel (the workers pick runs in order)
                futs = [pool.submit(execute_run, s, str(staging), timeout, KERNEL_NAME, attempts.get(s.name, 1),
                                    warm, i < len(specs) - jobs)
                        for i, s in enumerate(specs)]
                for fut in done(futs):
                    records.append(fut.result())
                    bar.update(1)
        else:
            # pipelined: the HTML report and privacy scan of one run (a thread) overlap the next
            # notebook's execution (its own kernel process); records keep the run order
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="finish-run") as post:
                futs = []
                for i, s in enumerate(specs):
                    done = _run_notebook(s, str(staging), timeout, KERNEL_NAME, attempts.get(s.name, 1),
                                         warm, i < len(specs) - 1)
                    futs.append(post.submit(_finish_run, done))
                    futs[-1].add_done_callback(lambda _f: bar.update(1))
                records.extend(f.result() for f in futs)
    finally:
        bar.close()
        close_pools()
    return list(records)


class _ProgressRecords(list):
    """The batch's records, each also appended as one JSON line to a hidden progress file as soon as
    it is known (status, duration, peak memory; no outputs), so a long batch can be followed and
    measured while it runs (``tail -f <snapshot>.partial/.staging/.progress.jsonl``; removed with the
    staging folder when the batch ends: the manifest then holds the same records)."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path

    def append(self, rec: dict) -> None:
        super().append(rec)
        line = {k: rec.get(k) for k in ("name", "status", "duration_s", "peak_rss_mb", "attempt")}
        line["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        try:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError:
            pass

    def extend(self, recs) -> None:
        for rec in recs:
            self.append(rec)


def _move_runs_into_place(staging: Path, target: Path, records: list[dict], quarantine: Path) -> None:
    """Publish clean run folders into ``target``; move flagged ones whole into ``quarantine`` (mode 700)."""
    for rec in records:
        src = staging / rec.pop("_staging_folder", rec["folder"])
        if rec["status"] == "privacy":
            quarantine.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(quarantine, 0o700)
            dst = quarantine / f"{src.name}.attempt{rec['attempt']}"
            if dst.exists():
                shutil.rmtree(dst)
            if src.exists():
                os.rename(src, dst)
            from .privacy import redact

            rec["quarantine"] = redact(dst.relative_to(quarantine.parent.parent).as_posix())
            rec["files"] = []
            continue
        dst = target / rec["folder"]
        if dst.exists():
            attempts = target / ".attempts"
            attempts.mkdir(exist_ok=True)
            os.rename(dst, attempts / f"{rec['folder']}.attempt{rec['attempt'] - 1}")
        os.rename(src, dst)


def _quarantine_root(target: Path) -> Path:
    """Where flagged runs of snapshot ``target`` are kept for the operator: ``<parent>/.karantan/<name>`` (700).

    Outside the snapshot, so nothing in it is published; a hidden sibling of the snapshots.
    """
    return target.parent / ".karantan" / target.name


class MaskedFileHandler(logging.FileHandler):
    r"""The ``run.log`` writer: every line passes the one masker (:func:`evaluation.privacy.redact`) before it is written.

    Library runs (:func:`run`, :func:`execute_run`) write their log masked from the first byte, as the
    CLI does (:func:`evaluation.privacy.install_redaction`): a personnummer a notebook prints (papermill
    logs every cell's output) never reaches the disk raw, not even in the staging folder of a run that
    is killed before its gate runs. Format: ``asctime levelname message``, UTF-8.

    Examples
    --------
    >>> import logging, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.log"
    >>> h = MaskedFileHandler(path); log = logging.getLogger("exempel.runlog"); log.addHandler(h)
    >>> log.warning("deltagare %s", "811228-9874"); log.removeHandler(h); h.close()
    >>> path.read_text(encoding="utf-8").split(" ", 2)[-1]
    'WARNING deltagare ******-****\n'
    """

    def __init__(self, path, mode: str = "a"):
        super().__init__(path, mode=mode, encoding="utf-8")
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))

    def format(self, record) -> str:
        from .privacy import redact

        return redact(super().format(record))


class _FolderLock:
    """An exclusive, non-blocking lock per output folder (``<parent>/.<name>.lock``, ``fcntl.flock``).

    Held for the whole run; the lock file records the owner's pid and is removed when the run
    releases it (no empty ``.<name>.lock`` stays beside the snapshots). The kernel drops a flock when
    its process dies (also on ``kill -9``), so a stale lock file never blocks the next run.

    Removing the file cannot let two runs in: the owner unlinks it while still holding the lock,
    and a process that acquires a lock checks that its descriptor is still the file at the path
    (same inode); if the file was removed or replaced meanwhile, it tries again on the current file.
    """

    def __init__(self, target: Path):
        self.path = target.parent / f".{target.name}.lock"
        self.fd: int | None = None

    def __enter__(self) -> "_FolderLock":
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                try:
                    owner = os.read(fd, 64).decode("ascii", "replace").strip() or "?"
                finally:
                    os.close(fd)
                raise SnapshotError(f"another evaluation run (pid {owner}) is writing "
                                    f"{self.path.parent / self.path.name[1:-5]}; "
                                    "wait for it to finish or choose another --out") from None
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # the previous owner removed the file after we opened it: lock the current one
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        import fcntl

        if self.fd is not None:
            try:
                if os.stat(self.path).st_ino == os.fstat(self.fd).st_ino:
                    os.unlink(self.path)  # still ours and still locked: nobody else can hold it
            except FileNotFoundError:
                pass
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    @staticmethod
    def held(lock_path: Path) -> bool:
        """Whether another process holds the lock at ``lock_path`` now."""
        import fcntl

        try:
            fd = os.open(lock_path, os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        finally:
            os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_alive(partial: Path) -> bool:
    """Whether the process recorded in ``partial/.owner`` is still running (and is not this one)."""
    try:
        pid = int((partial / ".owner").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return False
    return pid != os.getpid() and _pid_alive(pid)


def _clean_orphans(parent: Path) -> list[Path]:
    """Remove what killed runs left in ``parent``: ``.<name>.partial`` and ``.staging`` folders.

    Only folders whose lock is free and whose recorded owner process is dead are removed; a
    ``.partial`` of a live run is never touched. Orphans may hold raw personnummer (a run's log
    before its gate ran), so they are deleted, not published. Returns what was removed.
    """
    removed = []
    if not parent.is_dir():
        return removed
    for partial in parent.glob(".*.partial"):
        name = partial.name[1:-len(".partial")]
        if _FolderLock.held(parent / f".{name}.lock") or _owner_alive(partial):
            continue
        _rmtree(partial)
        removed.append(partial)
    for snap in parent.iterdir():  # an interrupted --retry-failed leaves <snapshot>/.staging
        staging = snap / ".staging"
        if snap.is_dir() and not snap.name.startswith(".") and staging.is_dir():
            if _FolderLock.held(parent / f".{snap.name}.lock") or _owner_alive(staging):
                continue
            _rmtree(staging)
            removed.append(staging)
    return removed


def _rmtree(path: Path) -> None:
    """``shutil.rmtree`` that also removes read-only files (a killed run may have left some)."""
    def onerror(func, p, _exc):
        try:
            os.chmod(Path(p).parent, 0o700)
            os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass

    shutil.rmtree(path, onerror=onerror)


def _write_owner(folder: Path) -> None:
    (folder / ".owner").write_text(f"{os.getpid()} {dt.datetime.now(dt.timezone.utc).isoformat()}\n",
                                   encoding="ascii")


def _publish_checks(partial: Path, quarantine: Path, manifest: dict) -> None:
    """Scan what the snapshot adds beside the run folders (run file copies, the manifest) before publishing.

    A run file copy with a number is moved to the quarantine (a retry then reports it); the
    manifest has passed :func:`evaluation.privacy.redact_obj` and is checked once more.
    """
    from . import privacy

    runfiles = partial / "runfiles"
    if runfiles.is_dir():
        hits = privacy.scan_outputs(runfiles)
        for name in sorted(set(hits["file"])):
            quarantine.mkdir(parents=True, exist_ok=True, mode=0o700)
            (quarantine / "runfiles").mkdir(exist_ok=True, mode=0o700)
            os.replace(runfiles / name, quarantine / "runfiles" / name)
            manifest.setdefault("quarantined_runfiles", []).append(privacy.redact(name))
    hits = privacy.scan_outputs(partial / MANIFEST)
    if len(hits):  # cannot happen after redact_obj; never publish if it does
        raise SnapshotError(privacy.redact(f"the manifest of {partial} holds personnummer after masking: "
                                           f"{hits.to_dict('records')}"))


_SURVEY_FILES = ("tabelluppsattning_nns.parquet", "tabelluppsattning_fokusgrupper.parquet",
                 "tabelluppsattning_kasam_personal.parquet")  # surveytables


def write_tableset(specs: list[RunSpec], staging: Path, jobs: int = 1) -> dict:
    """Protect the table set of the snapshot's data once and write it where its runs read it.

    Every board table of the snapshot's notebooks is a slice of one protected table set
    (:mod:`evaluation.tableset`): built from the data folder the runs share, dated by the data's
    latest date (as the board dashboards date it, so both read the same cells), protected (cached per content:
    :func:`evaluation.tableset.protect_cached`) and written to ``<staging>/tabelluppsattning.parquet``,
    where :func:`evaluation.tableset.current` finds it from a run's kernel; it moves into the
    snapshot with the runs. The NNS and focus-group tables are written beside it
    (:func:`evaluation.surveytables.write_snapshot`).

    Runs over several data folders (a national snapshot: one folder per förbund) get one set per
    folder, ``<staging>/tabelluppsattningar/<folder_key>/`` (:func:`evaluation.tableset.folder_key`),
    protected in ``jobs`` processes before any run starts; a run's kernel finds its folder's set
    from its ``data_dir`` (:func:`evaluation.tableset.snapshot_folder`).

    Returns
    -------
    dict
        For the manifest: ``fil`` and :meth:`evaluation.tableset.TableSet.cost` (cells, primary and
        secondary suppressions, share secondarily suppressed), ``sekunder`` (seconds), or ``fel``
        (a Swedish message) when no table set could be built; over several folders
        ``{"datamappar": {folder_key: <that dict>}, "sekunder": …}``.
    """
    dirs = sorted({str(Path(s.data_dir).resolve()) for s in specs if s.data_dir})
    if not dirs:
        return {"fel": "körningarna använder ingen datamapp: ingen tabelluppsättning"}
    if len(dirs) == 1:
        return _write_folder_tables(dirs[0], specs, staging)
    t0 = time.perf_counter()
    jobs_of = {d: [s for s in specs if s.data_dir and str(Path(s.data_dir).resolve()) == d] for d in dirs}
    targets = {d: staging / tableset.FOLDERS / tableset.folder_key(d) for d in dirs}
    for t in targets.values():
        t.mkdir(parents=True, exist_ok=True)
    out: dict = {}
    if jobs > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, len(dirs)), mp_context=mp.get_context("spawn")) as pool:
            futures = {d: pool.submit(_write_folder_tables, d, jobs_of[d], targets[d]) for d in dirs}
            out = {tableset.folder_key(d): f.result() for d, f in futures.items()}
    else:
        out = {tableset.folder_key(d): _write_folder_tables(d, jobs_of[d], targets[d]) for d in dirs}
    return {"datamappar": out, "sekunder": round(time.perf_counter() - t0, 1)}


def _write_folder_tables(data_dir: str, specs: list[RunSpec], target: Path) -> dict:
    """The participant table set and the survey tables of one data folder, written into ``target``."""
    t0 = time.perf_counter()
    try:  # the data's own extract date, as the board dashboards read it: one table set, one protection
        ts = tableset.for_data_dir(data_dir)
    except (EvaluationError, KeyError, ValueError) as exc:  # data the table set cannot read: the runs still run
        from .privacy import redact

        return {"fel": redact(f"ingen tabelluppsättning: {type(exc).__name__}: {exc}")}
    tableset.write_parquet(ts, Path(target) / tableset.FILENAME)
    out = {"fil": tableset.FILENAME, **ts.cost(), "sekunder": round(time.perf_counter() - t0, 1)}
    out.update(_write_survey_tables(specs, data_dir, Path(target)))
    return out


def _write_survey_tables(specs: list[RunSpec], data_dir: str, staging: Path) -> dict:
    """The NNS and focus-group tables of the snapshot (:func:`evaluation.surveytables.write_snapshot`),
    protected once beside the participant table set; their costs go into the manifest under
    ``tabelluppsattning.nns`` and ``tabelluppsattning.fokusgrupper``. The codebooks are those of the
    runs (parameter ``kodbocker`` of a fokusgrupper or slutrapport run), else the notebooks' default."""
    from . import surveytables

    books = sorted({str(s.parameters.get("kodbocker")) for s in specs if s.parameters.get("kodbocker")})
    try:
        return surveytables.write_snapshot(data_dir, staging,
                                           kodbocker=books[0] if len(books) == 1 else surveytables.DEFAULT_KODBOCKER)
    except (EvaluationError, KeyError, ValueError) as exc:  # the runs still run; each protects its own data
        from .privacy import redact

        return {"enkater": {"fel": redact(f"inga skyddade enkät- och fokusgruppstabeller: {type(exc).__name__}: {exc}")}}


def run_snapshot(runfiles: list[str | os.PathLike], out: str | os.PathLike | None = None, jobs: int = 1,
                 timeout: float = DEFAULT_TIMEOUT, executor: str = "local", scheduler: str | None = None,
                 progress: bool = True, root: str | os.PathLike = "snapshots",
                 warm_kernels: bool = True) -> tuple[Path, dict]:
    """Execute every notebook of the run files into a new snapshot; return (folder, manifest).

    Parameters
    ----------
    runfiles : list of paths
        Run files (``parametrized_runs/*.yaml``).
    out : path, optional
        Snapshot folder; default ``<root>/<UTC timestamp>`` (e.g. ``snapshots/20260115T020000Z``).
        It must not exist yet.
    jobs : int
        Parallel processes (one kernel per process); with ``executor="dask"`` the number of workers
        of the ``LocalCluster``.
    timeout : float
        Execution timeout per cell, seconds (always passed to papermill).
    executor : {"local", "dask"}
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); default a ``LocalCluster``.
    warm_kernels : bool
        Local executors run each notebook on a pre-started kernel that has already imported the
        notebooks' modules (:class:`KernelPool`, one kernel per notebook); False: papermill starts
        a cold kernel per notebook.

    Examples
    --------
    ``run_snapshot(["parametrized_runs/norrdal_2025.yaml"], jobs=2)`` executes that file's notebooks
    into ``snapshots/<timestamp>/norrdal-2025__deltagarfloden/`` etc. and writes ``manifest.json``.
    """
    specs: list[RunSpec] = []
    for rf in runfiles:
        specs.extend(load_runfile(rf))
    names = [s.name for s in specs]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise RunFileError(f"run names occur twice: {dups}; give the run files distinct 'name's")
    created = dt.datetime.now(dt.timezone.utc)
    snap_id = created.strftime("%Y%m%dT%H%M%SZ")
    target = (Path(out) if out else Path(root) / snap_id).resolve()
    if target.exists():
        raise SnapshotError(f"{target} exists already; a snapshot is never modified (use --retry-failed)")
    snap_id = target.name
    target.parent.mkdir(parents=True, exist_ok=True)
    with _FolderLock(target):
        if target.exists():  # finished by another run while we waited for nothing
            raise SnapshotError(f"{target} exists already; a snapshot is never modified (use --retry-failed)")
        _clean_orphans(target.parent)
        partial = target.parent / f".{target.name}.partial"
        if partial.exists():
            if _owner_alive(partial):
                raise SnapshotError(f"{partial} belongs to a running evaluation run; choose another --out")
            _rmtree(partial)
        partial.mkdir()
        _write_owner(partial)
        staging = partial / ".staging"
        staging.mkdir(parents=True)
        (partial / "runfiles").mkdir()
        copies = {}
        for rf in runfiles:
            dst = partial / "runfiles" / Path(rf).name
            k = 1
            while dst.exists():
                k += 1
                dst = partial / "runfiles" / f"{Path(rf).stem}.{k}{Path(rf).suffix}"
            shutil.copy2(rf, dst)
            copies[str(Path(rf).resolve())] = dst.relative_to(partial).as_posix()
        protection = write_tableset(specs, staging, jobs=max(1, jobs))
        records = _execute_all(specs, staging, jobs, timeout, executor, scheduler, progress=progress,
                               warm_kernels=warm_kernels)
        quarantine = _quarantine_root(target)
        _move_runs_into_place(staging, partial, records, quarantine)
        for fname in (tableset.FILENAME, *_SURVEY_FILES, tableset.FOLDERS):
            if (staging / fname).exists():
                os.replace(staging / fname, partial / fname)
        shutil.rmtree(staging)
        status = "complete" if all(r["status"] == "ok" for r in records) else "incomplete"
        manifest = build_manifest(snap_id, records, specs, created.isoformat(timespec="seconds"), status)
        manifest["runfile_copies"] = copies
        manifest["tabelluppsattning"] = protection
        manifest = _safe_manifest(manifest)
        _write_json_atomic(partial / MANIFEST, manifest)
        _publish_checks(partial, quarantine, manifest)
        if manifest.get("quarantined_runfiles"):
            _write_json_atomic(partial / MANIFEST, _safe_manifest(manifest))
        (partial / ".owner").unlink()
        os.rename(partial, target)
        if status == "complete":
            _set_readonly(target)
    return target, manifest


def _safe_manifest(manifest: dict) -> dict:
    """The manifest with every string passed through the one masker (paths, parameters, errors)."""
    from .privacy import redact_obj

    return redact_obj(manifest)


def retry_failed(snapshot: str | os.PathLike, jobs: int = 1, timeout: float = DEFAULT_TIMEOUT,
                 executor: str = "local", scheduler: str | None = None, progress: bool = True,
                 warm_kernels: bool = True) -> tuple[Path, dict]:
    """Rerun only the failed runs of an incomplete snapshot, into the same snapshot.

    The run files are read from the copies stored in the snapshot (``runfiles/``, resolved against
    the original project root), not from the current ones: a retry completes the snapshot that was
    asked for. The snapshot is locked like a new one. Earlier attempts are kept under ``<snapshot>/.attempts/``; the manifest is rewritten atomically
    with the new records (``attempt`` incremented). A complete snapshot raises
    :class:`SnapshotError`: it is never modified.
    """
    target = Path(snapshot).resolve()
    manifest_path = target / MANIFEST
    if not manifest_path.exists():
        raise SnapshotError(f"{target}: no {MANIFEST}; is this a snapshot folder?")
    with _FolderLock(target):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("status") == "complete":
            raise SnapshotError(f"{target} is complete; a complete snapshot is never modified")
        failed = [r for r in manifest["runs"] if r["status"] != "ok"]
        copies = manifest.get("runfile_copies", {})

        def stored(runfile: str) -> Path:
            """The run file copy in the snapshot."""
            copy = copies.get(runfile)
            if copy is None or not (target / copy).exists():
                raise SnapshotError(f"{target}: the run file {Path(runfile).name} is not stored in the snapshot "
                                    "(runfiles/); start a new snapshot instead")
            return target / copy

        specs: list[RunSpec] = []
        for rf in sorted({r["runfile"] for r in failed}):
            specs.extend(s for s in load_runfile(stored(rf), origin=rf) if s.name in {r["name"] for r in failed})
        attempts = {r["name"]: int(r.get("attempt", 1)) + 1 for r in failed}
        _clean_orphans(target.parent)
        staging = target / ".staging"
        if staging.exists():
            _rmtree(staging)
        staging.mkdir()
        _write_owner(staging)
        for fname in (tableset.FILENAME, *_SURVEY_FILES):  # the retried runs slice the snapshot's own tables
            if (target / fname).exists():
                shutil.copy2(target / fname, staging / fname)
        if (target / tableset.FOLDERS).is_dir():
            shutil.copytree(target / tableset.FOLDERS, staging / tableset.FOLDERS)
        records = _execute_all(specs, staging, jobs, timeout, executor, scheduler, attempts, progress=progress,
                               warm_kernels=warm_kernels)
        _move_runs_into_place(staging, target, records, _quarantine_root(target))
        shutil.rmtree(staging)
        by_name = {r["name"]: r for r in manifest["runs"]}
        by_name.update({r["name"]: r for r in records})
        all_records = list(by_name.values())
        all_specs = []
        for rf in sorted({r["runfile"] for r in all_records}):
            all_specs.extend(load_runfile(stored(rf), origin=rf))
        status = "complete" if all(r["status"] == "ok" for r in all_records) else "incomplete"
        new = build_manifest(manifest["snapshot"], all_records, all_specs, manifest["created"], status)
        new["runfile_copies"] = copies
        if "tabelluppsattning" in manifest:  # the retried runs sliced the same protected tables
            new["tabelluppsattning"] = manifest["tabelluppsattning"]
        new["retried"] = manifest.get("retried", []) + [new["completed"]]
        new = _safe_manifest(new)
        _write_json_atomic(manifest_path, new)
        if status == "complete":
            _set_readonly(target)
    return target, new


# --------------------------------------------------------------------------- CLI
def _print_summary(target: Path, manifest: dict) -> None:
    width = max((len(r["name"]) for r in manifest["runs"]), default=10)
    print(f"\nÖgonblicksbild / snapshot: {target}")
    print(f"{'Körning'.ljust(width)}  {'Status':8}  {'Tid (s)':>8}  Fel")
    for r in manifest["runs"]:
        err = " ".join(str(r.get("error", "")).split())
        print(f"{r['name'].ljust(width)}  {r['status']:8}  {r['duration_s']:8.1f}  {err[:160]}")
    ok = sum(r["status"] == "ok" for r in manifest["runs"])
    print(f"{ok} av {len(manifest['runs'])} körningar klara; status: {manifest['status']}")


def cli(args) -> int:
    """``evaluation run``: see :func:`evaluation.cli.build_parser` for the arguments."""
    if args.retry_failed:
        try:
            target, manifest = retry_failed(args.retry_failed, jobs=args.jobs, timeout=args.timeout,
                                            executor=args.executor, scheduler=args.scheduler)
        except (RunFileError, SnapshotError, OSError, ValueError) as exc:
            print("error: " + " ".join(str(exc).split()), file=sys.stderr)
            return 2
    else:
        runfiles = list(args.runfiles)
        if args.all:
            runfiles += sorted(str(p) for p in Path(args.runs_dir).glob("*.yaml"))
        if not runfiles:
            print("Inga körfiler: ange RUNFILE ... eller --all", file=sys.stderr)
            return 2
        try:
            target, manifest = run_snapshot(runfiles, out=args.out, jobs=args.jobs, timeout=args.timeout,
                                            executor=args.executor, scheduler=args.scheduler)
        except (RunFileError, SnapshotError) as exc:
            print("error: " + " ".join(str(exc).split()), file=sys.stderr)
            return 2
    _print_summary(target, manifest)
    return 0 if manifest["status"] == "complete" else 1
