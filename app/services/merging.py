"""Merging coders' returned files into the lead's project.

Every file is checked before anything is written: it must be an intact Loupe project
of the same project (id) with the same codebook version (sha256; a package of an older
version is migrated first, see :mod:`app.services.merge_versions`) and a coder's package
(its settings name the coder, :data:`PACKAGE_FOR`; a full copy of a project is refused),
every article in it must be one of the project's with the same text, its coder records
must be the project's (same id, name and role: a file adds no coder and changes no
role). All of it happens in ONE transaction whose write lock is taken first: the lead's
file is backed up beside itself (``<name>.backup-<UTC timestamp>.loupe``, the newest
:data:`KEEP_BACKUPS` kept) on a worker thread while the files are opened and checked
(two at a time), and once the backup is complete, file after file every row is checked by
:mod:`app.services.merge_checks` (only its own coder's rows may change, each one valid)
and the rows that win are written from that same read (:mod:`app.store.merge_writes`;
the rules: :mod:`app.store.merging`). The first refusal rolls everything back and
removes the backup. Long: may run on the database worker; takes ``progress`` and
``cancelled``.
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
from app.store import backups
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

    def check(foreign: ForeignProject) -> tuple[Coder, dict[str, int]]:
        return _check(foreign, identity, label, hashes, coders)

    backup: Future[Path] | None = None
    workdir = Path(tempfile.mkdtemp(prefix="loupe-merge-"))
    try:
        with ThreadPoolExecutor(max_workers=_OPENERS + 1) as pool:
            try:
                with merge_transaction(store.engine) as conn:
                    # Under the write lock, so that it is the project the merge starts from,
                    # and written while the files are opened and checked.
                    backup = pool.submit(_backup, project, lead) if make_backup and not server else None
                    checked = _open_all(
                        pool, files_in, stop, opened, check, lambda f: up_to_date(project, f, workdir),
                        progress, cancelled,
                    )
                    saved = backup.result() if backup is not None else None
                    files = _write_all(conn, project, checked, coders, progress, cancelled)
            except BaseException:
                _drop(backup)
                raise
        progress(len(checked), len(checked), "Merged")
        saved = _settle(lead, saved, files)
    finally:
        for foreign in opened:
            foreign.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return MergeReport(files=files, backup=None if saved is None else str(saved))


def _open_all(
    pool: ThreadPoolExecutor,
    paths: Sequence[Path],
    stop: int,
    opened: list[ForeignProject],
    check: Callable[[ForeignProject], tuple[Coder, dict[str, int]]],
    update: Callable[[ForeignProject], ForeignProject],
    progress: ProgressFn,
    cancelled: CancelFn,
) -> list[tuple[ForeignProject, Coder, dict[str, int]]]:
    """Open and check every file (see :func:`_check`), in order; the files before
    ``stop`` are opened two at a time (their integrity checks run in SQLite, outside the
    GIL), the one at ``stop`` is the project itself. Every file opened ends in ``opened``
    or is closed."""
    futures = [pool.submit(_open, path) for path in paths[:stop]]
    checked = []
    try:
        for index, path in enumerate(paths):
            progress(index, len(paths), f"Checking {path.name}")
            if index == stop:
                raise _refuse(path.name, "is the project itself")
            foreign = futures[index].result()
            opened.append(foreign)
            current = update(foreign)  # of an older codebook: a migrated copy
            if current is not foreign:
                foreign.close()
                opened[-1] = foreign = current
            checked.append((foreign, *check(foreign)))
            if cancelled():
                raise MergeError("The merge was cancelled; nothing was written.")
    finally:
        _close_unused(futures, opened)
    return checked


def _drop(backup: Future[Path] | None) -> None:
    """Remove the backup of a merge that failed, once it is written (or failed too)."""
    if backup is None:
        return
    try:
        saved = backup.result()
    except BaseException:  # noqa: BLE001 - its own failure is not the merge's
        return
    backups.discard_backup(saved)


def _open(path: Path) -> ForeignProject:
    try:
        return ForeignProject(path)
    except ProjectError as exc:
        raise MergeError(f"Nothing was merged: {exc.message}") from exc


def _close_unused(futures: Sequence[Future[ForeignProject]], used: Sequence[ForeignProject]) -> None:
    """Close the files opened ahead that the merge did not get to (it stopped early)."""
    for future in futures:
        future.cancel()
    for future in futures:
        if future.cancelled() or future.exception() is not None:
            continue
        foreign = future.result()
        if foreign not in used:
            foreign.close()


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


def _write_all(
    conn: Any,
    project: Project,
    checked: Sequence[tuple[ForeignProject, Coder, dict[str, int]]],
    coders: dict[str, Coder],
    progress: ProgressFn,
    cancelled: CancelFn,
) -> list[FileMerge]:
    """Check every row of each file and write the rows that win, file after file, in
    the merge's transaction."""
    facts = Lead(project.codebook, coders, latest_allowed(), _max_seconds(conn))
    files: list[FileMerge] = []
    for index, (foreign, owner, lengths) in enumerate(checked):
        progress(index, len(checked), f"Merging {foreign.name}")
        with no_cycle_collection():  # every row of the file is read: see app.core.bulk
            files.append(_merge_one(conn, foreign, facts, owner, lengths, cancelled))
    if cancelled():
        raise MergeError("The merge was cancelled; nothing was written.")
    return files
