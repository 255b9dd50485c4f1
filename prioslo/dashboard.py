"""The explorer as a dashboard: Voilà serves ``notebooks/explore.ipynb`` on localhost, without code.

``make explore`` runs :func:`main`: it starts Voilà on 127.0.0.1 (port 8866, or a free port when
8866 is taken), prints «Dashboard: http://127.0.0.1:PORT/» once the server answers, and serves
until Ctrl-C. Nothing is fetched from another host: Voilà serves the widget JavaScript itself, and
prioslo's Voilà template (``prioslo/static/jupyter/voila/templates/prioslo``) drops the two Font
Awesome stylesheets Voilà's own template would load from a CDN.

Voilà runs in a child process (its own Tornado server and kernels); :class:`Dashboard` owns that
process, and the browser tests start the dashboard through the same :func:`start_dashboard`.

Usage::

    python -m prioslo.dashboard [--port N] [--data-dir DIR] [--suppress-below N]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from prioslo.errors import PriosloError
from prioslo.paths import PACKAGE_DIR

log = logging.getLogger(__name__)

DEFAULT_PORT = 8866
"""Voilà's customary port, used when it is free."""

HOST = "127.0.0.1"
"""The dashboard listens on the loopback interface only: the data never leave the machine."""

TEMPLATE = "prioslo"
"""Name of prioslo's Voilà template (Voilà's «lab» template without CDN stylesheets)."""

JUPYTER_DATA_DIR: Path = PACKAGE_DIR / "static" / "jupyter"
"""Put on ``JUPYTER_PATH`` so that Voilà finds :data:`TEMPLATE` under ``voila/templates``."""


def free_port(preferred: int = DEFAULT_PORT) -> int:
    """Return ``preferred`` if nothing listens on it at :data:`HOST`, else a port the OS reports free.

    ``preferred=0`` always asks the OS (what the tests use, so parallel runs never collide).
    """
    if preferred:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((HOST, preferred))
                return preferred
            except OSError:
                log.info("port %d is in use; taking a free one", preferred)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def voila_command(notebook: Path, port: int) -> list[str]:
    """Return the command that serves ``notebook`` with Voilà on :data:`HOST`:``port``.

    ``port_retries=0`` makes Voilà fail rather than silently move to another port, so the address
    printed is the one served.
    """
    return [sys.executable, "-m", "voila", str(notebook), "--no-browser",
            f"--port={port}", f"--Voila.ip={HOST}", "--Voila.port_retries=0",
            f"--template={TEMPLATE}", "--theme=light"]


