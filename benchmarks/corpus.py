"""Reproducible generated news articles for benchmarks (about 600 words each)."""

from __future__ import annotations

import random

FIRST = ["Anton", "Maria", "Oleksandr", "Amina", "Pavel", "Sergei", "Leyla", "Ivan", "Nadia", "Farid"]
LAST = ["Korolev", "Petrenko", "Haddad", "Sokolova", "Ivanov", "Mirzoyev", "Lebedev", "Karimova"]
PLACES = ["Varnovka", "Dalmensk", "Kiresk", "Oranburg", "Tesla Bay", "Moscow", "Tashkent", "Dushanbe"]
ORGS = [
    "the Ministry of Defence", "the Federal Migration Service", "Memorial", "the Red Cross",
    "the Wagner Group", "the Prosecutor General's Office", "Human Rights Watch", "the Interior Ministry",
]
VERBS = ["said", "told reporters", "confirmed", "denied", "claimed", "wrote in a statement"]
FILLER = (
    "recruits were taken from the detention centre and driven to a training camp where officers "
    "collected their passports and told them that refusing to sign would mean deportation"
).split()


def sentence(rng: random.Random) -> str:
    who = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    words = rng.sample(FILLER, k=rng.randint(8, 14))
    return (
        f"{who}, a spokesperson for {rng.choice(ORGS)}, {rng.choice(VERBS)} on "
        f"{rng.randint(1, 28)} March that {rng.randint(2, 400)} men from {rng.choice(PLACES)} "
        f"{' '.join(words)}."
    )


def article(rng: random.Random, index: int, words: int = 600) -> str:
    title = f"Report {index}: recruits from {rng.choice(PLACES)} say they were coerced"
    paragraphs: list[str] = []
    count = 0
    while count < words:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return title + "\n\n" + "\n\n".join(paragraphs)


def articles(n: int, seed: int = 7, words: int = 600) -> list[str]:
    rng = random.Random(seed)
    return [article(rng, i, words) for i in range(n)]
