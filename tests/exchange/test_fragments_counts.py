"""A discontinuous span is one annotation however many fragments it has: the statistics
data set (SPSS/Stata/R), the CSV and Excel tables and the export report count it once."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from app.services.editing import add_annotation
from app.services.exporting import export_project
from app.services.importing import import_articles
from app.services.projects import Project, create_project
from tests.exchange.test_export_statistics import read_r_data
from tests.exchange.test_fragments_relations import ACTOR, NO_MODEL, SPLIT, TEXT


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text(TEXT, encoding="utf-8")
    with create_project(tmp_path / "p.loupe") as opened:
        import_articles(opened, [tmp_path / "src" / "a.txt"], model=NO_MODEL)
        article = opened.store.articles.list()[0]
        ana = opened.store.coders.get_or_create("ana").id
        add_annotation(opened, article_id=article.id, coder_id=ana, label="Claim",
                       start=SPLIT[0][0], end=SPLIT[1][1], fragments=SPLIT)
        add_annotation(opened, article_id=article.id, coder_id=ana, label="Actor",
                       start=ACTOR[0][0], end=ACTOR[1][1], fragments=ACTOR)
        add_annotation(opened, article_id=article.id, coder_id=ana, label="Actor",
                       start=TEXT.index("Officers"), end=TEXT.index("Officers") + len("Officers"))
        yield opened


def test_statistics_count_a_discontinuous_span_once(project: Project, tmp_path: Path) -> None:
    report = export_project(project, tmp_path / "for_r", format="r")
    _, rows = read_r_data(tmp_path / "for_r")
    (ana,) = [r for r in rows if r["coder"] == "ana"]
    assert (ana["n_Claim"], ana["n_Actor"]) == (1, 2)
    assert report.annotations == 3


def test_csv_and_excel_give_a_discontinuous_span_one_row(project: Project, tmp_path: Path) -> None:
    report = export_project(project, tmp_path / "tables", format="csv")
    with (tmp_path / "tables" / "annotations.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["Label"] for r in rows) == ["Actor", "Actor", "Claim"]
    assert report.annotations == 3
    export_project(project, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["Annotations"]
    assert sheet.max_row - 1 == 3
