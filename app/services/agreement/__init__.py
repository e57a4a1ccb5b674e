"""The agreement report: inter-coder reliability of a project, with drill-down.

:mod:`app.services.agreement.report` is the public module: the window, the command
line, the other services and the benchmarks import it and nothing else from here (an
import-linter contract in ``pyproject.toml`` keeps them on it). The other modules are
its parts and may change shape freely:

- ``units``      the corpus read from the project in one pass, coded values, pair matching
- ``coded``      article questions and span attributes
- ``spans``      span labels (exact, overlap, unitizing alpha)
- ``relations``  relation types
- ``figures``    figures, intervals, measures and the report's settings
- ``lists``      disagreement lists built on first reading

May import what :mod:`app.services` may import. Never Qt.
"""
