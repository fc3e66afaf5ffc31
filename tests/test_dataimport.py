"""``evaluation import``: Parquet + catalogue entry, replacement of a newer export, bad input writes nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from evaluation import catalogue, cli, dataimport, inputs, io

KEY_HEX = "3e9d0f6a1c57b2e48d21a9f0c6b35e7d4a08f1c29e6b73d5a1f04c8e2b97d61a"
SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"
EXPORT = SAMPLES / "export_verksamhetssystem_sodera.csv"
MAPPING = SAMPLES / "mappningar" / "verksamhetssystem_sodera.yaml"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", KEY_HEX)


def run(*argv) -> int:
    return cli.main([str(a) for a in argv])


def test_import_writes_parquet_and_catalogue_entry(tmp_path, capsys):
    data_dir = tmp_path / "data"
    assert run("import", EXPORT, "--mapping", MAPPING, "--data", data_dir) == 0
    out = capsys.readouterr().out
    direct = io.load_episodes(EXPORT, mapping=MAPPING)
    n = len(direct.data)
    assert f"{n} rader lästa, {n} godkända, 0 avvisade" in out
    assert "episoder_sodera.parquet" in out and "datakatalog.yaml" in out
    cat = catalogue.read(data_dir)
    (entry,) = cat.files("episoder")
    assert entry.path == "episoder_sodera.parquet" and entry.format == "parquet" and entry.mapping is None
    assert entry.sha256 == hashlib.sha256(EXPORT.read_bytes()).hexdigest()
    assert entry.import_rapport == {"rader_lasta": n, "accepterade": n, "avvisade": 0}
    assert entry.forbund == ("Söderå",)
    ins = direct.data["inskrivningsdatum"]
    assert entry.period[0] == ins.min().date()
    # the loader reads the imported folder back to the very same rows (pseudonyms, codes, dates)
    loaded = inputs.load(data_dir).episodes
    cols = list(direct.data.columns)
    pd.testing.assert_frame_equal(loaded[cols].reset_index(drop=True), direct.data[cols].reset_index(drop=True),
                                  check_dtype=False)
    # no personnummer in what was written or printed
    raw_pnr = pd.read_csv(EXPORT, sep=";", encoding="cp1252", dtype=str)["Personnummer"].dropna()
    written = pd.read_parquet(data_dir / entry.path).astype(str).to_csv() + out
    assert not any(p in written for p in raw_pnr)


def test_reimport_of_a_newer_export_replaces_it(tmp_path, capsys):
    data_dir = tmp_path / "data"
    assert run("import", EXPORT, "--mapping", MAPPING, "--data", data_dir) == 0
    newer = tmp_path / "export_v2.csv"
    lines = EXPORT.read_bytes().split(b"\r\n") if b"\r\n" in EXPORT.read_bytes() else EXPORT.read_bytes().split(b"\n")
    newer.write_bytes(b"\n".join(lines[:101]) + b"\n")  # header + 100 rows
    capsys.readouterr()
    assert run("import", newer, "--mapping", MAPPING, "--data", data_dir) == 0
    out = capsys.readouterr().out
    assert "Ersatte den tidigare importen av episoder för Söderå" in out
    (entry,) = catalogue.read(data_dir).files("episoder")
    assert entry.import_rapport["rader_lasta"] == 100
    assert entry.sha256 == hashlib.sha256(newer.read_bytes()).hexdigest()
    assert len(pd.read_parquet(data_dir / entry.path)) == 100
    assert sorted(p.name for p in data_dir.iterdir()) == ["datakatalog.yaml", "episoder_sodera.parquet"]


def test_missing_file_is_one_swedish_line_and_nothing_written(tmp_path, capsys):
    data_dir = tmp_path / "data"
    assert run("import", tmp_path / "finns_inte.csv", "--mapping", MAPPING, "--data", data_dir) == 2
    err = capsys.readouterr().err
    assert err.startswith("fel: Filen ") and "finns inte" in err and err.count("\n") == 1
    assert not data_dir.exists()


def test_mapping_that_does_not_fit_writes_nothing(tmp_path, capsys):
    data_dir = tmp_path / "data"
    shutil.copytree(SAMPLES, data_dir, ignore=shutil.ignore_patterns("rapporterat", "scenarier", "mal", "malnivaer"))
    before = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    # the events file through the episodes mapping: wrong delimiter, no required column
    assert run("import", SAMPLES / "handelser.csv", "--mapping", MAPPING, "--data", data_dir) == 2
    captured = capsys.readouterr()
    assert "Inga rader i handelser.csv kunde godkännas som episoder" in captured.err
    assert "inget skrevs" in captured.err and "avgränsare" in captured.err
    assert "rader lästa, 0 godkända" in captured.out  # the report is shown
    after = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    assert after == before


def test_entity_mismatch_and_unknown_entity(tmp_path, capsys):
    assert run("import", EXPORT, "--mapping", MAPPING, "--data", tmp_path / "d", "--entity", "handelser") == 2
    assert "gäller 'episoder', inte 'handelser'" in capsys.readouterr().err
    assert run("import", EXPORT, "--data", tmp_path / "d", "--entity", "deltagare") == 2
    assert "Okänd entitet 'deltagare'" in capsys.readouterr().err
    assert run("import", EXPORT, "--data", tmp_path / "d") == 2
    assert "--entity" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_rejected_rows_are_listed_masked_and_not_written(tmp_path, capsys):
    src = tmp_path / "export.csv"
    text = EXPORT.read_bytes().decode("cp1252").replace("\r\n", "\n").split("\n")
    header = text[0].split(";")
    i = header.index("Personnummer")
    row = text[1].split(";")
    bad = row[i][:-1] + str((int(row[i][-1]) + 1) % 10)  # wrong check digit
    row[i] = bad
    text[1] = ";".join(row)
    src.write_bytes("\n".join(text).encode("cp1252"))
    data_dir = tmp_path / "data"
    assert run("import", src, "--mapping", MAPPING, "--data", data_dir) == 0
    out = capsys.readouterr().out
    n = len([t for t in text[1:] if t.strip()])
    assert f"{n} rader lästa, {n - 1} godkända, 1 avvisade" in out
    assert "export.csv:2 [Personnummer]" in out and "inte ett giltigt personnummer" in out
    assert bad not in out and bad.replace("-", "") not in out
    assert "1 rader avvisades" in out
    assert len(pd.read_parquet(data_dir / "episoder_sodera.parquet")) == n - 1


def test_xlsx_with_several_sheets_needs_sheet(tmp_path, capsys):
    df = io.load_events(SAMPLES / "handelser.csv").data.head(5)
    p = tmp_path / "handelser.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Instruktion"
    ws.append(["Fyll i fliken Händelser"])
    ws2 = wb.create_sheet("Händelser")
    ws2.append(["episod_id", "datum", "handelse"])
    for r in df.itertuples(index=False):
        ws2.append([r.episod_id, r.datum.to_pydatetime(), r.handelse])
    wb.save(p)
    assert run("import", p, "--entity", "handelser", "--data", tmp_path / "d") == 2
    err = capsys.readouterr().err
    assert "2 blad ('Instruktion', 'Händelser')" in err and not (tmp_path / "d").exists()
    assert run("import", p, "--entity", "handelser", "--data", tmp_path / "d", "--sheet", "Händelser") == 0
    assert "5 rader lästa, 5 godkända" in capsys.readouterr().out
    assert catalogue.read(tmp_path / "d").files("handelser")[0].path == "handelser.parquet"  # no förbund column


def test_every_problem_is_printed_not_only_twenty(tmp_path, capsys):
    src = tmp_path / "h.csv"
    rows = "\n".join(f"E{i},2023-05-{1 + i % 28:02d},fika{i}" for i in range(30))
    src.write_text("episod_id,datum,handelse\nE0,2023-05-01,samtycke\n" + rows + "\n", encoding="utf-8")
    assert run("import", src, "--entity", "handelser", "--data", tmp_path / "d") == 0
    out = capsys.readouterr().out
    assert "31 rader lästa, 1 godkända, 30 avvisade, 30 problem" in out
    assert all(f"h.csv:{i + 3} [handelse] 'fika{i}'" in out for i in range(30))


def test_output_name():
    assert dataimport.output_name("segment", []) == "segment.parquet"
