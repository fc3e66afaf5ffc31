"""ipywidgets layouts of the three Voilà dashboards (computation in :mod:`evaluation.dashboards`).

Each app is built once per kernel from a :class:`evaluation.dashboards.DashboardData` (read once by
:func:`evaluation.dashboards.load_data`). Filters are ``Dropdown`` widgets whose options come from
the data's allowlists; every change is re-validated (:func:`evaluation.dashboards.validate_filters`),
the package functions recompute in memory, tables are replaced in ``HTML`` widgets and plotly
``go.Figure`` objects are redrawn into ``ipywidgets.Output`` widgets (no ``FigureWidget``; see
shared/tech/NOTES.md §2.4). The returned box has ``controls`` (name → widget), ``data``,
``refresh()`` and ``outputs`` (name → widget) for tests.
"""

from __future__ import annotations

import html
import os

import ipywidgets as w
import pandas as pd

from . import dashboards as db
from . import disclosure, figures
from .labels import t

__all__ = ["board_app", "evaluator_app", "scenario_app", "CSS"]

CSS = """
<style>
.dash-title h1 {font-size: 1.6em; margin: 0.2em 0;}
.dash-card {border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 10px; background: #fff;}
.dash-card h3 {margin: 0.2em 0 0.4em 0; font-size: 1.1em;}
table.dash-table {border-collapse: collapse; font-size: 0.9em;}
table.dash-table th, table.dash-table td {padding: 2px 8px; border-bottom: 1px solid #eee; text-align: left;}
table.dash-table td {text-align: right;}
table.dash-kf th {font-weight: normal;}
td.dash-value {font-weight: bold;}
.dash-caveat {color: #555; font-size: 0.85em; font-style: italic;}
.dash-msg {background: #fff3cd; border: 1px solid #e0c36b; padding: 6px; border-radius: 4px;}
</style>
"""


def _caveat(text: str) -> str:
    return f'<div class="dash-caveat">{html.escape(text)}</div>'


def _card(title: str, *children) -> w.VBox:
    box = w.VBox([w.HTML(f"<h3>{html.escape(title)}</h3>"), *children],
                 layout=w.Layout(width="auto", height="auto", overflow="auto"))
    box.add_class("dash-card")
    return box


def _draw(out: w.Output, fig) -> None:
    figures.show_in(out, fig)  # no output capture (see evaluation.figures.show_in)


def _header(title: str, intro: str, data: db.DashboardData, lang: str) -> w.HTML:
    date = data.reference_date.strftime("%Y-%m-%d")
    return w.HTML(CSS + f'<div class="dash-title"><h1>{html.escape(title)}</h1>'
                  f"<p>{html.escape(intro)} {html.escape(t('dashboards.datum', lang, datum=date))}</p></div>")


def _messages(data: db.DashboardData, extra: list[str] | None = None) -> w.HTML:
    msgs = list(data.messages) + list(extra or [])
    return w.HTML("".join(f'<div class="dash-msg" data-testid="meddelande">{html.escape(m)}</div>' for m in msgs))


def _dropdown(name: str, options, value, lang: str) -> w.Dropdown:
    return w.Dropdown(options=options, value=value, description=t(f"dashboards.filter.{name}", lang),
                      style={"description_width": "initial"}, layout=w.Layout(width="auto"))


def _data(data):
    if data is None:
        data = db.load_data()
    return data


def _query() -> str:
    # Only set when Voilà renders without a preheated kernel; never used as a path.
    return os.environ.get("QUERY_STRING", "")


# --------------------------------------------------------------------------------------------
# board
# --------------------------------------------------------------------------------------------

