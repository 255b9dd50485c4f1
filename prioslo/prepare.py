"""``prioslo prepare``: raw extracts -> cleaned, validated, pseudonymised Parquet tables.

For each extract of the data contract found in the data dir: read it
(:mod:`prioslo.readers`), clean every column (:mod:`prioslo.cleaning`), check each record as a
whole, reject duplicates, pseudonymise person ids (:mod:`prioslo.pseudonym`) and write

* ``<processed>/<table>.parquet``: the valid rows, English column names, proper dtypes;
* ``<processed>/rejected/<raw_name>.csv``: every rejected row with ``file, row, column, reason``
  and its raw values (person ids replaced by ``[fjernet]``, text scrubbed of fødselsnummer);
* ``<processed>/manifest.json``: sha256 of every input file, rows in / kept / rejected per file,
  the prioslo version and a fingerprint of the pseudonymisation key. Nothing time-based, keys
  sorted, so the same input gives the same bytes.

Rows in = rows kept + rows rejected for every file (checked, never assumed). Rejection order
is (1) malformed lines, (2) invalid values, (3) record-level checks, (4) duplicates among the rows
still valid, so that a rejected row never changes another row's fate: an invalid row cannot make a
later valid row with the same id a "duplicate".

:func:`load_tables` is what notebooks and the indicator pipeline call: it re-runs :func:`prepare`
only when the input files' content (or the key, or the prioslo version) differs from what the
manifest records, and otherwise just loads the Parquet files.
"""

from __future__ import annotations

import collections
import hashlib
import importlib.metadata
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from prioslo import bydeler, cleaning, paths, pseudonym, readers, schema
from prioslo.errors import PriosloError

log = logging.getLogger(__name__)


def _version() -> str:
    """The installed prioslo version (from the package metadata, which every install has)."""
    try:
        return importlib.metadata.version("prioslo")
    except importlib.metadata.PackageNotFoundError:
        from prioslo import __version__

        return __version__


MANIFEST = "manifest.json"
REJECTED = "rejected"
REJECT_COLUMNS = ("file", "row", "column", "reason")
"""Leading columns of a rejected-rows file; the raw columns follow."""
TOP_REASONS = 5
"""How many of the most frequent rejection reasons the summary lists per file."""


@dataclass
class FileReport:
    """What happened to one input file."""

    raw_name: str
    path: Path
    table: str
    sha256: str
    rows_in: int
    kept: int
    rejected: int
    reasons: collections.Counter = field(default_factory=collections.Counter)
    """Rejection reason -> number of rows."""
    scrubbed: int = 0
    """Text values from which something shaped like a fødselsnummer was removed (rows kept)."""
    synthetic: bool | None = None
    """For a record-level extract: whether every valid person number is a synthetic test identity
    (month + 80); None when the extract holds no person numbers."""


