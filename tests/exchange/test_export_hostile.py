"""Exports of hostile text and under hostile conditions.

* Characters a format cannot hold (U+FFFE, U+FFFF, surrogates, C0 and C1 controls) in
  article text, titles, notes, attributes and metadata: every format is written, and
  what XML forbids (in a workbook) or UTF-8 cannot encode (elsewhere) becomes U+FFFD,
  one for one, so offsets stay valid.
* ``kill -9`` in the middle of an export: the next export to the same target removes
  what was left beside it, and nothing was ever put in the system's temporary folder.
* A full disk (a file size limit, or a small tmpfs where one can be mounted): one
  sentence on stderr, no traceback, no "Exception ignored", no partial file.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from spacy.tokens import DocBin

from app.core.articles import ImportedArticle
from app.core.exports import CodedArticle, CodedRelation, CodedSpan, Coding, Column, Table
from app.core.records import Annotation, Article, Relation, utc_now
from app.core.staging import partial_path
from app.exchange.writers.brat import write_brat_folder
from app.exchange.writers.csv import write_csv_table
from app.exchange.writers.jsonl import write_articles_jsonl
from app.exchange.writers.xlsx import WorkbookWriter
from app.services.exporting import export_project
from app.services.projects import Project, create_project

ROOT = Path(__file__).resolve().parents[2]
SURROGATE = "\ud800"
#: What XML 1.0 forbids or discourages in every form: noncharacters, C1 and C0 controls.
HOSTILE = "\ufffe|\uffff|\x85|\x93quoted\x94|\x07bell|\x0bvt|\x00nul|\x9f"
#: Written independently of the code under test: XML 1.0's Char production plus C1.
_XML_BAD = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return _XML_BAD.sub("\ufffd", text)


def utf8_safe(text: str) -> str:
    return re.sub("[\ud800-\udfff]", "\ufffd", text)


TITLE = f"Hostile {HOSTILE} headline"
TEXT = f"{TITLE}\n\nMaria Petrenko said {HOSTILE} that recruits were taken. Ivan Sokolov denied it."
NOTE = f"note {HOSTILE}"
ACTOR_TYPE = f"police{SURROGATE}{HOSTILE}"
ACTOR = (TEXT.index("Maria"), TEXT.index(" that"))
CLAIM = (0, len(TITLE))


def hostile_project(path: Path) -> Project:
    """One article whose text, title, note, attributes and metadata hold every hostile
    character the store can hold (a surrogate only in JSON: attributes, metadata)."""
    project = create_project(path)
    store = project.store
    (article_id,) = store.articles.add_batch(
        [(ImportedArticle(title=TITLE, text=TEXT, origin="test", external_id="hostile", source=f"desk {HOSTILE}",
                          metadata={"desk": f"news{SURROGATE}", "score": float("nan"), HOSTILE: [HOSTILE]}), ())],
        model=None,
    )
    coder = store.coders.get_or_create("ana").id
    now = utc_now()
    actor, claim = str(uuid.uuid4()), str(uuid.uuid4())
    store.annotations.add_many(
        [
            Annotation(actor, article_id, coder, "Actor", *ACTOR, {"actor_type": ACTOR_TYPE, "role": "target"},
                       NOTE, False, 1, now, now),
            Annotation(claim, article_id, coder, "Claim", *CLAIM, {"claim_type": "allegation"}, "", True, 1, now, now),
        ],
        [Relation(str(uuid.uuid4()), article_id, coder, "said_by", claim, actor, {"why": SURROGATE}, 1, now, now)],
    )
    return project


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Project]:
    with hostile_project(tmp_path / "hostile.loupe") as project:
        yield project


def sheet_records(sheet) -> list[dict]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_xlsx_replaces_what_xml_forbids_one_for_one(hostile: Project, tmp_path: Path) -> None:
    out = tmp_path / "hostile.xlsx"
    export_project(hostile, out)
    book = openpyxl.load_workbook(out)
    rows = {r["Label"]: r for r in sheet_records(book["Annotations"])}
    actor = rows["Actor"]
    assert actor["Text"] == xml_safe(TEXT[slice(*ACTOR)])
    assert len(actor["Text"]) == actor["End"] - actor["Start"]  # one for one: offsets still match
    assert actor["Note"] == xml_safe(NOTE)
    assert actor["actor_type"] == xml_safe(ACTOR_TYPE)
    assert "\ufffd" in actor["actor_type"] and SURROGATE not in actor["actor_type"]
    assert actor["Title"] == xml_safe(TITLE) == rows["Claim"]["Text"]
    for sheet in book:  # nothing XML forbids anywhere
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not isinstance(value, str) or not _XML_BAD.search(value), (sheet.title, value)


def test_csv_keeps_the_text_and_replaces_only_surrogates(hostile: Project, tmp_path: Path) -> None:
    export_project(hostile, tmp_path / "tables", format="csv")
    with (tmp_path / "tables" / "annotations.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {r["Label"]: r for r in csv.DictReader(handle)}
    actor = rows["Actor"]
    assert actor["Text"] == TEXT[slice(*ACTOR)]
    assert actor["Note"] == NOTE
    assert actor["actor_type"] == utf8_safe(ACTOR_TYPE)


def _strict(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON")


def test_jsonl_is_strict_json_with_the_text_as_stored(hostile: Project, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    export_project(hostile, out)
    (line,) = out.read_text(encoding="utf-8").splitlines()
    record = json.loads(line, parse_constant=_strict)
    assert record["text"] == TEXT and record["title"] == TITLE
    assert record["metadata"] == {"desk": "news\ufffd", "score": None, HOSTILE: [HOSTILE]}
    (coding,) = record["coders"]
    spans = {s["label"]: s for s in coding["spans"]}
    actor = spans["Actor"]
    assert actor["text"] == TEXT[actor["start"] : actor["end"]] and actor["note"] == NOTE
    assert actor["attributes"]["actor_type"] == utf8_safe(ACTOR_TYPE)
    assert coding["relations"][0]["attributes"] == {"why": "\ufffd"}


def test_doccano_keeps_offsets(hostile: Project, tmp_path: Path) -> None:
    out = tmp_path / "ana.jsonl"
    export_project(hostile, out, format="doccano", coder="ana")
    record = json.loads(out.read_text(encoding="utf-8"), parse_constant=_strict)
    assert record["text"] == TEXT
    # The coding has a relation, so the spans are relation-extraction entities.
    spans = [(e["start_offset"], e["end_offset"], e["label"]) for e in record["entities"]]
    assert sorted(spans) == sorted([(*CLAIM, "Claim"), (*ACTOR, "Actor")])


def test_brat_text_and_offsets_are_valid(hostile: Project, tmp_path: Path) -> None:
    export_project(hostile, tmp_path / "brat", format="brat", coder="ana")
    text = (tmp_path / "brat" / "hostile.txt").read_bytes().decode("utf-8")
    assert text == TEXT
    ann = (tmp_path / "brat" / "hostile.ann").read_bytes().decode("utf-8")
    spans = [line.split("\t") for line in ann.splitlines() if line.startswith("T")]
    assert len(spans) == 2
    for _id, kind_offsets, shown in spans:
        pieces = [tuple(map(int, part.split())) for part in kind_offsets.split(" ", 1)[1].split(";")]
        assert shown == " ".join(text[s:e] for s, e in pieces)


def test_docbin_holds_the_text_and_encodable_user_data(hostile: Project, tmp_path: Path) -> None:
    import spacy

    out = tmp_path / "ana.spacy"
    export_project(hostile, out, format="docbin", coder="ana")
    (doc,) = DocBin().from_disk(out).get_docs(spacy.blank("en").vocab)
    assert doc.text == TEXT
    data = doc.user_data["loupe"]
    actor = next(s for s in data["spans"] if s["label"] == "Actor")
    assert actor["attributes"]["actor_type"] == utf8_safe(ACTOR_TYPE) and actor["note"] == NOTE
    assert data["relations"][0]["attributes"] == {"why": "\ufffd"}


def _coded(text: str) -> CodedArticle:
    article = Article("a1", text.split("\n")[0], text, "0" * 64, 0, external_id="x", metadata={"k": SURROGATE})
    span = CodedSpan("s1", "Actor", 2, 9, {"actor_type": SURROGATE}, f"n{SURROGATE}{HOSTILE}")
    relation = CodedRelation("r1", "said_by", "s1", "s1", {"why": SURROGATE})
    return CodedArticle(article, (Coding("ana", "done", (span,), (relation,), {"q": SURROGATE}),), name="x")


def test_writers_replace_surrogates_in_the_text_one_for_one(tmp_path: Path) -> None:
    """A string from outside the store (which cannot hold one) may carry a surrogate
    even in the text: the writers replace it themselves."""
    text = f"A{SURROGATE} bc{SURROGATE}defg {HOSTILE}\n\nbody {SURROGATE}"
    item = _coded(text)
    write_articles_jsonl(tmp_path / "a.jsonl", [item])
    record = json.loads((tmp_path / "a.jsonl").read_text(encoding="utf-8"), parse_constant=_strict)
    assert record["text"] == utf8_safe(text) and len(record["text"]) == len(text)
    assert record["coders"][0]["spans"][0]["text"] == utf8_safe(text[2:9])

    with create_project(tmp_path / "cb.loupe") as project:
        codebook = project.codebook
    write_brat_folder(tmp_path / "brat", codebook, [item])
    assert (tmp_path / "brat" / "x.txt").read_text(encoding="utf-8") == utf8_safe(text)
    assert "\ufffd" in (tmp_path / "brat" / "x.ann").read_text(encoding="utf-8")

    columns = [Column("Text"), Column("Value", "value")]
    write_csv_table(tmp_path / "t.csv", Table("T", columns, iter([[text, SURROGATE]])))
    assert utf8_safe(text) in (tmp_path / "t.csv").read_text(encoding="utf-8-sig")

    writer = WorkbookWriter(temp_dir=tmp_path)
    writer.add_table(Table("T", [Column(f"H{SURROGATE}"), Column("Value", "value")], iter([[text, HOSTILE]])))
    writer.save(tmp_path / "t.xlsx")
    (row,) = sheet_records(openpyxl.load_workbook(tmp_path / "t.xlsx")["T"])
    assert list(row.values()) == [xml_safe(text), xml_safe(HOSTILE)] and list(row) == ["H\ufffd", "Value"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".xml") == []  # sheet files removed


# --- interrupted, killed and starved exports ------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def sized_project(path: Path, *, articles: int, spans: int, span_chars: int, seed: int = 7) -> Path:
    """Generated articles of ~``spans * 60`` characters, each with ``spans`` Actor spans
    of ``span_chars`` characters (long spans make exports large and projects small)."""
    rng = random.Random(seed)
    with create_project(path) as project:
        store = project.store
        coder = store.coders.get_or_create("ana").id
        texts = [
            f"Report {i}\n\n" + " ".join(
                "".join(rng.choices(_LETTERS, k=rng.randint(2, 9))) for _ in range(max(spans * 8, span_chars // 4))
            )
            for i in range(articles)
        ]
        ids = store.articles.add_batch(
            [(ImportedArticle(title=f"Report {i}", text=t, origin="gen", external_id=f"r{i}"), ())
             for i, t in enumerate(texts)], model=None,
        )
        now = utc_now()
        store.annotations.add_many(
            Annotation(str(uuid.uuid4()), article_id, coder, "Actor", start, start + span_chars,
                       {"actor_type": "police"}, "", False, 1, now, now)
            for article_id, text in zip(ids, texts, strict=True)
            for start in (rng.randrange(10, len(text) - span_chars) for _ in range(spans))
        )
    return path


def _partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "partial" in p.name)


def test_an_interrupted_export_leaves_nothing_beside_the_target_or_in_tmp(
    hostile: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for fmt, name in (("xlsx", "a.xlsx"), ("csv", "tables"), ("jsonl", "a.jsonl"), ("brat", "brat")):
        calls = 0

        def interrupt(done: int, total: int, text: str) -> None:
            nonlocal calls
            calls += 1
            if calls == 3:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            export_project(hostile, out_dir / name, format=fmt, coder="ana", progress=interrupt)
        assert list(out_dir.iterdir()) == [] and list(private.iterdir()) == [], fmt
    export_project(hostile, out_dir / "a.xlsx")  # and a completed one uses no temporary folder either
    assert [p.name for p in out_dir.iterdir()] == ["a.xlsx"] and list(private.iterdir()) == []


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_dead_exports_are_removed_and_live_ones_kept(hostile: Project, tmp_path: Path) -> None:
    out = tmp_path / "a.xlsx"
    dead = out.with_name(f".a.xlsx.{_dead_pid()}-0badc0de.partial")
    old_style = out.with_name(".a.xlsx.k3j_9x2a.partial")  # tempfile.mkdtemp's, before the pid
    live = out.with_name(f".a.xlsx.{os.getppid()}-abcdef01.partial")
    other = out.with_name(f".b.xlsx.{_dead_pid()}-0badc0de.partial")
    for folder in (dead, old_style, live, other):
        folder.mkdir()
        (folder / "openpyxl.sheet.xml").write_text("<coded data/>")
    export_project(hostile, out)
    assert _partials(tmp_path) == sorted([live.name, other.name])


def test_folder_exports_follow_the_umask(hostile: Project, tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        export_project(hostile, tmp_path / "tables", format="csv")
        export_project(hostile, tmp_path / "brat", format="brat", coder="ana")
        export_project(hostile, tmp_path / "a.xlsx")
    finally:
        os.umask(previous)
    assert (tmp_path / "tables").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "brat").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "a.xlsx").stat().st_mode & 0o777 == 0o644
    assert partial_path(tmp_path / "a.xlsx").name.startswith(f".a.xlsx.{os.getpid()}-")


@pytest.fixture(scope="module")
def slow_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose exports take a second or more (the kills must land while they write)."""
    folder = tmp_path_factory.mktemp("slow")
    return sized_project(folder / "slow.loupe", articles=300, spans=120, span_chars=300)


