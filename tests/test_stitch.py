"""Stitching executed chapters into one offline HTML report (hand-made notebooks, no kernel)."""

from __future__ import annotations

import base64
import re
from datetime import date

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from prioslo import stitch as st

# A valid 1x1 PNG.
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNg+M/AAAADAQH0y1oAAAAASUVORK5CYII=")


def chapter(title: str, sections: list[str], *, hostile: bool = False):
    """An executed-looking chapter: parameter cells, its own # title, sections with outputs."""
    nb = new_notebook()
    params = new_code_cell("bydel = None")
    params.metadata["tags"] = ["parameters"]
    injected = new_code_cell("bydel = 'Alna'\nsecret_injected_marker = 1")
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells += [params, injected, new_markdown_cell(f"# {title}\n\nInnledning til {title}.")]
    for section in sections:
        code = new_code_cell("secret_code_marker = 1\nprint('x')")
        code.outputs = [
            new_output("stream", name="stdout", text=f"utskrift fra {section}\n"),
            new_output("stream", name="stderr", text="UserWarning: stderr_marker\n"),
            new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"},
                       metadata={"image/png": {"alt": f"Figur i {section}"}}),
            new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "abc"},
                                             "text/plain": "widget_marker"}),
        ]
        nb.cells += [new_markdown_cell(f"## {section}\n\nTekst.\n\n### Detalj"), code,
                     new_code_cell("silent_cell_marker = 1")]
    if hostile:
        html = ('<script src="https://cdn.example.com/lib.js"></script>'
                '<link rel="stylesheet" href="//fonts.example.com/font.css">'
                '<style>@import url("https://fonts.example.com/x.css"); .a { background: url(http://x.example.com/a.png) }</style>'
                '<img src="https://x.example.com/b.png" alt="ekstern">'
                '<div style="background-image: url(\'https://x.example.com/c.png\')">stil</div>')
        out = new_code_cell("display(HTML(...))")
        out.outputs = [new_output("display_data", data={"text/html": html})]
        nb.cells += [new_markdown_cell("Se [kilden](https://www.example.com/rapport) for detaljer."), out]
    return nb


@pytest.fixture
def chapters(tmp_path):
    paths = []
    for name, title, sections, hostile in (("a", "Økt livskvalitet", ["Seksjon A", "3.2 Seksjon B"], True),
                                           ("b", "Ti inntak", ["Seksjon C"], False)):
        path = tmp_path / f"{name}.ipynb"
        nbformat.write(chapter(title, sections, hostile=hostile), path)
        paths.append(path)
    return paths


