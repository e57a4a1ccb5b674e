#!/usr/bin/env python3
"""Screenshots of the coding window and the lead window on the sample project, for the README,
of the attribute editor and the question form with long texts (a codebook with long
prompts and option names, written to a temporary file), which must wrap, never be cut, and
of the Find in Project dock with the hits of a search.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python packaging/screenshots.py [OUT_DIR]

Run it under a real X server (Xvfb), not only offscreen, so that fonts, the style and
window decorations are those a coder sees. A copy of the sample project gets a few
annotations of a demo coder first; the user's own sample project is not touched.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.edits import AddRelation, SetAnswer  # noqa: E402
from app.services.editing import add_annotation, apply_edit, new_relation  # noqa: E402
from app.services.projects import open_project  # noqa: E402
from app.services.sample import ensure_sample_project  # noqa: E402
from app.ui.application import open_window  # noqa: E402

DEMO = [
    ("police", "Actor", "Police in the Varnovka region", {"actor_type": "police", "role": "perpetrator"}),
    ("worker", "Actor", "Rustam Nazarov", {"actor_type": "migrant_or_foreign_worker", "role": "target"}),
    ("threat", "Coercion", "told them they would be deported unless they signed one-year contracts",
     {"coercion_type": "threat_of_deportation", "stage": "threatened"}),
]


def prepare(folder: Path) -> Path:
    path = folder / "sample.loupe"
    shutil.copy(ensure_sample_project(folder / "data"), path)
    with open_project(path) as project:
        article = project.store.articles.list()[0]
        coder = project.store.coders.get_or_create("demo")
        text = article.text
        made: dict[str, str] = {}
        for key, label, needle, attributes in DEMO:
            if needle in text:
                start = text.index(needle)
                made[key] = add_annotation(
                    project, article_id=article.id, coder_id=coder.id, label=label,
                    start=start, end=start + len(needle), attributes=attributes,
                ).id
        claim_text = "sign here, or tomorrow you are on a plane with a ten-year ban on return"
        claim_start = text.index(claim_text)
        claim = add_annotation(
            project, article_id=article.id, coder_id=coder.id, label="Claim",
            start=claim_start, end=claim_start + len(claim_text),
            attributes={"claim_type": "allegation", "attribution": "named_source"},
        )
        links = [("said_by", claim.id, made.get("worker")),
                 ("perpetrator", made.get("threat"), made.get("police"))]
        for relation, source, target in links:
            if source and target:
                apply_edit(project, AddRelation(new_relation(article.id, coder.id, relation, source, target)))
        apply_edit(project, SetAnswer(article.id, coder.id, "relevance", "yes"))
    return path


def team(folder: Path) -> Path:
    """A copy of the sample project coded by three coders: half of it by all three."""
    import random

    from app.services.assignment import add_coder, assign, assignment_table
    from app.services.coding import load_article, set_status

    path = folder / "team.loupe"
    shutil.copy(ensure_sample_project(folder / "data"), path)
    rng = random.Random(3)
    names = ("ana", "ben", "cara")
    with open_project(path) as project:
        ids = {name: add_coder(project, name)[0].id for name in names}
        assign(project, list(names), overlap=0.5, seed=4)
        for row in assignment_table(project):
            for name in row.assigned_to:
                bundle = load_article(project, row.article_id, ids[name])
                for entity in bundle.entities[:8]:
                    if rng.random() < 0.25:
                        continue
                    label = "Actor" if entity.label in ("PERSON", "ORG", "NORP", "GPE") else "Claim"
                    start = max(0, entity.start - (rng.random() < 0.2))
                    attributes = {"actor_type": rng.choice(["police", "state_authority"]),
                                  "role": rng.choice(["perpetrator", "target"])} if label == "Actor" else {}
                    add_annotation(project, article_id=row.article_id, coder_id=ids[name], label=label,
                                   start=start, end=entity.end, attributes=attributes)
                apply_edit(project, SetAnswer(row.article_id, ids[name], "relevance", rng.choice(["yes", "yes", "no"])))
                if rng.random() < 0.85:
                    set_status(project, row.article_id, ids[name], "done")
    return path


def lead_shots(folder: Path, out: Path) -> None:
    """The lead window's Assignments and Agreement tabs on the team project."""
    from app.ui.lead.lead_window import LeadWindow

    app = QApplication.instance()
    lead = LeadWindow(team(folder))
    lead.resize(1400, 860)
    lead.show_assignments()
    app.processEvents()
    lead.grab().save(str(out / "lead-assignments.png"))
    lead.agreement.resamples.setValue(0)

    def shoot(*_: object) -> None:
        view = lead.agreement
        view.sections.setCurrentIndex(1)  # Spans
        table = view.sections.currentWidget()
        last = table.model().rowCount() - 1
        table.selectRow(last)  # the overall measure: its pairs, articles and disagreements
        table.clicked.emit(table.model().index(last, 0))
        app.processEvents()
        lead.grab().save(str(out / "lead-agreement.png"))
        adjudication_shot(lead, out)
        app.quit()

    lead.agreement.computed.connect(shoot)
    lead.show_agreement()
    app.exec()
    lead.close()


def adjudication_shot(lead: object, out: Path) -> None:
    """The Adjudication tab as "gail", on the first open disagreement of the first article."""
    app = QApplication.instance()
    lead.show_adjudication("gail")
    panel = lead.adjudication
    app.processEvents()
    open_rows = [row for row in panel.groups.rows if row.open]
    if open_rows:
        panel.select_group(open_rows[0].key)
    app.processEvents()
    lead.grab().save(str(out / "adjudication.png"))


