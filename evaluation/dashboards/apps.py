"""ipywidgets layouts of the three Voilà dashboards (data per card in :mod:`evaluation.dashboards.views`).

Each app is built once per kernel from a :class:`~evaluation.dashboards.load.DashboardData` (read once
by :func:`~evaluation.dashboards.load.load_data`). Filters are ``Dropdown`` widgets whose options come
from the data's allowlists; every change is re-validated
(:func:`~evaluation.dashboards.views.validate_filters`), the views recompute in memory, tables are
replaced in ``HTML`` widgets and plotly ``go.Figure`` objects are redrawn into ``ipywidgets.Output``
widgets (no ``FigureWidget``; see shared/tech/NOTES.md §2.4). The returned box has ``controls``
(name → widget), ``data``, ``refresh()`` and ``outputs`` (name → widget) for tests.

The HTML tables and plotly figures the cards show are built here too (:func:`html_table`,
:func:`key_figures_html`, :func:`figure_kasam`, :func:`figure_trends`, :func:`figure_message`).
"""

from __future__ import annotations

import html
import os
import re

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go

from .. import disclosure, figures
from ..labels import t
from . import views
from .load import DashboardData, load_board_data, load_data
from .server import NotAllowedError
from .. import formatting
from ..formatting import percent as _percent

__all__ = ["board_app", "evaluator_app", "scenario_app", "CSS", "card_notes", "html_table", "html_table_or_empty",
           "key_figures_html", "figure_kasam", "figure_message", "figure_trends", "figure_exit_counts"]

CSS = """
<style>
.dash-title h1 {font-size: 1.6em; margin: 0.2em 0;}
.dash-card {border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 10px; background: #fff;}
.dash-card h2, .dash-app h2 {margin: 0.2em 0 0.4em 0; font-size: 1.1em;}
.dash-grid > .dash-wide {grid-column: 1 / -1;}
table.dash-table {border-collapse: collapse; font-size: 0.9em;}
table.dash-table th, table.dash-table td {padding: 2px 8px; border-bottom: 1px solid #eee; text-align: left;}
table.dash-table td {text-align: right;}
table.dash-kf th {font-weight: normal;}
td.dash-value {font-weight: bold;}
.dash-caveat {color: #555; font-size: 0.85em; font-style: italic;}
.dash-msg {background: #fff3cd; border: 1px solid #e0c36b; padding: 6px; border-radius: 4px;}
.dash-tablewrap, .tabell-wrap {overflow-x: auto; max-width: 100%;}
/* a card's HTML (table, notes) is as wide as the card: a wide table scrolls in its wrapper, notes wrap */
.dash-card .widget-html, .dash-card .widget-html-content {min-width: 0; max-width: 100%;}
.dash-card .widget-html-content {flex: 1 1 auto;}
table.tabell {border-collapse: collapse; font-size: 0.9em;}
table.tabell caption {text-align: left; font-weight: bold;}
table.tabell th, table.tabell td {padding: 2px 8px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top;}
table.tabell .tal {text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums;}
.fotnot {font-size: 0.85em; color: #333;}
.dash-caveat {color: #444;}
/* keyboard focus always visible */
.dash-app :focus-visible, .dash-app input:focus, .dash-app select:focus, .dash-app button:focus,
.dash-app [role="slider"]:focus {outline: 3px solid #d4351c !important; outline-offset: 2px;}
/* full slider labels: the label sits above the slider and wraps, never cut */
.dash-slider {flex-direction: column !important; align-items: stretch !important; width: 100% !important; max-width: 32rem;}
.dash-slider {height: auto !important;}
.dash-slider .slider-container {height: 28px !important; flex: 0 0 28px !important;}
.dash-slider .widget-label {height: auto !important; line-height: 1.3 !important; margin-bottom: 2px;}
.dash-slider .widget-label {width: auto !important; max-width: none !important; white-space: normal !important;
                            overflow: visible !important; text-overflow: clip !important; text-align: left !important;}
.dash-slider .slider-container, .dash-slider .widget-readout {width: auto !important;}
/* 390 px: one column, filters wrap, results below the controls */
@media (max-width: 700px) {
  .dash-grid {grid-template-columns: minmax(0, 1fr) !important;}
  .dash-app .widget-hbox.dash-stack {flex-direction: column !important;}
  /* stacked, a child's flex basis (20rem) would become its height and squeeze the sliders together */
  .dash-app .widget-hbox.dash-stack > * {flex: 0 0 auto !important; width: 100% !important;}
  .dash-app .widget-dropdown {width: 100% !important;}
  .dash-title h1 {font-size: 1.3em;}
}
</style>
"""


def _caveat(text: str) -> str:
    return f'<div class="dash-caveat">{html.escape(text)}</div>'


