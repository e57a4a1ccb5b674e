"""Reading articles from txt, csv/tsv, jsonl, docx and html files."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.errors import ImportFormatError
from app.exchange.readers import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_EXTENSIONS,
    expand_inputs,
    read_articles,
)
from app.exchange.readers.textdecode import decode_text, normalize_newlines_with_map

MB = 1024 * 1024

RUSSIAN = (
    "Заключённых вербуют на фронт: в колониях предлагают подписать контракт.\n"
    "Родственники говорят, что отказ грозит новыми сроками и переводом в другую колонию."
)
FRENCH = (
    "Élève à l'école : où est le café ? Ça va très bien, merci.\n"
    "Les réfugiés déplacés ont été menacés d'expulsion s'ils refusaient de s'engager."
)
GERMAN = "Größere Übungen für Bürger in München; die Straße ist gesperrt, sagte der Bürgermeister."
MIXED = "Emoji 😀🇺🇦 and e\u0301 (combining), Кириллица, العربية مرحبا, 👩‍👩‍👧 family."


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def only(tmp_path: Path, name: str, data: bytes | str):
    articles = read_articles(write(tmp_path, name, data))
    assert len(articles) == 1
    return articles[0]


def error_of(path: Path, **kwargs) -> str:
    with pytest.raises(ImportFormatError) as caught:
        read_articles(path, **kwargs)
    return str(caught.value)


def docx_bytes(
    paragraphs: list[str], *, title: str | None = None, table: list[list[str]] | None = None
) -> bytes:
    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- plain text ---------------------------------------------------------------------


def test_plaintext_is_stored_as_read_with_its_first_non_blank_line_as_headline(tmp_path):
    # Stored as read (Fidelity): no blank line added after the headline, nothing trimmed.
    text = "\n \nHeadline here  \nFirst line.\n\n\nSecond para.\n\n"
    article = only(tmp_path, "article.txt", text)
    assert article.title == "Headline here"
    assert article.text == text
    assert article.origin == "article.txt"
    assert article.external_id == "article"


def test_plaintext_keeps_inner_whitespace_and_blank_lines_after_headline(tmp_path):
    article = only(tmp_path, "a.txt", "Title\n\n\n  indented  body\twith tab")
    assert article.text == "Title\n\n\n  indented  body\twith tab"


def test_plaintext_headline_only(tmp_path):
    article = only(tmp_path, "short.txt", "Only a headline\n")
    assert (article.title, article.text) == ("Only a headline", "Only a headline\n")


def test_crlf_and_lone_cr_become_newlines(tmp_path):
    article = only(tmp_path, "crlf.txt", b"Title\r\nline one\r\nline two\rline three\r\n")
    assert article.text == "Title\nline one\nline two\nline three\n"


def test_plaintext_preserves_scripts_exactly(tmp_path):
    article = only(tmp_path, "mixed.txt", f"Заголовок e\u0301\n{MIXED}")
    assert article.title == "Заголовок e\u0301"
    assert article.text == f"Заголовок e\u0301\n{MIXED}"
    assert "\u00e9" not in article.text  # not NFC-normalised


# --- encodings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "data", "expected"),
    [
        ("utf-8", RUSSIAN.encode("utf-8"), RUSSIAN),
        ("utf-8 bom", b"\xef\xbb\xbf" + MIXED.encode("utf-8"), MIXED),
        ("utf-16 le bom", b"\xff\xfe" + RUSSIAN.encode("utf-16-le"), RUSSIAN),
        ("utf-16 be bom", b"\xfe\xff" + MIXED.encode("utf-16-be"), MIXED),
        ("utf-16 codec", ("\r\n" + FRENCH).encode("utf-16"), "\n" + FRENCH),
        ("cp1251", RUSSIAN.encode("cp1251"), RUSSIAN),
        ("latin-1 french", FRENCH.encode("latin-1"), FRENCH),
        ("latin-1 german", GERMAN.encode("latin-1"), GERMAN),
        (
            "cp1252 quotes",
            "Les “guillemets” — et l’apostrophe… déjà vu.".encode("cp1252"),
            "Les “guillemets” — et l’apostrophe… déjà vu.",
        ),
    ],
)
def test_decode_text_exact(label, data, expected):
    assert decode_text(data, "x.txt") == expected


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("cp1251", b""),
    ],
)
def test_plaintext_file_in_each_encoding(tmp_path, encoding, prefix):
    source = "Мобилизация заключённых\r\n\r\n" + RUSSIAN.replace("\n", "\r\n")
    article = only(tmp_path, "ru.txt", prefix + source.encode(encoding))
    assert article.title == "Мобилизация заключённых"
    assert article.text == "Мобилизация заключённых\n\n" + RUSSIAN
    assert not article.text.startswith("\ufeff")


def test_csv_in_latin1(tmp_path):
    data = f'title;text\n"Réfugiés";"{FRENCH}"\n'.encode("latin-1")
    article = only(tmp_path, "fr.csv", data)
    assert article.title == "Réfugiés"
    assert article.text == "Réfugiés\n\n" + FRENCH


def test_newline_map_moves_offsets_after_crlf():
    text, to_new = normalize_newlines_with_map("ab\r\ncd\r\n\r\nef")
    assert text == "ab\ncd\n\nef"
    assert [to_new(i) for i in (0, 2, 4, 5, 10, 12)] == [0, 2, 3, 4, 7, 9]
    assert text[to_new(10) : to_new(12)] == "ef"


# --- CSV / TSV ----------------------------------------------------------------------


def test_csv_fields_aliases_metadata_and_line_numbers(tmp_path):
    data = (
        "ID,Headline,Body,Published,Link,Outlet,Lang,section\r\n"
        'a1,Contracts signed under duress,"Officials said the men\r\nhad no choice.",2024-03-05,'
        "https://example.org/1,The Daily,en,World\r\n"
        "\r\n"
        'a2,,"First line is the title\nthen more",05/03/2024,,,,\r\n'
    )
    first, second = read_articles(write(tmp_path, "articles.csv", data))
    assert first.title == "Contracts signed under duress"
    assert first.text == "Contracts signed under duress\n\nOfficials said the men\nhad no choice."
    assert first.external_id == "a1"
    assert first.published == "2024-03-05"
    assert first.url == "https://example.org/1"
    assert first.source == "The Daily"
    assert first.language == "en"
    assert first.metadata == {"section": "World"}
    assert first.origin == "articles.csv, line 2"
    # The first record spans lines 2-3, line 4 is blank: the second record starts on line 5.
    assert second.origin == "articles.csv, line 5"
    assert second.title == "First line is the title"
    assert second.text == "First line is the title\nthen more"
    assert second.published == "05/03/2024"  # kept as given
    assert second.url is None and second.source is None


def test_csv_does_not_repeat_headline_already_in_body(tmp_path):
    data = 'title,text\nThe headline,"The headline\n\nThe body."\n'
    article = only(tmp_path, "dup.csv", data)
    assert article.text == "The headline\n\nThe body."


def test_csv_semicolon_delimiter_is_sniffed(tmp_path):
    data = "title;text;note\nA title;Some text, with a comma;n1\nB;More text;n2\n"
    first, second = read_articles(write(tmp_path, "semi.csv", data))
    assert first.text == "A title\n\nSome text, with a comma"
    assert second.metadata == {"note": "n2"}


def test_tsv_uses_tabs(tmp_path):
    data = "text\ttitle\nBody, with; punctuation\tHead\n"
    article = only(tmp_path, "data.tsv", data)
    assert (article.title, article.text) == ("Head", "Head\n\nBody, with; punctuation")
    assert article.origin == "data.tsv, line 2"


def test_csv_unterminated_quote_names_line(tmp_path):
    data = 'id,text\n1,"fine"\n2,"multi\nline"\n3,"never closed\n4,more\n'
    path = write(tmp_path, "articles.csv", data)
    assert error_of(path) == "articles.csv, line 5: unterminated quoted field."


def test_csv_stray_quote_names_line(tmp_path):
    path = write(tmp_path, "articles.csv", 'id,text\n1,"a"\n2,"bad" quote\n')
    message = error_of(path)
    assert message.startswith(
        "articles.csv, line 3: a closing quote is followed by other characters"
    )
    assert message.endswith(".")


def test_csv_missing_text_column_names_columns(tmp_path):
    path = write(tmp_path, "articles.csv", "id,headline,summary\n1,A,B\n")
    assert error_of(path) == (
        "articles.csv has no text column (expected one of text, body, content, article; "
        "found id, headline, summary)."
    )


def test_csv_empty_text_names_line(tmp_path):
    path = write(tmp_path, "articles.csv", 'title,text\nA,"x"\nB,"  "\n')
    assert error_of(path) == "articles.csv, line 3: the text is empty."


def test_csv_wrong_field_count_names_line(tmp_path):
    path = write(tmp_path, "articles.csv", "title,text\nA,x\nB,y,z\n")
    assert error_of(path) == "articles.csv, line 3: 3 fields where the header has 2 columns."


def test_csv_header_only(tmp_path):
    path = write(tmp_path, "articles.csv", "title,text\n")
    assert error_of(path) == "articles.csv has a header row but no articles."


def test_csv_long_field_beyond_default_csv_limit(tmp_path):
    body = "word " * 60_000  # 300 000 characters, over the csv module's 131 072 default
    article = only(tmp_path, "long.csv", f'text\n"{body}"\n')
    assert article.text == body  # kept whole, trailing space included


# --- JSON Lines ---------------------------------------------------------------------


def test_jsonl_fields_metadata_and_blank_lines(tmp_path):
    lines = [
        json.dumps(
            {
                "id": 7,
                "title": "Prisoners sent to the front",
                "content": "Body text.",
                "date": "2024-03-05T10:00:00Z",
                "url": "https://x.org/a",
                "publisher": "Daily",
                "lang": "en",
                "tags": ["a", "b"],
            }
        ),
        "",
        json.dumps({"text": "No title here\nsecond line"}),
    ]
    first, second = read_articles(write(tmp_path, "feed.ndjson", "\n".join(lines) + "\n"))
    assert first.title == "Prisoners sent to the front"
    assert first.text == "Prisoners sent to the front\n\nBody text."
    assert (first.external_id, first.published, first.url, first.source, first.language) == (
        "7",
        "2024-03-05T10:00:00Z",
        "https://x.org/a",
        "Daily",
        "en",
    )
    assert first.metadata == {"tags": ["a", "b"]}
    assert first.origin == "feed.ndjson, line 1"
    assert second.origin == "feed.ndjson, line 3"
    assert (second.title, second.text) == ("No title here", "No title here\nsecond line")


def _spans_for(text: str, *needles: str) -> list[list]:
    return [[text.index(n), text.index(n) + len(n), f"L{i}"] for i, n in enumerate(needles)]


def test_doccano_offsets_shift_by_prepended_headline(tmp_path):
    text = "Кириллица first 😀 then e\u0301 and العربية مرحبا end."
    needles = ("Кириллица", "😀", "e\u0301", "العربية مرحبا")
    title = "Заголовок 🇺🇦"
    line = json.dumps(
        {"title": title, "text": text, "label": _spans_for(text, *needles)}, ensure_ascii=False
    )
    article = only(tmp_path, "doccano.jsonl", line + "\n")
    assert article.text == f"{title}\n\n{text}"
    shift = len(title) + 2
    assert [(s.start, s.end) for s in article.spans] == [
        (text.index(n) + shift, text.index(n) + len(n) + shift) for n in needles
    ]
    assert [article.text[s.start : s.end] for s in article.spans] == list(needles)
    assert [s.label for s in article.spans] == ["L0", "L1", "L2", "L3"]
    assert "label" not in article.metadata


def test_doccano_object_spans_without_title_are_not_shifted(tmp_path):
    text = "First line\r\nMigrants were threatened 😀 with deportation."
    start = text.index("Migrants")
    line = json.dumps(
        {
            "text": text,
            "label": [{"start_offset": start, "end_offset": start + 8, "label": "ACTOR"}],
        }
    )
    article = only(tmp_path, "feed.jsonl", line)
    assert article.text == "First line\nMigrants were threatened 😀 with deportation."
    # The CRLF before the span became one character.
    assert [(s.start, s.end) for s in article.spans] == [(start - 1, start + 7)]
    assert article.text[article.spans[0].start : article.spans[0].end] == "Migrants"


def test_doccano_classification_labels_are_categories_not_metadata(tmp_path):
    # Fidelity: document labels become answers at import (tests/exchange/test_doccano.py), so the
    # reader hands them over as categories instead of leaving them in the metadata.
    article = only(tmp_path, "cls.jsonl", json.dumps({"text": "T\n\nbody", "label": ["coercion"]}))
    assert article.spans == ()
    assert article.categories == ("coercion",)
    assert article.metadata == {}


def test_jsonl_bad_line_names_line_and_column(tmp_path):
    bad = '{"text": "a" "title": "b"}'
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(bad)
    data = json.dumps({"text": "ok"}) + "\n\n" + bad + "\n"
    message = error_of(write(tmp_path, "feed.jsonl", data))
    assert message == (
        f"feed.jsonl, line 3: not valid JSON ({expected.value.msg} at column {expected.value.colno})."
    )
    assert "Expecting ',' delimiter" in message


def test_jsonl_not_an_object(tmp_path):
    path = write(tmp_path, "feed.jsonl", '{"text": "a"}\n[1, 2]\n')
    assert error_of(path) == "feed.jsonl, line 2: expected a JSON object, found a list."


def test_jsonl_missing_text(tmp_path):
    path = write(tmp_path, "feed.jsonl", '{"title": "a", "summary": "b"}\n')
    assert error_of(path) == (
        "feed.jsonl, line 1: no text field (expected one of text, body, content, article; "
        "found title, summary)."
    )


def test_doccano_span_out_of_range_names_line_and_span(tmp_path):
    lines = [
        json.dumps({"text": "short text", "label": [[0, 5, "A"]]}),
        json.dumps({"text": "short text", "label": [[0, 5, "A"], [5, 99, "B"]]}),
    ]
    message = error_of(write(tmp_path, "feed.jsonl", "\n".join(lines)))
    assert message.startswith("feed.jsonl, line 2: span [5, 99] (B) is outside the text")
    assert "10 characters" in message


@pytest.mark.parametrize("span", [[-1, 3, "A"], [4, 4, "A"], [6, 2, "A"]])
def test_doccano_negative_empty_or_reversed_span(tmp_path, span):
    message = error_of(
        write(tmp_path, "feed.jsonl", json.dumps({"text": "0123456789", "label": [span]}))
    )
    assert message.startswith(
        f"feed.jsonl, line 1: span [{span[0]}, {span[1]}] (A) is outside the text"
    )


def test_doccano_malformed_entry(tmp_path):
    path = write(tmp_path, "feed.jsonl", json.dumps({"text": "abc", "label": [[0, "2", "A"]]}))
    assert (
        error_of(path)
        == "feed.jsonl, line 1: label entry 1 needs whole-number offsets and a label name."
    )


def test_jsonl_lone_surrogate_escape_is_refused(tmp_path):
    path = write(tmp_path, "feed.jsonl", '{"text": "bad \\ud800 char"}\n')
    assert error_of(path).startswith("feed.jsonl, line 1: contains a \\u escape")


# --- DOCX ---------------------------------------------------------------------------


def test_docx_core_title_paragraphs_and_table(tmp_path):
    data = docx_bytes(
        ["Intro para.", "", "Second para."], title="Core Title", table=[["cell A", "cell B"]]
    )
    article = only(tmp_path, "report.docx", data)
    assert article.title == "Core Title"
    assert article.text == "Core Title\n\nIntro para.\n\nSecond para.\n\ncell A | cell B"
    assert article.origin == "report.docx"
    assert article.external_id == "report"


def test_docx_first_paragraph_is_headline(tmp_path):
    article = only(tmp_path, "r.docx", docx_bytes(["", "Заголовок 😀", "Body e\u0301."]))
    assert article.title == "Заголовок 😀"
    assert article.text == "Заголовок 😀\n\nBody e\u0301."


def test_docx_core_title_equal_to_first_paragraph_is_not_repeated(tmp_path):
    article = only(tmp_path, "r.docx", docx_bytes(["Same", "Body."], title="Same"))
    assert article.text == "Same\n\nBody."


def test_docx_not_a_zip(tmp_path):
    path = write(tmp_path, "report.docx", "just some text, not a Word file")
    assert error_of(path) == (
        "report.docx is not a Word .docx file (it may be damaged, or an older .doc file renamed to .docx)."
    )


def test_docx_truncated(tmp_path):
    data = docx_bytes(["Title", "Body."])
    message = error_of(write(tmp_path, "cut.docx", data[: len(data) // 2]))
    assert message.startswith("cut.docx ")
    assert message.endswith(".")


def test_docx_zip_that_is_not_a_document(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    path = write(tmp_path, "other.docx", buffer.getvalue())
    assert error_of(path) == "other.docx is a zip archive but not a Word document."


def test_docx_without_text(tmp_path):
    path = write(tmp_path, "blank.docx", docx_bytes(["", "  "]))
    assert error_of(path) == "blank.docx contains no text."


# --- HTML ---------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="{charset}">
<title>Prisoners sent to the front | The Daily</title>
<meta property="og:site_name" content="The Daily">
<link rel="canonical" href="https://example.org/news/1">
<meta property="article:published_time" content="2024-03-05T10:00:00Z"></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Prisoners sent to the front</h1>
<p>Officials offered inmates a deal: sign a contract or stay.<br>The deadline was Friday.</p>
<p>{second}</p>
</article><footer>Copyright 2024 The Daily. All rights reserved.</footer></body></html>"""


