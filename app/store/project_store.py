"""Opening, creating and describing a project file."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, inspect, select, text, update
from sqlalchemy.exc import DatabaseError, OperationalError

from app.core.errors import ProjectError
from app.core.records import ProjectCounts, utc_now
from app.store import migrate
from app.store.annotations import AnnotationRepository
from app.store.answers import AnswerRepository
from app.store.articles import ArticleRepository
from app.store.assigning import AssigningQueries
from app.store.assignment_listing import AssignmentListing
from app.store.assignments import AssignmentRepository
from app.store.codebook_versions import CodebookVersions
from app.store.coders import CoderRepository
from app.store.engine import (
    APPLICATION_ID,
    check_file,
    check_integrity,
    is_url,
    make_engine,
    open_failure,
    shown_location,
)
from app.store.failures import describe_database_error
from app.store.fingerprint import schema_problem
from app.store.listing import ListingQueries
from app.store.packages import index_if_missing
from app.store.relations import RelationRepository
from app.store.reliability import ReliabilityQueries
from app.store.schema import (
    AnnotationRow,
    ArticleRow,
    CodebookHistoryRow,
    CodebookRow,
    CoderRow,
    DocumentCodeRow,
    EntityRow,
    ProjectRow,
    RelationRow,
)
from app.store.search import SearchQueries, rebuild_index
from app.store.server_roles import install_security


class ProjectStore:
    """One open project file. Thread: create and use it on one thread at a time."""

    def __init__(self, engine: Engine, location: str) -> None:
        self.engine = engine
        self.location = location
        self.articles = ArticleRepository(engine)
        self.annotations = AnnotationRepository(engine)
        self.coders = CoderRepository(engine)
        self.relations = RelationRepository(engine)
        self.answers = AnswerRepository(engine)
        self.assignments = AssignmentRepository(engine)
        self.reliability = ReliabilityQueries(engine)
        self.assigning = AssigningQueries(engine)
        self.listing = ListingQueries(engine)
        self.assignment_listing = AssignmentListing(engine)
        self.search = SearchQueries(engine)
        self.versions = CodebookVersions(engine)

    # -- opening -----------------------------------------------------------------
    @classmethod
    def create(
        cls,
        target: str | Path,
        *,
        name: str,
        codebook: tuple[str, str, str, str],
        settings: dict[str, Any],
    ) -> ProjectStore:
        """Create a new project; ``codebook`` is (name, version, content JSON, sha256)."""
        path = None if is_url(target) else Path(target)
        if path is not None:
            if path.exists():
                raise ProjectError(f"{path} already exists; choose another file name.")
            if not path.parent.is_dir():
                raise ProjectError(f"The folder {path.parent} does not exist.")
        engine = make_engine(target)
        try:
            with engine.begin() as conn:
                if engine.dialect.name == "sqlite":
                    conn.execute(text(f"PRAGMA application_id={APPLICATION_ID}"))
                elif inspect(conn).get_table_names():
                    raise ProjectError(f"{shown_location(target)} already holds tables; create a project in an empty database.")
                migrate.upgrade(conn)
                cb_name, cb_version, cb_content, cb_sha = codebook
                codebook_id = str(uuid.uuid4())
                now = utc_now()
                conn.execute(
                    insert(CodebookRow).values(
                        id=codebook_id, name=cb_name, version=cb_version,
                        content=cb_content, sha256=cb_sha, created_at=now,
                    )
                )
                conn.execute(
                    insert(ProjectRow).values(
                        id=str(uuid.uuid4()), name=name, created_at=now,
                        codebook_id=codebook_id, settings=settings,
                    )
                )
                conn.execute(
                    insert(CodebookHistoryRow).values(
                        number=1, codebook_id=codebook_id, adopted_at=now, map=None, report={},
                    )
                )
                if engine.dialect.name == "postgresql":
                    install_security(conn)  # coders' logins see only theirs (app.store.server_roles)
            if engine.dialect.name == "sqlite":
                # Write the header (with the application id) into the main file now, so
                # that other processes recognise the project while this one has it open.
                with engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except ProjectError:
            engine.dispose()
            raise
        except OperationalError as exc:
            engine.dispose()
            if path is not None:
                _remove_database(path)
            raise ProjectError(
                describe_database_error(exc, str(target)) or f"{shown_location(target)} cannot be created ({exc.orig})."
            ) from exc
        return cls(engine, str(target))

    @classmethod
    def open(cls, target: str | Path, *, check: bool = True) -> ProjectStore:
        """Open an existing project, refusing foreign, damaged, hostile or newer files.

        Every check goes through the engine's own connection (see :mod:`app.store.engine`
        for why nothing else may touch the file), and all of them run before anything
        is written: the application id, the quick integrity check, and the schema, which must
        be exactly what the migrations create at the file's revision.

        ``check=False`` is for a caller that only reads a few counts (``loupe info``): the
        quick check, whose cost grows with the file (1.6 s at 100,000 articles and
        1,000,000 annotations), then runs only if the file must be migrated, that is
        before anything would be written; a damaged page that the counts read is still
        refused with one sentence (see :meth:`counts`).
        """
        label = shown_location(target)
        if not is_url(target):
            check_file(Path(target))
        engine = make_engine(target, existing=True)
        try:
            with engine.begin() as conn:
                revision = migrate.current_revision(conn)
                if engine.dialect.name == "sqlite" and (check or revision != migrate.HEAD):
                    check_integrity(conn, label, quick=True)
                if revision is None:
                    raise ProjectError(f"{label} is not a Loupe project (it has no Loupe tables).")
                if revision not in migrate.KNOWN_REVISIONS:
                    raise ProjectError(
                        f"{label} was written by a newer version of Loupe; "
                        "update Loupe to open it."
                    )
                if engine.dialect.name == "sqlite":
                    problem = schema_problem(conn, revision)
                    if problem is not None:
                        raise ProjectError(f"{label} cannot be opened: its database {problem}.")
                if revision != migrate.HEAD:
                    _upgrade(conn, label, revision)
                if engine.dialect.name == "sqlite" and check:
                    index_if_missing(conn)  # a package's first open for work
                if conn.execute(select(func.count()).select_from(ProjectRow)).scalar_one() != 1:
                    raise ProjectError(f"{label} is not a Loupe project (its project record is missing).")
        except (ProjectError, DatabaseError) as exc:
            engine.dispose()
            if isinstance(exc, ProjectError):
                raise
            raise ProjectError(describe_database_error(exc, str(target)) or open_failure(label, exc)) from exc
        return cls(engine, str(target))

    def close(self) -> None:
        self.assignment_listing.close()
        self.engine.dispose()

    def __enter__(self) -> ProjectStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- project record ----------------------------------------------------------
    def project_name(self) -> str:
        with self.engine.connect() as conn:
            return conn.execute(select(ProjectRow.name)).scalar_one()

    def codebook(self) -> tuple[str, str, str, str]:
        """(name, version, content JSON, sha256) of the project's codebook."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(CodebookRow.name, CodebookRow.version, CodebookRow.content, CodebookRow.sha256)
                .join(ProjectRow, ProjectRow.codebook_id == CodebookRow.id)
            ).one()
        return (row.name, row.version, row.content, row.sha256)

    def settings(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return dict(conn.execute(select(ProjectRow.settings)).scalar_one() or {})

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        with self.engine.begin() as conn:
            current = dict(conn.execute(select(ProjectRow.settings)).scalar_one() or {})
            current.update(changes)
            conn.execute(update(ProjectRow).values(settings=current))
        return current

    def counts(self) -> ProjectCounts:
        """What the project holds; a damaged file is one sentence (a :class:`ProjectError`)."""
        try:
            return self._counts()
        except DatabaseError as exc:
            label = shown_location(self.location)
            raise ProjectError(
                describe_database_error(exc, self.location) or open_failure(label, exc)
            ) from exc

    def _counts(self) -> ProjectCounts:
        def count(conn: Any, table: Any, live: bool = False) -> int:
            total = conn.execute(select(func.count()).select_from(table)).scalar_one()
            if not live:
                return total
            # All rows (from the smallest index) less the tombstones (from their partial
            # index, migration 0007): neither reads the table's rows.
            gone = select(func.count()).select_from(table).where(table.deleted_at.is_not(None))
            return total - conn.execute(gone).scalar_one()

        with self.engine.connect() as conn:
            by_label = dict(
                conn.execute(
                    select(EntityRow.label, func.count()).group_by(EntityRow.label)
                ).tuples().all()
            )
            cb_name, cb_version, _content, _sha = self.codebook()
            return ProjectCounts(
                name=self.project_name(),
                path=shown_location(self.location) if is_url(self.location) else self.location,
                codebook=f"{cb_name} {cb_version}",
                articles=count(conn, ArticleRow),
                entities=count(conn, EntityRow),
                coders=count(conn, CoderRow),
                annotations=count(conn, AnnotationRow, live=True),
                relations=count(conn, RelationRow, live=True),
                document_codes=count(conn, DocumentCodeRow, live=True),
                entities_by_label=dict(sorted(by_label.items())),
                settings=self.settings(),
            )


def _upgrade(conn: Connection, label: str, revision: str) -> None:
    """Migrate an older project to this program's schema. On a server only the
    database's owner (the lead) may: a coder's login is refused with a sentence, and the
    owner's migration installs the logins' security again (for the tables it added)."""
    server = conn.dialect.name == "postgresql"
    if server and not conn.exec_driver_sql(
        "SELECT pg_has_role(current_user, datdba, 'USAGE') FROM pg_database WHERE datname = current_database()"
    ).scalar():
        raise ProjectError(
            f"{label} holds a project of an older version of Loupe (schema {revision}); "
            "ask the project's lead to upgrade it by opening it once with this version as the database's owner."
        )
    migrate.upgrade(conn)
    if server:
        rebuild_index(conn)  # the articles the new revision's search rows lack
        install_security(conn)


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            candidate.unlink()
