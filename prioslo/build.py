"""``prioslo build``: from raw extracts to one stitched HTML report per scope.

A scope is all of Oslo (``oslo``) or one bydel (its slug). For each scope the build

1. computes the scope's indicators and scorecard and writes ``tables/indicators.csv`` and
   ``tables/scorecard.csv``;
2. executes every chapter notebook with papermill into ``notebooks/<slug>.ipynb`` (the notebooks
   write their figures into ``figures/``);
3. stitches the executed chapters into ``report.html`` and writes ``run.json``.

Everything is built in a hidden sibling folder ``<out>/.<scope>.tmp-…/<scope>/`` and swapped in
only when every chapter succeeded, so a failed run never leaves a good report half-overwritten: the failed
build is moved to ``<out>/<scope>.failed/`` (with the failing notebook and its error cell) and the
previous ``<out>/<scope>/`` stays as it was. Exit status: 0 all scopes built, 1 a chapter failed.

Parameters the chapter notebooks receive (papermill ``parameters`` cell):
``data_dir`` (absolute path of the raw extracts), ``output_dir`` (absolute path of an outputs
ROOT, the same meaning as ``--output-dir``: a chapter writes its figures to
``<output_dir>/<scope>/figures/`` with ``scope = "oslo"`` or ``bydeler.slug(bydel)``, and
``<output_dir>/<scope>/tables/`` already holds ``indicators.csv`` and ``scorecard.csv`` when the
chapter runs; during a build the root is the hidden temporary folder), ``period_from``,
``period_to`` (int or None), ``bydel`` (official name, None for all of Oslo), ``suppress_below``
(0 for an internal build), and ``internal`` (bool; passed only to notebooks that declare it).
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import nbformat
import pandas as pd

from prioslo import bydeler, paths
from prioslo.chapters import CHAPTERS, NOTEBOOK_PARAMETERS, Chapter
from prioslo.errors import PriosloError
from prioslo.provenance import iso_time, now, provenance, write_run_json
from prioslo.stitch import INTERNAL_STAMP, REPORT_TITLE, stitch

log = logging.getLogger(__name__)

OSLO_SCOPE = "oslo"
KERNEL_NAME = "python3"
SAMPLE_DATA_STATUS = "syntetiske eksempeldata"
REAL_DATA_STATUS = "reelle data"
SAMPLE_DATA_NOTE = ("Rapporten er bygget på eksempeldataene som følger med prioslo. Registeruttrekkene "
                    "er syntetiske og beskriver ingen virkelige personer; tallene er derfor ikke "
                    "Oslo kommunes resultater.")


# --------------------------------------------------------------------------- data and tables

def load_data(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Prepare the raw extracts once and return the processed tables (name -> frame).

    ``prepare`` runs explicitly (rather than only through ``load_tables``' up-to-date check) so
    that every build log, e.g. a yearly cron run, shows how many rows were read, kept and
    rejected.
    """
    from prioslo.prepare import load_tables, prepare

    result = prepare(data_dir)
    summary = getattr(result, "summary", None)
    if callable(summary):
        log.info("%s", summary())
    return load_tables(data_dir)


