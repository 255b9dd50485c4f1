"""Regression baselines: the chapter notebooks, executed on the shipped sample, committed with outputs.

``make test`` runs ``pytest --nbval`` on ``notebooks/<chapter>.ipynb``: nbval re-executes each
notebook and compares every cell's output with the output stored in the file (after the
sanitisation in ``tests/nbval_sanitize.cfg``, which masks only times, paths, memory addresses
and figure reprs). So the stored outputs ARE the expected results, and any change in a computed
number fails the test until the baselines are refreshed on purpose.

:func:`refresh_baselines` (``make baselines``, or ``python -m prioslo.baselines``) re-executes every
chapter in place with papermill and its DEFAULT parameters — the shipped synthetic sample, all of
Oslo, every year, the default threshold — exactly what nbval will run. Refresh after a deliberate
change of a definition, a chapter or the sample, review the diff of the outputs, and commit it.
Never refresh with real data: the parameters cell is not touched (no parameters are injected), so
the notebooks always read the sample.

Volatile metadata papermill and nbclient add (run times, absolute input/output paths, per-cell
timings) is removed, so that a refresh that changes no output changes no byte of the notebook.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import nbformat

from prioslo import paths
from prioslo.chapters import CHAPTERS, Chapter
from prioslo.errors import PriosloError

log = logging.getLogger(__name__)

KEPT_PAPERMILL_METADATA = ("default_parameters", "parameters")
"""Notebook-level papermill metadata kept in a baseline: the parameters show that it was executed
with the defaults (empty ``parameters``); everything else papermill records is run-specific."""

VOLATILE_CELL_METADATA = ("papermill", "execution")
"""Cell metadata removed from a baseline: papermill's and nbclient's timings and status."""


def baseline_paths(chapters: Sequence[Chapter] = CHAPTERS, notebooks_dir: Path | None = None) -> list[Path]:
    """Return the chapter notebooks that are kept as baselines, in report order."""
    folder = Path(notebooks_dir) if notebooks_dir is not None else paths.NOTEBOOKS_DIR
    return [folder / f"{c.slug}.ipynb" for c in chapters]


def strip_volatile_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` without run times, absolute paths and per-cell timings.

    Outputs are not touched: they are the baseline.
    """
    nb = nbformat.from_dict(nb)  # deep copy
    pm = nb.metadata.get("papermill")
    if pm is not None:
        nb.metadata["papermill"] = {k: pm[k] for k in KEPT_PAPERMILL_METADATA if k in pm}
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
    return nb


def refresh_baseline(notebook: Path, kernel_name: str | None = None) -> Path:
    """Execute one chapter notebook in place with its default parameters; return its path.

    The notebook is executed into a temporary file beside it and only replaces the committed one
    when every cell succeeded, so a failing chapter never destroys the previous baseline.

    Raises
    ------
    PriosloError
        When the notebook is missing or a cell fails (the message names the cell).
    """
    from prioslo.build import KERNEL_NAME, execute_chapter, resolve_kernel

    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise PriosloError(f"baseline notebook not found: {notebook}")
    kernel = kernel_name or resolve_kernel(KERNEL_NAME)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{notebook.stem}.", suffix=".ipynb", dir=notebook.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        result = execute_chapter(notebook.stem, notebook, tmp, parameters={}, cwd=notebook.parent,
                                 kernel_name=kernel)
        if not result.ok:
            raise PriosloError(f"{notebook.name}: {result.error}; the previous baseline is kept")
        executed = strip_volatile_metadata(nbformat.read(tmp, as_version=4))
        nbformat.write(executed, tmp)
        tmp.chmod(notebook.stat().st_mode & 0o777 | 0o644)  # mkstemp makes 0600; keep it readable
        os.replace(tmp, notebook)
    finally:
        if tmp.exists():
            tmp.unlink()
    log.info("refreshed %s (%.0f s)", notebook.name, result.seconds)
    return notebook


def refresh_baselines(chapters: Sequence[Chapter] = CHAPTERS, notebooks_dir: Path | None = None,
                      kernel_name: str | None = None) -> list[Path]:
    """Re-execute every chapter notebook in place on the shipped sample (``make baselines``).

    Parameters
    ----------
    chapters : sequence of Chapter
        Default: every chapter of :data:`prioslo.chapters.CHAPTERS`.
    notebooks_dir : Path, optional
        Default :data:`prioslo.paths.NOTEBOOKS_DIR`.
    kernel_name : str, optional
        Jupyter kernel (default: the build's kernel, checked to be this interpreter's).

    Returns
    -------
    list of Path
        The refreshed notebooks.

    Raises
    ------
    PriosloError
        At the first chapter that fails; the chapters refreshed before it stay refreshed and the
        failing one keeps its previous baseline.
    """
    done = []
    for notebook in baseline_paths(chapters, notebooks_dir):
        done.append(refresh_baseline(notebook, kernel_name))
    return done


def main(argv: list[str] | None = None) -> int:
    """``python -m prioslo.baselines [--list]``: refresh the baselines, or list their paths."""
    parser = argparse.ArgumentParser(prog="python -m prioslo.baselines",
                                     description="Re-execute the chapter notebooks in place on the sample.")
    parser.add_argument("--list", action="store_true", help="only print the baseline notebooks' paths")
    args = parser.parse_args(argv)
    if args.list:
        print(" ".join(str(p.relative_to(paths.PROJECT_ROOT)) for p in baseline_paths()))
        return 0
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        for path in refresh_baselines():
            print(f"Refreshed {path.relative_to(paths.PROJECT_ROOT)}")
    except PriosloError as exc:
        print(f"prioslo: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
