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

__all__ = ["setup", "TEMPLATE_NAME", "COLORS", "ACTOR_COLORS", "apply_layout"]

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
    tpl.layout.separators = ", " if lang == "sv" else ". "
    tpl.layout.colorway = COLORS
    tpl.layout.font = dict(family="Arial, Helvetica, sans-serif", size=13)
    tpl.layout.title = dict(x=0.0, xanchor="left")
    return tpl


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
    >>> pio.templates.default
    'utvardering'
    """
    from . import formatting

    pio.templates[TEMPLATE_NAME] = _template(lang)
    pio.templates.default = TEMPLATE_NAME
    if renderer:
        pio.renderers.default = renderer
    formatting.install(lang)  # every DataFrame displayed from here on passes the board formatter


def apply_layout(fig: go.Figure, title: str | None = None, height: int | None = None) -> go.Figure:
    """Apply the common layout (title, height, legend below) and return the figure.

    Examples
    --------
    >>> apply_layout(go.Figure(), "Test", 300).layout.height
    300
    """
    fig.update_layout(template=TEMPLATE_NAME if TEMPLATE_NAME in pio.templates else "plotly_white",
                      legend=dict(orientation="h", yanchor="top", y=-0.15),
                      margin=dict(l=60, r=20, t=60 if title else 30, b=60))
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
    >>> out.outputs[0]["data"]["application/vnd.plotly.v1+json"]["data"][0]["type"]
    'bar'
    """
    import json

    spec = json.loads(fig.to_json())
    spec.setdefault("config", {})
    out.outputs = ({"output_type": "display_data",
                    "data": {"application/vnd.plotly.v1+json": spec, "text/plain": f"Figure ({len(spec['data'])} traces)"},
                    "metadata": {}},)
