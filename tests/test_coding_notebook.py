"""Execute notebooks/fokusgrupper.ipynb with papermill on the sample segments and check results.json.

The expected values are computed here with the package's building blocks (tally, kappa_per_code,
codebook_alpha, saturation) on the same file, and κ is cross-checked with scikit-learn.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from evaluation import coding
from evaluation.io import load_segments

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "fokusgrupper.ipynb"
SAMPLE = ROOT / "data_samples" / "fokusgrupper_segment.csv"


@pytest.mark.notebook
def test_notebook_records_headline_results_on_the_sample(tmp_path):
    import papermill as pm

    results_path = tmp_path / "results.json"
    pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "out.ipynb"), kernel_name="evaluation",
                        cwd=str(NOTEBOOK.parent), progress_bar=False,
                        parameters={"results_path": str(results_path), "data_dir": str(ROOT / "data_samples")})
    got = json.loads(results_path.read_text(encoding="utf-8"))

    seg, _ = load_segments(SAMPLE)
    cb = coding.combine_codebooks("teamwork_framgangsfaktorer", "delta_personal")
    assert got["n_segment"] == seg["segment_id"].nunique()
    assert got["n_sessioner"] == seg["session"].nunique()
    assert got["kodare"] == ["A", "B"]
    themes = coding.tally(seg, cb, level="tema", include_zero=False).set_index("kod")
    for theme, n in got["teman_segment"].items():
        assert n == themes.loc[theme, "segment"]
    # every theme rolled up by hand: distinct segments with any code of the theme, any coder
    theme_of = {k: cb.tema_of(k) for k in seg["kod"].unique()}
    by_hand = seg.assign(tema=seg["kod"].map(theme_of)).groupby("tema")["segment_id"].nunique()
    assert got["teman_segment"] == {k: int(v) for k, v in by_hand.items() if k in got["teman_segment"]}
    assert set(got["teman_segment"]) == set(by_hand.index)

    # kappa per code cross-checked with scikit-learn on presence per segment (all documents doubly coded)
    units = sorted(seg["segment_id"].unique())
    for kod, kappa in got["kappa"].items():
        a = [int(((seg["segment_id"] == u) & (seg["kodare"] == "A") & (seg["kod"] == kod)).any()) for u in units]
        b = [int(((seg["segment_id"] == u) & (seg["kodare"] == "B") & (seg["kod"] == kod)).any()) for u in units]
        assert kappa == pytest.approx(cohen_kappa_score(a, b))
        assert got["procent_overens"][kod] == pytest.approx(np.mean(np.array(a) == np.array(b)))
    assert got["alpha"] == pytest.approx(coding.codebook_alpha(seg, codebook=cb))
    assert 0.5 < got["alpha"] <= 1
    assert got["mattnad_sista_nya"] == int(coding.saturation(seg, cb)["nya_koder"].iloc[-1])
