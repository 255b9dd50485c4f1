"""The ``prioslo`` command line.

Each subcommand is a thin wrapper around one library function; the modules are imported lazily
so that ``prioslo --help`` is instant. A :class:`~prioslo.errors.PriosloError` (a mistake the user
can fix) is printed as one clear line and gives exit status 2, never a traceback.

Exit status: 0 success, 1 a build step failed (see the message), 2 bad input or options.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from prioslo.errors import PriosloError

log = logging.getLogger(__name__)


def _add_data_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=None,
                   help="folder with the raw extracts (default: the shipped sample in data/raw)")


def _add_period(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="period_from", type=int, default=None, metavar="YEAR",
                   help="first year to report (default: the first year in the data)")
    p.add_argument("--to", dest="period_to", type=int, default=None, metavar="YEAR",
                   help="last year to report (default: the last year in the data)")


def _add_output(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output-dir", type=Path, default=None,
                   help="where outputs go (default: outputs/)")
    p.add_argument("--suppress-below", type=int, default=5, metavar="N",
                   help="suppress person counts below N in publishable outputs (default 5; 0 turns it off)")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(prog="prioslo", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug messages")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("prepare", help="clean and pseudonymise raw extracts into data/processed")
    _add_data_dir(p)

    p = sub.add_parser("indicators", help="compute every indicator into <output-dir>/oslo/tables/indicators.csv")
    _add_data_dir(p)
    _add_output(p)
    _add_period(p)

    p = sub.add_parser("synth", help="write the synthetic record-level sample extracts")
    p.add_argument("--data-dir", type=Path, default=None, help="target folder (default: data/raw)")
    p.add_argument("--seed", type=int, default=2024, help="random seed (same seed, byte-identical files)")

    p = sub.add_parser("build", help="prepare data, run the chapter notebooks and stitch the HTML report")
    _add_data_dir(p)
    _add_output(p)
    _add_period(p)
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--bydel", default=None, metavar="NAME", help="build the report of one bydel")
    scope.add_argument("--all-bydeler", action="store_true", help="build Oslo, the 15 bydeler and index.html")
    p.add_argument("--internal", action="store_true",
                   help="no suppression; every page and file is stamped «Internt – ikke for publisering»")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="chapters and scopes run in parallel (default: number of cores)")
    p.add_argument("--force", action="store_true", help="re-execute every chapter even if unchanged")

    p = sub.add_parser("check-outputs", help="scan processed data and outputs for fødselsnummer and person-level rows")
    p.add_argument("paths", type=Path, nargs="+", metavar="DIR")
    return parser


def _run(args: argparse.Namespace) -> int:
    if args.command == "prepare":
        from prioslo.prepare import prepare

        result = prepare(args.data_dir)
        print(result.summary())
        return 0
    if args.command == "indicators":
        from prioslo.pipeline import run_indicators

        path = run_indicators(data_dir=args.data_dir, output_dir=args.output_dir,
                              period_from=args.period_from, period_to=args.period_to,
                              suppress_below=args.suppress_below)
        print(f"Wrote {path}")
        return 0
    if args.command == "synth":
        from prioslo.synth import write_sample

        for path in write_sample(args.data_dir, seed=args.seed):
            print(f"Wrote {path}")
        return 0
    if args.command == "build":
        from prioslo.build import build

        return build(data_dir=args.data_dir, output_dir=args.output_dir,
                     period_from=args.period_from, period_to=args.period_to,
                     bydel=args.bydel, all_bydeler=args.all_bydeler,
                     suppress_below=args.suppress_below, internal=args.internal,
                     jobs=args.jobs, force=args.force)
    if args.command == "check-outputs":
        from prioslo.leakcheck import check_outputs

        return check_outputs(args.paths)
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``prioslo`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return _run(args)
    except PriosloError as exc:
        print(f"prioslo: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("prioslo: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
