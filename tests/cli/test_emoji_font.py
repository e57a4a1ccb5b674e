"""The emoji font of the Linux bundle: its runtime hook (packaging/hooks/rthook_loupe_fonts.py)
and the check the bundle's smoke test runs with it, here against a fake bundle folder.
The check on the built bundle itself is ``packaging/smoke_test.py``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "packaging" / "hooks" / "rthook_loupe_fonts.py"
FETCH = ROOT / "packaging" / "fonts" / "fetch_emoji_font.py"
sys.path.insert(0, str(ROOT / "packaging"))

import smoke_test  # noqa: E402

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle's font")

#: Runs the hook as the bundle's bootloader would, with ``sys._MEIPASS`` the fake bundle.
_RUN_HOOK = """
import os, sys
sys._MEIPASS = {folder!r}
exec(compile(open({hook!r}, encoding="utf-8").read(), {hook!r}, "exec"))
print("FONTCONFIG_FILE=" + os.environ.get("FONTCONFIG_FILE", ""))
"""


@pytest.fixture(scope="module")
def emoji_font(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The font folder the build fetches (build/fonts), fetched here when missing."""
    folder = ROOT / "build" / "fonts"
    if not (folder / "NotoColorEmoji.ttf").is_file():
        folder = tmp_path_factory.mktemp("fonts")
        done = subprocess.run([sys.executable, str(FETCH), str(folder)], capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            pytest.skip(f"the emoji font cannot be fetched here: {done.stdout[-300:]}")
    return folder


def _bundle(tmp_path: Path, font: Path | None, licence: Path | None) -> Path:
    """A fake ``_internal`` folder with resources/fonts as the spec lays it out."""
    fonts = tmp_path / "_internal" / "resources" / "fonts"
    fonts.mkdir(parents=True)
    shutil.copyfile(ROOT / "packaging" / "fonts" / "bundle-fonts.conf", fonts / "fonts.conf")
    if font is not None:
        shutil.copyfile(font, fonts / "NotoColorEmoji.ttf")
    if licence is not None:
        shutil.copyfile(licence, fonts / "NotoColorEmoji-LICENSE.txt")
    return tmp_path / "_internal"


def _run_hook(internal: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("FONTCONFIG_FILE", "FONTCONFIG_PATH")}
    environment.update(QT_QPA_PLATFORM="offscreen", **env)
    return subprocess.run([sys.executable, "-c", _RUN_HOOK.format(folder=str(internal), hook=str(HOOK))],
                          env=environment, capture_output=True, text=True, timeout=120)


def test_check_passes_with_the_font(tmp_path: Path, emoji_font: Path) -> None:
    internal = _bundle(tmp_path, emoji_font / "NotoColorEmoji.ttf", emoji_font / "NotoColorEmoji-LICENSE.txt")
    done = _run_hook(internal, LOUPE_CHECK_EMOJI_FONT="1")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("emoji font:")]
    assert len(lines) == 7 and all(line.startswith("emoji font: ok") for line in lines), done.stdout
    assert "addApplicationFont loads the file" in done.stdout
    assert "has U+1F600 and U+2764" in done.stdout
    assert "SIL OPEN FONT LICENSE Version 1.1" in (emoji_font / "NotoColorEmoji-LICENSE.txt").read_text()


def test_check_fails_without_the_font(tmp_path: Path) -> None:
    internal = _bundle(tmp_path, None, None)
    done = _run_hook(internal, LOUPE_CHECK_EMOJI_FONT="1")
    assert done.returncode == 1
    assert "emoji font: FAIL font in the bundle" in done.stdout
    assert "emoji font: FAIL licence in the bundle" in done.stdout


def test_check_fails_when_qt_cannot_load_the_font(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font" * 100)
    internal = _bundle(tmp_path / "bundle", broken, broken)
    done = _run_hook(internal, LOUPE_CHECK_EMOJI_FONT="1")
    assert done.returncode == 1
    assert "emoji font: FAIL QFontDatabase.addApplicationFont loads the file (id -1)" in done.stdout


def test_hook_points_fontconfig_at_the_bundle_unless_the_user_chose(tmp_path: Path) -> None:
    internal = _bundle(tmp_path, None, None)
    done = _run_hook(internal)
    assert done.returncode == 0, done.stderr
    assert f"FONTCONFIG_FILE={internal / 'resources' / 'fonts' / 'fonts.conf'}" in done.stdout
    done = _run_hook(internal, FONTCONFIG_FILE="/etc/fonts/fonts.conf")
    assert "FONTCONFIG_FILE=/etc/fonts/fonts.conf" in done.stdout


def test_smoke_test_fails_a_bundle_without_the_font(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _bundle(tmp_path, None, None)
    assert smoke_test.emoji_font(tmp_path / "loupe", [], dict(os.environ), tmp_path) == 1
    assert "the emoji font is missing from the bundle" in capsys.readouterr().out


def test_what_was_cut_to_make_room_stays_out() -> None:
    """The font (11 MB) fits under the 300 MB limit because these are left out; the
    offline self-test in test_packaging.py runs the program without them."""
    import prune

    for name in ("ssl", "_ssl", "_hashlib", "curses", "_curses", "readline", "pytz", "pytz.tzinfo"):
        assert prune.is_excluded_module(name), name
    for name in ("hashlib", "urllib3", "babel.dates", "pandas"):
        assert not prune.is_excluded_module(name), name
    assert prune.is_dropped_path("spacy/matcher/levenshtein.c")
    assert not prune.is_dropped_path("resources/fonts/NotoColorEmoji.ttf")
