"""Warm Jupyter kernels: execute many notebooks without paying a kernel start and the imports each time.

A plain papermill run starts a kernel, imports pandas, matplotlib and seaborn into it, runs the
notebook and shuts the kernel down: about two seconds of fixed cost per chapter before the
chapter's own first line, 96 times for ``--all-bydeler``. A :class:`KernelPool` instead starts
one kernel per worker thread once, imports the heavy modules into it once (:data:`WARM_MODULES`),
and runs each notebook in it after resetting the kernel to the state of a fresh one:

* the user namespace is cleared and the execution counter restarts at 1 (IPython's
  ``reset(new_session=True)``), so the cells are numbered as in a fresh kernel;
* open figures are closed and matplotlib's settings restored to those right after the warm-up;
* the warning filters are restored and every «already shown» warning registry invalidated, so a
  warning appears in each notebook that triggers it, as it would in a fresh kernel;
* the working directory is set to the notebook's folder.

The notebook itself is executed by papermill (its parameter injection, metadata, per-cell timing
and error marker cell) through a papermill engine that runs on the already started kernel; only
the kernel start and the imports are shared. A kernel that died is replaced before the next
notebook. Kernels are stopped with a shutdown request and waited for: jupyter_client's
``shutdown_kernel`` first sends SIGINT, which ipykernel logs as «KeyboardInterrupt caught in
kernel» when the signal lands while it handles a message.

Only the standard library is imported at module level: the kernel imports this module for
:func:`kernel_warm_up` and :func:`kernel_reset`, and the build's no-op path imports it too.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path

log = logging.getLogger(__name__)

WARM_MODULES: tuple[str, ...] = (
    "pandas", "pyarrow.parquet", "matplotlib.pyplot", "seaborn", "IPython.display",
    "prioslo.report", "prioslo.plotting", "prioslo.formatting", "prioslo.scorecard",
)
"""Imported into each kernel once, before its first notebook (what every chapter imports)."""

ENGINE_NAME = "prioslo-warm-kernel"
"""Name under which the warm-kernel engine is registered with papermill."""

HISTORY_IN_MEMORY = "--HistoryManager.hist_file=:memory:"
"""What nbclient passes to every kernel it starts: no IPython history database on disk."""

_local = threading.local()
_engine_lock = threading.Lock()
_engine_registered = False


def skip_unused_imports() -> None:
    """Spare this process a slow import that nothing here uses (about 0.8 s of every build).

    ``jsonschema``, which nbformat imports, loads ``rfc3987_syntax`` when it is installed (it is,
    through JupyterLab) and builds a grammar for checking the JSON-schema ``iri`` format. No
    notebook schema uses that format, so the build marks the module as unavailable, and
    jsonschema leaves that one format check out. Has no effect once jsonschema is imported.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def current_kernel() -> WarmKernel | None:
    """The warm kernel of the calling pool worker thread (None outside a :class:`KernelPool`)."""
    return getattr(_local, "kernel", None)


# --------------------------------------------------------------------------- inside the kernel

_STATE: dict = {}


def kernel_warm_up(modules: Sequence[str]) -> None:
    """Run INSIDE a kernel: import ``modules`` and remember the state each notebook starts from.

    A module that cannot be imported is skipped: the notebook that needs it fails with its own,
    clear error.
    """
    import importlib
    import warnings

    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - reported by the notebook that imports it
            pass
    _STATE["warnings"] = list(warnings.filters)
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        rc = dict(mpl.rcParams.copy())
        rc.pop("backend", None)
        _STATE["rc"] = rc


def kernel_reset(cwd: str) -> None:
    """Run INSIDE a kernel: bring it back to the state of a fresh kernel after the warm-up."""
    import warnings

    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)  # empty namespace, execution count back to 1
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    mpl = sys.modules.get("matplotlib")
    if mpl is not None and "rc" in _STATE:
        mpl.rcParams.update(_STATE["rc"])
    if "warnings" in _STATE:
        warnings.resetwarnings()  # also invalidates every module's «already warned» registry
        warnings.filters[:] = _STATE["warnings"]
    os.chdir(cwd)


# --------------------------------------------------------------------------- fresh kernels

