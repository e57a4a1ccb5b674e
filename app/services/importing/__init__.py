"""Importing: articles from files and folders, coding that comes with them (doccano JSON
Lines, brat, REFI-QDA), pre-highlighting, and the sentences that report what an import did.

This module is the public face of the package: the window, the command line, the other
services and the benchmarks import it and nothing else from here (an import-linter
contract in ``pyproject.toml`` keeps them on it). The other modules are its parts and
may change shape freely; they never import this module:

- ``run``           :func:`import_articles`: read every file, pre-highlight, write once
- ``coding``        coding that comes with articles mapped to the codebook and checked
- ``annotations``   ``import-annotations``: coded files onto articles already imported
- ``brat``          brat ``.ann`` files beside the texts
- ``qdpx``          REFI-QDA projects
- ``prehighlight``  pre-highlighting with the NLP pipeline (also ``preannotate``)
- ``report``        what an import did, in the command line's and the window's words
"""

from __future__ import annotations

from app.services.importing.annotations import AnnotationImportReport, import_annotations
from app.services.importing.brat import BratCounts, parse_drop
from app.services.importing.prehighlight import preannotate, tag_texts
from app.services.importing.qdpx import QdpxImportReport, import_qdpx
from app.services.importing.report import (
    BRAT_KINDS,
    CODER_FIELD,
    DROP_FIELD,
    TRIM_FIELD,
    CodingInFiles,
    ReportLine,
    coding_in,
    edge_lines,
    import_lines,
    in_window_words,
    window_text,
)
from app.services.importing.run import ImportReport, import_articles, package_refusal, read_sources

__all__ = [
    "BRAT_KINDS",
    "CODER_FIELD",
    "DROP_FIELD",
    "TRIM_FIELD",
    "AnnotationImportReport",
    "BratCounts",
    "CodingInFiles",
    "ImportReport",
    "QdpxImportReport",
    "ReportLine",
    "coding_in",
    "edge_lines",
    "import_annotations",
    "import_articles",
    "import_lines",
    "import_qdpx",
    "in_window_words",
    "package_refusal",
    "parse_drop",
    "preannotate",
    "read_sources",
    "tag_texts",
    "window_text",
]
