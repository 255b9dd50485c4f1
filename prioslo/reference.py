"""Reconcile computed indicators with the numbers the final report printed.

``data/raw/published/reference.csv`` holds one row per number of the PRIOslo final report that
data can produce (see the README beside it). :func:`reconcile` looks each of them up in a long
indicator frame, rounds the computed value the way the report prints it (half up, at the printed
precision, a share shown as percent) and says whether they agree. For the handful of printed
numbers no data can give (a mean of 23 answers that no whole-number sum produces, a percentage
over the wrong denominator) it reports how far the computed value is from the print and whether
it is the closest value arithmetic allows.

Why: the shipped synthetic sample is calibrated to the report, so reconciling it checks the whole
chain (reading, cleaning, definitions) against published numbers; on real extracts the same table
shows an analyst where this year's computation departs from what was published.
"""

from __future__ import annotations

import logging
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from prioslo import bydeler, paths
from prioslo.errors import InputError

log = logging.getLogger(__name__)

REFERENCE_FILE = "reference.csv"
"""The published numbers; the report's traffic lights (``published_status.csv``) are read by
:func:`prioslo.scorecard.read_published_status`."""

UNITS = ("count", "mean", "percent", "bydel_count", "absent")
"""Units of a reference row (see ``data/raw/published/README.md``)."""

REFERENCE_COLUMNS = ("source", "indicator", "group", "period", "condition", "printed", "value", "unit",
                     "decimals", "reproducible", "closest", "note")

RESULT_COLUMNS = ("computed", "computed_rounded", "match", "distance", "matches_closest")
"""Columns :func:`reconcile` adds to the reference rows."""

_RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$")
_COMPARE = re.compile(r"^\s*(==|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")


def load_reference(published_dir: Path | str | None = None) -> pd.DataFrame:
    """Read the published reference numbers.

    Parameters
    ----------
    published_dir : path, optional
        Folder holding ``reference.csv``; default :data:`prioslo.paths.PUBLISHED_DIR`.

    Returns
    -------
    pandas.DataFrame
        One row per printed number, columns :data:`REFERENCE_COLUMNS`. ``period`` and ``printed``
        are text, ``value`` and ``closest`` floats (NaN where empty), ``decimals`` a nullable
        integer, ``reproducible`` a bool.
    """
    path = Path(published_dir or paths.PUBLISHED_DIR) / REFERENCE_FILE
    if not path.is_file():
        raise InputError(str(path), "published reference file not found")
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in REFERENCE_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(path.name, f"missing column(s) {', '.join(missing)}")
    bad = ~frame["unit"].isin(UNITS)
    if bad.any():
        row = int(bad.to_numpy().argmax()) + 2
        raise InputError(path.name, f"unknown unit {frame.loc[bad, 'unit'].iloc[0]!r}", row=row, column="unit")
    out = frame[list(REFERENCE_COLUMNS)].copy()
    out["value"] = pd.to_numeric(out["value"].replace("", None), errors="raise").astype(float)
    out["closest"] = pd.to_numeric(out["closest"].replace("", None), errors="raise").astype(float)
    out["decimals"] = pd.to_numeric(out["decimals"].replace("", None)).astype("Int64")
    out["reproducible"] = out["reproducible"].str.strip().str.lower().eq("yes")
    return out


def round_half_up(value: Decimal | float, decimals: int) -> Decimal:
    """Round as the report does: half up (3,145 -> 3,15), not Python's half-to-even.

    A float is converted through its shortest repr, so ``0.1`` is taken as exactly 0,1.
    """
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return number.quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)


def _exact(row: pd.Series) -> Decimal | None:
    """The computed value as an exact decimal: numerator/denominator when both are there."""
    num, den = row.get("numerator"), row.get("denominator")
    if num is not None and den is not None and not pd.isna(num) and not pd.isna(den) and float(den) != 0:
        return Decimal(repr(float(num))) / Decimal(repr(float(den)))
    value = row.get("value")
    if value is None or pd.isna(value):
        return None
    return Decimal(repr(float(value)))