_SUPPRESSED_CELL = re.compile(r">\s*" + formatting.SUPPRESSED + r"\s*<")


def card_notes(body: str, lang: str = "sv", min_n: int = 5, suppressed: bool = True) -> str:
    """The footnotes a card needs under its HTML ``body``: "–" (suppressed) and "uppgift saknas" (missing).

    :func:`evaluation.formatting.footnotes` decides the wording; a note appears only when its symbol is
    shown in a cell. ``suppressed=False`` when the card already carries the suppression footnote.

    Examples
    --------
    >>> card_notes("<td>12</td>")
    ''
    >>> "uppgift saknas = " in card_notes("<td>–</td><td>uppgift saknas</td>", suppressed=False)
    True
    >>> card_notes("<td>–</td>").count("dash-caveat")
    1
    """
    texts = []
    if suppressed and _SUPPRESSED_CELL.search(body):
        texts.append(formatting.SUPPRESSED)
    miss = formatting.MISSING.get(lang, formatting.MISSING["sv"])
    if miss in body:
        texts.append(miss)
    return "".join(_caveat(x) for x in formatting.footnotes(texts, lang, min_n))


def _card(title: str, *children) -> w.VBox:
    box = w.VBox([w.HTML(f"<h2>{html.escape(title)}</h2>"), *children],
                 layout=w.Layout(width="auto", height="auto", overflow="auto"))
    box.add_class("dash-card")
    return box


def _wide(card: w.VBox) -> w.VBox:
    """A card across both grid columns: its chart's long row labels leave room for the bars."""
    card.add_class("dash-wide")
    return card


def _draw(out: w.Output, fig) -> None:
    figures.show_in(out, fig)  # no output capture (see evaluation.figures.show_in)


def _header(title: str, intro: str, data: DashboardData, lang: str) -> w.HTML:
    date = data.reference_date.strftime("%Y-%m-%d")
    return w.HTML(CSS + f'<div class="dash-title"><h1>{html.escape(title)}</h1>'
                  f"<p>{html.escape(intro)} {html.escape(t('dashboards.datum', lang, datum=date))}</p></div>")


def _messages(data: DashboardData, extra: list[str] | None = None) -> w.HTML:
    msgs = list(data.messages) + list(extra or [])
    return w.HTML("".join(f'<div class="dash-msg" data-testid="meddelande">{html.escape(m)}</div>' for m in msgs))


def _dropdown(name: str, options, value, lang: str) -> w.Dropdown:
    return w.Dropdown(options=options, value=value, description=t(f"dashboards.filter.{name}", lang),
                      style={"description_width": "initial"}, layout=w.Layout(width="auto"))


def _data(data, board: bool = False):
    from ..privacy import install_kernel_redaction

    install_kernel_redaction()  # every message this kernel sends to a browser passes the masker
    if data is None:  # a board door's kernel reads the protected table set, never participant rows
        data = load_board_data() if board else load_data()
    return data


#: What a card shows when its computation failed for the chosen filter (never the old numbers).
CARD_FAILED = {"sv": "Uppgifterna kunde inte beräknas för det här urvalet. Välj ett annat urval eller "
                     "kontakta utvärderaren.",
               "en": "The figures could not be computed for this selection. Choose another selection or "
                     "contact the evaluator."}


def _guarded(step, html_widget: w.HTML, outputs, lang: str) -> bool:
    """Run one card's refresh; on any error blank the card with :data:`CARD_FAILED` and clear its figures.

    Returns True when the card was refreshed. The error itself goes to the kernel log (masked), not
    to the viewer.
    """
    import logging

    try:
        step()
        return True
    except Exception:  # noqa: BLE001 - any failure: never leave stale numbers on the card
        logging.getLogger(__name__).exception("dashboard card %s failed", getattr(step, "__name__", "?"))
        html_widget.value = (f'<div class="dash-msg" data-testid="kort-fel">'
                             f'{html.escape(CARD_FAILED.get(lang, CARD_FAILED["sv"]))}</div>')
        for out in outputs:
            out.outputs = ()
        return False