def test_html_main_text_title_and_metadata(tmp_path):
    second = "Второй абзац: 😀 e\u0301 and مرحبا."
    page = PAGE.format(charset="utf-8", second=second)
    article = only(tmp_path, "page.html", page)
    assert article.title == "Prisoners sent to the front"
    assert article.text == (
        "Prisoners sent to the front\n\n"
        "Officials offered inmates a deal: sign a contract or stay.\nThe deadline was Friday.\n\n"
        + second
    )
    assert article.url == "https://example.org/news/1"
    assert article.published == "2024-03-05"
    assert article.source == "The Daily"
    assert "Copyright" not in article.text and "Home" not in article.text


def test_html_declared_windows_1251(tmp_path):
    page = PAGE.format(charset="windows-1251", second=RUSSIAN.replace("\n", " "))
    article = only(tmp_path, "ru.htm", page.encode("cp1251"))
    assert article.text.endswith("\n\n" + RUSSIAN.replace("\n", " "))


def test_html_without_main_text(tmp_path):
    page = (
        "<html><head><title>Nothing</title><script>var a = 1;</script></head><body>  </body></html>"
    )
    assert error_of(write(tmp_path, "page.html", page)) == (
        "page.html has no main text that could be extracted."
    )


# --- errors common to all formats ---------------------------------------------------


