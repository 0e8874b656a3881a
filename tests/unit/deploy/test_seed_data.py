"""What `make seed` publishes: a One-Way Push tenant, two of three products mapped to the
sandbox's items, and invoices of which exactly the ones using the unmapped product fail."""

from __future__ import annotations

import json

from deploy.local.seed import what_to_try
from deploy.local.seed_data import PRODUCTS, UNMAPPED, build_seed, realm_request
from services.contract.parsing import parse_event
from services.contract.settings import ProductMappingChanged, SettingsChanged
from services.contract.topics import Topic

ITEMS = {"Display Ad": "11", "Newsletter Sponsorship": "12", "Podcast Spot": "13"}


def test_the_tenant_is_one_way_push_with_two_products_mapped_to_their_items() -> None:
    plan = build_seed("acme", ITEMS)
    settings = [e for e in plan.settings if isinstance(e, SettingsChanged)]
    assert [s.manual_push for s in settings] == [True]
    mappings = {
        e.product_id: e.quickbooks_item_id
        for e in plan.settings
        if isinstance(e, ProductMappingChanged)
    }
    assert mappings == {"P-DISPLAY": "11", "P-NEWS": "12"}
    assert UNMAPPED not in mappings
    assert all(e.tenant_id == "acme" for e in [*plan.settings, *plan.invoices])


def test_invoices_are_valid_and_only_the_unmapped_ones_are_unsendable() -> None:
    plan = build_seed("acme", ITEMS)
    assert len(plan.invoice_ids) == len(set(plan.invoice_ids)) == 12
    for event in plan.invoices:
        # what the worker's ingest will accept from the topic
        parsed = parse_event(Topic.INVOICES.value, event.model_dump_json().encode())
        assert parsed == event
        invoice = event.invoice
        assert invoice.total == sum(line.amount for line in invoice.lines)
        assert all(line.product_id in PRODUCTS for line in invoice.lines)
    unmapped = [
        e.invoice.invoice_id
        for e in plan.invoices
        if any(line.product_id == UNMAPPED for line in e.invoice.lines)
    ]
    assert len(unmapped) == 2
    assert sorted(plan.sendable_ids + unmapped) == sorted(plan.invoice_ids)
    assert len({e.invoice.number for e in plan.invoices}) == 12


def test_the_same_tenant_gets_the_same_invoices_again() -> None:
    first, again = build_seed("acme", ITEMS), build_seed("acme", ITEMS)
    assert [e.invoice for e in first.invoices] == [e.invoice for e in again.invoices]
    assert build_seed("acme", ITEMS).invoice_ids != build_seed("other", ITEMS).invoice_ids


def test_the_sandbox_company_has_every_product_as_an_item() -> None:
    realm = json.loads(json.dumps(realm_request()))
    assert sorted(i["name"] for i in realm["items"]) == sorted(ITEMS)
    assert realm["customers"], "customers exist, as in a company already in use"


def test_what_to_try_names_the_tenant_and_the_invoices_it_pushes() -> None:
    plan = build_seed("acme", ITEMS)
    text = what_to_try(plan)
    assert ". .local/seed.env" in text
    assert f"syncctl push --tenant acme {' '.join(plan.sendable_ids[:3])} --yes" in text
    assert "mqs_" not in text, "the token is in .local/seed.env, never printed"
