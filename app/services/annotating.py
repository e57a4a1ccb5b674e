"""Coders' span annotations: validated, then written and committed at once.

A single edit runs on the calling (GUI) thread and is committed before the call returns.
"""

from __future__ import annotations

import uuid
from typing import Any

from app.core.errors import LoupeError
from app.core.records import Annotation, utc_now
from app.services.projects import Project


class AnnotationError(LoupeError):
    """An annotation that the codebook or the article text does not allow."""


def add_annotation(
    project: Project,
    *,
    article_id: str,
    coder_id: str,
    label: str,
    start: int,
    end: int,
    attributes: dict[str, Any] | None = None,
    note: str = "",
    uncertain: bool = False,
) -> Annotation:
    """Create a span annotation (code-point offsets) and commit it."""
    try:
        span_label = project.codebook.label(label)
    except KeyError:
        raise AnnotationError(f"'{label}' is not a span label of the codebook.") from None
    length = project.text_length(article_id)
    if length is None:
        raise AnnotationError(f"There is no article with id {article_id} in this project.")
    if not 0 <= start < end <= length:
        raise AnnotationError(
            f"The span {start}-{end} is outside the article text (0-{length}) or empty."
        )
    values = dict(attributes or {})
    for name, value in values.items():
        try:
            attribute = span_label.attribute(name)
        except KeyError:
            raise AnnotationError(f"'{name}' is not an attribute of {label}.") from None
        problem = attribute.validate(value)
        if problem:
            raise AnnotationError(f"{label}.{name}: {problem}")
    now = utc_now()
    annotation = Annotation(
        id=str(uuid.uuid4()), article_id=article_id, coder_id=coder_id, label=label,
        start=start, end=end, attributes=values, note=note, uncertain=uncertain,
        revision=1, created_at=now, updated_at=now,
    )
    project.store.annotations.add(annotation)
    return annotation


def delete_annotation(project: Project, annotation_id: str) -> None:
    """Tombstone an annotation, so that merging other files propagates the deletion."""
    project.store.annotations.set_deleted(annotation_id, utc_now(), utc_now())
