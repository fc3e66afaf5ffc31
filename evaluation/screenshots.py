"""Screenshots of what a styrelse sees: every report, its PDF, the Word file and the three dashboards.

``make screenshots`` (or ``python -m evaluation.screenshots``) runs every sample run file into a fresh
snapshot (with the pseudonymisation key of the environment, as ``make demo`` does, so Söderå's
register export is read), then writes to ``docs/screenshots/board/``:

* ``rapport-<run>-1280.png``, ``rapport-<run>-390.png``: the top of each HTML report (the first
  screenful: header block, "Fiktiva exempeldata", key messages) at 1280 and 390 px;
* ``pdf-<run>-1.png``, ``pdf-<run>-2.png``: the first two A4 pages of ``rapport.pdf`` (``pdftoppm``);
* ``word-<run>-1.png`` … ``-3.png``: the first pages of ``slutrapport.docx`` converted with LibreOffice
  (``soffice --headless --convert-to pdf``);
* ``dashboard-<name>-1280.png``, ``dashboard-<name>-390.png``: the whole page of each dashboard
  (styrelse, utvärderare, samhällsekonomi) served on the samples with that snapshot's trends, and
  ``dashboard-styrelse-undertryckt-1280.png`` with a filter that suppresses small cells.

Every PNG is rewritten with a 256-colour palette (:func:`shrink`; PDF and Word pages at 70 dpi) so
the committed set stays small. Nothing here is imported by the workbench itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["shrink", "report_shots", "pdf_pages", "word_pages", "dashboard_shots", "main"]

ROOT = Path(__file__).resolve().parents[1]
_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = (1280, 390)
#: viewport height per width: a laptop screen and a phone screen
HEIGHTS = {1280: 900, 390: 844}


def shrink(path: Path) -> Path:
    """Rewrite a PNG with a 256-colour palette (Pillow's median cut: white stays white), which keeps
    text and charts sharp and makes a screenshot about half its size.

    Examples
    --------
    >>> from PIL import Image
    >>> p = Path(tempfile.mkdtemp()) / "x.png"
    >>> Image.new("RGB", (40, 20), (11, 79, 138)).save(p)
    >>> Image.open(shrink(p)).mode
    'P'
    """
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    return path


def _run_name(folder: Path) -> str:
    return folder.name.replace("__", "-")


def _offline(page, allowed: tuple[str, ...]) -> None:
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(allowed) else r.abort())


def report_shots(snapshot: Path, out: Path, browser) -> list[Path]:
    """The first screenful of every ``rapport.html`` of a snapshot at 1280 and 390 px.

    Examples
    --------
    ``report_shots(Path("snapshots/20261130T1400Z"), Path("docs/screenshots/board"), browser)`` with a
    Playwright ``browser`` writes ``rapport-norrdal-2025-deltagarfloden-1280.png`` and so on.
    """
    written = []
    for html in sorted(Path(snapshot).glob("*/rapport.html")):
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": HEIGHTS[width]})
            _offline(page, ("file:", "data:", "blob:"))
            page.goto(html.resolve().as_uri(), wait_until="load")
            if page.locator(".plotly-graph-div").count():
                page.wait_for_function("() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                                       ".every(d => d.querySelector('.main-svg'))", timeout=60_000)
            path = out / f"rapport-{_run_name(html.parent)}-{width}.png"
            page.screenshot(path=str(path))
            page.close()
            written.append(path)
    return written


def _pdftoppm(pdf: Path, stem: Path, first: int, last: int, dpi: int = 70) -> list[Path]:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(first), "-l", str(last), str(pdf), str(stem)],
                   check=True, capture_output=True)
    pages = sorted(stem.parent.glob(stem.name + "-*.png"))
    renamed = []
    for p in pages:  # pdftoppm pads the page number to the page count's width: "-01" or "-1"
        n = int(p.stem.rsplit("-", 1)[1])
        target = stem.parent / f"{stem.name}-{n}.png"
        p.rename(target)
        renamed.append(target)
    return renamed


def pdf_pages(snapshot: Path, out: Path, pages: int = 2) -> list[Path]:
    """The first ``pages`` A4 pages of every ``rapport.pdf`` of a snapshot, as PNG (``pdftoppm``, 70 dpi).

    Examples
    --------
    ``pdf_pages(snapshot, out)`` writes ``pdf-<run>-1.png`` and ``pdf-<run>-2.png`` per run; a folder
    without reports gives none:

    >>> pdf_pages(Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp()))
    []
    """
    written = []
    for pdf in sorted(Path(snapshot).glob("*/rapport.pdf")):
        written += _pdftoppm(pdf, out / f"pdf-{_run_name(pdf.parent)}", 1, pages)
    return written


def word_pages(snapshot: Path, out: Path, pages: int = 3) -> list[Path]:
    """The first ``pages`` pages of every Word file of a snapshot, converted with LibreOffice.

    Examples
    --------
    ``word_pages(snapshot, out)`` writes ``word-norrdal-2025-slutrapport-1.png`` … ``-3.png``.
    """
    written = []
    for docx in sorted(Path(snapshot).glob("*/*.docx")):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/lo", "--convert-to",
                            "pdf", "--outdir", tmp, str(docx)], check=True, capture_output=True, timeout=300)
            written += _pdftoppm(Path(tmp) / (docx.stem + ".pdf"), out / f"word-{_run_name(docx.parent)}", 1,
                                 pages)
    return written


def _whole_page(page, width: int, most: int = 9000) -> None:
    """Voilà's page scrolls inside its own container, so a full-page screenshot is one screen: make the
    viewport as tall as the content (at most ``most`` px) instead."""
    height = page.evaluate("(() => { const a = document.querySelector('.dash-app');"
                           " return a ? a.getBoundingClientRect().bottom + 40 : document.body.scrollHeight; })()")
    page.set_viewport_size({"width": width, "height": int(min(max(height, HEIGHTS[width]), most))})
    page.wait_for_timeout(1500)  # plotly resizes to the new viewport


def dashboard_shots(snapshots_dir: Path, out: Path, browser, data_dir: Path = ROOT / "data_samples") -> list[Path]:
    """Whole-page screenshots of the three dashboards at 1280 and 390 px, served on ``data_dir``.

    The board door serves styrelse and samhällsekonomi, the evaluator door utvärderare (each a
    Voilà server of :func:`evaluation.dashboards.serve`, stopped afterwards); trends come from the
    snapshots in ``snapshots_dir``.

    Examples
    --------
    ``dashboard_shots(Path("snapshots"), out, browser)`` writes ``dashboard-styrelse-1280.png`` and so on.
    """
    from . import dashboards as db

    written = []
    doors = {"board": ["styrelse", "samhallsekonomi"], "evaluator": ["utvarderare"]}
    for door, names in doors.items():
        port = db.free_port()
        with tempfile.TemporaryFile("w+") as log:
            proc = db.serve(port, None, data_dir, snapshots_dir=snapshots_dir, pool_size=1, door=door,
                            stdout=log, stderr=log)
            try:
                db.wait_until_ready(port, timeout=300, proc=proc)
                url = f"http://127.0.0.1:{port}"
                for name in names:
                    for width in WIDTHS:
                        page = browser.new_page(viewport={"width": width, "height": HEIGHTS[width]})
                        _offline(page, (url, "data:", "blob:"))
                        page.goto(f"{url}/voila/render/{name}.ipynb", timeout=300_000)
                        page.wait_for_selector(".dash-title", timeout=300_000)
                        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=300_000)
                        page.wait_for_timeout(2500)  # late widgets and figures
                        _whole_page(page, width)
                        path = out / f"dashboard-{name}-{width}.png"
                        page.screenshot(path=str(path))
                        written.append(path)
                        if name == "styrelse" and width == WIDTHS[0]:
                            # a filter with small groups: suppressed cells and their footnote
                            page.locator(".widget-dropdown", has=page.locator("label", has_text="Kön")).first \
                                .locator("select").select_option(label="Annat/ej binär")
                            page.wait_for_timeout(4000)
                            _whole_page(page, width)
                            path = out / f"dashboard-{name}-undertryckt-{width}.png"
                            page.screenshot(path=str(path))
                            written.append(path)
                        page.close()
            finally:
                db.stop(proc)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m evaluation.screenshots [--snapshot DIR] [--out DIR]``: make a snapshot of every sample
    run (unless ``--snapshot`` names one) and write every screenshot.

    Examples
    --------
    ``make screenshots`` runs this with the defaults.
    """
    from playwright.sync_api import sync_playwright

    from . import runs
    from .rendering import chromium_path

    ap = argparse.ArgumentParser(prog="python -m evaluation.screenshots", description=__doc__.splitlines()[0])
    ap.add_argument("--snapshot", type=Path, help="an existing snapshot folder (default: run every sample now)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "board")
    ap.add_argument("--jobs", type=int, default=1)
    a = ap.parse_args(argv)
    exe = chromium_path()
    if exe is None:
        raise SystemExit("Chromium saknas: installera Debians chromium (make chromium).")
    work = Path(tempfile.mkdtemp(prefix="evaluation-screenshots-"))
    try:
        snapshot = a.snapshot
        if snapshot is None:
            runfiles = sorted(str(p) for p in (ROOT / "parametrized_runs").glob("*.yaml"))
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")  # the id the header block shows
            snapshot, manifest = runs.run_snapshot(runfiles, out=work / "snapshots" / stamp, jobs=a.jobs)
            bad = [r["name"] for r in manifest["runs"] if r["status"] != "ok"]
            if bad:
                raise SystemExit(f"körningar misslyckades: {', '.join(bad)}")
        out = a.out
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.png"):
            old.unlink()
        written = pdf_pages(snapshot, out) + word_pages(snapshot, out)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=_ARGS)
            try:
                written += report_shots(snapshot, out, browser)
                written += dashboard_shots(Path(snapshot).parent, out, browser)
            finally:
                browser.close()
        for f in written:
            shrink(f)
        size = sum(f.stat().st_size for f in written)
        print(f"{len(written)} bilder i {out} ({size / 1e6:.1f} MB)")
    finally:
        for d in [work, *work.rglob("*")]:  # a complete snapshot is read-only
            if d.is_dir():
                d.chmod(0o700)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