LONG_SPAN = (
    "the regional migration office told the men in the dormitory on Sadovaya street that "
    "anyone who refused to sign a one-year contract with the defence ministry before the "
    "end of the week would lose his work permit, be detained in the temporary holding "
    "centre and be deported with a ten-year ban on returning"
)
LONG_PROMPT = (
    "Taking the article as a whole, including its headline, lead paragraph and any quoted "
    "statements from officials, relatives or rights groups, how would you describe the way "
    "the recruitment of the people it reports on was actually carried out by them?"
)
LONG_LEVELS = (
    "entirely_voluntary_enlistment", "voluntary_with_financial_incentives",
    "social_or_peer_pressure_reported", "misleading_promises_about_service",
    "implicit_threats_to_status_or_job", "explicit_threats_of_legal_action",
    "threat_of_deportation_or_detention", "physical_coercion_or_detention",
    "forcible_conscription_at_gunpoint",
)


def long_project(folder: Path) -> Path:
    """A project whose codebook has a 250-character prompt, nine long ordinal options and
    long attribute names and options, with one 300-character Claim coded by "demo"."""
    import yaml

    from app.core.codebook import default_codebook_path
    from app.services.importing import import_articles
    from app.services.projects import create_project

    document = yaml.safe_load(default_codebook_path().read_text(encoding="utf-8"))
    labels = {label["name"]: label for label in document["span_labels"]}
    choices = [{"value": v} for v in (
        "civil_society_organisation_or_human_rights_group", "regional_migration_office_official",
        "relative_of_the_recruited_person",
    )]
    labels["Claim"]["attributes"] += [
        {"name": "speaker_type", "type": "single_choice", "required": True, "options": choices},
        {"name": "stated_consequence_for_refusal", "type": "single_choice", "required": True,
         "options": choices},
    ]
    document["questions"] = [
        {"name": "recruitment", "type": "ordinal", "prompt": LONG_PROMPT, "required": True,
         "options": [{"value": v} for v in LONG_LEVELS]},
        *document["questions"],
    ]
    codebook = folder / "long-codebook.yaml"
    codebook.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    source = folder / "long.txt"
    source.write_text(
        "Migrants in Varnovka told to sign army contracts or be deported\n\n"
        f"VARNOVKA, March 3 \u2014 Residents said {LONG_SPAN}. The ministry denied it.\n",
        encoding="utf-8",
    )
    path = folder / "long.loupe"
    with create_project(path, codebook_path=codebook) as project:
        import_articles(project, [source])
        article = project.store.articles.list()[0]
        coder = project.store.coders.get_or_create("demo")
        start = article.text.index(LONG_SPAN)
        add_annotation(
            project, article_id=article.id, coder_id=coder.id, label="Claim",
            start=start, end=start + len(LONG_SPAN),
            attributes={"claim_type": "allegation", "speaker_type": "regional_migration_office_official"},
        )
    return path


def long_shots(folder: Path, out: Path) -> None:
    """The Attributes and Article questions docks of the coding window with long texts."""
    app = QApplication.instance()
    window = open_window(long_project(folder), "demo", settings_path=folder / "long-settings.ini")
    window.resize(1500, 920)
    controller = window.controller

    def shoot() -> None:
        if controller.bundle and controller.bundle.annotations:
            controller.select(controller.bundle.annotations[0].id)
        app.processEvents()
        window.attribute_editor.parentWidget().grab().save(str(out / "attribute-editor-long.png"))
        questions = window.question_form.parentWidget()
        questions.raise_()
        app.processEvents()
        questions.grab().save(str(out / "question-form-long.png"))
        window.close()
        app.quit()

    QTimer.singleShot(800, shoot)
    app.exec()


def search_shots(folder: Path, out: Path) -> None:
    """The Find in Project dock with the hits of a prefix search, one hit opened."""
    app = QApplication.instance()
    window = open_window(prepare_copy(folder), "demo", settings_path=folder / "search-settings.ini")
    window.resize(1500, 920)
    window.find_in_project()
    window.resizeDocks([window.search_dock], [380], Qt.Orientation.Vertical)
    panel = window.search_panel

    def shoot() -> None:
        panel.query.setText("contract*")
        panel.run_search()
        panel.table.selectRow(2)
        app.processEvents()
        window.search_dock.grab().save(str(out / "find_in_project.png"))
        window.close()
        app.quit()

    QTimer.singleShot(800, shoot)
    app.exec()


def prepare_copy(folder: Path) -> Path:
    """A second copy of the sample project (the first is open in another window)."""
    path = folder / "search-sample.loupe"
    shutil.copy(ensure_sample_project(folder / "data"), path)
    return path


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = prepare(Path(tmp))
        window = open_window(path, "demo", settings_path=Path(tmp, "settings.ini"))
        window.resize(1500, 920)
        controller = window.controller
        app = QApplication.instance()

        def shoot() -> None:
            if controller.bundle and controller.bundle.annotations:
                controller.select(controller.bundle.annotations[0].id)
            app.processEvents()
            window.grab().save(str(out / "coding-window.png"))
            window.show_codebook("Coercion")
            app.processEvents()
            if window.codebook_dialog is not None:
                window.codebook_dialog.resize(900, 600)
                app.processEvents()
                window.codebook_dialog.grab().save(str(out / "codebook.png"))
            window.close()
            app.quit()

        QTimer.singleShot(800, shoot)
        app.exec()
        lead_shots(Path(tmp), out)
        long_shots(Path(tmp), out)
        search_shots(Path(tmp), out)
    print(f"saved screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
