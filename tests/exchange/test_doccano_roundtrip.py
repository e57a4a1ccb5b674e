"""doccano round trips: each of doccano's own example files (tests/data/doccano) is
imported, exported with ``--format doccano`` and imported into a fresh project, which
must hold the same spans, relations and answers, nothing lost or moved. The exported
file keeps doccano's own field names, so doccano reads it into the same project type."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.cli.main import main
from app.core.edits import AddRelation
from app.services.editing import add_annotation, apply_edit, new_relation
from app.services.exporting import export_project
from app.services.importing import import_articles
from app.services.projects import Project, create_project, open_project
from tests.exchange.test_doccano import CODEBOOK, DATA, NO_MODEL

Span = tuple[str, str, int, int]  # article text, label, start, end


def _project(folder: Path, name: str, codebook: str = CODEBOOK) -> Project:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(codebook, encoding="utf-8")
    return create_project(folder / f"{name}.loupe", codebook_path=folder / f"{name}.yaml")


def _coding(project: Project, coder: str) -> tuple[set[Span], list[tuple[str, Span, Span]], dict[str, Any]]:
    """A coder's spans, relations (type, source, target) and non-empty answers, by
    article text and offsets, so two projects compare whatever their ids."""
    coder_id = project.store.coders.find(coder).id
    spans: set[Span] = set()
    relations: list[tuple[str, Span, Span]] = []
    answers: dict[str, Any] = {}
    for article in project.store.articles.list():
        found = {
            a.id: (article.text, a.label, a.start, a.end)
            for a in project.store.annotations.for_article(article.id, coder_id)
        }
        spans.update(found.values())
        relations += [
            (r.label, found[r.source_id], found[r.target_id])
            for r in project.store.relations.for_article(article.id, coder_id)
        ]
        given = {q: a.value for q, a in project.store.answers.for_article(article.id, coder_id).items()}
        if given:
            answers[article.text] = given
    return spans, sorted(relations), answers


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _round_trip(tmp_path: Path, sources: list[Path]) -> tuple[Any, Any, Path]:
    """(coding imported from ``sources``, coding read back from its doccano export, export)."""
    out = tmp_path / "out.jsonl"
    with _project(tmp_path / "first", "first") as first:
        import_articles(first, sources, coder="ana", model=NO_MODEL)
        before = _coding(first, "ana")
        report = export_project(first, out, format="doccano", coder="ana")
        assert (report.annotations, report.relations) == (len(before[0]), len(before[1]))
    with _project(tmp_path / "second", "second") as second:
        back = import_articles(second, [out], coder="ana", model=NO_MODEL)
        assert back.notes == []
        after = _coding(second, "ana")
    return before, after, out


#: file -> (spans, relations, articles with answers) imported from it.
CODED_FILES = {
    "relation_extraction_export.jsonl": (4, 3, 0),
    "relation_extraction_import.jsonl": (4, 3, 0),
    "text_classification_export.jsonl": (0, 0, 3),
    "text_classification_labels.jsonl": (0, 0, 2),
    "intent_detection_export.jsonl": (3, 0, 2),
}


@pytest.mark.parametrize("name", sorted(CODED_FILES))
def test_each_doccano_example_round_trips_whole(tmp_path: Path, name: str) -> None:
    before, after, _ = _round_trip(tmp_path, [DATA / name])
    spans, relations, answers = before
    assert (len(spans), len(relations), len(answers)) == CODED_FILES[name]
    assert after == before


def test_all_examples_in_one_project_round_trip_in_the_relation_layout(tmp_path: Path) -> None:
    # Sequence-labelling lines (and the three lines of one text) travel in the relation
    # layout too, once any relation is exported; their answers go under "cats".
    sources = sorted(DATA.glob("*.jsonl"))
    assert len(sources) == 7
    before, after, out = _round_trip(tmp_path, sources)
    spans, relations, answers = before
    assert (len(spans), len(relations), len(answers)) == (14, 3, 7)
    assert after == before
    lines = _lines(out)
    assert all("label" not in line and {"entities", "relations"} <= line.keys() for line in lines)
    assert sum("cats" in line for line in lines) == 7


def test_the_relation_export_is_doccanos_own_relation_layout(tmp_path: Path) -> None:
    with _project(tmp_path / "p", "p") as project:
        import_articles(
            project, [DATA / "relation_extraction_export.jsonl", DATA / "sequence_labeling_export.jsonl"],
            coder="ana", model=NO_MODEL,
        )
        export_project(project, tmp_path / "out.jsonl", format="doccano", coder="ana")
    lines = _lines(tmp_path / "out.jsonl")
    assert len(lines) == 4
    entities = [e for line in lines for e in line["entities"]]
    relations = [r for line in lines for r in line["relations"]]
    assert all(list(e) == ["id", "label", "start_offset", "end_offset"] for e in entities)
    assert all(list(r) == ["id", "from_id", "to_id", "type"] for r in relations)
    # Integers unique in the file, as doccano's database keys are.
    assert [e["id"] for e in entities] == list(range(8))
    assert [r["id"] for r in relations] == list(range(3))
    assert all("label" not in line and "cats" not in line for line in lines)
    # The line doccano wrote comes back as doccano wrote it (the type as the codebook spells it).
    (google,) = [line for line in lines if line["text"].startswith("Google")]
    original = _lines(DATA / "relation_extraction_export.jsonl")[0]
    assert google["entities"] == original["entities"]
    for r in original["relations"]:
        r["type"] = {"foundedBy": "FoundedBy"}.get(r["type"], r["type"])
    assert sorted(google["relations"], key=lambda r: r["to_id"]) == [
        {**r, "id": google["relations"][i]["id"]} for i, r in enumerate(original["relations"])
    ]


def test_spans_with_answers_go_out_in_doccanos_intent_detection_layout(tmp_path: Path) -> None:
    with _project(tmp_path / "p", "p") as project:
        import_articles(project, [DATA / "intent_detection_export.jsonl"], coder="ana", model=NO_MODEL)
        export_project(project, tmp_path / "out.jsonl", format="doccano", coder="ana")
    lines = _lines(tmp_path / "out.jsonl")
    original = _lines(DATA / "intent_detection_export.jsonl")
    assert [{k: line[k] for k in ("text", "entities", "cats")} for line in lines] == original
    assert all("label" not in line and "relations" not in line for line in lines)


def test_cli_round_trip_of_a_discontinuous_span_in_a_relation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # doccano has no discontinuous spans: each fragment is an entity, and the relation
    # links the first fragment; nothing else moves.
    path = tmp_path / "p.loupe"
    (tmp_path / "cb.yaml").write_text(CODEBOOK, encoding="utf-8")
    assert main(["new", str(path), "--codebook", str(tmp_path / "cb.yaml")]) == 0
    assert main(["import", str(path), str(DATA / "relation_extraction_export.jsonl"),
                 "--coder", "ana", "--model", NO_MODEL]) == 0
    with open_project(path) as project:
        (article,) = project.store.articles.list()
        ana = project.store.coders.find("ana")
        # "Larry" and "Brin" as one discontinuous PERSON, founded by Google.
        both = add_annotation(
            project, article_id=article.id, coder_id=ana.id, label="PERSON", start=44, end=70,
            fragments=((44, 49), (66, 70)),
        )
        (google,) = [a for a in project.store.annotations.for_article(article.id, ana.id) if a.start == 0]
        apply_edit(project, AddRelation(new_relation(article.id, ana.id, "FoundedBy", google.id, both.id)))
    out = tmp_path / "out.jsonl"
    assert main(["export", str(path), str(out), "--format", "doccano", "--coder", "ana"]) == 0
    (line,) = _lines(out)
    assert [(e["start_offset"], e["end_offset"]) for e in line["entities"]] == [
        (0, 6), (22, 39), (44, 49), (44, 54), (59, 70), (66, 70),
    ]
    # Google (entity 0) founded by the first fragment (entity 2), not by its envelope.
    assert sorted((r["from_id"], r["to_id"], r["type"]) for r in line["relations"]) == [
        (0, 1, "foundedAt"), (0, 2, "FoundedBy"), (0, 3, "FoundedBy"), (0, 4, "FoundedBy"),
    ]
    fresh = tmp_path / "fresh.loupe"
    assert main(["new", str(fresh), "--codebook", str(tmp_path / "cb.yaml")]) == 0
    assert main(["import", str(fresh), str(out), "--coder", "ana", "--model", NO_MODEL]) == 0
    capsys.readouterr()
    with open_project(path) as before, open_project(fresh) as after:
        old_spans, old_relations, _ = _coding(before, "ana")
        new_spans, new_relations, _ = _coding(after, "ana")
    text = article.text
    whole, first, last = (text, "PERSON", 44, 70), (text, "PERSON", 44, 49), (text, "PERSON", 66, 70)
    assert new_spans == (old_spans - {whole}) | {first, last}
    assert new_relations == sorted(
        (label, source, first if target == whole else target) for label, source, target in old_relations
    )


def test_options_two_questions_share_are_warned_about(tmp_path: Path) -> None:
    codebook = CODEBOOK + """  - name: tone
    type: single_choice
    prompt: Tone?
    options: [{value: Positive}, {value: flat}]
"""
    with _project(tmp_path / "p", "p", codebook) as project:
        import_articles(project, [DATA / "intent_detection_export.jsonl"], coder="ana", model=NO_MODEL)
        report = export_project(project, tmp_path / "out.jsonl", format="doccano", coder="ana")
    assert report.warnings == [
        "doccano: the option 'positive' is offered by sentiment and tone; its document label "
        "cannot tell which question it answers, so an import may give it to another."
    ]
