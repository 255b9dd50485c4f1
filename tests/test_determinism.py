"""Determinism: the same inputs give byte-identical processed tables, indicator tables, build
tables and (after nbval's sanitisation) identical notebook outputs.

Two runs are compared file by file; a difference names the file. The sample is copied to two
different folders for ``prepare`` and ``indicators``, so nothing may depend on where the data
live either.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fixtures_build import (bydel_build, build_root, copy_sample, nbval_view, oslo_build,  # noqa: F401
                            oslo_build_again, run_cli, sample_dir)

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _assert_same_bytes(a: Path, b: Path, only: tuple[str, ...] | None = None) -> int:
    fa, fb = _files(a), _files(b)
    if only is not None:
        fa = {k: v for k, v in fa.items() if k.startswith(only)}
        fb = {k: v for k, v in fb.items() if k.startswith(only)}
    assert sorted(fa) == sorted(fb)
    different = [name for name in fa if fa[name] != fb[name]]
    assert not different, f"not byte-identical: {different}"
    return len(fa)


@pytest.fixture(scope="module")
def two_samples(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("determinism")
    return copy_sample(root / "a" / "raw"), copy_sample(root / "elsewhere" / "b" / "raw")


def test_sample_has_record_level_extracts(two_samples):
    """Determinism must be shown on the person-level data, not only on the aggregates."""
    names = {p.stem for p in two_samples[0].iterdir() if p.is_file()}
    assert {"opphold", "livskvalitet_bydel", "livskvalitet_institusjon", "bydelskartlegging"} <= names


def test_prepare_twice_is_byte_identical(two_samples):
    a, b = two_samples
    for data_dir in (a, b):
        assert run_cli("prepare", "--data-dir", data_dir) == 0
    n = _assert_same_bytes(a / "processed", b / "processed")
    assert n >= 3  # parquet tables, rejected rows, manifest
    names = set(_files(a / "processed"))
    assert "manifest.json" in names and any(n.endswith(".parquet") for n in names)
    assert any(n.startswith("rejected/") for n in names)


def test_prepare_again_in_place_is_byte_identical(two_samples, tmp_path):
    a, _ = two_samples
    assert run_cli("prepare", "--data-dir", a) == 0
    shutil.copytree(a / "processed", tmp_path / "first")
    assert run_cli("prepare", "--data-dir", a) == 0
    _assert_same_bytes(tmp_path / "first", a / "processed")


@pytest.mark.parametrize("case", ["op_xlsx_dates", "lb_xlsx_sheets_title_row", "lb_windows_1252",
                                  "sb_fnr_in_merknad", "op_unknown_category"])
def test_prepare_of_odd_inputs_is_byte_identical(case, tmp_path):
    dirs = [shutil.copytree(HOSTILE / case, tmp_path / run / case) for run in ("one", "two")]
    for data_dir in dirs:
        assert run_cli("prepare", "--data-dir", data_dir) == 0
    _assert_same_bytes(dirs[0] / "processed", dirs[1] / "processed")


@pytest.mark.parametrize("options", [(), ("--suppress-below", "0"), ("--from", "2022", "--to", "2023")])
def test_indicators_twice_is_byte_identical(two_samples, tmp_path, options):
    a, b = two_samples
    outs = [tmp_path / "one", tmp_path / "two"]
    for data_dir, out in zip((a, b), outs):
        assert run_cli("indicators", "--data-dir", data_dir, "--output-dir", out, *options) == 0
    first = (outs[0] / "oslo/tables/indicators.csv").read_bytes()
    assert first == (outs[1] / "oslo/tables/indicators.csv").read_bytes()
    assert first.count(b"\n") > 100  # a real table, not two empty ones


@pytest.mark.slow
def test_two_builds_give_identical_tables_figures_and_notebook_outputs(oslo_build_again):
    first, second = oslo_build_again
    n = _assert_same_bytes(first, second, only=("tables/",))
    assert n >= 2  # indicators.csv and scorecard.csv
    notebooks = sorted(p.name for p in (first / "notebooks").glob("*.ipynb"))
    assert notebooks
    for name in notebooks:
        view_a, view_b = nbval_view(first / "notebooks" / name), nbval_view(second / "notebooks" / name)
        assert view_a, f"{name} has no outputs"
        assert view_a == view_b, f"{name}: notebook outputs differ between two builds"


@pytest.mark.slow
def test_two_builds_give_identical_figures(oslo_build_again):
    """Figures are named stably and rendered deterministically (no timestamps in PNG/SVG)."""
    first, second = oslo_build_again
    assert _assert_same_bytes(first, second, only=("figures/",)) > 0
