"""The Excel export, read back with openpyxl and checked against the project."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from app.core.errors import LoupeError
from app.exchange.writers.cells import CUT_MARKER, MAX_CELL
from app.services.editing import add_annotation
from app.services.exporting import export_project
from app.services.importing import import_articles
from app.services.progress import OperationCancelled
from app.services.projects import Project
from tests.export_fixtures import NO_MODEL, coded_copy

SHEETS = [
    "Summary", "Annotations", "Relations", "Article answers", "Entities", "Codebook",
    "Agreement", "Agreement per option", "Coder pairs", "Disagreements", "Methods",
]


@pytest.fixture
def coded(tmp_path: Path) -> Iterator[Project]:
    with coded_copy(tmp_path) as project:
        yield project


def records(sheet) -> list[dict]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_every_sheet_has_a_bold_frozen_filtered_header(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "coding.xlsx"
    report = export_project(coded, out, entities=True)
    assert report.sheets == SHEETS
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == SHEETS
    for sheet in book:
        header = next(sheet.iter_rows(max_row=1))
        assert all(cell.font.bold for cell in header), sheet.title
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{header[-1].column_letter}{sheet.max_row}", sheet.title
        for cell in header:  # wide enough for the header, never wider than 60
            width = sheet.column_dimensions[cell.column_letter].width
            assert min(len(cell.value) + 2, 60) <= width <= 60, (sheet.title, cell.value, width)


def test_annotations_sheet_holds_every_live_annotation(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "coding.xlsx"
    export_project(coded, out)
    rows = records(openpyxl.load_workbook(out)["Annotations"])
    names = {c.id: c.name for c in coded.store.coders.list()}
    expected = {}
    for article in coded.store.articles.list():
        for a in coded.store.annotations.for_article(article.id):
            expected[a.id] = (article, names[a.coder_id], a)
    assert sorted(r["Annotation id"] for r in rows) == sorted(expected)
    for row in rows:
        article, coder, a = expected[row["Annotation id"]]
        assert (row["Article id"], row["Title"], row["Coder"], row["Label"]) == (article.id, article.title, coder, a.label)
        assert row["Text"] == article.text[a.start : a.end]
        assert (row["Start"], row["End"]) == (a.start, a.end)
        assert isinstance(row["Start"], int) and isinstance(row["Created (UTC)"], datetime)
        created = datetime.fromisoformat(a.created_at).replace(tzinfo=None)  # stored in UTC
        assert abs(row["Created (UTC)"] - created) < timedelta(milliseconds=2)
        assert row["Text"] in row["Context"].replace("\n", " ") or "\n" in row["Text"]
        assert row["Uncertain"] is a.uncertain
        assert (row["Note"] or "") == a.note
        for name in ("actor_type", "role", "claim_type", "coercion_type", "stage"):
            assert row[name] == a.attributes.get(name)
    # ben's unfinished fifth article counts too (no status filter)
    assert sum(1 for r in rows if r["Coder"] == "ben") == 4 * 3 + 1


def test_relations_answers_entities_codebook_and_summary(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "coding.xlsx"
    export_project(coded, out, entities=True)
    book = openpyxl.load_workbook(out)
    relations = records(book["Relations"])
    assert len(relations) == 4 * 2 + 2
    for row in relations:
        source = coded.store.annotations.get(row["Source id"])
        target = coded.store.annotations.get(row["Target id"])
        assert (row["Relation"], row["Source label"], row["Target label"]) == ("said_by", "Claim", "Actor")
        assert (row["Source start"], row["Target end"]) == (source.start, target.end)
        text = coded.store.articles.get(row["Article id"]).text
        assert row["Target text"] == text[target.start : target.end]
    answers = records(book["Article answers"])
    by_pair = {(r["Article id"], r["Coder"]): r for r in answers}
    assert len(answers) == 4 * 2 + 2 + 1
    articles = coded.store.articles.list()
    assert by_pair[(articles[1].id, "ben")]["relevance"] == "no"
    assert by_pair[(articles[1].id, "ana")]["relevance"] == "yes"
    assert by_pair[(articles[1].id, "ana")]["Status"] == "done"
    assert by_pair[(articles[4].id, "ben")]["Status"] == "in_progress"
    assert by_pair[(articles[4].id, "ben")]["relevance"] is None
    entities = records(book["Entities"])
    assert [(e["Label"], e["Text"], e["Model"]) for e in entities] == [
        (e.label, articles[0].text[e.start : e.end], "test 1.0") for e in coded.store.articles.entities(articles[0].id)
    ]
    codebook = records(book["Codebook"])
    cb = coded.codebook
    options = {(r["Name"], r["Attribute"], r["Option"]): r["Description"] for r in codebook if r["Kind"] == "option"}
    for label in cb.span_labels:
        for attribute in label.attributes:
            for option in attribute.options:
                assert options[(label.name, attribute.name, option.value)] == option.description
    assert {r["Name"] for r in codebook if r["Kind"] == "question"} == {q.name for q in cb.questions}
    summary = {r["Item"]: r["Value"] for r in records(book["Summary"])}
    assert summary["Codebook"] == cb.name and summary["Codebook version"] == cb.version
    assert summary["Articles"] == 10 and summary["Annotations"] == 31 and summary["Relations"] == 10
    assert summary["Annotations: Actor"] == 11 and summary["Annotations: Coercion"] == 10
    assert summary["Articles done: ana"] == 4 and summary["Articles done: gold"] == 2
    assert summary["Coders"] == 3 and summary["Entities"] == 2
    assert isinstance(summary["Exported at (UTC)"], datetime)
    assert isinstance(summary["Loupe version"], str) and summary["Loupe version"]


def test_filters_by_coder_status_and_publication_date(coded: Project, tmp_path: Path) -> None:
    export_project(coded, tmp_path / "ben.xlsx", coder="ben", statuses=["in_progress"])
    rows = records(openpyxl.load_workbook(tmp_path / "ben.xlsx")["Annotations"])
    assert [(r["Coder"], r["Article id"]) for r in rows] == [("ben", coded.store.articles.list()[4].id)]
    export_project(coded, tmp_path / "gold.xlsx", gold=True)
    book = openpyxl.load_workbook(tmp_path / "gold.xlsx")
    assert {r["Coder"] for r in records(book["Annotations"])} == {"gold"}
    assert "gold standard only" in book["Agreement"]["A2"].value
    export_project(coded, tmp_path / "dated.xlsx", date_from=datetime(2024, 1, 1).date())
    dated = openpyxl.load_workbook(tmp_path / "dated.xlsx")
    # the sample articles have no publication date: only the note under the header
    assert dated["Annotations"].max_row == 2
    assert dated["Annotations"]["A2"].value == "No annotations match this export."


def test_agreement_sheets(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "coding.xlsx"
    export_project(coded, out)
    book = openpyxl.load_workbook(out)
    rows = records(book["Agreement"])
    items = {(r["Section"], r["Item"]) for r in rows}
    cb = coded.codebook
    assert {("Article questions", q.name) for q in cb.questions} <= items
    assert {("Spans", label.name) for label in cb.span_labels} <= items
    assert {("Relations", r.name) for r in cb.relation_types} <= items
    for row in rows:
        value = row["Value"]
        expected = "undefined" if value is None else (
            "reliable" if value >= 0.8 else "tentative" if value >= 0.667 else "not reliable"
        )
        if row["Coefficient"]:
            assert row["Reading"] == expected, row
    relevance = next(r for r in rows if r["Item"] == "relevance")
    assert relevance["Reading"] == "not reliable" and relevance["Units"] == 4 and relevance["Coders"] == 2
    assert relevance["95% low"] <= relevance["Value"] <= relevance["95% high"]
    assert book["Agreement"].conditional_formatting  # coloured readings
    with zipfile.ZipFile(out) as archive:
        assert any(name.startswith("xl/charts/chart") for name in archive.namelist())
    pairs = records(book["Coder pairs"])
    kappa = [r for r in pairs if r["Item"] == "relevance" and r["Coefficient"].startswith("Cohen")]
    assert [r["Coder"] for r in kappa] == ["ana", "ben"]
    assert kappa[0]["ana"] is None and kappa[0]["ben"] == kappa[1]["ana"]
    disagreements = records(book["Disagreements"])
    relevance_rows = [r for r in disagreements if r["Item"] == "relevance"]
    assert {(r["Coder"], r["Value"]) for r in relevance_rows} == {("ana", "yes"), ("ben", "no")}


def test_agreement_sheet_says_why_it_is_empty(project: Project, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Headline\n\nBody text.", encoding="utf-8")
    import_articles(project, [tmp_path / "a.txt"], model=NO_MODEL)
    out = tmp_path / "one.xlsx"
    export_project(project, out)
    sheet = openpyxl.load_workbook(out)["Agreement"]
    assert sheet.max_row == 2 and "two or more coders" in sheet["A2"].value


DANGEROUS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1:A2)", "=1+1", "#N/A"]


def _article(project: Project, folder: Path, name: str, text: str) -> str:
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    (article_id,) = import_articles(project, [path], model=NO_MODEL).article_ids
    return article_id


def test_no_cell_ever_becomes_a_formula(project: Project, tmp_path: Path) -> None:
    coder = project.store.coders.get_or_create("=cmd|' /C calc'!A0")
    for n, headline in enumerate(DANGEROUS):
        article_id = _article(project, tmp_path, f"d{n}", f"{headline}\n\n{headline} in the body.")
        for note in ("\t=1+1", "\r=1+1", "=2*3"):
            add_annotation(project, article_id=article_id, coder_id=coder.id, label="Claim",
                           start=0, end=len(headline), note=note)
    out = tmp_path / "risky.xlsx"
    export_project(project, out)
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml and 't="e"' not in xml, name
    book = openpyxl.load_workbook(out)
    seen = set()
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
    assert set(DANGEROUS) <= seen and {"\t=1+1", "=2*3", "=cmd|' /C calc'!A0"} <= seen


def test_huge_spans_and_control_characters_give_a_workbook_that_reopens(project: Project, tmp_path: Path) -> None:
    body = "Мария 🙂 " + "x" * 40_000 + " end."
    article_id = _article(project, tmp_path, "long", f"Long one\n\n{body}")
    coder = project.store.coders.get_or_create("ana")
    start = len("Long one\n\n")
    add_annotation(project, article_id=article_id, coder_id=coder.id, label="Claim",
                   start=start, end=start + 32_768, note="bell\x07 and \x01 nul\x00 end\x1f")
    out = tmp_path / "long.xlsx"
    export_project(project, out)
    (row,) = records(openpyxl.load_workbook(out)["Annotations"])
    assert row["Text"].endswith(CUT_MARKER) and row["Text"].startswith("Мария 🙂 xxx")
    assert len(row["Text"].encode("utf-16-le")) // 2 <= MAX_CELL
    assert row["Context"].endswith(CUT_MARKER)
    assert row["Note"] == "bell\ufffd and \ufffd nul\ufffd end\ufffd"  # replaced one for one
    assert row["End"] - row["Start"] == 32_768


def test_rows_past_the_sheet_limit_continue_on_a_second_sheet(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "split.xlsx"
    report = export_project(coded, out, max_sheet_rows=13)
    first = report.sheets.index("Annotations")
    assert report.sheets[first : first + 4] == ["Annotations", "Annotations (2)", "Annotations (3)", "Relations"]
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == report.sheets
    parts = [records(book[name]) for name in report.sheets[first : first + 3]]
    assert [len(p) for p in parts] == [12, 12, 7]
    assert next(book["Annotations (2)"].iter_rows(max_row=1))[0].font.bold
    assert len({r["Annotation id"] for p in parts for r in p}) == 31


def test_a_cancelled_export_writes_nothing(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "cancelled.xlsx"
    calls = iter(range(1000))
    with pytest.raises(OperationCancelled):
        export_project(coded, out, cancelled=lambda: next(calls) > 0)
    assert not out.exists() and not any(p.name.endswith(".partial") for p in tmp_path.iterdir())
    out.write_bytes(b"previous export")
    with pytest.raises(LoupeError):
        export_project(coded, out, coder="nobody")
    assert out.read_bytes() == b"previous export"


@pytest.fixture
def perfect(tmp_path: Path) -> Iterator[Project]:
    """ana and ben agree on every relevance answer (yes, no, yes, no) but never on an
    Actor span; gold (adjudicator) coded the first article."""
    from app.core.edits import SetAnswer
    from app.paths import sample_dir
    from app.services.editing import apply_edit
    from app.services.projects import create_project
    from tests.export_fixtures import code_article

    project = create_project(tmp_path / "perfect.loupe")
    import_articles(project, [sample_dir()], model=NO_MODEL)
    articles = project.store.articles.list()[:4]
    ana = project.store.coders.get_or_create("ana")
    ben = project.store.coders.get_or_create("ben")
    gold = project.store.coders.get_or_create("gold", role="adjudicator")
    for index, article in enumerate(articles):
        code_article(project, article, ana.id)
        code_article(project, article, ben.id, variant=1)
        for coder in (ana, ben):
            apply_edit(project, SetAnswer(article.id, coder.id, "relevance", "yes" if index % 2 else "no"))
    code_article(project, articles[0], gold.id)
    yield project
    project.close()


def test_agreement_sheet_a_lead_can_publish(perfect: Project, tmp_path: Path) -> None:
    out = tmp_path / "agreement.xlsx"
    export_project(perfect, out)
    book = openpyxl.load_workbook(out)
    sheet = book["Agreement"]
    rows = records(sheet)
    actor = next(r for r in rows if r["Item"] == "Actor")
    assert actor["F1 (exact)"] == 0 and actor["F1 (overlap)"] == 0  # 0 is 0, not an empty cell
    relevance = next(r for r in rows if r["Item"] == "relevance")
    assert relevance["Value"] == 1 and relevance["Reading"] == "reliable"
    assert relevance["95% low"] < 1
    assert "KALPHA" in relevance["Note"] and "too few" in relevance["Note"]
    assert all("-0.000" not in (r["Other figures"] or "") for r in rows)
    header = [c.value for c in sheet[1]]
    for name in ("Value", "95% low", "95% high", "Percent agreement", "F1 (exact)"):
        cells = [row[header.index(name)] for row in sheet.iter_rows(min_row=2) if row[header.index(name)].value is not None]
        assert cells and all(c.number_format == "0.000" for c in cells), name
    annotations = records(book["Annotations"])
    roles = {(r["Coder"], r["Role"]) for r in annotations}
    assert roles == {("ana", "coder"), ("ben", "coder"), ("gold", "adjudicator")}
    assert {r["Role"] for r in records(book["Relations"])} == {"coder", "adjudicator"}
    from app.services.exporting.agreement import _number, _three

    assert _three(-1e-17) == "0.000" and _number(-1e-17) == 0  # Fleiss' kappa was "-0.000"


def test_agreement_chart_and_table_share_one_colour_scheme(coded: Project, tmp_path: Path) -> None:
    import re

    from app.exchange.writers.xlsx import BAND_COLORS, BAND_FILLS
    from app.services.exporting import READING_COLORS, reading

    order = ("reliable", "tentative", "not reliable")
    assert [READING_COLORS[r][0].lstrip("#").upper() for r in order] == list(BAND_FILLS)
    assert [READING_COLORS[r][1].lstrip("#").upper() for r in order] == list(BAND_COLORS)
    out = tmp_path / "coding.xlsx"
    export_project(coded, out)
    rows = records(openpyxl.load_workbook(out)["Agreement"])
    spans = [r for r in rows if r["Section"] == "Spans" and r["Item"] != "All labels"]
    with zipfile.ZipFile(out) as archive:
        chart = next(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart"))
    points = dict(re.findall(r'<(?:c:)?dPt><(?:c:)?idx val="(\d+)"/>.*?<a:srgbClr val="([0-9A-F]{6})"', chart))
    assert len(points) == len(spans)
    for index, row in enumerate(spans):
        assert points[str(index)] == READING_COLORS[reading(row["Value"])][1].lstrip("#").upper(), row["Item"]