def _deep_link_when_requested(controls, refresh, paused, status, allowed, lang):
    """Apply a deep link (``?forbund=Söderå&period=2024``) in a preheated kernel, or reject it visibly.

    A preheated kernel (``VOILA_PREHEAT``) has run the notebook before any viewer asked for it, so
    the query string is not in its environment yet. A background thread waits for the request
    (:func:`voila.utils.wait_for_request`), validates the query against the allowlists
    (:func:`evaluation.dashboards.views.parse_query`) and sets the filters (one refresh); an
    invalid link shows the Swedish "ogiltig länk" message above the cards. Without preheating
    (or when the caller passed ``query``) nothing is started: the query was read at build time.
    Returns the thread or None.
    """
    if os.environ.get("VOILA_PREHEAT", "False") != "True":
        return None
    import threading

    def apply():
        try:
            from voila.utils import wait_for_request

            wait_for_request()
            query = os.environ.get("QUERY_STRING", "")
            if not query:
                return
            try:
                init = views.parse_query(query, allowed)
            except NotAllowedError:
                status.value = (f'<div class="dash-msg" data-testid="meddelande">'
                                f'{html.escape(t("dashboards.msg.ogiltig_lank", lang))}</div>')
                return
            changed = False
            paused["on"] = True
            try:
                for k, v in init.items():
                    if k in controls and controls[k].value != v:
                        controls[k].value = v
                        changed = True
            finally:
                paused["on"] = False
            if changed:
                refresh()
        except Exception:  # noqa: BLE001 - a lost request leaves the defaults, which the page shows
            import logging

            logging.getLogger(__name__).exception("deep link not applied")

    thread = threading.Thread(target=apply, name="deep-link", daemon=True)
    thread.start()
    return thread


def _query() -> str:
    # Only set when Voilà renders without a preheated kernel; never used as a path.
    return os.environ.get("QUERY_STRING", "")


# --------------------------------------------------------------------------------------------
# board
# --------------------------------------------------------------------------------------------

