"""Norwegian number, period and table formatting for everything a report reader sees.

The report is read in Norwegian bokmål: decimal comma, a space as thousands separator
(``11 384``, ``3,9``, ``7,2 %``). Formatting goes through :mod:`babel` with the fixed locale
``nb_NO`` -- never the operating system's locale, which differs between an analyst's laptop, a
server and CI and would make the same report print differently.

Separators
    babel writes the thousands separator and the space before ``%`` as a NO-BREAK SPACE
    (U+00A0), as the Unicode CLDR data for Norwegian prescribe. We keep it: a number such as
    ``11 384`` or ``7,2 %`` must never be broken over two lines in a table or a figure, and
    the character renders exactly like a space.
Rounding
    Half away from zero (``0,125`` -> ``0,13``), the convention of published statistics, not
    babel's default banker's rounding (``2,5`` -> ``2``).
Suppressed and missing values
    A value hidden by disclosure control, or missing, prints as ``:`` -- the symbol Statistics
    Norway uses for «skjult av personvernhensyn».
"""

from __future__ import annotations

import datetime as _dt
import html
import logging
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import babel.dates
import babel.numbers
import pandas as pd

log = logging.getLogger(__name__)

LOCALE = "nb_NO"
"""The one locale every number and date is formatted in."""

SUPPRESSED = ":"
"""Printed in place of a suppressed (or missing) value."""

NBSP = "\u00a0"
"""The no-break space babel uses as thousands separator and before ``%``."""

UNITS = ("count", "mean", "share")
"""Units of the indicator catalogue: a count, a mean score, a share (fraction in [0, 1])."""

DEFAULT_DECIMALS = {"count": 0, "mean": 1, "share": 1}
"""Decimals used when a value is formatted by its unit (a mean as ``3,9``, a share as ``7,2 %``)."""


def suppression_note(threshold: int) -> str:
    """Return the note explaining the ``:`` symbol, e.g. «: = skjult av personvernhensyn (færre enn 5)».

    Parameters
    ----------
    threshold : int
        The suppression threshold in force (``--suppress-below``).
    """
    return f"{SUPPRESSED} = skjult av personvernhensyn (færre enn {fmt_number(threshold)})"


def is_missing(x: Any) -> bool:
    """Return True for None, NaN, ``pd.NA`` and ``NaT`` -- the values printed as ``:``."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):  # array-like: not a scalar value
        return False


def _rounded(x: float, decimals: int) -> Decimal:
    """Round half away from zero at ``decimals`` places (``Decimal(repr)`` avoids binary noise)."""
    quantum = Decimal(1).scaleb(-decimals)
    value = Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP)
    if value == 0:
        value = abs(value)  # never print «-0»
    return value


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def fmt_number(x: Any, decimals: int = 0) -> str:
    """Format a number with Norwegian separators: ``11384`` -> ``"11 384"`` (no-break space).

    Parameters
    ----------
    x : number or None
        The value; None/NaN/``pd.NA`` (suppressed or missing) gives ``":"``.
    decimals : int, default 0
        Fixed number of decimals (rounded half away from zero).

    Returns
    -------
    str
        For example ``"11\\u00a0384"``, ``"1\\u00a0234,5"`` with ``decimals=1``.
    """
    if is_missing(x):
        return SUPPRESSED
    if isinstance(x, float) and math.isinf(x):
        return SUPPRESSED
    return babel.numbers.format_decimal(_rounded(x, decimals), format=_pattern(decimals),
                                        locale=LOCALE, decimal_quantization=True)


def fmt_decimal(x: Any, decimals: int = 1) -> str:
    """Format a decimal number: ``3.94`` -> ``"3,9"``; a missing value gives ``":"``."""
    return fmt_number(x, decimals)


def fmt_percent(fraction: Any, decimals: int = 1) -> str:
    """Format a share given as a fraction: ``0.072`` -> ``"7,2 %"`` (no-break space before %).

    Parameters
    ----------
    fraction : number or None
        A share in [0, 1] (or a change, which may be negative or above 1).
    decimals : int, default 1
        Decimals of the percentage.
    """
    if is_missing(fraction):
        return SUPPRESSED
    return f"{fmt_number(float(fraction) * 100, decimals)}{NBSP}%"


def fmt_change(fraction: Any, decimals: int = 1) -> str:
    """Format a relative change with an explicit sign: ``0.1`` -> ``"+10,0 %"``, ``-0.12`` -> ``"-12,0 %"``."""
    if is_missing(fraction):
        return SUPPRESSED
    text = fmt_percent(fraction, decimals)
    return text if text.startswith("-") or _rounded(float(fraction) * 100, decimals) == 0 else "+" + text


def fmt_value(x: Any, unit: str, decimals: int | None = None) -> str:
    """Format a value by its catalogue unit: a count as ``11 384``, a mean as ``3,9``, a share as ``7,2 %``.

    Parameters
    ----------
    x : number or None
        The value (a share as a fraction).
    unit : {'count', 'mean', 'share'}
        The indicator's unit (``prioslo.catalogue``).
    decimals : int, optional
        Overrides :data:`DEFAULT_DECIMALS`.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {UNITS}")
    d = DEFAULT_DECIMALS[unit] if decimals is None else decimals
    if unit == "share":
        return fmt_percent(x, d)
    return fmt_number(x, d)


