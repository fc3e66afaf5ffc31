"""Tests for evaluation.privacy: personnummer detection, masking, keys, pseudonyms, output scanner.

All numbers are fictitious. Check digits are worked out by hand with the Luhn algorithm
(weights 2,1,2,1,... over the nine digits YYMMDDNNN; a product >= 10 contributes its digit sum;
check digit = (10 - sum mod 10) mod 10):

* 811228-987?: 16->7, 1, 2, 2, 4, 8, 18->9, 8, 14->5: sum 46 -> check 4  => 811228-9874
* 890102-328?: 16->7, 9, 0, 1, 0, 2, 6, 2, 16->7: sum 34 -> check 6       => 890102-3286
* 811288-987? (samordningsnummer, day 28 + 60): 7, 1, 2, 2, 16->7, 8, 9, 8, 5: sum 49 -> 1
                                                                           => 811288-9871
* 050101-123?: 0, 5, 0, 1, 0, 1, 2, 2, 6: sum 17 -> check 3              => 050101-1233
* 260601-123?: 4, 6, 0, 6, 0, 1, 2, 2, 6: sum 27 -> check 3              => 260601-1233
* 070123-456? (a phone number 070-123 45 67): 0, 7, 0, 1, 4, 3, 8, 5, 12->3: sum 31 -> 9, so
  0701234567 fails the checksum.
"""

from __future__ import annotations

import doctest
import hashlib
import hmac
import json
import stat

import pandas as pd
import pytest
from stdnum import luhn
from stdnum.se import personnummer as stdnum_pnr

from evaluation import privacy
from evaluation.privacy import (
    InvalidIdentifierError,
    KeyLocationError,
    MissingKeyError,
    PersonnummerLeakError,
    assert_no_personnummer,
    find_personnummer,
    init_key,
    is_personnummer,
    load_key,
    mask_series,
    mask_text,
    normalise,
    pseudonymise,
    scan_outputs,
    validate_identifiers,
)

REF = "2026-01-15"
PNR = "811228-9874"
PNR_F = "890102-3286"
SAMORD = "811288-9871"
KEY = bytes.fromhex("a17c3e9f02d58b46e1c7a93f5d0b28e64c9a1f37d5e82b06c4f9a3d17e5b2c08")


def test_hand_worked_check_digits_agree_with_stdnum():
    # the hand computations in the module docstring, cross-checked with python-stdnum
    assert luhn.calc_check_digit("811228987") == "4"
    assert luhn.calc_check_digit("890102328") == "6"
    assert luhn.calc_check_digit("811288987") == "1"
    assert luhn.calc_check_digit("050101123") == "3"
    assert stdnum_pnr.is_valid(PNR) and stdnum_pnr.is_valid(PNR_F)
    assert not stdnum_pnr.is_valid(SAMORD)  # why samordningsnummer are checked by hand


@pytest.mark.parametrize(
    "value",
    ["811228-9874", "8112289874", "198112289874", "19811228-9874", "811228 9874", "811228+9874",
     "811228\u20139874", " 811228-9874 ", 8112289874, 198112289874, "890102-3286"],
)
def test_accepts_valid_personnummer_in_every_format(value):
    assert is_personnummer(value, reference_date=REF)


@pytest.mark.parametrize(
    "value",
    ["811228-9875",      # wrong check digit
     "811328-9874",      # month 13
     "811232-9873",      # day 32
     "0701234567",       # phone number, checksum 9 not 7
     "2024-01-31",       # ISO date
     "81122-89874",      # separator in the wrong place
     "8112289874123456",  # 16 digits
     "abc", "", None, 3.5,
     "20991231-1234",    # 12-digit birth date in the future
     ],
)
def test_rejects_invalid_numbers_and_non_numbers(value):
    assert not is_personnummer(value, reference_date=REF)


def test_samordningsnummer_valid_by_day_minus_60_and_luhn():
    assert is_personnummer(SAMORD, reference_date=REF)
    assert privacy.identifier_kind(SAMORD, reference_date=REF) == "samordningsnummer"
    assert not is_personnummer(SAMORD, reference_date=REF, samordningsnummer=False)
    # day 28 + 60 = 88 is fine; day 32 + 60 = 92 is not a date
    assert not is_personnummer("811292-9871", reference_date=REF)
    # right date, wrong check digit
    assert not is_personnummer("811288-9872", reference_date=REF)
    assert normalise(SAMORD, reference_date=REF) == "198112889871"


