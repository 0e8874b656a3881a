"""Deterministic QuickBooks `requestid`s: the same unit of work always sends the same id, so
QuickBooks replays instead of writing twice after a timeout, a crash or a redelivery."""

from __future__ import annotations

import hashlib


def _id(*parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return digest[:40]


def create_invoice_id(tenant_id: str, invoice_id: str, generation: int) -> str:
    """Per invoice (not per unit of work): whichever unit creates it, it is created once."""
    return "c" + _id("create", tenant_id, invoice_id, generation)


def write_id(work_item_id: int, step: str) -> str:
    return "w" + _id("write", work_item_id, step)


def customer_id(tenant_id: str, customer_id: str, display_name: str) -> str:
    return "k" + _id("customer", tenant_id, customer_id, display_name)
