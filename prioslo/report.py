"""The small API the chapter notebooks call: one report scope, its indicators, numbered figures and tables.

A chapter notebook does three things only: ``scope = load_scope(...)`` with its papermill
parameters, ``ch = scope.chapter("<slug>")`` for numbering, and calls to the accessors below,
:mod:`prioslo.plotting` and :mod:`prioslo.formatting`. All data shaping lives here, so the
notebooks hold no pandas logic, and every number a text cell quotes comes from the same
disclosure-controlled aggregates as the figures: notebooks never see a person-level row.

A scope is all of Oslo, or one bydel shown against Oslo. Accessors default to the scope's own
group (``"Oslo"`` or the bydel) and, where a comparison makes sense, to :attr:`Scope.compare_groups`
(the bydel, then Oslo), so the same notebook reads right for every scope.
"""

from __future__ import annotations

import contextlib
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from prioslo import formatting as fmt
from prioslo import paths
from prioslo.bydeler import BYDELER, OSLO, UNSPECIFIED, require_bydel, slug
from prioslo.errors import PriosloError
from prioslo.pipeline import select_scope
from prioslo.stamps import INTERNAL_STAMP
from prioslo.stamps import SAMPLE_DATA_STATUS

log = logging.getLogger(__name__)


SOURCES: dict[str, str] = {
    "life_quality_bydel": "Livskvalitetsmåling i bydelene, registrert i bydelenes fagsystem",
    "life_quality_institution": "Brukerundersøkelser og resultatmåling ved rusinstitusjonene, Velferdsetaten",
    "stays": "Opphold i Velferdsetatens rusinstitusjoner og institusjoner med avtale, Velferdsetaten",
    "colocated_housing": "Bydelenes innrapportering til PRIOslo",
    "rental_housing": "Boligbygg Oslo KF, årsrapporter",
    "institution_places": "Velferdsetaten, institusjonsplasser",
    "bydel_mapping": "PRIOslos kartlegging av tjenestetilbudet i bydelene",
    "housing_need": "Boligbehovskartleggingen i bydelene",
}
"""Norwegian source line («Kilde: …») of each processed table."""

def resolve_bydel(bydel: str | None) -> str | None:
    """Return the official name of ``bydel`` in any spelling or slug (None stays None = all of Oslo).

    Raises
    ------
    PriosloError
        When ``bydel`` names no bydel (one clear line for the analyst, not a traceback).
    """
    if bydel is None or (isinstance(bydel, str) and bydel.strip().lower() in ("", "oslo", "none")):
        return None
    return require_bydel(bydel)


@dataclass
class Chapter:
    """Numbering and saving for one chapter: figures ``<n>.1, <n>.2 …`` and tables ``<n>.1 …``.

    Made by :meth:`Scope.chapter`; its :meth:`figure` and :meth:`table` are what the notebook calls.
    """

    number: int
    slug: str
    title: str
    scope: Scope
    registry: object = field(repr=False, default=None)

    def figure(self, fig, *, title: str, caption: str, source: str, alt_text: str, name: str):
        """Finish and show ``fig`` as the chapter's next figure (:func:`prioslo.plotting.finish`).

        The alt text gets a short description of the plotted values appended (the chart helpers
        record it), so it stays true for every scope and year.
        """
        described = getattr(fig, "prioslo_data_text", "")
        alt = f"{alt_text} {described}".strip()
        return self.registry.finish(fig, title=title, caption=caption, source=source, alt_text=alt, name=name)

    def table(self, frame: pd.DataFrame, units=None, *, title: str, source: str | None = None,
              total_rows: tuple = (), index_name: str | None = None, decimals: dict | None = None):
        """Show ``frame`` as the chapter's next table, «Tabell <n>.<k>: <title>», in Norwegian format.

        Suppressed cells print ``:`` with the note «: = skjult av personvernhensyn (færre enn N)».
        """
        number = self.registry.next_table_number()
        return fmt.table(frame, units, caption=f"Tabell {number}: {title}", source=source,
                         threshold=self.scope.suppress_below, total_rows=total_rows, index_name=index_name,
                         decimals=decimals, name=f"tabell-{number}")


    def scorecard_table(self, *, title: str, source: str | None = None):
        """Show the scope's scorecard (Tabell 2) as the chapter's next table, with traffic-light markers."""
        from prioslo import scorecard

        number = self.registry.next_table_number()
        return scorecard.scorecard_table(self.scope.scorecard(), self.scope.bydel,
                                         caption=f"Tabell {number}: {title}", source=source)

    def rules_table(self, *, title: str):
        """Show the traffic-light rule of every measurable target as the chapter's next table."""
        from prioslo import scorecard

        number = self.registry.next_table_number()
        frame = scorecard.rules_frame(scorecard.load_targets(), self.scope.bydel)
        return fmt.table(frame, {}, caption=f"Tabell {number}: {title}", index_name="Måleindikator",
                         name=f"tabell-{number}")


