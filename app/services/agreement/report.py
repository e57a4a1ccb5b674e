"""The agreement report: inter-coder reliability of a project, with drill-down.

:func:`agreement_report` measures every article question, span label, attribute and
relation type over the articles that two or more coders finished, and returns one
:class:`AgreementReport`, a tree of frozen records that :meth:`AgreementReport.to_dict`
turns into JSON-ready data::

    AgreementReport
      coders, pairs, articles (id, title, coders who finished it), methods, settings
      questions / spans / attributes / relations: Measure
        figures   pooled Figures (the headline): coefficient, value, level, n_units,
                  components (e.g. observed/expected disagreement), interval (method)
        pairs     the same per coder pair (Figure.coders)
        articles  per article (Figure.article_id)
        disagreements  the differing units: article id and title, kind, each coder's
                  value with span offsets and text
        options   per option of a single choice: times chosen, alpha and kappa_j, most confused with
      not_measured  what was skipped and why

The command line, the window and the Excel export all read this one structure.
This is the one public module of :mod:`app.services.agreement`; :func:`load_corpus` and
:func:`answer_units` are passed through for the benchmarks, which time the agreement
functions alone on the report's units.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

from app.core.bulk import no_cycle_collection
from app.core.codebook import Codebook
from app.services.agreement.attributes import attribute_measures
from app.services.agreement.coded import question_measures
from app.services.agreement.figures import Disagreements, Figure, Interval, Measure, Settings
from app.services.agreement.matching import compare_pairs
from app.services.agreement.options import OptionAgreement
from app.services.agreement.relations import relation_measures
from app.services.agreement.spans import span_measures
from app.services.agreement.units import (
    AgreementReportError,
    CodedValue,
    Corpus,
    Disagreement,
    NotEnoughCodersError,
    UnknownCoderError,
    answer_units,
    load_corpus,
)
from app.services.agreement.versions import Sections, apply_scope, version_scope
from app.services.projects import Project, open_project
from app.store.snapshots import read_snapshot

__all__ = [
    "AgreementReport",
    "AgreementReportError",
    "ArticleRef",
    "CodedValue",
    "Disagreement",
    "Figure",
    "Interval",
    "Measure",
    "NotEnoughCodersError",
    "NotMeasured",
    "OptionAgreement",
    "UnknownCoderError",
    "agreement_report",
    "answer_units",
    "load_corpus",
    "project_agreement_report",
]


@dataclass(frozen=True)
class ArticleRef:
    """An article the report counts, with the compared coders who finished it."""

    id: str
    title: str
    coders: tuple[str, ...]


@dataclass(frozen=True)
class NotMeasured:
    """An item of the codebook the report does not measure, and why."""

    section: str
    name: str
    reason: str


@dataclass(frozen=True)
class AgreementReport:
    """Every figure of a project's inter-coder agreement (see the module notes)."""

    project: str
    codebook: str
    codebook_sha256: str
    coders: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    articles: tuple[ArticleRef, ...]
    n_excluded_articles: int
    settings: Settings
    methods: dict[str, str]
    questions: tuple[Measure, ...]
    spans: tuple[Measure, ...]
    attributes: tuple[Measure, ...]
    relations: tuple[Measure, ...]
    not_measured: tuple[NotMeasured, ...]
    #: "version N (name)" when measured as of an earlier codebook version.
    codebook_version: str | None = None

    def sections(self) -> tuple[tuple[str, tuple[Measure, ...]], ...]:
        """(heading, measures) in report order."""
        return (
            ("Article questions", self.questions),
            ("Spans", self.spans),
            ("Attributes", self.attributes),
            ("Relations", self.relations),
        )

    def measure(self, key: str) -> Measure:
        """The measure with this key, e.g. ``question:relevance`` or ``span:Actor``."""
        for _, measures in self.sections():
            for m in measures:
                if m.key == key:
                    return m
        raise KeyError(key)

    def index_disagreements(self) -> None:
        """List every measure's disagreements and index them by article and coder pair
        (they are otherwise built when first read)."""
        with no_cycle_collection():
            for _, measures in self.sections():
                for m in measures:
                    m.disagreements.build_indexes(self.pairs)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: undefined values (NaN) become ``null``."""
        return _plain(self)


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value) if f.metadata.get("plain", True)}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):  # named tuples
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | Disagreements):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # NumPy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def methods(settings: Settings) -> dict[str, str]:
    """How every figure is computed, in sentences for a methods section."""
    if settings.n_bootstrap:
        intervals = (
            f"Intervals cover {settings.confidence:.0%}, from {settings.n_bootstrap} "
            f"resamples with seed {settings.seed}; the same seed gives the same intervals."
        )
    else:
        intervals = "No intervals were computed (bootstrap switched off)."
    return {
        "articles": "Only articles that two or more of the compared coders marked done count; "
        "on each, only the coders who finished it. Articles finished by one coder are left "
        "out. Adjudicators are compared only when named.",
        "scope": "Pooled figures (the headline) cover every counted article; pair figures "
        "the articles both coders of the pair finished; article figures one article.",
        "missing": "An unanswered question or an empty attribute is a missing value, not a "
        "category.",
        "alpha": "Krippendorff's alpha: nominal for single choices, yes/no values, options "
        "of multiple choices (chosen or not) and relation types; ordinal for ordinal "
        "questions, categories in the codebook's order of options; interval for numbers.",
        "kappa": "Cohen's kappa per coder pair (quadratic weights over option positions for "
        "ordinal questions), Fleiss' kappa and Gwet's AC1; percent agreement is the mean "
        "share of agreeing pairs of values per unit. The kappa family handles missing values "
        "as in Gwet (2014): observed agreement over the units with two or more values, chance "
        "agreement from every value given.",
        "kalpha": "Intervals of alpha (method 'kalpha'): the bootstrap of Hayes & "
        "Krippendorff (2007) as in their KALPHA macro: pairs of pairable values are "
        "resampled with the expected disagreement held fixed, M = min(25 x nonzero cells of "
        "the coincidence matrix, n..(m-1)/2) pairs per resample; 'below' is the share of "
        "resamples under 0.667 and 0.8, KALPHA's q, the probability of failure to achieve "
        "an alpha of at least that minimum.",
        "bootstrap": "Intervals of the kappa family and percent agreement (method "
        "'bootstrap'): percentile bootstrap over units (Efron & Tibshirani, 1993).",
        "bootstrap_articles": "Intervals of span and relation F1 (method "
        "'bootstrap_articles'): percentile bootstrap over articles, each resample drawing "
        "as many articles as the figure counts and summing their span counts (articles, "
        "not spans, are the independent units). alpha_U has no interval.",
        "intervals": intervals,
        "spans": "Spans are compared per coder pair on each article both finished. Exact "
        "matching needs the same label, start and end; overlap matching pairs spans of one "
        "label that share a character, one to one, with the most pairs and then the most "
        "overlap. The first coder of a pair (alphabetically) is the reference: recall = "
        "matched / spans of the first, precision = matched / spans of the second, F1 = 2 "
        "matched / spans of both. Counts are summed over articles (and over pairs when "
        "pooled); micro F1 pools the labels' counts, macro F1 averages the labels' F1.",
        "unitizing": "Krippendorff's alpha_U per label and over all labels, on each "
        "article's text as a continuum of characters [0, length). Pooled alpha_U is computed "
        "on the concatenated continuum of the articles (each shifted by the lengths of those "
        "before it): over the articles every compared coder finished, or for a pair the "
        "articles both finished. Overlapping spans of one coder and label are merged first.",
        "gamma": "gamma (Mathet, Widlöcher & Métivier, 2015) on the same concatenated "
        "continua, with pygamma-agreement's defaults: combined positional and categorical "
        "dissimilarity (alpha = beta = delta_empty = 1), overlapping and nested spans kept, "
        "each fragment a unit; expected disorder from 30 continua drawn by its statistical "
        "sampler, seeded with the report's seed; best alignment exact for two coders and for "
        "small groups of units, else by coordinate descent over coders. gamma-cat over all "
        "labels, gamma-k per label (Mathet, 2017). Not computed above 5,000 spans; no interval.",
        "attributes": "Attributes are compared on the spans paired by overlap matching: each "
        "matched pair of spans is a unit with two values.",
        "relations": "A relation matches when the other coder has one of the same type "
        "between the spans its endpoints were matched to (overlap matching); alpha on "
        "relation types takes the endpoint pairs both coders related as units.",
    }


def agreement_report(
    project: Project,
    *,
    coders: Sequence[str] | None = None,
    n_bootstrap: int = 1000,
    seed: int = 1,
    confidence: float = 0.95,
    codebook_version: str | None = None,
    per_article: bool = True,
) -> AgreementReport:
    """Measure the project's agreement (see the module notes).

    ``codebook_version`` (a number in the project's history, or a version name) measures
    as of that version of the codebook (see :mod:`.versions`).

    ``coders`` restricts the comparison to these coder names (default: every coder but
    adjudicators); ``n_bootstrap`` resamples per interval (0: no intervals) with
    ``seed``. ``per_article=False`` leaves every measure's ``articles`` empty (what
    the Excel export asks: it shows no figure per article). Raises :class:`UnknownCoderError` for a name that is not a coder,
    :class:`NotEnoughCodersError` when no article was finished by two of the coders.
    """
    if n_bootstrap < 0 or n_bootstrap == 1:
        raise AgreementReportError(
            "The number of bootstrap resamples must be 0 (no intervals) or 2 or more."
        )
    with no_cycle_collection(), read_snapshot(project.store.engine):  # one moment (app.store.snapshots)
        return _report(project, coders, Settings(n_bootstrap, seed, confidence, per_article), codebook_version)


def _measures(corpus: Corpus, codebook: Codebook, settings: Settings) -> tuple[Sections, list[tuple[str, str, str]]]:
    comparisons = compare_pairs(corpus)
    questions, skipped = question_measures(corpus, codebook, settings)
    attributes, skipped_attributes = attribute_measures(corpus, codebook, comparisons, settings)
    return {
        "questions": questions,
        "spans": list(span_measures(corpus, codebook, comparisons, settings)),
        "attributes": attributes,
        "relations": list(relation_measures(corpus, codebook, comparisons, settings)),
    }, skipped + skipped_attributes


def _report(
    project: Project, coders: Sequence[str] | None, settings: Settings, codebook_version: str | None = None,
) -> AgreementReport:
    codebook = project.codebook
    scope = version_scope(project, codebook_version)
    corpus = load_corpus(project, coders, scope.excluded)
    sections, skipped = _measures(corpus, codebook, settings)
    skipped += apply_scope(
        scope, sections, lambda excluded: _measures(load_corpus(project, coders, excluded), codebook, settings)[0],
    )
    return AgreementReport(
        project=project.store.project_name(),
        codebook=f"{codebook.name} {codebook.version}",
        codebook_sha256=codebook.sha256,
        coders=corpus.coders,
        pairs=corpus.pairs,
        articles=tuple(ArticleRef(a.id, a.title, corpus.done[a.id]) for a in corpus.articles),
        n_excluded_articles=corpus.n_excluded,
        settings=settings,
        methods=methods(settings),
        questions=tuple(sections["questions"]),
        spans=tuple(sections["spans"]),
        attributes=tuple(sections["attributes"]),
        relations=tuple(sections["relations"]),
        not_measured=tuple(NotMeasured(*s) for s in skipped + _relation_attributes(codebook)),
        codebook_version=scope.label,
    )


def _relation_attributes(codebook: Codebook) -> list[tuple[str, str, str]]:
    return [
        ("relations", f"{r.name}.{a.name}", "attributes of relations are not compared")
        for r in codebook.relation_types
        for a in r.attributes
    ]


def project_agreement_report(path: str | Path, **options: Any) -> AgreementReport:
    """Open the project at ``path`` and return :func:`agreement_report` of it."""
    with open_project(path) as project:
        return agreement_report(project, **options)