_clean_manager = None


def clean_shutdown_kernel_manager() -> type:
    """An ``AsyncKernelManager`` whose graceful shutdown does not send SIGINT first.

    jupyter_client interrupts a kernel before asking it to shut down (so that a busy kernel gets
    to the request); ipykernel logs «KeyboardInterrupt caught in kernel» when the signal lands
    while it handles a message, which a build log then shows as an error although nothing went
    wrong. After a notebook has run the kernel is idle, so the shutdown request alone suffices;
    a kernel that does not stop is still killed after jupyter_client's wait. For the fresh
    kernels papermill starts (``kernel_manager_class``); the warm kernels shut down the same way.
    """
    global _clean_manager
    if _clean_manager is None:
        from jupyter_client.manager import AsyncKernelManager

        class CleanShutdownKernelManager(AsyncKernelManager):
            _graceful_shutdown = False

            async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
                self._graceful_shutdown = not now
                try:
                    await super()._async_shutdown_kernel(now=now, restart=restart)
                finally:
                    self._graceful_shutdown = False

            async def _async_interrupt_kernel(self) -> None:
                if not self._graceful_shutdown:
                    await super()._async_interrupt_kernel()

            shutdown_kernel = _async_shutdown_kernel
            interrupt_kernel = _async_interrupt_kernel

        _clean_manager = CleanShutdownKernelManager
    return _clean_manager


# --------------------------------------------------------------------------- papermill engine

def _register_engine() -> str:
    """Register (once) the papermill engine that executes on a given, running kernel."""
    global _engine_registered
    with _engine_lock:
        if _engine_registered:
            return ENGINE_NAME
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import NBClientEngine, papermill_engines
        from papermill.log import logger as pm_logger

        class WarmKernelEngine(NBClientEngine):
            """papermill's nbclient engine on an already started kernel and client (``km``, ``kc``)."""

            @classmethod
            def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                         stderr_file=None, start_timeout=60, execution_timeout=None,
                                         km=None, kc=None, **kwargs):
                client = PapermillNotebookClient(
                    nb_man, km=km, kernel_name=kernel_name, log=pm_logger, log_output=log_output,
                    stdout_file=stdout_file, stderr_file=stderr_file, startup_timeout=start_timeout,
                    timeout=execution_timeout)
                client.kc = kc  # reuse the running client: nbclient then neither starts nor stops anything
                return client.execute()

        papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
        _engine_registered = True
    return ENGINE_NAME


# --------------------------------------------------------------------------- one kernel

class KernelError(RuntimeError):
    """The warm-up or reset code failed in the kernel."""


