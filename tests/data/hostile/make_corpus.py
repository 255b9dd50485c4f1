"""Write the hostile-input corpus: broken or odd extracts, one small data dir per case.

Run from the repository root (it rewrites ``tests/data/hostile/``)::

    .venv/bin/python tests/data/hostile/make_corpus.py

Each case is one function below that writes ONE contract extract (named as the contract names it:
``<case>/opphold.csv``, ``<case>/livskvalitet_bydel.xlsx`` ...) and declares, next to the data,
what ``prioslo prepare`` must do with it — as a Norwegian municipal analyst would expect:

``accepted``       every row kept (possibly after normalising it), maybe with a warning;
``rejected_rows``  the listed rows rejected with a reason naming the column; all others kept;
``error``          the file cannot be used at all: one clear message naming the file (and the row
                   where one is to blame), exit status 2, nothing written.

The declarations are written to ``expected.csv`` (columns: ``case, extract, outcome, kept,
rejected, rows, column, message, note``; ``rows`` = the 1-based lines or sheet rows of the
rejected rows, space-separated; ``column`` = the raw column the (first) rejection names;
``message`` = a fragment of the reason, error or warning). ``tests/test_hostile.py`` runs every
case and checks that the committed files are what this script writes.

Person numbers are synthetic (month + 80, Norway's Tenor test numbers) with computed check
digits: never a real person's number. Excel files are written with openpyxl and made
byte-reproducible (fixed zip timestamps and document properties).

Formulas: openpyxl writes a formula without a calculated value (only Excel or LibreOffice compute
formulas), which is exactly what a program-generated workbook looks like. The reader opens
workbooks with the values Excel last calculated (``data_only=True``); a formula that was never
calculated has no value at all. The expectation here is that such a cell rejects its row with a
reason saying so (case ``li_formula_uncalculated``), while a formula with a value Excel calculated
is read as that value (case ``lb_formula_cached``, whose cached values are patched into the file).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
FIXED_TIME = (2024, 1, 1, 0, 0, 0)
FIXED_STAMP = "2024-01-01T00:00:00Z"

# ------------------------------------------------------------------------------------------------
# synthetic person numbers


def _check_digits(nine: str) -> str | None:
    k1 = (11 - sum(w * int(d) for w, d in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), nine))) % 11
    if k1 == 10:
        return None
    k2 = (11 - sum(w * int(d) for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), nine + str(k1)))) % 11
    return None if k2 == 10 else f"{k1}{k2}"


def fnr(day: int, month: int, yy: int, individual: int = 123, d_number: bool = False) -> str:
    """A synthetic person number (month + 80; day + 40 for a D-nummer) with valid check digits."""
    for ind in range(individual, individual + 50):
        nine = f"{day + (40 if d_number else 0):02d}{month + 80:02d}{yy:02d}{ind:03d}"
        k = _check_digits(nine)
        if k:
            return nine + k
    raise AssertionError("no check digits")


P1, P2, P3, P4 = fnr(15, 10, 86), fnr(3, 4, 71), fnr(28, 2, 95), fnr(11, 11, 64)
D1 = fnr(12, 6, 80, d_number=True)
Z1 = fnr(7, 3, 90)  # starts with 0: Excel and number columns strip it to 10 digits
assert Z1.startswith("0")

VIOLENCE = "Øyeblikkelig utskrivning – vold eller trusler"

HEADERS = {
    "livskvalitet_bydel": ["svar_id", "person", "bydel", "dato", "svar"],
    "livskvalitet_institusjon": ["svar_id", "beboer", "institusjon", "kategori", "drift", "dato", "svar"],
    "opphold": ["opphold_id", "person", "kjonn", "fodselsar", "bydel", "institusjon", "kategori", "drift",
                "innskrevet", "utskrevet", "utskrivningsarsak", "utskrevet_til"],
    "samlokaliserte_boliger": ["bydel", "tidspunkt", "antall", "merknad"],
    "kommunale_utleieboliger": ["dato", "antall"],
    "institusjonsplasser": ["kategori", "drift", "aar", "plasser"],
    "bydelskartlegging": ["bydel", "tidspunkt", "aktivitetshus", "ambulant_team", "rusfact", "fact",
                          "dreid_innsats", "oslostandard", "arbeids_aktivitetstilbud", "oppfolging_i_bolig"],
    "boligbehov": ["tidspunkt", "antall", "merknad"],
}


def stay(sid: str, person: str = P1, bydel: str = "Alna", admitted: str = "10.01.2023",
         discharged: str = "20.01.2023", reason: str = "", to: str = "", kjonn: str = "M",
         born: str = "1986", institution: str = "Ila", category: str = "Omsorgssentre",
         operator: str = "kommunal") -> list[str]:
    """One valid ``opphold`` row unless arguments say otherwise."""
    return [sid, person, kjonn, born, bydel, institution, category, operator, admitted, discharged, reason, to]


def mapping(bydel: str, round_: str = "2024-06", yes: str = "ja", work: str = "ja",
            followup: str = "stor grad") -> list[str]:
    """One valid ``bydelskartlegging`` row."""
    return [bydel, round_, yes, yes, "nei", yes, yes, "nei", work, followup]


# ------------------------------------------------------------------------------------------------
# writers


def write_csv(path: Path, rows: list[list[str]], sep: str = ";", encoding: str = "utf-8",
              bom: bool = False, eol: str = "\n") -> None:
    """Write a header + rows with standard quoting (fields holding ``sep`` or quotes are quoted)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=eol).writerows(rows)
    data = buf.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def write_lines(path: Path, lines: list[str], encoding: str = "utf-8") -> None:
    """Write raw lines exactly as given (for deliberately malformed CSV)."""
    path.write_bytes("".join(line + "\n" for line in lines).encode(encoding))


