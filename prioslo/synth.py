"""Synthetic record-level sample extracts, calibrated to the PRIOslo final report.

The four record-level extracts of the data contract (``livskvalitet_bydel``,
``livskvalitet_institusjon``, ``opphold``, ``bydelskartlegging``) hold health data about real
people and can never be shipped. This module writes synthetic stand-ins so that a fresh clone can
build the whole report, and so that the test suite can check the pipeline end to end: prepared by
:mod:`prioslo.prepare` and computed by :func:`prioslo.indicators.compute_indicators`, the sample
reproduces every number the report prints that data can produce, at printed precision (see
``data/raw/published/reference.csv`` and :mod:`prioslo.reference`).

Why calibrated rather than random: a sample that only *looks* plausible cannot tell a correct
indicator from a subtly wrong one. Each printed number pins one quantity exactly (the 784 stays of
ten-plus persons, the 275 persons who moved home in 2023 ...), so an off-by-one in a definition
shows up as a failed reconciliation.

The calibration is data: the tables below (``LIFE_QUALITY_BYDEL``, ``INSTITUTION_LIFE_QUALITY``,
``STAYS``, ``TEN_PLUS_2023_BYDEL``, ``TEN_PLUS_2023_SEX_AGE``, ``MAPPING``) hold every target, and
the code only turns targets into rows. Values the report does not print (earlier years, other
bydeler, the spread of answers) are plausible choices and say so.

The files look like a Norwegian Excel export: ``;`` separated, UTF-8 with a byte-order mark,
dates ``dd.mm.yyyy``, bydeler spelled the many ways municipal systems spell them. A handful of
deliberately flawed rows (:data:`FLAWED_ROWS`) must be rejected by ingestion; the calibration
holds with them rejected.

Persons carry synthetic fødselsnummer of Norway's test registry (month + 80), with valid check
digits, an individual number that matches the century of birth and a 9th digit that matches the
sex: they can never be a real person's number. A few use the D-nummer form (day + 40).

Determinism: one :class:`numpy.random.Generator` seeded with ``seed`` drives every choice, rows
are sorted before ids are given, nothing depends on time or on hash order, so the same seed gives
byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
from stdnum.no import fodselsnummer

from prioslo import bydeler, paths, schema

log = logging.getLogger(__name__)

DEFAULT_SEED = 2024
"""Seed of the shipped sample (``data/raw``)."""

ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark, as Excel's «CSV UTF-8» export writes it."""

SEPARATOR = ";"

SYNTHETIC_MONTH_OFFSET = 80
"""Norway's synthetic test identities (Tenor) add 80 to the month of birth."""

D_NUMBER_DAY_OFFSET = 40
"""A D-nummer adds 40 to the day of birth."""

# --------------------------------------------------------------------------------------------
# Calibration tables. Columns are separated by «|»; «;» and «,» keep their Norwegian meaning.
# --------------------------------------------------------------------------------------------

LIFE_QUALITY_BYDEL = """
year | bydel             | answers | mean | score1 | declined
2021 | Alna              |      45 | 3,9  |      3 |        0
2021 | Bjerke            |      52 | 4,2  |      3 |        0
2021 | Frogner           |      30 | 3,8  |      2 |        0
2021 | Gamle Oslo        |     105 | 4,3  |      5 |        0
2021 | Grorud            |      45 | 4,3  |      2 |        0
2021 | Grünerløkka       |      88 | 4,2  |      5 |        0
2021 | Nordstrand        |      30 | 4,0  |      2 |        0
2021 | Sagene            |      55 | 3,6  |      5 |        0
2021 | St. Hanshaugen    |      60 | 4,2  |      3 |        0
2021 | Stovner           |      50 | 4,5  |      2 |        0
2021 | Vestre Aker       |      25 | 3,7  |      2 |        0
2021 | Østensjø          |      35 | 3,8  |      2 |        0
2022 | Alna              |      55 | 4,2  |      3 |        2
2022 | Bjerke            |      60 | 4,1  |      4 |        3
2022 | Frogner           |      25 | 5,0  |      0 |        1
2022 | Gamle Oslo        |     130 | 4,6  |      5 |        4
2022 | Grorud            |      45 | 4,0  |      3 |        2
2022 | Grünerløkka       |      60 | 3,7  |      5 |        3
2022 | Nordre Aker       |      40 | 4,5  |      1 |        1
2022 | Nordstrand        |      35 | 4,2  |      2 |        2
2022 | Sagene            |      65 | 4,1  |      4 |        3
2022 | St. Hanshaugen    |      70 | 4,2  |      4 |        2
2022 | Stovner           |      40 | 4,2  |      2 |        1
2022 | Ullern            |     110 | 4,4  |      4 |        2
2023 | Alna              |      60 | 4,1  |      4 |        3
2023 | Bjerke            |      65 | 4,3  |      3 |        2
2023 | Frogner           |      30 | 4,0  |      2 |        2
2023 | Gamle Oslo        |     115 | 4,1  |      8 |        5
2023 | Grorud            |      50 | 4,3  |      3 |        2
2023 | Grünerløkka       |     110 | 4,1  |      8 |        5
2023 | Nordre Aker       |      40 | 4,2  |      2 |        2
2023 | Nordstrand        |      45 | 3,5  |      5 |        3
2023 | Sagene            |      95 | 3,6  |      9 |        4
2023 | St. Hanshaugen    |      75 | 4,1  |      5 |        3
2023 | Stovner           |      35 | 3,4  |      4 |        2
2023 | Ullern            |     120 | 4,8  |      2 |        3
2023 | Østensjø          |      50 | 4,2  |      3 |        2
2024 | Alna              |      65 | 4,0  |      4 |        3
2024 | Bjerke            |      75 | 3,6  |      6 |        4
2024 | Frogner           |      50 | 4,0  |      3 |        2
2024 | Gamle Oslo        |     118 | 4,1  |      7 |        7
2024 | Grorud            |     105 | 3,4  |     11 |        5
2024 | Grünerløkka       |     121 | 3,7  |      9 |        7
2024 | Nordre Aker       |      96 | 3,4  |      9 |        4
2024 | Nordstrand        |      29 | 3,6  |      3 |        2
2024 | Sagene            |     100 | 3,3  |     12 |        5
2024 | St. Hanshaugen    |      62 | 4,1  |      4 |        3
2024 | Søndre Nordstrand |      62 | 3,7  |      5 |        3
2024 | Stovner           |      19 | 3,5  |      2 |        1
2024 | Ullern            |     139 | 5,1  |      1 |        7
2024 | Vestre Aker       |      23 | 3,5  |      2 |        1
2024 | Østensjø          |      60 | 4,2  |      3 |        3
"""
"""Bydel life-quality answers per bydel and year (Figur 2, §3.1).

``mean`` is Figur 2's cell; the sum of the answers is ``mean × answers`` rounded to a whole number
(half up), which lands at most 0.5/answers from the printed mean and never on a rounding
boundary. A bydel and year not listed has no rows: Figur 2's blank cells. Printed: every mean, the
2024 answer counts of Nordstrand, Stovner, Vestre Aker, Ullern, Gamle Oslo and Grünerløkka (29, 19,
23, 139, 118, 121), the 2024 totals (1 124 answers, 81 answers of 1, 57 declines) and the Oslo means
over all answers (4,1 / 4,3 / 4,1 / 3,9), which the answer counts are chosen to give. Not printed,
plausible: every other count, the score-1 answers and declines before 2024. Declining was possible
from 2022. The unweighted mean of the 2024 bydel means is 3,8, not 3,9: the Oslo figure weighs
each answer, not each bydel.
"""

