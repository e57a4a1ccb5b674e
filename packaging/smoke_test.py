#!/usr/bin/env python3
"""Smoke test of a built bundle: run ``loupe --self-test`` from it, offline.

    python packaging/smoke_test.py [BUNDLE]

BUNDLE is the one-folder bundle (default ``dist/loupe``; on macOS ``dist/Loupe.app``
works too). The bundled program runs with the offscreen Qt platform, its data and
settings in a temporary folder, and, where the system allows it, in a network
namespace with no network at all (``unshare -n``, Linux); elsewhere the proxy
variables point at an unroutable address, and the self-test's own audit of socket
calls fails it if anything tries to connect. Prints the self-test's lines, the
bundle's size and the time taken; exits with the self-test's exit code.

On Linux it first checks the bundled emoji font (``LOUPE_CHECK_EMOJI_FONT=1``, see
``packaging/hooks/rthook_loupe_fonts.py``): the font and its licence are in the bundle,
Qt's fallback draws an emoji with it, ``QFontDatabase.addApplicationFont`` loads it and
``QFontMetrics`` of it has the emoji; any failure fails the smoke test.

Standard library only: it runs with any Python 3.11+, not the bundle's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from prune import folder_size, largest_parts  # noqa: E402

#: An address nothing answers on (TEST-NET-1, RFC 5737), for the proxy variables.
UNROUTABLE_PROXY = "http://192.0.2.1:9"


def executable(bundle: Path) -> Path:
    """The program to run inside a bundle folder (or a macOS .app)."""
    if bundle.suffix == ".app":
        return bundle / "Contents" / "MacOS" / "loupe"
    if sys.platform == "win32":
        # loupe.exe is the window program (no console); loupe-cli.exe prints.
        return bundle / "loupe-cli.exe"
    return bundle / "loupe"


def no_network_prefix() -> list[str]:
    """``unshare -n`` where it works (as root, or with user namespaces), else nothing."""
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return []
    for prefix in (["unshare", "-n"], ["unshare", "-r", "-n"]):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=20).returncode == 0:
                return prefix
        except (OSError, subprocess.TimeoutExpired):
            continue
    return []


def bundle_env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):  # the bundle brings its own
        env.pop(name, None)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        LOUPE_DATA_DIR=str(folder / "data"),
        LOUPE_SETTINGS=str(folder / "settings.ini"),
        http_proxy=UNROUTABLE_PROXY, https_proxy=UNROUTABLE_PROXY,
        HTTP_PROXY=UNROUTABLE_PROXY, HTTPS_PROXY=UNROUTABLE_PROXY, no_proxy="",
    )
    return env


def main(argv: list[str]) -> int:
    bundle = Path(argv[0]) if argv else ROOT / "dist" / "loupe"
    program = executable(bundle)
    if not program.exists():
        print(f"smoke test: no built program at {program}; build the bundle first", file=sys.stderr)
        return 2
    folder_bundle = bundle if bundle.suffix != ".app" else bundle / "Contents"
    print(f"bundle {bundle}: {folder_size(folder_bundle) / 1e6:.0f} MB; largest parts:")
    for name, size in largest_parts(folder_bundle):
        print(f"  {size / 1e6:7.1f} MB  {name}")
    prefix = no_network_prefix()
    print("network: " + ("none (unshare -n)" if prefix else f"proxies set to {UNROUTABLE_PROXY}; "
                         "socket calls audited by the self-test"), flush=True)
    with tempfile.TemporaryDirectory(prefix="loupe-smoke-") as tmp:
        env = bundle_env(Path(tmp))
        version = subprocess.run([*prefix, str(program), "--version"], env=env,
                                 capture_output=True, text=True, timeout=120)
        print(f"version: {version.stdout.strip() or version.stderr.strip()}", flush=True)
        if version.returncode != 0:
            print(f"smoke test: `loupe --version` failed with {version.returncode}")
            return 1
        if sys.platform.startswith("linux") and bundle.suffix != ".app":
            failed = emoji_font(program, prefix, env, bundle)
            if failed:
                return failed
        started = time.perf_counter()
        done = subprocess.run(
            [*prefix, str(program), "--self-test", "--keep", str(Path(tmp) / "self-test")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600,
        )
        print(done.stdout, end="", flush=True)
        print(f"smoke test: self-test exited with {done.returncode} "
              f"after {time.perf_counter() - started:.1f} s")
        if done.returncode != 0:
            return done.returncode
        return _exports(program, prefix, env, Path(tmp))


#: Where the Linux bundle keeps its emoji font (see packaging/fonts/EMOJI-FONT.txt).
EMOJI_FONT = Path("_internal") / "resources" / "fonts" / "NotoColorEmoji.ttf"
EMOJI_LICENSE = EMOJI_FONT.with_name("NotoColorEmoji-LICENSE.txt")


def emoji_font(program: Path, prefix: list[str], env: dict[str, str], bundle: Path) -> int:
    """The bundled emoji font is there, with its licence, and the bundle's Qt loads and
    draws it (the runtime hook's check); 0 when it is, else 1."""
    missing = [str(bundle / path) for path in (EMOJI_FONT, EMOJI_LICENSE) if not (bundle / path).is_file()]
    if missing:
        print(f"smoke test: the emoji font is missing from the bundle: {', '.join(missing)}")
        return 1
    # The bundle's own fontconfig file, as on a user's machine, not one this shell set.
    env = {k: v for k, v in env.items() if k not in ("FONTCONFIG_FILE", "FONTCONFIG_PATH")}
    done = subprocess.run([*prefix, str(program)], env=dict(env, LOUPE_CHECK_EMOJI_FONT="1"),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    print(done.stdout, end="", flush=True)
    if done.returncode != 0 or "emoji font: ok" not in done.stdout:
        print(f"smoke test: the bundled emoji font failed its check (exit {done.returncode})")
        return 1
    print(f"smoke test: emoji font {EMOJI_FONT.name} "
          f"({(bundle / EMOJI_FONT).stat().st_size / 1e6:.1f} MB) loads and draws", flush=True)
    return 0


def _exports(program: Path, prefix: list[str], env: dict[str, str], tmp: Path) -> int:
    """The formats whose libraries only the bundle can be missing (pandas and pyreadstat
    for SPSS and Stata, lxml for REFI-QDA): each written from a new project."""
    project = tmp / "exports.loupe"
    steps = [["new", str(project)]] + [
        ["export", str(project), str(tmp / f"exports.{suffix}")] for suffix in ("sav", "dta", "qdpx")
    ]
    for step in steps:
        done = subprocess.run([*prefix, str(program), *step], env=env, capture_output=True, text=True,
                              timeout=300)
        if done.returncode != 0:
            print(f"smoke test: `loupe {' '.join(step[:1])} ...{Path(step[-1]).suffix}` failed: "
                  f"{done.stderr.strip()}")
            return 1
    print("smoke test: SPSS, Stata and REFI-QDA exports written", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
