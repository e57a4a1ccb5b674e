"""import-annotations knows a span the coder already has by its label and fragment set,
not by its envelope alone: a discontinuous span whose envelope equals a contiguous span
of the coder is a new span, and importing it again adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.editing import add_annotation
from app.services.importing import import_annotations, import_articles
from app.services.projects import Project, create_project
from tests.exchange.test_fragments_relations import NO_MODEL, SPLIT, TEXT


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text(TEXT, encoding="utf-8")
    with create_project(tmp_path / "p.loupe") as opened:
        import_articles(opened, [tmp_path / "src" / "a.txt"], model=NO_MODEL)
        yield opened


def spans_of(project: Project, coder: str) -> set[tuple]:
    article = project.store.articles.list()[0]
    coder_id = project.store.coders.find(coder).id
    return {(a.label, a.start, a.end, a.fragments) for a in project.store.annotations.for_article(article.id, coder_id)}


def test_a_span_is_known_by_its_fragment_set(project: Project, tmp_path: Path) -> None:
    (o1, o2), (t1, t2) = SPLIT
    article = project.store.articles.list()[0]
    cy = project.store.coders.get_or_create("cy").id
    add_annotation(project, article_id=article.id, coder_id=cy, label="Claim", start=o1, end=t2)
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "a.ann").write_text(f"T1\tClaim {o1} {o2};{t1} {t2}\tOfficers threatened them\n", encoding="utf-8")
    first = import_annotations(project, folder, coder="cy", format="brat")
    assert (first.annotations, first.already_present) == (1, 0)
    assert spans_of(project, "cy") == {("Claim", o1, t2, ()), ("Claim", o1, t2, SPLIT)}
    again = import_annotations(project, folder, coder="cy", format="brat")
    assert (again.annotations, again.already_present) == (0, 1)
    assert spans_of(project, "cy") == {("Claim", o1, t2, ()), ("Claim", o1, t2, SPLIT)}
