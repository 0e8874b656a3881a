"""Turning the worker's result events into per-invoice status and batch progress."""
