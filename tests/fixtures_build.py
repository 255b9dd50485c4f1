"""Shared, session-scoped fixtures for the tests that need prepared data or a full build.

Import the fixtures you use into a test module (``from fixtures_build import oslo_build``); pytest
then shares one instance per session, so the expensive builds run once however many modules use
them. Everything is built from a private copy of the shipped sample in a temporary folder: no
test writes ``data/processed`` or ``outputs`` of the working tree.
"""

from __future__ import annotations

import json

import shutil
from pathlib import Path

import pytest

from prioslo import paths
from prioslo.cli import main

SAMPLE_BYDEL = "Gamle Oslo"
"""The bydel whose report the bydel-scope tests build (the sample's largest bydel)."""


def copy_sample(target: Path) -> Path:
    """Copy the shipped sample extracts (and the published reference) to ``target``; return it.

    ``processed/`` is left out so the copy is prepared from scratch.
    """
    shutil.copytree(paths.RAW_DIR, target, ignore=shutil.ignore_patterns("processed", ".*"))
    return target


def run_cli(*args: str | Path) -> int:
    """Run the ``prioslo`` command line in-process; return its exit status."""
    return main([str(a) for a in args])


def snapshot(folder: Path, target: Path) -> Path:
    """Copy a finished output folder aside (a later build into the same place replaces it)."""
    shutil.copytree(folder, target)
    return target


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    """A private copy of the shipped sample data dir (raw extracts only)."""
    return copy_sample(tmp_path_factory.mktemp("sample") / "raw")


@pytest.fixture(scope="session")
def build_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("builds")


@pytest.fixture(scope="session")
def oslo_build(sample_dir, build_root) -> Path:
    """``prioslo build`` of the Oslo scope on the sample (default threshold); the ``oslo`` folder."""
    out = build_root / "default"
    assert run_cli("build", "--data-dir", sample_dir, "--output-dir", out) == 0
    return out / "oslo"


@pytest.fixture(scope="session")
def oslo_build_again(oslo_build, sample_dir, build_root) -> tuple[Path, Path]:
    """The Oslo build, then the same build again into the same place: ``(first, second)``.

    The first result is snapshotted aside before the second build replaces it, so both runs see
    exactly the same paths and inputs. ``--force`` makes the second build execute every chapter
    again (otherwise the incremental build reuses them and the comparison proves nothing).
    """
    first = snapshot(oslo_build, build_root / "first-oslo")
    assert run_cli("build", "--data-dir", sample_dir, "--output-dir", oslo_build.parent, "--force") == 0
    record = json.loads((oslo_build / "run.json").read_text(encoding="utf-8"))
    assert record["reused"] == [] and record["executed"], "the second build must execute its chapters"
    return first, oslo_build


@pytest.fixture(scope="session")
def bydel_build(sample_dir, build_root) -> Path:
    """``prioslo build --bydel`` of :data:`SAMPLE_BYDEL` on the sample (default threshold)."""
    from prioslo.bydeler import slug

    out = build_root / "bydel"
    assert run_cli("build", "--data-dir", sample_dir, "--output-dir", out, "--bydel", SAMPLE_BYDEL) == 0
    return out / slug(SAMPLE_BYDEL)


@pytest.fixture(scope="session")
def internal_build(sample_dir, build_root) -> Path:
    """``prioslo build --internal --bydel`` of :data:`SAMPLE_BYDEL` (no suppression, stamped)."""
    from prioslo.bydeler import slug

    out = build_root / "internal"
    assert run_cli("build", "--data-dir", sample_dir, "--output-dir", out, "--bydel", SAMPLE_BYDEL,
                   "--internal") == 0
    return out / slug(SAMPLE_BYDEL)


# --------------------------------------------------------------------------------------------
# notebook outputs as nbval compares them

SANITIZE_CFG = Path(__file__).resolve().parent / "nbval_sanitize.cfg"

#: Output keys nbval leaves out of its comparison (nbval 0.11 ``IPyNbFile.skip_compare`` without
#: ``--nbdime``): images are compared by nothing but their presence.
NBVAL_SKIP = frozenset({"metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
                        "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg"})


def sanitize_patterns(cfg: Path = SANITIZE_CFG) -> list[tuple[str, str]]:
    """The (regex, replacement) pairs of the sanitize file, read exactly as nbval reads them."""
    from nbval.plugin import get_sanitize_patterns

    return get_sanitize_patterns(cfg.read_text(encoding="utf-8"))


def sanitize(text: str, patterns: list[tuple[str, str]] | None = None) -> str:
    """Apply the sanitize patterns in order, as nbval does."""
    import re

    for regex, replace in sanitize_patterns() if patterns is None else patterns:
        text = re.sub(regex, replace, text)
    return text


def nbval_view(notebook: Path) -> list[tuple[int, str, object]]:
    """Return what nbval compares of a notebook: ``(code cell number, key, sanitised value)``.

    Streams are keyed by their name (``stdout``/``stderr``), rich outputs by MIME type; the keys
    nbval skips (:data:`NBVAL_SKIP`) are left out.
    """
    import nbformat

    patterns = sanitize_patterns()
    nb = nbformat.read(notebook, as_version=4)
    view = []
    code_cells = (c for c in nb.cells if c.cell_type == "code")
    for number, cell in enumerate(code_cells, start=1):
        for out in cell.get("outputs", []):
            items = ([(out["name"], out.get("text", ""))] if out.get("output_type") == "stream"
                     else [(k, v) for k, v in out.items() if k != "data"] + list(out.get("data", {}).items()))
            for key, value in items:
                if key in NBVAL_SKIP:
                    continue
                if isinstance(value, list):
                    value = "".join(value)
                view.append((number, key, sanitize(value, patterns) if isinstance(value, str) else value))
    return view
