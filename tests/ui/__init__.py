"""Tests of :mod:`app.ui`: the window driven offscreen (every test here is marked ``gui``
by its conftest)."""
