"""Coders of a project and the lead's assignment of articles to them.

``assign`` distributes articles so that each goes to exactly one coder, in balanced
counts, except an overlap sample every listed coder codes (see :mod:`app.core.allocation`).
Without ``replace`` only articles nobody is assigned to (and nobody has worked on) are
distributed; earlier assignments stay as they are. With ``replace`` the whole project
is allocated afresh, but a coder's assignment to an article they have worked on is
never removed.

``give_articles`` and ``take_back_articles`` change single assignments (the lead's
article table in the window, ``loupe assign --articles``); ``assignment_table`` lists
every article with each coder's standing on it. Coders and leads are assigned articles;
adjudicators code the gold standard and are not. Runs on the calling thread; each call
that writes is one transaction, and a refused call changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from app.core.allocation import allocate
from app.core.errors import LoupeError
from app.core.records import Coder
from app.core.team import ArticleAssignment, AssignmentCell, AssignReport, CoderLoad
from app.services.projects import Project
from app.store.coders import ROLES


class AssignmentError(LoupeError):
    """An assignment the project cannot take (unknown coder, bad share)."""


def list_coders(project: Project) -> list[Coder]:
    return project.store.coders.list()


def add_coder(project: Project, name: str, role: str = "coder") -> tuple[Coder, bool]:
    """Add a coder; returns (the coder, whether it is new). An existing name is kept as is."""
    name = name.strip()
    if not name:
        raise AssignmentError("A coder needs a name.")
    if "," in name:
        raise AssignmentError(f"'{name}': a coder's name cannot contain a comma.")
    if role not in ROLES:
        raise AssignmentError(f"'{role}' is not a role; choose one of {', '.join(ROLES)}.")
    existing = project.store.coders.find(name)
    if existing is not None:
        return existing, False
    return project.store.coders.get_or_create(name, role), True


def _coders(project: Project, names: Sequence[str]) -> list[Coder]:
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if not wanted:
        raise AssignmentError("Name at least one coder to assign articles to.")
    known = {coder.name: coder for coder in project.store.coders.list()}
    missing = [name for name in wanted if name not in known]
    if missing:
        raise AssignmentError(
            f"There is no coder named '{missing[0]}' in this project; "
            f"add one with `loupe coders PROJECT --add {missing[0]}`."
        )
    return [known[name] for name in wanted]


def assign(
    project: Project,
    coder_names: Sequence[str],
    *,
    overlap: float,
    seed: int | None = None,
    replace: bool = False,
) -> AssignReport:
    """Assign articles to the named coders (see the module docstring); one transaction."""
    if not 0.0 <= overlap <= 1.0:
        raise AssignmentError(f"The overlap must be a share between 0 and 1, not {overlap}.")
    coders = _coders(project, coder_names)
    seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    store = project.store
    articles = store.assigning.articles()
    current, worked = store.assigning.pairs()  # (article, coder): assigned; with work
    kept: dict[str, set[str]] = {}
    for article_id, coder_id in worked:
        kept.setdefault(article_id, set()).add(coder_id)
    if replace:
        to_allocate = articles
        kept_here = kept
    else:
        covered = {a for a, _c in current} | kept.keys()
        to_allocate = [(a, source) for a, source in articles if a not in covered]
        kept_here = {}
    ids = [coder.id for coder in coders]
    allocation = allocate(to_allocate, ids, share=overlap, seed=seed, kept=kept_here)

    planned = {(a, c) for a, cs in allocation.coders_of.items() for c in cs}
    assign_pairs = sorted((planned | worked) - current)
    unassign = sorted(current - planned - worked) if replace else []
    removed = store.assigning.apply(assign_pairs, unassign)

    names = {coder.id: coder.name for coder in coders}
    new_per_coder = dict.fromkeys(names.values(), 0)
    for _article, coder_id in set(assign_pairs) - worked:
        if coder_id in names:
            new_per_coder[names[coder_id]] += 1
    return AssignReport(
        seed=seed,
        replace=replace,
        distributed=len(to_allocate),
        overlap=len(allocation.overlap),
        new_per_coder=new_per_coder,
        kept=len(worked),
        removed=removed,
        left_alone=len(articles) - len(to_allocate),
    )


def assignment_summary(project: Project) -> list[CoderLoad]:
    """Per coder: assigned articles, how many todo/in progress/done, overlap, time spent."""
    return project.store.assigning.loads()


def assignable_coders(project: Project) -> list[Coder]:
    """The coders and leads of the project, by name: those articles are assigned to."""
    return [coder for coder in project.store.coders.list() if coder.role != "adjudicator"]


def assignment_table(project: Project) -> list[ArticleAssignment]:
    """Every article in project order with each coder's and lead's standing on it.

    A fixed number of reads whatever the project's size. ``overlap`` counts every
    assigned coder, as :func:`assignment_summary` does.
    """
    store = project.store
    names = {coder.id: coder.name for coder in assignable_coders(project)}
    per_article: dict[str, dict[str, AssignmentCell]] = {}
    sharing: dict[str, int] = {}
    for cell in store.assigning.cells():
        if cell.assigned:
            sharing[cell.article_id] = sharing.get(cell.article_id, 0) + 1
        name = names.get(cell.coder_id)
        if name is not None:
            per_article.setdefault(cell.article_id, {})[name] = cell
    return [
        ArticleAssignment(
            article_id=article_id,
            position=position,
            title=title,
            source=source,
            coders=dict(sorted(per_article.get(article_id, {}).items())),
            overlap=sharing.get(article_id, 0) > 1,
        )
        for article_id, position, title, source in store.assigning.article_heads()
    ]


def assignment_order(
    project: Project,
    *,
    sort: str = "position",
    sort_coder: str | None = None,
    descending: bool = False,
    needle: str = "",
    show: str = "",
) -> list[str]:
    """Ids of the lead's article table, sorted and filtered by the store: ``sort`` a
    column key (position, title, source, overlap) or ``sort_coder`` a coder's name (by
    their standing); ``show`` "", "unassigned", "overlap" or a coder's name."""
    ids = {coder.name: coder.id for coder in assignable_coders(project)}
    kind = show if show in ("", "unassigned", "overlap") else "coder"
    return project.store.assignment_listing.order(
        sort=sort, sort_coder=ids.get(sort_coder or "") if sort_coder else None, descending=descending,
        needle=needle, show=kind, show_coder=ids.get(show) if kind == "coder" else None,
    )


