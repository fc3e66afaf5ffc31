"""Dashboards without a browser: safe paths, allowlists, hand-worked nyckeltal, load-once, notebooks."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import traitlets

from evaluation import dashboards as db
from evaluation import flows

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data_samples"


# ---------------------------------------------------------------- hand-made data

def _episodes() -> pd.DataFrame:
    """Nine Norrdal episodes; worked by hand in the tests below (period 2025)."""
    rows = [
        # id, kon, inskrivning, avslut, orsak, fore, efter
        ("e1", "kvinna", "2024-03-01", "2025-02-01", "forvarvsarbete", "forsorjningsstod", "lon"),
        ("e2", "kvinna", "2024-06-01", "2025-03-01", "studier", "forsorjningsstod", "studiemedel"),
        ("e3", "man", "2025-01-10", "2025-05-01", "forvarvsarbete", "a_kassa", "lon"),
        ("e4", "man", "2025-02-01", "2025-06-01", "aktivt_arbetssokande", "forsorjningsstod", "forsorjningsstod"),
        ("e5", "man", "2025-03-01", "2025-09-01", "studier", "forsorjningsstod", "studiemedel"),
        ("e6", "kvinna", "2025-04-01", "2025-10-01", "forvarvsarbete", "sjukpenning", "lon"),
        ("e7", "kvinna", "2025-05-01", None, None, "forsorjningsstod", None),
        ("e8", "man", "2023-01-01", "2024-06-01", "studier", "forsorjningsstod", "studiemedel"),
        ("e9", "man", "2025-11-01", None, None, "a_kassa", None),
    ]
    ep = pd.DataFrame(rows, columns=["episod_id", "kon", "inskrivningsdatum", "avslutsdatum", "avslutsorsak",
                                     "forsorjning_fore", "forsorjning_efter"])
    ep["deltagare_id"] = "p-" + ep["episod_id"]
    ep["forbund"] = "Norrdal"
    ep["insats"] = "Team Work"
    ep["anonym"] = False
    return ep


def _data(ep: pd.DataFrame | None = None) -> db.DashboardData:
    ref = pd.Timestamp("2026-01-15")
    ep = flows.classify_exits(flows.prepare_episodes(_episodes() if ep is None else ep), ref)
    empty = pd.DataFrame()
    return db.DashboardData(Path("."), {}, ep, pd.DataFrame(columns=["episod_id", "datum", "handelse"]),
                            pd.DataFrame(columns=["respondent_id", "forbund", "insats", "kon", "tidpunkt", "datum",
                                                  "total"]),
                            empty, pd.DataFrame(columns=["forbund"]), empty, None, {}, empty, None, ref,
                            pd.DataFrame(columns=["snapshot", "created", "notebook", "forbund", "key", "value_num"]))


@pytest.fixture(scope="module")
def sample_data():
    return db.load_data(SAMPLES, snapshots_dir=ROOT / "no-such-snapshots")


# ---------------------------------------------------------------- paths

def test_data_dir_accepts_an_existing_folder(tmp_path):
    assert db.resolve_data_dir(tmp_path) == tmp_path.resolve()


@pytest.mark.parametrize("bad", ["data_samples/../../etc", "../data_samples", "/tmp/../etc"])
def test_data_dir_with_traversal_in_the_environment_is_refused(monkeypatch, bad):
    monkeypatch.setenv(db.DATA_ENV, bad)
    with pytest.raises(db.UnsafePathError):
        db.resolve_data_dir()


def test_data_dir_with_a_nul_byte_is_refused():
    with pytest.raises(db.UnsafePathError):
        db.resolve_data_dir("data\x00samples")


def test_data_dir_must_be_an_existing_directory(tmp_path, monkeypatch):
    (tmp_path / "f.csv").write_text("x")
    with pytest.raises(db.DashboardError):
        db.resolve_data_dir(tmp_path / "f.csv")
    with pytest.raises(db.DashboardError):
        db.resolve_data_dir(tmp_path / "missing")
    monkeypatch.delenv(db.DATA_ENV, raising=False)
    with pytest.raises(db.DashboardError):
        db.resolve_data_dir()


@pytest.mark.parametrize("part", ["../secret.csv", "/etc/passwd", "scenarier/../../x.yaml"])
def test_safe_path_refuses_paths_outside_the_data_folder(tmp_path, part):
    with pytest.raises(db.UnsafePathError):
        db.safe_path(tmp_path, part)


def test_safe_path_refuses_a_symlink_out_of_the_data_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    data = tmp_path / "data"
    data.mkdir()
    os.symlink(outside, data / "link")
    with pytest.raises(db.UnsafePathError):
        db.safe_path(data, "link", "x.csv")
    assert db.safe_path(data, "ok.csv") == data.resolve() / "ok.csv"


# ---------------------------------------------------------------- allowlists

def test_query_string_values_outside_the_allowlist_are_refused():
    allowed = {"forbund": ["", "Norrdal", "Söderå"], "period": ["alla", "2025"]}
    assert db.parse_query("forbund=Norrdal&period=2025", allowed) == {"forbund": "Norrdal", "period": "2025"}
    for q in ["forbund=../../etc/passwd", "data=../../etc", "forbund=Norrdal&forbund=Söderå",
              "forbund=__import__('os')", "period=2025%2F..%2F..%2Fetc"]:
        with pytest.raises(db.NotAllowedError):
            db.parse_query(q, allowed)


def test_widget_value_outside_the_allowlist_is_rejected():
    data = _data()
    with pytest.raises(db.NotAllowedError):
        db.validate_filters(data, forbund="Söderå")  # not in these data
    with pytest.raises(db.NotAllowedError):
        db.validate_filters(data, forbund="../../etc/passwd")
    with pytest.raises(db.NotAllowedError):
        db.validate_filters(data, data_dir="/etc")
    with pytest.raises(db.NotAllowedError):
        db.check_choice(["Norrdal"], ["Norrdal"])
    with pytest.raises(db.NotAllowedError):
        db.outcome_table(data, db.Filters(), "__class__")
    app = db.board_app(data)
    with pytest.raises(traitlets.TraitError):
        app.controls["forbund"].value = "../../etc/passwd"


def test_allowlists_come_from_the_data():
    allowed = db.allowed_values(_data())
    assert allowed["forbund"] == ["", "Norrdal"]
    assert allowed["kon"] == ["", "kvinna", "man"]
    assert allowed["period"] == ["alla", "2026", "2025", "2024", "2023"]


def test_invalid_query_in_board_app_falls_back_to_defaults_with_a_notice():
    app = db.board_app(_data(), query="forbund=../../etc")
    assert app.controls["forbund"].value == ""
    assert "ogiltigt filter" in app.children[1].value


# ---------------------------------------------------------------- hand-worked numbers

def test_key_figures_for_2025_worked_by_hand():
    # 2025: active e1..e7, e9 (e8 ended 2024) = 8; new e3,e4,e5,e6,e7,e9 = 6; ended e1..e6 = 6.
    # Work/studies (SUS): e1,e3,e6 to work (3) + e2,e5 to studies (2) = 5 of 6 -> 83.3 %, but 3 and 2 are
    # small cells of the protected table set -> hidden. Public before: e1,e2,e4,e5 (försörjningsstöd),
    # e6 (sjukpenning), e3 (a-kassa) = 6 of 6. Public after: e4 only = 1 -> a small cell -> hidden.
    data = _data()
    kf = db.key_figures(data, db.Filters(period="2025"), min_n=5).set_index("nyckel")
    ts = db.protected_tableset(data, 5)
    for key, hand in {"aktiva": 8, "nya": 6, "avslutade": 6}.items():
        published = ts.cell(key, period="2025")["status"] == "publicerad"
        assert bool(kf.loc[key, "undertryckt"]) == (not published)
        assert kf.loc[key, "antal"] == hand if published else np.isnan(kf.loc[key, "antal"])
    assert bool(kf.loc["andel_arbete_studier", "undertryckt"]) and kf.loc["andel_arbete_studier", "visning"] == "–"
    assert bool(kf.loc["offentlig_efter", "undertryckt"]) and kf.loc["offentlig_efter", "visning"] == "–"
    if not kf.loc["offentlig_fore", "undertryckt"]:
        assert kf.loc["offentlig_fore", "visning"] == "100,0\xa0%"
    # with min_n = 1 nothing is suppressed: the hand-worked values
    kf1 = db.key_figures(data, db.Filters(period="2025"), min_n=1).set_index("nyckel")
    assert kf1.loc[["aktiva", "nya", "avslutade"], "antal"].tolist() == [8, 6, 6]
    assert kf1.loc["andel_arbete_studier", "andel"] == pytest.approx(5 / 6)
    assert kf1.loc["offentlig_fore", "andel"] == pytest.approx(1.0)
    assert kf1.loc["offentlig_efter", "andel"] == pytest.approx(1 / 6)


def test_key_figures_filter_by_kon_and_suppress_small_counts():
    # women in 2025: active e1, e2, e6, e7 = 4 (< 5: suppressed); new e6, e7 = 2; ended e1, e2, e6 = 3.
    kf = db.key_figures(_data(), db.Filters(period="2025", kon="kvinna"), min_n=5).set_index("nyckel")
    assert kf["undertryckt"].all()
    assert set(kf["visning"]) == {"–"}
    kf1 = db.key_figures(_data(), db.Filters(period="2025", kon="kvinna"), min_n=1).set_index("nyckel")
    assert kf1.loc[["aktiva", "nya", "avslutade"], "antal"].tolist() == [4, 2, 3]


def test_period_all_runs_from_first_enrolment_to_the_extract_date():
    data = _data()
    assert db.period_bounds(data, "alla") == (pd.Timestamp("2023-01-01"), pd.Timestamp("2026-01-15"))
    assert db.period_bounds(data, "2024") == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    with pytest.raises(db.NotAllowedError):
        db.period_bounds(data, "1999")


def test_exit_table_counts_exits_in_the_period():
    summ, view = db.exit_table(_data(), db.Filters(period="alla"), min_n=1, level="sus_kategori")
    # all 7 exits: forvarvsarbete e1,e3,e6 = 3; studier e2,e5,e8 = 3; aktivt_arbetssokande e4 = 1
    assert summ.set_index("kategori")["n"].to_dict() == {"forvarvsarbete": 3, "studier": 3, "aktivt_arbetssokande": 1}
    assert len(view) == 3


def test_kasam_change_matches_a_paired_t_interval():
    from scipy import stats

    data = _data()
    before = [120.0, 130.0, 125.0, 140.0, 110.0, 135.0]
    after = [128.0, 133.0, 131.0, 141.0, 118.0, 139.0]
    rows = []
    for i, (b, a) in enumerate(zip(before, after)):
        for tp, v, d in (("fore", b, "2024-02-01"), ("efter", a, "2025-03-01")):
            rows.append({"respondent_id": f"r{i}", "forbund": "Norrdal", "insats": "Team Work", "kon": "man",
                         "tidpunkt": tp, "datum": d, "total": v})
    data.kasam_scores = pd.DataFrame(rows)
    kc = db.kasam_change(data, db.Filters(period="2025"), min_n=5).iloc[0]
    diff = np.subtract(after, before)  # 8, 3, 6, 1, 8, 4: mean 5
    ci = stats.t.interval(0.95, len(diff) - 1, loc=diff.mean(), scale=stats.sem(diff))
    assert kc["n"] == 6 and kc["mean_diff"] == pytest.approx(5.0)
    assert (kc["ci_low"], kc["ci_high"]) == pytest.approx(ci)
    # no after answers dated in 2024 -> nothing shown; six pairs < min_n = 7 -> suppressed
    assert db.kasam_change(data, db.Filters(period="2024")).iloc[0]["n"] == 0
    sup = db.kasam_change(data, db.Filters(period="2025"), min_n=7).iloc[0]
    assert sup["undertryckt"] and np.isnan(sup["mean_diff"])


def test_trends_keep_the_selected_forbund_runs_only():
    data = _data()
    data.history = pd.DataFrame({
        "snapshot": ["s1", "s1", "s2", "s2"], "created": pd.to_datetime(["2025-01-01"] * 2 + ["2025-07-01"] * 2),
        "notebook": ["deltagarfloden"] * 4, "forbund": ["", "Norrdal", "", "Norrdal"],
        "key": ["avslutade_i_perioden"] * 4, "value_num": [100.0, 40.0, 120.0, 55.0]})
    assert db.trends(data, db.Filters(forbund="Norrdal"))["value_num"].tolist() == [40.0, 55.0]
    assert db.trends(data, db.Filters())["value_num"].tolist() == [100.0, 120.0]


# ---------------------------------------------------------------- sample data, load once

def test_filter_change_does_not_reload_files(monkeypatch):
    from evaluation import io

    calls = {"n": 0}
    real = io.load_table

    def counting(*a, **k):
        calls["n"] += 1
        return real(*a, **k)

    monkeypatch.setattr(io, "load_table", counting)
    data = db.load_data(SAMPLES, snapshots_dir=ROOT / "no-such-snapshots")
    app = db.board_app(data)
    before = app.outputs["nyckeltal"].value
    app.controls["forbund"].value = "Söderå"
    app.controls["period"].value = "2024"
    app.controls["kon"].value = "kvinna"
    app.controls["insats"].value = "Team Work"
    ev = db.evaluator_app(data)
    ev.controls["matt"].value = "forsorjningsgrupp_efter"
    n_tables = sum(e.entity in ("episoder", "handelser", "enkatsvar", "segment", "enhetskostnader", "rapporterat")
                   for e in data.inputs.catalogue.files())
    assert calls["n"] == n_tables >= 10  # each table of data_samples/datakatalog.yaml read once
    assert app.outputs["nyckeltal"].value != before


def test_board_shows_the_numbers_the_package_computes_for_the_filter(sample_data):
    app = db.board_app(sample_data)
    app.controls["forbund"].value = "Söderå"
    app.controls["period"].value = "2024"
    kf = db.key_figures(sample_data, db.Filters(forbund="Söderå", period="2024"))
    html = app.outputs["nyckeltal"].value
    for k, v in zip(kf["nyckel"], kf["visning"]):
        assert f'data-key="{k}">{v}<' in html


def test_evaluator_and_scenario_apps_build_on_samples(sample_data):
    ev = db.evaluator_app(sample_data)
    assert 'data-testid="utfall"' in ev.outputs["utfall"].value
    assert 'data-key="alpha"' in ev.outputs["overens"].value
    sc = db.scenario_app(sample_data)
    assert sc.widgets is not None and "dodvikt" in sc.widgets.controls
    sc.controls["scenario"].value = "optimistiskt"
    assert sc.widgets.result.scenario.namn == sample_data.scenarios["optimistiskt"].namn


def test_without_a_key_the_sodera_export_is_skipped_with_a_swedish_message(monkeypatch, tmp_path):
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("EVALUATION_KEY_FILE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    data = db.load_data(SAMPLES, snapshots_dir=tmp_path / "none")
    assert data.missing_key
    assert "Söderås data visas inte" in data.messages[0]
    assert db.allowed_values(data)["forbund"] == ["", "Norrdal"]
    app = db.board_app(data)
    assert "nyckeln" in app.children[1].value and "make demo" not in app.children[1].value  # no developer instructions to a board


def test_nns_targets_blank_small_groups(sample_data):
    att = db.nns_targets(sample_data, db.Filters(period="2025"), min_n=5)
    assert len(att)
    small = att[att["undertryckt"]]
    assert small["n"].isna().all() and small["varde"].isna().all()
    assert (att.loc[~att["undertryckt"], "n"].fillna(0) == 0).sum() + (att.loc[~att["undertryckt"], "n"] >= 5).sum() \
        == (~att["undertryckt"]).sum()


def test_data_quality_lists_every_imported_file_without_folders(sample_data):
    summary, problems = db.data_quality(sample_data)
    assert "episoder.csv" in set(summary["fil"].str.split(" \\+ ").explode())
    assert not summary["fil"].str.contains("/").any()
    assert list(problems.columns) == ["Fil", "Rad", "Kolumn", "Värde", "Orsak"]


# ---------------------------------------------------------------- serving and notebooks

def test_voila_arguments_lock_the_server_down():
    args = db.voila_arguments(9123, token="hemligt", timeout=30)
    for flag in ["--no-browser", "--Voila.ip=127.0.0.1", "--port=9123", "--strip_sources=True",
                 "--show_tracebacks=False", "--VoilaExecutor.timeout=30",
                 "--VoilaConfiguration.allow_template_override=NO", "--VoilaConfiguration.allow_theme_override=NO",
                 "--token=hemligt", "--preheat_kernel=True"]:
        assert flag in args
    assert "--MappingKernelManager.cull_idle_timeout=600" in args  # at most 10 minutes idle
    assert "--CappedKernelManager.max_kernels=8" in args
    assert any(a.startswith("--MappingKernelManager.cull_interval=") for a in args)
    assert args[0] == str(ROOT / "notebooks" / "dashboards")
    assert "--token=" in db.voila_arguments(9123)


def test_server_env_sets_a_validated_absolute_data_dir(tmp_path):
    env = db.server_env(tmp_path, tmp_path / "snaps", base={})
    assert env[db.DATA_ENV] == str(tmp_path.resolve())
    assert env[db.SNAPSHOTS_ENV] == str((tmp_path / "snaps").resolve())
    with pytest.raises(db.UnsafePathError):
        db.server_env(str(tmp_path) + "/../x", base={})


def test_board_kernels_skip_the_rfc3987_grammar_and_still_validate_notebooks(tmp_path):
    """Importing evaluation blocks rfc3987_syntax (a Lark grammar built at import, 1,1-1,4 CPU-s per
    board kernel, runner, worker and fork template); plotly and nbformat's validation work without
    it, and EVALUATION_LEAN_IMPORTS=0 imports it as before."""
    import importlib.metadata
    import subprocess
    import sys

    importlib.metadata.distribution("rfc3987-syntax")  # installed (jupyter-events -> jsonschema[format-nongpl])
    probe = ("import evaluation, plotly.io, nbformat, sys\n"
             "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))\n"
             "import jsonschema\n"
             "print(sys.modules.get('rfc3987_syntax') is not None, "
             "'iri' in jsonschema.FormatChecker().checkers)\n")
    env = db.server_env(tmp_path, tmp_path / "snaps")  # the board kernels' environment
    env.pop("EVALUATION_LEAN_IMPORTS", None)
    lean = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert lean.stdout.split() == ["False", "False"]
    env["EVALUATION_LEAN_IMPORTS"] = "0"
    full = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert full.stdout.split() == ["True", "True"]


def test_cli_pool_size_reaches_voila(monkeypatch, tmp_path):
    """``evaluation dashboard --pool-size 6``: six preheated kernels (for a board meeting where many open the
    page at once); the default stays 2."""
    from evaluation.cli import main

    seen = []

    class Done:
        def wait(self):
            return 0

        def poll(self):
            return 0

    def fake_serve(port, token, data_dir, **kw):
        seen.append(kw["pool_size"])
        return Done()

    from evaluation.dashboards import server

    monkeypatch.setattr(server, "serve", fake_serve)
    assert main(["dashboard", "--data", str(tmp_path), "--pool-size", "6"]) == 0
    assert main(["dashboard", "--data", str(tmp_path)]) == 0
    assert seen == [6, 2]
    assert "--pool_size=6" in db.voila_arguments(9000, pool_size=6)


def test_cli_refuses_a_missing_data_folder(capsys):
    from evaluation.cli import main

    assert main(["dashboard", "--data", "/no/such/folder"]) == 2
    assert "finns inte" in capsys.readouterr().err


