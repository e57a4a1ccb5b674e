"""``loupe export`` and ``loupe import-annotations``: exit codes and one-sentence errors."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from app.cli.main import main
from app.paths import sample_dir
from app.services.importing import import_articles
from app.services.projects import create_project, open_project
from tests.export_fixtures import NO_MODEL, coded_copy


@pytest.fixture
def coded_path(tmp_path: Path) -> Path:
    coded_copy(tmp_path).close()
    return tmp_path / "coded.loupe"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_sentence(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("loupe: ") and lines[0].endswith("."), err
    assert "Traceback" not in err
    return lines[0]


def test_export_to_excel_and_the_format_from_the_name(coded_path: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "coding.xlsx"
    code, stdout, err = run(capsys, "export", coded_path, out, "--entities")
    assert code == 0, err
    assert stdout.strip() == f"Exported 10 articles, 31 annotations and 10 relations to {out} (xlsx)."
    assert "Entities" in openpyxl.load_workbook(out, read_only=True).sheetnames
    code, stdout, _ = run(capsys, "export", coded_path, tmp_path / "ana.jsonl", "--coder", "ana",
                          "--status", "done", "--format", "doccano")
    assert code == 0 and "Exported 4 articles, 12 annotations" in stdout
    code, stdout, _ = run(capsys, "export", coded_path, tmp_path / "gold.spacy", "--gold")
    assert code == 0 and "(docbin)" in stdout and (tmp_path / "gold.spacy").is_file()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--coder", "zed"], 1, "loupe: There is no coder named 'zed' in this project (coders: ana, ben, gold)."),
        (["--format", "doccano"], 1, "loupe: A doccano export holds one coding per article; choose one with --coder NAME or --gold."),
        (["--from", "2024-05-01", "--to", "2024-04-01"], 1, "loupe: The start date 2024-05-01 is after the end date 2024-04-01."),
    ],
)
def test_export_errors_are_one_sentence(coded_path: Path, tmp_path: Path, capsys, args, code, message) -> None:
    result, _, err = run(capsys, "export", coded_path, tmp_path / "out.jsonl", *args)
    assert result == code
    assert one_sentence(err) == message
    assert not (tmp_path / "out.jsonl").exists()


def test_no_gold_standard_unknown_format_and_usage_errors(tmp_path: Path, capsys) -> None:
    project = tmp_path / "plain.loupe"
    with create_project(project) as opened:
        import_articles(opened, [sample_dir()], model=NO_MODEL)
    code, _, err = run(capsys, "export", project, tmp_path / "g.xlsx", "--gold")
    assert code == 1
    assert one_sentence(err) == "loupe: This project has no gold standard: no coder has the role 'adjudicator'."
    code, _, err = run(capsys, "export", project, tmp_path / "out.pdf")
    assert code == 1 and "cannot be told from the name 'out.pdf'" in one_sentence(err)
    for args in (["--format", "pdf"], ["--coder", "a", "--gold"], ["--status", "finished"], ["--from", "31/12/2024"]):
        code, _, err = run(capsys, "export", project, tmp_path / "o.xlsx", *args)
        assert code == 2, args
        assert "usage: loupe export" in err and "Traceback" not in err
    assert not (tmp_path / "o.xlsx").exists()


def test_import_annotations_round_trip_and_errors(coded_path: Path, tmp_path: Path, capsys) -> None:
    code, _, _ = run(capsys, "export", coded_path, tmp_path / "brat", "--format", "brat", "--coder", "ben")
    assert code == 0 and (tmp_path / "brat" / "annotation.conf").is_file()
    fresh = tmp_path / "fresh.loupe"
    with create_project(fresh) as opened:
        import_articles(opened, [sample_dir()], model=NO_MODEL)
    code, stdout, err = run(capsys, "import-annotations", fresh, tmp_path / "brat", "--coder", "ben", "--format", "brat")
    assert code == 0, err
    assert stdout.strip() == "Imported 13 annotations and 4 relations of ben on 5 articles; 0 spans already present."
    with open_project(fresh) as opened:
        assert opened.store.counts().annotations == 13
    code, _, err = run(capsys, "import-annotations", fresh, tmp_path / "nowhere", "--coder", "ben", "--format", "brat")
    assert code == 1 and one_sentence(err) == f"loupe: {tmp_path / 'nowhere'} is not a folder of brat files."
    code, _, err = run(capsys, "import-annotations", fresh, tmp_path / "brat", "--format", "brat")
    assert code == 2 and "--coder" in err


def test_span_key_names_the_docbin_span_group(coded_path: Path, tmp_path: Path, capsys) -> None:
    import spacy
    from spacy.tokens import DocBin

    out = tmp_path / "gold.spacy"
    code, _, err = run(capsys, "export", coded_path, out, "--gold", "--span-key", "coercion")
    assert code == 0, err
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert sum(len(doc.spans["coercion"]) for doc in docs) > 0
    assert all("sc" not in doc.spans for doc in docs)
    code, _, err = run(capsys, "export", coded_path, tmp_path / "x.xlsx", "--span-key", "coercion")
    assert code == 1 and one_sentence(err) == (
        "loupe: A span key names the span group of a spaCy DocBin; the xlsx format has none."
    )
    assert not (tmp_path / "x.xlsx").exists()
