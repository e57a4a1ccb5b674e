"""What an import of articles did, in the sentences ``loupe import`` prints and File >
Import shows, and which of the files to import can bring coding (so the window asks
whose it is only then).

Pure Python on the GUI thread or in a terminal: no Qt, no printing. The command line
prints each :class:`ReportLine` to the stream it names; the window shows the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import ImportFormatError
from app.core.printable import printable
from app.exchange.readers.brat import KINDS
from app.services.importing.brat import annotations_beside
from app.services.importing.run import ImportReport

#: The kinds of brat annotation ``--drop`` can leave out, in the order they are reported.
BRAT_KINDS: tuple[str, ...] = KINDS
#: Files that can bring their own coding: doccano JSON Lines and REFI-QDA projects.
CODED_SUFFIXES = frozenset({".jsonl", ".ndjson", ".qdpx"})
TRIM_HINT = "--trim-spans trims them"

#: The import dialog's names for what the command line's options do (File > Import).
CODER_FIELD = "Coding in the files belongs to"
TRIM_FIELD = "Trim white space at span edges"
DROP_FIELD = "Leave out what the codebook cannot hold"


@dataclass(frozen=True)
class ReportLine:
    """One line of the report. ``error``: the command line prints it to stderr;
    ``listing``: one of a list of like lines (a duplicate each) the summary counts."""

    text: str
    error: bool = False
    listing: bool = False


@dataclass(frozen=True)
class CodingInFiles:
    """Which of the chosen files can bring coding: any at all, brat ``.ann`` files
    beside ``.txt`` files, REFI-QDA projects (which take every file down their route)."""

    any: bool = False
    brat: bool = False
    qdpx: bool = False


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 article``, ``2 articles`` (as :func:`app.cli.common.plural` writes them)."""
    return f"{count} {noun if count == 1 else plural_form or noun + 's'}"


def coding_in(inputs: Iterable[str | Path]) -> CodingInFiles:
    """What coding ``inputs`` (files and folders, as an import reads them) can bring.

    A path the import would refuse counts for nothing here: the import says why."""
    from app.exchange.readers import expand_inputs  # lists folders: only when asked

    try:
        files = expand_inputs(list(inputs), skipped=[])
    except ImportFormatError:
        return CodingInFiles()
    brat = bool(annotations_beside(files))
    qdpx = any(f.suffix.lower() == ".qdpx" for f in files)
    coded = any(f.suffix.lower() in CODED_SUFFIXES for f in files)
    return CodingInFiles(any=brat or coded, brat=brat and not qdpx, qdpx=qdpx)


def import_lines(
    report: ImportReport, coder: str | None, trim: bool, *, trim_hint: str = TRIM_HINT
) -> list[ReportLine]:
    """Every line of ``loupe import``'s output for ``report``, in its order."""
    lines = [ReportLine(f"skipped: {printable(m)}", error=True) for m in report.bad_files]
    lines += [ReportLine(f"duplicate: {printable(m)}", listing=True) for m in report.duplicates]
    lines += [ReportLine(f"not imported: {printable(note)}", error=True) for note in report.notes]
    if report.warning:
        lines.append(ReportLine(f"warning: {printable(report.warning)}", error=True))
    lines.append(ReportLine(summary_line(report, coder)))
    lines += [ReportLine(line) for line in coding_lines(report, coder, trim, trim_hint=trim_hint)]
    return lines


def summary_line(report: ImportReport, coder: str | None) -> str:
    """``Imported 3 articles with 12 entities (model); 1 duplicate skipped.``"""
    extra = f", {plural(report.annotations, 'annotation')} of {coder or 'the coders of the file'}" if report.annotations else ""
    model = f" ({report.model})" if report.model else ""
    return (
        f"Imported {plural(report.imported, 'article')} with "
        f"{plural(report.entities, 'entity', 'entities')}{model}{extra}; "
        f"{plural(len(report.duplicates), 'duplicate')} skipped"
        + (f", {plural(len(report.bad_files), 'bad file')} skipped." if report.bad_files else ".")
    )


def coding_lines(report: ImportReport, coder: str | None, trim: bool, *, trim_hint: str = TRIM_HINT) -> list[str]:
    """What happened to the coding that came with the articles, a sentence each."""
    lines = []
    if report.attached_spans:
        lines.append(
            f"Attached {plural(report.attached_spans, 'span')} to "
            f"{plural(report.attached_articles, 'existing article')} (lines whose text was already imported)."
        )
    if report.relations or report.answers:
        lines.append(
            f"Imported {plural(report.relations, 'relation')} and {plural(report.answers, 'answer')} of {coder}."
        )
    if report.already_present:
        lines.append(f"{plural(report.already_present, 'span')} of {coder} already present.")
    lines.extend(edge_lines(report.edge_spans, report.trimmed, trim, hint=trim_hint))
    if report.repeated_relations:
        lines.append(f"{plural(report.repeated_relations, 'relation')} given more than once, written once.")
    if report.brat is not None:
        lines.extend(f"brat {line}" for line in report.brat.lines())
    return lines


def edge_lines(edges: int, trimmed: int, trim: bool, *, hint: str = TRIM_HINT) -> list[str]:
    """The sentence about spans with white space at an edge (none when there are none)."""
    if not edges:
        return []
    if not trim:
        verb = "begins or ends" if edges == 1 else "begin or end"
        return [f"{plural(edges, 'span')} {verb} with white space ({hint})."]
    left = edges - trimmed
    parts = [f"trimmed white space off the edges of {plural(trimmed, 'span')}"] if trimmed else []
    if left:
        parts.append(f"left out {plural(left, 'span')} of white space only")
    sentence = "; ".join(parts)
    return [sentence[0].upper() + sentence[1:] + "."]


def window_text(lines: Sequence[ReportLine]) -> tuple[str, str]:
    """The report for a window: (the summary and what needs reading, the duplicates
    one a line); the summary first, the command line's stderr lines after it, options
    named as the import dialog names them."""
    main = [line.text for line in lines if not line.error and not line.listing]
    main += [line.text for line in lines if line.error]
    listed = [line.text for line in lines if line.listing]
    return in_window_words("\n".join(main)), in_window_words("\n".join(listed))


def in_window_words(text: str) -> str:
    """``text`` (a report line or a refusal) with the command line's options named as the
    import dialog names them: "--coder NAME" is its coder field, "--drop events" its
    ticked kinds."""
    text = text.replace("with --coder NAME", f"in \u201c{CODER_FIELD}\u201d")
    text = text.replace("give --coder NAME", f"choose a coder in \u201c{CODER_FIELD}\u201d")
    text = text.replace("(--drop)", "(as asked)")
    return re.sub(
        r"with --drop ([a-z]+(?:,[a-z]+)*)",
        lambda m: f"by ticking {', '.join(m.group(1).split(','))} under \u201c{DROP_FIELD}\u201d",
        text,
    )
