"""Turning a project's coding into reliability units for the agreement report.

Which coding counts:

* coders: every coder who is not an adjudicator (the gold standard is not a coder), or
  the coders named by the lead;
* articles: those that two or more of these coders marked done; on each, only the coders
  who finished it count (a coder who has not finished an article is missing, not empty);
* only live coding: deleted annotations, relations and answers are ignored.

Units: an article question is one unit per article (a coder's missing answer is a
missing value); spans are compared per coder pair on each article both finished
(:func:`app.services.agreement.matching.compare_pairs`); attributes and relations hang off the matched spans.

Spans and relations are held as NumPy columns (:class:`SpanColumns`), one row per
annotation, so that a report over thousands of articles matches every coder pair in a
few array passes instead of one call per pair and article.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from typing import Any, NamedTuple

import numpy as np

from app.agreement.span_matching import lex_order
from app.core.errors import LoupeError
from app.core.records import Article
from app.services.agreement.answers import AnswerColumns, read_answers
from app.services.agreement.numbering import lookup, numbered, renumbered
from app.services.projects import Project
from app.store.reliability import CODED_SEPARATOR


class AgreementReportError(LoupeError):
    """Agreement cannot be reported for this project or this choice of coders."""


class NotEnoughCodersError(AgreementReportError):
    """No article has been finished by two or more of the coders compared."""


class UnknownCoderError(AgreementReportError):
    """A coder named for the comparison is not a coder of the project."""


class CodedValue(NamedTuple):
    """What one coder coded in a disagreement; ``value`` is ``None`` when absent."""

    coder: str
    value: Any
    start: int | None = None
    end: int | None = None
    text: str | None = None


class Disagreement(NamedTuple):
    """One differing unit behind a figure.

    ``kind`` is ``"value"`` (different answers or attribute values), ``"unmatched"`` (a
    span or relation the other coder of the pair does not have) or ``"boundary"``
    (overlapping spans of one label whose boundaries differ: counts against exact F1).
    A report can hold hundreds of thousands, hence plain named tuples.
    """

    article_id: str
    article_title: str
    kind: str
    unit: str
    values: tuple[CodedValue, ...]

    @property
    def coders(self) -> tuple[str, ...]:
        return tuple(v.coder for v in self.values)


@dataclass(frozen=True, eq=False)
class SpanColumns:
    """Every compared span: one row each, sorted by article, coder, start, end and id.

    ``article`` indexes :attr:`Corpus.articles`, ``coder`` :attr:`Corpus.coders` and
    ``label`` :attr:`Corpus.labels`; ``ids`` and ``attributes`` are aligned lists. Spans
    with the same attributes share one dict: ``attribute_set`` indexes ``attribute_sets``,
    the distinct ones (a report reads each once, not once per span).
    """

    article: np.ndarray
    coder: np.ndarray
    label: np.ndarray
    start: np.ndarray
    end: np.ndarray
    ids: list[str]
    attributes: list[dict[str, Any]]
    #: row -> fragments of the discontinuous spans (start/end are then their envelope).
    fragments: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    attribute_set: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    attribute_sets: list[dict[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def units(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, start, end) of every range of text the spans cover: one per contiguous
        span, one per fragment of a discontinuous one (what unitizing alpha compares)."""
        if not self.fragments:
            return np.arange(len(self.ids), dtype=np.int64), self.start, self.end
        rows, starts, ends = [], [], []
        for row in range(len(self.ids)):
            for first, last in self.fragments.get(row, ((int(self.start[row]), int(self.end[row])),)):
                rows.append(row)
                starts.append(first)
                ends.append(last)
        return _int(rows), _int(starts), _int(ends)

    def shapes(self) -> np.ndarray:
        """For each row, 0 if contiguous, else a number per distinct set of fragments:
        exact matching compares these as well as the envelope."""
        shape = np.zeros(len(self.ids), dtype=np.int64)
        numbers: dict[tuple[tuple[int, int], ...], int] = {}
        for row, fragments in self.fragments.items():
            shape[row] = numbers.setdefault(fragments, len(numbers) + 1)
        return shape

    def canonical(self) -> np.ndarray:
        """For each row, the first row of the same coder with the same article, label,
        start and end: relations compare endpoints by value, as
        :func:`app.agreement.relation_agreement` does, so a repeated span is one endpoint."""
        columns = (self.end, self.start, self.label, self.coder, self.article)
        order = lex_order(*columns)  # ties in row order
        new = np.zeros(len(order), dtype=bool)
        new[:1] = True
        for column in columns:
            new[1:] |= column[order][1:] != column[order][:-1]
        first = order[np.maximum.accumulate(np.where(new, np.arange(len(order)), 0))]
        out = np.empty(len(order), dtype=np.int64)
        out[order] = first
        return out


@dataclass(frozen=True, eq=False)
class RelationColumns:
    """Every compared relation: article, coder, type (index into :attr:`Corpus.relation_types`)
    and its source and target as rows of :class:`SpanColumns`."""

    article: np.ndarray
    coder: np.ndarray
    label: np.ndarray
    source: np.ndarray
    target: np.ndarray


