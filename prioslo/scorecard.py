"""The indicator scorecard of Tabell 2: every target of Vedlegg 1, its value, and a traffic light.

The targets and the rules that colour them live in ONE config file,
``prioslo/config/targets.toml`` (read by :func:`load_targets`); this module only applies them. The
status is computed from the indicator frame alone, so it is the same for every run on the same data,
and it sits next to the status the final report itself gave (``published_status.csv``), which lets a
reader see where the rules and the report's judgement differ.

Statuses: ``green`` (Grønt = målet er oppnådd), ``yellow`` (Gult = nesten nådd), ``red`` (Rødt =
ikke nådd), or an empty string when the target is qualitative or its value is missing or suppressed.
"""

from __future__ import annotations

import html
import logging
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from prioslo import formatting as fmt
from prioslo import paths
from prioslo.bydeler import OSLO
from prioslo.errors import PriosloError

log = logging.getLogger(__name__)

TARGETS_FILE: Path = paths.CONFIG_DIR / "targets.toml"
"""The one config file with the targets and traffic-light rules."""

PUBLISHED_STATUS_FILE: Path = paths.PUBLISHED_DIR / "published_status.csv"
"""The status per target the final report gave (transcribed; see ``data/raw/published``)."""

DIRECTIONS = ("at_least", "at_most", "increase", "reduction")
CHANGES = ("relative", "absolute")
STATUSES = ("green", "yellow", "red")

SCORECARD_COLUMNS = ("target_id", "description", "value", "target", "status", "published_status")
"""Columns of :func:`compute_scorecard` and of ``tables/scorecard.csv`` (data contract)."""

STATUS_LABELS = {"green": "Grønt", "yellow": "Gult", "red": "Rødt", "": "–"}
"""How a reader sees a status."""

STATUS_MEANINGS = {"green": "oppnådd", "yellow": "nesten nådd", "red": "ikke nådd", "": "ikke vurdert"}

PUBLISHED_HEADER = "Status i sluttrapporten"

STATUS_COLOURS = {"green": "#009E73", "yellow": "#F0E442", "red": "#D55E00"}
"""Okabe–Ito colours (safe for colour-blind readers); the status is always written out as well."""

SCOPE_GROUP = "scope"
"""``group`` value meaning: the report's own scope (Oslo, or the bydel of a bydel report)."""

_EPS = 1e-9


@dataclass(frozen=True)
class Target:
    """One target of Vedlegg 1 and the rule that scores it (see ``targets.toml`` for the fields)."""

    id: str
    area: str
    description: str
    measurable: bool = True
    indicator: str | None = None
    group: str = SCOPE_GROUP
    direction: str | None = None
    change: str = "relative"
    baseline: str | None = None
    target: float | None = None
    yellow_within: float = 0.0
    target_bydel: float | None = None
    yellow_within_bydel: float | None = None
    unit: str = "count"

    def rule_for(self, bydel: str | None) -> tuple[float, float]:
        """Return ``(target, yellow_within)`` in force for a report of ``bydel`` (None = Oslo)."""
        if bydel is not None and self.group == SCOPE_GROUP and self.target_bydel is not None:
            within = self.yellow_within_bydel if self.yellow_within_bydel is not None else 0.0
            return float(self.target_bydel), float(within)
        return float(self.target), float(self.yellow_within)


