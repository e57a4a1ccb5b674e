"""Relations between discontinuous spans in the exports: both ends are read with their
fragments, so the Relations sheet gives each end's text as its fragments' texts joined
by " … " (never the words of the gap), with the envelope's offsets as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from app.core.edits import AddRelation
from app.services.editing import add_annotation, apply_edit, new_relation
from app.services.exporting import export_project
from app.services.importing import import_articles
from app.services.projects import Project, create_project
from app.store.exports import ExportQueries

NO_MODEL = "no_such_pipeline_xyz"
TEXT = "Recruits coerced\n\nOfficers, the report says, threatened them with deportation, said Anton Korolev."


def part(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


SPLIT = (part("Officers"), part("threatened them"))
ACTOR = (part("Anton"), part("Korolev"))  # "Anton Korolev" with its gap of one space left out


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text(TEXT, encoding="utf-8")
    with create_project(tmp_path / "p.loupe") as opened:
        import_articles(opened, [tmp_path / "src" / "a.txt"], model=NO_MODEL)
        article = opened.store.articles.list()[0]
        ana = opened.store.coders.get_or_create("ana").id
        claim = add_annotation(opened, article_id=article.id, coder_id=ana, label="Claim",
                               start=SPLIT[0][0], end=SPLIT[1][1], fragments=SPLIT)
        actor = add_annotation(opened, article_id=article.id, coder_id=ana, label="Actor",
                               start=ACTOR[0][0], end=ACTOR[1][1], fragments=ACTOR)
        apply_edit(opened, AddRelation(new_relation(article.id, ana, "said_by", claim.id, actor.id)))
        yield opened


def sheet_rows(path: Path, name: str) -> list[dict]:
    sheet = openpyxl.load_workbook(path)[name]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    return [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]


def test_relation_ends_are_read_with_their_fragments(project: Project) -> None:
    queries = ExportQueries(project.store.engine)
    ((relation, source, target),) = queries.relations([project.store.articles.list()[0].id], None)
    assert relation.label == "said_by"
    assert source.fragments == SPLIT and target.fragments == ACTOR


def test_the_relations_sheet_joins_each_ends_fragments(project: Project, tmp_path: Path) -> None:
    export_project(project, tmp_path / "out.xlsx")
    (row,) = sheet_rows(tmp_path / "out.xlsx", "Relations")
    assert row["Source text"] == "Officers … threatened them"
    assert row["Target text"] == "Anton … Korolev"
    assert (row["Source start"], row["Source end"]) == (SPLIT[0][0], SPLIT[1][1])
    assert (row["Target start"], row["Target end"]) == (ACTOR[0][0], ACTOR[1][1])
