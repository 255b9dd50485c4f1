"""prioslo: the PRIOslo indicators of Oslo's substance-use services, from municipal extracts.

The package holds all logic (reading and cleaning extracts, pseudonymisation, indicator
definitions, targets and scoring, disclosure control, plotting); the notebooks in
``notebooks/`` only call it.
"""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
