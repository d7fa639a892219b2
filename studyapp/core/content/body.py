"""A unit's Markdown body: Markdown and explainer blocks, ``##`` sections, python blocks that parse."""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from studyapp.core import explainers
from studyapp.core.content.fields import kind_of
from studyapp.core.content.model import Block, Section
from studyapp.core.problems import Problem

WORDS_PER_MINUTE = 200  # typical reading speed for technical prose
PYTHON_FENCES = ("python", "py")


def parse(body: str, first_line: int, path: Path) -> tuple[list[Block], list[Problem]]:
    """Cut the body into Markdown and explainer blocks; check every explainer and python block.

    ``first_line`` is the line of ``path`` where the body starts.
    """
    lines = body.splitlines(keepends=True)
    blocks, problems, cursor = [], [], 0
    for token in MarkdownIt("commonmark").parse(body):
        if token.type != "fence" or not token.map:
            continue
        start, end = token.map
        if token.info.strip() in PYTHON_FENCES:
            problems += check_python(token.content, path, first_line + start + 1)
        elif token.info.strip() == "explainer":
            blocks.append(Block("markdown", text="".join(lines[cursor:start])))
            block, found = explainer_block(token.content, path, first_line + start)
            blocks.append(block)
            problems += found
            cursor = end
    blocks.append(Block("markdown", text="".join(lines[cursor:])))
    return [b for b in blocks if b.kind == "explainer" or b.text.strip()], problems


def check_python(code: str, path: Path, line: int) -> list[Problem]:
    """A python block must at least parse (tests/test_code_blocks.py also runs it)."""
    try:
        ast.parse(code)
    except SyntaxError as exc:
        return [Problem(path, line + (exc.lineno or 1) - 1, f"python block does not parse: {exc.msg}; "
                                                            "fix it or mark the fence with another language")]
    except (RecursionError, MemoryError):
        return [Problem(path, line, "python block is nested too deeply for Python to parse")]
    return []


def explainer_block(spec_text: str, path: Path, line: int) -> tuple[Block, list[Problem]]:
    """An ``explainer`` fence: its name and presets, each checked against the explainer registry."""
    try:
        spec = yaml.safe_load(spec_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return Block("explainer"), [Problem(path, line + 1 + (mark.line if mark else 0),
                                            "explainer block is not valid YAML: "
                                            f"{getattr(exc, 'problem', exc)}")]
    except (RecursionError, MemoryError):
        return Block("explainer"), [Problem(path, line, "explainer block is nested too deeply to parse")]
    spec = {"name": spec} if isinstance(spec, str) else spec
    name = spec.get("name") if isinstance(spec, dict) else None
    if not isinstance(name, str) or name not in explainers.NAMES:
        known = ", ".join(sorted(explainers.NAMES))
        shown = name if isinstance(name, str) else f"a {kind_of(name)}"
        message = f"unknown explainer '{shown}'; known explainers: {known}"
        return Block("explainer"), [Problem(path, line, message)]
    params = {k: v for k, v in spec.items() if k != "name"}
    problems = [Problem(path, line, m) for m in explainers.check_params(name, params)]
    return Block("explainer", explainer=name, params=params), problems


def sections(body: str) -> list[Section]:
    """The body's ``##`` headings, in order."""
    tokens = MarkdownIt("commonmark").parse(body)
    return [Section(slugify(tokens[i + 1].content.strip()), tokens[i + 1].content.strip())
            for i, token in enumerate(tokens) if token.type == "heading_open" and token.tag == "h2"]


def slugify(text: str) -> str:
    """Lowercase, hyphenated form of a heading, as used for section ids."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def read_minutes(markdown: str) -> int:
    """Reading time in whole minutes (at least 1), from the words outside code and explainers."""
    prose = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    words = re.findall(r"[\w'’-]+", prose)
    return max(1, math.ceil(len(words) / WORDS_PER_MINUTE))
