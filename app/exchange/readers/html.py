"""Saved web pages (.html, .htm): the main text, extracted with trafilatura.

Navigation, footers and comments are left out. Each block of the extracted text
(paragraph, heading, list item, quotation, table cell) becomes a paragraph; paragraphs
are separated by blank lines and line breaks inside a paragraph are kept.

What else is kept, and how:

- encoding: what the page declares (byte order mark, XML declaration, ``<meta charset>``
  or ``http-equiv``) is trusted unless more than 1% of the text fails to decode; a few
  stray bytes become U+FFFD and the import report says how many (see
  :mod:`~app.exchange.readers.textdecode`);
- main text: trafilatura's default settings, which balance precision and recall. Only
  when that text is *short for the page* (under :data:`SHORT_SHARE` of the page's visible
  text) is recall mode tried as well, and its text kept if it is longer;
- headline: the page's metadata title (``og:title``, ``<title>``...) without the site name
  (`` | The Japan Times``), or the page's ``<h1>`` / the text's first paragraph when the
  title is that headline plus a site name, a breadcrumb or a time stamp, or is only a
  site or section name. It is the first paragraph of the stored text, once;
- date: the publication date (not the last modification) as ``YYYY-MM-DD``;
- language: the page's ``<html lang>`` when the text agrees, otherwise the language
  identified from the text (see :mod:`~app.exchange.readers.language`);
- URL, site name, author, description and host name from the metadata.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath
from typing import Any

import trafilatura
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import load_html

from app.core.articles import ImportedArticle
from app.core.errors import ImportFormatError
from app.exchange.readers.articletext import clean_title, compose, first_line, text_or_none
from app.exchange.readers.language import identify_language
from app.exchange.readers.textdecode import declared_charset, decode_bytes

# Elements of trafilatura's output tree that make a paragraph of their own.
_BLOCKS = frozenset({"p", "head", "item", "quote", "code", "cell", "list", "table", "row", "div"})
_BREAK = object()

#: Main-text extraction time grows faster than the page size (a 10 MB page takes over a
#: minute); a saved news page is far smaller, so larger pages are refused at once.
MAX_HTML_BYTES = 5 * 1024 * 1024

#: The default extraction is "short for the page" when its text is under this share of
#: the page's visible text (the text of ``<body>`` without scripts, styles and templates).
#: On 37 news pages of trafilatura's evaluation set the article is 19-89% of the visible
#: text (median about 50%); well under that, the default extraction has probably kept
#: one block of a split article, and recall mode is tried.
SHORT_SHARE = 0.15

# Separators between a headline and a site name in a page title.
_SEPARATOR = r"\s*(?:[|｜·•»:/]|[-–—]{1,2})\s*"
_DANGLING = re.compile(_SEPARATOR + r"$")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_NOT_VISIBLE = "script", "style", "noscript", "template", "svg", "head"


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


def _key(text: str) -> str:
    """Text compared as a reader sees it: soft hyphens, case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).casefold().split())


def _squeezed(text: str) -> str:
    return re.sub(r"[\W_]+", "", _key(text))


def _visible_length(tree: Any) -> int:
    body = tree.find(".//body")
    root = body if body is not None else tree
    total = 0
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        hidden = element.tag in _NOT_VISIBLE or any(
            ancestor.tag in _NOT_VISIBLE for ancestor in element.iterancestors()
        )
        if not hidden and element.text:
            total += len(element.text.strip())
        if element.tail and element is not root:
            parent = element.getparent()
            parent_hidden = parent is not None and (
                parent.tag in _NOT_VISIBLE
                or any(a.tag in _NOT_VISIBLE for a in parent.iterancestors())
            )
            if not parent_hidden:
                total += len(element.tail.strip())
    return total


def _extract(text: str, *, favor_recall: bool) -> tuple[Any, list[str]]:
    document = trafilatura.bare_extraction(
        text, favor_recall=favor_recall, date_extraction_params=set_date_params(True),
        with_metadata=True, include_comments=False, include_tables=True, include_images=False,
        include_links=False,
    )
    if not isinstance(document, Document) or document.body is None:  # None: nothing found
        return document, []
    return document, paragraphs_of(document.body)


def _site_names(document: Any, tree: Any) -> list[str]:
    names = [document.sitename or ""]
    names += tree.xpath('//meta[@property="og:site_name" or @name="og:site_name"]/@content')
    names += tree.xpath('//meta[@name="application-name" or @name="publisher"]/@content')
    return [name.strip() for name in names if isinstance(name, str) and name.strip()]


def _strip_site_name(title: str, names: list[str]) -> str:
    """``title`` without a site name at its end or start (``Headline | Site``, ``Site|Headline``)."""
    changed = True
    while changed:
        changed = False
        for name in names:
            escaped = re.escape(name)
            for pattern in (_SEPARATOR + escaped + r"$", r"^" + escaped + _SEPARATOR):
                stripped = re.sub(pattern, "", title, flags=re.I).strip()
                if stripped and stripped != title:
                    title, changed = stripped, True
    return _DANGLING.sub("", title).strip()


