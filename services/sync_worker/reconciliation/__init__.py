"""Reconciliation: compares every MediaOS invoice of a tenant with QuickBooks and files it
into one category (in sync, missing, different, only in QuickBooks, not sendable)."""
