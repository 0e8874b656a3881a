"""The gateway's HTTP API (FastAPI): routes are thin, the work is in feature packages."""
