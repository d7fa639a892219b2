"""The course on disk: units as Markdown + YAML, loaded into dataclasses.

A unit lives in ``content/units/<order>-<slug>/`` as ``unit.md`` (YAML front
matter + Markdown body), ``cards.yaml`` (recall cards) and ``quiz.yaml``
(questions). Loading never raises on a bad unit: every mistake becomes a
:class:`Problem` with the file and line, so ``studyapp check`` can list them all
and the app can show one broken unit's errors while serving every other unit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from studyapp.core import claims as claims_mod
from studyapp.core import explainers

WORDS_PER_MINUTE = 200  # typical reading speed for technical prose
QUESTION_KINDS = ("single", "multi", "numeric")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
UNIT_DIR_PATTERN = re.compile(r"^(\d+)-([a-z0-9][a-z0-9-]*)$")
# Lab panels a unit may link to, preset by query parameters: [text](/lab-build?model=llama-3-8b&r=8)
from studyapp.lab.panels import url_paths as _lab_url_paths  # noqa: E402 - issue 10 passes these in instead

LAB_PATHS = _lab_url_paths()
LAB_LINK = re.compile(r"\]\((/lab-[a-z-]*)(\?[^)\s]*)?\)")
FRONT_MATTER_FIELDS = ("slug", "title", "order", "summary", "objectives")
OPTIONAL_FIELDS = ("claims",)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the course, located to a line of a file."""

    path: Path
    line: int  # 1-based; 0 when the whole file is at fault
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Card:
    """A recall card; ``key`` (``unit_slug/card_id``) is what progress is stored under."""

    unit_slug: str
    id: str
    front: str
    back: str
    tags: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.unit_slug}/{self.id}"


@dataclass(frozen=True)
class Question:
    """A quiz question. ``answer`` is a choice text (single), a tuple of them (multi) or a number."""

    unit_slug: str
    id: str
    kind: str
    prompt: str
    explanation: str
    answer: str | tuple[str, ...] | float
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0
    unit: str = ""

    @property
    def key(self) -> str:
        return f"{self.unit_slug}/{self.id}"


@dataclass(frozen=True)
class Section:
    """A ``##`` section of a unit's text: what a student marks as read."""

    slug: str
    title: str


@dataclass(frozen=True)
class Block:
    """A piece of a unit body: Markdown text, or a live explainer with its presets."""

    kind: str  # "markdown" | "explainer"
    text: str = ""
    explainer: str = ""
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Unit:
    """A loaded, valid unit."""

    slug: str
    title: str
    order: int
    summary: str
    objectives: tuple[str, ...]
    body: str
    blocks: tuple[Block, ...]
    sections: tuple[Section, ...]
    cards: tuple[Card, ...]
    questions: tuple[Question, ...]
    read_minutes: int
    path: Path
    claims: tuple[claims_mod.Claim, ...] = ()


@dataclass(frozen=True)
class BrokenUnit:
    """A unit folder that failed validation: shown in place of the unit with its problems."""

    slug: str
    title: str
    order: int
    problems: tuple[Problem, ...]
    path: Path


@dataclass(frozen=True)
class Course:
    """Every unit under a content directory, in order, valid or broken."""

    units: tuple[Unit, ...]
    broken: tuple[BrokenUnit, ...]
    root: Path

    @property
    def problems(self) -> list[Problem]:
        return [p for b in self.broken for p in b.problems]

    def unit(self, slug: str) -> Unit | None:
        return next((u for u in self.units if u.slug == slug), None)

    def broken_unit(self, slug: str) -> BrokenUnit | None:
        return next((b for b in self.broken if b.slug == slug), None)

    def card(self, key: str) -> Card | None:
        slug, _, _ = key.partition("/")
        unit = self.unit(slug)
        return next((c for c in unit.cards if c.key == key), None) if unit else None

    @property
    def cards(self) -> list[Card]:
        return [c for u in self.units for c in u.cards]


