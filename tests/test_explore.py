"""The bydel explorer: the selection it plots, its Norwegian output, the widget wiring, offline export.

Everything runs on a small hand-made indicator frame (not the sample data), so the expected
numbers below are written from the frame, not from what the code printed.
"""

from __future__ import annotations

import hashlib
import json
import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from prioslo import explore
from prioslo.explore import Explorer, explorer_frame, explorer_html, explorer_table
from browser_support import external_urls
from fixtures_build import sample_dir  # noqa: F401 - shared session fixture (a private copy of the sample)

NBSP = "\u00a0"
RESIDENTS = "Personer som har bodd i institusjon i året"  # catalogue label of `residents`


def _frame() -> pd.DataFrame:
    """A suppressed long indicator frame: Bjerke 2022 is suppressed (value already blanked)."""
    rows = [
        ("residents", "Alna", "2021", 10, False),
        ("residents", "Alna", "2022", 12, False),
        ("residents", "Alna", "2023", 15, False),
        ("residents", "Bjerke", "2021", 7, False),
        ("residents", "Bjerke", "2022", np.nan, True),
        ("residents", "Bjerke", "2023", 9, False),
        ("residents", "Uoppgitt", "2023", 96, False),
        ("residents", "Oslo", "2021", 1100, False),
        ("residents", "Oslo", "2022", 1110, False),
        ("residents", "Oslo", "2023", 1120, False),
        ("life_quality_mean", "Alna", "2023", 3.94, False),
        ("life_quality_mean", "Oslo", "2023", 3.5, False),
        ("colocated_units", "Alna", "2023-12", 20, False),
        ("colocated_units", "Alna", "2024-06", 22, False),
        ("rental_units", "Oslo", "2023", 11384, False),          # Oslo only: not explorable by bydel
        ("institution_places", "kommunal", "2023", 300, False),  # institution group only
    ]
    return pd.DataFrame(rows, columns=["indicator", "group", "period", "value", "suppressed"])


# --- explorer_frame ----------------------------------------------------------------------


def test_frame_selects_indicator_groups_and_years_in_report_order():
    out = explorer_frame(_frame(), ["Bjerke", "Alna"], "residents", (2022, 2023), compare_oslo=False)
    assert list(out.columns) == ["group", "period", "value", "suppressed"]
    # Bydeler in report order (Alna before Bjerke, whatever the selection order), then periods.
    assert list(zip(out["group"], out["period"])) == [("Alna", "2022"), ("Alna", "2023"),
                                                      ("Bjerke", "2022"), ("Bjerke", "2023")]
    assert out["value"].tolist()[:2] == [12.0, 15.0]
    assert np.isnan(out["value"].iloc[2]) and out["value"].iloc[3] == 9.0
    assert out["suppressed"].tolist() == [False, False, True, False]


def test_frame_adds_oslo_last_when_compared():
    out = explorer_frame(_frame(), ["Alna"], "residents", (2023, 2023), compare_oslo=True)
    assert list(zip(out["group"], out["value"])) == [("Alna", 15.0), ("Oslo", 1120.0)]
    out = explorer_frame(_frame(), ["Alna"], "residents", (2023, 2023), compare_oslo=False)
    assert out["group"].tolist() == ["Alna"]


def test_frame_uoppgitt_sorts_after_the_bydeler():
    out = explorer_frame(_frame(), ["Uoppgitt", "Bjerke"], "residents", (2023, 2023), compare_oslo=True)
    assert out["group"].tolist() == ["Bjerke", "Uoppgitt", "Oslo"]


def test_frame_never_shows_the_value_of_a_suppressed_row():
    df = _frame()
    df.loc[(df["group"] == "Bjerke") & (df["period"] == "2022"), "value"] = 3  # not blanked upstream
    before = df.copy()
    out = explorer_frame(df, ["Bjerke"], "residents", (2022, 2022), compare_oslo=False)
    assert out["suppressed"].tolist() == [True]
    assert np.isnan(out["value"].iloc[0])
    pd.testing.assert_frame_equal(df, before)  # input untouched


def test_frame_filters_rounds_by_their_year():
    out = explorer_frame(_frame(), ["Alna"], "colocated_units", (2024, 2024), compare_oslo=False)
    assert out["period"].tolist() == ["2024-06"]
    assert out["value"].tolist() == [22.0]


