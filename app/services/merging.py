"""Merging coders' returned files into the lead's project.

Every file is checked before any of its rows is written: it must be an intact Loupe
project of the same project (id) with the same codebook version (sha256; a package of an
older version is migrated first, see :mod:`app.services.merge_versions`) and a coder's
package (its settings name the coder, :data:`PACKAGE_FOR`; a full copy of a project is
refused), every article in it must be one of the project's with the same text, its coder
records must be the project's (same id, name and role: a file adds no coder and changes
no role). All of it happens in ONE transaction whose write lock is taken first, and
nothing is committed without a backup: the lead's file is backed up beside itself
(``<name>.backup-<UTC timestamp>.loupe``, the newest :data:`KEEP_BACKUPS` kept) on a
worker thread, through a connection of its own that sees the project as the merge found
it, while the files are opened and checked (two at a time, ahead of the merge) and, file
after file, every row is checked by :mod:`app.services.merge_checks` (only its own
coder's rows may change, each one valid) and the rows that win are written from that
same read (:mod:`app.store.merge_writes`; the rules: :mod:`app.store.merging`). The merge
commits once the backup is complete; the first refusal, or a backup that could not be
written, rolls everything back and removes the backup. Long: may run on the database
worker; takes ``progress`` and ``cancelled``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from app.core.articles import text_sha256
from app.core.bulk import no_cycle_collection
from app.core.errors import ProjectError
from app.core.records import Coder
from app.core.row_checks import latest_allowed, parse_timestamp
from app.core.team import PACKAGE_FOR, FileMerge, MergeReport
from app.services.merge_checks import check_rows
from app.services.merge_rules import Lead, MergeError
from app.services.merge_versions import up_to_date
from app.services.progress import CancelFn, ProgressFn, never_cancelled, no_progress
from app.services.projects import Project
from app.store import backups, migrate
from app.store.engine import is_url, shown_location
from app.store.merge_writes import RefusedWrite, merge_file, merge_transaction
from app.store.merging import (
    ForeignProject,
    article_hashes,
    project_created_at,
    project_identity,
)

#: How many backups of the lead's file are kept beside it.
KEEP_BACKUPS = 5
#: Returned files opened (and checked) at the same time.
_OPENERS = 2


def _refuse(name: str, reason: str) -> MergeError:
    return MergeError(f"Nothing was merged: {name} {reason}.")


def _check(
    foreign: ForeignProject,
    identity: tuple[str, str],
    codebook_label: str,
    hashes: dict[str, str],
    coders: dict[str, Coder],
) -> tuple[Coder, dict[str, int]]:
    """Refuse a file of another project or codebook, that is no package, with changed
    texts or with coders other than the project's; returns (the coder the package is
    for, the text length of each of its articles).

    ``coders`` maps the project's coder ids to their records.
    """
    project_id, codebook_sha = identity
    if foreign.project_id != project_id:
        raise _refuse(foreign.name, f"belongs to another project ('{foreign.project_name}')")
    if foreign.codebook_sha != codebook_sha:
        raise _refuse(
            foreign.name,
            f"uses another codebook version ({foreign.codebook_label}) than the project ({codebook_label})",
        )
    if not foreign.package_for:
        raise _refuse(
            foreign.name,
            "is not a coder's package (only files written by `loupe package` can be merged, "
            "each bringing back its own coder's work)",
        )
    lengths: dict[str, int] = {}
    for article_id, title, stored_hash, text in foreign.articles():
        expected = hashes.get(article_id)
        if expected is None:
            raise _refuse(foreign.name, f"holds an article the project does not have ('{title}')")
        if stored_hash != expected or text_sha256(text) != expected:
            raise _refuse(foreign.name, f"has a different text for the article '{title}' than the project")
        lengths[article_id] = len(text)
    by_name = {coder.name: coder for coder in coders.values()}
    owner = None
    for coder in foreign.coders():
        known = coders.get(coder.id)
        if known is None:
            seen = by_name.get(coder.name)
            if seen is not None:
                raise _refuse(
                    foreign.name, f"has a coder named '{coder.name}' who is not the '{coder.name}' of the project"
                )
            raise _refuse(foreign.name, f"adds a coder, '{coder.name}', and a package cannot add coders")
        if known != coder:
            raise _refuse(
                foreign.name,
                f"changes the project's coder '{known.name}' ({known.role}) into '{coder.name}' ({coder.role})",
            )
        if coder.name == foreign.package_for:
            owner = coder
    if owner is None:
        raise _refuse(foreign.name, f"is a package for '{foreign.package_for}', who is not a coder in it")
    return owner, lengths


def _backup(project: Project, lead: Path) -> Path:
    """A complete, synced and checked backup (see :mod:`app.store.backups`); a
    :class:`ProjectError` before anything is merged when none can be written. Older
    backups are pruned only once the merge has changed something (:func:`_settle`)."""
    return backups.add_backup(project.store.engine, lead)


def _settle(lead: Path, saved: Path | None, files: Sequence[FileMerge]) -> Path | None:
    """Keep the new backup (pruning the oldest) if the merge changed the project; a merge
    that changed nothing, such as merging the same files again, leaves no new backup."""
    if saved is None:
        return None
    if any(result.changed for result in files):
        backups.prune_backups(lead, KEEP_BACKUPS)
        return saved
    backups.discard_backup(saved)
    return None


def _max_seconds(conn: Any) -> float:
    """The most time one coder can have spent on one article: the project's age (with
    the same day of tolerance as timestamps)."""
    created = parse_timestamp(project_created_at(conn))
    latest = latest_allowed()
    return (latest - created).total_seconds() if created is not None else 0.0


def merge_files(
    project: Project,
    paths: Sequence[str | Path],
    *,
    make_backup: bool = True,
    progress: ProgressFn = no_progress,
    cancelled: CancelFn = never_cancelled,
) -> MergeReport:
    """Merge the returned files into ``project``: all of them, or (on any refusal) none."""
    store = project.store
    # A server's project: named without its password, and backed up by its own dumps (a
    # merge is one transaction there as in a file), not by a copy beside it.
    server = is_url(store.location)
    lead = Path(shown_location(store.location) if server else store.location)
    settings = store.settings()
    if settings.get(PACKAGE_FOR):
        raise MergeError(
            f"Nothing was merged: {lead.name} is a package for {settings[PACKAGE_FOR]}; "
            "merge into the lead's project."
        )
    if not paths:
        raise MergeError("Name at least one file to merge.")
    identity = project_identity(store.engine)
    cb_name, cb_version, _content, _sha = store.codebook()
    hashes = article_hashes(store.engine)
    coders = {coder.id: coder for coder in store.coders.list()}
    opened: list[ForeignProject] = []
    files_in = [Path(raw) for raw in paths]
    # The lead itself is never opened as a returned file (see app.store.engine).
    stop = next(
        (i for i, path in enumerate(files_in) if path.exists() and path.resolve() == lead.resolve()), len(files_in)
    )
    label = f"{cb_name} {cb_version}"

    def update(foreign: ForeignProject) -> ForeignProject:
        return up_to_date(project, foreign, workdir)

    backup: Future[Path] | None = None
    workdir = Path(tempfile.mkdtemp(prefix="loupe-merge-"))
    try:
        # The reader is a pool of its own, so that reading the next file's rows never
        # waits behind the opening of the files after it.
        with ThreadPoolExecutor(max_workers=_OPENERS + 1) as pool, ThreadPoolExecutor(max_workers=1) as reader:
            try:
                with merge_transaction(store.engine) as conn:
                    # Under the write lock, so that it is the project the merge starts from
                    # (read through a connection of its own, which does not see the merge's
                    # writes), and written while the files are opened, checked and merged.
                    backup = pool.submit(_backup, project, lead) if make_backup and not server else None
                    opening = _Opening((pool, reader), files_in, stop, identity, label, hashes, coders)
                    try:
                        files = _merge_all(conn, project, opening, update, coders, progress, cancelled)
                    finally:
                        opened.extend(opening.close_unused())
                    # Nothing is committed before the backup is complete.
                    saved = backup.result() if backup is not None else None
            except BaseException as exc:
                _drop(backup, exc)
                raise
        progress(len(files), len(files), "Merged")
        saved = _settle(lead, saved, files)
    finally:
        for foreign in opened:
            foreign.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return MergeReport(files=files, backup=None if saved is None else str(saved))


Checked = tuple[ForeignProject, Coder, dict[str, int]]


class _Opening:
    """The returned files opened and checked ahead of the merge, two at a time on the
    first pool's threads (their integrity checks run in SQLite, outside the GIL), while the
    merge writes the files before them. A file of the project's schema and codebook is
    checked on its thread too (:func:`_check`), and its rows are read on the second
    pool's thread while the file before it merges; one to migrate first is checked by the merge (:meth:`take`).
    The file at ``stop`` is the project itself."""

    def __init__(
        self, pools: tuple[ThreadPoolExecutor, ThreadPoolExecutor], paths: Sequence[Path], stop: int,
        identity: tuple[str, str],
        label: str, hashes: dict[str, str], coders: dict[str, Coder],
    ) -> None:
        self.paths, self.stop, self.identity = paths, stop, identity
        self.label, self.hashes, self.coders = label, hashes, coders
        pool, self.reader = pools
        self.taken: list[ForeignProject] = []
        self.futures = [pool.submit(self._open, path) for path in paths[:stop]]
        self.ahead: dict[int, Future[None]] = {}

    def check(self, foreign: ForeignProject) -> tuple[Coder, dict[str, int]]:
        return _check(foreign, self.identity, self.label, self.hashes, self.coders)

    def _open(self, path: Path) -> tuple[ForeignProject, tuple[Coder, dict[str, int]] | None]:
        foreign = _open(path)
        foreign.sha256()  # for the merge log, read here rather than by the merge
        if foreign.revision != migrate.HEAD or foreign.codebook_sha != self.identity[1]:
            return foreign, None  # migrated (or refused) by the merge, then checked
        try:
            return foreign, self.check(foreign)
        except BaseException:
            foreign.close()
            raise

    def take(self, index: int, update: Callable[[ForeignProject], ForeignProject]) -> Checked:
        """The file at ``index``, opened, brought up to date and checked (or a refusal)."""
        path = self.paths[index]
        if index == self.stop:
            raise _refuse(path.name, "is the project itself")
        foreign, checked = self.futures[index].result()
        self.taken.append(foreign)
        if index in self.ahead:
            self.ahead.pop(index).result()
        if index + 1 < len(self.futures):  # the next file's rows are read while this one merges
            self.ahead[index + 1] = self.reader.submit(self._read_ahead, index + 1)
        if checked is None:
            current = update(foreign)  # of an older codebook: a migrated copy
            if current is not foreign:
                foreign.close()
                self.taken[-1] = foreign = current
            checked = self.check(foreign)
        return foreign, *checked

    def _read_ahead(self, index: int) -> None:
        foreign, checked = self.futures[index].result()  # started already: submitted before
        if checked is not None:  # not to be migrated first
            foreign.read_ahead()

    def refuse_early(self, after: int) -> None:
        """Raise the refusal of the first file after ``after`` whose opening or check
        failed already, rather than merge the files before it first."""
        for future in self.futures[after + 1 :]:
            if not future.done():
                return
            if future.exception() is not None:
                future.result()

    def close_unused(self) -> list[ForeignProject]:
        """The files taken (for the caller to close); those opened ahead that the merge
        did not take (it stopped early) are closed."""
        for future in self.futures:
            future.cancel()
        for future in self.futures:
            if future.cancelled() or future.exception() is not None:
                continue
            foreign = future.result()[0]
            if foreign not in self.taken:
                foreign.close()
        return self.taken


def _merge_all(
    conn: Any,
    project: Project,
    opening: _Opening,
    update: Callable[[ForeignProject], ForeignProject],
    coders: dict[str, Coder],
    progress: ProgressFn,
    cancelled: CancelFn,
) -> list[FileMerge]:
    """Check every row of each file and write the rows that win, file after file, in
    the merge's transaction, while the files after it are opened and checked."""
    facts = Lead(project.codebook, coders, latest_allowed(), _max_seconds(conn))
    files: list[FileMerge] = []
    for index, path in enumerate(opening.paths):
        progress(index, len(opening.paths), f"Merging {path.name}")
        foreign, owner, lengths = opening.take(index, update)
        if cancelled():
            raise MergeError("The merge was cancelled; nothing was written.")
        with no_cycle_collection():  # every row of the file is read: see app.core.bulk
            files.append(_merge_one(conn, foreign, facts, owner, lengths, cancelled))
        opening.refuse_early(index)
    if cancelled():
        raise MergeError("The merge was cancelled; nothing was written.")
    return files


