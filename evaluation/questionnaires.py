"""NNS item bank and the questionnaires generated from it (15 kärnindikatorer, 001).

The bank is package data, not code: ``evaluation/data/nns/indikatorer.csv`` (the 15 indicators:
``nummer, rubrik, typ, niva, metod, matningstillfallen``) and ``evaluation/data/nns/pastaenden.csv``
(the 28 statement items: ``id, indikator, text, stam, stamgrupp, respondentgrupper, tidpunkter,
version``; multi-valued cells are ``|``-separated vocabulary codes). Texts are verbatim from
*Hur vet vi att det blir bättre?* (NNS 2014/15; DOMAIN.md §4.2). NNS owns the instrument: never reword.
Indicator 11 is a register measure (``metod = register``) with no statement item; it is computed by
:func:`evaluation.indicators.indicator11`.

The scale is 1..``scale_max`` ("Instämmer inte alls" … "Instämmer helt"); the document lost the
digit (5 or 6), so ``scale_max`` is a parameter everywhere (default
:data:`evaluation.instruments.NNS_DEFAULT_MAX` = 6).

Questionnaires are the items whose respondent group and timepoint match
(:func:`questionnaire`); the nine questionnaires of Tabell 2 are :data:`QUESTIONNAIRES`.
Survey columns are ``nns_<id>`` with ``.`` written as ``_`` (:func:`column`).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from importlib import resources

import pandas as pd

from . import instruments
from .labels import t
from .vocabulary import label

__all__ = [
    "INSTRUMENT",
    "VERSION",
    "QUESTIONNAIRES",
    "indicators",
    "items",
    "column",
    "item_id",
    "questionnaire",
    "questionnaire_counts",
    "count_points",
    "tabell2",
    "scale_anchors",
    "template_csv",
    "form_html",
]

#: Instrument name (item column prefix) and version recorded with every response.
INSTRUMENT = "nns"
VERSION = "nns-2014"

#: The questionnaires of Tabell 2: (respondentgrupp, tidpunkt).
QUESTIONNAIRES: tuple[tuple[str, str], ...] = (
    ("deltagare", "under"),
    ("deltagare", "avslut"),
    ("deltagare", "manadsvis"),
    ("personal", "under"),
    ("personal", "avslut"),
    ("personal", "manadsvis"),
    ("insatspersonal", "halvar"),
    ("forbundschef", "halvar"),
    ("styrelse", "halvar"),
    ("parternas_chefsgrupp", "halvar"),
)

_TIDPUNKT_ORDER = ["under", "avslut", "manadsvis", "halvar"]


def _read(name: str) -> pd.DataFrame:
    path = resources.files("evaluation").joinpath(f"data/nns/{name}")
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@lru_cache(maxsize=None)
def _indicators() -> pd.DataFrame:
    df = _read("indikatorer.csv")
    df["nummer"] = df["nummer"].astype(int)
    return df


@lru_cache(maxsize=None)
def _items() -> pd.DataFrame:
    df = _read("pastaenden.csv")
    df["indikator"] = df["indikator"].astype(int)
    df["kolumn"] = df["id"].map(column)
    return df


def indicators() -> pd.DataFrame:
    """Return the 15 NNS core indicators.

    Returns
    -------
    DataFrame
        ``nummer`` (1–15), ``rubrik`` (verbatim Swedish heading), ``typ`` (``process`` 1–10 /
        ``effekt`` 11–15), ``niva`` (vocabulary ``niva``: deltagare, personal, organisation,
        samhalle), ``metod`` (``enkat`` or ``register``), ``matningstillfallen`` (verbatim timing).

    Examples
    --------
    >>> ind = indicators()
    >>> len(ind), ind.loc[ind.nummer == 11, "metod"].item()
    (15, 'register')
    """
    return _indicators().copy()


def items(version: str = VERSION) -> pd.DataFrame:
    """Return the statement items of the bank (28 in ``nns-2014``).

    Parameters
    ----------
    version : str
        Instrument version; only ``"nns-2014"`` is shipped.

    Returns
    -------
    DataFrame
        ``id``, ``indikator``, ``text`` (verbatim; for stem items the sub-item), ``stam`` (stem
        text or ``""``), ``stamgrupp`` (items sharing a stem share it: ``8``, ``9abc``),
        ``respondentgrupper`` and ``tidpunkter`` (``|``-separated codes), ``version`` and
        ``kolumn`` (survey column, ``nns_8_1``).

    Examples
    --------
    >>> b = items()
    >>> len(b), b.set_index("id").loc["8.1", "kolumn"]
    (28, 'nns_8_1')
    """
    df = _items()
    df = df[df["version"] == version]
    if df.empty:
        raise ValueError(f"no NNS items of version {version!r}; shipped: {sorted(set(_items()['version']))}")
    return df.reset_index(drop=True).copy()


def column(item: str) -> str:
    """Survey column of an item id: ``nns_`` + id with ``.`` written as ``_``.

    Examples
    --------
    >>> column("8.1"), column("1U")
    ('nns_8_1', 'nns_1U')
    """
    return f"{INSTRUMENT}_{str(item).replace('.', '_')}"


def item_id(col: str) -> str:
    """Item id of a survey column (inverse of :func:`column` for bank items).

    Columns not in the bank (local supplementary items) return the part after ``nns_``.

    Examples
    --------
    >>> item_id("nns_8_2"), item_id("nns_9a"), item_id("nns_lokal_1")
    ('8.2', '9a', 'lokal_1')
    """
    rest = str(col)[len(INSTRUMENT) + 1:]
    m = re.fullmatch(r"(\d+)_(\d+)", rest)
    cand = f"{m.group(1)}.{m.group(2)}" if m else rest
    return cand if cand in set(_items()["id"]) else rest


def _split(cell: str) -> list[str]:
    return [p for p in str(cell).split("|") if p]


def questionnaire(respondentgrupp: str, tidpunkt: str, version: str = VERSION) -> pd.DataFrame:
    """Items of the questionnaire of one respondent group at one timepoint, in bank order.

    An item belongs to the questionnaire when both its respondent groups and its timepoints
    contain the requested codes (Tabell 2, DOMAIN.md §4.2).

    Parameters
    ----------
    respondentgrupp : str
        Code of vocabulary ``respondentgrupp`` (``deltagare``, ``personal``, ``insatspersonal``,
        ``forbundschef``, ``styrelse``, ``parternas_chefsgrupp``).
    tidpunkt : str
        ``under``, ``avslut``, ``manadsvis`` or ``halvar``.
    version : str
        Instrument version.

    Returns
    -------
    DataFrame
        Rows of :func:`items`.

    Examples
    --------
    >>> list(questionnaire("styrelse", "halvar")["id"])
    ['12', '14a', '14b']
    """
    b = items(version)
    mask = b["respondentgrupper"].map(lambda c: respondentgrupp in _split(c)) & b["tidpunkter"].map(
        lambda c: tidpunkt in _split(c))
    return b[mask].reset_index(drop=True)


def questionnaire_counts(version: str = VERSION) -> pd.DataFrame:
    """Number of items per questionnaire of :data:`QUESTIONNAIRES`.

    Returns
    -------
    DataFrame
        ``respondentgrupp``, ``tidpunkt``, ``antal`` (item count), ``pastaenden`` (ids joined by ", ").

    Examples
    --------
    >>> c = questionnaire_counts().set_index(["respondentgrupp", "tidpunkt"])["antal"]
    >>> int(c["deltagare", "under"]), int(c["insatspersonal", "halvar"])
    (7, 8)
    """
    rows = []
    for grp, tp in QUESTIONNAIRES:
        q = questionnaire(grp, tp, version)
        rows.append({"respondentgrupp": grp, "tidpunkt": tp, "antal": len(q), "pastaenden": ", ".join(q["id"])})
    return pd.DataFrame(rows)


def count_points(stem_groups: tuple[str, ...] | list[str] = (), include_register: bool = True,
                 version: str = VERSION) -> int:
    """Count measurement points (mätpunkter) under a counting convention.

    Every item counts once, except that the items of each stem group listed in ``stem_groups``
    count as one point together; the register measure (indicator 11) adds one when
    ``include_register``. Source: DOMAIN.md §4.2 "Counting" and seed 001 §2.3: all sub-items
    28 + 1 = 29; stem 8 as one 27 + 1 = 28 (the internat); stems 8 and 9a–c as one 25 + 1 = 26.

    Parameters
    ----------
    stem_groups : sequence of str
        Stem groups counted as one item (``"8"``, ``"9abc"``).
    include_register : bool
        Add the register measure of indicator 11.

    Examples
    --------
    >>> count_points(), count_points(("8",)), count_points(("8", "9abc"), include_register=False)
    (29, 28, 25)
    """
    b = items(version)
    unknown = set(stem_groups) - set(b["stamgrupp"])
    if unknown:
        raise ValueError(f"unknown stem groups {sorted(unknown)}; stem groups with several items: "
                         f"{sorted(b['stamgrupp'][b['stamgrupp'].duplicated()].unique())}")
    grouped = b["stamgrupp"].isin(list(stem_groups))
    n = int((~grouped).sum()) + int(b.loc[grouped, "stamgrupp"].nunique())
    n_register = int((indicators()["metod"] == "register").sum())
    return n + (n_register if include_register else 0)


def tabell2(version: str = VERSION, empty: str = "–") -> pd.DataFrame:
    """Rebuild Tabell 2 (indicators by source and time) from the item bank.

    As in the source, the row "Personal" merges ``personal`` (about a participant) and
    ``insatspersonal``; the register row "SCB" lists the register indicators.

    Returns
    -------
    DataFrame
        Index: källa (``Deltagare``, ``Personal``, ``Förbundschef``, ``SCB``, ``Styrelse``,
        ``Parternas chefsgrupp``); columns ``under``, ``avslut``, ``manadsvis``, ``halvar``,
        ``register``; cells are indicator numbers joined by ", " or ``empty`` (the source's "–").
        A board table passes ``empty=""``: there "–" means only a suppressed cell.

    Examples
    --------
    >>> tabell2().loc["Deltagare", "avslut"], tabell2(empty="").loc["SCB", "under"]
    ('1, 2, 3, 4, 5, 6, 7, 9', '')
    """
    sources = {
        "Deltagare": ["deltagare"],
        "Personal": ["personal", "insatspersonal"],
        "Förbundschef": ["forbundschef"],
        "SCB": [],
        "Styrelse": ["styrelse"],
        "Parternas chefsgrupp": ["parternas_chefsgrupp"],
    }
    b = items(version)
    register = sorted(indicators().loc[lambda d: d["metod"] == "register", "nummer"])
    out = {}
    for src, groups in sources.items():
        row = {}
        for tp in _TIDPUNKT_ORDER:
            mask = b["respondentgrupper"].map(lambda c: bool(set(_split(c)) & set(groups))) & b["tidpunkter"].map(
                lambda c, tp=tp: tp in _split(c))
            nums = sorted(set(b.loc[mask, "indikator"]))
            row[tp] = ", ".join(map(str, nums)) or empty
        row["register"] = ", ".join(map(str, register)) if src == "SCB" else empty
        out[src] = row
    return pd.DataFrame.from_dict(out, orient="index")[_TIDPUNKT_ORDER + ["register"]]


def scale_anchors(scale_max: int | None = None, lang: str = "sv") -> dict[int, str]:
    """Response options 1..``scale_max`` with the two anchors the source gives.

    Only the end points are labelled ("Instämmer inte alls" … "Instämmer helt"); the source has
    no middle labels and no "vet ej" (DOMAIN.md §4.2).

    Examples
    --------
    >>> scale_anchors(5)
    {1: '1 Instämmer inte alls', 2: '2', 3: '3', 4: '4', 5: '5 Instämmer helt'}
    """
    low, high = instruments.response_range(INSTRUMENT, scale_max)
    out = {v: str(v) for v in range(low, high + 1)}
    out[low] = f"{low} {t('indicators.ankare_lag', lang)}"
    out[high] = f"{high} {t('indicators.ankare_hog', lang)}"
    return out


def template_csv(respondentgrupp: str, tidpunkt: str, path=None, n_rows: int = 0,
                 version: str = VERSION, local_items: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """Data-entry template (SURVEY schema, wide) for one questionnaire.

    Columns: ``respondent_id, respondentgrupp, forbund, insats, episod_id, vag, tidpunkt, datum,
    instrument, formversion`` then the item columns ``nns_<id>`` in questionnaire order, then
    local supplementary item columns (``nns_lokal_<name>``, reported apart from the core items).

    Parameters
    ----------
    respondentgrupp, tidpunkt : str
        The questionnaire (see :func:`questionnaire`).
    path : str or path, optional
        Write the template as UTF-8 CSV (comma) there.
    n_rows : int
        Empty rows pre-filled with group, timepoint, instrument and version.
    local_items : sequence of str
        Names of local supplementary items.

    Examples
    --------
    >>> list(template_csv("parternas_chefsgrupp", "halvar").columns[-2:])
    ['nns_12', 'nns_15']
    """
    q = questionnaire(respondentgrupp, tidpunkt, version)
    meta = ["respondent_id", "respondentgrupp", "forbund", "insats", "episod_id", "vag", "tidpunkt", "datum",
            "instrument", "formversion"]
    cols = meta + list(q["kolumn"]) + [f"{INSTRUMENT}_lokal_{x}" for x in local_items]
    df = pd.DataFrame({c: pd.Series([""] * n_rows, dtype=str) for c in cols})
    if n_rows:
        df["respondentgrupp"] = respondentgrupp
        df["tidpunkt"] = tidpunkt
        df["instrument"] = INSTRUMENT
        df["formversion"] = version
    if path is not None:
        df.to_csv(path, index=False, encoding="utf-8")
    return df


def form_html(respondentgrupp: str, tidpunkt: str, scale_max: int | None = None, path=None,
              version: str = VERSION, lang: str = "sv", local_items: dict[str, str] | None = None) -> str:
    """Printable HTML form of one questionnaire (Swedish, tick boxes 1..``scale_max``).

    Items that share a stem are printed under their stem. Local supplementary items, if any,
    follow under their own heading. The footer records instrument version and scale.

    Parameters
    ----------
    respondentgrupp, tidpunkt : str
        The questionnaire.
    scale_max : int, optional
        Top of the scale (5 or 6; default 6).
    path : str or path, optional
        Also write the HTML (UTF-8) there.
    local_items : dict, optional
        ``{name: text}`` of local supplementary items.

    Returns
    -------
    str
        A complete HTML document.

    Examples
    --------
    >>> "Instämmer helt" in form_html("styrelse", "halvar")
    True
    """
    q = questionnaire(respondentgrupp, tidpunkt, version)
    anchors = scale_anchors(scale_max, lang)
    values = list(anchors)
    esc = html.escape
    title = f"{t('indicators.enkat', lang)}: {label('respondentgrupp', respondentgrupp, lang)} – " \
            f"{label('tidpunkt', tidpunkt, lang)}"
    head = "".join(f"<th>{esc(anchors[v])}</th>" for v in values)

    def row(num: str, text: str) -> str:
        boxes = "".join("<td class='box'>&#9744;</td>" for _ in values)
        return f"<tr><td class='nr'>{esc(num)}</td><td class='txt'>{esc(text)}</td>{boxes}</tr>"

    body, last_stem = [], None
    for _, it in q.iterrows():
        if it["stam"] and it["stam"] != last_stem:
            body.append(f"<tr class='stam'><td></td><td colspan='{len(values) + 1}'><em>{esc(it['stam'])}</em>"
                        f"</td></tr>")
        last_stem = it["stam"] or None
        body.append(row(it["id"], it["text"]))
    if local_items:
        body.append(f"<tr class='stam'><td></td><td colspan='{len(values) + 1}'><strong>"
                    f"{esc(t('indicators.lokala', lang))}</strong></td></tr>")
        body.extend(row(k, v) for k, v in local_items.items())
    doc = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>body{{font-family:Arial,sans-serif;margin:2em}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #999;padding:6px;font-size:11pt}}th{{background:#eee;font-weight:normal}}
td.box{{text-align:center;font-size:16pt}}td.nr{{width:3em}}tr.stam td{{border:none;padding-top:12px}}
@media print{{body{{margin:0}}}}</style></head><body>
<h1>{esc(title)}</h1>
<p>{esc(t('indicators.instruktion', lang))}</p>
<table><thead><tr><th></th><th></th>{head}</tr></thead><tbody>
{chr(10).join(body)}
</tbody></table>
<p class="fot"><small>{esc(t('indicators.fot', lang, version=version, low=values[0], high=values[-1]))}</small></p>
</body></html>
"""
    if path is not None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(doc)
    return doc


def export_all(out_dir, scale_max: int | None = None, version: str = VERSION, lang: str = "sv") -> pd.DataFrame:
    """Write every questionnaire of Tabell 2 as a CSV data-entry template and a printable HTML form.

    Files are named ``nns_<respondentgrupp>_<tidpunkt>.csv`` / ``.html`` in ``out_dir`` (created
    if needed). This is what ``evaluation enkater --out DIR`` runs.

    Parameters
    ----------
    out_dir : str or path
        Target folder.
    scale_max : int, optional
        Top of the scale printed on the forms (5 or 6; default 6).

    Returns
    -------
    DataFrame
        One row per questionnaire: ``respondentgrupp``, ``tidpunkt``, ``antal_pastaenden``,
        ``csv``, ``html`` (file names).

    Examples
    --------
    >>> import tempfile
    >>> df = export_all(tempfile.mkdtemp())
    >>> int(df.set_index(["respondentgrupp", "tidpunkt"]).loc[("deltagare", "avslut"), "antal_pastaenden"])
    9
    """
    from pathlib import Path

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for grupp, tid in QUESTIONNAIRES:
        stem = f"nns_{grupp}_{tid}"
        template_csv(grupp, tid, path=out / f"{stem}.csv", version=version)
        form_html(grupp, tid, scale_max=scale_max, path=out / f"{stem}.html", version=version, lang=lang)
        rows.append({"respondentgrupp": grupp, "tidpunkt": tid,
                     "antal_pastaenden": len(questionnaire(grupp, tid, version=version)),
                     "csv": f"{stem}.csv", "html": f"{stem}.html"})
    return pd.DataFrame(rows)
