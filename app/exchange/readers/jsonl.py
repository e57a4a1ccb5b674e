"""JSON Lines files: one JSON object per line, one article per object.

Keys follow the same aliases as CSV columns. Besides, doccano's export formats are read:

* sequence labelling: a ``label`` (or ``labels``, or ``entities``) list of
  ``[start, end, label]`` triples or ``{start_offset, end_offset, label}`` objects
  becomes the article's spans;
* relation extraction: ``entities`` objects with an ``id`` and a ``relations`` list of
  ``{id, from_id, to_id, type}`` become spans and relations between them;
* text classification (and intent detection): a ``label``/``labels`` list of names, or
  ``cats`` (a list of names, or ``{name: score}`` with scores of 0.5 and more chosen),
  become the article's categories, which the import turns into answers.

Span offsets are code-point offsets into the object's ``text``; they are moved along
with the text when the headline is prepended or line endings are normalised.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

from app.core.articles import ImportedArticle, SourceRelation, SourceSpan
from app.core.errors import ImportFormatError
from app.exchange.readers.articletext import (
    FIELD_ALIASES,
    compose,
    describe_names,
    match_fields,
    shifted_spans,
    text_or_none,
)
from app.exchange.readers.textdecode import decode_text, normalize_newlines_with_map

#: Keys that hold spans (lists of offsets) or categories (lists of names).
SPAN_KEYS = ("label", "labels", "entities")
CATEGORY_KEYS = ("label", "labels", "cats")


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


class _NotStrictJson(Exception):
    def __init__(self, constant: str) -> None:
        super().__init__(constant)
        self.constant = constant


def _refuse_constant(constant: str) -> Any:
    raise _NotStrictJson(constant)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):  # 1e999 is valid JSON but no float holds it
        raise _NotStrictJson(literal)
    return value


def _parse(line: str, where: str) -> dict[str, Any]:
    try:
        # Python's json reads NaN and Infinity, which JSON does not have: an exported
        # line holding one would be invalid JSON, so they are refused here.
        value = json.loads(line, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _NotStrictJson as exc:
        shown = exc.constant if len(exc.constant) <= 40 else exc.constant[:37] + "..."
        if shown in ("NaN", "Infinity", "-Infinity"):
            reason = f"{shown} is not valid JSON"
        else:
            reason = f"the number {shown} is too large to be stored"
        raise ImportFormatError(
            f"{where}: {reason} (numbers must be finite; JSON has no NaN or Infinity)."
        ) from exc
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{where}: not valid JSON ({exc.msg} at column {exc.colno})."
        ) from exc
    except RecursionError as exc:
        raise ImportFormatError(f"{where}: not valid JSON (nested too deeply).") from exc
    except ValueError as exc:  # e.g. an integer with too many digits
        raise ImportFormatError(f"{where}: not valid JSON ({str(exc).rstrip('.')}).") from exc
    if not isinstance(value, dict):
        raise ImportFormatError(f"{where}: expected a JSON object, found {_kind(value)}.")
    if "\\u" in line.lower():
        # "\ud800" escapes decode to lone surrogates, which no text file can hold.
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ImportFormatError(
                f"{where}: contains a \\u escape that is not a valid character (a lone surrogate)."
            ) from exc
    return value


def _scalar(obj: dict[str, Any], key: str | None, where: str) -> str | None:
    if key is None:
        return None
    value = obj[key]
    if isinstance(value, (list, dict)):
        raise ImportFormatError(f"{where}: {key!r} must be a string, not {_kind(value)}.")
    return text_or_none(value)


def _is_offset(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_categories(entries: object) -> bool:
    return isinstance(entries, list) and bool(entries) and all(isinstance(e, str) for e in entries)


def _span_entries(obj: dict[str, Any], key: str, where: str) -> list[SourceSpan] | None:
    """The spans under ``key``; ``None`` when the value is not a span list (e.g. categories)."""
    entries = obj[key]
    if not isinstance(entries, list) or _is_categories(entries):
        return None
    spans: list[SourceSpan] = []
    for number, entry in enumerate(entries, start=1):
        ident: object = None
        if isinstance(entry, list) and len(entry) == 3:
            start, end, label = entry
        elif isinstance(entry, dict) and {"start_offset", "end_offset", "label"} <= entry.keys():
            start, end, label = entry["start_offset"], entry["end_offset"], entry["label"]
            ident = entry.get("id")
        else:
            raise ImportFormatError(
                f"{where}: {key} entry {number} is not [start, end, label] "
                f"or {{start_offset, end_offset, label}}."
            )
        if not (_is_offset(start) and _is_offset(end) and isinstance(label, str) and label.strip()):
            raise ImportFormatError(
                f"{where}: {key} entry {number} needs whole-number offsets and a label name."
            )
        if isinstance(ident, bool) or (ident is not None and not isinstance(ident, (int, str))):
            raise ImportFormatError(f"{where}: {key} entry {number} has an id that is not a number or a name.")
        name = str(ident) if ident is not None else f"{key}#{number}"
        spans.append(SourceSpan(start, end, label.strip(), name))
    return spans


def _categories(obj: dict[str, Any], key: str, where: str) -> list[str] | None:
    """Document labels under ``key``: a list of names, or for ``cats`` ``{name: score}``."""
    entries = obj[key]
    if _is_categories(entries):
        return [entry.strip() for entry in entries if entry.strip()]
    if key == "cats" and isinstance(entries, list) and not entries:
        return []
    if key == "cats" and isinstance(entries, dict):
        chosen = []
        for name, score in entries.items():
            if isinstance(score, bool) or isinstance(score, (int, float)):
                if score >= 0.5 and name.strip():
                    chosen.append(name.strip())
            else:
                raise ImportFormatError(f"{where}: cats gives {name!r} {_kind(score)}, not a score.")
        return chosen
    return None


def _relations(obj: dict[str, Any], spans: list[SourceSpan], where: str) -> list[SourceRelation] | None:
    """doccano ``relations`` between the line's spans; ``None`` when there is no such list."""
    entries = obj.get("relations")
    if not isinstance(entries, list):
        return None
    keys = {span.key for span in spans}
    if len(keys) != len(spans):
        raise ImportFormatError(f"{where}: two entities have the same id, so relations cannot tell them apart.")
    relations: list[SourceRelation] = []
    for number, entry in enumerate(entries, start=1):
        if not (isinstance(entry, dict) and {"from_id", "to_id", "type"} <= entry.keys()):
            raise ImportFormatError(f"{where}: relations entry {number} is not {{from_id, to_id, type}}.")
        label = entry["type"]
        if not isinstance(label, str) or not label.strip():
            raise ImportFormatError(f"{where}: relations entry {number} needs a type name.")
        ends = []
        for side in ("from_id", "to_id"):
            value = entry[side]
            if isinstance(value, bool) or not isinstance(value, (int, str)) or str(value) not in keys:
                raise ImportFormatError(
                    f"{where}: relations entry {number} links entity {json.dumps(value)}, "
                    f"which is not one of the line's entities."
                )
            ends.append(str(value))
        ident = entry.get("id")
        name = str(ident) if isinstance(ident, (int, str)) and not isinstance(ident, bool) else f"relations#{number}"
        relations.append(SourceRelation(name, label.strip(), ends[0], ends[1]))
    return relations


