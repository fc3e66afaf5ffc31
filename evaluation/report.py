"""Report assembly: the ESF final report skeleton, the DELTA 3 × 3 matrix, success levels and caveats.

Every source document ends in a report evaluators have to write (DOMAIN.md §8). This module puts the
workbench's numbers where those reports ask for them, so an evaluator only writes the narrative:

* **ESF "Slutrapport genomförande"** (FRIRPT v.1, seed 004 §6): the 13 sections in order with the
  form's prompts (``evaluation/data/rapport/esf_slutrapport.yaml``), each filled with the
  quantitative blocks listed under ``fyll`` (:data:`BLOCKS`): participant flows, exits and
  försörjning (:mod:`evaluation.flows`), KASAM before/after (:mod:`evaluation.kasam`,
  :mod:`evaluation.compare`), NNS kärnindikatorer (:mod:`evaluation.indicators`), focus-group themes
  (:mod:`evaluation.coding`), cost-benefit per actor (:mod:`evaluation.costbenefit`), the goal tracker
  (:mod:`evaluation.goals`) and gender-split tables (*kön*) for jämställdhetsintegrering.
* **DELTA matrix** (seed 002 §2.1): förutsättningar / process / resultat × deltagare / medarbetare /
  organisation, each cell filled with the measures available for it (``delta_matris.yaml``: measure
  keys of :func:`measures`, wildcards allowed); an empty cell says that it must be described
  qualitatively.
* **Success levels** (seed 000): framgång av första / andra / tredje graden, with the measures that
  speak to each level.
* **Caveats**: no comparison group, gross vs net, exit ≠ self-sufficiency, provenance of reported
  figures, small-cell suppression.

Every table passes :mod:`evaluation.disclosure` (counts below ``min_n`` shown as "–", with secondary
suppression in cross-tables). Numbers are computed from the data with the same functions the
analysis notebooks use, never read from other run folders, so the report has no ordering dependency
inside a snapshot. :func:`export_docx` writes a Word document (python-docx) with the same content
and a placeholder under every section for the evaluator's text.

Headline results recorded by ``notebooks/slutrapport.ipynb`` (:func:`headline`)
-------------------------------------------------------------------------------
``forbund``, ``period_start``, ``period_end``
    What the report covers.
``avsnitt``
    The 13 ESF section headings, numbered (``"1 Sammanfattning"``, ...).
``delta_matt``
    ``{"<rad>/<kolumn>": number of measures filled in}`` for the nine DELTA cells.
``delta_tomma_celler``
    Number of DELTA cells with no measure (to be described qualitatively).
``framgangsgrader``
    ``{"1": n, "2": n, "3": n}`` measures that speak to each success level.
``mal``
    :func:`evaluation.goals.headline` of the goal file (``None`` when no goal file is given).
``nyckeltal``
    ``{measure key: value}`` of the numeric measures (:func:`measures`), e.g.
    ``flows.egen_forsorjning_efter_andel``, ``kasam.deltagare.forandring``, ``kostnadsnytta.bcr``;
    ``null`` where the report shows "–" (``nyckeltal_publicerade`` False): ``results.json`` is
    board-facing and holds nothing the report hides (the evaluator reads those in the notebook).
``nyckeltal_publicerade``
    ``{measure key: bool}``: whether the report shows the figure (False: "–", a cell of the
    protected table set it uses is suppressed); the header's key messages leave those out.
``forbehall``
    Number of caveats printed.
``word``
    True when ``slutrapport.docx`` was written next to ``results.json``.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import html
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import yaml

from . import disclosure, formatting, goals as goals_mod
from .labels import t

__all__ = [
    "Inputs",
    "Block",
    "import_summary",
    "Section",
    "Report",
    "BLOCKS",
    "BLOCK_BUILDERS",
    "block",
    "esf_sections",
    "delta_spec",
    "load_inputs",
    "measures",
    "delta_matrix",
    "success_levels",
    "caveats",
    "gender_tables",
    "build",
    "section_html",
    "appendix_html",
    "show",
    "export_docx",
    "docx_path",
    "snapshot_id",
    "headline",
]

DOCX_NAME = "slutrapport.docx"


# ----------------------------------------------------------------------------------------------
# package data


@lru_cache(maxsize=None)
def _data(name: str) -> dict:
    with resources.files("evaluation").joinpath(f"data/rapport/{name}").open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def esf_sections() -> list[dict]:
    """The 13 sections of the ESF *Slutrapport genomförande* with prompts and filled blocks.

    Returns
    -------
    list of dict
        ``nummer``, ``rubrik``, ``fragor`` (list of ``{text, ordagrant}``), ``fyll`` (block names).

    Examples
    --------
    >>> [s["rubrik"] for s in esf_sections()][:3]
    ['Sammanfattning', 'Projektets resultat', 'Syfte och mål med projektet']
    >>> len(esf_sections())
    13
    """
    return [dict(s) for s in _data("esf_slutrapport.yaml")["avsnitt"]]


def delta_spec() -> dict:
    """The DELTA matrix and success-level specification (``delta_matris.yaml``).

    Examples
    --------
    >>> list(delta_spec()["rader"]), list(delta_spec()["kolumner"])
    (['forutsattningar', 'process', 'resultat'], ['deltagare', 'medarbetare', 'organisation'])
    """
    return _data("delta_matris.yaml")


# ----------------------------------------------------------------------------------------------
# inputs


@dataclass
class Inputs:
    """Everything the report is computed from.

    Attributes
    ----------
    underlag : evaluation.goals.Underlag
        Episodes, events, scored KASAM, NNS, cost-benefit result, reported tables.
    segment : DataFrame or None
        Coded focus-group segments (schema ``SEGMENTS``), already filtered to the förbund.
    kodbok : evaluation.coding.Codebook or None
    importer : dict
        ``{name: ImportResult}`` of the files read (for the import summary).
    mal : dict or None
        A parsed goal file (:func:`evaluation.goals.load_goals`).
    indata : evaluation.inputs.Inputs or None
        What the loader read (målnivåer and the rest of the data folder).
    """

    underlag: goals_mod.Underlag
    segment: pd.DataFrame | None = None
    kodbok: Any = None
    importer: dict = field(default_factory=dict)
    mal: dict | None = None
    indata: Any = None


def _slug(text: str) -> str:
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "Å": "a", "Ä": "a", "Ö": "o", " ": "_"})
    return text.translate(table).lower()


def load_inputs(data_dir: str | Path, forbund: str = "", reference_date: str = "2026-01-15",
                scenario: str = "", rapporterat: str = "", mal_fil: str = "",
                kodbocker: str = "teamwork_framgangsfaktorer,delta_personal", form: str = "soc29",
                scale_max: int = 6, period_start: str = "", period_end: str = "") -> Inputs:
    """Load a data folder through the one loader (:func:`evaluation.inputs.load`) and score it.

    Every parameter is validated against the folder's catalogue first (unknown förbund, scenario,
    reported table or goal file, a period whose start lies after its end: one Swedish
    :class:`evaluation.inputs.InputsError` naming the valid values). All tables are filtered to
    ``forbund`` by the loader.

    Parameters
    ----------
    data_dir : path
        Folder with a ``datakatalog.yaml`` (:mod:`evaluation.catalogue`).
    forbund : str
        Förbund to report on ('' = all).
    reference_date : str
        Extract date.
    scenario : str
        Cost-benefit scenario (catalogue name, e.g. ``bas``); '' = no cost-benefit.
    rapporterat : str
        Reported tables (names such as ``vuxenteamen``, comma-separated); '' = none.
    mal_fil : str
        Goal file (``mal/norrdal.yaml`` or its name); '' = the goal file of ``forbund`` when the
        catalogue has exactly one.
    kodbocker : str
        Codebooks for the focus-group segments, comma-separated.
    form : str
        KASAM form.
    scale_max : int
        Highest NNS scale step.
    period_start, period_end : str
        Report period, validated only (the report takes it from :func:`build`).

    Examples
    --------
    >>> inp = load_inputs("data_samples", forbund="Norrdal", rapporterat="vuxenteamen")
    >>> sorted(inp.underlag.nns["forbund"].unique()), sorted(inp.underlag.rapporterat["kalla"].unique())
    (['Norrdal'], ['Vuxenteamen (002)'])
    """
    from . import coding, inputs, kasam

    indata = inputs.load(data_dir, forbund=forbund, period=(period_start, period_end), scenario=scenario,
                         reference_date=reference_date)

    def scored(df):
        return None if df is None or df.empty else kasam.score(df, form=form)

    cb_result = None
    if scenario:
        from . import costbenefit as cb

        costs = indata.unit_costs
        if costs is None:
            raise inputs.InputsError(f"Datamappen {data_dir} har inga enhetskostnader (entitet enhetskostnader), "
                                     f"som scenariot {scenario!r} behöver.")
        cb_result = cb.evaluate(indata.scenario, costs, index=indata.price_index)
    imp = indata.imports("episoder", "handelser", "enkatsvar", "segment", "enhetskostnader")
    reported = indata.reported(rapporterat) if rapporterat.strip() else None
    if reported is not None:
        imp.update({k: v for k, v in indata.imports("rapporterat").items()
                    if any(k.endswith(Path(n.strip()).stem) for n in rapporterat.split(",") if n.strip())})
    u = goals_mod.Underlag(
        episodes=indata.episodes, events=indata.events, kasam_deltagare=scored(indata.kasam_deltagare),
        kasam_personal=scored(indata.kasam_personal), nns=indata.nns, kostnadsnytta=cb_result,
        rapporterat=reported, reference_date=reference_date, forbund=forbund, scale_max=scale_max,
        data_dir=str(indata.data_dir))
    segment, kodbok = indata.segments, None
    if segment is not None and kodbocker:
        kodbok = coding.combine_codebooks(*[k.strip() for k in kodbocker.split(",") if k.strip()])
    mal = indata.goals(mal_fil) if (mal_fil or forbund) else None
    return Inputs(u, segment, kodbok, imp, mal, indata)


# ----------------------------------------------------------------------------------------------
# measures catalogue


def _pct(x, lang) -> str:
    return formatting.percent(x, 0, lang, missing=formatting.MISSING[lang])


def _nr(x, lang, dec=1) -> str:
    return formatting.number(x, dec, lang, missing=formatting.MISSING[lang])


def _episodes(u: goals_mod.Underlag):
    from . import flows

    if u.episodes is None:
        return None
    return flows.prepare_episodes(u.episodes, forbund=u.forbund or None)


def _kasam_pair(u: goals_mod.Underlag, grupp: str, skala: str = "total"):
    """The KASAM change of one group (:func:`evaluation.kasam.change`), or None without two waves."""
    from . import kasam

    scored = u.kasam_deltagare if grupp == "deltagare" else u.kasam_personal
    if scored is None or scored.empty:
        return None
    ch = kasam.change(scored, grupp, forbund=u.forbund, scale=skala)
    if ch.before.empty or ch.after.empty:
        return None
    return ch.before, ch.after, ch.design, ch.result.iloc[0]


def measures(inp: Inputs, period_start=None, period_end=None, min_n: int = 5, lang: str = "sv",
             goal_report: goals_mod.GoalReport | None = None, tabeller=None) -> pd.DataFrame:
    """Catalogue of the report's measures: one row per measure with a key, label, value and text.

    Keys: ``flows.<headline key>``; ``kasam.<deltagare|personal>.<fore|efter|forandring>``;
    ``nns.ind<NN>.<respondentgrupp>.<tidpunkt>`` (latest wave, share in the top two steps);
    ``fokus.<grupp>.<theme>`` (segments mentioning a theme); ``kostnadsnytta.<npv_total|bcr|
    payback_month|projektkostnad|forlorare>``; ``mal.uppnatt``, ``mal.konflikter``. A measure based
    on fewer than ``min_n`` people is left out (small-cell suppression). With the protected table
    set ``tabeller`` (:func:`protected_tables`), a flow or participant-KASAM measure whose cells
    (:data:`evaluation.flows.KEY_FIGURE_CELLS`, the ``kasam`` cell) are not all published shows "–" as its text; its ``varde`` stays the
    whole-population figure recorded in ``results.json``. Under a table set a published count is the sum of its
    cells (:func:`evaluation.flows.cell_count`) and a published share the ratio of its cells
    (:func:`evaluation.flows.cell_share`), as in the deltagarflöden notebook and the board dashboard.

    Returns
    -------
    DataFrame
        ``nyckel, etikett, varde`` (float or NaN for text-only measures), ``text``, ``n``.

    Examples
    --------
    >>> m = measures(Inputs(goals_mod.Underlag()))
    >>> list(m.columns)
    ['nyckel', 'etikett', 'varde', 'text', 'n']
    """
    rows: list[dict] = []
    evaluator_only: dict = {}  # measures no cell of the table set gives: left out for the board

    def add(key, label, value, text, n=None):
        rows.append({"nyckel": key, "etikett": label, "varde": value, "text": text, "n": n})

    u = inp.underlag
    ep = _episodes(u)
    if ep is not None and len(ep):
        from . import flows

        h = flows.headline(ep, u.events, u.reference_date, period_start, period_end)
        n_closed = h["avslutade_i_perioden"]
        skiva = flows.table_slice(u.forbund or "", "", period_start, period_end)
        if tabeller is None:
            add("flows.deltagare", t("report.matt.deltagare", lang), h["antal_deltagare"],
                _nr(h["antal_deltagare"], lang, 0), h["antal_deltagare"])
        else:  # persons are no cell of the table set: the evaluator's (notebook), null in results.json
            evaluator_only["flows.deltagare"] = h["antal_deltagare"]
        for key in (("antal_episoder",) if tabeller is not None else ()) + ("inskrivna_i_perioden",
                                                                             "avslutade_i_perioden"):
            v = h[key]
            if tabeller is not None:  # the board's count is the cells' (flows.CELL_COUNTS)
                c = flows.cell_count(tabeller, key, skiva)
                v = v if pd.isna(c) else int(c)  # a hidden count shows "–" below (its varde never shown)
            add(f"flows.{key}", t(f"report.matt.{key}", lang), v,
                _nr(v, lang, 0) if (v == 0 or v >= min_n) else "–", v)
        def share(key):  # the board's share is the cells' ratio (flows.CELL_SHARES); hidden: "–" below
            c = flows.cell_share(tabeller, key, skiva) if tabeller is not None else np.nan
            return h[key] if pd.isna(c) else float(c)

        if n_closed >= min_n:
            for key in ("egen_forsorjning_efter_andel", "offentlig_fore_andel", "offentlig_efter_andel"):
                if h.get(key) is not None:
                    v = share(key)
                    add(f"flows.{key}", t(f"report.matt.{key}", lang), v, f"{_pct(v, lang)} (n = {n_closed})", n_closed)
        if h.get("handlingsplan_i_tid_andel") is not None:
            # its base: the episodes whose step första möte -> handlingsplan is judged (the handlingsplan cell)
            n_plan = (flows.cell_value(tabeller, "handlingsplan", forbund=u.forbund or "", period="alla")
                      if tabeller is not None else np.nan)
            if (pd.isna(n_plan) and (tabeller is not None or n_closed >= min_n)) or n_plan >= min_n:
                v = share("handlingsplan_i_tid_andel")
                add("flows.handlingsplan_i_tid_andel", t("report.matt.handlingsplan_i_tid_andel", lang), v,
                    _pct(v, lang) + ("" if pd.isna(n_plan) else f" (n = {int(n_plan)})"),
                    None if pd.isna(n_plan) else int(n_plan))
        if n_closed >= min_n:
            if h.get("tid_median_manader") is not None:
                add("flows.tid_median_manader", t("report.matt.tid_median_manader", lang), h["tid_median_manader"],
                    f"{_nr(h['tid_median_manader'], lang)} {t('report.manader', lang)} (n = {n_closed})", n_closed)
    for grupp in ("deltagare", "personal"):
        pair = _kasam_pair(u, grupp)
        if pair is None:
            continue
        _, _, design, r = pair
        if grupp == "personal":  # the board's figures: cells of the protected staff table
            r = {**r, **surveytables_staff(survey_tables(inp, "kasam_personal", min_n), u.forbund, pair)}
            if pd.isna(r["n"]):
                continue
        n = int(r["n"])
        if n < min_n:
            continue
        lbl = t(f"report.matt.kasam.{grupp}", lang)
        add(f"kasam.{grupp}.fore", f"{lbl}, {t('report.fore', lang)}", r["mean_before"],
            f"{_nr(r['mean_before'], lang)} ({t('report.design.' + design.name, lang)}, n = {n})", n)
        add(f"kasam.{grupp}.efter", f"{lbl}, {t('report.efter', lang)}", r["mean_after"],
            f"{_nr(r['mean_after'], lang)} (n = {n})", n)
        add(f"kasam.{grupp}.forandring", f"{lbl}, {t('report.forandring', lang)}", r["mean_diff"],
            t("report.kasam_forandring", lang, diff=_nr(r["mean_diff"], lang), lag=_nr(r["ci_low"], lang),
              hog=_nr(r["ci_high"], lang), n=n), n)
    if u.nns is not None and len(u.nns):
        from . import indicators

        survey = u.nns[u.nns["forbund"] == u.forbund] if u.forbund else u.nns
        if len(survey):
            latest = sorted(survey["vag"].dropna().unique())[-1]
            r = indicators.indicator_results(survey, scale_max=u.scale_max, min_n=min_n,
                                             tabeller=survey_tables(inp, "nns", min_n))
            r = r[(r["vag"] == latest) & r["andel_topp2"].notna()]
            several = r["forbund"].nunique() > 1  # never pooled: one measure per förbund
            for x in r.itertuples():
                add(f"nns.ind{int(x.indikator):02d}.{x.respondentgrupp}.{x.tidpunkt}"
                    + (f".{x.forbund}" if several else ""),
                    t("report.matt.nns", lang, nr=int(x.indikator), grupp=formatting.label(x.respondentgrupp, lang).lower(),
                      tidpunkt=formatting.label(x.tidpunkt, lang).lower(), vag=latest),
                    x.andel_topp2, t("report.nns_text", lang, andel=_pct(x.andel_topp2, lang),
                                     medel=_nr(x.medel, lang), n=int(x.n)), int(x.n))
    if inp.segment is not None and inp.kodbok is not None and len(inp.segment):
        from . import coding

        tal = coding.board_tally(coding.tally(inp.segment, inp.kodbok, by="grupp", level="tema", tvarkoder=False,
                                              tabeller=survey_tables(inp, "fokus", min_n)), min_n=min_n)
        names = inp.kodbok.labels(lang)
        for x in tal.itertuples():
            if x.undertryckt or not x.segment:
                continue
            add(f"fokus.{x.grupp}.{x.kod}", t("report.matt.fokus", lang, tema=names.get(x.kod, x.kod), grupp=x.grupp),
                x.andel_segment, t("report.fokus_text", lang, k=int(x.segment), n=int(x.segment_totalt),
                                   andel=_pct(x.andel_segment / 100 if x.andel_segment > 1 else x.andel_segment, lang),
                                   talare=int(x.talare_totalt)), int(x.talare_totalt))
    if u.kostnadsnytta is not None:
        from . import costbenefit as cb

        h = cb.headline(u.kostnadsnytta)
        add("kostnadsnytta.npv_total", t("report.matt.npv_total", lang), h["npv_total"],
            f"{_nr(h['npv_total'] / 1e6, lang, 1)} {t('report.mkr', lang)} ({h['scenario']}, {h['horisont_ar']} {t('report.ar', lang)})")
        add("kostnadsnytta.bcr", t("report.matt.bcr", lang), h["bcr"], _nr(h["bcr"], lang, 2))
        add("kostnadsnytta.projektkostnad", t("report.matt.projektkostnad", lang), h["pv_kostnader"],
            f"{_nr(h['pv_kostnader'] / 1e6, lang, 1)} {t('report.mkr', lang)}")
        if h.get("payback_month") is not None:
            add("kostnadsnytta.payback_month", t("report.matt.payback", lang), h["payback_month"],
                f"{int(h['payback_month'])} {t('report.manader', lang)}")
        add("kostnadsnytta.forlorare", t("report.matt.forlorare", lang), float(len(h["forlorare"])),
            ", ".join(_actor(a, lang) for a in h["forlorare"]) if h["forlorare"] else t("report.inga", lang))
    if goal_report is not None and len(goal_report.mal):
        gh = goals_mod.headline(goal_report)
        add("mal.uppnatt", t("report.matt.mal", lang), float(gh["per_status"]["uppnatt"]),
            t("report.mal_text", lang, uppnatt=gh["per_status"]["uppnatt"], antal=gh["antal"],
              delvis=gh["per_status"]["delvis"], ej=gh["per_status"]["ej_uppnatt"],
              ejm=gh["per_status"]["ej_matbart"]))
        if gh["konflikter"]:
            add("mal.konflikter", t("report.matt.konflikter", lang), float(len(gh["konflikter"])),
                ", ".join(gh["konflikter"]))
    out = pd.DataFrame(rows, columns=["nyckel", "etikett", "varde", "text", "n"])
    if tabeller is not None and len(out):
        from . import flows

        period = flows.table_period(period_start, period_end)
        pair = _kasam_pair(u, "deltagare")
        paired = pair is None or pair[2].paired
        ok = [_measure_published(k, tabeller, u.forbund or "", period, paired) for k in out["nyckel"]]
        out["text"] = out["text"].where(ok, t("suppressed_short", lang))
    out.attrs["utvarderare"] = evaluator_only  # headline(): null and not published in results.json
    return out


def _match(meas: pd.DataFrame, patterns) -> pd.DataFrame:
    keys = [k for p in patterns for k in meas["nyckel"] if fnmatch.fnmatchcase(k, p)]
    keys = list(dict.fromkeys(keys))
    return meas.set_index("nyckel").loc[keys].reset_index() if keys else meas.iloc[:0]


def delta_matrix(meas: pd.DataFrame, lang: str = "sv") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill the DELTA 3 × 3 matrix with the measures available for each cell.

    Parameters
    ----------
    meas : DataFrame
        Output of :func:`measures`.

    Returns
    -------
    (DataFrame, DataFrame)
        The 3 × 3 display matrix (rows förutsättningar / process / resultat, columns deltagare /
        medarbetare / organisation, labelled in ``lang``; each cell the lines ``label: value`` or a
        note that the cell must be described qualitatively), and the long form ``rad, kolumn,
        nyckel, etikett, text``.

    Examples
    --------
    >>> m = pd.DataFrame({"nyckel": ["flows.deltagare"], "etikett": ["Deltagare"], "varde": [40.0],
    ...                   "text": ["40"], "n": [40]})
    >>> grid, long = delta_matrix(m)
    >>> grid.shape, long["rad"].tolist()
    ((3, 3), ['forutsattningar'])
    """
    spec = delta_spec()
    grid = pd.DataFrame(index=list(spec["rader"]), columns=list(spec["kolumner"]), dtype=object)
    long = []
    for rad, cols in spec["celler"].items():
        for kol, patterns in cols.items():
            hit = _match(meas, patterns)
            for x in hit.itertuples():
                long.append({"rad": rad, "kolumn": kol, "nyckel": x.nyckel, "etikett": x.etikett, "text": x.text})
            grid.loc[rad, kol] = "\n".join(f"{x.etikett}: {x.text}" for x in hit.itertuples()) \
                if len(hit) else t("report.delta_tom", lang)
    grid.index = [spec["rader"][r][lang] for r in grid.index]
    grid.columns = [spec["kolumner"][c][lang] for c in grid.columns]
    return grid, pd.DataFrame(long, columns=["rad", "kolumn", "nyckel", "etikett", "text"])


