"""brat collections imported whole with their ``annotation.conf`` as the codebook, and
exported back without losing or moving anything (tests/data/brat/README.md says where the
files come from): brat's news tutorial (entities, events, relations, equivalences,
normalisations, attributes, notes), a CoNLL-2002 subset (entities only) and a NEREL subset
(nested and discontinuous entities, relations).

The round trip compares each ``.ann`` with its export after naming every annotation by
what it is (type, offsets, arguments) instead of its id: ids are renumbered on export
(T, E, R, A, N and # in file order), nothing else may differ.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from app.cli.main import main
from app.services.projects import open_project

DATA = Path(__file__).resolve().parents[1] / "data" / "brat"
NO_MODEL = "no_such_pipeline_xyz"

#: What each corpus holds, per kind, counted by hand from the files (brat lines).
EXPECTED = {
    "news": {"entities": 96, "events": 23, "relations": 8, "equivalences": 2,
             "normalisations": 1, "attributes": 11, "notes": 4},
    "conll2002": {"entities": 35},
    "nerel": {"entities": 128, "relations": 81},
}


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def kinds_said(out: str) -> dict[str, tuple[int, int]]:
    """``brat events: 23 in the files, 23 stored`` lines as {kind: (in the files, stored)}."""
    found = re.findall(r"^brat (\w+): ([\d,]+) in the files, ([\d,]+) stored", out, re.M)
    return {k: (int(a.replace(",", "")), int(b.replace(",", ""))) for k, a, b in found}


def import_corpus(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str) -> tuple[Path, str]:
    project = tmp_path / f"{name}.loupe"
    code, _, err = run(capsys, "new", project, "--codebook", DATA / name / "annotation.conf")
    assert code == 0, err
    code, out, err = run(capsys, "import", project, DATA / name, "--coder", "ann", "--model", NO_MODEL)
    assert code == 0, err
    return project, out


def canonical(path: Path, names: dict[str, tuple] | None = None) -> Counter[tuple]:
    """The annotations of an ``.ann`` file, each named by its content instead of its id
    (``names`` gains the name of each T, E and R id)."""
    if not path.is_file():
        return Counter()
    lines = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    names = {} if names is None else names
    for fields in lines:  # text-bound first: everything else points at them
        if fields[0].startswith("T"):
            label, offsets = fields[1].split(" ", 1)
            names[fields[0]] = ("T", label, offsets)
    for fields in lines:
        if fields[0].startswith("E"):
            names[fields[0]] = ("E", names[fields[1].split()[0].split(":")[1]])
    for fields in lines:
        if fields[0].startswith("R"):
            label, *args = fields[1].split()
            names[fields[0]] = ("R", label, *(names[a.split(":")[1]] for a in args))
    out: Counter[tuple] = Counter()
    for fields in lines:
        ident, data = fields[0], fields[1].split()
        tail = fields[2] if len(fields) > 2 else ""
        if ident[0] in "TR":
            out[names[ident] + ((tail,) if ident[0] == "T" else ())] += 1
        elif ident[0] == "E":
            args = sorted((role, names[arg]) for role, arg in (a.split(":", 1) for a in data[1:]))
            out[(*names[ident], tuple(args))] += 1
        elif ident[0] in "AM":
            out[("A", data[0], names[data[1]], *data[2:])] += 1
        elif ident[0] == "N":
            out[("N", data[0], names[data[1]], data[2], tail)] += 1
        elif ident[0] == "#":
            out[("#", data[0], names[data[1]], tail)] += 1
        elif ident[0] == "*":
            members = [names[i] for i in data[1:]]
            out[("*", data[0], tuple(sorted(members)))] += 1
    return out


@pytest.mark.parametrize("name", ["news", "conll2002", "nerel"])
def test_corpus_imports_whole_with_its_conf_as_codebook(
    name: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project, out = import_corpus(capsys, tmp_path, name)
    said = kinds_said(out)
    expected = {kind: (n, n) for kind, n in EXPECTED[name].items()}
    assert said == expected, out
    documents = len(list((DATA / name).glob("*.txt")))
    with open_project(project) as opened:
        articles = opened.store.articles.list()
        assert len(articles) == documents
        counts = opened.store.counts()
        spans = EXPECTED[name]["entities"] + EXPECTED[name].get("events", 0)
        assert counts.annotations == spans


def test_news_tutorial_keeps_events_equivalences_references_notes_and_binary_attributes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project, _ = import_corpus(capsys, tmp_path, "news")
    with open_project(project) as opened:
        text = (DATA / "news" / "000-introduction.txt").read_text(encoding="utf-8")
        (intro,) = [a for a in opened.store.articles.list() if a.text == text]
        spans = {(a.start, a.end): a for a in opened.store.annotations.for_article(intro.id)}
        relations = opened.store.relations.for_article(intro.id)
    trigger = next(a for a in spans.values() if a.label == "Transfer-money")
    assert trigger.attributes == {"Confidence": "High"}  # the event's attribute (A5 ... E1 High)
    roles = sorted(r.label for r in relations if r.source_id == trigger.id)
    assert roles == ["Beneficiary-Arg", "Giver-Arg", "Money-Arg", "Recipient-Arg"]
    person = next(a for a in spans.values() if a.attributes.get("references"))
    assert person.attributes == {"Mention": "Nominal", "Individual": True,
                                 "references": "Wikipedia:64488 Carlos Salinas de Gortari"}
    money = next(a for a in spans.values() if a.label == "Money")
    assert money.note == "100000000 USD"


def test_relation_and_event_notes_are_kept(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project, _ = import_corpus(capsys, tmp_path, "news")
    with open_project(project) as opened:
        text = (DATA / "news" / "110-note_annotation.txt").read_text(encoding="utf-8")
        (article,) = [a for a in opened.store.articles.list() if a.text == text]
        relations = opened.store.relations.for_article(article.id)
        annotations = opened.store.annotations.for_article(article.id)
    assert [r.attributes["note"] for r in relations if r.attributes] == [
        "Should this be marked? It's not explicitly stated."
    ]
    assert any(a.note.startswith("Annotate as one merge event") for a in annotations if a.label == "Merge-org")


@pytest.mark.parametrize("name", ["news", "conll2002", "nerel"])
def test_round_trip_loses_and_moves_nothing(name: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project, _ = import_corpus(capsys, tmp_path, name)
    code, _, err = run(capsys, "export", project, tmp_path / "out", "--format", "brat", "--coder", "ann")
    assert code == 0, err
    renumbered = 0
    for ann in sorted((DATA / name).glob("*.ann")):
        exported = tmp_path / "out" / ann.name
        original: dict[str, tuple] = {}
        written: dict[str, tuple] = {}
        assert canonical(exported, written) == canonical(ann, original), ann.name
        renumbered += sum(1 for ident, what in original.items() if written.get(ident) != what)
    from app.core.codebook import load_codebook

    def shape(conf: Path) -> tuple:
        codebook = load_codebook(conf)
        labels = {(lb.name, tuple(a.name for a in lb.attributes)) for lb in codebook.span_labels}
        return labels, {(r.name, r.source, r.target, r.directed) for r in codebook.relation_types}

    assert shape(tmp_path / "out" / "annotation.conf") == shape(DATA / name / "annotation.conf")
    # only the ids differ (how many is printed for the record)
    print(f"{name}: {renumbered} T/E/R ids name another annotation in the export")


def test_nerel_keeps_nested_and_discontinuous_spans(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project, _ = import_corpus(capsys, tmp_path, "nerel")
    with open_project(project) as opened:
        annotations = [a for article in opened.store.articles.list()
                       for a in opened.store.annotations.for_article(article.id)]
    discontinuous = sorted(a.fragments for a in annotations if a.fragments)
    assert discontinuous == [((622, 648), (678, 695)), ((622, 648), (687, 695)), ((1647, 1658), (1674, 1704))]
    nested = [(a, b) for a in annotations for b in annotations
              if a is not b and a.article_id == b.article_id and a.start <= b.start and b.end <= a.end]
    assert len(nested) > 10


def test_what_the_codebook_cannot_hold_is_refused_all_at_once_or_dropped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = tmp_path / "conll.loupe"
    run(capsys, "new", project, "--codebook", DATA / "conll2002" / "annotation.conf")
    code, _, err = run(capsys, "import", project, DATA / "news", "--coder", "ann", "--model", NO_MODEL)
    assert code == 1
    for part in ("entities: 96 of the types Organization (56), Person (27), GPE (12), Money (1)",
                 "events: 23 of the types Merge-org (14), Report (8), Transfer-money (1)",
                 "relations: 8 of the types", "equivalences: 2 of the type Alias",
                 "--drop entities,events,relations,equivalences"):
        assert part in err, err
    with open_project(project) as opened:
        assert opened.store.counts().annotations == 0 and not opened.store.articles.list()
    code, out, err = run(capsys, "import", project, DATA / "news", "--coder", "ann", "--model", NO_MODEL,
                         "--drop", "entities,events,relations,equivalences")
    assert code == 0, err
    assert "brat normalisations: 1 in the files, 0 stored, 1 left out (--drop)" in out
    assert "brat notes: 4 in the files, 0 stored, 4 left out (--drop)" in out
    code, _, err = run(capsys, "import", project, DATA / "news", "--drop", "sentences")
    assert code != 0 and "'sentences', not a kind of brat annotation" in err


def test_without_a_coder_the_ann_files_are_left_aside_and_said(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = tmp_path / "n.loupe"
    run(capsys, "new", project, "--codebook", DATA / "news" / "annotation.conf")
    code, out, err = run(capsys, "import", project, DATA / "news", "--model", NO_MODEL)
    assert code == 0, err
    assert "13 brat .ann files beside the .txt files (000-introduction.ann, ...) left aside" in err
    with open_project(project) as opened:
        assert opened.store.counts().annotations == 0 and len(opened.store.articles.list()) == 13


def test_codebook_from_the_news_conf() -> None:
    from app.core.codebook import load_codebook

    codebook = load_codebook(DATA / "news" / "annotation.conf")
    assert codebook.label_names[:4] == ("Person", "Organization", "GPE", "Money")
    assert "Report" in codebook.label_names and "Life" not in codebook.label_names
    alias = codebook.relation_type("Alias")
    assert not alias.directed
    org = codebook.relation_type("Org-Arg")
    assert org.source == ("Start-org", "Merge-org", "End-org") and org.target == ("Organization",)
    event = codebook.relation_type("Event-Arg")
    assert "Merge-org" in event.target and "Report" in event.target
    person = codebook.label("Person")
    assert person.attribute("Individual").type == "boolean"
    assert person.attribute("Mention").option_values == ("Name", "Nominal", "Other")
    assert codebook.label("Die").attribute("Confidence").option_values == ("High", "Neutral", "Low")


def test_small_cases_repeats_binary_values_and_what_no_codebook_holds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "small"
    folder.mkdir()
    for name in ("annotation.conf", "000-introduction.txt"):
        (folder / name).write_bytes((DATA / "news" / name).read_bytes())
    original = (DATA / "news" / "000-introduction.ann").read_text(encoding="utf-8")
    repeated = original + "R3\tFamily Arg1:T4 Arg2:T5\t\n#2\tAnnotatorNotes R2\tsaid twice\n"
    (folder / "000-introduction.ann").write_text(repeated, encoding="utf-8")
    project, out = tmp_path / "s.loupe", ""
    run(capsys, "new", project, "--codebook", folder / "annotation.conf")
    code, out, err = run(capsys, "import", project, folder, "--coder", "ann", "--model", NO_MODEL)
    assert code == 0, err
    assert "1 relation given more than once, written once." in out
    assert "brat notes: 2 in the files, 2 stored" in out
    run(capsys, "export", project, tmp_path / "out", "--format", "brat", "--coder", "ann")
    written = (tmp_path / "out" / "000-introduction.ann").read_text(encoding="utf-8")
    assert "\tIndividual T4\n" in written and "Individual T4 false" not in written
    assert "\tReference T5 Wikipedia:64488\tCarlos Salinas de Gortari\n" in written
    # a normalisation on a relation: brat allows it, no codebook holds it
    (folder / "000-introduction.ann").write_text(original + "N2\tReference R1 Wikidata:Q1\tkin\n", encoding="utf-8")
    code, _, err = run(capsys, "import-annotations", project, folder, "--coder", "bo", "--format", "brat")
    assert code == 1 and "normalisations: 1 on relations (Family), which have no references" in err
    code, out, err = run(capsys, "import-annotations", project, folder, "--coder", "bo", "--format", "brat",
                         "--drop", "normalisations")
    assert code == 0, err
    assert "brat normalisations: 2 in the files, 1 stored, 1 left out (--drop)" in out
