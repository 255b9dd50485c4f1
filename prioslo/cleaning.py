"""Cleaning and validation of raw extract values, one function per column kind of :mod:`prioslo.schema`.

Every cleaner takes a Series of raw strings (as :func:`prioslo.readers.read_extract` returns them)
and returns a :class:`Cleaned`: the typed values (missing where the value is empty or invalid), a
reason per row (empty string when the value is fine) and which text values were scrubbed. The
caller (:mod:`prioslo.prepare`) rejects every row with a reason; nothing is dropped silently.

Decisions where the data contract is silent (documented here so that analysts can look them up):

* **Dates** accept ``dd.mm.yyyy`` and ``d.m.yyyy``, ISO ``yyyy-mm-dd`` (a trailing time of day is
  ignored) and Excel serial numbers written as a 5-digit number (``45123`` = 2023-07-16). Two-digit
  years and ``/`` separators are rejected as ambiguous. Event dates must lie within
  :data:`EARLIEST_DATE` .. today: an earlier or later date is a typo.
* **Reporting rounds** (``month``) accept ``yyyy-mm``, ``mm.yyyy`` / ``m.yyyy``, a full date (its
  month is taken) and Norwegian month names as Excel shows them (``jun.24``, ``juni 2024``; a
  two-digit year means 20yy). A round must lie within 1990-01 .. the current month.
* **Whole numbers** accept a space, non-breaking space or ``.`` as thousands separator but only in
  groups of three (``11 384``, ``11.384``: the contract uses Norwegian number formatting, where
  ``.`` never is a decimal point in a count), and a zero decimal part after ``,`` or ``.``
  (``12,0``, ``12.0``). ``11,384`` is a decimal number in Norwegian formatting and is rejected as
  not whole. Counts below their ``low`` bound (negative counts) are rejected.
* **Answers** are whole numbers in ``[low, high]`` (``4,0`` is 4, ``4,5`` and ``0``/``8`` are
  rejected); the decline text is matched ignoring case, spacing and diacritics
  (``onsker ikke a svare``).
* **Choices** are matched ignoring case, spacing, dash style and diacritics, and written with the
  contract's spelling.
* **Text** is trimmed; anything shaped like a fødselsnummer (11 digits, optionally split after the
  sixth by a space or dash) is replaced by :data:`SCRUBBED` and counted (the row is kept). Text
  equal to one of the contract's marker values (``Egen bolig``, the violence discharge reason) in
  another case or dash style is written with the contract's spelling, because indicators compare
  them exactly.
* **Ids** must be non-empty and must not themselves be a valid fødselsnummer (an id that
  identifies a person would leak into the processed tables).
"""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from prioslo import bydeler, schema
from prioslo.pseudonym import validate_person_number

log = logging.getLogger(__name__)

SCRUBBED = "[fjernet]"
"""What replaces a fødselsnummer found in free text (and person ids in the rejected-rows files)."""

EARLIEST_DATE = datetime.date(1990, 1, 1)
"""Earliest plausible event date (admission, answer, count). Older dates are taken as typos."""

EARLIEST_YEAR = 1900
"""Earliest plausible year (birth years included)."""

MAX_AGE = 110
"""Oldest plausible age at admission. A birth year such as 1900 (a common placeholder for an
unknown date) would make the person 120 or more: a typo, rejected."""

BYDELER_ONLY = frozenset({schema.BYDELSKARTLEGGING.raw_name})
"""Extracts whose rows must name one of the 15 real bydeler (Sentrum, Marka, Uoppgitt rejected)."""

FNR_PATTERN = re.compile(r"(?<!\d)\d{6}[ \u00a0\-]?\d{5}(?!\d)")
"""Anything shaped like a fødselsnummer: 11 digits, optionally split after the sixth."""

LOOSE_FNR_PATTERN = re.compile(r"(?<!\d)(?:\d{6}[ \u00a0\-]?\d{5}|\d{5}[ \u00a0\-]?\d{5})(?!\d)")
"""Like :data:`FNR_PATTERN`, and also 10 digits (a fødselsnummer whose leading zero Excel
stripped). Used for the rejected-rows files, where a shifted row can put a person number into
any column and scrubbing a harmless 10-digit number costs nothing."""

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_DASHES = re.compile(r"\s*[\u2010-\u2015\u2212-]\s*")

