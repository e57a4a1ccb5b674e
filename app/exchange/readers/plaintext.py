"""Plain text files: one article per file, the first non-empty line is the headline."""

from __future__ import annotations

from pathlib import PurePath

from app.core.articles import ImportedArticle
from app.core.errors import ImportFormatError
from app.exchange.readers.articletext import compose
from app.exchange.readers.textdecode import decode_text


def read_plaintext(data: bytes, name: str) -> list[ImportedArticle]:
    """One article: headline, a blank line, then the rest (leading blank lines dropped)."""
    text = decode_text(data, name)
    if not text.strip():
        raise ImportFormatError(f"{name} is empty.")
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if line.strip())
    title = lines[index].strip()
    rest = "\n".join(lines[index + 1 :])
    composed = compose(title, rest)
    return [
        ImportedArticle(
            title=composed.title,
            text=composed.text,
            origin=name,
            external_id=PurePath(name).stem or None,
        )
    ]
