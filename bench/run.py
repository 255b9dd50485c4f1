"""``make bench``: every figure of issue 6 on this machine, each target PASS or FAIL, and RESULTS.md.

Figures (each the median of ``--repeat`` runs unless noted):

* the floor: a ``papermill`` CLI run of an empty notebook × chapters ÷ cores, and where the fixed
  cost of a run goes (:mod:`fixed_cost`);
* cold Oslo build, no-op rebuild, rebuild after one extract changed, all 16 scopes, and the same
  chapters as a plain sequential loop of ``papermill`` CLI calls, with the ratios (:mod:`build_bench`);
  the 16-scope loop runs ``--loop-repeat`` times (default once: it takes minutes);
* ``compute_indicators`` on 10^5, 10^6 and 10^7 synthetic stays: time, peak memory and the
  growth exponent (:mod:`indicators`).

Targets: cold Oslo ≤ 1.3 × floor and ≤ 0.5 × its plain loop; no-op ≤ 1 s; all 16 scopes ≤ 0.4 × their
plain loop; 10^7 stays ≤ 10 s and ≤ 4 GB (10^9 bytes) at the peak, growing linearly (slope of
log time and of log memory of the computation from 10^6 to 10^7 at most 1.15).

The whole run takes about 15 minutes with the defaults. ``--quick`` leaves out the 16 scopes,
their loop and 10^7 stays (a few minutes, for trying changes; nothing is written then).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_bench import KERNEL_NOISE, BuildBench  # noqa: E402
from common import Timing, machine  # noqa: E402
from fixed_cost import floor_run, parts  # noqa: E402
from indicators import growth_exponent, measure  # noqa: E402

RESULTS = HERE / "RESULTS.md"
GB = 10**9
MIB = 2**20


def _check(label: str, ok: bool, detail: str) -> tuple[str, bool, str]:
    return (label, ok, detail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median reported; default 3)")
    parser.add_argument("--loop-repeat", type=int, default=1, help="runs of the 16-scope papermill loop (default 1)")
    parser.add_argument("--quick", action="store_true", help="skip the 16 scopes, their loop and 10^7 stays")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the results (Markdown)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    from prioslo.chapters import CHAPTERS

    started = time.perf_counter()
    cores = os.cpu_count() or 1
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    info = machine()
    say(f"prioslo benchmark, {date.today().isoformat()}: {info['cores']} cores, Python {info['python']}, "
        f"{info['platform']}; median of {args.repeat} runs")

    # -- the floor and the fixed cost
    with tempfile.TemporaryDirectory(prefix="prioslo-bench-") as tmp:
        empty = floor_run(max(args.repeat, 5), Path(tmp))
    floor = empty.median * len(CHAPTERS) / cores
    say()
    say("## Fixed cost of one papermill run")
    say(f"- papermill CLI on an empty notebook: {empty.text()}")
    for timing in parts(args.repeat).values():
        say(f"  - {timing.label}: {timing.text()}")
    say(f"- floor = {empty.median:.2f} s × {len(CHAPTERS)} chapters ÷ {cores} cores = **{floor:.2f} s**")

    # -- builds
    with tempfile.TemporaryDirectory(prefix="prioslo-bench-") as tmp:
        bench = BuildBench(Path(tmp))
        bench.prepare()
        cold = bench.cold_oslo(args.repeat)
        noop = bench.noop(max(args.repeat, 3))
        changed = bench.extract_changed(args.repeat)
        loop_oslo = bench.plain_loop(args.repeat, all_scopes=False)
        all16 = loop16 = None
        if not args.quick:
            all16 = bench.all_scopes(args.repeat)
            loop16 = bench.plain_loop(args.loop_repeat, all_scopes=True)
    say()
    say("## Builds (sample data, `prioslo build`, wall clock from the shell)")
    for timing in (cold, noop, changed, loop_oslo, all16, loop16):
        if timing is not None:
            say(f"- {timing.label}: **{timing.median:.2f} s**" + (f" (runs: {', '.join(f'{r:.2f}' for r in timing.runs)})"
                                                                  if len(timing.runs) > 1 else ""))
    say(f"- cold Oslo ÷ floor = {cold.median / floor:.2f}; cold Oslo ÷ plain loop = {cold.median / loop_oslo.median:.2f}")
    if all16 is not None:
        say(f"- all 16 scopes ÷ plain loop = {all16.median / loop16.median:.2f}")
    say(f"- «{KERNEL_NOISE}» lines: {bench.kernel_noise['build']} in the logs of all builds, "
        f"{bench.kernel_noise['loop']} in those of the plain papermill loops")

    # -- indicators
    sizes = [10**5, 10**6] + ([] if args.quick else [10**7])
    results = [measure(n, args.repeat) for n in sizes]
    say()
    say("## Indicators on synthetic stays (`compute_indicators`, one child process per run)")
    say("| stays | time (s) | peak memory | of which input table | computation |")
    say("|---:|---:|---:|---:|---:|")
    for r in results:
        say(f"| {r['rows']:,} | {r['seconds']:.2f} | {r['peak_mb'] * MIB / GB:.2f} GB | "
            f"{r['input_mb'] * MIB / GB:.2f} GB | {(r['peak_mb'] - r['input_mb']) * MIB / GB:.2f} GB |")
    ns = [r["rows"] for r in results]
    secs = [r["seconds"] for r in results]
    comp = [max(r["peak_mb"] - r["input_mb"], 1.0) for r in results]
    say(f"- fitted growth exponent over {', '.join(f'{n:.0e}' for n in ns)}: time {growth_exponent(ns, secs):.2f}, "
        f"memory of the computation {growth_exponent(ns, comp):.2f} (1 = linear)")
    top_time = growth_exponent(ns[-2:], secs[-2:])
    top_mem = growth_exponent(ns[-2:], comp[-2:])
    say(f"- slope from {ns[-2]:.0e} to {ns[-1]:.0e} stays: time {top_time:.2f}, memory {top_mem:.2f}")
    say(f"- peak memory: resident set size during the computation, input table included "
        f"({results[-1]['peak_source']})")

    # -- targets
    checks = [
        _check("cold Oslo build ≤ 1.3 × floor", cold.median <= 1.3 * floor,
               f"{cold.median:.2f} s vs {1.3 * floor:.2f} s"),
        _check("cold Oslo build ≤ 0.5 × plain loop", cold.median <= 0.5 * loop_oslo.median,
               f"{cold.median:.2f} s vs {0.5 * loop_oslo.median:.2f} s"),
        _check("no-op rebuild ≤ 1 s", noop.median <= 1.0, f"{noop.median:.2f} s"),
    ]
    if all16 is not None:
        checks.append(_check("all 16 scopes ≤ 0.4 × plain loop", all16.median <= 0.4 * loop16.median,
                             f"{all16.median:.1f} s vs {0.4 * loop16.median:.1f} s"))
    if not args.quick:
        top = results[-1]
        checks += [
            _check("indicators, 10^7 stays ≤ 10 s", top["seconds"] <= 10, f"{top['seconds']:.2f} s"),
            _check("indicators, 10^7 stays ≤ 4 GB", top["peak_mb"] * MIB <= 4 * GB,
                   f"{top['peak_mb'] * MIB / GB:.2f} GB"),
        ]
    checks.append(_check("indicators grow linearly (slope ≤ 1.15)", top_time <= 1.15 and top_mem <= 1.15,
                         f"time {top_time:.2f}, memory {top_mem:.2f}"))
    say()
    say("## Targets of issue 6")
    for label, ok, detail in checks:
        say(f"- {'PASS' if ok else 'FAIL'}: {label} ({detail})")
    say()
    say(f"_Benchmark took {(time.perf_counter() - started) / 60:.1f} minutes._")

    if not args.no_write and not args.quick:
        header = [
            "# Benchmark results",
            "",
            f"Measured with `make bench` on {date.today().isoformat()}. Regenerate with `make bench` "
            "(`ARGS=\"--repeat 5\"` for more runs); the figures depend on the machine and on what else runs on it.",
            "",
            "Definitions: every build runs the `prioslo` command in a fresh process on a private copy of the "
            "shipped sample, prepared beforehand (preparing is the data step, cached by content); «cold» = an "
            "empty output folder. The plain loop calls the `papermill` CLI once per chapter and scope, one after "
            "the other, and does less than the build (no tables, no stitched report). The floor is a papermill "
            "CLI run of an empty notebook × 6 chapters ÷ cores.",
            "",
        ]
        args.results.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
        print(f"wrote {args.results}")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