_MONTH_NAMES = {
    "jan": 1, "januar": 1, "feb": 2, "februar": 2, "mar": 3, "mars": 3, "apr": 4, "april": 4,
    "mai": 5, "may": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "okt": 10, "oct": 10, "oktober": 10, "nov": 11,
    "november": 11, "des": 12, "dec": 12, "desember": 12,
}

_DMY = r"(?P<d1>\d{1,2})\.(?P<m1>\d{1,2})\.(?P<y1>\d{4})(?:\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?"
_ISO = r"(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})(?:[T\s]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_SERIAL = r"(?P<serial>\d{5})(?:[.,]0+)?"
_DATE_RE = re.compile(rf"^(?:{_DMY}|{_ISO}|{_SERIAL})$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")

_NUMBER_RE = re.compile(
    r"^(?P<sign>[+\-\u2212]?)(?P<int>\d{1,3}(?:[ .]\d{3})+|\d+)(?:[.,](?P<frac>\d+))?$")


@dataclass(frozen=True)
class Cleaned:
    """Result of cleaning one column."""

    values: pd.Series
    """Typed values; missing where the raw value is empty or invalid."""
    reasons: pd.Series
    """Why the value rejects its row; ``""`` where it does not."""
    scrubbed: pd.Series
    """True where a fødselsnummer-shaped run was removed from a text value (row kept)."""


def normalise_space(raw: pd.Series) -> pd.Series:
    """Return ``raw`` as strings with any run of (non-breaking) spaces turned into one space, trimmed."""
    return raw.fillna("").astype("str").str.replace(_SPACES, " ", regex=True).str.strip()


def fold(text: str) -> str:
    """Comparison key: case-folded, single spaces, ``-`` for every dash, no diacritics (æ->ae, ø->o, å->a)."""
    s = _SPACES.sub(" ", unicodedata.normalize("NFKC", str(text))).strip().casefold()
    s = _DASHES.sub(" - ", s)
    s = s.replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")


def scrub_text(text: str) -> str:
    """Replace anything shaped like a fødselsnummer in ``text`` by :data:`SCRUBBED`."""
    return FNR_PATTERN.sub(SCRUBBED, str(text))


def scrub_loosely(text: str) -> str:
    """Replace every 10- or 11-digit run (see :data:`LOOSE_FNR_PATTERN`) by :data:`SCRUBBED`."""
    return LOOSE_FNR_PATTERN.sub(SCRUBBED, str(text))


def _quote(value: str, limit: int = 60) -> str:
    value = scrub_text(value)
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _quoted(text: pd.Series) -> pd.Series:
    """:func:`_quote` of every value, as a ``str`` Series (also when empty)."""
    return text.map(_quote).astype("str")


def _explain(reasons: pd.Series, mask: pd.Series, build) -> pd.Series:
    """Set ``build(mask)`` as the reason of the rows in ``mask`` that have none yet.

    Reasons are built only for failing rows: formatting a message for every row of a large
    extract would cost more than the cleaning itself.
    """
    mask = (mask.fillna(False).astype(bool)) & (reasons == "")
    if not mask.any():
        return reasons
    out = reasons.copy()
    out[mask] = build(mask).astype("str")
    return out


def _result(values: pd.Series, reasons: pd.Series, scrubbed: pd.Series | None = None) -> Cleaned:
    if scrubbed is None:
        scrubbed = pd.Series(False, index=values.index, dtype=bool)
    return Cleaned(values, reasons.astype("str"), scrubbed)


def _empty_reasons(raw: pd.Series) -> pd.Series:
    return pd.Series("", index=raw.index, dtype="str")


def _missing(text: pd.Series, required: bool, reasons: pd.Series) -> pd.Series:
    """Mark empty required values in ``reasons`` (returns a new Series)."""
    if required:
        reasons = reasons.mask((text == "") & (reasons == ""), "missing value")
    return reasons


def _by_unique(text: pd.Series, func) -> tuple[pd.Series, pd.Series]:
    """Apply ``func(value) -> (clean, reason)`` once per distinct non-empty value."""
    unique = pd.unique(text[text != ""])
    results = {v: func(v) for v in unique}
    values = text.map({v: r[0] for v, r in results.items()}).astype("object")
    reasons = text.map({v: r[1] for v, r in results.items()}).astype("str").fillna("")
    return values, reasons


