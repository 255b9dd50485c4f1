"""The indicator catalogue: every indicator id the project computes, with its Norwegian label.

One :class:`IndicatorInfo` per id. The report, the scorecard and disclosure control read their
labels, units and the relations between indicators from here, so an indicator is described in
one place only. :data:`PARTITIONS` lists the breakdowns whose parts sum to a total within one
group (sex and age bands of the ten-plus persons); disclosure control needs them to make sure no
suppressed cell can be recomputed as a difference.

Order matters: :data:`INDICATORS` is in report order, and the indicator tables are sorted by it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

UNITS = ("count", "mean", "share")


@dataclass(frozen=True)
class IndicatorInfo:
    """What one indicator id means.

    Attributes
    ----------
    id : str
        English snake_case id, as in ``indicators.csv``.
    label : str
        Norwegian label a report reader understands.
    unit : str
        ``'count'`` (value is a count), ``'mean'`` (numerator = sum of answers, denominator =
        number of answers) or ``'share'`` (value = numerator / denominator, a fraction in [0, 1]).
    sensitive : bool
        True for counts of persons, answers or stays from record-level extracts, and for means and
        shares built on them: disclosure control applies. False for stock counts (homes, places)
        and counts of bydeler.
    numerator, denominator : str or None
        Ids of the count indicators (same group and period) a share or mean rests on.
    additive : bool
        True when the bydel groups plus ``Uoppgitt`` sum to ``Oslo`` (every stay, answer or
        person is counted in exactly one bydel group).
    institution_additive : bool
        True when ``kommunal`` + ``ideell`` sum to ``Oslo`` and the ``"<drift>: <kategori>"``
        groups sum to their operator (stays and answers; not distinct persons, who may have
        been at several institutions).
    total : str or None
        For a part of a breakdown within one group (``ten_plus_persons_female``): the id of its
        total (``ten_plus_persons``). The full breakdowns are in :data:`PARTITIONS`.
    mean_of : str or None
        For a mean of group means (``life_quality_mean_of_bydel_means``): the id of the mean it
        averages over the bydeler.
    """

    id: str
    label: str
    unit: str = "count"
    sensitive: bool = True
    numerator: str | None = None
    denominator: str | None = None
    additive: bool = False
    institution_additive: bool = False
    total: str | None = None
    mean_of: str | None = None

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"indicator {self.id!r}: unit must be one of {UNITS}, not {self.unit!r}")


AGE_BANDS: dict[str, str] = {
    "under_25": "under 25 år",
    "25_54": "25–54 år",
    "55_69": "55–69 år",
    "70_plus": "70 år eller eldre",
}
"""Age bands of the ten-plus persons (§3.2.3 reports under 25, 25–55 and 55–69), id suffix -> label."""

SEX_PARTS: dict[str, tuple[str, str]] = {"female": ("K", "Kvinner"), "male": ("M", "Menn")}
"""Sex id suffix -> (``kjonn`` code, Norwegian plural)."""


def _ten_plus_parts() -> list[IndicatorInfo]:
    infos = []
    for sex, (_, sex_label) in SEX_PARTS.items():
        infos.append(IndicatorInfo(f"ten_plus_persons_{sex}", f"{sex_label} med ti inntak eller mer",
                                   additive=True, total="ten_plus_persons"))
    for band, band_label in AGE_BANDS.items():
        infos.append(IndicatorInfo(f"ten_plus_persons_age_{band}",
                                   f"Personer {band_label} med ti inntak eller mer",
                                   additive=True, total="ten_plus_persons"))
    for sex, (_, sex_label) in SEX_PARTS.items():
        for band, band_label in AGE_BANDS.items():
            infos.append(IndicatorInfo(f"ten_plus_persons_{sex}_age_{band}",
                                       f"{sex_label} {band_label} med ti inntak eller mer",
                                       additive=True, total=f"ten_plus_persons_{sex}"))
    return infos


_MAPPING = (
    ("bydeler_mapped", "Bydeler som har svart på kartleggingen"),
    ("bydeler_activity_house", "Bydeler med aktivitetshus"),
    ("bydeler_ambulant_team", "Bydeler med ambulant team"),
    ("bydeler_rusfact", "Bydeler med RusFACT-team"),
    ("bydeler_fact", "Bydeler med FACT-team"),
    ("bydeler_shifted_effort", "Bydeler som har dreid innsatsen for å bosette flere fra institusjon"),
    ("bydeler_oslo_standard", "Bydeler som har implementert Oslostandard for rusfaglig arbeid"),
    ("bydeler_work_activity", "Bydeler med arbeids- og aktivitetstilbud"),
    ("bydeler_work_activity_planned", "Bydeler som har planlagt arbeids- og aktivitetstilbud"),
    ("bydeler_housing_followup_large", "Bydeler med god oppfølging i bolig i stor eller svært stor grad"),
    ("bydeler_housing_followup_some", "Bydeler med god oppfølging i bolig i noen grad"),
    ("bydeler_housing_followup_small", "Bydeler med god oppfølging i bolig i liten eller svært liten grad"),
)

_ALL: list[IndicatorInfo] = [
    # §3.1 Life quality, answers registered by bydel staff (scale 1-7).
    IndicatorInfo("life_quality_mean", "Gjennomsnittsskår livskvalitet (skala 1–7)", unit="mean",
                  denominator="life_quality_answers"),
    IndicatorInfo("life_quality_share_score1", "Andel besvarelser med skår 1 («Veldig misfornøyd»)",
                  unit="share", numerator="life_quality_score1", denominator="life_quality_answers"),
    IndicatorInfo("life_quality_answers", "Antall besvarelser på spørsmålet om livskvalitet", additive=True),
    IndicatorInfo("life_quality_score1", "Antall besvarelser med skår 1 («Veldig misfornøyd»)", additive=True),
    IndicatorInfo("life_quality_declined", "Antall som ikke ønsket å svare", additive=True),
    IndicatorInfo("life_quality_mean_of_bydel_means",
                  "Gjennomsnitt av bydelenes gjennomsnittsskår (uvektet)", unit="mean",
                  mean_of="life_quality_mean"),
    IndicatorInfo("life_quality_bydeler_reporting", "Antall bydeler som har målt livskvalitet",
                  sensitive=False),
    # §3.2.3 Ten or more admissions a year.
    IndicatorInfo("admissions", "Antall inntak", additive=True),
    IndicatorInfo("residents", "Personer som har bodd i institusjon i året", additive=True),
    IndicatorInfo("ten_plus_persons", "Personer med ti inntak eller mer", additive=True),
    IndicatorInfo("ten_plus_stays", "Inntak for personer med ti inntak eller mer", additive=True),
    IndicatorInfo("ten_plus_share_admissions", "Andel av alle inntak (personer med ti inntak eller mer)",
                  unit="share", numerator="ten_plus_stays", denominator="admissions"),
    IndicatorInfo("ten_plus_share_residents",
                  "Andel av alle som har bodd i institusjon (personer med ti inntak eller mer)",
                  unit="share", numerator="ten_plus_persons", denominator="residents"),
    *_ten_plus_parts(),
    IndicatorInfo("immediate_discharges_violence",
                  "Øyeblikkelige utskrivninger på grunn av vold eller trusler", additive=True),
    IndicatorInfo("immediate_discharges_violence_persons",
                  "Personer utskrevet med øyeblikkelig virkning på grunn av vold eller trusler", additive=True),
    IndicatorInfo("ten_plus_immediate_discharges_violence",
                  "Øyeblikkelige utskrivninger (vold eller trusler) av personer med ti inntak eller mer",
                  additive=True),
    IndicatorInfo("ten_plus_persons_immediate_discharges_violence",
                  "Personer med ti inntak eller mer utskrevet med øyeblikkelig virkning (vold eller trusler)",
                  additive=True),
    # §3.2.4 Life quality at the institutions (scale 1-5).
    IndicatorInfo("institution_life_quality_mean", "Gjennomsnittsskår livskvalitet i institusjon (skala 1–5)",
                  unit="mean", denominator="institution_life_quality_answers"),
    IndicatorInfo("institution_life_quality_share_score1",
                  "Andel besvarelser med skår 1 («Ikke i det hele tatt») i institusjon", unit="share",
                  numerator="institution_life_quality_score1", denominator="institution_life_quality_answers"),
    IndicatorInfo("institution_life_quality_completed", "Antall gjennomførte brukerundersøkelser",
                  institution_additive=True),
    IndicatorInfo("institution_life_quality_answers", "Antall som har besvart spørsmålet om livskvalitet",
                  institution_additive=True),
    IndicatorInfo("institution_life_quality_score1",
                  "Antall besvarelser med skår 1 («Ikke i det hele tatt») i institusjon",
                  institution_additive=True),
    IndicatorInfo("institution_life_quality_respondents", "Beboere som har besvart spørsmålet om livskvalitet"),
    IndicatorInfo("institution_places", "Institusjonsplasser", sensitive=False, institution_additive=True),
    # §3.3.1 Moves to own housing.
    IndicatorInfo("moves_to_housing_persons", "Personer som flyttet til egen bolig etter opphold i institusjon",
                  additive=True),
    IndicatorInfo("moves_to_housing_count", "Flyttinger til egen bolig etter opphold i institusjon",
                  additive=True, institution_additive=True),
    IndicatorInfo("moves_to_housing_persons_short_term_drug_free",
                  "Personer som flyttet til egen bolig fra rusfri korttidsinstitusjon", additive=True),
    IndicatorInfo("moves_to_housing_count_short_term_drug_free",
                  "Flyttinger til egen bolig fra rusfri korttidsinstitusjon", additive=True),
    # §3.3.2-3.3.6 The bydel mapping survey.
    *(IndicatorInfo(i, label, sensitive=False, additive=True) for i, label in _MAPPING),
    # §3.4.2 Housing.
    IndicatorInfo("colocated_units", "Samlokaliserte boliger med personalbase", sensitive=False, additive=True),
    IndicatorInfo("colocated_need", "Kartlagt behov for samlokaliserte boliger med personalbase", sensitive=False),
    IndicatorInfo("rental_units", "Kommunale utleieboliger", sensitive=False),
]

INDICATORS: dict[str, IndicatorInfo] = {i.id: i for i in _ALL}
"""Every indicator id, in report order."""

if len(INDICATORS) != len(_ALL):  # pragma: no cover - guards against a copy-paste id
    raise RuntimeError("duplicate indicator id in the catalogue")


@dataclass(frozen=True)
class Partition:
    """A breakdown within one group: the part indicators sum to the total indicator."""

    name: str
    total: str
    parts: tuple[str, ...]


def _partitions() -> tuple[Partition, ...]:
    sexes, bands = tuple(SEX_PARTS), tuple(AGE_BANDS)
    parts = [
        Partition("ten_plus_sex", "ten_plus_persons", tuple(f"ten_plus_persons_{s}" for s in sexes)),
        Partition("ten_plus_age", "ten_plus_persons", tuple(f"ten_plus_persons_age_{b}" for b in bands)),
    ]
    for s in sexes:
        parts.append(Partition(f"ten_plus_{s}_age", f"ten_plus_persons_{s}",
                               tuple(f"ten_plus_persons_{s}_age_{b}" for b in bands)))
    for b in bands:
        parts.append(Partition(f"ten_plus_age_{b}_sex", f"ten_plus_persons_age_{b}",
                               tuple(f"ten_plus_persons_{s}_age_{b}" for s in sexes)))
    return tuple(parts)


PARTITIONS: tuple[Partition, ...] = _partitions()
"""Breakdowns within a group whose parts sum to a total (sex, age band, sex x age of the ten-plus
persons). The sex x age cells belong to two breakdowns each: of their sex and of their age band."""


def info(indicator_id: str) -> IndicatorInfo:
    """Return the catalogue entry of ``indicator_id``.

    Raises
    ------
    KeyError
        With a message naming the unknown id, when it is not in :data:`INDICATORS`.
    """
    try:
        return INDICATORS[indicator_id]
    except KeyError:
        raise KeyError(f"unknown indicator id {indicator_id!r}; the catalogue (prioslo.catalogue.INDICATORS) "
                       f"has {len(INDICATORS)} ids, e.g. {', '.join(list(INDICATORS)[:3])}") from None


def label(indicator_id: str) -> str:
    """Return the Norwegian label of ``indicator_id`` (see :func:`info`)."""
    return info(indicator_id).label
