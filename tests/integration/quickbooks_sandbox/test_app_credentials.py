"""Token endpoint over HTTP with app-level client credentials (one pair per app, as Intuit
issues) and with the default generated per-realm credentials."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from services.quickbooks_sandbox import SandboxConfig, create_app

from .conftest import RealmHandle, connect_realm
from .servers import ThreadedServer

APP_ID = "ABapp-level-client-id"
APP_SECRET = "app-level-client-secret"


@pytest.fixture(scope="module")
def app_http() -> Iterator[httpx.Client]:
    config = SandboxConfig(client_id=APP_ID, client_secret=APP_SECRET)
    server = ThreadedServer(create_app(config)).start()
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client
    server.stop()


def _refresh(http: httpx.Client, token: str, client_id: str, secret: str) -> httpx.Response:
    raw = f"{client_id}:{secret}".encode()
    return http.post(
        "/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": token},
        headers={"Authorization": "Basic " + base64.b64encode(raw).decode()},
    )


def test_app_credentials_are_shared_by_two_realms(app_http: httpx.Client) -> None:
    one, two = connect_realm(app_http), connect_realm(app_http)
    assert one.realm_id != two.realm_id
    for realm in (one, two):
        assert (realm.client_id, realm.client_secret) == (APP_ID, APP_SECRET)
        assert realm.get(f"item/{realm.item_id}").status_code == 200
    # Each access token stays bound to the realm its refresh token belonged to.
    response = app_http.get(f"{one.base}/item/{one.item_id}", headers=two.auth)
    assert response.status_code == 403


def test_refresh_tokens_rotate_per_realm_under_app_credentials(app_http: httpx.Client) -> None:
    one, two = connect_realm(app_http), connect_realm(app_http)
    old_one, old_two = one.refresh_token, two.refresh_token
    fresh_one = one.refresh(old_one)
    assert fresh_one.status_code == 200
    one.access_token = fresh_one.json()["access_token"]
    assert one.get(f"item/{one.item_id}").status_code == 200
    assert app_http.get(f"{two.base}/item/{two.item_id}", headers=one.auth).status_code == 403
    # Rotating realm one's token leaves realm two's untouched, and vice versa.
    assert two.refresh(old_two).status_code == 200
    for stale in (old_one, old_two):
        reused = one.refresh(stale)
        assert (reused.status_code, reused.json()) == (400, {"error": "invalid_grant"})
    stats = app_http.get(f"{one.admin}/stats").json()["requests"]["token"]
    assert stats == {"200": 2, "400": 1}


def test_wrong_app_secret_is_invalid_client(app_http: httpx.Client) -> None:
    realm = connect_realm(app_http)
    wrong = _refresh(app_http, realm.refresh_token, APP_ID, "wrong")
    assert (wrong.status_code, wrong.json()) == (401, {"error": "invalid_client"})
    other_id = _refresh(app_http, realm.refresh_token, "someone-else", APP_SECRET)
    assert (other_id.status_code, other_id.json()) == (401, {"error": "invalid_client"})
    # A rejected client did not consume the refresh token.
    assert realm.refresh().status_code == 200


def test_unknown_refresh_token_is_invalid_grant(app_http: httpx.Client) -> None:
    response = _refresh(app_http, "RT1-never-issued", APP_ID, APP_SECRET)
    assert (response.status_code, response.json()) == (400, {"error": "invalid_grant"})


def test_reconnect_token_works_with_app_credentials(app_http: httpx.Client) -> None:
    realm = connect_realm(app_http)
    new = app_http.post(f"{realm.admin}/reconnect").json()["refresh_token"]
    assert _refresh(app_http, new, APP_ID, APP_SECRET).status_code == 200


def test_client_id_without_secret_is_a_configuration_error() -> None:
    with pytest.raises(ValueError):
        create_app(SandboxConfig(client_id=APP_ID))


# Default mode (session sandbox): every realm has its own generated credentials.


def test_per_realm_credentials_differ(realm: RealmHandle, http: httpx.Client) -> None:
    other = connect_realm(http)
    assert realm.client_id != other.client_id
    assert realm.client_secret != other.client_secret


def test_refresh_token_with_another_realms_credentials_is_invalid_client(
    realm: RealmHandle,
    http: httpx.Client,
) -> None:
    other = connect_realm(http)
    crossed = _refresh(http, realm.refresh_token, other.client_id, other.client_secret)
    assert (crossed.status_code, crossed.json()) == (401, {"error": "invalid_client"})
    assert realm.refresh().status_code == 200  # still unused


def test_unknown_refresh_token_with_per_realm_credentials_is_invalid_grant(
    realm: RealmHandle,
) -> None:
    response = realm.refresh("RT1-never-issued")
    assert (response.status_code, response.json()) == (400, {"error": "invalid_grant"})
