"""Disclosure control as a reader of the published outputs would attack it.

:func:`violations` looks at a published indicator table the way an outsider can: it knows only
the shown cells, and tries to (1) read a small count of persons directly, (2) read it as the
complement of a share (denominator minus numerator), (3) recompute a hidden cell from a total and
its other parts, or (4) recompute a hidden count from a shown share or mean and its shown
denominator. The partitions and share definitions are written out here from the indicator
specification — not taken from the catalogue — so that a partition the catalogue forgot is caught.

The fast tests run the check on the whole suppressed sample table and probe single rules with
hand-made frames; the slow ones run it on the outputs of a bydel build (``indicators.csv``,
``scorecard.csv``, the HTML report) and check the marks (``:``, the note under figures,
``suppressed=true``) and the «Internt – ikke for publisering» stamp of ``--internal``.
"""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fixtures_build import (SAMPLE_BYDEL, build_root, bydel_build, internal_build,  # noqa: F401
                            sample_dir)
from prioslo.bydeler import BYDELER, OSLO, UNSPECIFIED
from prioslo.disclosure import suppress

THRESHOLD = 5

# --- what the specification says can be added up -------------------------------------------------

#: Sensitive person/answer/stay counts (catalogue ``sensitive`` counts), by the indicator spec.
SENSITIVE_COUNTS = {
    "life_quality_answers", "life_quality_score1", "life_quality_declined",
    "admissions", "residents", "ten_plus_persons", "ten_plus_stays",
    "immediate_discharges_violence", "immediate_discharges_violence_persons",
    "ten_plus_immediate_discharges_violence", "ten_plus_persons_immediate_discharges_violence",
    "institution_life_quality_completed", "institution_life_quality_answers",
    "institution_life_quality_score1", "institution_life_quality_respondents",
    "moves_to_housing_persons", "moves_to_housing_count",
    "moves_to_housing_persons_short_term_drug_free", "moves_to_housing_count_short_term_drug_free",
}
SEXES = ("female", "male")
AGES = ("age_under_25", "age_25_54", "age_55_69", "age_70_plus")
SENSITIVE_COUNTS |= {f"ten_plus_persons_{s}" for s in SEXES} | {f"ten_plus_persons_{a}" for a in AGES}
SENSITIVE_COUNTS |= {f"ten_plus_persons_{s}_{a}" for s in SEXES for a in AGES}

#: share/mean id -> (numerator count id or None, denominator count id)
RATIOS = {
    "life_quality_mean": (None, "life_quality_answers"),
    "life_quality_share_score1": ("life_quality_score1", "life_quality_answers"),
    "ten_plus_share_admissions": ("ten_plus_stays", "admissions"),
    "ten_plus_share_residents": ("ten_plus_persons", "residents"),
    "institution_life_quality_mean": (None, "institution_life_quality_answers"),
    "institution_life_quality_share_score1": ("institution_life_quality_score1", "institution_life_quality_answers"),
}

#: Indicators where Oslo = the 15 bydeler + Uoppgitt (each person/stay/answer in one bydel group).
BYDEL_ADDITIVE = {
    "life_quality_answers", "life_quality_score1", "life_quality_declined", "life_quality_mean",
    "admissions", "residents", "ten_plus_persons", "ten_plus_stays",
    "immediate_discharges_violence", "immediate_discharges_violence_persons",
    "ten_plus_immediate_discharges_violence", "ten_plus_persons_immediate_discharges_violence",
    "moves_to_housing_persons", "moves_to_housing_count",
    "moves_to_housing_persons_short_term_drug_free", "moves_to_housing_count_short_term_drug_free",
} | {i for i in SENSITIVE_COUNTS if i.startswith("ten_plus_persons_") and "violence" not in i}

#: Indicators where Oslo = kommunal + ideell and each operator = its «<drift>: <kategori>» groups
#: (rows, not persons: a person may be in two institutions).
INSTITUTION_ADDITIVE = {"moves_to_housing_count", "institution_life_quality_completed",
                        "institution_life_quality_answers", "institution_life_quality_score1",
                        "institution_life_quality_mean"}

