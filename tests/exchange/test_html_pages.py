"""Real news pages (trafilatura's evaluation set, see tests/data/web/README.md).

What an imported web page must keep: the article's key sentences, its headline once and
without the site name, the publication date, the language, and the page's own encoding
even when one byte of it is invalid (one U+FFFD, said in the import report).
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from app.core.articles import ImportedArticle
from app.exchange.readers import read_articles
from app.exchange.readers.html import read_html

WEB = Path(__file__).resolve().parents[1] / "data" / "web"
PAGES: list[dict] = json.loads((WEB / "expected.json").read_text(encoding="utf-8"))
#: The page shows its date only as "[06月24日 11時30分]"; htmldate finds 2019-06-19.
DATE_NOT_FOUND = {"nhk.or.jp.k100.html"}


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="module")
def articles() -> dict[str, ImportedArticle]:
    return {page["file"]: read_articles(WEB / page["file"])[0] for page in PAGES}


def _mismatches(found: dict[str, object], expected: dict[str, object]) -> dict[str, object]:
    return {
        name: f"{found[name]!r} (expected {expected[name]!r})"
        for name in expected
        if found[name] != expected[name]
    }


def test_main_text_has_the_key_sentences_and_begins_with_the_headline_once(articles):
    problems = []
    for page in PAGES:
        article = articles[page["file"]]
        text = _norm(article.text)
        lost = [sentence for sentence in page["with"] if _norm(sentence) not in text]
        if lost:
            problems.append(f"{page['file']}: lost {lost}")
        paragraphs = article.text.split("\n\n")
        if paragraphs[0] != page["headline"]:
            problems.append(f"{page['file']}: begins with {paragraphs[0][:80]!r}")
        repeated = [p for p in paragraphs[1:4] if _norm(page["headline"]) in _norm(p)]
        if repeated:
            problems.append(f"{page['file']}: headline repeated as {repeated[0][:80]!r}")
    assert problems == []


def test_headline_without_site_name(articles):
    found = {page["file"]: articles[page["file"]].title for page in PAGES}
    expected = {page["file"]: page["headline"] for page in PAGES}
    assert _mismatches(found, expected) == {}
    for title in found.values():
        assert not any(site in title for site in ("Japan Times", "La Stampa", "SPD-Bundestags", "NEWS WEB"))


def test_language_of_every_page(articles):
    found = {page["file"]: articles[page["file"]].language for page in PAGES}
    expected = {page["file"]: page["language"] for page in PAGES}
    assert _mismatches(found, expected) == {}


def test_publication_date(articles):
    pages = [page for page in PAGES if page["file"] not in DATE_NOT_FOUND]
    found = {page["file"]: articles[page["file"]].published for page in pages}
    expected = {page["file"]: page["published"] for page in pages}
    assert _mismatches(found, expected) == {}


def _with_invalid_byte(marker: str, *, declared: bool = True) -> bytes:
    data = (WEB / "lastampa.it.temperature.html").read_bytes()
    data.decode("utf-8")  # valid as saved
    if not declared:
        data = data.replace(b'<meta charset="UTF-8">', b"", 1)
    at = data.rindex(marker.encode("utf-8"))
    # One byte that cannot be UTF-8, inside the article's own copy of the marker sentence
    # (the last one: the first ones are the page's description in its metadata).
    return data[: at + 8] + b"\xff" + data[at + 8 :]


@pytest.mark.parametrize("declared", [True, False], ids=["meta charset", "undeclared"])
def test_utf8_page_with_one_invalid_byte_is_read_as_utf8(declared):
    page = next(page for page in PAGES if page["file"].startswith("lastampa"))
    data = _with_invalid_byte("sopra i 1400 metri.", declared=declared)
    (article,) = read_html(data, "lastampa.html")
    assert article.text.count("\ufffd") == 1
    assert "sopra i \ufffd1400 metri." in article.text
    assert article.title == page["headline"]
    assert "tornerà in poche ore" in article.text
    assert not any(mojibake in article.text for mojibake in ("Ã", "√", "¬"))
    assert article.warnings == (
        "lastampa.html: 1 invalid byte sequence could not be read as UTF-8 and was replaced "
        "by U+FFFD; the rest was read as UTF-8.",
    )


def test_saved_page_with_a_stray_byte_is_not_mojibake(articles):
    """RadioMaryja.pl as saved: UTF-8 declared, one invalid byte in a side column."""
    article = articles["radiomaryja.pl.lux-veritatis.html"]
    assert article.title == "Sprzeciw wobec ataków na Fundację Lux Veritatis"
    assert "√" not in article.text and "ńô" not in article.text
    assert len(article.warnings) == 1 and "1 invalid byte sequence" in article.warnings[0]


def test_import_report_says_how_many_bytes_were_replaced(project, tmp_path):
    from app.services.importing import import_articles

    (tmp_path / "lastampa.html").write_bytes(_with_invalid_byte("sopra i 1400 metri."))
    report = import_articles(project, [tmp_path / "lastampa.html"])
    assert report.imported == 1 and report.bad_files == []
    assert report.warning is not None
    assert "lastampa.html: 1 invalid byte sequence could not be read as UTF-8" in report.warning
    (stored,) = project.store.articles.list()
    assert stored.language == "it"


def test_other_formats_get_a_language_unless_they_have_one(tmp_path):
    (tmp_path / "de.txt").write_text(
        "Gefangene an die Front geschickt\n\nDie Männer sagten, sie hätten keine Wahl gehabt, "
        "als sie den Vertrag unterschrieben.\n",
        encoding="utf-8",
    )
    (tmp_path / "feed.csv").write_text(
        "title,text,language\nHeadline,Officials said the men had no choice at all.,fr\n"
        "Second,Officials said the men had no choice when they signed the contract.,\n",
        encoding="utf-8",
    )
    assert read_articles(tmp_path / "de.txt")[0].language == "de"
    assert [a.language for a in read_articles(tmp_path / "feed.csv")] == ["fr", "en"]
