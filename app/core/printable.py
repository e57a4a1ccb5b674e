"""Showing untrusted names (file names, paths) without letting them steer the terminal.

A file name may hold any character but ``/`` and NUL: an escape sequence (``\\x1b[2J``
clears a terminal), a carriage return that overwrites the line before it, a right-to-left
override that shows ``evil\\u202etxt.exe`` as ``evilexe.txt``, or (on POSIX) bytes that
are not UTF-8 and come back from ``os.fsdecode`` as lone surrogates, which
``print`` cannot even encode. :func:`printable` writes those characters as Python
escapes, the way ``repr`` does, and leaves everything else (accents, Cyrillic, Arabic,
emoji, backslashes of Windows paths) as it is.
"""

from __future__ import annotations

import os

#: Bidirectional formatting characters: ALM, LRM, RLM, the embeddings and overrides,
#: the isolates; and the line and paragraph separators, which break lines like ``\\n``.
_INVISIBLE = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def _needs_escape(char: str) -> bool:
    code = ord(char)
    return (
        code < 0x20  # C0 controls
        or 0x7F <= code <= 0x9F  # DEL and the C1 controls
        or char in _INVISIBLE
        or 0xD800 <= code <= 0xDFFF  # lone surrogates (undecodable bytes of a POSIX name)
    )


def printable(name: object) -> str:
    """``name`` as text that is safe to print: control, bidi and surrogate characters escaped.

    >>> printable("report\\x1b[2J.txt")
    'report\\\\x1b[2J.txt'
    >>> printable("Заключённые.txt")
    'Заключённые.txt'
    """
    text = os.fsdecode(name) if isinstance(name, (bytes, os.PathLike)) else str(name)
    if not any(_needs_escape(char) for char in text):
        return text
    return "".join(_escape(char) if _needs_escape(char) else char for char in text)
