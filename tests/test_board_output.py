"""What a board reads, checked as a reader would, on one snapshot of every sample run.

* **Formatter**: every HTML report, the Word file and every PDF (text extracted with ``pdftotext``;
  the Word file converted with LibreOffice ``soffice --headless --convert-to pdf``) is free of raw
  values: ``2.0``, ``0.135``, ``True``/``False``, ``nan``/``<NA>``, snake_case codes and pandas'
  index columns (:func:`evaluation.formatting.find_raw_values`).
* **Story**: header block (förbund, period, data up to, snapshot, "Fiktiva exempeldata") and 3–6 key
  messages on top; no code references; no empty trailing heading; Vuxenteamen's and Vägen ut's
  reported figures not in a förbund's run.
* **Offline**: each report opened in Chromium with every request outside the file blocked: zero
  blocked requests, every plotly figure drawn.
* **Accessibility**: axe-core (``axe-playwright-python``): no moderate, serious or critical violation,
  ``lang="sv"``.
* **Word/PDF**: A4, sv-SE, title page, TOC, page numbers; the PDF of each report is A4.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from evaluation.formatting import find_raw_values

pytestmark = [pytest.mark.slow, pytest.mark.notebook]

CHROMIUM = "/usr/bin/chromium"
#: axe impacts a board page must not have: WCAG 2.1 AA asks for no serious or critical violation; the moderate
#: ones (landmarks, heading order, table headers) were fixed too and stay fixed
BLOCKING = ("moderate", "serious", "critical")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]


def _visible_text(html: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return soup.get_text(" ")


def _reports(snap) -> list[Path]:
    return sorted(Path(f) / "rapport.html" for f in snap.runs.values() if (Path(f) / "rapport.html").exists())


def _pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_every_run_of_the_snapshot_succeeded(sample_snapshot):
    bad = {r["name"]: r["error"] for r in sample_snapshot.manifest["runs"] if r["status"] != "ok"}
    assert not bad


def test_reports_have_no_raw_values_codes_or_index_columns(sample_snapshot):
    problems = {}
    for f in _reports(sample_snapshot):
        html = f.read_text(encoding="utf-8")
        hits = find_raw_values(_visible_text(html))
        # a pandas index column: an empty first header cell followed by 0, 1, 2 … row headers
        if re.search(r"<th[^>]*>\s*</th>\s*<th", html) and re.search(r"<th>\s*0\s*</th>", html):
            hits.append(("index column", f.parent.name))
        if hits:
            problems[f.parent.name] = sorted(set(hits))[:10]
    assert not problems


def test_reports_show_no_warnings_program_output_or_tracebacks(sample_snapshot):
    # a library warning (stderr) or a print() in monospace is not something a board reads
    shown = {}
    for f in _reports(sample_snapshot):
        html = f.read_text(encoding="utf-8")
        text = _visible_text(html)
        bad = [m for m in ("Traceback", "UserWarning", "site-packages") if m in text]
        if 'data-mime-type="application/vnd.jupyter.stderr"' in html:  # an stderr output (the CSS names it too)
            bad.append("stderr output")
        if bad:
            shown[f.parent.name] = bad
    assert not shown


def test_reports_open_with_header_block_and_key_messages(sample_snapshot):
    for name, folder in sample_snapshot.runs.items():
        html = (Path(folder) / "rapport.html").read_text(encoding="utf-8")
        text = _visible_text(html)
        forbund = "Norrdal" if name.startswith("norrdal") else "Söderå"
        assert forbund in text and "Ögonblicksbild" in text and sample_snapshot.path.name in text
        assert "Fiktiva exempeldata" in text and "Data till och med" in text
        head = html.index("rapport-huvud")
        messages = re.search(r'<section[^>]*class="nyckelbudskap".*?</section>', html, re.S)
        assert messages and messages.start() > head, name
        n = messages.group(0).count("<li>")
        assert 3 <= n <= 6, (name, n)
        for code_ref in ("evaluation.", "min_n", "parametern "):
            assert code_ref not in text, (name, code_ref)
        # no checks of another project's reported figures in a förbund's run
        assert "Vuxenteamen 1999" not in text and "Vägen ut 2011" not in text


def test_flows_key_messages_quote_the_results(sample_snapshot):
    import json

    folder = Path(sample_snapshot.runs["norrdal-2025/deltagarfloden"])
    res = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    text = _visible_text((folder / "rapport.html").read_text(encoding="utf-8"))
    # persons are no cell of the protected table set (null): the header quotes the 335 inskrivningar, the nya
    # cell of every year, and never "None"; the share with public support before (0.9545 -> "95 %") is quoted
    # as a Swedish percent only where the protected table set publishes it (results.json "publicerade")
    assert res["antal_deltagare"] is None and "personer har deltagit" not in text and "None" not in text
    assert f"Insatserna har haft {res['antal_episoder']} inskrivningar" in text
    published = res["publicerade"]["offentlig_fore_andel"] and res["publicerade"]["offentlig_efter_andel"]
    if published:
        assert f"{round(100 * res['offentlig_fore_andel'])}\u00a0% före insatsen" in text
    else:  # hidden in the report and so null in results.json (issue 15), and not quoted
        assert "före insatsen" not in text
        assert None in (res["offentlig_fore_andel"], res["offentlig_efter_andel"])


def test_reports_are_self_contained_and_draw_every_figure(sample_snapshot):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for f in _reports(sample_snapshot):
                page = browser.new_page()
                blocked = []

                def route(r, req):
                    if req.url.startswith(("file:", "data:", "blob:")):
                        r.continue_()
                    else:
                        blocked.append(req.url)
                        r.abort()

                page.route("**/*", route)
                page.goto(f.as_uri(), wait_until="load")
                n_div = page.locator(".plotly-graph-div").count()
                if n_div:
                    page.wait_for_function("() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                                           ".every(d => d.querySelector('.main-svg'))", timeout=60_000)
                assert blocked == [], (f.parent.name, blocked[:3])
                assert page.evaluate("document.documentElement.lang") == "sv"
                page.close()
        finally:
            browser.close()


def test_reports_pass_axe_without_moderate_serious_or_critical_violations(sample_snapshot):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe = Axe()
    found = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for f in _reports(sample_snapshot):
                page = browser.new_page()
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
                           else r.abort())
                page.goto(f.as_uri(), wait_until="load")
                res = axe.run(page)
                bad = [(v["id"], len(v["nodes"])) for v in res.response["violations"]
                       if v.get("impact") in BLOCKING]
                if bad:
                    found[f.parent.name] = bad
                page.close()
        finally:
            browser.close()
    assert not found


def test_each_report_has_an_a4_pdf_without_raw_values(sample_snapshot):
    for name, folder in sample_snapshot.runs.items():
        pdf = Path(folder) / "rapport.pdf"
        assert pdf.exists(), name
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "595" in info and "842" in info, name  # A4 in points
        text = _pdftotext(pdf)
        assert "Fiktiva exempeldata" in text and "sida 1 av" in text
        hits = [h for h in find_raw_values(text) if h[0] != "code" or "_" in h[1]]
        assert not hits, (name, hits[:5])


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by `make test`")
def test_word_file_reads_as_an_a4_swedish_document(sample_snapshot, tmp_path):
    import docx

    src = Path(sample_snapshot.runs["norrdal-2025/slutrapport"]) / "slutrapport.docx"
    d = docx.Document(src)
    assert d.core_properties.language == "sv-SE" and d.core_properties.author != "python-docx"
    assert d.core_properties.created.year >= 2026
    assert round(d.sections[0].page_width.mm) == 210 and round(d.sections[0].page_height.mm) == 297
    styles = [p.style.name for p in d.paragraphs]
    assert "Heading 3" not in styles and styles.count("Caption") > 5
    # figures embedded as images; a figure whose cells the protected table set hides is replaced by one line
    hidden_figures = sum("figuren visas inte" in p.text for p in d.paragraphs)
    assert len(d.inline_shapes) >= 1 and len(d.inline_shapes) + hidden_figures >= 2
    xml = d.element.xml
    assert "w:tblHeader" in xml and "w:cantSplit" in xml and 'w:val="sv-SE"' in d.styles.element.xml
    captions = [p.text for p in d.paragraphs if p.style.name == "Caption"]
    tables = [c for c in captions if c]
    assert len(tables) == len(set(tables)) or all(captions.count(c) <= 2 for c in captions)  # figure + table
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "slutrapport.pdf"
    text = _pdftotext(pdf)
    assert "Innehåll" in text and "Förbund: Norrdal" in text and "sida 2 av" in text
    assert "halvar" not in text.lower().replace("halvår", "")
    negatives = re.findall(r"(?<![\w/-])-\d", text)
    assert not negatives  # numbers use a true minus sign
    hits = [h for h in find_raw_values(text) if h[0] != "code"]
    assert not hits
    out = subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "s")],
                         capture_output=True)
    assert out.returncode == 0 and len(list(tmp_path.glob("s-*.png"))) == 2
