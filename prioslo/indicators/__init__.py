"""Indicator definitions: processed tables in, one long indicator frame out.

Each module holds the indicators of one extract (:mod:`.life_quality`, :mod:`.institutions`,
:mod:`.stays`, :mod:`.housing`, :mod:`.mapping`); :mod:`.groups` holds the shared rules
(person-to-bydel attribution, group order, zero rows). :func:`compute_indicators` runs them all.

The long format (data contract, «Outputs»): ``indicator, group, period, value, numerator,
denominator``. Every id is described in :data:`prioslo.catalogue.INDICATORS`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import pandas as pd

from prioslo.errors import PriosloError
from prioslo.indicators.groups import COLUMNS, concat_long, empty_long, sort_long
from prioslo.indicators.housing import colocated_need, colocated_units, rental_units
from prioslo.indicators.institutions import institution_life_quality, institution_places
from prioslo.indicators.life_quality import life_quality
from prioslo.indicators.mapping import bydel_mapping
from prioslo.indicators.stays import (
    admissions,
    immediate_discharges_violence,
    moves_to_housing,
    residents,
    stay_indicators,
    stay_years,
    ten_plus,
)

log = logging.getLogger(__name__)

__all__ = [
    "COLUMNS", "compute_indicators", "filter_periods", "admissions", "residents", "ten_plus",
    "immediate_discharges_violence", "moves_to_housing", "stay_indicators", "life_quality",
    "institution_life_quality", "institution_places", "colocated_units", "rental_units",
    "colocated_need", "bydel_mapping",
]

OPTIONAL_TABLES = frozenset({"housing_need"})
"""Tables whose absence is normal (an optional extract): skipped with an info message, not a warning."""


def _years_between(years: list[int], period_from: int | None, period_to: int | None) -> list[int]:
    return [y for y in years if (period_from is None or y >= period_from) and (period_to is None or y <= period_to)]


def filter_periods(indicators: pd.DataFrame, period_from: int | None = None,
                   period_to: int | None = None) -> pd.DataFrame:
    """Keep the rows whose period's year lies in ``[period_from, period_to]`` (bounds optional).

    A round ``"2024-06"`` is judged by its year (``--from/--to`` of the command line).
    """
    if period_from is None and period_to is None:
        return indicators
    year = indicators["period"].astype("str").str[:4].astype("int64")
    keep = pd.Series(True, index=indicators.index)
    if period_from is not None:
        keep &= year >= period_from
    if period_to is not None:
        keep &= year <= period_to
    return indicators[keep].reset_index(drop=True)


def compute_indicators(tables: Mapping[str, pd.DataFrame], period_from: int | None = None,
                       period_to: int | None = None) -> pd.DataFrame:
    """Compute every indicator from the processed tables.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Processed table name (``stays``, ``life_quality_bydel``, ``life_quality_institution``,
        ``colocated_housing``, ``rental_housing``, ``institution_places``, ``bydel_mapping``,
        ``housing_need``) -> processed frame. An absent table (or ``None``) skips its
        indicators with a log warning; an empty table gives no rows.
    period_from, period_to : int, optional
        First and last year to keep (rounds ``yyyy-mm`` by their year); default all.

    Returns
    -------
    DataFrame
        Columns ``indicator, group, period, value, numerator, denominator`` (period as text),
        sorted by indicator (catalogue order), group (Oslo, bydeler in report order,
        ``Uoppgitt``, institution groups) and period. Inputs are not modified.

    Raises
    ------
    PriosloError
        When ``period_from`` is after ``period_to``, or a table lacks a processed column.
    """
    if period_from is not None and period_to is not None and period_from > period_to:
        raise PriosloError(f"--from {period_from} is after --to {period_to}")

    def stays_rows(stays: pd.DataFrame) -> pd.DataFrame:
        years = _years_between(stay_years(stays), period_from, period_to)
        return stay_indicators(stays, years)

    steps: list[tuple[str, Callable[[pd.DataFrame], pd.DataFrame]]] = [
        ("life_quality_bydel", life_quality),
        ("stays", stays_rows),
        ("life_quality_institution", institution_life_quality),
        ("institution_places", institution_places),
        ("bydel_mapping", bydel_mapping),
        ("colocated_housing", colocated_units),
        ("housing_need", colocated_need),
        ("rental_housing", rental_units),
    ]
    frames = []
    for table, compute in steps:
        frame = tables.get(table)
        if frame is None:
            if table in OPTIONAL_TABLES:
                log.info("optional table '%s' is absent: its indicators are not computed", table)
            else:
                log.warning("table '%s' is absent: its indicators are skipped", table)
            continue
        if frame.empty:
            log.info("table '%s' is empty: no indicators from it", table)
            continue
        frames.append(compute(frame))
    if not frames:
        return empty_long()
    out = filter_periods(concat_long(frames), period_from, period_to)
    return sort_long(out[list(COLUMNS)])
