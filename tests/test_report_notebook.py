"""notebooks/slutrapport.ipynb: thin, and for every sample run it renders a code-free HTML report with the
13 ESF headings, writes slutrapport.docx next to results.json, leaks no personnummer, and its headline
results agree with the package computed independently here on the same files."""

import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks" / "slutrapport.ipynb"
DATA = ROOT / "data_samples"
RUNFILES = sorted((ROOT / "parametrized_runs").glob("*.yaml"))
ESF_HEADINGS = ["Sammanfattning", "Projektets resultat", "Syfte och mål med projektet", "Arbetssätt",
                "Deltagande aktörer i projektet", "Jämställdhetsintegrering",
                "Tillgänglighet för personer med funktionsnedsättning", "Regionala prioriteringar",
                "Spridning och påverkansarbete", "Extern utvärdering", "Egenutvärdering", "Kommentarer och tips",
                "Kontaktpersoner"]


def _report_specs():
    from evaluation import runs

    specs = [s for f in RUNFILES for s in runs.load_runfile(f) if Path(s.notebook).name == "slutrapport.ipynb"]
    return specs


def test_every_sample_run_file_has_a_report_with_valid_parameters():
    from evaluation import runs

    specs = _report_specs()
    assert {s.parameters["forbund"] for s in specs} == {"Norrdal", "Söderå"}
    for s in specs:
        runs.validate_parameters(s.notebook, s.parameters)
        assert (DATA / s.parameters["mal_fil"]).exists()


def _independent(forbund: str, mal_fil: str, scenario: str, tabeller=None):
    """Goal statuses and key figures computed with the analysis modules directly (not evaluation.report);
    the goal tracker's participant figures from ``tabeller``, the snapshot's protected table set."""
    from evaluation import compare, flows, goals, io, kasam

    samples = io.load_samples(DATA)
    ep = samples["episoder"].data
    scored = kasam.score(samples["kasam_deltagare"].data)
    scored = scored[scored["forbund"] == forbund]
    staff = kasam.score(samples["kasam_personal"].data)
    staff = staff[staff["forbund"] == forbund]
    cb_res = None
    if scenario:
        from evaluation import costbenefit as cb

        cb_res = cb.evaluate(cb.load_scenario(DATA / "scenarier" / f"{scenario}.yaml"),
                             io.load_unit_costs(DATA / "enhetskostnader.csv").data,
                             index=cb.read_price_index(DATA / "prisindex.csv"))
    u = goals.Underlag(episodes=ep, events=samples["handelser"].data, kasam_deltagare=scored,
                       kasam_personal=staff, nns=samples["nns_enkater"].data, kostnadsnytta=cb_res,
                       reference_date="2026-01-15", forbund=forbund, tabeller=tabeller)
    g = goals.track(goals.load_goals(DATA / mal_fil), u)
    own = flows.headline(flows.prepare_episodes(ep, forbund=forbund), samples["handelser"].data, "2026-01-15",
                         "2025-01-01", "2025-12-31")
    # paired KASAM change by hand: respondents with a total at both waves
    f = scored[scored["tidpunkt"] == "fore"].set_index("respondent_id")["total"]
    e = scored[scored["tidpunkt"] == "efter"].set_index("respondent_id")["total"]
    pairs = pd.concat([f.rename("f"), e.rename("e")], axis=1, join="inner").dropna()
    assert compare.design_of(scored[scored["tidpunkt"] == "fore"], scored[scored["tidpunkt"] == "efter"]).paired
    return g, own, float((pairs["e"] - pairs["f"]).mean())


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("forbund", ["Norrdal", "Söderå"])
def test_report_renders_for_every_sample_run(sample_snapshot, forbund):
    """Reads the session's snapshot of the sample run files (the runner executed slutrapport with
    each run file's parameters and rendered rapport.html), instead of executing it again."""
    import docx

    from evaluation import goals, privacy

    spec = next(s for s in _report_specs() if s.parameters["forbund"] == forbund)
    run_dir = Path(sample_snapshot.runs[spec.name])
    html = (run_dir / "rapport.html").read_text(encoding="utf-8")

    # the 13 ESF headings, in order, and no code
    pos = [html.find(f"<h2>{i} {h}</h2>") for i, h in enumerate(ESF_HEADINGS, start=1)]
    assert all(p > 0 for p in pos) and pos == sorted(pos)
    for code in ("report.show(", "load_inputs(", "results.save(", "import evaluation", "from evaluation"):
        assert code not in html
    assert "DELTA-matrisen" in html and "Framgång av tredje graden" in html
    assert "Ingen jämförelsegrupp" in html and "Jämställdhetsintegrering" in html
    assert "Avslut per kategori och kön" in html

    # Word document next to results.json, same headings
    word = run_dir / "slutrapport.docx"
    assert word.exists()
    heads = [p.text for p in docx.Document(word).paragraphs if p.style.name == "Heading 1"]
    # the 13 ESF sections, then the evaluator's appendix (import reports, checks) at the end
    assert heads == [f"{i} {h}" for i, h in enumerate(ESF_HEADINGS, start=1)] + \
        ["Bilaga: underlag och kontroller för utvärderaren"]

    # no personnummer anywhere (Söderå's export carries fictitious ones)
    assert privacy.scan_outputs(run_dir).empty

    # headline results agree with the package computed independently
    res = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    from evaluation import tableset

    g, own, kasam_diff = _independent(forbund, spec.parameters["mal_fil"], spec.parameters.get("scenario", ""),
                                      tableset.read_parquet(sample_snapshot.path / tableset.FILENAME))
    assert res["word"] is True and res["forbund"] == forbund
    assert res["avsnitt"] == [f"{i} {h}" for i, h in enumerate(ESF_HEADINGS, start=1)]
    assert res["mal"] == goals.headline(g)
    # a figure the report shows is the package's; one it hides ("–") is null in results.json (issue 15)
    shown = res["nyckeltal_publicerade"]
    for key, want in (("flows.avslutade_i_perioden", own["avslutade_i_perioden"]),
                      ("flows.egen_forsorjning_efter_andel", own["egen_forsorjning_efter_andel"]),
                      ("kasam.deltagare.forandring", kasam_diff)):
        assert res["nyckeltal"][key] == (pytest.approx(want) if shown[key] else None), key
    assert shown["flows.avslutade_i_perioden"]  # the förbund's avslutade 2025 survive protection
    assert sum(res["delta_matt"].values()) > 9 and len(res["delta_matt"]) == 9
    assert ("kostnadsnytta.bcr" in res["nyckeltal"]) == bool(spec.parameters.get("scenario"))
