"""`studyapp run`: serve the app with the chosen course, database and way of signing in."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from studyapp import config
from studyapp.auth import settings as auth_settings

SERVER = config.PACKAGE_ROOT / "server.py"
LOOPBACK = "127.0.0.1"


def add_parser(commands) -> argparse.ArgumentParser:
    """Add `run` to the CLI."""
    run = commands.add_parser(
        "run", help="serve the app in the browser",
        description="Serve the app. Settings come from these flags, then STUDYAPP_* environment variables, "
                    "then the settings file (studyapp.toml), then defaults. Streamlit's own STREAMLIT_* "
                    "variables are honoured.")
    run.add_argument("--db", type=Path, help=f"SQLite file for progress (env {config.DB_ENV}; default ./data/studyapp.sqlite3)")
    run.add_argument("--content", type=Path, help=f"course folder holding units/ (env {config.CONTENT_ENV}; default: the bundled course)")
    run.add_argument("--port", type=int, help="port to listen on (default 8501, or STREAMLIT_SERVER_PORT)")
    run.add_argument("--host", help=f"address to bind (default {LOOPBACK} with --auth none, all interfaces "
                                    "(0.0.0.0) when students sign in)")
    run.add_argument("--auth", choices=auth_settings.MODES,
                     help="none: one local profile, no sign-in (default); accounts: local accounts in the "
                          "study database; oidc: your school's OpenID Connect sign-in (env STUDYAPP_AUTH)")
    run.add_argument("--join-code", help="with --auth accounts, 'Create account' asks for this code "
                                         "(env STUDYAPP_JOIN_CODE); without one, sign-up is open")
    run.add_argument("--session-days", type=float, help="how long a sign-in lasts (default 14 days; "
                                                        "env STUDYAPP_SESSION_DAYS)")
    run.add_argument("--settings", type=Path, help=f"settings file (env {config.SETTINGS_ENV}; default "
                                                   "./studyapp.toml when it exists)")
    run.add_argument("--secrets", type=Path, help="Streamlit secrets file with the [auth] providers for --auth "
                                                  "oidc (default: .streamlit/secrets.toml)")
    run.set_defaults(handler=run_app)
    return run


def run_app(args: argparse.Namespace) -> int:
    """Start the Streamlit server on our app with the chosen course, database and sign-in."""
    try:
        file = config.load_settings(config.settings_file(args.settings))
        auth = auth_settings.resolve({"mode": args.auth, "join_code": args.join_code,
                                      "session_days": args.session_days}, os.environ, file.get("auth", {}))
    except ValueError as exc:
        print(f"studyapp: {exc}", file=sys.stderr)
        return 2
    server = file.get("server", {})
    problems = auth.problems() + (_oidc_problems(args.secrets) if auth.mode == "oidc" else [])
    if problems:
        for problem in problems:
            print(f"studyapp: cannot start: {problem}", file=sys.stderr)
        return 2
    env = dict(os.environ, **auth.to_env())
    db = config.resolve_db(args.db, file)
    env[config.DB_ENV] = str(db)
    env[config.CONTENT_ENV] = str((args.content or config.content_dir()).expanduser().resolve())
    host = (args.host or server.get("host") or os.environ.get("STREAMLIT_SERVER_ADDRESS")
            or (LOOPBACK if auth.mode == "none" else "0.0.0.0"))
    command = [sys.executable, "-m", "streamlit", "run", str(SERVER), "--server.address", str(host)]
    port = args.port or server.get("port")
    if port:
        command += ["--server.port", str(port)]
    if args.secrets:
        command += ["--secrets.files", str(args.secrets.expanduser().resolve())]
    _announce(auth, env, db, host)
    # Streamlit reads .streamlit/config.toml from its working directory: use the project's.
    project = config.PACKAGE_ROOT.parent
    cwd = str(project) if (project / ".streamlit" / "config.toml").is_file() else None
    try:
        return subprocess.call(command, env=env, cwd=cwd)
    except KeyboardInterrupt:
        return 0


def _announce(auth: auth_settings.AuthSettings, env: dict, db: Path, host: str) -> None:
    print(f"studyapp: course {env[config.CONTENT_ENV]}", flush=True)
    print(f"studyapp: progress database {db}", flush=True)
    if auth.mode == "none":
        reach = ("only this computer can open it" if host in (LOOPBACK, "localhost", "::1")
                 else f"WARNING: anyone who can reach {host} reads this profile's notes and progress")
        print(f"studyapp: no sign-in (--auth none), listening on {host}: {reach}. "
              "To serve a class, use --auth accounts or --auth oidc.", flush=True)
    else:
        join = " with a join code" if auth.join_code else ""
        print(f"studyapp: students sign in (--auth {auth.mode}{join}), listening on {host}; "
              f"a sign-in lasts {auth.session_days:g} days.", flush=True)


def _oidc_problems(secrets: Path | None) -> list[str]:
    """--auth oidc needs Streamlit's [auth] section with a redirect URI, a cookie secret and a provider."""
    import tomllib

    candidates = [secrets] if secrets else [config.PACKAGE_ROOT.parent / ".streamlit" / "secrets.toml",
                                            Path.cwd() / ".streamlit" / "secrets.toml",
                                            Path.home() / ".streamlit" / "secrets.toml"]
    for path in candidates:
        if path and path.is_file():
            try:
                auth = tomllib.loads(path.read_text(encoding="utf-8")).get("auth", {})
            except (OSError, tomllib.TOMLDecodeError) as exc:
                return [f"cannot read {path}: {exc}"]
            missing = [k for k in ("redirect_uri", "cookie_secret") if not auth.get(k)]
            if not any(isinstance(v, dict) for v in auth.values()) and not auth.get("client_id"):
                missing.append("a provider ([auth.NAME] with client_id, client_secret, server_metadata_url)")
            return [f"--auth oidc: {path} [auth] lacks {', '.join(missing)}; see the README, "
                    "'Run it for a class'."] if missing else []
    return ["--auth oidc needs an [auth] section in .streamlit/secrets.toml (or --secrets FILE); "
            "see the README, 'Run it for a class'."]