@dataclass(frozen=True)
class Scope:
    """One report scope: the suppressed aggregates of all of Oslo or of one bydel, and where outputs go.

    Attributes
    ----------
    indicators : DataFrame
        Long, disclosure-controlled indicator rows (``indicator, group, period, value, numerator,
        denominator, suppressed``) -- aggregates only. A bydel scope holds the bydel's rows, Oslo's
        and the city-wide institution groups.
    bydel : str or None
        Official bydel name, or None for all of Oslo.
    scope_name : str
        «Oslo» or «Bydel Alna», as a heading reads.
    period_from, period_to : int or None
        The years asked for (None = from the first / to the last year in the data).
    suppress_below : int
        Disclosure threshold in force (0 = none, internal report).
    output_dir : Path
        Output root; figures go to ``<output_dir>/<slug>/figures``.
    internal : bool
        An internal report (no suppression): every page and figure is stamped.
    sample : bool
        True when the data are the shipped (synthetic) sample.
    warnings : tuple of str
        Warnings logged while the data were loaded (shown only in an internal report's heading).
    """

    indicators: pd.DataFrame
    bydel: str | None = None
    scope_name: str = OSLO
    period_from: int | None = None
    period_to: int | None = None
    suppress_below: int = 5
    output_dir: Path = paths.OUTPUTS_DIR
    internal: bool = False
    sample: bool = True
    warnings: tuple[str, ...] = ()

    # --------------------------------------------------------------------------- identity

    @property
    def group(self) -> str:
        """The scope's own group: the bydel, or «Oslo»."""
        return self.bydel or OSLO

    @property
    def slug(self) -> str:
        """Output folder name: ``oslo`` or the bydel's slug."""
        return slug(self.group)

    @property
    def compare_groups(self) -> list[str]:
        """Groups a chart compares: ``[bydel, "Oslo"]`` for a bydel, ``["Oslo"]`` for Oslo."""
        return [self.bydel, OSLO] if self.bydel else [OSLO]

    @property
    def where(self) -> str:
        """«i Oslo» or «i bydel Alna», for running text."""
        return f"i bydel {self.bydel}" if self.bydel else "i Oslo"

    @property
    def period_text(self) -> str:
        """The report's period for a reader, e.g. «2015–2024», «fra 2020», «alle år i dataene»."""
        if self.period_from and self.period_to:
            return str(self.period_from) if self.period_from == self.period_to else f"{self.period_from}–{self.period_to}"
        if self.period_from:
            return f"fra {self.period_from}"
        if self.period_to:
            return f"til og med {self.period_to}"
        return "alle år i dataene"

    def source(self, table: str) -> str:
        """Return the «Kilde» text of a processed table, noting synthetic data when the sample is used."""
        from prioslo.schema import BY_TABLE

        text = SOURCES.get(table, table)
        extract = BY_TABLE.get(table)
        if self.sample and extract is not None and extract.record_level:
            text = f"{text} ({SAMPLE_DATA_STATUS})"
        return text

    def heading(self):
        """Return a Markdown line naming the scope and period (and the internal stamp), for a chapter's top."""
        from IPython.display import Markdown

        parts = [f"**{self.scope_name}** · periode: {self.period_text}"]
        if self.suppress_below > 0:
            parts.append(f"tall under {fmt.fmt_number(self.suppress_below)} er skjult av personvernhensyn")
        if self.sample:
            parts.append("bygget på syntetiske eksempeldata")
        text = " · ".join(parts)
        if self.internal:
            text = f"<span style=\"color:#b2182b;font-weight:bold\">{INTERNAL_STAMP}</span> · {text}"
            if self.warnings:
                text += "\n\n" + "\n".join(f"- Advarsel ved innlesing: {w}" for w in self.warnings)
        return Markdown(text)

    def chapter(self, slug_or_number: str | int, display: bool = True) -> Chapter:
        """Return the numbering context of a chapter (by slug in :data:`prioslo.chapters.CHAPTERS`)."""
        from prioslo.chapters import CHAPTERS
        from prioslo.plotting import FigureRegistry

        for i, ch in enumerate(CHAPTERS, start=1):
            if slug_or_number in (ch.slug, i):
                registry = FigureRegistry(i, self.output_dir, self.slug, internal=self.internal, display=display)
                return Chapter(i, ch.slug, ch.title, self, registry)
        raise PriosloError(f"unknown chapter {slug_or_number!r}")

    # --------------------------------------------------------------------------- catalogue

    @staticmethod
    def label(indicator: str) -> str:
        """Norwegian label of an indicator (the catalogue)."""
        from prioslo.catalogue import INDICATORS

        info = INDICATORS.get(indicator)
        return info.label if info else indicator

    @staticmethod
    def unit(indicator: str) -> str:
        """Unit of an indicator: ``count``, ``mean`` or ``share``."""
        from prioslo.catalogue import INDICATORS

        info = INDICATORS.get(indicator)
        return info.unit if info else "count"

    # --------------------------------------------------------------------------- selection

    def _rows(self, indicator: str, group: str | None = None) -> pd.DataFrame:
        ind = self.indicators
        return ind[(ind["indicator"] == indicator) & (ind["group"] == (group or self.group))]

    def has(self, indicator: str, group: str | None = None) -> bool:
        """True when the indicator has at least one unsuppressed value for the group."""
        rows = self._rows(indicator, group)
        return bool((~rows["suppressed"].astype(bool) & rows["value"].notna()).any())

    def periods(self, indicator: str, group: str | None = None) -> list[str]:
        """Sorted periods with a row for the indicator (all groups when ``group`` is ``"*"``)."""
        ind = self.indicators
        rows = ind[ind["indicator"] == indicator] if group == "*" else self._rows(indicator, group)
        return sorted(rows["period"].astype(str).unique())

    def latest_period(self, indicator: str, group: str | None = None) -> str | None:
        """The last period with a row for the indicator and group (None when there is none)."""
        periods = self.periods(indicator, group)
        return periods[-1] if periods else None

    def best_period(self, indicators: list[str], groups: list[str]) -> str | None:
        """The period in which the most cells of a groups × indicators table have a value (ties: the latest).

        For a table that puts several sources side by side (Figur 4/5: survey answers and the
        places of each institution category), so that all columns are of one year and that year is
        the fullest one: the latest survey year if the places are counted for it too, else the
        last year that has both.
        """
        ind = self.indicators
        rows = ind[ind["indicator"].isin(indicators) & ind["group"].isin(groups)]
        if rows.empty:
            return None
        counts = rows.groupby(rows["period"].astype(str)).size()
        best = counts.max()
        return max(p for p, n in counts.items() if n == best)

    def first_period(self, indicator: str, group: str | None = None) -> str | None:
        """The first period with a row for the indicator and group (None when there is none)."""
        periods = self.periods(indicator, group)
        return periods[0] if periods else None

    def series(self, indicator: str, group: str | None = None, periods: list | None = None) -> pd.Series:
        """Values of one indicator and group by period.

        Returns
        -------
        Series
            Index = period (str, sorted), float values, NaN where suppressed or missing;
            ``attrs["suppressed"]`` holds the boolean mask; ``name`` = the group.
        """
        rows = self._rows(indicator, group).sort_values("period")
        index = pd.Index(rows["period"].astype(str), name="period")
        values = pd.Series(rows["value"].astype("float64").to_numpy(), index=index, name=group or self.group)
        mask = pd.Series(rows["suppressed"].astype(bool).to_numpy(), index=index)
        if periods is not None:
            periods = [str(p) for p in periods]
            values, mask = values.reindex(periods), mask.reindex(periods).fillna(False).astype(bool)
        values = values.where(~mask)
        values.attrs["suppressed"] = mask
        return values

    def value(self, indicator: str, group: str | None = None, period: str | int | None = None) -> float:
        """One value (NaN when missing or suppressed); ``period`` None = the latest period of that group."""
        period = self.latest_period(indicator, group) if period is None else str(period)
        if period is None:
            return math.nan
        s = self.series(indicator, group)
        return float(s.get(period, math.nan))

    def is_suppressed(self, indicator: str, group: str | None = None, period: str | int | None = None) -> bool:
        """True when the value exists but is hidden by disclosure control."""
        period = self.latest_period(indicator, group) if period is None else str(period)
        rows = self._rows(indicator, group)
        rows = rows[rows["period"].astype(str) == str(period)]
        return bool(rows["suppressed"].astype(bool).any())

    def text(self, indicator: str, group: str | None = None, period: str | int | None = None,
             decimals: int | None = None) -> str:
        """One value formatted for running text by the indicator's unit (``":"`` when missing or suppressed)."""
        return fmt.fmt_value(self.value(indicator, group, period), self.unit(indicator), decimals)

    def wide(self, indicator: str, groups: list | None = None, periods: list | None = None,
             labels: dict | None = None) -> pd.DataFrame:
        """A group × period table of one indicator (Figur 2, Tabell 4).

        Parameters
        ----------
        indicator : str
        groups : list, optional
            Row order; default :meth:`table_groups` (the bydeler, then Oslo).
        periods : list, optional
            Column order; default every period of the indicator.
        labels : dict, optional
            Row relabelling (``{"Oslo": "Totalt Oslo"}``).

        Returns
        -------
        DataFrame
            Floats, NaN where missing or suppressed; ``attrs["suppressed"]`` holds the mask.
        """
        groups = self.table_groups(indicator) if groups is None else list(groups)
        periods = self.periods(indicator, "*") if periods is None else [str(p) for p in periods]
        values = pd.DataFrame({g: self.series(indicator, g, periods) for g in groups}).T
        mask = pd.DataFrame({g: self.series(indicator, g, periods).attrs["suppressed"] for g in groups}).T
        values = values.reindex(index=groups, columns=periods).astype("float64")
        mask = mask.reindex(index=groups, columns=periods).fillna(False).astype(bool)
        if labels:
            values, mask = values.rename(index=labels), mask.rename(index=labels)
        values.columns.name, mask.columns.name = None, None
        values.attrs["suppressed"] = mask
        return values

    def compare(self, indicator: str, periods: list | None = None) -> pd.DataFrame:
        """One indicator for :attr:`compare_groups` by period: the bydel and Oslo, or Oslo alone.

        Returns
        -------
        DataFrame
            Index = period, one column per group; ``attrs["suppressed"]`` holds the mask.
        """
        wide = self.wide(indicator, self.compare_groups, periods)
        out = wide.T
        out.index.name = "period"
        out.attrs["suppressed"] = wide.attrs["suppressed"].T
        return out

    def frame(self, columns: dict[str, str], group: str | None = None, periods: list | None = None) -> pd.DataFrame:
        """Several indicators of one group side by side by period (persons and stays, Figur 3/6).

        Parameters
        ----------
        columns : dict
            ``{column label: indicator id}`` in column order.
        group : str, optional
            Default: the scope's group.
        periods : list, optional
            Default: every period any of the indicators has for the group.

        Returns
        -------
        DataFrame
            Index = period, one column per label; ``attrs["suppressed"]`` holds the mask.
        """
        if periods is None:
            periods = sorted({p for ind in columns.values() for p in self.periods(ind, group)})
        parts = {label: self.series(ind, group, periods) for label, ind in columns.items()}
        values = pd.DataFrame(parts, index=pd.Index([str(p) for p in periods], name="period"))
        mask = pd.DataFrame({label: s.attrs["suppressed"] for label, s in parts.items()}, index=values.index)
        values.attrs["suppressed"] = mask.fillna(False).astype(bool)
        return values

    def cross(self, columns: dict[str, str], groups: list, period: str | int | None = None,
              labels: dict | None = None) -> pd.DataFrame:
        """Several indicators for several groups in one period (Figur 4/5: mean, surveys, answers, places).

        Parameters
        ----------
        columns : dict
            ``{column label: indicator id}``.
        groups : list
            Row order.
        period : str or int, optional
            Default: the latest period of the first indicator over all groups.
        labels : dict, optional
            Row relabelling.
        """
        if period is None:
            first = next(iter(columns.values()))
            periods = self.periods(first, "*")
            period = periods[-1] if periods else None
        values = pd.DataFrame(index=list(groups), columns=list(columns), dtype="float64")
        mask = pd.DataFrame(False, index=list(groups), columns=list(columns))
        for label, ind in columns.items():
            for g in groups:
                values.loc[g, label] = self.value(ind, g, period) if period is not None else math.nan
                mask.loc[g, label] = self.is_suppressed(ind, g, period) if period is not None else False
        if labels:
            values, mask = values.rename(index=labels), mask.rename(index=labels)
        values.attrs["suppressed"] = mask
        return values

    def grid(self, cells: dict[str, dict[str, str]], group: str | None = None,
             period: str | int | None = None) -> pd.DataFrame:
        """A table of indicators laid out by two dimensions (ten-plus persons by age band × sex).

        Parameters
        ----------
        cells : dict
            ``{row label: {column label: indicator id}}``.
        group : str, optional
            Default: the scope's group.
        period : str or int, optional
            Default: the latest period of the first indicator for the group.
        """
        rows = list(cells)
        cols = list(dict.fromkeys(c for r in cells.values() for c in r))
        if period is None:
            period = self.latest_period(next(iter(cells[rows[0]].values())), group) if rows else None
        values = pd.DataFrame(index=rows, columns=cols, dtype="float64")
        mask = pd.DataFrame(False, index=rows, columns=cols)
        for r, row in cells.items():
            for c, ind in row.items():
                values.loc[r, c] = self.value(ind, group, period) if period is not None else math.nan
                mask.loc[r, c] = self.is_suppressed(ind, group, period) if period is not None else False
        values.attrs["suppressed"] = mask
        return values

    def by_group(self, indicator: str, groups: list | None = None, period: str | int | None = None,
                 labels: dict | None = None) -> pd.Series:
        """One indicator across groups in one period (bars by bydel or institution category).

        ``groups`` default :meth:`table_groups`; ``period`` default the indicator's latest period.
        """
        groups = self.table_groups(indicator) if groups is None else list(groups)
        if period is None:
            periods = self.periods(indicator, "*")
            period = periods[-1] if periods else None
        values = pd.Series([self.value(indicator, g, period) if period else math.nan for g in groups],
                           index=groups, dtype="float64", name=str(period))
        mask = pd.Series([self.is_suppressed(indicator, g, period) if period else False for g in groups],
                         index=groups)
        if labels:
            values, mask = values.rename(index=labels), mask.rename(index=labels)
        values.attrs["suppressed"] = mask
        return values

    # --------------------------------------------------------------------------- groups

    def bydel_groups(self, indicator: str | None = None) -> list[str]:
        """The bydeler a table shows: every bydel in report order for Oslo (only those with rows
        for ``indicator`` when given), or just the bydel of a bydel scope."""
        if self.bydel:
            return [self.bydel]
        if indicator is None:
            return list(BYDELER)
        present = set(self.indicators.loc[self.indicators["indicator"] == indicator, "group"])
        return [b for b in BYDELER if b in present]

    def table_groups(self, indicator: str | None = None, unspecified: bool = False, oslo: bool = True) -> list[str]:
        """Rows of a by-bydel table: :meth:`bydel_groups`, ``Uoppgitt`` if asked and present, then
        Oslo (unless ``oslo=False``, for bar charts where the total would dwarf the bydeler)."""
        groups = self.bydel_groups(indicator)
        if unspecified and not self.bydel and indicator is not None:
            present = set(self.indicators.loc[self.indicators["indicator"] == indicator, "group"])
            if UNSPECIFIED in present:
                groups.append(UNSPECIFIED)
        return groups + [OSLO] if oslo else groups

    def institution_groups(self, operator: str | None = None, indicator: str | None = None,
                           total: bool = False) -> list[str]:
        """The ``"<drift>: <kategori>"`` groups in contract order (of one operator if given), only
        those with rows for ``indicator`` when given; ``total=True`` appends the operator itself."""
        from prioslo.schema import CATEGORIES, OPERATORS

        ops = [operator] if operator else list(OPERATORS)
        present = (set(self.indicators.loc[self.indicators["indicator"] == indicator, "group"])
                   if indicator is not None else None)
        out = []
        for op in ops:
            for cat in CATEGORIES[op]:
                g = f"{op}: {cat}"
                if present is None or g in present:
                    out.append(g)
            if total:
                out.append(op)
        return out

    @staticmethod
    def category_labels(groups: list[str]) -> dict[str, str]:
        """Reader labels of institution groups: the category alone (``"kommunal: Omsorgssentre"`` ->
        ``"Omsorgssentre"``), the operator as «Kommunale rusinstitusjoner» / «Ideelle rusinstitusjoner»."""
        names = {"kommunal": "Kommunale rusinstitusjoner", "ideell": "Ideelle rusinstitusjoner", OSLO: "Alle institusjoner"}
        short = {g: names.get(g, g.split(": ", 1)[-1]) for g in groups}
        counts = pd.Series(list(short.values())).value_counts()
        # A category both operators run (Omsorgssentre, Ressurssentre) keeps its operator when both appear.
        return {g: (f"{label} ({g.split(': ', 1)[0]})" if counts[label] > 1 and ": " in g else label)
                for g, label in short.items()}

    def remainder(self, frame: pd.DataFrame, total_indicator: str, label: str, group: str | None = None) -> pd.DataFrame:
        """Return ``frame`` (index = period) with a column ``label`` = the total minus the other columns.

        Used for the mapping survey, where the answers «nei» are the bydeler that answered the round
        minus those that said «ja» or «planlagt». Not for suppressed counts (mapping counts are not
        sensitive); a period with a missing part gives NaN.
        """
        total = self.series(total_indicator, group, list(frame.index))
        out = frame.copy()
        out[label] = total - frame.sum(axis=1, min_count=len(frame.columns))
        mask = frame.attrs.get("suppressed")
        if mask is not None:
            mask = mask.copy()
            mask[label] = False
            out.attrs["suppressed"] = mask
        return out

    # --------------------------------------------------------------------------- text helpers

    def change_text(self, indicator: str, period_a: str | int | None, period_b: str | int | None,
                    group: str | None = None) -> str:
        """Describe the change between two periods: «gikk ned fra 66 i 2020 til 58 i 2023 (-12,1 %)».

        Says «kan ikke beregnes …» when a value is missing or suppressed, so the sentence is true
        for every scope and period.
        """
        if period_a is None or period_b is None:
            return "kan ikke beregnes for valgt periode"
        a, b = self.value(indicator, group, period_a), self.value(indicator, group, period_b)
        unit = self.unit(indicator)
        pa, pb = fmt.fmt_period(period_a), fmt.fmt_period(period_b)
        if math.isnan(a) or math.isnan(b):
            return f"kan ikke beregnes (tall for {pa} eller {pb} mangler eller er skjult)"
        ta, tb = fmt.fmt_value(a, unit), fmt.fmt_value(b, unit)
        if ta == tb:
            return f"var uendret på {tb} fra {pa} til {pb}"
        verb = "økte" if b > a else "gikk ned"
        rel = f" ({fmt.fmt_change((b - a) / a)})" if unit == "count" and a != 0 else ""
        if unit == "share":
            rel = f" ({fmt.fmt_number(abs(b - a) * 100, 1)} prosentpoeng)"
        return f"{verb} fra {ta} i {pa} til {tb} i {pb}{rel}"

    @staticmethod
    def compare_text(a: float, b: float, unit: str = "mean") -> str:
        """«høyere enn», «lavere enn» or «lik» for two values as printed (NaN: «ikke sammenlignbar med»)."""
        if fmt.is_missing(a) or fmt.is_missing(b):
            return "ikke sammenlignbar med"
        ta, tb = fmt.fmt_value(a, unit), fmt.fmt_value(b, unit)
        if ta == tb:
            return "lik"
        return "høyere enn" if a > b else "lavere enn"

    def extremes_text(self, indicator: str, period: str | int | None = None, groups: list | None = None) -> str:
        """«fra 3,3 (Sagene) til 5,1 (Ullern)» over the bydeler in a period, or a note when too few values."""
        groups = self.bydel_groups(indicator) if groups is None else groups
        s = self.by_group(indicator, groups, period).dropna()
        if len(s) < 2:
            return "kan ikke sammenlignes mellom bydeler (for få tall som kan vises)"
        unit = self.unit(indicator)
        lo, hi = s.idxmin(), s.idxmax()
        return f"fra {fmt.fmt_value(s[lo], unit)} ({lo}) til {fmt.fmt_value(s[hi], unit)} ({hi})"

    def spread_text(self, indicator: str, period: str | int | None = None) -> str:
        """How the bydeler differ in a period, for running text.

        For Oslo: «varierte mellom bydelene fra 3,3 (Sagene) til 5,1 (Ullern)». For a bydel:
        «var 4,0 i bydel Alna, høyere enn Oslo (3,9)».
        """
        if period is None:
            period = self.latest_period(indicator, OSLO)
        if period is None:
            return "kan ikke beregnes (ingen tall for valgt periode)"
        unit = self.unit(indicator)
        if not self.bydel:
            return f"varierte mellom bydelene {self.extremes_text(indicator, period)}"
        mine, oslo = self.value(indicator, self.bydel, period), self.value(indicator, OSLO, period)
        if math.isnan(mine):
            return f"kan ikke vises for bydel {self.bydel} (mangler eller er skjult); Oslo: {fmt.fmt_value(oslo, unit)}"
        return (f"var {fmt.fmt_value(mine, unit)} {self.where}, {self.compare_text(mine, oslo, unit)} "
                f"Oslo ({fmt.fmt_value(oslo, unit)})")

    def sentence(self, indicator: str, group: str | None = None, *, text: str):
        """Return ``text`` as Markdown, or a short «no numbers» note when the indicator has no row
        for the group in the report's period -- so a data sentence never reads «I None var …».

        The text is written by the notebook (an f-string with values from this scope); this only
        decides whether there is anything to say.
        """
        from IPython.display import Markdown

        if self.latest_period(indicator, group) is None:
            where = "i Oslo" if (group or self.group) == OSLO else f"i bydel {group or self.group}"
            return Markdown(f"*Ingen tall for «{self.label(indicator).lower()}» {where} i valgt periode.*")
        return Markdown(text)

    def level_text(self, indicator: str, group: str | None = None, missing: str = "ingen tall i dataene") -> str:
        """The latest value with its period, «438 (november 2022)», or ``missing`` when there is none."""
        period = self.latest_period(indicator, group)
        if period is None:
            return missing
        return f"{self.text(indicator, group, period)} ({fmt.fmt_period(period)})"

    def mapping_table(self, services: dict[str, str], group: str | None = None) -> pd.DataFrame:
        """The mapping survey by service (rows) and round (columns).

        For Oslo each cell is the number of bydeler with the service, «10 av 15» (of those that
        answered the round); for a bydel «Ja» or «Nei» («–» when the bydel did not answer).
        """
        group = group or self.group
        periods = sorted({p for ind in services.values() for p in self.periods(ind, group)})
        out = pd.DataFrame(index=list(services), columns=periods, dtype=object)
        for label, ind in services.items():
            for p in periods:
                v = self.value(ind, group, p)
                if group == OSLO:
                    answered = self.value("bydeler_mapped", OSLO, p)
                    out.loc[label, p] = (f"{fmt.fmt_number(v)} av {fmt.fmt_number(answered)}"
                                         if not math.isnan(v) and not math.isnan(answered) else fmt.fmt_number(v))
                else:
                    out.loc[label, p] = "–" if math.isnan(v) else ("Ja" if v >= 1 else "Nei")
        out.columns.name = None
        return out

    def mean_weighting_text(self, period: str | int | None = None) -> str:
        """Explain, with the numbers of one year, why Oslo's mean differs from the mean of bydel means."""
        if period is None:
            period = self.latest_period("life_quality_mean", OSLO)
        if period is None:
            return "Det finnes ingen svar i valgt periode."
        a = self.value("life_quality_mean", OSLO, period)
        b = self.value("life_quality_mean_of_bydel_means", OSLO, period)
        n = self.text("life_quality_answers", OSLO, period)
        k = self.text("life_quality_bydeler_reporting", OSLO, period)
        y = fmt.fmt_period(period)
        head = (f"I {y} var gjennomsnittet over alle {n} svar i Oslo {fmt.fmt_decimal(a)}, "
                f"{self.compare_text(a, b)} gjennomsnittet av de {k} bydelenes gjennomsnitt ({fmt.fmt_decimal(b)}).")
        word = self.compare_text(a, b)
        if word == "lavere enn":
            why = ("Bydelene med mange svar har altså i snitt lavere skår enn bydelene med få svar: "
                   "i snittet over alle svar teller de mer.")
        elif word == "høyere enn":
            why = ("Bydelene med mange svar har altså i snitt høyere skår enn bydelene med få svar: "
                   "i snittet over alle svar teller de mer.")
        elif word == "lik":
            why = "Her gir de to måtene å regne på samme resultat."
        else:
            why = "Ett av tallene mangler eller er skjult, så de kan ikke sammenlignes."
        return f"{head} {why}"

    def scorecard_summary(self):
        """Markdown: how many targets are green, yellow, red or unscored, and how often the computed
        status agrees with the report's."""
        from IPython.display import Markdown

        from prioslo import scorecard

        full = self.scorecard()
        c = scorecard.summary_counts(full)
        measurable = len(full) - c["qualitative"]
        text = (f"Av {len(full)} måleindikatorer er {c['qualitative']} kvalitative og vurderes ikke fra data. "
                f"Av de {measurable} som kan måles, er **{c['green']} grønne** (oppnådd), **{c['yellow']} gule** "
                f"(nesten nådd) og **{c['red']} røde** (ikke nådd)")
        text += f", mens {c['unscored']} ikke kan vurderes fordi tallene mangler eller er skjult." if c["unscored"] else "."
        if c["compared"]:
            text += (f" For {c['agree']} av de {c['compared']} målene som både er beregnet og vurdert i "
                     f"sluttrapporten, gir reglene samme farge som rapporten.")
        return Markdown(text)

    # --------------------------------------------------------------------------- targets

    def scorecard(self) -> pd.DataFrame:
        """The scorecard in long form (:func:`prioslo.scorecard.evaluate`) for this scope."""
        from prioslo import scorecard

        return scorecard.evaluate(self.indicators, self.bydel)

    def target_text(self, target_id: str) -> str:
        """One Markdown sentence on a target: its wording, value, goal and computed status."""
        from prioslo import scorecard

        full = self.scorecard().set_index("target_id", drop=False)
        if target_id not in full.index:
            raise PriosloError(f"unknown target id {target_id!r}")
        row = full.loc[target_id]
        status = row["status"]
        verdict = (f"**{scorecard.STATUS_LABELS[status]}** – målet er {scorecard.STATUS_MEANINGS[status]}"
                   if status else "**Ikke vurdert** – tallet mangler, er skjult, eller målet er kvalitativt")
        published = row["published_status"]
        pub = (f" Sluttrapporten vurderte målet som {scorecard.STATUS_LABELS[published].lower()}"
               f"{' (for hele Oslo)' if self.bydel else ''}." if published else "")
        return (f"*Måleindikator:* {row['description']}.  \n*Verdi:* {scorecard.value_text(row, self.bydel)}; "
                f"*mål:* {scorecard.target_text(row, self.bydel)}.  \n*Vurdering:* {verdict}.{pub}")

    def target_markdown(self, *target_ids: str):
        """Display-ready Markdown of :meth:`target_text` for one or more targets."""
        from IPython.display import Markdown

        return Markdown("\n\n".join(self.target_text(t) for t in target_ids))


