"""Seeded generator of the fictitious sample data in ``data_samples/``.

Everything written here is invented. No row describes a real person, organisation or
project; the personnummer in the Söderå export are checksum-valid but made up, and the
focus-group excerpts are sentences written for the samples. Regenerating with the same seed
gives byte-identical files (``numpy.random.default_rng`` with one sub-stream per table, fixed
float formatting, fixed row order, fixed line endings), so a test can compare them with the
committed copies::

    evaluation samples --out data_samples            # the committed seed
    evaluation samples --out /tmp/x --seed 7         # another world

The sample world
----------------
* Two samordningsförbund, **Norrdal** and **Söderå**, three insatser: *Team Work* and *Steget
  vidare* in Norrdal, *Vuxenteamet* and *Steget vidare* in Söderå. Period 2023-01-01 … 2025-12-31,
  data extracted 2026-01-15; an episode without avslutsdatum is still open then (≈ 15 %).
* About 600 participant episodes. Intake is seasonal (few in July and December, peaks in
  February–March and September); Söderå had an intake stop June–August 2025 (a context event).
  Intake falls from 2023 to 2025 (budget cuts). Time in insats is log-normal, overall median
  about 4–5 months, longer for exits to work and for Vuxenteamet (as in source 002). About 6 % of participants come back for a second episode
  (re-entry after Avbruten kontakt, Rätt myndighet, Flytt or Behov av andra insatser), with a new
  samtycke. About 4 % are *anonymous participants* (``anonym`` true, ``samtycke`` false): counted,
  not linkable, with fewer background fields.
* **Norrdal** (``episoder.csv``) is in the canonical format of :data:`evaluation.schemas.EPISODES`
  (comma, UTF-8, ISO dates, ``true``/``false``, ``|`` between försörjning codes) and uses the
  Team Work exit codes (``tw_*``). ``deltagare_id`` is ``D-`` + 16 hex digits of SHA-256 over the
  seed and a counter (a pseudonym, never a personnummer).
* **Söderå** (``export_verksamhetssystem_sodera.csv``) is written the way a case system writes it:
  Swedish headers in its own order, ``;``, cp1252, ``\\r\\n``, day-first dates ``14/5/2023``,
  decimal comma, ``Ja``/``Nej``, ``Kvinna``/``Man``, försörjning as Swedish labels joined by
  ``", "``, exit reasons as DELTA/Vuxenteamen labels (Vuxenteamet) or SUS labels (Steget vidare),
  plus columns the model lacks (``Handläggare`` with fictitious initials, ``Kommentar`` free text)
  and fictitious personnummer whose birth date matches ``Födelseår`` and whose sex digit matches
  ``Kön``. Anonymous participants have an empty ``Personnummer``. The mapping
  ``mappningar/verksamhetssystem_sodera.yaml`` maps it onto the model.
* ``handelser.csv``: journey events of both förbund (samtycke, forsta_mote, kartlaggning,
  handlingsplan, avstamning about monthly, plan_reviderad, avslut; after some exits
  ``aterkontakt`` or ``forsorjningsstod_ater`` within 12 months). About 70 % of the action plans
  are signed within 5 weeks (35 days) of the first meeting; some short episodes end before any
  plan.
* ``kasam_deltagare.csv``: SOC-29 for ≈ 160 participants before and ≈ 120 of them after
  (paired by ``respondent_id``) plus a few who answered only after. Items come from a latent SOC
  per person, a factor per subscale and item noise; reverse-keyed items (DOMAIN.md §4.1) are
  stored as answered, so Cronbach's α is ≈ 0.88 for the total and ≈ 0.7–0.8 for the subscales;
  the mean total of the paired respondents rises by ≈ 5–6 points. ≈ 3 % of items are missing,
  mostly scattered, a few respondents with many missing.
* ``kasam_personal.csv``: staff SOC-29 cross-sections, waves ``2024`` and ``2025``, ≈ 40 staff
  each, partly the same people.
* ``nns_enkater.csv``: the NNS questionnaires of DOMAIN.md §4.2 / Tabell 2 (scale 1–6) for every
  respondent group, both förbund, waves ``2024H1`` … ``2025H2``; item columns ``nns_<id>`` with
  ``.`` → ``_``. Deltagare answer *under* the insats and *vid avslut* (some linked across the two by
  ``respondent_id``); personal rate a participant (under, avslut, månadsvis) with the participant's
  ``episod_id`` so indicator 7 can pair D and P; insatspersonal, förbundschef (n = 1 per förbund:
  a small cell), styrelse and parternas chefsgrupp answer half-yearly. Some items are left blank.
* ``fokusgrupper_segment.csv``: six focus-group sessions (deltagare and personal, both förbund),
  invented Swedish excerpts, coded by coders ``A`` and ``B`` with imperfect agreement (Cohen's κ
  per code ≈ 0.6–0.8) using the Team Work success factors ``ff1_individen_i_centrum``,
  ``ff2_samsyn``, ``ff3_motivation``, ``ff4_utflode`` and the DELTA staff themes
  ``delta_organisering``, ``delta_synsatt_kollegor``, ``delta_synsatt_sokande``,
  ``delta_yrkesroll``.
* ``rapporterat/team_work.csv``: Team Work's staffing in tjänster (1,65 + 0,75 = 2,40; source 003),
  with its declared sum.
* ``rapporterat/vuxenteamen.csv`` and ``rapporterat/vagen_ut.csv``: the figures reported by
  source documents 002 and 004, copied from DOMAIN.md §9 and the seed notes with their
  provenance (``verbatim`` / ``derived`` / ``reconstructed``); not random.

Deliberate imperfections (for the import report and the analyses to find): missing background
fields, ``okand`` education and income, closed episodes without an outcome, a felregistrering,
exits whose waiting period (Arbete ≥ 3 months, Avbruten kontakt) has not passed at extraction,
survey non-response and missing items, a förbundschef group of one, coder disagreement.
The inconsistent Vägen ut KASAM figures are reported as printed, not corrected.

Not written here: ``enhetskostnader.csv``, ``scenarier/``, ``malnivaer/``, ``mal/`` (hand-written
with sources by their modules' owners).
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
from datetime import date, timedelta
from pathlib import Path

import numpy as np

__all__ = [
    "DEFAULT_SEED",
    "EXTRACTION_DATE",
    "PERIOD_START",
    "PERIOD_END",
    "FORBUND",
    "INSATSER",
    "NNS_WAVES",
    "FILES",
    "generate",
    "cli",
]

#: Seed of the committed samples.
DEFAULT_SEED: int = 20260115

PERIOD_START = date(2023, 1, 1)
PERIOD_END = date(2025, 12, 31)
#: Date the (fictitious) extracts were taken; episodes without avslut then are open.
EXTRACTION_DATE = date(2026, 1, 15)

FORBUND = ("Norrdal", "Söderå")
INSATSER = ("Team Work", "Vuxenteamet", "Steget vidare")
NNS_WAVES = ("2024H1", "2024H2", "2025H1", "2025H2")
KASAM_STAFF_WAVES = ("2024", "2025")

#: Files written by :func:`generate`, relative to the output folder.
FILES: tuple[str, ...] = (
    "episoder.csv",
    "export_verksamhetssystem_sodera.csv",
    "mappningar/verksamhetssystem_sodera.yaml",
    "handelser.csv",
    "kasam_deltagare.csv",
    "kasam_personal.csv",
    "nns_enkater.csv",
    "fokusgrupper_segment.csv",
    "rapporterat/vuxenteamen.csv",
    "rapporterat/vagen_ut.csv",
    "rapporterat/team_work.csv",
)

EPISODE_COLUMNS = [
    "episod_id", "deltagare_id", "forbund", "insats", "kon", "fodelsear", "fodd_i_sverige",
    "utbildningsniva", "inskrivningsdatum", "avslutsdatum", "avslutsorsak", "sysselsattning_fore",
    "sysselsattning_efter", "forsorjning_fore", "forsorjning_efter", "omfattning_fore",
    "omfattning_efter", "samtycke", "anonym",
]

# --------------------------------------------------------------------------------------------
# Small deterministic helpers
# --------------------------------------------------------------------------------------------

_STREAMS = {"episodes": 1, "events": 2, "kasam": 3, "staff": 4, "nns": 5, "segments": 6}


def _rng(seed: int, stream: str) -> np.random.Generator:
    """One independent generator per table, so changing one table leaves the others alone."""
    return np.random.default_rng([int(seed), _STREAMS[stream]])


def _pseudo(prefix: str, seed: int, *parts) -> str:
    text = ":".join([str(seed), *map(str, parts)])
    return prefix + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _choice(rng: np.random.Generator, options, p=None):
    """Pick one element of ``options`` (a sequence) with probabilities ``p``."""
    if p is not None:
        p = np.asarray(p, dtype=float)
        p = p / p.sum()
    return options[int(rng.choice(len(options), p=p))]


def _fmt(value, float_fmt: str = ".1f", decimal: str = ".") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return ""
        return format(float(value), float_fmt).replace(".", decimal)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


def _csv_bytes(header: list[str], rows: list[list], *, delimiter: str = ",", newline: str = "\n",
               encoding: str = "utf-8") -> bytes:
    buf = _io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _add_months(d: date, months: float) -> date:
    return d + timedelta(days=int(round(months * 30.4375)))


# --------------------------------------------------------------------------------------------
# Episodes
# --------------------------------------------------------------------------------------------

# Seasonal intake weights, January … December, and a declining yearly volume (budget cuts).
_YEAR_TREND = {2023: 1.15, 2024: 1.0, 2025: 0.75}
_SEASON = np.array([1.1, 1.4, 1.4, 1.1, 1.0, 0.7, 0.25, 0.8, 1.5, 1.3, 1.1, 0.55])

# Exit taxonomies: code -> (share, median months in insats).
_EXITS_TEAMWORK = {
    "tw_arbete": (0.33, 8.0),
    "tw_studier": (0.16, 6.5),
    "tw_ratt_myndighet_aktivitetsstod": (0.06, 5.0),
    "tw_ratt_myndighet_sjukersattning": (0.04, 7.0),
    "tw_ratt_myndighet_missbruksbehandling": (0.03, 4.0),
    "tw_ratt_myndighet_kriminalvard": (0.01, 4.0),
    "tw_ratt_myndighet_sysselsattningsfas": (0.03, 6.0),
    "tw_ratt_myndighet_sius": (0.03, 6.0),
    "tw_ratt_myndighet_sjukskrivning": (0.05, 5.0),
    "tw_ratt_myndighet_annat_projekt": (0.04, 4.0),
    "tw_flytt": (0.07, 4.0),
    "tw_avbruten_kontakt": (0.15, 3.0),
}
# Shares of Vuxenteamen's T6 (002): 422 / 93 / 111 / 216 / 133 of 975.
_EXITS_DELTA = {
    "delta_arbete_utan_stod": (0.433, 9.0),
    "delta_arbete_subventionerat": (0.095, 9.0),
    "delta_studier": (0.114, 7.0),
    "delta_andra_insatser": (0.222, 6.0),
    "delta_okant_ej_aktuell": (0.136, 5.0),
}
_EXITS_SUS = {
    "forvarvsarbete": (0.34, 6.0),
    "studier": (0.15, 5.5),
    "aktivt_arbetssokande": (0.21, 5.0),
    "ovriga_avslutade": (0.28, 4.0),
    "felregistrering": (0.02, 0.5),
}
_REENTRY_EXITS = {
    "tw_avbruten_kontakt", "tw_flytt", "tw_ratt_myndighet_annat_projekt",
    "tw_ratt_myndighet_missbruksbehandling", "tw_ratt_myndighet_aktivitetsstod",
    "delta_andra_insatser", "ovriga_avslutade", "aktivt_arbetssokande",
}

_FORSORJNING_FORE = [
    ("forsorjningsstod", 0.36), ("a_kassa", 0.12), ("forsorjningsstod|a_kassa", 0.09),
    ("forsorjningsstod|aktivitetsstod", 0.10), ("aktivitetsstod", 0.08), ("sjukpenning", 0.06),
    ("forsorjningsstod|sjukpenning", 0.03), ("rehabiliteringspenning", 0.02),
    ("annan_ersattning", 0.03), ("ingen_ersattning", 0.06), ("lon|forsorjningsstod", 0.02),
    ("okand", 0.03),
]


def _sysselsattning_fore(rng) -> tuple[str, float]:
    s = _choice(rng, ["aktivt_arbetssokande", "ovriga", "forvarvsarbete", "studier"], [0.56, 0.33, 0.07, 0.04])
    omf = float(_choice(rng, [12.5, 25.0, 50.0], [0.4, 0.4, 0.2])) if s in ("forvarvsarbete", "studier") else 0.0
    return s, omf


def _outcome(rng, code: str, fore: str, omf_fore: float) -> tuple[str | None, str | None, float | None]:
    """Sysselsättning, försörjning and omfattning after an exit with reason ``code``."""
    cat = code.split("_", 1)[1] if code.startswith(("tw_", "delta_")) else code
    if cat in ("arbete", "arbete_utan_stod", "forvarvsarbete"):
        f = _choice(rng, ["lon", "subventionerad_anstallning", "lon|forsorjningsstod"], [0.78, 0.14, 0.08])
        if cat == "arbete_utan_stod":
            f = "lon"
        return "forvarvsarbete", f, float(_choice(rng, [100.0, 75.0, 50.0, 25.0], [0.5, 0.25, 0.2, 0.05]))
    if cat == "arbete_subventionerat":
        return "forvarvsarbete", "subventionerad_anstallning", float(_choice(rng, [100.0, 75.0, 50.0], [0.6, 0.2, 0.2]))
    if cat in ("studier",):
        f = _choice(rng, ["studiemedel", "studiemedel|forsorjningsstod", "aktivitetsstod"], [0.8, 0.1, 0.1])
        return "studier", f, float(_choice(rng, [100.0, 75.0, 50.0], [0.7, 0.15, 0.15]))
    if cat == "aktivt_arbetssokande":
        return "aktivt_arbetssokande", _choice(rng, ["a_kassa", "aktivitetsstod", "forsorjningsstod"], [0.3, 0.4, 0.3]), omf_fore
    if cat in ("ratt_myndighet_aktivitetsstod", "ratt_myndighet_sysselsattningsfas"):
        return "aktivt_arbetssokande", _choice(rng, ["aktivitetsstod", "a_kassa"], [0.7, 0.3]), 0.0
    if cat == "ratt_myndighet_sjukersattning":
        return "ovriga", _choice(rng, ["sjukersattning", "annan_ersattning"], [0.8, 0.2]), 0.0
    if cat == "ratt_myndighet_sjukskrivning":
        return "ovriga", "sjukpenning", 0.0
    if cat == "ratt_myndighet_sius":
        return "aktivt_arbetssokande", "aktivitetsstod", float(_choice(rng, [0.0, 25.0], [0.7, 0.3]))
    if cat in ("ratt_myndighet_missbruksbehandling", "ratt_myndighet_kriminalvard"):
        return "ovriga", _choice(rng, ["forsorjningsstod", "ingen_ersattning"], [0.8, 0.2]), 0.0
    if cat in ("ratt_myndighet_annat_projekt", "andra_insatser", "ovriga_avslutade"):
        return "ovriga", _choice(rng, [fore, "forsorjningsstod", "sjukpenning"], [0.6, 0.25, 0.15]), 0.0
    if cat == "okant_ej_aktuell":
        return None, _choice(rng, ["okand", "ingen_ersattning"], [0.7, 0.3]), None
    if cat in ("flytt", "avbruten_kontakt"):
        # outcome usually unknown: deliberately missing
        if rng.random() < 0.6:
            return None, None, None
        return "ovriga", "okand", None
    return None, None, None  # felregistrering


def _birth_and_pnr(rng, fodelsear: int, kon: str | None, used: set) -> str:
    """A fictitious, checksum-valid personnummer (12 digits, ``YYYYMMDD-NNNC``)."""
    from stdnum import luhn

    while True:
        day = date(fodelsear, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
        serial = int(rng.integers(10, 99))
        sex = int(rng.integers(0, 5)) * 2 + (1 if kon == "man" else 0)
        digits = f"{day:%y%m%d}{serial:02d}{sex}"
        pnr = f"{day:%Y%m%d}-{serial:02d}{sex}{luhn.calc_check_digit(digits)}"
        if pnr not in used:
            used.add(pnr)
            return pnr


def _intake_dates(rng, n: int, stop: tuple[date, date] | None) -> list[date]:
    months = [(y, m) for y in (2023, 2024, 2025) for m in range(1, 13)]
    w = np.array([_SEASON[m - 1] * _YEAR_TREND[y] for y, m in months])
    if stop is not None:
        for i, (y, m) in enumerate(months):
            if stop[0] <= date(y, m, 1) <= stop[1]:
                w[i] = 0.0
    idx = rng.choice(len(months), size=n, p=w / w.sum())
    out = []
    for i in idx:
        y, m = months[int(i)]
        last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
        d = date(y, m, int(rng.integers(1, last + 1)))
        while d.weekday() >= 5:  # registrations on weekdays
            d -= timedelta(days=1)
        out.append(max(d, PERIOD_START) if d >= PERIOD_START else PERIOD_START + timedelta(days=1))
    return sorted(out)


def _episode(rng, person: dict, forbund: str, insats: str, start: date) -> dict:
    taxonomy = (_EXITS_TEAMWORK if forbund == "Norrdal"
                else _EXITS_DELTA if insats == "Vuxenteamet" else _EXITS_SUS)
    codes = list(taxonomy)
    code = _choice(rng, codes, [taxonomy[c][0] for c in codes])
    median = 0.85 * taxonomy[code][1] * (1.15 if insats == "Vuxenteamet" else 1.0)
    months = float(np.exp(np.log(median) + 0.55 * rng.standard_normal()))
    months = max(months, 0.3)
    end = _add_months(start, months)
    while end.weekday() >= 5:
        end += timedelta(days=1)
    sys_fore, omf_fore = _sysselsattning_fore(rng)
    fore = _choice(rng, [f for f, _ in _FORSORJNING_FORE], [p for _, p in _FORSORJNING_FORE])
    ep = dict(forbund=forbund, insats=insats, inskrivningsdatum=start,
              sysselsattning_fore=sys_fore, omfattning_fore=omf_fore, forsorjning_fore=fore,
              samtycke=not person["anonym"], anonym=person["anonym"])
    if end > PERIOD_END:  # still open at extraction
        ep.update(avslutsdatum=None, avslutsorsak=None, sysselsattning_efter=None,
                  forsorjning_efter=None, omfattning_efter=None)
    else:
        sys_e, f_e, omf_e = _outcome(rng, code, fore, omf_fore)
        ep.update(avslutsdatum=end, avslutsorsak=code, sysselsattning_efter=sys_e,
                  forsorjning_efter=f_e, omfattning_efter=omf_e)
    if person["anonym"]:
        ep["samtycke"] = False
    return ep


def _make_episodes(seed: int) -> list[dict]:
    """All episodes of both förbund as dicts in model codes (Söderå incl. personnummer)."""
    rng = _rng(seed, "episodes")
    plan = {"Norrdal": (310, ["Team Work", "Steget vidare"], [0.6, 0.4], None),
            "Söderå": (265, ["Vuxenteamet", "Steget vidare"], [0.6, 0.4], (date(2025, 6, 1), date(2025, 8, 1)))}
    used_pnr: set = set()
    episodes: list[dict] = []
    counter = 0
    for forbund, (n, insatser, p_ins, stop) in plan.items():
        for start in _intake_dates(rng, n, stop):
            counter += 1
            anonym = bool(rng.random() < 0.04)
            age = int(np.clip(np.round(18 + rng.gamma(2.2, 8.0)), 18, 64))
            kon = _choice(rng, ["kvinna", "man", "annat"], [0.45, 0.545, 0.005] if forbund == "Norrdal" else [0.45, 0.55, 0.0])
            person = dict(
                deltagare_id=_pseudo("D-", seed, counter), anonym=anonym, kon=kon,
                fodelsear=start.year - age,
                fodd_i_sverige=bool(rng.random() < (0.55 if forbund == "Norrdal" else 0.4)),
                utbildningsniva=_choice(rng, ["forgymnasial", "gymnasial", "eftergymnasial", "okand"],
                                        [0.36, 0.39, 0.15, 0.10]),
            )
            if anonym:
                person.update(fodd_i_sverige=None, utbildningsniva=None)
            elif rng.random() < 0.02:
                person["fodd_i_sverige"] = None
            person["personnummer"] = (None if anonym or forbund != "Söderå"
                                      else _birth_and_pnr(rng, person["fodelsear"], kon, used_pnr))
            insats = _choice(rng, insatser, p_ins)
            ep = _episode(rng, person, forbund, insats, start)
            ep.update({k: v for k, v in person.items() if k not in ("anonym",)})
            episodes.append(ep)
            # re-entry: a second episode after some exits
            if (not anonym and ep["avslutsorsak"] in _REENTRY_EXITS and rng.random() < 0.35):
                start2 = _add_months(ep["avslutsdatum"], 2 + 9 * rng.random())
                while start2.weekday() >= 5:
                    start2 += timedelta(days=1)
                if start2 <= date(2025, 11, 30):
                    ins2 = insats if rng.random() < 0.6 else _choice(rng, insatser)
                    ep2 = _episode(rng, person, forbund, ins2, start2)
                    ep2.update({k: v for k, v in person.items() if k not in ("anonym",)})
                    episodes.append(ep2)
    # episode ids: per förbund and intake year, numbered in intake order
    episodes.sort(key=lambda e: (e["forbund"] != "Norrdal", e["inskrivningsdatum"], e["deltagare_id"]))
    seq: dict = {}
    for ep in episodes:
        key = (ep["forbund"], ep["inskrivningsdatum"].year)
        seq[key] = seq.get(key, 0) + 1
        prefix = "ND" if ep["forbund"] == "Norrdal" else "SO"
        ep["episod_id"] = f"{prefix}-{key[1]}-{seq[key]:04d}"
    return episodes


def _episodes_csv(episodes: list[dict]) -> bytes:
    rows = []
    for ep in episodes:
        if ep["forbund"] != "Norrdal":
            continue
        rows.append([_fmt(ep.get(c)) for c in EPISODE_COLUMNS])
    return _csv_bytes(EPISODE_COLUMNS, rows)


# --- Söderå case-system export ---------------------------------------------------------------

_SO_KON = {"kvinna": "Kvinna", "man": "Man"}
_SO_JANEJ = {True: "Ja", False: "Nej"}
_SO_UTB = {"forgymnasial": "Förgymnasial", "gymnasial": "Gymnasial", "eftergymnasial": "Eftergymnasial",
           "okand": "Uppgift saknas"}
_SO_SYSS = {"forvarvsarbete": "Förvärvsarbete", "studier": "Studier",
            "aktivt_arbetssokande": "Aktivt arbetssökande", "ovriga": "Övriga"}
_SO_FORS = {"lon": "Lön", "subventionerad_anstallning": "Subventionerad anställning",
            "studiemedel": "Studiemedel", "forsorjningsstod": "Försörjningsstöd", "a_kassa": "A-kassa",
            "aktivitetsstod": "Aktivitetsstöd", "sjukpenning": "Sjukpenning", "sjukersattning": "Sjukersättning",
            "rehabiliteringspenning": "Rehabiliteringspenning", "annan_ersattning": "Annan ersättning",
            "ingen_ersattning": "Ingen ersättning", "okand": "Okänd"}
_SO_ORSAK = {
    "delta_arbete_utan_stod": "Arbete utan offentligt stöd",
    "delta_arbete_subventionerat": "Arbete med anställningsstöd/lönebidrag/starta eget",
    "delta_studier": "Studier (med CSN-lån)",
    "delta_andra_insatser": "Behov av andra insatser",
    "delta_okant_ej_aktuell": "Okänt men ej aktuell",
    "forvarvsarbete": "Förvärvsarbete",
    "studier": "Studier",
    "aktivt_arbetssokande": "Aktivt arbetssökande",
    "ovriga_avslutade": "Övriga avslutade",
    "felregistrering": "Felregistrering",
}
# source header -> model column, in the export's own column order
_SO_COLUMNS = [
    ("Ärende-ID", "episod_id"), ("Insats", "insats"), ("Personnummer", "personnummer"),
    ("Inskrivningsdatum", "inskrivningsdatum"), ("Handläggare", None), ("Kön", "kon"),
    ("Födelseår", "fodelsear"), ("Född i Sverige", "fodd_i_sverige"), ("Utbildning", "utbildningsniva"),
    ("Samtycke", "samtycke"), ("Anonym deltagare", "anonym"),
    ("Försörjning före", "forsorjning_fore"), ("Sysselsättning före", "sysselsattning_fore"),
    ("Omfattning före (%)", "omfattning_fore"), ("Avslutsdatum", "avslutsdatum"),
    ("Avslutsorsak", "avslutsorsak"), ("Sysselsättning efter", "sysselsattning_efter"),
    ("Försörjning efter", "forsorjning_efter"), ("Omfattning efter (%)", "omfattning_efter"),
    ("Kommentar", None),
]
_HANDLAGGARE = ["AB", "CL", "EK", "JN", "MS", "PW", "SH"]
_KOMMENTARER = ["Remiss från Arbetsförmedlingen", "Tolk behövs vid möten", "Avbokat möte, ny tid bokad",
                "Trepartssamtal genomfört", "Praktikplats på lager", "Väntar på besked från vården",
                "Deltar i språkstöd", "Ny handläggare från och med hösten"]


def _so_date(d: date | None) -> str:
    return "" if d is None else f"{d.day}/{d.month}/{d.year}"


def _so_pct(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else _fmt(float(x), ".1f", ",")


def _so_multi(v: str | None) -> str:
    return "" if v is None else ", ".join(_SO_FORS[c] for c in v.split("|"))


def _export_csv(seed: int, episodes: list[dict]) -> bytes:
    rng = np.random.default_rng([int(seed), 99])
    rows = []
    for ep in episodes:
        if ep["forbund"] != "Söderå":
            continue
        cells = {
            "episod_id": ep["episod_id"], "insats": ep["insats"], "personnummer": ep["personnummer"] or "",
            "inskrivningsdatum": _so_date(ep["inskrivningsdatum"]), "kon": _SO_KON.get(ep["kon"], ""),
            "fodelsear": str(ep["fodelsear"]),
            "fodd_i_sverige": "" if ep["fodd_i_sverige"] is None else _SO_JANEJ[ep["fodd_i_sverige"]],
            "utbildningsniva": "" if ep["utbildningsniva"] is None else _SO_UTB[ep["utbildningsniva"]],
            "samtycke": _SO_JANEJ[ep["samtycke"]], "anonym": _SO_JANEJ[ep["anonym"]],
            "forsorjning_fore": _so_multi(ep["forsorjning_fore"]),
            "sysselsattning_fore": _SO_SYSS[ep["sysselsattning_fore"]],
            "omfattning_fore": _so_pct(ep["omfattning_fore"]),
            "avslutsdatum": _so_date(ep["avslutsdatum"]),
            "avslutsorsak": "" if ep["avslutsorsak"] is None else _SO_ORSAK[ep["avslutsorsak"]],
            "sysselsattning_efter": "" if ep["sysselsattning_efter"] is None else _SO_SYSS[ep["sysselsattning_efter"]],
            "forsorjning_efter": _so_multi(ep["forsorjning_efter"]),
            "omfattning_efter": _so_pct(ep["omfattning_efter"]),
        }
        handl = _HANDLAGGARE[int(rng.integers(0, len(_HANDLAGGARE)))]
        komm = _KOMMENTARER[int(rng.integers(0, len(_KOMMENTARER)))] if rng.random() < 0.25 else ""
        rows.append([handl if h == "Handläggare" else komm if h == "Kommentar" else cells[m]
                     for h, m in _SO_COLUMNS])
    return _csv_bytes([h for h, _ in _SO_COLUMNS], rows, delimiter=";", newline="\r\n", encoding="cp1252")


def _yaml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mapping_yaml() -> bytes:
    def block(col: str, mapping: dict) -> list[str]:
        items = ", ".join(f"{_yaml_str(v)}: {k if not isinstance(k, bool) else str(k).lower()}"
                          for k, v in mapping.items())
        return [f"  {col}: {{{items}}}"]

    lines = [
        "# Mapping of the Söderå case-system export onto the episoder schema.",
        "# Written by evaluation.samples (fictitious sample data); edit the generator, not this file.",
        "entity: episoder",
        "source: Verksamhetssystem Söderå (export)",
        'read: {delimiter: ";", encoding: cp1252, decimal: ",", dayfirst: true}',
        "columns:",
    ]
    for header, model in _SO_COLUMNS:
        if model is not None:
            lines.append(f"  {_yaml_str(header)}: {model}")
    lines.append("# Not in the model (listed as unmapped by the import report): Handläggare, Kommentar")
    lines.append("values:")
    lines += block("kon", _SO_KON)
    lines += block("fodd_i_sverige", _SO_JANEJ)
    lines += block("samtycke", _SO_JANEJ)
    lines += block("anonym", _SO_JANEJ)
    lines += block("utbildningsniva", _SO_UTB)
    lines += block("sysselsattning_fore", _SO_SYSS)
    lines += block("sysselsattning_efter", _SO_SYSS)
    lines += block("forsorjning_fore", _SO_FORS)
    lines += block("forsorjning_efter", _SO_FORS)
    lines += block("avslutsorsak", _SO_ORSAK)
    lines.append('multi: {forsorjning_fore: ", ", forsorjning_efter: ", "}')
    lines.append("constants: {forbund: Söderå}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------

def _events_csv(seed: int, episodes: list[dict]) -> bytes:
    rng = _rng(seed, "events")
    limit = min(PERIOD_END, EXTRACTION_DATE)
    rows: list[tuple] = []
    for ep in sorted(episodes, key=lambda e: e["episod_id"]):
        eid, start, end = ep["episod_id"], ep["inskrivningsdatum"], ep["avslutsdatum"]
        stop = end or limit
        ev: list[tuple[date, str]] = []
        if not ep["anonym"]:
            ev.append((start, "samtycke"))
        first = start + timedelta(days=int(rng.integers(2, 21)))
        if first <= stop:
            ev.append((first, "forsta_mote"))
            kart = first + timedelta(days=int(rng.choice([3, 5, 7, 7, 10, 14, 21])))
            if kart <= stop:
                ev.append((kart, "kartlaggning"))
            on_time = rng.random() < 0.71
            lag = int(rng.integers(14, 36)) if on_time else int(rng.integers(36, 90))
            plan = first + timedelta(days=lag)
            if plan <= stop:
                ev.append((plan, "handlingsplan"))
                d = plan
                n = 0
                while True:
                    d = d + timedelta(days=int(rng.integers(24, 42)))
                    if d >= stop:
                        break
                    n += 1
                    ev.append((d, "plan_reviderad" if n % 5 == 0 and rng.random() < 0.7 else "avstamning"))
        if end is not None:
            ev.append((end, "avslut"))
            orsak = ep["avslutsorsak"] or ""
            p_back = (0.3 if any(k in orsak for k in ("avbruten", "andra_insatser", "ovriga", "flytt"))
                      else 0.15 if "ratt_myndighet" in orsak or orsak == "aktivt_arbetssokande"
                      else 0.07)
            if rng.random() < p_back:
                back = end + timedelta(days=int(rng.integers(30, 365)))
                kind = "forsorjningsstod_ater" if rng.random() < 0.45 else "aterkontakt"
                if back < EXTRACTION_DATE:
                    ev.append((back, kind))
        seen = set()
        for d, h in sorted(ev):
            if (d, h) not in seen:
                seen.add((d, h))
                rows.append((eid, d, h))
    return _csv_bytes(["episod_id", "datum", "handelse"], [[e, _fmt(d), h] for e, d, h in rows])


# --------------------------------------------------------------------------------------------
# SOC-29 (KASAM)
# --------------------------------------------------------------------------------------------

SOC29_REVERSE = (1, 4, 5, 6, 7, 11, 13, 14, 16, 20, 23, 25, 27)  # DOMAIN.md §4.1
SURVEY_META = ["respondent_id", "respondentgrupp", "forbund", "insats", "episod_id", "kon", "vag",
               "tidpunkt", "datum", "instrument", "formversion"]


#: SOC-29 subscales (DOMAIN.md §4.1): begriplighet, hanterbarhet, meningsfullhet.
SOC29_SUBSCALE_ITEMS = (
    (1, 3, 5, 10, 12, 15, 17, 19, 21, 24, 26),
    (2, 6, 9, 13, 18, 20, 23, 25, 27, 29),
    (4, 7, 8, 11, 14, 16, 22, 28),
)
_SUBSCALE_OF = np.array([next(s for s, items in enumerate(SOC29_SUBSCALE_ITEMS) if i in items)
                         for i in range(1, 30)])


def _soc_items(rng, latent: np.ndarray, sub_latent: np.ndarray, intercepts: np.ndarray,
               loading: float = 0.42, sub_loading: float = 0.3, spread: float = 1.25) -> np.ndarray:
    """Scored (positive-direction) item values 1..7 from a latent SOC per person (rows).

    item = intercept + spread · (loading · SOC + sub_loading · subscale factor + noise), rounded
    and clipped to 1..7; the general factor gives α ≈ 0.88 for the total, the subscale factor
    subscale α ≈ 0.7–0.8.
    """
    n, k = len(latent), len(intercepts)
    noise = rng.standard_normal((n, k))
    resid = np.sqrt(1 - loading**2 - sub_loading**2)
    raw = intercepts[None, :] + spread * (loading * latent[:, None] + sub_loading * sub_latent[:, _SUBSCALE_OF]
                                          + resid * noise)
    return np.clip(np.rint(raw), 1, 7).astype(int)


def _as_answered(scored: np.ndarray) -> np.ndarray:
    """Reverse-key back to the answered value for the reverse items (answered = 8 − scored)."""
    out = scored.copy()
    for item in SOC29_REVERSE:
        out[:, item - 1] = 8 - out[:, item - 1]
    return out


def _missing(rng, values: np.ndarray, p: float, heavy: int, heavy_range=(8, 16)) -> np.ndarray:
    """Blank 1–3 items for a share ``p`` of respondents and many items for ``heavy`` respondents."""
    vals = values.astype(float)
    for r in np.flatnonzero(rng.random(len(vals)) < p):
        k = int(rng.integers(1, 4))
        vals[r, rng.choice(vals.shape[1], size=k, replace=False)] = np.nan
    for r in rng.choice(len(vals), size=min(heavy, len(vals)), replace=False):
        k = int(rng.integers(*heavy_range))
        vals[r, rng.choice(vals.shape[1], size=k, replace=False)] = np.nan
    return vals


def _item_cells(vals: np.ndarray) -> list[list[str]]:
    return [["" if np.isnan(v) else str(int(v)) for v in row] for row in vals]


def _kasam_deltagare_csv(seed: int, episodes: list[dict]) -> bytes:
    rng = _rng(seed, "kasam")
    eligible = [e for e in episodes if not e["anonym"] and e["inskrivningsdatum"] <= date(2025, 6, 30)]
    idx = sorted(rng.choice(len(eligible), size=168, replace=False))
    chosen = [eligible[i] for i in idx]
    n = len(chosen)
    intercepts = 4.45 + 0.45 * rng.standard_normal(29)
    theta = rng.standard_normal(n)
    theta_after = 0.8 * theta + 0.6 * rng.standard_normal(n) + 0.38
    eta = rng.standard_normal((n, 3))
    eta_after = 0.8 * eta + 0.6 * rng.standard_normal((n, 3))
    before = _soc_items(rng, theta, eta, intercepts)
    after = _soc_items(rng, theta_after, eta_after, intercepts)
    order = rng.permutation(n)
    only_after = set(order[:8].tolist())
    paired = set(order[8:130].tolist())  # 122 answered both
    both_before = [i for i in range(n) if i not in only_after]
    vb = _missing(rng, _as_answered(before), 0.25, heavy=4)
    va = _missing(rng, _as_answered(after), 0.25, heavy=3)
    cells_b, cells_a = _item_cells(vb), _item_cells(va)
    rows = []
    for i, ep in enumerate(chosen):
        rid = _pseudo("R-", seed, "kasam", ep["episod_id"])
        base = [rid, "deltagare", ep["forbund"], ep["insats"], ep["episod_id"], ep["kon"] or ""]
        if i in both_before:
            d = ep["inskrivningsdatum"] + timedelta(days=int(rng.integers(0, 15)))
            rows.append((d, base + ["fore", "fore", _fmt(d), "soc29", "sv"] + cells_b[i]))
        if i in only_after or i in paired:
            end = ep["avslutsdatum"] or _add_months(ep["inskrivningsdatum"], 12)
            d = min(end + timedelta(days=int(rng.integers(-10, 15))), PERIOD_END)
            d = max(d, ep["inskrivningsdatum"] + timedelta(days=30))
            rows.append((d, base + ["efter", "efter", _fmt(d), "soc29", "sv"] + cells_a[i]))
    rows.sort(key=lambda r: (r[0], r[1][0], r[1][6]))
    header = SURVEY_META + [f"soc29_{j}" for j in range(1, 30)]
    return _csv_bytes(header, [r[1] for r in rows])


def _kasam_personal_csv(seed: int) -> bytes:
    rng = _rng(seed, "staff")
    n_staff = 58
    intercepts = 5.15 + 0.4 * rng.standard_normal(29)
    theta = rng.standard_normal(n_staff)
    eta = rng.standard_normal((n_staff, 3))
    forb = [FORBUND[int(i)] for i in rng.integers(0, 2, n_staff)]
    insats = [_choice(rng, ["Team Work", "Steget vidare"]) if f == "Norrdal"
              else _choice(rng, ["Vuxenteamet", "Steget vidare"]) for f in forb]
    kon = [_choice(rng, ["kvinna", "man"], [0.7, 0.3]) for _ in range(n_staff)]
    # wave 2024: staff 0..39; wave 2025: staff 18..57 (22 in both)
    waves = {"2024": range(0, 40), "2025": range(18, 58)}
    shift = {"2024": 0.0, "2025": -0.15}
    rows = []
    for wave, members in waves.items():
        members = list(members)
        th = theta[members] * 0.9 + 0.44 * rng.standard_normal(len(members)) + shift[wave]
        vals = _missing(rng, _as_answered(_soc_items(rng, th, eta[members], intercepts)), 0.12, heavy=1)
        cells = _item_cells(vals)
        for j, s in enumerate(members):
            d = date(int(wave), 10, 1) + timedelta(days=int(rng.integers(0, 28)))
            rows.append([_pseudo("P-", seed, "staff", s), "insatspersonal", forb[s], insats[s], "", kon[s],
                         wave, "tvarsnitt", _fmt(d), "soc29", "sv"] + cells[j])
    rows.sort(key=lambda r: (r[6], r[8], r[0]))
    header = SURVEY_META + [f"soc29_{j}" for j in range(1, 30)]
    return _csv_bytes(header, rows)


# --------------------------------------------------------------------------------------------
# NNS kärnindikatorer
# --------------------------------------------------------------------------------------------

NNS_ITEMS = ("1U", "1A", "2U", "2A", "3U", "3A", "3P", "4U", "4A", "5U", "5A", "6a", "6b", "7D", "7P",
             "8.1", "8.2", "9a", "9b", "9c", "9D", "10", "12", "13a", "13b", "14a", "14b", "15")
#: (respondentgrupp, tidpunkt) -> items, per DOMAIN.md §4.2 and Tabell 2.
NNS_FORMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("deltagare", "under"): ("1U", "2U", "3U", "4U", "5U", "7D", "9D"),
    ("deltagare", "avslut"): ("1A", "2A", "3A", "4A", "5A", "6a", "6b", "7D", "9D"),
    ("personal", "under"): ("3P", "7P"),
    ("personal", "avslut"): ("3P", "6a", "7P"),
    ("personal", "manadsvis"): ("7P",),
    ("insatspersonal", "halvar"): ("8.1", "8.2", "9a", "9b", "10", "12", "13a", "13b"),
    ("forbundschef", "halvar"): ("9a", "9b", "9c", "10"),
    ("styrelse", "halvar"): ("12", "14a", "14b"),
    ("parternas_chefsgrupp", "halvar"): ("12", "15"),
}


def _nns_col(item: str) -> str:
    return "nns_" + item.replace(".", "_")


def _wave_window(wave: str) -> tuple[date, date]:
    y, h = int(wave[:4]), wave[-1]
    return (date(y, 1, 1), date(y, 6, 30)) if h == "1" else (date(y, 7, 1), date(y, 12, 31))


def _nns_csv(seed: int, episodes: list[dict]) -> bytes:
    rng = _rng(seed, "nns")
    item_mean = {it: 4.3 + 0.5 * rng.standard_normal() for it in NNS_ITEMS}
    forb_eff = {"Norrdal": 0.25, "Söderå": -0.1}
    wave_eff = {w: 0.08 * i for i, w in enumerate(NNS_WAVES)}
    rows: list[tuple] = []

    def answer(group, tid, forbund, wave, rid, d, ep=None, person_eff=0.0):
        items = NNS_FORMS[(group, tid)]
        vals = {}
        for it in items:
            x = item_mean[it] + forb_eff[forbund] + wave_eff[wave] + person_eff + 0.9 * rng.standard_normal()
            vals[it] = None if rng.random() < 0.04 else int(np.clip(np.rint(x), 1, 6))
        meta = [rid, group, forbund, ep["insats"] if ep else "", ep["episod_id"] if ep else "",
                (ep["kon"] or "") if ep else "", wave, tid, _fmt(d), "nns", "nns-2014"]
        cells = ["" if it not in vals or vals[it] is None else str(vals[it]) for it in NNS_ITEMS]
        rows.append((wave, forbund, group, tid, rid, meta + cells))

    staff_ids = {f: [_pseudo("P-", seed, "nns-staff", f, i) for i in range(14)] for f in FORBUND}
    for wave in NNS_WAVES:
        w0, w1 = _wave_window(wave)
        mid = w0 + timedelta(days=120)
        for forbund in FORBUND:
            eps = [e for e in episodes if e["forbund"] == forbund and not e["anonym"]]
            active = [e for e in eps if e["inskrivningsdatum"] <= mid and (e["avslutsdatum"] is None or e["avslutsdatum"] > mid)]
            ended = [e for e in eps if e["avslutsdatum"] is not None and w0 <= e["avslutsdatum"] <= w1]
            # deltagare under: a sample of the active participants
            for e in [active[i] for i in sorted(rng.choice(len(active), size=min(len(active), 26), replace=False))]:
                rid = _pseudo("N-", seed, "nns", e["episod_id"])
                answer("deltagare", "under", forbund, wave, rid, mid + timedelta(days=int(rng.integers(0, 30))), e,
                       0.4 * rng.standard_normal())
                if rng.random() < 0.5:  # staff rating of the same participant
                    answer("personal", "under", forbund, wave, _pseudo("PD-", seed, e["episod_id"], wave, "u"),
                           mid + timedelta(days=int(rng.integers(0, 30))), e, 0.3)
                if rng.random() < 0.3:
                    answer("personal", "manadsvis", forbund, wave, _pseudo("PD-", seed, e["episod_id"], wave, "m"),
                           mid - timedelta(days=int(rng.integers(0, 60))), e, 0.3)
            # deltagare vid avslut: about half of those who ended this half-year; linked ids
            for e in ended:
                if e["avslutsorsak"] == "felregistrering":
                    continue
                rid = _pseudo("N-", seed, "nns", e["episod_id"])
                eff = 0.3 if any(k in e["avslutsorsak"] for k in ("arbete", "studier", "forvarvs")) else -0.3
                if rng.random() < 0.5:
                    answer("deltagare", "avslut", forbund, wave, rid, e["avslutsdatum"], e, eff)
                if rng.random() < 0.6:
                    answer("personal", "avslut", forbund, wave, _pseudo("PD-", seed, e["episod_id"], wave, "a"),
                           e["avslutsdatum"], e, eff)
            # half-yearly groups
            for sid in [s for s in staff_ids[forbund] if rng.random() < 0.85]:
                answer("insatspersonal", "halvar", forbund, wave, sid, w1 - timedelta(days=int(rng.integers(20, 50))))
            answer("forbundschef", "halvar", forbund, wave, _pseudo("FC-", seed, forbund),
                   w1 - timedelta(days=int(rng.integers(20, 50))))
            for i in range(int(rng.integers(5, 9))):
                answer("styrelse", "halvar", forbund, wave, _pseudo("S-", seed, forbund, i),
                       w1 - timedelta(days=int(rng.integers(20, 50))))
            for i in range(int(rng.integers(3, 7))):
                answer("parternas_chefsgrupp", "halvar", forbund, wave, _pseudo("PC-", seed, forbund, i),
                       w1 - timedelta(days=int(rng.integers(20, 50))))
    order = {g: i for i, g in enumerate(["deltagare", "personal", "insatspersonal", "forbundschef", "styrelse",
                                         "parternas_chefsgrupp"])}
    rows.sort(key=lambda r: (r[0], FORBUND.index(r[1]), order[r[2]], r[3], r[4]))
    header = SURVEY_META + [_nns_col(it) for it in NNS_ITEMS]
    return _csv_bytes(header, [r[5] for r in rows])


# --------------------------------------------------------------------------------------------
# Focus groups
# --------------------------------------------------------------------------------------------

CODES = ("ff1_individen_i_centrum", "ff2_samsyn", "ff3_motivation", "ff4_utflode",
         "delta_organisering", "delta_synsatt_kollegor", "delta_synsatt_sokande", "delta_yrkesroll")

# Invented excerpts per (code, speaker role).
_UTTERANCES: dict[tuple[str, str], list[str]] = {
    ("ff1_individen_i_centrum", "deltagare"): [
        "Det var första gången någon frågade vad jag själv ville jobba med.",
        "Jag fick bestämma takten, ingen tvingade mig till något jag inte var redo för.",
        "De lyssnade på mig och planen byggde på mina egna mål.",
        "Det kändes som att jag var en person och inte ett ärende.",
    ],
    ("ff1_individen_i_centrum", "personal"): [
        "Vi utgår från deltagarens egna önskemål när vi skriver handlingsplanen.",
        "Det är individen som styr, vi anpassar insatsen efter personen och inte tvärtom.",
        "Vi träffar deltagaren där det passar deltagaren, ibland på ett kafé.",
    ],
    ("ff2_samsyn", "deltagare"): [
        "Det var skönt att slippa berätta samma sak för tre olika handläggare.",
        "Alla satt i samma rum och pratade med varandra i stället för om mig.",
    ],
    ("ff2_samsyn", "personal"): [
        "Vi har fått en gemensam bild av deltagaren i teamet.",
        "Förr skickade vi papper mellan myndigheterna, nu sitter vi ner tillsammans.",
        "Vi förstår varandras regelverk mycket bättre än när vi började.",
    ],
    ("ff3_motivation", "deltagare"): [
        "Jag fick tillbaka lusten att försöka igen.",
        "När jag märkte att de trodde på mig började jag tro på mig själv.",
        "Jag ser fram emot att gå upp på morgonen nu.",
    ],
    ("ff3_motivation", "personal"): [
        "Det är roligare att gå till jobbet när man ser att det händer något.",
        "Vi vågar pröva nya arbetssätt och jobbet känns mer kreativt.",
        "Utbildningsdagarna gav oss ny energi i arbetet.",
    ],
    ("ff4_utflode", "deltagare"): [
        "Efter praktiken fick jag en anställning på lagret.",
        "Jag kom in på en utbildning till undersköterska i höstas.",
        "Det gick mycket snabbare att komma vidare än jag hade trott.",
    ],
    ("ff4_utflode", "personal"): [
        "Deltagarna kommer tidigare till rätt insats när vi samarbetar.",
        "Flera har gått vidare till studier eller arbete under året.",
        "Några har fått hjälp av rätt myndighet i stället för att bli kvar hos oss.",
    ],
    ("delta_organisering", "personal"): [
        "Vi organiserar arbetet på ett annat sätt nu, med gemensamma genomgångar varje vecka.",
        "En chef och en budget gör att beslut fattas mycket snabbare.",
        "Det tog tid innan rutinerna för samordningen satte sig.",
        "Ibland krockar hemorganisationens regler med hur vi vill arbeta i teamet.",
    ],
    ("delta_synsatt_kollegor", "personal"): [
        "Revirtänkandet har minskat och vi har fått ett gemensamt språk.",
        "Jag har fått stor respekt för hur kollegorna på Försäkringskassan arbetar.",
        "Nu ringer jag hellre en kollega än skickar en remiss.",
    ],
    ("delta_synsatt_sokande", "personal"): [
        "Vi ser hela människan nu och inte bara den del som rör vår myndighet.",
        "Insatserna går parallellt i stället för att den sökande väntar i kö mellan oss.",
        "Jag ser mer till vad personen kan än till vad som saknas.",
    ],
    ("delta_yrkesroll", "personal"): [
        "Min yrkesroll har förändrats, jag är mer av en coach än en handläggare.",
        "Det var svårt i början att släppa myndighetsrollen.",
        "Jag har lärt mig mycket om arbetsmarknaden som socialsekreterare.",
    ],
}

_SESSIONS = [  # session, förbund, grupp, tidpunkt, datum, segments
    ("FG1", "Norrdal", "deltagare", "2024H1", date(2024, 5, 14), 18),
    ("FG2", "Norrdal", "personal", "2024H2", date(2024, 11, 20), 20),
    ("FG3", "Söderå", "deltagare", "2025H1", date(2025, 3, 26), 17),
    ("FG4", "Söderå", "personal", "2025H1", date(2025, 5, 7), 20),
    ("FG5", "Norrdal", "personal", "2025H2", date(2025, 10, 15), 18),
    ("FG6", "Söderå", "deltagare", "2025H2", date(2025, 11, 12), 16),
]


def _segments_csv(seed: int) -> bytes:
    rng = _rng(seed, "segments")
    header = ["segment_id", "session", "dokument", "forbund", "grupp", "tidpunkt", "datum", "niva",
              "talarroll", "talare_id", "kodare", "kod", "start", "slut", "text"]
    rows = []
    for session, forbund, grupp, tid, d, n_seg in _SESSIONS:
        codes = [c for c in CODES if (c, grupp) in _UTTERANCES]
        weights = np.array([2.0 if c.startswith("delta") == (grupp == "personal") else 1.0 for c in codes])
        dokument = f"fokusgrupp_{session.lower()}_{forbund.lower().replace('å', 'a').replace('ö', 'o')}_{grupp}.txt"
        offset = 0
        n_speakers = int(rng.integers(4, 8))
        for s in range(1, n_seg + 1):
            true = [_choice(rng, codes, weights)]
            if rng.random() < 0.3:
                other = _choice(rng, [c for c in codes if c != true[0]])
                true.append(other)
            pools = [_UTTERANCES[(c, grupp)] for c in true]
            text = " ".join(p[int(rng.integers(0, len(p)))] for p in pools)
            seg_id = f"{session}-{s:02d}"
            talare = f"{session}-T{int(rng.integers(1, n_speakers + 1))}"
            start, end = offset, offset + len(text)
            offset = end + 1  # one newline between utterances in the transcript
            for coder in ("A", "B"):
                got = [c for c in true if rng.random() < 0.78]
                if rng.random() < 0.16:
                    extra = _choice(rng, codes)
                    if extra not in got:
                        got.append(extra)
                if not got:
                    got = [true[0]]
                for c in sorted(got, key=CODES.index):
                    rows.append([seg_id, session, dokument, forbund, grupp, tid, _fmt(d), grupp, grupp, talare,
                                 coder, c, str(start), str(end), text])
    return _csv_bytes(header, rows)


# --------------------------------------------------------------------------------------------
# Reported aggregates (not random; copied from DOMAIN.md §9 and seeds 002 / 004)
# --------------------------------------------------------------------------------------------

REPORTED_COLUMNS = ["kalla", "tabell", "matt", "kategori", "period", "varde", "enhet", "proveniens", "kommentar",
                    "id", "relation"]

_VUX = "Vuxenteamen (002)"
_VUXENTEAMEN = [
    (_VUX, "T6", "avslutade", "arbete", "1999-2001", "515", "antal", "verbatim",
     "\"515 gick ut till arbete\"; ingår 93 med anställningsstöd, lönebidrag eller starta eget"),
    (_VUX, "T6", "avslutade", "arbete_utan_offentligt_stod", "1999-2001", "422", "antal", "verbatim",
     "ur T5; 422 + 93 = 515"),
    (_VUX, "T6", "avslutade", "arbete_subventionerat", "1999-2001", "93", "antal", "verbatim",
     "kommentar under T6"),
    (_VUX, "T6", "avslutade", "studier", "1999-2001", "111", "antal", "reconstructed",
     "cellvärdet förlorat; = egenfinansierade studier i T5"),
    (_VUX, "T6", "avslutade", "andra_insatser", "1999-2001", "216", "antal", "reconstructed",
     "cellvärdet förlorat; 975 − 515 − 111 − 133"),
    (_VUX, "T6", "avslutade", "okant", "1999-2001", "133", "antal", "reconstructed",
     "cellvärdet förlorat; = okänt men ej aktuell i T5"),
    (_VUX, "T6", "avslutade", "summa", "1999-2001", "975", "antal", "verbatim", ""),
    (_VUX, "T6", "andel_avslutade", "arbete", "1999-2001", "52.8", "procent", "derived", "515 / 975"),
    (_VUX, "T6", "andel_avslutade", "studier", "1999-2001", "11.4", "procent", "derived", "111 / 975"),
    (_VUX, "T6", "andel_avslutade", "andra_insatser", "1999-2001", "22.2", "procent", "derived", "216 / 975"),
    (_VUX, "T6", "andel_avslutade", "okant", "1999-2001", "13.6", "procent", "derived", "133 / 975"),
    (_VUX, "T5", "ej_offentlig_forsorjning_vid_avslut", "arbete_utan_offentligt_stod", "1999-2001", "422",
     "antal", "verbatim", ""),
    (_VUX, "T5", "ej_offentlig_forsorjning_vid_avslut", "egenfinansierade_studier", "1999-2001", "111",
     "antal", "verbatim", "studier med lån"),
    (_VUX, "T5", "ej_offentlig_forsorjning_vid_avslut", "okant_ej_aktuell", "1999-2001", "133", "antal",
     "verbatim", "okänt men ej aktuell inom myndigheterna vid avslut"),
    (_VUX, "T5", "ej_offentlig_forsorjning_vid_avslut", "summa", "1999-2001", "666", "antal", "verbatim", ""),
    (_VUX, "T5", "andel_ej_offentlig_forsorjning", "summa", "1999-2001", "68", "procent", "verbatim",
     "\"68% av de 975 som avslutat projektet\"; 666 / 975 = 68,31 %"),
    (_VUX, "T2", "forsorjning_vid_start", "alla", "vid start", "100", "procent", "derived",
     "alla deltagare vid start; andelarna nedan är delar av dem"),
    (_VUX, "T2", "forsorjning_vid_start", "enbart_forsorjningsstod", "vid start", "48", "procent", "verbatim", ""),
    (_VUX, "T2", "forsorjning_vid_start", "endast_a_kassa", "vid start", "16", "procent", "verbatim", ""),
    (_VUX, "T2", "forsorjning_vid_start", "forsorjningsstod_och_annan_ersattning", "vid start", "27", "procent",
     "verbatim", "främst från Arbetsmarknadsverket"),
    (_VUX, "T2", "forsorjning_vid_start", "ej_redovisat", "vid start", "9", "procent", "derived",
     "100 − (48 + 16 + 27); de redovisade andelarna summerar till 91"),
    (_VUX, "T2", "forsorjning_vid_start", "helt_eller_delvis_forsorjningsstod", "vid start", "75", "procent",
     "verbatim", "\"Majoriteten (75%)\" = 48 + 27"),
    (_VUX, "T3", "behovsgrupp", "alla", "1998-2001", "100", "procent", "derived",
     "de tre behovsgrupperna delar in hela målgruppen"),
    (_VUX, "T3", "behovsgrupp", "intensivt_stod", "1998-2001", "25", "procent", "verbatim",
     "personalens bedömning av ca 1500 Hisingsbor"),
    (_VUX, "T3", "behovsgrupp", "kompetenshojning", "1998-2001", "55", "procent", "verbatim",
     "personalens bedömning av ca 1500 Hisingsbor"),
    (_VUX, "T3", "behovsgrupp", "stora_svarigheter", "1998-2001", "20", "procent", "verbatim",
     "personalens bedömning av ca 1500 Hisingsbor"),
    (_VUX, "T3", "behovsgrupp_antal", "intensivt_stod", "1998-2001", "375", "antal", "derived", "25 % av 1500"),
    (_VUX, "T3", "behovsgrupp_antal", "kompetenshojning", "1998-2001", "825", "antal", "derived", "55 % av 1500"),
    (_VUX, "T3", "behovsgrupp_antal", "stora_svarigheter", "1998-2001", "300", "antal", "derived", "20 % av 1500"),
    (_VUX, "T3", "malgrupp", "summa", "1998-2001", "1500", "antal", "verbatim", "\"ca 1500\""),
    (_VUX, "T7", "kontakttid_medel", "avslutade", "1999-2001", "13.3", "manader", "verbatim", "\"13,3 månader\""),
    (_VUX, "T8", "rundgang_kohort", "avslutade_jan_apr_2000", "2000-01/2000-04", "97", "antal", "verbatim",
     "granskat januari 2001"),
    (_VUX, "T8", "rundgang_ater_kontakt", "avslutade_jan_apr_2000", "2000-01/2000-04", "12", "antal", "verbatim",
     "\"har åter kontakt med oss\""),
    (_VUX, "T8", "rundgang_andel", "avslutade_jan_apr_2000", "2000-01/2000-04", "12.4", "procent", "derived",
     "12 / 97"),
    (_VUX, "Besparing", "offentlig_forsorjning_per_manad", "per_person", "1999-2001", "8000", "kr", "verbatim",
     "\"8000 kr per månad\""),
    (_VUX, "Besparing", "offentlig_forsorjning_per_ar", "per_person", "1999-2001", "96000", "kr",
     "reconstructed", "förlorat i extraktionen; = 8 000 × 12"),
    (_VUX, "Besparing", "minskad_offentlig_forsorjning_per_ar", "summa", "1999-2001", "64", "mkr", "verbatim",
     "\"minst 64 milj kr per år\""),
    (_VUX, "Besparing", "minskad_offentlig_forsorjning_per_ar", "summa", "1999-2001", "63936000", "kr", "derived",
     "666 × 8 000 × 12; brutto, utan dödviktsförlust eller projektkostnad"),
]

#: Declared structure of the reported tables (``id``, ``relation``; :mod:`evaluation.reported`), keyed by
#: ``(tabell, matt, kategori, period)`` (plus ``enhet`` where one figure is printed in two units). Nothing is inferred: these are the relations the sources state.
_VUX_DECL = {
    ("T6", "avslutade", "arbete", "1999-2001"): ("T6.arbete", "del av T6.summa"),
    ("T6", "avslutade", "arbete_utan_offentligt_stod", "1999-2001"): ("T6.arbete_utan_stod", "del av T6.arbete"),
    ("T6", "avslutade", "arbete_subventionerat", "1999-2001"): ("T6.arbete_subv", "del av T6.arbete"),
    ("T6", "avslutade", "studier", "1999-2001"): ("T6.studier", "del av T6.summa"),
    ("T6", "avslutade", "andra_insatser", "1999-2001"): ("T6.andra_insatser", "del av T6.summa"),
    ("T6", "avslutade", "okant", "1999-2001"): ("T6.okant", "del av T6.summa"),
    ("T6", "avslutade", "summa", "1999-2001"): ("T6.summa", ""),
    ("T6", "andel_avslutade", "arbete", "1999-2001"): ("", "andel T6.arbete / T6.summa"),
    ("T6", "andel_avslutade", "studier", "1999-2001"): ("", "andel T6.studier / T6.summa"),
    ("T6", "andel_avslutade", "andra_insatser", "1999-2001"): ("", "andel T6.andra_insatser / T6.summa"),
    ("T6", "andel_avslutade", "okant", "1999-2001"): ("", "andel T6.okant / T6.summa"),
    ("T5", "ej_offentlig_forsorjning_vid_avslut", "arbete_utan_offentligt_stod", "1999-2001"):
        ("T5.arbete_utan_stod", "del av T5.summa"),
    ("T5", "ej_offentlig_forsorjning_vid_avslut", "egenfinansierade_studier", "1999-2001"):
        ("T5.egenfinansierade_studier", "del av T5.summa"),
    ("T5", "ej_offentlig_forsorjning_vid_avslut", "okant_ej_aktuell", "1999-2001"):
        ("T5.okant_ej_aktuell", "del av T5.summa"),
    ("T5", "ej_offentlig_forsorjning_vid_avslut", "summa", "1999-2001"): ("T5.summa", ""),
    ("T5", "andel_ej_offentlig_forsorjning", "summa", "1999-2001"): ("T5.andel", "andel T5.summa / T6.summa"),
    ("T2", "forsorjning_vid_start", "alla", "vid start"): ("T2.alla", ""),
    ("T2", "forsorjning_vid_start", "enbart_forsorjningsstod", "vid start"): ("T2.enbart_fs", "del av T2.alla"),
    ("T2", "forsorjning_vid_start", "endast_a_kassa", "vid start"): ("T2.a_kassa", "del av T2.alla"),
    ("T2", "forsorjning_vid_start", "forsorjningsstod_och_annan_ersattning", "vid start"):
        ("T2.fs_och_annan", "del av T2.alla"),
    ("T2", "forsorjning_vid_start", "ej_redovisat", "vid start"): ("T2.ej_redovisat", "rest av T2.alla"),
    ("T2", "forsorjning_vid_start", "helt_eller_delvis_forsorjningsstod", "vid start"):
        ("T2.helt_eller_delvis_fs", "summa T2.enbart_fs + T2.fs_och_annan"),
    ("T3", "behovsgrupp", "alla", "1998-2001"): ("T3.alla", ""),
    ("T3", "behovsgrupp", "intensivt_stod", "1998-2001"): ("T3.intensivt_stod", "del av T3.alla"),
    ("T3", "behovsgrupp", "kompetenshojning", "1998-2001"): ("T3.kompetenshojning", "del av T3.alla"),
    ("T3", "behovsgrupp", "stora_svarigheter", "1998-2001"): ("T3.stora_svarigheter", "del av T3.alla"),
    ("T3", "behovsgrupp_antal", "intensivt_stod", "1998-2001"):
        ("", "del av T3.malgrupp; produkt T3.intensivt_stod * T3.malgrupp * 0.01"),
    ("T3", "behovsgrupp_antal", "kompetenshojning", "1998-2001"):
        ("", "del av T3.malgrupp; produkt T3.kompetenshojning * T3.malgrupp * 0.01"),
    ("T3", "behovsgrupp_antal", "stora_svarigheter", "1998-2001"):
        ("", "del av T3.malgrupp; produkt T3.stora_svarigheter * T3.malgrupp * 0.01"),
    ("T3", "malgrupp", "summa", "1998-2001"): ("T3.malgrupp", ""),
    ("T8", "rundgang_kohort", "avslutade_jan_apr_2000", "2000-01/2000-04"): ("T8.kohort", ""),
    ("T8", "rundgang_ater_kontakt", "avslutade_jan_apr_2000", "2000-01/2000-04"): ("T8.ater", "delmängd av T8.kohort"),
    ("T8", "rundgang_andel", "avslutade_jan_apr_2000", "2000-01/2000-04"): ("", "andel T8.ater / T8.kohort"),
    ("Besparing", "offentlig_forsorjning_per_manad", "per_person", "1999-2001"): ("B.per_manad", ""),
    ("Besparing", "offentlig_forsorjning_per_ar", "per_person", "1999-2001"): ("", "produkt B.per_manad * 12"),
    ("Besparing", "minskad_offentlig_forsorjning_per_ar", "summa", "1999-2001", "kr"):
        ("", "produkt T5.summa * B.per_manad * 12"),
}


_VU = "Vägen ut (004)"
_KASAM_NOTE = "personal (medarbetare), ej klienter; formulär ej angivet, SOC-29 härlett (145 > 91)"
_VAGEN_UT = [
    (_VU, "K1", "kasam_medel", "begriplighet", "2011-10", "49", "poang", "verbatim", _KASAM_NOTE),
    (_VU, "K1", "kasam_medel", "hanterbarhet", "2011-10", "52", "poang", "verbatim", _KASAM_NOTE),
    (_VU, "K1", "kasam_medel", "meningsfullhet", "2011-10", "44", "poang", "verbatim", _KASAM_NOTE),
    (_VU, "K1", "kasam_medel", "total", "2011-10", "145", "poang", "verbatim", _KASAM_NOTE),
    (_VU, "K1", "kasam_medel", "begriplighet", "2013-05", "45", "poang", "verbatim", _KASAM_NOTE),
    (_VU, "K1", "kasam_medel", "hanterbarhet", "2013-05", "38", "poang", "verbatim", _KASAM_NOTE),
    (_VU, "K1", "kasam_medel", "meningsfullhet", "2013-05", "44", "poang", "verbatim", _KASAM_NOTE),
    (_VU, "K1", "kasam_medel", "total", "2013-05", "125", "poang", "verbatim",
     "angiven total; delskalorna summerar till 127"),
    (_VU, "K1", "kasam_forandring_angiven", "begriplighet", "2011-10/2013-05", "-4", "poang", "verbatim",
     "\"en sänkning på fyra poäng\""),
    (_VU, "K1", "kasam_forandring_angiven", "hanterbarhet", "2011-10/2013-05", "-14", "poang", "verbatim", ""),
    (_VU, "K1", "kasam_forandring_angiven", "meningsfullhet", "2011-10/2013-05", "-8", "poang", "verbatim",
     "motsäger nivåerna 44 och 44"),
    (_VU, "K1", "kasam_forandring_angiven", "total", "2011-10/2013-05", "-20", "poang", "verbatim", ""),
    (_VU, "F1", "personer_forsorjningsstod", "summa", "2011-10", "5897", "antal", "verbatim",
     "kallas även ärenden i rapporten"),
    (_VU, "F1", "personer_forsorjningsstod", "summa", "2013-05", "4455", "antal", "verbatim",
     "kallas även ärenden i rapporten"),
    (_VU, "F1", "personer_forsorjningsstod_forandring", "summa", "2011-10/2013-05", "-1442", "antal", "verbatim",
     "\"en minskning med 1442 personer\"; olika månader (säsong)"),
    (_VU, "F1", "personer_forsorjningsstod_forandring", "summa", "2011-10/2013-05", "-24.5", "procent",
     "derived", "−1442 / 5897"),
    (_VU, "F2", "bidragsmanader_medel", "summa", "2011-10", "16.6", "manader", "verbatim", "\"16,6 månader\""),
    (_VU, "F2", "bidragsmanader_medel", "summa", "2012-10", "17.7", "manader", "reconstructed",
     "\"oktober ,7\": tiotalen förlorade; 16,6 + 1,1"),
    (_VU, "F2", "bidragsmanader_medel_forandring", "summa", "2011-10/2012-10", "1.1", "manader", "verbatim",
     "\"en ökning på 1,1 månad\""),
    (_VU, "F2", "bidragsmanader_medel", "summa", "2012-05", "13", "manader", "verbatim", ""),
    (_VU, "F2", "bidragsmanader_medel", "summa", "2013-05", "11.4", "manader", "verbatim", "\"11,4\""),
    (_VU, "F2", "bidragsmanader_medel_forandring", "summa", "2012-05/2013-05", "-1.6", "manader", "verbatim",
     "\"en minskning på 1,6 månader\""),
]


_VU_DECL = {}
for _p, _k in (("2011-10", "1110"), ("2013-05", "1305")):
    for _s in ("begriplighet", "hanterbarhet", "meningsfullhet"):
        _VU_DECL[("K1", "kasam_medel", _s, _p)] = (f"K1.{_s}.{_k}", f"del av K1.total.{_k}")
    _VU_DECL[("K1", "kasam_medel", "total", _p)] = (f"K1.total.{_k}", "")
for _s in ("begriplighet", "hanterbarhet", "meningsfullhet"):
    _VU_DECL[("K1", "kasam_forandring_angiven", _s, "2011-10/2013-05")] = (
        f"K1.{_s}.forandring", f"förändring K1.{_s}.1110 -> K1.{_s}.1305; del av K1.total.forandring")
_VU_DECL[("K1", "kasam_forandring_angiven", "total", "2011-10/2013-05")] = (
    "K1.total.forandring", "förändring K1.total.1110 -> K1.total.1305")
_VU_DECL.update({
    ("F1", "personer_forsorjningsstod", "summa", "2011-10"): ("F1.1110", ""),
    ("F1", "personer_forsorjningsstod", "summa", "2013-05"): ("F1.1305", ""),
    ("F1", "personer_forsorjningsstod_forandring", "summa", "2011-10/2013-05"): ("", "förändring F1.1110 -> F1.1305"),
    ("F2", "bidragsmanader_medel", "summa", "2011-10"): ("F2.1110", ""),
    ("F2", "bidragsmanader_medel", "summa", "2012-10"): ("F2.1210", ""),
    ("F2", "bidragsmanader_medel_forandring", "summa", "2011-10/2012-10"): ("", "förändring F2.1110 -> F2.1210"),
    ("F2", "bidragsmanader_medel", "summa", "2012-05"): ("F2.1205", ""),
    ("F2", "bidragsmanader_medel", "summa", "2013-05"): ("F2.1305", ""),
    ("F2", "bidragsmanader_medel_forandring", "summa", "2012-05/2013-05"): ("", "förändring F2.1205 -> F2.1305"),
})


_TW = "Team Work (003)"
_TEAM_WORK = [
    (_TW, "P1", "tjanster", "projektanstallda", "2014", "1.65", "tjanster", "verbatim",
     "\"Så idag arbetar 1,65 tjänst som projektanställda\""),
    (_TW, "P1", "tjanster", "ordinarie_personal", "2014", "0.75", "tjanster", "verbatim",
     "\"och ca 0,75 tjänst som ordinarie personal\" (ca)"),
    (_TW, "P1", "tjanster", "summa", "2014", "2.40", "tjanster", "derived", "1,65 + 0,75"),
    (_TW, "P2", "tjanster_efter_projektet", "arbetsmarknadskonsulenter", "efter projektet", "2.4", "tjanster",
     "verbatim", "\"ungefär 2,3-2,4 tjänster\"; \"Fördelat på ca 2,4 tjänst\" (intervall, ca)"),
    (_TW, "P3", "tjanstgoringsgrad", "administrator", "projekttiden", "25", "procent", "verbatim",
     "\"en administratör (25 %)\""),
    (_TW, "P3", "tjanstgoringsgrad", "samordnare_praktik_i_praktiken", "projekttiden", "50", "procent", "verbatim",
     "\"en samordnare (50 %)\""),
    (_TW, "P3", "tjanstgoringsgrad", "handledare_praktik_i_praktiken", "projekttiden", "50", "procent", "verbatim",
     "\"en handledare (50 %)\""),
]
_TW_DECL = {
    ("P1", "tjanster", "projektanstallda", "2014"): ("P1.projekt", "del av P1.summa"),
    ("P1", "tjanster", "ordinarie_personal", "2014"): ("P1.ordinarie", "del av P1.summa"),
    ("P1", "tjanster", "summa", "2014"): ("P1.summa", ""),
}

def _declared(rows: list[tuple], decl: dict) -> list[list[str]]:
    """Reported rows with their ``id`` and ``relation`` appended (empty when nothing is declared)."""
    return [[*r, *decl.get((r[1], r[2], r[3], r[4], r[6]), decl.get((r[1], r[2], r[3], r[4]), ("", "")))]
            for r in rows]


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

def generate(out_dir, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the synthetic sample files into ``out_dir`` and return their paths.

    The same ``seed`` always gives byte-identical files (one ``numpy.random.default_rng``
    sub-stream per table, fixed formatting, row order and line endings). The world, its file
    formats and its deliberate imperfections are described in the module docstring; the files
    are listed in :data:`FILES`.

    Parameters
    ----------
    out_dir : str or Path
        Output folder (created if missing); files are overwritten.
    seed : int, default DEFAULT_SEED
        Random seed. The committed ``data_samples/`` use :data:`DEFAULT_SEED`.

    Returns
    -------
    list of Path
        The written files, in the order of :data:`FILES`.

    Examples
    --------
    >>> import tempfile
    >>> paths = generate(tempfile.mkdtemp(), seed=1)
    >>> [p.name for p in paths][:2]
    ['episoder.csv', 'export_verksamhetssystem_sodera.csv']
    """
    out = Path(out_dir)
    episodes = _make_episodes(seed)
    content = {
        "episoder.csv": _episodes_csv(episodes),
        "export_verksamhetssystem_sodera.csv": _export_csv(seed, episodes),
        "mappningar/verksamhetssystem_sodera.yaml": _mapping_yaml(),
        "handelser.csv": _events_csv(seed, episodes),
        "kasam_deltagare.csv": _kasam_deltagare_csv(seed, episodes),
        "kasam_personal.csv": _kasam_personal_csv(seed),
        "nns_enkater.csv": _nns_csv(seed, episodes),
        "fokusgrupper_segment.csv": _segments_csv(seed),
        "rapporterat/vuxenteamen.csv": _csv_bytes(REPORTED_COLUMNS, _declared(_VUXENTEAMEN, _VUX_DECL)),
        "rapporterat/vagen_ut.csv": _csv_bytes(REPORTED_COLUMNS, _declared(_VAGEN_UT, _VU_DECL)),
        "rapporterat/team_work.csv": _csv_bytes(REPORTED_COLUMNS, _declared(_TEAM_WORK, _TW_DECL)),
    }
    paths = [_write(out / name, content[name]) for name in FILES]
    _write_catalogue(out, seed, episodes, content)
    return paths


