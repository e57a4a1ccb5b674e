"""A paragraph per measured item of the agreement report, for a methods section.

Krippendorff (2019, section 12.8) asks a reliability report to name the coefficient and
its metric, the number of units, coders and pairable values, the value with its
confidence interval, and q, the probability that alpha fails to reach the smallest
acceptable value; and to say how missing values and units (here spans) were treated.
A single choice's paragraph also names the option with the lowest category-specific
alpha (Krippendorff 1980) and the option it is most confused with.
``loupe agreement --methods`` prints these paragraphs (plain text or Markdown) and the
Excel export writes them on its Methods sheet. Built from :mod:`app.services.agreement.report`
only; nothing is computed again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.core.coefficients import COEFFICIENT_TITLES
from app.services.agreement.report import AgreementReport, Figure, Measure, Settings

_HEADLINE = ("krippendorff_alpha", "unitizing_alpha", "f1", "f1_micro")

_METHODS = {
    "kalpha": "the KALPHA bootstrap of Hayes & Krippendorff (2007)",
    "bootstrap": "a percentile bootstrap over units",
    "bootstrap_articles": "a percentile bootstrap over articles",
}

#: How each section's values, missing values and spans were treated.
_TREATMENT = {
    "Article questions": "Each article is a unit; an unanswered question is a missing value, "
    "not a category, and an article with fewer than two answers is not pairable.",
    "Spans": "Spans are compared on each article's text as a continuum of characters "
    "(alpha_U over the articles' concatenated continuum; overlapping spans of one coder "
    "and label merged first; a discontinuous span counts each fragment); F1 matches spans "
    "of the same label one to one, exactly (same fragments) or by overlap (characters both "
    "cover).",
    "Attributes": "Each pair of spans matched by overlap is a unit with two values; an "
    "empty attribute is a missing value, not a category.",
    "Relations": "A relation matches when the other coder has one of the same type between "
    "the spans its endpoints were matched to (overlap matching); alpha on relation types "
    "takes the endpoint pairs both coders related as units.",
}


@dataclass(frozen=True)
class MethodsParagraph:
    """One measured item's paragraph: its section, name and the sentences."""

    section: str
    item: str
    kind: str
    sentences: tuple[str, ...]

    def text(self) -> str:
        return f"{self.item} ({self.kind}). " + " ".join(self.sentences)

    def markdown(self) -> str:
        return f"**{_escape(self.item)}** ({self.kind}). " + " ".join(_escape(s) for s in self.sentences)


def _escape(text: str) -> str:
    for mark in ("\\", "*", "_", "`", "[", "]", "<", ">"):
        text = text.replace(mark, "\\" + mark)
    return text


def _three(value: float) -> str:
    text = f"{value:.3f}"
    return "0.000" if text == "-0.000" else text


def _coefficient(f: Figure) -> str:
    name = COEFFICIENT_TITLES.get(f.coefficient, f.coefficient)
    if f.coefficient == "krippendorff_alpha":
        return f"{name} ({f.level} metric)"
    if f.coefficient in ("f1", "f1_micro"):
        return f"{name} ({f.level} matching)" if f.level in ("exact", "overlap") else f"{name} ({f.level})"
    return name


def _value(f: Figure, settings: Settings) -> str:
    if not math.isfinite(f.value):
        return f"{_coefficient(f)} is undefined." + (f" {f.note}" if f.note else "")
    text = f"{_coefficient(f)} = {_three(f.value)}"
    i = f.interval
    if i is None:
        why = " (no interval: bootstrap switched off)" if not settings.n_bootstrap else " (no interval)"
        return text + why + "."
    text += (
        f", {i.level:.0%} confidence interval [{_three(i.low)}, {_three(i.high)}] "
        f"({_METHODS.get(i.method, i.method)}, {i.n_resamples} resamples, seed {i.seed})"
    )
    q8, q667 = i.q(0.8), i.q(0.667)
    if q8 is not None and q667 is not None:
        text += (
            f"; the probability q of failing to reach alpha = 0.800 is {_three(q8)}, "
            f"of failing to reach 0.667 {_three(q667)}"
        )
    return text + "."


