"""Stitch executed chapter notebooks into one self-contained, offline HTML report.

The reader gets one file they can mail, archive or open without a network: a title page, a
numbered table of contents, the chapters without any code, and an «Om rapporten» section with
the provenance. The chapters are merged into one notebook (so nbconvert writes the JupyterLab
styles once), rendered with the ``prioslo`` template (``prioslo/templates/prioslo``, which extends
nbconvert's ``lab`` template and drops every script that would load from a CDN), and then
post-processed: headings are numbered per chapter, the table of contents is filled in, and
anything that still points at another host is neutralised, so the report never makes a request.
"""

from __future__ import annotations

import copy
import html as html_lib
import logging
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import nbformat
from babel.dates import format_date, format_datetime
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from prioslo.paths import PACKAGE_DIR
from prioslo.stamps import INTERNAL_STAMP

log = logging.getLogger(__name__)

TEMPLATES_DIR: Path = PACKAGE_DIR / "templates"
"""Folder with the nbconvert template ``prioslo`` and the page template of ``index.html``."""

TEMPLATE_NAME = "prioslo"

"""Stamp on every page and file of a ``--internal`` build (no disclosure control)."""

REPORT_TITLE = "PRIOslo – måleindikatorer for rusomsorgen i Oslo"

REMOVED_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell", "remove_cell"})
"""Cells with one of these tags are left out of the report (papermill's parameter cells, and the
conventional tags for cells an author wants hidden)."""

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

_LEADING_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s+")

_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|srcset|poster|action)\s*=\s*["']?\s*"""
    r"""|url\(\s*["']?\s*"""
    r"""|@import\s+(?:url\(\s*)?["']?\s*)"""
    r"""((?:https?:)?//[^\s"'()<>]+)""",
    re.IGNORECASE,
)

_PARAMETER_LABELS = {
    "scope": "Omfang",
    "bydel": "Bydel",
    "period_from": "Fra år",
    "period_to": "Til år",
    "suppress_below": "Prikking av antall under",
    "internal": "Intern rapport",
    "data_dir": "Datamappe",
}


def external_references(html: str) -> list[str]:
    """Return every URL in ``html`` that would make a browser contact another host.

    Looks at ``src``/``href``/``srcset``/``poster``/``action`` attributes, CSS ``url(...)`` and
    ``@import``, for ``http://``, ``https://`` and protocol-relative ``//`` addresses. ``data:``
    URIs and in-page anchors are not external. Plain text (and CSS comments) is not matched.
    """
    return [m.group(1) for m in _EXTERNAL.finditer(html)]


def _is_external(url: str | None) -> bool:
    url = (url or "").strip().lower()
    return url.startswith(("http://", "https://", "//"))


