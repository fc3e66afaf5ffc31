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
