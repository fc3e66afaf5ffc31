"""The pandera schemas: a valid frame validates, and each check fires on the value that breaks it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from evaluation import schemas
from evaluation.schemas import EPISODES, EVENTS, REPORTED, SEGMENTS, SURVEY, UNIT_COSTS


def s(values, dtype="str"):
    return pd.Series(values, dtype=dtype)


def episodes() -> pd.DataFrame:
    return pd.DataFrame({
        "episod_id": s(["E1", "E2"]), "deltagare_id": s(["D1", "D2"]), "forbund": s(["Norrdal", "Söderå"]),
        "insats": s(["Team Work", "Vuxenteamet"]), "kon": s(["kvinna", None]),
        "fodelsear": s([1985, None], "Int64"), "fodd_i_sverige": s([True, None], "boolean"),
        "utbildningsniva": s(["gymnasial", None]),
        "inskrivningsdatum": pd.to_datetime(["2023-03-01", "2024-01-10"]).astype("datetime64[ns]"),
        "avslutsdatum": pd.to_datetime(["2023-09-30", None]).astype("datetime64[ns]"),
        "avslutsorsak": s(["tw_studier", None]), "sysselsattning_fore": s(["ovriga", "aktivt_arbetssokande"]),
        "sysselsattning_efter": s(["studier", None]), "forsorjning_fore": s(["forsorjningsstod|a_kassa", None]),
        "forsorjning_efter": s(["studiemedel", None]), "omfattning_fore": [0.0, np.nan],
        "omfattning_efter": [100.0, np.nan], "samtycke": s([True, False], "boolean"),
        "anonym": s([False, True], "boolean"),
    })


def events() -> pd.DataFrame:
    return pd.DataFrame({"episod_id": s(["E1", "E1"]), "handelse": s(["samtycke", "forsta_mote"]),
                         "datum": pd.to_datetime(["2023-03-01", "2023-03-01"]).astype("datetime64[ns]")})


def survey() -> pd.DataFrame:
    return pd.DataFrame({
        "respondent_id": s(["R1", "R1"]), "respondentgrupp": s(["deltagare", "deltagare"]),
        "forbund": s(["Norrdal"] * 2), "vag": s(["1", "1"]), "tidpunkt": s(["fore", "efter"]),
        "datum": pd.to_datetime(["2024-01-01", "2024-09-01"]).astype("datetime64[ns]"),
        "instrument": s(["soc29"] * 2), "formversion": s(["sv1"] * 2), "soc29_1": [4.0, 5.0],
    })


def segments() -> pd.DataFrame:
    return pd.DataFrame({
        "segment_id": s(["S1", "S1"]), "session": s(["FG1"] * 2), "dokument": s(["fg1.txt"] * 2),
        "talarroll": s(["deltagare"] * 2), "kodare": s(["A", "B"]), "kod": s(["tillit"] * 2),
        "start": s([0, 0], "Int64"), "slut": s([12, 12], "Int64"), "text": s(["Jag litar", "Jag litar"]),
    })


def unit_costs() -> pd.DataFrame:
    return pd.DataFrame({
        "post": s(["fbs"]), "benamning": s(["Försörjningsstöd"]), "aktor": s(["kommun"]),
        "belopp_sek": [10500.0], "enhet": s(["manad"]), "prisar": s([2024], "Int64"),
        "typ": s(["transferering"]), "kalla": s(["Socialstyrelsen"]),
    })


def reported() -> pd.DataFrame:
    return pd.DataFrame({"kalla": s(["002"]), "tabell": s(["T6"]), "matt": s(["andel"]),
                         "proveniens": s(["verbatim"]), "varde": [12.4]})


VALID = [(EPISODES, episodes), (EVENTS, events), (SURVEY, survey), (SEGMENTS, segments),
         (UNIT_COSTS, unit_costs), (REPORTED, reported)]


@pytest.mark.parametrize("schema,make", VALID, ids=[v[0].name for v in VALID])
def test_valid_frame_validates(schema, make):
    df = make()
    pd.testing.assert_frame_equal(schema.validate(df), df)


def _set(df, col, row, value):
    df = df.copy()
    df.loc[row, col] = value
    return df


# (schema, frame maker, mutation, expected (column, row index) among the failure cases)
BROKEN = [
    ("kon not in vocabulary", EPISODES, lambda: _set(episodes(), "kon", 0, "hen"), ("kon", 0)),
    ("utbildningsniva", EPISODES, lambda: _set(episodes(), "utbildningsniva", 0, "doktor"), ("utbildningsniva", 0)),
    ("avslutsorsak", EPISODES, lambda: _set(episodes(), "avslutsorsak", 0, "lotteri"), ("avslutsorsak", 0)),
    ("sysselsattning", EPISODES, lambda: _set(episodes(), "sysselsattning_fore", 1, "vila"), ("sysselsattning_fore", 1)),
    ("forsorjning multi", EPISODES, lambda: _set(episodes(), "forsorjning_fore", 0, "lon|arv"), ("forsorjning_fore", 0)),
    ("omfattning > 100", EPISODES, lambda: _set(episodes(), "omfattning_efter", 0, 120.0), ("omfattning_efter", 0)),
    ("omfattning < 0", EPISODES, lambda: _set(episodes(), "omfattning_fore", 0, -5.0), ("omfattning_fore", 0)),
    ("fodelsear range", EPISODES, lambda: _set(episodes(), "fodelsear", 0, 1850), ("fodelsear", 0)),
    ("episod_id unique", EPISODES, lambda: _set(episodes(), "episod_id", 1, "E1"), ("episod_id", 1)),
    ("anonym not nullable", EPISODES, lambda: _set(episodes(), "anonym", 0, pd.NA), ("anonym", 0)),
    ("avslut before inskrivning", EPISODES, lambda: _set(episodes(), "avslutsdatum", 0, pd.Timestamp("2023-01-01")),
     ("avslutsdatum", 0)),
    # inskrivning 2023 - fodelsear 2010 = 13 years, below AGE_RANGE[0] = 15
    ("implausible age", EPISODES, lambda: _set(episodes(), "fodelsear", 0, 2010), ("fodelsear", 0)),
    ("orsak on open episode", EPISODES, lambda: _set(episodes(), "avslutsorsak", 1, "studier"), ("avslutsorsak", 1)),
    ("handelse vocabulary", EVENTS, lambda: _set(events(), "handelse", 1, "fika"), ("handelse", 1)),
    ("event key unique", EVENTS, lambda: _set(events(), "handelse", 1, "samtycke"), ("episod_id", 1)),
    ("tidpunkt vocabulary", SURVEY, lambda: _set(survey(), "tidpunkt", 1, "sen"), ("tidpunkt", 1)),
    ("respondentgrupp", SURVEY, lambda: _set(survey(), "respondentgrupp", 0, "grannar"), ("respondentgrupp", 0)),
    ("survey key unique", SURVEY, lambda: _set(survey(), "tidpunkt", 1, "fore"), ("respondent_id", 1)),
    ("slut before start", SEGMENTS, lambda: _set(segments(), "slut", 0, -1), ("slut", 0)),
    ("segment key unique", SEGMENTS, lambda: _set(segments(), "kodare", 1, "A"), ("segment_id", 1)),
    ("aktor vocabulary", UNIT_COSTS, lambda: _set(unit_costs(), "aktor", 0, "kyrkan"), ("aktor", 0)),
    ("enhet vocabulary", UNIT_COSTS, lambda: _set(unit_costs(), "enhet", 0, "per vecka"), ("enhet", 0)),
    ("prisar range", UNIT_COSTS, lambda: _set(unit_costs(), "prisar", 0, 1850), ("prisar", 0)),
    ("proveniens vocabulary", REPORTED, lambda: _set(reported(), "proveniens", 0, "gissat"), ("proveniens", 0)),
]


@pytest.mark.parametrize("name,schema,make,expected", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_check_fires(name, schema, make, expected):
    with pytest.raises(pa.errors.SchemaErrors) as err:
        schema.validate(make(), lazy=True)
    fc = err.value.failure_cases
    hits = set(zip(fc["column"], fc["index"]))
    assert expected in hits, sorted(hits, key=str)


def test_dataframe_checks_have_the_names_the_importer_maps():
    from evaluation.io import CHECK_COLUMN

    names = {c.name for sch in schemas.SCHEMAS.values() for c in sch.checks}
    assert names == set(CHECK_COLUMN)


def test_slut_check_needs_negative_span():
    # slut < start: start 40, slut 12
    df = segments()
    df["start"] = s([40, 0], "Int64")
    with pytest.raises(pa.errors.SchemaErrors) as err:
        SEGMENTS.validate(df, lazy=True)
    assert "slut before start" in set(err.value.failure_cases["check"])


def test_split_multi_and_item_columns():
    assert schemas.split_multi("forsorjningsstod| a_kassa") == ["forsorjningsstod", "a_kassa"]
    assert schemas.split_multi(np.nan) == []
    df = pd.DataFrame(columns=["soc29_10", "soc29_2", "soc29_1", "nns_1U"])
    assert schemas.item_columns(df, "soc29") == ["soc29_1", "soc29_2", "soc29_10"]
