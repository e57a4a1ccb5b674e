"""Find in Project: full-text search with keyword-in-context rows, and coding every hit.

:func:`search` runs a query (see :mod:`app.core.search_query` for the syntax) over the
articles a coder may see and returns one :class:`Hit` per matched word or phrase: the
article, the match's position (code points) and the sentence around it.
:func:`plan_coding` turns chosen hits into one annotation each, snapped to whole words as
the window snaps a selection, leaving out hits that already carry the label;
:func:`code_hits` writes them in one transaction, as one edit whose inverse removes them
all (one undo step in the window).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.edits import AddAnnotations, Edit
from app.core.errors import LoupeError
from app.core.search_query import fts_query
from app.core.snippets import SentenceContext
from app.core.spans import snap_to_words
from app.services.editing import apply_edit, new_annotation
from app.services.projects import Project
from app.store.search import Filters

#: Hits a search returns unless told otherwise.
DEFAULT_LIMIT = 500
#: A coder's matching articles are counted up to this many when the hits are cut.
COUNT_CAP = 1_000
#: Articles read per round while collecting hits.
_PAGE = 50


@dataclass(frozen=True, slots=True)
class Hit:
    article_id: str
    #: The article's number in the project (its import position).
    number: int
    title: str
    #: The match in the text, in code points; -1 for an article matched by its title alone.
    start: int
    end: int
    #: The matched words as they stand in the text.
    matched: str
    #: The sentence with the match (or the title, for a title match), on one line.
    sentence: str


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    hits: list[Hit]
    #: How many articles match in all (the hits may stop at the limit before).
    articles: int
    #: More hits exist than were returned.
    truncated: bool
    #: ``articles`` is a floor: at least that many match (a coder's count stops at
    #: :data:`COUNT_CAP` once the hits were cut at the limit).
    articles_at_least: bool = False


def search_filters(
    project: Project, coder_id: str | None = None, *, source: str | None = None,
    date_from: str | None = None, date_to: str | None = None, status: str | None = None,
) -> Filters:
    """The articles a search looks in: a coder's own (all of them in a project without
    assignments; the lead, with no coder, sees every article)."""
    if status is not None and coder_id is None:
        raise LoupeError("A status filter needs a coder: whose status?")
    blinded = coder_id is not None and project.store.assignments.any()
    return Filters(coder_id, blinded, source or None, date_from or None, date_to or None, status)


def search_sources(project: Project, filters: Filters) -> list[str]:
    """The sources among the articles ``filters`` let a search look in (for a choice of
    source; blinded to the coder's own articles like the search)."""
    return project.store.search.sources(filters)


def search(project: Project, typed: str, filters: Filters, *, limit: int = DEFAULT_LIMIT) -> SearchResult:
    """Up to ``limit`` hits of ``typed``, in project order, then in text order."""
    if not project.store.search.available():
        raise LoupeError("Search needs a project file; this project's database has no full-text index.")
    try:
        query = fts_query(typed)
    except ValueError:
        raise LoupeError("Type a word to search for.") from None
    hits: list[Hit] = []
    after = 0
    while True:
        page = project.store.search.articles(query, filters, after=after, limit=_PAGE)
        for article in page:
            context = SentenceContext(article.text)
            found = [
                Hit(article.id, article.position, article.title, start, end, article.text[start:end],
                    context(start, end))
                for start, end in (_with_marks(article.text, *match) for match in article.matches)
            ] or [Hit(article.id, article.position, article.title, -1, -1, "", article.title)]  # title only
            room = limit - len(hits)
            if len(found) > room:
                total = project.store.search.count(query, filters, cap=COUNT_CAP + 1)
                capped = total > COUNT_CAP
                return SearchResult(query, hits + found[:room], min(total, COUNT_CAP), True, capped)
            hits += found
        if len(page) < _PAGE:  # every hit is here: so is every matching article
            return SearchResult(query, hits, len({hit.article_id for hit in hits}), False)
        after = page[-1].position


def _with_marks(text: str, start: int, end: int) -> tuple[int, int]:
    """The match with the combining marks that follow it: the index's tokenizer reads a
    mark (an Arabic vowel sign, a decomposed accent, an emoji's variation selector) as a
    separator, so its match stops before the mark of its last letter."""
    while end < len(text) and unicodedata.category(text[end]).startswith("M"):
        end += 1
    return start, end


@dataclass(frozen=True, slots=True)
class CodingPlan:
    """What coding the chosen hits would do, for the preview: the annotations to add and
    how many hits are left out because they already carry the label."""

    label: str
    edit: AddAnnotations | None
    already: int

    @property
    def count(self) -> int:
        return 0 if self.edit is None else len(self.edit.annotations)


def plan_coding(project: Project, coder_id: str, label: str, hits: Sequence[Hit]) -> CodingPlan:
    """One annotation of ``label`` per text hit, snapped to whole words; a hit whose span
    an annotation of the coder with that label already covers (or that another hit
    gave already) is left out."""
    if label not in {spec.name for spec in project.codebook.span_labels}:
        raise LoupeError(f"The codebook has no span label \u201c{label}\u201d.")
    by_article: dict[str, list[Hit]] = {}
    for hit in hits:
        if hit.start >= 0:
            by_article.setdefault(hit.article_id, []).append(hit)
    new = []
    already = 0
    for article_id, article_hits in by_article.items():
        text = project.store.articles.get(article_id).text
        covered = [
            (a.start, a.end) for a in project.store.annotations.for_article(article_id, coder_id)
            if a.label == label
        ]
        for hit in article_hits:
            start, end = snap_to_words(text, hit.start, hit.end)
            if start == end:
                continue
            if any(first <= start and end <= last for first, last in covered):
                already += 1
                continue
            covered.append((start, end))
            new.append(new_annotation(article_id, coder_id, label, start, end))
    text = f"Code {len(new)} occurrence{'s' if len(new) != 1 else ''} as {label}"
    return CodingPlan(label, AddAnnotations(tuple(new), text) if new else None, already)


def code_hits(project: Project, plan: CodingPlan) -> Edit | None:
    """Write the plan's annotations in one transaction; returns the edit that removes
    them again (None when there was nothing to add)."""
    if plan.edit is None:
        return None
    inverse, _ = apply_edit(project, plan.edit)
    return inverse