INSTITUTION_LIFE_QUALITY = """
year | drift    | kategori                                        | completed | answers | score_sum | score1 | beboere
2022 | kommunal | Akutt-, utrednings- og videreformidlingsenheter |       240 |     120 |       362 |     10 |     210
2022 | kommunal | Mestringsenheter                                |        80 |      70 |       214 |      6 |      55
2022 | kommunal | Omsorgssentre                                   |        30 |      22 |        78 |      1 |      28
2022 | kommunal | Omsorgssenter rusfri                            |        20 |      18 |        63 |      1 |      18
2022 | kommunal | Ressurssentre                                   |        30 |      28 |        83 |      3 |      28
2022 | kommunal | Forsterket bo- og behandling                    |        14 |      12 |        38 |      1 |      14
2022 | ideell   | Utredning og videreformidling, aktiv rus        |        26 |      26 |        92 |      1 |      24
2022 | ideell   | Utredning og videreformidling, rusfri           |        12 |      12 |        36 |      1 |      12
2022 | ideell   | Omsorgssentre                                   |       160 |     160 |       515 |      6 |      78
2022 | ideell   | Ressurssentre                                   |       110 |     110 |       385 |      3 |      60
2023 | kommunal | Akutt-, utrednings- og videreformidlingsenheter |       225 |     106 |       321 |      9 |     200
2023 | kommunal | Mestringsenheter                                |        76 |      65 |       201 |      5 |      52
2023 | kommunal | Omsorgssentre                                   |        34 |      23 |        85 |      1 |      32
2023 | kommunal | Omsorgssenter rusfri                            |        22 |      21 |        76 |      1 |      20
2023 | kommunal | Ressurssentre                                   |        27 |      27 |        77 |      4 |      27
2023 | kommunal | Forsterket bo- og behandling                    |        15 |      14 |        46 |      2 |      15
2023 | ideell   | Utredning og videreformidling, aktiv rus        |        30 |      30 |       110 |      1 |      27
2023 | ideell   | Utredning og videreformidling, rusfri           |        10 |      10 |        29 |      1 |      10
2023 | ideell   | Omsorgssentre                                   |       178 |     178 |       586 |      5 |      80
2023 | ideell   | Ressurssentre                                   |       124 |     124 |       440 |      3 |      64
2024 | kommunal | Akutt-, utrednings- og videreformidlingsenheter |       250 |     130 |       403 |      9 |     220
2024 | kommunal | Mestringsenheter                                |        85 |      72 |       227 |      5 |      58
2024 | kommunal | Omsorgssentre                                   |        36 |      28 |       104 |      1 |      33
2024 | kommunal | Omsorgssenter rusfri                            |        22 |      20 |        73 |      1 |      20
2024 | kommunal | Ressurssentre                                   |        30 |      29 |        86 |      3 |      29
2024 | kommunal | Forsterket bo- og behandling                    |        16 |      15 |        50 |      1 |      15
2024 | ideell   | Utredning og videreformidling, aktiv rus        |        32 |      32 |       118 |      1 |      29
2024 | ideell   | Utredning og videreformidling, rusfri           |        12 |      12 |        37 |      1 |      11
2024 | ideell   | Omsorgssentre                                   |       182 |     182 |       605 |      5 |      82
2024 | ideell   | Ressurssentre                                   |       130 |     130 |       467 |      3 |      66
"""
"""Institution life-quality surveys per operator, category and year (Figur 4 and 5, §3.2.4).

``completed`` rows are written, ``answers`` of them carry an answer (the rest left the question
blank), the answers sum to ``score_sum`` and ``score1`` of them are 1; ``beboere`` distinct
residents completed them. 2023 reproduces Figur 4 and 5: kommunal 399 completed / 256 answered,
ideell 342 answers from 181 residents, 22 and 10 answers of 1. Sums are the nearest whole numbers
to the printed means except where no sum can give the printed mean (Omsorgssentre 85/23 = 3,70 for
3,69; Omsorgssenter rusfri 76/21 = 3,62 for 3,61; Forsterket 46/14 = 3,29 for 3,28; aktiv rus
110/30 = 3,67 for 3,66) and where the totals force a choice: the kommunal 3,15 needs 806 over 256,
so Akutt is 321/106 = 3,03 (printed 3,02), and the ideell 3,41 needs Omsorgssentre 586/178. 2022
and 2024 are plausible, not published.
"""

STAYS = """
year | admitted_persons | admissions | ten_plus_persons | ten_plus_stays | movers | moves | stdf_movers | stdf_moves | ten_plus_violence_persons | ten_plus_violence | other_violence_persons | other_violence
2015 |             1180 |       3520 |               88 |           1190 |    231 |   318 |          70 |        140 |                        50 |               170 |                     45 |             55
2016 |             1175 |       3490 |               85 |           1150 |    240 |   330 |          72 |        142 |                        48 |               160 |                     45 |             56
2017 |             1170 |       3460 |               81 |           1100 |    248 |   342 |          75 |        148 |                        47 |               158 |                     46 |             57
2018 |             1165 |       3440 |               77 |           1045 |    259 |   356 |          77 |        152 |                        44 |               150 |                     47 |             58
2019 |             1160 |       3420 |               72 |            980 |    268 |   370 |          79 |        158 |                        42 |               142 |                     48 |             60
2020 |             1150 |       3380 |               66 |            890 |    282 |   392 |          80 |        160 |                        40 |               135 |                     50 |             62
2021 |             1150 |       3350 |               57 |            770 |    338 |   470 |          98 |        196 |                        35 |               118 |                     52 |             64
2022 |             1140 |       3390 |               48 |            650 |    282 |   395 |          83 |        165 |                        30 |               104 |                     50 |             63
2023 |             1150 |       3409 |               58 |            784 |    275 |   388 |          82 |        168 |                        36 |               127 |                     52 |             66
2024 |             1160 |       3430 |               52 |            700 |    280 |   392 |          84 |        170 |                        33 |               112 |                     53 |             67
"""
"""Stays (opphold) per year of admission (§3.2.3 Figur 3, §3.3.1 Figur 6).

``admitted_persons`` short-stay persons are admitted in the year, ``admissions`` stays are admitted
in all (including the long stays of :data:`LONG_STAYS`). ``ten_plus_persons`` of them have 10 or
more admissions, ``ten_plus_stays`` in all. ``movers`` persons are discharged to own home
``moves`` times, of whom ``stdf_movers`` persons ``stdf_moves`` times from a short-term drug-free
category (:data:`prioslo.schema.SHORT_TERM_DRUG_FREE`) and the others only from other categories.
Immediate discharges for violence: ``ten_plus_violence`` stays of ``ten_plus_violence_persons``
ten-plus persons and ``other_violence`` stays of ``other_violence_persons`` others. Every short
stay ends in the year it starts, so a discharge counts in the year of its admission.

Printed: ten-plus persons 66 (2020), 48 (2022), 58 (2023), fewer than 2015-2019; in 2023 784 stays,
23 % of admissions (3 337-3 484 admissions round to 23 %), 5 % of residents (1 055-1 288 residents),
36 persons with 127 violence discharges; persons moving home 282, 338 (+20 %), 282, 275 in
2020-2023, 388 moves in 2023 of which 168 by 82 persons from short-term drug-free stays. Every
other number is plausible, following Figur 3's and Figur 6's trends.
"""

