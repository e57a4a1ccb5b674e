"""The network drops; nothing is lost (pytest-qt, the real window, a real cluster).

The server is stopped in the middle of a coder's session: the window goes on in the
copy on this computer and says how many edits wait; when the server is back they are
on it, once. A window killed (SIGKILL) while offline loses nothing either: the next
sign-in sends what it kept.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import main
from tests.server.cluster import Cluster, _as_postgres, _server_program
from tests.server.conftest import Study, login

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def server_stopped(cluster: Cluster) -> Iterator[None]:
    """The cluster stopped (fast: sessions are cut, as by a dropped network), then started again."""
    pg_ctl = _server_program("pg_ctl")
    assert pg_ctl is not None
    data = str(Path(cluster.socket_dir) / "data")
    subprocess.run(_as_postgres([pg_ctl, "-D", data, "-m", "fast", "-w", "stop"]), check=True, capture_output=True)
    try:
        yield
    finally:
        options = (f"-c listen_addresses=127.0.0.1 -p {cluster.port} "
                   f"-c unix_socket_directories={cluster.socket_dir} -c fsync=off")
        subprocess.run(_as_postgres([pg_ctl, "-D", data, "-l", str(Path(cluster.socket_dir) / "server.log"),
                                     "-o", options, "-w", "start"]), check=True, capture_output=True)


@pytest.fixture
def published(pg_cluster: Cluster, server_url: str, study: Study, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> str:
    """The study on the server with ana's login; ana's URL (with her password)."""
    assert main(["server", "init", server_url, "--from", str(study.path)]) == 0
    secret = tmp_path / "ana.pw"
    secret.write_text("ana-pw\n", encoding="utf-8")
    assert main(["server", "passwd", server_url, "ana", "--password-file", str(secret)]) == 0
    monkeypatch.setenv("LOUPE_DATA_DIR", str(tmp_path / "data"))  # the copies go here
    return server_url.replace("lead:pw@", "ana:ana-pw@")


def _ana_rows(cluster: Cluster, url: str, article: str) -> dict[str, tuple]:
    with login(cluster, url, "ana", "ana-pw") as conn:
        rows = conn.execute(
            'SELECT id, label, start, "end", revision, deleted_at IS NOT NULL FROM annotation '
            "WHERE article_id = %s", (article,)
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


def _first_article_of(study: Study) -> str:
    return sorted(study.assigned["ana"] - study.assigned["ben"])[0]


def test_the_window_codes_on_while_the_server_is_down_and_sends_it_all_once(
    qtbot, pg_cluster, published, study, tmp_path
) -> None:
    from app.ui.application import open_window

    window = open_window(published, "ana", settings_path=tmp_path / "settings.ini")
    qtbot.addWidget(window)
    c = window.controller
    article = _first_article_of(study)
    c.open_article(article)
    online = c.create_annotation("Actor", 0, 6)
    assert online is not None and window.connection_notice.isHidden()
    qtbot.wait(50)  # the copy follows once the key press has returned
    with server_stopped(pg_cluster):
        offline = c.create_annotation("Claim", 10, 30)
        assert offline is not None  # the edit was kept, not refused
        assert c.change_annotation(online, end=8)
        c.undo_stack.undo()  # undone offline too: end back at 6
        assert c.change_annotation(online, end=9)
        assert window.connection_notice.isVisible()
        assert window.connection_notice.text() == "Offline \u2014 2 edits waiting"
        assert {a.id for a in c.bundle.annotations} >= {online, offline}
        assert c.offline is not None and not c.offline.try_server()  # still down: nothing happens
    assert c.offline.try_server()
    assert window.connection_notice.isHidden()
    assert "2 edits made offline sent" in window.statusBar().currentMessage()
    rows = _ana_rows(pg_cluster, published, article)
    assert rows[online][:3] == ("Actor", 0, 9) and rows[offline][:3] == ("Claim", 10, 30)
    revision = rows[online][3]
    assert c.offline.try_server()  # online: sending again sends nothing
    assert _ana_rows(pg_cluster, published, article)[online][3] == revision
    # Coding goes on on the server.
    assert c.change_annotation(offline, end=31)
    assert _ana_rows(pg_cluster, published, article)[offline][:3] == ("Claim", 10, 31)
    window.close()


_KILLED_WINDOW = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from app.ui.application import open_window
    url, article, flag, settings = sys.argv[1:5]
    window = open_window(url, "ana", settings_path=settings)
    c = window.controller
    c.open_article(article)
    print("open", flush=True)
    while not Path(flag).exists():
        time.sleep(0.05)
    span = c.create_annotation("Actor", 2, 12)
    c.change_annotation(span, end=14)
    question = next(q for q in c.project.codebook.questions if q.type == "single_choice")
    c.set_answer(question.name, question.option_values[0])
    print("coded", span, flush=True)
    time.sleep(600)
""")


