"""Cost-benefit scenarios: per-actor fiscal and societal economics, scenarios and uncertainty.

An open, reproducible version of what socio-economic reports for samordningsförbund (Payoff
NyttoSam, Nilsson & Wadeskog's *socioekonomiska bokslut*) do in closed spreadsheets. Every
monetary effect has a payer and a receiver and results are always shown **per actor** beside the
total, because "den enes bröd blir den andres död" (seed 000, s. 20): a project can pay off for
society and three parties while the fourth carries the cost (DOMAIN.md §2, §7).

Inputs (data, not code)
-----------------------
* **Unit costs** (schema :data:`evaluation.schemas.UNIT_COSTS`): ``post, benamning, aktor,
  belopp_sek, enhet (manad/ar/tillfalle), prisar, typ (transferering/real_resurs), kalla``.
  Sign: ``belopp_sek`` is what one unit **costs the actor** (positive = outlay, negative = income
  of the actor; e.g. ``lon_brutto`` is −28 000 per month for ``individ``). A transfer needs its
  counter-entry on the receiving side (``forsorjningsstod`` 9 500 for kommun and
  ``forsorjningsstod_mottaget`` −9 500 for individ) so that transfers net to zero for society.
  Optional uprating to the scenario's price year with an index table (``ar, index``;
  :func:`uprate`): amount × index[to] / index[prisar].
* **Scenario YAML** (:func:`load_scenario`, read with ``yaml.safe_load``)::

      namn: Bas
      prisar: 2025                  # price year of all amounts (optional)
      horisont_ar: 5                # H, years t = 1..H
      diskonteringsranta: 0.035     # r (default 0.035)
      deltagare: [40, 60, 60]       # participants per cohort (cohort k starts in year k); or one number
      dodvikt: 0.30                 # deadweight
      undantrangning: 0.10          # displacement
      attribution: 0.20             # share due to others (SROI convention: × (1 − attribution))
      avtagande: 0.25               # drop-off per year
      fordrojning_ar: 0             # lag in whole years
      optimism_kostnader: 0.10      # costs × (1 + ob_c)
      optimism_nyttor: 0.10         # benefits × (1 − ob_b)
      projektkostnad: [3000000, 3000000, 3000000]    # SEK per year, year 1 first
      finansiering: {forsakringskassan: 0.5, region: 0.25, kommun: 0.25}   # sums to 1
      utfall:                       # mutually exclusive groups of participants (sum of andel ≤ 1)
        - namn: arbete
          andel: 0.18               # share of participants
          forandringar: {forsorjningsstod: -12, forsorjningsstod_mottaget: -12, lon_brutto: 12}
      osakerhet:                    # optional distributions for tornado / Monte Carlo
        dodvikt: {fordelning: triangular, min: 0.15, mode: 0.30, max: 0.50}

  ``forandringar`` are changes per successful participant and year in the *unit* of the post
  (months, years or occasions). Defaults: r = 0.035, every adjustment 0, lag 0.

Conventions (pinned by ``tests/test_costbenefit.py``)
----------------------------------------------------
* Years t = 1..H. Year 1 is **not** discounted; year t is divided by (1 + r)^(t−1).
* Benefit of outcome o to actor a in year t, for a cohort starting in year 1::

      N × andel_o × V_oa × (1 − dödvikt) × (1 − undanträngning) × (1 − attribution)
        × (1 − avtagande)^(t − 1 − lag)      for t > lag, else 0

  with V_oa = −Σ_posts (change × belopp_sek) over the posts of actor a (a reduced outlay is a
  gain). A cohort starting in year k contributes the same with t replaced by t − k + 1.
* Costs (the project cost × the actor's financing share) are multiplied by
  (1 + optimism_kostnader), benefits by (1 − optimism_nyttor).
* In the tidy flows ``belopp`` is signed from the actor's view: > 0 gain, < 0 cost.
  ``kategori`` is ``kostnad`` for project-cost lines and ``nytta`` for outcome lines (which may be
  negative, e.g. the individual losing a transfer). PV costs = −Σ PV(kostnad lines) and
  PV benefits = Σ PV(nytta lines); NPV = PV benefits − PV costs; BCR = PV benefits / PV costs
  (SROI ratio; NaN when PV costs = 0).
* **Fiscal view**: public actors (all but ``individ``), transfers included. **Societal view**: real
  resources only, summed over all actors incl. the individual; transfers must net to zero across
  all actors each year (checked: :class:`TransferBalanceError`, or a flag with
  ``check_transfers="warn"``). With balanced transfers the societal NPV equals the sum over all
  actors.
* **Payback month**: each year's flow is spread evenly over its 12 months, undiscounted; the first
  month whose cumulative net is ≥ 0, or ``None`` within the horizon.
* **Break-even success share**: the outcome shares are scaled by one factor k; NPV is linear in k,
  so NPV = 0 at k* = PV costs / PV benefits and the break-even share is k* × Σ andel
  (NaN when PV benefits ≤ 0). Jönköping (DOMAIN §7): 9 / 70 ≈ 12.9 %.
* **Losers**: actors with NPV < 0 while the societal total NPV > 0.

Uncertainty
-----------
:func:`compare_scenarios` (side by side), :func:`tornado` (one parameter at a time between its
low and high; default the 5th/95th percentile of its distribution) and :func:`monte_carlo`
(distributions ``uniform`` (min, max), ``triangular`` (min, mode, max), ``normal`` (mean, sd,
optional min/max clipping), ``beta`` (a, b, optional min/max scaling); numpy ``Generator`` with a
seed). The Monte Carlo is vectorised: NPV is linear in the per-actor yearly values, so
PV = adj × V × Σ_t E_t (1 + r)^−(t−1) is computed for all draws at once (no per-draw loop).
Parameter names: ``deltagare`` (total, cohorts scaled), ``dodvikt``, ``undantrangning``,
``attribution``, ``avtagande``, ``fordrojning_ar`` (rounded to whole years),
``diskonteringsranta``, ``optimism_kostnader``, ``optimism_nyttor``, ``projektkostnad_faktor``,
``andel:<utfall>``, ``belopp_faktor:<post>[+<post>...]`` (a factor on the named posts; name a
transfer together with its counter-entry so both move).

Headline results (``notebooks/samhallsekonomi.ipynb`` → :func:`headline`)
-----------------------------------------------------------------------
``scenario``, ``horisont_ar``, ``diskonteringsranta``, ``npv_total`` (societal, SEK),
``npv_offentlig`` (fiscal, public actors), ``npv_per_aktor`` {aktor: SEK}, ``pv_kostnader``,
``pv_nyttor``, ``bcr``, ``payback_month`` (total; None = not within horizon),
``payback_month_per_aktor``, ``break_even_andel``, ``forlorare`` [aktor], ``transfer_obalans``
(SEK), and with a Monte Carlo ``mc_draws``, ``mc_seed``, ``p_npv_pos`` (total),
``p_npv_pos_per_aktor``, ``npv_p05``, ``npv_p50``, ``npv_p95``; with a comparison
``npv_per_scenario`` {namn: SEK}.

References
----------
DOMAIN.md §2, §7, §9; seed 000 (Nilsson Lundmark & Nilsson, *Ensam är inte stark*); seed 002
(Vuxenteamen, 666 × 8 000 × 12); Cabinet Office (2012) *A guide to Social Return on Investment*
(deadweight, attribution, displacement, drop-off); HM Treasury (2022) *The Green Book*
(3.5 % discount rate, optimism bias). All formulas are written by hand (no library does them).

Examples
--------
>>> import pandas as pd
>>> uc = pd.DataFrame({"post": ["vard"], "benamning": ["Vård"], "aktor": ["region"],
...     "belopp_sek": [1000.0], "enhet": ["tillfalle"], "prisar": [2025], "typ": ["real_resurs"],
...     "kalla": ["antagande (illustrativt)"]})
>>> sc = scenario_from_dict({"namn": "x", "horisont_ar": 1, "deltagare": 10,
...     "projektkostnad": [5000], "finansiering": {"region": 1},
...     "utfall": [{"namn": "a", "andel": 1, "forandringar": {"vard": -1}}]})
>>> res = evaluate(sc, uc)
>>> res.npv_total
5000.0
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import yaml
from scipy import stats

from .figures import ACTOR_COLORS, apply_layout, bar_height, mkr_axis, show_in
from .formatting import MISSING, kronor, mkr, number, percent
from .formatting import label as _label
from .labels import t
from .schemas import UNIT_COSTS
from .vocabulary import codes, label
from .errors import EvaluationError

__all__ = [
    "ACTORS",
    "PUBLIC_ACTORS",
    "ScenarioError",
    "PriceYearError",
    "TransferBalanceError",
    "Distribution",
    "Outcome",
    "Scenario",
    "CostBenefitResult",
    "MonteCarloResult",
    "scenario_from_dict",
    "load_scenario",
    "load_scenarios",
    "read_unit_costs",
    "read_price_index",
    "uprate",
    "evaluate",
    "payback_month",
    "monthly_cumulative",
    "npv_vectorised",
    "compare_scenarios",
    "tornado",
    "monte_carlo",
    "caveats",
    "headline",
    "figure_actor_npv",
    "figure_cumulative",
    "figure_tornado",
    "figure_monte_carlo",
    "figure_compare",
    "scenario_widgets",
]

#: Actors in vocabulary order (``kommun``, ``region``, ``forsakringskassan``, ``arbetsformedlingen``,
#: ``ovrig_stat``, ``individ``).
ACTORS: list[str] = codes("aktor")
#: Public actors: the fiscal view.
PUBLIC_ACTORS: list[str] = [a for a in ACTORS if a != "individ"]

DEFAULT_DISCOUNT_RATE = 0.035
_RATE_KEYS = ("dodvikt", "undantrangning", "attribution", "avtagande", "optimism_kostnader", "optimism_nyttor")
_SCALAR_PARAMS = _RATE_KEYS + ("diskonteringsranta", "fordrojning_ar", "deltagare", "projektkostnad_faktor")
_KNOWN_KEYS = {"namn", "beskrivning", "prisar", "horisont_ar", "diskonteringsranta", "deltagare",
               "fordrojning_ar", "projektkostnad", "finansiering", "utfall", "osakerhet", *_RATE_KEYS}


class ScenarioError(EvaluationError, ValueError):
    """A scenario file or dict is invalid; the message names the file and key to fix."""


class PriceYearError(EvaluationError, ValueError):
    """Unit costs are in another price year than the scenario and no index was given to uprate them."""


class TransferBalanceError(EvaluationError, ValueError):
    """Transfers do not net to zero across actors (a counter-entry is missing in an outcome)."""


# --------------------------------------------------------------------------------------------
# Scenario model
# --------------------------------------------------------------------------------------------

_DIST_PARAMS = {"uniform": ("min", "max"), "triangular": ("min", "mode", "max"),
                "normal": ("mean", "sd"), "beta": ("a", "b")}


@dataclass(frozen=True)
class Distribution:
    """A parameter distribution for the Monte Carlo and the default tornado range.

    ``fordelning`` is ``uniform`` (min, max), ``triangular`` (min, mode, max), ``normal``
    (mean, sd; optional min/max clip) or ``beta`` (a, b; optional min/max rescale from [0, 1]).
    ``lag``/``hog`` override the tornado range (default: 5th and 95th percentile).

    Examples
    --------
    >>> d = Distribution("uniform", {"min": 0.0, "max": 0.4})
    >>> [round(v, 2) for v in d.low_high()]
    [0.02, 0.38]
    >>> d.sample(np.random.default_rng(1), 3).shape
    (3,)
    """

    fordelning: str
    params: Mapping[str, float]
    lag: float | None = None
    hog: float | None = None

    def _frozen(self):
        p = self.params
        if self.fordelning == "uniform":
            return stats.uniform(loc=p["min"], scale=p["max"] - p["min"])
        if self.fordelning == "triangular":
            width = p["max"] - p["min"]
            c = (p["mode"] - p["min"]) / width if width > 0 else 0.5
            return stats.triang(c, loc=p["min"], scale=width)
        if self.fordelning == "normal":
            return stats.norm(loc=p["mean"], scale=p["sd"])
        lo, hi = p.get("min", 0.0), p.get("max", 1.0)
        return stats.beta(p["a"], p["b"], loc=lo, scale=hi - lo)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values (vectorised numpy ``Generator`` calls)."""
        p = self.params
        if self.fordelning == "uniform":
            return rng.uniform(p["min"], p["max"], n)
        if self.fordelning == "triangular":
            if p["max"] == p["min"]:
                return np.full(n, float(p["min"]))
            return rng.triangular(p["min"], p["mode"], p["max"], n)
        if self.fordelning == "normal":
            x = rng.normal(p["mean"], p["sd"], n)
            return np.clip(x, p.get("min", -np.inf), p.get("max", np.inf))
        lo, hi = p.get("min", 0.0), p.get("max", 1.0)
        return lo + (hi - lo) * rng.beta(p["a"], p["b"], n)

    def low_high(self) -> tuple[float, float]:
        """Tornado range: ``lag``/``hog`` if given, else the 5th and 95th percentile (scipy.stats)."""
        frozen = self._frozen()
        lo = self.lag if self.lag is not None else float(frozen.ppf(0.05))
        hi = self.hog if self.hog is not None else float(frozen.ppf(0.95))
        if self.fordelning == "normal":
            lo = float(np.clip(lo, self.params.get("min", -np.inf), self.params.get("max", np.inf)))
            hi = float(np.clip(hi, self.params.get("min", -np.inf), self.params.get("max", np.inf)))
        return lo, hi


