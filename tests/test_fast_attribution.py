"""The sort-free person attribution (``latest_per_pair``) and the bin counts behind the stays indicators.

Hand-made rows with the winner worked out by the rule («latest date, ties: highest stay id,
then the later row»), and a random comparison with the plain lexsort the rule is defined by.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prioslo.indicators.groups import attribute_persons, latest_per_pair, order_codes, pair_codes


def test_latest_date_wins_and_shared_dates_go_to_the_highest_stay_id():
    period = np.array([2023, 2023, 2023, 2023, 2022])
    person = np.array([7, 7, 9, 9, 7])
    day = np.array([10, 12, 30, 30, 5])  # person 9 has two stays on day 30
    stay = pd.Series(["s1", "s2", "s10", "s9", "s0"])  # as text "s9" > "s10"
    assert latest_per_pair(period, person, day, stay).tolist() == [1, 3, 4]


def test_equal_date_and_stay_id_the_later_row_wins():
    period = np.array([1, 1, 1])
    person = np.array([4, 4, 4])
    day = np.array([3, 3, 2])
    assert latest_per_pair(period, person, day, np.array([5, 5, 9])).tolist() == [1]
    assert latest_per_pair(period, person, day).tolist() == [1]


def test_sparse_person_codes_are_numbered_not_spread_out():
    person = np.array([0, 10**12, 10**12, 0])
    codes, n = pair_codes(np.array([2020, 2020, 2020, 2021]), person)
    assert n == 3  # three distinct pairs, no table of a trillion cells
    assert codes[1] == codes[2] and len({codes[0], codes[1], codes[3]}) == 3
    assert latest_per_pair(np.array([2020, 2020, 2020, 2021]), person, np.array([1, 2, 3, 4])).tolist() == [0, 2, 3]


def test_order_codes_rank_text_and_put_missing_last():
    order = pd.Series(["b", None, "a", "c"], dtype="str")
    assert order_codes(order, np.array([0, 1, 2])).tolist() == [1, 2, 0]
    assert order_codes(np.array([30, 10, 20]), np.array([2, 0])).tolist() == [20, 30]


def test_equals_the_lexsort_rule_on_random_rows():
    rng = np.random.default_rng(11)
    n = 20_000
    period = rng.integers(2015, 2020, n)
    person = rng.integers(0, 800, n)
    day = rng.integers(0, 60, n)  # many shared dates
    stay = rng.integers(0, 50, n)  # and shared stay ids
    order = np.lexsort((np.arange(n), stay, day, person, period))
    pair = period[order] * 10_000 + person[order]
    last = np.ones(n, dtype=bool)
    last[:-1] = pair[1:] != pair[:-1]
    expected = np.sort(order[last])
    assert latest_per_pair(period, person, day, stay).tolist() == expected.tolist()


def test_attribute_persons_with_times_of_day_uses_the_exact_time():
    units = pd.DataFrame({
        "person_id": ["a", "a"], "period": [2023, 2023],
        "admitted": pd.to_datetime(["2023-05-01 08:00", "2023-05-01 07:00"]),
        "stay_id": ["s1", "s2"], "bydel": ["Alna", "Bjerke"],
    })
    assert attribute_persons(units, by="admitted")["bydel"].tolist() == ["Alna"]