META = {
    "scope_name": "Bydel Alna",
    "period": "2020–2024",
    "data_status": "syntetiske eksempeldata",
    "build_date": date(2025, 3, 14),
    "provenance": {
        "parameters": {"bydel": "Alna", "period_from": 2020, "period_to": 2024, "suppress_below": 5,
                       "internal": False, "data_dir": "/srv/secret/uttrekk-2025", "output_dir": "/srv/out/alna"},
        "git_commit": "0123456789abcdef0123456789abcdef01234567",
        "inputs": {"opphold.csv": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        "packages": {"pandas": "3.1.1"},
        "prioslo_version": "0.1.0",
        "python_version": "3.11.7",
        "started": "2025-03-14T08:00:00+01:00",
        "chapters": ["a", "b"],
    },
}


@pytest.fixture
def report(chapters, tmp_path):
    out = st.stitch(chapters, ["Første kapittel", "Andre kapittel"], tmp_path / "alna" / "report.html", META)
    return out.read_text(encoding="utf-8")


def test_report_is_norwegian_and_has_a_title_page(report):
    soup = BeautifulSoup(report, "html.parser")
    assert soup.html["lang"] == "nb"
    title = soup.find(id="tittel").get_text(" ", strip=True)
    assert "Bydel Alna" in title
    assert "2020–2024" in title
    assert "14. mars 2025" in title
    assert "syntetiske eksempeldata" in title


def test_chapters_and_sections_are_numbered_and_in_the_toc(report):
    soup = BeautifulSoup(report, "html.parser")
    toc = [(a["href"], a.get_text(strip=True)) for a in soup.select("nav#innhold a")]
    assert toc == [
        ("#kap-1", "1. Første kapittel"),
        ("#kap-1-1", "1.1 Seksjon A"),
        ("#kap-1-2", "1.2 Seksjon B"),  # the author's own «3.2» numbering is replaced
        ("#kap-2", "2. Andre kapittel"),
        ("#kap-2-1", "2.1 Seksjon C"),
        ("#om-rapporten", "Om rapporten"),
    ]
    for href, text in toc:  # every entry lands on a heading with that very text
        target = soup.find(id=href[1:])
        heading = target if target.name in ("h1", "h2") else target.find("h1")
        assert heading.get_text(" ", strip=True) == text
    # every id is unique, so every link lands where it should
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    # the chapter notebooks' own # titles are replaced by the numbered chapter headings
    assert "Økt livskvalitet" not in [h.get_text(strip=True) for h in soup.find_all("h1")]
    assert "Innledning til Økt livskvalitet." in report


def test_no_code_no_stderr_no_widgets(report):
    for marker in ("secret_code_marker", "secret_injected_marker", "silent_cell_marker", "stderr_marker",
                   "widget_marker"):
        assert marker not in report, marker
    soup = BeautifulSoup(report, "html.parser")
    assert soup.select(".jp-InputArea-editor, .jp-InputPrompt, .jp-OutputPrompt") == []
    assert "utskrift fra Seksjon A" in report  # stdout stays


def test_images_are_embedded_with_their_alt_text(report):
    soup = BeautifulSoup(report, "html.parser")
    images = [img for img in soup.find_all("img")]
    assert [img["alt"] for img in images] == ["Figur i Seksjon A", "Figur i 3.2 Seksjon B", "Figur i Seksjon C"]
    assert all(img["src"].startswith("data:image/png;base64,") for img in images)
    assert base64.b64decode(images[0]["src"].split(",", 1)[1]).startswith(b"\x89PNG")


def test_report_references_no_external_url(report):
    assert st.external_references(report) == []
    # Not even in text or CSS comments: no address of another host anywhere in the file.
    assert re.search(r"https?://", report) is None
    for pattern in (r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", r"""url\(\s*["']?\s*(?:https?:)?//""",
                    r"@import\s+(?:url\()?\s*[\"']?(?:https?:)?//"):
        assert re.search(pattern, report, re.IGNORECASE) is None, pattern
    assert "<script src" not in report
    assert "mathjax" not in report.lower()
    assert "require.js" not in report and "require.min.js" not in report
    # the external link's text survives, the link does not
    assert "Se kilden for detaljer." in report
    assert "stil" in report


def test_about_section_shows_provenance(report):
    soup = BeautifulSoup(report, "html.parser")
    about = soup.find(id="om-rapporten").get_text(" ", strip=True)
    assert "0123456789abcdef0123456789abcdef01234567" in about
    assert "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" in about
    assert "opphold.csv" in about
    assert "pandas" in about and "3.1.1" in about
    assert "Alna" in about and "2020" in about
    assert "14. mars 2025 kl. 08:00" in about
    # only the folder name of the data, not the analyst's full path
    assert "uttrekk-2025" in about and "/srv/secret" not in report


def test_internal_report_is_stamped_on_every_chapter(chapters, tmp_path):
    meta = {**META, "internal": True}
    html = st.stitch(chapters, ["Første kapittel", "Andre kapittel"], tmp_path / "r.html", meta).read_text("utf-8")
    soup = BeautifulSoup(html, "html.parser")
    for n in (1, 2):
        heading = soup.find(id=f"kap-{n}")
        stamp = heading.find_next_sibling()
        assert stamp.get_text(strip=True) == "Internt – ikke for publisering"
    assert "ikke for publisering" in soup.find(id="tittel").get_text()


def test_public_report_has_no_internal_stamp(report):
    assert "Internt" not in report


def test_external_references_finder():
    html = ('<img src="data:image/png;base64,AAA"><a href="#kap-1">x</a> tekst https://plain.example '
            '<script src="https://a.example/x.js"></script><link href=//b.example/y.css>'
            '<style>@import "http://c.example/z.css"; p { background: url( \'https://d.example/i.png\' ) }</style>')
    assert st.external_references(html) == ["https://a.example/x.js", "//b.example/y.css",
                                            "http://c.example/z.css", "https://d.example/i.png"]


def test_merge_keeps_inputs_unchanged(chapters):
    before = [p.read_bytes() for p in chapters]
    merged = st.merge_notebooks(chapters, ["En", "To"])
    assert [p.read_bytes() for p in chapters] == before
    ids = [c.id for c in merged.cells]
    assert len(ids) == len(set(ids))
    with pytest.raises(ValueError):
        st.merge_notebooks(chapters, ["bare én tittel"])
