"""Answers as columns (app.services.agreement.answers): read in any order and chunking,
they give the codes the report has always computed answer by answer."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from app.services.agreement.answers import direct_codes, read_answers

ARTICLES = ["a3", "a1", "a2"]  # ids; their index in the corpus is their place here
CODERS = ["c-ben", "c-ana"]


def _columns(rows: list[tuple[str, str, str, Any]], chunks: list[list[int]] | None = None):  # type: ignore[no-untyped-def]
    texts = [(a, c, q, None if v is None else json.dumps(v)) for a, c, q, v in rows]
    batches = [[texts[n] for n in chunk] for chunk in chunks] if chunks else [texts]
    article_ids, coder_ids = sorted(ARTICLES), sorted(CODERS)
    return read_answers(
        batches,
        {a: n for n, a in enumerate(article_ids)}, {c: n for n, c in enumerate(coder_ids)},
        np.array([ARTICLES.index(a) for a in article_ids]), np.array([CODERS.index(c) for c in coder_ids]),
    )


def _answer_by_answer(rows, members, question, option, categories):  # type: ignore[no-untyped-def]
    """The report's former reading: one answer at a time, in (article id, coder id) order."""
    index = {c: n for n, c in enumerate(categories)}
    codes = np.full((len(CODERS), len(ARTICLES)), -1)
    nan = False
    latest = {(a, c, q): v for a, c, q, v in rows}  # a repeated answer: the later one
    for (a, c, q), value in sorted(latest.items()):
        if q != question:
            continue
        if option is not None and value is not None:
            value = option in value if isinstance(value, list) else None
        k, i = ARTICLES.index(a), CODERS.index(c)
        if value is None or not members[k, i]:
            continue
        if isinstance(value, float) and math.isnan(value):
            nan = True
            continue
        try:
            codes[i, k] = index[value]
        except (KeyError, TypeError):
            return None, nan
    return codes, nan


MEMBERS = np.array([[True, True], [True, True], [True, False]])  # ana has not finished a2


def _check(rows, question, option, categories):  # type: ignore[no-untyped-def]
    """As read in one batch, in one batch backwards, and in one batch per article (in
    the order of their ids, as the store reads them) each backwards."""
    by_article = [[n for n in range(len(rows)) if rows[n][0] == a][::-1] for a in sorted(ARTICLES)]
    for chunks in ([list(range(len(rows)))], [list(range(len(rows)))[::-1]], by_article):
        read = [rows[n] for chunk in chunks for n in chunk]
        expected_codes, expected_nan = _answer_by_answer(read, MEMBERS, question, option, categories)
        codes, nan = direct_codes(_columns(rows, chunks), MEMBERS, question, option, categories)
        assert nan == expected_nan
        if expected_codes is None:
            assert codes is None
        else:
            assert codes is not None and codes.tolist() == expected_codes.tolist()
    return expected_codes, expected_nan


def test_codes_of_single_choice_answers_skip_unfinished_coders_and_keep_the_later_answer() -> None:
    rows = [
        ("a1", "c-ana", "relevance", "yes"), ("a1", "c-ben", "relevance", "no"),
        ("a3", "c-ana", "relevance", "no"), ("a2", "c-ana", "relevance", "yes"),  # ana: a2 unfinished
        ("a2", "c-ben", "relevance", "no"), ("a2", "c-ben", "relevance", "yes"),  # answered twice
        ("a3", "c-ben", "sourcing", "unsourced"),
    ]
    codes, nan = _check(rows, "relevance", None, ("yes", "no"))
    assert codes is not None and not nan
    # Rows: ben, ana; columns: a3, a1, a2 (as last read, backwards: ben's later answer on a2 is "no").
    assert codes.tolist() == [[-1, 1, 1], [1, 0, -1]]


def test_a_value_outside_the_categories_gives_no_codes_and_the_nan_seen_before_it() -> None:
    nan_first = [("a1", "c-ana", "q", float("nan")), ("a3", "c-ben", "q", "maybe")]
    nan_after = [("a1", "c-ana", "q", "maybe"), ("a3", "c-ben", "q", float("nan"))]
    for rows, seen in ((nan_first, True), (nan_after, False)):
        codes, nan = _check(rows, "q", None, ("yes", "no"))
        assert codes is None and nan is seen


def test_options_of_a_multiple_choice_and_answers_that_are_no_list() -> None:
    rows = [
        ("a1", "c-ana", "topics", ["war", "law"]), ("a1", "c-ben", "topics", ["law"]),
        ("a3", "c-ana", "topics", []), ("a3", "c-ben", "topics", "war"),  # not a list: missing
    ]
    codes, _ = _check(rows, "topics", "war", (False, True))
    assert codes is not None and codes.tolist() == [[-1, 0, -1], [0, 1, -1]]
    assert _check(rows, "topics", None, ("war", "law"))[0] is None  # a list is no category


def test_a_question_nobody_answered_has_only_missing_codes() -> None:
    codes, nan = direct_codes(_columns([("a1", "c-ana", "relevance", "yes")]), MEMBERS, "sourcing", None, ("x",))
    assert codes is not None and (codes == -1).all() and not nan
