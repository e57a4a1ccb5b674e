"""The team server: publishing a project to PostgreSQL, copying it back, coders' logins.

The command line (``loupe server ...``) and, later, the window call these; the work is
in :mod:`app.store.server` (the copies) and :mod:`app.store.server_roles` (logins and
row-level security). psycopg is an optional extra: without it, a URL is refused with a
sentence naming the extra.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from app.core.errors import ProjectError
from app.services.projects import Project, open_project

PSYCOPG_MISSING = (
    "The team server needs psycopg, which this installation lacks: "
    "install Loupe with its server extra (pip install 'loupe-coder[server]')."
)


def shown(target: str) -> str:
    """A project's file name or path as given, or its URL without the password."""
    if "://" not in target:
        return target
    from app.store.engine import shown_location

    return shown_location(target)


def require_driver() -> None:
    if importlib.util.find_spec("psycopg") is None:
        raise ProjectError(PSYCOPG_MISSING)


def publish(url: str, source: Path, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Copy the project file ``source`` into the empty PostgreSQL database at ``url``."""
    require_driver()
    from app.store.server import publish as copy_in

    return copy_in(url, source, progress)


def download(url: str, target: Path, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Copy the project at ``url`` into the new project file ``target``."""
    require_driver()
    from app.store.server import download as copy_out

    return copy_out(url, target, progress)


def set_password(url: str, name: str, password_file: Path) -> bool:
    """Create or reset coder ``name``'s login; True if it was created. The password is the
    first line of ``password_file`` (so it never appears in the shell's history)."""
    require_driver()
    from app.store.server import DatabaseFailure, database_reason, server_engine
    from app.store.server_roles import set_login

    try:
        password = password_file.read_text(encoding="utf-8").splitlines()[0] if password_file.stat().st_size else ""
    except OSError as exc:
        raise ProjectError(f"{password_file} cannot be read: {exc.strerror or exc}.") from exc
    engine = server_engine(url)
    try:
        with engine.begin() as conn:
            return set_login(conn, name, password)
    except DatabaseFailure as exc:
        raise ProjectError(f"The login of {name} could not be set: {database_reason(exc)}.") from exc
    finally:
        engine.dispose()


#: What libpq says when a login has no password or a wrong one (the window then asks).
_PASSWORD_REFUSALS = ("no password supplied", "password authentication failed")


def password_refused(message: str) -> bool:
    """Whether opening a URL failed for want of the right password."""
    return any(words in message for words in _PASSWORD_REFUSALS)


def signed_in_coder(project: Project) -> str | None:
    """On a team server as a coder's login: that coder's name (the only one the window
    may code as). None for a project file, or for the lead (the database's owner), who
    chooses a coder as in a file."""
    from app.store.server_login import signed_in

    login = signed_in(project.store.engine)
    if login is None or login[1]:
        return None
    return login[0]


def lead_refusal(project: Project) -> str | None:
    """Why the Team window and other lead actions are closed to this login, or None."""
    coder = signed_in_coder(project)
    if coder is None:
        return None
    return (
        f"You are signed in to the team server as {coder}, a coder: the Team window, merging "
        "and the codebook are the lead's, who signs in as the database's owner."
    )


def coder_of_login(url: str) -> str | None:
    """The coder a login on ``url`` codes as (see :func:`signed_in_coder`), from one open."""
    with open_project(url) as project:
        return signed_in_coder(project)