def voila_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment for Voilà: ``base`` (default ``os.environ``) with prioslo's template
    folder first on ``JUPYTER_PATH``."""
    env = dict(os.environ if base is None else base)
    paths = [str(JUPYTER_DATA_DIR)] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    return env


def dashboard_notebook(folder: Path, data_dir: Path | str | None, suppress_below: int) -> Path:
    """Return the notebook to serve: the explorer itself, or a copy with the given parameters.

    Voilà has no papermill parameters, so a non-default ``data_dir`` or ``suppress_below`` is
    injected into a copy of ``explore.ipynb`` (papermill's ``injected-parameters`` cell) written
    to ``folder``.
    """
    import nbformat

    from prioslo.explore import EXPLORE_NOTEBOOK, parameterized_explorer

    if data_dir is None and suppress_below == 5:
        return EXPLORE_NOTEBOOK
    nb = parameterized_explorer(data_dir, suppress_below)
    path = Path(folder) / EXPLORE_NOTEBOOK.name
    nbformat.write(nb, path)
    return path


@dataclass
class Dashboard:
    """A running Voilà server (see :func:`start_dashboard`)."""

    process: subprocess.Popen
    port: int
    log_path: Path
    workdir: Path
    _closed: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        """The address to open, e.g. ``http://127.0.0.1:8866/``."""
        return f"http://{HOST}:{self.port}/"

    def log_text(self) -> str:
        """Return what Voilà has written to its log so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def wait_until_up(self, timeout: float = 60.0) -> None:
        """Block until the server answers HTTP, at most ``timeout`` seconds.

        Only the server is awaited; the notebook runs when a browser opens the page.

        Raises
        ------
        PriosloError
            Voilà exited, or did not answer within ``timeout`` (its log is quoted).
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PriosloError(f"Voilà exited with status {self.process.returncode}:\n{self.log_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}voila/static/voila.js", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise PriosloError(f"Voilà did not answer on {self.url} within {timeout:.0f} s:\n{self.log_text()[-2000:]}")

    def stop(self, timeout: float = 20.0) -> None:
        """Stop Voilà (SIGTERM: it shuts its kernels down), killing it after ``timeout`` seconds."""
        if self._closed:
            return
        self._closed = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log.warning("Voilà did not stop within %.0f s; killing process %d", timeout, self.process.pid)
                self.process.kill()
                self.process.wait(timeout=timeout)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Dashboard:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_dashboard(port: int = DEFAULT_PORT, data_dir: Path | str | None = None,
                    suppress_below: int = 5) -> Dashboard:
    """Start Voilà on the explorer notebook in a child process and return at once.

    Parameters
    ----------
    port : int, default 8866
        Preferred port; another free port is taken when it is in use (0: any free port).
    data_dir, suppress_below
        As for :func:`prioslo.explore.explorer`.

    Returns
    -------
    Dashboard
        Call :meth:`Dashboard.wait_until_up`, and :meth:`Dashboard.stop` when done (or use it as
        a context manager). Voilà's output goes to ``<workdir>/voila.log``.
    """
    workdir = Path(tempfile.mkdtemp(prefix="prioslo-dashboard-"))
    notebook = dashboard_notebook(workdir, data_dir, suppress_below)
    chosen = free_port(port)
    log_path = workdir / "voila.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(voila_command(notebook, chosen), env=voila_env(), cwd=notebook.parent,
                                   stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.info("started Voilà (process %d) on port %d", process.pid, chosen)
    return Dashboard(process=process, port=chosen, log_path=log_path, workdir=workdir)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``python -m prioslo.dashboard``."""
    parser = argparse.ArgumentParser(prog="python -m prioslo.dashboard",
                                     description="Serve the bydel explorer with Voilà on localhost.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"preferred port (default {DEFAULT_PORT}; a free one is taken if it is in use)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder with the raw extracts (default: the shipped sample in data/raw)")
    parser.add_argument("--suppress-below", type=int, default=5, metavar="N",
                        help="suppress person counts below N, as in the report (default 5; 0 turns it off)")
    parser.add_argument("--startup-timeout", type=float, default=120.0, metavar="SECONDS",
                        help="how long to wait for Voilà to answer (default 120)")
    return parser


def _raise_interrupt(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """Run the dashboard until Ctrl-C: ``make explore``.

    Returns
    -------
    int
        0 after Ctrl-C, 1 when Voilà failed to start or stopped by itself, 2 for bad options.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if args.data_dir is not None and not Path(args.data_dir).is_dir():
        print(f"prioslo dashboard: error: --data-dir {args.data_dir} is not a folder", file=sys.stderr)
        return 2
    # Ctrl-C must stop the dashboard even when started from a shell that ignores SIGINT in
    # background jobs; SIGTERM (a service manager, `kill`) stops it the same clean way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    dashboard = start_dashboard(args.port, args.data_dir, args.suppress_below)
    try:
        dashboard.wait_until_up(args.startup_timeout)
        print(f"Dashboard: {dashboard.url}", flush=True)
        print("Open the address in a browser; Ctrl-C stops the dashboard.", flush=True)
        status = dashboard.process.wait()
        print(f"prioslo dashboard: Voilà stopped (status {status}):\n{dashboard.log_text()[-2000:]}",
              file=sys.stderr)
        return 1
    except PriosloError as exc:
        print(f"prioslo dashboard: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping the dashboard...", file=sys.stderr)
        return 0
    finally:
        dashboard.stop()


if __name__ == "__main__":
    sys.exit(main())
