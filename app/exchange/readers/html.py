"""Saved web pages (.html, .htm): the main text, extracted with trafilatura.

Navigation, footers and comments are left out. Each block of the extracted text
(paragraph, heading, list item, quotation, table cell) becomes a paragraph; paragraphs
are separated by blank lines and line breaks inside a paragraph are kept. The headline,
URL, publication date and site name come from the page's metadata when it has them.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

import lxml.html
import trafilatura

from app.core.articles import ImportedArticle
from app.core.errors import ImportFormatError
from app.exchange.readers.articletext import clean_title, compose, text_or_none
from app.exchange.readers.textdecode import decode_text

# Elements of trafilatura's output tree that make a paragraph of their own.
_BLOCKS = frozenset({"p", "head", "item", "quote", "code", "cell", "list", "table", "row", "div"})
_BREAK = object()

# Encoding sniffing (as browsers do), not content extraction: the charset a page declares.
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I
)

#: Main-text extraction time grows faster than the page size (a 10 MB page takes over a
#: minute); a saved news page is far smaller, so larger pages are refused at once.
MAX_HTML_BYTES = 5 * 1024 * 1024

# Dates from the page's metadata only, not guessed from its wording.
_DATE_PARAMS = {"original_date": True, "extensive_search": False}


def _declared_charset(data: bytes) -> str | None:
    found = _DECLARED_CHARSET.search(data[:4096])
    return found.group(1).decode("ascii") if found else None


def _flatten(element: Any, out: list[object]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    block = tag in _BLOCKS
    if block:
        out.append(_BREAK)
    if tag == "lb":
        out.append("\n")
    elif element.text:
        out.append(element.text)
    for child in element:
        _flatten(child, out)
    if block:
        out.append(_BREAK)
    if element.tail:
        out.append(element.tail)


def paragraphs_of(body: Any) -> list[str]:
    """The paragraphs of trafilatura's main-text tree, in order, without empty ones."""
    pieces: list[object] = []
    _flatten(body, pieces)
    paragraphs: list[str] = []
    current: list[str] = []
    for piece in [*pieces, _BREAK]:
        if piece is _BREAK:
            lines = [line.strip() for line in "".join(current).split("\n")]
            paragraph = "\n".join(line for line in lines if line)
            if paragraph:
                paragraphs.append(paragraph)
            current = []
        else:
            current.append(piece)  # type: ignore[arg-type]
    return paragraphs


def _page_title(text: str) -> str:
    try:
        return clean_title(lxml.html.fromstring(text).findtext(".//title"))
    except Exception:
        return ""


def read_html(data: bytes, name: str) -> list[ImportedArticle]:
    if len(data) > MAX_HTML_BYTES:
        raise ImportFormatError(
            f"{name} is {len(data) / 2**20:.1f} MB; web pages over {MAX_HTML_BYTES // 2**20} MB "
            "are not imported (save the article's text as .txt instead)."
        )
    text = decode_text(data, name, declared=_declared_charset(data))
    if not text.strip():
        raise ImportFormatError(f"{name} is empty.")
    try:
        document = trafilatura.bare_extraction(
            text,
            with_metadata=True,
            favor_recall=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            date_extraction_params=_DATE_PARAMS,
        )
        paragraphs = (
            paragraphs_of(document.body)
            if document is not None and document.body is not None
            else []
        )
    except Exception as exc:  # trafilatura and lxml raise many types on malformed pages
        raise ImportFormatError(
            f"{name} could not be read as a web page ({type(exc).__name__})."
        ) from exc
    if not paragraphs:
        raise ImportFormatError(f"{name} has no main text that could be extracted.")

    title = clean_title(document.title) or _page_title(text)
    composed = compose(title or None, "\n\n".join(paragraphs))
    metadata: dict[str, object] = {}
    for key in ("author", "description", "hostname"):
        value = text_or_none(getattr(document, key, None))
        if value:
            metadata[key] = value
    return [
        ImportedArticle(
            title=composed.title,
            text=composed.text,
            origin=name,
            external_id=PurePath(name).stem or None,
            source=text_or_none(document.sitename),
            url=text_or_none(document.url),
            published=text_or_none(document.date),
            language=text_or_none(document.language),
            metadata=metadata,
        )
    ]