def _export_command(project: Path, out: Path, fmt: str) -> list[str]:
    return [sys.executable, "-m", "app", "export", str(project), str(out), "--format", fmt]


def _env(private_tmp: Path) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(private_tmp), "QT_QPA_PLATFORM": "offscreen"}


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_kill_9_during_an_export_then_export_again(slow_project: Path, tmp_path: Path, fmt: str) -> None:
    """SIGKILL at a random moment while the export writes (3 trials); the next export to
    the same target removes the leftovers, and the temporary folder stays empty."""
    private = tmp_path / "tmp"
    private.mkdir()
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / ("a.xlsx" if fmt == "xlsx" else "tables")
    rng = random.Random(5)

    def start() -> tuple[subprocess.Popen, float]:
        """The export, once its partial output has appeared; and when that was."""
        child = subprocess.Popen(_export_command(slow_project, out, fmt), cwd=ROOT, env=_env(private),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".") for p in folder.iterdir()) and child.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.002)
        return child, time.monotonic()

    # How long the writing takes on this machine now: the kills land inside it.
    child, began = start()
    child.wait()
    writing = max(time.monotonic() - began, 0.01)
    if out.is_dir():
        shutil.rmtree(out)
    elif out.exists():
        out.unlink()
    hits = 0
    for trial in range(3):
        child, _began = start()
        time.sleep(rng.uniform(0.1, 0.6) * writing)
        child.send_signal(signal.SIGKILL)
        child.wait()
        if child.returncode == -signal.SIGKILL and not out.exists():
            hits += 1
            left = list(folder.iterdir()) + list(private.iterdir())
            assert left, "a killed export leaves its partial folder: the next run must remove it"
        if out.is_dir():
            shutil.rmtree(out)
        again = subprocess.run(_export_command(slow_project, out, fmt), cwd=ROOT, env=_env(private),
                               capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert sorted(p.name for p in folder.iterdir()) == [out.name], trial
        assert list(private.iterdir()) == [], trial
        if fmt == "xlsx":
            assert zipfile.ZipFile(out).testzip() is None
            out.unlink()
        else:
            shutil.rmtree(out)
    assert hits >= 2, "the kills came too late: the export finished first"


@pytest.fixture(scope="module")
def bulky_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project (about 1 MB) whose exports are several MB: long spans."""
    folder = tmp_path_factory.mktemp("bulky")
    return sized_project(folder / "bulky.loupe", articles=10, spans=150, span_chars=2500)


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def _assert_one_sentence(stderr: str, out: Path) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("loupe: ") and lines[0].endswith("."), stderr
    assert str(out) in lines[0] and "could not be written" in lines[0], stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "csv", "jsonl"])
def test_a_file_size_limit_gives_one_sentence_and_no_partial_file(
    bulky_project: Path, tmp_path: Path, fmt: str
) -> None:
    size = bulky_project.stat().st_size
    private = tmp_path / "tmp"
    private.mkdir()
    out = tmp_path / "out" / ("tables" if fmt == "csv" else "a.out")
    out.parent.mkdir()
    result = subprocess.run(
        [*_export_command(bulky_project, out, fmt), "--coder", "ana"], cwd=ROOT, env=_env(private),
        capture_output=True, text=True, timeout=300, preexec_fn=_limit_file_size(size + 1_000_000),
    )
    assert result.returncode == 1, (result.stdout, result.stderr)
    _assert_one_sentence(result.stderr, out)
    assert list(out.parent.iterdir()) == [] and list(private.iterdir()) == []


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    yield mount
    subprocess.run(["umount", str(mount)], check=False, capture_output=True)


@pytest.mark.slow
def test_a_full_disk_while_the_workbook_is_zipped_gives_one_sentence(
    bulky_project: Path, tmp_path: Path, small_tmpfs: Path
) -> None:
    """ENOSPC inside ZipFile: the sheets fit on the disk, the workbook does not."""
    reference = tmp_path / "reference.xlsx"
    subprocess.run(_export_command(bulky_project, reference, "xlsx"), cwd=ROOT, check=True,
                   capture_output=True, env=_env(tmp_path))
    with zipfile.ZipFile(reference) as archive:
        sheets = sum(i.file_size for i in archive.infolist() if i.filename.startswith("xl/worksheets/"))
        annotations = max(i.compress_size for i in archive.infolist() if i.filename.startswith("xl/worksheets/"))
    size = sheets + 16 * 4096 + annotations // 2  # the sheets fit, with their last pages
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(small_tmpfs)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"no tmpfs can be mounted here ({mounted.stderr.strip()!r})")
    out = small_tmpfs / "a.xlsx"
    result = subprocess.run(_export_command(bulky_project, out, "xlsx"), cwd=ROOT, env=_env(tmp_path),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, (result.stdout, result.stderr)
    _assert_one_sentence(result.stderr, out)
    assert "No space left on device" in result.stderr
    assert list(small_tmpfs.iterdir()) == []
