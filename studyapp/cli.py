"""The ``studyapp`` command: run the app, check the course, script the Lab, manage users.

Each command lives in its own module (listed in COMMANDS) with ``add_parser``;
this file only assembles them and dispatches.
"""

from __future__ import annotations

import argparse
import importlib

# One module per command, in `studyapp --help` order. Each must import light (no torch).
COMMANDS = (
    "studyapp.commands.serve",
    "studyapp.commands.check",
    "studyapp.lab.cli",
    "studyapp.commands.users",
    "studyapp.commands.ask",
    "studyapp.commands.export",
    "studyapp.commands.import_backup",
    "studyapp.commands.srs",
)


def build_parser() -> argparse.ArgumentParser:
    """The full command-line interface (every command and option has help)."""
    parser = argparse.ArgumentParser(prog="studyapp", description="Learn LoRA and QLoRA fine-tuning.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
