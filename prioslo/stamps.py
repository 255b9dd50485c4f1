"""Norwegian stamps and status texts that several outputs share (report pages, figures, tables).

Kept in one light module (no heavy imports) so that the build, the stitched report, the figures
and the notebooks print exactly the same words.
"""

INTERNAL_STAMP = "Internt – ikke for publisering"
"""Stamped on every page and file of an ``--internal`` build (no disclosure control)."""

SAMPLE_DATA_STATUS = "syntetiske eksempeldata"
"""Data status of synthetic sample data (every person number a synthetic test identity)."""

REAL_DATA_STATUS = "reelle data"
"""Data status of anything else."""
