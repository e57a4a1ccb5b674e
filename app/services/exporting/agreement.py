"""The agreement sheets of the Excel export, from the agreement report service.

* ``Agreement``: one row per question, span label, attribute and relation type with its
  headline coefficient (Krippendorff's alpha, alpha_U for span labels), the interval,
  KALPHA's q (the probability of failure to reach alpha 0.800 and 0.667) for alpha,
  the units and coders counted, and a reading by Krippendorff's thresholds (0.800
  reliable, 0.667 tentative), coloured; percent agreement and F1 beside it; a bar chart
  of alpha_U per span label.
* ``Agreement per option``: for each option of a single-choice question or attribute,
  the times chosen, the category-specific alpha (Krippendorff 1980; coloured and read as
  on the Agreement sheet) and Fleiss' kappa_j, and the option it is most confused with,
  with the coincidences behind it (:mod:`app.services.agreement.options`).
* ``Coder pairs``: for each item and coefficient, a coder x coder matrix.
* ``Disagreements``: every differing unit, one row per coder's value.
* ``Methods``: a paragraph per measured item for a methods section, as ``loupe
  agreement --methods`` writes it (:mod:`app.services.methods_section`).

They need two or more coders who finished the same articles; otherwise each sheet
says why it is empty.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from app.core.coefficients import COEFFICIENT_TITLES
from app.core.exports import BarChartSpec, Column, ScoreBands, Table
from app.services.agreement.report import (
    AgreementReport,
    AgreementReportError,
    Figure,
    Measure,
    agreement_report,
)
from app.services.exporting.scope import ExportScope
from app.services.methods_section import methods_paragraphs
from app.services.progress import CancelFn, ProgressFn
from app.services.projects import Project

RELIABLE, TENTATIVE = 0.800, 0.667
_HEADLINE = ("krippendorff_alpha", "unitizing_alpha")


#: One colour scheme for the three readings, wherever they are shown: a pale fill behind
#: a number (the Excel sheet's conditional format, the window's tables) and a strong
#: colour for a bar or a line (the window's chart). Red is "not reliable" everywhere.
READING_COLORS: dict[str, tuple[str, str]] = {
    "reliable": ("#C6EFCE", "#1B7F3B"),
    "tentative": ("#FFEB9C", "#C99A00"),
    "not reliable": ("#FFC7CE", "#C62828"),
}


def reading(value: float | None) -> str:
    """Krippendorff's reading of an alpha: reliable, tentative or not reliable."""
    if value is None or not math.isfinite(value):
        return "undefined"
    if value >= RELIABLE:
        return "reliable"
    return "tentative" if value >= TENTATIVE else "not reliable"


def _number(value: float | None) -> float | None:
    """A finite value for a number cell; one that shows as 0.000 is written as 0 (a
    tiny negative such as -1e-17 would show as "-0.000")."""
    if value is None or not math.isfinite(value):
        return None
    return 0.0 if abs(value) < 0.0005 else value


def _three(value: float) -> str:
    """``value`` with three decimals, never "-0.000"."""
    text = f"{value:.3f}"
    return "0.000" if text == "-0.000" else text


def _first(*values: float | None) -> float | None:
    """The first value that is not None (0 is a value)."""
    return next((v for v in values if v is not None), None)


#: Why an item on which the coders agree completely can have a wide interval.
PERFECT_NOTE = (
    "The coders agree on every unit, so alpha is 1. The interval follows the KALPHA convention "
    "(Hayes & Krippendorff 2007): a resample drawn from one value only has no variation and counts "
    "as alpha 0, so with few units or values the low end can reach 0. It says the data are too few "
    "to be sure, not that the coders disagree."
)


def _name(f: Figure) -> str:
    name = COEFFICIENT_TITLES.get(f.coefficient, f.coefficient)
    return f"{name} ({f.level})" if f.level and f.level not in ("alpha_U",) else name


def _figure(measure: Measure, coefficient: str, level: str | None = None) -> float | None:
    f = measure.figure(coefficient, level)
    return None if f is None else _number(f.value)


def _agreement_rows(report: AgreementReport) -> Iterator[list[Any]]:
    for section, measures in report.sections():
        for m in measures:
            head = next((f for f in m.figures if f.coefficient in _HEADLINE), None)
            others = "; ".join(
                f"{_name(f)} {_three(f.value)}" for f in m.figures
                if f is not head and math.isfinite(f.value)
            )
            note = m.note or (head.note if head is not None else "No alpha for this item; see F1.")
            interval = head.interval if head is not None else None
            if head is not None and interval is not None and head.value >= 1.0 and interval.low < 1.0:
                note = " ".join(part for part in (note, PERFECT_NOTE, interval.note) if part)
            f1_exact = _first(_figure(m, "f1", "exact"), _figure(m, "f1_micro", "exact"))
            f1_overlap = _first(
                _figure(m, "f1", "overlap"), _figure(m, "f1_micro", "overlap"),
                _figure(m, "f1", "through matched spans"), _figure(m, "f1_micro", "through matched spans"),
            )
            yield [
                section, m.name, m.kind, head and _name(head), head and _number(head.value),
                interval and _number(interval.low), interval and _number(interval.high),
                interval and interval.method, interval and _number(interval.q(RELIABLE)),
                interval and _number(interval.q(TENTATIVE)), head.n_units if head else None,
                head.n_coders if head else None, reading(head.value) if head else None,
                _figure(m, "percent_agreement"), f1_exact, f1_overlap, others or None, note,
            ]


#: Why the per-option sheet is empty when the report has no single choice.
NO_OPTIONS_NOTE = (
    "No single-choice question or attribute was measured: agreement per option is given "
    "for single choices only."
)