def load_course(root: Path | str) -> Course:
    """Load every unit under ``root/units`` (or ``root`` itself if it holds unit folders).

    Never raises for a bad unit; a missing directory is one problem.
    """
    root = Path(root)
    units_dir = root / "units" if (root / "units").is_dir() else root
    if not units_dir.is_dir():
        problem = Problem(root, 0, "content directory not found; pass the folder that holds units/")
        return Course((), (BrokenUnit("", str(root), 0, (problem,), root),), root)
    units, broken = [], []
    for folder in sorted(p for p in units_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        result = load_unit(folder)
        (units if isinstance(result, Unit) else broken).append(result)
    broken.extend(_duplicate_slugs(units))
    dup = {b.slug for b in broken}
    units = [u for u in units if u.slug not in dup]
    return Course(tuple(sorted(units, key=lambda u: (u.order, u.slug))), tuple(broken), root)


def _duplicate_slugs(units: list[Unit]) -> list[BrokenUnit]:
    seen: dict[str, Unit] = {}
    broken = []
    for unit in units:
        if unit.slug in seen:
            first = seen[unit.slug]
            msg = f"slug '{unit.slug}' is also used by {first.path.name}; slugs key progress, so each must be unique"
            broken.append(BrokenUnit(unit.slug, unit.title, unit.order, (Problem(unit.path / "unit.md", 2, msg),), unit.path))
        seen[unit.slug] = unit
    return broken


def load_unit(folder: Path) -> Unit | BrokenUnit:
    """Load one unit folder; return a :class:`BrokenUnit` listing every problem found."""
    problems: list[Problem] = []
    meta, body, body_line = _read_unit_md(folder / "unit.md", problems)
    slug = str(meta.get("slug") or _slug_from_folder(folder))
    title = str(meta.get("title") or slug)
    order = meta.get("order") if isinstance(meta.get("order"), int) else 0
    claims, used = meta.get("_claims", {}), set()
    body = claims_mod.substitute(body, claims, folder / "unit.md", body_line, problems, used)
    blocks = _parse_body(body, body_line, folder / "unit.md", problems)
    cards = _load_cards(folder / "cards.yaml", slug, problems, claims, used)
    questions = _load_questions(folder / "quiz.yaml", slug, problems, claims, used)
    claims_mod.unused(claims, used, folder / "unit.md", problems)
    if problems:
        return BrokenUnit(slug, title, order, tuple(problems), folder)
    return Unit(
        slug=slug, title=title, order=order, summary=str(meta.get("summary", "")),
        objectives=tuple(str(o) for o in meta.get("objectives", [])), body=body,
        blocks=tuple(blocks), sections=tuple(_sections(body)), cards=tuple(cards),
        questions=tuple(questions), read_minutes=read_minutes(body), path=folder,
        claims=tuple(claims.values()),
    )


def _slug_from_folder(folder: Path) -> str:
    match = UNIT_DIR_PATTERN.match(folder.name)
    return match.group(2) if match else folder.name


def read_minutes(markdown: str) -> int:
    """Reading time in whole minutes (at least 1), from the words outside code and explainers."""
    prose = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    words = re.findall(r"[\w'’-]+", prose)
    return max(1, math.ceil(len(words) / WORDS_PER_MINUTE))


# --- unit.md -----------------------------------------------------------------

def _read_unit_md(path: Path, problems: list[Problem]) -> tuple[dict, str, int]:
    """Split front matter from body; return (meta, body, line where the body starts)."""
    if not path.is_file():
        problems.append(Problem(path, 0, "missing unit.md (front matter + Markdown body)"))
        return {}, "", 1
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\s*\n(.*?\n)---\s*\n", text, flags=re.S)
    if not match:
        problems.append(Problem(path, 1, "unit.md must start with YAML front matter between '---' lines"))
        return {}, text, 1
    body_line = match.group(0).count("\n") + 1
    meta = _parse_front_matter(path, match.group(1), problems)
    return meta, text[match.end():], body_line


def _parse_front_matter(path: Path, source: str, problems: list[Problem]) -> dict:
    try:
        node = yaml.compose(source)
        meta = yaml.safe_load(source) or {}
    except yaml.YAMLError as exc:
        problems.append(_yaml_problem(path, exc, offset=1))
        return {}
    if not isinstance(meta, dict):
        problems.append(Problem(path, 2, "front matter must be a mapping of fields (slug, title, ...)"))
        return {}
    lines = _key_lines(node, offset=1)
    for name in FRONT_MATTER_FIELDS:
        if meta.get(name) in (None, "", []):
            problems.append(Problem(path, lines.get(name, 2), f"front matter needs '{name}'"))
    if "slug" in meta and not ID_PATTERN.match(str(meta["slug"])):
        problems.append(Problem(path, lines["slug"], "slug must be lowercase letters, digits and '-'"))
    if "order" in meta and not isinstance(meta["order"], int):
        problems.append(Problem(path, lines["order"], "order must be a whole number (1, 2, ...)"))
    if meta.get("objectives") and not isinstance(meta["objectives"], list):
        problems.append(Problem(path, lines["objectives"], "objectives must be a list of sentences"))
    for name in meta:
        if name not in FRONT_MATTER_FIELDS + OPTIONAL_FIELDS:
            problems.append(Problem(path, lines[name], f"unknown front matter field '{name}'; "
                                    f"known: {', '.join(FRONT_MATTER_FIELDS + OPTIONAL_FIELDS)}"))
    meta["_claims"] = claims_mod.parse_claims(meta.get("claims"), lines.get("claims", 2),
                                              _claim_lines(node, offset=1), path, problems)
    return meta


def _claim_lines(node, offset: int) -> dict[str, int]:
    """Lines of the names under the front matter's ``claims:`` mapping."""
    for key, value in node.value if isinstance(node, yaml.MappingNode) else ():
        if key.value == "claims":
            return _key_lines(value, offset)
    return {}


def _key_lines(node, offset: int) -> dict[str, int]:
    """Map each top-level key of a YAML mapping node to its 1-based line."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 + offset for k, _ in node.value}


def _yaml_problem(path: Path, exc: yaml.YAMLError, offset: int = 0) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 + offset if mark else 1
    reason = getattr(exc, "problem", None) or str(exc)
    return Problem(path, line, f"invalid YAML: {reason} (check indentation and quote text containing ':')")


def _parse_body(body: str, first_line: int, path: Path, problems: list[Problem]) -> list[Block]:
    """Cut the body into Markdown and explainer blocks, checking each explainer."""
    lines = body.splitlines(keepends=True)
    blocks, cursor = [], 0
    for token in MarkdownIt("commonmark").parse(body):
        if token.type == "fence" and token.info.strip() in ("python", "py") and token.map:
            _check_python(token.content, path, first_line + token.map[0] + 1, problems)
        if token.type != "fence" or token.info.strip() != "explainer" or not token.map:
            continue
        start, end = token.map
        blocks.append(Block("markdown", text="".join(lines[cursor:start])))
        blocks.append(_explainer_block(token.content, path, first_line + start, problems))
        cursor = end
    blocks.append(Block("markdown", text="".join(lines[cursor:])))
    _check_lab_links(body, first_line, path, problems)
    return [b for b in blocks if b.kind == "explainer" or b.text.strip()]


def _check_lab_links(body: str, first_line: int, path: Path, problems: list[Problem]) -> None:
    """A link into the Lab must name a real panel and, if it presets a model, a registry model."""
    from urllib.parse import parse_qs

    from studyapp.lab.registry import model_names  # light: reads names, imports no torch

    for number, line in enumerate(body.splitlines()):
        for match in LAB_LINK.finditer(line):
            where = first_line + number
            page, query = match.group(1).lstrip("/"), parse_qs((match.group(2) or "?")[1:])
            if page not in LAB_PATHS:
                problems.append(Problem(path, where, f"link to unknown Lab panel '/{page}'; use one of "
                                        + ", ".join(f"/{p}" for p in sorted(LAB_PATHS))))
            for model in query.get("model", []):
                if model not in model_names():
                    problems.append(Problem(path, where, f"Lab link presets unknown model '{model}'; "
                                            f"`studyapp lab models` lists the names"))


def _check_python(source: str, path: Path, line: int, problems: list[Problem]) -> None:
    """A python block must at least parse (tests/test_code_blocks.py also runs it)."""
    import ast

    try:
        ast.parse(source)
    except SyntaxError as exc:
        problems.append(Problem(path, line + (exc.lineno or 1) - 1,
                                f"python block does not parse: {exc.msg}; fix it or mark the fence with another language"))


def _explainer_block(source: str, path: Path, line: int, problems: list[Problem]) -> Block:
    try:
        spec = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        problems.append(_yaml_problem(path, exc, offset=line))
        return Block("explainer")
    if isinstance(spec, str):
        spec = {"name": spec}
    name = spec.get("name") if isinstance(spec, dict) else None
    if name not in explainers.NAMES:
        known = ", ".join(sorted(explainers.NAMES))
        problems.append(Problem(path, line, f"unknown explainer '{name}'; known explainers: {known}"))
        return Block("explainer")
    params = {k: v for k, v in spec.items() if k != "name"}
    for message in explainers.check_params(name, params):
        problems.append(Problem(path, line, message))
    return Block("explainer", explainer=name, params=params)


def _sections(body: str) -> list[Section]:
    tokens = MarkdownIt("commonmark").parse(body)
    found = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            title = tokens[i + 1].content.strip()
            found.append(Section(slugify(title), title))
    return found


def slugify(text: str) -> str:
    """Lowercase, hyphenated form of a heading, as used for section ids."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- cards.yaml and quiz.yaml ------------------------------------------------

def _load_yaml_list(path: Path, problems: list[Problem], claims: dict | None = None,
                    used: set | None = None) -> list[tuple[dict, dict[str, int], int]]:
    """Return each list item with the lines of its keys and its own line (claims filled in)."""
    if not path.is_file():
        problems.append(Problem(path, 0, f"missing {path.name}"))
        return []
    source = path.read_text(encoding="utf-8")
    source = claims_mod.substitute(source, claims or {}, path, 1, problems, used if used is not None else set())
    try:
        node = yaml.compose(source)
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        problems.append(_yaml_problem(path, exc))
        return []
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(path, 1, f"{path.name} must be a YAML list of items ('- id: ...')"))
        return []
    items = []
    for item, item_node in zip(data, node.value):
        line = item_node.start_mark.line + 1
        if not isinstance(item, dict):
            problems.append(Problem(path, line, "each item must be a mapping with id, ... fields"))
            continue
        items.append((item, _key_lines(item_node, offset=0), line))
    return items


