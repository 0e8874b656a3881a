"""`syncctl`: send batches, watch them, list failures, look up invoices."""
