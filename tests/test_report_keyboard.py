"""Keyboard use of the HTML reports (WCAG 2.1 AA 2.4.7 Focus Visible, 2.1.1 Keyboard): every control the Tab
key reaches in a report shows a visible focus indicator, on one snapshot of every sample run."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.notebook, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]


def test_every_focusable_control_of_a_report_shows_its_focus(sample_snapshot, tab_through):
    from playwright.sync_api import sync_playwright

    reports = sorted(Path(f) / "rapport.html" for f in sample_snapshot.runs.values()
                     if (Path(f) / "rapport.html").exists())
    assert reports
    walked = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for f in reports:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
                           else r.abort())
                page.goto(f.as_uri(), wait_until="load")
                walked[f.parent.name] = tab_through(page, limit=200)
                page.close()
        finally:
            browser.close()
    # the tables are scrollable regions a keyboard user can reach (tabindex 0): every report with a table has stops
    assert sum(len(s) for s in walked.values()) >= len(reports)
    unseen = {name: [s for s in stops if not (s["outline"] or s["shadow"]) or not s["shown"]]
              for name, stops in walked.items()}
    assert not any(unseen.values()), {k: v[:3] for k, v in unseen.items() if v}
    # no plotly mode bar in the tab order (English buttons, links to plotly's servers): figures are not stops
    assert not [s for stops in walked.values() for s in stops if s["tag"] in ("BUTTON", "A") and
                any(w in s["what"] for w in ("Download plot", "Zoom", "Autoscale", "plotly"))]
