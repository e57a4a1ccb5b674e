"""Tests of :mod:`app.store`: the project file, schema checks, backups, failures of the
computer."""