def save_xlsx(book: openpyxl.Workbook, path: Path,
              patch: Callable[[str, str], str] | None = None) -> None:
    """Save a workbook byte-reproducibly; ``patch(name, xml)`` may rewrite a part's XML."""
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", FIXED_STAMP.encode(), data)
            if patch is not None and info.filename.endswith(".xml"):
                data = patch(info.filename, data.decode("utf-8")).encode("utf-8")
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), data)
    path.write_bytes(out.getvalue())


# ------------------------------------------------------------------------------------------------
# cases


@dataclass(frozen=True)
class Case:
    name: str
    extract: str
    outcome: str
    kept: int | None
    rejected: int | None
    rows: str
    column: str
    message: str
    note: str
    write: Callable[[Path], None]


CASES: list[Case] = []


def case(extract: str, outcome: str, kept: int | None = None, rejected: int | None = None, rows: str = "",
         column: str = "", message: str = "", note: str = ""):
    """Register the decorated writer as a case named after the function."""
    def register(func: Callable[[Path], None]) -> Callable[[Path], None]:
        CASES.append(Case(func.__name__, extract, outcome, kept, rejected, rows, column, message, note, func))
        return func
    return register


LB, LI, OP = "livskvalitet_bydel", "livskvalitet_institusjon", "opphold"
SB, KU, IP, BK, BB = ("samlokaliserte_boliger", "kommunale_utleieboliger", "institusjonsplasser",
                      "bydelskartlegging", "boligbehov")


# --- livskvalitet_bydel ---------------------------------------------------------------------------

@case(LB, "accepted", 0, 0, message="empty", note="0 bytes: no rows, a warning; the extract gives no indicators")
def lb_empty_file(d: Path) -> None:
    (d / f"{LB}.csv").write_bytes(b"")


@case(LB, "accepted", 0, 0, message="no data rows", note="header only: no rows, a warning")
def lb_header_only(d: Path) -> None:
    write_csv(d / f"{LB}.csv", [HEADERS[LB]])


@case(LB, "accepted", 4, 0, note="decline text in any case and spacing is a decline")
def lb_decline_odd_case(d: Path) -> None:
    write_csv(d / f"{LB}.csv", [HEADERS[LB],
                                ["a1", P1, "Alna", "01.03.2023", "ønsker IKKE å svare"],
                                ["a2", P2, "Alna", "01.03.2023", " ØNSKER  ikke å svare "],
                                ["a3", P3, "Alna", "01.03.2023", "Ønsker ikke å svare"],
                                ["a4", P4, "Alna", "01.03.2023", "3"]])


@case(LB, "rejected_rows", 2, 1, rows="3", column="svar", message="not a whole number",
      note="«4,0» is 4; «4,5» is no answer on a 1-7 scale")
def lb_answer_decimal_comma(d: Path) -> None:
    write_csv(d / f"{LB}.csv", [HEADERS[LB],
                                ["a1", P1, "Alna", "01.03.2023", "4,0"],
                                ["a2", P2, "Alna", "01.03.2023", "4,5"],
                                ["a3", P3, "Alna", "01.03.2023", "5"]])


@case(LB, "rejected_rows", 1, 2, rows="2 4", column="svar", message="outside 1..7",
      note="answers 0 and 8 lie outside the scale")
