"""Real Taguette 1.5.2 exports (tests/fixtures/taguette/, made with the real tool; README there) import and tally.

Expected values are counted by hand from make_fixtures.py: 8 highlights in two transcripts, two of them
with two tags; tags Organisation, Organisation/Ledarskap, Organisation/Samverkan, Deltagare,
Deltagare/Motivation, Hinder/Ekonomi, Hinder/Hälsa (no highlight) and Taguette's default "interesting".
"""

from pathlib import Path

import pandas as pd
import pytest

from evaluation import coding, coding_import as ci

EXPORT = Path(__file__).resolve().parent / "fixtures" / "taguette" / "export"

# (highlight id, tag) pairs, by hand from make_fixtures.HIGHLIGHTS
PAIRS = {("tg1", "Organisation/Ledarskap"), ("tg2", "Organisation/Ledarskap"), ("tg2", "Organisation/Samverkan"),
         ("tg3", "Organisation"), ("tg4", "Deltagare/Motivation"), ("tg5", "Deltagare/Motivation"),
         ("tg5", "Hinder/Ekonomi"), ("tg6", "Organisation/Samverkan"), ("tg7", "Hinder/Ekonomi"),
         ("tg8", "Deltagare")}
# distinct highlights per theme, children rolled up: Organisation {1, 2, 3, 6}, Deltagare {4, 5, 8}, Hinder {5, 7}
THEMES = {"Organisation": 4, "Deltagare": 3, "Hinder": 2, "interesting": 0}


@pytest.fixture(scope="module", params=["codebook.csv", "codebook.xlsx"])
def codebook(request):
    return ci.read_taguette_codebook(EXPORT / request.param)


def test_real_codebook_has_no_parent_column_and_the_hierarchy_comes_from_tag_paths(codebook):
    header = (EXPORT / "codebook.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "tag,description,number of highlights,number of documents"
    k = codebook.koder.set_index("kod")
    assert k.loc["Organisation/Ledarskap", "forald"] == "Organisation"
    assert k.loc["Organisation/Ledarskap", "namn"] == "Ledarskap"
    assert k.loc["Organisation/Ledarskap", "beskrivning"] == "Chefer och ledning"
    # "Hinder" is no tag of the project, only the prefix of two paths: added as their theme
    assert pd.isna(k.loc["Hinder", "forald"]) and k.loc["Hinder/Hälsa", "tema"] == "Hinder"
    assert sorted(k.index[k["forald"].isna()]) == ["Deltagare", "Hinder", "Organisation", "interesting"]
    assert len(k) == 9


@pytest.mark.parametrize("name", ["highlights_all.csv", "highlights_all.xlsx", "highlights_Organisation.csv"])
def test_real_highlight_exports_read_dedupe_and_match_the_codebook(name, codebook):
    seg = ci.read_taguette_highlights(EXPORT / name, codebook=codebook)
    got = set(zip(seg["segment_id"], seg["kod"]))
    expected = PAIRS if name.startswith("highlights_all") else {p for p in PAIRS if p[1].startswith("Organisation")}
    assert got == expected and len(seg) == len(expected)      # the per-tag export repeats tg2 twice: deduplicated
    assert set(seg["dokument"]) <= {"fokusgrupp_personal", "fokusgrupp_deltagare"}


def test_xlsx_ids_are_text_cells_and_read_as_the_same_ids():
    raw = pd.read_excel(EXPORT / "highlights_all.xlsx", dtype=object, engine="openpyxl")
    assert all(isinstance(v, str) for v in raw["id"])
    assert set(ci.read_taguette_highlights(EXPORT / "highlights_all.xlsx")["segment_id"]) == {f"tg{i}" for i in range(1, 9)}


def test_real_project_sqlite_gives_the_same_codebook_and_highlights():
    cb, seg = ci.read_taguette_project(EXPORT / "project.sqlite3")
    assert set(zip(seg["segment_id"], seg["kod"])) == PAIRS
    assert sorted(cb.codes) == sorted(ci.read_taguette_codebook(EXPORT / "codebook.csv").codes)
    one = seg[seg["segment_id"] == "tg7"].iloc[0]
    assert one["text"] == "Pengarna räcker inte hela månaden" and one["dokument"] == "fokusgrupp_deltagare"
    # offsets are UTF-8 byte offsets: the span's byte length equals the snippet's
    assert int(one["slut"]) - int(one["start"]) == len(one["text"].encode("utf-8"))


def test_tally_per_theme_rolls_children_up_and_per_tag_matches_taguettes_own_counts(codebook):
    seg = ci.read_taguette_highlights(EXPORT / "highlights_all.csv", codebook=codebook)
    themes = coding.tally(seg, codebook, level="tema").set_index("kod")["segment"]
    assert themes.to_dict() == THEMES
    per_tag = coding.tally(seg, codebook, level="kod").set_index("kod")["segment"]
    stated = pd.read_csv(EXPORT / "codebook.csv").set_index("tag")["number of highlights"]
    assert per_tag.reindex(stated.index).tolist() == stated.tolist()      # Taguette's column, independently
    assert per_tag["Hinder"] == 0                                         # the implicit theme has no own highlight


def test_real_qdc_is_flat_with_path_names_and_gets_the_same_hierarchy():
    cb = ci.read_refi_codebook(EXPORT / "codebook.qdc")
    k = cb.koder.set_index("kod")
    assert k.loc["organisation_ledarskap", "forald"] == "organisation"
    assert k.loc["hinder_ekonomi", "tema"] == "hinder" and pd.isna(k.loc["hinder", "forald"])
    assert len(k) == 9
    seg = ci.read_taguette_highlights(EXPORT / "highlights_all.csv", codebook=cb)
    themes = coding.tally(seg, cb, level="tema").set_index("kod")["segment"]
    assert themes.to_dict() == {k.lower(): v for k, v in THEMES.items()}
