"""`studyapp export anki|notes|backup --user NAME -o FILE`: a student's data, to take elsewhere.

    anki    the course's cards as an Anki package (.apkg) with the student's schedule and reviews
    notes   the student's scratchpad notes, one Markdown file per unit with front matter, zipped
    backup  every row of the student's, as versioned JSON (restore it with `studyapp import backup`)

--user is the username (a solo install's student is `local`); --db as for `studyapp run`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from studyapp import config

EXIT_OK, EXIT_FAIL = 0, 1


def add_parser(commands) -> argparse.ArgumentParser:
    """Add `export` to the CLI."""
    parser = commands.add_parser("export", help="export a student's cards (Anki), notes or a full backup",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    from studyapp.core.data.exports import KINDS

    parser.add_argument("kind", choices=tuple(KINDS),
                        help="; ".join(f"{k}: {v[0]}" for k, v in KINDS.items()))
    add_student_options(parser)
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="the file to write (replaced if it exists)")
    parser.set_defaults(handler=run_export)
    return parser


def add_student_options(parser: argparse.ArgumentParser) -> None:
    """--user and --db, shared with `studyapp import`."""
    parser.add_argument("--user", required=True, help="the student's username (`local` on a solo install)")
    parser.add_argument("--db", type=Path,
                        help=f"SQLite file (env {config.DB_ENV}; default ./data/studyapp.sqlite3)")


def open_for(args: argparse.Namespace):
    """The store and the student's id for --db and --user.

    Raises:
        StoreError: the database cannot be opened.
        ValueError: there is no such user (the message says how to list them).
    """
    from studyapp.auth import accounts
    from studyapp.core.store import DEFAULT_USER, open_store

    store = open_store(config.resolve_db(args.db, config.load_settings(config.settings_file())))
    if args.user == DEFAULT_USER:
        store.ensure_user(DEFAULT_USER, datetime.now(timezone.utc), "You")
    account = accounts.find_account(store, args.user) or accounts.get_account(store, args.user)
    if account is None:
        store.close()
        raise ValueError(f"there is no user '{args.user}' in {store.path}; `studyapp users list` shows them")
    return store, account.id


def _course():
    from studyapp.core.content import load_course
    from studyapp.lab.claims import catalog  # light: names only, no torch

    return load_course(config.content_dir(), lab=catalog())


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so a failure never leaves half a file."""
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def run_export(args: argparse.Namespace) -> int:
    """Write the export; errors print one line and exit 1."""
    from studyapp.core.data.exports import export_bytes
    from studyapp.core.store import StoreError

    try:
        store, user_id = open_for(args)
        start = time.perf_counter()
        course = _course() if args.kind != "backup" else None
        data = export_bytes(args.kind, store, course, user_id, datetime.now(timezone.utc))
        store.close()
        write_atomically(args.output, data)
    except (StoreError, ValueError, OSError) as exc:
        print(f"studyapp export: {exc}", file=sys.stderr)
        return EXIT_FAIL
    print(f"Wrote {args.output} ({len(data):,} bytes, {args.kind} of {user_id}) "
          f"in {time.perf_counter() - start:.2f} s.")
    return EXIT_OK
