"""Oslo's 15 bydeler: official names, codes, report slugs, and normalisation of any spelling.

The municipal systems write a bydel in many ways (``Bydel Gamle Oslo``, ``GAMLE OSLO``,
``St.Hanshaugen``, ``Grunerlokka``, ``030101``, ``1``, ``01`` ...). Everything downstream uses the
official name only. ``Sentrum`` (030116), ``Marka`` (030117) and ``Uoppgitt`` / ``Uten registrert
adresse`` (030199) are not bydeler: their rows count in the Oslo totals under the group
:data:`UNSPECIFIED` and get no bydel report.
"""

from __future__ import annotations

import re
import unicodedata

UNSPECIFIED = "Uoppgitt"
"""Group for rows that belong to Oslo but to no bydel."""

OSLO = "Oslo"
"""Group name for the whole city."""

#: Official code -> official name, in code order.
BYDEL_CODES: dict[str, str] = {
    "030101": "Gamle Oslo",
    "030102": "Grünerløkka",
    "030103": "Sagene",
    "030104": "St. Hanshaugen",
    "030105": "Frogner",
    "030106": "Ullern",
    "030107": "Vestre Aker",
    "030108": "Nordre Aker",
    "030109": "Bjerke",
    "030110": "Grorud",
    "030111": "Stovner",
    "030112": "Alna",
    "030113": "Østensjø",
    "030114": "Nordstrand",
    "030115": "Søndre Nordstrand",
}

#: The 15 bydeler in the order the final report lists them (Norwegian alphabetical order).
BYDELER: tuple[str, ...] = (
    "Alna",
    "Bjerke",
    "Frogner",
    "Gamle Oslo",
    "Grorud",
    "Grünerløkka",
    "Nordre Aker",
    "Nordstrand",
    "Sagene",
    "St. Hanshaugen",
    "Stovner",
    "Søndre Nordstrand",
    "Ullern",
    "Vestre Aker",
    "Østensjø",
)

#: Codes of areas that belong to Oslo but are no bydel.
NON_BYDEL_CODES: dict[str, str] = {"030116": "Sentrum", "030117": "Marka", "030199": "Uoppgitt"}


def _key(text: str) -> str:
    """Reduce a spelling to a comparison key: lower case, ASCII, no punctuation or spaces."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    s = s.replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("ü", "u")
    s = s.replace("oe", "o").replace("aa", "a").replace("ue", "u")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^a-z0-9]", "", s)
    if s.startswith("bydel") and len(s) > len("bydel"):
        s = s[len("bydel"):]
    return s


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, name in BYDEL_CODES.items():
        number = int(code[-2:])
        for variant in (name, code, str(number), f"{number:02d}"):
            table[_key(variant)] = name
    for variant in ("Sankt Hanshaugen", "St Hanshaugen", "St.Hanshaugen"):
        table[_key(variant)] = "St. Hanshaugen"
    for code, name in NON_BYDEL_CODES.items():
        table[_key(code)] = UNSPECIFIED
        table[_key(name)] = UNSPECIFIED
    table[_key("Uten registrert adresse")] = UNSPECIFIED
    return table


_LOOKUP = _lookup()


def normalise_bydel(value: object) -> str | None:
    """Return the official bydel name for any common spelling or code, or ``None``.

    Parameters
    ----------
    value : object
        A bydel as written in an extract: a name in any common spelling or case, with or
        without the word ``Bydel``, or an official code (``030101``, ``1``, ``01``).

    Returns
    -------
    str or None
        The official name (``"Grünerløkka"``), :data:`UNSPECIFIED` for Sentrum, Marka and
        unregistered addresses, or ``None`` when the value cannot be mapped (the caller
        rejects the row).

    Examples
    --------
    >>> normalise_bydel("GRUNERLOKKA"), normalise_bydel("030104"), normalise_bydel("Marka")
    ('Grünerløkka', 'St. Hanshaugen', 'Uoppgitt')
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d+\.0", text):  # a code read from Excel as a float
        text = text[:-2]
    return _LOOKUP.get(_key(text))


def slug(name: str) -> str:
    """Return the output-folder slug of a bydel name (``"Søndre Nordstrand"`` -> ``"sondre-nordstrand"``).

    ``"Oslo"`` gives ``"oslo"``. The slug is ASCII, lower case, words joined by ``-``.
    """
    s = str(name).lower().replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("ü", "u")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def require_bydel(value: object) -> str:
    """Return the official name of a bydel given in any spelling or as a slug, or raise.

    For options and parameters a user types (``--bydel``, ``-p bydel``): an unknown name is a
    :class:`~prioslo.errors.PriosloError` listing the valid names (one clear line, no traceback).
    """
    from prioslo.errors import PriosloError

    name = value if value in BYDELER else from_slug(str(value).strip())
    if name is None:
        raise PriosloError(f"unknown bydel '{value}'; valid names: {', '.join(BYDELER)}")
    return name


def from_slug(value: str) -> str | None:
    """Return the bydel name for a slug or any spelling accepted by :func:`normalise_bydel`."""
    for name in BYDELER:
        if slug(name) == value:
            return name
    found = normalise_bydel(value)
    return found if found in BYDELER else None
