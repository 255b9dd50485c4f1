"""The data contract as code: every raw extract, its Norwegian columns, and its processed table.

One :class:`Extract` per file of the contract. Each raw column has a *kind* that tells
ingestion how to clean and validate it, and the English snake_case name it gets in
``data/processed/``. Ingestion, the indicator functions and the synthetic-data generator all
read their column names from here, so a column is named in one place only.

Kinds
-----
``id``        non-empty text, unique within the file (duplicates are rejected)
``person``    fødselsnummer / D-nummer (validated) or an already pseudonymised id; replaced by a
              keyed hash at ingestion
``bydel``     any bydel spelling or code, normalised to the official name or ``Uoppgitt``
``date``      ``dd.mm.yyyy``, ``yyyy-mm-dd`` or an Excel date
``month``     reporting round ``yyyy-mm``
``year``      four-digit year
``int``       whole number, optionally within ``[low, high]``
``answer``    whole number within ``[low, high]``, or a decline (``Ønsker ikke å svare``) where allowed,
              or empty where allowed
``choice``    one of ``choices`` (compared case-insensitively after trimming)
``text``      free text (scrubbed of anything shaped like a fødselsnummer)
"""

from __future__ import annotations

from dataclasses import dataclass, field

DECLINE_TEXT = "Ønsker ikke å svare"
"""The decline option of the bydel life-quality question (added in 2022)."""

MOVE_TO_OWN_HOME = "Egen bolig"
"""``utskrevet_til`` value that marks a move to own housing."""

DISCHARGE_VIOLENCE = "Øyeblikkelig utskrivning – vold eller trusler"
"""``utskrivningsarsak`` value that marks an immediate discharge for violence or threats."""

OPERATORS = ("kommunal", "ideell")

#: Institution categories by operator, as the contract lists them.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "kommunal": (
        "Akutt-, utrednings- og videreformidlingsenheter",
        "Mestringsenheter",
        "Omsorgssentre",
        "Omsorgssenter rusfri",
        "Ressurssentre",
        "Forsterket bo- og behandling",
    ),
    "ideell": (
        "Utredning og videreformidling, aktiv rus",
        "Utredning og videreformidling, rusfri",
        "Omsorgssentre",
        "Ressurssentre",
    ),
}

ALL_CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(c for cs in CATEGORIES.values() for c in cs))

#: Categories the report calls «rusfri korttidsinstitusjon» (short-term, drug-free stays), §3.3.1.
SHORT_TERM_DRUG_FREE: tuple[str, ...] = ("Mestringsenheter", "Utredning og videreformidling, rusfri")

YES_NO = ("ja", "nei")
WORK_ACTIVITY = ("ja", "planlagt", "nei")
FOLLOWUP_LEVELS = ("svært stor grad", "stor grad", "noen grad", "liten grad", "svært liten grad")
SEXES = ("K", "M")


@dataclass(frozen=True)
class Column:
    """One raw column of an extract."""

    raw: str
    """Header in the extract (Norwegian, matched case-insensitively after trimming)."""
    name: str
    """Column name in the processed table (English snake_case)."""
    kind: str
    """How the value is cleaned; see the module docstring."""
    required: bool = True
    """Whether an empty value rejects the row."""
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()
    allow_decline: bool = False


@dataclass(frozen=True)
class Extract:
    """One file of the data contract."""

    raw_name: str
    """File stem in the data dir (``opphold`` for ``opphold.csv`` / ``opphold.xlsx``)."""
    table: str
    """Processed table name (``data/processed/<table>.parquet``)."""
    columns: tuple[Column, ...]
    record_level: bool
    """True when a row is about one person (the file holds person ids)."""
    unique: tuple[str, ...] = field(default=())
    """Processed columns whose combination must be unique (later duplicates are rejected)."""

    @property
    def raw_columns(self) -> tuple[str, ...]:
        return tuple(c.raw for c in self.columns)


LIVSKVALITET_BYDEL = Extract(
    "livskvalitet_bydel",
    "life_quality_bydel",
    (
        Column("svar_id", "answer_id", "id"),
        Column("person", "person_id", "person"),
        Column("bydel", "bydel", "bydel"),
        Column("dato", "date", "date"),
        Column("svar", "answer", "answer", low=1, high=7, allow_decline=True),
    ),
    record_level=True,
    unique=("answer_id",),
)
"""Processed columns: ``answer_id``, ``person_id``, ``bydel``, ``date``, ``year`` (from ``date``),
``answer`` (Int64, <NA> when declined), ``declined`` (bool)."""

LIVSKVALITET_INSTITUSJON = Extract(
    "livskvalitet_institusjon",
    "life_quality_institution",
    (
        Column("svar_id", "answer_id", "id"),
        Column("beboer", "person_id", "person"),
        Column("institusjon", "institution", "text"),
        Column("kategori", "category", "choice", choices=ALL_CATEGORIES),
        Column("drift", "operator", "choice", choices=OPERATORS),
        Column("dato", "date", "date"),
        Column("svar", "answer", "answer", required=False, low=1, high=5),
    ),
    record_level=True,
    unique=("answer_id",),
)
"""Processed columns: ``answer_id``, ``person_id``, ``institution``, ``category``, ``operator``,
``date``, ``year``, ``answer`` (Int64, <NA> when the survey was completed but this question left
unanswered). A category must belong to its operator (see :data:`CATEGORIES`)."""

