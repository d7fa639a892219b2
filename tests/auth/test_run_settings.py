"""`studyapp run` chooses how students sign in: flags, then env, then the settings file."""

from __future__ import annotations

import pytest

from studyapp import cli
from studyapp.auth import settings as auth_settings
from studyapp.commands import serve

SECRET = "k" * 40


@pytest.fixture
def launched(monkeypatch, tmp_path):
    """Run `studyapp run ...` without starting Streamlit; return what it would have started."""
    calls = {}

    def fake_call(command, env, cwd):
        calls.update(command=command, env=env)
        return 0

    for name in ("STUDYAPP_AUTH", "STUDYAPP_SECRET", "STUDYAPP_JOIN_CODE", "STUDYAPP_SESSION_DAYS",
                 "STUDYAPP_SETTINGS", "STUDYAPP_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(serve.subprocess, "call", fake_call)
    return calls


def _address(command):
    return command[command.index("--server.address") + 1]


def test_no_sign_in_listens_on_loopback_and_says_so(launched, capsys):
    assert cli.main(["run"]) == 0
    assert _address(launched["command"]) == "127.0.0.1"
    assert launched["env"]["STUDYAPP_AUTH"] == "none"
    assert "only this computer can open it" in capsys.readouterr().out


def test_no_sign_in_on_all_interfaces_warns(launched, capsys):
    assert cli.main(["run", "--host", "0.0.0.0"]) == 0
    assert "WARNING" in capsys.readouterr().out


def test_accounts_without_a_secret_refuse_to_start_and_say_how_to_make_one(launched, capsys):
    assert cli.main(["run", "--auth", "accounts"]) == 2
    err = capsys.readouterr().err
    assert "STUDYAPP_SECRET" in err and "secrets.token_urlsafe" in err and "settings file" in err
    assert launched == {}


def test_flags_beat_env_beat_the_settings_file(launched, monkeypatch, tmp_path):
    (tmp_path / "studyapp.toml").write_text(
        f'[auth]\nmode = "accounts"\nsecret = "{SECRET}"\njoin_code = "from-file"\nsession_days = 7\n'
        '[server]\nhost = "10.1.2.3"\n')
    assert cli.main(["run"]) == 0
    env = launched["env"]
    assert (env["STUDYAPP_AUTH"], env["STUDYAPP_JOIN_CODE"], env["STUDYAPP_SESSION_DAYS"]) == ("accounts", "from-file", "7.0")
    assert _address(launched["command"]) == "10.1.2.3"
    monkeypatch.setenv("STUDYAPP_JOIN_CODE", "from-env")
    assert cli.main(["run"]) == 0 and launched["env"]["STUDYAPP_JOIN_CODE"] == "from-env"
    assert cli.main(["run", "--join-code", "from-flag", "--host", "127.0.0.1"]) == 0
    assert launched["env"]["STUDYAPP_JOIN_CODE"] == "from-flag" and _address(launched["command"]) == "127.0.0.1"


def test_signing_in_listens_on_all_interfaces_by_default(launched, monkeypatch):
    monkeypatch.setenv("STUDYAPP_SECRET", SECRET)
    assert cli.main(["run", "--auth", "accounts"]) == 0
    assert _address(launched["command"]) == "0.0.0.0"


def test_oidc_without_an_auth_section_refuses_to_start(launched, capsys, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    assert cli.main(["run", "--auth", "oidc", "--secrets", str(secrets)]) == 2
    assert "cookie_secret" in capsys.readouterr().err


def test_a_broken_settings_file_is_named(launched, capsys, tmp_path):
    (tmp_path / "studyapp.toml").write_text("[auth\n")
    assert cli.main(["run"]) == 2
    assert "studyapp.toml" in capsys.readouterr().err


def test_settings_problems():
    assert auth_settings.AuthSettings("none").problems() == []
    assert auth_settings.AuthSettings("accounts", secret="short").problems()
    assert auth_settings.AuthSettings("magic").problems()
    assert auth_settings.AuthSettings("accounts", secret=SECRET, session_days=float("nan")).problems()
