"""Personnummer and samordningsnummer: detection, masking, keyed pseudonyms, output scanning.

Swedish identity numbers (Skatteverket, *Personnumret i folkbokföringen*, SKV 704) have the form
``YYMMDD-NNNC`` (10 digits) or ``YYYYMMDD-NNNC`` (12 digits):

* ``YYMMDD`` / ``YYYYMMDD`` the birth date; a **samordningsnummer** (coordination number, for
  people who are not or have not been folkbokförda) adds 60 to the day (``811288`` = born 28 Dec);
* ``NNN`` a serial number (the last of its digits is odd for men, even for women);
* ``C`` a check digit by the Luhn (mod 10) algorithm over the ten digits ``YYMMDDNNN``;
* the separator is ``-``, changed to ``+`` in the year the person turns 100
  (folkbokföringslagen 1991:481, 18 §). Exports also write the number with no separator or a space.

Checksums of personnummer are validated with python-stdnum (:mod:`stdnum.se.personnummer`);
python-stdnum 2.2 rejects samordningsnummer, so those are checked here by subtracting 60 from
the day, checking the date, and applying :mod:`stdnum.luhn` to the ten digits.

Pseudonyms are keyed HMAC-SHA256 (RFC 2104) over the canonical 12-digit form, so that
``8112289874``, ``811228-9874`` and ``198112289874`` map to the same pseudonym, while nobody
without the key can recompute or test a guess. The key lives outside the repository
(environment variable ``EVALUATION_PSEUDONYM_KEY`` or a key file, see :func:`load_key`) and is
never printed, logged or written into any output.

The numbers used in examples and tests are fictitious test numbers (e.g. ``811228-9874``,
``890102-3286`` from python-stdnum's documentation).

Examples
--------
>>> is_personnummer("811228-9874")
True
>>> is_personnummer("811228-9875")          # wrong check digit
False
>>> normalise("811228-9874")
'198112289874'
>>> mask_text("Deltagare 811228-9874 ringde.")
'Deltagare ******-**** ringde.'
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import html
from functools import lru_cache
import json
import os
import re
import secrets
import stat
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
from stdnum import luhn
from stdnum.se import personnummer as _stdnum_pnr

from .errors import EvaluationError
from .labels import t

__all__ = [
    "MASK",
    "redact",
    "redact_obj",
    "near_misses",
    "pseudonymise_text",
    "redact_frame",
    "protect_text_columns",
    "RedactingStream",
    "RedactingFilter",
    "install_redaction",
    "install_kernel_redaction",
    "redact_docx",
    "find_all",
    "Match",
    "MissingKeyError",
    "KeyLocationError",
    "KeyPermissionError",
    "WeakKeyError",
    "check_key_strength",
    "InvalidIdentifierError",
    "PersonnummerLeakError",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "DEFAULT_KEY_FILE",
    "find_personnummer",
    "identifier_kind",
    "is_personnummer",
    "normalise",
    "mask_value",
    "mask_text",
    "mask_series",
    "validate_identifiers",
    "load_key",
    "init_key",
    "key_location",
    "add_key_arguments",
    "key_cli",
    "pseudonymise",
    "scan_outputs",
    "assert_no_personnummer",
    "SCAN_EXTENSIONS",
    "UNREADABLE",
]

KEY_ENV = "EVALUATION_PSEUDONYM_KEY"
KEY_FILE_ENV = "EVALUATION_KEY_FILE"
DEFAULT_KEY_FILE = Path("~/.config/evaluation/pseudonym.key")
_MIN_KEY_BYTES = 32

# Separators seen in exports and documents: hyphen, plus (100+ years), space, the typographic
# dashes word processors substitute for a hyphen (treated as "-") and no-break/thin spaces.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_SPACES = "\u00a0\u202f\u2009"  # no-break, narrow no-break and thin spaces (treated as a space)
_SEP_CLASS = "[-+ " + _DASHES + _SPACES + "]"
# A candidate: 6 or 8 digits, an optional separator, 4 digits, not inside a longer run of word
# characters (digits, letters: hex digests, base64 images, pseudonyms) and not the fraction or the
# integer part of a decimal number (".2309699292" in minified plotly.js; "8112289874.5").
# An underscore does not block (``pnr_8112289874`` in a column name or file name is found), and a
# trailing ``.0`` does not either (pandas writes an integer column with gaps as ``8112289874.0``).
_CANDIDATE = re.compile(
    r"(?<![^\W_])(?<!\.)(\d{6}|\d{8})(" + _SEP_CLASS + r"?)(\d{4})(?![^\W_])(?!\.(?!0\b)\d)"
)
_VALUE = re.compile(r"^\s*(\d{6}|\d{8})\s*(" + _SEP_CLASS + r"?)\s*(\d{4})\s*$")


class MissingKeyError(EvaluationError, RuntimeError):
    """No pseudonymisation key is configured; the message says how to set one."""


class KeyLocationError(EvaluationError, RuntimeError):
    """The key file lies inside a copy of this project (with or without ``.git``); it must live outside it."""


class KeyPermissionError(EvaluationError, PermissionError):
    """The key file can be read by the group or by other users; the message says ``chmod 600``."""


class WeakKeyError(EvaluationError, ValueError):
    """The key is not hex, shorter than 32 bytes or of trivial content; the message says how to make one."""


class InvalidIdentifierError(EvaluationError, ValueError):
    """Values that should be personnummer/samordningsnummer are not (positions, masked values)."""

    def __init__(self, message: str, positions: list):
        super().__init__(message)
        self.positions = positions


class PersonnummerLeakError(EvaluationError, AssertionError):
    """Output files contain valid personnummer/samordningsnummer (listed masked)."""

    def __init__(self, message: str, findings: pd.DataFrame):
        super().__init__(message)
        self.findings = findings


@dataclass(frozen=True)
class Match:
    """A personnummer or samordningsnummer found in a text.

    Attributes
    ----------
    start, end : int
        Character offsets in the text (``text[start:end]`` is the number as written).
    kind : {"personnummer", "samordningsnummer"}
    masked : str
        Always ``******-****`` (:data:`MASK`): nothing of the number is kept; safe to print.
    normalised : str
        Canonical 12 digits ``YYYYMMDDNNNC`` (not for printing; use it for keyed hashing only).
    """

    start: int
    end: int
    kind: str
    masked: str
    normalised: str

    def __repr__(self) -> str:  # never show the full number
        return f"Match(start={self.start}, end={self.end}, kind={self.kind!r}, masked={self.masked!r})"


# --------------------------------------------------------------------------------------------
# the one masker for messages (and the near-miss finder of the output gate)
# --------------------------------------------------------------------------------------------

#: What every personnummer-shaped digit run becomes in a message, a report or a rendered page.
MASK = "******-****"

# Separators a person or a program may put between the date and the serial part: the official
# ones, typographic dashes, spaces, and the slips seen in real files (``811228.9874``,
# ``811228/9874``, ``811228 - 9874``).
_LOOSE_SEP = r"(?:[ \u00a0\u202f\u2009]?[-+./" + _DASHES + r"][ \u00a0\u202f\u2009]?|[ \u00a0\u202f\u2009])?"
# Any digit run that could be a personnummer or samordningsnummer, valid or not: 6 or 8 digits
# (date with or without century), an optional separator, 3 to 5 digits (a serial with a digit
# missing or one too many); not part of a longer digit run and not the fraction of a decimal number.
_SHAPE = re.compile(r"(?<!\d)(?<!\d\.)(\d{6}|\d{8})(" + _LOOSE_SEP + r")(\d{3,5})(?!\d)")
_HEX = set("0123456789abcdefABCDEF")


def _in_hex_token(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` (digits only) lies in a hex token of 16+ characters with a letter.

    Pseudonyms (``D-1a2b…``), sha256 digests and widget model ids are hex; their digit runs are
    not identity numbers.
    """
    a = start
    while a > 0 and text[a - 1] in _HEX:
        a -= 1
    b = end
    while b < len(text) and text[b] in _HEX:
        b += 1
    token = text[a:b]
    return len(token) >= 16 and (a < start or b > end) and not token.isdigit()