def board_app(data: db.DashboardData | None = None, lang: str = "sv", min_n: int = 5, query: str | None = None,
              scenario: str = "bas") -> w.VBox:
    """The board dashboard: filters, nyckeltal, exits, försörjning, KASAM, NNS, cost-benefit, trends.

    Parameters
    ----------
    data : DashboardData, optional
        Loaded data (default: :func:`evaluation.dashboards.load_data` from the environment).
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
    >>> board_app  # doctest: +ELLIPSIS
    <function board_app at ...>
    """
    from . import costbenefit as cb
    from . import flows
    from . import indicators as ind

    data = _data(data)
    opts = db.filter_options(data, lang)
    allowed = db.allowed_values(data)
    extra = []
    try:
        init = db.parse_query(query if query is not None else _query(), allowed)
    except db.NotAllowedError:
        init, extra = {}, [t("dashboards.msg.ogiltig_lank", lang)]
    defaults = {"forbund": db.ALL, "insats": db.ALL, "kon": db.ALL,
                "period": allowed["period"][1] if len(allowed["period"]) > 1 else db.PERIOD_ALL}
    defaults.update(init)
    controls = {k: _dropdown(k, opts[k], defaults[k], lang) for k in ("forbund", "insats", "period", "kon")}
    status = w.HTML()

    kf_html, exit_html, fs_html, kasam_html, nns_html = (w.HTML() for _ in range(5))
    out_exit, out_kasam, out_nns, out_cb, out_trend = (w.Output() for _ in range(5))
    cb_html, trend_html = w.HTML(), w.HTML()
    foot = _caveat(disclosure.footnote(min_n, lang, secondary=True))

    # cost-benefit does not depend on the filters: computed once
    view, cav, res = db.cost_benefit(data, scenario if scenario in data.scenarios else
                                     (next(iter(data.scenarios), "bas")), lang)
    namn = res.scenario.namn if res is not None else ""
    cb_html.value = (html_table_or_empty(view, "kostnad_nytta", lang)
                     + _caveat(t("dashboards.cb.scenario", lang, namn=namn))
                     + "".join(_caveat(c) for c in cav))
    if res is not None:
        _draw(out_cb, cb.figure_actor_npv(res, lang).update_layout(height=300))

    def refresh(*_):
        try:
            f = db.validate_filters(data, **{k: c.value for k, c in controls.items()})
        except db.NotAllowedError:
            status.value = f'<div class="dash-msg">{html.escape(t("dashboards.msg.ogiltigt_val", lang))}</div>'
            return
        status.value = ""
        kf = db.key_figures(data, f, min_n=min_n, lang=lang)
        kf_html.value = db.key_figures_html(kf) + _caveat(t("dashboards.nyckeltal.caveat", lang)) + foot
        summ, ex_view = db.exit_table(data, f, min_n=min_n, lang=lang)
        exit_html.value = db.html_table(ex_view, "avslut") + _caveat(t("dashboards.avslut.caveat", lang))
        if summ["n"].fillna(0).sum() == 0:
            _draw(out_exit, db.figure_message(t("dashboards.undertryckt_figur", lang)))
        else:
            _draw(out_exit, flows.figure_exits(summ, lang=lang).update_layout(
                height=380, xaxis_tickangle=-35, title_text="", margin=dict(t=30),
                legend=dict(orientation="h", y=1.02, yanchor="bottom")))
        fs = db.forsorjning_table(data, f, min_n=min_n, lang=lang)
        fs_html.value = db.html_table(fs, "forsorjning", index=True) + _caveat(t("dashboards.forsorjning.caveat", lang)) + foot
        kc = db.kasam_change(data, f, min_n=min_n)
        kasam_html.value = _kasam_html(kc, lang) + _caveat(t("dashboards.kasam.caveat", lang))
        _draw(out_kasam, db.figure_kasam(kc, lang))
        att = db.nns_targets(data, f, min_n=min_n, lang=lang)
        nns_html.value = _nns_html(att, lang, min_n) + _caveat(t("dashboards.nns.caveat", lang))
        if len(att) and att["varde"].notna().any():
            _draw(out_nns, ind.figure_targets(att, lang=lang).update_layout(height=360))
        else:
            out_nns.outputs = ()
        tr = db.trends(data, f)
        trend_html.value = _caveat(t("dashboards.trender.caveat", lang))
        _draw(out_trend, db.figure_trends(tr, lang))

    for c in controls.values():
        c.observe(refresh, names="value")
    refresh()

    # a two-column CSS grid whose rows take the height of their content (GridspecLayout forces equal rows)
    grid = w.GridBox([
        _card(t("dashboards.nyckeltal.titel", lang), kf_html),
        _card(t("dashboards.forsorjning.titel", lang), fs_html),
        _card(t("dashboards.avslut.titel", lang), exit_html, out_exit),
        _card(t("dashboards.kasam.titel", lang), kasam_html, out_kasam),
        _card(t("dashboards.nns.titel", lang), nns_html, out_nns),
        _card(t("dashboards.cb.titel", lang), cb_html, out_cb),
    ], layout=w.Layout(grid_template_columns="repeat(2, minmax(0, 1fr))", grid_auto_rows="auto",
                       grid_gap="10px", width="100%"))
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
    return db.html_table(df, testid)


