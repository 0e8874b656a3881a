"""Mirroring invoices: units of work, the executor, outbound writes and inbound changes."""