def assignment_rows(project: Project, article_ids: Sequence[str]) -> dict[str, ArticleAssignment]:
    """The rows of :func:`assignment_table` for these articles only, by id."""
    names = {coder.id: coder.name for coder in assignable_coders(project)}
    return project.store.assignment_listing.rows(article_ids, names)


def assignment_counts(project: Project) -> tuple[int, int]:
    """(articles, articles assigned to nobody)."""
    listing = project.store.assignment_listing
    return listing.count(), listing.unassigned()


def _assignee(project: Project, name: str) -> Coder:
    coder = project.store.coders.find(name.strip())
    if coder is None:
        raise AssignmentError(
            f"There is no coder named '{name.strip()}' in this project; "
            f"add one with `loupe coders PROJECT --add {name.strip()}`."
        )
    if coder.role == "adjudicator":
        raise AssignmentError(
            f"{coder.name} is an adjudicator, who codes the gold standard of the overlap "
            "and is not assigned articles; choose a coder or a lead."
        )
    return coder


def _articles(project: Project, article_ids: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """The ids without repeats, checked against the project, and their titles (read for
    these articles only: giving one article of 100,000 reads one title)."""
    wanted = list(dict.fromkeys(article_ids))
    titles = project.store.assignment_listing.titles(wanted)
    missing = [a for a in wanted if a not in titles]
    if missing:
        more = f", nor for {len(missing) - 1} more of the ids given" if len(missing) > 1 else ""
        raise AssignmentError(f"There is no article with id '{missing[0]}' in this project{more}.")
    return wanted, titles


def resolve_articles(project: Project, references: Sequence[str]) -> list[str]:
    """Article ids from ids or positions (the window's "#"; "5-9" is a range), in order,
    without repeats; refuses, with one sentence, a reference to no article."""
    heads = project.store.assigning.article_heads()
    by_position = {position: a for a, position, _title, _source in heads}
    known = set(by_position.values())
    found: list[str] = []
    for reference in (r.strip() for r in references):
        first, dash, last = reference.partition("-")
        if first.isdigit() and (not dash or last.isdigit()):
            low, high = int(first), int(last or first)
            if high < low:
                raise AssignmentError(f"'{reference}' is not a range of positions; write the lower one first.")
            for position in range(low, high + 1):
                if position not in by_position:
                    raise AssignmentError(
                        f"There is no article at position {position}; this project has "
                        f"{len(heads)} article(s), numbered from 1."
                    )
                found.append(by_position[position])
        elif reference in known:
            found.append(reference)
        elif reference:
            raise AssignmentError(f"There is no article with id '{reference}' in this project.")
    return list(dict.fromkeys(found))


def give_articles(project: Project, article_ids: Sequence[str], coder_name: str) -> int:
    """Assign the articles to the coder; returns how many were not assigned to them yet.

    Articles already assigned to the coder stay as they are (giving twice changes
    nothing). Unknown articles or coders, and adjudicators, are refused. One transaction.
    """
    coder = _assignee(project, coder_name)
    wanted, _titles = _articles(project, article_ids)
    return project.store.assigning.give(coder.id, wanted)


def take_back_articles(project: Project, article_ids: Sequence[str], coder_name: str) -> int:
    """Unassign the articles from the coder; returns how many were assigned to them.

    Refused, with nothing changed, when the coder has worked on any of them (a status
    past "todo", time spent, or live annotations, relations or answers): coded work is
    never taken away. One transaction.
    """
    coder = _assignee(project, coder_name)
    wanted, titles = _articles(project, article_ids)
    removed, worked = project.store.assigning.take_back(coder.id, wanted)
    if worked:
        order = {a: i for i, a in enumerate(wanted)}
        first = min(worked, key=order.__getitem__)
        more = f" and {len(worked) - 1} more of these articles" if len(worked) > 1 else ""
        raise AssignmentError(
            f"{coder.name} has already worked on '{titles[first]}'{more}, and work is never "
            "taken back from a coder, so no article was taken back."
        )
    return removed
