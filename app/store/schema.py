"""Tables of a project file (see ARCHITECTURE.md, "The project file and the one way into it").

Portable SQLAlchemy types only (no SQLite-specific DDL), so the same models can live
on a PostgreSQL server. Identifiers are UUID strings; timestamps are UTC ISO strings
with microseconds so that they sort and merge the same on every platform.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ProjectRow(Base):
    """The one row that says which project this file is and which codebook it uses."""

    __tablename__ = "project"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(32))
    codebook_id: Mapped[str] = mapped_column(ForeignKey("codebook.id"))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CodebookRow(Base):
    """An immutable codebook version; its content is canonical JSON."""

    __tablename__ = "codebook"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(50))
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[str] = mapped_column(String(32))


class CodebookHistoryRow(Base):
    """A codebook the project has used, numbered from 1 (migration 0008); ``map`` is the
    map that migrated the coding from the previous version, ``report`` what it changed."""

    __tablename__ = "codebook_history"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    codebook_id: Mapped[str] = mapped_column(ForeignKey("codebook.id"), unique=True)
    adopted_at: Mapped[str] = mapped_column(String(32))
    map: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ArticleRow(Base):
    __tablename__ = "article"
    # Covering indexes for the article list (migration 0006): by id, in import order, by title.
    __table_args__ = (
        Index("ix_article_listing", "id", "position", "title", "source", "published", "language"),
        Index("ix_article_order", "position", "id", "title", "source", "published", "language"),
        Index("ix_article_title", text("title COLLATE NOCASE"), "position", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str | None] = mapped_column(String(20))
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    origin: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, index=True, unique=True)
    imported_at: Mapped[str] = mapped_column(String(32))


class EntityRow(Base):
    """A machine pre-highlight; replaced as a whole when the pipeline is re-run."""

    __tablename__ = "entity"
    __table_args__ = (Index("ix_entity_article", "article_id", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(50))
    model: Mapped[str] = mapped_column(String(200))


class CoderRow(Base):
    __tablename__ = "coder"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="coder")
    created_at: Mapped[str] = mapped_column(String(32))


class AssignmentRow(Base):
    """A coder's status on an article. ``assigned`` rows come from the lead's assignment;
    in a project without any, a row appears when a coder first works on an article."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("article_id", "coder_id"),
        Index("ix_assignment_coder", "coder_id", "article_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    coder_id: Mapped[str] = mapped_column(ForeignKey("coder.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="todo")
    assigned: Mapped[bool] = mapped_column(Boolean, default=False)
    seconds_spent: Mapped[float] = mapped_column(default=0.0)
    updated_at: Mapped[str] = mapped_column(String(32))


def tombstones(table: str) -> Index:
    """The partial index of a table's tombstones (migration 0007): live rows are counted
    as all rows less these, without reading the table."""
    where = text("deleted_at IS NOT NULL")
    return Index(f"ix_{table}_tombstone", "deleted_at", sqlite_where=where, postgresql_where=where)


class AnnotationRow(Base):
    __tablename__ = "annotation"
    __table_args__ = (Index("ix_annotation_article_coder", "article_id", "coder_id"), tombstones("annotation"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    coder_id: Mapped[str] = mapped_column(ForeignKey("coder.id"))
    label: Mapped[str] = mapped_column(String(100))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[str | None] = mapped_column(String(32))
    # The codebook version the row was made or last migrated under, and the one its coder
    # last made or changed it under (migration 0008).
    codebook_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    coded_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class AnnotationFragmentRow(Base):
    """One stretch of a discontinuous annotation, whose ``start``/``end`` are the envelope.

    A contiguous annotation has no rows here; a discontinuous one has two or more,
    sorted, apart from each other, the first starting at the envelope's start and the
    last ending at its end. They are written, merged and deleted with their annotation.
    """

    __tablename__ = "annotation_fragment"

    annotation_id: Mapped[str] = mapped_column(
        ForeignKey("annotation.id", ondelete="CASCADE"), primary_key=True
    )
    start: Mapped[int] = mapped_column(Integer, primary_key=True)
    end: Mapped[int] = mapped_column(Integer)


class RelationRow(Base):
    __tablename__ = "relation"
    __table_args__ = (Index("ix_relation_article_coder", "article_id", "coder_id"), tombstones("relation"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    coder_id: Mapped[str] = mapped_column(ForeignKey("coder.id"))
    label: Mapped[str] = mapped_column(String(100))
    source_id: Mapped[str] = mapped_column(ForeignKey("annotation.id"))
    target_id: Mapped[str] = mapped_column(ForeignKey("annotation.id"))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[str | None] = mapped_column(String(32))
    # The codebook version the row was made or last migrated under, and the one its coder
    # last made or changed it under (migration 0008).
    codebook_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    coded_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class DocumentCodeRow(Base):
    """An answer to an article-level question."""

    __tablename__ = "document_code"
    __table_args__ = (
        Index("ix_document_code_article_coder", "article_id", "coder_id"), tombstones("document_code"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    coder_id: Mapped[str] = mapped_column(ForeignKey("coder.id"))
    question: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[str | None] = mapped_column(String(32))
    # The codebook version the row was made or last migrated under, and the one its coder
    # last made or changed it under (migration 0008).
    codebook_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    coded_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class MergeLogRow(Base):
    """One returned file merged into this project: provenance of the merged work.

    Written only when the merge changed something, so merging a file again leaves the
    project exactly as it was. ``summary`` holds the counts per coder and kind.
    """

    __tablename__ = "merge_log"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    merged_at: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64))
    package_for: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)


class RejectionRow(Base):
    """An adjudicator's rejection of a group: the gold standard holds none of it.

    No row of the gold can say so, hence a row of its own (one per adjudicator, article
    and group key); before schema 0003 these lived in the project settings.
    """

    __tablename__ = "adjudication_rejection"

    adjudicator_id: Mapped[str] = mapped_column(ForeignKey("coder.id", ondelete="CASCADE"), primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    rejected_at: Mapped[str] = mapped_column(String(32))


#: The full-text index of titles and texts (SQLite only; migration 0006 creates it, and
#: :mod:`app.store.search` keeps it current). Its content is the article table.
ARTICLE_FTS = (
    "CREATE VIRTUAL TABLE article_fts USING fts5(title, text, content='article', "
    "content_rowid='position', tokenize='unicode61 remove_diacritics 2')"
)
