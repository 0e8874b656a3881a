"""Metrics (Prometheus), health endpoints and the worker heartbeat."""
