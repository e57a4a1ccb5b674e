#!/usr/bin/env python3
"""Set up a development copy of Loupe and run it or its tests.

    python3 packaging/bootstrap.py run [ARGS...]    the app (the sample project by default)
    python3 packaging/bootstrap.py test [PYTEST ARGS...]   the import contracts, ruff, mypy and all tests
    python3 packaging/bootstrap.py bundle   build the installable bundle and smoke-test it

Needs only Python 3.11+ and git. Creates ``.venv`` beside ``pyproject.toml``, installs the
package with its dependencies and the spaCy English pipeline (again only when
``pyproject.toml`` changed), and checks the system libraries Qt needs: as root it
installs missing ones with apt-get, otherwise it prints the one command to run.
``bundle`` also installs the ``package`` extra (PyInstaller) and runs the platform's
build script (Linux: ``packaging/build_linux.sh``), which ends with the smoke test.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".loupe-installed"

#: Debian/Ubuntu packages Qt needs: offscreen first, then a real X11 window.
QT_OFFSCREEN = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libdbus-1.so.3": "libdbus-1-3",
}
QT_X11 = {
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-shape.so.0": "libxcb-shape0",
}

#: Programs only the tests need (looked up on PATH) and the Debian packages that provide
#: them: LibreOffice converts exported workbooks back to CSV in the export tests.
#: PostgreSQL's server programs (initdb, pg_ctl) for the team-server tests, which start a
#: throwaway cluster: Debian keeps them in /usr/lib/postgresql/<version>/bin, off PATH.
TEST_PACKAGES = {"soffice": "libreoffice-calc-nogui"}
POSTGRES_PACKAGE = "postgresql"
#: Font files the tests need (looked up by path) and their Debian packages: CI runs the
#: GUI tests a second time with only fonts-dejavu-core (packaging/fonts/dejavu-only.conf),
#: so a pixel or layout test that passes only with one machine's fonts fails there.
TEST_FONTS = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf": "fonts-dejavu-core"}


def say(text: str) -> None:
    print(f"[bootstrap] {text}", file=sys.stderr, flush=True)


def run(command: list[str], **kwargs: object) -> None:
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def missing_libraries(wanted: dict[str, str]) -> list[str]:
    ldconfig = shutil.which("ldconfig") or ("/sbin/ldconfig" if Path("/sbin/ldconfig").exists() else None)
    if not sys.platform.startswith("linux") or ldconfig is None:
        return []
    known = subprocess.run([ldconfig, "-p"], capture_output=True, text=True).stdout
    return [package for soname, package in wanted.items() if soname not in known]


def apt_install(packages: list[str], why: str) -> bool:
    """Install Debian packages as root; otherwise print the command. True if present now."""
    if not packages:
        return True
    line = "apt-get install -y " + " ".join(packages)
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if not (is_root and shutil.which("apt-get")):
        say(f"{why} needs system packages; run:  sudo {line}")
        return False
    say(f"installing system packages for {why}: {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        run(["apt-get", "install", "-y", "--no-install-recommends", *packages], env=env,
            stdout=subprocess.DEVNULL)
    except subprocess.CalledProcessError:
        run(["apt-get", "update"], env=env, stdout=subprocess.DEVNULL)
        run(["apt-get", "install", "-y", "--no-install-recommends", *packages], env=env,
            stdout=subprocess.DEVNULL)
    return True


def ensure_system_libraries(window: bool) -> None:
    wanted = dict(QT_OFFSCREEN, **(QT_X11 if window else {}))
    apt_install(missing_libraries(wanted), "Qt")


def ensure_test_programs() -> None:
    missing = [package for program, package in TEST_PACKAGES.items() if shutil.which(program) is None]
    if shutil.which("initdb") is None and not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        missing.append(POSTGRES_PACKAGE)
    if sys.platform.startswith("linux"):
        missing += [package for font, package in TEST_FONTS.items() if not Path(font).exists()]
    if missing and not apt_install(missing, "the tests"):
        say("the tests that need them will be skipped")


def ensure_venv() -> None:
    if PYTHON.exists():
        return
    say(f"creating {VENV.relative_to(ROOT)}")
    try:
        run([sys.executable, "-m", "venv", str(VENV)])
    except subprocess.CalledProcessError:
        shutil.rmtree(VENV, ignore_errors=True)
        version = f"python{sys.version_info.major}.{sys.version_info.minor}-venv"
        if not apt_install([version], "creating a virtual environment"):
            sys.exit(1)
        run([sys.executable, "-m", "venv", str(VENV)])


def ensure_packages(extras: str) -> None:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    wanted = f"{digest} {extras}"
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    say(f"installing Loupe and its dependencies ({extras}) into .venv; this takes a few minutes once")
    run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[{extras}]"])
    if "test" in extras:
        # A reference implementation for the agreement tests only. Its own pins (an old
        # SciPy and pandas < 3) would downgrade the environment, and the functions the
        # tests call need neither, so it goes in without its dependencies.
        run([str(PYTHON), "-m", "pip", "install", "--quiet", "--no-deps", "irrCAC==0.4.4"])
    STAMP.write_text(wanted + "\n")


def ensure_package_tools() -> None:
    """The ``package`` extra (PyInstaller), kept apart from the development install."""
    import tomllib

    stamp = VENV / ".loupe-package-installed"
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["optional-dependencies"]["package"]
    if stamp.exists() and stamp.read_text().strip() == repr(wanted):
        return
    say("installing the packaging tools (the `package` extra) into .venv")
    run([str(PYTHON), "-m", "pip", "install", "--quiet", *wanted])
    stamp.write_text(repr(wanted) + "\n")


def bundle() -> int:
    """Build the bundle for this platform with its build script; the script ends with
    the smoke test of the built program."""
    ensure_package_tools()
    if sys.platform.startswith("linux"):
        if shutil.which("strip") is None:
            apt_install(["binutils"], "stripping debug sections from the bundle")
        return subprocess.call(["bash", str(ROOT / "packaging" / "build_linux.sh")], cwd=ROOT)
    script = ("packaging/build_windows.ps1" if os.name == "nt" else "packaging/macos/build_macos.sh")
    say(f"on this platform, build with {script}")
    return 2


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - run by any system python3
        say(f"Loupe needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
        return 1
    if not argv or argv[0] not in {"run", "test", "bundle"}:
        print(__doc__)
        return 2
    action, rest = argv[0], argv[1:]
    ensure_venv()
    ensure_packages("model,test")
    ensure_system_libraries(window=action == "run" and bool(os.environ.get("DISPLAY")))
    if action == "test":
        ensure_test_programs()
    if action == "bundle":
        return bundle()
    env = dict(os.environ)
    if action == "run":
        return subprocess.call([str(BIN / "loupe"), *rest], env=env)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    checks = [
        ([str(BIN / "lint-imports"), "--config", str(ROOT / "pyproject.toml")], "import contracts"),
        ([str(BIN / "ruff"), "check", "app", "tests", "benchmarks", "packaging"], "lint"),
        ([str(BIN / "mypy")], "type"),  # app/, as [tool.mypy] in pyproject.toml says
    ]
    for command, what in checks:
        if subprocess.call(command, cwd=ROOT, env=env) != 0:
            say(f"the {what} check failed (see above)")
            return 1
    # The whole suite runs on two workers; a narrower run (arguments given) runs in-process.
    parallel = [] if rest else ["-n", "2"]
    return subprocess.call([str(PYTHON), "-m", "pytest", *parallel, *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
