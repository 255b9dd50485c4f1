"""``prioslo build``: scopes, folders, failure handling, internal builds.

The fast tests run the tiny stand-in chapters in ``tests/data/notebooks`` (real papermill, real
kernels, stdlib-only cells) with the indicator computation replaced by a hand-made frame; the
slow test builds the shipped sample with the real chapters.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from prioslo import build, bydeler, paths
from prioslo.chapters import CHAPTERS, Chapter
from prioslo.cli import main
from prioslo.stitch import INTERNAL_STAMP, external_references

STAND_INS = Path(__file__).parent / "data" / "notebooks"
ALPHA = Chapter("alpha", "Første kapittel")
BETA = Chapter("beta", "Andre kapittel")
BROKEN = Chapter("broken", "Ødelagt kapittel")

# Hand-made indicator rows: a year and a reporting round, so the report's period is 2020–2024.
INDICATORS = pd.DataFrame({
    "indicator": ["admissions", "colocated_units"],
    "group": ["Oslo", "Oslo"],
    "period": ["2020", "2024-06"],
    "value": [120.0, 31.0],
    "numerator": [float("nan")] * 2,
    "denominator": [float("nan")] * 2,
    "suppressed": [False, False],
})
SCORECARD = pd.DataFrame({
    "target_id": ["lq_mean"], "description": ["Gjennomsnittsskår livskvalitet"], "value": [3.9],
    "target": [4.0], "status": ["yellow"], "published_status": ["yellow"],
})


@pytest.fixture
def fake_data(monkeypatch):
    """Replace preparing and computing by hand-made tables; record what the build asked for."""
    calls = {"load": [], "scope": []}

    def load_data(data_dir):
        calls["load"].append(data_dir)
        return {"stand-in": pd.DataFrame()}

    def scope_tables(tables, bydel, period_from, period_to, suppress_below):
        calls["scope"].append({"bydel": bydel, "period_from": period_from, "period_to": period_to,
                               "suppress_below": suppress_below})
        return INDICATORS.copy(), SCORECARD.copy()

    monkeypatch.setattr(build, "load_data", load_data)
    monkeypatch.setattr(build, "scope_tables", scope_tables)
    # The data status is a property of the (prepared) data, which are faked here too: the shipped
    # sample's stand-in is synthetic, anything else real (the content rule is tested in test_prepare).
    monkeypatch.setattr(build, "data_status", lambda data_dir: build.SAMPLE_DATA_STATUS
                        if Path(data_dir).resolve() == paths.RAW_DIR.resolve() else build.REAL_DATA_STATUS)
    return calls


def run(out: Path, chapters=(ALPHA, BETA), **kwargs) -> int:
    kwargs.setdefault("data_dir", paths.RAW_DIR)
    return build.build(output_dir=out, notebooks_dir=STAND_INS, chapters=list(chapters), **kwargs)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def parameters_of(notebook: Path) -> dict:
    return nbformat.read(str(notebook), as_version=4).metadata["papermill"]["parameters"]


def outputs_text(notebook: Path) -> str:
    nb = nbformat.read(str(notebook), as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def test_oslo_build_writes_every_output(tmp_path, fake_data):
    out = tmp_path / "out"
    assert run(out) == 0
    scope = out / "oslo"
    for rel in ("report.html", "run.json", "tables/indicators.csv", "tables/scorecard.csv",
                "notebooks/alpha.ipynb", "notebooks/beta.ipynb", "figures/alpha.png"):
        assert (scope / rel).is_file(), rel
    assert sorted(p.name for p in out.iterdir()) == ["oslo"]  # no temporary or failed folder left
    # the tables are those of the scope: written by the pipeline's writer
    assert (scope / "tables" / "indicators.csv").read_text().splitlines() == [
        "indicator,group,period,value,numerator,denominator,suppressed",
        "admissions,Oslo,2020,120,,,false",
        "colocated_units,Oslo,2024-06,31,,,false",
    ]
    assert pd.read_csv(scope / "tables" / "scorecard.csv").columns.tolist() == [
        "target_id", "description", "value", "target", "status", "published_status"]
    # prepared once; the Oslo scope asked for with the default threshold
    assert fake_data["load"] == [paths.RAW_DIR.resolve()]
    assert fake_data["scope"] == [{"bydel": None, "period_from": None, "period_to": None, "suppress_below": 5}]
    # the chapters got absolute paths: after the swap the notebooks name the real outputs root
    # (not the temporary one), like --output-dir
    params = parameters_of(scope / "notebooks" / "alpha.ipynb")
    assert params["output_dir"] == str(out)
    assert params["data_dir"] == str(paths.RAW_DIR.resolve())
    assert params["bydel"] is None and params["suppress_below"] == 5 and params["internal"] is False
    assert "Omfang: Oslo; prikking under 5; intern: False" in outputs_text(scope / "notebooks" / "alpha.ipynb")
    # the chapter read the indicators the build wrote before it ran
    assert "indikatorer: indicator,group,period" in outputs_text(scope / "notebooks" / "alpha.ipynb")
    # printed paths are rewritten too: nothing in the outputs names the temporary folder
    assert f"beta ferdig {out}" in outputs_text(scope / "notebooks" / "beta.ipynb")
    assert ".tmp-" not in (scope / "report.html").read_text(encoding="utf-8")
    run_json = json.loads((scope / "run.json").read_text(encoding="utf-8"))
    assert run_json["chapters"] == ["alpha", "beta"]
    assert run_json["status"] == "ok"
    assert run_json["parameters"]["scope"] == "oslo"
    assert run_json["parameters"]["output_dir"] == str(out)
    assert run_json["internal"] is False


def test_title_page_shows_scope_period_and_sample_status(tmp_path, fake_data):
    out = tmp_path / "out"
    assert run(out) == 0
    html = (out / "oslo" / "report.html").read_text(encoding="utf-8")
    title = BeautifulSoup(html, "html.parser").find(id="tittel")
    assert title.find("h1").get_text(strip=True) == "Oslo"
    assert title.find(class_="prioslo-data-status").get_text(strip=True) == "syntetiske eksempeldata"
    assert "2020–2024" in title.get_text()
    assert external_references(html) == []
    toc = [a.get_text(strip=True) for a in BeautifulSoup(html, "html.parser").select("nav#innhold a")]
    assert toc == ["1. Første kapittel", "1.1 Seksjon alfa", "2. Andre kapittel", "2.1 Seksjon beta én",
                   "2.2 Seksjon beta to", "Om rapporten"]


def test_bydel_in_any_spelling_and_real_data_status(tmp_path, fake_data):
    data = tmp_path / "uttrekk"
    data.mkdir()
    (data / "opphold.csv").write_bytes(b"abc")
    out = tmp_path / "out"
    assert run(out, bydel="SONDRE NORDSTRAND", data_dir=data, period_from=2021, period_to=2023) == 0
    scope = out / "sondre-nordstrand"
    assert (scope / "report.html").is_file()
    assert (scope / "figures" / "alpha.png").is_file()  # the chapter found its scope folder
    assert fake_data["scope"] == [{"bydel": "Søndre Nordstrand", "period_from": 2021, "period_to": 2023,
                                   "suppress_below": 5}]
    params = parameters_of(scope / "notebooks" / "alpha.ipynb")
    assert params["bydel"] == "Søndre Nordstrand"
    assert params["period_from"] == 2021 and params["period_to"] == 2023
    title = BeautifulSoup((scope / "report.html").read_text("utf-8"), "html.parser").find(id="tittel")
    assert title.find("h1").get_text(strip=True) == "Bydel Søndre Nordstrand"
    assert title.find(class_="prioslo-data-status").get_text(strip=True) == "reelle data"
    assert "2021–2023" in title.get_text()  # the years asked for, not those found in the data
    run_json = json.loads((scope / "run.json").read_text(encoding="utf-8"))
    assert run_json["inputs"] == {"opphold.csv": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}


def test_failing_chapter_keeps_previous_report_and_the_failed_notebook(tmp_path, fake_data, caplog):
    out = tmp_path / "out"
    assert run(out) == 0
    before = snapshot(out / "oslo")

    assert run(out, chapters=(ALPHA, BROKEN, BETA)) == 1

    assert snapshot(out / "oslo") == before  # byte-identical, not half-overwritten
    failed = out / "oslo.failed"
    broken = failed / "notebooks" / "broken.ipynb"
    nb = nbformat.read(str(broken), as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert [(e.ename, e.evalue) for e in errors] == [("ValueError", "stand-in failure")]
    # the chapters after the failing one still ran, so every problem shows in one run
    assert (failed / "notebooks" / "beta.ipynb").is_file()
    assert not (failed / "report.html").exists()
    run_json = json.loads((failed / "run.json").read_text(encoding="utf-8"))
    assert run_json["status"] == "failed"
    assert list(run_json["failures"]) == ["broken"]
    assert sorted(p.name for p in out.iterdir()) == ["oslo", "oslo.failed"]
    message = " ".join(r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert "'broken'" in message
    assert "cell " in message and "raise ValueError('stand-in failure')" in message
    assert "ValueError: stand-in failure" in message
    assert str(broken) in message

    # a later good build replaces the report and clears the stale failure
    assert run(out) == 0
    assert sorted(p.name for p in out.iterdir()) == ["oslo"]


def test_first_build_failing_leaves_no_report(tmp_path, fake_data):
    out = tmp_path / "out"
    assert run(out, chapters=(BROKEN,)) == 1
    assert sorted(p.name for p in out.iterdir()) == ["oslo.failed"]


def test_cli_build_failing_chapter_exits_1(tmp_path, fake_data, monkeypatch):
    monkeypatch.setattr(build, "CHAPTERS", (BROKEN,))
    monkeypatch.setattr(build.paths, "NOTEBOOKS_DIR", STAND_INS)
    assert main(["build", "--output-dir", str(tmp_path)]) == 1


def test_unknown_bydel_exits_2_listing_the_names(tmp_path, capsys, fake_data):
    assert main(["build", "--bydel", "Atlantis", "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Atlantis" in err
    assert all(name in err for name in bydeler.BYDELER)
    assert fake_data["load"] == []  # rejected before any data was touched
    assert not (tmp_path / "out").exists()


def test_missing_chapter_notebook_is_a_user_error(tmp_path, fake_data):
    with pytest.raises(build.PriosloError, match="nope.ipynb"):
        run(tmp_path / "out", chapters=(ALPHA, Chapter("nope", "Finnes ikke")))


def test_internal_build_turns_suppression_off_and_stamps_everything(tmp_path, fake_data):
    out = tmp_path / "out"
    assert run(out, internal=True, suppress_below=7) == 0
    scope = out / "oslo"
    assert fake_data["scope"][0]["suppress_below"] == 0
    params = parameters_of(scope / "notebooks" / "alpha.ipynb")
    assert params["internal"] is True and params["suppress_below"] == 0
    soup = BeautifulSoup((scope / "report.html").read_text("utf-8"), "html.parser")
    for n in (1, 2):
        assert soup.find(id=f"kap-{n}").find_next_sibling().get_text(strip=True) == INTERNAL_STAMP
    assert INTERNAL_STAMP in (scope / "README.txt").read_text(encoding="utf-8")
    for slug in ("alpha", "beta"):
        nb = nbformat.read(str(scope / "notebooks" / f"{slug}.ipynb"), as_version=4)
        assert nb.cells[0].source == f"**{INTERNAL_STAMP}**"
    assert soup.get_text().count(INTERNAL_STAMP) == 4  # fixed banner, title page, one per chapter
    run_json = json.loads((scope / "run.json").read_text(encoding="utf-8"))
    assert run_json["internal"] is True and run_json["parameters"]["suppress_below"] == 0


def test_internal_parameter_is_not_forced_on_notebooks_without_it(tmp_path):
    """A chapter that declares no ``internal`` parameter runs without papermill's unknown-parameter warning."""
    source = nbformat.read(str(STAND_INS / "beta.ipynb"), as_version=4)
    source.cells[0].source = "output_dir = None"
    nb_path = tmp_path / "plain.ipynb"
    nbformat.write(source, str(nb_path))
    result = build.execute_chapter("plain", nb_path, tmp_path / "run" / "plain.ipynb",
                                   {"output_dir": str(tmp_path), "internal": False}, tmp_path)
    assert result.ok, result.error
    assert parameters_of(tmp_path / "run" / "plain.ipynb") == {"output_dir": str(tmp_path)}


