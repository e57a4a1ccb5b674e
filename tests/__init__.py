"""Loupe's tests, laid out like ``app/``: ``core``, ``store``, ``exchange``, ``services``,
``cli``, ``agreement`` (the pure coefficients of :mod:`app.agreement`) and ``ui`` (the
window, offscreen).

Every folder is a package, so test modules may share a file name and import one another
as ``tests.<folder>.<module>``. The shared fixture modules stay here, imported as
``from tests.team_fixtures import ...`` and ``from tests.export_fixtures import ...``; the
files the tests read are under ``tests/data``.
"""
