"""The coding window on a team server (pytest-qt, the real window, a real cluster).

A coder's login opens the window on the URL and codes: every edit is a row on the
server under that coder, the list holds only the coder's articles, the lead's actions
say why they are closed. Without a password the window asks for it (again when it is
wrong). The lead (the database's owner) opens the Team window on the same URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from app.cli.main import main
from app.core.location import location_key
from tests.server.conftest import Cluster, Study, login

pytestmark = pytest.mark.gui


@pytest.fixture
def published(pg_cluster: Cluster, server_url: str, study: Study, tmp_path: Path) -> str:
    """The study on the server, with ana's login (password ``ana-pw``)."""
    assert main(["server", "init", server_url, "--from", str(study.path)]) == 0
    secret = tmp_path / "ana.pw"
    secret.write_text("ana-pw\n", encoding="utf-8")
    assert main(["server", "passwd", server_url, "ana", "--password-file", str(secret)]) == 0
    return server_url


@pytest.fixture(autouse=True)
def _no_password_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """libpq must find no password but the one in the URL or typed in the window."""
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-such-pgpass"))


def _as(url: str, user: str, password: str | None) -> str:
    head, tail = url.split("@", 1)
    scheme = head.split("://", 1)[0]
    return f"{scheme}://{user}{':' + password if password is not None else ''}@{tail}"


@pytest.fixture
def ana_window(qtbot, published: str, tmp_path: Path) -> Iterator[object]:  # noqa: ANN001 - pytest-qt
    from app.ui.application import open_window

    window = open_window(_as(published, "ana", "ana-pw"), "ana", settings_path=tmp_path / "settings.ini")
    qtbot.addWidget(window)
    yield window
    window.close()


def test_a_coders_edits_in_the_window_are_rows_on_the_server(ana_window, pg_cluster, published, study) -> None:
    window = ana_window
    c = window.controller
    assert {entry.id for entry in c.order} == study.assigned["ana"]  # only ana's articles
    assert "on 127.0.0.1" in window.windowTitle() and "ana-pw" not in window.windowTitle()

    article = next(entry.id for entry in c.order if entry.id not in study.assigned["ben"])
    c.open_article(article)
    actor = c.create_annotation("Actor", 0, 6)
    claim = c.create_annotation("Claim", 8, 30)
    assert actor and claim
    assert c.change_annotation(actor, end=7)
    relation_types = c.project.codebook.relation_types
    assert c.add_relation(relation_types[0].name, claim, actor)
    undone = c.create_annotation("Actor", 40, 45)
    c.undo_stack.undo()  # the last span is deleted on the server (a tombstone)
    assert c.set_status("in_progress")

    with login(pg_cluster, published, "lead", "pw") as conn:
        rows = conn.execute(
            'SELECT a.id, a.label, a."end", a.deleted_at IS NOT NULL, c.name FROM annotation a '
            "JOIN coder c ON c.id = a.coder_id WHERE a.article_id = %s AND c.name = 'ana'", (article,)
        ).fetchall()
        by_id = {row[0]: row[1:] for row in rows}
        (relations,) = conn.execute(
            "SELECT COUNT(*) FROM relation WHERE article_id = %s AND source_id = %s AND target_id = %s "
            "AND deleted_at IS NULL", (article, claim, actor)
        ).fetchone()
        (status,) = conn.execute(
            "SELECT s.status FROM assignment s JOIN coder c ON c.id = s.coder_id "
            "WHERE s.article_id = %s AND c.name = 'ana'", (article,)
        ).fetchone()
    assert by_id[actor] == ("Actor", 7, False, "ana")
    assert by_id[claim][0] == "Claim" and by_id[undone][2] is True
    assert relations == 1 and status == "in_progress"


def test_a_coders_login_cannot_open_the_lead_actions(ana_window) -> None:
    window = ana_window
    assert window.team.lead_window() is None
    assert "signed in to the team server as ana, a coder" in window.statusBar().currentMessage()
    assert not window.actions_by_name["import_articles"].isEnabled()
    assert window.team.merge([Path("x.loupe")]) is None


def _answer_password_dialogs(values: list[str], labels: list[str], rounds: int) -> None:
    """Type ``values`` into the next password dialogs, one each, then cancel the next;
    ``labels`` collects what each dialog said. Stops after ``rounds`` dialogs."""
    typed = iter(values)

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, answer)
            return
        labels.append(dialog.labelText())
        value = next(typed, None)
        if value is None:
            dialog.reject()
        else:
            dialog.setTextValue(value)
            dialog.accept()
        if len(labels) < rounds:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)


def test_the_window_asks_for_the_password_and_again_when_it_is_wrong(qtbot, published) -> None:
    from app.ui.server_sign_in import sign_in

    url = _as(published, "ana", None)
    labels: list[str] = []
    _answer_password_dialogs(["wrong", "ana-pw"], labels, rounds=2)
    signed = sign_in(None, url)
    assert signed is not None and location_key(signed) == location_key(url)
    assert len(labels) == 2
    assert labels[0].startswith("Password of ana on")
    assert labels[1].startswith("The server refused that password.")

    labels.clear()
    _answer_password_dialogs([], labels, rounds=1)
    assert sign_in(None, url) is None  # cancelled: nothing opened, no error
    assert len(labels) == 1


def test_the_lead_opens_the_team_window_on_the_server(qtbot, published, study, tmp_path) -> None:
    from app.ui.application import open_window

    window = open_window(published, "lena", settings_path=tmp_path / "settings.ini")
    qtbot.addWidget(window)
    lead = window.team.show_assignments()
    assert lead is not None
    qtbot.waitUntil(lambda: lead.assignments.articles.rowCount() == len(study.articles))
    window.close()
