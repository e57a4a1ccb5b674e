"""Domain types, the codebook model and offset arithmetic.

May import: the standard library, PyYAML and jsonschema. Never Qt, SQLAlchemy or spaCy.
"""
