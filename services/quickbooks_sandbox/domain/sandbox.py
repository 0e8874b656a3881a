"""The registry of realms (companies) and how a new one is seeded."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from . import customers, items
from .errors import JsonDict, QboFault
from .events import EventSink, discard_event
from .realm import Realm
from .settings import RateLimits, RealmSettings
from .tokens import TokenStore, credentials_match, token_key


def _random_realm_id() -> str:
    return "9130" + "".join(str(secrets.randbelow(10)) for _ in range(12))


def customer_body(spec: JsonDict) -> JsonDict:
    """Translate the admin customer spec (snake_case) to a QBO Customer body."""
    body: JsonDict = {}
    if "display_name" in spec:
        body["DisplayName"] = spec["display_name"]
    if spec.get("email"):
        body["PrimaryEmailAddr"] = {"Address": spec["email"]}
    if spec.get("company_name"):
        body["CompanyName"] = spec["company_name"]
    return body


@dataclass
class CreatedRealm:
    realm: Realm
    refresh_token: str
    client_secret: str


class Sandbox:
    """All realms. With `app_credentials` (client_id, client_secret) every realm shares the
    app's credentials, as with Intuit; without, each realm gets its own generated pair."""

    def __init__(
        self,
        sink: EventSink = discard_event,
        fault_seed: int = 0,
        app_credentials: tuple[str, str] | None = None,
    ) -> None:
        if app_credentials is not None and not all(app_credentials):
            raise ValueError("app client_id and client_secret must both be non-empty")
        self.realms: dict[str, Realm] = {}
        self._by_client: dict[str, Realm] = {}
        # Every refresh token ever issued (rotated-out ones too), by token key -> its realm.
        self._by_refresh: dict[str, Realm] = {}
        self.sink = sink
        self.fault_seed = fault_seed
        self.app_credentials = app_credentials

    def get(self, realm_id: str) -> Realm | None:
        return self.realms.get(realm_id)

    def by_client_id(self, client_id: str) -> Realm | None:
        """The realm owning per-realm credentials (None with app-level credentials)."""
        return self._by_client.get(client_id)

    def by_refresh_token(self, refresh_token: str) -> Realm | None:
        """The realm a refresh token was issued for, even once it has been rotated out."""
        return self._by_refresh.get(token_key(refresh_token))

    def client_known(self, client_id: str, client_secret: str) -> bool:
        """Whether the credentials are the app's (or some realm's, without app credentials)."""
        if self.app_credentials is not None:
            return credentials_match(client_id, client_secret, self.app_credentials)
        realm = self._by_client.get(client_id)
        return realm is not None and realm.tokens.client_matches(client_id, client_secret)

    def token_owner(self, access_token: str, now: float) -> Realm | None:
        """The realm that issued a still-valid access token (only used on failure paths)."""
        for realm in self.realms.values():
            if realm.tokens.access_state(access_token, now) == "valid":
                return realm
        return None

    def create_realm(self, spec: dict[str, Any], now: float) -> CreatedRealm:
        """Seed a company; raises ValueError or QboFault on a bad spec."""
        settings = RealmSettings()
        settings.update(dict(spec.get("settings") or {}))
        limits = RateLimits()
        limits.update(dict(spec.get("limits") or {}))
        realm_id = _random_realm_id()
        while realm_id in self.realms:
            realm_id = _random_realm_id()
        if self.app_credentials is not None:
            client_id, client_secret = self.app_credentials
        else:
            client_id, client_secret = "AB" + secrets.token_hex(20), secrets.token_hex(20)
        tokens = TokenStore(client_id, client_secret)
        # Seeding is setup, not a change a webhook subscriber should hear about.
        realm = Realm(realm_id, tokens, settings, limits, discard_event, self.fault_seed)
        for item_spec in spec.get("items") or []:
            items.create_item(realm, dict(item_spec), now)
        for customer_spec in spec.get("customers") or []:
            record = customers.create_customer(realm, customer_body(dict(customer_spec)), now)
            if customer_spec.get("active") is False:
                customers.admin_update_customer(realm, record.id, {"Active": False}, now)
        realm.sink = self.sink
        tokens.on_refresh_issued = lambda token: self._index_refresh(token, realm)
        refresh = tokens.issue_refresh_token(now, settings.refresh_token_ttl_seconds)
        self.realms[realm_id] = realm
        if self.app_credentials is None:
            self._by_client[tokens.client_id] = realm
        return CreatedRealm(realm, refresh, client_secret)

    def _index_refresh(self, refresh_key: str, realm: Realm) -> None:
        self._by_refresh[refresh_key] = realm

    def adopt(self, realm: Realm) -> None:
        """Register a realm restored from a snapshot, with its token indexes."""
        realm.sink = self.sink
        self.realms[realm.realm_id] = realm
        realm.tokens.on_refresh_issued = lambda key: self._index_refresh(key, realm)
        for key in realm.tokens.refresh_keys():
            self._index_refresh(key, realm)
        if self.app_credentials is None:
            self._by_client[realm.tokens.client_id] = realm


def realm_summary(created: CreatedRealm) -> JsonDict:
    realm = created.realm
    return {
        "realm_id": realm.realm_id,
        "client_id": realm.tokens.client_id,
        "client_secret": created.client_secret,
        "refresh_token": created.refresh_token,
        "items": [{"Id": r.id, "Name": r.data["Name"]} for r in realm.items.rows.values()],
        "customers": [
            {"Id": r.id, "DisplayName": r.data["DisplayName"]}
            for r in realm.customers.rows.values()
        ],
    }


__all__ = ["CreatedRealm", "QboFault", "Sandbox", "customer_body", "realm_summary"]
