"""Reported tables (``rapporterat/*.csv``): figures printed in a source, checked by declared structure.

A reported table holds aggregate figures copied from a source document (long form: ``kalla, tabell,
matt, kategori, period, varde, enhet, proveniens, kommentar``). Two optional columns declare how the
figures relate, so that the checks never have to guess:

``id``
    A name for the row, unique within its ``kalla`` (e.g. ``T6.summa``). Only rows that other rows
    refer to need one.
``relation``
    What the row is, in terms of other rows of the same ``kalla`` (several relations separated by
    ``;``):

    ==============================  ==================================================================
    ``del av X``                    a part of ``X``: all parts of ``X`` add up to ``X`` (a subtotal is
                                    itself ``del av`` its parent; a single part must equal ``X``)
    ``rest av X``                   a declared residual of ``X``: ``X`` − the parts of ``X``; when it
                                    matches, the gap is explained and the check passes with its note
    ``summa A + B``                 the row equals the sum of the listed rows (overlapping aggregates,
                                    e.g. "helt eller delvis försörjningsstöd" 75 = 48 + 27)
    ``delmängd av X``               a subset of ``X``: not larger than ``X`` (12 of a cohort of 97)
    ``andel A / B``                 a share: ``A`` of the base ``B`` (per cent when ``enhet`` is
                                    ``procent``, else a fraction)
    ``förändring A -> B``           a change from level ``A`` to level ``B``: ``B − A``, or
                                    ``100 · (B − A) / A`` when the change is in per cent and the levels
                                    are not
    ``produkt A * B * 12``          a product of rows and numbers (666 × 8 000 × 12)
    ``lika X``                      the same figure as ``X`` (``kr`` / ``tkr`` / ``mkr`` converted)
    ==============================  ==================================================================

:func:`check_reported` runs one check per declared relation, single rows included, and nothing else:
no subset search, no implicit "percentages add to 100" (declare a 100 % row and its parts). It is the
one check behind :func:`evaluation.flows.check_reported`, :func:`evaluation.kasam.check_reported` and
the slutrapport's "kontroller" block.

Rounding (method: interval arithmetic on the printed precision, first order for products and
ratios): a printed figure is exact when its ``enhet`` is ``antal``, otherwise it stands for ± half a
unit of its last printed decimal. A check is ``ok`` when the stated figure is the computed one rounded
to the stated decimals, ``avrundning`` when the difference can still come from the rounding of the
inputs, and ``avvikelse`` otherwise. Contradictions are reported, never fixed (DOMAIN.md §10).

Warnings (column ``varning``) are attached to results: a change between different months of the year
(seasonal caseloads, DOMAIN.md §10: Vägen ut compares October with May), and a product presented as a
saving (``matt`` mentions besparing/minskad) is flagged as a gross proxy, and so is a product of a
stock (a count) and a mean duration (caseload × mean months is not a sum of bidragsmånader, DOMAIN.md
§10).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from .errors import EvaluationError
from .labels import t

__all__ = ["ReportedTableError", "RELATIONS", "COLUMNS", "parse_relation", "check_reported", "deviations",
           "month_warning", "board_table"]

#: Relation keywords of the ``relation`` column, in the order they are documented.
RELATIONS = ("del av", "rest av", "summa", "delmängd av", "andel", "förändring", "produkt", "lika")

#: Output columns of :func:`check_reported`.
COLUMNS = ["kalla", "tabell", "matt", "kategori", "period", "enhet", "id", "kontroll", "uttryck", "angivet",
           "beraknat", "differens", "status", "ok", "meddelande", "varning"]

_EXACT_UNITS = {"antal", "personer", "st"}
_MONEY = {"kr": 1.0, "tkr": 1e3, "mkr": 1e6}
_ID = r"[^\s;+*/×→]+"
_PATTERNS = [
    ("del", re.compile(rf"^del\s+av\s+({_ID})$", re.I)),
    ("rest", re.compile(rf"^rest\s+av\s+({_ID})$", re.I)),
    ("delmangd", re.compile(rf"^delm[äa]ngd\s+av\s+({_ID})$", re.I)),
    ("summa", re.compile(rf"^summa\s+({_ID}(?:\s*\+\s*{_ID})+)$", re.I)),
    ("andel", re.compile(rf"^andel\s+({_ID})\s*/\s*({_ID})$", re.I)),
    ("forandring", re.compile(rf"^f[öo]r[äa]ndring\s+({_ID})\s*(?:->|→)\s*({_ID})$", re.I)),
    ("produkt", re.compile(rf"^produkt\s+({_ID}(?:\s*[*×]\s*{_ID})+)$", re.I)),
    ("lika", re.compile(rf"^lika\s+({_ID})$", re.I)),
]


class ReportedTableError(EvaluationError, ValueError):
    """A reported table's declarations cannot be read: unknown relation, unknown or duplicate id.

    The message names the source (``kalla``), the row (CSV line) and the column.
    """


def parse_relation(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Parse a ``relation`` cell into ``(kind, operands)`` pairs (kinds: del, rest, delmangd, summa,
    andel, forandring, produkt, lika); an empty cell gives ``[]``.

    Raises ``ValueError`` for text that is none of :data:`RELATIONS`.

    Examples
    --------
    >>> parse_relation("del av T6.summa; andel T5.summa / T6.summa")
    [('del', ('T6.summa',)), ('andel', ('T5.summa', 'T6.summa'))]
    >>> parse_relation("produkt T5.summa * B.manad * 12")
    [('produkt', ('T5.summa', 'B.manad', '12'))]
    >>> parse_relation("förändring K.2011 -> K.2013")
    [('forandring', ('K.2011', 'K.2013'))]
    """
    out = []
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return out
    for part in str(text).split(";"):
        part = " ".join(part.split())
        if not part:
            continue
        for kind, rx in _PATTERNS:
            m = rx.match(part)
            if m:
                if kind in ("summa", "produkt"):
                    ops = tuple(x for x in re.split(r"\s*[+*×]\s*", m.group(1)) if x)
                else:
                    ops = m.groups()
                out.append((kind, ops))
                break
        else:
            raise ValueError(f"okänd relation {part!r}; använd en av: " + ", ".join(RELATIONS))
    return out


