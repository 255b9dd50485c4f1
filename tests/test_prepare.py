"""``prioslo prepare`` end to end on small hand-made extracts (prioslo.prepare)."""

from __future__ import annotations

import datetime
import hashlib
import json

import openpyxl
import pandas as pd
import pytest

from prioslo import cli
from prioslo import prepare as prepare_module
from prioslo.errors import InputError, PriosloError
from prioslo.prepare import load_processed, load_tables, prepare
from prioslo.pseudonym import KEY_ENV


@pytest.fixture
def people(fnr):
    """Three people: A synthetic, B a D-nummer, C an ordinary number starting with 0."""
    a = fnr.make(15, 6, 85)
    b = fnr.make(1, 2, 70, synthetic=False, d_number=True)
    c = fnr.make(5, 3, 92, synthetic=False)
    assert c[0] == "0"
    return {"A": a, "B": b, "C": c, "C_bad": fnr.spoil(c), "C10": c[1:]}


@pytest.fixture
def data_dir(tmp_path, people, monkeypatch):
    """A data dir with four extracts full of hand-placed problems (expected outcomes in the tests)."""
    monkeypatch.setenv(KEY_ENV, "test-key-1")
    d = tmp_path / "raw"
    d.mkdir()
    a, b, c = people["A"], people["B"], people["C"]
    lq = [
        "svar_id;person;bydel;dato;svar",
        f"L1;{a};Bydel Alna;05.02.2023;4",                              # 2 kept
        f"L2;{b};030101;2023-03-01;4,0",                                 # 3 kept (Gamle Oslo, 4)
        f"L3;{c};Bydel X;01.03.2023;5",                                  # 4 unknown bydel
        f"L4;{c};Alna;01.03.2023;0",                                     # 5 answer 0
        f"L5;{c};Alna;01.03.2023;8",                                     # 6 answer 8
        f"L6;{people['C_bad']};Alna;01.03.2023;3",                       # 7 bad check digit
        f"L7;{people['C10']};Sentrum;01.03.2023;Ønsker ikke å svare",    # 8 kept: Uoppgitt, declined
        f"L1;{a};Bydel Alna;05.02.2023;4",                               # 9 exact duplicate of 2
        f"L2;{b};Frogner;2023-03-01;5",                                  # 10 conflicting duplicate of 3
        f"L8;{a};Alna;31.02.2023;5",                                     # 11 invalid date
        f"L9;{a};Alna;i fjor;5",                                         # 12 unparseable date
        f"L8;{a};Alna;02.03.2023;6",                                     # 13 kept: line 11 was rejected
        f"L10;{a}",                                                      # 14 truncated last line
    ]
    (d / "livskvalitet_bydel.csv").write_text("\n".join(lq), encoding="utf-8")
    stays = [
        "opphold_id,person,kjonn,fodselsar,bydel,institusjon,kategori,drift,innskrevet,utskrevet,"
        "utskrivningsarsak,utskrevet_til",
        f"S1,{a},K,1985,GRUNERLOKKA,Inst A,Mestringsenheter,Kommunal,01.02.2023,10.02.2023,,egen bolig",
        f"S2,{b},M,1970,St.Hanshaugen,Inst B,Omsorgssentre,ideell,01.03.2023,01.02.2023,,",
        f"S3,{a},K,1885,Alna,Inst A,Mestringsenheter,kommunal,01.04.2023,,,",
        f"S4,{a},K,1985,Alna,Inst C,Mestringsenheter,ideell,01.05.2023,,,",
        f"S5,{b},M,1970,Sondre Nordstrand,Inst B,Omsorgssentre,ideell,2023-03-01,,,",
        f"S6,{b},m,1970,8,Inst B ved {a[:6]} {a[6:]},Omsorgssentre,ideell,2023-04-01,2023-04-02,"
        "Øyeblikkelig utskrivning - vold eller trusler,",
    ]
    (d / "opphold.csv").write_bytes(("\r\n".join(stays) + "\r\n").encode("cp1252"))
    book = openpyxl.Workbook()
    book.active.title = "Info"
    book.active.append(["Kommunale utleieboliger"])
    sheet = book.create_sheet("Tall")
    sheet.append(["Antall kommunale utleieboliger"])
    sheet.append(["Dato", "Antall"])
    sheet.append([datetime.datetime(2020, 1, 1), "11 384"])
    sheet.append([44196, 11502])  # Excel serial of 31.12.2020 (44927 = 1.1.2023, minus 731 days)
    book.save(d / "kommunale_utleieboliger.xlsx")
    mapping = [
        "bydel;tidspunkt;aktivitetshus;ambulant_team;rusfact;fact;dreid_innsats;oslostandard;"
        "arbeids_aktivitetstilbud;oppfolging_i_bolig",
        "Alna;2024-06;ja;nei;JA;nei;ja;ja;planlagt;Stor grad",
        "Sentrum;2024-06;ja;ja;ja;ja;ja;ja;ja;stor grad",
    ]
    (d / "bydelskartlegging.csv").write_text("\n".join(mapping), encoding="utf-8")
    (d / "published").mkdir()
    (d / "published" / "reference.csv").write_text("not an extract", encoding="utf-8")
    return d


