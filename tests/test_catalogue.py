"""The indicator catalogue: complete, consistent, and what compute_indicators emits."""

from __future__ import annotations

import pandas as pd
import pytest

from prioslo import schema
from prioslo.catalogue import INDICATORS, PARTITIONS, IndicatorInfo, info, label
from prioslo.indicators import compute_indicators


def all_tables() -> dict[str, pd.DataFrame]:
    """One small processed frame per table, enough to make every indicator appear."""
    def stay(i, person, bydel, adm, dis, **kw):
        base = dict(stay_id=i, person_id=person, sex="K", birth_year=1990, bydel=bydel, institution="I",
                    category="Mestringsenheter", operator="kommunal", admitted=pd.Timestamp(adm),
                    discharged=pd.Timestamp(dis), discharge_reason=None, discharged_to=None)
        return base | kw

    stays = [stay(f"s{k}", "P", "Alna", f"2023-01-{k + 1:02d}", f"2023-01-{k + 2:02d}") for k in range(10)]
    stays[-1] |= dict(discharge_reason=schema.DISCHARGE_VIOLENCE)
    stays.append(stay("m", "Q", "Bjerke", "2023-02-01", "2023-03-01", discharged_to=schema.MOVE_TO_OWN_HOME))
    lq = pd.DataFrame({"answer_id": ["a", "b"], "person_id": ["x", "y"], "bydel": ["Alna", "Alna"],
                       "date": pd.to_datetime(["2023-01-01", "2023-02-01"]), "year": [2023, 2023],
                       "answer": pd.array([1, None], dtype="Int64"), "declined": [False, True]})
    inst = pd.DataFrame({"answer_id": ["a"], "person_id": ["x"], "institution": ["I"], "category": ["Omsorgssentre"],
                         "operator": ["ideell"], "date": pd.to_datetime(["2023-05-01"]), "year": [2023],
                         "answer": pd.array([2], dtype="Int64")})
    mapping = pd.DataFrame({"bydel": ["Alna"], "period": ["2024-06"], "activity_house": [True],
                            "ambulant_team": [True], "rusfact": [False], "fact": [True], "shifted_effort": [True],
                            "oslo_standard": [True], "work_activity": ["ja"], "housing_followup": ["stor grad"]})
    return {
        "stays": pd.DataFrame(stays),
        "life_quality_bydel": lq,
        "life_quality_institution": inst,
        "institution_places": pd.DataFrame({"category": ["Omsorgssentre"], "operator": ["ideell"],
                                            "year": [2023], "places": [80]}),
        "bydel_mapping": mapping,
        "colocated_housing": pd.DataFrame({"bydel": ["Alna"], "period": ["2024-06"], "units": [4], "remark": [None]}),
        "rental_housing": pd.DataFrame({"date": pd.to_datetime(["2024-01-01"]), "period": [2023], "units": [11000]}),
        "housing_need": pd.DataFrame({"period": ["2024-11"], "units": [400], "remark": [None]}),
    }


def test_every_emitted_indicator_is_catalogued_and_every_catalogued_one_is_emitted():
    emitted = set(compute_indicators(all_tables())["indicator"])
    assert emitted - set(INDICATORS) == set()
    assert set(INDICATORS) - emitted == set()


def test_contract_core_ids_are_catalogued():
    core = ("life_quality_mean life_quality_share_score1 life_quality_answers life_quality_declined "
            "institution_life_quality_mean institution_life_quality_answers institution_life_quality_completed "
            "ten_plus_persons ten_plus_stays ten_plus_share_admissions ten_plus_share_residents admissions "
            "residents immediate_discharges_violence moves_to_housing_persons moves_to_housing_count "
            "colocated_units rental_units institution_places").split()
    assert [i for i in core if i not in INDICATORS] == []


def test_info_and_label():
    assert info("ten_plus_persons").label == "Personer med ti inntak eller mer"
    assert label("ten_plus_share_admissions").startswith("Andel av alle inntak")
    assert info("life_quality_share_score1").unit == "share"
    with pytest.raises(KeyError, match="unknown indicator id 'no_such_id'"):
        info("no_such_id")


def test_entries_are_consistent():
    labels = [i.label for i in INDICATORS.values()]
    assert len(labels) == len(set(labels)), "two indicators share a label"
    for i in INDICATORS.values():
        assert i.id and i.label and i.label[0].isupper(), i.id
        if i.unit == "share":
            assert INDICATORS[i.numerator].unit == "count" and INDICATORS[i.denominator].unit == "count", i.id
        if i.unit == "count":
            assert i.numerator is None and i.denominator is None, i.id
        for ref in (i.numerator, i.denominator, i.total, i.mean_of):
            assert ref is None or ref in INDICATORS, (i.id, ref)
        if i.unit in ("mean", "share") and (i.numerator or i.denominator):
            assert i.sensitive == INDICATORS[i.denominator].sensitive, i.id
    # Stock counts and counts of bydeler are not sensitive; counts of persons are.
    assert not info("rental_units").sensitive and not info("bydeler_mapped").sensitive
    assert info("residents").sensitive and info("life_quality_declined").sensitive


def test_unit_is_checked():
    with pytest.raises(ValueError, match="unit"):
        IndicatorInfo("x", "X", unit="percent")


def test_partitions_add_up_on_data():
    out = compute_indicators(all_tables())
    v = out.set_index(["indicator", "group", "period"])["value"]
    for p in PARTITIONS:
        assert INDICATORS[p.total].unit == "count"
        for part in p.parts:
            assert INDICATORS[part].total in (p.total, *(q.total for q in PARTITIONS if part in q.parts))
        total = v.loc[p.total]
        parts = sum(v.loc[part] for part in p.parts)
        pd.testing.assert_series_equal(parts.sort_index(), total.sort_index(), check_names=False)
