"""Convert a unit written in the old format (claims in the front matter, placeholders substituted
before YAML parsing) to the current one; ``studyapp check --fix`` runs it.

Text edits, so comments and layout survive:

1. the front matter's ``claims:`` block moves, dedented, to ``claims.yaml`` beside unit.md;
2. in cards.yaml and quiz.yaml, a value that starts with ``{{`` (not valid YAML as written)
   is double-quoted, and a numeric question's ``answer: {{name}}`` becomes
   ``answer: {claim: name}``; a comma-free ``name_plain`` twin is replaced by the claim it
   duplicates;
3. a ``_plain`` twin nothing uses any more is deleted from claims.yaml.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from studyapp.core.claims import PLACEHOLDER
from studyapp.core.content import source

LIST_FILES = ("cards.yaml", "quiz.yaml")
_KEY_VALUE = re.compile(r"^(?P<lead>\s*(?:-\s+)?(?P<key>[A-Za-z_][\w-]*):[ \t]+)(?P<value>\{\{.*?)\s*$")
_LIST_ITEM = re.compile(r"^(?P<lead>\s*-[ \t]+)(?P<value>\{\{.*?)\s*$")
_ONLY_PLACEHOLDER = re.compile(r"^\{\{\s*([A-Za-z0-9_-]+)\s*\}\}$")
_KIND = re.compile(r"^\s*(?:-\s+)?kind:\s*(\w+)")


def needs_fix(folder: Path) -> bool:
    """Whether ``folder``'s unit.md still declares claims in its front matter."""
    return _claims_block(_read(folder / "unit.md")) is not None


def fix_unit(folder: Path) -> list[str]:
    """Convert ``folder`` in place; one line per change made (empty when nothing was old).

    Raises:
        FileExistsError: the unit has old-format claims and a claims.yaml as well.
    """
    md = folder / "unit.md"
    text = _read(md)
    block = _claims_block(text)
    if block is None:
        return []
    if (folder / "claims.yaml").exists():
        raise FileExistsError(f"{folder / 'claims.yaml'} exists and unit.md still has claims: "
                              "merge them by hand")
    start, end, claims_text = block
    lines = text.splitlines(keepends=True)
    md.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    changes = [f"{md}: moved {_count(claims_text)} claims to claims.yaml"]
    twins = _twins(claims_text)
    for name in LIST_FILES:
        changes += _fix_list_file(folder / name, twins)
    claims_text = _drop_unused_twins(claims_text, folder, twins)
    (folder / "claims.yaml").write_text(claims_text, encoding="utf-8")
    return changes + _still_invalid(folder)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _claims_block(text: str) -> tuple[int, int, str] | None:
    """(first line index, end index, dedented text) of the front matter's ``claims:`` block."""
    match = source.FRONT_MATTER.match(text)
    if not match:
        return None
    lines = text.splitlines(keepends=True)
    last = match.group(0).count("\n") - 1  # the closing '---'
    start = next((i for i in range(1, last) if lines[i].rstrip() == "claims:"), None)
    if start is None:
        return None
    end = start + 1
    while end < last and (not lines[end].strip() or lines[end][0] in " \t"):
        end += 1
    body = [line[2:] if line.startswith("  ") else line.lstrip() for line in lines[start + 1:end]]
    header = "# Computed numbers of this unit: studyapp check evaluates every compute.\n"
    return start, end, header + "".join(body)


def _count(claims_text: str) -> int:
    return sum(1 for line in claims_text.splitlines() if re.match(r"^[a-z0-9][a-z0-9_]*:\s*$", line))


def _twins(claims_text: str) -> dict[str, str]:
    """``name_plain`` -> the claim with the same compute and another name."""
    data = yaml.safe_load(claims_text) or {}
    by_compute = {spec["compute"]: name for name, spec in data.items()
                  if isinstance(spec, dict) and not name.endswith("_plain")}
    return {name: by_compute[spec["compute"]] for name, spec in data.items()
            if name.endswith("_plain") and isinstance(spec, dict) and spec.get("compute") in by_compute}


def _fix_list_file(path: Path, twins: dict[str, str]) -> list[str]:
    if not path.is_file():
        return []
    kind, out, changed = None, [], 0
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        found = _KIND.match(line)
        kind = found.group(1) if found else (None if re.match(r"^-\s", line) else kind)
        new = _fix_line(line, kind if path.name == "quiz.yaml" else None, twins)
        changed += new != line
        out.append(new)
    if changed:
        path.write_text("".join(out), encoding="utf-8")
    return [f"{path}: rewrote {changed} line(s) so the file is valid YAML as written"] if changed else []


def _fix_line(line: str, kind: str | None, twins: dict[str, str]) -> str:
    match = _KEY_VALUE.match(line) or _LIST_ITEM.match(line)
    if not match:
        return line
    value, ending = match.group("value"), "\n" if line.endswith("\n") else ""
    only = _ONLY_PLACEHOLDER.match(value)
    if only and kind == "numeric" and match.groupdict().get("key") == "answer":
        return f"{match.group('lead')}{{claim: {twins.get(only.group(1), only.group(1))}}}{ending}"
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{match.group("lead")}"{quoted}"{ending}'


def _drop_unused_twins(claims_text: str, folder: Path, twins: dict[str, str]) -> str:
    texts = "".join(_read(folder / n) for n in ("unit.md", *LIST_FILES))
    used = {m.group(1) for m in PLACEHOLDER.finditer(texts)}
    unused = {name for name in twins if name not in used}
    out, skipping = [], False
    for line in claims_text.splitlines(keepends=True):
        top = re.match(r"^([a-z0-9][a-z0-9_]*):\s*$", line)
        if top:
            skipping = top.group(1) in unused
        elif line.strip() and not line[0].isspace():
            skipping = False
        if not skipping:
            out.append(line)
    return "".join(out)


def _still_invalid(folder: Path) -> list[str]:
    """A note for each converted file a plain YAML parser still rejects (fix those by hand)."""
    notes = []
    for name in ("claims.yaml", *LIST_FILES):
        try:
            yaml.safe_load(_read(folder / name))
        except yaml.YAMLError as exc:
            notes.append(f"{folder / name}: still not valid YAML, fix by hand: {exc}")
    return notes