def test_normalise_infers_century_from_reference_date_and_plus_separator():
    assert normalise("811228-9874", reference_date=REF) == "198112289874"
    assert normalise("8112289874", reference_date=REF) == "198112289874"
    assert normalise("811228+9874", reference_date=REF) == "188112289874"  # 100 years or older
    assert normalise("0501011233", reference_date=REF) == "200501011233"
    # born 1 June: in January 2026 "260601" must be 1926 (2026-06-01 is in the future) ...
    assert normalise("260601-1233", reference_date="2026-01-15") == "192606011233"
    # ... and after 1 June 2026 it is a newborn
    assert normalise("260601-1233", reference_date="2026-07-01") == "202606011233"
    # an integer column loses the leading zero of 2000s births
    assert normalise(501011233, reference_date=REF) == "200501011233"


def test_normalise_error_masks_the_value():
    with pytest.raises(InvalidIdentifierError) as exc:
        normalise("811228-9875")
    assert "811228-9875" not in str(exc.value)
    assert "9875" not in str(exc.value)


def test_find_in_free_text_with_offsets_and_masks():
    text = f"Ringde {PNR} och 19890102-3286; tel 0701234567, datum 2024-01-31, kort 8112289874123456."
    found = find_personnummer(text, reference_date=REF)
    assert [text[m.start:m.end] for m in found] == [PNR, "19890102-3286"]
    assert [m.kind for m in found] == ["personnummer", "personnummer"]
    assert [m.masked for m in found] == ["******-****", "******-****"]
    assert "9874" not in repr(found[0])


def test_digits_adjacent_to_a_number_prevent_a_match():
    assert find_personnummer("1" + "8112289874") == []
    assert find_personnummer("8112289874" + "0") == []
    assert find_personnummer("00198112289874") == []


def test_letters_and_decimals_around_digits_prevent_a_match_but_underscores_and_dot_zero_do_not():
    # minified plotly.js is full of decimals; hex digests and base64 are letter/digit runs
    assert find_personnummer("x=0.8112289874;y=8112289874.25;h=ab8112289874cd") == []
    assert [m.masked for m in find_personnummer("pnr_8112289874 och 8112289874.0 ,")] == [
        "******-****", "******-****"]


def test_mask_text_replaces_valid_and_invalid_numbers():
    text = f"A {PNR}, B {SAMORD}, C 811228-9875, D 2024-01-31"
    assert mask_text(text) == "A ******-****, B ******-****, C ******-****, D 2024-01-31"
    assert mask_text(text, replacement="X").startswith("A X, B X")
    assert mask_text(None) is None


def test_mask_series_keeps_index_and_missing_values():
    s = pd.Series(["ring 811228-9874", None, "inget här", "8112289874"], index=[10, 11, 12, 13])
    out = mask_series(s)
    assert list(out.index) == [10, 11, 12, 13]
    assert out[10] == "ring ******-****"
    assert pd.isna(out[11])
    assert out[12] == "inget här"
    assert out[13] == "******-****"


def test_mask_series_masks_integer_columns():
    out = mask_series(pd.Series([8112289874, 12345]))
    assert out.tolist() == ["******-****", 12345]


def test_validate_identifiers_per_row():
    s = pd.Series([PNR, "811228-9875", None, "hej", SAMORD])
    assert validate_identifiers(s).tolist() == [True, False, True, False, True]
    assert validate_identifiers(s, missing_ok=False).tolist() == [True, False, False, False, True]


# --- keys -------------------------------------------------------------------------------------


