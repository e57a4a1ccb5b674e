"""What a user types into Find in Project, as the FTS5 query sent to the index."""

from __future__ import annotations

import sqlite3

import pytest

from app.core.search_query import fts_query


@pytest.mark.parametrize(("typed", "query"), [
    ("forced", "forced"),
    ("deport* OR \"signed a contract\"", 'deport* OR "signed a contract"'),
    ("self-harm NOT (Moscow OR Kiev)", '"self-harm" NOT ( Moscow OR Kiev )'),
    ("U.S. army", '"U.S." army'),
    ("don't", '"don\'t"'),
    ("title:moscow", "title:moscow"),
    ("заключённым", "заключённым"),
    ("المهاجرون", "المهاجرون"),
    ('"unclosed phrase', '"unclosed phrase"'),
    ("e.g.*", '"e.g."*'),
    ("NEAR(forced sign, 5)", "NEAR(forced sign, 5)"),
    ("NEARLY U.S.", 'NEARLY "U.S."'),
])
def test_typed_queries_become_valid_fts5(typed: str, query: str) -> None:
    assert fts_query(typed) == query
    conn = sqlite3.connect(":memory:")  # and FTS5 parses it
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(title, text)")
    conn.execute("SELECT * FROM t WHERE t MATCH ?", (query,)).fetchall()


@pytest.mark.parametrize("typed", ["", "   ", "...", "( )", "OR"])
def test_a_query_without_words_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        fts_query(typed)