LONG_STAYS = """
year | admissions
2015 |         12
2016 |         12
2017 |         12
2018 |         12
2019 |         12
2020 |         12
2021 |         12
2022 |         12
2023 |         12
2024 |         12
"""
"""Long stays (omsorgssentre, ressurssentre, forsterket bo- og behandling) admitted per year.

They last from half a year to four years, so they span years (residents with no admission in a
year), and some are still open at the end of 2024. None is admitted before 2015: the issue asks for
stays covering 2015-2024, and the indicators report every year the extract holds admissions in. Plausible,
not published. They end in a planned discharge or a death, never in a move to own home or a
discharge for violence, so the calibrated counts above stay exact.
"""

TEN_PLUS_2023_BYDEL = """
bydel             | persons
Alna              |       5
Bjerke            |       3
Frogner           |       2
Gamle Oslo        |       9
Grorud            |       4
Grünerløkka       |       9
Nordre Aker       |       1
Nordstrand        |       2
Sagene            |       6
St. Hanshaugen    |       5
Stovner           |       4
Søndre Nordstrand |       3
Ullern            |       0
Vestre Aker       |       0
Østensjø          |       3
Uoppgitt          |       2
"""
"""Bydel of the 58 ten-plus persons of 2023 (§3.2.3): two bydeler with none, two with nine, the
other eleven between one and six; two persons have no registered bydel. A person's bydel is the
bydel of their latest admission in 2023; one of them has most of the year's admissions from
another bydel (Gamle Oslo) and only the latest ones from their own (Sagene)."""

TEN_PLUS_2023_SEX_AGE = """
kjonn | age_low | age_high | persons
K     |      19 |       24 |       1
K     |      25 |       54 |      13
M     |      19 |       24 |       2
M     |      25 |       54 |      37
M     |      55 |       66 |       5
"""
"""Sex and age (2023 − fodselsar) of the 58 ten-plus persons of 2023 (§3.2.3): 14 women and 44
men; one woman and two men under 25, five men 55-69, the others 25-54."""

MAPPING = """
bydel             | aktivitetshus | ambulant_team | rusfact | fact    | dreid_innsats | oslostandard | arbeid | oppfolging
Alna              | 2021-06       | 2020-02       | -       | 2020-02 | 2020-02       | 2022-06      | nnjjj  | NSSSS
Bjerke            | 2021-06       | 2020-02       | -       | 2020-02 | 2020-02       | 2023-06      | nnjjj  | SSSSS
Frogner           | 2021-06       | 2021-06       | -       | 2022-06 | 2021-06       | 2024-06      | npppp  | NNSSS
Gamle Oslo        | 2023-06       | 2020-02       | 2020-02 | 2020-02 | 2020-02       | 2020-02      | jjjjj  | XXXXX
Grorud            | 2020-02       | 2020-02       | -       | 2020-02 | 2020-02       | 2022-06      | pnjjj  | NSSSS
Grünerløkka       | 2022-06       | 2020-02       | 2020-02 | -       | 2020-02       | 2021-06      | pjjjj  | SSSSS
Nordre Aker       | 2022-06       | 2021-06       | -       | 2021-06 | 2021-06       | 2023-06      | nnnpp  | NNNSS
Nordstrand        | 2023-06       | 2020-02       | -       | 2020-02 | 2021-06       | 2022-06      | nnnpj  | LSSSS
Sagene            | 2020-02       | 2020-02       | 2021-06 | -       | 2020-02       | 2021-06      | jjjjj  | NSSSX
St. Hanshaugen    | 2020-02       | 2020-02       | 2021-06 | -       | 2020-02       | 2020-02      | pjjjj  | XXXXX
Stovner           | 2020-02       | 2020-02       | -       | 2020-02 | 2020-02       | 2021-06      | njjjj  | SSSSS
Søndre Nordstrand | 2023-06       | 2020-02       | 2021-06 | 2021-06 | 2020-02       | 2023-06      | npppj  | LNNSS
Ullern            | 2021-06       | 2022-06       | -       | 2023-06 | 2021-06       | 2024-06      | nnppp  | LNNNS
Vestre Aker       | 2021-06       | 2023-06       | -       | -       | 2021-06       | 2022-06      | nnnnn  | NLNNN
Østensjø          | 2023-06       | 2021-06       | -       | 2020-02 | 2021-06       | 2023-06      | nnppp  | NNSSS
"""
"""The bydel mapping survey (§3.3.2-§3.3.6), one row per bydel.

Services: the first round the bydel answers ``ja`` (``-`` = never); a service once established
stays. ``arbeid``: the work/activity offer in the five rounds 2020-02, 2021-06, 2022-06, 2023-06,
2024-06 (``j`` ja, ``p`` planlagt, ``n`` nei). ``oppfolging``: follow-up in own home per round
(``X`` svært stor grad, ``S`` stor grad, ``N`` noen grad, ``L`` liten grad, ``Z`` svært liten grad).

Printed: activity houses in all 15 bydeler (2023, 2024; the opening dates of §3.3.2 decide the
earlier rounds), ambulant teams in all 15 (2023, 2024), RusFACT 2 in 2020 and 5 from 2021, FACT
11 in 2024, shifted effort 9 in 2020 and all 15 from 2021, the Oslo standard in all 15 in 2024,
work/activity offers 2, 5, 8, 8, 10 with 4 planned in 2024, follow-up in (very) large degree 5,
9, 11, 13, 14 with one bydel «noen grad» and none small in 2024. The rest is plausible.
"""

ROUNDS: tuple[str, ...] = ("2020-02", "2021-06", "2022-06", "2023-06", "2024-06")
"""The mapping rounds of §3.3 (February 2020, then June each year)."""

FOLLOWUP_CODES = {"X": "svært stor grad", "S": "stor grad", "N": "noen grad", "L": "liten grad",
                  "Z": "svært liten grad"}
WORK_CODES = {"j": "ja", "p": "planlagt", "n": "nei"}

FLAWED_ROWS: tuple[str, ...] = (
    "livskvalitet_bydel: bydel «Lambertseter» (a neighbourhood, not a bydel)",
    "livskvalitet_bydel: svar 8 on the 1-7 scale",
    "livskvalitet_institusjon: svar 6 on the 1-5 scale",
    "livskvalitet_institusjon: kategori «Forsterket bo- og behandling» with drift «ideell»",
    "opphold: utskrevet before innskrevet",
    "opphold: a fødselsnummer with a wrong check digit",
    "opphold: innskrevet «31.11.2023», a date that does not exist",
    "bydelskartlegging: Alna reported twice in round 2024-06 (the later row is a duplicate)",
)
"""The deliberately flawed rows, one line each; ingestion must reject every one of them."""

