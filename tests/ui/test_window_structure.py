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
LAUNCHERS = {"app.ui.application", "app.ui.self_test"}


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


def test_the_window_makes_its_menus_and_gathers_their_actions(qtbot, project_file: Path, settings_file: Path) -> None:  # noqa: ANN001 - pytest-qt fixture
    from app.ui.application import open_window

    window = open_window(project_file, "ana", settings_path=settings_file)
    qtbot.addWidget(window)
    menus = window.menus
    in_bar = [a.menu() for a in window.menuBar().actions()]
    assert in_bar == [menus.file, menus.edit, menus.go, menus.code, menus.view, menus.team, menus.help]
    file_entries = menus.file.actions()
    assert menus.recent.menuAction() in file_entries
    merge, quit_action = window.actions_by_name["merge_coder_files"], window.actions_by_name["quit"]
    assert file_entries.index(merge) < file_entries.index(quit_action)
    assert window.actions_by_name["team_agreement"] in menus.team.actions()
    assert all(a.parent() is window for a in window.actions_by_name.values())

    labels = [a for a in menus.code.actions() if a.objectName().startswith("label_")]
    assert labels and labels == window.label_actions
    window.open_project(project_file, "ana")  # the label actions are replaced, not added twice
    again = [a for a in menus.code.actions() if a.objectName().startswith("label_")]
    assert again == window.label_actions and len(again) == len(labels)
    assert not set(labels) & set(window.article_panel.view.actions())
    window.close()
