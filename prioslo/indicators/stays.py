"""Indicators from the stays extract (``opphold``): admissions, residents, ten-plus, discharges, moves.

Definitions follow the data contract («Definitions») and the indicator spec; the report sections
they reproduce are §3.2.3 (ten or more admissions a year) and §3.3.1 (moves to own housing).
Every function takes the processed ``stays`` frame (see :data:`prioslo.schema.OPPHOLD`) and
returns long rows; the input is never modified. All work is vectorised (no loop over stays or
persons) because a real extract holds millions of stays: the stays are first reduced to integer
codes (:func:`_compact`), counts are bin counts, and the person attribution is a group-wise
maximum rather than a sort (:func:`~prioslo.indicators.groups.latest_per_pair`), so ten million
stays take seconds and little more memory than the table itself.

Attribution (indicator spec): stay-level counts go to the bydel on the stay row; person counts go
to the bydel of the person's most recent relevant stay in the year
(:func:`~prioslo.indicators.groups.attribute_persons`), so bydeler + ``Uoppgitt`` = Oslo.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from prioslo import schema
from prioslo.catalogue import AGE_BANDS, SEX_PARTS
from prioslo.bydeler import OSLO
from prioslo.indicators.groups import (
    aggregate,
    attribute_persons,
    concat_long,
    fill_bydeler,
    latest_per_pair,
    order_codes,
    pair_codes,
    require_columns,
    text_equals,
    to_long,
)

log = logging.getLogger(__name__)

TABLE = schema.OPPHOLD.table
COLUMNS = ("stay_id", "person_id", "sex", "birth_year", "bydel", "category", "operator",
           "admitted", "discharged", "discharge_reason", "discharged_to")

TEN_PLUS_MIN_ADMISSIONS = 10
"""A ten-plus person has at least this many admissions in the year (§3.2.3: «ti inntak eller mer»)."""

_AGE_BINS = (-np.inf, 24, 54, 69, np.inf)
"""Upper bounds of the age bands (inclusive): under 25, 25-54, 55-69, 70 and over."""


def stay_years(stays: pd.DataFrame) -> list[int]:
    """Return the years the stays extract covers: first admission year to last date in the data.

    Why: a year inside the extract without any event is a real zero (explicit 0 rows), and an
    open stay makes its person a resident in every year up to the end of the extract, whose
    last year is the latest admission or discharge date present.
    """
    if stays.empty:
        return []
    first = stays["admitted"].min()
    last = max(stays["admitted"].max(), stays["discharged"].max()) if stays["discharged"].notna().any() \
        else stays["admitted"].max()
    if pd.isna(first):
        return []
    return list(range(int(first.year), int(last.year) + 1))


def _years(stays: pd.DataFrame, years: Sequence[int] | None) -> list[int]:
    return sorted(int(y) for y in years) if years is not None else stay_years(stays)


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of ``values`` (equal values, equal codes), int32 when they fit."""
    codes = pd.factorize(values)[0]
    return codes.astype("int32") if len(codes) and codes.max() < 2**31 else codes.astype("int64")


def _year(dates: np.ndarray) -> np.ndarray:
    """Calendar year of each date as float32 (exact for years; NaN for NaT)."""
    years = dates.astype("datetime64[Y]")
    out = years.view("int64").astype("float32") + 1970
    out[np.isnat(years)] = np.nan
    return out


def _compact(stays: pd.DataFrame) -> pd.DataFrame:
    """Return a compact working copy of the stays: integer codes, categoricals and years.

    Why: the indicators count and attribute millions of stays; integer person codes, a
    categorical bydel and the admission and discharge years computed once (``adm_year``,
    ``dis_year``; NaN for an open stay) make that many times faster and smaller than on text
    columns. The discharge reason and destination are reduced to two flags. The other columns
    are the input's arrays, not copies: the stay ids only break ties between stays of one day
    (:func:`~prioslo.indicators.groups.latest_per_pair`, so millions of them are never sorted),
    and sex, birth year, category and operator are only read for small subsets (ten-plus
    persons, moves). The input is not modified.
    """
    require_columns(stays, TABLE, COLUMNS)
    admitted = stays["admitted"].to_numpy()
    discharged = stays["discharged"].to_numpy()
    return pd.DataFrame({
        "person_id": _codes(stays["person_id"]),
        "stay_id": stays["stay_id"].array,
        "sex": stays["sex"].array,
        "birth_year": stays["birth_year"].array,
        "bydel": pd.Categorical(stays["bydel"]),
        "category": stays["category"].array,
        "operator": stays["operator"].array,
        "admitted": admitted,
        "discharged": discharged,
        "violence": text_equals(stays["discharge_reason"], schema.DISCHARGE_VIOLENCE),
        "move": text_equals(stays["discharged_to"], schema.MOVE_TO_OWN_HOME),
        "adm_year": _year(admitted),
        "dis_year": _year(discharged),
    }, index=pd.RangeIndex(len(stays)), copy=False)


