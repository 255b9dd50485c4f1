"""The notebook-facing API: scope selection, accessors, suppression masks, text helpers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from prioslo import report
from prioslo.errors import PriosloError

NBSP = "\u00a0"


def rows():
    """A hand-made long frame: life quality in two bydeler, ten-plus persons, an institution group."""
    data = [
        # indicator, group, period, value, suppressed
        ("life_quality_mean", "Oslo", "2021", 4.1, False),
        ("life_quality_mean", "Oslo", "2024", 3.9, False),
        ("life_quality_mean", "Alna", "2021", 3.9, False),
        ("life_quality_mean", "Alna", "2024", np.nan, True),
        ("life_quality_mean", "Ullern", "2024", 5.1, False),
        ("life_quality_mean", "Sagene", "2024", 3.3, False),
        ("ten_plus_persons", "Oslo", "2020", 66, False),
        ("ten_plus_persons", "Oslo", "2023", 58, False),
        ("ten_plus_persons", "Alna", "2020", 9, False),
        ("ten_plus_persons", "Alna", "2023", np.nan, True),
        ("ten_plus_stays", "Oslo", "2023", 784, False),
        ("ten_plus_share_admissions", "Oslo", "2020", 0.20, False),
        ("ten_plus_share_admissions", "Oslo", "2023", 0.23, False),
        ("institution_life_quality_mean", "kommunal: Omsorgssentre", "2023", 3.69, False),
        ("institution_life_quality_mean", "kommunal", "2023", 3.15, False),
        ("bydeler_mapped", "Oslo", "2020-02", 15, False),
        ("bydeler_work_activity", "Oslo", "2020-02", 2, False),
        ("bydeler_work_activity_planned", "Oslo", "2020-02", 3, False),
    ]
    frame = pd.DataFrame(data, columns=["indicator", "group", "period", "value", "suppressed"])
    frame["numerator"] = np.nan
    frame["denominator"] = np.nan
    return frame


@pytest.fixture
def oslo(tmp_path):
    return report.scope_from_indicators(rows(), output_dir=tmp_path)


@pytest.fixture
def alna(tmp_path):
    return report.scope_from_indicators(rows(), "alna", output_dir=tmp_path)


def test_identity(oslo, alna):
    assert (oslo.group, oslo.slug, oslo.scope_name, oslo.compare_groups) == ("Oslo", "oslo", "Oslo", ["Oslo"])
    assert (alna.group, alna.slug, alna.scope_name, alna.compare_groups) == ("Alna", "alna", "Bydel Alna",
                                                                             ["Alna", "Oslo"])
    assert alna.where == "i bydel Alna"


@pytest.mark.parametrize("spelling", ["Alna", "alna", "ALNA", "Bydel Alna", "030112", "12"])
def test_bydel_in_any_spelling(spelling):
    assert report.resolve_bydel(spelling) == "Alna"


def test_oslo_spellings_and_unknown_bydel():
    assert report.resolve_bydel(None) is None
    assert report.resolve_bydel("Oslo") is None
    with pytest.raises(PriosloError, match="unknown bydel 'Atlantis'"):
        report.resolve_bydel("Atlantis")


def test_bydel_scope_keeps_itself_oslo_and_institutions(alna):
    groups = set(alna.indicators["group"])
    assert groups == {"Oslo", "Alna", "kommunal", "kommunal: Omsorgssentre"}


def test_series_masks_suppressed(alna):
    s = alna.series("life_quality_mean")
    assert list(s.index) == ["2021", "2024"]
    assert s["2021"] == 3.9 and math.isnan(s["2024"])
    assert list(s.attrs["suppressed"]) == [False, True]
    assert s.name == "Alna"


def test_value_latest_and_text(oslo, alna):
    assert oslo.value("ten_plus_persons") == 58
    assert oslo.value("ten_plus_persons", period=2020) == 66
    assert math.isnan(alna.value("ten_plus_persons"))
    assert alna.is_suppressed("ten_plus_persons")
    assert alna.text("ten_plus_persons") == ":"
    assert oslo.text("ten_plus_share_admissions") == f"23,0{NBSP}%"
    assert oslo.text("life_quality_mean", "Ullern") == "5,1"
    assert math.isnan(oslo.value("no_such_indicator"))
    assert oslo.latest_period("no_such_indicator") is None


def test_wide_table_with_mask(oslo):
    w = oslo.wide("life_quality_mean", labels={"Oslo": "Totalt Oslo"})
    # rows: bydeler with rows, in report order (Alna, Sagene, Ullern), then Oslo
    assert list(w.index) == ["Alna", "Sagene", "Ullern", "Totalt Oslo"]
    assert list(w.columns) == ["2021", "2024"]
    assert math.isnan(w.loc["Ullern", "2021"])  # missing, not suppressed
    assert not w.attrs["suppressed"].loc["Ullern", "2021"]
    assert w.attrs["suppressed"].loc["Alna", "2024"]
    assert w.loc["Totalt Oslo", "2024"] == 3.9


def test_wide_in_bydel_scope_is_bydel_and_oslo(alna):
    assert list(alna.wide("life_quality_mean").index) == ["Alna", "Oslo"]


def test_frame_side_by_side(oslo):
    f = oslo.frame({"Personer": "ten_plus_persons", "Opphold": "ten_plus_stays"})
    assert list(f.index) == ["2020", "2023"]
    assert f.loc["2023", "Opphold"] == 784 and math.isnan(f.loc["2020", "Opphold"])


def test_cross_and_labels(oslo):
    groups = oslo.institution_groups("kommunal", "institution_life_quality_mean", total=True)
    assert groups == ["kommunal: Omsorgssentre", "kommunal"]
    labels = oslo.category_labels(groups)
    c = oslo.cross({"Gjennomsnitt": "institution_life_quality_mean"}, groups, labels=labels)
    assert list(c.index) == ["Omsorgssentre", "Kommunale rusinstitusjoner"]
    assert c.loc["Kommunale rusinstitusjoner", "Gjennomsnitt"] == 3.15


def test_by_group_and_extremes(oslo):
    s = oslo.by_group("life_quality_mean", oslo.bydel_groups("life_quality_mean"), "2024")
    assert list(s.index) == ["Alna", "Sagene", "Ullern"]
    assert list(s.attrs["suppressed"]) == [True, False, False]
    assert oslo.extremes_text("life_quality_mean", "2024") == "fra 3,3 (Sagene) til 5,1 (Ullern)"


def test_remainder_gives_the_no_answers(oslo):
    f = oslo.frame({"Ja": "bydeler_work_activity", "Planlagt": "bydeler_work_activity_planned"})
    f = oslo.remainder(f, "bydeler_mapped", "Nei")
    assert f.loc["2020-02", "Nei"] == 10  # 15 answered - 2 ja - 3 planlagt


def test_grid(oslo):
    g = oslo.grid({"Alle": {"Personer": "ten_plus_persons", "Opphold": "ten_plus_stays"}})
    assert g.loc["Alle", "Personer"] == 58 and g.loc["Alle", "Opphold"] == 784


def test_change_text(oslo, alna):
    assert oslo.change_text("ten_plus_persons", 2020, 2023) == f"gikk ned fra 66 i 2020 til 58 i 2023 (-12,1{NBSP}%)"
    assert oslo.change_text("ten_plus_share_admissions", "2020", "2023") == (
        f"økte fra 20,0{NBSP}% i 2020 til 23,0{NBSP}% i 2023 (3,0 prosentpoeng)")
    assert alna.change_text("ten_plus_persons", 2020, 2023).startswith("kan ikke beregnes")
    assert oslo.change_text("ten_plus_persons", None, 2023) == "kan ikke beregnes for valgt periode"


def test_compare_text():
    assert report.Scope.compare_text(3.94, 4.1) == "lavere enn"
    assert report.Scope.compare_text(3.94, 3.9) == "lik"  # equal as printed
    assert report.Scope.compare_text(np.nan, 3.9) == "ikke sammenlignbar med"


def test_chapter_numbers_figures_and_tables(oslo, tmp_path):
    from prioslo import plotting

    ch = oslo.chapter("ten_plus", display=False)
    assert (ch.number, ch.title) == (3, "Ti inntak eller mer i året")
    fig = plotting.grouped_bars(oslo.frame({"Personer": "ten_plus_persons"}), ylabel="Antall")
    rec = ch.figure(fig, title="Personer", caption="c", source="s", alt_text="Søyler.", name="ten_plus_persons")
    assert rec.number == "3.1"
    assert rec.alt_text == "Søyler. Personer: 2020 66; 2023 58."
    assert (tmp_path / "oslo" / "figures" / "ten_plus_persons.png").exists()
    t = ch.table(oslo.wide("ten_plus_persons"), "count", title="Personer etter bydel")
    assert "Tabell 3.1: Personer etter bydel" in t.data
    assert ": = skjult av personvernhensyn (færre enn 5)" in t.data
    with pytest.raises(PriosloError):
        oslo.chapter("no_such_chapter")


def test_source_notes_synthetic_sample(tmp_path):
    s = report.scope_from_indicators(rows(), sample=True)
    assert s.source("stays").endswith("(syntetiske eksempeldata)")
    assert "syntetiske" not in s.source("rental_housing")  # published aggregates are real


def test_target_text(oslo, alna):
    text = oslo.target_text("ten_plus_reduction")
    assert "Grønt" in text and f"-12,1{NBSP}%" in text
    assert "Ikke vurdert" in alna.target_text("ten_plus_reduction")  # Alna 2023 is suppressed
    with pytest.raises(PriosloError):
        oslo.target_text("nope")


def test_period_text():
    f = rows()
    assert report.scope_from_indicators(f, period_from=2020, period_to=2023).period_text == "2020–2023"
    assert report.scope_from_indicators(f).period_text == "alle år i dataene"


def test_best_period_prefers_the_fullest_then_the_latest():
    f = pd.DataFrame([
        ("institution_life_quality_mean", "kommunal: A", "2023", 3.0, False),
        ("institution_life_quality_mean", "kommunal: B", "2023", 3.1, False),
        ("institution_places", "kommunal: A", "2023", 10, False),
        ("institution_places", "kommunal: B", "2023", 12, False),
        ("institution_life_quality_mean", "kommunal: A", "2024", 3.2, False),
        ("institution_life_quality_mean", "kommunal: B", "2024", 3.3, False),
        ("institution_places", "kommunal: B", "2024", 12, False),  # places of A not counted yet
    ], columns=["indicator", "group", "period", "value", "suppressed"])
    s = report.scope_from_indicators(f)
    both = ["institution_life_quality_mean", "institution_places"]
    assert s.best_period(both, ["kommunal: A", "kommunal: B"]) == "2023"  # 4 cells against 3
    assert s.best_period(["institution_life_quality_mean"], ["kommunal: A", "kommunal: B"]) == "2024"  # tie: latest
    assert s.best_period(both, ["ideell: C"]) is None


def test_sentence_only_when_there_are_numbers(oslo, alna):
    assert oslo.sentence("ten_plus_persons", text="I 2023 …").data == "I 2023 …"
    note = alna.sentence("life_quality_share_score1", text="I None …").data
    assert note == "*Ingen tall for «andel besvarelser med skår 1 («veldig misfornøyd»)» i bydel Alna i valgt periode.*"


def test_spread_text_for_oslo_and_for_a_bydel(tmp_path):
    f = rows()
    f.loc[(f["group"] == "Alna") & (f["period"] == "2024"), ["value", "suppressed"]] = [4.0, False]
    oslo = report.scope_from_indicators(f)
    alna = report.scope_from_indicators(f, "Alna")
    assert oslo.spread_text("life_quality_mean", "2024") == "varierte mellom bydelene fra 3,3 (Sagene) til 5,1 (Ullern)"
    assert alna.spread_text("life_quality_mean", "2024") == "var 4,0 i bydel Alna, høyere enn Oslo (3,9)"


def test_level_text(oslo):
    assert oslo.level_text("ten_plus_persons") == "58 (2023)"
    assert oslo.level_text("colocated_need") == "ingen tall i dataene"


def test_mapping_table_counts_for_oslo_yes_no_for_a_bydel():
    f = rows()
    extra = pd.DataFrame([("bydeler_work_activity", "Alna", "2020-02", 1.0, False),
                          ("bydeler_work_activity", "Alna", "2021-06", 0.0, False)],
                         columns=["indicator", "group", "period", "value", "suppressed"])
    f = pd.concat([f, extra], ignore_index=True)
    oslo = report.scope_from_indicators(f)
    alna = report.scope_from_indicators(f, "Alna")
    services = {"Arbeids- og aktivitetstilbud": "bydeler_work_activity"}
    assert oslo.mapping_table(services).loc["Arbeids- og aktivitetstilbud", "2020-02"] == "2 av 15"
    assert list(alna.mapping_table(services).loc["Arbeids- og aktivitetstilbud"]) == ["Ja", "Nei"]


def test_mean_weighting_text():
    f = pd.DataFrame([
        ("life_quality_mean", "Oslo", "2024", 3.89, False),
        ("life_quality_mean_of_bydel_means", "Oslo", "2024", 3.82, False),
        ("life_quality_answers", "Oslo", "2024", 1124, False),
        ("life_quality_bydeler_reporting", "Oslo", "2024", 15, False),
    ], columns=["indicator", "group", "period", "value", "suppressed"])
    text = report.scope_from_indicators(f).mean_weighting_text()
    assert text.startswith(f"I 2024 var gjennomsnittet over alle 1{NBSP}124 svar i Oslo 3,9, høyere enn "
                           "gjennomsnittet av de 15 bydelenes gjennomsnitt (3,8).")
    assert "Bydelene med mange svar har altså i snitt høyere skår" in text


def test_ten_plus_sex_age_cells():
    cells = report.ten_plus_sex_age_cells()
    assert list(cells) == ["Under 25 år", "25–54 år", "55–69 år", "70 år eller eldre", "I alt"]
    assert cells["Under 25 år"] == {"Kvinner": "ten_plus_persons_female_age_under_25",
                                    "Menn": "ten_plus_persons_male_age_under_25",
                                    "I alt": "ten_plus_persons_age_under_25"}
    assert cells["I alt"]["I alt"] == "ten_plus_persons"
    assert "I alt" not in report.ten_plus_sex_age_cells(total=False)


def test_category_labels_keep_the_operator_only_when_needed():
    groups = ["kommunal: Omsorgssentre", "kommunal: Mestringsenheter", "ideell: Omsorgssentre", "kommunal"]
    assert report.Scope.category_labels(groups) == {
        "kommunal: Omsorgssentre": "Omsorgssentre (kommunal)", "kommunal: Mestringsenheter": "Mestringsenheter",
        "ideell: Omsorgssentre": "Omsorgssentre (ideell)", "kommunal": "Kommunale rusinstitusjoner"}


def test_load_scope_on_the_shipped_sample_has_aggregates_only(tmp_path):
    scope = report.load_scope(bydel="Alna", output_dir=tmp_path)
    assert list(scope.indicators.columns) == ["indicator", "group", "period", "value", "numerator", "denominator",
                                              "suppressed"]
    groups = set(scope.indicators["group"])
    assert {"Oslo", "Alna"} <= groups and not groups & {"Bjerke", "Uoppgitt"}
    assert scope.sample and scope.scope_name == "Bydel Alna"
    assert report.load_scope(internal=True, output_dir=tmp_path).suppress_below == 0
