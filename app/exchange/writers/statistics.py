"""Data sets for statistics programs: SPSS ``.sav``, Stata ``.dta`` and a folder for R.

A :class:`Dataset` is a rectangle of typed columns (one :class:`Variable` each) held
column by column in compact arrays: a million cells of codes cost eight megabytes, not
a million Python objects. The writers map each variable's full name to a name the
program accepts (:func:`variable_names`): SPSS takes 64 bytes, Stata 32 characters,
both letters, digits and ``_`` from a letter, and each has reserved words. The mapping
is deterministic and never merges two variables: a name that had to change ends in four
hex digits of a hash of the full name (so it is the same in every export of the
codebook), a name still taken gets ``_2``, ``_3`` ... in column order, and names are
unique ignoring case (SPSS ignores it). A variable whose name changed carries its full
name at the start of its variable label.

Kinds of variable: ``code`` (integer codes with value labels, missing allowed: choice
answers, roles, statuses), ``count`` (an integer never missing), ``number`` (a float,
missing allowed), ``date`` and ``string``. Missing numbers are system-missing (SPSS)
or ``.`` (Stata), never 0; SPSS and Stata have no missing string, so a missing string
is empty there. Characters statistics programs cannot hold or show (C0 controls other
than tab, line feed and carriage return, C1 controls, U+FFFE, U+FFFF, unpaired
surrogates; a NUL would end a string early) become U+FFFD one for one, as in a
workbook; every other character (emoji, Cyrillic, Arabic) is kept.

SPSS and Stata files are written with pyreadstat (ReadStat) from a pandas data frame,
both imported only when such a file is written. The R folder needs neither: see
:func:`write_r_folder`.
May import: pyreadstat, pandas, numpy, the standard library and :mod:`app.core`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.exchange.writers.cells import FORMULA_STARTS, replace_characters

VARIABLE_KINDS = ("code", "count", "number", "date", "string")
MEASURES = ("nominal", "ordinal", "scale")


class StatisticsWriteError(Exception):
    """pyreadstat refused to write the file; the message is ReadStat's own sentence."""


class StatisticsUnavailable(Exception):
    """pyreadstat or pandas is not installed."""


@dataclass(frozen=True, slots=True)
class Variable:
    """One column: its full name, what it holds, and how to read its codes."""

    name: str
    description: str
    kind: str
    #: (code, label) pairs of a ``code`` variable, in order (an ordinal scale's from low to high).
    value_labels: tuple[tuple[int, str], ...] = ()
    measure: str = "nominal"

    def __post_init__(self) -> None:
        if self.kind not in VARIABLE_KINDS:
            raise ValueError(f"unknown variable kind {self.kind!r}")
        if self.measure not in MEASURES:
            raise ValueError(f"unknown measure {self.measure!r}")


_TYPECODES = {"code": "d", "number": "d", "count": "i"}


@dataclass
class Dataset:
    """Rows appended one at a time, stored column by column."""

    variables: Sequence[Variable]
    title: str = ""
    notes: list[str] = field(default_factory=list)
    columns: list[Any] = field(init=False)

    def __post_init__(self) -> None:
        self.columns = [
            array(_TYPECODES[v.kind]) if v.kind in _TYPECODES else [] for v in self.variables
        ]

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def append(self, row: Sequence[Any]) -> None:
        """Add a row: one value per variable, ``None`` where missing."""
        if len(row) != len(self.variables):
            raise ValueError(f"a row of {len(row)} values for {len(self.variables)} variables")
        for column, variable, value in zip(self.columns, self.variables, row, strict=True):
            kind = variable.kind
            if kind == "code" or kind == "number":
                column.append(math.nan if value is None else float(value))
            elif kind == "count":
                column.append(int(value or 0))
            elif kind == "string":
                column.append(None if value is None else replace_characters(str(value)))
            else:
                column.append(value if isinstance(value, date) else None)


