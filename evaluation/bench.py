"""Benchmark suite: ``make bench`` (``python -m evaluation.bench``).

Every figure is measured against a **baseline measured in the same run**, on the same machine, and
reported with its absolute time, the ratio and the target of issue 11 (BENCHMARKS.md):

=================  ===========================================================  ==================
benchmark          what / floor or baseline (same run)                          target
=================  ===========================================================  ==================
``batch``          ``evaluation run`` of every sample run file with             ≤ 1.3× the floor
                   ``--jobs 2`` vs the floor: the same notebooks back to back
                   in ONE warm kernel, divided by the jobs; also measured with
                   ordinary (not forked) warm kernels
``overhead``       (jobs × wall − Σ compute) / runs: core-seconds per run       –
                   besides the notebooks' cells
``kasam``          :func:`evaluation.kasam.score` of 1 000 000 SOC-29           ≤ 1 s, ≥ 50×
                   respondents vs a row-by-row loop (subsample, scaled)
``montecarlo``     :func:`evaluation.costbenefit.monte_carlo`, 100 000 draws    ≤ 1 s
                   vs :func:`~evaluation.costbenefit.evaluate` draw by draw
``xlsx``           :func:`evaluation.io.load_episodes` of a 200 000-row XLSX    ≤ 1.5× the floor
                   vs the floor ``python_calamine`` reading it into lists
``columnar``       the same of 1 000 000 episodes as Parquet and CSV vs         ≤ 3× the floor
                   ``pyarrow`` reading the file
``scaling``        import, flows, KASAM, indicators and table protection on     exponent ≤ n log n
                   the synthetic nation (:mod:`evaluation.nation`) at several
                   sizes; growth exponents in the number of episodes
``dashboard``      Voilà dashboard in Debian's Chromium via Playwright: time    ≤ 3 s, ≤ 0.5 s
                   to interactive and filter change → redrawn figure
``report_size``    largest ``rapport.html`` of the batch snapshot vs the same   ≤ 6 MB
                   report with plotly.js embedded once per figure
=================  ===========================================================  ==================

Results go to ``bench_results/bench.json`` and ``bench_results/bench.md`` (gitignored) together
with the machine (cores, CPU model, memory, load average, Python, package versions, BLAS). The
200 000-row XLSX is generated once from ``data_samples/episoder.csv`` and cached in
``bench_results/``.

Run ``python -m evaluation.bench --help`` for the options (``--only``, ``--quick`` for tiny
sizes, ``--out``).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import math
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "Result",
    "Sizes",
    "bench_batch",
    "bench_dashboard",
    "bench_kasam",
    "bench_montecarlo",
    "bench_report_size",
    "bench_xlsx",
    "machine_info",
    "main",
    "make_episode_xlsx",
    "markdown_table",
    "run_all",
]

BENCHMARKS = ("batch", "kasam", "montecarlo", "xlsx", "columnar", "scaling", "dashboard", "report_size")
PACKAGES = ("numpy", "pandas", "scipy", "statsmodels", "plotly", "pandera", "papermill", "nbclient",
            "jupyter_client", "ipykernel", "nbconvert", "voila", "ipywidgets", "python-calamine", "openpyxl",
            "playwright", "pyarrow")


@dataclasses.dataclass
class Result:
    """One benchmark figure.

    ``value`` is the measured figure in ``unit``; ``baseline_value`` the baseline's figure in the
    same unit (``None`` when the figure has no timed baseline); ``ratio`` = baseline / value for
    times and sizes (higher is better); ``target`` a readable target and ``met`` whether the
    measured value meets it (``None``: not measured); ``limit`` says what limits the figure.
    """

    name: str
    label: str
    value: float | None
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    limit: str = ""
    details: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: "speedup": ratio = baseline / value (higher is better); "of_floor": ratio = value / floor,
    #: where the baseline is the floor the libraries allow (lower is better, ≥ 1 in practice)
    ratio_kind: str = "speedup"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Sizes:
    """Problem sizes; :meth:`quick` gives tiny ones for the smoke test."""

    respondents: int = 1_000_000
    loop_respondents: int = 20_000
    draws: int = 100_000
    loop_draws: int = 200
    xlsx_rows: int = 200_000
    table_rows: int = 1_000_000
    scaling_forbund: tuple[int, ...] = (10, 20, 40, 75)
    repeats: int = 3

    @classmethod
    def quick(cls) -> Sizes:
        return cls(respondents=5_000, loop_respondents=500, draws=2_000, loop_draws=5, xlsx_rows=400,
                   table_rows=2_000, scaling_forbund=(1, 2), repeats=1)


def _best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = math.inf, None
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _timed_cpu(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """``(wall s, CPU s, result)`` of one call; CPU = ``time.process_time`` (every thread of this
    process, e.g. pyarrow's readers), the figure that a busy shared machine disturbs least."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def _n(x: int) -> str:
    """Thousands with a (Swedish) space: 1 000 000."""
    return f"{x:,}".replace(",", " ")


def _ratio(baseline: float | None, value: float | None) -> float | None:
    if baseline is None or value is None or value <= 0:
        return None
    return baseline / value


# --------------------------------------------------------------------------- machine
def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


def machine_info() -> dict[str, Any]:
    """Cores, CPU model, memory, load average, Python, package versions and BLAS of this machine.

    Examples
    --------
    >>> info = machine_info()
    >>> info["cores"] >= 1 and "python" in info
    True
    """
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gib = round(int(line.split()[1]) / 1024**2, 1)
    blas = []
    with contextlib.suppress(Exception):
        from threadpoolctl import threadpool_info

        blas = [{k: v for k, v in d.items() if k in ("internal_api", "version", "architecture", "num_threads")}
                for d in threadpool_info()]
    chromium = ""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe:
        with contextlib.suppress(Exception):
            chromium = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=20, check=False).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu,
        "memory_gib": mem_gib,
        "loadavg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "packages": {p: _version(p) for p in PACKAGES},
        "evaluation": _version("evaluation"),
        "blas": blas,
        "openblas_env": {k: os.environ.get(k, "") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
        "chromium": chromium,
    }


# --------------------------------------------------------------------------- KASAM
def _soc29_frame(n: int, data_dir: Path, seed: int = 11) -> pd.DataFrame:
    """``n`` respondents resampled (with replacement) from the sample SOC-29 answers."""
    from . import inputs

    src = inputs.load(data_dir, require=["enkatsvar"]).kasam_deltagare
    cols = [f"soc29_{i}" for i in range(1, 30)]
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(src), n)
    out = pd.DataFrame({c: src[c].to_numpy(dtype="float64", na_value=np.nan)[pick] for c in cols})
    out["formversion"] = pd.array(src["formversion"].astype(str).to_numpy()[pick], dtype="str")
    return out


class _RowScorer:
    """The scoring rule of :func:`evaluation.kasam.score` for ONE respondent (the loop baselines).

    Written by hand from the rule in that docstring (reverse keying ``(min + max) − x``, subscale
    prorated as ``k × mean(answered)`` when at most ``floor(share × k)`` items are missing, total
    the sum of the subscales); returns (subscales..., total) with NaN where missing.
    """

    def __init__(self, form: str = "soc29", max_missing_share: float = 0.2):
        from . import instruments

        ins = self.ins = instruments.get(form)
        self.cols = [ins.column(i) for i in ins.items]
        pos = {i: j for j, i in enumerate(ins.items)}
        self.groups = [([pos[i] for i in items], math.floor(max_missing_share * len(items) + 1e-9))
                       for _, items in ins.subscales.items()]
        self.flip = ins.low + ins.high
        self._rev: dict[str, set] = {}

    def reversed_positions(self, fv: str) -> set:
        rev = self._rev.get(fv)
        if rev is None:
            keyed = set(self.ins.reverse_items(fv))
            rev = self._rev[fv] = {j for j, i in enumerate(self.ins.items) if i in keyed}
        return rev

    def __call__(self, values, fv: str) -> list[float]:
        rev = self.reversed_positions(fv)
        out, total = [], 0.0
        for positions, max_missing in self.groups:
            vals = [self.flip - values[j] if j in rev else values[j] for j in positions if values[j] == values[j]]
            k = len(positions)
            score = math.nan if (k - len(vals) > max_missing or not vals) else k * sum(vals) / len(vals)
            out.append(score)
            total += score
        out.append(total)
        return out


