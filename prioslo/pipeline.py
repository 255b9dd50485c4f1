"""``prioslo indicators``: processed tables -> disclosure-controlled ``tables/indicators.csv``.

:func:`scope_indicators` is what the build and the notebooks call for one scope (all of Oslo or
one bydel); :func:`run_indicators` is the command-line step for the Oslo scope;
:func:`write_indicators_csv` is the one writer of the data contract's ``indicators.csv``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from prioslo import paths
from prioslo.bydeler import OSLO, require_bydel
from prioslo.disclosure import suppress
from prioslo.errors import PriosloError
from prioslo.indicators import COLUMNS, compute_indicators
from prioslo.indicators.groups import is_institution_group

log = logging.getLogger(__name__)

CSV_COLUMNS: tuple[str, ...] = (*COLUMNS, "suppressed")
"""Columns of ``tables/indicators.csv``, in order (data contract, «Outputs»)."""

OSLO_SCOPE = "oslo"
DECIMALS = 6
"""Values are written rounded to this many decimals, so the text is stable from run to run."""


def check_options(period_from: int | None = None, period_to: int | None = None,
                  suppress_below: int = 5) -> None:
    """Raise :class:`PriosloError` for options a user got wrong (``--from`` after ``--to``, a
    negative ``--suppress-below``)."""
    if period_from is not None and period_to is not None and period_from > period_to:
        raise PriosloError(f"--from {period_from} is after --to {period_to}")
    if isinstance(suppress_below, bool) or not isinstance(suppress_below, (int, np.integer)) or suppress_below < 0:
        raise PriosloError(f"--suppress-below must be a whole number >= 0, not {suppress_below!r}")


def scope_indicators(tables: Mapping[str, pd.DataFrame], period_from: int | None = None,
                     period_to: int | None = None, suppress_below: int = 5,
                     bydel: str | None = None) -> pd.DataFrame:
    """Compute, suppress and select the indicators of one scope.

    Disclosure control runs on the full table (every group) BEFORE the scope is selected: the
    Oslo report and the 15 bydel reports are all published, so together they show every cell,
    and a cell hidden in one must not be recomputable from another.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Processed tables (see :func:`prioslo.indicators.compute_indicators`).
    period_from, period_to : int, optional
        Years to report (``--from``/``--to``).
    suppress_below : int
        Disclosure threshold (``--suppress-below``; 0 turns suppression off).
    bydel : str, optional
        A bydel (official name or slug): keep its rows, Oslo's and the institution groups
        (:func:`select_scope`). ``None`` (the Oslo scope) keeps every group.

    Returns
    -------
    DataFrame
        Columns ``indicator, group, period, value, numerator, denominator, suppressed``.

    Raises
    ------
    PriosloError
        Bad options or an unknown bydel.
    """
    check_options(period_from, period_to, suppress_below)
    name = require_bydel(bydel) if bydel is not None else None
    indicators = suppress(compute_indicators(tables, period_from, period_to), suppress_below)
    return select_scope(indicators, name)[list(CSV_COLUMNS)]


def select_scope(indicators: pd.DataFrame, bydel: str | None) -> pd.DataFrame:
    """Keep the rows one report scope shows.

    The Oslo scope shows every group. A bydel scope shows its own rows, Oslo's (for comparison)
    and the institution groups: VEL's institutions serve the whole city, so a bydel report shows
    them as they are (and its scorecard can score the institution targets, as the Oslo one does).

    Parameters
    ----------
    indicators : DataFrame
        Long indicator frame (already disclosure-controlled over every group).
    bydel : str or None
        The bydel's official name, or None for Oslo.
    """
    if bydel is None:
        return indicators.reset_index(drop=True)
    keep = indicators["group"].isin([OSLO, bydel]) | is_institution_group(indicators["group"])
    return indicators[keep].reset_index(drop=True)


def _number_text(values: pd.Series) -> pd.Series:
    """Numbers as stable text: rounded to :data:`DECIMALS`, no trailing zeros, empty when missing."""
    def fmt(v: float) -> str:
        if pd.isna(v):
            return ""
        text = f"{round(float(v), DECIMALS):.{DECIMALS}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text

    return values.astype("float64").map(fmt)


def write_indicators_csv(indicators: pd.DataFrame, path: Path | str, stamp: str | None = None) -> Path:
    """Write an indicator frame as the data contract's ``indicators.csv``.

    Columns ``indicator, group, period, value, numerator, denominator, suppressed`` in that
    order; UTF-8, comma-separated, decimal point; numbers rounded to 6 decimals without trailing
    zeros (``58``, ``0.232558``); empty cells for missing and suppressed values; ``suppressed``
    as ``true``/``false`` (``false`` everywhere when the frame has no such column).

    Parameters
    ----------
    indicators : DataFrame
        Long indicator rows (:func:`scope_indicators`).
    path : Path or str
        The file to write; its folder is created.
    stamp : str, optional
        When given (an ``--internal`` build), a last column ``stamp`` holds it on every row.

    Returns
    -------
    Path
        ``path``.
    """
    missing = [c for c in COLUMNS if c not in indicators.columns]
    if missing:
        raise ValueError(f"indicator frame lacks column(s) {', '.join(missing)}")
    suppressed = (indicators["suppressed"].astype(bool) if "suppressed" in indicators.columns
                  else pd.Series(False, index=indicators.index))
    out = pd.DataFrame({
        "indicator": indicators["indicator"].astype("str"),
        "group": indicators["group"].astype("str"),
        "period": indicators["period"].astype("str"),
        **{c: _number_text(indicators[c].where(~suppressed)) for c in ("value", "numerator", "denominator")},
        "suppressed": np.where(suppressed, "true", "false"),
    })
    if stamp is not None:
        out["stamp"] = stamp
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    log.info("wrote %d indicator rows to %s", len(out), path)
    return path


def run_indicators(data_dir: Path | str | None = None, output_dir: Path | str | None = None,
                   period_from: int | None = None, period_to: int | None = None,
                   suppress_below: int = 5) -> Path:
    """Compute every indicator of the Oslo scope and write ``<output>/oslo/tables/indicators.csv``.

    Parameters
    ----------
    data_dir : Path, optional
        Folder with the raw extracts (default: the shipped sample); prepared first when its
        inputs changed (:func:`prioslo.prepare.load_tables`).
    output_dir : Path, optional
        Output root (default :data:`prioslo.paths.OUTPUTS_DIR`).
    period_from, period_to : int, optional
        Years to report.
    suppress_below : int
        Disclosure threshold (0 turns suppression off).

    Returns
    -------
    Path
        The written CSV.

    Raises
    ------
    PriosloError
        Bad options or unreadable input.
    """
    check_options(period_from, period_to, suppress_below)
    from prioslo.prepare import load_tables

    tables = load_tables(data_dir)
    indicators = scope_indicators(tables, period_from, period_to, suppress_below)
    root = Path(output_dir) if output_dir is not None else paths.OUTPUTS_DIR
    return write_indicators_csv(indicators, root / OSLO_SCOPE / "tables" / "indicators.csv")
