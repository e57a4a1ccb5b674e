"""Turning a project's coding into reliability units for the agreement report.

Which coding counts:

* coders: every coder who is not an adjudicator (the gold standard is not a coder), or
  the coders named by the lead;
* articles: those that two or more of these coders marked done; on each, only the coders
  who finished it count (a coder who has not finished an article is missing, not empty);
* only live coding: deleted annotations, relations and answers are ignored.

Units: an article question is one unit per article (a coder's missing answer is a
missing value); spans are compared per coder pair on each article both finished
(:func:`compare_pairs`); attributes and relations hang off the matched spans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from app.agreement import AgreementError, relation_agreement, span_agreement
from app.agreement.relations import RelationAgreementResult
from app.agreement.spans import SpanAgreementResult, SpanTriple
from app.core.errors import LoupeError
from app.core.records import Annotation, Article
from app.services.projects import Project


class AgreementReportError(LoupeError):
    """Agreement cannot be reported for this project or this choice of coders."""


class NotEnoughCodersError(AgreementReportError):
    """No article has been finished by two or more of the coders compared."""


class UnknownCoderError(AgreementReportError):
    """A coder named for the comparison is not a coder of the project."""


@dataclass(frozen=True)
class CodedValue:
    """What one coder coded in a disagreement; ``value`` is ``None`` when absent."""

    coder: str
    value: Any
    start: int | None = None
    end: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class Disagreement:
    """One differing unit behind a figure.

    ``kind`` is ``"value"`` (different answers or attribute values), ``"unmatched"`` (a
    span or relation the other coder of the pair does not have) or ``"boundary"``
    (overlapping spans of one label whose boundaries differ: counts against exact F1).
    """

    article_id: str
    article_title: str
    kind: str
    unit: str
    values: tuple[CodedValue, ...]

    @property
    def coders(self) -> tuple[str, ...]:
        return tuple(v.coder for v in self.values)


@dataclass(frozen=True)
class Corpus:
    """The coding the report compares, keyed by coder name."""

    coders: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    articles: tuple[Article, ...]
    done: dict[str, tuple[str, ...]]
    annotations: dict[tuple[str, str], tuple[Annotation, ...]]
    relations: dict[tuple[str, str], tuple[tuple[SpanTriple, SpanTriple, str], ...]]
    answers: dict[tuple[str, str], dict[str, Any]]
    n_excluded: int

    def shared(self, pair: tuple[str, str]) -> list[Article]:
        """The articles both coders of ``pair`` finished, in import order."""
        return [a for a in self.articles if set(pair) <= set(self.done[a.id])]

    def common(self) -> list[Article]:
        """The articles every compared coder finished."""
        return [a for a in self.articles if len(self.done[a.id]) == len(self.coders)]


def _select(project: Project, names: Sequence[str] | None) -> dict[str, str]:
    everyone = project.store.coders.list()
    if names is None:
        return {c.id: c.name for c in everyone if c.role != "adjudicator"}
    by_name = {c.name: c for c in everyone}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(sorted(by_name)) or "none yet"
        raise UnknownCoderError(
            f"There is no coder named {', '.join(repr(n) for n in unknown)} in this project "
            f"(its coders: {known})."
        )
    chosen = list(dict.fromkeys(names))
    if len(chosen) < 2:
        raise AgreementReportError("Name at least two coders to compare.")
    return {by_name[n].id: n for n in chosen}


def load_corpus(project: Project, coder_names: Sequence[str] | None = None) -> Corpus:
    """Read the finished coding of the selected coders (a handful of queries).

    Raises :class:`UnknownCoderError` for a name that is not a coder of the project and
    :class:`NotEnoughCodersError` when no article was finished by two of the coders.
    """
    selected = _select(project, coder_names)
    queries = project.store.reliability
    done: dict[str, tuple[str, ...]] = {}
    n_excluded = 0
    for article_id, coder_ids in queries.done_coders_by_article().items():
        names = tuple(sorted({selected[c] for c in coder_ids if c in selected}))
        if len(names) >= 2:
            done[article_id] = names
        elif names:
            n_excluded += 1
    if not done:
        among = "" if coder_names is None else f" among {', '.join(selected.values())}"
        raise NotEnoughCodersError(
            f"No article has been finished by two or more coders yet{among}; agreement is "
            "measured on the articles that at least two coders have marked done."
        )
    articles = tuple(queries.articles(list(done)))
    ids = [a.id for a in articles]
    coder_ids = [c for c in selected if any(selected[c] in v for v in done.values())]
    annotations: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    triples: dict[str, SpanTriple] = {}
    for a in queries.annotations(ids, coder_ids):
        annotations[a.article_id, selected[a.coder_id]].append(a)
        triples[a.id] = (a.start, a.end, a.label)
    relations: dict[tuple[str, str], list[tuple[SpanTriple, SpanTriple, str]]] = defaultdict(list)
    for r in queries.relations(ids, coder_ids):
        if r.source_id in triples and r.target_id in triples:
            key = (r.article_id, selected[r.coder_id])
            relations[key].append((triples[r.source_id], triples[r.target_id], r.label))
    answers: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for answer in queries.answers(ids, coder_ids):
        answers[answer.article_id, selected[answer.coder_id]][answer.question] = answer.value
    coders = tuple(sorted({name for names in done.values() for name in names}))
    pairs = tuple(
        pair
        for pair in combinations(coders, 2)
        if any(set(pair) <= set(names) for names in done.values())
    )
    return Corpus(
        coders=coders,
        pairs=pairs,
        articles=articles,
        done=done,
        annotations={k: tuple(v) for k, v in annotations.items()},
        relations={k: tuple(v) for k, v in relations.items()},
        answers=dict(answers),
        n_excluded=n_excluded,
    )


def answer_units(
    corpus: Corpus, question: str, option: str | None = None
) -> dict[str, dict[Hashable, Any]]:
    """Article id -> coder -> answer, for the coders who finished the article.

    With ``option`` (a multiple-choice question) the value is whether the coder chose
    that option; an unanswered question is ``None`` (missing) either way.
    """
    units: dict[str, dict[Hashable, Any]] = {}
    for article in corpus.articles:
        unit: dict[Hashable, Any] = {}
        for coder in corpus.done[article.id]:
            value = corpus.answers.get((article.id, coder), {}).get(question)
            if option is not None and value is not None:
                value = option in value if isinstance(value, list) else None
            unit[coder] = value
        units[article.id] = unit
    return units


@dataclass(frozen=True)
class PairArticle:
    """Two coders' spans and relations on one article, compared.

    ``exact`` and ``overlap`` are the span matchings (``None`` when neither coder marked
    a span); ``matched`` holds the annotations paired by the overlap matching, which is
    the matching attributes and relations are compared through.
    """

    pair: tuple[str, str]
    article: Article
    exact: SpanAgreementResult | None
    overlap: SpanAgreementResult | None
    matched: tuple[tuple[Annotation, Annotation], ...]
    relations: RelationAgreementResult | None


def _triples(annotations: Sequence[Annotation]) -> list[SpanTriple]:
    return [(a.start, a.end, a.label) for a in annotations]


def _matched_annotations(
    result: SpanAgreementResult, a: Sequence[Annotation], b: Sequence[Annotation]
) -> tuple[tuple[Annotation, Annotation], ...]:
    pools: list[dict[SpanTriple, list[Annotation]]] = [defaultdict(list), defaultdict(list)]
    for pool, coded in zip(pools, (a, b), strict=True):
        for annotation in coded:
            pool[annotation.start, annotation.end, annotation.label].append(annotation)
    return tuple((pools[0][ta].pop(0), pools[1][tb].pop(0)) for ta, tb in result.matched)


def compare_pairs(corpus: Corpus) -> list[PairArticle]:
    """Every coder pair on every article both finished: span matchings and relations."""
    out = []
    for pair in corpus.pairs:
        for article in corpus.shared(pair):
            a, b = (corpus.annotations.get((article.id, coder), ()) for coder in pair)
            if not a and not b:
                out.append(PairArticle(pair, article, None, None, (), None))
                continue
            exact = span_agreement(_triples(a), _triples(b), "exact")
            overlap = span_agreement(_triples(a), _triples(b), "overlap")
            ra, rb = (corpus.relations.get((article.id, coder), ()) for coder in pair)
            try:
                relations = relation_agreement(ra, rb, overlap.matched)
            except AgreementError:
                relations = None
            matched = _matched_annotations(overlap, a, b)
            out.append(PairArticle(pair, article, exact, overlap, matched, relations))
    return out


def unitizing_spans(
    corpus: Corpus, articles: Sequence[Article], coders: Sequence[str]
) -> tuple[list[tuple[str, int, int, str]], int, int]:
    """The coders' spans on the concatenated continuum of ``articles``.

    Returns ``(coder, begin, length, label)`` spans with each article shifted by the
    lengths of the articles before it, the continuum's length, and how many spans were
    merged: alpha_U needs a coder's units of one label not to overlap, so overlapping
    spans of one coder and label are replaced by their union.
    """
    spans: list[tuple[str, int, int, str]] = []
    offset = merged = 0
    for article in articles:
        for coder in coders:
            by_label: dict[str, list[list[int]]] = defaultdict(list)
            for a in corpus.annotations.get((article.id, coder), ()):  # sorted by start
                runs = by_label[a.label]
                if runs and a.start < runs[-1][1]:
                    runs[-1][1] = max(runs[-1][1], a.end)
                    merged += 1
                else:
                    runs.append([a.start, a.end])
            for label, runs in by_label.items():
                spans += [(coder, offset + s, e - s, label) for s, e in runs]
        offset += len(article.text)
    return spans, offset, merged