class WarmKernel:
    """One long-lived kernel that executes notebooks one after the other, reset in between.

    Every method must be called from the thread that called :meth:`start` (the kernel client's
    sockets belong to that thread's event loop).

    Parameters
    ----------
    kernel_name : str
        Jupyter kernel to start.
    cwd : path
        Working directory the kernel starts in.
    config : traitlets Config, optional
        Kernel manager configuration (e.g. transport encryption).
    warm_modules : sequence of str
        Modules imported once after the start.
    """

    def __init__(self, kernel_name: str, cwd: Path | str, config=None,
                 warm_modules: Sequence[str] = WARM_MODULES, startup_timeout: float = 60):
        self.kernel_name = kernel_name
        self.cwd = str(cwd)
        self.config = config
        self.warm_modules = tuple(warm_modules)
        self.startup_timeout = startup_timeout
        self.km = None
        self.kc = None
        self.notebooks = 0
        """Notebooks executed so far."""

    def start(self) -> WarmKernel:
        """Start the kernel, wait until it answers, import :attr:`warm_modules`."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import ensure_event_loop, run_sync

        ensure_event_loop()
        kwargs = {"kernel_name": self.kernel_name}
        if self.config is not None:
            kwargs["config"] = self.config
        self.km = AsyncKernelManager(**kwargs)
        run_sync(self.km.start_kernel)(cwd=self.cwd, extra_arguments=[HISTORY_IN_MEMORY])
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
        self.kc.allow_stdin = False
        self.run_code(f"import prioslo.kernelpool as _k; _k.kernel_warm_up({list(self.warm_modules)!r}); del _k")
        return self

    def run_code(self, code: str, timeout: float = 600) -> None:
        """Execute ``code`` silently (no output, no history, no execution count); raise on error."""
        from jupyter_core.utils import run_sync

        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            reply = run_sync(self.kc.get_shell_msg)(timeout=max(deadline - time.monotonic(), 0.1))
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise KernelError(f"{content.get('ename', 'error')}: {content.get('evalue', '')}")

    def reset(self, cwd: Path | str | None = None) -> None:
        """Bring the kernel back to its state right after the warm-up (see the module docstring)."""
        self.run_code(f"import prioslo.kernelpool as _k; _k.kernel_reset({str(cwd or self.cwd)!r})")

    def execute_notebook(self, notebook: Path | str, output: Path | str, parameters: Mapping,
                         cwd: Path | str | None = None) -> None:
        """Execute a notebook with papermill on this kernel (raises as ``papermill.execute_notebook``).

        Per-cell saving is off: papermill still writes the notebook when it finishes and, with
        the error marker and the failing cell's traceback, before it raises.
        """
        import papermill

        self.reset(cwd)
        self.notebooks += 1
        papermill.execute_notebook(str(notebook), str(output), parameters=dict(parameters),
                                   engine_name=_register_engine(), km=self.km, kc=self.kc,
                                   kernel_name=self.kernel_name, language="python", progress_bar=False,
                                   log_output=False, request_save_on_cell_execute=False)

    def alive(self) -> bool:
        """True while the kernel process runs."""
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def interrupt(self) -> None:
        """Interrupt the cell the kernel is running (used when the build is stopped)."""
        from jupyter_core.utils import run_sync

        if self.km is not None:
            try:
                run_sync(self.km.interrupt_kernel)()
            except Exception as exc:  # noqa: BLE001 - best effort while stopping
                log.debug("interrupting the kernel: %s", exc)

    def shutdown(self, timeout: float = 5, grace: float = 0.5) -> None:
        """Stop the kernel cleanly, never with SIGINT.

        A shutdown request; once the kernel has answered it, it has finished all its work (the
        protocol's promise) and gets ``grace`` seconds to exit on its own (it usually needs a
        tenth of that). ipykernel 7 now and then does not exit after answering (its main thread
        waits for the threads that forward the output pipes); it is then ended with SIGKILL
        rather than waited for, which would otherwise add seconds to a build. A kernel that does
        not answer within ``timeout`` is ended the same way, with a warning.
        """
        from jupyter_core.utils import run_sync

        if self.km is None:
            return
        try:
            if self.alive():
                started = time.monotonic()
                answered = self._shutdown_request(timeout)
                deadline = time.monotonic() + grace
                while self.alive() and time.monotonic() < deadline:
                    time.sleep(0.02)
                if self.alive():
                    if answered:
                        log.debug("kernel %s answered the shutdown request but did not exit; ending it",
                                  self.km.kernel_id)
                    else:
                        log.warning("kernel %s did not answer the shutdown request within %.0f s; ending it",
                                    self.km.kernel_id, timeout)
                    run_sync(self.km.signal_kernel)(signal.SIGKILL)
                    run_sync(self.km.finish_shutdown)(waittime=grace)
                log.debug("kernel %s stopped in %.2f s", self.km.kernel_id, time.monotonic() - started)
        finally:
            if self.kc is not None:
                self.kc.stop_channels()
            run_sync(self.km.cleanup_resources)()
            self.km = self.kc = None

    def _shutdown_request(self, timeout: float) -> bool:
        """Send a shutdown request; True when the kernel answered it within ``timeout``."""
        import queue as queues

        from jupyter_core.utils import run_sync

        msg_id = self.kc.shutdown()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                reply = run_sync(self.kc.control_channel.get_msg)(timeout=max(deadline - time.monotonic(), 0.01))
            except (queues.Empty, TimeoutError):
                return False
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return True
        return False


# --------------------------------------------------------------------------- the pool

class KernelPool:
    """Worker threads with one warm kernel each; submitted calls run with that kernel as current.

    The kernels start as soon as the pool is made (in the background), so they boot while the
    caller does other work. A call submitted with :meth:`submit` runs in a worker thread where
    :func:`current_kernel` returns that worker's kernel. Use as a context manager: leaving it
    shuts every kernel down cleanly; leaving it with an exception (e.g. Ctrl-C) cancels the
    calls not started yet and interrupts the running ones first.

    Parameters
    ----------
    workers : int
        Number of worker threads (= kernels).
    kernel_name, cwd, config, warm_modules
        As for :class:`WarmKernel` (``warm_modules`` None: :data:`WARM_MODULES`).
    """

    def __init__(self, workers: int, kernel_name: str, cwd: Path | str, config=None,
                 warm_modules: Sequence[str] | None = None):
        self.workers = max(1, int(workers))
        modules = WARM_MODULES if warm_modules is None else warm_modules
        self._spec = (kernel_name, cwd, config, tuple(modules))
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._kernels: list[WarmKernel] = []
        self._busy: set = set()
        self._lock = threading.Lock()
        self._closed = False
        self.kernel_starts = 0
        """Kernels started so far (more than :attr:`workers` when one died and was replaced)."""
        self._threads = [threading.Thread(target=self._work, name=f"prioslo-kernel-{i + 1}", daemon=True)
                         for i in range(self.workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable, *args) -> Future:
        """Schedule ``fn(*args)`` on the next free worker; return its future."""
        if self._closed:
            raise RuntimeError("the kernel pool is closed")
        future: Future = Future()
        self._queue.put((future, fn, args))
        return future

    def _start_kernel(self) -> WarmKernel | None:
        name, cwd, config, modules = self._spec
        kernel = WarmKernel(name, cwd, config, modules)
        started = time.perf_counter()
        try:
            kernel.start()
        except Exception as exc:  # noqa: BLE001 - chapters then run in fresh kernels, as plain papermill does
            log.warning("could not start a warm %s kernel (%s); notebooks run in fresh kernels", name, exc)
            try:
                kernel.shutdown(timeout=2)
            except Exception:  # noqa: BLE001
                pass
            return None
        with self._lock:
            self._kernels.append(kernel)
            self.kernel_starts += 1
        log.debug("%s: kernel ready in %.1f s", threading.current_thread().name, time.perf_counter() - started)
        return kernel

    def _work(self) -> None:
        kernel = self._start_kernel()
        _local.kernel = kernel
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    break
                future, fn, args = item
                if not future.set_running_or_notify_cancel():
                    continue
                if kernel is not None and not kernel.alive():
                    log.warning("%s: the kernel died; starting a new one", threading.current_thread().name)
                    self._drop(kernel)
                    kernel = _local.kernel = self._start_kernel()
                with self._lock:
                    self._busy.add(kernel)
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    future.set_exception(exc)
                finally:
                    with self._lock:
                        self._busy.discard(kernel)
        finally:
            _local.kernel = None
            if kernel is not None:
                self._drop(kernel)

    def _drop(self, kernel: WarmKernel) -> None:
        try:
            kernel.shutdown()
        except Exception as exc:  # noqa: BLE001 - a kernel that will not stop must not stop the build
            log.warning("stopping a kernel: %s", exc)
        with self._lock:
            if kernel in self._kernels:
                self._kernels.remove(kernel)

    def drain(self) -> None:
        """No more calls will come: each worker shuts its kernel down as soon as the queue is empty.

        Call it after the last :meth:`submit`, so the kernels stop while the caller still works
        (e.g. stitches the last report) instead of afterwards.
        """
        if not self._closed:
            self._closed = True
            for _ in self._threads:
                self._queue.put(None)

    def close(self, cancel: bool = False, timeout: float = 30) -> None:
        """Let the workers finish (or, with ``cancel``, drop queued calls and interrupt running
        ones), then shut the kernels down and wait for the threads."""
        if cancel:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
            with self._lock:
                busy = [k for k in self._busy if k is not None]
            for kernel in busy:  # only a kernel running a notebook: an idle one is about to stop
                kernel.interrupt()
        self.drain()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.1))

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(cancel=exc_type is not None)
