"""Time and peak memory of ``compute_indicators`` on synthetic stays of growing size.

Each measurement runs in a child process of its own, so that one size's memory does not count
for the next: the child reads the cached synthetic stays (:mod:`synthetic_stays`), resets the
kernel's peak-RSS counter (``/proc/self/clear_refs``), computes every indicator of the stays
table and reports the seconds and the peak resident memory during the computation (the input
frame included, so the figure is what the machine must have). Where the counter cannot be reset
the peak since the process started is reported instead (``getrusage``), which includes reading.

Memory is reported in MiB (2**20 bytes). Run on its own:
``python bench/indicators.py 100000 1000000 --repeat 3``.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def child(path: str) -> dict:
    """Measure one computation in this process (called in the child); return the figures."""
    import logging
    import resource

    import pandas as pd

    from prioslo.indicators import compute_indicators

    logging.disable(logging.WARNING)  # the other tables are absent on purpose
    stays = pd.read_parquet(path)
    input_kb = _status_kb("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
        peak_source = "VmHWM after reset"
    except OSError:
        peak_source = "ru_maxrss (includes reading)"
    start = time.perf_counter()
    rows = compute_indicators({"stays": stays})
    seconds = time.perf_counter() - start
    peak_kb = _status_kb("VmHWM") if peak_source.startswith("VmHWM") else None
    if peak_kb is None:
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": len(stays), "indicator_rows": len(rows), "seconds": seconds,
            "input_mb": (input_kb or 0) / 1024, "peak_mb": peak_kb / 1024, "peak_source": peak_source}


def measure(n: int, repeat: int = 3, seed: int = 2024) -> dict:
    """Median seconds and peak MB of ``repeat`` child runs on ``n`` synthetic stays."""
    sys.path.insert(0, str(HERE))
    from synthetic_stays import cached_stays

    path = cached_stays(n, seed)
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(path)],
                             check=True, capture_output=True, text=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"rows": n, "seconds": statistics.median(r["seconds"] for r in runs),
            "seconds_runs": [r["seconds"] for r in runs],
            "peak_mb": statistics.median(r["peak_mb"] for r in runs),
            "input_mb": statistics.median(r["input_mb"] for r in runs),
            "peak_source": runs[0]["peak_source"], "runs": runs}


def growth_exponent(sizes: list[float], values: list[float]) -> float:
    """Least-squares slope of log(value) on log(size): 1 = linear, 2 = quadratic."""
    xs, ys = [math.log(s) for s in sizes], [math.log(max(v, 1e-9)) for v in values]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10**5, 10**6, 10**7])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    results = [measure(n, args.repeat) for n in args.sizes]
    for r in results:
        print(f"{r['rows']:>10,d} stays: {r['seconds']:6.2f} s, peak {r['peak_mb']:7.0f} MiB "
              f"(input {r['input_mb']:.0f} MiB, computation {r['peak_mb'] - r['input_mb']:.0f} MiB)")
    if len(results) > 1:
        sizes = [r["rows"] for r in results]
        print(f"growth exponent: time {growth_exponent(sizes, [r['seconds'] for r in results]):.2f}, "
              f"memory of the computation {growth_exponent(sizes, [r['peak_mb'] - r['input_mb'] for r in results]):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
