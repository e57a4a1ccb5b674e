"""Spans with white space at an edge: counted and said at import, trimmed to their core
with ``--trim-spans`` (a span of white space only is left out, with its relations), so a
DocBin export passes spaCy's ``debug data`` checks on entities."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from app.cli.main import main
from app.services.exporting import export_project
from app.services.importing import import_annotations, import_articles
from app.services.projects import Project, open_project

NO_MODEL = "no_such_pipeline_xyz"
TEXT = "Threats\n\nMigrants were threatened by\u00a0police officers in Moscow.\n"


#: (id, label, text at the span, what trimming leaves); "" = white space only.
SPANS = [
    (1, "Actor", "\n\nMigrants", "Migrants"),
    (2, "Actor", "\u00a0police officers ", "police officers"),
    (3, "Claim", "were threatened ", "were threatened"),
    (4, "Claim", " ", ""),
    (5, "Actor", "Moscow.\n", "Moscow."),
    (6, "Actor", "Threats", "Threats"),
]


def _line() -> dict:
    entities = []
    for ident, label, part, _ in SPANS:
        # The span of white space only is the space after "threatened".
        start = TEXT.index("threatened") + len("threatened") if part == " " else TEXT.index(part)
        entities.append({"id": ident, "label": label, "start_offset": start, "end_offset": start + len(part)})
    relations = [
        {"id": 1, "from_id": 3, "to_id": 2, "type": "said_by"},
        {"id": 2, "from_id": 4, "to_id": 1, "type": "said_by"},
    ]
    return {"text": TEXT, "entities": entities, "relations": relations}


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "edges.jsonl"
    path.write_text(json.dumps(_line(), ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _stored(project: Project) -> list[str]:
    (article,) = project.store.articles.list()
    return sorted(article.text[a.start : a.end] for a in project.store.annotations.for_article(article.id))


def test_edges_are_counted_and_kept_without_trimming(project: Project, tmp_path: Path) -> None:
    report = import_articles(project, [_write(tmp_path)], coder="ana", model=NO_MODEL)
    assert report.edge_spans == 5 and report.trimmed == 0
    assert _stored(project) == sorted(part for _, _, part, _ in SPANS)
    assert report.relations == 2


def test_trim_spans_trims_to_the_core_and_leaves_out_white_space_only(project: Project, tmp_path: Path) -> None:
    report = import_articles(project, [_write(tmp_path)], coder="ana", model=NO_MODEL, trim_spans=True)
    assert (report.edge_spans, report.trimmed, report.annotations, report.relations) == (5, 4, 5, 1)
    assert _stored(project) == sorted(core for _, _, _, core in SPANS if core)
    assert report.notes == [
        "edges.jsonl, line 1: 1 span of white space only (4) left out, with the 1 relation linking them."
    ]
    again = import_articles(project, [_write(tmp_path)], coder="ana", model=NO_MODEL, trim_spans=True)
    assert (again.annotations, again.attached_spans, again.relations, again.already_present) == (0, 0, 0, 5)


def test_cli_says_how_many_spans_have_white_space_at_an_edge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = str(_write(tmp_path))
    plain, trimmed = tmp_path / "plain.loupe", tmp_path / "trimmed.loupe"
    for path in (plain, trimmed):
        assert main(["new", str(path)]) == 0
    capsys.readouterr()
    assert main(["import", str(plain), source, "--coder", "ana", "--model", NO_MODEL]) == 0
    assert "5 spans begin or end with white space (--trim-spans trims them)." in capsys.readouterr().out
    assert main(["import", str(trimmed), source, "--coder", "ana", "--model", NO_MODEL, "--trim-spans"]) == 0
    captured = capsys.readouterr()
    assert "Trimmed white space off the edges of 4 spans; left out 1 span of white space only." in captured.out
    assert "1 span of white space only (4) left out" in captured.err


def test_import_annotations_trims_brat_spans(project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    part = "\u00a0police officers "
    start = TEXT.index(part)
    (folder / "a.ann").write_text(f"T1\tActor {start} {start + len(part)}\t{part}\n", encoding="utf-8")
    import_articles(project, [folder / "a.txt"], model=NO_MODEL)
    report = import_annotations(project, folder, coder="ana", format="brat", trim_spans=True)
    assert (report.edge_spans, report.trimmed, report.annotations) == (1, 1, 1)
    assert _stored(project) == ["police officers"]
    path = tmp_path / "p.loupe"
    assert main(["new", str(path)]) == 0
    assert main(["import", str(path), str(folder / "a.txt"), "--model", NO_MODEL]) == 0
    capsys.readouterr()
    assert main(["import-annotations", str(path), str(folder), "--coder", "ana", "--format", "brat"]) == 0
    assert "1 span begins or ends with white space (--trim-spans trims them)." in capsys.readouterr().out
    with open_project(path) as opened:
        assert _stored(opened) == [part]


def _ws_problems(path: Path) -> tuple[int, int]:
    """What ``spacy debug data`` checks of entities: the entity is a span of its Doc and of
    the tokenizer's Doc of the same text, and neither its first nor its last token is white
    space. Returns (entities, entities with a problem)."""
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    total = problems = 0
    for doc in docs:
        tokenized = nlp(doc.text)
        for ent in list(doc.ents) + list(doc.spans["sc"]):
            total += 1
            bad = (
                doc.char_span(ent.start_char, ent.end_char) is None
                or tokenized.char_span(ent.start_char, ent.end_char) is None
                or ent[0].is_space or ent[-1].is_space
                or ent.text != ent.text.strip()
            )
            problems += bad
    return total, problems


def test_docbin_of_trimmed_spans_passes_the_debug_data_checks(tmp_path: Path) -> None:
    source = _write(tmp_path)
    results = {}
    for trim in (False, True):
        path = tmp_path / f"{trim}.loupe"
        assert main(["new", str(path)]) == 0
        with open_project(path) as project:
            import_articles(project, [source], coder="ana", model=NO_MODEL, trim_spans=trim)
            export_project(project, tmp_path / f"{trim}.spacy", coder="ana")
        results[trim] = _ws_problems(tmp_path / f"{trim}.spacy")
    assert results[False][1] > 0  # untrimmed: entities that start or end with white space
    total, problems = results[True]
    assert total >= 5 and problems == 0