def board_app(data: DashboardData | None = None, lang: str = "sv", min_n: int = 5, query: str | None = None,
              scenario: str = "bas") -> w.VBox:
    """The board dashboard: filters, nyckeltal, exits, försörjning, KASAM, NNS, cost-benefit, trends.

    Parameters
    ----------
    data : DashboardData, optional
        Loaded data (default: :func:`evaluation.dashboards.load_board_data` from the environment:
        the protected table set, no participant rows).
    lang : {"sv", "en"}
    min_n : int
        Small-cell threshold for every table.
    query : str, optional
        URL query string with initial filters (``forbund=Norrdal&period=2025``), allowlisted by
        :func:`evaluation.dashboards.parse_query`; default the ``QUERY_STRING`` of the request.
    scenario : str
        Scenario file stem for the cost-benefit card.

    Returns
    -------
    ipywidgets.VBox
        With ``controls``, ``outputs``, ``data``, ``refresh()``.

    Examples
    --------
    >>> from evaluation.dashboards.views import _example_data
    >>> app = board_app(_example_data(), min_n=1, query="period=2025")
    >>> 'data-key="avslutade">4<' in app.outputs["nyckeltal"].value
    True
    """
    from .. import costbenefit as cb
    from .. import flows
    from .. import indicators as ind

    data = _data(data, board=True)
    opts = views.filter_options(data, lang)
    allowed = views.allowed_values(data)
    extra = []
    try:
        init = views.parse_query(query if query is not None else _query(), allowed)
    except NotAllowedError:
        init, extra = {}, [t("dashboards.msg.ogiltig_lank", lang)]
    defaults = {"forbund": views.ALL, "insats": views.ALL, "kon": views.ALL,
                "period": allowed["period"][1] if len(allowed["period"]) > 1 else views.PERIOD_ALL}
    defaults.update(init)
    controls = {k: _dropdown(k, opts[k], defaults[k], lang) for k in ("forbund", "insats", "period", "kon")}
    status = w.HTML()

    kf_html, exit_html, fs_html, kasam_html, nns_html = (w.HTML() for _ in range(5))
    out_exit, out_kasam, out_nns, out_cb, out_trend = (w.Output() for _ in range(5))
    cb_html, trend_html = w.HTML(), w.HTML()
    foot = _caveat(disclosure.footnote(min_n, lang, secondary=True))

    # cost-benefit does not depend on the filters: computed once
    view, cav, res = views.cost_benefit(data, scenario if scenario in data.scenarios else
                                     (next(iter(data.scenarios), "bas")), lang)
    namn = res.scenario.namn if res is not None else ""
    body = html_table_or_empty(view, "kostnad_nytta", lang)
    cb_html.value = (body + _caveat(t("dashboards.cb.scenario", lang, namn=namn))
                     + "".join(_caveat(c) for c in cav) + card_notes(body, lang, min_n))
    if res is not None:
        _draw(out_cb, cb.figure_actor_npv(res, lang))  # its own height: room for the slanted actor names

    def refresh(*_):
        try:
            f = views.validate_filters(data, **{k: c.value for k, c in controls.items()})
        except NotAllowedError:
            status.value = f'<div class="dash-msg">{html.escape(t("dashboards.msg.ogiltigt_val", lang))}</div>'
            return
        status.value = ""
        hidden_all = views.all_suppressed(data, f, min_n=min_n)
        if hidden_all:  # one explanatory line instead of tables of "–"
            status.value = (f'<div class="dash-msg" data-testid="alla-undertryckta">'
                            f'{html.escape(t("dashboards.msg.alla_undertryckta", lang, min_n=min_n))}</div>')
        gone = f'<p data-testid="kort-undertryckt">{html.escape(t("dashboards.kort_undertryckt", lang))}</p>'

        def nyckeltal():
            if hidden_all:
                kf_html.value = gone
                return
            kf = views.key_figures(data, f, min_n=min_n, lang=lang)
            body = key_figures_html(kf)
            kf_html.value = (body + _caveat(t("dashboards.nyckeltal.caveat", lang)) + foot
                             + card_notes(body, lang, min_n, suppressed=False))

        def avslut():
            if hidden_all:
                exit_html.value = gone
                out_exit.outputs = ()
                return
            summ, ex_view = views.exit_table(data, f, min_n=min_n, lang=lang)
            body = html_table(ex_view, "avslut")
            exit_html.value = body + _caveat(t("dashboards.avslut.caveat", lang)) + card_notes(body, lang, min_n)
            if summ["n"].fillna(0).sum() == 0:
                _draw(out_exit, figure_message(t("dashboards.undertryckt_figur", lang)))
            else:
                _draw(out_exit, figure_exit_counts(summ, lang=lang).update_layout(
                    height=380, xaxis_tickangle=-35, title_text="", margin=dict(t=30)))

        def forsorjning():
            if hidden_all:
                fs_html.value = gone
                return
            fs = views.forsorjning_table(data, f, min_n=min_n, lang=lang)
            body = html_table(fs, "forsorjning", index=True)
            fs_html.value = (body + _caveat(t("dashboards.forsorjning.caveat", lang)) + foot
                             + card_notes(body, lang, min_n, suppressed=False))

        def kasam_card():
            if hidden_all:
                kasam_html.value = gone
                out_kasam.outputs = ()
                return
            kc = views.kasam_change(data, f, min_n=min_n)
            body = _kasam_html(kc, lang)
            kasam_html.value = body + _caveat(t("dashboards.kasam.caveat", lang)) + card_notes(body, lang, min_n)
            _draw(out_kasam, figure_kasam(kc, lang))

        def nns():
            if views._board_only(data):  # survey answers are participant rows: not in a board kernel
                nns_html.value = f'<p data-testid="nns">{html.escape(t("dashboards.nns.ej_i_panelen", lang))}</p>'
                out_nns.outputs = ()
                return
            att = views.nns_targets(data, f, min_n=min_n, lang=lang)
            body = _nns_html(att, lang, min_n)
            nns_html.value = body + _caveat(t("dashboards.nns.caveat", lang)) + card_notes(body, lang, min_n)
            if len(att) and att["varde"].notna().any():
                _draw(out_nns, ind.figure_targets(att, lang=lang))  # its height grows with its rows
            else:
                out_nns.outputs = ()

        def trender():
            tr = views.trends(data, f)
            trend_html.value = _caveat(t("dashboards.trender.caveat", lang))
            _draw(out_trend, figure_trends(tr, lang))

        # each card on its own: a card whose computation fails is blanked with a Swedish message
        # (never left showing the previous filter's numbers) and the other cards still update
        for step, html_w, outs in ((nyckeltal, kf_html, ()), (avslut, exit_html, (out_exit,)),
                                   (forsorjning, fs_html, ()), (kasam_card, kasam_html, (out_kasam,)),
                                   (nns, nns_html, (out_nns,)), (trender, trend_html, (out_trend,))):
            _guarded(step, html_w, outs, lang)

    paused = {"on": False}

    def on_change(_change):
        if not paused["on"]:
            refresh()

    for c in controls.values():
        c.observe(on_change, names="value")
    refresh()
    if query is None:
        _deep_link_when_requested(controls, refresh, paused, status, allowed, lang)

    # a two-column CSS grid whose rows take the height of their content (GridspecLayout forces equal rows)
    grid = w.GridBox([
        _card(t("dashboards.nyckeltal.titel", lang), kf_html),
        _card(t("dashboards.forsorjning.titel", lang), fs_html),
        _card(t("dashboards.avslut.titel", lang), exit_html, out_exit),
        _card(t("dashboards.kasam.titel", lang), kasam_html, out_kasam),
        _wide(_card(t("dashboards.nns.titel", lang), nns_html, out_nns)),
        _wide(_card(t("dashboards.cb.titel", lang), cb_html, out_cb)),
    ], layout=w.Layout(grid_template_columns="repeat(2, minmax(0, 1fr))", grid_auto_rows="auto",
                       grid_gap="10px", width="100%"))
    grid.add_class("dash-grid")
    trend_card = _card(t("dashboards.trender.titel", lang), trend_html, out_trend)
    filters = w.HBox(list(controls.values()), layout=w.Layout(flex_flow="row wrap", gap="12px"))
    app = w.VBox([_header(t("dashboards.styrelse.titel", lang), t("dashboards.styrelse.ingress", lang), data, lang),
                  _messages(data, extra), filters, status, grid, trend_card])
    app.add_class("dash-app")
    app.controls, app.data, app.refresh = controls, data, refresh
    app.outputs = {"nyckeltal": kf_html, "avslut": exit_html, "forsorjning": fs_html, "kasam": kasam_html,
                   "nns": nns_html, "kostnad_nytta": cb_html, "fig_avslut": out_exit, "fig_kasam": out_kasam,
                   "fig_nns": out_nns, "fig_kostnad_nytta": out_cb, "fig_trender": out_trend}
    return app


