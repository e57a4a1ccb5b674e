"""Coders of a project."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, insert, select

from app.core.records import Coder, utc_now
from app.core.team import ROLES
from app.store.schema import CoderRow

__all__ = ["ROLES", "CoderRepository"]


class CoderRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def list(self) -> list[Coder]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(CoderRow).order_by(CoderRow.name)).all()
        return [Coder(r.id, r.name, r.role) for r in rows]

    def find(self, name: str) -> Coder | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(CoderRow).where(CoderRow.name == name)).one_or_none()
        return None if row is None else Coder(row.id, row.name, row.role)

    def get_or_create(self, name: str, role: str = "coder") -> Coder:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        existing = self.find(name)
        if existing is not None:
            return existing
        coder = Coder(str(uuid.uuid4()), name, role)
        with self._engine.begin() as conn:
            conn.execute(
                insert(CoderRow).values(id=coder.id, name=name, role=role, created_at=utc_now())
            )
        return coder
