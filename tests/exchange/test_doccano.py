"""doccano exports imported whole: spans of lines whose text is already in the project
attach to that article, relations (``entities`` + ``relations``) become relations, and
text-classification labels become answers, all checked as a merge checks a coder's rows.

The files in tests/data/doccano are doccano's own examples (see the README there)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.errors import ImportFormatError, LoupeError
from app.services.importing import import_annotations, import_articles
from app.services.projects import Project, create_project, open_project

DATA = Path(__file__).resolve().parents[1] / "data" / "doccano"
NO_MODEL = "no_such_pipeline_xyz"

CODEBOOK = """
name: doccano examples
version: "1"
span_labels:
  - {name: ORG, key: o, color: "#112233"}
  - {name: DATE, key: d, color: "#223344"}
  - {name: PERSON, key: p, color: "#334455"}
  - {name: PER, key: e, color: "#445566"}
  - {name: LOC, key: l, color: "#556677"}
  - {name: MISC, key: m, color: "#667788"}
  - {name: City, key: c, color: "#778899"}
relation_types:
  - {name: foundedAt, source: [ORG], target: [DATE]}
  - {name: FoundedBy, source: [ORG], target: [PERSON]}
questions:
  - name: sentiment
    type: multi_choice
    prompt: Sentiment?
    options: [{value: positive}, {value: negative}, {value: neutral}]
  - name: intent
    type: single_choice
    prompt: Intent?
    options: [{value: flight}, {value: airport}]
