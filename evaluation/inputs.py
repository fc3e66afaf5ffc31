"""The one loader: everything the workbench reads from a data folder goes through :func:`load`.

A data folder is described by its catalogue (``datakatalog.yaml``, :mod:`evaluation.catalogue`);
:func:`load` validates the caller's parameters against it (förbund, period, scenario, reference
date) and returns an :class:`Inputs` object whose tables are read on first use, through
:func:`evaluation.io.load_table` (mapping, pseudonymisation, validation, import report) or the
module that owns a YAML/CSV format. No other code opens a file of a data folder.

Filtering by förbund happens here, once: every table of an :class:`Inputs` holds only the
selected förbund's rows. Comparisons over several förbund ("Alla förbund (aggregat)") use
:attr:`Inputs.alla`, the unfiltered inputs, which exists only when the catalogue holds several
förbund (otherwise an "aggregate" would be the förbund itself).

Every parameter mistake raises :class:`InputsError` (an :class:`~evaluation.errors.EvaluationError`
and ``ValueError``) with one Swedish message that names the valid values; inside a Jupyter kernel
:func:`load` also makes such errors display as that message instead of a traceback.

Example
-------
>>> inp = load("data_samples", forbund="Norrdal", period=("2025-01-01", "2025-12-31"))
>>> sorted(inp.episodes["forbund"].unique()), inp.all_forbund
(['Norrdal'], ['Norrdal', 'Söderå'])
>>> load("data_samples", forbund="Soderå")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
evaluation.inputs.InputsError: Förbundet 'Soderå' finns inte i datamappen data_samples. Giltiga värden: Norrdal, Söderå ...
"""
from __future__ import annotations

import datetime as _dt
import difflib
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from . import catalogue as _cat
from .errors import EvaluationError

__all__ = ["InputsError", "Inputs", "load", "validate", "show_errors_as_messages", "TABLE_ENTITIES"]

#: Entities read through :func:`evaluation.io.load_table` (the others have their own readers).
TABLE_ENTITIES = ("episoder", "handelser", "enkatsvar", "segment", "enhetskostnader", "rapporterat")
_KASAM_INSTRUMENTS = ("soc29", "soc13")


class InputsError(EvaluationError, ValueError):
    """A parameter that does not fit the data folder (förbund, period, scenario, date, missing entity).

    The message is Swedish, names the data folder and lists the valid values.
    """


def _join(values: Iterable[str]) -> str:
    values = list(values)
    return ", ".join(values) if values else "(inga)"


def _suggest(value: str, valid: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(valid), n=1, cutoff=0.6)
    return f" Menade du {close[0]!r}?" if close else ""


def _parse_date(value, what: str) -> pd.Timestamp | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        ts = pd.NaT
    if pd.isna(ts):
        raise InputsError(f"{what} {value!r} är inget datum; skriv det som ÅÅÅÅ-MM-DD, t.ex. 2025-12-31.")
    return ts.normalize()


def _split_forbund(forbund) -> tuple[str, ...]:
    if forbund is None:
        return ()
    if isinstance(forbund, str):
        parts = forbund.split(",")
    elif isinstance(forbund, (list, tuple, set)):
        parts = list(forbund)
    else:
        raise InputsError(f"forbund ska vara text (ett förbund eller flera, kommaseparerade), inte {forbund!r}.")
    out = []
    for p in parts:
        if not isinstance(p, str):
            raise InputsError(f"forbund ska vara text, inte {p!r}.")
        if p.strip() and p.strip() not in out:
            out.append(p.strip())
    return tuple(out)


