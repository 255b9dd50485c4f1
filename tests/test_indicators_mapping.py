"""The bydel mapping survey (§3.3.2-3.3.6): counts of bydeler per round."""

from __future__ import annotations

import pandas as pd
import pytest

from prioslo.bydeler import BYDELER
from prioslo.indicators import bydel_mapping, compute_indicators


def mapping(rows):
    """Processed ``bydel_mapping``: (bydel, round, activity house?, work activity, follow-up)."""
    df = pd.DataFrame(rows, columns=["bydel", "period", "activity_house", "work_activity", "housing_followup"])
    for col in ("ambulant_team", "rusfact", "fact", "shifted_effort", "oslo_standard"):
        df[col] = True
    df.loc[df["bydel"] == "Frogner", "fact"] = False
    return df


def value(df, indicator, group, period):
    rows = df[(df["indicator"] == indicator) & (df["group"] == group) & (df["period"] == str(period))]
    assert len(rows) == 1, f"expected one row of {indicator}/{group}/{period}, found {len(rows)}"
    return rows.iloc[0]["value"]


@pytest.fixture
def survey():
    return mapping([
        ("Alna", "2024-06", True, "ja", "stor grad"),
        ("Bjerke", "2024-06", False, "planlagt", "noen grad"),
        ("Frogner", "2024-06", True, "nei", "svært liten grad"),
        ("Alna", "2020-02", False, "nei", "svært stor grad"),
    ])


def test_oslo_counts_bydeler(survey):
    out = bydel_mapping(survey)
    assert value(out, "bydeler_mapped", "Oslo", "2024-06") == 3
    assert value(out, "bydeler_activity_house", "Oslo", "2024-06") == 2        # Alna, Frogner
    assert value(out, "bydeler_fact", "Oslo", "2024-06") == 2                  # all but Frogner
    assert value(out, "bydeler_ambulant_team", "Oslo", "2024-06") == 3
    assert value(out, "bydeler_work_activity", "Oslo", "2024-06") == 1         # Alna
    assert value(out, "bydeler_work_activity_planned", "Oslo", "2024-06") == 1  # Bjerke
    assert value(out, "bydeler_housing_followup_large", "Oslo", "2024-06") == 1  # «stor grad»
    assert value(out, "bydeler_housing_followup_some", "Oslo", "2024-06") == 1
    assert value(out, "bydeler_housing_followup_small", "Oslo", "2024-06") == 1  # «svært liten grad»
    assert value(out, "bydeler_mapped", "Oslo", "2020-02") == 1
    assert value(out, "bydeler_housing_followup_large", "Oslo", "2020-02") == 1  # «svært stor grad»


def test_bydel_groups_are_one_or_zero(survey):
    out = bydel_mapping(survey)
    assert value(out, "bydeler_activity_house", "Alna", "2024-06") == 1
    assert value(out, "bydeler_activity_house", "Bjerke", "2024-06") == 0
    assert value(out, "bydeler_activity_house", "Alna", "2020-02") == 0
    # Every bydel has a «mapped» row (0 = did not answer) ...
    mapped = out[(out["indicator"] == "bydeler_mapped") & (out["period"] == "2024-06")]
    assert set(mapped["group"]) == {"Oslo", *BYDELER}
    assert value(out, "bydeler_mapped", "Grorud", "2024-06") == 0
    # ... but a bydel that did not answer has no answer rows (unknown, not «nei»).
    assert out[(out["indicator"] == "bydeler_activity_house") & (out["group"] == "Grorud")].empty


def test_text_yes_no_is_accepted(survey):
    as_text = survey.assign(activity_house=survey["activity_house"].map({True: "ja", False: "nei"}))
    pd.testing.assert_frame_equal(bydel_mapping(as_text), bydel_mapping(survey))


def test_from_to_keeps_rounds_by_year(survey):
    out = compute_indicators({"bydel_mapping": survey}, period_from=2021)
    assert set(out["period"]) == {"2024-06"}
    out = compute_indicators({"bydel_mapping": survey}, period_to=2020)
    assert set(out["period"]) == {"2020-02"}


def test_input_not_modified_and_empty(survey):
    before = survey.copy(deep=True)
    bydel_mapping(survey)
    pd.testing.assert_frame_equal(survey, before)
    assert bydel_mapping(survey.iloc[0:0]).empty
