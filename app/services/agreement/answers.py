"""The answers to article questions, as columns, for the agreement report.

A report over 10,000 articles and 20 coders reads 400,000 answers. They are held as
NumPy columns (:class:`AnswerColumns`): article, coder, question and value, each a
number, the distinct values parsed once. A question's codes (coders x articles) are
then one pass over its rows in NumPy, with one Python step per distinct value
(:func:`direct_codes`), not one per answer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.agreement.span_matching import lex_order
from app.services.agreement.numbering import lookup, numbered

#: Kinds of a value besides a category's code (see :func:`direct_codes`).
_MISSING, _NAN, _ODD = -1, -2, -3


@dataclass(frozen=True, eq=False)
class AnswerColumns:
    """Every answer read: one row each, sorted by article id, coder id and question.

    ``article`` indexes the corpus's articles, ``coder`` its coders, ``question``
    :attr:`questions` and ``value`` :attr:`values` (the distinct values, one object per
    distinct JSON text).
    """

    article: np.ndarray
    coder: np.ndarray
    question: np.ndarray
    value: np.ndarray
    questions: tuple[str, ...]
    values: tuple[Any, ...]

    def rows(self) -> Iterable[tuple[int, int, str, Any]]:
        """(article, coder, question name, value) of every row, in order."""
        names, values = self.questions, self.values
        for k, i, q, v in zip(
            self.article.tolist(), self.coder.tolist(), self.question.tolist(), self.value.tolist(), strict=True
        ):
            yield k, i, names[q], values[v]


def _ranks(names: dict[str, int]) -> np.ndarray:
    """Rank in string order of each name, by its number."""
    ranks = np.empty(len(names), dtype=np.int64)
    for rank, number in enumerate(n for _, n in sorted(names.items())):
        ranks[number] = rank
    return ranks


def read_answers(
    batches: Iterable[Sequence[tuple[str, str, str, str | None]]],
    article_rank: dict[str, int], coder_rank: dict[str, int], article_at: np.ndarray, coder_at: np.ndarray,
) -> AnswerColumns:
    """The answers of rows ``(article_id, coder_id, question, JSON text)``, one batch
    after the other in the order of their article ids. ``article_rank``/``coder_rank``:
    each id's rank in string order, ``article_at``/``coder_at``: the article and coder
    index of each rank. An answer given twice (the same article, coder and question)
    counts once, the later read."""
    questions: dict[str, int] = {}
    texts: dict[str | None, int] = {}
    parts: list[tuple[np.ndarray, ...]] = []
    for rows in batches:
        if not rows:
            continue
        articles, coders, asked, raw = zip(*rows, strict=True)
        article = lookup(article_rank, articles)
        coder = lookup(coder_rank, coders)
        question = numbered(asked, questions)
        rank = _ranks(questions)[question]
        order = lex_order(rank, coder, article)  # ties in the order read
        article, coder, question, rank = article[order], coder[order], question[order], rank[order]
        last = np.ones(len(order), dtype=bool)  # the last of equal (article, coder, question)
        last[:-1] = (article[1:] != article[:-1]) | (coder[1:] != coder[:-1]) | (rank[1:] != rank[:-1])
        value = numbered(raw, texts)[order]
        parts.append((article_at[article[last]], coder_at[coder[last]], question[last], value[last]))
    article, coder, question, value = (
        np.concatenate([p[n] for p in parts]) if parts else np.zeros(0, dtype=np.int64) for n in range(4)
    )
    return AnswerColumns(
        article, coder, question, value,
        questions=tuple(questions),
        values=tuple(None if text is None else json.loads(text) for text in texts),
    )


def direct_codes(
    answers: AnswerColumns, members: np.ndarray, question: str, option: str | None, categories: Sequence[Any]
) -> tuple[np.ndarray | None, bool]:
    """The answers to ``question`` of the coders who finished each article as category
    codes (coders x articles; -1: missing or not finished), or ``None`` when a value
    is not among ``categories``; and whether an answer was NaN (a missing code here)
    before that. With ``option`` (a multiple choice), whether the coder chose it."""
    codes = np.full((members.shape[1], members.shape[0]), -1, dtype=np.int64)
    if question not in answers.questions:
        return codes, False
    index = {c: n for n, c in enumerate(categories)}
    kinds = np.empty(len(answers.values), dtype=np.int64)
    for n, value in enumerate(answers.values):  # each distinct value once
        if option is not None and value is not None:
            value = option in value if isinstance(value, list) else None
        if value is None:
            kinds[n] = _MISSING
        elif isinstance(value, float) and math.isnan(value):
            kinds[n] = _NAN
        else:
            try:
                kinds[n] = index[value]
            except (KeyError, TypeError):
                kinds[n] = _ODD
    rows = np.flatnonzero(answers.question == answers.questions.index(question))
    k, i, found = answers.article[rows], answers.coder[rows], kinds[answers.value[rows]]
    counted = members[k, i] & (found != _MISSING)
    k, i, found = k[counted], i[counted], found[counted]
    odd = np.flatnonzero(found == _ODD)
    if len(odd):
        return None, bool((found[: odd[0]] == _NAN).any())
    known = found >= 0
    codes[i[known], k[known]] = found[known]
    return codes, bool((found == _NAN).any())
