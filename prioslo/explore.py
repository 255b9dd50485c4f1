"""The interactive bydel explorer: ipywidgets controls over the suppressed indicator table.

``notebooks/explore.ipynb`` («Utforsk bydelene») is two lines -- import and call
:func:`explorer` -- and the same notebook is the Voilà dashboard (:mod:`prioslo.dashboard`).
All logic is here so that it is tested like the rest of the library:

* :func:`explorer_frame` is the pure selection the figure shows (frame in, frame out);
* :func:`explorer_html` turns that selection into the figure and its table (Norwegian labels
  and numbers, ``:`` and the note for suppressed points);
* :class:`Explorer` is the widget: every change of a control re-renders one ``Output`` widget
  in place through ``observe`` -- no cell is re-run;
* :func:`export_explorer_html` writes the explorer as a static HTML page with its widget state,
  rendered by the vendored ``@jupyter-widgets/html-manager`` copy in ``prioslo/static/`` instead
  of the CDN nbconvert would load it from, so the page works offline.

Suppression is exactly the report's: the explorer reads the indicator frame that
:func:`prioslo.report.load_scope` returns, already passed through disclosure control with the
same threshold, and never the unsuppressed values.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import logging
import re
from collections.abc import Iterable
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from prioslo import formatting
from prioslo.bydeler import BYDELER, OSLO, UNSPECIFIED
from prioslo.errors import PriosloError
from prioslo.paths import NOTEBOOKS_DIR, PACKAGE_DIR

log = logging.getLogger(__name__)

EXPLORE_NOTEBOOK: Path = NOTEBOOKS_DIR / "explore.ipynb"
"""The explorer notebook, also served by the dashboard."""

HTML_MANAGER_VERSION = "1.0.15"
"""Version of the vendored ``@jupyter-widgets/html-manager`` (see ``prioslo/static/html-manager/VENDORED.md``)."""

HTML_MANAGER_PATH: Path = PACKAGE_DIR / "static" / "html-manager" / "embed.js"
"""The vendored widget renderer for static HTML pages (its ``dist/embed.js``, unchanged)."""

HTML_MANAGER_SHA256 = "8f6d2d3f856d8595d1841dec3019d99bbe74d331f2a5178c2a33bfec729e3d6a"
"""sha256 of :data:`HTML_MANAGER_PATH` as packed by npm; checked before the file is inlined."""

GROUP_ORDER: tuple[str, ...] = (*BYDELER, UNSPECIFIED, OSLO)
"""Order of the lines and table columns: the bydeler in report order, then Uoppgitt, then Oslo."""

UNIT_AXIS_LABELS = {"count": "Antall", "mean": "Gjennomsnittsskår", "share": "Andel"}
"""Y-axis title by catalogue unit."""

FRAME_COLUMNS = ("group", "period", "value", "suppressed")
"""Columns of :func:`explorer_frame`."""

_OSLO_COLOUR = "#000000"


def period_year(period: object) -> int:
    """Return the year of a period: ``"2023"`` -> 2023, a round ``"2024-06"`` -> 2024.

    The period range control selects years, and ``--from``/``--to`` filter rounds by their
    ``yyyy`` part too, so the explorer does the same.
    """
    match = re.match(r"^\s*(\d{4})", str(period))
    if not match:
        raise ValueError(f"period {period!r} is neither a year nor a round yyyy-mm")
    return int(match.group(1))


def explorer_frame(indicators: pd.DataFrame, bydeler: Iterable[str], indicator: str,
                   years: tuple[int, int], compare_oslo: bool) -> pd.DataFrame:
    """Select what the explorer plots: one indicator, some groups, a range of years.

    Parameters
    ----------
    indicators : DataFrame
        Long indicator table (``indicator, group, period, value, ...``), normally the SUPPRESSED
        one from :func:`prioslo.report.load_scope`. A missing ``suppressed`` column means nothing
        is suppressed.
    bydeler : iterable of str
        Groups to show (official bydel names; ``Uoppgitt`` is allowed too).
    indicator : str
        Indicator id.
    years : (int, int)
        First and last year, inclusive; a round ``yyyy-mm`` counts in year ``yyyy``.
    compare_oslo : bool
        Add the ``Oslo`` group as a reference line.

    Returns
    -------
    DataFrame
        Columns ``group, period, value, suppressed``: one row per group and period present in the
        data, groups in :data:`GROUP_ORDER` (Oslo last), periods ascending. The value of a
        suppressed row is missing, whatever the input held, so a suppressed number can never be
        plotted. The input is not changed.
    """
    first, last = int(years[0]), int(years[1])
    if first > last:
        raise ValueError(f"years must be (first, last) with first <= last, got {years!r}")
    groups = list(dict.fromkeys(bydeler))
    if compare_oslo and OSLO not in groups:
        groups.append(OSLO)

    rows = indicators[(indicators["indicator"] == indicator) & indicators["group"].isin(groups)]
    rows = rows.assign(period=rows["period"].astype(str))
    in_range = rows["period"].map(period_year).between(first, last) if len(rows) else pd.Series(dtype=bool)
    rows = rows[in_range]

    if "suppressed" in rows.columns:
        suppressed = rows["suppressed"].fillna(False).astype(bool)
    else:
        suppressed = pd.Series(False, index=rows.index)
    value = pd.to_numeric(rows["value"], errors="coerce").astype("float64").mask(suppressed)

    out = pd.DataFrame({"group": rows["group"].astype(str), "period": rows["period"],
                        "value": value, "suppressed": suppressed})
    rank = {g: i for i, g in enumerate(GROUP_ORDER)}
    out = out.assign(_rank=out["group"].map(lambda g: rank.get(g, len(rank))))
    out = out.sort_values(["_rank", "group", "period"], kind="stable").drop(columns="_rank")
    return out.reset_index(drop=True)[list(FRAME_COLUMNS)]


def bydel_indicators(indicators: pd.DataFrame) -> list[str]:
    """Return the ids that have at least one bydel group, in catalogue order.

    Indicators kept for Oslo only (the rental homes, the mean of bydel means) or for institution
    groups cannot be explored by bydel and are not offered.
    """
    present = set(indicators.loc[indicators["group"].isin(BYDELER), "indicator"].astype(str))
    from prioslo.catalogue import INDICATORS

    ordered = [i for i in INDICATORS if i in present]
    return ordered + sorted(present - set(ordered))


def indicator_label(indicator: str) -> str:
    """Return the Norwegian label of an indicator id (the id itself if the catalogue lacks it)."""
    from prioslo.catalogue import INDICATORS

    info = INDICATORS.get(indicator)
    return info.label if info is not None else indicator


def indicator_unit(indicator: str) -> str:
    """Return the catalogue unit (``count``, ``mean`` or ``share``) of an indicator id."""
    from prioslo.catalogue import INDICATORS

    info = INDICATORS.get(indicator)
    return info.unit if info is not None else "count"


# --- rendering ---------------------------------------------------------------------------


def _periods(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["period"].unique(), key=lambda p: (period_year(p), p))


def explorer_figure(frame: pd.DataFrame, indicator: str):
    """Draw the explorer's line chart of :func:`explorer_frame`'s result.

    The chart is the report's :func:`prioslo.plotting.line_trend` (one line per group over the
    periods, colour-blind palette, Norwegian axes). For a count compared with Oslo, Oslo moves to
    its own axis on the right -- an Oslo count is many times a bydel count and would flatten the
    bydel lines. A suppressed point is a gap in its line with a ``:`` at the foot of the axis.

    Returns
    -------
    matplotlib.figure.Figure
        Close it with ``matplotlib.pyplot.close`` when done (:func:`explorer_html` does).
    """
    from prioslo import plotting

    unit = indicator_unit(indicator)
    periods = _periods(frame)
    groups = list(dict.fromkeys(frame["group"]))
    separate_oslo = unit == "count" and OSLO in groups and len(groups) > 1
    on_left = [g for g in groups if not (separate_oslo and g == OSLO)]

    values = frame.pivot(index="period", columns="group", values="value").reindex(index=periods)
    fig = plotting.line_trend(values[on_left], unit, xlabel="", value_labels=not separate_oslo,
                              ylabel=UNIT_AXIS_LABELS[unit] + (" (bydel)" if separate_oslo else ""))
    ax = fig.axes[0]
    if separate_oslo:
        ax_oslo = ax.twinx()
        ax_oslo.plot(range(len(periods)), values[OSLO].to_numpy(dtype=float), color=_OSLO_COLOUR,
                     linestyle="--", marker="o", linewidth=2, label=f"{OSLO} (høyre akse)")
        ax_oslo.set_ylabel(f"{UNIT_AXIS_LABELS[unit]} (Oslo)")
        ax_oslo.yaxis.set_major_formatter(formatting.axis_formatter(unit))
        ax_oslo.set_ylim(bottom=0)
        ax_oslo.grid(False)
        ax_oslo.spines["right"].set_visible(True)
        ax.set_zorder(ax_oslo.get_zorder() + 1)  # bydel lines in front of Oslo's
        ax.patch.set_visible(False)
        handles = ax.get_lines()[: len(on_left)] + ax_oslo.get_lines()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        ax.legend(handles=handles, labels=[h.get_label() for h in handles], loc="best", frameon=False)

    x_of = {p: i for i, p in enumerate(periods)}
    for row in frame[frame["suppressed"]].itertuples():
        ax.annotate(formatting.SUPPRESSED, xy=(x_of[row.period], 0.02), xycoords=("data", "axes fraction"),
                    ha="center", va="bottom", fontsize=14, fontweight="bold", color="#333333")
    if len(periods) == 1:
        ax.set_xlim(-0.5, 0.5)
    ax.set_title(indicator_label(indicator), loc="left")
    return fig


def _figure_png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight", facecolor="white",
                    metadata={"Software": None})
    finally:
        plt.close(fig)  # the explorer redraws on every change: never let pyplot keep old figures
    return buffer.getvalue()


def _alt_text(frame: pd.DataFrame, indicator: str) -> str:
    periods = _periods(frame)
    groups = list(dict.fromkeys(frame["group"]))
    span = (formatting.fmt_period(periods[0]) if len(periods) == 1
            else f"{formatting.fmt_period(periods[0])}–{formatting.fmt_period(periods[-1])}")
    return (f"Linjediagram: {indicator_label(indicator)} for {formatting.fmt_list(groups)}, {span}. "
            "Tallene står i tabellen under figuren.")


def explorer_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pivot :func:`explorer_frame`'s result to the explorer's table: periods down, groups across.

    Returns
    -------
    (values, suppressed) : two DataFrames of the same shape
        Row labels are the Norwegian periods («2023», «juni 2024»), columns the groups;
        ``suppressed`` is True where disclosure control hid the value.
    """
    periods = _periods(frame)
    groups = list(dict.fromkeys(frame["group"]))
    labels = [formatting.fmt_period(p) for p in periods]
    values = (frame.pivot(index="period", columns="group", values="value")
              .reindex(index=periods, columns=groups))
    suppressed = (frame.pivot(index="period", columns="group", values="suppressed")
                  .reindex(index=periods, columns=groups).fillna(False).astype(bool))
    values.index = suppressed.index = pd.Index(labels, name=None)
    values.columns = suppressed.columns = pd.Index(groups, name=None)
    return values, suppressed


