"""Which QuickBooks changes flow back to MediaOS."""

from __future__ import annotations


def is_new_external_change(
    sync_token: str, *, our_last_write: str | None, last_reported: str | None
) -> bool:
    """A change is ours (no echo) when its SyncToken is the one our last write produced, and
    already reported when webhook and CDC both saw it. Only the rest is published."""
    return sync_token not in (our_last_write, last_reported)