def _decimals(v: float) -> int:
    s = np.format_float_positional(float(v), trim="-")
    return len(s.split(".")[1]) if "." in s else 0


def _unit(v: float, enhet: str) -> float:
    """Rounding unit of a printed figure: 0 for exact counts, else one unit of the last decimal."""
    if str(enhet).strip().lower() in _EXACT_UNITS:
        return 0.0
    return 10.0 ** -_decimals(v)


def _fmt(v: float, lang: str, decimals: int | None = None, enhet: str = "") -> str:
    """A figure as printed: its own decimals (at most 3) or ``decimals``; `` %`` for per cent."""
    from .disclosure import format_number

    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    d = min(_decimals(round(float(v), 6)), 3) if decimals is None else min(decimals, _decimals(round(float(v), 6)))
    pct = "\u00a0%" if str(enhet).lower() in ("procent", "%") else ""
    return format_number(float(v), lang, d) + pct


def _months(period: str) -> int | None:
    m = re.fullmatch(r"\s*\d{4}-(\d{2})\s*", str(period))
    return int(m.group(1)) if m else None


def month_warning(period_from: str, period_to: str, lang: str = "sv") -> str:
    """Warning text when two periods (``YYYY-MM``) fall in different months of the year, else ''.

    Caseloads are seasonal ("Under sommaren ökar ärendebelastning", Vägen ut, DOMAIN.md §10), so a
    change from October to May mixes the effect with the season.

    Examples
    --------
    >>> month_warning("2011-10", "2013-05")
    'Jämför olika månader (oktober och maj): säsongsvariation kan ingå i förändringen.'
    >>> month_warning("2011-10", "2012-10")
    ''
    """
    a, b = _months(period_from), _months(period_to)
    if a is None or b is None or a == b:
        return ""
    return t("reported.varning.manader", lang, fran=t(f"reported.manad.{a}", lang), till=t(f"reported.manad.{b}", lang))


def _status(diff: float, stated_unit: float, bound: float, tolerance: float | None) -> str:
    if tolerance is not None:
        return "ok" if abs(diff) <= tolerance + 1e-9 else "avvikelse"
    if abs(diff) <= 0.5 * stated_unit + 1e-9:
        return "ok"
    return "avrundning" if abs(diff) < bound - 1e-9 else "avvikelse"


def _code(code: str, lang: str, what: str) -> str:
    """A measure (``what="matt"``) or category code as words: its label where the workbench has one
    (``reported.kod.*``, then the flows labels), else the code with spaces."""
    from .labels import labels_table

    keys = labels_table().index
    if f"reported.kod.{code}" in keys:
        return t(f"reported.kod.{code}", lang)
    key = f"flows.{what}.{code}"
    if key in keys:
        label = t(key, lang)
        return label[:1].lower() + label[1:] if label[1:2].islower() else label
    return code.replace("_", " ")