@pytest.fixture
def no_key(monkeypatch, tmp_path):
    """No key configured anywhere: env vars cleared, HOME in a temporary folder."""
    monkeypatch.delenv(privacy.KEY_ENV, raising=False)
    monkeypatch.delenv(privacy.KEY_FILE_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def test_missing_key_message_says_how_to_set_one(no_key):
    with pytest.raises(MissingKeyError) as exc:
        load_key()
    msg = str(exc.value)
    assert "evaluation key --init" in msg
    assert "EVALUATION_PSEUDONYM_KEY" in msg
    assert "EVALUATION_KEY_FILE" in msg


def test_pseudonymise_without_key_stops_with_missing_key(no_key):
    with pytest.raises(MissingKeyError):
        pseudonymise(pd.Series([PNR]))


def test_key_from_environment_hex(no_key, monkeypatch):
    monkeypatch.setenv(privacy.KEY_ENV, KEY.hex())
    assert load_key() == KEY


def test_key_from_env_that_is_not_hex_is_rejected_without_echoing_it(no_key, monkeypatch):
    monkeypatch.setenv(privacy.KEY_ENV, "not-a-hex-secret")
    with pytest.raises(ValueError) as exc:
        load_key()
    assert "not-a-hex-secret" not in str(exc.value)


def test_init_key_creates_600_file_in_default_place_and_never_overwrites(no_key):
    path = init_key()
    assert path == no_key / "home" / ".config" / "evaluation" / "pseudonym.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = path.read_text().strip()
    assert len(bytes.fromhex(content)) == 32
    assert init_key() == path
    assert path.read_text().strip() == content  # not overwritten
    assert load_key() == bytes.fromhex(content)  # the default file is found


def test_key_file_named_by_environment(no_key, monkeypatch):
    f = no_key / "elsewhere" / "k.key"
    monkeypatch.setenv(privacy.KEY_FILE_ENV, str(f))
    with pytest.raises(MissingKeyError) as exc:
        load_key()
    assert str(f) in str(exc.value)
    init_key()
    assert f.exists()
    assert len(load_key()) == 32


def test_key_file_inside_the_repository_is_refused(no_key):
    repo_root = privacy._project_root()
    target = repo_root / "tmp_should_never_exist.key"
    with pytest.raises(KeyLocationError):
        init_key(target)
    assert not target.exists()


def test_key_file_inside_another_clone_of_the_project_is_refused(no_key, monkeypatch):
    clone = no_key / "clone"
    (clone / ".git").mkdir(parents=True)
    (clone / "evaluation").mkdir()
    (clone / "evaluation" / "privacy.py").write_text("")
    (clone / "pyproject.toml").write_text("")
    keyfile = clone / "secrets" / "k.key"
    keyfile.parent.mkdir()
    keyfile.write_text(KEY.hex())
    monkeypatch.setenv(privacy.KEY_FILE_ENV, str(keyfile))
    with pytest.raises(KeyLocationError):
        load_key()


def test_key_file_in_an_unrelated_git_tree_is_allowed(no_key):
    # e.g. a dotfiles repository in the home folder
    (no_key / "dots" / ".git").mkdir(parents=True)
    p = init_key(no_key / "dots" / "k.key")
    assert len(load_key(p)) == 32


def test_key_cli_init_prints_location_never_the_key(no_key, capsys):
    import argparse

    parser = argparse.ArgumentParser()
    privacy.add_key_arguments(parser)
    assert privacy.key_cli(parser.parse_args([])) == 1
    assert "evaluation key --init" in capsys.readouterr().out
    assert privacy.key_cli(parser.parse_args(["--init"])) == 0
    out = capsys.readouterr().out
    keyfile = no_key / "home" / ".config" / "evaluation" / "pseudonym.key"
    assert str(keyfile) in out
    assert keyfile.read_text().strip() not in out
    assert privacy.key_cli(parser.parse_args([])) == 0
    assert keyfile.read_text().strip() not in capsys.readouterr().out


# --- pseudonyms -------------------------------------------------------------------------------


def test_pseudonym_is_hmac_sha256_of_the_12_digit_form():
    expected = "D-" + hmac.new(KEY, b"198112289874", hashlib.sha256).hexdigest()[:16]
    out = pseudonymise(pd.Series(["8112289874", "811228-9874", "198112289874", "19811228-9874"]), key=KEY)
    assert out.tolist() == [expected] * 4


def test_pseudonyms_differ_between_people_and_keys_and_take_the_prefix():
    a = pseudonymise(pd.Series([PNR, PNR_F]), key=KEY)
    assert a[0] != a[1]
    b = pseudonymise(pd.Series([PNR]), key=bytes(32))
    assert b[0] != a[0]
    p = pseudonymise(pd.Series([PNR]), key=KEY, prefix="P")
    assert p[0].startswith("P-") and len(p[0]) == 2 + 16


def test_pseudonymise_keeps_missing_and_index():
    out = pseudonymise(pd.Series([PNR, None, float("nan")], index=["x", "y", "z"]), key=KEY)
    assert list(out.index) == ["x", "y", "z"]
    assert out.isna().tolist() == [False, True, True]


def test_pseudonymise_names_invalid_positions_masked():
    s = pd.Series([PNR, "811228-9875", "hej", "19890102-3285"], index=[0, 1, 2, 3])
    with pytest.raises(InvalidIdentifierError) as exc:
        pseudonymise(s, key=KEY)
    msg = str(exc.value)
    assert exc.value.positions == [1, 2, 3]
    assert "1: '******-****'" in msg and "3: '******-****'" in msg
    for raw in ("811228-9875", "9875", "19890102-3285", "3285"):
        assert raw not in msg


def test_pseudonymise_uses_the_configured_key(no_key, monkeypatch):
    monkeypatch.setenv(privacy.KEY_ENV, KEY.hex())
    assert pseudonymise(pd.Series([PNR])).tolist() == pseudonymise(pd.Series([PNR]), key=KEY).tolist()


# --- output scanner ---------------------------------------------------------------------------


def _plant(folder):
    """One planted number per format and file type, plus decoys that must not be found."""
    (folder / "sub").mkdir()
    (folder / "tabell.csv").write_text("id;pnr;datum\n1;8112289874;2024-01-31\n2;811399-9875;2024-02-01\n")
    (folder / "data.json").write_text(json.dumps({"pnr": "19811228-9874", "tel": "0791234567"}))
    (folder / "sub" / "rapport.html").write_text("<td>811228+9874</td><td>4111111111111111</td>")
    (folder / "anteckning.txt").write_text("samordningsnummer 811288-9871\nkort 8112289874123456\n")
    (folder / "README.md").write_text("Personnummer 890102 3286 i texten.\n")
    nb = {
        "cells": [
            {"cell_type": "code", "source": ["x = 1\n", "# 811228-9874\n"], "metadata": {}, "outputs": [],
             "execution_count": 1},
            {"cell_type": "code", "source": "df", "metadata": {}, "execution_count": 2,
             "outputs": [{"output_type": "execute_result", "execution_count": 2, "metadata": {},
                          "data": {"text/plain": ["  pnr\n", "0 19890102-3286"]}}]},
        ],
        "metadata": {"kernelspec": {"name": "evaluation"}}, "nbformat": 4, "nbformat_minor": 5,
    }
    (folder / "sub" / "analys.ipynb").write_text(json.dumps(nb, indent=1))
    (folder / "bild.png").write_bytes(b"8112289874")  # a raster image: the gate cannot read it
    (folder / "ren.csv").write_text("a,b\n2024-01-31,0791234567\n")


def test_scanner_finds_planted_numbers_in_every_file_type(tmp_path):
    _plant(tmp_path)
    found = scan_outputs(tmp_path, reference_date=REF)
    assert list(found.columns) == ["file", "location", "kind", "masked"]
    got = sorted(zip(found["file"], found["location"], found["kind"], found["masked"]))
    assert got == sorted([
        ("tabell.csv", "rad 2, kol 3", "personnummer", "******-****"),
        ("data.json", "rad 1, kol 10", "personnummer", "******-****"),
        ("sub/rapport.html", "rad 1, kol 5", "personnummer", "******-****"),
        ("anteckning.txt", "rad 1, kol 19", "samordningsnummer", "******-****"),
        ("README.md", "rad 1, kol 14", "personnummer", "******-****"),
        ("sub/analys.ipynb", "cell 1 (källkod), rad 2", "personnummer", "******-****"),
        ("sub/analys.ipynb", "cell 2 (utdata 1), rad 2", "personnummer", "******-****"),
        ("bild.png", "format som grinden inte kan läsa (.png)", "oläsbart format", ""),
    ])


def test_scanner_is_empty_on_clean_outputs(tmp_path):
    (tmp_path / "ren.csv").write_text("datum,tel,kort\n2024-01-31,0791234567,8112289874123456\n811399-9875\n")
    assert scan_outputs(tmp_path).empty
    assert_no_personnummer(tmp_path)


def test_assert_no_personnummer_lists_files_masked_never_the_number(tmp_path):
    _plant(tmp_path)
    with pytest.raises(PersonnummerLeakError) as exc:
        assert_no_personnummer(tmp_path, reference_date=REF)
    msg = str(exc.value)
    assert "tabell.csv" in msg and "sub/analys.ipynb" in msg and "******-****" in msg
    for raw in ("8112289874", "811228-9874", "19811228-9874", "811228+9874", "811288-9871",
                "890102 3286", "19890102-3286", "9874", "3286", "9871"):
        assert raw not in msg
    assert len(exc.value.findings) == 8  # seven numbers and the unreadable picture


def test_scanner_finds_numbers_only_in_notebook_metadata_or_escaped_json(tmp_path):
    nb = {"cells": [], "metadata": {"title": "811228-9874"}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "a.ipynb").write_text(json.dumps(nb))
    (tmp_path / "b.ipynb").write_text("{not json 811228-9874")
    found = scan_outputs(tmp_path)
    assert sorted(found["file"]) == ["a.ipynb", "b.ipynb"]


def test_scanner_reads_word_and_excel_outputs(tmp_path):
    import docx
    import openpyxl

    d = docx.Document()
    d.add_paragraph("Inledning utan nummer, 2024-01-31.")
    p = d.add_paragraph("Deltagaren ")
    p.add_run("811228-")  # one number split over two runs, as Word often stores it
    p.add_run("9874")
    d.save(tmp_path / "rapport.docx")
    wb = openpyxl.Workbook()
    wb.active.append(["id", 8112289874, 12345])
    wb.active.append(["x", "890102-3286", 2024])
    wb.save(tmp_path / "tabell.xlsx")
    found = scan_outputs(tmp_path, reference_date=REF)
    by_file = found.groupby("file")["masked"].apply(sorted).to_dict()
    assert by_file == {"rapport.docx": ["******-****"], "tabell.xlsx": ["******-****", "******-****"]}
    assert found.loc[found.file == "rapport.docx", "location"].iloc[0] == "word/document.xml"


def test_scanner_sees_through_entities_escapes_and_no_break_spaces(tmp_path):
    (tmp_path / "a.html").write_text("<td>811228&#8209;9874</td>")  # non-breaking hyphen entity
    (tmp_path / "b.json").write_text('{"pnr": "811228\\u20139874"}')  # JSON escape of an en dash
    (tmp_path / "c.txt").write_text("pnr 811228\u00a09874\n")  # no-break space
    found = scan_outputs(tmp_path, reference_date=REF)
    assert sorted(found["file"]) == ["a.html", "b.json", "c.txt"]


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o666, 0o604, 0o620])
def test_group_or_world_accessible_key_file_is_refused_with_the_fix(no_key, mode):
    f = no_key / "k.key"
    f.write_text(KEY.hex())
    f.chmod(mode)
    with pytest.raises(privacy.KeyPermissionError, match=f"chmod 600 {f}"):
        load_key(f)
    f.chmod(0o600)
    assert load_key(f) == KEY
    f.chmod(0o400)
    assert load_key(f) == KEY


