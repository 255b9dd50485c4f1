"""Wall-clock times of ``prioslo build`` and of the same chapters as a plain loop of papermill calls.

All runs use a private copy of the shipped sample (prepared once, before any timing: preparing
is the data step, cached by content by ``prepare``) and fresh temporary output folders.

* cold Oslo build: ``prioslo build`` into an empty output folder;
* no-op rebuild: the same command again, nothing changed;
* one extract changed: a count in ``kommunale_utleieboliger.csv`` changed (and changed back on
  the next run), then the same command: the extract is prepared again and every chapter runs;
* all 16 scopes: ``prioslo build --all-bydeler`` into an empty output folder;
* plain loop: for every scope and chapter, ``papermill notebooks/<chapter>.ipynb <out> -p
  data_dir … -p output_dir … [-p bydel …]``, one after the other, as a scheduler script
  without prioslo's build would run them. The loop does less than the build (no tables, no
  stitched report), so the ratio favours the loop.

Run on its own: ``python bench/build_bench.py --repeat 3``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import PAPERMILL, PRIOSLO, Timing, run, sample_copy  # noqa: E402

TOGGLED_EXTRACT = "kommunale_utleieboliger.csv"
TOGGLE = ("31.12.2023;11873", "31.12.2023;11874")
KERNEL_NOISE = "KeyboardInterrupt caught in kernel"


class BuildBench:
    """The build measurements on one private data copy under ``root``."""

    def __init__(self, root: Path):
        self.root = root
        self.data = sample_copy(root)
        self.kernel_noise = {"build": 0, "loop": 0}
        """«KeyboardInterrupt caught in kernel» lines seen in the logs of the builds and of the loop."""

    def build(self, out: Path, *args: str) -> float:
        seconds, stderr = run([*PRIOSLO, "build", "--data-dir", str(self.data), "--output-dir", str(out), *args])
        self.kernel_noise["build"] += stderr.count(KERNEL_NOISE)
        return seconds

    def prepare(self) -> None:
        """Prepare the copy once (not timed) so that every timed build finds it up to date."""
        run([*PRIOSLO, "prepare", "--data-dir", str(self.data)])

    def fresh_out(self, name: str) -> Path:
        out = self.root / name
        shutil.rmtree(out, ignore_errors=True)
        return out

    def cold_oslo(self, repeat: int) -> Timing:
        timing = Timing("cold Oslo build")
        for i in range(repeat):
            timing.runs.append(self.build(self.fresh_out(f"cold-{i}")))
        return timing

    def noop(self, repeat: int) -> Timing:
        out = self.fresh_out("noop")
        self.build(out)
        timing = Timing("no-op rebuild")
        for _ in range(repeat):
            timing.runs.append(self.build(out))
        return timing

    def extract_changed(self, repeat: int) -> Timing:
        out = self.fresh_out("changed")
        self.build(out)
        extract = self.data / TOGGLED_EXTRACT
        original = extract.read_text(encoding="utf-8")
        if TOGGLE[0] not in original:
            raise RuntimeError(f"{extract} does not hold {TOGGLE[0]!r}; update bench/build_bench.py")
        timing = Timing("rebuild after one extract changed")
        try:
            for i in range(repeat):
                old, new = TOGGLE if i % 2 == 0 else TOGGLE[::-1]
                extract.write_text(extract.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
                timing.runs.append(self.build(out))
        finally:
            extract.write_text(original, encoding="utf-8")
        return timing

    def all_scopes(self, repeat: int) -> Timing:
        timing = Timing("all 16 scopes")
        for i in range(repeat):
            timing.runs.append(self.build(self.fresh_out(f"all-{i}"), "--all-bydeler"))
        return timing

    def plain_loop(self, repeat: int, all_scopes: bool) -> Timing:
        """The chapters of Oslo (or of all 16 scopes) as sequential papermill CLI calls."""
        from prioslo import bydeler, paths
        from prioslo.chapters import CHAPTERS

        scopes = [None, *bydeler.BYDELER] if all_scopes else [None]
        timing = Timing(f"plain papermill loop, {'16 scopes' if all_scopes else 'Oslo'}")
        for i in range(repeat):
            out = self.fresh_out(f"loop-{'all' if all_scopes else 'oslo'}-{i}")
            total = 0.0
            for bydel in scopes:
                scope = "oslo" if bydel is None else bydeler.slug(bydel)
                for chapter in CHAPTERS:
                    cmd = [*PAPERMILL, str(paths.NOTEBOOKS_DIR / f"{chapter.slug}.ipynb"),
                           str(out / scope / "notebooks" / f"{chapter.slug}.ipynb"),
                           "-p", "data_dir", str(self.data), "-p", "output_dir", str(out), "--no-progress-bar"]
                    if bydel is not None:
                        cmd += ["-p", "bydel", bydel]
                    (out / scope / "notebooks").mkdir(parents=True, exist_ok=True)
                    seconds, stderr = run(cmd)
                    self.kernel_noise["loop"] += stderr.count(KERNEL_NOISE)
                    total += seconds
            timing.runs.append(total)
        return timing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="also all 16 scopes and their plain loop (long)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="prioslo-bench-") as tmp:
        bench = BuildBench(Path(tmp))
        bench.prepare()
        timings = [bench.cold_oslo(args.repeat), bench.noop(max(args.repeat, 3)),
                   bench.extract_changed(args.repeat), bench.plain_loop(args.repeat, all_scopes=False)]
        if args.all:
            timings += [bench.all_scopes(args.repeat), bench.plain_loop(1, all_scopes=True)]
        for timing in timings:
            print(f"{timing.label}: {timing.text()}")
        print(f"«{KERNEL_NOISE}» lines: {bench.kernel_noise['build']} in the builds' logs, "
              f"{bench.kernel_noise['loop']} in the plain loop's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
