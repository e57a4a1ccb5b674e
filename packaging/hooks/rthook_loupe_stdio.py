"""Runtime hook: give a windowed build somewhere to write.

A bundle built without a console (``loupe.exe`` on Windows, ``Loupe.app`` on macOS when
started from the Finder) may start with ``sys.stdout`` and ``sys.stderr`` set to None.
Loupe's command code, logging and progress bars write to them, and would fail on the
first message; the null device swallows the output instead. Crash reports go to a log
file in the user's log folder either way (see ``app.ui.crash``).
"""

import os
import sys

for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