def _condition(text: str):
    """Return a predicate for a ``condition`` cell (``==0``, ``1..6``, ``>=3`` ...)."""
    found = _RANGE.match(text)
    if found:
        low, high = int(found.group(1)), int(found.group(2))
        return lambda v: low <= v <= high
    found = _COMPARE.match(text)
    if found:
        op, limit = found.group(1), float(found.group(2))
        return {"==": lambda v: v == limit, ">=": lambda v: v >= limit, "<=": lambda v: v <= limit,
                ">": lambda v: v > limit, "<": lambda v: v < limit}[op]
    raise ValueError(f"unreadable condition {text!r}")


def _lookup(indicators: pd.DataFrame) -> dict[tuple[str, str, str], pd.Series]:
    keys = zip(indicators["indicator"].astype(str), indicators["group"].astype(str),
               indicators["period"].astype(str))
    return {key: row for key, (_, row) in zip(keys, indicators.iterrows())}


def reconcile(indicators: pd.DataFrame, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Compare computed indicators with every published reference number.

    Parameters
    ----------
    indicators : pandas.DataFrame
        Long format of :func:`prioslo.indicators.compute_indicators` (``indicator``, ``group``,
        ``period``, ``value``, ``numerator``, ``denominator``; a ``suppressed`` column is allowed:
        a suppressed cell has no value and cannot match). Not modified.
    reference : pandas.DataFrame, optional
        As returned by :func:`load_reference` (the default).

    Returns
    -------
    pandas.DataFrame
        The reference rows, same order, with:

        ``computed``
            the computed value (a share times 100 for a ``percent`` row; for ``bydel_count`` the
            number of the 15 bydeler whose value meets ``condition``, a bydel without a row
            counting as 0); NaN when there is none.
        ``computed_rounded``
            ``computed`` rounded half up to ``decimals``.
        ``match``
            True when ``computed_rounded`` equals the printed value; for an ``absent`` row (a blank
            figure cell) when there is no computed value.
        ``distance``
            ``computed_rounded - value`` (0 on a match, NaN when nothing was computed).
        ``matches_closest``
            for ``reproducible = no`` rows: whether ``computed_rounded`` is the closest value
            arithmetic allows (``closest``); NA elsewhere.
    """
    reference = load_reference() if reference is None else reference
    found = _lookup(indicators)
    results: list[dict] = []
    for _, ref in reference.iterrows():
        indicator, group, period = str(ref["indicator"]), str(ref["group"]), str(ref["period"])
        unit = ref["unit"]
        computed: Decimal | None
        if unit == "bydel_count":
            test = _condition(str(ref["condition"]))
            count = 0
            for name in bydeler.BYDELER:
                row = found.get((indicator, name, period))
                value = 0.0 if row is None or pd.isna(row["value"]) else float(row["value"])
                count += bool(test(value))
            computed = Decimal(count)
        else:
            row = found.get((indicator, group, period))
            computed = None if row is None else _exact(row)
            if computed is not None and unit == "percent":
                computed *= 100
        result = {"computed": math.nan, "computed_rounded": math.nan, "match": False,
                  "distance": math.nan, "matches_closest": pd.NA}
        if unit == "absent":
            result["match"] = computed is None
            if computed is not None:
                result["computed"] = float(computed)
            results.append(result)
            continue
        if computed is None:
            results.append(result)
            continue
        decimals = int(ref["decimals"]) if not pd.isna(ref["decimals"]) else 0
        rounded = round_half_up(computed, decimals)
        printed = round_half_up(Decimal(repr(float(ref["value"]))), decimals)
        result.update(computed=float(computed), computed_rounded=float(rounded), match=rounded == printed,
                      distance=float(rounded - printed))
        if not ref["reproducible"] and not pd.isna(ref["closest"]):
            result["matches_closest"] = rounded == round_half_up(Decimal(repr(float(ref["closest"]))), decimals)
        results.append(result)
    out = reference.reset_index(drop=True).copy()
    added = pd.DataFrame(results, columns=list(RESULT_COLUMNS))
    for column in RESULT_COLUMNS:
        out[column] = added[column]
    out["match"] = out["match"].astype(bool)
    out["matches_closest"] = out["matches_closest"].astype("boolean")
    log.info("reconciled %d published numbers: %d match, %d reproducible ones do not",
             len(out), int(out["match"].sum()), int((~out["match"] & out["reproducible"]).sum()))
    return out
