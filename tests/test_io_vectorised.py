"""The importer's vectorised paths (issue 20.2) give the report and the rows the per-row path gave.

Code columns are mapped once per distinct value and spread back in Arrow, text columns that need
no stripping are left as they are (judged from Arrow's buffers), and the personnummer scan runs
over distinct values or in Arrow's regex engine. These tests plant the cases where such a
shortcut could differ: a problem deep in a big file, whitespace (also Unicode spaces) and blank
cells that the shortcut must not miss, labels that map and labels that do not, and the same
content as CSV and as Parquet.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evaluation import io

KEY_HEX = "5b1e0c7a9d3f48e2a6c1b07d94e3f25a8c6d1e0f7b2a9c4d3e8f1a6b5c0d7e29"
REF = "2026-06-30"

COLS = ["episod_id", "deltagare_id", "forbund", "insats", "kon", "fodelsear", "fodd_i_sverige", "utbildningsniva",
        "inskrivningsdatum", "avslutsdatum", "avslutsorsak", "sysselsattning_fore", "sysselsattning_efter",
        "forsorjning_fore", "forsorjning_efter", "omfattning_fore", "omfattning_efter", "samtycke", "anonym"]
BASE = {"forbund": "Norrdal", "insats": "Team Work", "kon": "kvinna", "fodelsear": "1985", "fodd_i_sverige": "true",
        "utbildningsniva": "gymnasial", "inskrivningsdatum": "2023-03-01", "avslutsdatum": "2023-09-30",
        "avslutsorsak": "studier", "sysselsattning_fore": "ovriga", "sysselsattning_efter": "studier",
        "forsorjning_fore": "forsorjningsstod", "forsorjning_efter": "studiemedel", "omfattning_fore": "0",
        "omfattning_efter": "100", "samtycke": "true", "anonym": "false"}


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", KEY_HEX)


def _luhn(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return nine + str((10 - total % 10) % 10)


def test_unknown_code_in_row_700000_of_a_big_parquet_is_reported_with_its_row(tmp_path):
    """700 001 records, every code column canonical except a handful of planted cells."""
    n = 700_001
    i = np.arange(n).astype(str)
    cols = {c: pa.array(np.full(n, BASE[c], dtype=object), pa.string()) for c in BASE}
    cols["episod_id"] = pa.array(np.char.add("E", i), pa.string())
    cols["deltagare_id"] = pa.array(np.char.add("D", i), pa.string())
    kon = np.full(n, "kvinna", dtype=object)
    kon[699_998] = "okänd kod"   # record 699 998 = row 700 000 (record + 2: the header counts as row 1)
    kon[123_456] = " Kvinna\u00a0"  # a label with spaces around it (one a no-break space): stripped, then mapped
    kon[5] = ""                     # a blank cell: missing, not a label
    cols["kon"] = pa.array(kon, pa.string())
    samtycke = np.full(n, "true", dtype=object)
    samtycke[650_000] = "kanske"    # not yes/no: row 650 002
    cols["samtycke"] = pa.array(samtycke, pa.string())
    p = tmp_path / "stor.parquet"
    pq.write_table(pa.table({c: cols[c] for c in COLS}), p)

    data, rep = io.load_episodes(p, reference_date=REF)

    assert (rep.rows_read, rep.rows_accepted, rep.rows_rejected) == (n, n - 2, 2)
    probs = rep.problems
    assert probs[["row", "column"]].values.tolist() == [[650_002, "samtycke"], [700_000, "kon"]]
    assert probs.loc[1, "value"] == "okänd kod" and "finns inte i vokabulären kon" in probs.loc[1, "reason"]
    assert "ja/nej" in probs.loc[0, "reason"]
    assert rep.unmapped_labels == {"kon": ["okänd kod"], "samtycke": ["kanske"]}
    assert not data["episod_id"].isin(["E699998", "E650000"]).any()
    by_id = data.set_index("episod_id")["kon"]
    assert by_id["E123456"] == "kvinna" and pd.isna(by_id["E5"]) and by_id["E699997"] == "kvinna"
    assert str(data["kon"].dtype) == "str" and str(data["samtycke"].dtype) == "boolean"


def _hostile_rows() -> list[dict]:
    pnr = _luhn("811228987")  # a valid personnummer where a pseudonym should be
    rows = [dict(BASE, episod_id=f"E{k}", deltagare_id=f"D{k}") for k in range(12)]
    rows[1].update(kon="Kvinna", samtycke="Ja", fodd_i_sverige="nej")  # labels that map
    rows[2].update(kon="  man ", insats=" Team Work")                   # spaces to strip
    rows[3].update(kon="\u2003annat", utbildningsniva="")               # a Unicode space; a blank cell
    rows[4].update(kon="robot")                                          # an unknown label
    rows[5].update(forsorjning_fore="forsorjningsstod | a_kassa")        # multi-valued, spaced separator
    rows[6].update(forsorjning_efter="lon|lotteri")                      # one code unknown
    rows[7].update(deltagare_id=pnr[:6] + "-" + pnr[6:])                 # a personnummer as an id
    rows[8].update(inskrivningsdatum="14 maj 2023", avslutsdatum="2023")  # Swedish date; a lone year
    rows[9].update(deltagare_id=rows[10]["deltagare_id"], inskrivningsdatum="2023-03-01")  # duplicate episode
    rows[11].update(samtycke="")
    return rows


def test_csv_and_parquet_of_the_same_content_give_the_same_frame_and_report(tmp_path):
    rows = _hostile_rows()
    frame = pd.DataFrame(rows, columns=COLS)
    csv_path = tmp_path / "e.csv"
    frame.to_csv(csv_path, index=False)
    pq_path = tmp_path / "e.parquet"
    pq.write_table(pa.table({c: pa.array(frame[c].tolist(), pa.string()) for c in COLS}), pq_path)

    d_csv, r_csv = io.load_episodes(csv_path, reference_date=REF)
    d_pq, r_pq = io.load_episodes(pq_path, reference_date=REF)

    pd.testing.assert_frame_equal(d_csv, d_pq)
    keep = ["row", "column", "value", "reason"]
    pd.testing.assert_frame_equal(r_csv.problems[keep], r_pq.problems[keep])
    assert (r_csv.rows_read, r_csv.rows_accepted, r_csv.rows_rejected) == \
        (r_pq.rows_read, r_pq.rows_accepted, r_pq.rows_rejected) == (12, 7, 5)
    assert r_csv.unmapped_labels == r_pq.unmapped_labels
    # the values worked out by hand: what was mapped, stripped, pseudonymised
    by_id = d_pq.set_index("episod_id")
    assert by_id.loc["E1", ["kon", "samtycke", "fodd_i_sverige"]].tolist() == ["kvinna", True, False]
    assert by_id.loc["E2", ["kon", "insats"]].tolist() == ["man", "Team Work"]
    assert by_id.loc["E3", "kon"] == "annat" and pd.isna(by_id.loc["E3", "utbildningsniva"])
    assert by_id.loc["E5", "forsorjning_fore"] == "forsorjningsstod|a_kassa"
    pnr12 = "19" + _luhn("811228987")
    expected = "D-" + hmac.new(bytes.fromhex(KEY_HEX), pnr12.encode(), hashlib.sha256).hexdigest()[:16]
    assert by_id.loc["E7", "deltagare_id"] == expected
    assert pd.isna(by_id.loc["E11", "samtycke"])
    rejected = r_pq.problems[r_pq.problems["reason"].str.contains("avvisas|vokabulären|ett ensamt årtal")]
    assert sorted(set(rejected["row"])) == [6, 8, 10, 11, 12]  # E4, E6, E8, E9 + E10 (record + 2)
    assert not r_pq.problems["value"].str.contains(_luhn("811228987")[:6]).any()


@pytest.mark.parametrize("cells", [
    ["a", "b c", None],                  # clean: left as it is
    ["a ", "b"], [" a", "b"], ["a\t", "b"], ["a\n", "b"],
    ["a\u00a0", "b"], ["\u3000a", "b"], ["a\x1f", "b"],   # Unicode and control spaces
    ["", "b"], ["   ", "b"], [None, ""],                   # blank cells become missing
    ["é", "ö "],                                           # non-ASCII at the ends
])
def test_text_step_equals_strip_and_blank_to_missing(cells):
    s = pd.Series(cells, dtype="str")
    out = io._as_text(s)
    want = s.str.strip()
    want = want.where(want != "")
    pd.testing.assert_series_equal(out, want)
    sliced = pd.Series(["x"] + cells, dtype="str").iloc[1:].reset_index(drop=True)  # an Arrow offset
    pd.testing.assert_series_equal(io._as_text(sliced), want)


_CSV_CASES = {
    "plain": "a,b\n1,x\n2,y\n",
    "no_final_newline": "a;b\n1;x\n2;y",
    "blank_lines": "a,b\n1,x\n\n2,y\n  \n",
    "quoted_newline": 'a,b\n1,"x\ny"\n2,z\n',
    "unclosed_quote": 'a,b\n1,"x\n2,y\n3,z\n',
    "ragged_row": "a,b\n1,x,extra\n2,y\n",
    "crlf": "a,b\r\n1,x\r\n2,y\r\n",
    "bom": "\ufeffa,b\n1,x\n",
    "cp1252": "Kön,b\nKvinna,å\n".encode("cp1252"),
    "not_utf8_in_a_cell": b"a,b\n1,\xe5\n2,y\n",
    "garbled_header": "FÃ¶delseÃ¥r,b\n1,x\n",
    "odd_quote_header": 'a,"b\n1,x\n',
    "tab": "a\tb\n1\tx\n",
    "spaces_and_blanks": "a,b\n  1 ,\n\u00a02,y \n",
    "nbsp_only_body": "a,b\n\u00a0\n",
}


@pytest.mark.parametrize("name", sorted(_CSV_CASES))
def test_csv_bytes_path_reads_what_the_text_path_reads(name, tmp_path, monkeypatch):
    """Big UTF-8 files skip Python's decode (readers._read_csv_bytes); forced on small hostile
    files, the table and the problems must equal the text path's (or the bytes path declines)."""
    from evaluation import readers

    content = _CSV_CASES[name]
    p = tmp_path / "f.csv"
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    def read(min_bytes):
        monkeypatch.setattr(readers, "CSV_BYTES_MIN", min_bytes)
        probs = io._Problems(str(p))
        return readers.read_source(p, {}, probs), probs.frame()

    (t_text, p_text), (t_bytes, p_bytes) = read(1 << 62), read(0)
    pd.testing.assert_frame_equal(t_text.frame, t_bytes.frame)
    assert t_text.lines.tolist() == t_bytes.lines.tolist()
    assert (t_text.n_bad, t_text.lines_read, t_text.encoding, t_text.notes) == \
        (t_bytes.n_bad, t_bytes.lines_read, t_bytes.encoding, t_bytes.notes)
    pd.testing.assert_frame_equal(p_text, p_bytes)
    if name in ("plain", "no_final_newline", "tab", "spaces_and_blanks"):
        assert readers._read_csv_bytes(p.read_bytes(), {}, io._Problems(str(p))) is not None


