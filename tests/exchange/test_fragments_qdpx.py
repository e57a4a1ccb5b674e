"""REFI-QDA and discontinuous spans: the export writes one PlainTextSelection per
fragment (coded alike, named "… (fragment k of n)", tied by their descriptions), never
one selection stretched over the gap; Loupe reads its own file's set back as one
annotation with those fragments, and another program's selections one by one."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from app.core.edits import AddRelation
from app.services.editing import add_annotation, apply_edit, new_relation
from app.services.exporting import export_project
from app.services.importing import import_articles, import_qdpx
from app.services.projects import Project, create_project
from tests.exchange.test_qdpx import NS, XSD

NO_MODEL = "no_such_pipeline_xyz"
TEXT = "Recruits coerced\n\n🙂 Officers, the report says, threatened them with deportation, said Anton Korolev."


def part(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


SPLIT = (part("Officers"), part("threatened them"))
ACTOR = (part("Anton"), part("Korolev"))


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text(TEXT, encoding="utf-8")
    with create_project(tmp_path / "p.loupe") as opened:
        import_articles(opened, [tmp_path / "src" / "a.txt"], model=NO_MODEL)
        article = opened.store.articles.list()[0]
        ana = opened.store.coders.get_or_create("ana").id
        claim = add_annotation(opened, article_id=article.id, coder_id=ana, label="Claim",
                               start=SPLIT[0][0], end=SPLIT[1][1], fragments=SPLIT,
                               note="the aside is left out", uncertain=True)
        actor = add_annotation(opened, article_id=article.id, coder_id=ana, label="Actor",
                               start=ACTOR[0][0], end=ACTOR[1][1], fragments=ACTOR)
        add_annotation(opened, article_id=article.id, coder_id=ana, label="Actor",
                       start=part("Officers")[0], end=part("Officers")[1])
        apply_edit(opened, AddRelation(new_relation(article.id, ana, "said_by", claim.id, actor.id)))
        yield opened


def spans_of(project: Project) -> set[tuple]:
    article = project.store.articles.list()[0]
    return {
        (a.label, a.start, a.end, a.fragments, a.note, a.uncertain)
        for a in project.store.annotations.for_article(article.id)
    }


def relations_of(project: Project) -> set[tuple]:
    article = project.store.articles.list()[0]
    spans = {a.id: (a.label, a.fragments) for a in project.store.annotations.for_article(article.id)}
    return {(r.label, spans[r.source_id], spans[r.target_id]) for r in project.store.relations.for_article(article.id)}


def test_each_fragment_is_a_selection_of_its_own(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    export_project(project, out)
    with zipfile.ZipFile(out) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(root), schema.error_log
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{NS}Code")}
    selections = [
        (int(s.get("startPosition")), int(s.get("endPosition")), s.get("name"),
         sorted(codes[r.get("targetGUID")] for r in s.iter(f"{NS}CodeRef")), s.get("guid"),
         s.findtext(f"{NS}Description"))
        for s in root.iter(f"{NS}PlainTextSelection")
    ]
    claims = [s for s in selections if "Claim" in s[3]]
    assert [(start, end) for start, end, *_ in claims] == list(SPLIT)  # never the envelope
    assert [name for _, _, name, *_ in claims] == ["Officers (fragment 1 of 2)", "threatened them (fragment 2 of 2)"]
    assert all(c[3] == ["Claim", "uncertain (Loupe)"] for c in claims)
    first_guid = claims[0][4]
    assert all(first_guid in description for *_, description in claims)
    # The relation's link starts at the span's first fragment.
    (link,) = root.iter(f"{NS}Link")
    assert link.get("originGUID") == first_guid
    assert {(start, end) for start, end, *_ in selections} == {*SPLIT, *ACTOR, part("Officers")}


def test_round_trip_reads_the_fragments_back_as_one_span(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    export_project(project, out)
    with create_project(tmp_path / "fresh.loupe") as fresh:
        report = import_qdpx(fresh, out, model=NO_MODEL)
        assert report.annotations == 3 and report.relations == 1 and report.skipped == []
        assert spans_of(fresh) == spans_of(project)
        assert relations_of(fresh) == relations_of(project)
    again = import_qdpx(project, out, model=NO_MODEL)
    assert again.annotations == 0 and again.already_present == 3 and again.relations == 0


def test_another_programs_selections_stay_apart(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    export_project(project, out)
    other = tmp_path / "other.qdpx"
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(other, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "project.qde":
                root = etree.fromstring(data)
                root.set("origin", "QualCoder 3.5")
                data = etree.tostring(root, encoding="utf-8", xml_declaration=True)
            target.writestr(info, data)
    with create_project(tmp_path / "fresh.loupe") as fresh:
        import_qdpx(fresh, other, model=NO_MODEL)
        found = spans_of(fresh)
    assert {(label, start, end, fragments) for label, start, end, fragments, *_ in found} == {
        ("Claim", *SPLIT[0], ()), ("Claim", *SPLIT[1], ()), ("Actor", *ACTOR[0], ()),
        ("Actor", *ACTOR[1], ()), ("Actor", *part("Officers"), ()),
    }


def test_an_incomplete_set_of_fragments_stays_apart(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    export_project(project, out)
    cut = tmp_path / "cut.qdpx"
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(cut, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "project.qde":
                root = etree.fromstring(data)
                second = next(s for s in root.iter(f"{NS}PlainTextSelection")
                              if s.get("name") == "threatened them (fragment 2 of 2)")
                second.getparent().remove(second)
                data = etree.tostring(root, encoding="utf-8", xml_declaration=True)
            target.writestr(info, data)
    with create_project(tmp_path / "fresh.loupe") as fresh:
        import_qdpx(fresh, cut, model=NO_MODEL)
        claims = [s for s in spans_of(fresh) if s[0] == "Claim"]
    assert [(start, end, fragments) for _, start, end, fragments, *_ in claims] == [(*SPLIT[0], ())]
