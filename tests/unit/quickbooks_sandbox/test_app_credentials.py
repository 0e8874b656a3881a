"""App-level client credentials (one pair for every realm) vs. generated per-realm pairs, and
the refresh-token index the token endpoint uses to find the realm."""

from __future__ import annotations

import pytest

from services.quickbooks_sandbox.config import SandboxConfig, parse_args
from services.quickbooks_sandbox.domain.sandbox import Sandbox, realm_summary

from .conftest import NOW

APP = ("app-client-id", "app-client-secret")
TTL = 8_726_400


def test_app_credentials_are_shared_by_every_realm() -> None:
    sandbox = Sandbox(app_credentials=APP)
    first = realm_summary(sandbox.create_realm({}, NOW))
    second = realm_summary(sandbox.create_realm({}, NOW))
    assert (first["client_id"], first["client_secret"]) == APP
    assert (second["client_id"], second["client_secret"]) == APP
    assert first["realm_id"] != second["realm_id"]
    assert sandbox.client_known(*APP)
    assert not sandbox.client_known(APP[0], "wrong")
    assert not sandbox.client_known("other", APP[1])
    assert sandbox.by_client_id(APP[0]) is None  # the client id names no single realm


def test_without_app_credentials_each_realm_gets_its_own_pair() -> None:
    sandbox = Sandbox()
    created_first = sandbox.create_realm({}, NOW)
    created_second = sandbox.create_realm({}, NOW)
    first, second = created_first.realm, created_second.realm
    assert first.tokens.client_id != second.tokens.client_id
    assert created_first.client_secret != created_second.client_secret
    assert sandbox.by_client_id(first.tokens.client_id) is first
    assert sandbox.client_known(first.tokens.client_id, created_first.client_secret)
    assert not sandbox.client_known(first.tokens.client_id, created_second.client_secret)
    # Only a digest of the secret is kept.
    assert created_first.client_secret not in str(vars(first.tokens))


@pytest.mark.parametrize("app_credentials", [APP, None])
def test_refresh_tokens_index_their_realm_including_rotated_and_reconnect(
    app_credentials: tuple[str, str] | None,
) -> None:
    sandbox = Sandbox(app_credentials=app_credentials)
    one = sandbox.create_realm({}, NOW)
    two = sandbox.create_realm({}, NOW)
    assert sandbox.by_refresh_token(one.refresh_token) is one.realm
    assert sandbox.by_refresh_token(two.refresh_token) is two.realm
    pair = one.realm.tokens.refresh(one.refresh_token, NOW, 3600, TTL, grace=0)
    assert sandbox.by_refresh_token(pair.refresh_token) is one.realm
    # The rotated-out token still maps to its realm, so it can answer invalid_grant.
    assert sandbox.by_refresh_token(one.refresh_token) is one.realm
    reconnected = two.realm.tokens.issue_refresh_token(NOW, TTL)
    assert sandbox.by_refresh_token(reconnected) is two.realm
    assert sandbox.by_refresh_token("RT1-unknown") is None


def test_app_credentials_must_be_non_empty() -> None:
    with pytest.raises(ValueError):
        Sandbox(app_credentials=("id", ""))


def test_client_credentials_config_from_env_and_flags() -> None:
    assert SandboxConfig().app_credentials() is None
    env = {"QBO_SANDBOX_CLIENT_ID": "env-id", "QBO_SANDBOX_CLIENT_SECRET": "env-secret"}
    from_env = SandboxConfig.from_env(env)
    assert from_env.app_credentials() == ("env-id", "env-secret")
    flags = parse_args(["--client-secret", "flag-secret"], env)
    assert flags.app_credentials() == ("env-id", "flag-secret")
    both = parse_args(["--client-id", "a", "--client-secret", "b"], {})
    assert (both.client_id, both.client_secret) == ("a", "b")
    assert parse_args([], {}).app_credentials() is None


def test_client_id_without_secret_is_rejected() -> None:
    with pytest.raises(ValueError):
        SandboxConfig(client_id="only-id").app_credentials()
    with pytest.raises(SystemExit):
        parse_args(["--client-id", "only-id"], {})