def success_levels(meas: pd.DataFrame, lang: str = "sv") -> pd.DataFrame:
    """The three success levels with the measures that speak to each.

    Returns
    -------
    DataFrame
        ``grad`` (1–3), ``rubrik``, ``antal_matt``, ``underlag`` (``label: value`` lines or a note
        that the level must be argued qualitatively).

    Examples
    --------
    >>> success_levels(pd.DataFrame(columns=["nyckel", "etikett", "varde", "text", "n"]))["grad"].tolist()
    [1, 2, 3]
    """
    rows = []
    for lvl in delta_spec()["framgangsgrader"]:
        hit = _match(meas, lvl["matt"])
        rows.append({"grad": int(lvl["grad"]), "rubrik": lvl["rubrik"][lang], "antal_matt": int(len(hit)),
                     "underlag": "\n".join(f"{x.etikett}: {x.text}" for x in hit.itertuples())
                     if len(hit) else t("report.grad_tom", lang)})
    return pd.DataFrame(rows)


def caveats(inp: Inputs, goal_report: goals_mod.GoalReport | None = None, min_n: int = 5,
            lang: str = "sv") -> list[str]:
    """Caveats printed with the report: comparison group, gross vs net, exits, provenance, suppression.

    Examples
    --------
    >>> c = caveats(Inputs(goals_mod.Underlag()))
    >>> c[0].startswith("Ingen jämförelsegrupp")
    True
    """
    u = inp.underlag
    out = [t("caveat.no_comparison_group", lang)]
    if u.kostnadsnytta is not None:
        from . import costbenefit as cb

        out += [c for c in cb.caveats(u.kostnadsnytta, lang) if c not in out]
    else:
        out.append(t("caveat.gross_vs_net", lang))
    if u.episodes is not None:
        out.append(t("report.forbehall.avslut", lang))
    if u.kasam_deltagare is not None or u.kasam_personal is not None:
        out.append(t("report.forbehall.kasam", lang))
    if u.nns is not None:
        out.append(t("report.forbehall.nns", lang, skala=u.scale_max))
    prov = []
    if goal_report is not None and len(goal_report.indikatorer):
        ind = goal_report.indikatorer
        rep = ind[~ind["proveniens"].isin(["beraknad", "kvalitativ", ""])]
        prov += [f"{t('goals.kol.id', lang)} {x.mal_id}: {x.namn} ({goals_mod._prov_label(x.proveniens, lang)})"
                 for x in rep.itertuples()]
    if u.rapporterat is not None and len(u.rapporterat):
        counts = u.rapporterat["proveniens"].value_counts()
        from .vocabulary import label

        prov.append(t("report.forbehall.rapporterade_tabeller", lang, antal=len(u.rapporterat),
                      fordelning=", ".join(f"{label('proveniens', k, lang).lower()} {v}" for k, v in counts.items())))
    out.append(t("report.forbehall.proveniens", lang) + (" " + "; ".join(prov) + "." if prov
                                                          else " " + t("report.forbehall.allt_beraknat", lang)))
    out.append(disclosure.footnote(min_n, lang, secondary=True))
    return out


