"""`studyapp check`: validate the course, evaluate every claim, list every problem as path:line: message."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from studyapp import config

DESCRIPTION = """\
Validate every unit of a course and evaluate every claim; print each problem as
path:line: message and exit 1 if there is any.

A course folder holds course.yaml (verified_against: the library versions the text was
checked against) and units/NN-slug/ folders, each with:
  unit.md      front matter (slug, title, order, summary, objectives) between '---' lines,
               then Markdown; ```python blocks must run, ```explainer blocks embed a live
               explainer, [text](/lab-build?model=...) links open the Lab
  claims.yaml  name: {value: "4,194,304", compute: "params('llama-2-7b').trainable_params",
               format: "{:,}"} for every computed number; write {{name}} where it appears
  cards.yaml   - {id, front, back, tags}; kind: reverse asks both ways (two cards), kind: cloze
               has text with deletions [[c1::answer]] or [[c1::answer::hint]] (a card each) and extra
  quiz.yaml    - {id, kind: single|multi|numeric, prompt, choices, answer, explanation,
               tolerance, unit}; a numeric answer may be a number or {claim: name}
Every file is valid YAML as written: claims are filled in after parsing. Claims are
evaluated against the Lab (this imports torch and builds models on the meta device:
about 15 s of CPU); a claim that raises or that
differs from its shown value is a problem. A warning (not a failure) says when the
installed peft, transformers, bitsandbytes or torch differ from verified_against.

--fix converts units written in the old format (claims in the front matter) first.
"""


def add_parser(commands) -> argparse.ArgumentParser:
    """Add `check` to the CLI."""
    check = commands.add_parser("check", help="validate the course, evaluate its claims, list every problem",
                                description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("dir", nargs="?", type=Path, help="course folder (default: the bundled course)")
    check.add_argument("--fix", action="store_true",
                       help="first convert units in the old format (claims in unit.md's front matter) "
                            "in place")
    check.set_defaults(handler=lambda args: check_course(args.dir or config.DEFAULT_CONTENT, fix=args.fix))
    return check


def check_course(root: Path, *, fix: bool = False) -> int:
    """Print every problem in the course as path:line: message; 0 when there are none.

    Never raises and never prints a traceback: an unexpected failure is one line, exit 2.
    """
    try:
        return _check(Path(root), fix)
    except Exception as exc:  # noqa: BLE001 - the command's promise is a message, not a traceback
        print(f"{root}:0: studyapp check stopped unexpectedly: {type(exc).__name__}: {exc}")
        return 2


def _check(root: Path, fix: bool) -> int:
    from studyapp.core import claims
    from studyapp.core.content import load_course, versions
    from studyapp.lab import claims as lab_claims

    if fix:
        _fix(root)
    start = time.perf_counter()
    course = load_course(root, lab=lab_claims.catalog())
    all_claims = [c for u in course.units for c in u.claims]
    problems = course.problems + claims.verify(all_claims, lab_claims.evaluate)
    for problem in problems:
        print(problem)
    for warning in versions.mismatches(course.verified_against, root):
        print(warning, file=sys.stderr)
    seconds = time.perf_counter() - start
    if problems:
        print(f"{len(problems)} problem(s) in {len(course.broken) or len({p.path.parent for p in problems})} "
              "unit(s).", file=sys.stderr)
        return 1
    cards, questions = (sum(len(getattr(u, n)) for u in course.units) for n in ("cards", "questions"))
    print(f"OK: {len(course.units)} unit(s), {cards} cards, {questions} questions, "
          f"{len(all_claims)} claims evaluated in {seconds:.1f} s.")
    return 0


def _fix(root: Path) -> None:
    from studyapp.core.content import migrate

    units = root / "units" if (root / "units").is_dir() else root
    for folder in sorted(p for p in units.iterdir() if p.is_dir()) if units.is_dir() else ():
        try:
            changes = migrate.fix_unit(folder) if migrate.needs_fix(folder) else []
        except (OSError, ValueError) as exc:  # not UTF-8, claims.yaml already there, ...
            changes = []
            print(f"{folder / 'unit.md'}:0: --fix could not convert this unit: {exc}")
        for change in changes:
            print(f"fixed: {change}")