@dataclass(frozen=True)
class Outcome:
    """One outcome: a share of participants and its yearly changes per person in unit-cost posts."""

    namn: str
    andel: float
    forandringar: Mapping[str, float]
    benamning: str = ""


@dataclass(frozen=True)
class Scenario:
    """A cost-benefit scenario (see the module docstring for the YAML format and conventions).

    Use :func:`scenario_from_dict` or :func:`load_scenario` to build one (they validate), and
    :meth:`with_param` / ``dataclasses.replace`` to vary it.

    Examples
    --------
    >>> sc = scenario_from_dict({"namn": "x", "deltagare": 10, "projektkostnad": [1],
    ...     "finansiering": {"kommun": 1}, "utfall": []})
    >>> sc.with_param("dodvikt", 0.2).dodvikt
    0.2
    """

    namn: str
    deltagare: tuple[float, ...]
    projektkostnad: tuple[float, ...]
    finansiering: Mapping[str, float]
    utfall: tuple[Outcome, ...]
    horisont_ar: int = 5
    diskonteringsranta: float = DEFAULT_DISCOUNT_RATE
    dodvikt: float = 0.0
    undantrangning: float = 0.0
    attribution: float = 0.0
    avtagande: float = 0.0
    fordrojning_ar: int = 0
    optimism_kostnader: float = 0.0
    optimism_nyttor: float = 0.0
    prisar: int | None = None
    beskrivning: str = ""
    osakerhet: Mapping[str, Distribution] = field(default_factory=dict)
    projektkostnad_faktor: float = 1.0
    belopp_faktor: Mapping[str, float] = field(default_factory=dict)
    kalla: str = "<dict>"

    @property
    def total_deltagare(self) -> float:
        """Sum of participants over cohorts."""
        return float(sum(self.deltagare))

    @property
    def success_share(self) -> float:
        """Sum of the outcome shares (outcomes are mutually exclusive groups)."""
        return float(sum(o.andel for o in self.utfall))

    def with_param(self, name: str, value: float) -> "Scenario":
        """Return a copy with one uncertainty parameter set (names as in the module docstring)."""
        if name == "deltagare":
            total = self.total_deltagare
            factor = value / total if total else 0.0
            return dataclasses.replace(self, deltagare=tuple(n * factor for n in self.deltagare))
        if name == "fordrojning_ar":
            return dataclasses.replace(self, fordrojning_ar=int(round(value)))
        if name == "horisont_ar":  # not an uncertainty parameter (arrays change shape), but settable
            if int(value) < 1:
                raise ScenarioError(f"{self.kalla}: horisont_ar must be ≥ 1")
            return dataclasses.replace(self, horisont_ar=int(value))
        if name in _SCALAR_PARAMS:
            return dataclasses.replace(self, **{name: float(value)})
        if name.startswith("andel:"):
            target = name.split(":", 1)[1]
            if target not in {o.namn for o in self.utfall}:
                raise ScenarioError(f"{self.kalla}: osakerhet names unknown outcome {target!r}")
            outs = tuple(dataclasses.replace(o, andel=float(value)) if o.namn == target else o
                         for o in self.utfall)
            return dataclasses.replace(self, utfall=outs)
        if name.startswith("belopp_faktor:"):
            bf = dict(self.belopp_faktor)
            for post in name.split(":", 1)[1].split("+"):
                bf[post.strip()] = float(value)
            return dataclasses.replace(self, belopp_faktor=bf)
        raise ScenarioError(f"{self.kalla}: unknown parameter {name!r}; use one of {_SCALAR_PARAMS}, "
                            "'andel:<utfall>' or 'belopp_faktor:<post>[+<post>]'")

    def get_param(self, name: str) -> float:
        """Current value of an uncertainty parameter."""
        if name == "deltagare":
            return self.total_deltagare
        if name in _SCALAR_PARAMS:
            return float(getattr(self, name))
        if name.startswith("andel:"):
            return next(o.andel for o in self.utfall if o.namn == name.split(":", 1)[1])
        if name.startswith("belopp_faktor:"):
            first = name.split(":", 1)[1].split("+")[0].strip()
            return float(self.belopp_faktor.get(first, 1.0))
        raise ScenarioError(f"{self.kalla}: unknown parameter {name!r}")


def _num(d: Mapping, key: str, src: str, default=None, lo=None, hi=None, hi_open=False) -> float:
    if key not in d or d[key] is None:
        if default is None:
            raise ScenarioError(f"{src}: key '{key}' is missing")
        return default
    val = d[key]
    if isinstance(val, bool) or not isinstance(val, (int, float)):
        raise ScenarioError(f"{src}: key '{key}' must be a number, got {val!r}")
    val = float(val)
    if lo is not None and val < lo:
        raise ScenarioError(f"{src}: key '{key}' = {val} is below {lo}")
    if hi is not None and (val >= hi if hi_open else val > hi):
        raise ScenarioError(f"{src}: key '{key}' = {val} must be {'<' if hi_open else '≤'} {hi}")
    return val


def _distribution(spec: Any, src: str) -> Distribution:
    if not isinstance(spec, Mapping) or "fordelning" not in spec:
        raise ScenarioError(f"{src}: must be a mapping with 'fordelning' (uniform/triangular/normal/beta)")
    kind = spec["fordelning"]
    if kind not in _DIST_PARAMS:
        raise ScenarioError(f"{src}.fordelning: unknown distribution {kind!r}; use {list(_DIST_PARAMS)}")
    params = {}
    for k in _DIST_PARAMS[kind]:
        params[k] = _num(spec, k, src)
    for k in ("min", "max"):
        if k in spec and k not in params:
            params[k] = _num(spec, k, src)
    if kind in ("uniform", "triangular") and params["max"] < params["min"]:
        raise ScenarioError(f"{src}: max < min")
    if kind == "triangular" and not params["min"] <= params["mode"] <= params["max"]:
        raise ScenarioError(f"{src}: mode must lie between min and max")
    if kind == "normal" and params["sd"] < 0 or kind == "beta" and (params["a"] <= 0 or params["b"] <= 0):
        raise ScenarioError(f"{src}: sd must be ≥ 0; beta a, b must be > 0")
    lag = _num(spec, "lag", src) if "lag" in spec else None
    hog = _num(spec, "hog", src) if "hog" in spec else None
    return Distribution(kind, params, lag, hog)


