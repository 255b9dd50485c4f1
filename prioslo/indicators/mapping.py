"""The bydel mapping survey (bydelskartlegging, §3.3.2-3.3.6, Figur 7-9).

PRIOslo asked every bydel in February 2020 and each June 2021-2024 which services they had.
Each indicator counts bydeler: group Oslo = number of bydeler, a bydel group = 1 or 0.
Period = the round ``yyyy-mm``. Not sensitive (no person data).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from prioslo import schema
from prioslo.bydeler import BYDELER
from prioslo.indicators.groups import aggregate, concat_long, require_columns, to_long

log = logging.getLogger(__name__)

TABLE = schema.BYDELSKARTLEGGING.table

YES_NO_INDICATORS: dict[str, str] = {
    "bydeler_activity_house": "activity_house",
    "bydeler_ambulant_team": "ambulant_team",
    "bydeler_rusfact": "rusfact",
    "bydeler_fact": "fact",
    "bydeler_shifted_effort": "shifted_effort",
    "bydeler_oslo_standard": "oslo_standard",
}
"""Indicator id -> processed yes/no column (True = «ja»)."""

CHOICE_INDICATORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "bydeler_work_activity": ("work_activity", ("ja",)),
    "bydeler_work_activity_planned": ("work_activity", ("planlagt",)),
    "bydeler_housing_followup_large": ("housing_followup", ("svært stor grad", "stor grad")),
    "bydeler_housing_followup_some": ("housing_followup", ("noen grad",)),
    "bydeler_housing_followup_small": ("housing_followup", ("liten grad", "svært liten grad")),
}
"""Indicator id -> (processed column, the answers that count)."""

COLUMNS = ("bydel", "period", *YES_NO_INDICATORS.values(), "work_activity", "housing_followup")


def _yes(values: pd.Series) -> np.ndarray:
    """True where a yes/no column says yes (bool as ingestion writes it, or the text ``ja``)."""
    if pd.api.types.is_bool_dtype(values):
        return values.fillna(False).to_numpy(dtype=bool)
    return values.astype("str").str.strip().str.casefold().isin(["ja", "true", "1"]).to_numpy()


def bydel_mapping(mapping: pd.DataFrame) -> pd.DataFrame:
    """Count bydeler by their answers to the mapping survey.

    * ``bydeler_mapped``: bydeler that answered the round; every bydel gets a row (0 = did not
      answer), so a missing answer is visible;
    * ``bydeler_activity_house``, ``_ambulant_team``, ``_rusfact``, ``_fact``,
      ``_shifted_effort``, ``_oslo_standard``: bydeler answering «ja» (§3.3.2-3.3.4, 3.3.6);
    * ``bydeler_work_activity`` («ja») and ``bydeler_work_activity_planned`` («planlagt»),
      §3.3.5 («10 bydeler ... og fire har planlagt»);
    * ``bydeler_housing_followup_large`` («svært stor grad» or «stor grad»), ``_some`` («noen
      grad»), ``_small`` («liten grad» or «svært liten grad»), Figur 8.

    The answer indicators have bydel rows only for bydeler that answered the round (a bydel that
    did not answer has an unknown status, not a «nei»).

    Parameters
    ----------
    mapping : DataFrame
        Processed ``bydel_mapping`` table.
    """
    require_columns(mapping, TABLE, COLUMNS)
    units = pd.DataFrame({"bydel": mapping["bydel"].astype("str"), "period": mapping["period"].astype("str")})
    measures = {"bydeler_mapped": np.ones(len(mapping))}
    for indicator, column in YES_NO_INDICATORS.items():
        measures[indicator] = _yes(mapping[column]).astype("float64")
    for indicator, (column, accepted) in CHOICE_INDICATORS.items():
        text = mapping[column].astype("str").str.strip().str.casefold()
        measures[indicator] = text.isin(accepted).to_numpy(dtype="float64")
    units = units.assign(**measures)
    agg = aggregate(units, ("oslo", "bydel"), **{k: (k, "sum") for k in measures})

    rounds = sorted(agg["period"].unique())
    grid = pd.DataFrame([(b, p) for b in BYDELER for p in rounds], columns=["group", "period"])
    missing = grid.merge(agg[["group", "period"]], how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge").assign(bydeler_mapped=0.0)
    frames = [to_long(pd.concat([agg, missing], ignore_index=True), "bydeler_mapped", "bydeler_mapped")]
    frames += [to_long(agg, indicator, indicator) for indicator in measures if indicator != "bydeler_mapped"]
    return concat_long(frames)
