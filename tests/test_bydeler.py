"""Every bydel spelling and code of the data contract maps to the official name (prioslo.bydeler)."""

from __future__ import annotations

import pytest

from prioslo.bydeler import BYDEL_CODES, BYDELER, UNSPECIFIED, from_slug, normalise_bydel, slug

# Official names in code order, written out by hand from the contract (030101 .. 030115).
OFFICIAL = [
    "Gamle Oslo", "Grünerløkka", "Sagene", "St. Hanshaugen", "Frogner", "Ullern", "Vestre Aker",
    "Nordre Aker", "Bjerke", "Grorud", "Stovner", "Alna", "Østensjø", "Nordstrand", "Søndre Nordstrand",
]

# ASCII transliterations as municipal systems write them.
ASCII = {
    "Grunerlokka": "Grünerløkka", "Gruenerloekka": "Grünerløkka", "Grünerlökka": "Grünerløkka",
    "Ostensjo": "Østensjø", "Oestensjoe": "Østensjø", "Sondre Nordstrand": "Søndre Nordstrand",
    "Soendre Nordstrand": "Søndre Nordstrand", "St Hanshaugen": "St. Hanshaugen",
    "St.Hanshaugen": "St. Hanshaugen", "Sankt Hanshaugen": "St. Hanshaugen",
    "ST.HANSHAUGEN": "St. Hanshaugen", "bydel st. hanshaugen": "St. Hanshaugen",
}


def test_codes_are_the_contracts():
    assert list(BYDEL_CODES) == [f"0301{n:02d}" for n in range(1, 16)]
    assert list(BYDEL_CODES.values()) == OFFICIAL
    assert sorted(BYDELER) == sorted(OFFICIAL) and len(BYDELER) == 15


@pytest.mark.parametrize("number,name", list(enumerate(OFFICIAL, start=1)))
def test_every_name_and_code_spelling(number, name):
    spellings = [
        name, name.upper(), name.lower(), f"Bydel {name}", f"BYDEL {name.upper()}", f"  {name}  ",
        f"0301{number:02d}", str(number), f"{number:02d}", f"{number}.0",
    ]
    for spelling in spellings:
        assert normalise_bydel(spelling) == name, spelling


@pytest.mark.parametrize("spelling,name", list(ASCII.items()))
def test_ascii_transliterations(spelling, name):
    assert normalise_bydel(spelling) == name


@pytest.mark.parametrize("spelling", ["Sentrum", "Marka", "Uoppgitt", "Uten registrert adresse",
                                      "UTEN REGISTRERT ADRESSE", "030116", "030117", "030199", "Bydel Sentrum"])
def test_areas_that_are_no_bydel_are_unspecified(spelling):
    assert normalise_bydel(spelling) == UNSPECIFIED


@pytest.mark.parametrize("spelling", ["Bydel X", "Bærum", "16", "0", "030118", "", "   ", None, "Bydel"])
def test_unknown_values_give_none(spelling):
    assert normalise_bydel(spelling) is None


def test_slugs():
    assert slug("Søndre Nordstrand") == "sondre-nordstrand"
    assert slug("St. Hanshaugen") == "st-hanshaugen"
    assert slug("Grünerløkka") == "grunerlokka"
    assert slug("Østensjø") == "ostensjo"
    assert slug("Oslo") == "oslo"
    assert all(from_slug(slug(name)) == name for name in BYDELER)
    assert from_slug("marka") is None


def test_require_bydel_accepts_any_spelling_and_names_the_valid_ones():
    from prioslo.bydeler import require_bydel
    from prioslo.errors import PriosloError

    assert require_bydel("sondre-nordstrand") == "Søndre Nordstrand"
    assert require_bydel("GRUNERLOKKA") == "Grünerløkka"
    with pytest.raises(PriosloError, match="unknown bydel 'Atlantis'; valid names: Alna, Bjerke"):
        require_bydel("Atlantis")
