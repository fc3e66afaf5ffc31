"""Import of coding-tool exports, each built in the exact shape the tool writes.

* Taguette: ``taguette/export.py`` writes the codebook with ``csv.writer`` (header
  ``tag, parent, description, number of highlights``, CRLF line ends) or xlsxwriter (sheet
  ``codebook``), highlights as ``id, document, tag, content`` with one row per highlight × tag and
  an empty tag for an untagged highlight, and the REFI-QDA codebook flat with ``origin`` and an
  empty ``<Sets/>``.
* QualCoder: the project is a folder ``<name>.qda`` holding the SQLite file ``data.qda``; the
  tables are created here with QualCoder's own CREATE statements (database v6+).
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from evaluation import coding
from evaluation.coding import UnknownCodeError, load_codebook
from evaluation.coding_import import (
    CodingImportError,
    assign_units,
    paragraph_units,
    read_qualcoder,
    read_refi_codebook,
    read_segments,
    read_taguette_codebook,
    read_taguette_highlights,
)
from evaluation.schemas import SEGMENTS


# --- Taguette ----------------------------------------------------------------------------------
def _write_csv(path: Path, rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)  # csv.writer default: CRLF, like Taguette
    return path


def test_taguette_codebook_csv_with_parents(tmp_path):
    p = _write_csv(tmp_path / "codebook.csv", [
        ["tag", "parent", "description", "number of highlights"],
        ["Samverkan", "", "Allt om samverkan", 0],
        ["Samverkan.Samsyn", "Samverkan", "Gemensam bild av deltagaren", 12],
        ["Samverkan.Samsyn.Språk", "Samverkan.Samsyn", "Gemensamt språk", 3],
        ["Motivation", "", "", 5],
    ])
    cb = read_taguette_codebook(p, version="2024-05")
    k = cb.koder.set_index("kod")
    assert cb.codes == ["Samverkan", "Samverkan.Samsyn", "Samverkan.Samsyn.Språk", "Motivation"]
    assert k.loc["Samverkan.Samsyn.Språk", "djup"] == 3 and k.loc["Samverkan.Samsyn.Språk", "tema"] == "Samverkan"
    assert k.loc["Samverkan.Samsyn", "namn"] == "Samsyn"
    assert k.loc["Samverkan.Samsyn", "beskrivning"] == "Gemensam bild av deltagaren"
    assert cb.version == "2024-05" and (k["ursprung"] == "emergent").all()


def test_taguette_codebook_xlsx(tmp_path):
    import openpyxl  # dev dependency; Taguette itself writes with xlsxwriter (same cells)

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "codebook"
    ws.append(["tag", "parent", "description", "number of highlights"])
    ws.append(["ff2_samsyn", "", "Samarbete och samsyn", 4])
    ws.append(["ff2_samsyn.sprak", "ff2_samsyn", None, 1])
    p = tmp_path / "codebook.xlsx"
    wb.save(p)
    cb = read_taguette_codebook(p)
    assert cb.codes == ["ff2_samsyn", "ff2_samsyn.sprak"]
    assert cb.koder["forald"].isna().tolist() == [True, False] and cb.koder["djup"].tolist() == [1, 2]
    assert cb.tema_of("ff2_samsyn.sprak") == "ff2_samsyn"


def test_taguette_codebook_errors_name_the_file(tmp_path):
    # Taguette 1.5.2's real codebook has no parent column (tests/test_coding_import_real.py); a file without
    # a description column is no Taguette codebook
    p = _write_csv(tmp_path / "fel.csv", [["tag", "beskrivning"], ["a", "b"]])
    with pytest.raises(CodingImportError, match=r"fel\.csv.*missing column.*description"):
        read_taguette_codebook(p)
    q = _write_csv(tmp_path / "foralder.csv", [["tag", "parent", "description", "number of highlights"],
                                               ["a", "finns_inte", "", 0]])
    with pytest.raises(CodingImportError, match=r"foralder\.csv.*row 2.*finns_inte"):
        read_taguette_codebook(q)


def _taguette_highlights(tmp_path: Path, bad_tag: bool = False) -> Path:
    rows = [["id", "document", "tag", "content"],
            [1, "Fokusgrupp 1 deltagare", "FF1 Individen i centrum", "Jag blev lyssnad på."],
            [2, "Fokusgrupp 1 deltagare", "ff2_samsyn", "Alla satt i samma rum."],
            [2, "Fokusgrupp 1 deltagare", "FF3 Motivation, arbetsglädje och bredare yrkesroll",
             "Alla satt i samma rum."],
            [3, "Fokusgrupp 1 deltagare", "", "Ett ostaggat citat."],
            [4, "Fokusgrupp 2 personal", "Kompetensutveckling", "Jag har lärt mig mycket.\nPå riktigt."]]
    if bad_tag:
        rows.append([5, "Fokusgrupp 2 personal", "Helt ny kod", "x"])
    return _write_csv(tmp_path / "all_tags.csv", rows)


def test_taguette_highlights_match_codebook_and_drop_untagged(tmp_path):
    cb = load_codebook("teamwork_framgangsfaktorer")
    info = pd.DataFrame({"dokument": ["Fokusgrupp 1 deltagare", "Fokusgrupp 2 personal"], "session": ["FG1", "FG2"],
                         "grupp": ["deltagare", "personal"], "niva": ["deltagare", "personal"]})
    seg = read_taguette_highlights(_taguette_highlights(tmp_path), cb, kodare="A", dokument_info=info)
    assert seg["segment_id"].tolist() == ["tg1", "tg2", "tg2", "tg4"]
    assert seg["kod"].tolist() == ["ff1_individen_i_centrum", "ff2_samsyn", "ff3_motivation",
                                   "ff3_kompetensutveckling"]
    assert seg["session"].tolist() == ["FG1", "FG1", "FG1", "FG2"]
    assert seg["text"].iloc[3] == "Jag har lärt mig mycket.\nPå riktigt."  # quoted newline kept
    SEGMENTS.validate(seg)
    themes = coding.tally(seg, cb, by="grupp", include_zero=False).set_index(["grupp", "kod"])["segment"]
    assert themes[("deltagare", "ff2_samsyn")] == 1 and themes[("personal", "ff3_motivation")] == 1


def test_taguette_unknown_tag_names_file_row_and_code(tmp_path):
    cb = load_codebook("teamwork_framgangsfaktorer")
    with pytest.raises(UnknownCodeError, match=r"all_tags\.csv.*'Helt ny kod'.*rows 7"):
        read_taguette_highlights(_taguette_highlights(tmp_path, bad_tag=True), cb)


def test_taguette_highlights_broken_file(tmp_path):
    p = _write_csv(tmp_path / "h.csv", [["id", "document", "content"], [1, "d", "x"]])
    with pytest.raises(CodingImportError, match=r"h\.csv.*missing column.*tag"):
        read_taguette_highlights(p)
    q = _write_csv(tmp_path / "h2.csv", [["id", "document", "tag", "content"], ["x1", "d", "t", "x"]])
    with pytest.raises(CodingImportError, match=r"h2\.csv.*not a number.*\[2\]"):
        read_taguette_highlights(q)


# --- REFI-QDA ----------------------------------------------------------------------------------
TAGUETTE_QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.4.1"><Codes><Code guid="0B0F3C43-6E7D-5A29-8F1B-1C1E0B8F1A11" name="Samsyn" isCodable="true"/><Code guid="8E7F6C1D-2B3A-5C4D-9E8F-7A6B5C4D3E2F" name="Utflöde" isCodable="true"/></Codes><Sets/></CodeBook>"""