def _counts(section: str, f: Figure) -> str:
    coders = f"{f.n_coders} coders ({', '.join(f.coders)})" if f.coders else f"{f.n_coders} coders"
    c = f.components
    if f.coefficient == "unitizing_alpha":
        return (
            f"Computed for {coders} over {c.get('n_articles', 0)} articles "
            f"({c.get('continuum_length', 0)} characters) holding {f.n_units} spans."
        )
    if f.coefficient in ("f1", "f1_micro"):
        things = "relations" if section == "Relations" else "spans"
        return (
            f"Computed for {coders} on {c.get('n_first', 0)} and {c.get('n_second', 0)} {things}, "
            f"{c.get('matched', 0)} matched."
        )
    unit = {"Article questions": "articles", "Attributes": "matched spans"}.get(section, "units")
    pairable = c.get("n_pairable_values")
    values = f" and {pairable} pairable values" if pairable is not None else ""
    return f"Computed for {coders} over {f.n_units} pairable {unit}{values}."


def _count(value: float) -> str:
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{text} coincidence" + ("" if text == "1" else "s")


def options_sentence(measure: Measure) -> str | None:
    """For a single choice, the option with the lowest category-specific alpha (the
    first listed on a tie) and the option it is most confused with; None when no option
    has an alpha (none chosen, or no unit with two values)."""
    rated = [o for o in measure.options if o.n_chosen and math.isfinite(o.alpha)]
    if not rated:
        return None
    low = min(rated, key=lambda o: o.alpha)
    if low.confused_with is None:  # alpha 1 for every option: no pair of values differs
        return (
            "Per option (Krippendorff's category-specific alpha), agreement was "
            f"{_three(low.alpha)} for every option measured: no option was confused with another."
        )
    return (
        "Per option (Krippendorff's category-specific alpha), agreement was lowest for "
        f"'{low.option}' (alpha = {_three(low.alpha)}), most often confused with "
        f"'{low.confused_with}' ({_count(low.n_confused)})."
    )


def paragraph(section: str, measure: Measure, settings: Settings) -> MethodsParagraph:
    """The paragraph of one measured item."""
    head = next((f for code in _HEADLINE for f in measure.figures if f.coefficient == code), None)
    if head is None and measure.figures:
        head = measure.figures[0]
    if head is None:
        sentences: tuple[str, ...] = (measure.note or "Nothing was measured.", _TREATMENT[section])
        return MethodsParagraph(section, measure.name, measure.kind, sentences)
    sentences = (_value(head, settings), _counts(section, head))
    if head.coefficient == "unitizing_alpha":  # the span matching figures beside alpha_U
        sentences += tuple(
            _value(f, settings) for f in measure.figures if f.coefficient in ("f1", "f1_micro")
        )
    per_option = options_sentence(measure)
    if per_option is not None:
        sentences += (per_option,)
    sentences += (_TREATMENT[section],)
    if measure.note:
        sentences = (*sentences, measure.note)
    return MethodsParagraph(section, measure.name, measure.kind, sentences)


def methods_paragraphs(report: AgreementReport) -> list[MethodsParagraph]:
    """A paragraph per measured item, in report order."""
    return [
        paragraph(section, measure, report.settings)
        for section, measures in report.sections()
        for measure in measures
    ]


def methods_document(report: AgreementReport, *, markdown: bool = False) -> str:
    """The paragraphs under a heading per section, plain text or Markdown."""
    lines: list[str] = []
    intro = (
        f"Inter-coder agreement of {len(report.coders)} coders ({', '.join(report.coders)}) on "
        f"{len(report.articles)} articles that two or more of them finished. "
        + report.methods["articles"]
    )
    lines += ["# Reliability" if markdown else "RELIABILITY", "", _escape(intro) if markdown else intro]
    current = None
    for p in methods_paragraphs(report):
        if p.section != current:
            current = p.section
            lines += ["", f"## {p.section}" if markdown else p.section.upper()]
        lines += ["", p.markdown() if markdown else p.text()]
    return "\n".join(lines) + "\n"
