"""Hostile and real-world files: no traceback, every line accounted for, each problem named.

Each case writes one file the way a tool or a careless hand would (UTF-16 from Excel's "Unicode
text", CR-only line ends, broken quotes, encrypted or multi-sheet workbooks, Parquet list columns,
SPSS/Stata with labels) and states what the import report must say: the row (header = line 1,
Excel row numbers for XLSX, record + 1 for Parquet/SPSS), the column and a fragment of the Swedish
reason, plus rows read / accepted where they are known from the file's layout.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io as _io

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest

from evaluation import io, readers

KEY_HEX = "3e9d0f6a1c57b2e48d21a9f0c6b35e7d4a08f1c29e6b73d5a1f04c8e2b97d61a"
REF = "2026-06-30"  # reference date of the sane date range: dates up to 2027-06-30

EPI_COLS = [
    "episod_id", "deltagare_id", "forbund", "insats", "kon", "fodelsear", "fodd_i_sverige", "utbildningsniva",
    "inskrivningsdatum", "avslutsdatum", "avslutsorsak", "sysselsattning_fore", "sysselsattning_efter",
    "forsorjning_fore", "forsorjning_efter", "omfattning_fore", "omfattning_efter", "samtycke", "anonym",
]
SEG_COLS = ["segment_id", "session", "dokument", "talarroll", "kodare", "kod", "start", "slut", "text"]
SURVEY_COLS = ["respondent_id", "respondentgrupp", "forbund", "vag", "tidpunkt", "datum", "instrument",
               "formversion", "soc29_1", "soc29_2", "soc29_3"]


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


def seg_row(i: int, **over) -> dict:
    row = {"segment_id": f"S{i}", "session": "FG1", "dokument": "fg1.txt", "talarroll": "deltagare",
           "kodare": "A", "kod": "tillit", "start": str(10 * i), "slut": str(10 * i + 8), "text": "Jag litar på dem"}
    row.update(over)
    return row


def survey_row(i: int, **over) -> dict:
    row = {"respondent_id": f"R{i}", "respondentgrupp": "deltagare", "forbund": "Norrdal", "vag": "1",
           "tidpunkt": "fore", "datum": "2024-02-01", "instrument": "soc29", "formversion": "sv1",
           "soc29_1": "4", "soc29_2": "7", "soc29_3": "1"}
    row.update(over)
    return row


def csv_text(cols, rows, sep=",", newline="\n") -> str:
    buf = _io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator=newline)
    w.writerow(cols)
    for r in rows:
        w.writerow(["" if r.get(c) is None else str(r.get(c)) for c in cols])
    return buf.getvalue()


def write_csv(path, cols, rows, sep=",", encoding="utf-8", newline="\n"):
    path.write_bytes(csv_text(cols, rows, sep, newline).encode(encoding))
    return path


def write_xlsx(path, cols, rows, title_rows=(), sheets=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Episoder"
    for t in title_rows:
        ws.append(t)
    ws.append(cols)
    for r in rows:
        ws.append([r.get(c) for c in cols])
    for name in sheets or []:
        wb.create_sheet(name).append(["x"])
    wb.save(path)
    return path


def typed(row: dict) -> dict:
    """An episode row with Excel types (numbers, dates) instead of text."""
    out = dict(row)
    out["fodelsear"] = int(row["fodelsear"])
    out["omfattning_fore"], out["omfattning_efter"] = float(row["omfattning_fore"]), float(row["omfattning_efter"])
    return out


def luhn_pnr(yymmdd: str, serial: str) -> str:
    """A valid 10-digit personnummer (Luhn check digit over the 9 digits; Skatteverket SKV 704)."""
    digits = yymmdd + serial
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return digits + str((10 - total % 10) % 10)


def pseudonym(pnr12: str) -> str:
    """The keyed pseudonym of a 12-digit personnummer, worked out here (HMAC-SHA256, 16 hex)."""
    return "D-" + hmac.new(bytes.fromhex(KEY_HEX), pnr12.encode(), hashlib.sha256).hexdigest()[:16]


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", KEY_HEX)


def load_epi(path, **kw):
    return io.load_episodes(path, reference_date=REF, **kw)


# ---------------------------------------------------------------------------------------------
# cases: each returns (path, loader, expected problems [(row, column, fragment)], (read, accepted) or None)


def h_unparseable_date_with_age_check(tmp):
    rows = [epi_row(i) for i in range(1, 6)]
    rows[2]["inskrivningsdatum"] = "snart"  # row 4: the age check must not crash on NaT
    p = write_csv(tmp / "datum.csv", EPI_COLS, rows)
    return p, load_epi, [(4, "inskrivningsdatum", "inte ett datum")], (5, 4)


def h_unparseable_date_and_missing_birth_year(tmp):
    rows = [epi_row(1), epi_row(2, fodelsear="", inskrivningsdatum="2023-13-45")]
    p = write_csv(tmp / "datum2.csv", EPI_COLS, rows)
    return p, load_epi, [(3, "inskrivningsdatum", "inte ett datum")], (2, 1)


def h_date_9999(tmp):
    p = write_csv(tmp / "d9999.csv", EPI_COLS, [epi_row(1), epi_row(2, avslutsdatum="9999-12-31")])
    return p, load_epi, [(3, "avslutsdatum", "utanför det rimliga intervallet 1900-01-01–2027-06-30")], (2, 1)


def h_date_year_one(tmp):
    p = write_csv(tmp / "d0001.csv", EPI_COLS, [epi_row(1, inskrivningsdatum="0001-01-01"), epi_row(2)])
    return p, load_epi, [(2, "inskrivningsdatum", "utanför det rimliga intervallet")], (2, 1)


def h_date_before_1900(tmp):
    p = write_csv(tmp / "d1850.csv", EPI_COLS, [epi_row(1, avslutsdatum="1850-01-01")])
    return p, load_epi, [(2, "avslutsdatum", "utanför det rimliga intervallet")], (1, 0)


def h_lone_year_in_text_date(tmp):
    p = write_csv(tmp / "ar.csv", EPI_COLS, [epi_row(1, inskrivningsdatum="2023"), epi_row(2)])
    return p, load_epi, [(2, "inskrivningsdatum", "ett ensamt årtal är inget datum")], (2, 1)


def h_serial_in_text_date(tmp):
    p = write_csv(tmp / "serie.csv", EPI_COLS, [epi_row(1), epi_row(2, avslutsdatum="45060")])
    return p, load_epi, [(3, "avslutsdatum", "Excel-serienummer")], (2, 1)


def h_xlsx_serial_out_of_range(tmp):
    rows = [typed(epi_row(1, inskrivningsdatum=dt.datetime(2023, 3, 1))), typed(epi_row(2))]
    rows[1]["inskrivningsdatum"] = 3_000_000  # beyond Excel's last date 9999-12-31 (serial 2958465)
    p = write_xlsx(tmp / "serie.xlsx", EPI_COLS, rows)
    return p, load_epi, [(3, "inskrivningsdatum", "inte ett datum")], (2, 1)


def h_duplicate_episode(tmp):
    rows = [epi_row(1), epi_row(2), epi_row(3, deltagare_id="D1")]  # rows 2 and 4: D1, Team Work, 2023-03-01
    p = write_csv(tmp / "dubbel.csv", EPI_COLS, rows)
    return p, load_epi, [(2, "deltagare_id", "dubblettepisod"), (4, "deltagare_id", "dubblettepisod")], (3, 1)


def h_utf16_tab_excel_unicode_text(tmp):
    text = csv_text(EPI_COLS, [epi_row(1), epi_row(2, kon="Q")], sep="\t", newline="\r\n")
    p = tmp / "unicode.txt"
    p.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    return p, load_epi, [(3, "kon", "finns inte i vokabulären kon")], (2, 1)


def h_utf16_le_no_bom_lf(tmp):
    text = csv_text(EPI_COLS, [epi_row(1, forbund="Söderå"), epi_row(2, omfattning_fore="tolv")], sep="\t")
    p = tmp / "utf16le.csv"
    p.write_bytes(text.encode("utf-16-le"))
    return p, load_epi, [(3, "omfattning_fore", "inte ett tal")], (2, 1)


def h_utf16_be_bom(tmp):
    text = csv_text(EPI_COLS, [epi_row(1), epi_row(2, anonym="kanske")], sep=";")
    p = tmp / "utf16be.csv"
    p.write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    return p, load_epi, [(3, "anonym", "ja/nej")], (2, 1)


def h_cr_only_line_ends(tmp):
    p = write_csv(tmp / "mac.csv", EPI_COLS, [epi_row(1), epi_row(2), epi_row(3, kon="Q")], newline="\r")
    return p, load_epi, [(4, "kon", "finns inte i vokabulären")], (3, 2)


def h_unclosed_quote_at_end(tmp):
    text = csv_text(EPI_COLS, [epi_row(1), epi_row(2)]) + ",".join(epi_row(3).values()).replace("E3", '"E3', 1) + "\n"
    p = tmp / "oppet_slut.csv"
    p.write_text(text, encoding="utf-8")
    return p, load_epi, [(4, "-", "stängs aldrig")], (3, 2)


def h_unclosed_quote_in_middle(tmp):
    rows = [epi_row(i, forsorjning_fore="forsorjningsstod|a_kassa") for i in range(1, 61)]
    lines = csv_text(EPI_COLS, rows).splitlines()
    lines[10] = lines[10].replace("E10", '"E10', 1)  # line 11 opens a quote it never closes
    lines[40] = lines[40].replace("Team Work", 'Team "Work', 1)  # line 41: an odd quote far below
    p = tmp / "oppet_mitt.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p, load_epi, [(11, "-", "citattecken"), (41, "-", "citattecken")], (60, 58)


def h_big_cell_with_quoted_newline(tmp):
    big = "Jag säger " + "mycket " * 20_000 + "\noch sedan lite till"  # > 128 KB with a line break
    rows = [seg_row(1), seg_row(2, text=big), seg_row(3, kod="")]
    p = write_csv(tmp / "stor.csv", SEG_COLS, rows)
    return p, io.load_segments, [(5, "kod", "obligatoriskt värde saknas")], (3, 2)


def h_quoted_newline_is_one_row(tmp):
    rows = [seg_row(1, text="rad ett\nrad två"), seg_row(2), seg_row(3, slut="1")]
    p = write_csv(tmp / "radbrytning.csv", SEG_COLS, rows)
    # line 2-3 is row 1 (a quoted line break), line 4 row 2, line 5 row 3 (slut before start)
    return p, io.load_segments, [(5, "slut", "slut före start")], (3, 2)


def h_too_few_fields(tmp):
    lines = csv_text(EPI_COLS, [epi_row(1), epi_row(2), epi_row(3)]).splitlines()
    lines[2] = ",".join(lines[2].split(",")[:-3])  # line 3 lost its last three fields
    p = tmp / "kort.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p, load_epi, [(3, "-", "16 fält men rubrikraden 19")], (3, 2)


def h_whitespace_line_is_blank(tmp):
    lines = csv_text(EPI_COLS, [epi_row(1), epi_row(2), epi_row(3, kon="?")]).splitlines()
    lines.insert(2, "   ")  # line 3 is blank (spaces): not a row; the bad kon moves to line 5
    p = tmp / "blank.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p, load_epi, [(5, "kon", "finns inte i vokabulären")], (3, 2)


def h_header_with_open_quote(tmp):
    p = tmp / "rubrik.csv"
    p.write_text('episod_id,"datum,handelse\nE1,2023-05-14,samtycke\n', encoding="utf-8")
    return p, io.load_events, [(1, "-", "rubrikraden har ett citattecken")], (0, 0)


def h_nul_bytes_in_utf8(tmp):
    text = csv_text(["episod_id", "datum", "handelse"], [{"episod_id": "E1", "datum": "2023-05-14",
                                                          "handelse": "samtycke"},
                                                         {"episod_id": "E2", "datum": "2023-05-14",
                                                          "handelse": "fi\x00ka"}])
    p = tmp / "nul.csv"
    p.write_text(text, encoding="utf-8")
    return p, io.load_events, [(3, "handelse", "finns inte i vokabulären")], (2, 1)


def h_double_encoded_header(tmp):
    cols = ["Ärende-ID", "Datum", "Händelse"]
    text = csv_text(cols, [{"Ärende-ID": "E1", "Datum": "2023-05-14", "Händelse": "Samtycke"}], sep=";")
    p = tmp / "dubbelkodad.csv"
    p.write_bytes(text.encode("utf-8").decode("cp1252").encode("utf-8"))  # UTF-8 read as cp1252, saved again
    return p, io.load_events, [(1, "-", "kodats två gånger"), ("-", "episod_id", "obligatorisk kolumn")], (1, 0)


def h_binary_garbage_as_csv(tmp):
    p = tmp / "skrap.csv"
    p.write_bytes(bytes(range(256)) * 8)
    return p, io.load_events, [("-", "episod_id", "obligatorisk kolumn")], None


def h_xlsx_saved_as_csv(tmp):
    x = write_xlsx(tmp / "x.xlsx", EPI_COLS, [typed(epi_row(1)), typed(epi_row(2, kon="?"))])
    p = tmp / "egentligen_excel.csv"
    p.write_bytes(x.read_bytes())
    return p, load_epi, [(3, "kon", "finns inte i vokabulären")], (2, 1)


def h_truncated_xlsx(tmp):
    x = write_xlsx(tmp / "hel.xlsx", EPI_COLS, [typed(epi_row(1))])
    p = tmp / "trasig.xlsx"
    p.write_bytes(x.read_bytes()[:700])
    return p, load_epi, [("-", "-", "kunde inte läsas som Excel-arbetsbok")], (0, 0)


def h_encrypted_xlsx(tmp):
    # what Excel writes for "Encrypt with password": an OLE2 compound file holding an
    # "EncryptedPackage" stream (MS-OFFCRYPTO 2.3.4.4); header and directory name are enough here
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    entry = "EncryptedPackage".encode("utf-16-le") + b"\x00\x00"
    p = tmp / "losenord.xlsx"
    p.write_bytes(head + entry.ljust(128, b"\x00") + b"\x00" * 4096)
    return p, load_epi, [("-", "-", "lösenordsskyddad")], (0, 0)


def h_xlsx_several_sheets_unnamed(tmp):
    p = write_xlsx(tmp / "flera.xlsx", EPI_COLS, [typed(epi_row(1))], sheets=["Instruktioner"])
    return p, load_epi, [("-", "-", "2 blad ('Episoder', 'Instruktioner')")], (0, 0)


def h_xlsx_unknown_sheet(tmp):
    p = write_xlsx(tmp / "blad.xlsx", EPI_COLS, [typed(epi_row(1))], sheets=["Instruktioner"])
    return p, (lambda path, strict=False: load_epi(path, sheet="Data", strict=strict)), \
        [("-", "-", "bladet 'Data' finns inte")], (0, 0)


def h_xlsx_title_rows_without_header_row(tmp):
    p = write_xlsx(tmp / "titel.xlsx", EPI_COLS, [typed(epi_row(1))], title_rows=[["Export från Procapita"], []])
    # read from the title row: the real header (row 3) and the data row (row 4) become 2 rejected rows
    return p, load_epi, [(1, "-", "ange header_row: 3"), ("-", "episod_id", "obligatorisk kolumn")], (2, 0)


def h_xlsx_title_rows_with_header_row(tmp):
    rows = [typed(epi_row(1)), typed(epi_row(2, utbildningsniva="doktor"))]
    p = write_xlsx(tmp / "titel2.xlsx", EPI_COLS, rows, title_rows=[["Export från Procapita"], []])
    # header on Excel row 3: data rows are Excel rows 4 and 5
    return p, (lambda path, strict=False: load_epi(path, header_row=3, strict=strict)), \
        [(5, "utbildningsniva", "finns inte i vokabulären")], (2, 1)


def h_xlsx_merged_cells(tmp):
    rows = [typed(epi_row(i)) for i in range(1, 5)]
    p = write_xlsx(tmp / "sammanfogad.xlsx", EPI_COLS, rows)
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    ws["D3"] = None
    ws["D4"] = None
    ws.merge_cells("D2:D4")  # insats written once for rows 2-4
    wb.save(p)
    return p, load_epi, [(3, "insats", "sammanfogad cell (D2:D4)"), (4, "insats", "sammanfogad cell (D2:D4)")], (4, 2)


def h_xlsx_numeric_pnr_lost_leading_zero(tmp):
    pnr = luhn_pnr("050314", "123")  # born 2005: stored as a number, the leading 0 is gone
    cols = ["Personnummer"] + EPI_COLS[:1] + EPI_COLS[2:]
    rows = [dict(typed(epi_row(1)), Personnummer=int(pnr), fodelsear=2005, inskrivningsdatum=dt.datetime(2023, 3, 1)),
            dict(typed(epi_row(2)), Personnummer=1234567, fodelsear=1985)]
    p = write_xlsx(tmp / "pnr.xlsx", cols, rows)
    return p, load_epi, [(3, "Personnummer", "inte ett giltigt personnummer")], (2, 1)


def h_parquet_list_column_mapped(tmp):
    df = pd.DataFrame([epi_row(1), epi_row(2)])
    df["forsorjning_fore"] = [["forsorjningsstod", "a_kassa"], ["lon"]]
    p = tmp / "lista.parquet"
    df.to_parquet(p)
    return p, load_epi, [("-", "forsorjning_fore", "innehåller listor")], (2, 0)


def h_parquet_list_column_unmapped(tmp):
    df = pd.DataFrame([epi_row(1), epi_row(2, kon="?")])
    df["taggar"] = [["a"], ["b", "c"]]
    p = tmp / "lista2.parquet"
    df.to_parquet(p)
    return p, load_epi, [("-", "taggar", "innehåller listor"), (3, "kon", "finns inte i vokabulären")], (2, 1)


def h_parquet_year_9999(tmp):
    df = pd.DataFrame([epi_row(1), epi_row(2)]).drop(columns=["avslutsdatum"])
    tbl = pa.Table.from_pandas(df, preserve_index=False).append_column(
        "avslutsdatum", pa.array([dt.datetime(2023, 9, 30), dt.datetime(9999, 12, 31)], pa.timestamp("us")))
    p = tmp / "9999.parquet"
    pq.write_table(tbl, p)
    return p, load_epi, [(3, "avslutsdatum", "utanför det rimliga intervallet")], (2, 1)


def h_corrupt_parquet(tmp):
    p = tmp / "trasig.parquet"
    p.write_bytes(b"PAR1" + b"\x00" * 100)
    return p, load_epi, [("-", "-", "kunde inte läsas som Parquet")], (0, 0)


def h_corrupt_sav(tmp):
    p = tmp / "trasig.sav"
    p.write_bytes(b"$FL2" + b"\x01" * 200)
    return p, io.load_survey, [("-", "-", "kunde inte läsas som SPSS-fil")], (0, 0)


def h_corrupt_dta(tmp):
    p = tmp / "trasig.dta"
    p.write_bytes(b"<stata_dta><header>" + b"\x07" * 100)
    return p, io.load_survey, [("-", "-", "kunde inte läsas som Stata-fil")], (0, 0)


def h_huge_number_in_int_column(tmp):
    p = write_csv(tmp / "stort.csv", EPI_COLS, [epi_row(1, fodelsear="1e30"), epi_row(2)])
    return p, load_epi, [(2, "fodelsear", "orimligt stort")], (2, 1)


def h_derive_unknown_column(tmp):
    p = write_csv(tmp / "derive.csv", EPI_COLS, [epi_row(1)])
    m = {"derive": {"episod_id": "{personid}-{insats}"}}
    return p, (lambda path, strict=False: load_epi(path, mapping=m, strict=strict)), \
        [("-", "episod_id", "derive")], (1, 0)


def h_duplicate_headers(tmp):
    cols = ["episod_id", "datum", "handelse", "handelse"]
    p = tmp / "dubbelrubrik.csv"
    p.write_text("episod_id,datum,handelse,handelse\nE1,2023-05-14,samtycke,fika\nE1,2023-05-15,hm,x\n",
                 encoding="utf-8")
    del cols
    return p, io.load_events, [(3, "handelse", "finns inte i vokabulären")], (2, 1)


def h_excel_error_cells(tmp):
    rows = [typed(epi_row(1)), typed(epi_row(2))]
    rows[1]["inskrivningsdatum"] = "#N/A"
    p = write_xlsx(tmp / "fel.xlsx", EPI_COLS, rows)
    return p, load_epi, [(3, "inskrivningsdatum", "obligatoriskt värde saknas")], (2, 1)


def h_mapping_missing_codes(tmp):
    rows = [survey_row(1, soc29_1="9"), survey_row(2, soc29_2="99"), survey_row(3, soc29_3="8")]
    p = write_csv(tmp / "saknas.csv", SURVEY_COLS, rows)
    m = {"missing": [9, 99]}
    return p, (lambda path, strict=False: io.load_survey(path, mapping=m, strict=strict)), \
        [(4, "soc29_3", "utanför svarsskalan 1–7")], (3, 2)


def h_pnr_column_for_unit_costs(tmp):
    p = tmp / "pnr_k.csv"
    p.write_text("post,benamning,aktor,belopp_sek,enhet,prisar,typ,kalla,personnummer\n"
                 "fbs,Försörjningsstöd,kommun,10500,manad,2024,transferering,SoS,811228-9874\n", encoding="utf-8")
    return p, io.load_unit_costs, [("-", "personnummer", "kan inte importeras som enhetskostnader")], (1, 0)


def h_events_without_episode_id_get_it_by_the_rule(tmp):
    # an events sheet keyed by personnummer, insats and start (no episode id): the mapping builds it
    p = tmp / "handelser_pnr.csv"
    p.write_text("Personnr;Insats;Start;Händelse;Datum\n811228-9874;Team Work;2023-03-01;Första möte;2023-03-08\n"
                 "811228-9875;Team Work;2023-03-01;Samtycke;2023-03-01\n", encoding="utf-8")
    m = {"columns": {"Personnr": "personnummer", "Insats": "insats", "Start": "inskrivningsdatum",
                     "Händelse": "handelse", "Datum": "datum"},
         "derive": {"episod_id": "{deltagare_id}/{insats}/{inskrivningsdatum}"}}
    return p, (lambda path, strict=False: io.load_events(path, mapping=m, strict=strict)), \
        [(3, "Personnr", "inte ett giltigt personnummer")], (2, 1)


CASES = [v for k, v in sorted(globals().items()) if k.startswith("h_")]


def test_there_are_at_least_forty_hostile_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.__name__[2:] for c in CASES])
def test_hostile_file_is_reported_not_raised(case, tmp_path):
    path, loader, expected, counts = case(tmp_path)
    data, report = loader(path)  # never raises on content
    assert report.rows_read == report.rows_accepted + report.rows_rejected == len(data) + report.rows_rejected
    if report.format == "csv":
        assert report.lines_read >= report.rows_read
    probs = report.problems
    assert (probs["file"] == str(path)).all()
    for row, column, fragment in expected:
        hit = probs[(probs["row"] == row) & (probs["column"] == column)]
        assert len(hit), f"no problem at row {row}, column {column}: {probs[['row', 'column', 'reason']].values.tolist()}"
        assert hit["reason"].str.contains(fragment, regex=False).any(), (fragment, hit["reason"].tolist())
    if counts is not None:
        assert (report.rows_read, report.rows_accepted) == counts
    rejected_rows = set(probs["row"]) - {"-"}
    assert report.rows_rejected == 0 or "-" in set(probs["row"]) or rejected_rows  # every rejection has a reason
    with pytest.raises(io.ImportValidationError) as err:
        loader(path, strict=True)
    msg = str(err.value)
    for row, column, fragment in expected:
        assert f"rad {row}, kolumn {column}," in msg and fragment in msg


# ---------------------------------------------------------------------------------------------
# detail checks on some of the cases


def test_unclosed_quote_in_middle_costs_only_its_lines(tmp_path):
    path, loader, _, _ = h_unclosed_quote_in_middle(tmp_path)
    data, report = loader(path)
    # 60 data lines: line 11 (E10) and line 41 (E40) rejected, the other 58 episodes accepted
    assert report.lines_read == 60 and report.rows_read == 60
    assert sorted(set(range(1, 61)) - {int(e[1:]) for e in data["episod_id"]}) == [10, 40]
    assert set(report.problems["row"]) == {11, 41}


def test_quoted_newline_keeps_its_text_and_line_accounting(tmp_path):
    path, loader, _, _ = h_quoted_newline_is_one_row(tmp_path)
    data, report = loader(path)
    assert data.loc[0, "text"] == "rad ett\nrad två"
    assert report.lines_read == 4 and report.rows_read == 3  # 4 physical lines, 3 rows


def test_big_cell_survives_whole(tmp_path):
    path, loader, _, _ = h_big_cell_with_quoted_newline(tmp_path)
    data, report = loader(path)
    text = data.set_index("segment_id").loc["S2", "text"]
    assert len(text.encode("utf-8")) > 128 * 1024 and text.endswith("och sedan lite till")


def test_encodings_are_reported(tmp_path):
    assert load_epi(h_utf16_tab_excel_unicode_text(tmp_path)[0]).report.encoding == "utf-16"
    assert load_epi(h_utf16_le_no_bom_lf(tmp_path)[0]).report.encoding == "utf-16-le"
    assert load_epi(h_utf16_be_bom(tmp_path)[0]).report.encoding == "utf-16"
    p = write_csv(tmp_path / "cp.csv", EPI_COLS, [epi_row(1, forbund="Söderå")], encoding="cp1252")
    data, report = load_epi(p)
    assert report.encoding == "cp1252" and data.loc[0, "forbund"] == "Söderå"
    data, report = load_epi(h_utf16_le_no_bom_lf(tmp_path)[0])
    assert data.loc[0, "forbund"] == "Söderå"
    assert "teckenkodning utf-16-le" in report.summary()


def test_numeric_personnummer_gets_its_leading_zero_back(tmp_path):
    path, loader, _, _ = h_xlsx_numeric_pnr_lost_leading_zero(tmp_path)
    data, report = loader(path)
    pnr = luhn_pnr("050314", "123")
    assert data["deltagare_id"].tolist() == [pseudonym("20" + pnr)]
    assert any("inledande nolla" in n for n in report.notes)
    p = tmp_path / "pnr.parquet"
    df = pd.DataFrame([epi_row(1, fodelsear="2005")]).drop(columns=["deltagare_id"])
    df["personnummer"] = np.int64(int(pnr))
    df.to_parquet(p)
    data, report = load_epi(p)
    assert report.rows_accepted == 1 and data.loc[0, "deltagare_id"] == pseudonym("20" + pnr)


def test_sheet_by_name_and_title_rows(tmp_path):
    p = write_xlsx(tmp_path / "flera.xlsx", EPI_COLS, [typed(epi_row(1))], sheets=["Instruktioner"])
    data, report = load_epi(p, sheet="Episoder")
    assert report.rows_accepted == 1 and report.sheet == "Episoder"
    data, report = load_epi(p, mapping={"read": {"sheet": "Episoder"}})
    assert report.rows_accepted == 1


def test_dates_in_range_are_configurable(tmp_path):
    p = write_csv(tmp_path / "d.csv", EPI_COLS, [epi_row(1, inskrivningsdatum="2023-03-01")])
    report = io.load_episodes(p, date_range=("2024-01-01", "2030-12-31")).report
    assert report.rows_accepted == 0 and "2024-01-01–2030-12-31" in report.problems.loc[0, "reason"]
    assert io.load_episodes(p, mapping={"read": {"date_range": ["2020-01-01", None]}}).report.rows_accepted == 1


def test_missing_codes_are_missing_not_scored(tmp_path):
    path, loader, _, _ = h_mapping_missing_codes(tmp_path)
    data, report = loader(path)
    assert np.isnan(data.loc[0, "soc29_1"]) and np.isnan(data.loc[1, "soc29_2"])
    assert report.missing_codes == {"soc29_1": {"9": 1}, "soc29_2": {"99": 1}}


def test_events_episode_id_matches_the_episodes_rule(tmp_path):
    path, loader, _, _ = h_events_without_episode_id_get_it_by_the_rule(tmp_path)
    data, _ = loader(path)
    assert data["episod_id"].tolist() == [f"{pseudonym('198112289874')}/Team Work/2023-03-01"]
    assert data["handelse"].tolist() == ["forsta_mote"]


def test_sniff_format_and_detect_encoding():
    assert readers.detect_encoding("a;b\n".encode("utf-16-be"))[1] == "utf-16-be"
    assert readers.detect_encoding(b"\xef\xbb\xbfa;b\n") == ("a;b\n", "utf-8-sig")


# ---------------------------------------------------------------------------------------------
# real exports


def test_spss_survey_with_value_labels_and_user_missing(tmp_path):
    df = pd.DataFrame({
        "lopnr": ["R1", "R2", "R3", "R4"],
        "grupp": [1.0, 1.0, 2.0, 1.0],
        "kon": [1.0, 2.0, 1.0, 3.0],
        "matning": [1.0, 2.0, 1.0, 1.0],
        "soc13_1": [4.0, 9.0, 7.0, 2.0],
        "soc13_2": [99.0, 5.0, 1.0, 3.0],
    })
    p = tmp_path / "kasam.sav"
    pyreadstat.write_sav(
        df, str(p),
        column_labels={"lopnr": "Löpnummer", "kon": "Kön", "soc13_1": "Hur ofta känner du att ...",
                       "grupp": "Respondentgrupp", "matning": "Mättillfälle"},
        variable_value_labels={"kon": {1: "Kvinna", 2: "Man", 3: "Vill ej svara"},
                               "grupp": {1: "Deltagare", 2: "Personal"},
                               "matning": {1: "Före", 2: "Efter"},
                               "soc13_1": {1: "Mycket sällan", 7: "Mycket ofta", 9: "Ej svar"}},
        missing_ranges={"soc13_1": [9], "soc13_2": [99]},
    )
    mapping = {
        "entity": "enkatsvar",
        "columns": {"lopnr": "respondent_id", "grupp": "respondentgrupp", "matning": "tidpunkt", "kon": "kon"},
        "values": {"kon": {"Kvinna": "kvinna", "Man": "man", "Vill ej svara": "annat_vill_ej_ange"}},
        "constants": {"forbund": "Älvdal", "vag": "1", "formversion": "sv13", "datum": None},
    }
    data, report = io.load_survey(p, instrument="soc13", mapping=mapping)
    assert report.format == "sav"
    assert report.rows_read == 4
    assert data["kon"].tolist()[:3] == ["kvinna", "man", "kvinna"]
    assert data["respondentgrupp"].tolist()[:3] == ["deltagare", "deltagare", "personal"]
    assert data["tidpunkt"].tolist()[:2] == ["fore", "efter"]
    # user-missing 9 and 99 are missing, never scored
    s1 = data.set_index("respondent_id")["soc13_1"]
    s2 = data.set_index("respondent_id")["soc13_2"]
    assert np.isnan(s1["R2"]) and np.isnan(s2["R1"]) and s1["R1"] == 4.0 and s2["R2"] == 5.0
    assert report.missing_codes == {"soc13_1": {"9": 1}, "soc13_2": {"99": 1}}
    assert report.variable_labels["kon"] == "Kön" and report.variable_labels["soc13_1"].startswith("Hur ofta")
    assert "Variabeletiketter" in report.summary() and "koden 9 betyder saknat svar och räknas inte: soc13_1 (1)" in report.summary()


def test_spss_label_not_in_vocabulary_rejects_its_row(tmp_path):
    df = pd.DataFrame({"respondent_id": ["R1", "R2"], "respondentgrupp": ["deltagare", "deltagare"],
                       "kon": [1.0, 2.0], "tidpunkt": ["fore", "fore"], "soc13_1": [3.0, 4.0]})
    p = tmp_path / "k.zsav"
    pyreadstat.write_sav(df, str(p), compress=True, variable_value_labels={"kon": {1: "Kvinna", 2: "Okänt kön"}})
    m = {"constants": {"forbund": "Norrdal", "vag": "1", "formversion": "v", "datum": None}}
    data, report = io.load_survey(p, instrument="soc13", mapping=m)
    assert data["kon"].tolist() == ["kvinna"]
    assert report.problems.loc[0, ["row", "column"]].tolist() == [3, "kon"]
    assert "Okänt kön" in report.problems.loc[0, "reason"]


def test_stata_with_value_labels(tmp_path):
    df = pd.DataFrame({"respondent_id": ["R1", "R2"], "respondentgrupp": [1, 2], "tidpunkt": [1, 2],
                       "soc13_1": [3.0, 6.0]})
    p = tmp_path / "k.dta"
    pyreadstat.write_dta(df, str(p), variable_value_labels={"respondentgrupp": {1: "Deltagare", 2: "Personal"},
                                                            "tidpunkt": {1: "Före", 2: "Efter"}},
                         column_labels={"soc13_1": "Fråga 1"})
    m = {"constants": {"forbund": "Norrdal", "vag": "1", "formversion": "v", "datum": None}}
    data, report = io.load_survey(p, instrument="soc13", mapping=m)
    assert report.format == "dta" and report.rows_accepted == 2
    assert data["respondentgrupp"].tolist() == ["deltagare", "personal"]
    assert data["tidpunkt"].tolist() == ["fore", "efter"]
    assert report.variable_labels == {"soc13_1": "Fråga 1"}


CASE_COLS = ["Personnummer", "Insats", "Startdatum", "Slutdatum", "Avslutsorsak", "Kön", "Födelseår"]
CASE_MAPPING = {
    "entity": "episoder",
    "source": "Ärendesystem (export utan episod-id)",
    "read": {"delimiter": ";"},
    "columns": {"Personnummer": "personnummer", "Insats": "insats", "Startdatum": "inskrivningsdatum",
                "Slutdatum": "avslutsdatum", "Avslutsorsak": "avslutsorsak", "Kön": "kon", "Födelseår": "fodelsear"},
    "values": {"avslutsorsak": {"Arbete": "forvarvsarbete", "Studier": "studier"}},
    "constants": {"forbund": "Älvdal", "anonym": "false", "fodd_i_sverige": None, "utbildningsniva": None,
                  "sysselsattning_fore": None, "sysselsattning_efter": None, "forsorjning_fore": None,
                  "forsorjning_efter": None, "omfattning_fore": None, "omfattning_efter": None, "samtycke": None},
}


def case_rows(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        pnr = luhn_pnr(f"{70 + i % 25:02d}{1 + i % 12:02d}{1 + i % 28:02d}", f"{100 + i:03d}")
        start = dt.date(2023, 1 + i % 12, 1 + i % 28)
        rows.append({"Personnummer": pnr[:6] + "-" + pnr[6:], "Insats": ["Steget vidare", "Team Work"][i % 2],
                     "Startdatum": start.strftime("%d/%m/%Y"),
                     "Slutdatum": (start + dt.timedelta(days=90)).strftime("%d/%m/%Y") if i % 3 else "",
                     "Avslutsorsak": ("Arbete" if i % 2 else "Studier") if i % 3 else "",
                     "Kön": "K" if i % 2 else "M", "Födelseår": str(1970 + i % 25)})
    return rows


def test_case_system_export_without_episode_id(tmp_path):
    rows = case_rows(12)
    p = write_csv(tmp_path / "arenden.csv", CASE_COLS, rows, sep=";")
    data, report = load_epi(p, mapping=CASE_MAPPING)
    assert (report.rows_read, report.rows_accepted) == (12, 12), report.summary()
    first = rows[0]
    pnr12 = "19" + first["Personnummer"].replace("-", "")
    # the documented rule: pseudonym / insats / inskrivningsdatum (ISO)
    assert data.loc[0, "episod_id"] == f"{pseudonym(pnr12)}/Steget vidare/2023-01-01"
    assert data.loc[0, "deltagare_id"] == pseudonym(pnr12)
    assert any("episod_id saknas" in n for n in report.notes)
    assert not data.astype(str).apply(lambda s: s.str.contains(first["Personnummer"][:6] + "-")).any().any()


def test_case_system_export_with_planted_problems(tmp_path):
    rows = case_rows(60)
    rows[4]["Slutdatum"] = "01/01/2022"           # line 6: avslut before start (start 2023-05-05)
    rows[4]["Avslutsorsak"] = "Arbete"
    rows[9]["Avslutsorsak"] = "Flyttat till månen"  # line 11: unknown exit category
    rows[9]["Slutdatum"] = "01/12/2023"
    rows[19]["Födelseår"] = "2019"                 # line 21: aged 4 at inskrivning
    rows[30] = dict(rows[31])                       # lines 32 and 33: the same episode twice
    rows[40]["Startdatum"] = "31/02/2023"           # line 42: no such date
    p = write_csv(tmp_path / "arenden_fel.csv", CASE_COLS, rows, sep=";")
    data, report = load_epi(p, mapping=CASE_MAPPING)
    probs = report.problems
    found = {(r, c) for r, c in zip(probs["row"], probs["column"])}
    assert {(6, "Slutdatum"), (11, "Avslutsorsak"), (21, "Födelseår"), (32, "Personnummer"),
            (33, "Personnummer"), (42, "Startdatum")} == found
    reasons = dict(zip(zip(probs["row"], probs["column"]), probs["reason"]))
    assert reasons[(6, "Slutdatum")] == "avslutsdatum före inskrivningsdatum"
    assert "Flyttat till månen" in reasons[(11, "Avslutsorsak")]
    assert reasons[(21, "Födelseår")].startswith("orimlig ålder vid inskrivning")
    assert "dubblettepisod" in reasons[(32, "Personnummer")] and "rad 33" in reasons[(32, "Personnummer")]
    assert "inte ett datum" in reasons[(42, "Startdatum")]
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (60, 54, 6)
    text = report.summary() + probs.to_csv()
    for r in rows:
        assert r["Personnummer"] not in text
