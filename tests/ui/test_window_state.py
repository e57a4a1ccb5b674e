"""The window's layout saved at closing comes back at the next start, without leftovers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# One start of the window: the visible tab bars, by their tabs, then close (saving the layout).
_START = """
import json, sys
from collections import Counter
from PySide6.QtWidgets import QApplication, QTabBar
from app.ui.application import open_window
window = open_window(sys.argv[1], "demo", settings_path=sys.argv[2])
for _ in range(30):
    QApplication.processEvents()
groups = Counter(",".join(bar.tabText(i) for i in range(bar.count()))
                 for bar in window.findChildren(QTabBar) if bar.isVisible() and bar.count() > 0)
window.close()
print(json.dumps(groups))
"""


def _start(project: Path, settings: Path) -> dict[str, int]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _START, str(project), str(settings)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_restored_layout_draws_each_group_of_tabbed_docks_once(project_file, settings_file) -> None:
    _start(project_file, settings_file)  # the first start saves its layout at closing
    groups = _start(project_file, settings_file)
    # Tabified before the saved layout was restored, a second bar stayed drawn over the article list.
    assert groups.get("Labels,Entities") == 1, groups
    assert groups.get("Relations,Article questions") == 1, groups
