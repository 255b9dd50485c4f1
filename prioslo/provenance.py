"""Provenance of a build: what was run, on which inputs, with which software (``run.json``).

A published figure must be traceable to the exact extracts and code that made it: when a number
is questioned a year later, ``run.json`` beside the report says which files (by SHA-256), which
parameters, which package versions and which git commit produced it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import subprocess
from collections.abc import Iterable
from datetime import datetime
from importlib import metadata
from pathlib import Path

from prioslo import paths

log = logging.getLogger(__name__)

KEY_PACKAGES: tuple[str, ...] = (
    "pandas", "numpy", "pyarrow", "matplotlib", "seaborn", "openpyxl", "python-stdnum", "babel",
    "papermill", "nbconvert", "nbformat", "nbclient", "ipykernel",
)
"""Distributions whose versions can change a number or the look of the report."""

_HASH_CHUNK = 1 << 20


def package_versions(names: Iterable[str] = KEY_PACKAGES) -> dict[str, str | None]:
    """Return the installed version of each distribution (``None`` when it is not installed).

    Parameters
    ----------
    names : iterable of str
        Distribution names as pip knows them (``python-stdnum``, not ``stdnum``).
    """
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def prioslo_version() -> str | None:
    """Return the installed prioslo version (package metadata first, then ``prioslo.__version__``).

    The metadata is read first because an editable install can import ``prioslo`` as a namespace
    package (without running ``__init__``) when the working directory is not the project root.
    """
    try:
        return metadata.version("prioslo")
    except metadata.PackageNotFoundError:
        import prioslo

        return getattr(prioslo, "__version__", None)


def git_commit(root: Path | str | None = None) -> str | None:
    """Return the commit checked out in ``root`` (default: the project root), or ``None``.

    ``None`` when ``root`` is not the top of a git checkout (an installed copy, an unpacked
    archive) or git is not installed: provenance must never stop a build.
    """
    root = Path(root if root is not None else paths.PROJECT_ROOT).resolve()
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True,
                             text=True, check=True, timeout=30).stdout.strip()
        if not top or Path(top).resolve() != root:
            return None  # root sits inside some other repository: its commit says nothing about us
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True, timeout=30).stdout.strip() or None
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("no git commit for %s: %s", root, exc)
        return None


def git_dirty(root: Path | str | None = None) -> bool | None:
    """Return whether the checkout in ``root`` has uncommitted changes (``None`` when unknown).

    A commit hash alone does not identify the code when tracked files were edited after it.
    """
    root = Path(root if root is not None else paths.PROJECT_ROOT).resolve()
    if git_commit(root) is None:
        return None
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                             capture_output=True, text=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(out.strip())


def sha256_file(path: Path | str) -> str:
    """Return the hex SHA-256 digest of a file, read in chunks (extracts can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def input_hashes(data_dir: Path | str) -> dict[str, str]:
    """Return ``{file name: sha256}`` for every file directly in ``data_dir``.

    Only the top level holds extracts; sub-folders (``published/``, ``processed/``) and hidden
    files (``.gitkeep``, editor lock files) are not inputs of the computation and are left out.
    A missing folder gives an empty mapping.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return {}
    return {p.name: sha256_file(p) for p in sorted(data_dir.iterdir())
            if p.is_file() and not p.name.startswith(".")}


def iso_time(moment: datetime) -> str:
    """Return ``moment`` as ISO 8601 with its UTC offset; a naive time is taken as local time."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.isoformat(timespec="seconds")


def now() -> datetime:
    """Return the current local time, timezone-aware (what :func:`provenance` expects)."""
    return datetime.now().astimezone()


def provenance(params: dict, data_dir: Path | str, started: datetime, finished: datetime,
               chapters: Iterable[str] = ()) -> dict:
    """Return the provenance record of one build of one scope (the content of ``run.json``).

    Parameters
    ----------
    params : dict
        The build parameters (period, bydel, suppression threshold, paths ...); must be
        JSON-serialisable apart from :class:`~pathlib.Path` values, which become strings.
    data_dir : path
        The folder with the raw extracts; every file directly in it is hashed.
    started, finished : datetime
        Start and end of the build (naive values are taken as local time).
    chapters : iterable of str
        Slugs of the chapters executed, in report order.

    Returns
    -------
    dict
        Keys ``parameters``, ``prioslo_version``, ``python_version``, ``packages``,
        ``git_commit``, ``git_dirty``, ``inputs`` (file name -> sha256), ``data_dir``,
        ``started``, ``finished`` (ISO 8601 with offset), ``chapters``.
    """
    return {
        "parameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in params.items()},
        "prioslo_version": prioslo_version(),
        "python_version": platform.python_version(),
        "packages": package_versions(),
        "git_commit": git_commit(),
        "git_dirty": git_dirty(),
        "data_dir": str(Path(data_dir).resolve()),
        "inputs": input_hashes(data_dir),
        "started": iso_time(started),
        "finished": iso_time(finished),
        "chapters": list(chapters),
    }


def write_run_json(record: dict, path: Path | str) -> Path:
    """Write a provenance record as UTF-8 JSON with sorted keys (stable, diff-friendly)."""
    path = Path(path)
    path.write_text(json.dumps(record, sort_keys=True, indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path