# ----------------------------------------------------------------------------------------------
# tables


def _kon_label(code: str, lang: str) -> str:
    from .vocabulary import label

    try:
        return label("kon", code, lang)
    except Exception:  # totals and non-vocabulary columns keep their text
        return code


# ----------------------------------------------------------------------------------------------
# the protected table set (issue 15): every flow and KASAM count a board sees is one of its cells


def protected_tables(inp: Inputs, min_n: int = 5):
    """The protected table set (:mod:`evaluation.tableset`) the report's flow and KASAM tables slice.

    In a run (``evaluation run``) the snapshot's own table set (:func:`evaluation.tableset.current`,
    the Parquet file every output of the snapshot is cut from); outside a run (an evaluator's
    JupyterLab) :func:`evaluation.tableset.for_data` on the same data: every förbund of the data
    folder (:meth:`evaluation.inputs.Inputs.protected_tables`). Inputs made in memory (no data
    folder) are protected as they are.

    Returns
    -------
    evaluation.tableset.TableSet or None
        None when the inputs have no episodes (no table set can be built).

    Examples
    --------
    >>> protected_tables(Inputs(goals_mod.Underlag())) is None
    True
    """
    import types

    from . import flows, tableset

    u = inp.underlag
    if u.episodes is None or not len(u.episodes):
        return None
    if inp.indata is not None:
        return inp.indata.protected_tables(min_n, reference_date=u.reference_date)
    episodes = flows.prepare_episodes(u.episodes)
    ref = (pd.Timestamp(u.reference_date).normalize() if u.reference_date else
           max(x for x in (episodes["inskrivningsdatum"].max(), episodes["avslutsdatum"].max()) if pd.notna(x)))
    data = types.SimpleNamespace(episodes=flows.classify_exits(episodes, ref), kasam_scores=u.kasam_deltagare,
                                 reference_date=ref, events=u.events)
    return tableset.for_data(data, min_n=min_n)


def survey_tables(inp: Inputs, kind: str, min_n: int = 5):
    """The protected NNS (``kind="nns"``), focus-group (``"fokus"``) or staff KASAM
    (``"kasam_personal"``) table the report's NNS, focus-group and staff KASAM figures are cells of
    (:mod:`evaluation.surveytables`): the snapshot's in a run, else
    built from every förbund of the data folder (or, for inputs made in memory, from the inputs) and
    protected; computed once per :class:`Inputs`.

    Returns
    -------
    evaluation.tableset.TableSet or None
        None when the inputs have no such data.

    Examples
    --------
    >>> survey_tables(Inputs(goals_mod.Underlag()), "nns") is None
    True
    """
    from . import surveytables, tableset

    memo = inp.__dict__.setdefault("_survey_tables", {})
    if (kind, min_n) in memo:
        return memo[(kind, min_n)]
    u = inp.underlag
    data = {"nns": u.nns, "fokus": inp.segment, "kasam_personal": u.kasam_personal}[kind]
    if data is None or not len(data):
        ts = None
    elif kind == "kasam_personal":  # staff scores: every förbund of the folder, else the inputs' own
        ts = surveytables.for_inputs(inp.indata, kind, min_n=min_n) if inp.indata is not None else None
        if ts is None:
            ts = surveytables.current(kind) or tableset.protect_cached(surveytables.build_staff_kasam(data, min_n))
    elif inp.indata is not None:
        ts = surveytables.for_inputs(inp.indata, kind, min_n=min_n, scale_max=u.scale_max, codebook=inp.kodbok)
    elif kind == "nns":
        ts = surveytables.current("nns", u.data_dir or None) or tableset.protect_cached(surveytables.build_nns(data, u.scale_max, min_n))
    else:
        ts = surveytables.current("fokus", u.data_dir or None) or tableset.protect_cached(
            surveytables.build_focus(data, inp.kodbok, min_n=min_n))
    memo[(kind, min_n)] = ts
    return ts


def _shown_cell(v: float) -> bool:
    return not (v == 0)


def _no_period(caption: str, period_start, period_end, lang: str) -> Block:
    """One line instead of a table when the report period is not a slice of the table set."""
    return Block("text", caption, t("report.ingen_tabellperiod", lang,
                                    period=formatting.period(period_start, period_end, lang)))


def _protected_crosstab(ts, matt: str, row_dim: str, dims: dict, lang: str, row_label: str,
                        labeler: Callable[[str], str] = str, keep=None) -> pd.DataFrame:
    """Rows × kön of one measure with both totals, read from the table set (suppressed: "–")."""
    from . import flows

    val = flows.cell_value
    kons = [k for k in flows._domain(ts, matt, "kon") if _shown_cell(val(ts, matt, **dims, kon=k))]
    rows = [r for r in flows._domain(ts, matt, row_dim) if _shown_cell(val(ts, matt, **dims, **{row_dim: r}))
            and (keep is None or r in keep)]  # keep: the förbund's own insatser (not others' hidden zeros)
    if not rows:
        return pd.DataFrame()
    kons = sorted(kons)
    rows = sorted(rows, key=lambda r: labeler(r))
    index = [labeler(r) for r in rows] + [disclosure.TOTAL]
    cols = [_kon_label(k, lang) for k in kons] + [disclosure.TOTAL]
    values = pd.DataFrame(
        [[val(ts, matt, **dims, **{row_dim: r}, kon=k) for k in kons + [""]] for r in rows + [""]],
        index=index, columns=cols, dtype=float)
    mask = values.isna()
    st = disclosure.SuppressedTable(values, mask, mask.map(lambda m: "undertryckt" if m else ""), min_n=ts.min_n)
    out = disclosure.format_table(st, lang=lang)
    out.index.name = row_label
    return out.reset_index()


