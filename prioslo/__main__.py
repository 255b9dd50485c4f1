"""``python -m prioslo`` runs the command line."""

import sys

from prioslo.cli import main

sys.exit(main())
