"""The dashboards in a real browser: Playwright driving Debian's Chromium against `evaluation.dashboards.serve`.

Expected numbers are computed here with the package functions on the same data and filters.
Screenshots go to the pytest tmp folder and, with EVALUATION_SAVE_SCREENSHOTS=1, to docs/screenshots/ (the committed
set under docs/screenshots/board/ is made by `make screenshots`).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from evaluation import dashboards as db

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data_samples"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LOAD_TIMEOUT_MS = 90_000
CODE_MARKERS = ["Traceback", "import evaluation", "from evaluation", "dashboards.load_data", "board_app(",
                "data_dir: str", "Error:", "NameError", "KeyError"]


def _serve(tmp_path_factory, door, max_kernels):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing (/usr/bin/chromium): run `make test`, which installs Debian's chromium.")
    port = db.free_port()
    log = open(tmp_path_factory.mktemp("voila") / "voila.log", "w")
    proc = db.serve(port, None, SAMPLES, snapshots_dir=tmp_path_factory.mktemp("snapshots"), pool_size=2,
                    door=door, max_kernels=max_kernels, stdout=log, stderr=log)
    try:
        db.wait_until_ready(port, timeout=90, proc=proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        db.stop(proc)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The board door (styrelse, samhällsekonomi); room for the ten-viewer test and the pools."""
    yield from _serve(tmp_path_factory, "board", max_kernels=16)


@pytest.fixture(scope="module")
def evaluator_server(tmp_path_factory):
    """The evaluator door (utvarderare), a server of its own."""
    yield from _serve(tmp_path_factory, "evaluator", max_kernels=4)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def data():
    return db.load_data(SAMPLES, snapshots_dir=ROOT / "no-such-snapshots")


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


def _open(browser, url, name):
    page = browser.new_page(viewport={"width": 1400, "height": 3000})
    page.goto(f"{url}/voila/render/{name}.ipynb", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(".dash-title, .voila-error, .jp-OutputArea-output pre", timeout=LOAD_TIMEOUT_MS)
    return page


def _screenshot(page, shots, name):
    page.wait_for_timeout(500)
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("EVALUATION_SAVE_SCREENSHOTS") == "1":
        dest = ROOT / "docs" / "screenshots"
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, dest / path.name)
    return path


def _select(page, label, option_label):
    page.locator(".widget-dropdown", has=page.locator("label", has_text=label)).first.locator("select") \
        .select_option(label=option_label)


def _wait_text(page, selector, expected, timeout=20.0):
    end = time.monotonic() + timeout
    got = None
    while time.monotonic() < end:
        got = page.locator(selector).first.inner_text().strip()
        if got == expected:
            return got
        time.sleep(0.1)
    return got


@pytest.mark.parametrize("name", db.DASHBOARDS)
def test_dashboard_loads_without_error_or_code(server, evaluator_server, browser, shots, name):
    page = _open(browser, evaluator_server if name == "utvarderare" else server, name)
    try:
        assert page.locator(".voila-error").count() == 0
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=LOAD_TIMEOUT_MS)
        body = page.inner_text("body")
        for marker in CODE_MARKERS:
            assert marker not in body, f"{marker!r} visible in {name}"
        assert page.locator(".jp-InputArea, .jp-CodeMirrorEditor, .cm-editor").count() == 0
        # plotly drew data (bars or lines), not only axes
        assert page.locator(".js-plotly-plot .plot .trace, .js-plotly-plot .barlayer .point").count() > 0
        _screenshot(page, shots, name)
    finally:
        page.close()


def test_board_filter_shows_the_numbers_the_package_computes(server, browser, data):
    page = _open(browser, server, "styrelse")
    try:
        page.wait_for_selector('[data-key="aktiva"]', timeout=LOAD_TIMEOUT_MS)
        first = db.key_figures(data, db.Filters(period=db.allowed_values(data)["period"][1]))
        assert _wait_text(page, '[data-key="avslutade"]', first.set_index("nyckel").loc["avslutade", "visning"]) \
            == first.set_index("nyckel").loc["avslutade", "visning"]
        _select(page, "Förbund", "Söderå")
        _select(page, "Period", "2024")
        kf = db.key_figures(data, db.Filters(forbund="Söderå", period="2024")).set_index("nyckel")
        assert kf.loc["avslutade", "visning"] != first.set_index("nyckel").loc["avslutade", "visning"]
        for key in kf.index:
            assert _wait_text(page, f'[data-key="{key}"]', kf.loc[key, "visning"]) == kf.loc[key, "visning"], key
        kc = db.kasam_change(data, db.Filters(forbund="Söderå", period="2024")).iloc[0]
        assert _wait_text(page, '[data-key="kasam_n"]', str(int(kc["n"]))) == str(int(kc["n"]))
        _, view = db.exit_table(data, db.Filters(forbund="Söderå", period="2024"))
        table = page.locator('[data-testid="avslut"] tbody').inner_text()
        assert re.sub(r"\s+", " ", table).strip() == re.sub(
            r"\s+", " ", " ".join(" ".join(map(str, r)) for r in view.itertuples(index=False))).strip()
    finally:
        page.close()


