#!/usr/bin/env python3
"""Fetch the emoji font the Linux bundle ships (Noto Color Emoji) into a build folder.

    python3 packaging/fonts/fetch_emoji_font.py [DEST]      (default: build/fonts)

A Linux without an emoji font shows the emoji of article texts as empty boxes; the
bundle brings its own (see ``EMOJI-FONT.txt`` beside this script for the source and the
licence). No font file is kept in git: this script downloads Debian's package
``fonts-noto-color-emoji`` with ``apt-get download`` (the pinned version first, then
whatever version the package lists have), unpacks it with ``dpkg-deb -x`` and copies
the font and its licence (Debian's copyright file, with the full SIL Open Font License
1.1) to DEST. Where that cannot run, an installed copy of the same package is used, or
the font named by ``LOUPE_EMOJI_FONT`` (its licence file beside it as
``NotoColorEmoji-LICENSE.txt``). Exits non-zero when no font can be had, so a bundle
without it is never built.

Standard library only.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "fonts-noto-color-emoji"
#: The version the bundle was built and tested with (Debian 12), and its font's SHA-256.
PINNED_VERSION = "2.042-0+deb12u1"
PINNED_SHA256 = "e5899ed38b8ed83e08bd3ac5de09791e9d19d288333a796de1d35ad17396f1ec"
FONT = "NotoColorEmoji.ttf"
LICENSE = "NotoColorEmoji-LICENSE.txt"
#: Where the package puts its files.
FONT_IN_PACKAGE = Path("usr/share/fonts/truetype/noto") / FONT
COPYRIGHT_IN_PACKAGE = Path("usr/share/doc") / PACKAGE / "copyright"


def say(text: str) -> None:
    print(f"[emoji font] {text}", flush=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _apt_download(version: str | None, folder: Path) -> Path | None:
    spec = f"{PACKAGE}={version}" if version else PACKAGE
    try:
        done = subprocess.run(["apt-get", "download", spec], cwd=folder, capture_output=True,
                              text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        say(f"apt-get download {spec}: {error}")
        return None
    debs = sorted(folder.glob(f"{PACKAGE}_*.deb"))
    if done.returncode != 0 or not debs:
        say(f"apt-get download {spec} failed: {done.stderr.strip().splitlines()[-1:] or done.returncode}")
        return None
    return debs[-1]


def from_debian(dest: Path) -> bool:
    """Download and unpack the Debian package; True when the font and licence are in dest."""
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        say("no apt-get/dpkg-deb on this machine")
        return False
    with tempfile.TemporaryDirectory(prefix="loupe-emoji-") as tmp:
        folder = Path(tmp)
        os.chmod(folder, 0o755)  # apt's sandbox user may write the download there
        deb = _apt_download(PINNED_VERSION, folder) or _apt_download(None, folder)
        if deb is None and hasattr(os, "geteuid") and os.geteuid() == 0:
            say("refreshing the package lists (apt-get update)")
            subprocess.run(["apt-get", "update"], capture_output=True, timeout=600)
            deb = _apt_download(PINNED_VERSION, folder) or _apt_download(None, folder)
        if deb is None:
            return False
        unpacked = folder / "x"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
        font, copyright_file = unpacked / FONT_IN_PACKAGE, unpacked / COPYRIGHT_IN_PACKAGE
        if not font.is_file() or not copyright_file.is_file():
            say(f"{deb.name} has no {FONT_IN_PACKAGE} or no copyright file")
            return False
        install(font, copyright_file, dest, source=deb.name)
        return True


def from_installed(dest: Path) -> bool:
    """An installed copy: ``LOUPE_EMOJI_FONT`` or the system's package."""
    named = os.environ.get("LOUPE_EMOJI_FONT")
    candidates = [(Path(named), Path(named).with_name(LICENSE))] if named else []
    candidates.append((Path("/") / FONT_IN_PACKAGE, Path("/") / COPYRIGHT_IN_PACKAGE))
    for font, licence in candidates:
        if font.is_file() and licence.is_file():
            install(font, licence, dest, source=str(font))
            return True
    return False


def install(font: Path, licence: Path, dest: Path, source: str) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(font, dest / FONT)
    shutil.copyfile(licence, dest / LICENSE)
    digest = sha256(dest / FONT)
    note = "the pinned version" if digest == PINNED_SHA256 else f"not the pinned {PINNED_VERSION}"
    say(f"{FONT} from {source}: {(dest / FONT).stat().st_size / 1e6:.1f} MB, sha256 {digest} ({note})")


def main(argv: list[str]) -> int:
    dest = Path(argv[0]) if argv else ROOT / "build" / "fonts"
    font = dest / FONT
    if font.is_file() and (dest / LICENSE).is_file() and sha256(font) == PINNED_SHA256:
        say(f"{font} is there already ({PINNED_VERSION})")
        return 0
    if os.environ.get("LOUPE_EMOJI_FONT") and from_installed(dest):
        return 0
    if from_debian(dest) or from_installed(dest):
        return 0
    say(f"no emoji font: install {PACKAGE} (Debian/Ubuntu), or set LOUPE_EMOJI_FONT to a "
        f"{FONT} with its licence beside it as {LICENSE}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