def _kasam_html(kc: pd.DataFrame, lang: str) -> str:
    r = kc.iloc[0]
    fmt = lambda x, d=1: disclosure.format_number(x, lang, d) if pd.notna(x) else "–"  # noqa: E731
    design = {"paired": t("dashboards.kasam.parad", lang), "unpaired": t("dashboards.kasam.oparad", lang)}.get(
        r["design"], "–")
    sup = " dash-suppressed" if r["undertryckt"] else ""
    rows = [
        ("n", t("dashboards.kasam.n", lang), fmt(r["n"], 0)),
        ("fore", t("dashboards.kasam.fore", lang), fmt(r["mean_before"])),
        ("efter", t("dashboards.kasam.efter", lang), fmt(r["mean_after"])),
        ("forandring", t("dashboards.kasam.forandring", lang), fmt(r["mean_diff"])),
        ("ki", t("dashboards.kasam.ki", lang),
         "–" if pd.isna(r["ci_low"]) else f"{fmt(r['ci_low'])} – {fmt(r['ci_high'])}"),
        ("design", t("dashboards.kasam.design", lang), design),
    ]
    body = "".join(f'<tr><th>{html.escape(lab)}</th><td class="dash-value{sup}" data-key="kasam_{k}">'
                   f"{html.escape(v)}</td></tr>" for k, lab, v in rows)
    return f'<div data-testid="kasam"><table class="dash-table dash-kf">{body}</table></div>'


def _measure(x, matt, lang: str) -> str:
    if pd.isna(x):
        return "–"
    if str(matt).startswith("andel"):
        return f"{disclosure.format_number(100 * x, lang, 0)} %"
    return disclosure.format_number(x, lang, 1)


def _nns_html(att: pd.DataFrame, lang: str, min_n: int = 5) -> str:
    if att.empty:
        return f'<div data-testid="nns">{html.escape(t("dashboards.ingen_data", lang))}</div>'
    view = pd.DataFrame({
        t("dashboards.nns.indikator", lang): att["indikator"].astype(str),
        t("dashboards.nns.item", lang): att["item"].fillna("–").astype(str),
        t("dashboards.nns.grupp", lang): att["respondentgrupp"].fillna("–").astype(str),
        "n": [("–" if pd.isna(x) or 0 < x < min_n else str(int(x))) for x in att["n"]],
        t("dashboards.nns.mal", lang): [_measure(x, m, lang) for x, m in zip(att["niva"], att["matt"])],
        t("dashboards.nns.varde", lang): [_measure(x, m, lang) for x, m in zip(att["varde"], att["matt"])],
        t("dashboards.nns.status", lang): att["status_text"].astype(str),
    })
    vag = html.escape(t("dashboards.nns.vag", lang, vag=str(att["vag"].iloc[0])))
    return f"<p>{vag}</p>" + db.html_table(view, "nns")


# --------------------------------------------------------------------------------------------
# evaluator
# --------------------------------------------------------------------------------------------

