"""OAuth token endpoint and bearer-token checks on /v3."""

from __future__ import annotations

import time

import httpx

from .conftest import RealmHandle, connect_realm
from .test_invoice_api import assert_fault


def test_token_response_shape_and_rotation(realm: RealmHandle) -> None:
    old = realm.refresh_token
    response = realm.refresh(old)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "access_token",
        "refresh_token",
        "token_type",
        "expires_in",
        "x_refresh_token_expires_in",
    }
    assert (body["token_type"], body["expires_in"]) == ("bearer", 3600)
    assert body["x_refresh_token_expires_in"] == 8726400
    assert body["refresh_token"] != old
    reused = realm.refresh(old)
    assert (reused.status_code, reused.json()) == (400, {"error": "invalid_grant"})
    assert realm.refresh(body["refresh_token"]).status_code == 200


def test_bad_client_credentials_are_invalid_client(realm: RealmHandle) -> None:
    response = realm.http.post(
        "/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": realm.refresh_token},
        headers=realm.basic(secret="wrong"),
    )
    assert (response.status_code, response.json()) == (401, {"error": "invalid_client"})
    no_auth = realm.http.post("/oauth2/v1/tokens/bearer", data={"grant_type": "refresh_token"})
    assert no_auth.status_code == 401


def test_unsupported_grant_type(realm: RealmHandle) -> None:
    response = realm.http.post(
        "/oauth2/v1/tokens/bearer", data={"grant_type": "password"}, headers=realm.basic()
    )
    assert (response.status_code, response.json()) == (400, {"error": "unsupported_grant_type"})


def test_missing_or_unknown_bearer_is_3200(realm: RealmHandle) -> None:
    anonymous = realm.http.get(f"{realm.base}/item/{realm.item_id}")
    assert_fault(anonymous, 401, "3200", "AUTHENTICATION")
    bogus = realm.http.get(
        f"{realm.base}/item/{realm.item_id}", headers={"Authorization": "Bearer nope"}
    )
    error = assert_fault(bogus, 401, "3200", "AUTHENTICATION")
    assert "AuthenticationFailed" in error["Message"]


def test_admin_expiry_and_refresh_recovers(realm: RealmHandle) -> None:
    assert realm.get(f"item/{realm.item_id}").status_code == 200
    expired = realm.http.post(f"{realm.admin}/expire-access-tokens")
    assert expired.json()["expired"] >= 1
    assert_fault(realm.get(f"item/{realm.item_id}"), 401, "3200", "AUTHENTICATION")
    fresh = realm.refresh().json()
    realm.access_token = fresh["access_token"]
    assert realm.get(f"item/{realm.item_id}").status_code == 200


def test_access_token_ttl_setting(http: httpx.Client) -> None:
    realm = connect_realm(http, {"settings": {"access_token_ttl_seconds": 1}})
    assert realm.get(f"item/{realm.item_id}").status_code == 200
    time.sleep(1.1)
    assert_fault(realm.get(f"item/{realm.item_id}"), 401, "3200", "AUTHENTICATION")
    assert realm.refresh().json()["expires_in"] == 1


def test_token_of_another_company_is_rejected(realm: RealmHandle, http: httpx.Client) -> None:
    other = connect_realm(http)
    response = http.get(f"{realm.base}/item/{realm.item_id}", headers=other.auth)
    assert_fault(response, 403, "3100", "AUTHORIZATION")


def test_reconnect_issues_a_new_refresh_token(realm: RealmHandle) -> None:
    realm.refresh()  # rotates; our stored refresh token is now dead
    assert realm.refresh().status_code == 400
    new = realm.http.post(f"{realm.admin}/reconnect").json()["refresh_token"]
    assert realm.refresh(new).status_code == 200
