"""CSV and TSV files: a header row, then one article per row.

Line numbers in messages and origins are physical lines of the file: a row whose
quoted text spans several lines is numbered by the line it starts on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from app.core.articles import ImportedArticle
from app.core.errors import ImportFormatError
from app.exchange.readers.articletext import (
    FIELD_ALIASES,
    compose,
    describe_names,
    match_fields,
    text_or_none,
)
from app.exchange.readers.textdecode import decode_text

# Article texts are far longer than the csv module's default field limit (128 KiB).
# The limit is process-wide, so it is only ever raised; 2**31 - 1 fits a C long everywhere.
_FIELD_LIMIT = 2**31 - 1
_SNIFF_SAMPLE = 64 * 1024
_DELIMITERS = (",", ";", "\t", "|")


def _lines(text: str) -> io.StringIO:
    # Only "\n" ends a line: the text has normalised line endings, and other Unicode
    # line separators inside a field must not split a record.
    return io.StringIO(text, newline="\n")


def _reason(error: csv.Error) -> str:
    message = str(error)
    if "expected after" in message:
        return "a closing quote is followed by other characters (quotes inside a quoted field must be doubled)"
    if "field larger than field limit" in message:
        return "a field is too large"
    return message.rstrip(".")


def _first_row(text: str, delimiter: str) -> list[str] | None:
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                return row
    except csv.Error:
        return None
    return None


def _choose_delimiter(text: str) -> str:
    """The sniffed delimiter, unless another common one is what makes the header sensible."""
    sample = text[:_SNIFF_SAMPLE]
    if len(text) > _SNIFF_SAMPLE and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except Exception:  # the sniffer raises csv.Error and, on odd input, others
        sniffed = ","
    for delimiter in (sniffed, *_DELIMITERS):
        header = _first_row(text, delimiter)
        if header is not None and "text" in match_fields(header):
            return delimiter
    return sniffed


def _records(reader: Iterator[list[str]], name: str) -> Iterator[tuple[int, list[str]]]:
    """Rows with the physical line each starts on; parse errors become messages."""
    line_before = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise ImportFormatError(
                    f"{name}, line {line_before + 1}: unterminated quoted field."
                ) from exc
            raise ImportFormatError(
                f"{name}, line {reader.line_num}: {_reason(exc)}."  # type: ignore[attr-defined]
            ) from exc
        line = line_before + 1
        line_before = reader.line_num  # type: ignore[attr-defined]
        yield line, row


def read_tabular(data: bytes, name: str, *, delimiter: str | None = None) -> list[ImportedArticle]:
    """Articles from CSV (``delimiter=None``: sniffed, else comma) or TSV (``"\\t"``)."""
    text = decode_text(data, name)
    if not text.strip():
        raise ImportFormatError(f"{name} is empty.")
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    if delimiter is None:
        delimiter = _choose_delimiter(text)
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    records = _records(reader, name)

    header: list[str] | None = None
    header_line = 0
    for line, row in records:
        if any(cell.strip() for cell in row):
            header, header_line = [cell.strip() for cell in row], line
            break
    if header is None:
        raise ImportFormatError(f"{name} is empty.")
    fields = match_fields(header)
    if "text" not in fields:
        raise ImportFormatError(
            f"{name} has no text column (expected one of "
            f"{', '.join(FIELD_ALIASES['text'])}; found {describe_names(header)})."
        )
    seen: dict[str, int] = {}
    for index, column in enumerate(header):
        key = column.lower()
        if key and key in seen:
            raise ImportFormatError(
                f"{name}, line {header_line}: the column {column!r} appears twice."
            )
        seen[key] = index
    position = {field: header.index(column) for field, column in fields.items()}
    used = set(position.values())

    articles: list[ImportedArticle] = []
    for line, row in records:
        if not any(cell.strip() for cell in row):
            continue  # blank line or a row of empty cells
        if len(row) != len(header):
            raise ImportFormatError(
                f"{name}, line {line}: {len(row)} fields where the header has {len(header)} columns."
            )
        body = row[position["text"]]
        if not body.strip():
            raise ImportFormatError(f"{name}, line {line}: the text is empty.")
        composed = compose(row[position["title"]] if "title" in position else None, body)
        metadata: dict[str, object] = {}
        for index, (column, value) in enumerate(zip(header, row, strict=True)):
            if index in used:
                continue
            if not column:
                if not value.strip():
                    continue  # an unnamed, empty column (e.g. a trailing delimiter)
                column = f"column {index + 1}"
            metadata[column] = value

        def value_of(field: str, row: list[str] = row) -> str | None:
            return text_or_none(row[position[field]]) if field in position else None

        articles.append(
            ImportedArticle(
                title=composed.title,
                text=composed.text,
                origin=f"{name}, line {line}",
                external_id=value_of("external_id"),
                source=value_of("source"),
                url=value_of("url"),
                published=value_of("published"),
                language=value_of("language"),
                metadata=metadata,
            )
        )
    if not articles:
        raise ImportFormatError(f"{name} has a header row but no articles.")
    return articles


def read_csv(data: bytes, name: str) -> list[ImportedArticle]:
    return read_tabular(data, name)


def read_tsv(data: bytes, name: str) -> list[ImportedArticle]:
    return read_tabular(data, name, delimiter="\t")