def html_table_or_empty(df: pd.DataFrame, testid: str, lang: str) -> str:
    """``html_table`` or the "no data" text for an empty frame.

    Examples
    --------
    >>> "Inga uppgifter" in html_table_or_empty(pd.DataFrame(), "x", "sv")
    True
    """
    if df is None or df.empty:
        return f'<div data-testid="{testid}">{html.escape(t("dashboards.ingen_data", lang))}</div>'
    return html_table(df, testid)


def _kasam_html(kc: pd.DataFrame, lang: str) -> str:
    r = kc.iloc[0]
    # "–" only for a suppressed result; a value that is not there (no answers) is "uppgift saknas"
    gone = formatting.SUPPRESSED if r["undertryckt"] else formatting.MISSING.get(lang, formatting.MISSING["sv"])
    fmt = lambda x, d=1: disclosure.format_number(x, lang, d) if pd.notna(x) else gone  # noqa: E731
    design = {"paired": t("dashboards.kasam.parad", lang), "unpaired": t("dashboards.kasam.oparad", lang)}.get(
        r["design"], gone)
    sup = " dash-suppressed" if r["undertryckt"] else ""
    rows = [
        ("n", t("dashboards.kasam.n", lang), fmt(r["n"], 0)),
        ("fore", t("dashboards.kasam.fore", lang), fmt(r["mean_before"])),
        ("efter", t("dashboards.kasam.efter", lang), fmt(r["mean_after"])),
        ("forandring", t("dashboards.kasam.forandring", lang), fmt(r["mean_diff"])),
        ("ki", t("dashboards.kasam.ki", lang),
         gone if pd.isna(r["ci_low"]) else f"{fmt(r['ci_low'])} – {fmt(r['ci_high'])}"),
        ("design", t("dashboards.kasam.design", lang), design),
    ]
    body = "".join(f'<tr><th>{html.escape(lab)}</th><td class="dash-value{sup}" data-key="kasam_{k}">'
                   f"{html.escape(v)}</td></tr>" for k, lab, v in rows)
    return f'<div data-testid="kasam"><table class="dash-table dash-kf">{body}</table></div>'


def _measure(x, matt, lang: str, suppressed: bool = False) -> str:
    if suppressed:
        return formatting.SUPPRESSED
    if pd.isna(x):
        return formatting.MISSING.get(lang, formatting.MISSING["sv"])
    if str(matt).startswith("andel"):
        return _percent(x, 0, lang)
    return disclosure.format_number(x, lang, 1)


def _nns_html(att: pd.DataFrame, lang: str, min_n: int = 5) -> str:
    if att.empty:
        return f'<div data-testid="nns">{html.escape(t("dashboards.ingen_data", lang))}</div>'
    hidden = (att["undertryckt"].astype(bool) if "undertryckt" in att
              else pd.Series(False, index=att.index)) | ((att["n"] > 0) & (att["n"] < min_n))
    view = pd.DataFrame({
        t("dashboards.nns.indikator", lang): att["indikator"].astype(str),
        t("dashboards.nns.item", lang): att["item"].fillna("").astype(str),
        t("dashboards.nns.grupp", lang): att["respondentgrupp"].fillna("").astype(str),
        "n": [formatting.SUPPRESSED if h else formatting.integer(x, lang, missing=formatting.MISSING.get(
            lang, formatting.MISSING["sv"])) for x, h in zip(att["n"], hidden)],
        t("dashboards.nns.mal", lang): [_measure(x, m, lang) for x, m in zip(att["niva"], att["matt"])],
        t("dashboards.nns.varde", lang): [_measure(x, m, lang, h) for x, m, h in zip(att["varde"], att["matt"],
                                                                                     hidden)],
        t("dashboards.nns.status", lang): att["status_text"].astype(str),
    })
    vag = html.escape(t("dashboards.nns.vag", lang, vag=str(att["vag"].iloc[0])))
    return f"<p>{vag}</p>" + html_table(view, "nns")


# --------------------------------------------------------------------------------------------
# evaluator
# --------------------------------------------------------------------------------------------

