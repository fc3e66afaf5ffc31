"""What a board reads first: the header block and the key messages of a snapshot report.

Every report of a snapshot opens with

1. a **header block**: förbund, period, data up to (``data_till_och_med`` of the data folder's
   ``datakatalog.yaml``, else the run's ``reference_date``), the snapshot id and, when the
   catalogue says ``fiktiva_data: true``, the notice "Fiktiva exempeldata";
2. **3–6 key messages** with their numbers, generated from the run's ``results.json`` by the
   message builder of the notebook (:data:`MESSAGE_BUILDERS`, a ``{notebook: builder}`` registry);
3. then the details (the notebook's own output).

:func:`evaluation.runs.render_html` puts both at the top of ``rapport.html``; the Word export of the
slutrapport uses the same :class:`Header` for its title page. All numbers pass
:mod:`evaluation.formatting`; a count of fewer than five people is never quoted.
"""

from __future__ import annotations

import dataclasses
import html
import json
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from . import formatting as fmt

__all__ = ["Header", "header", "header_html", "MESSAGE_BUILDERS", "key_messages", "messages_html", "top_html"]

MIN_N = 5


@dataclasses.dataclass
class Header:
    """The facts of a report's header block (all strings as a board reads them)."""

    titel: str = ""
    forbund: str = ""
    period: str = ""
    data_till_och_med: str = ""
    snapshot: str = ""
    skapad: str = ""
    fiktiva_data: bool = False
    forfattare: str = ""

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for the header table, empty values left out.

        Examples
        --------
        >>> Header(forbund="Norrdal", period="2025").rows()
        [('Förbund', 'Norrdal'), ('Period', '2025')]
        """
        pairs = [("Förbund", self.forbund), ("Period", self.period), ("Data till och med", self.data_till_och_med),
                 ("Ögonblicksbild", self.snapshot), ("Skapad", self.skapad), ("Författare", self.forfattare)]
        return [(k, v) for k, v in pairs if v]


def _catalogue(data_dir: str | Path | None) -> dict:
    if not data_dir:
        return {}
    p = Path(data_dir) / "datakatalog.yaml"
    if not p.is_file():
        return {}
    try:
        return yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return {}


def header(parameters: Mapping[str, Any], title: str = "", snapshot: str = "", created: str = "",
           lang: str = "sv") -> Header:
    """The header block of a run from its parameters and its data folder's catalogue.

    Parameters
    ----------
    parameters : mapping
        The run's parameters (``forbund``, ``period_start``, ``period_end``, ``reference_date``,
        ``data_dir``, ``forfattare``).
    title : str
        Report title (the run file's ``titel``).
    snapshot : str
        Snapshot id (its folder name).
    created : str
        ISO date or timestamp of the snapshot.

    Examples
    --------
    >>> h = header({"forbund": "Norrdal", "period_start": "2025-01-01", "period_end": "2025-12-31",
    ...             "data_dir": "data_samples"}, snapshot="20260115T020000Z", created="2026-01-15T02:00:00")
    >>> h.forbund, h.period, h.data_till_och_med, h.fiktiva_data, h.skapad
    ('Norrdal', '1 januari 2025 – 31 december 2025', '15 januari 2026', True, '15 januari 2026')
    """
    cat = _catalogue(parameters.get("data_dir"))
    upto = cat.get("data_till_och_med") or parameters.get("reference_date") or ""
    ps, pe = parameters.get("period_start"), parameters.get("period_end")
    return Header(
        titel=title,
        forbund=str(parameters.get("forbund") or ("Alla förbund" if lang == "sv" else "All förbund")),
        period=fmt.period(ps, pe, lang),
        data_till_och_med=fmt.date(str(upto)[:10], lang) if upto else "",
        snapshot=snapshot,
        skapad=fmt.date(str(created)[:10], lang) if created else "",
        fiktiva_data=bool(cat.get("fiktiva_data", False)),
        forfattare=str(parameters.get("forfattare") or ""),
    )


def header_html(h: Header) -> str:
    """The header block as HTML (a description list; "Fiktiva exempeldata" as a notice).

    Examples
    --------
    >>> "Fiktiva exempeldata" in header_html(Header(forbund="Norrdal", fiktiva_data=True))
    True
    """
    esc = html.escape
    items = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in h.rows())
    notice = ('<p class="fiktiva" role="note"><strong>Fiktiva exempeldata.</strong> Alla personer och siffror '
              "i rapporten är påhittade och beskriver ingen verklig verksamhet.</p>") if h.fiktiva_data else ""
    title = f"<p class=\"rapport-titel\">{esc(h.titel)}</p>" if h.titel else ""
    return f'<header class="rapport-huvud" aria-label="Om rapporten">{title}<dl>{items}</dl>{notice}</header>'


# --------------------------------------------------------------------------------------------
# key messages

def _n(x) -> str:
    """A count of people for a message: never below five."""
    if x is None:
        return ""
    return fmt.integer(x) if x >= MIN_N else f"färre än {MIN_N}"


def _published(r: Mapping) -> dict:
    """``r`` without the figures the protected table set does not publish (``publicerade``: key → bool)."""
    pub = r.get("publicerade") or {}
    return {k: (None if pub.get(k) is False else v) for k, v in r.items()}


def _flows(r: Mapping) -> list[str]:
    out = []
    r = _published(r)
    flow = [f"{_n(r[k])} {verb}" for k, verb in (("inskrivna_i_perioden", "skrevs in"),
                                                  ("avslutade_i_perioden", "avslutades"))
            if r.get(k) is not None]
    # persons are no cell of the protected table set (null in a board's results.json): then the
    # sentence names the episodes, or only the period's flow; never a number that is not there
    if r.get("antal_deltagare") is not None:
        episodes = f" ({_n(r['antal_episoder'])} inskrivningar)" if r.get("antal_episoder") is not None else ""
        out.append(f"{_n(r['antal_deltagare'])} personer har deltagit i insatserna{episodes}"
                   + (f"; {' och '.join(flow)} under perioden." if flow else "."))
    elif r.get("antal_episoder") is not None:
        out.append(f"Insatserna har haft {_n(r['antal_episoder'])} inskrivningar"
                   + (f"; {' och '.join(flow)} under perioden." if flow else "."))
    elif flow:  # Swedish word order after the adverbial: "Under perioden skrevs 93 in och avslutades 110."
        inv = [f"{verb[0]} {_n(r[k])}{verb[1]}" for k, verb in (("inskrivna_i_perioden", ("skrevs", " in")),
                                                               ("avslutade_i_perioden", ("avslutades", "")))
               if r.get(k) is not None]
        out.append(f"Under perioden {' och '.join(inv)}.")
    if r.get("offentlig_fore_andel") is not None and r.get("offentlig_efter_andel") is not None:
        out.append(f"Andelen med offentlig försörjning var {fmt.percent(r['offentlig_fore_andel'])} före insatsen "
                   f"och {fmt.percent(r['offentlig_efter_andel'])} efter avslut.")
    if r.get("egen_forsorjning_efter_andel") is not None:
        out.append(f"{fmt.percent(r['egen_forsorjning_efter_andel'])} av de avslutade hade egen försörjning "
                   "efter avslut (brutto: utan jämförelsegrupp går effekten inte att skilja från annat som hänt).")
    if r.get("tid_median_manader") is not None:
        out.append(f"Halva deltagarna var inskrivna längre än {fmt.number(r['tid_median_manader'])} månader "
                   f"(medianen; medelvärdet {fmt.number(r.get('tid_medel_manader'))} månader).")
    if r.get("handlingsplan_i_tid_andel") is not None:
        out.append(f"{fmt.percent(r['handlingsplan_i_tid_andel'])} fick en handlingsplan inom fristen efter "
                   "första mötet.")
    if r.get("aterkomst_andel") is not None and (r.get("aterkomst_kohort") or 0) >= MIN_N:
        out.append(f"{fmt.percent(r['aterkomst_andel'])} av {_n(r['aterkomst_kohort'])} avslutade kom tillbaka "
                   "till en insats inom uppföljningstiden.")
    return out


def _kasam(r: Mapping) -> list[str]:
    out = []
    if r.get("medel_fore") is not None and r.get("medel_efter") is not None:
        design = "som svarade vid båda tillfällena" if r.get("design") == "paired" else "(olika personer före och efter)"
        out.append(f"Deltagarnas KASAM-medelvärde gick från {fmt.number(r['medel_fore'])} till "
                   f"{fmt.number(r['medel_efter'])} poäng, en förändring med {fmt.number(r.get('diff'))} poäng "
                   f"(95 % konfidensintervall {fmt.number(r.get('ki_lag'))} till {fmt.number(r.get('ki_hog'))}; "
                   f"{_n(r.get('n_par'))} personer {design}).")
    if r.get("andel_forbattrad") is not None and (r.get("n_rci") or 0) >= MIN_N:
        # a share the RCI table hides (a small group, or hidden to protect one) is null and not quoted
        worse = (f"{fmt.percent(r['andel_forsamrad'])} försämrades lika mycket." if r.get("andel_forsamrad") is not None
                 else "andelen som försämrades lika mycket visas inte (dold för att skydda små grupper).")
        out.append(f"{fmt.percent(r['andel_forbattrad'])} förbättrades mer än mätfelet (Reliable Change Index), "
                   + worse)
    if r.get("norm_diff") is not None:
        riktning = "lägre" if r["norm_diff"] < 0 else "högre"
        out.append(f"Före insatsen låg deltagarna {fmt.number(abs(r['norm_diff']))} poäng {riktning} än "
                   "referensgruppens medelvärde.")
    if r.get("personal_diff") is not None and (r.get("personal_n") or 0) >= MIN_N:
        lo, hi = r.get("personal_ki_lag"), r.get("personal_ki_hog")
        sure = lo is not None and hi is not None and (lo > 0 or hi < 0)
        out.append(f"Personalens KASAM förändrades med {fmt.number(r['personal_diff'])} poäng "
                   f"({'en säkerställd' if sure else 'ingen säkerställd'} förändring; {_n(r['personal_n'])} svar).")
    return out


def _costbenefit(r: Mapping) -> list[str]:
    out = []
    if r.get("npv_total") is not None:
        out.append(f"Scenariot {r.get('scenario', '')} ger ett nettonuvärde för samhället på "
                   f"{fmt.mkr(r['npv_total'], 1, unit=True)} över {r.get('horisont_ar', '')} år "
                   f"(diskonteringsränta {fmt.percent(r.get('diskonteringsranta'), 1)}).")
    if r.get("bcr") is not None:
        out.append(f"Varje satsad krona ger {fmt.number(r['bcr'], 2)} kronor i nytta; kalkylen går jämnt upp om "
                   f"{fmt.percent(r.get('break_even_andel'))} av deltagarna lyckas.")
    if r.get("payback_month") is not None:
        out.append(f"Insatsen har betalat sig efter {fmt.integer(r['payback_month'])} månader.")
    losers = r.get("forlorare") or []
    if losers:
        names = ", ".join(fmt.label(a) for a in losers)
        out.append(f"Alla aktörer vinner inte: {names} får ett negativt resultat "
                   f"({fmt.mkr((r.get('npv_per_aktor') or {}).get(losers[0]), 1, unit=True)}).")
    if r.get("p_npv_pos") is not None:
        out.append(f"I {fmt.percent(r['p_npv_pos'], 1)} av {fmt.integer(r.get('mc_draws'))} simuleringar med "
                   "osäkra antaganden blir nettonuvärdet positivt.")
    return out


def _coding(r: Mapping) -> list[str]:
    out = []
    # null counts: cells the protected focus-group table hides (evaluation.surveytables)
    if r.get("n_segment") is not None and r.get("n_sessioner") is not None and r.get("n_talare") is not None:
        out.append(f"{fmt.integer(r['n_segment'])} kodade textavsnitt från {fmt.integer(r.get('n_sessioner'))} "
                   f"fokusgrupper med {_n(r.get('n_talare'))} talare.")
    themes = {k: v for k, v in (r.get("teman_segment") or {}).items() if v is not None}
    if themes:
        which = "temat" if len(themes) == len(r["teman_segment"]) else "av de teman som kan visas"
        out.append(f"Materialet täcker {fmt.integer(len(r['teman_segment']))} teman; det mest omtalade {which} har "
                   f"{fmt.integer(max(themes.values()))} avsnitt.")
    elif r.get("teman_segment"):  # every theme's count is a hidden cell of the protected focus-group table
        out.append(f"Materialet täcker {fmt.integer(len(r['teman_segment']))} teman. Hur mycket som sades per tema "
                   "visas inte: någon fokusgrupp hade färre än fem talare, och antalen döljs så att ingen liten "
                   "grupp kan räknas fram.")
    if r.get("alpha") is not None:
        quality = "god" if r["alpha"] >= 0.8 else ("godtagbar" if r["alpha"] >= 0.667 else "svag")
        out.append(f"Två kodare kodade samma material; överensstämmelsen är {quality} "
                   f"(Krippendorffs alfa {fmt.number(r['alpha'], 2)}).")
    return out


def _indicators(r: Mapping) -> list[str]:
    out = []
    groups = r.get("antal_svar_per_grupp") or {}
    if r.get("antal_svar") is not None:
        out.append(f"{fmt.integer(r['antal_svar'])} enkätsvar från {fmt.integer(len(groups))} respondentgrupper "
                   f"och {fmt.integer(len(r.get('vagor') or []))} mättillfällen.")
    elif groups:  # a group's count is hidden, and so is the total that would reveal it
        out.append(f"Enkätsvar från {fmt.integer(len(groups))} respondentgrupper och "
                   f"{fmt.integer(len(r.get('vagor') or []))} mättillfällen (antalet svar visas inte, "
                   "för att skydda små grupper).")
    shares = {k: v for k, v in (r.get("andel_topp2_senaste") or {}).items() if v is not None}
    if shares:
        hi = sum(v >= 0.7 for v in shares.values())
        lo = sum(v < 0.4 for v in shares.values())
        out.append(f"Vid senaste mätningen instämde minst 70 % i {fmt.integer(hi)} av "
                   f"{fmt.integer(len(shares))} påståenden och färre än 40 % i {fmt.integer(lo)}.")
    status = [v for v in (r.get("malniva_status") or {}).values() if v]
    if status:
        met = sum(v == "uppnadd" for v in status)
        out.append(f"{fmt.integer(met)} av {fmt.integer(len(status))} målnivåer är uppnådda vid senaste mätningen.")
    i11 = r.get("indikator11") or {}
    if i11.get("andel") is not None and (i11.get("uppfoljda") or 0) >= MIN_N:
        out.append(f"Indikator 11: {fmt.percent(i11['andel'])} av {_n(i11['uppfoljda'])} uppföljda som gick till arbete "
                   "eller studier hade kvar resultatet (ingen återkomst till försörjningsstöd).")
    if r.get("indikator7_andel_komplett") is not None:
        out.append(f"För {fmt.percent(r['indikator7_andel_komplett'])} av episoderna finns både deltagarens och "
                   "personalens bedömning (indikator 7).")
    return out


def _report(r: Mapping) -> list[str]:
    out = []
    mal = r.get("mal") or {}
    if mal.get("antal"):
        ps = mal.get("per_status") or {}
        out.append(f"{fmt.integer(ps.get('uppnatt', 0))} av {fmt.integer(mal['antal'])} mål är uppnådda, "
                   f"{fmt.integer(ps.get('ej_uppnatt', 0))} är inte uppnådda.")
        if mal.get("konflikter"):
            out.append(f"{fmt.integer(len(mal['konflikter']))} mål redovisas som uppnådda i projektets egen "
                       "rapportering men inte enligt underlaget.")
    k = r.get("nyckeltal") or {}
    shown = r.get("nyckeltal_publicerade") or {}  # the report's "–": not published in the protected table set
    k = {key: (None if shown.get(key) is False else v) for key, v in k.items()}
    flows = {"antal_deltagare": k.get("flows.deltagare"), "antal_episoder": k.get("flows.antal_episoder"),
             "inskrivna_i_perioden": k.get("flows.inskrivna_i_perioden"),
             "avslutade_i_perioden": k.get("flows.avslutade_i_perioden"),
             "offentlig_fore_andel": k.get("flows.offentlig_fore_andel"),
             "offentlig_efter_andel": k.get("flows.offentlig_efter_andel")}
    out.extend(_flows(flows)[:2] if any(v is not None for v in flows.values()) else [])
    if k.get("kasam.deltagare.forandring") is not None:
        out.append(f"Deltagarnas KASAM förändrades med {fmt.number(k['kasam.deltagare.forandring'])} poäng "
                   f"({fmt.number(k.get('kasam.deltagare.fore'))} → {fmt.number(k.get('kasam.deltagare.efter'))}).")
    if k.get("kostnadsnytta.npv_total") is not None:
        out.append(f"Samhällsekonomiskt nettonuvärde {fmt.mkr(k['kostnadsnytta.npv_total'], 1, unit=True)}.")
    return out


#: notebook stem -> builder of key messages from that notebook's ``results.json``.
MESSAGE_BUILDERS: dict[str, Callable[[Mapping], list[str]]] = {
    "deltagarfloden": _flows,
    "kasam_fore_efter": _kasam,
    "samhallsekonomi": _costbenefit,
    "fokusgrupper": _coding,
    "karnindikatorer": _indicators,
    "slutrapport": _report,
}


def key_messages(notebook: str, results: Mapping[str, Any], limit: int = 6) -> list[str]:
    """3–6 key messages (Swedish sentences with their numbers) for one run's results.

    Parameters
    ----------
    notebook : str
        Notebook stem or path (``deltagarfloden``, ``notebooks/kasam_fore_efter.ipynb`` …).
    results : mapping
        The run's ``results.json``.

    Examples
    --------
    >>> m = key_messages("deltagarfloden", {"antal_deltagare": 310, "antal_episoder": 335, "inskrivna_i_perioden": 93,
    ...     "avslutade_i_perioden": 110, "offentlig_fore_andel": 0.9545, "offentlig_efter_andel": 0.2636,
    ...     "egen_forsorjning_efter_andel": 0.6329, "tid_median_manader": 4.9, "tid_medel_manader": 6.4})
    >>> len(m), m[1] == "Andelen med offentlig försörjning var 95\\u00a0% före insatsen och 26\\u00a0% efter avslut."
    (4, True)

    Under a protected table set persons are null (no cell gives them): the sentence names the
    inskrivningar, or only the period's flow, and never prints a missing number:

    >>> key_messages("deltagarfloden", {"antal_deltagare": None, "antal_episoder": 335, "inskrivna_i_perioden": 93,
    ...     "avslutade_i_perioden": None})[0]
    'Insatserna har haft 335 inskrivningar; 93 skrevs in under perioden.'
    >>> key_messages("deltagarfloden", {"antal_deltagare": None, "antal_episoder": None, "inskrivna_i_perioden": 93,
    ...     "avslutade_i_perioden": 110})[0]
    'Under perioden skrevs 93 in och avslutades 110.'
    >>> key_messages("okand", {})
    []
    """
    builder = MESSAGE_BUILDERS.get(Path(str(notebook)).stem)
    if builder is None:
        return []
    return [m for m in builder(results) if m][:limit]


def messages_html(messages: list[str]) -> str:
    """The key messages as an HTML section ("Det viktigaste").

    Examples
    --------
    >>> messages_html(["A."]).count("<li>")
    1
    >>> messages_html([])
    ''
    """
    if not messages:
        return ""
    items = "".join(f"<li>{html.escape(m)}</li>" for m in messages)
    return f'<section class="nyckelbudskap" aria-labelledby="nyckelbudskap"><h2 id="nyckelbudskap">Det viktigaste</h2><ul>{items}</ul></section>'


def top_html(run_folder: str | Path, notebook: str, title: str = "", snapshot: str = "", created: str = "",
             lang: str = "sv") -> str:
    """Header block and key messages of one run folder (reads ``parameters.json`` and ``results.json``).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "parameters.json").write_text('{"forbund": "Söderå"}')
    >>> "Söderå" in top_html(d, "deltagarfloden")
    True
    """
    folder = Path(run_folder)
    params, results = {}, {}
    if (folder / "parameters.json").is_file():
        params = json.loads((folder / "parameters.json").read_text(encoding="utf-8"))
    if (folder / "results.json").is_file():
        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    h = header(params, title=title, snapshot=snapshot, created=created, lang=lang)
    return header_html(h) + messages_html(key_messages(notebook, results))
