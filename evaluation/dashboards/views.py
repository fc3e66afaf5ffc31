"""Data per dashboard card: filters, allowlists and one function per card.

Every function takes the loaded :class:`~evaluation.dashboards.load.DashboardData` and a validated
:class:`Filters` and returns DataFrames (unit-tested without a browser). The numbers come from the
analysis modules (:mod:`evaluation.flows`, :mod:`evaluation.kasam`, :mod:`evaluation.compare`,
:mod:`evaluation.indicators`, :mod:`evaluation.costbenefit`, :mod:`evaluation.coding`); a view
selects rows, calls them and labels the result. No widget, no HTML, no file reading here.

The board's flow and KASAM cards (:func:`key_figures`, :func:`exit_table`,
:func:`forsorjning_table`, :func:`kasam_change`) read cells of the protected table set
(:func:`protected_tableset`, :mod:`evaluation.tableset`): a figure is shown only when every cell it
uses is published, else "–". The evaluator's views pass :mod:`evaluation.disclosure` (``min_n``,
default 5) table by table. A value that is missing (not suppressed) shows "uppgift saknas"
(:data:`evaluation.formatting.MISSING`).

Widget values and query-string values are compared against allowlists computed from the loaded
data (:func:`allowed_values`, :func:`check_choice`, :func:`validate_filters`, :func:`parse_query`);
anything else raises :class:`~evaluation.dashboards.server.NotAllowedError`.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import disclosure, flows
from ..labels import t
from .load import DashboardData
from ..formatting import MISSING, percent as _percent
from .server import NotAllowedError

__all__ = [
    "ALL", "PERIOD_ALL", "Filters", "allowed_values", "filter_options", "check_choice", "validate_filters",
    "parse_query", "period_bounds", "select", "protected_tableset", "all_suppressed", "key_figures", "exit_table",
    "forsorjning_table", "kasam_change",
    "nns_targets", "cost_benefit", "TREND_KEYS", "trends", "OUTCOME_MEASURES", "outcome_table", "survey_items",
    "ITEM_COLUMNS", "focus_groups", "data_quality",
]

ALL = ""  # filter value meaning "all"
PERIOD_ALL = "alla"


def _example_data() -> DashboardData:
    """Six Norrdal episodes and four KASAM pairs, for the docstring examples (extract 2026-01-15).

    2025: e1–e4 ended (two to work, one to studies, one to *aktivt arbetssökande*), e5 and e6 new
    and still active; e6 started 2025-11-01. KASAM totals rise by 10, 4, 6 and 8 points.
    """
    ep = pd.DataFrame({
        "episod_id": ["e1", "e2", "e3", "e4", "e5", "e6"],
        "deltagare_id": ["p1", "p2", "p3", "p4", "p5", "p6"],
        "forbund": "Norrdal", "insats": "Team Work",
        "kon": ["kvinna", "kvinna", "man", "man", "kvinna", "man"],
        "inskrivningsdatum": ["2024-03-01", "2024-06-01", "2025-01-10", "2025-02-01", "2025-05-01", "2025-11-01"],
        "avslutsdatum": ["2025-02-01", "2025-03-01", "2025-05-01", "2025-06-01", None, None],
        "avslutsorsak": ["forvarvsarbete", "studier", "forvarvsarbete", "aktivt_arbetssokande", None, None],
        "forsorjning_fore": ["forsorjningsstod", "forsorjningsstod", "a_kassa", "forsorjningsstod",
                             "forsorjningsstod", "a_kassa"],
        "forsorjning_efter": ["lon", "studiemedel", "lon", "forsorjningsstod", None, None],
    })
    ids = ["p1", "p2", "p3", "p4"]
    sc = pd.DataFrame({"respondent_id": ids * 2, "forbund": "Norrdal", "insats": "Team Work",
                       "kon": ["kvinna", "kvinna", "man", "man"] * 2, "tidpunkt": ["fore"] * 4 + ["efter"] * 4,
                       "datum": ["2024-09-01"] * 4 + ["2025-09-01"] * 4,
                       "total": [120.0, 130.0, 125.0, 135.0, 130.0, 134.0, 131.0, 143.0]})
    return DashboardData.from_frames(ep, "2026-01-15", kasam_scores=sc)



# --------------------------------------------------------------------------------------------
# filters: allowlists from the data
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """Validated filter values ("" = all; period ``"alla"`` or a year ``"2025"``).

    Examples
    --------
    >>> Filters(forbund="Norrdal").insats
    ''
    """

    forbund: str = ALL
    insats: str = ALL
    period: str = PERIOD_ALL
    kon: str = ALL


def _board_only(data: DashboardData) -> bool:
    """True for a board kernel's data: a table set and no participant rows."""
    return getattr(data, "tableset", None) is not None and "inskrivningsdatum" not in data.episodes


def _years(data: DashboardData) -> list[str]:
    if _board_only(data):
        from .. import tableset

        years = sorted({p for p in data.tableset.cells["period"] if p != tableset.PERIOD_ALL}, reverse=True)
        return [y for y in years if int(y) <= data.reference_date.year]
    ep = data.episodes
    first = int(ep["inskrivningsdatum"].min().year)
    last = int(data.reference_date.year)
    # a year that has only a few days of the extract (e.g. 2026-01-15) still counts
    return [str(y) for y in range(last, first - 1, -1)]


