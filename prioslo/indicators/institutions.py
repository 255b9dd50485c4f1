"""Indicators of VEL's institutions: life quality of residents (§3.2.4, Figur 4-5) and places.

Groups: ``Oslo`` (all institutions), ``kommunal``, ``ideell`` and ``"<drift>: <kategori>"``
(:func:`~prioslo.indicators.groups.institution_group`), as Figur 4 and 5 show them.
"""

from __future__ import annotations

import logging

import pandas as pd

from prioslo import schema
from prioslo.indicators.groups import aggregate, concat_long, require_columns, to_long
from prioslo.indicators.life_quality import answer_units

log = logging.getLogger(__name__)

LIFE_QUALITY_TABLE = schema.LIVSKVALITET_INSTITUSJON.table
LIFE_QUALITY_COLUMNS = ("person_id", "category", "operator", "date", "answer")
PLACES_TABLE = schema.INSTITUSJONSPLASSER.table
PLACES_COLUMNS = ("category", "operator", "year", "places")

_LEVELS = ("oslo", "operator", "category")


def institution_life_quality(surveys: pd.DataFrame) -> pd.DataFrame:
    """Compute the institution life-quality indicators of §3.2.4 (scale 1-5).

    * ``institution_life_quality_completed``: completed surveys (rows; report 2023: 399 at the
      municipal institutions) — the question may be left unanswered;
    * ``institution_life_quality_answers``: rows with an answer (report: 256);
    * ``institution_life_quality_mean``: mean of the answers (numerator = sum, denominator =
      answers; report: 3,15 municipal, 3,41 non-profit);
    * ``institution_life_quality_score1`` and ``..._share_score1`` = score1 / answers (target:
      under 10 %; report: 22 persons, 5,5 % municipal);
    * ``institution_life_quality_respondents``: distinct persons among the answers (report:
      «342 ganger fordelt på 181 beboere») — not additive across groups.

    Period = year of the survey date. Means and shares only where there is an answer.

    Parameters
    ----------
    surveys : DataFrame
        Processed ``life_quality_institution`` table.

    Returns
    -------
    DataFrame
        Long rows; the input is not modified.
    """
    require_columns(surveys, LIFE_QUALITY_TABLE, LIFE_QUALITY_COLUMNS)
    units = answer_units(surveys, ("person_id", "operator", "category"))
    units["respondent"] = units["person_id"].where(units["is_answer"])
    agg = aggregate(units, _LEVELS, completed=("period", "size"), answers=("is_answer", "sum"),
                    score1=("is_score1", "sum"), total=("value", "sum"), persons=("respondent", "nunique"))
    rated = agg[agg["answers"] > 0]
    rated = rated.assign(mean=rated["total"] / rated["answers"], share=rated["score1"] / rated["answers"])
    return concat_long([
        to_long(agg, "institution_life_quality_completed", "completed"),
        to_long(agg, "institution_life_quality_answers", "answers"),
        to_long(rated, "institution_life_quality_mean", "mean", "total", "answers"),
        to_long(agg, "institution_life_quality_score1", "score1"),
        to_long(rated, "institution_life_quality_share_score1", "share", "score1", "answers"),
        to_long(agg, "institution_life_quality_respondents", "persons"),
    ])


def institution_places(places: pd.DataFrame) -> pd.DataFrame:
    """Count institution places (``institution_places``) per year (§3.2.1, Figur 4-5 «Antall plasser»).

    A stock count: Oslo (all places), ``kommunal``, ``ideell`` and ``"<drift>: <kategori>"``;
    period = the year. Not sensitive (no person data).

    Parameters
    ----------
    places : DataFrame
        Processed ``institution_places`` table.
    """
    require_columns(places, PLACES_TABLE, PLACES_COLUMNS)
    units = places[["category", "operator"]].assign(
        period=places["year"].astype("int64"), places=places["places"].astype("float64"))
    agg = aggregate(units, _LEVELS, places=("places", "sum"))
    return concat_long([to_long(agg, "institution_places", "places")])
