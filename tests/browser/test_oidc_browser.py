"""School sign-in end to end: Streamlit's /auth/login → a real OpenID Connect provider on loopback
(oidc-provider-mock) → /oauth2callback → signed in, keyed by issuer and subject."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from studyapp.auth import accounts
from studyapp.core.store import open_store

from class_server import account_menu
from live_server import Server, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture
def provider():
    import oidc_provider_mock  # a test dependency (pyproject: test extra)
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def school_server(tmp_path, provider):
    server = Server(tmp_path / "school.sqlite3", args=("--auth", "oidc", "--secrets", str(tmp_path / "secrets.toml")))
    (tmp_path / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "{server.url}/oauth2callback"\n'
        'cookie_secret = "oidc-browser-test-cookie-secret-0123456789"\n'
        "[auth.school]\n"
        'client_id = "studyapp"\nclient_secret = "studyapp-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n')
    server.start()
    yield server
    server.kill()


def test_sign_in_through_the_school_provider_and_out_again(school_server, provider, page):
    import httpx

    claims = {"email": "ada@school.example", "name": "Ada Lovelace"}
    assert httpx.put(f"{provider}/users/{quote('ada-123')}", json=claims).status_code == 204
    page.goto(school_server.url)
    wait_idle(page)
    page.get_by_role("button", name="Sign in with School").click()
    page.get_by_placeholder("sub").fill("ada-123")  # the provider's own authorization form
    page.get_by_role("button", name="Authorize").click()
    page.get_by_role("heading", name="Learn LoRA and QLoRA").wait_for(timeout=30_000)
    assert "Ada Lovelace" in account_menu(page).inner_text()

    page.reload()
    wait_idle(page)
    page.get_by_role("heading", name="Learn LoRA and QLoRA").wait_for()  # still signed in

    store = open_store(school_server.db)
    (account,) = [a for a in accounts.list_accounts(store) if a.provider == "oidc"]
    assert account.id == accounts.oidc_user_id(provider, "ada-123") and account.display_name == "Ada Lovelace"

    account_menu(page).get_by_role("button").first.click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider ends its session too
    page.get_by_role("button", name="Sign in with School").wait_for(timeout=30_000)
    page.goto(school_server.url)
    wait_idle(page)
    page.get_by_role("button", name="Sign in with School").wait_for()  # signed out for good
