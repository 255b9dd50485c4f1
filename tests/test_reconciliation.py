"""Reconciliation: the shipped sample reproduces the report's printed numbers; reconcile() itself."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from prioslo import paths
from prioslo.indicators import compute_indicators
from prioslo.prepare import load_processed, prepare
from prioslo.reference import load_reference, reconcile, round_half_up

# ---------------------------------------------------------------------------------------------
# The shipped sample, prepared by prioslo.prepare and computed by prioslo.indicators
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    processed = tmp_path_factory.mktemp("processed")
    result = prepare(paths.RAW_DIR, processed)
    return result, load_processed(processed)


@pytest.fixture(scope="module")
def reconciled(prepared):
    _, tables = prepared
    indicators = compute_indicators(tables)  # no suppression: the report's own numbers
    return reconcile(indicators)


def _describe(rows: pd.DataFrame) -> str:
    return "\n".join(f"{r.source} {r.indicator} [{r.group}, {r.period}{' ' + r.condition if r.condition else ''}]: "
                     f"printed {r.printed!r}, computed {r.computed_rounded}" for r in rows.itertuples())


def test_every_reproducible_published_number_is_reproduced(reconciled):
    reproducible = reconciled[reconciled["reproducible"]]
    assert len(reproducible) > 250
    wrong = reproducible[~reproducible["match"]]
    assert wrong.empty, "\n" + _describe(wrong)


def test_blank_figure_cells_have_no_answers(reconciled):
    blanks = reconciled[reconciled["unit"] == "absent"]
    # Figur 2: Nordre Aker, Søndre Nordstrand, Ullern (2021); Søndre Nordstrand, Vestre Aker,
    # Østensjø (2022); Søndre Nordstrand, Vestre Aker (2023).
    assert len(blanks) == 8
    assert blanks["match"].all(), "\n" + _describe(blanks[~blanks["match"]])


# The printed numbers no data can give, and the closest value the sample was built to give.
IMPOSSIBLE = {
    ("Figur 4", "institution_life_quality_mean", "kommunal: Akutt-, utrednings- og videreformidlingsenheter"): 3.03,
    ("Figur 4", "institution_life_quality_mean", "kommunal: Omsorgssentre"): 3.70,
    ("Figur 4", "institution_life_quality_mean", "kommunal: Omsorgssenter rusfri"): 3.62,
    ("Figur 4", "institution_life_quality_mean", "kommunal: Forsterket bo- og behandling"): 3.29,
    ("Figur 5", "institution_life_quality_mean", "ideell: Utredning og videreformidling, aktiv rus"): 3.67,
    ("§3.2.4", "institution_life_quality_share_score1", "kommunal"): 8.6,  # 22/256
    ("§3.2.4", "institution_life_quality_share_score1", "ideell"): 2.9,  # 10/342
}


def test_impossible_numbers_are_as_close_as_arithmetic_allows(reconciled):
    impossible = reconciled[~reconciled["reproducible"]]
    got = {(r.source, r.indicator, r.group): r.computed_rounded for r in impossible.itertuples()}
    assert got.keys() == IMPOSSIBLE.keys()
    for key, expected in IMPOSSIBLE.items():
        assert got[key] == pytest.approx(expected), key
    assert impossible["matches_closest"].all()
    # One hundredth from the print for each mean; the shares are over another denominator.
    means = impossible[impossible["unit"] == "mean"]
    assert (means["distance"].abs().round(6) == 0.01).all()


def test_headline_institution_means_are_exact(reconciled):
    rows = reconciled[(reconciled["indicator"] == "institution_life_quality_mean")
                      & reconciled["group"].isin(["kommunal", "ideell"])]
    assert set(rows["printed"]) == {"3,15", "3,41"} and rows["match"].all()
    kommunal = rows[rows["group"] == "kommunal"].iloc[0]
    assert kommunal["computed"] == pytest.approx(806 / 256)


def test_flawed_rows_are_rejected_and_nothing_else(prepared):
    result, _ = prepared
    rejected = {f.raw_name: f.rejected for f in result.files}
    assert rejected == {
        "livskvalitet_bydel": 2, "livskvalitet_institusjon": 2, "opphold": 3, "bydelskartlegging": 1,
        "samlokaliserte_boliger": 0, "kommunale_utleieboliger": 0, "institusjonsplasser": 0, "boligbehov": 0,
    }
    for f in result.files:
        assert f.rows_in == f.kept + f.rejected


# ---------------------------------------------------------------------------------------------
# reconcile() on small hand-made frames
# ---------------------------------------------------------------------------------------------

REF_COLUMNS = ["source", "indicator", "group", "period", "condition", "printed", "value", "unit", "decimals",
               "reproducible", "closest", "note"]


def _ref(*rows) -> pd.DataFrame:
    frame = pd.DataFrame([dict(zip(REF_COLUMNS, r)) for r in rows], columns=REF_COLUMNS)
    frame["decimals"] = frame["decimals"].astype("Int64")
    return frame


def _ind(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "group", "period", "value", "numerator", "denominator"])


def test_round_half_up_not_to_even():
    assert round_half_up(2.5, 0) == 3
    assert str(round_half_up(0.125, 2)) == "0.13"  # Python's round() gives 0.12


def test_mean_is_rounded_half_up_from_its_exact_fraction():
    # 629/200 = 3.145 exactly; as a float it is 3.14499999..., which would round to 3,14.
    ind = _ind(("m", "Oslo", "2023", 629 / 200, 629.0, 200.0))
    ref = _ref(("F", "m", "Oslo", "2023", "", "3,15", 3.15, "mean", 2, True, math.nan, ""))
    out = reconcile(ind, ref)
    assert out.loc[0, "computed_rounded"] == 3.15 and out.loc[0, "match"]


def test_percent_is_share_times_hundred():
    # 81/1124 = 0.07206... -> 7,2 %
    ind = _ind(("s", "Oslo", "2024", 81 / 1124, 81.0, 1124.0))
    ref = _ref(("§", "s", "Oslo", "2024", "", "7,2 prosent", 7.2, "percent", 1, True, math.nan, ""),
               ("§", "s", "Oslo", "2024", "", "7,3 prosent", 7.3, "percent", 1, True, math.nan, ""))
    out = reconcile(ind, ref)
    assert out["match"].tolist() == [True, False]
    assert out.loc[1, "distance"] == pytest.approx(-0.1)


def test_count_mismatch_and_missing_value():
    ind = _ind(("c", "Oslo", "2023", 57.0, math.nan, math.nan))
    ref = _ref(("§", "c", "Oslo", "2023", "", "58", 58, "count", 0, True, math.nan, ""),
               ("§", "c", "Oslo", "2022", "", "48", 48, "count", 0, True, math.nan, ""))
    out = reconcile(ind, ref)
    assert out["match"].tolist() == [False, False]
    assert out.loc[0, "distance"] == -1 and math.isnan(out.loc[1, "computed"])


def test_bydel_count_treats_a_missing_bydel_as_zero():
    # Alna 9, Bjerke 9, Frogner 3, Oslo 21 (not a bydel); the 12 bydeler without a row count as 0.
    ind = _ind(("t", "Alna", "2023", 9.0, math.nan, math.nan), ("t", "Bjerke", "2023", 9.0, math.nan, math.nan),
               ("t", "Frogner", "2023", 3.0, math.nan, math.nan), ("t", "Oslo", "2023", 21.0, math.nan, math.nan))
    ref = _ref(("§", "t", "Oslo", "2023", "==9", "to", 2, "bydel_count", 0, True, math.nan, ""),
               ("§", "t", "Oslo", "2023", "==0", "tolv", 12, "bydel_count", 0, True, math.nan, ""),
               ("§", "t", "Oslo", "2023", "1..6", "en", 1, "bydel_count", 0, True, math.nan, ""))
    out = reconcile(ind, ref)
    assert out["computed"].tolist() == [2, 12, 1] and out["match"].all()


def test_absent_matches_only_when_nothing_was_computed():
    ind = _ind(("m", "Ullern", "2022", 4.4, 44.0, 10.0))
    ref = _ref(("F", "m", "Ullern", "2021", "", "", math.nan, "absent", pd.NA, True, math.nan, ""),
               ("F", "m", "Ullern", "2022", "", "", math.nan, "absent", pd.NA, True, math.nan, ""))
    assert reconcile(ind, ref)["match"].tolist() == [True, False]


def test_impossible_row_reports_distance_and_closest():
    ind = _ind(("m", "k", "2023", 85 / 23, 85.0, 23.0))
    ref = _ref(("F", "m", "k", "2023", "", "3,69", 3.69, "mean", 2, False, 3.70, "no sum gives 3,69"))
    out = reconcile(ind, ref)
    assert not out.loc[0, "match"] and out.loc[0, "matches_closest"]
    assert out.loc[0, "distance"] == pytest.approx(0.01)


def test_reconcile_does_not_modify_its_inputs():
    ind = _ind(("c", "Oslo", "2023", 58.0, math.nan, math.nan))
    ref = _ref(("§", "c", "Oslo", "2023", "", "58", 58, "count", 0, True, math.nan, ""))
    before_ind, before_ref = ind.copy(), ref.copy()
    reconcile(ind, ref)
    pd.testing.assert_frame_equal(ind, before_ind)
    pd.testing.assert_frame_equal(ref, before_ref)


def test_load_reference_types():
    ref = load_reference()
    assert ref["reproducible"].dtype == bool
    assert ref["period"].map(type).eq(str).all()
    assert (~ref["reproducible"]).sum() == 7
    assert ref.loc[~ref["reproducible"], "closest"].notna().all()


def test_reference_names_only_catalogued_indicators():
    from prioslo.catalogue import INDICATORS

    assert set(load_reference()["indicator"]) <= set(INDICATORS)
