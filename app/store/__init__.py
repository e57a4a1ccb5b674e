"""The project file: SQLAlchemy 2.x tables, engine set-up, migrations and repositories.

The only package that imports SQLAlchemy and Alembic. Repositories return plain
dataclasses from :mod:`app.core`, never ORM objects, so nothing lazy-loads elsewhere.
Every public write is its own short transaction, committed before it returns.
May import: SQLAlchemy, Alembic, the standard library and :mod:`app.core`.
"""

from app.store.project_store import ProjectStore

__all__ = ["ProjectStore"]
