"""MediaOS -> QuickBooks: one unit of work (an automatic sync, or one invoice of a push).

`runner` decides what the unit needs (skip, create, update, void, delete) and maps failures
to results; `customers` links MediaOS customers to QuickBooks customers; `create` creates
an invoice or adopts an earlier create; `update` updates one, settling conflicts per the
tenant's policy; `removal` voids or deletes. Every path returns a `Completion` that the
executor commits with the end of the unit. Committed on the spot (before QuickBooks is
called) are only the customer link and the create-pending marker, because each must
survive a crash of the unit that wrote it.
"""

from services.sync_worker.sync.outbound.runner import Outbound, OutboundPolicy

__all__ = ["Outbound", "OutboundPolicy"]