def _count(value: float) -> float | int:
    """A coincidence count: whole for two coders, fractional (1 / (m - 1) per pair of
    values) for more."""
    return int(value) if float(value).is_integer() else value


def _option_rows(report: AgreementReport) -> Iterator[list[Any]]:
    """One row per option of every single choice on which an option was chosen."""
    for section, measures in report.sections():
        for m in measures:
            if not any(o.n_chosen for o in m.options):
                continue
            for o in m.options:
                confused = o.confused_with is not None
                yield [
                    section, m.name, str(o.option), o.n_chosen, _number(o.alpha),
                    reading(o.alpha), _number(o.kappa),
                    str(o.confused_with) if confused else None,
                    _count(o.n_confused) if confused else None,
                ]


def _pair_rows(report: AgreementReport) -> Iterator[list[Any]]:
    coders = report.coders
    for _, measures in report.sections():
        for m in measures:
            groups: dict[tuple[str, str], dict[frozenset[str], float | None]] = {}
            for f in m.pairs:
                groups.setdefault((f.coefficient, f.level), {})[frozenset(f.coders)] = _number(f.value)
            for (coefficient, level), values in groups.items():
                name = _name(Figure(coefficient, math.nan, "pair", level, 0, 2, {}))
                for row_coder in coders:
                    yield [m.name, name, row_coder, *(
                        None if other == row_coder else values.get(frozenset((row_coder, other)))
                        for other in coders
                    )]


def _disagreement_rows(report: AgreementReport) -> Iterator[list[Any]]:
    number = 0
    for section, measures in report.sections():
        for m in measures:
            if m.key.endswith(":*"):
                continue  # the same units as the items'
            for d in m.disagreements.stream():
                number += 1
                for v in d.values:
                    value = "; ".join(map(str, v.value)) if isinstance(v.value, list | tuple) else v.value
                    yield [number, section, m.name, d.article_id, d.article_title, d.kind, d.unit,
                           v.coder, None if value is None else str(value), v.start, v.end, v.text]


def agreement_tables(
    project: Project, scope: ExportScope, *, progress: ProgressFn, cancelled: CancelFn,
    n_bootstrap: int = 1000,
) -> list[Table]:
    """The five agreement sheets (with a note in place of rows when not measurable)."""
    report: AgreementReport | None = None
    why = ""
    if scope.coder_ids is not None:
        why = "Agreement compares coders; this export holds the work of " + (
            "the gold standard only." if scope.gold else f"{scope.coders[0].name} only."
        )
    else:
        progress(0, 1, "Measuring agreement")
        try:
            report = agreement_report(project, n_bootstrap=n_bootstrap, per_article=False)
        except AgreementReportError as exc:
            why = exc.message
        progress(1, 1, "Measuring agreement")
    coders = report.coders if report else ()
    columns = [
        Column("Section", width=16), Column("Item", width=26), Column("Kind", width=16),
        Column("Coefficient", width=28), Column("Value", "number"), Column("95% low", "number"),
        Column("95% high", "number"), Column("Interval", width=10), Column("q (alpha < 0.800)", "number"),
        Column("q (alpha < 0.667)", "number"), Column("Units", "integer"),
        Column("Coders", "integer"), Column("Reading", width=13), Column("Percent agreement", "number"),
        Column("F1 (exact)", "number"), Column("F1 (overlap)", "number"),
        Column("Other figures", width=50), Column("Note", width=50),
    ]
    chart = None
    if report is not None:
        rows = [len(report.questions) + i for i, m in enumerate(report.spans) if not m.key.endswith(":*")]
        if rows:
            chart = BarChartSpec("Agreement per span label (alpha_U)", "Item", "Value",
                                 min(rows), max(rows), "alpha_U")
    agreement = Table(
        "Agreement", columns, _agreement_rows(report) if report else iter(()), empty_note=why,
        bands=ScoreBands("Value", TENTATIVE, RELIABLE), chart=chart,
    )
    options = Table(
        "Agreement per option",
        [Column("Section", width=16), Column("Item", width=26), Column("Option", width=24),
         Column("Times chosen", "integer"), Column("Alpha", "number"), Column("Reading", width=13),
         Column("Kappa_j", "number"), Column("Most confused with", width=24),
         Column("Coincidences", "value", width=13)],
        _option_rows(report) if report else iter(()),
        empty_note=why or NO_OPTIONS_NOTE, bands=ScoreBands("Alpha", TENTATIVE, RELIABLE),
    )
    pairs = Table(
        "Coder pairs",
        [Column("Item", width=26), Column("Coefficient", width=28), Column("Coder", width=14),
         *(Column(c, "number") for c in coders)],
        _pair_rows(report) if report else iter(()), empty_note=why,
    )
    disagreements = Table(
        "Disagreements",
        [Column("Number", "integer"), Column("Section", width=16), Column("Item", width=26),
         Column("Article id", width=38), Column("Title", width=40), Column("Kind", width=10),
         Column("Unit", width=20), Column("Coder", width=14), Column("Value", width=20),
         Column("Start", "integer"), Column("End", "integer"), Column("Text", width=50)],
        _disagreement_rows(report) if report else iter(()),
        empty_note=why or "The coders agree on every unit.",
    )
    methods = Table(
        "Methods",
        [Column("Section", width=16), Column("Item", width=26), Column("Kind", width=16),
         Column("Paragraph", width=60)],
        ([p.section, p.item, p.kind, " ".join(p.sentences)] for p in methods_paragraphs(report))
        if report else iter(()),
        empty_note=why,
    )
    return [agreement, options, pairs, disagreements, methods]
