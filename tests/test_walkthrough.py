"""The README's "Använd egna data" walkthrough, followed verbatim in a temporary folder.

The commands (```bash blocks) and the mapping and run files (```yaml blocks whose first line is
``# <path>``) are taken from the README section itself; only the exports are made here, from the
samples but in another layout: other headers and file names, Swedish labels instead of codes, an
Excel workbook with two sheets and a title above the header, SPSS with value labels and 9 as
user-missing, a Taguette highlights export, and another förbund (Älvdal). The dashboard port is the
only thing changed (a free port instead of the README's 8866, which may be taken on a shared machine).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
import yaml

from evaluation.vocabulary import exit_reasons, vocabulary

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data_samples"


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Använd egna data")
    end = text.index("\n## ", start + 5)
    return text[start:end]


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", section(), flags=re.S)


def commands() -> list[str]:
    return [line.strip() for b in blocks("bash") for line in b.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def luhn10(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return nine + str((10 - total % 10) % 10)


def sv_label(vocab: str, code):
    if code is None or (isinstance(code, float) and np.isnan(code)) or code == "":
        return None
    return vocabulary(vocab)[code]["sv"]


def make_case_export(path: Path) -> tuple[pd.DataFrame, dict]:
    """The Excel export: Norrdal's identified episodes as Älvdal's case system writes them."""
    ep = pd.read_csv(SAMPLES / "episoder.csv", dtype=str, keep_default_na=False)
    ep = ep[(ep["forbund"] == "Norrdal") & (ep["anonym"] == "false")].reset_index(drop=True)
    reasons = exit_reasons()["etikett_sv"]
    pnr_of = {}
    for i, pid in enumerate(dict.fromkeys(ep["deltagare_id"])):
        year = int(ep.loc[ep["deltagare_id"] == pid, "fodelsear"].iloc[0])
        nine = f"{year % 100:02d}{1 + i % 12:02d}{1 + i % 28:02d}{100 + i % 900:03d}"
        ten = luhn10(nine)
        pnr_of[pid] = f"{year // 100}{ten[:6]}-{ten[6:]}"

    def multi(cell):
        return ", ".join(sv_label("forsorjning", c) for c in cell.split("|")) if cell else None

    def date(cell):
        return dt.datetime.fromisoformat(cell) if cell else None

    header = ["Personnr", "Insats", "Startdatum", "Slutdatum", "Orsak till avslut", "Kön", "Utbildning",
              "Född i Sverige", "Sysselsättning vid start", "Sysselsättning vid avslut", "Försörjning vid start",
              "Försörjning vid avslut", "Omfattning vid start (%)", "Omfattning vid avslut (%)", "Samtycke"]
    yes_no = {"true": "Ja", "false": "Nej", "": None}
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "Om exporten"
    info.append(["Uttag ur ärendesystemet 2026-01-10"])
    ws = wb.create_sheet("Ärenden")
    ws.append(["Ärendeexport Älvdal, alla insatser 2023–2025"])
    ws.append([])
    ws.append(header)
    for r in ep.itertuples(index=False):
        ws.append([pnr_of[r.deltagare_id], r.insats, date(r.inskrivningsdatum), date(r.avslutsdatum),
                   reasons[r.avslutsorsak] if r.avslutsorsak else None, sv_label("kon", r.kon),
                   sv_label("utbildningsniva", r.utbildningsniva), yes_no[r.fodd_i_sverige],
                   sv_label("sysselsattning", r.sysselsattning_fore), sv_label("sysselsattning", r.sysselsattning_efter),
                   multi(r.forsorjning_fore), multi(r.forsorjning_efter),
                   float(r.omfattning_fore) if r.omfattning_fore else None,
                   float(r.omfattning_efter) if r.omfattning_efter else None, yes_no[r.samtycke]])
    ev = pd.read_csv(SAMPLES / "handelser.csv", dtype=str, keep_default_na=False)
    ep_of = ep.set_index("episod_id")
    ev = ev[ev["episod_id"].isin(ep_of.index)]
    hs = wb.create_sheet("Händelser")
    hs.append(["Händelser per ärende"])
    hs.append([])
    hs.append(["Personnr", "Insats", "Startdatum", "Händelse", "Datum"])
    for r in ev.itertuples(index=False):
        e = ep_of.loc[r.episod_id]
        hs.append([pnr_of[e["deltagare_id"]], e["insats"], date(e["inskrivningsdatum"]),
                   sv_label("handelse", r.handelse), date(r.datum)])
    wb.save(path)
    return ep, pnr_of, ev


def make_survey(path: Path) -> pd.DataFrame:
    """The SPSS file: Norrdal's participants' SOC-29 answers with value labels; 9 = no answer."""
    k = pd.read_csv(SAMPLES / "kasam_deltagare.csv", dtype=str, keep_default_na=False)
    k = k[k["forbund"] == "Norrdal"].reset_index(drop=True)
    items = [f"soc29_{i}" for i in range(1, 30)]
    out = pd.DataFrame({
        "Löpnr": k["respondent_id"],
        "Grupp": 1.0,
        "Mätning": k["tidpunkt"].map({"fore": 1.0, "efter": 2.0}),
        "Omgång": k["vag"],
        "Ifylld": pd.to_datetime(k["datum"]),
        "Insats": k["insats"],
    })
    for c in items:
        out[c.upper()] = pd.to_numeric(k[c].replace("", "9"))
    pyreadstat.write_sav(
        out, str(path),
        column_labels={"Löpnr": "Löpnummer", "Mätning": "Mättillfälle", "SOC29_1": "Känns det som om det inte "
                       "spelar någon roll vad som händer?"},
        variable_value_labels={"Grupp": {1: "Deltagare", 2: "Personal (om deltagare)"},
                               "Mätning": {1: "Före", 2: "Efter"},
                               **{c.upper(): {9: "Ej svar"} for c in items}},
        missing_ranges={c.upper(): [9] for c in items},
    )
    return k


def make_taguette(path: Path) -> pd.DataFrame:
    """Taguette's highlights export: id, document, tag, content (coder A's segments)."""
    seg = pd.read_csv(SAMPLES / "fokusgrupper_segment.csv", dtype=str, keep_default_na=False)
    seg = seg[seg["kodare"] == "A"].reset_index(drop=True)
    ids = {s: i + 1 for i, s in enumerate(dict.fromkeys(seg["segment_id"]))}
    out = pd.DataFrame({"id": seg["segment_id"].map(ids), "document": seg["dokument"], "tag": seg["kod"],
                        "content": seg["text"]})
    out.to_csv(path, index=False)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_dashboard(argv: list[str], work: Path, env: dict) -> None:
    """Start the README's dashboard command (on a free port), fetch the board page, stop it and its kernels."""
    for _attempt in range(3):  # a free port can be taken between choosing it and Voilà binding it
        argv[argv.index("--port") + 1] = str(free_port())
        port = int(argv[argv.index("--port") + 1])
        proc = subprocess.Popen(argv, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)  # its own process group: Voilà and kernels stop with it
        try:
            status = None
            deadline = time.time() + 120
            while time.time() < deadline and proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
                        status = resp.status
                    break
                except OSError:
                    time.sleep(1)
            if status is None and proc.poll() is not None:
                continue  # the port was taken: try another
            assert status == 200, "the dashboard did not answer"
            # the board's dashboard page is served (its widgets render over the websocket)
            url = f"http://127.0.0.1:{port}/voila/render/styrelse.ipynb"
            with urllib.request.urlopen(url, timeout=180) as resp:
                assert resp.status == 200 and "voila" in resp.read().decode("utf-8", "replace").lower()
            return
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    pytest.fail("the dashboard could not be started on a free port")


