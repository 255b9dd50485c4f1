"""Synthetic processed ``stays`` tables of any size, for timing the indicators (not for the report).

The shipped sample (``prioslo synth``) is calibrated to the final report's numbers and has some
34 000 stays; a real multi-year extract can hold millions. This module draws a processed stays
table (the columns and dtypes ``prioslo prepare`` writes) of ``n`` rows with numpy, in seconds
even for 10^7 rows, with the features that drive the indicators' cost: about six stays per
person, a heavy tail of persons with ten or more admissions a year, stays across new year and
still-open stays, moves between bydeler, discharges for violence and moves to own home.

The frame is cached as Parquet per (rows, seed), so repeated benchmark runs read it instead of
drawing it again; reading it gives the dtypes a real processed table has (``str`` text columns).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from prioslo import schema
from prioslo.bydeler import BYDELER, UNSPECIFIED

CACHE_DIR = Path(tempfile.gettempdir()) / "prioslo-bench"
FIRST_DAY = np.datetime64("2015-01-01", "D")
LAST_DAY = np.datetime64("2024-12-31", "D")
REASONS = ("Planlagt utskrivning", "Avbrutt av beboer", "Overført til annen institusjon",
           schema.DISCHARGE_VIOLENCE, "Utskrevet – brudd på husreglene", "Annet")
REASON_WEIGHTS = (0.46, 0.25, 0.18, 0.05, 0.04, 0.02)
DESTINATIONS = ("Annen institusjon", "Familie eller venner", "Midlertidig botilbud", "Ukjent",
                schema.MOVE_TO_OWN_HOME, "Gaten", "Fengsel", "Annet")
DESTINATION_WEIGHTS = (0.32, 0.15, 0.15, 0.12, 0.11, 0.07, 0.04, 0.04)


def _text(values: np.ndarray, codes: np.ndarray) -> pd.Series:
    """A ``str`` Series of ``values[codes]`` (code -1 = missing), built without Python loops."""
    return pd.Series(pd.Categorical.from_codes(codes, categories=list(values))).astype("str")


def _hex_ids(numbers: np.ndarray) -> pd.Series:
    """16-character lower-case hex text of uint64 numbers (like pseudonymised person ids)."""
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    nibbles = ((numbers[:, None] >> shifts) & np.uint64(15)).astype(np.uint8)
    raw = digits[nibbles].reshape(-1).view("S16")
    return pd.Series(raw.astype("U16"), dtype="str")


def synthetic_stays(n: int, seed: int = 2024) -> pd.DataFrame:
    """Return ``n`` synthetic stays in the processed layout (:data:`prioslo.schema.OPPHOLD`).

    Parameters
    ----------
    n : int
        Number of stays.
    seed : int
        Random seed: the same ``(n, seed)`` gives the same frame.
    """
    rng = np.random.default_rng(seed)
    persons = max(n // 6, 1)
    # 90 % of the stays spread over everybody, 10 % over a heavy 1 % (the ten-plus candidates)
    heavy = max(persons // 100, 1)
    person = np.where(rng.random(n) < 0.9, rng.integers(0, persons, n), rng.integers(0, heavy, n))
    person_key = rng.permutation(persons).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    sex = rng.integers(0, 2, persons)
    birth = rng.integers(1940, 2006, persons)
    home = rng.integers(0, len(BYDELER) + 1, persons)

    # admissions spread over 2015-2024; a few long stays across years; 2 % still open
    day = FIRST_DAY + rng.integers(0, int((LAST_DAY - FIRST_DAY).astype(np.int64)) + 1, n).astype("timedelta64[D]")
    length = np.minimum(rng.exponential(25, n).astype(np.int64) + 1, 3000)
    discharged = day + length.astype("timedelta64[D]")
    open_stay = (rng.random(n) < 0.02) | (discharged > LAST_DAY)
    order = np.argsort(day, kind="stable")  # stay ids in admission order, as a register numbers them

    bydel = np.where(rng.random(n) < 0.85, home[person], rng.integers(0, len(BYDELER) + 1, n))
    pairs = [(op, cat) for op, cats in schema.CATEGORIES.items() for cat in cats]
    pair = rng.integers(0, len(pairs), n)
    reason = rng.choice(len(REASONS), n, p=REASON_WEIGHTS)
    destination = rng.choice(len(DESTINATIONS), n, p=DESTINATION_WEIGHTS)

    frame = pd.DataFrame({
        "stay_id": pd.Series(np.char.add("OP", np.char.zfill(np.arange(1, n + 1).astype("U10"), 9)), dtype="str"),
        "person_id": _hex_ids(person_key[person[order]]),
        "sex": _text(np.array(["K", "M"]), sex[person[order]]),
        "birth_year": birth[person[order]].astype("int64"),
        "bydel": _text(np.array([*BYDELER, UNSPECIFIED]), bydel[order]),
        "institution": _text(np.array([f"{cat.split(',')[0].split(' ')[0]} {2 * j + k}"
                                       for j, (op, cat) in enumerate(pairs) for k in (1, 2)]),
                             pair[order] * 2 + (order % 2)),
        "category": _text(np.array(schema.ALL_CATEGORIES),
                          np.array([schema.ALL_CATEGORIES.index(cat) for _, cat in pairs])[pair[order]]),
        "operator": _text(np.array(schema.OPERATORS),
                          np.array([schema.OPERATORS.index(op) for op, _ in pairs])[pair[order]]),
        "admitted": day[order].astype("datetime64[us]"),
        "discharged": np.where(open_stay, np.datetime64("NaT"), discharged)[order].astype("datetime64[us]"),
        "discharge_reason": _text(np.array(REASONS), np.where(open_stay, -1, reason)[order]),
        "discharged_to": _text(np.array(DESTINATIONS), np.where(open_stay, -1, destination)[order]),
    })
    return frame


def cached_stays(n: int, seed: int = 2024, cache_dir: Path | None = None) -> Path:
    """Return the Parquet file of :func:`synthetic_stays` ``(n, seed)``, drawing it the first time."""
    folder = Path(cache_dir or CACHE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"stays-{n}-{seed}.parquet"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        synthetic_stays(n, seed).to_parquet(tmp, index=False)
        tmp.replace(path)
    return path
