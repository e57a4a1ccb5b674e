"""The bytes of a text file as a ``str``.

Order of decisions:

1. a byte order mark (UTF-8, UTF-16, UTF-32) settles the encoding;
2. without one, NUL bytes mean a binary file (UTF-16 text is only accepted with a BOM);
3. bytes that are valid UTF-8 are UTF-8 (plain ASCII included);
4. an encoding the file declares itself (an HTML ``<meta charset>``, ``http-equiv``
   Content-Type or an XML declaration, see :func:`declared_charset`) is trusted when the
   bytes are valid in it apart from a few stray bytes;
5. bytes that are UTF-8 apart from a few stray bytes (many valid multi-byte sequences,
   few invalid ones) are UTF-8;
6. otherwise charset-normalizer picks the encoding. Short Western and Cyrillic texts often
   decode equally plausibly in several legacy code pages; among the equally plausible
   candidates the most common code pages win (see :data:`PREFERRED_LEGACY_ENCODINGS`).

"A few stray bytes" is at most :data:`MAX_REPLACED_SHARE` of the decoded characters:
each invalid sequence becomes one U+FFFD REPLACEMENT CHARACTER, and
:func:`decode_bytes` says how many in :attr:`DecodedText.warnings` (one sentence for
the import report). A declared encoding that fails worse than that is not trusted.

The decoded text has ``\\r\\n`` and lone ``\\r`` turned into ``\\n`` and the BOM removed;
nothing else is changed.
"""

from __future__ import annotations

import codecs
import logging
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from charset_normalizer import from_bytes

from app.core.errors import ImportFormatError

log = logging.getLogger(__name__)

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


#: A declared (or byte-order-marked) encoding is still trusted when at most this share of
#: the decoded characters are U+FFFD produced by invalid bytes: a stray byte of another
#: encoding pasted into a UTF-8 page must not make the whole page mojibake.
MAX_REPLACED_SHARE = 0.01
#: Undeclared bytes are taken as UTF-8 despite invalid sequences only when valid multi-byte
#: sequences outnumber them this many times: text in a legacy code page has almost no
#: valid UTF-8 multi-byte sequences (each accented letter is an invalid one).
_UTF8_EVIDENCE = 20

# Encoding sniffing (as browsers do), not content extraction: the charset a document
# declares in its first bytes.
_SNIFF_BYTES = 8192
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I
)


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Decoded text, the codec used, and what the reader should tell the user."""

    text: str
    encoding: str
    replaced: int = 0
    warnings: tuple[str, ...] = ()


def declared_charset(data: bytes) -> str | None:
    """The encoding an HTML or XML document declares in its first bytes, if any.

    An XML declaration (``<?xml ... encoding="..."?>``) or a ``<meta charset>`` /
    ``<meta http-equiv="Content-Type" content="...; charset=...">``. A byte order mark is
    handled by :func:`decode_bytes` itself.
    """
    head = data[:_SNIFF_BYTES]
    found = _XML_DECLARATION.search(head) or _META_CHARSET.search(head)
    return found.group(1).decode("ascii") if found else None


def _declared_codec(label: str) -> str | None:
    """The Python codec for an encoding a file declares, if it can be a page's encoding.

    A page whose declaration could be read as ASCII is not UTF-16 or UTF-32 whatever it
    says (browsers read such a declaration as UTF-8).
    """
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if info.name in _NOT_PAGE_ENCODINGS:
        return None
    if info.name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return info.name


def _replacing_decode(data: bytes, codec: str) -> tuple[str, int]:
    """``data`` decoded with invalid sequences as U+FFFD, and how many were replaced."""
    text = data.decode(codec, errors="replace")
    # U+FFFD that the file itself contains is kept and not counted.
    genuine = data.decode(codec, errors="ignore").count("\ufffd")
    return text, text.count("\ufffd") - genuine


def _few(replaced: int, text: str) -> bool:
    return replaced <= MAX_REPLACED_SHARE * max(len(text), 1)


def _replaced_warning(name: str, replaced: int, label: str) -> str:
    what = "1 invalid byte sequence" if replaced == 1 else f"{replaced} invalid byte sequences"
    return (
        f"{name}: {what} could not be read as {label} and "
        f"{'was' if replaced == 1 else 'were'} replaced by U+FFFD; the rest was read as {label}."
    )


def _nearly_utf8(data: bytes) -> tuple[str, int] | None:
    """UTF-8 text with a few stray bytes, or ``None`` when the bytes are something else."""
    text, replaced = _replacing_decode(data, "utf-8")
    if not _few(replaced, text):
        return None
    multibyte = sum(1 for char in text if char > "\x7f" and char != "\ufffd")
    return (text, replaced) if multibyte >= _UTF8_EVIDENCE * replaced else None


def _decode_legacy(data: bytes, name: str) -> DecodedText:
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
            return DecodedText(data.decode(encoding), encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise binary_error(name)


def _finish_decoded(decoded: DecodedText, name: str) -> DecodedText:
    text = _finish(decoded.text, name)
    if decoded.replaced:
        log.warning("%s: %d invalid byte sequence(s) replaced (%s)", name, decoded.replaced,
                    decoded.encoding)
    return DecodedText(text, decoded.encoding, decoded.replaced, decoded.warnings)


def _label(codec: str) -> str:
    return {"utf-8": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16",
            "utf-32-le": "UTF-32", "utf-32-be": "UTF-32"}.get(codec, codec)


def _tolerant(data: bytes, codec: str, name: str) -> DecodedText | None:
    """``data`` in ``codec`` when it is valid apart from a few stray bytes."""
    try:
        return DecodedText(data.decode(codec), codec)
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    text, replaced = _replacing_decode(data, codec)
    if not _few(replaced, text):
        return None
    return DecodedText(text, codec, replaced, (_replaced_warning(name, replaced, _label(codec)),))


def decode_bytes(data: bytes, name: str, *, declared: str | None = None) -> DecodedText:
    """Decode the bytes of a text file named ``name`` (used in messages); see the module doc.

    ``declared`` is an encoding the file names itself (see :func:`declared_charset`).
    """
    if not data:
        raise ImportFormatError(f"{name} is empty.")
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            decoded = _tolerant(data[len(bom) :], codec, name)
            if decoded is None:
                raise ImportFormatError(
                    f"{name} starts with a {label} byte order mark but is not valid {label} text."
                )
            return _finish_decoded(decoded, name)
    if b"\x00" in data:
        raise binary_error(name)
    try:
        return _finish_decoded(DecodedText(data.decode("utf-8"), "utf-8"), name)
    except UnicodeDecodeError:
        pass
    declared_codec = _declared_codec(declared) if declared else None
    if declared_codec:
        decoded = _tolerant(data, declared_codec, name)
        if decoded is not None:
            return _finish_decoded(decoded, name)
    nearly = _nearly_utf8(data)
    if nearly is not None:
        text, replaced = nearly
        warning = _replaced_warning(name, replaced, "UTF-8")
        return _finish_decoded(DecodedText(text, "utf-8", replaced, (warning,)), name)
    return _finish_decoded(_decode_legacy(data, name), name)


def decode_text(data: bytes, name: str, *, declared: str | None = None) -> str:
    """The text of :func:`decode_bytes`, for readers that report nothing about decoding."""
    return decode_bytes(data, name, declared=declared).text
