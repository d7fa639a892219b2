"""`studyapp import backup FILE --user NAME`: restore a student's backup without losing newer data.

The file is checked whole before anything is written (a damaged, truncated, foreign or future file
is refused and nothing changes), then merged: the newer card state and the newer note win (the
older note text is kept as a revision), histories are merged, and restoring the same file twice
changes nothing. --db as for `studyapp run`; a solo install's student is `local`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from studyapp.commands.export import EXIT_FAIL, EXIT_OK, add_student_options, open_for


def add_parser(commands) -> argparse.ArgumentParser:
    """Add `import` (with its one kind, `backup`) to the CLI."""
    parser = commands.add_parser("import",
                                 help="restore a student's backup (merged, never overwriting newer data)",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=("backup",),
                        help="what the file is: a backup from `studyapp export backup`")
    parser.add_argument("file", type=Path, help="the backup's .json file")
    add_student_options(parser)
    parser.set_defaults(handler=run_import)
    return parser


def run_import(args: argparse.Namespace) -> int:
    """Restore the backup and print what changed; a refusal prints why and exits 1."""
    from studyapp.core.data.backup import read_backup
    from studyapp.core.data.restore import restore_backup
    from studyapp.core.store import StoreError

    try:
        raw = args.file.expanduser().read_bytes()
        store, user_id = open_for(args)
        try:
            report = restore_backup(store, read_backup(raw, store, user_id))
        finally:
            store.close()
    except (StoreError, ValueError, OSError) as exc:
        print(f"studyapp import: {exc}", file=sys.stderr)
        return EXIT_FAIL
    print(f"Restored {args.file} into {user_id}:" if report.changed else f"{args.file}:")
    for line in report.lines():
        print(f"  {line}")
    return EXIT_OK