def evaluator_app(data: DashboardData | None = None, lang: str = "sv", min_n: int = 5) -> w.VBox:
    """The evaluator dashboard: tabs Flöden, Enkäter, Fokusgrupper, Datakvalitet.

    Examples
    --------
    >>> from evaluation.dashboards.views import _example_data
    >>> app = evaluator_app(_example_data(), min_n=1)
    >>> sorted(app.controls)[:4]
    ['forbund', 'insats', 'kon', 'matt']
    """
    from .. import flows
    from .. import indicators as ind

    data = _data(data)
    opts = views.filter_options(data, lang)
    allowed = views.allowed_values(data)
    controls = {k: _dropdown(k, opts[k], views.ALL if k != "period" else allowed["period"][1], lang)
                for k in ("forbund", "insats", "period", "kon")}
    mlab = {m: (t(f"flows.matt.{m}", lang) if _has(f"flows.matt.{m}") else m) for m in views.OUTCOME_MEASURES}
    controls["matt"] = _dropdown("matt", [(mlab[m], m) for m in views.OUTCOME_MEASURES], "avslutskategori", lang)
    nns = data.nns
    groups = sorted(nns["respondentgrupp"].dropna().astype(str).unique()) if len(nns) else []
    waves = sorted(nns["vag"].dropna().astype(str).unique()) if len(nns) else []
    tps = sorted(nns["tidpunkt"].dropna().astype(str).unique()) if len(nns) else []
    # options read as labels ("Förbundschef", "Halvårsvis"), the values stay the allowlisted codes
    controls["respondentgrupp"] = _dropdown(
        "respondentgrupp", [(formatting.label(g, lang, vocabulary="respondentgrupp"), g) for g in groups],
        groups[0] if groups else None, lang)
    controls["vag"] = _dropdown("vag", waves, waves[-1] if waves else None, lang)
    controls["tidpunkt"] = _dropdown("tidpunkt", [(t("dashboards.alla.tidpunkt", lang), views.ALL)]
                                     + [(formatting.label(x, lang, vocabulary="tidpunkt"), x) for x in tps],
                                     views.ALL, lang)
    controls["niva"] = _dropdown("niva", [(t("dashboards.fokus.teman", lang), "tema"), ("Kod", "kod")], "tema", lang)
    status = w.HTML()
    flow_html, month_out, items_html, items_out, fg_html, ag_html = (w.HTML(), w.Output(), w.HTML(), w.Output(),
                                                                     w.HTML(), w.HTML())
    foot = _caveat(disclosure.footnote(min_n, lang, secondary=True))
    summary, problems = views.data_quality(data, lang)
    dq_html = w.HTML(CSS + f"<h2>{html.escape(t('dashboards.kvalitet.filer', lang))}</h2>"
                     + html_table(summary, "filer")
                     + f"<h2>{html.escape(t('dashboards.kvalitet.problem', lang))}</h2>"
                     + (html_table(problems.head(500), "problem") if len(problems)
                        else f'<p data-testid="problem">{html.escape(t("dashboards.kvalitet.inga", lang))}</p>')
                     + _caveat(t("dashboards.kvalitet.caveat", lang)))

    def refresh(*_):
        try:
            f = views.validate_filters(data, **{k: controls[k].value for k in ("forbund", "insats", "period", "kon")})
            views.check_choice(controls["matt"].value, views.OUTCOME_MEASURES, "matt")
        except NotAllowedError:
            status.value = f'<div class="dash-msg">{html.escape(t("dashboards.msg.ogiltigt_val", lang))}</div>'
            return
        status.value = ""
        tab = views.outcome_table(data, f, controls["matt"].value, min_n=min_n, lang=lang)
        body = html_table(tab, "utfall")
        flow_html.value = body + foot + card_notes(body, lang, min_n, suppressed=False)
        start, end = views.period_bounds(data, f.period)
        monthly = flows.monthly_flows(views.select(data.episodes, f), data.reference_date, start, end)
        _draw(month_out, flows.figure_monthly(monthly, lang=lang, min_n=min_n).update_layout(height=320))
        if groups and waves:
            items = views.survey_items(data, f, controls["respondentgrupp"].value, controls["vag"].value,
                                    controls["tidpunkt"].value, min_n=min_n)
            # labelled columns and groups, shares in percent (not 0,54 nor topp2_ki_lag): the indicators' board view
            body = html_table(ind.board_table(items[[c for c in views.ITEM_COLUMNS if c in items.columns]],
                                              lang=lang, decimals=2), "enkat")
            items_html.value = body + _caveat(t("dashboards.enkater.caveat", lang)) + card_notes(body, lang, min_n)
            if len(items) and items["n"].notna().any():
                _draw(items_out, ind.figure_diverging(items, lang=lang).update_layout(height=420))
            else:
                items_out.outputs = ()
        board, agree, alpha = views.focus_groups(data, f, level=controls["niva"].value, min_n=min_n, lang=lang)
        body = html_table(board, "fokus")
        fg_html.value = body + _caveat(t("dashboards.fokus.caveat", lang)) + card_notes(body, lang, min_n)
        ag_html.value = (f"<p>{html.escape(t('dashboards.fokus.alpha', lang))}: "
                         f'<b data-key="alpha">{disclosure.format_number(alpha, lang, 2)}</b></p>'
                         + html_table(agree, "overens"))

    for c in controls.values():
        c.observe(refresh, names="value")
    refresh()

    tabs = w.Tab(children=[
        w.VBox([controls["matt"], w.HTML(f"<h2>{html.escape(t('dashboards.floden.rapport', lang))}</h2>"), flow_html,
                w.HTML(f"<h2>{html.escape(t('dashboards.floden.manad', lang))}</h2>"), month_out]),
        w.VBox([w.HBox([controls["respondentgrupp"], controls["vag"], controls["tidpunkt"]]), items_html, items_out]),
        w.VBox([controls["niva"], fg_html, w.HTML(f"<h2>{html.escape(t('dashboards.fokus.overens', lang))}</h2>"),
                ag_html]),
        dq_html,
    ])
    for i, key in enumerate(["floden", "enkater", "fokus", "kvalitet"]):
        tabs.set_title(i, t(f"dashboards.flik.{key}", lang))
    filters = w.HBox([controls[k] for k in ("forbund", "insats", "period", "kon")],
                     layout=w.Layout(flex_flow="row wrap", gap="12px"))
    app = w.VBox([_header(t("dashboards.utvarderare.titel", lang), t("dashboards.utvarderare.ingress", lang), data,
                          lang), _messages(data), filters, status, tabs])
    app.add_class("dash-app")
    app.controls, app.data, app.refresh, app.tabs = controls, data, refresh, tabs
    app.outputs = {"utfall": flow_html, "enkat": items_html, "fokus": fg_html, "overens": ag_html,
                   "kvalitet": dq_html, "fig_manad": month_out, "fig_enkat": items_out}
    return app


