"""Shared machinery of the indicator functions: groups, attribution, long frames, ordering.

Every indicator function turns a processed table into *long* rows (``indicator, group, period,
value, numerator, denominator``). The pieces they share live here so that each rule is written
once:

* :func:`attribute_persons` — the one rule that puts a person in ONE bydel per year, so that
  person counts of the bydeler plus ``Uoppgitt`` sum to Oslo (indicator spec, «Attribution rules»);
* :func:`aggregate` — counts / sums per group (Oslo, bydel, operator, operator: category);
* :func:`fill_bydeler` — explicit zero rows for bydeler without any unit in a year with data, so
  that «two bydeler had none» (§3.2.3) is visible rather than a missing row;
* :func:`group_rank` and :func:`sort_long` — the one deterministic order of groups and rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from prioslo.bydeler import BYDELER, OSLO, UNSPECIFIED
from prioslo.catalogue import INDICATORS
from prioslo.schema import CATEGORIES, OPERATORS

log = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = ("indicator", "group", "period", "value", "numerator", "denominator")
"""Columns of the long indicator frame (the data contract's ``indicators.csv`` minus ``suppressed``)."""

INSTITUTION_SEPARATOR = ": "
"""Separator of the ``"<drift>: <kategori>"`` institution groups."""


def institution_group(operator: str, category: str) -> str:
    """Return the group name of one institution category (``"kommunal: Omsorgssentre"``)."""
    return f"{operator}{INSTITUTION_SEPARATOR}{category}"


def is_institution_group(groups: pd.Series) -> pd.Series:
    """True where a group is an institution group (``kommunal``, ``ideell``, ``<operator>: <kategori>``)."""
    text = groups.astype("str")
    return text.isin(OPERATORS) | text.str.startswith(tuple(f"{op}{INSTITUTION_SEPARATOR}" for op in OPERATORS))


def _group_ranks() -> dict[str, int]:
    ranks = {OSLO: 0}
    for i, name in enumerate(BYDELER, start=1):
        ranks[name] = i
    ranks[UNSPECIFIED] = len(BYDELER) + 1
    n = len(ranks)
    for op in OPERATORS:
        ranks[op] = n
        n += 1
        for cat in CATEGORIES[op]:
            ranks[institution_group(op, cat)] = n
            n += 1
    return ranks


GROUP_RANKS: dict[str, int] = _group_ranks()
"""Report order of every known group: Oslo, the bydeler (report order), Uoppgitt, then each
operator followed by its categories (contract order)."""

_UNKNOWN_RANK = 10_000


def group_rank(groups: pd.Series) -> pd.Series:
    """Return the report-order rank of each group (unknown groups rank last, by name later).

    Parameters
    ----------
    groups : Series of str

    Returns
    -------
    Series of int
        Oslo 0, bydeler 1-15 in :data:`prioslo.bydeler.BYDELER` order, ``Uoppgitt`` 16, then
        ``kommunal``, its categories, ``ideell``, its categories; anything else 10 000.
    """
    return groups.map(GROUP_RANKS).fillna(_UNKNOWN_RANK).astype("int64")


def indicator_rank(indicators: pd.Series) -> pd.Series:
    """Return the catalogue (report) order of each indicator id; unknown ids rank last."""
    ranks = {k: i for i, k in enumerate(INDICATORS)}
    return indicators.map(ranks).fillna(len(ranks)).astype("int64")


def sort_long(frame: pd.DataFrame) -> pd.DataFrame:
    """Sort long indicator rows deterministically and renumber the index.

    Order: indicator (catalogue order, then id), group (:func:`group_rank`, then name), period
    (text order, which is time order for ``yyyy`` and ``yyyy-mm``).
    """
    if frame.empty:
        return frame.reset_index(drop=True)
    keys = pd.DataFrame({
        "i": indicator_rank(frame["indicator"]), "indicator": frame["indicator"],
        "g": group_rank(frame["group"]), "group": frame["group"], "period": frame["period"],
    })
    order = keys.sort_values(["i", "indicator", "g", "group", "period"], kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def empty_long() -> pd.DataFrame:
    """Return a long frame with no rows and the right dtypes."""
    return pd.DataFrame({
        "indicator": pd.Series(dtype="str"), "group": pd.Series(dtype="str"),
        "period": pd.Series(dtype="str"), "value": pd.Series(dtype="float64"),
        "numerator": pd.Series(dtype="float64"), "denominator": pd.Series(dtype="float64"),
    })


def to_long(frame: pd.DataFrame, indicator: str, value: str, numerator: str | None = None,
            denominator: str | None = None) -> pd.DataFrame:
    """Turn an aggregated frame (columns ``group``, ``period`` and measures) into long rows.

    Parameters
    ----------
    frame : DataFrame
        One row per group and period.
    indicator : str
        The indicator id written in every row.
    value, numerator, denominator : str
        Columns of ``frame`` holding the value and, for means and shares, the numerator and
        denominator (counts leave them empty, as the data contract says).

    Returns
    -------
    DataFrame with :data:`COLUMNS`; ``period`` as text (a year ``"2023"`` or a round ``"2024-06"``).
    """
    if frame.empty:
        return empty_long()
    n = len(frame)
    nan = np.full(n, np.nan)
    return pd.DataFrame({
        "indicator": pd.Series([indicator] * n, dtype="str"),
        "group": frame["group"].astype("str").to_numpy(),
        "period": frame["period"].astype("str").to_numpy(),
        "value": frame[value].to_numpy(dtype="float64"),
        "numerator": frame[numerator].to_numpy(dtype="float64") if numerator else nan,
        "denominator": frame[denominator].to_numpy(dtype="float64") if denominator else nan,
    })


def concat_long(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate long frames (skipping empty ones) and sort them with :func:`sort_long`."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty_long()
    return sort_long(pd.concat(frames, ignore_index=True))


LEVELS = ("oslo", "bydel", "operator", "category")


def aggregate(units: pd.DataFrame, levels: Sequence[str], /, **aggs: tuple[str, str]) -> pd.DataFrame:
    """Aggregate units (stays, answers, attributed persons) per group and period.

    Parameters
    ----------
    units : DataFrame
        One row per counted unit, with a ``period`` column and, depending on ``levels``, the
        columns ``bydel``, ``operator`` and ``category``.
    levels : sequence of {'oslo', 'bydel', 'operator', 'category'}
        Which groups to produce: ``Oslo`` (all units), each value of ``bydel`` (bydeler and
        ``Uoppgitt``), each operator (``kommunal``/``ideell``), each ``"<drift>: <kategori>"``.
    **aggs
        Named aggregations as for :meth:`pandas.core.groupby.DataFrameGroupBy.agg`, e.g.
        ``n=("period", "size")`` or ``persons=("person_id", "nunique")``.

    Returns
    -------
    DataFrame with ``group``, ``period`` and one column per aggregation; only groups with at
    least one unit appear (see :func:`fill_bydeler` for zeros).
    """
    parts = []
    for level in levels:
        if level == "oslo":
            g = units.groupby("period", sort=True, observed=True).agg(**aggs).reset_index()
            g.insert(0, "group", OSLO)
        elif level == "bydel":
            g = units.groupby(["bydel", "period"], sort=True, observed=True).agg(**aggs).reset_index()
            g = g.rename(columns={"bydel": "group"})
        elif level == "operator":
            g = units.groupby(["operator", "period"], sort=True, observed=True).agg(**aggs).reset_index()
            g = g.rename(columns={"operator": "group"})
        elif level == "category":
            g = units.groupby(["operator", "category", "period"], sort=True, observed=True).agg(**aggs).reset_index()
            group = g["operator"].astype("str") + INSTITUTION_SEPARATOR + g["category"].astype("str")
            g = g.drop(columns=["operator", "category"])
            g.insert(0, "group", group)
        else:
            raise ValueError(f"unknown group level {level!r}; expected one of {LEVELS}")
        parts.append(g)
    columns = ["group", "period", *aggs]
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    out["group"] = out["group"].astype("str")
    return out[columns]


def fill_bydeler(frame: pd.DataFrame, periods: Sequence, columns: Sequence[str]) -> pd.DataFrame:
    """Add explicit zero rows for Oslo and every bydel missing in a period with data.

    Why: for additive counts of persons and stays a bydel without any in a year is a real zero
    («to bydeler har ikke hatt personer med ti inntak eller mer», §3.2.3), not a missing value.
    ``Uoppgitt`` and institution groups get no zero rows (they are not reporting units).

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`aggregate` with levels including ``oslo`` and ``bydel``.
    periods : sequence
        The periods (years) that have data; rows of other periods in ``frame`` are dropped.
    columns : sequence of str
        The count columns to fill with 0.
    """
    periods = list(periods)
    grid = pd.DataFrame(
        [(g, p) for g in (OSLO, *BYDELER) for p in periods], columns=["group", "period"]
    )
    if grid.empty:
        return frame.iloc[0:0]
    if not frame.empty:
        grid["period"] = grid["period"].astype(frame["period"].dtype)
    frame = frame[frame["period"].isin(periods)]
    out = grid.merge(frame, on=["group", "period"], how="left")
    for c in columns:
        out[c] = out[c].fillna(0)
    extra = frame[~frame["group"].isin(grid["group"].unique())]
    return pd.concat([out, extra], ignore_index=True)


def attribute_persons(units: pd.DataFrame, by: str, order: str = "stay_id") -> pd.DataFrame:
    """Keep one row per person and period: the person's most recent relevant unit.

    The attribution rule of the indicator spec: a person counted in a year goes to ONE bydel,
    the bydel on the person's most recent relevant stay (latest by ``by``, ties broken by the
    highest ``order`` value), so that bydel person counts plus ``Uoppgitt`` sum to Oslo instead
    of double-counting people who moved. The kept row also carries that stay's sex and birth
    year.

    Parameters
    ----------
    units : DataFrame
        The relevant stays, with ``person_id``, ``period``, ``by`` and ``order`` columns.
    by : str
        The date that decides «most recent» (``admitted`` for residents and ten-plus persons,
        ``discharged`` for moves and discharges).
    order : str
        Tie-breaker column (``stay_id``).

    Returns
    -------
    DataFrame
        The rows of ``units`` that win, one per (person_id, period); the input is not modified.
    """
    if units.empty:
        return units

    def sortable(column: str) -> np.ndarray:
        values = units[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            return values.to_numpy()
        return pd.factorize(values, sort=True)[0]  # text: codes in text order

    period, person = sortable("period"), sortable("person_id")
    key = _recency(units[by].to_numpy())
    if key is not None:
        return units.iloc[latest_per_pair(period, person, key, units[order])]
    pair = _pair_codes(period, person)
    idx = _sort_within_pairs(pair, sortable(by), sortable(order))
    pair = pair[idx]
    last = np.ones(len(idx), dtype=bool)  # the last row of each (period, person) run wins
    last[:-1] = pair[1:] != pair[:-1]
    return units.iloc[np.sort(idx[last])]


def _pair_codes(period: np.ndarray, person: np.ndarray) -> np.ndarray:
    """One int64 code per (period, person), ordered as the pairs (sort keys in one array)."""
    period = period.astype("int64") - int(period.min())
    person = person.astype("int64") - int(person.min())
    if period.max() < 2**20 and person.max() < 2**40:
        return (period << 40) | person
    return pd.MultiIndex.from_arrays([period, person]).factorize(sort=True)[0]  # pragma: no cover


def _recency(values: np.ndarray) -> np.ndarray | None:
    """The dates (or integers) as int64 in the same order, or None when they cannot be (NaT, floats)."""
    if np.issubdtype(values.dtype, np.datetime64):
        return None if np.isnat(values).any() else values.view("int64")
    if np.issubdtype(values.dtype, np.integer):
        return values.astype("int64", copy=False)
    return None


def order_codes(order, rows: np.ndarray) -> np.ndarray:
    """Int64 codes of ``order`` (array or Series) at positions ``rows``, in the values' sort order.

    Integers as they are; anything else (text, floats) ranked among the selected values, a
    missing value ranking highest, as in a numpy sort.
    """
    values = order.iloc[rows] if isinstance(order, pd.Series) else pd.Series(np.asarray(order)[rows])
    if pd.api.types.is_integer_dtype(values) and not values.hasnans:
        return values.to_numpy(dtype="int64")
    codes = pd.factorize(values, sort=True)[0].astype("int64")
    return np.where(codes < 0, codes.max(initial=-1) + 1, codes)


def pair_codes(period: np.ndarray, person: np.ndarray) -> tuple[np.ndarray, int]:
    """Return ``(codes, n)``: one integer code in ``range(n)`` per (period, person) pair (int32 when n fits).

    A dense ``period x person`` numbering (computed in place, one array) when that table is
    not much larger than the input, so that per-pair counts and maxima are plain array
    indexing; for sparse codes the pairs are numbered by hashing instead.
    """
    low_p, low_q = int(period.min()), int(person.min())
    width = int(person.max()) - low_q + 1
    size = (int(period.max()) - low_p + 1) * width
    if size <= max(4 * len(period), 1 << 22):
        pair = period.astype("int64")
        pair -= low_p
        pair *= width
        pair += person
        pair -= low_q
    else:
        pair, uniques = pd.factorize(_pair_codes(period, person))
        size = len(uniques)
    return (pair.astype("int32") if size < 2**31 else pair.astype("int64", copy=False)), size


def latest_per_pair(period: np.ndarray, person: np.ndarray, key: np.ndarray, order=None) -> np.ndarray:
    """Positions (ascending) of the most recent row of each (period, person) pair.

    Most recent = the largest ``key`` (integers, e.g. days); ties are broken by the highest
    ``order`` (an array or Series of numbers or text, e.g. the stay ids, or a function returning
    :func:`order_codes` for given positions), and rows equal in both by the later position,
    exactly as a stable sort by pair, key and order would decide.

    Why not a sort: on millions of rows a group-wise maximum (``np.maximum.at`` over the pair
    codes of :func:`pair_codes`) is several times faster than sorting and needs no sorted
    copies, and ``order`` is only looked at for the few pairs whose latest date is shared, so
    millions of text stay ids are never sorted.
    """
    pair, size = pair_codes(period, person)
    lowest = np.iinfo(key.dtype).min
    best = np.full(size, lowest, dtype=key.dtype)
    np.maximum.at(best, pair, key)
    hits = np.flatnonzero(best[pair] == key)
    del best
    pair = pair[hits]
    # pairs with more than one row at the latest key: some hit is not its pair's last hit
    index = "int32" if len(key) < 2**31 else "int64"
    last = np.full(size, -1, dtype=index)
    np.maximum.at(last, pair, hits.astype(index))
    repeated = pair[last[pair] != hits]
    del last
    if not len(repeated):
        return hits
    marked = np.zeros(size, dtype=bool)
    marked[repeated] = True
    shared = marked[pair]
    del marked
    tied = hits[shared]
    tied_pair = np.unique(pair[shared], return_inverse=True)[1]  # the few tied pairs, numbered 0..k-1
    if order is None:
        rank = np.zeros(len(tied), dtype="int64")
    elif callable(order):
        rank = order(tied)
    else:
        rank = order_codes(order, tied)
    n_tied = int(tied_pair.max()) + 1
    best = np.full(n_tied, np.iinfo("int64").min, dtype="int64")
    np.maximum.at(best, tied_pair, rank)
    keep = rank == best[tied_pair]
    tied, tied_pair = tied[keep], tied_pair[keep]
    last = np.full(n_tied, -1, dtype="int64")  # still equal: the later row
    np.maximum.at(last, tied_pair, tied)
    return np.sort(np.concatenate([hits[~shared], last]))


_DAY_NS = 86_400_000_000_000


def _sort_within_pairs(pair: np.ndarray, date: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Return the permutation that sorts by ``pair``, then ``date``, then ``order``.

    When the dates are whole days (as ingestion writes them) and ``order`` is a non-negative
    integer code, date and order are packed into one int64 and the permutation comes from two
    stable integer sorts, about twice as fast as :func:`numpy.lexsort` on millions of rows; any
    other input falls back to ``lexsort``. Both give the same order.
    """
    if np.issubdtype(date.dtype, np.datetime64) and np.issubdtype(order.dtype, np.integer) and len(order):
        ns = date.astype("datetime64[ns]").view("int64")
        rank = order.astype("int64")
        if not np.isnat(date).any() and (ns % _DAY_NS == 0).all() and rank.min() >= 0 and rank.max() < 2**40:
            days = ns // _DAY_NS
            days -= days.min()
            if days.max() < 2**22:
                inner = np.argsort((days << 40) | rank, kind="stable")
                return inner[np.argsort(pair[inner], kind="stable")]
    return np.lexsort((order, date, pair))  # the last key sorts first


def require_columns(frame: pd.DataFrame, table: str, columns: Iterable[str]) -> None:
    """Raise :class:`~prioslo.errors.PriosloError` naming the table and the missing columns."""
    from prioslo.errors import PriosloError

    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PriosloError(f"processed table '{table}' lacks column(s) {', '.join(missing)}; "
                           "run 'prioslo prepare' again")


def text_equals(values: pd.Series, target: str) -> np.ndarray:
    """Return a boolean array: which values equal ``target``, leniently.

    Free-text extract columns (``utskrevet_til``, ``utskrivningsarsak``) are compared after
    folding case, trimming and collapsing white space, and treating an en or em dash like a
    hyphen, because a registration system or Excel may turn «–» into «-». Missing values are
    False. Evaluated once per distinct value, so it stays fast on millions of rows.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return np.zeros(len(values), dtype=bool)

    def fold(s: pd.Series) -> pd.Series:
        s = s.astype("str").str.replace("[–—]", "-", regex=True)
        return s.str.split().str.join(" ").str.casefold()

    hit = (fold(pd.Series(uniques)) == fold(pd.Series([target])).iloc[0]).to_numpy(dtype=bool)
    out = np.zeros(len(values), dtype=bool)
    valid = codes >= 0
    out[valid] = hit[codes[valid]]
    return out
