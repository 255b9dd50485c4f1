"""``prioslo build``: from raw extracts to one stitched HTML report per scope, in parallel and incrementally.

A scope is all of Oslo (``oslo``) or one bydel (its slug). For each scope the build

1. computes the scope's indicators and scorecard and writes ``tables/indicators.csv`` and
   ``tables/scorecard.csv``;
2. executes every chapter notebook with papermill into ``notebooks/<slug>.ipynb`` (the notebooks
   write their figures into ``figures/``);
3. stitches the executed chapters into ``report.html`` and writes ``run.json``.

**Parallel** (``--jobs N``, default: the number of cores): the chapters of every scope go into
one queue served by N worker threads, each with a warm Jupyter kernel
(:mod:`prioslo.kernelpool`): started once, the heavy imports done once, reset to a fresh state
before each notebook, which papermill then executes as usual. The indicators are computed once
for all scopes and handed to the chapter kernels (:func:`prioslo.cache.write_scope_indicators`)
instead of being recomputed in every chapter. A scope is stitched as soon as its last chapter is
done, while the kernels go on with the next scope. One progress line per finished chapter.

**Incremental**: a chapter whose notebook, parameters, input data, library code and software are
unchanged since the last good build of its scope (content hashes, :mod:`prioslo.cache`) is not
executed again: its notebook and figures are taken over from that build. A scope whose chapters
are all unchanged is left as it is, so a rebuild with nothing changed only hashes files (no
pandas, no kernel). ``--force`` executes everything. ``run.json`` lists the ``reused`` and
``executed`` chapters; «Om rapporten» names the reused ones.

Everything is built in a hidden sibling folder ``<out>/.<scope>.tmp-…/<scope>/`` and swapped in
only when every chapter succeeded, so a failed run never leaves a good report half-overwritten: the failed
build is moved to ``<out>/<scope>.failed/`` (with the failing notebook and its error cell) and the
previous ``<out>/<scope>/`` stays as it was. Exit status: 0 all scopes built, 1 a chapter failed.

Parameters the chapter notebooks receive (papermill ``parameters`` cell):
``data_dir`` (absolute path of the raw extracts), ``output_dir`` (absolute path of an outputs
ROOT, the same meaning as ``--output-dir``: a chapter writes its figures to
``<output_dir>/<scope>/figures/`` with ``scope = "oslo"`` or ``bydeler.slug(bydel)``, and
``<output_dir>/<scope>/tables/`` already holds ``indicators.csv`` and ``scorecard.csv`` when the
chapter runs; during a build the root is a temporary folder of that chapter's own, so that the
files each chapter writes are known), ``period_from``, ``period_to`` (int or None), ``bydel``
(official name, None for all of Oslo), ``suppress_below`` (0 for an internal build), and
``internal`` (bool; passed only to notebooks that declare it).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from prioslo import bydeler, cache, kernelpool, paths
from prioslo.chapters import CHAPTERS, NOTEBOOK_PARAMETERS, Chapter
from prioslo.errors import PriosloError
from prioslo.provenance import iso_time, now, provenance, write_run_json
from prioslo.stamps import INTERNAL_STAMP, REAL_DATA_STATUS, SAMPLE_DATA_STATUS

if TYPE_CHECKING:  # imported lazily: a rebuild with nothing to do must not pay for pandas
    import pandas as pd

log = logging.getLogger(__name__)

OSLO_SCOPE = "oslo"
KERNEL_NAME = "python3"
SAMPLE_DATA_NOTE = ("Rapporten er bygget på eksempeldataene som følger med prioslo. Registeruttrekkene "
                    "er syntetiske og beskriver ingen virkelige personer; tallene er derfor ikke "
                    "Oslo kommunes resultater.")
CHAPTER_ROOTS = ".chapters"
"""Folder of the per-chapter output roots inside a scope's temporary build folder."""
SEEDED_TABLES = ("tables/indicators.csv", "tables/scorecard.csv")
"""Files a chapter finds in its scope folder before it runs (not counted as its own output)."""


# --------------------------------------------------------------------------- data and tables

