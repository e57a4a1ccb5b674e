"""Projects for the team workflow tests: generated articles from several sources, coders,
a way to code an article through the service layer, and raw dumps of project files."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from app.core.edits import AddRelation, RemoveAnnotation, SetAnswer
from app.core.records import Article
from app.services.assignment import assign
from app.services.coding import article_listing, set_status
from app.services.editing import add_annotation, apply_edit, new_relation
from app.services.importing import import_articles
from app.services.packages import write_package
from app.services.projects import Project, create_project, open_project

NO_MODEL = "no_such_pipeline_xyz"
SOURCES = ("Daily Courier", "Evening Post", "Radio Free North")
PEOPLE = ("Anton Korolev", "Maria Sokolova", "Farid Haddad", "Nadia Lebedeva", "Ivan Petrenko")


def article_text(i: int) -> tuple[str, str]:
    person = PEOPLE[i % len(PEOPLE)]
    title = f"Report {i}: recruits from Kiresk say they were coerced"
    body = (
        f"{person} said {10 + i} migrants were forced to sign contracts in Kiresk. "
        f"Officers of the migration police threatened them with deportation, {person} added. "
        f"The ministry denied that anyone was recruited against his will (item {i})."
    )
    return title, body


def write_articles(folder: Path, n: int, *, start: int = 0) -> Path:
    """A JSON Lines file of ``n`` articles; sources split 1/2, 1/3, 1/6."""
    path = folder / f"articles-{start}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(start, start + n):
            title, body = article_text(i)
            source = SOURCES[0] if i % 6 < 3 else SOURCES[1] if i % 6 < 5 else SOURCES[2]
            out.write(json.dumps({"title": title, "text": body, "source": source}) + "\n")
    return path


def team_project(
    path: Path | str, n: int = 30, coders: tuple[str, ...] = ("alice", "bob", "carol"), *, folder: Path | None = None
) -> Project:
    """A project at ``path`` (a file, or a team server's URL) with ``n`` articles, the
    lead lena and ``coders``; the articles' file is written to ``folder`` (default: the
    project file's folder)."""
    project = create_project(path)
    import_articles(project, [write_articles(folder or Path(path).parent, n)], model=NO_MODEL)
    project.store.coders.get_or_create("lena", "lead")
    for name in coders:
        project.store.coders.get_or_create(name)
    return project


def span(article: Article, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = article.text.index(needle, start + 1)
    return start, start + len(needle)


def code(project: Project, article: Article, coder_id: str, *, variant: int = 0, finish: bool = True) -> dict:
    """Code an article as one coder: spans, a relation, answers, one deleted span; then done."""
    person = PEOPLE[int(article.title.split()[1].rstrip(":")) % len(PEOPLE)]
    actor = add_annotation(
        project, article_id=article.id, coder_id=coder_id, label="Actor",
        start=span(article, person)[0], end=span(article, person)[1],
        attributes={"actor_type": "police" if variant else "state_authority", "role": "perpetrator"},
    )
    claim_start, claim_end = span(article, "migrants were forced to sign contracts")
    claim = add_annotation(
        project, article_id=article.id, coder_id=coder_id, label="Claim",
        start=claim_start - variant, end=claim_end, attributes={"claim_type": "allegation"},
    )
    dropped = add_annotation(
        project, article_id=article.id, coder_id=coder_id, label="Coercion",
        start=span(article, "deportation")[0], end=span(article, "deportation")[1],
    )
    apply_edit(project, RemoveAnnotation(dropped.id))
    relation = new_relation(article.id, coder_id, "said_by", claim.id, actor.id)
    apply_edit(project, AddRelation(relation))
    apply_edit(project, SetAnswer(article.id, coder_id, "relevance", "no" if variant == 2 else "yes"))
    apply_edit(project, SetAnswer(article.id, coder_id, "sourcing", "single_source"))
    if finish:
        set_status(project, article.id, coder_id, "done")
    return {"annotations": 2, "tombstones": 1, "relations": 1, "answers": 2}


def dump(path: Path | str) -> dict[str, list[tuple]]:
    """Every row of every table of a project file, sorted, read through the raw driver
    (or of a project on the team server: ``path`` is its URL)."""
    if "://" in str(path):
        return _dump_server(str(path))
    path = Path(path)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in sorted(tables)
        }
    finally:
        conn.close()


def packaged_team(folder: Path, *, n: int = 12, coded: int = 2) -> Path:
    """lead.loupe with ``n`` articles assigned to alice and bob (overlap 0.5, seed 1), and
    their packages alice.loupe and bob.loupe, each with its first ``coded`` articles coded."""
    with team_project(folder / "lead.loupe", n=n, coders=("alice", "bob")) as lead:
        assign(lead, ["alice", "bob"], overlap=0.5, seed=1)
        for name in ("alice", "bob"):
            write_package(lead, name, folder / f"{name}.loupe")
    for name in ("alice", "bob"):
        with open_project(folder / f"{name}.loupe") as package:
            coder = package.store.coders.find(name)
            assert coder is not None
            articles = {a.id: a for a in package.store.articles.list()}
            for row in article_listing(package, coder.id)[:coded]:
                code(package, articles[row.id], coder.id)
    return folder


def copy_team(template: Path, target: Path) -> Path:
    """The project files of ``template`` copied into ``target`` (a test's own folder)."""
    for path in template.glob("*.loupe"):
        shutil.copy(path, target / path.name)
    return target


def _dump_server(url: str) -> dict[str, list[tuple]]:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            return {
                table: sorted((tuple(row) for row in conn.execute(text(f'SELECT * FROM "{table}"'))), key=repr)
                for table in tables
            }
    finally:
        engine.dispose()
