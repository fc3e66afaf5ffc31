"""Protected tables of the survey populations: NNS respondents and focus-group speakers (issue 15).

The participant table set (:mod:`evaluation.tableset`) covers flows and KASAM pairs. NNS answers
and focus-group speakers are *other populations*: a board member, a styrelse member or a member
of staff answering an NNS questionnaire is not a participant episode, and no linear relation
links an NNS count to a flow count (a förbund's NNS respondents are not a part or a sum of its
participants). So each gets **its own protected hierarchical table**, built, protected, audited
and written into the snapshot with the same machinery (:func:`evaluation.tableset.relations`,
:func:`~evaluation.tableset.protect`, :func:`~evaluation.tableset.attack`,
:func:`~evaluation.tableset.write_parquet`): a :class:`~evaluation.tableset.Measure` with its
own ``dimensions`` and ``additive`` dimensions (registered in
:data:`evaluation.tableset.OWN_MEASURES`).

The NNS table (measure ``nns``)
-------------------------------
=================== ==========================================================================
dimension           values
=================== ==========================================================================
``forbund``         each förbund and ``"Totalt"`` (additive: the aggregate of all förbund that
                    :func:`evaluation.indicators.compare_with_aggregate` shows is this total)
``respondentgrupp`` deltagare, personal, styrelse … (no total: groups are never pooled)
``tidpunkt``        under, avslut, halvar, manadsvis (no total)
``vag``             the wave, e.g. ``2025H1`` (no total: every view shows one wave or a trend)
``kon``             kvinna, man, annat, ``saknas`` (questionnaires without kön: all groups but
                    deltagare) and ``"Totalt"`` (additive: the slutrapport's NNS table per kön)
``item``            the NNS item (1A, 6a, 8.1 …; local items by their id; no total: an item is
                    a question, answers to two items are not one count of people)
=================== ==========================================================================

``n`` is the number of respondents who *answered* the item (the base of every share and mean;
primary suppression ``0 < n < min_n``), and the moments, which share the cell's status, are the
answer counts behind every statistic: ``antal_1`` … ``antal_6`` (answers per scale step) and
``bortfall`` (asked, left empty). Mean, SD, median, the shares in the top and bottom two steps, the
distribution and their confidence intervals are functions of these counts alone
(:func:`item_statistics`), so a view that shows them shows nothing but the cell. The indicator
results pool the answers of an indicator's items (6a + 6b): a pooled figure is a sum of item cells
and is published only where **every** item cell it adds is published (its respondent count, a
distinct count, likewise).

The focus-group table (measure ``fokus``)
-----------------------------------------
=========== =================================================================================
dimension   values
=========== =================================================================================
``forbund`` each förbund and ``"Totalt"``
``grupp``   the focus-group category (column ``grupp``: deltagare, personal …) and ``"Totalt"``
``tema``    each theme of the codebook and ``"hela_materialet"`` (the group's whole material)
=========== =================================================================================

``n`` is the number of **distinct speakers** (``talare_id``) mentioning the theme (primary
suppression ``0 < n < min_n``: a theme raised by one or two people is not shown), with the moments
``segment`` and ``sessioner``. Which sums hold: distinct speakers, segments and sessions are
additive over *disjoint* groups, and förbund and focus-group categories are disjoint (a speaker
speaks in one group of one förbund; :func:`build_focus` checks it on the data and drops the total
of a dimension where it does not hold, so no false relation is assumed). They are **not** additive
over themes (one segment, one speaker can raise several themes), so ``tema`` has no total; the
group's whole material is its own cell (``hela_materialet``: the denominators of the shares).

The staff KASAM table (measure ``kasam_personal``)
-------------------------------------------------
Staff answer SOC-29/SOC-13 in waves (cross-sections: few answer twice), a third population beside
participants and NNS respondents. Dimensions ``forbund`` (+ ``"Totalt"``, additive), ``vag`` (the
wave, no total: a person may answer in both) and ``kon`` (+ ``"Totalt"``, additive; ``saknas``
where the questionnaire has none); ``n`` is the number of answers with a KASAM total in the wave
(:func:`evaluation.kasam.score`), with the moments ``summa`` = Σ total and ``kvadratsumma`` = Σ
total². Every board figure of staff KASAM (the kasam_fore_efter notebook's staff table, the
slutrapport's KASAM table and ``kasam.personal.*`` measures) is :func:`staff_change` of two wave
cells: the means are ``summa / n``, the change and its Welch interval follow from the moments (the
staff design is a comparison of two cross-sections), so a mean is shown only where its count cell
is published, and a mean of a group that differencing could form (a förbund total minus the other
förbund, a kön total minus the other kön) is protected as that group is: its moments obey the
same sums as ``n`` and share its status. Protected on its own (no relation links an answer of a
member of staff to a participant cell or an NNS answer). A paired staff design (nearly everyone
answering both waves) is not in the table: its change, a mean of differences, would need the
pairs; then the board shows the wave means and leaves the interval out (:func:`staff_change`).

What an attacker has, and why these tables cover every view
-----------------------------------------------------------
The attacker of :mod:`evaluation.tableset`: every published cell of every view and output of the
snapshot, every sum over an additive dimension, and that a hidden count is ≥ 0. Every board view
of NNS answers (karnindikatorer's item and indicator tables, the diverging and trend figures, the
comparison with the aggregate of all förbund, the slutrapport's NNS section and its table per kön,
``results.json`` ``andel_topp2_senaste``) is a slice of the NNS table at one förbund or the total,
one group, one timepoint, one wave, one kön or the total, one item (or a sum of item cells of one
indicator); every board view of focus-group tallies (fokusgrupper's material and theme tables and
bar chart, the slutrapport's focus-group section and ``fokus.*`` measures, ``results.json``
``teman_segment``/``teman_sessioner``/``n_talare``) is a slice of the focus table at one förbund or
the total; the co-occurrence figure is shown only where every theme's cell is published
(:func:`evaluation.coding.cooccurrence_or_line`; its pair counts are not cells). The differencing attacks of issue 15 are exactly the sums the tables carry: a total
over förbund minus the published förbund (the aggregate comparison), a kön total minus the other
kön, a group total minus the other groups, the same share in the report and the notebook (the same
cell, so the same status). Relations the tables do *not* carry, because no view publishes the
other side: totals over respondent groups, timepoints, waves and items; the containment
inequalities (a theme's speakers ≤ the group's speakers, an item's answers ≤ the questionnaires);
the notebook's other breakdown columns for the theme bars (``grupp_kolumn`` other than ``grupp``
is protected on its own, table by table). The målnivå values pool cells (the items of an
indicator, the timepoints when a target names none) and are shown only where every pooled cell is
published (:func:`evaluation.indicators.attainment` with ``tabeller``). NNS figures that are not
sums of cells (Cronbach's α of the optional composite, the paired before/after comparison,
indicator 7 ratings) are still suppressed view by view.

Examples
--------
>>> s = pd.DataFrame({"respondent_id": list("abcdefgh"), "respondentgrupp": "styrelse",
...                   "forbund": ["X"] * 6 + ["Y"] * 2, "vag": "2025H1", "tidpunkt": "halvar",
...                   "nns_12": [6, 6, 5, 4, 2, 6, 1, 3]})
>>> ts = tableset.protect(build_nns(s))
>>> ts.value("nns", forbund="X", respondentgrupp="styrelse", tidpunkt="halvar", vag="2025H1", item="12")
nan
>>> float(tableset.attack(ts)["bredd"].min()) >= 5   # Y's 2 answers: hidden, and so is X (8 - 2)
True
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from . import tableset
from .disclosure import MIN_N
from .errors import EvaluationError
from .tableset import TOTAL, Measure, TableSet

__all__ = [
    "NNS", "FOKUS", "NNS_FILENAME", "FOCUS_FILENAME", "MATERIAL", "STEPS", "build_nns", "build_focus",
    "item_statistics", "nns_cell", "focus_tally", "current", "for_inputs", "write_snapshot",
    "DEFAULT_KODBOCKER", "questionnaire_rows", "questionnaire_table", "rows_per_group",
    "KASAM_PERSONAL", "KASAM_PERSONAL_FILENAME", "build_staff_kasam", "staff_change", "staff_result",
    "staff_design_text",
]

STEPS = 6  # the largest NNS scale; a five-step form leaves antal_6 at 0
NNS = tableset.register(Measure(
    "nns", moments=("bortfall", *(f"antal_{s}" for s in range(1, STEPS + 1))),
    dimensions=("forbund", "respondentgrupp", "tidpunkt", "vag", "kon", "item"), additive=("forbund", "kon")))
FOKUS = tableset.register(Measure("fokus", moments=("segment", "sessioner"),
                                  dimensions=("forbund", "grupp", "tema"), additive=("forbund", "grupp")))
#: the same table where speakers or sessions cross förbund or groups (no total over that dimension)
_FOKUS_VARIANTS = {
    add: tableset.register(Measure(f"fokus_{'_'.join(add) or 'utan_summor'}", moments=FOKUS.moments,
                                   dimensions=FOKUS.dimensions, additive=add))
    for add in (("forbund",), ("grupp",), ())}
KASAM_PERSONAL = tableset.register(Measure("kasam_personal", moments=("summa", "kvadratsumma"),
                                           dimensions=("forbund", "vag", "kon"), additive=("forbund", "kon")))
MATERIAL = "hela_materialet"
KASAM_PERSONAL_FILENAME = "tabelluppsattning_kasam_personal.parquet"
NNS_FILENAME = "tabelluppsattning_nns.parquet"
FOCUS_FILENAME = "tabelluppsattning_fokusgrupper.parquet"
DEFAULT_KODBOCKER = "teamwork_framgangsfaktorer,delta_personal"  # the notebooks' and the report's default
MISSING = "saknas"


def _cube(units: pd.DataFrame, m: Measure, domains: dict) -> pd.DataFrame:
    """Every cell of ``m``: the observed combinations of the non-additive dimensions × every value
    (and the total) of each additive dimension, summed from unit rows (``n`` and moments)."""
    import itertools

    dims, add = list(m.dimensions), list(m.additive)
    cols = ["n", *m.moments]
    frames = []
    for r in range(len(add) + 1):
        for tot in itertools.combinations(add, r):
            keep = [d for d in dims if d not in tot]
            g = units.groupby(keep, observed=True, sort=False)[cols].sum().reset_index()
            for d in tot:
                g[d] = TOTAL
            frames.append(g)
    agg = pd.concat(frames, ignore_index=True)
    grid = units[[d for d in dims if d not in add]].drop_duplicates()
    for d in add:
        grid = grid.merge(pd.DataFrame({d: list(domains[d]) + [TOTAL]}), how="cross")
    out = grid.merge(agg, on=dims, how="left")
    out[cols] = out[cols].fillna(0)
    for c in cols:  # counts stay integers; sums of scores (staff KASAM) stay floats
        if pd.api.types.is_integer_dtype(units[c]):
            out[c] = out[c].astype(int)
    out.insert(0, "matt", m.name)
    out["status"] = tableset.PUBLISHED
    return out[["matt", *dims, *cols, "status"]].reset_index(drop=True)


# ----------------------------------------------------------------------------------------- NNS

def build_nns(survey: pd.DataFrame, scale_max: int | None = None, min_n: int = MIN_N,
              protection: float | None = None) -> TableSet:
    """The unprotected NNS table of every förbund in ``survey`` (see the module docstring).

    Parameters
    ----------
    survey : DataFrame
        Wide NNS answers (SURVEY schema) of every förbund the snapshot covers; core and local items.
    scale_max : int, optional
        Top of the scale (default 6).
    min_n : int
        Primary suppression ``0 < n < min_n`` (respondents who answered the item).
    protection : float, optional
        Interval width required of every suppressed cell (default ``min_n``).

    Returns
    -------
    evaluation.tableset.TableSet
        Cells ``matt, forbund, respondentgrupp, tidpunkt, vag, kon, item, n, bortfall, antal_1 …
        antal_6, status``.

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": list("abc"), "respondentgrupp": "styrelse", "forbund": "X",
    ...                   "vag": "2025H1", "tidpunkt": "halvar", "nns_12": [6, 5, None]})
    >>> c = build_nns(s).cell("nns", forbund="X", respondentgrupp="styrelse", tidpunkt="halvar", vag="2025H1",
    ...                       item="12")
    >>> int(c["n"]), int(c["antal_6"]), int(c["bortfall"])
    (2, 1, 1)
    """
    from . import indicators

    parts = [indicators.long_responses(survey, scale_max, lokala=lok) for lok in (False, True)]
    lr = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else parts[0]
    u = pd.DataFrame({d: lr[d].astype("string").fillna(MISSING).astype(str)
                      for d in ("forbund", "respondentgrupp", "tidpunkt", "vag", "kon", "item")})
    v = lr["varde"].to_numpy(float)
    u["n"] = (~np.isnan(v)).astype(int)
    u["bortfall"] = np.isnan(v).astype(int)
    for s in range(1, STEPS + 1):
        u[f"antal_{s}"] = (v == s).astype(int)
    domains = {"forbund": sorted(u["forbund"].unique()),
               "kon": list(dict.fromkeys(["kvinna", "man", "annat", *sorted(u["kon"].unique())]))}
    cells = _cube(u, NNS, domains)
    return TableSet(cells, min_n=min_n, protection=float(min_n if protection is None else protection))


def item_statistics(cell, scale_max: int | None = None) -> dict:
    """The statistics of :func:`evaluation.indicators.item_results` from one cell's counts alone.

    ``cell`` holds ``n``, ``bortfall`` and ``antal_1`` … ``antal_<scale_max>`` (a row of the NNS
    table, or the sum of several item cells for a pooled indicator). The answers are rebuilt from
    the counts (a multiset is determined by its counts), so mean, SD, median, the shares and both
    confidence intervals are exactly those of the answers (:func:`evaluation.indicators._stats`).

    Examples
    --------
    >>> c = {"n": 4, "bortfall": 1, "antal_2": 1, "antal_4": 1, "antal_5": 1, "antal_6": 1}
    >>> st = item_statistics(c)
    >>> st["n"], st["andel_topp2"], st["median"], st["bortfall"]
    (4, 0.5, 4.5, 1)
    """
    from . import indicators, instruments
    from . import questionnaires as qn

    low, high = instruments.response_range(qn.INSTRUMENT, scale_max)
    vals = np.concatenate([np.repeat(float(s), int(cell.get(f"antal_{s}", 0) or 0)) for s in range(low, high + 1)]
                          + [np.full(int(cell.get("bortfall", 0) or 0), np.nan)])
    return indicators._stats(pd.Series(vals, dtype=float), low, high)


def nns_cell(ts: TableSet, forbund, respondentgrupp, tidpunkt, vag, item, kon=TOTAL) -> pd.Series | None:
    """One cell of the NNS table as a row (``n``, moments NaN where suppressed; ``status``
    ``publicerad``/``undertryckt``), or None when the table has no such cell (the item was not asked).

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": list("abcde"), "respondentgrupp": "styrelse", "forbund": "X",
    ...                   "vag": "V", "tidpunkt": "halvar", "nns_12": [6, 5, 5, 4, 1]})
    >>> int(nns_cell(build_nns(s), "X", "styrelse", "halvar", "V", "12")["antal_5"])
    2
    """
    i = ts.lookup("nns", forbund=str(forbund or TOTAL), respondentgrupp=str(respondentgrupp), tidpunkt=str(tidpunkt),
                  vag=str(vag), item=str(item), kon=str(kon or TOTAL))
    if i is None:
        return None
    c = ts.cells.iloc[i].copy()
    if c["status"] != tableset.PUBLISHED:
        for col in ("n", *ts.moments):
            c[col] = np.nan
        c["status"] = tableset.SUPPRESSED
    return c


# ----------------------------------------------------------------------------------------- focus groups

def build_focus(segments: pd.DataFrame, codebook=None, min_n: int = MIN_N, protection: float | None = None,
                by: str = "grupp") -> TableSet:
    """The unprotected focus-group table: distinct speakers, segments and sessions per förbund ×
    group × theme (see the module docstring).

    Parameters
    ----------
    segments : DataFrame
        ``SEGMENTS`` rows of every förbund the snapshot covers.
    codebook : evaluation.coding.Codebook, optional
        Rolls codes up to themes (:func:`evaluation.coding.tally`, ``level="tema"``, coders pooled);
        without it the codes are the themes.
    min_n : int
        Primary suppression ``0 < talare < min_n``.
    by : str
        The group column (default ``grupp``; its values fill the ``grupp`` dimension).

    Returns
    -------
    evaluation.tableset.TableSet
        Cells ``matt, forbund, grupp, tema, n (distinct speakers), segment, sessioner, status``;
        ``matt`` is ``fokus``, or a variant without the total of a dimension whose units are not
        disjoint on these data.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": [f"s{i}" for i in range(7)], "session": "f1", "grupp": "g",
    ...                     "forbund": "X", "talare_id": [f"p{i}" for i in range(7)], "kodare": "A",
    ...                     "kod": ["x"] * 6 + ["y"]})
    >>> ts = build_focus(seg)
    >>> [int(ts.cell(ts.cells["matt"][0], forbund="X", grupp="g", tema=t)["n"]) for t in ("x", "y", MATERIAL)]
    [6, 1, 7]
    """
    from . import coding

    seg = segments.copy()
    if "forbund" not in seg:
        seg["forbund"] = MISSING
    seg["forbund"] = seg["forbund"].astype("string").fillna(MISSING).astype(str)
    seg[by] = seg[by].astype("string").fillna(MISSING).astype(str)
    tl = coding.tally(seg, codebook, by=["forbund", by], level="tema" if codebook is not None else "kod",
                      tvarkoder=False)
    themes = tl.rename(columns={by: "grupp", "kod": "tema", "talare": "n"})[
        ["forbund", "grupp", "tema", "n", "segment", "sessioner"]]
    mat = tl.drop_duplicates(["forbund", by])[["forbund", by, "talare_totalt", "segment_totalt", "sessioner_totalt"]]
    mat = mat.rename(columns={by: "grupp", "talare_totalt": "n",
                                                              "segment_totalt": "segment",
                                                              "sessioner_totalt": "sessioner"})
    mat = mat.assign(tema=MATERIAL)[["forbund", "grupp", "tema", "n", "segment", "sessioner"]]
    units = pd.concat([themes, mat], ignore_index=True)
    units["tema"] = units["tema"].astype(str)
    # a sum over förbund or groups is a count of people only when no speaker (session, segment) is in two
    sp = seg.dropna(subset=["talare_id"]) if "talare_id" in seg else seg.iloc[:0]
    add = []
    for d, col in (("forbund", "forbund"), ("grupp", by)):
        disjoint = all(seg.groupby(u)[col].nunique().max() <= 1 for u in ("segment_id", "session") if u in seg)
        disjoint &= bool(sp.groupby("talare_id")[col].nunique().max() <= 1) if len(sp) else True
        if disjoint:
            add.append(d)
    m = FOKUS if len(add) == 2 else _FOKUS_VARIANTS[tuple(add)]
    domains = {"forbund": sorted(units["forbund"].unique()), "grupp": sorted(units["grupp"].unique())}
    cells = _cube(units, m, domains)
    return TableSet(cells, min_n=min_n, protection=float(min_n if protection is None else protection))


def focus_forbund(ts: TableSet, segments: pd.DataFrame) -> str | None:
    """The förbund dimension value whose cells are the tally of ``segments``: its one förbund, the
    total when ``segments`` hold every förbund of the table, else None (a subset of several förbund
    is not a cell; such a tally is counted table by table).

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["s1"], "session": "f", "grupp": "g", "forbund": "X", "talare_id": "p",
    ...                     "kodare": "A", "kod": "x"})
    >>> focus_forbund(build_focus(seg), seg), focus_forbund(build_focus(seg), seg.iloc[:0])
    ('X', 'Totalt')
    """
    have = set(ts.cells["forbund"]) - {TOTAL}
    fb = set(segments["forbund"].astype("string").fillna(MISSING).astype(str)) if "forbund" in segments else {MISSING}
    if len(fb) == 1 and fb <= have:
        return next(iter(fb))
    if not fb or fb == have:
        return TOTAL
    return None


def focus_total(ts: TableSet, forbund=None, codebook=None) -> pd.DataFrame:
    """As :func:`focus_tally` over every group (``tally(by=None)``): one row per theme of the
    group total's cells (``grupp`` ``"Totalt"``)."""
    t = focus_tally(ts, forbund, codebook, grupp=TOTAL)
    return t.drop(columns="grupp")