def test_rows_in_kept_rejected_per_file(data_dir):
    result = prepare(data_dir)
    counts = {f.raw_name: (f.rows_in, f.kept, f.rejected) for f in result.files}
    assert counts == {
        "livskvalitet_bydel": (13, 4, 9),
        "opphold": (6, 3, 3),
        "kommunale_utleieboliger": (2, 2, 0),
        "bydelskartlegging": (2, 1, 1),
    }
    assert result.missing == ["livskvalitet_institusjon", "samlokaliserte_boliger", "institusjonsplasser",
                              "boligbehov"]


def test_life_quality_table(data_dir):
    prepare(data_dir)
    lq = pd.read_parquet(data_dir / "processed" / "life_quality_bydel.parquet")
    assert list(lq.columns) == ["answer_id", "person_id", "bydel", "date", "year", "answer", "declined"]
    assert lq["answer_id"].tolist() == ["L1", "L2", "L7", "L8"]
    assert lq["bydel"].tolist() == ["Alna", "Gamle Oslo", "Uoppgitt", "Alna"]
    assert lq["answer"].tolist()[:2] == [4, 4] and pd.isna(lq["answer"][2]) and lq["answer"][3] == 6
    assert str(lq["answer"].dtype) == "Int64"
    assert lq["declined"].tolist() == [False, False, True, False]
    assert lq["year"].tolist() == [2023] * 4 and lq["year"].dtype == "int64"
    assert lq["date"].tolist() == [pd.Timestamp(x) for x in ("2023-02-05", "2023-03-01", "2023-03-01",
                                                           "2023-03-02")]
    assert str(lq["date"].dtype).startswith("datetime64")
    assert lq["person_id"][0] == lq["person_id"][3] != lq["person_id"][1]


def test_rejected_rows_file(data_dir, people):
    prepare(data_dir)
    rejected = pd.read_csv(data_dir / "processed" / "rejected" / "livskvalitet_bydel.csv",
                           dtype=str, keep_default_na=False)
    assert list(rejected.columns) == ["file", "row", "column", "reason", "svar_id", "person", "bydel", "dato", "svar"]
    assert rejected["row"].tolist() == ["4", "5", "6", "7", "9", "10", "11", "12", "14"]
    assert rejected["column"].tolist() == ["bydel", "svar", "svar", "person", "", "svar_id", "dato", "dato", ""]
    assert rejected["reason"].tolist() == [
        "unknown bydel 'Bydel X'",
        "answer 0 outside 1..7",
        "answer 8 outside 1..7",
        "invalid fødselsnummer (check digits do not match)",
        "exact duplicate of row 2",
        "duplicate svar_id 'L2', first at row 3, different values",
        "invalid date '31.02.2023'",
        "unparseable date 'i fjor' (expected dd.mm.yyyy or yyyy-mm-dd)",
        "row has 2 fields, the header has 5 (truncated line?)",
    ]
    assert set(rejected["file"]) == {"livskvalitet_bydel.csv"}
    assert set(rejected["person"]) == {"[fjernet]"}


