"""The ``studyapp`` command: run the app, check the course, and script the Lab."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from studyapp import config

APP = config.PACKAGE_ROOT / "app.py"


def build_parser() -> argparse.ArgumentParser:
    """The full command-line interface (every command and option has help)."""
    parser = argparse.ArgumentParser(prog="studyapp", description="Learn LoRA and QLoRA fine-tuning.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="serve the app in the browser",
                              description="Serve the app. Streamlit's own STREAMLIT_* environment variables are honoured.")
    run.add_argument("--db", type=Path, help=f"SQLite file for progress (env {config.DB_ENV}; default ./data/studyapp.sqlite3)")
    run.add_argument("--content", type=Path, help=f"course folder holding units/ (env {config.CONTENT_ENV}; default: the bundled course)")
    run.add_argument("--port", type=int, help="port to listen on (default 8501, or STREAMLIT_SERVER_PORT)")
    run.add_argument("--host", help="address to bind (default: Streamlit's, or STREAMLIT_SERVER_ADDRESS)")
    check = commands.add_parser("check", help="validate the course and list every problem",
                                description="Validate every unit; print problems as path:line: message; exit 1 if any.")
    check.add_argument("dir", nargs="?", type=Path, help="course folder (default: the bundled course)")
    _add_lab(commands)
    return parser


def _add_lab(commands) -> None:
    try:
        from studyapp.lab.cli import add_lab_parser
    except ImportError:  # the Lab is optional at import time; its absence should not break run/check
        return
    add_lab_parser(commands)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "run":
        return run_app(args)
    if args.command == "check":
        return check_course(args.dir or config.DEFAULT_CONTENT)
    from studyapp.lab.cli import run_lab
    return run_lab(args)


def run_app(args: argparse.Namespace) -> int:
    """Start the Streamlit server on our app with the chosen course and database."""
    env = dict(os.environ)
    db = (args.db or config.db_path()).expanduser().resolve()
    env[config.DB_ENV] = str(db)
    env[config.CONTENT_ENV] = str((args.content or config.content_dir()).expanduser().resolve())
    command = [sys.executable, "-m", "streamlit", "run", str(APP)]
    if args.port:
        command += ["--server.port", str(args.port)]
    if args.host:
        command += ["--server.address", args.host]
    print(f"studyapp: course {env[config.CONTENT_ENV]}", flush=True)
    print(f"studyapp: progress database {db}", flush=True)
    # Streamlit reads .streamlit/config.toml from its working directory: use the project's.
    project = config.PACKAGE_ROOT.parent
    cwd = str(project) if (project / ".streamlit" / "config.toml").is_file() else None
    try:
        return subprocess.call(command, env=env, cwd=cwd)
    except KeyboardInterrupt:
        return 0


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


if __name__ == "__main__":
    raise SystemExit(main())
