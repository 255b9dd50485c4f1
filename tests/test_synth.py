"""The synthetic sample generator: determinism, the committed sample, person numbers, stays."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict

import numpy as np
import pytest

from prioslo import bydeler, paths, synth

SYNTHETIC_FILES = ("livskvalitet_bydel.csv", "livskvalitet_institusjon.csv", "opphold.csv",
                   "bydelskartlegging.csv")
RECORD_FILES = ("livskvalitet_bydel.csv", "livskvalitet_institusjon.csv", "opphold.csv")


def _rows(content: bytes) -> list[dict[str, str]]:
    text = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.fixture(scope="module")
def shipped() -> dict[str, bytes]:
    return {name: (paths.RAW_DIR / name).read_bytes() for name in SYNTHETIC_FILES}


def test_same_seed_gives_byte_identical_files(tmp_path):
    first = synth.write_sample(tmp_path / "a", seed=11)
    second = synth.write_sample(tmp_path / "b", seed=11)
    assert [p.name for p in first] == list(SYNTHETIC_FILES)
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_different_seed_gives_different_files():
    one, other = synth.sample_files(seed=1), synth.sample_files(seed=2)
    for name in RECORD_FILES:
        assert one[name] != other[name], name


def test_shipped_sample_is_what_the_generator_makes(shipped):
    fresh = synth.sample_files(seed=synth.DEFAULT_SEED)
    for name in SYNTHETIC_FILES:
        # A checkout on Windows may turn LF into CRLF; the content must be the same.
        assert shipped[name].replace(b"\r\n", b"\n") == fresh[name], (
            f"{name} differs from `prioslo synth --seed {synth.DEFAULT_SEED}`: regenerate with `make synth`")


def test_files_look_like_an_excel_export(shipped):
    for name, content in shipped.items():
        assert content.startswith(b"\xef\xbb\xbf"), name  # UTF-8 byte-order mark
        header = content.decode("utf-8-sig").splitlines()[0]
        assert ";" in header and "," not in header, name


def test_hand_computed_check_digits():
    # 15.06.1980, month + 80 -> "158680", individual number 123 (odd: a man).
    # k1: 1*3 + 5*7 + 8*6 + 6*1 + 8*8 + 0*9 + 1*4 + 2*5 + 3*2 = 176 = 16*11 -> k1 = 0
    # k2: 1*5 + 5*4 + 8*3 + 6*2 + 8*7 + 0*6 + 1*5 + 2*4 + 3*3 + 0*2 = 139 = 12*11 + 7 -> k2 = 4
    assert synth.is_synthetic_fodselsnummer("15868012304")
    assert not synth.is_synthetic_fodselsnummer("15868012305")  # wrong second check digit
    assert not synth.is_synthetic_fodselsnummer("15068012304")  # a real month (06): not synthetic


def test_generated_numbers_match_sex_century_and_form():
    rng = np.random.Generator(np.random.PCG64(3))
    taken: set[str] = set()
    for year, sex in [(1961, "M"), (1999, "K"), (2003, "M"), (2004, "K")]:
        for d_number in (False, True):
            number = synth.synthetic_fodselsnummer(rng, year, sex, d_number, taken)
            assert synth.is_synthetic_fodselsnummer(number)
            assert int(number[2:4]) > 80
            assert (int(number[0:2]) > 40) == d_number
            assert number[4:6] == f"{year % 100:02d}"
            individual = int(number[6:9])
            assert (individual < 500) == (year < 2000)
            assert individual % 2 == (1 if sex == "M" else 0)
    assert len(taken) == 8


def _check_person(number: str, sex: str | None, birth_year: int | None) -> list[str]:
    problems = []
    if not synth.is_synthetic_fodselsnummer(number):
        problems.append("not a valid month+80 number")
        return problems
    day, month = int(number[:2]), int(number[2:4]) - 80
    day -= 40 if day > 40 else 0
    individual = int(number[6:9])
    if birth_year is not None:
        if number[4:6] != f"{birth_year % 100:02d}" or (individual < 500) != (birth_year < 2000):
            problems.append("century or year does not match fodselsar")
        try:
            dt.date(birth_year, month, day)
        except ValueError:
            problems.append("no such birth date")
    if sex is not None and individual % 2 != (1 if sex == "M" else 0):
        problems.append("9th digit does not match kjonn")
    return problems


def test_every_person_number_is_a_valid_synthetic_number(shipped):
    bad = []
    for row in _rows(shipped["opphold.csv"]):
        problems = _check_person(row["person"], row["kjonn"], int(row["fodselsar"]))
        if problems:
            bad.append((row["opphold_id"], problems))
    for name, column in [("livskvalitet_bydel.csv", "person"), ("livskvalitet_institusjon.csv", "beboer")]:
        for row in _rows(shipped[name]):
            problems = _check_person(row[column], None, None)
            if problems:
                bad.append((row["svar_id"], problems))
    # Exactly one deliberately mistyped number (see synth.FLAWED_ROWS).
    assert len(bad) == 1 and bad[0][1] == ["not a valid month+80 number"], bad


def test_d_numbers_are_present(shipped):
    persons = {row["person"] for row in _rows(shipped["opphold.csv"])}
    assert any(int(p[:2]) > 40 for p in persons)


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    day, month, year = (int(x) for x in text.split("."))
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def test_stays_of_one_person_never_overlap(shipped):
    stays = defaultdict(list)
    for row in _rows(shipped["opphold.csv"]):
        admitted, discharged = _date(row["innskrevet"]), _date(row["utskrevet"])
        if admitted is None or (discharged is not None and discharged < admitted):
            continue  # the deliberately flawed rows
        stays[row["person"]].append((admitted, discharged or dt.date.max, row["opphold_id"]))
    overlaps = []
    for person, periods in stays.items():
        periods.sort()
        for (a1, d1, id1), (a2, _, id2) in zip(periods, periods[1:]):
            if a2 <= d1:
                overlaps.append((id1, id2))
    assert overlaps == []


def test_stays_span_the_statistics_period(shipped):
    rows = _rows(shipped["opphold.csv"])
    years = {int(r["innskrevet"][-4:]) for r in rows}
    # The issue: stays cover 2015-2024, so every reported year (first to last admission) is complete.
    assert min(years) == 2015 and max(years) == 2024
    assert any(r["utskrevet"] == "" for r in rows)  # some stays are still open


def test_every_bydel_spelling_normalises_back():
    rng = np.random.Generator(np.random.PCG64(5))
    for name in (*bydeler.BYDELER, bydeler.UNSPECIFIED):
        for _ in range(40):
            assert bydeler.normalise_bydel(synth.spell_bydel(rng, name)) == name


def test_spellings_vary_in_the_sample(shipped):
    written = {row["bydel"] for row in _rows(shipped["opphold.csv"])}
    assert {"030199", "Bydel Gamle Oslo", "St.Hanshaugen"} <= written


def test_scores_hit_sum_and_ones():
    rng = np.random.Generator(np.random.PCG64(0))
    answers = synth._scores(rng, n=6, total=20, ones=2, high=5)
    assert len(answers) == 6 and sum(answers) == 20 and answers.count(1) == 2
    assert all(1 <= a <= 5 for a in answers)
    with pytest.raises(ValueError):
        synth._scores(rng, n=3, total=16, ones=0, high=5)  # 3 answers of at most 5 sum to at most 15


def test_spread_respects_bounds():
    rng = np.random.Generator(np.random.PCG64(0))
    parts = synth._spread(rng, total=10, n=3, low=1, high=np.array([2, 5, 5]))
    assert parts.sum() == 10 and parts[0] <= 2 and (parts >= 1).all() and (parts <= 5).all()
    with pytest.raises(ValueError):
        synth._spread(rng, total=20, n=3, low=1, high=5)  # at most 15


def test_calibration_tables_hold_the_printed_totals():
    # Hand-checked against §3.1: 1 124 answers, 81 answers of 1 and 57 declines in 2024.
    lq = [r for r in synth._table(synth.LIFE_QUALITY_BYDEL) if r["year"] == "2024"]
    assert sum(int(r["answers"]) for r in lq) == 1124
    assert sum(int(r["score1"]) for r in lq) == 81
    assert sum(int(r["declined"]) for r in lq) == 57
    # Figur 4: 399 completed and 256 answered at the municipal institutions in 2023.
    inst = [r for r in synth._table(synth.INSTITUTION_LIFE_QUALITY) if r["year"] == "2023"]
    kommunal = [r for r in inst if r["drift"] == "kommunal"]
    assert sum(int(r["completed"]) for r in kommunal) == 399
    assert sum(int(r["answers"]) for r in kommunal) == 256
    assert sum(int(r["score_sum"]) for r in kommunal) == 806  # 806/256 = 3,148 -> 3,15
    # §3.2.3: 58 ten-plus persons in 2023, 14 women and 44 men.
    sex_age = synth._table(synth.TEN_PLUS_2023_SEX_AGE)
    assert sum(int(r["persons"]) for r in sex_age if r["kjonn"] == "K") == 14
    assert sum(int(r["persons"]) for r in sex_age if r["kjonn"] == "M") == 44
    assert sum(int(r["persons"]) for r in synth._table(synth.TEN_PLUS_2023_BYDEL)) == 58


def test_at_most_eight_flawed_rows_are_documented():
    assert 0 < len(synth.FLAWED_ROWS) <= 8
    readme = (paths.RAW_DIR / "README.md").read_text(encoding="utf-8")
    assert "month of birth plus 80" in readme and "seed 2024" in readme