#: Fictional institutions per (operator, category); names are made up, not real institutions.
INSTITUTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("kommunal", "Akutt-, utrednings- og videreformidlingsenheter"): (
        "Akuttenhet Sentrum", "Akuttenhet Øst", "Utredningsenhet Vest"),
    ("kommunal", "Mestringsenheter"): ("Mestringsenhet Nord", "Mestringsenhet Sør", "Mestringsenhet Unge voksne"),
    ("kommunal", "Omsorgssentre"): ("Omsorgssenter Øst", "Omsorgssenter Vest"),
    ("kommunal", "Omsorgssenter rusfri"): ("Rusfritt omsorgssenter Nord",),
    ("kommunal", "Ressurssentre"): ("Ressurssenter Nord", "Ressurssenter Øst"),
    ("kommunal", "Forsterket bo- og behandling"): ("Forsterket bo- og behandlingsenhet Sentrum",),
    ("ideell", "Utredning og videreformidling, aktiv rus"): ("Utredningshuset Kilden",),
    ("ideell", "Utredning og videreformidling, rusfri"): ("Utredningshuset Brobygg",),
    ("ideell", "Omsorgssentre"): ("Omsorgshjemmet Lindetun", "Omsorgshjemmet Furulund"),
    ("ideell", "Ressurssentre"): ("Ressurshuset Solgløtt", "Ressurshuset Granly"),
}

#: Stay length in days (low, high) by category; a stay is drawn log-uniformly in the range.
STAY_DAYS: dict[str, tuple[int, int]] = {
    "Akutt-, utrednings- og videreformidlingsenheter": (1, 21),
    "Mestringsenheter": (14, 120),
    "Omsorgssentre": (20, 240),
    "Omsorgssenter rusfri": (20, 180),
    "Ressurssentre": (30, 200),
    "Forsterket bo- og behandling": (60, 300),
    "Utredning og videreformidling, aktiv rus": (3, 30),
    "Utredning og videreformidling, rusfri": (14, 90),
}

#: Category weights of ordinary short stays: (operator, category, weight).
SHORT_STAY_MIX: tuple[tuple[str, str, float], ...] = (
    ("kommunal", "Akutt-, utrednings- og videreformidlingsenheter", 0.42),
    ("kommunal", "Mestringsenheter", 0.14),
    ("kommunal", "Omsorgssentre", 0.06),
    ("kommunal", "Omsorgssenter rusfri", 0.03),
    ("kommunal", "Ressurssentre", 0.06),
    ("ideell", "Utredning og videreformidling, aktiv rus", 0.10),
    ("ideell", "Utredning og videreformidling, rusfri", 0.06),
    ("ideell", "Omsorgssentre", 0.07),
    ("ideell", "Ressurssentre", 0.06),
)
#: Ten-plus persons mostly cycle through the acute units.
TEN_PLUS_MIX: tuple[tuple[str, str, float], ...] = (
    ("kommunal", "Akutt-, utrednings- og videreformidlingsenheter", 0.72),
    ("ideell", "Utredning og videreformidling, aktiv rus", 0.16),
    ("kommunal", "Mestringsenheter", 0.08),
    ("kommunal", "Omsorgssentre", 0.04),
)
#: Stays that end in a move to own home, from a short-term drug-free category ...
STDF_MOVE_MIX: tuple[tuple[str, str, float], ...] = (
    ("kommunal", "Mestringsenheter", 0.7),
    ("ideell", "Utredning og videreformidling, rusfri", 0.3),
)
#: ... and from the other categories.
OTHER_MOVE_MIX: tuple[tuple[str, str, float], ...] = (
    ("kommunal", "Akutt-, utrednings- og videreformidlingsenheter", 0.22),
    ("kommunal", "Omsorgssentre", 0.14),
    ("kommunal", "Omsorgssenter rusfri", 0.12),
    ("kommunal", "Ressurssentre", 0.20),
    ("ideell", "Omsorgssentre", 0.12),
    ("ideell", "Ressurssentre", 0.16),
    ("ideell", "Utredning og videreformidling, aktiv rus", 0.04),
)
LONG_STAY_MIX: tuple[tuple[str, str, float], ...] = (
    ("kommunal", "Omsorgssentre", 0.35),
    ("ideell", "Omsorgssentre", 0.25),
    ("kommunal", "Forsterket bo- og behandling", 0.25),
    ("kommunal", "Ressurssentre", 0.15),
)

#: Ordinary discharges: (utskrivningsarsak, weight, possible utskrevet_til). Never «Egen bolig».
ORDINARY_DISCHARGES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("Planlagt utskrivning", 0.42, ("Annen institusjon", "Samlokalisert bolig med personalbase",
                                    "Midlertidig botilbud", "Familie eller venner", "Sykehus")),
    ("Avbrutt av beboer", 0.30, ("Ukjent", "Midlertidig botilbud", "Familie eller venner")),
    ("Overført til annen institusjon", 0.22, ("Annen institusjon",)),
    ("Utskrevet – brudd på husreglene", 0.06, ("Annen institusjon", "Ukjent")),
)
LONG_STAY_DISCHARGES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("Planlagt utskrivning", 0.8, ("Sykehjem", "Samlokalisert bolig med personalbase", "Annen institusjon")),
    ("Død", 0.2, ("",)),
)

#: Where short-stay persons are registered (weights; the east and inner city dominate).
BYDEL_WEIGHTS: dict[str, float] = {
    "Alna": 8, "Bjerke": 6, "Frogner": 5, "Gamle Oslo": 12, "Grorud": 6, "Grünerløkka": 11,
    "Nordre Aker": 4, "Nordstrand": 4, "Sagene": 8, "St. Hanshaugen": 7, "Stovner": 6,
    "Søndre Nordstrand": 6, "Ullern": 2, "Vestre Aker": 2, "Østensjø": 5, bydeler.UNSPECIFIED: 4,
}

#: How municipal systems write a bydel: share of rows written officially, «Bydel X», as the
#: code, in capitals, without Norwegian letters.
SPELLING_WEIGHTS = {"official": 0.88, "bydel": 0.05, "code": 0.03, "upper": 0.02, "ascii": 0.02}
UNSPECIFIED_SPELLINGS = ("Uoppgitt", "Uten registrert adresse", "030199", "Sentrum")

LAST_YEAR = 2024


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def _table(text: str) -> list[dict[str, str]]:
    """Parse a «|»-separated calibration table into a list of row dicts (values stripped)."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    header = [h.strip() for h in lines[0].split("|")]
    return [dict(zip(header, (v.strip() for v in line.split("|")))) for line in lines[1:]]


def _half_up(value: float | Decimal, decimals: int = 0) -> Decimal:
    """Round half up (as the report rounds), not Python's round-half-even."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _norwegian_number(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _fmt_date(day: dt.date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def _pick(rng: np.random.Generator, mix: tuple[tuple[str, str, float], ...]) -> tuple[str, str]:
    weights = np.array([w for _, _, w in mix])
    i = int(rng.choice(len(mix), p=weights / weights.sum()))
    return mix[i][0], mix[i][1]


