"""Idempotency-Key: the same POST sent twice is answered once."""
