"""Pandera schemas of the workbench's data model.

One schema per entity; column names are Swedish domain vocabulary in ASCII. Allowed values of
categorical columns come from :mod:`evaluation.vocabulary` (package data), never from code.
The README has a table per entity with types, allowed values and an example row.

Entities
--------
EPISODES        participant episodes, deltagare × insats (``episod_id`` unique)
EVENTS          journey events (samtycke, första möte, handlingsplan, ...)
SURVEY          survey responses in wide form: one row per respondent × wave, item columns
                named ``<instrument>_<item>`` (``soc29_1`` … ``soc29_29``, ``nns_1U``, ``nns_8_1``)
SEGMENTS        coded focus-group segments (one row per segment × code × coder)
UNIT_COSTS      unit costs for cost-benefit (SEK, price year, actor, transfer / real resource)
REPORTED        aggregate-only figures reported by source documents, with provenance

Conventions
-----------
* Dates are ``datetime64[ns]`` (day precision); an open episode has ``avslutsdatum`` missing.
* ``forsorjning_fore`` / ``forsorjning_efter`` are multi-valued: codes joined by ``|``
  (e.g. ``"forsorjningsstod|a_kassa"``); every code must be in the ``forsorjning`` vocabulary.
* ``omfattning_fore`` / ``omfattning_efter`` are the work/study extent in % of 40 h/week
  (SUS: 100 % = 40 h/week), 0–100.
* Identifiers (``deltagare_id``, ``respondent_id``, ``talare_id``) are pseudonyms; raw
  personnummer never enter a validated frame (see :mod:`evaluation.privacy`).
"""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa

from .vocabulary import codes

__all__ = [
    "EPISODES",
    "EVENTS",
    "SURVEY",
    "SEGMENTS",
    "UNIT_COSTS",
    "REPORTED",
    "SCHEMAS",
    "AGE_RANGE",
    "split_multi",
    "item_columns",
]

#: Plausible age at inskrivning, in years (an age outside is an import error).
AGE_RANGE: tuple[int, int] = (15, 80)

#: Separator of multi-valued columns (försörjning before/after).
MULTI_SEP = "|"


