"""The installed bundle: start-up to a shown window, and its size.

1. Start of the bundled ``loupe`` (``dist/loupe``) to a shown window on the sample
   project, against ``loupe`` from the source install in the same run (target: ours
   <= 1.2x the source install, and <= 1.5 s). ``LOUPE_QUIT_WHEN_SHOWN=1`` makes loupe
   quit once the window is drawn; data and settings live in a temporary folder, where
   the sample project is built once first (``--summary``), outside the timing.
2. Size of the bundle on disk against the 300 MB target.

Without a bundle in ``dist/loupe``, the bundle is built first (about two minutes) when
PyInstaller is installed (the ``package`` extra); otherwise both report "not built".
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "loupe"
SIZE_TARGET_MB = 300

sys.path.insert(0, str(ROOT / "packaging"))


def _program() -> Path:
    if sys.platform == "win32":
        return BUNDLE / "loupe-cli.exe"
    return BUNDLE / "loupe"


def _ensure_bundle() -> str | None:
    """None when the bundle is there (built now if needed), else why it is not."""
    if _program().exists():
        return None
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        return "not built: dist/loupe is absent and PyInstaller is not installed (pip install -e .[package])"
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(ROOT / "dist"), "--workpath", str(ROOT / "build" / "pyinstaller"),
         str(ROOT / "packaging" / "loupe.spec")],
        cwd=ROOT, capture_output=True, text=True,
    )
    if done.returncode != 0 or not _program().exists():
        return f"not built: PyInstaller failed ({done.stderr.strip().splitlines()[-1:]})"
    return None


def _not_built(name: str, unit: str, target: str, why: str) -> dict:
    return {"name": name, "ours": float("nan"), "baseline": float("nan"), "unit": unit,
            "baseline_name": "-", "target": target, "notes": why}


def _start(command: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    done = subprocess.run([*command, "--coder", "bench"], env=env, capture_output=True, text=True,
                          timeout=120)
    elapsed = time.perf_counter() - began
    assert done.returncode == 0, done.stderr
    assert "ready spacy_loaded=False" in done.stdout, (done.stdout, done.stderr)
    return elapsed


def bench_bundle_start(repeats: int = 5) -> dict:
    name = "start of the bundled loupe to a shown window on the sample project"
    target = "ours <= 1.2 x baseline and <= 1.5 s"
    why = _ensure_bundle()
    if why:
        return _not_built(name, "s", target, why)
    source = [shutil.which("loupe", path=str(Path(sys.executable).parent)) or sys.executable]
    if source[0] == sys.executable:
        source.extend(["-m", "app"])
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, LOUPE_DATA_DIR=tmp, LOUPE_QUIT_WHEN_SHOWN="1",
                   LOUPE_SETTINGS=str(Path(tmp, "settings.ini")))
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        subprocess.run([str(_program()), "--summary"], env=env, check=True, capture_output=True)
        # One start of each first, so that both read their files from a warm disk cache.
        _start([str(_program())], env)
        _start(source, env)
        ours, bare = [], []
        for _ in range(repeats):
            ours.append(_start([str(_program())], env))
            bare.append(_start(source, env))
    return {
        "name": name, "ours": statistics.median(ours), "baseline": statistics.median(bare),
        "unit": "s", "baseline_name": "loupe from the source install (.venv)", "target": target,
        "notes": f"median of {repeats}, alternating; min bundle {min(ours):.2f} s, "
                 f"min source {min(bare):.2f} s",
    }


def bench_bundle_size() -> dict:
    from prune import folder_size, largest_parts

    name = "size of the bundle on disk (dist/loupe)"
    target = f"ours <= {SIZE_TARGET_MB} MB"
    why = _ensure_bundle()
    if why:
        return _not_built(name, "MB", target, why)
    parts = ", ".join(f"{part} {size / 1e6:.0f}" for part, size in largest_parts(BUNDLE, 5))
    return {
        "name": name, "ours": folder_size(BUNDLE) / 1e6, "baseline": float(SIZE_TARGET_MB),
        "unit": "MB", "baseline_name": "the size target", "target": "ratio <= 1.0",
        "notes": f"largest parts (MB): {parts}",
    }


BENCHMARKS = [bench_bundle_start, bench_bundle_size]
