"""Focus-group coding: codebooks, tallies, co-occurrence, inter-coder agreement and quotes.

The quantitative side of qualitative work. Coded material arrives as coded segments in the
``SEGMENTS`` schema (:mod:`evaluation.schemas`; one row per segment × code × coder) from the
workbench's own CSV or from Taguette / QualCoder / REFI-QDA (:mod:`evaluation.coding_import`).

Codebooks
---------
A :class:`Codebook` is a versioned hierarchy *theme → code → sub-code* (deeper levels are allowed)
with descriptions, Swedish and English names, origin (``a_priori`` / ``emergent``) and a
cross-code flag. The a-priori codebooks of the source documents ship as YAML in
``evaluation/data/kodbocker/``: ``delta_personal`` (002), ``teamwork_framgangsfaktorer`` (003),
``vagen_ut`` (004), ``ensam_ar_inte_stark`` (000). Load with :func:`load_codebook`, combine with
:func:`combine_codebooks`.

Units (documented once, used everywhere)
----------------------------------------
* **segment** — ``segment_id``: a coded passage (e.g. a speaker turn). A code is *present in a
  segment* when at least one row links the segment to the code (or to a descendant, after
  roll-up). Segments nobody coded are not in ``SEGMENTS``; pass ``units`` to the agreement
  functions to count them.
* **dokument** — a transcript / story; a code is present when it is present in any segment of it.
* **session** — a focus-group meeting (several documents may belong to one session).
* Counting across coders: tallies default to the *union* of coders (a segment mentions a code
  if any coder assigned it); pass ``kodare=`` to tally one coder only.

Agreement
---------
:func:`kappa_per_code` gives per code Cohen's κ on presence/absence per unit (statsmodels
``cohens_kappa``: asymptotic SE and 95 % CI), percent agreement and nominal Krippendorff's α;
:func:`codebook_alpha` gives Krippendorff's α for the whole codebook (every unit × code pair is
one reliability unit with value present/absent; ≥ 2 coders, missing allowed). A coder counts as
having coded a document when they have at least one row in it; their absent codes there count as
"absent", and documents they never coded are missing. Never copy a tool's own κ (QualCoder's uses
character overlap and a questionable chance term); everything is recomputed from segments.

Headline results recorded by ``notebooks/fokusgrupper.ipynb`` (``results.json`` keys)
-------------------------------------------------------------------------------------
``n_segment``        distinct segments in the data (int; null where the protected focus-group table hides it)
``n_sessioner``      distinct sessions (int; likewise)
``n_talare``         distinct speakers (int; likewise)
``kodare``           coders compared (list of str)
``teman_segment``    {theme id: number of segments mentioning it, union of coders; null where the theme's
                     cell of the protected focus-group table (:mod:`evaluation.surveytables`) is hidden}
``teman_sessioner``  {theme id: number of sessions mentioning it; likewise}
``kappa``            {code id: Cohen's κ (presence/absence per segment) or null}
``procent_overens``  {code id: percent agreement, 0–1}
``alpha``            Krippendorff's α (nominal) for the whole codebook at code level
``mattnad_sista_nya`` new codes contributed by the last session of the saturation curve (int)
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import yaml

from .figures import apply_layout, count_axis
from .labels import t
from .errors import EvaluationError

__all__ = [
    "Codebook",
    "CodebookError",
    "UnknownCodeError",
    "CODE_COLUMNS",
    "available_codebooks",
    "load_codebook",
    "combine_codebooks",
    "codebook_from_records",
    "roll_up",
    "tally",
    "board_tally",
    "material_table",
    "quotes_table",
    "saturation",
    "cooccurrence",
    "presence",
    "kappa_per_code",
    "krippendorff_alpha",
    "codebook_alpha",
    "mask_names",
    "quotes",
    "figure_theme_bars",
    "theme_bars_or_line",
    "cooccurrence_or_line",
    "figure_cooccurrence",
    "figure_agreement",
    "figure_saturation",
    "select",
    "headline",
    "board_table",
    "agreement_table",
]

#: Columns of :attr:`Codebook.koder`.
CODE_COLUMNS = ["kod", "namn", "namn_en", "forald", "tema", "djup", "beskrivning", "ursprung", "tvarkod",
                "kodbok"]

_UNIT_COLUMNS = {"segment": "segment_id", "dokument": "dokument", "session": "session"}


class CodebookError(EvaluationError, ValueError):
    """A codebook is malformed (duplicate id, unknown parent, cycle) or cannot be found."""


class UnknownCodeError(CodebookError):
    """Coded material uses codes that are not in the codebook.

    The message names the file (when known), the unknown codes and the first rows using them;
    add the codes to the codebook (as ``emergent``) or correct the coding.
    """


# ---------------------------------------------------------------------------------------------
# Codebook model
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Codebook:
    """A versioned hierarchical codebook.

    Attributes
    ----------
    id, namn, version, kalla : str
        Identifier, title, version string and source of the codebook.
    koder : DataFrame
        One row per code with columns :data:`CODE_COLUMNS`: ``kod`` (unique id), ``namn`` /
        ``namn_en`` (labels), ``forald`` (parent id, missing for a theme), ``tema`` (root theme
        id), ``djup`` (1 = theme, 2 = code, 3 = sub-code, ...), ``beskrivning``, ``ursprung``
        (``a_priori`` / ``emergent``), ``tvarkod`` (cross-code flag: valence, perspective, ...),
        ``kodbok``.

    Examples
    --------
    >>> cb = load_codebook("teamwork_framgangsfaktorer")
    >>> cb.tema_of("ff3_kompetensutveckling")
    'ff3_motivation'
    >>> cb.label("ff1_individen_i_centrum", "en")
    'SF1 The individual at the centre'
    """

    id: str
    namn: str
    version: str
    koder: pd.DataFrame = field(repr=False)
    kalla: str = ""

    @property
    def codes(self) -> list[str]:
        """All code ids, in file order."""
        return list(self.koder["kod"])

    @property
    def themes(self) -> list[str]:
        """The theme ids (roots of the hierarchy), in file order."""
        return list(self.koder.loc[self.koder["djup"] == 1, "kod"])

    def _row(self, kod: str) -> pd.Series:
        idx = self.koder.index[self.koder["kod"] == kod]
        if len(idx) == 0:
            raise UnknownCodeError(f"code {kod!r} is not in codebook {self.id!r} (version {self.version})")
        return self.koder.loc[idx[0]]

    def label(self, kod: str, lang: str = "sv") -> str:
        """Board label of a code: ``namn`` (Swedish) or ``namn_en`` (English, falls back to Swedish)."""
        row = self._row(kod)
        if lang == "en" and isinstance(row["namn_en"], str) and row["namn_en"]:
            return row["namn_en"]
        return row["namn"]

    def labels(self, lang: str = "sv") -> dict[str, str]:
        """``{code id: label}`` for every code."""
        return {k: self.label(k, lang) for k in self.codes}

    def tema_of(self, kod: str) -> str:
        """Root theme of a code."""
        return self._row(kod)["tema"]

    def ancestor_at(self, kod: str, depth: int) -> str:
        """The ancestor of ``kod`` at ``depth`` (1 = theme); the code itself if it is shallower."""
        parents = {k: (None if pd.isna(p) else p) for k, p in zip(self.koder["kod"], self.koder["forald"])}
        depths = dict(zip(self.koder["kod"], self.koder["djup"]))
        if kod not in parents:
            self._row(kod)
        cur = kod
        while depths[cur] > depth:
            cur = parents[cur]
        return cur

    def check(self, codes: Iterable[str], file: str | None = None, rows: Sequence | None = None) -> None:
        """Raise :class:`UnknownCodeError` if any of ``codes`` is not in the codebook.

        Parameters
        ----------
        codes : iterable of str
            Codes as used in coded material.
        file : str, optional
            File name for the message.
        rows : sequence, optional
            Row labels (same length as ``codes``) for the message, e.g. file line numbers.
        """
        codes = list(codes)
        known = set(self.codes)
        bad = [(i, c) for i, c in enumerate(codes) if c not in known]
        if not bad:
            return
        unknown = sorted({c for _, c in bad}, key=str)
        where = [str(rows[i]) if rows is not None else str(i) for i, _ in bad[:5]]
        prefix = f"{file}: " if file else ""
        raise UnknownCodeError(
            f"{prefix}{len(unknown)} code(s) not in codebook {self.id!r} v{self.version}: "
            f"{', '.join(map(repr, unknown[:10]))} (rows {', '.join(where)}{' …' if len(bad) > 5 else ''}). "
            "Add them to the codebook (ursprung: emergent) or correct the coding.")

    def to_frame(self, lang: str = "sv") -> pd.DataFrame:
        """The codebook as a table for a report appendix (id, label, parent, theme, level, description)."""
        df = self.koder.copy()
        df["etikett"] = [self.label(k, lang) for k in df["kod"]]
        return df[["kod", "etikett", "forald", "tema", "djup", "beskrivning", "ursprung", "tvarkod"]]


def codebook_from_records(records: pd.DataFrame | list[dict], id: str, namn: str | None = None,
                          version: str = "1", kalla: str = "") -> Codebook:
    """Build a :class:`Codebook` from flat records with ``kod`` and ``forald`` (parent).

    Computes ``tema`` and ``djup`` and validates the hierarchy.

    Parameters
    ----------
    records : DataFrame or list of dict
        At least ``kod``; optional ``namn``, ``namn_en``, ``forald``, ``beskrivning``, ``ursprung``,
        ``tvarkod``. A parent must be a code of the same records.
    id, namn, version, kalla : str
        Codebook identity.

    Raises
    ------
    CodebookError
        Duplicate ids, unknown parents or cycles.

    Examples
    --------
    >>> cb = codebook_from_records([{"kod": "a"}, {"kod": "a1", "forald": "a"}], id="x")
    >>> cb.koder[["kod", "tema", "djup"]].values.tolist()
    [['a', 'a', 1], ['a1', 'a', 2]]
    """
    df = pd.DataFrame(records).copy()
    if "kod" not in df.columns:
        raise CodebookError(f"codebook {id!r}: records need a 'kod' column")
    df["kod"] = df["kod"].astype(str).str.strip()
    for col, default in [("namn", None), ("namn_en", ""), ("forald", None), ("beskrivning", ""),
                         ("ursprung", "a_priori"), ("tvarkod", False)]:
        if col not in df.columns:
            df[col] = default
    df["namn"] = df["namn"].where(df["namn"].notna() & (df["namn"].astype(str) != ""), df["kod"])
    df["forald"] = df["forald"].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                                    or str(v).strip() == "" else str(v).strip())
    df["namn_en"] = df["namn_en"].fillna("").astype(str)
    df["beskrivning"] = df["beskrivning"].fillna("").astype(str)
    df["tvarkod"] = df["tvarkod"].fillna(False).astype(bool)
    dup = df["kod"][df["kod"].duplicated()]
    if not dup.empty:
        raise CodebookError(f"codebook {id!r}: code id(s) defined twice: {sorted(set(dup))}")
    parents = {k: (None if pd.isna(p) else p) for k, p in zip(df["kod"], df["forald"])}
    unknown = sorted({p for p in parents.values() if p is not None and p not in parents})
    if unknown:
        raise CodebookError(f"codebook {id!r}: parent(s) {unknown} are not codes of the codebook")
    temas, depths = [], []
    for kod in df["kod"]:
        seen, cur = {kod}, kod
        while parents[cur] is not None:
            cur = parents[cur]
            if cur in seen:
                raise CodebookError(f"codebook {id!r}: cycle in the hierarchy at {kod!r}")
            seen.add(cur)
        temas.append(cur)
        depths.append(len(seen))
    df["tema"] = temas
    df["djup"] = depths
    df["kodbok"] = id
    return Codebook(id=id, namn=namn or id, version=str(version), koder=df[CODE_COLUMNS].reset_index(drop=True),
                    kalla=kalla)


def _flatten(items: list[dict], parent: str | None, tvarkod: bool, out: list[dict], file: str) -> None:
    for item in items or []:
        if not isinstance(item, dict) or "id" not in item:
            raise CodebookError(f"{file}: every code needs an 'id' (got {item!r})")
        tk = bool(item.get("tvarkod", tvarkod))
        out.append({"kod": item["id"], "namn": item.get("namn"), "namn_en": item.get("namn_en", ""),
                    "forald": parent, "beskrivning": item.get("beskrivning", ""),
                    "ursprung": item.get("ursprung", "a_priori"), "tvarkod": tk})
        _flatten(item.get("koder", []), item["id"], tk, out, file)


def available_codebooks() -> list[str]:
    """Names of the codebooks shipped in ``evaluation/data/kodbocker/``.

    Examples
    --------
    >>> "delta_personal" in available_codebooks()
    True
    """
    folder = resources.files("evaluation").joinpath("data/kodbocker")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_codebook(name_or_path: str | Path) -> Codebook:
    """Load a codebook YAML by package name (``"delta_personal"``) or file path.

    The YAML has ``kodbok`` (id), ``namn``, ``version``, ``kalla`` and ``teman``: a list of codes
    with ``id``, ``namn``, ``namn_en``, ``beskrivning``, optional ``ursprung``, ``tvarkod`` and
    nested ``koder``.

    Raises
    ------
    CodebookError
        Unknown name, unreadable YAML or a malformed hierarchy.

    Examples
    --------
    >>> cb = load_codebook("delta_personal")
    >>> cb.themes
    ['delta_organisering', 'delta_synsatt_kollegor', 'delta_synsatt_sokande', 'delta_yrkesroll']
    """
    text: str
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        if not p.exists():
            raise CodebookError(f"codebook file {p} does not exist")
        text, file = p.read_text(encoding="utf-8"), str(p)
    else:
        res = resources.files("evaluation").joinpath(f"data/kodbocker/{name_or_path}.yaml")
        if not res.is_file():
            raise CodebookError(f"no codebook {name_or_path!r}; available: {', '.join(available_codebooks())}")
        text, file = res.read_text(encoding="utf-8"), f"kodbocker/{name_or_path}.yaml"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CodebookError(f"{file}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or "teman" not in data:
        raise CodebookError(f"{file}: a codebook needs 'kodbok', 'version' and a list 'teman'")
    records: list[dict] = []
    _flatten(data["teman"], None, False, records, file)
    return codebook_from_records(records, id=str(data.get("kodbok", p.stem)), namn=data.get("namn"),
                                 version=str(data.get("version", "1")), kalla=str(data.get("kalla", "")))


def combine_codebooks(*codebooks: Codebook | str, id: str | None = None, version: str | None = None) -> Codebook:
    """Combine codebooks (objects or package names) into one; code ids must stay unique.

    Examples
    --------
    >>> cb = combine_codebooks("teamwork_framgangsfaktorer", "delta_personal")
    >>> "ff2_samsyn" in cb.themes and "delta_yrkesroll" in cb.themes
    True
    """
    books = [load_codebook(c) if isinstance(c, str) else c for c in codebooks]
    frames = [b.koder for b in books]
    all_codes = pd.concat(frames, ignore_index=True)
    dup = all_codes["kod"][all_codes["kod"].duplicated()]
    if not dup.empty:
        raise CodebookError(f"code id(s) in more than one codebook: {sorted(set(dup))}")
    return Codebook(id=id or "+".join(b.id for b in books), namn=" + ".join(b.namn for b in books),
                    version=version or "+".join(b.version for b in books), koder=all_codes,
                    kalla="; ".join(b.kalla for b in books if b.kalla))


# ---------------------------------------------------------------------------------------------
# Preparing coded segments
# ---------------------------------------------------------------------------------------------
def _level_map(codebook: Codebook, level: str | int) -> dict[str, str]:
    if level == "kod":
        return {k: k for k in codebook.codes}
    depth = 1 if level == "tema" else int(level)
    return {k: codebook.ancestor_at(k, depth) for k in codebook.codes}


def roll_up(segments: pd.DataFrame, codebook: Codebook | None = None, level: str | int = "kod",
            kodare: str | None = None) -> pd.DataFrame:
    """Map codes to a level of the hierarchy and drop duplicate segment × code (× coder) rows.

    Parameters
    ----------
    segments : DataFrame
        ``SEGMENTS`` rows.
    codebook : Codebook, optional
        Needed for ``level`` other than ``"kod"``; when given, unknown codes raise.
    level : {"kod", "tema"} or int
        ``"kod"`` keeps codes as coded; ``"tema"`` maps every code to its root theme; an int
        maps to the ancestor at that depth (2 = sub-codes rolled into their code).
    kodare : str, optional
        Keep one coder; default keeps all coders (rows stay per coder).

    Examples
    --------
    >>> cb = load_codebook("teamwork_framgangsfaktorer")
    >>> seg = pd.DataFrame({"segment_id": ["s1", "s1"], "kodare": ["A", "A"],
    ...                     "kod": ["ff3_arbetsgladje", "ff3_prova_nytt"]})
    >>> roll_up(seg, cb, "tema")["kod"].tolist()
    ['ff3_motivation']
    """
    df = segments.copy()
    if kodare is not None:
        df = df[df["kodare"] == kodare]
    if codebook is not None:
        codebook.check(df["kod"], rows=list(df.index))
        df["kod"] = df["kod"].map(_level_map(codebook, level))
    elif level != "kod":
        raise CodebookError("rolling codes up to themes needs the codebook")
    keys = ["segment_id", "kod"] + (["kodare"] if "kodare" in df.columns else [])
    return df.drop_duplicates(keys).reset_index(drop=True)


def _union(df: pd.DataFrame) -> pd.DataFrame:
    """Union of coders: one row per segment × code."""
    return df.drop_duplicates(["segment_id", "kod"])


def _codes_at_level(codebook: Codebook | None, level, observed: Iterable[str]) -> list[str]:
    if codebook is None:
        return sorted(set(observed))
    mapped = _level_map(codebook, level)
    out: list[str] = []
    for k in codebook.codes:
        if mapped[k] not in out:
            out.append(mapped[k])
    return out


# ---------------------------------------------------------------------------------------------
# Tallies
# ---------------------------------------------------------------------------------------------
def tally(segments: pd.DataFrame, codebook: Codebook | None = None, by: str | Sequence[str] | None = None,
          level: str | int = "tema", kodare: str | None = None, include_zero: bool = True,
          tvarkoder: bool = True, tabeller=None) -> pd.DataFrame:
    """Count segments, sessions and distinct speakers mentioning each code or theme.

    A unit *mentions* a code when at least one of its segments is coded with it (or with a
    descendant, after roll-up to ``level``). Coders are pooled (union) unless ``kodare`` is given.

    Parameters
    ----------
    segments : DataFrame
        ``SEGMENTS`` rows.
    codebook : Codebook, optional
        For roll-up and for listing codes never used (zeros) when ``include_zero``.
    by : str or list of str, optional
        Breakdown columns, e.g. ``"grupp"``, ``"session"``, ``"talarroll"``, ``"tidpunkt"``,
        ``"niva"``. ``None`` tallies over all material.
    level : {"tema", "kod"} or int
        See :func:`roll_up`.
    kodare : str, optional
        Tally one coder only.
    include_zero : bool
        Include codes × groups with no mention (counts 0).
    tvarkoder : bool
        Include cross-codes (valence, perspective, learning type: ``tvarkod`` in the codebook)
        when listing unused codes; used cross-codes are always counted.
    tabeller : evaluation.tableset.TableSet, optional
        The protected focus-group table (:func:`evaluation.surveytables.build_focus`): with it, a
        tally ``by="grupp"`` at theme level (coders pooled) of one förbund or of every förbund of the
        table is read from its cells (:func:`evaluation.surveytables.focus_tally`; suppressed cells
        NaN, column ``undertryckt``); any other tally is counted from the segments as without it.

    Returns
    -------
    DataFrame
        ``[*by, kod, segment, sessioner, talare, segment_totalt, sessioner_totalt, talare_totalt,
        andel_segment, andel_sessioner, andel_talare]``. ``kod`` holds the theme id when
        ``level="tema"``. Totals (denominators of the shares, 0–1) are the distinct segments /
        sessions / speakers of that group in the material (segments nobody coded are not in
        ``SEGMENTS`` and so not in the denominators). ``talare`` counts distinct non-missing
        ``talare_id``.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["s1", "s2", "s3"], "session": ["f1", "f1", "f2"],
    ...                     "grupp": ["g", "g", "g"], "talare_id": ["p1", "p2", "p1"],
    ...                     "kodare": "A", "kod": ["x", "x", "y"]})
    >>> tally(seg, by=None, level="kod")[["kod", "segment", "sessioner", "talare"]].values.tolist()
    [['x', 2, 1, 2], ['y', 1, 1, 1]]
    """
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if tabeller is not None and level == "tema" and kodare is None and by in (["grupp"], []):
        from . import surveytables

        fb = surveytables.focus_forbund(tabeller, segments)
        if fb is not None:
            out = surveytables.focus_tally(tabeller, fb, codebook)
            return out if by else surveytables.focus_total(tabeller, fb, codebook)
    df = roll_up(segments, codebook, level, kodare)
    df = _union(df)
    if "talare_id" not in df.columns:
        df["talare_id"] = pd.NA
    if "session" not in df.columns:
        df["session"] = "alla"
    base = df.drop_duplicates("segment_id")

    def agg(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        if keys:
            g = frame.groupby(keys, dropna=False)
            out = pd.DataFrame({"segment": g["segment_id"].nunique(), "sessioner": g["session"].nunique(),
                                "talare": g["talare_id"].nunique()})
            return out.reset_index()
        return pd.DataFrame({"segment": [frame["segment_id"].nunique()],
                             "sessioner": [frame["session"].nunique()],
                             "talare": [frame["talare_id"].nunique()]})

    totals = agg(base, by).rename(columns={"segment": "segment_totalt", "sessioner": "sessioner_totalt",
                                           "talare": "talare_totalt"})
    counts = agg(df, by + ["kod"])
    if include_zero:
        codes = _codes_at_level(codebook, level, df["kod"])
        if codebook is not None and not tvarkoder:
            cross = set(codebook.koder.loc[codebook.koder["tvarkod"], "kod"])
            codes = [c for c in codes if c not in cross or c in set(df["kod"])]
        extra = sorted(set(df["kod"]) - set(codes))
        grid = pd.DataFrame({"kod": codes + extra})
        if by:
            grid = totals[by].merge(grid, how="cross")
        counts = grid.merge(counts, on=by + ["kod"], how="left")
        for c in ("segment", "sessioner", "talare"):
            counts[c] = counts[c].fillna(0).astype(int)
    out = counts.merge(totals, on=by, how="left") if by else counts.merge(totals, how="cross")
    for num, den in (("segment", "segment_totalt"), ("sessioner", "sessioner_totalt"), ("talare", "talare_totalt")):
        out[f"andel_{num}"] = np.where(out[den] > 0, out[num] / out[den].where(out[den] > 0, 1), np.nan)
    return out[by + ["kod", "segment", "sessioner", "talare", "segment_totalt", "sessioner_totalt",
                     "talare_totalt", "andel_segment", "andel_sessioner", "andel_talare"]].reset_index(drop=True)


def board_tally(tally_df: pd.DataFrame, min_n: int = 5) -> pd.DataFrame:
    """Suppress small cells of a tally for a board: fewer than ``min_n`` distinct speakers.

    Uses :func:`evaluation.disclosure.suppress_rows` with ``n_col="talare"``; the counts and
    shares of a row whose distinct speakers are 1 … ``min_n`` − 1 become missing, and the column
    ``undertryckt`` flags them. Rows with 0 speakers (nobody mentioned the code) stay visible.

    Examples
    --------
    >>> tl = pd.DataFrame({"kod": ["x", "y"], "segment": [9, 2], "talare": [6, 2], "andel_segment": [.9, .2]})
    >>> board_tally(tl, min_n=5)["segment"].tolist()
    [9.0, nan]
    """
    from . import disclosure

    value_cols = [c for c in ("segment", "sessioner", "andel_segment", "andel_sessioner", "andel_talare")
                  if c in tally_df.columns]
    if disclosure.FLAG in tally_df.columns:  # read from the protected table (tally(..., tabeller=)): its statuses
        from .surveytables import hide_rows

        keep = [c for c in tally_df.columns if c not in ("talare", *value_cols)]
        out = hide_rows(tally_df, tally_df[disclosure.FLAG].to_numpy(bool), keep=keep)
        mask = out.attrs["undertryckt_celler"]
        for c in ("andel_segment", "andel_sessioner", "andel_talare"):  # a share whose base is hidden
            if c in out.columns and c in mask.columns:
                mask[c] = mask[c] | out[c].isna()
        out[disclosure.FLAG] = mask.any(axis=1).to_numpy()
        return out
    return disclosure.suppress_rows(tally_df, n_col="talare", value_cols=value_cols, min_n=min_n)


def board_table(tally_df: pd.DataFrame, codebook: Codebook | None = None, min_n: int = 5,
                lang: str = "sv") -> pd.DataFrame:
    """A tally ready for a board: suppressed (:func:`board_tally`), shares in %, labels in ``lang``.

    Returns
    -------
    DataFrame of str
        Breakdown columns, the code / theme label, number of segments, sessions and speakers and
        the shares (%) of segments and sessions, with Swedish (or English) headers; suppressed
        cells show ``–``.

    Examples
    --------
    >>> tl = pd.DataFrame({"kod": ["x", "y"], "segment": [9, 2], "sessioner": [3, 1], "talare": [6, 2],
    ...                    "andel_segment": [.9, .2], "andel_sessioner": [1.0, .33]})
    >>> board_table(tl).iloc[1].tolist()
    ['y', '–', '–', '–', '–', '–']
    >>> board_table(tl).iloc[0].tolist()  # counts whole numbers, shares one decimal
    ['x', '9', '3', '6', '90,0', '100,0']
    """
    from . import disclosure

    cols = [c for c in tally_df.columns if c not in ("kod", "segment", "sessioner", "talare", "segment_totalt",
                                                      "sessioner_totalt", "talare_totalt", "andel_segment",
                                                      "andel_sessioner", "andel_talare")]
    df = tally_df[[c for c in cols if c != "undertryckt"] + ["kod", "segment", "sessioner", "talare", "andel_segment",
                                                            "andel_sessioner"]
                  + (["undertryckt"] if "undertryckt" in tally_df.columns else [])].copy()
    df[["andel_segment", "andel_sessioner"]] = df[["andel_segment", "andel_sessioner"]] * 100
    shown = board_tally(df, min_n=min_n)
    for c in ("segment", "sessioner", "talare"):  # counts stay whole numbers when suppression left NaN
        shown[c] = shown[c].astype("Int64")
    out = disclosure.format_table(shown, lang)
    out["kod"] = [_code_label(codebook, k, lang) for k in df["kod"]]
    names = {c: t(f"coding.{c}", lang) for c in ("kod", "segment", "sessioner", "talare", "andel_segment",
                                                  "andel_sessioner", "grupp", "session", "talarroll", "tidpunkt",
                                                  "niva") if c in out.columns}
    for c in ("grupp", "talarroll"):
        if c in out.columns:
            out[c] = [_group_label(v, lang) for v in out[c]]
    return out.rename(columns=names)


def _group_label(value, lang: str) -> str:
    """Label a group or speaker-role code (deltagare, personal, ...) through the ``niva`` vocabulary, else
    the respondent-group vocabulary; other values are shown as they are."""
    from .vocabulary import label, vocabulary

    for vocab in ("niva", "respondentgrupp"):
        if value in vocabulary(vocab):
            return label(vocab, value, lang)
    return str(value)


def material_table(tally_df: pd.DataFrame, by: str = "grupp", lang: str = "sv") -> pd.DataFrame:
    """Size of the material per group: segments, sessions and speakers (from :func:`tally` with ``by``).

    Returns
    -------
    DataFrame of str
        One row per group: the group (labelled), number of segments, sessions and distinct speakers,
        with Swedish (or English) headers.

    Examples
    --------
    >>> tl = pd.DataFrame({"grupp": ["personal", "personal"], "kod": ["x", "y"], "segment_totalt": [38, 38],
    ...                    "sessioner_totalt": [2, 2], "talare_totalt": [10, 10]})
    >>> material_table(tl).iloc[0].tolist(), list(material_table(tl).columns)
    (['Personal', '38', '2', '10'], ['Grupp', 'Antal segment', 'Antal sessioner', 'Antal talare'])
    """
    from .disclosure import format_number

    df = tally_df.drop_duplicates(by)[[by, "segment_totalt", "sessioner_totalt", "talare_totalt"]]
    out = pd.DataFrame({t(f"coding.{by}", lang) if f"coding.{by}" in _label_keys() else by:
                        [_group_label(v, lang) for v in df[by]]})
    for c in ("segment", "sessioner", "talare"):  # NaN: hidden by the protected table
        out[t(f"coding.{c}", lang)] = [t("suppressed_short", lang) if pd.isna(v) else format_number(v, lang, 0)
                                       for v in df[f"{c}_totalt"]]
    return out


def quotes_table(quotes_df: pd.DataFrame, codebook: Codebook | None = None, lang: str = "sv") -> pd.DataFrame:
    """Board view of :func:`quotes`: theme label, session, speaker role (labelled) and the masked quote.

    Examples
    --------
    >>> q = pd.DataFrame({"kod": ["x"], "segment_id": ["s1"], "session": ["FG1"], "grupp": ["personal"],
    ...                   "talarroll": ["personal"], "citat": ["Det hjälpte."]})
    >>> quotes_table(q).iloc[0].tolist(), list(quotes_table(q, lang="en").columns)
    (['x', 'FG1', 'Personal', 'Det hjälpte.'], ['Theme', 'Session', 'Speaker role', 'Quote'])
    """
    return pd.DataFrame({
        t("coding.tema", lang): [_code_label(codebook, k, lang) for k in quotes_df["kod"]],
        t("coding.session", lang): quotes_df["session"].astype(str).tolist(),
        t("coding.talarroll", lang): [_group_label(v, lang) if isinstance(v, str) else "" for v in quotes_df["talarroll"]],
        t("coding.citat", lang): quotes_df["citat"].astype(str).tolist(),
    })


def _label_keys() -> set:
    from .labels import labels_table

    return set(labels_table().index)


def agreement_table(kappa_df: pd.DataFrame, codebook: Codebook | None = None, lang: str = "sv",
                    decimals: int = 2) -> pd.DataFrame:
    """Per-code agreement (:func:`kappa_per_code`) as labelled strings in ``lang``'s number format.

    Examples
    --------
    >>> k = pd.DataFrame({"kod": ["x"], "n_enheter": [10], "procent_overens": [0.7], "kappa": [0.4],
    ...                   "ki_lag": [0.1], "ki_hog": [0.7], "alpha": [0.42]})
    >>> agreement_table(k).iloc[0, 4]
    '0,10 – 0,70'

    """
    from .disclosure import format_number

    def fmt(values, dec):
        return [format_number(v, lang, dec) for v in values]

    out = pd.DataFrame({
        t("coding.kod", lang): [_code_label(codebook, k, lang) for k in kappa_df["kod"]],
        t("coding.n_enheter", lang): fmt(kappa_df["n_enheter"], 0),
        t("coding.procent_overens_pct", lang): fmt(kappa_df["procent_overens"] * 100, 1),
        t("coding.kappa_kort", lang): fmt(kappa_df["kappa"], decimals),
        t("ki95", lang): [("" if pd.isna(lo) else
                           f"{format_number(lo, lang, decimals)} – {format_number(hi, lang, decimals)}")
                          for lo, hi in zip(kappa_df["ki_lag"], kappa_df["ki_hog"])],
        t("coding.alpha", lang): fmt(kappa_df["alpha"], decimals),
    })
    return out


def saturation(segments: pd.DataFrame, codebook: Codebook | None = None, level: str | int = "kod",
               order: Sequence[str] | None = None, kodare: str | None = None) -> pd.DataFrame:
    """Saturation curve: how many codes each additional session contributes that were not seen before.

    Parameters
    ----------
    order : sequence of str, optional
        Session order (e.g. by date); default sorted session ids.

    Returns
    -------
    DataFrame
        ``ordning`` (1, 2, …), ``session``, ``koder`` (codes in the session), ``nya_koder`` (new
        codes), ``nya`` (their ids joined with ``|``), ``kumulativt`` (codes seen so far),
        ``andel_kumulativt`` (share of all codes seen in the material, 0–1).

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["a", "b", "c"], "session": ["s1", "s2", "s2"],
    ...                     "kodare": "A", "kod": ["x", "x", "y"]})
    >>> saturation(seg)["nya_koder"].tolist()
    [1, 1]
    """
    df = _union(roll_up(segments, codebook, level, kodare))
    sessions = list(order) if order is not None else sorted(df["session"].unique())
    missing = set(df["session"]) - set(sessions)
    if missing:
        raise ValueError(f"order lacks session(s) {sorted(missing)}")
    total = df["kod"].nunique()
    seen: set[str] = set()
    rows = []
    for i, s in enumerate(sessions, start=1):
        codes = set(df.loc[df["session"] == s, "kod"])
        new = sorted(codes - seen)
        seen |= codes
        rows.append({"ordning": i, "session": s, "koder": len(codes), "nya_koder": len(new), "nya": "|".join(new),
                     "kumulativt": len(seen), "andel_kumulativt": len(seen) / total if total else np.nan})
    return pd.DataFrame(rows)


def cooccurrence(segments: pd.DataFrame, codebook: Codebook | None = None, unit: str = "segment",
                 level: str | int = "kod", kodare: str | None = None) -> pd.DataFrame:
    """Co-occurrence matrix: number of units in which both codes are present.

    Parameters
    ----------
    unit : {"segment", "dokument", "session"}
        The unit within which two codes co-occur: the same coded segment (``segment_id``), the
        same document (transcript / story) or the same session. Coders are pooled (union) unless
        ``kodare`` is given.

    Returns
    -------
    DataFrame
        Square, index and columns the codes; cell (i, j) = units with both i and j; the diagonal is
        the number of units with code i.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["s1", "s1", "s2"], "kodare": "A", "kod": ["x", "y", "x"]})
    >>> cooccurrence(seg).values.tolist()
    [[2, 1], [1, 1]]
    """
    col = _unit_col(unit)
    df = _union(roll_up(segments, codebook, level, kodare))
    codes = [c for c in _codes_at_level(codebook, level, df["kod"]) if c in set(df["kod"])]
    x = pd.crosstab(df[col], df["kod"]).reindex(columns=codes, fill_value=0)
    x = (x > 0).astype(int)
    m = x.T @ x
    m.index.name, m.columns.name = "kod", "kod"
    return m


def _unit_col(unit: str) -> str:
    if unit not in _UNIT_COLUMNS:
        raise ValueError(f"unit must be one of {sorted(_UNIT_COLUMNS)}, got {unit!r}")
    return _UNIT_COLUMNS[unit]


# ---------------------------------------------------------------------------------------------
# Agreement
# ---------------------------------------------------------------------------------------------
def presence(segments: pd.DataFrame, unit: str = "segment", codebook: Codebook | None = None,
             level: str | int = "kod", coders: Sequence[str] | None = None, units: pd.DataFrame | None = None,
             codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Presence/absence of every code per unit and coder (the reliability data).

    A coder *coded* a document when they have at least one row in it; for such a coder a code is
    1 (present) or 0 (absent) in each unit of the document. Units of documents the coder did not
    code are missing (NaN).

    Parameters
    ----------
    unit : {"segment", "dokument"}
        Agreement unit.
    units : DataFrame, optional
        All units with ``segment_id`` and ``dokument`` (e.g. every speaker turn, coded or not);
        default: the segments that appear in the data.
    codes : sequence of str, optional
        Codes to include; default the codes used by any coder.

    Returns
    -------
    DataFrame
        Index ``enhet`` (unit id), columns a MultiIndex (``kod``, ``kodare``), values 1.0 / 0.0 / NaN.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["s1", "s2", "s1"], "dokument": "d", "kodare": ["A", "A", "B"],
    ...                     "kod": "x"})
    >>> presence(seg)[("x", "B")].tolist()
    [1.0, 0.0]
    """
    col = _unit_col(unit)
    df = roll_up(segments, codebook, level)
    if "dokument" not in df.columns:
        df["dokument"] = "dokument"
    coders = sorted(df["kodare"].unique()) if coders is None else list(coders)
    codes = sorted(df["kod"].unique()) if codes is None else list(codes)
    if units is not None:
        universe = units[["segment_id", "dokument"]].drop_duplicates()
    else:
        universe = df[["segment_id", "dokument"]].drop_duplicates()
    if col == "dokument":
        universe = universe[["dokument"]].drop_duplicates().assign(enhet=lambda u: u["dokument"])
    else:
        universe = universe.assign(enhet=universe["segment_id"])
    universe = universe.drop_duplicates("enhet").sort_values("enhet").reset_index(drop=True)
    coded_docs = df.groupby("kodare")["dokument"].agg(lambda s: set(s)).to_dict()
    df["enhet"] = df[col]
    hits = set(zip(df["enhet"], df["kod"], df["kodare"]))
    data = {}
    for kod in codes:
        for c in coders:
            docs = coded_docs.get(c, set())
            vals = [
                (1.0 if (e, kod, c) in hits else 0.0) if d in docs else np.nan
                for e, d in zip(universe["enhet"], universe["dokument"])
            ]
            data[(kod, c)] = vals
    out = pd.DataFrame(data, index=pd.Index(universe["enhet"], name="enhet"))
    out.columns = pd.MultiIndex.from_tuples(out.columns, names=["kod", "kodare"])
    return out


