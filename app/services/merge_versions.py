"""Merging a coder's file made under an older codebook version (or an older schema).

A package carries the project's codebook history up to the version it was made with.
When the project has moved on (``loupe codebook --upgrade``), the package's rows are
migrated along the project's chain of maps before they are checked and merged as usual:
the file is copied into a temporary folder, the copy adopts each later version with the
map the project recorded (:func:`app.services.codebook_versions.adopt_codebook`, the
same migration and checks as in the project), and the copy is what the merge reads. The
coder's file itself is never changed. A package made with a codebook the project has
never had (a newer one, or another history) is refused.
"""

from __future__ import annotations

from pathlib import Path

from app.core.codebook import Codebook, map_from_document
from app.core.errors import LoupeError
from app.services.codebook_versions import adopt_codebook, history
from app.services.merge_rules import MergeError
from app.services.projects import Project, open_project
from app.store import migrate
from app.store.codebook_versions import copy_file, file_history
from app.store.merging import ForeignProject, project_identity


def up_to_date(project: Project, foreign: ForeignProject, workdir: Path) -> ForeignProject:
    """``foreign`` itself when it has the project's schema and codebook, else a migrated
    copy of it in ``workdir``, opened (the caller closes ``foreign``)."""
    current = project.codebook.sha256
    if foreign.revision == migrate.HEAD and foreign.codebook_sha == current:
        return foreign
    if foreign.project_id != project_identity(project.store.engine)[0]:
        return foreign  # refused by the merge's own check, in its words
    versions = history(project)
    theirs = file_history(foreign.path)
    number = next((n for n, sha, _version in theirs if sha == foreign.codebook_sha), None)
    ours = [(v.number, v.sha256) for v in versions]
    if number is None or [(n, sha) for n, sha, _ in theirs] != ours[: len(theirs)]:
        if [(n, sha) for n, sha, _ in theirs][: len(ours)] == ours:
            raise MergeError(
                f"Nothing was merged: {foreign.name} was made with a newer codebook version "
                f"({foreign.codebook_label}) than the project's ({project.codebook.name} "
                f"{project.codebook.version}); merge it into the project that has that version."
            )
        return foreign  # another codebook: refused by the merge's own check, in its words
    copy = workdir / foreign.name
    copy_file(foreign.path, copy)
    try:
        with open_project(copy) as migrated:
            for version in versions:
                if version.number <= number:
                    continue
                new = Codebook.from_content_json(version.content)
                cmap = map_from_document(version.map or {}, f"the map to version {version.number}",
                                         migrated.codebook, new)
                adopt_codebook(migrated, new, cmap)
    except LoupeError as exc:
        raise MergeError(
            f"Nothing was merged: {foreign.name} cannot be brought from codebook version {theirs[number - 1][2]} "
            f"to {project.codebook.version}: {exc.message}"
        ) from exc
    return ForeignProject(copy)
