"""spaCy pre-highlighting, used at import time only.

The only package that imports spaCy, and it does so lazily: coders' laptops never
need to run the pipeline. May import: spaCy, the standard library and :mod:`app.core`.
"""

from app.nlp.pipeline import EntityTagger, load_tagger

__all__ = ["EntityTagger", "load_tagger"]
