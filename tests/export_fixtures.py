"""A coded project for the export tests: the sample articles, two coders who finished
four articles (with attributes, notes, relations and answers, and some disagreements),
an adjudicator's gold standard on two of them, and stored machine entities."""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from pathlib import Path

from app.core.edits import AddRelation, SetAnswer
from app.core.records import Article
from app.paths import sample_dir
from app.services.coding import set_status
from app.services.editing import add_annotation, apply_edit, new_relation
from app.services.importing import import_articles
from app.services.projects import Project, create_project, open_project

NO_MODEL = "no_such_pipeline_xyz"
_WORD = re.compile(r"[A-Z][a-z]+")


def body_word(article: Article, n: int = 0) -> tuple[int, int]:
    """Offsets of the n-th capitalised word after the headline."""
    found = list(_WORD.finditer(article.text, len(article.title)))[n]
    return found.start(), found.end()


def code_article(project: Project, article: Article, coder_id: str, *, variant: int = 0) -> None:
    """Actor, Claim (the headline) and Coercion spans, a relation, answers; then done."""
    start, end = body_word(article, variant)
    actor = add_annotation(
        project, article_id=article.id, coder_id=coder_id, label="Actor", start=start, end=end,
        attributes={"actor_type": "police" if variant == 0 else "prisoner", "role": "perpetrator"},
        note="check the name" if variant else "",
    )
    claim = add_annotation(
        project, article_id=article.id, coder_id=coder_id, label="Claim", start=0,
        end=len(article.title) - variant, attributes={"claim_type": "allegation"},
        uncertain=bool(variant),
    )
    c_start, c_end = body_word(article, 3)
    add_annotation(
        project, article_id=article.id, coder_id=coder_id, label="Coercion", start=c_start,
        end=c_end, attributes={"coercion_type": "threat_of_deportation", "stage": "carried_out"},
    )
    apply_edit(project, AddRelation(new_relation(article.id, coder_id, "said_by", claim.id, actor.id)))
    apply_edit(project, SetAnswer(article.id, coder_id, "relevance", "no" if variant else "yes"))
    apply_edit(project, SetAnswer(article.id, coder_id, "sourcing", "single_source"))
    set_status(project, article.id, coder_id, "done")


def coded_project(path: Path) -> Project:
    project = create_project(path)
    import_articles(project, [sample_dir()], model=NO_MODEL)
    articles = project.store.articles.list()
    ana = project.store.coders.get_or_create("ana")
    ben = project.store.coders.get_or_create("ben")
    gold = project.store.coders.get_or_create("gold", role="adjudicator")
    for index, article in enumerate(articles[:4]):
        code_article(project, article, ana.id)
        code_article(project, article, ben.id, variant=1 if index % 2 else 0)
    for article in articles[:2]:
        code_article(project, article, gold.id)
    # ben has started a fifth article
    start, end = body_word(articles[4])
    add_annotation(project, article_id=articles[4].id, coder_id=ben.id, label="Actor", start=start, end=end)
    first = articles[0]
    project.store.articles.replace_entities(
        {first.id: [(*body_word(first, 0), "ORG"), (*body_word(first, 1), "GPE")]}, model="test 1.0"
    )
    return project


_built: list[Path] = []


def coded_copy(folder: Path) -> Project:
    """A fresh copy of the coded project in ``folder`` (built once per test process)."""
    if not _built:
        workdir = Path(tempfile.mkdtemp(prefix="loupe-coded-"))
        atexit.register(shutil.rmtree, workdir, True)
        coded_project(workdir / "coded.loupe").close()
        _built.append(workdir / "coded.loupe")
    target = folder / "coded.loupe"
    shutil.copy(_built[0], target)
    return open_project(target)