def focus_tally(ts: TableSet, forbund=None, codebook=None, grupp=None) -> pd.DataFrame:
    """The board tally (as :func:`evaluation.coding.tally` ``by="grupp"``) read from the protected table.

    One row per group × theme of ``forbund`` (None or ``""``: the total over förbund), with
    ``segment, sessioner, talare`` and the material totals ``segment_totalt, sessioner_totalt,
    talare_totalt``, the shares ``andel_segment`` (segment / segment_totalt) and ``andel_sessioner``,
    NaN where the cell (or, for a share, its base) is suppressed, and ``undertryckt``.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": [f"s{i}" for i in range(7)], "session": "f1", "grupp": "g",
    ...                     "forbund": "X", "talare_id": [f"p{i}" for i in range(7)], "kodare": "A",
    ...                     "kod": ["x"] * 6 + ["y"]})
    >>> t = focus_tally(tableset.protect(build_focus(seg)), "X")
    >>> t[["kod", "talare", "segment_totalt", "undertryckt"]].values.tolist()  # themes do not add up: y alone hidden
    [['x', 6.0, 7.0, False], ['y', nan, 7.0, True]]
    """
    pub = ts.published()
    fb = str(forbund) if forbund not in (None, "") else TOTAL
    c = pub[(pub["forbund"] == fb) & ((pub["grupp"] != TOTAL) if grupp is None else (pub["grupp"] == grupp))]
    if grupp is None:  # groups this förbund has no material in (a published zero) are not its rows
        empty = c.loc[(c["tema"] == MATERIAL) & (c["segment"] == 0), "grupp"]
        c = c[~c["grupp"].isin(set(empty))]
    mat = c[c["tema"] == MATERIAL].set_index("grupp")
    th = c[c["tema"] != MATERIAL]
    if codebook is not None:  # the codebook's order of themes
        from . import coding

        order = {k: i for i, k in enumerate(coding._codes_at_level(codebook, "tema", th["tema"]))}
        th = th.assign(_o=th["tema"].map(order).fillna(len(order))).sort_values(["grupp", "_o"], kind="stable")
    out = pd.DataFrame({"grupp": th["grupp"].to_numpy(), "kod": th["tema"].to_numpy(),
                        "segment": th["segment"].to_numpy(float), "sessioner": th["sessioner"].to_numpy(float),
                        "talare": th["n"].to_numpy(float)})
    for col, src in (("segment_totalt", "segment"), ("sessioner_totalt", "sessioner"), ("talare_totalt", "n")):
        out[col] = out["grupp"].map(mat[src]).to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        for share, num, den in (("andel_segment", "segment", "segment_totalt"),
                                ("andel_sessioner", "sessioner", "sessioner_totalt")):
            # a published zero is 0 % of any base; otherwise both cells must be published
            out[share] = np.where(out[num] == 0, 0.0, np.where(out[den] > 0, out[num] / out[den], np.nan))
    out["undertryckt"] = (th["status"] != tableset.PUBLISHED).to_numpy()
    return out.reset_index(drop=True)


