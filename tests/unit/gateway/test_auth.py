"""Tenant tokens, roles, page tokens (pure)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.gateway.auth.dependencies import refuse_page_tokens, require, require_operator
from services.gateway.auth.page_tokens import (
    PageClaims,
    derive_key,
    mint_page_token,
    verify_page_token,
)
from services.gateway.auth.principal import Principal, Role
from services.gateway.auth.tokens import hash_token, is_tenant_token, new_token
from services.gateway.http.problems import Problem

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def test_tenant_tokens_are_random_prefixed_and_hashed() -> None:
    token, other = new_token(), new_token()
    assert token != other and token.startswith("mqs_") and len(token) > 40
    assert is_tenant_token(token) and not is_tenant_token("mqs_") and not is_tenant_token("x")
    assert hash_token(token) == hash_token(token) != hash_token(other)
    assert len(hash_token(token)) == 32 and token.encode() not in hash_token(token)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, {Role.ADMIN, Role.PUSH, Role.READ}),
        (Role.PUSH, {Role.PUSH, Role.READ}),
        (Role.READ, {Role.READ}),
    ],
)
def test_roles_include_the_lesser_ones(role: Role, allowed: set[Role]) -> None:
    principal = Principal(operator=False, tenant_id="a", role=role)
    assert {r for r in Role if principal.can("a", r)} == allowed
    assert not any(principal.can("b", r) for r in Role)


def test_operator_may_do_everything() -> None:
    operator = Principal(operator=True)
    assert all(operator.can(t, r) for t in ("a", "b") for r in Role)
    require_operator(operator, "a")


def test_other_tenants_get_404_and_missing_roles_403() -> None:
    reader = Principal(operator=False, tenant_id="a", role=Role.READ)
    with pytest.raises(Problem) as other:
        require(reader, "b", Role.READ)
    assert other.value.status == 404
    with pytest.raises(Problem) as role:
        require(reader, "a", Role.PUSH)
    assert role.value.status == 403
    with pytest.raises(Problem) as mint:
        require_operator(Principal(operator=False, tenant_id="a", role=Role.ADMIN), "a")
    assert mint.value.status == 403


def test_page_principals_read_one_batch_and_retry_only_it() -> None:
    batch, other = uuid.uuid4(), uuid.uuid4()
    page = Principal(
        operator=False,
        tenant_id="a",
        role=Role.READ,
        batch_id=batch,
        page_retry=True,
        minted_by="token:t-1",
    )
    assert page.can("a", Role.READ, batch)
    assert not page.can("a", Role.PUSH, batch), "a page token never pushes"
    assert not page.can("a", Role.READ, other) and not page.can("a", Role.READ)
    assert page.may_retry_batch("a", batch) and not page.may_retry_batch("a", other)
    assert not replace(page, page_retry=False).may_retry_batch("a", batch)
    with pytest.raises(Problem) as elsewhere:
        require(page, "a", Role.READ, other)
    assert elsewhere.value.status == 404
    with pytest.raises(Problem) as minting:
        refuse_page_tokens(page)
    assert minting.value.status == 403
    assert page.label == f"page:{batch} minted by token:t-1"


def test_page_tokens_verify_and_expire() -> None:
    key = derive_key("admin-secret")
    claims = PageClaims(
        "acme", uuid.uuid4(), Role.READ, int((NOW + timedelta(minutes=5)).timestamp())
    )
    token = mint_page_token(key, claims)
    assert token.startswith("mqp_")
    assert verify_page_token(key, token, NOW) == claims
    assert verify_page_token(key, token, NOW + timedelta(minutes=6)) is None
    assert verify_page_token(derive_key("another-secret"), token, NOW) is None
    body, signature = token.removeprefix("mqp_").split(".")
    forged_claims = mint_page_token(
        derive_key("x"), PageClaims("evil", claims.batch_id, Role.PUSH, claims.expires_at)
    )
    forged_body = forged_claims.removeprefix("mqp_").split(".")[0]
    assert verify_page_token(key, f"mqp_{forged_body}.{signature}", NOW) is None
    for garbage in ("mqp_", "mqp_abc", "mqp_!!!.???", "mqs_abc", f"mqp_{body}"):
        assert verify_page_token(key, garbage, NOW) is None