def split_multi(value) -> list[str]:
    """Split a multi-valued cell (``"forsorjningsstod|a_kassa"``) into its codes.

    Missing values give an empty list.

    Examples
    --------
    >>> split_multi("forsorjningsstod|a_kassa")
    ['forsorjningsstod', 'a_kassa']
    >>> split_multi(None)
    []
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return []
    return [part.strip() for part in str(value).split(MULTI_SEP) if part.strip()]


def _multi_in(vocab: str) -> pa.Check:
    allowed = frozenset(codes(vocab))

    def check(series: pd.Series) -> pd.Series:
        # judge each distinct cell value once (a few dozen combinations over any number of rows)
        codes_, uniques = pd.factorize(series, use_na_sentinel=True)
        ok = [all(p in allowed for p in split_multi(v)) for v in uniques]
        verdict = pd.Series(ok + [True], dtype=bool).to_numpy()[codes_]  # sentinel -1 -> True (missing)
        return pd.Series(verdict, index=series.index)

    return pa.Check(check, element_wise=False, error=f"every '|'-separated code must be in {vocab}")


def _isin(vocab: str) -> pa.Check:
    return pa.Check.isin(codes(vocab), error=f"value not in vocabulary {vocab}")


def _nullable_str(vocab: str | None = None, **kw) -> pa.Column:
    checks = [_isin(vocab)] if vocab else []
    return pa.Column(str, checks=checks, nullable=True, required=kw.pop("required", True), **kw)


_avslut_after_inskrivning = pa.Check(
    lambda df: df["avslutsdatum"].isna() | (df["avslutsdatum"] >= df["inskrivningsdatum"]),
    error="avslutsdatum before inskrivningsdatum",
    name="avslut_ge_inskrivning",
)


def _age_plausible(df: pd.DataFrame) -> pd.Series:
    # NA-safe: a missing birth year or an unparseable inskrivningsdatum is judged by its own column
    age = df["inskrivningsdatum"].dt.year - df["fodelsear"]
    ok = age.between(*AGE_RANGE)
    unknown = df["fodelsear"].isna() | df["inskrivningsdatum"].isna()
    return (unknown | ok.fillna(False)).astype(bool)


EPISODES = pa.DataFrameSchema(
    {
        "episod_id": pa.Column(str, unique=True, nullable=False),
        "deltagare_id": pa.Column(str, nullable=False),
        "forbund": pa.Column(str, nullable=False),
        "insats": pa.Column(str, nullable=False),
        "kon": _nullable_str("kon"),
        "fodelsear": pa.Column("Int64", pa.Check.in_range(1900, 2030), nullable=True),
        "fodd_i_sverige": pa.Column("boolean", nullable=True),
        "utbildningsniva": _nullable_str("utbildningsniva"),
        "inskrivningsdatum": pa.Column("datetime64[ns]", nullable=False),
        "avslutsdatum": pa.Column("datetime64[ns]", nullable=True),
        "avslutsorsak": _nullable_str("avslutsorsak"),
        "sysselsattning_fore": _nullable_str("sysselsattning"),
        "sysselsattning_efter": _nullable_str("sysselsattning"),
        "forsorjning_fore": pa.Column(str, _multi_in("forsorjning"), nullable=True),
        "forsorjning_efter": pa.Column(str, _multi_in("forsorjning"), nullable=True),
        "omfattning_fore": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
        "omfattning_efter": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
        "samtycke": pa.Column("boolean", nullable=True),
        "anonym": pa.Column("boolean", nullable=False),
    },
    checks=[
        _avslut_after_inskrivning,
        pa.Check(_age_plausible, error=f"implausible age at inskrivning (allowed {AGE_RANGE[0]}–{AGE_RANGE[1]})",
                 name="plausible_age"),
        pa.Check(lambda df: df["avslutsdatum"].notna() | df["avslutsorsak"].isna(),
                 error="avslutsorsak given for an open episode (no avslutsdatum)", name="orsak_needs_avslut"),
    ],
    strict=False,
    coerce=False,
    name="episoder",
    description="Participant episodes (deltagare × insats).",
)

EVENTS = pa.DataFrameSchema(
    {
        "episod_id": pa.Column(str, nullable=False),
        "datum": pa.Column("datetime64[ns]", nullable=False),
        "handelse": pa.Column(str, _isin("handelse"), nullable=False),
    },
    unique=["episod_id", "datum", "handelse"],
    strict=False,
    name="handelser",
    description="Journey events per episode.",
)

_ITEM_RE = re.compile(r"^(soc29|soc13|nns|[a-z][a-z0-9]*)_([0-9A-Za-z_]+)$")

SURVEY = pa.DataFrameSchema(
    {
        "respondent_id": pa.Column(str, nullable=False),
        "respondentgrupp": pa.Column(str, _isin("respondentgrupp"), nullable=False),
        "forbund": pa.Column(str, nullable=False),
        "insats": pa.Column(str, nullable=True, required=False),
        "episod_id": pa.Column(str, nullable=True, required=False),
        "kon": pa.Column(str, _isin("kon"), nullable=True, required=False),
        "vag": pa.Column(str, nullable=False),
        "tidpunkt": pa.Column(str, _isin("tidpunkt"), nullable=False),
        "datum": pa.Column("datetime64[ns]", nullable=True),
        "instrument": pa.Column(str, nullable=False),
        "formversion": pa.Column(str, nullable=False),
    },
    unique=["respondent_id", "instrument", "vag", "tidpunkt"],
    strict=False,
    name="enkatsvar",
    description="Survey responses, wide: item columns <instrument>_<item>, numeric (nullable).",
)

SEGMENTS = pa.DataFrameSchema(
    {
        "segment_id": pa.Column(str, nullable=False),
        "session": pa.Column(str, nullable=False),
        "dokument": pa.Column(str, nullable=False),
        "grupp": pa.Column(str, nullable=True, required=False),
        "tidpunkt": pa.Column(str, nullable=True, required=False),
        "niva": pa.Column(str, _isin("niva"), nullable=True, required=False),
        "talarroll": pa.Column(str, nullable=True),
        "talare_id": pa.Column(str, nullable=True, required=False),
        "kodare": pa.Column(str, nullable=False),
        "kod": pa.Column(str, nullable=False),
        "start": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "slut": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "text": pa.Column(str, nullable=True),
    },
    checks=[pa.Check(lambda df: df["start"].isna() | df["slut"].isna() | (df["slut"] >= df["start"]),
                     error="slut before start", name="slut_ge_start")],
    unique=["segment_id", "kodare", "kod"],
    strict=False,
    name="segment",
    description="Coded focus-group segments (segment × code × coder).",
)

UNIT_COSTS = pa.DataFrameSchema(
    {
        "post": pa.Column(str, unique=True, nullable=False),
        "benamning": pa.Column(str, nullable=False),
        "aktor": pa.Column(str, _isin("aktor"), nullable=False),
        "belopp_sek": pa.Column(float, nullable=False),
        "enhet": pa.Column(str, _isin("enhet"), nullable=False),
        "prisar": pa.Column("Int64", pa.Check.in_range(1990, 2100), nullable=False),
        "typ": pa.Column(str, _isin("kostnadstyp"), nullable=False),
        "kalla": pa.Column(str, nullable=False),
    },
    strict=False,
    name="enhetskostnader",
    description="Unit costs (SEK at price year) per actor.",
)

REPORTED = pa.DataFrameSchema(
    {
        "kalla": pa.Column(str, nullable=False),
        "tabell": pa.Column(str, nullable=False),
        "matt": pa.Column(str, nullable=False, required=False),
        "proveniens": pa.Column(str, _isin("proveniens"), nullable=False),
        # declared structure, checked by evaluation.reported.check_reported (both optional)
        "id": pa.Column(str, nullable=True, required=False),
        "relation": pa.Column(str, nullable=True, required=False),
    },
    strict=False,
    name="rapporterat",
    description="Aggregate-only figures from source documents, with provenance.",
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "episoder": EPISODES,
    "handelser": EVENTS,
    "enkatsvar": SURVEY,
    "segment": SEGMENTS,
    "enhetskostnader": UNIT_COSTS,
    "rapporterat": REPORTED,
}


def item_columns(df: pd.DataFrame, instrument: str) -> list[str]:
    """Return the item columns of ``instrument`` in ``df``, in item order.

    Item columns are named ``<instrument>_<item>``; numeric item ids sort numerically.

    Examples
    --------
    >>> item_columns(pd.DataFrame(columns=["soc13_10", "soc13_2", "x"]), "soc13")
    ['soc13_2', 'soc13_10']
    """
    prefix = f"{instrument}_"
    cols = [c for c in df.columns if isinstance(c, str) and c.startswith(prefix)]

    def key(c: str):
        rest = c[len(prefix):]
        m = re.match(r"(\d+)(.*)", rest)
        return (int(m.group(1)), m.group(2)) if m else (10**9, rest)

    return sorted(cols, key=key)
