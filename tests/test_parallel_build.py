"""``prioslo build --jobs``: chapters on several warm kernels give exactly what one kernel gives.

The fast tests run stand-in chapters (stdlib-only cells) on the real kernel pool with the data
step replaced by hand-made tables; the slow test builds the real chapters on the sample. No
test measures time: the speed goals live in ``make bench``.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from fixtures_build import copy_sample, nbval_view
from prioslo import build, kernelpool, paths
from prioslo.chapters import Chapter

STAND_INS = Path(__file__).parent / "data" / "notebooks"
ALPHA = Chapter("alpha", "Første kapittel")
BETA = Chapter("beta", "Andre kapittel")
GAMMA = Chapter("gamma", "Tredje kapittel")
DELTA = Chapter("delta", "Fjerde kapittel")

INDICATORS = pd.DataFrame({
    "indicator": ["admissions", "admissions", "colocated_units"],
    "group": ["Oslo", "Alna", "Oslo"],
    "period": ["2020", "2020", "2024-06"],
    "value": [120.0, 7.0, 31.0],
    "numerator": [float("nan")] * 3,
    "denominator": [float("nan")] * 3,
    "suppressed": [False, False, False],
})
SCORECARD = pd.DataFrame({
    "target_id": ["lq_mean"], "description": ["Gjennomsnittsskår livskvalitet"], "value": [3.9],
    "target": [4.0], "status": ["yellow"], "published_status": ["yellow"],
})

# A chapter that fails when anything of an earlier notebook is still in the kernel: the name the
# alpha stand-in defines, a module-level variable of this notebook's own previous run, or an
# execution count that did not start again at 1.
GAMMA_CELLS = [
    ("code", "data_dir = None\noutput_dir = None\nperiod_from = None\nperiod_to = None\nbydel = None\n"
             "suppress_below = 5\ninternal = False", ["parameters"]),
    ("markdown", "# Gamma\n\nSjekker at kjernen er som ny.", []),
    ("code", "assert 'scope_dir' not in globals(), 'alpha leaked into this notebook'\n"
             "assert 'seen' not in globals(), 'an earlier run of this notebook leaked'\n"
             "seen = True\nimport os\nprint('gamma i', os.path.basename(os.getcwd()))", []),
    ("code", "import warnings\nwarnings.warn('gamma warns every time')", []),
]


def _notebook(cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source, tags in cells:
        cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
    return nb


@pytest.fixture
def notebooks(tmp_path) -> Path:
    """The stand-in chapters plus gamma (fresh-kernel check) and delta (a copy of beta)."""
    folder = tmp_path / "notebooks"
    shutil.copytree(STAND_INS, folder)
    nbformat.write(_notebook(GAMMA_CELLS), str(folder / "gamma.ipynb"))
    shutil.copyfile(folder / "beta.ipynb", folder / "delta.ipynb")
    return folder


@pytest.fixture
def fake_data(monkeypatch):
    monkeypatch.setattr(build, "load_data", lambda data_dir: {"stand-in": pd.DataFrame()})
    monkeypatch.setattr(build, "scope_tables", lambda tables, bydel, *args: (INDICATORS.copy(), SCORECARD.copy()))


def _files(folder: Path, sub: str) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted((folder / sub).rglob("*")) if p.is_file()}


def _execution_counts(notebook: Path) -> list:
    nb = nbformat.read(str(notebook), as_version=4)
    return [c.execution_count for c in nb.cells if c.cell_type == "code"]


CHAPTERS = (ALPHA, BETA, GAMMA, DELTA)


def test_two_kernels_give_the_same_tables_and_notebook_outputs_as_one(tmp_path, notebooks, fake_data, caplog):
    caplog.set_level(logging.INFO, logger="prioslo.build")
    out = tmp_path / "out"
    runs = {}
    for jobs in (1, 2):
        assert build.build(output_dir=out, data_dir=paths.RAW_DIR, notebooks_dir=notebooks, chapters=CHAPTERS,
                           jobs=jobs, force=True, all_bydeler=False, bydel="Alna") == 0
        runs[jobs] = shutil.copytree(out / "alna", tmp_path / f"jobs{jobs}")
    one, two = runs[1], runs[2]
    assert _files(one, "tables") == _files(two, "tables")  # byte-identical
    assert _files(one, "figures") == _files(two, "figures")
    for chapter in CHAPTERS:
        name = f"notebooks/{chapter.slug}.ipynb"
        assert nbval_view(one / name) == nbval_view(two / name), name
        # every notebook numbers its cells from 1, as in a fresh kernel, whichever kernel ran it
        counts = _execution_counts(two / name)
        assert counts == list(range(1, len(counts) + 1)), (name, counts)
    # gamma found a clean kernel both times (it raises otherwise) and its warning was shown again
    gamma = nbformat.read(str(two / "notebooks" / "gamma.ipynb"), as_version=4)
    streams = [o for c in gamma.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream"]
    assert any("gamma warns every time" in o.text for o in streams)
    assert any(o.text.strip() == "gamma i notebooks" for o in streams)  # the kernel runs in the notebooks folder
    finished = [r.getMessage() for r in caplog.records if r.getMessage().startswith("finished")]
    assert "executed on 1 kernel(s)" in finished[0] and "executed on 2 kernel(s)" in finished[1]
    # one progress line per chapter: [k/4] scope: chapter ok (seconds)
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("[")]
    assert len(progress) == 8 and all(" alna: " in m and " ok (" in m for m in progress)


def test_one_kernel_runs_several_notebooks_one_after_the_other(tmp_path, notebooks):
    """A pool of one kernel executes gamma twice: the second run sees nothing of the first."""
    params = {"data_dir": None, "output_dir": str(tmp_path), "period_from": None, "period_to": None,
              "bydel": None, "suppress_below": 5, "internal": False}
    with kernelpool.KernelPool(1, build.KERNEL_NAME, notebooks, build._kernel_config(), warm_modules=()) as pool:
        futures = [pool.submit(build.execute_chapter, "gamma", notebooks / "gamma.ipynb",
                               tmp_path / f"run{i}.ipynb", params, notebooks) for i in (1, 2)]
        results = [f.result() for f in futures]
    assert [r.error for r in results] == [None, None]
    assert pool.kernel_starts == 1
    for i in (1, 2):
        nb = nbformat.read(str(tmp_path / f"run{i}.ipynb"), as_version=4)
        assert nb.metadata["papermill"]["parameters"]["output_dir"] == str(tmp_path)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1  # papermill's parameter injection, as with a fresh kernel


def test_a_failing_chapter_on_a_warm_kernel_names_the_cell_and_the_next_chapter_still_runs(tmp_path, notebooks):
    params = {"output_dir": str(tmp_path)}
    with kernelpool.KernelPool(1, build.KERNEL_NAME, notebooks, build._kernel_config(), warm_modules=()) as pool:
        broken = pool.submit(build.execute_chapter, "broken", notebooks / "broken.ipynb",
                             tmp_path / "broken.ipynb", params, notebooks).result()
        after = pool.submit(build.execute_chapter, "gamma", notebooks / "gamma.ipynb",
                            tmp_path / "gamma.ipynb", params, notebooks).result()
    assert broken.error is not None and "ValueError: stand-in failure" in broken.error and "cell " in broken.error
    assert after.ok, after.error
    nb = nbformat.read(str(tmp_path / "broken.ipynb"), as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert [e.evalue for e in errors] == ["stand-in failure"]


def test_graceful_shutdown_sends_no_interrupt(monkeypatch):
    """The clean-shutdown kernel manager asks the kernel to stop and never sends it SIGINT."""
    from jupyter_core.utils import run_sync

    manager = kernelpool.clean_shutdown_kernel_manager()(kernel_name=build.KERNEL_NAME)
    sent = []
    original = type(manager)._async_signal_kernel

    async def record(self, signum):
        sent.append(signum)
        await original(self, signum)

    monkeypatch.setattr(type(manager), "_async_signal_kernel", record)
    run_sync(manager.start_kernel)()
    try:
        assert run_sync(manager.is_alive)()
    finally:
        run_sync(manager.shutdown_kernel)(now=False)
    assert not run_sync(manager.is_alive)()
    import signal

    assert signal.SIGINT not in sent


def test_jobs_must_be_positive(tmp_path, notebooks, fake_data):
    with pytest.raises(build.PriosloError, match="--jobs"):
        build.build(output_dir=tmp_path / "out", notebooks_dir=notebooks, chapters=CHAPTERS, jobs=0)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_real_chapters_on_two_kernels_equal_one(tmp_path):
    """The real chapters on the sample: jobs=2 gives the tables, figures and notebook outputs of jobs=1."""
    data = copy_sample(tmp_path / "raw")
    out = tmp_path / "out"
    runs = {}
    for jobs in (1, 2):
        assert build.build(data_dir=data, output_dir=out, jobs=jobs, force=True) == 0
        runs[jobs] = shutil.copytree(out / "oslo", tmp_path / f"jobs{jobs}")
    assert _files(runs[1], "tables") == _files(runs[2], "tables")
    assert _files(runs[1], "figures") == _files(runs[2], "figures")
    for notebook in sorted((runs[1] / "notebooks").glob("*.ipynb")):
        assert nbval_view(notebook) == nbval_view(runs[2] / "notebooks" / notebook.name), notebook.name


def test_a_kernel_that_dies_is_replaced_for_the_next_chapter(tmp_path, notebooks):
    dying = _notebook([("code", "output_dir = None", ["parameters"]),
                       ("code", "import os\nos._exit(3)", [])])
    nbformat.write(dying, str(notebooks / "dying.ipynb"))
    params = {"output_dir": str(tmp_path)}
    with kernelpool.KernelPool(1, build.KERNEL_NAME, notebooks, build._kernel_config(), warm_modules=()) as pool:
        died = pool.submit(build.execute_chapter, "dying", notebooks / "dying.ipynb",
                           tmp_path / "dying.ipynb", params, notebooks).result()
        after = pool.submit(build.execute_chapter, "gamma", notebooks / "gamma.ipynb",
                            tmp_path / "gamma.ipynb", params, notebooks).result()
    assert died.error is not None and "DeadKernelError" in died.error
    assert after.ok, after.error
    assert pool.kernel_starts == 2  # the dead kernel was replaced before gamma ran
