"""Disclosure control of the long indicator table: small counts of persons are not published.

The data contract («Privacy») requires that published counts of persons below the threshold
(default 5, ``--suppress-below``) are suppressed, with secondary suppression wherever a total
would let a reader recompute a suppressed cell. :func:`suppress` implements the rules of the
indicator spec («Disclosure»):

Primary suppression (``sensitive`` indicators of :mod:`prioslo.catalogue` only):

1. a count below the threshold (0 included);
2. a mean or share whose denominator (answers, persons, stays) is below the threshold;
3. a share whose numerator, or whose complement (denominator - numerator), is below the
   threshold. Because the numerator and denominator counts are published in their own rows,
   their difference would still reveal a small complement, so the share's numerator count row is
   suppressed too.

Secondary suppression, repeated until nothing changes:

4. every additive partition with exactly one suppressed cell gets a second one: its smallest
   unsuppressed other cell (ties by report order). Partitions are Oslo = bydeler + ``Uoppgitt``
   (``additive`` indicators), Oslo = ``kommunal`` + ``ideell`` and operator = its categories
   (``institution_additive`` indicators), the breakdowns of :data:`prioslo.catalogue.PARTITIONS`
   (ten-plus persons by sex, by age band, sex x age) within each group, Oslo's «rusfri korttid»
   moves = the moves of the short-term drug-free categories, and the same group
   partitions for means whose answers are additive (a mean's numerator, the sum of answers, adds
   up like its denominator, so Oslo's sum minus the other groups' sums would give a hidden one);
5. a mean or share whose numerator or denominator count (same group and period) is suppressed
   is suppressed (its own numerator/denominator columns would show the hidden count);
6. a mean of group means (``mean_of``) is suppressed when exactly one of the bydel means it
   averages is suppressed (times the number of bydeler, minus the others, it gives the hidden one).

The function is pure (returns a new frame) and deterministic (does not depend on row order).
"""

from __future__ import annotations

import logging
from dataclasses import asdict

import numpy as np
import pandas as pd

from prioslo.bydeler import BYDELER, OSLO, UNSPECIFIED
from prioslo.catalogue import INDICATORS, PARTITIONS
from prioslo.errors import PriosloError
from prioslo.indicators.groups import INSTITUTION_SEPARATOR, group_rank, indicator_rank, institution_group
from prioslo.schema import CATEGORIES, OPERATORS, SHORT_TERM_DRUG_FREE

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 5
"""Default ``--suppress-below`` (data contract, «Privacy»)."""

REQUIRED = ("indicator", "group", "period", "value", "numerator", "denominator")

_BYDEL_PARTS = frozenset((*BYDELER, UNSPECIFIED))

SHORT_TERM_DRUG_FREE_GROUPS = tuple(institution_group(op, cat) for op, cats in CATEGORIES.items()
                                    for cat in cats if cat in SHORT_TERM_DRUG_FREE)
"""Institution groups whose moves make up the «rusfri korttid» moves of Oslo."""


def _infos(indicators: pd.Series, numerator: np.ndarray, denominator: np.ndarray) -> pd.DataFrame:
    """Catalogue attributes per row; an id missing from the catalogue is treated as sensitive."""
    unknown = sorted(set(indicators.unique()) - set(INDICATORS))
    if unknown:
        log.warning("indicator id(s) not in the catalogue, treated as sensitive: %s", ", ".join(unknown))
    table = pd.DataFrame([asdict(i) for i in INDICATORS.values()]).set_index("id")
    out = table.reindex(indicators.to_numpy())
    out = out.reset_index(drop=True)
    missing = out["unit"].isna().to_numpy()
    has_ratio = ~np.isnan(denominator)
    out.loc[missing, "unit"] = np.where(has_ratio[missing], "share", "count")
    for flag in ("sensitive",):
        out.loc[missing, flag] = True
    for flag in ("additive", "institution_additive"):
        out.loc[missing, flag] = False
    out["sensitive"] = out["sensitive"].astype(bool)
    out["additive"] = out["additive"].astype(bool)
    out["institution_additive"] = out["institution_additive"].astype(bool)
    return out


