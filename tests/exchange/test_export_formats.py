"""CSV, JSON Lines, doccano, brat and spaCy DocBin exports, and the round trips back in."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from app.core.edits import AddRelation
from app.core.errors import ImportFormatError, LoupeError
from app.paths import sample_dir
from app.services.editing import add_annotation, apply_edit, new_relation
from app.services.exporting import export_project
from app.services.importing import import_annotations, import_articles
from app.services.projects import Project, create_project
from tests.export_fixtures import NO_MODEL, coded_copy

UNICODE_TEXTS = {
    "emoji": "👩‍⚖️ Judge rules\n\n👩‍⚖️ Judge 🇺🇦 Maria Petrenko met 🙂 Ivan Sokolov in Kyiv.",
    "combining": "Zoe\u0301 speaks\n\nZoe\u0301 Dupre\u0301 and Rene\u0301e Cafe\u0301 met in Paris.",
    "cyrillic": "Мобилизация\n\nМария Петренко встретилась с Иваном Соколовым в Москве.",
    "arabic": "تجنيد قسري\n\nوصل محمد عبد الله إلى والمدينة. Jean-Pierre said so.",
}
#: (article, substring, label, attributes): spans whose edges sit after astral characters,
#: between a base letter and its combining mark's word, inside an Arabic clitic and a hyphen.
UNICODE_SPANS = [
    ("emoji", "Maria Petrenko", "Actor", {"actor_type": "state_authority", "role": "target"}),
    ("emoji", "🙂 Ivan", "Actor", {"role": "witness"}),
    ("emoji", "👩‍⚖️ Judge rules\n\n👩‍⚖️ Judge", "Claim", {"claim_type": "statistic"}),
    ("combining", "Zoe\u0301 Dupre\u0301", "Actor", {"actor_type": "other"}),
    ("combining", "Cafe\u0301", "Coercion", {"stage": "threatened"}),
    ("cyrillic", "Мария Петренко", "Actor", {}),
    ("cyrillic", "Соколовым в Москве", "Claim", {}),
    ("arabic", "محمد عبد الله", "Actor", {"actor_type": "prisoner"}),
    ("arabic", "المدينة", "Claim", {}),  # after the clitic و, inside one token
    ("arabic", "Pierre", "Actor", {}),  # half of a hyphenated word
]


@pytest.fixture
def coded(tmp_path: Path) -> Iterator[Project]:
    with coded_copy(tmp_path) as project:
        yield project


def unicode_project(path: Path, folder: Path) -> Project:
    project = create_project(path)
    folder.mkdir(exist_ok=True)
    for name, text in UNICODE_TEXTS.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    import_articles(project, sorted(folder.glob("*.txt")), model=NO_MODEL)
    coder = project.store.coders.get_or_create("ana")
    by_name = {a.external_id: a for a in project.store.articles.list()}
    made = []
    for name, needle, label, attributes in UNICODE_SPANS:
        article = by_name[name]
        start = article.text.index(needle)
        made.append(add_annotation(
            project, article_id=article.id, coder_id=coder.id, label=label, start=start,
            end=start + len(needle), attributes=attributes, note=f"note on {needle[:3]}",
            uncertain=label == "Claim",
        ))
    claim, actor = made[2], made[0]
    apply_edit(project, AddRelation(new_relation(actor.article_id, coder.id, "said_by", claim.id, actor.id)))
    return project


def coding_of(project: Project, coder_name: str) -> set[tuple]:
    """Everything a coder coded, keyed by article text so that projects compare."""
    coder = project.store.coders.find(coder_name)
    assert coder is not None
    found: set[tuple] = set()
    for article in project.store.articles.list():
        spans = {a.id: a for a in project.store.annotations.for_article(article.id, coder.id)}
        for a in spans.values():
            found.add(("span", article.text_sha256, a.label, a.start, a.end,
                       json.dumps(a.attributes, sort_keys=True), a.note, a.uncertain))
        for r in project.store.relations.for_article(article.id, coder.id):
            s, t = spans[r.source_id], spans[r.target_id]
            found.add(("relation", article.text_sha256, r.label, s.start, s.end, t.start, t.end))
    return found


def test_csv_folder_is_utf8_with_bom_and_escapes_formulas(coded: Project, tmp_path: Path) -> None:
    ana = coded.store.coders.find("ana")
    article = coded.store.articles.list()[5]
    add_annotation(coded, article_id=article.id, coder_id=ana.id, label="Claim", start=0, end=5,
                   note="=HYPERLINK(\"http://x\")")
    add_annotation(coded, article_id=article.id, coder_id=ana.id, label="Claim", start=0, end=6, note="-1")
    out = tmp_path / "tables"
    report = export_project(coded, out, format="csv", entities=True)
    names = {"annotations.csv", "relations.csv", "article_answers.csv", "entities.csv", "codebook.csv", "summary.csv"}
    assert {p.name for p in out.iterdir()} == names == set(report.sheets)
    for path in out.iterdir():
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path.name
    with (out / "annotations.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 33
    notes = {r["Note"] for r in rows}
    assert "'=HYPERLINK(\"http://x\")" in notes and "'-1" in notes and "check the name" in notes
    first = next(r for r in rows if r["Note"] == "'-1")
    assert (first["Start"], first["End"], first["Uncertain"]) == ("0", "6", "FALSE")
    assert len(first["Created (UTC)"]) == 19 and first["Created (UTC)"][10] == " "
    summary = dict(csv.reader((out / "summary.csv").open(encoding="utf-8-sig")))
    assert summary["Annotations"] == "33"
    with pytest.raises(LoupeError, match="not an empty folder"):
        export_project(coded, out, format="csv")


def test_jsonl_has_one_article_per_line_with_each_coders_work(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    export_project(coded, out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 10
    for line in lines:
        article = coded.store.articles.get(line["id"])
        assert line["text"] == article.text and line["title"] == article.title
        for coding in line["coders"]:
            for span in coding["spans"]:
                assert span["text"] == article.text[span["start"] : span["end"]]
    first = lines[0]
    assert [c["coder"] for c in first["coders"]] == ["ana", "ben", "gold"]
    assert first["coders"][0]["answers"] == {"relevance": "yes", "sourcing": "single_source"}
    assert first["coders"][0]["status"] == "done" and len(first["coders"][0]["relations"]) == 1
    export_project(coded, tmp_path / "ben.jsonl", coder="ben")
    assert len((tmp_path / "ben.jsonl").read_text(encoding="utf-8").splitlines()) == 5


def test_doccano_round_trip_into_an_empty_project(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "ana.jsonl"
    export_project(coded, out, format="doccano", coder="ana")
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    # ana has a relation: the whole file is in doccano's relation-extraction layout.
    assert "title" not in first and set(first) >= {"id", "text", "entities", "relations", "meta"}
    with create_project(tmp_path / "empty.loupe") as empty:
        report = import_articles(empty, [out], coder="ana", model=NO_MODEL)
        assert report.imported == 4 and report.annotations == 12
        assert {(a.text, a.title) for a in empty.store.articles.list()} <= {
            (a.text, a.title) for a in coded.store.articles.list()
        }
        back = {x if x[0] == "relation" else x[:5] for x in coding_of(empty, "ana")}
    assert back == {x if x[0] == "relation" else x[:5] for x in coding_of(coded, "ana")}


def test_doccano_and_brat_round_trips_keep_unicode_offsets(tmp_path: Path) -> None:
    with unicode_project(tmp_path / "u.loupe", tmp_path / "src") as project:
        export_project(project, tmp_path / "u.jsonl", format="doccano", coder="ana")
        export_project(project, tmp_path / "brat", format="brat", coder="ana")
        expected = coding_of(project, "ana")
    with create_project(tmp_path / "d.loupe") as empty:
        import_articles(empty, [tmp_path / "u.jsonl"], coder="ana", model=NO_MODEL)
        assert {x if x[0] == "relation" else x[:5] for x in coding_of(empty, "ana")} == {
            x if x[0] == "relation" else x[:5] for x in expected
        }
    with create_project(tmp_path / "b.loupe") as fresh:
        import_articles(fresh, sorted((tmp_path / "src").glob("*.txt")), model=NO_MODEL)
        report = import_annotations(fresh, tmp_path / "brat", coder="ana", format="brat")
        assert report.annotations == len(UNICODE_SPANS) and report.relations == 1
        assert coding_of(fresh, "ana") == expected


def brat_check(folder: Path) -> int:
    """What brat checks when it loads a document: each T line's text is the text at its
    offsets, counted in code points, fragments joined by a space."""
    checked = 0
    for ann in folder.glob("*.ann"):
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        for line in ann.read_text(encoding="utf-8").splitlines():
            if line.startswith("T"):
                _, data, shown = line.split("\t")
                runs = [tuple(map(int, part.split())) for part in data.split(" ", 1)[1].split(";")]
                assert shown == " ".join(text[s:e] for s, e in runs), line
                assert all(e < s2 for (_, e), (s2, _) in zip(runs, runs[1:], strict=False))
                checked += 1
    return checked


def test_brat_offsets_are_code_points_and_configs_come_from_the_codebook(tmp_path: Path) -> None:
    with unicode_project(tmp_path / "u.loupe", tmp_path / "src") as project:
        report = export_project(project, tmp_path / "brat", format="brat", coder="ana")
        assert report.annotations == len(UNICODE_SPANS)
        emoji = next(a for a in project.store.articles.list() if a.external_id == "emoji")
    folder = tmp_path / "brat"
    assert brat_check(folder) == len(UNICODE_SPANS)
    ann = (folder / "emoji.ann").read_text(encoding="utf-8")
    start = emoji.text.index("Maria Petrenko")
    assert len(emoji.text[:start].encode("utf-16-le")) // 2 != start  # astral characters before it
    assert f"\tActor {start} {start + 14}\tMaria Petrenko\n" in ann
    assert "\tactor_type T" in ann and " state_authority\n" in ann
    assert "\tuncertain T" in ann and "\tAnnotatorNotes T" in ann
    assert "\tsaid_by Arg1:T" in ann
    headline = next(line for line in ann.splitlines() if "\tClaim " in line)
    assert ";" in headline  # the span over a blank line is written as fragments
    conf = (folder / "annotation.conf").read_text(encoding="utf-8")
    sections = conf.split("[")
    assert "entities]\nActor\nClaim\nCoercion\n" in conf
    assert "said_by\tArg1:Claim, Arg2:Actor" in conf
    assert "stage\tArg:Coercion, Value:threatened|carried_out" in conf
    assert len(sections) == 5
    visual = (folder / "visual.conf").read_text(encoding="utf-8")
    assert "Actor\tbgColor:#56B4E9" in visual and "Coercion\tbgColor:#CC79A7" in visual


def test_brat_round_trip_of_the_sample_into_a_fresh_copy(coded: Project, tmp_path: Path) -> None:
    export_project(coded, tmp_path / "brat", format="brat", coder="ben")
    assert brat_check(tmp_path / "brat") == 13
    with create_project(tmp_path / "fresh.loupe") as fresh:
        import_articles(fresh, [sample_dir()], model=NO_MODEL)
        import_annotations(fresh, tmp_path / "brat", coder="ben", format="brat")
        assert coding_of(fresh, "ben") == coding_of(coded, "ben")
        again = import_annotations(fresh, tmp_path / "brat", coder="ben", format="brat")
        assert (again.annotations, again.relations, again.already_present) == (0, 0, 13)


CUSTOM_CODEBOOK = """
name: Custom
version: "2"
span_labels:
  - name: Named-actor
    key: a
    color: "#112233"
    attributes:
      - {name: tags, type: multi_choice, options: [{value: urgent}, {value: follow-up}]}
      - {name: armed, type: boolean}
      - {name: age, type: number, min: 0, max: 120}
      - {name: quote, type: text}
      - {name: role, type: single_choice, options: [{value: lead}, {value: other-one}]}
  - name: Event
    key: e
    color: "#445566"
    attributes:
      - {name: role, type: single_choice, options: [{value: cause}, {value: effect}]}