def scenario_from_dict(d: Mapping[str, Any], source: str = "<dict>") -> Scenario:
    """Validate a scenario mapping (e.g. parsed YAML) and return a :class:`Scenario`.

    Parameters
    ----------
    d : mapping
        Keys as in the module docstring.
    source : str
        Name used in error messages (the file name).

    Raises
    ------
    ScenarioError
        Naming the file and the key, e.g. ``bas.yaml: key 'dodvikt' = 1.2 must be < 1``.

    Examples
    --------
    >>> scenario_from_dict({"namn": "x", "deltagare": [10, 20], "projektkostnad": [100],
    ...     "finansiering": {"kommun": 1}, "utfall": []}).total_deltagare
    30.0
    """
    if not isinstance(d, Mapping):
        raise ScenarioError(f"{source}: a scenario must be a mapping of keys, got {type(d).__name__}")
    unknown = set(d) - _KNOWN_KEYS
    if unknown:
        raise ScenarioError(f"{source}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_KNOWN_KEYS)}")
    namn = str(d.get("namn") or Path(source).stem)
    h = d.get("horisont_ar", 5)
    if isinstance(h, bool) or not isinstance(h, int) or h < 1:
        raise ScenarioError(f"{source}: key 'horisont_ar' must be a whole number of years ≥ 1, got {h!r}")
    lag = d.get("fordrojning_ar", 0)
    if isinstance(lag, bool) or not isinstance(lag, int) or lag < 0:
        raise ScenarioError(f"{source}: key 'fordrojning_ar' must be a whole number ≥ 0, got {lag!r}")
    rates = {k: _num(d, k, source, default=0.0, lo=0.0, hi=1.0, hi_open=True) for k in _RATE_KEYS}
    r = _num(d, "diskonteringsranta", source, default=DEFAULT_DISCOUNT_RATE, lo=-0.5, hi=1.0)

    def _seq(key: str) -> tuple[float, ...]:
        if key not in d:
            raise ScenarioError(f"{source}: key '{key}' is missing")
        raw = d[key]
        seq = raw if isinstance(raw, list) else [raw]
        if not seq:
            raise ScenarioError(f"{source}: key '{key}' is empty")
        out = []
        for i, v in enumerate(seq):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise ScenarioError(f"{source}: key '{key}'[{i}] must be a number ≥ 0, got {v!r}")
            out.append(float(v))
        return tuple(out)

    deltagare = _seq("deltagare")
    projektkostnad = _seq("projektkostnad")
    if "projektkostnad" in d and not isinstance(d["projektkostnad"], list):
        raise ScenarioError(f"{source}: key 'projektkostnad' must be a list of SEK per year, year 1 first")
    fin = d.get("finansiering")
    if not isinstance(fin, Mapping) or not fin:
        raise ScenarioError(f"{source}: key 'finansiering' must map actors ({', '.join(ACTORS)}) to shares")
    for a, s in fin.items():
        if a not in ACTORS:
            raise ScenarioError(f"{source}: finansiering.{a}: unknown actor; use one of {ACTORS}")
        _num(fin, a, f"{source}: finansiering", lo=0.0, hi=1.0)
    if abs(sum(float(v) for v in fin.values()) - 1.0) > 1e-9:
        raise ScenarioError(f"{source}: finansiering shares must sum to 1, got {sum(fin.values())}")
    raw_out = d.get("utfall", [])
    if not isinstance(raw_out, list):
        raise ScenarioError(f"{source}: key 'utfall' must be a list of outcomes")
    outs = []
    for i, o in enumerate(raw_out):
        where = f"{source}: utfall[{i}]"
        if not isinstance(o, Mapping) or "namn" not in o:
            raise ScenarioError(f"{where} must be a mapping with 'namn', 'andel' and 'forandringar'")
        where = f"{source}: utfall[{i}] ({o['namn']})"
        andel = _num(o, "andel", where, lo=0.0, hi=1.0)
        ch = o.get("forandringar")
        if not isinstance(ch, Mapping) or not ch:
            raise ScenarioError(f"{where}: key 'forandringar' must map unit-cost posts to yearly changes")
        changes = {str(p): _num(ch, p, f"{where}.forandringar") for p in ch}
        outs.append(Outcome(str(o["namn"]), andel, changes, str(o.get("benamning", o["namn"]))))
    names = [o.namn for o in outs]
    if len(set(names)) != len(names):
        raise ScenarioError(f"{source}: outcome names in 'utfall' must be unique")
    if sum(o.andel for o in outs) > 1 + 1e-9:
        raise ScenarioError(f"{source}: the shares ('andel') of the outcomes sum to more than 1; outcomes are "
                            "mutually exclusive groups of participants")
    prisar = d.get("prisar")
    if prisar is not None and (isinstance(prisar, bool) or not isinstance(prisar, int)):
        raise ScenarioError(f"{source}: key 'prisar' must be a year, got {prisar!r}")
    osak_raw = d.get("osakerhet") or {}
    if not isinstance(osak_raw, Mapping):
        raise ScenarioError(f"{source}: key 'osakerhet' must map parameter names to distributions")
    osak = {str(k): _distribution(v, f"{source}: osakerhet.{k}") for k, v in osak_raw.items()}
    sc = Scenario(namn=namn, deltagare=deltagare, projektkostnad=projektkostnad,
                  finansiering={a: float(v) for a, v in fin.items()}, utfall=tuple(outs), horisont_ar=h,
                  diskonteringsranta=r, fordrojning_ar=lag, prisar=prisar,
                  beskrivning=str(d.get("beskrivning", "")), osakerhet=osak, kalla=source, **rates)
    for k in osak:  # unknown parameter names fail here, naming the file
        try:
            sc.get_param(k)
        except (ScenarioError, StopIteration):
            raise ScenarioError(f"{source}: osakerhet.{k}: unknown parameter or outcome") from None
    return sc


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario YAML file (``yaml.safe_load``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.yaml"
    >>> _ = p.write_text("namn: S\\ndeltagare: 5\\nprojektkostnad: [10]\\nfinansiering: {kommun: 1}\\n")
    >>> load_scenario(p).namn
    'S'
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path.name}: not valid YAML ({exc})") from exc
    return scenario_from_dict(data or {}, source=path.name)


def _example() -> tuple[Scenario, pd.DataFrame]:
    """The scenario and unit costs of the module example, for the docstring examples.

    10 participants, a project cost of 5 000 kr paid by the region, every participant one
    fewer care visit (1 000 kr, real resource): NPV 5 000 kr, BCR 2.
    """
    uc = pd.DataFrame({"post": ["vard"], "benamning": ["Vård"], "aktor": ["region"], "belopp_sek": [1000.0],
                       "enhet": ["tillfalle"], "prisar": [2025], "typ": ["real_resurs"],
                       "kalla": ["antagande (illustrativt)"]})
    sc = scenario_from_dict({"namn": "x", "horisont_ar": 1, "deltagare": 10, "projektkostnad": [5000],
                             "finansiering": {"region": 1},
                             "utfall": [{"namn": "a", "andel": 1, "forandringar": {"vard": -1}}]})
    return sc, uc


def load_scenarios(folder: str | Path, names: Iterable[str] = ("pessimistiskt", "bas", "optimistiskt")
                   ) -> dict[str, Scenario]:
    """Load ``<folder>/<name>.yaml`` for each name, keyed by the scenario's ``namn``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "bas.yaml").write_text("namn: Bas\\ndeltagare: 5\\nprojektkostnad: [10]\\nfinansiering: {kommun: 1}\\n")
    >>> list(load_scenarios(d, names=["bas"]))
    ['Bas']
    """
    out = {}
    for n in names:
        sc = load_scenario(Path(folder) / f"{n}.yaml")
        out[sc.namn] = sc
    return out


# --------------------------------------------------------------------------------------------
# Unit costs and price index
# --------------------------------------------------------------------------------------------

def read_unit_costs(path: str | Path) -> pd.DataFrame:
    """Read a unit-cost CSV and validate it against :data:`evaluation.schemas.UNIT_COSTS`.

    A fallback for :func:`evaluation.io.load_unit_costs` (which adds the import report).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "enhetskostnader.csv"
    >>> _ = p.write_text("post,benamning,aktor,belopp_sek,enhet,prisar,typ,kalla\\n"
    ...                  "vard,Vård,region,1000,tillfalle,2025,real_resurs,antagande\\n")
    >>> read_unit_costs(p)[["post", "belopp_sek"]].to_dict("records")
    [{'post': 'vard', 'belopp_sek': 1000.0}]
    """
    df = pd.read_csv(path, dtype={"post": str, "benamning": str, "aktor": str, "enhet": str,
                                  "typ": str, "kalla": str})
    df["belopp_sek"] = df["belopp_sek"].astype(float)
    df["prisar"] = df["prisar"].astype("Int64")
    return UNIT_COSTS.validate(df)


def read_price_index(path: str | Path) -> pd.DataFrame:
    """Read a price-index table with columns ``ar`` (year) and ``index`` (any base).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "prisindex.csv"
    >>> _ = p.write_text("ar,index\\n2024,100\\n2025,102.5\\n")
    >>> read_price_index(p)["index"].tolist()
    [100.0, 102.5]
    """
    df = pd.read_csv(path)
    missing = {"ar", "index"} - set(df.columns)
    if missing:
        raise ValueError(f"{Path(path).name}: price index needs columns 'ar' and 'index' (missing {missing})")
    return df