_ROUND = re.compile(r"^(\d{4})-(\d{2})$")


def fmt_period(period: Any, short: bool = False) -> str:
    """Format a period for a reader: a year stays ``"2023"``, a round ``"2024-06"`` becomes ``"juni 2024"``.

    Parameters
    ----------
    period : str or int
        A year or a reporting round ``yyyy-mm`` (the long format's ``period``).
    short : bool, default False
        Abbreviated month and year for narrow table headers and axes: ``"jun. 24"``.
    """
    if is_missing(period):
        return SUPPRESSED
    text = str(period)
    m = _ROUND.match(text)
    if not m:
        return text
    date = _dt.date(int(m.group(1)), int(m.group(2)), 1)
    return babel.dates.format_date(date, "MMM yy" if short else "MMMM yyyy", locale=LOCALE)


def fmt_list(items: list[str], conjunction: str = "og") -> str:
    """Join words the Norwegian way: ``["Alna", "Bjerke", "Grorud"]`` -> ``"Alna, Bjerke og Grorud"``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


# --- matplotlib tick formatters -----------------------------------------------------------


def number_formatter(decimals: int = 0):
    """Return a matplotlib tick formatter printing ticks as Norwegian numbers (``1 000``, ``3,5``)."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: fmt_number(x, decimals))