# ----------------------------------------------------------------------------------------- staff KASAM

def build_staff_kasam(scores: pd.DataFrame, min_n: int = MIN_N, protection: float | None = None,
                      scale: str = "total") -> TableSet:
    """The unprotected staff KASAM table (measure ``kasam_personal``, see the module docstring).

    Parameters
    ----------
    scores : DataFrame
        :func:`evaluation.kasam.score` of staff answers of every förbund (``forbund, vag, kon`` and
        ``scale``); rows without a score are not counted (as in :func:`evaluation.kasam.change`).
    min_n : int
        Primary suppression ``0 < n < min_n`` (answers in a wave).
    scale : str
        The score column (default ``total``).

    Examples
    --------
    Three answers in wave 2024 (totals 120, 130, 140) and one without a total:

    >>> sc = pd.DataFrame({"forbund": "X", "vag": "2024", "kon": ["kvinna", "kvinna", "man", "man"],
    ...                    "total": [120.0, 130.0, 140.0, None]})
    >>> c = build_staff_kasam(sc).cell("kasam_personal", forbund="X", vag="2024")
    >>> int(c["n"]), float(c["summa"]), float(c["kvadratsumma"])     # 120² + 130² + 140² = 50 900
    (3, 390.0, 50900.0)
    """
    sc = scores[scores[scale].notna()] if len(scores) else scores
    u = pd.DataFrame({d: (sc[d].astype("string").fillna(MISSING).astype(str) if d in sc else MISSING)
                      for d in ("forbund", "vag", "kon")}, index=sc.index)
    v = sc[scale].to_numpy(float)
    u["n"], u["summa"], u["kvadratsumma"] = 1, v, v ** 2
    domains = {"forbund": sorted(u["forbund"].unique()),
               "kon": list(dict.fromkeys(["kvinna", "man", "annat", *sorted(u["kon"].unique())]))}
    cells = _cube(u, KASAM_PERSONAL, domains)
    cells[["summa", "kvadratsumma"]] = cells[["summa", "kvadratsumma"]].astype(float)
    return TableSet(cells, min_n=min_n, protection=float(min_n if protection is None else protection))