def _drop(backup: Future[Path] | None, failure: BaseException) -> None:
    """Remove the backup of a merge that failed, once it is written. A backup that could
    not be written is the reason given (a merge without one would not have started)."""
    if backup is None:
        return
    try:
        saved = backup.result()
    except ProjectError as exc:
        if exc is not failure and not isinstance(failure, (KeyboardInterrupt, SystemExit)):
            raise exc from failure
        return
    except BaseException:  # noqa: BLE001 - its own failure is not the merge's
        return
    backups.discard_backup(saved)


def _open(path: Path) -> ForeignProject:
    try:
        return ForeignProject(path)
    except ProjectError as exc:
        raise MergeError(f"Nothing was merged: {exc.message}") from exc


def _merge_one(
    conn: Any, foreign: ForeignProject, facts: Lead, owner: Coder, lengths: dict[str, int], cancelled: CancelFn
) -> FileMerge:
    """Check one file's rows and write the winners; when the project refuses a write (a
    row it holds under another coder or article), the file is checked again looking up
    every id, which names the row and the reason (see :func:`check_rows`)."""
    plan = check_rows(conn, foreign, facts, owner, lengths)
    try:
        return merge_file(conn, foreign, plan, cancelled)
    except RefusedWrite:
        check_rows(conn, foreign, facts, owner, lengths, exact=True)
        raise