@dataclass
class Inputs:
    """What a data folder holds for one förbund selection and period, read on first use.

    Attributes
    ----------
    data_dir : Path
        The catalogue folder.
    catalogue : evaluation.catalogue.Catalogue
    forbund : tuple of str
        The selected förbund (``()`` = all).
    period : (Timestamp or None, Timestamp or None)
        The validated report period (first day, last day); the loader does not cut rows by it
        (flows need the history before it), the analyses take it from here.
    reference_date : Timestamp or None
        Extract date (validated), or ``None``.
    scenario_name : str
        The validated scenario (file stem in the catalogue), or ``""``.
    on_missing_key : {"raise", "skip"}
        What a file that needs the pseudonymisation key does when none is configured: raise
        :class:`evaluation.privacy.MissingKeyError`, or skip the file and add a Swedish note to
        ``messages``.
    messages : list of str
        Swedish notices (skipped files).

    Examples
    --------
    >>> inp = load("data_samples", forbund="Söderå")
    >>> inp.label, bool(len(inp.nns) == (inp.alla.nns["forbund"] == "Söderå").sum() > 0)
    ('Söderå', True)
    """

    data_dir: Path
    catalogue: Any
    forbund: tuple = ()
    period: tuple = (None, None)
    reference_date: pd.Timestamp | None = None
    scenario_name: str = ""
    on_missing_key: str = "raise"
    messages: list = field(default_factory=list)
    _imports: dict = field(default_factory=dict, repr=False)
    _parent: Any = field(default=None, repr=False)

    # ------------------------------------------------------------------ selection

    @property
    def label(self) -> str:
        """The selection as shown to a board: ``"Norrdal"``, ``"Norrdal, Söderå"`` or ``""`` (all)."""
        return ", ".join(self.forbund)

    @property
    def all_forbund(self) -> list:
        """Every förbund of the data folder (catalogue, else the data's ``forbund`` columns)."""
        if self._parent is not None:
            return self._parent.all_forbund
        declared = self.catalogue.forbund
        if declared:
            return declared
        found: set = set()
        for e in self.catalogue.files():
            if e.entity in ("episoder", "enkatsvar", "segment"):
                res = self._import(e)
                if res is not None and "forbund" in res.data:
                    found |= set(res.data["forbund"].dropna().astype(str))
        return sorted(found, key=_cat._sv_key)

    @property
    def alla(self) -> "Inputs | None":
        """The same data folder without the förbund filter, for aggregates over several förbund.

        ``None`` when the catalogue holds fewer than two förbund (an aggregate would be the förbund
        itself). Shares the already read files.
        """
        if len(self.all_forbund) < 2:
            return None
        if not self.forbund:
            return self
        return Inputs(self.data_dir, self.catalogue, (), self.period, self.reference_date, self.scenario_name,
                      self.on_missing_key, self.messages, self._imports, self)

    def entries(self, entity: str) -> list:
        """Catalogue entries of ``entity`` that hold rows of the selected förbund."""
        return [e for e in self.catalogue.files(entity)
                if not self.forbund or any(e.covers(f) for f in self.forbund)]

    def has(self, entity: str) -> bool:
        """True when the catalogue lists a file of ``entity`` for the selection."""
        return bool(self.entries(entity))

    def check_values(self, parameter: str, value, table: str, column: str) -> tuple:
        """Validate a parameter whose values must occur in ``column`` of the (filtered) ``table``.

        ``value``: one value, several comma-separated, or a list; empty = all. Returns the values;
        raises :class:`InputsError` naming the valid ones (e.g. an insats that the selected förbund
        does not have, a mätomgång that is not in the survey).

        Examples
        --------
        >>> load("data_samples", forbund="Norrdal").check_values("vag", "2024H1", "nns", "vag")
        ('2024H1',)
        """
        wanted = _split_forbund(value) if value else ()
        df = getattr(self, table)
        valid = sorted({str(x) for x in df[column].dropna()}, key=_cat._sv_key) if df is not None and column in df \
            else []
        for w in wanted:
            if w not in valid:
                where = f" för {self.label}" if self.forbund else ""
                raise InputsError(f"{parameter} = {w!r} finns inte i data{where} i {self.data_dir}. Giltiga värden: "
                                  f"{_join(valid)} (eller tomt för alla).{_suggest(w, valid)}")
        return wanted

    def scenarios_by_name(self) -> dict:
        """The selection's scenarios keyed by their ``namn`` (as :func:`evaluation.costbenefit.load_scenarios`)."""
        return {sc.namn: sc for sc in self.scenarios.values()}

    # ------------------------------------------------------------------ reading

    def _import(self, entry):
        """Import one catalogue entry (cached, shared with :attr:`alla`)."""
        from . import io, privacy

        key = entry.key
        if key in self._imports:
            return self._imports[key]
        kwargs: dict[str, Any] = {}
        if entry.mapping:
            kwargs["mapping"] = entry.mapping_file
        if entry.entity == "enkatsvar" and entry.instrument:
            kwargs["instrument"] = entry.instrument
        for name in ("sheet", "header_row"):
            if getattr(entry, name) is not None:
                kwargs[name] = getattr(entry, name)
        try:
            res = io.load_table(entry.file, entry.entity, **kwargs)
        except privacy.MissingKeyError:
            if self.on_missing_key != "skip":
                raise
            from .labels import t

            msg = t("dashboards.msg.missing_key", "sv")
            if msg not in self.messages:
                self.messages.append(msg)
            res = None
        self._imports[key] = res
        return res

    def imports(self, *entities: str) -> dict:
        """Import results (:class:`evaluation.io.ImportResult`, unfiltered: data quality is about the
        whole file) of the selection's files, keyed by catalogue name; all table entities by default."""
        out = {}
        for entity in entities or TABLE_ENTITIES:
            for e in self.entries(entity):
                res = self._import(e)
                if res is not None:
                    out[e.key] = res
        return out

    def import_summary(self, *entities: str, lang: str = "sv") -> pd.DataFrame:
        """:func:`evaluation.io.summary_table` of the files of ``entities`` (rows read, accepted, …)."""
        from . import io

        return io.summary_table(self.imports(*entities), lang=lang, data_dir=self.data_dir)

    def _table(self, entity: str, where=None) -> pd.DataFrame | None:
        """Concatenated, förbund-filtered data of the entity's entries (``None`` when there are none)."""
        from . import io

        parts = [r for e in self.entries(entity) if (where is None or where(e))
                 for r in [self._import(e)] if r is not None]
        if not parts:
            return None
        res = io.combine(parts, entity) if len(parts) > 1 else parts[0]
        df = res.data
        if self.forbund and "forbund" in df.columns:
            df = df[df["forbund"].isin(self.forbund)]
        return df.reset_index(drop=True)

    @cached_property
    def episodes(self) -> pd.DataFrame | None:
        """Participant episodes (schema ``EPISODES``) of every episoder file, of the selected förbund."""
        return self._table("episoder")

    @cached_property
    def events(self) -> pd.DataFrame | None:
        """Journey events (schema ``EVENTS``) of the selected förbund's episodes."""
        ev = self._table("handelser")
        if ev is None or not self.forbund:
            return ev
        ids = set(self.episodes["episod_id"]) if self.episodes is not None else set()
        return ev[ev["episod_id"].isin(ids)].reset_index(drop=True)

    def _instrument(self, entry) -> str | None:
        if entry.instrument:
            return entry.instrument
        res = self._import(entry)
        if res is None or "instrument" not in res.data or res.data["instrument"].dropna().empty:
            return None
        return str(res.data["instrument"].dropna().iloc[0])

    def protected_tables(self, min_n: int = 5, reference_date=None):
        """The protected table set (:mod:`evaluation.tableset`) board tables of this folder slice.

        In a run, the snapshot's table set (:func:`evaluation.tableset.current`); otherwise
        :func:`evaluation.tableset.for_data_dir` on every förbund of the folder, dated by the data's
        latest date as a snapshot and the board dashboards date it (the same cells and the same
        protection, whatever förbund this selection holds; cached on disk by the table set). A
        table set dated after ``reference_date`` would count episodes after the extract date: then the
        folder is protected as of ``reference_date`` instead. One dated before it (the samples: the
        data end 2025-12-31, the runs judge at 2026-01-15) is used as it is; its cells are the
        figures every output publishes, so a handlingsplan judged between the two dates counts as
        the set's date says.

        Parameters
        ----------
        min_n : int
            Small-cell threshold.
        reference_date : date-like, optional
            Extract date (default: this selection's, else the latest inskrivning or avslut).

        Returns
        -------
        evaluation.tableset.TableSet or None
            None when the folder has no episodes.
        """
        from . import tableset

        ref = reference_date if reference_date not in (None, "") else self.reference_date
        ref = pd.Timestamp(ref).normalize() if ref is not None else None

        # dated at or before the extract date: its cells count what had happened by its own date (a
        # handlingsplan due between the two dates is judged at the set's date); the board's figures are
        # those cells (flows.CELL_COUNTS, flows.CELL_SHARES), so every output shows the same numbers
        def counts_as_of(ts) -> bool:
            return ts.reference_date is None or ref is None or pd.Timestamp(ts.reference_date).normalize() <= ref

        ts = tableset.current(self.data_dir)
        if ts is not None and int(ts.min_n) == int(min_n) and counts_as_of(ts):
            return ts
        src = self.alla if self.alla is not None else self
        if src.episodes is None or not len(src.episodes):
            return None
        # the folder read as a snapshot and the board read it (tableset.for_data_dir, dated by the data's
        # latest date): the same cells, the same protection, the same cache
        folder = Path(self.data_dir).resolve()
        ts = tableset.for_data_dir(folder, min_n=min_n)
        if counts_as_of(ts):
            return ts
        return tableset.for_data_dir(folder, reference_date=ref.date().isoformat(), min_n=min_n)

    @cached_property
    def kasam(self) -> pd.DataFrame | None:
        """SOC-29/SOC-13 answers (schema ``SURVEY``, unscored) of every respondent group."""
        return self._table("enkatsvar", lambda e: self._instrument(e) in _KASAM_INSTRUMENTS)

    @property
    def kasam_deltagare(self) -> pd.DataFrame | None:
        """KASAM answers of participants (``respondentgrupp`` deltagare)."""
        k = self.kasam
        return None if k is None else k[k["respondentgrupp"] == "deltagare"].reset_index(drop=True)

    @property
    def kasam_personal(self) -> pd.DataFrame | None:
        """KASAM answers of staff (every ``respondentgrupp`` but deltagare)."""
        k = self.kasam
        return None if k is None else k[k["respondentgrupp"] != "deltagare"].reset_index(drop=True)

    @cached_property
    def nns(self) -> pd.DataFrame | None:
        """NNS questionnaire answers (schema ``SURVEY``)."""
        return self._table("enkatsvar", lambda e: self._instrument(e) == "nns")

    @cached_property
    def segments(self) -> pd.DataFrame | None:
        """Coded focus-group segments (schema ``SEGMENTS``)."""
        return self._table("segment")

    @cached_property
    def unit_costs(self) -> pd.DataFrame | None:
        """Unit costs (schema ``UNIT_COSTS``)."""
        return self._table("enhetskostnader")

    def reported(self, names: Iterable[str] | str | None = None) -> pd.DataFrame | None:
        """Reported aggregate tables (schema ``REPORTED``), concatenated.

        ``names``: table names (catalogue names such as ``rapporterat/vagen_ut``, or just
        ``vagen_ut``, or a path ``rapporterat/vagen_ut.csv``), comma-separated or a list; ``None`` = all.
        An unknown name raises :class:`InputsError` listing the available ones.
        """
        from . import io

        entries = self.catalogue.files("rapporterat")
        if names is not None:
            wanted = [n.strip() for n in (names.split(",") if isinstance(names, str) else names) if n.strip()]
            if not wanted:
                return None
            chosen = []
            for n in wanted:
                e = _find(entries, n)
                if e is None:
                    raise InputsError(f"Den rapporterade tabellen {n!r} finns inte i datamappen {self.data_dir}. "
                                      f"Tillgängliga: {_join(_short(x) for x in entries)}.")
                chosen.append(e)
            entries = chosen
        parts = [r for e in entries for r in [self._import(e)] if r is not None]
        if not parts:
            return None
        return (io.combine(parts, "rapporterat") if len(parts) > 1 else parts[0]).data

    @cached_property
    def price_index(self) -> pd.DataFrame | None:
        """Price index (:func:`evaluation.costbenefit.read_price_index`), or ``None``."""
        from . import costbenefit as cb

        files = self.catalogue.files("prisindex")
        return cb.read_price_index(files[0].file) if files else None

    @cached_property
    def scenarios(self) -> dict:
        """Scenario name (file stem) → :class:`evaluation.costbenefit.Scenario`, for the selected förbund."""
        from . import costbenefit as cb

        return {_short(e): cb.load_scenario(e.file) for e in self.entries("scenario")}

    @property
    def scenario(self):
        """The validated scenario (:class:`evaluation.costbenefit.Scenario`), or ``None``."""
        return self.scenarios[self.scenario_name] if self.scenario_name else None

    @cached_property
    def targets(self) -> pd.DataFrame:
        """Målnivåer (:func:`evaluation.indicators.load_targets`) of the selected förbund."""
        from . import indicators as ind

        frames = [ind.load_targets(e.file) for e in self.entries("malnivaer")]
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["forbund"])
        if self.forbund:
            df = df[df["forbund"].isin(self.forbund)].reset_index(drop=True)
        return df

    def goal_files(self) -> dict:
        """Goal files (``mal``) of the selection: name (file stem) → path."""
        return {_short(e): e.file for e in self.entries("mal")}

    def goals(self, name: str = ""):
        """The goal file ``name`` (stem, ``mal/<stem>.yaml`` or a catalogue name) parsed by
        :func:`evaluation.goals.load_goals`; ``""`` = the only goal file of the selected förbund, or
        ``None`` when there is none (or several)."""
        from . import goals

        entries = self.catalogue.files("mal")
        if name:
            e = _find(entries, name)
            if e is None:
                raise InputsError(f"Målfilen {name!r} finns inte i datamappen {self.data_dir}. "
                                  f"Tillgängliga: {_join(_short(x) for x in entries)}.")
            return goals.load_goals(e.file)
        own = [e for e in entries if self.forbund and e.forbund and set(e.forbund) & set(self.forbund)]
        return goals.load_goals(own[0].file) if len(own) == 1 else None