#: total id -> parts, within one group and period.
BREAKDOWNS: list[tuple[str, tuple[str, ...]]] = [
    ("ten_plus_persons", tuple(f"ten_plus_persons_{s}" for s in SEXES)),
    ("ten_plus_persons", tuple(f"ten_plus_persons_{a}" for a in AGES)),
    *[(f"ten_plus_persons_{s}", tuple(f"ten_plus_persons_{s}_{a}" for a in AGES)) for s in SEXES],
    *[(f"ten_plus_persons_{a}", tuple(f"ten_plus_persons_{s}_{a}" for s in SEXES)) for a in AGES],
]

#: Identities across indicators and groups (total cell, part cells), as (indicator, group) pairs:
#: the moves from «rusfri korttid» stays are the moves from the two short-term drug-free categories.
CROSS_IDENTITIES: list[tuple[tuple[str, str], tuple[tuple[str, str], ...]]] = [
    (("moves_to_housing_count_short_term_drug_free", OSLO),
     (("moves_to_housing_count", "kommunal: Mestringsenheter"),
      ("moves_to_housing_count", "ideell: Utredning og videreformidling, rusfri"))),
]


def _cells(frame: pd.DataFrame) -> dict[tuple[str, str, str], pd.Series]:
    return {(r.indicator, r.group, str(r.period)): r for r in frame.itertuples(index=False)}


def _shown(row) -> bool:
    return row is not None and not bool(row.suppressed)


def _partition_violation(cells, members: list[tuple[str, str, str]], what: str) -> str | None:
    """A partition (total first) with exactly one hidden member lets the reader recompute it."""
    present = [cells.get(m) for m in members]
    if any(p is None for p in present):
        return None  # a cell not published at all is no equation the reader has
    hidden = [m for m, p in zip(members, present) if bool(p.suppressed)]
    if len(hidden) == 1:
        return f"{what}: {hidden[0]} is the only hidden cell of {members[0]} = sum of its parts"
    return None


def violations(frame: pd.DataFrame, threshold: int = THRESHOLD) -> list[str]:
    """Every way a reader could see or recompute a small count in a published indicator table."""
    problems: list[str] = []
    cells = _cells(frame)
    periods = sorted({str(p) for p in frame["period"]})
    for key, row in cells.items():
        indicator, group, period = key
        if not bool(row.suppressed) and (pd.isna(row.value) and pd.isna(row.numerator) and pd.isna(row.denominator)):
            continue
        if bool(row.suppressed):
            if not (pd.isna(row.value) and pd.isna(row.numerator) and pd.isna(row.denominator)):
                problems.append(f"{key}: suppressed but a number is still shown")
            continue
        if indicator in SENSITIVE_COUNTS and row.value < threshold:
            problems.append(f"{key}: a count of {row.value:g} (< {threshold}) is shown")
        if indicator in RATIOS:
            if not pd.isna(row.denominator) and row.denominator < threshold:
                problems.append(f"{key}: rests on {row.denominator:g} (< {threshold}) answers/persons")
            if RATIOS[indicator][0] is not None and not pd.isna(row.numerator):
                complement = row.denominator - row.numerator
                if row.numerator < threshold or complement < threshold:
                    problems.append(f"{key}: numerator {row.numerator:g} / complement {complement:g} < {threshold}")
    # a share or mean and its counts: shown ratio + shown count reveals the other count; a hidden
    # share whose counts are both shown is no secret either (its complement is their difference)
    for (indicator, group, period), row in cells.items():
        if indicator not in RATIOS:
            continue
        num_id, den_id = RATIOS[indicator]
        num = cells.get((num_id, group, period)) if num_id else None
        den = cells.get((den_id, group, period))
        if _shown(row):
            for count in (num, den):
                if count is not None and bool(count.suppressed):
                    problems.append(f"{(indicator, group, period)} is shown but its count {count.indicator} is hidden")
        elif num_id and _shown(num) and _shown(den):
            problems.append(f"{(indicator, group, period)} is hidden but numerator and denominator are shown")
    groups_of_bydel = [OSLO, *BYDELER, UNSPECIFIED]
    institution = sorted({g for g in frame["group"] if ":" in g})
    for indicator in sorted(set(frame["indicator"])):
        for period in periods:
            if indicator in BYDEL_ADDITIVE:
                members = [(indicator, g, period) for g in groups_of_bydel]
                present = [m for m in members if m in cells]
                if (indicator, OSLO, period) in cells and len(present) > 1:
                    # groups with no row are zeros the reader knows; only shown/hidden rows matter
                    hidden = [m for m in present if bool(cells[m].suppressed)]
                    if len(hidden) == 1:
                        problems.append(f"bydel partition: {hidden[0]} is the only hidden cell of Oslo = bydeler + Uoppgitt")
            if indicator in INSTITUTION_ADDITIVE:
                for total, parts in [(OSLO, ["kommunal", "ideell"]),
                                     ("kommunal", [g for g in institution if g.startswith("kommunal:")]),
                                     ("ideell", [g for g in institution if g.startswith("ideell:")])]:
                    members = [(indicator, g, period) for g in [total, *parts] if (indicator, g, period) in cells]
                    if (indicator, total, period) in cells and len(members) > 1:
                        hidden = [m for m in members if bool(cells[m].suppressed)]
                        if len(hidden) == 1:
                            problems.append(f"institution partition: {hidden[0]} is the only hidden cell of {total}")
    for total, parts in BREAKDOWNS:
        for group in set(frame["group"]):
            for period in periods:
                v = _partition_violation(cells, [(i, group, period) for i in (total, *parts)], "breakdown")
                if v:
                    problems.append(v)
    for (total_id, total_group), parts in CROSS_IDENTITIES:
        for period in periods:
            members = [(total_id, total_group, period)] + [(i, g, period) for i, g in parts]
            v = _partition_violation(cells, members, "identity")
            if v:
                problems.append(v)
    for period in periods:
        mean_of = cells.get(("life_quality_mean_of_bydel_means", OSLO, period))
        if _shown(mean_of):
            hidden = [b for b in BYDELER if ("life_quality_mean", b, period) in cells
                      and bool(cells[("life_quality_mean", b, period)].suppressed)]
            if len(hidden) == 1:
                problems.append(f"mean of bydel means {period} shown with only {hidden[0]}'s mean hidden")
    return problems


