"""Where bundled data lives: the one place that finds files shipped with Loupe.

In a source checkout the data folders (``annotations_schema/``, ``resources/``) sit
next to the ``app`` package. In a frozen PyInstaller bundle they are unpacked under
``sys._MEIPASS``. Nothing else in the code should guess these locations.

Standard library only: every layer may import this module.
"""

from __future__ import annotations

import sys
from pathlib import Path

IS_FROZEN = getattr(sys, "frozen", False)


def root_dir() -> Path:
    """The folder that holds ``annotations_schema/`` and ``resources/``."""
    if IS_FROZEN:
        bundle = getattr(sys, "_MEIPASS", None)
        if bundle:
            return Path(bundle)
        # A frozen build without _MEIPASS (not PyInstaller): data sits beside the executable.
        return Path(sys.executable).resolve().parent
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "annotations_schema").is_dir():
        return checkout
    # An installed wheel: the data files were installed under <prefix>/share/loupe.
    return Path(sys.prefix) / "share" / "loupe"


def schema_dir() -> Path:
    """``annotations_schema/``: the codebook format and the bundled codebooks."""
    return root_dir() / "annotations_schema"


def resources_dir() -> Path:
    """``resources/``: icons, style sheets, sample articles, translations."""
    return root_dir() / "resources"


def sample_dir() -> Path:
    """``resources/sample/``: the sources of the bundled sample project."""
    return resources_dir() / "sample"
