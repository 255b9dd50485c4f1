"""Housing stock indicators (§3.4.2, Tabell 3 and 4): co-located homes, rental homes, mapped need.

Stock counts describe a point in time (data contract, «Stock counts»): a reporting round keeps
its ``yyyy-mm``; a count «per 1.1.Y» belongs to the end of Y-1. None is sensitive.
"""

from __future__ import annotations

import logging

import pandas as pd

from prioslo import schema
from prioslo.bydeler import OSLO
from prioslo.indicators.groups import aggregate, concat_long, require_columns, to_long

log = logging.getLogger(__name__)


def colocated_units(colocated: pd.DataFrame) -> pd.DataFrame:
    """Count co-located homes with a staffed base (``colocated_units``, Tabell 4).

    Per bydel as reported, ``Uoppgitt`` when such rows exist, and Oslo = the sum over all rows
    of the round. Period = the round ``yyyy-mm``. Bydeler that did not report get no row.

    Parameters
    ----------
    colocated : DataFrame
        Processed ``colocated_housing`` table (``bydel``, ``period``, ``units``).
    """
    require_columns(colocated, schema.SAMLOKALISERTE_BOLIGER.table, ("bydel", "period", "units"))
    units = colocated[["bydel"]].assign(period=colocated["period"].astype("str"),
                                        units=colocated["units"].astype("float64"))
    agg = aggregate(units, ("oslo", "bydel"), units=("units", "sum"))
    return concat_long([to_long(agg, "colocated_units", "units")])


def rental_period(dates: pd.Series) -> pd.Series:
    """Return the year a rental-home count date belongs to: the year of the day before.

    Why: Tabell 3 labels the 11 384 homes «per 01.01.2020» as 2019 — a count at the start of a
    year is the stock at the end of the previous one (contract, «Stock counts»). 31.12.2023 is 2023.
    """
    return (dates - pd.Timedelta(days=1)).dt.year


def rental_units(rental: pd.DataFrame) -> pd.DataFrame:
    """Count municipal rental homes (``rental_units``, Tabell 3), group Oslo.

    Period = :func:`rental_period` of the count date; when several dates fall in one period the
    latest date wins (the count closest to the year end).

    Parameters
    ----------
    rental : DataFrame
        Processed ``rental_housing`` table (``date``, ``units``).
    """
    require_columns(rental, schema.KOMMUNALE_UTLEIEBOLIGER.table, ("date", "units"))
    rows = pd.DataFrame({"date": rental["date"], "period": rental_period(rental["date"]),
                         "units": rental["units"].astype("float64")}).dropna(subset=["date"])
    latest = rows.sort_values(["period", "date"], kind="stable").drop_duplicates("period", keep="last")
    latest = latest.assign(group=OSLO, period=latest["period"].astype("int64"))
    return concat_long([to_long(latest, "rental_units", "units")])


def colocated_need(need: pd.DataFrame) -> pd.DataFrame:
    """The mapped need for co-located homes with a staffed base (``colocated_need``), group Oslo.

    From the optional ``boligbehov`` extract (boligbehovskartlegging, §3.4.2: «Behovet for antall
    samlokaliserte boliger med personalbase har i perioden økt mye mer enn ...»). Period = the
    round ``yyyy-mm``; several rows of one round are summed.

    Parameters
    ----------
    need : DataFrame
        Processed ``housing_need`` table (``period``, ``units``).
    """
    require_columns(need, schema.BOLIGBEHOV.table, ("period", "units"))
    units = pd.DataFrame({"period": need["period"].astype("str"), "units": need["units"].astype("float64")})
    agg = aggregate(units, ("oslo",), units=("units", "sum"))
    return concat_long([to_long(agg, "colocated_need", "units")])
