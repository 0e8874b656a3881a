"""Reconciliation runs on the gateway: start one, follow it, list and download its findings,
repair what differs with a normal push batch."""