def scope_tables(tables: dict[str, pd.DataFrame], bydel: str | None, period_from: int | None,
                 period_to: int | None, suppress_below: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(indicators, scorecard)`` of one scope, disclosure control applied."""
    from prioslo.pipeline import scope_indicators
    from prioslo.scorecard import compute_scorecard

    indicators = scope_indicators(tables, period_from, period_to, suppress_below, bydel=bydel)
    return indicators, compute_scorecard(indicators, bydel=bydel)


def write_tables(indicators: pd.DataFrame, scorecard: pd.DataFrame, tables_dir: Path) -> None:
    """Write ``indicators.csv`` (with the pipeline's writer) and ``scorecard.csv``."""
    from prioslo.pipeline import write_indicators_csv

    tables_dir.mkdir(parents=True, exist_ok=True)
    write_indicators_csv(indicators, tables_dir / "indicators.csv")
    scorecard.to_csv(tables_dir / "scorecard.csv", index=False, encoding="utf-8", lineterminator="\n")


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
    name = bydeler.from_slug(str(bydel).strip())
    if name is None:
        raise PriosloError(f"unknown bydel '{bydel}'; valid names: {', '.join(bydeler.BYDELER)}")
    return [name]


def data_status(data_dir: Path) -> str:
    """«syntetiske eksempeldata» for the shipped sample (``data/raw``), else «reelle data»."""
    return SAMPLE_DATA_STATUS if Path(data_dir).resolve() == paths.RAW_DIR.resolve() else REAL_DATA_STATUS


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

    Kept a top-level function of picklable arguments so a build can map it over a process pool.

    Parameters
    ----------
    slug : str
        Chapter slug (for messages).
    notebook : Path
        The chapter notebook to execute.
    output : Path
        Where the executed notebook goes; on failure it holds the error cell (papermill writes
        it after every cell).
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
    try:
        papermill.execute_notebook(str(notebook), str(output), parameters=params, kernel_name=kernel_name,
                                   language="python", progress_bar=False, log_output=False, cwd=str(cwd),
                                   config=_kernel_config())
    except Exception as exc:  # a failing cell, a dead kernel: reported, never a traceback
        error = describe_failure(exc)
    return ChapterResult(slug=slug, output=output, seconds=time.perf_counter() - start, error=error)


# --------------------------------------------------------------------------- folders

def _finish_notebook(notebook: Path, moves: Sequence[tuple[Path, Path]], internal: bool) -> None:
    """Rewrite each ``(old, new)`` path in every string of an executed notebook; stamp internal ones.

    The chapters ran with the temporary build folder as ``output_dir``; after the swap the
    notebook should name the folder it lives in, and two builds should not differ by a random
    folder name. An internal build's notebooks get the stamp as their first cell (tagged
    ``remove-cell``, so the report, which has its own banners, leaves it out).
    """
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


# --------------------------------------------------------------------------- one scope

@dataclass
class BuildSettings:
    """Everything a scope build needs besides the scope (picklable, for a later process pool)."""

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

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.chapters)


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


def _internal_readme(scope_label: str) -> str:
    return (f"{INTERNAL_STAMP}\n\n"
            f"Denne mappen ({scope_label}) er bygget med --internal: små antall er IKKE prikket.\n"
            "Tabellene, figurene, notatbøkene og rapporten skal ikke publiseres eller deles utenfor\n"
            "virksomheten. Se run.json for parametere og inndatafiler.\n")


def build_scope(tables: dict[str, pd.DataFrame], bydel: str | None, settings: BuildSettings) -> ScopeResult:
    """Build one scope in a temporary folder and swap it in only if every chapter succeeded.

    Returns
    -------
    ScopeResult
        On failure the build is kept in ``<out>/<scope>.failed/`` and ``<out>/<scope>/`` is not
        touched; the failures are logged (chapter, cell, exception).
    """
    scope = scope_slug(bydel)
    name = scope_name(bydel)
    out = settings.output_dir
    final, failed = out / scope, out / f"{scope}.failed"
    started = now()
    work = Path(tempfile.mkdtemp(prefix=f".{scope}.tmp-", dir=out))
    tmp = work / scope
    try:
        for sub in ("tables", "figures", "notebooks"):
            (tmp / sub).mkdir(parents=True)
        indicators, scorecard = scope_tables(tables, bydel, settings.period_from, settings.period_to,
                                             settings.suppress_below)
        write_tables(indicators, scorecard, tmp / "tables")
        period = period_label(indicators, settings.period_from, settings.period_to)

        values = {
            "data_dir": str(settings.data_dir),
            "output_dir": str(work),
            "period_from": settings.period_from,
            "period_to": settings.period_to,
            "bydel": bydel,
            "suppress_below": settings.suppress_below,
            "internal": settings.internal,
        }
        nb_params = {key: values[key] for key in (*NOTEBOOK_PARAMETERS, "internal")}
        results: list[ChapterResult] = []
        total = len(settings.chapters)
        log.info("%s: running %d chapters", scope, total)
        for i, chapter in enumerate(settings.chapters, start=1):
            result = execute_chapter(chapter.slug, settings.notebooks_dir / f"{chapter.slug}.ipynb",
                                     tmp / "notebooks" / f"{chapter.slug}.ipynb", nb_params,
                                     settings.notebooks_dir, settings.kernel_name)
            status = "ok" if result.ok else "FAILED"
            log.info("%s: chapter %d/%d %s %s (%.1f s)", scope, i, total, chapter.slug, status, result.seconds)
            results.append(result)

        slugs = [c.slug for c in settings.chapters]
        ok = all(r.ok for r in results)
        target = final if ok else failed
        for r in results:
            _finish_notebook(r.output, [(tmp, target), (work, out)], settings.internal)
        run_params = _run_parameters(settings, bydel, scope)
        record = provenance(run_params, settings.data_dir, started, now(), chapters=slugs)
        record["status"] = "ok" if ok else "failed"
        record["internal"] = settings.internal
        if ok:
            meta = {
                "scope_name": name,
                "period": period,
                "data_status": data_status(settings.data_dir),
                "data_note": SAMPLE_DATA_NOTE if data_status(settings.data_dir) == SAMPLE_DATA_STATUS else None,
                "internal": settings.internal,
                "build_date": settings.build_date,
                "provenance": record,
                "report_title": REPORT_TITLE,
            }
            stitch([r.output for r in results], [c.title for c in settings.chapters], tmp / "report.html", meta)
        else:
            record["failures"] = {r.slug: r.error for r in results if not r.ok}
        record["finished"] = iso_time(now())
        write_run_json(record, tmp / "run.json")
        if settings.internal:
            (tmp / "README.txt").write_text(_internal_readme(name), encoding="utf-8")
        if ok:
            _swap_in(tmp, final)
            if failed.exists():
                shutil.rmtree(failed)  # a stale failure would only confuse
            log.info("%s: wrote %s", scope, final / "report.html")
        else:
            _keep_failed(tmp, failed)
            for r, chapter in zip(results, settings.chapters):
                if not r.ok:
                    log.error("%s: chapter '%s' («%s») failed at %s; the failed notebook is kept at %s",
                              scope, chapter.slug, chapter.title, r.error,
                              failed / "notebooks" / f"{chapter.slug}.ipynb")
            if final.exists():
                log.error("%s: the previous report in %s was left unchanged", scope, final)
        return ScopeResult(scope=scope, name=name, folder=target, chapters=results, period=period)
    finally:
        # after the swap only the empty work folder is left; after an unexpected error, the
        # half-built scope: neither stays behind
        shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------- index

def write_index(output_dir: Path, results: Sequence[ScopeResult], *, period: str, status: str,
                internal: bool = False, build_date: date | None = None) -> Path:
    """Write ``<out>/index.html``: a self-contained Norwegian page linking every scope's report.

    A scope whose build failed still links to its previous report when there is one, marked as
    such; without one it is listed without a link.
    """
    from babel.dates import format_date
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from prioslo.stitch import TEMPLATES_DIR

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
    jobs, force : optional
        Accepted for the command line; chapters currently run one after the other and always.
    notebooks_dir : path, optional
        Folder with the chapter notebooks (default ``notebooks/``).
    chapters : sequence of Chapter, optional
        The chapters to run (default :data:`~prioslo.chapters.CHAPTERS`).

    Returns
    -------
    int
        0 when every scope was built, 1 when a chapter failed in any scope.

    Raises
    ------
    PriosloError
        Unknown bydel, bad period or threshold, missing notebooks, unreadable input.
    """
    scopes = resolve_scopes(bydel, all_bydeler)
    if period_from is not None and period_to is not None and period_from > period_to:
        raise PriosloError(f"--from {period_from} is after --to {period_to}")
    if suppress_below is None or suppress_below < 0:
        raise PriosloError(f"--suppress-below must be 0 or more, not {suppress_below}")
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
        log.warning("internal build: no disclosure control; outputs are stamped «%s»", INTERNAL_STAMP)
    if jobs not in (None, 1):
        log.info("--jobs %s: chapters still run one at a time", jobs)
    if force:
        log.debug("--force: every chapter is executed anyway")

    settings = BuildSettings(data_dir=data_dir, output_dir=output_dir, notebooks_dir=notebooks_dir,
                             chapters=chapters, period_from=period_from, period_to=period_to,
                             suppress_below=suppress_below, internal=internal,
                             kernel_name=resolve_kernel())
    output_dir.mkdir(parents=True, exist_ok=True)
    tables = load_data(data_dir)
    log.info("building %d report(s) of %d chapters into %s", len(scopes), len(chapters), output_dir)
    results = [build_scope(tables, scope, settings) for scope in scopes]
    if all_bydeler:
        period = next((r.period for r in results if r.period != "–"), "–")
        index = write_index(output_dir, results, period=period, status=data_status(data_dir),
                            internal=internal, build_date=settings.build_date)
        log.info("wrote %s", index)
    failed = [r.scope for r in results if not r.ok]
    if failed:
        log.error("build failed for: %s", ", ".join(failed))
        return 1
    return 0