def _check_id(item: dict, lines: dict, line: int, seen: dict[str, int], path: Path, problems: list[Problem]) -> bool:
    item_id = item.get("id")
    if not item_id or not ID_PATTERN.match(str(item_id)):
        problems.append(Problem(path, lines.get("id", line), "needs an 'id' of lowercase letters, digits, '-' or '_'"))
        return False
    if item_id in seen:
        problems.append(Problem(path, lines["id"], f"duplicate id '{item_id}' (first on line {seen[item_id]}); ids must be unique"))
        return False
    seen[item_id] = lines["id"]
    return True


def _load_cards(path: Path, slug: str, problems: list[Problem], claims=None, used=None) -> list[Card]:
    cards, seen = [], {}
    for item, lines, line in _load_yaml_list(path, problems, claims, used):
        ok = _check_id(item, lines, line, seen, path, problems)
        for name in ("front", "back"):
            if not str(item.get(name) or "").strip():
                what = "answer" if name == "back" else "question"
                problems.append(Problem(path, lines.get(name, line), f"card needs a '{name}' (the {what})"))
                ok = False
        if ok:
            tags = tuple(str(t) for t in item.get("tags") or ())
            cards.append(Card(slug, str(item["id"]), str(item["front"]).strip(), str(item["back"]).strip(), tags))
    return cards


