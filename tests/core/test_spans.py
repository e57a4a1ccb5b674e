"""Snapping selections to whole words, in several scripts."""

from __future__ import annotations

import pytest

from app.core.spans import snap_to_words


def snapped(text: str, fragment: str, occurrence: int = 0) -> str:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(fragment, start + 1)
    s, e = snap_to_words(text, start, start + len(fragment))
    return text[s:e]


@pytest.mark.parametrize(
    ("text", "fragment", "expected"),
    [
        ("Anton Korolev said", "ton Koro", "Anton Korolev"),
        ("  Anton  ", "  Anton  ", "Anton"),
        ("Jean-Pierre Dupont", "Pier", "Jean-Pierre"),
        ("O\u2019Brien spoke", "Bri", "O\u2019Brien"),
        ("Zoe\u0301 Dupre\u0301 said", "Zo", "Zoe\u0301"),
        ("Мария Петренко", "рия Пе", "Мария Петренко"),
        ("وصل محمد عبد الله", "حم", "محمد"),
        ("the 40 men", "4", "40"),
        ("word, next", "d, n", "word, next"),
        ("a 😀 b", "😀", "😀"),
    ],
)
def test_snap(text: str, fragment: str, expected: str) -> None:
    assert snapped(text, fragment) == expected


def test_white_space_only_selection_is_empty() -> None:
    start, end = snap_to_words("a   b", 1, 4)
    assert start == end
