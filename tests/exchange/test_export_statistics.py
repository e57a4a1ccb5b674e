"""SPSS, Stata and R exports: read back with pyreadstat and Python's csv module.

One row per article and coder; answers as integer codes with the codebook's options as
value labels (an ordinal question's codes in its order), missing where unanswered;
span counts per label and per label and attribute value; gold rows marked; variable
names valid for each program, distinct, and the same in every export.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.cli.main import main
from app.core.articles import ImportedArticle
from app.core.edits import SetAnswer
from app.core.records import utc_now
from app.exchange.writers import statistics
from app.exchange.writers.statistics import (
    R_NAMES,
    SPSS_NAMES,
    STATA_NAMES,
    r_text,
    variable_names,
)
from app.services.coding import set_status
from app.services.editing import add_annotation, apply_edit
from app.services.exporting import ExportError, export_project
from app.services.projects import Project, create_project
from tests.export_fixtures import coded_copy

try:  # a dependency of Loupe's SPSS and Stata export; R exports need nothing
    import pyreadstat
except ImportError:  # pragma: no cover - until the environment has it
    pyreadstat = None
needs_pyreadstat = pytest.mark.skipif(pyreadstat is None, reason="pyreadstat is not installed")

CODEBOOK = """
name: Statistics test
version: "2"
span_labels:
  - name: Actor
    key: "1"
    color: "#56B4E9"
    attributes:
      - {name: actor_type, type: single_choice, options: [{value: police}, {value: prisoner}]}
      - {name: armed, type: boolean}
      - {name: tags, type: multi_choice, options: [{value: urgent}, {value: follow-up}]}
      - {name: age, type: number}
      - {name: quote, type: text}
  - name: Claim-A
    key: "2"
    color: "#E69F00"
  - name: Claim_A
    key: "3"
    color: "#CC79A7"
  - name: Coercion_described_at_great_length
    key: "4"
    color: "#009E73"
    attributes:
      - name: coercion_type_with_a_long_name
        type: single_choice
        options: [{value: street_intimidation_by_police}, {value: street_intimidation_by_army}]
questions:
  - {name: relevance, type: single_choice, prompt: "Is it relevant?", options: [{value: "yes"}, {value: "no"}]}
  - name: sourcing
    type: ordinal
    prompt: How well sourced?
    options: [{value: unsourced}, {value: single_source}, {value: independently_confirmed}]
  - {name: topics, type: multi_choice, prompt: "Topics?", options: [{value: war}, {value: labour}]}
  - {name: comment, type: text, prompt: "Anything else?"}
  - {name: title, type: text, prompt: "A question named like a fixed column"}
  - {name: with, type: single_choice, prompt: "Reserved in SPSS and Stata", options: [{value: a}, {value: b}]}