"""


def _project(tmp_path: Path, codebook: str = CODEBOOK, name: str = "d") -> Project:
    path = tmp_path / f"{name}.yaml"
    path.write_text(codebook, encoding="utf-8")
    return create_project(tmp_path / f"{name}.loupe", codebook_path=path)


@pytest.fixture
def doc_project(tmp_path: Path):
    with _project(tmp_path) as project:
        yield project


def _spans(project: Project, coder: str) -> set[tuple[str, str]]:
    coder_id = project.store.coders.find(coder).id
    found = set()
    for article in project.store.articles.list():
        for a in project.store.annotations.for_article(article.id, coder_id):
            found.add((a.label, article.text[a.start : a.end]))
    return found


def _relations(project: Project, coder: str) -> list[tuple[str, str, str]]:
    coder_id = project.store.coders.find(coder).id
    found = []
    for article in project.store.articles.list():
        spans = {a.id: article.text[a.start : a.end] for a in project.store.annotations.for_article(article.id)}
        for r in project.store.relations.for_article(article.id, coder_id):
            found.append((r.label, spans[r.source_id], spans[r.target_id]))
    return sorted(found)


def _answers(project: Project, coder: str) -> dict[str, dict[str, object]]:
    coder_id = project.store.coders.find(coder).id
    return {
        a.text: {q: answer.value for q, answer in project.store.answers.for_article(a.id, coder_id).items()}
        for a in project.store.articles.list()
    }


def _counts(project: Project) -> tuple[int, int, int]:
    counts = project.store.counts()
    return counts.articles, counts.coders, counts.annotations


GOOGLE_RELATIONS = [
    ("FoundedBy", "Google", "Larry Page"),
    ("FoundedBy", "Google", "Sergey Brin"),
    ("foundedAt", "Google", "September 4, 1998"),
]


@pytest.mark.parametrize("name", ["relation_extraction_export.jsonl", "relation_extraction_import.jsonl"])
def test_entities_and_relations_are_imported_as_spans_and_relations(doc_project: Project, name: str) -> None:
    report = import_articles(doc_project, [DATA / name], coder="ana", model=NO_MODEL)
    assert (report.imported, report.annotations, report.relations) == (1, 4, 3)
    assert _spans(doc_project, "ana") == {
        ("ORG", "Google"), ("DATE", "September 4, 1998"), ("PERSON", "Larry Page"), ("PERSON", "Sergey Brin"),
    }
    # doccano's "foundedBy" is the codebook's "FoundedBy": names match whatever their case.
    assert _relations(doc_project, "ana") == GOOGLE_RELATIONS
    again = import_articles(doc_project, [DATA / name], coder="ana", model=NO_MODEL)
    assert (again.imported, again.annotations, again.attached_spans, again.relations) == (0, 0, 0, 0)
    assert again.already_present == 4 and len(_relations(doc_project, "ana")) == 3


def test_unknown_relation_types_are_refused_all_listed_with_counts(tmp_path: Path) -> None:
    codebook = CODEBOOK.split("relation_types:")[0] + "relation_types: []\nquestions: []\n"
    with _project(tmp_path, codebook) as project:
        with pytest.raises(ImportFormatError) as caught:
            import_articles(project, [DATA / "relation_extraction_export.jsonl"], coder="ana", model=NO_MODEL)
        assert str(caught.value) == (
            "relation_extraction_export.jsonl: the relation types 'foundedBy' (2 relations), "
            "'foundedAt' (1 relation) are not in the codebook (the codebook has no relation types)."
        )
        assert _counts(project) == (0, 0, 0)


def test_unknown_span_labels_are_refused_all_listed_with_counts(project: Project) -> None:
    with pytest.raises(ImportFormatError) as caught:
        import_articles(project, [DATA / "sequence_labeling_export.jsonl"], coder="ana", model=NO_MODEL)
    assert str(caught.value) == (
        "sequence_labeling_export.jsonl: the span labels 'PERSON' (2 spans), 'ORG' (1 span), "
        "'MISC' (1 span) are not in the codebook (span labels: Actor, Claim, Coercion)."
    )
    assert _counts(project) == (0, 0, 0)


def test_spans_of_lines_with_the_same_text_attach_to_the_one_article(doc_project: Project) -> None:
    # doccano's labeling.jsonl: three lines of the same text, each with its own spans.
    report = import_articles(doc_project, [DATA / "labeling_same_text.jsonl"], coder="ana", model=NO_MODEL)
    assert report.imported == 1 and len(report.duplicates) == 2
    assert (report.annotations, report.attached_spans, report.attached_articles, report.already_present) == (2, 1, 1, 1)
    assert _spans(doc_project, "ana") == {("LOC", "e"), ("ORG", "ex"), ("PER", "e")}


def test_coder_spans_on_articles_already_in_the_project_are_attached(doc_project: Project) -> None:
    first = import_articles(doc_project, [DATA / "sequence_labeling_export.jsonl"], coder="ana", model=NO_MODEL)
    assert (first.imported, first.annotations) == (3, 4)
    second = import_articles(doc_project, [DATA / "sequence_labeling_export.jsonl"], coder="ben", model=NO_MODEL)
    assert second.imported == 0 and len(second.duplicates) == 3
    assert (second.attached_spans, second.attached_articles, second.annotations) == (4, 3, 0)
    assert _spans(doc_project, "ben") == _spans(doc_project, "ana") == {
        ("ORG", "EU"), ("MISC", "German"), ("PERSON", "Peter Blackburn"), ("PERSON", "Obama"),
    }


def test_cli_reports_spans_attached_to_existing_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cb.yaml").write_text(CODEBOOK, encoding="utf-8")
    path = tmp_path / "p.loupe"
    assert main(["new", str(path), "--codebook", str(tmp_path / "cb.yaml")]) == 0
    source = str(DATA / "sequence_labeling_export.jsonl")
    assert main(["import", str(path), source, "--coder", "ana", "--model", NO_MODEL]) == 0
    capsys.readouterr()
    assert main(["import", str(path), source, "--coder", "ben", "--model", NO_MODEL]) == 0
    out = capsys.readouterr().out
    assert "Imported 0 articles" in out and "3 duplicates skipped" in out
    assert "Attached 4 spans to 3 existing articles" in out
    with open_project(path) as project:
        assert len(_spans(project, "ben")) == 4


def test_classification_labels_answer_the_question_that_offers_them(doc_project: Project) -> None:
    report = import_articles(
        doc_project, [DATA / "text_classification_export.jsonl", DATA / "text_classification_labels.jsonl"],
        coder="ana", model=NO_MODEL,
    )
    assert report.imported == 6 and report.answers == 5 and report.notes == []
    answers = _answers(doc_project, "ana")
    assert answers["Terrible customer service."] == {"sentiment": ["negative"]}
    assert answers["Great price."] == {"sentiment": ["positive"]}
    assert answers["exampleB"] == {"sentiment": ["positive", "negative"]}
    assert answers["exampleC"] == {}
    assert all("label" not in a.metadata and "labels" not in a.metadata for a in doc_project.store.articles.list())


def test_intent_detection_cats_and_entities(doc_project: Project) -> None:
    report = import_articles(doc_project, [DATA / "intent_detection_export.jsonl"], coder="ana", model=NO_MODEL)
    assert (report.imported, report.annotations, report.answers) == (2, 3, 2)
    answers = _answers(doc_project, "ana")
    assert answers["Find a flight from Memphis to Tacoma"] == {"intent": "flight"}
    assert answers["I want to know what airports are in Los Angeles"] == {"intent": "airport"}
    assert ("City", "Los Angeles") in _spans(doc_project, "ana")


def test_labels_no_question_offers_are_reported_not_put_in_metadata(project: Project) -> None:
    report = import_articles(project, [DATA / "text_classification_export.jsonl"], model=NO_MODEL)
    assert report.imported == 3 and report.answers == 0
    assert report.notes == [
        "text_classification_export.jsonl: document labels that no question of the codebook offers "
        "were not imported: 'positive' (2 documents), 'negative' (1 document); add a question with "
        "these options and import again (the answers then attach to the articles already imported)."
    ]
    assert all(a.metadata == {} for a in project.store.articles.list())


def test_labels_several_questions_offer_are_reported(tmp_path: Path) -> None:
    codebook = CODEBOOK + """  - name: tone
    type: single_choice
    prompt: Tone?
    options: [{value: positive}, {value: negative}]
