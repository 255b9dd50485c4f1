"""Finding and reading the raw extracts of a data dir (CSV or Excel) into frames of raw strings.

Reading is deliberately separate from cleaning: this module only turns a file into rows of text
with the contract's column names, and says where each row came from (``source_row``, the line or
sheet row the analyst sees in a text editor or Excel). Cleaning and validation of the values live
in :mod:`prioslo.cleaning`.

What a user's file may look like (all handled here):

* CSV in UTF-8 (with or without BOM) or Windows-1252; ``;``, ``,`` or tab as separator.
* Excel ``.xlsx`` with a title row or notes above the header, several sheets (the one sheet
  holding the contract columns is read; two such sheets are refused, since reading one would drop
  the other's rows), date cells, ids stored as numbers. A formula without a calculated value (a
  workbook written by a program, never saved by Excel) is an unusable cell: its row is rejected.
* Headers in any case, with stray spaces, a BOM or non-breaking spaces, or spelled with
  Norwegian letters (``Fødselsår`` for ``fodselsar``, ``År`` for ``aar``). Extra columns are
  ignored (logged). A missing column stops the file with an :class:`~prioslo.errors.InputError`.
* A CSV line with the wrong number of fields (a truncated last line, an unquoted separator in a
  value) is kept as a row with a :data:`READ_ERROR`, so that it is rejected with its reason rather
  than dropped or crashing the run.

Lines that are completely empty (also ``;;;;`` lines Excel writes) are no rows and are skipped.

Files that cannot be read row by row without guessing are refused with an
:class:`~prioslo.errors.InputError` naming the problem: undecodable or binary content, UTF-8 and
Windows-1252 lines mixed in one file, an unbalanced quote that swallows the following lines.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import logging
import re
import unicodedata
from pathlib import Path

import pandas as pd

from prioslo import schema
from prioslo.errors import InputError

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".xlsx")
"""File types read from a data dir."""

SOURCE_ROW = "source_row"
"""Column of :func:`read_extract` frames: the 1-based line (CSV) or sheet row (Excel) of the row."""

READ_ERROR = "read_error"
"""Column of :func:`read_extract` frames: why the row could not be read as a row (``""`` if fine)."""

READ_ERROR_COLUMN = "read_error_column"
"""Column of :func:`read_extract` frames: the raw column a :data:`READ_ERROR` concerns (``""`` when
it concerns the whole row, such as a wrong number of fields)."""

OPTIONAL_COLUMNS = frozenset({"merknad"})
"""Raw columns a file may leave out entirely (free-text remarks no indicator uses). Every other
contract column must be present, even when all its values are empty: a missing ``utskrevet_til``
would otherwise silently turn every move to own housing into zero."""

HEADER_SEARCH_ROWS = 20
"""How many rows from the top are searched for the header row (title rows above it are normal)."""

_BLANK = re.compile(r"^[\s\u00a0\u202f]*$")


def find_extracts(data_dir: Path) -> dict[str, Path]:
    """Return the contract extracts present in ``data_dir``, by raw name.

    Parameters
    ----------
    data_dir : Path
        Folder of raw extracts. Only its top level is searched: subfolders (``published/``,
        ``processed/``) and files that are no contract extract are ignored.

    Returns
    -------
    dict
        ``{raw_name: path}`` in the order of :data:`prioslo.schema.EXTRACTS`. The file stem is
        matched case-insensitively (``Opphold.CSV`` is ``opphold``).

    Raises
    ------
    InputError
        When one extract is there twice (as ``.csv`` and ``.xlsx``): which one is meant is unclear.
    """
    found: dict[str, list[Path]] = {}
    for path in sorted(Path(data_dir).iterdir()):
        stem, suffix = path.stem.lower(), path.suffix.lower()
        if path.is_dir():
            log.debug("ignoring folder %s", path)
            continue
        if stem not in schema.BY_RAW_NAME:
            log.debug("ignoring %s: not a contract extract", path.name)
            continue
        if suffix not in SUFFIXES:
            log.warning("ignoring %s: only .csv and .xlsx files are read (save it as one of those)", path.name)
            continue
        found.setdefault(stem, []).append(path)
    for stem, paths in found.items():
        if len(paths) > 1:
            names = " and ".join(p.name for p in paths)
            raise InputError(paths[0].name, f"extract '{stem}' is given twice ({names}); keep only one")
    return {e.raw_name: found[e.raw_name][0] for e in schema.EXTRACTS if e.raw_name in found}


# --------------------------------------------------------------------------------------------------
# headers


def _header_keys(cell: object) -> set[str]:
    """Spellings of a header cell to compare with the contract's raw column names."""
    s = unicodedata.normalize("NFKC", "" if cell is None else str(cell)).replace("\ufeff", "")
    s = re.sub(r"[\s\-]+", "_", s.strip().casefold()).strip("_")
    keys = {s}
    for aa in ("a", "aa"):
        keys.add(s.replace("æ", "ae").replace("ø", "o").replace("å", aa))
    return keys