def lb_answer_out_of_range(d: Path) -> None:
    write_csv(d / f"{LB}.csv", [HEADERS[LB],
                                ["a1", P1, "Alna", "01.03.2023", "0"],
                                ["a2", P2, "Alna", "01.03.2023", "7"],
                                ["a3", P3, "Bjerke", "01.03.2023", "8"]])


@case(LB, "accepted", 6, 0, note="every way of writing Gamle Oslo: name, code 030101, 1, 01, Bydel prefix, caps")
def lb_bydel_codes(d: Path) -> None:
    spellings = ["1", "01", "030101", "Bydel Gamle Oslo", "GAMLE OSLO", " gamle  oslo "]
    write_csv(d / f"{LB}.csv", [HEADERS[LB]] + [[f"a{i}", P1, b, "01.03.2023", "4"]
                                                 for i, b in enumerate(spellings, start=1)])


@case(LB, "accepted", 4, 0, note="Sentrum, Marka and their codes count in Oslo as Uoppgitt")
def lb_sentrum_marka(d: Path) -> None:
    write_csv(d / f"{LB}.csv", [HEADERS[LB]] + [[f"a{i}", P1, b, "01.03.2023", "4"]
                                                 for i, b in enumerate(["Sentrum", "Marka", "030116", "030117"], 1)])


@case(LB, "rejected_rows", 1, 1, rows="3", column="bydel", message="unknown bydel",
      note="a place that is no bydel (Kjelsås is in Nordre Aker) is rejected, not guessed")
def lb_unknown_bydel(d: Path) -> None:
    write_csv(d / f"{LB}.csv", [HEADERS[LB],
                                ["a1", P1, "Alna", "01.03.2023", "4"],
                                ["a2", P2, "Bydel Kjelsås", "01.03.2023", "4"]])


@case(LB, "rejected_rows", 1, 1, rows="3", column="dato", message="outside the plausible window",
      note="an answer dated 2099 is a typo")
def lb_future_date(d: Path) -> None:
    write_csv(d / f"{LB}.csv", [HEADERS[LB],
                                ["a1", P1, "Alna", "01.03.2023", "4"],
                                ["a2", P2, "Alna", "01.03.2099", "4"]])


@case(LB, "rejected_rows", 2, 3, rows="3 4 6", column="dato", message="date",
      note="2023/05/01 and 1.5.23 are ambiguous formats and 31.02.2023 is no date; 1.3.2023 is fine")
def lb_bad_dates(d: Path) -> None:
    write_csv(d / f"{LB}.csv", [HEADERS[LB],
                                ["a1", P1, "Alna", "2023-03-01", "4"],
                                ["a2", P2, "Alna", "2023/05/01", "4"],
                                ["a3", P3, "Alna", "31.02.2023", "4"],
                                ["a4", P4, "Alna", "1.3.2023", "4"],
                                ["a5", P1, "Alna", "1.5.23", "4"]])


@case(LB, "rejected_rows", 1, 1, rows="3", column="person", message="check digits",
      note="a mistyped fødselsnummer (wrong check digit) is rejected; the reason never repeats it")
def lb_invalid_fnr(d: Path) -> None:
    bad = P2[:-1] + str((int(P2[-1]) + 1) % 10)
    write_csv(d / f"{LB}.csv", [HEADERS[LB],
                                ["a1", P1, "Alna", "01.03.2023", "4"],
                                ["a2", bad, "Alna", "01.03.2023", "4"]])


@case(LB, "rejected_rows", 2, 1, rows="4", message="exact duplicate of row 2",
      note="the same answer exported twice counts once")
def lb_exact_duplicate(d: Path) -> None:
    row = ["a1", P1, "Alna", "01.03.2023", "4"]
    write_csv(d / f"{LB}.csv", [HEADERS[LB], row, ["a2", P2, "Alna", "01.03.2023", "5"], row])


@case(LB, "rejected_rows", 2, 1, rows="4", column="svar_id", message="duplicate svar_id",
      note="one id with two different answers: the first is kept, the later one rejected with the first's row")
def lb_conflicting_duplicate(d: Path) -> None:
    write_csv(d / f"{LB}.csv", [HEADERS[LB],
                                ["a1", P1, "Alna", "01.03.2023", "4"],
                                ["a2", P2, "Alna", "01.03.2023", "5"],
                                ["a1", P1, "Alna", "01.03.2023", "6"]])


