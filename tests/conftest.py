"""Shared fixtures. Qt runs offscreen: set before anything imports Qt.

Both backends: a module marked ``pytestmark = pytest.mark.both_backends`` runs each test
that uses ``project`` or ``project_location`` (directly or through its fixtures) twice,
``[file]`` on a project file and ``[server]`` on a new database of the session's
throwaway PostgreSQL cluster (``pg_cluster``; skipped with the reason where PostgreSQL or
psycopg is missing). Every other test sees only the file, as does a test marked
``file_only`` in such a module (a comment above it says why).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

import pytest  # noqa: E402

if TYPE_CHECKING:
    from tests.server.cluster import Cluster

BACKENDS = ("file", "server")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    definition = metafunc.definition
    if (
        "backend" in metafunc.fixturenames
        and definition.get_closest_marker("both_backends")
        and not definition.get_closest_marker("file_only")
    ):
        metafunc.parametrize("backend", BACKENDS, indirect=True, scope="module")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster for the session (one per xdist worker); see
    :mod:`tests.server.cluster`. Started only when a test asks for it."""
    from tests.server.cluster import ClusterUnavailable, running_cluster

    try:
        with running_cluster() as cluster:
            yield cluster
    except ClusterUnavailable as reason:
        pytest.skip(str(reason))


@pytest.fixture
def server_url(pg_cluster: Cluster) -> str:
    """An empty database owned by ``lead``: ``postgresql+psycopg://lead:pw@127.0.0.1:PORT/studyN``."""
    return pg_cluster.url(pg_cluster.new_database())


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    """Where ``project`` lives: "file", or "server" in a module marked ``both_backends``
    (module-scoped, so a module's own shared fixtures may follow it too)."""
    return getattr(request, "param", "file")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user data folder from a test."""
    folder = tmp_path_factory.mktemp("loupe-data")
    monkeypatch.setenv("LOUPE_DATA_DIR", str(folder))
    monkeypatch.setenv("LOUPE_SETTINGS", str(folder / "settings.ini"))


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "study.loupe"


@pytest.fixture
def project_location(backend: str, project_path: Path, request: pytest.FixtureRequest) -> str | Path:
    """Where a test's project is created: ``project_path``, or on "server" the URL of a new
    database of the session's cluster owned by ``lead`` (the project's owner)."""
    if backend == "server":
        return str(request.getfixturevalue("server_url"))
    return project_path


@pytest.fixture
def project(project_location: str | Path) -> Iterator[object]:
    """A new, empty project with the default codebook (on "server": opened as its owner)."""
    from app.services.projects import create_project

    with create_project(project_location) as opened:
        yield opened
