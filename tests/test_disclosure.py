"""Disclosure control on hand-made long indicator frames; each rule at its boundary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prioslo.disclosure import suppress
from prioslo.errors import PriosloError

NAN = np.nan


def long(rows):
    """Rows of (indicator, group, period, value[, numerator, denominator])."""
    full = [(*r, NAN, NAN) if len(r) == 4 else r for r in rows]
    df = pd.DataFrame(full, columns=["indicator", "group", "period", "value", "numerator", "denominator"])
    df["period"] = df["period"].astype("str")
    return df


def hidden(out):
    """The suppressed cells as a set of (indicator, group, period)."""
    s = out[out["suppressed"]]
    return set(zip(s["indicator"], s["group"], s["period"]))


def test_count_boundary_four_suppressed_five_shown():
    out = suppress(long([("admissions", "Oslo", "2022", 4), ("admissions", "Oslo", "2023", 5),
                         ("admissions", "Oslo", "2024", 0)]), threshold=5)
    assert out["suppressed"].tolist() == [True, False, True]      # 0 is below the threshold too
    assert pd.isna(out.loc[0, "value"]) and out.loc[1, "value"] == 5


def test_threshold_is_a_parameter():
    df = long([("admissions", "Oslo", "2022", 4), ("admissions", "Oslo", "2023", 9)])
    assert suppress(df, threshold=10)["suppressed"].tolist() == [True, True]
    assert suppress(df, threshold=4)["suppressed"].tolist() == [False, False]


def test_non_sensitive_counts_are_never_suppressed():
    out = suppress(long([("rental_units", "Oslo", "2019", 1), ("bydeler_mapped", "Oslo", "2024-06", 2),
                         ("institution_places", "kommunal", "2023", 3)]))
    assert not out["suppressed"].any()
    assert out["value"].tolist() == [1, 2, 3]


def test_mean_denominator_boundary():
    out = suppress(long([
        ("institution_life_quality_mean", "ideell: Omsorgssentre", "2023", 3.0, 12, 4),
        ("institution_life_quality_mean", "ideell: Ressurssentre", "2023", 3.0, 15, 5),
    ]))
    assert out["suppressed"].tolist() == [True, False]
    assert out.loc[0, ["value", "numerator", "denominator"]].isna().all()
    assert out.loc[1, "denominator"] == 5


def test_share_numerator_and_complement_boundaries():
    out = suppress(long([
        ("life_quality_share_score1", "Oslo", "2021", 4 / 50, 4, 50),    # numerator 4 -> hidden
        ("life_quality_share_score1", "Oslo", "2022", 5 / 50, 5, 50),    # numerator 5 -> shown
        ("life_quality_share_score1", "Oslo", "2023", 46 / 50, 46, 50),  # complement 4 -> hidden
        ("life_quality_share_score1", "Oslo", "2024", 45 / 50, 45, 50),  # complement 5 -> shown
    ]))
    assert out["suppressed"].tolist() == [True, False, True, False]


def test_small_complement_also_hides_the_numerator_count():
    # 46 of 50 answers are 1: the 4 others would be 50 - 46 from the two count rows.
    out = suppress(long([
        ("life_quality_answers", "Oslo", "2023", 50),
        ("life_quality_score1", "Oslo", "2023", 46),
        ("life_quality_share_score1", "Oslo", "2023", 46 / 50, 46, 50),
    ]))
    assert hidden(out) == {("life_quality_score1", "Oslo", "2023"), ("life_quality_share_score1", "Oslo", "2023")}


def test_partition_with_one_suppressed_cell_gets_a_second():
    # Oslo 20 = Alna 3 + Bjerke 7 + Frogner 10: Alna is below 5; Oslo minus the others would give
    # it back, so the smallest other cell (Bjerke, 7) is suppressed too. Frogner and Oslo stay.
    out = suppress(long([
        ("ten_plus_persons", "Oslo", "2023", 20), ("ten_plus_persons", "Alna", "2023", 3),
        ("ten_plus_persons", "Bjerke", "2023", 7), ("ten_plus_persons", "Frogner", "2023", 10),
    ]))
    assert hidden(out) == {("ten_plus_persons", "Alna", "2023"), ("ten_plus_persons", "Bjerke", "2023")}


def test_partition_with_two_suppressed_cells_is_left_alone():
    out = suppress(long([
        ("ten_plus_persons", "Oslo", "2023", 20), ("ten_plus_persons", "Alna", "2023", 3),
        ("ten_plus_persons", "Bjerke", "2023", 2), ("ten_plus_persons", "Frogner", "2023", 15),
    ]))
    assert hidden(out) == {("ten_plus_persons", "Alna", "2023"), ("ten_plus_persons", "Bjerke", "2023")}


def test_uoppgitt_is_part_of_the_bydel_partition():
    # Oslo 30 = Alna 25 + Uoppgitt 2 + Bjerke 3: Uoppgitt and Bjerke are both small (two hidden cells).
    out = suppress(long([("admissions", "Oslo", "2023", 30), ("admissions", "Alna", "2023", 25),
                         ("admissions", "Uoppgitt", "2023", 2), ("admissions", "Bjerke", "2023", 3)]))
    assert hidden(out) == {("admissions", "Uoppgitt", "2023"), ("admissions", "Bjerke", "2023")}
    # Only Uoppgitt small: Oslo 32 - Alna 25 - Bjerke 5 = 2 -> Bjerke (smallest other) goes too.
    out = suppress(long([("admissions", "Oslo", "2023", 32), ("admissions", "Alna", "2023", 25),
                         ("admissions", "Uoppgitt", "2023", 2), ("admissions", "Bjerke", "2023", 5)]))
    assert hidden(out) == {("admissions", "Uoppgitt", "2023"), ("admissions", "Bjerke", "2023")}


def test_dependent_share_is_suppressed_with_its_count():
    # Bjerke's ten-plus persons (7) are hidden by secondary suppression, so Bjerke's share
    # 7/100, whose numerator column would show the 7, is hidden too; Frogner's is not.
    out = suppress(long([
        ("ten_plus_persons", "Oslo", "2023", 20), ("ten_plus_persons", "Alna", "2023", 3),
        ("ten_plus_persons", "Bjerke", "2023", 7), ("ten_plus_persons", "Frogner", "2023", 10),
        ("ten_plus_share_residents", "Bjerke", "2023", 0.07, 7, 100),
        ("ten_plus_share_residents", "Frogner", "2023", 0.10, 10, 100),
    ]))
    assert ("ten_plus_share_residents", "Bjerke", "2023") in hidden(out)
    assert ("ten_plus_share_residents", "Frogner", "2023") not in hidden(out)


def test_secondary_suppression_iterates_to_a_fixed_point():
    # Totals: Alna 12 = F 3 + M 9; Bjerke 15 = F 7 + M 8; Frogner 20 = F 7 + M 13;
    #         Oslo 47 = F 17 + M 30.
    # Primary: Alna F (3).
    # Round 1: women by bydel (Oslo 17 = 3 + 7 + 7) has one hidden -> Bjerke F (7; ties with
    #          Frogner, Bjerke comes first in report order). Alna by sex (12 = 3 + 9) -> Alna M (9).
    # Round 2: men by bydel (30 = 9 + 8 + 13) has one hidden -> Bjerke M (8). Bjerke by sex
    #          (15 = 7 + 8) has one hidden -> also Bjerke M.
    # Round 3: every partition has 0 or 2 hidden cells: stable.
    rows = []
    for group, f, m in (("Oslo", 17, 30), ("Alna", 3, 9), ("Bjerke", 7, 8), ("Frogner", 7, 13)):
        rows += [("ten_plus_persons", group, "2023", f + m), ("ten_plus_persons_female", group, "2023", f),
                 ("ten_plus_persons_male", group, "2023", m)]
    out = suppress(long(rows))
    assert hidden(out) == {("ten_plus_persons_female", "Alna", "2023"), ("ten_plus_persons_male", "Alna", "2023"),
                           ("ten_plus_persons_female", "Bjerke", "2023"), ("ten_plus_persons_male", "Bjerke", "2023")}


def test_institution_partitions_and_dependent_mean():
    # kommunal 12 = A 3 + B 9 -> A primary, B secondary; B's mean (9 answers) follows.
    # Oslo 20 = kommunal 12 + ideell 8: nothing hidden there.
    a, b = "kommunal: Mestringsenheter", "kommunal: Omsorgssentre"
    out = suppress(long([
        ("institution_life_quality_answers", "Oslo", "2023", 20),
        ("institution_life_quality_answers", "kommunal", "2023", 12),
        ("institution_life_quality_answers", "ideell", "2023", 8),
        ("institution_life_quality_answers", a, "2023", 3),
        ("institution_life_quality_answers", b, "2023", 9),
        ("institution_life_quality_answers", "ideell: Omsorgssentre", "2023", 8),
        ("institution_life_quality_mean", b, "2023", 3.0, 27, 9),
        ("institution_life_quality_mean", "ideell: Omsorgssentre", "2023", 3.0, 24, 8),
    ]))
    assert hidden(out) == {("institution_life_quality_answers", a, "2023"),
                           ("institution_life_quality_answers", b, "2023"),
                           ("institution_life_quality_mean", b, "2023")}


def test_non_additive_person_counts_of_institution_groups_get_no_secondary():
    # Distinct persons per institution group do not add up, so there is no partition to protect.
    out = suppress(long([
        ("institution_life_quality_respondents", "kommunal", "2023", 12),
        ("institution_life_quality_respondents", "kommunal: Mestringsenheter", "2023", 3),
        ("institution_life_quality_respondents", "kommunal: Omsorgssentre", "2023", 9),
    ]))
    assert hidden(out) == {("institution_life_quality_respondents", "kommunal: Mestringsenheter", "2023")}


def test_means_partition_by_their_answers_and_mean_of_means():
    # Bydel means: Alna (3 answers) and Uoppgitt (2) are hidden by their denominators; the sums of
    # answers add up, but two are hidden, so no more. Among the BYDEL means exactly one (Alna) is
    # hidden, and the unweighted mean of bydel means x 3 - Bjerke - Frogner would give it back.
    out = suppress(long([
        ("life_quality_mean", "Oslo", "2023", 4.0, 100, 25),
        ("life_quality_mean", "Alna", "2023", 3.0, 9, 3),
        ("life_quality_mean", "Bjerke", "2023", 4.0, 40, 10),
        ("life_quality_mean", "Frogner", "2023", 4.2, 42, 10),
        ("life_quality_mean", "Uoppgitt", "2023", 4.5, 9, 2),
        ("life_quality_mean_of_bydel_means", "Oslo", "2023", 11.2 / 3),
    ]))
    assert hidden(out) == {("life_quality_mean", "Alna", "2023"), ("life_quality_mean", "Uoppgitt", "2023"),
                           ("life_quality_mean_of_bydel_means", "Oslo", "2023")}
    # Without Uoppgitt, the partition of sums gets a second hidden mean (Bjerke, 10 answers,
    # before Frogner in report order) and the mean of means can stay.
    out = suppress(long([
        ("life_quality_mean", "Oslo", "2023", 91 / 23, 91, 23),
        ("life_quality_mean", "Alna", "2023", 3.0, 9, 3),
        ("life_quality_mean", "Bjerke", "2023", 4.0, 40, 10),
        ("life_quality_mean", "Frogner", "2023", 4.2, 42, 10),
        ("life_quality_mean_of_bydel_means", "Oslo", "2023", 11.2 / 3),
    ]))
    assert hidden(out) == {("life_quality_mean", "Alna", "2023"), ("life_quality_mean", "Bjerke", "2023")}


def test_threshold_zero_disables():
    df = long([("admissions", "Oslo", "2023", 1), ("admissions", "Alna", "2023", 1),
               ("life_quality_mean", "Alna", "2023", 2.0, 2, 1)])
    out = suppress(df, threshold=0)
    assert out["suppressed"].tolist() == [False, False, False]
    pd.testing.assert_frame_equal(out.drop(columns="suppressed"), df)


def test_pure_and_independent_of_row_order():
    rows = []
    for group, f, m in (("Oslo", 17, 30), ("Alna", 3, 9), ("Bjerke", 7, 8), ("Frogner", 7, 13)):
        rows += [("ten_plus_persons", group, "2023", f + m), ("ten_plus_persons_female", group, "2023", f),
                 ("ten_plus_persons_male", group, "2023", m)]
    df = long(rows)
    before = df.copy(deep=True)
    first = suppress(df)
    pd.testing.assert_frame_equal(df, before)
    shuffled = suppress(df.sample(frac=1, random_state=7))
    pd.testing.assert_frame_equal(shuffled.sort_index(), first)
    assert "suppressed" not in df.columns


def test_bad_threshold_and_duplicates():
    df = long([("admissions", "Oslo", "2023", 1)])
    with pytest.raises(PriosloError, match="threshold"):
        suppress(df, threshold=-1)
    with pytest.raises(ValueError, match="duplicate"):
        suppress(pd.concat([df, df]))


def test_empty_frame():
    out = suppress(long([]))
    assert out.empty and "suppressed" in out.columns
