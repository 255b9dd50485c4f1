"""Leak check: scan processed data and outputs for fødselsnummer and person-level rows.

The record-level extracts are health data about identifiable people. The contract promises that
no fødselsnummer leaves ingestion and that no output holds a row about one person. This module is
the last line of defence behind that promise: ``prioslo check-outputs DIR...`` walks the folders
and stops at the *first* hit, naming the file and the place (row and column, notebook cell, line
and offset, PNG chunk), so that nothing is published while a leak is unexplained.

What is a hit
-------------
* **Anything shaped like a fødselsnummer** in any file: an 11-digit token that is not part of a
  longer alphanumeric token (also written ``ddmmyy nnnnn`` with one space) and whose check digits
  and birth date are valid by :func:`prioslo.pseudonym.validate_person_number` — fødselsnummer,
  D-, H-, FH- and synthetic (month + 80) numbers alike. In typed cells (Parquet, Excel, a CSV cell
  holding nothing but digits) a 10-digit integer is also checked with its leading zero restored,
  because Excel and number columns strip it. A decimal fraction (``0.12345678901``) is a number,
  not an id, and is skipped.
* **Person-level rows** in output folders: a table (CSV/TSV, Parquet, Excel, an HTML table) with a
  person-id column (``person``, ``beboer``, ``fodselsnummer``, ``pseudonym`` ...), or any value
  shaped like the pseudonyms ``prioslo prepare`` writes (:data:`prioslo.pseudonym.PSEUDONYM_LENGTH`
  lower-case hex characters) in a table cell, an HTML page or a notebook. Processed data — any
  folder named ``processed`` — is record-level with pseudonymised ids by contract, so only
  fødselsnummer are looked for there.

Files scanned: CSV/TSV and other text (TXT, JSON, HTML, SVG, Markdown, logs ...), notebooks
(every cell's source and outputs, images included), Parquet (every column and the file
metadata), PNG (tEXt/zTXt/iTXt metadata chunks), XLSX (every cell of every sheet). Images
embedded in HTML pages and notebooks (base64 PNG) are decoded and their metadata scanned too.
A hit's message never repeats the value found, so that the check itself cannot leak it.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from prioslo.errors import PriosloError
from prioslo.pseudonym import PSEUDONYM_LENGTH, validate_person_number

log = logging.getLogger(__name__)

#: Column names (compared after lower-casing, folding æøå and dropping everything but letters and
#: digits) that identify a person. A table with such a column is person-level by construction.
PERSON_COLUMNS: frozenset[str] = frozenset({
    "person", "personid", "personnr", "personnummer", "personident",
    "beboer", "beboerid",
    "fodselsnummer", "fodselsnr", "fnr", "dnr", "dnummer",
    "pseudonym", "pseudonymid",
    "pasient", "pasientid", "klientid", "brukerid",
})

TEXT_SUFFIXES: frozenset[str] = frozenset({
    ".txt", ".json", ".html", ".htm", ".svg", ".md", ".log", ".xml", ".js", ".css",
    ".toml", ".yaml", ".yml", ".tex", ".rst",
})
TABLE_SUFFIXES: frozenset[str] = frozenset({".csv", ".tsv"})

PROCESSED_FOLDER = "processed"
"""Folder name of processed data (``data/processed``, ``<data-dir>/processed``)."""

# An 11-digit token, or ``ddmmyy nnnnn``, not glued to letters or digits on either side.
_NUMBER = re.compile(r"(?<![^\W_])(\d{6}) ?(\d{5})(?![^\W_])")
_DECIMAL_BEFORE = re.compile(r"\d[.,]$")
_TEN_DIGITS = re.compile(r"\d{10}")
_PSEUDONYM = re.compile(rf"(?<![^\W_])[0-9a-f]{{{PSEUDONYM_LENGTH}}}(?![^\W_])")
_DATA_URI_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")


@dataclass(frozen=True)
class Finding:
    """One hit of the leak check."""

    file: Path
    place: str
    """Where in the file, as the user can find it (``row 3, column 'person'``, ``cell 4 output 1``)."""
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.place}: {self.reason}"


FNR_REASON = "value shaped like a fødselsnummer or D-nummer (valid check digits)"
PERSON_COLUMN_REASON = "person-level table: column {name!r} identifies a person"
PSEUDONYM_REASON = "person-level data: value shaped like a pseudonymised person id"


# --------------------------------------------------------------------------------------------
# Values


def is_person_number(digits: str) -> bool:
    """Return whether an 11-digit string is a valid fødselsnummer, D-, H-, FH- or synthetic number.

    The rules live in :func:`prioslo.pseudonym.validate_person_number` (ingestion uses the same),
    so the leak check finds exactly what ingestion would have accepted as a person.
    """
    if len(digits) != 11 or not digits.isdigit():
        return False
    try:
        validate_person_number(digits)
    except ValueError:
        return False
    return True


def find_person_numbers(text: str) -> Iterator[int]:
    """Yield the offsets in ``text`` of tokens shaped like a valid fødselsnummer.

    A token preceded by ``<digit>.`` or ``<digit>,`` is the fraction of a decimal number and is
    skipped.
    """
    for m in _NUMBER.finditer(text):
        if _DECIMAL_BEFORE.search(text[max(0, m.start() - 2):m.start()]):
            continue
        if is_person_number(m.group(1) + m.group(2)):
            yield m.start()


def _cell_reason(value: object, person_level: bool) -> str | None:
    """Why one table cell is a leak (a fødselsnummer; in outputs also a pseudonym), or None."""
    if _cell_is_person_number(value):
        return FNR_REASON
    if person_level and looks_like_pseudonym(value):
        return PSEUDONYM_REASON
    return None


def _cell_is_person_number(value: object) -> bool:
    """Return whether one typed cell value holds a fødselsnummer, leading zero stripped or not."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, float):
        if not value.is_integer() or not 0 < value < 1e11:
            return False
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        return len(text) in (10, 11) and is_person_number(text.zfill(11))
    text = str(value).strip()
    if _TEN_DIGITS.fullmatch(text):
        return is_person_number("0" + text)
    return next(find_person_numbers(text), None) is not None


