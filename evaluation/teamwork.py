"""Team Work's journey rules as checks (source 003, *Implementeringsplan Team Work* v2.3, Bilaga 1).

The vocabulary lives in ``evaluation/data/vokabular.yaml``: journey events under ``handelse``
(``uteblivet_besok``, ``plan_ej_foljd``, ``ekonomisk_konsekvens``, ``eskalering_niva_1`` … ``_4``,
``avslut_verksamhetssystem``, ``avaktualisering_af``, ``aterinskrivning``) and the school forms of the
"Studier" exit under ``skolform``. The checks here report, never fix (DOMAIN.md §10):

* :func:`check_studies_exits`: a Team Work "Studier" exit needs lasting studies at one of the school
  forms, or an AF labour-market training (AMU) of **at least 16 weeks**. Intake excludes people in an
  AMU of "minst 3 månader", so an AMU of 13–16 weeks satisfies the intake rule but not the exit rule:
  it is flagged, not counted as wrong (source 003; DOMAIN.md §3).
* :func:`check_reenrolment`: "Skulle en deltagare avslutas och sedan åter bli aktuell så skall nytt
  samtycke tas": every later episode of a person needs a ``samtycke`` event of its own.
* :func:`check_escalation`: "När det inte fungerar": the team first tries internally (level 1), then
  the joint IFO/AME meeting (2), then the AME manager (3), then manager and coordinator (4); a level
  without the previous one in the same episode is flagged.

The 13-week bound is 3 months in weeks (13 weeks ≈ 91 days ≈ 3 months; a choice, written here).
"""

from __future__ import annotations

import pandas as pd

from .errors import EvaluationError
from .vocabulary import exit_reasons, vocabulary

__all__ = ["AMU_MIN_WEEKS_EXIT", "AMU_MIN_WEEKS_INTAKE", "TeamWorkError", "check_studies_exits",
           "check_reenrolment", "check_escalation"]

#: Exit rule: AF labour-market training of "minst 16 veckor" (source 003, Avslut: Studier).
AMU_MIN_WEEKS_EXIT = 16
#: Intake rule: "längre arbetsmarknadsutbildning (minst 3 månader)" ≈ 13 weeks (source 003, Steg 1).
AMU_MIN_WEEKS_INTAKE = 13

_COLUMNS = ["episod_id", "kontroll", "status", "meddelande"]


class TeamWorkError(EvaluationError, ValueError):
    """Data for a Team Work check lack a needed column; the message names it."""


