"""What a user types into *Find in Project*, made into a full-text query.

The syntax is SQLite FTS5's: words (``conscription``), phrases in double quotes
(``"signed a contract"``), prefixes (``deport*``), ``AND`` (the default between words),
``OR``, ``NOT``, parentheses, ``NEAR(a b, 5)`` and a column (``title: moscow``). A word
with punctuation inside (``U.S.``, ``don't``, ``self-harm``, ``11:00``) is not valid FTS5:
it is searched as the phrase of its parts, as a user means it, instead of failing.
"""

from __future__ import annotations

import re

_OPERATORS = frozenset({"AND", "OR", "NOT"})
#: A quoted phrase, a bracket, or a run of anything else up to white space, a bracket or a quote.
_TOKEN = re.compile(r'"(?:[^"]|"")*"?|[()]|[^\s()"]+')
#: A bare word FTS5 reads as is: letters, digits, underscores and marks, with an
#: optional column prefix (``title:``), leading ``^`` and trailing ``*``.
_BARE = re.compile(r"^(?:(?:title|text):)?\^?[\w\u0300-\u036f\u064b-\u065f\u0670]+\*?$")
_NEAR = re.compile(r"\bNEAR\s*\(")
_COLUMN = re.compile(r"^(?:title|text):$")


def fts_query(typed: str) -> str:
    """``typed`` as FTS5 query text; raises ValueError for a query with no words."""
    if _NEAR.search(typed):  # NEAR(a b, 5) has commas of its own: passed on as typed
        return typed.strip()
    out: list[str] = []
    for token in _TOKEN.findall(typed):
        if token.startswith('"'):
            inner = token[1:-1] if len(token) > 1 and token.endswith('"') else token[1:]
            if inner.strip():
                out.append('"' + inner.replace('""', '"').replace('"', '""') + '"')
        elif token in "()" or token in _OPERATORS or _BARE.match(token) or _COLUMN.match(token):
            out.append(token)
        else:
            star = token.endswith("*")
            core = token[:-1] if star else token
            if core.strip("\"'.,;:!?-\u2010\u2011\u2013\u2014\u2019"):
                out.append('"' + core.replace('"', '""') + '"' + ("*" if star else ""))
    if not any(t not in _OPERATORS and t not in "()" for t in out):
        raise ValueError("no words")
    return " ".join(out)