@pytest.mark.parametrize("hexkey, why", [
    ("00" * 32, "all bytes 00"),
    ("ff" * 48, "all bytes ff"),
    ("ab" * 32, "all bytes ab"),
    ("00112233445566778899aabbccddeeff" * 2, "16-byte block repeated"),
    (bytes(range(32)).hex(), "constant-step"),
    ("0101010202020303" * 4, "distinct byte values"),
    ("9f3c61d2a87be04455c1e9a07d3f2b68", "too short (16 bytes"),
    ("not hex at all", "not a hex string"),
])
def test_short_or_trivial_keys_are_refused_with_the_fix(no_key, monkeypatch, hexkey, why):
    monkeypatch.setenv(privacy.KEY_ENV, hexkey)
    with pytest.raises(privacy.WeakKeyError) as exc:
        load_key()
    assert why in str(exc.value) and "evaluation key --init" in str(exc.value)
    assert isinstance(exc.value, privacy.EvaluationError)
    f = no_key / "k.key"
    f.touch(0o600)
    f.write_text(hexkey)
    with pytest.raises(privacy.WeakKeyError):
        load_key(f)


def test_key_inside_a_copy_of_the_project_without_git_is_refused(no_key, tmp_path):
    import shutil
    from pathlib import Path

    repo = Path(privacy.__file__).resolve().parents[1]
    for marker in ("pyproject", "package", "layout"):
        copy = tmp_path / f"kopia-{marker}"
        (copy / "data").mkdir(parents=True)
        if marker == "pyproject":
            shutil.copy(repo / "pyproject.toml", copy / "pyproject.toml")
        elif marker == "package":
            (copy / "evaluation").mkdir()
            (copy / "evaluation" / "privacy.py").write_text("")
        else:
            (copy / "parametrized_runs").mkdir()
            (copy / "notebooks").mkdir()
        assert not (copy / ".git").exists()
        key = copy / "data" / "pseudonym.key"
        key.touch(0o600)
        key.write_text(KEY.hex())
        with pytest.raises(KeyLocationError) as exc:
            load_key(key)
        assert "mv " in str(exc.value) and "outside the project" in str(exc.value)
        with pytest.raises(KeyLocationError):
            init_key(copy / "ny.key")