@pytest.mark.parametrize("name", ["notes.txt", "articles.csv", "feed.jsonl", "page.html", "r.docx"])
def test_empty_file(tmp_path, name):
    assert error_of(write(tmp_path, name, b"")) == f"{name} is empty."


@pytest.mark.parametrize("name", ["notes.txt", "articles.csv", "data.tsv", "feed.jsonl"])
def test_whitespace_only_file_is_empty(tmp_path, name):
    assert error_of(write(tmp_path, name, " \r\n\t\n  \n")) == f"{name} is empty."


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


@pytest.mark.parametrize(
    "data",
    [
        PNG + bytes(range(256)),
        bytes(range(256)) * 4,
        b"text then\x00nul",
        b"\xff\xd8\xff\xe0" + os.urandom(64) + b"\x00",
    ],
    ids=["png", "all-bytes", "nul", "jpeg"],
)
@pytest.mark.parametrize("ext", [".txt", ".csv", ".tsv", ".jsonl", ".html"])
def test_binary_file_is_refused(tmp_path, data, ext):
    name = "photo" + ext
    assert error_of(write(tmp_path, name, data)) == f"{name} looks like a binary file, not text."


def test_noise_without_nul_is_refused(tmp_path):
    noise = bytes(b for b in range(1, 256) if b not in b"\t\n\r ") * 8
    assert (
        error_of(write(tmp_path, "photo.txt", noise))
        == "photo.txt looks like a binary file, not text."
    )


