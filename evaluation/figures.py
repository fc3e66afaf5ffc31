"""Shared plotly set-up for notebooks, snapshots and dashboards.

Plotly ≥ 6 stores only ``application/vnd.plotly.v1+json`` in an executed notebook, which
``nbconvert --to html`` silently drops (plotly#5365, nbconvert#2235; ``shared/tech/NOTES.md``).
:func:`setup` therefore selects the ``plotly_mimetype+notebook`` renderer, which embeds
plotly.js once per notebook and an HTML copy of every figure, so the snapshot's code-free HTML
shows the plots offline. It also registers a template with Swedish number formatting
(decimal comma, space as thousands separator) and the workbench's colours.

Domain modules build their own figures (functions named ``figure_*``) with these defaults.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

__all__ = ["setup", "CONFIG", "TEMPLATE_NAME", "COLORS", "ACTOR_COLORS", "apply_layout", "mkr_axis", "count_axis",
           "month_ticks", "bar_height", "alt_text", "to_png"]

TEMPLATE_NAME = "utvardering"

#: Qualitative palette (colour-blind safe, Okabe–Ito).
COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

#: Fixed colour per actor so every cost-benefit figure reads the same way.
ACTOR_COLORS = {
    "kommun": "#0072B2",
    "region": "#009E73",
    "forsakringskassan": "#E69F00",
    "arbetsformedlingen": "#CC79A7",
    "ovrig_stat": "#56B4E9",
    "individ": "#D55E00",
    "totalt": "#000000",
}


def _template(lang: str) -> go.layout.Template:
    tpl = go.layout.Template(pio.templates["plotly_white"])
    # plotly: first char decimal separator, second thousands separator
    tpl.layout.separators = ",\u202f" if lang == "sv" else ".,"
    tpl.layout.colorway = COLORS
    tpl.layout.font = dict(family="Arial, Helvetica, sans-serif", size=13)
    tpl.layout.title = dict(x=0.0, xanchor="left")
    return tpl


#: plotly's ``config`` for every figure a board sees (reports and dashboards): no mode bar. Its buttons
#: are English ("Download plot as a PNG", "Zoom"), two of them link to plotly's servers ("Share chart",
#: the plotly logo: a request outside the report), and each figure put eleven extra stops in the
#: keyboard's tab order. Hover values stay; the board's printable copy is the PDF.
CONFIG = {"displayModeBar": False, "displaylogo": False}


def setup(lang: str = "sv", renderer: str | None = "plotly_mimetype+notebook") -> None:
    """Register the workbench template and the renderer that keeps plots in snapshot HTML.

    Parameters
    ----------
    lang : {"sv", "en"}
        Number formatting: Swedish uses decimal comma and a space as thousands separator.
    renderer : str or None
        Plotly renderer; ``None`` leaves the current one (dashboards draw into widgets).

    Examples
    --------
    >>> setup("sv")
    >>> pio.templates.default, pio.renderers["notebook"].config["displayModeBar"]
    ('utvardering', False)
    """
    from . import formatting

    pio.templates[TEMPLATE_NAME] = _template(lang)
    pio.templates.default = TEMPLATE_NAME
    if renderer:
        pio.renderers.default = renderer
    for name in ("notebook", "notebook_connected", "plotly_mimetype"):
        pio.renderers[name].config = dict(CONFIG)
    formatting.install(lang)  # every DataFrame displayed from here on passes the board formatter


def apply_layout(fig: go.Figure, title: str | None = None, height: int | None = None) -> go.Figure:
    """Apply the common layout (title, height, legend below) and return the figure.

    Examples
    --------
    >>> apply_layout(go.Figure(), "Test", 300).layout.height
    300
    """
    fig.update_layout(template=TEMPLATE_NAME if TEMPLATE_NAME in pio.templates else "plotly_white",
                      separators=",\u202f",
                      # the legend sits above the plot area, under the title: it never covers data
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
                      margin=dict(l=60, r=20, t=100 if title else 50, b=60))
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    month_ticks(fig)
    if title:
        fig.update_layout(title_text=title)
    if height:
        fig.update_layout(height=height)
    return fig


def show_in(out, fig: go.Figure) -> None:
    """Replace the contents of an ``ipywidgets.Output`` with a plotly figure, without output capture.

    Sets the widget's ``outputs`` state to one ``display_data`` with plotly's mimetype
    (``application/vnd.plotly.v1+json``, rendered by plotly's JupyterLab/Voilà extension). Unlike
    ``with out: display(fig)``, this does not depend on the frontend routing captured messages by
    ``msg_id``, which stalled headless (papermill/nbclient) runs intermittently until the cell
    timeout. ``Output.append_display_data`` cannot be used: a plotly figure displays through
    ``_ipython_display_``, so IPython's formatters return no data for it.

    Examples
    --------
    >>> import ipywidgets
    >>> out = ipywidgets.Output()
    >>> show_in(out, go.Figure(go.Bar(x=["a"], y=[1])))
    >>> spec = out.outputs[0]["data"]["application/vnd.plotly.v1+json"]
    >>> spec["data"][0]["type"], spec["config"]["displayModeBar"]
    ('bar', False)
    """
    import json

    spec = json.loads(fig.to_json())
    spec["config"] = {**CONFIG, **spec.get("config", {})}
    out.outputs = ({"output_type": "display_data",
                    "data": {"application/vnd.plotly.v1+json": spec, "text/plain": f"Figure ({len(spec['data'])} traces)"},
                    "metadata": {}},)


# --------------------------------------------------------------------------------------------
# axes in Swedish: months, Mkr, counts


def _nice_ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    import math

    import numpy as np

    if not np.isfinite(lo) or not np.isfinite(hi):
        return []
    if hi == lo:
        hi = lo + 1
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    start = math.floor(lo / step) * step
    return [start + i * step for i in range(int(math.ceil((hi - start) / step)) + 1)]


def _axis_values(fig: go.Figure, axis: str, **selector) -> list[float]:
    import numpy as np
    import pandas as pd

    target = None
    if selector:
        sub = fig.get_subplot(selector.get("row", 1), selector.get("col", 1))
        name = getattr(sub, f"{axis}axis").plotly_name  # "xaxis2"
        target = axis + name[len(axis) + 4:]  # "x2"
    vals: list[float] = []
    for tr in fig.data:
        if target is not None and (getattr(tr, f"{axis}axis", None) or axis) != target:
            continue
        arrays = [getattr(tr, axis, None)]
        if tr.type == "box":
            arrays += [tr.lowerfence, tr.upperfence, tr.q1, tr.q3]
        for v in arrays:
            if v is None or isinstance(v, str):
                continue
            arr = pd.to_numeric(pd.Series(list(np.atleast_1d(v))), errors="coerce").to_numpy(dtype=float)
            base = getattr(tr, "base", None)
            if base is not None and v is arrays[0]:
                b = pd.to_numeric(pd.Series(list(np.atleast_1d(base))), errors="coerce").to_numpy(dtype=float)
                b = np.resize(b, arr.shape)
                vals.extend((arr + b).tolist())
                vals.extend(b.tolist())
            vals.extend(arr.tolist())
    vals = [x for x in vals if np.isfinite(x)]
    return vals + [0.0] if vals else []


def mkr_axis(fig: go.Figure, axis: str = "y", lang: str = "sv", title: str | None = None, **selector) -> go.Figure:
    """Show an axis of kronor in Mkr: ticks ``−2,5 0 2,5 5`` and the unit in the title, never ``15M``.

    Parameters
    ----------
    axis : {"x", "y"}
        Which axis holds the kronor (values stay in kr; only the tick labels change).
    title : str, optional
        Axis title; default the current one with "(kr)" replaced by "(Mkr)".
    **selector
        ``row``/``col`` of a subplot.

    Examples
    --------
    >>> f = mkr_axis(go.Figure(go.Bar(x=["a", "b"], y=[-2_000_000, 15_000_000])).update_yaxes(title_text="Netto (kr)"))
    >>> f.layout.yaxis.ticktext[:3], f.layout.yaxis.title.text
    (('−5', '0', '5'), 'Netto (Mkr)')
    """
    from . import formatting

    vals = _axis_values(fig, axis, **selector)
    if not vals:
        return fig
    ticks = _nice_ticks(min(vals), max(vals))
    step = (ticks[1] - ticks[0]) / 1e6 if len(ticks) > 1 else 1
    dec = 0 if float(step).is_integer() else (1 if float(step * 10).is_integer() else 2)
    text = [formatting.number(v / 1e6, dec, lang) for v in ticks]
    upd = fig.update_yaxes if axis == "y" else fig.update_xaxes
    current = None
    for ax in fig.select_yaxes(**selector) if axis == "y" else fig.select_xaxes(**selector):
        current = ax.title.text
    new_title = title or (current.replace("(kr)", "(Mkr)").replace("(SEK)", "(MSEK)") if current else "Mkr")
    upd(tickmode="array", tickvals=ticks, ticktext=text, title_text=new_title, **selector)
    return fig


def count_axis(fig: go.Figure, axis: str = "y", **selector) -> go.Figure:
    """An axis of counts: whole numbers only (no 0,5 people), starting at zero.

    Examples
    --------
    >>> count_axis(go.Figure(go.Bar(x=["a"], y=[3]))).layout.yaxis.dtick
    1
    """
    vals = _axis_values(fig, axis)
    hi = max(vals) if vals else 1
    upd = fig.update_yaxes if axis == "y" else fig.update_xaxes
    upd(tickformat="d", rangemode="tozero", dtick=1 if hi <= 10 else None, **selector)
    return fig


def month_ticks(fig: go.Figure, lang: str = "sv") -> go.Figure:
    """Swedish month names on date axes (``jan. 2025``, ``maj 2025``): plotly.js only knows English.

    Sets ``tickvals``/``ticktext`` of every x axis whose traces hold dates, at most about ten ticks.

    Examples
    --------
    >>> import pandas as pd
    >>> f = month_ticks(go.Figure(go.Scatter(x=pd.date_range("2025-01-01", periods=6, freq="MS"), y=list(range(6)))))
    >>> f.layout.xaxis.ticktext[:3]
    ('jan. 2025', 'feb. 2025', 'mars 2025')
    """
    import pandas as pd

    from . import formatting

    xs = []
    for tr in fig.data:
        x = getattr(tr, "x", None)
        if x is None or len(x) == 0:
            continue
        try:
            first = x[0]
        except (TypeError, IndexError):
            continue
        if isinstance(first, (str, bytes)) and not (len(first) >= 7 and first[:4].isdigit() and first[4] == "-"):
            continue
        if isinstance(first, (int, float)) and not isinstance(first, bool):
            continue
        try:
            xs.append(pd.to_datetime(pd.Series(list(x))))
        except (ValueError, TypeError):
            continue
    if not xs:
        return fig
    allx = pd.concat(xs).dropna()
    if allx.empty:
        return fig
    months = pd.date_range(allx.min().to_period("M").to_timestamp(), allx.max(), freq="MS")
    step = max(1, -(-len(months) // 10))
    months = months[::step]
    fig.update_xaxes(tickmode="array", tickvals=list(months),
                     ticktext=[formatting.month(m, lang, abbreviated=True) for m in months])
    return fig


def bar_height(n_rows: int, per_row: int = 32, base: int = 160) -> int:
    """Height (px) of a horizontal bar chart with ``n_rows`` categories: grows with the rows.

    Examples
    --------
    >>> bar_height(3), bar_height(20)
    (256, 800)
    """
    return base + per_row * max(int(n_rows), 1)


def alt_text(fig: go.Figure, lang: str = "sv", max_points: int = 12) -> str:
    """A text alternative of a figure: its title and, per trace, the first values (for screen readers).

    Examples
    --------
    >>> alt_text(go.Figure(go.Bar(x=["Arbete", "Studier"], y=[33, 22], name="Avslut")).update_layout(title_text="Avslut"))
    'Diagram: Avslut. Avslut: Arbete 33; Studier 22.'
    """
    import re

    from . import formatting

    title = re.sub(r"<[^>]+>", " ", fig.layout.title.text or "").strip()
    title = re.sub(r"\s+", " ", title)
    parts = [f"Diagram: {title}." if title else "Diagram."]
    for tr in fig.data[:6]:
        horiz = getattr(tr, "orientation", None) == "h"
        cats = getattr(tr, "y" if horiz else "x", None)
        vals = getattr(tr, "x" if horiz else "y", None)
        if cats is None or vals is None or isinstance(cats, str):
            continue
        pairs = []
        for c, v in list(zip(cats, vals)):
            if c is None or v is None or (isinstance(v, float) and v != v):
                continue  # a gap in a line (or a value not shown) is not read out
            if hasattr(c, "year"):
                c = formatting.month(c, lang)
            elif isinstance(c, (int, float)) and not isinstance(c, bool):
                c = formatting.cell(c, lang)
            pairs.append(f"{c} {formatting.cell(v, lang) if not isinstance(v, str) else v}")
            if len(pairs) == max_points:
                break
        if pairs:
            parts.append(f"{tr.name + ': ' if tr.name else ''}{'; '.join(str(p) for p in pairs)}.")
    return " ".join(parts)


_KALEIDO_STARTED = False


def to_png(fig: go.Figure, width: int = 900, height: int | None = None, scale: float = 2.0) -> bytes:
    """The figure as PNG bytes (kaleido 1.x on Debian's Chromium, one browser kept for the process).

    Examples
    --------
    ``to_png(fig)`` returns PNG bytes for Word (:func:`evaluation.report.export_docx`) and the
    slutrapport HTML (embedded as ``<img alt=…>``).
    """
    import atexit
    import os

    global _KALEIDO_STARTED
    import kaleido

    from .rendering import chromium_path

    exe = chromium_path()
    if exe and not os.environ.get("BROWSER_PATH"):
        os.environ["BROWSER_PATH"] = exe
    if not _KALEIDO_STARTED:
        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _KALEIDO_STARTED = True
    import warnings

    h = height or int(fig.layout.height or 450)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "kopts ignored when using a server"
        return fig.to_image(format="png", width=width, height=h, scale=scale)
