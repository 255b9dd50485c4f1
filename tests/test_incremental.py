"""Incremental builds: a chapter is executed again only when its notebook, parameters, input data,
library code or software changed (content hashes, :mod:`prioslo.cache`); ``--force`` executes all.

Executions are counted by wrapping ``build.execute_chapter`` and cross-checked with the
``executed``/``reused`` lists of ``run.json``; nothing here measures time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from prioslo import build, cache, kernelpool, paths
from prioslo.chapters import Chapter

STAND_INS = Path(__file__).parent / "data" / "notebooks"
ALPHA = Chapter("alpha", "Første kapittel")
BETA = Chapter("beta", "Andre kapittel")

INDICATORS = pd.DataFrame({
    "indicator": ["admissions"], "group": ["Oslo"], "period": ["2020"], "value": [120.0],
    "numerator": [float("nan")], "denominator": [float("nan")], "suppressed": [False],
})
SCORECARD = pd.DataFrame({
    "target_id": ["lq_mean"], "description": ["Gjennomsnittsskår livskvalitet"], "value": [3.9],
    "target": [4.0], "status": ["yellow"], "published_status": ["yellow"],
})


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """Private data, notebooks and library folders; hand-made tables; an execution counter."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "opphold.csv").write_text("opphold_id;person\nOP1;x\n", encoding="utf-8")
    notebooks = tmp_path / "notebooks"
    shutil.copytree(STAND_INS, notebooks)
    library = tmp_path / "library"
    library.mkdir()
    (library / "indicators.py").write_text("TEN_PLUS = 10\n", encoding="utf-8")
    real_code_hash = cache.code_hash
    monkeypatch.setattr(cache, "code_hash", lambda package_dir=None: real_code_hash(library))  # «the sources»
    monkeypatch.setattr(build, "load_data", lambda data_dir: {"stand-in": pd.DataFrame()})
    monkeypatch.setattr(build, "scope_tables", lambda tables, bydel, *args: (INDICATORS.copy(), SCORECARD.copy()))
    monkeypatch.setattr(kernelpool, "WARM_MODULES", ())  # the stand-ins import nothing heavy
    executed: list[str] = []
    real = build.execute_chapter

    def counting(slug, *args):
        executed.append(slug)
        return real(slug, *args)

    monkeypatch.setattr(build, "execute_chapter", counting)

    class Setup:
        out = tmp_path / "out"

        def __init__(self):
            self.data, self.notebooks, self.library, self.executed = data, notebooks, library, executed

        def run(self, **kwargs) -> int:
            executed.clear()
            kwargs.setdefault("data_dir", data)
            return build.build(output_dir=self.out, notebooks_dir=notebooks, chapters=[ALPHA, BETA], jobs=1, **kwargs)

        def run_json(self) -> dict:
            return json.loads((self.out / "oslo" / "run.json").read_text(encoding="utf-8"))

    return Setup()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_first_build_executes_everything_and_records_keys(setup):
    assert setup.run() == 0
    assert sorted(setup.executed) == ["alpha", "beta"]
    run = setup.run_json()
    assert run["executed"] == ["alpha", "beta"] and run["reused"] == []
    record = run[cache.RECORD]
    assert set(record["chapters"]) == {"alpha", "beta"}
    assert "figures/alpha.png" in record["chapters"]["alpha"]["files"]
    assert "notebooks/beta.ipynb" in record["chapters"]["beta"]["files"]
    about = BeautifulSoup((setup.out / "oslo" / "report.html").read_text("utf-8"), "html.parser").find(id="om-rapporten")
    assert "ingen: alle kapitlene ble kjørt" in about.get_text(" ", strip=True)


def test_unchanged_rebuild_executes_nothing_and_touches_nothing(setup):
    assert setup.run() == 0
    before = _snapshot(setup.out)
    assert setup.run() == 0
    assert setup.executed == []
    assert _snapshot(setup.out) == before  # not even run.json or the report is rewritten


def test_force_executes_everything(setup):
    assert setup.run() == 0
    assert setup.run(force=True) == 0
    assert sorted(setup.executed) == ["alpha", "beta"]
    assert setup.run_json()["reused"] == []


def test_changed_extract_executes_every_chapter(setup):
    assert setup.run() == 0
    (setup.data / "opphold.csv").write_text("opphold_id;person\nOP1;y\n", encoding="utf-8")
    assert setup.run() == 0
    assert sorted(setup.executed) == ["alpha", "beta"]


