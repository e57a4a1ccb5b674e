"""Code points (store) and UTF-16 units (Qt) convert both ways on any text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.offsets import OffsetMap

SAMPLES = [
    "plain ASCII",
    "emoji 😀 and flags 🇺🇦 and a family 👩‍👩‍👧",
    "combining: Zoe\u0301 e\u0301te\u0301",
    "Кириллица и 😀",
    "عربي مع 😀 رمز",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters",
]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check(text: str) -> None:
    mapping = OffsetMap(text)
    assert mapping.length_utf16 == utf16_len(text)
    for cp in range(len(text) + 1):
        u16 = utf16_len(text[:cp])
        assert mapping.to_utf16(cp) == u16
        assert mapping.to_code_point(u16) == cp


def test_samples_round_trip() -> None:
    for text in SAMPLES:
        check(text)


def test_offset_inside_a_surrogate_pair_rounds_to_the_character_start() -> None:
    mapping = OffsetMap("a😀b")
    assert mapping.to_code_point(2) == 1
    assert mapping.span_to_code_points(2, 3) == (1, 2)


@given(st.text(max_size=60))
def test_random_text_round_trips(text: str) -> None:
    check(text)
