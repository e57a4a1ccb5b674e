"""Tests of the ``loupe`` command (:mod:`app.cli`), the team cycle through it, and
packaging."""