def test_large_file_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(50 * MB)  # sparse: no data written

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    assert error_of(path) == (
        "big.csv is 50.0 MB; the import limit is 20 MB per file (set a larger limit with --max-file-size)."
    )


def test_size_limit_is_configurable_and_formatted(tmp_path):
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(int(52.4 * MB))
    assert error_of(path).startswith("big.txt is 52.4 MB; the import limit is 20 MB per file")
    small = write(tmp_path, "small.txt", "Title\nBody " + "x" * 3061)  # 3072 bytes
    assert error_of(small, max_bytes=2048) == (
        "small.txt is 3.0 KB; the import limit is 2 KB per file (set a larger limit with --max-file-size)."
    )
    assert read_articles(small, max_bytes=DEFAULT_MAX_BYTES)[0].title == "Title"


def test_missing_file_and_unsupported_type(tmp_path):
    assert error_of(tmp_path / "gone.txt") == "gone.txt does not exist."
    message = error_of(write(tmp_path, "scan.pdf", b"%PDF-1.4"))
    assert message.startswith(
        "scan.pdf is not a file type Loupe can import (supported: .csv, .docx,"
    )


# --- expand_inputs ------------------------------------------------------------------


def test_expand_inputs_recurses_sorts_and_filters(tmp_path):
    root = tmp_path / "in"
    for rel in [
        "b.txt",
        "a.csv",
        "sub/z.jsonl",
        "sub/deeper/c.HTML",
        "skip.pdf",
        ".hidden.txt",
        "~$lock.docx",
        ".git/x.txt",
    ]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x")
    single = write(tmp_path, "single.docx", b"x")
    found = expand_inputs([single, root, root / "b.txt"])
    assert found == [
        single,
        root / "a.csv",
        root / "b.txt",
        root / "sub/deeper/c.HTML",
        root / "sub/z.jsonl",
    ]


