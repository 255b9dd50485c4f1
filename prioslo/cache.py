"""Content hashes for incremental builds: what a chapter's output depends on, and whether it changed.

An executed chapter (its notebook and the figures it wrote) is a function of

* its notebook file,
* its parameters (data and output folder, period, bydel, threshold, internal),
* the input data: every extract in the data folder and the published reference the scorecard reads,
* the prioslo library: every file of the package (code, configuration, templates),
* the software it ran with: Python, the versions of the key packages, the Jupyter kernel.

:func:`chapter_key` hashes all of these into one key that ``run.json`` records per chapter. The
next build computes the key again: an equal key means the previous output can be reused as it
is, any difference means the chapter is executed again. Only contents are hashed, never
timestamps: copying a folder or touching a file changes a timestamp without changing anything,
and two edits within the same second may leave it unchanged.

The module imports the standard library only, so a rebuild that finds nothing to do returns
without importing pandas or Jupyter. The one exception is the hand-over of a scope's computed
indicators to its chapter kernels (:func:`write_scope_indicators`, :func:`read_scope_indicators`),
which imports pyarrow when it is called.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from prioslo import paths
from prioslo.provenance import input_hashes, package_versions, sha256_file

log = logging.getLogger(__name__)

RECORD = "incremental"
"""Key of the incremental-build record in ``run.json``."""

_SKIPPED_DIRS = frozenset({"__pycache__"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo")


def digest(value: object) -> str:
    """Return the SHA-256 of ``value`` written as canonical JSON (sorted keys, no spaces).

    Paths and other non-JSON values are written as their text, so equal parameters always give
    the same digest whatever order a dict was built in.
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tree_hashes(root: Path | str) -> dict[str, str]:
    """Return ``{relative posix path: sha256}`` of every file under ``root``.

    ``__pycache__`` folders, compiled files and hidden files are left out: they change when
    Python runs, not when the code does. A missing folder gives an empty mapping.
    """
    root = Path(root)
    if not root.is_dir():
        return {}
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in _SKIPPED_DIRS or part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and not path.name.endswith(_SKIPPED_SUFFIXES):
            out[rel.as_posix()] = sha256_file(path)
    return out


def code_hash(package_dir: Path | str | None = None) -> str:
    """Return one hash of every source, configuration and template file of the prioslo package.

    Coarse on purpose: any change to the library (a definition, a plot style, a target in the
    configuration, the report template) may change any chapter, so it re-executes all of them.
    """
    return digest(tree_hashes(package_dir if package_dir is not None else paths.PACKAGE_DIR))


def data_hashes(data_dir: Path | str) -> dict[str, str]:
    """Return the content hashes of everything a chapter reads as data.

    The extracts directly in ``data_dir`` (the files ``prepare`` reads and ``run.json`` lists) and
    the published reference in :data:`prioslo.paths.PUBLISHED_DIR`, which the scorecard compares
    with (prefixed ``published/``).
    """
    hashes = dict(input_hashes(data_dir))
    for rel, sha in tree_hashes(paths.PUBLISHED_DIR).items():
        hashes[f"published/{rel}"] = sha
    return hashes