def _load_questions(path: Path, slug: str, problems: list[Problem], claims=None, used=None) -> list[Question]:
    questions, seen = [], {}
    for item, lines, line in _load_yaml_list(path, problems, claims, used):
        before = len(problems)
        _check_id(item, lines, line, seen, path, problems)
        question = _question(item, lines, line, slug, path, problems)
        if question and len(problems) == before:
            questions.append(question)
    return questions


def _question(item: dict, lines: dict, line: int, slug: str, path: Path, problems: list[Problem]) -> Question | None:
    def at(name: str) -> int:
        return lines.get(name, line)

    kind = item.get("kind")
    if kind not in QUESTION_KINDS:
        problems.append(Problem(path, at("kind"), f"kind must be one of {', '.join(QUESTION_KINDS)}"))
        return None
    for name in ("prompt", "explanation"):
        if not str(item.get(name) or "").strip():
            problems.append(Problem(path, at(name), f"question needs a non-empty '{name}'"))
    if "answer" not in item or item["answer"] in (None, "", []):
        problems.append(Problem(path, at("answer") if "answer" in lines else line, "question needs an 'answer'"))
        return None
    answer = _check_answer(kind, item, at, path, problems)
    if answer is None:
        return None
    return Question(
        unit_slug=slug, id=str(item.get("id")), kind=kind, prompt=str(item.get("prompt", "")).strip(),
        explanation=str(item.get("explanation", "")).strip(), answer=answer,
        choices=tuple(str(c) for c in item.get("choices") or ()),
        tolerance=float(item.get("tolerance") or 0.0), unit=str(item.get("unit") or ""),
    )


def _check_answer(kind: str, item: dict, at, path: Path, problems: list[Problem]):
    """Validate the answer against the kind and choices; return it in stored form or None."""
    answer = item["answer"]
    if kind == "numeric":
        if isinstance(answer, bool) or not isinstance(answer, (int, float)):
            problems.append(Problem(path, at("answer"), "a numeric question's answer must be a number"))
            return None
        tol = item.get("tolerance", 0)
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or tol < 0:
            problems.append(Problem(path, at("tolerance"), "tolerance must be a number >= 0"))
            return None
        return float(answer)
    choices = [str(c) for c in item.get("choices") or []]
    if len(choices) < 2:
        problems.append(Problem(path, at("choices"), f"a {kind} question needs at least two choices"))
        return None
    if len(set(choices)) != len(choices):
        problems.append(Problem(path, at("choices"), "choices must be different from each other"))
        return None
    given = [str(a) for a in answer] if isinstance(answer, list) else [str(answer)]
    if kind == "single" and len(given) != 1:
        problems.append(Problem(path, at("answer"), "a single-choice answer is one choice; use kind: multi for several"))
        return None
    missing = [a for a in given if a not in choices]
    if missing:
        problems.append(Problem(path, at("answer"), f"answer {missing[0]!r} is not one of the choices; copy a choice's exact text"))
        return None
    return given[0] if kind == "single" else tuple(given)
