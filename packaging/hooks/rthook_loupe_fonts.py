"""Runtime hook (Linux bundle): let Qt find the emoji font the bundle ships.

A Linux without an emoji font draws the emoji of article texts as empty boxes. The
bundle carries Noto Color Emoji in ``_internal/resources/fonts/`` with a fontconfig
configuration, ``fonts.conf``, that is the system's configuration plus that folder
(``packaging/fonts/bundle-fonts.conf``). This hook points ``FONTCONFIG_FILE`` at it
before Qt starts, so Qt's font fallback finds the emoji there when the system has none;
nothing in the app needs to change. A ``FONTCONFIG_FILE`` the user has set is left alone.

``LOUPE_CHECK_EMOJI_FONT=1`` runs a check of the bundled font instead of the program
(used by ``packaging/smoke_test.py``): the font and its licence are in the bundle, Qt's
fallback draws an emoji in the default font with a font that has it, Qt loads the file
(``QFontDatabase.addApplicationFont`` does not return -1), ``QFontMetrics`` of the
loaded font has the emoji (``inFont``/``inFontUcs4``), and the emoji is drawn in colour.
Prints one line per check and exits 0 when all pass, 1 otherwise.
"""

import os
import sys

_FOLDER = os.path.join(getattr(sys, "_MEIPASS", os.path.dirname(sys.executable)), "resources", "fonts")
_CONF = os.path.join(_FOLDER, "fonts.conf")
_FONT = os.path.join(_FOLDER, "NotoColorEmoji.ttf")
_LICENSE = os.path.join(_FOLDER, "NotoColorEmoji-LICENSE.txt")

_OURS = False
if sys.platform.startswith("linux") and os.path.isfile(_CONF) and not os.environ.get("FONTCONFIG_FILE"):
    os.environ["FONTCONFIG_FILE"] = _CONF
    _OURS = True


def _check_emoji_font() -> int:
    """The checks of ``LOUPE_CHECK_EMOJI_FONT=1``; 0 when all pass."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    plugins = os.path.join(sys._MEIPASS, "PySide6", "Qt", "plugins")  # the PySide6 hook's value
    if os.path.isdir(plugins):
        os.environ.setdefault("QT_PLUGIN_PATH", plugins)
    results = []

    def check(what, ok):
        results.append(bool(ok))
        print(f"emoji font: {'ok  ' if ok else 'FAIL'} {what}", flush=True)

    check(f"font in the bundle ({_FONT})", os.path.isfile(_FONT))
    check("licence in the bundle", os.path.isfile(_LICENSE))
    check(f"fontconfig configuration in use ({_CONF})", _OURS)
    if not os.path.isfile(_FONT):
        return 1

    from PySide6.QtGui import (
        QFont,
        QFontDatabase,
        QFontMetrics,
        QGuiApplication,
        QImage,
        QPainter,
        QTextLayout,
    )

    app = QGuiApplication([sys.argv[0]])  # noqa: F841 - Qt's fonts need the application
    grin, heart = 0x1F600, 0x2764  # 😀 (outside the BMP) and ❤ (inside)

    def coloured_pixels(font, text):
        """Pixels of saturated colour in ``text`` drawn with ``font``: an empty box, a
        blank or a black-and-white outline glyph has none."""
        image = QImage(160, 96, QImage.Format.Format_ARGB32)
        image.fill(0xFFFFFFFF)
        painter = QPainter(image)
        font.setPixelSize(64)
        painter.setFont(font)
        painter.drawText(8, 80, text)
        painter.end()
        count = 0
        for y in range(image.height()):
            for x in range(image.width()):
                colour = image.pixelColor(x, y)
                rgb = (colour.red(), colour.green(), colour.blue())
                count += max(rgb) - min(rgb) > 80
        return count

    # What the window relies on: text in the default font, the emoji drawn by fallback
    # (before the file is loaded by hand, so only fontconfig can have found it).
    layout = QTextLayout(f"a{chr(grin)}", QFont())
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    families = ", ".join(run.rawFont().familyName() for run in layout.glyphRuns())
    drawn = coloured_pixels(QFont(), chr(grin))
    check(f"the default font's fallback draws {chr(grin)} in colour ({drawn} coloured pixels; "
          f"fonts of the runs: {families})", drawn > 200)

    font_id = QFontDatabase.addApplicationFont(_FONT)
    check(f"QFontDatabase.addApplicationFont loads the file (id {font_id})", font_id != -1)
    if font_id == -1:
        return 1
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    metrics = QFontMetrics(QFont(family))
    # inFontUcs4: PySide6's inFont(str) answers False for every non-ASCII character.
    check(f"QFontMetrics({family!r}) has U+1F600 and U+2764",
          metrics.inFontUcs4(grin) and metrics.inFontUcs4(heart))
    drawn = coloured_pixels(QFont(family), chr(grin))
    check(f"{family} draws {chr(grin)} in colour ({drawn} coloured pixels)", drawn > 200)
    return 0 if all(results) else 1


if os.environ.get("LOUPE_CHECK_EMOJI_FONT") == "1":
    sys.exit(_check_emoji_font())
