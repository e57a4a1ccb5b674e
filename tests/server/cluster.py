"""Starting and stopping a throwaway PostgreSQL cluster: shared by the server tests'
fixture (:mod:`tests.server.conftest`) and the server benchmark (``benchmarks/bench_server.py``).

``initdb`` as the ``postgres`` user (when we are root: initdb refuses to run as root)
into a temporary folder, ``pg_ctl start`` on 127.0.0.1 and a free port with its socket
in that folder, a ``lead`` role (login, password ``pw``, may create roles) that owns the
databases made with :meth:`Cluster.new_database`; everything is removed on exit.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LEAD_PASSWORD = "pw"


class ClusterUnavailable(Exception):
    """PostgreSQL's server programs, psycopg or a user to run initdb as is missing (the reason)."""


def _server_program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _as_postgres(command: list[str]) -> list[str]:
    """Run as the postgres user when we are root (initdb refuses to run as root)."""
    return ["runuser", "-u", "postgres", "--", *command] if _is_root() else command


@dataclass
class Cluster:
    host: str
    port: int
    socket_dir: str
    _names: Iterator[int]

    def url(self, database: str, user: str = "lead", password: str = LEAD_PASSWORD) -> str:
        return f"postgresql+psycopg://{user}:{password}@{self.host}:{self.port}/{database}"

    def params(self, database: str, user: str, password: str) -> dict[str, object]:
        return {"host": self.host, "port": self.port, "dbname": database, "user": user, "password": password}

    def superuser(self, database: str = "postgres") -> object:
        import psycopg

        return psycopg.connect(
            host=self.socket_dir, port=self.port, user="postgres", dbname=database, autocommit=True
        )

    def new_database(self) -> str:
        name = f"study{next(self._names)}"
        with self.superuser() as conn:  # type: ignore[attr-defined]
            conn.execute(f"CREATE DATABASE {name} OWNER lead")
        return name


def unavailable_reason() -> str | None:
    """Why no cluster can be started here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[server]')"
    if _server_program("initdb") is None or _server_program("pg_ctl") is None:
        return "PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)"
    if _is_root():
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres user to run initdb as (apt-get install postgresql)"
    return None


@contextlib.contextmanager
def running_cluster(*options: str) -> Iterator[Cluster]:
    """A started cluster, stopped and removed on exit; ``options`` are extra ``-c name=value``
    server settings. Raises :class:`ClusterUnavailable` with the reason when it cannot start."""
    reason = unavailable_reason()
    if reason is not None:
        raise ClusterUnavailable(reason)
    initdb, pg_ctl = _server_program("initdb"), _server_program("pg_ctl")
    assert initdb is not None and pg_ctl is not None
    root = Path(tempfile.mkdtemp(prefix="loupe-pg-"))
    data = root / "data"
    root.chmod(0o700)
    if _is_root():
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    log = root / "server.log"
    started = False
    try:
        subprocess.run(
            _as_postgres([initdb, "-D", str(data), "-U", "postgres", "--auth-local=trust",
                          "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C"]),
            check=True, capture_output=True,
        )
        settings = " ".join(
            [f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root} -c fsync=off",
             *(f"-c {option}" for option in options)]
        )
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-l", str(log), "-o", settings, "-w", "start"]),
            check=True, capture_output=True,
        )
        started = True
        cluster = Cluster("127.0.0.1", port, str(root), itertools.count(1))
        with cluster.superuser() as conn:  # type: ignore[attr-defined]
            conn.execute(f"CREATE ROLE lead LOGIN CREATEROLE PASSWORD '{LEAD_PASSWORD}'")
        yield cluster
    finally:
        if started:
            subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                           capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