def load_targets(path: Path | str | None = None) -> tuple[Target, ...]:
    """Read and validate the targets config.

    Parameters
    ----------
    path : path, optional
        A TOML file in the format of ``prioslo/config/targets.toml`` (the default).

    Returns
    -------
    tuple of Target
        In file order (the order of Vedlegg 1).

    Raises
    ------
    PriosloError
        When the file is missing or a target is incomplete or has an unknown direction, so a
        mistake in the config is reported as one clear line naming the target.
    """
    path = Path(path) if path is not None else TARGETS_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PriosloError(f"{path}: targets config not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PriosloError(f"{path}: not valid TOML: {exc}") from None
    fields = set(Target.__dataclass_fields__)
    targets = []
    for i, entry in enumerate(raw.get("target", []), start=1):
        where = f"{path}: target {i} ({entry.get('id', '?')})"
        unknown = set(entry) - fields
        if unknown:
            raise PriosloError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        for name in ("id", "area", "description"):
            if not entry.get(name):
                raise PriosloError(f"{where}: '{name}' is missing")
        t = Target(**entry)
        if t.measurable:
            for name in ("indicator", "direction", "target"):
                if getattr(t, name) is None:
                    raise PriosloError(f"{where}: '{name}' is missing (or set measurable = false)")
            if t.direction not in DIRECTIONS:
                raise PriosloError(f"{where}: direction '{t.direction}' is not one of {', '.join(DIRECTIONS)}")
            if t.direction in ("increase", "reduction"):
                if t.baseline is None:
                    raise PriosloError(f"{where}: '{t.direction}' needs a 'baseline' period")
                if t.change not in CHANGES:
                    raise PriosloError(f"{where}: change '{t.change}' is not one of {', '.join(CHANGES)}")
            if t.yellow_within < 0:
                raise PriosloError(f"{where}: 'yellow_within' must not be negative")
            if t.unit not in fmt.UNITS:
                raise PriosloError(f"{where}: unit '{t.unit}' is not one of {', '.join(fmt.UNITS)}")
        targets.append(t)
    ids = [t.id for t in targets]
    if len(set(ids)) != len(ids):
        raise PriosloError(f"{path}: a target id occurs twice")
    return tuple(targets)


def status(value: float | None, target: float, direction: str, yellow_within: float = 0.0) -> str:
    """Colour one value by one rule.

    Parameters
    ----------
    value : float or None
        The measured value (for ``increase`` / ``reduction`` the change, positive = in the wanted
        direction). None or NaN gives ``""``.
    target : float
        The target.
    direction : {'at_least', 'at_most', 'increase', 'reduction'}
        ``at_most`` is met at or below the target, the others at or above it.
    yellow_within : float
        Width of the «nesten nådd» band beyond the target.

    Returns
    -------
    str
        ``"green"``, ``"yellow"``, ``"red"`` or ``""``. A value exactly at a boundary gets the better
        colour (comparisons allow for floating-point noise, so 4,5 - 0,6 is exactly 3,9).
    """
    if fmt.is_missing(value) or (isinstance(value, float) and math.isinf(value)):
        return ""
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}")
    eps = _EPS * max(1.0, abs(target), abs(yellow_within))
    if direction == "at_most":
        if value <= target + eps:
            return "green"
        return "yellow" if value <= target + yellow_within + eps else "red"
    if value >= target - eps:
        return "green"
    return "yellow" if value >= target - yellow_within - eps else "red"


def as_printed(value: float, unit: str) -> float:
    """Round a value to the precision the report prints it with (half away from zero).

    A mean to one decimal (3,86 -> 3,9), a share or a relative change to a tenth of a percentage
    point (0,10049 -> 0,100), a count to a whole number. The status is decided on this value, so a
    reader never sees «3,9» next to a colour that 3,9 would not get.
    """
    if fmt.is_missing(value) or math.isinf(value):
        return value
    decimals = fmt.DEFAULT_DECIMALS[unit] + (2 if unit == "share" else 0)
    return float(fmt._rounded(value, decimals))


def _rows(indicators: pd.DataFrame, indicator: str, group: str) -> pd.DataFrame:
    rows = indicators[(indicators["indicator"] == indicator) & (indicators["group"] == group)]
    return rows.sort_values("period")


def _value_of(row: pd.Series) -> float:
    if "suppressed" in row.index and bool(row["suppressed"]):
        return math.nan
    v = row["value"]
    return math.nan if fmt.is_missing(v) else float(v)