def _discharge(rng: np.random.Generator, table) -> tuple[str, str]:
    weights = np.array([w for _, w, _ in table])
    reason, _, places = table[int(rng.choice(len(table), p=weights / weights.sum()))]
    return reason, places[int(rng.integers(len(places)))]


def _spread(rng: np.random.Generator, total: int, n: int, low: int, high: np.ndarray | int) -> np.ndarray:
    """Split ``total`` into ``n`` whole parts, each within ``[low, high]``, at random."""
    high = np.broadcast_to(np.asarray(high), (n,)).copy()
    parts = np.full(n, low, dtype=int)
    rest = total - parts.sum()
    if rest < 0 or rest > (high - parts).sum():
        raise ValueError(f"cannot split {total} into {n} parts within [{low}, {high.max()}]")
    while rest > 0:
        open_ = np.flatnonzero(parts < high)
        take = rng.choice(open_, size=min(rest, open_.size), replace=False)
        parts[take] += 1
        rest -= take.size
    return parts


def _adjust(rng: np.random.Generator, values: np.ndarray, total: int, low: np.ndarray, high: int) -> np.ndarray:
    """Nudge whole ``values`` by ±1 at random until they sum to ``total``, within bounds."""
    values = values.copy()
    diff = int(total - values.sum())
    while diff != 0:
        movable = np.flatnonzero(values < high) if diff > 0 else np.flatnonzero(values > low)
        if movable.size == 0:
            raise ValueError(f"cannot reach a total of {total}")
        take = rng.choice(movable, size=min(abs(diff), movable.size), replace=False)
        values[take] += 1 if diff > 0 else -1
        diff -= int(np.sign(diff)) * take.size
    return values


def _scores(rng: np.random.Generator, n: int, total: int, ones: int, high: int) -> list[int]:
    """``n`` answers on the scale 1..``high`` summing to ``total`` with exactly ``ones`` answers of 1."""
    rest = n - ones
    target = total - ones
    if rest == 0:
        if target != 0:
            raise ValueError("answers of 1 only, but the sum says otherwise")
        return [1] * ones
    if not 2 * rest <= target <= high * rest:
        raise ValueError(f"{n} answers cannot sum to {total} with {ones} answers of 1")
    start = np.clip(np.rint(rng.normal(target / rest, 1.1, size=rest)), 2, high).astype(int)
    others = _adjust(rng, start, target, np.full(rest, 2), high)
    answers = [1] * ones + others.tolist()
    rng.shuffle(answers)
    return answers


def spell_bydel(rng: np.random.Generator, name: str) -> str:
    """Write a bydel the way one of the municipal systems might (official, «Bydel X», code ...).

    Every spelling is one that :func:`prioslo.bydeler.normalise_bydel` maps back to ``name``.
    """
    if name == bydeler.UNSPECIFIED:
        return UNSPECIFIED_SPELLINGS[int(rng.integers(len(UNSPECIFIED_SPELLINGS)))]
    kinds = list(SPELLING_WEIGHTS)
    weights = np.array(list(SPELLING_WEIGHTS.values()))
    kind = kinds[int(rng.choice(len(kinds), p=weights / weights.sum()))]
    if kind == "bydel":
        return f"Bydel {name}"
    if kind == "code":
        return next(code for code, official in bydeler.BYDEL_CODES.items() if official == name)
    if kind == "upper":
        return name.upper()
    if kind == "ascii":
        plain = name.replace("ø", "o").replace("Ø", "O").replace("ü", "u").replace("å", "a")
        return plain.replace(". ", ".") if name == "St. Hanshaugen" else plain
    return name


# --------------------------------------------------------------------------------------------
# Synthetic fødselsnummer
# --------------------------------------------------------------------------------------------

def synthetic_fodselsnummer(rng: np.random.Generator, birth_year: int, sex: str, d_number: bool = False,
                            taken: set[str] | None = None) -> str:
    """Return a synthetic fødselsnummer (month + 80) for a person born in ``birth_year``.

    The number has valid mod-11 check digits, an individual number in the range that encodes the
    century of birth (000-499 for 1900-1999, 500-999 for 2000-2039), and a 9th digit that is odd
    for a man (``M``) and even for a woman (``K``), as in real numbers. Adding 80 to the month marks
    it as a synthetic test identity, which no real person has. ``d_number`` adds 40 to the day
    (the D-nummer form). A number already in ``taken`` is never returned; the new one is added.
    """
    if not 1900 <= birth_year <= 2039:
        raise ValueError(f"no individual-number range for birth year {birth_year}")
    low, high = (0, 500) if birth_year < 2000 else (500, 1000)
    while True:
        day = dt.date(birth_year, 1, 1) + dt.timedelta(days=int(rng.integers(365)))
        individual = int(rng.integers(low, high))
        if (individual % 2 == 1) != (sex == "M"):
            individual += 1 if individual + 1 < high else -1
        dd = day.day + (D_NUMBER_DAY_OFFSET if d_number else 0)
        base = f"{dd:02d}{day.month + SYNTHETIC_MONTH_OFFSET:02d}{birth_year % 100:02d}{individual:03d}"
        k1 = fodselsnummer.calc_check_digit1(base)
        if len(k1) != 1:
            continue
        k2 = fodselsnummer.calc_check_digit2(base + k1)
        if len(k2) != 1:
            continue
        number = base + k1 + k2
        if taken is not None:
            if number in taken:
                continue
            taken.add(number)
        return number


def is_synthetic_fodselsnummer(number: str) -> bool:
    """True for an 11-digit number with valid check digits and a month + 80 (a synthetic identity)."""
    if len(number) != 11 or not number.isdigit():
        return False
    if number[9] != fodselsnummer.calc_check_digit1(number[:9]):
        return False
    if number[10] != fodselsnummer.calc_check_digit2(number[:10]):
        return False
    day, month = int(number[:2]), int(number[2:4])
    day -= D_NUMBER_DAY_OFFSET if day > D_NUMBER_DAY_OFFSET else 0
    return SYNTHETIC_MONTH_OFFSET < month <= SYNTHETIC_MONTH_OFFSET + 12 and 1 <= day <= 31


# --------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------

@dataclass
class _Person:
    number: str
    sex: str
    birth_year: int
    bydel: str


@dataclass
class _People:
    """Every synthetic person of one sample, so that no fødselsnummer is used twice."""

    rng: np.random.Generator
    taken: set[str] = field(default_factory=set)
    people: list[_Person] = field(default_factory=list)

    def new(self, birth_year: int, sex: str | None = None, bydel: str | None = None) -> int:
        rng = self.rng
        if sex is None:
            sex = "M" if rng.random() < 0.72 else "K"
        if bydel is None:
            names = list(BYDEL_WEIGHTS)
            weights = np.array(list(BYDEL_WEIGHTS.values()))
            bydel = names[int(rng.choice(len(names), p=weights / weights.sum()))]
        d_number = bool(rng.random() < 0.02)
        number = synthetic_fodselsnummer(rng, birth_year, sex, d_number, self.taken)
        self.people.append(_Person(number, sex, birth_year, bydel))
        return len(self.people) - 1

    def new_adult(self, year: int, sex: str | None = None, age: tuple[int, int] | None = None) -> int:
        """A new person aged 18-70 in ``year`` (or within ``age``), mostly 25-50."""
        if age is None:
            years = int(np.clip(np.rint(self.rng.normal(38, 11)), 18, 70))
        else:
            years = int(self.rng.integers(age[0], age[1] + 1))
        return self.new(year - years, sex)


