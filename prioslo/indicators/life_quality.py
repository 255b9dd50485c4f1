"""Life quality measured by bydel staff (§3.1, Figur 2): «Hvor fornøyd er du med livet ditt, samlet sett?».

Answers 1-7, or a decline («Ønsker ikke å svare», an option since 2022). Each answer goes to the
bydel written on its row; Oslo includes the ``Uoppgitt`` rows. Period = the year of the answer
date. The input is the processed ``life_quality_bydel`` table (:data:`prioslo.schema.LIVSKVALITET_BYDEL`).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from prioslo import schema
from prioslo.bydeler import BYDELER, OSLO
from prioslo.indicators.groups import aggregate, concat_long, require_columns, to_long

log = logging.getLogger(__name__)

TABLE = schema.LIVSKVALITET_BYDEL.table
COLUMNS = ("person_id", "bydel", "date", "answer", "declined")


def answer_units(answers: pd.DataFrame, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Return the columns the life-quality aggregations need, without touching the input.

    ``value`` (float, NaN when there is no numeric answer), ``is_answer``, ``is_score1`` and
    ``period`` (the year of ``date``), plus ``columns`` copied from ``answers``.
    """
    value = pd.array(answers["answer"], dtype="Float64").to_numpy(dtype="float64", na_value=np.nan)
    units = answers[list(columns)].copy() if columns else pd.DataFrame(index=answers.index)
    units = units.assign(
        period=answers["date"].dt.year.to_numpy(dtype="float64", na_value=np.nan),
        value=value,
        is_answer=~np.isnan(value),
        is_score1=value == 1,
    )
    undated = int(units["period"].isna().sum())
    if undated:  # ingestion rejects rows without a date, so this only guards hand-made frames
        log.warning("%d life-quality row(s) without a date are left out", undated)
        units = units.dropna(subset=["period"])
    return units.astype({"period": "int64"})


def life_quality(answers: pd.DataFrame) -> pd.DataFrame:
    """Compute the bydel life-quality indicators of §3.1.

    * ``life_quality_answers``: numeric answers (declines excluded); ``life_quality_declined``:
      declines (report 2024: 1 124 answers, 57 declined); ``life_quality_score1``: answers = 1;
    * ``life_quality_mean``: mean of the numeric answers (numerator = their sum, denominator =
      their number). The Oslo mean is over ALL answers, weighted by answers (contract), not the
      mean of bydel means;
    * ``life_quality_share_score1`` = score1 / answers (target: under 10 %);
    * ``life_quality_mean_of_bydel_means`` (Oslo only): the unweighted mean of the bydel means
      (bydeler with >= 1 answer, ``Uoppgitt`` excluded) — the report quotes «et gjennomsnitt for
      alle bydelene på 3,9» beside Figur 2, so it is shown to explain why the two differ;
      numerator and denominator are left empty (it is not a mean of answers);
    * ``life_quality_bydeler_reporting`` (Oslo only): bydeler with >= 1 numeric answer (report:
      12, 13 and 15 in 2022-2024).

    Groups: Oslo, each bydel and ``Uoppgitt`` that has rows in the year. A bydel that collected
    no data has no row (a blank cell in Figur 2, not a zero); means and shares exist only where
    there is at least one numeric answer.

    Parameters
    ----------
    answers : DataFrame
        Processed ``life_quality_bydel`` table.

    Returns
    -------
    DataFrame
        Long rows; the input is not modified.
    """
    require_columns(answers, TABLE, COLUMNS)
    units = answer_units(answers, ("bydel", "declined"))
    units["declined"] = units["declined"].fillna(False).astype(bool)
    agg = aggregate(units, ("oslo", "bydel"), answers=("is_answer", "sum"), declined=("declined", "sum"),
                    score1=("is_score1", "sum"), total=("value", "sum"))
    agg = agg.assign(mean=agg["total"] / agg["answers"].where(agg["answers"] > 0),
                     share=agg["score1"] / agg["answers"].where(agg["answers"] > 0))
    rated = agg[agg["answers"] > 0]

    bydel_means = rated[rated["group"].isin(BYDELER)]
    per_year = bydel_means.groupby("period").agg(mean=("mean", "mean"), n=("mean", "size")).reset_index()
    per_year.insert(0, "group", OSLO)
    reporting = agg.loc[agg["group"] == OSLO, ["group", "period"]].merge(
        per_year[["period", "n"]], on="period", how="left").fillna({"n": 0})

    return concat_long([
        to_long(agg, "life_quality_answers", "answers"),
        to_long(agg, "life_quality_declined", "declined"),
        to_long(agg, "life_quality_score1", "score1"),
        to_long(rated, "life_quality_mean", "mean", "total", "answers"),
        to_long(rated, "life_quality_share_score1", "share", "score1", "answers"),
        to_long(per_year, "life_quality_mean_of_bydel_means", "mean"),
        to_long(reporting, "life_quality_bydeler_reporting", "n"),
    ])
