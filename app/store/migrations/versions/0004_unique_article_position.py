"""Every article has its own position: a unique index on ``article.position``.

Two imports into one project at once used to give two articles the same position
(``loupe assign --articles 15`` then picked one of the two). Imports now read the highest
position and insert inside one write transaction; this index makes the database refuse
a repeated position whatever writes it. The upgrade first moves every article that
shares a position with an earlier one (by import time, then row) to the end, in that
order, so a project damaged by the old race opens with all its articles.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_REPEATED = """
SELECT a.id FROM article a
WHERE EXISTS (
    SELECT 1 FROM article b WHERE b.position = a.position
    AND (b.imported_at < a.imported_at OR (b.imported_at = a.imported_at AND b.id < a.id))
)
ORDER BY a.imported_at, a.id
"""


def upgrade() -> None:
    conn = op.get_bind()
    repeated = [row[0] for row in conn.exec_driver_sql(_REPEATED)]
    if repeated:
        last = conn.exec_driver_sql("SELECT COALESCE(MAX(position), 0) FROM article").scalar_one()
        for offset, article_id in enumerate(repeated, start=1):
            conn.execute(  # named parameters: the same on SQLite and PostgreSQL
                sa.text("UPDATE article SET position = :position WHERE id = :id"),
                {"position": last + offset, "id": article_id},
            )
    op.create_index("ix_article_position", "article", ["position"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_article_position", table_name="article")
