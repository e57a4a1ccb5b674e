"""The Excel export opened by another program: LibreOffice converts every sheet to CSV
and the Annotations values must come back unchanged (Cyrillic, emoji, Arabic, text that
looks like a formula, line breaks). The CI installs LibreOffice (``bootstrap.py test``
as root); without ``soffice`` the test is skipped."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from app.services.editing import add_annotation
from app.services.exporting import export_project
from app.services.importing import import_articles
from app.services.projects import create_project
from tests.export_fixtures import NO_MODEL

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
#: Comma, double quote, UTF-8 (76), from line 1, language default, quoted fields not
#: forced to text, detect numbers, raw (not "as shown") values, no formulas, keep
#: spaces, every sheet (-1: one file per sheet, LibreOffice 7.2 and later).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
TEXTS = {
    "ru": "Мобилизация в Кирьске\n\nМария Петренко сказала, что 40 мужчин подписали контракты.",
    "emoji": "Recruits 🙂 speak\n\n👩‍⚖️ Judge 🇺🇦 Maria Petrenko met Zoe\u0301 in Kyiv.",
    "ar": "تجنيد قسري\n\nوصل محمد عبد الله إلى دمشق يوم الثلاثاء.",
    "risky": "=1+1 was in the headline\n\n@SUM(A1) and -5 and +7 appear in the body.",
}
NOTES = ["=HYPERLINK(\"http://example.org\",\"x\")", "-5", "+7", "@SUM(A1)", "\t=1+1", "Заметка 🙂", "ملاحظة"]


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; "
                       "install libreoffice-calc-nogui to run this check"),
]


def test_libreoffice_reads_the_annotations_back_unchanged(tmp_path: Path) -> None:
    for name, text in TEXTS.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    with create_project(tmp_path / "p.loupe") as project:
        import_articles(project, sorted(tmp_path.glob("*.txt")), model=NO_MODEL)
        coder = project.store.coders.get_or_create("Ана")
        for n, article in enumerate(project.store.articles.list()):
            words = list(re.finditer(r"\w+", article.text))
            for k, word in enumerate(words[:: max(1, len(words) // 3)]):
                add_annotation(project, article_id=article.id, coder_id=coder.id, label="Actor",
                               start=word.start(), end=word.end(), note=NOTES[(n + k) % len(NOTES)])
            add_annotation(project, article_id=article.id, coder_id=coder.id, label="Claim",
                           start=0, end=len(article.text), uncertain=True)  # spans a blank line
        export_project(project, tmp_path / "coding.xlsx")
    expected = list(openpyxl.load_workbook(tmp_path / "coding.xlsx")["Annotations"].iter_rows(values_only=True))
    assert len(expected) > 12

    out = tmp_path / "csv"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", CSV_FILTER, "--outdir", str(out), str(tmp_path / "coding.xlsx")],
        capture_output=True, text=True, timeout=180,
    )
    sheet = out / "coding-Annotations.csv"
    assert sheet.is_file(), result.stdout + result.stderr
    assert (out / "coding-Summary.csv").is_file() and (out / "coding-Codebook.csv").is_file()
    with sheet.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = list(expected[0])
    assert rows[0] == header
    assert len(rows) == len(expected)
    dates = {header.index("Created (UTC)"), header.index("Updated (UTC)")}
    for theirs, ours in zip(rows[1:], expected[1:], strict=True):
        for index, (got, value) in enumerate(zip(theirs, ours, strict=True)):
            if index in dates:
                assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", got), got
            elif isinstance(value, bool):
                assert got == str(value).upper()
            else:
                assert got == ("" if value is None else str(value)), (header[index], got, value)
    values = {cell for row in rows for cell in row}
    assert "Ана" in values
    assert set(NOTES) <= values  # not one of them was evaluated as a formula
    assert set(TEXTS.values()) <= values  # the whole-text spans, line breaks kept
