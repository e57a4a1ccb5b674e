"""Alembic environment: always run on a connection the store hands over."""

from __future__ import annotations

from alembic import context

from app.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER columns; batch mode copies the table.
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