def _partition_members(frame: pd.DataFrame, infos: pd.DataFrame) -> pd.DataFrame:
    """Every (partition, row) membership: columns ``pid`` (int), ``pos``, ``size``.

    ``size`` is what «smallest» compares: the count for counts, the denominator for means.
    """
    ind, grp, per = frame["indicator"], frame["group"], frame["period"]
    pos = np.arange(len(frame))
    sensitive = infos["sensitive"].to_numpy()
    unit = infos["unit"].to_numpy()
    count = sensitive & (unit == "count")
    size = np.where(unit == "mean", frame["denominator"].to_numpy(), frame["value"].to_numpy())

    # A mean partitions like its answers count when that count is additive.
    denominator_info = infos["denominator"].map(lambda d: INDICATORS.get(d) if isinstance(d, str) else None)
    mean = sensitive & (unit == "mean")
    mean_additive = mean & denominator_info.map(lambda i: bool(i and i.additive)).to_numpy(dtype=bool)
    mean_inst = mean & denominator_info.map(lambda i: bool(i and i.institution_additive)).to_numpy(dtype=bool)
    bydel_rows = (count & infos["additive"].to_numpy()) | mean_additive
    inst_rows = (count & infos["institution_additive"].to_numpy()) | mean_inst

    keys, members, totals = [], [], []

    def add(total: np.ndarray, parts: np.ndarray, key: pd.Series) -> None:
        mask = total | parts
        keys.append(key[mask].to_numpy())
        members.append(pos[mask])
        totals.append(total[mask])

    is_oslo = (grp == OSLO).to_numpy()
    add(bydel_rows & is_oslo, bydel_rows & grp.isin(_BYDEL_PARTS).to_numpy(), "bydel|" + ind + "|" + per)

    is_operator = grp.isin(OPERATORS).to_numpy()
    add(inst_rows & is_oslo, inst_rows & is_operator, "operator|" + ind + "|" + per)
    operator_of = grp.str.split(INSTITUTION_SEPARATOR, n=1, regex=False).str[0]
    is_category = grp.str.contains(INSTITUTION_SEPARATOR, regex=False).to_numpy() & operator_of.isin(OPERATORS).to_numpy()
    add(inst_rows & is_operator, inst_rows & is_category, "category|" + operator_of + "|" + ind + "|" + per)

    for p in PARTITIONS:
        add(ind.eq(p.total).to_numpy() & sensitive, ind.isin(p.parts).to_numpy() & sensitive,
            "partition|" + p.name + "|" + grp + "|" + per)
    # Oslo's «rusfri korttid» moves are the moves of the short-term drug-free categories (§3.3.1).
    add(ind.eq("moves_to_housing_count_short_term_drug_free").to_numpy() & is_oslo & sensitive,
        ind.eq("moves_to_housing_count").to_numpy() & grp.isin(SHORT_TERM_DRUG_FREE_GROUPS).to_numpy() & sensitive,
        "short_term_drug_free|" + per)

    members_frame = pd.DataFrame({"key": np.concatenate(keys), "pos": np.concatenate(members),
                                  "total": np.concatenate(totals)})
    # A partition is a published total with at least one published part; parts without their
    # total reveal nothing about each other.
    by_key = members_frame.groupby("key")["total"]
    members_frame = members_frame[(by_key.transform("sum") == 1) & (by_key.transform("size") >= 2)]
    members_frame["pid"] = pd.factorize(members_frame["key"], sort=True)[0]
    members_frame["size"] = size[members_frame["pos"].to_numpy()]
    return members_frame[["pid", "pos", "size"]].reset_index(drop=True)


def _positions(frame: pd.DataFrame, ids: pd.Series) -> np.ndarray:
    """Row position of indicator ``ids`` (per row) at the same group and period; -1 when absent."""
    index = pd.MultiIndex.from_arrays([frame["indicator"], frame["group"], frame["period"]])
    target = pd.MultiIndex.from_arrays([ids.fillna("").astype("str").to_numpy(), frame["group"], frame["period"]])
    return index.get_indexer(target)


