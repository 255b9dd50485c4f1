"""Finding and reading raw extracts: encodings, separators, headers, malformed lines, Excel (prioslo.readers)."""

from __future__ import annotations

import datetime
import logging
import shutil
from pathlib import Path

import openpyxl
import pytest

from prioslo import schema
from prioslo.errors import InputError
from prioslo.readers import READ_ERROR, READ_ERROR_COLUMN, SOURCE_ROW, find_extracts, read_extract

INGEST = Path(__file__).parent / "data" / "ingest"
COLOCATED = schema.SAMLOKALISERTE_BOLIGER
RENTAL = schema.KOMMUNALE_UTLEIEBOLIGER
LQ = schema.LIVSKVALITET_BYDEL


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# finding ------------------------------------------------------------------------------------------

def test_find_extracts_ignores_folders_and_other_files(tmp_path):
    (tmp_path / "published").mkdir()
    write(tmp_path / "published" / "opphold.csv", "x")
    (tmp_path / "processed").mkdir()
    write(tmp_path / "Opphold.CSV", "x")
    write(tmp_path / "institusjonsplasser.xlsx", "x")
    write(tmp_path / "notes.txt", "x")
    write(tmp_path / "oppholdene.csv", "x")
    found = find_extracts(tmp_path)
    assert found == {"opphold": tmp_path / "Opphold.CSV",
                     "institusjonsplasser": tmp_path / "institusjonsplasser.xlsx"}


def test_same_extract_as_csv_and_xlsx_is_an_error(tmp_path):
    write(tmp_path / "opphold.csv", "x")
    write(tmp_path / "opphold.xlsx", "x")
    with pytest.raises(InputError, match="opphold.*given twice"):
        find_extracts(tmp_path)


# CSV ----------------------------------------------------------------------------------------------

def test_windows_1252_file_is_read_correctly():
    frame = read_extract(INGEST / "samlokaliserte_cp1252.csv", COLOCATED)
    assert frame["bydel"].tolist() == ["Søndre Nordstrand", "Østensjø", "Bydel Grünerløkka"]
    assert frame["antall"].tolist() == ["12", "1 204", "3"]
    assert frame["merknad"].tolist() == ["Tall fra bydelen, «foreløpig»", "", "Nøkkeltall – se note"]
    assert frame[SOURCE_ROW].tolist() == [2, 3, 4]


def test_binary_file_is_a_clear_input_error():
    with pytest.raises(InputError, match="binary.csv: not a text file"):
        read_extract(INGEST / "binary.csv", COLOCATED)


def test_bytes_that_are_neither_utf8_nor_cp1252_are_a_clear_input_error(tmp_path):
    path = tmp_path / "kommunale_utleieboliger.csv"
    path.write_bytes(b"dato;antall\n01.01.2020;\x81\x9d\n")  # 0x81, 0x9d are undefined in cp1252
    with pytest.raises(InputError, match="cannot be read as UTF-8 or Windows-1252"):
        read_extract(path, RENTAL)


def test_excel_workbook_named_csv_is_a_clear_input_error(tmp_path):
    path = tmp_path / "kommunale_utleieboliger.csv"
    book = openpyxl.Workbook()
    book.save(path)
    with pytest.raises(InputError, match="name it .xlsx"):
        read_extract(path, RENTAL)


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_separators(tmp_path, sep):
    path = write(tmp_path / "k.csv", f"dato{sep}antall\n01.01.2020{sep}11384\n31.12.2020{sep}\"11,502\"\n")
    frame = read_extract(path, RENTAL)
    assert frame["dato"].tolist() == ["01.01.2020", "31.12.2020"]
    assert frame["antall"].tolist() == ["11384", "11,502"]


def test_utf8_bom_headers_in_any_case_with_nbsp_and_extra_columns(tmp_path, caplog):
    text = "\ufeff Svar_ID ;PERSON;Bydel\u00a0;Dato;svar;Kommentar\n1;P-1;Alna;01.02.2023;4;hei\n"
    with caplog.at_level(logging.INFO, logger="prioslo.readers"):
        frame = read_extract(write(tmp_path / "lq.csv", text), LQ)
    assert list(frame.columns) == [SOURCE_ROW, READ_ERROR, READ_ERROR_COLUMN, "svar_id", "person", "bydel", "dato",
                                   "svar"]
    assert frame.iloc[0][["svar_id", "person", "bydel", "svar"]].tolist() == ["1", "P-1", "Alna", "4"]
    assert "Kommentar" in caplog.text