# --------------------------------------------------------------------------------------------
# livskvalitet_bydel
# --------------------------------------------------------------------------------------------

def _random_day(rng: np.random.Generator, year: int) -> dt.date:
    start = dt.date(year, 1, 1)
    return start + dt.timedelta(days=int(rng.integers((dt.date(year + 1, 1, 1) - start).days)))


def life_quality_bydel_rows(rng: np.random.Generator, people: _People) -> list[list[str]]:
    """Rows of ``livskvalitet_bydel`` (without ``svar_id``) from :data:`LIFE_QUALITY_BYDEL`."""
    rows: list[tuple[dt.date, str, str, str]] = []
    # Each bydel asks the same people again from year to year, some of them.
    pools: dict[str, list[int]] = {}
    for cell in _table(LIFE_QUALITY_BYDEL):
        year, bydel, n = int(cell["year"]), cell["bydel"], int(cell["answers"])
        mean = _norwegian_number(cell["mean"])
        total = int(_half_up(mean * n))
        if _half_up(Decimal(total) / n, 1) != mean:
            raise AssertionError(f"calibration: {bydel} {year} cannot print {mean}")
        answers = _scores(rng, n, total, int(cell["score1"]), 7)
        declined = int(cell["declined"])
        pool = pools.setdefault(bydel, [])
        wanted = n + declined
        while len(pool) < int(wanted * 1.6):
            pool.append(people.new_adult(year))
        chosen = rng.choice(len(pool), size=wanted, replace=False)
        values = [str(a) for a in answers] + [schema.DECLINE_TEXT] * declined
        for person, value in zip(chosen, values):
            rows.append((_random_day(rng, year), people.people[pool[int(person)]].number,
                         spell_bydel(rng, bydel), value))
    # Flawed rows: a neighbourhood instead of a bydel, and an answer off the 1-7 scale.
    rows.append((dt.date(2024, 3, 14), people.people[people.new_adult(2024)].number, "Lambertseter", "4"))
    rows.append((dt.date(2023, 9, 5), people.people[people.new_adult(2023)].number, "Bydel Sagene", "8"))
    rows.sort()
    return [[person, bydel, _fmt_date(day), value] for day, person, bydel, value in rows]


# --------------------------------------------------------------------------------------------
# livskvalitet_institusjon
# --------------------------------------------------------------------------------------------

def life_quality_institution_rows(rng: np.random.Generator, people: _People) -> list[list[str]]:
    """Rows of ``livskvalitet_institusjon`` (without ``svar_id``) from :data:`INSTITUTION_LIFE_QUALITY`."""
    rows: list[tuple[dt.date, str, str, str, str, str]] = []
    for cell in _table(INSTITUTION_LIFE_QUALITY):
        year, operator, category = int(cell["year"]), cell["drift"], cell["kategori"]
        completed, answered, residents = int(cell["completed"]), int(cell["answers"]), int(cell["beboere"])
        answers = _scores(rng, answered, int(cell["score_sum"]), int(cell["score1"]), 5)
        values = [str(a) for a in answers] + [""] * (completed - answered)
        rng.shuffle(values)
        beboere = [people.new_adult(year) for _ in range(residents)]
        # Every resident completes at least once; the rest are repeat measurements.
        surveys_each = _spread(rng, completed, residents, 1, 12)
        who = np.repeat(np.arange(residents), surveys_each)
        institutions = INSTITUTIONS[(operator, category)]
        home = rng.integers(len(institutions), size=residents)
        for resident, value in zip(who, values):
            rows.append((_random_day(rng, year), people.people[beboere[resident]].number,
                         institutions[int(home[resident])], category, operator, value))
    # Flawed rows: an answer off the 1-5 scale, and a category that belongs to the other operator.
    rows.append((dt.date(2023, 10, 2), people.people[people.new_adult(2023)].number,
                 "Akuttenhet Øst", "Akutt-, utrednings- og videreformidlingsenheter", "kommunal", "6"))
    rows.append((dt.date(2023, 4, 20), people.people[people.new_adult(2023)].number,
                 "Omsorgshjemmet Lindetun", "Forsterket bo- og behandling", "ideell", "3"))
    rows.sort()
    return [[person, institution, category, operator, _fmt_date(day), value]
            for day, person, institution, category, operator, value in rows]


# --------------------------------------------------------------------------------------------
# opphold
# --------------------------------------------------------------------------------------------

@dataclass
class _PersonYear:
    """What one person does in one year: the plan the stays are then drawn from."""

    admissions: int
    moves: int = 0
    stdf: bool = False
    violence: int = 0
    ten_plus: bool = False
    first_bydel: str | None = None
    """Bydel of the first two thirds of the year's stays, when it differs from the person's: most
    admissions come from it, yet the latest admission (which decides the person's bydel) does not."""


@dataclass
class _Stay:
    person: int
    bydel: str
    operator: str
    category: str
    admitted: dt.date
    discharged: dt.date | None
    reason: str
    destination: str


def _eligible(people: _People, index: int, year: int) -> bool:
    return 18 <= year - people.people[index].birth_year <= 78


def _take(rng: np.random.Generator, candidates: list[int], p: float) -> list[int]:
    """Each candidate independently with probability ``p`` (order kept)."""
    keep = rng.random(len(candidates)) < p
    return [c for c, k in zip(candidates, keep) if k]


def _ten_plus_2023(rng: np.random.Generator, people: _People, previous: list[int], active: list[int]) -> list[int]:
    """Choose the 58 ten-plus persons of 2023 with §3.2.3's sex, age and bydel spread."""
    slots: list[tuple[str, int, int]] = []
    for row in _table(TEN_PLUS_2023_SEX_AGE):
        slots += [(row["kjonn"], int(row["age_low"]), int(row["age_high"]))] * int(row["persons"])
    places = [row["bydel"] for row in _table(TEN_PLUS_2023_BYDEL) for _ in range(int(row["persons"]))]
    if len(slots) != len(places):
        raise AssertionError("calibration: sex/age and bydel tables disagree on the number of persons")
    places = [places[i] for i in rng.permutation(len(places))]
    chosen: list[int] = []
    for (sex, low, high), bydel in zip(slots, places):
        def fits(i: int) -> bool:
            person = people.people[i]
            return person.sex == sex and low <= 2023 - person.birth_year <= high and i not in chosen
        pick = next((i for i in previous if fits(i)), None)
        if pick is None:
            pick = next((i for i in active if fits(i)), None)
        if pick is None:
            pick = people.new_adult(2023, sex, (low, high))
        people.people[pick].bydel = bydel
        chosen.append(pick)
    return chosen


