"""``prioslo indicators``: scope selection, the CSV writer, and the command end to end on a tiny data dir."""

from __future__ import annotations

import csv
import logging

import numpy as np
import pandas as pd
import pytest

from prioslo.cli import main
from prioslo.errors import PriosloError
from prioslo.pipeline import CSV_COLUMNS, scope_indicators, write_indicators_csv

HEADER = "indicator,group,period,value,numerator,denominator,suppressed"


def write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path):
    """Raw extracts: P-001 has 10 admissions in Alna in 2023, P-002 one in Bjerke; three answers."""
    d = tmp_path / "data"
    d.mkdir()
    head = "opphold_id;person;kjonn;fodselsar;bydel;institusjon;kategori;drift;innskrevet;utskrevet;utskrivningsarsak;utskrevet_til"
    rows = [f"s{k};P-001;M;1980;Alna;Inst;Mestringsenheter;kommunal;{k + 1:02d}.01.2023;{k + 2:02d}.01.2023;;"
            for k in range(10)]
    rows.append("t1;P-002;K;1990;Bydel Bjerke;Inst;Omsorgssentre;kommunal;01.03.2023;01.04.2023;;Egen bolig")
    write(d / "opphold.csv", [head, *rows])
    write(d / "livskvalitet_bydel.csv", ["svar_id;person;bydel;dato;svar", "a1;P-001;Alna;01.02.2023;4",
                                         "a2;P-002;Alna;02.02.2023;Ønsker ikke å svare", "a3;P-003;Alna;03.02.2023;2"])
    return d


def read(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def find(rows, indicator, group, period="2023"):
    hits = [r for r in rows if (r["indicator"], r["group"], r["period"]) == (indicator, group, period)]
    assert len(hits) == 1, (indicator, group, period, len(hits))
    return hits[0]


def test_cli_indicators_writes_the_csv(data_dir, tmp_path, caplog):
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING):
        assert main(["indicators", "--data-dir", str(data_dir), "--output-dir", str(out)]) == 0
    path = out / "oslo" / "tables" / "indicators.csv"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == HEADER
    rows = read(path)
    # 11 admissions in Oslo (10 Alna + 1 Bjerke): shown; Bjerke's 1 is suppressed and blank.
    assert find(rows, "admissions", "Oslo") | {} == {
        "indicator": "admissions", "group": "Oslo", "period": "2023", "value": "11",
        "numerator": "", "denominator": "", "suppressed": "false"}
    bjerke = find(rows, "admissions", "Bjerke")
    assert (bjerke["value"], bjerke["suppressed"]) == ("", "true")
    # Share of admissions by the ten-plus person, 10 / 11: its complement (1 admission by others)
    # is below 5, so the share is hidden.
    share = find(rows, "ten_plus_share_admissions", "Oslo")
    assert (share["value"], share["numerator"], share["suppressed"]) == ("", "", "true")
    # Absent extracts are skipped with a warning, not an error.
    assert any("institution_places" in m and "absent" in m for m in caplog.messages)
    assert not any(r["indicator"] == "rental_units" for r in rows)
    # No person id in the output.
    assert "P-00" not in text


def test_cli_suppress_below_zero_shows_small_counts(data_dir, tmp_path):
    out = tmp_path / "out"
    assert main(["indicators", "--data-dir", str(data_dir), "--output-dir", str(out), "--suppress-below", "0"]) == 0
    rows = read(out / "oslo" / "tables" / "indicators.csv")
    bjerke = find(rows, "admissions", "Bjerke")
    assert (bjerke["value"], bjerke["suppressed"]) == ("1", "false")
    # 10 of 11 admissions, rounded to six decimals.
    share = find(rows, "ten_plus_share_admissions", "Oslo")
    assert (share["value"], share["numerator"], share["denominator"]) == ("0.909091", "10", "11")
    # Two numeric answers in Alna (4 and 2), one decline: mean 3.
    mean = find(rows, "life_quality_mean", "Alna")
    assert (mean["value"], mean["numerator"], mean["denominator"]) == ("3", "6", "2")
    assert find(rows, "life_quality_declined", "Alna")["value"] == "1"
    assert all(r["suppressed"] == "false" for r in rows)


def test_cli_from_to(data_dir, tmp_path):
    out = tmp_path / "out"
    assert main(["indicators", "--data-dir", str(data_dir), "--output-dir", str(out), "--from", "2024"]) == 0
    assert read(out / "oslo" / "tables" / "indicators.csv") == []
    assert (out / "oslo" / "tables" / "indicators.csv").read_text(encoding="utf-8").strip() == HEADER


