"""Person-number validation and keyed pseudonymisation (prioslo.pseudonym)."""

from __future__ import annotations

import hashlib
import hmac
import logging

import pandas as pd
import pytest

from prioslo import pseudonym
from prioslo.pseudonym import pseudonym_key, pseudonymise, validate_person_number


def test_synthetic_month_plus_80_is_accepted(fnr):
    number = fnr.make(15, 6, 85)  # 15.06.1985, month written as 86
    assert number[2:4] == "86"
    assert validate_person_number(number) == number


def test_ordinary_fodselsnummer_and_d_nummer_are_accepted(fnr):
    ordinary = fnr.make(3, 3, 71, synthetic=False)
    d_number = fnr.make(1, 2, 70, synthetic=False, d_number=True)  # day written as 41
    assert d_number.startswith("41")
    assert validate_person_number(ordinary) == ordinary
    assert validate_person_number(d_number) == d_number


def test_fh_number_without_birth_date_is_accepted(fnr):
    fh = fnr.make(81, 23, 45, synthetic=False)  # first digit 8: health-sector assistance number
    assert validate_person_number(fh) == fh


def test_separators_are_removed(fnr):
    number = fnr.make(15, 6, 85)
    assert validate_person_number(f" {number[:6]} {number[6:]} ") == number
    assert validate_person_number(f"{number[:6]}-{number[6:]}") == number


def test_bad_check_digit_is_rejected_without_repeating_the_number(fnr):
    bad = fnr.spoil(fnr.make(15, 6, 85))
    with pytest.raises(ValueError, match="check digits") as info:
        validate_person_number(bad)
    assert bad not in str(info.value)


def test_impossible_or_future_birth_date_is_rejected(fnr):
    with pytest.raises(ValueError, match="no valid birth date"):
        validate_person_number(fnr.make(31, 2, 85))  # 31 February, valid check digits
    with pytest.raises(ValueError, match="no valid birth date"):
        validate_person_number(fnr.make(15, 13, 85, synthetic=False))  # month 13
    with pytest.raises(ValueError, match="future"):
        validate_person_number(fnr.make(1, 1, 39, individual=500))  # individual 500-999, yy 39 -> 2039


def test_ten_digits_get_their_excel_stripped_zero_back(fnr):
    number = fnr.make(5, 6, 85)  # starts with 0
    assert number[0] == "0"
    assert validate_person_number(number[1:]) == number


def test_ten_digits_that_are_no_stripped_number_are_rejected(fnr):
    spoiled = fnr.spoil(fnr.make(5, 6, 85))
    with pytest.raises(ValueError, match="check digits"):
        validate_person_number(spoiled[1:])


@pytest.mark.parametrize("value", ["1234567", "123456789"])
def test_short_digit_runs_look_incomplete(value):
    with pytest.raises(ValueError, match="looks like an incomplete fødselsnummer"):
        validate_person_number(value)


def test_twelve_digits_are_rejected():
    with pytest.raises(ValueError, match="too many digits"):
        validate_person_number("123456789012")


@pytest.mark.parametrize("value", ["P-000123", "3f9a0c1d2e4b5a69", "anon17"])
def test_already_pseudonymised_ids_are_kept(value):
    assert validate_person_number(f" {value} ") == value


def test_excel_scientific_notation_is_rejected():
    with pytest.raises(ValueError, match="scientific notation"):
        validate_person_number("1.50686E+10")


def test_empty_is_missing():
    with pytest.raises(ValueError, match="missing value"):
        validate_person_number("  ")


def test_pseudonymise_is_the_truncated_keyed_hmac():
    values = pd.Series(["abc", None, "abc", "xyz"])
    out = pseudonymise(values, b"k")
    expected_abc = hmac.new(b"k", b"abc", hashlib.sha256).hexdigest()[:16]
    assert out[0] == expected_abc and out[2] == expected_abc
    assert pd.isna(out[1])
    assert len(out[3]) == 16 and out[3] != expected_abc


def test_same_key_same_pseudonym_other_key_other_pseudonym(fnr):
    person = fnr.make(15, 6, 85)
    first = pseudonymise(pd.Series([person]), b"key-1")[0]
    again = pseudonymise(pd.Series(["x", person]), b"key-1")[1]
    other = pseudonymise(pd.Series([person]), b"key-2")[0]
    assert first == again
    assert first != other
    assert person not in first


def test_key_from_environment(monkeypatch):
    monkeypatch.setenv(pseudonym.KEY_ENV, "secret value")
    assert pseudonym_key() == b"secret value"


def test_default_key_warns(monkeypatch, caplog):
    monkeypatch.delenv(pseudonym.KEY_ENV, raising=False)
    monkeypatch.setattr(pseudonym, "_warned_default_key", False)
    with caplog.at_level(logging.WARNING, logger="prioslo.pseudonym"):
        assert pseudonym_key() == b"prioslo-sample-data-not-secret"
    assert "PRIOSLO_PSEUDONYM_KEY" in caplog.text