#: Catalogue fields of the generated files (entity, extra fields); the mapping file is named by
#: the export's entry, not listed itself.
_CATALOGUE_ENTRIES = {
    "episoder.csv": ("episoder", {"encoding": "utf-8"}),
    "export_verksamhetssystem_sodera.csv": ("episoder", {"mapping": "mappningar/verksamhetssystem_sodera.yaml",
                                                         "encoding": "cp1252"}),
    "handelser.csv": ("handelser", {"encoding": "utf-8"}),
    "kasam_deltagare.csv": ("enkatsvar", {"encoding": "utf-8", "instrument": "soc29"}),
    "kasam_personal.csv": ("enkatsvar", {"encoding": "utf-8", "instrument": "soc29"}),
    "nns_enkater.csv": ("enkatsvar", {"encoding": "utf-8", "instrument": "nns"}),
    "fokusgrupper_segment.csv": ("segment", {"encoding": "utf-8"}),
    "rapporterat/vuxenteamen.csv": ("rapporterat", {"encoding": "utf-8"}),
    "rapporterat/vagen_ut.csv": ("rapporterat", {"encoding": "utf-8"}),
    "rapporterat/team_work.csv": ("rapporterat", {"encoding": "utf-8"}),
}


def _write_catalogue(out: Path, seed: int, episodes: list[dict], content: dict) -> Path:
    """Record the generated files in ``out/datakatalog.yaml`` (:mod:`evaluation.catalogue`).

    Entries of other files already in the catalogue (hand-written ``enhetskostnader.csv``,
    ``scenarier/``, ``malnivaer/``, ``mal/`` …) are kept in place; the generated files' entries are
    replaced, so regenerating with the same seed leaves the catalogue byte-identical.
    """
    from . import catalogue as cat

    kalla = f"evaluation samples (seed {seed})"
    generated = []
    for name, (entity, extra) in _CATALOGUE_ENTRIES.items():
        if name.startswith("episoder") or name.startswith("export_"):
            own = [e for e in episodes if (e["forbund"] == "Söderå") == name.startswith("export_")]
            forbund = sorted({e["forbund"] for e in own})
            dates = [e["inskrivningsdatum"] for e in own] + [e["avslutsdatum"] for e in own if e["avslutsdatum"]]
        elif name.startswith("rapporterat/"):
            forbund, dates = [], []
            kalla_doc = "källdokument " + name.split("/")[1].removesuffix(".csv") + ", avskrivet med proveniens"
        else:
            rows = list(csv.DictReader(_io.StringIO(content[name].decode("utf-8"))))
            forbund = sorted({r["forbund"] for r in rows if r.get("forbund")}
                             or {e["forbund"] for e in episodes})  # handelser: the episodes' förbund
            dates = [date.fromisoformat(r["datum"]) for r in rows if r.get("datum")]
        entry = {"entity": entity, "path": name, "format": "csv", **extra, "forbund": forbund}
        if dates:
            entry["period"] = {"fran": min(dates), "till": max(dates)}
        entry["kalla"] = kalla_doc if name.startswith("rapporterat/") else kalla
        generated.append(entry)
    existing = cat.read(out, check_files=False) if cat.exists(out) else cat.Catalogue(
        folder=out, namn="Fiktiva exempeldata", fiktiva_data=True, data_till_och_med=EXTRACTION_DATE)
    fresh = {e["path"]: cat.make_entry(out, e) for e in generated}
    entries = [fresh.pop(e.path, e) for e in existing.entries]
    entries += list(fresh.values())
    existing.entries = entries
    return cat.write(existing)


def cli(args) -> int:
    """Entry point of ``evaluation samples --out DIR [--seed N] [--if-missing]``.

    With ``--if-missing`` nothing is written when every file of :data:`FILES` and the catalogue
    ``datakatalog.yaml`` already exist. The catalogue is always written or updated
    (:mod:`evaluation.catalogue`; hand-written entries of other files are kept).

    Examples
    --------
    >>> import argparse, tempfile
    >>> cli(argparse.Namespace(out=tempfile.mkdtemp(), seed=3, if_missing=False))  # doctest: +ELLIPSIS
    Skrev 11 filer till ...
    0
    """
    out = Path(args.out)
    seed = DEFAULT_SEED if getattr(args, "seed", None) is None else int(args.seed)
    if getattr(args, "if_missing", False) and all((out / f).exists() for f in (*FILES, "datakatalog.yaml")):
        print(f"Exempeldata finns redan i {out} (inget skrivet).")
        return 0
    paths = generate(out, seed=seed)
    print(f"Skrev {len(paths)} filer till {out} (seed {seed}).")
    return 0

