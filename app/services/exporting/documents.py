"""Articles with their codings, for the formats written per document (JSON Lines,
doccano, brat, spaCy DocBin), streamed batch by batch.

Every string is made encodable as UTF-8 on the way (a surrogate, which only escaped
JSON can bring into attributes or metadata, becomes U+FFFD, one for one: see
:mod:`app.exchange.writers.cells`), so no writer fails half-way on one.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterator

from app.core.exports import CodedArticle, CodedRelation, CodedSpan, Coding
from app.core.records import Article
from app.exchange.writers.cells import UNENCODABLE, encodable, replace_characters
from app.services.exporting.tables import TableContext

_UNSAFE_STEM = re.compile(r"[^\w.\-]+")


def _stem(article: Article, used: set[str]) -> str:
    """A file name stem for the article: its external id made safe, else its id."""
    base = _UNSAFE_STEM.sub("_", article.external_id or "").strip("._")[:80] or article.id
    stem = base if base.casefold() not in used else f"{base}-{article.id[:8]}"
    used.add(stem.casefold())
    return stem


_TEXT_FIELDS = ("title", "text", "external_id", "source", "url", "published", "language")


def _encodable_article(article: Article) -> Article:
    changes: dict[str, object] = {}
    for name in _TEXT_FIELDS:
        value = getattr(article, name)
        if value and UNENCODABLE.search(value):
            changes[name] = replace_characters(value, UNENCODABLE)
    metadata = encodable(article.metadata)
    if metadata != article.metadata:
        changes["metadata"] = metadata
    return dataclasses.replace(article, **changes) if changes else article  # type: ignore[arg-type]


def coded_articles(ctx: TableContext, *, single: bool, text: str = "Articles") -> Iterator[CodedArticle]:
    """The exported articles with one :class:`Coding` per coder whose work is exported.

    With ``single`` (formats that hold one coding per article) only articles some chosen
    coder worked on are yielded, each with one coding: the chosen coder's, or for the
    gold standard the first adjudicator (by name) who worked on it. Without it, an
    export filtered by coder or status leaves out articles with no coding in it.
    """
    names = ctx.coder_names()
    everyone = sorted(ctx.project.store.coders.list(), key=lambda c: c.name)
    filtered = ctx.scope.coder_ids is not None or ctx.scope.statuses is not None
    used: set[str] = set()
    for batch in ctx.batches(text):
        spans: dict[tuple[str, str], list[CodedSpan]] = defaultdict(list)
        for a in ctx.queries.annotations(batch.ids, ctx.scope.coder_ids):
            spans[(a.article_id, a.coder_id)].append(
                CodedSpan(a.id, a.label, a.start, a.end, encodable(a.attributes),
                          a.note and replace_characters(a.note, UNENCODABLE), a.uncertain, a.fragments)
            )
        relations: dict[tuple[str, str], list[CodedRelation]] = defaultdict(list)
        for r, _source, _target in ctx.queries.relations(batch.ids, ctx.scope.coder_ids):
            relations[(r.article_id, r.coder_id)].append(
                CodedRelation(r.id, r.label, r.source_id, r.target_id, encodable(r.attributes))
            )
        answers = ctx.queries.answers(batch.ids, ctx.scope.coder_ids)
        for stored in batch.articles:
            article = _encodable_article(stored)
            codings = []
            for coder in everyone:
                pair = (article.id, coder.id)
                if not batch.includes(*pair):
                    continue
                given = answers.get(pair, {})
                codings.append(
                    Coding(
                        coder=names[coder.id],
                        status=batch.status(*pair),
                        spans=tuple(spans.get(pair, ())),
                        relations=tuple(relations.get(pair, ())),
                        answers={q: encodable(a.value) for q, a in given.items()},
                    )
                )
            if (single or filtered) and not codings:
                continue
            if single and len(codings) > 1:
                ctx.warnings.append(
                    f"{article.title[:60]}: coded by {', '.join(c.coder for c in codings)}; "
                    f"the coding of {codings[0].coder} was exported."
                )
                codings = codings[:1]
            tally = ctx.tally
            tally.articles += 1
            for coding in codings:
                tally.coders.add(coding.coder)
                tally.annotations += len(coding.spans)
                tally.relations += len(coding.relations)
                tally.by_label.update(s.label for s in coding.spans)
                if coding.status == "done":
                    tally.done[coding.coder] += 1
            yield CodedArticle(article, tuple(codings), name=_stem(article, used))
