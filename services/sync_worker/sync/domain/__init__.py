"""Pure sync rules (no I/O): translation, plans, conflicts, request ids, retries, statuses."""