def test_resolve_kernel_warns_when_the_kernel_runs_another_python(monkeypatch, caplog):
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    monkeypatch.setattr(KernelSpecManager, "get_kernel_spec",
                        lambda self, name: KernelSpec(argv=["python", "-m", "ipykernel_launcher"]))
    assert build.resolve_kernel() == "python3"
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    monkeypatch.setattr(KernelSpecManager, "get_kernel_spec",
                        lambda self, name: KernelSpec(argv=["/opt/other/bin/python", "-m", "ipykernel_launcher"]))
    assert build.resolve_kernel() == "python3"
    assert "/opt/other/bin/python" in caplog.text


def test_resolve_scopes():
    assert build.resolve_scopes() == [None]
    assert build.resolve_scopes("st-hanshaugen") == ["St. Hanshaugen"]
    assert build.resolve_scopes("030112") == ["Alna"]
    everything = build.resolve_scopes(all_bydeler=True)
    assert everything[0] is None and everything[1:] == list(bydeler.BYDELER) and len(everything) == 16
    with pytest.raises(build.PriosloError):
        build.resolve_scopes("Sentrum")  # belongs to Oslo, but is no bydel and gets no report


@pytest.mark.parametrize(("periods", "period_from", "period_to", "expected"), [
    (["2020", "2023", "2024-06"], None, None, "2020–2024"),
    (["2023"], None, None, "2023"),
    (["2015", "2023"], 2019, None, "2019–2023"),
    ([], None, None, "–"),
])
def test_period_label(periods, period_from, period_to, expected):
    frame = pd.DataFrame({"period": pd.Series(periods, dtype="str")})
    assert build.period_label(frame, period_from, period_to) == expected