def ten_plus_sex_age_cells(total: bool = True) -> dict[str, dict[str, str]]:
    """Layout of the ten-plus persons by age band (rows) and sex (columns) for :meth:`Scope.grid`.

    With ``total`` an «I alt» column and row are added (the sex totals, the age-band totals and
    ``ten_plus_persons``).
    """
    from prioslo.catalogue import AGE_BANDS, SEX_PARTS

    cells: dict[str, dict[str, str]] = {}
    for band, band_label in AGE_BANDS.items():
        row = {sex_label: f"ten_plus_persons_{sex}_age_{band}" for sex, (_, sex_label) in SEX_PARTS.items()}
        if total:
            row["I alt"] = f"ten_plus_persons_age_{band}"
        cells[band_label[0].upper() + band_label[1:]] = row
    if total:
        row = {sex_label: f"ten_plus_persons_{sex}" for sex, (_, sex_label) in SEX_PARTS.items()}
        row["I alt"] = "ten_plus_persons"
        cells["I alt"] = row
    return cells


def load_scope(data_dir: Path | str | None = None, period_from: int | None = None, period_to: int | None = None,
               bydel: str | None = None, suppress_below: int = 5, *, output_dir: Path | str | None = None,
               internal: bool = False) -> Scope:
    """Load the disclosure-controlled indicators of one report scope.

    Prepares the extracts of ``data_dir`` if needed (:func:`prioslo.prepare.load_tables`), computes
    and suppresses the indicators (:func:`prioslo.pipeline.scope_indicators`) and keeps the rows
    of the scope. Inside ``prioslo build`` the build has computed them already and left them
    beside the chapter's ``output_dir`` (:func:`prioslo.cache.read_scope_indicators`, accepted only
    for the same data folder, period, threshold and bydel); they are used as they are. The record-level tables are dropped before this returns: a notebook never holds a
    row about one person.

    Parameters
    ----------
    data_dir : path, optional
        Folder with the raw extracts; None = the shipped sample.
    period_from, period_to : int, optional
        Years to report; None = all years in the data.
    bydel : str, optional
        A bydel in any spelling or slug («Alna», «sondre-nordstrand», «030112»); None = all of Oslo.
    suppress_below : int, default 5
        Disclosure threshold (0 turns suppression off).
    output_dir : path, optional
        Output root (default ``outputs/``).
    internal : bool, default False
        An internal report: no suppression, and every page and figure stamped
        «Internt – ikke for publisering».

    Returns
    -------
    Scope

    Raises
    ------
    PriosloError
        An unknown bydel, bad options or unreadable input.
    """
    from prioslo import cache
    from prioslo.pipeline import scope_indicators
    from prioslo.prepare import is_synthetic, load_tables

    name = resolve_bydel(bydel)
    period_from = int(period_from) if period_from is not None else None
    period_to = int(period_to) if period_to is not None else None
    threshold = 0 if internal else int(suppress_below)
    # During `prioslo build` the scope's indicators are already computed: take them over.
    handed_over = None
    if output_dir is not None:
        handed_over = cache.read_scope_indicators(
            cache.scope_indicators_path(output_dir, slug(name or OSLO)),
            cache.scope_indicators_key(data_dir, period_from, period_to, threshold, name))
    if handed_over is not None:
        indicators, warnings = handed_over
    else:
        with _collect_warnings() as warnings:
            tables = load_tables(data_dir)
            # Suppress over every group (as the build does for indicators.csv), then keep the scope's rows.
            indicators = scope_indicators(tables, period_from, period_to, threshold, bydel=None)
            del tables
    sample = is_synthetic(data_dir)
    return Scope(
        indicators=select_scope(indicators, name),
        bydel=name,
        scope_name=f"Bydel {name}" if name else OSLO,
        period_from=period_from,
        period_to=period_to,
        suppress_below=threshold,
        output_dir=Path(output_dir) if output_dir is not None else paths.OUTPUTS_DIR,
        internal=bool(internal),
        sample=sample,
        warnings=tuple(warnings),
    )