def _score_loop(df: pd.DataFrame, form: str = "soc29", max_missing_share: float = 0.2) -> np.ndarray:
    """Row-by-row baseline in plain Python (``itertuples``): an (n, subscales + 1) array."""
    one = _RowScorer(form, max_missing_share)
    rows = df[one.cols + ["formversion"]].itertuples(index=False, name=None)
    return np.array([one(row, row[-1]) for row in rows], dtype=float).reshape(len(df), len(one.groups) + 1)


def _score_apply(df: pd.DataFrame, form: str = "soc29", max_missing_share: float = 0.2) -> np.ndarray:
    """Row-by-row baseline in the pandas idiom: ``DataFrame.apply(..., axis=1)`` with the same rule."""
    one = _RowScorer(form, max_missing_share)
    cols = one.cols
    res = df[cols + ["formversion"]].apply(lambda row: one(row[cols].tolist(), row["formversion"]), axis=1)
    return np.array(res.tolist(), dtype=float).reshape(len(df), len(one.groups) + 1)


def bench_kasam(sizes: Sizes, data_dir: Path) -> Result:
    """SOC-29 scoring of ``sizes.respondents`` respondents vs a row-by-row loop (scaled)."""
    from . import kasam

    df = _soc29_frame(sizes.respondents, data_dir)
    t_vec, scored = _best_of(lambda: kasam.score(df, form="soc29"), sizes.repeats)
    vec = scored[["begriplighet", "hanterbarhet", "meningsfullhet", "total"]].to_numpy()
    sub_apply = df.iloc[: max(1, sizes.loop_respondents // 4)]
    t_apply_sub, by_apply = _best_of(lambda: _score_apply(sub_apply), 1)
    t_apply = t_apply_sub * len(df) / len(sub_apply)
    sub = df.iloc[: sizes.loop_respondents]
    t_tuples_sub, by_tuples = _best_of(lambda: _score_loop(sub), 1)
    t_tuples = t_tuples_sub * len(df) / len(sub)
    agree = bool(np.allclose(vec[: len(sub)], by_tuples, equal_nan=True)
                 and np.allclose(vec[: len(sub_apply)], by_apply, equal_nan=True))
    ratio = _ratio(t_apply, t_vec)
    return Result(
        "kasam", f"SOC-29-poäng, {_n(len(df))} svarande", t_vec, "s",
        baseline=f"rad för rad (DataFrame.apply, axis=1), {_n(len(sub_apply))} svarande uppskalat",
        baseline_value=t_apply, ratio=ratio, target="≤ 1 s och ≥ 50×",
        met=bool(t_vec <= 1.0 and (ratio or 0) >= 50),
        limit="memory bandwidth: each of the 29 item columns (8 MB per million) is read a few times "
              f"(missing, range, integer check, reverse keying, sum); best of {sizes.repeats}. Against the "
              f"fastest plain-Python loop (itertuples) the ratio is {_ratio(t_tuples, t_vec) or 0:.0f}×",
        details={"respondents": len(df), "apply_respondents": len(sub_apply), "apply_seconds_measured": t_apply_sub,
                 "itertuples_respondents": len(sub), "itertuples_seconds_measured": t_tuples_sub,
                 "itertuples_scaled_s": t_tuples, "ratio_vs_itertuples": _ratio(t_tuples, t_vec),
                 "agree_on_subsample": agree},
    )


# --------------------------------------------------------------------------- Monte Carlo
def bench_montecarlo(sizes: Sizes, data_dir: Path) -> Result:
    """Cost-benefit Monte Carlo (``bas`` scenario) vs :func:`evaluate` per draw (scaled)."""
    from . import costbenefit as cb

    from . import inputs

    indata = inputs.load(data_dir, scenario="bas", require=["enhetskostnader"])
    sc, uc, idx = indata.scenario, indata.unit_costs, indata.price_index
    seed = 20250101
    t_mc, mc = _best_of(lambda: cb.monte_carlo(sc, uc, n=sizes.draws, seed=seed, index=idx), sizes.repeats)
    # the same draws, evaluated one at a time with the hand-written deterministic model
    dists = dict(sc.osakerhet)
    rng = np.random.default_rng(seed)
    draws = {name: dists[name].sample(rng, sizes.draws) for name in sorted(dists)}
    m = min(sizes.loop_draws, sizes.draws)

    def loop() -> np.ndarray:
        rows = []
        for i in range(m):
            s = sc
            for name, arr in draws.items():
                s = s.with_param(name, float(arr[i]))
            rows.append(cb.evaluate(s, uc, idx, check_transfers="ignore").npv_per_actor)
        return pd.DataFrame(rows)

    t_loop_sub, per_draw = _best_of(loop, 1)
    t_loop = t_loop_sub * sizes.draws / m
    common = [a for a in per_draw.columns if a in mc.npv.columns]
    agree = bool(np.allclose(per_draw[common].to_numpy(), mc.npv[common].to_numpy()[:m], rtol=1e-9, atol=1e-3))
    return Result(
        "montecarlo", f"Monte Carlo kostnad–nytta, {_n(sizes.draws)} dragningar", t_mc, "s",
        baseline=f"evaluate() per dragning, {m} dragningar uppskalat", baseline_value=t_loop,
        ratio=_ratio(t_loop, t_mc), target="≤ 1 s", met=bool(t_mc <= 1.0),
        limit=f"NumPy arrays of draws × years / posts (no per-draw Python); best of {sizes.repeats}",
        details={"draws": sizes.draws, "loop_draws": m, "loop_seconds_measured": t_loop_sub,
                 "parameters": sorted(draws), "agree_on_subsample": agree},
    )


# --------------------------------------------------------------------------- XLSX import
def make_episode_xlsx(rows: int, data_dir: Path, cache_dir: Path) -> Path:
    """A ``rows``-row XLSX of episodes built from the catalogue's canonical episode CSV (cached by size
    and source hash; ``episoder.csv`` in ``data_samples``).

    Episodes are repeated with unique ``episod_id``/``deltagare_id`` suffixes; cells are typed as a
    case system would write them (years as numbers, dates as dates, ``Ja``/``Nej``-free booleans
    as text ``true``/``false`` as in the canonical CSV).
    """
    from . import catalogue

    # the canonical-format episode file of the data catalogue (CSV without a mapping), read as text
    canonical = [e for e in catalogue.read(data_dir).files("episoder") if e.format == "csv" and not e.mapping]
    if not canonical:
        raise catalogue.CatalogueError(f"{data_dir}: datakatalogen har ingen episodfil i kanoniskt CSV-format.")
    src_path = canonical[0].file
    digest = hashlib.sha256(src_path.read_bytes()).hexdigest()[:10]
    path = cache_dir / f"episoder_{rows}_{digest}.xlsx"
    if path.exists():
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    src = pd.read_csv(src_path, dtype=str, keep_default_na=False)
    reps = -(-rows // len(src))
    big = pd.concat([src] * reps, ignore_index=True).iloc[:rows]
    copy = pd.Series(np.arange(rows) // len(src)).astype(str)
    big = big.assign(episod_id=big["episod_id"] + "-" + copy, deltagare_id=big["deltagare_id"] + "-" + copy)

    def typed(col: str, v: str):
        if v == "":
            return None
        if col == "fodelsear":
            return int(v)
        if col in ("inskrivningsdatum", "avslutsdatum"):
            return pd.Timestamp(v).to_pydatetime()
        if col.startswith("omfattning"):
            return float(v)
        return v

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("episoder")
    cols = list(big.columns)
    ws.append(cols)
    for row in big.itertuples(index=False, name=None):
        ws.append([typed(c, v) for c, v in zip(cols, row)])
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    os.replace(tmp, path)
    return path


def _calamine_lists(path: Path) -> list[list]:
    """The floor: ``python_calamine`` reading the first sheet into Python lists, nothing else."""
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def bench_xlsx(sizes: Sizes, data_dir: Path, cache_dir: Path, openpyxl: bool = False) -> Result:
    """:func:`evaluation.io.load_episodes` of a big XLSX vs the floor ``python_calamine`` → lists.

    ``openpyxl`` also times ``pandas.read_excel`` with openpyxl (the older baseline, ~50 s).
    """
    from . import io

    path = make_episode_xlsx(sizes.xlsx_rows, data_dir, cache_dir)
    reps = max(1, sizes.repeats - 1)
    # floor and candidate alternate so that load changes on a shared machine hit both alike
    t_floor, t_ours, res, rows = math.inf, math.inf, None, None
    c_floor, c_ours = math.inf, math.inf
    for _ in range(reps):
        t, c, rows = _timed_cpu(lambda: _calamine_lists(path))
        t_floor, c_floor = min(t_floor, t), min(c_floor, c)
        t, c, res = _timed_cpu(lambda: io.load_episodes(path))
        t_ours, c_ours = min(t_ours, t), min(c_ours, c)
    details = {"rows": sizes.xlsx_rows, "file_mb": round(path.stat().st_size / 1e6, 2),
               "rows_accepted": int(res.report.rows_accepted), "rows_rejected": int(res.report.rows_rejected),
               "baseline_rows": len(rows) - 1, "repeats": reps,
               "cpu_s": c_ours, "floor_cpu_s": c_floor, "cpu_ratio": c_ours / c_floor if c_floor > 0 else None,
               "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None}
    if openpyxl:
        t_base, _ = _best_of(lambda: pd.read_excel(path, engine="openpyxl"), 1)
        details["pandas_openpyxl_read_s"] = t_base
    ratio = t_ours / t_floor
    return Result(
        "xlsx", f"Import + validering, XLSX {_n(sizes.xlsx_rows)} episoder", t_ours, "s",
        baseline="python_calamine läser bladet till Python-listor (golv)", baseline_value=t_floor,
        ratio=ratio, target="≤ 1.5× golvet", met=bool(ratio <= 1.5), ratio_kind="of_floor",
        limit="the XLSX XML parse and cell objects (calamine, the floor) plus turning lists into columns, "
              "conversion, pseudonymisation and validation", details=details,
    )


def make_episode_table(rows: int, data_dir: Path, cache_dir: Path, fmt: str = "parquet") -> Path:
    """A ``rows``-row episodes file (``parquet`` or ``csv``) built from ``episoder.csv`` (cached).

    Text columns as a case system would export them; episodes repeated with unique
    ``episod_id``/``deltagare_id`` suffixes.
    """
    src_path = data_dir / "episoder.csv"
    digest = hashlib.sha256(src_path.read_bytes()).hexdigest()[:10]
    path = cache_dir / f"episoder_{rows}_{digest}.{fmt}"
    if path.exists():
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    src = pd.read_csv(src_path, dtype=str, keep_default_na=False)
    reps = -(-rows // len(src))
    big = src.iloc[np.tile(np.arange(len(src)), reps)[:rows]].reset_index(drop=True)
    copy = (np.arange(rows) // len(src)).astype(str)
    big = big.assign(episod_id=big["episod_id"].to_numpy() + "-" + copy,
                     deltagare_id=big["deltagare_id"].to_numpy() + "-" + copy)
    tmp = path.with_suffix(f".tmp.{fmt}")
    if fmt == "parquet":
        big.replace("", None).to_parquet(tmp, index=False)
    else:
        big.to_csv(tmp, index=False)
    os.replace(tmp, path)
    return path


def import_limit(path: Path, repeats: int = 3) -> dict[str, float]:
    """The measured limit of a Parquet import: CPU seconds of the read and of the passes that no
    importer with the workbench's guarantees can skip (best of ``repeats``, one process).

    * ``read``: :func:`pyarrow.parquet.read_table` (the floor);
    * ``duplicate_key``: the duplicate-episode rule, one hash pass over (deltagare_id, insats,
      inskrivningsdatum) (:meth:`pandas.DataFrame.duplicated`);
    * ``unique_id``: the unique ``episod_id`` rule, one hash pass;
    * ``scan``: the personnummer scan of the two identifier columns in RE2 (the importer's own
      :func:`evaluation.privacy._arrow_candidates`);
    * ``mask``: :func:`evaluation.privacy.redact` of each distinct candidate (messages and the import
      report must never show a number);
    * ``pseudonymise``: :func:`evaluation.privacy.pseudonymise_text` (HMAC) of each distinct
      identifier that holds a personnummer-shaped number.

    Returns the seconds per pass, their ``sum`` and ``ratio`` = sum / read: the share of the
    3× target the read and these passes alone take (BENCHMARKS.md, "Import"). Hand-written measurement; no
    library does it.

    Examples
    --------
    ``import_limit(make_episode_table(1_000_000, Path("data_samples"), Path("bench_results")))``
    gave on the quiet machine (2026-12-01) a sum of 2,07 CPU-s, 4,7× the read of 0,44 CPU-s (BENCHMARKS.md).
    """
    import secrets

    import pyarrow.parquet as pq

    from . import privacy

    key = secrets.token_bytes(32)
    cols = ["deltagare_id", "episod_id", "insats", "inskrivningsdatum"]
    frame = pq.read_table(path, columns=cols).to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow")
                                                        if str(t) in ("string", "large_string") else None)
    ids = {c: frame[c] for c in ("deltagare_id", "episod_id")}
    arrows = {c: privacy._arrow_strings(s) for c, s in ids.items()}

    def candidates() -> dict[str, pd.Series]:
        return {c: s[privacy._arrow_candidates(s, arrows[c])] for c, s in ids.items()}

    cand = candidates()
    distinct = pd.unique(pd.concat(list(cand.values())).astype(object))
    shaped = [v for v in distinct if privacy.redact(v) != v]
    passes: dict[str, Callable[[], Any]] = {
        "read": lambda: pq.read_table(path),
        "duplicate_key": lambda: frame.duplicated(["deltagare_id", "insats", "inskrivningsdatum"]),
        "unique_id": lambda: frame["episod_id"].duplicated(),
        "scan": candidates,
        "mask": lambda: [privacy.redact(v) for v in distinct],
        "pseudonymise": lambda: [privacy.pseudonymise_text(v, key) for v in shaped],
    }
    out = {name: min(_timed_cpu(fn)[1] for _ in range(repeats)) for name, fn in passes.items()}
    out["sum"] = sum(out.values())  # the read and the passes: what an import cannot go below
    out["ratio"] = out["sum"] / out["read"] if out["read"] > 0 else float("nan")
    out["distinct_candidates"] = len(distinct)
    out["distinct_personnummer_shaped"] = len(shaped)
    return out


def bench_columnar(sizes: Sizes, data_dir: Path, cache_dir: Path) -> list[Result]:
    """:func:`evaluation.io.load_episodes` of 1 000 000 episodes as Parquet and CSV vs ``pyarrow`` reading them."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from . import io

    out = []
    reps = max(1, sizes.repeats - 1)
    for fmt, floor_fn, label in (("parquet", lambda p: pq.read_table(p), "pyarrow.parquet.read_table"),
                                 ("csv", lambda p: pacsv.read_csv(p), "pyarrow.csv.read_csv")):
        path = make_episode_table(sizes.table_rows, data_dir, cache_dir, fmt)
        t_floor, t_ours, res = math.inf, math.inf, None
        c_floor, c_ours = math.inf, math.inf
        for _ in range(reps):
            t, c, tab = _timed_cpu(lambda: floor_fn(path))
            t_floor, c_floor = min(t_floor, t), min(c_floor, c)
            t, c, res = _timed_cpu(lambda: io.load_episodes(path))
            t_ours, c_ours = min(t_ours, t), min(c_ours, c)
        ratio = t_ours / t_floor
        out.append(Result(
            f"import_{fmt}", f"Import + validering, {fmt.upper()} {_n(sizes.table_rows)} episoder", t_ours, "s",
            baseline=f"{label} (golv)", baseline_value=t_floor, ratio=ratio, target="≤ 3× golvet",
            met=bool(ratio <= 3.0), ratio_kind="of_floor",
            limit="on top of the read: the hash passes of the duplicate rules (episode key, unique episod_id), the "
                  "personnummer scan and masking/pseudonymisation of the synthetic ids that look like one, "
                  "conversion and pandera validation; CPU seconds in details (BENCHMARKS.md, Import)",
            details={"rows": sizes.table_rows, "file_mb": round(path.stat().st_size / 1e6, 2),
                     "rows_accepted": int(res.report.rows_accepted), "rows_rejected": int(res.report.rows_rejected),
                     "floor_rows": tab.num_rows, "repeats": reps,
                     "cpu_s": c_ours, "floor_cpu_s": c_floor, "cpu_ratio": c_ours / c_floor if c_floor > 0 else None,
                     "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
                     **({"limit_cpu_s": import_limit(path, repeats=max(2, reps))} if fmt == "parquet" else {})}))
    return out


# --------------------------------------------------------------------------- national scale
def _timed(fn: Callable[[], Any]) -> tuple[float, Any, str]:
    t0 = time.perf_counter()
    try:
        out, err = fn(), ""
    except Exception as exc:  # noqa: BLE001 - recorded: the other steps stand
        out, err = None, f"{type(exc).__name__}: {exc}"[:300]
    return time.perf_counter() - t0, out, err


def _exponent(ns: list[int], ts: list[float]) -> float | None:
    """Least-squares slope of log t on log n (the empirical growth exponent)."""
    pts = [(math.log(n), math.log(t)) for n, t in zip(ns, ts) if t and t > 0]
    if len(pts) < 2:
        return None
    x, y = np.array(pts).T
    return float(np.polyfit(x, y, 1)[0])


def bench_scaling(sizes: Sizes, work: Path, seed: int = 20260115) -> Result:
    """The analyses on the synthetic nation (:mod:`evaluation.nation`) at several sizes: import, flows,
    KASAM, indicators and table protection; the growth exponent of each in the number of episodes.

    Each step runs on the *national* tables (all förbund together), which is the worst case of a
    national snapshot. Growth no faster than n log n shows as an exponent ≤ about 1.1 over the
    measured range (n log n between 40 000 and 300 000 has exponent 1.17 at most; the bench
    reports ``t / (n log n)`` too).
    """
    from . import disclosure, flows, indicators, io, kasam, nation

    points = []
    # the first pass (smallest size) only warms up: imports, lru caches and instrument tables are
    # one-time costs that would otherwise make the smallest size look slow (a too-low exponent)
    for k in (sizes.scaling_forbund[0], *sizes.scaling_forbund):
        frames = nation.nation_frames(seed=seed, n_forbund=k)
        d = work / f"nation_{k}"
        d.mkdir(parents=True, exist_ok=True)
        for name in ("episoder", "handelser", "kasam_deltagare", "nns_enkater"):
            nation._write_csv(frames[name], d / f"{name}.csv")
        p: dict[str, Any] = {"forbund": k, "episodes": len(frames["episoder"]), "events": len(frames["handelser"]),
                             "responses": len(frames["kasam_deltagare"]) + len(frames["nns_enkater"]), "errors": {}}
        steps: dict[str, Callable[[], Any]] = {}
        loaded: dict[str, Any] = {}

        def load() -> None:
            loaded["ep"] = io.load_episodes(d / "episoder.csv").data
            loaded["ev"] = io.load_events(d / "handelser.csv").data
            loaded["kd"] = io.load_survey(d / "kasam_deltagare.csv", instrument="soc29").data
            loaded["nn"] = io.load_survey(d / "nns_enkater.csv").data

        def do_flows() -> None:
            ep = flows.prepare_episodes(loaded["ep"])
            flows.headline(ep, loaded["ev"], "2026-01-15", "2025-01-01", "2025-12-31",
                           return_window=("2024-01-01", "2024-12-31"))
            flows.outcome_report(ep, "2026-01-15", "2025-01-01", "2025-12-31", min_n=5)
            flows.kaplan_meier(ep, "2026-01-15")
            flows.monthly_flows(ep, "2026-01-15", "2025-01-01", "2025-12-31")

        def do_kasam() -> None:
            sc = kasam.score(loaded["kd"], form="soc29")
            fore, efter = kasam.split_waves(sc, "tidpunkt", "fore", "efter")
            kasam.reliability(loaded["kd"], "soc29")
            return len(fore) + len(efter)

        def do_indicators() -> None:
            indicators.item_results(loaded["nn"], scale_max=6, min_n=5)
            indicators.indicator_results(loaded["nn"], scale_max=6, min_n=5)
            indicators.indicator11(loaded["ep"], loaded["ev"], 12)

        def do_protect() -> None:
            ep = flows.prepare_episodes(loaded["ep"])
            ex = flows.exit_summary(ep, "2026-01-15", "2025-01-01", "2025-12-31", by=["forbund"], min_n=None)
            counts = ex.pivot_table(index="forbund", columns=ex.columns[1], values="n", aggfunc="sum", fill_value=0) \
                if "n" in ex.columns else pd.crosstab(ep["forbund"], ep["insats"])
            return disclosure.suppress_table(counts, min_n=5)

        steps = {"import": load, "flows": do_flows, "kasam": do_kasam, "indicators": do_indicators,
                 "protection": do_protect}
        for name, fn in steps.items():
            t, _, err = _timed(fn)
            p[name + "_s"] = t
            if err:
                p["errors"][name] = err
        points.append(p)
        shutil.rmtree(d, ignore_errors=True)
    points = points[1:]
    ns = [p["episodes"] for p in points]
    exps = {name: _exponent(ns, [p[name + "_s"] for p in points])
            for name in ("import", "flows", "kasam", "indicators", "protection")
            if all(not p["errors"].get(name) for p in points)}
    nlogn = _exponent(ns, [n * math.log(n) for n in ns]) if len(ns) > 1 else None
    worst = max(exps.values()) if exps else None
    biggest = points[-1]
    total = sum(biggest[k + "_s"] for k in ("import", "flows", "kasam", "indicators", "protection"))
    return Result(
        "scaling", f"Analyser på nationen, {_n(biggest['episodes'])} episoder (import, flöden, KASAM, "
                   "indikatorer, skydd)", total, "s",
        baseline="n log n i antal episoder (exponent över samma storlekar)", baseline_value=nlogn,
        ratio=None if worst is None or not nlogn else worst / nlogn, target="exponent ≤ n log n",
        met=None if worst is None or nlogn is None else bool(worst <= nlogn + 0.05), ratio_kind="of_floor",
        limit="the slowest-growing step sets the national wall time; exponents are least-squares slopes of "
              "log time on log episodes",
        details={"points": points, "exponents": exps, "nlogn_exponent": nlogn},
    )


# --------------------------------------------------------------------------- batch runner
def _run_params(spec, results_path: Path) -> dict[str, Any]:
    params = dict(spec.parameters)
    params.setdefault("data_dir", spec.data_dir)
    params["results_path"] = str(results_path)
    return params


def _papermill_cli_loop(specs, work: Path, timeout: float) -> tuple[float, list[str]]:
    """Serial loop of the ``papermill`` command line, one process per run; returns (wall, failures)."""
    import yaml

    from .runs import KERNEL_NAME

    exe = Path(sys.executable).with_name("papermill")
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "papermill"]
    failures = []
    t0 = time.perf_counter()
    for spec in specs:
        folder = work / spec.folder
        folder.mkdir(parents=True, exist_ok=True)
        params = _run_params(spec, folder / "results.json")
        cmd = base + [spec.notebook, str(folder / "notebook.ipynb"), "-k", KERNEL_NAME,
                      "--cwd", str(Path(spec.notebook).parent), "-y", yaml.safe_dump(params, allow_unicode=True),
                      "--execution-timeout", str(int(timeout)), "--no-progress-bar"]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            failures.append(f"{spec.name}: {proc.stderr.strip().splitlines()[-1:] if proc.stderr else ''}")
    return time.perf_counter() - t0, failures


def _warm_compute(specs, work: Path, timeout: float, staging: Path | None = None) -> tuple[list[float], list[str]]:
    """Execute every run's notebook in ONE warm kernel: imports done once, namespace reset in between.

    This is the compute of the analyses themselves (cells and their outputs), without kernel start,
    imports, HTML report, privacy scan or manifest. With ``staging`` (a folder named ``.staging``
    holding the snapshot's protected tables, :func:`evaluation.runs.write_tableset`) the kernel
    works in ``staging/<run folder>/`` as a run of ``evaluation run`` does, so the notebooks read
    the same protected table set instead of protecting the data themselves. Returns per-run
    seconds and failures.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from .runs import KERNEL_NAME, _warmup_code, notebook_imports

    km = AsyncKernelManager(kernel_name=KERNEL_NAME)
    run_sync(km.start_kernel)(cwd=str(Path(specs[0].notebook).parent))
    kc = km.blocking_client()
    kc.start_channels()
    times, failures = [], []
    try:
        kc.wait_for_ready(timeout=120)
        kc.execute_interactive(_warmup_code(notebook_imports([s.notebook for s in specs])), silent=True,
                               store_history=False, timeout=300)
        with contextlib.suppress(Exception):  # CPU a fresh kernel spends on start + imports (per notebook)
            import psutil

            cpu = psutil.Process(km.provisioner.process.pid).cpu_times()
            _warm_compute.kernel_cpu_s = cpu.user + cpu.system
        for spec in specs:
            folder = work / spec.folder
            folder.mkdir(parents=True, exist_ok=True)
            cwd = str(Path(spec.notebook).parent)
            if staging is not None:
                (staging / spec.folder).mkdir(parents=True, exist_ok=True)
                cwd = str(staging / spec.folder)
            kc.execute_interactive(f"get_ipython().run_line_magic('reset', '-f')\nimport os\nos.chdir({cwd!r})\n"
                                   "del os", silent=True, store_history=False, timeout=60)
            nb = load_notebook_node(spec.notebook)  # papermill's reader (adds the tags metadata)
            nb = parameterize_notebook(nb, _run_params(spec, folder / "results.json"))
            client = NotebookClient(nb, km=km, timeout=timeout, kernel_name=KERNEL_NAME,
                                    resources={"metadata": {"path": cwd}})
            t0 = time.perf_counter()
            try:
                client.execute()
            except Exception as exc:  # noqa: BLE001
                failures.append(f"{spec.name}: {type(exc).__name__}")
            times.append(time.perf_counter() - t0)
            if client.kc is not None:
                client.kc.stop_channels()
    finally:
        kc.stop_channels()
        run_sync(km.shutdown_kernel)(now=True)
    return times, failures


@contextlib.contextmanager
def _env(name: str, value: str):
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def _finish_cpu(folder: Path, work: Path) -> dict[str, float]:
    """CPU seconds (this process) of one run's finishing step: HTML report (first and later calls
    of the process) and the privacy gate's scan of the run folder."""
    from . import privacy, runs

    cpu = {}
    for key in ("html_first_s", "html_s"):
        t0 = time.process_time()
        runs.render_html(folder / "notebook.ipynb", work / "finish_probe.html")
        cpu[key] = time.process_time() - t0
    t0 = time.process_time()
    privacy.scan_outputs(folder)
    cpu["scan_s"] = time.process_time() - t0
    return cpu


def bench_batch(runfiles: list[Path], work: Path, jobs: int = 2, timeout: float = 600.0,
                log: Callable[[str], None] = print, cold: bool = False) -> tuple[list[Result], Path]:
    """``evaluation run --jobs N`` vs its floor: the same notebooks back to back in ONE warm kernel, / N.

    Also measured: the same batch with ordinary (not forked) warm kernels, what the fork server
    removes; with ``cold`` the serial ``papermill`` command-line loop and papermill's own kernels.
    Returns the results and the ``--jobs`` snapshot folder (for the report-size benchmark).
    """
    from . import runs

    specs = [s for rf in runfiles for s in runs.load_runfile(rf)]
    n = len(specs)
    work.mkdir(parents=True, exist_ok=True)

    def snapshot(tag: str, jobs_: int, warm: bool) -> tuple[float, dict, Path]:
        out = work / f"snapshot_{tag}"
        t0 = time.perf_counter()
        target, manifest = runs.run_snapshot([str(r) for r in runfiles], out=out, jobs=jobs_, timeout=timeout,
                                             progress=False, warm_kernels=warm)
        wall = time.perf_counter() - t0
        log(f"batch: snapshot {tag} {wall:.1f} s ({manifest['status']})")
        return wall, manifest, target

    # The protection of the data's table set is done once per data content and cached
    # (tableset.protect_cached; with the cleanup several CPU-minutes for the samples): done here,
    # untimed, so that neither the floor nor the batch pays it and both read the same cells.
    t0 = time.perf_counter()
    prepass = work / "prepass" / ".staging"
    prepass.mkdir(parents=True, exist_ok=True)
    runs.write_tableset(specs, prepass, jobs=jobs)
    log(f"batch: protected table set (untimed, cached for both) {time.perf_counter() - t0:.1f} s")
    compute, warm_fail = _warm_compute(specs, work / "warm", timeout, staging=prepass)
    log(f"batch: warm compute {sum(compute):.1f} s")
    t_par, m_par, snap_par = snapshot(f"jobs{jobs}", jobs, True)
    with _env("EVALUATION_FORK_KERNELS", "0"):
        t_nofork, m_nofork, _ = snapshot(f"jobs{jobs}_nofork", jobs, True)
    # the board's PDF (Chromium prints every report) is a deliverable the floor does not have:
    # the same batch without it shows its share of the distance to the floor
    with _env("EVALUATION_PDF", "0"):
        t_nopdf, m_nopdf, _ = snapshot(f"jobs{jobs}_nopdf", jobs, True)
    t_cli, cli_fail, t_cold, m_cold = None, [], None, {"status": "complete"}
    if cold:
        t_cli, cli_fail = _papermill_cli_loop(specs, work / "papermill_cli", timeout)
        log(f"batch: papermill CLI loop {t_cli:.1f} s")
        t_cold, m_cold = snapshot(f"jobs{jobs}_cold", jobs, False)[:2]
    # the analyses are the same: every run's headline results agree between the executions
    same = all(
        json.loads((snap_par / r["folder"] / "results.json").read_text(encoding="utf-8"))
        == json.loads((work / "warm" / r["folder"] / "results.json").read_text(encoding="utf-8"))
        for r in m_par["runs"] if r["status"] == "ok" and (work / "warm" / r["folder"] / "results.json").exists()
    )
    ok = all(m["status"] == "complete" for m in (m_par, m_nofork, m_nopdf, m_cold)) and not cli_fail and not warm_fail
    sum_compute = float(sum(compute))
    floor = sum_compute / jobs
    ratio = t_par / floor
    kernel_cpu = getattr(_warm_compute, "kernel_cpu_s", None)
    finish = _finish_cpu(snap_par / m_par["runs"][0]["folder"], work)
    overhead = (jobs * t_par - sum_compute) / n
    rss = [r.get("peak_rss_mb") for r in m_par["runs"] if r.get("peak_rss_mb")]
    common = {"runs": n, "all_ok": ok, "failures": cli_fail + warm_fail, "results_identical": same}
    batch = Result(
        "batch", f"Batchkörning, {n} körningar, --jobs {jobs}", t_par, "s",
        baseline=f"samma notebooks i en varm kernel efter varandra, / {jobs} (golv)", baseline_value=floor,
        ratio=ratio, target="≤ 1.3× golvet", met=bool(ok and ratio <= 1.3), ratio_kind="of_floor",
        limit=f"{jobs} processes on {os.cpu_count()} cores; per run on top of the floor: a forked kernel "
              "(no imports), papermill's parameter cell and notebook writing, the HTML report, the board's "
              "PDF printed by Chromium (details: without_pdf_s), the privacy gate, the protected table "
              "set's pre-pass and the imbalance of the last runs on 2 workers",
        details={**common, "jobs": jobs, "sum_compute_s": sum_compute,
                 "compute_per_run_s": dict(zip([s.name for s in specs], compute)),
                 "ordinary_warm_kernels_s": t_nofork, "fork_vs_ordinary": t_nofork / t_par,
                 "without_pdf_s": t_nopdf, "without_pdf_ratio": t_nopdf / floor,
                 "papermill_cli_loop_s": t_cli, "cold_kernels_s": t_cold,
                 "kernel_start_imports_cpu_s": kernel_cpu, "finish_cpu_s": finish,
                 "peak_rss_mb_median": float(np.median(rss)) if rss else None,
                 "peak_rss_mb_max": max(rss) if rss else None,
                 "per_run_s": {r["name"]: r["duration_s"] for r in m_par["runs"]}},
    )
    over = Result(
        "overhead", f"Overhead per körning utöver beräkningen (--jobs {jobs}, kärnsekunder)", overhead, "s",
        baseline="beräkning per körning i en varm kernel", baseline_value=sum_compute / n,
        ratio=(sum_compute / n + overhead) / (sum_compute / n), target="", met=None, ratio_kind="of_floor",
        limit="(jobs × wall − Σ compute) / runs: everything a run costs besides its cells",
        details={**common, "ordinary_warm_kernels_overhead_s": (jobs * t_nofork - sum_compute) / n},
    )
    return [batch, over], snap_par


# --------------------------------------------------------------------------- report size
def bench_report_size(snapshot: Path) -> Result:
    """Largest ``rapport.html`` of a snapshot vs the same report with plotly.js once per figure."""
    from plotly.offline import get_plotlyjs

    bundle = len(get_plotlyjs().encode("utf-8"))
    reports = sorted(snapshot.glob("*/rapport.html"), key=lambda p: p.stat().st_size)
    if not reports:
        return Result("report_size", "HTML-rapportens storlek", None, "MB", target="≤ 6 MB",
                      limit="no report in the snapshot")
    biggest = reports[-1]
    html = biggest.read_text(encoding="utf-8")
    size = len(html.encode("utf-8"))
    figures = len(re.findall(r"Plotly\.newPlot\(", html))
    embedded = html.count(get_plotlyjs()[:200])
    per_figure = size + max(figures - 1, 0) * bundle
    return Result(
        "report_size", f"HTML-rapport ({biggest.parent.name})", size / 1e6, "MB",
        baseline="samma rapport med plotly.js inbäddat per figur", baseline_value=per_figure / 1e6,
        ratio=_ratio(per_figure, size), target="≤ 6 MB", met=bool(size <= 6e6 and embedded == 1),
        limit=f"plotly.js itself ({bundle / 1e6:.1f} MB, embedded once so the report opens offline) "
              "plus the figures' data",
        details={"figures": figures, "plotlyjs_embedded": embedded, "plotlyjs_mb": bundle / 1e6,
                 "reports": {p.parent.name: round(p.stat().st_size / 1e6, 3) for p in reports}},
    )


# --------------------------------------------------------------------------- dashboards
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_dashboards(root: Path, port: int, notebook: str, log) -> tuple[Any, str]:
    """Start the dashboard server: :func:`evaluation.dashboards.serve` (preheated kernels) when that
    module exists, else Voilà directly on ``notebooks/dashboards``; (None, reason) when neither can."""
    import importlib.util

    if importlib.util.find_spec("evaluation.dashboards") is not None:
        from . import dashboards

        proc = dashboards.serve(port, data_dir=root / "data_samples", stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        return proc, "evaluation.dashboards.serve (Voilà, preheated kernels)"
    folder = root / "notebooks" / "dashboards"
    if (folder / notebook).exists():
        cmd = [sys.executable, "-m", "voila", str(folder), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}",
               "--Voila.port_retries=0", "--strip_sources=True", "--preheat_kernel=True", "--pool_size=2"]
        return subprocess.Popen(cmd, cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True), "voila (direct)"
    return None, f"neither evaluation.dashboards nor notebooks/dashboards/{notebook} exists yet"


def _wait_preheated(server_pid: int, pool_size: int, deadline: float) -> None:
    """Wait until the server has ``pool_size`` kernels or more and its process tree has been
    CPU-quiet (< 10 % of one core) for 1.5 s, i.e. the preheated kernels are ready; or the deadline."""
    import psutil

    with contextlib.suppress(psutil.Error):
        server = psutil.Process(server_pid)
        seen: dict[int, psutil.Process] = {}
        quiet = 0
        while time.monotonic() < deadline and quiet < 3:
            for k in server.children(recursive=True):
                if k.pid not in seen:
                    seen[k.pid] = k
                    with contextlib.suppress(psutil.Error):
                        k.cpu_percent(interval=None)
            time.sleep(0.5)
            busy, alive = 0.0, 0
            for k in list(seen.values()):
                try:
                    busy += k.cpu_percent(interval=None)
                    alive += 1
                except psutil.Error:
                    seen.pop(k.pid, None)
            quiet = quiet + 1 if alive >= pool_size and busy < 10 else 0


def _wait_http(url: str, deadline: float) -> bool:
    import urllib.request

    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return True
        time.sleep(0.25)
    return False


_REDRAWN = """(sel) => {
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  return plots.some(p => !p.hasAttribute('data-bench-old') ||
                         JSON.stringify((p.data || []).map(t => [t.x, t.y, t.values, t.z])) !== p.getAttribute('data-bench-old'));
}"""
_MARK = """() => document.querySelectorAll('.js-plotly-plot').forEach(p =>
  p.setAttribute('data-bench-old', JSON.stringify((p.data || []).map(t => [t.x, t.y, t.values, t.z]))))"""


_FLOOR_NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "import ipywidgets as widgets\nimport plotly.graph_objects as go"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ("import json\n"
                    "def show(v):\n"
                    "    fig = go.Figure(go.Bar(x=['a', 'b', 'c'], y=[3, 1, 2] if v == 'x' else [1, 2, 3]))\n"
                    "    out.outputs = ({'output_type': 'display_data', 'metadata': {},\n"
                    "                    'data': {'application/vnd.plotly.v1+json': json.loads(fig.to_json())}},)\n"
                    "dd = widgets.Dropdown(options=['x', 'y'], description='Val')\n"
                    "out = widgets.Output()\n"
                    "dd.observe(lambda c: show(c['new']), 'value')\n"
                    "show(dd.value)\n"
                    "widgets.VBox([dd, out])")},
    ],
    "metadata": {"kernelspec": {"display_name": "Python (evaluation)", "language": "python", "name": "evaluation"},
                 "language_info": {"name": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def _kernel_rss_mb(server_pid: int) -> list[float]:
    """Resident memory (MB) of every kernel process under the Voilà server."""
    import psutil

    out = []
    with contextlib.suppress(psutil.Error):
        for k in psutil.Process(server_pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                cmd = " ".join(k.cmdline())
                if "ipykernel" in cmd or "forkserver" in cmd or "kernel-" in cmd:
                    out.append(k.memory_info().rss / 2**20)
    return out


def _visit(browser, url: str, timeout: float, redraw: bool) -> tuple[float, float | None]:
    """One visitor: time to interactive (a Dropdown and a plotly figure visible) and, optionally,
    the time from a Dropdown change to a redrawn figure."""
    page = browser.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url, timeout=timeout * 1000)
        page.wait_for_selector("select", state="visible", timeout=timeout * 1000)
        page.wait_for_selector(".js-plotly-plot .main-svg", state="visible", timeout=timeout * 1000)
        tti = time.perf_counter() - t0
        red = None
        if redraw:
            select = page.locator("select").first
            options = select.locator("option").evaluate_all("os => os.map(o => o.value)")
            current = select.input_value()
            other = next((o for o in options if o != current), None)
            if other is not None:
                page.evaluate(_MARK)
                t1 = time.perf_counter()
                select.select_option(other)
                page.wait_for_function(_REDRAWN, timeout=timeout * 1000)
                red = time.perf_counter() - t1
        return tti, red
    finally:
        page.close()


def crowd_p95(times: list) -> float | None:
    """The 95th percentile of time to interactive over every viewer (seconds), a viewer who was
    never served (an error message instead of a time) counting as infinitely slow: None when more
    than 5 % were not served. The p95 of the served viewers alone read 84 s in a run where 1 of
    20 viewers was served (BENCHMARKS.md). Percentile by :func:`numpy.percentile` (``lower``).

    Examples
    --------
    >>> crowd_p95([float(t) for t in range(1, 21)])
    19.0
    >>> crowd_p95([float(t) for t in range(1, 20)] + ["TimeoutError"])
    19.0
    >>> crowd_p95([84.0] + ["TimeoutError"] * 19) is None
    True
    """
    if not times:
        return None
    served = sorted(t for t in times if isinstance(t, float))
    p = float(np.percentile(served + [math.inf] * (len(times) - len(served)), 95, method="lower"))
    return p if math.isfinite(p) else None


async def _concurrent_visits(chromium: str, url: str, viewers: int, timeout: float) -> list[float | str]:
    """``viewers`` visitors opening ``url`` at the same moment (one browser, one context each):
    each one's time to interactive, or the error it met."""
    import asyncio

    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium,
                                           args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            async def one() -> float | str:
                ctx = await browser.new_context()
                page = await ctx.new_page()
                t0 = time.perf_counter()
                try:
                    await page.goto(url, timeout=timeout * 1000)
                    await page.wait_for_selector("select", state="visible", timeout=timeout * 1000)
                    await page.wait_for_selector(".js-plotly-plot .main-svg", state="visible",
                                                 timeout=timeout * 1000)
                    return time.perf_counter() - t0
                except Exception as exc:  # noqa: BLE001 - recorded per viewer
                    return f"{type(exc).__name__}: {str(exc)[:200]}"
                finally:
                    await ctx.close()

            return list(await asyncio.gather(*(one() for _ in range(viewers))))
        finally:
            await browser.close()


def _import_floor_rss(root: Path, notebook: str, env: dict[str, str], timeout: float = 180.0) -> tuple[float, int]:
    """The memory floor of a board viewer: RSS (MB) of a kernel (same kernelspec and environment)
    that has imported every module the board dashboard's code imports, and holds no data.

    The module list is taken by running the dashboard notebook's code once in a plain Python
    process (``sys.modules`` at its end); the kernel then imports exactly those modules.
    Returns (RSS in MB, number of modules)."""
    import psutil
    from jupyter_client.manager import KernelManager

    nb = json.loads((root / "notebooks" / "dashboards" / notebook).read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in nb["cells"] if c["cell_type"] == "code")
    probe = code + "\nimport json as _j, sys as _s\nprint('@@' + _j.dumps(sorted(_s.modules)))\n"
    res = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=timeout,
                         cwd=str(root / "notebooks" / "dashboards"))
    line = next((ln for ln in res.stdout.splitlines() if ln.startswith("@@")), None)
    if line is None:
        raise RuntimeError(f"could not list the dashboard's modules: {res.stderr[-500:]}")
    mods = [m for m in json.loads(line[2:]) if m != "__main__"]
    km = KernelManager(kernel_name="evaluation")
    km.start_kernel(env=env)
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=timeout)
        kc.execute_interactive("import importlib\nfor _m in %r:\n    try:\n        importlib.import_module(_m)\n"
                               "    except Exception:\n        pass\n" % (mods,), timeout=timeout)
        time.sleep(0.5)
        pid = km.provisioner.process.pid if km.provisioner is not None else km.kernel.pid
        rss = psutil.Process(pid).memory_info().rss / 2**20
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    return rss, len(mods)


def bench_dashboard(root: Path, notebook: str = "styrelse.ipynb", loads: int = 5, viewers: int = 20,
                    timeout: float = 180.0) -> list[Result]:
    """The board dashboard against its floors (issue 20, deliverable 3), measured with Playwright.

    Two Voilà servers with the same arguments (:func:`evaluation.dashboards.server.voila_arguments`:
    preheated pool of 2, the workbench template, the kernel cap raised to ``viewers`` + 4):

    * the **candidate**: :func:`evaluation.dashboards.serve` over the board door on
      ``data_samples`` (its kernels read the protected table set, no participant rows);
    * the **floor**: a notebook that only imports ipywidgets and plotly and shows one Dropdown
      and one plotly figure.

    Measured, visits alternating between the two servers so that load changes hit both:
    time to interactive (a ``select`` and a plotly figure visible; median of ``loads`` visits,
    each on a preheated kernel), filter change → redrawn figure (median), resident memory of a
    kernel after its visit (median over the server's kernels), and ``viewers`` visitors arriving
    at once on the candidate (p50/p95 time to interactive, failures). Targets: time to
    interactive ≤ 1,2× the floor, redraw ≤ 0,3 s, kernel memory ≤ 1,5× the floor.
    """
    import asyncio
    import statistics

    from .dashboards import server as dserver

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    logs = [tempfile.TemporaryFile(), tempfile.TemporaryFile()]
    floor_dir = Path(tempfile.mkdtemp(prefix="bench_floor_"))
    (floor_dir / "golv.ipynb").write_text(json.dumps(_FLOOR_NOTEBOOK), encoding="utf-8")
    cap = viewers + 4
    ports = [_free_port(), _free_port()]
    procs: list[Any] = [None, None]
    m: dict[str, dict[str, list]] = {k: {"tti": [], "redraw": [], "rss": []} for k in ("board", "floor")}
    errors: list[str] = []
    crowd: list[float | str] = []
    import_floor: tuple[float | None, int] = (None, 0)
    try:
        from . import dashboards

        procs[0] = dashboards.serve(ports[0], data_dir=root / "data_samples", max_kernels=cap,
                                    stdout=logs[0], stderr=subprocess.STDOUT, start_new_session=True)
        env = dserver.server_env(root / "data_samples")
        cmd = [sys.executable, "-m", "voila", *dserver.voila_arguments(ports[1], root=floor_dir, max_kernels=cap)]
        procs[1] = subprocess.Popen(cmd, env=env, cwd=str(floor_dir), stdout=logs[1], stderr=subprocess.STDOUT,
                                    start_new_session=True)
        urls = {"board": f"http://127.0.0.1:{ports[0]}/voila/render/{notebook}",
                "floor": f"http://127.0.0.1:{ports[1]}/voila/render/golv.ipynb"}
        pids = {"board": procs[0].pid, "floor": procs[1].pid}
        for k, port in zip(("board", "floor"), ports):
            if not _wait_http(f"http://127.0.0.1:{port}/", time.monotonic() + timeout):
                raise RuntimeError(f"{k} server did not answer on port {port}")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
            try:
                for i in range(loads + 1):  # the first visit of each warms the browser cache: not counted
                    for k in ("board", "floor") if i % 2 == 0 else ("floor", "board"):
                        _wait_preheated(pids[k], pool_size=2, deadline=time.monotonic() + timeout)
                        tti, red = _visit(browser, urls[k], timeout, redraw=True)
                        if i == 0:
                            continue
                        m[k]["tti"].append(tti)
                        if red is not None:
                            m[k]["redraw"].append(red)
                        rss = _kernel_rss_mb(pids[k])
                        if rss:
                            m[k]["rss"].append(statistics.median(rss))
            finally:
                browser.close()
        _wait_preheated(pids["board"], pool_size=2, deadline=time.monotonic() + timeout)
        crowd = asyncio.run(_concurrent_visits(chromium, urls["board"], viewers, timeout))
        from .dashboards.load import ensure_tableset

        fenv = dict(env)
        fenv[dserver.TABLESET_ENV] = str(ensure_tableset(env[dserver.DATA_ENV], env[dserver.SNAPSHOTS_ENV]))
        import_floor = _import_floor_rss(root, notebook, fenv, timeout)
    except Exception as exc:  # noqa: BLE001 - reported, not raised: the other benchmarks stand
        errors.append(f"{type(exc).__name__}: {exc}"[:500])
    finally:
        for proc in procs:
            if proc is not None:
                with contextlib.suppress(Exception):
                    dserver.stop(proc, grace=10)
        shutil.rmtree(floor_dir, ignore_errors=True)
        tails = []
        for log in logs:
            log.seek(0)
            tails.append(log.read().decode("utf-8", "replace")[-1500:])
            log.close()

    def med(xs):
        return float(np.median(xs)) if xs else None

    ok = [t for t in crowd if isinstance(t, float)]
    failed = [t for t in crowd if not isinstance(t, float)]
    details = {"notebook": notebook, "loads": loads, "measured": m, "errors": errors,
               "floor": "Voilà page importing ipywidgets + plotly, one Dropdown and one figure (same server arguments)"}
    if errors:
        details["server_log_tail"] = tails
    tti, ftti = med(m["board"]["tti"]), med(m["floor"]["tti"])
    red = med(m["board"]["redraw"])
    rss, frss = med(m["board"]["rss"]), import_floor[0]
    p95 = crowd_p95(crowd)
    return [
        Result("dashboard_tti", f"Styrelsedashboard: tid till interaktiv (median av {len(m['board']['tti'])})", tti,
               "s", baseline="förvärmd Voilà-sida med bara ipywidgets och en plotly-figur (golv)",
               baseline_value=ftti, ratio=None if tti is None or not ftti else tti / ftti, target="≤ 1.2× golvet",
               met=None if tti is None or not ftti else bool(tti <= 1.2 * ftti), ratio_kind="of_floor",
               limit="the dashboard's widgets and figures sent to the browser and drawn there (the kernel has "
                     "run the notebook before the visit: preheated pool)", details=details),
        Result("dashboard_redraw", "Styrelsedashboard: filterbyte → ny figur (median)", red, "s",
               baseline="golvets filterbyte", baseline_value=med(m["floor"]["redraw"]),
               ratio=None if red is None or not med(m["floor"]["redraw"]) else red / med(m["floor"]["redraw"]),
               target="≤ 0.3 s", met=None if red is None else bool(red <= 0.3), ratio_kind="of_floor",
               limit="kernel round trip: widget change → cells of the protected set → figure JSON → plotly.js",
               details={"redraws": m["board"]["redraw"], "floor": m["floor"]["redraw"]}),
        Result("dashboard_rss", "Styrelsedashboard: minne per tittare (kernelns RSS, median)", rss, "MB",
               baseline="förvärmd kernel med samma importer, inga data (golv)", baseline_value=frss,
               ratio=None if rss is None or not frss else rss / frss, target="≤ 1.5× golvet",
               met=None if rss is None or not frss else bool(rss <= 1.5 * frss), ratio_kind="of_floor",
               limit="the imports (pandas, plotly, scipy, statsmodels) are in the floor; on top: the protected "
                     "table set (a few thousand cells), the widgets and the figures of one viewer",
               details={"board": m["board"]["rss"], "floor_modules": import_floor[1],
                        "minimal_page_kernel": m["floor"]["rss"]}),
        Result("dashboard_crowd", f"Styrelsedashboard: {viewers} tittare samtidigt, p95 tid till interaktiv "
               f"({len(ok)} av {len(crowd)} visade inom {timeout:g} s)", p95,
               "s", baseline="median", baseline_value=med(ok), target="", met=None,
               limit="every viewer beyond the preheated pool of 2 gets a kernel that first runs the dashboard "
                     "notebook; on 2 cores they queue for the CPU",
               details={"times": [round(t, 2) for t in ok], "failed": failed, "viewers": viewers}),
    ]


# --------------------------------------------------------------------------- orchestration
def run_all(root: Path, out: Path, only: tuple[str, ...] = BENCHMARKS, sizes: Sizes = Sizes(),
            runfiles: list[Path] | None = None, jobs: int = 2, timeout: float = 600.0,
            log: Callable[[str], None] = print, cold: bool = False) -> dict[str, Any]:
    """Run the selected benchmarks; write ``bench.json`` and ``bench.md`` into ``out``; return the JSON."""
    out.mkdir(parents=True, exist_ok=True)
    data_dir = root / "data_samples"
    info = machine_info()
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    results: list[Result] = []
    work = Path(tempfile.mkdtemp(prefix="bench_", dir=out))
    try:
        snap = None
        if "batch" in only or "report_size" in only:
            rfs = runfiles if runfiles is not None else sorted((root / "parametrized_runs").glob("*.yaml"))
            log(f"batch: {len(rfs)} run files")
            batch, snap = bench_batch(rfs, work / "batch", jobs=jobs, timeout=timeout, log=log, cold=cold)
            if "batch" in only:
                results.extend(batch)
            if "report_size" in only:
                results.append(bench_report_size(snap))
        if "kasam" in only:
            log("kasam")
            results.append(bench_kasam(sizes, data_dir))
        if "montecarlo" in only:
            log("montecarlo")
            results.append(bench_montecarlo(sizes, data_dir))
        if "xlsx" in only:
            log("xlsx")
            results.append(bench_xlsx(sizes, data_dir, out, openpyxl=cold))
        if "columnar" in only:
            log("columnar")
            results.extend(bench_columnar(sizes, data_dir, out))
        if "scaling" in only:
            log("scaling")
            results.append(bench_scaling(sizes, work / "scaling"))
        if "dashboard" in only:
            log("dashboard")
            results.extend(bench_dashboard(root))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    info["loadavg_end"] = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    doc = {"started": started, "command": "make bench", "sizes": dataclasses.asdict(sizes), "machine": info,
           "results": [r.to_dict() for r in results]}
    (out / "bench.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=float), encoding="utf-8")
    (out / "bench.md").write_text(markdown_table(doc), encoding="utf-8")
    return doc


def _fmt(v: float | None, unit: str = "") -> str:
    if v is None:
        return "–"
    if unit == "×":
        return f"{v:,.1f}×".replace(",", " ")
    if abs(v) >= 100:
        s = f"{v:,.0f}".replace(",", " ")
    elif abs(v) >= 1:
        s = f"{v:.2f}"
    else:
        s = f"{v:.3f}"
    return f"{s} {unit}".strip()


def markdown_table(doc: dict[str, Any]) -> str:
    """The results of :func:`run_all` as a Markdown table with the machine underneath.

    Examples
    --------
    >>> doc = {"started": "t", "machine": {"cores": 2, "cpu": "x", "memory_gib": 1, "python": "3",
    ...        "packages": {}, "loadavg": [0, 0, 0]}, "results": [Result("a", "A", 0.5, "s", "b", 1.0, 2.0,
    ...        "≤ 1 s", True).to_dict()]}
    >>> "| A | 0.500 s | b | 1.00 s | 2.0× | ≤ 1 s | ja |" in markdown_table(doc)
    True
    >>> doc["results"].append(Result("f", "F", 1.2, "s", "golv", 1.0, 1.2, "≤ 1.3× golvet", True, ratio_kind="of_floor").to_dict())
    >>> "| F | 1.20 s | golv | 1.00 s | 1.2× golvet | ≤ 1.3× golvet | ja |" in markdown_table(doc)
    True
    """
    lines = ["| Mått | Värde | Baslinje (samma körning) | Baslinjens värde | Kvot | Mål | Uppnått |",
             "|---|---|---|---|---|---|---|"]
    for r in doc["results"]:
        met = {True: "ja", False: "**nej**", None: "ej mätt" if r["target"] else "–"}[r["met"]]
        kind = r.get("ratio_kind", "speedup")
        ratio = _fmt(r["ratio"], "×") + (" golvet" if kind == "of_floor" and r["ratio"] is not None else "")
        base_unit = "" if r["name"] == "scaling" else r["unit"]
        lines.append(f"| {r['label']} | {_fmt(r['value'], r['unit'])} | {r['baseline'] or '–'} | "
                     f"{_fmt(r['baseline_value'], base_unit)} | {ratio} | {r['target'] or '–'} | {met} |")
    m = doc["machine"]
    pk = ", ".join(f"{k} {v}" for k, v in m.get("packages", {}).items() if v)
    machine = (f"Maskin: {m.get('cores')} kärnor, {m.get('cpu')}, {m.get('memory_gib')} GiB minne, "
               f"Python {m.get('python')}; belastning (1/5/15 min) vid start {m.get('loadavg')}, "
               f"vid slut {m.get('loadavg_end')}.")
    lines += ["", machine, "", f"Paket: {pk}.", ""]
    blas = m.get("blas") or []
    if blas or any((m.get("openblas_env") or {}).values()):
        lines += [f"BLAS: {blas}; OPENBLAS_CORETYPE/L2_SIZE: {m.get('openblas_env')}.", ""]
    lines.append(f"Start: {doc.get('started')}.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m evaluation.bench [--only a,b] [--quick] [--out DIR] [--jobs N]``."""
    p = argparse.ArgumentParser(prog="python -m evaluation.bench", description=__doc__.splitlines()[0])
    p.add_argument("--only", default=",".join(BENCHMARKS), help=f"comma-separated subset of {','.join(BENCHMARKS)}")
    p.add_argument("--quick", action="store_true", help="tiny sizes (smoke test), not for the record")
    p.add_argument("--out", default="bench_results", help="output folder (default bench_results)")
    p.add_argument("--root", default=".", help="project root (default .)")
    p.add_argument("--runfiles", nargs="*", default=None, help="run files (default parametrized_runs/*.yaml)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--timeout", type=float, default=600.0, help="execution timeout per cell, seconds")
    p.add_argument("--cold", action="store_true", help="also time the batch with cold kernels (papermill's own)")
    p.add_argument("--table-rows", type=int, default=None, help="rows of the Parquet/CSV import (default 1 000 000)")
    p.add_argument("--scaling-forbund", default=None,
                   help="nation sizes in förbund for the scaling bench, comma-separated (default 10,20,40,75)")
    args = p.parse_args(argv)
    only = tuple(x.strip() for x in args.only.split(",") if x.strip())
    unknown = sorted(set(only) - set(BENCHMARKS))
    if unknown:
        p.error(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    from . import privacy

    try:
        privacy.load_key()
    except privacy.MissingKeyError:
        # the Söderå sample export needs a pseudonymisation key; benchmark outputs are temporary,
        # so a throwaway key for this process (and its kernels) is enough
        import secrets

        os.environ[privacy.KEY_ENV] = secrets.token_hex(32)
        print("· ingen pseudonymiseringsnyckel: en tillfällig nyckel används för mätningen", file=sys.stderr)
    sizes = Sizes.quick() if args.quick else Sizes()
    if args.table_rows:
        sizes = dataclasses.replace(sizes, table_rows=args.table_rows)
    if args.scaling_forbund:
        sizes = dataclasses.replace(sizes, scaling_forbund=tuple(int(x) for x in args.scaling_forbund.split(",")))
    doc = run_all(Path(args.root).resolve(), Path(args.out).resolve(), only=only,
                  sizes=sizes,
                  runfiles=[Path(r) for r in args.runfiles] if args.runfiles is not None else None,
                  jobs=args.jobs, timeout=args.timeout, cold=args.cold, log=lambda s: print(f"· {s}", file=sys.stderr, flush=True))
    print(markdown_table(doc))
    print(f"Skrivet: {Path(args.out) / 'bench.json'}, {Path(args.out) / 'bench.md'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