def staff_change(ts: TableSet | None, forbund: str = "", before: str | None = None, after: str | None = None,
                 kon: str = TOTAL, ci: float = 0.95) -> dict:
    """Staff KASAM before → after from two published wave cells of the staff table (Welch).

    The cells (``forbund`` or the total, waves ``before`` and ``after``, default the first and
    last wave of the table, ``kon``) give ``n_i``, Σx and Σx² per wave; from them alone:
    mean = Σx / n, s² = (Σx² − n · mean²) / (n − 1), the change mean_after − mean_before, its
    standard error √(s_a²/n_a + s_b²/n_b), the Welch–Satterthwaite degrees of freedom, the
    two-sided CI and p (Welch 1947, *Biometrika* 34:28-35; t and p by
    :func:`scipy.stats.ttest_ind_from_stats` with ``equal_var=False``, which equals
    :func:`evaluation.compare.before_after` unpaired on the answers) and Hedges' g (pooled SD,
    small-sample factor 1 − 3 / (4(n_a + n_b) − 9)). Where either wave cell is suppressed every
    value is NaN; the Mann-Whitney p needs the answers and is not given.

    Returns
    -------
    dict
        ``design`` (``unpaired``), ``n`` (both waves), ``n_fore``, ``n_efter``, ``mean_before``,
        ``mean_after``, ``mean_diff``, ``ci_low``, ``ci_high``, ``t``, ``df``, ``p``, ``hedges_g``,
        ``vag_fore``, ``vag_efter``, ``undertryckt`` (bool).

    Examples
    --------
    Wave 2024: 100, 110, 120, 130, 140; wave 2025: 120, 125, 130, 135, 140 (by hand: means 120 and
    130, variances 250 and 62.5, se = √(50 + 12.5) = 7.906, t = 1.265):

    >>> sc = pd.DataFrame({"forbund": "X", "vag": ["2024"] * 5 + ["2025"] * 5, "kon": "kvinna",
    ...                    "total": [100.0, 110, 120, 130, 140, 120, 125, 130, 135, 140]})
    >>> r = staff_change(tableset.protect(build_staff_kasam(sc)), "X")
    >>> r["n"], r["mean_before"], r["mean_after"], round(r["t"], 3), round(r["df"], 2)
    (10, 120.0, 130.0, 1.265, 5.88)
    """

    keys = ("n", "n_fore", "n_efter", "mean_before", "mean_after", "mean_diff", "ci_low", "ci_high", "t", "df",
            "p", "hedges_g")
    out = {"design": "unpaired", **{k: np.nan for k in keys}, "vag_fore": before, "vag_efter": after,
           "undertryckt": True}
    if ts is None or "kasam_personal" not in set(ts.cells["matt"]):
        return out
    waves = sorted(set(ts.cells.loc[ts.cells["matt"] == "kasam_personal", "vag"].astype(str)))
    b = str(before) if before is not None else (waves[0] if waves else "")
    a = str(after) if after is not None else (waves[-1] if waves else "")
    out.update(vag_fore=b, vag_efter=a)
    fb = str(forbund) if forbund not in (None, "") else TOTAL
    cells = [ts.value("kasam_personal", c, forbund=fb, vag=w, kon=kon or TOTAL)
             for w in (b, a) for c in ("n", "summa", "kvadratsumma")]
    nb, sb, qb, na, sa, qa = cells
    if any(pd.isna(x) for x in cells):
        return out
    out.update(n=int(nb + na), n_fore=int(nb), n_efter=int(na), undertryckt=False)
    if nb == 0 or na == 0:
        return out
    from . import kasam

    # the participants' Welch from two wave cells (one formula: kasam.welch_from_moments)
    w = kasam.welch_from_moments(nb, sb, qb, na, sa, qa, ci=ci)
    out.update({k: w[k] for k in ("mean_before", "mean_after", "mean_diff")})
    if nb < 2 or na < 2 or np.isnan(w["t"]):
        return out
    vb, va = w["sd_before"] ** 2, w["sd_after"] ** 2
    sp = np.sqrt(((nb - 1) * vb + (na - 1) * va) / (nb + na - 2))
    out.update({k: w[k] for k in ("ci_low", "ci_high", "t", "df", "p")},
               hedges_g=(w["mean_diff"]) / sp * (1 - 3 / (4 * (nb + na) - 9)) if sp > 0 else np.nan)
    return out


