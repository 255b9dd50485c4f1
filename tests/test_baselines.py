"""Regression baselines: the committed chapter notebooks, the nbval sanitisation, and proof that
a change of one number in the sample fails the nbval check.

``make test`` runs ``pytest --nbval`` on the committed notebooks; these tests make sure that check
means something: the sanitisation masks only what is volatile, the baselines were made on the
sample with the default parameters and hold no person data, and (slow) a one-number change in a
copy of the sample makes nbval fail while an unchanged copy passes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from fixtures_build import SANITIZE_CFG, copy_sample, nbval_view, sanitize
from prioslo import paths
from prioslo.baselines import baseline_paths, main as baselines_main, refresh_baseline, strip_volatile_metadata
from prioslo.chapters import CHAPTERS
from prioslo.leakcheck import find_leak

# --- the sanitisation masks what is volatile, and nothing else ------------------------------------


@pytest.mark.parametrize("volatile, masked", [
    ("Bygget 2024-06-01T13:45:12.123456+02:00", "Bygget TIMESTAMP"),
    ("start 2024-06-01 13:45:12", "start TIMESTAMP"),
    ("kl. 13:45:12", "kl. TIME"),
    ("Wall time: 1.23 s", "DURATION"),
    ("lest fra /home/analytiker/prioslo/data/raw/opphold.csv", "lest fra PATH"),
    ("lest fra /tmp/pytest-of-x/pytest-3/raw", "lest fra PATH"),
    (r"lest fra C:\Users\ola\prioslo\data", "lest fra PATH"),
    ("<prioslo.report.Scope object at 0x7f3a2b1c9d10>", "<prioslo.report.Scope object at 0xADDRESS>"),
    ("<Figure size 640x480 with 1 Axes>", "<Figure>"),
])
def test_sanitisation_masks_volatile_things(volatile, masked):
    assert sanitize(volatile) == masked


@pytest.mark.parametrize("stable", [
    "Gjennomsnittsskår 4,1 i 2023 (1\u00a0124 svar)",
    "11\u00a0384 kommunale utleieboliger per 1.1.2020",
    "23 % av inntakene, 784 opphold",
    "<td>3,9</td><td>:</td><td>0.232558</td>",
    "Kilde: Velferdsetaten, uttrekk 31.12.2023",
    "2015–2024, runde 2024-06",
    "Andel 12/58 personer",
    "https://www.fhi.no/statistikk/kommunehelsa/",
    '<img src="data:image/png;base64,iVBORw0KGgo+/abc/Def9+/T0x1234567ab+12:30:45x">',  # base64, not a path
])
def test_sanitisation_leaves_numbers_and_text_alone(stable):
    assert sanitize(stable) == stable


def test_sanitize_file_is_read_by_nbval():
    from nbval.plugin import get_sanitize_patterns

    assert len(get_sanitize_patterns(SANITIZE_CFG.read_text(encoding="utf-8"))) == 7


# --- the refresh keeps outputs and drops run-specific metadata ------------------------------------


def test_strip_volatile_metadata_keeps_outputs_and_parameters():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    cell.metadata["papermill"] = {"duration": 0.5, "start_time": "2024-01-01T00:00:00"}
    cell.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00"}
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["papermill"] = {"parameters": {}, "default_parameters": {}, "duration": 3.2,
                                "input_path": "/home/x/notebooks/a.ipynb", "output_path": "/home/x/a.ipynb",
                                "start_time": "2024-01-01T00:00:00", "end_time": "2024-01-01T00:00:03"}
    out = strip_volatile_metadata(nb)
    assert out.metadata["papermill"] == {"parameters": {}, "default_parameters": {}}
    assert out.cells[0].metadata == {"tags": ["parameters"]}
    assert out.cells[0].outputs == cell.outputs
    assert "duration" in nb.metadata["papermill"]  # the input is not modified


def test_list_prints_the_chapter_notebooks(capsys):
    assert baselines_main(["--list"]) == 0
    listed = capsys.readouterr().out.split()
    assert listed == [f"notebooks/{c.slug}.ipynb" for c in CHAPTERS]


# --- the committed baselines ----------------------------------------------------------------------


def test_committed_notebooks_hold_no_person_data():
    finding, scanned = find_leak([paths.NOTEBOOKS_DIR])
    assert finding is None, str(finding)
    assert scanned >= len(CHAPTERS)


@pytest.mark.parametrize("notebook", baseline_paths(), ids=lambda p: p.stem)
def test_committed_baseline_was_made_on_the_sample_with_defaults(notebook):
    """Executed (every code cell has run), with no injected parameters: the sample, all of Oslo."""
    nb = nbformat.read(notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{notebook.name} has no code"
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for name in ("data_dir", "output_dir", "period_from", "period_to", "bydel"):
        assert re.search(rf"^{name}\s*=\s*None\s*$", params[0].source, re.M), f"{notebook.name}: {name} is not None"
    assert nb.metadata.get("papermill", {}).get("parameters", {}) == {}
    unrun = [i for i, c in enumerate(code) if c.source.strip() and c.get("execution_count") is None]
    assert not unrun, f"{notebook.name}: code cells {unrun} were not executed: run `make baselines`"
    assert any(c.outputs for c in code), f"{notebook.name} holds no outputs: run `make baselines`"
    errors = [o for c in code for o in c.outputs if o.get("output_type") == "error"]
    assert not errors, f"{notebook.name} holds an error output"
    text = json.dumps(nb.metadata)
    assert "input_path" not in text and "start_time" not in text


# --- proof: one changed number fails nbval --------------------------------------------------------


def _nbval(notebook: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PRIOSLO_PSEUDONYM_KEY"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(SANITIZE_CFG), str(notebook)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)


def _point_at(notebook: Path, data_dir: Path, output_dir: Path) -> None:
    nb = nbformat.read(notebook, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    source, n = re.subn(r"^data_dir\s*=\s*None\s*$", f"data_dir = {str(data_dir)!r}", cell.source, flags=re.M)
    source, m = re.subn(r"^output_dir\s*=\s*None\s*$", f"output_dir = {str(output_dir)!r}", source, flags=re.M)
    assert n == m == 1
    cell.source = source
    nbformat.write(nb, notebook)


@pytest.mark.slow
def test_one_changed_number_in_the_sample_fails_nbval(tmp_path):
    """A baseline made on a copy of the sample passes nbval on that copy; after changing the
    number of municipal rental homes at 1.1.2020 (Tabell 3) from 11 384 to 11 385 it fails."""
    data = copy_sample(tmp_path / "raw")
    rental = data / "kommunale_utleieboliger.csv"
    original = rental.read_text(encoding="utf-8")
    assert "01.01.2020;11384" in original
    notebook = tmp_path / "nb" / "colocated_housing.ipynb"
    notebook.parent.mkdir()
    shutil.copy(paths.NOTEBOOKS_DIR / notebook.name, notebook)
    _point_at(notebook, data, tmp_path / "out")
    refresh_baseline(notebook)
    shown = " ".join(str(v) for _, _, v in nbval_view(notebook))
    assert "11\u00a0384" in shown or "11 384" in shown, "the number must be shown as text, not only in a figure"

    same = _nbval(notebook, tmp_path)
    assert same.returncode == 0, same.stdout[-3000:]

    rental.write_text(original.replace("01.01.2020;11384", "01.01.2020;11385"), encoding="utf-8")
    changed = _nbval(notebook, tmp_path)
    assert changed.returncode != 0, "nbval did not notice a changed number"
    assert "11\u00a0385" in changed.stdout or "11 385" in changed.stdout or "11385" in changed.stdout