def looks_like_pseudonym(value: object) -> bool:
    """Return whether a cell value is shaped like a pseudonym written by ``prioslo prepare``.

    Lower-case hex of :data:`~prioslo.pseudonym.PSEUDONYM_LENGTH` characters with at least one
    digit and one letter (a 16-character word or number is not taken for a pseudonym).
    """
    if not isinstance(value, str):
        return False
    text = value.strip()
    return (len(text) == PSEUDONYM_LENGTH and _PSEUDONYM.fullmatch(text) is not None
            and any(c.isdigit() for c in text) and any(c.isalpha() for c in text))


def _find_pseudonyms(text: str) -> Iterator[int]:
    for m in _PSEUDONYM.finditer(text):
        if looks_like_pseudonym(m.group(0)):
            yield m.start()


def is_person_column(name: object) -> bool:
    """Return whether a column header names a person id (see :data:`PERSON_COLUMNS`)."""
    key = str(name).strip().lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return re.sub(r"[^a-z0-9]", "", key) in PERSON_COLUMNS


def _line_col(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {col} (offset {offset})"


# --------------------------------------------------------------------------------------------
# Scanners: each yields Findings for one file (the caller stops at the first).


def _scan_text(text: str, person_level: bool, where: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(place, reason)`` for a free text; images in data URIs are decoded and scanned."""
    prefix = f"{where}, " if where else ""
    for m in _DATA_URI_PNG.finditer(text):
        try:
            png = base64.b64decode(re.sub(r"\s", "", m.group(1)), validate=False)
        except (binascii.Error, ValueError):
            continue
        for place, reason in _scan_png_bytes(png):
            yield f"{prefix}embedded image at {_line_col(text, m.start())}, {place}", reason
    # Blank out embedded images so that their base64 is not read as text.
    plain = _DATA_URI_PNG.sub(lambda m: " " * len(m.group(0)), text)
    for offset in find_person_numbers(plain):
        yield prefix + _line_col(text, offset), FNR_REASON
        return
    if person_level:
        for offset in _find_pseudonyms(plain):
            yield prefix + _line_col(text, offset), PSEUDONYM_REASON
            return


class _HeaderCells(HTMLParser):
    """Collect the text of every ``<th>`` cell with the line it starts on."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headers: list[tuple[int, str]] = []
        self._depth = 0
        self._buf: list[str] = []
        self._line = 0

    def handle_starttag(self, tag, attrs):
        if tag == "th":
            self._depth += 1
            self._buf, self._line = [], self.getpos()[0]

    def handle_endtag(self, tag):
        if tag == "th" and self._depth:
            self._depth -= 1
            self.headers.append((self._line, "".join(self._buf)))

    def handle_data(self, data):
        if self._depth:
            self._buf.append(data)


def _scan_html(text: str, person_level: bool, where: str = "") -> Iterator[tuple[str, str]]:
    yield from _scan_text(text, person_level, where)
    if person_level:
        parser = _HeaderCells()
        try:
            parser.feed(text)
            parser.close()
        except Exception:  # noqa: BLE001 - a malformed page is still scanned as text above
            log.debug("could not parse HTML table headers", exc_info=True)
        prefix = f"{where}, " if where else ""
        for line, header in parser.headers:
            if is_person_column(header):
                yield f"{prefix}table header on line {line}", PERSON_COLUMN_REASON.format(name=header.strip())
                return


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _scan_rows(rows: Iterable[tuple[str, list[object]]], person_level: bool, header_place: str,
               ) -> Iterator[tuple[str, str]]:
    """Scan a table given as ``(row label, cells)`` pairs, the first being the header."""
    header: list[str] = []
    for i, (label, cells) in enumerate(rows):
        if i == 0:
            header = ["" if c is None else str(c) for c in cells]
            for j, name in enumerate(header):
                if _cell_is_person_number(name):
                    yield f"{header_place}, column {j + 1}", FNR_REASON
                    return
                if person_level and is_person_column(name):
                    yield f"{header_place}, column {name.strip()!r}", PERSON_COLUMN_REASON.format(name=name.strip())
                    return
            continue
        for j, value in enumerate(cells):
            column = header[j] if j < len(header) and header[j] else str(j + 1)
            reason = _cell_reason(value, person_level)
            if reason:
                yield f"{label}, column {column!r}", reason
                return


def _scan_delimited(path: Path, person_level: bool) -> Iterator[tuple[str, str]]:
    text = _decode(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        rows = ((f"row {reader.line_num}", cells) for cells in reader)
        yield from _scan_rows(rows, person_level, "row 1 (header)")
    except csv.Error:
        log.debug("%s is not valid CSV; scanning it as text", path)
        yield from _scan_text(text, person_level)


def _scan_png_bytes(data: bytes) -> Iterator[tuple[str, str]]:
    """Scan the tEXt, zTXt and iTXt chunks of a PNG (Pillow reads all three)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            chunks = dict(getattr(image, "text", {}) or {})
            chunks.update({k: v for k, v in image.info.items() if isinstance(v, str) and k not in chunks})
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return
    for key, value in chunks.items():
        for text, what in ((str(key), "key"), (str(value), "text")):
            if next(find_person_numbers(text), None) is not None:
                yield f"PNG metadata chunk {key!r} ({what})", FNR_REASON
                return


def _scan_png(path: Path, person_level: bool) -> Iterator[tuple[str, str]]:
    yield from _scan_png_bytes(path.read_bytes())


def _scan_notebook(path: Path, person_level: bool) -> Iterator[tuple[str, str]]:
    text = _decode(path.read_bytes())
    try:
        nb = json.loads(text)
    except json.JSONDecodeError:
        yield from _scan_text(text, person_level)
        return
    # Metadata (papermill parameters, kernel) first: a plain text scan of everything but cells.
    meta = json.dumps({k: v for k, v in nb.items() if k != "cells"}, ensure_ascii=False)
    for place, reason in _scan_text(meta, False):
        yield f"notebook metadata, {place}", reason
        return
    for i, cell in enumerate(nb.get("cells", []), start=1):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        for place, reason in _scan_text(src, person_level, f"cell {i} source"):
            yield place, reason
            return
        for k, out in enumerate(cell.get("outputs", []) or [], start=1):
            where = f"cell {i} output {k}"
            parts: list[tuple[str, str]] = []
            if "text" in out:
                t = out["text"]
                parts.append(("stream", "".join(t) if isinstance(t, list) else str(t)))
            if "traceback" in out:
                parts.append(("traceback", "\n".join(out.get("traceback") or [])))
            for mime, value in (out.get("data") or {}).items():
                value = "".join(value) if isinstance(value, list) else value
                if mime == "image/png" and isinstance(value, str):
                    try:
                        png = base64.b64decode(value)
                    except (binascii.Error, ValueError):
                        continue
                    for place, reason in _scan_png_bytes(png):
                        yield f"{where} (image/png), {place}", reason
                        return
                    continue
                if not isinstance(value, str):
                    value = json.dumps(value, ensure_ascii=False)
                parts.append((mime, value))
            for mime, value in parts:
                scan = _scan_html if mime == "text/html" else _scan_text
                for place, reason in scan(value, person_level, f"{where} ({mime})"):
                    yield place, reason
                    return


def _scan_parquet(path: Path, person_level: bool) -> Iterator[tuple[str, str]]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    metadata = table.schema.metadata or {}
    for key, value in metadata.items():
        for place, reason in _scan_text(_decode(key) + "\n" + _decode(value), False):
            yield f"file metadata {_decode(key)!r}, {place}", reason
            return
    for name in table.column_names:
        if _cell_is_person_number(name):
            yield f"column name {name!r}", FNR_REASON
            return
        if person_level and is_person_column(name):
            yield f"column {name!r}", PERSON_COLUMN_REASON.format(name=name)
            return
    for name in table.column_names:
        for row, value in enumerate(table.column(name).to_pylist(), start=1):
            if isinstance(value, (list, dict)):
                value = json.dumps(value, ensure_ascii=False, default=str)
            elif value is not None and not isinstance(value, (str, int, float, bool)):
                value = str(value)
            reason = _cell_reason(value, person_level)
            if reason:
                yield f"row {row}, column {name!r}", reason
                return


def _scan_xlsx(path: Path, person_level: bool) -> Iterator[tuple[str, str]]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for sheet in workbook.worksheets:
            rows = ((f"sheet {sheet.title!r} row {r}", list(cells))
                    for r, cells in enumerate(sheet.iter_rows(values_only=True), start=1))
            yield from _scan_rows(rows, person_level, f"sheet {sheet.title!r} row 1 (header)")
    finally:
        workbook.close()


def _scan_other(path: Path, person_level: bool) -> Iterator[tuple[str, str]]:
    text = _decode(path.read_bytes())
    scan = _scan_html if path.suffix.lower() in (".html", ".htm", ".svg") else _scan_text
    yield from scan(text, person_level)


def _scanner(path: Path):
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return _scan_delimited
    if suffix == ".ipynb":
        return _scan_notebook
    if suffix == ".parquet":
        return _scan_parquet
    if suffix == ".png":
        return _scan_png
    if suffix in (".xlsx", ".xlsm"):
        return _scan_xlsx
    if suffix in TEXT_SUFFIXES:
        return _scan_other
    return None


# --------------------------------------------------------------------------------------------
# Walking


def is_processed(path: Path) -> bool:
    """Return whether ``path`` lies in processed data (record-level with pseudonyms by contract)."""
    return PROCESSED_FOLDER in path.parts[:-1]


def iter_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Yield every file under ``paths`` (files given directly included), in sorted order.

    Raises
    ------
    PriosloError
        When a path does not exist (a typo must not pass as «nothing found»).
    """
    for root in paths:
        root = Path(root)
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from sorted(p for p in root.rglob("*") if p.is_file())
        else:
            raise PriosloError(f"{root}: no such file or folder to check")


def scan_file(path: Path) -> Finding | None:
    """Return the first leak in one file, or ``None``; ``None`` too for a file type not scanned.

    Person-level rows are looked for unless the file lies in processed data
    (see :func:`is_processed`).
    """
    scanner = _scanner(path)
    if scanner is None:
        return None
    try:
        for place, reason in scanner(path, not is_processed(path.resolve())):
            return Finding(path, place, reason)
    except Exception as exc:  # noqa: BLE001 - an unreadable file must not pass silently
        return Finding(path, "whole file", f"could not be read to check it ({type(exc).__name__}: {exc})")
    return None


def find_leak(paths: Iterable[Path | str]) -> tuple[Finding | None, int]:
    """Scan ``paths`` and return ``(first finding or None, number of files scanned)``."""
    scanned = 0
    for path in iter_files(paths):
        if _scanner(path) is None:
            log.debug("not scanned (unknown file type): %s", path)
            continue
        scanned += 1
        finding = scan_file(path)
        if finding is not None:
            return finding, scanned
    return None, scanned


def check_outputs(paths: list[Path]) -> int:
    """Run the leak check over ``paths``; the ``prioslo check-outputs`` command.

    Parameters
    ----------
    paths : list of Path
        Folders (walked recursively) or files: processed data and outputs.

    Returns
    -------
    int
        0 when nothing was found (a line says how many files were scanned); 1 at the first
        finding, which is printed to standard error with its file and place.
    """
    finding, scanned = find_leak(paths)
    if finding is not None:
        print(f"prioslo: leak: {finding}", file=sys.stderr)
        return 1
    print(f"no fødselsnummer or person-level rows found in {scanned} files")
    return 0
