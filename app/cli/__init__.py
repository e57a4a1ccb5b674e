"""The ``loupe`` command: one module per subcommand, all calling :mod:`app.services`.

May import: :mod:`app.services` and :mod:`app.core` (and, lazily, :mod:`app.ui` for
the window). Never SQLAlchemy or spaCy directly.
"""
