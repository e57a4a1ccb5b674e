"""Span and relation measures of the agreement report.

Spans, per label and over all labels: precision, recall and F1 per coder pair with exact
and overlap matching (counts summed over the articles both coders finished; pooled over
pairs by summing the counts of every pair), and Krippendorff's alpha_U on each article's
continuum ``[0, len(text))``. The pooled alpha_U is computed on the continuum made by
concatenating the articles (each shifted by the lengths before it): per pair over the
articles both finished, and for all coders over the articles every coder finished.

Relations, per type and over all types: a relation matches when the other coder has a
relation of the same type between the spans its endpoints were matched to (overlap
matching), F1 as for spans; over all types also alpha on the types of the endpoint pairs
that both coders related.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from app.agreement import AgreementError, unitizing_alpha
from app.agreement.unitizing import UnitizingResult
from app.core.codebook import Codebook
from app.core.records import Article
from app.services.agreement_figures import (
    NAN,
    Counts,
    Figure,
    Measure,
    Settings,
    Where,
    alpha_figure,
    f1_figure,
    macro_f1_figure,
)
from app.services.agreement_units import (
    CodedValue,
    Corpus,
    Disagreement,
    PairArticle,
    unitizing_spans,
)

ALL = "*"
MODES = ("exact", "overlap")


def _unitize(corpus: Corpus, articles: Sequence[Article], coders: Sequence[str]) -> tuple[
    UnitizingResult | None, dict[str, object], str | None
]:
    if not articles:
        return None, {}, f"No article was finished by all {len(coders)} coders."
    spans, length, merged = unitizing_spans(corpus, articles, coders)
    parts: dict[str, object] = {
        "n_articles": len(articles), "continuum_length": length, "merged_spans": merged,
    }
    try:
        return unitizing_alpha(spans, 0, length, coders=list(coders)), parts, None
    except AgreementError as exc:
        return None, parts, str(exc)


def _alpha_u(
    found: tuple[UnitizingResult | None, dict[str, object], str | None], label: str, where: Where
) -> Figure:
    result, parts, problem = found
    value, d_o, d_e, n_units, note = NAN, None, None, 0, problem
    if result is not None and label == ALL:
        value, d_o, d_e, n_units, note = (
            result.value, result.observed_disagreement, result.expected_disagreement,
            result.n_units, result.note,
        )
    elif result is not None:
        category = next((c for c in result.per_category if c.category == label), None)
        if category is None:
            note = "No coder marked a span of this label."
        else:
            value, d_o, d_e, n_units, note = (
                category.value, category.observed_disagreement,
                category.expected_disagreement, category.n_units, category.note,
            )
    if where.scope != "article" and parts:
        pooled = (
            f"Pooled over the concatenated continuum of {parts['n_articles']} articles "
            f"({parts['continuum_length']} characters)."
        )
        note = f"{pooled} {note}" if note else pooled
    components = {"observed_disagreement": d_o, "expected_disagreement": d_e, **parts}
    return Figure(
        "unitizing_alpha", value, where.scope, "alpha_U", n_units, len(where.coders),
        components, None, where.coders, where.article_id, note,
    )


def _text(article: Article, start: int, end: int) -> str:
    return article.text[start:end]


def _span_disagreements(pa: PairArticle) -> list[Disagreement]:
    if pa.exact is None or pa.overlap is None:
        return []
    a, b = pa.pair
    title, art = pa.article.title, pa.article
    out = []
    for coder, other, spans in ((a, b, pa.overlap.unmatched_a), (b, a, pa.overlap.unmatched_b)):
        for s, e, label in spans:
            values = (CodedValue(coder, label, s, e, _text(art, s, e)), CodedValue(other, None))
            out.append(Disagreement(art.id, title, "unmatched", label, values))
    loose_a, loose_b = list(pa.exact.unmatched_a), list(pa.exact.unmatched_b)
    for x, y in pa.overlap.matched:
        if x in loose_a or y in loose_b:
            for span, loose in ((x, loose_a), (y, loose_b)):
                if span in loose:
                    loose.remove(span)
            values = (
                CodedValue(a, x[2], x[0], x[1], _text(art, x[0], x[1])),
                CodedValue(b, y[2], y[0], y[1], _text(art, y[0], y[1])),
            )
            out.append(Disagreement(art.id, title, "boundary", x[2], values))
    return out


def span_measures(
    corpus: Corpus, codebook: Codebook, comparisons: Sequence[PairArticle]
) -> list[Measure]:
    """One measure per span label, then one over all labels (key ``span:*``)."""
    labels = list(codebook.label_names)
    tally: dict[tuple[str, str, str, object], Counts] = defaultdict(Counts)
    disagreements: dict[str, list[Disagreement]] = defaultdict(list)
    for pa in comparisons:
        for mode, result in (("exact", pa.exact), ("overlap", pa.overlap)):
            for s in result.per_label if result else ():
                for scope, key in (("pooled", None), ("pair", pa.pair), ("article", pa.article.id)):
                    tally[mode, s.label, scope, key].add(s.n_a, s.n_b, s.matched)
        for d in _span_disagreements(pa):
            disagreements[d.unit].append(d)
    pooled = _unitize(corpus, corpus.common(), corpus.coders)
    by_pair = {pair: _unitize(corpus, corpus.shared(pair), pair) for pair in corpus.pairs}
    by_article = {a.id: _unitize(corpus, [a], corpus.done[a.id]) for a in corpus.articles}

    def f1s(label: str, where: Where, key: object) -> list[Figure]:
        if label != ALL:
            return [f1_figure(tally[m, label, where.scope, key], m, where) for m in MODES]
        per_label = {m: [tally[m, x, where.scope, key] for x in labels] for m in MODES}
        micro = {m: Counts() for m in MODES}
        for m in MODES:
            for c in per_label[m]:
                micro[m].add(c.n_a, c.n_b, c.matched)
        return [f1_figure(micro[m], m, where, "f1_micro") for m in MODES] + [
            macro_f1_figure(per_label[m], m, where) for m in MODES
        ]

    def _labels(label: str) -> list[str]:
        return labels if label == ALL else [label]

    measures = []
    for label in [*labels, ALL]:
        every = Where("pooled", corpus.coders)
        figures = [_alpha_u(pooled, label, every), *f1s(label, every, None)]
        pairs: list[Figure] = []
        for pair in corpus.pairs:
            where = Where("pair", pair)
            pairs += [_alpha_u(by_pair[pair], label, where), *f1s(label, where, pair)]
        articles: list[Figure] = []
        for article in corpus.articles:
            counted = [tally["overlap", x, "article", article.id] for x in _labels(label)]
            if any(c.n_a + c.n_b for c in counted):
                where = Where("article", corpus.done[article.id], article.id)
                articles += [_alpha_u(by_article[article.id], label, where)]
                articles += f1s(label, where, article.id)
        found = [d for x in _labels(label) for d in disagreements[x]]
        measures.append(
            Measure(
                "spans", f"span:{label}", "All labels" if label == ALL else label,
                "all span labels" if label == ALL else "span label", tuple(figures),
                tuple(pairs), tuple(articles), tuple(found),
            )
        )
    return measures


def relation_measures(
    corpus: Corpus, codebook: Codebook, comparisons: Sequence[PairArticle], settings: Settings
) -> list[Measure]:
    """One measure per relation type, then one over all types (key ``relation:*``)."""
    types = [r.name for r in codebook.relation_types]
    tally: dict[tuple[str, str, object], Counts] = defaultdict(Counts)
    label_units: dict[object, list[dict[str, str]]] = defaultdict(list)
    disagreements: dict[str, list[Disagreement]] = defaultdict(list)
    for pa in comparisons:
        result = pa.relations
        if result is None:
            continue
        a, b = pa.pair
        scopes = (("pooled", None), ("pair", pa.pair), ("article", pa.article.id))
        hits = Counter(x[2] for x, _ in result.matched)
        n_a = hits + Counter(r[2] for r in result.unmatched_a)
        n_b = hits + Counter(r[2] for r in result.unmatched_b)
        for t in n_a | n_b:
            for scope, key in scopes:
                tally[t, scope, key].add(n_a[t], n_b[t], hits[t])
        for x, y in result.label_pairs:
            label_units[None].append({"first": x, "second": y})
            label_units[pa.pair].append({"first": x, "second": y})
        art = pa.article
        for coder, other, found in ((a, b, result.unmatched_a), (b, a, result.unmatched_b)):
            for source, target, t in found:
                text = f"{_text(art, *source[:2])} \u2192 {_text(art, *target[:2])}"
                values = (CodedValue(coder, t, text=text), CodedValue(other, None))
                disagreements[t].append(Disagreement(art.id, art.title, "unmatched", t, values))

    def f1(t: str, where: Where, key: object) -> Figure:
        if t != ALL:
            return f1_figure(tally[t, where.scope, key], "through matched spans", where)
        total = Counts()
        for x in types:
            c = tally[x, where.scope, key]
            total.add(c.n_a, c.n_b, c.matched)
        return f1_figure(total, "through matched spans", where, "f1_micro")

    measures = []
    for t in [*types, ALL]:
        every = Where("pooled", corpus.coders)
        figures = [f1(t, every, None)]
        if t == ALL:
            figures.append(alpha_figure(label_units[None], settings, every))
        pairs = []
        for pair in corpus.pairs:
            pairs.append(f1(t, Where("pair", pair), pair))
            if t == ALL:
                pairs.append(alpha_figure(label_units[pair], settings, Where("pair", pair)))
        chosen = types if t == ALL else [t]
        articles = [
            f1(t, Where("article", corpus.done[a.id], a.id), a.id)
            for a in corpus.articles
            if any(tally[x, "article", a.id].n_a + tally[x, "article", a.id].n_b for x in chosen)
        ]
        found = [d for x in chosen for d in disagreements[x]]
        measures.append(
            Measure(
                "relations", f"relation:{t}", "All relation types" if t == ALL else t,
                "all relation types" if t == ALL else "relation type", tuple(figures),
                tuple(pairs), tuple(articles), tuple(found),
            )
        )
    return measures