def uprate(unit_costs: pd.DataFrame, to_year: int, index: pd.DataFrame) -> pd.DataFrame:
    """Uprate unit costs to ``to_year``: belopp × index[to_year] / index[prisar].

    Parameters
    ----------
    unit_costs : DataFrame
        UNIT_COSTS schema.
    to_year : int
        Target price year.
    index : DataFrame
        Columns ``ar``, ``index`` (e.g. KPI, or a GDP deflator as the GMCA unit cost database uses).

    Returns
    -------
    DataFrame
        A copy with ``belopp_sek`` uprated and ``prisar`` = ``to_year``; the original amount and year
        in ``belopp_sek_ursprung`` and ``prisar_ursprung``.

    Examples
    --------
    >>> uc = pd.DataFrame({"post": ["x"], "belopp_sek": [100.0], "prisar": [2020]})
    >>> idx = pd.DataFrame({"ar": [2020, 2025], "index": [300.0, 360.0]})
    >>> float(uprate(uc, 2025, idx)["belopp_sek"].iloc[0])
    120.0
    """
    idx = dict(zip(index["ar"].astype(int), index["index"].astype(float)))
    out = unit_costs.copy()
    years = set(int(y) for y in out["prisar"]) | {int(to_year)}
    missing = sorted(y for y in years if y not in idx)
    if missing:
        raise PriceYearError(f"the price index has no value for year(s) {missing}; add them to the index table")
    factor = out["prisar"].astype(int).map(lambda y: idx[int(to_year)] / idx[y]).astype(float)
    out["belopp_sek_ursprung"] = out["belopp_sek"]
    out["prisar_ursprung"] = out["prisar"]
    out["belopp_sek"] = out["belopp_sek"].astype(float) * factor
    out["prisar"] = pd.array([int(to_year)] * len(out), dtype="Int64")
    return out


def _used_costs(scenario: Scenario, unit_costs: pd.DataFrame, index: pd.DataFrame | None) -> pd.DataFrame:
    posts = sorted({p for o in scenario.utfall for p in o.forandringar})
    known = set(unit_costs["post"])
    unknown = [p for p in posts if p not in known]
    if unknown:
        raise ScenarioError(f"{scenario.kalla}: post(s) {unknown} in 'forandringar' are not in the unit-cost "
                            "table; add them there or fix the spelling")
    uc = unit_costs[unit_costs["post"].isin(posts)].copy()
    years = set(int(y) for y in uc["prisar"])
    if scenario.prisar is not None and years - {scenario.prisar}:
        if index is None:
            raise PriceYearError(f"{scenario.kalla}: unit costs in price year(s) {sorted(years)} but the scenario "
                                 f"is in {scenario.prisar}; pass a price index (index=...) to uprate them")
        uc = uprate(uc, scenario.prisar, index)
    elif scenario.prisar is None and len(years) > 1:
        raise PriceYearError(f"{scenario.kalla}: unit costs mix price years {sorted(years)}; set 'prisar' in the "
                             "scenario and pass a price index")
    bad = set(uc["aktor"]) - set(ACTORS)
    if bad:
        raise ScenarioError(f"unit costs name unknown actor(s) {sorted(bad)}")
    return uc.set_index("post")


# --------------------------------------------------------------------------------------------
# Deterministic evaluation
# --------------------------------------------------------------------------------------------

def _effect_weights(deltagare: Iterable[float], horizon: int, drop_off: float, lag: int) -> np.ndarray:
    """E_t = Σ_k N_k × (1 − d)^(τ−1−lag) with τ = t − k + 1 > lag (cohort k starts in year k)."""
    e = np.zeros(horizon)
    for k, n in enumerate(deltagare):  # loop over cohorts (years), not over draws
        for tt in range(k, horizon):
            tau = tt - k + 1
            if tau > lag:
                e[tt] += n * (1 - drop_off) ** (tau - 1 - lag)
    return e


def monthly_cumulative(yearly_net: Iterable[float]) -> np.ndarray:
    """Cumulative net per month when each year's flow is spread evenly over its 12 months (undiscounted).

    Examples
    --------
    >>> monthly_cumulative([-12, 24])[[0, 11, 12, 23]].tolist()
    [-1.0, -12.0, -10.0, 12.0]
    """
    y = np.asarray(list(yearly_net), dtype=float)
    return np.cumsum(np.repeat(y / 12.0, 12))


def payback_month(yearly_net: Iterable[float]) -> int | None:
    """First month (1-based) whose cumulative undiscounted net is ≥ 0, or ``None`` within the horizon.

    Each year's flow is spread evenly over its months (module conventions). A tolerance of
    1e-9 × Σ|flows| absorbs floating-point error. All-zero flows give ``None``.

    Examples
    --------
    DOMAIN.md §9 pay-off test: cost 150 000/month in months 1–12, gain 60 000/month from month 7:
    year 1 = −1 800 000 + 360 000, later years +720 000.

    >>> payback_month([-1_440_000, 720_000, 720_000, 720_000])
    36
    """
    y = np.asarray(list(yearly_net), dtype=float)
    scale = np.abs(y).sum()
    if scale == 0:
        return None
    cum = monthly_cumulative(y)
    hit = np.nonzero(cum >= -1e-9 * scale)[0]
    return int(hit[0]) + 1 if hit.size else None


@dataclass
class CostBenefitResult:
    """Result of :func:`evaluate` (all amounts in SEK at the scenario's price year).

    Attributes
    ----------
    scenario : Scenario
    flows : DataFrame
        Tidy: ``ar, aktor, utfall, post, benamning, typ, kategori, belopp, diskonteringsfaktor,
        belopp_pv``; ``belopp`` > 0 gain, < 0 cost to the actor.
    actors : DataFrame
        One row per actor plus ``offentlig`` (fiscal total) and ``samhalle`` (societal total):
        ``aktor, pv_kostnader, pv_nyttor, npv, npv_real, npv_transferering, bcr,
        aterbetalningsmanad, break_even_andel, forlorare, offentlig``.
    yearly : DataFrame
        Undiscounted net per year (rows ``ar`` 1..H) and actor (columns), plus ``totalt``.
    transfer_imbalance : float
        Largest |Σ transfers over actors| in any year (0 when balanced).
    """

    scenario: Scenario
    flows: pd.DataFrame
    actors: pd.DataFrame
    yearly: pd.DataFrame
    transfer_imbalance: float

    def _row(self, who: str) -> pd.Series:
        return self.actors.set_index("aktor").loc[who]

    @property
    def npv_total(self) -> float:
        """Societal NPV (real resources, all actors)."""
        return float(self._row("samhalle")["npv"])

    @property
    def npv_fiscal(self) -> float:
        """Fiscal NPV of the public sector (all actors but the individual, transfers included)."""
        return float(self._row("offentlig")["npv"])

    @property
    def npv_per_actor(self) -> dict[str, float]:
        """NPV per actor (fiscal view for public actors, incl. transfers)."""
        a = self.actors[self.actors["aktor"].isin(ACTORS)]
        return dict(zip(a["aktor"], a["npv"].astype(float)))

    @property
    def pv_costs(self) -> float:
        return float(self._row("samhalle")["pv_kostnader"])

    @property
    def pv_benefits(self) -> float:
        return float(self._row("samhalle")["pv_nyttor"])

    @property
    def bcr(self) -> float:
        """Societal benefit-cost ratio (PV benefits / PV costs)."""
        return float(self._row("samhalle")["bcr"])

    @property
    def payback_month(self) -> int | None:
        """Total payback month (all actors), or None."""
        v = self._row("samhalle")["aterbetalningsmanad"]
        return None if pd.isna(v) else int(v)

    @property
    def break_even_share(self) -> float:
        """Share of participants that must succeed for societal NPV = 0."""
        return float(self._row("samhalle")["break_even_andel"])

    @property
    def losers(self) -> list[str]:
        """Actors with NPV < 0 while the societal NPV > 0 ("den enes bröd blir den andres död")."""
        a = self.actors[self.actors["aktor"].isin(ACTORS)]
        return list(a.loc[a["forlorare"], "aktor"])


def _bcr(b: float, c: float) -> float:
    return b / c if c > 0 else float("nan")


