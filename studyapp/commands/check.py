"""`studyapp check`: validate the course and list every problem as path:line: message."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from studyapp import config


def add_parser(commands) -> argparse.ArgumentParser:
    """Add `check` to the CLI."""
    check = commands.add_parser("check", help="validate the course and list every problem",
                                description="Validate every unit; print problems as path:line: message; exit 1 if any.")
    check.add_argument("dir", nargs="?", type=Path, help="course folder (default: the bundled course)")
    check.set_defaults(handler=lambda args: check_course(args.dir or config.DEFAULT_CONTENT))
    return check


def check_course(root: Path) -> int:
    """Print every problem in the course as path:line: message; 0 when there are none."""
    from studyapp.core.content import load_course

    course = load_course(root)
    for problem in course.problems:
        print(problem)
    cards = sum(len(u.cards) for u in course.units)
    questions = sum(len(u.questions) for u in course.units)
    if course.problems:
        print(f"{len(course.problems)} problem(s) in {len(course.broken)} unit(s).", file=sys.stderr)
        return 1
    print(f"OK: {len(course.units)} unit(s), {cards} cards, {questions} questions.")
    return 0