def explorer_html(frame: pd.DataFrame, indicator: str, threshold: int) -> str:
    """Return the HTML the explorer's output shows: figure, table and suppression note.

    Parameters
    ----------
    frame : DataFrame
        :func:`explorer_frame`'s result.
    indicator : str
        The indicator id (for its Norwegian label and unit).
    threshold : int
        The suppression threshold in force, quoted in the note «: = skjult av personvernhensyn
        (færre enn N)» whenever a shown value is suppressed.
    """
    if frame.empty:
        return ('<p class="prioslo-explorer-empty">Ingen tall å vise: velg minst én bydel, '
                "eller et annet tidsrom.</p>")
    unit = indicator_unit(indicator)
    fig = explorer_figure(frame, indicator)
    png = base64.b64encode(_figure_png(fig)).decode("ascii")
    values, suppressed = explorer_table(frame)
    table = formatting.table_html(values, unit, suppressed=suppressed, threshold=threshold,
                                  index_name="Periode", caption=indicator_label(indicator),
                                  name=f"explorer-{indicator}")
    note = ""
    if bool(frame["suppressed"].any()):
        note = f'<p class="prioslo-note">{html.escape(formatting.suppression_note(threshold))}</p>'
    return (f'<figure class="prioslo-explorer-figure"><img src="data:image/png;base64,{png}" '
            f'alt="{html.escape(_alt_text(frame, indicator), quote=True)}" style="max-width:100%">'
            f"{note}</figure>{table}")