def evaluate(scenario: Scenario, unit_costs: pd.DataFrame, index: pd.DataFrame | None = None,
             check_transfers: str = "raise") -> CostBenefitResult:
    """Evaluate a scenario: per-actor flows, PV, NPV, BCR, payback, break-even share, losers.

    Parameters
    ----------
    scenario : Scenario
        From :func:`load_scenario` or :func:`scenario_from_dict`.
    unit_costs : DataFrame
        UNIT_COSTS schema (signs: module docstring).
    index : DataFrame, optional
        Price index (``ar, index``) to uprate unit costs to ``scenario.prisar``.
    check_transfers : {"raise", "warn", "ignore"}
        What to do when transfers do not net to zero across actors in some year.

    Returns
    -------
    CostBenefitResult

    Notes
    -----
    Formulas in the module docstring (SROI guide chain; Green Book discounting with year 1
    undiscounted). Written by hand; the vectorised :func:`npv_vectorised` implements the same
    conventions independently and the tests check that both agree.

    Examples
    --------
    >>> uc = pd.DataFrame({"post": ["fs", "fs_m"], "benamning": ["Fs", "Fs mottaget"],
    ...     "aktor": ["kommun", "individ"], "belopp_sek": [1000.0, -1000.0], "enhet": ["manad"] * 2,
    ...     "prisar": [2025] * 2, "typ": ["transferering"] * 2, "kalla": ["antagande (illustrativt)"] * 2})
    >>> sc = scenario_from_dict({"namn": "x", "horisont_ar": 1, "deltagare": 1, "projektkostnad": [0],
    ...     "finansiering": {"kommun": 1},
    ...     "utfall": [{"namn": "a", "andel": 1, "forandringar": {"fs": -12, "fs_m": -12}}]})
    >>> r = evaluate(sc, uc)
    >>> r.npv_per_actor["kommun"], r.npv_per_actor["individ"], r.npv_total
    (12000.0, -12000.0, 0.0)
    """
    if check_transfers not in ("raise", "warn", "ignore"):
        raise ValueError("check_transfers must be 'raise', 'warn' or 'ignore'")
    sc = scenario
    uc = _used_costs(sc, unit_costs, index)
    H = sc.horisont_ar
    years = np.arange(1, H + 1)
    disc = (1 + sc.diskonteringsranta) ** -(years - 1.0)
    e = _effect_weights(sc.deltagare, H, sc.avtagande, sc.fordrojning_ar)
    adj = (1 - sc.dodvikt) * (1 - sc.undantrangning) * (1 - sc.attribution) * (1 - sc.optimism_nyttor)

    # outcome lines: one row per outcome × post, value per successful participant-year to the actor
    lines = pd.DataFrame([{"utfall": o.namn, "post": p, "andel": o.andel, "antal": q}
                          for o in sc.utfall for p, q in o.forandringar.items()],
                         columns=["utfall", "post", "andel", "antal"])
    lines = lines.join(uc[["aktor", "belopp_sek", "typ", "benamning"]], on="post")
    lines["faktor"] = lines["post"].map(lambda p: sc.belopp_faktor.get(p, 1.0)).astype(float)
    lines["varde"] = -lines["antal"] * lines["belopp_sek"] * lines["faktor"] * lines["andel"]
    yr = pd.DataFrame({"ar": years, "e": e, "diskonteringsfaktor": disc})
    ben = lines.merge(yr, how="cross")
    ben["belopp"] = ben["e"] * ben["varde"] * adj
    ben["kategori"] = "nytta"

    # project cost lines
    cost_years = np.zeros(H)
    n = min(H, len(sc.projektkostnad))
    cost_years[:n] = sc.projektkostnad[:n]
    cost_years *= (1 + sc.optimism_kostnader) * sc.projektkostnad_faktor
    cost = pd.DataFrame([{"ar": int(y), "aktor": a, "utfall": pd.NA, "post": "projektkostnad",
                          "benamning": t("costbenefit.projektkostnad"), "typ": "real_resurs",
                          "kategori": "kostnad", "belopp": -cost_years[y - 1] * share,
                          "diskonteringsfaktor": disc[y - 1]}
                         for a, share in sc.finansiering.items() for y in years])
    cols = ["ar", "aktor", "utfall", "post", "benamning", "typ", "kategori", "belopp", "diskonteringsfaktor"]
    flows = pd.concat([cost[cols], ben[cols]], ignore_index=True)
    flows["ar"] = flows["ar"].astype(int)
    flows["belopp"] = flows["belopp"].astype(float)
    flows["belopp_pv"] = flows["belopp"] * flows["diskonteringsfaktor"]

    # transfers must net to zero across all actors in each year
    tr = flows[flows["typ"] == "transferering"]
    per_year = tr.groupby("ar")["belopp"].sum().reindex(years, fill_value=0.0)
    scale = tr["belopp"].abs().sum() + 1.0
    imbalance = float(per_year.abs().max()) if len(per_year) else 0.0
    if imbalance > 1e-9 * scale:
        imbalance_clean = imbalance
        per_outcome = lines[lines["typ"] == "transferering"].groupby("utfall")["varde"].sum()
        bad = [f"{o} ({v:+,.0f} kr per deltagare och år)" for o, v in per_outcome.items() if abs(v) > 1e-6]
        msg = (f"{sc.kalla}: transfers do not net to zero across actors (largest yearly imbalance "
               f"{imbalance:,.0f} kr) in outcome(s) {', '.join(bad) or '?'}; add the counter-entry of each "
               "transfer (e.g. forsorjningsstod_mottaget for individ next to forsorjningsstod for kommun)")
        if check_transfers == "raise":
            raise TransferBalanceError(msg)
        if check_transfers == "warn":
            warnings.warn(msg, stacklevel=2)
    else:
        imbalance_clean = 0.0

    # per-actor summaries
    yearly = (flows.pivot_table(index="ar", columns="aktor", values="belopp", aggfunc="sum")
              .reindex(index=years, columns=ACTORS).fillna(0.0))
    real = flows[flows["typ"] == "real_resurs"]
    yearly["totalt"] = real.groupby("ar")["belopp"].sum().reindex(years, fill_value=0.0)
    rows = []
    groups = [(a, [a]) for a in ACTORS] + [("offentlig", PUBLIC_ACTORS), ("samhalle", ACTORS)]
    for name, members in groups:
        f = flows[flows["aktor"].isin(members)]
        if name == "samhalle":
            f = f[f["typ"] == "real_resurs"]
        pvc = 0.0 - float(f.loc[f["kategori"] == "kostnad", "belopp_pv"].sum()) + 0.0
        pvb = float(f.loc[f["kategori"] == "nytta", "belopp_pv"].sum())
        ff = flows[flows["aktor"].isin(members)]
        npv_real = float(ff.loc[ff["typ"] == "real_resurs", "belopp_pv"].sum())
        npv_tr = float(ff.loc[ff["typ"] == "transferering", "belopp_pv"].sum())
        net_year = yearly["totalt"] if name == "samhalle" else yearly[members].sum(axis=1)
        pvb_succ = pvb  # benefits scale linearly with the shares
        be = sc.success_share * pvc / pvb_succ if pvb_succ > 0 else float("nan")
        rows.append({"aktor": name, "pv_kostnader": pvc, "pv_nyttor": pvb, "npv": pvb - pvc,
                     "npv_real": npv_real, "npv_transferering": npv_tr, "bcr": _bcr(pvb, pvc),
                     "aterbetalningsmanad": payback_month(net_year), "break_even_andel": be,
                     "offentlig": name in PUBLIC_ACTORS or name == "offentlig"})
    actors = pd.DataFrame(rows)
    actors["aterbetalningsmanad"] = actors["aterbetalningsmanad"].astype("Int64")
    total = float(actors.loc[actors["aktor"] == "samhalle", "npv"].iloc[0])
    tol = 1e-9 * (flows["belopp_pv"].abs().sum() + 1.0)
    actors["forlorare"] = actors["aktor"].isin(ACTORS) & (actors["npv"] < -tol) & (total > tol)
    return CostBenefitResult(sc, flows, actors, yearly, imbalance_clean)


# --------------------------------------------------------------------------------------------
# Vectorised engine (Monte Carlo, tornado)
# --------------------------------------------------------------------------------------------

def _structure(scenario: Scenario, unit_costs: pd.DataFrame, index: pd.DataFrame | None):
    uc = _used_costs(scenario, unit_costs, index)
    posts = list(uc.index)
    O, C = len(scenario.utfall), len(posts)
    change = np.zeros((O, C))
    for i, o in enumerate(scenario.utfall):
        for p, q in o.forandringar.items():
            change[i, posts.index(p)] = q
    actor_of = np.zeros((C, len(ACTORS)))
    for j, p in enumerate(posts):
        actor_of[j, ACTORS.index(uc.at[p, "aktor"])] = 1.0
    real = (uc["typ"] == "real_resurs").to_numpy()
    return posts, change, uc["belopp_sek"].to_numpy(float), actor_of, real


def npv_vectorised(scenario: Scenario, unit_costs: pd.DataFrame, draws: Mapping[str, np.ndarray] | None = None,
                   index: pd.DataFrame | None = None) -> dict[str, np.ndarray]:
    """NPV per actor for many parameter draws at once (no per-draw Python loop).

    Parameters
    ----------
    scenario : Scenario
        Base values for every parameter not in ``draws``.
    unit_costs : DataFrame
    draws : mapping of parameter name → array of shape (S,)
        Names as in the module docstring (``dodvikt``, ``andel:<utfall>``, ...).
    index : DataFrame, optional
        Price index for uprating.

    Returns
    -------
    dict
        ``npv`` (S, A) per actor in :data:`ACTORS` order, ``npv_real`` (S, A) real-resource part,
        ``total`` (S,) societal NPV (real resources, all actors), ``offentlig`` (S,) fiscal NPV,
        ``pv_kostnader`` (S,), ``pv_nyttor`` (S,) (societal).

    Notes
    -----
    PV benefit to actor a = adj × Σ_c V_c,a × Σ_t E_t (1 + r)^−(t−1), where E_t is the effect weight
    of the cohorts (module docstring), so only (S, T), (S, O) and (S, C) arrays are formed.

    Examples
    --------
    >>> uc = pd.DataFrame({"post": ["vard"], "benamning": ["Vård"], "aktor": ["region"],
    ...     "belopp_sek": [1000.0], "enhet": ["tillfalle"], "prisar": [2025], "typ": ["real_resurs"],
    ...     "kalla": ["x"]})
    >>> sc = scenario_from_dict({"namn": "x", "horisont_ar": 1, "deltagare": 10, "projektkostnad": [5000],
    ...     "finansiering": {"region": 1}, "utfall": [{"namn": "a", "andel": 1, "forandringar": {"vard": -1}}]})
    >>> npv_vectorised(sc, uc, {"dodvikt": np.array([0.0, 0.5])})["total"].tolist()
    [5000.0, 0.0]
    """
    draws = {k: np.asarray(v, dtype=float) for k, v in (draws or {}).items()}
    S = max([len(v) for v in draws.values()], default=1)
    sc = scenario

    def p(name: str) -> np.ndarray:
        if name in draws:
            return draws[name]
        return np.full(S, sc.get_param(name))

    posts, change, belopp, actor_of, real = _structure(sc, unit_costs, index)
    H = sc.horisont_ar
    tt = np.arange(1, H + 1, dtype=float)
    r, d = p("diskonteringsranta"), p("avtagande")
    lag = np.round(p("fordrojning_ar"))
    disc = (1 + r)[:, None] ** -(tt[None, :] - 1)                       # (S, T)
    cohorts = np.asarray(sc.deltagare, dtype=float)
    n_scale = p("deltagare") / (cohorts.sum() if cohorts.sum() else 1.0)
    epv = np.zeros(S)
    for k, nk in enumerate(cohorts):                                    # loop over cohorts, not draws
        tau = tt[k:] - k                                                # 1..H−k
        w = np.where(tau[None, :] > lag[:, None],
                     (1 - d)[:, None] ** np.maximum(tau[None, :] - 1 - lag[:, None], 0), 0.0)
        epv += nk * n_scale * (w * disc[:, k:]).sum(axis=1)
    adj = (1 - p("dodvikt")) * (1 - p("undantrangning")) * (1 - p("attribution")) * (1 - p("optimism_nyttor"))
    shares = np.column_stack([p(f"andel:{o.namn}") for o in sc.utfall]) if sc.utfall else np.zeros((S, 0))
    factor = np.ones((S, len(posts)))
    for name, arr in draws.items():
        if name.startswith("belopp_faktor:"):
            for post in name.split(":", 1)[1].split("+"):
                if post.strip() in posts:
                    factor[:, posts.index(post.strip())] = arr
    for post, f in sc.belopp_faktor.items():
        if post in posts and not any(post in k.split(":", 1)[1].split("+") for k in draws
                                     if k.startswith("belopp_faktor:")):
            factor[:, posts.index(post)] = f
    value_post = -(shares @ change) * belopp[None, :] * factor          # (S, C) per participant-year
    pvb = (adj * epv)[:, None] * (value_post @ actor_of)                # (S, A)
    pvb_real = (adj * epv)[:, None] * ((value_post * real[None, :]) @ actor_of)
    kost = np.zeros(H)
    n = min(H, len(sc.projektkostnad))
    kost[:n] = sc.projektkostnad[:n]
    pvc_total = (1 + p("optimism_kostnader")) * p("projektkostnad_faktor") * (disc @ kost)   # (S,)
    fin = np.array([sc.finansiering.get(a, 0.0) for a in ACTORS])
    pvc = pvc_total[:, None] * fin[None, :]
    npv = pvb - pvc
    public = np.array([a in PUBLIC_ACTORS for a in ACTORS])
    return {"npv": npv, "npv_real": pvb_real - pvc, "total": (pvb_real - pvc).sum(axis=1),
            "offentlig": npv[:, public].sum(axis=1), "pv_kostnader": pvc_total,
            "pv_nyttor": pvb_real.sum(axis=1)}