def test_headers_with_norwegian_letters(tmp_path):
    text = "Kategori;Drift;År;Plasser\nMestringsenheter;kommunal;2023;10\n"
    frame = read_extract(write(tmp_path / "ip.csv", text), schema.INSTITUSJONSPLASSER)
    assert frame["aar"].tolist() == ["2023"]


def test_missing_column_names_file_and_column(tmp_path):
    path = write(tmp_path / "livskvalitet_bydel.csv", "svar_id;person;bydel;svar\n1;P-1;Alna;4\n")
    with pytest.raises(InputError) as info:
        read_extract(path, LQ)
    assert str(info.value) == ("livskvalitet_bydel.csv: missing column 'dato' "
                               "(found: svar_id, person, bydel, svar)")


def test_optional_remark_column_may_be_left_out(tmp_path):
    frame = read_extract(write(tmp_path / "s.csv", "bydel;tidspunkt;antall\nAlna;2024-06;3\n"), COLOCATED)
    assert frame["merknad"].tolist() == [""]


def test_wrong_field_counts_become_rows_with_a_read_error(tmp_path):
    text = ("dato;antall\n"
            "01.01.2020;11384\n"
            "\n"
            ";\n"
            "31.12.2020;11502;;\n"        # trailing empty fields: fine
            "31.12.2021;11543;oops\n"     # a third value: rejected
            "31.12.20")                   # truncated last line, no newline
    frame = read_extract(write(tmp_path / "k.csv", text), RENTAL)
    assert frame[SOURCE_ROW].tolist() == [2, 5, 6, 7]
    assert frame[READ_ERROR].tolist() == [
        "", "", "row has 3 fields, the header has 2", "row has 1 fields, the header has 2 (truncated line?)"]
    assert frame["dato"].tolist()[3] == "31.12.20"


def test_source_row_counts_physical_lines_of_quoted_newlines(tmp_path):
    text = 'bydel;tidspunkt;antall;merknad\nAlna;2024-06;3;"to\nlinjer"\nBjerke;2024-06;4;\n'
    frame = read_extract(write(tmp_path / "s.csv", text), COLOCATED)
    assert frame[SOURCE_ROW].tolist() == [2, 4]
    assert frame["merknad"].tolist() == ["to\nlinjer", ""]


def test_title_line_above_the_header_is_skipped(tmp_path):
    text = "Kommunale utleieboliger;\n\ndato;antall\n01.01.2020;11384\n"
    frame = read_extract(write(tmp_path / "k.csv", text), RENTAL)
    assert frame[SOURCE_ROW].tolist() == [4]


def test_empty_and_header_only_files_give_zero_rows(tmp_path, caplog):
    empty = read_extract(write(tmp_path / "a.csv", ""), RENTAL)
    header = read_extract(write(tmp_path / "b.csv", "dato;antall\n"), RENTAL)
    assert len(empty) == 0 and len(header) == 0
    assert list(header.columns) == [SOURCE_ROW, READ_ERROR, READ_ERROR_COLUMN, "dato", "antall"]
    assert "empty" in caplog.text and "no data rows" in caplog.text


# Excel --------------------------------------------------------------------------------------------

def test_xlsx_title_row_second_sheet_dates_serials_and_numeric_ids(tmp_path):
    path = tmp_path / "livskvalitet_bydel.xlsx"
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Om uttrekket"
    notes.append(["Uttrekk fra fagsystemet"])
    data = book.create_sheet("Svar")
    data.append(["Livskvalitet, uttrekk per 31.12.2023"])  # title row 1
    data.append([])                                          # empty row 2
    data.append(["svar_id", "person", "bydel", "dato", "svar", "Ekstra"])  # header row 3
    data.append([101, "P-1", 1, datetime.datetime(2023, 2, 5), 4, "x"])    # row 4
    data.append([102.0, "P-2", "Alna", 44962, 4.0, None])                  # row 5: serial date
    data.append([None, None, None, None, None, None])                      # row 6: empty
    data.append(["103", "P-3", "030112", "05.02.2023", "Ønsker ikke å svare", None])  # row 7
    data.append([104, "P-4", "Alna", datetime.date(2023, 2, 5), 4.5, None])  # row 8
    book.save(path)
    frame = read_extract(path, LQ)
    assert frame[SOURCE_ROW].tolist() == [4, 5, 7, 8]
    assert frame["svar_id"].tolist() == ["101", "102", "103", "104"]
    assert frame["bydel"].tolist() == ["1", "Alna", "030112", "Alna"]
    assert frame["dato"].tolist() == ["2023-02-05", "2023-02-05", "05.02.2023", "2023-02-05"]
    assert frame["svar"].tolist() == ["4", "4", "Ønsker ikke å svare", "4.5"]
    assert (frame[READ_ERROR] == "").all()