def redact(text, replacement: str = MASK):
    """The one masker: every digit run that could be a personnummer or samordningsnummer becomes ``******-****``.

    Valid or not (a wrong check digit, an impossible date), with or without century, with any
    separator or none, and near misses (``811228.9874``, ``19811228-98745``, a serial with a digit
    missing): 6 or 8 digits, an optional separator, 3 to 5 digits, not inside a longer digit run,
    not the fraction of a decimal number and not inside a hex token of 16+ characters (pseudonyms,
    digests). Nothing of the number is kept, not even the birth year. Every string the workbench
    prints, raises, logs or renders passes this function (import reports, exceptions, CLI output,
    snapshot manifests, dashboards, Word). It errs on the side of masking: a phone number
    ``0701234567`` is masked too.

    Non-strings are converted with ``str``; ``None`` gives ``""``.

    Parameters
    ----------
    text : object
    replacement : str, default ``******-****``

    Returns
    -------
    str

    Examples
    --------
    >>> redact("Rad 3: 811228-9874, 19811228-98745, 811228.9874, 8112289875 och 2024-01-31")
    'Rad 3: ******-****, ******-****, ******-****, ******-**** och 2024-01-31'
    >>> redact("pseudonym D-81122898740abcde, belopp 2392248.0, andel 0.8112289874")
    'pseudonym D-81122898740abcde, belopp 2392248.0, andel 0.8112289874'
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if len(text) < 9 or not _QUICK_ANY.search(text):
        return text

    def sub(m: re.Match) -> str:
        if not m.group(2) and _in_hex_token(m.string, m.start(), m.end()):
            return m.group(0)
        return replacement

    return _SHAPE.sub(sub, text)


_QUICK_ANY = re.compile(r"\d{6}")


def redact_obj(obj):
    """:func:`redact` every string inside a JSON-like value (dict keys too); numbers shaped like a number are masked.

    Examples
    --------
    >>> redact_obj({"namn": "Scenario 811228-9874", "n": [8112289874, 12]})
    {'namn': 'Scenario ******-****', 'n': ['******-****', 12]}
    """
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, int):
        return MASK if redact(str(obj)) != str(obj) else obj
    if isinstance(obj, dict):
        return {redact(k) if isinstance(k, str) else k: redact_obj(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(redact_obj(v) for v in obj)
    return obj


def near_misses(text: str, reference_date=None) -> list[Match]:
    """Personnummer-shaped numbers that are *not* valid but plausibly are one with a slip.

    For the output gate (:func:`scan_outputs`), which must not publish near misses either but
    also must not cry wolf on every long number in a plotly figure: the date part must be a
    plausible birth date (month 01-12, day 01-31 or, samordningsnummer, 61-91; with century a
    year 1800-2099), the run is bounded by non-alphanumeric characters (not inside a hex digest
    or base64) and not the fraction of a decimal number. The separator may be any of
    :func:`redact`'s; the serial part has 3 to 5 digits (4 without separator).

    Examples
    --------
    >>> [m.masked for m in near_misses("a 811228.9874 b 19811228-98745 c 811228-9875 d 811228-9874")]
    ['******-****', '******-****', '******-****']
    >>> near_misses("0.8112289874 x1234567890 2024-01-31 1764000000")
    []
    >>> near_misses('<div id="20040468-1585-45eb-a326-421a3b16ebf2">')  # a plotly div id, not a number
    []
    """
    out: list[Match] = []
    if not isinstance(text, str) or len(text) < 9:
        return out
    uuids = _uuid_spans(text)
    for m in _NEAR.finditer(text):
        if _inside(uuids, m.start(), m.end()):
            continue  # a UUID such as a plotly figure's div id ("20040468-1585-45eb-…"), not a number
        date, sep, serial = m.group(1), m.group(2), m.group(3)
        if not sep and len(serial) != 4:
            continue
        month, day = int(date[-4:-2]), int(date[-2:])
        if day > 60:
            day -= 60
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        if len(date) == 8 and not (1800 <= int(date[:4]) <= 2099):
            continue
        clean = _SEP_STRIP.sub("", sep)
        if len(serial) == 4 and clean in ("", "-", "+") and _parse(date, clean or "", serial, reference_date):
            continue  # a valid number: find_personnummer reports it
        digits = date + serial
        out.append(Match(m.start(), m.end(), "nära personnummer", MASK, digits))
    return out


_UUID = re.compile(r"(?<![0-9A-Fa-f-])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
                   r"(?![0-9A-Fa-f-])")


def _uuid_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds UUIDs (8-4-4-4-12 hex digits): every plotly figure in an HTML report or
    notebook has one as its div id, and about 1 in 300 of them begins like a date and a serial.

    Examples
    --------
    >>> _uuid_spans('id="20040468-1585-45eb-a326-421a3b16ebf2" pnr 811228-9874')
    [(4, 40)]
    """
    if text.count("-") < 4:
        return []
    return [(u.start(), u.end()) for u in _UUID.finditer(text)]


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in spans)


_NEAR = re.compile(r"(?<![^\W_])(?<!\d\.)(\d{6}|\d{8})(" + _LOOSE_SEP + r")(\d{3,5})(?![^\W_])(?!\.\d)")
_SEP_STRIP = re.compile(r"[ \u00a0\u202f\u2009]")


# --------------------------------------------------------------------------------------------
# parsing and validation
# --------------------------------------------------------------------------------------------


def _today(reference_date) -> _dt.date:
    if reference_date is None:
        return _dt.date.today()
    return pd.Timestamp(reference_date).date()


