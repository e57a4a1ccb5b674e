"""Errors a user may see.

Every error a user can cause (a bad file, a wrong project, a bad codebook) is a
:class:`LoupeError` whose message is one complete sentence saying what and where.
The command line prints that sentence alone; a traceback appears only with ``--debug``.
"""

from __future__ import annotations


class LoupeError(Exception):
    """An error with a message meant for the user, not for a developer."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class CodebookError(LoupeError):
    """A codebook file is unreadable or breaks the codebook format."""


class ImportFormatError(LoupeError):
    """A source file could not be read as articles."""


class ProjectError(LoupeError):
    """A project file is missing, damaged, of another program, or too new."""


class ModelError(LoupeError):
    """The spaCy pipeline named in the settings cannot be loaded."""


class ServerUnreachable(ProjectError):
    """The team server cannot be reached (refused, gone, or shutting down): the window
    keeps the coder's edits on this computer until it can (:mod:`app.services.offline`)."""
