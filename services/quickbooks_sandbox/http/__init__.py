"""Thin FastAPI layer: QBO v3 routes, the OAuth token route and the `/_sandbox` admin API."""