# --- the widget --------------------------------------------------------------------------


class Explorer(widgets.VBox):
    """The explorer widget: controls over one suppressed indicator table and an output area.

    Parameters
    ----------
    indicators : DataFrame
        The long indicator table, already suppressed (see :func:`explorer`).
    threshold : int
        The suppression threshold applied to ``indicators`` (quoted in the note).

    Attributes
    ----------
    bydel : ipywidgets.SelectMultiple
    indicator : ipywidgets.Dropdown
        Options are ``(Norwegian label, id)``.
    years : ipywidgets.IntRangeSlider
    compare_oslo : ipywidgets.Checkbox
    output : ipywidgets.Output
        Replaced in place on every change.
    frame : DataFrame
        What the output shows now (:func:`explorer_frame`'s result).
    """

    def __init__(self, indicators: pd.DataFrame, threshold: int, **kwargs):
        ids = bydel_indicators(indicators)
        if not ids:
            raise PriosloError("no indicator has any bydel group: nothing to explore "
                               "(run `prioslo prepare` on extracts with bydel columns)")
        self._indicators = indicators
        self._threshold = threshold
        bydeler = [b for b in (*BYDELER, UNSPECIFIED) if b in set(indicators["group"])]
        years = sorted({period_year(p) for p in indicators["period"].astype(str)})
        wide = {"description_width": "initial"}

        self.bydel = widgets.SelectMultiple(options=bydeler, value=bydeler[:1], rows=min(len(bydeler), 10),
                                            description="Bydel", style=wide,
                                            layout=widgets.Layout(width="260px"))
        self.indicator = widgets.Dropdown(options=[(indicator_label(i), i) for i in ids], value=ids[0],
                                          description="Indikator", style=wide,
                                          layout=widgets.Layout(width="560px"))
        self.years = widgets.IntRangeSlider(min=years[0], max=years[-1], value=(years[0], years[-1]), step=1,
                                            description="Periode", style=wide, continuous_update=False,
                                            layout=widgets.Layout(width="560px"))
        self.compare_oslo = widgets.Checkbox(value=False, description="Sammenlign med Oslo", indent=False)
        hint = widgets.HTML("<small>Hold Ctrl (Cmd på Mac) nede for å velge flere bydeler.</small>")
        self.output = widgets.Output(layout=widgets.Layout(width="100%"))
        self.frame = pd.DataFrame(columns=list(FRAME_COLUMNS))

        controls = widgets.HBox([widgets.VBox([self.bydel, hint]),
                                 widgets.VBox([self.indicator, self.years, self.compare_oslo])])
        super().__init__(children=[controls, self.output], **kwargs)
        self.add_class("prioslo-explorer")
        for control in (self.bydel, self.indicator, self.years, self.compare_oslo):
            control.observe(self._on_change, names="value")
        self.render()

    def _on_change(self, _change=None) -> None:
        self.render()

    def render(self) -> None:
        """Recompute the selection and replace the output area's content in one assignment.

        Assigning ``Output.outputs`` (rather than printing inside ``with output:``) replaces the
        content atomically, works from any thread and outside a kernel, and is what ends up in
        the saved widget state of an exported page.
        """
        try:
            self.frame = explorer_frame(self._indicators, self.bydel.value, self.indicator.value,
                                        self.years.value, self.compare_oslo.value)
            body = explorer_html(self.frame, self.indicator.value, self._threshold)
        except Exception as exc:  # a widget callback has nowhere to raise to: show it to the analyst
            log.exception("explorer: rendering failed")
            body = f'<p class="prioslo-explorer-error">Kunne ikke tegne figuren: {html.escape(str(exc))}</p>'
        self.output.outputs = ({"output_type": "display_data", "metadata": {},
                                "data": {"text/html": body,
                                         "text/plain": f"{indicator_label(self.indicator.value)}"}},)


