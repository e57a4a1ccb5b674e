"""Creating, opening and describing projects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.core.codebook import Codebook, load_codebook, load_default_codebook
from app.core.defaults import default_project_settings
from app.core.records import ProjectCounts
from app.core.team import PACKAGE_FOR
from app.store import ProjectStore


@dataclass
class Project:
    """An open project: its store and its codebook. Use on one thread at a time."""

    store: ProjectStore
    codebook: Codebook
    _text_lengths: dict[str, int] = field(default_factory=dict, repr=False)

    def text_length(self, article_id: str) -> int | None:
        """Length of an article's text in code points (texts never change once stored)."""
        length = self._text_lengths.get(article_id)
        if length is None:
            length = self.store.articles.text_length(article_id)
            if length is not None:
                self._text_lengths[article_id] = length
        return length

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def create_project(
    path: str | Path, *, codebook_path: str | Path | None = None, name: str | None = None
) -> Project:
    """Create a project file with a codebook (default: the coercion study's codebook)."""
    codebook = load_default_codebook() if codebook_path is None else load_codebook(Path(codebook_path))
    if name is None:
        name = Path(str(path)).stem if "://" not in str(path) else codebook.name
    store = ProjectStore.create(
        path,
        name=name,
        codebook=(codebook.name, codebook.version, codebook.content_json(), codebook.sha256),
        settings=default_project_settings(),
    )
    return Project(store, codebook)


def open_project(path: str | Path, *, check: bool = True) -> Project:
    """Open a project file, refusing (with one sentence) anything that is not one.

    ``check=False``: for reading a few counts only; the quick integrity check runs only
    if the file must be migrated (see :meth:`ProjectStore.open`).
    """
    store = ProjectStore.open(path, check=check)
    try:
        _name, _version, content, _sha = store.codebook()
        codebook = Codebook.from_content_json(content)
    except Exception:
        store.close()
        raise
    return Project(store, codebook)


def project_counts(path: str | Path, *, check: bool = False) -> ProjectCounts:
    """What the project holds (``loupe info``). Reading counts writes nothing, so the
    quick integrity check of a current file, whose cost grows with it, is skipped unless
    ``check`` (``loupe open`` asks for it to refuse a damaged file before Qt starts)."""
    with open_project(path, check=check) as project:
        return project.store.counts()


def coders_of(path: str | Path) -> tuple[str | None, list[str]]:
    """(the coder a package was written for or None, every coder's name), from one open.

    The window asks this before it opens a project: a package opens straight as its
    coder; otherwise the remembered coder, or the coder picks a name from the list.
    Refuses (with one sentence) a file that is not a project, as :func:`open_project` does.
    """
    store = ProjectStore.open(path)
    try:
        names = [coder.name for coder in store.coders.list()]
        packaged = store.settings().get(PACKAGE_FOR)
        return (packaged if isinstance(packaged, str) and packaged in names else None), names
    finally:
        store.close()


def package_coder(path: str | Path) -> str | None:
    """The coder a package file was written for, or None for any other project file."""
    return coders_of(path)[0]


def package_refusal(project: Project) -> str | None:
    """Why ``project`` accepts no articles, or None: a coder's package takes coding only.
    Its articles come from the lead's project, and merge refuses any other (the whole
    file), so an article imported into a package could never be coded or merged."""
    packaged = project.store.settings().get(PACKAGE_FOR)
    if not packaged:
        return None
    return (
        f"This file is {packaged}'s package: articles are imported into the lead's project, "
        "which then sends a new package."
    )
