"""Traffic-light scorecard: every colour and every boundary of every rule type, on hand-made inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from prioslo import scorecard as sc
from prioslo.errors import PriosloError

PUBLISHED_IDS = (
    "lq_share_score1", "lq_mean", "reinforced_places", "user_controlled_places", "ten_plus_reduction",
    "institution_share_score1", "institution_mean", "moves_increase", "activity_houses", "ambulant_services",
    "shifted_effort", "work_activity", "oslo_standard", "central_orderer", "modular_housing", "rental_housing",
)


def long(rows):
    """Build a long indicator frame from (indicator, group, period, value[, suppressed]) tuples."""
    records = []
    for r in rows:
        indicator, group, period, value = r[:4]
        suppressed = r[4] if len(r) > 4 else False
        records.append({"indicator": indicator, "group": group, "period": period,
                        "value": np.nan if suppressed else value, "numerator": np.nan, "denominator": np.nan,
                        "suppressed": suppressed})
    return pd.DataFrame.from_records(records)


def one(direction, target, yellow_within, unit="share", **extra):
    return sc.Target(id="t", area="A", description="d", indicator="x", direction=direction, target=target,
                     yellow_within=yellow_within, unit=unit, **extra)


# ---------------------------------------------------------------- the rule function, boundaries


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4.6, "green"),
        (4.5, "green"),  # exactly at the target
        (4.49, "yellow"),  # just inside the band
        (3.9, "yellow"),  # exactly at the band's edge (4,5 - 0,6 in floating point is 3,9000000000000004)
        (3.89, "red"),  # just outside
        (1.0, "red"),
    ],
)
def test_at_least(value, expected):
    assert sc.status(value, 4.5, "at_least", 0.6) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.05, "green"), (0.10, "green"), (0.1001, "yellow"), (0.12, "yellow"), (0.1201, "red"), (0.5, "red")],
)
def test_at_most(value, expected):
    assert sc.status(value, 0.10, "at_most", 0.02) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.121, "green"), (0.10, "green"), (0.0999, "yellow"), (0.05, "yellow"), (0.0499, "red"), (-0.2, "red")],
)
def test_reduction_and_increase_use_the_positive_change(value, expected):
    assert sc.status(value, 0.10, "reduction", 0.05) == expected
    assert sc.status(value, 0.10, "increase", 0.05) == expected


@pytest.mark.parametrize("missing", [None, math.nan, pd.NA])
def test_missing_value_has_no_status(missing):
    assert sc.status(missing, 4.5, "at_least", 0.6) == ""


def test_zero_band_has_no_yellow():
    assert sc.status(1, 1, "at_least", 0) == "green"
    assert sc.status(0.999, 1, "at_least", 0) == "red"


def test_unknown_direction():
    with pytest.raises(ValueError):
        sc.status(1, 1, "sideways", 0)


# ---------------------------------------------------------------- measuring from the long frame


def test_latest_period_is_used_for_a_level():
    ind = long([("x", "Oslo", "2022", 4.8), ("x", "Oslo", "2024", 3.9), ("x", "Oslo", "2023", 4.1),
                ("x", "Alna", "2024", 5.0)])
    m = sc.measure(ind, one("at_least", 4.5, 0.6, unit="mean"))
    assert m["period"] == "2024"
    assert m["value"] == 3.9


def test_relative_reduction_from_baseline():
    # 66 persons in 2020, 58 in 2023 (§3.2.3): a fall of 8/66 = 12,1 %; 2019 is before the baseline
    ind = long([("x", "Oslo", "2019", 80), ("x", "Oslo", "2020", 66), ("x", "Oslo", "2022", 48),
                ("x", "Oslo", "2023", 58)])
    t = one("reduction", 0.10, 0.05, baseline="2020")
    m = sc.measure(ind, t)
    assert m["value"] == pytest.approx(8 / 66)
    assert (m["baseline_value"], m["latest_value"], m["period"]) == (66, 58, "2023")
    assert sc.status(m["value"], 0.10, "reduction", 0.05) == "green"


@pytest.mark.parametrize(("latest", "expected"), [(310.2, "green"), (296.1, "yellow"), (282, "red"), (275, "red")])
def test_relative_increase_boundaries(latest, expected):
    # baseline 282 (2020): +10 % = 310,2 green; +5 % = 296,1 yellow; no change or a fall red
    ind = long([("x", "Oslo", "2020", 282), ("x", "Oslo", "2023", latest)])
    full = sc.evaluate(ind, targets=(one("increase", 0.10, 0.05, baseline="2020"),), published={})
    assert full.loc[0, "status"] == expected


def test_absolute_increase():
    # Tabell 3: 11 384 homes per 1.1.2020 (period 2019), 11 873 at 31.12.2023: 489 more
    ind = long([("x", "Oslo", "2019", 11384), ("x", "Oslo", "2020", 11502), ("x", "Oslo", "2023", 11873)])
    t = one("increase", 1, 0, unit="count", baseline="2019", change="absolute")
    full = sc.evaluate(ind, targets=(t,), published={})
    assert full.loc[0, "value"] == 489
    assert full.loc[0, "status"] == "green"
    same = long([("x", "Oslo", "2019", 11384), ("x", "Oslo", "2023", 11384)])
    assert sc.evaluate(same, targets=(t,), published={}).loc[0, "status"] == "red"


def test_no_baseline_or_latest_not_after_baseline_gives_empty():
    t = one("reduction", 0.10, 0.05, baseline="2020")
    no_base = long([("x", "Oslo", "2021", 66), ("x", "Oslo", "2023", 58)])
    only_base = long([("x", "Oslo", "2020", 66)])
    zero_base = long([("x", "Oslo", "2020", 0), ("x", "Oslo", "2023", 3)])
    for ind in (no_base, only_base, zero_base):
        row = sc.evaluate(ind, targets=(t,), published={}).iloc[0]
        assert math.isnan(row["value"]) and row["status"] == ""


def test_suppressed_value_or_baseline_gives_empty_status():
    t_level = one("at_most", 0.10, 0.02)
    t_change = one("reduction", 0.10, 0.05, baseline="2020")
    level = long([("x", "Oslo", "2022", 0.05), ("x", "Oslo", "2023", 0.04, True)])
    base = long([("x", "Oslo", "2020", 0.0, True), ("x", "Oslo", "2023", 58)])
    assert sc.evaluate(level, targets=(t_level,), published={}).loc[0, "status"] == ""
    assert sc.evaluate(base, targets=(t_change,), published={}).loc[0, "status"] == ""


def test_scope_group_reads_the_bydel_and_fixed_group_stays():
    ind = long([("x", "Oslo", "2024", 0.07), ("x", "Alna", "2024", 0.11),
                ("y", "Oslo", "2024", 3.30), ("y", "Alna", "2024", 1.0)])
    scope_t = sc.Target(id="a", area="A", description="d", indicator="x", direction="at_most", target=0.10,
                        yellow_within=0.02, unit="share")
    fixed_t = sc.Target(id="b", area="A", description="d", indicator="y", group="Oslo", direction="at_least",
                        target=3.5, yellow_within=0.4, unit="mean")
    oslo = sc.evaluate(ind, targets=(scope_t, fixed_t), published={})
    alna = sc.evaluate(ind, bydel="Alna", targets=(scope_t, fixed_t), published={})
    assert list(oslo["status"]) == ["green", "yellow"]
    assert list(alna["status"]) == ["yellow", "yellow"]  # 11 % in Alna; institutions stay city-wide
    assert list(alna["group"]) == ["Alna", "Oslo"]


def test_all_bydeler_target_in_a_bydel_report_is_yes_no():
    t = sc.Target(id="w", area="A", description="d", indicator="bydeler_work_activity", direction="at_least",
                  target=15, yellow_within=5, target_bydel=1, yellow_within_bydel=0)
    ind = long([("bydeler_work_activity", "Oslo", "2024-06", 10), ("bydeler_work_activity", "Alna", "2024-06", 1),
                ("bydeler_work_activity", "Bjerke", "2024-06", 0)])
    assert sc.evaluate(ind, targets=(t,), published={}).loc[0, "status"] == "yellow"  # 10 of 15
    alna = sc.evaluate(ind, bydel="Alna", targets=(t,), published={})
    assert (alna.loc[0, "target"], alna.loc[0, "status"]) == (1.0, "green")
    assert sc.evaluate(ind, bydel="Bjerke", targets=(t,), published={}).loc[0, "status"] == "red"
    assert sc.value_text(alna.iloc[0], "Alna") == "Ja (juni 2024)"


def test_qualitative_target_has_empty_value_and_status():
    t = sc.Target(id="q", area="Bolig", description="kvalitativt mål – vurderes ikke fra data", measurable=False)
    row = sc.evaluate(long([("x", "Oslo", "2024", 1)]), targets=(t,), published={"q": "green"}).iloc[0]
    assert math.isnan(row["value"]) and row["status"] == ""
    assert row["published_status"] == "green"


def test_missing_indicator_gives_empty_status():
    row = sc.evaluate(long([]).reindex(columns=["indicator", "group", "period", "value"]),
                      targets=(one("at_least", 1, 0),), published={}).iloc[0]
    assert row["status"] == "" and row["period"] is None


# ---------------------------------------------------------------- the shipped config and the contract


def test_config_has_the_sixteen_published_targets_in_order():
    targets = sc.load_targets()
    assert tuple(t.id for t in targets) == PUBLISHED_IDS
    qualitative = {t.id for t in targets if not t.measurable}
    assert qualitative == {"user_controlled_places", "central_orderer", "modular_housing"}
    for t in targets:
        if not t.measurable:
            assert "kvalitativt mål – vurderes ikke fra data" in t.description


def test_compute_scorecard_columns_and_published_status(tmp_path):
    published = tmp_path / "published_status.csv"
    published.write_text("target_id,published_status,source,note\nlq_mean,yellow,§3.1,\nten_plus_reduction,GREEN ,§3.2.3,\n",
                         encoding="utf-8")
    ind = long([("life_quality_mean", "Oslo", "2024", 3.9), ("ten_plus_persons", "Oslo", "2020", 66),
                ("ten_plus_persons", "Oslo", "2023", 58)])
    card = sc.compute_scorecard(ind, published_path=published)
    assert list(card.columns) == list(sc.SCORECARD_COLUMNS)
    assert len(card) == 16
    by_id = card.set_index("target_id")
    assert by_id.loc["lq_mean", "status"] == "yellow"  # 3,9 is exactly the edge of the band
    assert by_id.loc["lq_mean", "published_status"] == "yellow"
    assert by_id.loc["ten_plus_reduction", "status"] == "green"
    assert by_id.loc["ten_plus_reduction", "published_status"] == "green"
    assert by_id.loc["lq_share_score1", "status"] == ""  # no data
    assert by_id.loc["modular_housing", "published_status"] == ""


def test_compute_scorecard_without_published_file(tmp_path):
    card = sc.compute_scorecard(long([("life_quality_mean", "Oslo", "2024", 4.6)]),
                                published_path=tmp_path / "absent.csv")
    assert set(card["published_status"]) == {""}
    assert card.set_index("target_id").loc["lq_mean", "status"] == "green"


def test_compute_scorecard_does_not_mutate_input():
    ind = long([("life_quality_mean", "Oslo", "2024", 4.6)])
    before = ind.copy()
    sc.compute_scorecard(ind)
    pd.testing.assert_frame_equal(ind, before)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[target]]\nid="a"\narea="A"\ndescription="d"\nindicator="x"\ndirection="up"\ntarget=1\n', "direction"),
        ('[[target]]\nid="a"\narea="A"\ndescription="d"\nindicator="x"\ndirection="reduction"\ntarget=1\n', "baseline"),
        ('[[target]]\nid="a"\narea="A"\ndescription="d"\ndirection="at_least"\ntarget=1\n', "indicator"),
        ('[[target]]\nid="a"\narea="A"\ndescription="d"\ncolour="x"\nmeasurable=false\n', "unknown field"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path, body, message):
    path = tmp_path / "targets.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(PriosloError, match=message):
        sc.load_targets(path)


def test_reader_texts():
    ind = long([("ten_plus_persons", "Oslo", "2020", 66), ("ten_plus_persons", "Oslo", "2023", 58),
                ("life_quality_share_score1", "Oslo", "2024", 81 / 1124)])
    full = sc.evaluate(ind, published={}).set_index("target_id", drop=False)
    nb = "\u00a0"
    assert sc.value_text(full.loc["ten_plus_reduction"]) == f"-12,1{nb}% (2020–2023: 66 → 58)"
    assert sc.target_text(full.loc["ten_plus_reduction"]) == f"nedgang på minst 10,0{nb}%"
    assert sc.value_text(full.loc["lq_share_score1"]) == f"7,2{nb}% (2024)"
    assert sc.target_text(full.loc["lq_share_score1"]) == f"høyst 10,0{nb}%"
    assert sc.value_text(full.loc["modular_housing"]) == "Kvalitativt mål"
    html = sc.scorecard_table(full, caption="Tabell 1.1").data
    assert "Grønt" in html and "#009E73" in html
    counts = sc.summary_counts(full)
    assert (counts["green"], counts["qualitative"]) == (2, 3)


def test_published_status_with_semicolons_and_commas_in_notes(tmp_path):
    path = tmp_path / "published_status.csv"
    path.write_text("target_id;published_status;source;note\nlq_mean;yellow;§3.1;ikke helt, men nær\n",
                    encoding="utf-8")
    assert sc.read_published_status(path) == {"lq_mean": "yellow"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3.86, "yellow"),  # printed «3,9»: the colour of 3,9 (the report's own 2024 mean)
     (3.849, "red"),  # printed «3,8»
     (4.46, "green")],  # printed «4,5»
)
def test_mean_is_scored_as_printed(value, expected):
    ind = long([("life_quality_mean", "Oslo", "2024", value)])
    t = sc.Target(id="m", area="A", description="d", indicator="life_quality_mean", direction="at_least",
                  target=4.5, yellow_within=0.6, unit="mean")
    assert sc.evaluate(ind, targets=(t,), published={}).loc[0, "status"] == expected


def test_share_is_scored_as_printed():
    t = sc.Target(id="s", area="A", description="d", indicator="x", direction="at_most", target=0.10,
                  yellow_within=0.02, unit="share")
    assert sc.evaluate(long([("x", "Oslo", "2024", 0.10049)]), targets=(t,), published={}).loc[0, "status"] == "green"
    assert sc.evaluate(long([("x", "Oslo", "2024", 0.1005)]), targets=(t,), published={}).loc[0, "status"] == "yellow"


def test_as_printed():
    assert sc.as_printed(3.86, "mean") == 3.9
    assert sc.as_printed(0.12345, "share") == 0.123
    assert sc.as_printed(54.5, "count") == 55
    assert math.isnan(sc.as_printed(math.nan, "mean"))
