"""The one loader (evaluation.inputs): validation, förbund filtering, aggregates, notebooks, run files.

Expected values are computed independently from the raw sample CSVs with the csv module.
"""
from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from evaluation import catalogue, inputs, runs
from evaluation.errors import EvaluationError

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data_samples"
FORBUND = ("Norrdal", "Söderå")


def _rows(name: str) -> list[dict]:
    with open(SAMPLES / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------------------ validation

@pytest.mark.parametrize("kwargs, message", [
    ({"forbund": "Soderå"}, r"^Förbundet 'Soderå' finns inte i datamappen .*Giltiga värden: Norrdal, Söderå "
                            r"\(eller tomt för alla\)\. Menade du 'Söderå'\?$"),
    ({"forbund": "Norrdahl"}, r"Förbundet 'Norrdahl' finns inte.*Giltiga värden: Norrdal, Söderå.*Menade du 'Norrdal'"),
    ({"forbund": "Norrdal,Västerå"}, r"Förbundet 'Västerå' finns inte"),
    ({"period": ("2025-12-31", "2025-01-01")}, r"Perioden börjar 2025-12-31, efter att den slutar 2025-01-01"),
    ({"period": ("2025-01-01", "2025-13-40")}, r"Periodens slut '2025-13-40' är inget datum; skriv det som ÅÅÅÅ-MM-DD"),
    ({"period": ("2030-01-01", "2030-12-31")}, r"Perioden börjar 2030-01-01, men data i .* når bara till 2025-12-31"),
    ({"scenario": "optimistisk"}, r"Scenariot 'optimistisk' finns inte i datamappen .*Tillgängliga scenarier: "
                                  r"pessimistiskt, bas, optimistiskt\. Menade du 'optimistiskt'\?"),
    ({"forbund": "Söderå", "scenario": "bas"}, r"Scenariot 'bas' gäller Norrdal, inte Söderå\. Datamappen har inget "
                                               r"scenario för Söderå"),
    ({"forbund": "Söderå", "insats": "Team Work"}, r"insats = 'Team Work' finns inte i data för Söderå.*Giltiga "
                                                   r"värden: Steget vidare, Vuxenteamet"),
    ({"rapporterat": "vuxenteamet"}, r"rapporterade tabellen 'vuxenteamet' finns inte.*Tillgängliga: vuxenteamen, "
                                     r"vagen_ut.*Menade du 'vuxenteamen'"),
    ({"reference_date": "15/1/2026x"}, r"Uttagsdatumet \(reference_date\) '15/1/2026x' är inget datum"),
    ({"dates": {"review_date": "snart"}}, r"Parametern review_date 'snart' är inget datum"),
])
def test_a_parameter_mistake_gets_one_swedish_message_naming_the_valid_values(kwargs, message):
    with pytest.raises(inputs.InputsError, match=message) as err:
        inputs.load(SAMPLES, **kwargs)
    assert isinstance(err.value, EvaluationError) and isinstance(err.value, ValueError)
    assert "Traceback" not in str(err.value)


def test_valid_parameters_are_normalised():
    inp = inputs.load(SAMPLES, forbund=" Norrdal ", period=("2025-01-01", ""), scenario="bas")
    assert inp.forbund == ("Norrdal",) and inp.label == "Norrdal"
    assert str(inp.period[0].date()) == "2025-01-01" and inp.period[1] is None
    assert inp.scenario.namn == "Bas" and inp.scenario_name == "bas"
    assert list(inp.scenarios) == ["pessimistiskt", "bas", "optimistiskt"]


def test_a_folder_without_catalogue_is_refused_with_the_way_to_make_one(tmp_path):
    (tmp_path / "episoder.csv").write_text("episod_id\n", encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match="saknar datakatalog.yaml.*evaluation import"):
        inputs.load(tmp_path)


def test_a_required_entity_that_is_missing_is_named(tmp_path):
    (tmp_path / "h.csv").write_text("episod_id,datum,handelse\nE1,2025-01-02,samtycke\n", encoding="utf-8")
    catalogue.record_import(tmp_path, {"entity": "handelser", "path": "h.csv", "forbund": ["Norrdal"]})
    with pytest.raises(inputs.InputsError, match=r"har ingen fil med deltagarepisoder \(entitet episoder\).*"
                                                 r"evaluation import FIL --entity episoder"):
        inputs.load(tmp_path, require=["episoder"])


# ------------------------------------------------------------------------------ filtering, once

def test_every_table_holds_only_the_selected_forbund():
    inp = inputs.load(SAMPLES, forbund="Söderå")
    export = _export_ids()
    assert set(inp.episodes["forbund"]) == {"Söderå"}
    assert sorted(inp.episodes["episod_id"]) == sorted(export)
    events = [r for r in _rows("handelser.csv") if r["episod_id"] in export]
    assert len(inp.events) == len(events) and set(inp.events["episod_id"]) <= set(export)
    for table, name in (("nns", "nns_enkater.csv"), ("segments", "fokusgrupper_segment.csv")):
        expected = sum(r["forbund"] == "Söderå" for r in _rows(name))
        assert len(getattr(inp, table)) == expected > 0, table
    deltagare = [r for r in _rows("kasam_deltagare.csv") if r["forbund"] == "Söderå"]
    personal = [r for r in _rows("kasam_personal.csv") if r["forbund"] == "Söderå"]
    assert len(inp.kasam_deltagare) == len(deltagare) and len(inp.kasam_personal) == len(personal)
    assert set(inp.targets["forbund"]) == {"Söderå"}
    assert inp.goals()["forbund"] == "Söderå"


def _export_ids() -> list[str]:
    with open(SAMPLES / "export_verksamhetssystem_sodera.csv", encoding="cp1252", newline="") as fh:
        return [r["Ärende-ID"] for r in csv.DictReader(fh, delimiter=";")]


def test_norrdal_never_needs_the_key_of_soderas_export(monkeypatch):
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("EVALUATION_KEY_FILE", "/nonexistent/key")
    inp = inputs.load(SAMPLES, forbund="Norrdal")
    assert len(inp.episodes) == len(_rows("episoder.csv")) and set(inp.episodes["forbund"]) == {"Norrdal"}


def test_the_aggregate_covers_every_forbund_and_exists_only_with_several(tmp_path):
    inp = inputs.load(SAMPLES, forbund="Söderå")
    assert inp.alla is not None and inp.alla.forbund == ()
    assert len(inp.alla.nns) == len(_rows("nns_enkater.csv"))
    # a folder that holds one förbund: no aggregate (it would be the förbund itself)
    own = tmp_path / "norrdal"
    own.mkdir()
    rows = [r for r in _rows("nns_enkater.csv") if r["forbund"] == "Norrdal"]
    with open(own / "nns.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    catalogue.record_import(own, {"entity": "enkatsvar", "instrument": "nns", "path": "nns.csv",
                                  "forbund": ["Norrdal"]})
    one = inputs.load(own, forbund="Norrdal")
    assert one.all_forbund == ["Norrdal"] and one.alla is None and len(one.nns) == len(rows)


