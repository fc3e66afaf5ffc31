"""A seeded synthetic *nation* of samordningsförbund for scale tests: ``evaluation samples --scale nation``.

Everything written here is invented (built from the invented sample world of
:mod:`evaluation.samples`). The nation is generated, never committed, and takes seconds::

    evaluation samples --scale nation --out /tmp/nation            # 75 förbund, the default seed
    evaluation run --runs-dir /tmp/nation/parametrized_runs --all --jobs 2 --out /tmp/nation_snap

What is generated
-----------------
:func:`nation_frames` builds, with vectorised pandas/NumPy only (no per-row Python):

* ``n_forbund`` förbund (default 75) with invented Swedish-sounding names (:func:`forbund_names`);
* ``episodes`` participant episodes (default 300 000, split evenly): each förbund's episodes are
  copies of the sample world's canonical Norrdal episodes (``episoder.csv`` of
  :func:`evaluation.samples.generate` with the same seed), every copy with new ``episod_id`` and
  ``deltagare_id`` pseudonyms and its own date shift of 0–14 days earlier; a random few are left
  out to reach the exact count;
* their journey events (``handelser.csv``), shifted with their episode;
* ``responses`` survey responses (default 150 000): SOC-29 (``kasam_deltagare.csv``) and NNS
  (``nns_enkater.csv``) rows in the sample's proportion, linked to the copied episodes as in the
  sample (``episod_id``), a random subset of copies;
* ``segments`` focus-group segments (default 2 000 distinct ``segment_id``, every coder's row of a
  segment kept), drawn from the sample's Norrdal segments;
* staff SOC-29 (``kasam_personal.csv``), one copy per förbund (not counted in ``responses``).

:func:`generate_nation` writes one data folder per förbund (``data/<slug>/``, the layout of
``data_samples/`` with the hand-written files ``enhetskostnader.csv``, ``prisindex.csv``,
``scenarier/``, ``rapporterat/`` copied and ``mal/``, ``malnivaer/`` rewritten for the förbund) and one
run file per förbund (``parametrized_runs/<slug>.yaml``, the six notebooks of
``parametrized_runs/norrdal_2025.yaml``): 75 × 6 = 450 runs. One folder per förbund is how the
workbench is deployed (each förbund evaluates its own extract) and keeps the snapshot manifest's
input hashing proportional to one förbund's data per run.

The national tables in memory (:func:`nation_frames`) are what the scaling benchmark
(:func:`evaluation.bench.bench_scaling`) measures the analyses on.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["NATION", "forbund_names", "slug", "nation_frames", "generate_nation", "cli"]

#: Default size of the synthetic nation (issue 20).
NATION = {"n_forbund": 75, "episodes": 300_000, "responses": 150_000, "segments": 2_000}

_PREFIX = ("Norr", "Söder", "Väster", "Öster", "Mellan", "Stor", "Lill", "Ny", "Gamla", "Fjäll",
           "Skogs", "Sjö", "Älv", "Berg", "Dal")
_SUFFIX = ("dal", "å", "berg", "vik", "sjö", "skog", "näs", "holm", "by", "fors", "mark", "hed")
_NOTEBOOK_RUNS = (
    ("deltagarfloden", {"period_start": "2025-01-01", "period_end": "2025-12-31", "reference_date": "2026-01-15"}),
    ("kasam_fore_efter", {}),
    ("karnindikatorer", {}),
    ("fokusgrupper", {}),
    ("samhallsekonomi", {"scenario": "bas"}),
    ("slutrapport", {"period_start": "2025-01-01", "period_end": "2025-12-31", "reference_date": "2026-01-15",
                     "scenario": "bas"}),
)


def forbund_names(n: int, seed: int) -> list[str]:
    """``n`` distinct invented förbund names (prefix + suffix), in a seeded order.

    Examples
    --------
    >>> names = forbund_names(75, seed=1)
    >>> len(names), len(set(names))
    (75, 75)
    >>> forbund_names(3, seed=1) == names[:3]
    True
    """
    pool = [p + s for p in _PREFIX for s in _SUFFIX]
    if n > len(pool):
        pool += [f"Förbund {i:03d}" for i in range(1, n - len(pool) + 1)]
    order = np.random.default_rng([seed, 75]).permutation(len(pool))
    return [pool[i] for i in order[:n]]


def slug(name: str) -> str:
    """ASCII folder name of a förbund.

    Examples
    --------
    >>> slug("Söderå"), slug("Älvnäs")
    ('sodera', 'alvnas')
    """
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")


def _hex_ids(prefix: str, rng: np.random.Generator, n: int) -> pd.Series:
    # 16 hex digits like the sample pseudonyms; collisions are practically impossible (2^63)
    vals = rng.integers(0, 2**63 - 1, n, dtype=np.int64)
    return pd.Series(np.char.add(prefix, np.char.zfill(np.char.lower(np.char.mod("%x", vals)), 16)))


def _shift(dates: pd.Series, days: np.ndarray) -> pd.Series:
    d = pd.to_datetime(dates.where(dates != ""), format="%Y-%m-%d")
    out = (d - pd.to_timedelta(days, unit="D")).dt.strftime("%Y-%m-%d")
    return out.fillna("")


def _base(seed: int) -> dict[str, pd.DataFrame]:
    """The sample world's Norrdal tables (text, as written) for ``seed``."""
    from . import samples

    with tempfile.TemporaryDirectory() as tmp:
        samples.generate(tmp, seed=seed)
        read = lambda name: pd.read_csv(Path(tmp) / name, dtype=str, keep_default_na=False)  # noqa: E731
        ep = read("episoder.csv")
        tabs = {"episoder": ep}
        for key in ("handelser", "kasam_deltagare", "kasam_personal", "nns_enkater", "fokusgrupper_segment"):
            t = read(f"{key}.csv")
            tabs[key] = t[t["forbund"] == "Norrdal"] if "forbund" in t else t[t["episod_id"].isin(ep["episod_id"])]
    return {k: v.reset_index(drop=True) for k, v in tabs.items()}


