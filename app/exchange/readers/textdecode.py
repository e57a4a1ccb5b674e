"""The bytes of a text file as a ``str``.

Order of decisions:

1. a byte order mark (UTF-8, UTF-16, UTF-32) settles the encoding;
2. without one, NUL bytes mean a binary file (UTF-16 text is only accepted with a BOM);
3. bytes that are valid UTF-8 are UTF-8 (plain ASCII included);
4. an encoding the file declares itself (an HTML ``<meta charset>``), if it decodes the bytes;
5. otherwise charset-normalizer picks the encoding. Short Western and Cyrillic texts often
   decode equally plausibly in several legacy code pages; among the equally plausible
   candidates the most common code pages win (see :data:`PREFERRED_LEGACY_ENCODINGS`).

The decoded text has ``\\r\\n`` and lone ``\\r`` turned into ``\\n`` and the BOM removed;
nothing else is changed.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_left
from collections.abc import Callable

from charset_normalizer import from_bytes

from app.core.errors import ImportFormatError

# Tried before UTF-16 because the UTF-32 LE mark begins with the UTF-16 LE mark.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)

#: Tie-break among candidates charset-normalizer finds equally plausible: the code pages
#: news archives are most often saved in come first (Windows Western, then Cyrillic, ...).
PREFERRED_LEGACY_ENCODINGS: tuple[str, ...] = (
    "cp1252",
    "cp1251",
    "latin_1",
    "iso8859_15",
    "cp1250",
    "koi8_r",
    "koi8_u",
    "cp1253",
    "cp1254",
    "cp1256",
    "cp1255",
    "cp1257",
    "iso8859_2",
    "iso8859_5",
    "cp866",
    "gb18030",
    "big5",
    "shift_jis",
    "euc_jp",
    "euc_kr",
)

# Control characters that do not occur in text: C0 except tab, line feed, vertical tab,
# form feed, carriage return; DEL; C1.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# More than this share of control characters means the "text" is binary noise.
_MAX_CONTROL_SHARE = 0.01

_CHAOS_TIE = 0.005
_COHERENCE_TIE = 0.02


def binary_error(name: str) -> ImportFormatError:
    return ImportFormatError(f"{name} looks like a binary file, not text.")


def normalize_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` become ``\\n``; nothing else changes."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalize_newlines_with_map(text: str) -> tuple[str, Callable[[int], int]]:
    """Like :func:`normalize_newlines`, plus a function mapping old offsets to new ones.

    Each ``\\r\\n`` loses its ``\\n``; a lone ``\\r`` keeps its place. An offset after a
    pair moves back by one for each pair before it.
    """
    if "\r\n" not in text:
        return normalize_newlines(text), lambda offset: offset
    # Positions of the dropped "\n" of each "\r\n" pair, in ascending order.
    dropped: list[int] = []
    start = 0
    while (found := text.find("\r\n", start)) != -1:
        dropped.append(found + 1)
        start = found + 2

    def to_new(offset: int) -> int:
        return offset - bisect_left(dropped, offset)

    return normalize_newlines(text), to_new


def _check_not_binary(text: str, name: str) -> None:
    if "\x00" in text:
        raise binary_error(name)
    controls = len(_CONTROL.findall(text))
    if controls and controls > _MAX_CONTROL_SHARE * len(text):
        raise binary_error(name)


def _finish(text: str, name: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    _check_not_binary(text, name)
    return normalize_newlines(text)


# Codecs that are "text encodings" to Python but never the encoding of a web page.
_NOT_PAGE_ENCODINGS = ("unicode-escape", "raw-unicode-escape", "idna", "punycode", "utf-7")


def _declared_codec(label: str) -> str | None:
    """The Python codec for an encoding a file declares, if it is a usable legacy one."""
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    # A page that claims UTF-8 or UTF-16 but is not valid as such is left to the detector.
    if info.name.startswith("utf") or info.name in _NOT_PAGE_ENCODINGS:
        return None
    return info.name


def _decode_legacy(data: bytes, name: str) -> str:
    """Let charset-normalizer choose among legacy single- and multi-byte encodings."""
    try:
        matches = list(from_bytes(data))
    except Exception as exc:  # the detector must never take the import down
        raise binary_error(name) from exc
    if not matches:
        raise binary_error(name)
    least_chaos = min(match.chaos for match in matches)
    plausible = [m for m in matches if m.chaos - least_chaos < _CHAOS_TIE]
    best_coherence = max(m.coherence for m in plausible)
    plausible = [m for m in plausible if best_coherence - m.coherence <= _COHERENCE_TIE]
    candidates: list[str] = []
    for match in plausible:
        candidates.extend(match.could_be_from_charset or [match.encoding])
    ranked = [enc for enc in PREFERRED_LEGACY_ENCODINGS if enc in candidates]
    # Fall back on charset-normalizer's own order for code pages not in the preference list.
    ranked += [match.encoding for match in matches]
    for encoding in ranked:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise binary_error(name)


def decode_text(data: bytes, name: str, *, declared: str | None = None) -> str:
    """Decode the bytes of a text file named ``name`` (used in error messages).

    ``declared`` is an encoding the file names itself (e.g. an HTML ``<meta charset>``);
    it is used only when there is no BOM and the bytes are not UTF-8.
    """
    if not data:
        raise ImportFormatError(f"{name} is empty.")
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise ImportFormatError(
                    f"{name} starts with a {label} byte order mark but is not valid {label} text."
                ) from exc
            return _finish(text, name)
    if b"\x00" in data:
        raise binary_error(name)
    try:
        return _finish(data.decode("utf-8"), name)
    except UnicodeDecodeError:
        pass
    if declared:
        codec = _declared_codec(declared)
        if codec:
            try:
                return _finish(data.decode(codec), name)
            except (UnicodeDecodeError, LookupError):
                pass
    return _finish(_decode_legacy(data, name), name)