def _name(r, lang: str) -> str:
    what = " ".join(_code(str(r.get(c, "") or ""), lang, "matt" if c == "matt" else "kategori")
                    for c in ("matt", "kategori") if str(r.get(c, "") or "")).strip()
    per = str(r.get("period", "") or "")
    return f"{r['kalla']} {r['tabell']}".strip() + f": {what}" + (f" ({per})" if per else "")


def check_reported(reported: pd.DataFrame, tolerance: float | None = None, lang: str = "sv") -> pd.DataFrame:
    """Check every declared relation of a reported table (module docstring: the declarations).

    Parameters
    ----------
    reported : DataFrame
        Long reported table with ``kalla, tabell, kategori, varde`` (``matt``, ``period``, ``enhet``,
        ``kommentar``, ``id``, ``relation`` optional). Rows without a relation are stated figures
        that nothing is checked against (they may still be referred to).
    tolerance : float, optional
        Absolute allowed difference for every check instead of the rounding rule.
    lang : {"sv", "en"}
        Language of ``meddelande`` and ``varning``.

    Returns
    -------
    DataFrame
        One row per check (:data:`COLUMNS`): the checked row's ``kalla … id``, ``kontroll`` (``summa``,
        ``forandring_summa`` when the parts are changes, ``rest``, ``delmangd``, ``andel``,
        ``forandring``, ``produkt``, ``lika``), ``uttryck`` (the arithmetic, formatted), ``angivet``,
        ``beraknat``, ``differens`` (computed − stated), ``status`` (``ok`` / ``avrundning`` /
        ``avvikelse``), ``ok`` (status is not ``avvikelse``), ``meddelande`` and ``varning``.

    Raises
    ------
    ReportedTableError
        Unknown relation, unknown id or an id used twice within one ``kalla``.

    Examples
    --------
    10 + 20 + 30 = 60 is consistent; a change that does not match its levels is caught:

    >>> rep = pd.DataFrame({"kalla": ["x"] * 6, "tabell": ["T"] * 6,
    ...     "kategori": ["a", "b", "c", "summa", "fore", "efter"], "period": [""] * 4 + ["2020-10", "2021-10"],
    ...     "varde": [10, 20, 30, 60, 44, 44], "enhet": ["antal"] * 6,
    ...     "id": ["", "", "", "S", "F", "E"], "relation": ["del av S"] * 3 + ["", "", ""]})
    >>> check_reported(rep)[["kontroll", "uttryck", "status"]].values.tolist()
    [['summa', '10 + 20 + 30', 'ok']]
    >>> ch = pd.DataFrame({"kalla": ["x"], "tabell": ["T"], "kategori": ["d"], "period": ["2020-10/2021-10"],
    ...     "varde": [-8], "enhet": ["poang"], "id": [""], "relation": ["förändring F -> E"]})
    >>> out = check_reported(pd.concat([rep, ch], ignore_index=True))
    >>> out.iloc[-1]["meddelande"]
    'x T: d (2020-10/2021-10): förändringen stämmer inte: 44 → 44 ger 0, angivet −8.'
    """
    df = reported.copy().reset_index(drop=True)
    for col in ("matt", "period", "enhet", "kommentar", "id", "relation"):
        if col not in df.columns:
            df[col] = ""
    for col in ("kalla", "tabell", "matt", "kategori", "period", "enhet", "kommentar", "id", "relation"):
        df[col] = df[col].fillna("").astype(str).str.strip()
    df["varde"] = pd.to_numeric(df["varde"], errors="coerce")
    line = df.index + 2  # CSV line (header is line 1)

    index: dict[tuple[str, str], int] = {}
    for i, r in df.iterrows():
        if r["id"]:
            key = (r["kalla"], r["id"])
            if key in index:
                raise ReportedTableError(f"rapporterad tabell, källa {r['kalla']!r}, rad {line[i]}, kolumn id: "
                                         f"id {r['id']!r} används redan på rad {line[index[key]]}")
            index[key] = i
    decl: list[tuple[int, str, tuple[str, ...]]] = []
    for i, r in df.iterrows():
        try:
            for kind, ops in parse_relation(r["relation"]):
                decl.append((i, kind, ops))
        except ValueError as e:
            raise ReportedTableError(f"rapporterad tabell, källa {r['kalla']!r}, rad {line[i]}, kolumn relation: "
                                     f"{e}") from None

    def ref(i: int, name: str) -> int:
        key = (df.at[i, "kalla"], name)
        if key not in index:
            raise ReportedTableError(f"rapporterad tabell, källa {df.at[i, 'kalla']!r}, rad {line[i]}, kolumn "
                                     f"relation: okänt id {name!r}")
        return index[key]

    def operand(i: int, name: str) -> tuple[float, float]:
        """(value, rounding unit) of an operand: a row id or a number (exact)."""
        try:
            return float(name.replace(",", ".")), 0.0
        except ValueError:
            j = ref(i, name)
            return float(df.at[j, "varde"]), _unit(df.at[j, "varde"], df.at[j, "enhet"])

    rows: list[dict] = []

    def add(i, kontroll, uttryck, stated, computed, bound, key, varning="", **fmt):
        r = df.loc[i]
        u = _unit(stated, r["enhet"])
        diff = computed - stated
        status = _status(diff, u, bound, tolerance)
        shown = _decimals(stated) + (0 if status == "ok" or abs(diff) >= 10 ** -_decimals(stated) else 1)
        msg = t(f"reported.{key}.{status}", lang, namn=_name(r, lang), uttryck=uttryck,
                angivet=_fmt(stated, lang, enhet=r["enhet"]),
                beraknat=_fmt(computed, lang, shown + (1 if key == "andel" else 0), r["enhet"]), **fmt)
        if r["kommentar"] and key == "rest" and status != "avvikelse":
            msg = f"{msg} {t('reported.not', lang, not_=r['kommentar'])}"
        rows.append({"_i": i, **{c: r[c] for c in ("kalla", "tabell", "matt", "kategori", "period", "enhet", "id")},
                     "kontroll": kontroll, "uttryck": uttryck, "angivet": stated, "beraknat": computed,
                     "differens": diff, "status": status, "ok": status != "avvikelse", "meddelande": msg,
                     "varning": varning})

    # parts and residuals per parent, in file order
    parts: dict[int, list[int]] = {}
    rests: dict[int, list[int]] = {}
    for i, kind, ops in decl:
        if kind == "del":
            parts.setdefault(ref(i, ops[0]), []).append(i)
        elif kind == "rest":
            rests.setdefault(ref(i, ops[0]), []).append(i)
    changes = {i for i, kind, _ in decl if kind == "forandring"}

    for i, kind, ops in decl:
        v = float(df.at[i, "varde"])
        if math.isnan(v):
            continue
        u = _unit(v, df.at[i, "enhet"])
        if kind == "summa":
            vals = [operand(i, o) for o in ops]
            add(i, "summa", " + ".join(_fmt(x, lang) for x, _ in vals), v, sum(x for x, _ in vals),
                0.5 * (u + sum(w for _, w in vals)), "summa")
        elif kind == "delmangd":
            j = ref(i, ops[0])
            whole = float(df.at[j, "varde"])
            add(i, "delmangd", f"{_fmt(v, lang)} ≤ {_fmt(whole, lang)}", v, min(v, whole), 0.0, "delmangd",
                helhet=_fmt(whole, lang))
            rows[-1]["beraknat"] = whole
            rows[-1]["differens"] = whole - v
        elif kind == "andel":
            (n, un), (b, ub) = operand(i, ops[0]), operand(i, ops[1])
            scale = 100.0 if df.at[i, "enhet"].lower() in ("procent", "%") else 1.0
            computed = scale * n / b if b else float("nan")
            bound = 0.5 * u + (scale * (0.5 * un / abs(b) + abs(n) * 0.5 * ub / b ** 2) if b else 0.0)
            add(i, "andel", f"{_fmt(n, lang)} / {_fmt(b, lang)}", v, computed, bound, "andel",
                taljare=_fmt(n, lang), bas=_fmt(b, lang))
        elif kind == "forandring":
            (a, ua), (b, ub) = operand(i, ops[0]), operand(i, ops[1])
            ja, jb = ref(i, ops[0]), ref(i, ops[1])
            relative = (df.at[i, "enhet"].lower() in ("procent", "%")
                        and df.at[ja, "enhet"].lower() not in ("procent", "%"))
            if relative:
                computed = 100.0 * (b - a) / a if a else float("nan")
                bound = 0.5 * u + (100.0 * (0.5 * ub / abs(a) + abs(b) * 0.5 * ua / a ** 2) if a else 0.0)
            else:
                computed, bound = b - a, 0.5 * (u + ua + ub)
            warn = month_warning(df.at[ja, "period"], df.at[jb, "period"], lang)
            add(i, "forandring", f"{_fmt(a, lang)} → {_fmt(b, lang)}", v, computed, bound, "forandring", warn,
                fore=_fmt(a, lang), efter=_fmt(b, lang))
        elif kind == "produkt":
            vals = [operand(i, o) for o in ops]
            prod = float(np.prod([x for x, _ in vals]))
            bound = 0.5 * u + sum(abs(prod / x) * 0.5 * w for x, w in vals if x)
            saving = re.search(r"besparing|minsk|sparad", f"{df.at[i, 'tabell']} {df.at[i, 'matt']}", re.I)
            rows_f = [index[(df.at[i, "kalla"], o)] for o in ops if (df.at[i, "kalla"], o) in index]
            stock = any(df.at[j, "enhet"].lower() in _EXACT_UNITS for j in rows_f)
            mean_time = any("medel" in df.at[j, "matt"].lower() and df.at[j, "enhet"].lower() in ("manader", "dagar", "ar")
                            for j in rows_f)
            warn = [t("reported.varning.stock_medeltid", lang)] if stock and mean_time else []
            if saving:
                warn.append(t("reported.varning.proxy", lang))
            add(i, "produkt", " × ".join(_fmt(x, lang) for x, _ in vals), v, prod, bound, "produkt", " ".join(warn))
        elif kind == "lika":
            j = ref(i, ops[0])
            f_to, f_from = _MONEY.get(df.at[i, "enhet"].lower()), _MONEY.get(df.at[j, "enhet"].lower())
            factor = f_from / f_to if f_to and f_from else 1.0
            other = float(df.at[j, "varde"]) * factor
            add(i, "lika", f"{_fmt(df.at[j, 'varde'], lang)} {df.at[j, 'enhet']}", v, other,
                0.5 * (u + _unit(df.at[j, "varde"], df.at[j, "enhet"]) * factor), "lika",
                annan=_name(df.loc[j], lang))
    # sums of declared parts (and declared residuals), one per parent
    for p in sorted(set(parts) | set(rests)):
        total = float(df.at[p, "varde"])
        ps = [j for j in parts.get(p, []) if not math.isnan(df.at[j, "varde"])]
        s = float(sum(df.at[j, "varde"] for j in ps))
        up = _unit(total, df.at[p, "enhet"]) + sum(_unit(df.at[j, "varde"], df.at[j, "enhet"]) for j in ps)
        delar = " + ".join(_fmt(df.at[j, "varde"], lang) for j in ps) or "0"
        if rests.get(p):
            for j in rests[p]:
                rv = float(df.at[j, "varde"])
                add(j, "rest", f"{_fmt(total, lang)} − ({delar})", rv, total - s,
                    0.5 * (up + _unit(rv, df.at[j, "enhet"])), "rest", total=_fmt(total, lang))
            continue
        kontroll = "forandring_summa" if p in changes else "summa"
        add(p, kontroll, delar, total, s, 0.5 * up, kontroll)
    rows.sort(key=lambda x: x["_i"])  # file order of the checked row
    return pd.DataFrame(rows, columns=COLUMNS)


