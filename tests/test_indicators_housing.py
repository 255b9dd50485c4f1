"""Housing stock indicators (§3.4.2): rental homes, co-located homes, mapped need."""

from __future__ import annotations

import pandas as pd

from prioslo.indicators import colocated_need, colocated_units, compute_indicators, rental_units
from prioslo.indicators.housing import rental_period


def value(df, indicator, group, period):
    rows = df[(df["indicator"] == indicator) & (df["group"] == group) & (df["period"] == str(period))]
    assert len(rows) == 1, f"expected one row of {indicator}/{group}/{period}, found {len(rows)}"
    return rows.iloc[0]["value"]


def test_rental_period_rule():
    dates = pd.to_datetime(pd.Series(["2020-01-01", "2020-12-31", "2021-01-02"]))
    # «per 1.1.2020» is the end of 2019 (Tabell 3); 31.12.2020 is 2020; 2.1.2021 is 2021.
    assert rental_period(dates).tolist() == [2019, 2020, 2021]


def test_rental_units_latest_date_in_period_wins():
    rental = pd.DataFrame({
        "date": pd.to_datetime(["2020-01-01", "2020-12-31", "2021-06-30", "2022-01-01"]),
        "units": [11384, 11500, 11450, 11600],
    })
    before = rental.copy()
    out = rental_units(rental)
    pd.testing.assert_frame_equal(rental, before)
    assert value(out, "rental_units", "Oslo", 2019) == 11384
    assert value(out, "rental_units", "Oslo", 2020) == 11500
    # 30.6.2021 and 1.1.2022 both belong to 2021: the later one (11 600) wins.
    assert value(out, "rental_units", "Oslo", 2021) == 11600
    assert len(out) == 3


def test_colocated_units_by_bydel_and_oslo():
    colocated = pd.DataFrame({
        "bydel": ["Alna", "Bjerke", "Uoppgitt", "Alna"],
        "period": ["2023-06", "2023-06", "2023-06", "2024-06"],
        "units": [10, 12, 3, 11],
        "remark": [None, None, "Sentrum", None],
    })
    out = colocated_units(colocated)
    assert value(out, "colocated_units", "Oslo", "2023-06") == 25      # 10 + 12 + 3
    assert value(out, "colocated_units", "Uoppgitt", "2023-06") == 3
    assert value(out, "colocated_units", "Bjerke", "2023-06") == 12
    assert value(out, "colocated_units", "Oslo", "2024-06") == 11
    # Stock counts get no zero rows for bydeler that did not report.
    assert out[(out["group"] == "Grorud")].empty


def test_colocated_need():
    need = pd.DataFrame({"period": ["2022-11", "2024-11"], "units": [300, 420], "remark": [None, None]})
    out = colocated_need(need)
    assert value(out, "colocated_need", "Oslo", "2022-11") == 300
    assert value(out, "colocated_need", "Oslo", "2024-11") == 420


def test_rounds_filtered_by_their_year():
    colocated = pd.DataFrame({"bydel": ["Alna"] * 3, "period": ["2020-02", "2022-06", "2024-06"],
                              "units": [1, 2, 3], "remark": [None] * 3})
    out = compute_indicators({"colocated_housing": colocated}, period_from=2021, period_to=2023)
    assert sorted(out["period"].unique()) == ["2022-06"]