def _need(df: pd.DataFrame, cols: list[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise TeamWorkError(f"{what}: kolumn(er) saknas: {missing}")


def check_studies_exits(episodes: pd.DataFrame, skolform_col: str = "skolform",
                        veckor_col: str = "utbildning_veckor") -> pd.DataFrame:
    """Check every Team Work "Studier" exit (``avslutsorsak`` whose category is ``studier`` in the
    ``teamwork`` taxonomy) against the school forms and the AMU ≥ 16 weeks rule.

    Parameters
    ----------
    episodes : DataFrame
        ``episod_id``, ``avslutsorsak`` and the columns ``skolform_col`` (a code of the ``skolform``
        vocabulary) and ``veckor_col`` (length of an AMU in weeks; only read for AMU).

    Returns
    -------
    DataFrame
        One row per Team Work studies exit: ``episod_id, kontroll`` (``studier``), ``status`` (``ok``;
        ``flagga`` for an AMU of 13–16 weeks or an unknown length; ``avvikelse`` for an AMU under 13
        weeks or a missing or unknown school form) and ``meddelande`` (Swedish).

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["a", "b", "c", "d"], "avslutsorsak": ["tw_studier"] * 4,
    ...     "skolform": ["komvux", "arbetsmarknadsutbildning", "arbetsmarknadsutbildning", "arbetsmarknadsutbildning"],
    ...     "utbildning_veckor": [None, 18, 14, 8]})
    >>> check_studies_exits(ep)["status"].tolist()
    ['ok', 'ok', 'flagga', 'avvikelse']
    """
    _need(episodes, ["episod_id", "avslutsorsak", skolform_col], "Team Work studieavslut")
    reasons = exit_reasons()
    tw_studies = reasons.index[(reasons["taxonomi"] == "teamwork") & (reasons["huvudkategori"] == "studier")]
    forms = vocabulary("skolform")
    rows = []
    for _, r in episodes[episodes["avslutsorsak"].isin(tw_studies)].iterrows():
        form = r.get(skolform_col)
        form = None if pd.isna(form) or str(form).strip() == "" else str(form).strip()
        weeks = pd.to_numeric(pd.Series([r.get(veckor_col)]), errors="coerce").iloc[0] \
            if veckor_col in episodes.columns else float("nan")
        if form is None:
            status, msg = "avvikelse", "skolform saknas: ett studieavslut kräver varaktiga studier eller AMU (minst 16 veckor)"
        elif form not in forms:
            status, msg = "avvikelse", (f"okänd skolform {form!r}; använd en av: " + ", ".join(forms))
        elif form != "arbetsmarknadsutbildning":
            status, msg = "ok", f"{forms[form]['sv']}: varaktiga studier"
        elif pd.isna(weeks):
            status, msg = "flagga", "arbetsmarknadsutbildning utan angiven längd: minst 16 veckor kan inte bekräftas"
        elif weeks >= AMU_MIN_WEEKS_EXIT:
            status, msg = "ok", f"arbetsmarknadsutbildning {weeks:g} veckor (minst {AMU_MIN_WEEKS_EXIT})"
        elif weeks >= AMU_MIN_WEEKS_INTAKE:
            status, msg = "flagga", (f"arbetsmarknadsutbildning {weeks:g} veckor: minst 3 månader (intagsregeln) men "
                                     f"kortare än avslutsregelns {AMU_MIN_WEEKS_EXIT} veckor")
        else:
            status, msg = "avvikelse", (f"arbetsmarknadsutbildning {weeks:g} veckor: kortare än "
                                        f"{AMU_MIN_WEEKS_EXIT} veckor, inget studieavslut enligt Team Work")
        rows.append({"episod_id": r["episod_id"], "kontroll": "studier", "status": status, "meddelande": msg})
    return pd.DataFrame(rows, columns=_COLUMNS)


def check_reenrolment(episodes: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Every episode after a person's first needs its own ``samtycke`` event (new consent at re-entry).

    Anonymous episodes (``anonym`` true) cannot be linked and are left out.

    Returns
    -------
    DataFrame
        One row per later episode: ``episod_id, kontroll`` (``aterinskrivning``), ``status`` (``ok`` /
        ``avvikelse``), ``meddelande``.

    Examples
    --------
    >>> ep = pd.DataFrame({"episod_id": ["a", "b", "c"], "deltagare_id": ["p", "p", "p"],
    ...     "inskrivningsdatum": ["2024-01-01", "2024-09-01", "2025-03-01"]})
    >>> ev = pd.DataFrame({"episod_id": ["a", "b"], "datum": ["2024-01-01", "2024-09-02"],
    ...     "handelse": ["samtycke", "samtycke"]})
    >>> check_reenrolment(ep, ev)[["episod_id", "status"]].values.tolist()
    [['b', 'ok'], ['c', 'avvikelse']]
    """
    _need(episodes, ["episod_id", "deltagare_id", "inskrivningsdatum"], "Team Work återinskrivning")
    _need(events, ["episod_id", "handelse"], "Team Work återinskrivning (händelser)")
    ep = episodes.copy()
    if "anonym" in ep.columns:
        ep = ep[~ep["anonym"].fillna(False).astype(bool)]
    ep["_start"] = pd.to_datetime(ep["inskrivningsdatum"])
    consented = set(events.loc[events["handelse"] == "samtycke", "episod_id"])
    rows = []
    for _, g in ep.sort_values(["deltagare_id", "_start"], kind="stable").groupby("deltagare_id", sort=False):
        for _, r in g.iloc[1:].iterrows():
            ok = r["episod_id"] in consented
            rows.append({"episod_id": r["episod_id"], "kontroll": "aterinskrivning",
                         "status": "ok" if ok else "avvikelse",
                         "meddelande": "nytt samtycke finns" if ok else
                         "återinskrivning utan nytt samtycke (källa 003: nytt samtycke skall tas)"})
    return pd.DataFrame(rows, columns=_COLUMNS)


def check_escalation(events: pd.DataFrame) -> pd.DataFrame:
    """Escalation levels in order: level k needs an earlier level k − 1 in the same episode.

    Returns
    -------
    DataFrame
        One row per escalation event: ``episod_id, kontroll`` (``eskalering``), ``status``,
        ``meddelande``.

    Examples
    --------
    >>> ev = pd.DataFrame({"episod_id": ["a", "a", "b"], "datum": ["2024-02-01", "2024-03-01", "2024-02-01"],
    ...     "handelse": ["eskalering_niva_1", "eskalering_niva_2", "eskalering_niva_3"]})
    >>> check_escalation(ev)["status"].tolist()
    ['ok', 'ok', 'avvikelse']
    """
    _need(events, ["episod_id", "datum", "handelse"], "Team Work eskalering")
    esc = events[events["handelse"].astype(str).str.fullmatch(r"eskalering_niva_[1-4]")].copy()
    esc["_niva"] = esc["handelse"].str[-1].astype(int)
    esc["_datum"] = pd.to_datetime(esc["datum"])
    rows = []
    for eid, g in esc.sort_values(["episod_id", "_datum", "_niva"], kind="stable").groupby("episod_id", sort=False):
        seen: set[int] = set()
        for _, r in g.iterrows():
            k = int(r["_niva"])
            ok = k == 1 or (k - 1) in seen
            rows.append({"episod_id": eid, "kontroll": "eskalering", "status": "ok" if ok else "avvikelse",
                         "meddelande": f"nivå {k}" + ("" if ok else f" utan föregående nivå {k - 1}")})
            seen.add(k)
    return pd.DataFrame(rows, columns=_COLUMNS)
