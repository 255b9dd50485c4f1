"""Figures: numbering, stable names, alt text, source and suppression notes, deterministic files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from prioslo import plotting as pl

NBSP = "\u00a0"


def trend():
    return pd.Series([4.1, 4.3, 4.1, 3.9], index=["2021", "2022", "2023", "2024"], name="Oslo")


def finish(fig, out, name="lq_trend", number="2.1"):
    return pl.finish(fig, number, "Gjennomsnittsskår", "Forklaring.", "Velferdsetaten",
                     "Linje som synker fra 4,1 i 2021 til 3,9 i 2024.", name, out, "oslo", display=False)


def test_finish_writes_stable_files_with_alt_text(tmp_path):
    record = finish(pl.line_trend(trend(), "mean", ylabel="Skår", target=4.5), tmp_path)
    png = tmp_path / "oslo" / "figures" / "lq_trend.png"
    svg = tmp_path / "oslo" / "figures" / "lq_trend.svg"
    assert record.files == [png, svg]
    meta = Image.open(png).text
    assert meta["Description"] == "Linje som synker fra 4,1 i 2021 til 3,9 i 2024."
    assert meta["Title"] == "Figur 2.1: Gjennomsnittsskår"
    assert "Software" not in meta  # no matplotlib version: same bytes after an upgrade of nothing else
    text = svg.read_text(encoding="utf-8")
    assert "<title>Figur 2.1: Gjennomsnittsskår</title>" in text
    assert "<dc:date>" not in text
    assert 'alt="Linje som synker fra 4,1 i 2021 til 3,9 i 2024."' in record.html
    assert "Figur 2.1: Gjennomsnittsskår." in record.html
    assert "Kilde: Velferdsetaten" in record.html
    assert 'src="data:image/png;base64,' in record.html  # inline: the report needs no file beside it
    assert "personvernhensyn" not in record.html


def test_same_figure_twice_gives_identical_bytes(tmp_path):
    finish(pl.line_trend(trend(), "mean", ylabel="Skår"), tmp_path / "a")
    finish(pl.line_trend(trend(), "mean", ylabel="Skår"), tmp_path / "b")
    for suffix in ("png", "svg"):
        a = (tmp_path / "a" / "oslo" / "figures" / f"lq_trend.{suffix}").read_bytes()
        b = (tmp_path / "b" / "oslo" / "figures" / f"lq_trend.{suffix}").read_bytes()
        assert a == b


def test_suppressed_input_adds_the_note(tmp_path):
    values = pd.Series([12.0, np.nan, 40.0], index=["Alna", "Bjerke", "Oslo"])
    values.attrs["suppressed"] = pd.Series([False, True, False], index=values.index)
    fig = pl.hbar(values, "count", xlabel="Antall personer", highlight=("Alna",), reference=("Oslo",))
    assert fig.prioslo_suppressed
    record = finish(fig, tmp_path, name="by_bydel")
    assert "Noen tall er skjult av personvernhensyn" in record.html


def test_heatmap_marks_suppressed_and_keeps_missing_blank(tmp_path):
    frame = pd.DataFrame({"2021": [3.9, np.nan, 4.1], "2022": [np.nan, 4.5, 4.3]}, index=["Alna", "Nordre Aker", "Oslo"])
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    mask.loc["Alna", "2022"] = True
    frame.attrs["suppressed"] = mask
    fig = pl.heatmap(frame, "mean", total_rows=("Oslo",))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "3,9" in texts and "4,5" in texts
    assert texts.count(":") == 1  # the suppressed cell; Nordre Aker 2021 stays blank
    assert fig.prioslo_suppressed
    finish(fig, tmp_path, name="heatmap")


def test_axes_use_norwegian_numbers():
    fig = pl.line_trend(trend(), "mean", ylabel="Skår")
    ax = fig.axes[0]
    assert ax.yaxis.get_major_formatter()(3.5, 0) == "3,5"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021", "2022", "2023", "2024"]
    assert "3,9" in [t.get_text() for t in ax.texts]  # value labels
    fig = pl.grouped_bars(pd.DataFrame({"Personer": [66.0, 58.0], "Opphold": [1100.0, 784.0]}, index=["2020", "2023"]),
                          ylabel="Antall")
    ax = fig.axes[0]
    assert ax.yaxis.get_major_formatter()(1200, 0) == f"1{NBSP}200"
    labels = [t.get_text() for t in ax.texts]
    assert f"1{NBSP}100" in labels and "58" in labels


def test_rounds_are_labelled_as_months():
    frame = pd.DataFrame({"Ja": [2.0, 10.0], "Nei": [13.0, 5.0]}, index=["2020-02", "2024-06"])
    fig = pl.stacked_bars(frame, ylabel="Antall bydeler", ymax=15)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["feb. 20", "juni 24"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: pl.line_trend(pd.Series(dtype=float), ylabel="x"),
        lambda: pl.line_trend({"Oslo": pd.Series([np.nan], index=["2023"])}, ylabel="x"),
        lambda: pl.heatmap(pd.DataFrame()),
        lambda: pl.grouped_bars(pd.DataFrame({"A": [np.nan]}, index=["2023"]), ylabel="x"),
        lambda: pl.grouped_bars(pd.DataFrame({"A": [np.nan], "B": [np.nan]}, index=["2023"]), ylabel="x", separate=True),
        lambda: pl.hbar(pd.Series(dtype=float), xlabel="x"),
        lambda: pl.stacked_bars(pd.DataFrame(), ylabel="x"),
    ],
)
def test_no_data_draws_a_message_instead_of_failing(make):
    fig = make()
    assert pl.NO_DATA_TEXT in [t.get_text() for ax in fig.axes for t in ax.texts]


def test_registry_numbers_per_chapter_and_refuses_duplicate_names(tmp_path):
    reg = pl.FigureRegistry(3, tmp_path, "alna", display=False)
    a = reg.finish(pl.line_trend(trend(), ylabel="x"), title="A", caption="c", source="s", alt_text="a", name="first")
    b = reg.finish(pl.line_trend(trend(), ylabel="x"), title="B", caption="c", source="s", alt_text="b", name="second")
    assert (a.number, b.number) == ("3.1", "3.2")
    assert (tmp_path / "alna" / "figures" / "second.png").exists()
    with pytest.raises(ValueError, match="twice"):
        reg.finish(pl.line_trend(trend(), ylabel="x"), title="C", caption="c", source="s", alt_text="c", name="first")
    assert reg.next_table_number() == "3.1"
    assert reg.next_table_number() == "3.2"


def test_bad_name_is_refused(tmp_path):
    with pytest.raises(ValueError, match="name"):
        finish(pl.line_trend(trend(), ylabel="x"), tmp_path, name="Figur 2")


def test_internal_stamp(tmp_path):
    fig = pl.line_trend(trend(), ylabel="x")
    pl.finish(fig, "1.1", "T", "c", "s", "a", "stamped", tmp_path, "oslo", internal=True, display=False)
    assert pl.INTERNAL_STAMP in [t.get_text() for t in fig.texts]
