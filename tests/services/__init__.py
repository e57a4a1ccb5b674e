"""Tests of :mod:`app.services`: editing, assignment, adjudication, agreement, feedback,
packages and merge, importing."""
