"""spaCy training data: a ``.spacy`` DocBin from one coding per article.

Each span goes into ``doc.spans[span_key]`` with its label; the spans that overlap no
other span also become ``doc.ents``. A discontinuous span is never stretched over the
words between its fragments: each fragment is a span of its own in
``doc.spans["loupe_fragments"]``, and ``doc.user_data["loupe"]["fragment_ids"]`` holds the
annotation id of each, in the same order (the span's entry under ``"spans"`` lists its
fragments too); it is neither in ``doc.spans[span_key]`` nor in ``doc.ents``. No span may be lost or moved, so the Doc is not
simply the tokenizer's output: the text is cut at every span edge as well as at the
tokenizer's token boundaries (an Arabic clitic or half of a hyphenated word becomes its
own token), and the Doc is built from those words. Every Doc is checked: its text is the
article text and every span has the stored character offsets.

Span attributes, notes, relations and the article's ids travel in ``doc.user_data``
under ``"loupe"`` (the DocBin stores user data).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.exports import CodedArticle, CodedSpan

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_SPAN_KEY = "sc"
#: The span group of the fragments of discontinuous spans.
FRAGMENT_KEY = "loupe_fragments"


class DocBuildError(Exception):
    """A Doc could not hold the spans exactly (a bug: the words are cut at every edge)."""


@lru_cache(maxsize=16)
def _blank(lang: str) -> Language:
    import spacy

    try:
        return spacy.blank(lang)
    except Exception:  # an unknown language code: the multi-language tokenizer
        return spacy.blank("xx")


def _words(nlp: Language, text: str, spans: Sequence[CodedSpan]) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags that rebuild ``text`` with a token boundary at
    every span edge (and wherever the tokenizer puts one)."""
    starts = {start for s in spans for start, _ in s.ranges}
    ends = {end for s in spans for _, end in s.ranges}
    cuts = {0, len(text)} | starts | ends
    # The tokenizer alone: make_doc refuses texts over max_length, which bounds the
    # memory of the statistical components, not of tokenizing; an article is never refused.
    for token in nlp.tokenizer(text):
        cuts.add(token.idx)
        cuts.add(token.idx + len(token.text))
    edges = sorted(cuts)
    words: list[str] = []
    spaces: list[bool] = []
    for left, right in zip(edges, edges[1:], strict=False):
        piece = text[left:right]
        # A single space after a word is that word's trailing space, unless a span
        # begins at the space or ends right after it.
        if (
            piece == " " and words and not spaces[-1] and not words[-1].isspace()
            and left not in starts and right not in ends
        ):
            spaces[-1] = True
            continue
        words.append(piece)
        spaces.append(False)
    return words, spaces


def build_doc(nlp: Language, text: str, spans: Sequence[CodedSpan], span_key: str = DEFAULT_SPAN_KEY) -> Doc:
    """A Doc of ``text`` holding ``spans`` at exactly their character offsets."""
    from spacy.tokens import Doc, Span

    words, spaces = _words(nlp, text, spans)
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    if doc.text != text:
        raise DocBuildError("the Doc's text differs from the article text")
    made: list[Span] = []
    pieces: list[Span] = []
    for span in spans:
        for start, end in span.ranges:
            found = doc.char_span(start, end, label=span.label)
            if found is None or (found.start_char, found.end_char) != (start, end):
                raise DocBuildError(f"the span {start}-{end} does not fall on token edges")
            (pieces if span.fragments else made).append(found)
    doc.spans[span_key] = made
    if pieces:
        doc.spans[FRAGMENT_KEY] = pieces
    doc.ents = [s for s in made if not _overlaps_another(s, made)]
    return doc


def _overlaps_another(span: Any, spans: Sequence[Any]) -> bool:
    return any(
        other is not span and other.start < span.end and span.start < other.end for other in spans
    )


def _user_data(item: CodedArticle) -> dict[str, Any]:
    a = item.article
    coding = item.codings[0] if item.codings else None
    return {
        "article_id": a.id, "external_id": a.external_id, "title": a.title,
        "coder": coding.coder if coding else None,
        "status": coding.status if coding else None,
        "spans": [
            {"id": s.key, "start": s.start, "end": s.end, "label": s.label,
             "attributes": dict(s.attributes), "note": s.note, "uncertain": s.uncertain,
             **({"fragments": [list(f) for f in s.fragments]} if s.fragments else {})}
            for s in (coding.spans if coding else ())
        ],
        "fragment_ids": [s.key for s in (coding.spans if coding else ()) for _ in s.fragments],
        "relations": [
            {"id": r.key, "label": r.label, "source": r.source, "target": r.target,
             "attributes": dict(r.attributes)}
            for r in (coding.relations if coding else ())
        ],
        "answers": dict(coding.answers) if coding else {},
    }


def write_docbin(
    path: Path, articles: Iterable[CodedArticle], *, span_key: str = DEFAULT_SPAN_KEY
) -> tuple[int, int]:
    """Write the articles' first codings as a DocBin; returns (documents, spans)."""
    from spacy.tokens import DocBin

    docbin = DocBin(store_user_data=True)
    documents = spans = 0
    for item in articles:
        coding_spans = item.codings[0].spans if item.codings else ()
        nlp = _blank((item.article.language or "xx").split("-")[0].lower() or "xx")
        doc = build_doc(nlp, item.article.text, coding_spans, span_key)
        doc.user_data["loupe"] = _user_data(item)
        docbin.add(doc)
        documents += 1
        spans += len(coding_spans)
    docbin.to_disk(path)
    return documents, spans
