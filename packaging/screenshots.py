#!/usr/bin/env python3
"""Screenshots of the coding window and the lead window on the sample project, for the README.

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

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.edits import AddRelation, SetAnswer  # noqa: E402
from app.services.editing import add_annotation, apply_edit, new_relation  # noqa: E402
from app.services.projects import open_project  # noqa: E402
from app.services.sample import ensure_sample_project  # noqa: E402
from app.ui import open_window  # noqa: E402

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
        app.quit()

    lead.agreement.computed.connect(shoot)
    lead.show_agreement()
    app.exec()
    lead.close()


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
    print(f"saved screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
