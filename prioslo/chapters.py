"""The report's chapters, in reading order: one parameterised notebook each.

Both the build (which executes and stitches them) and the tests read this list, so adding a
chapter means adding one line here and one notebook in ``notebooks/``.
"""

from __future__ import annotations

from dataclasses import dataclass

from prioslo.paths import NOTEBOOKS_DIR


@dataclass(frozen=True)
class Chapter:
    """One chapter of the report."""

    slug: str
    """Notebook file stem in ``notebooks/`` and in ``<scope>/notebooks/``."""
    title: str
    """Norwegian chapter title, as the reader sees it."""

    @property
    def path(self):
        return NOTEBOOKS_DIR / f"{self.slug}.ipynb"


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("summary", "Sammendrag: måleindikatorer og måloppnåelse"),
    Chapter("life_quality", "Økt livskvalitet"),
    Chapter("ten_plus", "Ti inntak eller mer i året"),
    Chapter("moves_to_housing", "Flytting til egen bolig etter opphold i VELs institusjoner"),
    Chapter("colocated_housing", "Samlokaliserte boliger med personalbase og kommunale utleieboliger"),
    Chapter("bydel_services", "Bydelenes tjenestetilbud"),
)

NOTEBOOK_PARAMETERS = ("data_dir", "output_dir", "period_from", "period_to", "bydel", "suppress_below")
"""Names of the papermill parameters every chapter notebook declares in its ``parameters`` cell."""
