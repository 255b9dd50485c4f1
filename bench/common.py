"""Shared pieces of the benchmark: timed commands, medians, the machine, a private copy of the sample.

Every figure is the median of several runs of a real command in a fresh process (what an
analyst or a scheduler runs), timed from outside with the wall clock.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
PRIOSLO = [str(BIN / "prioslo")] if (BIN / "prioslo").exists() else [sys.executable, "-m", "prioslo"]
PAPERMILL = [str(BIN / "papermill")] if (BIN / "papermill").exists() else [sys.executable, "-m", "papermill"]


@dataclass
class Timing:
    """Seconds of repeated runs of one measurement; ``median`` is what is reported."""

    label: str
    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")

    def text(self) -> str:
        spread = f" (runs: {', '.join(f'{r:.2f}' for r in self.runs)})" if len(self.runs) > 1 else ""
        return f"{self.median:.2f} s{spread}"


def run(cmd: list[str], *, cwd: Path | None = None, env: dict | None = None, check: bool = True) -> tuple[float, str]:
    """Run ``cmd``; return (wall seconds, stderr). Raises with the output when it fails."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return seconds, done.stderr


def machine() -> dict:
    """What the figures were measured on."""
    return {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "processor": platform.processor() or platform.machine()}


def sample_copy(root: Path) -> Path:
    """A private copy of the shipped sample extracts (prepared into ``<copy>/processed``)."""
    from prioslo import paths

    target = root / "raw"
    if not target.exists():
        shutil.copytree(paths.RAW_DIR, target, ignore=shutil.ignore_patterns("processed", ".*"))
    return target