def evaluator_app(data: db.DashboardData | None = None, lang: str = "sv", min_n: int = 5) -> w.VBox:
    """The evaluator dashboard: tabs Flöden, Enkäter, Fokusgrupper, Datakvalitet.

    Examples
    --------
    >>> evaluator_app  # doctest: +ELLIPSIS
    <function evaluator_app at ...>
    """
    from . import flows
    from . import indicators as ind

    data = _data(data)
    opts = db.filter_options(data, lang)
    allowed = db.allowed_values(data)
    controls = {k: _dropdown(k, opts[k], db.ALL if k != "period" else allowed["period"][1], lang)
                for k in ("forbund", "insats", "period", "kon")}
    mlab = {m: (t(f"flows.matt.{m}", lang) if _has(f"flows.matt.{m}") else m) for m in db.OUTCOME_MEASURES}
    controls["matt"] = _dropdown("matt", [(mlab[m], m) for m in db.OUTCOME_MEASURES], "avslutskategori", lang)
    nns = data.nns
    groups = sorted(nns["respondentgrupp"].dropna().astype(str).unique()) if len(nns) else []
    waves = sorted(nns["vag"].dropna().astype(str).unique()) if len(nns) else []
    tps = sorted(nns["tidpunkt"].dropna().astype(str).unique()) if len(nns) else []
    controls["respondentgrupp"] = _dropdown("respondentgrupp", groups, groups[0] if groups else None, lang)
    controls["vag"] = _dropdown("vag", waves, waves[-1] if waves else None, lang)
    controls["tidpunkt"] = _dropdown("tidpunkt", [(t("dashboards.alla.tidpunkt", lang), db.ALL)] + [(x, x) for x in tps],
                                     db.ALL, lang)
    controls["niva"] = _dropdown("niva", [(t("dashboards.fokus.teman", lang), "tema"), ("Kod", "kod")], "tema", lang)
    status = w.HTML()
    flow_html, month_out, items_html, items_out, fg_html, ag_html = (w.HTML(), w.Output(), w.HTML(), w.Output(),
                                                                     w.HTML(), w.HTML())
    foot = _caveat(disclosure.footnote(min_n, lang, secondary=True))
    summary, problems = db.data_quality(data, lang)
    dq_html = w.HTML(CSS + f"<h3>{html.escape(t('dashboards.kvalitet.filer', lang))}</h3>"
                     + db.html_table(summary, "filer")
                     + f"<h3>{html.escape(t('dashboards.kvalitet.problem', lang))}</h3>"
                     + (db.html_table(problems.head(500), "problem") if len(problems)
                        else f'<p data-testid="problem">{html.escape(t("dashboards.kvalitet.inga", lang))}</p>')
                     + _caveat(t("dashboards.kvalitet.caveat", lang)))

    def refresh(*_):
        try:
            f = db.validate_filters(data, **{k: controls[k].value for k in ("forbund", "insats", "period", "kon")})
            db.check_choice(controls["matt"].value, db.OUTCOME_MEASURES, "matt")
        except db.NotAllowedError:
            status.value = f'<div class="dash-msg">{html.escape(t("dashboards.msg.ogiltigt_val", lang))}</div>'
            return
        status.value = ""
        tab = db.outcome_table(data, f, controls["matt"].value, min_n=min_n, lang=lang)
        flow_html.value = db.html_table(tab, "utfall") + foot
        start, end = db.period_bounds(data, f.period)
        monthly = flows.monthly_flows(db.select(data.episodes, f), data.reference_date, start, end)
        _draw(month_out, flows.figure_monthly(monthly, lang=lang, min_n=min_n).update_layout(height=320))
        if groups and waves:
            items = db.survey_items(data, f, controls["respondentgrupp"].value, controls["vag"].value,
                                    controls["tidpunkt"].value, min_n=min_n)
            items_html.value = (db.html_table(disclosure.format_table(
                items[[c for c in db.ITEM_COLUMNS if c in items.columns]], lang=lang, decimals=2), "enkat")
                                + _caveat(t("dashboards.enkater.caveat", lang)))
            if len(items) and items["n"].notna().any():
                _draw(items_out, ind.figure_diverging(items, lang=lang).update_layout(height=420))
            else:
                items_out.outputs = ()
        board, agree, alpha = db.focus_groups(data, f, level=controls["niva"].value, min_n=min_n, lang=lang)
        fg_html.value = db.html_table(board, "fokus") + _caveat(t("dashboards.fokus.caveat", lang))
        ag_html.value = (f"<p>{html.escape(t('dashboards.fokus.alpha', lang))}: "
                         f'<b data-key="alpha">{disclosure.format_number(alpha, lang, 2)}</b></p>'
                         + db.html_table(agree, "overens"))

    for c in controls.values():
        c.observe(refresh, names="value")
    refresh()

    tabs = w.Tab(children=[
        w.VBox([controls["matt"], w.HTML(f"<h3>{html.escape(t('dashboards.floden.rapport', lang))}</h3>"), flow_html,
                w.HTML(f"<h3>{html.escape(t('dashboards.floden.manad', lang))}</h3>"), month_out]),
        w.VBox([w.HBox([controls["respondentgrupp"], controls["vag"], controls["tidpunkt"]]), items_html, items_out]),
        w.VBox([controls["niva"], fg_html, w.HTML(f"<h3>{html.escape(t('dashboards.fokus.overens', lang))}</h3>"),
                ag_html]),
        dq_html,
    ])
    for i, key in enumerate(["floden", "enkater", "fokus", "kvalitet"]):
        tabs.set_title(i, t(f"dashboards.flik.{key}", lang))
    filters = w.HBox([controls[k] for k in ("forbund", "insats", "period", "kon")],
                     layout=w.Layout(flex_flow="row wrap", gap="12px"))
    app = w.VBox([_header(t("dashboards.utvarderare.titel", lang), t("dashboards.utvarderare.ingress", lang), data,
                          lang), _messages(data), filters, status, tabs])
    app.controls, app.data, app.refresh, app.tabs = controls, data, refresh, tabs
    app.outputs = {"utfall": flow_html, "enkat": items_html, "fokus": fg_html, "overens": ag_html,
                   "kvalitet": dq_html, "fig_manad": month_out, "fig_enkat": items_out}
    return app