# --------------------------------------------------------------------------------------------------
# kinds


def clean_ids(raw: pd.Series, required: bool = True) -> Cleaned:
    """Clean an ``id`` column: trimmed, non-empty, and not a valid fødselsnummer."""
    text = normalise_space(raw)

    def check(v: str) -> tuple[str | None, str]:
        digits = re.sub(r"[ \-]", "", v)
        if digits.isdigit() and len(digits) == 11:
            try:
                validate_person_number(digits)
            except ValueError:
                pass
            else:
                return None, "id looks like a fødselsnummer; use an id that does not identify the person"
        return v, ""

    values, reasons = _by_unique(text, check)
    reasons = _missing(text, required, reasons)
    return _result(values.where(reasons == "").astype("str"), reasons)


def clean_persons(raw: pd.Series, required: bool = True) -> Cleaned:
    """Validate a ``person`` column (see :func:`prioslo.pseudonym.validate_person_number`).

    Values are normalised (separators removed, Excel-stripped leading zero restored) but not yet
    pseudonymised. Reasons never contain the value.
    """
    text = normalise_space(raw)

    def check(v: str) -> tuple[str | None, str]:
        try:
            return validate_person_number(v), ""
        except ValueError as exc:
            return None, str(exc)

    values, reasons = _by_unique(text, check)
    reasons = _missing(text, required, reasons)
    return _result(values.where(reasons == "").astype("str"), reasons)


def clean_bydeler(raw: pd.Series, required: bool = True, bydeler_only: bool = False) -> Cleaned:
    """Normalise a ``bydel`` column to the official name or ``Uoppgitt``.

    Parameters
    ----------
    bydeler_only : bool
        When True (the bydel mapping survey) only the 15 real bydeler are valid; Sentrum, Marka
        and unregistered addresses are rejected, because the survey is answered by bydeler.
    """
    text = normalise_space(raw)

    def check(v: str) -> tuple[str | None, str]:
        name = bydeler.normalise_bydel(v)
        if name is None:
            return None, f"unknown bydel {_quote(v)}"
        if bydeler_only and name not in bydeler.BYDELER:
            return None, f"{_quote(v)} is not one of the 15 bydeler (this extract is answered by bydeler)"
        return name, ""

    values, reasons = _by_unique(text, check)
    reasons = _missing(text, required, reasons)
    return _result(values.where(reasons == "").astype("str"), reasons)


def unspecified_area(value: str) -> str:
    """Which non-bydel area a value normalised to ``Uoppgitt`` names: Sentrum, Marka or Uoppgitt.

    Used only to tell rows apart when looking for duplicates: a count for Sentrum and one for
    Marka in the same round are two rows of the group ``Uoppgitt``, not a duplicate.
    """
    key = re.sub(r"[^a-z0-9]", "", fold(value))
    key = key[len("bydel"):] if key.startswith("bydel") and len(key) > len("bydel") else key
    for code, name in bydeler.NON_BYDEL_CODES.items():
        if key in (code, fold(name)):
            return name
    return bydeler.UNSPECIFIED


def parse_dates(text: pd.Series) -> pd.Series:
    """Parse trimmed date strings (see the module docstring); NaT where not a valid calendar date."""
    parts = text.str.extract(_DATE_RE)
    year = parts["y1"].fillna(parts["y2"])
    month = parts["m1"].fillna(parts["m2"])
    day = parts["d1"].fillna(parts["d2"])
    ymd = pd.DataFrame({"year": pd.to_numeric(year), "month": pd.to_numeric(month),
                        "day": pd.to_numeric(day)}, index=text.index)
    dates = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    has_ymd = ymd.notna().all(axis=1)
    if has_ymd.any():
        dates[has_ymd] = pd.to_datetime(ymd[has_ymd], errors="coerce")
    serial = pd.to_numeric(parts["serial"])
    has_serial = serial.notna()
    if has_serial.any():
        dates[has_serial] = _EXCEL_EPOCH + pd.to_timedelta(serial[has_serial], unit="D")
    return dates