QUALCODER_QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:QDA-XML:codebook:1.0 Codebook.xsd" origin="QualCoder">
<Codes>
<Code guid="a1b2c3d4-0000-4000-8000-000000000001" name="Synsätt" isCodable="false">
<Description>Förändrade synsätt</Description>
<Code guid="a1b2c3d4-0000-4000-8000-000000000002" name="Synsätt på kollegor" isCodable="true" color="#F781F3">
<Description>Respekt, minskat revirtänkande</Description>
</Code>
<Code guid="a1b2c3d4-0000-4000-8000-000000000003" name="Synsätt på sökande" isCodable="true" color="#81F7D8">
<Description>Helhetssyn</Description>
</Code>
</Code>
</Codes>
</CodeBook>
"""


def test_refi_codebook_flat_from_taguette(tmp_path):
    p = tmp_path / "codebook.qdc"
    p.write_text(TAGUETTE_QDC, encoding="utf-8")
    cb = read_refi_codebook(p)
    assert cb.codes == ["samsyn", "utflode"] and cb.label("utflode") == "Utflöde"
    assert cb.namn == "Taguette 1.4.1"


def test_refi_codebook_nested_with_descriptions_from_qualcoder(tmp_path):
    p = tmp_path / "qualcoder.qdc"
    p.write_text(QUALCODER_QDC, encoding="utf-8")
    cb = read_refi_codebook(p)
    k = cb.koder.set_index("kod")
    assert list(k.index) == ["synsatt", "synsatt_pa_kollegor", "synsatt_pa_sokande"]
    assert k.loc["synsatt_pa_kollegor", "forald"] == "synsatt"
    assert k.loc["synsatt_pa_sokande", "beskrivning"] == "Helhetssyn"


def test_refi_codebook_broken_and_foreign_xml(tmp_path):
    p = tmp_path / "trasig.qdc"
    p.write_text(TAGUETTE_QDC[:150], encoding="utf-8")
    with pytest.raises(CodingImportError, match=r"trasig\.qdc: not well-formed XML at line 2"):
        read_refi_codebook(p)
    q = tmp_path / "annan.qdc"
    q.write_text('<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0"/>', encoding="utf-8")
    with pytest.raises(CodingImportError, match=r"annan\.qdc: not a REFI-QDA codebook"):
        read_refi_codebook(q)


# --- QualCoder ---------------------------------------------------------------------------------
QUALCODER_SCHEMA = [
    "CREATE TABLE project (databaseversion text, date text, memo text,about text, bookmarkfile integer, "
    "bookmarkpos integer, codername text)",
    "CREATE TABLE source (id integer primary key, name text, fulltext text, mediapath text, memo text, "
    "owner text, date text, av_text_id integer, risid integer, unique(name))",
    "CREATE TABLE attribute_type (name text primary key, date text, owner text, memo text, caseOrFile text, "
    "valuetype text)",
    "CREATE TABLE attribute (attrid integer primary key, name text, attr_type text, value text, id integer, "
    "date text, owner text, unique(name,attr_type,id))",
    "CREATE TABLE code_cat (catid integer primary key, name text, owner text, date text, memo text, "
    "supercatid integer, unique(name))",
    "CREATE TABLE code_text (ctid integer primary key, cid integer, fid integer,seltext text, pos0 integer, "
    "pos1 integer, owner text, date text, memo text, avid integer, important integer, "
    "unique(cid,fid,pos0,pos1, owner))",
    "CREATE TABLE code_name (cid integer primary key, name text, memo text, catid integer, owner text,"
    "date text, color text, unique(name))",
]

FULLTEXT = ("M: Hur har samarbetet fungerat?\n"
            "D1: Vi pratar med varandra nu.\n"
            "D2: Jag fick jobb på lagret.\n"
            "D3: Det är roligare att gå dit.\n")


def _span(text: str) -> tuple[int, int, str]:
    start = FULLTEXT.index(text)
    return start, start + len(text), text


def _qualcoder_project(tmp_path: Path, code_names=("Samsyn", "Kommer vidare", "Motivation"),
                       extra_code_text: tuple | None = None) -> Path:
    folder = tmp_path / "fokusgrupper.qda"
    folder.mkdir()
    con = sqlite3.connect(folder / "data.qda")
    for stmt in QUALCODER_SCHEMA:
        con.execute(stmt)
    date = "2024-05-20 10:00:00"
    con.execute("INSERT INTO project VALUES (?,?,?,?,?,?,?)", ("v6", date, "", "QualCoder 3.5", 0, 0, "anna"))
    con.execute("INSERT INTO source (id, name, fulltext, mediapath, memo, owner, date) VALUES (1,?,?,NULL,'',?,?)",
                ("fg1_deltagare.txt", FULLTEXT, "anna", date))
    con.execute("INSERT INTO attribute_type VALUES ('grupp', ?, 'anna', '', 'file', 'character')", (date,))
    con.execute("INSERT INTO attribute (name, attr_type, value, id, date, owner) VALUES "
                "('grupp', 'file', 'deltagare', 1, ?, 'anna')", (date,))
    con.execute("INSERT INTO code_cat VALUES (1, 'Framgångsfaktorer', 'anna', ?, 'Team Work FF', NULL)", (date,))
    con.execute("INSERT INTO code_cat VALUES (2, 'Utflöde', 'anna', ?, '', 1)", (date,))
    samsyn, vidare, motivation = code_names
    con.execute("INSERT INTO code_name VALUES (1, ?, 'Samsyn i teamet', 1, 'anna', ?, '#F781F3')", (samsyn, date))
    con.execute("INSERT INTO code_name VALUES (2, ?, '', 2, 'anna', ?, '#81F7D8')", (vidare, date))
    con.execute("INSERT INTO code_name VALUES (3, ?, '', 1, 'anna', ?, '#F5A9A9')", (motivation, date))
    coded = [
        # ctid, cid, span, owner
        (1, 1, _span("D1: Vi pratar med varandra nu."), "anna"),
        (2, 2, _span("D2: Jag fick jobb på lagret."), "anna"),
        (3, 3, _span("D3: Det är roligare att gå dit."), "anna"),
        (4, 1, _span("pratar med varandra"), "bertil"),  # shorter span, same paragraph
        (5, 3, _span("Jag fick jobb"), "bertil"),  # motivation on the wrong paragraph
        (6, 2, _span("jobb på lagret"), "bertil"),
    ]
    for ctid, cid, (p0, p1, sel), owner in coded:
        con.execute("INSERT INTO code_text VALUES (?,?,1,?,?,?,?,?,'',NULL,0)", (ctid, cid, sel, p0, p1, owner, date))
    if extra_code_text:
        con.execute("INSERT INTO code_text VALUES (?,?,?,?,?,?,?,?,'',NULL,0)", extra_code_text)
    con.commit()
    con.close()
    return folder


def test_qualcoder_project_codebook_segments_and_agreement_per_paragraph(tmp_path):
    proj = read_qualcoder(_qualcoder_project(tmp_path))
    k = proj.codebook.koder.set_index("kod")
    assert k.loc["kommer_vidare", "forald"] == "utflode" and k.loc["utflode", "forald"] == "framgangsfaktorer"
    assert k.loc["kommer_vidare", "djup"] == 3 and k.loc["samsyn", "beskrivning"] == "Samsyn i teamet"
    seg = proj.segments
    assert sorted(seg["kodare"].unique()) == ["anna", "bertil"]
    assert seg.set_index("segment_id").loc["qc4", ["start", "slut", "text"]].tolist() == [
        FULLTEXT.index("pratar med varandra"), FULLTEXT.index("pratar med varandra") + 19, "pratar med varandra"]
    assert (seg["grupp"] == "deltagare").all() and (seg["dokument"] == "fg1_deltagare.txt").all()
    SEGMENTS.validate(seg)

    units = paragraph_units(proj.sources)
    assert len(units) == 4
    per_unit = assign_units(seg, units)
    kappa = coding.kappa_per_code(per_unit, units=units).set_index("kod")
    # samsyn: both on paragraph 2 only -> 4/4 agree, kappa 1; kommer_vidare likewise (paragraph 3)
    assert kappa.loc["samsyn", "kappa"] == pytest.approx(1.0)
    assert kappa.loc["kommer_vidare", "procent_overens"] == 1.0
    # motivation: anna paragraph 4, bertil paragraph 3 -> both yes 0, only A 1, only B 1, both no 2
    # po = 0.5, pe = .25*.25 + .75*.75 = .625, kappa = (.5 - .625) / .375 = -1/3
    assert kappa.loc["motivation", ["bada_ja", "endast_a", "endast_b", "bada_nej"]].tolist() == [0, 1, 1, 2]
    assert kappa.loc["motivation", "kappa"] == pytest.approx(-1 / 3)
    # themes rolled up from the QualCoder categories
    themes = coding.tally(per_unit, proj.codebook, level="tema").set_index("kod")
    assert themes.loc["framgangsfaktorer", "segment"] == 3  # paragraphs 2, 3, 4


def test_qualcoder_with_given_codebook_and_data_file_path(tmp_path):
    cb = load_codebook("teamwork_framgangsfaktorer")
    folder = _qualcoder_project(tmp_path, code_names=("ff2_samsyn", "Kommer vidare (arbete, studier, annan insats)",
                                                      "FF3 Motivation, arbetsglädje och bredare yrkesroll"))
    proj = read_qualcoder(folder / "data.qda", codebook=cb)
    assert proj.codebook is cb
    assert set(proj.segments["kod"]) == {"ff2_samsyn", "ff4_kommer_vidare", "ff3_motivation"}


def test_qualcoder_unknown_code_names_the_cid(tmp_path):
    cb = load_codebook("teamwork_framgangsfaktorer")
    folder = _qualcoder_project(tmp_path, code_names=("ff2_samsyn", "Helt okänd", "ff3_motivation"))
    with pytest.raises(UnknownCodeError, match=r"code_name.*'Helt okänd'.*cid 2"):
        read_qualcoder(folder, codebook=cb)


def test_qualcoder_broken_projects(tmp_path):
    notdb = tmp_path / "trasig.qda"
    notdb.write_text("detta är ingen databas" * 50)
    with pytest.raises(CodingImportError, match=r"trasig\.qda: cannot read as a QualCoder SQLite project"):
        read_qualcoder(notdb)
    empty = tmp_path / "tom.qda"
    sqlite3.connect(empty).execute("CREATE TABLE x (a)").connection.close()
    with pytest.raises(CodingImportError, match=r"tom\.qda: not a QualCoder project: missing table"):
        read_qualcoder(empty)
    (tmp_path / "mapp.qda").mkdir()
    with pytest.raises(CodingImportError, match="without data.qda"):
        read_qualcoder(tmp_path / "mapp.qda")
    dangling = _qualcoder_project(tmp_path, extra_code_text=(9, 99, 1, "x", 0, 1, "anna", "2024-05-20", ))
    with pytest.raises(CodingImportError, match=r"ctid \[9\].*cid \[99\]"):
        read_qualcoder(dangling)


# --- the workbench's own CSV -------------------------------------------------------------------
HEADER = "segment_id,session,dokument,grupp,tidpunkt,niva,talarroll,talare_id,kodare,kod,start,slut,text\n"


def test_workbench_csv_reads_and_checks_codes(tmp_path):
    cb = coding.combine_codebooks("teamwork_framgangsfaktorer", "delta_personal")
    p = tmp_path / "seg.csv"
    p.write_text(HEADER +
                 "S1,FG1,fg1.txt,deltagare,2024H1,deltagare,deltagare,T1,A,ff2_samsyn,0,10,Vi pratar\n"
                 "S1,FG1,fg1.txt,deltagare,2024H1,deltagare,deltagare,T1,B,ff2_samsyn,0,10,Vi pratar\n"
                 "S2,FG2,fg2.txt,personal,2024H1,personal,personal,T2,A,delta_yrkesroll,0,5,Coach\n",
                 encoding="utf-8")
    seg = read_segments(p, cb)
    assert seg["kod"].tolist() == ["ff2_samsyn", "ff2_samsyn", "delta_yrkesroll"]
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "S1,FG1,fg1.txt,deltagare,2024H1,deltagare,deltagare,T1,A,ff2_samsyn,0,10,x\n"
                   "S2,FG1,fg1.txt,deltagare,2024H1,deltagare,deltagare,T1,A,ff7_finns_ej,0,10,x\n", encoding="utf-8")
    with pytest.raises(UnknownCodeError, match=r"bad\.csv.*'ff7_finns_ej'.*rows 3"):
        read_segments(bad, cb)
    broken = tmp_path / "broken.csv"
    broken.write_text(HEADER + "S1,FG1,fg1.txt,deltagare,2024H1,deltagare,deltagare,T1,A,ff2_samsyn,10,2,x\n",
                      encoding="utf-8")
    with pytest.raises(CodingImportError, match=r"broken\.csv"):
        read_segments(broken, cb)