def measure(indicators: pd.DataFrame, target: Target, bydel: str | None = None) -> dict:
    """Take a target's value from the long indicator frame.

    Parameters
    ----------
    indicators : DataFrame
        Long indicator frame (``indicator, group, period, value, ...``, optionally ``suppressed``),
        already limited to the report's period.
    target : Target
        The target.
    bydel : str, optional
        The bydel of a bydel report (``group = "scope"`` then reads this bydel's rows).

    Returns
    -------
    dict
        ``value`` (NaN when missing or suppressed), ``period`` (the latest period, or None),
        ``baseline_value``, ``latest_value`` (the level the change is measured between), ``group``.
    """
    group = (bydel or OSLO) if target.group == SCOPE_GROUP else target.group
    out = {"value": math.nan, "period": None, "baseline_value": math.nan, "latest_value": math.nan, "group": group}
    if not target.measurable:
        return out
    rows = _rows(indicators, target.indicator, group)
    if rows.empty:
        log.info("scorecard: no rows for %s / %s", target.indicator, group)
        return out
    latest = rows.iloc[-1]
    out["period"] = str(latest["period"])
    out["latest_value"] = _value_of(latest)
    if target.direction in ("at_least", "at_most"):
        out["value"] = out["latest_value"]
        return out
    base_rows = rows[rows["period"].astype(str) == str(target.baseline)]
    if base_rows.empty or out["period"] <= str(target.baseline):
        log.info("scorecard: %s has no baseline %s before %s", target.id, target.baseline, out["period"])
        return out
    base = _value_of(base_rows.iloc[0])
    out["baseline_value"] = base
    latest_value = out["latest_value"]
    if math.isnan(base) or math.isnan(latest_value):
        return out
    diff = latest_value - base
    if target.direction == "reduction":
        diff = -diff
    if target.change == "absolute":
        out["value"] = diff
    else:
        out["value"] = diff / base if base != 0 else math.nan
    return out


def read_published_status(path: Path | str | None = None) -> dict[str, str]:
    """Return ``{target_id: published_status}`` from ``published_status.csv``, or ``{}`` if it is absent."""
    path = Path(path) if path is not None else PUBLISHED_STATUS_FILE
    if not path.exists():
        log.info("no published status file at %s", path)
        return {}
    header = path.read_text(encoding="utf-8-sig").split("\n", 1)[0]
    sep = ";" if header.count(";") > header.count(",") else ","  # the contract allows both
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=sep)
    missing = {"target_id", "published_status"} - set(frame.columns)
    if missing:
        raise PriosloError(f"{path}: column(s) {', '.join(sorted(missing))} missing")
    return {r.target_id.strip(): r.published_status.strip().lower() for r in frame.itertuples()}


def evaluate(indicators: pd.DataFrame, bydel: str | None = None, targets: tuple[Target, ...] | None = None,
             published: dict[str, str] | None = None) -> pd.DataFrame:
    """Score every target, with the details a reader needs (the scorecard's long form).

    Parameters
    ----------
    indicators : DataFrame
        Long indicator frame, already limited to the report's period and suppressed.
    bydel : str, optional
        Official bydel name for a bydel report, None for Oslo.
    targets : tuple of Target, optional
        Defaults to :func:`load_targets`.
    published : dict, optional
        ``{target_id: status}``; defaults to :func:`read_published_status`.

    Returns
    -------
    DataFrame
        One row per target, in Vedlegg 1 order: the :data:`SCORECARD_COLUMNS` plus ``area``,
        ``measurable``, ``group``, ``period``, ``baseline``, ``baseline_value``, ``latest_value``,
        ``direction``, ``change``, ``unit``, ``yellow_within``.
    """
    targets = load_targets() if targets is None else targets
    published = read_published_status() if published is None else published
    records = []
    for t in targets:
        m = measure(indicators, t, bydel)
        goal, within = t.rule_for(bydel) if t.measurable else (math.nan, math.nan)
        records.append({
            "target_id": t.id,
            "description": t.description,
            "value": m["value"],
            "target": goal,
            "status": status(as_printed(m["value"], t.unit), goal, t.direction, within) if t.measurable else "",
            "published_status": published.get(t.id, ""),
            "area": t.area,
            "measurable": t.measurable,
            "group": m["group"] if t.measurable else "",
            "period": m["period"],
            "baseline": t.baseline if t.direction in ("increase", "reduction") else None,
            "baseline_value": m["baseline_value"],
            "latest_value": m["latest_value"],
            "direction": t.direction,
            "change": t.change,
            "unit": t.unit,
            "yellow_within": within,
        })
    return pd.DataFrame.from_records(records)