def _has(key: str) -> bool:
    from ..labels import labels_table

    return key in labels_table().index


# --------------------------------------------------------------------------------------------
# scenarios
# --------------------------------------------------------------------------------------------

def scenario_app(data: DashboardData | None = None, lang: str = "sv", scenario: str = "bas") -> w.VBox:
    """The scenario workshop: a scenario choice and :func:`evaluation.costbenefit.scenario_widgets`.

    Changing the scenario (allowlisted file stems) rebuilds the sliders from that scenario; moving a
    slider recomputes the per-actor results live (inside ``scenario_widgets``).

    Examples
    --------
    >>> from evaluation.dashboards.views import _example_data
    >>> app = scenario_app(_example_data())  # no scenario files: a message instead of sliders
    >>> app.widgets is None, "Inga uppgifter" in app.children[1].value
    (True, True)
    """
    from .. import costbenefit as cb

    data = _data(data, board=True)
    names = list(data.scenarios)
    container = w.VBox()
    msgs = list(data.messages)
    if not names or data.unit_costs.empty:
        msgs.append(t("dashboards.ingen_data", lang))
    start = scenario if scenario in names else (names[0] if names else None)
    choice = _dropdown("scenario", [(data.scenarios[n].namn, n) for n in names], start, lang)
    status = w.HTML()

    def rebuild(*_):
        try:
            name = views.check_choice(choice.value, names, "scenario")
        except NotAllowedError:
            status.value = f'<div class="dash-msg">{html.escape(t("dashboards.msg.ogiltigt_val", lang))}</div>'
            return
        status.value = ""
        box = cb.scenario_widgets(data.scenarios[name], data.unit_costs, lang=lang, index=data.price_index)
        container.children = [box]
        app.widgets = box

    app = w.VBox([_header(t("dashboards.scenario.titel", lang), t("dashboards.scenario.ingress", lang), data, lang),
                  w.HTML("".join(f'<div class="dash-msg">{html.escape(m)}</div>' for m in msgs)), choice, status,
                  container])
    app.add_class("dash-app")  # the dashboards' CSS (visible keyboard focus) applies here too
    app.controls, app.data, app.refresh = {"scenario": choice}, data, rebuild
    app.widgets = None
    if start is not None:
        choice.observe(rebuild, names="value")
        rebuild()
    return app


# --------------------------------------------------------------------------------------------
# HTML tables and figures
# --------------------------------------------------------------------------------------------

