"""The protected table set (skyddad tabelluppsättning): every board figure is a cell of one table.

Small-cell suppression table by table (:mod:`evaluation.disclosure`) is not enough once a board
can look at the same people through many views: a dashboard filtered on *Söderå, Kvinnor* shows
exit categories that add up to 44 of the 46 avslutade it shows next to them; a report that shows
Kvinna 53 and Man 55 of 110 avslutade shows Annat = 2; and a mean over the 10 women of a förbund
minus the mean over the 8 women of one of its insatser gives the mean of the 2 in the other. This
is the *linked tables* problem of statistical disclosure control (Hundepool et al. 2012, §5.4;
de Wolf & Giessing 2009). The reference tools (R ``sdcTable::protectTable`` /
``protectLinkedTables``, τ-Argus) solve it by protecting **one hierarchical table with all its
margins**, so that every view is a slice of a protected whole. This module does that.

The table set
-------------
One long table of *cells*. Every cell has the dimensions the views offer:

========== =========================================================================
dimension  values
========== =========================================================================
matt       the measure (:data:`MEASURES`): ``aktiva``, ``nya``, ``avslutade``, ``avslut``
           (the project's exit category), ``sus`` (SUS exit category), ``forsorjning_fore`` and
           ``forsorjning_efter`` (försörjningsgrupp before, after), ``egen`` (own support after
           exit), ``tid`` (time in the insats of the exited, in bands :data:`TIDSBAND`: the board's
           substitute for the Kaplan–Meier curve, whose steps are counts of 1-4 exits), ``handlingsplan``
           (episodes whose första möte → handlingsplan step is judged: ``i_tid`` / ``sen``; with
           ``events``), ``kasam`` (KASAM pairs with the sums behind the means), ``kasam_fore`` and
           ``kasam_efter`` (the two KASAM waves, each respondent with a valid total: the groups
           of the unpaired design, see below). Deliberately *not*
           crossed: SUS category × confirmation and försörjning before × after (each doubles or
           quadruples the cells of a 6-dimensional table over a few hundred people; on the samples
           protecting them hid 63-88 % of all cells, the förbund totals included)
forbund    each förbund and ``"Totalt"``
insats     each insats and ``"Totalt"``
period     each calendar year and ``"alla"`` (the whole data period)
kon        kvinna, man, annat (ej binär) … and ``"Totalt"``
kategori,  the measure's category dimensions with ``"Totalt"`` (``"Totalt"`` throughout for
kategori2  measures without categories)
========== =========================================================================

and the count ``n`` (persons / episodes / answer pairs), the additive *moments* of the measure
(``kasam``: ``summa_fore``, ``summa_efter``, ``kvadratsumma_diff``: Σ before, Σ after and
Σ (after − before)², from which the means, the change and its confidence interval follow;
``kasam_fore`` / ``kasam_efter``: ``summa`` = Σ total and ``kvadratsumma`` = Σ total², from which
each wave's mean and SD and the Welch test follow) and ``status``: ``publicerad``, ``primär`` or
``sekundär``.

KASAM has three measures because its design depends on the data (:func:`evaluation.compare.design_of`):
when at least 80 % of the smaller wave can be linked the change is paired (the ``kasam`` cell: pairs
with a before and an after total, period = the year of the *after* answer); otherwise it compares
the two whole waves (Welch), whose groups are the ``kasam_fore`` and ``kasam_efter`` cells: every
respondent with a valid total in that wave (one answer per respondent and wave, as
:func:`evaluation.kasam.split_waves` / :func:`evaluation.kasam.change` use them), with förbund,
insats and kön of that answer and period = the year of that wave's *own* answer (a before answer
in 2024 and the after answer in 2025 count in 2024 and 2025). Answers dated outside the years of
the table set count in no cell, as for ``kasam``. The design itself follows from the cells (pairs n
/ the smaller wave n), so a board derives the same design, n and figures as the notebook
(:func:`evaluation.kasam.change_from_cells`).

Linear relations (what an attacker can add and subtract): every cell with ``"Totalt"`` (period:
``"alla"``) in a dimension is the sum of the cells with the dimension's values, for every
measure and every combination of the other dimensions; the category total of ``avslut``,
``sus``, ``forsorjning`` and ``egen`` *is* the ``avslutade`` cell (linked tables); ``aktiva`` in a
year is ``aktiva`` in the year before − ``avslutade`` then + ``nya`` now (and ``aktiva`` of the first
year = ``nya``; ``aktiva`` over the whole period is ``nya`` over it, so it is not a separate cell).
The moments obey the same sums as ``n``.

Protection
----------
* **Primary suppression**: ``0 < n < min_n`` (a published zero identifies nobody).
* **Protection level** ``p`` (default ``min_n``): every suppressed cell's feasible interval,
  given every published cell and every relation above, must be at least ``p`` wide, so that a
  hidden 1–4 cannot be told from 0 or from a publishable count.
* **Attacker model**: the attacker sees every published cell of every view and knows every
  relation and the rule; a suppressed count is only known to be ≥ 0, because secondary
  suppression may hide zeros and the published file says ``undertryckt`` without telling primary
  from secondary. Not covered: background knowledge of individual people (knowing that one
  named person left for work in Söderå 2025 and subtracting them), and several snapshots of
  changing data compared over time (each snapshot is protected on its own).
* **Secondary suppression** (:func:`protect`): one LP per suppressed cell finds the cheapest set
  of further cells whose suppression lets that cell move by ``p`` without breaking any relation
  (the incremental attacker of Fischetti & Salazar-González 1999); see :func:`protect`. Its
  *cleanup* (``protect(ts, cleanup=True)``, always in :func:`protect_cached`) tries every secondary cell
  again, board default-view cells first (:func:`board_default_cells`), and records for each one kept the
  cell it protects (column ``skal``, never in the board file): no cell is hidden without a reason.
* **Measured price on the samples** (5 328 cells, sequential pass): 652 primary and 1 493 secondary
  cells (28 %), 365 LPs; of the 333 board default-view cells (every förbund and year, insats and kön at
  Totalt) 35 are hidden as primary and 89 as secondary. Cost functions compared (README, "Across
  views"): ``1 + n`` (kept), ``(1 + n) × 10`` on default-view cells (1 518 secondary, 84 in the default
  view), ``log(2 + n)`` (1 397 secondary but 139 in the default view and 4 förbund × year counts hidden).
  The KASAM wave measures ``kasam_fore`` / ``kasam_efter`` (unpaired design) add 384 cells (measured before
  ``tid`` and ``handlingsplan``: 5 328 → 5 712),
  36 primary and 129 secondary suppressions, all in the wave cells (the other measures keep their numbers of primary and secondary cells), and
  protection on the samples takes 94 instead of 77 CPU seconds.
* **Audit** (:func:`attack`): the LP attacker of Hundepool et al. (2012, §5.4.3) computes each
  suppressed cell's feasible minimum and maximum; the tests also run an independent attacker
  (and an integer one, :func:`scipy.optimize.milp`).
* Moments (sums behind means) share the status of their count; they obey the same relations,
  so a suppressed group's sums can not be derived from published groups by differencing
  (means, medians, CIs and shares are published only where every count cell they use is).
  A KASAM mean of the unpaired design is the mean of a wave cell, so it is published only where
  that wave cell is; it is never derived from the pairs.

* **Medians** (time in the insats, the Kaplan–Meier median; :data:`evaluation.flows.KEY_FIGURE_CELLS`,
  :func:`evaluation.flows.protected_rows`) are not cells: a median is published only where its group's
  count cell is published, so the group is 0 or at least ``min_n`` people, never 1-4. Why that is
  enough: a median is not a sum, so no relation gives a hidden group's median from published groups
  (the median of 10 women and of 8 of them says nothing exact about the other 2), unlike a mean,
  whose sum n × mean adds up and is therefore a moment of the cell. The time-to-exit *distribution*
  is cells (measure ``tid``), not the KM curve, whose steps are counts of exits per day.
* **Measured price of ``tid`` and ``handlingsplan``** (added for issue 15, deliverable 2; samples,
  before the KASAM wave cells): ``tid`` 768 cells (101 primary, 273 secondary), ``handlingsplan`` 576
  cells (31 primary, 72 secondary): 6 672 cells, 27.5 % secondary (28.0 % before); every one of the
  5 328 cells the set had before keeps its status (the new measures add their own sums only). With
  five bands ``tid`` had 960 cells (139 primary, 310 secondary) and the sequential pass 455 LPs
  instead of 365. With the KASAM wave cells too: 7 056 cells, 820 primary, 1 967 secondary, 502 LPs,
  174 CPU s at load 11 (94 CPU s for the 5 712 cells before). Kept in the one table (not a table set of
  its own): ``tid`` sums to ``avslutade``, so protecting it apart would let a band be read off as the
  published avslutade minus the others; ``handlingsplan`` shares no relation and could move to a table
  of its own if the time matters.

The cost of protection is :meth:`TableSet.cost` (share of cells hidden by secondary suppression);
a snapshot records it.

References
----------
Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley, ch. 5 (frequency tables;
§5.4 linked tables, secondary suppression, the audit by linear programming).
de Wolf, P.-P. and Giessing, S. (2009). Adjusting the τ-ARGUS modular approach to deal with linked
tables. *Data & Knowledge Engineering* 68, 1160-1174.
Fischetti, M. and Salazar-González, J.-J. (1999). Models and algorithms for the 2-dimensional
cell suppression problem in statistical disclosure control. *Mathematical Programming* 84, 283-312.
Meindl, B. (2023). *sdcTable*: Methods for statistical disclosure control in tabular data
(R package; ``protectTable``, ``protectLinkedTables``).

Examples
--------
>>> ep = pd.DataFrame({"forbund": ["A"] * 12, "insats": ["X"] * 6 + ["Y"] * 6,
...                    "kon": ["kvinna"] * 5 + ["annat"] + ["man"] * 6,
...                    "inskrivningsdatum": pd.to_datetime(["2025-02-01"] * 12),
...                    "avslutsdatum": pd.NaT, "avslutad": False})
>>> ts = build(ep, reference_date="2025-12-31")
>>> int(ts.cell("nya", forbund="A", insats="X", kon="annat")["n"]), int(ts.cell("nya", insats="X")["n"])
(1, 6)
>>> hide_annat = ((ts.cells["kon"] == "annat") & (ts.cells["n"] > 0)).to_numpy()
>>> float(attack(ts, hidden=hide_annat)["bredd"].max())  # 6 - 5 kvinnor: hiding annat alone protects nothing
0.0
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from .disclosure import MIN_N
from .errors import EvaluationError


class ProtectionError(EvaluationError, RuntimeError):
    """The table set could not be protected or attacked (an LP failed, no complement left)."""

__all__ = [
    "TOTAL", "PERIOD_ALL", "DIMENSIONS", "KEY", "MEASURES", "Measure", "TableSet", "build", "protect",
    "relations", "attack", "write_parquet", "read_parquet", "PUBLISHED", "PRIMARY", "SECONDARY",
    "FILENAME", "ProtectionError", "SUPPRESSED", "matrix", "fingerprint", "protect_cached", "for_data",
    "for_data_dir", "current", "ENV", "OWN_MEASURES", "register", "measure", "REASON", "board_default_cells",
    "FOLDERS", "folder_key", "snapshot_folder",
    "TIDSBAND", "tidsband", "PLAN_DEADLINE_DAYS",
]

TOTAL = "Totalt"
PERIOD_ALL = "alla"
PUBLISHED, PRIMARY, SECONDARY = "publicerad", "primär", "sekundär"
SUPPRESSED = "undertryckt"  # what a board file says for a primary or secondary cell
MISSING = "saknas"  # a unit's missing dimension value (KASAM answers without kön, exit without category)
DIMENSIONS = ("forbund", "insats", "period", "kon")
KEY = ("matt", *DIMENSIONS, "kategori", "kategori2")
FILENAME = "tabelluppsattning.parquet"
FOLDERS = "tabelluppsattningar"  # a snapshot over several data folders: one sub-folder per data folder
MOMENTS = ("summa_fore", "summa_efter", "kvadratsumma_diff")
#: Moments of the KASAM wave measures ``kasam_fore`` / ``kasam_efter``: Σ total and Σ total² of the
#: wave's respondents (mean = summa / n, SD² = (kvadratsumma − n · mean²) / (n − 1)).
WAVE_MOMENTS = ("summa", "kvadratsumma")
#: Every moment column of the participants' table set.
ALL_MOMENTS = MOMENTS + WAVE_MOMENTS
REASON = "skal"  # a secondary cell's reason (the key of the cell it protects); never in the board file


@dataclass(frozen=True)
class Measure:
    """One measure of the table set.

    Attributes
    ----------
    name : str
    categories : tuple of str
        Names of the unit columns that become ``kategori`` / ``kategori2`` (0-2).
    base : str or None
        Measure whose cell is this measure's category total (linked tables).
    period_additive : bool
        Whether the period ``"alla"`` is the sum of the years (events: yes; stocks such as
        ``aktiva``: no).
    moments : tuple of str
        Additive sums published with the count.
    dimensions : tuple of str, optional
        The measure's own dimensions (a table of another population, e.g. NNS respondents,
        :mod:`evaluation.surveytables`); default ``DIMENSIONS`` + the category columns.
    additive : tuple of str, optional
        Those of ``dimensions`` that have a total (``"Totalt"``) equal to the sum of their values;
        default every dimension but a non-additive period.
    """

    name: str
    categories: tuple = ()
    base: str | None = None
    period_additive: bool = True
    moments: tuple = ()
    dimensions: tuple | None = None
    additive: tuple | None = None


MEASURES = {m.name: m for m in [
    Measure("nya"),
    Measure("avslutade"),
    Measure("aktiva", period_additive=False),
    Measure("avslut", ("avslutskategori",), base="avslutade"),
    Measure("sus", ("sus_kategori",), base="avslutade"),
    Measure("forsorjning_fore", ("forsorjningsgrupp_fore",), base="avslutade"),
    Measure("forsorjning_efter", ("forsorjningsgrupp_efter",), base="avslutade"),
    Measure("egen", ("egen_forsorjning_efter",), base="avslutade"),
    Measure("tid", ("tidsband",), base="avslutade"),
    Measure("handlingsplan", ("handlingsplan_status",)),
    Measure("kasam", moments=MOMENTS),
    Measure("kasam_fore", moments=WAVE_MOMENTS),
    Measure("kasam_efter", moments=WAVE_MOMENTS),
]}

#: The deadline första möte -> handlingsplan of measure ``handlingsplan`` (days; the notebooks' default)
PLAN_DEADLINE_DAYS = 35

#: Duration bands of measure ``tid`` (time in the insats of an exited episode, months = days / (365.25 / 12)):
#: ``(kategori, lower, upper)``, lower bound included, upper excluded.
#: Four bands, not five: on the samples a band of more than 24 months held 0-2 exits in every förbund
#: and year, so it was always hidden and took 0-3 months and 12-24 months with it (no share within
#: 3, 6 or 12 months was published for any förbund and year); more than 12 months is one band.
TIDSBAND = (("0_3", 0.0, 3.0), ("3_6", 3.0, 6.0), ("6_12", 6.0, 12.0), ("12_", 12.0, float("inf")))


def tidsband(days) -> pd.Series:
    """The duration band (:data:`TIDSBAND`) of each time in days (NaN: ``saknas``).

    Months are days / (365.25 / 12), as in :func:`evaluation.flows.time_in_insats`; a band holds
    its lower bound (exactly 3 months is ``3_6``).

    Examples
    --------
    >>> tidsband(pd.Series([0, 91, 92, 200, 400, 800, None])).tolist()   # 91 d = 2.99 months, 92 d = 3.02
    ['0_3', '0_3', '3_6', '6_12', '12_', '12_', 'saknas']
    """
    months = pd.to_numeric(pd.Series(days), errors="coerce").to_numpy(float) / (365.25 / 12)
    out = np.full(len(months), MISSING, dtype=object)
    for name, lo, hi in TIDSBAND:
        out[(months >= lo) & (months < hi)] = name
    return pd.Series(out, index=pd.Series(days).index)


#: Measures of other populations' tables (own dimensions), by name; see :func:`register`.
OWN_MEASURES: dict[str, Measure] = {}


def register(m: Measure) -> Measure:
    """Make a measure with its own dimensions known to :func:`relations` and :meth:`TableSet.lookup`.

    Examples
    --------
    >>> register(Measure("exempel", dimensions=("grupp",), additive=("grupp",))).name in OWN_MEASURES
    True
    """
    OWN_MEASURES[m.name] = m
    return m


def measure(name: str) -> Measure | None:
    """The :class:`Measure` called ``name`` (participant measures first, then :data:`OWN_MEASURES`).

    Examples
    --------
    >>> measure("avslut").base, measure("nns").dimensions[0]
    ('avslutade', 'forbund')
    """
    if name in MEASURES:
        return MEASURES[name]
    if name not in OWN_MEASURES:
        from . import surveytables  # noqa: F401  (registers the NNS and focus-group measures)
    return OWN_MEASURES.get(name)


def _total(dim: str) -> str:
    return PERIOD_ALL if dim == "period" else TOTAL


@dataclass
class TableSet:
    """The cells of the table set (see the module docstring for the columns).

    Attributes
    ----------
    cells : DataFrame
        ``matt, forbund, insats, period, kon, kategori, kategori2, n, <moments>, status``; before
        :func:`protect` every status is ``publicerad``.
    min_n : int
    protection : float
        Required width of every suppressed cell's feasible interval.
    extra : list of dict
        Relations between measures other than the sums (``aktiva`` over years), as
        ``{"terms": [(key, coef), ...]}``, checked to hold on the data.
    """

    cells: pd.DataFrame
    min_n: int = MIN_N
    protection: float = MIN_N
    extra: list = field(default_factory=list)
    stored_cost: dict | None = None  # the cost recorded in a Parquet file (statuses there: publicerad/undertryckt)
    reference_date: pd.Timestamp | None = None  # the extract date the cells are counted at ("data t.o.m.")

    @property
    def key(self) -> tuple:
        """The key columns of the cells: ``matt`` and the dimensions (:data:`KEY` for participant flows)."""
        cols = list(self.cells.columns)
        return tuple(cols[: cols.index("n")]) if "n" in cols else KEY

    @property
    def moments(self) -> tuple:
        """The moment columns (sums published with ``n``, sharing its status)."""
        return tuple(c for c in self.cells.columns if c not in self.key and c not in ("n", "status", REASON))

    def _index(self) -> dict:
        if getattr(self, "_idx", None) is None or len(self._idx) != len(self.cells):
            self._idx = {k: i for i, k in enumerate(self.cells[list(self.key)].itertuples(index=False, name=None))}
        return self._idx

    def lookup(self, matt: str, forbund=TOTAL, insats=TOTAL, period=PERIOD_ALL, kon=TOTAL,
               kategori=TOTAL, kategori2=TOTAL, **other) -> int | None:
        """Row position of a cell (resolving linked totals and ``aktiva`` over all years), or None.

        A measure with its own dimensions (:data:`OWN_MEASURES`) takes them by name (``forbund`` and
        ``kon`` too); a dimension not given is its total."""
        m = measure(matt)
        if m is not None and m.dimensions is not None:
            given = {"forbund": forbund, "kon": kon, **other}
            return self._index().get((matt, *(str(given.get(d, TOTAL)) for d in m.dimensions)))
        if m is not None and m.base and kategori == TOTAL and kategori2 == TOTAL:
            matt = m.base
        if matt == "aktiva" and period == PERIOD_ALL:
            matt = "nya"
        return self._index().get((matt, forbund, insats, period, kon, kategori, kategori2))

    def cell(self, matt: str, **dims) -> pd.Series:
        """The cell as a row (``n``, moments, ``status``).

        Unspecified dimensions are their totals (``""`` is read as the total, as in the
        dashboard filters). A category or group nobody in the data had (the measure is in the
        set, the combination is not a stored cell) is a **published zero**: a row with ``n`` 0,
        moments 0 and status ``publicerad`` (the rule every view shares, :meth:`value`,
        :func:`evaluation.flows.cell_value`).

        Raises
        ------
        KeyError
            When the measure is not in the set, or the combination is not a cell of it (e.g. a
            second category on a measure with one: SUS × confirmation is not crossed).

        Examples
        --------
        >>> ep = pd.DataFrame({"forbund": ["A"] * 6, "insats": ["X"] * 6, "kon": ["man"] * 6,
        ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 6), "avslutsdatum": pd.NaT})
        >>> ts = build(ep, reference_date="2025-12-31")
        >>> int(ts.cell("nya", kon="man")["n"]), int(ts.cell("nya", forbund="B")["n"])  # nobody in B: 0
        (6, 0)
        """
        dims = {k: (_total(k) if v in ("", None) else str(v)) for k, v in dims.items()}
        i = self.lookup(matt, **dims)
        if i is not None:
            return self.cells.iloc[i]
        m = measure(matt)
        present = set(self.cells["matt"])
        cats = len(m.categories) if m is not None else 0
        crossed = dims.get("kategori2", TOTAL) == TOTAL or cats > 1
        if (matt in present or (m is not None and m.base in present)) and crossed:
            row = {k: dims.get(k, _total(k)) for k in self.key[1:]}
            row.update({"matt": matt, "n": 0, "status": PUBLISHED})
            row.update({c: 0.0 for c in self.moments})
            return pd.Series(row)
        raise KeyError(f"no cell {matt} {dims} in the table set")

    def value(self, matt: str, column: str = "n", **dims) -> float:
        """The published value of a cell (``column``: ``n`` or a moment): NaN when suppressed or
        when the set has no such cell, 0 for a category nobody had (:meth:`cell`).

        Examples
        --------
        >>> ep = pd.DataFrame({"forbund": ["A"] * 9, "insats": ["X"] * 9, "kon": ["kvinna"] * 7 + ["man"] * 2,
        ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 9), "avslutsdatum": pd.NaT})
        >>> ts = protect(build(ep, reference_date="2025-12-31"))
        >>> ts.value("nya"), ts.value("nya", kon="man"), ts.value("nya", forbund="B"), ts.value("kasam")
        (9.0, nan, 0.0, nan)
        """
        try:
            c = self.cell(matt, **dims)
        except KeyError:
            return float("nan")
        if c["status"] != PUBLISHED:
            return float("nan")
        v = c[column] if column in c else float("nan")
        return float(v) if not pd.isna(v) else float("nan")

    def published(self) -> pd.DataFrame:
        """The cells as a board may see them: ``n`` and moments NaN where suppressed, status
        ``publicerad`` or ``undertryckt`` (primary and secondary are not told apart)."""
        out = self.cells.drop(columns=[REASON], errors="ignore")  # the reasons say which cells are small
        hide = out["status"] != PUBLISHED
        for c in ["n", *ALL_MOMENTS, *self.moments]:
            if c in out:
                out[c] = out[c].astype(float).mask(hide)
        out["status"] = np.where(hide, SUPPRESSED, PUBLISHED)
        return out

    def table(self, matt: str, by, **fixed) -> pd.DataFrame:
        """A slice: the cells of ``matt`` for every value of the dimensions ``by``, the others fixed.

        Parameters
        ----------
        matt : str
        by : str or list of str
            Dimensions that vary (``forbund``, ``insats``, ``period``, ``kon``, ``kategori``,
            ``kategori2``); their totals are included as rows.
        **fixed
            Values of other dimensions (default: their totals; ``""`` is the total).

        Returns
        -------
        DataFrame
            ``by`` columns, ``n`` and the moments (NaN where suppressed) and ``status``, in the table
            set's order.

        Examples
        --------
        >>> ep = pd.DataFrame({"forbund": ["A"] * 9, "insats": ["X"] * 9, "kon": ["kvinna"] * 7 + ["man"] * 2,
        ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 9), "avslutsdatum": pd.NaT})
        >>> t = protect(build(ep, reference_date="2025-12-31")).table("nya", "kon")
        >>> t[["kon", "n", "status"]].values.tolist()
        [['kvinna', nan, 'undertryckt'], ['man', nan, 'undertryckt'], ['annat', 0.0, 'publicerad'], ['Totalt', 9.0, 'publicerad']]
        """
        by = [by] if isinstance(by, str) else list(by)
        m = measure(matt)
        moments = [x for x in self.moments if (m is not None and x in m.moments) or (m is None and x in MOMENTS)]
        fixed = {k: (_total(k) if v in ("", None) else str(v)) for k, v in fixed.items()}
        pub = self.published()
        names = [matt] + ([m.base] if m is not None and m.base else []) + (["nya"] if matt == "aktiva" else [])
        c = pub[pub["matt"].isin(names)]
        rows = []
        levels = [list(dict.fromkeys(c[d])) for d in by]
        for combo in itertools.product(*levels):
            dims = {k: _total(k) for k in self.key[1:]}
            dims.update(fixed)
            dims.update(dict(zip(by, combo)))
            i = self.lookup(matt, **dims)
            if i is None:
                continue
            rows.append({**dict(zip(by, combo)), **pub.iloc[i][["n", *moments]].to_dict(),
                         "status": pub.iloc[i]["status"]})
        return pd.DataFrame(rows)

    def cost(self) -> dict:
        """The price of protection: counts and shares of suppressed cells.

        Returns
        -------
        dict
            ``celler`` (all cells), ``primart_undertryckta``, ``sekundart_undertryckta``,
            ``andel_sekundart`` (secondary / all cells, 0-1), ``andel_undertryckta`` (0-1),
            ``min_n``, ``skyddsniva``; after the cleanup of :func:`protect` also ``stadning`` (True),
            ``sekundara_fore_stadning`` (secondary cells after the sequential pass),
            ``publicerade_av_stadning`` (of those, published again by the cleanup) and
            ``sekundara_med_skal`` (secondary cells with a demonstrated reason, column ``skal``: all of them).
        """
        s = self.cells["status"]
        if self.stored_cost is not None and not s.isin([PRIMARY, SECONDARY]).any():
            return dict(self.stored_cost)
        n = len(s)
        out = {"celler": int(n), "primart_undertryckta": int((s == PRIMARY).sum()),
               "sekundart_undertryckta": int((s == SECONDARY).sum()),
               "andel_sekundart": float((s == SECONDARY).mean()) if n else 0.0,
               "andel_undertryckta": float((s != PUBLISHED).mean()) if n else 0.0,
               "min_n": int(self.min_n), "skyddsniva": float(self.protection)}
        before = getattr(self, "secondary_before_cleanup", None)
        if before is not None:  # protect(cleanup=True): the cleanup's gain and the reasons' coverage
            sec = (s == SECONDARY).to_numpy()
            reasons = self.cells[REASON].astype(str).to_numpy() if REASON in self.cells else np.full(n, "")
            out.update({"stadning": True, "sekundara_fore_stadning": int(before),
                        "publicerade_av_stadning": int(before) - int(sec.sum()),
                        "sekundara_med_skal": int((sec & (reasons != "")).sum())})
        return out


# --------------------------------------------------------------------------------------------
# building the cells from unit records
# --------------------------------------------------------------------------------------------

def _years(start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    return [str(y) for y in range(start.year, end.year + 1)]


def _units(episodes: pd.DataFrame, kasam_scores: pd.DataFrame | None, ref: pd.Timestamp,
           years: list[str]) -> dict[str, pd.DataFrame]:
    ep = episodes
    base = ep[["forbund", "insats", "kon"]].astype(str)
    ins = pd.to_datetime(ep["inskrivningsdatum"])
    avs = pd.to_datetime(ep["avslutsdatum"])
    closed = ep["avslutad"].astype(bool) if "avslutad" in ep else (avs.notna() & (avs <= ref))
    out = {"nya": base.assign(period=ins.dt.year.astype(str))[ins <= ref]}
    cl = ep.loc[closed]
    cb = base.loc[closed].assign(period=avs[closed].dt.year.astype(str))
    out["avslutade"] = cb
    parts = []
    for y in years:
        start, end = pd.Timestamp(int(y), 1, 1), min(pd.Timestamp(int(y), 12, 31), ref)
        act = (ins <= end) & ~(closed & (avs < start))
        parts.append(base.loc[act].assign(period=y))
    out["aktiva"] = pd.concat(parts, ignore_index=True) if parts else base.iloc[:0].assign(period="")
    for name, m in MEASURES.items():
        if m.base == "avslutade" and all(c in cl for c in m.categories):
            extra = {f"kat{i}": cl[c].fillna(MISSING).astype(str) for i, c in enumerate(m.categories)}
            out[name] = cb.assign(**extra)
    if kasam_scores is not None and len(kasam_scores):
        sc = kasam_scores[kasam_scores["total"].notna()]
        key = ["respondent_id"]
        fore = sc[sc["tidpunkt"] == "fore"].drop_duplicates(key, keep="last").set_index(key)
        efter = sc[sc["tidpunkt"] == "efter"].drop_duplicates(key, keep="last").set_index(key)
        ids = fore.index.intersection(efter.index)
        if len(ids):
            e, f = efter.loc[ids], fore.loc[ids]
            d = pd.to_datetime(e["datum"])
            # a questionnaire without förbund/insats/kön (or a blank answer) counts under "saknas"
            k = pd.DataFrame({c: (e[c].astype("string").fillna(MISSING) if c in e else MISSING)
                              for c in ("forbund", "insats", "kon")}).astype(str).reset_index(drop=True)
            diff = (e["total"] - f["total"]).to_numpy(float)
            out["kasam"] = k.assign(period=d.dt.year.astype(str).to_numpy(),
                                    summa_fore=f["total"].to_numpy(float), summa_efter=e["total"].to_numpy(float),
                                    kvadratsumma_diff=diff ** 2)
        for name, wave in (("kasam_fore", fore), ("kasam_efter", efter)):
            if len(wave):  # every respondent with a valid total in the wave, dated by their own answer
                d = pd.to_datetime(wave["datum"])
                k = pd.DataFrame({c: (wave[c].astype("string").fillna(MISSING) if c in wave else MISSING)
                                  for c in ("forbund", "insats", "kon")}).astype(str).reset_index(drop=True)
                tot = wave["total"].to_numpy(float)
                out[name] = k.assign(period=d.dt.year.astype(str).to_numpy(), summa=tot, kvadratsumma=tot ** 2)
    return out


def _plan_units(ep: pd.DataFrame, events: pd.DataFrame, ref: pd.Timestamp, years: list[str]) -> pd.DataFrame:
    """Units of ``handlingsplan``: one per episode whose step första möte → handlingsplan is judged."""
    from .flows import milestones

    ev = events[events["episod_id"].isin(ep["episod_id"])]
    if not len(ev):
        return pd.DataFrame()
    ms = milestones(ev, ref, steps=[("forsta_mote", "handlingsplan", PLAN_DEADLINE_DAYS)])
    ms = ms[ms["status"].isin(["i_tid", "sen"])]
    base = ep[["episod_id", "forbund", "insats", "kon"]].drop_duplicates("episod_id").astype(str)
    u = ms[["episod_id", "fran_datum", "status"]].assign(episod_id=lambda d: d["episod_id"].astype(str)).merge(
        base, on="episod_id", how="inner")
    u = u.assign(period=pd.to_datetime(u["fran_datum"]).dt.year.astype(str), kat0=u["status"].astype(str))
    return u[u["period"].isin(years)][["forbund", "insats", "kon", "period", "kat0"]].reset_index(drop=True)


def _cube(units: pd.DataFrame, m: Measure, domains: dict) -> pd.DataFrame:
    """All cells of one measure: every combination of dimension values and totals."""
    cats = [f"kat{i}" for i in range(len(m.categories))]
    dims = list(DIMENSIONS) + cats
    additive = [d for d in dims if d != "period" or m.period_additive]
    moments = list(m.moments)
    u = units.assign(n=1)[dims + ["n", *moments]]
    frames = []
    for r in range(len(additive) + 1):
        for tot in itertools.combinations(additive, r):
            keep = [d for d in dims if d not in tot]
            g = u.groupby(keep, observed=True, sort=False)[["n", *moments]].sum().reset_index() if keep \
                else u[["n", *moments]].sum().to_frame().T
            for d in tot:
                g[d] = _total(d) if d == "period" else TOTAL
            frames.append(g)
    agg = pd.concat(frames, ignore_index=True)
    levels = []
    for d in dims:
        dom = list(domains[d if d in DIMENSIONS else f"{m.name}.{d}"])
        if d in additive:
            dom = dom + [_total(d) if d == "period" else TOTAL]
        levels.append(dom)
    full = pd.MultiIndex.from_product(levels, names=dims)
    agg = agg.set_index(dims).reindex(full, fill_value=0).reset_index()
    agg = agg.rename(columns={"kat0": "kategori", "kat1": "kategori2"})
    for c in ("kategori", "kategori2"):
        if c not in agg:
            agg[c] = TOTAL
    if m.base:  # the category total is the base measure's cell (linked tables)
        agg = agg[~((agg["kategori"] == TOTAL) & (agg["kategori2"] == TOTAL))]
    if m.name == "aktiva":
        agg = agg[agg["period"] != PERIOD_ALL]
    agg.insert(0, "matt", m.name)
    return agg


def build(episodes: pd.DataFrame, kasam_scores: pd.DataFrame | None = None, reference_date=None,
          min_n: int = MIN_N, protection: float | None = None, kon_values=("kvinna", "man", "annat"),
          events: pd.DataFrame | None = None) -> TableSet:
    """The unprotected table set of one dataset (every status ``publicerad``).

    Parameters
    ----------
    episodes : DataFrame
        Insats episodes after :func:`evaluation.flows.classify_exits` (columns ``forbund, insats,
        kon, inskrivningsdatum, avslutsdatum, avslutad`` and, for the exit measures,
        ``avslutskategori, utfallsstatus, sus_kategori, forsorjningsgrupp_fore,
        forsorjningsgrupp_efter, egen_forsorjning_efter``; missing ones are left out).
    kasam_scores : DataFrame, optional
        :func:`evaluation.kasam.score` of participants (``respondent_id, forbund, insats, kon,
        tidpunkt, datum, total``): the ``kasam`` measure counts respondents with a before *and*
        an after total, dated by the after answer.
    reference_date : date-like, optional
        Extract date (default: the latest inskrivning or avslut).
    min_n : int, default 5
    protection : float, optional
        Protection level (interval width); default ``min_n``.
    kon_values : tuple of str
        Kön categories always present (a category with no one is a published zero).
    events : DataFrame, optional
        Journey events (``episod_id, datum, handelse``) of the episodes: the ``handlingsplan``
        measure counts episodes whose step första möte → handlingsplan is judged at the extract
        date (:func:`evaluation.flows.milestones` with :data:`PLAN_DEADLINE_DAYS`), ``kategori``
        ``i_tid`` or ``sen`` (still waiting within the deadline: not counted), dated by the första
        möte. Its category total is its own cell (the base of the share "handlingsplan i tid"); no
        relation links it to the other measures (an episode with a första möte is not a part of a
        flow cell), so it adds only its own sums.

    Returns
    -------
    TableSet

    Examples
    --------
    >>> ep = pd.DataFrame({"forbund": ["A", "A", "B"], "insats": ["X", "Y", "X"], "kon": ["man"] * 3,
    ...                    "inskrivningsdatum": pd.to_datetime(["2024-03-01", "2025-01-10", "2025-05-05"]),
    ...                    "avslutsdatum": pd.to_datetime(["2024-09-01", None, None])})
    >>> ts = build(ep, reference_date="2025-12-31")
    >>> int(ts.cell("nya", period="2025")["n"]), int(ts.cell("aktiva", period="2025")["n"])
    (2, 2)
    """
    ep = episodes.copy()
    ins = pd.to_datetime(ep["inskrivningsdatum"])
    avs = pd.to_datetime(ep["avslutsdatum"])
    ref = pd.Timestamp(reference_date) if reference_date is not None else max(ins.max(), avs.max())
    if "avslutad" not in ep:
        ep["avslutad"] = avs.notna() & (avs <= ref)
    ep["tidsband"] = tidsband((avs - ins).dt.days).to_numpy()  # measure ``tid``: closed episodes only
    ep = ep[ins <= ref]
    # the years from the first inskrivning to the last dated event on or before the extract date
    # (not the extract date's own year: an extract on 2026-01-15 of data that end in 2025 counts the
    # same cells as one on 2025-12-31, so every output dated either way slices one protected set)
    ins_ok = pd.to_datetime(ep["inskrivningsdatum"])
    avs_ok = pd.to_datetime(ep["avslutsdatum"]).where(lambda d: d <= ref)
    last = max(x for x in (ins_ok.max(), avs_ok.max()) if pd.notna(x))
    years = _years(ins_ok.min(), last)
    units = _units(ep, kasam_scores, ref, years)
    if events is not None and len(events) and "episod_id" in ep:
        plan = _plan_units(ep, events, ref, years)
        if len(plan):
            units["handlingsplan"] = plan
    domains = {
        "forbund": sorted(ep["forbund"].astype(str).unique()),
        "insats": sorted(ep["insats"].astype(str).unique()),
        "kon": list(dict.fromkeys([*kon_values, *sorted(ep["kon"].astype(str).unique())])),
        "period": years,
    }
    frames = []
    for name, m in MEASURES.items():
        if name not in units:
            continue
        if name != "handlingsplan" and any(c not in ep for c in m.categories):  # its category is in its units
            continue
        for i, c in enumerate(m.categories):
            domains[f"{name}.kat{i}"] = sorted(units[name][f"kat{i}"].unique())
        u = units[name]
        if name in ("kasam", "kasam_fore", "kasam_efter"):
            u = u[u["period"].isin(years)]  # answers after the extract date are not counted
            if u.empty:
                continue
            for d in ("forbund", "insats", "kon"):  # e.g. "saknas" when the questionnaire has no kön
                if not set(u[d]) <= set(domains[d]):
                    domains[d] += sorted(set(u[d]) - set(domains[d]))
        frames.append(_cube(u, m, domains))
    cells = pd.concat(frames, ignore_index=True)
    for c in ["n", *ALL_MOMENTS]:
        if c not in cells:
            cells[c] = np.nan
    cells["n"] = cells["n"].astype(int)
    cells.loc[cells["matt"] != "kasam", list(MOMENTS)] = np.nan
    cells.loc[~cells["matt"].isin(["kasam_fore", "kasam_efter"]), list(WAVE_MOMENTS)] = np.nan
    cells["status"] = PUBLISHED
    cells = cells[[*KEY, "n", *ALL_MOMENTS, "status"]].reset_index(drop=True)
    ts = TableSet(cells, min_n=min_n, protection=float(min_n if protection is None else protection),
                  reference_date=pd.Timestamp(ref).normalize())
    ts.extra = _stock_relations(ts, domains)
    return ts


def _stock_relations(ts: TableSet, domains: dict) -> list:
    """``aktiva`` over years: aktiva[y] = aktiva[y-1] - avslutade[y-1] + nya[y], checked on the data."""
    if "aktiva" not in set(ts.cells["matt"]):
        return []
    years = domains["period"]
    rels = []
    n = ts.cells["n"].to_numpy()
    for f, i, k in itertools.product(domains["forbund"] + [TOTAL], domains["insats"] + [TOTAL],
                                     domains["kon"] + [TOTAL]):
        for j, y in enumerate(years):
            terms = [(ts.lookup("aktiva", f, i, y, k), 1.0), (ts.lookup("nya", f, i, y, k), -1.0)]
            if j > 0:
                terms += [(ts.lookup("aktiva", f, i, years[j - 1], k), -1.0),
                          (ts.lookup("avslutade", f, i, years[j - 1], k), 1.0)]
            if any(t is None for t, _ in terms):
                continue
            if sum(c * n[t] for t, c in terms) == 0:  # holds on the data: an attacker may use it
                rels.append(terms)
    return rels


# --------------------------------------------------------------------------------------------
# relations and the attacker
# --------------------------------------------------------------------------------------------

def relations(ts: TableSet) -> list[list[tuple[int, float]]]:
    """Every linear relation of the table set as ``[(cell position, coefficient), ...]`` = 0.

    The first term of a sum relation is its total (coefficient −1), the others its parts (+1).

    Examples
    --------
    >>> ep = pd.DataFrame({"forbund": ["A"], "insats": ["X"], "kon": ["man"],
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"]), "avslutsdatum": pd.NaT})
    >>> ts = build(ep, reference_date="2025-12-31", kon_values=("man",))
    >>> rel = relations(ts)
    >>> n = ts.cells["n"].to_numpy()
    >>> len(rel) > 0 and all(sum(c * n[i] for i, c in r) == 0 for r in rel)
    True
    """
    cells = ts.cells
    rels: list = []
    for name, grp in cells.groupby("matt", sort=False):
        m = measure(name)
        cats = ["kategori", "kategori2"][: len(m.categories)]
        dims = list(m.dimensions) if m.dimensions is not None else [*DIMENSIONS, *cats]
        additive = list(m.additive) if m.additive is not None else \
            [d for d in dims if d != "period" or m.period_additive]
        doms = {d: [v for v in grp[d].unique() if v != _total(d)] for d in dims}
        if m.base:  # the dropped category-total cells still exist (as base cells): restore them for indexing
            pass
        for d in additive:
            others = [o for o in dims if o != d]
            other_levels = [list(doms[o]) + ([_total(o)] if o in additive else []) for o in others]
            for combo in itertools.product(*other_levels):
                key = dict(zip(others, combo))
                tot = ts.lookup(name, **{**key, d: _total(d)})
                parts = [ts.lookup(name, **{**key, d: v}) for v in doms[d]]
                if tot is None or any(p is None for p in parts):
                    continue
                rels.append([(tot, -1.0)] + [(p, 1.0) for p in parts])
    rels.extend(ts.extra)
    return rels


def attack(ts: TableSet, hidden=None, rels=None, column: str = "n", lower: float | None = 0.0,
           level: float | None = None, exact: bool = False, radius: int = 2,
           global_check: bool = True, known=None, witness_rounds: int = 6) -> pd.DataFrame:
    """Feasible interval of every suppressed cell given the published cells (the LP attacker).

    For each suppressed cell ``i`` the attacker solves ``max x_i`` and ``min x_i`` subject to every
    relation (:func:`relations`) with the published cells fixed and ``x ≥ lower`` (0: a suppressed
    count may be a hidden zero), by :func:`scipy.optimize.linprog` (HiGHS): the audit
    of Hundepool et al. (2012, §5.4.3).

    To stay fast on large table sets the LPs are first solved over a *neighbourhood* of ``i`` (the
    suppressed cells within ``radius`` relations of it; the other suppressed cells held at their
    true values). A local solution is also a solution of the whole system, so it is a *witness*:
    every feasible point found widens the known interval of every cell in it, and a cell whose
    witnessed interval is at least ``level`` wide is protected. Only a cell that no local witness
    protects is solved over all suppressed cells (``global_check``); its ``lag`` / ``hog`` are then
    the exact LP minimum and maximum (``geprovad`` True).

    Parameters
    ----------
    ts : TableSet
    hidden : array of bool, optional
        Suppressed cells (default: status not ``publicerad``).
    rels : list, optional
        Relations (default :func:`relations`).
    column : str
        ``n`` or a moment (moments: use ``lower=None``).
    lower : float or None
        Lower bound of a suppressed value (default 0); None = unbounded (moments).
    level : float, optional
        Required width (default ``ts.protection``).
    exact : bool
        Solve both global LPs for every cell (slow; exact intervals for all).
    radius : int
        Neighbourhood radius of the local LPs.
    global_check : bool
        Solve the global LPs for cells no local witness protects (else they are reported with
        their witnessed, possibly too narrow, interval).
    witness_rounds : int
        Batch LPs before the per-cell ones: each rewards every still-narrow cell for moving to the
        edge of its interval (alternately up and down) and records the feasible point found.
    known : array of bool, optional
        Cells already shown to be protected under a subset of the current suppressions (an
        interval only widens when more cells are suppressed); not solved again.

    Returns
    -------
    DataFrame
        One row per suppressed cell: the key columns, ``n`` (true value), ``lag``, ``hog``
        (feasible min and max as far as solved; ``inf`` when unbounded), ``bredd``, ``skyddad``
        (``bredd >= level``) and ``geprovad`` (both global LPs solved).

    Examples
    --------
    >>> ep = pd.DataFrame({"forbund": ["A"] * 9, "insats": ["X"] * 9, "kon": ["kvinna"] * 7 + ["man"] * 2,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 9), "avslutsdatum": pd.NaT})
    >>> ts = build(ep, reference_date="2025-12-31")
    >>> only_man = ((ts.cells["kon"] == "man") & (ts.cells["n"] > 0)).to_numpy()  # hide the 2 men
    >>> r = attack(ts, hidden=only_man).iloc[0]   # 9 - 7 = 2
    >>> float(r["lag"]), float(r["hog"]), bool(r["skyddad"])
    (2.0, 2.0, False)
    """
    level = ts.protection if level is None else level
    hidden = (ts.cells["status"] != PUBLISHED).to_numpy() if hidden is None else np.asarray(hidden, bool)
    rels = relations(ts) if rels is None else rels
    vals = ts.cells[column].to_numpy(dtype=float)
    hid = np.flatnonzero(hidden)
    member: dict[int, list[int]] = {int(i): [] for i in hid}
    for r, rel in enumerate(rels):
        for i, _ in rel:
            if hidden[i]:
                member[i].append(r)
    lo, hi = vals.copy(), vals.copy()
    solved = np.zeros(len(vals), dtype=int)  # bit 1: global max, bit 2: global min
    lb = -np.inf if lower is None else lower

    def neighbourhood(k: int, r: int) -> list[int]:
        seen, frontier = {k}, [k]
        for _ in range(r):
            nxt = []
            for c in frontier:
                for ri in member[c]:
                    for i, _ in rels[ri]:
                        if hidden[i] and i not in seen:
                            seen.add(i)
                            nxt.append(i)
            frontier = nxt
        return sorted(seen)

    def system(var: list[int]):
        pos = {v: j for j, v in enumerate(var)}
        rows_ = sorted({ri for v in var for ri in member[v]})
        rr, cc, dd, bb = [], [], [], []
        for j, ri in enumerate(rows_):
            const = 0.0
            for i, c in rels[ri]:
                if i in pos:
                    rr.append(j)
                    cc.append(pos[i])
                    dd.append(c)
                else:
                    const += c * vals[i]
            bb.append(-const)
        return sparse.csr_matrix((dd, (rr, cc)), shape=(len(rows_), len(var))), np.asarray(bb)

    full = None
    if known is not None:
        known = np.asarray(known, bool)
        hi[known & hidden] = np.inf
    if witness_rounds and not exact and len(hid):
        # batch witnesses: one LP over all suppressed cells rewarding every still-narrow cell for
        # moving up (then down) to the edge of its required interval; each solution is a feasible
        # table, so it widens the known interval of every cell (no cell is certified by anything
        # but a feasible point)
        full = (list(hid), *system(list(hid)))
        var, A, b = full
        for r in range(witness_rounds):
            narrow = hi[hid] - lo[hid] < level - 1e-7
            if not narrow.any():
                break
            sense = 1.0 if r % 2 == 0 else -1.0
            c = np.zeros(len(var))
            c[narrow] = -sense
            bounds = np.column_stack([np.full(len(var), lb), np.full(len(var), np.inf)])
            cap = vals[hid] + sense * level
            if sense > 0:
                bounds[narrow, 1] = cap[narrow]
            else:
                bounds[narrow, 0] = np.maximum(cap[narrow], lb)
            res = linprog(c, A_eq=A if A.shape[0] else None, b_eq=b if A.shape[0] else None,
                          bounds=bounds, method="highs")
            if res.status != 0:
                break
            lo[hid] = np.minimum(lo[hid], res.x)
            hi[hid] = np.maximum(hi[hid], res.x)
    for k in hid:
        if not exact and hi[k] - lo[k] >= level - 1e-7:
            continue
        scopes = ([] if exact else [r for r in range(1, radius + 1)]) + (["global"] if global_check or exact else [])
        for scope in scopes:
            if scope == "global":
                if full is None:
                    full = (list(hid), *system(list(hid)))
                var, A, b = full
            else:
                var = neighbourhood(k, scope)
                A, b = system(var)
            kl = var.index(k) if scope != "global" else int(np.searchsorted(hid, k))
            for sense in (-1.0, 1.0):
                if not exact and hi[k] - lo[k] >= level - 1e-7:
                    break
                c = np.zeros(len(var))
                c[kl] = sense
                res = linprog(c, A_eq=A if A.shape[0] else None, b_eq=b if A.shape[0] else None,
                              bounds=[(lb, None)] * len(var), method="highs")
                if res.status == 3:  # unbounded: a ray of the local system is a ray of the whole
                    if sense < 0:
                        hi[k] = np.inf
                    else:
                        lo[k] = -np.inf
                elif res.status != 0:
                    raise ProtectionError(f"attack: LP failed ({res.message})")
                else:
                    idx = np.asarray(var)
                    lo[idx] = np.minimum(lo[idx], res.x)
                    hi[idx] = np.maximum(hi[idx], res.x)
                if scope == "global":
                    solved[k] |= 1 if sense < 0 else 2
            if hi[k] - lo[k] >= level - 1e-7 and not exact:
                break
    out = ts.cells.iloc[hid][list(ts.key)].copy()
    out["n"] = vals[hid]
    out["lag"] = lo[hid]
    out["hog"] = hi[hid]
    out["bredd"] = hi[hid] - lo[hid]
    out["skyddad"] = out["bredd"] >= level - 1e-7
    out["geprovad"] = solved[hid] == 3
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# secondary suppression
# --------------------------------------------------------------------------------------------

def matrix(ts: TableSet, rels=None) -> sparse.csr_matrix:
    """The relations as a sparse matrix ``A`` with ``A @ n == 0`` (rows: relations, columns: cells).

    Examples
    --------
    >>> ep = pd.DataFrame({"forbund": ["A"] * 3, "insats": ["X", "X", "Y"], "kon": ["man"] * 3,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 3), "avslutsdatum": pd.NaT})
    >>> ts = build(ep, reference_date="2025-12-31", kon_values=("man",))
    >>> A = matrix(ts)
    >>> bool(np.allclose(A @ ts.cells["n"].to_numpy(float), 0))
    True
    """
    rels = relations(ts) if rels is None else rels
    rows, cols, vals = [], [], []
    for r, rel in enumerate(rels):
        for i, c in rel:
            rows.append(r)
            cols.append(i)
            vals.append(c)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(rels), len(ts.cells)))


def _highs(A: sparse.spmatrix, lower, upper, cost=None):
    """A HiGHS model (``highspy``, the solver's own binding) ``A x = 0``, ``lower ≤ x ≤ upper``, kept
    between solves: changing a bound or a cost and solving again starts from the last basis (dual
    simplex, presolve off). Used for the cleanup's attacker LPs, where one cost and one bound change
    between solves (HiGHS: Huangfu & Hall 2018)."""
    import highspy

    global _HIGHS_QUIET
    if not _HIGHS_QUIET:  # the first Highs() prints a banner on the C stdout: keep it off the user's console
        try:
            import sys

            sys.stdout.flush()
            saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            try:
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(null)
        except OSError:
            h = highspy.Highs()
        _HIGHS_QUIET = True
    else:
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "off")
    A = sparse.csc_matrix(A)
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_ = np.zeros(A.shape[1]) if cost is None else np.asarray(cost, float)
    lp.col_lower_ = np.where(np.isfinite(lower), lower, -inf)
    lp.col_upper_ = np.where(np.isfinite(upper), upper, inf)
    lp.row_lower_ = np.zeros(A.shape[0])
    lp.row_upper_ = np.zeros(A.shape[0])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    h.passModel(lp)
    return h


_HIGHS_QUIET = False
_BATCH_ROUNDS = 4  # batch LPs per cleanup candidate (first 150 candidates of the samples: 8.7 CPU-s, 0: 14.8, 8: 9.0)
_POOL = 600  # points kept in the cleanup's pool (600 measured faster than 200: 29.7 against 35.2 CPU-s)


def _solve(h) -> np.ndarray | None:
    """Solve a kept HiGHS model; the primal solution, or None when it is not optimal."""
    import highspy

    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(h.getSolution().col_value, dtype=float)


def board_default_cells(ts: TableSet) -> np.ndarray:
    """Cells a board sees first: every förbund and year with insats and kön at their totals (bool).

    The board dashboard opens on that slice and the slutrapport's headline tables are cut from it,
    so :func:`protect` publishes these cells first when it can (the *value order* of the cleanup).

    Examples
    --------
    >>> ep = pd.DataFrame({"forbund": ["A"] * 6, "insats": ["X"] * 6, "kon": ["man"] * 6,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 6), "avslutsdatum": pd.NaT})
    >>> ts = build(ep, reference_date="2025-12-31", kon_values=("man",))
    >>> sorted(set(ts.cells.loc[board_default_cells(ts), "insats"]))
    ['Totalt']
    """
    c = ts.cells
    out = np.ones(len(c), bool)
    for d in ("insats", "kon"):
        if d not in c:
            return np.zeros(len(c), bool)
        out &= (c[d] == TOTAL).to_numpy()
    return out


def _value_order(ts: TableSet, candidates: np.ndarray) -> np.ndarray:
    """Candidates most valuable first: board default-view cells, then more totals, then larger n."""
    c = ts.cells
    dims = [d for d in ts.key[1:] if d in c]
    totals = sum(((c[d] == TOTAL) | (c[d] == PERIOD_ALL)).to_numpy(int) for d in dims) if dims else 0
    default = board_default_cells(ts).astype(int)
    n = c["n"].to_numpy(float)
    idx = np.flatnonzero(candidates)
    order = np.lexsort((idx, -n[idx], -np.asarray(totals)[idx] if dims else idx * 0, -default[idx]))
    return idx[order]


def _key_text(ts: TableSet, i: int) -> str:
    return "|".join(str(v) for v in ts.cells.iloc[int(i)][list(ts.key)])


def protect(ts: TableSet, min_n: int | None = None, protection: float | None = None,
            weights=None, verbose: bool = False, cleanup: bool = False) -> TableSet:
    """Primary and secondary suppression of the whole table set (see the module docstring).

    Two passes, both on linear programmes kept in HiGHS (``highspy``) and re-solved warm:

    1. **Sequential pass** (the *incremental attacker* LP of Fischetti & Salazar-González 1999 in
       its one-LP-per-cell heuristic form, the method behind sdcTable's ``OPT``/``HITAS`` heuristics
       and τ-Argus' ``Modular``): for each suppressed cell ``k`` still uncertified, one LP finds the
       cheapest *perturbation* ``y`` with ``A y = 0`` (every relation still holds), ``y_k = +p`` and
       ``y_i ≥ −n_i`` (no count below 0), the cost being :math:`\\sum_i w_i |y_i|` over cells still
       published (suppressed cells cost almost nothing). Every cell with ``y_i ≠ 0`` is suppressed,
       so ``n + y`` is a table an attacker cannot exclude: ``k`` can be ``n_k + p``. Suppressing more
       cells only widens intervals, so a certified cell stays certified; newly suppressed cells are
       queued; at most one LP per suppressed cell.
    2. **Cleanup** (``cleanup=True``; the default of :func:`protect_cached`, which every run, board and
       notebook uses): the greedy pass over-suppresses, so every secondary cell is tried again, most
       valuable first (board default-view cells, then cells with more totals, then larger ``n``:
       :func:`board_default_cells`). Publishing candidate ``j`` fixes ``y_j = 0``; ``j`` stays published
       only if every suppressed cell still has two feasible tables at least ``p`` apart in it.
       Otherwise it is suppressed again and its **reason** (column ``skal``) is the cell whose feasible
       interval then becomes narrower than ``p``: publishing ``j`` alone (the rest as published) lets the
       attacker of :func:`attack` narrow that cell. Cheapest first: a relation whose only suppressed
       cells are ``j`` and ``k`` makes ``k`` exact (no LP; 1 184 of the samples' 1 493 secondary cells);
       then the pool of feasible perturbations found so far (those with ``y_j = 0`` and pairwise convex
       combinations weighted to ``y_j = 0``); then batch LPs (every still-narrow cell rewarded for
       reaching its interval's edge) and the exact attacker LPs ``max y_k`` / ``min y_k``, re-solved by
       primal simplex from the last basis (only costs and a bound change: 0.025 CPU-s per LP on the
       samples against 0.085 by dual simplex). A cell's reason stays valid when other cells are
       published later (intervals only narrow), unless the reason cell itself is published; such cells
       are tried again until none is left.

    Measured on the samples (5 328 cells; 2026-11-30, 2 shared cores at load 7-13, CPU seconds by
    ``time.process_time``): sequential pass 365 LPs, 74 CPU-s, 1 493 secondary cells; cleanup 4 774 LPs,
    199 CPU-s, publishes 68 of them again (1 425 secondary, each with its reason). The whole protection is
    3.7× the sequential pass's CPU (the target was 2×); :func:`protect_cached` does it once per content and
    machine. On the current samples' set (7 056 cells, with ``tid``, ``handlingsplan`` and the KASAM waves;
    load 4-5): sequential 502 LPs, 1 967 secondary; cleanup 7 499 LPs, 88 published again (1 879 left, each
    with its reason); 462 CPU-s in all, 709 s wall of which the cleanup 549 s. Before this version the cleanup (one LP per witness, dual simplex, no exact shortcut) did not
    finish in 25 minutes. Re-solving the sequential pass's LP warm in one kept ``highspy`` model was
    measured *slower* than a fresh ``linprog`` per cell (after the costs change the old basis is far from
    optimal), so that pass stays on :func:`scipy.optimize.linprog`.

    The attacker model: an attacker sees every published cell and every relation and knows only
    that a suppressed count is ≥ 0 (a suppressed cell may be a hidden zero chosen by secondary
    suppression; whether a cell is primary or secondary is not published).

    Parameters
    ----------
    ts : TableSet
        From :func:`build` (or :mod:`evaluation.surveytables`).
    min_n : int, optional
        Primary suppression ``0 < n < min_n``; default ``ts.min_n``.
    protection : float, optional
        Required interval width ``p``, default ``ts.protection`` (``min_n``).
    weights : array, optional
        Cost of hiding each cell in the sequential pass (default ``1 + n``: prefer small cells,
        keep totals; the measured alternatives are in the module docstring).
    verbose : bool
    cleanup : bool
        Run the cleanup pass (default False here for speed in small examples; :func:`protect_cached`,
        which runs, boards, notebooks and the survey tables use, always runs it).

    Returns
    -------
    TableSet
        A copy with ``status`` ``publicerad``, ``primär`` or ``sekundär`` and ``skal`` (for a
        secondary cell the key of its reason cell, ``|``-joined key values; ``""`` otherwise; not
        in the board file, :meth:`TableSet.published`); :func:`attack` with ``lower=0`` finds every
        suppressed interval at least ``protection`` wide. ``out.lps`` counts the LPs solved.

    References
    ----------
    Fischetti, M. and Salazar-González, J.-J. (1999). Models and algorithms for the 2-dimensional
    cell suppression problem in statistical disclosure control. *Mathematical Programming* 84,
    283-312. Hundepool et al. (2012), §5.4 (secondary suppression; the cleanup of a heuristic
    pattern, §5.4.4). Huangfu, Q. and Hall, J. A. J. (2018). Parallelizing the dual revised simplex
    method. *Mathematical Programming Computation* 10, 119-142 (HiGHS).

    Examples
    --------
    >>> ep = pd.DataFrame({"forbund": ["A"] * 9, "insats": ["X"] * 9, "kon": ["kvinna"] * 7 + ["man"] * 2,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 9), "avslutsdatum": pd.NaT})
    >>> out = protect(build(ep, reference_date="2025-12-31"), cleanup=True)
    >>> out.cell("nya", kon="man")["status"], out.cell("nya", kon="kvinna")["status"]
    ('primär', 'sekundär')
    >>> out.cell("nya", kon="kvinna")["skal"].split("|")[4]  # publishing the 7 women shows the 2 men (9 - 7)
    'man'
    >>> bool(attack(out, lower=0.0)["skyddad"].all())
    True
    """
    min_n = ts.min_n if min_n is None else int(min_n)
    level = float(protection if protection is not None else (ts.protection if ts.protection is not None
                                                             else min_n))
    cells = ts.cells.drop(columns=[REASON], errors="ignore").copy()
    n = cells["n"].to_numpy(dtype=float)
    N = len(n)
    primary = (n > 0) & (n < min_n)
    out = TableSet(cells, min_n=min_n, protection=level, extra=ts.extra, reference_date=ts.reference_date)
    A = matrix(out).tocsc()
    w = (1.0 + n) if weights is None else np.asarray(weights, float)
    import time

    t0 = time.perf_counter()
    sup, points, lps = _sequential(A, n, primary, w, level, out, verbose)
    out.timing = {"sekventiell_s": time.perf_counter() - t0, "sekventiell_lp": lps,
                  "sekundara_fore_stadning": int((sup & ~primary).sum())}
    reason = np.full(N, -1)
    before = int((sup & ~primary).sum())
    if cleanup and (sup & ~primary).any():
        t0 = time.perf_counter()
        sup, reason, more = _cleanup(A, n, primary, sup, points, level, _value_order(out, sup & ~primary),
                                     verbose)
        lps += more
        out.timing.update(stadning_s=time.perf_counter() - t0, stadning_lp=more)
    if verbose:
        print(f"protect: {out.timing}", flush=True)
    cells["status"] = np.where(primary, PRIMARY, np.where(sup, SECONDARY, PUBLISHED))
    reason = np.where(sup & ~primary, reason, -1)
    cells[REASON] = [_key_text(out, r) if r >= 0 else "" for r in reason]
    out.reason_positions = reason  # row position of each secondary cell's reason (-1: none)
    out.cells = cells
    out.lps = lps
    if cleanup:
        out.secondary_before_cleanup = before
    return out


def _sequential(A, n, primary, w, level, out, verbose):
    """The sequential pass of :func:`protect`: suppressed cells and the perturbations found (sparse rows)."""
    N = len(n)
    sup = primary.copy()
    AA = sparse.hstack([A, -A]).tocsr()
    zeros = np.zeros(A.shape[0])
    certified = np.zeros(N, bool)
    queue = list(np.flatnonzero(sup))
    points = []
    lps = 0
    while queue:
        k = queue.pop(0)
        if certified[k]:
            continue
        cost = np.where(sup, 1e-4, w)
        lo, hi = np.zeros(2 * N), np.concatenate([np.full(N, np.inf), n])
        lo[k] = hi[k] = level
        hi[N + k] = 0.0
        # a fresh linprog (HiGHS with presolve) per LP: measured faster here than re-solving one
        # kept highspy model warm, whose basis is far from optimal after the costs change
        res = linprog(np.concatenate([cost, cost]), A_eq=AA, b_eq=zeros, bounds=np.column_stack([lo, hi]),
                      method="highs")
        lps += 1
        if res.status != 0:
            raise ProtectionError(f"protect: no perturbation protects cell {_key_text(out, k)} ({res.message})")
        x = res.x
        y = x[:N] - x[N:]
        moved = np.abs(y) > 1e-9
        points.append((np.flatnonzero(moved), y[moved]))
        queue.extend(int(i) for i in np.flatnonzero(moved & ~sup))
        sup |= moved
        certified |= np.abs(y) >= level - 1e-9
        if verbose and lps % 50 == 0:
            print(f"protect: {lps} LP, {int(sup.sum())} suppressed, {len(queue)} queued", flush=True)
    return sup, points, lps


def _cleanup(A, n, primary, sup, points, level, order, verbose):
    """The cleanup pass of :func:`protect`: (suppressed, reason cell or -1, LPs solved).

    Reasons are found in three steps, cheapest first: (1) a relation in which the candidate ``j`` and
    one other suppressed cell ``k`` are the only suppressed cells: publishing ``j`` determines ``k``
    exactly (no LP); (2) the *pool* of feasible perturbations found so far (the sequential pass's and
    every LP's): those with ``y_j = 0`` stay feasible when ``j`` is published, and so does every convex
    combination of one with ``y_j > 0`` and one with ``y_j < 0`` weighted to ``y_j = 0`` (the feasible
    set is a polyhedron; with one equality the best such combination for a cell is a pair), which
    certifies most cells without an LP; (3) for the cells still narrower than ``p`` the exact attacker
    LPs (``max y_k``, ``min y_k``; primal simplex from the last basis: only the cost and one bound change),
    which either certify the cell or prove it the reason."""
    tol = 1e-7
    inf = 1e30
    sup = sup.copy()
    N = len(n)
    cols = np.flatnonzero(sup)  # the model's columns: the cells suppressed now (the set only shrinks)
    C = len(cols)
    col_of = np.full(N, -1)
    col_of[cols] = np.arange(C)
    ncol = n[cols]
    sub = A[:, cols]
    rows = np.flatnonzero(np.diff(sparse.csr_matrix(sub).indptr) > 0)
    h = _highs(sub[rows], -ncol, np.full(C, np.inf))
    # the cost changes between solves and the bounds rarely: the last basis stays primal feasible
    h.setOptionValue("simplex_strategy", 4)
    Acsr, Acsc = sparse.csr_matrix(A), sparse.csc_matrix(A)
    cnt = np.asarray((abs(Acsr) > 0).astype(np.int64) @ sup.astype(np.int64)).ravel()  # suppressed per relation
    active = np.ones(C, bool)
    reason = np.full(N, -1)
    cap = _POOL  # pool size kept (points of C values each)
    W = np.zeros((max(cap, len(points)) + 64, C))
    P = 1  # row 0: the true table (perturbation 0)
    for idx, v in points:
        W[P, col_of[idx]] = v
        P += 1
    lps = 0

    def add(x):
        nonlocal W, P
        if P == len(W):
            W = np.vstack([W, np.zeros_like(W)])
        W[P] = np.where(np.abs(x) > 1e-9, x, 0.0)
        P += 1

    def lp(k, sense):
        nonlocal lps
        if sense > 0:
            h.changeColBounds(int(k), -ncol[k], level)
        h.changeColCost(int(k), -sense)
        x = _solve(h)
        lps += 1
        h.changeColCost(int(k), 0.0)
        h.changeColBounds(int(k), -ncol[k], inf)
        if x is None:
            raise ProtectionError("protect: the cleanup LP failed")
        add(x)
        return x

    def narrow_after_lps(need, hi, lo):
        """Exact LPs for the cells of ``need`` still narrower than p: the first one proven narrow, or -1."""
        """Exact LPs for the cells of ``need`` still narrower than p: the first one proven narrow, or -1.

        First a few *batch* LPs (every narrow cell rewarded for moving to the edge of its required
        interval, up then down; each solution is a feasible table), then one cell at a time."""
        nonlocal lps
        for r in range(_BATCH_ROUNDS):
            narrow = hi - lo < level - tol
            sense = 1.0 if r % 2 == 0 else -1.0
            if sense < 0:  # down only where the edge hi - p is above the cell's floor -n
                narrow &= hi - level >= -ncol[need] - tol
            R = need[narrow]
            if len(R) < 2:
                continue
            if sense > 0:
                h.changeColsBounds(len(R), R, -ncol[R], lo[narrow] + level)
            else:
                h.changeColsBounds(len(R), R, hi[narrow] - level, np.full(len(R), inf))
            h.changeColsCost(len(R), R, np.full(len(R), -sense))
            x = _solve(h)
            lps += 1
            h.changeColsCost(len(R), R, np.zeros(len(R)))
            h.changeColsBounds(len(R), R, -ncol[R], np.full(len(R), inf))
            if x is None:
                raise ProtectionError("protect: the cleanup LP failed")
            add(x)
            np.maximum(hi, x[need], out=hi)
            np.minimum(lo, x[need], out=lo)
        for i in sorted(np.flatnonzero(hi - lo < level - tol), key=lambda i: (not primary[cols[need[i]]], i)):
            if hi[i] - lo[i] >= level - tol:
                continue
            for sense in (1.0, -1.0):
                x = lp(need[i], sense)[need]
                np.maximum(hi, x, out=hi)
                np.minimum(lo, x, out=lo)
                if hi[i] - lo[i] >= level - tol:
                    break
            else:
                return int(need[i])
        return -1

    def cheap_reason(j):
        """A cell that publishing j determines exactly (a primary one first: the clearest reason), or -1."""
        r = Acsc.indices[Acsc.indptr[j]:Acsc.indptr[j + 1]]
        found = [int(c) for ri in r[cnt[r] == 2] for c in Acsr.indices[Acsr.indptr[ri]:Acsr.indptr[ri + 1]]
                 if c != j and sup[c]]
        return min(found, key=lambda c: (not primary[c], c)) if found else -1

    # every suppressed cell is certified by the sequential pass's points (else by its own LPs)
    need = np.arange(C)
    k = narrow_after_lps(need, W[:P].max(axis=0), W[:P].min(axis=0))
    if k >= 0:
        raise ProtectionError("protect: a suppressed cell has no certificate after the sequential pass")

    def try_publish(j) -> int:
        """Publish j if every suppressed cell keeps its width; else -1 → the reason cell."""
        nonlocal W, P
        k = cheap_reason(j)
        if k >= 0:
            return k
        cj = col_of[j]
        Wp = W[:P]
        wj = Wp[:, cj]
        z = wj == 0.0
        hi, lo = Wp[z].max(axis=0), Wp[z].min(axis=0)
        need = np.flatnonzero(active & (hi - lo < level - tol))
        need = need[need != cj]
        hi, lo = hi[need], lo[need]
        pos, neg = np.flatnonzero(wj > 0), np.flatnonzero(wj < 0)
        if len(need) and len(pos) and len(neg):
            b = -wj[neg]
            Bn = Wp[neg][:, need]
            for i in pos:
                a = wj[i]
                comb = (b[:, None] * Wp[i, need][None, :] + a * Bn) / (a + b)[:, None]
                np.maximum(hi, comb.max(axis=0), out=hi)
                np.minimum(lo, comb.min(axis=0), out=lo)
        h.changeColBounds(int(cj), 0.0, 0.0)
        k = narrow_after_lps(need, hi, lo)
        if k >= 0:
            h.changeColBounds(int(cj), -ncol[cj], inf)
            return int(cols[k])
        sup[j] = False
        active[cj] = False
        cnt[Acsc.indices[Acsc.indptr[j]:Acsc.indptr[j + 1]]] -= 1
        # the pool: points with y_j = 0, and each other point combined with its best opposite partner
        Wp = W[:P]
        wj = Wp[:, cj]
        keep = [Wp[wj == 0.0]]
        pos, neg = np.flatnonzero(wj > 0), np.flatnonzero(wj < 0)
        if len(pos) and len(neg):
            bp, bn = pos[np.argmax(wj[pos])], neg[np.argmin(wj[neg])]
            for i, partner in [(i, bn) for i in pos] + [(i, bp) for i in neg]:
                a, b = abs(wj[i]), abs(wj[partner])
                keep.append(((b * Wp[i] + a * Wp[partner]) / (a + b))[None, :])
        new = np.vstack(keep)
        new[:, cj] = 0.0
        new = new[-(cap):] if len(new) > cap else new
        W = np.zeros((max(len(W), len(new) + 64), C))
        W[1:len(new) + 1] = new
        P = len(new) + 1
        return -1

    todo = [int(j) for j in order]
    rounds = 0
    while todo and rounds < 20:
        for c, j in enumerate(todo):
            if not sup[j] or primary[j]:
                continue
            reason[j] = try_publish(j)
            if verbose and c % 100 == 0:
                print(f"protect cleanup: {c} of {len(todo)} tried, {lps} LP, {int(sup.sum())} suppressed", flush=True)
        # a reason holds while its cell stays suppressed; try the others again
        todo = [j for j in todo if sup[j] and reason[j] >= 0 and not sup[reason[j]]]
        rounds += 1
    reason[~sup] = -1
    return sup, reason, lps


# --------------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------------

def write_parquet(ts: TableSet, path) -> Path:
    """Write the table set (every cell, its dimensions and status) to Parquet.

    Suppressed cells are written with ``n`` and the moments missing: the file a board kernel reads
    holds no suppressed value. ``min_n``, the protection level and the cost are in the file's
    metadata (``tabelluppsattning.*`` keys) and :func:`read_parquet` restores them.

    Examples
    --------
    >>> import tempfile, os
    >>> ep = pd.DataFrame({"forbund": ["A"] * 6, "insats": ["X"] * 6, "kon": ["man"] * 6,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 6), "avslutsdatum": pd.NaT})
    >>> p = write_parquet(build(ep, reference_date="2025-12-31"), os.path.join(tempfile.mkdtemp(), "t.parquet"))
    >>> back = read_parquet(p)
    >>> back.value("nya", kon="man"), str(back.reference_date.date())
    (6.0, '2025-12-31')
    """
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(ts.published(), preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"tabelluppsattning.kostnad"] = json.dumps(ts.cost()).encode()
    if ts.reference_date is not None:
        meta[b"tabelluppsattning.referensdatum"] = pd.Timestamp(ts.reference_date).date().isoformat().encode()
    meta[b"tabelluppsattning.extra"] = json.dumps(
        [[[list(ts.cells.iloc[i][list(ts.key)]), c] for i, c in rel] for rel in ts.extra]).encode()
    pq.write_table(table.replace_schema_metadata(meta), path)
    return path


def read_parquet(path) -> TableSet:
    """Read a table set written by :func:`write_parquet` (suppressed values missing)."""
    import json

    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = table.schema.metadata or {}
    cost = json.loads(meta.get(b"tabelluppsattning.kostnad", b"{}"))
    cells = table.to_pandas()
    ts = TableSet(cells, min_n=int(cost.get("min_n", MIN_N)), protection=float(cost.get("skyddsniva", MIN_N)),
                  stored_cost=cost or None)
    ref = meta.get(b"tabelluppsattning.referensdatum")
    ts.reference_date = pd.Timestamp(ref.decode()) if ref else None
    extra = json.loads(meta.get(b"tabelluppsattning.extra", b"[]"))
    idx = ts._index()
    ts.extra = [[(idx[tuple(k)], c) for k, c in rel] for rel in extra]
    return ts


# --------------------------------------------------------------------------------------------
# one protected table set per dataset and run
# --------------------------------------------------------------------------------------------

ENV = "EVALUATION_TABELLUPPSATTNING"
CACHE_ENV = "EVALUATION_CACHE"
_STATUS_CODES = (PUBLISHED, PRIMARY, SECONDARY)
# part of the cache key: a new method never reuses old statuses (bump when the default statuses change;
# -2: the cleanup is on in protect_cached, and the cache keeps each secondary cell's reason)
_ALGORITHM = "fischetti-salazar-sequential-cleanup-2"


def fingerprint(ts: TableSet) -> str:
    """SHA-256 of the cells (keys, counts, moments), ``min_n``, the protection level and the method.

    Examples
    --------
    >>> ep = pd.DataFrame({"forbund": ["A"] * 6, "insats": ["X"] * 6, "kon": ["man"] * 6,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 6), "avslutsdatum": pd.NaT})
    >>> a = build(ep, reference_date="2025-12-31")
    >>> fingerprint(a) == fingerprint(build(ep, reference_date="2025-12-31")), len(fingerprint(a))
    (True, 64)
    """
    import hashlib

    h = hashlib.sha256(f"{_ALGORITHM}|{ts.min_n}|{ts.protection}|".encode())
    c = ts.cells[[x for x in ts.cells.columns if x not in ("status", REASON)]]
    h.update(pd.util.hash_pandas_object(c, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _cache_dir() -> Path:
    d = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "evaluation") / "tabelluppsattning"
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    return d


CLEANUP_ENV = "EVALUATION_STADNING"


def cleanup_default() -> bool:
    """Whether :func:`protect_cached` runs the cleanup: yes unless ``$EVALUATION_STADNING`` is
    ``0``/``nej``/``false``/``no``.

    The cleanup gives every secondary cell its demonstrated reason and publishes the cells that
    need none, but costs several CPU-minutes on a table set the size of the samples' (7 056
    cells). The test suite turns it off (``tests/conftest.py``) for the table sets it protects on
    the way, and tests the cleanup itself explicitly (``protect(..., cleanup=True)``).

    Examples
    --------
    >>> from unittest import mock   # the setting is read on each call; the process's own is left alone
    >>> with mock.patch.dict(os.environ, {CLEANUP_ENV: "0"}):
    ...     cleanup_default()
    False
    >>> with mock.patch.dict(os.environ, {CLEANUP_ENV: "1"}):
    ...     cleanup_default()
    True
    """
    return os.environ.get(CLEANUP_ENV, "1").strip().lower() not in ("0", "nej", "false", "no")


def protect_cached(ts: TableSet, cleanup: bool | None = None) -> TableSet:
    """:func:`protect`, remembering the statuses per :func:`fingerprint` (the evaluator's cache,
    ``$EVALUATION_CACHE/tabelluppsattning/`` or ``~/.cache/evaluation/…``, mode 0700: the file says
    which cells are small, so it stays on the evaluator's machine and never in a snapshot).

    The same data give the same statuses everywhere (runs, notebooks, dashboards) at the cost of
    one protection, with the cleanup (``protect(ts, cleanup=True)``) unless ``cleanup`` is False
    (default :func:`cleanup_default`; the cache keeps the two apart): every secondary cell keeps its
    reason (column ``skal``, cached with the statuses) and :meth:`TableSet.cost` reports the cleanup.

    Examples
    --------
    >>> ep = pd.DataFrame({"forbund": ["A"] * 9, "insats": ["X"] * 9, "kon": ["kvinna"] * 7 + ["man"] * 2,
    ...                    "inskrivningsdatum": pd.to_datetime(["2025-01-10"] * 9), "avslutsdatum": pd.NaT})
    >>> ts = build(ep, reference_date="2025-12-31")
    >>> protect_cached(ts).cells["status"].tolist() == protect(ts).cells["status"].tolist()
    True
    """
    try:
        import fcntl
    except ImportError:  # not POSIX (e.g. Windows): no lock, at worst the same protection twice
        fcntl = None

    cleanup = cleanup_default() if cleanup is None else bool(cleanup)
    path = _cache_dir() / f"{fingerprint(ts)}{'' if cleanup else '-sekventiell'}.npy"

    def cached() -> TableSet | None:
        if not path.exists():
            return None
        try:
            saved = np.load(path)
        except (OSError, ValueError):
            return None
        if saved.ndim != 2 or saved.shape != (3, len(ts.cells)):
            return None
        codes, reasons, before = saved
        out = TableSet(ts.cells.drop(columns=[REASON], errors="ignore").copy(), min_n=ts.min_n,
                       protection=ts.protection, extra=ts.extra, reference_date=ts.reference_date)
        out.cells["status"] = np.asarray(_STATUS_CODES, dtype=object)[codes]
        out.cells[REASON] = [_key_text(out, r) if r >= 0 else "" for r in reasons]
        if (before >= 0).all():  # -1: protected without the cleanup
            out.secondary_before_cleanup = int(before.sum())
        return out

    hit = cached()
    if hit is not None:
        return hit
    # one protection per content at a time: a second process (another run, a test worker) asking for
    # the same table set waits for the first one's result instead of computing it again
    fd = os.open(path.with_suffix(".lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        hit = cached()
        if hit is not None:
            return hit
        out = protect(ts, cleanup=cleanup)
        codes = np.array([_STATUS_CODES.index(s) for s in out.cells["status"]], dtype=np.int64)
        reasons = np.asarray(out.reason_positions, dtype=np.int64)
        if cleanup:
            before = np.zeros(len(codes), dtype=np.int64)
            before[:out.secondary_before_cleanup] = 1  # only the count is kept
        else:
            before = np.full(len(codes), -1, dtype=np.int64)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, np.vstack([codes, reasons, before]))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        return out
    finally:
        os.close(fd)  # releases the lock


def for_data(data, min_n: int = MIN_N, protection: float | None = None) -> TableSet:
    """The protected table set of a loaded dataset (e.g. :class:`evaluation.dashboards.DashboardData`).

    ``data`` needs ``episodes`` (after :func:`evaluation.flows.classify_exits`), ``kasam_scores``
    and ``reference_date`` (and ``events`` for the ``handlingsplan`` measure, when it has them);
    every förbund of the data is in the set.

    Examples
    --------
    >>> from evaluation.dashboards.views import _example_data
    >>> ts = for_data(_example_data())
    >>> ts.cost()["celler"] > 0, set(ts.cells["status"]) <= {PUBLISHED, PRIMARY, SECONDARY}
    (True, True)
    """
    return protect_cached(build(data.episodes, data.kasam_scores, data.reference_date, min_n=min_n,
                                protection=protection, events=getattr(data, "events", None)))


def for_data_dir(data_dir, reference_date=None, min_n: int = MIN_N) -> TableSet:
    """:func:`for_data` on a data folder read by the one loader (as the dashboards read it).

    ``reference_date`` (extract date) defaults to the data's latest date.
    """
    from .dashboards import load as dload

    old = os.environ.get(dload.REFERENCE_ENV)
    try:
        if reference_date:
            os.environ[dload.REFERENCE_ENV] = str(reference_date)
        data = dload.load_data(data_dir)
    finally:
        if reference_date:
            if old is None:
                os.environ.pop(dload.REFERENCE_ENV, None)
            else:
                os.environ[dload.REFERENCE_ENV] = old
    return for_data(data, min_n=min_n)


def folder_key(data_dir) -> str:
    """The name of a data folder's sub-folder in a snapshot over several data folders.

    The folder's own name (readable in the snapshot) and 8 hex digits of the SHA-1 of its resolved
    path (two folders of the same name stay apart). The name is the data folder's, never a
    person's.

    Examples
    --------
    >>> k = folder_key("/srv/data/norrdal")
    >>> k.startswith("norrdal-"), len(k) == len("norrdal-") + 8
    (True, True)
    """
    import hashlib

    p = Path(data_dir).resolve()
    return f"{p.name}-{hashlib.sha1(str(p).encode('utf-8')).hexdigest()[:8]}"


def snapshot_folder(data_dir=None) -> Path | None:
    """The folder holding the protected tables of the snapshot being run, or None outside a run.

    ``$EVALUATION_TABELLUPPSATTNING``'s folder if set; else, for a notebook executed by
    ``evaluation run`` (the kernel works in ``<snapshot>/.staging/<run>/``), the staging folder,
    or, in a snapshot over several data folders, its sub-folder
    ``tabelluppsattningar/<folder_key(data_dir)>/`` for the run's ``data_dir``.

    Examples
    --------
    >>> os.environ.pop(ENV, None) and None
    >>> snapshot_folder("data_samples") is None  # not in a run
    True
    """
    env = os.environ.get(ENV)
    if env:
        return Path(env).parent
    base = Path.cwd().parent
    if base.name != ".staging":
        return None
    if data_dir is not None:
        sub = base / FOLDERS / folder_key(data_dir)
        if sub.is_dir():
            return sub
    return base


def current(data_dir=None) -> TableSet | None:
    """The protected table set of the snapshot being run, read from its Parquet file, or None.

    Looked up in ``$EVALUATION_TABELLUPPSATTNING``, else, for a notebook executed by
    ``evaluation run`` (the kernel works in ``<snapshot>/.staging/<run>/``), ``../tabelluppsattning.parquet``,
    or, in a snapshot over several data folders, the one written for ``data_dir``
    (:func:`snapshot_folder`). Outside a run (an evaluator's JupyterLab) it is None: use :func:`for_data`.

    Examples
    --------
    >>> import os
    >>> os.environ.pop(ENV, None) and None
    >>> current() is None
    True
    """
    env = os.environ.get(ENV)
    if env:
        return read_parquet(env)
    folder = snapshot_folder(data_dir)
    if folder is not None and (folder / FILENAME).is_file():
        return read_parquet(folder / FILENAME)
    return None
