"""Instrument registry: scoring keys of questionnaires, read from key tables, not code.

Each instrument is one YAML file in ``evaluation/data/instrument/`` (``soc29.yaml``,
``soc13.yaml``, the example ``brukarenkat.yaml``); a user defines an own instrument in a small
YAML file of the same shape and loads it with :func:`load` (or :func:`register`). Only scoring
keys are shipped: item wordings of KASAM/SOC are copyrighted (DOMAIN.md §4.1).

Key-table format (YAML)::

    name: brukarenkat              # registry name, also the item column prefix by default
    title: {sv: "...", en: "..."}
    prefix: brukarenkat            # item columns are <prefix>_<item>
    items: 5                       # number of items (ids 1..n) or a list of item ids
    range: [1, 4]                  # lowest and highest response value
    total: sum                     # sum (KASAM) or mean (a per-item mean score)
    formversion: sv                # language version recorded with every score
    subscales: {namn: [1, 2, 3]}   # item ids per subscale ({} = total only)
    reverse: [2]                   # reverse-keyed items, scored (min + max) - x
    reverse_by_formversion: {sv: [2]}   # optional per language form (anchor direction)
    maps_to: {instrument: soc29, items: {1: 4}}   # optional item mapping to another form
    norms: {reference: {mean: .., sd: .., n: ..}, bands: {lag: [a, b], ...}}   # optional

Examples
--------
>>> get("soc13").subscales["hanterbarhet"]
(3, 5, 10, 13)
>>> response_range("soc29")
(1, 7)
>>> response_range("nns", scale_max=10)
(1, 10)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import EvaluationError

__all__ = [
    "FormVersionWarning",
    "Instrument",
    "InstrumentError",
    "get",
    "names",
    "load",
    "register",
    "response_range",
    "parse",
    "NNS_DEFAULT_MAX",
]

#: Default top of the NNS response scale when the instrument is not registered (1..6).
NNS_DEFAULT_MAX = 6


class InstrumentError(EvaluationError, ValueError):
    """A key table is malformed or an instrument is unknown (the message says what to fix)."""


class FormVersionWarning(EvaluationError, UserWarning):
    """Data name a form version whose reverse keying the instrument file does not declare.

    Scoring then uses the default form's key; the warning names the instrument, the version and the
    known versions so that the version can be added (``reverse_by_formversion``) or corrected.
    """


@dataclass(frozen=True)
class Instrument:
    """Scoring key of one questionnaire form.

    Attributes
    ----------
    name : str
        Registry name (``"soc29"``).
    prefix : str
        Item column prefix; item columns are ``f"{prefix}_{item}"``.
    items : tuple
        Item ids in questionnaire order (ints for numbered items).
    low, high : int
        Response range (inclusive).
    subscales : dict[str, tuple]
        Item ids per subscale, in file order.
    reverse : tuple
        Reverse-keyed item ids of the default form version.
    total : {"sum", "mean"}
        How item scores combine into the total.
    formversion : str
        Default language/form version recorded with scores.
    """

    name: str
    prefix: str
    items: tuple
    low: int
    high: int
    subscales: dict[str, tuple] = field(default_factory=dict)
    reverse: tuple = ()
    total: str = "sum"
    formversion: str = "sv"
    reverse_by_formversion: dict[str, tuple] = field(default_factory=dict)
    maps_to: dict[str, Any] = field(default_factory=dict)
    norms: dict[str, Any] = field(default_factory=dict)
    title: dict[str, str] = field(default_factory=dict)
    source: str = ""

    @property
    def n_items(self) -> int:
        """Number of items."""
        return len(self.items)

    @property
    def columns(self) -> list[str]:
        """Item column names in item order (``soc13_1`` … ``soc13_13``)."""
        return [f"{self.prefix}_{i}" for i in self.items]

    def column(self, item) -> str:
        """Column name of one item id."""
        return f"{self.prefix}_{item}"

    def reverse_items(self, formversion: str | None = None) -> tuple:
        """Reverse-keyed items of ``formversion`` (the default form when None or empty).

        A version the instrument file does not list, for an instrument whose keying is declared per
        form version, is never taken silently for the default: a :class:`FormVersionWarning` names
        it (the default key is then used).

        Examples
        --------
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as w:
        ...     warnings.simplefilter("always")
        ...     key = get("soc29").reverse_items("sv-29-1993")
        >>> key == get("soc29").reverse_items("sv"), "sv-29-1993" in str(w[0].message)
        (True, True)
        """
        fv = "" if formversion is None else str(formversion).strip()
        if fv.lower() in ("", "nan", "none", "<na>"):
            fv = self.formversion
        if fv in self.reverse_by_formversion:
            return self.reverse_by_formversion[fv]
        if self.reverse_by_formversion and fv != self.formversion:
            import warnings

            known = ", ".join(sorted(self.reverse_by_formversion))
            warnings.warn(FormVersionWarning(
                f"Formversionen {fv!r} finns inte för instrumentet {self.name} (kända versioner: {known}); "
                f"standardnyckeln för {self.formversion!r} används. Lägg till versionen med sin omvända nyckel "
                f"(reverse_by_formversion) i instrumentfilen, eller rätta formversionen i data."), stacklevel=2)
        return self.reverse

    def score_range(self, subscale: str | None = None) -> tuple[float, float]:
        """Possible range of the total (``subscale=None``) or of one subscale.

        Examples
        --------
        >>> get("soc29").score_range()
        (29, 203)
        >>> get("soc13").score_range("begriplighet")
        (5, 35)
        """
        k = self.n_items if subscale is None else len(self.subscales[subscale])
        if self.total == "mean":
            return (self.low, self.high)
        return (self.low * k, self.high * k)


_REGISTRY: dict[str, Instrument] = {}
_BUILTIN_LOADED = False


def _norm(name: str) -> str:
    return str(name).strip().lower().replace("-", "").replace(" ", "")


def _item_id(x):
    if isinstance(x, bool):
        raise InstrumentError(f"item id {x!r} is not valid")
    if isinstance(x, int):
        return x
    s = str(x).strip()
    return int(s) if s.isdigit() else s


def parse(spec: dict, source: str = "") -> Instrument:
    """Build an :class:`Instrument` from a key-table mapping (the parsed YAML).

    Validates that subscale and reverse items exist, that subscales do not overlap and that
    the range is ``low < high``.

    Parameters
    ----------
    spec : dict
        Key table as described in the module docstring.
    source : str
        Where the spec came from (file path), for error messages.

    Examples
    --------
    >>> ins = parse({"name": "mini", "items": 3, "range": [1, 5], "reverse": [2]})
    >>> ins.columns, ins.low, ins.high
    (['mini_1', 'mini_2', 'mini_3'], 1, 5)
    """
    where = f" in {source}" if source else ""
    if not isinstance(spec, dict) or "name" not in spec:
        raise InstrumentError(f"key table{where} needs at least 'name', 'items' and 'range'")
    name = _norm(spec["name"])
    items_spec = spec.get("items")
    if isinstance(items_spec, int):
        items = tuple(range(1, items_spec + 1))
    elif isinstance(items_spec, (list, tuple)) and items_spec:
        items = tuple(_item_id(i) for i in items_spec)
    else:
        raise InstrumentError(f"instrument {name!r}{where}: 'items' must be a count or a list of item ids")
    if len(set(items)) != len(items):
        raise InstrumentError(f"instrument {name!r}{where}: duplicate item ids")
    rng = spec.get("range")
    if not (isinstance(rng, (list, tuple)) and len(rng) == 2 and int(rng[0]) < int(rng[1])):
        raise InstrumentError(f"instrument {name!r}{where}: 'range' must be [low, high] with low < high")
    low, high = int(rng[0]), int(rng[1])
    known = set(items)

    def _items(lst, what):
        out = tuple(_item_id(i) for i in (lst or []))
        bad = [i for i in out if i not in known]
        if bad:
            raise InstrumentError(f"instrument {name!r}{where}: {what} lists unknown items {bad}")
        return out

    subscales = {str(k): _items(v, f"subscale {k!r}") for k, v in (spec.get("subscales") or {}).items()}
    seen: dict = {}
    for sub, its in subscales.items():
        for i in its:
            if i in seen:
                raise InstrumentError(f"instrument {name!r}{where}: item {i} in both {seen[i]!r} and {sub!r}")
            seen[i] = sub
    reverse = _items(spec.get("reverse"), "reverse")
    rbf = {str(k): _items(v, f"reverse_by_formversion[{k}]") for k, v in
           (spec.get("reverse_by_formversion") or {}).items()}
    total = str(spec.get("total", "sum"))
    if total not in ("sum", "mean"):
        raise InstrumentError(f"instrument {name!r}{where}: 'total' must be 'sum' or 'mean'")
    maps_to = dict(spec.get("maps_to") or {})
    if maps_to:
        maps_to = {"instrument": _norm(maps_to["instrument"]),
                   "items": {_item_id(k): _item_id(v) for k, v in maps_to.get("items", {}).items()}}
        _items(list(maps_to["items"]), "maps_to")
    title = spec.get("title") or {}
    if isinstance(title, str):
        title = {"sv": title, "en": title}
    return Instrument(
        name=name, prefix=str(spec.get("prefix", name)), items=items, low=low, high=high,
        subscales=subscales, reverse=reverse, total=total, formversion=str(spec.get("formversion", "sv")),
        reverse_by_formversion=rbf, maps_to=maps_to, norms=dict(spec.get("norms") or {}),
        title=dict(title), source=source,
    )


def register(instrument: Instrument | dict, replace: bool = True) -> Instrument:
    """Add an instrument (object or key-table dict) to the registry and return it.

    Examples
    --------
    >>> register({"name": "demo3", "items": 3, "range": [0, 10]}).high
    10
    """
    _load_builtin()
    ins = instrument if isinstance(instrument, Instrument) else parse(instrument)
    if not replace and ins.name in _REGISTRY:
        raise InstrumentError(f"instrument {ins.name!r} already registered; pass replace=True to override")
    _REGISTRY[ins.name] = ins
    return ins


def load(path: str | os.PathLike, register_it: bool = True) -> Instrument:
    """Read a user's YAML key table and (by default) register it.

    Parameters
    ----------
    path : str or path
        YAML file in the format of the module docstring.
    register_it : bool
        Also add it to the registry so that :func:`get` and ``kasam.score(form=...)`` find it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "min.yaml"
    >>> _ = p.write_text("name: min\\nitems: 2\\nrange: [1, 5]\\n", encoding="utf-8")
    >>> load(p).columns
    ['min_1', 'min_2']
    """
    p = Path(path)
    with p.open("r", encoding="utf-8") as fh:
        spec = yaml.safe_load(fh)
    ins = parse(spec, source=str(p))
    if register_it:
        register(ins)
    return ins


def _load_builtin() -> None:
    global _BUILTIN_LOADED
    if _BUILTIN_LOADED:
        return
    _BUILTIN_LOADED = True
    folder = resources.files("evaluation").joinpath("data/instrument")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            with entry.open("r", encoding="utf-8") as fh:
                ins = parse(yaml.safe_load(fh), source=f"evaluation/data/instrument/{entry.name}")
            _REGISTRY.setdefault(ins.name, ins)


def names() -> list[str]:
    """Names of all registered instruments.

    Examples
    --------
    >>> {"soc29", "soc13", "brukarenkat"} <= set(names())
    True
    """
    _load_builtin()
    return sorted(_REGISTRY)


def get(name: str) -> Instrument:
    """Return the registered instrument ``name`` (``"soc29"``, ``"SOC-13"``, ``"brukarenkat"``, ...).

    Raises
    ------
    InstrumentError
        Unknown name; the message lists the known ones and how to add an own key table.

    Examples
    --------
    >>> get("SOC-29").n_items
    29
    """
    _load_builtin()
    key = _norm(name)
    if key not in _REGISTRY:
        raise InstrumentError(
            f"unknown instrument {name!r}; known: {sorted(_REGISTRY)}. Define a YAML key table and "
            f"load it with evaluation.instruments.load(path)")
    return _REGISTRY[key]


def response_range(instrument: str, scale_max: int | None = None) -> tuple[int, int]:
    """Lowest and highest valid item response of ``instrument``.

    ``soc29`` and ``soc13`` answer 1..7. ``nns`` answers 1..``scale_max`` (default
    :data:`NNS_DEFAULT_MAX` = 6) unless registered with its own key table. For any registered
    instrument ``scale_max`` overrides the top of the range (for forms whose scale changed).

    Parameters
    ----------
    instrument : str
        Instrument name or item column prefix.
    scale_max : int, optional
        Top of the response scale when it varies by version.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> response_range("soc13")
    (1, 7)
    >>> response_range("nns")
    (1, 6)
    >>> response_range("brukarenkat")
    (1, 4)
    """
    _load_builtin()
    key = _norm(instrument)
    if key in _REGISTRY:
        ins = _REGISTRY[key]
        return (ins.low, int(scale_max) if scale_max is not None else ins.high)
    if key == "nns":
        return (1, int(scale_max) if scale_max is not None else NNS_DEFAULT_MAX)
    raise InstrumentError(
        f"no response range known for instrument {instrument!r}; known: {sorted(_REGISTRY) + ['nns']}")
