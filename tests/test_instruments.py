"""Instrument registry: key tables of SOC-29, SOC-13 and user-defined Likert instruments.

Expected keys are typed from DOMAIN.md §4.1 (not read back from the YAML files under test).
"""

import pytest

from evaluation import instruments

SOC29_B = [1, 3, 5, 10, 12, 15, 17, 19, 21, 24, 26]
SOC29_H = [2, 6, 9, 13, 18, 20, 23, 25, 27, 29]
SOC29_M = [4, 7, 8, 11, 14, 16, 22, 28]
SOC29_REV = [1, 4, 5, 6, 7, 11, 13, 14, 16, 20, 23, 25, 27]
SOC13_MAP = {1: 4, 2: 5, 3: 6, 4: 8, 5: 9, 6: 12, 7: 16, 8: 19, 9: 21, 10: 25, 11: 26, 12: 28, 13: 29}


def test_soc29_key_matches_domain_brief():
    ins = instruments.get("soc29")
    assert ins.n_items == 29 and (ins.low, ins.high) == (1, 7)
    assert list(ins.subscales) == ["begriplighet", "hanterbarhet", "meningsfullhet"]
    assert list(ins.subscales["begriplighet"]) == SOC29_B
    assert list(ins.subscales["hanterbarhet"]) == SOC29_H
    assert list(ins.subscales["meningsfullhet"]) == SOC29_M
    assert sorted(ins.reverse) == SOC29_REV
    # every item belongs to exactly one subscale
    assert sorted(SOC29_B + SOC29_H + SOC29_M) == list(range(1, 30))


def test_soc13_key_and_ranges_match_domain_brief():
    ins = instruments.get("SOC-13")
    assert ins.subscales == {"begriplighet": (2, 6, 8, 9, 11), "hanterbarhet": (3, 5, 10, 13),
                             "meningsfullhet": (1, 4, 7, 12)}
    assert sorted(ins.reverse) == [1, 2, 3, 7, 10]
    # DOMAIN.md §4.1 ranges: SOC-13 13–91, B 5–35, H 4–28, M 4–28; SOC-29 29–203, B 11–77, H 10–70, M 8–56
    assert ins.score_range() == (13, 91)
    assert [ins.score_range(s) for s in ins.subscales] == [(5, 35), (4, 28), (4, 28)]
    s29 = instruments.get("soc29")
    assert s29.score_range() == (29, 203)
    assert [s29.score_range(s) for s in s29.subscales] == [(11, 77), (10, 70), (8, 56)]


def test_soc13_to_soc29_mapping_is_consistent_with_both_keys():
    s13, s29 = instruments.get("soc13"), instruments.get("soc29")
    assert s13.maps_to["instrument"] == "soc29"
    assert s13.maps_to["items"] == SOC13_MAP
    sub29 = {i: s for s, its in s29.subscales.items() for i in its}
    sub13 = {i: s for s, its in s13.subscales.items() for i in its}
    for i13, i29 in SOC13_MAP.items():
        # a mapped item keeps its subscale and its keying direction
        assert sub13[i13] == sub29[i29]
        assert (i13 in s13.reverse) == (i29 in s29.reverse)


def test_response_ranges_for_soc_nns_and_registered_yaml():
    assert instruments.response_range("soc29") == (1, 7)
    assert instruments.response_range("soc13") == (1, 7)
    assert instruments.response_range("nns") == (1, 6)
    assert instruments.response_range("nns", scale_max=10) == (1, 10)
    assert instruments.response_range("brukarenkat") == (1, 4)
    with pytest.raises(instruments.InstrumentError, match="known"):
        instruments.response_range("phq9")


def test_brukarenkat_is_a_generic_four_point_mean_instrument():
    ins = instruments.get("brukarenkat")
    assert (ins.low, ins.high, ins.total) == (1, 4, "mean")
    assert ins.columns[0] == "brukarenkat_bemotande" and ins.n_items == 5
    assert ins.subscales == {}


def test_user_yaml_is_loaded_registered_and_validated(tmp_path):
    p = tmp_path / "min_enkat.yaml"
    p.write_text("name: min_enkat\nitems: 4\nrange: [0, 10]\nsubscales: {a: [1, 2], b: [3, 4]}\n"
                 "reverse: [2]\nformversion: sv-2024\n", encoding="utf-8")
    ins = instruments.load(p)
    assert instruments.get("min_enkat") is ins
    assert instruments.response_range("min_enkat") == (0, 10)
    assert ins.reverse_items("sv-2024") == (2,) and ins.formversion == "sv-2024"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nitems: 3\nrange: [1, 5]\nsubscales: {a: [1, 4]}\n", encoding="utf-8")
    with pytest.raises(instruments.InstrumentError, match=r"unknown items \[4\]"):
        instruments.load(bad)
    overlap = tmp_path / "overlap.yaml"
    overlap.write_text("name: ov\nitems: 3\nrange: [1, 5]\nsubscales: {a: [1, 2], b: [2, 3]}\n", encoding="utf-8")
    with pytest.raises(instruments.InstrumentError, match="item 2 in both"):
        instruments.load(overlap)


def test_unknown_instrument_error_says_how_to_add_one():
    with pytest.raises(instruments.InstrumentError, match="instruments.load"):
        instruments.get("nope")


def test_key_tables_ship_no_item_wording():
    # keys only: the files hold no free-text item fields (copyright, DOMAIN.md §4.1)
    from importlib import resources

    import yaml

    folder = resources.files("evaluation").joinpath("data/instrument")
    for entry in folder.iterdir():
        if entry.name.startswith("soc"):
            spec = yaml.safe_load(entry.read_text(encoding="utf-8"))
            assert not {"wording", "text", "fragor", "items_text"} & set(spec)
            assert isinstance(spec["items"], int)