# -- names -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NameRules:
    """What a program accepts as a variable name (all of them: ASCII letters, digits, ``_``)."""

    limit: int
    reserved: frozenset[str]


SPSS_NAMES = NameRules(64, frozenset(
    "all and by eq ge gt le lt ne not or to with".split()
))
STATA_NAMES = NameRules(32, frozenset(
    "_all _b byte _coef _cons double float if in int long _n _pi _pred _rc _skip strl "
    "using with str".split()
) | frozenset(f"str{n}" for n in range(1, 2046)))
R_NAMES = NameRules(64, frozenset(
    "if else repeat while function for in next break true false null inf nan na "
    "na_integer_ na_real_ na_character_ na_complex_".split()
))

_NOT_NAME = re.compile(r"[^0-9A-Za-z_]+")


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:4]


def variable_name(full: str, rules: NameRules) -> str:
    """The name ``full`` gets under ``rules`` before collisions are resolved: ``full``
    itself when valid, else its letters, digits and underscores cut to the limit and
    ending in ``_`` and four hex digits of its hash."""
    clean = _NOT_NAME.sub("_", full).strip("_")
    if not clean or not clean[0].isalpha():
        clean = "v_" + clean if clean else "v"
    if clean == full and len(clean) <= rules.limit and clean.casefold() not in rules.reserved:
        return clean
    tag = "_" + _short_hash(full)
    return clean[: rules.limit - len(tag)].rstrip("_") + tag


def variable_names(full_names: Sequence[str], rules: NameRules) -> list[str]:
    """Valid, distinct (ignoring case) names for ``full_names``, in order."""
    taken: set[str] = set()
    names: list[str] = []
    for full in full_names:
        name = variable_name(full, rules)
        number = 1
        while name.casefold() in taken:
            number += 1
            tail = f"_{number}"
            name = variable_name(full, rules)[: rules.limit - len(tail)] + tail
        taken.add(name.casefold())
        names.append(name)
    return names


def variable_label(variable: Variable, name: str, limit: int) -> str:
    """The description, after the full name when the program's name differs from it,
    in at most ``limit`` characters. When both do not fit, the full name alone; when
    that does not fit either, its beginning and its end (where names made of a label,
    an attribute and a value differ), joined by an ellipsis."""
    description = replace_characters(" ".join(variable.description.split()))
    if name == variable.name:
        return description if len(description) <= limit else description[: limit - 1] + "\u2026"
    full = replace_characters(variable.name)
    for text in (f"{full}: {description}", full):
        if len(text) <= limit:
            return text
    head = (limit - 1) // 2
    return full[:head] + "\u2026" + full[-(limit - 1 - head):]


def _cut_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode("utf-8", errors="ignore") + "\u2026"


# -- SPSS and Stata ----------------------------------------------------------------------


def _modules() -> tuple[Any, Any, Any]:
    try:
        import numpy
        import pandas
        import pyreadstat
    except ImportError as exc:
        raise StatisticsUnavailable(str(exc)) from exc
    return numpy, pandas, pyreadstat


#: Day 0 of SPSS dates (counted in seconds) and Stata dates (counted in days).
SPSS_EPOCH = date(1582, 10, 14)
STATA_EPOCH = date(1960, 1, 1)


def _frame(dataset: Dataset, names: Sequence[str], epoch: date, day: float) -> Any:
    """A pandas data frame of ``dataset``; dates as numbers from ``epoch`` in units
    of ``day``, so that a date column is one even when every date is missing."""
    numpy, pandas, _ = _modules()
    data: dict[str, Any] = {}
    for name, variable, column in zip(names, dataset.variables, dataset.columns, strict=True):
        if variable.kind == "date":
            data[name] = numpy.array(
                [math.nan if v is None else (v - epoch).days * day for v in column], dtype=numpy.float64
            )
        elif variable.kind in ("code", "number"):
            data[name] = numpy.frombuffer(column, dtype=numpy.float64) if column else numpy.empty(0)
        elif variable.kind == "count":
            data[name] = numpy.frombuffer(column, dtype=numpy.int32) if column else numpy.empty(0, numpy.int32)
        else:
            data[name] = pandas.Series(column, dtype=object)
    return pandas.DataFrame(data, copy=False)