def test_same_extract_content_with_new_timestamp_is_unchanged(setup):
    assert setup.run() == 0
    extract = setup.data / "opphold.csv"
    extract.write_bytes(extract.read_bytes())  # rewritten: new mtime, same content
    import os

    os.utime(extract, (1, 1))
    assert setup.run() == 0
    assert setup.executed == []


def test_changed_parameter_executes_every_chapter(setup):
    assert setup.run() == 0
    assert setup.run(suppress_below=3) == 0
    assert sorted(setup.executed) == ["alpha", "beta"]
    assert setup.run(suppress_below=3) == 0
    assert setup.executed == []


def test_changed_notebook_executes_that_chapter_and_reuses_the_other(setup):
    assert setup.run() == 0
    before = _snapshot(setup.out / "oslo")
    nb = nbformat.read(str(setup.notebooks / "beta.ipynb"), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("Ny tekst i beta."))
    nbformat.write(nb, str(setup.notebooks / "beta.ipynb"))
    assert setup.run() == 0
    assert setup.executed == ["beta"]
    run = setup.run_json()
    assert run["reused"] == ["alpha"] and run["executed"] == ["beta"]
    after = _snapshot(setup.out / "oslo")
    assert after["notebooks/alpha.ipynb"] == before["notebooks/alpha.ipynb"]  # taken over as it was
    assert after["figures/alpha.png"] == before["figures/alpha.png"]
    assert after["notebooks/beta.ipynb"] != before["notebooks/beta.ipynb"]
    html = (setup.out / "oslo" / "report.html").read_text("utf-8")
    assert "Ny tekst i beta." in html
    about = BeautifulSoup(html, "html.parser").find(id="om-rapporten").get_text(" ", strip=True)
    assert "Gjenbrukt 1. Første kapittel – uendret siden forrige kjøring" in about


def test_changed_library_file_executes_every_chapter(setup):
    assert setup.run() == 0
    (setup.library / "indicators.py").write_text("TEN_PLUS = 11\n", encoding="utf-8")
    assert setup.run() == 0
    assert sorted(setup.executed) == ["alpha", "beta"]


def test_deleted_output_file_executes_its_chapter_again(setup):
    assert setup.run() == 0
    (setup.out / "oslo" / "figures" / "alpha.png").unlink()
    assert setup.run() == 0
    assert setup.executed == ["alpha"]
    assert (setup.out / "oslo" / "figures" / "alpha.png").is_file()


def test_failed_build_is_not_reused_and_the_good_one_still_is(setup):
    assert setup.run() == 0
    broken = Chapter("broken", "Ødelagt kapittel")
    setup.executed.clear()
    assert build.build(output_dir=setup.out, data_dir=setup.data, notebooks_dir=setup.notebooks,
                       chapters=[ALPHA, broken, BETA], jobs=1) == 1
    assert setup.executed == ["broken"]  # alpha and beta came from the good build
    assert (setup.out / "oslo.failed" / "notebooks" / "beta.ipynb").is_file()
    assert setup.run() == 0  # the good build is still current: nothing to do, the stale failure goes
    assert setup.executed == []
    assert not (setup.out / "oslo.failed").exists()


def test_code_hash_follows_content_not_compiled_files(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    first = cache.code_hash(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\x00")
    assert cache.code_hash(tmp_path) == first
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.j2").write_text("<p>{{ x }}</p>")
    second = cache.code_hash(tmp_path)
    assert second != first  # templates change the report, so they count
    (tmp_path / "a.py").write_text("x = 2\n")
    assert cache.code_hash(tmp_path) not in (first, second)


def test_noop_rebuild_imports_neither_pandas_nor_jupyter(setup):
    """A rebuild that finds nothing changed decides so from hashes alone (fresh interpreter)."""
    assert setup.run() == 0
    script = f"""
import logging, sys
logging.basicConfig(level=logging.INFO)
from pathlib import Path
from prioslo import build, cache
from prioslo.chapters import Chapter
real_code_hash = cache.code_hash
cache.code_hash = lambda package_dir=None: real_code_hash(Path({str(setup.library)!r}))
status = build.build(output_dir=Path({str(setup.out)!r}), data_dir=Path({str(setup.data)!r}),
                     notebooks_dir=Path({str(setup.notebooks)!r}), jobs=1,
                     chapters=[Chapter("alpha", "Første kapittel"), Chapter("beta", "Andre kapittel")])
heavy = sorted(m for m in ("pandas", "numpy", "papermill", "nbformat", "jupyter_client", "matplotlib")
               if m in sys.modules)
print(status, heavy)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=paths.PROJECT_ROOT)
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stdout + done.stderr
    assert "nothing changed" in done.stderr