@case(LB, "accepted", 3, 0, note="Windows-1252 CSV (Excel's «CSV (semikolonseparert)») with ø, å, ü")
def lb_windows_1252(d: Path) -> None:
    write_csv(d / f"{LB}.csv", [HEADERS[LB],
                                ["a1", P1, "Grünerløkka", "01.03.2023", "4"],
                                ["a2", P2, "Østensjø", "01.03.2023", "Ønsker ikke å svare"],
                                ["a3", P3, "Søndre Nordstrand", "01.03.2023", "2"]], encoding="cp1252")


@case(LB, "error", message="UTF-16", note="UTF-16 text (Excel's «Unicode text») is named as such")
def lb_utf16(d: Path) -> None:
    text = "\r\n".join("\t".join(r) for r in [HEADERS[LB], ["a1", P1, "Alna", "01.03.2023", "4"]]) + "\r\n"
    (d / f"{LB}.csv").write_bytes(text.encode("utf-16"))


@case(LB, "rejected_rows", 2, 1, rows="4", column="", message="fields",
      note="comma-separated with an unquoted decimal comma «4,0»: the row has one field too many; the quoted one is fine")
def lb_comma_separated_decimal_comma(d: Path) -> None:
    write_lines(d / f"{LB}.csv", [",".join(HEADERS[LB]),
                                  f"a1,{P1},Alna,01.03.2023,4",
                                  f'a2,{P2},Alna,01.03.2023,"4,0"',
                                  f"a3,{P3},Alna,01.03.2023,4,0"])


@case(LB, "accepted", 3, 0, note="Excel date serials written as numbers in a CSV (45000 = 15.03.2023)")
def lb_excel_serial_in_csv(d: Path) -> None:
    write_csv(d / f"{LB}.csv", [HEADERS[LB],
                                ["a1", P1, "Alna", "45000", "4"],
                                ["a2", P2, "Alna", "15.03.2023", "4"],
                                ["a3", P3, "Alna", "2023-03-15", "4"]])


@case(LB, "accepted", 3, 0,
      note="several sheets: a notes sheet first, the data on the second under a title row, a pivot after")
def lb_xlsx_sheets_title_row(d: Path) -> None:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Forklaring"
    notes.append(["Uttrekk fra fagsystemet, livskvalitet i bydelene"])
    notes.append(["Svar 1-7"])
    data = book.create_sheet("Data")
    data.append(["Livskvalitet – uttrekk 2023"])
    data.append([])
    data.append(HEADERS[LB])
    for i, (p, a) in enumerate([(P1, 4), (P2, 5), (P3, 1)], start=1):
        data.append([i, p, "Alna", f"01.0{i}.2023", a])  # ids stored as numbers
    pivot = book.create_sheet("Pivot")
    pivot.append(["bydel", "snitt"])
    pivot.append(["Alna", 3.33])
    save_xlsx(book, d / f"{LB}.xlsx")


@case(LB, "error", message="2024",
      note="two sheets both hold the contract columns (one per year): reading only the first would silently "
           "drop the other, so the file is refused naming both sheets (reading all would also do)")
def lb_xlsx_two_data_sheets(d: Path) -> None:
    book = openpyxl.Workbook()
    for k, year in enumerate(("2023", "2024")):
        sheet = book.active if k == 0 else book.create_sheet()
        sheet.title = year
        sheet.append(HEADERS[LB])
        sheet.append([f"a{year}", P1, "Alna", f"01.03.{year}", 4])
    save_xlsx(book, d / f"{LB}.xlsx")


@case(LB, "accepted", 2, 0, note="formulas with a value Excel calculated are read as that value")
def lb_formula_cached(d: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS[LB])
    sheet.append(["a1", P1, "Alna", "01.03.2023", "=2+2"])
    sheet.append(["a2", P2, "Alna", "01.03.2023", "=1+4"])

    def cache(name: str, xml: str) -> str:
        if name != "xl/worksheets/sheet1.xml":
            return xml
        xml = xml.replace("<f>2+2</f><v />", "<f>2+2</f><v>4</v>")
        return xml.replace("<f>1+4</f><v />", "<f>1+4</f><v>5</v>")
    save_xlsx(book, d / f"{LB}.xlsx", patch=cache)


# --- livskvalitet_institusjon ---------------------------------------------------------------------

@case(LI, "rejected_rows", 1, 2, rows="3 4", column="kategori", message="category",
      note="Mestringsenheter are municipal, not ideell; «Hospits» is no contract category")
