"""Agreement across codebook versions: items whose meaning changed are measured on the
coding that is unambiguous for them, and a report can be made as of an earlier version."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.edits import SetAnswer
from app.core.errors import LoupeError
from app.services.agreement.report import agreement_report
from app.services.codebook_versions import upgrade_codebook
from app.services.coding import set_status
from app.services.editing import add_annotation, apply_edit
from app.services.importing import import_articles
from app.services.projects import open_project
from tests.codebook_versions import MAP_1_2, MAP_2_3, document_v2, document_v3, write_yaml
from tests.services.test_codebook_versions import coded_project
from tests.team_fixtures import NO_MODEL, span, write_articles

pytestmark = pytest.mark.both_backends


@pytest.fixture(scope="module")
def study(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """Six articles coded by ana and ben under version 1; the project moved to version 3;
    a seventh article coded by both under version 3 (Claims with the new certainty). On
    "server" in a new database of the session's cluster."""
    folder = tmp_path_factory.mktemp("agreement-versions")
    location = None
    if backend == "server":
        cluster = request.getfixturevalue("pg_cluster")
        location = cluster.url(cluster.new_database())
    path = coded_project(folder, location)
    write_yaml(folder / "v2.yaml", document_v2())
    write_yaml(folder / "v3.yaml", document_v3())
    (folder / "m12.yaml").write_text(MAP_1_2, encoding="utf-8")
    (folder / "m23.yaml").write_text(MAP_2_3, encoding="utf-8")
    with open_project(path) as project:
        upgrade_codebook(project, folder / "v2.yaml", folder / "m12.yaml")
        upgrade_codebook(project, folder / "v3.yaml", folder / "m23.yaml")
        import_articles(project, [write_articles(folder, 1, start=6)], model=NO_MODEL)
        article = project.store.articles.list()[-1]
        for name, certainty in (("ana", "certain"), ("ben", "certain")):
            coder = project.store.coders.find(name)
            assert coder is not None
            start, end = span(article, "migrants were forced to sign contracts")
            add_annotation(project, article_id=article.id, coder_id=coder.id, label="Claim", start=start, end=end,
                           attributes={"claim_type": "allegation", "certainty": certainty})
            apply_edit(project, SetAnswer(article.id, coder.id, "relevance", "yes"))
            set_status(project, article.id, coder.id, "done")
    return path


def test_a_new_attribute_is_measured_only_on_articles_coded_under_its_version(study: Path | str) -> None:
    with open_project(study) as project:
        report = agreement_report(project, n_bootstrap=0)
    assert len(report.articles) == 7
    certainty = report.measure("attribute:Claim.certainty")
    assert certainty.note == (
        "Its meaning changed (new in version 3; earlier rows were given the map's default): measured only on "
        "articles coded under version 3 or later; 12 (article, coder) pairs left out."
    )
    assert {f.n_units for f in certainty.figures} == {1}  # the seventh article's two Claims agree
    claim_type = report.measure("attribute:Claim.claim_type")  # unchanged meaning: every article
    assert claim_type.note is None and max(f.n_units for f in claim_type.figures) == 7


def test_a_split_and_merged_options_are_noted(study: Path | str) -> None:
    with open_project(study) as project:
        report = agreement_report(project, n_bootstrap=0)
    deportation = report.measure("span:Deportation")
    assert deportation.note is not None and deportation.note.startswith(
        "Its meaning changed (split from Coercion by coercion_type in version 3): measured without the "
        "coders' articles where a Coercion span coded before version 3 had no coercion_type to split it by; "
        "none left out.")
    assert report.measure("attribute:Agent.actor_type").note == (
        "Its meaning changed (options merged into law_enforcement in version 2 (earlier values migrated)); "
        "every coded value was migrated without doubt."
    )


def test_as_of_version_1_only_what_existed_then_on_what_was_coded_then(study: Path | str) -> None:
    with open_project(study) as project:
        report = agreement_report(project, n_bootstrap=0, codebook_version="1")
        assert report.codebook_version == "version 1 (1)"
        assert len(report.articles) == 6  # the seventh was coded under version 3
        keys = {m.key for _, measures in report.sections() for m in measures}
        assert "attribute:Claim.certainty" not in keys and "span:Victim" not in keys
        assert ("attributes", "Claim.certainty", "it did not exist in version 1 (1)") in {
            (n.section, n.name, n.reason) for n in report.not_measured}
        assert report.measure("span:Agent").note is None
        with pytest.raises(LoupeError, match="has no codebook version '9'"):
            agreement_report(project, n_bootstrap=0, codebook_version="9")