def _short(entry) -> str:
    return Path(entry.path).stem if not entry.namn else entry.namn


def _find(entries, name: str):
    n = name.strip().replace("\\", "/")
    stem = Path(n).stem
    for e in entries:
        if n in (e.key, e.path, _short(e)) or stem == _short(e):
            return e
    return None


# ---------------------------------------------------------------------------------------------
# validation


def _covered_period(cat, chosen: tuple = ()) -> tuple:
    """(first, last) date the catalogue's tables cover for the chosen förbund (all when none chosen)."""
    files = [e for e in cat.files() if e.period and e.entity in TABLE_ENTITIES
             and (not chosen or any(e.covers(f) for f in chosen))]
    starts = [e.period[0] for e in files if e.period[0]]
    ends = [e.period[1] for e in files if e.period[1]]
    return (min(starts) if starts else None, max(ends) if ends else None)


def validate(data_dir, forbund=None, period=None, scenario: str = "", reference_date=None,
             require: Iterable[str] = (), rapporterat: str | Iterable[str] = "", dates: dict | None = None,
             check_data: bool = True) -> dict:
    """Check the parameters of a notebook, report or run against the data folder's catalogue.

    Returns the normalised values (``forbund`` tuple, ``period`` pair of Timestamps,
    ``reference_date``, ``scenario``, ``catalogue``); raises :class:`InputsError` (or
    :class:`evaluation.catalogue.CatalogueError`) with one Swedish message naming the valid values.

    Parameters
    ----------
    data_dir : path
        A folder with a ``datakatalog.yaml``.
    forbund : str, list or None
        One förbund, several (comma-separated or a list), or ``""``/``None`` for all.
    period : (start, end) or None
        Dates (``"2025-01-01"``); either may be empty. The start may not lie after the end, and the
        period must overlap the period the catalogue says the data covers.
    scenario : str
        A scenario (file stem, e.g. ``bas``) that exists and applies to the selected förbund.
    reference_date : date-like, optional
    require : iterable of str
        Entities the caller needs (e.g. ``["episoder"]``).
    rapporterat : str or list
        Reported tables (catalogue names such as ``vuxenteamen``), comma-separated; each must exist.
    dates : dict, optional
        Further date parameters, name → value (e.g. ``{"review_date": "2025-01-31"}``); each must
        be a date (empty = not given).
    check_data : bool, default True
        When the catalogue declares no förbund, read the data to learn them; False: check the
        förbund only against what the catalogue declares (the runner, before any notebook runs).

    Examples
    --------
    >>> validate("data_samples", forbund="Norrdal", scenario="bas")["forbund"]
    ('Norrdal',)
    >>> validate("data_samples", period=("2025-12-31", "2025-01-01"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    evaluation.inputs.InputsError: Perioden börjar 2025-12-31, efter att den slutar 2025-01-01; ...
    >>> validate("data_samples", forbund="Söderå", scenario="optimistisk")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    evaluation.inputs.InputsError: Scenariot 'optimistisk' finns inte ... pessimistiskt, bas, optimistiskt. Menade du 'optimistiskt'?
    """
    show_errors_as_messages()
    folder = Path(data_dir)
    cat = _cat.read(folder)
    valid = cat.forbund
    if not valid and check_data:  # nothing declared: ask the data
        valid = Inputs(folder, cat).all_forbund
    chosen = _split_forbund(forbund)
    for f in chosen:
        if f not in valid and (valid or check_data):
            raise InputsError(f"Förbundet {f!r} finns inte i datamappen {folder}. Giltiga värden: {_join(valid)} "
                              f"(eller tomt för alla).{_suggest(f, valid)}")
    if period is None:
        period = (None, None)
    if isinstance(period, str) or len(period) != 2:
        raise InputsError(f"period ska vara ett par (första dag, sista dag), inte {period!r}.")
    start = _parse_date(period[0], "Periodens början")
    end = _parse_date(period[1], "Periodens slut")
    if start is not None and end is not None and start > end:
        raise InputsError(f"Perioden börjar {start.date()}, efter att den slutar {end.date()}; byt plats på "
                          f"period_start och period_end.")
    lo, hi = _covered_period(cat, chosen)
    if start is not None and hi is not None and start.date() > hi:
        raise InputsError(f"Perioden börjar {start.date()}, men data i {folder} når bara till {hi} "
                          f"(datakatalogen: {lo} – {hi}). Välj en period inom den.")
    if end is not None and lo is not None and end.date() < lo:
        raise InputsError(f"Perioden slutar {end.date()}, men data i {folder} börjar först {lo} "
                          f"(datakatalogen: {lo} – {hi}). Välj en period inom den.")
    ref = _parse_date(reference_date, "Uttagsdatumet (reference_date)")
    if scenario:
        if not isinstance(scenario, str):
            raise InputsError(f"scenario ska vara ett scenarionamn (text), inte {scenario!r}.")
        entries = cat.files("scenario")
        names = [_short(e) for e in entries]
        e = _find(entries, scenario)
        if e is None:
            raise InputsError(f"Scenariot {scenario!r} finns inte i datamappen {folder}. Tillgängliga scenarier: "
                              f"{_join(names)}.{_suggest(scenario, names)}")
        if chosen and e.forbund and not set(chosen) <= set(e.forbund):
            own = [_short(x) for x in entries if not x.forbund or set(chosen) <= set(x.forbund)]
            raise InputsError(f"Scenariot {scenario!r} gäller {_join(e.forbund)}, inte {', '.join(chosen)}. "
                              + (f"Scenarier för {', '.join(chosen)}: {_join(own)}." if own else
                                 f"Datamappen har inget scenario för {', '.join(chosen)}; lämna scenario tomt "
                                 f"eller lägg till ett i datakatalogen."))
        scenario = _short(e)
    for name, value in (dates or {}).items():
        _parse_date(value, f"Parametern {name}")
    wanted = [n.strip() for n in (rapporterat.split(",") if isinstance(rapporterat, str) else rapporterat or [])
              if n.strip()]
    for n in wanted:
        if _find(cat.files("rapporterat"), n) is None:
            names = [_short(x) for x in cat.files("rapporterat")]
            raise InputsError(f"Den rapporterade tabellen {n!r} finns inte i datamappen {folder}. Tillgängliga: "
                              f"{_join(names)} (eller tomt för ingen).{_suggest(Path(n).stem, names)}")
    for entity in require:
        have = [e for e in cat.files(entity) if not chosen or any(e.covers(f) for f in chosen)]
        if not have:
            what = f" för {', '.join(chosen)}" if chosen else ""
            raise InputsError(f"Datamappen {folder} har ingen fil med {_cat.ENTITIES[entity].split(' (')[0]} "
                              f"(entitet {entity}){what}. Importera en med `evaluation import FIL --entity {entity} "
                              f"--data {folder}` eller lägg till den i {_cat.CATALOGUE_FILE}.")
    return {"catalogue": cat, "forbund": chosen, "period": (start, end), "reference_date": ref,
            "scenario": scenario or ""}