def compute_scorecard(indicators: pd.DataFrame, bydel: str | None = None, *,
                      targets: tuple[Target, ...] | None = None,
                      published_path: Path | str | None = None) -> pd.DataFrame:
    """Return the scorecard of the data contract: one row per target of Vedlegg 1.

    Parameters
    ----------
    indicators : DataFrame
        Long (suppressed) indicator frame of the report's scope and period.
    bydel : str, optional
        Official bydel name for a bydel report; ``group = "scope"`` targets then read the bydel.
    targets : tuple of Target, optional
        Defaults to the targets in ``prioslo/config/targets.toml``.
    published_path : path, optional
        Defaults to ``data/raw/published/published_status.csv``; an absent file leaves
        ``published_status`` empty.

    Returns
    -------
    DataFrame
        Columns ``target_id, description, value, target, status, published_status``. ``status`` is
        ``green`` / ``yellow`` / ``red``, or empty for a qualitative target or a missing or
        suppressed value. Shares and relative changes are fractions.
    """
    full = evaluate(indicators, bydel, targets, read_published_status(published_path))
    return full.loc[:, list(SCORECARD_COLUMNS)]


# --- reader-facing text ----------------------------------------------------------------------


def _bydel_yes_no(row: pd.Series, bydel: str | None) -> bool:
    return bydel is not None and row["group"] == bydel and row["direction"] == "at_least" and row["unit"] == "count" \
        and row["target"] == 1


def value_text(row: pd.Series, bydel: str | None = None) -> str:
    """Describe a scorecard row's value for a reader, e.g. «3,9 (2024)» or «-12,1 % (2020–2023)»."""
    if not row["measurable"]:
        return "Kvalitativt mål"
    if fmt.is_missing(row["value"]):
        if row["period"] is None:
            return "Ingen data"
        return f"{fmt.SUPPRESSED} (mangler eller skjult)"
    period = fmt.fmt_period(row["period"])
    if _bydel_yes_no(row, bydel):
        return f"{'Ja' if row['value'] >= 1 else 'Nei'} ({period})"
    if row["direction"] in ("increase", "reduction"):
        signed = row["value"] if row["direction"] == "increase" else -row["value"]
        span = f"{fmt.fmt_period(row['baseline'])}–{period}"
        levels = f"{fmt.fmt_number(row['baseline_value'])} → {fmt.fmt_number(row['latest_value'])}"
        if row["change"] == "absolute":
            sign = "+" if signed > 0 else ""
            return f"{sign}{fmt.fmt_number(signed)} ({span}: {levels})"
        return f"{fmt.fmt_change(signed)} ({span}: {levels})"
    return f"{fmt.fmt_value(row['value'], row['unit'])} ({period})"


def target_text(row: pd.Series, bydel: str | None = None) -> str:
    """Describe a scorecard row's target, e.g. «minst 4,5», «høyst 10,0 %», «nedgang på minst 10,0 %»."""
    if not row["measurable"]:
        return "–"
    if _bydel_yes_no(row, bydel):
        return "Ja"
    goal = row["target"]
    if row["direction"] == "at_least":
        return f"minst {fmt.fmt_value(goal, row['unit'])}"
    if row["direction"] == "at_most":
        return f"høyst {fmt.fmt_value(goal, row['unit'])}"
    word = "økning" if row["direction"] == "increase" else "nedgang"
    amount = fmt.fmt_number(goal) if row["change"] == "absolute" else fmt.fmt_percent(goal)
    return f"{word} på minst {amount}"


