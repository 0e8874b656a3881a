"""Pure sync rules (no I/O): translation, plans, conflicts, request ids, retries, statuses.

They read and produce `quickbooks_invoice.QuickBooksInvoice`, the domain's own view of a
QuickBooks invoice; the QuickBooks adapter maps it to and from its wire model."""