@dataclass
class PrepareResult:
    """Outcome of :func:`prepare`: per-file counts and where everything was written."""

    data_dir: Path
    processed_dir: Path
    files: list[FileReport]
    missing: list[str]
    """Raw names of contract extracts not found in the data dir."""

    def summary(self) -> str:
        """Return a readable data-quality summary (what ``prioslo prepare`` prints)."""
        lines = [f"Prepared {len(self.files)} extract(s) from {self.data_dir} into {self.processed_dir}", ""]
        for f in self.files:
            lines.append(f"{f.path.name}: {f.rows_in} rows in, {f.kept} kept, {f.rejected} rejected")
            for reason, n in f.reasons.most_common(TOP_REASONS):
                lines.append(f"  {n:>5} × {reason}")
            others = sum(f.reasons.values()) - sum(n for _, n in f.reasons.most_common(TOP_REASONS))
            if others:
                lines.append(f"  {others:>5} × other reasons (see the rejected-rows file)")
            if f.scrubbed:
                lines.append(f"  warning: {f.scrubbed} text value(s) held something shaped like a "
                             f"fødselsnummer, replaced by {cleaning.SCRUBBED} (rows kept)")
        for name in self.missing:
            lines.append(f"{name}: not provided — its indicators will be skipped")
        if any(f.rejected for f in self.files):
            lines += ["", f"Rejected rows with reasons: {self.processed_dir / REJECTED}"]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# cleaning one extract


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _combine(problems: list[tuple[str | pd.Series, pd.Series]],
             index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Join per-column reasons into one ``column`` and one ``reason`` text per row.

    Each problem is ``(column, reasons)``; ``column`` is a raw column name, or a Series of them
    when it differs by row (read errors).
    """
    columns = [[] for _ in range(len(index))]
    reasons = [[] for _ in range(len(index))]
    for column, series in problems:
        for pos in (series.to_numpy() != "").nonzero()[0]:
            columns[pos].append(column if isinstance(column, str) else column.iat[pos])
            reasons[pos].append(series.iat[pos])
    return (pd.Series(["; ".join(c) for c in columns], index=index, dtype="str"),
            pd.Series(["; ".join(r) for r in reasons], index=index, dtype="str"))


def _first_rows(frame: pd.DataFrame, rows: pd.Series) -> pd.Series:
    """For each row, the source row of the first row with the same values in every column of ``frame``."""
    keys = [frame[c].astype("str").fillna("\x00") for c in frame.columns]
    return rows.groupby(keys, dropna=False, sort=False).transform("first")


def _dedupe_view(frame: pd.DataFrame, raw: pd.DataFrame, extract: schema.Extract) -> pd.DataFrame:
    """The cleaned values as compared for duplicates: ``Uoppgitt`` keeps its area (Sentrum, Marka).

    Sentrum and Marka both become the group ``Uoppgitt``; their rows in the same round are two
    counts to add up, not duplicates of each other.
    """
    bydel_cols = [c for c in extract.columns if c.kind == "bydel"]
    if not bydel_cols:
        return frame
    out = frame.copy()
    for col in bydel_cols:
        unspecified = out[col.name] == bydeler.UNSPECIFIED
        if unspecified.any():
            areas = raw.loc[unspecified, col.raw].map(cleaning.unspecified_area).astype("str")
            out.loc[unspecified, col.name] = bydeler.UNSPECIFIED + " (" + areas + ")"
    return out


def _duplicates(values: pd.DataFrame, rows: pd.Series, valid: pd.Series,
                extract: schema.Extract) -> list[tuple[str, pd.Series]]:
    """Reasons for exact duplicates and conflicting duplicate keys among the ``valid`` rows.

    The first occurrence is kept; later ones are rejected and point to it by its source row.
    """
    empty = pd.Series("", index=values.index, dtype="str")
    subset, sub_rows = values[valid], rows[valid]
    if subset.empty:
        return []
    first = _first_rows(subset, sub_rows)
    exact = sub_rows != first
    exact_reason = empty.copy()
    exact_reason[exact[exact].index] = "exact duplicate of row " + first[exact].astype("str")
    out = [("", exact_reason)]
    if extract.unique:
        raw = {c.name: c.raw for c in extract.columns}
        label = " + ".join(raw[n] for n in extract.unique)
        unique = subset.loc[~exact, list(extract.unique)]
        kfirst = _first_rows(unique, sub_rows[~exact])
        idx = kfirst.index[sub_rows[~exact] != kfirst]
        if len(idx) == 0:
            return out
        shown = unique.loc[idx].astype("str").agg(", ".join, axis=1).map(cleaning.scrub_text)
        reason = empty.copy()
        reason[idx] = (f"duplicate {label} '" + shown + "', first at row "
                       + kfirst[idx].astype("str") + ", different values")
        out.append((label, reason))
    return out


def _derive(frame: pd.DataFrame, extract: schema.Extract) -> pd.DataFrame:
    """Add derived columns and set the processed dtypes of one extract's valid rows."""
    out = frame.copy()
    for col in extract.columns:
        if col.kind in ("year", "int") and col.required:
            out[col.name] = out[col.name].astype("int64")
        if col.kind == "choice" and col.choices == schema.YES_NO:
            out[col.name] = out[col.name].eq("ja").astype(bool)
    if extract.table in ("life_quality_bydel", "life_quality_institution"):
        out.insert(out.columns.get_loc("date") + 1, "year", out["date"].dt.year.astype("int64"))
    if extract.table == "rental_housing":
        out.insert(out.columns.get_loc("date") + 1, "period",
                   (out["date"] - pd.Timedelta(days=1)).dt.year.astype("int64"))
    return out.reset_index(drop=True)


def clean_extract(raw: pd.DataFrame, extract: schema.Extract, key: bytes | None,
                  file: str = "") -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Clean, validate and pseudonymise one extract read by :func:`prioslo.readers.read_extract`.

    Parameters
    ----------
    raw : pandas.DataFrame
        Raw strings with :data:`~prioslo.readers.SOURCE_ROW`, :data:`~prioslo.readers.READ_ERROR`
        and :data:`~prioslo.readers.READ_ERROR_COLUMN`.
    extract : prioslo.schema.Extract
    key : bytes or None
        Pseudonymisation key (may be None for an extract without person ids).
    file : str
        File name written into the rejected rows.

    Returns
    -------
    (kept, rejected, scrubbed)
        ``kept``: the processed table (English columns, processed dtypes, person ids hashed).
        ``rejected``: ``file, row, column, reason`` and the raw values (person ids replaced by
        ``[fjernet]``, everything else scrubbed of 10- and 11-digit runs, since a shifted row can
        put a person number into any column). ``scrubbed``: number of text
        values of kept rows from which a fødselsnummer-shaped run was removed.
    """
    raw = raw.reset_index(drop=True)
    rows = raw[readers.SOURCE_ROW]
    read_error = raw[readers.READ_ERROR].astype("str")
    bydeler_only = extract.raw_name in cleaning.BYDELER_ONLY
    problems: list[tuple[str | pd.Series, pd.Series]] = []
    values: dict[str, pd.Series] = {}
    scrubbed = pd.Series(0, index=raw.index, dtype="int64")
    for col in extract.columns:
        result = cleaning.clean_column(raw[col.raw], col, bydeler_only=bydeler_only)
        values[col.name] = result.values
        problems.append((col.raw, result.reasons))
        scrubbed += result.scrubbed.astype("int64")
    frame = pd.DataFrame(values, index=raw.index)
    malformed = read_error != ""
    problems = [(c, r.mask(malformed, "")) for c, r in problems]
    problems.insert(0, (raw[readers.READ_ERROR_COLUMN].astype("str"), read_error))

    def still_valid() -> pd.Series:
        bad = pd.Series(False, index=raw.index)
        for _, r in problems:
            bad |= r != ""
        return ~bad

    valid = still_valid()
    for column, reason in cleaning.record_problems(frame, extract).items():
        problems.append((column, reason.where(valid, "")))
    valid = still_valid()
    problems += _duplicates(_dedupe_view(frame, raw, extract), rows, valid, extract)
    valid = still_valid()

    columns, reasons = _combine(problems, raw.index)
    rejected_idx = ~valid
    rejected = pd.DataFrame({"file": file, "row": rows[rejected_idx], "column": columns[rejected_idx],
                             "reason": reasons[rejected_idx].map(cleaning.scrub_loosely)})
    for col in extract.columns:
        text = raw.loc[rejected_idx, col.raw].astype("str")
        if col.kind == "person":
            text = text.where(text.str.strip() == "", cleaning.SCRUBBED)
        else:
            text = text.map(cleaning.scrub_loosely)
        rejected[col.raw] = text
    rejected = rejected.reset_index(drop=True)

    kept = frame[valid].copy()
    for col in extract.columns:
        if col.kind == "person":
            kept[col.name] = pseudonym.pseudonymise(kept[col.name], key)
    if extract.table == "life_quality_bydel":
        kept["declined"] = cleaning.is_decline(raw.loc[valid, "svar"])
    kept = _derive(kept, extract)
    return kept, rejected, int(scrubbed[valid].sum())


# --------------------------------------------------------------------------------------------------
# writing


def _atomic_write(path: Path, write) -> None:
    """Write via a temporary file in the same folder, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # a plain file name (not tempfile.mkstemp, which creates 0600 files) keeps the user's umask
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_INGESTION_MODULES = ("bydeler", "cleaning", "prepare", "pseudonym", "readers", "schema")


def _code_hash() -> str:
    """sha256 of the ingestion code, so processed data made by older code are prepared again.

    The version number alone does not change between commits; the content of the modules that
    decide what a processed table holds does.
    """
    digest = hashlib.sha256()
    for name in _INGESTION_MODULES:
        digest.update((paths.PACKAGE_DIR / f"{name}.py").read_bytes())
    return digest.hexdigest()


def _all_synthetic(raw: pd.DataFrame, extract: schema.Extract) -> bool | None:
    """Whether every valid person number of an extract is a synthetic test identity (see
    :func:`prioslo.pseudonym.is_synthetic`); None when it has none (aggregates, pseudonymised ids)."""
    numbers = []
    for col in extract.columns:
        if col.kind == "person":
            for value in raw[col.raw].dropna().unique():
                try:
                    numbers.append(pseudonym.validate_person_number(value))
                except ValueError:
                    continue
    numbers = [n for n in numbers if n.isdigit()]
    return all(pseudonym.is_synthetic(n) for n in numbers) if numbers else None


def _manifest(files: list[FileReport], missing: list[str], key: bytes | None) -> dict:
    flags = [f.synthetic for f in files if f.synthetic is not None]
    return {
        "prioslo_version": _version(),
        "code": _code_hash(),
        "synthetic": bool(flags) and all(flags),
        "key_fingerprint": None if key is None else pseudonym.key_fingerprint(key),
        "extracts": {f.raw_name: {"file": f.path.name, "sha256": f.sha256, "table": f.table,
                                  "rows_in": f.rows_in, "kept": f.kept, "rejected": f.rejected,
                                  "scrubbed": f.scrubbed} for f in files},
        "missing": sorted(missing),
    }


def _resolve_data_dir(data_dir: Path | str | None) -> Path:
    data_dir = paths.RAW_DIR if data_dir is None else Path(data_dir)
    if not data_dir.is_dir():
        raise PriosloError(f"data folder not found: {data_dir}")
    return data_dir.resolve()


def prepare(data_dir: Path | str | None = None, processed_dir: Path | str | None = None) -> PrepareResult:
    """Clean, validate and pseudonymise every extract in ``data_dir`` into ``processed_dir``.

    Parameters
    ----------
    data_dir : Path, optional
        Folder with the raw extracts (default: the shipped sample, :data:`prioslo.paths.RAW_DIR`).
    processed_dir : Path, optional
        Where the tables go (default: :func:`prioslo.paths.processed_dir_for` of ``data_dir``).

    Returns
    -------
    PrepareResult
        Per-file counts and reasons; ``summary()`` gives the text ``prioslo prepare`` prints.

    Raises
    ------
    PriosloError
        ``data_dir`` does not exist or holds no contract extract.
    InputError
        A file cannot be read at all (encoding, missing column, ...).
    """
    data_dir = _resolve_data_dir(data_dir)
    processed = Path(processed_dir) if processed_dir is not None else paths.processed_dir_for(data_dir)
    found = readers.find_extracts(data_dir)
    if not found:
        expected = ", ".join(e.raw_name for e in schema.EXTRACTS)
        raise PriosloError(f"no extract files in {data_dir} (expected .csv or .xlsx named: {expected})")
    # the key is only needed (and its default only warned about) when person ids are present
    key = pseudonym.pseudonym_key() if any(schema.BY_RAW_NAME[n].record_level for n in found) else None
    files: list[FileReport] = []
    outputs: list[tuple[Path, object]] = []
    for raw_name, path in found.items():
        extract = schema.BY_RAW_NAME[raw_name]
        raw = readers.read_extract(path, extract)
        kept, rejected, scrubbed = clean_extract(raw, extract, key, file=path.name)
        report = FileReport(raw_name, path, extract.table, _sha256(path), len(raw), len(kept),
                            len(rejected), collections.Counter(rejected["reason"].tolist()), scrubbed,
                            _all_synthetic(raw, extract))
        if report.rows_in != report.kept + report.rejected:
            raise AssertionError(f"{path.name}: {report.rows_in} rows in but {report.kept} kept "
                                 f"+ {report.rejected} rejected")
        if scrubbed:
            log.warning("%s: %d text value(s) held something shaped like a fødselsnummer; replaced by %s",
                        path.name, scrubbed, cleaning.SCRUBBED)
        files.append(report)
        outputs.append((processed / f"{extract.table}.parquet", kept))
        outputs.append((processed / REJECTED / f"{raw_name}.csv", rejected))
    # everything read and checked: only now touch the processed folder
    for target, frame in outputs:
        if target.suffix == ".parquet":
            _atomic_write(target, lambda p, f=frame: f.to_parquet(p, index=False))
        else:
            _atomic_write(target, lambda p, f=frame: f.to_csv(p, index=False, encoding="utf-8", lineterminator="\n"))
    missing = [e.raw_name for e in schema.EXTRACTS if e.raw_name not in found]
    for raw_name in missing:
        extract = schema.BY_RAW_NAME[raw_name]
        for stale in (processed / f"{extract.table}.parquet", processed / REJECTED / f"{raw_name}.csv"):
            if stale.exists():
                log.info("removing %s: its extract is no longer in the data dir", stale)
                stale.unlink()
    manifest = json.dumps(_manifest(files, missing, key), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    _atomic_write(processed / MANIFEST, lambda p: p.write_text(manifest, encoding="utf-8"))
    result = PrepareResult(data_dir, processed, files, missing)
    log.debug("prepare done: %s", result.summary())
    return result


# --------------------------------------------------------------------------------------------------
# loading


def _read_manifest(processed: Path) -> dict | None:
    try:
        return json.loads((processed / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_synthetic(data_dir: Path | str | None = None) -> bool:
    """True when the prepared data of ``data_dir`` are synthetic sample data.

    Decided by content, not by folder: every person number in the record-level extracts is a
    synthetic test identity (month + 80), so a copy of the shipped sample is still recognised as
    synthetic and real extracts never are. Reads the manifest that :func:`prepare` writes.
    """
    manifest = _read_manifest(paths.processed_dir_for(data_dir))
    return bool(manifest and manifest.get("synthetic"))


def load_processed(processed_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Load the processed tables listed in the manifest of ``processed_dir``.

    Parameters
    ----------
    processed_dir : Path, optional
        Default :data:`prioslo.paths.PROCESSED_DIR`.

    Returns
    -------
    dict
        Processed table name -> frame, for every extract that was provided.

    Raises
    ------
    PriosloError
        No manifest (``prioslo prepare`` has not been run) or a table file is missing.
    """
    processed = Path(processed_dir) if processed_dir is not None else paths.PROCESSED_DIR
    manifest = _read_manifest(processed)
    if manifest is None:
        raise PriosloError(f"no processed data in {processed}: run `prioslo prepare` first")
    tables: dict[str, pd.DataFrame] = {}
    for raw_name, entry in sorted(manifest["extracts"].items()):
        table = entry["table"]
        path = processed / f"{table}.parquet"
        if not path.exists():
            raise PriosloError(f"{path} is missing: run `prioslo prepare` again")
        tables[table] = pd.read_parquet(path)
    return tables


def _up_to_date(data_dir: Path, processed: Path) -> bool:
    """True when the manifest matches the data dir's files (by content), key and version."""
    manifest = _read_manifest(processed)
    if manifest is None:
        return False
    if manifest.get("prioslo_version") != _version() or manifest.get("code") != _code_hash():
        return False
    fingerprint = manifest.get("key_fingerprint")
    if fingerprint is not None and fingerprint != pseudonym.key_fingerprint(pseudonym.pseudonym_key()):
        return False
    found = readers.find_extracts(data_dir)
    recorded = manifest.get("extracts", {})
    if set(found) != set(recorded):
        return False
    for raw_name, path in found.items():
        entry = recorded[raw_name]
        if entry.get("file") != path.name or entry.get("sha256") != _sha256(path):
            return False
        if not (processed / f"{entry['table']}.parquet").exists():
            return False
    return True


def load_tables(data_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Return the processed tables of ``data_dir``, preparing them first if the inputs changed.

    This is what notebooks and the indicator pipeline call. The processed tables are rebuilt only
    when an input file's content hash, the set of files, the pseudonymisation key or the prioslo
    version differs from the manifest (never by timestamps, which copying a folder changes).

    Parameters
    ----------
    data_dir : Path, optional
        Folder with the raw extracts (default: the shipped sample).

    Returns
    -------
    dict
        Processed table name -> frame (absent extracts are absent keys).
    """
    data_dir = _resolve_data_dir(data_dir)
    processed = paths.processed_dir_for(data_dir)
    if not _up_to_date(data_dir, processed):
        log.info("inputs changed since the last prepare: preparing %s", data_dir)
        prepare(data_dir, processed)
    return load_processed(processed)
