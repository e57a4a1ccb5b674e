"""The batched agreement report against the agreement functions, article by article.

The report matches every coder pair over all articles in one pass and computes alpha_U
for every article in one batch. Here a randomly coded project (three coders, partly
finished, overlapping and repeated spans, relations, attributes) is measured both ways:
by the report, and by calling :func:`span_agreement`, :func:`relation_agreement` and
:func:`unitizing_alpha` once per pair and article on the same coding.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import pytest

from app.agreement import relation_agreement, span_agreement
from app.core.records import Annotation, Relation, utc_now
from app.services.agreement.figures import Disagreements
from app.services.agreement.report import agreement_report
from app.services.importing import import_articles
from app.services.projects import Project
from tests.agreement.unitizing_reference import unitizing_alpha

pytestmark = pytest.mark.both_backends

CODERS = ("ana", "ben", "cy")
LABELS = ("Actor", "Claim", "Coercion")


def _code(project: Project, tmp_path: Path, seed: int) -> dict:
    rng = random.Random(seed)
    folder = tmp_path / "texts"
    folder.mkdir()
    for k in range(12):
        words = " ".join(rng.choice(["army", "прапор", "عقد", "recruits 🪖", "e\u0301te", "prison"]) for _ in range(40))
        (folder / f"{k:02d}.txt").write_text(f"Report {k}\n\n{words}", encoding="utf-8")
    import_articles(project, sorted(folder.glob("*.txt")), model="no_such_pipeline_xyz")
    articles = project.store.articles.list()
    ids = {name: project.store.coders.get_or_create(name).id for name in CODERS}
    now = utc_now()
    coding: dict = {"spans": defaultdict(list), "relations": defaultdict(list), "done": {}}
    spans, links = [], []
    for k, article in enumerate(articles):
        length = len(article.text)
        slots = [(rng.randrange(0, length - 30), rng.choice(LABELS)) for _ in range(6)]
        finished = [c for c in CODERS if rng.random() < 0.8]
        coding["done"][k] = finished
        for name in CODERS:
            mine = []
            for begin, label in slots:
                if rng.random() < 0.2:
                    continue
                start = begin + rng.randint(0, 3)
                end = start + rng.randint(1, 20)
                label = label if rng.random() < 0.85 else rng.choice(LABELS)
                mine.append(Annotation(str(uuid.uuid4()), article.id, ids[name], label, start, end,
                                       {"actor_type": rng.choice(["police", "prisoner"])} if label == "Actor" else {},
                                       created_at=now, updated_at=now))
            if mine and rng.random() < 0.5:  # a repeated span
                m = mine[0]
                mine.append(Annotation(str(uuid.uuid4()), article.id, ids[name], m.label, m.start, m.end,
                                       created_at=now, updated_at=now))
            claims = [a for a in mine if a.label == "Claim"]
            actors = [a for a in mine if a.label == "Actor"]
            for claim, actor in zip(claims, actors, strict=False):
                links.append(Relation(str(uuid.uuid4()), article.id, ids[name], "said_by", claim.id, actor.id,
                                      created_at=now, updated_at=now))
                coding["relations"][k, name].append(((claim.start, claim.end, claim.label),
                                                     (actor.start, actor.end, actor.label), "said_by"))
            spans += mine
            coding["spans"][k, name] = sorted((a.start, a.end, a.label) for a in mine)
        for name in finished:
            project.store.assignments.set_status(article.id, ids[name], "done", now)
    project.store.annotations.add_many(spans, links)
    coding["articles"] = articles
    return coding


def _merged(spans: list, coder: str, shift: int = 0) -> list:
    out: dict[str, list[list[int]]] = defaultdict(list)
    for start, end, label in sorted(spans, key=lambda s: (s[2], s[0])):
        runs = out[label]
        if runs and start < runs[-1][1]:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    return [(coder, shift + s, e - s, label) for label, runs in out.items() for s, e in runs]


@pytest.mark.parametrize("seed", [1, 2])
def test_report_equals_the_functions_applied_pair_by_pair_and_article_by_article(
    project: Project, tmp_path: Path, seed: int
) -> None:
    coding = _code(project, tmp_path, seed)
    report = agreement_report(project, n_bootstrap=0)
    articles = coding["articles"]
    counted = [k for k in range(len(articles)) if len(coding["done"][k]) >= 2]
    assert [a.id for a in report.articles] == [articles[k].id for k in counted]
    whole = report.measure("span:*")
    relations = report.measure("relation:*")
    by_pair = {f.coders: f for f in whole.pairs if f.coefficient == "f1_micro" and f.level == "overlap"}
    exact_pair = {f.coders: f for f in whole.pairs if f.coefficient == "f1_micro" and f.level == "exact"}
    relation_pair = {f.coders: f for f in relations.pairs if f.coefficient == "f1_micro"}
    n_disagreements = 0
    for a, b in combinations(CODERS, 2):
        shared = [k for k in counted if {a, b} <= set(coding["done"][k])]
        if not shared:
            continue
        totals = {"overlap": [0, 0, 0], "exact": [0, 0, 0], "relations": [0, 0, 0]}
        for k in shared:
            x, y = coding["spans"][k, a], coding["spans"][k, b]
            if not x and not y:
                continue
            for mode in ("overlap", "exact"):
                r = span_agreement(x, y, mode)
                totals[mode] = [t + v for t, v in zip(totals[mode], (len(x), len(y), len(r.matched)), strict=True)]
            overlap = span_agreement(x, y, "overlap")
            exact = span_agreement(x, y, "exact")
            n_disagreements += len(overlap.unmatched_a) + len(overlap.unmatched_b)
            loose_a, loose_b = list(exact.unmatched_a), list(exact.unmatched_b)
            n_disagreements += sum(1 for p, q in overlap.matched if p in loose_a or q in loose_b)
            ra, rb = coding["relations"][k, a], coding["relations"][k, b]
            if ra or rb:
                rel = relation_agreement(ra, rb, overlap.matched)
                totals["relations"] = [t + v for t, v in zip(totals["relations"], (rel.n_a, rel.n_b, len(rel.matched)), strict=True)]
        for figure, key in ((by_pair, "overlap"), (exact_pair, "exact"), (relation_pair, "relations")):
            c = figure[a, b].components
            assert (c["n_first"], c["n_second"], c["matched"]) == tuple(totals[key]), (a, b, key)
        pooled = [s for k in shared for s in _merged(coding["spans"][k, a], a, sum(len(articles[j].text) for j in shared if j < k))]
        pooled += [s for k in shared for s in _merged(coding["spans"][k, b], b, sum(len(articles[j].text) for j in shared if j < k))]
        expected = unitizing_alpha(pooled, 0, sum(len(articles[k].text) for k in shared), coders=[a, b])
        got = next(f for f in whole.pairs if f.coders == (a, b) and f.coefficient == "unitizing_alpha")
        assert got.value == pytest.approx(expected.value, rel=1e-12)
    assert isinstance(whole.disagreements, Disagreements)
    assert repr(whole.disagreements) == "Disagreements(not built)"
    assert len(whole.disagreements) == n_disagreements
    for f in (f for f in whole.articles if f.coefficient == "unitizing_alpha"):
        k = next(j for j in counted if articles[j].id == f.article_id)
        marked = [s for c in coding["done"][k] for s in _merged(coding["spans"][k, c], c)]
        expected = unitizing_alpha(marked, 0, len(articles[k].text), coders=list(coding["done"][k]))
        assert f.value == pytest.approx(expected.value, rel=1e-12, nan_ok=True)
        on_article = whole.disagreements_for(article_id=f.article_id)
        assert on_article == tuple(d for d in whole.disagreements if d.article_id == f.article_id)


def test_disagreement_lists_are_built_on_first_reading_and_indexed_like_a_plain_filter(
    project: Project, tmp_path: Path
) -> None:
    from app.services.agreement.lists import between as _between

    _code(project, tmp_path, 3)
    report = agreement_report(project, n_bootstrap=0)
    measures = [m for _, ms in report.sections() for m in ms]
    assert all(repr(m.disagreements) == "Disagreements(not built)" for m in measures if m.section != "questions")
    report.index_disagreements()
    assert not any("not built" in repr(m.disagreements) for m in measures)
    checked = 0
    for m in measures:
        everything = tuple(m.disagreements)
        for pair in [*report.pairs, report.coders]:
            assert m.disagreements_for(coders=pair) == tuple(d for d in everything if _between(d, pair))
            checked += len(m.disagreements_for(coders=pair))
        for article in report.articles:
            assert m.disagreements_for(article_id=article.id, coders=report.pairs[0]) == tuple(
                d for d in everything if d.article_id == article.id and _between(d, report.pairs[0])
            )
    assert checked > 100
    plain = json.loads(json.dumps(report.to_dict()))
    assert plain["spans"][-1]["disagreements"][0]["values"][0]["coder"] in CODERS