def rules_frame(targets: tuple[Target, ...], bydel: str | None = None) -> pd.DataFrame:
    """The traffic-light rule of each measurable target in words (what Grønt, Gult and Rødt mean)."""
    records = {}
    for t in targets:
        if not t.measurable:
            continue
        goal, within = t.rule_for(bydel)
        if t.direction in ("increase", "reduction"):
            word = "økning" if t.direction == "increase" else "nedgang"
            amount = fmt.fmt_number if t.change == "absolute" else fmt.fmt_percent
            what = f"{word} fra {fmt.fmt_period(t.baseline)}"
            green = f"{what} på minst {amount(goal)}"
            yellow = f"{what} på minst {amount(goal - within)}" if within > 0 else "–"
        elif t.direction == "at_most":
            green = f"høyst {fmt.fmt_value(goal, t.unit)}"
            yellow = f"høyst {fmt.fmt_value(goal + within, t.unit)}" if within > 0 else "–"
        else:
            green = f"minst {fmt.fmt_value(goal, t.unit)}"
            yellow = f"minst {fmt.fmt_value(goal - within, t.unit)}" if within > 0 else "–"
        records[t.description] = {"Grønt (oppnådd)": green, "Gult (nesten nådd)": yellow,
                                  "Rødt (ikke nådd)": "ellers"}
    return pd.DataFrame.from_dict(records, orient="index")


def status_marker(status_value: str) -> str:
    """Return an HTML traffic-light marker: a coloured dot (hidden from screen readers) and the word."""
    colour = STATUS_COLOURS.get(status_value)
    label = STATUS_LABELS.get(status_value, status_value)
    if colour is None:
        return html.escape(label)
    return (f'<span aria-hidden="true" style="display:inline-block;width:0.9em;height:0.9em;border-radius:50%;'
            f'border:1px solid #333;background:{colour};vertical-align:middle;margin-right:0.35em"></span>'
            f"{html.escape(label)}")


def scorecard_frame(full: pd.DataFrame, bydel: str | None = None) -> pd.DataFrame:
    """Return the reader's scorecard (Tabell 2) as text: area, target, value, goal and both statuses."""
    out = pd.DataFrame({
        "Område": full["area"],
        "Måleindikator": full["description"],
        "Verdi": [value_text(r, bydel) for _, r in full.iterrows()],
        "Mål": [target_text(r, bydel) for _, r in full.iterrows()],
        "Status beregnet": full["status"],
        PUBLISHED_HEADER if bydel is None else f"{PUBLISHED_HEADER} (Oslo)": full["published_status"],
    })
    out.index = pd.Index(range(1, len(out) + 1), name="Nr.")
    return out


def scorecard_table(full: pd.DataFrame, bydel: str | None = None, caption: str | None = None,
                    source: str | None = None):
    """Render Tabell 2: each target with its value, its computed status and the report's status.

    Parameters
    ----------
    full : DataFrame
        The output of :func:`evaluate`.
    bydel : str, optional
        The bydel of a bydel report («alle bydeler» targets then read Ja/Nei).
    caption, source : str, optional
        Caption above and source line under the table.

    Returns
    -------
    IPython.display.HTML
    """
    from IPython.display import HTML

    frame = scorecard_frame(full, bydel)
    status_columns = list(frame.columns[-2:])
    markers = {col: {i: status_marker(v) for i, v in frame[col].items()} for col in status_columns}
    text = frame.copy()
    text[status_columns] = ""
    return HTML(fmt.table_html(text, units={}, caption=caption, source=source, row_markers=markers,
                               index_name="Nr.", name="scorecard"))


def summary_counts(full: pd.DataFrame) -> dict[str, int]:
    """Count the targets by computed status: ``{"green": n, "yellow": n, "red": n, "unscored": n, "qualitative": n}``."""
    counts = {s: int((full["status"] == s).sum()) for s in STATUSES}
    counts["qualitative"] = int((~full["measurable"].astype(bool)).sum())
    counts["unscored"] = int(((full["status"] == "") & full["measurable"].astype(bool)).sum())
    counts["agree"] = int(((full["status"] != "") & (full["status"] == full["published_status"])).sum())
    counts["compared"] = int(((full["status"] != "") & (full["published_status"] != "")).sum())
    return counts