def tornado(scenario: Scenario, unit_costs: pd.DataFrame, ranges: Mapping[str, tuple[float, float]] | None = None,
            index: pd.DataFrame | None = None, target: str = "total") -> pd.DataFrame:
    """One-at-a-time sensitivity of NPV: each parameter at its low and high, others at base.

    Parameters
    ----------
    scenario : Scenario
    unit_costs : DataFrame
    ranges : mapping name → (low, high), optional
        Default: from ``scenario.osakerhet`` (``lag``/``hog`` or the 5th/95th percentile).
    index : DataFrame, optional
    target : str
        ``"total"`` (societal), ``"offentlig"`` (fiscal) or an actor code.

    Returns
    -------
    DataFrame
        ``parameter, bas, lag, hog, npv_bas, npv_lag, npv_hog, spann`` sorted by ``spann``
        (|npv_hog − npv_lag|), largest first.

    Examples
    --------
    >>> sc, uc = _example()
    >>> tornado(sc, uc, ranges={"dodvikt": (0.0, 0.5)})[["parameter", "npv_lag", "npv_hog"]].values.tolist()
    [['dodvikt', 5000.0, 0.0]]
    """
    if ranges is None:
        ranges = {k: dist.low_high() for k, dist in scenario.osakerhet.items()}
    names = list(ranges)
    if not names:
        return pd.DataFrame(columns=["parameter", "bas", "lag", "hog", "npv_bas", "npv_lag", "npv_hog", "spann"])
    base_vals = {nm: scenario.get_param(nm) for nm in names}
    # rows: 0 = base, then low/high for each parameter (2 × P draws, vectorised)
    S = 1 + 2 * len(names)
    draws = {nm: np.full(S, base_vals[nm]) for nm in names}
    for i, nm in enumerate(names):
        draws[nm][1 + 2 * i] = ranges[nm][0]
        draws[nm][2 + 2 * i] = ranges[nm][1]
    out = npv_vectorised(scenario, unit_costs, draws, index)
    if target in ("total", "offentlig"):
        y = out[target]
    else:
        y = out["npv"][:, ACTORS.index(target)]
    df = pd.DataFrame({"parameter": names, "bas": [base_vals[n] for n in names],
                       "lag": [ranges[n][0] for n in names], "hog": [ranges[n][1] for n in names],
                       "npv_bas": y[0], "npv_lag": y[1::2], "npv_hog": y[2::2]})
    df["spann"] = (df["npv_hog"] - df["npv_lag"]).abs()
    return df.sort_values("spann", ascending=False, ignore_index=True)


@dataclass
class MonteCarloResult:
    """Monte Carlo output: ``npv`` DataFrame (one row per draw; columns actors, ``offentlig``,
    ``totalt``), ``summary`` (``aktor, medel, p05, p50, p95, p_npv_pos``), ``seed``, ``n``."""

    npv: pd.DataFrame
    summary: pd.DataFrame
    seed: int
    n: int

    @property
    def p_npv_pos(self) -> float:
        """P(societal NPV > 0)."""
        return float(self.summary.set_index("aktor").at["totalt", "p_npv_pos"])


def monte_carlo(scenario: Scenario, unit_costs: pd.DataFrame, n: int = 10_000, seed: int = 20250101,
                distributions: Mapping[str, Distribution] | None = None,
                index: pd.DataFrame | None = None) -> MonteCarloResult:
    """Monte Carlo of NPV per actor with independent per-parameter distributions.

    Parameters
    ----------
    scenario : Scenario
    unit_costs : DataFrame
    n : int
        Number of draws (100 000 take about a second).
    seed : int
        Seed of ``numpy.random.default_rng`` (same seed → same numbers).
    distributions : mapping, optional
        Default ``scenario.osakerhet``.
    index : DataFrame, optional

    Returns
    -------
    MonteCarloResult
        Percentiles (numpy ``percentile``, linear) and P(NPV > 0) per actor, ``offentlig`` and
        ``totalt`` (societal).

    Examples
    --------
    >>> sc, uc = _example()
    >>> mc = monte_carlo(sc, uc, n=200, seed=1)
    >>> mc.n, mc.p_npv_pos
    (200, 1.0)
    """
    dists = dict(scenario.osakerhet if distributions is None else distributions)
    rng = np.random.default_rng(seed)
    draws = {name: dists[name].sample(rng, n) for name in sorted(dists)}
    if not draws:
        draws = {"dodvikt": np.full(n, scenario.dodvikt)}
    out = npv_vectorised(scenario, unit_costs, draws, index)
    npv = pd.DataFrame(out["npv"], columns=ACTORS)
    npv["offentlig"] = out["offentlig"]
    npv["totalt"] = out["total"]
    arr = npv.to_numpy()
    q = np.percentile(arr, [5, 50, 95], axis=0)
    summary = pd.DataFrame({"aktor": npv.columns, "medel": arr.mean(axis=0), "p05": q[0], "p50": q[1],
                            "p95": q[2], "p_npv_pos": (arr > 0).mean(axis=0)})
    return MonteCarloResult(npv, summary, seed, n)


def compare_scenarios(scenarios: Mapping[str, Scenario] | Iterable[Scenario], unit_costs: pd.DataFrame,
                      index: pd.DataFrame | None = None) -> pd.DataFrame:
    """Evaluate several scenarios and return their actor tables side by side (long form).

    Returns
    -------
    DataFrame
        ``scenario, aktor, pv_kostnader, pv_nyttor, npv, bcr, aterbetalningsmanad, break_even_andel,
        forlorare`` (rows per actor, ``offentlig`` and ``samhalle``).

    Examples
    --------
    >>> sc, uc = _example()
    >>> cmp = compare_scenarios([sc, sc.with_param("dodvikt", 0.5)], uc)
    >>> cmp.loc[cmp["aktor"] == "samhalle", "npv"].tolist()
    [5000.0, 0.0]
    """
    items = scenarios.values() if isinstance(scenarios, Mapping) else scenarios
    frames = []
    for sc in items:
        a = evaluate(sc, unit_costs, index).actors
        a.insert(0, "scenario", sc.namn)
        frames.append(a)
    cols = ["scenario", "aktor", "pv_kostnader", "pv_nyttor", "npv", "bcr", "aterbetalningsmanad",
            "break_even_andel", "forlorare"]
    return pd.concat(frames, ignore_index=True)[cols]


# --------------------------------------------------------------------------------------------
# Board-facing text, headline results, figures
# --------------------------------------------------------------------------------------------

def _actor_label(a: str, lang: str) -> str:
    if a in ACTORS:
        return label("aktor", a, lang)
    return t(f"costbenefit.{a}", lang)


def caveats(result: CostBenefitResult, lang: str = "sv") -> list[str]:
    """Caveats to show next to the numbers: comparison group, gross vs net, losers, transfers.

    Examples
    --------
    >>> sc, uc = _example()
    >>> caveats(evaluate(sc, uc))[0]
    'Ingen jämförelsegrupp: förändringen kan inte utan vidare tillskrivas insatsen.'
    """
    sc = result.scenario
    out = [t("caveat.no_comparison_group", lang)]
    if sc.dodvikt == 0 and sc.attribution == 0:
        out.append(t("caveat.gross_vs_net", lang))
    else:
        out.append(t("costbenefit.caveat_net", lang, dodvikt=percent(sc.dodvikt, 0, lang),
                     attribution=percent(sc.attribution, 0, lang)))
    out.append(t("costbenefit.caveat_transfers", lang))
    if result.losers:
        out.append(t("costbenefit.loser_warning", lang,
                     aktorer=", ".join(_actor_label(a, lang) for a in result.losers)))
    if result.transfer_imbalance:
        out.append(t("costbenefit.caveat_unbalanced", lang, belopp=kronor(result.transfer_imbalance, lang)))
    return out


def caveats_markdown(result: CostBenefitResult, lang: str = "sv") -> str:
    """The :func:`caveats` as a Markdown bullet list (for ``IPython.display.Markdown``).

    Examples
    --------
    >>> sc, uc = _example()
    >>> caveats_markdown(evaluate(sc, uc)).splitlines()[0]
    '- Ingen jämförelsegrupp: förändringen kan inte utan vidare tillskrivas insatsen.'
    """
    return "\n".join(f"- {c}" for c in caveats(result, lang))


__all__.append("caveats_markdown")