def test_forbund_are_learnt_from_the_data_when_the_catalogue_declares_none(tmp_path):
    shutil.copy(SAMPLES / "fokusgrupper_segment.csv", tmp_path / "seg.csv")
    catalogue.record_import(tmp_path, {"entity": "segment", "path": "seg.csv"})
    assert inputs.load(tmp_path).all_forbund == ["Norrdal", "Söderå"]
    with pytest.raises(inputs.InputsError, match="Giltiga värden: Norrdal, Söderå"):
        inputs.load(tmp_path, forbund="Västerå")


# ------------------------------------------------------------------------------ notebooks

def _error_outputs(nb_path: Path) -> list[dict]:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
            if o.get("output_type") == "error"]


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("notebook, params, message", [
    ("kasam_fore_efter", {"forbund": "Soderå"}, "Förbundet 'Soderå' finns inte"),
    ("deltagarfloden", {"forbund": "Norrdahl"}, "Förbundet 'Norrdahl' finns inte"),
    ("samhallsekonomi", {"scenario": "optimistisk"}, "Tillgängliga scenarier: pessimistiskt, bas, optimistiskt"),
    ("samhallsekonomi", {"forbund": "Söderå"}, "Scenariot 'bas' gäller Norrdal, inte Söderå"),
    ("deltagarfloden", {"period_start": "2025-12-31", "period_end": "2025-01-01"}, "Perioden börjar 2025-12-31"),
])
def test_a_parameter_mistake_in_a_notebook_stops_the_first_cell_with_the_message_only(tmp_path, notebook, params,
                                                                                     message):
    import papermill as pm

    out = tmp_path / "out.ipynb"
    nb = ROOT / "notebooks" / f"{notebook}.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(str(nb), str(out), parameters={**params, "results_path": str(tmp_path / "r.json")},
                            kernel_name="evaluation", cwd=str(nb.parent), progress_bar=False)
    assert err.value.ename == "InputsError" and message in err.value.evalue
    errors = _error_outputs(out)
    assert len(errors) == 1
    shown = "\n".join(errors[0]["traceback"])
    assert message in shown and "Fel:" in shown
    assert "Traceback" not in shown and "site-packages" not in shown and "File " not in shown
    # stopped in the first cell after the parameters: nothing else ran
    cells = [c for c in json.loads(out.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    ran = [c for c in cells if c.get("execution_count")]
    assert len(ran) == 3  # parameters, injected parameters, the loader cell
    assert not (tmp_path / "r.json").exists()


# ------------------------------------------------------------------------------ run files live with the data

def _own_project(tmp_path: Path, forbund_param: str = "Norrdal") -> Path:
    """A förbund's folder outside the repository: a run file and its data (Norrdal's files only)."""
    home = tmp_path / "norrdal_utvardering"
    data = home / "data"
    data.mkdir(parents=True)
    shutil.copy(SAMPLES / "episoder.csv", data / "deltagare_2025.csv")
    norrdal_ids = {r["episod_id"] for r in _rows("episoder.csv")}
    events = [r for r in _rows("handelser.csv") if r["episod_id"] in norrdal_ids]
    with open(data / "resor.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(events[0]))
        w.writeheader()
        w.writerows(events)
    shutil.copy(SAMPLES / "rapporterat" / "vuxenteamen.csv", data / "vuxenteamen.csv")
    catalogue.record_import(data, {"entity": "episoder", "path": "deltagare_2025.csv", "forbund": ["Norrdal"],
                                   "period": {"fran": "2023-01-01", "till": "2025-12-31"}})
    catalogue.record_import(data, {"entity": "handelser", "path": "resor.csv", "forbund": ["Norrdal"]})
    catalogue.record_import(data, {"entity": "rapporterat", "path": "vuxenteamen.csv"})
    (home / "korning_2025.yaml").write_text(yaml.safe_dump({
        "name": "norrdal-egen", "data_dir": "data", "parameters": {"forbund": forbund_param},
        "notebooks": [{"notebook": "deltagarfloden", "parameters": {
            "period_start": "2025-01-01", "period_end": "2025-12-31", "reference_date": "2026-01-15"}}]},
        allow_unicode=True), encoding="utf-8")
    return home


def test_run_file_paths_are_resolved_against_the_run_files_folder(tmp_path, monkeypatch):
    home = _own_project(tmp_path)
    monkeypatch.chdir(tmp_path)  # the current directory plays no part
    (spec,) = runs.load_runfile(home / "korning_2025.yaml")
    assert Path(spec.data_dir) == (home / "data").resolve()
    assert Path(spec.notebook) == (ROOT / "notebooks" / "deltagarfloden.ipynb").resolve()


@pytest.mark.parametrize("change, message", [
    ({"data_dir": "saknas"}, r"data_dir 'saknas' .* har ingen datakatalog.yaml"),
    ({"parameters": {"forbund": "Norrdahl"}}, r"notebooks\[0\]: Förbundet 'Norrdahl' finns inte .*Giltiga värden: Norrdal"),
    ({"notebooks": [{"notebook": "deltagarflode"}]}, r"notebook deltagarflode does not exist.*deltagarfloden"),
])
def test_a_bad_run_file_is_refused_before_anything_runs(tmp_path, change, message):
    home = _own_project(tmp_path)
    rf = home / "korning_2025.yaml"
    doc = yaml.safe_load(rf.read_text(encoding="utf-8"))
    doc.update(change)
    rf.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(runs.RunFileError, match=message):
        runs.load_runfile(rf)


def test_the_cli_exits_non_zero_with_the_swedish_message_for_an_unknown_forbund(tmp_path):
    home = _own_project(tmp_path, forbund_param="Söderå")
    proc = subprocess.run([sys.executable, "-m", "evaluation", "run", str(home / "korning_2025.yaml"),
                           "--out", str(tmp_path / "snap")], capture_output=True, text=True, cwd=tmp_path,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert proc.returncode == 2
    assert "Förbundet 'Söderå' finns inte" in proc.stdout + proc.stderr
    assert "Giltiga värden: Norrdal" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not (tmp_path / "snap").exists()


@pytest.mark.slow
@pytest.mark.notebook
def test_a_run_file_with_its_data_outside_the_repository_gives_the_samples_figures(tmp_path, sample_snapshot):
    home = _own_project(tmp_path)
    target, manifest = runs.run_snapshot([home / "korning_2025.yaml"], out=tmp_path / "snap", progress=False)
    assert manifest["status"] == "complete", manifest["runs"]
    own = json.loads((target / "norrdal-egen__deltagarfloden" / "results.json").read_text(encoding="utf-8"))
    ref = json.loads((sample_snapshot.runs["norrdal-2025/deltagarfloden"] / "results.json").read_text("utf-8"))
    # other file names, other folder, same data: the same figures. What the board tables may show
    # ("publicerade") is decided by protecting the whole data folder's table set, and this folder
    # holds Norrdal alone (no Söderå, no KASAM): another table set, another secondary suppression. Since
    # results.json is board-facing (null where the report shows "–"), the two agree on every value
    # both publish, and each publishes most of them
    own_pub, ref_pub = own.pop("publicerade"), ref.pop("publicerade")
    assert set(own_pub) == set(ref_pub) and set(own) == set(ref)

    def both(a, b, path=""):
        if isinstance(a, dict) and isinstance(b, dict):
            assert set(a) == set(b), path
            return sum(both(a[k], b[k], f"{path}.{k}") for k in a)
        if a is None or b is None:
            return 0
        assert a == b, path
        return 1

    assert both(own, ref) >= 10  # 16 values published in both on the samples (2026-11-30), all equal
    assert own["antal_episoder"] == len(_rows("episoder.csv")) - sum(
        r["avslutsorsak"] == "felregistrering" for r in _rows("episoder.csv"))
    assert any(str(home / "data") in k for k in manifest["inputs"])


# ------------------------------------------------------------------------------ a förbund's snapshot is its own

def _texts(run_dir: Path) -> dict[str, str]:
    out = {}
    for name in ("rapport.html", "results.json"):
        if (run_dir / name).exists():
            out[name] = (run_dir / name).read_text(encoding="utf-8")
    for docx in run_dir.glob("*.docx"):
        with zipfile.ZipFile(docx) as z:
            out[docx.name] = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                                      if n.startswith("word/") and n.endswith(".xml"))
    return out


_OTHER = {"Norrdal": (r"(?i)norrdal", r"\bND-20\d\d-\d{4}\b"), "Söderå": (r"(?i)söderå|sodera", r"\bSO-20\d\d-\d{4}\b")}


@pytest.mark.slow
@pytest.mark.notebook
def test_a_forbunds_snapshot_never_shows_another_forbunds_name_or_rows(sample_snapshot):
    checked = 0
    for rec in sample_snapshot.manifest["runs"]:
        assert rec["status"] == "ok", (rec["name"], rec["error"])
        own = rec["parameters"].get("forbund")
        if not own:
            continue  # a run over every förbund may name them all
        run_dir = sample_snapshot.runs[rec["name"]]
        texts = _texts(run_dir)
        assert "rapport.html" in texts and "results.json" in texts
        for other, patterns in _OTHER.items():
            if other == own:
                continue
            for file, text in texts.items():
                for pattern in patterns:
                    hit = re.search(pattern, text)
                    assert hit is None, (rec["name"], file, text[max(0, hit.start() - 120):hit.end() + 60])
        checked += 1
    assert checked == len(sample_snapshot.manifest["runs"]) == 11


def test_filtering_first_gives_each_forbunds_row_of_the_all_forbund_table():
    from evaluation import indicators as ind

    alla = inputs.load(SAMPLES)
    whole = ind.indicator11(alla.episodes, alla.events, 12, min_n=5).set_index("forbund")
    assert sorted(whole.index) == sorted(FORBUND)
    for f in FORBUND:
        one = inputs.load(SAMPLES, forbund=f)
        own = ind.indicator11(one.episodes, one.events, 12, min_n=5).set_index("forbund")
        assert list(own.index) == [f]
        assert own.loc[f, ["kohort", "uppfoljda", "bibehallen"]].tolist() == \
            whole.loc[f, ["kohort", "uppfoljda", "bibehallen"]].tolist()


@pytest.mark.slow
@pytest.mark.notebook
def test_soderas_karnindikatorer_show_soderas_indicator_11_and_a_real_aggregate(sample_snapshot):
    from evaluation import indicators as ind

    html = (sample_snapshot.runs["sodera-2025/karnindikatorer"] / "rapport.html").read_text(encoding="utf-8")
    res = json.loads((sample_snapshot.runs["sodera-2025/karnindikatorer"] / "results.json").read_text("utf-8"))
    ref = json.loads((sample_snapshot.runs["norrdal-2025/karnindikatorer"] / "results.json").read_text("utf-8"))
    alla = inputs.load(SAMPLES)
    whole = ind.indicator11(alla.episodes, alla.events, 12, min_n=5).set_index("forbund")
    # indicator 11 is for the evaluator (issue 15: null in results.json): the executed notebook's evaluator
    # cell shows each förbund's own row, and only its own
    for run, f, other in (("sodera-2025", "Söderå", "Norrdal"), ("norrdal-2025", "Norrdal", "Söderå")):
        assert all(v is None for v in (res if f == "Söderå" else ref)["indikator11"].values())
        nb = json.loads((sample_snapshot.runs[f"{run}/karnindikatorer"] / "notebook.ipynb").read_text("utf-8"))
        cell = next(c for c in nb["cells"] if "ind.board_table(i11, lang)" in "".join(c["source"]))
        shown = "".join("".join(o.get("data", {}).get("text/html", "")) for o in cell["outputs"])
        assert all(f">{int(whole.loc[f, k])}<" in shown for k in ("kohort", "uppfoljda", "bibehallen")), f
        assert f">{f}<" in shown and f">{other}<" not in shown
    # the aggregate row pools both förbund ("Antal förbund" 2), not the förbund itself
    assert "Alla förbund (aggregat)" in html
    agg = re.search(r"Alla förbund \(aggregat\)</td>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>(\d+)</td>", html)
    assert agg is not None and agg.group(1) == "2", html[html.find("Alla förbund (aggregat)") - 200:][:600]


# ------------------------------------------------------------------------------ evaluation summary --data DIR

def test_summary_validates_a_user_folder_from_its_catalogue(tmp_path, capsys):
    import argparse

    from evaluation import io

    home = _own_project(tmp_path)
    shutil.copy(SAMPLES / "scenarier" / "bas.yaml", home / "data" / "kalkyl.yaml")
    catalogue.record_import(home / "data", {"entity": "scenario", "path": "kalkyl.yaml", "forbund": ["Norrdal"]})
    assert io.summary_cli(argparse.Namespace(data=str(home / "data"), lang="sv")) == 0
    out = capsys.readouterr().out
    n_events = sum(1 for _ in open(home / "data" / "resor.csv", encoding="utf-8")) - 1
    row = next(line for line in out.splitlines() if line.strip().startswith("resor.csv"))
    assert row.split()[1:5] == ["handelser", str(n_events), str(n_events), "0"]
    assert "deltagare_2025.csv" in out and "kalkyl.yaml (scenario): läses utan fel" in out
    assert "evaluation samples" not in out
    # a scenario that does not read fails the whole folder, naming the file and the reason
    (home / "data" / "kalkyl.yaml").write_text("namn: X\nhorisont_ar: fem\n", encoding="utf-8")
    assert io.summary_cli(argparse.Namespace(data=str(home / "data"), lang="sv")) == 1
    assert "kalkyl.yaml (scenario): går inte att läsa" in capsys.readouterr().out


def test_dashboard_parameters_are_validated_when_the_data_is_loaded():
    from evaluation import dashboards as db

    with pytest.raises(inputs.InputsError, match="Förbundet 'Norrdahl' finns inte.*Menade du 'Norrdal'"):
        db.load_data(SAMPLES, snapshots_dir=ROOT / "no-such-snapshots", forbund="Norrdahl")
    with pytest.raises(inputs.InputsError, match="Tillgängliga scenarier: pessimistiskt, bas, optimistiskt"):
        db.load_data(SAMPLES, snapshots_dir=ROOT / "no-such-snapshots", scenario="optimistisk")


def test_a_period_outside_the_selected_forbunds_data_is_named(tmp_path):
    for name, forbund, period in (("a.csv", "Norrdal", ("2023-01-01", "2024-06-30")),
                                  ("b.csv", "Söderå", ("2024-01-01", "2025-12-31"))):
        (tmp_path / name).write_text("episod_id,datum,handelse\n", encoding="utf-8")
        catalogue.record_import(tmp_path, {"entity": "handelser", "path": name, "forbund": [forbund],
                                           "period": {"fran": period[0], "till": period[1]}})
    assert inputs.load(tmp_path, forbund="Söderå", period=("2025-01-01", "2025-12-31")).forbund == ("Söderå",)
    with pytest.raises(inputs.InputsError, match=r"Perioden börjar 2025-01-01, men data i .* når bara till "
                                                 r"2024-06-30 \(datakatalogen: 2023-01-01 – 2024-06-30\)"):
        inputs.load(tmp_path, forbund="Norrdal", period=("2025-01-01", "2025-12-31"))
