"""The report's figures: a few chart types, numbered, captioned and saved under stable names.

Every figure of the report goes through :func:`finish` (or :meth:`FigureRegistry.finish`, which
numbers figures per chapter): it writes the Norwegian title with its number into the image, a
«Kilde: …» line and, where disclosure control hid a value, «Noen tall er skjult av
personvernhensyn»; embeds the alt text in the PNG metadata and in the ``<img alt=…>`` shown in the
notebook (and so in the stitched report); and saves ``<output_dir>/<scope>/figures/<name>.png``
(+ ``.svg``) byte-for-byte the same on every run of the same data.

The chart helpers take aggregates only -- Series or DataFrames from :class:`prioslo.report.Scope`
-- and print every number through :mod:`prioslo.formatting`, with the seaborn ``colorblind``
palette, distinct markers and line styles (colour is never the only cue), and Norwegian axis
labels. Given no data (a short period, a bydel without answers) they draw an empty frame that
says so instead of failing, so a chapter runs for every scope and period.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from prioslo import formatting as fmt
from prioslo import paths
from prioslo.stamps import INTERNAL_STAMP

log = logging.getLogger(__name__)

PALETTE = sns.color_palette("colorblind")
"""Seaborn's colour-blind-safe palette (Okabe–Ito based)."""

MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":")
SEQUENTIAL_CMAP = "cividis"
"""Sequential colour map designed to read the same for colour-blind readers."""

GREY = "#8c8c8c"
SUPPRESSED_NOTE = "Noen tall er skjult av personvernhensyn"
NO_DATA_TEXT = "Ingen data for valgt område og periode"

DPI = 150
FIG_SIZE = (8.0, 4.5)

