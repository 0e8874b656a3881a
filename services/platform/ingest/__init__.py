"""Consuming contract events: validate, deduplicate on event_id, apply, dead-letter the rest."""

from services.platform.ingest.ports import EventHandler
from services.platform.ingest.records import RawRecord
from services.platform.ingest.service import IngestOutcome, ingest_batch

__all__ = ["EventHandler", "IngestOutcome", "RawRecord", "ingest_batch"]