@contextlib.contextmanager
def _collect_warnings():
    """Keep the package's log warnings out of the notebook output while loading.

    Preparing data logs warnings meant for the analyst's console (a missing optional extract, the
    sample key); in a chapter they would print as stderr in the middle of the report. They are
    collected into :attr:`Scope.warnings` instead (shown in an internal report's heading).
    """
    messages: list[str] = []

    class _Collector(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    root = logging.getLogger("prioslo")
    handler = _Collector(level=logging.WARNING)
    propagate = root.propagate
    root.addHandler(handler)
    root.propagate = False
    try:
        yield messages
    finally:
        root.removeHandler(handler)
        root.propagate = propagate


def scope_from_indicators(indicators: pd.DataFrame, bydel: str | None = None, *, suppress_below: int = 5,
                          output_dir: Path | str | None = None, period_from: int | None = None,
                          period_to: int | None = None, internal: bool = False, sample: bool = False) -> Scope:
    """Build a :class:`Scope` from an indicator frame already computed (tests, exploration).

    The frame must have the long columns; a missing ``suppressed`` column means nothing is suppressed.
    """
    name = resolve_bydel(bydel)
    frame = indicators.copy()
    if "suppressed" not in frame.columns:
        frame["suppressed"] = False
    frame["period"] = frame["period"].astype(str)
    return Scope(select_scope(frame, name), name, f"Bydel {name}" if name else OSLO, period_from, period_to,
                 suppress_below, Path(output_dir) if output_dir is not None else paths.OUTPUTS_DIR, internal, sample)
