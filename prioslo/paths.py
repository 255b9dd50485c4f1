"""Every path the project uses, anchored on this file, never on the working directory.

A user's clone can be run from anywhere (a scheduler, a notebook in ``notebooks/``, the test
suite), so no module may build a path relative to the current directory.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR: Path = Path(__file__).resolve().parent
"""The ``prioslo`` package folder."""

PROJECT_ROOT: Path = PACKAGE_DIR.parent
"""The repository root (holds ``pyproject.toml``)."""

CONFIG_DIR: Path = PACKAGE_DIR / "config"
"""Configuration shipped with the package (targets and traffic-light rules)."""

DATA_DIR: Path = PROJECT_ROOT / "data"
RAW_DIR: Path = DATA_DIR / "raw"
"""Default ``--data-dir``: the shipped sample extracts (synthetic record-level data and real
published aggregates)."""

PUBLISHED_DIR: Path = RAW_DIR / "published"
"""Reference numbers transcribed from the final report, used only to reconcile and test."""

PROCESSED_DIR: Path = DATA_DIR / "processed"
"""Cleaned, pseudonymised Parquet tables written by ``prioslo prepare``."""

REJECTED_DIR: Path = PROCESSED_DIR / "rejected"
"""Every rejected input row with its reason."""

OUTPUTS_DIR: Path = PROJECT_ROOT / "outputs"
"""Default ``--output-dir``."""

NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"
"""The chapter notebooks."""


def processed_dir_for(data_dir: Path | str | None) -> Path:
    """Return where the processed tables of ``data_dir`` live.

    The shipped sample (the default data dir) is prepared into ``data/processed``; any other data
    dir gets a ``processed`` folder beside its extracts (``<data-dir>/processed``), so that two
    data sets never overwrite each other's processed tables.
    """
    if data_dir is None or Path(data_dir).resolve() == RAW_DIR:
        return PROCESSED_DIR
    return Path(data_dir).resolve() / "processed"