def _match_header(cells: list[object], extract: schema.Extract) -> dict[int, str]:
    """Map cell positions of a header row to the contract's raw column names."""
    wanted = set(extract.raw_columns)
    mapping: dict[int, str] = {}
    for i, cell in enumerate(cells):
        hits = _header_keys(cell) & wanted
        if hits:
            mapping[i] = hits.pop()
    return mapping


def _required(extract: schema.Extract) -> list[str]:
    return [c for c in extract.raw_columns if c not in OPTIONAL_COLUMNS]


def _find_header(rows: list[tuple[int, list[object]]], extract: schema.Extract) -> int | None:
    """Index into ``rows`` of the first row that names every required column, or None."""
    required = set(_required(extract))
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if required <= set(_match_header(cells, extract).values()):
            return i
    return None


def _show(cells: list[object]) -> str:
    names = [str(c).strip() for c in cells if c is not None and str(c).strip()]
    return ", ".join(names) if names else "nothing"


def _check_header(name: str, cells: list[object], extract: schema.Extract) -> dict[int, str]:
    """Return the column mapping of a header row or raise the missing-column error."""
    mapping = _match_header(cells, extract)
    missing = [c for c in _required(extract) if c not in mapping.values()]
    if missing:
        cols = ", ".join(f"'{c}'" for c in missing)
        raise InputError(name, f"missing column{'s' if len(missing) > 1 else ''} {cols} (found: {_show(cells)})")
    seen: dict[str, int] = {}
    for i, raw in mapping.items():
        if raw in seen:
            raise InputError(name, f"column '{raw}' appears twice (columns {seen[raw] + 1} and {i + 1})")
        seen[raw] = i
    extra = [str(c).strip() for i, c in enumerate(cells)
             if i not in mapping and c is not None and str(c).strip()]
    if extra:
        log.info("%s: ignoring columns not in the data contract: %s", name, ", ".join(extra))
    return mapping


def _frame(name: str, extract: schema.Extract, mapping: dict[int, str], width: int,
           rows: list[tuple[int, list[str]]],
           cell_errors: dict[int, list[tuple[int, str]]] | None = None) -> pd.DataFrame:
    """Build the raw-string frame of the data rows under their contract names.

    ``cell_errors`` maps a source row to ``(cell position, reason)`` of cells that hold no
    usable value (an Excel formula never calculated); errors in unnamed columns are ignored.
    """
    data: dict[str, list] = {SOURCE_ROW: [], READ_ERROR: [], READ_ERROR_COLUMN: []}
    data.update({c: [] for c in extract.raw_columns})
    last_named = max(mapping) + 1
    cell_errors = cell_errors or {}
    for line, cells in rows:
        error, error_column = "", ""
        n = len(cells)
        if n != width:
            extra_blank = n > width and all(_BLANK.match(c) for c in cells[width:])
            only_unnamed_missing = n < width and n >= last_named
            if not (extra_blank or only_unnamed_missing):
                error = f"row has {n} fields, the header has {width}"
                if n < width:
                    error += " (truncated line?)"
                if any("\n" in c for c in cells):
                    error += "; a quote (\") may be unbalanced"
        named = [(mapping[i], reason) for i, reason in cell_errors.get(line, []) if i in mapping]
        if named and not error:
            error_column = "; ".join(c for c, _ in named)
            error = "; ".join(r for _, r in named)
        data[SOURCE_ROW].append(line)
        data[READ_ERROR].append(error)
        data[READ_ERROR_COLUMN].append(error_column)
        for i, raw in mapping.items():
            data[raw].append(cells[i] if i < n else "")
    for raw in extract.raw_columns:  # optional columns left out of the file
        if raw not in mapping.values():
            data[raw] = [""] * len(rows)
    frame = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in data.items() if k != SOURCE_ROW})
    frame.insert(0, SOURCE_ROW, pd.Series(data[SOURCE_ROW], dtype="int64"))
    if frame.empty:
        log.warning("%s: no data rows", name)
    return frame