@dataclass(frozen=True, eq=False)
class Corpus:
    """The coding the report compares."""

    coders: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    articles: tuple[Article, ...]
    done: dict[str, tuple[str, ...]]
    members: np.ndarray  # (articles, coders): who finished each article
    offsets: np.ndarray  # each article's first position on the concatenated continuum
    labels: tuple[str, ...]
    spans: SpanColumns
    relation_types: tuple[str, ...]
    relations: RelationColumns
    answer_columns: AnswerColumns
    n_excluded: int

    @cached_property
    def answers(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(article id, coder) -> question -> answer (built when first read: the figures
        read :attr:`answer_columns`; this serves the lists of disagreements)."""
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for k, i, question, value in self.answer_columns.rows():
            out.setdefault((self.articles[k].id, self.coders[i]), {})[question] = value
        return out

    def coder_index(self, name: str) -> int:
        return self.coders.index(name)

    def shared_mask(self, pair: Sequence[str]) -> np.ndarray:
        """Which articles every coder of ``pair`` finished."""
        return np.asarray(self.members[:, [self.coder_index(c) for c in pair]].all(axis=1))


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


def _int(values: Sequence[int]) -> np.ndarray:
    return np.fromiter(values, dtype=np.int64, count=len(values))


def free_separator(*names: Iterable[str]) -> str:
    """A character none of ``names`` holds (a control character unless every one is
    taken): joined with it, two names split back unambiguously."""
    used = set().union(*(set("".join(n)) for n in names))
    candidates = itertools.chain(range(0x1F, 0, -1), range(0xE000, 0x110000))
    return next(ch for ch in map(chr, candidates) if ch not in used)


def _read_order(
    article: np.ndarray, coder: np.ndarray, start: np.ndarray, end: np.ndarray, ids: Sequence[str]
) -> np.ndarray:
    """The order of one batch's rows by article, coder, start, end and id (``article``
    and ``coder`` as ranks of their ids): one NumPy sort, then rows equal but for
    their id (rare) put in id order."""
    order = lex_order(end, start, coder, article)
    same = np.zeros(len(order), dtype=bool)
    same[1:] = True
    for column in (article, coder, start, end):
        same[1:] &= column[order][1:] == column[order][:-1]
    if same.any():
        tied = np.flatnonzero(same)
        heads = np.setdiff1d(tied - 1, tied)  # each run of equal rows: its first row
        out = order.tolist()
        for head in heads.tolist():
            stop = head + 1
            while stop < len(out) and same[stop]:
                stop += 1
            out[head:stop] = sorted(out[head:stop], key=ids.__getitem__)
        order = np.asarray(out, dtype=np.int64)
    return order


@dataclass(frozen=True, eq=False)
class _Ranks:
    """Article and coder ids by rank in string order (the order rows are sorted in):
    ``article_rank``/``coder_rank`` id -> rank, ``article_at``/``coder_at`` rank ->
    index into the corpus's articles and coders."""

    article_rank: dict[str, int]
    coder_rank: dict[str, int]
    article_at: np.ndarray
    coder_at: np.ndarray

    @classmethod
    def of(cls, position: dict[str, int], coder_of: dict[str, int]) -> _Ranks:
        article_ids, coder_ids = sorted(position), sorted(coder_of)
        return cls(
            {article_id: n for n, article_id in enumerate(article_ids)},
            {coder_id: n for n, coder_id in enumerate(coder_ids)},
            lookup(position, article_ids), lookup(coder_of, coder_ids),
        )


