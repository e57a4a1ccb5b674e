"""The agreement report as the Excel export reads it, with less held in memory: no
figures per article, the coding read one chunk of articles at a time, and the
disagreements passed over without being kept. Each gives what the full report gives."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.services.agreement.report import agreement_report, load_corpus
from app.services.projects import Project
from app.store import reliability
from tests.services.test_agreement_report import Study, build_two_coders

pytestmark = pytest.mark.both_backends


@pytest.fixture
def two(project: Project, tmp_path: Path) -> Study:
    return build_two_coders(Study(project, tmp_path / "texts", 6))


def _measures(report):  # type: ignore[no-untyped-def]
    return [m for _, measures in report.sections() for m in measures]


def test_a_report_without_article_figures_differs_only_by_them(two: Study) -> None:
    full = agreement_report(two.project, n_bootstrap=50)
    lean = agreement_report(two.project, n_bootstrap=50, per_article=False)
    assert sum(len(m.articles) for m in _measures(full)) > 20
    assert all(m.articles == () for m in _measures(lean))
    for a, b in zip(_measures(full), _measures(lean), strict=True):
        assert list(a.disagreements) == list(b.disagreements)
    expected = full.to_dict()
    for section in ("questions", "spans", "attributes", "relations"):
        for m in expected[section]:
            m["articles"] = []
    got = json.loads(json.dumps(lean.to_dict()))
    assert got == json.loads(json.dumps(expected))
    assert "per_article" not in got["settings"]


def test_coding_read_in_chunks_of_articles_is_read_as_in_one(two: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = load_corpus(two.project)
    monkeypatch.setattr(reliability, "_CHUNK", 2)  # five finished articles: three chunks
    chunked = load_corpus(two.project)
    assert len(whole.spans) > 10
    for name in ("article", "coder", "label", "start", "end", "attribute_set"):
        assert np.array_equal(getattr(whole.spans, name), getattr(chunked.spans, name)), name
    assert whole.spans.ids == chunked.spans.ids
    assert whole.spans.attributes == chunked.spans.attributes
    assert whole.spans.attribute_sets == chunked.spans.attribute_sets
    assert whole.labels == chunked.labels
    assert list(whole.answers.items()) == list(chunked.answers.items())
    # In the order the report has always read them: by article id, coder, start, end, id.
    coder_ids = [two.ids[whole.coders[c]] for c in chunked.spans.coder.tolist()]
    keys = [
        (whole.articles[a].id, coder, int(s), int(e), span_id)
        for a, coder, s, e, span_id in zip(
            chunked.spans.article.tolist(), coder_ids, chunked.spans.start, chunked.spans.end,
            chunked.spans.ids, strict=True,
        )
    ]
    assert keys == sorted(keys)


def test_streamed_disagreements_are_the_listed_ones_and_are_not_kept(two: Study) -> None:
    report = agreement_report(two.project, n_bootstrap=0, per_article=False)
    # As the export reads them: the measures over all labels or types (":*") are left
    # out, their lists being those of the labels, which they would build and keep.
    measures = [m for m in _measures(report) if not m.key.endswith(":*")]
    lazy = [m for m in measures if repr(m.disagreements) == "Disagreements(not built)"]
    streamed = {m.key: list(m.disagreements.stream()) for m in measures}
    assert sum(len(streamed[m.key]) for m in lazy) > 5
    assert all(repr(m.disagreements) == "Disagreements(not built)" for m in lazy)
    assert streamed == {m.key: list(m.disagreements) for m in measures}
    # Once built, the list kept is the one passed over.
    assert all(list(m.disagreements.stream()) == streamed[m.key] for m in measures)


def test_spans_are_numbered_in_row_order_whatever_order_they_are_read_in(
    two: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Equal spans but for their label and id (sorted by id), and on the article ben has
    # not finished, an attribute value no counted span has (it must not be numbered).
    for label in ("Claim", "Actor", "Coercion"):
        two.span("ben", 3, label, "forced to sign contracts")
    two.span("ben", 5, "Actor", "Kiresk", actor_type="news_outlet")
    for chunk in (500, 2):
        monkeypatch.setattr(reliability, "_CHUNK", chunk)
        spans = load_corpus(two.project).spans
        texts = [json.dumps(a, sort_keys=True) for a in spans.attributes]
        in_row_order = list(dict.fromkeys(texts))
        assert [json.dumps(a, sort_keys=True) for a in spans.attribute_sets] == in_row_order
        assert [in_row_order[n] for n in spans.attribute_set.tolist()] == texts
        assert all(a.get("actor_type") != "news_outlet" for a in spans.attribute_sets)
        keys = list(zip(spans.article.tolist(), spans.coder.tolist(), spans.start.tolist(), spans.end.tolist(), strict=True))
        tied = [n for n in range(1, len(keys)) if keys[n] == keys[n - 1]]
        assert len(tied) >= 2
        for n in tied:
            assert spans.ids[n - 1] < spans.ids[n]


def test_values_are_numbered_by_first_use_among_the_rows_kept() -> None:
    from app.services.agreement.numbering import renumbered

    numbers: dict[str, int] = {"known": 0}
    # Row 0 is left out (its coder has not finished); rows are taken in the order 3, 2, 1.
    found = renumbered(np.array([3, 2, 1]), ["dropped", "b", "a", "known"], numbers)
    assert found.tolist() == [0, 1, 2]
    assert numbers == {"known": 0, "a": 1, "b": 2}


def test_rows_joined_by_a_separator_split_back_whatever_the_ids_and_labels_hold() -> None:
    from app.services.agreement.units import _Ranks, _span_columns, free_separator
    from app.store.reliability import CODED_SEPARATOR

    articles = {"a\x1fb": 0, "a": 1}  # ids holding the usual separator
    coders = {"\x1fc": 0, "b\x1fc": 1}
    separator = free_separator(articles, coders)
    assert separator not in "".join([*articles, *coders]) and separator == "\x1e"
    assert free_separator([chr(c) for c in range(1, 32)]) == "\ue000"
    attributes = json.dumps({"note": "unit\x1fseparator"})  # JSON escapes it: no raw 0x1F
    assert CODED_SEPARATOR not in attributes
    rows = [
        ("s2", "a" + separator + "b\x1fc", attributes + CODED_SEPARATOR + "Odd\x1flabel", 5 * 2**32 + 9),
        ("s1", "a\x1fb" + separator + "\x1fc", "{}" + CODED_SEPARATOR + "Actor", 1 * 2**32 + 4),
        ("s3", "a\x1fb" + separator + "\x1fc", "{}" + CODED_SEPARATOR + "Actor", 1 * 2**32 + 4),
    ]
    members = np.ones((2, 2), dtype=bool)
    labels = ["Actor"]
    spans = _span_columns([rows], _Ranks.of(articles, coders), members, labels, {}, separator)
    # Sorted by article id ("a" < "a\x1fb"), coder id, start, end and span id.
    assert spans.ids == ["s2", "s1", "s3"]
    assert spans.article.tolist() == [1, 0, 0] and spans.coder.tolist() == [1, 0, 0]
    assert spans.start.tolist() == [5, 1, 1] and spans.end.tolist() == [9, 4, 4]
    assert labels == ["Actor", "Odd\x1flabel"] and spans.label.tolist() == [1, 0, 0]
    assert spans.attributes == [{"note": "unit\x1fseparator"}, {}, {}]