def li_category_mismatch(d: Path) -> None:
    write_csv(d / f"{LI}.csv", [HEADERS[LI],
                                ["i1", P1, "Ila", "Mestringsenheter", "kommunal", "01.05.2023", "3"],
                                ["i2", P2, "Blå Kors", "Mestringsenheter", "ideell", "01.05.2023", "3"],
                                ["i3", P3, "X", "Hospits", "kommunal", "01.05.2023", "3"]])


@case(LI, "rejected_rows", 2, 1, rows="4", column="svar", message="outside 1..5",
      note="an empty answer is a completed survey without this question; 6 is outside the 1-5 scale")
def li_empty_and_out_of_range_answer(d: Path) -> None:
    write_csv(d / f"{LI}.csv", [HEADERS[LI],
                                ["i1", P1, "Ila", "Omsorgssentre", "kommunal", "01.05.2023", ""],
                                ["i2", P2, "Ila", "Omsorgssentre", "kommunal", "01.05.2023", "5"],
                                ["i3", P3, "Ila", "Omsorgssentre", "kommunal", "01.05.2023", "6"]])


@case(LI, "accepted", 2, 0, note="UTF-8 with BOM and Windows line ends (CRLF)")
def li_bom_crlf(d: Path) -> None:
    write_csv(d / f"{LI}.csv", [HEADERS[LI],
                                ["i1", P1, "Ila", "Omsorgssentre", "kommunal", "01.05.2023", "4"],
                                ["i2", P2, "Blå Kors", "Ressurssentre", "ideell", "01.05.2023", "2"]],
              bom=True, eol="\r\n")


@case(LI, "accepted", 2, 0, note="headers in other case, order, with spaces and Norwegian letters")
def li_header_case_order(d: Path) -> None:
    write_csv(d / f"{LI}.csv", [[" SVAR ", "Dato", "Beboer", "DRIFT", "Kategori", "Institusjon", "Svar_ID"],
                                ["4", "01.05.2023", P1, "kommunal", "Omsorgssentre", "Ila", "i1"],
                                ["2", "01.05.2023", P2, "ideell", "Ressurssentre", "Blå Kors", "i2"]])


@case(LI, "accepted", 2, 0, note="extra columns not in the contract are ignored (a free-text comment included)")
def li_extra_columns(d: Path) -> None:
    write_csv(d / f"{LI}.csv", [HEADERS[LI] + ["kommentar", "registrert_av"],
                                ["i1", P1, "Ila", "Omsorgssentre", "kommunal", "01.05.2023", "4", "bra", "ola"],
                                ["i2", P2, "Ila", "Omsorgssentre", "kommunal", "01.05.2023", "3", f"se {P3}", "kari"]])


@case(LI, "rejected_rows", 1, 1, rows="3", column="svar", message="formula",
      note="a formula never calculated (a program-written workbook) has no value: the row is rejected saying so, "
           "not kept as an unanswered survey")
def li_formula_uncalculated(d: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS[LI])
    sheet.append(["i1", P1, "Ila", "Omsorgssentre", "kommunal", "01.05.2023", 4])
    sheet.append(["i2", P2, "Ila", "Omsorgssentre", "kommunal", "01.05.2023", "=2+2"])
    save_xlsx(book, d / f"{LI}.xlsx")


# --- opphold --------------------------------------------------------------------------------------

@case(OP, "rejected_rows", 2, 1, rows="4", message="truncated", note="the last line was cut off mid-row")
def op_truncated_last_line(d: Path) -> None:
    full = ";".join(stay("s3", P3))
    write_lines(d / f"{OP}.csv", [";".join(HEADERS[OP]), ";".join(stay("s1")), ";".join(stay("s2", P2)),
                                  full[:len(full) // 2]])


@case(OP, "error", message="missing column", note="a separator the contract does not allow (|)")
def op_wrong_separator(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP], stay("s1")], sep="|")


@case(OP, "error", message="utskrevet_til",
      note="a contract column is missing: an error naming it (moves to own home cannot be counted without it)")
def op_missing_column(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP][:-1], stay("s1")[:-1]])


@case(OP, "accepted", 2, 0, note="a quoted institution name holding the separator")
def op_quoted_separator(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP], stay("s1", institution="Ila; avdeling 2"),
                                stay("s2", P2, institution='Huset "Fyrlykta"; Grorud')])


@case(OP, "error", message="quote",
      note="an unbalanced quote swallows the following lines; the file is refused naming the line")
def op_unbalanced_quote(d: Path) -> None:
    rows = [";".join(stay("s1")), ";".join(stay("s2", P2)) + '"Egen bolig',
            ";".join(stay("s3", P3)), ";".join(stay("s4", P4))]
    write_lines(d / f"{OP}.csv", [";".join(HEADERS[OP])] + rows)


