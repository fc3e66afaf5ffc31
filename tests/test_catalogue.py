"""The data catalogue (evaluation.catalogue) and the sample generator's catalogue."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

from evaluation import catalogue, samples
from evaluation.errors import EvaluationError

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data_samples"


def _write_cat(folder: Path, text: str) -> None:
    (folder / catalogue.CATALOGUE_FILE).write_text(text, encoding="utf-8")


def test_committed_catalogue_lists_every_data_file_of_data_samples():
    cat = catalogue.read(COMMITTED)
    listed = {e.path for e in cat.files()} | {e.mapping for e in cat.files() if e.mapping}
    on_disk = {p.relative_to(COMMITTED).as_posix() for p in COMMITTED.rglob("*")
               if p.is_file() and p.name != catalogue.CATALOGUE_FILE}
    assert listed == on_disk
    assert cat.fiktiva_data is True and cat.forbund == ["Norrdal", "Söderå"]
    assert [e.key for e in cat.files("enkatsvar")] == ["kasam_deltagare", "kasam_personal", "nns_enkater"]
    assert [e.instrument for e in cat.files("enkatsvar")] == ["soc29", "soc29", "nns"]


def test_committed_catalogue_forbund_and_period_match_the_files():
    cat = catalogue.read(COMMITTED)
    for e in cat.files():
        if e.entity not in ("enkatsvar", "segment") and e.path != "episoder.csv":
            continue
        with open(e.file, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert tuple(sorted({r["forbund"] for r in rows})) == e.forbund, e.path
        if "datum" in rows[0]:
            assert (min(r["datum"] for r in rows), max(r["datum"] for r in rows)) == tuple(
                d.isoformat() for d in e.period), e.path
    export = cat.entry("export_verksamhetssystem_sodera")
    assert export.forbund == ("Söderå",) and export.encoding == "cp1252"
    assert export.mapping == "mappningar/verksamhetssystem_sodera.yaml" and export.mapping_file.is_file()


def test_regenerating_into_data_samples_keeps_the_catalogue_byte_identical(tmp_path):
    copy = tmp_path / "ds"
    shutil.copytree(COMMITTED, copy)
    samples.generate(copy)
    assert (copy / "datakatalog.yaml").read_bytes() == (COMMITTED / "datakatalog.yaml").read_bytes()


def test_fresh_generation_writes_a_catalogue_of_exactly_the_generated_files(tmp_path):
    samples.generate(tmp_path, seed=3)
    cat = catalogue.read(tmp_path)
    assert {e.path for e in cat.files()} | {e.mapping for e in cat.files() if e.mapping} == set(samples.FILES)
    assert cat.fiktiva_data and all(e.kalla.startswith("evaluation samples (seed 3)")
                                    for e in cat.files() if e.entity != "rapporterat")


def test_missing_catalogue_names_the_folder_and_the_way_out(tmp_path):
    with pytest.raises(catalogue.CatalogueError, match="saknar datakatalog.yaml.*evaluation import") as err:
        catalogue.read(tmp_path)
    assert isinstance(err.value, EvaluationError) and isinstance(err.value, ValueError)


@pytest.mark.parametrize("entry, message", [
    ("{entity: episoder, path: saknas.csv}", r"\(saknas.csv\): filen 'saknas.csv' finns inte"),
    ("{entity: episodes, path: a.csv}", r"okänd entitet 'episodes'; giltiga entiteter: episoder, handelser"),
    ("{entity: episoder, path: a.csv, format: xls}", r"okänt format 'xls'"),
    ("{entity: episoder, path: ../a.csv}", r"pekar utanför datamappen"),
    ("{entity: episoder, path: a.csv, blad: X}", r"okända fält 'blad'"),
    ("{entity: episoder, path: a.csv, header_row: 0}", r"'header_row' ska vara ett radnummer"),
    ("{entity: episoder, path: a.csv, period: {fran: 2025-01-01, till: 2024-01-01}}", r"ligger efter slutet"),
    ("{entity: episoder, path: a.csv, period: {fran: 2025-13-01}}", r"period.fran.*ÅÅÅÅ-MM-DD"),
    ("{entity: episoder, path: a.csv, mapping: m.yaml}", r"mappningsfilen 'm.yaml' finns inte"),
    ("{entity: episoder, path: a.csv, instrument: soc29}", r"'instrument' gäller bara enkatsvar"),
])
def test_bad_entries_get_a_swedish_message_naming_the_catalogue_and_entry(tmp_path, entry, message):
    (tmp_path / "a.csv").write_text("x\n", encoding="utf-8")
    _write_cat(tmp_path, f"version: 1\nfiler:\n  - {entry}\n")
    with pytest.raises(catalogue.CatalogueError, match=r"^datakatalog.yaml, filer\[1\].*" + message):
        catalogue.read(tmp_path)


def test_two_entries_with_the_same_name_are_refused(tmp_path):
    (tmp_path / "a.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "a.xlsx").write_bytes(b"")
    _write_cat(tmp_path, "filer:\n  - {entity: episoder, path: a.csv}\n  - {entity: episoder, path: a.xlsx}\n")
    with pytest.raises(catalogue.CatalogueError, match=r"filer\[2\] \(a.xlsx\): namnet 'a' finns redan i filer\[1\]"):
        catalogue.read(tmp_path)


def test_record_import_replaces_the_same_entity_and_forbund_and_keeps_the_others(tmp_path):
    for n in ("nd_2025.parquet", "nd_2026.parquet", "so.parquet", "nns.parquet"):
        (tmp_path / n).write_bytes(b"")
    catalogue.record_import(tmp_path, {"entity": "episoder", "path": "nd_2025.parquet", "forbund": ["Norrdal"]})
    catalogue.record_import(tmp_path, {"entity": "episoder", "path": "so.parquet", "forbund": ["Söderå"]})
    catalogue.record_import(tmp_path, {"entity": "enkatsvar", "instrument": "nns", "path": "nns.parquet",
                                       "forbund": ["Norrdal"]})
    new, old = catalogue.record_import(tmp_path, {
        "entity": "episoder", "path": "nd_2026.parquet", "forbund": ["Norrdal"], "sha256": "ab" * 32,
        "import_rapport": {"rader_lasta": 60, "accepterade": 58, "avvisade": 2}})
    assert old.path == "nd_2025.parquet" and new.path == "nd_2026.parquet"
    cat = catalogue.read(tmp_path)
    assert [e.path for e in cat.files()] == ["nd_2026.parquet", "so.parquet", "nns.parquet"]
    raw = yaml.safe_load((tmp_path / "datakatalog.yaml").read_text(encoding="utf-8"))
    assert raw["filer"][0]["import_rapport"] == {"rader_lasta": 60, "accepterade": 58, "avvisade": 2}
    assert raw["filer"][0]["format"] == "parquet"


def test_record_import_writes_nothing_for_a_bad_entry(tmp_path):
    (tmp_path / "a.parquet").write_bytes(b"")
    catalogue.record_import(tmp_path, {"entity": "handelser", "path": "a.parquet"})
    before = (tmp_path / "datakatalog.yaml").read_bytes()
    with pytest.raises(catalogue.CatalogueError, match="filen 'b.parquet' finns inte"):
        catalogue.record_import(tmp_path, {"entity": "handelser", "path": "b.parquet"})
    assert (tmp_path / "datakatalog.yaml").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] and not list(tmp_path.glob(".datakatalog-*"))


def test_a_symlink_that_leaves_the_data_folder_is_refused(tmp_path):
    outside = tmp_path / "hemligt.csv"
    outside.write_text("x\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "ep.csv").symlink_to(outside)
    _write_cat(data, "filer:\n  - {entity: episoder, path: ep.csv}\n")
    with pytest.raises(catalogue.CatalogueError, match=r"\(ep.csv\): path 'ep.csv' är en länk som pekar utanför"):
        catalogue.read(data)
