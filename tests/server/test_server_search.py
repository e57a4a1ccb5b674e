"""``loupe search`` on a PostgreSQL URL: the same keyword-in-context rows as on the project
file it was published from, for English, Cyrillic and Arabic articles, every operator of
the query language, the filters, the coders' blinding, new imports, and a coder's own
login (row-level security on the search rows)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.services.importing import import_articles
from app.services.projects import create_project
from tests.cli.test_cli_search import ARTICLES
from tests.server.conftest import login
from tests.team_fixtures import NO_MODEL

#: Every kind of query: words, prefixes, phrases, AND/OR/NOT, brackets, NEAR, a column,
#: the start of a column, punctuation, folded case and diacritics, marks, no hit at all.
QUERIES = [
    "deport*", '"signed a contract"', "signed NOT contract", "army NOT police", "army OR армия",
    "U.S.", "заключенные", "заключённых", "Краи\u0306*", "الجيش", "وقّعوا", "وقعوا",
    "army OR военные OR الجيش", "(army OR police) AND said", "NEAR(army said, 3)", "title: вербовка",
    "title:recruits OR text:контракт", "^The", "cafe", "nowhere", 'contract NOT "signed a"',
]
#: A Latin word with and without its diacritics (both folded), for "cafe".
EXTRA = [{"title": "Café society", "text": "The café and the CAFE closed; naïve coders.", "source": "Courier",
          "published": "2024-05-01"}]


@pytest.fixture
def published(pg_cluster, server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES + EXTRA), encoding="utf-8")
    path = tmp_path / "study.loupe"
    with create_project(path) as project:
        import_articles(project, [source], model=NO_MODEL)
        project.store.coders.get_or_create("alice")
        project.store.coders.get_or_create("bob")
    assert main(["assign", str(path), "--coders", "alice", "--articles", "1,3"]) == 0
    assert main(["assign", str(path), "--coders", "bob", "--articles", "2,4"]) == 0
    assert main(["server", "init", server_url, "--from", str(path)]) == 0
    capsys.readouterr()
    return str(path), server_url


def search(capsys: pytest.CaptureFixture[str], target: str, *args: str) -> tuple[int, str, str]:
    code = main(["search", target, *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("query", QUERIES)
def test_the_rows_are_the_files_for_every_kind_of_query(published, capsys, query):
    path, url = published
    on_file = search(capsys, path, query, "--json")
    on_url = search(capsys, url, query, "--json")
    assert on_url == on_file
    assert on_file[0] == 0, on_file[2]
    assert search(capsys, url, query) == search(capsys, path, query)  # the printed rows


def test_the_queries_find_what_they_should(published, capsys):
    _path, url = published

    def found(query: str, *args: str) -> list[str]:
        code, out, err = search(capsys, url, query, "--json", *args)
        assert (code, err) == (0, "")
        return [hit["matched"] for hit in json.loads(out)["hits"]]

    assert found("الجيش") == ["الجيشُ", "الجيش"]
    assert found("заключенные") == ["Заключенные"]
    assert found("cafe") == ["Café", "café", "CAFE"]  # the stored text starts with its title
    assert found("signed NOT contract") == []
    assert found('"signed a contract"') == ["signed a contract"]


@pytest.mark.parametrize("args", [
    ("--source", "Post"), ("--from", "2024-03-02", "--to", "2024-03-31"), ("--coder", "alice"),
    ("--coder", "bob"), ("--coder", "bob", "--status", "todo"), ("--limit", "2"),
])
def test_filters_blinding_and_limits_are_the_files(published, capsys, args):
    path, url = published
    query = "army OR военные OR الجيش OR cafe"
    on_file = search(capsys, path, query, "--json", *args)
    assert on_file[0] == 0 and json.loads(on_file[1])["hits"]
    assert search(capsys, url, query, "--json", *args) == on_file


@pytest.mark.parametrize(("query", "sentence"), [
    ("army AND", "could not be read"), ('"', "Type a word to search for."), ("NEAR(army", "could not be read"),
])
def test_an_invalid_query_is_the_same_sentence(published, capsys, query, sentence):
    path, url = published
    on_file = search(capsys, path, query)
    assert search(capsys, url, query) == on_file
    assert on_file[0] == 1 and sentence in on_file[2] and len(on_file[2].splitlines()) == 1


def test_articles_imported_on_the_server_are_found(published, capsys, tmp_path):
    path, url = published
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps({"title": "Набор", "text": "Ещё одна вербовка; army camp.", "source": "Post"},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    for target in published:
        assert main(["import", target, str(more), "--model", NO_MODEL]) == 0
    capsys.readouterr()
    for query in ("вербовк*", "army", "ещё"):
        on_file, on_url = (json.loads(search(capsys, target, query, "--json")[1]) for target in published)
        for hit in on_file["hits"] + on_url["hits"]:
            hit.pop("article_id")  # the imported article's id is new on each
        assert on_url == on_file and on_file["hits"]
    assert json.loads(search(capsys, url, "вербовк*", "--json")[1])["articles"] == 2


def test_a_coders_login_finds_only_its_own_articles(published, pg_cluster, capsys, tmp_path):
    path, url = published
    password = tmp_path / "pw"
    password.write_text("secret-alice\n", encoding="utf-8")
    assert main(["server", "passwd", url, "alice", "--password-file", str(password)]) == 0
    capsys.readouterr()
    alice = pg_cluster.url(url.rsplit("/", 1)[1], user="alice", password="secret-alice")
    query = "army OR военные OR الجيش OR cafe"
    code, out, err = search(capsys, alice, query, "--json")
    assert (code, err) == (0, "")
    assert {hit["number"] for hit in json.loads(out)["hits"]} == {1, 3}
    with login(pg_cluster, url, "alice", "secret-alice") as conn:
        (rows,) = conn.execute("SELECT count(*) FROM article_search").fetchone()
    assert rows == 2
    lead = json.loads(search(capsys, url, query, "--json", "--coder", "alice")[1])
    assert json.loads(out)["hits"] == lead["hits"]


def test_coding_every_hit_on_the_url_codes_what_the_file_codes(published, pg_cluster, capsys):
    from tests.cli.test_cli_search import annotations

    path, url = published
    query = "army OR الجيش OR وق OR cafe"
    for target in published:
        code, out, err = search(capsys, target, query, "--code", "Actor", "--coder", "alice", "--yes")
        assert (code, err) == (0, "")
        assert out.splitlines()[-1] == "Coded 5 occurrences as Actor for alice."
    with login(pg_cluster, url, "lead", "pw") as conn:
        on_server = conn.execute(
            "SELECT n.label, substr(a.text, n.start + 1, n.\"end\" - n.start) FROM annotation n "
            "JOIN article a ON a.id = n.article_id JOIN coder c ON c.id = n.coder_id WHERE c.name = 'alice'"
        ).fetchall()
    assert sorted(on_server) == sorted(annotations(Path(path), "alice")) != []
    assert search(capsys, url, query, "--code", "Actor", "--coder", "alice", "--yes")[1].splitlines()[-1] == (
        "Nothing to code as Actor for alice; 5 already carry it."
    )


@pytest.mark.parametrize(
    "query", ["army OR военные OR الجيش OR cafe OR said", "the NOT police", '"the army"', "cafe OR (the NOT police)"]
)
def test_rows_read_a_few_articles_at_a_time_are_the_same(published, capsys, monkeypatch, query):
    """Rounds of two articles from the server and pages of two for the service: every
    match is found once, in order, and the count of a cut search is the file's."""
    from app.services import search as search_service
    from app.store import search_server

    monkeypatch.setattr(search_server, "_ROUND", 2)
    monkeypatch.setattr(search_service, "_PAGE", 2)
    path, url = published
    for args in ((), ("--limit", "1"), ("--limit", "3")):
        on_file = search(capsys, path, query, "--json", *args)
        assert search(capsys, url, query, "--json", *args) == on_file
        assert on_file[0] == 0 and json.loads(on_file[1])["hits"]
