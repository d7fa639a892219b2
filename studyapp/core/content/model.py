"""What a loaded course is made of: units, their cards, questions, sections and blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from studyapp.core.claims import Claim
from studyapp.core.problems import Problem

CARD_KINDS = ("basic", "reverse", "cloze")  # each kind has its own fields (core/content/cards.py)
# A note (one entry of cards.yaml) expands to cards. Derived card ids add a suffix after ':', which
# an author's id (lowercase letters, digits, '-', '_') can never contain, so no key can collide.
REVERSE_SUFFIX = ":reverse"


def cloze_card_id(note_id: str, number: int) -> str:
    """The id of the card that asks deletion ``number`` of cloze note ``note_id`` ('formula:c2')."""
    return f"{note_id}:c{number}"


@dataclass(frozen=True)
class Card:
    """A recall card as the student drills it; ``key`` (``unit_slug/card_id``) is what progress is
    stored under.

    ``front`` and ``back`` are Markdown ready to show. The rest is what an export needs: the note
    the card came from (``note_id``; a basic card is its own note), which card of that note it is
    (``ordinal``: 1 for a basic card and a reverse note's forward card, 2 for its reverse card,
    the deletion number for a cloze card), and for a cloze note its text with the deletions
    marked (``cloze``, claims filled in) and the extra text shown on the back (``extra``).
    """

    unit_slug: str
    id: str
    front: str
    back: str
    tags: tuple[str, ...] = ()
    kind: str = "basic"
    note_id: str = ""
    ordinal: int = 1
    cloze: str = ""
    extra: str = ""

    @property
    def key(self) -> str:
        return f"{self.unit_slug}/{self.id}"

    @property
    def note_key(self) -> str:
        """``unit_slug/note_id``: the same for every card of one note (an export's note identity)."""
        return f"{self.unit_slug}/{self.note_id or self.id}"


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
    claims: tuple[Claim, ...] = ()
    checked_against: str = ""  # "Checked against peft 0.21.2, ..." from the course's pins; "" if none


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
    verified_against: tuple[tuple[str, str], ...] = ()  # (package, version) pins from course.yaml
    file_problems: tuple[Problem, ...] = ()  # problems of course-wide files (course.yaml)

    @property
    def problems(self) -> list[Problem]:
        return [*self.file_problems, *(p for b in self.broken for p in b.problems)]

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
