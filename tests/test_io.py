"""Import of well-formed files: formats, mapping files, default synonyms, pseudonyms, samples."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import hmac
import io as _io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from evaluation import io, mapping
from evaluation.schemas import EPISODES, SURVEY

KEY_HEX = "3e9d0f6a1c57b2e48d21a9f0c6b35e7d4a08f1c29e6b73d5a1f04c8e2b97d61a"
SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", KEY_HEX)


def write(path: Path, header, rows, sep=",", encoding="utf-8", bom=False) -> Path:
    buf = _io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode(encoding))
    return path


# An export the way a case system writes it: own headers and order, Swedish labels, extra column.
EXPORT_HEADER = ["Handläggare", "Ärende-ID", "Personnummer", "KÖN", "Födelseår", "Född i Sverige", "Utbildning",
                 "Inskrivningsdatum", "Avslutsdatum", "Avslutsorsak", "Sysselsättning före", "Sysselsättning efter",
                 "Försörjning före", "Försörjning efter", "Omfattning före (%)", "Omfattning efter (%)",
                 "Samtycke", "Anonym deltagare", "Insats"]
EXPORT_ROWS = [
    ["EN", "SO-1", "19811228-9874", "K", "1981", "Ja", "Gymnasium", "14 maj 2023", "20231031", "Förvärvsarbete",
     "Övriga", "Förvärvsarbete", "Försörjningsstöd, A-kassa", "Lön", "0", "62,5", "J", "Nej", "Vuxenteamet"],
    ["EN", "SO-2", "811288-9871", "Man", "1981", "N", "Högskola", "1/6/2023", "", "", "Aktivt arbetssökande", "",
     "Sjukpenning", "", "12,5", "", "Ja", "N", "Vuxenteamet"],
    ["MS", "SO-3", "", "Kvinna", "1990", "", "", "2.7.2023", "", "", "Övriga", "", "", "", "", "", "Nej", "Ja",
     "Vuxenteamet"],
]
EXPORT_MAPPING = {"entity": "episoder", "read": {"delimiter": ";", "encoding": "cp1252"},
                  "multi": {"forsorjning_fore": ", ", "forsorjning_efter": ", "},
                  "constants": {"forbund": "Söderå"}}


def _pseudonym(canonical12: str) -> str:
    """Independent recomputation: HMAC-SHA256 over the 12-digit form, first 16 hex, prefix D-."""
    return "D-" + hmac.new(bytes.fromhex(KEY_HEX), canonical12.encode("ascii"), hashlib.sha256).hexdigest()[:16]


@pytest.fixture
def export(tmp_path):
    return write(tmp_path / "export.csv", EXPORT_HEADER, EXPORT_ROWS, sep=";", encoding="cp1252")


def test_case_system_export_maps_headers_labels_and_dates(export):
    data, report = io.load_episodes(export, mapping=EXPORT_MAPPING)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (3, 3, 0)
    assert report.problems.empty
    assert report.unmapped_columns == ["Handläggare"]
    assert list(data.columns) == list(EPISODES.columns)
    row = data.set_index("episod_id").loc["SO-1"]
    assert row["kon"] == "kvinna" and row["forbund"] == "Söderå"
    assert row["inskrivningsdatum"] == pd.Timestamp("2023-05-14")
    assert row["avslutsdatum"] == pd.Timestamp("2023-10-31")
    assert row["avslutsorsak"] == "forvarvsarbete" and row["utbildningsniva"] == "gymnasial"
    assert row["forsorjning_fore"] == "forsorjningsstod|a_kassa" and row["forsorjning_efter"] == "lon"
    assert row["omfattning_efter"] == 62.5 and bool(row["fodd_i_sverige"]) is True
    so2 = data.set_index("episod_id").loc["SO-2"]
    assert so2["inskrivningsdatum"] == pd.Timestamp("2023-06-01")  # 1/6/2023 is day-first
    assert so2["utbildningsniva"] == "eftergymnasial" and bool(so2["fodd_i_sverige"]) is False
    EPISODES.validate(data)


def test_personnummer_become_keyed_pseudonyms_and_never_stay(export):
    data, report = io.load_episodes(export, mapping=EXPORT_MAPPING)
    ids = data.set_index("episod_id")["deltagare_id"]
    assert ids["SO-1"] == _pseudonym("198112289874")
    assert ids["SO-2"] == _pseudonym("198112889871")  # samordningsnummer: day 28 + 60
    assert ids["SO-3"] == "anonym-SO-3"  # anonymous, no identifier: counted, not linkable
    assert "personnummer" not in data.columns
    dump = data.astype(str).to_csv() + report.summary() + report.problems.to_csv()
    for raw in ("19811228-9874", "8112289874", "811288-9871"):
        assert raw not in dump


def test_missing_key_stops_with_how_to(export, monkeypatch, tmp_path):
    from evaluation import privacy

    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY")
    monkeypatch.setenv("EVALUATION_KEY_FILE", str(tmp_path / "no_such.key"))
    with pytest.raises(privacy.MissingKeyError, match="evaluation key --init"):
        io.load_episodes(export, mapping=EXPORT_MAPPING)


def test_mapping_file_on_disk_same_as_dict(export, tmp_path):
    import yaml

    mp = tmp_path / "m.yaml"
    mp.write_text(yaml.safe_dump(EXPORT_MAPPING, allow_unicode=True), encoding="utf-8")
    a = io.load_episodes(export, mapping=mp).data
    b = io.load_episodes(export, mapping=EXPORT_MAPPING).data
    pd.testing.assert_frame_equal(a, b)


def test_mapping_for_another_entity_is_refused(export):
    with pytest.raises(mapping.MappingError, match="handelser"):
        io.load_episodes(export, mapping={"entity": "handelser"})


def test_mapping_can_ignore_a_column_on_purpose(export):
    m = dict(EXPORT_MAPPING, columns={"Handläggare": None})
    assert io.load_episodes(export, mapping=m).report.unmapped_columns == []


@pytest.mark.parametrize("encoding,bom,sep", [("utf-8", False, ","), ("utf-8", True, ";"), ("cp1252", False, ";"),
                                              ("utf-8", True, ",")])
def test_encodings_and_delimiters_are_detected(tmp_path, encoding, bom, sep):
    rows = [["E1", "2023-05-14", "Första möte"], ["E1", "15.5.2023", "Kartläggning"]]
    p = write(tmp_path / "h.csv", ["episod_id", "Datum", "Händelse"], rows, sep=sep, encoding=encoding, bom=bom)
    data, report = io.load_events(p)
    assert report.problems.empty and report.unmapped_columns == []
    assert data["handelse"].tolist() == ["forsta_mote", "kartlaggning"]
    assert data["datum"].tolist() == [pd.Timestamp("2023-05-14"), pd.Timestamp("2023-05-15")]


@pytest.mark.parametrize("text,expected", [
    ("2023-05-14", "2023-05-14"), ("20230514", "2023-05-14"), ("14/5/2023", "2023-05-14"),
    ("14.5.2023", "2023-05-14"), ("14 maj 2023", "2023-05-14"), ("1 Januari 2024", "2024-01-01"),
    ("3 okt. 2024", "2024-10-03"), ("2023-05-14 00:00:00", "2023-05-14"),
    # Excel 1900 date system: serial 1 = 1900-01-01 with the fictitious 1900-02-29, so days since
    # 1899-12-30 for dates after February 1900; 45060 - 44927 (= 2023-01-01) = 133 days -> 14 May
    (45060, "2023-05-14"), (44927.0, "2023-01-01"),
])
def test_swedish_date_formats(text, expected):
    assert mapping.parse_date(text) == pd.Timestamp(expected)


def test_serial_in_text_is_not_a_date_unless_asked():
    # "2023" in a text column is a lone year, not Excel serial 2023 = 1905-07-15
    assert mapping.parse_date("2023") is None and mapping.parse_date("45060") is None
    assert mapping.parse_date("45060", serial=True) == pd.Timestamp("2023-05-14")


def test_month_first_when_mapping_says_so():
    assert mapping.parse_date("5/14/2023", dayfirst=False) == pd.Timestamp("2023-05-14")
    assert mapping.parse_date("5/14/2023") is None  # month 14 does not exist day-first


@pytest.mark.parametrize("text,expected", [("12,5", 12.5), ("1 234,5", 1234.5), ("1.234,5", 1234.5),
                                           ("50 %", 50.0), ("10 500 kr", 10500.0), ("7", 7.0)])
def test_decimal_comma_and_thousands(text, expected):
    out, bad = mapping.parse_numbers(pd.Series([text]))
    assert out[0] == expected and not bad[0]


def test_xlsx_dates_serials_and_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["episod_id", "datum", "handelse"])
    ws.append(["E1", dt.datetime(2023, 5, 14), "samtycke"])
    ws.append([1002, 45061, "Avslut"])  # an integer id and a date written as a bare serial
    ws.append([])  # blank row: not a data row, and the next row is still Excel row 5
    ws.append(["E3", "20230516", "fika"])
    p = tmp_path / "h.xlsx"
    wb.save(p)
    data, report = io.load_events(p)
    assert data["episod_id"].tolist() == ["E1", "1002"]
    assert data["datum"].tolist() == [pd.Timestamp("2023-05-14"), pd.Timestamp("2023-05-15")]
    assert (report.rows_read, report.rows_rejected) == (3, 1)
    assert report.problems[["row", "column"]].values.tolist() == [[5, "handelse"]]


def test_parquet_round_trip(tmp_path):
    df = pd.DataFrame({"episod_id": ["E1", "E2"], "datum": pd.to_datetime(["2023-05-14", "2023-06-01"]),
                       "handelse": ["samtycke", "avslut"]})
    p = tmp_path / "h.parquet"
    df.to_parquet(p)
    data, report = io.load_events(p)
    assert report.ok
    assert str(data["datum"].dtype) == "datetime64[ns]"
    assert data["datum"].tolist() == df["datum"].tolist()


def test_survey_items_and_range(tmp_path):
    header = ["Respondent-ID", "Grupp", "forbund", "Våg", "Tidpunkt", "Datum", "formversion", "soc13_1", "soc13_2",
              "Fritext"]
    rows = [["R1", "Deltagare", "Norrdal", "1", "Före", "2024-02-01", "v1", "1", "7", "bra"],
            ["R1", "Deltagare", "Norrdal", "1", "Efter", "2024-09-01", "v1", "", "6", ""]]
    p = write(tmp_path / "s.csv", header, rows, sep=";")
    data, report = io.load_survey(p, instrument="soc13")
    assert report.rows_accepted == 2 and report.unmapped_columns == ["Fritext"]
    assert data["tidpunkt"].tolist() == ["fore", "efter"]
    assert data["instrument"].tolist() == ["soc13", "soc13"]
    assert data["soc13_1"].isna().tolist() == [False, True]
    assert data["soc13_2"].tolist() == [7.0, 6.0]
    SURVEY.validate(data)


def test_unmapped_header_is_not_guessed(tmp_path):
    # "Kön " with trailing space matches (whitespace is ignored); "Köön" does not and is reported
    header = ["episod_id", "datum", "handelse", "Köön"]
    p = write(tmp_path / "h.csv", header, [["E1", "2023-05-14", "samtycke", "K"]])
    data, report = io.load_events(p)
    assert report.unmapped_columns == ["Köön"] and list(data.columns) == ["episod_id", "datum", "handelse"]


def test_default_label_synonyms_come_from_vocabulary_labels():
    lookup = mapping.label_lookup("avslutsorsak", "avslutsorsak")
    # Swedish labels in avslutsorsaker.csv, matched case-insensitively
    assert lookup[mapping.normalise("ARBETE PÅ ÖPPNA MARKNADEN UTAN OFFENTLIGT STÖD")] == "delta_arbete_utan_stod"
    assert lookup[mapping.normalise("Övriga avslutade")] == "ovriga_avslutade"
    fors = mapping.label_lookup("forsorjning_fore", "forsorjning")
    assert fors["studiemedel (csn)"] == "studiemedel" and fors["ekonomiskt bistånd"] == "forsorjningsstod"
    booleans = mapping.boolean_lookup("samtycke")
    assert booleans["ja"] is True and booleans["n"] is False and booleans["0"] is False


def test_mapping_values_override_defaults():
    m = mapping.load_mapping({"values": {"kon": {"K": "man"}}})  # a source that codes men as K
    assert mapping.label_lookup("kon", "kon", m)["k"] == "man"


def test_report_summary_is_swedish_and_frame_has_counts(tmp_path):
    p = write(tmp_path / "h.csv", ["episod_id", "datum", "handelse"],
              [["E1", "2023-05-14", "samtycke"], ["E2", "2023-05-14", "fika"]])
    report = io.load_events(p).report
    assert report.summary().startswith(f"{p} (handelser): 2 rader lästa, 1 godkända, 1 avvisade, 1 problem.")
    assert "Omappade etiketter (handelse): fika" in report.summary()
    frame = report.to_frame(lang="sv")
    assert frame.iloc[0].tolist() == [str(p), "handelser", 2, 1, 1, 1]
    data, rep = io.load_events(p)  # unpacking works
    assert rep.rows_read == 2 and len(data) == 1


def test_combine_keeps_parts_and_flags_keys_in_two_files(tmp_path):
    cols = ["post", "benamning", "aktor", "belopp_sek", "enhet", "prisar", "typ", "kalla"]
    row = ["fbs", "Försörjningsstöd", "kommun", "10500", "manad", "2024", "transferering", "SoS"]
    a = io.load_unit_costs(write(tmp_path / "a.csv", cols, [row]))
    b = io.load_unit_costs(write(tmp_path / "b.csv", cols, [row, ["af", *row[1:]]]))
    both = io.combine([a, b])
    assert both.data["post"].tolist() == ["fbs", "fbs", "af"]
    assert [p.file for p in both.report.parts] == [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]
    assert both.report.to_frame()["rows_read"].tolist() == [1, 2]
    flagged = both.report.problems
    assert flagged[["row", "column", "value"]].values.tolist() == [["-", "post", "fbs"]]
    assert flagged.loc[0, "file"] == f"{tmp_path / 'a.csv'} + {tmp_path / 'b.csv'}"


# ---------------------------------------------------------------------------------------------
# the committed samples


def _samples_present() -> bool:
    return (SAMPLES / "episoder.csv").exists()


def test_every_sample_loads_with_no_rejected_rows():
    assert _samples_present(), "data_samples/ missing: run `evaluation samples`"
    results = io.load_samples(SAMPLES)
    expected = {"episoder", "handelser", "kasam_deltagare", "kasam_personal", "nns_enkater",
                "fokusgrupper_segment", "enhetskostnader"}
    assert expected <= set(results)
    assert any(k.startswith("rapporterat/") for k in results)
    for key, result in results.items():
        r = result.report
        assert r.rows_read == r.rows_accepted + r.rows_rejected, key
        assert r.rows_rejected == 0, (key, r.summary())
        assert r.problems.empty, (key, r.summary())
    ep = results["episoder"]
    assert [Path(p.file).name for p in ep.report.parts] == ["episoder.csv", "export_verksamhetssystem_sodera.csv"]
    assert set(ep.data["forbund"]) == {"Norrdal", "Söderå"}
    assert ep.data["episod_id"].is_unique
    assert not ep.data["deltagare_id"].str.fullmatch(r"\d{6,8}-?\d{4}").any()


def test_summary_command_prints_swedish_table(capsys):
    assert _samples_present()
    rc = io.summary_cli(argparse.Namespace(data=str(SAMPLES), lang="sv"))
    out = capsys.readouterr().out
    assert rc == 0
    header = out.splitlines()[1].split()
    assert header[:2] == ["fil", "entitet"] and "godkända" in header and "avvisade" in header
    assert "export_verksamhetssystem_sodera.csv" in out


def test_summary_command_fails_on_a_folder_without_catalogue_and_says_how_to_make_one(tmp_path, capsys):
    assert io.summary_cli(argparse.Namespace(data=str(tmp_path), lang="sv")) == 1
    out = capsys.readouterr().out
    assert "saknar datakatalog.yaml" in out and "evaluation import" in out
    assert "evaluation samples" not in out


def test_summary_table_shows_file_names_relative_to_the_data_folder(tmp_path):
    # A report must not reveal where the data lies on the analyst's disk: sub/b.csv is shown as
    # "sub/b.csv" (relative to the data folder), a file outside it by its bare name.
    (tmp_path / "sub").mkdir()
    reports = {
        "a": io.ImportResult(pd.DataFrame(), io.ImportReport(str(tmp_path / "a.csv"), "handelser", 2, 2, 0)),
        "b": io.ImportResult(pd.DataFrame(), io.ImportReport(str(tmp_path / "sub" / "b.csv"), "episoder", 1, 1, 0)),
        "c": io.ImportResult(pd.DataFrame(), io.ImportReport("/elsewhere/c.csv", "episoder", 1, 1, 0)),
    }
    tab = io.summary_table(reports, lang="sv", data_dir=tmp_path)
    assert tab["fil"].tolist() == ["a.csv", "sub/b.csv", "c.csv"]
    # without data_dir: relative to the folder the files share
    tab2 = io.summary_table({k: reports[k] for k in ("a", "b")}, lang="en")
    assert tab2["file"].tolist() == ["a.csv", "sub/b.csv"]
    assert not any(str(tmp_path) in f for f in tab["fil"].tolist() + tab2["file"].tolist())
