"""Alembic migrations of the project file; shipped inside the package."""