relation_types:
  - name: involves
    source: [Event]
    target: [Named-actor]
    attributes:
      - {name: certainty, type: single_choice, options: [{value: sure}, {value: maybe}]}
questions: []
"""


def test_brat_round_trip_of_every_attribute_type(tmp_path: Path) -> None:
    (tmp_path / "cb.yaml").write_text(CUSTOM_CODEBOOK, encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text("Strike news\n\nAnna Lee (34) led the strike.", encoding="utf-8")
    values = [
        {"tags": ["urgent", "follow-up"], "armed": False, "age": 34,
         "quote": "she said \"no\"\tthen\u2028\u0085next line", "role": "other-one"},
        {"tags": [], "armed": True, "age": 2.5},
    ]
    with create_project(tmp_path / "c.loupe", codebook_path=tmp_path / "cb.yaml") as project:
        import_articles(project, [tmp_path / "src"], model=NO_MODEL)
        (article,) = project.store.articles.list()
        coder = project.store.coders.get_or_create("ana")
        actor = add_annotation(project, article_id=article.id, coder_id=coder.id, label="Named-actor",
                               start=13, end=21, attributes=values[0])
        add_annotation(project, article_id=article.id, coder_id=coder.id, label="Named-actor",
                       start=13, end=17, attributes=values[1])
        event = add_annotation(project, article_id=article.id, coder_id=coder.id, label="Event",
                               start=30, end=36, attributes={"role": "effect"})
        relation = new_relation(article.id, coder.id, "involves", event.id, actor.id)
        apply_edit(project, AddRelation(replace(relation, attributes={"certainty": "maybe"})))
        export_project(project, tmp_path / "brat", format="brat", coder="ana")
        expected = coding_of(project, "ana")
    conf = (tmp_path / "brat" / "annotation.conf").read_text(encoding="utf-8")
    assert "Named-actor" in conf and "tags__follow-up\tArg:Named-actor" in conf
    assert "armed\tArg:Named-actor, Value:true|false" in conf and "Event_role\tArg:Event" in conf
    assert "certainty\tArg:involves, Value:sure|maybe" in conf
    with create_project(tmp_path / "fresh.loupe", codebook_path=tmp_path / "cb.yaml") as fresh:
        import_articles(fresh, [tmp_path / "src"], model=NO_MODEL)
        import_annotations(fresh, tmp_path / "brat", coder="ana", format="brat")
        assert coding_of(fresh, "ana") == expected
        (stored,) = [a for a in fresh.store.annotations.for_article(fresh.store.articles.list()[0].id)
                     if a.end == 21]
        assert stored.attributes == values[0]


def test_import_annotations_refuses_bad_files_and_writes_nothing(coded: Project, tmp_path: Path) -> None:
    export_project(coded, tmp_path / "brat", format="brat", coder="ana")
    folder = tmp_path / "brat"
    stray = folder / "stray.txt"
    stray.write_text("A text that is not in the project.", encoding="utf-8")
    (folder / "stray.ann").write_text("T1\tActor 0 1\tA\n", encoding="utf-8")
    before = coded.store.counts()
    with pytest.raises(ImportFormatError, match=r"stray\.ann matches no article"):
        import_annotations(coded, folder, coder="cy", format="brat")
    report = import_annotations(coded, folder, coder="cy", format="brat", skip_unmatched=True)
    assert report.skipped == ["stray.ann"] and report.annotations == 12
    (folder / "stray.ann").unlink()
    stray.unlink()
    ann = next(folder.glob("*.ann"))
    ann.write_text(ann.read_text(encoding="utf-8").replace("\tActor ", "\tVillain ", 1), encoding="utf-8")
    with pytest.raises(ImportFormatError, match="Villain, not a span label"):
        import_annotations(coded, folder, coder="dee", format="brat")
    ann.write_text("T1\tActor 0 4\tWXYZ\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="not the text at its offsets"):
        import_annotations(coded, folder, coder="dee", format="brat")
    assert coded.store.counts().annotations == before.annotations + 12
    assert coded.store.coders.find("dee") is None


def test_docbin_keeps_every_span_exactly(tmp_path: Path) -> None:
    with unicode_project(tmp_path / "u.loupe", tmp_path / "src") as project:
        report = export_project(project, tmp_path / "u.spacy", coder="ana")
        assert report.format == "docbin" and report.annotations == len(UNICODE_SPANS)
        articles = {a.id: a for a in project.store.articles.list()}
        stored = {
            a.id: {(s.start, s.end, s.label) for s in project.store.annotations.for_article(a.id)}
            for a in articles.values()
        }
    docs = list(DocBin().from_disk(tmp_path / "u.spacy").get_docs(spacy.blank("xx").vocab))
    assert len(docs) == 4
    for doc in docs:
        data = doc.user_data["loupe"]
        article = articles[data["article_id"]]
        assert doc.text == article.text
        spans = {(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]}
        assert spans == stored[article.id]
        ents = [(e.start_char, e.end_char) for e in doc.ents]
        assert all(e1 <= s2 for (_, e1), (s2, _) in zip(ents, ents[1:], strict=False))
        assert {(e.start_char, e.end_char, e.label_) for e in doc.ents} <= spans
        assert {(s["start"], s["end"]) for s in data["spans"]} == {s[:2] for s in spans}
    arabic = next(d for d in docs if "والمدينة" in d.text)
    assert "المدينة" in [t.text for t in arabic] and "Pierre" in [t.text for t in arabic]


def test_docbin_of_the_gold_standard_under_a_named_key(coded: Project, tmp_path: Path) -> None:
    export_project(coded, tmp_path / "gold.spacy", gold=True, span_key="coercion")
    docs = list(DocBin().from_disk(tmp_path / "gold.spacy").get_docs(spacy.blank("en").vocab))
    assert len(docs) == 2 and all(len(d.spans["coercion"]) == 3 for d in docs)
    assert {d.user_data["loupe"]["coder"] for d in docs} == {"gold"}
