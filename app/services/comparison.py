"""Two or more coders' spans on one article, for the lead's side-by-side comparison.

The lead's drill-down from an agreement figure ends here: the article text with each
named coder's live spans. Only for the lead's project; the coding window never shows
another coder's work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.core.errors import LoupeError
from app.core.records import Annotation, Article
from app.services.projects import Project


@dataclass(frozen=True)
class CoderSpans:
    article: Article
    #: Coder name -> their live spans on the article, by start and end.
    spans: dict[str, tuple[Annotation, ...]]


def coder_spans(project: Project, article_id: str, coders: Sequence[str]) -> CoderSpans:
    """The article and the live spans of each coder named (by name)."""
    article = project.store.articles.get(article_id)
    found: dict[str, tuple[Annotation, ...]] = {}
    for name in coders:
        coder = project.store.coders.find(name)
        if coder is None:
            raise LoupeError(f"There is no coder named '{name}' in this project.")
        found[name] = tuple(project.store.annotations.for_article(article_id, coder.id))
    return CoderSpans(article, found)
