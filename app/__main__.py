"""``python -m app`` runs the ``loupe`` command."""

import sys

from app.cli.main import main

sys.exit(main())