_STYLE = {
    "svg.hashsalt": "prioslo",  # stable ids inside SVG files
    "svg.fonttype": "path",
    "font.size": 10.5,
    "axes.titlesize": 11,
    "axes.labelsize": 10.5,
    "xtick.labelsize": 9.5,
    "ytick.labelsize": 9.5,
    "legend.fontsize": 9.5,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def apply_style() -> None:
    """Set the report's plot style (seaborn whitegrid, colour-blind palette, readable font sizes)."""
    sns.set_theme(style="whitegrid", palette=PALETTE, rc=_STYLE)


def new_figure(width: float = FIG_SIZE[0], height: float = FIG_SIZE[1], nrows: int = 1, ncols: int = 1):
    """Return ``(fig, ax)`` in the report's style with constrained layout."""
    apply_style()
    fig, ax = plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained")
    return fig, ax


# ------------------------------------------------------------------------------- data helpers


def _mark_suppressed(fig, *frames) -> None:
    """Remember on the figure whether any input cell was suppressed (read by :func:`finish`)."""
    hidden = any(fmt.has_suppressed(f.to_frame() if isinstance(f, pd.Series) else f) for f in frames
                 if isinstance(f, (pd.Series, pd.DataFrame)) and _has_mask(f))
    fig.prioslo_suppressed = bool(getattr(fig, "prioslo_suppressed", False) or hidden)


def _has_mask(obj) -> bool:
    return obj.attrs.get("suppressed") is not None


def _series_frame(data) -> pd.DataFrame:
    """Normalise a Series, a dict of Series or a DataFrame to a frame: index = period, one column per line."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame(name=data.name or "")
    frame = pd.concat({str(k): v for k, v in data.items()}, axis=1) if data else pd.DataFrame()
    masks = {str(k): v.attrs.get("suppressed") for k, v in data.items()} if data else {}
    if any(m is not None for m in masks.values()):
        frame.attrs["suppressed"] = pd.concat(
            {k: (m if m is not None else pd.Series(False, index=data[k].index)) for k, m in masks.items()}, axis=1)
    return frame


def _period_labels(index) -> list[str]:
    labels = [str(p) for p in index]
    short = any(re.fullmatch(r"\d{4}-\d{2}", p) for p in labels)
    return [fmt.fmt_period(p, short=short) for p in labels]


def _no_data(ax, text: str = NO_DATA_TEXT) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=GREY, fontsize=12)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


def _is_empty(frame: pd.DataFrame) -> bool:
    return frame.empty or frame.isna().all().all()


def _value_label(value, unit: str, decimals: int | None = None) -> str:
    return fmt.fmt_value(value, unit, decimals)


def describe_values(frame: pd.DataFrame, unit: str, by: str = "columns", limit: int = 60) -> str:
    """Describe a chart's values in words for its alt text: «Oslo: 2021 4,1; 2022 4,3.».

    Parameters
    ----------
    frame : DataFrame
        Rows = periods or categories, columns = series.
    unit : str
        Unit of the values.
    by : {'columns', 'rows'}
        Describe each column over the rows (lines, bar series) or each row over the columns
        (stacked bars: one bar per row).
    limit : int
        Above this many values, only the lowest and highest value are named (a heat map).
    """
    values = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    if values.size == 0 or values.isna().all().all():
        return "Ingen tall å vise."
    if values.size > limit:
        stacked = values.stack().dropna()
        lo, hi = stacked.idxmin(), stacked.idxmax()
        return (f"Laveste verdi er {_value_label(stacked[lo], unit)} ({lo[0]}, {fmt.fmt_period(lo[1])}), "
                f"høyeste {_value_label(stacked[hi], unit)} ({hi[0]}, {fmt.fmt_period(hi[1])}).")
    outer = values.T if by == "columns" else values
    parts = []
    for name, row in outer.iterrows():
        items = "; ".join(f"{fmt.fmt_period(k)} {_value_label(v, unit)}" for k, v in row.items())
        parts.append(f"{name}: {items}" if str(name) else items)
    return ". ".join(parts) + "."


# ------------------------------------------------------------------------------- chart helpers


def line_trend(data, unit: str = "count", *, ylabel: str, xlabel: str = "År", target: float | None = None,
               target_label: str | None = None, ylim: tuple | None = None, value_labels: bool = True,
               decimals: int | None = None, connect_gaps: bool = False, xlabel_rotation: int = 0):
    """Draw one line per group over the periods (e.g. the life-quality mean of a bydel and of Oslo).

    Parameters
    ----------
    data : Series, dict of Series or DataFrame
        Index = period (``"2021"`` or ``"2024-06"``), one column (or dict entry) per line, named as
        the legend should read. Missing or suppressed periods leave a gap.
    unit : {'count', 'mean', 'share'}
        Unit of the values: sets the axis format.
    ylabel, xlabel : str
        Norwegian axis labels.
    target : float, optional
        Draws a dashed horizontal target line, labelled ``target_label`` (default «Mål: <target>»).
    ylim : tuple, optional
        Fixed y limits (a scale's range such as ``(1, 7)``); default starts at 0 for counts and shares.
    value_labels : bool, default True
        Print the value at each point of a single line (with several lines the labels would
        collide; the chapter's tables carry the numbers).
    decimals : int, optional
        Decimals of the value labels.
    connect_gaps : bool, default False
        Join a line's points across periods it has no value for (series measured in different
        rounds, such as supply and mapped need); by default a missing period leaves a gap.

    Returns
    -------
    matplotlib.figure.Figure
    """
    frame = _series_frame(data)
    fig, ax = new_figure()
    _mark_suppressed(fig, frame)
    if _is_empty(frame):
        _no_data(ax)
        return fig
    fig.prioslo_data_text = describe_values(frame, unit)
    x = np.arange(len(frame.index))
    for i, col in enumerate(frame.columns):
        y = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        keep = ~np.isnan(y) if connect_gaps else np.ones(len(y), dtype=bool)
        ax.plot(x[keep], y[keep], marker=MARKERS[i % len(MARKERS)], linestyle=LINESTYLES[i % len(LINESTYLES)],
                color=PALETTE[i % len(PALETTE)], linewidth=2, markersize=6, label=str(col))
        if value_labels and len(frame.columns) == 1 and len(x) <= 15:
            for xi, yi in zip(x, y):
                if not np.isnan(yi):
                    ax.annotate(_value_label(yi, unit, decimals), (xi, yi), textcoords="offset points",
                                xytext=(0, 8), ha="center", fontsize=9, color="#333333")
    if target is not None:
        ax.axhline(target, color="#333333", linestyle=(0, (4, 3)), linewidth=1.2,
                   label=target_label or f"Mål: {_value_label(target, unit, decimals)}")
    ax.set_xticks(x, _period_labels(frame.index), rotation=xlabel_rotation)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(fmt.axis_formatter(unit))
    if ylim is not None:
        ax.set_ylim(*ylim)
    elif unit in ("count", "share"):
        ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], (target or 0) * 1.1))
    if len(frame.columns) > 1 or target is not None:
        ax.legend(loc="best", frameon=False)
    return fig


def heatmap(frame: pd.DataFrame, unit: str = "mean", *, xlabel: str = "År", ylabel: str = "",
            colorbar_label: str = "", decimals: int | None = None, total_rows: tuple = (),
            cmap: str = SEQUENTIAL_CMAP, vmin: float | None = None, vmax: float | None = None):
    """Draw a group × period table as a heat map with the values printed in the cells (Figur 2).

    Parameters
    ----------
    frame : DataFrame
        Rows = groups (bydeler, then «Oslo»), columns = periods. A missing cell (the bydel did not
        report) stays blank; a suppressed cell (``frame.attrs["suppressed"]``) prints ``:``.
    unit : str
        Unit of the values (cell text and colour-bar format).
    xlabel, ylabel, colorbar_label : str
        Norwegian labels.
    total_rows : tuple
        Row labels set off by a line above them (the Oslo total).
    cmap : str
        A perceptually uniform, colour-blind-safe colour map.

    Returns
    -------
    matplotlib.figure.Figure
    """
    mask = fmt._suppressed_mask(frame, None)
    fig, ax = new_figure(height=max(2.5, 0.38 * len(frame.index) + 1.4))
    fig.prioslo_suppressed = bool(mask.to_numpy().any())
    values = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    if _is_empty(values):
        _no_data(ax)
        return fig
    fig.prioslo_data_text = describe_values(values, unit, by="rows", limit=20)
    text = fmt.format_frame(values, unit, suppressed=mask, decimals={c: decimals for c in values.columns}
                            if decimals is not None else None)
    sns.heatmap(values, ax=ax, cmap=cmap, annot=text.to_numpy(), fmt="", mask=values.isna(), vmin=vmin, vmax=vmax,
                linewidths=1, linecolor="white", cbar_kws={"label": colorbar_label,
                                                           "format": fmt.axis_formatter(unit, decimals)},
                annot_kws={"fontsize": 9})
    ax.grid(False)
    for (r, c), hidden in np.ndenumerate(mask.to_numpy()):
        if hidden:
            ax.add_patch(plt.Rectangle((c, r), 1, 1, facecolor="#e6e6e6", edgecolor="white", linewidth=1))
            ax.text(c + 0.5, r + 0.5, fmt.SUPPRESSED, ha="center", va="center", fontsize=11, color="#333333")
    ax.set_xticks(np.arange(len(values.columns)) + 0.5, _period_labels(values.columns), rotation=0)
    ax.set_yticks(np.arange(len(values.index)) + 0.5, [str(i) for i in values.index], rotation=0)
    for label in ax.get_yticklabels():
        if label.get_text() in total_rows:
            label.set_fontweight("bold")
    for i, row in enumerate(values.index):
        if row in total_rows:
            ax.axhline(i, color="#333333", linewidth=1.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.tick_params(axis="x", top=False, labeltop=False)
    return fig


def grouped_bars(frame: pd.DataFrame, unit: str = "count", *, ylabel: str, xlabel: str = "År",
                 value_labels: bool = True, decimals: int | None = None, legend_title: str | None = None,
                 separate: bool = False):
    """Draw grouped bars: one group of bars per period, one bar per column (persons and stays, Figur 3/6).

    Parameters
    ----------
    frame : DataFrame
        Index = period (or another category), columns = the bars of a group, named for the legend.
    unit : str
        Unit of the values.
    ylabel, xlabel : str
        Norwegian axis labels.
    value_labels : bool, default True
        Print each bar's value above it.
    separate : bool, default False
        One panel per column, each with its own y axis, stacked vertically: for series of very
        different size (persons and their stays), where one shared axis would flatten the smaller.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if separate and len(frame.columns) > 1:
        return _panel_bars(frame, unit, ylabel=ylabel, xlabel=xlabel, value_labels=value_labels, decimals=decimals)
    fig, ax = new_figure()
    _mark_suppressed(fig, frame)
    values = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    if _is_empty(values):
        _no_data(ax)
        return fig
    fig.prioslo_data_text = describe_values(values, unit)
    n = len(values.columns)
    width = 0.8 / n
    x = np.arange(len(values.index))
    hatches = ("", "//", "..", "xx")
    mask = fmt._suppressed_mask(values, frame.attrs.get("suppressed"))
    for i, col in enumerate(values.columns):
        heights = values[col].to_numpy(dtype=float)
        bars = ax.bar(x - 0.4 + width * (i + 0.5), np.nan_to_num(heights), width, label=str(col),
                      color=PALETTE[i % len(PALETTE)], hatch=hatches[i % len(hatches)], edgecolor="white")
        if value_labels:
            labels = [fmt.SUPPRESSED if mask[col].iloc[j] else ("" if np.isnan(h) else _value_label(h, unit, decimals))
                      for j, h in enumerate(heights)]
            ax.bar_label(bars, labels=labels, padding=2, fontsize=8 if len(x) * n > 12 else 9)
    ax.set_xticks(x, _period_labels(values.index) if _looks_like_periods(values.index)
                  else [str(i) for i in values.index])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(fmt.axis_formatter(unit))
    ax.margins(y=0.12)
    if n > 1:
        ax.legend(frameon=False, title=legend_title)
    ax.grid(axis="x", visible=False)
    return fig


def _panel_bars(frame: pd.DataFrame, unit: str, *, ylabel: str, xlabel: str, value_labels: bool,
                decimals: int | None):
    """Bars of each column in a panel of its own (shared x axis), see :func:`grouped_bars`."""
    n = len(frame.columns)
    fig, axes = new_figure(height=2.3 * n + 0.8, nrows=n)
    _mark_suppressed(fig, frame)
    values = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    mask = fmt._suppressed_mask(values, frame.attrs.get("suppressed"))
    fig.prioslo_data_text = describe_values(values, unit)
    x = np.arange(len(values.index))
    labels_x = (_period_labels(values.index) if _looks_like_periods(values.index)
                else [str(i) for i in values.index])
    for i, (ax, col) in enumerate(zip(axes, values.columns)):
        heights = values[col].to_numpy(dtype=float)
        if np.isnan(heights).all():
            _no_data(ax)
            ax.set_title(str(col), loc="left")
            continue
        bars = ax.bar(x, np.nan_to_num(heights), 0.65, color=PALETTE[i % len(PALETTE)])
        if value_labels:
            ax.bar_label(bars, labels=[fmt.SUPPRESSED if mask[col].iloc[j] else
                                       ("" if np.isnan(h) else _value_label(h, unit, decimals))
                                       for j, h in enumerate(heights)], padding=2, fontsize=9)
        ax.set_title(str(col), loc="left", fontsize=10.5, fontweight="bold")
        ax.set_xticks(x, labels_x)
        ax.set_ylabel(ylabel)
        ax.yaxis.set_major_formatter(fmt.axis_formatter(unit))
        ax.margins(y=0.18)
        ax.grid(axis="x", visible=False)
    axes[-1].set_xlabel(xlabel)
    return fig


def _looks_like_periods(index) -> bool:
    return all(re.fullmatch(r"\d{4}(-\d{2})?", str(i)) for i in index)


def hbar(series: pd.Series, unit: str = "count", *, xlabel: str, ylabel: str = "", highlight: tuple = (),
         reference: tuple = (), target: float | None = None, target_label: str | None = None,
         decimals: int | None = None, sort: bool = False):
    """Draw horizontal bars, one per label (bydeler, institution categories).

    Parameters
    ----------
    series : Series
        Index = labels as the reader sees them (top to bottom), values = bar lengths. Suppressed
        values (``series.attrs["suppressed"]``) print ``:`` and have no bar.
    unit : str
        Unit of the values.
    xlabel, ylabel : str
        Norwegian axis labels.
    highlight : tuple
        Labels drawn in a contrasting colour and bold (the bydel of a bydel report).
    reference : tuple
        Labels drawn in dark grey (the Oslo total or average).
    target : float, optional
        Dashed vertical target line.
    sort : bool, default False
        Sort bars by value (largest on top).

    Returns
    -------
    matplotlib.figure.Figure
    """
    values = pd.to_numeric(series, errors="coerce").astype(float)
    mask = series.attrs.get("suppressed")
    hidden = (mask.reindex(values.index).fillna(False).astype(bool) if mask is not None
              else pd.Series(False, index=values.index))
    if sort:
        order = values.sort_values(ascending=False, na_position="last").index
        values, hidden = values.reindex(order), hidden.reindex(order)
    fig, ax = new_figure(height=max(2.2, 0.32 * len(values) + 1.2))
    fig.prioslo_suppressed = bool(hidden.any())
    if values.isna().all():
        _no_data(ax)
        return fig
    fig.prioslo_data_text = describe_values(values.to_frame(name=""), unit)
    y = np.arange(len(values))[::-1]
    colours = [PALETTE[3] if lab in highlight else ("#4d4d4d" if lab in reference else PALETTE[0])
               for lab in values.index]
    bars = ax.barh(y, np.nan_to_num(values.to_numpy()), color=colours, height=0.7)
    labels = [fmt.SUPPRESSED if hidden.iloc[i] else ("" if np.isnan(v) else _value_label(v, unit, decimals))
              for i, v in enumerate(values.to_numpy())]
    ax.bar_label(bars, labels=labels, padding=3, fontsize=8.5)
    ax.set_yticks(y, [str(i) for i in values.index])
    for label in ax.get_yticklabels():
        if label.get_text() in highlight or label.get_text() in reference:
            label.set_fontweight("bold")
    if target is not None:
        ax.axvline(target, color="#333333", linestyle=(0, (4, 3)), linewidth=1.2,
                   label=target_label or f"Mål: {_value_label(target, unit, decimals)}")
        ax.legend(frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), borderaxespad=0.2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_formatter(fmt.axis_formatter(unit))
    ax.margins(x=0.12)
    ax.grid(axis="y", visible=False)
    return fig


def stacked_bars(frame: pd.DataFrame, unit: str = "count", *, ylabel: str, xlabel: str = "Kartleggingsrunde",
                 legend_title: str | None = None, value_labels: bool = True, ymax: float | None = None):
    """Draw stacked bars: one bar per period, one segment per level (mapping answers, Figur 7–9).

    Parameters
    ----------
    frame : DataFrame
        Index = period, columns = levels in stacking order (bottom first), named for the legend.
    unit : str
        Unit of the values.
    ylabel, xlabel : str
        Norwegian axis labels.
    ymax : float, optional
        Fixed top of the axis (15 bydeler).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_figure()
    _mark_suppressed(fig, frame)
    values = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    if _is_empty(values):
        _no_data(ax)
        return fig
    fig.prioslo_data_text = describe_values(values, unit, by="rows")
    x = np.arange(len(values.index))
    bottom = np.zeros(len(x))
    hatches = ("", "//", "..", "xx", "\\\\")
    for i, col in enumerate(values.columns):
        heights = np.nan_to_num(values[col].to_numpy(dtype=float))
        bars = ax.bar(x, heights, 0.65, bottom=bottom, label=str(col), color=PALETTE[i % len(PALETTE)],
                      hatch=hatches[i % len(hatches)], edgecolor="white")
        if value_labels:
            ax.bar_label(bars, labels=[_value_label(h, unit) if h > 0 else "" for h in heights],
                         label_type="center", fontsize=9, color="black",
                         bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
        bottom += heights
    ax.set_xticks(x, _period_labels(values.index))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(fmt.axis_formatter(unit))
    if ymax is not None:
        ax.set_ylim(0, ymax)
    ax.legend(frameon=False, title=legend_title, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="x", visible=False)
    return fig


# ------------------------------------------------------------------------------- finishing


@dataclass
class FigureRecord:
    """A finished figure: its number, title and the files written.

    Displaying a record shows nothing (:func:`finish` has already displayed the figure), so a
    notebook cell may end with the call without showing the figure twice.
    """

    number: str
    title: str
    name: str
    alt_text: str
    files: list[Path] = field(default_factory=list)
    html: str = ""

    def _ipython_display_(self):  # noqa: D401 - IPython protocol
        return None


def figures_dir(output_dir: Path | str | None, scope: str) -> Path:
    """Return ``<output_dir>/<scope>/figures`` (``output_dir`` None = ``outputs/``)."""
    base = Path(output_dir) if output_dir is not None else paths.OUTPUTS_DIR
    return base / scope / "figures"


_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def finish(fig, number: str | int, title: str, caption: str, source: str, alt_text: str, name: str,
           output_dir: Path | str | None = None, scope: str = "oslo", *, suppressed: bool | None = None,
           internal: bool = False, svg: bool = True, display: bool = True) -> FigureRecord:
    """Title, caption, source-line, alt-text and save a figure; show it in the notebook.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from one of the chart helpers.
    number : str or int
        Figure number within the report, e.g. ``"2.1"`` (chapter 2, first figure).
    title : str
        Norwegian title, written above the chart as «Figur <number>: <title>».
    caption : str
        Norwegian caption shown under the figure in the notebook and report (what the reader sees,
        how to read it).
    source : str
        Data source, printed as «Kilde: <source>» in the image and under it.
    alt_text : str
        Description for readers who cannot see the chart (PNG/SVG metadata and ``<img alt>``).
    name : str
        Stable file stem (lower-case ASCII, ``-`` or ``_``), e.g. ``"life_quality_trend"``.
    output_dir : path, optional
        Root of the outputs (default ``outputs/``); files go to ``<output_dir>/<scope>/figures/``.
    scope : str
        Scope slug (``oslo``, ``alna`` ...).
    suppressed : bool, optional
        Whether a value in the chart is hidden by disclosure control; default: what the chart
        helper recorded from its input. Adds «Noen tall er skjult av personvernhensyn».
    internal : bool
        Stamp the figure «Internt – ikke for publisering».
    svg : bool, default True
        Also write an SVG (scalable, for print).
    display : bool, default True
        Show the figure (as HTML ``<figure>`` with alt text and caption) in the running notebook.

    Returns
    -------
    FigureRecord
    """
    if not _NAME.match(name):
        raise ValueError(f"figure name {name!r} must be lower-case ASCII letters, digits, '-' or '_'")
    hidden = bool(getattr(fig, "prioslo_suppressed", False)) if suppressed is None else suppressed
    heading = f"Figur {number}: {title}"
    fig.suptitle("\n".join(textwrap.wrap(heading, 80)), x=0.0, ha="left", fontsize=12, fontweight="bold")
    foot = [f"Kilde: {source}"]
    if hidden:
        foot.append(f"{SUPPRESSED_NOTE} ({fmt.SUPPRESSED} = skjult).")
    fig.text(0.0, -0.01, "\n".join(foot), ha="left", va="top", fontsize=8.5, color="#333333")
    if internal:
        fig.text(1.0, 1.0, INTERNAL_STAMP, ha="right", va="bottom", fontsize=9, color="#b2182b", fontweight="bold")

    target = figures_dir(output_dir, scope)
    target.mkdir(parents=True, exist_ok=True)
    png_path = target / f"{name}.png"
    png = io.BytesIO()
    with plt.rc_context({"svg.hashsalt": "prioslo"}):
        fig.savefig(png, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.15, facecolor="white",
                    metadata={"Title": heading, "Description": alt_text, "Source": source, "Software": None})
        png_path.write_bytes(png.getvalue())
        files = [png_path]
        if svg:
            svg_path = target / f"{name}.svg"
            fig.savefig(svg_path, format="svg", bbox_inches="tight", pad_inches=0.15, facecolor="white",
                        metadata={"Title": heading, "Description": alt_text, "Date": None, "Creator": None})
            files.append(svg_path)
    plt.close(fig)
    log.debug("saved figure %s as %s", number, ", ".join(str(f) for f in files))

    figure_html = figure_html_block(png.getvalue(), number, title, caption, source, alt_text, name, hidden)
    record = FigureRecord(str(number), title, name, alt_text, files, figure_html)
    if display:
        from IPython.display import HTML
        from IPython.display import display as ipy_display

        ipy_display(HTML(figure_html))
    return record


def figure_html_block(png: bytes, number, title: str, caption: str, source: str, alt_text: str, name: str,
                      suppressed: bool = False) -> str:
    """Return the ``<figure>`` HTML of a finished figure: the PNG inline (no external file), alt, caption."""
    data = base64.b64encode(png).decode("ascii")
    note = f"<br>{html.escape(SUPPRESSED_NOTE)}." if suppressed else ""
    return (
        f'<figure class="prioslo-figure" id="figur-{html.escape(name)}" style="margin:1em 0">'
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt_text, quote=True)}" '
        f'style="max-width:100%;height:auto">'
        f'<figcaption style="font-size:0.9em"><strong>Figur {html.escape(str(number))}: {html.escape(title)}.</strong> '
        f"{html.escape(caption)}<br><small>Kilde: {html.escape(source)}{note}</small></figcaption></figure>"
    )


class FigureRegistry:
    """Numbers the figures and tables of one chapter and saves figures under stable names.

    Parameters
    ----------
    chapter : int
        The chapter's number in the report; figures are numbered ``<chapter>.1``, ``<chapter>.2`` ...
    output_dir : path, optional
        Root of the outputs (default ``outputs/``).
    scope : str
        Scope slug (``oslo`` or a bydel slug).
    internal : bool
        Stamp every figure «Internt – ikke for publisering».
    display : bool
        Show figures in the running notebook.
    """

    def __init__(self, chapter: int, output_dir: Path | str | None = None, scope: str = "oslo",
                 internal: bool = False, display: bool = True):
        self.chapter = chapter
        self.output_dir = output_dir
        self.scope = scope
        self.internal = internal
        self.display = display
        self.records: list[FigureRecord] = []
        self._tables = 0

    def next_number(self) -> str:
        """Return the number the next figure will get (``"3.2"``)."""
        return f"{self.chapter}.{len(self.records) + 1}"

    def next_table_number(self) -> str:
        """Count and return the next table number of the chapter (``"5.1"``)."""
        self._tables += 1
        return f"{self.chapter}.{self._tables}"

    def finish(self, fig, *, title: str, caption: str, source: str, alt_text: str, name: str,
               suppressed: bool | None = None, svg: bool = True) -> FigureRecord:
        """Finish ``fig`` as the chapter's next figure (see :func:`finish`); names must be unique."""
        if any(r.name == name for r in self.records):
            raise ValueError(f"figure name {name!r} used twice in chapter {self.chapter}")
        record = finish(fig, self.next_number(), title, caption, source, alt_text, name, self.output_dir,
                        self.scope, suppressed=suppressed, internal=self.internal, svg=svg, display=self.display)
        self.records.append(record)
        return record
