"""One formatter for everything a board reads: numbers, percent, kronor, Ja/Nej, labels, tables.

Every HTML report, dashboard, Word and PDF file of the workbench formats its values here, so that a
board member sees one convention everywhere (pingouin's ``_postprocess_dataframe`` is the model:
one funnel for what a reader sees). Locale data come from `babel <https://babel.pocoo.org>`_
(CLDR), not from hand-written string code:

* **Numbers**: decimal comma, a narrow non-breaking space (U+202F) between thousands, a true minus
  sign (U+2212): ``1 234,5``, ``−0,4`` (Språkrådet, *Svenska skrivregler* §§ 12.5, 12.9).
* **Percent**: ``30 %`` with a non-breaking space before the sign (Svenska skrivregler § 12.11).
* **Kronor**: in whole ``kr`` or in ``Mkr`` with the unit in the column header (``Nettonuvärde
  (Mkr)``), never ``15M`` or ``2392248.0``.
* **Ja/Nej** for booleans; **labels, never codes**: a code such as ``andel_topp2`` is looked up in
  the labels table (:mod:`evaluation.labels`) and the controlled vocabularies
  (:mod:`evaluation.vocabulary`).
* **"–" only for suppressed cells** (fewer than ``min_n`` people, see :mod:`evaluation.disclosure`)
  and **"uppgift saknas"** (or an empty cell) for missing values; :func:`footnotes` explains both under
  a table.
* **No row index**: :func:`frame_html` shows meaningful row labels as a first column with
  ``<th scope="row">`` and drops a plain 0, 1, 2… index.

:func:`install` registers :func:`frame_html` as IPython's HTML formatter of DataFrames, so every
table a notebook or a dashboard displays passes this funnel.
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Iterable

import numpy as np
import pandas as pd

__all__ = [
    "MINUS", "THIN_SPACE", "SUPPRESSED", "MISSING",
    "locale_of", "number", "integer", "percent", "kronor", "mkr", "yes_no", "p_value", "date", "month",
    "period", "label", "is_missing", "cell", "board_frame", "frame_html", "footnotes", "install",
    "find_raw_values",
]

#: True minus sign (U+2212), used for every negative number a board reads.
MINUS = "\u2212"
#: Narrow non-breaking space (U+202F) between groups of thousands.
THIN_SPACE = "\u202f"
#: The one symbol for a suppressed cell.
SUPPRESSED = "–"
#: What a missing (not suppressed) value says, per language.
MISSING = {"sv": "uppgift saknas", "en": "not available"}

_LOCALES = {"sv": "sv_SE", "en": "en_GB"}


def locale_of(lang: str) -> str:
    """The babel locale of a workbench language.

    Examples
    --------
    >>> locale_of("sv"), locale_of("en")
    ('sv_SE', 'en_GB')
    """
    return _LOCALES.get(lang, "sv_SE")


def is_missing(x: Any) -> bool:
    """True for None, NaN, ``pd.NA`` and ``NaT`` (not for strings).

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(pd.NA), is_missing(0), is_missing("")
    (True, True, True, False, False)
    """
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    if isinstance(x, (float, np.floating)):
        return math.isnan(float(x))
    return False


def _fix(s: str, lang: str) -> str:
    """babel output → board text: true minus and (Swedish) narrow no-break thousands separator."""
    if s.startswith("-"):
        s = MINUS + s[1:]
    if lang == "sv":
        s = s.replace("\u00a0", THIN_SPACE)
    return s


def number(x: Any, decimals: int = 1, lang: str = "sv", missing: str = "") -> str:
    """A number for a board: ``1 234,5`` (Swedish) with a true minus sign.

    Parameters
    ----------
    x : number
    decimals : int, default 1
        Fixed number of decimals (CLDR pattern ``#,##0.0…``), rounded half away from zero on the
        shortest decimal form of the float (0,905 → 0,91; the school rule boards expect, not babel's
        default half-to-even).
    lang : {"sv", "en"}
    missing : str, default ""
        Text for a missing value.

    Examples
    --------
    >>> number(1234.56) == "1\\u202f234,6", number(-0.45, 2) == "\\u22120,45", number(12, 0)
    (True, True, '12')
    >>> number(1234.56, lang="en"), number(float("nan"), missing="uppgift saknas"), number(0.905, 2), number(-0.04)
    ('1,234.6', 'uppgift saknas', '0,91', '0,0')
    """
    from babel.numbers import format_decimal

    if is_missing(x):
        return missing
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    v = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if v == 0:
        v = abs(v)  # no "−0,0"
    return _fix(format_decimal(v, format=pattern, locale=locale_of(lang)), lang)


def integer(x: Any, lang: str = "sv", missing: str = "") -> str:
    """A count: no decimals, thousands separated.

    Examples
    --------
    >>> integer(2392248) == "2\\u202f392\\u202f248", integer(7.0)
    (True, '7')
    """
    return number(x, 0, lang, missing)


def percent(share: Any, decimals: int = 0, lang: str = "sv", missing: str = "") -> str:
    """A share (0–1) in percent: ``30 %`` (non-breaking space before the sign).

    Examples
    --------
    >>> percent(0.3) == "30\\u00a0%", percent(0.1234, 1) == "12,3\\u00a0%", percent(-0.05) == "\\u22125\\u00a0%"
    (True, True, True)
    """
    if is_missing(share):
        return missing
    return number(100 * float(share), decimals, lang) + "\u00a0%"


def kronor(x: Any, lang: str = "sv", unit: bool = False, missing: str = "") -> str:
    """Whole kronor; ``unit=True`` appends " kr" (for running text; in tables the unit is in the header).

    Examples
    --------
    >>> kronor(2392248.0) == "2\\u202f392\\u202f248", kronor(-1500, unit=True) == "\\u22121\\u202f500\\u00a0kr"
    (True, True)
    """
    if is_missing(x):
        return missing
    s = number(x, 0, lang)
    return s + "\u00a0kr" if unit else s


def mkr(x: Any, decimals: int = 2, lang: str = "sv", unit: bool = False, missing: str = "") -> str:
    """Kronor in millions (Mkr); ``unit=True`` appends " Mkr".

    Examples
    --------
    >>> mkr(5_950_000) , mkr(15_000_000, 1, unit=True) == "15,0\\u00a0Mkr"
    ('5,95', True)
    """
    if is_missing(x):
        return missing
    s = number(float(x) / 1e6, decimals, lang)
    return s + "\u00a0Mkr" if unit else s


def yes_no(x: Any, lang: str = "sv", missing: str = "") -> str:
    """``Ja``/``Nej`` (``Yes``/``No``) for a boolean.

    Examples
    --------
    >>> yes_no(True), yes_no(np.False_), yes_no(None, missing="uppgift saknas"), yes_no(True, "en")
    ('Ja', 'Nej', 'uppgift saknas', 'Yes')
    """
    if is_missing(x):
        return missing
    yes, no = ("Ja", "Nej") if lang == "sv" else ("Yes", "No")
    return yes if bool(x) else no


def p_value(p: Any, lang: str = "sv") -> str:
    """A p-value: three decimals, ``< 0,001`` below 0.001, empty when missing.

    Examples
    --------
    >>> p_value(0.04321), p_value(0.00002), p_value(0.5, "en"), p_value(float("nan"))
    ('0,043', '< 0,001', '0.500', '')
    """
    if is_missing(p):
        return ""
    return f"< {number(0.001, 3, lang)}" if float(p) < 0.001 else number(p, 3, lang)


def _to_date(d: Any) -> _dt.date | None:
    if is_missing(d) or d == "":
        return None
    if isinstance(d, _dt.datetime):
        return d.date()
    if isinstance(d, _dt.date):
        return d
    return pd.Timestamp(str(d)).date()


def date(d: Any, lang: str = "sv", fmt: str = "long") -> str:
    """A date in words (``3 maj 2025``) or ISO (``fmt="iso"``), empty when missing.

    Examples
    --------
    >>> date("2025-05-03"), date("2025-05-03", fmt="iso"), date(None)
    ('3 maj 2025', '2025-05-03', '')
    """
    from babel.dates import format_date

    v = _to_date(d)
    if v is None:
        return ""
    if fmt == "iso":
        return v.isoformat()
    return format_date(v, "d MMMM y", locale=locale_of(lang))


def month(d: Any, lang: str = "sv", abbreviated: bool = False) -> str:
    """A month and year: ``maj 2025`` (``maj``/``okt.`` abbreviated as CLDR does).

    Examples
    --------
    >>> month("2025-05-03"), month("2025-10-01", abbreviated=True)
    ('maj 2025', 'okt. 2025')
    """
    from babel.dates import format_date

    v = _to_date(d)
    if v is None:
        return ""
    return format_date(v, "MMM y" if abbreviated else "MMMM y", locale=locale_of(lang))


def period(start: Any, end: Any, lang: str = "sv") -> str:
    """A report period: ``1 januari–31 december 2025`` style, with an en dash.

    Examples
    --------
    >>> period("2025-01-01", "2025-12-31")
    '1 januari 2025 – 31 december 2025'
    >>> period(None, None)
    'hela dataperioden'
    """
    a, b = date(start, lang), date(end, lang)
    if not a and not b:
        return "hela dataperioden" if lang == "sv" else "the whole data period"
    return f"{a or '…'} – {b or '…'}"


# --------------------------------------------------------------------------------------------
# labels

_CODE = re.compile(r"^[a-zåäö][a-zåäö0-9]*(_[a-zåäö0-9]+)+$")
_WORD = re.compile(r"^[a-zåäö][a-zåäö0-9_]*$")


@lru_cache(maxsize=4096)
def label(code: str, lang: str = "sv", prefixes: tuple[str, ...] = (), vocabulary: str | None = None) -> str:
    """The board label of a code: labels table (``<prefix><code>``, ``<code>``, ``kategori.<code>``),
    then any controlled vocabulary that has the code; otherwise the code itself.

    Parameters
    ----------
    code : str
    lang : {"sv", "en"}
    prefixes : tuple of str
        Label-key prefixes tried first, in order (a module passes its own, e.g. ``("compare.",)``).
    vocabulary : str, optional
        The controlled vocabulary the code belongs to (a column named ``kon``, ``tidpunkt``...):
        its label wins over the labels table, so a code that two vocabularies share
        (``avslut``: händelse "Avslut", tidpunkt "Vid avslut") reads as its column means it.

    Examples
    --------
    >>> label("kvinna"), label("n"), label("inte_en_kod_xyz")
    ('Kvinna', 'Antal (n)', 'inte_en_kod_xyz')
    >>> label("avslut"), label("avslut", vocabulary="tidpunkt"), label("paired", prefixes=("compare.",))
    ('Avslut', 'Vid avslut', 'Parad')
    """
    from .labels import labels_table
    from . import vocabulary as _vocab

    if not isinstance(code, str) or not code:
        return code
    vocabs = _vocab._load()
    if vocabulary is not None and isinstance(vocabs.get(vocabulary), dict):
        entry = vocabs[vocabulary].get(code)
        if isinstance(entry, dict) and (entry.get(lang) or entry.get("sv")):
            return str(entry.get(lang) or entry.get("sv"))
    keys = labels_table()
    for k in [f"{p}{code}" for p in prefixes] + [code, f"kategori.{code}"]:
        if k in keys.index:
            text = keys.at[k, lang] or keys.at[k, "sv"]
            if "{" not in text:
                return text
    for name, vocab in vocabs.items():
        if isinstance(vocab, dict) and code in vocab and isinstance(vocab[code], dict):
            text = vocab[code].get(lang) or vocab[code].get("sv")
            if text:
                return str(text)
    return code


def _looks_like_code(s: str) -> bool:
    return bool(_CODE.match(s))


# --------------------------------------------------------------------------------------------
# cells and tables


def cell(x: Any, lang: str = "sv", decimals: int = 1, missing: str | None = None) -> str:
    """Any single value for a board table: numbers, booleans, dates, codes and missing values.

    Integers (and floats with no fractional part) get no decimals; other floats ``decimals``;
    booleans Ja/Nej; dates in words; a snake_case code its label; a missing value ``missing``
    (default "uppgift saknas").

    Examples
    --------
    >>> cell(2392248.0) == "2\\u202f392\\u202f248", cell(0.135, decimals=2), cell(True), cell(pd.NA), cell("kvinna")
    (True, '0,14', 'Ja', 'uppgift saknas', 'Kvinna')
    """
    if missing is None:
        missing = MISSING.get(lang, MISSING["sv"])
    if isinstance(x, (bool, np.bool_)):
        return yes_no(x, lang)
    if is_missing(x):
        return missing
    if isinstance(x, (int, np.integer)):
        return integer(x, lang)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        if math.isinf(v):
            return "∞" if v > 0 else MINUS + "∞"
        return integer(v, lang) if v.is_integer() else number(v, decimals, lang)
    if isinstance(x, (pd.Timestamp, _dt.date)):
        return date(x, lang)
    if isinstance(x, str):
        s = x.strip()
        if _WORD.match(s):
            return label(s, lang)
        if s in ("True", "False"):
            return yes_no(s == "True", lang)
        if s in ("nan", "NaN", "<NA>", "None", "NaT"):
            return missing
        return x
    return str(x)


def _column_name(c: Any, lang: str) -> str:
    if isinstance(c, tuple):
        parts = [_column_name(p, lang) for p in c if str(p) != ""]
        return " – ".join(dict.fromkeys(parts))
    s = "" if c is None else str(c)
    return label(s, lang) if _WORD.match(s) else s


def board_frame(df: pd.DataFrame, lang: str = "sv", decimals: int = 1, index: bool | None = None,
                missing: str | None = None) -> pd.DataFrame:
    """Every cell and header of ``df`` as board text (see :func:`cell`), without the row index.

    Parameters
    ----------
    df : DataFrame
        Raw or already formatted (strings pass through unless they are codes or raw values).
    index : bool, optional
        Keep the row labels as a first column; by default only when they carry information (not a
        plain 0, 1, 2… ``RangeIndex``).

    Examples
    --------
    >>> d = pd.DataFrame({"kon": ["kvinna"], "n": [12], "andel": [0.5], "ok": [True]}, index=[27])
    >>> board_frame(d).to_dict("records")
    [{'Kön': 'Kvinna', 'Antal (n)': '12', 'Andel': '0,5', 'ok': 'Ja'}]
    """
    d = df.copy()
    d.attrs = {}
    if index is None:
        index = not (isinstance(d.index, pd.RangeIndex) or (d.index.name is None and d.index.nlevels == 1
                                                            and pd.api.types.is_integer_dtype(d.index.dtype)))
    if index:
        names = [n if n is not None else "" for n in d.index.names]
        d = d.reset_index(names=names if d.index.nlevels > 1 else names[0])
    else:
        d = d.reset_index(drop=True)
    out = pd.DataFrame({i: [cell(v, lang, decimals, missing) for v in d.iloc[:, i]] for i in range(d.shape[1])})
    out.columns = [_column_name(c, lang) for c in d.columns]
    return out


def footnotes(texts: Iterable[str], lang: str = "sv", min_n: int = 5) -> list[str]:
    """The footnotes a table needs: "–" (suppressed) and "uppgift saknas" (missing) when they occur.

    Examples
    --------
    >>> footnotes(["12", "–", "uppgift saknas"])
    ['– = undertryckt, färre än 5 personer eller dold för att skydda en sådan uppgift', 'uppgift saknas = värdet finns inte i underlaget']
    >>> footnotes(["12"])
    []
    """
    from .labels import t

    seen = set(texts)
    out = []
    if SUPPRESSED in seen:
        out.append(t("disclosure.footnote_secondary", lang, symbol=SUPPRESSED, min_n=min_n))
    miss = MISSING.get(lang, MISSING["sv"])
    if miss in seen:
        out.append(f"{miss} = " + ("värdet finns inte i underlaget" if lang == "sv" else "the value is not in the data"))
    return out


_NUMERIC = re.compile(r"^[<>≥≤]?\s?[−+]?[\d\u202f\u00a0 ]+([,.]\d+)?(\s?%|\s?kr|\s?Mkr)?$")


def frame_html(df: pd.DataFrame, lang: str = "sv", caption: str = "", decimals: int = 1,
               notes: bool = True, min_n: int = 5) -> str:
    """Accessible HTML of a board table: caption, ``<th scope>`` headers, numbers right-aligned, no index.

    Cells pass :func:`board_frame`; a footnote explains "–" and "uppgift saknas" when they occur.

    Examples
    --------
    >>> h = frame_html(pd.DataFrame({"n": [3.0, None]}), caption="Test")
    >>> "<caption>Test</caption>" in h, '<th scope="col">Antal (n)</th>' in h, 'class="tal">3<' in h
    (True, True, True)
    >>> "uppgift saknas = " in h
    True
    >>> 'class="tal">–<' in frame_html(pd.DataFrame({"Kategori": ["A", "B"], "Antal": ["7", "–"]}), notes=False)
    True
    >>> print(frame_html(pd.DataFrame({"n": [3]}, index=pd.Index(["Norrdal"])), notes=False))
    <div class="tabell-wrap" role="group" tabindex="0" aria-label="Tabell: Antal (n)"><table class="tabell"><thead><tr><td></td><th scope="col">Antal (n)</th></tr></thead><tbody><tr><th scope="row">Norrdal</th><td class="tal">3</td></tr></tbody></table></div>
    """
    has_index = not (isinstance(df.index, pd.RangeIndex) or (df.index.name is None and df.index.nlevels == 1
                                                             and pd.api.types.is_integer_dtype(df.index.dtype)))
    f = board_frame(df, lang, decimals)
    esc = _html.escape
    hidden = SUPPRESSED  # "–" stands for a number: aligned like one
    rows = []
    # a header cell with no text (an unnamed row-label column) is a plain cell: an empty <th> names nothing
    head = "".join(f'<th scope="col">{esc(str(c))}</th>' if str(c).strip() else "<td></td>" for c in f.columns)
    for rec in f.itertuples(index=False):
        tds = []
        for j, v in enumerate(rec):
            cls = ' class="tal"' if _NUMERIC.match(v or "") or (v == hidden and not (j == 0 and has_index)) else ""
            if j == 0 and has_index:
                tds.append(f'<th scope="row"{cls}>{esc(v)}</th>')
            else:
                tds.append(f"<td{cls}>{esc(v).replace(chr(10), '<br>')}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    out = (f'<table class="tabell">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
    if notes:
        fn = footnotes(f.to_numpy().ravel().tolist(), lang, min_n)
        if fn:
            out += '<p class="fotnot">' + "<br>".join(esc(x) for x in fn) + "</p>"
    # the scrollable wrapper is reachable by keyboard (tabindex 0) and named: a captioned table is a
    # region (a landmark named by its caption); an uncaptioned one a group named by its first headers,
    # so that no two landmarks share the name "Tabell" (axe landmark-unique)
    if caption:
        role, name = "region", caption
    else:
        heads = [str(c) for c in f.columns if str(c).strip()][:4]
        role, name = "group", "Tabell" + (": " + ", ".join(heads) if heads else "")
    return f'<div class="tabell-wrap" role="{role}" tabindex="0" aria-label="{esc(name)}">' + out + "</div>"


def install(lang: str = "sv") -> None:
    """Make :func:`frame_html` the HTML formatter of every DataFrame displayed in this IPython kernel.

    Called by :func:`evaluation.figures.setup`, which every notebook and dashboard runs first; outside
    IPython it does nothing.

    Examples
    --------
    >>> install()  # no IPython shell here: nothing to do
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    ip = get_ipython()
    if ip is None:
        return
    fmt = ip.display_formatter.formatters["text/html"]
    fmt.for_type(pd.DataFrame, lambda df: frame_html(df, lang))
    # the plain-text repr (shown when HTML is not rendered) must not leak raw values either
    ip.display_formatter.formatters["text/plain"].for_type(
        pd.DataFrame, lambda df, p, cycle: p.text(board_frame(df, lang).to_string(index=False)))


# --------------------------------------------------------------------------------------------
# checks (used by the tests on every published text)

_RAW = [
    ("raw float", re.compile(r"(?<![\d,.])\d+\.0\b(?!\.)")),
    ("raw float", re.compile(r"(?<![\d,.])0\.\d{3,}")),
    ("boolean", re.compile(r"\b(True|False)\b")),
    ("missing marker", re.compile(r"(?<![\w-])(nan|NaN|<NA>|NaT|None)(?![\w-])")),
    ("code", re.compile(r"(?<![\w./:#-])[a-zåäö][a-zåäö0-9]*(?:_[a-zåäö0-9]+)+(?![\w./(-])")),
]


def find_raw_values(text: str) -> list[tuple[str, str]]:
    """Raw values in text a board reads: ``2.0``, ``0.135``, ``True``, ``nan``/``<NA>``, snake_case codes.

    Returns ``(kind, match)`` pairs; an empty list means the text is clean.

    Examples
    --------
    >>> find_raw_values("Nettonuvärde 2392248.0 kr, andel 0.135, klar True, saknas <NA>, andel_topp2")
    [('raw float', '2392248.0'), ('raw float', '0.135'), ('boolean', 'True'), ('missing marker', '<NA>'), ('code', 'andel_topp2')]
    >>> find_raw_values("30 % av 1 234,5 kr; version 2.0.1; www.example.se")
    []
    """
    out = []
    for kind, rx in _RAW:
        out.extend((kind, m.group(0)) for m in rx.finditer(text))
    return out