def test_expand_inputs_errors(tmp_path):
    with pytest.raises(ImportFormatError, match=r"^.*nowhere does not exist\.$"):
        expand_inputs([tmp_path / "nowhere"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportFormatError, match=r"empty contains no files Loupe can import"):
        expand_inputs([tmp_path / "empty"])
    with pytest.raises(ImportFormatError, match=r"notes\.pdf is not a file type Loupe can import"):
        expand_inputs([write(tmp_path, "notes.pdf", b"x")])


# --- property: nothing but ImportFormatError escapes --------------------------------

EXTENSIONS = sorted(SUPPORTED_EXTENSIONS)
TRICKY = st.sampled_from(
    list(",;\t\"\n\r '{}[]:\\\x00\ufeffaé😀Жم\u0301") + ['""', "\r\n", "text", "title"]
)
ENCODINGS = st.sampled_from(
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "cp1251", "latin-1"]
)


def _docx_mutants():
    base = docx_bytes(["Title", "Body."])
    return st.lists(st.tuples(st.integers(0, len(base) - 1), st.integers(0, 255)), max_size=8).map(
        lambda edits: _apply(base, edits)
    )


def _apply(data: bytes, edits) -> bytes:
    buffer = bytearray(data)
    for position, value in edits:
        buffer[position] = value
    return bytes(buffer)