def environment(kernel_name: str) -> dict:
    """The software a chapter runs with: Python version, key package versions, kernel name."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "packages": package_versions(),
        "kernel": kernel_name,
    }


@dataclass(frozen=True)
class Fingerprint:
    """The build-wide part of every chapter key, computed once per build."""

    code: str
    """:func:`code_hash` of the package."""
    data: str
    """Digest of :func:`data_hashes`."""
    environment: str
    """Digest of :func:`environment`."""


def fingerprint(data_dir: Path | str, kernel_name: str, package_dir: Path | str | None = None) -> Fingerprint:
    """Hash the library, the data and the environment once for a whole build."""
    return Fingerprint(code=code_hash(package_dir), data=digest(data_hashes(data_dir)),
                       environment=digest(environment(kernel_name)))


def chapter_key(fp: Fingerprint, slug: str, notebook: Path | str, parameters: Mapping, cwd: Path | str) -> str:
    """Return the key of one chapter execution: equal keys mean an equal result.

    Parameters
    ----------
    fp : Fingerprint
        Library, data and environment of the build.
    slug : str
        The chapter.
    notebook : path
        The chapter notebook (its bytes are hashed).
    parameters : mapping
        The parameters the notebook receives, with the FINAL output folder (not the temporary
        one a build writes into), so that two builds into the same place agree.
    cwd : path
        The kernel's working directory.
    """
    return digest({"chapter": slug, "notebook": sha256_file(notebook), "parameters": dict(parameters),
                   "cwd": str(cwd), "code": fp.code, "data": fp.data, "environment": fp.environment})


def report_key(chapter_keys: Sequence[tuple[str, str, str]], settings: Mapping) -> str:
    """Return the key of a stitched report: its chapters (slug, title, key) in order and its settings."""
    return digest({"chapters": [list(c) for c in chapter_keys], "settings": dict(settings)})


# --------------------------------------------------------------------------- the record in run.json

def read_record(scope_dir: Path | str) -> dict | None:
    """Return the incremental record of the previous good build in ``scope_dir`` (None when none).

    None when there is no ``run.json``, it cannot be read, the build failed, or it predates
    incremental builds: then nothing is reused.
    """
    path = Path(scope_dir) / "run.json"
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    record = run.get(RECORD) if isinstance(run, dict) else None
    if run.get("status") != "ok" or not isinstance(record, dict) or not isinstance(record.get("chapters"), dict):
        return None
    return record


def chapter_files(record: Mapping | None, slug: str) -> list[str]:
    """Files (relative to the scope folder) a chapter produced in the recorded build."""
    entry = (record or {}).get("chapters", {}).get(slug) or {}
    return [str(f) for f in entry.get("files", [])]


def reusable(record: Mapping | None, keys: Mapping[str, str], scope_dir: Path | str) -> set[str]:
    """Return the chapters whose recorded key equals ``keys[slug]`` and whose files still exist.

    A chapter's files are its executed notebook and everything it wrote into the scope folder
    (figures); one missing file (deleted by hand) makes the chapter run again.
    """
    if not record:
        return set()
    scope_dir = Path(scope_dir)
    out = set()
    for slug, key in keys.items():
        entry = record.get("chapters", {}).get(slug)
        if not isinstance(entry, dict) or entry.get("key") != key:
            continue
        files = chapter_files(record, slug)
        if files and all((scope_dir / f).is_file() for f in files):
            out.add(slug)
    return out


def make_record(report: str, chapters: Mapping[str, Mapping], period: str) -> dict:
    """The incremental record written into ``run.json``: report key, per-chapter key, files, seconds."""
    return {"report_key": report, "period": period,
            "chapters": {slug: {"key": c["key"], "files": sorted(c["files"]), "seconds": round(float(c["seconds"]), 2)}
                         for slug, c in chapters.items()}}


# --------------------------------------------------------------------------- indicators handed to the chapters

def scope_indicators_path(output_dir: Path | str, scope: str) -> Path:
    """Where a build leaves the computed indicators of ``scope`` for its chapter kernels.

    A hidden file directly in the chapter's output root, beside (not inside) ``<scope>/``: it is
    never moved into the published scope folder and disappears with the build's temporary folder.
    """
    return Path(output_dir) / f".prioslo-{scope}-indicators.parquet"


def scope_indicators_key(data_dir: Path | str | None, period_from: int | None, period_to: int | None,
                         suppress_below: int, bydel: str | None) -> dict:
    """The options a scope's indicators were computed with (``data_dir`` None = the shipped sample)."""
    return {"data_dir": str(Path(data_dir if data_dir is not None else paths.RAW_DIR).resolve()),
            "period_from": None if period_from is None else int(period_from),
            "period_to": None if period_to is None else int(period_to),
            "suppress_below": int(suppress_below), "bydel": bydel}


def write_scope_indicators(indicators, path: Path | str, key: Mapping, warnings: Iterable[str] = ()) -> Path:
    """Write a scope's disclosure-controlled indicators (Parquet) with the options they were computed for.

    Why: every chapter of a scope needs the same indicators; computing them once in the build and
    handing them over saves each chapter kernel from re-preparing the data and recomputing every
    indicator (seconds on real extracts). ``key`` (data folder, period, threshold, bydel) is stored
    in the file, so :func:`read_scope_indicators` only accepts it for the same options.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(indicators, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"prioslo"] = json.dumps({"key": dict(key), "warnings": list(warnings)}, sort_keys=True,
                                  default=str).encode("utf-8")
    path = Path(path)
    pq.write_table(table.replace_schema_metadata(meta), path)
    return path


def read_scope_indicators(path: Path | str, key: Mapping):
    """Return ``(indicators, warnings)`` handed over by the build, or None.

    None when there is no such file or it was written for other options than ``key`` (a
    notebook run on its own, or with other parameters, computes its indicators itself).
    """
    path = Path(path)
    if not path.is_file():
        return None
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        stored = json.loads((table.schema.metadata or {}).get(b"prioslo", b"{}"))
    except (OSError, ValueError) as exc:
        log.debug("ignoring %s: %s", path, exc)
        return None
    if stored.get("key") != json.loads(json.dumps(dict(key), default=str)):
        log.debug("ignoring %s: computed for %s, not %s", path, stored.get("key"), dict(key))
        return None
    return table.to_pandas(), tuple(stored.get("warnings", ()))
