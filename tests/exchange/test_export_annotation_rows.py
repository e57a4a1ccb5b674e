"""The Annotations sheet, cell by cell and in order, against rows built here from the
store's records: the sheet builds its rows from plain tuples (ExportQueries.annotation_rows),
and a row builder that drops, moves or changes a cell must fail this."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app.core.edits import AddRelation
from app.core.errors import LoupeError
from app.core.exports import FRAGMENT_JOINER, utc_datetime
from app.core.snippets import context
from app.services.editing import add_annotation, apply_edit, new_relation
from app.services.exporting import export_project
from app.services.projects import Project
from tests.export_fixtures import coded_copy


def attribute_columns(project: Project) -> list[tuple[str, str]]:
    """(label, attribute name) of every attribute column, in the codebook's order."""
    return [(label.name, a.name) for label in project.codebook.span_labels for a in label.attributes]


def cell(value: Any) -> Any:
    return "; ".join(map(str, value)) if isinstance(value, list) else value


@pytest.fixture
def coded(tmp_path: Path) -> Iterator[Project]:
    with coded_copy(tmp_path) as project:
        article = project.store.articles.list()[0]
        ana = project.store.coders.find("ana").id
        text = article.text
        first, second = text.index(" ", 20), text.index(" ", 40)
        add_annotation(  # a discontinuous span with a note, starting with a space
            project, article_id=article.id, coder_id=ana, label="Actor", start=first, end=second + 4,
            fragments=((first, first + 5), (second, second + 4)), note="split & <joined>",
            attributes={"actor_type": "police", "role": "target"}, uncertain=True,
        )
        unfinished = project.store.articles.list()[4]  # ben's article in progress: a relation on it
        ben = project.store.coders.find("ben").id
        claim = add_annotation(project, article_id=unfinished.id, coder_id=ben, label="Claim", start=0,
                               end=len(unfinished.title), attributes={"claim_type": "allegation"})
        actor = add_annotation(project, article_id=unfinished.id, coder_id=ben, label="Actor", start=first,
                               end=first + 5, attributes={"actor_type": "police", "role": "target"})
        apply_edit(project, AddRelation(new_relation(unfinished.id, ben, "said_by", claim.id, actor.id)))
        yield project


def expected_rows(project: Project, coder: str | None = None) -> list[list[Any]]:
    coders = {c.id: c for c in project.store.coders.list()}
    rows = []
    for article in project.store.articles.list():
        found = [a for a in project.store.annotations.for_article(article.id)
                 if coder is None or coders[a.coder_id].name == coder]
        found.sort(key=lambda a: (coders[a.coder_id].name, a.start, a.end, a.label, a.id))
        for a in found:
            ranges = a.fragments or ((a.start, a.end),)
            created, updated = utc_datetime(a.created_at), utc_datetime(a.updated_at)
            rows.append([
                article.id, article.title, coders[a.coder_id].name, coders[a.coder_id].role, a.label,
                *(cell(a.attributes.get(name)) if owner == a.label else None
                  for owner, name in attribute_columns(project)),
                FRAGMENT_JOINER.join(article.text[s:e] for s, e in ranges), a.start, a.end,
                "; ".join(f"{s}-{e}" for s, e in a.fragments) or None,
                " ".join(context(article.text, a.start, a.end).split()), a.note or None, a.uncertain,
                created, updated, a.id,
            ])
    return rows


def sheet_rows(path: Path) -> tuple[list[str], list[list[Any]]]:
    rows = openpyxl.load_workbook(path)["Annotations"].iter_rows(values_only=True)
    header = list(next(rows))
    return header, [list(r) for r in rows]


def close(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return abs((a - b).total_seconds()) < 0.002  # Excel keeps milliseconds
    return a == b


@pytest.mark.parametrize("coder", [None, "ben"])
def test_every_cell_of_the_annotations_sheet(coded: Project, tmp_path: Path, coder: str | None) -> None:
    out = tmp_path / "a.xlsx"
    report = export_project(coded, out, coder=coder)
    header, rows = sheet_rows(out)
    names = [name for _, name in attribute_columns(coded)]
    assert len(set(names)) == len(names)  # no attribute name shared by two labels here
    assert header == [
        "Article id", "Title", "Coder", "Role", "Label", *names, "Text", "Start", "End", "Fragments",
        "Context", "Note", "Uncertain", "Created (UTC)", "Updated (UTC)", "Annotation id",
    ]
    expected = expected_rows(coded, coder)
    assert report.annotations == len(rows) == len(expected) > 10
    for got, want in zip(rows, expected, strict=True):
        assert len(got) == len(want)
        got[header.index("Context")] = " ".join(got[header.index("Context")].split())
        assert all(close(a, b) for a, b in zip(got, want, strict=True)), (got, want)
    if coder is None:  # ana's discontinuous span
        split = next(r for r in rows if r[header.index("Fragments")])
        assert split[header.index("Note")] == "split & <joined>" and split[header.index("Uncertain")] is True
        assert FRAGMENT_JOINER in split[header.index("Text")]


def test_a_status_filter_leaves_out_the_unfinished_articles_annotations(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "done.xlsx"
    export_project(coded, out, statuses=["done"])
    header, rows = sheet_rows(out)
    everything = expected_rows(coded)
    assert 0 < len(rows) < len(everything)
    ids = {r[header.index("Annotation id")] for r in rows}
    assert [r[-1] for r in everything if r[-1] in ids] == [r[-1] for r in rows]  # the same order


def test_the_relations_sheet_keeps_the_relations_whose_status_is_exported(coded: Project, tmp_path: Path) -> None:
    out, every = tmp_path / "done.xlsx", tmp_path / "all.xlsx"
    export_project(coded, out, statuses=["done"])
    export_project(coded, every)
    done = list(openpyxl.load_workbook(out)["Relations"].iter_rows(min_row=2, values_only=True))
    everything = list(openpyxl.load_workbook(every)["Relations"].iter_rows(min_row=2, values_only=True))
    answers = {(r[0], r[3]): r[5] for r in openpyxl.load_workbook(every)["Article answers"].iter_rows(
        min_row=2, values_only=True)}  # (article id, coder) -> status
    assert 0 < len(done) < len(everything)
    assert done == [r for r in everything if answers[(r[0], r[2])] == "done"]


def test_agreement_sheets_without_intervals(coded: Project, tmp_path: Path) -> None:
    with_intervals, without = tmp_path / "with.xlsx", tmp_path / "without.xlsx"
    export_project(coded, with_intervals)
    export_project(coded, without, agreement_resamples=0)
    rows = {r[1]: r for r in openpyxl.load_workbook(without)["Agreement"].iter_rows(min_row=2, values_only=True)}
    reference = {r[1]: r for r in openpyxl.load_workbook(with_intervals)["Agreement"].iter_rows(
        min_row=2, values_only=True)}
    assert rows.keys() == reference.keys()
    relevance, measured = rows["relevance"], reference["relevance"]
    assert relevance[4] == measured[4] is not None  # the same alpha
    assert relevance[5:10] == (None,) * 5 and measured[5] is not None  # no interval, no q
    with pytest.raises(LoupeError, match="resamples"):
        export_project(coded, tmp_path / "bad.xlsx", agreement_resamples=1)