"""

HOSTILE = "\ufffe|\uffff|\x85|\x00nul|\x07bell"
TITLES = [
    "Мобилизация 👩‍⚖️ в Москве",
    f"تجنيد قسري {HOSTILE}",
    "=HYPERLINK(\"http://x\")",
    "'quoted' headline",
]
PUBLISHED = ["2024-03-05", "March 2024", None, "1850-06-01"]
FFFD = "\ufffd"
HOSTILE_OUT = f"{FFFD}|{FFFD}|{FFFD}|{FFFD}nul|{FFFD}bell"
STATA_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
SPSS_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


def build_project(path: Path, codebook: Path) -> Project:
    """Four articles; ana answers and codes, ben answers some, gold adjudicates one."""
    codebook.write_text(CODEBOOK, encoding="utf-8")
    project = create_project(path, codebook_path=codebook)
    store = project.store
    ids = store.articles.add_batch(
        [(ImportedArticle(title=t, text=f"{t}\n\nPolice took the men away. Witnesses saw it.", origin="test",
                          external_id=f"ext-{i}", source="Новая газета", published=p), ())
         for i, (t, p) in enumerate(zip(TITLES, PUBLISHED, strict=True))],
        model=None,
    )
    ana = store.coders.get_or_create("ana").id
    ben = store.coders.get_or_create("ben").id
    gold = store.coders.get_or_create("gold", role="adjudicator").id
    first = store.articles.get(ids[0])
    at = first.text.index("Police")

    def span(coder: str, label: str, attributes: dict | None = None, article: str = ids[0]) -> None:
        add_annotation(project, article_id=article, coder_id=coder, label=label, start=at, end=at + 6,
                       attributes=attributes or {})

    span(ana, "Actor", {"actor_type": "police", "armed": True, "tags": ["urgent", "follow-up"], "age": 40})
    span(ana, "Actor", {"actor_type": "prisoner", "armed": False, "tags": ["follow-up"]})
    span(ana, "Actor", {"quote": "said so"})
    span(ana, "Claim-A")
    span(ana, "Coercion_described_at_great_length",
         {"coercion_type_with_a_long_name": "street_intimidation_by_army"})
    span(ben, "Claim_A")
    span(gold, "Actor", {"actor_type": "police"})
    for article, coder, question, value in [
        (ids[0], ana, "relevance", "yes"), (ids[0], ana, "sourcing", "independently_confirmed"),
        (ids[0], ana, "topics", ["labour"]), (ids[0], ana, "comment", f"Все ясно 🙂 {HOSTILE}"),
        (ids[0], ana, "with", "b"), (ids[0], ana, "title", "=1+1"),
        (ids[0], ben, "sourcing", "unsourced"), (ids[0], ben, "topics", []),
        (ids[1], ana, "relevance", "no"),
        (ids[0], gold, "relevance", "yes"), (ids[0], gold, "sourcing", "single_source"),
    ]:
        apply_edit(project, SetAnswer(article, coder, question, value))
    store.assignments.add_time(ids[0], ana, 90.5, utc_now())
    for article in ids[2:]:
        store.assignments.add_time(article, ana, 5, utc_now())
    set_status(project, ids[0], ana, "done")
    set_status(project, ids[1], ana, "in_progress")
    set_status(project, ids[0], gold, "done")
    return project


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    with build_project(tmp_path / "p.loupe", tmp_path / "cb.yaml") as opened:
        yield opened


def rows_by(frame, *keys: str) -> dict[tuple, dict]:
    return {tuple(r[k] for k in keys): r for r in frame.to_dict("records")}


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def ids_of(project: Project) -> list[str]:
    return [a.id for a in project.store.articles.list()]


# -- SPSS -------------------------------------------------------------------------------


@needs_pyreadstat
def test_sav_holds_labels_codes_counts_and_missing(project: Project, tmp_path: Path) -> None:
    report = export_project(project, tmp_path / "answers.sav")
    assert report.format == "sav" and report.articles == 4 and report.annotations == 7
    frame, meta = pyreadstat.read_sav(tmp_path / "answers.sav")
    labels, values = meta.column_names_to_labels, meta.variable_value_labels
    # the article questions: prompts as variable labels, options as value labels in order
    assert labels["relevance"] == "Is it relevant?"
    assert values["relevance"] == {1: "yes", 2: "no"}
    assert values["sourcing"] == {1: "unsourced", 2: "single_source", 3: "independently_confirmed"}
    assert meta.variable_measure["sourcing"] == "ordinal" and meta.variable_measure["relevance"] == "nominal"
    assert values["topics_war"] == {0: "not chosen", 1: "chosen"}
    assert values["role"] == {1: "coder", 2: "lead", 3: "adjudicator"}
    assert meta.variable_measure["n_Actor"] == "scale"
    # 'with' is reserved in SPSS, and 'title' is taken by the headline: both renamed, full name first
    renamed = [n for n in meta.column_names if labels[n].startswith("with: ")]
    assert len(renamed) == 1 and renamed[0] != "with" and values[renamed[0]] == {1: "a", 2: "b"}
    title_question = [n for n in meta.column_names if labels[n].startswith("title: A question")]
    assert len(title_question) == 1 and title_question[0] != "title"
    assert all(SPSS_NAME.fullmatch(n) for n in meta.column_names)

    ids = ids_of(project)
    rows = rows_by(frame, "article_id", "coder")
    # who: ana on every article, ben and gold on the first; nobody else
    assert sorted(rows) == sorted([*((i, "ana") for i in ids), (ids[0], "ben"), (ids[0], "gold")])
    ana, ben, gold = rows[(ids[0], "ana")], rows[(ids[0], "ben")], rows[(ids[0], "gold")]
    assert (ana["relevance"], ana["sourcing"], ana[renamed[0]]) == (1, 3, 2)
    assert (ana["topics_war"], ana["topics_labour"]) == (0, 1)
    assert ana["comment"] == f"Все ясно 🙂 {HOSTILE_OUT}" and ana[title_question[0]] == "=1+1"
    # unanswered is system-missing, never 0; an empty multiple choice is 0 on every option
    assert is_missing(ben["relevance"]) and ben["sourcing"] == 1
    assert (ben["topics_war"], ben["topics_labour"]) == (0, 0)
    assert is_missing(rows[(ids[1], "ana")]["topics_war"]) and is_missing(gold["topics_war"])
    # coder, role, gold, status, time
    assert (ana["role"], ana["gold"], gold["role"], gold["gold"], ben["gold"]) == (1, 0, 3, 1, 0)
    assert (ana["status"], rows[(ids[1], "ana")]["status"], ben["status"]) == (3, 2, 2)  # coding starts it
    assert (ana["seconds_spent"], ben["seconds_spent"], rows[(ids[2], "ana")]["seconds_spent"]) == (90.5, 0, 5)
    # span counts per label and per label x attribute value
    assert (ana["n_Actor"], ana["n_Actor_actor_type_police"], ana["n_Actor_actor_type_prisoner"]) == (3, 1, 1)
    assert (ana["n_Actor_armed_true"], ana["n_Actor_armed_false"]) == (1, 1)
    assert ana["n_Actor_tags_urgent"] == 1
    tag_follow_up = [n for n in meta.column_names if labels[n].startswith("n_Actor_tags_follow-up: ")]
    assert len(tag_follow_up) == 1 and ana[tag_follow_up[0]] == 2
    assert not any("age" in n or "quote" in n for n in meta.column_names)  # number and text: no counts
    claim_dash = [n for n in meta.column_names if labels[n].startswith("n_Claim-A: ")]
    assert len(claim_dash) == 1 and (ana[claim_dash[0]], ana["n_Claim_A"]) == (1, 0)
    assert (ben[claim_dash[0]], ben["n_Claim_A"], ben["n_Actor"], gold["n_Actor"]) == (0, 1, 0, 1)
    assert rows[(ids[1], "ana")]["n_Actor"] == 0  # a count is 0, not missing
    # text survives; what a statistics program cannot hold becomes U+FFFD, one for one
    assert [rows[(i, "ana")]["title"] for i in ids] == [TITLES[0], TITLES[1].replace(HOSTILE, HOSTILE_OUT),
                                                         *TITLES[2:]]
    assert ana["source"] == "Новая газета" and ana["external_id"] == "ext-0"
    assert (ana["published"], rows[(ids[1], "ana")]["published"]) == ("2024-03-05", "March 2024")
    assert ana["published_date"] == date(2024, 3, 5) and is_missing(rows[(ids[1], "ana")]["published_date"])
    assert rows[(ids[3], "ana")]["published_date"] == date(1850, 6, 1)
    assert meta.original_variable_types["published_date"].startswith("DATE")


@needs_pyreadstat
def test_every_value_label_and_variable_label_comes_from_the_codebook(project: Project, tmp_path: Path) -> None:
    export_project(project, tmp_path / "a.sav")
    _, meta = pyreadstat.read_sav(tmp_path / "a.sav", metadataonly=True)
    codebook = project.codebook
    for question in codebook.questions:
        if question.type in ("single_choice", "ordinal"):
            (name,) = [n for n in meta.column_names
                       if meta.column_names_to_labels[n] in (question.prompt, f"{question.name}: {question.prompt}")]
            assert list(meta.variable_value_labels[name].values()) == list(question.option_values)
    counted = [n for n in meta.column_names if n.startswith("n_")]
    expected = sum(
        1 + sum(len(a.options) if a.is_choice else 2 if a.type == "boolean" else 0 for a in label.attributes)
        for label in codebook.span_labels
    )
    assert len(counted) == expected


# -- Stata ------------------------------------------------------------------------------


@needs_pyreadstat
def test_dta_names_labels_and_the_same_data_as_the_sav(project: Project, tmp_path: Path) -> None:
    export_project(project, tmp_path / "a.sav")
    export_project(project, tmp_path / "a.dta")
    sav, sav_meta = pyreadstat.read_sav(tmp_path / "a.sav")
    dta, meta = pyreadstat.read_dta(tmp_path / "a.dta")
    names = meta.column_names
    assert len(names) == len(sav_meta.column_names)
    assert all(STATA_NAME.fullmatch(n) for n in names), names
    assert len({n.casefold() for n in names}) == len(names)
    assert "with" not in names and "title" in names
    labels = meta.column_names_to_labels
    assert all(len(labels[n]) <= 80 for n in names)
    long = "n_Coercion_described_at_great_length_coercion_type_with_a_long_name_street_intimidation_by_army"
    police = long.replace("army", "police")
    assert len(long) > 80 and len(police) > 80
    # full names longer than a Stata label keep their beginning and their distinct end
    (stata_long,) = [n for n in names if labels[n] == long[:39] + "\u2026" + long[-40:]]
    (stata_police,) = [n for n in names if labels[n] == police[:39] + "\u2026" + police[-40:]]
    assert len(stata_long) == len(stata_police) == 32 and stata_long != stata_police
    assert labels["n_Claim_A"] == "Number of Claim_A spans"  # a name kept as is: no full name in front
    assert [labels[n] for n in names if n.startswith("n_Claim_A_")] == ["n_Claim-A: Number of Claim-A spans"]
    # value labels where Stata allows them: on the integer codes
    assert meta.variable_value_labels["relevance"] == {1: "yes", 2: "no"}
    assert meta.variable_value_labels["sourcing"] == {1: "unsourced", 2: "single_source", 3: "independently_confirmed"}
    assert meta.variable_value_labels["gold"] == {0: "no", 1: "yes"}
    assert meta.original_variable_types["published_date"] == "%td"
    # the same cells, column by column, as the SPSS file (missing where it is missing)
    for sav_name, dta_name in zip(sav_meta.column_names, names, strict=True):
        for left, right in zip(sav[sav_name], dta[dta_name], strict=True):
            assert (is_missing(left) and is_missing(right)) or left == right, (sav_name, left, right)
    ana = rows_by(dta, "article_id", "coder")[(ids_of(project)[0], "ana")]
    assert ana[stata_long] == 1 and ana["title"] == TITLES[0]


def test_names_are_valid_distinct_and_deterministic() -> None:
    full = [
        "relevance", "Relevance", "with", "WITH", "if", "_n", "2nd_question", "-x", "a-b", "a_b",
        *(f"n_Coercion_described_at_great_length_{i}" for i in range(12)),
        "n_Coercion_described_at_great_length_0", "x" * 200, "x" * 199, "", "Ünïcode",
    ]
    for rules, pattern in ((STATA_NAMES, STATA_NAME), (SPSS_NAMES, SPSS_NAME), (R_NAMES, SPSS_NAME)):
        names = variable_names(full, rules)
        assert names == variable_names(full, rules)
        assert len({n.casefold() for n in names}) == len(full)
        assert all(pattern.fullmatch(n) and len(n) <= rules.limit for n in names), names
        assert not {n.casefold() for n in names} & rules.reserved
        assert names[0] == "relevance" and names[9] == "a_b"
        # a name's mapping does not depend on the names after it
        assert variable_names(full[:14], rules) == names[:14]
    stata = variable_names(full, STATA_NAMES)
    assert stata[2] != "with" and stata[4] != "if" and stata[5] != "_n"
    assert len(set(stata[10:22])) == 12  # twelve names alike in their first 32 characters


# -- scope: gold, one coder ---------------------------------------------------------------


@needs_pyreadstat
def test_gold_only_and_one_coder(project: Project, tmp_path: Path) -> None:
    export_project(project, tmp_path / "gold.sav", gold=True)
    frame, _ = pyreadstat.read_sav(tmp_path / "gold.sav")
    assert list(frame["coder"]) == ["gold"] and list(frame["gold"]) == [1] and list(frame["relevance"]) == [1]
    export_project(project, tmp_path / "ben.dta", coder="ben")
    frame, _ = pyreadstat.read_dta(tmp_path / "ben.dta")
    assert list(frame["coder"]) == ["ben"]
    export_project(project, tmp_path / "done.sav", statuses=["done"])
    frame, _ = pyreadstat.read_sav(tmp_path / "done.sav")
    assert sorted(frame["coder"]) == ["ana", "gold"]


@needs_pyreadstat
def test_rows_match_the_csv_export_of_a_project_with_several_coders(tmp_path: Path) -> None:
    with coded_copy(tmp_path) as coded:
        export_project(coded, tmp_path / "tables", format="csv")
        export_project(coded, tmp_path / "all.sav")
    with (tmp_path / "tables" / "article_answers.csv").open(encoding="utf-8-sig") as handle:
        answers = list(csv.DictReader(handle))
    with (tmp_path / "tables" / "annotations.csv").open(encoding="utf-8-sig") as handle:
        spans = list(csv.DictReader(handle))
    frame, meta = pyreadstat.read_sav(tmp_path / "all.sav")
    assert [(r["Article id"], r["Coder"]) for r in answers] == list(zip(frame["article_id"], frame["coder"], strict=True))
    assert set(frame["coder"]) == {"ana", "ben", "gold"}
    assert list(frame["gold"]) == [int(c == "gold") for c in frame["coder"]]
    codes = meta.variable_value_labels
    for row, record in zip(answers, frame.to_dict("records"), strict=True):
        for question in ("relevance", "main_coercion_type", "sourcing"):
            if row[question]:
                assert codes[question][record[question]] == row[question]
            else:
                assert is_missing(record[question])
        for label in ("Actor", "Claim", "Coercion"):
            assert record[f"n_{label}"] == sum(
                1 for s in spans if (s["Article id"], s["Coder"], s["Label"]) == (row["Article id"], row["Coder"], label)
            )
        assert record["n_Actor_actor_type_police"] == sum(
            1 for s in spans if (s["Article id"], s["Coder"], s["actor_type"]) == (row["Article id"], row["Coder"], "police")
        )


# -- R ------------------------------------------------------------------------------------


def read_r_data(folder: Path) -> tuple[list[dict], list[dict]]:
    """data.csv decoded as read.R decodes it: codes to labels, one leading apostrophe off."""
    with (folder / "codebook.csv").open(encoding="utf-8", newline="") as handle:
        codebook = list(csv.DictReader(handle))
    variables = [r for r in codebook if not r["code"]]
    labels = {(r["variable"], r["code"]): r["value_label"] for r in codebook if r["code"]}
    with (folder / "data.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        raw = list(reader)
    assert header == [v["variable"] for v in variables]
    decoded = []
    for row in raw:
        record = {}
        for variable, cell in zip(variables, row, strict=True):
            name, kind = variable["variable"], variable["type"]
            if cell == "":
                record[name] = None
            elif kind == "code":
                record[name] = labels[(name, cell)]
            elif kind == "count":
                record[name] = int(cell)
            elif kind == "number":
                record[name] = float(cell)
            elif kind == "date":
                record[name] = date.fromisoformat(cell)
            else:
                record[name] = cell[1:] if cell.startswith("'") else cell
        decoded.append(record)
    return variables, decoded


def test_r_folder_reads_back_with_its_codebook(project: Project, tmp_path: Path) -> None:
    report = export_project(project, tmp_path / "for_r", format="r")
    folder = tmp_path / "for_r"
    assert sorted(p.name for p in folder.iterdir()) == ["codebook.csv", "codebook.json", "data.csv", "read.R"]
    assert report.sheets == ["data.csv", "codebook.csv", "codebook.json", "read.R"]
    assert not (folder / "data.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    variables, rows = read_r_data(folder)
    ids = ids_of(project)
    by = {(r["article_id"], r["coder"]): r for r in rows}
    ana, ben = by[(ids[0], "ana")], by[(ids[0], "ben")]
    assert (ana["relevance"], ana["sourcing"], ana["topics_labour"], ana["n_Actor"]) == (
        "yes", "independently_confirmed", "chosen", 3)
    assert ben["relevance"] is None and ben["topics_war"] == "not chosen" and ben["seconds_spent"] == 0
    assert ana["seconds_spent"] == 90.5 and ana["published_date"] == date(2024, 3, 5)
    assert by[(ids[0], "gold")]["gold"] == "yes" and ana["gold"] == "no"
    # formulas and leading apostrophes are escaped and come back exactly
    assert [by[(i, "ana")]["title"] for i in ids] == [TITLES[0], TITLES[1].replace(HOSTILE, HOSTILE_OUT),
                                                       *TITLES[2:]]
    assert by[(ids[3], "ana")]["published_date"] == date(1850, 6, 1)
    raw = (folder / "data.csv").read_text(encoding="utf-8")
    assert ",'=1+1," in raw and ",\"'=HYPERLINK(\"\"http" in raw and ",''quoted' headline," in raw
    assert r_text("=HYPERLINK(1)") == "'=HYPERLINK(1)" and r_text("'x") == "''x" and r_text("x'") == "x'"
    # R's names: 'with' is fine there, 'if' would not be; the JSON codebook says the same as the CSV one
    document = json.loads((folder / "codebook.json").read_text(encoding="utf-8"))
    assert [v["name"] for v in document["variables"]] == [v["variable"] for v in variables]
    sourcing = next(v for v in document["variables"] if v["name"] == "sourcing")
    assert sourcing["measure"] == "ordinal" and [x["label"] for x in sourcing["value_labels"]] == [
        "unsourced", "single_source", "independently_confirmed"]
    assert "read.csv" in (folder / "read.R").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_read_r_in_r(project: Project, tmp_path: Path) -> None:
    export_project(project, tmp_path / "for_r", format="r")
    script = (
        'loupe_folder <- commandArgs(TRUE)[1]; source(file.path(loupe_folder, "read.R")); '
        'cat(nrow(loupe), levels(loupe$sourcing), is.ordered(loupe$sourcing), '
        'sum(is.na(loupe$relevance)), attr(loupe$relevance, "label"), sep = "|")'
    )
    out = subprocess.run(["Rscript", "-e", script, str(tmp_path / "for_r")], capture_output=True,
                         text=True, check=True).stdout
    assert out == "6|unsourced|single_source|independently_confirmed|TRUE|2|Is it relevant?"


# -- the command line, staging, failures ----------------------------------------------------


@needs_pyreadstat
def test_command_line_formats_by_name_and_by_option(project: Project, tmp_path: Path, capsys) -> None:
    path = project.store.location
    project.close()
    assert main(["export", str(path), str(tmp_path / "answers.sav")]) == 0
    assert main(["export", str(path), str(tmp_path / "answers.dta"), "--gold"]) == 0
    assert main(["export", str(path), str(tmp_path / "r"), "--format", "r", "--coder", "ana"]) == 0
    out = capsys.readouterr().out
    assert "(sav)" in out and "(dta)" in out and "(r)" in out
    assert pyreadstat.read_dta(tmp_path / "answers.dta")[0]["coder"].tolist() == ["gold"]
    assert {r["coder"] for r in read_r_data(tmp_path / "r")[1]} == {"ana"}


def test_an_interrupted_export_leaves_nothing(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for fmt, name in (("sav", "a.sav"), ("dta", "a.dta"), ("r", "r")):
        def interrupt(done: int, total: int, text: str) -> None:
            if text == "Writing the data set":
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            export_project(project, out / name, format=fmt, progress=interrupt)
        assert list(out.iterdir()) == [], fmt


def test_missing_pyreadstat_is_one_sentence_and_r_still_works(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable():
        raise statistics.StatisticsUnavailable("No module named 'pyreadstat'")

    monkeypatch.setattr(statistics, "_modules", unavailable)
    with pytest.raises(ExportError, match=r"^SPSS and Stata files need the pyreadstat .* --format r instead\.$"):
        export_project(project, tmp_path / "a.sav")
    assert list(tmp_path.glob("*.sav")) == [] and not [p for p in tmp_path.iterdir() if "partial" in p.name]
    export_project(project, tmp_path / "r", format="r")
    assert (tmp_path / "r" / "data.csv").exists()


@needs_pyreadstat
def test_an_answer_the_codebook_no_longer_has_is_missing_with_a_warning(project: Project, tmp_path: Path) -> None:
    ids = ids_of(project)
    ben = project.store.coders.find("ben").id
    project.store.answers.set(ids[0], ben, "relevance", "maybe", utc_now())  # as an older codebook allowed
    report = export_project(project, tmp_path / "a.sav")
    frame, _ = pyreadstat.read_sav(tmp_path / "a.sav")
    assert is_missing(rows_by(frame, "article_id", "coder")[(ids[0], "ben")]["relevance"])
    assert report.warnings == [
        "The answer 'maybe' to 'relevance' is not an option of the codebook; it is exported as missing."
    ]


@needs_pyreadstat
def test_an_empty_export_has_the_columns_and_no_rows(project: Project, tmp_path: Path) -> None:
    from datetime import date as day

    export_project(project, tmp_path / "none.sav", date_from=day(2030, 1, 1))
    export_project(project, tmp_path / "none.dta", date_from=day(2030, 1, 1))
    for reader, name in ((pyreadstat.read_sav, "none.sav"), (pyreadstat.read_dta, "none.dta")):
        frame, meta = reader(tmp_path / name)
        assert len(frame) == 0 and "relevance" in meta.column_names
        assert meta.variable_value_labels["relevance"] == {1: "yes", 2: "no"}


@needs_pyreadstat
def test_the_export_dialog_offers_the_statistics_formats(qtbot, project: Project, tmp_path: Path) -> None:  # noqa: ANN001
    pytest.importorskip("PySide6")
    from app.ui.export_dialog import ExportDialog

    dialog = ExportDialog(["ana", "ben", "gold"], tmp_path / "study.loupe")
    qtbot.addWidget(dialog)
    offered = {dialog.format.itemData(i): dialog.format.itemText(i) for i in range(dialog.format.count())}
    assert offered["sav"] == "SPSS data set (.sav)" and offered["r"] == "R data and codebook (a folder)"
    dialog.format.setCurrentIndex(dialog.format.findData("dta"))
    assert dialog.target.text().endswith("study-export.dta")
    dialog.coding.setCurrentText("Gold standard")
    options = dialog.options()
    options["out"] = tmp_path / "gold.dta"
    export_project(project, **options)
    assert pyreadstat.read_dta(tmp_path / "gold.dta")[0]["coder"].tolist() == ["gold"]


WIDE_CODEBOOK = """
name: Wide
version: "1"
span_labels:
  - name: Actor
    key: "1"
    color: "#56B4E9"
    attributes:
      - name: kind
        type: single_choice
        options: [{OPTIONS}]