@case(OP, "rejected_rows", 1, 1, rows="3", column="utskrevet", message="before admitted",
      note="discharged before admitted")
def op_discharge_before_admission(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP], stay("s1"),
                                stay("s2", P2, admitted="10.05.2023", discharged="01.05.2023")])


@case(OP, "rejected_rows", 1, 2, rows="3 4", column="innskrevet", message="outside the plausible window",
      note="an admission in 2099 and one on 01.01.1900 (Excel's empty date) are typos")
def op_future_and_1900_dates(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP], stay("s1"),
                                stay("s2", P2, admitted="01.02.2099", discharged=""),
                                stay("s3", P3, admitted="01.01.1900", discharged="")])


@case(OP, "rejected_rows", 1, 1, rows="3", column="innskrevet", message="outside the plausible window",
      note="a stay of 50 years (1974-2024) is a typo in the admission date")
def op_stay_50_years(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP], stay("s1"),
                                stay("s2", P2, admitted="03.02.1974", discharged="10.05.2024")])


@case(OP, "rejected_rows", 1, 1, rows="3", column="fodselsar", message="1900",
      note="born 1900 and admitted 2023 would be 123 years old: a typo (birth years before 1910 are implausible)")
def op_birth_year_1900(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP], stay("s1"), stay("s2", P2, born="1900")])


@case(OP, "rejected_rows", 1, 2, rows="3 4", column="kategori", message="unknown value",
      note="categories outside the contract; drift «privat» too")
def op_unknown_category(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP], stay("s1"), stay("s2", P2, category="Hospits"),
                                stay("s3", P3, category="Hospits", operator="privat")])


@case(OP, "accepted", 3, 0,
      note="a D-nummer, a number whose leading zero Excel stripped (10 digits), and one written «ddmmyy nnnnn»")
def op_person_number_forms(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP], stay("s1", D1), stay("s2", Z1[1:]),
                                stay("s3", f"{P3[:6]} {P3[6:]}")])


@case(OP, "rejected_rows", 1, 1, rows="3", column="person", message="scientific notation",
      note="an Excel number cell shown as 1,51087E+10 has lost digits")
def op_person_scientific(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP], stay("s1"), stay("s2", "1,51087E+10")])


@case(OP, "rejected_rows", 1, 1, rows="3", column="opphold_id", message="fødselsnummer",
      note="an id that is itself a fødselsnummer would leak into processed data")
def op_id_is_fnr(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP], stay("s1"), stay(P2, P2)])


@case(OP, "accepted", 3, 0,
      note="stray spaces and non-breaking spaces around values and headers; sex in lower case")
def op_whitespace_nbsp(d: Path) -> None:
    nb = "\u00a0"
    header = [f" {h}{nb}" for h in HEADERS[OP]]
    write_csv(d / f"{OP}.csv", [header,
                                stay(f" s1{nb}", f"{nb}{P1} ", kjonn=" m ", bydel=f"{nb}Alna{nb}",
                                     institution="  Ila  "),
                                stay("s2", P2, kjonn="k", bydel=f"Bydel{nb}Gamle{nb}Oslo"),
                                stay("s3", P3, born=f" 1995{nb}", admitted=f"{nb}10.01.2023 ")])


@case(OP, "accepted", 3, 0,
      note="«egen bolig» and the violence reason in other case and dash style are the contract's values")
def op_marker_values_odd_case(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP],
                                stay("s1", to="egen bolig"),
                                stay("s2", P2, to=" EGEN  BOLIG "),
                                stay("s3", P3, reason="øyeblikkelig utskrivning - vold eller trusler")])


@case(OP, "accepted", 3, 0, note="a stay still open (utskrevet empty) and a stay across new year")
def op_open_stay(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP], stay("s1", discharged=""),
                                stay("s2", P2, admitted="20.12.2022", discharged="05.01.2023"), stay("s3", P3)])


@case(OP, "rejected_rows", 2, 1, rows="2", column="fodselsar", message="year",
      note="an invalid first row with id s1 does not make the later valid s1 a duplicate")
def op_invalid_row_before_duplicate_id(d: Path) -> None:
    write_csv(d / f"{OP}.csv", [HEADERS[OP], stay("s1", born="19x6"), stay("s1", P2), stay("s2", P3)])


@case(OP, "accepted", 3, 0,
      note="Excel dates as date cells, as numbers (serial 45123 = 16.07.2023) and as text; fodselsar as number")
