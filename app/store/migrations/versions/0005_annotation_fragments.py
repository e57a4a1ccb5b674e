"""Discontinuous spans: the fragments of an annotation in a table of their own.

An annotation may cover several separate stretches of text (brat's ``T1 LOC 0 5;10 15``).
Its ``start`` and ``end`` stay the envelope (first start, last end), so everything that
reads only those columns keeps working; the stretches are rows of
``annotation_fragment`` keyed by (annotation, start). A contiguous annotation has no
fragment rows, so existing files gain an empty table and nothing else.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-14 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annotation_fragment",
        sa.Column("annotation_id", sa.String(length=36), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["annotation_id"], ["annotation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("annotation_id", "start"),
    )


def downgrade() -> None:
    op.drop_table("annotation_fragment")