def test_module_examples_run():
    result = doctest.testmod(privacy)
    assert result.attempted > 20 and result.failed == 0


def test_scanner_skips_the_vendored_plotly_bundle_but_not_what_stands_next_to_it(tmp_path):
    from plotly.offline import get_plotlyjs

    bundle = get_plotlyjs()
    text = "<script>" + bundle + "</script><p>pnr 811228-9874</p>\nrad två 890102-3286\n"
    (tmp_path / "r.html").write_text(text, encoding="utf-8")
    found = scan_outputs(tmp_path, reference_date=REF)
    assert sorted(found["masked"]) == ["******-****", "******-****"]
    # columns and lines refer to the whole file, bundle included
    col = text.index("811228-9874") - text.rfind("\n", 0, text.index("811228-9874"))
    line1 = text[:text.index("811228")].count("\n") + 1
    assert set(found["location"]) == {f"rad {line1}, kol {col}", f"rad {line1 + 1}, kol 9"}
    (tmp_path / "r.html").write_text("<script>" + bundle + "</script>", encoding="utf-8")
    assert scan_outputs(tmp_path, reference_date=REF).empty


def test_scanner_finds_a_personnummer_used_as_a_json_key_in_a_notebook(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": "", "metadata": {}, "execution_count": 1,
                     "outputs": [{"output_type": "execute_result", "metadata": {},
                                  "data": {"application/json": {"811228-9874": 3}}}]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "n.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    found = scan_outputs(tmp_path, reference_date=REF)
    assert found["masked"].tolist() == ["******-****"]


def test_output_gate_does_not_cry_wolf_on_a_plotly_div_id_that_starts_like_a_date(tmp_path):
    """Seen in a national snapshot: a plotly figure's div id 20040468-1585-45eb-… (year 2004, month 04,
    samordningsnummer day 68, serial 1585) stopped a fokusgrupper run. A UUID is no personnummer;
    a real one beside it is still found."""
    from evaluation import privacy

    div = '<div class="plotly-graph-div" id="20040468-1585-45eb-a326-421a3b16ebf2"></div>'
    (tmp_path / "rapport.html").write_text(f"<html>{div}{div}</html>", encoding="utf-8")
    assert len(privacy.scan_outputs(tmp_path)) == 0
    (tmp_path / "rapport.html").write_text(f"<html>{div} 20040408-1585 </html>", encoding="utf-8")
    assert privacy.scan_outputs(tmp_path)["kind"].tolist() == ["nära personnummer"]