def test_stays_table_and_record_checks(data_dir):
    prepare(data_dir)
    stays = pd.read_parquet(data_dir / "processed" / "stays.parquet")
    assert stays["stay_id"].tolist() == ["S1", "S5", "S6"]
    assert stays["bydel"].tolist() == ["Grünerløkka", "Søndre Nordstrand", "Nordre Aker"]
    assert stays["operator"].tolist() == ["kommunal", "ideell", "ideell"]
    assert stays["sex"].tolist() == ["K", "M", "M"]
    assert stays["birth_year"].tolist() == [1985, 1970, 1970]
    assert pd.isna(stays["discharged"][1])
    assert stays["discharged_to"][0] == "Egen bolig"
    assert stays["discharge_reason"][2] == "Øyeblikkelig utskrivning – vold eller trusler"
    assert stays["institution"][2] == "Inst B ved [fjernet]"
    rejected = pd.read_csv(data_dir / "processed" / "rejected" / "opphold.csv", dtype=str, keep_default_na=False)
    assert rejected["row"].tolist() == ["3", "4", "5"]
    assert rejected["reason"].tolist() == [
        "discharged 01.02.2023 before admitted 01.03.2023",
        f"year 1885 outside 1900..{datetime.date.today().year}",
        "category 'Mestringsenheter' is not a category of ideell institutions",
    ]


def test_rental_housing_period_is_year_of_day_before(data_dir):
    prepare(data_dir)
    rental = pd.read_parquet(data_dir / "processed" / "rental_housing.parquet")
    assert list(rental.columns) == ["date", "period", "units"]
    assert rental["period"].tolist() == [2019, 2020]
    assert rental["units"].tolist() == [11384, 11502]
    assert rental["date"].tolist() == [pd.Timestamp("2020-01-01"), pd.Timestamp("2020-12-31")]


def test_bydel_mapping_flags_and_real_bydeler_only(data_dir):
    prepare(data_dir)
    mapping = pd.read_parquet(data_dir / "processed" / "bydel_mapping.parquet")
    row = mapping.iloc[0]
    assert row["bydel"] == "Alna" and row["period"] == "2024-06"
    assert [bool(row[c]) for c in ("activity_house", "ambulant_team", "rusfact", "fact", "shifted_effort",
                                   "oslo_standard")] == [True, False, True, False, True, True]
    assert mapping["activity_house"].dtype == bool
    assert row["work_activity"] == "planlagt" and row["housing_followup"] == "stor grad"
    rejected = pd.read_csv(data_dir / "processed" / "rejected" / "bydelskartlegging.csv", dtype=str)
    assert rejected["reason"].tolist() == ["'Sentrum' is not one of the 15 bydeler (this extract is answered by bydeler)"]


def test_no_fodselsnummer_anywhere_in_the_processed_folder(data_dir, people):
    prepare(data_dir)
    files = [p for p in (data_dir / "processed").rglob("*") if p.is_file()]
    assert len(files) == 9  # 4 tables, 4 rejected files, manifest
    for path in files:
        content = path.read_bytes()
        for number in people.values():
            assert number.encode() not in content, (path, number)
            assert f"{number[:6]} {number[6:]}".encode() not in content
    for path in (data_dir / "processed").glob("*.parquet"):
        text = pd.read_parquet(path).astype(str).to_csv()
        assert not any(number in text for number in people.values())


def test_same_key_same_pseudonym_across_files_other_key_other_pseudonym(data_dir, tmp_path, monkeypatch):
    prepare(data_dir)
    lq = pd.read_parquet(data_dir / "processed" / "life_quality_bydel.parquet")
    stays = pd.read_parquet(data_dir / "processed" / "stays.parquet")
    # person A answered L1 and stayed S1; person B answered L2 and stayed S5
    assert lq["person_id"][0] == stays["person_id"][0]
    assert lq["person_id"][1] == stays["person_id"][1] == stays["person_id"][2]
    monkeypatch.setenv(KEY_ENV, "test-key-2")
    prepare(data_dir, tmp_path / "other")
    lq2 = pd.read_parquet(tmp_path / "other" / "life_quality_bydel.parquet")
    assert lq2["answer_id"].tolist() == lq["answer_id"].tolist()
    assert not set(lq2["person_id"]) & set(lq["person_id"])


def test_manifest_is_deterministic_with_hashes(data_dir):
    prepare(data_dir)
    first = (data_dir / "processed" / "manifest.json").read_bytes()
    tables = {p.name: p.read_bytes() for p in (data_dir / "processed").glob("*.parquet")}
    prepare(data_dir)
    assert (data_dir / "processed" / "manifest.json").read_bytes() == first
    assert {p.name: p.read_bytes() for p in (data_dir / "processed").glob("*.parquet")} == tables
    manifest = json.loads(first)
    entry = manifest["extracts"]["opphold"]
    assert entry["sha256"] == hashlib.sha256((data_dir / "opphold.csv").read_bytes()).hexdigest()
    assert (entry["rows_in"], entry["kept"], entry["rejected"], entry["scrubbed"]) == (6, 3, 3, 1)
    assert "prioslo_version" in manifest