def clean_dates(raw: pd.Series, required: bool = True, earliest: datetime.date = EARLIEST_DATE,
                latest: datetime.date | None = None) -> Cleaned:
    """Clean a ``date`` column into ``datetime64`` values.

    Parameters
    ----------
    earliest, latest : datetime.date
        Plausible window; ``latest`` defaults to today. Dates outside it are rejected as typos.
    """
    text = normalise_space(raw)
    latest = latest or datetime.date.today()
    dates = parse_dates(text)
    shaped = text.str.match(_DATE_RE)
    reasons = _empty_reasons(text)
    reasons = _explain(reasons, (text != "") & ~shaped,
                       lambda i: "unparseable date " + _quoted(text[i]) + " (expected dd.mm.yyyy or yyyy-mm-dd)")
    reasons = _explain(reasons, (text != "") & shaped & dates.isna(),
                       lambda i: "invalid date " + _quoted(text[i]))
    outside = dates.notna() & ((dates < pd.Timestamp(earliest)) | (dates > pd.Timestamp(latest)))
    reasons = _explain(reasons, outside, lambda i: "date " + dates[i].dt.strftime("%d.%m.%Y")
                       + f" outside the plausible window {earliest:%d.%m.%Y}–{latest:%d.%m.%Y}")
    reasons = _missing(text, required, reasons)
    return _result(dates.where(reasons == ""), reasons)


