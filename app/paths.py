"""Where bundled data and the user's folders live: the one place that finds them.

In a source checkout the data folders (``annotations_schema/``, ``resources/``) sit
next to the ``app`` package. In a frozen PyInstaller bundle they are unpacked under
``sys._MEIPASS``. The user's data and log folders come from ``platformdirs``;
``LOUPE_DATA_DIR`` replaces both (tests, portable installs). Nothing else in the code
should guess these locations.

Standard library (and ``platformdirs``, imported when asked): every layer may import it.
"""

from __future__ import annotations

import os
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


def app_version() -> str:
    """Loupe's version as installed (the distribution's metadata), or "unknown"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("loupe-coder")
    except PackageNotFoundError:
        return "unknown"


def resources_dir() -> Path:
    """``resources/``: icons, style sheets, sample articles, translations."""
    return root_dir() / "resources"


def sample_dir() -> Path:
    """``resources/sample/``: the sources of the bundled sample project."""
    return resources_dir() / "sample"


def user_data_dir() -> Path:
    """The user's Loupe data folder (the sample project): ``LOUPE_DATA_DIR`` when set, else
    ``~/.local/share/Loupe``, ``%LOCALAPPDATA%\\Loupe``, ``~/Library/Application Support/Loupe``."""
    override = os.environ.get("LOUPE_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir as platform_data_dir

    return Path(platform_data_dir("Loupe", appauthor=False))


def log_dir() -> Path:
    """Where the log file and crash reports go: ``<LOUPE_DATA_DIR>/logs`` when set, else
    the user's log folder (``~/.local/state/Loupe/log``, ``%LOCALAPPDATA%\\Loupe\\Logs``,
    ``~/Library/Logs/Loupe``)."""
    override = os.environ.get("LOUPE_DATA_DIR")
    if override:
        return Path(override) / "logs"
    from platformdirs import user_log_dir

    return Path(user_log_dir("Loupe", appauthor=False))
