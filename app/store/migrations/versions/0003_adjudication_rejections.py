"""Adjudication rejections in a table of their own, moved out of the project settings.

Until now the rejections ("the gold holds none of this group") were one JSON value in
the project settings, rewritten whole by every decision: two windows rejecting at once
could lose one of the two. Each is now a row (adjudicator, article, group key). The
upgrade moves the existing ones into the table, leaving out entries whose coder or
article no longer exists, and removes them from the settings; the downgrade puts them back.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-09 10:00:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: The project setting that held them: adjudicator id -> article id -> rejected keys.
SETTING = "adjudication_rejections"

_project = sa.table("project", sa.column("id", sa.String), sa.column("settings", sa.JSON))
_coder = sa.table("coder", sa.column("id", sa.String))
_article = sa.table("article", sa.column("id", sa.String))
_rejection = sa.table(
    "adjudication_rejection",
    sa.column("adjudicator_id", sa.String), sa.column("article_id", sa.String),
    sa.column("key", sa.Text), sa.column("rejected_at", sa.String),
)
#: What the moved rows say about when they were rejected: the settings did not keep it.
_UNKNOWN_TIME = ""


def upgrade() -> None:
    op.create_table(
        "adjudication_rejection",
        sa.Column("adjudicator_id", sa.String(length=36), nullable=False),
        sa.Column("article_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("rejected_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["adjudicator_id"], ["coder.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("adjudicator_id", "article_id", "key"),
    )
    bind = op.get_bind()
    for project_id, settings in bind.execute(sa.select(_project.c.id, _project.c.settings)).all():
        if not isinstance(settings, dict) or SETTING not in settings:
            continue
        coders = set(bind.execute(sa.select(_coder.c.id)).scalars())
        articles = set(bind.execute(sa.select(_article.c.id)).scalars())
        rows = [
            {"adjudicator_id": who, "article_id": article, "key": key, "rejected_at": _UNKNOWN_TIME}
            for who, article, key in _entries(settings[SETTING])
            if who in coders and article in articles
        ]
        if rows:
            bind.execute(sa.insert(_rejection), rows)
        kept = {name: value for name, value in settings.items() if name != SETTING}
        bind.execute(sa.update(_project).where(_project.c.id == project_id).values(settings=kept))


def _entries(stored: Any) -> list[tuple[str, str, str]]:
    """(adjudicator, article, key) of a settings value, skipping whatever is malformed."""
    found: set[tuple[str, str, str]] = set()
    if not isinstance(stored, dict):
        return []
    for who, by_article in stored.items():
        if not isinstance(by_article, dict):
            continue
        for article, keys in by_article.items():
            if isinstance(keys, list):
                found.update((who, article, key) for key in keys if isinstance(key, str))
    return sorted(found)


def downgrade() -> None:
    bind = op.get_bind()
    stored: dict[str, dict[str, list[str]]] = {}
    query = sa.select(_rejection.c.adjudicator_id, _rejection.c.article_id, _rejection.c.key)
    for who, article, key in bind.execute(query.order_by(*query.selected_columns)).all():
        stored.setdefault(who, {}).setdefault(article, []).append(key)
    if stored:
        for project_id, settings in bind.execute(sa.select(_project.c.id, _project.c.settings)).all():
            merged = {**(settings if isinstance(settings, dict) else {}), SETTING: stored}
            bind.execute(sa.update(_project).where(_project.c.id == project_id).values(settings=merged))
    op.drop_table("adjudication_rejection")
