#!/usr/bin/env bash
# Build Loupe for Linux: the one-folder bundle dist/loupe/, an archive of it
# dist/loupe-VERSION-linux-ARCH.tar.gz (with a menu entry, an icon and install.sh), an
# AppImage when appimagetool is installed, then the smoke test of the bundle.
#
#     bash packaging/build_linux.sh [--no-smoke]
#
# Needs .venv with Loupe and the `model` and `package` extras
# (`python3 packaging/bootstrap.py bundle` sets that up and runs this script), and
# `strip` (binutils) to drop debug sections. Build on the oldest glibc to support:
# the bundle runs on systems with the same or a newer glibc (PySide6 needs 2.34+).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
SMOKE=1
[ "${1:-}" = "--no-smoke" ] && SMOKE=0

VERSION=$("$PYTHON" -c "import sys; sys.path.insert(0, 'packaging'); import prune; print(prune.version())")
ARCH=$(uname -m)
NAME="loupe-$VERSION-linux-$ARCH"

echo "== building dist/loupe (PyInstaller)"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/loupe.spec

echo "== desktop integration files"
cp packaging/linux/loupe.desktop packaging/linux/install.sh dist/loupe/
cp build/icons/loupe.png dist/loupe/loupe.png
cp resources/icons/loupe.svg dist/loupe/loupe.svg

echo "== dist/$NAME.tar.gz"
rm -f "dist/$NAME.tar.gz"
tar -C dist -cf - loupe | gzip -6 > "dist/$NAME.tar.gz"
echo "archive: $(du -h "dist/$NAME.tar.gz" | cut -f1)  ($(stat -c %s "dist/$NAME.tar.gz") bytes)"

if command -v appimagetool >/dev/null 2>&1; then
    echo "== dist/$NAME.AppImage"
    APPDIR=build/Loupe.AppDir
    rm -rf "$APPDIR" && mkdir -p "$APPDIR/usr"
    cp -a dist/loupe "$APPDIR/usr/loupe"
    cp packaging/linux/loupe.desktop build/icons/loupe.png "$APPDIR/"
    ln -s usr/loupe/loupe "$APPDIR/AppRun"
    ARCH="$ARCH" appimagetool --no-appstream "$APPDIR" "dist/$NAME.AppImage"
else
    echo "== no AppImage: appimagetool is not installed (the tar.gz is the Linux download)"
fi

if [ "$SMOKE" = 1 ]; then
    echo "== smoke test"
    "$PYTHON" packaging/smoke_test.py dist/loupe
fi