# --- helpers ---------------------------------------------------------------------------------------

def _frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows ``(indicator, group, period, value[, numerator, denominator])`` as an indicator frame."""
    out = []
    for r in rows:
        indicator, group, period, value, *rest = r
        num, den = (rest + [np.nan, np.nan])[:2]
        out.append({"indicator": indicator, "group": group, "period": period, "value": float(value),
                    "numerator": float(num), "denominator": float(den)})
    return pd.DataFrame(out)


def _hidden(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return {(r.indicator, r.group) for r in frame.itertuples() if r.suppressed}


# --- the checker itself must be able to fail -----------------------------------------------------

def test_checker_finds_each_kind_of_leak():
    base = [("admissions", OSLO, "2023", 30), ("admissions", "Alna", "2023", 12),
            ("admissions", "Bjerke", "2023", 15), ("admissions", UNSPECIFIED, "2023", 3)]
    frame = _frame(base).assign(suppressed=False)
    assert any("count of 3" in v for v in violations(frame))
    frame.loc[3, ["value", "suppressed"]] = [np.nan, True]
    assert any("only hidden cell" in v for v in violations(frame))
    frame.loc[1, ["value", "suppressed"]] = [np.nan, True]
    assert violations(frame) == []
    share = _frame([("life_quality_share_score1", OSLO, "2023", 0.97, 97, 100),
                    ("life_quality_score1", OSLO, "2023", 97), ("life_quality_answers", OSLO, "2023", 100)])
    assert any("complement 3" in v for v in violations(share.assign(suppressed=False)))


# --- fast: the whole suppressed sample table ------------------------------------------------------

@pytest.fixture(scope="module")
def sample_tables(sample_dir):
    from prioslo.prepare import load_tables

    return load_tables(sample_dir)


@pytest.fixture(scope="module")
def published(sample_tables) -> pd.DataFrame:
    from prioslo.pipeline import scope_indicators

    return scope_indicators(sample_tables, suppress_below=THRESHOLD)


def test_sample_table_has_something_to_hide(published):
    assert published["suppressed"].sum() > 10
    assert not published["suppressed"].all()


def test_no_small_count_is_readable_or_recomputable_in_the_sample(published):
    problems = violations(published)
    assert problems == [], "\n".join(problems[:20]) + (f"\n... {len(problems)} in all" if len(problems) > 20 else "")


def test_bydel_scope_hides_exactly_what_the_oslo_scope_hides(sample_tables, published):
    """The Oslo report and the bydel reports are all published: a cell must be hidden in every
    scope or in none, or one report would give away what another hides."""
    from prioslo.pipeline import scope_indicators

    flags = published.set_index(["indicator", "group", "period"])["suppressed"]
    for bydel in ("Gamle Oslo", "Ullern", "Søndre Nordstrand"):
        scope = scope_indicators(sample_tables, suppress_below=THRESHOLD, bydel=bydel)
        assert set(scope["group"]) <= {OSLO, bydel} | {g for g in published["group"] if g not in BYDELER and g != UNSPECIFIED}
        joined = scope.set_index(["indicator", "group", "period"])["suppressed"]
        assert joined.equals(flags.reindex(joined.index))


def test_threshold_zero_hides_nothing(sample_tables):
    from prioslo.pipeline import scope_indicators

    assert not scope_indicators(sample_tables, suppress_below=0)["suppressed"].any()


# --- fast: single rules of issue 4 on hand-made frames --------------------------------------------

def test_small_person_count_and_zero_are_hidden_stock_counts_are_not():
    frame = _frame([("residents", "Alna", "2023", 4), ("residents", "Bjerke", "2023", 0),
                    ("residents", "Frogner", "2023", 5), ("institution_places", "kommunal", "2023", 3)])
    out = suppress(frame, THRESHOLD)
    assert ("residents", "Alna") in _hidden(out) and ("residents", "Bjerke") in _hidden(out)
    assert ("residents", "Frogner") not in _hidden(out)
    assert ("institution_places", "kommunal") not in _hidden(out)
    assert out.loc[out["suppressed"], ["value", "numerator", "denominator"]].isna().all().all()


def test_complement_of_a_share_is_protected():
    """97 of 100 answers at score 1: the 3 others are a small count of persons too."""
    frame = _frame([("life_quality_share_score1", "Alna", "2023", 0.97, 97, 100),
                    ("life_quality_score1", "Alna", "2023", 97), ("life_quality_answers", "Alna", "2023", 100)])
    out = suppress(frame, THRESHOLD)
    assert ("life_quality_share_score1", "Alna") in _hidden(out)
    assert violations(out) == []


def test_mean_on_four_answers_is_hidden():
    frame = _frame([("life_quality_mean", "Alna", "2023", 4.5, 18, 4), ("life_quality_answers", "Alna", "2023", 4)])
    assert _hidden(suppress(frame, THRESHOLD)) == {("life_quality_mean", "Alna"), ("life_quality_answers", "Alna")}


def test_one_small_bydel_gets_a_second_suppression():
    frame = _frame([("admissions", OSLO, "2023", 42), ("admissions", "Alna", "2023", 3),
                    ("admissions", "Bjerke", "2023", 9), ("admissions", "Frogner", "2023", 30)])
    out = suppress(frame, THRESHOLD)
    assert _hidden(out) == {("admissions", "Alna"), ("admissions", "Bjerke")}  # Bjerke: the smallest other


def test_sex_and_age_breakdowns_cannot_be_subtracted():
    rows = [("ten_plus_persons", OSLO, "2023", 40), ("ten_plus_persons_female", OSLO, "2023", 3),
            ("ten_plus_persons_male", OSLO, "2023", 37)]
    rows += [(f"ten_plus_persons_{a}", OSLO, "2023", v) for a, v in zip(AGES, (6, 20, 12, 2))]
    out = suppress(_frame(rows), THRESHOLD)
    hidden = _hidden(out)
    assert ("ten_plus_persons_female", OSLO) in hidden and ("ten_plus_persons_male", OSLO) in hidden
    assert ("ten_plus_persons_age_70_plus", OSLO) in hidden and ("ten_plus_persons_age_under_25", OSLO) in hidden
    assert ("ten_plus_persons", OSLO) not in hidden
    assert violations(out) == []


def test_share_resting_on_a_hidden_count_is_hidden():
    frame = _frame([("ten_plus_share_admissions", "Alna", "2023", 0.1, 3, 30),
                    ("ten_plus_stays", "Alna", "2023", 3), ("admissions", "Alna", "2023", 30)])
    out = suppress(frame, THRESHOLD)
    assert ("ten_plus_share_admissions", "Alna") in _hidden(out)
    assert violations(out) == []


def test_mean_of_bydel_means_does_not_give_away_one_hidden_mean():
    rows = [("life_quality_mean_of_bydel_means", OSLO, "2023", 4.0)]
    for bydel, (total, n) in zip(BYDELER[:3], ((40, 10), (36, 9), (12, 3))):
        rows += [("life_quality_mean", bydel, "2023", total / n, total, n), ("life_quality_answers", bydel, "2023", n)]
    out = suppress(_frame(rows), THRESHOLD)
    assert violations(out) == []


def test_short_term_drug_free_moves_do_not_reveal_a_hidden_category():
    """moves_to_housing_count_short_term_drug_free (Oslo) = moves of «kommunal: Mestringsenheter» +
    «ideell: Utredning og videreformidling, rusfri»: with one of the two hidden, the total gives it away."""
    frame = _frame([
        ("moves_to_housing_count", OSLO, "2023", 60), ("moves_to_housing_count", "kommunal", "2023", 40),
        ("moves_to_housing_count", "ideell", "2023", 20),
        ("moves_to_housing_count", "kommunal: Mestringsenheter", "2023", 3),
        ("moves_to_housing_count", "kommunal: Omsorgssentre", "2023", 17),
        ("moves_to_housing_count", "kommunal: Ressurssentre", "2023", 20),
        ("moves_to_housing_count", "ideell: Utredning og videreformidling, rusfri", "2023", 12),
        ("moves_to_housing_count", "ideell: Omsorgssentre", "2023", 8),
        ("moves_to_housing_count_short_term_drug_free", OSLO, "2023", 15),
    ])
    out = suppress(frame, THRESHOLD)
    assert ("moves_to_housing_count", "kommunal: Mestringsenheter") in _hidden(out)
    assert violations(out) == []


# --- slow: the outputs of a bydel build -----------------------------------------------------------

def _read_indicators(scope_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(scope_dir / "tables" / "indicators.csv", dtype={"period": str, "suppressed": str},
                        keep_default_na=False, na_values=[""])
    assert set(frame["suppressed"]) <= {"true", "false"}
    return frame.assign(suppressed=frame["suppressed"].eq("true"))


class _Cells(HTMLParser):
    """Text of every table cell (``td``/``th``) and every figure caption of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self.captions: list[str] = []
        self._stack: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th", "figcaption"):
            self._stack.append([tag])

    def handle_endtag(self, tag):
        if tag in ("td", "th", "figcaption") and self._stack:
            kind, *parts = self._stack.pop()
            (self.captions if kind == "figcaption" else self.cells).append(" ".join("".join(parts).split()))

    def handle_data(self, data):
        if self._stack:
            self._stack[-1].append(data)