def test_summary_text(data_dir):
    summary = prepare(data_dir).summary()
    assert "livskvalitet_bydel.csv: 13 rows in, 4 kept, 9 rejected" in summary
    assert "      2 × " not in summary  # every reason of this file occurs once
    assert "1 × unknown bydel 'Bydel X'" in summary
    assert "opphold.csv: 6 rows in, 3 kept, 3 rejected" in summary
    assert "warning: 1 text value(s) held something shaped like a fødselsnummer" in summary
    assert "samlokaliserte_boliger: not provided — its indicators will be skipped" in summary


def test_stale_outputs_of_a_removed_extract_are_removed(data_dir):
    prepare(data_dir)
    processed = data_dir / "processed"
    assert (processed / "bydel_mapping.parquet").exists()
    (data_dir / "bydelskartlegging.csv").unlink()
    prepare(data_dir)
    assert not (processed / "bydel_mapping.parquet").exists()
    assert not (processed / "rejected" / "bydelskartlegging.csv").exists()
    assert set(load_processed(processed)) == {"life_quality_bydel", "stays", "rental_housing"}


def test_load_tables_prepares_only_when_content_changes(data_dir, monkeypatch):
    calls = []
    real = prepare_module.prepare
    monkeypatch.setattr(prepare_module, "prepare", lambda *a, **k: calls.append(a) or real(*a, **k))
    tables = load_tables(data_dir)
    assert len(calls) == 1
    assert set(tables) == {"life_quality_bydel", "stays", "rental_housing", "bydel_mapping"}
    path = data_dir / "bydelskartlegging.csv"
    path.write_bytes(path.read_bytes())  # new timestamp, same content
    load_tables(data_dir)
    assert len(calls) == 1
    path.write_text(path.read_text(encoding="utf-8").replace("Alna", "Bjerke"), encoding="utf-8")
    tables = load_tables(data_dir)
    assert len(calls) == 2
    assert tables["bydel_mapping"]["bydel"].tolist() == ["Bjerke"]
    monkeypatch.setenv(KEY_ENV, "another key")
    load_tables(data_dir)
    assert len(calls) == 3