# --------------------------------------------------------------------------------------------------
# CSV


def _decode(data: bytes, name: str) -> str:
    """Decode CSV bytes as UTF-8 (BOM or not), else Windows-1252, else raise InputError."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(name, "the file is UTF-16 text; save it as CSV in UTF-8 or Windows-1252")
    if data.startswith(b"PK\x03\x04"):
        raise InputError(name, "the file is an Excel workbook (or another zip file) named .csv; name it .xlsx")
    if b"\x00" in data:
        raise InputError(name, "not a text file (binary content); expected CSV in UTF-8 or Windows-1252")
    try:
        text = data.decode("utf-8-sig")
        encoding = "UTF-8"
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            encoding = "Windows-1252"
        except UnicodeDecodeError as exc:
            raise InputError(name, f"cannot be read as UTF-8 or Windows-1252 text (byte 0x{data[exc.start]:02x} "
                                   f"at position {exc.start}); save it as CSV in UTF-8") from None
        _refuse_mixed_encodings(data, name)
    control = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text.rstrip("\x1a"))
    if control:
        raise InputError(name, f"not a text file (control character at position {control.start()}); "
                               "expected CSV in UTF-8 or Windows-1252")
    log.debug("%s: read as %s", name, encoding)
    return text


def _refuse_mixed_encodings(data: bytes, name: str) -> None:
    """Raise InputError when some lines are UTF-8 and others Windows-1252 (two exports pasted together).

    Read as Windows-1252, the UTF-8 lines would turn ``Ø`` into ``Ã˜`` without any error, and a
    garbled marker value (the violence discharge reason) would silently stop counting.
    """
    utf8_line = cp1252_line = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_line = utf8_line or number
        except UnicodeDecodeError:
            cp1252_line = cp1252_line or number
        if utf8_line and cp1252_line:
            raise InputError(name, f"mixed text encoding: line {utf8_line} is UTF-8 but line {cp1252_line} is "
                                   "Windows-1252 (two exports pasted together?); save the file in one encoding")


def _refuse_swallowed_lines(rows: list[tuple[int, list[str]]], delimiter: str, width: int, name: str) -> None:
    """Raise InputError when a quoted value spans lines that look like whole rows.

    An unbalanced ``"`` makes the CSV parser read every following line, separators and all, into
    one value: the rows would vanish without a trace. A real multi-line remark has no line with a
    full row's worth of separators.
    """
    for line, cells in rows:
        for cell in cells:
            if "\n" in cell and any(part.count(delimiter) >= width - 1 for part in cell.split("\n")[1:]):
                raise InputError(name, f"unbalanced quote (\") on line {line}: the following lines were read "
                                       "as part of one value; remove or close the quote", row=line)


def _csv_rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Parse CSV text into ``(first line number, fields)`` of every non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for fields in reader:
            if "".join(fields).strip():  # str.strip also strips non-breaking spaces
                rows.append((line, fields))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError("", f"cannot be parsed as CSV ({exc})", row=line) from None
    return rows


def _read_csv(path: Path, extract: schema.Extract) -> pd.DataFrame:
    name = path.name
    text = _decode(path.read_bytes(), name)
    if not text.strip():
        log.warning("%s: the file is empty", name)
        return _frame(name, extract, {i: c for i, c in enumerate(extract.raw_columns)},
                      len(extract.raw_columns), [])
    first = next(line for line in text.splitlines() if line.strip())
    candidates = sorted([";", ",", "\t"], key=lambda d: -first.count(d))
    parsed: dict[str, list[tuple[int, list[str]]]] = {}
    for delimiter in candidates:
        try:
            rows = _csv_rows(text, delimiter)
        except InputError as exc:
            raise InputError(name, exc.reason, row=exc.row) from None
        parsed[delimiter] = rows
        at = _find_header(rows, extract)
        if at is not None:
            log.debug("%s: separator %r, header on line %d", name, delimiter, rows[at][0])
            if at:
                log.info("%s: skipped %d line(s) above the header", name, at)
            header = rows[at][1]
            mapping = _check_header(name, header, extract)
            _refuse_swallowed_lines(rows[at + 1:], delimiter, max(2, max(mapping) + 1), name)
            return _frame(name, extract, mapping, len(header), rows[at + 1:])
    rows = parsed[candidates[0]]
    if len(rows) == 0:
        raise InputError(name, "no header row found")
    _check_header(name, rows[0][1], extract)
    raise AssertionError("unreachable: the header check above must fail")


# --------------------------------------------------------------------------------------------------
# Excel


def _cell_text(value: object, kind: str, epoch: datetime.datetime) -> str:
    """Render an Excel cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, (datetime.datetime, datetime.date)):
        if kind == "month":
            return f"{value.year:04d}-{value.month:02d}"
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, (int, float)):
        if kind in ("date", "month") and 10000 <= value < 2958466:
            from openpyxl.utils.datetime import from_excel

            return _cell_text(from_excel(value, epoch), kind, epoch)
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else format(value, ".15g")
        return str(value)
    if isinstance(value, datetime.time):
        return value.isoformat()
    return str(value)


