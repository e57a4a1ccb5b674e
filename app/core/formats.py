"""Names of the file formats Loupe writes and reads back, shared by the command line
(which must offer them without loading the writers) and the services."""

from __future__ import annotations

#: Export formats; ``csv``, ``brat`` and ``r`` write a folder. ``sav`` (SPSS), ``dta``
#: (Stata) and ``r`` are data sets for statistics programs.
EXPORT_FORMATS = ("xlsx", "csv", "jsonl", "doccano", "brat", "docbin", "sav", "dta", "r", "qdpx")
#: The file dialogs' filter for project files (and coders' packages, which are projects).
PROJECT_FILTER = "Loupe projects (*.loupe);;All files (*)"
#: Formats whose annotations can be imported back as a coder's coding.
ANNOTATION_FORMATS = ("brat", "doccano")
