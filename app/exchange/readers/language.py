"""The language of an article's text, as an ISO 639-1 code (``en``, ``de``, ``ja``).

Identified with py3langid (a naive Bayes model over byte n-grams, 97 languages, shipped
in the wheel, no network, same answer for the same text on every run and platform).
A language the source declares (a web page's ``<html lang>``, a CSV ``language`` column)
is kept when the text agrees or the identifier is unsure; a text too short, or one the
identifier cannot place with confidence, gets no language rather than a guess.

Pure computation: safe to call from the import worker thread; the model (about 2 MB)
is loaded once, on first use.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

from app.core.articles import ImportedArticle

#: Characters of the text the identifier reads: the beginning of an article says which
#: language it is in, and the cost stays the same for long texts.
SAMPLE_CHARS = 3000
#: Fewer letters than this is too little text to tell a language from.
MIN_LETTERS = 20
#: Below this probability the identifier's answer is not stored.
MIN_CONFIDENCE = 0.6
#: A declared language loses to the identified one only when the identifier is this sure.
OVERRULE_CONFIDENCE = 0.95

_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$")
_LOCK = threading.Lock()
_IDENTIFIER: Any = None


def _identifier() -> Any:
    """The identifier, or None when its model cannot be loaded here: py3langid unpacks
    it through a temporary file, which a full disk refuses. The language is then left
    unset (and said in the log) rather than failing the import."""
    global _IDENTIFIER
    with _LOCK:
        if _IDENTIFIER is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            try:
                _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            except OSError as exc:
                logging.getLogger(__name__).warning("language identification unavailable: %s", exc)
                return None
        return _IDENTIFIER


def language_tag(declared: str | None) -> str | None:
    """The primary language subtag of a BCP 47 tag, lower case (``pt-BR`` -> ``pt``)."""
    if not declared:
        return None
    found = _TAG.match(declared)
    return found.group(1).lower() if found else None


def identify_language(text: str, declared: str | None = None) -> str | None:
    """The language of ``text``, or ``None`` when it cannot be told.

    ``declared`` (a BCP 47 tag such as ``en-US``) is returned as its primary subtag unless
    the identifier is nearly certain of another language (a site template's ``lang="en"``
    on a German article).
    """
    tag = language_tag(declared)
    sample = text[:SAMPLE_CHARS]
    if sum(char.isalpha() for char in sample) < MIN_LETTERS:
        return tag
    identifier = _identifier()
    if identifier is None:
        return tag
    language, confidence = identifier.classify(sample)
    if tag is not None and tag in identifier.nb_classes:
        if language == tag or confidence < OVERRULE_CONFIDENCE:
            return tag
        return str(language)
    if tag is not None:  # a language the model does not know: trust the source
        return tag
    return str(language) if confidence >= MIN_CONFIDENCE else None


def with_language(articles: Iterable[ImportedArticle]) -> list[ImportedArticle]:
    """The articles, each with :attr:`~ImportedArticle.language` set where it was missing.

    A language the source gave (a CSV or JSON Lines column) is kept as the source says it.
    """
    result: list[ImportedArticle] = []
    for article in articles:
        if article.language and article.language.strip():
            result.append(article)
            continue
        language = identify_language(article.text)
        result.append(dataclasses.replace(article, language=language) if language else article)
    return result
