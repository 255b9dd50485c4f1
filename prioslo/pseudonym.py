"""Validation of person numbers and their replacement by a keyed hash.

The record-level extracts identify people by fødselsnummer or D-nummer. Those numbers must never
reach ``data/processed/``: :func:`validate_person_number` checks that a value really is one (so
that a typo does not split one person into two), and :func:`pseudonymise` replaces it by a keyed
HMAC-SHA256. With the key kept secret the hash cannot be reversed by trying every possible
fødselsnummer (there are only a few hundred million), which a plain hash would allow.

Accepted person values
----------------------
* 11 digits: a fødselsnummer, D-nummer (day + 40), H-nummer (month + 40), a synthetic test number
  of Norway's test registry (Tenor: month + 80) or an FH-nummer (the health sector's assistance
  number, first digit 8 or 9, no birth date). Both mod-11 check digits must be right and, except
  for FH-numre, the birth date must exist and not lie in the future.
* 10 digits: a fødselsnummer whose leading zero Excel stripped (a number cell); padded with
  ``0`` and validated as above.
* A value containing a letter: an id that was already pseudonymised upstream (``P-000123``, a hex
  hash); accepted as it is and hashed again like any other id.

Everything else (other lengths of digits, Excel's scientific notation) is rejected with a reason
that never repeats the value itself.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import os
import re

import pandas as pd
from stdnum.exceptions import ValidationError
from stdnum.no import fodselsnummer

log = logging.getLogger(__name__)

KEY_ENV = "PRIOSLO_PSEUDONYM_KEY"
"""Environment variable holding the pseudonymisation key."""

DEFAULT_KEY = "prioslo-sample-data-not-secret"
"""Key used when :data:`KEY_ENV` is unset. Documented and public: good only for the synthetic
sample data. Real extracts must set :data:`KEY_ENV` to a secret."""

PSEUDONYM_LENGTH = 16
"""Hex characters kept of the HMAC-SHA256 digest (64 bits). The chance that two of ``n`` distinct
people share a pseudonym is about ``n**2 / 2**65``: 3e-8 for a million people, i.e. negligible
for Oslo's few thousand service users."""

SYNTHETIC_MONTH_OFFSET = 80
"""Norway's synthetic test identities (Skatteetaten's Tenor test registry) add 80 to the month.
python-stdnum knows only the +40 H-numbers, so the +80 numbers are handled here."""

_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_SEPARATORS = re.compile(r"[\s\-:.\u00a0\u202f]")

_warned_default_key = False


def _check_eleven(number: str) -> str:
    """Validate an 11-digit string; return it or raise ``ValueError`` with the reason."""
    if number[9] != fodselsnummer.calc_check_digit1(number) or number[10] != fodselsnummer.calc_check_digit2(number):
        raise ValueError("invalid fødselsnummer (check digits do not match)")
    day, month = int(number[0:2]), int(number[2:4])
    if day >= 80:  # FH-nummer: an assistance number without birth date, check digits only
        return number
    dated = number
    if month > SYNTHETIC_MONTH_OFFSET:
        dated = f"{number[:2]}{month - SYNTHETIC_MONTH_OFFSET:02d}{number[4:]}"
    try:
        born = fodselsnummer.get_birth_date(dated)
    except ValidationError:
        raise ValueError("invalid fødselsnummer (no valid birth date)") from None
    if born > datetime.date.today():
        raise ValueError("invalid fødselsnummer (birth date in the future)")
    return number


def is_synthetic(number: str) -> bool:
    """True for a validated 11-digit number of Norway's synthetic test identities (month + 80).

    Such numbers can never belong to a real person; a data set whose person numbers are all of
    this kind is synthetic sample data (the report says so on its title page).
    """
    return len(number) == 11 and number.isdigit() and int(number[2:4]) > SYNTHETIC_MONTH_OFFSET


def validate_person_number(value: object) -> str:
    """Return the normalised person id, or raise ``ValueError`` saying why it is not valid.

    Parameters
    ----------
    value : object
        A ``person`` / ``beboer`` cell as read from an extract (a string).

    Returns
    -------
    str
        The 11-digit number without separators, or an already pseudonymised id trimmed.

    Raises
    ------
    ValueError
        With a reason meant for the rejected-rows file. The reason never contains the value, so
        that a mistyped fødselsnummer does not leak through the rejection report.

    Examples
    --------
    >>> validate_person_number("P-000123")
    'P-000123'
    >>> validate_person_number("1234567")
    Traceback (most recent call last):
        ...
    ValueError: looks like an incomplete fødselsnummer (7 digits, expected 11)
    """
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError("missing value")
    if _SCIENTIFIC.match(text):
        raise ValueError("number in scientific notation (an Excel number cell); format the column as text")
    if any(ch.isalpha() for ch in text):
        return text  # already pseudonymised upstream
    digits = _SEPARATORS.sub("", text)
    if not digits.isdigit():
        raise ValueError("not a fødselsnummer, D-nummer or pseudonymised id")
    if len(digits) == 10:
        return _check_eleven("0" + digits)
    if len(digits) < 11:
        raise ValueError(f"looks like an incomplete fødselsnummer ({len(digits)} digits, expected 11)")
    if len(digits) > 11:
        raise ValueError(f"too many digits for a fødselsnummer ({len(digits)}, expected 11)")
    return _check_eleven(digits)


def pseudonym_key() -> bytes:
    """Return the pseudonymisation key from :data:`KEY_ENV`, else the public :data:`DEFAULT_KEY`.

    The default key is only fit for the synthetic sample data; using it logs a warning (once per
    process) so that nobody prepares real extracts with a key printed in the documentation.
    """
    global _warned_default_key
    key = os.environ.get(KEY_ENV, "")
    if key:
        return key.encode("utf-8")
    if not _warned_default_key:
        log.warning("%s is not set: using the public sample key %r. Real data must set %s to a secret.",
                    KEY_ENV, DEFAULT_KEY, KEY_ENV)
        _warned_default_key = True
    return DEFAULT_KEY.encode("utf-8")


def key_fingerprint(key: bytes) -> str:
    """Return a short, non-reversible fingerprint of ``key``.

    Stored in the processed manifest so that processed tables made with another key are rebuilt
    instead of mixing two pseudonym spaces.
    """
    return hmac.new(key, b"prioslo key fingerprint", hashlib.sha256).hexdigest()[:12]


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Replace each normalised person id by its keyed hash.

    Parameters
    ----------
    values : pandas.Series
        Person ids as returned by :func:`validate_person_number`. Missing values stay missing.
    key : bytes
        The secret key (see :func:`pseudonym_key`). The same key gives the same pseudonym for the
        same person in every file and every run, so persons can be followed across extracts;
        another key gives unrelated pseudonyms.

    Returns
    -------
    pandas.Series
        Lower-case hex strings of :data:`PSEUDONYM_LENGTH` characters, same index as ``values``.
    """
    def digest(v: str) -> str:
        return hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]

    unique = pd.unique(values.dropna())
    mapping = {v: digest(str(v)) for v in unique}
    return values.map(mapping).astype("str")
