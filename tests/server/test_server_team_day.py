"""A team's day on the server gives the figures the same day gives on a project file.

The study is published to a fresh database. ana codes in a window on the server, ben
codes one article in a window on the server and then takes a package and codes another
article in it (a coder switching from live to package work), the lead merges ben's
package, and the agreement report and the Excel workbook are made from the server. The
same day is played on a copy of the project file. Every figure of the agreement report
and every cell of the agreement sheets is the same; merging ben's package a second time
changes nothing on the server.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.location import Location
from tests.server.conftest import Cluster, Study, login
from tests.team_fixtures import span

pytestmark = pytest.mark.gui


def _code(location: Location, coder: str, article_id: str, variant: int) -> None:
    """One coder's work on one article, through the window's controller."""
    from app.ui.controller import CodingController

    c = CodingController()
    c.open_project(location, coder)
    try:
        c.open_article(article_id)
        assert c.bundle is not None
        text = c.bundle.article.text
        start, end = span(c.bundle.article, "Officers of the migration police")
        actor = c.create_annotation("Actor", start, end)
        assert actor is not None
        assert c.change_annotation(actor, attributes={
            "actor_type": "police" if variant else "state_authority", "role": "perpetrator"})
        start, end = span(c.bundle.article, "migrants were forced to sign contracts")
        claim = c.create_annotation("Claim", start, end if variant else end - len(" contracts"))
        assert claim is not None and text
        assert c.project is not None
        question = next(q for q in c.project.codebook.questions if q.type == "single_choice")
        assert c.set_answer(question.name, question.option_values[variant % len(question.option_values)])
    finally:
        c.close_project()


def _day(lead: Location, ana: Location, ben: Location, study: Study, folder: Path) -> tuple[dict, list]:
    """The day on one project (the lead's location and each coder's); the agreement
    report and the rows of the agreement sheets it gives."""
    shared = sorted(study.assigned["ana"] & study.assigned["ben"])
    live, packaged = shared[-1], shared[-2]
    _code(ana, "ana", live, 0)
    _code(ana, "ana", packaged, 0)
    _code(ben, "ben", live, 1)
    package = folder / "ben.loupe"
    assert main(["package", str(lead), "--coder", "ben", "-o", str(package)]) == 0
    _code(package, "ben", packaged, 1)
    assert main(["merge", str(lead), str(package)]) == 0
    assert main(["merge", str(lead), str(package)]) == 0  # again: nothing changes
    return _figures(lead, folder)


def _figures(lead: Location, folder: Path) -> tuple[dict, list]:
    import io
    from contextlib import redirect_stdout

    from openpyxl import load_workbook

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["agreement", str(lead), "--json", "--bootstrap", "0"]) == 0
    report = json.loads(out.getvalue())
    report.pop("project", None)
    book_path = folder / "day.xlsx"
    assert main(["export", str(lead), str(book_path)]) == 0
    book = load_workbook(book_path, read_only=True)
    sheets = [(name, list(book[name].values)) for name in book.sheetnames if name.startswith("Agreement")]
    return report, sheets


def test_a_day_on_the_server_gives_the_figures_of_the_same_day_on_a_file(
    pg_cluster: Cluster, server_url: str, study: Study, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    file_day = tmp_path / "file"
    file_day.mkdir()
    original = file_day / "study.loupe"
    shutil.copyfile(study.path, original)
    on_file = _day(original, original, original, study, file_day)

    assert main(["server", "init", server_url, "--from", str(study.path)]) == 0
    for name in ("ana", "ben"):
        secret = tmp_path / f"{name}.pw"
        secret.write_text(f"{name}-pw\n", encoding="utf-8")
        assert main(["server", "passwd", server_url, name, "--password-file", str(secret)]) == 0
    logins = {name: server_url.replace("lead:pw@", f"{name}:{name}-pw@") for name in ("ana", "ben")}
    server_day = tmp_path / "server"
    server_day.mkdir()
    on_server = _day(server_url, logins["ana"], logins["ben"], study, server_day)
    capsys.readouterr()

    assert on_server[0] == on_file[0]
    assert on_server[1] == on_file[1]
    per_coder = (
        "SELECT c.name, COUNT(*) FROM annotation a JOIN coder c ON c.id = a.coder_id "
        "WHERE a.deleted_at IS NULL GROUP BY c.name ORDER BY c.name"
    )
    with login(pg_cluster, server_url, "lead", "pw") as conn:
        served = [tuple(row) for row in conn.execute(per_coder).fetchall()]
    with sqlite3.connect(original) as conn:
        filed = [tuple(row) for row in conn.execute(per_coder).fetchall()]
    assert served == filed and dict(served)["ben"] >= 4  # every span once, the package's too
