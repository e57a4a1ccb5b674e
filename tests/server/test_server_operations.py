"""What the README's "Running the server" tells a lead to do, done on a real cluster:
TLS with ``sslmode=verify-full`` (a certificate of our own authority, for the host name
the URL names), and a backup with ``pg_dump`` restored into a scratch database and copied
back into a ``.loupe`` file that holds every row of the original."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import main
from tests.server.cluster import LEAD_PASSWORD, Cluster, _server_program
from tests.server.conftest import login
from tests.server.test_server_init import _rows


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _authority_and_certificate(folder: Path, host: str) -> tuple[Path, Path, Path]:
    """(ca.crt, server.crt, server.key): a certificate authority and the server's
    certificate for ``host`` signed by it, as a university's IT would issue them."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Loupe test authority",
             "-keyout", "ca.key", "-out", "ca.crt", cwd=folder)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={host}", "-keyout", "server.key",
             "-out", "server.csr", cwd=folder)
    (folder / "san.ext").write_text(f"subjectAltName=DNS:{host}\n", encoding="ascii")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "2", "-extfile", "san.ext", "-out", "server.crt", cwd=folder)
    return folder / "ca.crt", folder / "server.crt", folder / "server.key"


@pytest.fixture
def tls_cluster(pg_cluster: Cluster, tmp_path: Path) -> Iterator[tuple[Cluster, Path]]:
    """The session's cluster with TLS on (a reload, no restart) for one test; off again after."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path / "tls"
    folder.mkdir()
    ca, cert, key = _authority_and_certificate(folder, "localhost")
    # The server reads its key as the postgres user, which must own it (mode 0600).
    server_dir = Path(pg_cluster.socket_dir) / "tls"
    server_dir.mkdir(exist_ok=True)
    for source in (cert, key):
        target = server_dir / source.name
        shutil.copyfile(source, target)
        target.chmod(0o600)
        if Path(pg_cluster.socket_dir).owner() == "postgres":
            shutil.chown(target, "postgres", "postgres")
    with pg_cluster.superuser() as conn:  # type: ignore[attr-defined]
        conn.execute(f"ALTER SYSTEM SET ssl_cert_file = '{server_dir / cert.name}'")
        conn.execute(f"ALTER SYSTEM SET ssl_key_file = '{server_dir / key.name}'")
        conn.execute("ALTER SYSTEM SET ssl = on")
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield pg_cluster, ca
    finally:
        with pg_cluster.superuser() as conn:  # type: ignore[attr-defined]
            for setting in ("ssl", "ssl_cert_file", "ssl_key_file"):
                conn.execute(f"ALTER SYSTEM RESET {setting}")
            conn.execute("SELECT pg_reload_conf()")


def _tls_url(cluster: Cluster, database: str, host: str, authority: Path) -> str:
    return (f"postgresql://lead:{LEAD_PASSWORD}@{host}:{cluster.port}/{database}"
            f"?sslmode=verify-full&sslrootcert={authority}")


def test_a_project_is_read_over_tls_verified_against_the_authority(tls_cluster, study, tmp_path, capsys):
    cluster, authority = tls_cluster
    database = cluster.new_database()
    url = _tls_url(cluster, database, "localhost", authority)
    assert main(["server", "init", url, "--from", str(study.path)]) == 0
    capsys.readouterr()
    assert main(["info", url, "--json"]) == 0
    remote = json.loads(capsys.readouterr().out)
    assert main(["info", str(study.path), "--json"]) == 0
    local = json.loads(capsys.readouterr().out)
    remote.pop("path"), local.pop("path")
    assert remote == local

    import psycopg

    with psycopg.connect(url) as conn:
        (encrypted,) = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
    assert encrypted is True


def test_a_server_that_cannot_prove_who_it_is_is_refused_in_one_sentence(tls_cluster, tmp_path, capsys):
    cluster, authority = tls_cluster
    database = cluster.new_database()
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    other_authority, _cert, _key = _authority_and_certificate(stranger, "localhost")
    for url in (
        _tls_url(cluster, database, "localhost", other_authority),  # signed by someone else
        _tls_url(cluster, database, "127.0.0.1", authority),  # not the name on the certificate
    ):
        assert main(["info", url]) == 1
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "Traceback" not in err
        assert "certificate" in err and f":{LEAD_PASSWORD}@" not in err


def test_a_pg_dump_backup_restores_into_a_project_file_with_every_row(pg_cluster, server_url, study, tmp_path, capsys):
    pg_dump, pg_restore = _server_program("pg_dump"), _server_program("pg_restore")
    if pg_dump is None or pg_restore is None:
        pytest.skip("pg_dump and pg_restore are not installed")
    assert main(["server", "init", server_url, "--from", str(study.path)]) == 0
    assert main(["coders", server_url, "--add", "zed"]) == 0  # a change made on the server
    database = server_url.rsplit("/", 1)[1]
    backup = tmp_path / "study.dump"
    credentials = {"PGPASSWORD": LEAD_PASSWORD, "PATH": "/usr/bin:/bin"}
    address = ["-h", pg_cluster.host, "-p", str(pg_cluster.port), "-U", "lead"]
    subprocess.run([pg_dump, *address, "-Fc", "-f", str(backup), database], check=True, env=credentials,
                   capture_output=True)
    scratch = pg_cluster.new_database()
    subprocess.run([pg_restore, *address, "--no-owner", "-d", scratch, str(backup)], check=True,
                   env=credentials, capture_output=True)

    restored = tmp_path / "restored.loupe"
    direct = tmp_path / "direct.loupe"
    assert main(["server", "export", pg_cluster.url(scratch), str(restored)]) == 0
    assert main(["server", "export", server_url, str(direct)]) == 0
    capsys.readouterr()
    assert _rows(restored) == _rows(direct)
    assert "zed" in {row[1] for row in _rows(restored)["coder"]}
    # The restored copy keeps the blinding: the policies came with the dump.
    with login(pg_cluster, pg_cluster.url(scratch), "lead", LEAD_PASSWORD) as conn:
        (policies,) = conn.execute("SELECT COUNT(*) FROM pg_policies WHERE tablename = 'annotation'").fetchone()
    assert policies > 0