def staff_result(ts: TableSet | None, forbund: str = "", change=None, before: str | None = None,
                 after: str | None = None) -> pd.DataFrame:
    """The staff KASAM comparison a board sees: :func:`staff_change` as a one-row table.

    Columns as :func:`evaluation.compare.before_after` unpaired (``design, n, mean_before,
    mean_after, mean_diff, ci_low, ci_high, t, df, p, hedges_g``) plus ``undertryckt``; the answers
    left out (``n_excluded``) and the Mann-Whitney p are not cells and are not shown. ``change``
    (the evaluator's :func:`evaluation.kasam.change` of the same answers) gives the waves compared
    (unless ``before``/``after`` name them) and the design: with a paired design
    (:func:`evaluation.compare.design_of`) the table's Welch interval is not the evaluator's paired
    one, so the means are shown and the test columns left empty.

    Examples
    --------
    >>> sc = pd.DataFrame({"forbund": "X", "vag": ["2024"] * 5 + ["2025"] * 2, "kon": "kvinna",
    ...                    "total": [100.0, 110, 120, 130, 140, 120, 125]})
    >>> r = staff_result(tableset.protect(build_staff_kasam(sc)), "X")
    >>> r[["n", "mean_before", "undertryckt"]].values.tolist()      # 2 answers in 2025: hidden
    [[nan, nan, True]]
    """
    design = getattr(change, "design", None)
    for name, frame in (("before", getattr(change, "before", None)), ("after", getattr(change, "after", None))):
        if frame is not None and len(frame) and "vag" in frame and (before if name == "before" else after) is None:
            if name == "before":
                before = str(frame["vag"].iloc[0])
            else:
                after = str(frame["vag"].iloc[0])
    r = staff_change(ts, forbund, before, after)
    if design is not None and getattr(design, "paired", False):
        r.update({k: np.nan for k in ("ci_low", "ci_high", "t", "df", "p", "hedges_g")})
        r["design"] = "paired"
    cols = ["design", "n", "mean_before", "mean_after", "mean_diff", "ci_low", "ci_high", "t", "df", "p",
            "hedges_g", "undertryckt"]
    return pd.DataFrame([{c: r[c] for c in cols}])


