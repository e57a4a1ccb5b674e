"""Reading a codebook: from a file (YAML or JSON, UTF-8) or from text, including the
bundled default codebook. Parsing is strict: a key given twice is an error, and
problems are reported with their line and column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from app.core.brat_conf import annotation_conf_document, is_brat_conf
from app.core.codebook.checks import _DuplicateKey, _json_object_without_duplicates
from app.core.codebook.messages import _clip, _one_line, _short
from app.core.codebook.model import Codebook, _build
from app.core.errors import CodebookError

MAX_BYTES = 2 * 1024 * 1024
"""Largest codebook file accepted; real codebooks are a few kilobytes."""

DEFAULT_CODEBOOK_FILE = "coercion-v1.yaml"


def default_codebook_path() -> Path:
    """The bundled codebook of the coercion study (``coercion-v1.yaml``)."""
    from app.paths import schema_dir

    return schema_dir() / DEFAULT_CODEBOOK_FILE


def load_default_codebook() -> Codebook:
    return load_codebook(default_codebook_path())


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate the codebook file at ``path`` (YAML or JSON, UTF-8; a brat
    ``annotation.conf`` is converted by :mod:`app.core.brat_conf`)."""
    path = Path(path)
    origin = path.name or str(path)
    data = read_limited(path, "codebook")
    if is_brat_conf(origin):  # brat's annotation.conf: converted, then checked as any codebook
        title = f"{path.resolve().parent.name or 'brat'} (brat annotation.conf)"
        return _build(annotation_conf_document(_decode(data, origin), origin, title=title), origin)
    return parse_codebook(_decode(data, origin), origin)


def read_limited(path: Path, what: str) -> bytes:
    """The first :data:`MAX_BYTES` + 1 bytes of the ``what`` file (a codebook, a map) at
    ``path``; :class:`CodebookError` in one sentence when it cannot be read."""
    try:
        if path.exists() and not path.is_file():
            kind = "a folder" if path.is_dir() else "not a regular file"
            raise CodebookError(f"{path}: is {kind}, not a {what} file.")
        with open(path, "rb") as stream:
            return stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise CodebookError(f"{path}: no such {what} file.") from None
    except PermissionError:
        raise CodebookError(f"{path}: cannot be read (permission denied).") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CodebookError(f"{path}: cannot be read ({reason}).") from None
    except ValueError:  # e.g. a NUL character in the name
        raise CodebookError(f"{_short(str(path))} is not a valid file name.") from None


def _decode(data: bytes, origin: str) -> str:
    if len(data) > MAX_BYTES:
        raise CodebookError(
            f"{origin}: the file is larger than {MAX_BYTES // (1024 * 1024)} MB, "
            "far too large for a codebook."
        )
    if not data.strip():
        raise CodebookError(f"{origin}: the file is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CodebookError(f"{origin}: the file is encoded as UTF-16; save it as UTF-8.")
    if b"\x00" in data:
        raise CodebookError(f"{origin}: this is a binary file, not a YAML or JSON codebook.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CodebookError(
            f"{origin}: the file is not UTF-8 text (byte 0x{data[exc.start]:02x} on line "
            f"{line} cannot be decoded); save it as UTF-8."
        ) from None


def parse_codebook(text: str, origin: str) -> Codebook:
    """Validate codebook ``text`` (YAML or JSON); ``origin`` names it in messages.

    Text that starts with ``{`` or ``[`` is read as JSON first; if that fails it is
    read as YAML (flow style), unless ``origin`` ends in ``.json``.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    if len(text) > MAX_BYTES:
        raise CodebookError(
            f"{origin}: the text is longer than {MAX_BYTES // (1024 * 1024)} million "
            "characters, far too long for a codebook."
        )
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise CodebookError(f"{origin}: the file is empty.")
    return _build(_parse_document(text, origin), origin)


def _parse_document(text: str, origin: str) -> Any:
    json_error: json.JSONDecodeError | None = None
    if text.lstrip()[:1] in ("{", "["):
        # JSON is YAML, but PyYAML rejects tabs that JSON allows: try JSON first.
        try:
            return json.loads(text, object_pairs_hook=_json_object_without_duplicates)
        except _DuplicateKey as exc:
            raise CodebookError(
                f"{origin}: the key {_short(exc.key)} appears twice in the same object."
            ) from None
        except json.JSONDecodeError as exc:
            if origin.lower().endswith(".json"):
                raise CodebookError(
                    f"{origin}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}."
                ) from None
            json_error = exc  # perhaps YAML flow style; YAML decides
        except (ValueError, RecursionError):
            raise CodebookError(
                f"{origin}: cannot be read as JSON (nested too deeply or a number too long)."
            ) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        if json_error is not None:
            raise CodebookError(
                f"{origin}: invalid JSON at line {json_error.lineno}, column "
                f"{json_error.colno}: {json_error.msg}."
            ) from None
        mark = exc.problem_mark or exc.context_mark
        problem = _one_line(exc.problem or exc.context or "not valid YAML")
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CodebookError(f"{origin}: invalid YAML{where}: {problem}.") from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        character = exc.character if isinstance(exc.character, int) else 0
        raise CodebookError(
            f"{origin}: invalid YAML at line {line}, column {column}: the character "
            f"U+{character:04X} is not allowed."
        ) from None
    except yaml.YAMLError as exc:
        raise CodebookError(f"{origin}: invalid YAML: {_clip(_one_line(str(exc)), 120)}.") from None
    except RecursionError:
        raise CodebookError(f"{origin}: the YAML is nested too deeply.") from None
    except (ValueError, OverflowError) as exc:
        # Raised by PyYAML's scalar constructors, e.g. for the date 2024-13-45.
        raise CodebookError(
            f"{origin}: a value cannot be read ({_clip(_one_line(str(exc)), 80)}); "
            "put it in quotes if it is meant as text."
        ) from None


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, but a key given twice in one mapping is an error
    (PyYAML would silently keep the last one). Keys brought in by a ``<<`` merge may
    still be overridden."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # Typed as PyYAML's, but "!!map scalar" brings a scalar node here: the base class
        # refuses it with its own message.
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                    key_node, yaml.ScalarNode
                ):
                    continue
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"the key {_short(key)} appears twice in the same mapping",
                        key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            # PyYAML's scalar constructors fail this way, e.g. on the date 2024-13-45.
            shown = _short(node.value) if isinstance(node, yaml.ScalarNode) else "a value"
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"{shown} cannot be read ({_clip(_one_line(str(exc)), 50)}); "
                "put it in quotes if it is meant as text",
                node.start_mark,
            ) from None