@dataclass(frozen=True)
class _Program:
    writer: str
    names: NameRules
    label_limit: int
    value_label_bytes: int
    code_format: str
    date_format: str
    epoch: date
    day: float


_SPSS = _Program("write_sav", SPSS_NAMES, 256, 120, "F8.0", "DATE11", SPSS_EPOCH, 86_400.0)
_STATA = _Program("write_dta", STATA_NAMES, 80, 32_000, "%8.0g", "%td", STATA_EPOCH, 1.0)


def _write(path: Path, dataset: Dataset, program: _Program, **options: Any) -> list[str]:
    _, _, pyreadstat = _modules()
    names = variable_names([v.name for v in dataset.variables], program.names)
    named = list(zip(names, dataset.variables, strict=True))
    labels = {name: variable_label(v, name, program.label_limit) for name, v in named}
    value_labels = {
        name: {
            code: _cut_bytes(replace_characters(text), program.value_label_bytes)
            for code, text in v.value_labels
        }
        for name, v in named
        if v.kind == "code" and v.value_labels
    }
    formats = {name: program.code_format for name, v in named if v.kind == "code"}
    formats.update((name, program.date_format) for name, v in named if v.kind == "date")
    frame = _frame(dataset, names, program.epoch, program.day)
    try:
        getattr(pyreadstat, program.writer)(
            frame, str(path), column_labels=labels, variable_value_labels=value_labels,
            variable_format=formats, **options,
        )
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as exc:
        raise StatisticsWriteError(str(exc)) from exc
    return names


def write_sav(path: Path, dataset: Dataset) -> list[str]:
    """Write an SPSS system file (row-compressed); returns the variable names used."""
    names = variable_names([v.name for v in dataset.variables], SPSS_NAMES)
    measures = {
        name: ("scale" if v.kind in ("count", "number") else v.measure)
        for name, v in zip(names, dataset.variables, strict=True)
    }
    notes = [_cut_bytes(replace_characters(note), 4000) for note in dataset.notes]
    return _write(
        path, dataset, _SPSS,
        file_label=_cut_bytes(replace_characters(dataset.title), 64), row_compress=True,
        variable_measure=measures, note=notes or None,
    )


def write_dta(path: Path, dataset: Dataset) -> list[str]:
    """Write a Stata 14+ (format 118, UTF-8) data set; returns the variable names used."""
    title = replace_characters(dataset.title)
    return _write(
        path, dataset, _STATA,
        file_label=title if len(title) <= 80 else title[:79] + "\u2026", version=15,
    )


# -- R ----------------------------------------------------------------------------------

R_DATA = "data.csv"
R_CODEBOOK = "codebook.csv"
R_CODEBOOK_JSON = "codebook.json"
R_SCRIPT = "read.R"
R_FILES = (R_DATA, R_CODEBOOK, R_CODEBOOK_JSON, R_SCRIPT)
_R_TYPES = {"code": "integer", "count": "integer", "number": "numeric", "date": "Date", "string": "character"}