def html_table(df: pd.DataFrame, testid: str, index: bool = False) -> str:
    """A DataFrame as an escaped HTML table inside ``<div data-testid=...>`` (:func:`evaluation.formatting.frame_html`).

    A missing value reads "uppgift saknas"; "–" appears only where the frame already shows a
    suppressed cell. The card puts the footnotes under it (:func:`card_notes`).

    Examples
    --------
    >>> "<script>" in html_table(pd.DataFrame({"a": ["<script>"]}), "x")
    False
    """
    from ..formatting import frame_html

    data = df if index else df.reset_index(drop=True)
    # the cards put the suppression footnote under their tables themselves: not twice
    body = frame_html(data, notes=False).replace('class="tabell"', 'class="tabell dash-table"', 1)
    return f'<div class="dash-tablewrap" data-testid="{testid}">{body}</div>'


def key_figures_html(kf: pd.DataFrame) -> str:
    """The nyckeltal as a two-column HTML table whose value cells carry ``data-key``.

    Examples
    --------
    >>> kf = pd.DataFrame({"nyckel": ["nya"], "matt": ["Nya"], "visning": ["12"], "undertryckt": [False]})
    >>> 'data-key="nya"' in key_figures_html(kf)
    True
    """
    import html

    rows = "".join(
        f'<tr><th>{html.escape(str(m))}</th><td class="dash-value{" dash-suppressed" if s else ""}" '
        f'data-key="{html.escape(str(k))}">{html.escape(str(v))}</td></tr>'
        for k, m, v, s in zip(kf["nyckel"], kf["matt"], kf["visning"], kf["undertryckt"]))
    return f'<div data-testid="nyckeltal"><table class="dash-table dash-kf">{rows}</table></div>'


def figure_kasam(kc: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Before and after means of the KASAM total with the change's 95 % CI (error bar on "after").

    Examples
    --------
    >>> kc = pd.DataFrame({"mean_before": [130.0], "mean_after": [136.0], "ci_low": [2.0], "ci_high": [10.0],
    ...                    "mean_diff": [6.0], "undertryckt": [False]})
    >>> len(figure_kasam(kc).data)
    1
    """
    r = kc.iloc[0]
    fig = go.Figure()
    if not r["undertryckt"] and pd.notna(r["mean_before"]):
        fig.add_bar(x=[t("dashboards.kasam.fore", lang), t("dashboards.kasam.efter", lang)],
                    y=[r["mean_before"], r["mean_after"]],
                    error_y=dict(type="data", symmetric=False, array=[0, r["ci_high"] - r["mean_diff"]],
                                 arrayminus=[0, r["mean_diff"] - r["ci_low"]]),
                    marker_color=["#999999", "#0072B2"], name="KASAM")
    else:
        key = "dashboards.undertryckt_figur" if r["undertryckt"] else "dashboards.ingen_data"
        return figure_message(t(key, lang), height=260)
    fig.update_layout(height=260, margin=dict(l=40, r=10, t=30, b=30), showlegend=False,
                      title=t("dashboards.kasam.titel", lang), yaxis_title=t("dashboards.kasam.medel", lang))
    return fig


def figure_exit_counts(summary: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Bars of exits per SUS category from :func:`evaluation.dashboards.views.exit_table` (published rows only).

    Examples
    --------
    >>> s = pd.DataFrame({"kategori": ["forvarvsarbete", "studier"], "n": [7.0, float("nan")],
    ...                   "undertryckt": [False, True]})
    >>> fig = figure_exit_counts(s)
    >>> list(fig.data[0].x), [float(v) for v in fig.data[0].y]
    (['Förvärvsarbete'], [7.0])
    """
    from .. import flows

    s = summary.dropna(subset=["n"])
    fig = go.Figure([go.Bar(x=[flows._cat_label(k, lang) for k in s["kategori"]], y=s["n"],
                            marker_color=figures.COLORS[0], name=t("n", lang))])
    fig.update_layout(yaxis_title=t("n", lang), showlegend=False)
    figures.count_axis(fig)
    return figures.apply_layout(fig, t("flows.fig.avslut", lang), 380)


def figure_message(text: str, height: int = 220) -> go.Figure:
    """An empty figure with a centred message and no axes (e.g. "Undertryckt").

    Examples
    --------
    >>> figure_message("Undertryckt").layout.annotations[0].text
    'Undertryckt'
    """
    fig = go.Figure()
    fig.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10))
    return fig


def figure_trends(tr: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Lines of the headline results across snapshots (one line per result key).

    Examples
    --------
    >>> figure_trends(pd.DataFrame(columns=["created", "key", "value_num", "notebook"])).data
    ()
    """
    fig = go.Figure()
    if tr.empty:
        fig.add_annotation(text=t("dashboards.trender.inga", lang), showarrow=False)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
    for key, g in tr.groupby("key", sort=True):
        fig.add_scatter(x=g["created"], y=g["value_num"], mode="lines+markers",
                        name=t(f"dashboards.trend.{key}", lang))
    fig.update_layout(height=280, margin=dict(l=40, r=10, t=30, b=30), title=t("dashboards.trender.titel", lang))
    return fig

