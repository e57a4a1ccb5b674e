"""Inputs within the limits import; inputs beyond them are refused with one sentence.

Long articles are tagged in pieces (spaCy refuses more than ``max_length`` characters and
needs about 3.4 KB of memory per character of one text), Word documents are measured
before python-docx unpacks them, folders yield only regular files, concurrent imports
into one project number their articles apart, and JSON Lines stays strict JSON.
"""

from __future__ import annotations

import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import docx
import pytest

from app.core.defaults import DEFAULT_MODEL
from app.core.errors import ImportFormatError
from app.exchange.readers import expand_inputs, read_articles
from app.exchange.readers.docx import MAX_PARAGRAPHS, MAX_UNPACKED_BYTES, MAX_XML_PART_BYTES
from app.nlp.chunking import chunk_bounds
from app.nlp.pipeline import EntityTagger, load_pipeline
from app.services.importing import import_articles, read_sources
from app.services.projects import Project, create_project, open_project

ROOT = Path(__file__).resolve().parents[2]
SENTENCE = (
    "Anton Korolev, a lawyer in Moscow, said 40 men were taken from the prison in Kiresk "
    "by the Wagner Group on Tuesday. "
)


def long_text(length: int) -> str:
    """A news-like text of exactly ``length`` characters with paragraphs of five sentences."""
    paragraph = SENTENCE * 5 + "\n\n"
    text = "Prisoners sent to the front\n\n" + paragraph * (length // len(paragraph) + 1)
    return text[:length]


# --- cutting texts into pieces --------------------------------------------------------


def test_pieces_tile_the_text_and_prefer_paragraphs_then_sentences_then_spaces() -> None:
    text = "One. Two three.\n\nFour five. Six seven eight. Nine ten eleven"
    bounds = chunk_bounds(text, 24)
    assert "".join(text[a:b] for a, b in bounds) == text
    assert all(b - a <= 24 for a, b in bounds)
    assert text[: bounds[0][1]] == "One. Two three.\n\n"  # the paragraph break
    assert text[bounds[1][0] : bounds[1][1]] == "Four five. "  # a sentence end (no blank line)
    no_sentences = "word " * 10
    assert [no_sentences[a:b] for a, b in chunk_bounds(no_sentences, 12)][0] == "word word "
    run = "x" * 25
    assert chunk_bounds(run, 10) == [(0, 10), (10, 20), (20, 25)]
    accents = "e\u0301" * 6  # never start a piece with a combining mark if it can be helped
    assert all(not "\u0300" <= accents[a] <= "\u036f" for a, _ in chunk_bounds(accents, 5))
    assert chunk_bounds("", 10) == [(0, 0)]
    assert chunk_bounds("short", 10) == [(0, 5)]


@pytest.fixture(scope="module")
def nlp():
    """A pipeline of our own (not the cached one), free to have its max_length lowered."""
    return load_pipeline(DEFAULT_MODEL)


def spacy_on_pieces(nlp, text: str, limit: int, labels=None) -> list[tuple[int, int, str]]:
    found = []
    for start, end in chunk_bounds(text, limit):
        for ent in nlp(text[start:end]).ents:
            if labels is None or ent.label_ in labels:
                found.append((start + ent.start_char, start + ent.end_char, ent.label_))
    return found


def test_texts_over_max_length_are_tagged_in_pieces_with_exact_offsets(nlp) -> None:
    nlp.max_length = 3_000  # spaCy itself refuses anything longer
    try:
        tagger = EntityTagger(nlp, DEFAULT_MODEL)
        short = "Vladimir Putin met Angela Merkel in Berlin."
        text = long_text(11_000) + " Mariya Petrenko 👩‍⚖️ arrived in Kyiv."
        with pytest.raises(ValueError, match="E088"):
            nlp(text)
        results = list(tagger.tag([short, text, short], None))
        assert len(results) == 3 and results[0] == results[2]
        assert results[1] == spacy_on_pieces(nlp, text, 3_000)
        assert len(results[1]) > 30
        for start, end, _ in results[1]:
            assert text[start:end] == text[start:end].strip() and text[start:end]
    finally:
        nlp.max_length = 1_000_000


def test_an_import_of_long_csv_fields_and_pages_is_tagged_whole(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.nlp import load_tagger

    tagger = load_tagger(DEFAULT_MODEL)
    monkeypatch.setattr(tagger.nlp, "max_length", 4_000)
    body = long_text(9_000)
    with (tmp_path / "feed.csv").open("w", newline="", encoding="utf-8") as handle:
        handle.write("title,text\n")
        handle.write('"Short one","Maria Petrenko met Ivan Sokolov in Kyiv."\n')
        handle.write('"Long one","' + body.replace('"', '""') + '"\n')
    page = "<html><head><title>Sent to the front</title></head><body><article>" + "".join(
        f"<p>{SENTENCE * 4}Paragraph {n}.</p>" for n in range(40)
    ) + "</article></body></html>"
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    report = import_articles(project, [tmp_path / "feed.csv", tmp_path / "page.html"])
    assert report.imported == 3 and report.bad_files == []
    labels = project.store.settings()["entity_labels"]
    for article in project.store.articles.list():
        entities = project.store.articles.entities(article.id)
        expected = spacy_on_pieces(tagger.nlp, article.text, 4_000, labels)
        assert [(e.start, e.end, e.label) for e in entities] == sorted(expected)
        if len(article.text) > 4_000:
            assert len(entities) > 20


@pytest.mark.slow
def test_a_real_article_over_a_million_characters_is_imported_and_tagged(
    project: Project, tmp_path: Path, nlp
) -> None:
    text = long_text(1_050_000)
    (tmp_path / "book.txt").write_text(text, encoding="utf-8")
    report = import_articles(project, [tmp_path / "book.txt"])
    assert report.imported == 1 and report.model
    (article,) = project.store.articles.list()
    assert article.text == text  # stored as read (Fidelity): the final space is kept
    entities = [(e.start, e.end, e.label) for e in project.store.articles.entities(article.id)]
    assert entities and entities[-1][1] > 1_000_000
    labels = set(project.store.settings()["entity_labels"])
    from app.nlp.pipeline import MAX_PIECE_CHARS

    bounds = chunk_bounds(article.text, MAX_PIECE_CHARS)
    for start, end in (bounds[0], bounds[len(bounds) // 2], bounds[-1]):  # spot checks
        expected = [
            (start + e.start_char, start + e.end_char, e.label_)
            for e in nlp(article.text[start:end]).ents
            if e.label_ in labels
        ]
        assert [e for e in entities if start <= e[0] < end] == expected


def test_docbin_export_tokenizes_articles_over_max_length() -> None:
    import spacy

    from app.core.exports import CodedSpan
    from app.nlp.docbin import build_doc

    text = long_text(1_000_100)
    spans = [CodedSpan("1", "ACTOR", 1_000_001, 1_000_014)]
    doc = build_doc(spacy.blank("en"), text, spans)
    assert doc.text == text and doc.spans["sc"][0].start_char == 1_000_001


# --- Word documents are measured before they are unpacked ------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_with(body: bytes, repeat: int, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A real .docx whose document.xml body is ``body`` repeated ``repeat`` times."""
    template = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Headline")
    document.save(template)
    source = zipfile.ZipFile(template)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info, source.read(info.filename))
                continue
            with archive.open("word/document.xml", "w", force_zip64=True) as handle:
                handle.write(f'<w:document xmlns:w="{W}"><w:body>'.encode())
                per_block = min(1000, repeat)
                for _ in range(repeat // per_block):
                    handle.write(body * per_block)
                handle.write(body * (repeat % per_block))
                handle.write(b"</w:body></w:document>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


TINY_PARAGRAPH = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"


def test_a_docx_of_too_many_tiny_paragraphs_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(docx_with(TINY_PARAGRAPH, MAX_PARAGRAPHS + 10))
    assert path.stat().st_size < 100_000
    with pytest.raises(ImportFormatError) as caught:
        read_articles(path)
    assert str(caught.value) == (
        f"bomb.docx has over {MAX_PARAGRAPHS:,} paragraphs; a Word document may have at most "
        f"{MAX_PARAGRAPHS:,}."
    )


def test_a_docx_of_too_many_elements_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs.docx"
    path.write_bytes(docx_with(b"<w:p>" + b"<w:r><w:t>x</w:t></w:r>" * 200 + b"</w:p>", 5_100))
    with pytest.raises(ImportFormatError, match=r"^runs\.docx has over 2,000,000 XML elements"):
        read_articles(path)


def test_a_docx_that_inflates_too_far_is_refused_by_its_directory(tmp_path: Path) -> None:
    big_part = tmp_path / "part.docx"
    text = b"<w:p><w:r><w:t>" + b"y" * (MAX_XML_PART_BYTES + 10) + b"</w:t></w:r></w:p>"
    big_part.write_bytes(docx_with(text, 1))
    with pytest.raises(ImportFormatError) as caught:
        read_articles(big_part)
    assert str(caught.value) == (
        "part.docx holds 32 MB of XML in word/document.xml; a Word document may hold at most "
        "32 MB in one part."
    )
    padded = tmp_path / "padded.docx"
    padded.write_bytes(
        docx_with(b"<w:p><w:r><w:t>Body.</w:t></w:r></w:p>", 1,
                  extra={"word/media/image1.png": bytes(MAX_UNPACKED_BYTES)})
    )
    with pytest.raises(ImportFormatError, match=r"^padded\.docx would unpack to 12[89] MB; a Word "
                       r"document may unpack to at most 128 MB\.$"):
        read_articles(padded)


RSS_SCRIPT = """
import resource, sys, time
from app.services.importing import import_articles
from app.services.projects import create_project
start = time.monotonic()
with create_project(sys.argv[1]) as project:
    try:
        report = import_articles(project, sys.argv[2:], skip_bad=True)
        outcome = f"imported {report.imported}, bad {len(report.bad_files)}"
    except Exception as exc:
        outcome = f"{type(exc).__name__}: {exc}"
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, round(time.monotonic() - start, 1), outcome)
"""


def peak_rss_mb(tmp_path: Path, *inputs: Path, timeout: float = 900) -> tuple[int, float, str]:
    """Peak RSS (MB) and seconds of importing ``inputs`` into a new project, in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-c", RSS_SCRIPT, str(tmp_path / f"rss-{inputs[0].stem}.loupe"), *map(str, inputs)],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=True,
    )
    rss, seconds, outcome = result.stdout.strip().splitlines()[-1].split(" ", 2)
    return int(rss), float(seconds), outcome


@pytest.mark.slow
def test_a_docx_bomb_and_the_largest_accepted_docx_stay_under_one_gigabyte(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"  # 611 KB that inflates to 200 MB of tiny paragraphs
    bomb.write_bytes(docx_with(TINY_PARAGRAPH, 5_800_000))
    rss, seconds, outcome = peak_rss_mb(tmp_path, bomb, timeout=120)
    assert rss < 1024 and seconds < 60 and "imported 0, bad 1" in outcome
    largest = tmp_path / "largest.docx"  # just under the element limit
    largest.write_bytes(docx_with(b"<w:p>" + b"<w:r><w:t>x </w:t></w:r>" * 48 + b"</w:p>", 19_000))
    rss, seconds, outcome = peak_rss_mb(tmp_path, largest)
    print(f"largest accepted docx: peak RSS {rss} MB, {seconds} s")
    assert rss < 1024 and outcome == "imported 1, bad 0"


# --- folders yield regular files only --------------------------------------------------


def run_with_timeout(function, seconds: float = 30):
    """``function()`` in a thread; fails (instead of hanging the run) if it blocks."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = function()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "reading blocked"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_links_pipes_and_sockets_in_a_folder_are_skipped_unopened(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Headline\n\nA real article.", encoding="utf-8")
    secret = tmp_path / "outside" / "passwd.txt"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (folder / "link.txt").symlink_to(secret)
    (folder / "linked").symlink_to(secret.parent, target_is_directory=True)
    fifo = folder / "sub" / "pipe.txt"
    os.mkfifo(fifo)
    sock = folder / "sock.txt"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(sock))
        try:
            articles, skipped = run_with_timeout(lambda: read_sources([folder]))
        finally:
            try:  # unblock a reader that opened the pipe, so the thread can end
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
    finally:
        server.close()
    assert [a.text for a in articles] == ["Headline\n\nA real article."]
    assert sorted(skipped) == sorted([
        f"{folder / 'link.txt'} is a symbolic link; links inside a folder are not followed.",
        f"{folder / 'linked'} is a symbolic link to a folder; links inside a folder are not followed.",
        f"{sock} is a socket, not a regular file, so it was not read.",
        f"{fifo} is a named pipe, not a regular file, so it was not read.",
    ])
    assert expand_inputs([folder]) == [folder / "a.txt"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_reading_a_pipe_or_device_never_blocks(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    try:
        with pytest.raises(ImportFormatError, match=r"^pipe\.txt is a named pipe, not a regular file"):
            run_with_timeout(lambda: read_articles(fifo))
    finally:
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    with pytest.raises(ImportFormatError, match=r"^zero\.txt is a device, not a regular file"):
        run_with_timeout(lambda: read_articles(link))
    target = tmp_path / "real.txt"
    target.write_text("Headline\n\nBody.", encoding="utf-8")
    named = tmp_path / "named.txt"
    named.symlink_to(target)
    assert read_articles(named)[0].title == "Headline"  # a link the user named is followed
    with pytest.raises(ImportFormatError, match=r"^named\.txt is a symbolic link"):
        read_articles(named, follow_symlinks=False)


def test_a_skipped_link_is_in_the_import_report(project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Headline\n\nKept.", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("Secret\n\nNot an article.", encoding="utf-8")
    (folder / "b.txt").symlink_to(tmp_path / "secret.txt")
    report = import_articles(project, [folder])
    assert report.imported == 1
    assert report.bad_files == [
        f"{folder / 'b.txt'} is a symbolic link; links inside a folder are not followed."
    ]


# --- two imports into one project at once ------------------------------------------------


def _import_after_barrier(project_path: str, folder: str, barrier, queue) -> None:
    """A child process: tag, wait for the other child, then save (the racy moment)."""
    import app.services.importing.run as importing

    original = importing.tag_texts

    def tag_then_wait(*args, **kwargs):
        result = original(*args, **kwargs)
        barrier.wait(60)
        return result

    importing.tag_texts = tag_then_wait
    try:
        with open_project(project_path) as project:
            report = importing.import_articles(project, [folder])
        queue.put(("ok", report.imported, len(report.duplicates)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        queue.put(("error", f"{type(exc).__name__}: {exc}", 0))


def write_articles(folder: Path, prefix: str, count: int) -> None:
    folder.mkdir(parents=True)
    for n in range(count):
        (folder / f"{prefix}{n:04}.txt").write_text(
            f"{prefix} report {n}\n\nMaria Petrenko said {n} men were sent to the front from Kiresk.",
            encoding="utf-8",
        )


def positions_and_texts(path: Path) -> tuple[list[int], list[str]]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT position, text FROM article").fetchall()
    finally:
        connection.close()
    return [row[0] for row in rows], [row[1] for row in rows]


@pytest.mark.parametrize("same_folder", [False, True], ids=["different-texts", "same-texts"])
def test_two_processes_importing_at_once_number_apart_and_report_duplicates(
    tmp_path: Path, same_folder: bool
) -> None:
    import multiprocessing

    path = tmp_path / "shared.loupe"
    create_project(path).close()
    write_articles(tmp_path / "a", "alpha", 400)
    write_articles(tmp_path / "b", "beta", 400)
    folders = [tmp_path / "a", tmp_path / "a" if same_folder else tmp_path / "b"]
    context = multiprocessing.get_context("spawn")
    barrier, queue = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_import_after_barrier, args=(str(path), str(f), barrier, queue))
        for f in folders
    ]
    for worker in workers:
        worker.start()
    outcomes = [queue.get(timeout=240) for _ in workers]
    for worker in workers:
        worker.join(60)
    assert all(kind == "ok" for kind, _, _ in outcomes), outcomes
    positions, texts = positions_and_texts(path)
    assert len(set(positions)) == len(positions) and len(set(texts)) == len(texts)
    assert sorted(positions) == list(range(1, len(positions) + 1))
    assert len(texts) == (400 if same_folder else 800)
    if same_folder:
        assert sorted((imported, duplicates) for _, imported, duplicates in outcomes) == [(0, 400), (400, 0)]


def test_two_loupe_import_commands_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.loupe"
    create_project(path).close()
    write_articles(tmp_path / "a", "alpha", 300)
    write_articles(tmp_path / "b", "beta", 300)
    commands = [
        subprocess.Popen(
            [sys.executable, "-m", "app", "import", str(path), str(tmp_path / "a"), str(tmp_path / name)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name in ("a", "b")
    ]
    outputs = [command.communicate(timeout=240) for command in commands]
    for command, (out, err) in zip(commands, outputs, strict=True):
        assert command.returncode == 0, err
        assert "Error" not in out + err and "INSERT" not in out + err and "Traceback" not in err
    positions, texts = positions_and_texts(path)
    assert len(texts) == 600 and len(set(texts)) == 600
    assert sorted(positions) == list(range(1, 601))


# --- JSON Lines is strict JSON -------------------------------------------------------------


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_json_lines_with_non_finite_numbers_are_refused(tmp_path: Path, constant: str) -> None:
    lines = [json.dumps({"text": "Fine."}), '{"text": "Body.", "score": ' + constant + "}"]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ImportFormatError) as caught:
        read_articles(path)
    message = str(caught.value)
    assert message.startswith("feed.jsonl, line 2: ") and constant in message
    assert message.endswith("(numbers must be finite; JSON has no NaN or Infinity).")
