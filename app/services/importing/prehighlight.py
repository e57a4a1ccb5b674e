"""Pre-highlighting with the NLP pipeline, shared by import and ``preannotate``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.core.defaults import DEFAULT_MODEL
from app.nlp import load_tagger
from app.services.progress import (
    CancelFn,
    OperationCancelled,
    ProgressFn,
    never_cancelled,
    no_progress,
)

if TYPE_CHECKING:
    from app.services.projects import Project

SpanTuple = tuple[int, int, str]


def tag_texts(
    texts: Sequence[str],
    model: str | None,
    labels: Sequence[str] | None,
    *,
    n_process: int = 1,
    batch_size: int = 64,
    progress: ProgressFn = no_progress,
    cancelled: CancelFn = never_cancelled,
) -> tuple[str, list[list[SpanTuple]]]:
    """Entities of every text, in order; returns (model id, entities per text).

    Raises :class:`~app.core.errors.ModelError` if the pipeline cannot be loaded.
    """
    tagger = load_tagger(model or DEFAULT_MODEL)
    results: list[list[SpanTuple]] = []
    # Progress counts characters: one long article is tagged piece by piece, and the bar
    # (and a cancel) must not wait for the whole of it.
    total = sum(len(text) for text in texts)
    done = pieces = 0
    progress(0, total, "Highlighting entities")

    def tagged(characters: int) -> None:
        nonlocal done, pieces
        done += characters
        pieces += 1
        if pieces % 16 == 0 or characters >= 10_000:
            if cancelled():
                raise OperationCancelled("Cancelled; nothing was written.")
            progress(done, total, "Highlighting entities")

    for spans in tagger.tag(
        texts, labels, batch_size=batch_size, n_process=n_process, tagged=tagged
    ):
        results.append(spans)
    progress(total, total, "Highlighting entities")
    return tagger.model_id, results


def preannotate(
    project: Project,
    *,
    model: str | None = None,
    labels: Sequence[str] | None = None,
    n_process: int = 1,
    progress: ProgressFn = no_progress,
    cancelled: CancelFn = never_cancelled,
) -> tuple[str, int]:
    """Re-run the pipeline over every article, replacing only machine entities.

    Coders' annotations are untouched. The replacement is one transaction. ``labels``
    (if given) becomes the project's setting of entity labels to keep.
    Returns (model id, number of entities stored).
    """
    if labels:
        project.store.update_settings({"entity_labels": list(labels)})
    settings = project.store.settings()
    chosen = model or settings.get("model") or DEFAULT_MODEL
    ids, texts = [], []
    for article_id, text in project.store.articles.iter_texts():
        ids.append(article_id)
        texts.append(text)
    model_id, entities = tag_texts(
        texts, chosen, settings.get("entity_labels"), n_process=n_process,
        progress=progress, cancelled=cancelled,
    )
    stored = project.store.articles.replace_entities(dict(zip(ids, entities, strict=True)), model=model_id)
    if model:
        project.store.update_settings({"model": model})
    return model_id, stored