OPPHOLD = Extract(
    "opphold",
    "stays",
    (
        Column("opphold_id", "stay_id", "id"),
        Column("person", "person_id", "person"),
        Column("kjonn", "sex", "choice", choices=SEXES),
        Column("fodselsar", "birth_year", "year"),
        Column("bydel", "bydel", "bydel"),
        Column("institusjon", "institution", "text"),
        Column("kategori", "category", "choice", choices=ALL_CATEGORIES),
        Column("drift", "operator", "choice", choices=OPERATORS),
        Column("innskrevet", "admitted", "date"),
        Column("utskrevet", "discharged", "date", required=False),
        Column("utskrivningsarsak", "discharge_reason", "text", required=False),
        Column("utskrevet_til", "discharged_to", "text", required=False),
    ),
    record_level=True,
    unique=("stay_id",),
)
"""Processed columns: ``stay_id``, ``person_id``, ``sex`` (``K``/``M``), ``birth_year``, ``bydel``,
``institution``, ``category``, ``operator``, ``admitted``, ``discharged`` (NaT = still resident),
``discharge_reason``, ``discharged_to``. A discharge before admission rejects the row."""

SAMLOKALISERTE_BOLIGER = Extract(
    "samlokaliserte_boliger",
    "colocated_housing",
    (
        Column("bydel", "bydel", "bydel"),
        Column("tidspunkt", "period", "month"),
        Column("antall", "units", "int", low=0),
        Column("merknad", "remark", "text", required=False),
    ),
    record_level=False,
    unique=("bydel", "period"),
)
"""Processed columns: ``bydel``, ``period`` (``yyyy-mm``), ``units``, ``remark``."""

KOMMUNALE_UTLEIEBOLIGER = Extract(
    "kommunale_utleieboliger",
    "rental_housing",
    (
        Column("dato", "date", "date"),
        Column("antall", "units", "int", low=0),
    ),
    record_level=False,
    unique=("date",),
)
"""Processed columns: ``date``, ``period`` (year of the day before ``date``: a count «per 1.1.Y»
is the end of Y-1), ``units``."""

INSTITUSJONSPLASSER = Extract(
    "institusjonsplasser",
    "institution_places",
    (
        Column("kategori", "category", "choice", choices=ALL_CATEGORIES),
        Column("drift", "operator", "choice", choices=OPERATORS),
        Column("aar", "year", "year"),
        Column("plasser", "places", "int", low=0),
    ),
    record_level=False,
    unique=("category", "operator", "year"),
)
"""Processed columns: ``category``, ``operator``, ``year``, ``places``."""

BYDELSKARTLEGGING = Extract(
    "bydelskartlegging",
    "bydel_mapping",
    (
        Column("bydel", "bydel", "bydel"),
        Column("tidspunkt", "period", "month"),
        Column("aktivitetshus", "activity_house", "choice", choices=YES_NO),
        Column("ambulant_team", "ambulant_team", "choice", choices=YES_NO),
        Column("rusfact", "rusfact", "choice", choices=YES_NO),
        Column("fact", "fact", "choice", choices=YES_NO),
        Column("dreid_innsats", "shifted_effort", "choice", choices=YES_NO),
        Column("oslostandard", "oslo_standard", "choice", choices=YES_NO),
        Column("arbeids_aktivitetstilbud", "work_activity", "choice", choices=WORK_ACTIVITY),
        Column("oppfolging_i_bolig", "housing_followup", "choice", choices=FOLLOWUP_LEVELS),
    ),
    record_level=False,
    unique=("bydel", "period"),
)
"""Processed columns: ``bydel``, ``period`` (``yyyy-mm``), the six yes/no services as bool,
``work_activity`` (``ja``/``planlagt``/``nei``), ``housing_followup`` (one of
:data:`FOLLOWUP_LEVELS`). Rows for Sentrum/Marka/Uoppgitt are rejected (the mapping is of bydeler)."""

BOLIGBEHOV = Extract(
    "boligbehov",
    "housing_need",
    (
        Column("tidspunkt", "period", "month"),
        Column("antall", "units", "int", low=0),
        Column("merknad", "remark", "text", required=False),
    ),
    record_level=False,
    unique=("period",),
)
"""Optional extension of the contract (proposed, not yet in data-contract.md): the mapped need for
co-located homes with staff base (boligbehovskartlegging), Oslo total per round. Processed columns:
``period`` (``yyyy-mm``), ``units``, ``remark``. Absent file = the need is simply not shown."""

EXTRACTS: tuple[Extract, ...] = (
    LIVSKVALITET_BYDEL,
    LIVSKVALITET_INSTITUSJON,
    OPPHOLD,
    SAMLOKALISERTE_BOLIGER,
    KOMMUNALE_UTLEIEBOLIGER,
    INSTITUSJONSPLASSER,
    BYDELSKARTLEGGING,
    BOLIGBEHOV,
)

BY_RAW_NAME: dict[str, Extract] = {e.raw_name: e for e in EXTRACTS}
BY_TABLE: dict[str, Extract] = {e.table: e for e in EXTRACTS}