def percent_formatter(decimals: int = 0):
    """Return a matplotlib tick formatter printing a fraction axis as percentages (``0.1`` -> ``10 %``)."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: fmt_percent(x, decimals))


def axis_formatter(unit: str, decimals: int | None = None):
    """Return the tick formatter for a catalogue unit (counts whole, means one decimal, shares in %)."""
    if unit == "share":
        return percent_formatter(0 if decimals is None else decimals)
    if unit == "mean":
        return number_formatter(1 if decimals is None else decimals)
    return number_formatter(0 if decimals is None else decimals)


# --- tables ------------------------------------------------------------------------------


def _column_units(df: pd.DataFrame, units: str | dict | None) -> dict:
    if units is None:
        return {c: "count" for c in df.columns}
    if isinstance(units, str):
        return {c: units for c in df.columns}
    return {c: units.get(c, "count") for c in df.columns}


def format_frame(df: pd.DataFrame, units: str | dict | None = None, suppressed: pd.DataFrame | None = None,
                 decimals: dict | None = None, blank_missing: bool = True) -> pd.DataFrame:
    """Return a copy of ``df`` with every cell as Norwegian text (the input is not changed).

    Parameters
    ----------
    df : DataFrame
        Numeric values; rows and columns as they should appear.
    units : str or dict, optional
        One unit for every column, or ``{column: unit}`` (missing columns are counts).
    suppressed : DataFrame of bool, optional
        True where disclosure control hid the value. Defaults to ``df.attrs["suppressed"]``
        (set by :meth:`prioslo.report.Scope.wide`). Those cells print ``:``.
    decimals : dict, optional
        ``{column: decimals}`` overriding the unit's default.
    blank_missing : bool, default True
        Missing but not suppressed cells (a bydel that did not report that year) print empty,
        as in the report's tables. With False they print ``:`` too.
    """
    units_by_col = _column_units(df, units)
    decimals = decimals or {}
    mask = _suppressed_mask(df, suppressed)
    cells = []
    for i in range(len(df.index)):  # by position: row labels need not be unique
        row = []
        for j, col in enumerate(df.columns):
            value = df.iat[i, j]
            if bool(mask.iat[i, j]):
                row.append(SUPPRESSED)
            elif is_missing(value):
                row.append("" if blank_missing else SUPPRESSED)
            elif isinstance(value, str):
                row.append(value)
            else:
                row.append(fmt_value(value, units_by_col[col], decimals.get(col)))
        cells.append(row)
    return pd.DataFrame(cells, index=df.index, columns=df.columns, dtype=object)


def _suppressed_mask(df: pd.DataFrame, suppressed: pd.DataFrame | None) -> pd.DataFrame:
    mask = suppressed if suppressed is not None else df.attrs.get("suppressed")
    if mask is None:
        return pd.DataFrame(False, index=df.index, columns=df.columns)
    if isinstance(mask, pd.Series):
        mask = mask.to_frame(name=df.columns[0]) if len(df.columns) == 1 else mask.to_frame()
    if mask.shape == df.shape and mask.index.equals(df.index) and mask.columns.equals(df.columns):
        return mask.fillna(False).astype(bool)
    return mask.reindex(index=df.index, columns=df.columns).fillna(False).astype(bool)


def has_suppressed(df: pd.DataFrame, suppressed: pd.DataFrame | None = None) -> bool:
    """Return True when any cell of ``df`` is suppressed (per ``suppressed`` or ``df.attrs``)."""
    return bool(_suppressed_mask(df, suppressed).to_numpy().any())


def table(df: pd.DataFrame, units: str | dict | None = None, *, caption: str | None = None,
          source: str | None = None, suppressed: pd.DataFrame | None = None, threshold: int | None = None,
          decimals: dict | None = None, index_name: str | None = None, total_rows: tuple = (),
          row_markers: dict | None = None, escape: bool = True, name: str | None = None):
    """Render a DataFrame as a Norwegian HTML table for a notebook or the stitched report.

    Every number is formatted with :func:`fmt_value`; suppressed cells print ``:`` and add the
    note «: = skjult av personvernhensyn (færre enn N)» under the table.

    Parameters
    ----------
    df : DataFrame
        The values, with Norwegian row and column labels as the reader should see them.
    units : str or dict, optional
        See :func:`format_frame`.
    caption : str, optional
        Caption above the table, e.g. «Tabell 5.1: Samlokaliserte boliger med personalbase».
    source : str, optional
        Source line under the table (printed as «Kilde: <source>»).
    suppressed : DataFrame of bool, optional
        Cells hidden by disclosure control (default ``df.attrs["suppressed"]``).
    threshold : int, optional
        The suppression threshold, quoted in the note; the note is shown only when a cell is
        suppressed and ``threshold`` is given.
    decimals : dict, optional
        ``{column: decimals}``.
    index_name : str, optional
        Header of the row-label column.
    total_rows : tuple, optional
        Row labels printed in bold (totals such as «Totalt Oslo»).
    row_markers : dict, optional
        ``{column: {row: html}}``: raw HTML placed in front of a cell (used for the traffic-light
        markers of the scorecard). The HTML is trusted (built by this package).
    escape : bool, default True
        Escape the text of the cells (labels and values).
    name : str, optional
        Stable id of the table (an HTML ``id``), so a rebuilt report is byte-identical.

    Returns
    -------
    IPython.display.HTML
        Displayable in a notebook; its ``.data`` is the HTML fragment.
    """
    from IPython.display import HTML

    return HTML(table_html(df, units, caption=caption, source=source, suppressed=suppressed,
                           threshold=threshold, decimals=decimals, index_name=index_name,
                           total_rows=total_rows, row_markers=row_markers, escape=escape, name=name))


def table_html(df: pd.DataFrame, units: str | dict | None = None, *, caption: str | None = None,
               source: str | None = None, suppressed: pd.DataFrame | None = None, threshold: int | None = None,
               decimals: dict | None = None, index_name: str | None = None, total_rows: tuple = (),
               row_markers: dict | None = None, escape: bool = True, name: str | None = None) -> str:
    """Return the HTML fragment of :func:`table` (same parameters) as a string."""
    text = format_frame(df, units, suppressed, decimals)
    suppressed_any = has_suppressed(df, suppressed)
    esc = html.escape if escape else (lambda s: s)
    numeric = {c: _column_units(df, units)[c] in UNITS and pd.api.types.is_numeric_dtype(df[c]) for c in df.columns}
    markers = row_markers or {}

    parts = [f'<figure class="prioslo-table"{f" id={_attr(name)}" if name else ""}>']
    if caption:
        parts.append(f"<figcaption><strong>{esc(caption)}</strong></figcaption>")
    parts.append('<table class="prioslo">')
    parts.append("<thead><tr>")
    parts.append(f'<th scope="col" class="text">{esc(index_name or "")}</th>')
    for col in df.columns:
        header = fmt_period(col) if _ROUND.match(str(col)) else str(col)  # «juni 2024», not «2024-06»
        parts.append(f'<th scope="col" class="{"num" if numeric[col] else "text"}">{esc(header)}</th>')
    parts.append("</tr></thead><tbody>")
    for pos, idx in enumerate(df.index):
        bold = idx in total_rows
        row_open = '<tr class="total">' if bold else "<tr>"
        parts.append(row_open)
        label = esc(str(idx))
        parts.append(f'<th scope="row">{f"<strong>{label}</strong>" if bold else label}</th>')
        for j, col in enumerate(df.columns):
            cell = esc(str(text.iat[pos, j]))
            marker = markers.get(col, {}).get(idx, "")
            if bold:
                cell = f"<strong>{cell}</strong>"
            parts.append(f'<td class="{"num" if numeric[col] else "text"}">{marker}{cell}</td>')
        parts.append("</tr>")
    parts.append("</tbody></table>")
    notes = []
    if source:
        notes.append(f"Kilde: {esc(source)}")
    if suppressed_any and threshold is not None:
        notes.append(esc(suppression_note(threshold)))
    elif suppressed_any:
        notes.append(esc(f"{SUPPRESSED} = skjult av personvernhensyn"))
    if notes:
        parts.append('<p class="prioslo-note">' + "<br>".join(notes) + "</p>")
    parts.append("</figure>")
    return _TABLE_STYLE + "".join(parts)


def _attr(value: str) -> str:
    return '"' + html.escape(re.sub(r"[^A-Za-z0-9_-]+", "-", value), quote=True) + '"'


_TABLE_STYLE = (
    "<style>"
    "table.prioslo{border-collapse:collapse;margin:0.5em 0;font-size:0.95em}"
    "table.prioslo th,table.prioslo td{padding:0.25em 0.6em;border-bottom:1px solid #ccc}"
    "table.prioslo thead th{border-bottom:2px solid #333;vertical-align:bottom}"
    "table.prioslo td.num,table.prioslo th.num{text-align:right;font-variant-numeric:tabular-nums}"
    "table.prioslo td.text,table.prioslo th.text{text-align:left}"
    "table.prioslo th[scope=row]{text-align:left;font-weight:normal}"
    "table.prioslo tr.total{border-top:2px solid #333}"
    ".prioslo-note{font-size:0.85em;color:#444;margin:0.2em 0 1em 0}"
    "</style>"
)
