"""The schema revision of a project file, and running the packaged Alembic migrations.

Opening a project only reads its revision; Alembic itself is imported when a file
actually needs migrating (or a new one is created), which keeps start-up quick.
:data:`HEAD` and :data:`KNOWN_REVISIONS` must name the migration scripts in
``migrations/versions`` (a test checks them against Alembic's own view).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

_MIGRATIONS = Path(__file__).with_name("migrations")

#: The newest schema revision this program knows.
HEAD = "0009"
#: Every revision this program can open (older ones are migrated to HEAD).
KNOWN_REVISIONS = frozenset({"0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009"})


def config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_revisions() -> tuple[str | None, set[str]]:
    """(head, all revisions) as Alembic reads them from the migration scripts."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config())
    return script.get_current_head(), {rev.revision for rev in script.walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    """The file's schema revision, or None if it has no Loupe schema."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(connection: Connection) -> None:
    """Bring the schema to :data:`HEAD`, inside the caller's transaction."""
    from alembic import command

    command.upgrade(config(connection), "head")