def _parse_month(v: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", v)
    if m:
        return int(m[1]), int(m[2])
    m = re.fullmatch(r"(?:\d{1,2}\.)?(\d{1,2})[./-](\d{4})", v)
    if m:
        return int(m[2]), int(m[1])
    m = re.fullmatch(r"([a-zæøå]+)\.?[ \-]?(\d{2}|\d{4})", v.casefold())
    if m and m[1] in _MONTH_NAMES:
        year = int(m[2]) + (2000 if len(m[2]) == 2 else 0)
        return year, _MONTH_NAMES[m[1]]
    return None


def clean_months(raw: pd.Series, required: bool = True, earliest_year: int = EARLIEST_DATE.year,
                 latest: datetime.date | None = None) -> Cleaned:
    """Clean a reporting-round column (``month`` kind) into ``yyyy-mm`` strings."""
    text = normalise_space(raw)
    today = latest or datetime.date.today()

    def check(v: str) -> tuple[str | None, str]:
        parsed = _parse_month(v)
        if parsed is None:
            return None, f"unparseable reporting round {_quote(v)} (expected yyyy-mm)"
        year, month = parsed
        if not 1 <= month <= 12:
            return None, f"invalid month in reporting round {_quote(v)}"
        if year < earliest_year or (year, month) > (today.year, today.month):
            return None, f"reporting round {year:04d}-{month:02d} outside {earliest_year}-01–{today:%Y-%m}"
        return f"{year:04d}-{month:02d}", ""

    values, reasons = _by_unique(text, check)
    reasons = _missing(text, required, reasons)
    return _result(values.where(reasons == "").astype("str"), reasons)


def parse_numbers(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse trimmed number strings; return ``(integer part as float, has non-zero decimals)``.

    NaN where the text is not a number (see the module docstring for the accepted formats).
    """
    parts = text.str.extract(_NUMBER_RE)
    digits = parts["int"].str.replace(r"[ .]", "", regex=True)
    number = pd.to_numeric(digits).astype("float64")
    negative = parts["sign"].isin(["-", "\u2212"])
    number = number.where(~negative, -number)
    fractional = parts["frac"].fillna("").str.strip("0") != ""
    return number, fractional.fillna(False).astype(bool)


def _clean_whole(raw: pd.Series, required: bool, low: int | None, high: int | None,
                 what: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    text = normalise_space(raw)
    number, fractional = parse_numbers(text)
    reasons = _empty_reasons(text)
    bad = (text != "") & number.isna()
    reasons = _explain(reasons, bad, lambda i: f"{what} " + _quoted(text[i]) + " is not a number")
    reasons = _explain(reasons, (text != "") & number.notna() & fractional,
                       lambda i: f"{what} " + _quoted(text[i]) + " is not a whole number")

    def shown(i: pd.Series) -> pd.Series:
        return f"{what} " + number[i].astype("int64").astype("str")

    if low is not None and high is not None:
        outside = (reasons == "") & ((number < low) | (number > high))
        reasons = _explain(reasons, outside, lambda i: shown(i) + f" outside {low}..{high}")
    elif low is not None:
        below = (reasons == "") & (number < low)
        reasons = _explain(reasons, below, lambda i: ("negative " + shown(i)) if low == 0
                           else (shown(i) + f" below {low}"))
    elif high is not None:
        reasons = _explain(reasons, (reasons == "") & (number > high), lambda i: shown(i) + f" above {high}")
    reasons = _missing(text, required, reasons)
    values = number.where(reasons == "").astype("Int64")
    return text, values, reasons


def clean_ints(raw: pd.Series, required: bool = True, low: int | None = None,
               high: int | None = None) -> Cleaned:
    """Clean an ``int`` column into ``Int64`` (counts: ``low=0`` rejects negative counts)."""
    _, values, reasons = _clean_whole(raw, required, low, high, "number")
    return _result(values, reasons)


def clean_years(raw: pd.Series, required: bool = True, low: int = EARLIEST_YEAR,
                high: int | None = None) -> Cleaned:
    """Clean a ``year`` column into ``Int64`` within ``low`` .. ``high`` (default: this year)."""
    high = high or datetime.date.today().year
    _, values, reasons = _clean_whole(raw, required, low, high, "year")
    return _result(values, reasons)


def is_decline(raw: pd.Series) -> pd.Series:
    """True where the raw answer is the decline option (``Ønsker ikke å svare`` in any spelling)."""
    key = fold(schema.DECLINE_TEXT)
    text = normalise_space(raw)
    unique = pd.unique(text)
    return text.map({v: fold(v) == key for v in unique}).fillna(False).astype(bool)


def clean_answers(raw: pd.Series, required: bool = True, low: int | None = None,
                  high: int | None = None, allow_decline: bool = False) -> Cleaned:
    """Clean an ``answer`` column into ``Int64``; a decline gives ``<NA>`` without a reason.

    Use :func:`is_decline` for the ``declined`` flag. A decline where none is allowed is rejected.
    """
    declined = is_decline(raw)
    text, values, reasons = _clean_whole(raw.where(~declined, ""), required, low, high, "answer")
    if allow_decline:
        reasons = reasons.mask(declined, "")
    else:
        reasons = reasons.mask(declined, f"the decline option is not an answer here (expected {low}..{high})")
    return _result(values.where(reasons == ""), reasons)


def clean_choices(raw: pd.Series, choices: tuple[str, ...], required: bool = True) -> Cleaned:
    """Map each value to the contract's spelling of one of ``choices``, or reject it."""
    text = normalise_space(raw)
    lookup = {fold(c): c for c in choices}
    expected = ", ".join(choices)

    def check(v: str) -> tuple[str | None, str]:
        found = lookup.get(fold(v))
        if found is None:
            return None, f"unknown value {_quote(v)} (expected one of: {expected})"
        return found, ""

    values, reasons = _by_unique(text, check)
    reasons = _missing(text, required, reasons)
    return _result(values.where(reasons == "").astype("str"), reasons)


_CANONICAL_TEXT = {fold(v): v for v in (schema.MOVE_TO_OWN_HOME, schema.DISCHARGE_VIOLENCE)}


def clean_text(raw: pd.Series, required: bool = False) -> Cleaned:
    """Trim free text, scrub fødselsnummer-shaped runs and canonicalise the contract's marker values."""
    text = normalise_space(raw)
    scrubbed = text.str.contains(FNR_PATTERN)
    values = text.str.replace(FNR_PATTERN, SCRUBBED, regex=True)
    unique = pd.unique(values)
    values = values.map({v: _CANONICAL_TEXT.get(fold(v), v) for v in unique}).astype("str")
    reasons = _missing(text, required, _empty_reasons(text))
    values = values.where((values != "") & (reasons == "")).astype("str")
    return _result(values, reasons, scrubbed.astype(bool))


def clean_column(raw: pd.Series, column: schema.Column, bydeler_only: bool = False) -> Cleaned:
    """Clean one raw column according to its :class:`~prioslo.schema.Column` kind.

    Every cleaner works value by value, so each distinct raw value is cleaned once and the
    results are spread back over the rows: a column of 200 000 admission dates holds only a few
    thousand distinct dates.
    """
    codes, uniques = pd.factorize(raw.fillna("").astype("str"))
    cleaned = _clean_kind(pd.Series(uniques, dtype="str"), column, bydeler_only)

    def spread(series: pd.Series) -> pd.Series:
        return pd.Series(series.to_numpy()[codes] if len(codes) else series.to_numpy()[:0],
                         index=raw.index, dtype=series.dtype)

    return Cleaned(spread(cleaned.values), spread(cleaned.reasons), spread(cleaned.scrubbed))


def _clean_kind(raw: pd.Series, column: schema.Column, bydeler_only: bool) -> Cleaned:
    kind, req = column.kind, column.required
    if kind == "id":
        return clean_ids(raw, req)
    if kind == "person":
        return clean_persons(raw, req)
    if kind == "bydel":
        return clean_bydeler(raw, req, bydeler_only=bydeler_only)
    if kind == "date":
        return clean_dates(raw, req)
    if kind == "month":
        return clean_months(raw, req)
    if kind == "year":
        return clean_years(raw, req, low=column.low or EARLIEST_YEAR, high=column.high)
    if kind == "int":
        return clean_ints(raw, req, column.low, column.high)
    if kind == "answer":
        return clean_answers(raw, req, column.low, column.high, column.allow_decline)
    if kind == "choice":
        return clean_choices(raw, column.choices, req)
    if kind == "text":
        return clean_text(raw, req)
    raise ValueError(f"unknown column kind {kind!r} of {column.raw}")


# --------------------------------------------------------------------------------------------------
# record-level checks


def record_problems(frame: pd.DataFrame, extract: schema.Extract) -> dict[str, pd.Series]:
    """Checks that involve several columns of one row.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cleaned values under their processed names (missing where invalid; a check is only made
        where all the values it needs are present).
    extract : prioslo.schema.Extract

    Returns
    -------
    dict
        Raw column name -> reason Series (``""`` where fine), for the columns checked.
    """
    out: dict[str, pd.Series] = {}
    raw = {c.name: c.raw for c in extract.columns}

    def explain(mask: pd.Series, build) -> pd.Series:
        """Reasons built (by ``build(rows)``) only for the rows that fail."""
        reasons = pd.Series("", index=frame.index, dtype="str")
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            reasons[mask] = build(frame[mask]).astype("str")
        return reasons

    if {"category", "operator"} <= set(frame.columns):
        allowed = {f"{op}\x1f{cat}" for op, cats in schema.CATEGORIES.items() for cat in cats}
        pair = frame["operator"].astype("str") + "\x1f" + frame["category"].astype("str")
        known = frame["operator"].notna() & frame["category"].notna()
        out[raw["category"]] = explain(known & ~pair.isin(allowed), lambda f: (
            "category " + f["category"].map(_quote).astype("str") + " is not a category of "
            + f["operator"].astype("str") + " institutions"))
    if {"admitted", "discharged"} <= set(frame.columns):
        out[raw["discharged"]] = explain(frame["discharged"] < frame["admitted"], lambda f: (
            "discharged " + f["discharged"].dt.strftime("%d.%m.%Y") + " before admitted "
            + f["admitted"].dt.strftime("%d.%m.%Y")))
    if {"birth_year", "admitted"} <= set(frame.columns):
        age = frame["admitted"].dt.year - frame["birth_year"]
        reasons = explain(age < 0, lambda f: (
            "birth year " + f["birth_year"].astype("str") + " after the admission year"))
        too_old = explain(age > MAX_AGE, lambda f: (
            "birth year " + f["birth_year"].astype("str") + " gives age "
            + (f["admitted"].dt.year - f["birth_year"]).astype("str") + " at admission (implausible)"))
        out[raw["birth_year"]] = reasons.where(reasons != "", too_old)
    return {k: v.astype("str") for k, v in out.items()}


__all__ = [
    "Cleaned", "SCRUBBED", "EARLIEST_DATE", "EARLIEST_YEAR", "MAX_AGE", "BYDELER_ONLY", "FNR_PATTERN",
    "LOOSE_FNR_PATTERN", "scrub_loosely",
    "normalise_space", "fold", "scrub_text", "parse_dates", "parse_numbers", "clean_ids",
    "clean_persons", "clean_bydeler", "unspecified_area", "clean_dates", "clean_months", "clean_ints", "clean_years",
    "is_decline", "clean_answers", "clean_choices", "clean_text", "clean_column", "record_problems",
]