def _is_site_name(title: str, names: list[str], hostname: str | None) -> bool:
    key = _squeezed(title)
    candidates = [*names, *((hostname or "").removeprefix("www.").split(".")[:1])]
    return bool(key) and any(key == _squeezed(name) for name in candidates)


def _headings(tree: Any) -> list[str]:
    found = []
    for heading in tree.iter("h1"):
        text = clean_title(" ".join(heading.text_content().translate(_INVISIBLE).split()))
        if text:
            found.append(text)
    return found


def _headline(document: Any, tree: Any, paragraphs: list[str]) -> str:
    """The article's headline; see the module docstring. Empty when there is none."""
    names = _site_names(document, tree)
    title = _strip_site_name(clean_title(document.title), names)
    if _is_site_name(title, names, document.hostname):
        title = ""
    headings = _headings(tree)
    lead = [first_line(paragraph) for paragraph in paragraphs[:2]]
    if title:
        key = _key(title)
        # The title is a headline the page shows plus a site name, breadcrumb or date.
        for candidate in [*headings, *lead]:
            candidate_key = _key(candidate)
            if candidate_key == key:
                return candidate
            if len(candidate_key) >= 0.5 * len(key) and candidate_key in key:
                if not _is_site_name(candidate, names, document.hostname):
                    return candidate
    long_headings = [h for h in headings if len(h.split()) >= 4]
    # A one- or two-word title beside a single long <h1> names a section or the CMS.
    if len(title.split()) <= 2 and len(long_headings) == 1:
        return long_headings[0]
    return title


#: Lines a page shows above its headline (a kicker, dateline, "report") are short.
_ABOVE_HEADLINE_PARAGRAPHS = 2
_ABOVE_HEADLINE_CHARS = 80


def _headline_first(headline: str, paragraphs: list[str]) -> list[str]:
    """The paragraphs with the headline first when the page shows it below a short line.

    A dateline or kicker above the headline (``October 22, 2019 report``) moves below it,
    so that the headline is not prepended a second time; nothing is dropped.
    """
    if not headline:
        return paragraphs
    key = _key(headline)
    for index, paragraph in enumerate(paragraphs[: _ABOVE_HEADLINE_PARAGRAPHS + 1]):
        if _key(paragraph) == key:
            above = paragraphs[:index]
            if all(len(line) <= _ABOVE_HEADLINE_CHARS for line in above):
                return [paragraph, *above, *paragraphs[index + 1 :]]
            break
    return paragraphs


def read_html(data: bytes, name: str) -> list[ImportedArticle]:
    if len(data) > MAX_HTML_BYTES:
        raise ImportFormatError(
            f"{name} is {len(data) / 2**20:.1f} MB; web pages over {MAX_HTML_BYTES // 2**20} MB "
            "are not imported (save the article's text as .txt instead)."
        )
    decoded = decode_bytes(data, name, declared=declared_charset(data))
    text = decoded.text
    if not text.strip():
        raise ImportFormatError(f"{name} is empty.")
    try:
        tree = load_html(text)
        document, paragraphs = _extract(text, favor_recall=False)
        body_length = sum(len(paragraph) for paragraph in paragraphs)
        if tree is not None and body_length < SHORT_SHARE * _visible_length(tree):
            recall_document, recall_paragraphs = _extract(text, favor_recall=True)
            if sum(len(paragraph) for paragraph in recall_paragraphs) > body_length:
                document, paragraphs = recall_document, recall_paragraphs
    except Exception as exc:  # trafilatura and lxml raise many types on malformed pages
        raise ImportFormatError(
            f"{name} could not be read as a web page ({type(exc).__name__})."
        ) from exc
    if not paragraphs or document is None or tree is None:
        raise ImportFormatError(f"{name} has no main text that could be extracted.")

    headline = _headline(document, tree, paragraphs)
    paragraphs = _headline_first(headline, paragraphs)
    body = "\n\n".join(paragraphs)
    if headline and _key(first_line(body)) == _key(headline):
        headline = first_line(body)  # the body shows it already: not repeated
    composed = compose(headline or None, body)
    metadata: dict[str, object] = {}
    for key in ("author", "description", "hostname"):
        value = text_or_none(getattr(document, key, None))
        if value:
            metadata[key] = value
    if decoded.replaced:
        metadata["replaced_bytes"] = decoded.replaced
    declared_language = (tree.xpath("/html/@lang") or [None])[0]
    return [
        ImportedArticle(
            title=composed.title,
            text=composed.text,
            origin=name,
            external_id=PurePath(name).stem or None,
            source=text_or_none(document.sitename),
            url=text_or_none(document.url),
            published=text_or_none(document.date),
            language=identify_language(body, declared_language),
            metadata=metadata,
            warnings=decoded.warnings,
        )
    ]