def op_xlsx_dates(d: Path) -> None:
    import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Opphold"
    sheet.append(HEADERS[OP])
    sheet.append(stay("s1")[:3] + [1986] + stay("s1")[4:8]
                 + [datetime.datetime(2023, 1, 10), datetime.datetime(2023, 1, 20), "", ""])
    sheet.append(stay("s2", P2)[:3] + [1971] + stay("s2")[4:8] + [45123, 45130, "", "Egen bolig"])
    sheet.append(stay("s3", P3)[:3] + [1995.0] + stay("s3")[4:8] + ["10.01.2023", None, "", ""])
    save_xlsx(book, d / f"{OP}.xlsx")


@case(OP, "error", message="encoding",
      note="UTF-8 and Windows-1252 lines mixed in one file (two exports pasted together): reading it as either "
           "would silently garble text such as the violence reason, so the file is refused naming the encoding "
           "problem (decoding each line by itself would also do, if it is then kept correct)")
def op_mixed_encodings(d: Path) -> None:
    header = ";".join(HEADERS[OP]).encode("utf-8")
    first = ";".join(stay("s1", reason=VIOLENCE)).encode("utf-8")
    second = ";".join(stay("s2", P2, bydel="Grünerløkka")).encode("cp1252")
    (d / f"{OP}.csv").write_bytes(header + b"\n" + first + b"\n" + second + b"\n")


@case(OP, "error", message="xlsx", note="an Excel workbook saved with the name opphold.csv")
def op_xlsx_named_csv(d: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADERS[OP])
    book.active.append(stay("s1"))
    save_xlsx(book, d / f"{OP}.csv")


# --- samlokaliserte_boliger -----------------------------------------------------------------------

@case(SB, "accepted", 2, 0, message="[fjernet]",
      note="a fødselsnummer typed into the free-text merknad is replaced by [fjernet]; the row is kept")
def sb_fnr_in_merknad(d: Path) -> None:
    write_csv(d / f"{SB}.csv", [HEADERS[SB], ["Alna", "2024-06", "12", f"ny beboer {P1} flyttet inn"],
                                ["Bjerke", "2024-06", "8", f"jf. {P2[:6]} {P2[6:]}"]])


@case(SB, "rejected_rows", 1, 1, rows="3", column="antall", message="negative", note="a negative count")
def sb_negative_count(d: Path) -> None:
    write_csv(d / f"{SB}.csv", [HEADERS[SB], ["Alna", "2024-06", "12", ""], ["Bjerke", "2024-06", "-3", ""]])


@case(SB, "rejected_rows", 3, 1, rows="5", column="antall", message="not a whole number",
      note="thousands separators (space, non-breaking space, point) in counts; «1,5» homes is no count")
def sb_thousands_separators(d: Path) -> None:
    write_csv(d / f"{SB}.csv", [HEADERS[SB], ["Alna", "2024-06", "1 234", ""],
                                ["Bjerke", "2024-06", "1\u00a0234", ""], ["Frogner", "2024-06", "1.234", ""],
                                ["Grorud", "2024-06", "1,5", ""]])


@case(SB, "accepted", 3, 0, note="rounds written 2024-06, 06.2024 and jun.24 (as Excel shows a month)")
def sb_round_formats(d: Path) -> None:
    write_csv(d / f"{SB}.csv", [HEADERS[SB], ["Alna", "2024-06", "3", ""], ["Bjerke", "06.2024", "4", ""],
                                ["Frogner", "jun.24", "5", ""]])


@case(SB, "accepted", 3, 0,
      note="Sentrum and Marka are two areas that both count as Uoppgitt: both rows add to the Oslo total, "
           "neither is a duplicate of the other")
def sb_sentrum_and_marka(d: Path) -> None:
    write_csv(d / f"{SB}.csv", [HEADERS[SB], ["Alna", "2024-06", "10", ""], ["Sentrum", "2024-06", "2", ""],
                                ["Marka", "2024-06", "1", ""]])


# --- kommunale_utleieboliger ----------------------------------------------------------------------

@case(KU, "rejected_rows", 2, 1, rows="4", column="dato", message="duplicate",
      note="two different counts for the same date: the first is kept, the second rejected")
def ku_conflicting_duplicate(d: Path) -> None:
    write_csv(d / f"{KU}.csv", [HEADERS[KU], ["01.01.2020", "11 384"], ["2021-01-01", "11 261"],
                                ["01.01.2020", "11 390"]])


@case(KU, "rejected_rows", 1, 1, rows="3", column="antall", message="not a whole number",
      note="a count with decimals")
