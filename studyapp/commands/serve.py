"""`studyapp run`: serve the app with the chosen course and database."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from studyapp import config

APP = config.PACKAGE_ROOT / "app.py"


def add_parser(commands) -> argparse.ArgumentParser:
    """Add `run` to the CLI."""
    run = commands.add_parser("run", help="serve the app in the browser",
                              description="Serve the app. Streamlit's own STREAMLIT_* environment variables are honoured.")
    run.add_argument("--db", type=Path, help=f"SQLite file for progress (env {config.DB_ENV}; default ./data/studyapp.sqlite3)")
    run.add_argument("--content", type=Path, help=f"course folder holding units/ (env {config.CONTENT_ENV}; default: the bundled course)")
    run.add_argument("--port", type=int, help="port to listen on (default 8501, or STREAMLIT_SERVER_PORT)")
    run.add_argument("--host", help="address to bind (default: Streamlit's, or STREAMLIT_SERVER_ADDRESS)")
    run.set_defaults(handler=run_app)
    return run


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
