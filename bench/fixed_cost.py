"""The fixed cost of one papermill run, and where it goes.

* ``floor_run``: ``papermill`` CLI on an EMPTY notebook (one parameter), as a scheduler would call
  it: interpreter start, papermill's imports, kernel start, two trivial cells, kernel shutdown.
  The issue's floor for a report is this × chapters ÷ cores.
* the parts: importing papermill in the calling process (with and without ``rfc3987_syntax``,
  which jsonschema loads for a check nobody uses, see :func:`prioslo.kernelpool.skip_unused_imports`),
  the CLI's own start (``prioslo --help``), a kernel from start to ready, the imports a chapter
  needs inside the kernel (:data:`prioslo.kernelpool.WARM_MODULES`).

Run on its own: ``python bench/fixed_cost.py --repeat 5``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import PAPERMILL, PRIOSLO, Timing, run  # noqa: E402

IMPORT_PAPERMILL = "import papermill, papermill.engines"
BLOCK_RFC = "import sys; sys.modules['rfc3987_syntax'] = None; "
KERNEL_READY = """
import time
from jupyter_client.manager import start_new_kernel
t = time.perf_counter()
km, kc = start_new_kernel(kernel_name="python3")
ready = time.perf_counter() - t
t = time.perf_counter()
kc.execute_interactive({code!r}, timeout=120)
imports = time.perf_counter() - t
kc.stop_channels()
km.shutdown_kernel(now=True)
print(ready, imports)
"""


def empty_notebook(folder: Path) -> Path:
    """A notebook with a parameters cell and one trivial cell."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("y = x + 1")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "empty.ipynb"
    nbformat.write(nb, str(path))
    return path


def floor_run(repeat: int, folder: Path) -> Timing:
    """Median seconds of ``papermill empty.ipynb out.ipynb -p x 2``."""
    notebook = empty_notebook(folder)
    timing = Timing("papermill CLI, empty notebook")
    for _ in range(repeat):
        seconds, _ = run([*PAPERMILL, str(notebook), str(folder / "out.ipynb"), "-p", "x", "2", "--no-progress-bar"])
        timing.runs.append(seconds)
    return timing


def parts(repeat: int) -> dict[str, Timing]:
    """Medians of the parts of the fixed cost (each in a fresh interpreter)."""
    from prioslo.kernelpool import WARM_MODULES

    out = {name: Timing(name) for name in (
        "python -c pass", "import papermill", "import papermill (rfc3987_syntax skipped)", "prioslo --help",
        "kernel start to ready", "chapter imports in the kernel")}
    code = "; ".join(f"import {m}" for m in WARM_MODULES)
    for _ in range(repeat):
        out["python -c pass"].runs.append(run([sys.executable, "-c", "pass"])[0])
        out["import papermill"].runs.append(run([sys.executable, "-c", IMPORT_PAPERMILL])[0])
        out["import papermill (rfc3987_syntax skipped)"].runs.append(
            run([sys.executable, "-c", BLOCK_RFC + IMPORT_PAPERMILL])[0])
        out["prioslo --help"].runs.append(run([*PRIOSLO, "--help"])[0])
        import subprocess

        done = subprocess.run([sys.executable, "-c", KERNEL_READY.format(code=code)], capture_output=True,
                              text=True, check=True)
        ready, imports = (float(v) for v in done.stdout.split()[-2:])
        out["kernel start to ready"].runs.append(ready)
        out["chapter imports in the kernel"].runs.append(imports)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        floor = floor_run(args.repeat, Path(tmp))
    print(f"{floor.label}: {floor.text()}")
    for timing in parts(args.repeat).values():
        print(f"  {timing.label}: {timing.text()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
