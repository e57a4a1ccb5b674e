"""Named-entity pre-highlights from a spaCy pipeline.

Only the NER component runs: the tagger, parser, lemmatizer and any shared tok2vec the
NER does not listen to are excluded at load time for speed. Headlines, captions and
bylines sit on their own lines, so no entity may cross a blank line: a small component
marks blank-line tokens as "outside" before NER, and NER respects preset annotations.

A text longer than :data:`MAX_PIECE_CHARS` (or the pipeline's ``max_length``, if lower)
is tagged in pieces cut at paragraph, else sentence, else white-space boundaries (see
:mod:`app.nlp.chunking`), and batches are kept under :data:`BATCH_CHARS` characters: the
pipeline's memory grows with the characters it holds at once (about 3.4 KB each), and
the whole import must stay well under 1 GB.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.defaults import MODEL_INSTALL_HINT
from app.core.errors import ModelError
from app.nlp.chunking import chunk_bounds

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SpanTuple = tuple[int, int, str]
GUARD = "loupe_blank_line_guard"
#: Longest piece of text given to the pipeline at once (70 MB of working memory for news
#: text; up to several times more for text of one-character tokens).
MAX_PIECE_CHARS = 20_000
#: Characters in one batch of pieces; a batch of short articles is cheaper per character.
BATCH_CHARS = 40_000
_NOT_NEEDED = (
    "tagger", "parser", "attribute_ruler", "lemmatizer", "morphologizer", "senter",
    "trainable_lemmatizer", "textcat", "textcat_multilabel", "spancat",
)


def _guard(doc: Doc) -> Doc:
    blocked = [
        doc[i : i + 1] for i, tok in enumerate(doc) if tok.is_space and tok.text.count("\n") >= 2
    ]
    if blocked:
        doc.set_ents([], blocked=blocked, default="unmodified")
    return doc


def _register_guard() -> None:
    from spacy.language import Language

    if not Language.has_factory(GUARD):
        Language.component(GUARD, func=_guard)


_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def _crosses_blank_line(text: str, start: int, end: int) -> bool:
    return _BLANK_LINE.search(text, start, end) is not None


def load_pipeline(model: str) -> Language:
    """Load ``model`` (an installed package name or a folder) with NER only."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a dependency
        raise ModelError("spaCy is not installed, so entities cannot be highlighted.") from exc
    looks_like_path = Path(model).expanduser().exists() or "/" in model or "\\" in model
    try:
        nlp = spacy.load(Path(model).expanduser() if looks_like_path else model, exclude=list(_NOT_NEEDED))
    except OSError as exc:
        raise ModelError(
            f"No spaCy pipeline '{model}' is installed; install one with "
            f"`{MODEL_INSTALL_HINT}` or name an installed pipeline or a folder."
        ) from exc
    except Exception as exc:  # a broken or incompatible pipeline folder
        raise ModelError(f"The spaCy pipeline '{model}' cannot be loaded ({exc}).") from exc
    if "ner" not in nlp.pipe_names:
        raise ModelError(f"The spaCy pipeline '{model}' has no named-entity recognizer.")
    if "tok2vec" in nlp.pipe_names and "ner" not in getattr(
        nlp.get_pipe("tok2vec"), "listening_components", ["ner"]
    ):
        nlp.remove_pipe("tok2vec")
    _register_guard()
    nlp.add_pipe(GUARD, before="ner")
    return nlp


class EntityTagger:
    """Runs a loaded pipeline over article texts and returns kept entity spans.

    ``piece_chars`` (default :data:`MAX_PIECE_CHARS`) is the longest piece of text the
    pipeline sees; it never exceeds the pipeline's ``max_length``.
    """

    def __init__(self, nlp: Language, model: str, *, piece_chars: int = MAX_PIECE_CHARS) -> None:
        self.nlp = nlp
        self.piece_chars = piece_chars
        meta: dict[str, Any] = nlp.meta
        self.model_id = f"{meta.get('lang', '')}_{meta.get('name', model)} {meta.get('version', '')}".strip()

    def piece_limit(self) -> int:
        """The longest piece given to the pipeline (read at each run: ``max_length`` may change)."""
        return max(1, min(self.piece_chars, self.nlp.max_length))

    def tag(
        self,
        texts: Iterable[str],
        labels: Sequence[str] | None,
        *,
        batch_size: int = 64,
        n_process: int = 1,
        tagged: Callable[[int], None] | None = None,
    ) -> Iterator[list[SpanTuple]]:
        """Yield, per text in order, its entities as code-point offsets into that text.

        ``tagged(characters)`` is called after each piece with the characters it held,
        so that a caller can show progress through one long article (and cancel).
        """
        keep = None if labels is None else frozenset(labels)
        texts = list(texts)
        limit = self.piece_limit()
        longest = max((min(len(text), limit) for text in texts), default=1)
        size = max(1, min(batch_size, BATCH_CHARS // max(1, longest)))
        pieces = (
            (text[start:end], (index, start))
            for index, text in enumerate(texts)
            for start, end in chunk_bounds(text, limit)
        )
        docs = self.nlp.pipe(pieces, as_tuples=True, batch_size=size, n_process=n_process)
        current = 0
        spans: list[SpanTuple] = []
        for doc, (index, offset) in docs:
            while index > current:  # every text has at least one piece: this runs once
                yield spans
                current, spans = current + 1, []
            piece = doc.text
            spans.extend(
                (offset + ent.start_char, offset + ent.end_char, ent.label_)
                for ent in doc.ents
                if (keep is None or ent.label_ in keep)
                and not _crosses_blank_line(piece, ent.start_char, ent.end_char)
            )
            if tagged is not None:
                tagged(len(piece))
        if texts:
            yield spans


@lru_cache(maxsize=2)
def load_tagger(model: str) -> EntityTagger:
    """A tagger for ``model``; loaded once per process (loading takes about a second)."""
    return EntityTagger(load_pipeline(model), model)