def test_duplicate_ids_are_still_reported_by_the_schema_where_the_episode_check_took_the_row(tmp_path):
    """pandera's uniqueness check is skipped only when the duplicate step saw no repeated id; a row
    that is a duplicate episode *and* repeats an episod_id still gets both problems."""
    rows = [dict(BASE, episod_id="E1", deltagare_id="D1"), dict(BASE, episod_id="E1", deltagare_id="D1"),
            dict(BASE, episod_id="E2", deltagare_id="D2"), dict(BASE, episod_id="E2", deltagare_id="D3"),
            dict(BASE, episod_id="E4", deltagare_id="D4")]
    p = tmp_path / "e.csv"
    pd.DataFrame(rows, columns=COLS).to_csv(p, index=False)
    data, rep = io.load_episodes(p, reference_date=REF)
    got = [(r, c, v, why.split(":")[0].split(" (")[0]) for r, c, v, why in
           rep.problems[["row", "column", "value", "reason"]].itertuples(index=False)]
    assert got == [(2, "deltagare_id", "D1", "dubblettepisod"), (2, "episod_id", "E1", "dubblettvärde"),
                   (3, "deltagare_id", "D1", "dubblettepisod"), (3, "episod_id", "E1", "dubblettvärde"),
                   (4, "episod_id", "E2", "dubblettnyckel"), (5, "episod_id", "E2", "dubblettnyckel")]
    assert data["episod_id"].tolist() == ["E4"] and (rep.rows_read, rep.rows_rejected) == (5, 4)
