"""`studyapp ask "QUESTION" [--unit SLUG] [--json]`: the study buddy's offline answer on the command line.

The same answer the app shows offline: cited passages of the course, or a figure computed
with the Lab, or "I could not find this in the course". ``--json`` has ``answer``,
``citations`` (best first: unit, section, url, score, ...), ``computed`` and ``cards``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from studyapp import config

EXIT_OK, EXIT_USAGE = 0, 2


def add_parser(commands) -> argparse.ArgumentParser:
    """Add `ask` to the CLI."""
    ask = commands.add_parser(
        "ask",
        help="ask the study buddy a question about the course",
        description="Answer from the course with sources, or compute a figure with the Lab; offline, no LLM.",
    )
    ask.add_argument("question", help='the question, in quotes: "does llama-2-7b fit a T4 in 4-bit?"')
    ask.add_argument("--unit", metavar="SLUG", help="the unit you are studying (its sections win near-ties)")
    ask.add_argument(
        "--content", type=Path, help="course folder (default: the bundled course, or $STUDYAPP_CONTENT)"
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    ask.set_defaults(handler=run_ask)
    return ask


def run_ask(args: argparse.Namespace) -> int:
    """Print the buddy's answer; 2 when the unit or the course is not usable."""
    from studyapp.buddy.answer import ask
    from studyapp.buddy.index import build_index
    from studyapp.core.content import load_course

    course = load_course(args.content or config.content_dir())
    if not course.units:
        print(f"No valid unit in {course.root}; `studyapp check` lists the problems.", file=sys.stderr)
        return EXIT_USAGE
    if args.unit and course.unit(args.unit) is None:
        known = ", ".join(u.slug for u in course.units)
        print(f"There is no unit {args.unit!r}; use one of: {known}.", file=sys.stderr)
        return EXIT_USAGE
    answer = ask(build_index(course), args.question, unit=args.unit)
    print(json.dumps(answer.to_dict(), indent=2) if args.json else as_text(answer, sys.stdout.isatty()))
    return EXIT_OK


def as_text(answer, tty: bool = False) -> str:
    """The answer for a terminal: the reply, then each cited passage under its place and link."""
    before, after = ("\033[1m", "\033[0m") if tty else ("", "")
    parts = [answer.text]
    for c in answer.citations:
        parts.append(f"[{c.n}] {c.where}\n    {c.url}  (score {c.score:.2f})\n\n{c.markdown(before, after)}")
    if answer.cards:
        parts.append(
            "Drill these now:\n" + "\n".join(f"- {card.front} ({card.key})" for card in answer.cards)
        )
    if answer.lab_url and not answer.computed:
        parts.append(f"Try it in the LoRA Lab: {answer.lab_url}")
    return "\n\n".join(parts)
