"""Value cleaners per column kind and record-level checks (prioslo.cleaning)."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

from prioslo import cleaning, schema


def s(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


# dates ---------------------------------------------------------------------------------------------

def test_dates_in_every_accepted_format():
    out = cleaning.clean_dates(s("05.02.2023", "5.2.2023", "2023-02-05", "2023-02-05 00:00:00",
                                 " 05.02.2023 ", "44962"))
    # 44962 days after 1899-12-30 is 2023-02-05 (45000 = 2023-03-15, 38 days earlier)
    assert (out.reasons == "").all()
    assert out.values.tolist() == [pd.Timestamp("2023-02-05")] * 6


def test_unparseable_invalid_and_implausible_dates_are_rejected():
    out = cleaning.clean_dates(s("i går", "31.02.2023", "05/02/2023", "01.01.1989", "01.01.2999", ""),
                               latest=datetime.date(2025, 1, 1))
    assert out.reasons[0] == "unparseable date 'i går' (expected dd.mm.yyyy or yyyy-mm-dd)"
    assert out.reasons[1] == "invalid date '31.02.2023'"
    assert out.reasons[2].startswith("unparseable date '05/02/2023'")
    assert out.reasons[3] == "date 01.01.1989 outside the plausible window 01.01.1990–01.01.2025"
    assert out.reasons[4].startswith("date 01.01.2999 outside")
    assert out.reasons[5] == "missing value"
    assert out.values.isna().all()


def test_optional_empty_date_is_missing_without_reason():
    out = cleaning.clean_dates(s("", "01.03.2023"), required=False)
    assert out.reasons.tolist() == ["", ""]
    assert pd.isna(out.values[0]) and out.values[1] == pd.Timestamp("2023-03-01")


# reporting rounds -----------------------------------------------------------------------------------

def test_months_in_every_accepted_format():
    out = cleaning.clean_months(s("2024-06", "2024-6", "06.2024", "6.2024", "jun.24", "juni 2024",
                                  "Jun 2024", "01.06.2024", "2024-06-01"))
    assert (out.reasons == "").all()
    assert set(out.values) == {"2024-06"}


def test_bad_months_are_rejected():
    out = cleaning.clean_months(s("2024-13", "sommer 2024", "2024-07"), latest=datetime.date(2024, 6, 30))
    assert out.reasons[0] == "invalid month in reporting round '2024-13'"
    assert out.reasons[1].startswith("unparseable reporting round 'sommer 2024'")
    assert out.reasons[2] == "reporting round 2024-07 outside 1990-01–2024-06"


# numbers --------------------------------------------------------------------------------------------

def test_counts_with_thousands_separators_and_zero_decimals():
    out = cleaning.clean_ints(s("11 384", "11\u00a0384", "11.384", "1.000.000", "12,0", "12.0", "0"), low=0)
    assert (out.reasons == "").all()
    assert out.values.tolist() == [11384, 11384, 11384, 1000000, 12, 12, 0]
    assert str(out.values.dtype) == "Int64"


def test_bad_counts_are_rejected():
    out = cleaning.clean_ints(s("11,384", "-3", "mange", "4,5", ""), low=0)
    assert out.reasons.tolist() == [
        "number '11,384' is not a whole number",  # decimal comma: 11.384 is no count
        "negative number -3",
        "number 'mange' is not a number",
        "number '4,5' is not a whole number",
        "missing value",
    ]
    assert out.values.isna().all()


def test_years_within_1900_and_this_year():
    this_year = datetime.date.today().year
    out = cleaning.clean_years(s("1985", "1899", str(this_year + 1), "1985,0"))
    assert out.values[0] == 1985 and out.values[3] == 1985
    assert out.reasons[1] == f"year 1899 outside 1900..{this_year}"
    assert out.reasons[2] == f"year {this_year + 1} outside 1900..{this_year}"


# answers --------------------------------------------------------------------------------------------

def test_answers_decimal_comma_range_and_decline():
    raw = s("4,0", "4,5", "0", "8", "Ønsker ikke å svare", "ØNSKER IKKE Å SVARE", "onsker ikke a svare", "7", "")
    out = cleaning.clean_answers(raw, required=True, low=1, high=7, allow_decline=True)
    assert out.values.tolist()[0] == 4 and out.values.tolist()[7] == 7
    assert out.reasons.tolist() == [
        "", "answer '4,5' is not a whole number", "answer 0 outside 1..7", "answer 8 outside 1..7",
        "", "", "", "", "missing value",
    ]
    assert cleaning.is_decline(raw).tolist() == [False, False, False, False, True, True, True, False, False]
    assert out.values[4:7].isna().all()


def test_institution_answer_may_be_empty_but_not_declined():
    raw = s("", "5", "6", "Ønsker ikke å svare")
    out = cleaning.clean_answers(raw, required=False, low=1, high=5, allow_decline=False)
    assert out.reasons.tolist()[:3] == ["", "", "answer 6 outside 1..5"]
    assert out.reasons[3].startswith("the decline option is not an answer here")
    assert pd.isna(out.values[0]) and out.values[1] == 5


# choices and text -----------------------------------------------------------------------------------

def test_choices_get_the_contract_spelling():
    out = cleaning.clean_choices(s(" Kommunal ", "IDEELL", "privat"), schema.OPERATORS)
    assert out.values.tolist()[:2] == ["kommunal", "ideell"]
    assert out.reasons[2] == "unknown value 'privat' (expected one of: kommunal, ideell)"
    levels = cleaning.clean_choices(s("Svært  stor grad", "svaert stor grad", "NOEN GRAD"), schema.FOLLOWUP_LEVELS)
    assert levels.values.tolist() == ["svært stor grad", "svært stor grad", "noen grad"]
    sexes = cleaning.clean_choices(s("k", "M"), schema.SEXES)
    assert sexes.values.tolist() == ["K", "M"]


def test_text_is_scrubbed_of_fodselsnummer_and_markers_canonicalised(fnr):
    number = fnr.make(15, 6, 85)
    raw = s(f"ring {number} i morgen", f"ref {number[:6]} {number[6:]}", "EGEN BOLIG",
            "Øyeblikkelig utskrivning - vold eller trusler", "", "Telefon 22 33 44 55")
    out = cleaning.clean_text(raw)
    assert out.values[0] == "ring [fjernet] i morgen"
    assert out.values[1] == "ref [fjernet]"
    assert out.values[2] == schema.MOVE_TO_OWN_HOME
    assert out.values[3] == schema.DISCHARGE_VIOLENCE
    assert pd.isna(out.values[4])
    assert out.values[5] == "Telefon 22 33 44 55"
    assert out.scrubbed.tolist() == [True, True, False, False, False, False]
    assert (out.reasons == "").all()


def test_required_text_must_not_be_empty():
    out = cleaning.clean_text(s("Inst A", " "), required=True)
    assert out.reasons.tolist() == ["", "missing value"]


def test_ids_are_trimmed_and_must_not_be_a_fodselsnummer(fnr):
    out = cleaning.clean_ids(s(" A1 ", "", fnr.make(15, 6, 85), "12345678901"))
    assert out.values[0] == "A1"
    assert out.reasons[1] == "missing value"
    assert out.reasons[2].startswith("id looks like a fødselsnummer")
    # 11 digits with wrong check digits cannot be a person: an ordinary id
    assert cleaning.clean_ids(s(fnr.spoil(fnr.make(15, 6, 85)))).reasons[0] == ""


def test_person_reasons_never_contain_the_number(fnr):
    bad = fnr.spoil(fnr.make(15, 6, 85))
    out = cleaning.clean_persons(s(bad, fnr.make(5, 6, 85)[1:], ""))
    assert out.reasons[0] == "invalid fødselsnummer (check digits do not match)"
    assert out.values[1] == fnr.make(5, 6, 85)
    assert out.reasons[2] == "missing value"


def test_bydel_unknown_and_bydeler_only():
    out = cleaning.clean_bydeler(s("Bydel Alna", "Marka", "Bydel X"))
    assert out.values.tolist()[:2] == ["Alna", "Uoppgitt"]
    assert out.reasons[2] == "unknown bydel 'Bydel X'"
    only = cleaning.clean_bydeler(s("Alna", "Sentrum", "030199"), bydeler_only=True)
    assert only.reasons[0] == ""
    assert only.reasons[1] == "'Sentrum' is not one of the 15 bydeler (this extract is answered by bydeler)"
    assert only.reasons[2].startswith("'030199' is not one of the 15 bydeler")


# record-level checks --------------------------------------------------------------------------------

def test_record_problems_of_stays():
    frame = pd.DataFrame({
        "category": ["Mestringsenheter", "Mestringsenheter", "Omsorgssentre", None],
        "operator": ["kommunal", "ideell", "ideell", "ideell"],
        "admitted": pd.to_datetime(["2023-03-01", "2023-03-01", "2023-03-01", "2023-03-01"]),
        "discharged": pd.to_datetime(["2023-03-01", "2023-02-28", None, "2023-04-01"]),
        "birth_year": pd.array([1985, 1985, 2024, 1900], dtype="Int64"),
    })
    problems = cleaning.record_problems(frame, schema.OPPHOLD)
    assert problems["kategori"].tolist() == [
        "", "category 'Mestringsenheter' is not a category of ideell institutions", "", ""]
    assert problems["utskrevet"].tolist() == ["", "discharged 28.02.2023 before admitted 01.03.2023", "", ""]
    assert problems["fodselsar"].tolist() == ["", "", "birth year 2024 after the admission year",
                                              "birth year 1900 gives age 123 at admission (implausible)"]


@pytest.mark.parametrize("kind", ["id", "person", "bydel", "date", "month", "year", "int", "answer",
                                  "choice", "text"])
def test_clean_column_dispatches_every_kind(kind):
    column = schema.Column("x", "x", kind, required=True, low=1, high=5, choices=("a",))
    out = cleaning.clean_column(s(""), column)
    assert out.reasons.tolist() == ["missing value"]


@pytest.mark.parametrize("kind", ["id", "person", "bydel", "date", "month", "year", "int", "answer",
                                  "choice", "text"])
def test_every_kind_copes_with_an_empty_column(kind):
    column = schema.Column("x", "x", kind, required=True, low=1, high=5, choices=("a",))
    out = cleaning.clean_column(s(), column)
    assert len(out.values) == len(out.reasons) == len(out.scrubbed) == 0


def test_record_problems_of_an_empty_frame():
    frame = pd.DataFrame({"category": pd.Series([], dtype="str"), "operator": pd.Series([], dtype="str"),
                          "admitted": pd.Series([], dtype="datetime64[us]"),
                          "discharged": pd.Series([], dtype="datetime64[us]"),
                          "birth_year": pd.Series([], dtype="Int64")})
    assert all(len(v) == 0 for v in cleaning.record_problems(frame, schema.OPPHOLD).values())


@pytest.mark.parametrize("value,area", [("Sentrum", "Sentrum"), ("Bydel Sentrum", "Sentrum"), ("030116", "Sentrum"),
                                        ("MARKA", "Marka"), ("030117", "Marka"), ("030199", "Uoppgitt"),
                                        ("Uten registrert adresse", "Uoppgitt"), ("Uoppgitt", "Uoppgitt")])
def test_unspecified_area(value, area):
    assert cleaning.unspecified_area(value) == area