def load(data_dir, forbund=None, period=None, *, scenario: str = "", reference_date=None,
         require: Iterable[str] = (), rapporterat: str | Iterable[str] = "", dates: dict | None = None,
         insats: str | Iterable[str] = "", on_missing_key: str = "raise") -> Inputs:
    """Validate the parameters against ``data_dir``'s catalogue and return its :class:`Inputs`.

    The only function that reads a data folder. Tables are read on first access and filtered to
    ``forbund``; see :func:`validate` for the parameters and their checks. Called in a notebook's
    first cell after the parameters, so a parameter mistake stops the notebook there with one
    Swedish message (no library traceback: :func:`show_errors_as_messages`).

    Parameters
    ----------
    data_dir : path
        Folder with a ``datakatalog.yaml``.
    forbund, period, scenario, reference_date, require, rapporterat, dates
        See :func:`validate`.
    insats : str or list
        Insatser (comma-separated) the caller filters on; each must occur in the selected förbund's
        episodes (the loader validates, the analysis filters).
    on_missing_key : {"raise", "skip"}
        See :class:`Inputs`.

    Examples
    --------
    >>> inp = load("data_samples", forbund="Norrdal", scenario="bas")
    >>> inp.scenario.namn, sorted(inp.nns["forbund"].unique()), sorted(inp.alla.nns["forbund"].unique())
    ('Bas', ['Norrdal'], ['Norrdal', 'Söderå'])
    """
    show_errors_as_messages()
    if on_missing_key not in ("raise", "skip"):
        raise InputsError(f"on_missing_key ska vara 'raise' eller 'skip', inte {on_missing_key!r}.")
    v = validate(data_dir, forbund=forbund, period=period, scenario=scenario, reference_date=reference_date,
                 require=require, rapporterat=rapporterat, dates=dates)
    inp = Inputs(Path(data_dir), v["catalogue"], v["forbund"], v["period"], v["reference_date"], v["scenario"],
                 on_missing_key)
    if insats:
        inp.check_values("insats", insats, "episodes", "insats")
    return inp


# ---------------------------------------------------------------------------------------------
# notebooks: a parameter mistake is a message, not a traceback


def _message_only(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: show ``Fel: <message>`` as the cell's error output."""
    text = f"\x1b[0;31mFel:\x1b[0m {value}"
    try:
        shell._showtraceback(etype, value, [text])
    except Exception:  # noqa: BLE001 - a plain terminal IPython
        print(f"Fel: {value}")
    return [text]


def show_errors_as_messages() -> bool:
    """In a Jupyter/IPython kernel, show every :class:`~evaluation.errors.EvaluationError` as its Swedish
    message only (an ``error`` output whose traceback is that one line), so a parameter mistake
    never shows a library traceback; the cell still fails (papermill and the runner see the error).

    Returns True when installed (an IPython shell is running), False otherwise.

    Examples
    --------
    >>> show_errors_as_messages()  # no IPython shell in a doctest
    False
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    if shell is None:
        return False
    if EvaluationError not in getattr(shell, "custom_exceptions", ()):
        shell.set_custom_exc((EvaluationError,), _message_only)
    return True