def test_suppressed_cells_show_as_suppressed(server, browser, data, shots):
    page = _open(browser, server, "styrelse")
    try:
        page.wait_for_selector('[data-key="aktiva"]', timeout=LOAD_TIMEOUT_MS)
        # every cell of "annat / ej binär" in the latest year is hidden: one explanatory line, no tables
        _select(page, "Kön", "Annat/ej binär")
        assert db.all_suppressed(data, db.Filters(period=db.allowed_values(data)["period"][1], kon="annat"))
        page.wait_for_selector('[data-testid="alla-undertryckta"]', timeout=LOAD_TIMEOUT_MS)
        assert "för få personer" in page.inner_text('[data-testid="alla-undertryckta"]')
        # the cards follow the line (a refresh draws the line first): wait until the key figures are gone
        page.wait_for_selector('[data-key="aktiva"]', state="detached", timeout=LOAD_TIMEOUT_MS)
        assert page.locator('[data-key="aktiva"]').count() == 0
        _screenshot(page, shots, "styrelse_alla_undertryckta")
        # Söderå 2024: some figures shown, some "–" (small or protecting a small one)
        _select(page, "Kön", "Alla")
        _select(page, "Förbund", "Söderå")
        _select(page, "Period", "2024")
        kf = db.key_figures(data, db.Filters(forbund="Söderå", period="2024"))
        assert kf["undertryckt"].any() and not kf["undertryckt"].all()
        for key, shown, sup in zip(kf["nyckel"], kf["visning"], kf["undertryckt"]):
            assert _wait_text(page, f'[data-key="{key}"]', shown) == shown
            if sup:
                assert shown == "–"
                assert "dash-suppressed" in page.locator(f'[data-key="{key}"]').get_attribute("class")
        assert "undertryckt" in page.inner_text('[data-testid="nyckeltal"] ~ .dash-caveat, body')
        _screenshot(page, shots, "styrelse_undertryckt")
    finally:
        page.close()


def test_evaluator_filter_redraws_the_outcome_table(evaluator_server, browser):
    page = _open(browser, evaluator_server, "utvarderare")
    try:
        page.wait_for_selector('[data-testid="utfall"]', timeout=LOAD_TIMEOUT_MS)
        _select(page, "Förbund", "Norrdal")
        end = time.monotonic() + 20
        while time.monotonic() < end and "Söderå" in page.locator('[data-testid="utfall"]').inner_text():
            time.sleep(0.1)
        text = page.locator('[data-testid="utfall"]').inner_text()
        assert "Söderå" not in text and "Norrdal" in text
    finally:
        page.close()


def test_scenario_sliders_recompute_per_actor_results(server, browser):
    page = _open(browser, server, "samhallsekonomi")
    try:
        page.wait_for_selector(".widget-slider", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=LOAD_TIMEOUT_MS)
        # moving a slider redraws the per-actor figure (Output widgets set from the kernel)
        plot = page.locator(".js-plotly-plot").first
        fig_before = plot.inner_html()
        readout = page.locator(".widget-slider .widget-readout").first
        value_before = readout.inner_text()
        handle = page.locator(".widget-slider .noUi-handle").first
        handle.focus()
        handle.press("End")  # the slider's maximum
        end = time.monotonic() + 10
        while time.monotonic() < end and readout.inner_text() == value_before:
            time.sleep(0.1)
        assert readout.inner_text() != value_before, "the slider did not move"
        end = time.monotonic() + 20
        while time.monotonic() < end and plot.inner_html() == fig_before:
            time.sleep(0.2)
        assert plot.inner_html() != fig_before, "the figure was not redrawn after a slider change"
        before = page.locator(".dash-app, body").first.inner_text()
        _select(page, "Scenario", "Optimistiskt")
        end = time.monotonic() + 20
        after = before
        while time.monotonic() < end and after == before:
            time.sleep(0.2)
            after = page.inner_text("body")
        assert after != before
    finally:
        page.close()


def test_ten_viewers_at_once_all_render(server, browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        pages = [context.new_page() for _ in range(10)]
        for p in pages:
            p.goto(f"{server}/voila/render/styrelse.ipynb", wait_until="commit", timeout=LOAD_TIMEOUT_MS)
        for p in pages:
            p.wait_for_selector('[data-key="aktiva"]', timeout=180_000)
            assert p.locator(".voila-error").count() == 0
            assert p.locator('[data-key="aktiva"]').inner_text().strip() != ""
    finally:
        context.close()

