"""Cloze deletions: ``[[c1::answer]]`` or ``[[c1::answer::hint]]`` inside a sentence.

Anki writes a deletion ``{{c1::answer}}``; we write it with double square brackets because double
braces already mean a claim (``{{llama2_trainable}}``) in every text of the course, and claims are
filled in after the YAML is parsed, before deletions are read. With brackets the two never meet:
the claim scanner never sees a deletion as an unknown claim, an author can put a claim inside a
deletion (``[[c1::{{scale}}]]``: the number is filled in first), and the Anki export turns each
deletion into Anki's own syntax. Double square brackets appear nowhere else in our Markdown or
LaTeX, so in a cloze note every ``[[`` must start a deletion and is checked as one.

Deletions that share a number are hidden together on one card, as in Anki; each number is a card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARK = re.compile(r"\[\[|\]\]")
INNER = re.compile(r"^c(\d+)::(.*?)(?:::(.*))?$", re.DOTALL)
BLANK = "…"


@dataclass(frozen=True)
class Deletion:
    """One ``[[cN::answer::hint]]``: its number, the hidden text, the hint, and where it sits."""

    number: int
    answer: str
    hint: str
    start: int  # index of its '[[' in the text
    end: int  # index just past its ']]'


@dataclass(frozen=True)
class Mistake:
    """A malformed deletion: the marker it is at ('[[' or ']]'), which one of them, and why."""

    marker: str
    nth: int
    message: str


def parse(text: str) -> tuple[list[Deletion], list[Mistake]]:
    """The deletions of ``text`` in order, and a Mistake for each malformed one."""
    deletions, mistakes, seen = [], [], {"[[": 0, "]]": 0}
    opened: tuple[int, int] | None = None  # (index, nth '[[') of the deletion being read
    for match in MARK.finditer(text):
        marker, nth = match.group(), seen[match.group()]
        seen[marker] += 1
        if marker == "[[" and opened is not None:
            mistakes.append(Mistake("[[", nth, "a deletion cannot hold another '[[': close the first "
                                               "with ']]' before opening the next"))
        elif marker == "[[":
            opened = (match.start(), nth)
        elif opened is None:
            mistakes.append(Mistake("]]", nth, "']]' closes no deletion: open it with '[[c1::'"))
        else:
            found = _deletion(text, opened, match.end())
            deletions += [found] if isinstance(found, Deletion) else []
            mistakes += [found] if isinstance(found, Mistake) else []
            opened = None
    if opened is not None:
        mistakes.append(Mistake("[[", opened[1], "deletion never closed: end it with ']]'"))
    return deletions, mistakes


def _deletion(text: str, opened: tuple[int, int], end: int) -> Deletion | Mistake:
    start, nth = opened
    inner = INNER.match(text[start + 2:end - 2])
    if inner is None:
        return Mistake("[[", nth, "write a deletion as [[c1::answer]] or [[c1::answer::hint]]: "
                                  "'c', its card number, '::', then the hidden words")
    number, answer, hint = int(inner.group(1)), inner.group(2).strip(), (inner.group(3) or "").strip()
    if number < 1:
        return Mistake("[[", nth, "deletion numbers start at 1 ([[c1::...]]); each number is one card")
    if not answer:
        return Mistake("[[", nth, f"deletion c{number} hides nothing: put the words to recall "
                                  "between '::' and ']]'")
    if _unescaped_dollars(text[:start]) % 2:
        return Mistake("[[", nth, "a deletion inside $...$ maths would break the formula on the card: "
                                  "put the whole formula in it, [[c1::$...$]]")
    return Deletion(number, answer, hint, start, end)


def _unescaped_dollars(text: str) -> int:
    return len(re.findall(r"(?<!\\)\$", text))


def numbers(deletions: list[Deletion]) -> list[int]:
    """The card numbers of a note, ascending: one card each."""
    return sorted({d.number for d in deletions})


def front(text: str, deletions: list[Deletion], number: int) -> str:
    """Card ``number``'s question: its deletions blanked as ``[…]`` (or ``[hint]``), others shown."""
    def blank(d: Deletion) -> str:
        # '\]' keeps a blank followed by '(' from reading as a Markdown link.
        close = "\\]" if text[d.end:d.end + 1] == "(" else "]"
        return f"[{d.hint or BLANK}{close}"

    return _replace(text, deletions, lambda d: blank(d) if d.number == number else d.answer)


def back(text: str, deletions: list[Deletion], number: int, extra: str = "") -> str:
    """Card ``number``'s answer: the whole text, its deletions in bold, then ``extra``."""
    whole = _replace(text, deletions, lambda d: f"**{d.answer}**" if d.number == number else d.answer)
    return f"{whole}\n\n{extra}" if extra else whole


def to_anki(text: str, deletions: list[Deletion]) -> str:
    """The text in Anki's cloze syntax, ``{{c1::answer::hint}}``."""
    return _replace(text, deletions,
                    lambda d: f"{{{{c{d.number}::{d.answer}{'::' + d.hint if d.hint else ''}}}}}")


def _replace(text: str, deletions: list[Deletion], shown) -> str:
    parts, at = [], 0
    for d in deletions:
        parts += [text[at:d.start], shown(d)]
        at = d.end
    return "".join([*parts, text[at:]])