def ku_decimal_count(d: Path) -> None:
    write_csv(d / f"{KU}.csv", [HEADERS[KU], ["01.01.2020", "11384"], ["01.01.2021", "11261,5"]])


# --- institusjonsplasser --------------------------------------------------------------------------

@case(IP, "accepted", 2, 0, note="numbers stored as Excel numbers (2023.0); category in lower case")
def ip_xlsx_numbers(d: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADERS[IP])
    book.active.append(["forsterket bo- og behandling", "Kommunal", 2023.0, 28])
    book.active.append(["Omsorgssentre", "ideell", 2023, 40.0])
    save_xlsx(book, d / f"{IP}.xlsx")


@case(IP, "rejected_rows", 1, 2, rows="3 4", column="plasser", message="negative", note="a negative number of places; an operator «privat»")
def ip_negative_and_unknown_operator(d: Path) -> None:
    write_csv(d / f"{IP}.csv", [HEADERS[IP], ["Omsorgssentre", "kommunal", "2023", "30"],
                                ["Ressurssentre", "kommunal", "2023", "-2"],
                                ["Ressurssentre", "privat", "2023", "5"]])


# --- bydelskartlegging ----------------------------------------------------------------------------

@case(BK, "rejected_rows", 1, 1, rows="3", column="bydel", message="not one of the 15 bydeler",
      note="the mapping survey is answered by bydeler: a Sentrum row is rejected")
def bk_sentrum_row(d: Path) -> None:
    write_csv(d / f"{BK}.csv", [HEADERS[BK], mapping("Alna"), mapping("Sentrum")])


@case(BK, "accepted", 3, 0, note="answers in odd case and spacing")
def bk_odd_case_choices(d: Path) -> None:
    write_csv(d / f"{BK}.csv", [HEADERS[BK], mapping("Alna", yes="JA", followup="Svært  stor grad"),
                                mapping("Bjerke", yes=" Nei ", work="PLANLAGT", followup="SVÆRT LITEN GRAD"),
                                mapping("Frogner", followup="noen grad")])


@case(BK, "rejected_rows", 1, 1, rows="3", column="oppfolging_i_bolig", message="unknown value",
      note="an answer outside the scale")
def bk_unknown_choice(d: Path) -> None:
    write_csv(d / f"{BK}.csv", [HEADERS[BK], mapping("Alna"), mapping("Bjerke", followup="middels")])


@case(BK, "accepted", 0, 0, message="no data rows", note="an Excel file with only the header")
def bk_xlsx_header_only(d: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADERS[BK])
    save_xlsx(book, d / f"{BK}.xlsx")


# --- boligbehov -----------------------------------------------------------------------------------

@case(BB, "accepted", 2, 0, note="a title line and an empty line above the header of a CSV")
def bb_title_line(d: Path) -> None:
    write_lines(d / f"{BB}.csv", ["Boligbehovskartlegging;;", ";;", ";".join(HEADERS[BB]),
                                  "2023-06;250;", "2024-06;262;ny metode"])


@case(BB, "rejected_rows", 1, 1, rows="3", column="tidspunkt", message="outside",
      note="a round before 1990 is a typo")
def bb_round_out_of_range(d: Path) -> None:
    write_csv(d / f"{BB}.csv", [HEADERS[BB], ["2024-06", "262", ""], ["1989-06", "100", ""]])


# ------------------------------------------------------------------------------------------------


EXPECTED_COLUMNS = ["case", "extract", "outcome", "kept", "rejected", "rows", "column", "message", "note"]


def write_corpus(target: Path = HERE) -> list[Case]:
    """Write every case into ``target/<case>/`` and ``target/expected.csv``; return the cases."""
    target.mkdir(parents=True, exist_ok=True)
    names = {c.name for c in CASES}
    assert len(names) == len(CASES), "duplicate case names"
    for child in target.iterdir():
        if child.is_dir() and child.name not in names and not child.name.startswith(("_", ".")):
            shutil.rmtree(child)
    rows = []
    for c in CASES:
        folder = target / c.name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        c.write(folder)
        rows.append([c.name, c.extract, c.outcome, "" if c.kept is None else str(c.kept),
                     "" if c.rejected is None else str(c.rejected), c.rows, c.column, c.message, c.note])
    write_csv(target / "expected.csv", [EXPECTED_COLUMNS] + rows, sep=",")
    return CASES


if __name__ == "__main__":
    written = write_corpus()
    print(f"Wrote {len(written)} cases to {HERE}")