def headline(result: CostBenefitResult, mc: MonteCarloResult | None = None,
             comparison: pd.DataFrame | None = None) -> dict[str, Any]:
    """Headline results for :func:`evaluation.results.save` (keys in the module docstring).

    Examples
    --------
    >>> sc, uc = _example()
    >>> h = headline(evaluate(sc, uc))
    >>> h["npv_total"], h["bcr"], h["payback_month"], h["break_even_andel"]
    (5000.0, 2.0, 1, 0.5)
    """
    a = result.actors.set_index("aktor")
    out: dict[str, Any] = {
        "scenario": result.scenario.namn,
        "horisont_ar": result.scenario.horisont_ar,
        "diskonteringsranta": result.scenario.diskonteringsranta,
        "npv_total": result.npv_total,
        "npv_offentlig": result.npv_fiscal,
        "npv_per_aktor": result.npv_per_actor,
        "pv_kostnader": result.pv_costs,
        "pv_nyttor": result.pv_benefits,
        "bcr": result.bcr,
        "payback_month": result.payback_month,
        "payback_month_per_aktor": {k: (None if pd.isna(v) else int(v))
                                    for k, v in a.loc[ACTORS, "aterbetalningsmanad"].items()},
        "break_even_andel": result.break_even_share,
        "forlorare": result.losers,
        "transfer_obalans": result.transfer_imbalance,
    }
    if mc is not None:
        s = mc.summary.set_index("aktor")
        out.update({"mc_draws": mc.n, "mc_seed": mc.seed, "p_npv_pos": mc.p_npv_pos,
                    "p_npv_pos_per_aktor": {k: float(s.at[k, "p_npv_pos"]) for k in ACTORS},
                    "npv_p05": float(s.at["totalt", "p05"]), "npv_p50": float(s.at["totalt", "p50"]),
                    "npv_p95": float(s.at["totalt", "p95"])})
    if comparison is not None:
        tot = comparison[comparison["aktor"] == "samhalle"]
        out["npv_per_scenario"] = dict(zip(tot["scenario"], tot["npv"].astype(float)))
    return out


def summary_table(result: CostBenefitResult, lang: str = "sv") -> pd.DataFrame:
    """Board table: one row per actor, fiscal total and societal total, formatted by :func:`board_table`.

    Examples
    --------
    >>> sc, uc = _example()
    >>> summary_table(evaluate(sc, uc)).iloc[-1].tolist()   # NPV 5 000 kr, BCR 2, break-even 50 %
    ['Samhället (reala resurser)', '5\\u202f000', '10\\u202f000', '5\\u202f000', '2,00', '1', '50,0\\xa0%', 'Nej']
    """
    a = result.actors[["aktor", "pv_kostnader", "pv_nyttor", "npv", "bcr", "aterbetalningsmanad", "break_even_andel",
                       "forlorare"]]
    return board_table(a, lang)


__all__.append("summary_table")


_MONEY = ("pv_kostnader", "pv_nyttor", "npv", "npv_bas", "npv_lag", "npv_hog", "spann", "medel", "p05", "p50",
          "p95", "belopp_sek")


def board_table(df: pd.DataFrame, lang: str = "sv") -> pd.DataFrame:
    """Board view of a cost-benefit table: labelled columns and codes, kronor with thousands separator.

    Works on ``result.actors``, :func:`compare_scenarios`, :func:`tornado`, ``MonteCarloResult.summary``
    and the unit-cost table. Amounts (kr) are whole kronor with a space as thousands separator
    (Swedish) or a comma (English); the benefit-cost ratio has two decimals; shares
    (``break_even_andel``, ``p_npv_pos``) are in percent; actors, cost types and units are labelled
    through the vocabularies; assumption names of :func:`tornado` through ``costbenefit.param.*``;
    ``forlorare`` reads Ja/Nej; a missing payback month reads "Återbetalas inte inom tidshorisonten".

    Examples
    --------
    >>> df = pd.DataFrame({"aktor": ["forsakringskassan"], "npv": [-2180424.59], "bcr": [0.4567],
    ...                    "aterbetalningsmanad": [pd.NA], "break_even_andel": [0.2012], "forlorare": [True]})
    >>> board_table(df).iloc[0].tolist()
    ['Försäkringskassan', '−2\\u202f180\\u202f425', '0,46', 'Återbetalas inte inom tidshorisonten', '20,1\\xa0%', 'Ja']
    """
    from .compare import board_table as _board

    data = df.copy()
    if "aktor" in data.columns:
        data["aktor"] = [t("totalt", lang) if a == "totalt" else _actor_label(a, lang) for a in data["aktor"]]
    if "typ" in data.columns:
        data["typ"] = [label("kostnadstyp", v, lang) if v in codes("kostnadstyp") else v for v in data["typ"]]
    if "enhet" in data.columns:
        data["enhet"] = [label("enhet", v, lang) if v in codes("enhet") else v for v in data["enhet"]]
        data = data.rename(columns={"enhet": "per_enhet"})
    if "parameter" in data.columns:
        data["parameter"] = [_param_label(p, lang) for p in data["parameter"]]
    if "forlorare" in data.columns:
        data["forlorare"] = [t("costbenefit.ja" if bool(v) else "costbenefit.nej", lang) for v in data["forlorare"]]
    if "aterbetalningsmanad" in data.columns:
        data["aterbetalningsmanad"] = [t("costbenefit.no_payback", lang) if pd.isna(v) else str(int(v))
                                       for v in data["aterbetalningsmanad"]]
    if "prisar" in data.columns:
        data["prisar"] = data["prisar"].astype(str)
    out = _board(data, lang=lang, decimals=2, prefixes=("costbenefit.kol.", "costbenefit."),
                 percent=("break_even_andel", "p_npv_pos"), counts=_MONEY)
    return out


def _param_label(name: str, lang: str) -> str:
    """Label of a scenario assumption (``andel:<utfall>`` reads "Andel som lyckas: <utfall>")."""
    from .labels import labels_table

    base, _, detail = str(name).partition(":")
    key = f"costbenefit.param.{base}"
    text = t(key, lang) if key in labels_table().index else base.replace("_", " ")
    return f"{text}: {' + '.join(_label(x, lang).replace('_', ' ') for x in detail.split('+'))}" if detail else text


__all__.append("board_table")


def figure_actor_npv(result: CostBenefitResult, lang: str = "sv") -> go.Figure:
    """Bars of NPV per actor (fiscal) with the fiscal and societal totals; losers marked.

    Examples
    --------
    >>> sc, uc = _example()
    >>> len(figure_actor_npv(evaluate(sc, uc)).data)
    1
    """
    a = result.actors.set_index("aktor")
    order = ACTORS + ["offentlig", "samhalle"]
    colors = [ACTOR_COLORS.get(x, ACTOR_COLORS["totalt"]) for x in ACTORS] + ["#777777", ACTOR_COLORS["totalt"]]
    vals = [float(a.at[x, "npv"]) for x in order]
    text = [mkr(v, 2, lang, unit=True) for v in vals]
    text = [tx + (" ⚠" if x in result.losers else "") for tx, x in zip(text, order)]
    fig = go.Figure(go.Bar(x=[_actor_label(x, lang) for x in order], y=vals, marker_color=colors, text=text,
                           textposition="outside", hovertemplate="%{x}: %{y:,.0f} kr<extra></extra>", cliponaxis=False))
    fig.update_yaxes(title_text=t("costbenefit.npv_kr", lang))
    title = t("costbenefit.fig_npv", lang, scenario=result.scenario.namn, ar=result.scenario.horisont_ar)
    if result.losers:  # the warning sits with the numbers, as a subtitle
        warning = t("costbenefit.loser_warning", lang,
                    aktorer=", ".join(_actor_label(x, lang) for x in result.losers))
        title += f"<br><sup><span style='color:#D55E00'>⚠ {warning}</span></sup>"
    return mkr_axis(apply_layout(fig, title, 450).update_layout(margin=dict(t=110)), "y", lang)


def figure_cumulative(result: CostBenefitResult, lang: str = "sv") -> go.Figure:
    """Cumulative undiscounted net per month per actor and for society, with the payback month.

    Examples
    --------
    >>> sc, uc = _example()
    >>> len(figure_cumulative(evaluate(sc, uc)).data)
    2
    """
    y = result.yearly
    months = np.arange(1, 12 * len(y) + 1)
    fig = go.Figure()
    for a in ACTORS + ["totalt"]:
        series = y[a]
        if not series.abs().sum():
            continue
        name = _actor_label("samhalle", lang) if a == "totalt" else _actor_label(a, lang)
        fig.add_trace(go.Scatter(x=months, y=monthly_cumulative(series), name=name, mode="lines",
                                 line=dict(color=ACTOR_COLORS[a], width=4 if a == "totalt" else 2)))
    pm = result.payback_month
    if pm is not None:
        fig.add_vline(x=pm, line_dash="dash", line_color=ACTOR_COLORS["totalt"])
        fig.add_annotation(x=pm, y=1, yref="paper", text=t("costbenefit.payback_label", lang, manad=pm),
                           showarrow=False, xanchor="left")
    else:
        fig.add_annotation(text=t("costbenefit.no_payback", lang), xref="paper", yref="paper", x=0, y=1.05,
                           showarrow=False, xanchor="left")
    fig.add_hline(y=0, line_color="#999999")
    fig.update_xaxes(title_text=t("costbenefit.manad", lang))
    fig.update_yaxes(title_text=t("costbenefit.kumulativt_kr", lang))
    return mkr_axis(apply_layout(fig, t("costbenefit.fig_cumulative", lang), 450), "y", lang)


def figure_tornado(tor: pd.DataFrame, lang: str = "sv", scenario: Scenario | None = None) -> go.Figure:
    """Tornado of :func:`tornado` output: bars from base NPV to the NPV at low and high.

    With ``scenario`` given, outcome codes in ``andel:<utfall>`` are shown by their ``benamning``.

    Examples
    --------
    >>> sc, uc = _example()
    >>> len(figure_tornado(tornado(sc, uc, ranges={"dodvikt": (0.0, 0.5)})).data)  # low and high bars
    2
    """
    df = tor.iloc[::-1]
    base = float(df["npv_bas"].iloc[0]) if len(df) else 0.0
    outcome_names = {o.namn: o.benamning for o in scenario.utfall} if scenario is not None else {}
    def detail(code: str) -> str:
        if code in outcome_names:
            return outcome_names[code]
        parts = [_label(x, lang) for x in code.split("+")]
        return " + ".join(x.replace("_", " ") for x in parts)

    names = [t(f"costbenefit.param.{p.split(':')[0]}", lang) + (f" ({detail(p.split(':', 1)[1])})" if ":" in p else "")
             for p in df["parameter"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=names, x=df["npv_lag"] - base, base=base, orientation="h", name=t("costbenefit.lag", lang),
                         marker_color="#56B4E9", customdata=df["lag"],
                         hovertemplate="%{y} = %{customdata:.3g}: %{x:,.0f} kr<extra></extra>"))
    fig.add_trace(go.Bar(y=names, x=df["npv_hog"] - base, base=base, orientation="h", name=t("costbenefit.hog", lang),
                         marker_color="#E69F00", customdata=df["hog"],
                         hovertemplate="%{y} = %{customdata:.3g}: %{x:,.0f} kr<extra></extra>"))
    fig.add_vline(x=base, line_color="#000000")
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title_text=t("costbenefit.npv_kr", lang))
    return mkr_axis(apply_layout(fig, t("costbenefit.fig_tornado", lang), bar_height(len(df), 40, 180)), "x", lang)


