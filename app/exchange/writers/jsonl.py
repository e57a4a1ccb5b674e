"""JSON Lines exports: one article per line.

* :func:`write_articles_jsonl`: the article, its metadata and, per coder, the status,
  spans (with their text and attributes; a discontinuous span with its ``fragments``),
  relations and article answers.
* :func:`write_doccano_jsonl`: doccano's sequence-labelling format for ONE coding per
  article, ``{"text": ..., "label": [[start, end, label], ...]}``. The stored text
  already begins with the headline, so there is no ``title`` key (doccano has no
  discontinuous spans: each fragment is an entry of its own) (an importer would
  put the headline in front a second time); the headline and ids are under ``meta``.
  ``loupe import --coder NAME`` reads such a file back with the same spans.

Offsets are Unicode code points of ``text`` (Python string indices). Lines are strict
JSON: a number that is not finite (NaN, an infinity, which only a hand-made file can
bring in) is written as ``null``, and a surrogate, which UTF-8 cannot encode, as U+FFFD
(one for one, so the offsets stay valid; see :mod:`.cells`). U+0085, U+2028 and U+2029
are written escaped (``\\u2028``): JSON allows them raw, but readers that split lines
the way Python's ``str.splitlines`` does would cut a record in two.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from app.core.exports import CodedArticle, CodedSpan, Coding, span_text
from app.exchange.writers.cells import UNENCODABLE, replace_characters

#: Line breaks for ``str.splitlines`` that JSON leaves raw inside strings.
_RAW_BREAKS = re.compile("[\x85\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _finite(value: Any) -> Any:
    """``value`` with every float that is not finite replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _dump(handle: IO[str], obj: dict[str, Any]) -> None:
    try:
        line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:  # NaN or an infinity somewhere: rare, so only then walked
        line = json.dumps(_finite(obj), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # ensure_ascii=False leaves these as they are, inside strings: escape or replace them there.
    if _RAW_BREAKS.search(line):
        line = _RAW_BREAKS.sub(_escape, line)
    handle.write(replace_characters(line, UNENCODABLE))
    handle.write("\n")


def _span(text: str, span: CodedSpan) -> dict[str, Any]:
    """A span; a discontinuous one adds ``fragments`` (each with its text) and its
    ``text`` is theirs joined by " … " (its ``start``/``end`` are their envelope)."""
    found: dict[str, Any] = {
        "id": span.key, "start": span.start, "end": span.end, "label": span.label,
        "text": span_text(text, span.ranges), "attributes": dict(span.attributes),
        "note": span.note, "uncertain": span.uncertain,
    }
    if span.fragments:
        found["fragments"] = [{"start": s, "end": e, "text": text[s:e]} for s, e in span.fragments]
    return found


def _coding(text: str, coding: Coding) -> dict[str, Any]:
    return {
        "coder": coding.coder,
        "status": coding.status,
        "spans": [_span(text, span) for span in coding.spans],
        "relations": [
            {
                "id": relation.key, "label": relation.label, "source": relation.source,
                "target": relation.target, "attributes": dict(relation.attributes),
            }
            for relation in coding.relations
        ],
        "answers": dict(coding.answers),
    }


def write_articles_jsonl(path: Path, articles: Iterable[CodedArticle]) -> int:
    """Write every article with all its codings; returns the number of lines."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for item in articles:
            a = item.article
            _dump(handle, {
                "id": a.id, "external_id": a.external_id, "title": a.title, "source": a.source,
                "url": a.url, "published": a.published, "language": a.language,
                "metadata": dict(a.metadata), "text": a.text,
                "coders": [_coding(a.text, coding) for coding in item.codings],
            })
            count += 1
    return count


def write_doccano_jsonl(path: Path, articles: Iterable[CodedArticle]) -> int:
    """Write one line per article with the spans of its (only) coding."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for item in articles:
            a = item.article
            spans = [s for coding in item.codings[:1] for s in coding.spans]
            line: dict[str, Any] = {
                "id": a.external_id or a.id,
                "text": a.text,
                # doccano has no discontinuous spans: one entry per fragment, never the envelope.
                "label": sorted([start, end, s.label] for s in spans for start, end in s.ranges),
            }
            for key in ("source", "url", "published", "language"):
                value = getattr(a, key)
                if value:
                    line[key] = value
            line["meta"] = {
                "article_id": a.id, "headline": a.title,
                "coder": item.codings[0].coder if item.codings else None,
            }
            _dump(handle, line)
            count += 1
    return count