"""


@pytest.fixture(scope="module")
def wide_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project whose statistics exports are several MB: 400 count columns a row."""
    folder = tmp_path_factory.mktemp("wide")
    options = ", ".join(f"{{value: option{i}}}" for i in range(400))
    (folder / "cb.yaml").write_text(WIDE_CODEBOOK.replace("{OPTIONS}", options), encoding="utf-8")
    path = folder / "wide.loupe"
    with create_project(path, codebook_path=folder / "cb.yaml") as project:
        store = project.store
        ids = store.articles.add_batch(
            [(ImportedArticle(title=f"R{i}", text=f"R{i}\n\nPolice", origin="gen"), ()) for i in range(2000)],
            model=None,
        )
        store.assignments.add_time(ids[0], store.coders.get_or_create("ana").id, 1, utc_now())
        for article in ids:
            store.assignments.set_status(article, store.coders.find("ana").id, "in_progress", utc_now())
    return path


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["sav", "dta", "r"])
def test_a_file_size_limit_gives_one_sentence_and_leaves_nothing(wide_project: Path, tmp_path: Path, fmt: str) -> None:
    import os
    import resource
    import signal
    import sys

    if fmt != "r" and pyreadstat is None:
        pytest.skip("pyreadstat is not installed")
    limit = 400_000  # reading the project writes nothing this large; every export is larger

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    out = tmp_path / "out" / f"a.{fmt}"
    out.parent.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "app", "export", str(wide_project), str(out), "--format", fmt],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=300,
        # no bytecode: a cache file cut at the limit would break every later import
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, preexec_fn=limited,
    )
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"loupe: {out} could not be written ("), result.stderr
    assert list(out.parent.iterdir()) == []
