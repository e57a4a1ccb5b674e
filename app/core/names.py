"""Matching names from outside files (brat types, doccano labels, REFI-QDA codes) to the
codebook's names, whatever their case, accents and punctuation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable


def name_key(name: str) -> str:
    """A name as a codebook name could spell it: accents dropped, case folded, every
    run of other characters one ``_`` (``"Resisting coercion"`` -> ``resisting_coercion``)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "_", plain.casefold()).strip("_")


def name_resolver(names: Iterable[str]) -> Callable[[str], str | None]:
    """A function giving the one of ``names`` that a name means: the same name, else the
    only one equal to it ignoring case, accents and punctuation; ``None`` otherwise."""
    exact = set(names)
    by_key: dict[str, list[str]] = {}
    for name in exact:
        by_key.setdefault(name_key(name), []).append(name)

    def resolve(name: str) -> str | None:
        if name in exact:
            return name
        found = by_key.get(name_key(name), [])
        return found[0] if len(found) == 1 else None

    return resolve