def _open_workbook(path: Path, data_only: bool):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError ...: damaged or mislabelled
        raise InputError(path.name, f"cannot be opened as an Excel .xlsx workbook ({type(exc).__name__})") from None


def _has_formulas(path: Path) -> bool:
    """True when any worksheet of the workbook holds a formula (``<f>`` element)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                with archive.open(member) as fh:
                    if re.search(rb"<f[ >/]", fh.read()):
                        return True
    return False


def _uncalculated_formulas(path: Path, title: str, header_row: int,
                           empty: dict[int, list[int]]) -> dict[int, list[tuple[int, str]]]:
    """Cells read as empty that hold a formula without a calculated value, by source row.

    A workbook written by a program (not saved by Excel) has formulas but no stored results;
    reading such a cell as empty would silently turn e.g. an answer into "unanswered".
    """
    if not empty or not _has_formulas(path):
        return {}
    book = _open_workbook(path, data_only=False)
    found: dict[int, list[tuple[int, str]]] = {}
    try:
        sheet = book[title]
        for number, values in enumerate(sheet.iter_rows(min_row=header_row + 1, values_only=True),
                                        start=header_row + 1):
            for i in empty.get(number, []):
                value = values[i] if i < len(values) else None
                if isinstance(value, str) and value.startswith("="):
                    found.setdefault(number, []).append(
                        (i, f"formula {value[:40]!r} has no calculated value (open and save the file in Excel)"))
    finally:
        book.close()
    return found


def _read_xlsx(path: Path, extract: schema.Extract) -> pd.DataFrame:
    name = path.name
    book = _open_workbook(path, data_only=True)
    try:
        kinds = {c.raw: c.kind for c in extract.columns}
        first_rows: dict[str, list[tuple[int, list[object]]]] = {}
        chosen: list[tuple[object, int, list[object]]] = []
        for sheet in book.worksheets:
            top = [(i, list(r)) for i, r in enumerate(
                sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1)]
            top = [(i, cells) for i, cells in top if any(c is not None and str(c).strip() for c in cells)]
            first_rows[sheet.title] = top
            at = _find_header(top, extract)
            if at is not None:
                chosen.append((sheet, *top[at]))
        if len(chosen) > 1:
            titles = " and ".join(f"'{sheet.title}'" for sheet, _, _ in chosen)
            raise InputError(name, f"sheets {titles} all hold the contract columns; reading one would drop "
                                   "the others' rows: put all rows in one sheet")
        if chosen:
            sheet, header_row, header = chosen[0]
            mapping = _check_header(f"{name} (sheet '{sheet.title}')", header, extract)
            if header_row > 1 or len(book.sheetnames) > 1:
                log.info("%s: reading sheet '%s', header on row %d", name, sheet.title, header_row)
            col_kind = {i: kinds[raw] for i, raw in mapping.items()}
            rows: list[tuple[int, list[str]]] = []
            empty: dict[int, list[int]] = {}
            for number, values in enumerate(sheet.iter_rows(min_row=header_row + 1, values_only=True),
                                            start=header_row + 1):
                cells = [_cell_text(v, col_kind.get(i, "text"), book.epoch) for i, v in enumerate(values)]
                if "".join(cells).strip():
                    # a sheet has no field count to get wrong: pad to the header, cells beyond it
                    # are in unnamed columns and ignored like any extra column
                    cells = (cells + [""] * len(header))[:len(header)]
                    rows.append((number, cells))
                    blank = [i for i in mapping if not cells[i]]
                    if blank:
                        empty[number] = blank
            title = sheet.title
        else:
            sheets = ", ".join(f"'{t}'" for t in book.sheetnames)
            if all(not rows for rows in first_rows.values()):
                log.warning("%s: the workbook is empty", name)
                return _frame(name, extract, {i: c for i, c in enumerate(extract.raw_columns)},
                              len(extract.raw_columns), [])
            candidates = [c for rows in first_rows.values() for _, c in rows[:HEADER_SEARCH_ROWS]]
            cells = max(candidates, key=lambda c: len(_match_header(c, extract)))
            missing = [c for c in _required(extract) if c not in _match_header(cells, extract).values()]
            cols = ", ".join(f"'{c}'" for c in missing)
            raise InputError(name, f"no sheet has all the contract columns (sheets: {sheets}); "
                                   f"missing column{'s' if len(missing) > 1 else ''} {cols} "
                                   f"(found: {_show(cells)})")
    finally:
        book.close()
    formulas = _uncalculated_formulas(path, title, header_row, empty)
    return _frame(name, extract, mapping, len(header), rows, formulas)


def read_extract(path: Path, extract: schema.Extract) -> pd.DataFrame:
    """Read one extract file into a frame of raw strings.

    Parameters
    ----------
    path : Path
        A ``.csv`` or ``.xlsx`` file.
    extract : prioslo.schema.Extract
        The contract extract the file holds.

    Returns
    -------
    pandas.DataFrame
        :data:`SOURCE_ROW` (int, the line or sheet row as the user sees it; the header is its own
        row), :data:`READ_ERROR` (``""`` unless the row is malformed or a cell unusable),
        :data:`READ_ERROR_COLUMN` (the raw column of such a cell, ``""`` for the whole row) and every raw contract column
        as ``str`` (``""`` for an empty cell), in file order. Extra columns are dropped. An empty
        file gives zero rows and a warning.

    Raises
    ------
    InputError
        When the file cannot be read at all: wrong encoding or binary content, not a workbook, a
        contract column missing (the message names the file and the column and lists what was
        found), a column given twice.
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        frame = _read_xlsx(path, extract)
    else:
        frame = _read_csv(path, extract)
    bad = int((frame[READ_ERROR] != "").sum())
    if bad:
        log.warning("%s: %d malformed row(s) will be rejected", path.name, bad)
    log.debug("%s: %d data rows", path.name, len(frame))
    return frame
