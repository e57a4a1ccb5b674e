"""Texts are stored as read: a .txt is decoded, its line ends become ``\\n`` and its byte
order mark goes, nothing else; a separate title goes first only when the body does not
already begin with it. Third-party offsets (brat .ann beside the .txt, doccano spans)
then fit the stored text."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.articles import text_sha256
from app.core.errors import ImportFormatError
from app.exchange.readers import read_articles
from app.services.importing import import_annotations, import_articles
from app.services.projects import Project, open_project

NO_MODEL = "no_such_pipeline_xyz"

#: Texts ``loupe import`` used to rewrite: trailing newlines and spaces, a headline
#: followed by one newline or by three, leading blank lines, tabs and inner spaces.
EXACT = [
    "Headline\nBody right under the headline.\n",
    "Headline\n\n\nThree newlines after the headline.\n\n\n",
    "Headline  \n\nTrailing spaces on lines   \nand at the end   ",
    "\n\n  Headline after blank lines\n\tindented body\n",
    "Мобилизация 🪖\nТекст e\u0301 с эмодзи 👩‍👩‍👧.\n \n",
    "Only a headline\n",
]


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _only(path: Path):
    (article,) = read_articles(path)
    return article


@pytest.mark.parametrize("text", EXACT)
def test_a_txt_is_stored_exactly_as_read(tmp_path: Path, text: str) -> None:
    article = _only(_write(tmp_path, "a.txt", text))
    assert article.text == text
    assert article.title == text.strip().split("\n")[0].strip()


def test_line_ends_become_newlines_and_nothing_else_changes(tmp_path: Path) -> None:
    article = _only(_write(tmp_path, "crlf.txt", b"Title\r\nline one\r\n\r\nline two\rline three\r\n  "))
    assert article.text == "Title\nline one\n\nline two\nline three\n  "


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_a_byte_order_mark_is_an_encoding_mark_not_text(tmp_path: Path, bom: bytes, encoding: str) -> None:
    text = "Заголовок\nТело статьи.\n"
    article = _only(_write(tmp_path, "bom.txt", bom + text.encode(encoding)))
    assert article.text == text


@pytest.mark.parametrize("data", [b"", b"   ", b"\n\n", b" \r\n\t\n", codecs.BOM_UTF8 + b"\n "])
def test_an_empty_or_blank_txt_is_still_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ImportFormatError, match="^e.txt is empty.$"):
        read_articles(_write(tmp_path, "e.txt", data))


def test_csv_title_goes_first_only_when_the_body_lacks_it_and_the_body_is_kept(tmp_path: Path) -> None:
    data = (
        'title,text\n'
        'The headline,"The headline\nThe body, right under it.\n\n"\n'
        'Another one,"  Body that does not repeat it.  \n"\n'
    )
    first, second = read_articles(_write(tmp_path, "a.csv", data))
    assert first.text == "The headline\nThe body, right under it.\n\n"
    assert second.text == "Another one\n\n  Body that does not repeat it.  \n"


def test_jsonl_body_is_kept_and_spans_at_its_edges_keep_their_place(tmp_path: Path) -> None:
    text = "  Migrants were threatened. \n"
    line = {"text": text, "label": [[0, 2, "Actor"], [2, 10, "Actor"], [27, 29, "Claim"]]}
    article = _only(_write(tmp_path, "d.jsonl", json.dumps(line) + "\n"))
    assert article.text == text
    assert [article.text[s.start : s.end] for s in article.spans] == ["  ", "Migrants", " \n"]
    titled = {"title": "Threats", "text": text, "label": [[2, 10, "Actor"]]}
    article = _only(_write(tmp_path, "t.jsonl", json.dumps(titled) + "\n"))
    assert article.text == "Threats\n\n" + text
    assert [article.text[s.start : s.end] for s in article.spans] == ["Migrants"]


def test_brat_offsets_beside_the_txt_fit_the_imported_text(project: Project, tmp_path: Path) -> None:
    text = "Prisoners sent to the front\nAnton Korolev said 40 men were taken.\n\n\nThe ministry denied it.\n"
    folder = tmp_path / "brat"
    _write(folder, "doc1.txt", text)
    spans = [("Actor", "Anton Korolev"), ("Actor", "The ministry"), ("Claim", "40 men were taken")]
    ann = "".join(
        f"T{n}\t{label} {text.index(part)} {text.index(part) + len(part)}\t{part}\n"
        for n, (label, part) in enumerate(spans, 1)
    )
    _write(folder, "doc1.ann", ann)
    report = import_articles(project, [folder / "doc1.txt"], model=NO_MODEL)
    assert report.imported == 1
    (article,) = project.store.articles.list()
    assert article.text == text and article.text_sha256 == text_sha256(text)
    assert article.title == "Prisoners sent to the front"
    coded = import_annotations(project, folder, coder="ana", format="brat")
    assert coded.annotations == 3 and coded.articles == [article.id]
    stored = {(a.label, article.text[a.start : a.end]) for a in project.store.annotations.for_article(article.id)}
    assert stored == set(spans)


def test_duplicates_are_judged_on_the_stored_text(project: Project, tmp_path: Path) -> None:
    _write(tmp_path / "in", "lf.txt", "Same\nText\n")
    _write(tmp_path / "in", "crlf.txt", b"Same\r\nText\r\n")
    _write(tmp_path / "in", "no-newline.txt", "Same\nText")
    report = import_articles(project, [tmp_path / "in"], model=NO_MODEL)
    assert report.imported == 2
    assert report.duplicates == ["lf.txt: same text as crlf.txt"]
    assert sorted(a.text for a in project.store.articles.list()) == ["Same\nText", "Same\nText\n"]


def test_cli_import_stores_the_file_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.loupe"
    assert main(["new", str(path)]) == 0
    text = "Headline\nBody.\n\n\n  \n"
    _write(tmp_path, "a.txt", text)
    assert main(["import", str(path), str(tmp_path / "a.txt"), "--model", NO_MODEL]) == 0
    with open_project(path) as project:
        (article,) = project.store.articles.list()
    assert article.text == text