def _split(total: int, parts: int) -> np.ndarray:
    out = np.full(parts, total // parts)
    out[: total - out.sum()] += 1
    return out


def nation_frames(seed: int = 20260115, n_forbund: int = NATION["n_forbund"], episodes: int | None = None,
                  responses: int | None = None, segments: int | None = None) -> dict[str, pd.DataFrame]:
    """The national tables in memory: ``forbund``, ``episoder``, ``handelser``, ``kasam_deltagare``,
    ``kasam_personal``, ``nns_enkater``, ``fokusgrupper_segment`` (text columns as in the CSV files).

    Sizes default to :data:`NATION` scaled to ``n_forbund`` (4 000 episodes, 2 000 responses and
    about 27 segments per förbund). The same arguments give the same tables.

    Examples
    --------
    >>> t = nation_frames(seed=1, n_forbund=2, episodes=900, responses=500, segments=40)
    >>> len(t["episoder"]), t["episoder"]["episod_id"].is_unique, t["episoder"]["forbund"].nunique()
    (900, True, 2)
    >>> len(t["kasam_deltagare"]) + len(t["nns_enkater"]), t["fokusgrupper_segment"]["segment_id"].nunique()
    (500, 40)
    >>> bool(t["handelser"]["episod_id"].isin(t["episoder"]["episod_id"]).all())
    True
    """
    per = lambda key: round(NATION[key] * n_forbund / NATION["n_forbund"])  # noqa: E731
    episodes = per("episodes") if episodes is None else episodes
    responses = per("responses") if responses is None else responses
    segments = per("segments") if segments is None else segments
    base = _base(seed)
    rng = np.random.default_rng([seed, 2020])
    names = forbund_names(n_forbund, seed)
    ep0, ev0 = base["episoder"], base["handelser"]
    kd0, nn0, kp0, sg0 = (base[k] for k in ("kasam_deltagare", "nns_enkater", "kasam_personal",
                                             "fokusgrupper_segment"))
    share_kasam = len(kd0) / (len(kd0) + len(nn0))
    out: dict[str, list[pd.DataFrame]] = {k: [] for k in base}
    n_ep, n_resp, n_seg = _split(episodes, n_forbund), _split(responses, n_forbund), _split(segments, n_forbund)
    seg_ids0 = sg0["segment_id"].unique()
    for f, name in enumerate(names):
        code = f"F{f + 1:02d}"
        copies = -(-int(n_ep[f]) // len(ep0))
        copy = np.repeat(np.arange(copies), len(ep0))
        ep = ep0.iloc[np.tile(np.arange(len(ep0)), copies)].reset_index(drop=True)
        keep = np.sort(rng.choice(len(ep), int(n_ep[f]), replace=False))
        ep, copy = ep.iloc[keep].reset_index(drop=True), copy[keep]
        shift_of_copy = rng.integers(0, 15, copies)
        days = shift_of_copy[copy]
        src_ep = ep["episod_id"].to_numpy()
        new_ep = np.char.add(np.char.add(np.char.add(f"{code}-", src_ep.astype(str)), "-"), copy.astype(str))
        # one new pseudonym per (source person, copy): re-entries stay the same person
        person = pd.Series(ep["deltagare_id"].to_numpy() + "|" + copy.astype(str))
        codes, uniq = pd.factorize(person)
        ep = ep.assign(episod_id=new_ep, deltagare_id=_hex_ids("D-", rng, len(uniq)).to_numpy()[codes],
                       forbund=name, inskrivningsdatum=_shift(ep["inskrivningsdatum"], days).to_numpy(),
                       avslutsdatum=_shift(ep["avslutsdatum"], days).to_numpy())
        key = pd.DataFrame({"src": src_ep, "copy": copy, "new": new_ep, "days": days})
        ev = ev0.merge(key, left_on="episod_id", right_on="src", how="inner")
        ev = ev.assign(episod_id=ev["new"], datum=_shift(ev["datum"], ev["days"].to_numpy()).to_numpy())[ev0.columns]
        out["episoder"].append(ep)
        out["handelser"].append(ev)
        # survey responses: copies of the sample's respondents, linked to the same copy's episodes
        n_k = int(round(n_resp[f] * share_kasam))
        for src, n_rows, k, prefix in ((kd0, n_k, "kasam_deltagare", "R-"), (nn0, int(n_resp[f]) - n_k, "nns_enkater", "N-")):
            rc = -(-n_rows // max(len(src), 1))
            rcopy = np.repeat(np.arange(rc), len(src)) % copies
            t = src.iloc[np.tile(np.arange(len(src)), rc)].reset_index(drop=True)
            pick = np.sort(rng.choice(len(t), n_rows, replace=False))
            t, rcopy = t.iloc[pick].reset_index(drop=True), rcopy[pick]
            rid = pd.Series(t["respondent_id"].to_numpy() + "|" + rcopy.astype(str))
            rcodes, runiq = pd.factorize(rid)
            linked = t["episod_id"].to_numpy() != ""
            t_ep = t["episod_id"].to_numpy().copy()
            t_ep[linked] = np.char.add(np.char.add(np.char.add(f"{code}-", t_ep[linked].astype(str)), "-"),
                                       rcopy[linked].astype(str))
            t_ep[linked & ~pd.Index(new_ep).get_indexer(t_ep).__ge__(0)] = ""  # its episode was left out: unlinked answer
            t = t.assign(respondent_id=_hex_ids(prefix, rng, len(runiq)).to_numpy()[rcodes], forbund=name,
                         episod_id=t_ep, datum=_shift(t["datum"], shift_of_copy[rcopy]).to_numpy())
            out[k].append(t)
        out["kasam_personal"].append(kp0.assign(forbund=name,
                                                respondent_id=(code + "-" + kp0["respondent_id"]).to_numpy()))
        chosen = rng.choice(seg_ids0, min(int(n_seg[f]), len(seg_ids0)), replace=False)
        sg = sg0[sg0["segment_id"].isin(chosen)]
        out["fokusgrupper_segment"].append(sg.assign(segment_id=code + "-" + sg["segment_id"],
                                                     session=code + "-" + sg["session"], forbund=name,
                                                     talare_id=code + "-" + sg["talare_id"]))
    frames = {k: pd.concat(v, ignore_index=True) for k, v in out.items()}
    frames["forbund"] = pd.DataFrame({"forbund": names, "slug": [slug(n) for n in names],
                                      "kod": [f"F{i + 1:02d}" for i in range(n_forbund)]})
    return frames


def _write_catalogue(d: Path, templates: Path, name: str, s: str, seed: int, episodes) -> None:
    """``datakatalog.yaml`` of one förbund folder: the sample catalogue's entries for the files
    written here, every förbund-specific entry for this förbund."""
    import datetime as _dt

    import yaml

    src = yaml.safe_load((templates / "datakatalog.yaml").read_text(encoding="utf-8"))
    rename = {"malnivaer/norrdal.yaml": f"malnivaer/{s}.yaml", "mal/norrdal.yaml": f"mal/{s}.yaml"}
    entries = []
    for e in src.get("filer", []):
        if e["entity"] in ("mal", "malnivaer") and e["path"] not in rename:
            continue  # only the Norrdal goal files are rewritten for the förbund
        path = rename.get(e["path"], e["path"])
        if not (d / path).exists():
            continue
        e = dict(e, path=path, kalla=f"evaluation samples --scale nation (seed {seed})")
        if e.get("forbund"):
            e["forbund"] = [name]
        if e["entity"] == "episoder" and episodes is not None and len(episodes):
            dates = pd.to_datetime(episodes["inskrivningsdatum"])
            e["period"] = {"fran": dates.min().date(), "till": dates.max().date()}
        entries.append(e)
    doc = {"version": src.get("version", 1), "namn": f"Syntetisk nation: {name}", "fiktiva_data": True,
           "data_till_och_med": src.get("data_till_och_med", _dt.date(2026, 1, 15)), "filer": entries}
    (d / "datakatalog.yaml").write_text(
        "# Datakatalog för ett syntetiskt förbund (evaluation samples --scale nation); genererad.\n"
        + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _write_csv(t: pd.DataFrame, path: Path) -> None:
    """Text table to CSV; plain join (vectorised) when no field needs quoting, else pandas."""
    cols = [t[c].astype(str) for c in t.columns]
    if len(t) == 0 or any(c.str.contains(r'[,"\r\n]', regex=True).any() for c in cols):
        t.to_csv(path, index=False)
        return
    lines = cols[0].str.cat(cols[1:], sep=",")
    path.write_text(",".join(t.columns) + "\n" + "\n".join(lines.tolist()) + "\n", encoding="utf-8")


_DATA_FILES = ("episoder", "handelser", "kasam_deltagare", "kasam_personal", "nns_enkater", "fokusgrupper_segment")


def generate_nation(out_dir, seed: int = 20260115, n_forbund: int = NATION["n_forbund"],
                    templates=None, notebooks=None, **sizes) -> dict[str, int]:
    """Write the nation into ``out_dir`` (one data folder and one run file per förbund); return counts.

    ``templates`` is the folder with the hand-written sample files (default the repository's
    ``data_samples/``), ``notebooks`` the notebook folder the run files point at (default the
    repository's ``notebooks/``). Returns ``forbund``, ``episodes``, ``events``, ``responses``,
    ``segments``, ``runs`` (number of notebook runs in the run files) and ``files``.

    Examples
    --------
    >>> import tempfile
    >>> c = generate_nation(tempfile.mkdtemp(), seed=1, n_forbund=2, episodes=900, responses=500, segments=40)
    >>> c["forbund"], c["episodes"], c["responses"], c["segments"], c["runs"]
    (2, 900, 500, 40, 12)
    """
    root = Path(__file__).resolve().parent.parent
    templates = Path(templates) if templates else root / "data_samples"
    notebooks = Path(notebooks) if notebooks else root / "notebooks"
    out = Path(out_dir)
    frames = nation_frames(seed, n_forbund, **sizes)
    runs_dir = out / "parametrized_runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    files = 0
    groups = {k: dict(tuple(frames[k].groupby("forbund", sort=False))) for k in _DATA_FILES if k != "handelser"}
    ev = frames["handelser"]
    ev_forbund = ev["episod_id"].str.slice(0, 3)
    ev_groups = dict(tuple(ev.groupby(ev_forbund, sort=False)))
    for _, row in frames["forbund"].iterrows():  # 75 förbund: one folder each
        name, s, code = row["forbund"], row["slug"], row["kod"]
        d = out / "data" / s
        d.mkdir(parents=True, exist_ok=True)
        for k in _DATA_FILES:
            t = ev_groups.get(code, ev.iloc[:0]) if k == "handelser" else groups[k].get(name, frames[k].iloc[:0])
            _write_csv(t, d / f"{k}.csv")
            files += 1
        for f in ("enhetskostnader.csv", "prisindex.csv"):
            if (templates / f).exists():
                shutil.copy2(templates / f, d / f)
                files += 1
        for sub in ("scenarier", "rapporterat"):
            if (templates / sub).is_dir():
                shutil.copytree(templates / sub, d / sub, dirs_exist_ok=True)
        for sub in ("mal", "malnivaer"):
            src = templates / sub / "norrdal.yaml"
            if src.exists():
                (d / sub).mkdir(exist_ok=True)
                text = src.read_text(encoding="utf-8").replace("Norrdal", name)
                (d / sub / f"{s}.yaml").write_text(text, encoding="utf-8")
                files += 1
        _write_catalogue(d, templates, name, s, seed, groups["episoder"].get(name))
        lines = [f"# Syntetiskt förbund {name} (evaluation samples --scale nation, seed {seed}); genererad, ej versionerad.",
                 f"name: {s}-2025", f'titel: "Samordningsförbundet {name} – utvärdering 2025"',
                 f"data_dir: ../data/{s}", "parameters:", f'  forbund: "{name}"', '  lang: "sv"', "  min_n: 5",
                 "notebooks:"]
        for nb, params in _NOTEBOOK_RUNS:
            lines.append(f"  - notebook: {nb}")
            p = dict(params)
            if nb == "slutrapport":
                p["mal_fil"] = f"mal/{s}.yaml"
            if p:
                lines.append("    parameters:")
                lines += [f'      {k}: "{v}"' for k, v in p.items()]
        (runs_dir / f"{s}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        files += 1
    return {"forbund": len(frames["forbund"]), "episodes": len(frames["episoder"]), "events": len(ev),
            "responses": len(frames["kasam_deltagare"]) + len(frames["nns_enkater"]),
            "segments": int(frames["fokusgrupper_segment"]["segment_id"].nunique()),
            "runs": len(frames["forbund"]) * len(_NOTEBOOK_RUNS), "files": files}


def cli(args) -> int:
    """``evaluation samples --scale nation [--out DIR] [--seed N]``: write the nation, print the counts."""
    import time

    from . import samples

    seed = samples.DEFAULT_SEED if getattr(args, "seed", None) is None else int(args.seed)
    out = args.out if args.out != "data_samples" else "nation"
    t0 = time.perf_counter()
    c = generate_nation(out, seed=seed)
    print(f"Syntetisk nation i {out} (seed {seed}, {time.perf_counter() - t0:.1f} s): {c['forbund']} förbund, "
          f"{c['episodes']} episoder, {c['events']} händelser, {c['responses']} enkätsvar, {c['segments']} "
          f"fokusgruppssegment, {c['runs']} körningar i {Path(out) / 'parametrized_runs'}")
    return 0