def figure_monte_carlo(mc: MonteCarloResult, lang: str = "sv") -> go.Figure:
    """Histogram of societal NPV draws with P(NPV > 0), and per-actor 5–95 % ranges as box plots.

    Examples
    --------
    >>> sc, uc = _example()
    >>> len(figure_monte_carlo(monte_carlo(sc, uc, n=200, seed=1)).data)
    2
    """
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45],
                        subplot_titles=[t("costbenefit.mc_total", lang), t("costbenefit.mc_actors", lang)])
    fig.add_trace(go.Histogram(x=mc.npv["totalt"], nbinsx=60, marker_color=ACTOR_COLORS["totalt"],
                               showlegend=False), row=1, col=1)
    fig.add_vline(x=0, line_dash="dash", line_color="#D55E00", row=1, col=1)
    s = mc.summary.set_index("aktor")
    for a in ACTORS:
        if not mc.npv[a].abs().sum():
            continue
        fig.add_trace(go.Box(name=_actor_label(a, lang), x=[_actor_label(a, lang)], q1=[s.at[a, "p05"]],
                             median=[s.at[a, "p50"]], q3=[s.at[a, "p95"]], lowerfence=[s.at[a, "p05"]],
                             upperfence=[s.at[a, "p95"]], marker_color=ACTOR_COLORS[a], showlegend=False),
                      row=1, col=2)
    p_text = t("costbenefit.p_npv_pos", lang, p=percent(mc.p_npv_pos, 1, lang), n=number(mc.n, 0, lang))
    title = f"{t('costbenefit.fig_mc', lang)}<br><sup>{p_text}</sup>"
    fig.update_xaxes(title_text=t("costbenefit.npv_kr", lang), row=1, col=1)
    fig.update_yaxes(title_text=t("costbenefit.antal_dragningar", lang), row=1, col=1)
    fig.update_yaxes(title_text=t("costbenefit.npv_kr", lang), row=1, col=2)
    fig = apply_layout(fig, title, 480).update_layout(margin=dict(t=120))
    mkr_axis(fig, "x", lang, row=1, col=1)
    return mkr_axis(fig, "y", lang, row=1, col=2)


def figure_compare(comparison: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Grouped bars: NPV per actor (and societal total) for each scenario.

    Examples
    --------
    >>> sc, uc = _example()
    >>> fig = figure_compare(compare_scenarios([sc, sc.with_param("dodvikt", 0.5)], uc))
    >>> len(fig.data) > 0
    True
    """
    fig = go.Figure()
    for a in ACTORS + ["samhalle"]:
        d = comparison[comparison["aktor"] == a]
        fig.add_trace(go.Bar(x=d["scenario"], y=d["npv"], name=_actor_label(a, lang),
                             marker_color=ACTOR_COLORS.get(a, ACTOR_COLORS["totalt"])))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=t("costbenefit.npv_kr", lang))
    return mkr_axis(apply_layout(fig, t("costbenefit.fig_compare", lang), 450), "y", lang)


# --------------------------------------------------------------------------------------------
# Widgets (notebook and Voilà dashboard)
# --------------------------------------------------------------------------------------------

_SLIDERS = [("dodvikt", 0.0, 0.9, 0.01), ("undantrangning", 0.0, 0.9, 0.01), ("attribution", 0.0, 0.9, 0.01),
            ("avtagande", 0.0, 0.9, 0.01), ("diskonteringsranta", 0.0, 0.1, 0.005),
            ("optimism_kostnader", 0.0, 0.9, 0.01), ("optimism_nyttor", 0.0, 0.9, 0.01)]


def _summary_html(result: CostBenefitResult, lang: str) -> str:
    def kr(v: float) -> str:
        return kronor(v, lang, unit=True)
    pm = result.payback_month
    rows = [(t("costbenefit.npv_samhalle", lang), kr(result.npv_total)),
            (t("costbenefit.npv_offentlig", lang), kr(result.npv_fiscal)),
            (t("costbenefit.bcr", lang), number(result.bcr, 2, lang, missing=MISSING[lang])),
            (t("costbenefit.aterbetalningsmanad", lang), t("costbenefit.no_payback", lang) if pm is None else str(pm)),
            (t("costbenefit.break_even_andel", lang),
             percent(result.break_even_share, 1, lang, missing=MISSING[lang]))]
    body = "".join(f"<tr><td>{k}</td><td style='text-align:right'><b>{v}</b></td></tr>" for k, v in rows)
    notes = "".join(f"<li>{c}</li>" for c in caveats(result, lang))
    return f"<table>{body}</table><ul style='font-size:90%'>{notes}</ul>"


def scenario_widgets(scenario: Scenario, unit_costs: pd.DataFrame, lang: str = "sv",
                     index: pd.DataFrame | None = None):
    """A self-contained ipywidgets layout with sliders for the main assumptions.

    On every change the scenario is re-evaluated and the key figures (HTML with caveats), the
    per-actor NPV bars and the cumulative flow are redrawn as plotly ``go.Figure`` into
    ``ipywidgets.Output`` widgets (no ``FigureWidget``; see shared/tech/NOTES.md §4).

    Parameters
    ----------
    scenario : Scenario
        Start values of the sliders.
    unit_costs : DataFrame
    lang : {"sv", "en"}
    index : DataFrame, optional

    Returns
    -------
    ipywidgets.VBox
        With attributes ``controls`` (dict name → slider), ``result`` (the current
        :class:`CostBenefitResult`), ``scenario`` (current :class:`Scenario`) and ``refresh()``.

    Examples
    --------
    >>> sc, uc = _example()
    >>> len(scenario_widgets(sc, uc).children)
    3
    """
    import ipywidgets as w

    style = {"description_width": "initial"}
    layout = w.Layout(width="100%", max_width="32rem")
    controls: dict[str, w.Widget] = {}
    for name, lo, hi, step in _SLIDERS:
        controls[name] = w.FloatSlider(value=float(getattr(scenario, name)), min=lo, max=hi, step=step,
                                       description=t(f"costbenefit.param.{name}", lang), readout_format=".1%",
                                       style=style, layout=layout, continuous_update=False)
    for o in scenario.utfall:
        controls[f"andel:{o.namn}"] = w.FloatSlider(value=o.andel, min=0.0, max=1.0, step=0.01,
                                                    description=f"{t('costbenefit.param.andel', lang)}: {o.benamning}",
                                                    readout_format=".0%", style=style, layout=layout,
                                                    continuous_update=False)
    controls["fordrojning_ar"] = w.IntSlider(value=scenario.fordrojning_ar, min=0, max=5,
                                             description=t("costbenefit.param.fordrojning_ar", lang), style=style,
                                             layout=layout, continuous_update=False)
    controls["horisont_ar"] = w.IntSlider(value=scenario.horisont_ar, min=1, max=30,
                                          description=t("costbenefit.param.horisont_ar", lang), style=style,
                                          layout=layout, continuous_update=False)
    summary, out_npv, out_cum = w.HTML(), w.Output(), w.Output()
    status = w.HTML()
    box = w.VBox()

    def current() -> Scenario:
        sc = scenario
        for name, ctl in controls.items():
            sc = sc.with_param(name, ctl.value)
        return sc

    def refresh(*_):
        sc = current()
        if sc.success_share > 1 + 1e-9:
            status.value = f"<span style='color:#D55E00'>{t('costbenefit.share_over_one', lang)}</span>"
            return
        status.value = ""
        res = evaluate(sc, unit_costs, index, check_transfers="warn")
        box.scenario, box.result = sc, res
        summary.value = _summary_html(res, lang)
        for out, fig in ((out_npv, figure_actor_npv(res, lang)), (out_cum, figure_cumulative(res, lang))):
            show_in(out, fig)  # no output capture: it stalled headless papermill runs (figures.show_in)

    rows = []
    for name, ctl in controls.items():
        ctl.observe(refresh, names="value")
        ctl.add_class("dash-slider")  # full label above the slider (dashboards CSS)
        ctl.readout = False  # plotly/d3 readouts say "30.0%": the value is shown in Swedish beside it
        shown = w.HTML(layout=w.Layout(min_width="4.5rem"))

        def show_value(*_, ctl=ctl, shown=shown, name=name):
            v = ctl.value
            shown.value = (f'<span class="dash-readout">{number(v, 0, lang)}</span>' if isinstance(ctl, w.IntSlider)
                           else f'<span class="dash-readout">{percent(v, 1 if name == "diskonteringsranta" else 0, lang)}</span>')

        ctl.observe(show_value, names="value")
        show_value()
        row = w.HBox([ctl, shown], layout=w.Layout(align_items="flex-end", width="100%"))
        rows.append(row)
    left = w.VBox([w.HTML(f"<b>{t('costbenefit.antaganden', lang)}</b>"), *rows, status],
                  layout=w.Layout(flex="1 1 20rem", min_width="0"))
    summary.layout = w.Layout(flex="1 1 20rem", min_width="0")
    top = w.HBox([left, summary], layout=w.Layout(flex_flow="row wrap", gap="16px", width="100%"))
    top.add_class("dash-stack")
    box.children = [top, out_npv, out_cum]
    box.controls, box.refresh = controls, refresh
    refresh()
    return box
