"""The chapter notebooks: structure, parameters, no logic of their own, outputs cleared.

The notebooks are the report's text; the library holds every computation. These checks keep it
that way: a notebook only imports prioslo and IPython, defines no function or class, has no loop
or branch, and declares exactly the agreed papermill parameters with defaults that run as they
stand. The slow tests execute the notebooks with papermill as a scheduler would.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys

import nbformat
import pytest

from prioslo.chapters import CHAPTERS, NOTEBOOK_PARAMETERS
from prioslo.paths import NOTEBOOKS_DIR

EXPECTED_DEFAULTS = {"data_dir": None, "output_dir": None, "period_from": None, "period_to": None,
                     "bydel": None, "suppress_below": 5, "internal": False}
ALLOWED_IMPORTS = {"prioslo", "IPython"}
FORBIDDEN_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.While,
                   ast.If, ast.IfExp, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp, ast.Try)
FIGURE_KEYWORDS = {"title", "caption", "source", "alt_text", "name"}


def read(chapter):
    return nbformat.read(chapter.path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_defaults_cover_the_agreed_parameters():
    assert tuple(EXPECTED_DEFAULTS)[:-1] == NOTEBOOK_PARAMETERS


def test_no_stray_chapter_notebooks():
    chapters = {c.slug for c in CHAPTERS}
    # explore.ipynb is the interactive explorer, not a chapter of the report
    present = {p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb")} - {"explore"}
    assert present == chapters


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.slug)
class TestChapter:
    def test_valid_nbformat_4_with_python3_kernel(self, chapter):
        nb = read(chapter)
        nbformat.validate(nb)
        assert nb.nbformat == 4
        assert nb.metadata["kernelspec"]["name"] == "python3"

    def test_first_cell_is_the_numbered_title(self, chapter):
        nb = read(chapter)
        number = CHAPTERS.index(chapter) + 1
        first = nb.cells[0]
        assert first.cell_type == "markdown"
        assert first.source.splitlines()[0] == f"# {number} {chapter.title}"

    def test_one_parameters_cell_with_the_agreed_names_and_defaults(self, chapter):
        nb = read(chapter)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1
        cell = tagged[0]
        assert cell is code_cells(nb)[0], "the parameters cell must be the first code cell"
        defaults = {}
        for node in ast.parse(cell.source).body:
            assert isinstance(node, ast.Assign) and len(node.targets) == 1, "only plain assignments"
            defaults[node.targets[0].id] = ast.literal_eval(node.value)
        assert defaults == EXPECTED_DEFAULTS

    def test_no_logic_and_only_prioslo_and_ipython_imports(self, chapter):
        for cell in code_cells(read(chapter)):
            tree = ast.parse(cell.source)
            for node in ast.walk(tree):
                assert not isinstance(node, FORBIDDEN_NODES), (
                    f"{type(node).__name__} in cell {cell.get('id')}: put logic in the library")
                if isinstance(node, ast.Import):
                    assert {a.name.split(".")[0] for a in node.names} <= ALLOWED_IMPORTS
                if isinstance(node, ast.ImportFrom):
                    assert node.module.split(".")[0] in ALLOWED_IMPORTS

    def test_sections_are_numbered_in_order(self, chapter):
        number = CHAPTERS.index(chapter) + 1
        headings = [line for c in read(chapter).cells if c.cell_type == "markdown"
                    for line in c.source.splitlines() if line.startswith("## ")]
        assert headings, "a chapter has numbered sections"
        for k, heading in enumerate(headings, start=1):
            assert re.match(rf"^## {number}\.{k} \S", heading), heading

    def test_every_figure_is_titled_captioned_sourced_described_and_named(self, chapter):
        for cell in code_cells(read(chapter)):
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "figure":
                    assert {k.arg for k in node.keywords} >= FIGURE_KEYWORDS
                    name = next(k.value for k in node.keywords if k.arg == "name")
                    assert isinstance(name, ast.Constant), "a figure's file name must be a fixed string"


def test_figure_names_are_unique_across_the_report():
    """All chapters save into the same figures/ folder, so a name may occur once in the report."""
    names = []
    for chapter in CHAPTERS:
        for cell in code_cells(read(chapter)):
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "figure":
                    names.extend(k.value.value for k in node.keywords if k.arg == "name")
    assert names, "the report has figures"
    assert len(names) == len(set(names))


# --------------------------------------------------------------------------------- execution


def run_papermill(chapter, tmp_path, *params):
    out = tmp_path / f"{chapter.slug}.ipynb"
    cmd = [sys.executable, "-m", "papermill", str(chapter.path), str(out), "--log-level", "ERROR",
           "-k", "python3", "-p", "output_dir", str(tmp_path / "outputs"), *params]
    # From another working directory, as a scheduler would call it.
    result = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.slug)
def test_chapter_runs_under_papermill_for_a_bydel(chapter, tmp_path):
    nb = run_papermill(chapter, tmp_path, "-p", "bydel", "Alna")
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"], "log noise must not reach the report"
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "Bydel Alna" in "".join("".join(o.get("data", {}).get("text/markdown", "")) for o in outputs) + html
    figures = tmp_path / "outputs" / "alna" / "figures"
    n_figures = sum(
        1 for c in read(chapter).cells if c.cell_type == "code" for node in ast.walk(ast.parse(c.source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "figure")
    assert len(list(figures.glob("*.png"))) == n_figures if n_figures else not figures.exists()
    for img in re.findall(r"<img [^>]*>", html):
        assert 'alt="' in img and 'alt=""' not in img


@pytest.mark.slow
def test_summary_runs_with_defaults_for_oslo(tmp_path):
    nb = run_papermill(CHAPTERS[0], tmp_path)
    html = "".join("".join(o.get("data", {}).get("text/html", ""))
                   for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert "Tabell 1.1: Måleindikatorer og vurdering" in html
    assert html.count("<tr>") >= 16  # every target of Vedlegg 1