def allowed_values(data: DashboardData) -> dict[str, list[str]]:
    """The allowlist of every filter, computed from the loaded data.

    Returns
    -------
    dict
        ``forbund``, ``insats``, ``kon``: ``""`` plus the sorted values in the episodes;
        ``period``: ``"alla"`` plus the calendar years from the first inskrivning to the extract
        date, newest first.

    Examples
    --------
    >>> allowed_values(_example_data())["period"]  # extract date 2026-01-15
    ['alla', '2026', '2025', '2024']
    """
    if _board_only(data):  # the values of the table set's dimensions that have someone (or a hidden few)
        from .. import tableset

        ts = data.tableset
        out = {}
        for c in ("forbund", "insats", "kon"):
            vals = sorted({v for v in ts.cells[c] if v != tableset.TOTAL})
            out[c] = [ALL] + [v for v in vals if not ts.value("nya", **{c: v}) == 0]
        out["period"] = [PERIOD_ALL] + _years(data)
        return out
    ep = data.episodes
    out = {c: [ALL] + sorted(str(v) for v in ep[c].dropna().unique()) for c in ("forbund", "insats", "kon")}
    out["period"] = [PERIOD_ALL] + _years(data)
    return out


def filter_options(data: DashboardData, lang: str = "sv") -> dict[str, list[tuple[str, str]]]:
    """Dropdown options ``(label, value)`` per filter, labelled in ``lang``.

    Examples
    --------
    >>> filter_options(_example_data())["kon"]
    [('Alla', ''), ('Kvinnor', 'kvinna'), ('Män', 'man')]
    """
    allowed = allowed_values(data)

    def lab(name, v):
        if v == ALL:
            return t(f"dashboards.alla.{name}", lang)
        if name == "period":
            return t("dashboards.period.alla", lang) if v == PERIOD_ALL else v
        if name == "kon":
            return t(f"flows.kategori.{v}", lang)
        return v

    out = {k: [(lab(k, v), v) for v in vals] for k, vals in allowed.items()}
    return out


def check_choice(value, allowed, name: str = "värde") -> str:
    """Return ``value`` when it is one of ``allowed`` (exact string match), else raise.

    Raises
    ------
    NotAllowedError
        For any other value, including non-strings; the message does not echo long input.

    Examples
    --------
    >>> check_choice("Norrdal", ["", "Norrdal", "Söderå"], "forbund")
    'Norrdal'
    >>> check_choice("../../etc/passwd", ["", "Norrdal"], "forbund")
    Traceback (most recent call last):
    ...
    evaluation.dashboards.server.NotAllowedError: Ogiltigt värde för forbund
    """
    if not isinstance(value, str) or value not in set(allowed):
        raise NotAllowedError(f"Ogiltigt värde för {name}")
    return value


def validate_filters(data: DashboardData, **values) -> Filters:
    """Build :class:`Filters` from raw values, each checked against :func:`allowed_values`.

    Unknown filter names raise :class:`NotAllowedError`.

    Examples
    --------
    >>> data = _example_data()
    >>> validate_filters(data, forbund="Norrdal", period="2025")
    Filters(forbund='Norrdal', insats='', period='2025', kon='')
    >>> validate_filters(data, forbund="Söderå")  # not in these data
    Traceback (most recent call last):
    ...
    evaluation.dashboards.server.NotAllowedError: Ogiltigt värde för forbund
    """
    allowed = allowed_values(data)
    for k in values:
        if k not in allowed:
            raise NotAllowedError(f"Okänt filter: {k[:40]!r}")
    return Filters(**{k: check_choice(v, allowed[k], k) for k, v in values.items()})


def parse_query(query: str, allowed: dict[str, list[str]]) -> dict[str, str]:
    """Filter values from a URL query string (``?forbund=Norrdal&period=2025``), allowlisted.

    Only the keys of ``allowed`` are accepted (Voilà's ``token`` is skipped) and each value must be in its list; a repeated key,
    an unknown key (e.g. ``data=../../etc``) or a value outside the list raises
    :class:`NotAllowedError`. The result is never used as a path.

    Examples
    --------
    >>> parse_query("forbund=S%C3%B6der%C3%A5", {"forbund": ["", "Norrdal", "Söderå"]})
    {'forbund': 'Söderå'}
    >>> parse_query("data=../../etc", {"forbund": [""]})
    Traceback (most recent call last):
    ...
    evaluation.dashboards.server.NotAllowedError: Okänd parameter i länken: 'data'
    """
    if not query:
        return {}
    pairs = urllib.parse.parse_qsl(query.lstrip("?"), keep_blank_values=True, max_num_fields=10)
    out: dict[str, str] = {}
    for k, v in pairs:
        if k == "token":  # Voilà's own authentication parameter, not a filter
            continue
        if k not in allowed:
            raise NotAllowedError(f"Okänd parameter i länken: {k[:40]!r}")
        if k in out:
            raise NotAllowedError(f"Parametern {k!r} förekommer flera gånger")
        out[k] = check_choice(v, allowed[k], k)
    return out