def test_xlsx_month_cells_become_rounds(tmp_path):
    path = tmp_path / "samlokaliserte_boliger.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["bydel", "tidspunkt", "antall", "merknad"])
    book.active.append(["Alna", datetime.datetime(2024, 6, 1), 3, None])
    book.save(path)
    frame = read_extract(path, COLOCATED)
    assert frame["tidspunkt"].tolist() == ["2024-06"]


def test_xlsx_without_the_columns_lists_the_sheets(tmp_path):
    path = tmp_path / "kommunale_utleieboliger.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Ark1"
    book.active.append(["dato", "antall boliger"])
    book.create_sheet("Ark2").append(["noe annet"])
    book.save(path)
    with pytest.raises(InputError) as info:
        read_extract(path, RENTAL)
    message = str(info.value)
    assert message.startswith("kommunale_utleieboliger.xlsx: no sheet has all the contract columns")
    assert "'Ark1', 'Ark2'" in message and "missing column 'antall'" in message


def test_damaged_xlsx_is_a_clear_input_error(tmp_path):
    path = tmp_path / "kommunale_utleieboliger.xlsx"
    shutil.copy(INGEST / "binary.csv", path)
    with pytest.raises(InputError, match="cannot be opened as an Excel .xlsx workbook"):
        read_extract(path, RENTAL)


def test_empty_xlsx_gives_zero_rows(tmp_path):
    path = tmp_path / "kommunale_utleieboliger.xlsx"
    openpyxl.Workbook().save(path)
    assert len(read_extract(path, RENTAL)) == 0


# files that cannot be read row by row without guessing ------------------------------------------------

def test_mixed_utf8_and_cp1252_lines_are_refused(tmp_path):
    path = tmp_path / "samlokaliserte_boliger.csv"
    path.write_bytes("bydel;tidspunkt;antall;merknad\n".encode()
                     + "Østensjø;2024-06;3;\n".encode("utf-8")        # line 2: UTF-8
                     + "Grünerløkka;2024-06;4;\n".encode("cp1252"))  # line 3: Windows-1252
    with pytest.raises(InputError) as info:
        read_extract(path, COLOCATED)
    assert str(info.value) == ("samlokaliserte_boliger.csv: mixed text encoding: line 2 is UTF-8 but line 3 "
                               "is Windows-1252 (two exports pasted together?); save the file in one encoding")


def test_unbalanced_quote_swallowing_rows_is_refused(tmp_path):
    text = ("bydel;tidspunkt;antall;merknad\n"
            "Alna;2024-06;3;\n"
            "Bjerke;2024-06;4;\"ny\n"      # line 3 opens a quote that never closes
            "Frogner;2024-06;5;\n"
            "Grorud;2024-06;6;\n")
    with pytest.raises(InputError, match=r"s.csv, row 3: unbalanced quote \(\"\) on line 3"):
        read_extract(write(tmp_path / "s.csv", text), COLOCATED)


def test_multi_line_remark_is_no_unbalanced_quote(tmp_path):
    text = 'bydel;tidspunkt;antall;merknad\nAlna;2024-06;3;"første linje\nandre; linje"\n'
    frame = read_extract(write(tmp_path / "s.csv", text), COLOCATED)
    assert frame["merknad"].tolist() == ["første linje\nandre; linje"]


def test_two_sheets_with_the_contract_columns_are_refused(tmp_path):
    path = tmp_path / "kommunale_utleieboliger.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "2020"
    book.active.append(["dato", "antall"])
    book.create_sheet("2021").append(["dato", "antall"])
    book.save(path)
    with pytest.raises(InputError, match="sheets '2020' and '2021' all hold the contract columns"):
        read_extract(path, RENTAL)


def test_formula_without_calculated_value_is_a_cell_error(tmp_path):
    path = tmp_path / "kommunale_utleieboliger.xlsx"
    book = openpyxl.Workbook()  # openpyxl stores formulas without results, as programs do
    book.active.append(["dato", "antall"])
    book.active.append(["01.01.2020", 11384])
    book.active.append(["31.12.2020", "=11384+118"])
    book.save(path)
    frame = read_extract(path, RENTAL)
    assert frame[READ_ERROR].tolist() == [
        "", "formula '=11384+118' has no calculated value (open and save the file in Excel)"]
    assert frame[READ_ERROR_COLUMN].tolist() == ["", "antall"]
    assert frame["antall"].tolist() == ["11384", ""]