def _html(scope_dir: Path) -> tuple[str, _Cells]:
    text = (scope_dir / "report.html").read_text(encoding="utf-8")
    parser = _Cells()
    parser.feed(text)
    return text, parser


@pytest.mark.slow
def test_bydel_build_indicators_csv(bydel_build):
    frame = _read_indicators(bydel_build)
    assert set(frame.columns) == {"indicator", "group", "period", "value", "numerator", "denominator", "suppressed"}
    assert {OSLO, SAMPLE_BYDEL} <= set(frame["group"])
    assert frame["suppressed"].any()
    hidden = frame[frame["suppressed"]]
    assert hidden[["value", "numerator", "denominator"]].isna().all().all()
    problems = [p for p in violations(frame) if "partition" not in p]  # one bydel + Oslo is not a partition
    assert problems == [], "\n".join(problems[:20])


@pytest.mark.slow
def test_bydel_build_scorecard_never_shows_a_hidden_value(bydel_build):
    from prioslo.scorecard import load_targets

    indicators = _read_indicators(bydel_build)
    scorecard = pd.read_csv(bydel_build / "tables" / "scorecard.csv", dtype=str, keep_default_na=False)
    rows = {r["target_id"]: r for _, r in scorecard.iterrows()}
    checked = 0
    for target in load_targets():
        if not getattr(target, "measurable", True) or target.direction not in ("at_least", "at_most"):
            continue
        group = SAMPLE_BYDEL if target.group == "scope" else target.group
        cells = indicators[(indicators["indicator"] == target.indicator) & (indicators["group"] == group)]
        if cells.empty:
            continue
        latest = cells.sort_values("period").iloc[-1]
        shown = rows[target.id]["value"]
        if latest["suppressed"]:
            assert shown == "", f"{target.id}: scorecard shows {shown} for a hidden {target.indicator} {group}"
        else:
            assert shown != "" and math.isclose(float(shown), latest["value"], rel_tol=1e-6, abs_tol=1e-6)
        checked += 1
    assert checked >= 3