def test_frame_without_suppressed_column_means_nothing_suppressed():
    df = _frame().drop(columns="suppressed")
    out = explorer_frame(df, ["Alna"], "residents", (2021, 2021), compare_oslo=False)
    assert out["suppressed"].tolist() == [False]
    assert out["value"].tolist() == [10.0]


def test_frame_rejects_a_reversed_year_range():
    with pytest.raises(ValueError, match="first <= last"):
        explorer_frame(_frame(), ["Alna"], "residents", (2023, 2021), compare_oslo=False)


def test_frame_empty_when_nothing_matches():
    out = explorer_frame(_frame(), [], "residents", (2021, 2023), compare_oslo=False)
    assert out.empty and list(out.columns) == ["group", "period", "value", "suppressed"]


def test_period_year():
    assert explore.period_year("2023") == 2023
    assert explore.period_year("2024-06") == 2024
    with pytest.raises(ValueError):
        explore.period_year("juni")


# --- table and HTML ----------------------------------------------------------------------


def test_table_is_periods_down_groups_across_with_norwegian_periods():
    sel = explorer_frame(_frame(), ["Alna"], "colocated_units", (2023, 2024), compare_oslo=False)
    values, suppressed = explorer_table(sel)
    assert values.index.tolist() == ["desember 2023", "juni 2024"]
    assert values.columns.tolist() == ["Alna"]
    assert values["Alna"].tolist() == [20.0, 22.0]
    assert not suppressed.to_numpy().any()


def test_html_shows_colon_and_the_note_for_a_suppressed_point():
    sel = explorer_frame(_frame(), ["Alna", "Bjerke"], "residents", (2021, 2023), compare_oslo=True)
    page = explorer_html(sel, "residents", threshold=5)
    assert page.count('<img src="data:image/png;base64,') == 1
    assert f'alt="Linjediagram: {RESIDENTS} for Alna, Bjerke og Oslo, 2021–2023.' in page
    cells = re.findall(r'<td class="num">([^<]*)</td>', page)
    # rows 2021, 2022, 2023; columns Alna, Bjerke, Oslo (thousands with a no-break space)
    assert cells == ["10", "7", f"1{NBSP}100", "12", ":", f"1{NBSP}110", "15", "9", f"1{NBSP}120"]
    assert ": = skjult av personvernhensyn (færre enn 5)" in page


def test_html_without_suppression_has_no_note():
    sel = explorer_frame(_frame(), ["Alna"], "residents", (2021, 2023), compare_oslo=False)
    assert "skjult av personvernhensyn" not in explorer_html(sel, "residents", threshold=5)


def test_html_formats_means_with_a_decimal_comma():
    sel = explorer_frame(_frame(), ["Alna"], "life_quality_mean", (2023, 2023), compare_oslo=True)
    cells = re.findall(r'<td class="num">([^<]*)</td>', explorer_html(sel, "life_quality_mean", 5))
    assert cells == ["3,9", "3,5"]


def test_html_for_an_empty_selection_says_what_to_do():
    empty = explorer_frame(_frame(), [], "residents", (2021, 2023), compare_oslo=False)
    assert "velg minst én bydel" in explorer_html(empty, "residents", 5)


# --- the widget --------------------------------------------------------------------------


def _shown(w: Explorer) -> str:
    (output,) = w.output.outputs
    return output["data"]["text/html"]


def test_widget_offers_only_indicators_with_bydel_groups_by_norwegian_label():
    w = Explorer(_frame(), threshold=5)
    assert [value for _label, value in w.indicator.options] == ["life_quality_mean", "residents",
                                                                "colocated_units"]
    assert (RESIDENTS, "residents") in w.indicator.options
    assert w.bydel.options == ("Alna", "Bjerke", "Uoppgitt")
    assert (w.years.min, w.years.max, w.years.value) == (2021, 2024, (2021, 2024))
    assert w.bydel.value == ("Alna",) and w.compare_oslo.value is False


def test_widget_rerenders_in_place_on_every_control():
    w = Explorer(_frame(), threshold=5)
    w.indicator.value = "residents"
    first = _shown(w)
    assert w.frame["group"].unique().tolist() == ["Alna"]

    w.bydel.value = ("Bjerke",)
    assert w.frame["group"].unique().tolist() == ["Bjerke"]
    assert _shown(w) != first and ": = skjult av personvernhensyn (færre enn 5)" in _shown(w)

    w.compare_oslo.value = True
    assert w.frame["group"].unique().tolist() == ["Bjerke", "Oslo"]

    w.years.value = (2023, 2023)
    assert w.frame["period"].unique().tolist() == ["2023"]
    assert w.frame["value"].tolist() == [9.0, 1120.0]
    assert len(w.output.outputs) == 1  # replaced, never appended


