"""Shared test helpers: person numbers with computed check digits, and small file writers.

Never paste a real-looking fødselsnummer into a test: :func:`make_fnr` builds one from its parts
and computes the two mod-11 check digits, preferring Norway's synthetic test numbers (month + 80),
which cannot belong to a real person.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def check_digits(nine: str) -> str | None:
    """The two mod-11 check digits of the first nine digits, or None when no valid pair exists."""
    k1 = (11 - sum(w * int(d) for w, d in zip(W1, nine))) % 11
    if k1 == 10:
        return None
    k2 = (11 - sum(w * int(d) for w, d in zip(W2, nine + str(k1)))) % 11
    if k2 == 10:
        return None
    return f"{k1}{k2}"


def make_fnr(day: int, month: int, yy: int, individual: int = 123, *, synthetic: bool = True,
             d_number: bool = False) -> str:
    """Return a valid 11-digit number for the birth date, trying individual numbers upwards.

    ``synthetic`` adds 80 to the month (Tenor test identities), ``d_number`` adds 40 to the day.
    Individual numbers 000-499 mean born 1900-1999.
    """
    dd = day + (40 if d_number else 0)
    mm = month + (80 if synthetic else 0)
    for ind in range(individual, individual + 50):
        nine = f"{dd:02d}{mm:02d}{yy:02d}{ind:03d}"
        k = check_digits(nine)
        if k is not None:
            return nine + k
    raise AssertionError("no valid check digits found")


def bad_check_digit(number: str) -> str:
    """The same number with its last check digit changed (so it is invalid)."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


@pytest.fixture
def fnr():
    """The person-number helpers: ``fnr.make(...)``, ``fnr.spoil(number)``."""
    return SimpleNamespace(make=make_fnr, spoil=bad_check_digit)


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8", sep: str = ";") -> Path:
    """Write ``lines`` (fields joined by ``|`` in the test, replaced by ``sep``) as a CSV file."""
    text = "\n".join(line.replace("|", sep) for line in lines) + "\n"
    path.write_bytes(text.encode(encoding))
    return path
