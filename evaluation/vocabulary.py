"""Controlled vocabularies of the data model, read from package data.

The vocabularies (kön, utbildningsnivå, sysselsättning, försörjning, händelse, respondentgrupp,
tidpunkt, aktör, ...) live in ``evaluation/data/vokabular.yaml`` and the exit taxonomies
(SUS, Team Work, DELTA/Vuxenteamen) with their crosswalk in ``evaluation/data/avslutsorsaker.csv``,
so an evaluator can review them without reading code.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd
import yaml

__all__ = ["vocabulary", "codes", "label", "exit_reasons", "EXIT_REASON_CODES"]


@lru_cache(maxsize=None)
def _load() -> dict:
    text = resources.files("evaluation").joinpath("data/vokabular.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def vocabulary(name: str) -> dict[str, dict]:
    """Return one controlled vocabulary as ``{code: {"sv": ..., "en": ..., ...}}``.

    Parameters
    ----------
    name : str
        Vocabulary name, e.g. ``"kon"``, ``"forsorjning"``, ``"handelse"``, ``"aktor"``.

    Examples
    --------
    >>> vocabulary("kon")["kvinna"]["sv"]
    'Kvinna'
    """
    vocab = _load()
    if name not in vocab:
        raise KeyError(f"unknown vocabulary {name!r}; known: {', '.join(sorted(vocab))}")
    return vocab[name]


def codes(name: str) -> list[str]:
    """Return the allowed codes of a vocabulary, in file order.

    Examples
    --------
    >>> codes("sysselsattning")
    ['forvarvsarbete', 'studier', 'aktivt_arbetssokande', 'ovriga']
    """
    if name == "avslutsorsak":
        return list(exit_reasons().index)
    return list(vocabulary(name))


def label(name: str, code: str, lang: str = "sv") -> str:
    """Return the board label of a code (Swedish by default).

    Examples
    --------
    >>> label("forsorjning", "forsorjningsstod")
    'Försörjningsstöd'
    >>> label("forsorjning", "forsorjningsstod", lang="en")
    'Social assistance'
    """
    if name == "avslutsorsak":
        return str(exit_reasons().loc[code, f"etikett_{lang}"])
    return str(vocabulary(name)[code][lang])


@lru_cache(maxsize=None)
def exit_reasons() -> pd.DataFrame:
    """Return the exit-reason table (avslutsorsaker), indexed by ``kod``.

    Columns: ``taxonomi`` (sus / teamwork / delta), ``huvudkategori``, ``etikett_sv``,
    ``etikett_en``, ``sus_kategori`` (crosswalk to the SUS standard report; indicative, see
    DOMAIN.md §3), ``egen_forsorjning`` (ja / nej / okant: whether the exit itself implies
    self-sufficiency; Vuxenteamen's "okänt men ej aktuell" is ``okant``: not being on public support
    is not supporting oneself), ``offentlig_forsorjning_vid_avslut`` (ja / nej / okant: whether the
    person still has offentlig försörjning at exit; Vuxenteamen's T5 "ej i behov av offentlig
    försörjning vid avslut" = the ``nej`` codes: 422 + 111 + 133 = 666), ``vantetid_manader`` (months to wait before the outcome is confirmed:
    Team Work's "Arbete ≥ 3 mån" and "Avbruten kontakt (avvakta 3 månader)"), ``kalla``.

    Examples
    --------
    >>> exit_reasons().loc["tw_arbete", "sus_kategori"]
    'forvarvsarbete'
    >>> exit_reasons().loc["delta_okant_ej_aktuell", ["egen_forsorjning", "offentlig_forsorjning_vid_avslut"]].tolist()
    ['okant', 'nej']
    """
    path = resources.files("evaluation").joinpath("data/avslutsorsaker.csv")
    with path.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    df["vantetid_manader"] = df["vantetid_manader"].astype(int)
    return df.set_index("kod")


EXIT_REASON_CODES: tuple[str, ...] = tuple(exit_reasons().index)