def suppress(indicators: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Apply disclosure control to a long indicator frame.

    Parameters
    ----------
    indicators : DataFrame
        Long rows with ``indicator, group, period, value, numerator, denominator`` (one row per
        indicator, group and period), as :func:`prioslo.indicators.compute_indicators` returns.
    threshold : int
        Counts below this are suppressed (default 5). ``0`` disables disclosure control (every
        row ``suppressed=False``), for internal use only.

    Returns
    -------
    DataFrame
        A copy with a boolean ``suppressed`` column; ``value``, ``numerator`` and
        ``denominator`` are NaN in suppressed rows. Rules in the module docstring.

    Raises
    ------
    PriosloError
        When ``threshold`` is negative or not a whole number.
    ValueError
        When a column is missing or an (indicator, group, period) occurs twice.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 0:
        raise PriosloError(f"the suppression threshold must be a whole number >= 0, not {threshold!r}")
    missing = [c for c in REQUIRED if c not in indicators.columns]
    if missing:
        raise ValueError(f"indicator frame lacks column(s) {', '.join(missing)}")
    out = indicators.copy()
    n = len(out)
    if threshold == 0 or n == 0:
        out["suppressed"] = np.zeros(n, dtype=bool)
        return out

    frame = pd.DataFrame({c: out[c].to_numpy() for c in ("indicator", "group", "period")}).astype("str")
    if frame.duplicated().any():
        dup = frame[frame.duplicated()].iloc[0]
        raise ValueError(f"indicator frame has duplicate rows, e.g. {dup['indicator']} / {dup['group']} / {dup['period']}")
    value = out["value"].to_numpy(dtype="float64")
    num = out["numerator"].to_numpy(dtype="float64")
    den = out["denominator"].to_numpy(dtype="float64")
    frame["value"], frame["denominator"] = value, den
    infos = _infos(frame["indicator"], num, den)
    sensitive = infos["sensitive"].to_numpy()
    unit = infos["unit"].to_numpy()
    ratio = sensitive & np.isin(unit, ("mean", "share"))
    share = sensitive & (unit == "share")

    # Primary suppression.
    with np.errstate(invalid="ignore"):
        sup = sensitive & (unit == "count") & (value < threshold)
        sup |= ratio & (den < threshold)
        small_complement = share & (den - num < threshold)
        sup |= share & (num < threshold)
    sup |= small_complement
    num_pos = _positions(frame, infos["numerator"])
    den_pos = _positions(frame, infos["denominator"])
    hidden_numerators = num_pos[small_complement & (num_pos >= 0)]
    sup[hidden_numerators] = True

    # Secondary suppression.
    members = _partition_members(frame, infos)
    order = np.empty(n, dtype="int64")
    ranks = pd.DataFrame({"i": indicator_rank(frame["indicator"]), "indicator": frame["indicator"],
                          "g": group_rank(frame["group"]), "group": frame["group"], "period": frame["period"]})
    order[ranks.sort_values(list(ranks.columns), kind="stable").index.to_numpy()] = np.arange(n)
    members["order"] = order[members["pos"].to_numpy()]
    members = members.sort_values(["pid", "size", "order"], kind="stable").reset_index(drop=True)
    mean_of = infos["mean_of"].where(infos["mean_of"].notna() & pd.Series(sensitive)).to_numpy(dtype=object)
    mean_of_rows = np.flatnonzero(pd.notna(mean_of))
    is_bydel = frame["group"].isin(BYDELER).to_numpy()
    n_partitions = int(members["pid"].max()) + 1 if len(members) else 0
    pid, mpos = members["pid"].to_numpy(), members["pos"].to_numpy()

    rounds = 0
    while True:
        rounds += 1
        before = sup.copy()
        if n_partitions:
            hidden = sup[mpos]
            n_hidden = np.bincount(pid, weights=hidden, minlength=n_partitions)
            eligible = (n_hidden[pid] == 1) & ~hidden
            first = pd.Series(mpos[eligible]).groupby(pid[eligible], sort=False).first()
            sup[first.to_numpy()] = True
        dependent = ratio & (((num_pos >= 0) & sup[np.maximum(num_pos, 0)])
                             | ((den_pos >= 0) & sup[np.maximum(den_pos, 0)]))
        sup |= dependent
        for row in mean_of_rows:
            base = (frame["indicator"].to_numpy() == mean_of[row]) & is_bydel \
                & (frame["period"].to_numpy() == frame["period"].iat[row])
            if sup[base].sum() == 1:
                sup[row] = True
        if np.array_equal(before, sup):
            break
    log.debug("disclosure control: %d of %d rows suppressed after %d round(s)", int(sup.sum()), n, rounds)

    for column in ("value", "numerator", "denominator"):
        out[column] = np.where(sup, np.nan, out[column].to_numpy(dtype="float64"))
    out["suppressed"] = sup
    return out
