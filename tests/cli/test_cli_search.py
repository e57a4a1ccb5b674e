"""``loupe search``: keyword-in-context rows over English, Cyrillic and Arabic texts,
the query syntax, filters, blinding to a coder's articles, and coding every hit, on
real project files read back through the services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.cli.main import main
from app.services.coding import set_status
from app.services.importing import import_articles
from app.services.projects import create_project, open_project
from tests.team_fixtures import NO_MODEL

#: An emoji (two UTF-16 units) and a combining mark (U+0306 on и: й) stand before the
#: matches, so a position counted in UTF-16 or bytes would be off.
ARTICLES = [
    {
        "title": "Recruits in the U.S. army",
        "text": "The army said the recruits were deported. In the U.S. the police said nothing. "
        "Deportation followed after they signed a contract. Nobody signed a form.",
        "source": "Courier", "published": "2024-03-01",
    },
    {
        "title": "Вербовка в колониях",
        "text": "Военные \U0001f44d вербовали заключённых в Краи\u0306ске. Заключенные подписали контракт. "
        "Армия отрицает.",
        "source": "Post", "published": "2024-03-05",
    },
    {
        "title": "تجنيد",
        "text": "قال \U0001f600 الجيشُ إن المجندين وقّعوا عقدا. الجيش نفى ذلك.",
        "source": "Post", "published": "2024-04-01",
    },
]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    target = tmp_path / "study.loupe"
    with create_project(target) as project:
        import_articles(project, [source], model=NO_MODEL)
        project.store.coders.get_or_create("alice")
        project.store.coders.get_or_create("bob")
    return target


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def hits(capsys: pytest.CaptureFixture[str], path: Path, query: str, *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, "search", str(path), query, "--json", *args)
    assert (code, err) == (0, "")
    return json.loads(out)


def texts(path: Path) -> dict[str, str]:
    """Article id -> the stored text."""
    with open_project(path) as project:
        return {a.id: project.store.articles.get(a.id).text for a in project.store.assignments.listing("x")}


def assert_offsets(path: Path, data: dict[str, Any]) -> None:
    stored = texts(path)
    for hit in data["hits"]:
        assert stored[hit["article_id"]][hit["start"]:hit["end"]] == hit["matched"]
        assert hit["matched"] in hit["sentence"]


def test_rows_show_number_title_position_and_the_match(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", str(path), "deport*")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 3 and lines[-1] == "2 hits in 1 article."
    first = lines[0].split()
    stored = next(iter(texts(path).values()))
    assert first[0] == "1" and int(first[6]) == stored.index("deported")  # number, title, position
    assert "The army said the recruits were [[deported]]." in lines[0]
    assert lines[1].endswith("[[Deportation]] followed after they signed a contract.")


def test_phrase_not_and_punctuation(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    phrase = hits(capsys, path, '"signed a contract"')
    assert [h["matched"] for h in phrase["hits"]] == ["signed a contract"]
    assert hits(capsys, path, "signed NOT contract")["articles"] == 0
    assert hits(capsys, path, "army NOT police")["articles"] == 0
    either = hits(capsys, path, "army OR армия")
    assert either["articles"] == 2
    assert {h["matched"] for h in either["hits"]} == {"army", "Армия"}  # case folded in both scripts
    us = hits(capsys, path, "U.S.")
    assert us["fts_query"] == '"U.S."'
    assert [h["matched"] for h in us["hits"]] == ["U.S", "U.S"]  # in the title line and in the text
    assert_offsets(path, us)


def test_cyrillic_offsets_in_code_points_and_no_folding_of_yo(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = hits(capsys, path, "заключенные")
    assert [h["matched"] for h in data["hits"]] == ["Заключенные"]  # ё is not е: заключённых is not found
    assert_offsets(path, data)
    (text,) = (t for t in texts(path).values() if "Краи\u0306ске" in t)
    assert data["hits"][0]["start"] == text.index("Заключенные")  # after the emoji and the combining mark
    yo = hits(capsys, path, "заключённых")
    assert [h["matched"] for h in yo["hits"]] == ["заключённых"]
    prefix = hits(capsys, path, "Краи\u0306*")  # the decomposed й: a word as stored
    assert_offsets(path, prefix)
    assert prefix["hits"][0]["matched"] == "Краи\u0306ске"


def test_arabic_offsets_and_vowel_marks(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = hits(capsys, path, "الجيش")
    # The damma after the first one belongs to its word: the hit ends after it.
    assert [h["matched"] for h in data["hits"]] == ["الجيشُ", "الجيش"]
    assert_offsets(path, data)
    (text,) = (t for t in texts(path).values() if "الجيش" in t)
    assert data["hits"][0]["start"] == text.index("الجيشُ")
    assert hits(capsys, path, "وقّعوا")["hits"][0]["matched"] == "وقّعوا"
    assert hits(capsys, path, "وقعوا")["articles"] == 0  # the shadda is not folded away
    code, out, _ = run(capsys, "search", str(path), "الجيش")
    assert code == 0 and "قال \U0001f600 [[الجيشُ]] إن المجندين وقّعوا عقدا." in out


@pytest.mark.parametrize(("query", "sentence"), [
    ("army AND", "could not be read"),
    ('"', "Type a word to search for."),
    ("NEAR(army", "could not be read"),
])
def test_an_invalid_query_is_one_sentence(
    path: Path, capsys: pytest.CaptureFixture[str], query: str, sentence: str
) -> None:
    code, out, err = run(capsys, "search", str(path), query)
    assert code == 1 and out == ""
    assert err.startswith("loupe: ") and sentence in err and len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_json_shape_and_limit(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import cmd_search
    from app.services import search

    assert cmd_search.DEFAULT_LIMIT == search.DEFAULT_LIMIT
    data = hits(capsys, path, "army OR военные OR الجيش")
    assert set(data) == {"query", "fts_query", "articles", "articles_at_least", "truncated", "hits"}
    assert data["query"] == "army OR военные OR الجيش" and data["articles"] == 3 and not data["truncated"]
    assert set(data["hits"][0]) == {"article_id", "number", "title", "start", "end", "matched", "sentence"}
    assert [h["number"] for h in data["hits"]] == [1, 1, 2, 3, 3]
    limited = hits(capsys, path, "army OR военные OR الجيش", "--limit", "2")
    assert limited["truncated"] and limited["articles"] == 3 and limited["hits"] == data["hits"][:2]
    assert not limited["articles_at_least"]  # counted exactly below the cap
    code, out, _ = run(capsys, "search", str(path), "army OR военные OR الجيش", "--limit", "2")
    assert out.splitlines()[-1] == "3 articles match; only the first 2 hits are shown (raise --limit to see more)."
    assert run(capsys, "search", str(path), "nowhere")[:2] == (0, "No article matches.")


def test_filters_by_source_and_date(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = "army OR военные OR الجيش"
    assert {h["number"] for h in hits(capsys, path, query, "--source", "Post")["hits"]} == {2, 3}
    dated = hits(capsys, path, query, "--from", "2024-03-02", "--to", "2024-03-31")
    assert {h["number"] for h in dated["hits"]} == {2}


def test_a_coder_finds_only_the_articles_they_see(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = "army OR военные OR الجيش"
    assert hits(capsys, path, query, "--coder", "bob")["articles"] == 3  # no assignments yet: every article
    assert main(["assign", str(path), "--coders", "alice", "--articles", "1,3"]) == 0
    assert main(["assign", str(path), "--coders", "bob", "--articles", "2"]) == 0
    capsys.readouterr()
    assert {h["number"] for h in hits(capsys, path, query, "--coder", "alice")["hits"]} == {1, 3}
    assert {h["number"] for h in hits(capsys, path, query, "--coder", "bob")["hits"]} == {2}
    assert hits(capsys, path, query)["articles"] == 3  # the lead, with no coder, sees them all
    code, out, err = run(capsys, "search", str(path), query, "--coder", "ana")
    assert (code, out) == (1, "")
    assert err == (
        f"loupe: There is no coder named 'ana' in this project; add one with `loupe coders {path} --add ana`."
    )


def test_status_filter_needs_a_coder(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = "army OR военные OR الجيش"
    with open_project(path) as project:
        alice = project.store.coders.find("alice")
        assert alice is not None
        first = next(a.id for a in project.store.assignments.listing(alice.id) if a.position == 1)
        set_status(project, first, alice.id, "in_progress")
    started = hits(capsys, path, query, "--coder", "alice", "--status", "in_progress")
    assert {h["number"] for h in started["hits"]} == {1}
    assert {h["number"] for h in hits(capsys, path, query, "--coder", "alice", "--status", "todo")["hits"]} == {2, 3}
    assert hits(capsys, path, query, "--coder", "bob", "--status", "in_progress")["articles"] == 0
    assert run(capsys, "search", str(path), query, "--status", "done") == (
        1, "", "loupe: A status filter needs a coder: whose status?")


def annotations(path: Path, coder: str) -> list[tuple[str, str]]:
    """(label, covered text) of the coder's annotations, in project order."""
    with open_project(path) as project:
        found = project.store.coders.find(coder)
        assert found is not None
        rows = []
        for article in project.store.assignments.listing(found.id):
            text = project.store.articles.get(article.id).text
            rows += [(a.label, text[a.start:a.end]) for a in project.store.annotations.for_article(article.id, found.id)]
        return rows