@pytest.mark.slow
def test_bydel_report_marks_hidden_cells_and_figures(bydel_build):
    from prioslo.formatting import SUPPRESSED
    from prioslo.plotting import SUPPRESSED_NOTE

    text, parsed = _html(bydel_build)
    assert SUPPRESSED in parsed.cells, "no table cell is marked «:»"
    assert "skjult av personvernhensyn" in text
    assert any(SUPPRESSED_NOTE in c for c in parsed.captions) or SUPPRESSED_NOTE in text, \
        "no figure carries the note about hidden numbers"
    assert "Internt – ikke for publisering" not in text


def _code_sources(notebook: Path) -> str:
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_bydel_report_numbers_come_only_from_the_suppressed_table(bydel_build):
    """The chapter notebooks read only the scope's suppressed indicators (via ``prioslo.report``),
    never the processed record-level tables or an unsuppressed computation, so no hidden number can
    reach a table or figure of the report."""
    notebooks = sorted((bydel_build / "notebooks").glob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        code = _code_sources(notebook)
        for forbidden in ("load_tables", "load_processed", "read_parquet", "compute_indicators",
                          "prepare(", "suppress_below=0", "suppress(", "scope_indicators("):
            assert forbidden not in code, f"{notebook.name} calls {forbidden}"


STAMP = "Internt – ikke for publisering"


def _unstamped(scope_dir: Path, suffixes: tuple[str, ...]) -> list[str]:
    """Files under ``scope_dir`` with one of ``suffixes`` that do not carry :data:`STAMP`.

    A PNG carries it drawn into the image; that is checked on the SVG rendered from the same
    figure (or, failing that, in the PNG's text metadata).
    """
    missing = []
    for path in sorted(p for p in scope_dir.rglob("*") if p.is_file() and p.suffix in suffixes):
        if path.suffix == ".png":
            svg = path.with_suffix(".svg")
            if svg.is_file() and STAMP in svg.read_text(encoding="utf-8"):
                continue
            from PIL import Image

            with Image.open(path) as image:
                if any(STAMP in str(v) for v in (getattr(image, "text", {}) or {}).values()):
                    continue
        elif STAMP in path.read_text(encoding="utf-8"):
            continue
        missing.append(path.relative_to(scope_dir).as_posix())
    return missing


@pytest.mark.slow
def test_internal_build_hides_nothing_and_stamps_every_page(internal_build):
    frame = _read_indicators(internal_build)
    assert not frame["suppressed"].any()
    assert frame["value"].notna().all()
    text, parsed = _html(internal_build)
    assert text.count(STAMP) >= 2  # the title page and the pages after it
    assert ":" not in parsed.cells
    pages = (".html", ".ipynb", ".svg", ".png", ".txt", ".md")
    assert list(internal_build.glob("figures/*.png")) and list(internal_build.glob("notebooks/*.ipynb"))
    assert _unstamped(internal_build, pages) == []


@pytest.mark.slow
def test_internal_build_stamps_its_data_files_too(internal_build):
    assert _unstamped(internal_build, (".csv", ".json")) == []
