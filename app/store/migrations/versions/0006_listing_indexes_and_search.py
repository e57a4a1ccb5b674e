"""A project of 100,000 articles: covering indexes for the article list, and full-text search.

The coder's article list reads the ids of its articles in the asked order; without these
indexes SQLite walks the article table itself, whose rows carry the whole text, and a
list of 100,000 articles took a third of a second to sort. ``ix_article_listing`` (by id)
answers "the columns of these articles" and the join from a coder's assignments,
``ix_article_order`` the list in import order, ``ix_article_title`` the list by title,
``ix_assignment_coder`` a coder's articles and statuses; none of them reads the table.

``article_fts`` is an FTS5 index over titles and texts for *Find in Project*. Its content
is the article table itself (``content_rowid`` the unique position), so the texts are not
stored twice; the store adds rows to it with the articles they index (an FTS table keeps
no triggers here: a project file carries none, see :mod:`app.store.fingerprint`). The
``unicode61`` tokeniser splits words by Unicode letter and digit classes, so Latin,
Cyrillic and Arabic text are all tokenised, and folds case and Latin diacritics.

On PostgreSQL the indexes are created and the FTS table is not (search reads the texts
there).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 17:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: The FTS5 table, as the store and the schema check know it.
CREATE_FTS = (  # as app.store.schema.ARTICLE_FTS at this revision
    "CREATE VIRTUAL TABLE article_fts USING fts5(title, text, content='article', "
    "content_rowid='position', tokenize='unicode61 remove_diacritics 2')"
)


def upgrade() -> None:
    op.create_index(
        "ix_article_listing", "article", ["id", "position", "title", "source", "published", "language"]
    )
    op.create_index(
        "ix_article_order", "article", ["position", "id", "title", "source", "published", "language"]
    )
    op.create_index("ix_assignment_coder", "assignment", ["coder_id", "article_id", "status"])
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("CREATE INDEX ix_article_title ON article (title COLLATE NOCASE, position, id)")
        conn.exec_driver_sql(CREATE_FTS)
        conn.exec_driver_sql("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")
    else:
        op.create_index("ix_article_title", "article", ["title", "position", "id"])


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TABLE article_fts")
    op.drop_index("ix_article_title", table_name="article")
    op.drop_index("ix_assignment_coder", table_name="assignment")
    op.drop_index("ix_article_order", table_name="article")
    op.drop_index("ix_article_listing", table_name="article")