def _clean_cell(cell: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    """Return a copy of ``cell`` fit for the report, or ``None`` to leave it out.

    Drops tagged parameter/hidden cells, stderr streams (warnings, progress bars), widget views
    (their state is not embedded, so they would render as an empty box), and code cells left
    with no output.
    """
    tags = set(cell.get("metadata", {}).get("tags", []))
    if tags & REMOVED_TAGS:
        return None
    cell = copy.deepcopy(cell)
    if cell.cell_type != "code":
        return cell
    outputs = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            continue
        data = output.get("data")
        if data is not None and WIDGET_VIEW in data:
            continue
        outputs.append(output)
    cell.outputs = outputs
    return cell if outputs else None


def _images_without_alt(cell: nbformat.NotebookNode) -> int:
    """Count PNG/JPEG outputs of ``cell`` that carry no alt text in their metadata."""
    count = 0
    for output in cell.get("outputs", []):
        for mime in ("image/png", "image/jpeg"):
            if mime in output.get("data", {}) and not output.get("metadata", {}).get(mime, {}).get("alt"):
                count += 1
    return count


def merge_notebooks(notebooks: Sequence[Path], titles: Sequence[str]) -> nbformat.NotebookNode:
    """Merge executed chapter notebooks into one notebook, a heading cell before each chapter.

    Parameters
    ----------
    notebooks : sequence of Path
        Executed chapter notebooks, in report order.
    titles : sequence of str
        The Norwegian chapter titles, same order; chapter ``n`` gets the heading ``n. title``.

    Returns
    -------
    NotebookNode
        A new notebook; the inputs are not modified. Cell ids are renumbered (``k<n>-<i>``) so
        that they stay unique across chapters, and the notebook metadata holds no widget state.
    """
    if len(notebooks) != len(titles):
        raise ValueError(f"{len(notebooks)} notebooks but {len(titles)} titles")
    merged = nbformat.v4.new_notebook()
    for n, (path, title) in enumerate(zip(notebooks, titles), start=1):
        nb = nbformat.read(str(path), as_version=4)
        if n == 1:
            for key in ("kernelspec", "language_info"):
                if key in nb.metadata:
                    merged.metadata[key] = copy.deepcopy(nb.metadata[key])
        heading = nbformat.v4.new_markdown_cell(
            f'<h1 class="prioslo-chapter-heading" id="kap-{n}" data-prioslo-chapter="{n}">'
            f"{n}. {html_lib.escape(title)}</h1>")
        heading.id = f"k{n}-0"
        merged.cells.append(heading)
        for i, cell in enumerate(nb.cells, start=1):
            kept = _clean_cell(cell)
            if kept is None:
                continue
            missing_alt = _images_without_alt(kept)
            if missing_alt:
                log.warning("%s: %d figure(s) without alt text (use IPython.display.Image(..., alt=...))",
                            Path(path).stem, missing_alt)
            kept.id = f"k{n}-{i}"
            kept.setdefault("metadata", {})["prioslo_chapter"] = n
            merged.cells.append(kept)
    return merged


def _norwegian_time(text: str | None) -> str:
    """«14. mars 2025 kl. 08:00» from an ISO 8601 time (the text itself when it is no time)."""
    if not text:
        return "–"
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    return format_datetime(moment, "d. MMMM y 'kl.' HH:mm", locale="nb")


def _suppression_text(suppress_below: int | None, internal: bool) -> str:
    if internal or not suppress_below:
        return "Ingen prikking: små antall er ikke skjult (intern rapport)."
    return f"Antall personer under {suppress_below} er prikket (skjult), også der de kan regnes ut fra summer."


def _parameter_rows(parameters: dict) -> list[tuple[str, str]]:
    """Norwegian label/value pairs of the build parameters for «Om rapporten».

    Paths are shown by their last component only: the full path of an analyst's folder is in
    ``run.json`` and has no place in a published report.
    """
    rows = []
    for key, value in parameters.items():
        if key in ("output_dir", "scope"):
            continue  # the folder is the analyst's; the scope is on the title page
        label = _PARAMETER_LABELS.get(key, key)
        if key == "data_dir" and value:
            value = Path(str(value)).name
        elif key == "bydel" and value is None:
            value = "hele Oslo"
        elif key in ("period_from", "period_to") and value is None:
            value = "alle år i dataene"
        elif key == "suppress_below" and value == 0:
            value = "0 (ingen prikking)"
        elif isinstance(value, bool):
            value = "ja" if value else "nei"
        elif value is None:
            value = "–"
        rows.append((label, str(value)))
    return rows


def _context(meta: dict) -> dict:
    """The template context of the title page and «Om rapporten» from the build's ``meta``."""
    provenance = dict(meta.get("provenance") or {})
    provenance.setdefault("chapters", [])
    provenance.setdefault("packages", {})
    provenance.setdefault("inputs", {})
    internal = bool(meta.get("internal"))
    build_date = meta.get("build_date") or date.today()
    if isinstance(build_date, (date, datetime)):
        build_date = format_date(build_date, format="long", locale="nb")
    parameters = provenance.get("parameters", {})
    data_dir = provenance.get("data_dir") or parameters.get("data_dir") or ""
    return {
        "report_title": meta.get("report_title", REPORT_TITLE),
        "scope_name": meta["scope_name"],
        "subtitle": meta.get("subtitle", "Resultater for måleindikatorene i PRIOslo-rapporten"),
        "period": meta.get("period", "–"),
        "build_date": build_date,
        "data_status": meta["data_status"],
        "data_note": meta.get("data_note"),
        "suppression_text": _suppression_text(parameters.get("suppress_below"), internal),
        "internal": internal,
        "internal_stamp": INTERNAL_STAMP,
        "provenance": provenance,
        "parameter_rows": _parameter_rows(parameters),
        "data_dir_name": Path(str(data_dir)).name if data_dir else "",
        "started": _norwegian_time(provenance.get("started")),
        "reused": list(meta.get("reused") or []),
    }


def render_html(nb: nbformat.NotebookNode, meta: dict, resources_dir: Path | None = None) -> str:
    """Render a merged notebook with the ``prioslo`` template (no code, no prompts, lang="nb")."""
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        language_code="nb",
        require_js_url="",
        mathjax_url="",
        mermaid_js_url="",
        theme="light",
    )
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = f"{meta['scope_name']} – {meta.get('report_title', REPORT_TITLE)}"
    nb.metadata.pop("widgets", None)
    resources = {
        "prioslo": _context(meta),
        "metadata": {"name": meta["scope_name"], "path": str(resources_dir or Path.cwd())},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def _heading_text(tag) -> str:
    return _LEADING_NUMBER.sub("", tag.get_text(" ", strip=True)).strip()


def _number_headings(soup: BeautifulSoup, internal: bool) -> list[dict]:
    """Number chapter and section headings, give them stable ids, return the outline.

    Chapter ``n`` is the heading the merge step wrote; the chapter notebook's own first level-1
    title (shown when the notebook runs on its own) is dropped in favour of it, and any further
    level-1 heading counts as a section. Level-2 headings become sections ``n.m``; deeper
    headings keep their text and get unique ids.
    """
    outline: list[dict] = []
    chapter = None
    own_title_seen = False
    for tag in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        if tag.find_parent(class_="jp-Cell") is None:
            continue  # title page, table of contents, «Om rapporten»
        for anchor in tag.find_all("a", class_="anchor-link"):
            anchor.decompose()
        if tag.get("data-prioslo-chapter"):
            chapter = {"id": tag["id"], "text": tag.get_text(" ", strip=True), "sections": [],
                       "n": int(tag["data-prioslo-chapter"]), "deeper": 0}
            outline.append(chapter)
            own_title_seen = False
            if internal:
                stamp = soup.new_tag("p", attrs={"class": "prioslo-internal", "role": "note"})
                stamp.string = INTERNAL_STAMP
                tag.insert_after(stamp)
            continue
        if chapter is None:
            continue
        if tag.name == "h1" and not own_title_seen and not chapter["sections"]:
            own_title_seen = True
            tag.decompose()
            continue
        if tag.name in ("h1", "h2"):
            m = len(chapter["sections"]) + 1
            text = _heading_text(tag)
            tag.name = "h2"
            tag["id"] = f"kap-{chapter['n']}-{m}"
            tag.clear()
            tag.string = f"{chapter['n']}.{m} {text}"
            chapter["sections"].append({"id": tag["id"], "text": tag.string})
        else:
            chapter["deeper"] += 1
            tag["id"] = f"kap-{chapter['n']}-x{chapter['deeper']}"
    return outline


def _fill_toc(soup: BeautifulSoup, outline: list[dict]) -> None:
    toc = soup.find("ol", class_="prioslo-toc-list")
    if toc is None:
        return
    for chapter in outline:
        item = soup.new_tag("li")
        link = soup.new_tag("a", href=f"#{chapter['id']}")
        link.string = chapter["text"]
        item.append(link)
        if chapter["sections"]:
            sub = soup.new_tag("ol")
            for section in chapter["sections"]:
                sub_item = soup.new_tag("li")
                sub_link = soup.new_tag("a", href=f"#{section['id']}")
                sub_link.string = section["text"]
                sub_item.append(sub_link)
                sub.append(sub_item)
            item.append(sub)
        toc.append(item)
    if soup.find(id="om-rapporten") is not None:
        item = soup.new_tag("li")
        link = soup.new_tag("a", href="#om-rapporten")
        link.string = "Om rapporten"
        item.append(link)
        toc.append(item)


def _neutralise_external(soup: BeautifulSoup) -> None:
    """Remove or defuse everything that would load from, or link to, another host.

    Scripts, styles, images and frames with an external source are removed; external links keep
    their text but lose the link (a published report must not depend on a third-party site, and
    a notebook should name its source in text). Each removal is logged so the notebook author
    can fix the cause.
    """
    for tag in soup.find_all(True):
        if tag.name == "a":
            if _is_external(tag.get("href")):
                log.warning("report: external link %s reduced to its text", tag.get("href"))
                tag.unwrap()
            continue
        for attr in ("src", "href", "srcset", "poster", "action"):
            value = tag.get(attr)
            if value and any(_is_external(part.split()[0] if part.split() else "")
                             for part in str(value).split(",")):
                log.warning("report: removed <%s> loading %s", tag.name, value)
                tag.decompose()
                break
    for img in soup.find_all("img", src=True):
        if not img["src"].startswith("data:"):
            log.warning("report: image %s is not embedded (file not found?); the report is not self-contained",
                        img["src"])
    for tag in soup.find_all(style=True):
        if external_references(f"style={tag['style']}"):
            tag["style"] = _EXTERNAL.sub(lambda m: m.group(0).replace(m.group(1), ""), tag["style"])


def _strip_css_urls(html: str) -> str:
    """Blank any remaining external CSS ``url(...)``/``@import`` (e.g. inside an output's <style>)."""
    def blank(m: re.Match) -> str:
        log.warning("report: removed external reference %s", m.group(1))
        return m.group(0).replace(m.group(1), "")
    return _EXTERNAL.sub(blank, html)


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _strip_css_comments(soup: BeautifulSoup) -> None:
    """Drop comments from inline stylesheets.

    nbconvert's theme CSS credits its sources with URLs in comments. They load nothing, but a
    reader (or an auditor grepping for ``https://``) should find no address of another host in
    a report that promises to be self-contained, and the comments serve no reader.
    """
    for style in soup.find_all("style"):
        if style.string and "/*" in style.string:
            style.string = _CSS_COMMENT.sub("", style.string)


def finalise_html(html: str, internal: bool = False) -> str:
    """Number headings, fill the table of contents and make the page fully offline."""
    soup = BeautifulSoup(html, "html.parser")
    outline = _number_headings(soup, internal)
    _fill_toc(soup, outline)
    _neutralise_external(soup)
    _strip_css_comments(soup)
    return _strip_css_urls(str(soup))


def stitch(notebooks: Sequence[Path], titles: Sequence[str], out_html: Path, meta: dict) -> Path:
    """Write the stitched report of one scope.

    Parameters
    ----------
    notebooks : sequence of Path
        The executed chapter notebooks, in report order.
    titles : sequence of str
        Norwegian chapter titles, same order.
    out_html : Path
        Where to write the report (``<scope>/report.html``); markdown images with relative paths
        are resolved from its folder and embedded.
    meta : dict
        ``scope_name`` («Oslo», «Bydel Alna»), ``period`` («2020–2024»), ``data_status``
        («syntetiske eksempeldata» / «reelle data»), optionally ``data_note``, ``internal``
        (bool), ``build_date`` (a date, or preformatted text; default today) and ``provenance``
        (the ``run.json`` record, shown under «Om rapporten»), and ``reused`` (titles of the
        chapters an incremental build took over unchanged from the previous build, named under
        «Om rapporten»).

    Returns
    -------
    Path
        ``out_html``.
    """
    out_html = Path(out_html)
    merged = merge_notebooks([Path(p) for p in notebooks], list(titles))
    html = render_html(merged, meta, resources_dir=out_html.parent)
    html = finalise_html(html, internal=bool(meta.get("internal")))
    leftovers = external_references(html)
    if leftovers:  # _strip_css_urls blanks every match, so this is a safety net against regressions
        raise RuntimeError(f"report still references external URLs: {leftovers[:5]}")
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_html.write_text(html, encoding="utf-8")
    log.debug("wrote %s (%d bytes)", out_html, len(html.encode("utf-8")))
    return out_html
