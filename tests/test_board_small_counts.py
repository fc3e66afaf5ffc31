"""No count of 1–4 people in anything a board reads, swept as an attacker would (issue 15).

One pass over every run of the session's sample snapshot (``sample_snapshot``; nothing is executed
here): every ``results.json`` value under a person-count key (``n``, ``antal…``, ``…deltagare``,
``avslutade``, ``talare`` …) that is a whole number 1–4, every ``rapport.html`` table cell (and
every table cell of a Word file) that holds a whole number 1–4 in a person-count column (or in the
value column of a row labelled with a person count), and every sentence of the form "n = 3" or
"3 deltagare"; and, as a subtracting reader would, every hidden part ("–") that a shown total and
the other shown parts give back (a row with a ``Totalt``/``Alla`` column, a ``Totalt`` row, a
``…_per_…`` dict of results.json beside its total). Scale points, years, waves' labels, item and indicator numbers, item counts
("Antal påståenden"), sessions, text segments, months and money are not counts of people and are
not read; nor is "Ej svar" (an item's *bortfall*: a moment of a published NNS cell, like the number
answering step 1 — an answer within a shown group of at least 5, not a group). Each finding names the
file and the place (key path, or table number, row and column).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.notebook]

#: results.json key parts that count people (a value under them, at any depth, is a count)
KEY_COUNTS = re.compile(r"(^n$|^n_(?!segment|sessioner)|_n$|antal(?!_pastaenden)|deltagare|svarande|talare|avslutade|"
                        r"inskrivna|pagaende|aktiva|kohort|uppfoljda|bibehallen|obekraftade|exkluderade|anonyma|"
                        r"per_grupp|per_kategori|per_sus_kategori|n_par|n_rci|personer)")
#: key parts that are not counts of people even under a count key
KEY_NOT = re.compile(r"(^nns\.|^kasam\.|pastaenden|segment|sessioner|manad|month|(^|_)ar$|_ar_|delta_matt|framgangsgrader|andel|medel|median|alpha|kappa|mattnad|"
                     r"draws|seed|npv|bcr|diff|ki_|^p$|^t$|^df$|horisont)")
#: table headers (column or row label) that count people
HEAD_COUNTS = re.compile(r"(\bn\b|antal|deltagare|svarande|talare|avslutade|inskrivna|inskrivning|pågående|aktiva|"
                         r"inkomna|saknas|saknar|uppföljda|exkluderade|anonyma|kvinn|\bmän\b|\bman\b|annat|totalt|alla|"
                         r"kohort|återkomst|åter |episoder|\bpar\b|personal|förbundschef|styrelse|chefsgrupp|"
                         r"rader lästa|godkända|avvisade|ersättning|försörjning|okänd|register|bedömda|^\d{4}H[12]$|"
                         r"under insatsen|vid avslut|halvårsvis|var 1–3)", re.I)
#: headers that are not counts of people even when they name a group (means, shares, money, time, items)
HEAD_NOT = re.compile(r"(^ej svar$|medel|andel|median|\(kr\)|poäng|månad|%|\bki\b|p-värde|påstående|frågor|förbund$|"
                      r"segment|session|enheter|skillnad|standardavvikelse|effektstorlek|korrelation|alfa|kappa|"
                      r"mättillfälle|mätomgång|skala|indikator|år$)", re.I)
SMALL = re.compile(r"^[1-4]$")
SENTENCE = re.compile(r"(\bn\s*=\s*[1-4]\b|\b[1-4]\s+(personer|deltagare|svarande|talare|avslutade|svar)\b)")


def _counts(name: str) -> bool:
    return bool(HEAD_COUNTS.search(name)) and not HEAD_NOT.search(name)


def scan_json(obj, path="") -> list[str]:
    """Key paths of results.json whose value is a count of 1–4 people.

    >>> scan_json({"antal_svar_per_grupp": {"styrelse": 27, "forbundschef": 4}, "pastaenden_per_enkat": {"x": 4},
    ...            "nyckeltal": {"nns.ind05.deltagare.under": 1.0, "flows.deltagare": 3.0}})
    ['antal_svar_per_grupp/forbundschef = 4', 'nyckeltal/flows.deltagare = 3']
    """
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += scan_json(v, f"{path}/{k}" if path else str(k))
        return out
    if isinstance(obj, list):
        for i, v in enumerate(obj):
            out += scan_json(v, f"{path}[{i}]")
        return out
    if isinstance(obj, bool) or not isinstance(obj, (int, float)) or not 0 < obj < 5 or obj != int(obj):
        return out
    parts = re.split(r"[/\[\]]", path)
    if any(KEY_COUNTS.search(p) for p in parts) and not any(KEY_NOT.search(p) for p in parts):
        out.append(f"{path} = {obj:g}")
    return out


def scan_json_totals(obj) -> list[str]:
    """``<key>_per_<x>`` with exactly one None beside a shown ``<key>`` total (total − the rest).

    >>> scan_json_totals({"antal_svar": 40, "antal_svar_per_grupp": {"a": 30, "b": None, "c": 8}})
    ['antal_svar_per_grupp/b = 40 − 30 − 8 = 2']
    """
    out = []
    if not isinstance(obj, dict):
        return out
    for k, v in obj.items():
        m = re.match(r"(.+)_per_", k)
        if m and isinstance(v, dict) and isinstance(obj.get(m.group(1)), (int, float)) \
                and KEY_COUNTS.search(m.group(1)) and not KEY_NOT.search(m.group(1)):
            hid = [g for g, x in v.items() if x is None]
            shown = [x for x in v.values() if isinstance(x, (int, float))]
            if len(hid) == 1 and len(shown) == len(v) - 1:
                out.append(f"{k}/{hid[0]} = {obj[m.group(1)]:g} − " + " − ".join(f"{x:g}" for x in shown)
                           + f" = {obj[m.group(1)] - sum(shown):g}")
    return out


def scan_rows(rows: list[list[str]], header: list[str], where: str) -> list[str]:
    """Cells 1–4 in a person-count column, or in a value column of a row labelled with a count.

    >>> scan_rows([["Deltagare", "4", "3"], ["Personal", "7", "2"]], ["Svarsgrupp", "Antal (n)", "Median"], "t1")
    ['t1, rad 1 (Deltagare), kolumn Antal (n): 4']
    >>> scan_rows([["Avslutade under perioden", "3"]], ["Nyckeltal", "Värde"], "t2")
    ['t2, rad 1 (Avslutade under perioden), kolumn Värde: 3']
    """
    out = []
    for i, row in enumerate(rows, 1):
        label = row[0] if row else ""
        for j, cell in enumerate(row[1:], 1):
            col = header[j] if j < len(header) else ""
            if not SMALL.match(cell.strip()):
                continue
            generic = col.strip() in ("", "Värde", "Antal") or not HEAD_NOT.search(col) and not _counts(col)
            if _counts(col) or (generic and _counts(label) and not HEAD_NOT.search(col)):
                out.append(f"{where}, rad {i} ({label}), kolumn {col}: {cell.strip()}")
    return out


TOTALS = ("Totalt", "Alla", "Summa")
HIDDEN = "–"


def _int(cell: str):
    t = re.sub(r"[\s\u202f\u00a0]", "", cell)
    return int(t) if re.fullmatch(r"\d+", t) else None


def scan_differences(rows: list[list[str]], header: list[str], where: str) -> list[str]:
    """A hidden part that a shown total and the other shown parts give back (total − the rest).

    Rows with a total column (``Totalt``/``Alla``) whose other count columns are all shown but one
    "–"; in a table with one label column, a ``Totalt`` row likewise for each column.

    >>> scan_differences([["Arbete", "9", "–", "6", "17"]], ["Kategori", "Kvinna", "Annat", "Man", "Totalt"], "t")
    ['t, rad 1 (Arbete): Annat = 17 − 9 − 6 = 2']
    >>> scan_differences([["Arbete", "9", "–", "–", "17"]], ["Kategori", "Kvinna", "Annat", "Man", "Totalt"], "t")
    []
    >>> scan_differences([["A", "7"], ["B", "–"], ["C", "5"], ["Totalt", "14"]], ["Insats", "Antal"], "t")
    ['t, kolumn Antal: B = 14 − 7 − 5 = 2']
    """
    out = []
    tot = [j for j, h in enumerate(header) if h.strip() in TOTALS]
    for i, row in enumerate(rows, 1):
        for j in tot:
            if j >= len(row) or _int(row[j]) is None:
                continue
            parts = [k for k in range(len(row)) if k != j and k < len(header) and _counts(header[k])
                     and (row[k].strip() == HIDDEN or _int(row[k]) is not None)]
            hid = [k for k in parts if row[k].strip() == HIDDEN]
            if len(parts) >= 2 and len(hid) == 1:
                shown = [_int(row[k]) for k in parts if k not in hid]
                v = _int(row[j]) - sum(shown)
                out.append(f"{where}, rad {i} ({row[0]}): {header[hid[0]]} = {row[j]} − "
                           + " − ".join(map(str, shown)) + f" = {v}")
    labels = [r[0].strip() for r in rows if r]
    if len(header) >= 2 and not _counts(header[0]) and sum(lab in TOTALS for lab in labels) == 1 \
            and len(set(labels)) == len(labels):
        ti = labels.index(next(lab for lab in labels if lab in TOTALS))
        for j in range(1, len(header)):
            if not _counts(header[j]) or _int(rows[ti][j] if j < len(rows[ti]) else "") is None:
                continue
            parts = [r for k, r in enumerate(rows) if k != ti and j < len(r)
                     and (r[j].strip() == HIDDEN or _int(r[j]) is not None)]
            hid = [r for r in parts if r[j].strip() == HIDDEN]
            if len(parts) >= 2 and len(hid) == 1:
                shown = [_int(r[j]) for r in parts if r[j].strip() != HIDDEN]
                v = _int(rows[ti][j]) - sum(shown)
                out.append(f"{where}, kolumn {header[j]}: {hid[0][0]} = {rows[ti][j]} − "
                           + " − ".join(map(str, shown)) + f" = {v}")
    return out


def scan_html(html: str, where: str) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    out = []
    for k, table in enumerate(soup.find_all("table"), 1):
        head = table.find("thead")
        header = [th.get_text(" ", strip=True) for th in (head.find_all("tr")[-1].find_all(["th", "td"]) if head else [])]
        body = table.find("tbody") or table
        rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in body.find_all("tr")]
        caption = table.find_previous(["h1", "h2", "h3", "h4"])
        place = f"{where}, tabell {k} ({caption.get_text(' ', strip=True) if caption else ''})"
        out += scan_rows([r for r in rows if r != header], header, place)
        out += scan_differences([r for r in rows if r != header], header, place)
        table.decompose()
    for m in SENTENCE.finditer(soup.get_text(" ")):
        out.append(f"{where}, text: …{m.group(0)}…")
    return out


def scan_docx(path: Path, where: str) -> list[str]:
    import docx

    d = docx.Document(str(path))
    out = []
    for k, t in enumerate(d.tables, 1):
        rows = [[c.text.strip() for c in r.cells] for r in t.rows]
        if rows:
            out += scan_rows(rows[1:], rows[0], f"{where}, tabell {k}")
            out += scan_differences(rows[1:], rows[0], f"{where}, tabell {k}")
    for p in d.paragraphs:
        for m in SENTENCE.finditer(p.text):
            out.append(f"{where}, text: …{m.group(0)}…")
    return out


def sweep(folders) -> list[str]:
    """Every finding of every run folder (results.json, rapport.html, *.docx)."""
    out = []
    for f in folders:
        f = Path(f)
        if (f / "results.json").exists():
            r = json.loads((f / "results.json").read_text(encoding="utf-8"))
            out += [f"{f.name}/results.json: {x}" for x in scan_json(r) + scan_json_totals(r)]
        if (f / "rapport.html").exists():
            out += scan_html((f / "rapport.html").read_text(encoding="utf-8"), f"{f.name}/rapport.html")
        for d in sorted(f.glob("*.docx")):
            out += scan_docx(d, f"{f.name}/{d.name}")
    return out


def test_no_count_of_one_to_four_people_in_any_board_output(sample_snapshot):
    found = sweep(sample_snapshot.runs.values())
    assert not found, "counts of 1–4 people that a board sees:\n" + "\n".join(found)


def test_nns_group_counts_are_hidden_where_a_questionnaire_has_fewer_than_five_rows(sample_snapshot):
    """results.json antal_svar_per_grupp against the answers file: a group with a questionnaire (förbund ×
    tidpunkt × våg) of 1–4 rows is None, and so is antal_svar; a shown group is its row count."""
    import pandas as pd

    raw = pd.read_csv(Path(__file__).resolve().parents[1] / "data_samples" / "nns_enkater.csv")
    checked = 0
    for name, folder in sample_snapshot.runs.items():
        if not name.endswith("/karnindikatorer"):
            continue
        got = json.loads((Path(folder) / "results.json").read_text(encoding="utf-8"))
        forbund = json.loads((Path(folder) / "parameters.json").read_text(encoding="utf-8")).get("forbund") or ""
        mine = raw[raw["forbund"] == forbund] if forbund else raw
        rows = mine.groupby(["forbund", "respondentgrupp", "tidpunkt", "vag"]).size()
        small = set(rows[rows < 5].index.get_level_values("respondentgrupp"))
        per = got["antal_svar_per_grupp"]
        assert set(per) == set(mine["respondentgrupp"])
        assert {g for g, v in per.items() if v is None} >= small
        assert got["antal_svar"] is None if any(v is None for v in per.values()) else got["antal_svar"] == len(mine)
        for g, v in per.items():
            assert v is None or v == int((mine["respondentgrupp"] == g).sum())
        checked += 1 if small else 0
    assert checked >= 1  # the samples have förbundschef questionnaires of one answer


def scan_cross(folder) -> list[str]:
    """results.json figures of a run that the same run's board report hides ("–"): a category count whose
    row shows "–" in the report's table of that level (the table whose row labels are exactly the
    categories of the key), a KASAM RCI share (``andel_forbattrad`` …) whose row of the RCI table shows
    "–", and a figure whose own ``publicerade`` flag is false but whose value is there.
    """
    from bs4 import BeautifulSoup

    from evaluation.labels import t

    f = Path(folder)
    if not (f / "results.json").exists() or not (f / "rapport.html").exists():
        return []
    res = json.loads((f / "results.json").read_text(encoding="utf-8"))
    out = [f"{f.name}/results.json: {k} = {res[k]:g} although publicerade.{k} is false"
           for k, ok in (res.get("publicerade") or {}).items() if ok is False and isinstance(res.get(k), (int, float))]
    nyck = res.get("nyckeltal") or {}
    out += [f"{f.name}/results.json: nyckeltal.{k} = {nyck[k]:g} although nyckeltal_publicerade.{k} is false"
            for k, ok in (res.get("nyckeltal_publicerade") or {}).items()
            if ok is False and isinstance(nyck.get(k), (int, float))]
    soup = BeautifulSoup((f / "rapport.html").read_text(encoding="utf-8"), "html.parser")
    tables = []
    for table in soup.find_all("table"):
        head = table.find("thead")
        header = [th.get_text(" ", strip=True) for th in (head.find_all("tr")[-1].find_all(["th", "td"]) if head else [])]
        if "Antal" not in header:
            continue
        j = header.index("Antal")
        rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in (table.find("tbody") or table).find_all("tr")]
        tables.append({r[0]: r[j] for r in rows if len(r) > j})
    # KASAM's RCI table (kasam.protect_reliable_change): a category shown "–" is null as andel_<kategori>
    rci = {t(f"kasam.rci.{c}", "sv"): f"andel_{c}" for c in ("forbattrad", "oforandrad", "forsamrad")}
    for table in soup.find_all("table"):
        head = table.find("thead")
        header = [th.get_text(" ", strip=True) for th in (head.find_all("tr")[-1].find_all(["th", "td"]) if head else [])]
        rows = {r[0]: r for tr in (table.find("tbody") or table).find_all("tr")
                for r in [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]] if r}
        if "Andel" in header and set(rci) <= set(rows):
            j = header.index("Andel")
            out += [f"{f.name}/results.json: {key} = {res[key]:g}, in rapport.html '–'" for lab, key in rci.items()
                    if rows[lab][j].strip() == HIDDEN and isinstance(res.get(key), (int, float))]
            # the three add up to the number assessed, shown beside them: one hidden alone is the rest's difference
            if sum(rows[lab][j].strip() == HIDDEN for lab in rci) == 1:
                out.append(f"{f.name}/rapport.html: one RCI category alone is '–' (the total minus the others)")
    for key, val in res.items():
        if not (isinstance(val, dict) and re.search(r"_per_.*kategori$", key)):
            continue
        labels = {t(f"flows.kategori.{c}", "sv"): v for c, v in val.items()}
        for tab in tables:
            if set(tab) != set(labels):
                continue
            for lab, shown in tab.items():
                if shown.strip() == HIDDEN and isinstance(labels[lab], (int, float)):
                    out.append(f"{f.name}/results.json: {key} {lab} = {labels[lab]:g}, in rapport.html '–'")
    return out


def test_results_json_shows_nothing_the_report_of_the_same_run_hides(sample_snapshot):
    found = [x for f in sample_snapshot.runs.values() for x in scan_cross(f)]
    assert not found, "results.json publishes what the report hides:\n" + "\n".join(found)


def test_no_import_row_counts_in_any_board_output(sample_snapshot):
    """The import report (rows read / accepted / rejected per file) counts whole files over all förbund: not
    cells of the protected table set, so no board output shows it (issue 15): no rapport.html, Word file or
    results.json of any run has its column headings, its sentence or a key for it, while the evaluator's
    notebook.ipynb of the same run still has the table."""
    import docx

    from evaluation.labels import t

    from bs4 import BeautifulSoup

    words = [t("io.rows_read", lang) for lang in ("sv", "en")]  # "rader lästa": the table's heading and sentence
    found, evaluator = [], 0
    for name, folder in sample_snapshot.runs.items():
        f = Path(folder)
        texts = {}
        if (f / "rapport.html").exists():
            soup = BeautifulSoup((f / "rapport.html").read_text(encoding="utf-8"), "html.parser")
            for tag in soup(["script", "style"]):
                tag.decompose()
            texts["rapport.html"] = soup.get_text(" ")
        for d in f.glob("*.docx"):
            doc = docx.Document(str(d))
            texts[d.name] = "\n".join([p.text for p in doc.paragraphs]
                                      + [c.text for tb in doc.tables for r in tb.rows for c in r.cells])
        if (f / "results.json").exists():
            texts["results.json"] = (f / "results.json").read_text(encoding="utf-8")
        for where, text in texts.items():
            low = text.lower()
            found += [f"{name}/{where}: '{w}'" for w in words if w in low]
            found += [f"{name}/{where}: {k}" for k in ("rader_lasta", "rows_read", "accepterade") if k in low]
        nb = (f / "notebook.ipynb").read_text(encoding="utf-8") if (f / "notebook.ipynb").exists() else ""
        evaluator += "rader lästa" in nb
    assert not found, "import row counts in board outputs:\n" + "\n".join(found)
    assert evaluator >= 5  # every notebook with an import report keeps it for the evaluator