def staff_design_text(design, lang: str = "sv") -> str:
    """The staff design explanation as a board may read it: without counts.

    :attr:`evaluation.compare.Design.reason` names how many answered both waves; for staff that is
    no cell of the staff table (waves are cross-sections; who answered twice is not counted there),
    so it could be a hidden 1-4 people: the design is explained without counts (as
    :func:`evaluation.kasam.design_text` does for participants whose cells are hidden).

    Examples
    --------
    >>> from evaluation import compare
    >>> d = compare.Design(False, 20, 21, 3, 0.15, "Oparad jämförelse (upprepat tvärsnitt): bara 3 personer ...")
    >>> staff_design_text(d)   # the 3 who answered twice are not shown
    'Oparad jämförelse (upprepat tvärsnitt): för få personer svarade vid båda tillfällena (under 80 % av det minsta mättillfället; antalen visas inte för att skydda små grupper).'
    """
    from .labels import t

    key = "compare.design.paired_dold" if getattr(design, "paired", False) else "compare.design.unpaired_dold"
    return t(key, lang, min_share="80")


# ----------------------------------------------------------------------------------------- one per snapshot

def current(kind: str, data_dir=None) -> TableSet | None:
    """The snapshot's protected ``"nns"`` or ``"fokus"`` table (beside ``tabelluppsattning.parquet``;
    in a snapshot over several data folders, the one of ``data_dir``:
    :func:`evaluation.tableset.snapshot_folder`), or None outside a run (then :func:`for_inputs`).

    Examples
    --------
    >>> os.environ.pop(tableset.ENV, None) and None
    >>> current("nns") is None
    True
    """
    folder = tableset.snapshot_folder(data_dir)
    name = {"nns": NNS_FILENAME, "fokus": FOCUS_FILENAME, "kasam_personal": KASAM_PERSONAL_FILENAME}[kind]
    if folder is not None and (folder / name).is_file():
        return tableset.read_parquet(folder / name)
    return None


def for_inputs(indata, kind: str, min_n: int = MIN_N, scale_max: int | None = None, codebook=None,
               form: str = "soc29") -> TableSet | None:
    """The protected table a notebook or report slices: in a run the snapshot's (:func:`current`),
    otherwise built from every förbund of the data folder (``indata.alla``) and protected
    (:func:`evaluation.tableset.protect_cached`: the same data give the same statuses everywhere).

    ``kind``: ``"nns"`` (needs ``indata.nns``), ``"fokus"`` (``indata.segments`` and ``codebook``) or
    ``"kasam_personal"`` (``indata.kasam_personal``, scored with ``form``). None when the folder has
    no such data.
    """
    ts = current(kind, getattr(indata, "data_dir", None))
    if ts is not None and int(ts.min_n) == int(min_n):
        return ts
    src = indata.alla if getattr(indata, "alla", None) is not None else indata
    if kind == "kasam_personal":
        return _staff_table(getattr(src, "kasam_personal", None), min_n, form)
    if kind == "nns":
        data = src.nns
        if data is None or not len(data):
            return None
        return tableset.protect_cached(build_nns(data, scale_max=scale_max, min_n=min_n))
    data = src.segments
    if data is None or not len(data):
        return None
    from . import coding

    cb = codebook if codebook is not None else coding.combine_codebooks(*DEFAULT_KODBOCKER.split(","))
    return tableset.protect_cached(build_focus(data, cb, min_n=min_n))


