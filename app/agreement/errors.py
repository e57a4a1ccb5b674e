"""The error raised when agreement cannot be measured on the data given."""

from __future__ import annotations

from app.core.errors import LoupeError


class AgreementError(LoupeError, ValueError):
    """Agreement cannot be computed: empty input, no pairable unit, inconsistent arguments.

    The message is one sentence meant for the project lead, saying what is missing.
    """