def krippendorff_alpha(data, level: str = "nominal") -> float:
    """Krippendorff's α for reliability data with any number of coders and missing values.

    Written by hand (statsmodels 0.15.0 has no ``krippendorff_alpha``; the PyPI ``krippendorff``
    package is GPL) from the coincidence-matrix formulation of Krippendorff (2011):

    * for every unit *u* with :math:`m_u \\ge 2` values (pairable), the coincidence matrix gains
      :math:`o_{ck} \\mathrel{+}= \\#\\{c\\text{–}k \\text{ pairs in } u\\} / (m_u - 1)` over ordered
      pairs of values from different coders;
    * :math:`n_c = \\sum_k o_{ck}`, :math:`n = \\sum_c n_c`;
    * :math:`\\alpha = 1 - (n - 1) \\dfrac{\\sum_{c,k} o_{ck}\\, \\delta^2_{ck}}
      {\\sum_{c,k} n_c n_k\\, \\delta^2_{ck}}` with :math:`\\delta^2_{ck} = [c \\ne k]` (nominal)
      or :math:`(c - k)^2` (interval).

    Parameters
    ----------
    data : array-like or DataFrame
        Coders × units (rows are coders, columns units); missing values as NaN / None.
    level : {"nominal", "interval"}
        Level of measurement.

    Returns
    -------
    float
        α (1 = perfect agreement, 0 = chance level); NaN when fewer than two values are pairable
        or only one value occurs (no variation: expected disagreement 0).

    References
    ----------
    Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. University of
    Pennsylvania, Annenberg School for Communication, Departmental Papers 43. Worked example
    (4 observers, 12 units, missing values): nominal α = 0.743.

    Examples
    --------
    >>> krippendorff_alpha([[1, 1, 0, 0, 1], [1, 0, 0, 0, 1]])  # 1 - 9 * 2 / 50
    0.64
    """
    if level not in ("nominal", "interval"):
        raise ValueError("level must be 'nominal' or 'interval'")
    frame = pd.DataFrame(data)
    values = frame.stack(future_stack=True).dropna()
    cats = sorted(values.unique(), key=lambda v: (str(type(v)), v))
    if len(cats) < 2:
        return float("nan")
    # n_uc: units × values counts
    counts = np.zeros((frame.shape[1], len(cats)))
    pos = {c: i for i, c in enumerate(cats)}
    col_pos = {c: j for j, c in enumerate(frame.columns)}
    for (_, col), v in values.items():
        counts[col_pos[col], pos[v]] += 1
    m_u = counts.sum(axis=1)
    pairable = m_u >= 2
    counts, m_u = counts[pairable], m_u[pairable]
    if counts.size == 0:
        return float("nan")
    w = 1.0 / (m_u - 1.0)
    o = (counts * w[:, None]).T @ counts - np.diag((counts * w[:, None]).sum(axis=0))
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if level == "nominal":
        delta = 1.0 - np.eye(len(cats))
    else:
        v = np.asarray(cats, dtype=float)
        delta = (v[:, None] - v[None, :]) ** 2
    d_e = (np.outer(n_c, n_c) * delta).sum()
    if d_e == 0:
        return float("nan")
    return float(1.0 - (n - 1.0) * (o * delta).sum() / d_e)


