#!/bin/sh
# Add Loupe to this user's application menu; no administrator rights needed.
#
#     ./install.sh            from inside the unpacked loupe/ folder
#     ./install.sh --remove   take the menu entry and the `loupe` command away again
#
# The program stays where it was unpacked (move the folder first if you want it
# elsewhere, e.g. ~/.local/opt/loupe). Writes only under ~/.local.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
APPS="$DATA/applications"
ICONS="$DATA/icons/hicolor"
BIN="$HOME/.local/bin"

if [ "${1:-}" = "--remove" ]; then
    rm -f "$APPS/loupe.desktop" "$ICONS/256x256/apps/loupe.png" "$ICONS/scalable/apps/loupe.svg"
    [ -L "$BIN/loupe" ] && rm -f "$BIN/loupe"
    echo "Loupe's menu entry and command were removed; delete $HERE to remove the program."
    exit 0
fi

mkdir -p "$APPS" "$ICONS/256x256/apps" "$ICONS/scalable/apps" "$BIN"
cp "$HERE/loupe.png" "$ICONS/256x256/apps/loupe.png"
cp "$HERE/loupe.svg" "$ICONS/scalable/apps/loupe.svg"
sed "s|^Exec=.*|Exec=\"$HERE/loupe\" %f|" "$HERE/loupe.desktop" > "$APPS/loupe.desktop"
chmod 644 "$APPS/loupe.desktop"
ln -sf "$HERE/loupe" "$BIN/loupe"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$APPS" >/dev/null 2>&1 || true
echo "Loupe is in your application menu; \`loupe\` runs it from a terminal (if ~/.local/bin is on your PATH)."
echo "Check it with: \"$HERE/loupe\" --self-test"