def load_data(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Return the processed tables of ``data_dir``, preparing them first when the extracts changed.

    :func:`prioslo.prepare.load_tables` prepares only when an extract's content hash, the key or
    the prioslo version differs from the manifest (re-cleaning unchanged extracts would cost
    seconds per build for nothing). Either way the log shows, from the manifest, how many rows
    of each extract were read, kept and rejected, so that every build log (e.g. a yearly cron
    run) says what the report rests on.
    """
    from prioslo.prepare import load_tables

    tables = load_tables(data_dir)
    _log_manifest(data_dir)
    return tables


def _log_manifest(data_dir: Path) -> None:
    manifest = paths.processed_dir_for(data_dir) / "manifest.json"
    try:
        extracts = json.loads(manifest.read_text(encoding="utf-8")).get("extracts", {})
    except (OSError, ValueError):
        return
    for entry in sorted(extracts.values(), key=lambda e: str(e.get("file"))):
        log.info("data: %s: %s rows in, %s kept, %s rejected", entry.get("file"), entry.get("rows_in"),
                 entry.get("kept"), entry.get("rejected"))


_ALL_GROUPS: dict[tuple, tuple[object, pd.DataFrame]] = {}
"""The all-groups indicators of the tables being built, computed once per build (see :func:`scope_tables`)."""


def _all_groups(tables, period_from, period_to, suppress_below) -> pd.DataFrame:
    key = (id(tables), period_from, period_to, suppress_below)
    hit = _ALL_GROUPS.get(key)
    if hit is None or hit[0] is not tables:
        from prioslo.pipeline import scope_indicators

        _ALL_GROUPS.clear()  # one build's tables at a time
        _ALL_GROUPS[key] = hit = (tables, scope_indicators(tables, period_from, period_to, suppress_below))
    return hit[1]


def scope_tables(tables: dict[str, pd.DataFrame], bydel: str | None, period_from: int | None,
                 period_to: int | None, suppress_below: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(indicators, scorecard)`` of one scope, disclosure control applied.

    The same rows as :func:`prioslo.pipeline.scope_indicators` with ``bydel``, but the
    indicators of every group are computed and suppressed once per build and each scope only
    selects its rows (:func:`prioslo.pipeline.select_scope`): the 16 scopes of
    ``--all-bydeler`` would otherwise compute the same table 16 times.
    """
    from prioslo.pipeline import CSV_COLUMNS, select_scope
    from prioslo.scorecard import compute_scorecard

    full = _all_groups(tables, period_from, period_to, suppress_below)
    indicators = select_scope(full, bydel)[list(CSV_COLUMNS)]
    return indicators, compute_scorecard(indicators, bydel=bydel)


def write_tables(indicators: pd.DataFrame, scorecard: pd.DataFrame, tables_dir: Path,
                 internal: bool = False) -> None:
    """Write ``indicators.csv`` (with the pipeline's writer) and ``scorecard.csv``.

    An internal build (no disclosure control) adds a last column ``stamp`` holding
    :data:`INTERNAL_STAMP` on every row of both: the contract's columns stay as they are, and no
    row can be copied out unstamped.
    """
    from prioslo.pipeline import write_indicators_csv

    tables_dir.mkdir(parents=True, exist_ok=True)
    stamp = INTERNAL_STAMP if internal else None
    write_indicators_csv(indicators, tables_dir / "indicators.csv", stamp=stamp)
    if stamp is not None:
        scorecard = scorecard.assign(stamp=stamp)
    scorecard.to_csv(tables_dir / "scorecard.csv", index=False, encoding="utf-8", lineterminator="\n")


@contextlib.contextmanager
def _collect_warnings(messages: list[str]):
    """Append the package's log warnings to ``messages`` (they still reach the console).

    A chapter that computes its own indicators shows the warnings of loading the data in an
    internal report's heading; with the indicators handed over, it gets these instead.
    """

    class _Collector(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    handler = _Collector(level=logging.WARNING)
    logging.getLogger("prioslo").addHandler(handler)
    try:
        yield messages
    finally:
        logging.getLogger("prioslo").removeHandler(handler)


# --------------------------------------------------------------------------- scopes

def scope_slug(bydel: str | None) -> str:
    """Return the output folder name of a scope: ``oslo`` or the bydel's slug."""
    return OSLO_SCOPE if bydel is None else bydeler.slug(bydel)


def scope_name(bydel: str | None) -> str:
    """Return the scope as the reader sees it: «Oslo» or «Bydel Alna»."""
    return bydeler.OSLO if bydel is None else f"Bydel {bydel}"


def resolve_scopes(bydel: str | None = None, all_bydeler: bool = False) -> list[str | None]:
    """Return the scopes to build: ``None`` for all of Oslo, else official bydel names.

    Raises
    ------
    PriosloError
        ``bydel`` is no bydel in any accepted spelling (the message lists the valid names), or
        both ``bydel`` and ``all_bydeler`` are given.
    """
    if bydel is not None and all_bydeler:
        raise PriosloError("--bydel and --all-bydeler cannot be combined")
    if all_bydeler:
        return [None, *bydeler.BYDELER]
    if bydel is None:
        return [None]
    return [bydeler.require_bydel(bydel)]


def data_status(data_dir: Path) -> str:
    """«syntetiske eksempeldata» when every person number is a synthetic test identity, else «reelle data».

    Decided by content (:func:`prioslo.prepare.is_synthetic`), not by folder, so a copy of the
    sample is still labelled synthetic. Call after the data are prepared.
    """
    from prioslo.prepare import is_synthetic

    return SAMPLE_DATA_STATUS if is_synthetic(data_dir) else REAL_DATA_STATUS


def period_label(indicators: pd.DataFrame, period_from: int | None, period_to: int | None) -> str:
    """Return the period of the report as «2020–2024» (one year: «2023»).

    Years given on the command line win; otherwise the first and last year found in the
    indicators' ``period`` column (a year ``2023`` or a round ``2024-06``).
    """
    years: list[int] = []
    if "period" in indicators.columns:
        found = indicators["period"].dropna().astype(str).str.extract(r"^(\d{4})")[0].dropna()
        years = sorted(int(y) for y in found)
    first = period_from if period_from is not None else (years[0] if years else None)
    last = period_to if period_to is not None else (years[-1] if years else None)
    if first is None and last is None:
        return "–"
    if first is None or last is None or first == last:
        return str(first if first is not None else last)
    return f"{first}–{last}"


# --------------------------------------------------------------------------- chapters

@dataclass(frozen=True)
class ChapterResult:
    """Outcome of executing one chapter notebook."""

    slug: str
    output: Path
    seconds: float
    error: str | None = None
    """``None`` on success, else the message naming the cell and the exception."""

    @property
    def ok(self) -> bool:
        return self.error is None


def resolve_kernel(name: str = KERNEL_NAME) -> str:
    """Return the kernel name to execute chapters with, warning when it is not this interpreter.

    The ``python3`` kernelspec that ipykernel installs runs ``python``, which jupyter_client
    replaces by ``sys.executable``: the chapters then run in the same virtual environment as the
    build and import the same prioslo. A user-level kernelspec pointing elsewhere would run
    the chapters with another Python, where prioslo may be missing or another version.
    """
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:  # pragma: no cover - papermill depends on jupyter_client
        return name
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel as exc:
        raise PriosloError(f"no Jupyter kernel '{name}'; install one with "
                           f"'{sys.executable} -m ipykernel install --sys-prefix'") from exc
    exe = spec.argv[0] if spec.argv else ""
    aliases = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    if exe not in aliases and Path(exe).resolve() != Path(sys.executable).resolve():
        log.warning("the Jupyter kernel '%s' (%s) runs %s, not %s; chapters may not find prioslo. "
                    "Fix: %s -m ipykernel install --sys-prefix", name, spec.resource_dir, exe,
                    sys.executable, sys.executable)
    return name


def _kernel_config():
    """Traitlets config for the kernel manager: CurveZMQ-encrypted kernel traffic when available.

    The kernels handle health data; with encryption the channel between build and kernel is
    not readable by other local users, and ipykernel stops warning about plain-text TCP.
    """
    import zmq
    from traitlets.config import Config

    policy = "auto" if zmq.has("curve") else "disabled"
    return Config({"KernelManager": {"transport_encryption": policy}})


def declared_parameters(notebook: Path) -> set[str]:
    """Return the names a notebook declares in its papermill ``parameters`` cell."""
    import papermill

    return set(papermill.inspect_notebook(str(notebook)))


def _first_line(source: str) -> str:
    for line in (source or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def describe_failure(exc: Exception) -> str:
    """Return one line naming the failing cell (index, first source line) and the exception."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return (f"cell {exc.cell_index} (In [{exc.exec_count}]) «{_first_line(exc.source)}»: "
                f"{exc.ename}: {exc.evalue}")
    return f"{type(exc).__name__}: {exc}"


def execute_chapter(slug: str, notebook: Path, output: Path, parameters: dict, cwd: Path,
                    kernel_name: str = KERNEL_NAME) -> ChapterResult:
    """Execute one chapter notebook with papermill; never raises for a failing cell.

    Called from a :class:`~prioslo.kernelpool.KernelPool` worker, the notebook runs on that
    worker's warm kernel (reset to a fresh state first); called anywhere else, papermill starts
    a fresh kernel as usual. Either way the executed notebook is papermill's.

    Parameters
    ----------
    slug : str
        Chapter slug (for messages).
    notebook : Path
        The chapter notebook to execute.
    output : Path
        Where the executed notebook goes; on failure it holds the error cell.
    parameters : dict
        Papermill parameters. ``internal`` is dropped when the notebook does not declare it, so
        older notebooks still run.
    cwd : Path
        Working directory of the kernel (the notebooks folder, as in JupyterLab).
    kernel_name : str
        Jupyter kernel to run.

    Returns
    -------
    ChapterResult
        With ``error`` set when a cell raised or the kernel died.
    """
    kernelpool.skip_unused_imports()
    import papermill

    pm_log = logging.getLogger("papermill")
    if pm_log.level == logging.NOTSET:
        pm_log.setLevel(logging.WARNING)  # its per-notebook INFO lines would drown the progress lines
    params = dict(parameters)
    if "internal" in params and "internal" not in declared_parameters(notebook):
        if params["internal"]:
            log.warning("%s: notebook declares no 'internal' parameter; its figures are not stamped", slug)
        params.pop("internal")
    output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    error = None
    kernel = kernelpool.current_kernel()
    try:
        if kernel is not None and kernel.kernel_name == kernel_name:
            kernel.execute_notebook(notebook, output, params, cwd)
        else:
            papermill.execute_notebook(str(notebook), str(output), parameters=params, kernel_name=kernel_name,
                                       language="python", progress_bar=False, log_output=False, cwd=str(cwd),
                                       config=_kernel_config(),
                                       kernel_manager_class=kernelpool.clean_shutdown_kernel_manager())
    except Exception as exc:  # a failing cell, a dead kernel: reported, never a traceback
        error = describe_failure(exc)
    return ChapterResult(slug=slug, output=output, seconds=time.perf_counter() - start, error=error)


def _run_chapter(slug: str, notebook: Path, output: Path, parameters: dict, cwd: Path,
                 kernel_name: str) -> ChapterResult:
    # looks execute_chapter up when called, so that tests can replace it
    return execute_chapter(slug, notebook, output, parameters, cwd, kernel_name)


# --------------------------------------------------------------------------- folders

def _finish_notebook(notebook: Path, moves: Sequence[tuple[Path, Path]], internal: bool) -> None:
    """Rewrite each ``(old, new)`` path in every string of an executed notebook; stamp internal ones.

    The chapters ran with a temporary folder as ``output_dir``; after the swap the notebook
    should name the folder it lives in, and two builds should not differ by a random folder
    name. An internal build's notebooks get the stamp as their first cell (tagged
    ``remove-cell``, so the report, which has its own banners, leaves it out).
    """
    import nbformat


    if not notebook.is_file():
        return
    pairs = [(str(old), str(new)) for old, new in moves]

    def fix(value):
        if isinstance(value, str):
            for old_s, new_s in pairs:
                value = value.replace(old_s, new_s)
            return value
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return type(value)((k, fix(v)) for k, v in value.items())
        return value

    nb = nbformat.from_dict(fix(nbformat.read(str(notebook), as_version=4)))
    if internal:
        stamp = nbformat.v4.new_markdown_cell(f"**{INTERNAL_STAMP}**")
        stamp.metadata["tags"] = ["remove-cell"]
        nb.cells.insert(0, stamp)
        nb.metadata["prioslo"] = {"internal": True, "stamp": INTERNAL_STAMP}
    nbformat.write(nb, str(notebook))


def _swap_in(tmp: Path, final: Path) -> None:
    """Replace ``final`` by ``tmp`` with two renames; the old folder is removed only afterwards."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        final.rename(old)
    try:
        tmp.rename(final)
    except OSError:
        if old is not None:
            old.rename(final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _keep_failed(tmp: Path, failed: Path) -> None:
    if failed.exists():
        shutil.rmtree(failed)
    tmp.rename(failed)


def _link_or_copy(source: Path, target: Path) -> None:
    """Hard-link ``source`` to ``target`` (same file system, no copy), else copy it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


# --------------------------------------------------------------------------- settings and plans

@dataclass
class BuildSettings:
    """Everything a scope build needs besides the scope (picklable)."""

    data_dir: Path
    output_dir: Path
    notebooks_dir: Path
    chapters: tuple[Chapter, ...]
    period_from: int | None
    period_to: int | None
    suppress_below: int
    internal: bool
    kernel_name: str = KERNEL_NAME
    build_date: date = field(default_factory=date.today)


@dataclass
class ScopeResult:
    """Outcome of one scope's build."""

    scope: str
    name: str
    folder: Path
    """``<out>/<scope>`` on success, ``<out>/<scope>.failed`` on failure."""
    chapters: list[ChapterResult]
    period: str = "–"
    reused: tuple[str, ...] = ()
    """Chapters taken over unchanged from the previous build."""

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.chapters)


@dataclass
class ScopePlan:
    """What a build has to do for one scope, decided from content hashes before anything runs."""

    bydel: str | None
    scope: str
    keys: dict[str, str]
    """Chapter slug -> :func:`~prioslo.cache.chapter_key`."""
    report_key: str
    record: dict | None
    """The incremental record of the previous good build (None when there is none)."""
    reused: frozenset[str]
    """Chapters whose previous result is reused."""
    up_to_date: bool
    """Every chapter reused and the report made from exactly these: nothing to do."""


def _notebook_values(settings: BuildSettings, bydel: str | None, output_root: Path | str) -> dict:
    """The papermill parameters of a scope's chapters, ``output_dir`` = ``output_root``."""
    values = {
        "data_dir": str(settings.data_dir),
        "output_dir": str(output_root),
        "period_from": settings.period_from,
        "period_to": settings.period_to,
        "bydel": bydel,
        "suppress_below": settings.suppress_below,
        "internal": settings.internal,
    }
    return {key: values[key] for key in (*NOTEBOOK_PARAMETERS, "internal")}


def _run_parameters(settings: BuildSettings, bydel: str | None, scope: str) -> dict:
    """The parameters of one scope's build as ``run.json`` records them (paths as the user gave them)."""
    return {
        "scope": scope,
        "bydel": bydel,
        "period_from": settings.period_from,
        "period_to": settings.period_to,
        "suppress_below": settings.suppress_below,
        "internal": settings.internal,
        "data_dir": str(settings.data_dir),
        "output_dir": str(settings.output_dir),
    }


def plan_scope(bydel: str | None, settings: BuildSettings, fp: cache.Fingerprint, force: bool = False) -> ScopePlan:
    """Decide which chapters of a scope can be reused from its previous good build.

    Reads only ``<out>/<scope>/run.json`` and hashes the chapter notebooks: cheap, and no heavy
    import, so that a rebuild with nothing to do finishes at once.
    """
    scope = scope_slug(bydel)
    final = settings.output_dir / scope
    params = _notebook_values(settings, bydel, settings.output_dir)
    keys = {c.slug: cache.chapter_key(fp, c.slug, settings.notebooks_dir / f"{c.slug}.ipynb", params,
                                      settings.notebooks_dir)
            for c in settings.chapters}
    report = cache.report_key([(c.slug, c.title, keys[c.slug]) for c in settings.chapters],
                              {**_run_parameters(settings, bydel, scope), "code": fp.code})
    record = None if force else cache.read_record(final)
    reused = frozenset(cache.reusable(record, keys, final))
    up_to_date = (record is not None and record.get("report_key") == report and len(reused) == len(keys)
                  and all((final / f).is_file() for f in ("report.html", "run.json", *SEEDED_TABLES)))
    return ScopePlan(bydel, scope, keys, report, record, reused, up_to_date)


def _execution_order(plan: ScopePlan, settings: BuildSettings) -> list[Chapter]:
    """The chapters to execute, longest first (by last build's time, else by notebook size).

    Longest first keeps both kernels busy to the end instead of one waiting for a long chapter
    started last.
    """
    def expected(chapter: Chapter) -> tuple[float, int]:
        entry = ((plan.record or {}).get("chapters") or {}).get(chapter.slug) or {}
        size = (settings.notebooks_dir / f"{chapter.slug}.ipynb").stat().st_size
        return (float(entry.get("seconds", 0.0)), size)

    todo = [c for c in settings.chapters if c.slug not in plan.reused]
    return sorted(todo, key=expected, reverse=True)


# --------------------------------------------------------------------------- one scope's build

class _ScopeBuild:
    """One scope being built in its temporary folder: tables, chapter roots, results, finishing."""

    def __init__(self, plan: ScopePlan, settings: BuildSettings):
        self.plan = plan
        self.settings = settings
        self.scope = plan.scope
        self.name = scope_name(plan.bydel)
        out = settings.output_dir
        self.final, self.failed = out / self.scope, out / f"{self.scope}.failed"
        self.started = now()
        self.work = Path(tempfile.mkdtemp(prefix=f".{self.scope}.tmp-", dir=out))
        self.tmp = self.work / self.scope
        self.period = "–"
        self.results: dict[str, ChapterResult] = {}
        self.files: dict[str, list[str]] = {}
        self.seconds: dict[str, float] = {}
        self.todo: list[Chapter] = _execution_order(plan, settings)

    # -- before the chapters run

    def prepare(self, tables, warnings: Sequence[str]) -> None:
        """Write the tables, hand the indicators over, take over the reused chapters."""
        s = self.settings
        for sub in ("tables", "figures", "notebooks"):
            (self.tmp / sub).mkdir(parents=True)
        if self.plan.reused:
            self._take_over_reused()
        if not self.todo:
            self.period = (self.plan.record or {}).get("period", "–")
            return  # nothing to execute: the tables are those of the reused build
        indicators, scorecard = scope_tables(tables, self.plan.bydel, s.period_from, s.period_to, s.suppress_below)
        write_tables(indicators, scorecard, self.tmp / "tables", internal=s.internal)
        self.period = period_label(indicators, s.period_from, s.period_to)
        handoff = cache.write_scope_indicators(
            indicators, cache.scope_indicators_path(self.work, self.scope),
            cache.scope_indicators_key(s.data_dir, s.period_from, s.period_to, s.suppress_below, self.plan.bydel),
            warnings)
        for chapter in self.todo:
            root = self.chapter_root(chapter.slug)
            for rel in SEEDED_TABLES:
                (root / self.scope / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.tmp / rel, root / self.scope / rel)
            (root / self.scope / "figures").mkdir(parents=True, exist_ok=True)
            _link_or_copy(handoff, cache.scope_indicators_path(root, self.scope))

    def _take_over_reused(self) -> None:
        record = self.plan.record or {}
        for slug in sorted(self.plan.reused):
            files = cache.chapter_files(record, slug)
            for rel in files:
                _link_or_copy(self.final / rel, self.tmp / rel)
            self.files[slug] = files
            self.seconds[slug] = float(record["chapters"][slug].get("seconds", 0.0))
            self.results[slug] = ChapterResult(slug, self.tmp / "notebooks" / f"{slug}.ipynb", 0.0)
        if not self.todo:  # every chapter reused, only the report is made again: keep the tables too
            for rel in SEEDED_TABLES:
                _link_or_copy(self.final / rel, self.tmp / rel)

    def chapter_root(self, slug: str) -> Path:
        """The output root one chapter runs with (its figures are found there afterwards)."""
        return self.work / CHAPTER_ROOTS / slug

    def task(self, chapter: Chapter) -> tuple:
        """The arguments of :func:`execute_chapter` for one chapter of this scope."""
        s = self.settings
        return (chapter.slug, s.notebooks_dir / f"{chapter.slug}.ipynb", self.tmp / "notebooks" / f"{chapter.slug}.ipynb",
                _notebook_values(s, self.plan.bydel, self.chapter_root(chapter.slug)), s.notebooks_dir, s.kernel_name)

    # -- as chapters finish

    def add(self, result: ChapterResult) -> None:
        """Record a finished chapter, move the files it wrote into the scope folder and finish
        its notebook (paths of the final folder, the internal stamp) while the others run."""
        self.results[result.slug] = result
        self.seconds[result.slug] = result.seconds
        files = [f"notebooks/{result.slug}.ipynb"]
        root = self.chapter_root(result.slug) / self.scope
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                rel = path.relative_to(root).as_posix()
                if rel in SEEDED_TABLES:
                    continue
                target = self.tmp / rel
                if target.exists():
                    log.warning("%s: chapter '%s' overwrites %s written by another chapter", self.scope,
                                result.slug, rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
                files.append(rel)
        self.files[result.slug] = files
        root = self.chapter_root(result.slug)
        moves = [(root / self.scope, self.final), (root, self.settings.output_dir),
                 (self.tmp, self.final), (self.work, self.settings.output_dir)]
        _finish_notebook(result.output, moves, self.settings.internal)

    @property
    def complete(self) -> bool:
        return len(self.results) == len(self.settings.chapters)

    # -- when every chapter is done

    def finish(self) -> ScopeResult:
        """Stitch, write ``run.json``, swap the scope in (or keep it as ``<scope>.failed``)."""
        s, plan = self.settings, self.plan
        chapters = s.chapters
        results = [self.results[c.slug] for c in chapters]
        ok = all(r.ok for r in results)
        target = self.final if ok else self.failed
        executed = [c.slug for c in chapters if c.slug not in plan.reused]
        reused = [c.slug for c in chapters if c.slug in plan.reused]
        if not ok:  # the notebooks were finished for the final folder; they go to <scope>.failed
            for slug in executed:
                _finish_notebook(self.results[slug].output, [(self.final, self.failed)], internal=False)
        record = provenance(_run_parameters(s, plan.bydel, self.scope), s.data_dir, self.started, now(),
                            chapters=[c.slug for c in chapters])
        record["status"] = "ok" if ok else "failed"
        record["internal"] = s.internal
        if s.internal:
            record["stamp"] = INTERNAL_STAMP
        record["executed"] = executed
        record["reused"] = reused
        if ok:
            record[cache.RECORD] = cache.make_record(
                plan.report_key,
                {slug: {"key": plan.keys[slug], "files": self.files[slug], "seconds": self.seconds[slug]}
                 for slug in plan.keys},
                self.period)
            self._stitch(record, reused)
        else:
            record["failures"] = {r.slug: r.error for r in results if not r.ok}
        record["finished"] = iso_time(now())
        write_run_json(record, self.tmp / "run.json")
        if s.internal:
            (self.tmp / "README.txt").write_text(_internal_readme(self.name), encoding="utf-8")
        if ok:
            _swap_in(self.tmp, self.final)
            if self.failed.exists():
                shutil.rmtree(self.failed)  # a stale failure would only confuse
            log.info("%s: wrote %s", self.scope, self.final / "report.html")
        else:
            _keep_failed(self.tmp, self.failed)
            for r, chapter in zip(results, chapters):
                if not r.ok:
                    log.error("%s: chapter '%s' («%s») failed at %s; the failed notebook is kept at %s",
                              self.scope, chapter.slug, chapter.title, r.error,
                              self.failed / "notebooks" / f"{chapter.slug}.ipynb")
            if self.final.exists():
                log.error("%s: the previous report in %s was left unchanged", self.scope, self.final)
        return ScopeResult(scope=self.scope, name=self.name, folder=target, chapters=results, period=self.period,
                           reused=tuple(reused))

    def _stitch(self, record: dict, reused: Sequence[str]) -> None:
        from prioslo.stitch import REPORT_TITLE, stitch

        s = self.settings
        status = data_status(s.data_dir)
        titles = {c.slug: f"{n}. {c.title}" for n, c in enumerate(s.chapters, start=1)}
        meta = {
            "scope_name": self.name,
            "period": self.period,
            "data_status": status,
            "data_note": SAMPLE_DATA_NOTE if status == SAMPLE_DATA_STATUS else None,
            "internal": s.internal,
            "build_date": s.build_date,
            "provenance": record,
            "report_title": REPORT_TITLE,
            "reused": [titles[slug] for slug in reused],
        }
        stitch([self.results[c.slug].output for c in s.chapters], [c.title for c in s.chapters],
               self.tmp / "report.html", meta)

    def cleanup(self) -> None:
        # after the swap only the empty work folder is left; after an unexpected error, the
        # half-built scope: neither stays behind
        shutil.rmtree(self.work, ignore_errors=True)


def _internal_readme(scope_label: str) -> str:

    return (f"{INTERNAL_STAMP}\n\n"
            f"Denne mappen ({scope_label}) er bygget med --internal: små antall er IKKE prikket.\n"
            "Tabellene, figurene, notatbøkene og rapporten skal ikke publiseres eller deles utenfor\n"
            "virksomheten. Se run.json for parametere og inndatafiler.\n")


def _run_scopes(plans: Sequence[ScopePlan], settings: BuildSettings, jobs: int,
                load: Callable[[], dict]) -> list[ScopeResult]:
    """Build the scopes of ``plans``: chapters of all scopes on ``jobs`` warm kernels, each scope
    stitched as soon as its chapters are done. ``load()`` returns the processed tables."""
    started = time.perf_counter()
    runs: list[_ScopeBuild] = []
    results: list[ScopeResult] = []
    n_execute = sum(len(settings.chapters) - len(p.reused) for p in plans)
    workers = max(1, min(jobs, n_execute))
    pool = (kernelpool.KernelPool(workers, settings.kernel_name, settings.notebooks_dir, _kernel_config())
            if n_execute else contextlib.nullcontext())
    done_count = failed_count = 0
    try:
        with pool:
            warnings: list[str] = []
            with _collect_warnings(warnings):
                tables = load() if n_execute else {}
            pending: dict[concurrent.futures.Future, _ScopeBuild] = {}
            for plan in plans:
                run = _ScopeBuild(plan, settings)
                runs.append(run)
                with _collect_warnings(warnings):
                    run.prepare(tables, warnings)
                if plan.reused:
                    log.info("%s: %d of %d chapters unchanged since the last build, reused: %s", run.scope,
                             len(plan.reused), len(settings.chapters),
                             ", ".join(c.slug for c in settings.chapters if c.slug in plan.reused))
                for chapter in run.todo:
                    pending[pool.submit(_run_chapter, *run.task(chapter))] = run
                if run.complete:
                    results.append(run.finish())
            if n_execute:
                pool.drain()
                import prioslo.stitch  # noqa: F401 - imported while the kernels work, not after
            while pending:
                done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in done:
                    run = pending.pop(future)
                    result = future.result()
                    run.add(result)
                    done_count += 1
                    failed_count += not result.ok
                    log.info("[%d/%d] %s: %s %s (%.1f s)", done_count, n_execute, run.scope, result.slug,
                             "ok" if result.ok else "FAILED", result.seconds)
                    if run.complete:
                        results.append(run.finish())
    finally:
        for run in runs:
            run.cleanup()
    reused = sum(len(r.reused) for r in results)
    kernels = getattr(pool, "kernel_starts", 0)
    log.info("finished %d report(s) in %.1f s: %d chapter(s) executed on %d kernel(s), %d reused, %d failed",
             len(results), time.perf_counter() - started, n_execute, kernels, reused, failed_count)
    order = {p.scope: i for i, p in enumerate(plans)}
    return sorted(results, key=lambda r: order[r.scope])


def build_scope(tables: dict[str, pd.DataFrame], bydel: str | None, settings: BuildSettings,
                jobs: int | None = None, force: bool = False) -> ScopeResult:
    """Build one scope in a temporary folder and swap it in only if every chapter succeeded.

    Unchanged chapters are reused (see the module docstring) unless ``force``.

    Returns
    -------
    ScopeResult
        On failure the build is kept in ``<out>/<scope>.failed/`` and ``<out>/<scope>/`` is not
        touched; the failures are logged (chapter, cell, exception).
    """
    fp = cache.fingerprint(settings.data_dir, settings.kernel_name)
    plan = plan_scope(bydel, settings, fp, force)
    return _run_scopes([plan], settings, jobs or os.cpu_count() or 1, lambda: tables)[0]


# --------------------------------------------------------------------------- index

def write_index(output_dir: Path, results: Sequence[ScopeResult], *, period: str, status: str,
                internal: bool = False, build_date: date | None = None) -> Path:
    """Write ``<out>/index.html``: a self-contained Norwegian page linking every scope's report.

    A scope whose build failed still links to its previous report when there is one, marked as
    such; without one it is listed without a link.
    """
    from babel.dates import format_date
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from prioslo.stitch import REPORT_TITLE, TEMPLATES_DIR

    entries = []
    for r in results:
        report = output_dir / r.scope / "report.html"
        entries.append({"name": r.name, "failed": not r.ok,
                        "href": f"{r.scope}/report.html" if report.exists() else None})
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(["html", "j2"]))
    page = env.get_template("index_page.html.j2").render(
        title=f"{REPORT_TITLE} – Oslo og bydelene", period=period, data_status=status,
        build_date=format_date(build_date or date.today(), format="long", locale="nb"),
        entries=entries, internal=internal, internal_stamp=INTERNAL_STAMP)
    path = output_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- entry point

def build(data_dir=None, output_dir=None, period_from=None, period_to=None, bydel=None, all_bydeler=False,
          suppress_below=5, internal=False, jobs=None, force=False, notebooks_dir=None,
          chapters: Sequence[Chapter] | None = None) -> int:
    """Build the report of Oslo, one bydel, or Oslo and every bydel; return the exit status.

    Parameters
    ----------
    data_dir : path, optional
        Raw extracts (default: the shipped sample ``data/raw``).
    output_dir : path, optional
        Where ``<scope>/`` folders go (default ``outputs/``).
    period_from, period_to : int, optional
        First and last year reported (default: all years in the data).
    bydel : str, optional
        One bydel, in any spelling or as its slug.
    all_bydeler : bool
        Build Oslo, the 15 bydeler and ``index.html``.
    suppress_below : int
        Disclosure threshold (forced to 0 by ``internal``).
    internal : bool
        No suppression; every page and file is stamped «Internt – ikke for publisering».
    jobs : int, optional
        Chapters executed at the same time, on as many warm kernels (default: the number of
        cores).
    force : bool
        Execute every chapter even when nothing changed since the last build.
    notebooks_dir : path, optional
        Folder with the chapter notebooks (default ``notebooks/``).
    chapters : sequence of Chapter, optional
        The chapters to run (default :data:`~prioslo.chapters.CHAPTERS`).

    Returns
    -------
    int
        0 when every scope was built (or was up to date), 1 when a chapter failed in any scope.

    Raises
    ------
    PriosloError
        Unknown bydel, bad period, threshold or jobs, missing notebooks, unreadable input.
    """
    started = time.perf_counter()
    scopes = resolve_scopes(bydel, all_bydeler)
    if period_from is not None and period_to is not None and period_from > period_to:
        raise PriosloError(f"--from {period_from} is after --to {period_to}")
    if suppress_below is None or suppress_below < 0:
        raise PriosloError(f"--suppress-below must be 0 or more, not {suppress_below}")
    if jobs is not None and (isinstance(jobs, bool) or int(jobs) < 1):
        raise PriosloError(f"--jobs must be 1 or more, not {jobs}")
    jobs = int(jobs) if jobs is not None else (os.cpu_count() or 1)
    data_dir = Path(data_dir if data_dir is not None else paths.RAW_DIR).resolve()
    output_dir = Path(output_dir if output_dir is not None else paths.OUTPUTS_DIR).resolve()
    notebooks_dir = Path(notebooks_dir if notebooks_dir is not None else paths.NOTEBOOKS_DIR).resolve()
    chapters = tuple(chapters if chapters is not None else CHAPTERS)
    if not data_dir.is_dir():
        raise PriosloError(f"data folder {data_dir} does not exist")
    missing = [c.slug for c in chapters if not (notebooks_dir / f"{c.slug}.ipynb").is_file()]
    if missing:
        raise PriosloError(f"chapter notebooks missing in {notebooks_dir}: "
                           f"{', '.join(s + '.ipynb' for s in missing)}")
    if internal:
        suppress_below = 0
        log.warning("internal build: no disclosure control; every output is stamped as internal")

    settings = BuildSettings(data_dir=data_dir, output_dir=output_dir, notebooks_dir=notebooks_dir,
                             chapters=chapters, period_from=period_from, period_to=period_to,
                             suppress_below=suppress_below, internal=internal)
    fp = cache.fingerprint(data_dir, settings.kernel_name)
    plans = [plan_scope(scope, settings, fp, force) for scope in scopes]
    todo = [p for p in plans if not p.up_to_date]
    index = output_dir / "index.html"
    for plan in plans:
        if plan.up_to_date:
            stale = output_dir / f"{plan.scope}.failed"
            if stale.exists():
                shutil.rmtree(stale)  # a failure of another build, older than nothing
    if not todo and (not all_bydeler or index.exists()):
        log.info("nothing changed since the last build of %s: up to date (checked in %.2f s; --force rebuilds)",
                 ", ".join(p.scope for p in plans), time.perf_counter() - started)
        return 0

    kernelpool.skip_unused_imports()
    settings.kernel_name = resolve_kernel(settings.kernel_name)
    output_dir.mkdir(parents=True, exist_ok=True)
    log.info("building %d report(s) of %d chapters into %s (%d up to date, up to %d kernels)",
             len(todo), len(chapters), output_dir, len(plans) - len(todo), jobs)
    try:
        built = _run_scopes(todo, settings, jobs, lambda: load_data(data_dir)) if todo else []
    finally:
        _ALL_GROUPS.clear()
    by_scope = {r.scope: r for r in built}
    results = [by_scope.get(p.scope) or _up_to_date_result(p, settings) for p in plans]
    if all_bydeler:
        period = next((r.period for r in results if r.period != "–"), "–")
        written = write_index(output_dir, results, period=period, status=data_status(data_dir),
                              internal=internal, build_date=settings.build_date)
        log.info("wrote %s", written)
    failed = [r.scope for r in results if not r.ok]
    if failed:
        log.error("build failed for: %s", ", ".join(failed))
        return 1
    return 0


def _up_to_date_result(plan: ScopePlan, settings: BuildSettings) -> ScopeResult:
    folder = settings.output_dir / plan.scope
    chapters = [ChapterResult(c.slug, folder / "notebooks" / f"{c.slug}.ipynb", 0.0) for c in settings.chapters]
    return ScopeResult(plan.scope, scope_name(plan.bydel), folder, chapters,
                       period=(plan.record or {}).get("period", "–"), reused=tuple(plan.keys))
