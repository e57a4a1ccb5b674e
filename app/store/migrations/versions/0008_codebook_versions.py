"""Codebook versions: the project's history of codebooks, and the version of each coded row.

A project may change its codebook mid-study (``loupe codebook P --upgrade``). The
``codebook`` table already holds immutable codebook documents; ``codebook_history``
numbers the ones the project has used (1, 2, ...), with the map that migrated the coding
from the previous one, when, and what it changed. Every annotation, relation and answer
records ``codebook_version``, the version it was made or last migrated under, and
``coded_version``, the version under which its coder last made or changed it (a migration
leaves that as it was: agreement needs to know what the coder saw). Existing rows are
version 1, the project's codebook at the time of this migration.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 19:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("annotation", "relation", "document_code")


def upgrade() -> None:
    op.create_table(
        "codebook_history",
        sa.Column("number", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("codebook_id", sa.String(36), sa.ForeignKey("codebook.id"), nullable=False, unique=True),
        sa.Column("adopted_at", sa.String(32), nullable=False),
        sa.Column("map", sa.JSON(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
    )
    op.execute(
        "INSERT INTO codebook_history (number, codebook_id, adopted_at, map, report) "
        "SELECT 1, codebook_id, created_at, NULL, '{}' FROM project"
    )
    for table in TABLES:
        for column in ("codebook_version", "coded_version"):
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in TABLES:
        for column in ("codebook_version", "coded_version"):
            op.drop_column(table, column)
    op.drop_table("codebook_history")
