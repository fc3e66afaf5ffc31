"""Publishing an executed notebook for a board: self-contained HTML and an A4 PDF.

* :func:`render_html` converts an executed notebook with the workbench's nbconvert template
  (``evaluation/data/nbconvert/rapport``): nbconvert's *lab* template without anything fetched from
  outside (its require.js, MathJax, Mermaid and widget-manager ``<script>`` tags load from a CDN:
  a report opened by a board member must make no third-party request), ``lang="sv"``, the report's
  styles (tables, header block, 390 px layout, print on A4) and, at the top, the header block and
  key messages of :mod:`evaluation.story`. Cells tagged ``bilaga`` (evaluator checks: import reports,
  consistency checks) are moved to an appendix at the end; headings with nothing under them are
  dropped.
* :func:`render_pdf` prints that HTML to an A4 PDF with Chromium (Playwright's ``page.pdf``, with page
  numbers in the footer) after every plotly figure has rendered, with every request outside the
  file blocked.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from importlib import resources
from pathlib import Path

__all__ = ["render_html", "render_pdf", "APPENDIX_TAG", "CHROMIUM", "chromium_path"]

#: Cells with this tag go to the report's appendix ("Bilaga").
APPENDIX_TAG = "bilaga"
#: Debian's Chromium, used by kaleido, the PDF printer and the browser tests.
CHROMIUM = "/usr/bin/chromium"

_APPENDIX_HEADING = "## Bilaga: underlag och kontroller för utvärderaren"
_APPENDIX_INTRO = ("Här redovisas hur underlaget lästes in och de kontroller utvärderaren gör av siffrorna. "
                   "Styrelsen behöver inte läsa bilagan för att förstå resultaten.")


def chromium_path() -> str | None:
    """Path of a Chromium binary (``$CHROMIUM_PATH``, Debian's ``/usr/bin/chromium``), or None.

    Examples
    --------
    >>> chromium_path() in (None, CHROMIUM) or os.environ.get("CHROMIUM_PATH") is not None
    True
    """
    env = os.environ.get("CHROMIUM_PATH")
    if env and Path(env).exists():
        return env
    return CHROMIUM if Path(CHROMIUM).exists() else None


def _template_dir() -> str:
    return str(resources.files("evaluation").joinpath("data/nbconvert"))


def _css() -> str:
    return resources.files("evaluation").joinpath("data/nbconvert/rapport/rapport.css").read_text(encoding="utf-8")


def _heading_level(cell) -> int | None:
    if cell.cell_type != "markdown":
        return None
    m = re.match(r"^(#{1,6})\s", cell.source.strip())
    lines = [x for x in cell.source.strip().splitlines() if x.strip()]
    return len(m.group(1)) if m and len(lines) == 1 else None


def _has_content(cell) -> bool:
    if cell.cell_type == "markdown":
        return bool(cell.source.strip())
    return bool(cell.get("outputs"))


def _is_plotlyjs(output) -> bool:
    """Whether a cell output is plotly's notebook-renderer bundle (``window.PlotlyConfig`` + plotly.js)."""
    html = output.get("data", {}).get("text/html") if isinstance(output, dict) else None
    html = "".join(html) if isinstance(html, list) else html
    return isinstance(html, str) and "window.PlotlyConfig" in html[:400]


def _arrange(nb, top_html: str) -> None:
    """Move appendix cells to the end, insert the top block after the title, drop empty headings and
    stderr output (a library's warning is for the evaluator's ``notebook.ipynb``, not for the board)."""
    import nbformat

    tags = lambda c: set(c.get("metadata", {}).get("tags", []))  # noqa: E731
    drop = {"hide", "parameters", "injected-parameters"}
    cells = [c for c in nb.cells if not (tags(c) & drop)]
    # plotly's notebook renderer puts plotly.js into the output of the first figure the kernel shows: when
    # that cell is dropped (an evaluator-only figure tagged hide), the bundle moves to the first cell kept
    carried = [o for c in nb.cells if tags(c) & drop and c.cell_type == "code" for o in c.get("outputs", [])
               if _is_plotlyjs(o)]
    for c in cells:
        if c.cell_type == "code":
            c.outputs = [o for o in c.get("outputs", [])
                         if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    main = [c for c in cells if APPENDIX_TAG not in tags(c)]
    appendix = [c for c in cells if APPENDIX_TAG in tags(c)]
    first = next((c for c in main + appendix if c.cell_type == "code"), None)
    if carried and first is not None:
        first.outputs = carried + list(first.get("outputs", []))
    if appendix:
        main.append(nbformat.v4.new_markdown_cell(_APPENDIX_HEADING + "\n\n" + _APPENDIX_INTRO))
        main.extend(appendix)
    # a heading-only markdown cell whose section has no content is dropped
    kept = []
    for i, c in enumerate(main):
        lvl = _heading_level(c)
        if lvl is not None and lvl > 1:  # the title stays
            rest = main[i + 1:]
            section = []
            for d in rest:
                dl = _heading_level(d) or (re.match(r"^(#{1,6})\s", d.source.strip()) and
                                           len(re.match(r"^(#{1,6})", d.source.strip()).group(1))
                                           if d.cell_type == "markdown" else None)
                if dl is not None and dl <= lvl:
                    break
                section.append(d)
            if not any(_has_content(d) for d in section):
                continue
        kept.append(c)
    if top_html:
        block = nbformat.v4.new_markdown_cell(top_html)
        first = kept[0] if kept else None
        if first is not None and first.cell_type == "markdown" and first.source.lstrip().startswith("# "):
            title, _, rest = first.source.lstrip().partition("\n")
            kept = [nbformat.v4.new_markdown_cell(title), block,
                    *([nbformat.v4.new_markdown_cell(rest)] if rest.strip() else []), *kept[1:]]
        else:
            kept.insert(0, block)
    nb.cells = kept


def render_html(notebook_path: str | os.PathLike, html_path: str | os.PathLike, title: str = "",
                top_html: str = "") -> Path:
    """Write the self-contained, code-free HTML report of an executed notebook.

    Parameters
    ----------
    notebook_path, html_path : path
    title : str
        ``<title>`` of the page (default: the notebook's name).
    top_html : str
        Header block and key messages (:func:`evaluation.story.top_html`), inserted after the title.

    Examples
    --------
    >>> import nbformat, tempfile
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# Rubrik"), nbformat.v4.new_markdown_cell("## Tom")]
    >>> d = Path(tempfile.mkdtemp()); nbformat.write(nb, d / "n.ipynb")
    >>> text = render_html(d / "n.ipynb", d / "n.html").read_text()
    >>> "Rubrik" in text, "Tom" in text, 'lang="sv"' in text, "cdnjs" in text, "require.min.js" in text
    (True, False, True, False, False)
    >>> 'class="jp-Cell-inputWrapper" tabindex' in text  # a paragraph is no tab stop
    False
    >>> code = nbformat.v4.new_code_cell("")
    >>> code.outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: x"),
    ...                 nbformat.v4.new_output("stream", name="stdout", text="Synlig text")]
    >>> nb.cells.append(code); nbformat.write(nb, d / "n.ipynb")
    >>> text = render_html(d / "n.ipynb", d / "n.html").read_text()
    >>> "UserWarning" in text, "Synlig text" in text
    (False, True)
    """
    import nbformat

    nb = nbformat.read(str(notebook_path), as_version=4)
    nb.metadata.pop("widgets", None)  # a static report has no kernel: no widget manager from a CDN
    _arrange(nb, top_html)
    res = {"metadata": {"name": title or Path(notebook_path).stem}, "language_code": "sv",
           "rapport_css": _css(), "rapport_top": ""}
    # the vendored plotly.js bundle (4.8 MB, in the first figure's output) passes the template and
    # nbconvert's HTML post-processing (BeautifulSoup) as a short token and is put back afterwards:
    # the same HTML without parsing 4.8 MB of JavaScript as HTML for every report
    _describe_figures(nb)
    bundle, token = _plotlyjs(), f"evaluation-plotlyjs-{os.getpid()}-{time.monotonic_ns()}"
    swapped = False
    if bundle:
        for cell in nb.cells:
            for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
                data = output.get("data", {})
                html = data.get("text/html")
                if isinstance(html, str) and len(html) >= len(bundle) and bundle in html:
                    data["text/html"] = html.replace(bundle, token)
                    swapped = True
    with _EXPORT_LOCK:  # one exporter per process: its Jinja templates compile once
        body, _ = _exporter().from_notebook_node(nb, resources=res)
    body = re.sub(r"<html( lang=\"[a-zA-Z-]+\")?>", '<html lang="sv">', body, count=1)
    if swapped:
        body = body.replace(token, bundle)
    # outputs may carry their own CDN tags (plotly's notebook renderer adds MathJax from cdnjs per
    # figure): a board member's browser loads nothing from outside the file
    body = _EXTERNAL.sub("", body)
    # nbconvert's lab template makes every cell's input and output wrapper a tab stop; in a report they
    # hold text, figures and our tables (whose own scrollable wrapper is the stop): a keyboard user
    # would pass each table twice and every paragraph once
    body = _WRAPPER_TABINDEX.sub(r"\1", body)
    out = Path(html_path)
    out.write_text(body, encoding="utf-8")
    return out


_PLOTLY_MIME = "application/vnd.plotly.v1+json"


def _decode_typed_arrays(obj):
    """Plotly ≥ 6 stores numeric arrays in figure JSON as ``{"dtype", "bdata"[, "shape"]}`` (base64);
    give them back as lists so a figure rebuilt from a notebook output has its values.

    Examples
    --------
    >>> _decode_typed_arrays({"y": {"dtype": "i1", "bdata": "IRY="}, "name": "Avslut"})
    {'y': [33, 22], 'name': 'Avslut'}
    """
    import base64

    import numpy as np

    if isinstance(obj, dict):
        if isinstance(obj.get("bdata"), str) and isinstance(obj.get("dtype"), str):
            arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"])
            shape = obj.get("shape")
            if shape:
                dims = [int(x) for x in str(shape).split(",")] if not isinstance(shape, list) else shape
                arr = arr.reshape(dims)
            return arr.tolist()
        return {k: _decode_typed_arrays(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode_typed_arrays(v) for v in obj]
    return obj


def _describe_figures(nb) -> int:
    """Give every plotly figure of an executed notebook a text alternative (WCAG 1.1.1).

    The figure's HTML output is wrapped in ``<figure aria-label="title">`` with a visually hidden
    ``<figcaption>`` holding :func:`evaluation.figures.alt_text` (title and the values per trace),
    computed from the figure's own JSON output, so a screen reader hears what a sighted reader sees.
    Returns the number of figures described.

    Examples
    --------
    >>> import nbformat, plotly.graph_objects as go
    >>> fig = go.Figure(go.Bar(x=["Arbete", "Studier"], y=[33, 22], name="Avslut"))
    >>> fig = fig.update_layout(title_text="Avslut per kategori")
    >>> cell = nbformat.v4.new_code_cell("")
    >>> cell.outputs = [nbformat.v4.new_output("display_data", data={
    ...     _PLOTLY_MIME: fig.to_plotly_json(), "text/html": "<div>plot</div>"})]
    >>> nb = nbformat.v4.new_notebook(); nb.cells = [cell]
    >>> _describe_figures(nb)
    1
    >>> print(nb.cells[0].outputs[0].data["text/html"])
    <figure class="diagram" aria-label="Avslut per kategori"><div>plot</div><figcaption class="sr-only">Diagram: Avslut per kategori. Avslut: Arbete 33; Studier 22.</figcaption></figure>
    """
    import html as _html

    import plotly.graph_objects as go

    from .figures import alt_text

    n = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            spec, shown = data.get(_PLOTLY_MIME), data.get("text/html")
            if not isinstance(spec, dict) or not isinstance(shown, str) or shown.startswith("<figure"):
                continue
            try:
                fig = go.Figure(_decode_typed_arrays(spec))
            except (ValueError, TypeError):  # a figure plotly itself cannot rebuild: keep it as it is
                continue
            text = alt_text(fig)
            title = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fig.layout.title.text or "")).strip() or "Diagram"
            data["text/html"] = (f'<figure class="diagram" aria-label="{_html.escape(title)}">{shown}'
                                 f'<figcaption class="sr-only">{_html.escape(text)}</figcaption></figure>')
            n += 1
    return n


_EXPORT_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _exporter():
    """The report's ``HTMLExporter``, configured once per process."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="rapport", extra_template_basedirs=[_template_dir()])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


@functools.lru_cache(maxsize=1)
def _plotlyjs() -> str:
    try:
        from plotly.offline import get_plotlyjs

        return get_plotlyjs()
    except Exception:  # noqa: BLE001 - no plotly: nothing to swap
        return ""


_WRAPPER_TABINDEX = re.compile(r'(<div class="jp-[^"]*"[^>]*?)\s+tabindex="0"')

_EXTERNAL = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>|<link[^>]*\shref="https?://[^"]*"[^>]*/?>',
                       re.I)

#: In print a table wider than the text column is scaled to fit it (CSS ``zoom``) instead of being cut at
#: the page's right edge; on screen it scrolls in its wrapper.
_FIT_TABLES = """() => document.querySelectorAll('table.tabell').forEach(t => {
  const room = t.parentElement.clientWidth, need = t.scrollWidth;
  if (need > room + 1) { t.style.zoom = (room / need).toFixed(3); }
})"""

#: The window the PDF is laid out in, CSS px: a little narrower than the A4 text column (182 mm ≈ 688 px),
#: because print styles scale a wider figure down (max-width 100 %) and plotly then cuts its bottom off.
A4_TEXT_WIDTH_PX = 640

_FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#444;font-family:Arial,sans-serif">'
           '<span class="title"></span> – sida <span class="pageNumber"></span> av <span class="totalPages"></span></div>')


def render_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike, timeout_s: float = 60) -> Path:
    """Print an HTML report to an A4 PDF with Chromium (page numbers in the footer).

    Waits until every plotly figure on the page has drawn its SVG; every request to another host is
    blocked (the report is self-contained). Raises ``RuntimeError`` when no Chromium is installed.

    Examples
    --------
    ``render_pdf("snapshots/…/rapport.html", "snapshots/…/rapport.pdf")`` writes the PDF the board
    prints; ``tests/test_board_output.py`` checks its text with ``pdftotext``.
    """
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise RuntimeError("Chromium saknas: installera Debians chromium (make chromium) för att skriva PDF.")
    src = Path(html_path).resolve()
    out = Path(pdf_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            # laid out within the A4 text width (210 − 2 × 14 mm = 182 mm ≈ 688 CSS px): plotly sizes its
            # figures to the window when they are drawn, and a figure drawn for a wide screen is cut at
            # the page's right edge in print
            page = browser.new_page(viewport={"width": A4_TEXT_WIDTH_PX, "height": 1000})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
                       else r.abort())
            page.goto(src.as_uri(), wait_until="load", timeout=timeout_s * 1000)
            page.wait_for_function(
                "() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                ".every(d => d.querySelector('.main-svg'))", timeout=timeout_s * 1000)
            page.emulate_media(media="print")
            page.evaluate(_FIT_TABLES)
            page.pdf(path=str(out), format="A4", print_background=True, display_header_footer=True,
                     header_template="<div></div>", footer_template=_FOOTER,
                     margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"})
        finally:
            browser.close()
    return out
