"""`studyapp srs optimize --user NAME [--json]`: fit FSRS to one student's reviews, as the Settings page does.

Takes --db like `run` (default $STUDYAPP_DB, then the settings file, then
./data/studyapp.sqlite3). NAME is an account's username; a solo install's student is
`local`. The new parameters are saved, and the student's cards rescheduled, only when
they predict the student's reviews better (lower log loss). torch is imported only
when there are enough reviews to fit.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from studyapp import config

EXIT_OK, EXIT_FAIL = 0, 1


def add_parser(commands) -> argparse.ArgumentParser:
    """Add `srs` and its subcommands to the CLI."""
    srs = commands.add_parser("srs", help="the spaced-repetition scheduler of one student",
                              description="Work on one student's FSRS scheduler.")
    sub = srs.add_subparsers(dest="srs_command", required=True, metavar="{optimize}")
    optimize = sub.add_parser("optimize", help="fit FSRS's parameters to a student's own reviews",
                              description="Fit FSRS-6's parameters to the student's review log; save them and "
                                          "reschedule their cards when they predict the reviews better.")
    optimize.add_argument("--user", required=True, metavar="NAME",
                          help="the student's username (`local` on a solo install)")
    optimize.add_argument("--db", type=Path, help=f"SQLite file (env {config.DB_ENV}; default ./data/studyapp.sqlite3)")
    optimize.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    srs.set_defaults(handler=run_srs)
    return srs


def user_id(store, name: str) -> str:
    """The id of the student called ``name`` (`local`: the solo profile).

    Raises:
        ValueError: no such user (the message lists how to find the names).
    """
    from studyapp.auth import accounts
    from studyapp.core.store import DEFAULT_USER

    if name == DEFAULT_USER:
        return DEFAULT_USER
    account = accounts.find_account(store, name)
    if account is None:
        raise ValueError(f"there is no user {name!r}; `studyapp users list` shows the usernames "
                         f"(a solo install's student is {DEFAULT_USER!r})")
    return account.id


def run_srs(args: argparse.Namespace) -> int:
    """Run `studyapp srs optimize`; a problem prints one line (or a JSON object) and exits 1."""
    from studyapp.core import optimizer, study_settings
    from studyapp.core.store import StoreError, open_store

    try:
        store = open_store(config.resolve_db(args.db, config.load_settings(config.settings_file())))
        who = user_id(store, args.user)
        base = study_settings.defaults(config.new_cards_per_day(study_settings.StudySettings.new_per_day))
        fit = optimizer.optimize(store, who, base, datetime.now(timezone.utc))
    except optimizer.NotEnoughReviews as exc:
        return _fail(args, str(exc), reviews=exc.counted, needed=exc.needed)
    except (StoreError, ValueError) as exc:
        return _fail(args, str(exc))
    print(json.dumps({"user": args.user, **fit.to_dict()}, indent=2) if args.json else as_text(args.user, fit))
    return EXIT_OK


def _fail(args: argparse.Namespace, message: str, **extra) -> int:
    if args.json:
        print(json.dumps({"user": args.user, "ok": False, "message": message, **extra}, indent=2))
    print(f"studyapp srs optimize: {message}", file=sys.stderr)
    return EXIT_FAIL


def as_text(name: str, fit) -> str:
    """The fit for a terminal: old against new on the student's reviews, and what was kept."""
    outcome = (f"Saved the new parameters and rescheduled {fit.rescheduled} cards." if fit.improved else
               "Kept the current parameters: the new ones do not predict these reviews better.")
    return "\n".join([
        f"FSRS fitted to {fit.reviews} reviews of {name} in {fit.seconds:.1f} s.",
        f"{'':13}{'before':>10}{'after':>10}",
        f"{'log loss':13}{fit.log_loss_before:>10.4f}{fit.log_loss_after:>10.4f}",
        f"{'RMSE (bins)':13}{fit.rmse_before:>10.2%}{fit.rmse_after:>10.2%}",
        outcome,
    ])