def explorer(data_dir: Path | str | None = None, suppress_below: int = 5) -> widgets.Widget:
    """Return the explorer widget over the suppressed indicators of ``data_dir`` (all of Oslo).

    Parameters
    ----------
    data_dir : path, optional
        Folder with the raw extracts (default: the shipped sample), as for ``prioslo build``.
    suppress_below : int, default 5
        Disclosure threshold, exactly as the report's ``--suppress-below`` (0 turns it off).

    Returns
    -------
    Explorer
        Display it (the last expression of a notebook cell).
    """
    from prioslo.report import load_scope

    scope = load_scope(data_dir, None, None, None, suppress_below)
    return Explorer(scope.indicators, suppress_below)


# --- static export -----------------------------------------------------------------------


def html_manager_script() -> str:
    """Return the ``<script>`` tag that loads the vendored widget renderer with no network.

    The bundle is given as a ``data:`` URL rather than inline text: webpack derives its
    public path from the ``src`` of its own ``<script>`` and fails on an inline script.
    ``__jupyter_widgets_assets_path__`` points its (unused) font files at the page's folder,
    never at a CDN.

    Raises
    ------
    PriosloError
        When the vendored file is missing or not the file that was vendored.
    """
    try:
        data = HTML_MANAGER_PATH.read_bytes()
    except FileNotFoundError:
        raise PriosloError(f"{HTML_MANAGER_PATH}: the vendored widget renderer is missing "
                           "(see prioslo/static/html-manager/VENDORED.md)") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != HTML_MANAGER_SHA256:
        raise PriosloError(f"{HTML_MANAGER_PATH}: sha256 {digest} is not the vendored "
                           f"html-manager {HTML_MANAGER_VERSION} ({HTML_MANAGER_SHA256})")
    encoded = base64.b64encode(data).decode("ascii")
    return ('<script>window.__jupyter_widgets_assets_path__ = "./";</script>\n'
            f'<script src="data:text/javascript;base64,{encoded}"></script>')


