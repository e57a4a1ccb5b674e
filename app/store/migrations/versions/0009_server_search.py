"""Full-text search on PostgreSQL: a tsvector of every article's title and text.

A project file searches its FTS5 index (migration 0006); a project on PostgreSQL gets
``article_search``: one row per article, its words as the FTS5 index reads them (the
``unicode61`` tokeniser, case and diacritics folded, so Latin, Cyrillic and Arabic text
alike) in a ``tsvector`` of PostgreSQL's ``simple`` configuration, the title's words
weighted A and the text's B, under a GIN index. The store writes the rows with the
articles it imports (:mod:`app.store.search_server`), and fills in those of a database
migrated to this revision when its owner opens it. On SQLite this revision changes
nothing.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 22:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE article_search ("
        "article_id VARCHAR(36) PRIMARY KEY REFERENCES article (id) ON DELETE CASCADE, "
        "document TSVECTOR NOT NULL)"
    )
    op.execute("CREATE INDEX ix_article_search ON article_search USING gin (document)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE article_search")
