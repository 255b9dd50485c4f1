"""The real published aggregates hold the report's printed numbers (values typed from the report)."""

from __future__ import annotations

import csv

import pytest

from prioslo import bydeler, paths


def _read(name: str, folder=paths.RAW_DIR) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def test_tabell_4_totals_per_round():
    totals: dict[str, int] = {}
    for row in _read("samlokaliserte_boliger.csv"):
        totals[row["tidspunkt"]] = totals.get(row["tidspunkt"], 0) + int(row["antall"])
    assert totals == {"2020-02": 66, "2021-06": 73, "2022-06": 84, "2023-06": 83, "2024-06": 113}


def test_tabell_4_every_bydel_once_per_round_and_spot_values():
    cells: dict[tuple[str, str], int] = {}
    for row in _read("samlokaliserte_boliger.csv"):
        name = bydeler.normalise_bydel(row["bydel"])
        assert name in bydeler.BYDELER, row["bydel"]
        key = (name, row["tidspunkt"])
        assert key not in cells, key
        cells[key] = int(row["antall"])
    assert len(cells) == 15 * 5
    assert cells[("Grünerløkka", "2020-02")] == 20
    assert cells[("Sagene", "2021-06")] == 24 and cells[("Sagene", "2023-06")] == 0
    assert cells[("Bjerke", "2022-06")] == 22
    assert cells[("St. Hanshaugen", "2021-06")] == 28
    assert cells[("Stovner", "2023-06")] == 21 and cells[("Østensjø", "2023-06")] == 7
    assert cells[("Gamle Oslo", "2024-06")] == 30


def test_tabell_4_uses_municipal_spellings_and_remarks():
    rows = _read("samlokaliserte_boliger.csv")
    written = {r["bydel"] for r in rows}
    assert {"St.Hanshaugen", "030102"} <= written
    remarks = {(bydeler.normalise_bydel(r["bydel"]), r["tidspunkt"]) for r in rows if r["merknad"]}
    assert remarks == {("Grünerløkka", "2020-02"), ("Sagene", "2021-06"), ("Sagene", "2022-06"),
                       ("Bjerke", "2022-06"), ("Stovner", "2023-06"), ("Østensjø", "2023-06")}


def test_tabell_3_rental_homes():
    rows = [(r["dato"], int(r["antall"])) for r in _read("kommunale_utleieboliger.csv")]
    assert rows == [("01.01.2020", 11384), ("31.12.2020", 11502), ("31.12.2021", 11543),
                    ("31.12.2022", 11603), ("31.12.2023", 11873)]
    assert rows[-1][1] - rows[0][1] == 489  # «økt med 489 boenheter»


def test_institution_places():
    rows = _read("institusjonsplasser.csv")
    places = {(r["drift"], r["kategori"], int(r["aar"])): int(r["plasser"]) for r in rows}
    assert len(places) == len(rows)
    kommunal_2023 = sum(v for (op, _, year), v in places.items() if op == "kommunal" and year == 2023)
    ideell_2023 = sum(v for (op, _, year), v in places.items() if op == "ideell" and year == 2023)
    assert kommunal_2023 == 382 and ideell_2023 == 168
    assert places[("kommunal", "Akutt-, utrednings- og videreformidlingsenheter", 2023)] == 102
    assert places[("ideell", "Omsorgssentre", 2023)] == 80
    for year in range(2020, 2025):
        assert places[("kommunal", "Forsterket bo- og behandling", year)] == 28


def test_housing_need():
    rows = [(r["tidspunkt"], int(r["antall"])) for r in _read("boligbehov.csv")]
    assert rows == [("2020-11", 300), ("2022-11", 438)]


def test_reference_agrees_with_tabell_4():
    reference = _read("reference.csv", paths.PUBLISHED_DIR)
    tab4 = {(r["group"], r["period"]): float(r["value"]) for r in reference if r["source"] == "Tabell 4"}
    assert len(tab4) == 16 * 5
    for row in _read("samlokaliserte_boliger.csv"):
        assert tab4[(bydeler.normalise_bydel(row["bydel"]), row["tidspunkt"])] == int(row["antall"])
    assert [tab4[("Oslo", r)] for r in ("2020-02", "2021-06", "2022-06", "2023-06", "2024-06")] == \
        [66, 73, 84, 83, 113]


def test_reference_figur_2_headline_cells():
    reference = _read("reference.csv", paths.PUBLISHED_DIR)
    fig2 = {(r["group"], r["period"]): r["printed"] for r in reference if r["source"] == "Figur 2"}
    assert len(fig2) == 16 * 4
    assert [fig2[("Oslo", y)] for y in ("2021", "2022", "2023", "2024")] == ["4,1", "4,3", "4,1", "3,9"]
    assert fig2[("Ullern", "2024")] == "5,1" and fig2[("Sagene", "2024")] == "3,3"
    assert fig2[("Søndre Nordstrand", "2021")] == ""


@pytest.mark.parametrize("target, status", [
    ("lq_share_score1", "green"), ("lq_mean", "yellow"), ("reinforced_places", "red"),
    ("user_controlled_places", "green"), ("ten_plus_reduction", "green"), ("institution_share_score1", "green"),
    ("institution_mean", "yellow"), ("moves_increase", "yellow"), ("activity_houses", "green"),
    ("ambulant_services", "green"), ("shifted_effort", "green"), ("work_activity", "yellow"),
    ("oslo_standard", "green"), ("central_orderer", "green"), ("modular_housing", "green"),
    ("rental_housing", "green"),
])
def test_published_status(target, status):
    rows = {r["target_id"]: r for r in _read("published_status.csv", paths.PUBLISHED_DIR)}
    assert len(rows) == 16
    assert rows[target]["published_status"] == status
    assert rows[target]["source"].startswith("§")
