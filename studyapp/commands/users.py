"""`studyapp users ...`: the accounts of a class server, from the command line.

    studyapp users add USERNAME [--display-name NAME] [--role student|instructor] [--password-stdin] [--adopt-local]
    studyapp users list [--json]
    studyapp users set-role USERNAME ROLE
    studyapp users reset-password USERNAME [--password-stdin]
    studyapp users delete USERNAME [--yes]

Each takes --db (default $STUDYAPP_DB, then the settings file, then ./data/studyapp.sqlite3).
Passwords are read from a prompt (typed twice, not echoed) or one line of standard input.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from studyapp import config

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def add_parser(commands) -> argparse.ArgumentParser:
    """Add `users` and its subcommands to the CLI."""
    users = commands.add_parser("users", help="manage the accounts of a class server",
                                description="Add, list, change and delete accounts (for --auth accounts).")
    sub = users.add_subparsers(dest="users_command", required=True, metavar="{add,list,set-role,reset-password,delete}")
    add = _with_db(sub.add_parser("add", help="create an account", description="Create a local account."))
    add.add_argument("username", help="2-32 characters: lowercase letters, digits, '.', '_', '-'")
    add.add_argument("--display-name", default="", help="how the instructor sees the student (default: the username)")
    add.add_argument("--role", default="student", choices=("student", "instructor"), help="what the account may see")
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    add.add_argument("--adopt-local", action="store_true",
                     help="move the solo profile's progress (reviews, answers, notes) to this new account")
    listing = _with_db(sub.add_parser("list", help="list the accounts", description="List every account."))
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    role = _with_db(sub.add_parser("set-role", help="make a user a student or an instructor",
                                   description="Change a user's role."))
    role.add_argument("username", help="the user")
    role.add_argument("role", choices=("student", "instructor"), help="the new role")
    reset = _with_db(sub.add_parser("reset-password", help="set a new password (signs the user out everywhere)",
                                    description="Set a user's password; their sessions end."))
    reset.add_argument("username", help="the user")
    reset.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    delete = _with_db(sub.add_parser("delete", help="delete an account and every row of theirs",
                                     description="Delete a user with all their reviews, answers, notes and sessions."))
    delete.add_argument("username", help="the user")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    users.set_defaults(handler=run_users)
    return users


def _with_db(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--db", type=Path, help=f"SQLite file (env {config.DB_ENV}; default ./data/studyapp.sqlite3)")
    return parser


def run_users(args: argparse.Namespace) -> int:
    """Dispatch `studyapp users ...`; errors print one line and exit non-zero."""
    from studyapp.auth.accounts import AccountError
    from studyapp.auth.passwords import PasswordError
    from studyapp.core.store import StoreError, open_store

    handlers = {"add": _add, "list": _list, "set-role": _set_role, "reset-password": _reset, "delete": _delete}
    try:
        store = open_store(config.resolve_db(args.db, config.load_settings(config.settings_file())))
        return handlers[args.users_command](store, args, datetime.now(timezone.utc))
    except (AccountError, PasswordError, StoreError, ValueError) as exc:
        print(f"studyapp users: {exc}", file=sys.stderr)
        return EXIT_FAIL


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise ValueError("the two passwords differ; nothing was changed")
    return first


def _add(store, args, now) -> int:
    from studyapp.auth import accounts

    account = accounts.create_account(store, args.username, _password(args.password_stdin), now,
                                      display_name=args.display_name, role=args.role)
    print(f"Added {account.username} ({account.role}), shown as {account.display_name!r}.")
    if args.adopt_local:
        moved = {table: n for table, n in accounts.adopt_local(store, account.id).items() if n}
        what = ", ".join(f"{n} rows of {table}" for table, n in moved.items()) or "there was nothing to move"
        print(f"Moved the solo profile's progress to {account.username}: {what}.")
    return EXIT_OK


def _list(store, args, now) -> int:
    from studyapp.auth import accounts

    found = accounts.list_accounts(store)
    if args.json:
        print(json.dumps([{"username": a.username, "id": a.id, "display_name": a.display_name, "role": a.role,
                           "provider": a.provider, "created_at": a.created_at} for a in found], indent=2))
        return EXIT_OK
    print(f"{'username':<24} {'role':<11} {'sign-in':<9} display name")
    for a in found:
        print(f"{a.username or a.id:<24} {a.role:<11} {a.provider:<9} {a.display_name}")
    return EXIT_OK


def _set_role(store, args, now) -> int:
    from studyapp.auth import accounts

    account = accounts.set_role(store, args.username, args.role)
    print(f"{account.username or account.id} is now {account.role}.")
    return EXIT_OK


def _reset(store, args, now) -> int:
    from studyapp.auth import accounts

    account = accounts.find_account(store, args.username)
    if account is None:
        raise accounts.AccountError(f"There is no local account '{args.username}'.")
    accounts.set_password(store, account.id, _password(args.password_stdin), now)
    print(f"New password set for {account.username}; they were signed out everywhere.")
    return EXIT_OK


def _delete(store, args, now) -> int:
    from studyapp.auth import accounts

    account = accounts.find_account(store, args.username) or accounts.get_account(store, args.username)
    if account is None:
        raise accounts.AccountError(f"There is no user '{args.username}'.")
    if not args.yes:
        answer = input(f"Delete {account.username or account.id} and all their reviews, answers and notes? "
                       "Type the username to confirm: ")
        if answer.strip() != (account.username or account.id):
            print("Nothing was deleted.")
            return EXIT_FAIL
    removed = accounts.delete_user(store, account.id)
    print(f"Deleted {account.username or account.id} and {sum(removed.values())} rows of theirs.")
    return EXIT_OK
