"""Tests of :mod:`app.agreement`: the coefficients against brute-force and published
references."""