def test_a_window_killed_while_offline_loses_nothing(qtbot, pg_cluster, published, study, tmp_path) -> None:
    article = _first_article_of(study)
    flag = tmp_path / "server-is-down"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WINDOW, published, article, str(flag), str(tmp_path / "s.ini")],
        stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "open"
        with server_stopped(pg_cluster):
            flag.touch()
            line = child.stdout.readline().split()
            assert line[0] == "coded", line
            span = line[1]
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            time.sleep(0.2)
    finally:
        if child.poll() is None:
            child.kill()
    assert span not in _ana_rows(pg_cluster, published, article)  # the server never saw it

    from app.ui.controller import CodingController

    controller = CodingController()
    messages: list[str] = []
    controller.message.connect(messages.append)
    controller.open_project(published, "ana")  # the next sign-in sends what was kept
    qtbot.waitUntil(lambda: any("sent to the team server" in m for m in messages))
    assert _ana_rows(pg_cluster, published, article)[span][:3] == ("Actor", 2, 14)
    with login(pg_cluster, published, "ana", "ana-pw") as conn:
        (answers,) = conn.execute("SELECT COUNT(*) FROM document_code d JOIN coder c ON c.id = d.coder_id "
                                  "WHERE d.article_id = %s AND c.name = 'ana' AND d.deleted_at IS NULL",
                                  (article,)).fetchone()
    assert answers >= 1
    controller.close_project()


def _answer_password_dialog(qtbot, password: str) -> None:
    """Type ``password`` into the sign-in dialog once it is shown (it runs modally)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QInputDialog

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, fill)
            return
        dialog.setTextValue(password)
        dialog.accept()

    QTimer.singleShot(0, fill)


def test_a_window_started_while_the_server_is_down_codes_in_the_copy(
    qtbot, pg_cluster, published, study, tmp_path
) -> None:
    """Started on the train: the server cannot be reached at sign-in, so the window opens
    the copy of what this login opened before, as its coder, and codes offline; when the
    server is back it asks for the password the URL lacks and sends the edits once."""
    from app.core.location import location_key
    from app.ui.application import open_window
    from app.ui.main_window import MainWindow
    from app.ui.server_sign_in import open_on_server
    from app.ui.settings import Settings

    article = _first_article_of(study)
    window = open_window(published, "ana", settings_path=tmp_path / "settings.ini")
    qtbot.addWidget(window)
    window.controller.open_article(article)
    before = window.controller.create_annotation("Actor", 0, 6)
    qtbot.wait(50)  # the copy follows once the key press has returned
    window.close()
    window.controller.close_project()

    without_password = location_key(published)  # as in recent projects
    assert "ana-pw" not in without_password
    with server_stopped(pg_cluster):
        later = MainWindow(Settings(tmp_path / "settings.ini"))
        qtbot.addWidget(later)
        assert open_on_server(later, without_password)  # what File > Open Recent does
        c = later.controller
        assert c.coder is not None and c.coder.name == "ana"
        assert c.offline is not None and c.offline.offline
        assert c.bundle is not None and c.bundle.article.id == article  # the last article, from the copy
        assert before in {a.id for a in c.bundle.annotations}
        offline = c.create_annotation("Claim", 10, 30)
        assert offline is not None
        qtbot.waitUntil(lambda: later.connection_notice.text() == "Offline \u2014 1 edit waiting")
    _answer_password_dialog(qtbot, "ana-pw")
    assert not c.offline.try_server()  # refused without a password: the window asks for it ...
    qtbot.waitUntil(lambda: not c.offline.offline)  # ... and sends once signed in
    assert later.connection_notice.isHidden()
    rows = _ana_rows(pg_cluster, published, article)
    assert rows[offline][:3] == ("Claim", 10, 30) and rows[before][:3] == ("Actor", 0, 6)
    assert c.change_annotation(offline, end=31)  # on the server again
    assert _ana_rows(pg_cluster, published, article)[offline][:3] == ("Claim", 10, 31)
    later.close()


def test_without_a_copy_the_window_says_the_server_cannot_be_reached(qtbot, pg_cluster, published) -> None:
    from app.core.errors import ServerUnreachable
    from app.ui.main_window import MainWindow
    from app.ui.server_sign_in import open_on_server
    from app.ui.settings import Settings

    window = MainWindow(Settings(None))
    qtbot.addWidget(window)
    with server_stopped(pg_cluster), pytest.raises(ServerUnreachable, match="cannot be reached"):
        open_on_server(window, published)
    assert window.controller.project is None


def test_a_connection_cut_while_idle_is_replaced_unseen(pg_cluster, published, study, monkeypatch) -> None:
    """The server restarted while the window's pooled connection waited: the next edit
    tries the idle connection first, the pool connects anew, and the edit is made."""
    import sys

    from app.core.edits import AddAnnotation
    from app.services.editing import apply_edit, new_annotation
    from app.services.projects import open_project

    article = _first_article_of(study)
    with open_project(published) as project:
        ana = next(c for c in project.store.coders.list() if c.name == "ana")
        project.store.articles.get(article)  # a connection now waits in the pool
        with server_stopped(pg_cluster):
            pass  # ... and is cut by the restart
        monkeypatch.setattr(sys.modules["app.store.unreachable"], "IDLE_PING_SECONDS", 0.0)
        added = new_annotation(article, ana.id, "Actor", 0, 6)
        apply_edit(project, AddAnnotation(added))
    assert _ana_rows(pg_cluster, published, article)[added.id][:3] == ("Actor", 0, 6)
