"""Where a project is: a project file's path, or a team server's database URL.

The window, its settings and its tasks pass a :data:`Location` around: a :class:`Path`
for a file, a ``str`` only for a URL (``postgresql://ana@host/study``). A URL may carry
a password typed in the window; it lives in memory only: what is shown and what the
settings remember is the URL without it (:func:`location_key`).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

Location = Path | str


def is_server(location: Location | str) -> bool:
    return isinstance(location, str) and "://" in location


def location_of(text: str | Path) -> Location:
    """A URL stays a string; anything else is a file path."""
    return text if is_server(text) else Path(text)


def _parts(url: str) -> tuple[str, str | None, str | None, str]:
    """(scheme, user, password, host[:port]) of ``url``."""
    split = urlsplit(url)
    host = split.hostname or ""
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    if split.port is not None:
        host = f"{host}:{split.port}"
    user = unquote(split.username) if split.username is not None else None
    password = unquote(split.password) if split.password is not None else None
    return split.scheme, user, password, host


def location_key(location: Location) -> str:
    """How settings remember a project: a file's path, or the URL without its password."""
    if not is_server(location):
        return str(location)
    split = urlsplit(str(location))
    _scheme, user, _password, host = _parts(str(location))
    netloc = f"{quote(user, safe='')}@{host}" if user else host
    return urlunsplit((split.scheme, netloc, split.path, split.query, split.fragment))


def location_name(location: Location) -> str:
    """A short name for a window title: a file's name, or ``database on host``."""
    if not is_server(location):
        return Path(location).name
    split = urlsplit(str(location))
    database = split.path.lstrip("/") or "postgres"
    return f"{database} on {split.hostname or 'localhost'}"


def login_of(url: str) -> str | None:
    """The login (user name) written in ``url``, or None (then libpq's default applies)."""
    return _parts(url)[1]


def has_password(url: str) -> bool:
    return _parts(url)[2] is not None


def with_password(url: str, password: str, user: str | None = None) -> str:
    """``url`` with ``password`` (and ``user``, if given) set, percent-encoded."""
    split = urlsplit(url)
    _scheme, current_user, _old, host = _parts(url)
    name = user if user is not None else current_user or ""
    netloc = f"{quote(name, safe='')}:{quote(password, safe='')}@{host}"
    return urlunsplit((split.scheme, netloc, split.path, split.query, split.fragment))


def location_stem(location: Location) -> Path:
    """Where files made from the project go by default, without a suffix: beside a
    project file, or in the home folder under the database's name for a server."""
    if not is_server(location):
        return Path(location).with_suffix("")
    database = urlsplit(str(location)).path.lstrip("/") or "project"
    return Path.home() / database