def period_bounds(data: DashboardData, period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a period value (``"alla"``: first inskrivning to the extract date).

    Examples
    --------
    >>> [str(d.date()) for d in period_bounds(_example_data(), "2025")]
    ['2025-01-01', '2025-12-31']
    """
    if period == PERIOD_ALL:
        return data.episodes["inskrivningsdatum"].min().normalize(), data.reference_date
    check_choice(period, _years(data), "period")
    y = int(period)
    return pd.Timestamp(y, 1, 1), min(pd.Timestamp(y, 12, 31), data.reference_date)


def select(df: pd.DataFrame, f: Filters, columns=("forbund", "insats", "kon")) -> pd.DataFrame:
    """Rows of ``df`` matching the förbund/insats/kön filters (columns it lacks are not filtered).

    Examples
    --------
    >>> d = pd.DataFrame({"forbund": ["A", "B"], "kon": ["man", "kvinna"]})
    >>> select(d, Filters(forbund="B"))["kon"].tolist()
    ['kvinna']
    """
    mask = pd.Series(True, index=df.index)
    for c in columns:
        v = getattr(f, c)
        if v != ALL and c in df.columns:
            mask &= df[c].astype("str") == v
    return df.loc[mask]



# --------------------------------------------------------------------------------------------
# board computations
# --------------------------------------------------------------------------------------------

def _fmt_share(x, lang):
    # "–" means only "suppressed" (decided by the caller); a share without a base is missing
    return _percent(x, 1, lang, missing=MISSING.get(lang, MISSING["sv"]))


def protected_tableset(data: DashboardData, min_n: int = 5):
    """The protected table set the board cards read (:mod:`evaluation.tableset`).

    ``data.tableset`` when it was protected with ``min_n`` (the board kernel: read from the Parquet
    the server prepared, :func:`evaluation.dashboards.load.load_board_data`); otherwise built from
    ``data.episodes`` / ``data.kasam_scores`` and protected once per ``min_n`` (kept on ``data``).

    Raises
    ------
    DashboardError
        When there is neither a matching table set nor episodes to build one from.

    Examples
    --------
    >>> ts = protected_tableset(_example_data(), min_n=1)
    >>> ts.value("avslutade", forbund="Norrdal", period="2025")  # e1-e4 ended in 2025
    4.0
    """
    from .server import DashboardError

    ts = getattr(data, "tableset", None)
    if ts is not None and int(ts.min_n) == int(min_n):
        return ts
    cache = data.protected
    if min_n not in cache:
        if data.episodes is None or "inskrivningsdatum" not in data.episodes:
            raise DashboardError(f"Ingen skyddad tabelluppsättning med min_n = {min_n} och inga deltagarrader "
                                 "att beräkna den från.")
        from .load import _protect

        cache[min_n] = _protect(data, min_n)
    return cache[min_n]


def _dims(f: Filters) -> dict:
    return {"forbund": f.forbund, "insats": f.insats, "period": f.period, "kon": f.kon}


def _cell(ts, matt: str, f: Filters, kategori: str = "", kategori2: str = "") -> tuple[float, bool, tuple]:
    """(value, published, key) of one cell of the slice; a category the data never had is a published 0."""
    from .. import tableset

    dims = {k: (tableset.TOTAL if v in ("", None) else str(v)) for k, v in _dims(f).items()}
    dims["period"] = f.period or tableset.PERIOD_ALL
    kat = kategori or tableset.TOTAL
    kat2 = kategori2 or tableset.TOTAL
    i = ts.lookup(matt, kategori=kat, kategori2=kat2, **dims)
    key = (matt, dims["forbund"], dims["insats"], dims["period"], dims["kon"], kat, kat2)
    if i is None:  # a measure the data cannot give is missing; a category nobody had is a published 0
        return (0.0 if matt in set(ts.cells["matt"]) else float("nan")), True, key
    row = ts.cells.iloc[i]
    ok = row["status"] == tableset.PUBLISHED
    return (float(row["n"]) if ok else float("nan")), bool(ok), key


def _categories(ts, matt: str, which: str = "kategori") -> list[str]:
    from .. import tableset

    c = ts.cells
    vals = c.loc[c["matt"] == matt, which]
    return [v for v in dict.fromkeys(vals) if v != tableset.TOTAL]


#: The board dashboard's key figures (:func:`key_figures`, ``nyckel``) and the :func:`evaluation.flows.headline`
#: key (``results.json``) each one is: its cells are those of :data:`evaluation.flows.CELL_COUNTS` /
#: :data:`evaluation.flows.CELL_SHARES`.
KEY_FIGURE_KEYS: dict[str, str] = {
    "aktiva": "aktiva_i_perioden", "nya": "inskrivna_i_perioden", "avslutade": "avslutade_i_perioden",
    "andel_arbete_studier": "arbete_studier_andel", "offentlig_fore": "offentlig_fore_andel",
    "offentlig_efter": "offentlig_efter_andel", "egen_efter": "egen_forsorjning_efter_andel",
}


def key_figures(data: DashboardData, f: Filters, min_n: int = 5, lang: str = "sv") -> pd.DataFrame:
    """Nyckeltal for the board: cells of the protected table set (:func:`protected_tableset`).

    The definitions are those of :func:`evaluation.flows.key_figure_counts` (the same numbers as
    the deltagarflöden notebook and ``results.json``: ``aktiva_i_perioden``, ``inskrivna_i_perioden``,
    ``avslutade_i_perioden``, ``arbete_studier_andel``, ``offentlig_fore_andel``,
    ``offentlig_efter_andel``, ``egen_forsorjning_efter_andel``) for the filter combination (förbund,
    insats, period, kön), each read from cells of :mod:`evaluation.tableset`:

    * ``aktiva``, ``nya``, ``avslutade``: the cells of :data:`evaluation.flows.CELL_COUNTS`;
    * the shares: numerator and base cells of :data:`evaluation.flows.CELL_SHARES` (the one definition
      the notebook's key figure table, ``results.json`` and the slutrapport read too,
      :func:`evaluation.flows.cell_share`): ``andel_arbete_studier`` = ``sus`` *förvärvsarbete* +
      *studier* / ``avslutade``; ``offentlig_fore`` / ``offentlig_efter`` = ``forsorjning_fore`` /
      ``forsorjning_efter`` *offentlig* / ``avslutade``; ``egen_efter`` = ``egen`` *ja* / ``egen``
      *ja* + *nej*.

    A figure is shown only when every cell it uses is published (else "–"); a share with base 0
    is missing ("uppgift saknas").

    Returns
    -------
    DataFrame
        ``nyckel, matt, antal, bas, andel, undertryckt, visning, celler`` (``visning``: the string
        shown; ``celler``: the keys of the cells used).

    Examples
    --------
    >>> kf = key_figures(_example_data(), Filters(period="2025"), min_n=1)
    >>> dict(zip(kf["nyckel"], kf["visning"]))  # 4 ended 2025: 2 to work, 1 to studies, 1 still on försörjningsstöd
    {'aktiva': '6', 'nya': '4', 'avslutade': '4', 'andel_arbete_studier': '75,0\\xa0%', 'offentlig_fore': '100,0\\xa0%', 'offentlig_efter': '25,0\\xa0%', 'egen_efter': '75,0\\xa0%'}
    >>> key_figures(_example_data(), Filters(period="2025"))["visning"].tolist()  # min_n 5: 4 is a small cell
    ['–', '–', '–', '–', '–', '–', '–']
    """
    ts = protected_tableset(data, min_n)

    def args(terms):  # (matt, dims) of evaluation.flows -> the arguments of _cell (the filter is the slice)
        assert all(set(d) <= {"kategori", "kategori2"} for _, d in terms), terms
        return [(m, d.get("kategori", ""), d.get("kategori2", "")) for m, d in terms]

    spec = []
    for key, head_key in KEY_FIGURE_KEYS.items():
        if head_key in flows.CELL_SHARES:
            num, base = flows.CELL_SHARES[head_key]
            spec.append((key, args(num), args(base)))
        else:  # a count: the sum of its cells (every coefficient 1 for these)
            assert all(c == 1 for c, _, _ in flows.CELL_COUNTS[head_key]), head_key
            spec.append((key, args([(m, d) for _, m, d in flows.CELL_COUNTS[head_key]]), None))
    rows = []
    for key, num, base in spec:
        cells = [_cell(ts, m, f, k1, k2) for m, k1, k2 in num + (base or [])]
        hidden = not all(ok for _, ok, _ in cells)
        antal = float("nan") if hidden else sum(v for v, _, _ in cells[: len(num)])
        bas = float("nan") if base is None or hidden else sum(v for v, _, _ in cells[len(num):])
        andel = antal / bas if base is not None and not hidden and bas > 0 else float("nan")
        if hidden:
            shown = "–"
        elif base is None:
            shown = disclosure.format_number(antal, lang, 0) if pd.notna(antal) else MISSING.get(lang, MISSING["sv"])
        else:
            shown = _fmt_share(andel, lang)
        rows.append({"nyckel": key, "matt": t(f"dashboards.nyckeltal.{key}", lang), "antal": antal, "bas": bas,
                     "andel": andel, "undertryckt": hidden, "visning": shown, "celler": [k for _, _, k in cells]})
    return pd.DataFrame(rows)


def exit_table(data: DashboardData, f: Filters, min_n: int = 5, lang: str = "sv",
               level: str = "sus_kategori") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exits in the period per SUS category: cells of the protected set.

    The board's categories are the SUS exit categories (the crosswalk every taxonomy maps to; the
    slutrapport's "Avslut" table uses the same), so a Team Work *arbete* and a SUS
    *förvärvsarbete* are one category. Each row is the ``sus`` cell of the category (``n``);
    ``andel`` = n / the ``avslutade`` cell. Bekräftad / obekräftad per category are not cells of the
    protected set (SUS category × confirmation is deliberately not crossed, see
    :mod:`evaluation.tableset`), so the board no longer shows them. A value whose cell is suppressed
    is "–"; published zeros are left out; suppressed rows come last in a fixed order (never sorted
    by their hidden size).

    Returns
    -------
    (DataFrame, DataFrame)
        The summary (``kategori, n, andel, undertryckt``, NaN where suppressed) and the labelled
        string table.

    Examples
    --------
    >>> summ, view = exit_table(_example_data(), Filters(period="2025"), min_n=1)
    >>> view[["Kategori", "Antal", "Andel"]].values.tolist()
    [['Förvärvsarbete', '2', '50,0\\xa0%'], ['Aktivt arbetssökande', '1', '25,0\\xa0%'], ['Studier', '1', '25,0\\xa0%']]
    """
    check_choice(level, ["sus_kategori"], "nivå")
    ts = protected_tableset(data, min_n)
    tot, tot_ok, _ = _cell(ts, "avslutade", f)
    rows = []
    for k in _categories(ts, "sus"):
        n, ok, _ = _cell(ts, "sus", f, k)
        if ok and n == 0:
            continue
        share_ok = ok and tot_ok
        rows.append({"kategori": k, "n": n, "andel": n / tot if share_ok and tot > 0 else np.nan,
                     "undertryckt": not ok, "_dolda": [c for c, good in (("n", ok), ("andel", share_ok)) if not good]})
    summ = pd.DataFrame(rows, columns=["kategori", "n", "andel", "undertryckt", "_dolda"])
    if len(summ):
        order = summ["undertryckt"].astype(int) * 1e12 - summ["n"].fillna(0)
        summ = summ.loc[order.sort_values(kind="stable").index].reset_index(drop=True)
    hidden = summ.pop("_dolda")
    summ = summ.astype({c: float for c in ("n", "andel")})
    summ["undertryckt"] = summ["undertryckt"].astype(bool)
    view = flows.board_table(summ, lang=lang)
    cols = list(summ.columns.drop("undertryckt"))
    for i, hid in enumerate(hidden):
        for c in hid:
            view.iat[i, cols.index(c)] = "–"
    return summ, view


def forsorjning_table(data: DashboardData, f: Filters, min_n: int = 5, lang: str = "sv") -> pd.DataFrame:
    """Försörjningsgrupp at enrolment and at exit for episodes ended in the period: cells of the protected set.

    One row per försörjningsgrupp (offentlig, egen, ingen, okänd) with the ``forsorjning_fore`` and
    ``forsorjning_efter`` cells, and a Totalt row (the ``avslutade`` cell). The transitions between
    groups (before × after) are not cells of the protected set (crossing them would hide most of the
    table on a few hundred people, see :mod:`evaluation.tableset`). A suppressed cell is "–"; a group
    with a published 0 both before and after is left out. The table is
    :func:`evaluation.flows.forsorjning_margins` of the filter's slice (the notebook and the
    slutrapport show the same); with nobody ended in the slice, one "ingen data" line.

    Examples
    --------
    >>> forsorjning_table(_example_data(), Filters(period="2025"), min_n=1).loc["Totalt"].tolist()
    ['4', '4']
    >>> forsorjning_table(_example_data(), Filters(period="2025"), min_n=1).loc["Offentlig försörjning"].tolist()
    ['4', '1']
    """
    from .. import tableset

    ts = protected_tableset(data, min_n)
    # one computation: the notebook's and the slutrapport's margins (flows.forsorjning_margins), for this filter
    tab = flows.forsorjning_margins(ts, forbund=f.forbund or "", insats=f.insats or "",
                                    period=f.period or tableset.PERIOD_ALL, kon=f.kon or "", lang=lang)
    tot, tot_ok, _ = _cell(ts, "avslutade", f)
    if len(tab) == 1 and tot_ok and tot == 0:  # only the Totalt row, a published 0: nobody ended here
        return pd.DataFrame({t("dashboards.ingen_data", lang): []})
    return tab


def kasam_change(data: DashboardData, f: Filters, min_n: int = 5) -> pd.DataFrame:
    """KASAM (SOC) total before → after for participants, with the 95 % CI of the change.

    From the cells of the protected table set alone, by :func:`evaluation.kasam.change_from_cells`:
    the design follows the 80 % rule of :func:`evaluation.compare.design_of` on the ``kasam`` (pairs)
    and ``kasam_fore`` / ``kasam_efter`` (waves) cells; paired: the pairs cell's moments
    (:func:`evaluation.kasam.change_from_moments`, the period selecting the *after* answers dated
    in it); unpaired: Welch from the two wave cells (:func:`evaluation.kasam.welch_from_moments`).
    The same design, n and figures as the kasam_fore_efter notebook (:func:`evaluation.kasam.change`)
    for the same selection. Suppressed (every value NaN, ``undertryckt`` True) when a cell it uses is.

    Returns
    -------
    DataFrame
        One row: ``design, n, mean_before, mean_after, mean_diff, ci_low, ci_high, p, n_before,
        n_after, undertryckt`` (``n``: pairs, or n_before + n_after when unpaired).

    Examples
    --------
    >>> kc = kasam_change(_example_data(), Filters(), min_n=1).iloc[0]  # changes +10, +4, +6, +8
    >>> kc["design"], int(kc["n"]), float(kc["mean_diff"]), round(float(kc["ci_low"]), 2)
    ('paired', 4, 7.0, 2.89)
    >>> bool(kasam_change(_example_data(), Filters(), min_n=5).iloc[0]["undertryckt"])
    True
    """
    from .. import kasam, tableset

    cols = ["design", "n", "mean_before", "mean_after", "mean_diff", "ci_low", "ci_high", "p", "n_before", "n_after"]
    ts = protected_tableset(data, min_n)
    dims = {k: ("" if v in ("", None) else str(v)) for k, v in _dims(f).items() if k != "period"}
    r = kasam.change_from_cells(ts, period=f.period or tableset.PERIOD_ALL, **dims)
    row = {c: r.get(c, np.nan) for c in cols}
    row["undertryckt"] = bool(r["undertryckt"])
    if not row["undertryckt"] and not (r["n"] > 0):
        row.update({c: np.nan for c in cols}, design="", n=0)
    return pd.DataFrame([row])


def all_suppressed(data: DashboardData, f: Filters, min_n: int = 5) -> bool:
    """True when the board's flow and KASAM totals for ``f`` are suppressed or zero, at least one suppressed.

    The board then shows one explanatory line instead of tables of "–".

    Examples
    --------
    >>> all_suppressed(_example_data(), Filters(period="2025")), all_suppressed(_example_data(), Filters(), min_n=1)
    (True, False)
    """
    ts = protected_tableset(data, min_n)
    cells = [_cell(ts, m, f) for m in ("aktiva", "nya", "avslutade", "kasam")]
    return any(not ok for _, ok, _ in cells) and not any(ok and v > 0 for v, ok, _ in cells)


def nns_targets(data: DashboardData, f: Filters, min_n: int = 5, lang: str = "sv") -> pd.DataFrame:
    """NNS indicators against the målnivåer of the selected förbund, latest wave in the period.

    :func:`evaluation.indicators.target_attainment` (indikator 11 from the register episodes and
    events included, as in the kärnindikatorer notebook and the slutrapport) on the survey rows matching förbund/insats/kön (kön
    and insats as recorded on the questionnaire); the wave is the latest NNS wave (``2025H2`` …)
    whose year lies in the period. Items below ``min_n`` answers get status *Saknar data* and their
    ``n`` and ``varde`` are blanked (``undertryckt`` True).

    Returns
    -------
    DataFrame
        ``forbund, indikator, item, respondentgrupp, matt, niva, n, varde, status, status_text``
        plus ``vag``; empty when no targets or no answers.

    Examples
    --------
    >>> nns_targets(_example_data(), Filters()).empty  # no NNS answers, no målnivåer
    True
    """
    from .. import indicators as ind

    if data.nns.empty or data.targets.empty:
        return pd.DataFrame(columns=["forbund", "indikator", "item", "respondentgrupp", "matt", "niva", "n",
                                     "varde", "status", "status_text", "vag"])
    sv = select(data.nns, f)
    waves = sorted(str(v) for v in data.nns["vag"].dropna().unique())
    if f.period != PERIOD_ALL:
        waves = [w for w in waves if w.startswith(f.period)]
    mal = data.targets if f.forbund == ALL else data.targets[data.targets["forbund"] == f.forbund]
    if not waves or sv.empty or mal.empty:
        return pd.DataFrame(columns=["forbund", "indikator", "item", "respondentgrupp", "matt", "niva", "n",
                                     "varde", "status", "status_text", "vag"])
    att = ind.target_attainment(sv, mal, select(data.episodes, f), data.events, vag=waves[-1], min_n=min_n,
                                lang=lang)
    small = (att["n"] > 0) & (att["n"] < min_n)
    att["n"] = att["n"].astype(float).mask(small)
    att["varde"] = att["varde"].astype(float).mask(small)
    att["undertryckt"] = small
    return att


def cost_benefit(data: DashboardData, scenario: str = "bas", lang: str = "sv"):
    """Cost-benefit per actor of a scenario: board table with NPV, BCR and payback month, caveats.

    :func:`evaluation.costbenefit.evaluate` of the scenario file ``scenarier/<scenario>.yaml``
    (allowlisted among the files found), amounts in SEK of the scenario's price year.

    Returns
    -------
    (DataFrame, list of str, CostBenefitResult or None)
        ``Aktör, Nettonuvärde (kr), Nytta/kostnad, Återbetald (månad), Förlorar`` (strings),
        the caveats (:func:`evaluation.costbenefit.caveats`) and the result.

    Examples
    --------
    >>> from evaluation import costbenefit as cb
    >>> data = _example_data()
    >>> data.scenarios["x"], data.unit_costs = cb._example()
    >>> view, caveats, res = cost_benefit(data, "x")
    >>> view.iloc[-1].tolist()
    ['Samhället (reala resurser)', '5\\u202f000', '2,00', '1', 'Nej']
    """
    from .. import costbenefit as cb
    from ..vocabulary import label as vlabel

    if not data.scenarios or data.unit_costs.empty:
        return pd.DataFrame(), [t("dashboards.ingen_data", lang)], None
    check_choice(scenario, list(data.scenarios), "scenario")
    res = cb.evaluate(data.scenarios[scenario], data.unit_costs, index=data.price_index, check_transfers="warn")
    a = res.actors
    view = pd.DataFrame({
        t("dashboards.cb.aktor", lang): [vlabel("aktor", x, lang) if x in cb.ACTORS else t(f"costbenefit.{x}", lang)
                                        for x in a["aktor"]],
        t("dashboards.cb.npv", lang): [disclosure.format_number(v, lang, 0) for v in a["npv"]],
        t("dashboards.cb.bcr", lang): [t("costbenefit.ingen_kostnad", lang) if pd.isna(v) or not np.isfinite(v)
                                       else disclosure.format_number(v, lang, 2)
                                       for v in a["bcr"]],
        t("dashboards.cb.payback", lang): [t("dashboards.cb.ej_inom", lang) if pd.isna(v) else str(int(v))
                                           for v in a["aterbetalningsmanad"]],
        t("dashboards.cb.forlorar", lang): [t("flows.kategori.ja", lang) if v else t("flows.kategori.nej", lang)
                                            for v in a["forlorare"]],
    })
    return view, cb.caveats(res, lang), res


TREND_KEYS = {
    "deltagarfloden": ["avslutade_i_perioden", "egen_forsorjning_efter_andel", "offentlig_efter_andel"],
    "kasam_fore_efter": ["diff"],
}


def trends(data: DashboardData, f: Filters) -> pd.DataFrame:
    """Headline results across snapshots for the selected förbund (``forbund`` run parameter).

    Reads :attr:`DashboardData.history` (:func:`evaluation.snapshots.history`) and keeps the
    numeric keys of :data:`TREND_KEYS` of runs whose ``forbund`` parameter equals the filter ("" =
    all förbund). Snapshot results are whole-population headline numbers; insats, kön and period
    filters do not apply to them.

    Returns
    -------
    DataFrame
        ``snapshot, created, notebook, key, value_num`` sorted by time.

    Examples
    --------
    >>> data = _example_data()
    >>> data.history = pd.DataFrame({"snapshot": ["s1", "s2"], "created": ["2025-06-30", "2025-12-31"],
    ...     "notebook": "deltagarfloden", "forbund": "Norrdal", "key": "avslutade_i_perioden", "value_num": [3.0, 4.0]})
    >>> trends(data, Filters(forbund="Norrdal"))["value_num"].tolist()
    [3.0, 4.0]
    """
    h = data.history
    cols = ["snapshot", "created", "notebook", "key", "value_num"]
    if h.empty:
        return pd.DataFrame(columns=cols)
    keep = pd.Series(False, index=h.index)
    for nb, keys in TREND_KEYS.items():
        keep |= (h["notebook"] == nb) & h["key"].isin(keys)
    h = h.loc[keep & (h["forbund"].fillna("") == f.forbund) & h["value_num"].notna(), cols]
    return h.sort_values(["created", "notebook", "key"]).reset_index(drop=True)



# --------------------------------------------------------------------------------------------
# evaluator computations
# --------------------------------------------------------------------------------------------

OUTCOME_MEASURES = ("avslutade", "avslutskategori", "avslut_sus", "forsorjningsgrupp_fore",
                    "forsorjningsgrupp_efter", "forsorjning_fore", "forsorjning_efter",
                    "sysselsattning_fore", "sysselsattning_efter", "omfattning", "egen_forsorjning_efter",
                    "utfallsstatus")


def outcome_table(data: DashboardData, f: Filters, matt: str, min_n: int = 5, lang: str = "sv") -> pd.DataFrame:
    """One measure of the SUS outcome report (:func:`evaluation.flows.outcome_report`) for the period.

    ``matt`` must be one of :data:`OUTCOME_MEASURES`; the table is split by kön (suppressed
    blocks "–") and grouped by förbund and insats.

    Examples
    --------
    >>> tab = outcome_table(_example_data(), Filters(period="2025"), "avslutskategori", min_n=1)
    >>> tab.iloc[0].tolist()  # two of four to work: one woman, one man
    ['Norrdal', 'Team Work', 'Förvärvsarbete', '2 (50,0\\xa0%)', '1 (50,0\\xa0%)', '1 (50,0\\xa0%)']
    """
    check_choice(matt, OUTCOME_MEASURES, "mått")
    start, end = period_bounds(data, f.period)
    ep = select(data.episodes, f)
    rep = flows.outcome_report(ep, data.reference_date, start, end, min_n=min_n)
    if rep.empty or not (rep["matt"] == matt).any():
        return pd.DataFrame({t("dashboards.ingen_data", lang): []})
    return flows.format_report(rep, matt, lang).reset_index()


def survey_items(data: DashboardData, f: Filters, respondentgrupp: str, vag: str, tidpunkt: str = ALL,
                 min_n: int = 5) -> pd.DataFrame:
    """NNS item results (n, bortfall, mean, median, share top-2 with CI) for one group and wave.

    :func:`evaluation.indicators.item_results` on the rows matching the filters; groups with fewer
    than ``min_n`` answers are suppressed there. ``respondentgrupp``, ``vag`` and ``tidpunkt``
    are allowlisted from the data.

    Examples
    --------
    >>> data = _example_data()
    >>> data.nns = pd.DataFrame({"respondentgrupp": ["deltagare"], "vag": ["2025H2"], "tidpunkt": ["efter"]})
    >>> survey_items(data, Filters(), "personal", "2025H2")
    Traceback (most recent call last):
    ...
    evaluation.dashboards.server.NotAllowedError: Ogiltigt värde för respondentgrupp
    """
    from .. import indicators as ind

    sv = data.nns
    check_choice(respondentgrupp, sorted(sv["respondentgrupp"].dropna().astype(str).unique()), "respondentgrupp")
    check_choice(vag, sorted(sv["vag"].dropna().astype(str).unique()), "vag")
    check_choice(tidpunkt, [ALL] + sorted(sv["tidpunkt"].dropna().astype(str).unique()), "tidpunkt")
    sv = select(sv, f)
    sv = sv[(sv["respondentgrupp"] == respondentgrupp) & (sv["vag"] == vag)]
    if tidpunkt != ALL:
        sv = sv[sv["tidpunkt"] == tidpunkt]
    if sv.empty:
        return pd.DataFrame(columns=["respondentgrupp", "tidpunkt", "item", "n", "andel_topp2"])
    return ind.item_results(sv, by=("respondentgrupp", "tidpunkt"), min_n=min_n).reset_index(drop=True)


ITEM_COLUMNS = ("respondentgrupp", "tidpunkt", "item", "n", "bortfall", "medel", "median", "andel_topp2",
                "topp2_ki_lag", "topp2_ki_hog", "undertryckt")


def focus_groups(data: DashboardData, f: Filters, level: str = "tema", min_n: int = 5, lang: str = "sv"):
    """Focus-group tallies (board view, suppressed by distinct speakers) and coder agreement.

    :func:`evaluation.coding.tally` + :func:`evaluation.coding.board_table`;
    :func:`evaluation.coding.kappa_per_code` + :func:`evaluation.coding.agreement_table` and
    :func:`evaluation.coding.codebook_alpha` for the first two coders in the data.

    Returns
    -------
    (DataFrame, DataFrame, float)
        Tally table, agreement table and Krippendorff's α (NaN with fewer than two coders).

    Examples
    --------
    >>> board, agreement, alpha = focus_groups(_example_data(), Filters())  # no coded segments
    >>> list(board.columns), alpha
    (['Inga uppgifter för urvalet'], nan)
    """
    from .. import coding

    check_choice(level, ["tema", "kod"], "nivå")
    seg = select(data.segments, f, columns=("forbund",))
    if seg.empty:
        empty = pd.DataFrame({t("dashboards.ingen_data", lang): []})
        return empty, empty, np.nan
    kb = data.codebook
    tally = coding.tally(seg, kb, level=level, tvarkoder=False)
    board = coding.board_table(tally, kb, min_n=min_n, lang=lang)
    coders = sorted(seg["kodare"].dropna().astype(str).unique())[:2]
    if len(coders) < 2:
        return board, pd.DataFrame({t("dashboards.ingen_data", lang): []}), np.nan
    kappa = coding.kappa_per_code(seg, coders=tuple(coders), codebook=kb, level="kod" if level == "kod" else "tema")
    alpha = coding.codebook_alpha(seg, codebook=kb, coders=tuple(coders))
    return board, coding.agreement_table(kappa, kb, lang=lang), float(alpha)


def data_quality(data: DashboardData, lang: str = "sv") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Import findings: one row per file (:func:`evaluation.io.summary_table`) and all problems.

    Problems (``fil, rad, kolumn, värde, orsak``) are the import reports' ``problems`` (values
    already masked where they look like a personnummer) of every part of every file, file names
    without folders.

    Examples
    --------
    >>> summary, problems = data_quality(_example_data())  # no import reports in memory-built data
    >>> list(problems.columns)
    ['Fil', 'Rad', 'Kolumn', 'Värde', 'Orsak']
    """
    from .. import io

    summary = io.summary_table(data.samples, lang=lang)
    summary["fil"] = summary["fil"].map(lambda s: " + ".join(Path(p.strip()).name for p in str(s).split(" + ")))
    frames = []
    for res in data.samples.values():
        rep = res.report
        for part in (rep.parts or [rep]):
            if len(part.problems):
                pr = part.problems.copy()
                pr["file"] = Path(str(part.file)).name
                frames.append(pr)
    cols = ["file", "row", "column", "value", "reason"]
    problems = pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)
    problems = problems.rename(columns={c: t(f"dashboards.problem.{c}", lang) for c in cols})
    return summary, problems

