"""Command line: ``evaluation samples | summary | import | enkater | key | scan | run | dashboard``.

A thin layer over package functions that any scheduler can call (papermill's habit).
Each sub-command imports its module lazily so ``evaluation --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys

from .errors import EvaluationError

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="evaluation", description="Utvärderingsverkstad / evaluation workbench")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("samples", help="(re)generate the synthetic samples in data_samples/")
    s.add_argument("--out", default="data_samples", help="output folder (default data_samples)")
    s.add_argument("--seed", type=int, default=None, help="random seed (default: the committed one)")
    s.add_argument("--if-missing", action="store_true", help="only generate when files are missing")
    s.add_argument("--scale", choices=["sample", "nation"], default="sample",
                   help="sample: the committed sample world; nation: 75 synthetic förbund for scale tests "
                        "(default out: nation/)")

    m = sub.add_parser("summary", help="load and validate every sample, print a Swedish summary table")
    m.add_argument("--data", default="data_samples", help="data folder (default data_samples)")
    m.add_argument("--lang", default="sv", choices=["sv", "en"])

    im = sub.add_parser("import", help="import one export into a data folder: validate, pseudonymise, write "
                                       "Parquet, record it in datakatalog.yaml")
    im.add_argument("file", help="the export (CSV, XLSX, Parquet, SPSS .sav/.zsav, Stata .dta)")
    im.add_argument("--mapping", default=None, help="mapping file of the source (mappningar/*.yaml)")
    im.add_argument("--data", required=True, help="data folder (gets the Parquet file and datakatalog.yaml)")
    im.add_argument("--entity", default=None, help="episoder, handelser, enkatsvar, segment, enhetskostnader, "
                                                   "rapporterat (default: the mapping's entity)")
    im.add_argument("--sheet", default=None, help="XLSX sheet (required when the workbook has several)")
    im.add_argument("--header-row", type=int, default=None, help="1-based header row (XLSX with title rows)")
    im.add_argument("--instrument", default=None, help="survey instrument for enkatsvar: soc29, soc13, nns")
    im.add_argument("--forbund", default=None, help="förbund the file covers (files without a forbund column, "
                                                    "e.g. focus-group segments)")

    r = sub.add_parser("run", help="execute parametrized notebooks into an evaluation snapshot")
    r.add_argument("runfiles", nargs="*", help="run files (parametrized_runs/*.yaml)")
    r.add_argument("--all", action="store_true", help="every run file in parametrized_runs/")
    r.add_argument("--jobs", type=int, default=1, help="parallel processes (one kernel each)")
    r.add_argument("--out", default=None, help="snapshot folder (default snapshots/<UTC timestamp>)")
    r.add_argument("--timeout", type=float, default=600, help="execution timeout per cell, seconds")
    r.add_argument("--retry-failed", metavar="SNAPSHOT", default=None,
                   help="rerun only the failed runs of this snapshot, into it")
    r.add_argument("--executor", choices=["local", "dask"], default="local")
    r.add_argument("--scheduler", default=None, help="Dask scheduler address (with --executor dask)")
    r.add_argument("--runs-dir", default="parametrized_runs", help=argparse.SUPPRESS)

    q = sub.add_parser("enkater", help="write every NNS questionnaire as a CSV template and a printable HTML form")
    q.add_argument("--out", default="enkater", help="output folder (default enkater)")
    q.add_argument("--scale-max", type=int, default=6, choices=[5, 6], help="top of the scale (5 or 6)")
    q.add_argument("--lang", default="sv", choices=["sv", "en"])

    k = sub.add_parser("key", help="show where the pseudonymisation key is; --init creates it on first use")
    k.add_argument("--init", action="store_true", help="create the key file if none is configured")
    k.add_argument("--path", default=None, help="key file (default ~/.config/evaluation/pseudonym.key)")

    sc = sub.add_parser("scan", help="fail when any file holds a personnummer (valid or near miss) or cannot be read")
    sc.add_argument("folders", nargs="+", help="folders to scan (ipynb, html, json, csv, ...)")

    d = sub.add_parser("dashboard", help="serve the board dashboards (or, with --evaluator, the evaluator's) "
                                         "with Voilà on 127.0.0.1")
    d.add_argument("--evaluator", action="store_true",
                   help="the evaluator door: utvarderare only, port 8867, always with its own token")
    d.add_argument("--port", type=int, default=None, help="port (default 8866; 8867 with --evaluator)")
    d.add_argument("--token", default=None,
                   help="require this token (board door: none on 127.0.0.1 unless given; evaluator door: random)")
    d.add_argument("--max-kernels", type=int, default=8, help="most kernels at once, preheated included (default 8)")
    d.add_argument("--cull-idle", type=int, default=600, help="shut down kernels idle this many seconds (default 600)")
    d.add_argument("--pool-size", type=int, default=2,
                   help="kernels that have already run each dashboard, waiting for a viewer (default 2; "
                        "about 305 MB each). A viewer beyond them waits for a kernel to start and run the "
                        "dashboard: on 2 cores, 20 viewers at once took about 2 minutes (BENCHMARKS.md)")
    d.add_argument("--disconnect-grace", type=float, default=5,
                   help="seconds a closed tab's kernel lives on before it is shut down (default 5)")
    d.add_argument("--data", default="data_samples", help="data folder the dashboards may read")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command; everything it prints, logs or raises passes the one masker.

    :func:`evaluation.privacy.install_redaction` wraps stdout, stderr, logging and the exception
    hook; a refusal of the workbench (:class:`evaluation.errors.EvaluationError`) is shown as its
    message on one line of stderr (exit code 2), never as a traceback.
    """
    from .privacy import install_redaction, redact

    install_redaction()
    try:
        return _main(argv)
    except EvaluationError as exc:
        print("fel: " + redact(" ".join(str(exc).split()))[:2000], file=sys.stderr)
        return 2
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def _main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "samples":
        if getattr(args, "scale", "sample") == "nation":
            from . import nation

            return nation.cli(args)
        from . import samples

        return samples.cli(args)
    if args.command == "summary":
        from . import io

        return io.summary_cli(args)
    if args.command == "import":
        from . import dataimport

        return dataimport.cli(args)
    if args.command == "run":
        from . import runs

        return runs.cli(args)
    if args.command == "enkater":
        from . import questionnaires

        table = questionnaires.export_all(args.out, scale_max=args.scale_max, lang=args.lang)
        print(table.to_string(index=False))
        print(f"{len(table)} enkäter skrivna till {args.out}")
        return 0
    if args.command == "key":
        from . import privacy

        return privacy.key_cli(args)
    if args.command == "scan":
        from . import privacy

        found = 0
        for folder in args.folders:
            hits = privacy.scan_outputs(folder)
            found += len(hits)
            for _, hit in hits.iterrows():
                print(f"{hit['file']}: {hit['location']}: {hit['kind']} {hit['masked']}")
        print(f"{found} personnummer/samordningsnummer hittade" if found else "Inga personnummer hittade")
        return 1 if found else 0
    if args.command == "dashboard":
        from . import dashboards

        return dashboards.cli(args)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