@pytest.mark.parametrize("args, message", [
    (["--from", "2024", "--to", "2023"], "--from 2024 is after --to 2023"),
    (["--suppress-below", "-1"], "--suppress-below"),
])
def test_cli_bad_options_exit_2(data_dir, tmp_path, capsys, args, message):
    assert main(["indicators", "--data-dir", str(data_dir), "--output-dir", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def answers_frame():
    """Processed bydel life-quality answers 2023: Alna 3, Bjerke 7, Frogner 10 (all answer 4)."""
    bydeler = ["Alna"] * 3 + ["Bjerke"] * 7 + ["Frogner"] * 10
    n = len(bydeler)
    return pd.DataFrame({"answer_id": [f"a{i}" for i in range(n)], "person_id": [f"p{i}" for i in range(n)],
                         "bydel": bydeler, "date": pd.Timestamp("2023-05-01"), "year": 2023,
                         "answer": pd.array([4] * n, dtype="Int64"), "declined": False})


def test_scope_bydel_keeps_bydel_and_oslo_after_suppression_of_the_whole_table():
    tables = {"life_quality_bydel": answers_frame()}
    oslo = scope_indicators(tables, suppress_below=5)
    bjerke = scope_indicators(tables, suppress_below=5, bydel="Bjerke")
    assert list(bjerke.columns) == list(CSV_COLUMNS)
    assert set(bjerke["group"]) == {"Oslo", "Bjerke"}
    assert set(oslo["group"]) == {"Oslo", "Alna", "Bjerke", "Frogner"}
    # Bjerke's 7 answers are hidden in its own report too: Oslo 20 - Frogner 10 - Bjerke 7 would
    # give Alna's 3 back, and Frogner's 10 is published in Frogner's report.
    row = bjerke[(bjerke["indicator"] == "life_quality_answers") & (bjerke["group"] == "Bjerke")].iloc[0]
    assert row["suppressed"] and np.isnan(row["value"])
    oslo_row = bjerke[(bjerke["indicator"] == "life_quality_answers") & (bjerke["group"] == "Oslo")].iloc[0]
    assert oslo_row["value"] == 20 and not oslo_row["suppressed"]
    # A slug works as well as the name.
    pd.testing.assert_frame_equal(scope_indicators(tables, bydel="bjerke"), bjerke)
    with pytest.raises(PriosloError, match="unknown bydel"):
        scope_indicators(tables, bydel="Atlantis")


def test_scope_inputs_unchanged():
    tables = {"life_quality_bydel": answers_frame()}
    before = tables["life_quality_bydel"].copy(deep=True)
    scope_indicators(tables, 2023, 2023, 5)
    pd.testing.assert_frame_equal(tables["life_quality_bydel"], before)


def test_write_indicators_csv_formats_numbers(tmp_path):
    df = pd.DataFrame({
        "indicator": ["ten_plus_share_admissions", "admissions", "admissions", "life_quality_mean"],
        "group": ["Oslo", "Oslo", "Alna", "Grünerløkka"],
        "period": ["2023", "2023", "2023", "2023"],
        "value": [10 / 43, 58.0, np.nan, -0.0],
        "numerator": [10.0, np.nan, np.nan, 0.0],
        "denominator": [43.0, np.nan, np.nan, 7.0],
        "suppressed": [False, False, True, False],
    })
    path = write_indicators_csv(df, tmp_path / "sub" / "indicators.csv")
    assert path.read_text(encoding="utf-8").splitlines() == [
        HEADER,
        "ten_plus_share_admissions,Oslo,2023,0.232558,10,43,false",
        "admissions,Oslo,2023,58,,,false",
        "admissions,Alna,2023,,,,true",
        "life_quality_mean,Grünerløkka,2023,0,0,7,false",
    ]


def test_bydel_scope_keeps_its_rows_oslo_and_institution_groups():
    # Hand-made long frame: one row per kind of group.
    frame = pd.DataFrame({
        "indicator": ["x"] * 6,
        "group": ["Oslo", "Alna", "Bjerke", "Uoppgitt", "kommunal", "ideell: Omsorgssentre"],
        "period": ["2023"] * 6,
        "value": [6.0, 1.0, 2.0, 3.0, 4.0, 5.0],
    })
    from prioslo.pipeline import select_scope

    assert select_scope(frame, "Alna")["group"].tolist() == ["Oslo", "Alna", "kommunal", "ideell: Omsorgssentre"]
    assert select_scope(frame, None)["group"].tolist() == frame["group"].tolist()
    assert frame["group"].tolist()[2] == "Bjerke"  # input unchanged


def test_write_indicators_csv_stamp_adds_a_last_column(tmp_path):
    from prioslo.pipeline import write_indicators_csv

    frame = pd.DataFrame({"indicator": ["admissions"], "group": ["Oslo"], "period": ["2023"],
                          "value": [12.0], "numerator": [float("nan")], "denominator": [float("nan")]})
    text = write_indicators_csv(frame, tmp_path / "i.csv", stamp="Internt – ikke for publisering").read_text("utf-8")
    assert text.splitlines() == [
        "indicator,group,period,value,numerator,denominator,suppressed,stamp",
        "admissions,Oslo,2023,12,,,false,Internt – ikke for publisering",
    ]
