#!/usr/bin/env bash
# Build Loupe for macOS: dist/Loupe.app (PyInstaller's BUNDLE step in loupe.spec) and
# the disk image dist/loupe-VERSION-macos-ARCH.dmg (hdiutil), then the smoke test.
#
#     bash packaging/macos/build_macos.sh [--no-smoke]
#
# Needs Python 3.11 as python3. The app is signed ad hoc only (PyInstaller does that):
# without a Developer ID and notarization, a downloaded copy opens the first time with
# right-click > Open (see README, Install).
set -euo pipefail
cd "$(dirname "$0")/../.."
SMOKE=1
[ "${1:-}" = "--no-smoke" ] && SMOKE=0

[ -x .venv/bin/python ] || python3 -m venv .venv
PYTHON=.venv/bin/python
"$PYTHON" -m pip install --quiet --upgrade pip
"$PYTHON" -m pip install --quiet -e ".[model,package]"

VERSION=$("$PYTHON" -c "import sys; sys.path.insert(0, 'packaging'); import prune; print(prune.version())")
ARCH=$(uname -m)

echo "== building dist/Loupe.app (PyInstaller)"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/loupe.spec

echo "== dist/loupe-$VERSION-macos-$ARCH.dmg"
STAGE=build/dmg
rm -rf "$STAGE" && mkdir -p "$STAGE"
cp -R dist/Loupe.app "$STAGE/"
ln -s /Applications "$STAGE/Applications"
DMG="dist/loupe-$VERSION-macos-$ARCH.dmg"
rm -f "$DMG"
hdiutil create -volname "Loupe $VERSION" -srcfolder "$STAGE" -ov -format UDZO "$DMG"
echo "disk image: $(du -h "$DMG" | cut -f1)"

if [ "$SMOKE" = 1 ]; then
    echo "== smoke test"
    "$PYTHON" packaging/smoke_test.py dist/Loupe.app
fi