def test_all_bydeler_builds_16_scopes_and_an_index(tmp_path, fake_data, monkeypatch):
    """Every scope and the index, with chapter execution replaced by writing a finished notebook."""
    def fake_execute(slug, notebook, output, parameters, cwd, kernel_name=build.KERNEL_NAME):
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_markdown_cell(f"## Om {parameters['bydel'] or 'Oslo'}"))
        nb.metadata["papermill"] = {"parameters": parameters}
        output.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(output))
        failing = parameters["bydel"] == "Grorud"
        return build.ChapterResult(slug, output, 0.0, "cell 1: RuntimeError: boom" if failing else None)

    monkeypatch.setattr(build, "execute_chapter", fake_execute)
    out = tmp_path / "out"
    assert run(out, chapters=(ALPHA,), all_bydeler=True) == 1  # Grorud failed
    expected = {"oslo", *(bydeler.slug(b) for b in bydeler.BYDELER)}
    built = {p.parent.name for p in out.glob("*/report.html")}
    assert built == expected - {"grorud"}
    assert (out / "grorud.failed").is_dir()
    assert [c["bydel"] for c in fake_data["scope"]] == [None, *bydeler.BYDELER]
    index = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    assert index.html["lang"] == "nb"
    links = {a.get_text(strip=True): a["href"] for a in index.find_all("a")}
    assert links["Oslo"] == "oslo/report.html"
    assert links["Bydel Søndre Nordstrand"] == "sondre-nordstrand/report.html"
    assert "Bydel Grorud" not in links and "Bydel Grorud" in index.get_text()
    assert len(links) == 15
    assert external_references(str(index)) == []
    assert "<script" not in str(index) and "<link" not in str(index)