def test_widget_shows_an_error_instead_of_raising(monkeypatch):
    w = Explorer(_frame(), threshold=5)

    def boom(*_a, **_k):
        raise RuntimeError("no figure")

    monkeypatch.setattr(explore, "explorer_html", boom)
    w.bydel.value = ("Bjerke",)
    assert "Kunne ikke tegne figuren: no figure" in _shown(w)


# --- the notebook and the offline renderer -----------------------------------------------


def test_notebook_is_parameters_and_one_call():
    nb = nbformat.read(explore.EXPLORE_NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == 2
    assert code[0].metadata.get("tags") == ["parameters"]
    assert "data_dir = None" in code[0].source and "suppress_below = 5" in code[0].source
    assert "explorer(data_dir=data_dir, suppress_below=suppress_below)" in code[1].source
    assert nb.cells[0].source.startswith("# Utforsk bydelene")


def test_explore_notebook_is_not_a_report_chapter():
    from prioslo.chapters import CHAPTERS

    assert "explore" not in {c.slug for c in CHAPTERS}


def test_vendored_renderer_is_the_file_that_was_packed():
    data = explore.HTML_MANAGER_PATH.read_bytes()
    assert hashlib.sha256(data).hexdigest() == explore.HTML_MANAGER_SHA256


def test_renderer_script_is_a_data_url_not_a_cdn():
    tag = explore.html_manager_script()
    assert '<script src="data:text/javascript;base64,' in tag
    assert "http" not in tag.split("base64,")[0]


def test_renderer_script_refuses_a_changed_file(monkeypatch, tmp_path):
    fake = tmp_path / "embed.js"
    fake.write_text("console.log('not the vendored bundle')")
    monkeypatch.setattr(explore, "HTML_MANAGER_PATH", fake)
    from prioslo.errors import PriosloError

    with pytest.raises(PriosloError, match="sha256"):
        explore.html_manager_script()


def _small_explorer_notebook() -> nbformat.NotebookNode:
    """A notebook that shows the explorer over a two-bydel frame (no sample data needed)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Utforsk bydelene (test)"),
                nbformat.v4.new_code_cell(
                    "import pandas as pd\n"
                    "from prioslo.explore import Explorer\n"
                    "df = pd.DataFrame([('residents', 'Alna', '2021', 10, False),\n"
                    "                   ('residents', 'Alna', '2022', 12, False),\n"
                    "                   ('residents', 'Bjerke', '2021', 7, False),\n"
                    "                   ('residents', 'Bjerke', '2022', None, True)],\n"
                    "                  columns=['indicator', 'group', 'period', 'value', 'suppressed'])\n"
                    "Explorer(df, 5)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture(scope="session")
def exported_explorer(tmp_path_factory):
    """The small explorer notebook executed and exported to static HTML (one kernel run per session)."""
    return explore.export_widget_notebook_html(_small_explorer_notebook(),
                                               tmp_path_factory.mktemp("export") / "explorer.html")


def _widget_state(page: str) -> dict:
    match = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', page, re.S)
    assert match, "no widget state in the page"
    return json.loads(match.group(1))["state"]


def test_export_embeds_widget_state_and_the_local_renderer(exported_explorer):
    page = exported_explorer.read_text(encoding="utf-8")
    assert page.count('type="application/vnd.jupyter.widget-view+json"') == 1
    assert '<script src="data:text/javascript;base64,' in page
    state = _widget_state(page)
    (output,) = [m["state"] for m in state.values() if m["model_name"] == "OutputModel"]
    (shown,) = output["outputs"]
    # The Output widget's saved state carries the figure as first shown (Alna, 2021-2022).
    alt = "Linjediagram: Personer som har bodd i institusjon i året for Alna, 2021–2022."
    assert alt in shown["data"]["text/html"]
    (select,) = [m["state"] for m in state.values() if m["model_name"] == "SelectMultipleModel"]
    assert select["_options_labels"] == ["Alna", "Bjerke"]
    assert "import pandas" not in page  # no code in the page


def test_export_references_no_external_url(exported_explorer):
    page = exported_explorer.read_text(encoding="utf-8")
    assert external_urls(page) == []
    for cdn in ("unpkg", "jsdelivr", "cdnjs", "require.min.js", "mathjax"):
        assert cdn not in page.lower()


def test_external_urls_finds_what_the_default_export_would_load():
    page = ('<script src="https://unpkg.com/@jupyter-widgets/html-manager@*/dist/embed-amd.js"></script>'
            "<style>/* see https://example.org/ */ @import url('//fonts.example.com/x.css');</style>"
            '<link href="//cdn.example.com/a.css"><img src="data:image/png;base64,iVBO//w+">')
    assert external_urls(page) == ["https://unpkg.com/@jupyter-widgets/html-manager@*/dist/embed-amd.js",
                                   "//fonts.example.com/x.css", "//cdn.example.com/a.css"]


# --- the dashboard (the browser test loads it; these check how it is started) -----------


def test_voila_command_serves_on_loopback_without_a_browser():
    from prioslo import dashboard

    cmd = dashboard.voila_command(explore.EXPLORE_NOTEBOOK, 8123)
    assert cmd[1:3] == ["-m", "voila"] and str(explore.EXPLORE_NOTEBOOK) in cmd
    for arg in ("--no-browser", "--port=8123", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
                "--template=prioslo"):
        assert arg in cmd


def test_voila_env_puts_the_template_first_on_jupyter_path():
    import os

    from prioslo import dashboard

    env = dashboard.voila_env({"JUPYTER_PATH": "/a", "HOME": "/h"})
    assert env["JUPYTER_PATH"] == os.pathsep.join([str(dashboard.JUPYTER_DATA_DIR), "/a"])
    assert env["HOME"] == "/h"
    template = dashboard.JUPYTER_DATA_DIR / "voila" / "templates" / dashboard.TEMPLATE
    assert json.loads((template / "conf.json").read_text())["base_template"] == "lab"
    assert "cdn.jsdelivr.net" in (template / "index.html.j2").read_text()  # the lines it filters out


def test_free_port_prefers_the_given_port_and_avoids_a_busy_one():
    import socket

    from prioslo import dashboard

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        other = dashboard.free_port(taken)
        assert other != taken and other > 0
    assert dashboard.free_port(other) == other  # free now: kept


def test_dashboard_notebook_injects_non_default_parameters(tmp_path):
    from prioslo import dashboard

    assert dashboard.dashboard_notebook(tmp_path, None, 5) == explore.EXPLORE_NOTEBOOK
    path = dashboard.dashboard_notebook(tmp_path, tmp_path, 0)
    assert path.parent == tmp_path
    nb = nbformat.read(path, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert f"data_dir = {str(tmp_path.resolve())!r}" in injected[0].source.replace('"', "'")
    assert "suppress_below = 0" in injected[0].source


def test_dashboard_main_rejects_a_missing_data_dir(tmp_path, capsys):
    from prioslo import dashboard

    assert dashboard.main(["--data-dir", str(tmp_path / "nope")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_make_explore_prints_the_address_and_stops_on_ctrl_c():
    """``python -m prioslo.dashboard`` (what ``make explore`` runs) end to end, without a browser."""
    import signal
    import subprocess
    import sys
    import urllib.request

    from prioslo.paths import PROJECT_ROOT

    proc = subprocess.Popen([sys.executable, "-m", "prioslo.dashboard", "--port", "0"], cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # printed once Voilà answers (bounded by --startup-timeout)
        match = re.fullmatch(r"Dashboard: (http://127\.0\.0\.1:(\d+)/)\n", line)
        assert match, f"unexpected first line {line!r}; stderr: {proc.stderr.read() if proc.poll() is not None else ''}"
        with urllib.request.urlopen(match.group(1) + "voila/static/voila.js", timeout=30) as response:
            assert response.status == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


def test_export_explorer_html_on_the_shipped_sample(tmp_path, sample_dir):
    """The real explorer notebook, executed on (a copy of) the sample and exported: state embedded, no CDN."""
    page = explore.export_explorer_html(tmp_path / "utforsk.html", data_dir=sample_dir,
                                        suppress_below=5).read_text(encoding="utf-8")
    assert external_urls(page) == []
    assert "Utforsk bydelene" in page
    state = _widget_state(page)
    (select,) = [m["state"] for m in state.values() if m["model_name"] == "SelectMultipleModel"]
    assert select["_options_labels"][0] == "Alna"
    (output,) = [m["state"] for m in state.values() if m["model_name"] == "OutputModel"]
    assert '<img src="data:image/png;base64,' in output["outputs"][0]["data"]["text/html"]
