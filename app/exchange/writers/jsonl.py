"""JSON Lines exports: one article per line.

* :func:`write_articles_jsonl`: the article, its metadata and, per coder, the status,
  spans (with their text and attributes; a discontinuous span with its ``fragments``),
  relations and article answers.
* :func:`write_doccano_jsonl`: ONE coding per article in the layout of the doccano
  project type that holds it (sequence labelling, intent detection or relation
  extraction; see the function). The stored text already begins with the headline, so
  there is no ``title`` key (an importer would put the headline in front a second
  time); the headline and ids are under ``meta``. ``loupe import --coder NAME`` reads
  such a file back with the same spans, relations and choice answers.

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
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from app.core.exports import CodedArticle, CodedRelation, CodedSpan, Coding, span_text
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


#: doccano layouts, by the project type whose import reads them.
DOCCANO_LAYOUTS = ("sequence_labeling", "intent_detection", "relation_extraction")


def _doccano_categories(answers: Mapping[str, Any], questions: Sequence[str]) -> list[str]:
    """The option names of the answers to ``questions`` (in their order), once each."""
    found: list[str] = []
    for name in questions:
        value = answers.get(name)
        for option in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(option, str) and option.strip() and option not in found:
                found.append(option)
    return found


class _DoccanoIds:
    """Entity and relation ids, integers counted over the whole file as doccano numbers
    them (its ids are database keys, unique in a project)."""

    def __init__(self) -> None:
        self.entity = 0
        self.relation = 0

    def entities(self, spans: Sequence[CodedSpan]) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """The entities of ``spans`` in text order, one per fragment, and each span's id
        (a discontinuous span's: its first fragment's)."""
        pieces = sorted(
            (start, end, s.label, i, k) for i, s in enumerate(spans) for k, (start, end) in enumerate(s.ranges)
        )
        entities: list[dict[str, Any]] = []
        first: dict[str, int] = {}
        for start, end, label, i, k in pieces:
            entities.append({"id": self.entity, "label": label, "start_offset": start, "end_offset": end})
            if k == 0:
                first[spans[i].key] = self.entity
            self.entity += 1
        return entities, first

    def relations(self, relations: Sequence[CodedRelation], ids: Mapping[str, int]) -> list[dict[str, Any]]:
        found = []
        for r in relations:
            if r.source in ids and r.target in ids:
                found.append({"id": self.relation, "from_id": ids[r.source], "to_id": ids[r.target], "type": r.label})
                self.relation += 1
        return found


def write_doccano_jsonl(
    path: Path,
    articles: Iterable[CodedArticle],
    *,
    layout: str = "sequence_labeling",
    questions: Sequence[str] = (),
) -> int:
    """Write one line per article with its (only) coding; returns the number of lines.

    The caller chooses ``layout`` for the whole file before writing (doccano imports a
    file into one project type, and a reader should not guess line by line):

    * ``sequence_labeling`` (no relation, no answer): ``"label": [[start, end, label],
      ...]``, doccano's sequence-labelling format;
    * ``intent_detection`` (answers but no relation): ``"entities": [[start, end,
      label], ...]`` and ``"cats": [option, ...]``, doccano's format for the project
      type that holds spans and document labels together (Intent Detection and Slot
      Filling). Document labels go under ``cats``, not ``label``: doccano's
      text-classification export writes ``"label": ["a", "b"]``, which is the span key
      of the sequence-labelling layout, while Loupe's reader takes ``cats`` as document
      labels only and ``entities`` as spans only, so neither can be misread. A doccano
      sequence-labelling project reads the spans by naming the label column
      ``entities``, a text-classification project the labels by naming it ``cats``;
    * ``relation_extraction`` (a relation anywhere): ``"entities": [{id, label,
      start_offset, end_offset}, ...]`` and ``"relations": [{id, from_id, to_id,
      type}, ...]`` as doccano writes them, ids integers unique in the file; answers,
      where a line has some, under ``cats``, which doccano keeps as metadata (its
      relation projects hold no document labels) and Loupe reads back as answers.

    Document labels are the options chosen in answers to ``questions`` (the choice
    questions, in codebook order); doccano labels carry no question, so an option two
    questions share cannot tell on import which one it answered. doccano has no
    discontinuous spans: each fragment is an entry of its own, never the envelope, and a
    relation links a discontinuous span's first fragment.
    """
    if layout not in DOCCANO_LAYOUTS:
        raise ValueError(f"unknown doccano layout {layout!r}")
    ids = _DoccanoIds()
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for item in articles:
            a = item.article
            coding = item.codings[0] if item.codings else Coding(coder="")
            line: dict[str, Any] = {"id": a.external_id or a.id, "text": a.text}
            cats = _doccano_categories(coding.answers, questions)
            if layout == "relation_extraction":
                entities, first = ids.entities(coding.spans)
                line["entities"] = entities
                line["relations"] = ids.relations(coding.relations, first)
                if cats:
                    line["cats"] = cats
            else:
                triples = sorted([start, end, s.label] for s in coding.spans for start, end in s.ranges)
                if layout == "intent_detection":
                    line["entities"] = triples
                    line["cats"] = cats
                else:
                    line["label"] = triples
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
