"""Hostile inputs against the one masker: no personnummer, valid or near miss, in any message.

Every number here is fictitious. ``811228-9874`` and ``890102-3286`` are valid (Luhn worked by hand
in tests/test_privacy.py); the near misses are the slips seen in real files: a dot as separator,
a digit too many, a wrong check digit, an impossible date, century with and without separator.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io as _io
import json
import re

import pandas as pd
import pytest

from evaluation import cli, io, privacy

KEY_HEX = "3e9d0f6a1c57b2e48d21a9f0c6b35e7d4a08f1c29e6b73d5a1f04c8e2b97d61a"
VALID = ["811228-9874", "8112289874", "198112289874", "19811228-9874", "811228+9874", "890102 3286",
         "811288-9871"]
NEAR = ["811228.9874", "19811228-98745", "811228-9875", "811328-9874", "19811228.9874", "811228/9874",
        "811228 - 9874", "81122898745", "811228-987", "8112289875"]
ALL = VALID + NEAR


def digits_left(text: str) -> list[str]:
    """Every run of >= 9 digits (ignoring separators) that survived: none may be one of ours."""
    flat = re.sub(r"[-+./ \u00a0]", "", text)
    ours = {re.sub(r"\D", "", v) for v in ALL}
    found = set(re.findall(r"\d{9,}", flat))
    return sorted(x for x in found if any(o in x or x in o for o in ours))


def assert_clean(text: str) -> None:
    for raw in ALL:
        assert raw not in text, raw
    for serial in ("9874", "3286", "9871", "98745", "9875"):
        # the serial part must not survive next to a date part
        assert not re.search(r"\d{6}\D{0,3}" + serial, text), serial
    assert not digits_left(text)


@pytest.mark.parametrize("value", ALL)
def test_redact_masks_every_valid_and_near_miss_form(value):
    out = privacy.redact(f"värde {value}; slut")
    assert out == f"värde {privacy.MASK}; slut"


@pytest.mark.parametrize("text", [
    "2024-01-31", "belopp 2392248.0", "andel 0.8112289874", "63 936 000", "D-81122898740abcde",
    "sha 9f3c61d2a87be04455c1e9a07d3f2b688112289874c4e15a9d07b3f8e2615c9a4d0e7b3f21", "rad 12, kolumn 3",
])
def test_redact_leaves_dates_amounts_fractions_pseudonyms_and_digests(text):
    assert privacy.redact(text) == text


def test_match_masked_and_mask_value_keep_nothing_of_the_number():
    assert privacy.find_personnummer("x 811228-9874")[0].masked == "******-****"
    assert privacy.mask_value("19811228-9875") == "******-****"
    assert privacy.mask_value(501011233) == "******-****"  # integer that lost its leading zero


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", KEY_HEX)


EPI_HEADER = ["episod_id", "deltagare_id", "forbund", "insats", "kon", "fodelsear", "fodd_i_sverige",
              "utbildningsniva", "inskrivningsdatum", "avslutsdatum", "avslutsorsak", "sysselsattning_fore",
              "sysselsattning_efter", "forsorjning_fore", "forsorjning_efter", "omfattning_fore", "omfattning_efter",
              "samtycke", "anonym"]


def _row(i, pnr, **over):
    row = {"episod_id": f"E{i}", "deltagare_id": pnr, "forbund": "Norrdal", "insats": "Team Work",
           "kon": "kvinna", "fodelsear": "1981", "fodd_i_sverige": "true", "utbildningsniva": "gymnasial",
           "inskrivningsdatum": "2023-03-01", "avslutsdatum": "2023-09-30", "avslutsorsak": "studier",
           "sysselsattning_fore": "ovriga", "sysselsattning_efter": "studier",
           "forsorjning_fore": "forsorjningsstod", "forsorjning_efter": "studiemedel",
           "omfattning_fore": "0", "omfattning_efter": "100", "samtycke": "true", "anonym": "false"}
    row.update(over)
    return row


def _write(path, rows, header=True, cols=EPI_HEADER):
    buf = _io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if header:
        w.writerow(cols)
    for r in rows:
        w.writerow([r.get(c, "") for c in cols])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _all_report_text(report) -> str:
    parts = [report.file, report.summary(), report.summary("en"), json.dumps(report.unmapped_columns),
             json.dumps(report.unmapped_labels, ensure_ascii=False), report.problems.to_csv(),
             report.to_frame().to_csv()]
    return "\n".join(parts)


def test_file_without_header_row_leaks_nothing_into_headers_problems_or_strict_error(tmp_path):
    # the first data line becomes the header: every personnummer in it is a "column name"
    rows = [_row(1, "811228-9874", episod_id="811228.9874"), _row(2, "19811228-98745"), _row(3, "890102 3286")]
    path = _write(tmp_path / "utan_rubrik.csv", rows, header=False)
    result = io.load_episodes(path)
    assert result.report.rows_accepted == 0
    assert result.report.unmapped_columns  # the data line was read as headers
    assert_clean(_all_report_text(result.report))
    with pytest.raises(io.ImportValidationError) as exc:
        io.load_episodes(path, strict=True)
    assert_clean(str(exc.value))


def test_a_file_named_after_a_personnummer_is_masked_in_the_report(tmp_path):
    path = _write(tmp_path / "export_811228-9874.csv", [_row(1, "811228-9874")])
    report = io.load_episodes(path).report
    assert "export_******-****.csv" in report.file
    assert_clean(_all_report_text(report))


def test_free_text_is_scanned_even_when_the_mapping_maps_its_values(tmp_path):
    # avslutsorsak has a vocabulary; utbildningsniva too: labels holding numbers are masked in the report
    rows = [_row(1, "811228-9874", avslutsorsak="ring 811228.9874", utbildningsniva="19811228-98745")]
    path = _write(tmp_path / "e.csv", rows)
    data, report = io.load_episodes(path)
    assert_clean(_all_report_text(report))
    assert_clean(data.to_csv())


def test_mapped_values_column_with_a_number_is_masked_in_the_data(tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("entity: segment\nvalues:\n  text:\n    hej: hej\n", encoding="utf-8")
    cols = ["segment_id", "session", "dokument", "talarroll", "kodare", "kod", "start", "slut", "text"]
    rows = [{"segment_id": "S1", "session": "FG1", "dokument": "a.txt", "talarroll": "deltagare", "kodare": "A",
             "kod": "tillit", "start": "0", "slut": "5", "text": "Mitt nummer är 811228.9874, ring"}]
    path = _write(tmp_path / "s.csv", rows, cols=cols)
    data, report = io.load_segments(path, mapping=m)
    assert data.loc[0, "text"] == "Mitt nummer är ******-****, ring"
    assert_clean(_all_report_text(report))


def test_identifier_column_holding_personnummer_is_pseudonymised_not_collapsed(tmp_path):
    cols = ["episod_id", "Deltagar-ID"] + EPI_HEADER[2:]
    rows = []
    for i, pnr in enumerate(["811228-9874", "890102-3286", "811288-9871", "19811228-9874"], start=1):
        # row 4 is the first person in a second episode (another start: not a duplicate episode)
        r = _row(i, pnr, inskrivningsdatum="2023-10-02", avslutsdatum="2024-01-31") if i == 4 else _row(i, pnr)
        r["Deltagar-ID"] = pnr
        rows.append(r)
    m = tmp_path / "m.yaml"
    m.write_text("entity: episoder\ncolumns:\n  Deltagar-ID: deltagare_id\n", encoding="utf-8")
    data, report = io.load_episodes(_write(tmp_path / "e.csv", rows, cols=cols), mapping=m)
    ids = data["deltagare_id"].tolist()
    assert len(ids) == 4 and len(set(ids)) == 3  # three people, the fourth row is the first again
    assert ids[0] == ids[3]
    # the very pseudonym a personnummer column gives: HMAC-SHA256 of the 12 digits, worked out here
    key = bytes.fromhex(KEY_HEX)
    expected = "D-" + hmac.new(key, b"198112289874", hashlib.sha256).hexdigest()[:16]
    assert ids[0] == expected
    assert_clean(data.to_csv())
    assert_clean(_all_report_text(report))
    assert (report.problems["reason"].str.contains("pseudonym")).sum() == 4


def test_cli_errors_and_output_pass_the_masker(tmp_path, capsys):
    rc = cli.main(["run", str(tmp_path / "811228-9874.yaml")])
    out = capsys.readouterr()
    assert rc != 0
    assert_clean(out.out + out.err)
    assert "******-****" in out.out + out.err
    assert "Traceback" not in out.err


def test_logging_and_exception_hook_are_redacted(capsys):
    import logging
    import sys

    privacy.install_redaction()
    try:
        logging.getLogger("evaluation.test").error("pnr %s och %s", "811228-9874", "19811228-98745")
        print("skriver 811228.9874")
        sys.excepthook(ValueError, ValueError("fel för 890102 3286"), None)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        pass
    out = capsys.readouterr()
    assert_clean(out.out + out.err)
    assert "skriver ******-****" in out.out