def _staff_table(answers, min_n: int, form: str = "soc29") -> TableSet | None:
    if answers is None or not len(answers):
        return None
    from . import kasam

    return tableset.protect_cached(build_staff_kasam(kasam.score(answers, form=form), min_n=min_n))


def write_snapshot(data_dir, staging: Path, min_n: int = MIN_N, kodbocker: str = DEFAULT_KODBOCKER) -> dict:
    """Protect the NNS, focus-group and staff KASAM tables of a data folder and write them beside the
    participant table set (``<staging>/tabelluppsattning_nns.parquet``,
    ``…_fokusgrupper.parquet``, ``…_kasam_personal.parquet``).

    Returns
    -------
    dict
        For the manifest, per table (``nns``, ``fokusgrupper``, ``kasam_personal``): ``fil``, the cost
        (:meth:`evaluation.tableset.TableSet.cost`) and ``sekunder``; or ``fel`` (Swedish) when the
        table could not be built; absent when the folder has no such data.
    """
    import time

    from . import coding, inputs
    from .privacy import redact

    out = {}
    indata = inputs.load(data_dir)
    for kind, name, fname in (("nns", "nns", NNS_FILENAME), ("fokus", "fokusgrupper", FOCUS_FILENAME),
                              ("kasam_personal", "kasam_personal", KASAM_PERSONAL_FILENAME)):
        t0 = time.perf_counter()
        try:
            if kind == "kasam_personal":
                ts = _staff_table(indata.kasam_personal, min_n)
            elif kind == "nns":
                data = indata.nns
                ts = None if data is None or not len(data) else tableset.protect_cached(build_nns(data, min_n=min_n))
            else:
                data = indata.segments
                cb = coding.combine_codebooks(*[k.strip() for k in kodbocker.split(",") if k.strip()])
                ts = None if data is None or not len(data) else tableset.protect_cached(
                    build_focus(data, cb, min_n=min_n))
        except (EvaluationError, KeyError, ValueError) as exc:
            out[name] = {"fel": redact(f"ingen skyddad tabell: {type(exc).__name__}: {exc}")}
            continue
        if ts is None:
            continue
        tableset.write_parquet(ts, Path(staging) / fname)
        out[name] = {"fil": fname, **ts.cost(), "sekunder": round(time.perf_counter() - t0, 1)}
    return out


# ----------------------------------------------------------------------------------------- views

_NNS_KEYS = ("respondentgrupp", "tidpunkt", "vag")


def _cell_dims(row, by) -> dict:
    missing = [d for d in _NNS_KEYS if d not in by]
    if missing:
        from .indicators import IndicatorError

        raise IndicatorError(f"the protected NNS table has no total over {missing}: keep them in by=")
    dims = {d: str(row[d]) for d in _NNS_KEYS}
    dims["forbund"] = str(row["forbund"]) if "forbund" in by else TOTAL
    dims["kon"] = (MISSING if pd.isna(row["kon"]) else str(row["kon"])) if "kon" in by else TOTAL
    return dims


def hide_rows(df: pd.DataFrame, hidden, keep=()) -> pd.DataFrame:
    """Blank the rows ``hidden`` of a results table (every numeric column but ``keep``), with the
    column ``undertryckt`` and the cell mask :func:`evaluation.disclosure.format_table` shows as "–".

    Examples
    --------
    >>> hide_rows(pd.DataFrame({"item": ["1A", "1U"], "n": [7, 3]}), [False, True])["n"].tolist()
    [7.0, nan]
    """
    from .disclosure import FLAG

    out = df.copy()
    hidden = np.asarray(hidden, bool)
    cols = [c for c in out.columns if c not in keep and c != FLAG and pd.api.types.is_numeric_dtype(out[c])
            and not pd.api.types.is_bool_dtype(out[c])]
    mask = pd.DataFrame(False, index=out.index, columns=cols)
    for c in cols:
        mask[c] = hidden
        out[c] = out[c].astype(float).mask(hidden)
    prev = df.attrs.get("undertryckt_celler")
    out[FLAG] = hidden | (df[FLAG].to_numpy(bool) if FLAG in df else False)
    out.attrs["undertryckt_celler"] = mask if prev is None else (mask | prev.reindex_like(mask).fillna(False))
    return out


def item_results_from_cells(res: pd.DataFrame, ts: TableSet, by, scale_max: int | None = None) -> pd.DataFrame:
    """Rows of :func:`evaluation.indicators.item_results` (unsuppressed) read from the protected NNS
    table: every statistic of a published cell recomputed from its counts (:func:`item_statistics`),
    every other row blanked (``undertryckt``)."""
    out = res.copy()
    hidden = np.zeros(len(out), bool)
    keys = list(by) + ["item", "indikator", "lokal"]
    for j, (ix, row) in enumerate(out.iterrows()):
        c = nns_cell(ts, item=row["item"], **_cell_dims(row, by))
        if c is None or c["status"] != tableset.PUBLISHED:
            hidden[j] = True
            continue
        for k, v in item_statistics(c, scale_max).items():
            if k in out.columns:
                out.at[ix, k] = v
    return hide_rows(out, hidden, keep=keys)


def indicator_results_from_cells(res: pd.DataFrame, ts: TableSet, by, scale_max: int | None = None) -> pd.DataFrame:
    """Rows of :func:`evaluation.indicators.indicator_results` (unsuppressed) from the NNS table: the
    pooled answers are the sum of the indicator's item cells, published only where every one of them
    is (so a pooled figure never reveals a hidden item cell by difference); ``n`` (respondents with at
    least one answer, a distinct count) is shown only there too."""
    out = res.copy()
    hidden = np.zeros(len(out), bool)
    keys = list(by) + ["indikator", "antal_pastaenden"]
    for j, (ix, row) in enumerate(out.iterrows()):
        dims = _cell_dims(row, by)
        cells = [nns_cell(ts, item=it.strip(), **dims) for it in str(row["pastaenden"]).split(",")]
        if any(c is None or c["status"] != tableset.PUBLISHED for c in cells):
            hidden[j] = True
            continue
        pooled = {k: sum(float(c[k]) for c in cells) for k in ("bortfall", *(f"antal_{s}" for s in range(1, STEPS + 1)))}
        st = item_statistics(pooled, scale_max)
        st["n_svar"] = st.pop("n")
        for k, v in st.items():
            if k in out.columns:
                out.at[ix, k] = v
    return hide_rows(out, hidden, keep=keys)


