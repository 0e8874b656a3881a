"""The operator's dashboard: one read-only overview of every tenant, live over SSE."""
