"""Every plotly figure in a board report has a text alternative (issue 18, WCAG 1.1.1).

Plotly ≥ 6 writes numeric arrays into a notebook's figure output as base64 typed arrays; the text
alternative must read the real values from them, in Swedish number format, never raw floats.
"""
from __future__ import annotations

import copy
import json
import re

import nbformat
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from evaluation import rendering


def _notebook_with(fig: go.Figure, tmp_path):
    spec = json.loads(pio.to_json(fig))
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.plotly.v1+json": spec, "text/html": "<div class='plot'>figur</div>"})]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Rapport"), cell]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    return path, spec


def test_typed_array_values_are_read_out_in_swedish(tmp_path):
    fig = go.Figure(go.Bar(x=np.array([0.25, 1.5, 1234.5]), y=np.array([33, 22, 7], dtype="int16"),
                           name="Avslut"))
    fig.update_layout(title_text="Avslut <b>per</b> kategori")
    path, spec = _notebook_with(fig, tmp_path)
    assert "bdata" in json.dumps(spec)  # the encoding the decoder has to undo
    html = rendering.render_html(path, tmp_path / "n.html").read_text(encoding="utf-8")
    caption = re.search(r'<figcaption class="sr-only">(.*?)</figcaption>', html).group(1)
    # 0,25 → "0,2" or "0,3" by the formatter's one decimal; the values 33, 22, 7 are exact
    assert caption.startswith("Diagram: Avslut per kategori. Avslut: ")
    assert "1,5 22" in caption and "1\u202f234,5 7" in caption and " 33" in caption
    assert not re.search(r"0\.\d{3,}|\d\.0\b|bdata|dtype", caption)
    assert 'aria-label="Avslut per kategori"' in html


def test_gaps_are_not_read_out_and_every_figure_is_described(tmp_path):
    fig = go.Figure([go.Scatter(x=["2025-01", "2025-02", None, "2025-03"], y=[4, None, 1, 9], name="Nya"),
                     go.Bar(x=["Kvinna", "Man"], y=[10, 12], name="Antal")])
    fig.update_layout(title_text="Inflöde")
    path, _ = _notebook_with(fig, tmp_path)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(copy.deepcopy(nb.cells[1]))
    assert rendering._describe_figures(nb) == 2
    caption = re.search(r'<figcaption class="sr-only">(.*?)</figcaption>',
                        nb.cells[1].outputs[0].data["text/html"]).group(1)
    assert caption == "Diagram: Inflöde. Nya: 2025-01 4; 2025-03 9. Antal: Kvinna 10; Man 12."
    assert rendering._describe_figures(nb) == 0  # already described: not wrapped twice


def test_count_axes_have_whole_numbers_only():
    """Counts of people and codes never get a 0,5 tick (issue 18: a focus-group axis ran 0,5–3,5)."""
    import pandas as pd

    from evaluation import coding, flows

    few = pd.DataFrame({"kategori": ["arbete", "studier"], "n": [3.0, 2.0], "bekraftad": [2.0, 2.0],
                        "obekraftad": [1.0, 0.0]})
    fig = flows.figure_exits(few)
    assert (fig.layout.yaxis.tickformat, fig.layout.yaxis.dtick, fig.layout.yaxis.rangemode) == ("d", 1, "tozero")
    many = few.assign(bekraftad=[8.0, 2.0], obekraftad=[7.0, 0.0])  # stacked total 15 > 10
    assert flows.figure_exits(many).layout.yaxis.dtick is None
    sat = pd.DataFrame({"ordning": [1, 2, 3], "session": ["a", "b", "c"], "nya_koder": [3, 1, 0],
                        "kumulativt": [3, 4, 4]})
    fig = coding.figure_saturation(sat)
    assert fig.layout.xaxis.dtick == 1 and fig.layout.yaxis.tickformat == "d"
    tl = pd.DataFrame({"grupp": ["g1", "g2"], "kod": ["x", "x"], "segment": [3, 2], "andel_segment": [0.6, 0.4]})
    assert coding.figure_theme_bars(tl, value="segment").layout.xaxis.tickformat == "d"
    assert coding.figure_theme_bars(tl, value="andel_segment").layout.xaxis.tickformat is None  # percent axis


def test_plotlyjs_of_a_hidden_first_figure_moves_to_the_first_cell_kept(tmp_path):
    """plotly's notebook renderer writes plotly.js into the first figure's output only; an evaluator-only
    figure tagged ``hide`` (deltagarflöden's Sankey) must not take it along, or no board figure draws."""
    bundle = "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};/* plotly.js */</script>"
    hidden = nbformat.v4.new_code_cell("", metadata={"tags": ["hide"]})
    hidden.outputs = [nbformat.v4.new_output("display_data", data={"text/html": bundle}),
                      nbformat.v4.new_output("display_data", data={"text/html": "<div>Sankey</div>"})]
    kept = nbformat.v4.new_code_cell("")
    kept.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<div>Avslut</div>"})]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Rapport"), hidden, kept]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    html = rendering.render_html(path, tmp_path / "n.html").read_text(encoding="utf-8")
    assert "window.PlotlyConfig" in html and "Avslut" in html and "Sankey" not in html
    assert html.index("window.PlotlyConfig") < html.index("<div>Avslut</div>")
