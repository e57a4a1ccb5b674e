"""Checking a coder's returned package row by row before anything of it is merged.

A package may change only its own coder's rows (:data:`~app.core.team.PACKAGE_FOR`
names the coder): annotations, relations, answers, statuses and time spent. Each of
those rows is checked as a window edit is checked (:mod:`app.core.row_checks`): the
label, question or relation type is the codebook's and its attributes or answer fit
it, offsets lie within the article's text, relations link two annotations of the same
coder and article that their type allows, revisions are whole numbers from 1 to 2^31,
timestamps are dates no more than a day ahead, statuses are known and time spent is
no more than the project's age. (A row of its own that the project already holds in the
same or a newer version is not written by the merge, so only whose it is and where it
belongs is checked.) Any other row the package holds (the training gold
travels in packages for the coder to compare with) must be one the project already
has, unchanged or older: the merge then ignores it. The first row that fails refuses
the whole merge, in one sentence naming the file, the row and the reason.

Runs in the merge's write transaction, file after file, each file checked against the
project as the earlier files of the merge left it; writes nothing, and returns the rows
that win (:class:`~app.store.merge_writes.FilePlan`), which are written from this read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from app.core.codebook import RelationType, SpanLabel
from app.core.records import Coder
from app.core.row_checks import (
    MAX_REVISION,
    Endpoint,
    answer_problem,
    attributes_text_problem,
    flag_problem,
    fragments_problem,
    parse_json,
    relation_problem,
    revision_problem,
    seconds_problem,
    span_problem,
    status_problem,
    text_problem,
    timestamp_problem,
)
from app.services.merge_rules import Lead, MergeError, Row, not_newer, unchanged
from app.store.merge_writes import FilePlan
from app.store.merging import (
    STATUS_COLUMNS,
    VERSIONED,
    ForeignProject,
    lead_fragments,
    lead_rows,
    lead_rows_of,
    lead_statuses,
)

#: What the checks read of the project's version of a row (the id first).
_HAVE = ("id", "coder_id", "article_id", "revision", "updated_at", "deleted_at")
#: Where an annotation's label, start, end, article, note, uncertain flag and attributes travel.
_ANNOTATION_AT = itemgetter(*(
    VERSIONED["annotation"][1].index(c)
    for c in ("label", "start", "end", "article_id", "note", "uncertain", "attributes")
))


def check_rows(
    conn: Any, foreign: ForeignProject, lead: Lead, owner: Coder, lengths: dict[str, int], *, exact: bool = False
) -> FilePlan:
    """Refuse (:class:`MergeError`) the first row of ``foreign`` that its coder ``owner``
    may not bring; ``lengths`` holds the text length of each article of the file.
    Returns the rows that win against the project as ``conn`` reads it, to be written
    from this one read (:func:`app.store.merge_writes.merge_file`).

    The project's version of the coder's own rows is read by (article, coder), a range
    per article of the file; a row the project holds elsewhere (another coder's or
    article's) is then taken for a new one, and the project's unique key refuses its
    insert (:class:`~app.store.merge_writes.RefusedWrite`). ``exact`` looks every id up
    instead, to name such a row and why in the refusal.
    """
    checker = _FileChecker(conn, foreign, lead, owner, lengths, exact)
    checker.read_fragments()
    checker.annotations = checker.versioned("annotation", checker.annotation)
    checker.other_fragments()
    checker.versioned("relation", checker.relation)
    checker.versioned("answer", checker.answer)
    checker.statuses()
    return checker.plan


class _FileChecker:
    def __init__(
        self, conn: Any, foreign: ForeignProject, lead: Lead, owner: Coder, lengths: dict[str, int], exact: bool
    ) -> None:
        self.conn, self.foreign, self.lead, self.owner, self.lengths = conn, foreign, lead, owner, lengths
        self.exact = exact
        self.codebook = lead.codebook
        self.plan = FilePlan(owner.id)
        self.annotations: list[Row] = []
        self.ends: dict[str, Endpoint] = {}
        self.at: dict[str, int] = {}
        #: Values already found valid in this file (timestamps, (label, attributes)):
        #: created_at is often updated_at, and most rows have the same few attributes.
        self.good_stamps: set[str] = set()
        self.good_attributes: set[tuple[bool, str, Any]] = set()
        self.good_labels: set[str] = set()
        self.good_answers: set[tuple[Any, str]] = set()
        #: annotation id -> its fragments in the file (discontinuous spans only).
        self.fragments: dict[Any, tuple[tuple[Any, Any], ...]] = {}
        #: Other coders' annotations the file holds exactly as the project does.
        self.same_as_project: list[str] = []

    def refuse(self, what: str, reason: str) -> MergeError:
        return MergeError(f"Nothing was merged: {self.foreign.name}, {what}: {reason}.")

    def not_yours(self, coder_id: Any) -> str:
        if coder_id not in self.lead.coders:
            return f"its coder {coder_id!r} is not a coder of the project"
        return (
            f"it is {self.lead.name(coder_id)}'s, not {self.owner.name}'s, and a package may change "
            "only its own coder's rows"
        )

    # -- annotations, relations, answers ---------------------------------

    def versioned(self, kind: str, own_check: Callable[[Row], str | None]) -> list[Row]:
        table, columns = VERSIONED[kind]
        at = self.at = {c: i for i, c in enumerate(columns)}
        article, coder, revision, updated = at["article_id"], at["coder_id"], at["revision"], at["updated_at"]
        created, deleted = at["created_at"], at["deleted_at"]
        rows = self.foreign.rows(table, columns)
        owner, claimed, lengths = self.owner.id, self.lead.claimed, self.lengths
        others = []  # the ids of other coders' rows
        for row in rows:
            if not isinstance(row[0], str) or not row[0]:
                raise self.refuse(f"{kind} {row[0]!r}", "its id is not text")
            if row[coder] != owner:
                others.append(row[0])
        # The project's coder, article, version and tombstone of each id (full rows only
        # for other coders' rows, and none of a row an earlier file of this merge brought).
        if self.exact:
            found = lead_rows(self.conn, table, _HAVE, sorted(row[0] for row in rows))
        else:
            found = lead_rows_of(self.conn, table, _HAVE, owner, sorted(lengths))
        have = {values[0]: values[1:] for values in found}
        winners = self.plan.versioned[kind]
        if not self.exact:  # every row of the coder on the file's articles: where they are
            winners.articles = {values[1] for values in have.values()}
        theirs = {
            row[0]: row
            for row in lead_rows(self.conn, table, columns, [row_id for row_id in others if row_id not in claimed])
        }
        if kind == "relation":
            self.find_ends(rows)
        good_stamps, have_get, claimed_get = self.good_stamps, have.get, claimed.get
        new, old, held = winners.new, winners.old, winners.held
        problem: str | None
        for row in rows:
            row_id, row_article = row[0], row[article]
            if row[coder] != owner:
                if not unchanged(row, theirs.get(row_id), revision, updated):
                    raise self.refuse(f"{kind} {row_id}", self.not_yours(row[coder]))
                if kind == "annotation" and row == theirs.get(row_id):
                    self.same_as_project.append(row_id)
                continue
            current = have_get(row_id)
            if current is None:  # most rows: new to the project
                brought = claimed_get(row_id)
                if brought is not None and brought != (owner, row_article):  # by an earlier file
                    problem = f"another file of this merge brings this {kind} with another article or coder"
                elif row_article not in lengths:
                    problem = f"its article {row_article!r} is not one of the file's articles"
                elif (
                    row[created] in good_stamps and row[updated] in good_stamps and row[deleted] is None
                    and type(number := row[revision]) is int and 0 < number <= MAX_REVISION
                ):
                    problem = own_check(row)  # most rows: stamps seen, a plain revision
                else:
                    problem = self.version_problem(row, own_check)
                if problem:
                    raise self.refuse(f"{kind} {row_id}", problem)
                new.append(row)
                claimed[row_id] = (owner, row_article)
                continue
            place = (owner, row_article)
            if claimed_get(row_id, place) != place:  # new to the project, brought by an earlier file
                problem = f"another file of this merge brings this {kind} with another article or coder"
            elif current[0] != owner:
                problem = f"it would replace {self.lead.name(current[0])}'s {kind}"
            elif current[1] != row_article:
                problem = f"it would move the {kind} to another article"
            elif row_article not in lengths:
                problem = f"its article {row_article!r} is not one of the file's articles"
            elif not_newer(row[revision], row[updated], current[2], current[3]):
                continue  # the project's version is the same or newer: the merge leaves it
            else:
                problem = self.version_problem(row, own_check)
            if problem:
                raise self.refuse(f"{kind} {row_id}", problem)
            old.append(row)
            held[row_id] = current[4]
        return rows

    def version_problem(self, row: Row, own_check: Callable[[Row], str | None]) -> str | None:
        """The revision and timestamps of a row that wins, then its own checks."""
        at = self.at
        problem = revision_problem(row[at["revision"]])
        for name in ("created_at", "updated_at", "deleted_at"):
            stamp = row[at[name]]
            if problem or stamp in self.good_stamps or (stamp is None and name == "deleted_at"):
                continue
            problem = timestamp_problem(name, stamp, self.lead.latest)
            if problem is None:
                self.good_stamps.add(stamp)
        return problem or own_check(row)

    def annotation(self, row: Row) -> str | None:
        label, start, end, article, note, uncertain, attributes = _ANNOTATION_AT(row)
        if (
            label in self.good_labels and type(start) is int and type(end) is int
            and 0 <= start < end <= self.lengths[article] and type(note) is str
            and type(uncertain) is int and 0 <= uncertain <= 1 and row[0] not in self.fragments
            and (True, label, attributes) in self.good_attributes
        ):
            return None  # most rows: a known label with known attributes, plain offsets
        length = self.lengths[article]
        if label in self.good_labels and type(start) is int and type(end) is int and 0 <= start < end <= length:
            problem = None
        else:
            problem = span_problem(label, start, end, length, self.codebook)
            if problem is None:
                self.good_labels.add(label)
        problem = (
            problem
            or (fragments_problem(self.fragments[row[0]], start, end, length) if row[0] in self.fragments else None)
            or (None if type(note) is str else text_problem("note", note))
            or flag_problem("uncertain", uncertain)
        )
        if problem or (True, label, attributes) in self.good_attributes:
            return problem
        return self.attributes(self.codebook.label(label), attributes)

    def read_fragments(self) -> None:
        """The file's fragments by annotation (checked with their annotations)."""
        grouped: dict[Any, list[tuple[Any, Any]]] = {}
        for annotation_id, first, last in self.foreign.fragment_rows():
            grouped.setdefault(annotation_id, []).append((first, last))
        self.fragments = {key: tuple(value) for key, value in grouped.items()}

    def other_fragments(self) -> None:
        """Fragments only travel with their own coder's annotations: a fragment of an
        annotation the file lacks is refused, and so are other coders' annotations whose
        fragments differ from the project's (a package cannot add, move or take away a
        fragment of another coder's annotation; their rows are never written)."""
        in_file = {row[0] for row in self.annotations} if self.fragments else set()
        for annotation_id in self.fragments:
            if annotation_id not in in_file:
                raise self.refuse(
                    f"the fragments of annotation {annotation_id!r}", "that annotation is not in the file"
                )
        project = lead_fragments(self.conn, sorted(self.same_as_project))
        for annotation_id in self.same_as_project:
            if self.fragments.get(annotation_id, ()) != project.get(annotation_id, ()):
                coder = next(row[self.at["coder_id"]] for row in self.annotations if row[0] == annotation_id)
                raise self.refuse(
                    f"the fragments of annotation {annotation_id}",
                    f"the annotation is {self.lead.name(coder)}'s, not {self.owner.name}'s, and a package "
                    "may change only its own coder's fragments",
                )

    def attributes(self, owner: SpanLabel | RelationType, text: Any) -> str | None:
        key = (isinstance(owner, SpanLabel), owner.name, text)
        if key in self.good_attributes:
            return None
        problem = attributes_text_problem(owner, text)
        if problem is None:
            self.good_attributes.add(key)
        return problem

    def find_ends(self, rows: Sequence[Row]) -> None:
        """The annotations the file's relations link: from the file, else the project."""
        source, target = self.at["source_id"], self.at["target_id"]
        wanted = {row[i] for row in rows for i in (source, target) if isinstance(row[i], str)}
        columns = VERSIONED["annotation"][1]
        picks = [columns.index(c) for c in ("article_id", "coder_id", "label")]
        for row in self.annotations:
            if row[0] in wanted:
                self.ends[row[0]] = Endpoint(*(row[i] for i in picks))
        for row_id, article_id, coder_id, label in lead_rows(
            self.conn, "annotation", ("id", "article_id", "coder_id", "label"), sorted(wanted - self.ends.keys())
        ):
            self.ends[row_id] = Endpoint(article_id, coder_id, label)

    def relation(self, row: Row) -> str | None:
        at = self.at
        label = row[at["label"]]
        problem = relation_problem(
            self.codebook, label, row[at["article_id"]], row[at["coder_id"]],
            row[at["source_id"]], row[at["target_id"]], self.ends,
        )
        return problem or self.attributes(self.codebook.relation_type(label), row[at["attributes"]])

    def answer(self, row: Row) -> str | None:
        key = (row[self.at["question"]], row[self.at["value"]])
        if key in self.good_answers:  # most answers repeat a few (question, value) pairs
            return None
        value, problem = parse_json(key[1])
        if problem:
            return f"its value is {problem}"
        problem = answer_problem(self.codebook, key[0], value)
        if problem is None and isinstance(key[1], str):
            self.good_answers.add(key)
        return problem

    # -- statuses and time spent ----------------------------------------

    def statuses(self) -> None:
        at = {c: i for i, c in enumerate(STATUS_COLUMNS)}
        article, coder, status, updated = at["article_id"], at["coder_id"], at["status"], at["updated_at"]
        seconds, assigned = at["seconds_spent"], at["assigned"]
        rows = self.foreign.rows("assignment", STATUS_COLUMNS)
        coders = sorted({row[coder] for row in rows if isinstance(row[coder], str)})
        have = lead_statuses(self.conn, coders)
        for row in rows:
            what = f"the status of {self.lead.name(row[coder])} on article {row[article]}"
            current = have.get((row[article], row[coder]))
            if row[coder] != self.owner.id:
                ignored = current is None and row[status] == "todo" and not row[seconds]
                if not ignored and not unchanged(row, current, None, updated):
                    raise self.refuse(what, self.not_yours(row[coder]))
                continue
            if current is not None and not_newer(0, row[updated], 0, current[updated]):
                continue  # the project's status is as new: the merge leaves it
            problem = (
                (None if row[article] in self.lengths else "its article is not one of the file's articles")
                or status_problem(row[status])
                or seconds_problem(row[seconds], self.lead.max_seconds)
                or flag_problem("assigned", row[assigned])
                or timestamp_problem("updated_at", row[updated], self.lead.latest)
            )
            if problem:
                raise self.refuse(what, problem)
            if current is None and row[status] == "todo" and not row[seconds]:
                continue  # nothing done on an article the lead took back: nothing to bring
            if current is None:  # the lead took the article back: the work returns, unassigned
                row = row[:assigned] + (False,) + row[assigned + 1 :]
                self.plan.new_statuses += 1
            self.plan.statuses.append(row)
