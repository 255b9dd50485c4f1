"""Helpers for the browser tests: the system Chromium driven by Playwright, offline.

Playwright never downloads a browser here: the tests drive Debian's Chromium at
``/usr/bin/chromium`` (``.ci/run`` installs it on a fresh CI machine). Where it is missing the
tests skip with the install instruction. Every page is loaded with the network blocked except
what the test allows (``file:``/``data:`` for the report, the dashboard's own loopback address),
and every blocked request is recorded, so a test can assert that nothing tried to reach a CDN.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium, which the tests drive."""

INSTALL_HINT = ("Chromium is not installed: install it with `apt-get install chromium` (Debian/Ubuntu) "
                "— the tests drive the system Chromium via Playwright")

CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")
"""Flags that keep Chromium from calling Google's services (refused on a closed network) and let
it run as root in a container."""

TIMEOUT_MS = 60_000
"""Upper bound for any single browser wait (navigation, selector); never a timed assertion."""


def chromium_path() -> Path | None:
    """Return the Chromium executable (``PRIOSLO_CHROMIUM`` overrides), or None when there is none."""
    override = os.environ.get("PRIOSLO_CHROMIUM")
    for candidate in (override, str(CHROMIUM), shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def require_chromium() -> Path:
    """Return the Chromium executable, or skip the test with :data:`INSTALL_HINT`."""
    path = chromium_path()
    if path is None:
        pytest.skip(INSTALL_HINT)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        pytest.skip("playwright is not installed: run `make install` (it is in the dev dependencies)")
    return path


@contextlib.contextmanager
def browser_context(viewport: tuple[int, int] = (1280, 900)) -> Iterator[object]:
    """Start Chromium with a fresh, empty profile and yield a Playwright ``BrowserContext``.

    The profile folder and the browser are removed/closed on exit, whatever happened.
    """
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    profile = tempfile.mkdtemp(prefix="prioslo-chromium-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=str(executable), headless=True, args=list(CHROMIUM_ARGS),
                viewport={"width": viewport[0], "height": viewport[1]}, timeout=TIMEOUT_MS)
            context.set_default_timeout(TIMEOUT_MS)
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class PageWatch:
    """What happened on a page: requests let through and blocked, console errors, page errors."""

    allowed: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Everything a clean offline page load must not show (empty when all is well)."""
        return ([f"blocked request: {u}" for u in self.blocked]
                + [f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors])


def watch_page(page, allow: Callable[[str], bool]) -> PageWatch:
    """Abort every request of ``page`` that ``allow`` rejects, and record console and page errors.

    Parameters
    ----------
    page : playwright.sync_api.Page
    allow : callable
        ``allow(url) -> bool``; anything else is aborted (and recorded in ``blocked``).
    """
    watch = PageWatch()

    def route(r):
        url = r.request.url
        if allow(url):
            watch.allowed.append(url)
            r.continue_()
        else:
            watch.blocked.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    return watch


def only_local_files(url: str) -> bool:
    """Allow ``file:`` and ``data:`` URLs only (an offline, self-contained page)."""
    return url.startswith(("file:", "data:"))


def only_host(base_url: str) -> Callable[[str], bool]:
    """Allow the server at ``base_url`` (http and its websockets) and ``data:``/``blob:`` URLs only."""
    origin = re.match(r"^https?://[^/]+", base_url).group(0)
    ws_origin = "ws" + origin[len("http"):]

    def allow(url: str) -> bool:
        return url.startswith(("data:", "blob:")) or url == origin or url.startswith((origin + "/", ws_origin + "/"))

    return allow


_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9][^\s"'<>)]*""")
_REQUESTING = re.compile(r"""(?:\b(?:src|href|srcset|poster|data|action)\s*=\s*["']?"""
                         r"""|url\(\s*["']?|@import\s+["']|import\(\s*["'])"""
                         r"""((?:https?:)?//[^\s"'<>)]+)""", re.I)


def external_urls(text: str) -> list[str]:
    """Return the addresses on other hosts that an HTML page would load or link to.

    Every ``http(s)://`` address outside CSS/JS block comments, plus protocol-relative
    (``//host/...``) addresses in ``src``/``href``/``url()``/``@import``/``import()``. Base64
    data cannot hide one (its alphabet has no ``:``), and licence URLs in comments are not
    requests. The order is the order of appearance; an empty list means a self-contained page.
    """
    stripped = _COMMENT.sub("", text)
    found: list[tuple[int, str]] = [(m.start(), m.group(0)) for m in _URL.finditer(stripped)
                                    if m.group(0).startswith("http")]
    found += [(m.start(1), m.group(1)) for m in _REQUESTING.finditer(stripped) if m.group(1).startswith("//")]
    return [url for _pos, url in sorted(found)]