_EXPORT_TEMPLATE = """\
{%- extends 'lab/index.html.j2' -%}
{#- The lab template with nothing fetched from a CDN: no RequireJS, MathJax or Mermaid, and the
    widget renderer inlined from prioslo's vendored copy. -#}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block jupyter_widgets %}
{%- if "widgets" in nb.metadata -%}
{{ resources.prioslo_widget_script }}
{%- endif -%}
{% endblock jupyter_widgets %}
"""


def parameterized_explorer(data_dir: Path | str | None, suppress_below: int):
    """Return ``explore.ipynb`` with papermill's ``injected-parameters`` cell for these values.

    Voilà and the static export run the notebook without the papermill CLI; this gives them the
    same parameters a ``papermill -p`` run would.
    """
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(EXPLORE_NOTEBOOK))  # papermill's reader adds the metadata it needs
    return parameterize_notebook(nb, {"data_dir": None if data_dir is None else str(Path(data_dir).resolve()),
                                      "suppress_below": int(suppress_below)})


def export_widget_notebook_html(nb, path: Path | str, *, cwd: Path | str | None = None,
                                timeout: int = 600) -> Path:
    """Execute a notebook that shows widgets and write it as one static, offline HTML page.

    The page carries the widgets' saved state and renders it with the vendored
    ``@jupyter-widgets/html-manager`` (:func:`html_manager_script`), not with the CDN copy
    nbconvert references by default; RequireJS, MathJax and Mermaid, which the lab template
    would also take from a CDN, are left out. Code cells are hidden.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook (not changed: a copy is executed).
    path : path
        The HTML file to write (its folder is created).
    cwd : path, optional
        Working folder of the kernel.
    timeout : int, default 600
        Seconds one cell may run.

    Returns
    -------
    Path
        ``path``.
    """
    import copy

    import jinja2
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(cwd or NOTEBOOKS_DIR)}}).execute()
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True,
                            extra_loaders=[jinja2.DictLoader({"prioslo_widgets.html.j2": _EXPORT_TEMPLATE})])
    exporter.template_file = "prioslo_widgets.html.j2"
    body, _ = exporter.from_notebook_node(nb, resources={"prioslo_widget_script": html_manager_script()})
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8")
    log.info("wrote %s", out)
    return out


def export_explorer_html(path: Path | str, data_dir: Path | str | None = None, suppress_below: int = 5,
                         timeout: int = 600) -> Path:
    """Execute ``notebooks/explore.ipynb`` and write it as one static, offline HTML page.

    The page documents one view -- the controls and the figure as first shown; without a kernel
    the controls recompute nothing. The live explorer is the notebook or the dashboard. See
    :func:`export_widget_notebook_html` for what makes the page work offline.

    Parameters
    ----------
    path : path
        The HTML file to write.
    data_dir, suppress_below
        As for :func:`explorer` (injected into the notebook's ``parameters`` cell).
    timeout : int, default 600
        Seconds one cell may run.
    """
    nb = parameterized_explorer(data_dir, suppress_below)
    log.info("executing %s for a static export", EXPLORE_NOTEBOOK.name)
    return export_widget_notebook_html(nb, path, timeout=timeout)
