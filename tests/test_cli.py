"""The command line: every command has help, and `run` passes settings the way Streamlit expects."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from studyapp import cli, config
from studyapp.commands import serve


def _subcommands(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield name, sub
                yield from ((f"{name} {n}", s) for n, s in _subcommands(sub))


def test_every_command_and_option_has_help():
    parser = cli.build_parser()
    commands = dict(_subcommands(parser))
    assert {"run", "check"} <= set(commands)
    for name, sub in commands.items():
        assert sub.description or sub.format_usage(), name
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"{name} {action.option_strings} has no help"


@pytest.mark.parametrize("command", [["--help"], ["run", "--help"], ["check", "--help"]])
def test_help_exits_cleanly(command):
    out = subprocess.run([sys.executable, "-m", "studyapp.cli", *command], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "usage: studyapp" in out.stdout


def test_run_passes_db_and_content_and_leaves_streamlit_env_alone(monkeypatch, tmp_path):
    calls = {}

    def fake_call(command, env, cwd):
        calls.update(command=command, env=env, cwd=cwd)
        return 0

    monkeypatch.setattr(serve.subprocess, "call", fake_call)
    monkeypatch.setenv("STREAMLIT_SERVER_PORT", "8765")
    assert cli.main(["run", "--db", str(tmp_path / "x.sqlite3")]) == 0
    assert calls["env"][config.DB_ENV] == str((tmp_path / "x.sqlite3").resolve())
    assert calls["env"][config.CONTENT_ENV] == str(config.DEFAULT_CONTENT.resolve())
    assert "--server.port" not in calls["command"]  # STREAMLIT_SERVER_PORT decides
    assert calls["env"]["STREAMLIT_SERVER_PORT"] == "8765"
    assert calls["command"][4].endswith("server.py")  # app.py behind the sign-in cookie routes
    assert cli.main(["run", "--port", "9001"]) == 0
    assert calls["command"][-2:] == ["--server.port", "9001"]


def test_db_path_defaults_and_env(monkeypatch, tmp_path):
    monkeypatch.delenv(config.DB_ENV, raising=False)
    assert config.db_path().name == "studyapp.sqlite3"
    monkeypatch.setenv(config.DB_ENV, str(tmp_path / "y.sqlite3"))
    assert config.db_path() == tmp_path / "y.sqlite3"