@pytest.mark.slow
@pytest.mark.parametrize("bydel", [None, "Alna"])
def test_sample_build_produces_every_contract_output(tmp_path, bydel):
    """The real chapters on the shipped sample, for Oslo and for one bydel."""
    out = tmp_path / "out"
    assert build.build(output_dir=out, bydel=bydel) == 0
    scope = out / ("oslo" if bydel is None else "alna")
    assert (scope / "report.html").is_file()
    assert (scope / "run.json").is_file()
    assert list((scope / "figures").glob("*.png"))
    indicators = pd.read_csv(scope / "tables" / "indicators.csv")
    assert indicators.columns.tolist() == ["indicator", "group", "period", "value", "numerator",
                                           "denominator", "suppressed"]
    assert len(indicators) > 0
    scorecard = pd.read_csv(scope / "tables" / "scorecard.csv")
    assert scorecard.columns.tolist() == ["target_id", "description", "value", "target", "status",
                                          "published_status"]
    assert len(scorecard) == 16
    for chapter in CHAPTERS:
        assert (scope / "notebooks" / f"{chapter.slug}.ipynb").is_file(), chapter.slug
    html = (scope / "report.html").read_text(encoding="utf-8")
    assert external_references(html) == []
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find(id="tittel").find("h1").get_text(strip=True) == ("Oslo" if bydel is None else "Bydel Alna")
    toc = [a.get_text(strip=True) for a in soup.select("nav#innhold > ol > li > a")]
    assert toc == [f"{n}. {c.title}" for n, c in enumerate(CHAPTERS, start=1)] + ["Om rapporten"]
    run_json = json.loads((scope / "run.json").read_text(encoding="utf-8"))
    assert run_json["chapters"] == [c.slug for c in CHAPTERS]
    assert sorted(p.name for p in out.iterdir()) == [scope.name]
