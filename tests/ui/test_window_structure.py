"""The main window's interface is explicit: its parts do not import it back (not even
for type hints) and no module sets attributes on it from outside.

These read the source only (no Qt needed)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "app" / "ui"
MAIN_WINDOW = "app.ui.main_window"

#: The modules that build the window: they sit above it, so importing it is no cycle.
LAUNCHERS = {"app.ui", "app.ui.application", "app.ui.self_test"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(UI.parents[1]).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports anywhere: at the top, in functions, under
    TYPE_CHECKING (``ast.walk`` visits every block)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module_name(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _ui_files() -> list[Path]:
    return sorted(UI.rglob("*.py"))


def test_no_part_of_the_window_imports_main_window() -> None:
    offenders = [
        str(path.relative_to(UI.parents[1]))
        for path in _ui_files()
        if _module_name(path) not in LAUNCHERS | {MAIN_WINDOW} and MAIN_WINDOW in _imports(path)
    ]
    assert offenders == [], f"import app.ui.main_window back (use app.ui.window_parts): {offenders}"


def test_main_window_is_on_no_import_cycle() -> None:
    """Nothing main_window imports, directly or through other modules of app.ui,
    imports it again (the launchers included)."""
    graph = {_module_name(path): _imports(path) for path in _ui_files()}
    seen: set[str] = set()
    todo = [name for name in graph[MAIN_WINDOW] if name in graph]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        assert MAIN_WINDOW not in graph[name], f"{name} imports main_window, which imports it"
        todo += [other for other in graph[name] if other in graph and other != MAIN_WINDOW]


def test_no_module_sets_attributes_on_the_window() -> None:
    assignment = re.compile(r"\b(?:window|main_window|mw)\.[a-z_]+\s*(?::[^=]+)?=(?!=)")
    offenders = [
        f"{path.relative_to(UI.parents[1])}:{number}: {line.strip()}"
        for path in _ui_files()
        if path.name != "main_window.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if assignment.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == [], "set attributes on the main window from outside:\n" + "\n".join(offenders)


def test_setattr_on_the_window_is_not_used_either() -> None:
    offenders = [
        str(path.relative_to(UI.parents[1]))
        for path in _ui_files()
        if path.name != "main_window.py" and re.search(r"setattr\(\s*(?:self\.)?(?:main_)?window\b", path.read_text())
    ]
    assert offenders == []
