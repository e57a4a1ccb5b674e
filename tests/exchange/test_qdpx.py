"""REFI-QDA project exchange (.qdpx): export checked against the published XSD, a round
trip through a fresh project with Cyrillic, Arabic, emoji and combining marks, and real
files of another program (NVivo 12) with nested codes, BOM, CRLF and UTF-16 positions."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree

from app.cli.main import main
from app.core.edits import AddRelation, SetAnswer
from app.core.errors import ImportFormatError
from app.exchange.readers.qdpx import align, read_qdpx
from app.services.editing import add_annotation, apply_edit, new_relation
from app.services.exporting import export_project
from app.services.importing import import_articles, import_qdpx
from app.services.projects import Project, create_project
from app.store.exports import ExportQueries

DATA = Path(__file__).resolve().parents[1] / "data" / "refi"
XSD = DATA / "Project-mrt2019.xsd"
CODEBOOK = DATA / "roundtrip-codebook.yaml"
NVIVO = DATA / "nvivo12-excerpt.qdpx"
NO_MODEL = "no_such_pipeline_xyz"
NS = "{urn:QDA-XML:project:1.0}"

TEXTS = [
    "Мобилизация в Бурятии\n\nВоенкомат вручил повестку Ивану Петрову 🪖 у метро.",
    "تجنيد قسري في الرقة\n\nقال أحمد إن الشرطة 👮🏽\u200d♂️ هددته بالترحيل.",
    "Cafe\u0301 owners 👩‍👩‍👧 and Zoe\u0308\r\n\r\nThe na\u0131\u0308ve re\u0301sume\u0301 of a 🇺🇦 recruit.",
]


def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def _write_texts(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for number, text in enumerate(TEXTS):
        path = folder / f"a{number}.txt"
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def _find(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def _coded(tmp_path: Path) -> Project:
    project = create_project(tmp_path / "source.loupe", codebook_path=CODEBOOK)
    import_articles(project, _write_texts(tmp_path / "texts"), model=NO_MODEL)
    ana = project.store.coders.get_or_create("ana")
    ben = project.store.coders.get_or_create("Бен ☃")
    pieces = [("Ивану Петрову 🪖", "Военкомат"), ("أحمد", "الشرطة 👮🏽\u200d♂️"), ("Zoe\u0308", "re\u0301sume\u0301")]
    for article, (actor_text, other_text) in zip(project.store.articles.list(), pieces, strict=True):
        for coder, variant in ((ana, 0), (ben, 1)):
            start, end = _find(article.text, actor_text)
            actor = add_annotation(
                project, article_id=article.id, coder_id=coder.id, label="Actor", start=start, end=end,
                attributes={"kind": "person", "tags": ["named", "b-2"][: variant + 1], "armed": bool(variant),
                            "alias": "«Ваня»\nline two ☃", "age": 34.5 if variant else 34},
                note="проверить имя\nملاحظة 😀" if variant else "", uncertain=bool(variant),
            )
            start, end = _find(article.text, other_text)
            other = add_annotation(
                project, article_id=article.id, coder_id=coder.id, label="Actor", start=start, end=end,
                attributes={"kind": "group"},
            )
            claim = add_annotation(
                project, article_id=article.id, coder_id=coder.id, label="Claim", start=0,
                end=article.text.index("\n"),
            )
            said = dataclasses.replace(
                new_relation(article.id, coder.id, "said_by", claim.id, actor.id),
                attributes={"certainty": "high", "quote": "«да»\n😀"},
            )
            apply_edit(project, AddRelation(said))
            apply_edit(project, AddRelation(new_relation(article.id, coder.id, "same_as", other.id, actor.id)))
            for question, value in (("relevance", "yes"), ("topics", ["war", "law_order"][: variant + 1]),
                                    ("tone", "negative"), ("comment", f"Комментарий {variant}\nعربي 🇺🇦")):
                apply_edit(project, SetAnswer(article.id, coder.id, question, value))
    return project


def _dump(project: Project) -> dict[str, list]:
    """Every live annotation, relation and answer, by article text and coder name."""
    queries = ExportQueries(project.store.engine)
    names = {c.id: c.name for c in project.store.coders.list()}
    texts = {a.id: a.text for a in project.store.articles.list()}
    ids = list(texts)
    spans = {}
    for a in queries.annotations(ids, None):
        spans[a.id] = (texts[a.article_id], names[a.coder_id], a.label, a.start, a.end,
                       sorted(a.attributes.items()), a.note, a.uncertain)
    relations = sorted(
        (r.label, spans[r.source_id], spans[r.target_id], sorted(r.attributes.items()))
        for r, _s, _t in queries.relations(ids, None)
    )
    answers = sorted(
        (texts[article], names[coder], question, repr(answer.value))
        for (article, coder), given in queries.answers(ids, None).items()
        for question, answer in given.items()
    )
    return {"spans": sorted(spans.values(), key=repr), "relations": sorted(relations, key=repr), "answers": answers}


@pytest.fixture
def coded(tmp_path: Path) -> Project:
    project = _coded(tmp_path)
    yield project
    project.close()


def test_export_is_valid_refi_qda_with_code_point_positions(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    report = export_project(coded, out)
    assert report.format == "qdpx"
    with zipfile.ZipFile(out) as archive:
        qde = archive.read("project.qde")
        root = etree.fromstring(qde)
        schema = _schema()
        assert schema.validate(root), schema.error_log
        sources = root.findall(f"{NS}Sources/{NS}TextSource")
        assert len(sources) == 3
        for source in sources:
            path = source.get("plainTextPath")
            assert path == f"internal://{source.get('guid')}.txt"
            text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
            assert not text.startswith("\ufeff")
            for selection in source.findall(f"{NS}PlainTextSelection"):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                # code points of the stored text: the quoted name is the text there
                assert " ".join(text[start:end].split()).startswith(selection.get("name").rstrip("…"))
    users = {u.get("name") for u in root.iterfind(f"{NS}Users/{NS}User")}
    assert users == {"ana", "Бен ☃"}
    codes = {"/".join(c.get("name") for c in [*code.iterancestors(f"{NS}Code")][::-1] + [code])
             for code in root.iter(f"{NS}Code")}
    assert {"Actor", "Actor/kind/person", "Actor/tags/b-2", "Actor/armed/true", "Claim"} <= codes
    assert "Actor/alias" not in codes  # text attributes travel in notes
    assert len(root.findall(f"{NS}Links/{NS}Link")) == 12
    variables = {v.get("name") for v in root.iterfind(f"{NS}Variables/{NS}Variable")}
    assert "relevance [Бен ☃]" in variables


def test_round_trip_into_a_fresh_project_loses_and_moves_nothing(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    export_project(coded, out)
    fresh = create_project(tmp_path / "fresh.loupe", codebook_path=CODEBOOK)
    report = import_qdpx(fresh, out, model=NO_MODEL)
    before, after = _dump(coded), _dump(fresh)
    assert (len(before["spans"]), len(before["relations"]), len(before["answers"])) == (18, 12, 24)
    assert report.new_articles == 3 and report.annotations == 18 and report.relations == 12
    assert report.answers == 24 and report.skipped == []
    assert after == before
    fresh.close()


def test_import_twice_and_into_the_same_project_adds_nothing(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    export_project(coded, out)
    before = _dump(coded)
    again = import_qdpx(coded, out, model=NO_MODEL)
    assert again.matched_articles == 3 and again.new_articles == 0
    assert again.annotations == 0 and again.already_present == 18 and again.relations == 0
    assert _dump(coded) == before
    assert len(coded.store.articles.list()) == 3


def test_named_coder_takes_the_spans_onto_existing_articles(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "ana.qdpx"
    export_project(coded, out, coder="ana")
    other = create_project(tmp_path / "other.loupe", codebook_path=CODEBOOK)
    import_articles(other, _write_texts(tmp_path / "again"), model=NO_MODEL)  # same texts, via loupe import
    report = import_qdpx(other, out, coder="carla", model=NO_MODEL)
    assert report.matched_articles == 3 and report.new_articles == 0
    assert report.coders == ["carla"] and report.annotations == 9
    ana = [s[2:] for s in _dump(coded)["spans"] if s[1] == "ana"]
    carla = [s[2:] for s in _dump(other)["spans"] if s[1] == "carla"]
    assert sorted(carla, key=repr) == sorted(ana, key=repr)
    other.close()


def test_cli_export_and_import(coded: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "source.loupe"
    coded.close()
    out = tmp_path / "cli.qdpx"
    assert main(["export", str(path), str(out)]) == 0
    assert main(["new", str(tmp_path / "cli.loupe"), "--codebook", str(CODEBOOK)]) == 0
    capsys.readouterr()
    assert main(["import", str(tmp_path / "cli.loupe"), str(out), "--model", NO_MODEL]) == 0
    printed = capsys.readouterr().out
    assert "Imported 3 articles" in printed and "18 annotations of the coders of the file" in printed


# -- files of other programs ------------------------------------------------------------


def test_nvivo_codes_not_in_the_codebook_are_refused_and_listed(tmp_path: Path) -> None:
    project = create_project(tmp_path / "p.loupe")
    with pytest.raises(ImportFormatError) as caught:
        import_qdpx(project, NVIVO, model=NO_MODEL)
    message = caught.value.message
    assert message.startswith("nvivo12-excerpt.qdpx uses 18 codes that are neither")
    assert "'Attituderoots/911. Reactance/Resisting coercion' (6 selections, as label resisting_coercion)" in message
    assert "'2. Attitűd szint az oltáshoz/piros' (1 selection, as label piros)" in message
    assert project.store.articles.list() == []
    project.close()


def _nvivo_codebook(tmp_path: Path) -> Path:
    doc = read_qdpx(NVIVO, max_bytes=10**8)
    used = sorted({doc.codes[g].name for s in doc.sources for sel in s.selections for g, _ in sel.codings})
    from app.core.names import name_key

    labels = [{"name": name_key(n), "key": "abcdefghijklmnopqrstuvwxyz"[i], "color": "#336699"} for i, n in enumerate(used)]
    path = tmp_path / "nvivo.yaml"
    path.write_text(yaml.safe_dump({"name": "NVivo codes", "version": "1", "span_labels": labels}), "utf-8")
    return path


def test_nvivo_file_imports_with_utf16_positions_bom_and_crlf(tmp_path: Path) -> None:
    project = create_project(tmp_path / "p.loupe", codebook_path=_nvivo_codebook(tmp_path))
    report = import_qdpx(project, NVIVO, model=NO_MODEL)
    assert (report.sources, report.new_articles, report.selections, report.annotations) == (1, 1, 26, 26)
    assert report.coders == ["Gergo"]
    # the quoted text, read from the raw file as NVivo counts (UTF-16 units of the text after the BOM)
    with zipfile.ZipFile(NVIVO) as archive:
        qde = etree.fromstring(archive.read("project.qde"))
        raw = next(archive.read(n) for n in archive.namelist() if n.endswith(".txt"))
    units = raw[3:].decode("utf-8").encode("utf-16-le")
    expected = sorted(
        units[2 * int(s.get("startPosition")) : 2 * int(s.get("endPosition"))].decode("utf-16-le").replace("\r\n", "\n")
        for s in qde.iter(f"{NS}PlainTextSelection")
    )
    [article] = project.store.articles.list()
    assert "\r" not in article.text and not article.text.startswith("\ufeff")
    got = sorted(article.text[a.start : a.end] for a in ExportQueries(project.store.engine).annotations([article.id], None))
    assert got == expected
    # emoji before most selections: counted as code points, every one would have moved
    assert sum(ord(c) > 0xFFFF for c in article.text) == 5
    project.close()


def _variant(tmp_path: Path, change: dict[str, bytes | None], qde_edit=None) -> Path:
    """A copy of the NVivo excerpt with entries replaced (None removes one)."""
    out = tmp_path / "variant.qdpx"
    with zipfile.ZipFile(NVIVO) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "project.qde" and qde_edit is not None:
                data = qde_edit(data)
            if name in change:
                data = change[name]
                if data is None:
                    continue
            target.writestr(name, data)
    return out


def test_empty_txt_with_a_docx_beside_it_is_skipped_and_said(tmp_path: Path) -> None:
    with zipfile.ZipFile(NVIVO) as archive:
        txt = next(n for n in archive.namelist() if n.endswith(".txt"))
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as word:
        word.writestr("[Content_Types].xml", "<Types/>")
    path = _variant(tmp_path, {txt: b"\xef\xbb\xbf", txt[:-4] + ".docx": docx.getvalue()})
    project = create_project(tmp_path / "p.loupe")
    report = import_qdpx(project, path, model=NO_MODEL)
    assert report.sources == 0 and report.annotations == 0
    assert report.skipped == [
        "variant.qdpx: source 'videos_10_selected': its plain text is empty or missing "
        "(only .docx beside it, which is not read); 26 selections skipped."
    ]
    project.close()


def test_selection_with_several_codes_becomes_one_annotation_per_label(tmp_path: Path) -> None:
    """QualCoder and ATLAS.ti put several codings on one selection; codes may be nested."""
    qde = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="QualCoder 3.5">
<Users><User guid="11111111-1111-1111-1111-111111111111" name="dana"/></Users>
<CodeBook><Codes>
 <Code guid="22222222-2222-2222-2222-222222222222" name="Folder" isCodable="false">
  <Code guid="33333333-3333-3333-3333-333333333333" name="actor" isCodable="true">
   <Code guid="44444444-4444-4444-4444-444444444444" name="Kind" isCodable="false">
    <Code guid="55555555-5555-5555-5555-555555555555" name="group" isCodable="true"/></Code></Code>
  <Code guid="66666666-6666-6666-6666-666666666666" name="Claim" isCodable="true"/>
 </Code></Codes></CodeBook>
<Sources><TextSource guid="77777777-7777-7777-7777-777777777777" name="a.txt"
  plainTextPath="internal://77777777-7777-7777-7777-777777777777.txt">
 <PlainTextSelection guid="88888888-8888-8888-8888-888888888888" startPosition="0" endPosition="8"
   creatingUser="11111111-1111-1111-1111-111111111111">
  <Description>a comment</Description>
  <Coding guid="99999999-9999-9999-9999-999999999999"><CodeRef targetGUID="33333333-3333-3333-3333-333333333333"/></Coding>
  <Coding guid="aaaaaaaa-9999-9999-9999-999999999999"><CodeRef targetGUID="{55555555-5555-5555-5555-555555555555}"/></Coding>
  <Coding guid="bbbbbbbb-9999-9999-9999-999999999999"><CodeRef targetGUID="66666666-6666-6666-6666-666666666666"/></Coding>
 </PlainTextSelection></TextSource></Sources></Project>"""
    path = tmp_path / "qc.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/77777777-7777-7777-7777-777777777777.txt", "Ваш 😀 штаб\nтекст\n")
    project = create_project(tmp_path / "p.loupe", codebook_path=CODEBOOK)
    report = import_qdpx(project, path, model=NO_MODEL)
    assert report.annotations == 2 and report.coders == ["dana"]
    spans = sorted(s[2:] for s in _dump(project)["spans"])
    assert spans == [
        ("Actor", 0, 8, [("kind", "group")], "a comment", False),
        ("Claim", 0, 8, [], "a comment", False),
    ]
    project.close()


def test_align_moves_offsets_over_changed_white_space() -> None:
    raw, stored = "  Title\r\nBody text\r\n\r\n", "Title\n\nBody text"
    starts, ends = align(raw, stored)
    assert stored[starts[2] : ends[7]] == "Title"
    assert stored[starts[9] : ends[18]] == "Body text"
    assert stored[starts[0] : ends[len(raw)]] == stored
    assert align("abc", "abd") is None