def test_code_every_hit_previews_then_writes_once(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = "army OR الجيش OR وق"
    code, out, err = run(capsys, "search", str(path), query, "--code", "Actor", "--coder", "alice")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        "Would code 5 occurrences as Actor for alice; nothing is written without --yes."
    )
    assert annotations(path, "alice") == []
    code, out, err = run(capsys, "search", str(path), query, "--code", "Actor", "--coder", "alice", "--yes")
    assert (code, err, out.splitlines()[-1]) == (0, "", "Coded 5 occurrences as Actor for alice.")
    # Snapped to whole words: "وق" was found inside وقّعوا (the shadda splits it for the index).
    assert sorted(annotations(path, "alice")) == sorted([
        ("Actor", "army"), ("Actor", "army"), ("Actor", "الجيشُ"), ("Actor", "الجيش"), ("Actor", "وقّعوا"),
    ])
    assert annotations(path, "bob") == []
    data = hits(capsys, path, query, "--code", "Actor", "--coder", "alice", "--yes")
    assert data["coding"] == {"label": "Actor", "coder": "alice", "count": 0, "already": 5, "written": True}
    assert len(annotations(path, "alice")) == 5
    code, out, _ = run(capsys, "search", str(path), query, "--code", "Actor", "--coder", "alice", "--yes")
    assert out.splitlines()[-1] == "Nothing to code as Actor for alice; 5 already carry it."


def test_code_up_to_the_limit(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", str(path), "army", "--code", "Claim", "--coder", "bob", "--yes", "--limit", "1")
    assert code == 0 and out.splitlines()[-1] == (
        "Coded 1 occurrence as Claim for bob. Only the hits shown count: raise --limit to code the rest."
    )
    assert annotations(path, "bob") == [("Claim", "army")]


@pytest.mark.parametrize(("args", "sentence"), [
    (["--code", "Actor"], "loupe: --code needs --coder: name the coder whose annotations the hits become."),
    (["--code", "Villain", "--coder", "alice"], "loupe: The codebook has no span label \u201cVillain\u201d."),
    (["--code", "Actor", "--coder", "zoe", "--yes"], "add one with `loupe coders"),
    (["--yes"], "loupe: --yes writes what --code previews; give --code LABEL --coder NAME with it."),
])
def test_coding_refusals_write_nothing(
    path: Path, capsys: pytest.CaptureFixture[str], args: list[str], sentence: str
) -> None:
    code, out, err = run(capsys, "search", str(path), "army", *args)
    assert code == 1 and out == "" and sentence in err and len(err.splitlines()) == 1
    assert annotations(path, "alice") == []