def surveytables_staff(ts, forbund: str, pair) -> dict:
    """Staff KASAM of the report from the protected staff table (:func:`evaluation.surveytables.staff_change`).

    ``pair`` is :func:`_kasam_pair` of the staff (its waves and design); returns ``n, mean_before,
    mean_after, mean_diff, ci_low, ci_high, p`` (NaN where a wave cell is suppressed; the test
    columns NaN for a paired design, whose interval is not a function of the cells).

    Examples
    --------
    Five answers per wave (by hand: means 120 and 130); the interval equals the evaluator's Welch test
    on the answers (:func:`evaluation.kasam.change`):

    >>> from evaluation import kasam, surveytables, tableset
    >>> sc = pd.DataFrame({"respondent_id": list("abcdefghij"), "forbund": "X", "vag": ["2024"] * 5 + ["2025"] * 5,
    ...                    "kon": "kvinna", "total": [100.0, 110, 120, 130, 140, 120, 125, 130, 135, 140]})
    >>> ch = kasam.change(sc, "personal")
    >>> r = surveytables_staff(tableset.protect(surveytables.build_staff_kasam(sc)), "X", (ch.before, ch.after, ch.design))
    >>> float(r["n"]), float(r["mean_diff"]), bool(abs(r["ci_low"] - ch.result["ci_low"].iloc[0]) < 1e-9)
    (10.0, 10.0, True)
    """
    from . import surveytables

    class _Change:  # the waves and design of the evaluator's comparison
        before, after, design = (pair[0], pair[1], pair[2]) if pair is not None else (None, None, None)

    row = surveytables.staff_result(ts, forbund, _Change).iloc[0]
    return {k: row[k] for k in ("n", "mean_before", "mean_after", "mean_diff", "ci_low", "ci_high", "p")}


def _kasam_cell(ts, forbund: str, kon: str = "", paired: bool = True) -> dict | None:
    """KASAM change of one group from the published cells of the protected table set.

    :func:`evaluation.kasam.change_from_cells` with the design of the whole förbund (``paired``, as
    the notebook's :func:`evaluation.kasam.change`): paired from the ``kasam`` cell's moments, unpaired
    (Welch) from the ``kasam_fore`` / ``kasam_efter`` cells. n (pairs, or n_before + n_after), the
    mean before and after, the mean change, its 95 % CI and p; every value NaN when a cell it uses
    is suppressed, None when the group has no answers.
    """
    from . import kasam

    r = kasam.change_from_cells(ts, forbund=forbund, kon=kon, period="alla", paired=paired)
    keys = ["mean_before", "mean_after", "mean_diff", "ci_low", "ci_high", "p"]
    if r["undertryckt"]:
        return {"n": np.nan, **{k: np.nan for k in keys}}
    if not r["n"] > 0:
        return None
    return {"n": r["n"], **{k: r[k] for k in keys}}


def _measure_published(key: str, ts, forbund: str, period: str | None, kasam_paired: bool = True) -> bool:
    """Whether every table-set cell a measure uses is published (measures outside the set: True);
    the participants' KASAM: the pairs cell (paired) or both wave cells (unpaired)."""
    from . import flows, kasam

    if ts is None:
        return True
    if key.startswith("kasam.deltagare."):
        return not kasam.change_from_cells(ts, forbund=forbund, paired=kasam_paired)["undertryckt"]
    cells = flows.KEY_FIGURE_CELLS.get(key.removeprefix("flows.")) if key.startswith("flows.") else None
    if cells is None:
        return True
    return flows.published(ts, {"forbund": forbund, "period": period}, cells)


def _cost_blocks(ts, lang: str, min_n: int) -> list[Block]:
    """The price of protection for the evaluator (:meth:`evaluation.tableset.TableSet.cost`)."""
    if ts is None:
        return [Block("text", t("report.tabell.skydd", lang), t("report.skydd.saknas", lang))]
    c = ts.cost()
    rows = [(t("report.skydd.celler", lang), formatting.number(c["celler"], 0, lang)),
            (t("report.skydd.primara", lang, min_n=c["min_n"]), formatting.number(c["primart_undertryckta"], 0, lang)),
            (t("report.skydd.sekundara", lang), formatting.number(c["sekundart_undertryckta"], 0, lang)),
            (t("report.skydd.andel_sekundara", lang), formatting.percent(c["andel_sekundart"], 1, lang)),
            (t("report.skydd.andel_undertryckta", lang), formatting.percent(c["andel_undertryckta"], 1, lang)),
            (t("report.skydd.skyddsniva", lang), formatting.number(c["skyddsniva"], 0, lang))]
    tab = pd.DataFrame(rows, columns=[t("report.kol.matt", lang), t("report.kol.varde", lang)])
    return [Block("tabell", t("report.tabell.skydd", lang), tab),
            Block("text", "", t("report.skydd.text", lang, min_n=c["min_n"],
                                niva=formatting.number(c["skyddsniva"], 0, lang)))]


def gender_tables(inp: Inputs, period_start=None, period_end=None, min_n: int = 5,
                  lang: str = "sv", tabeller=None) -> list[tuple[str, pd.DataFrame]]:
    """Gender-split tables (kön) for the jämställdhetsintegrering section, all suppressed.

    Tables: participants per insats × kön (``aktiva`` in the period) and exits per SUS category ×
    kön (``sus``) with their totals; own support after exit per kön (``egen`` ja / (ja + nej), n =
    ``avslutade``); time in insats per kön (rows of the ``avslutade`` cells); KASAM before/after
    per kön (the ``kasam`` cells' moments): all slices of the protected table set ``tabeller``
    (default :func:`protected_tables`), "–" where a cell is not published. NNS indicators per kön
    (participants, latest wave) are cells of the protected NNS table (:func:`survey_tables`).

    Returns
    -------
    list of (caption, DataFrame of str)

    Examples
    --------
    >>> gender_tables(Inputs(goals_mod.Underlag()))
    []
    """
    from . import flows

    u = inp.underlag
    out: list[tuple[str, pd.DataFrame]] = []
    ep = _episodes(u)
    ts = protected_tables(inp, min_n) if tabeller is None else tabeller
    fb = u.forbund or ""
    period = flows.table_period(period_start, period_end)
    if ep is not None and len(ep) and ts is not None and period is not None:
        dims = {"forbund": fb, "period": period}
        out.append((t("report.tabell.insats_kon", lang),
                    _protected_crosstab(ts, "aktiva", "insats", dims, lang, t("insats", lang),
                                        keep=set(ep["insats"].astype(str)))))
        if flows.cell_value(ts, "avslutade", **dims) != 0:
            out.append((t("report.tabell.avslut_kon", lang),
                        _protected_crosstab(ts, "sus", "kategori", dims, lang, t("report.kol.avslutskategori", lang),
                                            labeler=lambda k: _sus_label(k, lang))))
            rows, hidden = [], []
            for kon in sorted(flows._domain(ts, "avslutade", "kon")):  # the key figure egen_efter per kön
                n = flows.cell_value(ts, "avslutade", **dims, kon=kon)
                if n == 0:
                    continue
                ja = flows.cell_value(ts, "egen", **dims, kon=kon, kategori="ja")
                nej = flows.cell_value(ts, "egen", **dims, kon=kon, kategori="nej")
                share = ja / (ja + nej) * 100 if (ja + nej) > 0 else np.nan  # NaN when either is hidden
                rows.append({t("kon", lang): _kon_label(str(kon), lang), "n": n, t("report.kol.egen_andel", lang): share})
                hidden.append([False, pd.isna(n), pd.isna(share) and not (ja + nej == 0)])
            tab = pd.DataFrame(rows, columns=[t("kon", lang), "n", t("report.kol.egen_andel", lang)])
            tab.attrs["undertryckt_celler"] = pd.DataFrame(hidden, columns=tab.columns, index=tab.index, dtype=bool)
            tab[disclosure.FLAG] = tab.attrs["undertryckt_celler"].any(axis=1)
            out.append((t("report.tabell.egen_kon", lang), disclosure.format_table(tab, lang=lang)))
            tid = flows.time_in_insats(ep, u.reference_date, by=["kon"], period_start=period_start,
                                       period_end=period_end, min_n=None)
            tid = flows.protected_rows(tid, ts, by=["kon"], forbund=fb, period=period)
            out.append((t("report.tabell.tid_kon", lang), flows.board_table(tid, lang=lang)))
    pair = _kasam_pair(u, "deltagare")
    if pair is not None:
        from . import compare

        before, after, design, _ = pair
        if ts is not None:  # the whole förbund's design, as the notebook's kön rows
            wave = "kasam" if design.paired else "kasam_fore"
            kons = sorted(set(flows._domain(ts, wave, "kon")) | set(flows._domain(ts, "kasam_efter", "kon")
                                                                   if not design.paired else []))
            recs = [(k, _kasam_cell(ts, fb, k, paired=design.paired)) for k in kons]
            sub = pd.DataFrame([{"kon": k, **r} for k, r in recs if r is not None])
            sub = sub.sort_values("n", ascending=False, kind="stable", na_position="last")
            sub["undertryckt"] = sub["n"].isna()
        else:
            sub = compare.before_after_by(before, after, by="kon", paired=design.paired, min_n=min_n)
        sub = sub.assign(kon=sub["kon"].map(lambda k: _kon_label(str(k), lang)))
        tab = sub[["kon", "n", "mean_before", "mean_after", "mean_diff", "ci_low", "ci_high", "undertryckt"]]
        if ts is None:  # the table set's cells are already protected
            tab = disclosure.suppress_rows(tab.drop(columns="undertryckt"), n_col="n", min_n=min_n)
        tab = tab.reset_index(drop=True)
        tab.columns = [t("kon", lang), "n", t("report.fore", lang), t("report.efter", lang),
                       t("report.forandring", lang), t("report.ki_lag", lang), t("report.ki_hog", lang), "undertryckt"]
        out.append((t("report.tabell.kasam_kon", lang), disclosure.format_table(tab, lang=lang)))
    if u.nns is not None and len(u.nns):
        from . import indicators

        s = u.nns[(u.nns["forbund"] == u.forbund) if u.forbund else slice(None)]
        s = s[s["respondentgrupp"] == "deltagare"]
        if len(s) and "kon" in s:
            latest = sorted(s["vag"].dropna().unique())[-1]
            cur = s[s["vag"] == latest]
            nns_ts = survey_tables(inp, "nns", min_n)
            if nns_ts is not None:  # cells of the protected NNS table (kön is one of its dimensions)
                by = ("respondentgrupp", "tidpunkt", "vag", "kon") + (("forbund",) if u.forbund else ())
                r = _noattrs(indicators.indicator_results(cur[cur["kon"].notna()], by=by, scale_max=u.scale_max,
                                                          min_n=min_n, tabeller=nns_ts))
                r = r if len(r) else pd.DataFrame(columns=["tidpunkt", "kon"])
            else:
                parts = [_noattrs(indicators.indicator_results(sub, by=("respondentgrupp", "tidpunkt"),
                                                               scale_max=u.scale_max, min_n=min_n)).assign(kon=str(kon))
                         for kon, sub in cur.groupby("kon", observed=True)]
                r = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["tidpunkt", "kon"])
            r = r[r["tidpunkt"] == "avslut"] if (r["tidpunkt"] == "avslut").any() else r
            if len(r):
                wide = r.pivot_table(index="indikator", columns="kon", values=["n", "andel_topp2"], aggfunc="first",
                                     dropna=False)
                tab = pd.DataFrame({t("report.kol.indikator", lang): wide.index.astype(int)})
                for kon in sorted(r["kon"].dropna().unique()):
                    n = wide[("n", kon)].to_numpy()
                    share = wide[("andel_topp2", kon)].to_numpy() * 100
                    tab[f"{_kon_label(kon, lang)}: n"] = [disclosure.format_number(x, lang, 0) if not pd.isna(x)
                                                        else t("suppressed_short", lang) for x in n]
                    tab[f"{_kon_label(kon, lang)}: {t('report.kol.topp2', lang)}"] = [
                        disclosure.format_number(x, lang, 0) if not pd.isna(x) else t("suppressed_short", lang)
                        for x in share]
                out.append((t("report.tabell.nns_kon", lang, vag=latest), tab))
    return [(c, d) for c, d in out if d is not None and len(d)]