def _check_span(span: SourceSpan, text: str, where: str) -> None:
    if not 0 <= span.start < span.end <= len(text):
        raise ImportFormatError(
            f"{where}: span [{span.start}, {span.end}] ({span.label}) is outside the text, "
            f"which has {len(text)} characters (0 <= start < end <= {len(text)} is required)."
        )


def _article(obj: dict[str, Any], where: str) -> ImportedArticle:
    fields = match_fields(obj.keys())
    if "text" not in fields:
        raise ImportFormatError(
            f"{where}: no text field (expected one of {', '.join(FIELD_ALIASES['text'])}; "
            f"found {describe_names(obj.keys())})."
        )
    text_key = fields["text"]
    raw_text = obj[text_key]
    if not isinstance(raw_text, str):
        raise ImportFormatError(f"{where}: {text_key!r} must be a string, not {_kind(raw_text)}.")
    if not raw_text.strip():
        raise ImportFormatError(f"{where}: the text is empty.")

    spans: list[SourceSpan] = []
    categories: list[str] = []
    span_keys: set[str] = set()
    for key in dict.fromkeys(SPAN_KEYS + CATEGORY_KEYS):
        if key in obj and key not in fields.values():
            found = _span_entries(obj, key, where) if key in SPAN_KEYS else None
            labels = _categories(obj, key, where) if found is None and key in CATEGORY_KEYS else None
            if found is not None:
                span_keys.add(key)
                spans.extend(found)
            elif labels is not None:
                span_keys.add(key)
                categories.extend(label for label in labels if label not in categories)
    for span in spans:
        _check_span(span, raw_text, where)
    relations = _relations(obj, spans, where)
    if relations is not None:
        span_keys.add("relations")

    body, to_new = normalize_newlines_with_map(raw_text)
    spans = [replace(s, start=to_new(s.start), end=to_new(s.end)) for s in spans]
    composed = compose(_scalar(obj, fields.get("title"), where), body)
    moved = shifted_spans(composed, spans)
    used = set(fields.values()) | span_keys
    metadata = {key: value for key, value in obj.items() if key not in used}
    return ImportedArticle(
        title=composed.title,
        text=composed.text,
        origin=where,
        external_id=_scalar(obj, fields.get("external_id"), where),
        source=_scalar(obj, fields.get("source"), where),
        url=_scalar(obj, fields.get("url"), where),
        published=_scalar(obj, fields.get("published"), where),
        language=_scalar(obj, fields.get("language"), where),
        metadata=metadata,
        spans=moved,
        relations=tuple(relations or ()),
        categories=tuple(categories),
    )


def read_jsonl(data: bytes, name: str) -> list[ImportedArticle]:
    text = decode_text(data, name)
    articles: list[ImportedArticle] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{name}, line {number}"
        articles.append(_article(_parse(line, where), where))
    if not articles:
        raise ImportFormatError(f"{name} is empty.")
    return articles