def test_missing_column_stops_with_file_and_column(data_dir):
    (data_dir / "kommunale_utleieboliger.xlsx").unlink()
    (data_dir / "kommunale_utleieboliger.csv").write_text("dato;boliger\n01.01.2020;5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"kommunale_utleieboliger.csv: missing column 'antall'"):
        prepare(data_dir)


def test_missing_data_dir_is_a_user_error(tmp_path):
    with pytest.raises(PriosloError, match="data folder not found"):
        prepare(tmp_path / "nowhere")
    with pytest.raises(PriosloError, match="data folder not found"):
        load_tables(tmp_path / "nowhere")


def test_load_processed_without_prepare_is_a_user_error(tmp_path):
    with pytest.raises(PriosloError, match="run `prioslo prepare` first"):
        load_processed(tmp_path)


def test_cli_prepare_prints_the_summary(data_dir, capsys):
    assert cli.main(["prepare", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "opphold.csv: 6 rows in, 3 kept, 3 rejected" in out


def test_cli_prepare_missing_dir_exits_2_with_one_line(tmp_path, capsys):
    assert cli.main(["prepare", "--data-dir", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"prioslo: error: data folder not found: {tmp_path / 'nowhere'}"]


def test_empty_data_dir_is_a_user_error(tmp_path):
    with pytest.raises(PriosloError, match="no extract files"):
        prepare(tmp_path)


def test_header_only_extract_gives_an_empty_table(tmp_path):
    (tmp_path / "kommunale_utleieboliger.csv").write_text("dato;antall\n", encoding="utf-8")
    result = prepare(tmp_path)
    assert [(f.rows_in, f.kept, f.rejected) for f in result.files] == [(0, 0, 0)]
    rental = pd.read_parquet(tmp_path / "processed" / "rental_housing.parquet")
    assert list(rental.columns) == ["date", "period", "units"] and len(rental) == 0


def test_sentrum_and_marka_in_one_round_are_no_duplicates(tmp_path):
    lines = ["bydel;tidspunkt;antall;merknad",
             "Sentrum;2024-06;3;",          # 2 kept (Uoppgitt)
             "030117;2024-06;2;",           # 3 kept: Marka, another area of Uoppgitt
             "Bydel Sentrum;2024-06;4;",    # 4 rejected: Sentrum again, another count
             "030116;2024-06;3;",           # 5 rejected: exact duplicate of Sentrum's row
             "Alna;2024-06;3;",             # 6 kept
             ]
    (tmp_path / "samlokaliserte_boliger.csv").write_text("\n".join(lines), encoding="utf-8")
    prepare(tmp_path)
    table = pd.read_parquet(tmp_path / "processed" / "colocated_housing.parquet")
    assert table["bydel"].tolist() == ["Uoppgitt", "Uoppgitt", "Alna"]
    assert table["units"].tolist() == [3, 2, 3]
    rejected = pd.read_csv(tmp_path / "processed" / "rejected" / "samlokaliserte_boliger.csv", dtype=str)
    assert rejected["row"].tolist() == ["4", "5"]
    assert rejected["reason"].tolist() == [
        "duplicate bydel + tidspunkt 'Uoppgitt (Sentrum), 2024-06', first at row 2, different values",
        "exact duplicate of row 2",
    ]


def test_shifted_row_puts_no_person_number_into_the_rejected_file(tmp_path, people):
    c10 = people["C10"]  # Excel-stripped: 10 digits
    lines = ["svar_id;person;bydel;dato;svar",
             f"L1;;{c10};01.03.2023;4",        # person in the bydel column, person empty
             f"L2;{people['A']};Alna;01.03.2023;{people['B']}"]  # a person number as answer
    (tmp_path / "livskvalitet_bydel.csv").write_text("\n".join(lines), encoding="utf-8")
    result = prepare(tmp_path)
    assert [(f.rows_in, f.kept, f.rejected) for f in result.files] == [(2, 0, 2)]
    content = (tmp_path / "processed" / "rejected" / "livskvalitet_bydel.csv").read_text(encoding="utf-8")
    for number in people.values():
        assert number not in content
    assert "unknown bydel '[fjernet]'" in content
    assert "answer [fjernet] outside 1..7" in content
    assert c10 not in result.summary() and people["B"] not in result.summary()


def test_synthetic_status_is_decided_by_content_not_folder(tmp_path, fnr):
    """A data set whose person numbers are all synthetic test identities (month + 80) is synthetic
    wherever it lives; one real-form number (month 1-12) makes it real data."""
    from prioslo.prepare import is_synthetic, prepare

    header = "svar_id;person;bydel;dato;svar\n"
    synthetic = tmp_path / "synthetic"
    synthetic.mkdir()
    (synthetic / "livskvalitet_bydel.csv").write_text(
        header + f"1;{fnr.make(15, 3, 80)};Alna;01.03.2023;4\n", encoding="utf-8")
    prepare(synthetic)
    assert is_synthetic(synthetic) is True

    real = tmp_path / "real"
    real.mkdir()
    (real / "livskvalitet_bydel.csv").write_text(
        header + f"1;{fnr.make(15, 3, 80)};Alna;01.03.2023;4\n"
        f"2;{fnr.make(2, 6, 75, synthetic=False)};Alna;02.03.2023;5\n", encoding="utf-8")
    prepare(real)
    assert is_synthetic(real) is False


def test_load_tables_prepares_again_when_the_ingestion_code_changed(tmp_path, fnr):
    """Processed data made by other ingestion code are stale even if the inputs are unchanged."""
    import json

    from prioslo.prepare import load_tables, prepare

    data = tmp_path / "data"
    data.mkdir()
    (data / "livskvalitet_bydel.csv").write_text(
        "svar_id;person;bydel;dato;svar\n" f"1;{fnr.make(15, 3, 80)};Alna;01.03.2023;4\n", encoding="utf-8")
    prepare(data)
    manifest = data / "processed" / "manifest.json"
    record = json.loads(manifest.read_text(encoding="utf-8"))
    record["code"] = "made-by-older-code"
    manifest.write_text(json.dumps(record), encoding="utf-8")
    load_tables(data)
    assert json.loads(manifest.read_text(encoding="utf-8"))["code"] != "made-by-older-code"