def _noattrs(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.attrs = {}  # frames in attrs make pd.concat fail (pandas compares attrs)
    return out


def _sus_label(code, lang: str) -> str:
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return t("saknas", lang)
    try:
        return t(f"flows.kategori.{code}", lang)
    except KeyError:  # a category without a label is shown as its code
        return str(code)


def _actor(code: str, lang: str) -> str:
    from .vocabulary import label

    try:
        return label("aktor", code, lang)
    except Exception:  # 'totalt', 'samhalle' etc. are not in the actor vocabulary
        return code


# ----------------------------------------------------------------------------------------------
# blocks and report


@dataclass
class Block:
    """One piece of filled content: ``typ`` ``"text"``, ``"lista"``, ``"tabell"`` or ``"figur"`` (a plotly figure)."""

    typ: str
    rubrik: str = ""
    innehall: Any = None
    fotnot: str = ""


@dataclass
class Section:
    """An ESF section with its prompts and filled blocks."""

    nummer: int
    rubrik: str
    fragor: list[str]
    block: list[Block]

    @property
    def titel(self) -> str:
        return f"{self.nummer} {self.rubrik}"


@dataclass
class Report:
    """The assembled report (see :func:`build`)."""

    titel: str
    forbund: str
    period_start: str | None
    period_end: str | None
    lang: str
    min_n: int
    avsnitt: list[Section]
    matt: pd.DataFrame
    delta: pd.DataFrame
    delta_lang: pd.DataFrame
    framgang: pd.DataFrame
    forbehall: list[str]
    mal: goals_mod.GoalReport | None = None
    bilaga: list[Block] = field(default_factory=list)


def _table(caption, df, min_n, lang, note=True) -> Block:
    """A table block; a table whose every cell is hidden becomes one explanatory line."""
    from . import flows

    if isinstance(df, pd.DataFrame) and flows.all_hidden(formatting.board_frame(df, lang)):
        return Block("text", caption, t("report.allt_undertryckt", lang, min_n=min_n))
    return Block("tabell", caption, df, disclosure.footnote(min_n, lang, secondary=True) if note else "")


#: The block builders, by the name used under ``fyll`` in ``esf_slutrapport.yaml`` (see :func:`block`).
BLOCK_BUILDERS: dict[str, Callable[[dict], list[Block]]] = {}


def block(*names: str):
    """Register a block builder under one or more ``fyll`` names (a decorator).

    A builder takes the report context (a dict with ``inp, lang, min_n, period_start, period_end,
    matt, episodes, mal, delta, framgang, forbehall, data_dir, metod`` and, for builders registered
    under several names, ``name``) and returns its list of :class:`Block`; an empty list leaves the
    section without that block.

    Examples
    --------
    >>> @block("exempel_block")
    ... def _exempel(ctx):
    ...     return [Block("text", "", "Hej")]
    >>> _blocks("exempel_block", {})[0].innehall
    'Hej'
    >>> del BLOCK_BUILDERS["exempel_block"]
    """
    def register(fn):
        for n in names:
            if n in BLOCK_BUILDERS:
                raise ValueError(f"report block {n!r} registered twice")
            BLOCK_BUILDERS[n] = fn
        return fn
    return register


def _none(lang: str) -> list[Block]:
    return [Block("text", "", t("report.inget_underlag", lang))]


@block("sammanfattning")
def _block_sammanfattning(ctx: dict) -> list[Block]:
    lang = ctx["lang"]
    meas = ctx["matt"]
    none = _none(lang)
    keys = ["flows.deltagare", "flows.antal_episoder", "flows.avslutade_i_perioden", "flows.egen_forsorjning_efter_andel",
            "kasam.deltagare.forandring", "kasam.personal.forandring", "kostnadsnytta.npv_total",
            "kostnadsnytta.bcr", "mal.uppnatt", "mal.konflikter"]
    m = _match(meas, keys)
    if not len(m):
        return none
    return [Block("tabell", t("report.tabell.nyckeltal", lang),
                  m[["etikett", "text"]].set_axis([t("report.kol.matt", lang), t("report.kol.varde", lang)], axis=1))]


@block("deltagarfloden")
def _block_deltagarfloden(ctx: dict) -> list[Block]:
    lang = ctx["lang"]
    meas = ctx["matt"]
    none = _none(lang)
    m = _match(meas, ["flows.*"])
    return [Block("tabell", t("report.tabell.floden", lang),
                  m[["etikett", "text"]].set_axis([t("report.kol.matt", lang), t("report.kol.varde", lang)], axis=1))] \
        if len(m) else none


@block("avslut")
def _block_avslut(ctx: dict) -> list[Block]:
    inp = ctx["inp"]
    u = inp.underlag
    lang = ctx["lang"]
    min_n = ctx["min_n"]
    ps = ctx["period_start"]
    pe = ctx["period_end"]
    ep = ctx["episodes"]
    none = _none(lang)
    if ep is None:
        return none
    from . import flows

    ts, period, caption = ctx["tabeller"], ctx["tabellperiod"], t("report.tabell.avslut", lang)
    intro = Block("text", "", t("flows.caveat.exit_not_self_sufficiency", lang))
    if ts is None:
        return none
    if period is None:
        return [intro, _no_period(caption, ps, pe, lang)]
    ex = flows.protected_exits(ts, ctx["forbund"], period, level="sus_kategori")
    if not len(ex):
        return none
    table = _table(caption, flows.board_table(ex, lang=lang), min_n, lang)
    if "bekraftad" not in ex.columns:  # the confirmation split is not a cell of the table set: say so
        table.fotnot = ". ".join(x for x in (table.fotnot, t("flows.ingen_bekraftelse", lang)) if x)
    if ex.drop(columns=["kategori", "andel", "undertryckt"]).isna().any().any():  # a figure uses every cell
        fig = Block("text", "", t("report.figur_undertryckt", lang), disclosure.footnote(min_n, lang, secondary=True))
    else:
        fig = Block("figur", caption, flows.figure_exits(ex, lang=lang))
    return [intro, table, fig]


@block("forsorjning")
def _block_forsorjning(ctx: dict) -> list[Block]:
    inp = ctx["inp"]
    u = inp.underlag
    lang = ctx["lang"]
    min_n = ctx["min_n"]
    ps = ctx["period_start"]
    pe = ctx["period_end"]
    ep = ctx["episodes"]
    none = _none(lang)
    if ep is None:
        return none
    from . import flows

    ts, period, caption = ctx["tabeller"], ctx["tabellperiod"], t("report.tabell.forsorjning", lang)
    if ts is None:
        return none
    if period is None:
        return [_no_period(caption, ps, pe, lang)]
    rep = flows.protected_outcome(ts, ctx["forbund"], period, "forsorjningsgrupp_efter",
                                  insatser=set(ep["insats"].astype(str)))
    if not len(rep):
        return none
    return [_table(caption, flows.format_report(rep, "forsorjningsgrupp_efter", lang), min_n, lang)]


@block("kasam")
def _block_kasam(ctx: dict) -> list[Block]:
    inp = ctx["inp"]
    u = inp.underlag
    lang = ctx["lang"]
    min_n = ctx["min_n"]
    none = _none(lang)
    rows = []
    for grupp in ("deltagare", "personal"):
        pair = _kasam_pair(u, grupp)
        if pair is None:
            continue
        _, _, design, r = pair
        ts = ctx.get("tabeller")
        if grupp == "personal":  # staff: two wave cells of the protected staff table (Welch from moments)
            st = survey_tables(inp, "kasam_personal", min_n)
            r = {**r, **surveytables_staff(st, ctx["forbund"], pair)}
        if grupp == "deltagare" and ts is not None:  # participants: the table set's published moments
            cell = _kasam_cell(ts, ctx["forbund"], paired=design.paired)  # NaN throughout where suppressed
            if cell is not None:
                r = {**r, **cell}
        rows.append({t("report.kol.grupp", lang): t(f"report.matt.kasam.{grupp}", lang),
                     t("report.kol.design", lang): t(f"report.design.{design.name}", lang), "n": r["n"],
                     t("report.fore", lang): r["mean_before"], t("report.efter", lang): r["mean_after"],
                     t("report.forandring", lang): r["mean_diff"], t("report.ki_lag", lang): r["ci_low"],
                     t("report.ki_hog", lang): r["ci_high"], "p": r["p"]})
    if not rows:
        return none
    tab = pd.DataFrame(rows)
    hidden = tab["n"].isna()  # a participant cell the table set does not publish
    tab = disclosure.suppress_rows(tab, n_col="n", min_n=min_n)
    tab[disclosure.FLAG] = tab[disclosure.FLAG] | hidden
    shown = disclosure.format_table(tab, lang=lang)
    shown["p"] = [t("suppressed_short", lang) if sup else _nr(p, lang, 3) for p, sup in zip(tab["p"], tab["undertryckt"])]
    return [_table(t("report.tabell.kasam", lang), shown, min_n, lang),
            Block("text", "", t("caveat.descriptive_only", lang))]


@block("nns")
def _block_nns(ctx: dict) -> list[Block]:
    lang = ctx["lang"]
    min_n = ctx["min_n"]
    meas = ctx["matt"]
    none = _none(lang)
    m = _match(meas, ["nns.*"])
    u = ctx["inp"].underlag
    if not len(m) and u.nns is not None and len(u.nns[u.nns["forbund"] == u.forbund] if u.forbund else u.nns):
        # answers exist, but the protected NNS table hides every indicator of the latest wave
        return [Block("text", t("report.tabell.nns", lang), t("report.allt_undertryckt", lang, min_n=min_n))]
    return [_table(t("report.tabell.nns", lang),
                   m[["etikett", "text"]].set_axis([t("report.kol.matt", lang), t("report.kol.varde", lang)], axis=1),
                   min_n, lang)] if len(m) else none


@block("fokusgrupper")
def _block_fokusgrupper(ctx: dict) -> list[Block]:
    inp = ctx["inp"]
    lang = ctx["lang"]
    min_n = ctx["min_n"]
    none = _none(lang)
    if inp.segment is None or inp.kodbok is None or not len(inp.segment):
        return none
    from . import coding

    tal = coding.tally(inp.segment, inp.kodbok, by="grupp", level="tema", tvarkoder=False,
                       tabeller=survey_tables(inp, "fokus", min_n))
    return [_table(t("report.tabell.fokus", lang), coding.board_table(tal, inp.kodbok, min_n=min_n, lang=lang),
                   min_n, lang)]


@block("fokusgrupper_citat")
def _block_fokusgrupper_citat(ctx: dict) -> list[Block]:
    inp = ctx["inp"]
    lang = ctx["lang"]
    none = _none(lang)
    if inp.segment is None or inp.kodbok is None or not len(inp.segment):
        return none
    from . import coding

    q = coding.quotes(inp.segment, inp.kodbok, level="tema", n=1)
    names = inp.kodbok.labels(lang)
    return [Block("lista", t("report.tabell.citat", lang),
                  [f"{names.get(x.kod, x.kod)}: ”{x.citat}”" for x in q.itertuples()])] if len(q) else none


@block("kostnadsnytta", "aktorer")
def _block_kostnadsnytta(ctx: dict) -> list[Block]:
    inp = ctx["inp"]
    u = inp.underlag
    lang = ctx["lang"]
    name = ctx["name"]
    if u.kostnadsnytta is None:
        return [Block("text", "", t("report.ingen_kalkyl", lang))]
    from . import costbenefit as cb

    out = [Block("tabell", t("report.tabell.aktorer", lang), cb.summary_table(u.kostnadsnytta, lang))]
    if name == "kostnadsnytta":
        out.append(Block("figur", t("report.tabell.aktorer", lang), cb.figure_actor_npv(u.kostnadsnytta, lang)))
    if name == "aktorer":
        fin = u.kostnadsnytta.scenario.finansiering or {}
        if fin:
            out.append(Block("tabell", t("report.tabell.finansiering", lang), pd.DataFrame(
                {t("report.kol.aktor", lang): [_actor(a, lang) for a in fin], t("report.kol.andel", lang): [_pct(v, lang) for v in fin.values()]})))
    else:
        out.append(Block("lista", t("report.forbehall_kalkyl", lang), cb.caveats(u.kostnadsnytta, lang)))
    return out


@block("mal")
def _block_mal(ctx: dict) -> list[Block]:
    lang = ctx["lang"]
    min_n = ctx["min_n"]
    gr = ctx["mal"]
    if gr is None:
        return [Block("text", "", t("report.inga_mal", lang))]
    return [Block("tabell", t("report.tabell.mal", lang), goals_mod.board_table(gr, lang)),
            Block("tabell", t("report.tabell.mal_indikatorer", lang), goals_mod.indicator_table(gr, lang),
                  disclosure.footnote(min_n, lang))]


@block("malnivaer")
def _block_malnivaer(ctx: dict) -> list[Block]:
    inp = ctx["inp"]
    u = inp.underlag
    lang = ctx["lang"]
    min_n = ctx["min_n"]
    tg = inp.indata.targets if inp.indata is not None and u.forbund else None
    if tg is None or tg.empty or u.nns is None:
        return []
    from . import indicators

    s = u.nns[u.nns["forbund"] == u.forbund]
    ep = u.episodes[u.episodes["forbund"] == u.forbund] if u.episodes is not None else None
    att = indicators.target_attainment(s, tg, ep, u.events, scale_max=u.scale_max, min_n=min_n, lang=lang,
                                       tabeller=survey_tables(ctx["inp"], "nns", min_n))
    cols = [c for c in ["indikator", "item", "respondentgrupp", "matt", "niva", "n", "varde", "status_text"] if c in att]
    shown = disclosure.format_table(att[cols], lang=lang, decimals=2)
    share = att["matt"].astype(str).str.startswith("andel").to_numpy() if "matt" in att else None
    if share is not None:  # shares in percent, means on the answer scale; codes as labels
        for c in ("niva", "varde"):
            if c in cols:
                shown[c] = [formatting.percent(v, 0, lang) if sh and s not in ("–",) else s
                            for v, s, sh in zip(att[c], shown[c], share)]
        for c in ("respondentgrupp", "matt"):
            if c in cols:
                shown[c] = [formatting.label(v, lang) if isinstance(v, str) else s for v, s in zip(att[c], shown[c])]
    shown.columns = [t(f"report.kol.malniva.{c}", lang) for c in cols]
    return [_table(t("report.tabell.malnivaer", lang), shown, min_n, lang)]


@block("process")
def _block_process(ctx: dict) -> list[Block]:
    inp = ctx["inp"]
    u = inp.underlag
    lang = ctx["lang"]
    min_n = ctx["min_n"]
    ps = ctx["period_start"]
    pe = ctx["period_end"]
    ep = ctx["episodes"]
    none = _none(lang)
    if ep is None:
        return none
    from . import flows

    ts, period, caption = ctx["tabeller"], ctx["tabellperiod"], t("report.tabell.tid", lang)
    tid = flows.time_in_insats(ep, u.reference_date, by=["insats"], period_start=ps, period_end=pe, min_n=None)
    if ts is None or period is None:
        out = [_no_period(caption, ps, pe, lang)] if ts is not None else []
    else:  # the rows of the table set's avslutade cells per insats
        tid = flows.protected_rows(tid, ts, by=["insats"], forbund=ctx["forbund"], period=period)
        out = [_table(caption, flows.board_table(tid, lang=lang), min_n, lang)]
    if u.events is not None and ts is not None:  # event times are not cells of the table set: one line
        out.append(Block("text", t("report.tabell.milstolpar", lang), t("flows.ej_skiva.milstolpar", lang)))
    elif u.events is not None:
        ev = u.events[u.events["episod_id"].isin(ep["episod_id"])]
        ms = flows.milestones(ev, u.reference_date)
        out.append(_table(t("report.tabell.milstolpar", lang),
                          flows.board_table(flows.milestone_summary(ms, min_n=min_n), lang=lang), min_n, lang))
    return out


@block("insatser")
def _block_insatser(ctx: dict) -> list[Block]:
    lang = ctx["lang"]
    min_n = ctx["min_n"]
    ps = ctx["period_start"]
    pe = ctx["period_end"]
    ep = ctx["episodes"]
    none = _none(lang)
    if ep is None:
        return none
    ts, period, caption = ctx["tabeller"], ctx["tabellperiod"], t("report.tabell.insats_kon", lang)
    if ts is None:
        return none
    if period is None:
        return [_no_period(caption, ps, pe, lang)]
    return [_table(caption, _protected_crosstab(ts, "aktiva", "insats", {"forbund": ctx["forbund"], "period": period},
                                                lang, t("insats", lang), keep=set(ep["insats"].astype(str))), min_n, lang)]


@block("kon")
def _block_kon(ctx: dict) -> list[Block]:
    inp = ctx["inp"]
    lang = ctx["lang"]
    min_n = ctx["min_n"]
    ps = ctx["period_start"]
    pe = ctx["period_end"]
    none = _none(lang)
    tabs = gender_tables(inp, ps, pe, min_n, lang, tabeller=ctx["tabeller"])
    if ctx["tabeller"] is not None and ctx["tabellperiod"] is None:
        tabs_b = [_no_period(t("report.tabell.insats_kon", lang), ps, pe, lang)]
    else:
        tabs_b = []
    return [Block("text", "", t("report.kon_intro", lang))] + tabs_b + [_table(c, d, min_n, lang) for c, d in tabs] \
        if tabs or tabs_b else none


@block("underlag")
def _block_underlag(ctx: dict) -> list[Block]:
    # the method notes; the import report (rows read per file, over all förbund: not cells of the protected
    # table set) is for the evaluator only, in the notebook (import_summary), never in the report or Word
    inp = ctx["inp"]
    lang = ctx["lang"]
    if not inp.importer:
        return _none(lang)
    return [Block("lista", t("report.metod", lang), ctx["metod"])]


def import_summary(inp: Inputs, lang: str = "sv") -> pd.DataFrame:
    """The import report of the report's files, for the evaluator only (:func:`evaluation.io.summary_table`).

    Rows read, accepted and rejected per file count every row of the file (all förbund): they are not
    cells of the protected table set, so neither the report, its Word file nor ``results.json`` shows
    them (issue 15); the slutrapport notebook displays them in a cell left out of the board report.

    Examples
    --------
    >>> import_summary(Inputs(goals_mod.Underlag())).shape[0]
    0
    """
    from . import io

    return io.summary_table(inp.importer, lang=lang)


@block("metod")
def _block_metod(ctx: dict) -> list[Block]:
    return []


@block("delta")
def _block_delta(ctx: dict) -> list[Block]:
    lang = ctx["lang"]
    return [Block("tabell", t("report.tabell.delta", lang), ctx["delta"].reset_index(names=""))]


@block("framgang")
def _block_framgang(ctx: dict) -> list[Block]:
    lang = ctx["lang"]
    f = ctx["framgang"]
    return [Block("tabell", t("report.tabell.framgang", lang),
                  f[["rubrik", "underlag"]].set_axis([t("report.kol.grad", lang), t("report.kol.underlag", lang)], axis=1))]


@block("kodare")
def _block_kodare(ctx: dict) -> list[Block]:
    inp = ctx["inp"]
    lang = ctx["lang"]
    if inp.segment is None or inp.kodbok is None or inp.segment["kodare"].nunique() < 2:
        return []
    from . import coding

    coders = sorted(inp.segment["kodare"].unique())[:2]
    kap = coding.kappa_per_code(inp.segment, coders=coders, codebook=inp.kodbok)
    alpha = coding.codebook_alpha(inp.segment, codebook=inp.kodbok, coders=coders)
    return [Block("text", "", t("report.kodare", lang, alfa=_nr(alpha, lang, 2), a=coders[0], b=coders[1])),
            Block("tabell", t("report.tabell.kodare", lang), coding.agreement_table(kap, inp.kodbok, lang=lang))]


@block("forbehall")
def _block_forbehall(ctx: dict) -> list[Block]:
    lang = ctx["lang"]
    return [Block("lista", t("report.tabell.forbehall", lang), ctx["forbehall"])]


@block("kontroller")
def _block_kontroller(ctx: dict) -> list[Block]:
    inp = ctx["inp"]
    u = inp.underlag
    lang = ctx["lang"]
    out = []
    rep = u.rapporterat
    if rep is not None and len(rep):
        from . import reported

        # the one check of reported tables (flows, KASAM and this block): deviations, then warnings
        chk = reported.check_reported(rep, lang=lang)
        out.append(Block("lista", t("report.tabell.kontroller", lang),
                         reported.deviations(chk) or [t("report.inga_avvikelser", lang)]))
    problems = sum(r.report.rows_rejected for r in inp.importer.values())
    # whether, not how many: the row counts are the evaluator's (import_summary), not cells of the table set
    out.append(Block("text", "", t("report.avvisade_rader" if problems else "report.inga_avvisade_rader", lang)))
    return out


def _blocks(name: str, ctx: dict) -> list[Block]:
    """The blocks of one ``fyll`` name, built by its registered builder (:data:`BLOCK_BUILDERS`)."""
    try:
        builder = BLOCK_BUILDERS[name]
    except KeyError:
        raise KeyError(f"unknown report block {name!r}; use one of {BLOCKS}") from None
    return builder({**ctx, "name": name})


#: Block names usable under ``fyll`` in ``esf_slutrapport.yaml``.
BLOCKS = tuple(BLOCK_BUILDERS)


def _metod(inp: Inputs, lang: str, tabeller=None) -> list[str]:
    from . import kasam, surveytables

    out = []
    for grupp in ("deltagare", "personal"):
        pair = _kasam_pair(inp.underlag, grupp)
        if pair is not None:  # the participants' counts only where their cells are published
            why = kasam.design_text(pair[2], tabeller, inp.underlag.forbund or "", lang) if grupp == "deltagare" \
                else surveytables.staff_design_text(pair[2], lang)  # staff at both waves: not a cell
            out.append(f"{t(f'report.matt.kasam.{grupp}', lang)}: {why}")
    if inp.underlag.nns is not None:
        out.append(t("report.metod.nns", lang))
    if inp.underlag.episodes is not None:
        out.append(t("report.metod.flows", lang))
    return out


#: Blocks for the evaluator (import report, consistency checks): shown in the appendix ("Bilaga").
APPENDIX_BLOCKS = ("underlag", "kontroller")


def _block_key(b: Block):
    if b.typ == "tabell" and isinstance(b.innehall, pd.DataFrame):
        return (b.rubrik, b.innehall.to_csv())
    if b.typ == "figur":
        return (b.rubrik, "figur")
    return None


def build(inp: Inputs, titel: str = "", period_start: str | None = None, period_end: str | None = None,
          lang: str = "sv", min_n: int = 5, data_dir: str | Path = "") -> Report:
    """Assemble the report: goals, measures, DELTA matrix, success levels, caveats and the 13 sections.

    Parameters
    ----------
    inp : Inputs
        From :func:`load_inputs`.
    titel : str
        Report title (default: "Slutrapport – <förbund>").
    period_start, period_end : str, optional
        Report period (exit dates of flows).
    lang : {"sv", "en"}
    min_n : int
        Small-cell threshold.
    data_dir : path
        Not read (kept for existing callers): the målnivåer come from ``inp.indata``, the loader.

    Examples
    --------
    >>> r = build(Inputs(goals_mod.Underlag()))
    >>> [s.titel for s in r.avsnitt][:2], r.delta.shape
    (['1 Sammanfattning', '2 Projektets resultat'], (3, 3))
    """
    from . import flows

    u = inp.underlag
    ts = protected_tables(inp, min_n)
    # the goal tracker's participant counts, shares and KASAM means are cells of the same table set
    gr = goals_mod.track(inp.mal, dataclasses.replace(u, tabeller=ts), min_n=min_n, lang=lang) if inp.mal else None
    meas = measures(inp, period_start, period_end, min_n, lang, gr, tabeller=ts)
    grid, long = delta_matrix(meas, lang)
    levels = success_levels(meas, lang)
    cav = caveats(inp, gr, min_n, lang)
    ctx = {"inp": inp, "lang": lang, "min_n": min_n, "period_start": period_start, "period_end": period_end,
           "matt": meas, "episodes": _episodes(u), "mal": gr, "delta": grid, "framgang": levels,
           "forbehall": cav, "data_dir": data_dir, "metod": _metod(inp, lang, ts), "tabeller": ts,
           "tabellperiod": flows.table_period(period_start, period_end), "forbund": u.forbund or ""}
    sections, appendix, seen = [], [], set()
    for s in esf_sections():
        blocks = []
        for name in s.get("fyll") or []:
            for b in _blocks(name, ctx):
                key = _block_key(b)
                if key is not None and key in seen:
                    continue  # the same table twice (e.g. per aktör under 2 and 5): shown once
                seen.add(key)
                (appendix if name in APPENDIX_BLOCKS else blocks).append(b)
        sections.append(Section(int(s["nummer"]), s["rubrik"], [q["text"] for q in s["fragor"]], blocks))
    appendix += _cost_blocks(ts, lang, min_n)  # the price of protection, for the evaluator
    name = u.forbund or (inp.mal or {}).get("projekt") or t("report.alla", lang)
    return Report(titel or t("report.titel", lang, namn=name), u.forbund, period_start, period_end, lang, min_n,
                  sections, meas, grid, long, levels, cav, gr, appendix)


# ----------------------------------------------------------------------------------------------
# rendering


def _with_index(df: pd.DataFrame) -> pd.DataFrame:
    """Row labels become a first column (tables are shown without an index)."""
    if isinstance(df.index, pd.RangeIndex) and df.index.name is None:
        return df
    return df.reset_index(names=[n or "" for n in df.index.names] if df.index.nlevels > 1 else (df.index.name or ""))


def _df_html(df: pd.DataFrame, caption: str = "", lang: str = "sv", min_n: int = 5) -> str:
    return formatting.frame_html(df, lang, caption=caption, notes=False, min_n=min_n)


def _figure_html(fig, caption: str, lang: str) -> str:
    """A figure as an embedded PNG with its text alternative (the same image as in Word)."""
    import base64

    from . import figures

    alt = figures.alt_text(fig, lang)
    try:
        png = base64.b64encode(figures.to_png(fig, width=900)).decode("ascii")
    except Exception:  # noqa: BLE001 - no Chromium: the text alternative stands in for the image
        return f"<figure><figcaption>{html.escape(caption)}</figcaption><p>{html.escape(alt)}</p></figure>"
    return (f'<figure><img src="data:image/png;base64,{png}" alt="{html.escape(alt)}" style="max-width:100%">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _blocks_html(blocks: list[Block], lang: str, min_n: int) -> list[str]:
    parts = []
    for b in blocks:
        if b.typ == "tabell":
            if b.innehall is not None and len(b.innehall):
                parts.append(_df_html(b.innehall, b.rubrik, lang, min_n))
        elif b.typ == "figur":
            parts.append(_figure_html(b.innehall, b.rubrik, lang))
        else:
            if b.rubrik:
                parts.append(f"<h3>{html.escape(b.rubrik)}</h3>")
            if b.typ == "text":
                parts.append(f"<p>{html.escape(str(b.innehall))}</p>")
            elif b.typ == "lista":
                parts.append("<ul>" + "".join(f"<li>{html.escape(str(x))}</li>" for x in b.innehall) + "</ul>")
        if b.fotnot:
            parts.append(f'<p class="fotnot">{html.escape(b.fotnot)}</p>')
    return parts


def section_html(report: Report, nummer: int) -> str:
    """HTML of one ESF section: heading, the form's prompts, the filled tables and figures.

    Tables carry their title as ``<caption>``; figures are images with a text alternative.

    Examples
    --------
    >>> r = build(Inputs(goals_mod.Underlag()))
    >>> "<h2>7 Tillgänglighet för personer med funktionsnedsättning</h2>" in section_html(r, 7)
    True
    """
    s = next(x for x in report.avsnitt if x.nummer == nummer)
    lang = report.lang
    parts = [f"<h2>{html.escape(s.titel)}</h2>",
             f"<p><strong>{html.escape(t('report.fragor', lang))}</strong></p><ul>"
             + "".join(f"<li><em>{html.escape(q)}</em></li>" for q in s.fragor) + "</ul>"]
    parts += _blocks_html(s.block, lang, report.min_n)
    return "\n".join(parts)


def appendix_html(report: Report) -> str:
    """HTML of the appendix: the evaluator's checks (import report, consistency checks).

    Examples
    --------
    >>> appendix_html(build(Inputs(goals_mod.Underlag()))).startswith("<h2>Bilaga")
    True
    """
    parts = ["<h2>Bilaga: underlag och kontroller för utvärderaren</h2>"]
    parts += _blocks_html(report.bilaga, report.lang, report.min_n) or ["<p>Inga kontroller att redovisa.</p>"]
    return "\n".join(parts)


def show(report: Report, nummer: int | str | None = None):
    """Display object for a notebook: one ESF section, ``"bilaga"`` (the appendix), or the title block.

    Examples
    --------
    >>> type(show(build(Inputs(goals_mod.Underlag())), 1)).__name__
    'HTML'
    """
    from IPython.display import HTML

    if nummer is None:
        lang = report.lang
        return HTML(f"<p><em>{html.escape(t('report.intro', lang))}</em></p>")
    if nummer == "bilaga":
        return HTML(appendix_html(report))
    return HTML(section_html(report, nummer))


def docx_path(results_path: str | Path) -> Path | None:
    """Where the Word document goes: ``slutrapport.docx`` in the folder of ``results_path``.

    Examples
    --------
    >>> docx_path("/tmp/run/results.json").name, docx_path("")
    ('slutrapport.docx', None)
    """
    return Path(results_path).parent / DOCX_NAME if results_path else None


def snapshot_id(results_path: str | Path) -> str:
    """The snapshot id of a run being executed, from its ``results_path`` (empty outside a snapshot).

    Examples
    --------
    >>> snapshot_id("/x/snapshots/.20260115T020000Z.partial/.staging/norrdal-2025__slutrapport/results.json")
    '20260115T020000Z'
    >>> snapshot_id("/tmp/results.json")
    ''
    """
    import re

    for part in Path(str(results_path)).parts[::-1]:
        m = re.match(r"^\.(.+)\.partial$", part)
        if m:
            return m.group(1)
    return ""


def _docx_lang(doc, lang_code: str) -> None:
    """Set the proofing language of the default run properties and every style (w:lang)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def set_lang(rpr):
        el = rpr.find(qn("w:lang"))
        if el is None:
            el = OxmlElement("w:lang")
            rpr.append(el)
        for a in ("w:val", "w:eastAsia", "w:bidi"):
            el.set(qn(a), lang_code)

    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults"))
    if rpr_default is not None:
        rpr = rpr_default.find(qn("w:rPrDefault"))
        if rpr is not None and rpr.find(qn("w:rPr")) is not None:
            set_lang(rpr.find(qn("w:rPr")))
    for st in doc.styles:
        try:
            set_lang(st.element.get_or_add_rPr())
        except AttributeError:  # numbering/table styles without run properties
            continue


def _field(paragraph, instr: str, placeholder: str = "") -> None:
    """Insert a Word field (``PAGE``, ``NUMPAGES``, ``TOC \\o "1-2" \\h``) into a paragraph."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", placeholder), ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            run._r.append(el)
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text or ""
            run._r.append(el)
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            if kind == "begin":
                el.set(qn("w:dirty"), "true")
            run._r.append(el)


def _row_props(row, header: bool) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _docx_table(doc, df: pd.DataFrame, caption: str, lang: str, min_n: int) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    f = formatting.board_frame(df, lang)
    doc.add_paragraph(caption, style="Caption").paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=len(f.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    size = Pt(9 if len(f.columns) <= 6 else 8)
    _row_props(table.rows[0], header=True)
    numeric = [bool(len(f)) and all(formatting._NUMERIC.match(v or "") or v in ("", "–") for v in f[c])
               for c in f.columns]
    for cell, col, num in zip(table.rows[0].cells, f.columns, numeric):
        cell.text = str(col)
        par = cell.paragraphs[0]
        par.paragraph_format.keep_with_next = True
        if num:
            par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for run in par.runs:
            run.bold = True
            run.font.size = size
    for rec in f.itertuples(index=False):
        row = table.add_row()
        _row_props(row, header=False)
        for cell, v, num in zip(row.cells, rec, numeric):
            cell.text = v
            par = cell.paragraphs[0]
            if num or formatting._NUMERIC.match(v or ""):
                par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in par.runs:
                run.font.size = size
    notes = formatting.footnotes(f.to_numpy().ravel().tolist(), lang, min_n)
    for n in notes:
        doc.add_paragraph(n, style="Fotnot")


def export_docx(report: Report, path: str | Path, snapshot: str = "", forfattare: str = "",
                skapad: str | None = None) -> Path:
    """Write the report as an A4 Word document (python-docx) for the evaluator to complete.

    The document is A4 in Swedish (``sv-SE`` proofing language on every style and in the document
    properties) with a title page (förbund, period, snapshot, date), a table of contents (a ``TOC``
    field that Word and LibreOffice fill in), page numbers in the footer, the 13 ESF sections as
    Heading 1 with the prompts in italics, table titles in the *Caption* style (not as headings),
    figures as PNG images (kaleido), tables with repeating header rows, rows that do not split across
    pages, right-aligned numbers with a true minus sign, wide tables (more than seven columns) in a
    landscape section, and the evaluator's checks in an appendix. A placeholder under each section
    marks where the narrative goes. Core properties: title, subject (förbund and period), author
    (``forfattare``), language and creation time of the run.

    Examples
    --------
    >>> import tempfile, docx
    >>> p = export_docx(build(Inputs(goals_mod.Underlag())), Path(tempfile.mkdtemp()) / "r.docx", forfattare="Utvärderare")
    >>> d = docx.Document(p)
    >>> sum(par.style.name == "Heading 1" for par in d.paragraphs), d.core_properties.author, d.core_properties.language
    (14, 'Utvärderare', 'sv-SE')
    >>> round(d.sections[0].page_width.mm), round(d.sections[0].page_height.mm)
    (210, 297)
    """
    import datetime as _dt
    import io as _io

    import docx
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt, RGBColor

    from . import figures

    lang = report.lang
    lang_code = "sv-SE" if lang == "sv" else "en-GB"
    now = _dt.datetime.now(_dt.timezone.utc)
    doc = docx.Document()
    # page: A4 portrait, margins 20 mm
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Mm(20))
    # styles: one body size, tables 9 pt, captions bold, footnotes 8 pt
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    cap = doc.styles["Caption"]
    cap.font.size, cap.font.bold, cap.font.italic = Pt(10), True, False
    cap.font.color.rgb = RGBColor(0x1A, 0x1A, 0x1A)
    fn = doc.styles.add_style("Fotnot", WD_STYLE_TYPE.PARAGRAPH)
    fn.base_style = normal
    fn.font.size = Pt(8.5)
    _docx_lang(doc, lang_code)
    props = doc.core_properties
    props.title = report.titel
    props.subject = f"{report.forbund or t('report.alla', lang)}, {formatting.period(report.period_start, report.period_end, lang)}"
    props.author = forfattare or "Utvärderingen"
    props.last_modified_by = forfattare or "Utvärderingen"
    props.language = lang_code
    props.keywords = "; ".join(x for x in (report.forbund, "ESF slutrapport", snapshot) if x)
    props.comments = f"Ögonblicksbild {snapshot}" if snapshot else ""
    props.created = props.modified = now.replace(tzinfo=None)
    props.revision = 1
    # title page
    doc.add_paragraph(report.titel, style="Title")
    facts = [("Förbund", report.forbund or t("report.alla", lang)),
             ("Period", formatting.period(report.period_start, report.period_end, lang)),
             ("Ögonblicksbild", snapshot), ("Datum", formatting.date(skapad or now.date().isoformat(), lang)),
             ("Författare", forfattare)]
    for k, v in facts:
        if v:
            par = doc.add_paragraph()
            par.add_run(f"{k}: ").bold = True
            par.add_run(v)
    doc.add_paragraph(t("report.intro", lang)).runs[0].italic = True
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    # table of contents
    doc.add_paragraph("Innehåll" if lang == "sv" else "Contents", style="TOC Heading"
                      if "TOC Heading" in [s.name for s in doc.styles] else "Heading 1")
    _field(doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u',
           "Uppdatera innehållsförteckningen (F9)" if lang == "sv" else "Update the table of contents (F9)")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    # footer: page numbers
    foot = sec.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run(f"{report.titel} – sida ")
    _field(foot, "PAGE", "1")
    foot.add_run(" av ")
    _field(foot, "NUMPAGES", "1")

    def landscape(on: bool):
        new = doc.add_section(WD_SECTION.NEW_PAGE)
        w, h = Mm(297), Mm(210)
        new.orientation = WD_ORIENT.LANDSCAPE if on else WD_ORIENT.PORTRAIT
        new.page_width, new.page_height = (w, h) if on else (h, w)

    def blocks(bl: list[Block]):
        for b in bl:
            if b.typ == "tabell":
                if b.innehall is None or not len(b.innehall):
                    continue
                wide = formatting.board_frame(b.innehall, lang).shape[1] > 7
                if wide:
                    landscape(True)
                _docx_table(doc, b.innehall, b.rubrik, lang, report.min_n)
                if wide:
                    landscape(False)
            elif b.typ == "figur":
                try:
                    png = figures.to_png(b.innehall, width=900, scale=2)
                except Exception:  # noqa: BLE001 - no Chromium: the text alternative instead
                    doc.add_paragraph(figures.alt_text(b.innehall, lang))
                else:
                    doc.add_picture(_io.BytesIO(png), width=Mm(165))
                    doc.paragraphs[-1].paragraph_format.keep_with_next = True
                doc.add_paragraph(b.rubrik, style="Caption")
            else:
                if b.rubrik:
                    doc.add_heading(b.rubrik, level=2)
                if b.typ == "text":
                    doc.add_paragraph(str(b.innehall))
                elif b.typ == "lista":
                    for x in b.innehall:
                        doc.add_paragraph(str(x), style="List Bullet")
            if b.fotnot:
                doc.add_paragraph(b.fotnot, style="Fotnot")

    for s in report.avsnitt:
        doc.add_heading(s.titel, level=1)
        for q in s.fragor:
            doc.add_paragraph(q, style="List Bullet").runs[0].italic = True
        blocks(s.block)
        doc.add_paragraph(t("report.skriv_har", lang)).runs[0].italic = True
    doc.add_heading("Bilaga: underlag och kontroller för utvärderaren" if lang == "sv"
                    else "Appendix: data and checks for the evaluator", level=1)
    blocks(report.bilaga)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    from .privacy import redact_docx

    redact_docx(doc)  # every text of the Word file passes the one masker
    doc.save(str(out))
    return out


def headline(report: Report, word: bool = False) -> dict:
    """Headline results of the report notebook (keys in the module docstring).

    Examples
    --------
    >>> h = headline(build(Inputs(goals_mod.Underlag())))
    >>> len(h["avsnitt"]), h["delta_tomma_celler"]
    (13, 9)
    """
    spec = delta_spec()
    counts = report.delta_lang.groupby(["rad", "kolumn"]).size()
    delta = {f"{r}/{k}": int(counts.get((r, k), 0)) for r in spec["rader"] for k in spec["kolumner"]}
    num = report.matt.dropna(subset=["varde"])
    pub = [str(x) != t("suppressed_short", report.lang) for x in num["text"]]
    # measures no cell of the protected table set gives (persons): not in the report, null here (the key stays)
    only = [k for k in report.matt.attrs.get("utvarderare", {}) if k not in set(num["nyckel"])]
    return {
        "forbund": report.forbund,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "avsnitt": [s.titel for s in report.avsnitt],
        "delta_matt": delta,
        "delta_tomma_celler": int(sum(v == 0 for v in delta.values())),
        "framgangsgrader": {str(g): int(n) for g, n in zip(report.framgang["grad"], report.framgang["antal_matt"])},
        "mal": goals_mod.headline(report.mal) if report.mal is not None else None,
        # board-facing: a figure the report shows as "–" is null (the evaluator reads it in the notebook)
        "nyckeltal": {**{k: (float(v) if shown else None) for k, v, shown in zip(num["nyckel"], num["varde"], pub)},
                      **{k: None for k in only}},
        "nyckeltal_publicerade": {**dict(zip(num["nyckel"], pub)), **{k: False for k in only}},
        "forbehall": len(report.forbehall),
        "word": bool(word),
    }