def deviations(checks: pd.DataFrame) -> list[str]:
    """Messages of the checks that fail, each with its warning; then warnings of passing checks.

    Examples
    --------
    >>> chk = pd.DataFrame({"status": ["ok", "avvikelse"], "meddelande": ["A", "B"], "varning": ["W", ""]})
    >>> deviations(chk)
    ['B', 'A W']
    """
    bad = checks[checks["status"] == "avvikelse"]
    warned = checks[(checks["status"] != "avvikelse") & (checks["varning"].fillna("") != "")]
    out = [" ".join(x for x in (m, w) if x) for m, w in zip(bad["meddelande"], bad["varning"].fillna(""))]
    out += [f"{m} {w}" for m, w in zip(warned["meddelande"], warned["varning"])]
    return out


def board_table(checks: pd.DataFrame, lang: str = "sv") -> pd.DataFrame:
    """Board view of :func:`check_reported`: source, table, Ja/Nej, the message and the warning.

    The message already says what was computed and what was stated, so the numeric columns are
    not repeated.

    Examples
    --------
    >>> chk = pd.DataFrame({"kalla": ["002"], "tabell": ["T5"], "ok": [True], "meddelande": ["M"], "varning": [""]})
    >>> board_table(chk).columns.tolist()
    ['Källa', 'Tabell', 'Stämmer', 'Meddelande', 'Varning']
    """
    cols = ["kalla", "tabell", "ok", "meddelande", "varning"]
    df = checks.reindex(columns=cols).copy()
    df["ok"] = [t("reported.ja" if ok else "reported.nej", lang) for ok in df["ok"].astype(bool)]
    df = df.fillna("").astype(str)
    df.columns = [t(f"reported.kol.{c}", lang) for c in cols]
    return df
