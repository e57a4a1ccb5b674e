"""What the command line and the codebook editor show and write: the migration report
as text, and a codebook document as YAML in the format's reading order."""

from __future__ import annotations

from typing import Any

import yaml

from app.services.codebook_versions import UpgradeReport

#: Field order of an exported codebook (the project stores canonical JSON, keys sorted).
_ORDER = ("name", "version", "key", "color", "type", "required", "prompt", "value", "description",
          "directed", "source", "target", "min", "max", "examples", "attributes", "options",
          "span_labels", "relation_types", "questions")


def format_report(report: UpgradeReport) -> list[str]:
    """The lines of a migration report (``loupe codebook --upgrade`` and the editor)."""
    verb = "Would migrate" if report.dry_run else "Migrated"
    head = (f"Dry run: the codebook would change from {report.before} to {report.after} (version {report.number})."
            if report.dry_run else
            f"The codebook changed from {report.before} to {report.after} (version {report.number} of the project).")
    kinds = (("annotation", "annotations"), ("relation", "relations"), ("answer", "answers"))
    lines = [head, f"{verb} " + ", ".join(f"{report.live[k]:,} {plural}" for k, plural in kinds) + ":"]
    lines += [f"  {plural:<12} {report.changed[k]:>9,} changed  {report.dropped[k]:>7,} dropped" for k, plural in kinds]
    if report.lines:
        lines.append("What changed:")
        width = max(len(text) for text, _ in report.lines)
        lines += [f"  {text:<{width}}  {count:>9,}" for text, count in report.lines]
    else:
        lines.append("No coded row needed a change (the new version only adds).")
    return lines


def ordered(value: Any) -> Any:
    """``value`` with the fields of each mapping in the codebook format's reading order."""
    if isinstance(value, dict):
        rank = {name: i for i, name in enumerate(_ORDER)}
        keys = sorted(value, key=lambda k: (rank.get(k, len(rank)), k))
        return {k: ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [ordered(item) for item in value]
    return value


def codebook_yaml(document: dict[str, Any]) -> str:
    """A codebook document as YAML, its fields in reading order."""
    return yaml.safe_dump(ordered(document), allow_unicode=True, sort_keys=False, width=100)