def _span_columns(
    batches: Iterable[Sequence[Any]], ranks: _Ranks, members: np.ndarray, labels: list[str],
    fragments: dict[str, Any], separator: str,
) -> SpanColumns:
    """The spans of finished articles, one batch of rows (as ``span_batches`` reads them,
    article and coder ids joined by ``separator``) at a time: no list of every row is
    ever held. Rows are put in the order of :class:`SpanColumns`: the batches come in
    the order of their article ids, each batch is sorted here. Labels that the codebook
    does not name are appended to ``labels`` in alphabetical order; ``fragments`` are
    those of the discontinuous spans, by span id."""
    n_coders = max(len(ranks.coder_rank), 1)
    owner_of = {  # article id + separator + coder id -> article rank * coders + coder rank
        a + separator + c: ra * n_coders + rc
        for a, ra in ranks.article_rank.items() for c, rc in ranks.coder_rank.items()
    }
    ids: list[str] = []
    parts: list[tuple[np.ndarray, ...]] = []
    seen: dict[str, int] = {}  # label -> number in order of first use
    distinct: dict[str | None, int] = {}  # attribute text -> number in order of first use
    for rows in batches:
        span_ids, owners, coded, places = list(zip(*rows, strict=True)) or [()] * 4
        owner, place = lookup(owner_of, owners), _int(places)
        start, end = place >> 32, place & 0xFFFFFFFF
        order = _read_order(owner // n_coders, owner % n_coders, start, end, span_ids)
        owner = owner[order]
        article, coder = ranks.article_at[owner // n_coders], ranks.coder_at[owner % n_coders]
        finished = members[article, coder]
        if not finished.all():  # coding of an article its coder has not finished does not count
            order, article, coder = order[finished], article[finished], coder[finished]
        local: dict[str, int] = {}  # each distinct (attributes, label) split once
        found = numbered(coded, local)[order]
        texts, names = zip(*(c.split(CODED_SEPARATOR, 1) for c in local), strict=True) if local else ((), ())
        label, attribute_set = renumbered(found, names, seen), renumbered(found, texts, distinct)
        parts.append((article, coder, label, start[order], end[order], attribute_set))
        ids += map(span_ids.__getitem__, order.tolist())
    labels += sorted(set(seen) - set(labels))
    label_of = {name: n for n, name in enumerate(labels)}
    article, coder, label, start, end, attribute_set = (
        np.concatenate([p[i] for p in parts]) if parts else _int([]) for i in range(6)
    )
    attribute_sets = [{} if raw in (None, "{}") else json.loads(raw) for raw in distinct]
    return SpanColumns(
        article=article,
        coder=coder,
        label=lookup(label_of, list(seen))[label] if seen else label,
        start=start,
        end=end,
        ids=ids,
        attributes=[attribute_sets[n] for n in attribute_set.tolist()],
        fragments={n: found for n, span_id in enumerate(ids) if (found := fragments.get(span_id))} if fragments else {},
        attribute_set=attribute_set,
        attribute_sets=attribute_sets,
    )


def load_corpus(
    project: Project, coder_names: Sequence[str] | None = None,
    excluded: frozenset[tuple[str, str]] = frozenset(),
) -> Corpus:
    """Read the finished coding of the selected coders (a handful of queries), less the
    (article id, coder id) pairs of ``excluded`` (see :mod:`.versions`).

    Raises :class:`UnknownCoderError` for a name that is not a coder of the project and
    :class:`NotEnoughCodersError` when no article was finished by two of the coders.
    """
    selected = _select(project, coder_names)
    queries = project.store.reliability
    done: dict[str, tuple[str, ...]] = {}
    n_excluded = 0
    for article_id, coder_ids in queries.done_coders_by_article().items():
        names = tuple(sorted({selected[c] for c in coder_ids if c in selected and (article_id, c) not in excluded}))
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
    coders = tuple(sorted({name for names in done.values() for name in names}))
    coder_of = {cid: coders.index(name) for cid, name in selected.items() if name in coders}
    position = {a.id: n for n, a in enumerate(articles)}
    members = np.zeros((len(articles), len(coders)), dtype=bool)
    for article_id, names in done.items():
        members[position[article_id], [coders.index(n) for n in names]] = True
    lengths = _int([len(a.text) for a in articles])
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)

    labels = list(project.codebook.label_names)
    fragments = queries.fragments(ids, list(coder_of))
    ranks = _Ranks.of(position, coder_of)
    separator = free_separator(position, coder_of)
    spans = _span_columns(
        queries.span_batches(ids, list(coder_of), separator), ranks, members, labels, fragments, separator,
    )
    links = queries.relation_rows(ids, list(coder_of))
    row_of = dict(zip(spans.ids, range(len(spans.ids)), strict=True)) if links else {}
    links = [
        r for r in links
        if r[3] in row_of and r[4] in row_of and members[position[r[0]], coder_of[r[1]]]
    ]
    types = [r.name for r in project.codebook.relation_types]
    types += sorted({r[2] for r in links} - set(types))
    type_of = {name: n for n, name in enumerate(types)}
    relations = RelationColumns(
        article=_int([position[r[0]] for r in links]),
        coder=_int([coder_of[r[1]] for r in links]),
        label=_int([type_of[r[2]] for r in links]),
        source=_int([row_of[r[3]] for r in links]),
        target=_int([row_of[r[4]] for r in links]),
    )
    answers = read_answers(
        queries.answer_batches(ids, list(coder_of)), ranks.article_rank, ranks.coder_rank, ranks.article_at, ranks.coder_at,
    )
    pairs = tuple(
        pair for pair in combinations(range(len(coders)), 2) if members[:, list(pair)].all(1).any()
    )
    return Corpus(
        coders=coders,
        pairs=tuple((coders[i], coders[j]) for i, j in pairs),
        articles=articles,
        done=done,
        members=members,
        offsets=offsets,
        labels=tuple(labels),
        spans=spans,
        relation_types=tuple(types),
        relations=relations,
        answer_columns=answers,
        n_excluded=n_excluded,
    )


def answer_units(
    corpus: Corpus, question: str, option: str | None = None
) -> dict[str, dict[str, Any]]:
    """Article id -> coder -> answer, for the coders who finished the article.

    With ``option`` (a multiple-choice question) the value is whether the coder chose
    that option; an unanswered question is ``None`` (missing) either way.
    """
    units: dict[str, dict[str, Any]] = {}
    for article in corpus.articles:
        unit: dict[str, Any] = {}
        for coder in corpus.done[article.id]:
            value = corpus.answers.get((article.id, coder), {}).get(question)
            if option is not None and value is not None:
                value = option in value if isinstance(value, list) else None
            unit[coder] = value
        units[article.id] = unit
    return units