def kappa_per_code(segments: pd.DataFrame, coders: Sequence[str] | None = None, unit: str = "segment",
                   codebook: Codebook | None = None, level: str | int = "kod",
                   units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per code: Cohen's κ (presence/absence per unit) with 95 % CI, percent agreement and α.

    Only units both coders coded enter (see :func:`presence`). κ, its asymptotic standard error
    and the 95 % confidence interval come from :func:`statsmodels.stats.inter_rater.cohens_kappa`
    on the 2 × 2 table (Wald interval κ ± 1.96·SE, clipped to [−1, 1]); κ is missing when both
    coders are constant and equal (no variation: chance agreement 1). With few units or κ near 1
    the Wald interval is rough; report it with ``n_enheter``. ``alpha`` is nominal Krippendorff's α on the same data
    (:func:`krippendorff_alpha`).

    Parameters
    ----------
    coders : two str, optional
        The two coders; default the two coders of the data (more than two must be chosen).

    Returns
    -------
    DataFrame
        ``kod, n_enheter, bada_ja, endast_a`` (only coder 1), ``endast_b`` (only coder 2),
        ``bada_nej, procent_overens`` (0–1), ``kappa, kappa_se, ki_lag, ki_hog`` (95 % CI), ``alpha``.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["1", "2", "3", "1", "3", "4"], "dokument": "d",
    ...                     "kodare": ["A", "A", "A", "B", "B", "B"], "kod": "x"})
    >>> round(float(kappa_per_code(seg)["kappa"].iloc[0]), 4)  # po 2/4, pe .75*.75+.25*.25 = .625
    -0.3333
    """
    from statsmodels.stats.inter_rater import cohens_kappa

    all_coders = sorted(segments["kodare"].unique())
    if coders is None:
        if len(all_coders) != 2:
            raise ValueError(f"Cohen's κ compares two coders; the data have {all_coders}: pass coders=(a, b)")
        coders = all_coders
    a, b = coders
    pres = presence(segments, unit=unit, codebook=codebook, level=level, coders=[a, b], units=units)
    rows = []
    for kod in pres.columns.get_level_values("kod").unique():
        pair = pres[kod][[a, b]].dropna()
        x, y = pair[a].to_numpy(), pair[b].to_numpy()
        n11 = int(((x == 1) & (y == 1)).sum())
        n10 = int(((x == 1) & (y == 0)).sum())
        n01 = int(((x == 0) & (y == 1)).sum())
        n00 = int(((x == 0) & (y == 0)).sum())
        n = n11 + n10 + n01 + n00
        row = {"kod": kod, "n_enheter": n, "bada_ja": n11, "endast_a": n10, "endast_b": n01, "bada_nej": n00,
               "procent_overens": (n11 + n00) / n if n else np.nan, "kappa": np.nan, "kappa_se": np.nan,
               "ki_lag": np.nan, "ki_hog": np.nan,
               "alpha": krippendorff_alpha(pair.T.to_numpy()) if n else np.nan}
        p1, p2 = (n11 + n10) / n if n else 0, (n11 + n01) / n if n else 0
        pe = p1 * p2 + (1 - p1) * (1 - p2)
        if n and pe < 1:
            with warnings.catch_warnings():  # z under H0 divides by 0 for degenerate tables; unused here
                warnings.simplefilter("ignore", RuntimeWarning)
                res = cohens_kappa(np.array([[n11, n10], [n01, n00]], dtype=float))
            row.update(kappa=float(res.kappa), kappa_se=float(res.std_kappa),
                       ki_lag=max(-1.0, float(res.kappa_low)), ki_hog=min(1.0, float(res.kappa_upp)))
        rows.append(row)
    return pd.DataFrame(rows)


def codebook_alpha(segments: pd.DataFrame, unit: str = "segment", codebook: Codebook | None = None,
                   level: str | int = "kod", coders: Sequence[str] | None = None,
                   units: pd.DataFrame | None = None) -> float:
    """Krippendorff's α (nominal) for the whole codebook, any number of coders, missing allowed.

    Every unit × code pair is one reliability unit whose value per coder is present (1) or absent
    (0), missing where the coder did not code the document (:func:`presence`); α is computed by
    :func:`krippendorff_alpha` over all of them.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["1", "2", "1"], "dokument": "d", "kodare": ["A", "A", "B"],
    ...                     "kod": ["x", "y", "x"]})
    >>> round(codebook_alpha(seg), 4)  # units 1x,1y,2x,2y: A 1,0,0,1; B 1,0,0,0
    0.5333
    """
    pres = presence(segments, unit=unit, codebook=codebook, level=level, coders=coders, units=units)
    stacked = pres.T.groupby(level="kodare").apply(lambda g: g.droplevel("kodare").stack(future_stack=True))
    return krippendorff_alpha(stacked.to_numpy())


# ---------------------------------------------------------------------------------------------
# Quotes
# ---------------------------------------------------------------------------------------------
#: Capitalised words kept by the simple name mask (organisations, places, projects).
KEEP_CAPITALISED = frozenset({
    "Arbetsförmedlingen", "Försäkringskassan", "Kommunen", "Regionen", "Socialtjänsten", "Vuxenteamet",
    "Team", "Work", "Steget", "Vidare", "Sverige", "Norrdal", "Söderå", "Hisingen", "Uppsala", "Sölvesborg",
    "Finsam", "Samordningsförbundet", "Jobbtorget", "Vårdcentralen", "Psykiatrin", "Primärvården", "Delta",
    "Vägen", "Ut", "Praktik", "Praktiken",
})

_CAP_WORD = re.compile(r"\b[A-ZÅÄÖÉÜ][a-zåäöéüß]+(?:-[A-ZÅÄÖÉÜ][a-zåäöéüß]+)?\b")


def mask_names(text: str, names: Iterable[str] = (), capitalised: bool = False, placeholder: str = "[namn]",
               keep: Iterable[str] = KEEP_CAPITALISED) -> str:
    """Mask person names in a quote.

    Two mechanisms:

    1. ``names``: an explicit list (e.g. first names of the focus-group participants and staff
       from the session metadata); every whole-word, case-insensitive occurrence is replaced.
    2. ``capitalised=True``: a simple heuristic that masks every capitalised word that does not
       start a sentence and is not in ``keep`` (organisations, places, projects).

    Limits of the heuristic: it misses names at the start of a sentence and names written in lower
    case, and masks other capitalised words not in ``keep`` (place names, brands). Use an explicit
    name list where one exists, and read the quotes before they go into a report.

    Examples
    --------
    >>> mask_names("Jag pratade med Anna och Kalle igår.", names=["kalle"])
    'Jag pratade med Anna och [namn] igår.'
    >>> mask_names("Jag pratade med Anna på Arbetsförmedlingen.", capitalised=True)
    'Jag pratade med [namn] på Arbetsförmedlingen.'
    """
    if not isinstance(text, str):
        return text
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", placeholder, text, flags=re.IGNORECASE)
    if capitalised:
        keep = set(keep)

        def repl(m: re.Match) -> str:
            before = text[: m.start()].rstrip()
            if not before or before[-1] in ".!?:;\"'«»–—-(\n" or m.group(0) in keep:
                return m.group(0)
            return placeholder

        text = _CAP_WORD.sub(repl, text)
    return text


def _truncate(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + " …"


def quotes(segments: pd.DataFrame, codebook: Codebook | None = None, level: str | int = "kod", n: int = 3,
           max_chars: int = 240, names: Iterable[str] = (), mask_capitalised: bool = True,
           kodare: str | None = None) -> pd.DataFrame:
    """Example quotes per code for the report, with personnummer and names masked.

    Up to ``n`` quotes per code, taken from as many different sessions as possible (first segment
    per session in ``segment_id`` order, then second, ...). Text is masked first —
    :func:`evaluation.privacy.mask_text` (personnummer) and :func:`mask_names` — then shortened to
    ``max_chars`` at a word boundary. Speaker ids are not returned.

    Returns
    -------
    DataFrame
        ``kod, segment_id, session, grupp, talarroll, citat``.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["s1"], "session": ["f1"], "kodare": "A", "kod": ["x"],
    ...                     "text": ["Lisa sa att det hjälpte, ring 19811218-9876."]})
    >>> quotes(seg, names=["Lisa"])["citat"].iloc[0].startswith("[namn] sa att det hjälpte")
    True
    """
    from .privacy import mask_text

    df = _union(roll_up(segments, codebook, level, kodare))
    if "text" not in df.columns:
        raise ValueError("segments have no 'text' column")
    for c in ("session", "grupp", "talarroll"):
        if c not in df.columns:
            df[c] = pd.NA
    df = df[df["text"].notna() & (df["text"].astype(str).str.strip() != "")].copy()
    df = df.sort_values(["kod", "session", "segment_id"])
    df["_rank"] = df.groupby(["kod", "session"]).cumcount()
    df = df.sort_values(["kod", "_rank", "session", "segment_id"]).groupby("kod").head(n)
    names = list(names)
    df["citat"] = [_truncate(mask_names(mask_text(str(tx)), names, capitalised=mask_capitalised), max_chars)
                   for tx in df["text"]]
    return df[["kod", "segment_id", "session", "grupp", "talarroll", "citat"]].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Selection and headline results
# ---------------------------------------------------------------------------------------------
def select(segments: pd.DataFrame, **filters: str) -> pd.DataFrame:
    """Keep rows whose column values are in comma-separated lists; an empty string keeps all.

    Examples
    --------
    >>> seg = pd.DataFrame({"forbund": ["Norrdal", "Söderå"], "kod": ["x", "y"]})
    >>> select(seg, forbund="Söderå")["kod"].tolist()
    ['y']
    >>> len(select(seg, forbund=""))
    2
    """
    out = segments
    for col, value in filters.items():
        wanted = [v.strip() for v in str(value or "").split(",") if v.strip()]
        if not wanted:
            continue
        if col not in out.columns:
            raise KeyError(f"cannot filter on {col!r}: the segments have no such column")
        out = out[out[col].isin(wanted)]
    return out.reset_index(drop=True)


def headline(segments: pd.DataFrame, codebook: Codebook, coders: Sequence[str] | None = None,
             unit: str = "segment", tabeller=None) -> dict:
    """Headline results of a focus-group analysis (the ``results.json`` keys of the module docstring).

    Theme counts pool coders; κ and percent agreement per code compare ``coders`` on ``unit``;
    α is :func:`codebook_alpha` at code level over all coders. With ``tabeller`` (the protected
    focus-group table) the theme counts and the material's segments, sessions and speakers are its
    cells, ``None`` where suppressed.

    Examples
    --------
    >>> seg = pd.DataFrame({"segment_id": ["1", "1"], "session": "s", "dokument": "d", "talare_id": "p",
    ...                     "kodare": ["A", "B"], "kod": "ff2_samsyn"})
    >>> headline(seg, load_codebook("teamwork_framgangsfaktorer"))["teman_segment"]["ff2_samsyn"]
    1
    """
    themes = tally(segments, codebook, by=None, level="tema", tvarkoder=False, tabeller=tabeller)
    kap = kappa_per_code(segments, coders=coders, unit=unit, codebook=codebook)
    sat = saturation(segments, codebook, level="kod")
    counts = {"n_segment": int(segments["segment_id"].nunique()), "n_sessioner": int(segments["session"].nunique()),
              "n_talare": int(segments["talare_id"].nunique()) if "talare_id" in segments else None}
    if "undertryckt" in themes.columns:  # read from the protected table: the material total's cell, None where hidden
        tot = themes.iloc[0] if len(themes) else None
        for key, col in (("n_segment", "segment_totalt"), ("n_sessioner", "sessioner_totalt"),
                         ("n_talare", "talare_totalt")):
            counts[key] = None if tot is None or pd.isna(tot[col]) else int(tot[col])

    def whole(v):
        return None if pd.isna(v) else int(v)

    return {
        **counts,
        "kodare": list(coders) if coders is not None else sorted(segments["kodare"].unique()),
        "teman_segment": dict(zip(themes["kod"], map(whole, themes["segment"]))),
        "teman_sessioner": dict(zip(themes["kod"], map(whole, themes["sessioner"]))),
        "kappa": dict(zip(kap["kod"], kap["kappa"])),
        "procent_overens": dict(zip(kap["kod"], kap["procent_overens"])),
        "alpha": codebook_alpha(segments, unit=unit, codebook=codebook),
        "mattnad_sista_nya": int(sat["nya_koder"].iloc[-1]) if len(sat) else None,
    }


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------
def _code_label(codebook: Codebook | None, kod: str, lang: str) -> str:
    if codebook is None:
        return kod
    try:
        return codebook.label(kod, lang)
    except UnknownCodeError:
        return kod


def figure_theme_bars(tally_df: pd.DataFrame, codebook: Codebook | None = None, by: str = "grupp",
                      value: str = "andel_segment", lang: str = "sv", title: str | None = None) -> go.Figure:
    """Horizontal bars of themes (or codes) per group.

    Parameters
    ----------
    tally_df : DataFrame
        Output of :func:`tally` (possibly suppressed by :func:`board_tally`) with ``by`` as breakdown.
    value : str
        Column to plot: ``segment``, ``sessioner``, ``talare`` or a share ``andel_*`` (shown in %).

    Examples
    --------
    >>> tl = pd.DataFrame({"grupp": ["g1", "g2"], "kod": ["x", "x"], "andel_segment": [0.5, 0.25]})
    >>> len(figure_theme_bars(tl).data)
    2
    """
    fig = go.Figure()
    share = value.startswith("andel")
    for grp, sub in tally_df.groupby(by, sort=True):
        fig.add_bar(y=[_code_label(codebook, k, lang) for k in sub["kod"]],
                    x=sub[value] * (100 if share else 1), name=_group_label(grp, lang), orientation="h")
    fig.update_layout(barmode="group", xaxis_title=t(f"coding.{value}", lang), yaxis_autorange="reversed")
    if not share:  # segments, sessions, speakers: whole numbers
        count_axis(fig, "x")
    return apply_layout(fig, title or t("coding.fig_teman", lang), height=max(350, 60 * tally_df["kod"].nunique()))


def theme_bars_or_line(tally_df: pd.DataFrame, codebook: Codebook | None = None, by: str = "grupp",
                       value: str = "andel_segment", lang: str = "sv"):
    """:func:`figure_theme_bars` for a board, or one Swedish line when no theme that anybody raised
    can be shown (every such bar hidden by the protected focus-group table or suppression): an
    empty chart would read as "nobody talked about anything".

    Examples
    --------
    >>> tl = pd.DataFrame({"grupp": ["g", "g"], "kod": ["x", "y"], "andel_segment": [float("nan"), 0.0],
    ...                    "undertryckt": [True, False]})
    >>> type(theme_bars_or_line(tl)).__name__
    'Markdown'
    """
    hidden = tally_df["undertryckt"].astype(bool) if "undertryckt" in tally_df else pd.Series(False, index=tally_df.index)
    v = pd.to_numeric(tally_df[value], errors="coerce")
    if len(tally_df) and hidden.any() and not ((v > 0) & ~hidden).any():
        from IPython.display import Markdown

        return Markdown(t("flows.fig.undertryckt", lang))
    return figure_theme_bars(tally_df, codebook, by=by, value=value, lang=lang)


def figure_cooccurrence(matrix: pd.DataFrame, codebook: Codebook | None = None, lang: str = "sv",
                        unit: str = "segment", title: str | None = None) -> go.Figure:
    """Heatmap of a co-occurrence matrix (:func:`cooccurrence`); the unit is named in the title.

    Examples
    --------
    >>> m = pd.DataFrame([[2, 1], [1, 1]], index=["x", "y"], columns=["x", "y"])
    >>> figure_cooccurrence(m).data[0].type
    'heatmap'
    """
    labels = [_code_label(codebook, k, lang) for k in matrix.index]
    fig = go.Figure(go.Heatmap(z=matrix.to_numpy(), x=labels, y=labels, colorscale="Blues",
                               text=matrix.to_numpy(), texttemplate="%{text}",
                               colorbar=dict(title=t(f"coding.enhet_{unit}", lang))))
    fig.update_layout(yaxis_autorange="reversed")
    return apply_layout(fig, title or t("coding.fig_samforekomst", lang, enhet=t(f"coding.enhet_{unit}", lang)),
                        height=max(400, 45 * len(labels) + 150))


def cooccurrence_or_line(matrix: pd.DataFrame, codebook: Codebook | None = None, lang: str = "sv",
                         unit: str = "segment", tabeller=None, segments: pd.DataFrame | None = None):
    """:func:`figure_cooccurrence` for a board, or one Swedish line when a theme in it is hidden.

    The diagonal counts the units with a theme in the whole material: with the protected focus-group
    table (``tabeller``, :mod:`evaluation.surveytables`) the figure is shown only where every theme's
    cell for the material's förbund (all groups) is published, so the figure never shows a hidden
    theme; the pair counts off the diagonal are not cells and are shown only beside published themes.

    Examples
    --------
    >>> from evaluation import surveytables
    >>> seg = pd.DataFrame({"segment_id": ["s1", "s2"], "session": "f", "grupp": "g", "forbund": "X",
    ...                     "talare_id": ["p1", "p2"], "kodare": "A", "kod": ["x", "y"]})
    >>> ts = surveytables.build_focus(seg)
    >>> ts.cells["status"] = "primär"
    >>> type(cooccurrence_or_line(cooccurrence(seg), tabeller=ts, segments=seg)).__name__
    'Markdown'
    """
    if tabeller is not None and segments is not None:
        from . import surveytables
        from .tableset import PUBLISHED, TOTAL

        fb = surveytables.focus_forbund(tabeller, segments)
        ok = fb is not None
        for k in matrix.index if ok else []:
            i = tabeller.lookup(tabeller.cells["matt"].iloc[0], forbund=fb, grupp=TOTAL, tema=str(k))
            ok = i is not None and tabeller.cells["status"].iloc[i] == PUBLISHED
            if not ok:
                break
        if not ok:
            from IPython.display import Markdown

            return Markdown(t("flows.fig.undertryckt", lang))
    return figure_cooccurrence(matrix, codebook, lang=lang, unit=unit)


def figure_agreement(kappa_df: pd.DataFrame, codebook: Codebook | None = None, lang: str = "sv",
                     title: str | None = None) -> go.Figure:
    """Cohen's κ per code with 95 % CI (bars) and percent agreement (markers).

    Examples
    --------
    >>> k = pd.DataFrame({"kod": ["x"], "kappa": [0.6], "ki_lag": [0.3], "ki_hog": [0.9],
    ...                   "procent_overens": [0.8]})
    >>> [tr.type for tr in figure_agreement(k).data]
    ['bar', 'scatter']
    """
    labels = [_code_label(codebook, k, lang) for k in kappa_df["kod"]]
    fig = go.Figure()
    fig.add_bar(y=labels, x=kappa_df["kappa"], orientation="h", name=t("coding.kappa", lang),
                error_x=dict(type="data", symmetric=False, array=kappa_df["ki_hog"] - kappa_df["kappa"],
                             arrayminus=kappa_df["kappa"] - kappa_df["ki_lag"]))
    fig.add_scatter(y=labels, x=kappa_df["procent_overens"], mode="markers", name=t("coding.procent_overens", lang),
                    marker=dict(symbol="diamond", size=10))
    fig.update_layout(xaxis=dict(range=[min(-0.2, float(np.nanmin(kappa_df["ki_lag"].to_numpy(dtype=float),
                                                                 initial=0))), 1.05],
                                 title=t("coding.kappa_axel", lang)), yaxis_autorange="reversed")
    return apply_layout(fig, title or t("coding.fig_overens", lang), height=max(350, 45 * len(labels) + 150))


def figure_saturation(sat: pd.DataFrame, lang: str = "sv", title: str | None = None) -> go.Figure:
    """Saturation curve: cumulative codes (line) and new codes (bars) per additional session.

    Examples
    --------
    >>> s = pd.DataFrame({"ordning": [1, 2], "session": ["a", "b"], "nya_koder": [3, 1], "kumulativt": [3, 4]})
    >>> len(figure_saturation(s).data)
    2
    """
    fig = go.Figure()
    fig.add_bar(x=sat["ordning"], y=sat["nya_koder"], name=t("coding.nya_koder", lang), text=sat["session"])
    fig.add_scatter(x=sat["ordning"], y=sat["kumulativt"], mode="lines+markers", name=t("coding.kumulativt", lang))
    fig.update_layout(xaxis_title=t("coding.session_ordning", lang), yaxis_title=t("coding.antal_koder", lang))
    count_axis(count_axis(fig, "x"), "y")
    return apply_layout(fig, title or t("coding.fig_mattnad", lang), height=380)
