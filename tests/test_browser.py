"""The report and the explorer in a real browser: Debian's Chromium driven by Playwright, offline.

(a) The stitched report opens from disk with every request that is not ``file:`` or ``data:``
    aborted: every figure decodes, every table-of-contents link lands on its chapter, and the
    console shows no error.
(b) The Voilà dashboard loads with every request to another host aborted; choosing another bydel
    changes the figure.
(c) The explorer exported to static HTML renders its widgets from the vendored renderer, offline.

Screenshots go to ``outputs/screenshots/``. Without Chromium the tests skip and say how to install
it. Every wait is bounded (``browser_support.TIMEOUT_MS``); nothing asserts on elapsed time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import (TIMEOUT_MS, browser_context, only_host, only_local_files, require_chromium,
                             watch_page)
from fixtures_build import build_root, oslo_build, sample_dir  # noqa: F401 - shared session fixtures

from prioslo import paths

pytestmark = pytest.mark.browser

SCREENSHOTS = paths.OUTPUTS_DIR / "screenshots"


def _screenshot(page, name: str, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture(scope="module")
def context():
    """One Chromium (fresh profile) for the module; skips with the install hint when missing."""
    require_chromium()
    with browser_context() as ctx:
        yield ctx


# --- (a) the stitched report -------------------------------------------------------------


@pytest.fixture(scope="module")
def report_html(oslo_build) -> Path:
    """``oslo/report.html`` of the shared session build of the shipped sample (tests/fixtures_build.py)."""
    report = oslo_build / "report.html"
    assert report.is_file(), f"the build left no {report}"
    return report


@pytest.mark.slow
def test_report_offline_figures_toc_and_console(context, report_html):
    from playwright.sync_api import expect

    page = context.new_page()
    watch = watch_page(page, only_local_files)
    page.goto(report_html.resolve().as_uri(), wait_until="load")

    images = page.evaluate("""() => [...document.images].map(i => ({
        src: i.currentSrc.slice(0, 40), complete: i.complete, width: i.naturalWidth, alt: i.alt}))""")
    assert images, "the report shows no figure"
    broken = [i for i in images if not (i["complete"] and i["width"] > 0)]
    assert broken == [], f"figures that did not render: {broken}"
    assert all(i["alt"].strip() for i in images), "every figure needs alt text"

    links = page.locator('nav.prioslo-toc a[href^="#"]')
    hrefs = links.evaluate_all("(as) => as.map(a => a.getAttribute('href'))")
    assert len(hrefs) >= 2, "the table of contents lists no chapters"
    missing = [h for h in hrefs if page.locator(f"[id='{h[1:]}']").count() != 1]
    assert missing == [], f"table-of-contents links without exactly one target: {missing}"
    for i, href in enumerate(hrefs):
        links.nth(i).click()
        assert page.evaluate("location.hash") == href
        expect(page.locator(f"[id='{href[1:]}']")).to_be_in_viewport(timeout=10_000)

    page.evaluate("window.scrollTo(0, 0)")
    _screenshot(page, "report.png", full_page=False)  # the title page and contents; the whole report is very tall
    assert watch.problems() == []
    page.close()


# --- (b) the dashboard -------------------------------------------------------------------


@pytest.fixture(scope="module")
def dashboard(sample_dir):
    """Voilà on the explorer notebook over a private copy of the sample, on a free port.

    Always stopped by the finaliser (Voilà shuts its kernels down).
    """
    require_chromium()
    from prioslo.dashboard import start_dashboard

    running = start_dashboard(port=0, data_dir=sample_dir)
    try:
        running.wait_until_up(timeout=120)
        yield running
    finally:
        running.stop()


FIGURE = ".prioslo-explorer .widget-output img"


def test_dashboard_loads_offline_and_another_bydel_changes_the_figure(context, dashboard):
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 1500})  # Voilà scrolls inside the page: show it all
    watch = watch_page(page, only_host(dashboard.url))
    page.goto(dashboard.url, wait_until="load", timeout=TIMEOUT_MS)
    # Voilà runs the notebook when the page is requested (the sample data are prepared then).
    page.wait_for_selector(FIGURE, timeout=3 * TIMEOUT_MS)
    before = page.locator(FIGURE).get_attribute("src")
    assert page.locator(FIGURE).evaluate("i => i.naturalWidth") > 0
    _screenshot(page, "dashboard.png")

    select = page.locator(".prioslo-explorer .widget-select-multiple select")
    options = select.locator("option").all_inner_texts()
    assert len(options) >= 2
    chosen = page.locator(".prioslo-explorer .widget-select-multiple select").evaluate(
        "s => [...s.selectedOptions].map(o => o.textContent)")
    other = next(o for o in options if o not in chosen)
    select.select_option(label=other)
    page.wait_for_function("([sel, old]) => { const i = document.querySelector(sel);"
                           " return i && i.src !== old && i.complete && i.naturalWidth > 0; }",
                           arg=[FIGURE, before], timeout=TIMEOUT_MS)
    after = page.locator(FIGURE)
    assert after.get_attribute("src") != before
    assert other in after.get_attribute("alt")
    _screenshot(page, "dashboard-other-bydel.png")
    assert watch.problems() == []
    assert not any(u.startswith(("http://", "https://")) and not u.startswith(dashboard.url[:-1])
                   for u in watch.allowed)
    page.close()


# --- (c) the exported explorer -----------------------------------------------------------


def test_exported_explorer_renders_offline_from_the_vendored_renderer(context, tmp_path):
    import nbformat

    from prioslo.explore import export_widget_notebook_html

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import pandas as pd\n"
        "from prioslo.explore import Explorer\n"
        "df = pd.DataFrame([('residents', 'Alna', '2021', 10, False), ('residents', 'Alna', '2022', 12, False),\n"
        "                   ('residents', 'Bjerke', '2021', 7, False), ('residents', 'Bjerke', '2022', None, True)],\n"
        "                  columns=['indicator', 'group', 'period', 'value', 'suppressed'])\n"
        "Explorer(df, 5)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    exported = export_widget_notebook_html(nb, tmp_path / "explorer.html")

    page = context.new_page()
    watch = watch_page(page, only_local_files)
    page.goto(exported.as_uri(), wait_until="load")
    page.wait_for_selector(FIGURE, timeout=TIMEOUT_MS)
    assert page.locator(FIGURE).evaluate("i => i.complete && i.naturalWidth > 0")
    assert page.locator(".prioslo-explorer .widget-select-multiple select option").all_inner_texts() == [
        "Alna", "Bjerke"]
    _screenshot(page, "explorer-export.png")
    assert watch.problems() == []
    page.close()


# --- the skip message where Chromium is missing ------------------------------------------


def test_missing_chromium_skips_with_the_install_instruction(monkeypatch, tmp_path):
    import browser_support

    monkeypatch.delenv("PRIOSLO_CHROMIUM", raising=False)
    monkeypatch.setattr(browser_support, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(browser_support.shutil, "which", lambda _name: None)
    assert browser_support.chromium_path() is None
    with pytest.raises(pytest.skip.Exception, match=r"install it with `apt-get install chromium` \(Debian/Ubuntu\)"):
        browser_support.require_chromium()