def test_readme_walkthrough_has_every_step():
    cmds = commands()
    assert cmds[0] == "evaluation key --init"
    assert sum(c.startswith("evaluation import ") for c in cmds) == 4
    assert any(c.startswith("evaluation summary --data data") for c in cmds)
    assert any(c.startswith("evaluation run korning_2025.yaml") for c in cmds)
    assert any(c.startswith("evaluation dashboard --data data") for c in cmds)
    files = [b.splitlines()[0][2:] for b in blocks("yaml")]
    assert files == ["mappningar/arenden.yaml", "mappningar/handelser.yaml", "mappningar/kasam.yaml",
                     "mappningar/taguette.yaml", "korning_2025.yaml"]


@pytest.mark.slow
@pytest.mark.notebook
def test_readme_walkthrough_runs_on_other_data(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "alvdal"
    (work / "exporter").mkdir(parents=True)
    for b in blocks("yaml"):
        rel = b.splitlines()[0][2:].strip()
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(b, encoding="utf-8")
    episodes, pnr_of, events = make_case_export(work / "exporter" / "Ärendeexport 2025.xlsx")
    survey = make_survey(work / "exporter" / "KASAM deltagare.sav")
    highlights = make_taguette(work / "exporter" / "taguette_markeringar.csv")

    env = {k: v for k, v in os.environ.items() if k not in ("EVALUATION_PSEUDONYM_KEY", "EVALUATION_KEY_FILE")}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
    outputs = {}
    for cmd in commands():
        argv = shlex.split(cmd)
        assert argv[0] == "evaluation"
        argv = [sys.executable, "-m", "evaluation"] + argv[1:]
        if argv[3] == "dashboard":
            check_dashboard(argv, work, env)
            continue
        res = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True, timeout=1500)
        outputs[cmd] = res.stdout + res.stderr
        assert res.returncode == 0, f"{cmd}\n{res.stdout}\n{res.stderr}"

    # the key went to the (temporary) home folder, never into the data folder
    assert (home / ".config" / "evaluation" / "pseudonym.key").is_file()
    # three files imported, every row accounted for
    cat = yaml.safe_load((work / "data" / "datakatalog.yaml").read_text(encoding="utf-8"))
    by_entity = {e["entity"]: e for e in cat["filer"]}
    assert set(by_entity) == {"episoder", "handelser", "enkatsvar", "segment"}
    assert by_entity["handelser"]["import_rapport"]["accepterade"] == len(events)
    ep_entry = by_entity["episoder"]
    assert ep_entry["import_rapport"] == {"rader_lasta": len(episodes), "accepterade": len(episodes), "avvisade": 0}
    assert ep_entry["forbund"] == ["Älvdal"] and ep_entry["path"] == "episoder_alvdal.parquet"
    assert by_entity["enkatsvar"]["import_rapport"]["accepterade"] == len(survey)
    assert by_entity["enkatsvar"]["instrument"] == "soc29"
    assert by_entity["segment"]["import_rapport"]["rader_lasta"] == len(highlights)
    imp = next(v for k, v in outputs.items() if "Ärendeexport" in k)
    assert f"{len(episodes)} rader lästa, {len(episodes)} godkända, 0 avvisade" in imp
    # episode ids built by the rule, birth years from the personnummer, codes from Swedish labels
    data = pd.read_parquet(work / "data" / "episoder_alvdal.parquet")
    assert data["episod_id"].str.fullmatch(r"D-[0-9a-f]{16}/(Team Work|Steget vidare)/\d{4}-\d{2}-\d{2}").all()
    assert sorted(data["fodelsear"].astype(int)) == sorted(episodes["fodelsear"].astype(int))
    assert (data["avslutsorsak"].dropna().isin(exit_reasons().index)).all()
    assert set(data["forbund"]) == {"Älvdal"}
    ev = pd.read_parquet(work / "data" / by_entity["handelser"]["path"])
    assert ev["episod_id"].isin(data["episod_id"]).all()  # the same rule links events to their episodes
    # SPSS: 9 is missing, never scored
    kasam = pd.read_parquet(work / "data" / "enkatsvar_soc29_alvdal.parquet")
    n_missing = int((survey[[f"soc29_{i}" for i in range(1, 30)]] == "").to_numpy().sum())
    assert int(kasam[[f"soc29_{i}" for i in range(1, 30)]].isna().to_numpy().sum()) == n_missing
    assert kasam[[f"soc29_{i}" for i in range(1, 30)]].max().max() <= 7
    # the snapshot: both notebooks ran for Älvdal on the imported data
    snap = work / "ogonblicksbilder" / "2025"
    manifest = json.loads((snap / "manifest.json").read_text(encoding="utf-8"))
    runs = manifest["runs"] if isinstance(manifest.get("runs"), list) else list(manifest["runs"].values())
    assert {r["status"] for r in runs} == {"ok"} and len(runs) == 2
    results = [json.loads(p.read_text(encoding="utf-8")) for p in snap.glob("*/results.json")]
    assert len(results) == 2
    html = "".join(p.read_text(encoding="utf-8") for p in snap.glob("*/rapport.html"))
    assert "Älvdal" in html and "Norrdal" not in html
    # no personnummer anywhere in what was written
    everything = html + "".join(outputs.values()) + data.astype(str).to_csv()
    for pnr in pnr_of.values():
        assert pnr not in everything and pnr.replace("-", "") not in everything
    # what the board dashboard shows is computed from the imported folder, for Älvdal
    from evaluation.dashboards import load_data, views

    board = load_data(work / "data", snapshots_dir=tmp_path / "inga_ogonblicksbilder")
    assert [v for _, v in views.filter_options(board)["forbund"] if v] == ["Älvdal"]
    figures = views.key_figures(board, views.validate_filters(board, forbund="Älvdal"))
    assert len(figures) and not figures.astype(str).apply(lambda c: c.str.contains("Norrdal")).any().any()
    scan = subprocess.run([sys.executable, "-m", "evaluation", "scan", str(snap), str(work / "data")], cwd=work,
                          env=env, capture_output=True, text=True, timeout=300)
    assert scan.returncode == 0, scan.stdout
