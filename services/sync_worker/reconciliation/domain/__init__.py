"""Pure comparison and categorisation (no I/O)."""
