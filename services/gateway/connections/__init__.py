"""Tenants' QuickBooks connections: realm routing here, the secret goes to the worker."""