def _encoded(text: str, encoding: str) -> bytes:
    return text.encode(
        encoding, errors="replace" if encoding in ("cp1251", "latin-1") else "surrogatepass"
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 50) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
json_lines = st.lists(
    st.dictionaries(
        st.sampled_from(["text", "title", "body", "label", "entities", "id", "date", "x"]),
        json_values
        | st.lists(
            st.tuples(st.integers(-2, 40), st.integers(-2, 40), st.text(max_size=3)).map(list),
            max_size=3,
        ),
        max_size=5,
    ).map(json.dumps),
    max_size=4,
).map(lambda lines: "\n".join(lines).encode("utf-8"))

any_input = st.one_of(
    st.binary(max_size=3000),
    st.tuples(st.text(max_size=400), ENCODINGS).map(lambda t: _encoded(*t)),
    st.tuples(st.lists(TRICKY, max_size=200).map("".join), ENCODINGS).map(lambda t: _encoded(*t)),
    json_lines,
    _docx_mutants(),
)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@settings(
    deadline=None,
    max_examples=int(os.environ.get("LOUPE_FUZZ_EXAMPLES", "150")),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=any_input)
def test_only_import_errors_escape(fuzz_dir, data):
    for ext in EXTENSIONS:
        path = fuzz_dir / ("input" + ext)
        path.write_bytes(data)
        try:
            articles = read_articles(path)
        except ImportFormatError as exc:
            message = str(exc)
            assert message.startswith("input" + ext), message
            assert message.endswith("."), message
            assert "\n" not in message.strip(), message
            continue
        for article in articles:
            assert article.text and "\r" not in article.text
            assert article.text.lstrip().startswith(article.title)
            for span in article.spans:
                assert 0 <= span.start < span.end <= len(article.text)


def test_html_page_over_the_extraction_limit_is_refused_at_once(tmp_path: Path) -> None:
    from app.exchange.readers.html import MAX_HTML_BYTES

    page = tmp_path / "huge.html"
    paragraph = "<p>" + "Recruits were sent to the front without pay. " * 20 + "</p>\n"
    with page.open("w", encoding="utf-8") as handle:
        handle.write("<html><body>")
        while handle.tell() <= MAX_HTML_BYTES:
            handle.write(paragraph)
        handle.write("</body></html>")
    with pytest.raises(ImportFormatError, match=r"huge\.html is 5\.0 MB; web pages over 5 MB"):
        read_articles(page)
