"""Malformed input: every case must name the file, the row and the column of the problem.

Files are written in tmp_path in the shape the tools write them (cp1252 bytes, a UTF-8 BOM,
XLSX through openpyxl, Parquet through pandas). Expected rows are worked out from the file
layout: the header is line 1, the k-th data row is line k + 1 (Excel: row k + 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io as _io

import openpyxl
import pandas as pd
import pytest

from evaluation import io

KEY_HEX = "3e9d0f6a1c57b2e48d21a9f0c6b35e7d4a08f1c29e6b73d5a1f04c8e2b97d61a"

EPI_COLS = [
    "episod_id", "deltagare_id", "forbund", "insats", "kon", "fodelsear", "fodd_i_sverige", "utbildningsniva",
    "inskrivningsdatum", "avslutsdatum", "avslutsorsak", "sysselsattning_fore", "sysselsattning_efter",
    "forsorjning_fore", "forsorjning_efter", "omfattning_fore", "omfattning_efter", "samtycke", "anonym",
]


def epi_row(i: int, **over) -> dict:
    row = {
        "episod_id": f"E{i}", "deltagare_id": f"D{i}", "forbund": "Norrdal", "insats": "Team Work",
        "kon": "kvinna", "fodelsear": "1985", "fodd_i_sverige": "true", "utbildningsniva": "gymnasial",
        "inskrivningsdatum": "2023-03-01", "avslutsdatum": "2023-09-30", "avslutsorsak": "studier",
        "sysselsattning_fore": "ovriga", "sysselsattning_efter": "studier",
        "forsorjning_fore": "forsorjningsstod", "forsorjning_efter": "studiemedel",
        "omfattning_fore": "0", "omfattning_efter": "100", "samtycke": "true", "anonym": "false",
    }
    row.update(over)
    return row


SURVEY_COLS = ["respondent_id", "respondentgrupp", "forbund", "vag", "tidpunkt", "datum", "instrument",
               "formversion", "soc29_1", "soc29_2", "soc29_3"]


def survey_row(i: int, **over) -> dict:
    row = {"respondent_id": f"R{i}", "respondentgrupp": "deltagare", "forbund": "Norrdal", "vag": "1",
           "tidpunkt": "fore", "datum": "2024-02-01", "instrument": "soc29", "formversion": "sv1",
           "soc29_1": "4", "soc29_2": "7", "soc29_3": "1"}
    row.update(over)
    return row


SEG_COLS = ["segment_id", "session", "dokument", "talarroll", "kodare", "kod", "start", "slut", "text"]


def seg_row(i: int, **over) -> dict:
    row = {"segment_id": f"S{i}", "session": "FG1", "dokument": "fg1.txt", "talarroll": "deltagare",
           "kodare": "A", "kod": "tillit", "start": str(10 * i), "slut": str(10 * i + 8), "text": "Jag litar på dem"}
    row.update(over)
    return row


COST_COLS = ["post", "benamning", "aktor", "belopp_sek", "enhet", "prisar", "typ", "kalla"]


def cost_row(i: int, **over) -> dict:
    row = {"post": f"p{i}", "benamning": "Försörjningsstöd", "aktor": "kommun", "belopp_sek": "10500",
           "enhet": "manad", "prisar": "2024", "typ": "transferering", "kalla": "Socialstyrelsen"}
    row.update(over)
    return row


def write_csv(path, cols, rows, sep=",", encoding="utf-8", bom=False):
    buf = _io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")  # quotes cells holding the delimiter
    w.writerow(cols)
    for r in rows:
        w.writerow(["" if r.get(c) is None else str(r.get(c)) for c in cols])
    data = buf.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path, cols, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(cols)
    for r in rows:
        ws.append([r.get(c) for c in cols])
    wb.save(path)
    return path


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", KEY_HEX)


# ---------------------------------------------------------------------------------------------
# case builders: each returns (path, loader, [(row, column), ...] expected among the problems)


def c_wrong_delimiter(tmp):
    p = write_csv(tmp / "pipe.csv", EPI_COLS, [epi_row(1)], sep="|")
    return p, io.load_episodes, [("-", "episod_id|deltagare_id|forbund|insats|kon|fodelsear|fodd_i_sverige|"
                                       "utbildningsniva|inskrivningsdatum|avslutsdatum|avslutsorsak|sysselsattning_fore|"
                                       "sysselsattning_efter|forsorjning_fore|forsorjning_efter|omfattning_fore|"
                                       "omfattning_efter|samtycke|anonym"), ("-", "episod_id")]


def c_mapping_says_comma_but_file_is_semicolon(tmp):
    p = write_csv(tmp / "semi.csv", EPI_COLS, [epi_row(1)], sep=";")
    return p, (lambda path, strict=False: io.load_episodes(path, mapping={"read": {"delimiter": ","}},
                                                          strict=strict)), [("-", "inskrivningsdatum")]


def c_bom_bad_label(tmp):
    p = write_csv(tmp / "bom.csv", EPI_COLS, [epi_row(1), epi_row(2, kon="Q")], bom=True)
    return p, io.load_episodes, [(3, "kon")]


def c_decimal_comma_garbled(tmp):
    p = write_csv(tmp / "dec.csv", EPI_COLS, [epi_row(1, omfattning_fore="12,,5")], sep=";")
    return p, io.load_episodes, [(2, "omfattning_fore")]


def c_cp1252_swedish_header_bad_value(tmp):
    cols = ["Ärende-ID", "Deltagar-ID", "Förbund", "Insats", "Kön", "Födelseår", "Född i Sverige", "Utbildningsnivå",
            "Inskrivningsdatum", "Avslutsdatum", "Avslutsorsak", "Sysselsättning före", "Sysselsättning efter",
            "Försörjning före", "Försörjning efter", "Omfattning före", "Omfattning efter", "Samtycke", "Anonym"]
    rows = [dict(zip(cols, ["A1", "D1", "Söderå", "Team Work", "Kvinna", "1985", "Ja", "Gymnasial", "1.3.2023", "",
                            "", "Övriga", "", "Försörjningsstöd", "", "0", "", "Ja", "Nej"])),
            dict(zip(cols, ["A2", "D2", "Söderå", "Team Work", "Kvinna", "1985", "Kanske", "Gymnasial", "1.3.2023",
                            "", "", "Övriga", "", "Försörjningsstöd", "", "0", "", "Ja", "Nej"]))]
    p = write_csv(tmp / "cp.csv", cols, rows, sep=";", encoding="cp1252")
    return p, io.load_episodes, [(3, "Född i Sverige")]


def c_xlsx_date_serial_and_text(tmp):
    rows = [epi_row(1, inskrivningsdatum=45060, avslutsdatum=None, avslutsorsak=None, fodelsear=1985),
            epi_row(2, inskrivningsdatum="snart", avslutsdatum=None, avslutsorsak=None, fodelsear=1985)]
    p = write_xlsx(tmp / "serial.xlsx", EPI_COLS, rows)
    return p, io.load_episodes, [(3, "inskrivningsdatum")]


def c_xlsx_serial_before_inskrivning(tmp):
    # 45000 = 2023-03-15 (Excel 1900 system: 45000 days after 1899-12-30), before 2023-05-14
    rows = [epi_row(1, inskrivningsdatum=dt.datetime(2023, 5, 14), avslutsdatum=45000, fodelsear=1985)]
    p = write_xlsx(tmp / "serial2.xlsx", EPI_COLS, rows)
    return p, io.load_episodes, [(2, "avslutsdatum")]


def c_empty_file(tmp):
    p = tmp / "tom.csv"
    p.write_bytes(b"")
    return p, io.load_episodes, [(1, "-")]


def c_header_only(tmp):
    p = write_csv(tmp / "bara_rubrik.csv", EPI_COLS, [])
    return p, io.load_episodes, [(1, "-")]


def c_missing_column(tmp):
    cols = [c for c in EPI_COLS if c != "inskrivningsdatum"]
    p = write_csv(tmp / "saknas.csv", cols, [epi_row(1)])
    return p, io.load_episodes, [("-", "inskrivningsdatum")]


def c_unknown_category(tmp):
    p = write_csv(tmp / "kat.csv", EPI_COLS, [epi_row(1), epi_row(2), epi_row(3, utbildningsniva="doktor")])
    return p, io.load_episodes, [(4, "utbildningsniva")]


def c_unmapped_label_with_mapping(tmp):
    rows = [epi_row(1, kon="Kvinna"), epi_row(2, kon="Hen")]
    p = write_csv(tmp / "etikett.csv", EPI_COLS, rows)
    return p, (lambda path, strict=False: io.load_episodes(path, mapping={"values": {"kon": {"Kvinna": "kvinna"}}},
                                                          strict=strict)), [(3, "kon")]


def c_likert_out_of_range(tmp):
    p = write_csv(tmp / "soc8.csv", SURVEY_COLS, [survey_row(1), survey_row(2, soc29_2="8")])
    return p, io.load_survey, [(3, "soc29_2")]


def c_likert_zero(tmp):
    p = write_csv(tmp / "soc0.csv", SURVEY_COLS, [survey_row(1, soc29_1="0")])
    return p, io.load_survey, [(2, "soc29_1")]


def c_likert_non_numeric(tmp):
    p = write_csv(tmp / "sju.csv", SURVEY_COLS, [survey_row(1), survey_row(2), survey_row(3, soc29_3="sju")])
    return p, io.load_survey, [(4, "soc29_3")]


def c_likert_not_whole(tmp):
    p = write_csv(tmp / "halv.csv", SURVEY_COLS, [survey_row(1, soc29_3="3,5")], sep=";")
    return p, io.load_survey, [(2, "soc29_3")]


def c_nns_above_six(tmp):
    cols = SURVEY_COLS[:8] + ["nns_1U", "nns_8_1"]
    rows = [survey_row(1, instrument="nns", nns_1U="6", nns_8_1="5"),
            survey_row(2, instrument="nns", nns_1U="7", nns_8_1="5")]
    p = write_csv(tmp / "nns.csv", cols, rows)
    return p, io.load_survey, [(3, "nns_1U")]


def c_duplicate_ids(tmp):
    p = write_csv(tmp / "dubblett.csv", EPI_COLS, [epi_row(1), epi_row(2), epi_row(3, episod_id="E1")])
    return p, io.load_episodes, [(2, "episod_id"), (4, "episod_id")]


def c_duplicate_survey_key(tmp):
    p = write_csv(tmp / "dubbelsvar.csv", SURVEY_COLS, [survey_row(1), survey_row(1, soc29_1="5")])
    return p, io.load_survey, [(2, "respondent_id"), (3, "respondent_id")]


def c_duplicate_event(tmp):
    rows = [{"episod_id": "E1", "datum": "2023-05-14", "handelse": "samtycke"},
            {"episod_id": "E1", "datum": "14 maj 2023", "handelse": "Samtycke"}]
    p = write_csv(tmp / "handelser.csv", ["episod_id", "datum", "handelse"], rows)
    return p, io.load_events, [(2, "episod_id"), (3, "episod_id")]


def c_avslut_before_inskrivning(tmp):
    p = write_csv(tmp / "fore.csv", EPI_COLS, [epi_row(1, avslutsdatum="2023-02-28")])
    return p, io.load_episodes, [(2, "avslutsdatum")]


def c_implausible_age_young(tmp):
    # inskrivning 2023, född 2015: age 8 < 15
    p = write_csv(tmp / "ung.csv", EPI_COLS, [epi_row(1), epi_row(2, fodelsear="2015")])
    return p, io.load_episodes, [(3, "fodelsear")]


def c_implausible_age_old(tmp):
    # inskrivning 2023, född 1930: age 93 > 80
    p = write_csv(tmp / "gammal.csv", EPI_COLS, [epi_row(1, fodelsear="1930")])
    return p, io.load_episodes, [(2, "fodelsear")]


def c_bad_calendar_date(tmp):
    p = write_csv(tmp / "datum.csv", EPI_COLS, [epi_row(1, inskrivningsdatum="31/2/2023")])
    return p, io.load_episodes, [(2, "inskrivningsdatum")]


def c_bad_month_name(tmp):
    p = write_csv(tmp / "manad.csv", EPI_COLS, [epi_row(1, avslutsdatum="14 majj 2023")])
    return p, io.load_episodes, [(2, "avslutsdatum")]


def c_personnummer_in_free_text(tmp):
    p = write_csv(tmp / "segment.csv", SEG_COLS, [seg_row(1), seg_row(2, text="Ring mig, 811228-9874")])
    return p, io.load_segments, [(3, "text")]


def c_invalid_personnummer_in_id(tmp):
    cols = ["Personnummer"] + [c for c in EPI_COLS if c != "deltagare_id"]
    rows = [dict(epi_row(1), Personnummer="811228-9874"), dict(epi_row(2), Personnummer="811228-9875")]
    p = write_csv(tmp / "pnr.csv", cols, rows)
    return p, io.load_episodes, [(3, "Personnummer")]


def c_omfattning_over_100(tmp):
    p = write_csv(tmp / "omf.csv", EPI_COLS, [epi_row(1, omfattning_efter="120")])
    return p, io.load_episodes, [(2, "omfattning_efter")]


def c_unknown_forsorjning_in_multi(tmp):
    rows = [epi_row(1, forsorjning_fore="forsorjningsstod|lotteri")]
    p = write_csv(tmp / "multi.csv", EPI_COLS, rows)
    return p, io.load_episodes, [(2, "forsorjning_fore")]


def c_unknown_forsorjning_mapped_separator(tmp):
    rows = [epi_row(1, forsorjning_fore="Försörjningsstöd, A-kassa"), epi_row(2, forsorjning_fore="A-kassa, Arv")]
    p = write_csv(tmp / "multi2.csv", EPI_COLS, rows, sep=";")
    return p, (lambda path, strict=False: io.load_episodes(path, mapping={"multi": {"forsorjning_fore": ", "}},
                                                          strict=strict)), [(3, "forsorjning_fore")]


def c_segment_slut_before_start(tmp):
    p = write_csv(tmp / "seg.csv", SEG_COLS, [seg_row(1, start="40", slut="12")])
    return p, io.load_segments, [(2, "slut")]


def c_unit_cost_unknown_actor(tmp):
    p = write_csv(tmp / "kost.csv", COST_COLS, [cost_row(1), cost_row(2, aktor="Kyrkan")])
    return p, io.load_unit_costs, [(3, "aktor")]


def c_unit_cost_not_a_number(tmp):
    p = write_csv(tmp / "kost2.csv", COST_COLS, [cost_row(1, belopp_sek="gratis")], sep=";")
    return p, io.load_unit_costs, [(2, "belopp_sek")]


def c_unit_cost_price_year(tmp):
    p = write_csv(tmp / "kost3.csv", COST_COLS, [cost_row(1, prisar="1850")])
    return p, io.load_unit_costs, [(2, "prisar")]


def c_xlsx_extra_columns(tmp):
    cols = EPI_COLS + ["Handläggare", "Kommentar"]
    rows = [dict(epi_row(1, fodelsear=1985), Handläggare="Eva", Kommentar="ok"),
            dict(epi_row(2, fodelsear=1985, kon="Okänt kön"), Handläggare="Eva", Kommentar="")]
    p = write_xlsx(tmp / "extra.xlsx", cols, rows)
    return p, io.load_episodes, [(3, "kon")]


def c_parquet_wrong_dtype(tmp):
    df = pd.DataFrame([epi_row(1), epi_row(2, fodelsear="nittonåttio")])
    p = tmp / "fel.parquet"
    df.to_parquet(p)
    return p, io.load_episodes, [(3, "fodelsear")]


def c_not_whole_birth_year(tmp):
    p = write_csv(tmp / "ar.csv", EPI_COLS, [epi_row(1, fodelsear="1980,5")], sep=";")
    return p, io.load_episodes, [(2, "fodelsear")]


def c_not_boolean(tmp):
    p = write_csv(tmp / "bool.csv", EPI_COLS, [epi_row(1), epi_row(2, anonym="kanske")])
    return p, io.load_episodes, [(3, "anonym")]


def c_required_value_missing(tmp):
    p = write_csv(tmp / "tomt_id.csv", EPI_COLS, [epi_row(1), epi_row(2, deltagare_id="")])
    return p, io.load_episodes, [(3, "deltagare_id")]


def c_orsak_on_open_episode(tmp):
    p = write_csv(tmp / "oppen.csv", EPI_COLS, [epi_row(1, avslutsdatum="")])
    return p, io.load_episodes, [(2, "avslutsorsak")]


def c_ragged_row(tmp):
    p = tmp / "ragged.csv"
    lines = [",".join(EPI_COLS), ",".join(epi_row(1).values()), ",".join(epi_row(2).values()) + ",extra"]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p, io.load_episodes, [(3, "-")]


def c_unknown_event(tmp):
    rows = [{"episod_id": "E1", "datum": "2023-05-14", "handelse": "fika"}]
    p = write_csv(tmp / "h2.csv", ["episod_id", "datum", "handelse"], rows)
    return p, io.load_events, [(2, "handelse")]


def c_unknown_respondent_group(tmp):
    p = write_csv(tmp / "grupp.csv", SURVEY_COLS, [survey_row(1), survey_row(2, respondentgrupp="grannar")])
    return p, io.load_survey, [(3, "respondentgrupp")]


def c_reported_unknown_provenance(tmp):
    rows = [{"kalla": "002", "tabell": "T6", "matt": "andel", "proveniens": "gissat", "varde": "12,4"}]
    p = write_csv(tmp / "rapp.csv", ["kalla", "tabell", "matt", "proveniens", "varde"], rows, sep=";")
    return p, io.load_reported, [(2, "proveniens")]


CASES = [v for k, v in sorted(globals().items()) if k.startswith("c_")]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__[2:] for c in CASES])
def test_problem_names_file_row_and_column(case, tmp_path):
    path, loader, expected = case(tmp_path)
    try:
        result = loader(path)
    except io.EmptyFileError as exc:  # non-strict import of an empty file still reports
        pytest.fail(f"non-strict import raised {exc}")
    report = result.report
    assert report.rows_read == report.rows_accepted + report.rows_rejected
    probs = report.problems
    assert (probs["file"] == str(path)).all()
    found = set(zip(probs["row"], probs["column"]))
    for row, column in expected:
        assert (row, column) in found, f"expected problem at row {row}, column {column}; got {sorted(found, key=str)}"

    with pytest.raises(io.ImportValidationError) as err:
        loader(path, strict=True)
    msg = str(err.value)
    assert str(path) in msg
    for row, column in expected:
        assert f"rad {row}, kolumn {column}," in msg


@pytest.mark.parametrize("case", CASES, ids=[c.__name__[2:] for c in CASES])
def test_no_full_personnummer_in_report_or_data(case, tmp_path):
    path, loader, _ = case(tmp_path)
    data, report = loader(path)
    text = report.summary() + report.problems.to_csv() + data.astype(str).to_csv()
    for pnr in ("811228-9874", "8112289874", "811228-9875"):
        assert pnr not in text


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30


def test_every_rejected_row_is_named_in_problems(tmp_path):
    path, loader, _ = c_duplicate_ids(tmp_path)
    data, report = loader(path)
    # 3 rows: rows 2 and 4 share E1 and are both rejected, row 3 (E2) is accepted
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (3, 1, 2)
    assert data["episod_id"].tolist() == ["E2"]
    assert set(report.problems["row"]) == {2, 4}
    reasons = report.problems.set_index("row")["reason"]
    assert "också på rad 4" in reasons[2] and "också på rad 2" in reasons[4]


def test_strict_lists_all_problems_not_just_the_first(tmp_path):
    rows = [epi_row(1, kon="Q"), epi_row(2, omfattning_fore="300"), epi_row(3, inskrivningsdatum="igår")]
    path = write_csv(tmp_path / "tre.csv", EPI_COLS, rows)
    with pytest.raises(io.ImportValidationError) as err:
        io.load_episodes(path, strict=True)
    msg = str(err.value)
    assert "rad 2, kolumn kon" in msg
    assert "rad 3, kolumn omfattning_fore" in msg
    assert "rad 4, kolumn inskrivningsdatum" in msg
    assert len(err.value.report.problems) == 3


def test_invalid_personnummer_is_masked_in_report(tmp_path):
    path, loader, _ = c_invalid_personnummer_in_id(tmp_path)
    report = loader(path).report
    value = report.problems.set_index(["row", "column"]).loc[(3, "Personnummer"), "value"]
    assert value == "******-****"


def test_personnummer_in_free_text_is_masked_and_row_kept(tmp_path):
    path, loader, _ = c_personnummer_in_free_text(tmp_path)
    data, report = loader(path)
    assert report.rows_accepted == 2
    assert data.loc[1, "text"] == "Ring mig, ******-****"
    reason = report.problems.set_index("row").loc[3, "reason"]
    assert "måste tas bort" in reason


def test_unmapped_label_is_listed_and_row_rejected(tmp_path):
    path, loader, _ = c_unmapped_label_with_mapping(tmp_path)
    data, report = loader(path)
    assert report.unmapped_labels == {"kon": ["Hen"]}
    assert data["episod_id"].tolist() == ["E1"]
    assert "'Hen'" in report.problems.set_index("row").loc[3, "reason"]


def test_xlsx_extra_columns_are_reported_not_imported(tmp_path):
    path, loader, _ = c_xlsx_extra_columns(tmp_path)
    data, report = loader(path)
    assert report.unmapped_columns == ["Handläggare", "Kommentar"]
    assert "Handläggare" not in data.columns and "Kommentar" not in data.columns
    assert report.unmapped_labels == {"kon": ["Okänt kön"]}


def test_empty_file_strict_error_names_the_file(tmp_path):
    path, loader, _ = c_empty_file(tmp_path)
    with pytest.raises(io.EmptyFileError, match="tom.csv"):
        loader(path, strict=True)
    data, report = loader(path)
    assert report.rows_read == 0 and "tom" in report.problems.loc[0, "reason"]
    assert list(data.columns) == EPI_COLS