def _parse(date_part: str, sep: str, serial: str, reference_date=None) -> tuple[str, str] | None:
    """Return ``(canonical12, kind)`` for a candidate or ``None`` when it is not a valid number."""
    sep = "-" if sep in _DASHES else (" " if sep in _SPACES else sep)
    month = int(date_part[-4:-2])
    day = int(date_part[-2:])
    kind = "personnummer"
    if day > 60:
        kind = "samordningsnummer"
        day -= 60
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    ref = _today(reference_date)
    if len(date_part) == 8:
        year = int(date_part[:4])
        if year < 1800:
            return None
        try:
            born = _dt.date(year, month, day)
        except ValueError:
            return None
        if born > ref:
            return None
    else:
        # Century inference (Skatteverket): the most recent century in which the birth date is not
        # in the future; "+" means the person is 100 or older, i.e. one century earlier.
        yy = int(date_part[:2])
        year = (ref.year // 100) * 100 + yy
        try:
            born = _dt.date(year, month, day)
            if born > ref:
                year -= 100
                born = _dt.date(year, month, day)
        except ValueError:
            # e.g. 29 February in a non-leap candidate year: try the previous century once
            if year > ref.year:
                year -= 100
            try:
                born = _dt.date(year, month, day)
            except ValueError:
                return None
            if born > ref:
                return None
        if sep == "+":
            year -= 100
            try:
                _dt.date(year, month, day)
            except ValueError:
                return None
    canonical = f"{year:04d}{date_part[-4:]}{serial}"
    ten = canonical[2:]
    if kind == "personnummer":
        if not _stdnum_pnr.is_valid(f"{canonical[:8]}-{serial}"):
            return None
    elif not luhn.is_valid(ten):
        return None
    return canonical, kind


def _mask(text: str) -> str:
    """The masked form of a found number: always :data:`MASK` (nothing of the number is kept)."""
    return MASK


def _coerce(value) -> str | None:
    """Turn a cell value into a string to parse; ``None`` for missing values."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu"):
        s = str(int(value))
        # an integer column loses the leading zero of people born 2000-2009 (e.g. 0501011234)
        return s.zfill(10) if len(s) == 9 else s
    if isinstance(value, float) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "f"):
        f = float(value)
        if not f.is_integer():
            return str(value)
        s = str(int(f))
        return s.zfill(10) if len(s) == 9 else s
    return str(value)


def _parse_value(value, reference_date=None) -> tuple[str, str] | None:
    s = _coerce(value)
    if s is None:
        return None
    m = _VALUE.match(s)
    if not m:
        return None
    return _parse(m.group(1), m.group(2), m.group(3), reference_date)


def find_personnummer(text: str, reference_date=None) -> list[Match]:
    """Find every valid personnummer and samordningsnummer in a text.

    A candidate is 6 or 8 digits (the birth date), an optional separator (``-``, ``+``, a space
    or a typographic dash) and 4 digits, **not** preceded or followed by another digit (so parts of
    a 16-digit card number or a long id are not candidates), nor by a letter (hex digests, base64,
    so ``pnr811228-9874`` written without a space is not found either; ``pnr_811228-9874`` is), nor
    part of a decimal number (minified JavaScript such as plotly.js is full of ``.2309699292``);
    a trailing ``.0`` is allowed (``8112289874.0``, an integer column with gaps written by pandas). A candidate counts only when its
    date is a real calendar date (day + 60 for samordningsnummer), not in the future, and its
    Luhn check digit is right (personnummer via :mod:`stdnum.se.personnummer`, samordningsnummer
    via :mod:`stdnum.luhn`). ISO dates (``2024-01-31``) never match the pattern; phone numbers
    that happen to pass all checks (about one in ten of those shaped like a date) are reported:
    a scanner errs on the side of reporting.

    Parameters
    ----------
    text : str
        Any text (free-text notes, a CSV line, notebook JSON).
    reference_date : date-like, optional
        "Today" for century inference of 10-digit forms and the not-in-the-future check;
        defaults to today.

    Returns
    -------
    list of Match
        In text order; ``Match.masked`` is safe to print.

    Examples
    --------
    >>> [m.masked for m in find_personnummer("pnr 811228-9874, tel 0701234567, id 8112289874123456")]
    ['******-****']
    >>> find_personnummer("samordningsnr 19811288-9871")[0].kind
    'samordningsnummer'
    """
    if not isinstance(text, str) or len(text) < 10:
        return []
    out: list[Match] = []
    uuids = _uuid_spans(text)
    for m in _CANDIDATE.finditer(text):
        if _inside(uuids, m.start(), m.end()):
            continue  # part of a UUID (a plotly figure's div id), not a personnummer
        parsed = _parse(m.group(1), m.group(2), m.group(3), reference_date)
        if parsed is None:
            continue
        canonical, kind = parsed
        out.append(Match(m.start(), m.end(), kind, _mask(m.group(0)), canonical))
    return out


def identifier_kind(value, reference_date=None) -> str | None:
    """Return ``"personnummer"``, ``"samordningsnummer"`` or ``None`` for a single value.

    The whole value (after trimming) must be the number; see :func:`find_personnummer` for text.

    Examples
    --------
    >>> identifier_kind("811228-9874"), identifier_kind("811288-9871"), identifier_kind("hej")
    ('personnummer', 'samordningsnummer', None)
    """
    parsed = _parse_value(value, reference_date)
    return None if parsed is None else parsed[1]


def is_personnummer(value, reference_date=None, *, samordningsnummer: bool = True) -> bool:
    """Whether ``value`` is a valid personnummer (or, by default, samordningsnummer).

    Accepts 10 or 12 digits with or without separator (``-``, ``+``, space); integers are
    accepted too (a 9-digit integer is read as a 10-digit number that lost its leading zero).

    Parameters
    ----------
    value : str or int
    reference_date : date-like, optional
        "Today" for century inference; defaults to today.
    samordningsnummer : bool, default True
        Also accept samordningsnummer (day + 60).

    Examples
    --------
    >>> is_personnummer("198112289874"), is_personnummer("811228 9874"), is_personnummer(8112289874)
    (True, True, True)
    >>> is_personnummer("811228-9875"), is_personnummer("2024-01-31")
    (False, False)
    >>> is_personnummer("811288-9871"), is_personnummer("811288-9871", samordningsnummer=False)
    (True, False)
    """
    kind = identifier_kind(value, reference_date)
    if kind is None:
        return False
    return samordningsnummer or kind == "personnummer"


def normalise(value, reference_date=None) -> str:
    """Canonical 12-digit form ``YYYYMMDDNNNC`` of a personnummer or samordningsnummer.

    10-digit forms get their century by Skatteverket's rule: the most recent century in which
    the birth date is not after ``reference_date``; the separator ``+`` (100 years or older)
    moves it one century back. A 10-digit form *without* separator cannot show ``+``, so people
    aged 100+ written that way get the wrong century (their 12-digit form is unambiguous).
    Samordningsnummer keep their day + 60.

    Parameters
    ----------
    value : str or int
    reference_date : date-like, optional
        Defaults to today.

    Returns
    -------
    str
        12 digits.

    Raises
    ------
    InvalidIdentifierError
        When the value is not a valid number (the message shows it masked).

    Examples
    --------
    >>> normalise("811228-9874"), normalise("811228+9874"), normalise("19811228-9874")
    ('198112289874', '188112289874', '198112289874')
    >>> normalise("0501011233", reference_date="2026-01-15"), normalise("260601-1233", reference_date="2026-01-15")
    ('200501011233', '192606011233')
    """
    parsed = _parse_value(value, reference_date)
    if parsed is None:
        raise InvalidIdentifierError(
            f"not a valid personnummer/samordningsnummer: {mask_value(value)!r}", positions=[]
        )
    return parsed[0]


def mask_value(value) -> str:
    """Masked display of a single value for a message: :func:`redact` of its text (``""`` when missing).

    Integers are read as text first (a 9-digit integer is a 10-digit number that lost its leading zero).

    Examples
    --------
    >>> mask_value("811228-9874"), mask_value("19811228-9875"), mask_value(501011233), mask_value("abc")
    ('******-****', '******-****', '******-****', 'abc')
    """
    s = _coerce(value)
    if s is None:
        return ""
    return redact(s)


def mask_text(text, replacement: str = MASK, reference_date=None):
    """:func:`redact` for text that may be missing: every personnummer-shaped number, valid or not, is replaced.

    Non-strings (``None``, ``NaN``) are returned unchanged (a data column keeps its missing values);
    ``reference_date`` is accepted for compatibility and not needed (validity does not matter).

    Examples
    --------
    >>> mask_text("Ring 811228-9874 eller 19890102-3286, ärende 2024-01-31.")
    'Ring ******-**** eller ******-****, ärende 2024-01-31.'
    >>> mask_text("fel kontrollsiffra 811228-9875")
    'fel kontrollsiffra ******-****'
    """
    if not isinstance(text, str):
        return text
    return redact(text, replacement)


_QUICK = re.compile(r"\d{6}")


def mask_series(series: pd.Series, replacement: str = MASK, reference_date=None) -> pd.Series:
    """:func:`mask_text` over a text column; same index, missing values stay missing.

    Only cells that contain six consecutive digits are parsed (a vectorised pre-filter), so
    long free-text columns are cheap. Non-string cells are turned into strings first only when
    they are numbers (an integer column of personnummer is masked too).

    Examples
    --------
    >>> s = pd.Series(["ring 811228-9874", None, "inget"])
    >>> out = mask_series(s)
    >>> out[0], bool(pd.isna(out[1])), out[2]
    ('ring ******-****', True, 'inget')
    """
    if not isinstance(series, pd.Series):
        series = pd.Series(series)
    out = series.copy()
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        as_text = series.map(_coerce)
        hit = as_text.map(lambda v: v is not None and redact(v) != v)
        if hit.any():
            out = out.astype(object)
            out[hit] = replacement
        return out
    text = series.astype(object)
    is_str = text.map(lambda v: isinstance(v, str))
    candidates = is_str & text.where(is_str, "").astype(str).str.contains(_QUICK, regex=True)
    if candidates.any():
        masked = text[candidates].map(lambda v: mask_text(v, replacement, reference_date))
        changed = masked != text[candidates]
        if changed.any():
            if not (out.dtype == object or pd.api.types.is_string_dtype(out.dtype)):
                out = out.astype(object)
            out.loc[masked.index[changed]] = masked[changed]
    return out


def validate_identifiers(values: pd.Series, reference_date=None, *, missing_ok: bool = True) -> pd.Series:
    """Per-row validity of an identifier column (for the import report).

    Parameters
    ----------
    values : Series
        Personnummer/samordningsnummer as text or integers.
    reference_date : date-like, optional
        Defaults to today.
    missing_ok : bool, default True
        Missing values count as valid (nothing to pseudonymise; whether the column is required is
        the schema's business). With ``False`` they count as invalid.

    Returns
    -------
    Series of bool
        Same index; ``True`` where the value is a valid number (or missing and ``missing_ok``).

    Examples
    --------
    >>> validate_identifiers(pd.Series(["811228-9874", "811228-9875", None])).tolist()
    [True, False, True]
    """
    values = pd.Series(values)
    return values.map(
        lambda v: (missing_ok if _coerce(v) is None else _parse_value(v, reference_date) is not None)
    ).astype(bool)


# --------------------------------------------------------------------------------------------
# key handling
# --------------------------------------------------------------------------------------------


def _missing_key_message() -> str:
    return (
        "No pseudonymisation key is configured, so identifiers cannot be pseudonymised.\n"
        "Set one in one of these ways (the key must live outside the repository):\n"
        "  1. run `evaluation key --init` once: it creates "
        f"{DEFAULT_KEY_FILE} (32 random bytes, hex, readable only by you);\n"
        f"  2. export {KEY_ENV}=<64 hex characters>  (e.g. from a password manager);\n"
        f"  3. export {KEY_FILE_ENV}=/path/outside/the/repo/pseudonym.key  (an existing key file).\n"
        "Use the same key for every import that must link the same people; keep it secret and backed up."
    )


def _project_root() -> Path:
    return Path(__file__).resolve().parents[1]


def _git_work_tree(path: Path) -> Path | None:
    """The root of the git work tree containing ``path`` (``.git`` dir or file), if any."""
    for parent in [path, *path.parents]:
        if (parent / ".git").exists():
            return parent
    return None


def _looks_like_project(folder: Path) -> bool:
    """Whether ``folder`` is the root of a copy of the workbench (a clone, a worktree, an unpacked archive)."""
    if (folder / "evaluation" / "privacy.py").exists():
        return True
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        try:
            text = pyproject.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
        if re.search(r'^name\s*=\s*"evaluation"', text, re.M):
            return True
    return (folder / "parametrized_runs").is_dir() and (folder / "notebooks").is_dir()


def _inside_project(path: Path) -> bool:
    """Whether ``path`` lies inside a copy of this project, with or without ``.git``.

    A copy is this checkout, any git work tree whose root holds the workbench, or any folder
    above ``path`` that looks like the workbench (``evaluation/privacy.py``, a ``pyproject.toml``
    naming the ``evaluation`` package, or ``parametrized_runs/`` beside ``notebooks/``): a key
    there is one ``git add``, ``zip`` or ``rsync`` away from leaving the machine.
    """
    path = path.expanduser().resolve()
    root = _git_work_tree(path.parent)
    if root is not None and root == _git_work_tree(_project_root()):
        return True
    own = _project_root()
    for parent in path.parents:
        if parent == own or _looks_like_project(parent):
            return True
    return False


def key_location(path=None) -> tuple[str, Path | None]:
    """Where the key comes from: ``("env", None)``, ``("file", path)`` or ``("none", default path)``.

    Order: an explicit ``path``; the environment variable ``EVALUATION_PSEUDONYM_KEY``; the file
    named by ``EVALUATION_KEY_FILE``; the default ``~/.config/evaluation/pseudonym.key``.

    Examples
    --------
    >>> key_location("/tmp/x.key")
    ('file', PosixPath('/tmp/x.key'))
    """
    if path is not None:
        return "file", Path(path).expanduser()
    if os.environ.get(KEY_ENV):
        return "env", None
    if os.environ.get(KEY_FILE_ENV):
        return "file", Path(os.environ[KEY_FILE_ENV]).expanduser()
    default = DEFAULT_KEY_FILE.expanduser()
    return ("file" if default.exists() else "none"), default


_FIX_KEY = ("create a new random key with `evaluation key --init --path ~/.config/evaluation/pseudonym.key` "
            "(or `python -c \"import secrets; print(secrets.token_hex(32))\"`)")


def check_key_strength(key: bytes, source: str = "the key") -> None:
    """Refuse keys that are short or trivial; raises :class:`WeakKeyError` saying how to fix it.

    A key must be at least 32 bytes (HMAC-SHA256's output size, RFC 2104 §3 recommends a key no
    shorter than it) and not trivial: not a single repeated byte (all-zero ``00…``), not fewer
    than 8 distinct byte values, not a repetition of a block of at most half its length
    (``0011…ff0011…ff``) and not a constant-step sequence (``00 01 02 …``). Such keys are what
    people type or copy from an example; they make every pseudonym recomputable.

    Examples
    --------
    >>> check_key_strength(bytes.fromhex("9f3c61d2a87be04455c1e9a07d3f2b68c4e15a9d07b3f8e2615c9a4d0e7b3f21"))
    >>> check_key_strength(bytes(32))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    evaluation.privacy.WeakKeyError: the key is trivial (all bytes 00); create a new random key with ...
    """
    n = len(key)
    if n < _MIN_KEY_BYTES:
        raise WeakKeyError(f"{source} is too short ({n} bytes; at least {_MIN_KEY_BYTES}); {_FIX_KEY}")
    reason = ""
    if len(set(key)) == 1:
        reason = f"all bytes {key[:1].hex()}"
    elif len(set(key)) < 8:
        reason = f"only {len(set(key))} distinct byte values"
    else:
        for period in range(1, n // 2 + 1):
            if all(key[i] == key[i % period] for i in range(n)):
                reason = f"a {period}-byte block repeated"
                break
        if not reason:
            steps = {(key[i + 1] - key[i]) % 256 for i in range(n - 1)}
            if len(steps) == 1:
                reason = "a constant-step sequence"
    if reason:
        raise WeakKeyError(f"{source} is trivial ({reason}); {_FIX_KEY}")


def _decode_key(text: str, source: str) -> bytes:
    text = text.strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise WeakKeyError(f"{source} is not a hex string (expected 64 hex characters); {_FIX_KEY}") from None
    check_key_strength(key, source)
    return key


def _refuse_inside_project(path: Path) -> None:
    if _inside_project(path):
        raise KeyLocationError(
            f"refusing key file {path}: it lies inside a copy of this project, from where it could be "
            f"committed, zipped or synced. Move it outside the project (e.g. `mv {path} {DEFAULT_KEY_FILE}`) and "
            f"point {KEY_FILE_ENV} at it, or run `evaluation key --init`."
        )


def load_key(path=None) -> bytes:
    """Load the pseudonymisation key (never printed, logged or written anywhere).

    Sources in order: an explicit key file ``path``; the environment variable
    ``EVALUATION_PSEUDONYM_KEY`` (hex); the key file named by ``EVALUATION_KEY_FILE``; the default
    key file ``~/.config/evaluation/pseudonym.key``. A key must be hex, at least 32 bytes and not
    trivial (:func:`check_key_strength`; :func:`init_key` writes 32 random bytes); a key file must
    be readable by its owner only (mode 600) and lie outside any copy of this project.

    Raises
    ------
    MissingKeyError
        Nothing is configured; the message says how to set a key.
    KeyLocationError
        The key file lies inside a copy of the project.
    KeyPermissionError
        The key file is readable or writable by the group or others.
    WeakKeyError
        The key is not hex, too short or trivial.

    Examples
    --------
    >>> import os, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "k.key"; p.touch(0o600)
    >>> _ = p.write_text("9f3c61d2a87be04455c1e9a07d3f2b68c4e15a9d07b3f8e2615c9a4d0e7b3f21")
    >>> len(load_key(p))
    32
    """
    source, file = key_location(path)
    if source == "env":
        return _decode_key(os.environ[KEY_ENV], f"${KEY_ENV}")
    if source == "none" or file is None or not file.exists():
        msg = _missing_key_message()
        if file is not None and source == "file":
            msg = f"key file {file} does not exist.\n" + msg
        raise MissingKeyError(msg)
    _refuse_inside_project(file)
    mode = stat.S_IMODE(file.stat().st_mode)
    if mode & 0o077:
        raise KeyPermissionError(
            f"refusing key file {file}: other users can read or write it (mode {oct(mode)}); "
            f"run `chmod 600 {file}` (and, if others may have read it, create a new key)"
        )
    return _decode_key(file.read_text(encoding="ascii", errors="replace"), f"key file {file}")


def init_key(path=None) -> Path:
    """Create the key file on first use (32 random bytes as hex, mode 600); never overwrite.

    Parameters
    ----------
    path : path-like, optional
        Key file; default ``$EVALUATION_KEY_FILE`` or ``~/.config/evaluation/pseudonym.key``.

    Returns
    -------
    Path
        The key file (existing or new).

    Raises
    ------
    KeyLocationError
        The path lies inside a git work tree of this project.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = init_key(pathlib.Path(tempfile.mkdtemp()) / "sub" / "k.key")
    >>> oct(p.stat().st_mode & 0o777), len(p.read_text().strip())
    ('0o600', 64)
    """
    if path is None:
        path = os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE
    path = Path(path).expanduser()
    _refuse_inside_project(path)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # created concurrently: keep theirs
        return path
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    os.chmod(path, 0o600)
    return path


def add_key_arguments(parser) -> None:
    """Add the arguments of ``evaluation key`` to an argparse (sub)parser: ``--init``, ``--path``.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(); add_key_arguments(p)
    >>> p.parse_args(["--init"]).init
    True
    """
    parser.add_argument("--init", action="store_true", help="create the key file if it does not exist")
    parser.add_argument(
        "--path", default=None, help=f"key file (default ${KEY_FILE_ENV} or {DEFAULT_KEY_FILE})"
    )


def key_cli(args) -> int:
    """``evaluation key [--init] [--path FILE]``: say where the key is (never the key itself).

    Expects an argparse namespace with ``init`` (bool) and ``path`` (str or None), see
    :func:`add_key_arguments`. With ``--init`` the key file is created when it does not exist
    (:func:`init_key`; an existing file is never overwritten; nothing is created when
    ``EVALUATION_PSEUDONYM_KEY`` is set and no ``--path`` is given). Prints Swedish messages;
    returns 0 when a usable key is configured, 1 otherwise (with the instructions).
    """
    init = bool(getattr(args, "init", False))
    path = getattr(args, "path", None)
    try:
        if init and not (path is None and os.environ.get(KEY_ENV)):
            target = Path(path or os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE).expanduser()
            existed = target.exists()
            init_key(target)
            print(t("privacy.key_exists" if existed else "privacy.key_created", path=target))
            configured = os.environ.get(KEY_FILE_ENV)
            is_default = target.resolve() == DEFAULT_KEY_FILE.expanduser().resolve()
            if not is_default and (not configured or Path(configured).expanduser().resolve() != target.resolve()):
                print(t("privacy.key_set_env", name=KEY_FILE_ENV, path=target))
        source, file = key_location(path)
        load_key(path)
        if source == "env":
            print(t("privacy.key_env", name=KEY_ENV))
        else:
            print(t("privacy.key_file", path=file))
        return 0
    except (MissingKeyError, KeyLocationError, KeyPermissionError, ValueError) as exc:
        print(redact(str(exc)))
        return 1


# --------------------------------------------------------------------------------------------
# pseudonyms
# --------------------------------------------------------------------------------------------


def pseudonymise(
    values: pd.Series, key: bytes | None = None, prefix: str = "D", reference_date=None
) -> pd.Series:
    """Replace personnummer/samordningsnummer by keyed pseudonyms ``<prefix>-<16 hex>``.

    Method: HMAC-SHA256 (RFC 2104, :mod:`hmac`) with the secret key over the ASCII canonical
    12-digit form (:func:`normalise`), truncated to the first 16 hex characters (64 bits:
    collisions are negligible for registers of thousands of people, about n^2 / 2^65). The same
    person gets the same pseudonym in every import made with the same key, whatever the format
    of the number; without the key nobody can recompute it or test a guess.

    Parameters
    ----------
    values : Series
        Identifiers (text or integers). Missing values stay missing.
    key : bytes, optional
        Default :func:`load_key` (raises :class:`MissingKeyError` when none is configured).
    prefix : str, default "D"
        Pseudonym prefix ("D" for deltagare).
    reference_date : date-like, optional
        "Today" for century inference of 10-digit forms.

    Returns
    -------
    Series of str
        Same index.

    Raises
    ------
    InvalidIdentifierError
        Some non-missing values are not valid numbers; the message names their positions (index
        labels) and shows them masked; ``.positions`` lists the labels. Use
        :func:`validate_identifiers` first to report per row instead.

    Examples
    --------
    >>> key = bytes.fromhex("9f3c61d2a87be04455c1e9a07d3f2b68c4e15a9d07b3f8e2615c9a4d0e7b3f21")
    >>> p = pseudonymise(pd.Series(["8112289874", "811228-9874", "198112289874", None]), key=key)
    >>> p.iloc[0] == p.iloc[1] == p.iloc[2], p.iloc[0][:2], len(p.iloc[0]), pd.isna(p.iloc[3])
    (True, 'D-', 18, True)
    """
    values = pd.Series(values)
    parsed = values.map(lambda v: None if _coerce(v) is None else _parse_value(v, reference_date))
    missing = values.map(lambda v: _coerce(v) is None)
    bad = parsed.isna() & ~missing
    if bad.any():
        labels = list(values.index[bad])
        shown = ", ".join(f"{lab}: {mask_value(values[lab])!r}" for lab in labels[:20])
        more = f" (and {len(labels) - 20} more)" if len(labels) > 20 else ""
        raise InvalidIdentifierError(
            f"{len(labels)} value(s) are not valid personnummer/samordningsnummer at positions {shown}{more}",
            positions=labels,
        )
    if key is None:
        key = load_key()
    out = [
        pd.NA
        if p is None
        else f"{prefix}-" + hmac.new(key, p[0].encode("ascii"), hashlib.sha256).hexdigest()[:16]
        for p in parsed
    ]
    return pd.Series(out, index=values.index, dtype="str", name=values.name)


def pseudonymise_text(text, key: bytes | None = None, prefix: str = "D", reference_date=None):
    """Replace every personnummer-shaped number in ``text`` by a keyed pseudonym (identifier columns).

    For identifier columns (``Deltagar-ID``, ``respondent_id``…) that hold personnummer where the
    mapping did not say so: masking would collapse every person into one constant, so each number
    becomes ``<prefix>-<16 hex>`` instead. A valid number gets exactly the pseudonym of
    :func:`pseudonymise` (the same person links across files); an invalid or near-miss number
    (:func:`redact`'s shapes) gets an HMAC of its digits, so distinct values stay distinct and equal
    values equal. Missing values are returned unchanged.

    Examples
    --------
    >>> key = bytes.fromhex("9f3c61d2a87be04455c1e9a07d3f2b68c4e15a9d07b3f8e2615c9a4d0e7b3f21")
    >>> a, b = pseudonymise_text("811228-9874", key), pseudonymise_text("19811228-9874", key)
    >>> a == b == pseudonymise(pd.Series(["811228-9874"]), key=key)[0], a[:2]
    (True, 'D-')
    >>> pseudonymise_text("811228-9875", key) != pseudonymise_text("811228-9873", key)
    True
    """
    if not isinstance(text, str):
        return text
    if key is None:
        key = load_key()

    def sub(m: re.Match) -> str:
        if not m.group(2) and _in_hex_token(m.string, m.start(), m.end()):
            return m.group(0)
        sep = _SEP_STRIP.sub("", m.group(2)) or (" " if m.group(2) else "")
        parsed = _parse(m.group(1), sep, m.group(3), reference_date) if len(m.group(3)) == 4 else None
        payload = parsed[0] if parsed else "ogiltigt:" + m.group(1) + m.group(3)
        return f"{prefix}-" + hmac.new(key, payload.encode("ascii"), hashlib.sha256).hexdigest()[:16]

    return _SHAPE.sub(sub, text)


_SPACE_CHARS = " \u00a0\u202f\u2009"
# A superset of _SHAPE without look-arounds, for Arrow's RE2 (vectorised over a column): 6 digits,
# the loose separator, 3 digits. An 8-digit date matches on its last 6 digits.
_SHAPE_SUPERSET_RE2 = (r"\p{Nd}{6}(?:[" + _SPACE_CHARS + r"]?[-+./" + _DASHES + r"][" + _SPACE_CHARS + r"]?|["
                       + _SPACE_CHARS + r"])?\p{Nd}{3}")


def _text_candidates(s: pd.Series, text: pd.Series) -> pd.Series:
    """Cells of ``s`` that may hold a personnummer-shaped number (a superset of what :func:`redact`
    changes), found column-wise with Arrow's regex engine; the per-cell check runs on these only.

    Examples
    --------
    >>> s = pd.Series(["ring 811228.9874", "D-81122898740abcde", "ok", None, 12])
    >>> _text_candidates(s, s.astype(object)).tolist()
    [True, True, False, False, False]
    """
    try:
        is_str = np.fromiter((isinstance(v, str) for v in text), dtype=bool, count=len(text)) \
            if s.dtype == object else s.notna().to_numpy()
        st = text.where(is_str, None).astype("string[pyarrow]")
        hit = st.str.contains(_SHAPE_SUPERSET_RE2, regex=True, na=False).to_numpy(dtype=bool)
        return pd.Series(hit & is_str, index=s.index)
    except Exception:  # noqa: BLE001 - no pyarrow/RE2: the cell-by-cell check
        return text.map(lambda v: isinstance(v, str) and _QUICK_ANY.search(v) is not None)


def protect_text_columns(columns: dict, entity: str = "", key: bytes | None = None) -> list[tuple]:
    """Find personnummer-shaped numbers in every text column of an import and neutralise them.

    Used by the importer (:mod:`evaluation.io`) on every text column, whatever the mapping file
    says (a column whose labels are mapped under ``values`` is scanned too). Identifier columns
    (names ending in ``_id``: ``deltagare_id``, ``episod_id``, ``respondent_id``…) get keyed
    pseudonyms (:func:`pseudonymise_text`), so that three people stay three; other text is
    masked with :func:`redact` (valid numbers and near misses alike).

    Parameters
    ----------
    columns : dict of str -> Series
        Model column -> converted column (same index: the source line numbers).
    entity : str
        For the messages only.
    key : bytes, optional
        Default :func:`load_key` (only loaded when an identifier column holds a number).

    Returns
    -------
    list of (column, new Series, row labels, values to show (masked), reason)
        One entry per column that held a number; nothing when all is clean.

    Examples
    --------
    >>> k = bytes.fromhex("9f3c61d2a87be04455c1e9a07d3f2b68c4e15a9d07b3f8e2615c9a4d0e7b3f21")
    >>> cols = {"deltagare_id": pd.Series(["811228-9874", "890102-3286"], index=[2, 3]),
    ...         "kommentar": pd.Series(["ring 811228.9874", "ok"], index=[2, 3])}
    >>> [(c, s.tolist()[1][:2], list(r), v) for c, s, r, v, _ in protect_text_columns(cols, key=k)]
    [('deltagare_id', 'D-', [2, 3], ['******-****', '******-****']), ('kommentar', 'ok', [2], ['ring ******-****'])]
    """
    found = []
    for model, s in columns.items():
        if not isinstance(s, pd.Series) or len(s) == 0:
            continue
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_datetime64_any_dtype(s.dtype) \
                or pd.api.types.is_bool_dtype(s.dtype):
            continue
        arrow = _arrow_strings(s)
        if arrow is None:  # object cells (numbers, text, dates mixed): cell by cell
            text = s.astype(object)
            cand = _text_candidates(s, text).to_numpy(dtype=bool)
        else:  # Arrow-backed text: scan each distinct value (or each cell of a high-cardinality column)
            cand = _arrow_candidates(s, arrow)
        if not cand.any():
            continue
        pos = np.flatnonzero(cand)
        cells = s.iloc[pos].astype(object)
        masked = _map_distinct(cells, redact)
        hit = (masked != cells).to_numpy(dtype=bool)
        if not hit.any():
            continue
        pos = pos[hit]
        rows = list(s.index[pos])
        shown = masked[hit].tolist()
        if str(model).endswith("_id"):
            if key is None:
                key = load_key()
            values = _map_distinct(cells[hit], lambda v: pseudonymise_text(v, key)).tolist()
            reason = ("identifier holds a personnummer-shaped number; replaced by a keyed pseudonym "
                      "(map the column to personnummer in the mapping file)")
        else:
            values = shown
            reason = ("contains a personnummer-shaped number; it must be removed from the source "
                      "(masked in the imported data)")
        if arrow is None:
            new = text.copy()
            new.iloc[pos] = values
            new = new.astype(s.dtype) if s.dtype != object else new
        else:
            new = s.copy()
            new.iloc[pos] = values
        found.append((model, new, rows, shown, reason))
    return found


def _arrow_strings(s: pd.Series):
    """The Arrow array behind a pandas string column (``str``/``string[pyarrow]``), else ``None``."""
    if not isinstance(s.dtype, pd.StringDtype) or getattr(s.dtype, "storage", "") != "pyarrow":
        return None
    try:
        import pyarrow as pa

        return pa.chunked_array(s.array._pa_array) if hasattr(s.array, "_pa_array") else None
    except Exception:  # noqa: BLE001 - another pandas internals layout: the object path
        return None


def _map_distinct(s: pd.Series, func) -> pd.Series:
    """``s.map(func)`` calling ``func`` once per distinct value (object result, same index)."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    res = np.empty(len(uniques) + 1, dtype=object)
    res[:-1] = [func(v) for v in uniques]
    res[-1] = None
    return pd.Series(res[codes], index=s.index, dtype=object)


def _arrow_candidates(s: pd.Series, arr) -> np.ndarray:
    """:func:`_text_candidates` of an Arrow string column as a boolean array, vectorised in Arrow.

    A low-cardinality column (codes, labels; judged on its first 20 000 cells) is scanned once per
    distinct value and spread back by code; an identifier column is scanned cell by cell in RE2.
    """
    import pyarrow.compute as pc

    try:
        head = arr.slice(0, 20_000)
        few = len(head) and len(pc.unique(head)) * 4 <= len(head)
        if few:
            enc = pc.dictionary_encode(arr).combine_chunks()
            dhit = pc.match_substring_regex(enc.dictionary, _SHAPE_SUPERSET_RE2).to_numpy(zero_copy_only=False)
            if not dhit.any():
                return np.zeros(len(s), dtype=bool)
            idx = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False)
            return np.append(dhit, False)[idx]
        hit = pc.match_substring_regex(arr, _SHAPE_SUPERSET_RE2).fill_null(False)
        return hit.to_numpy(zero_copy_only=False).astype(bool)
    except Exception:  # noqa: BLE001 - no RE2 or another Arrow: the cell-by-cell check
        text = s.astype(object)
        return text.map(lambda v: isinstance(v, str) and _QUICK_ANY.search(v) is not None).to_numpy(dtype=bool)


class RedactingStream:
    r"""A text stream wrapper that passes everything written through :func:`redact`, line by line.

    Text is held until a newline (or :meth:`flush`) so that a number written in two pieces is
    still masked. Used by :func:`install_redaction` for ``sys.stdout`` and ``sys.stderr``.

    Examples
    --------
    >>> import io as _io
    >>> buf = _io.StringIO(); out = RedactingStream(buf)
    >>> _ = out.write("rad 811228-"); _ = out.write("9874 klar\n"); buf.getvalue()
    'rad ******-**** klar\n'
    """

    def __init__(self, stream):
        self._stream = stream
        self._pending = ""

    def write(self, text) -> int:
        text = str(text)
        data = self._pending + text
        cut = data.rfind("\n") + 1
        if cut == 0 and "\r" in data:
            cut = data.rfind("\r") + 1  # progress bars redraw with a carriage return
        self._pending = data[cut:]
        if cut:
            self._stream.write(redact(data[:cut]))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(redact(self._pending))
            self._pending = ""
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


class RedactingFilter:
    """A :mod:`logging` filter that redacts a record's message (and its traceback text).

    Examples
    --------
    >>> import logging
    >>> rec = logging.LogRecord("x", logging.INFO, "", 0, "pnr %s", ("811228-9874",), None)
    >>> RedactingFilter().filter(rec), rec.getMessage()
    (True, 'pnr ******-****')
    """

    def filter(self, record) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format: show the raw template
            msg = str(record.msg)
        record.msg, record.args = redact(msg), ()
        if record.exc_info:
            import traceback

            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
            record.exc_info = None
        if getattr(record, "stack_info", None):
            record.stack_info = redact(record.stack_info)
        return True


def install_redaction() -> None:
    """Route everything this process prints or logs through :func:`redact` (the CLI calls it first).

    Wraps ``sys.stdout`` and ``sys.stderr`` in :class:`RedactingStream`, adds :class:`RedactingFilter`
    to the root logger's handlers (and to handlers added later through ``logging.lastResort``'s
    place: the root logger itself), and replaces ``sys.excepthook`` so that an unexpected
    traceback is redacted too. Idempotent.

    Examples
    --------
    >>> install_redaction.__name__
    'install_redaction'
    """
    import logging
    import sys

    if not isinstance(sys.stdout, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout)
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr)
    root = logging.getLogger()
    if not any(isinstance(f, RedactingFilter) for f in root.filters):
        root.addFilter(RedactingFilter())
    # a filter on a logger does not see records of child loggers: filter at the handlers too
    _orig_handle = getattr(logging.Handler, "_evaluation_orig_handle", None)
    if _orig_handle is None:
        orig = logging.Handler.handle
        flt = RedactingFilter()

        def handle(self, record):
            flt.filter(record)
            return orig(self, record)

        logging.Handler._evaluation_orig_handle = orig
        logging.Handler.handle = handle
    if not getattr(sys.excepthook, "_evaluation_redacting", False):
        def hook(exc_type, exc, tb):
            import traceback

            sys.stderr.write(redact("".join(traceback.format_exception(exc_type, exc, tb))))
            sys.stderr.flush()

        hook._evaluation_redacting = True
        sys.excepthook = hook


def _redact_message(obj):
    """:func:`redact` every string of a Jupyter message's content; integers only when they are valid numbers.

    Floats and other integers are data of figures (amounts, counts) and stay numbers.
    """
    if isinstance(obj, str):
        return redact(obj) if len(obj) >= 9 else obj
    if isinstance(obj, dict):
        return {(redact(k) if isinstance(k, str) else k): _redact_message(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_redact_message(v) for v in obj]
    if isinstance(obj, int) and not isinstance(obj, bool) and 99_999_999 < abs(obj) < 10**12:
        return MASK if is_personnummer(obj) else obj
    return obj


def install_kernel_redaction(session=None) -> bool:
    """Make this Jupyter kernel pass every message it sends through the one masker.

    Wraps the kernel session's ``send`` (``ipykernel``): display data, widget state and updates
    (``comm_open``/``comm_msg``), streams and errors that go to a browser — and through Voilà's
    websocket to a dashboard viewer — have every string redacted (:func:`redact`) and integers
    that are valid personnummer replaced, before they leave the kernel. Used by the dashboards
    (:mod:`evaluation.dashboards.apps`). Idempotent; returns False outside a kernel.

    Examples
    --------
    >>> class FakeSession:
    ...     def send(self, stream, msg_or_type, content=None, *a, **k):
    ...         return content
    >>> s = FakeSession(); install_kernel_redaction(s)
    True
    >>> s.send(None, "comm_msg", {"data": {"state": {"value": "Scenario 811228-9874", "n": 8112289874}}})
    {'data': {'state': {'value': 'Scenario ******-****', 'n': '******-****'}}}
    """
    if session is None:
        try:
            from IPython import get_ipython

            ip = get_ipython()
            session = ip.kernel.session if ip is not None and getattr(ip, "kernel", None) is not None else None
        except Exception:  # noqa: BLE001
            session = None
    if session is None:
        return False
    if getattr(session.send, "_evaluation_redacting", False):
        return True
    orig = session.send

    def send(stream, msg_or_type, content=None, *args, **kwargs):
        if isinstance(msg_or_type, dict):
            msg_or_type = dict(msg_or_type)
            msg_or_type["content"] = _redact_message(msg_or_type.get("content"))
        elif content is not None:
            content = _redact_message(content)
        return orig(stream, msg_or_type, content, *args, **kwargs)

    send._evaluation_redacting = True
    session.send = send
    return True


def redact_docx(document) -> int:
    """Pass every run of text in a python-docx ``Document`` through :func:`redact` (body, tables, headers, footers).

    A number split over two runs (``811228-`` + ``9874``, as Word stores edits) is caught by masking
    each paragraph's joined text and, when it changes, putting the masked text into its first run.
    Core properties (title, subject, author…) are masked too. Returns the number of paragraphs
    changed.

    Examples
    --------
    >>> import docx
    >>> d = docx.Document(); p = d.add_paragraph("Deltagare "); _ = p.add_run("811228-"); _ = p.add_run("9874")
    >>> redact_docx(d), d.paragraphs[0].text
    (1, 'Deltagare ******-****')
    """
    changed = 0

    def paragraphs(container):
        yield from container.paragraphs
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    yield from paragraphs(cell)

    containers = [document]
    for section in document.sections:
        containers += [section.header, section.footer]
    for container in containers:
        for par in paragraphs(container):
            text = par.text
            if len(text) < 9 or not _QUICK_ANY.search(text):
                continue
            masked = redact(text)
            if masked == text:
                continue
            runs = par.runs
            if runs:
                runs[0].text = masked
                for r in runs[1:]:
                    r.text = ""
            changed += 1
    props = document.core_properties
    for attr in ("title", "subject", "author", "keywords", "comments", "category", "last_modified_by"):
        value = getattr(props, attr, None)
        if isinstance(value, str) and value:
            setattr(props, attr, redact(value))
    return changed


def redact_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`redact` over the column names and every text cell of a table (a report, a problem list).

    Only cells with six consecutive digits are touched (vectorised pre-filter); other values and
    the dtypes stay as they are.

    Examples
    --------
    >>> df = pd.DataFrame({"811228-9874": ["rad 811228.9874", "ok"], "n": [19811228, 2]})
    >>> redact_frame(df).to_dict("list")
    {'******-****': ['rad ******-****', 'ok'], 'n': [19811228, 2]}
    """
    if frame is None or frame.empty and not len(frame.columns):
        return frame
    out = frame.copy()
    out.columns = [redact(c) if isinstance(c, str) else c for c in out.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_datetime64_any_dtype(col.dtype):
            continue
        text = col.astype(object)
        # judge each distinct cell once (a problem list repeats its file, column and reason)
        try:
            codes, uniques = pd.factorize(text, use_na_sentinel=True)
        except TypeError:  # unhashable cells: one by one
            codes, uniques = np.arange(len(text)), text.to_numpy()
        uniques = np.asarray(uniques, dtype=object)
        cand = np.fromiter((isinstance(v, str) and _QUICK_ANY.search(v) is not None for v in uniques),
                           dtype=bool, count=len(uniques))
        if cand.any():
            fixed = uniques.copy()
            fixed[cand] = [redact(v) for v in uniques[cand]]
            hit = cand[codes] & (codes >= 0)
            text = text.copy()
            text[hit] = fixed[codes[hit]]
            out.isetitem(i, text.astype(col.dtype) if col.dtype != object else text)
    return out


# --------------------------------------------------------------------------------------------
# output scanner
# --------------------------------------------------------------------------------------------

SCAN_EXTENSIONS = (
    ".ipynb", ".html", ".htm", ".json", ".csv", ".tsv", ".txt", ".md", ".log", ".docx", ".xlsx", ".pptx",
)
_OFFICE = {".docx", ".xlsx", ".pptx"}


@lru_cache(maxsize=1)
def _vendored_bundles() -> tuple[str, ...]:
    """Library code embedded verbatim in reports: plotly.js (4.8 MB, once per notebook and report).

    It holds no data, so the scanner skips exact copies of it; scanning it was most of the cost of
    a snapshot run's privacy gate (``BENCHMARKS.md``, per-run overhead).
    """
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:  # pragma: no cover - plotly is a dependency
        return ()
    return (get_plotlyjs(),)


def _segments(line: str) -> Iterable[tuple[int, str]]:
    """``(offset, text)`` pieces of a text with exact copies of vendored library bundles cut out."""
    cuts = []
    for bundle in _vendored_bundles():
        start = line.find(bundle)
        while start >= 0:
            cuts.append((start, start + len(bundle)))
            start = line.find(bundle, start + len(bundle))
    pos = 0
    for a, b in sorted(cuts):
        if a > pos:
            yield pos, line[pos:a]
        pos = max(pos, b)
    if pos < len(line):
        yield pos, line[pos:]


def find_all(text: str, reference_date=None) -> list[Match]:
    """Valid numbers (:func:`find_personnummer`) and near misses (:func:`near_misses`), in text order.

    What the output gate looks for.

    Examples
    --------
    >>> [m.kind for m in find_all("811228-9874 och 811228.9874")]
    ['personnummer', 'nära personnummer']
    """
    found = find_personnummer(text, reference_date)
    near = near_misses(text, reference_date)
    if not near:
        return found
    taken = [(m.start, m.end) for m in found]
    near = [m for m in near if not any(a < m.end and m.start < b for a, b in taken)]
    return sorted(found + near, key=lambda m: m.start)


def _scan_lines(text: str, reference_date=None) -> Iterable[tuple[int, int, Match]]:
    """Matches per line; lines with HTML entities are also scanned unescaped (``&#8209;``, ``&nbsp;``).

    Exact copies of vendored library code (plotly.js) are cut out of the text first, see
    :func:`_vendored_bundles`; line and column numbers still refer to the whole text.
    """
    for seg_start, segment in _segments(text):
        first_line = text.count("\n", 0, seg_start) + 1
        first_col = seg_start - (text.rfind("\n", 0, seg_start) + 1)
        for k, line in enumerate(segment.splitlines()):
            lineno, offset = first_line + k, (first_col if k == 0 else 0)
            found = find_all(line, reference_date)
            for m in found:
                yield lineno, offset + m.start + 1, m
            if "&" in line:
                unescaped = html.unescape(line)
                if unescaped != line:
                    seen = {m.normalised for m in found}
                    for m in find_all(unescaped, reference_date):
                        if m.normalised not in seen:
                            yield lineno, offset + m.start + 1, m


# closing tags of paragraphs, cells and rows in Office Open XML, tabs and breaks: become separators
_XML_BREAK = re.compile(r"</(?:w:p|a:p|c|si|row|w:tc|a:tc)>|<(?:w:tab|w:br|a:br)\b[^>]*/?>")
_XML_TAG = re.compile(r"<[^>]+>")


def _office_text(path: Path) -> list[tuple[str, str]]:
    """``(member, text)`` of the XML parts of a docx/xlsx/pptx, one paragraph/cell per line."""
    out = []
    try:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if not name.endswith(".xml"):
                    continue
                xml = zf.read(name).decode("utf-8", errors="replace")
                text = _XML_TAG.sub("", _XML_BREAK.sub("\n", xml))
                out.append((name, html.unescape(text)))
    except (zipfile.BadZipFile, OSError):
        out.append(("", path.read_bytes().decode("utf-8", errors="replace")))
    return out


def _texts(obj) -> Iterable[str]:
    """Every text in a JSON value; a list of strings (a notebook's multi-line text) is joined."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, list):
        if obj and all(isinstance(x, str) for x in obj):
            yield "".join(obj)
        else:
            for x in obj:
                yield from _texts(x)
    elif isinstance(obj, dict):
        for key, x in obj.items():
            yield str(key)  # a personnummer can be a key too ({"811228-9874": 3})
            yield from _texts(x)
    elif obj is not None and not isinstance(obj, bool):
        yield str(obj)  # numbers: an integer column of personnummer ends up as JSON numbers


def _scan_notebook(text: str, reference_date=None, nb=None) -> list[tuple[str, Match]]:
    try:
        nb = json.loads(text) if nb is None else nb
        cells = nb.get("cells", [])
        if not isinstance(cells, list):
            raise ValueError
    except (ValueError, AttributeError):
        return [(f"rad {ln}, kol {col}", m) for ln, col, m in _scan_lines(text, reference_date)]
    found: list[tuple[str, Match]] = []
    for i, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        for blob in _texts(cell.get("source", "")):
            found += [(f"cell {i} (källkod), rad {ln}", m) for ln, _c, m in _scan_lines(blob, reference_date)]
        for k, output in enumerate(cell.get("outputs", []) or [], start=1):
            for blob in _texts(output):
                found += [
                    (f"cell {i} (utdata {k}), rad {ln}", m) for ln, _c, m in _scan_lines(blob, reference_date)
                ]
        rest = {key: v for key, v in cell.items() if key not in ("source", "outputs")}
        for blob in _texts(rest):
            found += [(f"cell {i} (metadata)", m) for _l, _c, m in _scan_lines(blob, reference_date)]
    meta = {k: v for k, v in nb.items() if k != "cells"}
    for blob in _texts(meta):
        found += [("notebook-metadata", m) for _l, _c, m in _scan_lines(blob, reference_date)]
    # The walk above sees every decoded string, key and number of the parsed JSON (escapes resolved);
    # text that is not valid notebook JSON is scanned raw at the top of this function.
    return found


def _scan_json_values(text: str, already, reference_date=None) -> list[tuple[str, Match]]:
    """Numbers hidden by JSON escapes (``\\u2013``) or stored as JSON numbers in a list/dict."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    seen = {m.normalised for _, m in already}
    extra = []
    for blob in _texts(data):
        for m in find_all(blob, reference_date):
            if m.normalised not in seen:
                seen.add(m.normalised)
                extra.append(("JSON-värde", m))
    return extra


#: ``kind`` of a finding for a file (or an embedded picture) the gate cannot read.
UNREADABLE = "oläsbart format"

_TEXT_SUFFIXES = {
    ".ipynb", ".html", ".htm", ".json", ".geojson", ".jsonl", ".ndjson", ".csv", ".tsv", ".txt", ".md", ".log",
    ".yaml", ".yml", ".xml", ".svg", ".py", ".r", ".js", ".css", ".tex", ".rst", ".toml", ".ini", ".cfg", ".sql",
    ".qmd", ".err", ".out",
}
_ZIPPED_XML = {".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".xlsm", ".dotx"}
_COMPRESSED = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}
_MAX_INNER = 1 << 30  # decompressed bytes the gate reads from one archive member (a zip bomb fails the run)
_RASTER_MIME = re.compile(r"^image/(?!svg)")


def _decode_bytes(data: bytes) -> str:
    """Text of a file in any of the encodings exports use: BOMs, UTF-16 without BOM, UTF-8, else cp1252."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\xff\xfe", "utf-16"),
                     (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    head = data[:4096]
    if head and head.count(0) > len(head) // 4:  # UTF-16 without BOM: every other byte is NUL
        enc = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        return data.decode(enc, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _looks_like_text(data: bytes) -> bool:
    head = data[:8192]
    if not head:
        return True
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a multi-byte character cut by the 8 KB window


def _yaml_values(text: str) -> Iterable[str]:
    import yaml

    try:
        for doc in yaml.safe_load_all(text):
            yield from _texts(doc)
    except yaml.YAMLError:
        return


def _scan_text(name: str, text: str, reference_date=None, parsed=None) -> list[tuple[str, Match]]:
    suffix = Path(name).suffix.lower()
    if suffix == ".ipynb":
        hits = _scan_notebook(text, reference_date, parsed)
    else:
        hits = [(f"rad {ln}, kol {col}", m) for ln, col, m in _scan_lines(text, reference_date)]
    if suffix in (".json", ".geojson"):  # a notebook's values are walked by _scan_notebook already
        hits += _scan_json_values(text, hits, reference_date)
    elif suffix in (".jsonl", ".ndjson"):
        for line in text.splitlines():
            hits += _scan_json_values(line, hits, reference_date)
    elif suffix in (".yaml", ".yml"):
        seen = {m.normalised for _, m in hits}
        for blob in _yaml_values(text):  # escapes ("\x38"), numbers, folded strings
            for m in find_all(blob, reference_date):
                if m.normalised not in seen:
                    seen.add(m.normalised)
                    hits.append(("YAML-värde", m))
    return hits


def _notebook_pictures(nb) -> list[str]:
    """Locations of raster pictures in a notebook's outputs (the gate cannot read what they show)."""
    try:
        cells = nb.get("cells", [])
    except (ValueError, AttributeError):
        return []
    out = []
    for i, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        for k, output in enumerate((cell.get("outputs") or []) if isinstance(cell, dict) else [], start=1):
            data = output.get("data", {}) if isinstance(output, dict) else {}
            for mime in data if isinstance(data, dict) else []:
                if _RASTER_MIME.match(mime):
                    out.append(f"cell {i} (utdata {k}): {mime}")
    return out


def _table_texts(table) -> Iterable[str]:
    """Texts of an Arrow table: column names, schema metadata and every value (integers zero-padded)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    yield "\n".join(table.schema.names)
    meta = table.schema.metadata or {}
    for k, v in meta.items():
        yield k.decode("utf-8", "replace") + "\n" + v.decode("utf-8", "replace")
    for name, col in zip(table.schema.names, table.columns):
        typ = col.type
        if pa.types.is_integer(typ):
            vals = pc.cast(col, pa.string()).to_pylist()
            yield "\n".join(v.zfill(10) if len(v) == 9 else v for v in vals if v is not None)
        elif pa.types.is_floating(typ) or pa.types.is_boolean(typ) or pa.types.is_temporal(typ):
            if pa.types.is_floating(typ):  # integers stored as floats (a column with gaps)
                vals = [v for v in col.to_pylist() if v is not None and float(v).is_integer()]
                yield "\n".join(str(int(v)).zfill(10) if len(str(int(v))) == 9 else str(int(v)) for v in vals)
            continue
        elif pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_dictionary(typ):
            vals = col.to_pylist()
            yield "\n".join(str(v) for v in vals if v is not None)
        else:  # lists, structs, binary: their Python text
            yield "\n".join(str(v) for v in col.to_pylist() if v is not None)


def _scan_blob(name: str, data: bytes, reference_date=None, depth: int = 0) -> list[tuple[str, str, str]]:
    """``(location, kind, masked)`` findings in one file's bytes; dispatch on the name's suffix."""
    suffix = Path(name).suffix.lower()
    out: list[tuple[str, str, str]] = []

    def add(hits, prefix=""):
        out.extend((prefix + loc, m.kind, m.masked) for loc, m in hits)

    def unreadable(why: str, loc: str = ""):
        out.append(((loc + ": " if loc else "") + why, UNREADABLE, ""))

    if depth > 3:
        unreadable("arkiv i arkiv i arkiv: grinden läser inte djupare")
        return out
    try:
        if suffix in _COMPRESSED:
            import bz2
            import gzip
            import lzma

            opener = {"gzip": gzip, "bz2": bz2, "lzma": lzma}[_COMPRESSED[suffix]]
            with opener.open(_io_bytes(data)) as fh:
                inner = fh.read(_MAX_INNER + 1)
            if len(inner) > _MAX_INNER:
                unreadable("uppackat större än grindens gräns")
                return out
            inner_name = name[: -len(suffix)]
            return [(f"{Path(inner_name).name}: {loc}", k, m) for loc, k, m in
                    _scan_blob(inner_name, inner, reference_date, depth + 1)]
        if suffix in (".zip",) or (suffix in _ZIPPED_XML):
            with zipfile.ZipFile(_io_bytes(data)) as zf:
                for info in zf.infolist():
                    if info.is_dir():
                        continue
                    member = info.filename
                    add([(member, m) for m in find_all(member, reference_date)])  # names too
                    if info.file_size > _MAX_INNER:
                        unreadable("uppackat större än grindens gräns", member)
                        continue
                    raw = zf.read(info)
                    if suffix in _ZIPPED_XML:
                        msuf = Path(member).suffix.lower()
                        if msuf in (".xml", ".rels", ".vml"):
                            xml = raw.decode("utf-8", errors="replace")
                            text = html.unescape(_XML_TAG.sub("", _XML_BREAK.sub("\n", xml)))
                            found = [m for _l, _c, m in _scan_lines(text, reference_date)]
                            seen = {m.normalised for m in found}
                            found += [m for _l, _c, m in _scan_lines(xml, reference_date)  # attributes
                                      if m.normalised not in seen]
                            add([(member, m) for m in found])
                        elif msuf in (".bin",) or _looks_like_text(raw):
                            if _looks_like_text(raw):
                                add([(member, m) for _l, _c, m in _scan_lines(_decode_bytes(raw), reference_date)])
                            else:
                                unreadable("inbäddat binärt objekt", member)
                        # pictures inside Word/Excel (word/media/*.png) are figures the run drew from
                        # data the gate has read; see the threat model in README.md
                        continue
                    out.extend((f"{member}: {loc}", k, m) for loc, k, m in
                               _scan_blob(member, raw, reference_date, depth + 1))
            return out
        if suffix in (".tar", ".tgz") or name.lower().endswith(".tar.gz"):
            import tarfile

            with tarfile.open(fileobj=_io_bytes(data)) as tf:
                for member in tf.getmembers():
                    if not member.isfile():
                        continue
                    raw = tf.extractfile(member).read(_MAX_INNER + 1)
                    out.extend((f"{member.name}: {loc}", k, m) for loc, k, m in
                               _scan_blob(member.name, raw, reference_date, depth + 1))
            return out
        if suffix in (".parquet", ".feather", ".arrow", ".pq"):
            import pyarrow.feather as feather
            import pyarrow.parquet as pq

            table = pq.read_table(_io_bytes(data)) if suffix in (".parquet", ".pq") else feather.read_table(_io_bytes(data))
            for k, blob in enumerate(_table_texts(table)):
                add([("kolumnnamn/metadata" if k == 0 else "värden", m) for _l, _c, m in _scan_lines(blob, reference_date)])
            return out
        if suffix == ".pdf":
            text = _pdf_text(data)
            if text is None:
                unreadable("PDF utan textlager eller pdftotext saknas")
            else:
                add([(f"sida-text rad {ln}", m) for ln, _c, m in _scan_lines(text, reference_date)])
            return out
        if suffix in (".npy", ".npz"):
            import numpy as np

            arrs = np.load(_io_bytes(data), allow_pickle=False)
            items = arrs.items() if hasattr(arrs, "items") else [("", arrs)]
            for key, arr in items:
                vals = arr.ravel().tolist()
                add([(key or "värden", m) for m in find_all("\n".join(str(v) for v in vals), reference_date)])
            return out
        if suffix in _TEXT_SUFFIXES or (suffix not in _BINARY_KNOWN and _looks_like_text(data)):
            text = _decode_bytes(data)
            parsed = None
            if suffix == ".ipynb":
                try:
                    parsed = json.loads(text)  # once, for the scan and the pictures
                except ValueError:
                    parsed = None
            add(_scan_text(name, text, reference_date, parsed))
            if isinstance(parsed, dict):
                for loc in _notebook_pictures(parsed):
                    unreadable("rasterbild i utdata", loc)
            return out
    except Exception as exc:  # noqa: BLE001 - a file the gate cannot parse is a file it cannot read
        unreadable(f"kunde inte läsas ({type(exc).__name__})")
        return out
    unreadable(f"format som grinden inte kan läsa ({suffix or 'utan filändelse'})")
    return out


_BINARY_KNOWN = {".pkl", ".pickle", ".joblib", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp",
                 ".ico", ".sav", ".zsav", ".dta", ".xls", ".db", ".sqlite", ".h5", ".hdf5", ".mat", ".rds", ".rdata"}


def _io_bytes(data: bytes):
    import io as _stdio

    return _stdio.BytesIO(data)


def _pdf_text(data: bytes) -> str | None:
    """Text of a PDF via poppler's ``pdftotext`` (None when it is missing or fails)."""
    import shutil
    import subprocess

    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    try:
        res = subprocess.run([exe, "-q", "-layout", "-", "-"], input=data, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    if res.returncode != 0:
        return None
    return res.stdout.decode("utf-8", errors="replace")


def scan_outputs(folder, extensions: Iterable[str] | None = None, reference_date=None,
                 allow: Iterable[str] = ()) -> pd.DataFrame:
    """The output gate: read every file under a folder and report personnummer, near misses and unreadable files.

    Every file is read by its format, not grepped: text (UTF-8, cp1252, UTF-16 with or without
    BOM) line by line with HTML/XML entities resolved; notebooks cell by cell (sources, outputs,
    metadata incl. widget state) and as JSON values; JSON, JSON lines and YAML also value by value
    (escapes, numbers); Parquet/Feather through pyarrow (names, schema metadata, every value,
    integers zero-padded); Word/Excel/PowerPoint/OpenDocument as the XML they are made of; gz, bz2,
    xz, zip and tar archives opened (member names too); PDF through ``pdftotext``; ``.npy``
    without pickle. A file of unknown type is read as text when it decodes as text. What the gate
    cannot read — pickles, raster images (also inside a notebook's outputs), other binaries — is
    reported with ``kind`` ``oläsbart format`` unless a pattern in ``allow`` matches its path
    (:func:`fnmatch.fnmatch`; for a picture inside a notebook ``notebook.ipynb#image/png``).
    Found are valid numbers (:func:`find_personnummer`) and near misses (:func:`near_misses`).

    Parameters
    ----------
    folder : path-like
        A folder (or a single file).
    extensions : iterable of str, optional
        Only files with these suffixes (with dot); default every file.
    reference_date : date-like, optional
        "Today" for century inference.
    allow : iterable of str
        Glob patterns of files (relative paths) that may stay unread.

    Returns
    -------
    DataFrame
        Columns ``file`` (path relative to ``folder``), ``location`` (``rad 3, kol 14``; ``cell 2
        (utdata 1), rad 1`` in notebooks; the XML part such as ``word/document.xml``; ``inner.csv:
        rad 2, kol 1`` in archives), ``kind`` (``personnummer``, ``samordningsnummer``, ``nära
        personnummer``, ``oläsbart format``), ``masked`` (always ``******-****`` for numbers); one
        row per occurrence, empty when clean. Paths are masked too.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "a.csv").write_text("id;pnr\\n1;811228-9874\\n")
    >>> _ = (d / "b.pkl").write_bytes(b"\\x80\\x04K\\x01.")
    >>> scan_outputs(d)[["file", "location", "masked"]].values.tolist()
    [['a.csv', 'rad 2, kol 3', '******-****'], ['b.pkl', 'format som grinden inte kan läsa (.pkl)', '']]
    >>> scan_outputs(d, allow=["*.pkl"])["file"].tolist()
    ['a.csv']
    """
    import fnmatch

    folder = Path(folder)
    exts = None if extensions is None else {e.lower() if e.startswith(".") else "." + e.lower() for e in extensions}
    files = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    allow = tuple(allow or ())
    rows = []
    for f in files:
        if exts is not None and f.suffix.lower() not in exts:
            continue
        rel = f.name if folder.is_file() else f.relative_to(folder).as_posix()
        for m in find_all(rel, reference_date):  # a file named after a person
            rows.append({"file": rel, "location": "filnamn", "kind": m.kind, "masked": m.masked})
        try:
            data = f.read_bytes()
        except OSError as exc:
            rows.append({"file": rel, "location": f"kunde inte öppnas ({type(exc).__name__})", "kind": UNREADABLE,
                         "masked": ""})
            continue
        for loc, kind, masked in _scan_blob(f.name, data, reference_date):
            if kind == UNREADABLE and allow:
                mime = loc.rsplit(": ", 1)[-1] if loc.startswith("cell ") else ""
                mime = loc.split(": ")[1] if loc.startswith("cell ") and ": " in loc else mime
                if any(fnmatch.fnmatch(rel, p) or (mime and fnmatch.fnmatch(f"{rel}#{mime}", p)) for p in allow):
                    continue
            rows.append({"file": rel, "location": loc, "kind": kind, "masked": masked})
    df = pd.DataFrame(rows, columns=["file", "location", "kind", "masked"]).astype(str)
    return redact_frame(df)


def assert_no_personnummer(folder, extensions: Iterable[str] | None = None, reference_date=None,
                           allow: Iterable[str] = ()) -> None:
    """Raise :class:`PersonnummerLeakError` when :func:`scan_outputs` finds anything.

    The message lists file, location and the masked number (never the number); the findings are
    on the exception as ``.findings``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "ok.md").write_text("inga nummer 2024-01-31")
    >>> assert_no_personnummer(d)
    """
    found = scan_outputs(folder, extensions, reference_date, allow)
    if found.empty:
        return
    lines = [f"  {r.file} [{r.location}]: {r.kind} {r.masked}" for r in found.head(50).itertuples()]
    more = f"\n  ... and {len(found) - 50} more" if len(found) > 50 else ""
    raise PersonnummerLeakError(
        redact(f"{len(found)} personnummer/samordningsnummer or unreadable files found in outputs under {folder}:\n"
               + "\n".join(lines) + more
               + "\nRemove them (pseudonymise identifiers at import, mask free text with "
               "evaluation.privacy.mask_text, write data as CSV/Parquet/JSON) and rerun."),
        found,
    )
