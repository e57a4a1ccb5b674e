"""Entry point of the bundled ``loupe`` program (PyInstaller runs this script).

``multiprocessing.freeze_support()`` must come first: a frozen program that starts
worker processes (spaCy's ``nlp.pipe(n_process=...)``) re-runs this executable for
each worker, and the call turns that run into the worker instead of a second Loupe.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from app.cli.main import main

    sys.exit(main())
