"""Norwegian number formatting: separators, rounding, suppressed values, tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from prioslo import formatting as fmt

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (11384, 0, f"11{NBSP}384"),  # Tabell 3, thousands separator is a no-break space
        (11384.0, 0, f"11{NBSP}384"),
        (1124, 0, f"1{NBSP}124"),
        (999, 0, "999"),
        (1234567.891, 2, f"1{NBSP}234{NBSP}567,89"),
        (0, 0, "0"),
        (2.5, 0, "3"),  # half away from zero, not banker's rounding (babel's default gives 2)
        (-2.5, 0, "-3"),
        (-0.04, 1, "0,0"),  # never «-0,0»
        (np.int64(58), 0, "58"),
    ],
)
def test_fmt_number(x, decimals, expected):
    assert fmt.fmt_number(x, decimals) == expected


@pytest.mark.parametrize(("x", "decimals", "expected"),
                         [(3.9, 1, "3,9"), (3.94, 1, "3,9"), (3.95, 1, "4,0"), (3.15, 2, "3,15"),
                          (0.125, 2, "0,13"), (4, 1, "4,0")])
def test_fmt_decimal(x, decimals, expected):
    assert fmt.fmt_decimal(x, decimals) == expected


@pytest.mark.parametrize(("x", "decimals", "expected"),
                         [(0.072, 1, f"7,2{NBSP}%"), (81 / 1124, 1, f"7,2{NBSP}%"), (0.23, 0, f"23{NBSP}%"),
                          (1.0, 1, f"100,0{NBSP}%"), (0.0, 1, f"0,0{NBSP}%"), (-0.121, 0, f"-12{NBSP}%")])
def test_fmt_percent(x, decimals, expected):
    assert fmt.fmt_percent(x, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, math.inf])
def test_missing_values_print_colon(missing):
    assert fmt.fmt_number(missing) == ":"
    if missing is not math.inf:
        assert fmt.fmt_decimal(missing) == ":"
        assert fmt.fmt_percent(missing) == ":"
        assert fmt.fmt_value(missing, "share") == ":"


def test_fmt_change_has_explicit_sign():
    assert fmt.fmt_change(0.1, 0) == f"+10{NBSP}%"
    assert fmt.fmt_change((58 - 66) / 66, 0) == f"-12{NBSP}%"  # 66 -> 58: -12 %
    assert fmt.fmt_change(0.0, 0) == f"0{NBSP}%"


def test_fmt_value_by_unit():
    assert fmt.fmt_value(11384, "count") == f"11{NBSP}384"
    assert fmt.fmt_value(3.9123, "mean") == "3,9"
    assert fmt.fmt_value(3.9123, "mean", decimals=2) == "3,91"
    assert fmt.fmt_value(0.05, "share") == f"5,0{NBSP}%"
    with pytest.raises(ValueError):
        fmt.fmt_value(1, "euro")


def test_fmt_period():
    assert fmt.fmt_period("2023") == "2023"
    assert fmt.fmt_period(2023) == "2023"
    assert fmt.fmt_period("2024-06") == "juni 2024"
    assert fmt.fmt_period("2020-02") == "februar 2020"
    assert fmt.fmt_period("2020-02", short=True) == "feb. 20"


def test_fmt_list():
    assert fmt.fmt_list(["Alna"]) == "Alna"
    assert fmt.fmt_list(["Alna", "Bjerke", "Grorud"]) == "Alna, Bjerke og Grorud"
    assert fmt.fmt_list([]) == ""


def test_tick_formatters():
    assert fmt.number_formatter()(11384, 0) == f"11{NBSP}384"
    assert fmt.percent_formatter()(0.1, 0) == f"10{NBSP}%"
    assert fmt.axis_formatter("mean")(3.5, 0) == "3,5"


def test_suppression_note():
    assert fmt.suppression_note(5) == ": = skjult av personvernhensyn (færre enn 5)"


def test_format_frame_distinguishes_suppressed_from_missing():
    df = pd.DataFrame({"2021": [3.94, np.nan, np.nan], "2022": [4.2, 4.5, 4.0]},
                      index=["Alna", "Nordre Aker", "Ullern"])
    mask = pd.DataFrame(False, index=df.index, columns=df.columns)
    mask.loc["Ullern", "2021"] = True
    out = fmt.format_frame(df, "mean", suppressed=mask)
    assert out.loc["Alna", "2021"] == "3,9"
    assert out.loc["Nordre Aker", "2021"] == ""  # did not report: blank as in Figur 2
    assert out.loc["Ullern", "2021"] == ":"  # suppressed
    assert out.loc["Nordre Aker", "2022"] == "4,5"
    assert df.loc["Alna", "2021"] == 3.94  # input untouched


def test_format_frame_reads_mask_from_attrs():
    df = pd.DataFrame({"2023": [np.nan, 12.0]}, index=["Alna", "Oslo"])
    df.attrs["suppressed"] = pd.DataFrame({"2023": [True, False]}, index=["Alna", "Oslo"])
    out = fmt.format_frame(df, "count")
    assert list(out["2023"]) == [":", "12"]


def test_table_html_has_note_only_when_something_is_suppressed():
    df = pd.DataFrame({"Antall": [11384.0, np.nan]}, index=["2019", "2020"])
    plain = fmt.table_html(df, "count", caption="Tabell 5.2: Utleieboliger", source="Boligbygg", threshold=5)
    assert f"11{NBSP}384" in plain
    assert "Tabell 5.2: Utleieboliger" in plain
    assert "Kilde: Boligbygg" in plain
    assert "personvernhensyn" not in plain

    mask = pd.DataFrame({"Antall": [False, True]}, index=df.index)
    hidden = fmt.table_html(df, "count", suppressed=mask, threshold=5)
    assert ": = skjult av personvernhensyn (færre enn 5)" in hidden
    assert '<td class="num">:</td>' in hidden


def test_table_bold_total_row_and_escaping():
    df = pd.DataFrame({"Antall": [4, 113]}, index=["<Alna>", "Totalt"])
    out = fmt.table_html(df, "count", total_rows=("Totalt",))
    assert "&lt;Alna&gt;" in out
    assert '<tr class="total"><th scope="row"><strong>Totalt</strong></th>' in out
    assert "<strong>113</strong>" in out


def test_table_returns_displayable_html():
    df = pd.DataFrame({"Antall": [1]}, index=["A"])
    assert "<table" in fmt.table(df)._repr_html_()
