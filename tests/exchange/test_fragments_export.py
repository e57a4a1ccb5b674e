"""Exports of discontinuous spans: brat fragments (and back with ``loupe import-annotations``),
JSON Lines ``fragments``, doccano one entry per fragment, DocBin fragments in their own
span group (never stretched), Excel text joined by " … " with every fragment's offsets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import spacy
from spacy.tokens import DocBin

from app.cli.main import main
from app.services.editing import add_annotation
from app.services.exporting import export_project
from app.services.importing import import_articles
from app.services.projects import Project, create_project, open_project

NO_MODEL = "no_such_pipeline_xyz"
#: A headline, a blank line, and a body whose claim is split by an aside; emoji before it.
TEXT = "Recruits coerced\n\n🙂 Officers, the report says, threatened them with deportation.\nMore follows."


def part(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


SPLIT = (part("Officers"), part("threatened them"))
#: A second discontinuous span whose second fragment crosses a line break (brat writes
#: it as two runs; read back they are one fragment again).
ACROSS = (part("Recruits"), (part("deportation")[0], part("More")[1]))


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text(TEXT, encoding="utf-8")
    with create_project(tmp_path / "p.loupe") as opened:
        import_articles(opened, [tmp_path / "src" / "a.txt"], model=NO_MODEL)
        article = opened.store.articles.list()[0]
        ana = opened.store.coders.get_or_create("ana").id
        for fragments, label in ((SPLIT, "Claim"), (ACROSS, "Coercion")):
            add_annotation(opened, article_id=article.id, coder_id=ana, label=label,
                           start=fragments[0][0], end=fragments[-1][1], fragments=fragments)
        add_annotation(opened, article_id=article.id, coder_id=ana, label="Actor", start=part("Officers")[0],
                       end=part("Officers")[1])
        yield opened


def spans_of(project: Project, coder: str) -> set[tuple[str, int, int, tuple[tuple[int, int], ...]]]:
    article = project.store.articles.list()[0]
    coder_id = project.store.coders.find(coder).id
    return {(a.label, a.start, a.end, a.fragments) for a in project.store.annotations.for_article(article.id, coder_id)}


def test_brat_writes_fragments_and_import_annotations_reads_them_back(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    export_project(project, tmp_path / "brat", format="brat", coder="ana")
    ann = (tmp_path / "brat" / "a.ann").read_text(encoding="utf-8")
    (o1, o2), (t1, t2) = SPLIT
    assert f"\tClaim {o1} {o2};{t1} {t2}\tOfficers threatened them\n" in ann
    newline = TEXT.index("\nMore")
    (r1, r2), (d1, d2) = ACROSS
    assert f"\tCoercion {r1} {r2};{d1} {newline};{newline + 1} {d2}\tRecruits deportation. More\n" in ann
    expected = spans_of(project, "ana")
    fresh_path = tmp_path / "fresh.loupe"
    with create_project(fresh_path) as fresh:
        import_articles(fresh, [tmp_path / "src" / "a.txt"], model=NO_MODEL)
    assert main(["import-annotations", str(fresh_path), str(tmp_path / "brat"), "--coder", "ben", "--format", "brat"]) == 0
    capsys.readouterr()
    with open_project(fresh_path) as fresh:
        assert spans_of(fresh, "ben") == expected


def test_a_brat_span_with_a_bad_fragment_is_refused(project: Project, tmp_path: Path) -> None:
    from app.core.errors import ImportFormatError
    from app.services.importing import import_annotations

    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (o1, o2), (t1, t2) = SPLIT
    (folder / "a.ann").write_text(f"T1\tClaim {o1} {o2};{o1 + 2} {t2}\n", encoding="utf-8")
    # overlapping runs are one range (brat allows them): read as one contiguous span
    import_annotations(project, folder, coder="cy", format="brat")
    assert spans_of(project, "cy") == {("Claim", o1, t2, ())}
    (folder / "a.ann").write_text(f"T1\tClaim {o1} {o2};{t1} {len(TEXT) + 3}\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="outside the text"):
        import_annotations(project, folder, coder="dee", format="brat")


def test_json_lines_and_doccano_carry_fragments(project: Project, tmp_path: Path) -> None:
    export_project(project, tmp_path / "all.jsonl")
    (line,) = [json.loads(x) for x in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    spans = {s["label"]: s for s in line["coders"][0]["spans"]}
    claim, actor = spans["Claim"], spans["Actor"]
    assert claim["fragments"] == [{"start": s, "end": e, "text": TEXT[s:e]} for s, e in SPLIT]
    assert (claim["start"], claim["end"], claim["text"]) == (SPLIT[0][0], SPLIT[1][1], "Officers … threatened them")
    assert "fragments" not in actor and actor["text"] == "Officers"  # contiguous: as before
    export_project(project, tmp_path / "d.jsonl", format="doccano", coder="ana")
    (doccano,) = [json.loads(x) for x in (tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()]
    claims = [entry for entry in doccano["label"] if entry[2] == "Claim"]
    assert claims == [[s, e, "Claim"] for s, e in SPLIT]  # never the envelope


def test_docbin_keeps_fragments_apart_and_ents_contiguous(project: Project, tmp_path: Path) -> None:
    export_project(project, tmp_path / "train.spacy", coder="ana")
    (doc,) = DocBin().from_disk(tmp_path / "train.spacy").get_docs(spacy.blank("en").vocab)
    assert [(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]] == [(*part("Officers"), "Actor")]
    pieces = [(s.start_char, s.end_char, s.label_) for s in doc.spans["loupe_fragments"]]
    # span by span (in order of their starts), each span's fragments in order
    assert pieces == [(*ACROSS[0], "Coercion"), (*ACROSS[1], "Coercion"), (*SPLIT[0], "Claim"), (*SPLIT[1], "Claim")]
    data = doc.user_data["loupe"]
    ids = {s["label"]: s["id"] for s in data["spans"]}
    assert list(data["fragment_ids"]) == [ids["Coercion"], ids["Coercion"], ids["Claim"], ids["Claim"]]
    claim = next(s for s in data["spans"] if s["label"] == "Claim")
    assert [tuple(f) for f in claim["fragments"]] == list(SPLIT)
    assert [(e.start_char, e.end_char) for e in doc.ents] == [part("Officers")]


def test_excel_joins_the_fragments_text_and_lists_their_offsets(project: Project, tmp_path: Path) -> None:
    export_project(project, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["Annotations"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    by_label = {row["Label"]: row for row in rows}
    claim = by_label["Claim"]
    assert claim["Text"] == "Officers … threatened them"
    assert (claim["Start"], claim["End"]) == (SPLIT[0][0], SPLIT[1][1])
    assert claim["Fragments"] == f"{SPLIT[0][0]}-{SPLIT[0][1]}; {SPLIT[1][0]}-{SPLIT[1][1]}"
    assert by_label["Actor"]["Text"] == "Officers" and by_label["Actor"]["Fragments"] in (None, "")