def _select(stays: pd.DataFrame, mask: np.ndarray, period: np.ndarray, columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` of the stays where ``mask``, with ``period``; not copied when every row is kept."""
    frame = stays[list(columns)] if mask.all() else stays.loc[mask, list(columns)]
    return frame.assign(period=period[mask].astype("int64"))


def _admission_units(stays: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Compact stays admitted in one of ``years`` (the columns admissions and the ten-plus rule
    need), with ``period`` = admission year."""
    year = stays["adm_year"].to_numpy()
    return _select(stays, np.isin(year, years), year,
                   ("person_id", "stay_id", "sex", "birth_year", "bydel", "admitted"))


def _count(units: pd.DataFrame, indicator: str, years: Sequence[int]) -> pd.DataFrame:
    """Long rows of an additive count: Oslo, every bydel (0 when none), Uoppgitt when any.

    One bin count over (bydel, period) instead of two group-bys (milliseconds instead of tens of
    them on the 26 counts of a build, and seconds less on millions of stays); the same rows as
    :func:`~prioslo.indicators.groups.aggregate` with the levels ``oslo`` and ``bydel``.
    """
    bydel, period = units["bydel"], units["period"].to_numpy()
    if isinstance(bydel.dtype, pd.CategoricalDtype):
        codes, names = bydel.cat.codes.to_numpy(), [str(c) for c in bydel.cat.categories]
    else:
        codes, uniques = pd.factorize(bydel)
        names = [str(u) for u in uniques]
    groups, periods, counts = [], [], []
    if len(period):
        low = int(period.min())
        span = int(period.max()) - low + 1
        oslo = np.bincount(period - low, minlength=span)
        known = codes >= 0
        if not known.all():  # a missing bydel counts for Oslo only
            codes, period = codes[known], period[known]
        key = codes.astype("int64")  # (bydel, period) -> one bin, computed in place
        key *= span
        key += period
        key -= low
        table = np.bincount(key, minlength=len(names) * span).reshape(len(names), span)
        del key
        for name, row in [(OSLO, oslo), *sorted(zip(names, table), key=lambda item: item[0])]:
            present = np.flatnonzero(row)
            groups += [name] * len(present)
            periods.append(present + low)
            counts.append(row[present])
    agg = pd.DataFrame({
        "group": pd.Series(groups, dtype="str"),
        "period": np.concatenate(periods) if periods else np.zeros(0, "int64"),
        "n": np.concatenate(counts).astype("int64") if counts else np.zeros(0, "int64"),
    })
    return to_long(fill_bydeler(agg, years, ["n"]), indicator, "n")


def _share(numerator: pd.DataFrame, denominator: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Long rows of a share from two long count frames of the same groups (denominator > 0 only)."""
    keys = ["group", "period"]
    m = numerator[[*keys, "value"]].merge(denominator[[*keys, "value"]], on=keys, suffixes=("_n", "_d"))
    m = m[m["value_d"] > 0]
    m = m.assign(share=m["value_n"] / m["value_d"])
    return to_long(m, indicator, "share", "value_n", "value_d")


def admissions(stays: pd.DataFrame, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Count admissions (inntak): stays with ``admitted`` in year Y.

    Stay-level count, so each admission goes to the bydel written on its stay (contract:
    «Admission (inntak) in year Y: a stay with innskrevet in Y»). A stay across new year is an
    admission only in the year it began.

    Parameters
    ----------
    stays : DataFrame
        Processed ``stays`` table.
    years : sequence of int, optional
        Years to report; default :func:`stay_years`.

    Returns
    -------
    DataFrame
        Long rows of ``admissions`` for Oslo, every bydel (explicit 0) and ``Uoppgitt``.
    """
    stays = _compact(stays)
    years = _years(stays, years)
    return _count(_admission_units(stays, years), "admissions", years)


def _resident_units(stays: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """One row (``bydel``, ``period``) per person and year with a stay overlapping the year.

    A stay overlaps Y when admitted <= 31.12.Y and (discharged empty or >= 1.1.Y); each stay is
    expanded to the years it spans (open stays to the last of ``years``), carrying only its row
    number, and each person goes to the bydel of the latest overlapping stay by ``admitted``
    (ties: highest stay id) -- the rule of :func:`~prioslo.indicators.groups.attribute_persons`,
    here on the admission days of the expanded rows instead of sorted copies of them.
    """
    empty = pd.DataFrame({"bydel": stays["bydel"].iloc[:0], "period": pd.Series(dtype="int64")})
    if not years or stays.empty:
        return empty
    first, last = min(years), max(years)
    start = np.maximum(stays["adm_year"].to_numpy(), first)
    end = stays["dis_year"].to_numpy()
    end = np.minimum(np.where(np.isnan(end), last, end), last)
    spans = np.where(end >= start, end - start + 1, 0).astype("int16")
    del end
    index = "int32" if len(stays) < 2**31 else "int64"
    parts = [np.flatnonzero(spans > k).astype(index) for k in range(int(spans.max(initial=0)))]
    del spans
    if not parts:
        return empty
    rows = np.concatenate(parts)
    period = np.concatenate([(start[part] + k).astype("int16") for k, part in enumerate(parts)])
    del parts, start
    if set(range(first, last + 1)) - set(years):  # a gap in the years asked for
        keep = np.isin(period, years)
        rows, period = rows[keep], period[keep]
    admitted = stays["admitted"].to_numpy()
    if np.isnat(admitted).any():  # not in a processed table; the generic rule handles it
        units = stays[["person_id", "stay_id", "admitted", "bydel"]].iloc[rows].reset_index(drop=True)
        return attribute_persons(units.assign(period=period.astype("int64")), by="admitted")[["bydel", "period"]]
    days = admitted.astype("datetime64[D]")
    key = days.view("int64").astype("int32") if (days == admitted).all() else admitted.view("int64")
    won = latest_per_pair(period, stays["person_id"].to_numpy()[rows], key[rows],
                          order=lambda positions: order_codes(stays["stay_id"], rows[positions]))
    return pd.DataFrame({"bydel": stays["bydel"].array.take(rows[won]), "period": period[won].astype("int64")})


def residents(stays: pd.DataFrame, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Count residents: distinct persons with a stay overlapping year Y.

    Contract: «all persons with a stay overlapping Y» (admitted <= 31.12.Y and discharged empty
    or >= 1.1.Y); a still-open stay makes its person a resident every year to the end of the
    extract. Person-level: a person goes to the bydel on their latest overlapping stay (by
    admission date, ties by stay id), so bydeler + ``Uoppgitt`` sum to Oslo.

    Returns
    -------
    DataFrame
        Long rows of ``residents`` for Oslo, every bydel (explicit 0) and ``Uoppgitt``.
    """
    stays = _compact(stays)
    years = _years(stays, years)
    return _count(_resident_units(stays, years), "residents", years)


def _ten_plus_units(admission_units: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (admissions of ten-plus persons, ten-plus persons attributed by latest admission).

    A ten-plus person has >= 10 admissions in Y counted Oslo-wide (all bydeler together), so a
    person who moved between bydeler is not missed. Admissions per (year, person) are a bin
    count over the pairs.
    """
    if len(admission_units):
        pair, size = pair_codes(admission_units["period"].to_numpy(), admission_units["person_id"].to_numpy())
        heavy = np.bincount(pair, minlength=size) >= TEN_PLUS_MIN_ADMISSIONS
        selected = heavy[pair]
        del pair, heavy
    else:
        selected = np.zeros(0, dtype=bool)
    stays = admission_units[selected]
    persons = attribute_persons(stays, by="admitted")
    return stays, persons


def age_band(age: pd.Series) -> pd.Series:
    """Return the age band id (``under_25``, ``25_54``, ``55_69``, ``70_plus``) of each age.

    Bands follow §3.2.3 («under 25 år», «mellom 25 til 55 år», «mellom 55 og 69 år»): 24 is
    under 25, 25 and 54 are 25-54, 55 and 69 are 55-69, 70 is 70+. Missing age -> missing band.
    """
    return pd.cut(age.astype("float64"), bins=_AGE_BINS, labels=list(AGE_BANDS), right=True).astype("object")


def _ten_plus_parts(persons: pd.DataFrame, years: Sequence[int]) -> list[pd.DataFrame]:
    """Counts of ten-plus persons by sex, by age band and by sex x age band (age = Y - birth year)."""
    band = age_band(persons["period"] - pd.to_numeric(persons["birth_year"], errors="coerce"))
    sex = persons["sex"].astype("str").str.upper()
    out = []
    for sex_id, (code, _) in SEX_PARTS.items():
        out.append(_count(persons[(sex == code).to_numpy()], f"ten_plus_persons_{sex_id}", years))
    for band_id in AGE_BANDS:
        out.append(_count(persons[(band == band_id).to_numpy()], f"ten_plus_persons_age_{band_id}", years))
    for sex_id, (code, _) in SEX_PARTS.items():
        for band_id in AGE_BANDS:
            mask = ((sex == code) & (band == band_id)).to_numpy()
            out.append(_count(persons[mask], f"ten_plus_persons_{sex_id}_age_{band_id}", years))
    return out


def _ten_plus_core(stays: pd.DataFrame, years: Sequence[int]) -> dict[str, pd.DataFrame]:
    """Admissions, residents and ten-plus counts, plus the ten-plus persons frame (computed once)."""
    adm_units = _admission_units(stays, years)
    tp_stays, tp_persons = _ten_plus_units(adm_units)
    adm = _count(adm_units, "admissions", years)
    del adm_units  # before the residents' expansion, the largest intermediate
    res = _count(_resident_units(stays, years), "residents", years)
    persons = _count(tp_persons, "ten_plus_persons", years)
    tp_adm = _count(tp_stays, "ten_plus_stays", years)
    ten_plus_rows = concat_long([
        persons, tp_adm,
        _share(tp_adm, adm, "ten_plus_share_admissions"),
        _share(persons, res, "ten_plus_share_residents"),
        *_ten_plus_parts(tp_persons, years),
    ])
    return {"admissions": adm, "residents": res, "ten_plus": ten_plus_rows, "ten_plus_persons": tp_persons}


def ten_plus(stays: pd.DataFrame, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Compute the ten-plus indicators of §3.2.3 («ti inntak eller mer i året»).

    * ``ten_plus_persons``: persons with >= 10 admissions in Y, counted Oslo-wide (a person who
      moved between bydeler is not missed), each in the bydel of their latest admission in Y;
    * ``ten_plus_stays``: those persons' admissions in Y, each in its stay's bydel (report 2023:
      58 persons, 784 stays);
    * ``ten_plus_share_admissions`` = ten_plus_stays / admissions (report: 23 %);
    * ``ten_plus_share_residents`` = ten_plus_persons / residents (report: 5 %);
    * by sex (``_female``/``_male``), age band (``_age_under_25`` ...) and sex x age band, with
      age = Y - birth year and sex and birth year from the attributed stay (report: 14 women,
      44 men; «en kvinne og to menn er under 25 år»).

    Parameters
    ----------
    stays : DataFrame
        Processed ``stays`` table.
    years : sequence of int, optional
        Years to report; default :func:`stay_years`.

    Returns
    -------
    DataFrame
        Long rows for Oslo, every bydel (explicit 0 for counts) and ``Uoppgitt``; shares only
        where their denominator is positive.
    """
    stays = _compact(stays)
    years = _years(stays, years)
    return _ten_plus_core(stays, years)["ten_plus"]


def _discharge_units(stays: pd.DataFrame, years: Sequence[int], mask: np.ndarray) -> pd.DataFrame:
    """Stays selected by ``mask`` with ``discharged`` in one of ``years``; ``period`` = discharge year."""
    year = stays["dis_year"].to_numpy()
    return _select(stays, mask & np.isin(year, years), year,
                   ("person_id", "stay_id", "bydel", "category", "operator", "discharged"))


def immediate_discharges_violence(stays: pd.DataFrame, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Count discharges with immediate effect for violence or threats (§3.2.3).

    * ``immediate_discharges_violence``: stays with ``discharged`` in Y and discharge reason
      :data:`prioslo.schema.DISCHARGE_VIOLENCE` (stay's bydel);
    * ``immediate_discharges_violence_persons``: distinct persons among them (bydel of their
      latest such discharge in Y);
    * ``ten_plus_immediate_discharges_violence`` / ``ten_plus_persons_immediate_discharges_violence``:
      the same restricted to persons who are ten-plus in Y (report: «36 av personene med ti inntak
      eller mer er utskrevet 127 ganger med øyeblikkelig virkning på grunn av vold eller trusler»).

    Returns
    -------
    DataFrame
        Long rows for Oslo, every bydel (explicit 0) and ``Uoppgitt``.
    """
    stays = _compact(stays)
    years = _years(stays, years)
    _, tp_persons = _ten_plus_units(_admission_units(stays, years))
    return _violence(stays, years, tp_persons)


def _violence(stays: pd.DataFrame, years: Sequence[int], tp_persons: pd.DataFrame) -> pd.DataFrame:
    violent = _discharge_units(stays, years, stays["violence"].to_numpy())
    tp_violent = violent.merge(tp_persons[["period", "person_id"]], on=["period", "person_id"], how="inner")
    return concat_long([
        _count(violent, "immediate_discharges_violence", years),
        _count(attribute_persons(violent, by="discharged"), "immediate_discharges_violence_persons", years),
        _count(tp_violent, "ten_plus_immediate_discharges_violence", years),
        _count(attribute_persons(tp_violent, by="discharged"),
               "ten_plus_persons_immediate_discharges_violence", years),
    ])


def moves_to_housing(stays: pd.DataFrame, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Count moves from an institution to own housing (§3.3.1).

    A move in Y is a stay with ``discharged`` in Y and ``discharged_to`` =
    :data:`prioslo.schema.MOVE_TO_OWN_HOME` (contract). Report: 275 persons, 388 moves in 2023.

    * ``moves_to_housing_count`` (stays): Oslo, bydeler (stay's bydel, explicit 0), ``Uoppgitt``,
      and institution groups ``kommunal``/``ideell``/``"<drift>: <kategori>"`` (additive);
    * ``moves_to_housing_persons``: distinct persons; bydel groups by the bydel of the person's
      latest move in Y (so they sum to Oslo); institution groups count distinct persons within
      each group (a person who moved from two kinds of institution counts in both);
    * ``..._short_term_drug_free``: the same for stays whose category is in
      :data:`prioslo.schema.SHORT_TERM_DRUG_FREE` («rusfri korttidsinstitusjon»: 82 persons,
      168 moves in 2023), groups Oslo, bydeler and ``Uoppgitt``.
    """
    return _moves(_compact(stays), years)


def _moves(stays: pd.DataFrame, years: Sequence[int] | None) -> pd.DataFrame:
    years = _years(stays, years)
    moves = _discharge_units(stays, years, stays["move"].to_numpy())
    inst = aggregate(moves, ("operator", "category"), n=("period", "size"), persons=("person_id", "nunique"))
    short = moves[moves["category"].isin(schema.SHORT_TERM_DRUG_FREE).to_numpy(dtype=bool)]
    return concat_long([
        _count(moves, "moves_to_housing_count", years),
        to_long(inst, "moves_to_housing_count", "n"),
        _count(attribute_persons(moves, by="discharged"), "moves_to_housing_persons", years),
        to_long(inst, "moves_to_housing_persons", "persons"),
        _count(short, "moves_to_housing_count_short_term_drug_free", years),
        _count(attribute_persons(short, by="discharged"), "moves_to_housing_persons_short_term_drug_free", years),
    ])


def stay_indicators(stays: pd.DataFrame, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Every indicator of the stays extract, computing the shared intermediate frames once.

    Same rows as concatenating :func:`admissions`, :func:`residents`, :func:`ten_plus`,
    :func:`immediate_discharges_violence` and :func:`moves_to_housing`, but the year expansion
    of the residents and the ten-plus selection are done once (they dominate the run time on a
    full extract).
    """
    stays = _compact(stays)
    years = _years(stays, years)
    core = _ten_plus_core(stays, years)
    return concat_long([
        core["admissions"], core["residents"], core["ten_plus"],
        _violence(stays, years, core["ten_plus_persons"]),
        _moves(stays, years),
    ])
