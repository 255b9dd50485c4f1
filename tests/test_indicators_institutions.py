"""Institution life quality (§3.2.4) and institution places on hand-made rows."""

from __future__ import annotations

import pandas as pd
import pytest

from prioslo.indicators import institution_life_quality, institution_places


def surveys(rows):
    """Processed ``life_quality_institution``: rows of (person, operator, category, answer or None)."""
    df = pd.DataFrame(rows, columns=["person_id", "operator", "category", "answer"])
    df.insert(0, "answer_id", [f"s{i}" for i in range(len(df))])
    df.insert(2, "institution", "Inst")
    df["date"] = pd.Timestamp("2023-09-01")
    df["year"] = 2023
    df["answer"] = pd.array(df["answer"], dtype="Int64")
    return df


def value(df, indicator, group, period=2023):
    rows = df[(df["indicator"] == indicator) & (df["group"] == group) & (df["period"] == str(period))]
    assert len(rows) == 1, f"expected one row of {indicator}/{group}/{period}, found {len(rows)}"
    return rows.iloc[0]["value"]


@pytest.fixture
def lq():
    return surveys([
        # Municipal coping units: p1 answers 1 and 4, p2 completes the survey but skips the question.
        ("p1", "kommunal", "Mestringsenheter", 1),
        ("p1", "kommunal", "Mestringsenheter", 4),
        ("p2", "kommunal", "Mestringsenheter", None),
        # Municipal care centre: p3 answers 5.
        ("p3", "kommunal", "Omsorgssentre", 5),
        # Non-profit resource centre: p1 and p4 answer 3.
        ("p1", "ideell", "Ressurssentre", 3),
        ("p4", "ideell", "Ressurssentre", 3),
    ])


def test_category_group(lq):
    out = institution_life_quality(lq)
    g = "kommunal: Mestringsenheter"
    assert value(out, "institution_life_quality_completed", g) == 3
    assert value(out, "institution_life_quality_answers", g) == 2
    assert value(out, "institution_life_quality_mean", g) == 2.5          # (1 + 4) / 2
    assert value(out, "institution_life_quality_score1", g) == 1
    assert value(out, "institution_life_quality_share_score1", g) == 0.5
    assert value(out, "institution_life_quality_respondents", g) == 1     # p1; p2 did not answer


def test_operator_groups(lq):
    out = institution_life_quality(lq)
    assert value(out, "institution_life_quality_completed", "kommunal") == 4
    assert value(out, "institution_life_quality_answers", "kommunal") == 3
    assert value(out, "institution_life_quality_mean", "kommunal") == pytest.approx(10 / 3)  # (1+4+5)/3
    assert value(out, "institution_life_quality_respondents", "kommunal") == 2               # p1, p3
    assert value(out, "institution_life_quality_mean", "ideell") == 3
    assert value(out, "institution_life_quality_respondents", "ideell") == 2                 # p1, p4


def test_oslo_group(lq):
    out = institution_life_quality(lq)
    assert value(out, "institution_life_quality_completed", "Oslo") == 6
    assert value(out, "institution_life_quality_answers", "Oslo") == 5
    assert value(out, "institution_life_quality_mean", "Oslo") == pytest.approx(16 / 5)      # 1+4+5+3+3
    assert value(out, "institution_life_quality_share_score1", "Oslo") == pytest.approx(1 / 5)
    # p1 answered in both operators but is one person in Oslo: p1, p3, p4.
    assert value(out, "institution_life_quality_respondents", "Oslo") == 3
    row = out[(out["indicator"] == "institution_life_quality_mean") & (out["group"] == "Oslo")].iloc[0]
    assert (row["numerator"], row["denominator"]) == (16, 5)


def test_no_mean_without_answers():
    out = institution_life_quality(surveys([("p1", "ideell", "Omsorgssentre", None)]))
    assert value(out, "institution_life_quality_completed", "ideell: Omsorgssentre") == 1
    assert value(out, "institution_life_quality_answers", "ideell: Omsorgssentre") == 0
    assert out[out["indicator"] == "institution_life_quality_mean"].empty


def test_places():
    places = pd.DataFrame({
        "category": ["Forsterket bo- og behandling", "Mestringsenheter", "Omsorgssentre", "Mestringsenheter"],
        "operator": ["kommunal", "kommunal", "ideell", "kommunal"],
        "year": [2023, 2023, 2023, 2022],
        "places": [28, 109, 80, 100],
    })
    before = places.copy()
    out = institution_places(places)
    pd.testing.assert_frame_equal(places, before)
    assert value(out, "institution_places", "Oslo") == 217          # 28 + 109 + 80
    assert value(out, "institution_places", "kommunal") == 137
    assert value(out, "institution_places", "ideell") == 80
    assert value(out, "institution_places", "kommunal: Forsterket bo- og behandling") == 28
    assert value(out, "institution_places", "Oslo", 2022) == 100


def test_group_order_and_input_unchanged(lq):
    before = lq.copy(deep=True)
    out = institution_life_quality(lq)
    pd.testing.assert_frame_equal(lq, before)
    groups = out[out["indicator"] == "institution_life_quality_completed"]["group"].tolist()
    assert groups == ["Oslo", "kommunal", "kommunal: Mestringsenheter", "kommunal: Omsorgssentre",
                      "ideell", "ideell: Ressurssentre"]