def _has(key: str) -> bool:
    from .labels import labels_table

    return key in labels_table().index


# --------------------------------------------------------------------------------------------
# scenarios
# --------------------------------------------------------------------------------------------

def scenario_app(data: db.DashboardData | None = None, lang: str = "sv", scenario: str = "bas") -> w.VBox:
    """The scenario workshop: a scenario choice and :func:`evaluation.costbenefit.scenario_widgets`.

    Changing the scenario (allowlisted file stems) rebuilds the sliders from that scenario; moving a
    slider recomputes the per-actor results live (inside ``scenario_widgets``).

    Examples
    --------
    >>> scenario_app  # doctest: +ELLIPSIS
    <function scenario_app at ...>
    """
    from . import costbenefit as cb

    data = _data(data)
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
            name = db.check_choice(choice.value, names, "scenario")
        except db.NotAllowedError:
            status.value = f'<div class="dash-msg">{html.escape(t("dashboards.msg.ogiltigt_val", lang))}</div>'
            return
        status.value = ""
        box = cb.scenario_widgets(data.scenarios[name], data.unit_costs, lang=lang, index=data.price_index)
        container.children = [box]
        app.widgets = box

    app = w.VBox([_header(t("dashboards.scenario.titel", lang), t("dashboards.scenario.ingress", lang), data, lang),
                  w.HTML("".join(f'<div class="dash-msg">{html.escape(m)}</div>' for m in msgs)), choice, status,
                  container])
    app.controls, app.data, app.refresh = {"scenario": choice}, data, rebuild
    app.widgets = None
    if start is not None:
        choice.observe(rebuild, names="value")
        rebuild()
    return app