READ_R = """\
# Reads the Loupe export in this folder into the data frame `loupe`, base R only:
#   loupe_folder <- "path/to/this/folder"; source(file.path(loupe_folder, "read.R"))
# (or source("read.R") with this folder as the working directory).
# Coded answers become factors (ordered for ordinal questions), dates Dates, and each
# column's "label" attribute holds its description. An empty field is NA. Text that a
# spreadsheet would take for a formula, or that begins with an apostrophe, was written
# with one more leading apostrophe: it is removed here.
local({
  folder <- if (exists("loupe_folder")) loupe_folder else "."
  codebook <- utils::read.csv(file.path(folder, "codebook.csv"), fileEncoding = "UTF-8",
                              na.strings = "", colClasses = "character")
  vars <- codebook[is.na(codebook$code), ]
  classes <- c(code = "integer", count = "integer", number = "numeric",
               date = "character", string = "character")[vars$type]
  names(classes) <- vars$variable
  data <- utils::read.csv(file.path(folder, "data.csv"), fileEncoding = "UTF-8",
                          na.strings = "", colClasses = classes, check.names = FALSE,
                          quote = "\\"", comment.char = "")
  for (i in seq_len(nrow(vars))) {
    v <- vars$variable[i]
    x <- data[[v]]
    if (vars$type[i] == "string") x <- sub("^'", "", x)
    if (vars$type[i] == "date") x <- as.Date(x)
    if (vars$type[i] == "code") {
      codes <- codebook[!is.na(codebook$code) & codebook$variable == v, ]
      x <- factor(x, levels = as.integer(codes$code), labels = codes$value_label,
                  ordered = vars$measure[i] == "ordinal")
    }
    attr(x, "label") <- vars$label[i]
    data[[v]] <- x
  }
  loupe <<- data
})
"""


def r_text(text: str) -> str:
    """A string field of the R data: one more leading apostrophe when it begins with one
    or with what a spreadsheet reads as a formula (``read.R`` removes exactly one)."""
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def _r_fields(variable: Variable, column: Any) -> Iterable[str]:
    kind = variable.kind
    if kind in ("code", "number"):
        if kind == "code":
            return ("" if math.isnan(v) else str(int(v)) for v in column)
        return ("" if math.isnan(v) else repr(v) for v in column)
    if kind == "count":
        return (str(v) for v in column)
    if kind == "date":
        return ("" if v is None else v.isoformat() for v in column)
    return ("" if v is None else r_text(v) for v in column)


def codebook_document(dataset: Dataset, names: Sequence[str]) -> dict[str, Any]:
    """What ``codebook.json`` holds: every variable's name, full name, label, type,
    measure and value labels, and how the data file is written."""
    return {
        "title": replace_characters(dataset.title),
        "notes": [replace_characters(note) for note in dataset.notes],
        "data": R_DATA,
        "encoding": "UTF-8, comma-separated, RFC 4180 quoting, no byte order mark",
        "missing": "an empty field",
        "text": "a string beginning with = + - @ tab, carriage return or ' has one more leading '",
        "variables": [
            {
                "name": name, "full_name": v.name, "label": replace_characters(v.description),
                "type": _R_TYPES[v.kind], "kind": v.kind, "measure": "scale" if v.kind in ("count", "number") else v.measure,
                "value_labels": [{"code": code, "label": replace_characters(text)} for code, text in v.value_labels],
            }
            for name, v in zip(names, dataset.variables, strict=True)
        ],
    }


def write_r_folder(folder: Path, dataset: Dataset) -> list[str]:
    """Write ``data.csv``, ``codebook.csv``, ``codebook.json`` and ``read.R`` into
    ``folder``; returns the variable names used (R's rules, so ``loupe$name`` works)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = variable_names([v.name for v in dataset.variables], R_NAMES)
    with (folder / R_DATA).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        columns = [_r_fields(v, c) for v, c in zip(dataset.variables, dataset.columns, strict=True)]
        writer.writerows(zip(*columns, strict=True))
    with (folder / R_CODEBOOK).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["variable", "full_name", "type", "measure", "label", "code", "value_label"])
        for name, v in zip(names, dataset.variables, strict=True):
            measure = "scale" if v.kind in ("count", "number") else v.measure
            label = replace_characters(" ".join(v.description.split()))
            writer.writerow([name, v.name, v.kind, measure, label, "", ""])
            for code, text in v.value_labels:
                writer.writerow([name, v.name, "", "", "", code, replace_characters(text)])
    document = codebook_document(dataset, names)
    (folder / R_CODEBOOK_JSON).write_text(
        json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (folder / R_SCRIPT).write_text(READ_R, encoding="utf-8", newline="\n")
    return names