def _plan_stays(rng: np.random.Generator, people: _People) -> dict[int, dict[int, _PersonYear]]:
    """Decide, year by year, who is admitted how often, who moves home and who is discharged for violence."""
    plan: dict[int, dict[int, _PersonYear]] = {}
    long_admissions = {int(r["year"]): int(r["admissions"]) for r in _table(LONG_STAYS)}
    previous_active: list[int] = []
    previous_ten_plus: list[int] = []
    ever: list[int] = []
    for row in _table(STAYS):
        year = int(row["year"])
        n_persons, n_ten_plus = int(row["admitted_persons"]), int(row["ten_plus_persons"])
        # Ten-plus persons: many are the same people as last year.
        if year == 2023:
            ten_plus = _ten_plus_2023(rng, people, [i for i in previous_ten_plus if _eligible(people, i, year)],
                                      [i for i in previous_active if _eligible(people, i, year)])
        else:
            ten_plus = _take(rng, [i for i in previous_ten_plus if _eligible(people, i, year)], 0.5)
            chosen = set(ten_plus)
            heavy = [i for i in previous_active if i not in chosen and _eligible(people, i, year)]
            order = rng.permutation(len(heavy))
            ten_plus += [heavy[i] for i in order[: max(0, (n_ten_plus - len(ten_plus)) // 2)]]
            while len(ten_plus) < n_ten_plus:
                ten_plus.append(people.new_adult(year))
            ten_plus = ten_plus[:n_ten_plus]
        in_ten_plus = set(ten_plus)
        # The others: about half of last year's, some who come back after a pause, and new people.
        others = _take(rng, [i for i in previous_active if i not in in_ten_plus and _eligible(people, i, year)], 0.5)
        taken = in_ten_plus | set(others)
        returning = [i for i in ever if i not in taken and _eligible(people, i, year)]
        others += [returning[i] for i in rng.permutation(len(returning))[: int(0.08 * n_persons)]]
        while len(others) < n_persons - n_ten_plus:
            others.append(people.new_adult(year))
        others = [others[i] for i in sorted(rng.permutation(len(others))[: n_persons - n_ten_plus])]

        year_plan: dict[int, _PersonYear] = {}
        stays = _spread(rng, int(row["ten_plus_stays"]), n_ten_plus, 10, 26)
        for person, count in zip(ten_plus, stays):
            year_plan[person] = _PersonYear(int(count), ten_plus=True)
        violent = rng.choice(n_ten_plus, size=int(row["ten_plus_violence_persons"]), replace=False)
        counts = _spread(rng, int(row["ten_plus_violence"]), violent.size, 1, stays[violent] - 2)
        for i, count in zip(violent, counts):
            year_plan[ten_plus[int(i)]].violence = int(count)

        # Movers, then violence among the others, then everybody's number of admissions.
        order = [others[i] for i in rng.permutation(len(others))]
        n_stdf, n_movers = int(row["stdf_movers"]), int(row["movers"])
        stdf_moves = _spread(rng, int(row["stdf_moves"]), n_stdf, 1, 4)
        other_moves = _spread(rng, int(row["moves"]) - int(row["stdf_moves"]), n_movers - n_stdf, 1, 4)
        for person, m in zip(order[:n_stdf], stdf_moves):
            year_plan[person] = _PersonYear(0, moves=int(m), stdf=True)
        for person, m in zip(order[n_stdf:n_movers], other_moves):
            year_plan[person] = _PersonYear(0, moves=int(m))
        n_violent = int(row["other_violence_persons"])
        violence = _spread(rng, int(row["other_violence"]), n_violent, 1, 3)
        for person, v in zip(order[n_movers:n_movers + n_violent], violence):
            year_plan[person] = _PersonYear(0, violence=int(v))
        for person in order[n_movers + n_violent:]:
            year_plan[person] = _PersonYear(0)
        lows = np.array([year_plan[p].moves + year_plan[p].violence for p in others]).clip(min=1)
        draw = rng.choice(np.arange(1, 10), size=len(others),
                          p=np.array([38, 22, 14, 9, 6, 4, 3, 2, 2]) / 100)
        total = int(row["admissions"]) - int(row["ten_plus_stays"]) - long_admissions.get(year, 0)
        admissions = _adjust(rng, np.maximum(draw, lows), total, lows, 9)
        for person, a in zip(others, admissions):
            year_plan[person].admissions = int(a)
        plan[year] = year_plan
        previous_active, previous_ten_plus = others + ten_plus, ten_plus
        seen = set(ever)
        ever += [i for i in previous_active if i not in seen]

    # One ten-plus person of 2023 is admitted mostly from another bydel, but the latest admission
    # (which decides) is from their own: counting the most frequent or the first bydel would differ.
    mover = next(p for p in plan[2023] if plan[2023][p].ten_plus and people.people[p].bydel == "Sagene")
    plan[2023][mover].first_bydel = "Gamle Oslo"
    return plan


def _durations(rng: np.random.Generator, categories: list[str], room: int) -> np.ndarray:
    """Stay lengths (days) for the categories, shrunk if needed so they fit in ``room`` days."""
    lows = np.array([STAY_DAYS[c][0] for c in categories], dtype=float)
    highs = np.array([STAY_DAYS[c][1] for c in categories], dtype=float)
    days = np.exp(rng.uniform(np.log(lows), np.log(highs + 1)))
    if days.sum() > 0.75 * room:
        days *= 0.75 * room / days.sum()
    return np.maximum(np.floor(days), 0).astype(int)


def _year_stays(rng: np.random.Generator, people: _People, person: int, year: int, plan: _PersonYear,
                open_last: bool) -> list[_Stay]:
    """Draw one person's stays in one year: all admitted and (unless ``open_last``) discharged in it."""
    a = plan.admissions
    labels = ["move"] * plan.moves + ["violence"] * plan.violence + [""] * (a - plan.moves - plan.violence)
    labels = [labels[i] for i in rng.permutation(a)]
    kinds: list[tuple[str, str]] = []
    for label in labels:
        if label == "move":
            kinds.append(_pick(rng, STDF_MOVE_MIX if plan.stdf else OTHER_MOVE_MIX))
        else:
            kinds.append(_pick(rng, TEN_PLUS_MIX if plan.ten_plus else SHORT_STAY_MIX))
    start = dt.date(year, 1, 1)
    year_days = (dt.date(year + 1, 1, 1) - start).days
    days = _durations(rng, [c for _, c in kinds], year_days - a)
    for i, label in enumerate(labels):
        if label == "violence":
            days[i] = min(days[i], int(rng.integers(0, 6)))
    free = year_days - a - int(days.sum())
    gaps = np.floor(rng.dirichlet(np.ones(a + 1)) * free).astype(int)[:a]
    owner = people.people[person]
    stays: list[_Stay] = []
    t = 0
    for i, ((operator, category), label) in enumerate(zip(kinds, labels)):
        admitted = start + dt.timedelta(days=int(t + gaps[i]))
        discharged = admitted + dt.timedelta(days=int(days[i]))
        t = (discharged - start).days + 1
        bydel = owner.bydel
        if plan.first_bydel is not None and i < (2 * a) // 3:
            bydel = plan.first_bydel
        elif not plan.ten_plus and rng.random() < 0.03:
            bydel = bydeler.BYDELER[int(rng.integers(len(bydeler.BYDELER)))]
        if label == "move":
            reason, destination = "Planlagt utskrivning", schema.MOVE_TO_OWN_HOME
        elif label == "violence":
            reason = schema.DISCHARGE_VIOLENCE
            destination = "Annen institusjon" if rng.random() < 0.8 else "Ukjent"
        else:
            reason, destination = _discharge(rng, ORDINARY_DISCHARGES)
        stays.append(_Stay(person, bydel, operator, category, admitted, discharged, reason, destination))
    last = stays[-1]
    if open_last and labels[-1] == "" and last.admitted >= dt.date(year, 10, 1):
        last.discharged, last.reason, last.destination = None, "", ""
    return stays


def _long_stays(rng: np.random.Generator, people: _People) -> list[_Stay]:
    """The long stays of :data:`LONG_STAYS`, one person each."""
    stays: list[_Stay] = []
    end = dt.date(LAST_YEAR, 12, 31)
    for row in _table(LONG_STAYS):
        year = int(row["year"])
        for _ in range(int(row["admissions"])):
            person = people.new_adult(year, age=(35, 72))
            admitted = _random_day(rng, year)
            days = int(np.exp(rng.uniform(np.log(180), np.log(1500))))
            discharged = admitted + dt.timedelta(days=days)
            operator, category = _pick(rng, LONG_STAY_MIX)
            if discharged > end:
                stays.append(_Stay(person, people.people[person].bydel, operator, category, admitted, None, "", ""))
            else:
                reason, destination = _discharge(rng, LONG_STAY_DISCHARGES)
                stays.append(_Stay(person, people.people[person].bydel, operator, category, admitted,
                                   discharged, reason, destination))
    return stays


def stay_rows(rng: np.random.Generator, people: _People) -> list[list[str]]:
    """Rows of ``opphold`` (without ``opphold_id``) from :data:`STAYS` and :data:`LONG_STAYS`."""
    plan = _plan_stays(rng, people)
    stays = _long_stays(rng, people)
    for year in sorted(plan):
        for person in sorted(plan[year]):
            open_last = year == LAST_YEAR and rng.random() < 0.04
            stays += _year_stays(rng, people, person, year, plan[year][person], open_last)
    rows = []
    for s in stays:
        p = people.people[s.person]
        rows.append([p.number, p.sex, str(p.birth_year), spell_bydel(rng, s.bydel),
                     INSTITUTIONS[(s.operator, s.category)][int(rng.integers(len(INSTITUTIONS[(s.operator, s.category)])))],
                     s.category, s.operator, s.admitted, s.discharged, s.reason, s.destination])
    # Flawed rows: discharge before admission, a mistyped fødselsnummer, a date that does not exist.
    p = people.people[people.new_adult(2023)]
    rows.append([p.number, p.sex, str(p.birth_year), p.bydel, "Mestringsenhet Nord", "Mestringsenheter",
                 "kommunal", dt.date(2023, 6, 12), dt.date(2023, 5, 30), "Planlagt utskrivning", "Annen institusjon"])
    p = people.people[people.new_adult(2022)]
    wrong = p.number[:10] + str((int(p.number[10]) + 1) % 10)
    rows.append([wrong, p.sex, str(p.birth_year), p.bydel, "Akuttenhet Sentrum",
                 "Akutt-, utrednings- og videreformidlingsenheter", "kommunal", dt.date(2022, 2, 3),
                 dt.date(2022, 2, 9), "Avbrutt av beboer", "Ukjent"])
    p = people.people[people.new_adult(2023)]
    rows.append([p.number, p.sex, str(p.birth_year), p.bydel, "Ressurshuset Granly", "Ressurssentre", "ideell",
                 "31.11.2023", dt.date(2023, 12, 20), "Planlagt utskrivning", "Midlertidig botilbud"])

    def key(row):
        admitted = row[7] if isinstance(row[7], dt.date) else dt.date(2023, 11, 30)
        return (admitted, row[0], row[4])

    rows.sort(key=key)
    out = []
    for row in rows:
        admitted = row[7] if isinstance(row[7], str) else _fmt_date(row[7])
        discharged = "" if row[8] is None else _fmt_date(row[8])
        out.append(row[:7] + [admitted, discharged] + row[9:])
    return out


# --------------------------------------------------------------------------------------------
# bydelskartlegging
# --------------------------------------------------------------------------------------------

def mapping_rows(rng: np.random.Generator) -> list[list[str]]:
    """Rows of ``bydelskartlegging`` from :data:`MAPPING`: every bydel in every round."""
    services = ("aktivitetshus", "ambulant_team", "rusfact", "fact", "dreid_innsats", "oslostandard")
    table = _table(MAPPING)
    rows = []
    for r, period in enumerate(ROUNDS):
        for row in table:
            answers = ["ja" if row[s] != "-" and row[s] <= period else "nei" for s in services]
            # Some forms were filled in with capitals; the values are compared case-insensitively.
            answers = [a.capitalize() if rng.random() < 0.05 else a for a in answers]
            rows.append([spell_bydel(rng, row["bydel"]), period, *answers,
                         WORK_CODES[row["arbeid"][r]], FOLLOWUP_CODES[row["oppfolging"][r]]])
            if period == "2024-06" and row["bydel"] == "Alna":
                # Flawed row: the form was submitted twice.
                rows.append(["Bydel Alna", *rows[-1][1:]])
    return rows


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

def _csv(header: tuple[str, ...], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATOR, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(ENCODING)


def _with_ids(prefix: str, rows: list[list[str]], first: int = 1) -> list[list[str]]:
    return [[f"{prefix}{first + i:06d}", *row] for i, row in enumerate(rows)]


def sample_files(seed: int = DEFAULT_SEED) -> dict[str, bytes]:
    """Return the four synthetic extracts as ``{file name: bytes}``, without writing anything.

    Parameters
    ----------
    seed : int
        Seed of the random generator; the same seed gives the same bytes.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    people = _People(rng)
    files = {
        "livskvalitet_bydel.csv": _csv(schema.LIVSKVALITET_BYDEL.raw_columns,
                                       _with_ids("LB", life_quality_bydel_rows(rng, people))),
        "livskvalitet_institusjon.csv": _csv(schema.LIVSKVALITET_INSTITUSJON.raw_columns,
                                             _with_ids("LI", life_quality_institution_rows(rng, people))),
        "opphold.csv": _csv(schema.OPPHOLD.raw_columns, _with_ids("OP", stay_rows(rng, people))),
        "bydelskartlegging.csv": _csv(schema.BYDELSKARTLEGGING.raw_columns, mapping_rows(rng)),
    }
    return files


def write_sample(data_dir: Path | str | None = None, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the synthetic record-level sample extracts (``prioslo synth``).

    Parameters
    ----------
    data_dir : path, optional
        Target folder; default ``data/raw`` (the shipped sample). Created if missing. Existing
        files of the same names are overwritten; the real published aggregates beside them are
        not touched.
    seed : int
        Random seed; the same seed gives byte-identical files (the shipped sample uses
        :data:`DEFAULT_SEED`).

    Returns
    -------
    list of Path
        The files written, in a fixed order.
    """
    target = Path(data_dir) if data_dir is not None else paths.RAW_DIR
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in sample_files(seed).items():
        path = target / name
        path.write_bytes(content)
        written.append(path)
        log.debug("wrote %s (%d bytes)", path, len(content))
    return written
