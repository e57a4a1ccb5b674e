from tests.server.conftest import login


def test_lead_owns_a_fresh_database(pg_cluster, server_url):
    with login(pg_cluster, server_url, "lead", "pw") as conn:
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    assert owner == ("lead",)
