"""The leak check finds fødselsnummer and person-level rows in every file type, and nothing else.

Every file here is hand-made; the person numbers are built in the test from a birth date and an
individual number with the mod-11 check digits computed below (D-, H- and synthetic month + 80
numbers, so no real person's number is ever written).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from prioslo.cli import main
from prioslo.leakcheck import check_outputs, find_leak, is_person_number

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check(digits: str, weights: tuple[int, ...]) -> int | None:
    k = (11 - sum(w * int(d) for w, d in zip(weights, digits))) % 11
    return None if k == 10 else k


def person_number(ddmmyy: str, first_individual: int = 100) -> str:
    """Return a valid 11-digit number for ``ddmmyy`` (the first individual number >= the given one
    whose two check digits both exist)."""
    for individual in range(first_individual, 500):
        nine = f"{ddmmyy}{individual:03d}"
        k1 = _check(nine, W1)
        if k1 is None:
            continue
        k2 = _check(nine + str(k1), W2)
        if k2 is not None:
            return f"{nine}{k1}{k2}"
    raise AssertionError("no valid number")


SYNTHETIC = person_number("159086")  # 15 October 1986, month + 80 (Tenor test registry)
D_NUMBER = person_number("559086")   # day + 40 on top of a synthetic month
H_NUMBER = person_number("155086")   # month + 40
LEADING_ZERO = person_number("019086")  # 1 October 1986: Excel strips the leading 0
PSEUDONYM = "3fa9c0d12b7e4a58"       # the shape prepare writes: 16 lower-case hex characters


def _bad_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def test_hand_made_numbers_are_valid_and_a_changed_digit_is_not():
    for number in (SYNTHETIC, D_NUMBER, H_NUMBER, LEADING_ZERO):
        assert len(number) == 11 and is_person_number(number)
        assert not is_person_number(_bad_check_digit(number))
    assert LEADING_ZERO.startswith("0")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _run(tmp_path: Path, capsys) -> tuple[int, str, str]:
    code = check_outputs([tmp_path])
    out, err = capsys.readouterr()
    return code, out, err


def _clean_png(path: Path, **text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    info = PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    Image.new("RGB", (4, 4), "white").save(path, pnginfo=info)
    return path


def _clean_tree(root: Path) -> None:
    """A small output folder with nothing to find: 5 files of 5 kinds."""
    _write(root / "oslo/tables/indicators.csv",
           "indicator,group,period,value,numerator,denominator,suppressed\n"
           "admissions,Oslo,2023,3394,,,false\n"
           "ten_plus_share_admissions,Oslo,2023,0.23099587507366,784,3394,false\n"
           "life_quality_mean,Alna,2023,,,,true\n")
    _write(root / "oslo/run.json", json.dumps({"git_commit": "0395186" * 5, "count": 12345678901234}))
    _write(root / "oslo/report.html", "<html><body><table><tr><th>Bydel</th><th>Personer</th></tr>"
           "<tr><td>Alna</td><td>:</td></tr></table><p>Telefon 23 46 20 00</p></body></html>")
    _clean_png(root / "oslo/figures/figur_2.png", Software="Matplotlib version3.11")
    pd.DataFrame({"bydel": ["Alna"], "units": [12]}).to_parquet(root / "oslo/tables/x.parquet")


def test_clean_outputs_pass_and_say_how_many_files(tmp_path, capsys):
    _clean_tree(tmp_path)
    code, out, err = _run(tmp_path, capsys)
    assert code == 0, err
    assert "no fødselsnummer or person-level rows found in 5 files" in out


@pytest.mark.parametrize("number", [SYNTHETIC, D_NUMBER, H_NUMBER])
def test_csv_cell_is_found_with_row_and_column_and_the_number_is_not_printed(tmp_path, capsys, number):
    _write(tmp_path / "t.csv", f"bydel;antall;merknad\nAlna;3;ok\nBjerke;4;ringt {number} i går\n")
    code, out, err = _run(tmp_path, capsys)
    assert code == 1
    assert "t.csv" in err and "row 3" in err and "'merknad'" in err and "fødselsnummer" in err
    assert number not in err and number not in out


def test_number_written_with_one_space_is_found(tmp_path, capsys):
    _write(tmp_path / "notes.txt", f"første linje\nPerson: {SYNTHETIC[:6]} {SYNTHETIC[6:]}.\n")
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "notes.txt" in err and "line 2, column 9" in err


@pytest.mark.parametrize("text", [
    _bad_check_digit(SYNTHETIC),            # check digit wrong
    SYNTHETIC + "7",                          # 12 digits
    "ab" + SYNTHETIC,                         # part of a longer alphanumeric token
    SYNTHETIC + "x",
    "0." + SYNTHETIC,                         # the fraction of a decimal number
    f"{SYNTHETIC[:6]}  {SYNTHETIC[6:]}",      # two spaces: two numbers
    "3fa9c0d12b7e4a58ff",                     # hex, but not 16 characters
])
def test_things_that_are_not_person_numbers_pass(tmp_path, capsys, text):
    _write(tmp_path / "a.txt", f"x {text} y\n")
    code, _, err = _run(tmp_path, capsys)
    assert code == 0, err


def test_tsv_and_csv_header_person_column_in_outputs(tmp_path, capsys):
    _write(tmp_path / "out/persons.tsv", "Person_ID\tbydel\nx1\tAlna\n")
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "persons.tsv" in err and "Person_ID" in err and "person-level" in err


def test_pseudonym_values_in_an_output_table(tmp_path, capsys):
    _write(tmp_path / "out/t.csv", f"id,bydel\n{PSEUDONYM},Alna\n")
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "row 2" in err and "'id'" in err and "pseudonym" in err


def test_processed_data_may_hold_pseudonyms_but_never_a_person_number(tmp_path, capsys):
    processed = tmp_path / "data/processed"
    processed.mkdir(parents=True)
    pd.DataFrame({"stay_id": ["s1", "s2"], "person_id": [PSEUDONYM, "0b1c2d3e4f5a6b7c"]}).to_parquet(
        processed / "stays.parquet")
    _write(processed / "rejected/stays.csv", "row,column,reason,person\n4,person,invalid,masked\n")
    code, out, err = _run(tmp_path, capsys)
    assert code == 0, err
    assert "in 2 files" in out

    _write(processed / "rejected/opphold.csv", f"row,column,reason,merknad\n4,merknad,x,{D_NUMBER}\n")
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "rejected/opphold.csv" in err and "row 2" in err


def test_parquet_string_int_and_float_columns(tmp_path, capsys):
    out = tmp_path / "outputs"
    out.mkdir()
    # Leading zero lost: stored as a 10-digit integer.
    pd.DataFrame({"bydel": ["Alna", "Bjerke"], "kode": [3, int(LEADING_ZERO)]}).to_parquet(out / "a.parquet")
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "a.parquet" in err and "row 2, column 'kode'" in err

    (out / "a.parquet").unlink()
    pd.DataFrame({"v": [1.5, float(SYNTHETIC)]}).to_parquet(out / "b.parquet")
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "row 2, column 'v'" in err

    (out / "b.parquet").unlink()
    pd.DataFrame({"beboer": ["a"], "n": [1]}).to_parquet(out / "c.parquet")
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "column 'beboer'" in err and "person-level" in err


def _png_with(path: Path, kind: str, value: str) -> Path:
    info = PngInfo()
    if kind == "tEXt":
        info.add_text("Description", value)
    elif kind == "zTXt":
        info.add_text("Comment", value, zip=True)
    else:
        info.add_itxt("Title", value, lang="nb", tkey="Tittel")
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 4), "white").save(path, pnginfo=info)
    return path


@pytest.mark.parametrize("kind", ["tEXt", "zTXt", "iTXt"])
def test_png_metadata_chunks(tmp_path, capsys, kind):
    _png_with(tmp_path / "figures/f.png", kind, f"Figur for {SYNTHETIC}")
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "f.png" in err and "PNG metadata chunk" in err


def test_matplotlib_figure_metadata(tmp_path, capsys):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2])
    (tmp_path / "figures").mkdir()
    fig.savefig(tmp_path / "figures/ok.png", metadata={"Title": "Figur 2"})
    fig.savefig(tmp_path / "figures/z.png", metadata={"Author": f"laget av {H_NUMBER}"})
    plt.close(fig)
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "z.png" in err and "'Author'" in err


def _notebook(cells: list[dict]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {"papermill": {"parameters": {"bydel": None}}},
                       "cells": cells})


def _code(source: str, outputs: list[dict]) -> dict:
    return {"cell_type": "code", "source": source, "outputs": outputs, "metadata": {}, "execution_count": 1}


def test_notebook_output_names_cell_and_output(tmp_path, capsys):
    cells = [
        {"cell_type": "markdown", "source": ["# Tittel"], "metadata": {}},
        _code("x = 1", [{"output_type": "stream", "name": "stdout", "text": ["ok\n"]}]),
        _code("df", [{"output_type": "stream", "name": "stdout", "text": ["hei\n"]},
                     {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                      "data": {"text/plain": [f"0  {SYNTHETIC}\n"]}}]),
    ]
    _write(tmp_path / "nb/c.ipynb", _notebook(cells))
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "c.ipynb" in err and "cell 3 output 2" in err


def test_notebook_source_and_embedded_image(tmp_path, capsys):
    _write(tmp_path / "a.ipynb", _notebook([_code(f"# {D_NUMBER}", [])]))
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "cell 1 source" in err
    (tmp_path / "a.ipynb").unlink()

    png = _png_with(tmp_path / "tmp/x.png", "tEXt", f"nr {SYNTHETIC}").read_bytes()
    (tmp_path / "tmp/x.png").unlink()
    image = {"output_type": "display_data", "metadata": {},
             "data": {"image/png": base64.b64encode(png).decode(), "text/plain": ["<Figure size 640x480 with 1 Axes>"]}}
    _write(tmp_path / "b.ipynb", _notebook([_code("plot()", [image])]))
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "cell 1 output 1 (image/png)" in err and "PNG metadata" in err


def test_notebook_dataframe_with_pseudonyms_or_person_column(tmp_path, capsys):
    html = "<table><thead><tr><th></th><th>person_id</th></tr></thead><tbody><tr><td>0</td><td>x</td></tr></tbody></table>"
    out = {"output_type": "execute_result", "execution_count": 1, "metadata": {},
           "data": {"text/html": [html], "text/plain": ["0  x"]}}
    _write(tmp_path / "a.ipynb", _notebook([_code("df", [out])]))
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "cell 1 output 1 (text/html)" in err and "person_id" in err
    (tmp_path / "a.ipynb").unlink()

    out = {"output_type": "stream", "name": "stdout", "text": [f"   stay_id  person_id\n0  s1  {PSEUDONYM}\n"]}
    _write(tmp_path / "b.ipynb", _notebook([_code("print(df)", [out])]))
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "cell 1 output 1 (stream)" in err and "pseudonym" in err


def test_html_text_line_and_offset_and_embedded_image(tmp_path, capsys):
    _write(tmp_path / "report.html", f"<html>\n<body>\n<p>Se {SYNTHETIC}</p>\n</body></html>")
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "report.html" in err and "line 3, column 7 (offset 20)" in err
    (tmp_path / "report.html").unlink()

    png = base64.b64encode(_png_with(tmp_path / "x/f.png", "iTXt", SYNTHETIC).read_bytes()).decode()
    (tmp_path / "x/f.png").unlink()
    _write(tmp_path / "report.html", f'<html>\n<img src="data:image/png;base64,{png}" alt="Figur 1">\n</html>')
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "embedded image at line 2" in err and "PNG metadata" in err


def test_svg_metadata(tmp_path, capsys):
    _write(tmp_path / "f.svg", f'<svg xmlns="http://www.w3.org/2000/svg"><metadata>{D_NUMBER}</metadata></svg>')
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "f.svg" in err and "line 1" in err


def test_xlsx_every_sheet_and_numeric_cells(tmp_path, capsys):
    wb = openpyxl.Workbook()
    wb.active.title = "Oversikt"
    wb.active.append(["bydel", "antall"])
    wb.active.append(["Alna", 3])
    second = wb.create_sheet("Detaljer")
    second.append(["bydel", "kode"])
    second.append(["Alna", 1])
    second.append(["Bjerke", int(LEADING_ZERO)])  # a number cell: the leading 0 is gone
    wb.save(tmp_path / "t.xlsx")
    code, _, err = _run(tmp_path, capsys)
    assert code == 1 and "sheet 'Detaljer' row 3, column 'kode'" in err


def test_stops_at_the_first_hit_in_sorted_order(tmp_path, capsys):
    _write(tmp_path / "b.txt", SYNTHETIC)
    _write(tmp_path / "a.txt", D_NUMBER)
    finding, scanned = find_leak([tmp_path])
    assert finding is not None and finding.file.name == "a.txt" and scanned == 1


def test_cli_exit_codes(tmp_path, capsys):
    _clean_tree(tmp_path / "out")
    assert main(["check-outputs", str(tmp_path / "out")]) == 0
    _write(tmp_path / "out/oslo/tables/indicators.csv", f"indicator,group\nx,{SYNTHETIC}\n")
    assert main(["check-outputs", str(tmp_path / "out")]) == 1
    assert main(["check-outputs", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "missing" in err and "Traceback" not in err


# --- the real thing: a sample build ----------------------------------------------------------------

from fixtures_build import build_root, bydel_build, oslo_build, sample_dir  # noqa: E402,F401


@pytest.mark.slow
def test_sample_builds_and_processed_data_pass_the_leak_check(oslo_build, bydel_build, sample_dir, capsys):
    """``prioslo check-outputs`` over the Oslo and bydel builds and the processed sample: clean."""
    targets = [oslo_build.parent, bydel_build.parent, sample_dir / "processed"]
    assert main(["check-outputs", *map(str, targets)]) == 0
    out = capsys.readouterr().out
    scanned = int(re.search(r"found in (\d+) files", out).group(1))
    assert scanned >= 20
    for scope in (oslo_build, bydel_build):
        assert (scope / "report.html").is_file() and list((scope / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
def test_leak_check_catches_a_number_planted_in_a_built_report(oslo_build, tmp_path):
    """The check is not blind to the real outputs: a number planted in a copy of the report is found."""
    copy = tmp_path / "oslo"
    shutil.copytree(oslo_build, copy)
    report = copy / "report.html"
    text = report.read_text(encoding="utf-8")
    at = text.index("</body>")
    report.write_text(text[:at] + f"<p>{D_NUMBER}</p>" + text[at:], encoding="utf-8")
    finding, _ = find_leak([copy])
    assert finding is not None and finding.file.name == "report.html"
