"""Who a window or command is signed in as on a team server.

On PostgreSQL the login decides what the database lets through (row-level security,
:mod:`app.store.server_roles`): the database's owner is the lead, any other login is the
coder (or adjudicator) of the same name. A project file has no login: None.
"""

from __future__ import annotations

from sqlalchemy import Engine, text


def signed_in(engine: Engine) -> tuple[str, bool] | None:
    """(the login's name, whether it owns the database), or None for a project file."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        name, owner = conn.execute(text(
            "SELECT current_user, pg_has_role(current_user, d.datdba, 'USAGE') "
            "FROM pg_database d WHERE d.datname = current_database()"
        )).one()
    return str(name), bool(owner)
