"""Plain text files: one article per file, stored exactly as read.

The decoded text (byte order mark removed, ``\\r\\n`` and lone ``\\r`` turned into
``\\n``, see :mod:`~app.exchange.readers.textdecode`) is the article's text: no white
space is trimmed and no blank line is added, so offsets that another tool computed on
the file (a brat ``.ann`` beside it) fit the stored text. The first line that is not
blank is the headline.
"""

from __future__ import annotations

from pathlib import PurePath

from app.core.articles import ImportedArticle
from app.core.errors import ImportFormatError
from app.exchange.readers.articletext import clean_title, first_line
from app.exchange.readers.textdecode import decode_text


def read_plaintext(data: bytes, name: str) -> list[ImportedArticle]:
    """One article: the text as read, headed by its first non-blank line."""
    text = decode_text(data, name)
    if not text.strip():
        raise ImportFormatError(f"{name} is empty.")
    return [
        ImportedArticle(
            title=clean_title(first_line(text)),
            text=text,
            origin=name,
            external_id=PurePath(name).stem or None,
        )
    ]
