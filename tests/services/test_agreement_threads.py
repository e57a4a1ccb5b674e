"""The agreement report computed on one thread and on several is the same report."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from app.services.agreement.report import agreement_report
from app.services.projects import Project
from tests.services.test_agreement_report import Study

CODERS = ("ana", "ben", "cara", "dan", "eve")
NEEDLES = ("Anton Korolev", "40 migrants", "migrants were forced", "forced to sign contracts", "Kiresk", "sign")
ACTORS = ("police", "state_authority", "prisoner")


@pytest.fixture
def five(project: Project, tmp_path: Path) -> Study:
    """Five coders who coded eight articles with some chance in each choice."""
    study = Study(project, tmp_path / "texts", 8)
    rng = random.Random(4)
    for name in CODERS:
        study.coder(name)
    for name in CODERS:
        for k in range(8):
            spans = []
            for needle in rng.sample(NEEDLES, rng.randint(1, 4)):
                label = rng.choice(("Actor", "Claim", "Coercion"))
                extra = {"actor_type": rng.choice(ACTORS)} if label == "Actor" else {}
                spans.append((label, study.span(name, k, label, needle, **extra)))
            claims = [a for label, a in spans if label == "Claim"]
            actors = [a for label, a in spans if label == "Actor"]
            if claims and actors and rng.random() < 0.7:
                study.relation(name, k, "said_by", claims[0], actors[0])
            study.answer(name, k, "relevance", rng.choice(("yes", "no", None)))
        study.done(name, *range(8))
    return study


def test_the_report_on_several_threads_is_the_report_on_one(five: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = {}
    for threads in ("1", "4"):
        monkeypatch.setenv("LOUPE_THREADS", threads)
        report = agreement_report(five.project, n_bootstrap=200)
        texts[threads] = json.dumps(report.to_dict(), sort_keys=True)
    assert len(report.pairs) == 10
    spans = report.measure("span:*")
    assert spans is not None and len(spans.pairs) > 10
    assert texts["1"] == texts["4"]
