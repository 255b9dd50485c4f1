"""Bydel life-quality indicators (§3.1) on hand-made answers; expectations worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from prioslo.indicators import compute_indicators, life_quality

DECLINE = None


def answers(rows):
    """Processed ``life_quality_bydel``: rows of (bydel, date, answer or DECLINE)."""
    df = pd.DataFrame(rows, columns=["bydel", "date", "answer"])
    df.insert(0, "answer_id", [f"a{i}" for i in range(len(df))])
    df.insert(1, "person_id", [f"p{i}" for i in range(len(df))])
    df["date"] = pd.to_datetime(df["date"])
    df.insert(4, "year", df["date"].dt.year.astype("int64"))
    df["declined"] = df["answer"].isna()
    df["answer"] = pd.array(df["answer"], dtype="Int64")
    return df


def value(df, indicator, group, period):
    rows = df[(df["indicator"] == indicator) & (df["group"] == group) & (df["period"] == str(period))]
    assert len(rows) == 1, f"expected one row of {indicator}/{group}/{period}, found {len(rows)}"
    return rows.iloc[0]


def absent(df, indicator, group, period):
    return df[(df["indicator"] == indicator) & (df["group"] == group) & (df["period"] == str(period))].empty


@pytest.fixture
def lq():
    return answers([
        # Alna 2023: 1, 3 and a decline.
        ("Alna", "2023-03-01", 1), ("Alna", "2023-04-01", 3), ("Alna", "2023-05-01", DECLINE),
        # Bjerke 2023: four sixes.
        *[("Bjerke", f"2023-0{m}-01", 6) for m in range(1, 5)],
        # No bydel on the row: counts in Oslo only.
        ("Uoppgitt", "2023-06-01", 2),
        # Frogner 2023: declines only.
        ("Frogner", "2023-06-01", DECLINE),
        # Sagene: 31 December 2022 belongs to 2022.
        ("Sagene", "2022-12-31", 7),
    ])


def test_answers_declines_and_score1(lq):
    out = life_quality(lq)
    assert value(out, "life_quality_answers", "Alna", 2023)["value"] == 2     # the decline is no answer
    assert value(out, "life_quality_declined", "Alna", 2023)["value"] == 1
    assert value(out, "life_quality_score1", "Alna", 2023)["value"] == 1
    # Oslo: 2 (Alna) + 4 (Bjerke) + 1 (Uoppgitt) answers; 2 declines (Alna, Frogner).
    assert value(out, "life_quality_answers", "Oslo", 2023)["value"] == 7
    assert value(out, "life_quality_declined", "Oslo", 2023)["value"] == 2
    assert value(out, "life_quality_answers", "Uoppgitt", 2023)["value"] == 1
    # Frogner: declines only -> 0 answers, 1 declined, no mean.
    assert value(out, "life_quality_answers", "Frogner", 2023)["value"] == 0
    assert absent(out, "life_quality_mean", "Frogner", 2023)
    # A bydel without any row has no row at all (not measured, not zero).
    assert absent(out, "life_quality_answers", "Grorud", 2023)


def test_mean_excludes_declines_and_oslo_weights_by_answers(lq):
    out = life_quality(lq)
    alna = value(out, "life_quality_mean", "Alna", 2023)
    assert (alna["value"], alna["numerator"], alna["denominator"]) == (2.0, 4, 2)  # (1 + 3) / 2
    assert value(out, "life_quality_mean", "Bjerke", 2023)["value"] == 6
    # Oslo: (1 + 3 + 24 + 2) / 7 = 30 / 7, over all answers including Uoppgitt.
    oslo = value(out, "life_quality_mean", "Oslo", 2023)
    assert (oslo["numerator"], oslo["denominator"]) == (30, 7)
    assert oslo["value"] == pytest.approx(30 / 7)


def test_mean_of_bydel_means_differs_from_oslo_mean(lq):
    out = life_quality(lq)
    # Bydel means with >= 1 answer: Alna 2, Bjerke 6 (Uoppgitt is no bydel) -> (2 + 6) / 2 = 4,
    # while the Oslo mean over all answers is 30 / 7 = 4.29.
    mom = value(out, "life_quality_mean_of_bydel_means", "Oslo", 2023)
    assert mom["value"] == 4.0
    assert pd.isna(mom["numerator"]) and pd.isna(mom["denominator"])
    assert value(out, "life_quality_mean", "Oslo", 2023)["value"] != pytest.approx(4.0)
    assert absent(out, "life_quality_mean_of_bydel_means", "Alna", 2023)
    # Bydeler reporting: Alna and Bjerke (Frogner only declined, Uoppgitt is no bydel).
    assert value(out, "life_quality_bydeler_reporting", "Oslo", 2023)["value"] == 2


def test_share_score1(lq):
    out = life_quality(lq)
    alna = value(out, "life_quality_share_score1", "Alna", 2023)
    assert (alna["value"], alna["numerator"], alna["denominator"]) == (0.5, 1, 2)
    oslo = value(out, "life_quality_share_score1", "Oslo", 2023)
    assert (oslo["numerator"], oslo["denominator"]) == (1, 7)
    assert value(out, "life_quality_share_score1", "Bjerke", 2023)["value"] == 0


def test_period_is_year_of_date(lq):
    out = life_quality(lq)
    assert value(out, "life_quality_mean", "Sagene", 2022)["value"] == 7
    assert value(out, "life_quality_answers", "Oslo", 2022)["value"] == 1
    assert value(out, "life_quality_bydeler_reporting", "Oslo", 2022)["value"] == 1
    only_2022 = compute_indicators({"life_quality_bydel": lq}, period_from=2022, period_to=2022)
    assert set(only_2022["period"]) == {"2022"}


def test_input_not_modified_and_empty_table(lq):
    before = lq.copy(deep=True)
    life_quality(lq)
    pd.testing.assert_frame_equal(lq, before)
    assert life_quality(lq.iloc[0:0]).empty
    assert compute_indicators({"life_quality_bydel": lq.iloc[0:0]}).empty
