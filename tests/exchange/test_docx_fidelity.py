"""Word import keeps the text as Word shows it: tables as rows, characters and fields as
displayed, tracked changes accepted, and no made-up headline.

Documents are built with python-docx; what python-docx cannot write (fields, tracked
changes, symbols, DTD entities) is written as raw XML into its package with zipfile.
Three small real documents from mammoth.js are in tests/data/docx/ (see the README there).
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import docx
import pytest

from app.core.errors import ImportFormatError
from app.exchange.readers import read_articles

DATA = Path(__file__).resolve().parents[1] / "data" / "docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def saved(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def repack(data: bytes, *, replace: dict[str, bytes] | None = None,
           drop: tuple[str, ...] = ()) -> bytes:
    """The package ``data`` with parts replaced or added, and parts dropped."""
    replace = dict(replace or {})
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename in drop:
                continue
            archive.writestr(info, replace.pop(info.filename, source.read(info.filename)))
        for name, part in replace.items():
            archive.writestr(name, part)
    return out.getvalue()


def with_body(body: str, *, doctype: str = "", title: str | None = None) -> bytes:
    """A python-docx package whose document.xml body is ``body`` (WordprocessingML)."""
    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
        f'<w:document xmlns:w="{W}"><w:body>{body}<w:sectPr/></w:body></w:document>'
    )
    return repack(saved(document), replace={"word/document.xml": xml.encode("utf-8")})


def p(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def read(tmp_path: Path, data: bytes, name: str = "article.docx"):
    path = tmp_path / name
    path.write_bytes(data)
    (article,) = read_articles(path)
    return article


# --- tables ----------------------------------------------------------------------------


def test_a_table_is_one_row_per_line_between_the_paragraphs_around_it(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Prisoners sent to the front")
    document.add_paragraph("The colony kept a register.")
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, [["Recruited", "Returned"], ["40", "3"]], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("Most never came back.")
    second = document.add_table(rows=1, cols=3)
    second.cell(0, 0).text = "Source"
    second.cell(0, 2).text = "Memorial"
    article = read(tmp_path, saved(document))
    assert article.title == "Prisoners sent to the front"
    assert article.text == (
        "Prisoners sent to the front\n\nThe colony kept a register.\n\n"
        "Recruited | Returned\n40 | 3\n\nMost never came back.\n\nSource |  | Memorial"
    )


def test_merged_cells_are_read_once_and_nested_tables_are_flattened_in_place(
    tmp_path: Path,
) -> None:
    document = docx.Document()
    document.add_paragraph("Where the recruits came from")
    table = document.add_table(rows=4, cols=3)
    for column, value in enumerate(["Region", "Recruited", "Returned"]):
        table.cell(0, column).text = value
    table.cell(1, 0).merge(table.cell(2, 0)).text = "Kiresk colony"  # vertical merge
    table.cell(1, 1).text = "40"
    table.cell(1, 2).text = "3"
    table.cell(2, 1).merge(table.cell(2, 2)).text = "no data"  # horizontal merge
    cell = table.cell(3, 0)
    cell.text = "Totals:"
    inner = cell.add_table(rows=2, cols=2)
    for (row, column), value in zip([(0, 0), (0, 1), (1, 0), (1, 1)], "abcd", strict=True):
        inner.cell(row, column).text = value
    note = table.cell(3, 1)
    note.text = "Line one"
    note.paragraphs[0].add_run().add_break()
    note.paragraphs[0].add_run("line two")
    note.add_paragraph("Second paragraph")
    article = read(tmp_path, saved(document))
    assert article.text == (
        "Where the recruits came from\n\n"
        "Region | Recruited | Returned\n"
        "Kiresk colony | 40 | 3\n"
        "| no data\n"
        "Totals: a | b | c | d | Line one line two Second paragraph |"
    )


def test_a_document_that_opens_with_a_table_has_its_first_row_as_headline(
    tmp_path: Path,
) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Recruited"
    table.cell(0, 1).text = "Returned"
    table.cell(1, 0).text = "40"
    table.cell(1, 1).text = "3"
    document.add_paragraph("Figures from the colony.")
    article = read(tmp_path, saved(document))
    assert article.title == "Recruited | Returned"
    assert article.text == "Recruited | Returned\n40 | 3\n\nFigures from the colony."


# --- characters ------------------------------------------------------------------------


def test_entity_and_character_references_keep_the_text_after_them(tmp_path: Path) -> None:
    doctype = '<!DOCTYPE w:document [<!ENTITY nbsp "&#160;"><!ENTITY org "Wagner Group">]>'
    body = (
        p(r("Sent to the front"))
        + p(r("Smith &amp; Sons&#x2019; contract&nbsp;was signed &lt;under duress&gt;."))
        + p(r("The &org; recruited 40&#160;men; &quot;no choice&quot;, said one."))
        + p(r("Windows&#13;&#10;line end."))
    )
    article = read(tmp_path, with_body(body, doctype=doctype))
    assert article.text == (
        "Sent to the front\n\n"
        "Smith & Sons\u2019 contract\u00a0was signed <under duress>.\n\n"
        "The Wagner Group recruited 40\u00a0men; \"no choice\", said one.\n\n"
        "Windows\nline end."
    )


def test_tabs_breaks_hyphens_symbols_and_hidden_text(tmp_path: Path) -> None:
    body = (
        p(r("Headline"))
        + p(r("Name:"), "<w:r><w:tab/><w:t>Ivan</w:t><w:br/><w:t>Kazan</w:t><w:cr/>"
            "<w:t>Russia</w:t></w:r>")
        + p("<w:r><w:t>Rostov</w:t><w:noBreakHyphen/><w:t>on</w:t><w:noBreakHyphen/>"
            "<w:t>Don, re</w:t><w:softHyphen/><w:t>cruited</w:t></w:r>")
        + p(r("Symbols: "), '<w:r><w:sym w:font="Symbol" w:char="F061"/>'
            '<w:sym w:font="Symbol" w:char="F0B3"/><w:sym w:font="Wingdings" w:char="F0FC"/>'
            '<w:sym w:font="Arial" w:char="2116"/><w:sym w:font="Webdings" w:char="F021"/></w:r>')
        + p(r("Shown"), '<w:r><w:rPr><w:vanish/></w:rPr><w:t> hidden</w:t></w:r>',
            '<w:r><w:rPr><w:vanish w:val="false"/></w:rPr><w:t> and shown</w:t></w:r>')
    )
    article = read(tmp_path, with_body(body))
    assert article.text == (
        "Headline\n\nName:\tIvan\nKazan\nRussia\n\n"
        "Rostov\u2011on\u2011Don, recruited\n\n"
        "Symbols: \u03b1\u2265\u2713\u2116\uf021\n\n"
        "Shown and shown"
    )


# --- fields and tracked changes ----------------------------------------------------------


def field(instruction: str, result: str) -> str:
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{instruction}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{result}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def test_fields_show_their_results_not_their_instructions(tmp_path: Path) -> None:
    nested = (  # IF { MERGEFIELD Status } = "x": the inner result is part of the instruction
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> IF </w:instrText></w:r>'
        + field(" MERGEFIELD Status ", r("draft"))
        + '<w:r><w:instrText xml:space="preserve"> = "x" "yes" "no" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + r("no")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    body = (
        p(r("Report"))
        + p(r("Published "), field(' DATE \\@ "d MMMM yyyy" ', r("5 March 2024")), r(" in Kazan."))
        + p(r("See "), '<w:fldSimple w:instr=" REF memo \\h ">' + r("the memo") + "</w:fldSimple>",
            r(" and "), '<w:hyperlink r:id="rId9" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships">' + r("the ruling") + "</w:hyperlink>", r("."))
        + p(r("Answer: "), nested, r("."))
        + p(r("Indexed"), '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>'
            ' XE "Kazan" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>',
            r(" term."))
    )
    article = read(tmp_path, with_body(body))
    assert article.text == (
        "Report\n\nPublished 5 March 2024 in Kazan.\n\nSee the memo and the ruling.\n\n"
        "Answer: no.\n\nIndexed term."
    )


def test_tracked_deletions_are_left_out_and_insertions_kept(tmp_path: Path) -> None:
    tracked = 'w:id="{}" w:author="Editor" w:date="2024-03-05T10:00:00Z"'
    body = (
        p(r("Sent to the front"))
        + p(r("About "), f"<w:del {tracked.format(1)}><w:r><w:delText>thirty</w:delText></w:r>"
            f"</w:del><w:ins {tracked.format(2)}>{r('forty')}</w:ins>", r(" men signed."))
        + p(f"<w:moveFrom {tracked.format(3)}>{r('Moved away. ')}</w:moveFrom>", r("Stayed."))
        + p(f"<w:moveTo {tracked.format(4)}>{r('Moved here.')}</w:moveTo>")
        # a deleted paragraph mark joins this paragraph to the next
        + f"<w:p><w:pPr><w:rPr><w:del {tracked.format(5)}/></w:rPr></w:pPr>{r('One half, ')}</w:p>"
        + p(r("the other half."))
        + f'<w:tbl><w:tr><w:tc>{p(r("kept row"))}</w:tc></w:tr><w:tr><w:trPr><w:del '
        f'{tracked.format(6)}/></w:trPr><w:tc>{p(r("deleted row"))}</w:tc></w:tr></w:tbl>'
    )
    article = read(tmp_path, with_body(body))
    assert article.text == (
        "Sent to the front\n\nAbout forty men signed.\n\nStayed.\n\nMoved here.\n\n"
        "One half, the other half.\n\nkept row"
    )


def test_headers_footers_footnotes_and_comments_are_left_out(tmp_path: Path) -> None:
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "HEADER Novaya Gazeta"
    section.footer.paragraphs[0].text = "FOOTER page 1"
    document.add_paragraph("Recruited in the colony")
    body = document.add_paragraph("Forty men signed.")
    document.add_comment(body.runs, text="COMMENT check the number", author="Lead")
    data = saved(document)
    package = zipfile.ZipFile(io.BytesIO(data))
    xml = package.read("word/document.xml").decode("utf-8")
    end = xml.index("</w:p>", xml.index("Forty men signed."))
    footnote = (
        '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
        '<w:footnoteReference w:id="1"/></w:r>'
    )
    quote = (  # a content control around a paragraph: its text is part of the body
        '<w:sdt><w:sdtPr><w:alias w:val="Quote"/></w:sdtPr><w:sdtContent>'
        "<w:p><w:r><w:t>A quoted paragraph.</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    xml = xml[:end] + footnote + "</w:p>" + quote + xml[end + len("</w:p>"):]
    notes = (
        f'<w:footnotes xmlns:w="{W}"><w:footnote w:id="1"><w:p><w:r><w:t>FOOTNOTE source'
        "</w:t></w:r></w:p></w:footnote></w:footnotes>"
    )
    data = repack(
        data, replace={"word/document.xml": xml.encode(), "word/footnotes.xml": notes.encode()}
    )
    article = read(tmp_path, data)
    assert article.text == "Recruited in the colony\n\nForty men signed.\n\nA quoted paragraph."


# --- the headline ------------------------------------------------------------------------


def without_core_properties(data: bytes) -> bytes:
    """``data`` with docProps/core.xml removed, as some converters write a .docx."""
    package = zipfile.ZipFile(io.BytesIO(data))
    rels = re.sub(rb"<Relationship [^>]*core-properties[^>]*/>", b"", package.read("_rels/.rels"))
    types = re.sub(rb"<Override [^>]*core\.xml[^>]*/>", b"", package.read("[Content_Types].xml"))
    return repack(data, replace={"_rels/.rels": rels, "[Content_Types].xml": types},
                  drop=("docProps/core.xml",))


def test_no_core_properties_means_the_first_paragraph_is_the_headline(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Migrants told to sign or be deported")
    document.add_paragraph("Forty men signed.")
    article = read(tmp_path, without_core_properties(saved(document)))
    assert article.title == "Migrants told to sign or be deported"
    assert article.text == "Migrants told to sign or be deported\n\nForty men signed."
    assert article.metadata == {}


@pytest.mark.parametrize(
    "title", ["Word Document", "Untitled", "Document1", "document 2", "Title", "article"]
)
def test_a_placeholder_title_property_is_not_a_headline(tmp_path: Path, title: str) -> None:
    # python-docx writes "Word Document" into every file it saves after opening one
    # without core properties; "article" is the file's own name.
    document = docx.Document()
    document.core_properties.title = title
    document.add_paragraph("Migrants told to sign or be deported")
    document.add_paragraph("Forty men signed.")
    article = read(tmp_path, saved(document))
    assert article.text == "Migrants told to sign or be deported\n\nForty men signed."


def test_a_real_title_property_is_the_headline(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Contracts signed under duress"
    document.core_properties.author = "A. Petrova"
    document.add_paragraph("Forty men signed.")
    article = read(tmp_path, without_core_properties(saved(document)))
    assert article.text == "Forty men signed."  # no properties part: nothing made up
    article = read(tmp_path, saved(document))
    assert article.title == "Contracts signed under duress"
    assert article.text == "Contracts signed under duress\n\nForty men signed."
    assert article.metadata == {"author": "A. Petrova"}


# --- real documents ------------------------------------------------------------------------


def test_a_real_word_table_keeps_every_cell(tmp_path: Path) -> None:
    # python-docx's cell identities were compared by id() of short-lived proxies, so a
    # reused id dropped "Bottom left" from this file.
    article = read(tmp_path, (DATA / "tables.docx").read_bytes(), "tables.docx")
    assert article.title == "Above"
    assert article.text == "Above\n\nTop left | Top right\nBottom left | Bottom right\n\nBelow"
    assert article.metadata == {"author": "Michael Williamson"}


def test_a_real_strict_open_xml_document(tmp_path: Path) -> None:
    article = read(tmp_path, (DATA / "strict-format.docx").read_bytes(), "strict-format.docx")
    assert (article.title, article.text) == ("Test", "Test")


def test_a_real_text_box_is_read_once(tmp_path: Path) -> None:
    article = read(tmp_path, (DATA / "text-box.docx").read_bytes(), "text-box.docx")
    assert (article.title, article.text) == ("Datum plane", "Datum plane")


# --- hostile input -----------------------------------------------------------------------


def test_an_entity_expansion_bomb_is_refused_at_once(tmp_path: Path) -> None:
    entities = '<!ENTITY a0 "recruits ">' + "".join(
        f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)
    )
    data = with_body(p(r("Headline")) + p(r("&a9;")), doctype=f"<!DOCTYPE w:document [{entities}]>")
    path = tmp_path / "bomb.docx"
    path.write_bytes(data)
    started = time.monotonic()
    with pytest.raises(ImportFormatError) as caught:
        read_articles(path)
    assert time.monotonic() - started < 5
    assert str(caught.value) == (
        "bomb.docx declares XML entities that expand too far; Word documents do not use them."
    )