def questionnaire_rows(survey: pd.DataFrame, ts: TableSet | None) -> pd.DataFrame:
    """Questionnaires received per förbund, respondent group, timepoint and wave, as published cells.

    A questionnaire row count (respondent × wave × timepoint rows of one group) is not a cell of
    the NNS table, but it is one where an item of that questionnaire was asked of every row: then
    ``n + bortfall`` of the item's cell (``kon`` total) is the row count, a sum of the cell's own
    moments. So the count is shown exactly where such a cell is **published**, and hidden ("–",
    ``undertryckt``) otherwise (e.g. the four förbundschef answers of a förbund: every item cell has
    ``n`` ≤ 4 and is suppressed). Without ``ts`` (no NNS table) every count is hidden.

    Parameters
    ----------
    survey : DataFrame
        The NNS answers a view shows (SURVEY schema).
    ts : evaluation.tableset.TableSet or None
        The protected NNS table (:func:`for_inputs`).

    Returns
    -------
    DataFrame
        ``forbund, respondentgrupp, tidpunkt, vag, antal`` (rows; NaN where hidden), ``undertryckt``.

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": list("abcdefghi"), "forbund": "X", "vag": "V", "tidpunkt": "halvar",
    ...                   "respondentgrupp": ["styrelse"] * 5 + ["forbundschef"] * 4,
    ...                   "nns_12": [6, 5, 5, 4, 2] + [None] * 4, "nns_10": [None] * 5 + [3] * 4})
    >>> q = questionnaire_rows(s, tableset.protect(build_nns(s)))
    >>> q[["respondentgrupp", "antal", "undertryckt"]].values.tolist()
    [['forbundschef', nan, True], ['styrelse', 5.0, False]]
    """
    keys = ["forbund", "respondentgrupp", "tidpunkt", "vag"]
    u = pd.DataFrame({d: survey[d].astype("string").fillna(MISSING).astype(str) for d in keys})
    counts = u.groupby(keys).size().rename("antal").reset_index()
    pub = None
    if ts is not None:
        c = ts.cells
        c = c[(c["matt"] == NNS.name) & (c["kon"] == TOTAL) & (c["status"] == tableset.PUBLISHED)]
        pub = (c.assign(rader=c["n"].astype(float) + c["bortfall"].astype(float))
               .groupby(keys)["rader"].agg(lambda x: set(x.astype(int))))
    hidden = []
    for r in counts.itertuples(index=False):
        rows = pub.get(tuple(getattr(r, k) for k in keys), set()) if pub is not None else set()
        hidden.append(int(r.antal) not in rows)
    counts["antal"] = counts["antal"].astype(float).mask(np.asarray(hidden, bool))
    counts["undertryckt"] = hidden
    return counts


def questionnaire_table(survey: pd.DataFrame, ts: TableSet | None) -> pd.DataFrame:
    """:func:`questionnaire_rows` wide: one row per förbund, group and timepoint that has answers, one
    column per wave; a hidden count is NaN with the cell mask that shows it as "–"
    (:func:`evaluation.disclosure.format_table`), a wave without answers stays empty.

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": list("abcdefghi"), "forbund": "X", "vag": "V", "tidpunkt": "halvar",
    ...                   "respondentgrupp": ["styrelse"] * 5 + ["forbundschef"] * 4,
    ...                   "nns_12": [6, 5, 5, 4, 2] + [None] * 4, "nns_10": [None] * 5 + [3] * 4})
    >>> from evaluation.disclosure import format_table
    >>> format_table(questionnaire_table(s, tableset.protect(build_nns(s))), decimals=0)["V"].tolist()
    ['–', '5']
    """
    from .disclosure import FLAG

    q = questionnaire_rows(survey, ts)
    keys = ["forbund", "respondentgrupp", "tidpunkt"]
    waves = sorted(q["vag"].unique())
    wide = q.pivot(index=keys, columns="vag", values="antal").reindex(columns=waves).reset_index()
    hid = q.pivot(index=keys, columns="vag", values="undertryckt").reindex(columns=waves)
    mask = hid.fillna(False).astype(bool).reset_index(drop=True)
    wide.columns = [str(c) for c in wide.columns]
    mask.columns = [str(c) for c in mask.columns]
    wide[FLAG] = mask.any(axis=1).to_numpy()
    wide.attrs["undertryckt_celler"] = mask
    return wide


def rows_per_group(survey: pd.DataFrame, ts: TableSet | None) -> tuple[dict, int | None]:
    """``({respondentgrupp: rows or None}, total rows or None)`` from :func:`questionnaire_rows`.

    A group's count is the sum of its published questionnaire counts and is None when any of them
    is hidden; the total is None when any group is (the total minus the shown groups would give
    the hidden one).

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_id": list("abcdefghi"), "forbund": "X", "vag": "V", "tidpunkt": "halvar",
    ...                   "respondentgrupp": ["styrelse"] * 5 + ["forbundschef"] * 4,
    ...                   "nns_12": [6, 5, 5, 4, 2] + [None] * 4, "nns_10": [None] * 5 + [3] * 4})
    >>> rows_per_group(s, tableset.protect(build_nns(s)))
    ({'forbundschef': None, 'styrelse': 5}, None)
    """
    q = questionnaire_rows(survey, ts)
    groups = {}
    for g, part in q.groupby("respondentgrupp"):
        groups[str(g)] = None if part["undertryckt"].any() else int(part["antal"].sum())
    total = None if any(v is None for v in groups.values()) else int(sum(groups.values()))
    return groups, total