"""
    with _project(tmp_path, codebook) as project:
        report = import_articles(project, [DATA / "text_classification_export.jsonl"], coder="ana", model=NO_MODEL)
        assert report.answers == 0
        assert report.notes == [
            "text_classification_export.jsonl: document labels that several questions offer were not "
            "imported: 'positive' (sentiment or tone; 2 documents), 'negative' (sentiment or tone; 1 document)."
        ]


def test_several_labels_for_a_single_choice_question_are_refused_as_a_merge_would(tmp_path: Path) -> None:
    codebook = CODEBOOK.replace("type: multi_choice", "type: single_choice")
    with _project(tmp_path, codebook) as project:
        with pytest.raises(ImportFormatError, match="line 2: .*sentiment: expected one option as text"):
            import_articles(project, [DATA / "text_classification_labels.jsonl"], coder="ana", model=NO_MODEL)
        assert _counts(project) == (0, 0, 0)


def test_answers_need_a_coder(doc_project: Project) -> None:
    with pytest.raises(LoupeError, match="has document labels; name the coder who owns them with --coder"):
        import_articles(doc_project, [DATA / "text_classification_export.jsonl"], model=NO_MODEL)


def test_a_relation_its_type_does_not_allow_is_refused_as_a_merge_would(doc_project: Project, tmp_path: Path) -> None:
    line = json.loads((DATA / "relation_extraction_export.jsonl").read_text(encoding="utf-8"))
    line["relations"][0]["to_id"] = 2  # foundedAt from ORG to a PERSON
    (tmp_path / "bad.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"bad.jsonl, line 1: 0: foundedAt cannot link ORG to PERSON"):
        import_articles(doc_project, [tmp_path / "bad.jsonl"], coder="ana", model=NO_MODEL)
    assert _counts(doc_project) == (0, 0, 0)


def test_a_relation_to_a_missing_entity_is_refused(doc_project: Project, tmp_path: Path) -> None:
    line = json.loads((DATA / "relation_extraction_export.jsonl").read_text(encoding="utf-8"))
    line["relations"][1]["to_id"] = 9
    (tmp_path / "bad.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="relations entry 2 links entity 9, which is not one of the line's"):
        import_articles(doc_project, [tmp_path / "bad.jsonl"], coder="ana", model=NO_MODEL)


def test_import_annotations_brings_relations_and_answers_onto_existing_articles(doc_project: Project) -> None:
    import_articles(
        doc_project, [DATA / "relation_extraction_export.jsonl", DATA / "text_classification_export.jsonl"],
        coder="ana", model=NO_MODEL,
    )
    report = import_annotations(doc_project, DATA / "relation_extraction_import.jsonl", coder="ben", format="doccano")
    assert (report.annotations, report.relations) == (4, 3)
    assert _relations(doc_project, "ben") == GOOGLE_RELATIONS
    report = import_annotations(doc_project, DATA / "text_classification_export.jsonl", coder="ben", format="doccano")
    assert report.answers == 3
    assert _answers(doc_project, "ben")["Really great transaction."] == {"sentiment": ["positive"]}
